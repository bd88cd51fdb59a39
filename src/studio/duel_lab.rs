//! The duel lab: the edited AI against an opponent on a duel scenario. One duel watched turn by
//! turn (a timeline to scrub, step and play, each turn's actions on the map, hp per side over
//! the rounds, the winner), batches over many seeds from both seats (live progress, cancel, the
//! win rate with its Wilson interval, the games lost, each opening its duel), a round robin with
//! ratings, and replay files opened and saved.
//!
//! Everything is played by the core (`aether_duel`) on the lab's worker thread; the
//! panel only sends jobs and shows what comes back.

pub mod tune;
pub mod worker;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use aether_base::text::group_digits;
use aether_duel::{Frame, Replay, Tournament};
use egui::{Color32, RichText};
use mc_tactical_types::TacticalState;

use super::map;
use super::opponents::{self, Opponent};
use super::preview::Sample;
use worker::{BatchView, Done, Job, Progress, ThisAi, Worker};

/// How long a turn shows while the duel plays.
const PLAY_STEP: Duration = Duration::from_millis(400);

/// A duel ready to watch: played now, or read from a replay.
#[derive(Clone, Debug)]
pub struct ShownDuel {
    /// One line naming it.
    pub title: String,
    /// Each slot's contender.
    pub names: Vec<String>,
    /// The edited AI's slot, when it played.
    pub mine: Option<u8>,
    /// The winner's slot, or none for a draw.
    pub winner: Option<u8>,
    /// `elimination` or `turn_limit`.
    pub by: String,
    /// Rounds played.
    pub rounds: u32,
    /// Each slot's hp total before the first round and after each.
    pub hp: Vec<Vec<u32>>,
    /// Every turn.
    pub frames: Vec<Frame>,
    /// The state after the last round.
    pub end: TacticalState,
    /// The replay to save (when every controller has a file to name).
    pub replay: Option<Replay>,
    /// The replay of a game the edited graph played before it had a file: it becomes savable
    /// once the graph is saved, if the saved graph is the one that played
    /// ([`ShownDuel::name_the_saved_graph`]).
    pub unnamed: Option<Replay>,
    /// The scenario it was played on.
    pub scenario: aether_lang::Scenario,
    /// The folder of the replay file it was read from, if any.
    pub replay_dir: Option<PathBuf>,
    /// What playing it again found, in words.
    pub again: Option<String>,
}

impl ShownDuel {
    /// Gives the replay of a game played by the unsaved graph its file: when the graph saved at
    /// `file` compiles to the module that played (same hash), every seat that had no file names
    /// it, and the replay can be saved (the Save replay button once stayed disabled after the
    /// graph was saved, until the game was played again). False when it is not that graph.
    pub fn name_the_saved_graph(
        &mut self,
        graph: &aether_lang::VisualScriptGraph,
        file: &Path,
    ) -> bool {
        let Some(mut replay) = self.unnamed.clone() else {
            return false;
        };
        let Ok(m) = aether_duel::compile_contender(graph, file) else {
            return false;
        };
        let hash = format!("{:016x}", crate::studio::opponents::module_hash(&m.wasm));
        let mut named = false;
        for seat in replay
            .seats
            .iter_mut()
            .filter(|s| s.module.is_none() && s.identity != "pass")
        {
            if seat.module_hash != hash {
                return false;
            }
            seat.module = Some(file.display().to_string());
            named = true;
        }
        if named {
            self.replay = Some(replay);
            self.unnamed = None;
        }
        named
    }

    /// The turn `turn` (an index into the frames) as a state the turn preview can play: the
    /// authoritative state when the turn began, the player whose turn it was and its seed.
    pub fn turn_sample(&self, turn: usize) -> Option<(Sample, u8, u64)> {
        let f = self.frames.get(turn)?;
        let sample = Sample {
            name: format!(
                "duel turn {} (round {}, player {})",
                turn + 1,
                f.round,
                f.slot
            ),
            path: None,
            scenario: aether_lang::Scenario {
                name: format!("{} — turn {}", self.scenario.name, turn + 1),
                description: format!(
                    "Turn {} of the duel {}, as player {} saw it: the game counts it as its turn \
                     {} (round {}), and the preview's seed is that turn's own seed, which the \
                     duel's seed gave it.",
                    turn + 1,
                    self.title,
                    f.slot,
                    f.before.turn,
                    f.round
                ),
                turn_limit: self.scenario.turn_limit,
                state: f.before.clone(),
            },
        };
        Some((sample, f.slot, f.seed))
    }

