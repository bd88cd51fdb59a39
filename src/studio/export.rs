//! The export dialog: the manifest's fields, prefilled and checked as the user types, and the
//! destination folder. Writing goes through the core's exporter (`aether_mods::export`, or
//! `aether_mods::export_world_script` for a world script, whose dialog shows the limits it asks for
//! and what the sample world grants).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aether_compile::{CompilationProfile, VisualScriptCompiler};
use aether_host::{ControllerHost, ControllerLimits};
use aether_lang::VisualScriptGraph;
use aether_lang::graph::ScriptKind;
use aether_mods::{ModManifest, WorldScriptManifest};
use aether_world::ScriptResourceLimits;
use egui::Color32;

/// The dialog's fields.
#[derive(Clone, Debug)]
pub struct ExportDialog {
    /// The manifest being edited (`name` and `version` are the graph's identity).
    pub manifest: ModManifest,
    /// Where to write the mod folder.
    pub dest: String,
    /// Whether the destination was typed by hand (else it follows the id).
    dest_typed: bool,
    /// Replace a folder that holds another mod or other files.
    pub replace: bool,
    /// The result of the last export, in words.
    pub result: Option<Result<String, String>>,
    /// The script kind: a world script has no game id and shows its limits.
    pub kind: ScriptKind,
    /// A world script's manifest fields beyond the common ones (priority, limits).
    pub world: WorldScriptManifest,
}

/// What the dialog asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum ExportAction {
    /// Write the mod.
    Export,
    /// Pick the destination folder.
    Browse,
    /// Close the dialog.
    Close,
}

fn mods_dir() -> PathBuf {
    aether_mods::default_mods_dir().unwrap_or_else(|| PathBuf::from("mods"))
}

impl ExportDialog {
    /// Where Browse… starts: the folder typed in the dialog (its nearest existing parent), else
    /// the game's mods folder.
    pub fn browse_from(&self) -> PathBuf {
        let typed = PathBuf::from(self.dest.trim());
        typed
            .ancestors()
            .find(|p| !p.as_os_str().is_empty() && p.is_dir())
            .map(Path::to_path_buf)
            .or_else(aether_mods::default_mods_dir)
            .unwrap_or_default()
    }

    /// The dialog for `graph`, prefilled.
    pub fn new(graph: &VisualScriptGraph) -> Self {
        let manifest = ModManifest::for_graph(&graph.name, &graph.version);
        let dest = mods_dir().join(&manifest.id).display().to_string();
        Self {
            manifest,
            dest,
            dest_typed: false,
            replace: false,
            result: None,
            kind: graph.kind,
            world: WorldScriptManifest::for_graph(&graph.name, &graph.version),
        }
    }

    /// The world-script manifest the fields make (the common fields from [`Self::manifest`]).
    pub fn world_manifest(&self) -> WorldScriptManifest {
        WorldScriptManifest {
            id: self.manifest.id.clone(),
            name: self.manifest.name.clone(),
            author: self.manifest.author.clone(),
            version: self.manifest.version.clone(),
            ..self.world.clone()
        }
    }

