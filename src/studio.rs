//! The Creator Studio window: a thin view over the core, and its shell.
//!
//! [`Studio`] owns one [`Document`] (the core graph, its history and diagnostics) and the
//! panels that show it, each a module with its own state and `ui()`: the canvas, the palette
//! and the variables, functions and comments lists, the turn preview, the duel lab, the world
//! preview, the debugger, Find, the export dialog, the file pickers. This file is the shell: it
//! lays the frame out (menu bar on top, palette on the left, the preview on the right, problems
//! and the status line at the bottom, the canvas in the middle) and routes what each panel asks
//! for. Every change the user makes becomes a core edit through [`Document::edit`] (the edit
//! commands are `editing.rs`'s, the file commands `file_actions.rs`'s, the keyboard map and
//! the menus `commands.rs`' and `menu.rs`'); the canvas is re-synced from the core graph, never
//! the other way round.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aether_lang::edit::free_spot_in;
use aether_lang::graph::{FunctionId, NodeId, ScriptKind, VisualScriptGraph};
use egui::RichText;

pub mod canvas;
pub mod compare;
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
pub mod world_view;

mod commands;
mod comments;
mod dialogs;
mod editing;
mod file_actions;
pub mod live;
mod menu;
mod navigation;
mod problems;
mod right_panel;
mod screenshot;
mod templates;
mod window;

pub use templates::{
    DEFAULT_SAMPLE, NewGraph, TEMPLATES, WORLD_TEMPLATES, template, world_template,
};
pub use window::{icon, run};

