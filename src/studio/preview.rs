//! The live preview: a worker thread that compiles the graph, loads it in the real host (real
//! caps) and plays one turn twice (determinism), and the panel that shows the result.
//!
//! The UI thread only sends [`Job`]s and reads [`Finished`] results; it never waits. A newer job
//! replaces any older one still queued, so a burst of edits compiles once.

pub mod marks;
mod worker;

pub use worker::{Finished, Job, Outcome, TurnView, Worker, advance, described, values_with};

use std::path::PathBuf;

use std::time::Duration;

use aether_base::text::group_digits;

use aether_host::TurnOutcome;

use aether_lang::Scenario;

use egui::{Color32, RichText};

use mc_tactical_types::TacticalState;

use mc_tactical_types::rules::{self, MatchResult, WinReason};

use super::canvas::heat_color;
use super::map;

use super::opponents::Opponent;

/// A state the preview can play on.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Shown in the picker (`states/battle`, or a file name).
    pub name: String,
    /// The file it came from, if opened from disk.
    pub path: Option<PathBuf>,
    /// The scenario.
    pub scenario: Scenario,
}

/// The samples shipped with the studio (see [`crate::samples`]).
pub fn builtin_samples() -> Vec<Sample> {
    match crate::samples::scenarios() {
        Ok(all) => all
            .into_iter()
            .map(|(name, scenario)| Sample {
                name,
                path: None,
                scenario,
            })
            .collect(),
        Err(e) => {
            eprintln!("warning: {e}");
            Vec::new()
        }
    }
}

/// A measure against its limit: the words, then a thin bar under them (words drawn inside the
/// bar were covered by its fill's rounded start).
pub fn meter(ui: &mut egui::Ui, fraction: f32, words: &str) -> egui::Response {
    ui.vertical(|ui| {
        ui.spacing_mut().item_spacing.y = 2.0;
        ui.label(RichText::new(words).small());
        ui.add(egui::ProgressBar::new(fraction.clamp(0.0, 1.0)).desired_height(6.0));
    })
    .response
}

/// A sample as a creator reads it: its title and how many units each player has
/// (`Skirmish — 5 vs 5`), not its file name.
pub fn sample_label(s: &Sample) -> String {
    let state = &s.scenario.state;
    let sides: Vec<String> = state
        .players
        .iter()
        .map(|p| state.units_of(p.slot).count().to_string())
        .collect();
    let name = aether_base::text::escape_output(&s.scenario.name);
    format!("{name} — {}", sides.join(" vs "))
}

/// The turn's fuel by node, largest first, with the runtime's own part.
fn fuel_table(ui: &mut egui::Ui, t: &aether_debug::TurnTrace) {
    let mut rows: Vec<(u64, String)> = t
        .nodes
        .iter()
        .filter(|n| n.fuel > 0)
        .map(|n| (n.fuel, format!("{} {}", n.name, n.id)))
        .collect();
    rows.push((
        t.runtime_fuel,
        "reading the state and writing the reply".into(),
    ));
    fuel_rows(ui, "fuel-table", rows, t.total_fuel);
}

/// A fuel table: each row's share of `total`, its fuel and what it is, largest first (ten
/// rows, then how many more).
pub fn fuel_rows(ui: &mut egui::Ui, id: &str, mut rows: Vec<(u64, String)>, total: u64) {
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    egui::Grid::new(id)
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for (fuel, what) in rows.iter().take(10) {
                let share = *fuel as f64 * 100.0 / total.max(1) as f64;
                ui.label(
                    RichText::new(format!("{share:.1}%")).color(heat_color(share as f32 / 100.0)),
                );
                ui.label(group_digits(*fuel));
                ui.label(what);
                ui.end_row();
            }
        });
    if rows.len() > 10 {
        ui.label(RichText::new(format!("and {} more nodes", rows.len() - 10)).small());
    }
}

