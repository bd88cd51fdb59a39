//! The menu bar: File, Edit, View and Help, each entry a [`Command`] whose words and keys come
//! from the keyboard map, then the graph's title, its unsaved state and its identity.

use aether_lang::graph::ScriptKind;
use egui::{Color32, RichText};

use super::Studio;
use super::commands::{Command, binding, menu_label};
use super::file_actions::Then;
use super::templates::{NewGraph, TEMPLATES, WORLD_TEMPLATES};

impl Studio {
    /// A menu entry running `command`; returns whether it was clicked.
    fn entry(&mut self, ui: &mut egui::Ui, command: Command) {
        if ui.button(menu_label(command)).clicked() {
            let ctx = ui.ctx().clone();
            self.run_command(&ctx, command);
        }
    }

    pub(super) fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                ui.menu_button("New", |ui| self.new_menu(ui));
                self.entry(ui, Command::Open);
                ui.menu_button("Open recent", |ui| {
                    if self.session.recent.is_empty() {
                        ui.weak("Nothing yet");
                    }
                    for p in self.session.recent.clone() {
                        // One line each: the file's name first, its folder after (cut at the
                        // menu's edge rather than wrapped in the middle of the path).
                        let name = p.file_name().map_or_else(
                            || p.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        );
                        let folder = p
                            .parent()
                            .map(|d| d.display().to_string())
                            .unwrap_or_default();
                        let entry = egui::Button::new(format!("{name}  —  {folder}"))
                            .wrap_mode(egui::TextWrapMode::Truncate);
                        if ui
                            .add(entry)
                            .on_hover_text(p.display().to_string())
                            .clicked()
                        {
                            self.guarded(Then::Open(p));
                        }
                    }
                });
                ui.separator();
                self.entry(ui, Command::Save);
                self.entry(ui, Command::SaveAs);
                ui.separator();
                self.entry(ui, Command::Export);
                self.entry(ui, Command::Compare);
                ui.separator();
                self.entry(ui, Command::Quit);
            });
            ui.menu_button("Edit", |ui| {
                // Undo and Redo say what they undo, and are greyed out when there is nothing.
                for (command, name) in [
                    (Command::Undo, self.doc.undo_name()),
                    (Command::Redo, self.doc.redo_name()),
                ] {
                    let b = binding(command);
                    let label = name.map(|n| format!("{} {n}  {}", b.label, b.shortcut));
                    let enabled = label.is_some();
                    let button = egui::Button::new(label.unwrap_or(b.label.into()));
                    if ui.add_enabled(enabled, button).clicked() {
                        let ctx = ui.ctx().clone();
                        self.run_command(&ctx, command);
                    }
                }
                ui.separator();
                for command in [
                    Command::Cut,
                    Command::Copy,
                    Command::Paste,
                    Command::Duplicate,
                    Command::MakeFunction,
                    Command::Delete,
                    Command::SelectAll,
                ] {
                    self.entry(ui, command);
                }
                ui.separator();
                self.entry(ui, Command::Comment);
            });
            ui.menu_button("View", |ui| {
                for command in [
                    Command::FrameAll,
                    Command::Zoom100,
                    Command::ZoomIn,
                    Command::ZoomOut,
                ] {
                    self.entry(ui, command);
                }
            });
            ui.menu_button("Help", |ui| {
                self.entry(ui, Command::GettingStarted);
                self.entry(ui, Command::About);
            });
            ui.separator();
            ui.label(RichText::new(self.doc.title()).strong());
            if self.doc.is_dirty() {
                ui.label(RichText::new("• unsaved changes").color(Color32::from_rgb(240, 190, 60)))
                    .on_hover_text("Ctrl+S saves them");
            }
            let g = self.doc.graph();
            ui.label(RichText::new(format!("{} {}", g.name, g.version)).weak());
        });
    }

    /// File > New: every template of both kinds, and an empty graph of each.
    fn new_menu(&mut self, ui: &mut egui::Ui) {
        ui.label(RichText::new("AI controller").weak());
        for (i, (name, _)) in TEMPLATES.iter().enumerate() {
            if ui.button(format!("From template: {name}")).clicked() {
                self.guarded(Then::New(NewGraph::Ai(i)));
            }
        }
        if ui.button("Empty AI controller").clicked() {
            self.guarded(Then::New(NewGraph::Empty(ScriptKind::AiController)));
        }
        ui.separator();
        ui.label(RichText::new("World script").weak());
        for (i, (name, _)) in WORLD_TEMPLATES.iter().enumerate() {
            if ui.button(format!("World template: {name}")).clicked() {
                self.guarded(Then::New(NewGraph::World(i)));
            }
        }
        if ui.button("Empty world script").clicked() {
            self.guarded(Then::New(NewGraph::Empty(ScriptKind::WorldScript)));
        }
    }
}
