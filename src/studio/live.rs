//! Keeping the previews in step with the document: after an edit, the turn preview's worker
//! gets a job (the graph, the sample, the seat, the seed) or the world preview gets the edited
//! script; results of a graph since replaced are dropped; a graph with errors sends nothing and
//! the preview says it shows the last version that worked.
//!
//! An edit is sent at once, in the frame that made it (the preview takes a few milliseconds;
//! the worker drops a job a newer one has overtaken, so a burst of edits costs one compile at a
//! time). How long each edit took to reach the screen is kept ([`Latency`]) and, with
//! `CREATOR_STUDIO_LATENCY_LOG=FILE` set, appended to that file as a JSON line.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aether_lang::check::{self, Severity};

use super::document::Document;
use super::opponents::Opponent;
use super::preview::{self, Job, Preview, Worker};
use super::world_view::WorldView;

/// The environment variable naming the file latencies are appended to.
pub const LATENCY_LOG: &str = "CREATOR_STUDIO_LATENCY_LOG";

/// How many latencies are kept for [`Live::latencies`].
const KEPT: usize = 256;

/// When the studio started: the zero of the latency log's times.
pub(super) fn started() -> Instant {
    static STARTED: OnceLock<Instant> = OnceLock::new();
    *STARTED.get_or_init(Instant::now)
}

/// One edit on its way to the screen: when it was made, and the first frame that showed its
/// result (the turn preview's new turn, or the world's new script swapped in).
#[derive(Clone, Copy, Debug)]
pub struct Latency {
    /// `"ai"` (the turn preview) or `"world"` (the world preview).
    pub kind: &'static str,
    /// When the edit was made (the input event's frame).
    pub edit: Instant,
    /// The first frame showing its result.
    pub shown: Instant,
}

impl Latency {
    /// Edit to screen.
    pub fn took(&self) -> Duration {
        self.shown - self.edit
    }

    /// The latency log's line: milliseconds since the studio started.
    fn json(&self) -> String {
        let ms = |t: Instant| t.duration_since(started()).as_secs_f64() * 1000.0;
        format!(
            "{{\"kind\": \"{}\", \"edit_ms\": {:.3}, \"shown_ms\": {:.3}}}",
            self.kind,
            ms(self.edit),
            ms(self.shown)
        )
    }
}

/// What a preview shows: the graph's structure version, the sample, the seat, the seed, the
/// turns stepped, whether fuel per node is measured. A preview is current when it was asked
/// for with the key the document and the preview have now.
pub(super) type Key = (u64, usize, u8, u64, usize, bool);

/// The preview's worker and the jobs sent to it.
pub(super) struct Live {
    pub(super) worker: Worker,
    jobs: u64,
    /// Results of jobs up to this id belong to a document since replaced: they are dropped.
    replaced_after: u64,
    /// The key last asked for.
    requested: Option<Key>,
    /// The first edit not yet on screen.
    edited_at: Option<Instant>,
    /// Edits that reached the screen, newest last (the last [`KEPT`]).
    latencies: VecDeque<Latency>,
    /// Where latencies are appended, when [`LATENCY_LOG`] names a file.
    log: Option<PathBuf>,
}

impl Live {
    /// The preview's `worker`; latencies appended to `log` when given.
    pub(super) fn new(worker: Worker, log: Option<PathBuf>) -> Self {
        Self {
            worker,
            jobs: 0,
            replaced_after: 0,
            requested: None,
            edited_at: None,
            latencies: VecDeque::new(),
            log,
        }
    }

    /// Edits that reached the screen, oldest first.
    pub(super) fn latencies(&self) -> impl Iterator<Item = &Latency> {
        self.latencies.iter()
    }

    /// Once a frame, after the previews took in their results: if the first edit not yet shown
    /// now is (the turn preview shows a turn of the graph as it is, or the world runs it), its
    /// latency is kept and logged. An edit whose result will never show (the graph has errors,
    /// the turn failed) is forgotten.
    pub(super) fn note_shown(&mut self, doc: &Document, preview: &Preview, world: &WorldView) {
        let Some(edit) = self.edited_at else {
            return;
        };
        let version = doc.structure_version();
        let is_world = doc.graph().kind == aether_lang::graph::ScriptKind::WorldScript;
        if check::has_errors(doc.diagnostics()) {
            self.edited_at = None;
            return;
        }
        let shown = if is_world {
            world.running == Some(version)
        } else {
            preview.shown.as_ref().is_some_and(|(_, v)| *v == version)
        };
        if !shown {
            let answered = !is_world
                && preview.waiting.is_none()
                && self.requested == Some(Self::key(doc, preview));
            if answered && preview.failure.is_some() {
                self.edited_at = None;
            }
            return;
        }
        self.edited_at = None;
        let l = Latency {
            kind: if is_world { "world" } else { "ai" },
            edit,
            shown: Instant::now(),
        };
        if self.latencies.len() == KEPT {
            self.latencies.pop_front();
        }
        self.latencies.push_back(l);
        if let Some(path) = &self.log {
            // A log that cannot be written is not the user's problem: the studio goes on.
            let _ = aether_base::fsutil::append_line(path, &l.json());
        }
    }

