//! The preview's worker thread: compiles the edited graph (the debug profile, fuel per node
//! when asked), loads it linked to the runtime compiled once, plays the turn on the sample as
//! the chosen seat with the chosen seed (stepping rounds with each other seat's player first
//! when asked), checks determinism, and sends back a [`TurnView`] with every port's values and
//! why each node did not act. Newer jobs replace queued ones; the window never waits on it.

use crate::studio::opponents::{Opponent, SeatLoader, module_hash};
use aether_compile::{CompilationProfile, CompileError};
use aether_host::{Controller, ControllerHost, ControllerLimits, TurnReport};
use aether_host::{Determinism, check_determinism};
use aether_lang::VisualScriptGraph;
use aether_lang::check;
use mc_tactical_types::TacticalState;
use mc_tactical_types::rules::{self};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// One request to the worker.
#[derive(Clone, Debug)]
pub struct Job {
    /// Increases with every job; results carry it back.
    pub id: u64,
    /// The document's structure version the graph was taken from.
    pub version: u64,
    /// The graph to compile.
    pub graph: VisualScriptGraph,
    /// The authoritative state before the turn.
    pub state: TacticalState,
    /// The slot the AI plays.
    pub slot: u8,
    /// The seed passed to `decide_turn`.
    pub seed: u64,
    /// Play this turn, then the other slots (who plays each slot, by slot), end the round,
    /// and preview the next turn.
    pub advance: Option<Vec<Opponent>>,
    /// Also measure where the turn's fuel goes, node by node.
    pub trace: bool,
}

/// The compiler's fuel bound, evaluated on a previewed turn's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuelBoundView {
    /// No turn on this state can burn more.
    pub turn: u64,
    /// From how many units a side the game's cap could be passed on this map (`None`: never).
    pub units_to_cap: Option<u64>,
    /// One run of each node, at most.
    pub nodes: std::collections::BTreeMap<aether_lang::graph::NodeId, u64>,
}

/// A previewed turn.
#[derive(Clone, Debug)]
pub struct TurnView {
    /// The compiler's bound of this turn's fuel (none for a graph it cannot bound).
    pub fuel_bound: Option<FuelBoundView>,
    /// The host's report of the first run.
    pub report: TurnReport,
    /// Whether a second fresh instance gave the same reply bytes.
    pub deterministic: bool,
    /// The state the turn was played on.
    pub before: TacticalState,
    /// Query nodes that found nothing in this turn (no enemy in sight…), with how many times:
    /// from the reference interpreter's run of the same turn (the compiled module is the same
    /// program, byte for byte).
    pub found_nothing: std::collections::BTreeMap<aether_lang::graph::NodeId, u32>,
    /// Each port's values in this turn, from the reference interpreter's run of it: (node,
    /// port) → the port's name and each value, as a creator reads it, in order.
    pub values:
        std::collections::BTreeMap<(aether_lang::graph::NodeId, String), (String, Vec<String>)>,
    /// The passes of the longest loop in this turn (1 without a loop): what "iteration k of n"
    /// counts, in the panel and on every port alike.
    pub passes: usize,
    /// The reference interpreter's trace of this turn (what the debugger steps through).
    pub run_trace: Vec<aether_lang::interp::TraceEvent>,
    /// For each node with execution pins that never ran in this turn, or an action node that
    /// did not send an action each time it ran: why, in words, and the node to look at.
    pub why_not: std::collections::BTreeMap<aether_lang::graph::NodeId, aether_lang::explain::Why>,
    /// What the action nodes worked out but the rules refused on the graph's copy of the turn
    /// (so never sent): the node and the try in words ("Attack #4: unit 1 attacks unit 9 — unit
    /// 9 is 6 tiles from unit 1, beyond its range of 1").
    pub refused: Vec<(aether_lang::graph::NodeId, String)>,
    /// Where the turn's fuel went, node by node, when asked for (or why it could not be
    /// measured).
    pub trace: Option<Result<aether_debug::TurnTrace, String>>,
}

