//! The Creator Studio window: a thin view over the core.
//!
//! [`Studio`] owns one [`Document`] (the core graph, its history and diagnostics), the canvas that
//! draws it, the palette, the preview and its worker thread, and the dialogs. Every change the
//! user makes becomes a core edit through [`Document::edit`]; the canvas is re-synced from the
//! core graph, never the other way round. Layout: menu bar on top, palette and variables on the
//! left, the turn preview on the right, problems and the status line at the bottom, the canvas in
//! the middle.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aether_lang::catalog::{self, Choices, PinType};
use aether_lang::check::{self, Severity};
use aether_lang::graph::{
    Comment, FunctionId, NodeId, PortRef, ScriptKind, Value, VisualScriptGraph,
};
use egui::{Color32, Key, KeyboardShortcut, Modifiers, RichText};

pub mod canvas;
pub mod debugger;
pub mod document;
pub mod duel_lab;
pub mod export;
pub mod files;
pub mod find;
pub mod functions;
pub mod map;
pub mod opponents;
pub mod palette;
pub mod preview;
pub mod world_inside;
pub mod world_map;
pub mod world_view;

use canvas::{Canvas, Intent};
use debugger::DebugAction;
use document::Document;
use duel_lab::{DuelLab, LabAction};
use export::{ExportAction, ExportDialog};
use files::{Autosave, Picked, Pickers, Purpose, Session};
use palette::{AddMenu, AddOutcome, Palette, PaletteAction, VariableAction, VariablesPanel};
use preview::{Job, Preview, PreviewAction, Worker};
use world_view::{WorldAction, WorldView};

/// The templates a new graph can start from: (title, file text).
pub const TEMPLATES: [(&str, &str); 5] = [
    (
        "Melee rusher",
        include_str!("../examples/graphs/melee-rusher.mcgraph.json"),
    ),
    (
        "Archer skirmisher",
        include_str!("../examples/graphs/archer-skirmisher.mcgraph.json"),
    ),
    (
        "Hill defender",
        include_str!("../examples/graphs/hill-defender.mcgraph.json"),
    ),
    (
        "Mage support",
        include_str!("../examples/graphs/mage-support.mcgraph.json"),
    ),
    (
        "Tactician",
        include_str!("../examples/graphs/tactician.mcgraph.json"),
    ),
];

/// The sample the preview starts on (the mid-size one).
pub const DEFAULT_SAMPLE: &str = "states/battle";

/// How long after the last edit the preview recompiles.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// How the studio starts.
#[derive(Clone, Debug)]
pub struct Options {
    /// A graph file to open (else the last project, else a template).
    pub file: Option<PathBuf>,
    /// The studio's own folder (recent files, autosave).
    pub home: PathBuf,
    /// Try native file dialogs first.
    pub native_dialogs: bool,
    /// How often unsaved changes are written to the autosave.
    pub autosave_every: Duration,
    /// Save a screenshot of the window here once the preview shows, then quit.
    pub screenshot: Option<PathBuf>,
    /// The program that compiles modules from files in a guarded child process (the studio
    /// itself: it serves as compile worker); without one, such files are refused.
    pub compile_worker: Option<PathBuf>,
    /// A replay to open in the duel lab at start.
    pub replay: Option<PathBuf>,
}

impl Options {
    /// The defaults for a user's machine.
    pub fn from_env(file: Option<PathBuf>) -> Self {
        Self {
            file,
            home: files::default_home(),
            native_dialogs: Pickers::native_available(),
            autosave_every: Duration::from_secs(20),
            screenshot: None,
            compile_worker: std::env::current_exe().ok(),
            replay: None,
        }
    }
}

/// What the right-hand panel shows for an AI controller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RightTab {
    /// One turn, live as the graph changes.
    #[default]
    Preview,
    /// Duels, batches, tournaments and replays.
    DuelLab,
}

/// The world-script templates: (title, file text).
pub const WORLD_TEMPLATES: [(&str, &str); 4] = [
    (
        "Wave spawner",
        include_str!("../examples/graphs/wave-spawner.mcgraph.json"),
    ),
    (
        "King of the hill scoreboard",
        include_str!("../examples/graphs/hill-scoreboard.mcgraph.json"),
    ),
    (
        "Announcer",
        include_str!("../examples/graphs/announcer.mcgraph.json"),
    ),
    (
        "Physics bumper",
        include_str!("../examples/graphs/bumper.mcgraph.json"),
    ),
];

/// A template graph by index (0: the melee rusher).
pub fn template(index: usize) -> VisualScriptGraph {
    TEMPLATES
        .get(index)
        .and_then(|(_, text)| VisualScriptGraph::from_json(text).ok())
        .unwrap_or_default()
}

/// A world-script template by index (0: the wave spawner).
pub fn world_template(index: usize) -> VisualScriptGraph {
    WORLD_TEMPLATES
        .get(index)
        .and_then(|(_, text)| VisualScriptGraph::from_json(text).ok())
        .unwrap_or_else(VisualScriptGraph::new_world_script)
}

/// What File > New starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewGraph {
    /// An AI-controller template, by index.
    Ai(usize),
    /// A world-script template, by index.
    World(usize),
    /// An empty graph of this kind.
    Empty(ScriptKind),
}

/// What to do once unsaved changes are dealt with.
#[derive(Clone, Debug, PartialEq)]
enum Then {
    Close,
    New(NewGraph),
    Open(PathBuf),
    PickOpen,
}

/// An open dialog asking about unsaved changes.
#[derive(Clone, Debug)]
struct Confirm {
    then: Then,
}

/// The screenshot mode's progress.
#[derive(Debug)]
struct Shot {
    path: PathBuf,
    frames: u32,
    requested: bool,
    started: Instant,
}

/// The studio.
pub struct Studio {
    opts: Options,
    doc: Document,
    canvas: Canvas,
    palette: Palette,
    variables: VariablesPanel,
    functions: functions::FunctionsPanel,
    /// The functions opened on the way to the canvas shown (empty: the graph's own).
    trail: Vec<FunctionId>,
    /// The preview's settings and last result.
    pub preview: Preview,
    /// The world preview (for world scripts).
    pub world: WorldView,
    /// The duel lab (for AI controllers).
    pub duel_lab: DuelLab,
    /// What the right-hand panel shows for an AI controller.
    pub right_tab: RightTab,
    /// Breakpoints and the paused turn.
    pub debugger: debugger::Debugger,
    /// Find (Ctrl+F).
    pub find: find::FindBar,
    /// The frame being dragged and the nodes it carries (those inside it when the drag began).
    carrying: Option<(usize, Vec<NodeId>)>,
    worker: Worker,
    jobs: u64,
    /// Results of jobs up to this id belong to a document since replaced: they are dropped.
    replaced_after: u64,
    edited_at: Option<Instant>,
    requested: Option<(u64, usize, u8, u64, usize, bool)>,
    add_menu: Option<AddMenu>,
    pickers: Pickers,
    session: Session,
    export: Option<ExportDialog>,
    confirm: Option<Confirm>,
    recovery: Option<Autosave>,
    error: Option<String>,
    status: String,
    clipboard: Option<String>,
    title: String,
    autosaved: (u64, Instant),
    allow_close: bool,
    shot: Option<Shot>,
    select_after_sync: Option<Vec<NodeId>>,
    show_help: bool,
    /// The About window is open.
    show_about: bool,
    frames: u64,
    /// Which preview (and pause) the canvas's hover values came from.
    values_for: Option<(u64, usize, usize, usize, Option<usize>)>,
    /// A breakpoint was reached in the running world: pause the debugger there once the event
    /// is on show.
    break_pending: bool,
}

impl std::fmt::Debug for Studio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Studio")
            .field("doc", &self.doc.title())
            .field("version", &self.doc.version())
            .finish_non_exhaustive()
    }
}

impl Studio {
    /// Opens the studio: the given file, else the last project, else the melee-rusher template;
    /// the preview of its first turn on the mid-size sample is ready before the first frame.
    pub fn new(opts: Options) -> Self {
        let session = Session::load(&opts.home);
        let recovery = Autosave::find(&opts.home);
        let mut status = String::new();
        let wanted = opts
            .file
            .clone()
            .or_else(|| session.last_project().map(Path::to_path_buf));
        let (graph, path) = match wanted {
            Some(p) => match VisualScriptGraph::load(&p) {
                Ok(g) => (g, Some(p)),
                Err(e) => {
                    status = format!("Could not open: {e}. Started from a template instead.");
                    (template(0), None)
                }
            },
            None => {
                status = "New graph from the Melee rusher template. Edit it, watch the preview, save with Ctrl+S.".into();
                (template(0), None)
            }
        };
        let doc = Document::new(graph, path);
        let shot = opts.screenshot.clone().map(|path| Shot {
            path,
            frames: 0,
            requested: false,
            started: Instant::now(),
        });
        let mut studio = Self {
            pickers: Pickers::new(opts.native_dialogs),
            doc,
            canvas: Canvas::new(),
            palette: Palette::default(),
            variables: VariablesPanel::default(),
            functions: functions::FunctionsPanel::default(),
            trail: Vec::new(),
            preview: Preview::new(preview::builtin_samples(), DEFAULT_SAMPLE),
            world: WorldView::new(),
            duel_lab: DuelLab::new(
                &preview::builtin_samples(),
                Some(aether_host::CompileCache::on_disk(
                    opts.home.join("compile-cache"),
                )),
                opts.compile_worker.clone(),
            ),
            right_tab: RightTab::default(),
            debugger: debugger::Debugger::default(),
            find: find::FindBar::default(),
            carrying: None,
            worker: Worker::spawn(
                Some(aether_host::CompileCache::on_disk(
                    opts.home.join("compile-cache"),
                )),
                opts.compile_worker.clone(),
            ),
            jobs: 0,
            replaced_after: 0,
            edited_at: None,
            requested: None,
            add_menu: None,
            session,
            export: None,
            confirm: None,
            recovery,
            error: None,
            status,
            clipboard: None,
            title: String::new(),
            autosaved: (0, Instant::now()),
            allow_close: false,
            shot,
            select_after_sync: None,
            show_help: false,
            show_about: false,
            frames: 0,
            values_for: None,
            break_pending: false,
            opts,
        };
        if studio.is_world() {
            studio.start_world();
            return studio;
        }
        if let Some(replay) = studio.opts.replay.clone() {
            studio.right_tab = RightTab::DuelLab;
            studio.duel_lab.open_replay(&replay);
        }
        // The first preview is ready when the window opens (when a job was sent: a graph with
        // errors sends none, and waiting for one held the window back 30 s).
        studio.schedule_preview(None);
        if studio.preview.waiting.is_some()
            && let Some(done) = studio.worker.wait(Duration::from_secs(30))
        {
            studio.receive(done);
        }
        studio
    }

