//! # aether-debug — what really ran, node by node
//!
//! The debugger's parts that need the compiled module and the host, above both: each node's
//! fuel in a turn ([`profile`]: the module compiled again with a counter per node, its parts
//! adding up exactly to the fuel the host charges), a whole turn traced ([`trace_turn`]: the
//! reference interpreter's values beside the module's fuel), and a world script's journal played
//! back through the interpreter ([`journal`]). Reading a trace (why a node did not act, the
//! debugger's cursor) needs neither and is `aether_lang::explain`.
//!
//! Headless: the command line's `run --trace` prints it; the studio's debugger draws it.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

use std::collections::BTreeMap;

use aether_compile::ScriptArtifact;
use aether_lang::graph::{NodeId, VisualScriptGraph};
use aether_lang::interp::{CheckedGraph, TraceEvent, Val, interpret};
use mc_tactical_types::TacticalState;

use crate::profile::profile_turn;

pub mod journal;
pub mod profile;

/// One node of a traced turn.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTrace {
    /// The node.
    pub id: NodeId,
    /// Its kind's name ("Move Toward").
    pub name: &'static str,
    /// The fuel of its own work in the compiled turn (queries it called included, the nodes it
    /// pulled values from not).
    pub fuel: u64,
    /// Each value one of its ports took, in the order the interpreter computed them (a node in
    /// a loop has one per iteration).
    pub values: Vec<(&'static str, Val)>,
}

/// A traced turn.
#[derive(Clone, Debug, PartialEq)]
pub struct TurnTrace {
    /// Every node that ran or gave a value, by id.
    pub nodes: Vec<NodeTrace>,
    /// The runtime's own part: reading the state, setting up the turn, writing the reply.
    pub runtime_fuel: u64,
    /// The turn's fuel: the nodes' parts plus the runtime's.
    pub total_fuel: u64,
}

/// Traces `slot`'s turn on `view` (the state as the player sees it) with `seed`: `artifact` is
/// `graph` compiled (any profile).
pub fn trace_turn(
    graph: &VisualScriptGraph,
    artifact: &ScriptArtifact,
    view: &TacticalState,
    slot: u8,
    seed: u64,
) -> Result<TurnTrace, String> {
    let checked = CheckedGraph::new(graph.clone())
        .map_err(|d| format!("the graph has {} problems; fix them first", d.len()))?;
    let run = interpret(&checked, view, slot, seed);
    let profile = profile_turn(artifact, view, slot, seed)?;
    let mut nodes: BTreeMap<NodeId, NodeTrace> = BTreeMap::new();
    fn entry<'n>(
        nodes: &'n mut BTreeMap<NodeId, NodeTrace>,
        graph: &VisualScriptGraph,
        id: NodeId,
    ) -> Option<&'n mut NodeTrace> {
        let name = aether_lang::catalog::spec(&graph.node(id)?.kind)?.name;
        Some(nodes.entry(id).or_insert_with(|| NodeTrace {
            id,
            name,
            fuel: 0,
            values: Vec::new(),
        }))
    }
    for event in &run.trace {
        match event {
            TraceEvent::Ran(id) => {
                entry(&mut nodes, graph, *id);
            }
            TraceEvent::Value(port, val) => {
                let key = graph
                    .node(port.node)
                    .and_then(|n| aether_lang::catalog::spec(&n.kind))
                    .and_then(|s| {
                        s.inputs
                            .iter()
                            .chain(s.outputs)
                            .find(|p| p.key == port.port)
                            .map(|p| p.key)
                    });
                if let (Some(key), Some(n)) = (key, entry(&mut nodes, graph, port.node)) {
                    n.values.push((key, *val));
                }
            }
            _ => {}
        }
    }
    for (id, fuel) in &profile.nodes {
        if let Some(n) = entry(&mut nodes, graph, *id) {
            n.fuel = *fuel;
        }
    }
    Ok(TurnTrace {
        nodes: nodes.into_values().collect(),
        runtime_fuel: profile.runtime,
        total_fuel: profile.total,
    })
}
