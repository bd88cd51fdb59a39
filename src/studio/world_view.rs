//! The world preview: a world script's graph running live in a sample world.
//!
//! The world runs on its own thread ([`WorldWorker`]): the window never waits for it. The studio
//! hands it the edited graph whenever the graph changes; the worker compiles it and swaps the
//! new script into the running world ([`WorldRun::replace_script`]), leaving the world and the
//! other scripts as they are, or restarts the scene when the creator prefers. After each tick
//! the worker sends a [`Frame`]: the entities, what happened (sounds, texts, messages), each
//! script's usage and storage. [`WorldView`] keeps what the panel shows (the latest frame, the
//! last second of refusals, a log) and draws it with `world_map`.

use std::collections::{BTreeMap, VecDeque};

use std::time::Duration;

use aether_debug::journal::EventTrace;

use aether_lang::graph::VisualScriptGraph;

use aether_sample_world::{Scene, ScriptInfo, ScriptSpec, SetupScript, WorldSetup};

use aether_world::{ScriptId, ScriptState};

use egui::{Color32, RichText};

mod map;
mod worker;

use worker::same_file;
pub use worker::{Command, EDITED_PRIORITY, Frame, Update, WorldWorker};

/// The speeds offered, in ticks per second (20 is the game's own pace).
pub const SPEEDS: [(f32, &str); 4] = [(5.0, "¼×"), (20.0, "1×"), (80.0, "4×"), (400.0, "20×")];

/// What the panel asks the studio to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldAction {
    /// Restart the world (another scene, the scene's scripts switched, Restart clicked).
    Restart,
    /// Pick a script to add to the world.
    AddScript,
    /// Pick a world setup to open.
    OpenSetup,
    /// Pick where to save the setup.
    SaveSetup,
}

/// A line of the world's log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// The tick.
    pub tick: u64,
    /// The script it came from (none: the world's own, a player joining).
    pub by: Option<ScriptId>,
    /// What happened, in words.
    pub text: String,
}

/// Whose lines the log shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFilter {
    /// Every script's and the world's.
    #[default]
    All,
    /// The edited graph's only.
    Mine,
    /// One script's.
    Script(ScriptId),
}

/// The world preview's state: the panel's settings and what the world last showed.
pub struct WorldView {
    worker: WorldWorker,
    /// The sample worlds.
    pub scenes: Vec<(String, Scene)>,
    /// The one shown.
    pub scene: usize,
    /// Whether the world plays.
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// Restart the scene on every edit instead of swapping the script in.
    pub restart_on_edit: bool,
    /// Run the scene's own scripts beside the edited graph.
    pub scene_scripts: bool,
    /// The latest tick.
    pub latest: Option<Box<Frame>>,
    /// The scripts of the running world.
    pub scripts: Vec<ScriptInfo>,
    /// The edited graph's script.
    pub edited: Option<ScriptId>,
    /// The last second of refusals per script (tick, refusals).
    refusals: VecDeque<(u64, ScriptId, BTreeMap<String, u32>)>,
    /// Fuel per script over the last second.
    fuel: VecDeque<(u64, ScriptId, u64)>,
    /// Sounds of the last second: tick, where, which.
    pub sounds: VecDeque<(u64, aether_world_types::Vec2, String)>,
    /// What happened, newest last (texts shown, messages sent, spawns…).
    pub log: VecDeque<LogLine>,
    /// Whose lines the log shows (another script's flood of sounds once buried the user's).
    pub log_filter: LogFilter,
    /// The text on each screen now: everyone's (`None`) and each player's, with its tick.
    pub screens: BTreeMap<Option<u32>, (u64, String)>,
    /// The latest problem, in words.
    pub problem: Option<String>,
    /// How long the last swap took.
    pub swapped: Option<Duration>,
    /// Updates received (tests wait on it).
    pub updates: u64,
    /// The graph version last sent.
    pub sent: Option<u64>,
    /// The graph version the world runs (swapped in or started with it).
    pub running: Option<u64>,
    /// Scripts added to the world besides the scene's and the edited graph, each with its
    /// priority and limits.
    pub extra: Vec<SetupScript>,
    /// The edited graph's priority.
    pub priority: u32,
    /// The events the edited graph answered lately, seen from inside.
    pub inside: super::world_inside::WorldInside,
    /// Events that arrived since the studio last looked (their numbers in `inside`).
    pub arrived: Vec<u64>,
}

