//! Who plays against the edited AI: the choice (this AI, a template, a file, nobody), the picker
//! that offers it, and the loader that turns a choice into a duel seat.
//!
//! Graphs (this one and the templates) are compiled by the studio's own compiler and loaded on a
//! plain host; files from elsewhere (`.wasm`, `.wat`, mod folders, other graphs) are loaded on a
//! guarded host that compiles in a child process under a deadline and a memory cap, so a hostile
//! download cannot stall or exhaust the studio. Loaded seats are kept, keyed by what they were
//! loaded from, so a batch or the next turn does not load them again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aether_duel::Seat;
use aether_host::{CompileCache, CompileGuard, Controller, ControllerHost, ControllerLimits};
use aether_lang::VisualScriptGraph;

use super::TEMPLATES;

/// Who plays a seat.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Opponent {
    /// The graph being edited (a mirror match).
    ThisAi,
    /// A built-in AI template, by index in [`TEMPLATES`].
    Template(usize),
    /// A graph file, a `.wasm` or `.wat` module, or a controller mod folder.
    File(PathBuf),
    /// Nobody: the seat passes every turn.
    Pass,
}

impl Opponent {
    /// The choice in words, as the picker shows it.
    pub fn label(&self) -> String {
        match self {
            Opponent::ThisAi => "this AI".into(),
            Opponent::Template(i) => TEMPLATES
                .get(*i)
                .map_or("a template".into(), |(name, _)| format!("{name} template")),
            Opponent::File(p) => p
                .file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into()),
            Opponent::Pass => "nobody (passes)".into(),
        }
    }

    /// Where a replay finds this seat's module again, if anywhere: the file, or the
    /// template's file in `examples/graphs`; `this_file` for this AI.
    pub fn module_path(&self, this_file: Option<&Path>) -> Option<PathBuf> {
        match self {
            Opponent::ThisAi => this_file.map(Path::to_path_buf),
            Opponent::Template(i) => {
                let name = match i {
                    0 => "melee-rusher",
                    1 => "archer-skirmisher",
                    2 => "hill-defender",
                    3 => "mage-support",
                    _ => "tactician",
                };
                Some(PathBuf::from(format!(
                    "examples/graphs/{name}.mcgraph.json"
                )))
            }
            Opponent::File(p) => Some(p.clone()),
            Opponent::Pass => None,
        }
    }
}

/// What the picker asks of the studio.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Picked {
    /// The choice changed.
    pub changed: bool,
    /// The user wants to choose a file (the studio opens its file picker).
    pub browse: bool,
}

/// A combo box offering every choice, named for assistive technology by the label `label`;
/// `id` keeps pickers apart, `this_ai` offers the edited graph.
pub fn picker(
    ui: &mut egui::Ui,
    id: &str,
    label: egui::Id,
    value: &mut Opponent,
    this_ai: bool,
) -> Picked {
    let mut out = Picked::default();
    let before = value.clone();
    let combo = egui::ComboBox::from_id_salt(id)
        .selected_text(value.label())
        .width(190.0)
        .show_ui(ui, |ui| {
            if this_ai {
                ui.selectable_value(value, Opponent::ThisAi, Opponent::ThisAi.label())
                    .on_hover_text("The graph you are editing plays this side too");
            }
            for i in 0..TEMPLATES.len() {
                let o = Opponent::Template(i);
                let label = o.label();
                ui.selectable_value(value, o, label);
            }
            if let Opponent::File(_) = value {
                let o = value.clone();
                let label = o.label();
                ui.selectable_value(value, o, label);
            }
            ui.selectable_value(value, Opponent::Pass, Opponent::Pass.label());
            if ui
                .selectable_label(false, "Choose a file…")
                .on_hover_text("A graph, a .wasm or .wat module, or a mod folder")
                .clicked()
            {
                out.browse = true;
            }
        });
    let _ = combo.response.labelled_by(label);
    out.changed = *value != before;
    out
}

/// Loads seats: graphs on a plain host (with the studio's compile cache), files on a guarded one.
pub struct SeatLoader {
    plain: Option<ControllerHost>,
    guarded: Option<ControllerHost>,
    loaded: HashMap<Opponent, (u64, Controller)>,
}

impl std::fmt::Debug for SeatLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeatLoader")
            .field("loaded", &self.loaded.len())
            .finish_non_exhaustive()
    }
}