/// What became of a job.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The turn was played (it may still have failed: see the report's outcome).
    Turn(Box<TurnView>),
    /// The graph has errors (the problems panel lists them).
    GraphErrors(usize),
    /// The compiler or the host refused the module: a fault of the studio, reported in words.
    Failed(String),
}

/// A finished job.
#[derive(Clone, Debug)]
pub struct Finished {
    /// The job's id.
    pub id: u64,
    /// The document's structure version it previewed.
    pub version: u64,
    /// What happened.
    pub outcome: Outcome,
    /// For an advancing job: the state the new turn starts from.
    pub advanced: Option<TacticalState>,
    /// Graph to module.
    pub compile_time: Duration,
    /// Module to loaded controller (cranelift).
    pub load_time: Duration,
}

/// The worker thread's handle.
#[derive(Debug)]
pub struct Worker {
    jobs: Sender<Job>,
    results: Receiver<Finished>,
    /// Asked to repaint when a result arrives (set once the UI has a context).
    pub repaint: Arc<OnceLock<egui::Context>>,
}

impl Worker {
    /// Starts the worker thread; its host reuses machine code through `cache` (the studio keeps
    /// it in its folder, so an edit, a new version string or the next start compiles only what
    /// changed).
    pub fn spawn(
        cache: Option<aether_host::CompileCache>,
        compile_worker: Option<PathBuf>,
    ) -> Self {
        let (jobs, job_rx) = channel::<Job>();
        let (result_tx, results) = channel::<Finished>();
        let repaint: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let ctx = repaint.clone();
        let spawned = std::thread::Builder::new()
            .name("preview".into())
            .spawn(move || worker_loop(&job_rx, &result_tx, &ctx, cache, compile_worker));
        if let Err(e) = spawned {
            eprintln!("warning: the preview thread could not start: {e}");
        }
        Self {
            jobs,
            results,
            repaint,
        }
    }

    /// Queues a job (replacing any still queued).
    pub fn send(&self, job: Job) {
        let _ = self.jobs.send(job);
    }

    /// The results that arrived since the last call.
    pub fn poll(&self) -> Vec<Finished> {
        self.results.try_iter().collect()
    }

    /// Waits up to `timeout` for the next result (tests and start-up).
    pub fn wait(&self, timeout: Duration) -> Option<Finished> {
        self.results.recv_timeout(timeout).ok()
    }
}

fn worker_loop(
    jobs: &Receiver<Job>,
    results: &Sender<Finished>,
    ctx: &OnceLock<egui::Context>,
    cache: Option<aether_host::CompileCache>,
    compile_worker: Option<PathBuf>,
) {
    let mut loader = SeatLoader::new(cache.clone(), compile_worker);
    let limits = ControllerLimits {
        compile_cache: cache,
        ..ControllerLimits::default()
    };
    let host = match ControllerHost::new(limits) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("warning: the preview host could not start: {e}");
            return;
        }
    };
    let mut cache: Option<Compiled> = None;
    // What the last compile left: where the graph's typed values are and the last whole linked
    // module, so the next edit compiles only the functions it changed and those calling them.
    let mut linked_state = aether_compile::LinkedState::default();
    let mut bounds = Bounds::default();
    while let Ok(mut job) = jobs.recv() {
        while let Ok(newer) = jobs.try_recv() {
            job = newer;
        }
        let finished = run_job(
            &host,
            &mut loader,
            (&mut cache, &mut bounds),
            &mut linked_state,
            job,
        );
        if results.send(finished).is_err() {
            return;
        }
        if let Some(ctx) = ctx.get() {
            ctx.request_repaint();
        }
    }
}

/// The last graph compiled: the graph, its controller and module hash, compile and load times,
/// and the compiled artifact (for measuring fuel per node).
type Compiled = (
    VisualScriptGraph,
    (Controller, u64),
    Duration,
    Duration,
    aether_compile::ScriptArtifact,
    Option<aether_compile::bound::FuelBound>,
);

/// The fuel bounds of the graph shapes previewed last (`ir::Program::shape`: typed values do
/// not change a bound), newest last: an edit of a number, or an undo back to a shape seen
/// before, does not work the bound out again.
#[derive(Default)]
struct Bounds(
    Vec<(
        aether_compile::ir::Program,
        Option<aether_compile::bound::FuelBound>,
    )>,
);