    /// The key of what the preview should show now.
    pub(super) fn key(doc: &Document, preview: &Preview) -> Key {
        (
            doc.structure_version(),
            preview.sample,
            preview.slot,
            preview.seed,
            preview.history.len(),
            preview.show_fuel,
        )
    }

    /// Whether the preview is waiting for the worker.
    pub(super) fn pending(&self, doc: &Document, preview: &Preview) -> bool {
        preview.waiting.is_some() || self.requested != Some(Self::key(doc, preview))
    }

    /// A structural edit was made now (the first of several before the screen shows any
    /// counts: the user has waited since then).
    pub(super) fn edited(&mut self) {
        self.edited_at.get_or_insert_with(Instant::now);
    }

    /// The document was replaced: nothing asked for it yet, and every job in flight is of the
    /// graph before.
    pub(super) fn replaced(&mut self) {
        self.requested = None;
        self.edited_at = None;
        self.replaced_after = self.jobs;
    }

    /// Takes in a finished turn.
    pub(super) fn receive(
        &mut self,
        done: preview::Finished,
        doc: &Document,
        preview: &mut Preview,
    ) {
        if done.id <= self.replaced_after {
            // A turn of the graph that was open before: neither its turn nor its step applies.
            return;
        }
        let advanced = done.advanced.is_some();
        preview.receive(done, doc.structure_version());
        if advanced {
            self.requested = Some(Self::key(doc, preview));
        }
    }

    /// Takes in every finished turn.
    pub(super) fn poll(&mut self, doc: &Document, preview: &mut Preview) {
        for done in self.worker.poll() {
            self.receive(done, doc, preview);
        }
    }

    /// (Re)starts the world preview with the graph as it is (without it while it has errors).
    pub(super) fn start_world(&mut self, doc: &Document, preview: &Preview, world: &mut WorldView) {
        let version = doc.structure_version();
        self.requested = Some(Self::key(doc, preview));
        if check::has_errors(doc.diagnostics()) {
            world.start(None, version);
        } else {
            let g = doc.graph().clone();
            world.start(Some(&g), version);
        }
    }

    /// Sends the edited world script to the world, unless it has errors.
    fn update_world(&mut self, doc: &Document, preview: &Preview, world: &mut WorldView) {
        let version = doc.structure_version();
        self.requested = Some(Self::key(doc, preview));
        if let Some(errors) = errors_in_words(doc) {
            world.problem = Some(format!(
                "{errors}: the world runs the last version that worked. Fix the problems listed \
                 below the canvas."
            ));
            world.sent = Some(version);
            return;
        }
        let g = doc.graph().clone();
        world.edited(&g, version);
    }

    /// Sends a preview job now (with `advance`, stepping to the next turn first), or the
    /// edited script to the world.
    pub(super) fn schedule(
        &mut self,
        doc: &Document,
        preview: &mut Preview,
        world: &mut WorldView,
        advance: Option<Vec<Opponent>>,
    ) {
        if doc.graph().kind == aether_lang::graph::ScriptKind::WorldScript {
            self.update_world(doc, preview, world);
            return;
        }
        self.requested = Some(Self::key(doc, preview));
        if let Some(errors) = errors_in_words(doc) {
            preview.stale = Some(format!(
                "{errors}: showing the last turn that worked. Fix the problems listed below the \
                 canvas."
            ));
            return;
        }
        let Some(state) = preview.state().cloned() else {
            return;
        };
        self.jobs += 1;
        preview.waiting = Some(self.jobs);
        self.worker.send(Job {
            id: self.jobs,
            version: doc.structure_version(),
            graph: doc.graph().clone(),
            state,
            slot: preview.slot,
            seed: preview.seed,
            advance,
            trace: preview.show_fuel,
        });
    }

    /// Once a frame: sends what the preview should show when it changed, at once. (A 250 ms
    /// debounce once held every structural edit back, while the preview itself takes a few
    /// milliseconds; the worker keeps only the newest job, which is all the coalescing a burst
    /// of edits needs.)
    pub(super) fn tick(&mut self, doc: &Document, preview: &mut Preview, world: &mut WorldView) {
        if self.requested == Some(Self::key(doc, preview)) {
            return;
        }
        if self
            .requested
            .is_some_and(|r| r.0 != doc.structure_version())
        {
            // An edit that did not say so (every edit command does): it counts from now.
            self.edited();
        }
        self.schedule(doc, preview, world, None);
    }
}

/// "The graph has 2 errors", when it has any.
pub(super) fn errors_in_words(doc: &Document) -> Option<String> {
    let n = doc
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (n > 0).then(|| format!("The graph has {n} error{}", if n == 1 { "" } else { "s" }))
}
