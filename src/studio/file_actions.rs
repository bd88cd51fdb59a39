//! The file commands: new, open, save, save as (asking about unsaved changes first), what a
//! file picker picked, recovering the autosave, the autosave itself, closing the window,
//! state files for the preview, function libraries, world setups, and the export.

use std::path::{Path, PathBuf};
use std::time::Instant;

use aether_lang::VisualScriptGraph;
use aether_lang::graph::{FunctionId, ScriptKind};

use super::document::Document;
use super::export::{self, ExportDialog};
use super::files::{self, Autosave, Picked, Purpose};
use super::templates::{NewGraph, TEMPLATES, WORLD_TEMPLATES, template, world_template};
use super::{Canvas, Studio, opponents, preview};

/// What to do once unsaved changes are dealt with.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Then {
    Close,
    New(NewGraph),
    Open(PathBuf),
    PickOpen,
}

impl Studio {
    /// Opens the autosave found at start as the document, unsaved.
    pub(super) fn recover(&mut self, found: Autosave) {
        match VisualScriptGraph::from_json(&found.text) {
            Ok(g) => {
                self.replace_document(Document::new(g, found.original.clone()));
                self.doc.mark_dirty();
                self.status = "Recovered the autosave; save it to keep it.".into();
            }
            Err(e) => {
                self.dialogs.error = Some(format!("The autosave cannot be read: {e}"));
            }
        }
    }

    /// Writes the autosave in the background.
    pub fn autosave(&mut self) {
        self.autosaved = (self.doc.version(), Instant::now());
        let save = Autosave {
            text: self.doc.graph().to_json(),
            original: self.doc.path.clone(),
            written: files::now_secs(),
        };
        let home = self.opts.home.clone();
        let _ = std::thread::Builder::new()
            .name("autosave".into())
            .spawn(move || {
                if let Err(e) = save.write(&home) {
                    eprintln!("warning: autosave to {} failed: {e}", home.display());
                }
            });
    }

