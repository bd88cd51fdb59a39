//! The right-hand panel's layout and routing: for a world script, the world preview with the
//! debugger on the event shown inside the graph; for an AI controller, the turn preview (the
//! debugger above it) or the duel lab, by tab.

use super::debugger::DebugAction;
use super::{RightTab, Studio, live};

impl Studio {
    /// The right-hand panel.
    pub(super) fn right_ui(&mut self, ui: &mut egui::Ui) {
        // A solid scroll bar beside the content (a floating one covered the ends of the action
        // lines), and a new turn or sample starts at the top.
        ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
        if self.is_world() {
            egui::ScrollArea::vertical()
                .id_salt("world-panel")
                .show(ui, |ui| self.world_ui(ui));
            return;
        }
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.right_tab, RightTab::Preview, "Turn preview")
                .on_hover_text("One turn of your AI, live as you edit");
            ui.selectable_value(&mut self.right_tab, RightTab::DuelLab, "Duel lab")
                .on_hover_text("Your AI against another: whole games, win rates, replays");
        });
        ui.separator();
        if self.right_tab == RightTab::DuelLab {
            let errors = live::errors_in_words(&self.doc);
            egui::ScrollArea::vertical()
                .id_salt("duel-lab-panel")
                .show(ui, |ui| {
                    let a = self.duel_lab.ui(
                        ui,
                        self.doc.graph(),
                        // A replay names the graph's file only when it holds this graph.
                        self.doc.path.as_deref().filter(|_| !self.doc.is_dirty()),
                        errors.as_deref(),
                    );
                    if let Some(a) = a {
                        self.lab_action(a);
                    }
                });
            return;
        }
        egui::ScrollArea::vertical()
            .id_salt((
                "preview-panel",
                self.preview.sample,
                self.preview.history.len(),
            ))
            .show(ui, |ui| self.turn_ui(ui));
    }

    /// The world preview, with the debugger on the event shown inside the graph.
    fn world_ui(&mut self, ui: &mut egui::Ui) {
        let graph = self.doc.graph();
        let debugger = &mut self.debugger;
        let selected = self.canvas.selection();
        let mut show = None;
        let mut reveal = None;
        let a = self.world.ui(ui, graph, &mut |ui, event| {
            let trace = event.map(|e| e.trace.as_slice());
            let why = match (event, &selected[..]) {
                (Some(e), [n]) => {
                    aether_lang::explain::explain(graph, &e.trace, *n).map(|w| (*n, w))
                }
                _ => None,
            };
            match debugger.ui(ui, graph, trace, why.as_ref().map(|(n, w)| (*n, w))) {
                Some(DebugAction::Show(n)) => show = Some(n),
                Some(a) => {
                    if let Some(t) = trace {
                        debugger.apply(a, graph, t);
                        reveal = debugger.paused_at(t);
                    }
                }
                None => {}
            }
        });
        if let Some(n) = show {
            self.show_node(n);
        }
        // A step stops where the user can see it.
        if let Some(n) = reveal {
            self.go_to_canvas_of(n);
            self.canvas.reveal(n);
        }
        if let Some(a) = a {
            self.world_action(a);
        }
    }

    /// The turn preview, with the debugger first so its buttons stay in view above the map.
    fn turn_ui(&mut self, ui: &mut egui::Ui) {
        let trace = match (&self.preview.shown, &self.preview.stale) {
            (Some((v, _)), None) => Some(v.run_trace.as_slice()),
            _ => None,
        };
        // The selected node's "why not?", when it has one in this turn.
        let selected = self.canvas.selection();
        let why = match (&self.preview.shown, &self.preview.stale, &selected[..]) {
            (Some((v, _)), None, [n]) => v.why_not.get(n).map(|w| (*n, w)),
            _ => None,
        };
        match self.debugger.ui(ui, self.doc.graph(), trace, why) {
            Some(DebugAction::Show(n)) => self.show_node(n),
            Some(a) => {
                if let Some(t) = trace {
                    self.debugger.apply(a, self.doc.graph(), t);
                    // A step stops where the user can see it.
                    if let Some(n) = self.debugger.paused_at(t) {
                        self.go_to_canvas_of(n);
                        self.canvas.reveal(n);
                    }
                }
            }
            None => {}
        }
        if let Some(a) = self.preview.ui(ui) {
            self.preview_action(a);
        }
    }
}
