//! The debugger: breakpoints on nodes (F9 or the node's menu), and the previewed turn paused
//! where one is reached, stepped node by node, with every value computed so far.
//!
//! Nothing runs again to pause: the reference interpreter's trace of the previewed turn (the
//! compiled module's turn, byte for byte, by the differential test) is the turn, and pausing is
//! a cursor in it (`aether_lang::explain`). So stepping backwards or running again costs
//! nothing, and what the debugger shows is exactly what the game would run.

use std::collections::BTreeSet;

use aether_lang::explain::{self, Cursor, Why};
use aether_lang::graph::{NodeId, VisualScriptGraph};
use aether_lang::interp::TraceEvent;
use egui::{Color32, RichText};

/// What the debugger panel asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebugAction {
    /// From the start to the first breakpoint.
    Run,
    /// To the next breakpoint.
    Continue,
    /// To the next node, into a loop's body.
    StepInto,
    /// To the next node, over a loop's iterations.
    StepOver,
    /// Stop pausing.
    Stop,
    /// Select this node and bring it into view (the one a "why not?" points to).
    Show(NodeId),
}

/// The debugger's state.
#[derive(Debug)]
pub struct Debugger {
    /// Nodes the turn pauses before.
    pub breakpoints: BTreeSet<NodeId>,
    /// Where the paused turn stands, if paused.
    pub cursor: Option<Cursor>,
    /// What the last action found, in words.
    pub message: Option<String>,
    /// The preview the cursor belongs to (a new preview unpauses).
    pub turn: Option<(u64, usize)>,
    /// What is paused, in words: "turn" (an AI's) or "event" (a world script's).
    pub noun: &'static str,
}

impl Default for Debugger {
    fn default() -> Self {
        Self {
            breakpoints: BTreeSet::new(),
            cursor: None,
            message: None,
            turn: None,
            noun: "turn",
        }
    }
}

impl Debugger {
    /// Adds or removes a breakpoint on `node`.
    pub fn toggle(&mut self, node: NodeId) {
        if !self.breakpoints.remove(&node) {
            self.breakpoints.insert(node);
        }
    }

    /// Forgets the pause when the previewed turn is another one.
    pub fn follow(&mut self, turn: Option<(u64, usize)>) {
        if turn != self.turn {
            self.turn = turn;
            self.cursor = None;
        }
    }

    /// The node the turn is paused before.
    pub fn paused_at(&self, trace: &[TraceEvent]) -> Option<NodeId> {
        match trace.get(self.cursor?) {
            Some(TraceEvent::Ran(n)) => Some(*n),
            _ => None,
        }
    }

    /// Carries out `action` on the turn `trace` records.
    pub fn apply(&mut self, action: DebugAction, graph: &VisualScriptGraph, trace: &[TraceEvent]) {
        let next = match action {
            DebugAction::Run => explain::run_to_breakpoint(trace, None, &self.breakpoints),
            DebugAction::Continue => {
                explain::run_to_breakpoint(trace, self.cursor, &self.breakpoints)
            }
            DebugAction::StepInto => self.cursor.and_then(|c| explain::step_into(trace, c)),
            DebugAction::StepOver => self
                .cursor
                .and_then(|c| explain::step_over(graph, trace, c)),
            DebugAction::Stop => {
                self.cursor = None;
                self.message = None;
                return;
            }
            DebugAction::Show(_) => return,
        };
        self.message = match next {
            Some(_) => None,
            None if self.breakpoints.is_empty() => {
                Some("No breakpoint: select a node and press F9 to pause before it.".into())
            }
            None => Some(format!("The {} ran to its end.", self.noun)),
        };
        self.cursor = next;
    }

    /// How many times `node` had run before the cursor, counting this one.
    fn times(&self, trace: &[TraceEvent], node: NodeId) -> usize {
        let Some(c) = self.cursor else { return 0 };
        trace
            .iter()
            .take(c + 1)
            .filter(|e| matches!(e, TraceEvent::Ran(n) if *n == node))
            .count()
    }

