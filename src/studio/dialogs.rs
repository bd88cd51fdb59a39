//! The studio's own dialogs: unsaved changes (save, don't, cancel), recovering an autosave, an
//! error, the Getting started and About windows. Each answer comes back as a
//! [`DialogAction`] for the shell to carry out; the dialogs hold only what they show.

use super::commands::KEYMAP;
use super::file_actions::Then;
use super::files::{self, Autosave};

/// What the user answered.
#[derive(Clone, Debug)]
pub(super) enum DialogAction {
    /// Save to the document's file, then do this if it saved.
    SaveThen(Then),
    /// Ask where to save, then do this if it saved.
    SaveAsThen(Then),
    /// Do this without saving.
    Proceed(Then),
    /// Open the autosave as the document.
    Recover(Autosave),
    /// Throw the autosave away.
    Discard,
}

/// The dialogs and whether each is open.
#[derive(Debug, Default)]
pub(super) struct Dialogs {
    /// Unsaved changes: what waits for the answer.
    pub confirm: Option<Then>,
    /// An autosave found at start.
    pub recovery: Option<Autosave>,
    /// An error to show.
    pub error: Option<String>,
    /// The Getting started window is open.
    pub help: bool,
    /// The About window is open.
    pub about: bool,
}

impl Dialogs {
    /// A modal dialog (a question, recovery, an error) has the keyboard and covers the canvas.
    pub(super) fn modal(&self) -> bool {
        self.confirm.is_some() || self.recovery.is_some() || self.error.is_some()
    }

    /// A dialog or window is over the canvas.
    pub(super) fn covering(&self) -> bool {
        self.modal() || self.help || self.about
    }

    /// Draws the open dialogs; `title` is the document's, `has_file` whether it has a file.
    pub(super) fn ui(
        &mut self,
        ctx: &egui::Context,
        title: &str,
        has_file: bool,
    ) -> Option<DialogAction> {
        let mut action = None;
        if let Some(then) = self.confirm.clone() {
            egui::Modal::new(egui::Id::new("confirm")).show(ctx, |ui| {
                ui.heading("Unsaved changes");
                ui.label(format!("Save the changes to {title} first?"));
                ui.horizontal(|ui| {
                    if has_file {
                        if ui.button("Save").clicked() {
                            self.confirm = None;
                            action = Some(DialogAction::SaveThen(then.clone()));
                        }
                    } else if ui.button("Save as…").clicked() {
                        self.confirm = None;
                        action = Some(DialogAction::SaveAsThen(then.clone()));
                    }
                    if ui.button("Don't save").clicked() {
                        self.confirm = None;
                        action = Some(DialogAction::Proceed(then.clone()));
                    }
                    if ui.button("Cancel").clicked() {
                        self.confirm = None;
                    }
                });
            });
        }
        if let Some(found) = self.recovery.clone() {
            egui::Modal::new(egui::Id::new("recover")).show(ctx, |ui| {
                ui.heading("Recover unsaved work?");
                ui.label(format!(
                    "The studio did not close normally last time. An autosave of {} from {} is there.",
                    found
                        .original
                        .as_ref()
                        .map_or("an unsaved graph".to_owned(), |p| p.display().to_string()),
                    ago(found.written)
                ));
                ui.horizontal(|ui| {
                    if ui.button("Recover").clicked() {
                        self.recovery = None;
                        action = Some(DialogAction::Recover(found.clone()));
                    }
                    if ui.button("Discard").clicked() {
                        self.recovery = None;
                        action = Some(DialogAction::Discard);
                    }
                });
            });
        }
        if let Some(e) = self.error.clone() {
            egui::Modal::new(egui::Id::new("error")).show(ctx, |ui| {
                ui.set_max_width(520.0);
                ui.heading("Something went wrong");
                ui.label(e);
                if ui.button("OK").clicked() {
                    self.error = None;
                }
            });
        }
        if self.help {
            let mut open = true;
            egui::Window::new("Getting started")
                .open(&mut open)
                .show(ctx, |ui| {
                    ui.label(HELP);
                    ui.separator();
                    keys_ui(ui);
                });
            self.help = open;
        }
        if self.about {
            let mut open = true;
            egui::Window::new("About Creator Studio")
                .open(&mut open)
                .default_width(520.0)
                .show(ctx, |ui| {
                    for line in crate::about::text().lines() {
                        ui.label(line);
                    }
                });
            self.about = open;
        }
        action
    }
}

/// The keyboard map as a table: keys, command, what it does.
fn keys_ui(ui: &mut egui::Ui) {
    ui.strong("Keys");
    egui::Grid::new("keys").striped(true).show(ui, |ui| {
        for b in KEYMAP.iter().filter(|b| !b.shortcut.is_empty()) {
            ui.monospace(b.shortcut);
            ui.label(b.label);
            ui.weak(b.help);
            ui.end_row();
        }
    });
}

/// "a minute ago", "12 minutes ago", "3 hours ago".
fn ago(written: u64) -> String {
    let secs = files::now_secs().saturating_sub(written);
    match secs {
        0..=89 => "a minute ago".into(),
        90..=5399 => format!("{} minutes ago", secs / 60),
        _ => format!("{} hours ago", secs / 3600),
    }
}

const HELP: &str = "\
Build an AI: the graph runs from On Turn every turn.
• Add nodes from the palette on the left (type to search, Enter adds), by right-clicking the canvas, \
or by dragging a wire from a port into empty space (only nodes that fit are offered).
• Connect ports by dragging from one to another; colours are types, and only matching types connect. \
White wires are the order things happen in.
• Type numbers and tick boxes on the nodes; pick settings from their lists.
• Select with a click, Shift+click or a box drag; Del deletes, Ctrl+D duplicates, Ctrl+C / Ctrl+V copy \
and paste (also between graphs), Ctrl+Z / Ctrl+Shift+Z undo and redo.
• Wheel zooms, middle-drag or Shift+wheel pans, F frames everything.
• Problems below the canvas: click one to jump to its node. The preview on the right replays the \
turn after every edit; Next turn steps the match.
• File > Export mod writes a folder the game loads.";