    /// The result in words, from the edited AI's side when it played.
    pub fn result_words(&self) -> String {
        let how = if self.by == "elimination" {
            "by elimination"
        } else {
            "on hp at the turn limit"
        };
        match (self.winner, self.mine) {
            (None, _) => format!("A draw after {} rounds.", self.rounds),
            (Some(w), Some(m)) if w == m => {
                format!("Your AI won {how} in {} rounds.", self.rounds)
            }
            (Some(w), Some(_)) => format!(
                "Your AI lost: {} won {how} in {} rounds.",
                self.names.get(usize::from(w)).map_or("the other", |s| s),
                self.rounds
            ),
            (Some(w), None) => format!(
                "Player {w} ({}) won {how} in {} rounds.",
                self.names.get(usize::from(w)).map_or("?", |s| s),
                self.rounds
            ),
        }
    }
}

/// What the lab asks of the studio (files are picked by the studio's pickers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabAction {
    /// Choose a file as the opponent.
    ChooseOpponent,
    /// Choose a file to add to the tournament.
    AddEntrant,
    /// Open a `*.mcreplay`.
    OpenReplay,
    /// Save the shown duel as a replay.
    SaveReplay,
    /// Open the shown turn in the turn preview, to debug it.
    DebugTurn,
    /// Write the tuned numbers into the graph, as one undoable edit.
    ApplyTuning,
}

/// What is running on the worker.
#[derive(Clone, Debug)]
enum Running {
    Duel,
    Again,
    Batch(Progress),
    Tournament(Progress),
    Tune,
}

/// The lab's state.
#[derive(Debug)]
pub struct DuelLab {
    /// The duel scenarios.
    pub samples: Vec<Sample>,
    /// The picked one.
    pub sample: usize,
    /// The other side.
    pub opponent: Opponent,
    /// The slot the edited AI plays in a single duel.
    pub my_slot: u8,
    /// The single duel's seed.
    pub seed: u64,
    /// The duel on show.
    pub shown: Option<ShownDuel>,
    /// The turn on show (an index into the frames; the frames' length is the end).
    pub turn: usize,
    /// Whether the timeline plays by itself.
    pub playing: bool,
    last_step: Instant,
    /// Seeds in a batch.
    pub seeds: u64,
    /// The batch's first seed.
    pub first_seed: u64,
    /// The last batch.
    pub batch: Option<BatchView>,
    /// The tournament's entrants beyond this AI and the templates (files).
    pub entrant_files: Vec<PathBuf>,
    /// Which of [this AI, templates…, files…] take part.
    pub entrants_on: Vec<bool>,
    /// The last tournament.
    pub tournament: Option<Tournament>,
    /// What went wrong last, in words.
    pub error: Option<String>,
    /// A note about the last thing done (saved, opened).
    pub note: Option<String>,
    /// Tune numbers.
    pub tune: tune::TunePanel,
    running: Option<Running>,
    worker: Worker,
}

/// The duel scenarios among `samples` (a turn limit and two players).
pub fn duel_samples(samples: &[Sample]) -> Vec<Sample> {
    samples
        .iter()
        .filter(|s| s.scenario.turn_limit.is_some() && s.scenario.state.players.len() == 2)
        .cloned()
        .collect()
}

impl DuelLab {
    /// A lab over `samples`' duel scenarios, its worker compiling through `cache` and guarding
    /// files with `compile_worker`.
    pub fn new(
        samples: &[Sample],
        cache: Option<aether_host::CompileCache>,
        compile_worker: Option<PathBuf>,
    ) -> Self {
        Self {
            samples: duel_samples(samples),
            sample: 0,
            opponent: Opponent::Template(1),
            my_slot: 0,
            seed: 0,
            shown: None,
            turn: 0,
            playing: false,
            last_step: Instant::now(),
            seeds: 200,
            first_seed: 0,
            batch: None,
            entrant_files: Vec::new(),
            entrants_on: vec![true; 1 + super::TEMPLATES.len()],
            tournament: None,
            error: None,
            note: None,
            tune: tune::TunePanel::default(),
            running: None,
            worker: Worker::spawn(cache, compile_worker),
        }
    }

    /// Whether a job is running.
    pub fn busy(&self) -> bool {
        self.running.is_some()
    }

