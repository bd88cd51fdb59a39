//! Inside the edited world script: the events it answered in the last seconds of the running
//! world, each seen from inside (every port's value, the nodes that ran), so the canvas, the
//! "why not?" and the debugger work on world scripts as they do on an AI's turn.
//!
//! The world's thread journals what the compiled script really did and plays it back through
//! the interpreter ([`aether_world::journal`]); this module keeps the latest of
//! those event traces, lets the creator pick one (or follow the newest), and draws that choice.

use std::collections::VecDeque;

use aether_debug::journal::EventTrace;
use aether_lang::graph::{NodeId, VisualScriptGraph};
use aether_lang::interp::{TraceEvent, Val};
use aether_world_types::WorldEvent;
use egui::{Color32, RichText};

use super::canvas::Canvas;
use super::debugger::{DebugAction, Debugger};
use super::preview::marks::MarksKey;
use super::preview::values_with;

/// How many answered events are kept.
pub const KEEP: usize = 60;

/// The events the edited graph answered lately, one picked.
#[derive(Debug, Default)]
pub struct WorldInside {
    /// Newest last, each with its sequence number.
    events: VecDeque<(u64, EventTrace)>,
    /// The next sequence number.
    next: u64,
    /// The event picked (by sequence number); `None` follows the newest.
    pub picked: Option<u64>,
    /// Whether to show where the event's fuel went, node by node.
    pub show_fuel: bool,
}

impl WorldInside {
    /// Forgets every event (the graph was swapped or the world restarted).
    pub fn clear(&mut self) {
        self.events.clear();
        self.picked = None;
    }

    /// Takes in the events of a tick (only those where some node ran are kept); returns the
    /// sequence numbers given to them.
    pub fn take(&mut self, events: Vec<EventTrace>) -> Vec<u64> {
        let mut seqs = Vec::new();
        for e in events {
            if !e.trace.iter().any(|t| matches!(t, TraceEvent::Ran(_))) {
                continue;
            }
            let seq = self.next;
            self.next += 1;
            self.events.push_back((seq, e));
            seqs.push(seq);
        }
        while self.events.len() > KEEP {
            self.events.pop_front();
        }
        seqs
    }

    /// How many events are kept.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The event `seq`, if still kept.
    pub fn get(&self, seq: u64) -> Option<&EventTrace> {
        self.events.iter().find(|(s, _)| *s == seq).map(|(_, e)| e)
    }

    /// The event shown: the picked one while it is kept, else the newest; with its number.
    pub fn shown(&self) -> Option<(u64, &EventTrace)> {
        let picked = self
            .picked
            .and_then(|p| self.events.iter().find(|(s, _)| *s == p));
        picked.or(self.events.back()).map(|(s, e)| (*s, e))
    }

    /// The first of `seqs` in which one of `breakpoints` ran.
    pub fn hit(
        &self,
        seqs: &[u64],
        breakpoints: &std::collections::BTreeSet<NodeId>,
    ) -> Option<u64> {
        seqs.iter().copied().find(|s| {
            self.get(*s).is_some_and(|e| {
                e.trace
                    .iter()
                    .any(|t| matches!(t, TraceEvent::Ran(n) if breakpoints.contains(n)))
            })
        })
    }

    /// Each node's fuel in the event shown and its share of the event's, when measured and
    /// asked for (the canvas's heat marks).
    pub fn heat(&self) -> std::collections::BTreeMap<NodeId, (u64, f32)> {
        match self.shown().map(|(_, e)| (e, &e.profile)) {
            Some((e, Some(Ok(p)))) if self.show_fuel => p
                .nodes
                .iter()
                .map(|(n, f)| (*n, (*f, *f as f32 / e.fuel.max(1) as f32)))
                .collect(),
            _ => Default::default(),
        }
    }

