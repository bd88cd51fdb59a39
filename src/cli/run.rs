//! `run`: load an AI controller, play one turn on a state, and report it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aether_base::text::group_digits;
use aether_host::TurnReport;
use aether_host::{Determinism, check_determinism};
use aether_lang::Scenario;
use anyhow::{Context as _, bail};

/// A module read for `run`: its file, its bytes, and for a graph how long the check and the
/// lowering + emitting took.
pub type Module = (PathBuf, Vec<u8>, Option<(Duration, Duration)>);

/// Reads a module: a `.wasm` file, a `.wat` text file, the one `.wasm` in a mod folder, or a
/// graph file compiled with the debug profile.
/// For a graph, also the check and lower + emit times.
pub fn module_bytes(path: &Path) -> anyhow::Result<Module> {
    if super::compile::is_graph(path) {
        let compiled =
            super::compile::compile_file(path, aether_compile::CompilationProfile::Debug)?;
        if compiled.graph.kind == aether_lang::graph::ScriptKind::WorldScript {
            bail!(
                "{} is a world script, not an AI controller; run it in a sample world: creator-studio world run assets/worlds/village.json {}",
                path.display(),
                path.display()
            );
        }
        let times = (compiled.check_time, compiled.emit_time);
        return Ok((
            path.to_path_buf(),
            compiled.artifact.wasm_bytes,
            Some(times),
        ));
    }
    let m = aether_duel::read_contender(path).map_err(anyhow::Error::msg)?;
    Ok((m.file, m.wasm, None))
}

/// How long each stage of `run` took: a graph's check and lower + emit, then loading the
/// module into the host, starting the instance, the turn itself, and the rules (filtering and
/// encoding the state, decoding the reply, validating each action).
#[derive(Clone, Debug, Default)]
pub struct Timings {
    /// The checker (graphs only).
    pub check: Option<Duration>,
    /// Lowering and emitting (graphs only).
    pub lower_emit: Option<Duration>,
    /// `ControllerHost::load`: validation, bounds, cranelift.
    pub host_load: Duration,
    /// Instantiation and `init`.
    pub instantiate: Duration,
    /// `decide_turn`.
    pub turn: Duration,
    /// Everything else of playing the turn.
    pub rules: Duration,
}

impl Timings {
    /// The stages as JSON, milliseconds, with their total.
    pub fn json(&self) -> serde_json::Value {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mut map = serde_json::Map::new();
        if let Some(c) = self.check {
            map.insert("check".into(), ms(c).into());
        }
        if let Some(e) = self.lower_emit {
            map.insert("lower_emit".into(), ms(e).into());
        }
        map.insert("host_load".into(), ms(self.host_load).into());
        map.insert("instantiate".into(), ms(self.instantiate).into());
        map.insert("turn".into(), ms(self.turn).into());
        map.insert("rules".into(), ms(self.rules).into());
        map.insert("total".into(), ms(self.total()).into());
        serde_json::Value::Object(map)
    }

    /// All the stages together.
    pub fn total(&self) -> Duration {
        self.check.unwrap_or_default()
            + self.lower_emit.unwrap_or_default()
            + self.host_load
            + self.instantiate
            + self.turn
            + self.rules
    }
}

/// The result of `run`, ready to print.
pub struct RunOutput {
    /// The first run's report.
    pub report: TurnReport,
    /// Whether a second fresh run gave the same bytes.
    pub deterministic: bool,
    /// The module file.
    pub module: PathBuf,
    /// The state file.
    pub state_file: PathBuf,
    /// How long each stage took.
    pub timings: Timings,
    /// The turn node by node, when asked for (`--trace`).
    pub trace: Option<(aether_debug::TurnTrace, mc_tactical_types::TacticalState)>,
    /// For a graph: the compiler's bound of the turn's fuel on this state (a module's turns
    /// have none: only a graph's compiler knows every loop).
    pub fuel_bound: Option<u64>,
}

/// Loads `module`, checks `slot` against the state, plays one turn twice (determinism).
pub fn run(module: &Path, state_file: &Path, slot: u8, seed: u64) -> anyhow::Result<RunOutput> {
    let scenario = Scenario::load(state_file)?;
    let players = scenario.state.players.len();
    if usize::from(slot) >= players {
        bail!(
            "slot {slot}: {} has players in slots 0 to {}",
            state_file.display(),
            players.saturating_sub(1)
        );
    }
    let (module_file, bytes, compile_times) = module_bytes(module)?;
    let host = super::guarded_host()?;
    let started = Instant::now();
    let controller = host
        .load(&bytes)
        .with_context(|| format!("{}: refused", module_file.display()))?;
    let host_load = started.elapsed();
    let started = Instant::now();
    let report = controller.session().play_turn(&scenario.state, slot, seed);
    let play = started.elapsed();
    let instantiate = report.instantiate_time.unwrap_or_default();
    let timings = Timings {
        check: compile_times.map(|t| t.0),
        lower_emit: compile_times.map(|t| t.1),
        host_load,
        instantiate,
        turn: report.wall_time,
        rules: play.saturating_sub(instantiate + report.wall_time),
    };
    // Two more fresh runs say whether the module is deterministic.
    let (_, verdict) = check_determinism(&controller, &scenario.state, slot, seed);
    let fuel_bound = if super::compile::is_graph(module) {
        let graph = aether_lang::VisualScriptGraph::load(module)?;
        let checked = aether_lang::interp::CheckedGraph::new(graph)
            .map_err(|_| anyhow::anyhow!("{}: the graph has errors", module.display()))?;
        let bound = aether_compile::bound::fuel_bound(&checked)
            .map_err(|e| anyhow::anyhow!("{}: {e}", module.display()))?;
        Some(bound.at(
            &mc_tactical_types::rules::view_for(&scenario.state, slot),
            slot,
        ))
    } else {
        None
    };
    Ok(RunOutput {
        report,
        deterministic: verdict == Determinism::Same,
        module: module_file,
        state_file: state_file.to_path_buf(),
        timings,
        trace: None,
        fuel_bound,
    })
}

