//! Find (Ctrl+F): a bar over the canvas that finds nodes (by name, number or the text typed on
//! them), variables (with every node that uses them) and comments, over the core graph
//! (`aether_lang::find`). Enter goes to the next match; a click on one goes there.

use aether_lang::VisualScriptGraph;
use aether_lang::find::{Match, find};
use egui::{Color32, RichText};

/// Most matches listed under the bar.
const LISTED: usize = 12;

/// The find bar's state.
#[derive(Debug, Default)]
pub struct FindBar {
    /// Whether the bar shows.
    pub open: bool,
    /// The text looked for.
    pub query: String,
    /// The matches for `query` in the graph as it was at `searched`.
    results: Vec<Match>,
    /// The query and graph version the results are for.
    searched: Option<(String, u64)>,
    /// The match shown last.
    current: Option<usize>,
    /// Put the keyboard in the text box at the next frame.
    focus: bool,
}

impl FindBar {
    /// Shows the bar with the keyboard in its text box (the text selected).
    pub fn open(&mut self) {
        self.open = true;
        self.focus = true;
    }

    /// Shows the bar looking for `query`.
    pub fn open_with(&mut self, query: &str) {
        self.query = query.to_owned();
        self.current = None;
        self.open();
    }

    /// The matches (for tests and the list).
    pub fn results(&self) -> &[Match] {
        &self.results
    }

    fn refresh(&mut self, graph: &VisualScriptGraph, version: u64) {
        let key = (self.query.clone(), version);
        if self.searched.as_ref() != Some(&key) {
            if self.searched.as_ref().map(|(q, _)| q) != Some(&self.query) {
                self.current = None;
            }
            self.results = find(graph, &self.query);
            self.searched = Some(key);
        }
    }

    /// The next match after the one shown (the first at first), to show.
    pub fn next(&mut self, graph: &VisualScriptGraph, version: u64) -> Option<Match> {
        self.refresh(graph, version);
        if self.results.is_empty() {
            return None;
        }
        let i = self.current.map_or(0, |c| (c + 1) % self.results.len());
        self.current = Some(i);
        self.results.get(i).cloned()
    }

    /// Draws the bar at the top of `area` (the canvas); returns a match to show.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        area: egui::Rect,
        graph: &VisualScriptGraph,
        version: u64,
    ) -> Option<Match> {
        if !self.open {
            return None;
        }
        self.refresh(graph, version);
        let mut show = None;
        let mut close = false;
        let at = egui::pos2(area.center().x - 210.0, area.top() + 8.0);
        egui::Area::new(egui::Id::new("find-bar"))
            .fixed_pos(at)
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_width(420.0);
                    ui.horizontal(|ui| {
                        let label = ui.label("Find in graph");
                        let edit = egui::TextEdit::singleline(&mut self.query)
                            .id(egui::Id::new("find-query"))
                            .hint_text("a node, a variable or a comment")
                            .desired_width(200.0);
                        let r = super::palette::search_box(ui, edit, label.id).on_hover_text(
                            "Node names or numbers (#12), text typed on nodes, variable names, \
                             comments. Enter: the next match. Esc: close",
                        );
                        if self.focus {
                            r.request_focus();
                            self.focus = false;
                        }
                        if r.changed() {
                            self.refresh(graph, version);
                        }
                        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                        if enter {
                            show = self.next(graph, version);
                            r.request_focus();
                        }
                        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                            close = true;
                        }
                        let count = match (self.current, self.results.len()) {
                            (_, 0) if self.query.trim().is_empty() => String::new(),
                            (_, 0) => "nothing".into(),
                            (Some(c), n) => format!("{} of {n}", c + 1),
                            (None, n) => format!("{n} found"),
                        };
                        ui.label(RichText::new(count).small());
                        if ui.small_button("✖").on_hover_text("Close (Esc)").clicked() {
                            close = true;
                        }
                    });
                    for (i, m) in self.results.iter().enumerate().take(LISTED) {
                        let text = RichText::new(&m.label);
                        let text = if Some(i) == self.current {
                            text.color(Color32::from_rgb(250, 210, 90))
                        } else {
                            text
                        };
                        if ui
                            .add(egui::Button::new(text).frame(false))
                            .on_hover_text("Go there")
                            .clicked()
                        {
                            self.current = Some(i);
                            show = Some(m.clone());
                        }
                    }
                    if self.results.len() > LISTED {
                        ui.weak(format!("… and {} more", self.results.len() - LISTED));
                    }
                });
            });
        if close {
            self.open = false;
        }
        show
    }
}