impl std::fmt::Debug for WorldView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorldView")
            .field("scene", &self.scene)
            .field("playing", &self.playing)
            .field("tick", &self.latest.as_ref().map(|l| l.tick))
            .finish_non_exhaustive()
    }
}

/// Most lines the log keeps.
const LOG_LINES: usize = 300;

impl WorldView {
    /// A paused world preview on the first sample world (nothing runs until [`start`]).
    ///
    /// [`start`]: WorldView::start
    pub fn new() -> Self {
        let scenes = creator_studio_worlds();
        Self {
            worker: WorldWorker::spawn(),
            scenes,
            scene: 0,
            playing: true,
            speed: 1,
            restart_on_edit: false,
            scene_scripts: true,
            latest: None,
            scripts: Vec::new(),
            edited: None,
            refusals: VecDeque::new(),
            fuel: VecDeque::new(),
            sounds: VecDeque::new(),
            log: VecDeque::new(),
            log_filter: LogFilter::All,
            screens: BTreeMap::new(),
            problem: None,
            swapped: None,
            updates: 0,
            sent: None,
            running: None,
            extra: Vec::new(),
            priority: EDITED_PRIORITY,
            inside: Default::default(),
            arrived: Vec::new(),
        }
    }

    /// The scene's name as a setup names it: a built-in world's name, or its file.
    pub fn scene_name(&self) -> String {
        self.scenes
            .get(self.scene)
            .map_or_else(|| "village".into(), |(n, _)| n.clone())
    }

    /// The setup the panel shows: its scene, its scripts, with the edited graph (saved at
    /// `graph_path`) first.
    pub fn setup(&self, graph_path: Option<&std::path::Path>) -> WorldSetup {
        let mut setup = WorldSetup::new(&self.scene_name());
        setup.scene_scripts = self.scene_scripts;
        if let Some(p) = graph_path {
            setup.scripts.push(SetupScript {
                path: p.to_path_buf(),
                priority: self.priority,
                limits: Default::default(),
            });
        }
        setup.scripts.extend(self.extra.iter().cloned());
        setup
    }

    /// Takes a setup's scene and scripts (the one at `graph_path` is the edited graph: its
    /// priority is kept, the editor's graph runs). `Err` says what could not be used.
    pub fn use_setup(
        &mut self,
        setup: &WorldSetup,
        graph_path: Option<&std::path::Path>,
    ) -> Result<(), String> {
        let index = match self.scenes.iter().position(|(n, _)| *n == setup.scene) {
            Some(i) => i,
            None => {
                let path = std::path::Path::new(&setup.scene);
                let scene = Scene::load(path).map_err(|e| e.to_string())?;
                self.scenes.push((setup.scene.clone(), scene));
                self.scenes.len() - 1
            }
        };
        self.scene = index;
        self.scene_scripts = setup.scene_scripts;
        self.extra.clear();
        for s in &setup.scripts {
            if graph_path.is_some_and(|p| same_file(p, &s.path)) {
                self.priority = s.priority;
            } else {
                self.extra.push(s.clone());
            }
        }
        Ok(())
    }

    /// The repaint handle of the world's thread.
    pub fn set_context(&self, ctx: &egui::Context) {
        let _ = self.worker.repaint.set(ctx.clone());
    }