    pub(super) fn handle_close(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && !self.allow_close {
            if self.doc.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.dialogs.confirm = Some(Then::Close);
            } else {
                self.allow_close = true;
            }
        }
    }

    /// Called once the window closes for good: the autosave is no longer needed.
    pub fn exiting(&mut self) {
        Autosave::discard(&self.opts.home);
    }

    /// Asks about unsaved changes before doing `then`.
    pub(super) fn guarded(&mut self, then: Then) {
        if self.doc.is_dirty() {
            self.dialogs.confirm = Some(then);
        } else {
            self.proceed(then);
        }
    }

    pub(super) fn proceed(&mut self, then: Then) {
        match then {
            Then::Close => {
                self.allow_close = true;
                if let Some(ctx) = self.live.worker.repaint.get() {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            Then::New(t) => self.new_graph(t),
            Then::Open(p) => self.open_path(&p),
            Then::PickOpen => {
                let dir = self.start_dir();
                self.pickers.open(Purpose::OpenGraph, &dir, "");
            }
        }
    }

    pub fn start_dir(&self) -> PathBuf {
        // The graph's own folder; else the last folder a graph was opened from or saved to;
        // else the user's documents (never the folder the program happened to start in, where
        // a newcomer's work would be lost).
        self.doc
            .path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .or_else(|| {
                self.session
                    .recent
                    .iter()
                    .filter_map(|p| p.parent())
                    .find(|d| d.is_dir())
                    .map(Path::to_path_buf)
            })
            .or_else(files::documents_folder)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default()
    }

    /// Opens a graph file (the current one is replaced; the caller asked about unsaved changes).
    pub fn open_path(&mut self, path: &Path) {
        match VisualScriptGraph::load(path) {
            Ok(g) => {
                self.replace_document(Document::new(g, Some(path.to_path_buf())));
                self.session.opened(path);
                let _ = self.session.save(&self.opts.home);
                self.status = format!("Opened {}.", path.display());
            }
            Err(e) => self.dialogs.error = Some(format!("Could not open the graph: {e}")),
        }
    }

    /// Replaces the document with a new graph (the caller asked about unsaved changes).
    pub fn new_graph(&mut self, t: NewGraph) {
        let (g, status) = match t {
            NewGraph::Ai(i) => (
                template(i),
                TEMPLATES.get(i).map_or(String::new(), |(name, _)| {
                    format!("New AI from the {name} template.")
                }),
            ),
            NewGraph::World(i) => (
                world_template(i),
                WORLD_TEMPLATES.get(i).map_or(String::new(), |(name, _)| {
                    format!("New world script from the {name} template: watch the world on the right, edit, and it updates as you go.")
                }),
            ),
            NewGraph::Empty(ScriptKind::AiController) => (
                VisualScriptGraph::new(),
                "New empty AI: add an On Turn node from the palette first.".into(),
            ),
            NewGraph::Empty(ScriptKind::WorldScript) => (
                VisualScriptGraph::new_world_script(),
                "New empty world script: add an event (On Start, On Tick, On Timer…) from the palette first.".into(),
            ),
        };
        self.replace_document(Document::new(g, None));
        self.status = status;
    }

    /// A new or opened graph starts at turn 1 of the chosen sample, with nothing of the previous
    /// graph's preview left (not its turn, not a step still in flight); a world script starts
    /// its world.
    pub(super) fn replace_document(&mut self, doc: Document) {
        self.doc = doc;
        self.canvas = Canvas::new();
        self.live.replaced();
        self.preview.pick(self.preview.sample);
        self.preview.shown = None;
        self.preview.stale = None;
        self.preview.failure = None;
        self.preview.waiting = None;
        if self.is_world() {
            self.start_world();
        } else {
            self.world.hold();
        }
    }

    /// Saves to the document's file (or asks where); true when saved.
    pub fn save(&mut self) -> bool {
        match self.doc.path.clone() {
            Some(p) => self.save_to(&p),
            None => {
                self.save_as();
                false
            }
        }
    }

    pub(super) fn save_as(&mut self) {
        let name = format!("{}.mcgraph.json", self.doc.graph().name);
        let dir = self.start_dir();
        self.pickers.open(Purpose::SaveGraph, &dir, &name);
    }

    /// Saves to `path` (atomically) and makes it the document's file; true when saved.
    pub fn save_to(&mut self, path: &Path) -> bool {
        match self.doc.save_as(path) {
            Ok(()) => {
                self.session.opened(path);
                let _ = self.session.save(&self.opts.home);
                Autosave::discard(&self.opts.home);
                self.status = format!("Saved {}.", path.display());
                true
            }
            Err(e) => {
                self.dialogs.error = Some(format!(
                    "Could not save; the file on disk is unchanged.\n{e}"
                ));
                false
            }
        }
    }

    pub(super) fn picked(&mut self, picked: Picked) {
        let Picked::Path(purpose, path) = picked else {
            // Cancelled: nothing saved, so nothing of what was to follow happens.
            self.after_save = None;
            return;
        };
        match purpose {
            Purpose::OpenGraph => self.open_path(&path),
            Purpose::SaveGraph => {
                let path = if path.to_string_lossy().ends_with(".json") {
                    path
                } else {
                    PathBuf::from(format!("{}.mcgraph.json", path.display()))
                };
                let then = self.after_save.take();
                if self.save_to(&path)
                    && let Some(then) = then
                {
                    self.proceed(then);
                }
            }
            Purpose::OpenState => self.open_state(&path),
            Purpose::SaveFunctions => {
                let path = if path.to_string_lossy().ends_with(".json") {
                    path
                } else {
                    PathBuf::from(format!("{}.mcfunctions.json", path.display()))
                };
                self.save_functions(&path);
            }
            Purpose::LoadFunctions => self.load_functions(&path),
            Purpose::CompareWith => self.compare_with(super::compare::Against::File(path)),
            Purpose::OpenSetup => self.open_setup(&path),
            Purpose::SaveSetup => {
                let path = if path.to_string_lossy().ends_with(".json") {
                    path
                } else {
                    PathBuf::from(format!("{}.mcworld.json", path.display()))
                };
                self.save_setup(&path);
            }
            Purpose::AddWorldScript => {
                self.world.extra.push(aether_sample_world::SetupScript {
                    path: path.clone(),
                    priority: aether_sample_world::scene::DEFAULT_PRIORITY,
                    limits: Default::default(),
                });
                self.status = format!("Added {} to the world.", path.display());
                self.start_world();
            }
            Purpose::ChooseOpponent => {
                self.duel_lab.opponent = opponents::Opponent::File(path);
            }
            Purpose::ChoosePreviewOpponent(slot) => {
                if let Some(o) = self.preview.others.get_mut(usize::from(slot)) {
                    *o = opponents::Opponent::File(path);
                }
            }
            Purpose::AddEntrant => self.duel_lab.add_entrant(path),
            Purpose::OpenReplay => self.duel_lab.open_replay(&path),
            Purpose::SaveReplay => {
                let path = if path.to_string_lossy().ends_with(".mcreplay") {
                    path
                } else {
                    PathBuf::from(format!("{}.mcreplay", path.display()))
                };
                self.duel_lab.save_replay(&path);
            }
            Purpose::ExportFolder => {
                if let Some(d) = self.export.as_mut() {
                    d.set_dest(&path);
                }
            }
        }
    }

    /// Adds a state or scenario file to the preview's list and plays on it.
    pub fn open_state(&mut self, path: &Path) {
        match aether_lang::Scenario::load(path) {
            Ok(scenario) => {
                self.preview.add_sample(preview::Sample {
                    name: path
                        .file_name()
                        .map_or("state".into(), |n| n.to_string_lossy().into_owned()),
                    path: Some(path.to_path_buf()),
                    scenario,
                });
                self.status = format!("Playing on {}.", path.display());
            }
            Err(e) => self.dialogs.error = Some(format!("Could not use that state: {e}")),
        }
    }

    /// Saves every function of the graph to a library file.
    pub fn save_functions(&mut self, path: &Path) {
        let g = self.doc.graph();
        let ids: Vec<FunctionId> = g.functions().map(|f| f.id).collect();
        match g.library_of(&ids).save(path) {
            Ok(()) => {
                self.status = format!("Saved {} function(s) to {}.", ids.len(), path.display());
            }
            Err(e) => {
                self.dialogs.error = Some(format!(
                    "Could not save the functions; the file on disk is unchanged.\n{e}"
                ));
            }
        }
    }

    /// Adds the functions of a library file (any graph file) to the graph.
    pub fn load_functions(&mut self, path: &Path) {
        match VisualScriptGraph::load(path) {
            Ok(lib) if lib.functions().next().is_none() => {
                self.dialogs.error = Some(format!("{} holds no functions.", path.display()));
            }
            Ok(lib) => {
                let added = self
                    .doc
                    .edit("Add functions", None, |g| g.import_functions(&lib));
                let names: Vec<String> = added
                    .iter()
                    .filter_map(|f| self.doc.graph().function(*f).map(|f| f.name.clone()))
                    .collect();
                self.status = format!(
                    "Added {} from {}; they are listed under Functions.",
                    names.join(", "),
                    path.display()
                );
                self.edited();
            }
            Err(e) => self.dialogs.error = Some(format!("Could not read the functions.\n{e}")),
        }
    }

    /// Opens a world setup in the world preview: its scene and scripts (the one that is this
    /// graph's file runs from the editor) with their priorities, and restarts the world.
    pub fn open_setup(&mut self, path: &Path) {
        let setup = match aether_sample_world::WorldSetup::load(path) {
            Ok(s) => s,
            Err(e) => {
                self.dialogs.error = Some(format!("Could not open the world setup: {e}"));
                return;
            }
        };
        match self.world.use_setup(&setup, self.doc.path.as_deref()) {
            Ok(()) => {
                self.status = format!(
                    "Opened the world setup {}: {} script(s) beside this graph.",
                    path.display(),
                    self.world.extra.len()
                );
                self.start_world();
            }
            Err(e) => self.dialogs.error = Some(format!("Could not use the world setup: {e}")),
        }
    }

    /// Saves the world preview's setup (scene, scripts, priorities, limits); true when saved.
    pub fn save_setup(&mut self, path: &Path) -> bool {
        let setup = self.world.setup(self.doc.path.as_deref());
        match setup.save(path) {
            Ok(()) => {
                self.status = if self.doc.path.is_some() {
                    format!("Saved the world setup {}.", path.display())
                } else {
                    format!(
                        "Saved the world setup {} without this graph: save the graph first to include it.",
                        path.display()
                    )
                };
                true
            }
            Err(e) => {
                self.dialogs.error = Some(format!(
                    "Could not save the world setup; any file there is unchanged.\n{e}"
                ));
                false
            }
        }
    }

    /// Opens the export dialog, prefilled from the graph.
    pub fn open_export(&mut self) {
        self.export = Some(ExportDialog::new(self.doc.graph()));
    }

    /// The export dialog, if open.
    pub fn export_dialog(&mut self) -> Option<&mut ExportDialog> {
        self.export.as_mut()
    }

    /// The export dialog, if open, to look at.
    pub fn export_dialog_ref(&self) -> Option<&ExportDialog> {
        self.export.as_ref()
    }

    /// Exports with the dialog's fields (renaming the graph's identity to match first).
    pub fn export_now(&mut self) {
        let Some(dialog) = self.export.clone() else {
            return;
        };
        let (name, version) = (
            dialog.manifest.name.clone(),
            dialog.manifest.version.clone(),
        );
        if self.doc.graph().name != name || self.doc.graph().version != version {
            self.doc
                .edit("Rename AI (from the export dialog)", None, |g| {
                    g.name = name;
                    g.version = version;
                });
            self.edited();
        }
        let result = export::write(self.doc.graph(), &dialog);
        if let Ok(text) = &result {
            self.status = text.clone();
        }
        if let Some(d) = self.export.as_mut() {
            d.result = Some(result);
        }
    }
}