/// A turn's outcome in plain words.
pub fn plain_outcome(outcome: &TurnOutcome) -> String {
    match outcome {
        TurnOutcome::Ok => "The turn finished normally.".into(),
        TurnOutcome::OutOfFuel { fuel } => format!(
            "The AI ran out of fuel: it used all {} units of work allowed in one turn, so the game \
             discards its turn. Look for loops that do more than they need.",
            group_digits(*fuel)
        ),
        TurnOutcome::Deadline { millis } => format!(
            "The AI took longer than {millis} ms, so the game stopped it and discarded its turn."
        ),
        TurnOutcome::MemoryLimit { requested, limit } => format!(
            "The AI needed more memory ({} bytes) than the {} bytes allowed; its turn is discarded.",
            group_digits(*requested),
            group_digits(*limit)
        ),
        TurnOutcome::Trap { message } => {
            format!("The AI crashed ({message}); its turn is discarded.")
        }
        TurnOutcome::BadReturn { value, .. } => format!(
            "The AI reported a reply of impossible length ({value}); its turn is discarded."
        ),
        TurnOutcome::BadReply { message } => {
            format!("The AI's reply could not be read ({message}); its turn is discarded.")
        }
    }
}

/// The match result in words.
pub fn plain_result(result: MatchResult) -> String {
    match result {
        MatchResult::Won { slot, by } => match by {
            WinReason::Elimination => format!("Player {slot} won: everyone else is eliminated."),
            WinReason::TurnLimit => format!("Player {slot} won on total hp at the turn limit."),
        },
        MatchResult::Draw { .. } => "The match is a draw.".into(),
    }
}

/// What the preview panel asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum PreviewAction {
    /// Play again with the current settings.
    Refresh,
    /// Step to the next turn.
    Next,
    /// Go back one step.
    Back,
    /// Return to the sample's first turn.
    Reset,
    /// Open a state file.
    OpenState,
    /// Choose a file to play this slot when stepping.
    ChooseOpponent(u8),
    /// Select this node on the canvas and bring it into view.
    ShowNode(aether_lang::graph::NodeId),
}

/// The preview's settings and what it shows.
#[derive(Debug)]
pub struct Preview {
    /// The states to pick from.
    pub samples: Vec<Sample>,
    /// The picked one.
    pub sample: usize,
    /// The slot the AI plays.
    pub slot: u8,
    /// The seed.
    pub seed: u64,
    /// Who plays each slot when stepping (by slot; the previewed slot's entry is unused).
    pub others: Vec<Opponent>,
    /// States of earlier steps (for Back); the last is the current turn's state.
    pub history: Vec<TacticalState>,
    /// The last turn played on a graph without errors.
    pub shown: Option<(TurnView, u64)>,
    /// The id of the job whose turn `shown` holds: what the canvas's marks are keyed on, so
    /// they follow the turn on screen (after Reset or Back the marks once kept the later
    /// turn's story until something else changed).
    pub shown_job: u64,
    /// Why the shown turn is not the current graph's, if it is not.
    pub stale: Option<String>,
    /// A failure of the compiler or host, in words.
    pub failure: Option<String>,
    /// Whether to measure and show where the turn's fuel goes, node by node.
    pub show_fuel: bool,
    /// Whether the canvas marks each node with its fuel bound.
    pub show_bounds: bool,
    /// Which iteration of a loop hovering a port shows (from 0).
    pub iteration: usize,
    /// Timing of the last compile and load.
    pub timings: (Duration, Duration),
    /// The id of the job whose result is awaited, if any.
    pub waiting: Option<u64>,
    /// How much the map is enlarged beyond fitting its panel (1 = fit).
    pub map_zoom: f32,
}