    /// (Re)starts the world with `graph` (None: it has errors) on the chosen scene.
    pub fn start(&mut self, graph: Option<&VisualScriptGraph>, version: u64) {
        let Some((_, scene)) = self.scenes.get(self.scene) else {
            return;
        };
        let mut others = if self.scene_scripts {
            match crate::samples::scene_scripts(scene) {
                Ok(o) => o,
                Err(e) => {
                    self.problem = Some(format!("The scene's scripts: {e}"));
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let mut trouble = None;
        for s in &self.extra {
            match ScriptSpec::from_path(&s.path) {
                Ok(mut spec) => {
                    spec.priority = s.priority;
                    spec.request = aether_sample_world::run::narrow(&spec.request, &s.limits);
                    others.push(spec);
                }
                Err(e) => trouble = Some(format!("Left out: {e}")),
            }
        }
        self.latest = None;
        self.refusals.clear();
        self.fuel.clear();
        self.sounds.clear();
        self.log.clear();
        self.screens.clear();
        self.problem = trouble;
        self.sent = Some(version);
        self.running = None;
        self.worker.send(Command::Start {
            scene: Box::new(scene.clone()),
            others,
            graph: graph.map(|g| Box::new(g.clone())),
            priority: self.priority,
            version,
        });
        self.worker.send(Command::Speed(SPEEDS[self.speed].0));
        self.worker.send(Command::Play(self.playing));
    }

    /// The edited graph changed (and has no errors): swap it in, or restart.
    pub fn edited(&mut self, graph: &VisualScriptGraph, version: u64) {
        self.sent = Some(version);
        if self.edited.is_none() {
            // Nothing of this graph runs yet (it had errors): start over with it.
            self.start(Some(graph), version);
            return;
        }
        self.worker.send(Command::Edit {
            graph: Box::new(graph.clone()),
            restart: self.restart_on_edit,
            priority: self.priority,
            version,
        });
    }

    /// Stops the world's clock while an AI controller is being edited, leaving the Play button
    /// as the user left it: the next world script shown starts running again unless the user
    /// paused it. (The clock's state was once the button's, so a new world script after an AI
    /// controller sat at tick 0, moving one tick per edit, under a "▶ Play" button.)
    pub fn hold(&mut self) {
        self.worker.send(Command::Play(false));
    }

    /// Play or pause.
    pub fn set_playing(&mut self, playing: bool) {
        self.playing = playing;
        self.worker.send(Command::Play(playing));
    }

    /// One tick (pauses first).
    pub fn step(&mut self) {
        self.set_playing(false);
        self.worker.send(Command::Step);
    }

    /// Takes in what the world's thread sent.
    pub fn poll(&mut self) {
        for u in self.worker.poll() {
            self.receive(u);
        }
    }

    /// Waits for one update and takes it in (tests).
    pub fn wait(&mut self, timeout: Duration) -> bool {
        match self.worker.wait(timeout) {
            Some(u) => {
                self.receive(u);
                true
            }
            None => false,
        }
    }

    fn receive(&mut self, u: Update) {
        self.updates += 1;
        match u {
            Update::Started { scripts, edited } => {
                self.scripts = scripts;
                self.edited = edited;
                // Another graph, or a fresh start: what was seen inside the old one is gone.
                self.inside.clear();
                self.arrived.clear();
            }
            Update::Swapped { took } => {
                self.swapped = Some(took);
                self.problem = None;
            }
            Update::Running(version) => self.running = Some(version),
            Update::Problem(p) => self.problem = Some(p),
            Update::Frame(f) => self.take_frame(f),
        }
    }

    fn take_frame(&mut self, mut f: Box<Frame>) {
        let arrived = self.inside.take(std::mem::take(&mut f.inside));
        self.arrived.extend(arrived);
        let tick = f.tick;
        let second = tick.saturating_sub(20);
        for s in &f.usage.scripts {
            if !s.refused.is_empty() {
                self.refusals.push_back((tick, s.id, s.refused.clone()));
            }
            self.fuel.push_back((tick, s.id, s.fuel_used));
        }
        while self.refusals.front().is_some_and(|r| r.0 <= second) {
            self.refusals.pop_front();
        }
        while self.fuel.front().is_some_and(|r| r.0 <= second) {
            self.fuel.pop_front();
        }
        for (_, sound, at) in &f.log.sounds {
            self.sounds.push_back((tick, *at, sound.clone()));
        }
        while self.sounds.front().is_some_and(|s| s.0 + 20 < tick) {
            self.sounds.pop_front();
        }
        let name = |id: ScriptId| {
            f.scripts
                .iter()
                .find(|s| s.id == id)
                .map_or_else(|| format!("script {}", id.0), |s| s.name.clone())
        };
        let mut lines = Vec::new();
        for (by, to, text) in &f.log.messages {
            self.screens.insert(to.map(|p| p.0), (tick, text.clone()));
            let to = to.map_or("everyone".into(), |p| format!("player {}", p.0));
            lines.push((Some(*by), format!("{} shows {to}: “{text}”", name(*by))));
        }
        for (by, to, body) in &f.log.rpcs {
            lines.push((
                Some(*by),
                format!(
                    "{} sends player {}: “{}”",
                    name(*by),
                    to.0,
                    String::from_utf8_lossy(body)
                ),
            ));
        }
        for (by, sound, at) in &f.log.sounds {
            lines.push((
                Some(*by),
                format!(
                    "{} plays “{sound}” at ({:.1}, {:.1})",
                    name(*by),
                    at.x,
                    at.y
                ),
            ));
        }
        for (id, kind, at, by) in &f.log.spawned {
            lines.push((
                Some(*by),
                format!(
                    "{} spawns {kind} #{} at ({:.1}, {:.1})",
                    name(*by),
                    id.0,
                    at.x,
                    at.y
                ),
            ));
        }
        for p in &f.log.joined {
            lines.push((None, format!("player {} joins", p.0)));
        }
        for p in &f.log.left {
            lines.push((None, format!("player {} leaves", p.0)));
        }
        for s in &f.usage.scripts {
            for fault in &s.faults {
                lines.push((Some(s.id), format!("{} faulted: {fault}", name(s.id))));
            }
        }
        for (by, text) in lines {
            self.log.push_back(LogLine { tick, by, text });
        }
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
        self.latest = Some(f);
    }

    /// Refusals of `id` over the last second (20 ticks), by kind.
    pub fn refused_this_second(&self, id: ScriptId) -> BTreeMap<String, u32> {
        let mut out = BTreeMap::new();
        for (_, s, r) in &self.refusals {
            if *s == id {
                for (k, n) in r {
                    *out.entry(k.clone()).or_insert(0) += n;
                }
            }
        }
        out
    }

    /// What `id` is doing, in plain words.
    pub fn state_words(&self, id: ScriptId) -> String {
        let Some(f) = &self.latest else {
            return "starting".into();
        };
        let Some(u) = f.usage.script(id) else {
            return "not running".into();
        };
        let mut words = match &u.state {
            ScriptState::Ready | ScriptState::Running if u.slices > 0 => "running".to_owned(),
            ScriptState::Ready | ScriptState::Running => "waiting for events".to_owned(),
            ScriptState::Suspended { ticks } => {
                format!("in the middle of long work, paused for {ticks} tick(s)")
            }
            ScriptState::BackingOff { until, reason } => {
                format!("resting after a fault until tick {}: {reason}", until.0)
            }
            ScriptState::Disabled { reason } => format!("disabled: {reason}"),
        };
        for (what, n) in self.refused_this_second(id) {
            words.push_str(&format!("; {}", refusal_words(&what, n)));
        }
        words
    }

    /// The panel; returns what the studio must do.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        graph: &VisualScriptGraph,
        inside: &mut dyn FnMut(&mut egui::Ui, Option<&EventTrace>),
    ) -> Option<WorldAction> {
        let mut action = None;
        ui.heading("World preview");
        ui.horizontal(|ui| {
            ui.label("World");
            let current = self
                .scenes
                .get(self.scene)
                .map_or("(none)".into(), |(_, s)| {
                    aether_base::text::escape_output(&s.name).into_owned()
                });
            egui::ComboBox::from_id_salt("world-scene")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for (i, (_, s)) in self.scenes.iter().enumerate() {
                        if ui
                            .selectable_label(
                                i == self.scene,
                                aether_base::text::escape_output(&s.name).as_ref(),
                            )
                            .on_hover_text(
                                aether_base::text::escape_output(&s.description).as_ref(),
                            )
                            .clicked()
                        {
                            self.scene = i;
                            action = Some(WorldAction::Restart);
                        }
                    }
                });
            if ui
                .checkbox(&mut self.scene_scripts, "its scripts too")
                .on_hover_text("Run the world's own scripts beside yours")
                .changed()
            {
                action = Some(WorldAction::Restart);
            }
        });
        ui.horizontal(|ui| {
            let label = if self.playing {
                "⏸ Pause"
            } else {
                "▶ Play"
            };
            if ui.button(label).clicked() {
                self.set_playing(!self.playing);
            }
            if ui
                .button("⏭ Step")
                .on_hover_text("One tick (a twentieth of a second)")
                .clicked()
            {
                self.step();
            }
            if ui
                .button("⟲ Restart")
                .on_hover_text("Start the world again from tick 0")
                .clicked()
            {
                action = Some(WorldAction::Restart);
            }
            ui.label("Speed");
            let before = self.speed;
            egui::ComboBox::from_id_salt("world-speed")
                .width(48.0)
                .selected_text(SPEEDS[self.speed].1)
                .show_ui(ui, |ui| {
                    for (i, (_, label)) in SPEEDS.iter().enumerate() {
                        ui.selectable_value(&mut self.speed, i, *label);
                    }
                });
            if self.speed != before {
                self.worker.send(Command::Speed(SPEEDS[self.speed].0));
            }
        });
        // Inside the edited graph: the event shown, then what the studio draws for it (the
        // debugger).
        let measuring = self.inside.show_fuel;
        self.inside.ui(ui, graph);
        if self.inside.show_fuel != measuring {
            self.worker
                .send(Command::MeasureFuel(self.inside.show_fuel));
        }
        inside(ui, self.inside.shown().map(|(_, e)| e));
        egui::CollapsingHeader::new("Setup: scripts in this world")
            .id_salt("world-setup")
            .default_open(!self.extra.is_empty())
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.label("★ this graph, priority");
                    if ui
                        .add(egui::DragValue::new(&mut self.priority).range(0..=1000))
                        .on_hover_text("Higher runs first when the world is busy")
                        .changed()
                    {
                        action = Some(WorldAction::Restart);
                    }
                });
                let mut remove = None;
                for (i, s) in self.extra.iter_mut().enumerate() {
                    ui.horizontal(|ui| {
                        let name = s.path.file_name().map_or_else(
                            || s.path.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        );
                        ui.label(name).on_hover_text(s.path.display().to_string());
                        ui.label("priority");
                        if ui
                            .add(egui::DragValue::new(&mut s.priority).range(0..=1000))
                            .changed()
                        {
                            action = Some(WorldAction::Restart);
                        }
                        if ui
                            .small_button("✖")
                            .on_hover_text("Take it out of this world")
                            .clicked()
                        {
                            remove = Some(i);
                        }
                    });
                }
                if let Some(i) = remove {
                    self.extra.remove(i);
                    action = Some(WorldAction::Restart);
                }
                ui.horizontal(|ui| {
                    if ui
                        .button("Add script…")
                        .on_hover_text(
                            "A world-script graph, a .wasm or .wat module, or a mod folder",
                        )
                        .clicked()
                    {
                        action = Some(WorldAction::AddScript);
                    }
                    if ui.button("Open setup…").clicked() {
                        action = Some(WorldAction::OpenSetup);
                    }
                    if ui
                        .button("Save setup…")
                        .on_hover_text("The world, its scripts and their priorities, in one file")
                        .clicked()
                    {
                        action = Some(WorldAction::SaveSetup);
                    }
                });
            });
        ui.horizontal(|ui| {
            ui.label("On edit:");
            ui.radio_value(&mut self.restart_on_edit, false, "swap my script in")
                .on_hover_text("The world and the other scripts go on; your script starts fresh");
            ui.radio_value(&mut self.restart_on_edit, true, "restart the world");
        });
        if let Some(p) = &self.problem {
            ui.colored_label(
                Color32::from_rgb(255, 140, 100),
                aether_base::text::escape_output(p).as_ref(),
            );
        }
        let Some(f) = self.latest.as_deref() else {
            ui.weak("Starting the world…");
            return action;
        };
        let scene = self.scenes.get(self.scene).map(|(_, s)| s);
        ui.label(
            RichText::new(format!(
                "tick {} · {} entities · {} player(s) online{}",
                f.tick,
                f.entities.len(),
                f.online.len(),
                self.swapped.map_or(String::new(), |d| format!(
                    " · your script updated in {} ms",
                    d.as_millis()
                ))
            ))
            .small(),
        );
        if let Some(scene) = scene {
            map::world_ui(ui, scene, f, &self.sounds);
        }
        if !self.screens.is_empty() || !f.objectives.is_empty() {
            ui.label(RichText::new("On the players' screens").strong());
            for (to, text) in &f.objectives {
                let who = to.map_or("everyone".to_owned(), |p| format!("player {p}"));
                ui.label(format!("Objective for {who}: {text}"));
            }
            for (to, (at, text)) in &self.screens {
                let who = to.map_or("Everyone".to_owned(), |p| format!("Player {p}"));
                let fresh = f.tick.saturating_sub(*at) < 60;
                let line = RichText::new(format!("{who}: “{text}”"));
                ui.label(if fresh { line } else { line.weak() })
                    .on_hover_text(format!("shown at tick {at}"));
            }
        }
        egui::CollapsingHeader::new("Scripts")
            .id_salt("world-scripts")
            .default_open(true)
            .show(ui, |ui| self.scripts_ui(ui, f));
        egui::CollapsingHeader::new("What players see and hear")
            .id_salt("world-log")
            .default_open(true)
            .show(ui, |ui| {
                let label = |filter: LogFilter| match filter {
                    LogFilter::All => "every script".to_owned(),
                    LogFilter::Mine => "my script only".to_owned(),
                    LogFilter::Script(id) => f
                        .scripts
                        .iter()
                        .find(|s| s.id == id)
                        .map_or_else(|| format!("script {}", id.0), |s| s.name.clone()),
                };
                ui.horizontal(|ui| {
                    ui.label("Show");
                    egui::ComboBox::from_id_salt("world-log-filter")
                        .selected_text(label(self.log_filter))
                        .show_ui(ui, |ui| {
                            let mut choices = vec![LogFilter::All, LogFilter::Mine];
                            choices.extend(f.scripts.iter().map(|s| LogFilter::Script(s.id)));
                            for c in choices {
                                ui.selectable_value(&mut self.log_filter, c, label(c));
                            }
                        });
                });
                let shows = |l: &LogLine| match self.log_filter {
                    LogFilter::All => true,
                    LogFilter::Mine => l.by.is_some() && l.by == self.edited,
                    LogFilter::Script(id) => l.by == Some(id),
                };
                if !self.log.iter().any(shows) {
                    ui.weak("Nothing yet.");
                }
                // Drag the bottom edge to give the log more room.
                egui::Resize::default()
                    .id_salt("world-log-size")
                    .default_height(220.0)
                    .min_height(80.0)
                    .max_width(ui.available_width())
                    .show(ui, |ui| {
                        egui::ScrollArea::vertical()
                            .id_salt("world-log-scroll")
                            .stick_to_bottom(true)
                            .auto_shrink([false, false])
                            .show(ui, |ui| {
                                for l in self.log.iter().filter(|l| shows(l)) {
                                    ui.label(format!("{:>5}  {}", l.tick, l.text));
                                }
                            });
                    });
            });
        action
    }

    fn scripts_ui(&self, ui: &mut egui::Ui, f: &Frame) {
        let budget = f.usage.fuel_budget.max(1);
        for s in &f.scripts {
            let mine = Some(s.id) == self.edited;
            let fuel: u64 = self
                .fuel
                .iter()
                .filter(|(_, id, _)| *id == s.id)
                .map(|(_, _, n)| n)
                .sum();
            let ticks = self
                .fuel
                .iter()
                .filter(|(_, id, _)| *id == s.id)
                .count()
                .max(1) as u64;
            let per_tick = fuel / ticks;
            let cap = aether_world::limits::ms_to_fuel(
                s.limits.max_cpu_ms_per_tick,
                aether_world::SchedulerPolicy::default().fuel_per_ms,
            )
            .max(1);
            ui.horizontal(|ui| {
                let title = format!(
                    "{}{} {} · priority {}",
                    if mine { "★ " } else { "" },
                    s.name,
                    s.version,
                    s.priority
                );
                ui.label(RichText::new(title).strong())
                    .on_hover_text(if mine {
                        "The graph you are editing"
                    } else {
                        s.label.as_str()
                    });
            });
            let frac = per_tick as f32 / cap as f32;
            crate::studio::preview::meter(
                ui,
                frac,
                &format!(
                    "CPU {} fuel a tick of {} ({:.1}% of its cap, {:.2}% of the world's budget)",
                    aether_base::text::group_digits(per_tick),
                    aether_base::text::group_digits(cap),
                    frac * 100.0,
                    per_tick as f64 * 100.0 / budget as f64
                ),
            );
            // What the script is doing; a refusal or a fault stands out (it was small grey text).
            let words = self.state_words(s.id);
            let trouble = ["throttled", "refused", "fault", "disabled", "over its"]
                .iter()
                .any(|w| words.contains(w));
            if trouble {
                ui.colored_label(Color32::from_rgb(240, 190, 60), words);
            } else {
                ui.label(RichText::new(words).small());
            }
            if let Some((_, entries)) = f.storage.iter().find(|(n, _)| *n == s.name)
                && !entries.is_empty()
            {
                let shown: Vec<String> = entries
                    .iter()
                    .take(8)
                    .map(|(k, v)| format!("{} = {}", String::from_utf8_lossy(k), value_words(v)))
                    .collect();
                ui.label(
                    RichText::new(format!(
                        "storage: {}{}",
                        shown.join(", "),
                        if entries.len() > 8 { ", …" } else { "" }
                    ))
                    .small()
                    .weak(),
                );
            }
            ui.add_space(4.0);
        }
    }
}