    /// The open document.
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The text in the palette's Find node box.
    pub fn palette_query(&self) -> &str {
        &self.palette.query
    }

    /// The canvas (for tests: where nodes and ports were drawn).
    pub fn canvas(&self) -> &Canvas {
        &self.canvas
    }

    /// The canvas, to change the view.
    pub fn canvas_mut(&mut self) -> &mut Canvas {
        &mut self.canvas
    }

    /// The status line's text.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// The error dialog's text, if one is open.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Whether the preview is waiting for the worker or for the debounce.
    pub fn preview_pending(&self) -> bool {
        self.preview.waiting.is_some() || self.requested != Some(self.preview_key())
    }

    /// Waits for the worker's next result and takes it in (tests).
    pub fn wait_preview(&mut self, timeout: Duration) -> bool {
        match self.worker.wait(timeout) {
            Some(done) => {
                self.receive(done);
                true
            }
            None => false,
        }
    }

    fn preview_key(&self) -> (u64, usize, u8, u64, usize, bool) {
        (
            self.doc.structure_version(),
            self.preview.sample,
            self.preview.slot,
            self.preview.seed,
            self.preview.history.len(),
            self.preview.show_fuel,
        )
    }

    fn receive(&mut self, done: preview::Finished) {
        if done.id <= self.replaced_after {
            // A turn of the graph that was open before: neither its turn nor its step applies.
            return;
        }
        let advanced = done.advanced.is_some();
        self.preview.receive(done, self.doc.structure_version());
        if advanced {
            self.requested = Some(self.preview_key());
        }
    }

    /// Whether the open graph is a world script (the world preview shows instead of turns).
    pub fn is_world(&self) -> bool {
        self.doc.graph().kind == ScriptKind::WorldScript
    }

    /// (Re)starts the world preview with the graph as it is (without it while it has errors).
    fn start_world(&mut self) {
        let version = self.doc.structure_version();
        self.requested = Some(self.preview_key());
        if check::has_errors(self.doc.diagnostics()) {
            self.world.start(None, version);
        } else {
            let g = self.doc.graph().clone();
            self.world.start(Some(&g), version);
        }
    }

    /// "The graph has 2 errors", when it has any.
    fn errors_in_words(&self) -> Option<String> {
        let n = self
            .doc
            .diagnostics()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        (n > 0).then(|| format!("The graph has {n} error{}", if n == 1 { "" } else { "s" }))
    }

    /// Sends the edited world script to the world (after the debounce), unless it has errors.
    fn update_world(&mut self) {
        let version = self.doc.structure_version();
        self.requested = Some(self.preview_key());
        if let Some(errors) = self.errors_in_words() {
            self.world.problem = Some(format!(
                "{errors}: the world runs the last version that worked. Fix the problems listed \
                 below the canvas."
            ));
            self.world.sent = Some(version);
            return;
        }
        let g = self.doc.graph().clone();
        self.world.edited(&g, version);
    }

    /// Sends a preview job now (with `advance`, stepping to the next turn first).
    fn schedule_preview(&mut self, advance: Option<Vec<opponents::Opponent>>) {
        if self.is_world() {
            self.update_world();
            return;
        }
        let key = self.preview_key();
        self.requested = Some(key);
        if let Some(errors) = self.errors_in_words() {
            self.preview.stale = Some(format!(
                "{errors}: showing the last turn that worked. Fix the problems listed below the \
                 canvas."
            ));
            return;
        }
        let Some(state) = self.preview.state().cloned() else {
            return;
        };
        self.jobs += 1;
        self.preview.waiting = Some(self.jobs);
        self.worker.send(Job {
            id: self.jobs,
            version: self.doc.structure_version(),
            graph: self.doc.graph().clone(),
            state,
            slot: self.preview.slot,
            seed: self.preview.seed,
            advance,
            trace: self.preview.show_fuel,
        });
    }