impl Bounds {
    /// Shapes kept.
    const KEPT: usize = 8;

    fn of(
        &mut self,
        checked: &aether_lang::interp::CheckedGraph,
        artifact: &aether_compile::ScriptArtifact,
    ) -> Option<aether_compile::bound::FuelBound> {
        let shape = aether_compile::ir::lower(checked).shape();
        if let Some(i) = self.0.iter().position(|(s, _)| *s == shape) {
            let hit = self.0.remove(i);
            let bound = hit.1.clone();
            self.0.push(hit);
            return bound;
        }
        let bound = aether_compile::bound::fuel_bound_of(checked, artifact).ok();
        if self.0.len() >= Self::KEPT {
            self.0.remove(0);
        }
        self.0.push((shape, bound.clone()));
        bound
    }
}

/// Compiles (or reuses) the controller and plays the job's turn.
fn run_job(
    host: &ControllerHost,
    loader: &mut SeatLoader,
    (cache, bounds): (&mut Option<Compiled>, &mut Bounds),
    linked_state: &mut aether_compile::LinkedState,
    job: Job,
) -> Finished {
    let mut done = Finished {
        id: job.id,
        version: job.version,
        outcome: Outcome::Failed(String::new()),
        advanced: None,
        compile_time: Duration::ZERO,
        load_time: Duration::ZERO,
    };
    if cache.as_ref().is_none_or(|(g, ..)| *g != job.graph) {
        let started = Instant::now();
        // The module the game runs (kept for fuel per node and to recognise this AI in other
        // seats), and the same graph linked to the runtime the host compiled once: what the
        // preview loads, playing the same turns with the same fuel without translating the
        // runtime again on every edit.
        let compiled = aether_lang::interp::CheckedGraph::new(job.graph.clone())
            .map_err(CompileError::Diagnostics)
            .and_then(|checked| {
                aether_compile::compile_both(
                    &checked,
                    CompilationProfile::Debug,
                    Some(linked_state),
                )
            });
        let (artifact, linked) = match compiled {
            Ok(a) => a,
            Err(CompileError::Diagnostics(d)) => {
                done.outcome = Outcome::GraphErrors(
                    d.iter()
                        .filter(|d| d.severity == check::Severity::Error)
                        .count(),
                );
                return done;
            }
            Err(e) => {
                done.outcome = Outcome::Failed(format!("the compiler failed: {e}"));
                return done;
            }
        };
        let compile_time = started.elapsed();
        let started = Instant::now();
        match host.load_linked(&linked) {
            Ok(c) => {
                *linked_state = linked.state.clone();
                let hash = module_hash(&artifact.wasm_bytes);
                let load = started.elapsed();
                let bound = aether_lang::interp::CheckedGraph::new(job.graph.clone())
                    .ok()
                    .and_then(|checked| bounds.of(&checked, &artifact));
                *cache = Some((
                    job.graph.clone(),
                    (c, hash),
                    compile_time,
                    load,
                    artifact,
                    bound,
                ));
            }
            Err(e) => {
                done.outcome =
                    Outcome::Failed(format!("the host refused the compiled module: {e}"));
                return done;
            }
        }
    }
    let Some((_, this, compile_time, load_time, artifact, bound)) = cache.as_ref() else {
        return done;
    };
    let controller = &this.0;
    done.compile_time = *compile_time;
    done.load_time = *load_time;
    let mut state = job.state.clone();
    if let Some(others) = &job.advance {
        match advance(loader, this, &state, job.slot, job.seed, others) {
            Ok(next) => {
                state = next;
                done.advanced = Some(state.clone());
            }
            Err(why) => {
                done.outcome = Outcome::Failed(format!("The other players could not play: {why}"));
                return done;
            }
        }
    }
    let (report, verdict) = check_determinism(controller, &state, job.slot, job.seed);
    let (found_nothing, values, why_not, run_trace, refused) =
        aether_lang::interp::CheckedGraph::new(job.graph.clone())
            .map(|checked| {
                let view = rules::view_for(&state, job.slot);
                let run = aether_lang::interp::interpret(&checked, &view, job.slot, job.seed);
                let why_not = job
                    .graph
                    .nodes()
                    .filter_map(|n| {
                        aether_lang::explain::explain(&job.graph, &run.trace, n.id)
                            .map(|w| (n.id, w))
                    })
                    .collect();
                let refused = run
                    .trace
                    .iter()
                    .filter_map(|e| match e {
                        aether_lang::interp::TraceEvent::Refused(node, a, why) => {
                            let name = job
                                .graph
                                .node(*node)
                                .and_then(|n| aether_lang::catalog::spec(&n.kind))
                                .map_or("Action", |s| s.name);
                            Some((*node, format!("{name} {node}: {a} — {why}")))
                        }
                        _ => None,
                    })
                    .collect();
                (
                    run.found_nothing(&checked),
                    port_values(&job.graph, &run, &view),
                    why_not,
                    run.trace,
                    refused,
                )
            })
            .unwrap_or_default();
    let trace = (job.trace && report.outcome.is_ok()).then(|| {
        let view = rules::view_for(&state, job.slot);
        aether_debug::trace_turn(&job.graph, artifact, &view, job.slot, job.seed).and_then(|t| {
            if t.total_fuel == report.fuel_used {
                Ok(t)
            } else {
                Err(format!(
                    "the count ({}) is not the host's fuel ({}): please report it with the graph",
                    t.total_fuel, report.fuel_used
                ))
            }
        })
    });
    let passes = values
        .iter()
        .filter(|((node, port), _)| is_loop_element(&job.graph, *node, port))
        .map(|(_, (_, v))| v.len())
        .max()
        .unwrap_or(1);
    let view = rules::view_for(&state, job.slot);
    let fuel_bound = bound.as_ref().map(|b| {
        let measures = aether_compile::bound::measures(&view, job.slot);
        FuelBoundView {
            turn: b.turn.eval(&measures),
            units_to_cap: b.units_to_reach(&view, job.slot, aether_host::DEFAULT_FUEL_PER_TURN),
            nodes: b
                .nodes
                .iter()
                .map(|(n, p)| (*n, p.eval(&measures)))
                .collect(),
        }
    });
    done.outcome = Outcome::Turn(Box::new(TurnView {
        fuel_bound,
        report,
        deterministic: verdict == Determinism::Same,
        before: state,
        found_nothing,
        values,
        passes,
        why_not,
        run_trace,
        refused,
        trace,
    }));
    done
}