impl Preview {
    /// A preview of `sample` (by name; the first sample if not found).
    pub fn new(samples: Vec<Sample>, sample: &str) -> Self {
        let index = samples.iter().position(|s| s.name == sample).unwrap_or(0);
        let history = samples
            .get(index)
            .map(|s| vec![s.scenario.state.clone()])
            .unwrap_or_default();
        Self {
            samples,
            sample: index,
            slot: 0,
            seed: 0,
            others: vec![Opponent::ThisAi; 8],
            history,
            shown: None,
            shown_job: 0,
            stale: None,
            failure: None,
            show_fuel: false,
            show_bounds: false,
            iteration: 0,
            timings: (Duration::ZERO, Duration::ZERO),
            waiting: None,
            map_zoom: 1.0,
        }
    }

    /// The state the previewed turn starts from.
    pub fn state(&self) -> Option<&TacticalState> {
        self.history.last()
    }

    /// Picks sample `index` and starts over from its first turn.
    pub fn pick(&mut self, index: usize) {
        if let Some(s) = self.samples.get(index) {
            self.sample = index;
            self.history = vec![s.scenario.state.clone()];
            let players = s.scenario.state.players.len();
            if usize::from(self.slot) >= players {
                self.slot = 0;
            }
        }
    }

    /// Adds a state opened from a file and picks it.
    pub fn add_sample(&mut self, sample: Sample) {
        self.samples.push(sample);
        self.pick(self.samples.len() - 1);
    }

    /// The match result on the current state, if the match is over.
    pub fn result(&self) -> Option<MatchResult> {
        let limit = self
            .samples
            .get(self.sample)
            .and_then(|s| s.scenario.turn_limit)
            .unwrap_or(u32::MAX);
        rules::match_result(self.state()?, limit)
    }

    /// Takes in a finished job.
    pub fn receive(&mut self, done: Finished, current_version: u64) {
        if self.waiting == Some(done.id) {
            self.waiting = None;
        }
        self.timings = (done.compile_time, done.load_time);
        if let Some(next) = done.advanced {
            self.history.push(next);
        }
        match done.outcome {
            Outcome::Turn(view) => {
                self.failure = None;
                self.stale = (done.version != current_version)
                    .then(|| "The graph changed since; updating…".to_owned());
                self.shown_job = done.id;
                self.shown = Some((*view, done.version));
            }
            Outcome::GraphErrors(n) => {
                self.stale = Some(format!(
                    "The graph has {n} error{}: showing the last turn that worked. Fix the \
                     problems listed below the canvas.",
                    if n == 1 { "" } else { "s" }
                ));
            }
            Outcome::Failed(why) => {
                self.failure = Some(why);
                self.stale = Some("Showing the last turn that worked.".into());
            }
        }
    }