    /// Every problem with the fields, by field name.
    pub fn problems(&self) -> BTreeMap<&'static str, Vec<String>> {
        let mut out: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        let checked = match self.kind {
            ScriptKind::AiController => ModManifest::parse(&self.manifest.to_json()).err(),
            ScriptKind::WorldScript => {
                WorldScriptManifest::parse(&self.world_manifest().to_json()).err()
            }
        };
        for p in checked.into_iter().flatten() {
            out.entry(p.field).or_default().push(p.message);
        }
        // The identity joins name and version; a bad version is already said under Version.
        if !out.contains_key("version")
            && let Err(e) = aether_lang::identity::Identity::parse(&self.manifest.identity())
        {
            out.entry("name").or_default().push(e);
        }
        if self.dest.trim().is_empty() {
            out.entry("folder")
                .or_default()
                .push("choose where to write the mod".into());
        }
        out
    }

    /// Sets the destination folder (from a picker).
    pub fn set_dest(&mut self, path: &Path) {
        self.dest = path.display().to_string();
        self.dest_typed = true;
    }

    /// Draws the dialog.
    pub fn ui(&mut self, ctx: &egui::Context, graph_errors: usize) -> Option<ExportAction> {
        let mut action = None;
        egui::Modal::new(egui::Id::new("export-dialog")).show(ctx, |ui| {
            ui.set_width(560.0);
            let world = self.kind == ScriptKind::WorldScript;
            ui.heading(if world {
                "Export the world script as a mod"
            } else {
                "Export as a mod"
            });
            ui.label("The game loads the folder written here: manifest.json and the compiled module.");
            ui.label(
                egui::RichText::new(if world {
                    "Script name and version belong to the graph: changing them here renames the \
                     script (saved with the graph, undone with Ctrl+Z). The other fields are this \
                     export's."
                } else {
                    "AI name and version belong to the graph: changing them here renames the AI \
                     (saved with the graph, undone with Ctrl+Z). The other fields are this export's."
                })
                .small()
                .weak(),
            );
            let problems = self.problems();
            let old_id = self.manifest.id.clone();
            egui::Grid::new("export-fields")
                .num_columns(2)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    let m = &mut self.manifest;
                    let fields = [
                        (
                            "id",
                            "Folder name",
                            &mut m.id,
                            "lowercase letters, digits and dashes, like melee-rusher",
                        ),
                        (
                            "name",
                            if world { "Script name" } else { "AI name" },
                            &mut m.name,
                            "what players see, like Melee rusher",
                        ),
                        ("author", "Author", &mut m.author, "your name"),
                        ("version", "Version", &mut m.version, "like 1.0.0; raise it for each release"),
                        (
                            "controller_id",
                            "Game id",
                            &mut m.controller_id,
                            "who:what, like studio:melee-rusher",
                        ),
                    ];
                    for (field, label, value, hint) in fields {
                        if world && field == "controller_id" {
                            continue;
                        }
                        let label = ui.label(label);
                        ui.vertical(|ui| {
                            ui.add(
                                egui::TextEdit::singleline(value)
                                    .hint_text(hint)
                                    .id_salt(("export", field))
                                    .desired_width(360.0),
                            )
                            .labelled_by(label.id);
                            for p in problems.get(field).into_iter().flatten() {
                                ui.colored_label(Color32::from_rgb(255, 110, 110), aether_base::text::escape_output(p).as_ref());
                            }
                        });
                        ui.end_row();
                    }
                    ui.label("Folder");
                    ui.vertical(|ui| {
                        ui.horizontal(|ui| {
                            if ui
                                .add(
                                    egui::TextEdit::singleline(&mut self.dest)
                                        .id_salt(("export", "folder"))
                                        .desired_width(290.0),
                                )
                                .changed()
                            {
                                self.dest_typed = true;
                            }
                            if ui.button("Browse…").clicked() {
                                action = Some(ExportAction::Browse);
                            }
                        });
                        for p in problems.get("folder").into_iter().flatten() {
                            ui.colored_label(Color32::from_rgb(255, 110, 110), aether_base::text::escape_output(p).as_ref());
                        }
                        ui.checkbox(&mut self.replace, "Replace the folder even if it holds another mod");
                    });
                    ui.end_row();
                });
            if world {
                let asked = self.world.limits.to_json_fields();
                ui.label(format!(
                    "Asks for: {}",
                    if asked.is_empty() {
                        "nothing beyond what a world grants every script".to_owned()
                    } else {
                        asked.join(", ")
                    }
                ));
                let granted = self
                    .world
                    .limits
                    .apply(&ScriptResourceLimits::default())
                    .map(|l| l.plain_words())
                    .unwrap_or_else(|p| p.join("; "));
                ui.label(egui::RichText::new(format!("Sample world grants: {granted}")).small());
            }
            if self.manifest.id != old_id && !self.dest_typed {
                self.manifest.controller_id = format!("studio:{}", self.manifest.id);
                self.dest = mods_dir().join(&self.manifest.id).display().to_string();
            }
            if graph_errors > 0 {
                ui.colored_label(
                    Color32::from_rgb(255, 110, 110),
                    format!(
                        "The graph has {graph_errors} error{}; fix them (see Problems) before exporting.",
                        if graph_errors == 1 { "" } else { "s" }
                    ),
                );
            }
            match &self.result {
                Some(Ok(done)) => {
                    ui.colored_label(Color32::from_rgb(110, 210, 120), done);
                }
                Some(Err(e)) => {
                    ui.colored_label(Color32::from_rgb(255, 110, 110), aether_base::text::escape_output(e).as_ref());
                }
                None => {}
            }
            ui.horizontal(|ui| {
                let ok = problems.is_empty() && graph_errors == 0;
                if ui.add_enabled(ok, egui::Button::new("Export")).clicked() {
                    action = Some(ExportAction::Export);
                }
                if ui.button("Close").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    action = Some(ExportAction::Close);
                }
            });
        });
        action
    }
}

/// Compiles `graph` (release profile) and writes the mod folder through the core's exporter.
/// The graph's name and version must already be the manifest's.
pub fn write(graph: &VisualScriptGraph, dialog: &ExportDialog) -> Result<String, String> {
    let artifact = VisualScriptCompiler::compile_with(graph, CompilationProfile::Release)
        .map_err(|e| format!("the graph does not compile: {e}"))?;
    let dest = PathBuf::from(dialog.dest.trim());
    if dialog.kind == ScriptKind::WorldScript {
        let done = aether_mods::export_world_script(
            &dialog.world_manifest(),
            &artifact.wasm_bytes,
            &dest,
            dialog.replace,
        )
        .map_err(|e| e.to_string())?;
        return Ok(format!(
            "{} {} ({} bytes). To use it, copy this folder into the game's mods folder{}; `creator-studio validate` runs it in the sample worlds.",
            if done.replaced { "Replaced" } else { "Wrote" },
            done.folder.display(),
            artifact.wasm_bytes.len(),
            aether_mods::default_mods_dir()
                .map(|m| format!(" ({})", m.display()))
                .unwrap_or_default()
        ));
    }
    let host = ControllerHost::new(ControllerLimits::default()).map_err(|e| e.to_string())?;
    let mut manifest = dialog.manifest.clone();
    manifest.fuel_bound = ModManifest::fuel_bound_of(graph);
    let done = aether_mods::export(
        &host,
        &manifest,
        &artifact.wasm_bytes,
        &dest,
        dialog.replace,
    )
    .map_err(|e| e.to_string())?;
    let in_mods_dir = aether_mods::default_mods_dir()
        .is_some_and(|m| done.folder.parent().is_some_and(|p| p == m));
    Ok(format!(
        "{} {} ({} bytes). {}",
        if done.replaced { "Replaced" } else { "Wrote" },
        done.folder.display(),
        artifact.wasm_bytes.len(),
        if in_mods_dir {
            "The game registers it from its mods folder.".to_owned()
        } else {
            format!(
                "To play it, copy this folder into the game's mods folder{}.",
                aether_mods::default_mods_dir()
                    .map(|m| format!(" ({})", m.display()))
                    .unwrap_or_default()
            )
        }
    ))
}