    /// Draws the panel (under the previewed turn); returns what to do. `why` is the selected
    /// node's "why not?" in the previewed turn, when it has one.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        graph: &VisualScriptGraph,
        trace: Option<&[TraceEvent]>,
        why: Option<(NodeId, &Why)>,
    ) -> Option<DebugAction> {
        let mut action = None;
        egui::CollapsingHeader::new("Debugger")
            .id_salt("debugger")
            .default_open(true)
            .show(ui, |ui| {
                let name = |n: NodeId| {
                    graph
                        .node(n)
                        .and_then(|x| aether_lang::catalog::spec(&x.kind))
                        .map_or("node", |s| s.name)
                };
                if self.breakpoints.is_empty() {
                    ui.label(
                        RichText::new(format!(
                            "Select a node and press F9 (or click the ring in its title) to \
                             pause the {} before it.",
                            self.noun
                        ))
                        .small(),
                    );
                } else {
                    let list: Vec<String> = self
                        .breakpoints
                        .iter()
                        .map(|n| format!("{} {n}", name(*n)))
                        .collect();
                    ui.label(RichText::new(format!("Breakpoints: {}", list.join(", "))).small());
                }
                let Some(trace) = trace else {
                    ui.label(RichText::new(format!("No {} to pause yet.", self.noun)).small());
                    return;
                };
                if let Some((node, why)) = why {
                    why_box(ui, graph, node, why, &mut action);
                }
                ui.horizontal_wrapped(|ui| {
                    let paused = self.cursor.is_some();
                    if ui
                        .button(if paused {
                            "↺ Run again"
                        } else {
                            "▶ Run to breakpoint"
                        })
                        .clicked()
                    {
                        action = Some(DebugAction::Run);
                    }
                    if ui
                        .add_enabled(paused, egui::Button::new("Continue"))
                        .clicked()
                    {
                        action = Some(DebugAction::Continue);
                    }
                    if ui
                        .add_enabled(paused, egui::Button::new("Step over"))
                        .on_hover_text("To the next node; past a loop's iterations")
                        .clicked()
                    {
                        action = Some(DebugAction::StepOver);
                    }
                    if ui
                        .add_enabled(paused, egui::Button::new("Step into"))
                        .on_hover_text("To the next node; into a loop's body")
                        .clicked()
                    {
                        action = Some(DebugAction::StepInto);
                    }
                    if ui.add_enabled(paused, egui::Button::new("Stop")).clicked() {
                        action = Some(DebugAction::Stop);
                    }
                });
                if let Some(n) = self.paused_at(trace) {
                    let times = self.times(trace, n);
                    ui.colored_label(
                        Color32::from_rgb(250, 210, 90),
                        format!(
                            "Paused before {} {n} (time {times} it runs this {}). Hover the \
                             ports to read every value so far.",
                            name(n),
                            self.noun
                        ),
                    );
                }
                if let Some(m) = &self.message {
                    ui.label(m);
                }
            });
        action
    }
}

/// "Why not?" for the selected node: what the turn did instead, and a button to the node where
/// the answer lies.
fn why_box(
    ui: &mut egui::Ui,
    graph: &VisualScriptGraph,
    node: NodeId,
    why: &Why,
    action: &mut Option<DebugAction>,
) {
    let name = |n: NodeId| {
        graph
            .node(n)
            .and_then(|x| aether_lang::catalog::spec(&x.kind))
            .map_or("node", |s| s.name)
    };
    egui::Frame::group(ui.style())
        .fill(Color32::from_rgb(60, 45, 30))
        .show(ui, |ui| {
            ui.label(
                RichText::new(format!("Why not? ({} {node}, selected)", name(node)))
                    .strong()
                    .color(Color32::from_rgb(250, 200, 120)),
            );
            ui.label(&why.text);
            if let Some(c) = why.culprit.filter(|c| *c != node)
                && ui
                    .button(format!("Show {} {c}", name(c)))
                    .on_hover_text("Select it on the canvas; hover its ports to read its values")
                    .clicked()
            {
                *action = Some(DebugAction::Show(c));
            }
        });
}