    /// Takes in what the worker finished; keeps the timeline playing.
    pub fn poll(&mut self, ctx: &egui::Context) {
        let _ = self.worker.repaint.set(ctx.clone());
        for done in self.worker.poll() {
            self.running = None;
            match done {
                Done::Duel(Ok(d)) => self.show(*d),
                Done::Batch(Ok(b)) => self.batch = Some(b),
                Done::Tournament(Ok(t)) => self.tournament = Some(t),
                Done::Again(result) => {
                    if let Some(d) = self.shown.as_mut() {
                        d.again = Some(
                            result.unwrap_or_else(|e| format!("Could not play it again: {e}")),
                        );
                    }
                }
                Done::Tune(result) => self.tune.finished(result),
                Done::Duel(Err(e)) | Done::Batch(Err(e)) | Done::Tournament(Err(e)) => {
                    self.error = Some(e);
                }
            }
        }
        if let Some(Running::Batch(_) | Running::Tournament(_) | Running::Tune) = &self.running {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        if self.playing {
            let last = self.shown.as_ref().map_or(0, |d| d.frames.len());
            if self.turn >= last {
                self.playing = false;
            } else if self.last_step.elapsed() >= PLAY_STEP {
                self.turn += 1;
                self.last_step = Instant::now();
            }
            ctx.request_repaint_after(PLAY_STEP);
        }
    }

    fn show(&mut self, d: ShownDuel) {
        self.shown = Some(d);
        self.turn = 0;
        self.playing = false;
        self.error = None;
    }

    fn this(graph: &aether_lang::VisualScriptGraph, file: Option<&Path>) -> ThisAi {
        ThisAi {
            graph: graph.clone(),
            file: file.map(Path::to_path_buf),
        }
    }

    /// Plays one duel: the edited AI in `my_slot` against the opponent, seeded `seed`.
    pub fn play(
        &mut self,
        graph: &aether_lang::VisualScriptGraph,
        file: Option<&Path>,
        seed: u64,
        my_slot: u8,
        opponent: Opponent,
    ) {
        let Some(sample) = self.samples.get(self.sample).cloned() else {
            return;
        };
        self.error = None;
        self.running = Some(Running::Duel);
        self.worker.send(Job::Duel {
            this: Self::this(graph, file),
            opponent,
            sample,
            seed,
            my_slot,
        });
    }

    /// Runs the batch: the edited AI against the opponent over the seeds, from both seats.
    pub fn run_batch(&mut self, graph: &aether_lang::VisualScriptGraph, file: Option<&Path>) {
        let Some(sample) = self.samples.get(self.sample).cloned() else {
            return;
        };
        let progress = Progress::default();
        progress
            .total
            .store(self.seeds.saturating_mul(2), Ordering::Relaxed);
        self.error = None;
        // The last run's summary goes: while this one runs (and after a cancel, until its games
        // in flight end) the panel shows this run's progress, never the old run's result.
        self.batch = None;
        self.running = Some(Running::Batch(progress.clone()));
        self.worker.send(Job::Batch {
            this: Self::this(graph, file),
            opponent: self.opponent.clone(),
            sample,
            seeds: self.first_seed..self.first_seed.saturating_add(self.seeds),
            progress,
        });
    }

    /// The tournament's possible entrants, in order: this AI, the templates, the added files.
    pub fn entrant_choices(&self) -> Vec<Opponent> {
        std::iter::once(Opponent::ThisAi)
            .chain((0..super::TEMPLATES.len()).map(Opponent::Template))
            .chain(self.entrant_files.iter().cloned().map(Opponent::File))
            .collect()
    }

    /// Adds a file to the tournament (taking part).
    pub fn add_entrant(&mut self, path: PathBuf) {
        self.entrant_files.push(path);
        self.entrants_on.push(true);
    }

    fn run_tournament(&mut self, graph: &aether_lang::VisualScriptGraph) {
        let Some(sample) = self.samples.get(self.sample).cloned() else {
            return;
        };
        let entrants: Vec<Opponent> = self
            .entrant_choices()
            .into_iter()
            .zip(&self.entrants_on)
            .filter(|(_, on)| **on)
            .map(|(o, _)| o)
            .collect();
        if entrants.len() < 2 {
            self.error = Some("Pick at least two entrants for a tournament.".into());
            return;
        }
        let progress = Progress::default();
        self.error = None;
        self.running = Some(Running::Tournament(progress.clone()));
        self.worker.send(Job::Tournament {
            this: Self::this(graph, None),
            entrants,
            sample,
            seeds: self.first_seed..self.first_seed.saturating_add(self.seeds),
            progress,
        });
    }

    /// Opens a replay file: its scenario (a built-in one by name, else the file it names, next
    /// to the replay or from the working folder), every turn rebuilt by the rules and checked
    /// against the record.
    pub fn open_replay(&mut self, path: &Path) {
        match self.read_replay(path) {
            Ok(d) => {
                self.note = Some(format!("Opened the replay {}.", path.display()));
                self.show(d);
            }
            Err(e) => self.error = Some(format!("Could not open {}: {e}", path.display())),
        }
    }

    fn read_replay(&self, path: &Path) -> Result<ShownDuel, String> {
        let text =
            aether_base::fsutil::read_text_bounded(path, aether_base::fsutil::MAX_DOCUMENT_BYTES)
                .map_err(|e| e.to_string())?;
        let replay = Replay::from_json(&text)?;
        let wanted = replay.scenario.replace('\\', "/");
        let builtin = self
            .samples
            .iter()
            .find(|s| s.path.is_none() && wanted.ends_with(&format!("{}.json", s.name)));
        let scenario = match builtin {
            Some(s) => s.scenario.clone(),
            None => {
                let given = PathBuf::from(&replay.scenario);
                let beside = path.parent().map(|d| d.join(&given));
                let file = match beside {
                    Some(b) if given.is_relative() && b.is_file() => b,
                    _ => given,
                };
                aether_lang::Scenario::load(&file)
                    .map_err(|e| format!("its scenario {} cannot be read: {e}", file.display()))?
            }
        };
        let (frames, end) = replay.frames(&scenario.state)?;
        let names: Vec<String> = replay.seats.iter().map(|s| s.identity.clone()).collect();
        Ok(ShownDuel {
            scenario: scenario.clone(),
            replay_dir: path.parent().map(Path::to_path_buf),
            again: None,
            title: format!(
                "{} · {} · seed {}",
                names.join(" vs "),
                scenario.name,
                replay.duel_seed
            ),
            names,
            mine: None,
            winner: replay.winner,
            by: if replay.rounds >= scenario.turn_limit.unwrap_or(u32::MAX) {
                "turn_limit".into()
            } else {
                "elimination".into()
            },
            rounds: replay.rounds,
            hp: aether_duel::hp_by_round(&frames, &end),
            frames,
            end,
            replay: Some(replay),
            unnamed: None,
        })
    }

    /// Writes the shown duel's replay to `path` (atomically).
    pub fn save_replay(&mut self, path: &Path) -> bool {
        let Some(replay) = self.shown.as_ref().and_then(|d| d.replay.as_ref()) else {
            return false;
        };
        match aether_base::fsutil::write_atomic(path, replay.to_json().as_bytes()) {
            Ok(()) => {
                self.note = Some(format!("Saved the replay to {}.", path.display()));
                true
            }
            Err(e) => {
                self.error = Some(format!("Could not save the replay: {e}"));
                false
            }
        }
    }

    /// Draws the lab; `graph` is the edited AI (with `file` when saved), `errors` says why it
    /// cannot play now. Returns what the studio should do.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        graph: &aether_lang::VisualScriptGraph,
        file: Option<&Path>,
        errors: Option<&str>,
    ) -> Option<LabAction> {
        let mut action = None;
        ui.heading("Duel lab");
        ui.label(
            RichText::new(
                "Pit your AI against another on a duel map: watch one game turn by turn, or play \
                 many seeds from both sides and see how often it wins.",
            )
            .small(),
        );
        egui::Grid::new("duel-settings")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                ui.label("Map");
                let current = self
                    .samples
                    .get(self.sample)
                    .map_or("(no duel maps)".to_owned(), |s| {
                        aether_base::text::escape_output(&s.scenario.name).into_owned()
                    });
                egui::ComboBox::from_id_salt("duel-scenario")
                    .selected_text(current)
                    .show_ui(ui, |ui| {
                        for (i, s) in self.samples.iter().enumerate() {
                            ui.selectable_value(
                                &mut self.sample,
                                i,
                                aether_base::text::escape_output(&s.scenario.name).as_ref(),
                            )
                            .on_hover_text(
                                aether_base::text::escape_output(&s.scenario.description).as_ref(),
                            );
                        }
                    });
                ui.end_row();
                let label = ui
                    .label("Opponent")
                    .on_hover_text("Who plays against your AI");
                if opponents::picker(ui, "duel-opponent", label.id, &mut self.opponent, true).browse
                {
                    action = Some(LabAction::ChooseOpponent);
                }
                ui.end_row();
                ui.label("You play");
                ui.horizontal(|ui| {
                    egui::ComboBox::from_id_salt("duel-my-slot")
                        .selected_text(format!("player {}", self.my_slot))
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut self.my_slot, 0, "player 0 (moves first)");
                            ui.selectable_value(&mut self.my_slot, 1, "player 1");
                        });
                    ui.label("Seed");
                    ui.add(egui::DragValue::new(&mut self.seed));
                });
                ui.end_row();
            });
        if let Some(why) = errors {
            ui.colored_label(
                Color32::from_rgb(240, 190, 60),
                format!("{why}: fix them to play duels."),
            );
        }
        let idle = !self.busy() && errors.is_none() && !self.samples.is_empty();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(idle, egui::Button::new("Play duel"))
                .on_hover_text("Play one whole game and watch it turn by turn")
                .clicked()
            {
                let (seed, slot, o) = (self.seed, self.my_slot, self.opponent.clone());
                self.play(graph, file, seed, slot, o);
            }
            if ui
                .button("Open replay…")
                .on_hover_text("Watch a saved game (a .mcreplay file)")
                .clicked()
            {
                action = Some(LabAction::OpenReplay);
            }
            if matches!(self.running, Some(Running::Duel)) {
                ui.spinner();
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(
                Color32::from_rgb(255, 110, 110),
                aether_base::text::escape_output(e).as_ref(),
            );
        }
        if let Some(n) = &self.note {
            ui.label(RichText::new(n).small());
        }
        ui.separator();
        self.batch_ui(ui, graph, file, idle);
        if let Some(a) = self.tune_ui(ui, graph, file, idle) {
            action = Some(a);
        }
        ui.separator();
        if let Some(a) = self.duel_ui(ui, file.is_some()) {
            action = Some(a);
        }
        ui.separator();
        if let Some(a) = self.tournament_ui(ui, graph, idle) {
            action = Some(a);
        }
        action
    }

    /// The *Tune numbers…* button and, once opened, its panel.
    fn tune_ui(
        &mut self,
        ui: &mut egui::Ui,
        graph: &aether_lang::VisualScriptGraph,
        file: Option<&Path>,
        idle: bool,
    ) -> Option<LabAction> {
        if !self.tune.open {
            if ui
                .add_enabled(!self.samples.is_empty(), egui::Button::new("Tune numbers…"))
                .on_hover_text(
                    "Search for better values of the numbers typed on your nodes against this opponent",
                )
                .clicked()
            {
                self.tune.open = true;
            }
            return None;
        }
        ui.separator();
        match self.tune.ui(ui, idle)? {
            tune::TuneIntent::Start(settings) => {
                let sample = self.samples.get(self.sample).cloned()?;
                let shared = self.tune.started(graph);
                self.running = Some(Running::Tune);
                self.worker.send(Job::Tune {
                    this: Self::this(graph, file),
                    opponent: self.opponent.clone(),
                    sample,
                    settings,
                    shared,
                });
                None
            }
            tune::TuneIntent::Apply => Some(LabAction::ApplyTuning),
        }
    }

    /// The game on show; `saved`: the edited graph has a file.
    fn duel_ui(&mut self, ui: &mut egui::Ui, saved: bool) -> Option<LabAction> {
        let mut action = None;
        let mut again = None;
        let Some(d) = &self.shown else {
            return None;
        };
        let last = d.frames.len();
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&d.title).strong());
            if ui
                .add_enabled(
                    d.replay.is_some() || (saved && d.unnamed.is_some()),
                    egui::Button::new("Save replay…").small(),
                )
                .on_hover_text("Keep this game as a .mcreplay file, to watch or check again")
                .on_disabled_hover_text(
                    "Save your graph first: a replay names each AI's file so it can be played again",
                )
                .clicked()
            {
                action = Some(LabAction::SaveReplay);
            }
            let idle = self.running.is_none();
            if ui
                .add_enabled(idle && d.replay.is_some(), egui::Button::new("Play it again").small())
                .on_hover_text(
                    "Run every AI of this game again and check each turn gives the same bytes as \
                     recorded (it says which turn differs, and which module changed)",
                )
                .clicked()
                && let Some(replay) = d.replay.clone()
            {
                again = Some((replay, d.scenario.clone(), d.replay_dir.clone()));
            }
        });
        if let Some(words) = &d.again {
            let same = words.starts_with("Played again: all");
            ui.colored_label(
                if same {
                    Color32::from_rgb(110, 210, 120)
                } else {
                    Color32::from_rgb(240, 190, 60)
                },
                words,
            );
        }
        let won = d.mine.is_some() && d.winner == d.mine;
        ui.colored_label(
            if won || d.mine.is_none() {
                Color32::from_rgb(240, 200, 90)
            } else {
                Color32::from_rgb(255, 140, 120)
            },
            d.result_words(),
        );
        if let Some((replay, scenario, base)) = again {
            self.running = Some(Running::Again);
            self.worker.send(Job::Again {
                replay: Box::new(replay),
                scenario: Box::new(scenario),
                base,
            });
        }
        self.turn = self.turn.min(last);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.turn > 0, egui::Button::new("⏮"))
                .on_hover_text("The first turn")
                .clicked()
            {
                self.turn = 0;
            }
            if ui
                .add_enabled(self.turn > 0, egui::Button::new("◀ Step"))
                .on_hover_text("One turn back")
                .clicked()
            {
                self.turn -= 1;
                self.playing = false;
            }
            let play = if self.playing {
                "⏸ Pause"
            } else {
                "▶ Play"
            };
            if ui
                .add_enabled(self.turn < last, egui::Button::new(play))
                .clicked()
            {
                self.playing = !self.playing;
                self.last_step = Instant::now();
            }
            if ui
                .add_enabled(self.turn < last, egui::Button::new("Step ▶"))
                .on_hover_text("One turn forward")
                .clicked()
            {
                self.turn += 1;
                self.playing = false;
            }
            if ui
                .add_enabled(self.turn < last, egui::Button::new("⏭"))
                .on_hover_text("The end of the game")
                .clicked()
            {
                self.turn = last;
                self.playing = false;
            }
        });
        let mut t = self.turn;
        ui.spacing_mut().slider_width = (ui.available_width() - 20.0).max(80.0);
        ui.add(egui::Slider::new(&mut t, 0..=last).show_value(false))
            .on_hover_text("Drag to any turn of the game");
        if t != self.turn {
            self.turn = t;
            self.playing = false;
        }
        let Some(d) = &self.shown else {
            return None;
        };
        match d.frames.get(self.turn) {
            Some(f) => {
                let name = d.names.get(usize::from(f.slot)).map_or("?", |s| s);
                let accepted = f.actions.iter().filter(|a| a.accepted()).count();
                ui.label(format!(
                    "Turn {} of {last} · round {} · player {} ({name}) · {} action{}, {accepted} \
                     accepted · {} fuel{}",
                    self.turn + 1,
                    f.round,
                    f.slot,
                    f.actions.len(),
                    if f.actions.len() == 1 { "" } else { "s" },
                    group_digits(f.fuel),
                    match f.outcome.as_str() {
                        "ok" => String::new(),
                        "pass" => " · passed".into(),
                        other => format!(" · the turn failed ({other})"),
                    }
                ));
                if ui
                    .button(format!("🔍 Debug this turn as player {}", f.slot))
                    .on_hover_text(
                        "Play this turn's state in the Turn preview with the graph you are \
                         editing, as this player, with the turn's seed: values on the wires, fuel \
                         per node, why not, and breakpoints then show what it does here",
                    )
                    .clicked()
                {
                    action = Some(LabAction::DebugTurn);
                }
                map::turn_map_ui(ui, &f.before, f.slot, &f.actions, false, 1.0);
            }
            None => {
                ui.label(format!("The end · {}", d.result_words()));
                map::turn_map_ui(ui, &d.end, d.mine.unwrap_or(0), &[], false, 1.0);
            }
        }
        let round_now = d
            .frames
            .get(self.turn)
            .map_or(d.hp.len().saturating_sub(1), |f| {
                (f.round - d.frames.first().map_or(f.round, |g| g.round)) as usize
            });
        hp_chart(ui, d, round_now);
        action
    }

    fn batch_ui(
        &mut self,
        ui: &mut egui::Ui,
        graph: &aether_lang::VisualScriptGraph,
        file: Option<&Path>,
        idle: bool,
    ) {
        ui.label(RichText::new("Win rate over many seeds").strong());
        ui.horizontal(|ui| {
            ui.label("Seeds");
            ui.add(egui::DragValue::new(&mut self.seeds).range(1..=100_000));
            ui.label("from");
            ui.add(egui::DragValue::new(&mut self.first_seed));
        });
        ui.horizontal(|ui| {
            let label = format!("Run {} seeds", self.seeds);
            if ui
                .add_enabled(idle, egui::Button::new(label))
                .on_hover_text(
                    "Every seed is played twice, once from each side, on all processor cores",
                )
                .clicked()
            {
                self.run_batch(graph, file);
            }
            if let Some(Running::Batch(p)) = &self.running
                && ui.button("Cancel").clicked()
            {
                p.cancel.store(true, Ordering::Relaxed);
            }
        });
        if let Some(Running::Batch(p)) = &self.running {
            let (done, total) = p.now();
            let text = if p.cancel.load(Ordering::Relaxed) {
                format!("Cancelling… ({done} of {total} games; the games under way finish first)")
            } else {
                format!("{done} of {total} games")
            };
            ui.add(egui::ProgressBar::new(done as f32 / total.max(1) as f32).text(text));
        }
        let Some(b) = &self.batch else {
            return;
        };
        let r = &b.result;
        let rate = if r.games == 0 {
            0.0
        } else {
            f64::from(r.wins) / f64::from(r.games)
        };
        ui.label(format!(
            "{} against {} on {}: won {} of {} games ({:.1}%), {} drawn, {} lost{} in {:.1} s",
            b.mine,
            b.theirs,
            b.scenario,
            r.wins,
            r.games,
            rate * 100.0,
            r.draws,
            r.losses,
            if b.cancelled {
                " (cancelled early)"
            } else {
                ""
            },
            b.took.as_secs_f64()
        ));
        ui.label(format!(
            "95% sure the true win rate is between {:.1}% and {:.1}% · {:.1} rounds a game · \
             failed turns: {} yours, {} theirs",
            r.interval.0 * 100.0,
            r.interval.1 * 100.0,
            r.average_rounds,
            r.failed_turns[0],
            r.failed_turns[1]
        ));
        win_rate_bar(ui, rate, r.interval);
        if let Some(note) = r.repetition_note() {
            ui.colored_label(Color32::from_rgb(240, 190, 60), note);
        }
        let lost: Vec<(u64, u8)> = r
            .per_game
            .iter()
            .filter(|g| g.result == "loss")
            .map(|g| (g.seed, g.seat))
            .collect();
        if lost.is_empty() {
            ui.label("No game lost.");
            return;
        }
        ui.label(format!(
            "Games lost ({}): click one to watch it",
            lost.len()
        ));
        let mut open = None;
        egui::ScrollArea::vertical()
            .id_salt("lost-games")
            .max_height(120.0)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    for (seed, seat) in &lost {
                        if ui
                            .add_enabled(
                                idle,
                                egui::Button::new(format!("seed {seed} as player {seat}")).small(),
                            )
                            .clicked()
                        {
                            open = Some((*seed, *seat));
                        }
                    }
                });
            });
        if let Some((seed, seat)) = open {
            let o = b.opponent.clone();
            self.seed = seed;
            self.my_slot = seat;
            self.play(graph, file, seed, seat, o);
        }
    }

    fn tournament_ui(
        &mut self,
        ui: &mut egui::Ui,
        graph: &aether_lang::VisualScriptGraph,
        idle: bool,
    ) -> Option<LabAction> {
        let mut action = None;
        egui::CollapsingHeader::new("Tournament")
            .id_salt("duel-tournament")
            .show(ui, |ui| {
                ui.label(
                    RichText::new(
                        "Every pair plays the seeds above from both sides; ratings are \
                         Bradley–Terry on the Elo scale (1500 is average; 200 points ≈ 3 wins \
                         in 4).",
                    )
                    .small(),
                );
                let choices = self.entrant_choices();
                self.entrants_on.resize(choices.len(), true);
                for (o, on) in choices.iter().zip(self.entrants_on.iter_mut()) {
                    ui.checkbox(on, o.label());
                }
                ui.horizontal(|ui| {
                    if ui.button("Add a file…").clicked() {
                        action = Some(LabAction::AddEntrant);
                    }
                    if ui
                        .add_enabled(idle, egui::Button::new("Run tournament"))
                        .clicked()
                    {
                        self.run_tournament(graph);
                    }
                    if let Some(Running::Tournament(p)) = &self.running
                        && ui.button("Cancel").clicked()
                    {
                        p.cancel.store(true, Ordering::Relaxed);
                    }
                });
                if let Some(Running::Tournament(p)) = &self.running {
                    let (done, total) = p.now();
                    ui.add(
                        egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                            .text(format!("{done} of {total} pairings")),
                    );
                }
                if let Some(t) = &self.tournament {
                    egui::Grid::new("tournament-table")
                        .striped(true)
                        .num_columns(4)
                        .show(ui, |ui| {
                            ui.label(RichText::new("Rank").strong());
                            ui.label(RichText::new("AI").strong());
                            ui.label(RichText::new("Rating").strong());
                            ui.label(RichText::new("Won / drawn / lost").strong());
                            ui.end_row();
                            for (rank, &i) in t.ranking().iter().enumerate() {
                                let (w, d, l) = t.totals[i];
                                ui.label(format!("{}", rank + 1));
                                ui.label(&t.entrants[i]);
                                ui.label(format!("{:.0}", t.ratings[i]));
                                ui.label(format!("{w} / {d} / {l}"));
                                ui.end_row();
                            }
                        });
                }
            });
        action
    }
}