/// FNV-1a of a module's bytes (what a replay records to notice a changed module).
pub fn module_hash(bytes: &[u8]) -> u64 {
    aether_base::fasthash::fnv1a(bytes)
}

impl SeatLoader {
    /// A loader whose plain host keeps compiled code in `cache` and whose guarded host compiles
    /// files in `worker` (a program that serves as compile worker: the studio itself). Without a
    /// worker program, files are refused rather than compiled unguarded.
    pub fn new(cache: Option<CompileCache>, worker: Option<PathBuf>) -> Self {
        let plain = ControllerHost::new(ControllerLimits {
            compile_cache: cache,
            ..ControllerLimits::default()
        })
        .ok();
        let guarded = worker.and_then(|w| {
            // Modules from elsewhere compile without the cache: in parallel, within the
            // bounds' time, and none of their code is kept.
            ControllerHost::new(ControllerLimits {
                compile_guard: Some(CompileGuard::new(w)),
                ..ControllerLimits::default()
            })
            .ok()
        });
        Self {
            plain,
            guarded,
            loaded: HashMap::new(),
        }
    }

    /// The host graphs are loaded through (none when it could not start).
    pub fn host(&self) -> Option<&ControllerHost> {
        self.plain.as_ref()
    }

    /// Loads the edited graph (compiled now; the cache makes an unchanged runtime free).
    pub fn this_ai(&self, graph: &VisualScriptGraph) -> Result<(Controller, u64), String> {
        let m = aether_duel::compile_contender(graph, Path::new("this graph"))?;
        let host = self
            .plain
            .as_ref()
            .ok_or("the studio's host could not start")?;
        let c = host
            .load(&m.wasm)
            .map_err(|e| format!("the host refused the compiled graph: {e}"))?;
        Ok((c, module_hash(&m.wasm)))
    }

    /// The seat for `o` (with its module's hash; 0 for nobody); `this` is the edited graph's
    /// controller and hash. A file is read again each time, so an edited file is noticed.
    pub fn seat(&mut self, o: &Opponent, this: &(Controller, u64)) -> Result<(Seat, u64), String> {
        match o {
            Opponent::ThisAi => Ok((Seat::Controller(this.0.clone()), this.1)),
            Opponent::Pass => Ok((Seat::Pass, 0)),
            Opponent::Template(i) => {
                if let Some((h, c)) = self.loaded.get(o) {
                    return Ok((Seat::Controller(c.clone()), *h));
                }
                let (_, text) = TEMPLATES.get(*i).ok_or("no such template")?;
                let graph = VisualScriptGraph::from_json(text).map_err(|e| e.to_string())?;
                let (c, h) = self.this_ai(&graph)?;
                self.loaded.insert(o.clone(), (h, c.clone()));
                Ok((Seat::Controller(c), h))
            }
            Opponent::File(path) => self.file_seat(path),
        }
    }

    /// The seat for a file (graph, `.wasm`, `.wat`, mod folder), with its module's hash. The
    /// file is read again each time, so an edited file is noticed.
    pub fn file_seat(&mut self, path: &Path) -> Result<(Seat, u64), String> {
        let key = Opponent::File(path.to_path_buf());
        let m = aether_duel::read_contender(path)?;
        let h = module_hash(&m.wasm);
        if let Some((had, c)) = self.loaded.get(&key)
            && *had == h
        {
            return Ok((Seat::Controller(c.clone()), h));
        }
        // Our own graphs compile on the plain host; modules from elsewhere are guarded.
        let host = if aether_duel::is_graph_file(path) {
            self.plain.as_ref()
        } else {
            self.guarded.as_ref()
        };
        let host = host.ok_or_else(|| {
            format!(
                "{}: modules from files are compiled in a guarded worker, which could not start \
                 here",
                path.display()
            )
        })?;
        let c = host
            .load(&m.wasm)
            .map_err(|e| format!("{}: refused: {e}", m.file.display()))?;
        self.loaded.insert(key, (h, c.clone()));
        Ok((Seat::Controller(c), h))
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn each_template_names_its_own_file_for_replays() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (i, (name, text)) in TEMPLATES.iter().enumerate() {
            let path = Opponent::Template(i)
                .module_path(None)
                .expect("a template has a file");
            let on_disk = aether_base::fsutil::read_text_bounded(
                &root.join(&path),
                aether_base::fsutil::MAX_DOCUMENT_BYTES,
            )
            .expect("the file exists");
            assert_eq!(&on_disk, text, "{name}: {}", path.display());
        }
    }
}