    /// Draws the panel; returns what to do.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<PreviewAction> {
        let mut action = None;
        ui.heading("Turn preview");
        egui::Grid::new("preview-settings")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                ui.label("Sample")
                    .on_hover_text("The game state the AI's turn is played on");
                ui.horizontal(|ui| {
                    let current = self
                        .samples
                        .get(self.sample)
                        .map_or("(none)".to_owned(), sample_label);
                    let mut picked = None;
                    egui::ComboBox::from_id_salt("preview-state")
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            for (i, s) in self.samples.iter().enumerate() {
                                if ui
                                    .selectable_label(i == self.sample, sample_label(s))
                                    .on_hover_text(
                                        aether_base::text::escape_output(&s.scenario.description)
                                            .as_ref(),
                                    )
                                    .clicked()
                                {
                                    picked = Some(i);
                                }
                            }
                        });
                    if let Some(i) = picked {
                        self.pick(i);
                        action = Some(PreviewAction::Refresh);
                    }
                    if ui
                        .button("Open…")
                        .on_hover_text("Play on a state or scenario file (JSON)")
                        .clicked()
                    {
                        action = Some(PreviewAction::OpenState);
                    }
                });
                ui.end_row();
                ui.label("Play as").on_hover_text(
                    "Which player's side the AI plays (the game calls it the slot); Seed changes \
                     what Random Number gives",
                );
                ui.horizontal(|ui| {
                    let players = self.state().map_or(1, |s| s.players.len());
                    let before = (self.slot, self.seed);
                    egui::ComboBox::from_id_salt("preview-slot")
                        .selected_text(format!("player {}", self.slot))
                        .show_ui(ui, |ui| {
                            for p in 0..players {
                                let p = u8::try_from(p).unwrap_or(u8::MAX);
                                ui.selectable_value(&mut self.slot, p, format!("player {p}"));
                            }
                        });
                    ui.label("Seed");
                    ui.add(egui::DragValue::new(&mut self.seed));
                    if (self.slot, self.seed) != before {
                        action = Some(PreviewAction::Refresh);
                    }
                });
                ui.end_row();
                let players = self.state().map_or(1, |s| s.players.len());
                if self.others.len() < players {
                    self.others.resize(players, Opponent::ThisAi);
                }
                for p in 0..players {
                    let p = u8::try_from(p).unwrap_or(u8::MAX);
                    if p == self.slot {
                        continue;
                    }
                    let label = ui.label(format!("Player {p}")).on_hover_text(
                        "Who plays this player's turns when you step to the next turn",
                    );
                    let picked = super::opponents::picker(
                        ui,
                        &format!("preview-opponent-{p}"),
                        label.id,
                        &mut self.others[usize::from(p)],
                        true,
                    );
                    if picked.browse {
                        action = Some(PreviewAction::ChooseOpponent(p));
                    }
                    ui.end_row();
                }
            });
        ui.horizontal(|ui| {
            let busy = self.waiting.is_some();
            let over = self.result();
            if ui
                .add_enabled(self.history.len() > 1 && !busy, egui::Button::new("◀ Back"))
                .clicked()
            {
                action = Some(PreviewAction::Back);
            }
            if ui
                .add_enabled(
                    self.shown.is_some() && self.stale.is_none() && !busy && over.is_none(),
                    egui::Button::new("Next turn ▶"),
                )
                .on_hover_text("Apply the accepted actions, let the other players move, and preview this AI's next turn")
                .clicked()
            {
                action = Some(PreviewAction::Next);
            }
            if ui
                .add_enabled(self.history.len() > 1 && !busy, egui::Button::new("Reset"))
                .clicked()
            {
                action = Some(PreviewAction::Reset);
            }
            if busy {
                ui.spinner();
            }
        });
        if let Some(r) = self.result() {
            ui.colored_label(Color32::from_rgb(240, 200, 90), plain_result(r));
        }
        if let Some(why) = &self.failure {
            ui.colored_label(
                Color32::from_rgb(255, 110, 110),
                aether_base::text::escape_output(why).as_ref(),
            );
        }
        let Some((view, _)) = &self.shown else {
            // Nothing shown, so nothing is stale: say why there is no preview instead.
            if self.waiting.is_some() {
                ui.label("Compiling and playing the first turn…");
            } else if let Some(why) = &self.stale {
                ui.label(format!(
                    "No preview yet: {}",
                    why.replace(": showing the last turn that worked.", ".")
                ));
            } else {
                ui.label("No preview yet: the graph has never compiled.");
            }
            return action;
        };
        if let Some(stale) = &self.stale {
            ui.colored_label(
                Color32::from_rgb(240, 190, 60),
                RichText::new(format!("⏸ Stale: {stale}")),
            );
        }
        let r = &view.report;
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!("Turn {} · player {} · {}", r.turn, r.slot, r.ident))
                    .strong(),
            );
            if view.deterministic {
                ui.label(
                    RichText::new("✔ same result on replay")
                        .color(Color32::from_rgb(110, 210, 120)),
                )
                .on_hover_text(
                    "Deterministic: a second, fresh run gave the same reply, byte for byte, so the \
                     game will play exactly this turn",
                );
            } else {
                ui.label(
                    RichText::new("✖ a replay gave another result")
                        .color(Color32::from_rgb(255, 90, 90)),
                )
                .on_hover_text(
                    "Not deterministic: a second, fresh run gave a different reply; the game may \
                     not play what you see here",
                );
            }
        });
        let stale = self.stale.is_some();
        ui.horizontal(|ui| {
            ui.label(RichText::new("Map").small());
            if ui
                .add_enabled(self.map_zoom > 1.0, egui::Button::new("−").small())
                .on_hover_text("Zoom out")
                .clicked()
            {
                self.map_zoom = (self.map_zoom / 1.5).max(1.0);
            }
            ui.label(RichText::new(format!("{:.0}%", self.map_zoom * 100.0)).small());
            if ui
                .add_enabled(self.map_zoom < 6.0, egui::Button::new("+").small())
                .on_hover_text("Zoom in (then scroll the map); hover a tile to read it")
                .clicked()
            {
                self.map_zoom = (self.map_zoom * 1.5).min(6.0);
            }
        });
        if self.map_zoom > 1.0 {
            egui::ScrollArea::both()
                .id_salt("preview-map")
                .max_height(420.0)
                .show(ui, |ui| {
                    map_ui(ui, view, stale, self.map_zoom);
                });
        } else {
            map_ui(ui, view, stale, 1.0);
        }
        let fuel_limit = r.fuel_limit.unwrap_or(1).max(1);
        meter(
            ui,
            r.fuel_used as f32 / fuel_limit as f32,
            &format!(
                "thinking budget used: {} of {} fuel",
                group_digits(r.fuel_used),
                group_digits(fuel_limit)
            ),
        )
        .on_hover_text(
            "Fuel counts the work the AI does in a turn; the game stops an AI that uses it all \
             (its turn then does nothing)",
        );
        if let Some(b) = &view.fuel_bound {
            use aether_base::text::short_number;
            let cap = match b.units_to_cap {
                Some(n) => format!(
                    "over the {} cap from {} units a side on this map",
                    short_number(fuel_limit),
                    group_digits(n)
                ),
                None => format!(
                    "under the {} cap on this map with any number of units",
                    short_number(fuel_limit)
                ),
            };
            ui.label(
                RichText::new(format!(
                    "at most {} fuel with {} units; {cap}",
                    short_number(b.turn),
                    view.before.units.len()
                ))
                .small(),
            )
            .on_hover_text(
                "The compiler's bound: no turn of this graph on a state like this one (as many \
                 units, as large a map, stats no higher) can use more, whatever the units do. It \
                 counts every loop at its longest and every query at its slowest, so real turns \
                 use less. `creator-studio compile` prints it for every sample.",
            );
            ui.checkbox(&mut self.show_bounds, "Fuel bound per node")
                .on_hover_text(
                    "Mark each node with the most fuel one run of it can use on this state (the \
                 queries it calls and the values it pulls included)",
                );
        }
        // The passes of the longest loop: what "iteration k" counts on every port.
        let loops = view.passes.max(1);
        if loops > 1 {
            ui.horizontal(|ui| {
                ui.label("Hover a port to see its value (W pins it); in loops, iteration");
                let mut shown = self.iteration.min(loops - 1) + 1;
                ui.add(egui::DragValue::new(&mut shown).range(1..=loops));
                self.iteration = shown - 1;
                ui.label(format!("of {loops}"));
            });
        } else {
            ui.label(
                RichText::new("Hover a port to see its value in this turn; W pins it.").small(),
            );
        }
        ui.checkbox(&mut self.show_fuel, "Where the fuel goes")
            .on_hover_text(
                "Measure each node's share of this turn's fuel in the real compiled turn; the \
                 canvas marks each node with its share",
            );
        if self.show_fuel {
            match &view.trace {
                Some(Ok(t)) => fuel_table(ui, t),
                Some(Err(why)) => {
                    ui.colored_label(
                        Color32::from_rgb(255, 110, 110),
                        aether_base::text::escape_output(why).as_ref(),
                    );
                }
                None if r.outcome.is_ok() => {
                    ui.label(RichText::new("Measuring…").small());
                }
                None => {
                    ui.label(RichText::new("The turn failed: nothing to measure.").small());
                }
            }
        }
        meter(
            ui,
            r.memory_bytes as f32 / r.memory_limit.max(1) as f32,
            &format!(
                "memory used: {:.2} of {:.0} MiB",
                r.memory_bytes as f64 / 1048576.0,
                r.memory_limit as f64 / 1048576.0
            ),
        )
        .on_hover_text("The memory the AI may use in the game; more is refused");
        ui.label(format!(
            "time {:.3} ms · compile {:.1} ms · load {:.1} ms",
            r.wall_time.as_secs_f64() * 1000.0,
            self.timings.0.as_secs_f64() * 1000.0,
            self.timings.1.as_secs_f64() * 1000.0,
        ));
        let color = if r.outcome.is_ok() {
            Color32::from_rgb(110, 210, 120)
        } else {
            Color32::from_rgb(255, 110, 110)
        };
        ui.colored_label(color, plain_outcome(&r.outcome));
        let accepted = r.accepted_count();
        ui.label(
            RichText::new(format!(
                "Actions: {} proposed, {} accepted, {} rejected",
                r.actions.len(),
                accepted,
                r.actions.len() - accepted
            ))
            .strong(),
        );
        // The list keeps room for several actions however much the sections above take (with
        // "Why not?" open it was squeezed to one line); the panel scrolls past it.
        egui::ScrollArea::vertical()
            .id_salt("preview-actions")
            .min_scrolled_height(180.0)
            .show(ui, |ui| {
                if r.actions.is_empty() {
                    ui.weak("No actions proposed.");
                }
                for (i, a) in r.actions.iter().enumerate() {
                    match &a.verdict {
                        Ok(_) => {
                            ui.label(
                                RichText::new(format!("{}. ✔ {}", i + 1, a.action))
                                    .color(Color32::from_rgb(170, 220, 170)),
                            );
                        }
                        Err(why) => {
                            ui.label(
                                RichText::new(format!(
                                    "{}. ✖ {} — rejected: {why}",
                                    i + 1,
                                    a.action
                                ))
                                .color(Color32::from_rgb(255, 130, 130)),
                            );
                        }
                    }
                }
                // What the graph's action nodes worked out but the rules refused on its copy of
                // the turn: never sent, so absent from the list above.
                let refused = &view.refused;
                if !refused.is_empty() {
                    ui.add_space(4.0);
                    ui.label(
                        RichText::new(format!(
                            "Tried but refused by the rules, so not sent: {}",
                            refused.len()
                        ))
                        .strong(),
                    )
                    .on_hover_text(
                        "Action nodes that ran and worked out an action the rules do not allow. \
                         The AI went on without them (the node's Done was false). Click one to \
                         see the node.",
                    );
                    for (node, text) in refused.iter().take(50) {
                        let row = egui::Button::new(
                            RichText::new(format!("✖ {text}"))
                                .color(Color32::from_rgb(235, 170, 120)),
                        )
                        .frame(false);
                        if ui
                            .add(row)
                            .on_hover_text("Show this node on the canvas, with why it sent nothing")
                            .clicked()
                        {
                            action = Some(PreviewAction::ShowNode(*node));
                        }
                    }
                    if refused.len() > 50 {
                        ui.weak(format!("… and {} more", refused.len() - 50));
                    }
                }
            });
        action
    }
}

/// Draws the map of `view` (the state before the turn, with the turn's actions over it).
/// `zoom` enlarges the map beyond fitting the width it is given (1: fit).
fn map_ui(ui: &mut egui::Ui, view: &TurnView, stale: bool, zoom: f32) -> egui::Response {
    map::turn_map_ui(
        ui,
        &view.before,
        view.report.slot,
        &view.report.actions,
        stale,
        zoom,
    )
}