/// Plays `slot`'s turn (by `this`, the edited AI), then every other living slot in round order,
/// each by its choice in `others` (this AI when none is given), ending the round where it
/// wraps; returns the state at the start of `slot`'s next turn.
pub fn advance(
    loader: &mut SeatLoader,
    this: &(Controller, u64),
    state: &TacticalState,
    slot: u8,
    seed: u64,
    others: &[Opponent],
) -> Result<TacticalState, String> {
    let controller = &this.0;
    let mut s = state.clone();
    let mut session = controller.session();
    s = session.play_turn(&s, slot, seed).state_after;
    let n = u8::try_from(s.players.len()).unwrap_or(u8::MAX);
    let order: Vec<u8> = (slot + 1..n).chain(0..slot).collect();
    let mut wrapped = false;
    for other in order {
        if other < slot && !wrapped {
            rules::end_round(&mut s);
            wrapped = true;
        }
        if !s.player(other).is_some_and(|p| p.alive) {
            continue;
        }
        let who = others.get(usize::from(other)).unwrap_or(&Opponent::ThisAi);
        if let (aether_duel::Seat::Controller(c), _) = loader.seat(who, this)? {
            s = c.session().play_turn(&s, other, seed).state_after;
        }
    }
    if !wrapped {
        rules::end_round(&mut s);
    }
    Ok(s)
}

