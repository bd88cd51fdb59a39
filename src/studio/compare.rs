//! *Compare with…*: what the creator's edits changed in what the AI does. The graph on the
//! canvas (NEW) and another version of it (OLD: the saved file, any graph file, or the graph
//! before the last N edits) play the same turns in the reference interpreter
//! ([`aether_lang::diff`]) on a worker thread: the built-in samples from every seat and
//! generated maps. The window lists the turns whose actions differ and where the two runs
//! part; the canvas marks every node whose behaviour changed (not only the nodes edited); a
//! click on a turn shows it on two maps side by side, OLD's actions and NEW's.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use aether_host::ActionReport;
use aether_lang::VisualScriptGraph;
use aether_lang::diff::{Case, Diff, diff};
use aether_lang::graph::NodeId;
use aether_lang::interp::CheckedGraph;
use egui::{Color32, RichText};
use mc_tactical_types::rules::{self, TurnLedger};

use super::map::turn_map_ui;
use super::preview::Sample;

/// Which version NEW is compared with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Against {
    /// The graph as last saved or opened.
    Saved,
    /// A graph file.
    File(PathBuf),
    /// The graph before the last `n` edits.
    EditsBack(usize),
}

/// What the window asks the studio for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompareAction {
    /// Compare with this version (the studio finds the graph and calls [`Compare::start`]).
    Start(Against),
    /// Pick a graph file to compare with.
    PickFile,
    /// Open differing turn `i` (of `result.diff.differing`) in the turn preview, played by the
    /// graph on the canvas.
    OpenInPreview(usize),
}

/// A finished comparison.
#[derive(Debug)]
pub struct Comparison {
    /// What NEW was compared with, in words ("the saved file", "before the last 2 edits").
    pub against: String,
    /// The document version NEW was: the marks are shown only while the graph is still that.
    pub version: u64,
    /// The turns played.
    pub cases: Vec<Case>,
    /// What differs.
    pub diff: Diff,
}

struct Job {
    done: Arc<AtomicUsize>,
    total: usize,
    cancel: Arc<AtomicBool>,
    result: mpsc::Receiver<Comparison>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("done", &self.done.load(Ordering::Relaxed))
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

/// The Compare window's state.
#[derive(Debug)]
pub struct Compare {
    /// Whether the window is open.
    pub open: bool,
    /// "Before the last N edits": N.
    pub edits_back: usize,
    job: Option<Job>,
    /// The last comparison finished.
    pub result: Option<Comparison>,
    /// The differing turn shown on the maps (index into `result.diff.differing`).
    pub selected: Option<usize>,
    /// Why the last comparison could not start, in words.
    pub error: Option<String>,
}

impl Default for Compare {
    fn default() -> Self {
        Self {
            open: false,
            edits_back: 1,
            job: None,
            result: None,
            selected: None,
            error: None,
        }
    }
}

/// Generated maps the studio adds to the samples (each from both seats).
const GENERATED: u32 = 40;

/// Seeds each sample is played with, from every seat.
const SAMPLE_SEEDS: u64 = 2;

/// The turns a comparison plays: every sample from every seat with two seeds, and generated
/// maps from 8×8 to 40×40.
pub fn corpus(samples: &[Sample]) -> Vec<Case> {
    let mut out = Vec::new();
    for s in samples {
        out.extend(aether_duel::corpus::from_scenario(
            &s.name,
            &s.scenario,
            0..SAMPLE_SEEDS,
        ));
    }
    out.extend(aether_duel::corpus::generated(GENERATED, 1));
    out
}

impl Compare {
    /// Whether a comparison is running.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// Starts comparing `new` (the document at `version`) with `old` on `cases`, on a worker
    /// thread; a comparison already running is cancelled. An error (a graph with errors) is
    /// shown in the window.
    pub fn start(
        &mut self,
        old: VisualScriptGraph,
        new: VisualScriptGraph,
        against: String,
        version: u64,
        cases: Vec<Case>,
    ) {
        self.cancel();
        self.error = None;
        self.selected = None;
        let checked = |g: VisualScriptGraph, which: &str| {
            CheckedGraph::new(g).map_err(|d| {
                format!(
                    "{which} has {} error{}; fix {} first",
                    d.len(),
                    if d.len() == 1 { "" } else { "s" },
                    if d.len() == 1 { "it" } else { "them" }
                )
            })
        };
        let (old, new) = match (checked(old, "The other version"), checked(new, "The graph")) {
            (Ok(o), Ok(n)) => (o, n),
            (Err(e), _) | (_, Err(e)) => {
                self.error = Some(e);
                return;
            }
        };
        let done = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let total = cases.len();
        let (d, c) = (done.clone(), cancel.clone());
        std::thread::spawn(move || {
            let found = diff(&old, &new, &cases, &mut |n, _| {
                d.store(n, Ordering::Relaxed);
                !c.load(Ordering::Relaxed)
            });
            if !c.load(Ordering::Relaxed) {
                let _ = tx.send(Comparison {
                    against,
                    version,
                    cases,
                    diff: found,
                });
            }
        });
        self.job = Some(Job {
            done,
            total,
            cancel,
            result: rx,
        });
    }