    /// Draws the section; the canvas shows the chosen event's values.
    pub fn ui(&mut self, ui: &mut egui::Ui, graph: &aether_lang::VisualScriptGraph) {
        egui::CollapsingHeader::new("Inside this graph")
            .id_salt("world-inside")
            .default_open(true)
            .show(ui, |ui| {
                let Some((shown, e)) = self.shown() else {
                    ui.label(
                        RichText::new(
                            "No event has reached this graph's event nodes yet. When one does, \
                             every value it computed shows here and on the canvas.",
                        )
                        .small(),
                    );
                    return;
                };
                let newest = self.events.back().map(|(s, _)| *s);
                let label = |(s, e): &(u64, EventTrace)| {
                    let nodes = e
                        .trace
                        .iter()
                        .filter(|t| matches!(t, TraceEvent::Ran(_)))
                        .count();
                    format!(
                        "tick {} · {} · {nodes} node{} ran{}",
                        e.tick,
                        event_words(&e.event),
                        if nodes == 1 { "" } else { "s" },
                        if Some(*s) == newest { " (newest)" } else { "" }
                    )
                };
                let current = label(&(shown, e.clone()));
                let mut pick = None;
                ui.horizontal(|ui| {
                    ui.label("Event");
                    egui::ComboBox::from_id_salt("world-inside-event")
                        .selected_text(&current)
                        .width(ui.available_width() - 8.0)
                        .show_ui(ui, |ui| {
                            for item in self.events.iter().rev() {
                                if ui.selectable_label(item.0 == shown, label(item)).clicked() {
                                    pick = Some(item.0);
                                }
                            }
                        });
                });
                let mut follow = self.picked.is_none();
                if ui
                    .checkbox(&mut follow, "Follow the newest event")
                    .on_hover_text("Untick to keep looking at one event while the world goes on")
                    .changed()
                {
                    self.picked = if follow { None } else { Some(shown) };
                }
                if let Some(p) = pick {
                    self.picked = Some(p);
                }
                let show_fuel = &mut self.show_fuel;
                ui.checkbox(show_fuel, "Where the fuel goes").on_hover_text(
                    "Each node's share of this event's fuel, counted in an instrumented twin \
                     of the running script; the canvas marks each node with its share. Ticking \
                     it starts the script over, so the twin follows it from its first event",
                );
                let show_fuel = self.show_fuel;
                let Some((_, e)) = self.shown() else { return };
                ui.label(format!(
                    "This event's handler used {} fuel.",
                    aether_base::text::group_digits(e.fuel)
                ));
                if show_fuel {
                    match &e.profile {
                        Some(Ok(p)) => {
                            let mut rows: Vec<(u64, String)> = p
                                .nodes
                                .iter()
                                .map(|(n, f)| {
                                    let name = graph
                                        .node(*n)
                                        .and_then(|x| aether_lang::catalog::spec(&x.kind))
                                        .map_or("node", |s| s.name);
                                    (*f, format!("{name} {n}"))
                                })
                                .collect();
                            rows.push((p.runtime, "reading the event, answering it".into()));
                            super::preview::fuel_rows(ui, "world-fuel-table", rows, p.total);
                        }
                        Some(Err(why)) => {
                            ui.colored_label(
                                Color32::from_rgb(255, 110, 110),
                                aether_base::text::escape_output(why).as_ref(),
                            );
                        }
                        None => {
                            ui.label(RichText::new("Not measured.").small());
                        }
                    }
                }
                if let Some(f) = &e.fault {
                    ui.colored_label(
                        Color32::from_rgb(255, 130, 110),
                        format!("This event's handler stopped: {f}."),
                    );
                }
                if let Some(p) = &e.parted {
                    ui.colored_label(
                        Color32::from_rgb(240, 190, 60),
                        format!(
                            "The values after this point are not certain: {p}. Please report it \
                             with the graph."
                        ),
                    );
                }
                ui.label(
                    RichText::new(
                        "Hover a port to read its value in this event; select a node to see why \
                         it did not run; set a breakpoint (F9, or the dot on a node) and the \
                         world pauses when the graph reaches it.",
                    )
                    .small(),
                );
            });
    }
}