/// Each side's total hp over the rounds, with a line at the round on show.
fn hp_chart(ui: &mut egui::Ui, d: &ShownDuel, round_now: usize) {
    use egui_plot::{Legend, Line, Plot, VLine};
    let slots = d.hp.first().map_or(0, Vec::len);
    // Tall enough to read, with an hp scale, the legend where the curves are not (they start
    // high on the left and fall).
    Plot::new("duel-hp")
        .height(200.0)
        .y_axis_label("total hp")
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .include_y(0.0)
        .x_axis_label("round")
        .legend(Legend::default().position(egui_plot::Corner::RightTop))
        .show(ui, |p| {
            for slot in 0..slots {
                let points: Vec<[f64; 2]> =
                    d.hp.iter()
                        .enumerate()
                        .map(|(r, hp)| [r as f64, f64::from(hp.get(slot).copied().unwrap_or(0))])
                        .collect();
                let name = format!(
                    "player {slot} hp ({})",
                    d.names.get(slot).map_or("?", |s| s)
                );
                let slot = u8::try_from(slot).unwrap_or(u8::MAX);
                p.line(
                    Line::new(name, points)
                        .color(map::owner_color(slot))
                        .width(2.0),
                );
            }
            p.vline(VLine::new("this turn", round_now as f64).color(Color32::GRAY));
        });
}