    /// Stops a running comparison.
    pub fn cancel(&mut self) {
        if let Some(job) = self.job.take() {
            job.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Takes in a finished comparison; true when one arrived.
    pub fn poll(&mut self) -> bool {
        let Some(job) = &self.job else {
            return false;
        };
        match job.result.try_recv() {
            Ok(c) => {
                self.result = Some(c);
                self.job = None;
                true
            }
            Err(mpsc::TryRecvError::Empty) => false,
            Err(mpsc::TryRecvError::Disconnected) => {
                self.job = None;
                self.error = Some("The comparison stopped unexpectedly; try again.".into());
                false
            }
        }
    }

    /// The nodes to mark on the canvas (on how many turns each behaves differently), while the
    /// graph is still the version compared.
    pub fn changed_nodes(&self, version: u64) -> BTreeMap<NodeId, (u32, usize)> {
        match &self.result {
            Some(r) if r.version == version => r
                .diff
                .changed_nodes
                .iter()
                .map(|(n, turns)| (*n, (*turns, r.diff.turns)))
                .collect(),
            _ => BTreeMap::new(),
        }
    }

    /// The window. `undo_steps` is how many edits back the history reaches; `saved` whether the
    /// graph has a saved version to compare with.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        undo_steps: usize,
        saved: bool,
        version: u64,
    ) -> Option<CompareAction> {
        if !self.open {
            return None;
        }
        let mut action = None;
        self.poll();
        if self.busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        let mut open = self.open;
        egui::Window::new("Compare with…")
            .open(&mut open)
            .default_width(620.0)
            .default_height(560.0)
            .show(ctx, |ui| {
                ui.label(
                    "Plays the graph on the canvas (NEW) and another version (OLD) on the same \
                     turns: the samples from every seat and generated maps. Nodes that now \
                     behave differently are marked ≠ on the canvas.",
                );
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(saved, egui::Button::new("The saved file"))
                        .on_disabled_hover_text("This graph has never been saved")
                        .clicked()
                    {
                        action = Some(CompareAction::Start(Against::Saved));
                    }
                    if ui.button("A file…").clicked() {
                        action = Some(CompareAction::PickFile);
                    }
                    ui.separator();
                    self.edits_back = self.edits_back.clamp(1, undo_steps.max(1));
                    let back = ui
                        .add_enabled(
                            undo_steps > 0,
                            egui::Button::new(format!(
                                "Before the last {} edit{}",
                                self.edits_back,
                                if self.edits_back == 1 { "" } else { "s" }
                            )),
                        )
                        .on_disabled_hover_text("No edits yet");
                    if back.clicked() {
                        action = Some(CompareAction::Start(Against::EditsBack(self.edits_back)));
                    }
                    ui.add_enabled(
                        undo_steps > 1,
                        egui::DragValue::new(&mut self.edits_back).range(1..=undo_steps.max(1)),
                    );
                });
                if let Some(e) = &self.error {
                    ui.colored_label(Color32::from_rgb(255, 120, 120), e);
                }
                if let Some(job) = &self.job {
                    let done = job.done.load(Ordering::Relaxed);
                    ui.add(
                        egui::ProgressBar::new(done as f32 / job.total.max(1) as f32)
                            .text(format!("{done} of {} turns played", job.total)),
                    );
                    if ui.button("Cancel").clicked() {
                        self.cancel();
                    }
                }
                if let Some(i) = self.result_ui(ui, version) {
                    action = Some(CompareAction::OpenInPreview(i));
                }
            });
        self.open = open;
        if !self.open {
            self.cancel();
        }
        action
    }