use canvas::Canvas;
use comments::CommentAction;
use dialogs::{DialogAction, Dialogs};
use document::Document;
use duel_lab::{DuelLab, LabAction};
use export::{ExportAction, ExportDialog};
use files::{Autosave, Pickers, Purpose, Session};
use live::Live;
use palette::{AddMenu, AddOutcome, Palette, PaletteAction, VariableAction, VariablesPanel};
use preview::marks::MarksKey;
use preview::{Preview, PreviewAction, Worker};
use screenshot::Shot;
use world_view::{WorldAction, WorldView};

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
    /// Where each edit's latency (edit to preview on screen) is appended as a JSON line: the
    /// file `CREATOR_STUDIO_LATENCY_LOG` names, if any.
    pub latency_log: Option<PathBuf>,
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
            latency_log: std::env::var_os(live::LATENCY_LOG).map(PathBuf::from),
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
    /// Compare with… (what the edits changed in what the AI does).
    pub compare: compare::Compare,
    /// The frame being dragged and the nodes it carries (those inside it when the drag began).
    carrying: Option<(usize, Vec<NodeId>)>,
    /// The preview's worker and the jobs sent to it.
    live: Live,
    add_menu: Option<AddMenu>,
    pickers: Pickers,
    session: Session,
    export: Option<ExportDialog>,
    dialogs: Dialogs,
    status: String,
    clipboard: Option<String>,
    title: String,
    autosaved: (u64, Instant),
    allow_close: bool,
    shot: Option<Shot>,
    select_after_sync: Option<Vec<NodeId>>,
    /// Which preview (and pause) the canvas's marks came from.
    marks_for: Option<MarksKey>,
    /// A breakpoint was reached in the running world: pause the debugger there once the event
    /// is on show.
    break_pending: bool,
    /// What to do once "Save as…" in the unsaved-changes prompt has saved.
    after_save: Option<file_actions::Then>,
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
        live::started();
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
        let cache = || {
            Some(aether_host::CompileCache::on_disk(
                opts.home.join("compile-cache"),
            ))
        };
        let mut studio = Self {
            pickers: Pickers::new(opts.native_dialogs),
            doc: Document::new(graph, path),
            canvas: Canvas::new(),
            palette: Palette::default(),
            variables: VariablesPanel::default(),
            functions: functions::FunctionsPanel::default(),
            trail: Vec::new(),
            preview: Preview::new(preview::builtin_samples(), DEFAULT_SAMPLE),
            world: WorldView::new(),
            duel_lab: DuelLab::new(
                &preview::builtin_samples(),
                cache(),
                opts.compile_worker.clone(),
            ),
            right_tab: RightTab::default(),
            debugger: debugger::Debugger::default(),
            find: find::FindBar::default(),
            compare: compare::Compare::default(),
            carrying: None,
            live: Live::new(
                Worker::spawn(cache(), opts.compile_worker.clone()),
                opts.latency_log.clone(),
            ),
            add_menu: None,
            session,
            export: None,
            dialogs: Dialogs {
                recovery,
                ..Dialogs::default()
            },
            status,
            clipboard: None,
            title: String::new(),
            autosaved: (0, Instant::now()),
            allow_close: false,
            shot: opts.screenshot.clone().map(Shot::new),
            select_after_sync: None,
            marks_for: None,
            break_pending: false,
            after_save: None,
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
        if studio.preview.waiting.is_some() {
            studio.wait_preview(Duration::from_secs(30));
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
        self.dialogs.error.as_deref()
    }

    /// The window title (as last sent).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Whether the open graph is a world script (the world preview shows instead of turns).
    pub fn is_world(&self) -> bool {
        self.doc.graph().kind == ScriptKind::WorldScript
    }

    /// Whether the preview is waiting for the worker or for the debounce.
    /// Edits that reached the screen (the turn preview or the world), oldest first: when each
    /// was made and the first frame that showed it.
    pub fn latencies(&self) -> Vec<live::Latency> {
        self.live.latencies().copied().collect()
    }

    pub fn preview_pending(&self) -> bool {
        self.live.pending(&self.doc, &self.preview)
    }

    /// Waits for the worker's next result and takes it in (tests).
    pub fn wait_preview(&mut self, timeout: Duration) -> bool {
        match self.live.worker.wait(timeout) {
            Some(done) => {
                self.live.receive(done, &self.doc, &mut self.preview);
                true
            }
            None => false,
        }
    }

    /// Sends a preview job now (with `advance`, stepping to the next turn first), or the
    /// edited script to the world.
    fn schedule_preview(&mut self, advance: Option<Vec<opponents::Opponent>>) {
        self.live
            .schedule(&self.doc, &mut self.preview, &mut self.world, advance);
    }

    /// (Re)starts the world preview with the graph as it is.
    fn start_world(&mut self) {
        self.live
            .start_world(&self.doc, &self.preview, &mut self.world);
    }

    /// Everything the window shows, one frame.
    pub fn frame(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let _ = self.live.worker.repaint.set(ctx.clone());
        self.world.set_context(&ctx);
        self.live.poll(&self.doc, &mut self.preview);
        self.world.poll();
        self.live.note_shown(&self.doc, &self.preview, &self.world);
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
        egui::Panel::bottom("status").show(ui, |ui| self.status_line(ui));
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
            .show(ui, |ui| {
                // A problem inside a function shows its node on the function's canvas.
                if let Some(n) = problems::ui(ui, &self.doc, self.canvas.hidden_links) {
                    self.show_node(n);
                }
            });
        egui::Panel::left("palette")
            .resizable(true)
            .default_size((width * 0.17).clamp(150.0, 230.0))
            .size_range(140.0..=(width * 0.25).max(160.0))
            .show(ui, |ui| self.left_ui(ui));
        egui::Panel::right("preview")
            .resizable(true)
            .default_size((width * 0.3).clamp(260.0, 460.0))
            .size_range(240.0..=(width * 0.42).max(260.0))
            .show(ui, |ui| self.right_ui(ui));
        let mut canvas_rect = egui::Rect::NOTHING;
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                canvas_rect = ui.max_rect();
                self.canvas_ui(ui);
            });
        let version = self.doc.version();
        if let Some(m) = self.find.ui(&ctx, canvas_rect, self.doc.graph(), version) {
            self.show_match(&m);
        }
        self.dialogs_ui(&ctx);
        self.tick(&ctx);
    }

    /// The status line: the last thing that happened, and the graph's size and zoom.
    fn status_line(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.label(RichText::new(aether_base::text::escape_output(&self.status)).small());
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
    }

    /// The canvas with the marks of the run on show, what the user did on it applied, and the
    /// breadcrumb of the function shown.
    fn canvas_ui(&mut self, ui: &mut egui::Ui) {
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
            let entities = self
                .world
                .latest
                .as_ref()
                .map_or(&[][..], |f| f.entities.as_slice());
            world_inside::show_marks(
                &mut self.canvas,
                &mut self.debugger,
                &self.world.inside,
                entities,
                self.doc.graph(),
                self.preview.iteration,
                &mut self.marks_for,
                &mut self.break_pending,
            );
        } else {
            preview::marks::show(
                &mut self.canvas,
                &mut self.debugger,
                &self.preview,
                self.doc.graph(),
                &mut self.marks_for,
            );
        }
        self.canvas.covered =
            self.modal_open() || self.add_menu.is_some() || self.dialogs.covering();
        // Comments are drawn on the graph's own canvas.
        let comments = match self.canvas.scope() {
            None => &self.doc.graph().comments[..],
            Some(_) => &[],
        };
        let intents = self.canvas.show(ui, comments);
        self.apply(intents);
        // The breadcrumb sits at the bottom left of the canvas, clear of the nodes a Frame All
        // lays out from the top left.
        let at = ui.max_rect().left_bottom() + egui::vec2(8.0, -44.0);
        if let Some(a) = self
            .functions
            .breadcrumb(ui.ctx(), at, self.doc.graph(), &self.trail)
        {
            self.function_action(a);
        }
        if !ui.input(|i| i.pointer.any_down()) {
            self.doc.end_gesture();
            self.carrying = None;
        }
    }

    /// Timers: the preview, the autosave, the title, the screenshot.
    fn tick(&mut self, ctx: &egui::Context) {
        self.live
            .tick(&self.doc, &mut self.preview, &mut self.world);
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
        let ready = if self.is_world() {
            self.world.latest.as_ref().is_some_and(|f| f.tick >= 60)
        } else {
            self.preview.shown.is_some() && self.preview.waiting.is_none()
        };
        if let Some(shot) = self.shot.as_mut()
            && shot.frame(ctx, ready)
        {
            self.shot = None;
            self.allow_close = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    // ----- the panels' actions -----

    /// The left panel: the palette, then the variables, functions and comments lists.
    fn left_ui(&mut self, ui: &mut egui::Ui) {
        match self.palette.ui(ui, self.doc.graph()) {
            Some(PaletteAction::Add(kind)) => {
                let at = free_spot_in(
                    self.doc.graph(),
                    self.canvas.centre(),
                    self.canvas.visible_area(),
                );
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
                VariableAction::FindUsages(name) => self.find_usages(&name),
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
        match comments::ui(ui, &self.doc.graph().comments) {
            Some(CommentAction::Edit(i, t)) => {
                self.doc
                    .edit("Edit comment", Some(format!("comment {i}")), |g| {
                        if let Some(c) = g.comments.get_mut(i) {
                            c.text = t;
                        }
                    });
            }
            Some(CommentAction::Remove(i)) => {
                self.doc.edit("Remove comment", None, |g| {
                    if i < g.comments.len() {
                        g.comments.remove(i);
                    }
                });
            }
            Some(CommentAction::AddAround) => self.add_comment(),
            None => {}
        }
    }

    /// Find's list opened on `name` (a variable or a function), its first use shown.
    fn find_usages(&mut self, name: &str) {
        self.find.open_with(name);
        let version = self.doc.version();
        if let Some(m) = self.find.next(self.doc.graph(), version) {
            self.show_match(&m);
        }
    }

    /// The dialogs over the window: the add menu, the file pickers, the export dialog and the
    /// studio's own (unsaved changes, recovery, errors, help).
    fn dialogs_ui(&mut self, ctx: &egui::Context) {
        if let Some(menu) = self.add_menu.as_mut() {
            match menu.ui(ctx, self.doc.graph(), self.canvas.view_rect()) {
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
        self.compare_ui(ctx);
        if let Some(dialog) = self.export.as_mut() {
            let errors = self
                .doc
                .diagnostics()
                .iter()
                .filter(|d| d.severity == aether_lang::check::Severity::Error)
                .count();
            match dialog.ui(ctx, errors) {
                Some(ExportAction::Close) => self.export = None,
                Some(ExportAction::Browse) => {
                    let dir = dialog.browse_from();
                    self.pickers.open(Purpose::ExportFolder, &dir, "");
                }
                Some(ExportAction::Export) => self.export_now(),
                None => {}
            }
        }
        let title = self.doc.title().to_owned();
        match self.dialogs.ui(ctx, &title, self.doc.path.is_some()) {
            Some(DialogAction::SaveThen(then)) if self.save() => self.proceed(then),
            // The save failed (the error dialog says why): nothing else happens.
            Some(DialogAction::SaveThen(_)) => {}
            Some(DialogAction::SaveAsThen(then)) => {
                // What the user asked for (open another graph, a new one, quit) happens once
                // the file is saved; it was once forgotten.
                self.after_save = Some(then);
                self.save_as();
            }
            Some(DialogAction::Proceed(then)) => self.proceed(then),
            Some(DialogAction::Recover(found)) => self.recover(found),
            Some(DialogAction::Discard) => Autosave::discard(&self.opts.home),
            None => {}
        }
    }

    /// A modal dialog (export, a question, recovery, an error, a file picker) has the keyboard
    /// and covers the canvas.
    fn modal_open(&self) -> bool {
        self.export.is_some() || self.dialogs.modal() || self.pickers.busy()
    }

    pub(super) fn preview_action(&mut self, a: PreviewAction) {
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

    pub(super) fn lab_action(&mut self, a: LabAction) {
        let dir = self.start_dir();
        match a {
            LabAction::ChooseOpponent => self.pickers.open(Purpose::ChooseOpponent, &dir, ""),
            LabAction::AddEntrant => self.pickers.open(Purpose::AddEntrant, &dir, ""),
            LabAction::OpenReplay => self.pickers.open(Purpose::OpenReplay, &dir, ""),
            LabAction::SaveReplay => {
                // A game the graph played before it was saved: named now, if the saved graph
                // is the one that played.
                if let (Some(d), Some(file)) = (self.duel_lab.shown.as_mut(), self.doc.path.clone())
                    && d.replay.is_none()
                    && !d.name_the_saved_graph(self.doc.graph(), &file)
                {
                    self.duel_lab.error = Some(
                        "The graph changed since this game was played: play it again to save \
                         its replay."
                            .into(),
                    );
                    return;
                }
                let name = format!("{}.mcreplay", self.doc.graph().name);
                self.pickers.open(Purpose::SaveReplay, &dir, &name);
            }
            LabAction::DebugTurn => self.debug_duel_turn(),
            LabAction::ApplyTuning => self.apply_tuning(),
        }
    }

    /// Writes the duel lab's tuned numbers into the graph as one undoable edit, and says which
    /// numbers changed.
    pub fn apply_tuning(&mut self) {
        let tune = &mut self.duel_lab.tune;
        match tune.changes_for(self.doc.graph()) {
            Ok(changes) if !changes.is_empty() => {
                self.doc.edit("Tune numbers", None, |g| {
                    duel_lab::tune::TunePanel::apply(g, &changes);
                });
                let list: Vec<String> = changes
                    .iter()
                    .map(|c| format!("{}: {} to {}", c.label, c.old, c.new))
                    .collect();
                tune.applied = Some(format!(
                    "Applied {} tuned number{} (Undo takes them back): {}.",
                    changes.len(),
                    if changes.len() == 1 { "" } else { "s" },
                    list.join("; ")
                ));
                tune.report = None;
                tune.tuned_from = None;
            }
            Ok(_) => tune.applied = Some("The tuning changed no number.".into()),
            Err(e) => tune.error = Some(e),
        }
    }

    /// Opens the duel lab's shown turn in the turn preview: its state becomes a sample (named
    /// after the turn), played by the edited graph as that turn's player with its seed.
    /// Shows `sample`'s state in the turn preview, played by `slot` with `seed` (the same turn
    /// opened twice is picked again, not added twice).
    pub(crate) fn open_turn_in_preview(&mut self, sample: preview::Sample, slot: u8, seed: u64) {
        match self.preview.samples.iter().position(|s| {
            s.path.is_none() && s.name == sample.name && s.scenario.state == sample.scenario.state
        }) {
            Some(i) => self.preview.pick(i),
            None => self.preview.add_sample(sample),
        }
        self.preview.slot = slot;
        self.preview.seed = seed;
        self.right_tab = RightTab::Preview;
    }

    pub fn debug_duel_turn(&mut self) {
        let Some((sample, slot, seed)) = self
            .duel_lab
            .shown
            .as_ref()
            .and_then(|d| d.turn_sample(self.duel_lab.turn))
        else {
            return;
        };
        self.open_turn_in_preview(sample, slot, seed);
        let game_turn = self.preview.state().map_or(0, |s| s.turn);
        self.status = format!(
            "Debugging turn {} of the duel: the preview plays it with your graph as player {slot} \
             (the game counts it as turn {game_turn}; seed {seed} is that turn's own, which the \
             duel's seed gave it).",
            self.duel_lab.turn + 1
        );
    }

    fn function_action(&mut self, a: functions::FunctionAction) {
        use functions::FunctionAction as A;
        let scope = self.canvas.scope();
        match a {
            A::Open(f) => self.open_function(f),
            A::Make => self.make_function(),
            A::FindUsages(name) => self.find_usages(&name),
            A::Call(f) => {
                let at = free_spot_in(
                    self.doc.graph(),
                    self.canvas.centre(),
                    self.canvas.visible_area(),
                );
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

    pub(super) fn world_action(&mut self, a: WorldAction) {
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

    /// Steps the preview to the next turn (as the Next turn button does).
    pub fn next_turn(&mut self) {
        self.preview_action(PreviewAction::Next);
    }
}