/// The win rate as a bar: 0 to 100%, the 95% interval shaded, the rate marked, 50% ticked.
fn win_rate_bar(ui: &mut egui::Ui, rate: f64, (lo, hi): (f64, f64)) {
    let width = ui.available_width().clamp(120.0, 420.0);
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, 16.0), egui::Sense::hover());
    let p = ui.painter_at(rect);
    let x = |v: f64| rect.left() + rect.width() * v.clamp(0.0, 1.0) as f32;
    p.rect_filled(rect, 3.0, Color32::from_gray(50));
    let band = egui::Rect::from_min_max(
        egui::pos2(x(lo), rect.top() + 2.0),
        egui::pos2(x(hi).max(x(lo) + 2.0), rect.bottom() - 2.0),
    );
    let color = if lo > 0.5 {
        Color32::from_rgb(90, 190, 110)
    } else if hi < 0.5 {
        Color32::from_rgb(220, 100, 90)
    } else {
        Color32::from_rgb(200, 180, 80)
    };
    p.rect_filled(band, 2.0, color.gamma_multiply(0.7));
    p.line_segment(
        [
            egui::pos2(x(rate), rect.top()),
            egui::pos2(x(rate), rect.bottom()),
        ],
        egui::Stroke::new(2.5, Color32::WHITE),
    );
    p.line_segment(
        [
            egui::pos2(x(0.5), rect.top()),
            egui::pos2(x(0.5), rect.bottom()),
        ],
        egui::Stroke::new(1.0, Color32::from_gray(160)),
    );
    response.on_hover_text(format!(
        "Win rate {:.1}%; 95% interval {:.1}%–{:.1}% (the shaded band). Green: better than even \
         for sure; red: worse for sure; yellow: not sure yet — play more seeds.",
        rate * 100.0,
        lo * 100.0,
        hi * 100.0
    ));
}