    /// The comparison's result; `Some(i)` when differing turn `i` should open in the preview.
    fn result_ui(&mut self, ui: &mut egui::Ui, version: u64) -> Option<usize> {
        let Some(r) = &self.result else {
            return None;
        };
        ui.separator();
        let d = &r.diff;
        let summary = if d.differing.is_empty() {
            format!(
                "Compared with {}: no turn differs in {} turns; both versions do the same.",
                r.against, d.turns
            )
        } else {
            format!(
                "Compared with {}: {} of {} turns differ.",
                r.against,
                d.differing.len(),
                d.turns
            )
        };
        ui.label(RichText::new(summary).strong());
        if r.version != version {
            ui.colored_label(
                Color32::from_rgb(250, 210, 90),
                "The graph changed since: compare again to see what it does now.",
            );
        }
        for g in &d.groups {
            ui.label(format!(
                "{} {} on {} of {} turns",
                g.name, g.what, g.turns, d.turns
            ));
        }
        if d.differing.is_empty() {
            return None;
        }
        ui.label(RichText::new("Differing turns (click one to see both on the map):").small());
        let mut clicked = None;
        egui::ScrollArea::vertical()
            .id_salt("compare-turns")
            .max_height(160.0)
            .show(ui, |ui| {
                for (i, t) in d.differing.iter().enumerate() {
                    let label = &r.cases[t.case].label;
                    let where_ = t
                        .parting
                        .as_ref()
                        .map_or(String::new(), |p| format!(": {} {}", p.name, p.what));
                    if ui
                        .selectable_label(self.selected == Some(i), format!("{label}{where_}"))
                        .clicked()
                    {
                        clicked = Some(i);
                    }
                }
            });
        if clicked.is_some() {
            self.selected = clicked;
        }
        let selected = self.selected?;
        let t = d.differing.get(selected)?;
        let case = &r.cases[t.case];
        ui.separator();
        ui.columns(2, |cols| {
            for (col, (name, actions, only)) in cols
                .iter_mut()
                .zip([("OLD", &t.old, &t.only_old), ("NEW", &t.new, &t.only_new)])
            {
                col.label(RichText::new(name).strong());
                turn_map_ui(
                    col,
                    &case.view,
                    case.slot,
                    &reports(&case.view, case.slot, actions),
                    false,
                    1.0,
                );
                if only.is_empty() {
                    col.label(RichText::new("nothing only here").small());
                }
                for a in only.iter() {
                    col.label(RichText::new(format!("only {name}: {a}")).small());
                }
            }
        });
        ui.button("Debug this turn in the preview")
            .on_hover_text(
                "Open this turn in the turn preview, played by the graph on the canvas (NEW): \
                 hover its ports, ask Why not?, step through it",
            )
            .clicked()
            .then_some(selected)
    }
}