/// An event in a few words ("On Timer", "Entity Spawned #7").
pub fn event_words(e: &WorldEvent) -> String {
    match e {
        WorldEvent::Start => "On Start".into(),
        WorldEvent::Tick { .. } => "On Tick".into(),
        WorldEvent::Timer { .. } => "On Timer".into(),
        WorldEvent::EntitySpawned { entity, kind, .. } => {
            format!("Entity Spawned ({kind} #{})", entity.0)
        }
        WorldEvent::EntityDestroyed { entity } => format!("Entity Destroyed (#{})", entity.0),
        WorldEvent::EnteredArea { entity, .. } => format!("Enter Area (#{})", entity.0),
        WorldEvent::Collision { a, b } => format!("Collision (#{} and #{})", a.0, b.0),
        WorldEvent::Message { from, .. } => format!("Message (from player {})", from.0),
        WorldEvent::PlayerJoined { player, .. } => format!("Player Joined ({})", player.0),
        WorldEvent::PlayerLeft { player } => format!("Player Left ({})", player.0),
        WorldEvent::ScriptMessage { from, .. } => format!("Script Message (from {from})"),
        _ => "an event".into(),
    }
}

/// A world script's value as a creator reads it: an entity with its kind and place (as the
/// world shows it now), a tile, a player.
pub fn describe(v: &Val, entities: &[aether_sample_world::world::EntityView]) -> String {
    match v {
        Val::Entity(Some(id)) => match entities.iter().find(|e| e.id.0 == *id) {
            Some(e) => format!("{} #{id} at ({:.1}, {:.1})", e.kind, e.at.x, e.at.y),
            None => format!("entity #{id} (gone now)"),
        },
        Val::Player(Some(p)) => format!("player {p}"),
        Val::Position(p) if *p != aether_lang::interp::NO_POSITION => {
            format!("({}, {})", p.x, p.y)
        }
        other => other.to_string(),
    }
}

/// For a world script, the canvas's debugging marks from the event on show inside the graph
/// (the newest it answered, or the one picked): every port's value, why a node did not
/// run, the node a paused event stands before and the path to it.
#[allow(clippy::too_many_arguments)]
pub fn show_marks(
    canvas: &mut Canvas,
    debugger: &mut Debugger,
    inside: &WorldInside,
    entities: &[aether_sample_world::world::EntityView],
    graph: &VisualScriptGraph,
    iteration: usize,
    shown_for: &mut Option<MarksKey>,
    break_pending: &mut bool,
) {
    debugger.noun = "event";
    let shown = inside.shown();
    let trace = shown.map(|(_, e)| e.trace.as_slice());
    debugger.follow(shown.map(|(seq, _)| (seq, usize::MAX)));
    if *break_pending && let Some(t) = trace {
        *break_pending = false;
        debugger.apply(DebugAction::Run, graph, t);
    }
    let current = trace.and_then(|t| debugger.paused_at(t));
    canvas.set_debug(&debugger.breakpoints, current);
    canvas.set_heat(inside.heat());
    let key = shown.map(|(seq, _)| (seq, usize::MAX, iteration, usize::MAX, debugger.cursor));
    if key == *shown_for {
        return;
    }
    *shown_for = key;
    let Some(trace) = trace else {
        canvas.set_values(Default::default(), 0);
        canvas.set_why_not(Default::default());
        canvas.set_path(Default::default());
        return;
    };
    let at = debugger.cursor.unwrap_or(trace.len());
    let values = values_with(
        graph,
        &aether_lang::explain::values_before(trace, at),
        &|v| describe(v, entities),
    );
    let iteration = if debugger.cursor.is_some() {
        usize::MAX
    } else {
        iteration
    };
    canvas.set_values(values, iteration);
    let why_not = graph
        .nodes()
        .filter_map(|n| aether_lang::explain::explain(graph, trace, n.id).map(|w| (n.id, w.text)))
        .collect();
    canvas.set_why_not(why_not);
    let path = match debugger.cursor {
        Some(at) => aether_lang::explain::path_before(graph, trace, at),
        None => Default::default(),
    };
    canvas.set_path(path);
}
