//! The duel lab's *Tune numbers…*: searches the numbers typed on the edited graph's nodes for
//! the best score against the lab's opponent (`aether_ladder::tune`, on this machine's cores),
//! shows the search as it goes (duels played, the best so far) with a Cancel, then the held-out
//! check beside the graph's own numbers, and applies the tuned numbers as one undoable edit
//! that lists each change.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use aether_base::text::group_digits;
use aether_ladder::tune::{Maps, Record, TuneProgress, TuneReport};
use aether_lang::VisualScriptGraph;
use aether_lang::graph::{NodeId, Value};
use egui::{Color32, RichText};

/// Shared with a running search: where it stands, and the cancel flag.
#[derive(Clone, Debug, Default)]
pub struct TuneShared {
    /// The last progress the search told.
    pub progress: Arc<Mutex<Option<TuneProgress>>>,
    /// Set to stop.
    pub cancel: Arc<AtomicBool>,
}

/// What the search is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TuneSettings {
    /// Seeds the search plays.
    pub seeds: u64,
    /// Seeds the best setting is checked on.
    pub held_out: u64,
    /// Duels the search may play.
    pub budget: u64,
    /// Each seed on its own generated map.
    pub generated: bool,
}

impl Default for TuneSettings {
    fn default() -> Self {
        Self {
            seeds: 10,
            held_out: 20,
            budget: 2_000,
            generated: true,
        }
    }
}

impl TuneSettings {
    /// The maps, as the core names them.
    pub fn maps(&self) -> Maps {
        if self.generated {
            Maps::Generated
        } else {
            Maps::Scenario
        }
    }
}

/// What the panel asks of the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TuneIntent {
    /// Start a search with these settings.
    Start(TuneSettings),
    /// Write the tuned numbers into the graph.
    Apply,
}

/// One number the tuning changes: the node, the input, its label, old and new value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberChange {
    /// The node.
    pub node: NodeId,
    /// The input's key.
    pub port: String,
    /// In words ("Compare (node 9), B").
    pub label: String,
    /// Before.
    pub old: i32,
    /// After.
    pub new: i32,
}

/// The panel's state.
#[derive(Debug, Default)]
pub struct TunePanel {
    /// Whether it is shown.
    pub open: bool,
    /// The settings of the next search.
    pub settings: TuneSettings,
    /// The running search, if any.
    pub running: Option<TuneShared>,
    /// The graph as it was when the search started (the report's numbers are about it).
    pub tuned_from: Option<VisualScriptGraph>,
    /// The last finished search.
    pub report: Option<TuneReport>,
    /// What went wrong last, in words.
    pub error: Option<String>,
    /// What applying did, in words.
    pub applied: Option<String>,
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn record_line(label: &str, r: &Record) -> String {
    let (low, high) = r.wilson();
    format!(
        "{label}: won {} of {} ({}), 95% range {} to {}",
        r.wins,
        r.games(),
        percent(f64::from(r.wins) / f64::from(r.games().max(1))),
        percent(low),
        percent(high)
    )
}

impl TunePanel {
    /// Whether a search is running.
    pub fn busy(&self) -> bool {
        self.running.is_some()
    }

    /// A search starts on `graph`: returns what to share with it.
    pub fn started(&mut self, graph: &VisualScriptGraph) -> TuneShared {
        let shared = TuneShared::default();
        self.running = Some(shared.clone());
        self.tuned_from = Some(graph.clone());
        self.report = None;
        self.error = None;
        self.applied = None;
        shared
    }

    /// The search ended.
    pub fn finished(&mut self, result: Result<TuneReport, String>) {
        self.running = None;
        match result {
            Ok(r) => self.report = Some(r),
            Err(e) => self.error = Some(e),
        }
    }

    /// The changes to apply to `graph`: the report's, when `graph` is still the graph that
    /// was tuned; an error in words otherwise.
    pub fn changes_for(&self, graph: &VisualScriptGraph) -> Result<Vec<NumberChange>, String> {
        let Some(report) = &self.report else {
            return Err("Nothing to apply: tune first.".into());
        };
        if self.tuned_from.as_ref() != Some(graph) {
            return Err(
                "The graph changed since it was tuned: tune again to apply numbers to it.".into(),
            );
        }
        Ok(report
            .changes()
            .into_iter()
            .map(|(t, old, new)| NumberChange {
                node: t.node,
                port: t.port.clone(),
                label: t.label.clone(),
                old,
                new,
            })
            .collect())
    }

    /// Writes `changes` into `graph` (the studio calls this inside one undoable edit).
    pub fn apply(graph: &mut VisualScriptGraph, changes: &[NumberChange]) {
        for c in changes {
            graph.set_value(c.node, c.port.clone(), Value::Number(c.new));
        }
    }