/// `actions` as the rules judge them one after the other on `view`.
fn reports(
    view: &mc_tactical_types::TacticalState,
    slot: u8,
    actions: &[mc_tactical_types::Action],
) -> Vec<ActionReport> {
    let mut state = view.clone();
    let mut ledger = TurnLedger::new(slot);
    actions
        .iter()
        .map(|a| ActionReport {
            verdict: rules::apply(&mut state, &mut ledger, a),
            action: *a,
        })
        .collect()
}

impl super::Studio {
    /// File > Compare with…: opens the window (AI controllers only).
    pub(super) fn open_compare(&mut self) {
        if self.is_world() {
            self.status = "Compare with… is for AI controllers: a world script's runs are \
                           compared in the world preview's journal."
                .into();
            return;
        }
        self.compare.open = true;
    }

    /// Starts comparing the graph with `against`; what cannot be compared is said in the window.
    pub(super) fn compare_with(&mut self, against: Against) {
        self.compare.open = true;
        let found = match &against {
            Against::Saved => self
                .doc
                .saved_graph()
                .cloned()
                .map(|g| (g, "the saved file".to_owned()))
                .ok_or_else(|| {
                    "This graph has never been saved: there is no saved file to compare with."
                        .to_owned()
                }),
            Against::File(path) => VisualScriptGraph::load(path)
                .map(|g| {
                    let name = path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    (g, name)
                })
                .map_err(|e| format!("Could not open the file to compare with: {e}")),
            Against::EditsBack(n) => self
                .doc
                .graph_before(*n)
                .cloned()
                .map(|g| {
                    (
                        g,
                        format!(
                            "the graph before the last {n} edit{}",
                            if *n == 1 { "" } else { "s" }
                        ),
                    )
                })
                .ok_or_else(|| format!("The history does not reach {n} edits back.")),
        };
        match found {
            Ok((old, _)) if old.kind != aether_lang::graph::ScriptKind::AiController => {
                self.compare.error = Some(
                    "That is a world script; compare an AI controller with an AI controller."
                        .into(),
                );
            }
            Ok((old, words)) => {
                let cases = corpus(&self.preview.samples);
                let version = self.doc.version();
                self.compare
                    .start(old, self.doc.graph().clone(), words, version, cases);
            }
            Err(e) => self.compare.error = Some(e),
        }
    }

    /// The Compare window, and its marks on the canvas.
    pub(super) fn compare_ui(&mut self, ctx: &egui::Context) {
        let version = self.doc.version();
        let saved = self.doc.saved_graph().is_some();
        let steps = self.doc.undo_steps();
        match self.compare.ui(ctx, steps, saved, version) {
            Some(CompareAction::Start(against)) => self.compare_with(against),
            Some(CompareAction::PickFile) => {
                let dir = self
                    .doc
                    .path
                    .as_deref()
                    .and_then(std::path::Path::parent)
                    .map_or_else(|| PathBuf::from("."), std::path::Path::to_path_buf);
                self.pickers
                    .open(super::files::Purpose::CompareWith, &dir, "");
            }
            Some(CompareAction::OpenInPreview(i)) => {
                let found = self.compare.result.as_ref().and_then(|r| {
                    let t = r.diff.differing.get(i)?;
                    let case = r.cases.get(t.case)?;
                    Some(case.clone())
                });
                if let Some(case) = found {
                    let sample = super::preview::Sample {
                        name: case.label.clone(),
                        path: None,
                        scenario: aether_lang::Scenario {
                            name: case.label.clone(),
                            description: "A turn where the compared versions differ".into(),
                            turn_limit: None,
                            state: case.view.clone(),
                        },
                    };
                    self.open_turn_in_preview(sample, case.slot, case.seed);
                    self.status = format!(
                        "Debugging a turn where the versions differ ({}): the preview plays it with \
                         the graph on the canvas",
                        case.label
                    );
                }
            }
            None => {}
        }
        self.canvas.set_changed(self.compare.changed_nodes(version));
    }
}
