//! `world run … --trace`: each world-script graph of the run seen from inside, event by event:
//! the nodes that ran, every port's value, and each call to the world with its answer.
//!
//! The compiled scripts run in the world as always; their journals are played back through the
//! interpreter ([`aether_world::journal`]), so what is printed is what really ran.

use std::fmt::Write as _;
use std::path::Path;

use aether_debug::journal::{EventTrace, JournalReplay};
use aether_lang::graph::{NodeId, VisualScriptGraph};
use aether_lang::interp::{CheckedGraph, TraceEvent, Val};
use aether_sample_world::WorldRun;
use aether_world::ScriptId;
use serde_json::{Value, json};

/// A graph of the run, watched from inside.
pub struct Watched {
    id: ScriptId,
    label: String,
    graph: VisualScriptGraph,
    replay: JournalReplay,
}

/// Watches every script of `run` that was loaded from a world-script graph file among `paths`;
/// an error when none is (`--trace` has nothing to show then).
pub fn watch(run: &mut WorldRun, paths: &[&Path]) -> anyhow::Result<Vec<Watched>> {
    let mut out = Vec::new();
    let scripts = run.scripts().to_vec();
    for path in paths {
        if !path.to_string_lossy().ends_with(".mcgraph.json") {
            continue;
        }
        let label = path.display().to_string();
        let Some(info) = scripts.iter().find(|s| s.label == label) else {
            continue;
        };
        let graph = VisualScriptGraph::load(path)?;
        let checked = CheckedGraph::new(graph.clone()).map_err(|d| {
            anyhow::anyhow!(
                "{label}: the graph has {} problem(s); `world run` would not have loaded it",
                d.len()
            )
        })?;
        // Compiled as the world compiled it (the compiler gives the same bytes every time), for
        // the instrumented twin that measures fuel per node.
        let artifact = aether_compile::VisualScriptCompiler::compile(&graph)
            .map_err(|e| anyhow::anyhow!("{label}: {e}"))?;
        run.set_journal(info.id, true);
        out.push(Watched {
            id: info.id,
            label,
            graph,
            replay: JournalReplay::with_fuel(checked, &artifact),
        });
    }
    if out.is_empty() {
        anyhow::bail!(
            "--trace shows world-script graphs from inside, so give at least one graph file \
             (*.mcgraph.json) to run"
        );
    }
    Ok(out)
}

/// The events each watched graph answered in tick `tick` (only those where a node ran).
pub fn take(run: &mut WorldRun, watched: &mut [Watched], tick: u64) -> Vec<(usize, EventTrace)> {
    let mut out = Vec::new();
    for (i, w) in watched.iter_mut().enumerate() {
        for e in w.replay.feed(tick, run.take_journal(w.id)) {
            if e.trace.iter().any(|t| matches!(t, TraceEvent::Ran(_))) {
                out.push((i, e));
            }
        }
    }
    out
}

/// One node's part of an event, in the order it first appeared.
struct NodePart {
    id: NodeId,
    ports: Vec<(String, Val)>,
    calls: Vec<(String, i64)>,
}

fn parts(trace: &[TraceEvent]) -> Vec<NodePart> {
    let mut out: Vec<NodePart> = Vec::new();
    let at = |id: NodeId, out: &mut Vec<NodePart>| -> usize {
        match out.iter().position(|p| p.id == id) {
            Some(i) => i,
            None => {
                out.push(NodePart {
                    id,
                    ports: Vec::new(),
                    calls: Vec::new(),
                });
                out.len() - 1
            }
        }
    };
    for e in trace {
        match e {
            TraceEvent::Ran(n) => {
                at(*n, &mut out);
            }
            TraceEvent::Value(p, v) => {
                let i = at(p.node, &mut out);
                out[i].ports.push((p.port.clone(), *v));
            }
            TraceEvent::Called { node, call, result } => {
                let i = at(*node, &mut out);
                out[i].calls.push((call.clone(), *result));
            }
            TraceEvent::Sent(..) | TraceEvent::Refused(..) => {}
        }
    }
    out
}

