//! Keeping the previews in step with the document: after an edit, the turn preview's worker
//! gets a job (the graph, the sample, the seat, the seed) or the world preview gets the edited
//! script; results of a graph since replaced are dropped; a graph with errors sends nothing and
//! the preview says it shows the last version that worked.

use std::time::{Duration, Instant};

use aether_lang::check::{self, Severity};

use super::document::Document;
use super::opponents::Opponent;
use super::preview::{self, Job, Preview, Worker};
use super::world_view::WorldView;

/// How long after the last edit the preview recompiles.
const DEBOUNCE: Duration = Duration::from_millis(250);

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
    edited_at: Option<Instant>,
}

impl Live {
    /// A worker compiling with `cache`, guarding file modules with `compile_worker`.
    pub(super) fn new(worker: Worker) -> Self {
        Self {
            worker,
            jobs: 0,
            replaced_after: 0,
            requested: None,
            edited_at: None,
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

    /// Whether the preview is waiting for the worker or for the debounce.
    pub(super) fn pending(&self, doc: &Document, preview: &Preview) -> bool {
        preview.waiting.is_some() || self.requested != Some(Self::key(doc, preview))
    }

    /// A structural edit was made now.
    pub(super) fn edited(&mut self) {
        self.edited_at = Some(Instant::now());
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

    /// Once a frame: sends what the preview should show when it changed (a structural edit
    /// after the debounce, anything else at once); otherwise asks for a repaint when the
    /// debounce ends.
    pub(super) fn tick(
        &mut self,
        ctx: &egui::Context,
        doc: &Document,
        preview: &mut Preview,
        world: &mut WorldView,
    ) {
        if self.requested == Some(Self::key(doc, preview)) {
            return;
        }
        let graph_changed = self
            .requested
            .is_none_or(|r| r.0 != doc.structure_version());
        let wait = if graph_changed {
            self.edited_at
                .map_or(Duration::ZERO, |t| DEBOUNCE.saturating_sub(t.elapsed()))
        } else {
            Duration::ZERO
        };
        if wait.is_zero() {
            self.schedule(doc, preview, world, None);
        } else {
            ctx.request_repaint_after(wait);
        }
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