    /// Draws the panel; `idle`: nothing else runs and the graph can play.
    pub fn ui(&mut self, ui: &mut egui::Ui, idle: bool) -> Option<TuneIntent> {
        let mut intent = None;
        ui.label(RichText::new("Tune numbers").strong());
        ui.label(
            RichText::new(
                "Tries other values for the numbers typed on your nodes, each against the \
                 opponent over many seeds, then checks the best on seeds it never tried.",
            )
            .small(),
        );
        let busy = self.busy();
        ui.add_enabled_ui(!busy, |ui| {
            ui.horizontal(|ui| {
                ui.label("Seeds");
                ui.add(egui::DragValue::new(&mut self.settings.seeds).range(1..=10_000))
                    .on_hover_text("Seeds each setting plays, from both sides");
                ui.label("checked on");
                ui.add(egui::DragValue::new(&mut self.settings.held_out).range(1..=100_000))
                    .on_hover_text("Fresh seeds the best setting is checked on at the end");
            });
            ui.horizontal(|ui| {
                ui.label("Duels to spend");
                ui.add(
                    egui::DragValue::new(&mut self.settings.budget)
                        .range(10..=10_000_000)
                        .speed(100),
                );
                ui.checkbox(&mut self.settings.generated, "A new map for each seed")
                    .on_hover_text(
                        "Play each seed on its own map, made like the chosen one, so the numbers \
                         are not tuned to one map",
                    );
            });
        });
        ui.horizontal(|ui| {
            if ui
                .add_enabled(idle && !busy, egui::Button::new("Start tuning"))
                .on_hover_text(
                    "Search for better numbers (your graph is not changed until you apply)",
                )
                .clicked()
            {
                intent = Some(TuneIntent::Start(self.settings));
            }
            if let Some(shared) = &self.running
                && ui.button("Cancel").clicked()
            {
                shared.cancel.store(true, Ordering::Relaxed);
            }
        });
        if let Some(shared) = &self.running {
            let p = shared.progress.lock().ok().and_then(|p| p.clone());
            let cancelling = shared.cancel.load(Ordering::Relaxed);
            match p {
                Some(p) => {
                    let text = if cancelling {
                        "Cancelling… (the duels under way finish first)".to_owned()
                    } else if p.checking {
                        "Checking the best on fresh seeds…".to_owned()
                    } else {
                        format!(
                            "{} of {} duels, {} settings tried",
                            group_digits(p.duels),
                            group_digits(p.budget),
                            p.candidates
                        )
                    };
                    let fraction = if p.checking {
                        1.0
                    } else {
                        p.duels as f32 / p.budget.max(1) as f32
                    };
                    ui.add(egui::ProgressBar::new(fraction).text(text));
                    if let (Some(start), Some(best)) = (&p.start, &p.best) {
                        ui.label(format!(
                            "Best so far: {} (your numbers: {})",
                            percent(best.record.score()),
                            percent(start.record.score())
                        ));
                    }
                }
                None => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Starting…");
                    });
                }
            }
        }
        if let Some(e) = &self.error {
            ui.colored_label(
                Color32::from_rgb(255, 110, 110),
                aether_base::text::escape_output(e).as_ref(),
            );
        }
        if let Some(r) = &self.report {
            let changes = r.changes();
            ui.label(format!(
                "Tried {} settings in {} duels. On the seeds searched (draws count half), your \
                 numbers scored {}, the best {}.",
                r.candidates,
                group_digits(r.duels),
                percent(r.start.record.score()),
                percent(r.best.record.score())
            ));
            if changes.is_empty() {
                ui.label("No setting beat your numbers.");
            } else {
                ui.label("The best setting changes:");
                for (t, old, new) in &changes {
                    ui.label(format!("  {}: {old} to {new}", t.label));
                }
            }
            ui.label(record_line(
                "On fresh seeds, your numbers",
                &r.held_out_before,
            ));
            if !changes.is_empty() {
                ui.label(record_line("On fresh seeds, tuned", &r.held_out_after));
            }
            if let Some(note) = r.repetition_note() {
                ui.colored_label(Color32::from_rgb(240, 190, 60), note);
            }
            if r.improved() {
                ui.colored_label(
                    Color32::from_rgb(120, 220, 120),
                    "The tuned numbers do better on fresh seeds: the low end of their 95% range is above yours.",
                );
                if ui
                    .add_enabled(!busy, egui::Button::new("Apply tuned numbers"))
                    .on_hover_text("Write them into your graph as one step (Undo takes it back)")
                    .clicked()
                {
                    intent = Some(TuneIntent::Apply);
                }
            } else if !changes.is_empty() {
                ui.label(
                    "The tuned numbers did not do better on fresh seeds: your graph is left as it is.",
                );
            }
        }
        if let Some(a) = &self.applied {
            ui.label(RichText::new(a).small());
        }
        intent
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use aether_ladder::tune::{Scored, Stop};

    fn report_for(graph: &VisualScriptGraph, bump: usize) -> TuneReport {
        let tunables = aether_lang::tune::tunables(graph);
        let start: Vec<i32> = tunables.iter().map(|t| t.value).collect();
        let mut best = start.clone();
        best[bump] = tunables[bump].high;
        TuneReport {
            tunables,
            start: Scored {
                values: start,
                record: Record::default(),
            },
            best: Scored {
                values: best,
                record: Record::default(),
            },
            candidates: 2,
            duels: 40,
            stop: Stop::Budget,
            held_out_before: Record::default(),
            held_out_after: Record::default(),
            held_out_distinct: (0, 0),
        }
    }

    /// The numbers apply only to the graph that was tuned; an edit since is said, not
    /// overwritten.
    #[test]
    fn tuned_numbers_apply_only_to_the_graph_that_was_tuned() {
        let graph = crate::studio::template(4);
        let mut panel = TunePanel::default();
        let _ = panel.started(&graph);
        panel.finished(Ok(report_for(&graph, 0)));
        let changes = panel.changes_for(&graph).unwrap();
        assert_eq!(changes.len(), 1);
        let mut tuned = graph.clone();
        TunePanel::apply(&mut tuned, &changes);
        assert_eq!(
            tuned
                .node(changes[0].node)
                .unwrap()
                .values
                .get(&changes[0].port),
            Some(&Value::Number(changes[0].new))
        );
        let mut edited = graph.clone();
        let first = edited.nodes().next().unwrap().id;
        edited.remove_node(first);
        let e = panel.changes_for(&edited).unwrap_err();
        assert!(e.contains("changed since it was tuned"), "{e}");
        assert!(TunePanel::default().changes_for(&graph).is_err());
    }
}