/// The turn of `out` node by node (`--trace`): `module` must be a graph file. The trace's fuel
/// must add up to the host's: anything else is a fault of the tracer, reported as such.
pub fn trace(
    module: &Path,
    out: &RunOutput,
    slot: u8,
    seed: u64,
) -> anyhow::Result<(aether_debug::TurnTrace, mc_tactical_types::TacticalState)> {
    if !super::compile::is_graph(module) {
        bail!(
            "{}: --trace reports node by node, so it needs a graph file (*.mcgraph.json)",
            module.display()
        );
    }
    if !out.report.outcome.is_ok() {
        bail!(
            "the turn failed ({}), so there is no complete turn to trace",
            out.report.outcome
        );
    }
    let compiled = super::compile::compile_file(module, aether_compile::CompilationProfile::Debug)?;
    let scenario = Scenario::load(&out.state_file)?;
    let view = mc_tactical_types::rules::view_for(&scenario.state, slot);
    let t = aether_debug::trace_turn(&compiled.graph, &compiled.artifact, &view, slot, seed)
        .map_err(|e| anyhow::anyhow!("{}: the trace failed: {e}", module.display()))?;
    if t.total_fuel != out.report.fuel_used {
        bail!(
            "the trace counted {} fuel where the host charged {}: please report this with the graph",
            t.total_fuel,
            out.report.fuel_used
        );
    }
    Ok((t, view))
}