fn node_name(graph: &VisualScriptGraph, id: NodeId) -> &'static str {
    graph
        .node(id)
        .and_then(|n| aether_lang::catalog::spec(&n.kind))
        .map_or("node", |s| s.name)
}

fn value_text(v: &Val) -> String {
    aether_lang::explain::describe(v, &Default::default())
}

/// The events as text, under the tick's report.
pub fn text(watched: &[Watched], events: &[(usize, EventTrace)]) -> String {
    let mut s = String::new();
    for (i, e) in events {
        let w = &watched[*i];
        let _ = writeln!(
            s,
            "  inside {} · {} · {} fuel:",
            w.label,
            e.event.name(),
            aether_base::text::group_digits(e.fuel)
        );
        let fuel_of = |id: NodeId| match &e.profile {
            Some(Ok(p)) => p.nodes.get(&id).copied(),
            _ => None,
        };
        for p in parts(&e.trace) {
            let spec = w
                .graph
                .node(p.id)
                .and_then(|n| aether_lang::catalog::spec(&n.kind));
            let ports: Vec<String> = p
                .ports
                .iter()
                .map(|(port, v)| {
                    let name = spec
                        .and_then(|s| s.inputs.iter().chain(s.outputs).find(|x| x.key == port))
                        .map_or(port.as_str(), |x| x.name);
                    format!("{name} = {}", value_text(v))
                })
                .collect();
            let calls: Vec<String> = p
                .calls
                .iter()
                .map(|(call, r)| format!("{call} → {r}"))
                .collect();
            let mut line = format!("    {} {}", node_name(&w.graph, p.id), p.id);
            if let Some(f) = fuel_of(p.id) {
                let _ = write!(line, " [{} fuel]", aether_base::text::group_digits(f));
            }
            if !ports.is_empty() {
                let _ = write!(line, ": {}", ports.join(", "));
            }
            if !calls.is_empty() {
                let _ = write!(line, " · {}", calls.join(", "));
            }
            let _ = writeln!(s, "{line}");
        }
        match &e.profile {
            Some(Ok(p)) => {
                let _ = writeln!(
                    s,
                    "    the runtime (reading the event, answering it) [{} fuel]",
                    aether_base::text::group_digits(p.runtime)
                );
            }
            Some(Err(why)) => {
                let _ = writeln!(s, "    fuel per node not measured: {why}");
            }
            None => {}
        }
        if let Some(f) = &e.fault {
            let _ = writeln!(s, "    the handler stopped: {f}");
        }
        if let Some(p) = &e.parted {
            let _ = writeln!(s, "    (values after this point are not certain: {p})");
        }
    }
    s
}

/// The events as JSON (the tick object's `inside`): per event the script, the event's name,
/// its `fuel_used` (the host's), the `runtime`'s own `fuel`, each node that ran or gave a value
/// with its `id`, `name`, `fuel`, `ports` and `calls`; the `fuel` values add up to `fuel_used`.
pub fn json(watched: &[Watched], events: &[(usize, EventTrace)]) -> Value {
    Value::Array(
        events
            .iter()
            .map(|(i, e)| {
                let w = &watched[*i];
                let profile = match &e.profile {
                    Some(Ok(p)) => Some(p),
                    _ => None,
                };
                json!({
                    "script": w.id.0,
                    "event": e.event.name(),
                    "fault": e.fault,
                    "parted": e.parted,
                    "fuel_used": e.fuel,
                    "runtime": profile.map(|p| json!({ "fuel": p.runtime })),
                    "nodes": parts(&e.trace).iter().map(|p| json!({
                        "id": p.id.0,
                        "name": node_name(&w.graph, p.id),
                        "fuel": profile.map(|f| f.nodes.get(&p.id).copied().unwrap_or(0)),
                        "ports": p.ports.iter().map(|(port, v)| json!({
                            "port": port,
                            "text": value_text(v),
                        })).collect::<Vec<_>>(),
                        "calls": p.calls.iter().map(|(call, r)| json!({
                            "call": call,
                            "result": r,
                        })).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}