impl Default for WorldView {
    fn default() -> Self {
        Self::new()
    }
}

/// The built-in sample worlds (none if they do not parse, which `tests/samples.rs` prevents).
fn creator_studio_worlds() -> Vec<(String, Scene)> {
    crate::samples::worlds().unwrap_or_else(|e| {
        eprintln!("warning: {e}");
        Vec::new()
    })
}

/// A stored value: a Number when it is 4 bytes (what graphs store), else text or bytes.
pub fn value_words(v: &[u8]) -> String {
    match <[u8; 4]>::try_from(v) {
        Ok(b) => i32::from_le_bytes(b).to_string(),
        Err(_) => match std::str::from_utf8(v) {
            Ok(t) => format!("“{}”", aether_base::text::escape(t)),
            Err(_) => format!("{} bytes", v.len()),
        },
    }
}

/// A refusal count in words: "throttled: 3 spawns this second".
pub fn refusal_words(what: &str, n: u32) -> String {
    let (import, code) = what.split_once(": ").unwrap_or((what, ""));
    let thing = match import {
        "entity_spawn" => "spawn",
        "entity_destroy" => "despawn",
        "entity_position" => "position look-up",
        "physics_apply_force" => "push",
        "audio_play" => "sound",
        "network_send" => "message",
        "storage_read" => "storage read",
        "storage_write" => "storage write",
        "ui_message" => "text",
        other => other,
    };
    let plural = if n == 1 { "" } else { "s" };
    match code {
        "throttled" => format!("throttled {n} {thing}{plural} this second (over its rate limit)"),
        "quota_exceeded" => format!("{n} {thing}{plural} refused: storage full"),
        "not_found" => format!("{n} {thing}{plural} found nothing"),
        "not_permitted" => format!("{n} {thing}{plural} not allowed"),
        _ => format!("{n} {thing}{plural} refused ({code})"),
    }
}