    /// Everything the window shows, one frame.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let _ = self.worker.repaint.set(ctx.clone());
        self.world.set_context(&ctx);
        self.frames += 1;
        for done in self.worker.poll() {
            self.receive(done);
        }
        self.world.poll();
        self.keep_scope_valid();
        // A breakpoint reached in the running world: pause it on that event.
        let arrived = std::mem::take(&mut self.world.arrived);
        if self.is_world()
            && !self.debugger.breakpoints.is_empty()
            && let Some(seq) = self.world.inside.hit(&arrived, &self.debugger.breakpoints)
        {
            self.world.set_playing(false);
            self.world.inside.picked = Some(seq);
            self.break_pending = true;
        }
        self.duel_lab.poll(&ctx);
        self.handle_close(&ctx);
        self.shortcuts(&ctx);

        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&self.status).small());
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(
                        RichText::new(format!(
                            "{} nodes · {} wires · zoom {:.0}%",
                            self.doc.graph().nodes().count(),
                            self.doc.graph().links().count(),
                            self.canvas.zoom() * 100.0
                        ))
                        .small(),
                    );
                });
            });
        });
        // The canvas keeps priority: the side panels start at a share of the window, can be
        // resized by their edge within bounds, and never take more than their share, whatever
        // they hold (a large state's map scales down to its panel).
        let (width, height) = {
            let r = ctx.content_rect();
            (r.width(), r.height())
        };
        egui::Panel::bottom("problems")
            .resizable(true)
            .default_size(100.0)
            .size_range(60.0..=(height * 0.45).max(80.0))
            .show(ui, |ui| self.problems_ui(ui));
        egui::Panel::left("palette")
            .resizable(true)
            .default_size((width * 0.17).clamp(150.0, 230.0))
            .size_range(140.0..=(width * 0.25).max(160.0))
            .show(ui, |ui| self.left_ui(ui));
        egui::Panel::right("preview")
            .resizable(true)
            .default_size((width * 0.3).clamp(260.0, 460.0))
            .size_range(240.0..=(width * 0.42).max(260.0))
            .show(ui, |ui| {
                // A solid scroll bar beside the content (a floating one covered the ends of
                // the action lines), and a new turn or sample starts at the top.
                ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
                if self.is_world() {
                    egui::ScrollArea::vertical()
                        .id_salt("world-panel")
                        .show(ui, |ui| {
                            // The debugger works on the event shown inside the graph.
                            let graph = self.doc.graph();
                            let debugger = &mut self.debugger;
                            let selected = self.canvas.selection();
                            let mut show = None;
                            let a = self.world.ui(ui, graph, &mut |ui, event| {
                                let trace = event.map(|e| e.trace.as_slice());
                                let why = match (event, &selected[..]) {
                                    (Some(e), [n]) => {
                                        aether_lang::explain::explain(graph, &e.trace, *n)
                                            .map(|w| (*n, w))
                                    }
                                    _ => None,
                                };
                                match debugger.ui(
                                    ui,
                                    graph,
                                    trace,
                                    why.as_ref().map(|(n, w)| (*n, w)),
                                ) {
                                    Some(DebugAction::Show(n)) => show = Some(n),
                                    Some(a) => {
                                        if let Some(t) = trace {
                                            debugger.apply(a, graph, t);
                                        }
                                    }
                                    None => {}
                                }
                            });
                            if let Some(n) = show {
                                self.show_node(n);
                            }
                            if let Some(a) = a {
                                self.world_action(a);
                            }
                        });
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
                    let errors = self.errors_in_words();
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
                    .show(ui, |ui| {
                        // The debugger first: its buttons stay in view above the map.
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
                                }
                            }
                            None => {}
                        }
                        if let Some(a) = self.preview.ui(ui) {
                            self.preview_action(a);
                        }
                    });
            });
        let mut canvas_rect = egui::Rect::NOTHING;
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                canvas_rect = ui.max_rect();
                self.canvas.sync(
                    self.doc.graph(),
                    self.doc.diagnostics(),
                    self.doc.structure_version(),
                );
                if let Some(sel) = self.select_after_sync.take() {
                    self.canvas.select(&sel);
                }
                // Queries that came back empty in the previewed turn, when it is this graph's.
                let empty = std::collections::BTreeMap::new();
                let found = match (&self.preview.shown, &self.preview.stale) {
                    (Some((view, _)), None) if !self.is_world() => &view.found_nothing,
                    _ => &empty,
                };
                self.canvas.set_found_nothing(found);
                if self.is_world() {
                    self.world_values();
                } else {
                    self.turn_values();
                }
                self.canvas.covered = self.modal_open()
                    || self.add_menu.is_some()
                    || self.show_help
                    || self.show_about;
                // Comments are drawn on the graph's own canvas.
                let comments = match self.canvas.scope() {
                    None => &self.doc.graph().comments[..],
                    Some(_) => &[],
                };
                let intents = self.canvas.show(ui, comments);
                self.apply(intents);
                // The breadcrumb sits at the bottom left of the canvas, clear of the nodes a
                // Frame All lays out from the top left.
                let at = ui.max_rect().left_bottom() + egui::vec2(8.0, -44.0);
                if let Some(a) =
                    self.functions
                        .breadcrumb(ui.ctx(), at, self.doc.graph(), &self.trail)
                {
                    self.function_action(a);
                }
                if !ui.input(|i| i.pointer.any_down()) {
                    self.doc.end_gesture();
                    self.carrying = None;
                }
            });

        let version = self.doc.version();
        if let Some(m) = self.find.ui(&ctx, canvas_rect, self.doc.graph(), version) {
            self.show_match(&m);
        }
        self.dialogs(&ctx);
        self.tick(&ctx);
    }

    /// Timers: the debounced preview, the autosave, the title, the screenshot.
    fn tick(&mut self, ctx: &egui::Context) {
        if self.requested != Some(self.preview_key()) {
            let graph_changed = self
                .requested
                .is_none_or(|r| r.0 != self.doc.structure_version());
            let wait = if graph_changed {
                self.edited_at
                    .map_or(Duration::ZERO, |t| DEBOUNCE.saturating_sub(t.elapsed()))
            } else {
                Duration::ZERO
            };
            if wait.is_zero() {
                self.schedule_preview(None);
            } else {
                ctx.request_repaint_after(wait);
            }
        }
        if self.doc.is_dirty()
            && self.doc.version() != self.autosaved.0
            && self.autosaved.1.elapsed() >= self.opts.autosave_every
        {
            self.autosave();
        } else if self.doc.is_dirty() && self.doc.version() != self.autosaved.0 {
            ctx.request_repaint_after(self.opts.autosave_every);
        }
        let title = format!(
            "{}{} — Creator Studio",
            if self.doc.is_dirty() { "● " } else { "" },
            self.doc.title()
        );
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        self.screenshot(ctx);
    }

    /// Writes the autosave in the background.
    pub fn autosave(&mut self) {
        self.autosaved = (self.doc.version(), Instant::now());
        let save = Autosave {
            text: self.doc.graph().to_json(),
            original: self.doc.path.clone(),
            written: files::now_secs(),
        };
        let home = self.opts.home.clone();
        let _ = std::thread::Builder::new()
            .name("autosave".into())
            .spawn(move || {
                if let Err(e) = save.write(&home) {
                    eprintln!("warning: autosave to {} failed: {e}", home.display());
                }
            });
    }

    /// The window title (as last sent).
    pub fn title(&self) -> &str {
        &self.title
    }

    fn screenshot(&mut self, ctx: &egui::Context) {
        let Some(shot) = self.shot.as_mut() else {
            return;
        };
        shot.frames += 1;
        ctx.request_repaint();
        let shots: Vec<std::sync::Arc<egui::ColorImage>> = ctx.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::Screenshot { image, .. } => Some(image.clone()),
                    _ => None,
                })
                .collect()
        });
        if let Some(image) = shots.first() {
            let path = shot.path.clone();
            match write_png(&path, image) {
                Ok(()) => println!("screenshot written to {}", path.display()),
                Err(e) => eprintln!("error: cannot write the screenshot {}: {e}", path.display()),
            }
            self.allow_close = true;
            self.shot = None;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        let ready = if self.doc.graph().kind == ScriptKind::WorldScript {
            self.world.latest.as_ref().is_some_and(|f| f.tick >= 60)
        } else {
            self.preview.shown.is_some() && self.preview.waiting.is_none()
        };
        if !shot.requested && ready && shot.frames > 20 {
            shot.requested = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(egui::UserData::default()));
        }
        if shot.started.elapsed() > Duration::from_secs(120) {
            eprintln!("error: no screenshot after two minutes");
            self.allow_close = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    fn handle_close(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && !self.allow_close {
            if self.doc.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.confirm = Some(Confirm { then: Then::Close });
            } else {
                self.allow_close = true;
            }
        }
    }

    /// Called once the window closes for good: the autosave is no longer needed.
    pub fn exiting(&mut self) {
        Autosave::discard(&self.opts.home);
    }

    // ----- menus and panels -----

    fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                ui.menu_button("New", |ui| {
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
                });
                if ui.button("Open…  Ctrl+O").clicked() {
                    self.guarded(Then::PickOpen);
                }
                ui.menu_button("Open recent", |ui| {
                    if self.session.recent.is_empty() {
                        ui.weak("Nothing yet");
                    }
                    for p in self.session.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            self.guarded(Then::Open(p));
                        }
                    }
                });
                ui.separator();
                if ui.button("Save  Ctrl+S").clicked() {
                    self.save();
                }
                if ui.button("Save as…  Ctrl+Shift+S").clicked() {
                    self.save_as();
                }
                ui.separator();
                if ui.button("Export mod…  Ctrl+E").clicked() {
                    self.open_export();
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = self.doc.undo_name().map(|n| format!("Undo {n}  Ctrl+Z"));
                if ui
                    .add_enabled(
                        undo.is_some(),
                        egui::Button::new(undo.unwrap_or("Undo".into())),
                    )
                    .clicked()
                {
                    self.undo();
                }
                let redo = self
                    .doc
                    .redo_name()
                    .map(|n| format!("Redo {n}  Ctrl+Shift+Z"));
                if ui
                    .add_enabled(
                        redo.is_some(),
                        egui::Button::new(redo.unwrap_or("Redo".into())),
                    )
                    .clicked()
                {
                    self.redo();
                }
                ui.separator();
                if ui.button("Cut  Ctrl+X").clicked() {
                    self.copy(ui.ctx(), true);
                }
                if ui.button("Copy  Ctrl+C").clicked() {
                    self.copy(ui.ctx(), false);
                }
                if ui.button("Paste  Ctrl+V").clicked()
                    && let Some(text) = self.clipboard.clone()
                {
                    self.paste(&text, None);
                }
                if ui.button("Duplicate  Ctrl+D").clicked() {
                    self.duplicate();
                }
                if ui.button("Make function  Ctrl+G").clicked() {
                    self.make_function();
                }
                if ui.button("Delete  Del").clicked() {
                    self.delete_selection();
                }
                if ui.button("Select all  Ctrl+A").clicked() {
                    self.select_all();
                }
                ui.separator();
                if ui.button("Comment around selection  C").clicked() {
                    self.add_comment();
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Frame all  F").clicked() {
                    self.canvas.frame_all();
                }
                if ui.button("Zoom 100%").clicked() {
                    self.canvas.zoom_to(1.0);
                }
                if ui.button("Zoom in  +").clicked() {
                    let z = self.canvas.zoom();
                    self.canvas.zoom_to(z * 1.25);
                }
                if ui.button("Zoom out  -").clicked() {
                    let z = self.canvas.zoom();
                    self.canvas.zoom_to(z / 1.25);
                }
            });
            ui.menu_button("Help", |ui| {
                if ui.button("Getting started").clicked() {
                    self.show_help = true;
                }
                if ui.button("About Creator Studio").clicked() {
                    self.show_about = true;
                }
            });
            ui.separator();
            ui.label(RichText::new(self.doc.title()).strong());
            if self.doc.is_dirty() {
                ui.label(RichText::new("● unsaved changes").color(Color32::from_rgb(240, 190, 60)))
                    .on_hover_text("Ctrl+S saves them");
            }
            let g = self.doc.graph();
            ui.label(RichText::new(format!("{} {}", g.name, g.version)).weak());
        });
    }

    fn left_ui(&mut self, ui: &mut egui::Ui) {
        match self.palette.ui(ui, self.doc.graph()) {
            Some(PaletteAction::Add(kind)) => {
                let at = free_spot(self.doc.graph(), self.canvas.centre());
                self.add_node(kind, at, None);
            }
            Some(PaletteAction::Call(f)) => {
                self.function_action(functions::FunctionAction::Call(f))
            }
            None => {}
        }
        ui.separator();
        // Variables, functions and comments below the palette scroll together, so an open
        // function's inputs and outputs are in reach on a small window.
        egui::ScrollArea::vertical()
            .id_salt("left-below-palette")
            .show(ui, |ui| self.below_palette_ui(ui));
    }

    fn below_palette_ui(&mut self, ui: &mut egui::Ui) {
        if let Some(a) = self.variables.ui(ui, self.doc.graph()) {
            match a {
                VariableAction::Add(v) => {
                    self.doc.edit("Add variable", None, |g| g.variables.push(v));
                }
                VariableAction::FindUsages(name) => {
                    self.find.open_with(&name);
                    let version = self.doc.version();
                    if let Some(m) = self.find.next(self.doc.graph(), version) {
                        self.show_match(&m);
                    }
                }
                VariableAction::Remove(i) => {
                    self.doc.edit("Remove variable", None, |g| {
                        if i < g.variables.len() {
                            g.variables.remove(i);
                        }
                    });
                }
            }
        }
        ui.separator();
        let selected = self.canvas.selection().len();
        if let Some(a) = self
            .functions
            .ui(ui, self.doc.graph(), self.canvas.scope(), selected)
        {
            self.function_action(a);
        }
        ui.separator();
        ui.heading("Comments");
        let mut change: Option<(usize, Option<String>)> = None;
        for (i, c) in self.doc.graph().comments.iter().enumerate() {
            let mut text = c.text.clone();
            ui.horizontal(|ui| {
                let r = ui.add(
                    egui::TextEdit::singleline(&mut text)
                        .id_salt(("comment", i))
                        .desired_width(140.0),
                );
                if r.changed() {
                    change = Some((i, Some(text.clone())));
                }
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove the comment")
                    .clicked()
                {
                    change = Some((i, None));
                }
            });
        }
        if let Some((i, text)) = change {
            match text {
                Some(t) => {
                    self.doc
                        .edit("Edit comment", Some(format!("comment {i}")), |g| {
                            if let Some(c) = g.comments.get_mut(i) {
                                c.text = t;
                            }
                        });
                }
                None => {
                    self.doc.edit("Remove comment", None, |g| {
                        if i < g.comments.len() {
                            g.comments.remove(i);
                        }
                    });
                }
            }
        }
        if ui
            .button("Comment around selection")
            .on_hover_text("Select nodes, then press C")
            .clicked()
        {
            self.add_comment();
        }
    }

    fn problems_ui(&mut self, ui: &mut egui::Ui) {
        // A problem inside a function shows its node on the function's canvas.
        if let Some(n) = self.problem_list(ui) {
            self.show_node(n);
        }
    }

    /// The Problems panel; returns the node of the problem clicked, if any.
    fn problem_list(&mut self, ui: &mut egui::Ui) -> Option<NodeId> {
        let mut clicked = None;
        let (doc, canvas) = (&self.doc, &self.canvas);
        let diags = doc.diagnostics();
        let errors = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        ui.horizontal(|ui| {
            ui.heading("Problems");
            if diags.is_empty() {
                ui.label(
                    RichText::new("✔ none: the graph compiles")
                        .color(Color32::from_rgb(110, 210, 120)),
                );
            } else {
                ui.label(format!(
                    "{errors} error{}, {} warning{} (click one to show its node)",
                    if errors == 1 { "" } else { "s" },
                    diags.len() - errors,
                    if diags.len() - errors == 1 { "" } else { "s" }
                ));
            }
            if canvas.hidden_links > 0 {
                ui.label(
                    RichText::new(format!(
                        "{} extra wire(s) into execution inputs are not drawn",
                        canvas.hidden_links
                    ))
                    .color(Color32::from_rgb(240, 190, 60)),
                );
            }
        });
        // The list fills the panel (its height does not follow the number of problems, so the
        // canvas above does not jump), with a scroll bar always shown when there are more.
        egui::ScrollArea::vertical()
            .id_salt("problems")
            .auto_shrink([false, false])
            .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
            .show(ui, |ui| {
                for d in diags {
                    let (icon, color) = match d.severity {
                        Severity::Error => ("⛔", Color32::from_rgb(255, 110, 110)),
                        Severity::Warning => ("⚠", Color32::from_rgb(240, 190, 60)),
                    };
                    // Plain words first; the code after, small, for whoever looks it up.
                    let mut job = egui::text::LayoutJob::default();
                    RichText::new(format!("{icon} {}", d.plain(doc.graph())))
                        .color(color)
                        .append_to(
                            &mut job,
                            ui.style(),
                            egui::FontSelection::Default,
                            egui::Align::Center,
                        );
                    RichText::new(format!("   {}", d.code))
                        .small()
                        .weak()
                        .append_to(
                            &mut job,
                            ui.style(),
                            egui::FontSelection::Default,
                            egui::Align::Center,
                        );
                    let r = ui.add(egui::Button::selectable(false, job).frame(false));
                    let node = d.location.node(doc.graph());
                    if r.clicked()
                        && let Some(n) = node
                    {
                        clicked = Some(n);
                    }
                    // No tooltip on lines: it covered the next one. The header says they click.
                }
            });
        clicked
    }

    fn dialogs(&mut self, ctx: &egui::Context) {
        if let Some(menu) = self.add_menu.as_mut() {
            match menu.ui(ctx, self.doc.graph()) {
                AddOutcome::Open => {}
                AddOutcome::Cancel => self.add_menu = None,
                AddOutcome::Add(kind) => {
                    if let Some(menu) = self.add_menu.take() {
                        self.add_node(kind, menu.at, menu.from);
                    }
                }
                AddOutcome::Call(f) => {
                    let kind = self.doc.graph().function(f).map(|f| {
                        aether_lang::graph::function::node_kind(
                            aether_lang::graph::function::Role::Call,
                            f,
                        )
                    });
                    if let (Some(menu), Some(kind)) = (self.add_menu.take(), kind) {
                        self.add_node(&kind, menu.at, menu.from);
                    }
                }
            }
        }
        if let Some(picked) = self.pickers.ui(ctx) {
            self.picked(picked);
        }
        if let Some(dialog) = self.export.as_mut() {
            let errors = self
                .doc
                .diagnostics()
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            match dialog.ui(ctx, errors) {
                Some(ExportAction::Close) => self.export = None,
                Some(ExportAction::Browse) => {
                    // Start from the folder typed in the dialog (its nearest existing parent),
                    // not always from the game's mods folder.
                    let typed = self
                        .export
                        .as_ref()
                        .map(|d| PathBuf::from(d.dest.trim()))
                        .unwrap_or_default();
                    let dir = typed
                        .ancestors()
                        .find(|p| !p.as_os_str().is_empty() && p.is_dir())
                        .map(Path::to_path_buf)
                        .or_else(aether_mods::default_mods_dir)
                        .unwrap_or_default();
                    self.pickers.open(Purpose::ExportFolder, &dir, "");
                }
                Some(ExportAction::Export) => self.export_now(),
                None => {}
            }
        }
        if let Some(confirm) = self.confirm.clone() {
            egui::Modal::new(egui::Id::new("confirm")).show(ctx, |ui| {
                ui.heading("Unsaved changes");
                ui.label(format!("Save the changes to {} first?", self.doc.title()));
                ui.horizontal(|ui| {
                    if self.doc.path.is_some() {
                        if ui.button("Save").clicked() {
                            self.confirm = None;
                            if self.save() {
                                self.proceed(confirm.then.clone());
                            }
                        }
                    } else if ui.button("Save as…").clicked() {
                        self.confirm = None;
                        self.save_as();
                    }
                    if ui.button("Don't save").clicked() {
                        self.confirm = None;
                        self.proceed(confirm.then.clone());
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
                        match VisualScriptGraph::from_json(&found.text) {
                            Ok(g) => {
                                self.replace_document(Document::new(g, found.original.clone()));
                                self.doc.mark_dirty();
                                self.status = "Recovered the autosave; save it to keep it.".into();
                            }
                            Err(e) => {
                                self.error = Some(format!("The autosave cannot be read: {e}"));
                            }
                        }
                    }
                    if ui.button("Discard").clicked() {
                        self.recovery = None;
                        Autosave::discard(&self.opts.home);
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
        if self.show_help {
            let mut open = true;
            egui::Window::new("Getting started")
                .open(&mut open)
                .show(ctx, |ui| {
                    ui.label(HELP);
                });
            self.show_help = open;
        }
        if self.show_about {
            let mut open = true;
            egui::Window::new("About Creator Studio")
                .open(&mut open)
                .default_width(520.0)
                .show(ctx, |ui| {
                    for line in crate::about::text().lines() {
                        ui.label(line);
                    }
                });
            self.show_about = open;
        }
    }

    // ----- keyboard -----

    /// A modal dialog (export, a question, recovery, an error, a file picker) has the keyboard
    /// and covers the canvas.
    fn modal_open(&self) -> bool {
        self.export.is_some()
            || self.confirm.is_some()
            || self.recovery.is_some()
            || self.error.is_some()
            || self.pickers.busy()
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let cmd = Modifiers::COMMAND;
        let shift_cmd = Modifiers::COMMAND | Modifiers::SHIFT;
        let pressed = |m: Modifiers, k: Key| {
            ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(m, k)))
        };
        if pressed(shift_cmd, Key::S) {
            self.save_as();
        }
        if pressed(cmd, Key::S) {
            self.save();
        }
        if pressed(cmd, Key::O) {
            self.guarded(Then::PickOpen);
        }
        if pressed(cmd, Key::N) {
            self.guarded(Then::New(NewGraph::Ai(0)));
        }
        if pressed(cmd, Key::E) {
            self.open_export();
        }
        if pressed(cmd, Key::F) {
            self.find.open();
        }
        if ctx.egui_wants_keyboard_input() || self.modal_open() || self.add_menu.is_some() {
            return;
        }
        if pressed(shift_cmd, Key::Z) || pressed(cmd, Key::Y) {
            self.redo();
        }
        if pressed(cmd, Key::Z) {
            self.undo();
        }
        if pressed(cmd, Key::D) {
            self.duplicate();
        }
        if pressed(cmd, Key::G) {
            self.make_function();
        }
        if pressed(cmd, Key::A) {
            self.select_all();
        }
        if pressed(Modifiers::NONE, Key::Delete) || pressed(Modifiers::NONE, Key::Backspace) {
            self.delete_selection();
        }
        if pressed(Modifiers::NONE, Key::F9) {
            self.toggle_breakpoints();
        }
        if pressed(Modifiers::NONE, Key::F) {
            self.canvas.frame_all();
        }
        if pressed(Modifiers::NONE, Key::C) {
            self.add_comment();
        }
        if pressed(Modifiers::NONE, Key::Plus) || pressed(Modifiers::NONE, Key::Equals) {
            let z = self.canvas.zoom();
            self.canvas.zoom_to(z * 1.25);
        }
        if pressed(Modifiers::NONE, Key::Minus) {
            let z = self.canvas.zoom();
            self.canvas.zoom_to(z / 1.25);
        }
        let events: Vec<egui::Event> = ctx.input(|i| i.events.clone());
        for e in events {
            match e {
                egui::Event::Copy => self.copy(ctx, false),
                egui::Event::Cut => self.copy(ctx, true),
                egui::Event::Paste(text) => {
                    let at = ctx.pointer_hover_pos().map(|p| self.canvas.canvas_at(p));
                    self.paste(&text, at);
                }
                _ => {}
            }
        }
    }

    // ----- edits -----

    /// Applies what the user did on the canvas to the core graph.
    pub fn apply(&mut self, intents: Vec<Intent>) {
        for intent in intents {
            match intent {
                Intent::Connect { from, to } => {
                    self.doc.edit("Connect", None, |g| connect(g, from, to));
                    self.edited();
                }
                Intent::Disconnect { from, to } => {
                    self.doc.edit("Disconnect", None, |g| {
                        let ids: Vec<_> = g
                            .links()
                            .filter(|l| l.from == from && l.to == to)
                            .map(|l| l.id)
                            .collect();
                        for id in ids {
                            g.disconnect(id);
                        }
                    });
                    self.edited();
                }
                Intent::Delete(nodes) => {
                    self.doc.edit("Delete", None, |g| {
                        for n in &nodes {
                            g.remove_node(*n);
                        }
                    });
                    self.edited();
                }
                Intent::Move { nodes, delta } => {
                    self.doc.edit_layout("Move", Some("move".into()), |g| {
                        for n in &nodes {
                            if let Some(node) = g.node_mut(*n) {
                                node.pos[0] += delta[0];
                                node.pos[1] += delta[1];
                            }
                        }
                    });
                }
                Intent::SetValue {
                    node,
                    key,
                    value,
                    dragging,
                } => {
                    let gesture = dragging.then(|| format!("value {node} {key}"));
                    self.doc
                        .edit("Set value", gesture, |g| g.set_value(node, key, value));
                    self.edited();
                }
                Intent::OpenAdd { screen, at, from } => {
                    self.add_menu = Some(AddMenu::new(screen, at, from));
                }
                Intent::ToggleBreakpoint(node) => self.debugger.toggle(node),
                Intent::MoveComment { index, delta } => {
                    // The nodes it carries are those inside it when the drag began (not those
                    // it passes over).
                    let carried = match &self.carrying {
                        Some((i, nodes)) if *i == index => nodes.clone(),
                        _ => {
                            let nodes = aether_lang::edit::frame_contents(self.doc.graph(), index);
                            self.carrying = Some((index, nodes.clone()));
                            nodes
                        }
                    };
                    self.doc
                        .edit_layout("Move frame", Some(format!("frame{index}")), |g| {
                            aether_lang::edit::move_frame(g, index, &carried, delta)
                        });
                }
                Intent::ResizeComment { index, size } => {
                    self.doc
                        .edit_layout("Resize frame", Some(format!("frame-size{index}")), |g| {
                            if let Some(c) = g.comments.get_mut(index) {
                                c.size = size;
                            }
                        });
                }
                Intent::InsertReroute { from, to, at } => {
                    let mut added = None;
                    self.doc.edit("Add reroute", None, |g| {
                        added = aether_lang::edit::insert_reroute(g, &from, &to, at);
                    });
                    if added.is_some() {
                        self.edited();
                    }
                }
                Intent::Refused(reason) => {
                    self.status = format!("Not connected: {reason}.");
                }
                Intent::OpenFunction(f) => self.open_function(Some(f)),
            }
        }
    }

    fn edited(&mut self) {
        self.edited_at = Some(Instant::now());
    }

    /// Adds a node of `kind` at canvas point `at`; wired to `from` if given. Returns its id.
    pub fn add_node(
        &mut self,
        kind: &str,
        at: [f32; 2],
        from: Option<(PortRef, bool, PinType)>,
    ) -> NodeId {
        let spec = catalog::spec(kind);
        let scope = self.canvas.scope();
        let graph = self.doc.graph();
        let variable = from
            .as_ref()
            .and_then(|(_, _, ty)| palette::variable_for(graph, *ty))
            .or_else(|| graph.variables.first().map(|v| v.name.clone()));
        let id = self.doc.edit("Add node", None, |g| {
            let id = g.add_node_in(kind, at, scope);
            if let Some(spec) = spec {
                if spec.settings.iter().any(|s| s.choices == Choices::Variable)
                    && let Some(v) = variable
                {
                    g.set_value(id, "variable", Value::Choice(v));
                }
                if let Some((port, from_output, ty)) = from
                    && let Some(key) = palette::fitting_port(spec, ty, from_output, g)
                {
                    let mine = PortRef::new(id, key);
                    if from_output {
                        connect(g, port, mine);
                    } else {
                        connect(g, mine, port);
                    }
                }
            }
            id
        });
        self.select_after_sync = Some(vec![id]);
        self.edited();
        self.status = format!("Added {} {id}.", spec.map_or(kind, |s| s.name));
        id
    }

    /// Undoes the last edit.
    pub fn undo(&mut self) {
        match self.doc.undo() {
            Some(what) => self.status = format!("Undid {what}."),
            None => self.status = "Nothing to undo.".into(),
        }
        self.edited();
    }

    /// Redoes the last undone edit.
    pub fn redo(&mut self) {
        match self.doc.redo() {
            Some(what) => self.status = format!("Redid {what}."),
            None => self.status = "Nothing to redo.".into(),
        }
        self.edited();
    }

    fn select_all(&mut self) {
        let all: Vec<NodeId> = self.doc.graph().nodes().map(|n| n.id).collect();
        self.canvas.select(&all);
    }

    /// Deletes the selected nodes.
    pub fn delete_selection(&mut self) {
        let sel = self.canvas.selection();
        if sel.is_empty() {
            return;
        }
        self.apply(vec![Intent::Delete(sel.clone())]);
        self.status = format!("Deleted {} node(s).", sel.len());
    }

    /// Copies (or cuts) the selection to the clipboard as graph file text.
    pub fn copy(&mut self, ctx: &egui::Context, cut: bool) {
        let sel = self.canvas.selection();
        if sel.is_empty() {
            self.status = "Select nodes to copy first.".into();
            return;
        }
        let text = self.doc.graph().fragment(&sel).to_json();
        ctx.copy_text(text.clone());
        self.clipboard = Some(text);
        if cut {
            self.apply(vec![Intent::Delete(sel.clone())]);
        }
        self.status = format!(
            "{} {} node(s).",
            if cut { "Cut" } else { "Copied" },
            sel.len()
        );
    }

    /// Pastes graph file text (from this or another graph) with its top-left node at `at`.
    pub fn paste(&mut self, text: &str, at: Option<[f32; 2]>) {
        let frag = match VisualScriptGraph::from_json(text) {
            Ok(f) if f.nodes().next().is_some() => f,
            _ => {
                self.status = "The clipboard holds no nodes.".into();
                return;
            }
        };
        let min = frag.nodes().fold([f32::MAX, f32::MAX], |m, n| {
            [m[0].min(n.pos[0]), m[1].min(n.pos[1])]
        });
        let target = at.unwrap_or_else(|| {
            let c = self.canvas.centre();
            [c[0] - 100.0, c[1] - 60.0]
        });
        let offset = [target[0] - min[0], target[1] - min[1]];
        let scope = self.canvas.scope();
        let ids = self
            .doc
            .edit("Paste", None, |g| g.merge_into(&frag, offset, scope));
        self.status = format!("Pasted {} node(s).", ids.len());
        self.select_after_sync = Some(ids);
        self.edited();
    }

    /// Duplicates the selection beside itself.
    pub fn duplicate(&mut self) {
        let sel = self.canvas.selection();
        if sel.is_empty() {
            return;
        }
        let frag = self.doc.graph().fragment(&sel);
        let scope = self.canvas.scope();
        let ids = self.doc.edit("Duplicate", None, |g| {
            g.merge_into(&frag, [40.0, 40.0], scope)
        });
        self.status = format!("Duplicated {} node(s).", ids.len());
        self.select_after_sync = Some(ids);
        self.edited();
    }

    /// Adds a comment around the selected nodes (or in the middle of the view).
    pub fn add_comment(&mut self) {
        let sel = self.canvas.selection();
        let rects: Vec<egui::Rect> = sel
            .iter()
            .filter_map(|n| self.canvas.node_rect(*n))
            .collect();
        let (pos, size) = if rects.is_empty() {
            let c = self.canvas.centre();
            ([c[0] - 150.0, c[1] - 80.0], [300.0, 160.0])
        } else {
            let r = rects.iter().fold(egui::Rect::NOTHING, |a, b| a.union(*b));
            let min = self.canvas.canvas_at(r.min);
            let max = self.canvas.canvas_at(r.max);
            (
                [min[0] - 20.0, min[1] - 40.0],
                [max[0] - min[0] + 40.0, max[1] - min[1] + 60.0],
            )
        };
        self.doc.edit("Add comment", None, |g| {
            g.comments.push(Comment {
                pos,
                size,
                text: "Comment".into(),
            });
        });
        self.status = "Added a comment; edit its text in the Comments list.".into();
    }

    // ----- files -----

    /// Asks about unsaved changes before doing `then`.
    fn guarded(&mut self, then: Then) {
        if self.doc.is_dirty() {
            self.confirm = Some(Confirm { then });
        } else {
            self.proceed(then);
        }
    }

    fn proceed(&mut self, then: Then) {
        match then {
            Then::Close => {
                self.allow_close = true;
                if let Some(ctx) = self.worker.repaint.get() {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            Then::New(t) => self.new_graph(t),
            Then::Open(p) => self.open_path(&p),
            Then::PickOpen => {
                let dir = self.start_dir();
                self.pickers.open(Purpose::OpenGraph, &dir, "");
            }
        }
    }

    fn start_dir(&self) -> PathBuf {
        self.doc
            .path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default()
    }

    /// Opens a graph file (the current one is replaced; the caller asked about unsaved changes).
    pub fn open_path(&mut self, path: &Path) {
        match VisualScriptGraph::load(path) {
            Ok(g) => {
                self.replace_document(Document::new(g, Some(path.to_path_buf())));
                self.session.opened(path);
                let _ = self.session.save(&self.opts.home);
                self.status = format!("Opened {}.", path.display());
            }
            Err(e) => self.error = Some(format!("Could not open the graph: {e}")),
        }
    }

    /// Replaces the document with a new graph (the caller asked about unsaved changes).
    pub fn new_graph(&mut self, t: NewGraph) {
        let (g, status) = match t {
            NewGraph::Ai(i) => (
                template(i),
                TEMPLATES.get(i).map_or(String::new(), |(name, _)| {
                    format!("New AI from the {name} template.")
                }),
            ),
            NewGraph::World(i) => (
                world_template(i),
                WORLD_TEMPLATES.get(i).map_or(String::new(), |(name, _)| {
                    format!("New world script from the {name} template: watch the world on the right, edit, and it updates as you go.")
                }),
            ),
            NewGraph::Empty(ScriptKind::AiController) => (
                VisualScriptGraph::new(),
                "New empty AI: add an On Turn node from the palette first.".into(),
            ),
            NewGraph::Empty(ScriptKind::WorldScript) => (
                VisualScriptGraph::new_world_script(),
                "New empty world script: add an event (On Start, On Tick, On Timer…) from the palette first.".into(),
            ),
        };
        self.replace_document(Document::new(g, None));
        self.status = status;
    }

    /// A new or opened graph starts at turn 1 of the chosen sample, with nothing of the previous
    /// graph's preview left (not its turn, not a step still in flight); a world script starts
    /// its world.
    fn replace_document(&mut self, doc: Document) {
        self.doc = doc;
        self.canvas = Canvas::new();
        self.requested = None;
        self.edited_at = None;
        self.preview.pick(self.preview.sample);
        self.preview.shown = None;
        self.preview.stale = None;
        self.preview.failure = None;
        self.preview.waiting = None;
        self.replaced_after = self.jobs;
        if self.is_world() {
            self.start_world();
        } else {
            self.world.set_playing(false);
        }
    }

    /// Saves to the document's file (or asks where); true when saved.
    pub fn save(&mut self) -> bool {
        match self.doc.path.clone() {
            Some(p) => self.save_to(&p),
            None => {
                self.save_as();
                false
            }
        }
    }

    fn save_as(&mut self) {
        let name = format!("{}.mcgraph.json", self.doc.graph().name);
        let dir = self.start_dir();
        self.pickers.open(Purpose::SaveGraph, &dir, &name);
    }

    /// Saves to `path` (atomically) and makes it the document's file; true when saved.
    pub fn save_to(&mut self, path: &Path) -> bool {
        match self.doc.save_as(path) {
            Ok(()) => {
                self.session.opened(path);
                let _ = self.session.save(&self.opts.home);
                Autosave::discard(&self.opts.home);
                self.status = format!("Saved {}.", path.display());
                true
            }
            Err(e) => {
                self.error = Some(format!(
                    "Could not save; the file on disk is unchanged.\n{e}"
                ));
                false
            }
        }
    }

    fn picked(&mut self, picked: Picked) {
        let Picked::Path(purpose, path) = picked else {
            return;
        };
        match purpose {
            Purpose::OpenGraph => self.open_path(&path),
            Purpose::SaveGraph => {
                let path = if path.to_string_lossy().ends_with(".json") {
                    path
                } else {
                    PathBuf::from(format!("{}.mcgraph.json", path.display()))
                };
                self.save_to(&path);
            }
            Purpose::OpenState => self.open_state(&path),
            Purpose::SaveFunctions => {
                let path = if path.to_string_lossy().ends_with(".json") {
                    path
                } else {
                    PathBuf::from(format!("{}.mcfunctions.json", path.display()))
                };
                self.save_functions(&path);
            }
            Purpose::LoadFunctions => self.load_functions(&path),
            Purpose::OpenSetup => self.open_setup(&path),
            Purpose::SaveSetup => {
                let path = if path.to_string_lossy().ends_with(".json") {
                    path
                } else {
                    PathBuf::from(format!("{}.mcworld.json", path.display()))
                };
                self.save_setup(&path);
            }
            Purpose::AddWorldScript => {
                self.world.extra.push(aether_sample_world::SetupScript {
                    path: path.clone(),
                    priority: aether_sample_world::scene::DEFAULT_PRIORITY,
                    limits: Default::default(),
                });
                self.status = format!("Added {} to the world.", path.display());
                self.start_world();
            }
            Purpose::ChooseOpponent => {
                self.duel_lab.opponent = opponents::Opponent::File(path);
            }
            Purpose::ChoosePreviewOpponent(slot) => {
                if let Some(o) = self.preview.others.get_mut(usize::from(slot)) {
                    *o = opponents::Opponent::File(path);
                }
            }
            Purpose::AddEntrant => self.duel_lab.add_entrant(path),
            Purpose::OpenReplay => self.duel_lab.open_replay(&path),
            Purpose::SaveReplay => {
                let path = if path.to_string_lossy().ends_with(".mcreplay") {
                    path
                } else {
                    PathBuf::from(format!("{}.mcreplay", path.display()))
                };
                self.duel_lab.save_replay(&path);
            }
            Purpose::ExportFolder => {
                if let Some(d) = self.export.as_mut() {
                    d.set_dest(&path);
                }
            }
        }
    }

    /// Adds a state or scenario file to the preview's list and plays on it.
    pub fn open_state(&mut self, path: &Path) {
        match aether_lang::Scenario::load(path) {
            Ok(scenario) => {
                self.preview.add_sample(preview::Sample {
                    name: path
                        .file_name()
                        .map_or("state".into(), |n| n.to_string_lossy().into_owned()),
                    path: Some(path.to_path_buf()),
                    scenario,
                });
                self.status = format!("Playing on {}.", path.display());
            }
            Err(e) => self.error = Some(format!("Could not use that state: {e}")),
        }
    }

    fn preview_action(&mut self, a: PreviewAction) {
        match a {
            PreviewAction::Refresh => {}
            PreviewAction::ShowNode(n) => self.show_node(n),
            PreviewAction::Next => self.schedule_preview(Some(self.preview.others.clone())),
            PreviewAction::ChooseOpponent(slot) => {
                let dir = self.start_dir();
                self.pickers
                    .open(Purpose::ChoosePreviewOpponent(slot), &dir, "");
            }
            PreviewAction::Back => {
                self.preview.history.pop();
            }
            PreviewAction::Reset => self.preview.history.truncate(1),
            PreviewAction::OpenState => {
                let dir = std::env::current_dir().unwrap_or_default().join("assets");
                self.pickers.open(Purpose::OpenState, &dir, "");
            }
        }
    }

    fn lab_action(&mut self, a: LabAction) {
        let dir = self.start_dir();
        match a {
            LabAction::ChooseOpponent => self.pickers.open(Purpose::ChooseOpponent, &dir, ""),
            LabAction::AddEntrant => self.pickers.open(Purpose::AddEntrant, &dir, ""),
            LabAction::OpenReplay => self.pickers.open(Purpose::OpenReplay, &dir, ""),
            LabAction::SaveReplay => {
                let name = format!("{}.mcreplay", self.doc.graph().name);
                self.pickers.open(Purpose::SaveReplay, &dir, &name);
            }
            LabAction::DebugTurn => self.debug_duel_turn(),
        }
    }

    /// Opens the duel lab's shown turn in the turn preview: its state becomes a sample (named
    /// after the turn), played by the edited graph as that turn's player with its seed.
    pub fn debug_duel_turn(&mut self) {
        let Some((sample, slot, seed)) = self
            .duel_lab
            .shown
            .as_ref()
            .and_then(|d| d.turn_sample(self.duel_lab.turn))
        else {
            return;
        };
        // The same turn opened twice is picked again, not added twice.
        match self.preview.samples.iter().position(|s| {
            s.path.is_none() && s.name == sample.name && s.scenario.state == sample.scenario.state
        }) {
            Some(i) => self.preview.pick(i),
            None => self.preview.add_sample(sample),
        }
        self.preview.slot = slot;
        self.preview.seed = seed;
        self.right_tab = RightTab::Preview;
        self.status = format!(
            "Debugging turn {} of the duel: the preview plays it with your graph as player {slot}.",
            self.duel_lab.turn + 1
        );
    }

    /// For an AI controller, the canvas's debugging marks from the previewed turn (when it is
    /// this graph's): each node's share of the fuel when asked for, every port's value (while
    /// paused, those so far), why a node did not act, the paused node and the path to it.
    fn turn_values(&mut self) {
        // Each node's share of the turn's fuel, when asked for and current.
        let heat = match (&self.preview.shown, &self.preview.stale) {
            (Some((view, _)), None) if self.preview.show_fuel => match &view.trace {
                Some(Ok(t)) => t
                    .nodes
                    .iter()
                    .filter(|n| n.fuel > 0)
                    .map(|n| (n.id, (n.fuel, n.fuel as f32 / t.total_fuel.max(1) as f32)))
                    .collect(),
                _ => std::collections::BTreeMap::new(),
            },
            _ => std::collections::BTreeMap::new(),
        };
        self.canvas.set_heat(heat);
        self.debugger.noun = "turn";
        let current = match (&self.preview.shown, &self.preview.stale) {
            (Some((v, _)), None) => self.debugger.paused_at(&v.run_trace),
            _ => None,
        };
        self.canvas.set_debug(&self.debugger.breakpoints, current);

        // Each port's values in the previewed turn, for hovering (set when they change);
        // while the debugger pauses the turn, the values so far.
        let turn = match (&self.preview.shown, &self.preview.stale) {
            (Some((_, version)), None) => Some((*version, self.preview.history.len())),
            _ => None,
        };
        self.debugger.follow(turn);
        let key = turn.map(|(version, steps)| {
            (
                version,
                steps,
                self.preview.iteration,
                self.preview.sample,
                self.debugger.cursor,
            )
        });
        if key != self.values_for {
            self.values_for = key;
            let values = match (&self.preview.shown, key, self.debugger.cursor) {
                (Some((view, _)), Some(_), Some(at)) => preview::described(
                    self.doc.graph(),
                    &aether_lang::explain::values_before(&view.run_trace, at),
                    &view.before,
                    view.report.slot,
                ),
                (Some((view, _)), Some(_), None) => view.values.clone(),
                _ => std::collections::BTreeMap::new(),
            };
            // Paused: a loop's values so far, the latest first shown.
            let iteration = if self.debugger.cursor.is_some() {
                usize::MAX
            } else {
                self.preview.iteration
            };
            self.canvas.set_values(values, iteration);
            let why_not = match (&self.preview.shown, key) {
                (Some((view, _)), Some(_)) => view
                    .why_not
                    .iter()
                    .map(|(n, w)| (*n, w.text.clone()))
                    .collect(),
                _ => std::collections::BTreeMap::new(),
            };
            self.canvas.set_why_not(why_not);
            // The wires a paused turn took so far.
            let path = match (&self.preview.shown, key, self.debugger.cursor) {
                (Some((v, _)), Some(_), Some(at)) => {
                    aether_lang::explain::path_before(self.doc.graph(), &v.run_trace, at)
                }
                _ => std::collections::BTreeSet::new(),
            };
            self.canvas.set_path(path);
        }
    }

    /// For a world script, the canvas's debugging marks from the event on show inside the graph
    /// (the newest it answered, or the one picked): every port's value, why a node did not
    /// run, the node a paused event stands before and the path to it.
    fn world_values(&mut self) {
        self.debugger.noun = "event";
        let graph = self.doc.graph();
        let shown = self.world.inside.shown();
        let trace = shown.map(|(_, e)| e.trace.as_slice());
        self.debugger
            .follow(shown.map(|(seq, _)| (seq, usize::MAX)));
        if self.break_pending
            && let Some(t) = trace
        {
            self.break_pending = false;
            self.debugger.apply(DebugAction::Run, graph, t);
        }
        let current = trace.and_then(|t| self.debugger.paused_at(t));
        self.canvas.set_debug(&self.debugger.breakpoints, current);
        self.canvas.set_heat(self.world.inside.heat());
        let key = shown.map(|(seq, _)| {
            (
                seq,
                usize::MAX,
                self.preview.iteration,
                usize::MAX,
                self.debugger.cursor,
            )
        });
        if key == self.values_for {
            return;
        }
        self.values_for = key;
        let Some(trace) = trace else {
            self.canvas.set_values(Default::default(), 0);
            self.canvas.set_why_not(Default::default());
            self.canvas.set_path(Default::default());
            return;
        };
        let at = self.debugger.cursor.unwrap_or(trace.len());
        let entities = self
            .world
            .latest
            .as_ref()
            .map_or(&[][..], |f| f.entities.as_slice());
        let values = preview::values_with(
            graph,
            &aether_lang::explain::values_before(trace, at),
            &|v| world_inside::describe(v, entities),
        );
        let iteration = if self.debugger.cursor.is_some() {
            usize::MAX
        } else {
            self.preview.iteration
        };
        self.canvas.set_values(values, iteration);
        let why_not = graph
            .nodes()
            .filter_map(|n| {
                aether_lang::explain::explain(graph, trace, n.id).map(|w| (n.id, w.text))
            })
            .collect();
        self.canvas.set_why_not(why_not);
        let path = match self.debugger.cursor {
            Some(at) => aether_lang::explain::path_before(graph, trace, at),
            None => Default::default(),
        };
        self.canvas.set_path(path);
    }

    /// Goes to what Find found: selects its nodes (a variable's uses: all of them) and brings
    /// the first into view, or brings a comment into view.
    pub fn show_match(&mut self, m: &aether_lang::find::Match) {
        let nodes = m.nodes();
        match (nodes.first(), &m.found) {
            (Some(first), _) => {
                self.go_to_canvas_of(*first);
                self.canvas.select(&nodes);
                self.select_after_sync = Some(nodes.clone());
                self.canvas.focus(*first);
                self.status = format!("Found {}", m.label);
            }
            (None, aether_lang::find::Found::Comment(_, pos)) => {
                self.canvas.focus_point(*pos);
                self.status = format!("Found {}", m.label);
            }
            (None, _) => {
                self.status = format!("{}: nothing to show", m.label);
            }
        }
    }

    /// Selects `node` and brings it into view (opening the function it is in).
    pub fn show_node(&mut self, node: NodeId) {
        self.go_to_canvas_of(node);
        self.canvas.select(&[node]);
        // On a canvas just opened the node is drawn from the next sync: select it then too.
        self.select_after_sync = Some(vec![node]);
        self.canvas.focus(node);
    }

    /// Shows the canvas `node` is on, if it is not the one shown.
    fn go_to_canvas_of(&mut self, node: NodeId) {
        let Some(scope) = self.doc.graph().node(node).map(|n| n.function) else {
            return;
        };
        if scope != self.canvas.scope() {
            self.open_function(scope);
        }
    }

    /// Shows a function's canvas (`None`: the graph's own), keeping the breadcrumb's trail.
    pub fn open_function(&mut self, f: Option<FunctionId>) {
        match f {
            None => self.trail.clear(),
            Some(f) => match self.trail.iter().position(|t| *t == f) {
                Some(i) => self.trail.truncate(i + 1),
                None => {
                    // Opened from elsewhere than the canvas shown: the trail is the graph, then it.
                    let from_here = self.canvas.scope() == self.trail.last().copied()
                        && self.doc.graph().calls_of(f).iter().any(|c| {
                            self.doc.graph().node(*c).map(|n| n.function)
                                == Some(self.canvas.scope())
                        });
                    if !from_here {
                        self.trail.clear();
                    }
                    self.trail.push(f);
                }
            },
        }
        self.canvas.set_scope(f);
        if let Some(name) = f
            .and_then(|f| self.doc.graph().function(f))
            .map(|f| f.name.clone())
        {
            self.status = format!("Editing the function {name}: every call of it changes with it.");
        }
    }

    /// The canvas's function still exists (an undo may take it away); else the graph's own.
    fn keep_scope_valid(&mut self) {
        if let Some(f) = self.canvas.scope()
            && self.doc.graph().function(f).is_none()
        {
            self.open_function(None);
        }
        let g = self.doc.graph();
        self.trail.retain(|f| g.function(*f).is_some());
    }

    /// Ctrl+G: the selected nodes become a function and a call of it takes their place; or the
    /// status line says why not, the graph unchanged.
    pub fn make_function(&mut self) {
        let sel = self.canvas.selection();
        if sel.is_empty() {
            self.status =
                "Select the nodes to make into a function first (Ctrl+click or drag a box).".into();
            return;
        }
        let mut trial = self.doc.graph().clone();
        match aether_lang::make_function::make_function(&mut trial, &sel, "My function") {
            Err(why) => {
                self.status = format!("Could not make a function: {why}.");
            }
            Ok(made) => {
                let name = trial
                    .function(made.function)
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
                self.doc.edit("Make function", None, |g| *g = trial);
                self.select_after_sync = Some(vec![made.call]);
                self.status = format!(
                    "Made the function {name} from {} node(s); double-click its call to open it, rename it under Functions.",
                    sel.len()
                );
                self.edited();
            }
        }
    }

    fn function_action(&mut self, a: functions::FunctionAction) {
        use functions::FunctionAction as A;
        let scope = self.canvas.scope();
        match a {
            A::Open(f) => self.open_function(f),
            A::Make => self.make_function(),
            A::FindUsages(name) => {
                self.find.open_with(&name);
                let version = self.doc.version();
                if let Some(m) = self.find.next(self.doc.graph(), version) {
                    self.show_match(&m);
                }
            }
            A::Call(f) => {
                let at = free_spot(self.doc.graph(), self.canvas.centre());
                let id = self
                    .doc
                    .edit("Add call", None, |g| g.add_call(f, at, scope));
                if let Some(id) = id {
                    self.select_after_sync = Some(vec![id]);
                }
                self.edited();
            }
            A::Change(f) => {
                self.doc
                    .edit("Change function", None, |g| g.set_function(f));
                self.edited();
            }
            A::AddOutputs(f) => {
                let c = self.canvas.centre();
                self.doc.edit("Add Outputs node", None, |g| {
                    g.add_outputs(f, [c[0] + 200.0, c[1]])
                });
                self.edited();
            }
            A::Delete(f) => {
                self.doc
                    .edit("Delete function", None, |g| g.remove_function(f));
                self.keep_scope_valid();
                self.edited();
            }
            A::SaveLibrary => {
                let dir = self.start_dir();
                self.pickers
                    .open(Purpose::SaveFunctions, &dir, "functions.mcfunctions.json");
            }
            A::LoadLibrary => {
                let dir = self.start_dir();
                self.pickers.open(Purpose::LoadFunctions, &dir, "");
            }
        }
    }

    /// Saves every function of the graph to a library file.
    pub fn save_functions(&mut self, path: &Path) {
        let g = self.doc.graph();
        let ids: Vec<FunctionId> = g.functions().map(|f| f.id).collect();
        match g.library_of(&ids).save(path) {
            Ok(()) => {
                self.status = format!("Saved {} function(s) to {}.", ids.len(), path.display());
            }
            Err(e) => {
                self.error = Some(format!(
                    "Could not save the functions; the file on disk is unchanged.\n{e}"
                ));
            }
        }
    }

    /// Adds the functions of a library file (any graph file) to the graph.
    pub fn load_functions(&mut self, path: &Path) {
        match VisualScriptGraph::load(path) {
            Ok(lib) if lib.functions().next().is_none() => {
                self.error = Some(format!("{} holds no functions.", path.display()));
            }
            Ok(lib) => {
                let added = self
                    .doc
                    .edit("Add functions", None, |g| g.import_functions(&lib));
                let names: Vec<String> = added
                    .iter()
                    .filter_map(|f| self.doc.graph().function(*f).map(|f| f.name.clone()))
                    .collect();
                self.status = format!(
                    "Added {} from {}; they are listed under Functions.",
                    names.join(", "),
                    path.display()
                );
                self.edited();
            }
            Err(e) => self.error = Some(format!("Could not read the functions.\n{e}")),
        }
    }

    /// F9: a breakpoint on each selected node (or off, where there is one).
    pub fn toggle_breakpoints(&mut self) {
        let selected = self.canvas.selection();
        if selected.is_empty() {
            self.status = "Select a node first, then press F9 to pause the turn before it.".into();
            return;
        }
        for n in selected {
            self.debugger.toggle(n);
        }
    }

    fn world_action(&mut self, a: WorldAction) {
        let dir = self.start_dir();
        match a {
            WorldAction::Restart => self.start_world(),
            WorldAction::AddScript => self.pickers.open(Purpose::AddWorldScript, &dir, ""),
            WorldAction::OpenSetup => self.pickers.open(Purpose::OpenSetup, &dir, ""),
            WorldAction::SaveSetup => {
                let name = format!("{}.mcworld.json", self.doc.graph().name);
                self.pickers.open(Purpose::SaveSetup, &dir, &name);
            }
        }
    }

    /// Opens a world setup in the world preview: its scene and scripts (the one that is this
    /// graph's file runs from the editor) with their priorities, and restarts the world.
    pub fn open_setup(&mut self, path: &Path) {
        let setup = match aether_sample_world::WorldSetup::load(path) {
            Ok(s) => s,
            Err(e) => {
                self.error = Some(format!("Could not open the world setup: {e}"));
                return;
            }
        };
        match self.world.use_setup(&setup, self.doc.path.as_deref()) {
            Ok(()) => {
                self.status = format!(
                    "Opened the world setup {}: {} script(s) beside this graph.",
                    path.display(),
                    self.world.extra.len()
                );
                self.start_world();
            }
            Err(e) => self.error = Some(format!("Could not use the world setup: {e}")),
        }
    }

    /// Saves the world preview's setup (scene, scripts, priorities, limits); true when saved.
    pub fn save_setup(&mut self, path: &Path) -> bool {
        let setup = self.world.setup(self.doc.path.as_deref());
        match setup.save(path) {
            Ok(()) => {
                self.status = if self.doc.path.is_some() {
                    format!("Saved the world setup {}.", path.display())
                } else {
                    format!(
                        "Saved the world setup {} without this graph: save the graph first to include it.",
                        path.display()
                    )
                };
                true
            }
            Err(e) => {
                self.error = Some(format!(
                    "Could not save the world setup; any file there is unchanged.\n{e}"
                ));
                false
            }
        }
    }

    /// Steps the preview to the next turn (as the Next turn button does).
    pub fn next_turn(&mut self) {
        self.preview_action(PreviewAction::Next);
    }

    /// Opens the export dialog, prefilled from the graph.
    pub fn open_export(&mut self) {
        self.export = Some(ExportDialog::new(self.doc.graph()));
    }

    /// The export dialog, if open.
    pub fn export_dialog(&mut self) -> Option<&mut ExportDialog> {
        self.export.as_mut()
    }

    /// The export dialog, if open, to look at.
    pub fn export_dialog_ref(&self) -> Option<&ExportDialog> {
        self.export.as_ref()
    }

    /// Exports with the dialog's fields (renaming the graph's identity to match first).
    pub fn export_now(&mut self) {
        let Some(dialog) = self.export.clone() else {
            return;
        };
        let (name, version) = (
            dialog.manifest.name.clone(),
            dialog.manifest.version.clone(),
        );
        if self.doc.graph().name != name || self.doc.graph().version != version {
            self.doc
                .edit("Rename AI (from the export dialog)", None, |g| {
                    g.name = name;
                    g.version = version;
                });
            self.edited();
        }
        let result = export::write(self.doc.graph(), &dialog);
        if let Ok(text) = &result {
            self.status = text.clone();
        }
        if let Some(d) = self.export.as_mut() {
            d.result = Some(result);
        }
    }
}

/// Connects `from` to `to`, replacing the wire already into `to` and, for an execution output,
/// the wire already out of `from` (each takes one).
fn connect(g: &mut VisualScriptGraph, from: PortRef, to: PortRef) {
    let exec_out = check::port_type(g, &from, true) == Some(PinType::Exec);
    let old: Vec<_> = g
        .links()
        .filter(|l| l.to == to || (exec_out && l.from == from))
        .map(|l| l.id)
        .collect();
    for id in old {
        g.disconnect(id);
    }
    g.connect(from, to);
}

/// Where a node added from the palette goes: the free place nearest to `centre` on a grid of
/// node-sized cells, so new nodes never cover each other.
pub fn free_spot(g: &VisualScriptGraph, centre: [f32; 2]) -> [f32; 2] {
    const CELL: [f32; 2] = [240.0, 150.0];
    let start = [centre[0] - 100.0, centre[1] - 60.0];
    let taken = |p: [f32; 2]| {
        g.nodes().any(|n| {
            (n.pos[0] - p[0]).abs() < CELL[0] - 10.0 && (n.pos[1] - p[1]).abs() < CELL[1] - 10.0
        })
    };
    for ring in 0..40i32 {
        for dy in -ring..=ring {
            for dx in -ring..=ring {
                if dx.abs().max(dy.abs()) != ring {
                    continue;
                }
                let p = [
                    start[0] + dx as f32 * CELL[0],
                    start[1] + dy as f32 * CELL[1],
                ];
                if !taken(p) {
                    return p;
                }
            }
        }
    }
    start
}

fn ago(written: u64) -> String {
    let secs = files::now_secs().saturating_sub(written);
    match secs {
        0..=89 => "a minute ago".into(),
        90..=5399 => format!("{} minutes ago", secs / 60),
        _ => format!("{} hours ago", secs / 3600),
    }
}

fn write_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let mut bytes = Vec::with_capacity(w * h * 4);
    for c in &image.pixels {
        bytes.extend_from_slice(&c.to_srgba_unmultiplied());
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(
            &mut out,
            u32::try_from(w).map_err(|e| e.to_string())?,
            u32::try_from(h).map_err(|e| e.to_string())?,
        );
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&bytes).map_err(|e| e.to_string())?;
    }
    aether_base::fsutil::write_atomic(path, &out).map_err(|e| e.to_string())
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

/// The studio's icon (`assets/icons/creator-studio.png`, built into the binary), for the window.
pub fn icon() -> egui::IconData {
    let decoded = (|| {
        let decoder = png::Decoder::new(std::io::Cursor::new(
            &include_bytes!("../assets/icons/creator-studio.png")[..],
        ));
        let mut reader = decoder.read_info().ok()?;
        let mut rgba = vec![0; reader.output_buffer_size()?];
        let info = reader.next_frame(&mut rgba).ok()?;
        rgba.truncate(info.buffer_size());
        (info.color_type == png::ColorType::Rgba).then_some(egui::IconData {
            rgba,
            width: info.width,
            height: info.height,
        })
    })();
    decoded.unwrap_or_default()
}

/// Runs the studio window; returns when it closes.
pub fn run(opts: Options) -> Result<(), String> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Creator Studio")
            .with_inner_size([1600.0, 960.0])
            .with_min_inner_size([900.0, 560.0])
            .with_app_id("creator-studio")
            .with_icon(std::sync::Arc::new(icon())),
        ..Default::default()
    };
    eframe::run_native(
        "Creator Studio",
        native,
        Box::new(move |_cc| Ok(Box::new(App(Studio::new(opts))))),
    )
    .map_err(|e| {
        format!(
            "the window could not open ({e}). On a machine without a display, use the command-line \
             tools (creator-studio --help) or run under Xvfb."
        )
    })
}

/// The eframe application around [`Studio`].
struct App(Studio);

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.0.frame(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.0.exiting();
    }
}