/// Each port's values in `run`, named as the catalog names the port, described as a creator
/// reads them ("Archer #7 (hp 8)").
#[allow(clippy::type_complexity)]
fn port_values(
    graph: &VisualScriptGraph,
    run: &aether_lang::interp::Run,
    view: &TacticalState,
) -> std::collections::BTreeMap<(aether_lang::graph::NodeId, String), (String, Vec<String>)> {
    // One value per port per pass of a loop: a pass begins each time a For Each gives its next
    // element, and a port read twice in one pass (a pure node wired to two inputs) keeps the
    // pass's last value, so "iteration k" means the same pass on every port and in the panel.
    // (Every read was once kept: 20 units made 40 "iterations" on such a port.) Each port keeps
    // the pass of its last value beside its values.
    let mut by_pass: std::collections::BTreeMap<
        (aether_lang::graph::NodeId, String),
        (usize, Vec<aether_lang::interp::Val>),
    > = std::collections::BTreeMap::new();
    let mut pass = 0usize;
    for event in &run.trace {
        if let aether_lang::interp::TraceEvent::Value(port, v) = event {
            let element = is_loop_element(graph, port.node, &port.port);
            if element {
                pass += 1;
            }
            let (last_pass, values) = by_pass
                .entry((port.node, port.port.clone()))
                .or_insert((usize::MAX, Vec::new()));
            match values.last_mut() {
                Some(last) if !element && *last_pass == pass => *last = *v,
                _ => values.push(*v),
            }
            *last_pass = pass;
        }
    }
    let raw = by_pass
        .into_iter()
        .map(|(k, (_, values))| (k, values))
        .collect();
    described_view(graph, &raw, view)
}

/// Whether `port` of `node` is a loop's element (For Each Unit's Unit, For Each Entity In
/// Radius's Entity): each value it gives starts a pass.
pub fn is_loop_element(
    graph: &VisualScriptGraph,
    node: aether_lang::graph::NodeId,
    port: &str,
) -> bool {
    graph.node(node).is_some_and(|n| {
        matches!(
            (n.kind.as_str(), port),
            ("for_each_unit", "unit") | ("for_each_entity_near", "entity")
        )
    })
}

/// Values by port as the canvas shows them, for the turn that began on `state` for `slot`.
#[allow(clippy::type_complexity)]
pub fn described(
    graph: &VisualScriptGraph,
    raw: &std::collections::BTreeMap<
        (aether_lang::graph::NodeId, String),
        Vec<aether_lang::interp::Val>,
    >,
    state: &TacticalState,
    slot: u8,
) -> std::collections::BTreeMap<(aether_lang::graph::NodeId, String), (String, Vec<String>)> {
    described_view(graph, raw, &rules::view_for(state, slot))
}

#[allow(clippy::type_complexity)]
fn described_view(
    graph: &VisualScriptGraph,
    raw: &std::collections::BTreeMap<
        (aether_lang::graph::NodeId, String),
        Vec<aether_lang::interp::Val>,
    >,
    view: &TacticalState,
) -> std::collections::BTreeMap<(aether_lang::graph::NodeId, String), (String, Vec<String>)> {
    values_with(graph, raw, &|v| aether_lang::explain::describe(v, view))
}

/// Values by port as the canvas shows them: each port's name and its values in words, as
/// `describe` writes them.
#[allow(clippy::type_complexity)]
pub fn values_with(
    graph: &VisualScriptGraph,
    raw: &std::collections::BTreeMap<
        (aether_lang::graph::NodeId, String),
        Vec<aether_lang::interp::Val>,
    >,
    describe: &dyn Fn(&aether_lang::interp::Val) -> String,
) -> std::collections::BTreeMap<(aether_lang::graph::NodeId, String), (String, Vec<String>)> {
    raw.iter()
        .map(|((node, port), vals)| {
            let name = graph
                .node(*node)
                .and_then(|n| aether_lang::catalog::spec(&n.kind))
                .and_then(|s| {
                    s.inputs
                        .iter()
                        .chain(s.outputs)
                        .find(|p| p.key == port)
                        .map(|p| p.name.to_owned())
                })
                .unwrap_or_else(|| port.clone());
            let texts = vals.iter().map(describe).collect();
            ((*node, port.clone()), (name, texts))
        })
        .collect()
}