/// The trace as text: fuel by node, largest first, then every node's values.
fn render_trace(
    s: &mut String,
    t: &aether_debug::TurnTrace,
    view: &mc_tactical_types::TacticalState,
) {
    let pct = |f: u64| f as f64 * 100.0 / t.total_fuel.max(1) as f64;
    let _ = writeln!(s, "Fuel by node ({} in all):", group_digits(t.total_fuel));
    let mut lines: Vec<(u64, String)> = t
        .nodes
        .iter()
        .filter(|n| n.fuel > 0)
        .map(|n| (n.fuel, format!("{} {}", n.id, n.name)))
        .collect();
    lines.push((
        t.runtime_fuel,
        "runtime (reading the state, setting up the turn, writing the reply)".into(),
    ));
    // Largest first; equal parts in node order (the sort is stable).
    lines.sort_by_key(|l| std::cmp::Reverse(l.0));
    for (fuel, what) in lines {
        let _ = writeln!(
            s,
            "  {:>5.1}%  {:>11}  {what}",
            pct(fuel),
            group_digits(fuel)
        );
    }
    let _ = writeln!(s, "Values, node by node (in the order they were computed):");
    for n in &t.nodes {
        if n.values.is_empty() {
            let _ = writeln!(s, "  {} {}: ran", n.id, n.name);
            continue;
        }
        let values: Vec<String> = n
            .values
            .iter()
            .map(|(port, v)| format!("{port} = {}", aether_lang::explain::describe(v, view)))
            .collect();
        let _ = writeln!(s, "  {} {}: {}", n.id, n.name, values.join(", "));
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The human-readable turn report.
pub fn render_text(out: &RunOutput) -> String {
    let r = &out.report;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — slot {}, seed {}, turn {} on {}",
        r.ident,
        r.slot,
        r.seed,
        r.turn,
        out.state_file.display()
    );
    let _ = writeln!(s, "Outcome:       {}", r.outcome);
    let _ = writeln!(
        s,
        "Deterministic: {}",
        if out.deterministic {
            "yes (a fresh instance gave the same reply bytes)"
        } else {
            "NO: a fresh instance gave different reply bytes"
        }
    );
    match r.fuel_limit {
        Some(limit) => {
            let _ = writeln!(
                s,
                "Fuel:          {} of {} ({:.2}%)",
                group_digits(r.fuel_used),
                group_digits(limit),
                r.fuel_used as f64 * 100.0 / limit as f64
            );
        }
        None => {
            let _ = writeln!(s, "Fuel:          not metered");
        }
    }
    if let Some(bound) = out.fuel_bound {
        let _ = writeln!(
            s,
            "Fuel bound:    at most {} on this state (the compiler's bound: no turn here can burn more)",
            group_digits(bound)
        );
    }
    let _ = writeln!(
        s,
        "Memory:        {} of {}",
        mib(r.memory_bytes),
        mib(r.memory_limit)
    );
    let _ = writeln!(
        s,
        "Time:          {:.3} ms{}",
        r.wall_time.as_secs_f64() * 1000.0,
        r.instantiate_time
            .map(|t| format!(
                " (plus {:.3} ms to start the instance)",
                t.as_secs_f64() * 1000.0
            ))
            .unwrap_or_default()
    );
    let t = &out.timings;
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    let mut stages = Vec::new();
    if let (Some(c), Some(e)) = (t.check, t.lower_emit) {
        stages.push(format!("check {}", ms(c)));
        stages.push(format!("lower + emit {}", ms(e)));
    }
    stages.push(format!("host load {}", ms(t.host_load)));
    stages.push(format!("instantiate {}", ms(t.instantiate)));
    stages.push(format!("turn {}", ms(t.turn)));
    stages.push(format!("rules {}", ms(t.rules)));
    let _ = writeln!(
        s,
        "Stages:        {} (total {})",
        stages.join(", "),
        ms(t.total())
    );
    let accepted = r.accepted_count();
    let _ = writeln!(
        s,
        "Actions:       {} proposed, {} accepted, {} rejected",
        r.actions.len(),
        accepted,
        r.actions.len() - accepted
    );
    for a in &r.actions {
        match &a.verdict {
            Ok(_) => {
                let _ = writeln!(s, "  accepted  {}", a.action);
            }
            Err(why) => {
                let _ = writeln!(s, "  REJECTED  {}: {why}", a.action);
            }
        }
    }
    if let Some((t, view)) = &out.trace {
        render_trace(&mut s, t, view);
    }
    s
}

/// The report as one JSON object.
pub fn render_json(out: &RunOutput) -> serde_json::Value {
    let r = &out.report;
    let actions: Vec<serde_json::Value> = r
        .actions
        .iter()
        .map(|a| {
            serde_json::json!({
                "action": serde_json::to_value(a.action).unwrap_or_default(),
                "text": a.action.to_string(),
                "accepted": a.accepted(),
                "reason": a.verdict.as_ref().err().map(ToString::to_string),
                "reason_code": a.verdict.as_ref().err().map(|e| e.code()),
            })
        })
        .collect();
    serde_json::json!({
        "ident": r.ident,
        "module": out.module.display().to_string(),
        "state": out.state_file.display().to_string(),
        "turn": r.turn,
        "slot": r.slot,
        "seed": r.seed,
        "outcome": r.outcome.code(),
        "outcome_message": r.outcome.to_string(),
        "deterministic": out.deterministic,
        "timings": out.timings.json(),
        "fuel_used": r.fuel_used,
        "fuel_limit": r.fuel_limit,
        "fuel_bound": out.fuel_bound,
        "memory_bytes": r.memory_bytes,
        "memory_limit": r.memory_limit,
        "wall_time_ms": r.wall_time.as_secs_f64() * 1000.0,
        "instantiate_time_ms": r.instantiate_time.map(|t| t.as_secs_f64() * 1000.0),
        "state_bytes": r.state_bytes,
        "reply_bytes": r.reply.len(),
        "actions": actions,
        "trace": out.trace.as_ref().map(|(t, view)| trace_json(t, view)),
    })
}

/// The trace as JSON: `nodes` (each with `id`, `name`, `fuel` and its port values) and
/// `runtime` with its own `fuel`; the `fuel`s add up to the report's `fuel_used`.
fn trace_json(
    t: &aether_debug::TurnTrace,
    view: &mc_tactical_types::TacticalState,
) -> serde_json::Value {
    use aether_lang::interp::{NO_POSITION, Val};
    let value = |v: &Val| match v {
        Val::Number(n) => serde_json::json!(n),
        Val::Bool(b) => serde_json::json!(b),
        Val::Unit(Some(id)) => serde_json::json!({"unit": id}),
        Val::Position(p) if *p != NO_POSITION => serde_json::json!({"x": p.x, "y": p.y}),
        Val::Entity(Some(id)) => serde_json::json!({"entity": id}),
        Val::Player(Some(id)) => serde_json::json!({"player": id}),
        _ => serde_json::Value::Null,
    };
    let nodes: Vec<serde_json::Value> = t
        .nodes
        .iter()
        .map(|n| {
            let ports: Vec<serde_json::Value> = n
                .values
                .iter()
                .map(|(port, v)| {
                    serde_json::json!({
                        "port": port,
                        "value": value(v),
                        "text": aether_lang::explain::describe(v, view),
                    })
                })
                .collect();
            serde_json::json!({
                "id": n.id.0,
                "name": n.name,
                "fuel": n.fuel,
                "ports": ports,
            })
        })
        .collect();
    serde_json::json!({
        "nodes": nodes,
        "runtime": {"fuel": t.runtime_fuel},
    })
}
