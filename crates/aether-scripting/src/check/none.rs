//! The "may find none" warning: a move or a spell aimed at the position of a unit a query may not
//! find (Unit Position of Nearest Enemy, of Weakest Enemy In Range…), whose Done nobody reads.
//!
//! Such a move does nothing when the query finds nothing (no enemy in sight: the position is
//! *none*), and the graph does not notice: the unit stands still all turn. Reading Done (a Branch
//! on it) is how a graph does something else then, so an action whose Done is wired gets no
//! warning. Attack is left alone: attacking nobody doing nothing is what anyone expects.

use std::collections::{BTreeMap, BTreeSet};

use super::{Diagnostic, Location, NodeSet, Severity};
use crate::catalog::{NodeSpec, Op};
use crate::graph::{NodeId, PortRef, VisualScriptGraph};

/// The position inputs of moves and spells.
const NEEDS_REAL: [&str; 3] = ["to", "from", "at"];

pub(super) fn check_none(
    graph: &VisualScriptGraph,
    specs: &BTreeMap<NodeId, &'static NodeSpec>,
    running: &NodeSet,
    out: &mut Vec<Diagnostic>,
) {
    let read: BTreeSet<&PortRef> = graph.links().map(|l| &l.from).collect();
    let source = |port: &PortRef| graph.links().find(|l| l.to == *port).map(|l| l.from.node);
    for (&id, spec) in specs.iter().filter(|(id, _)| running.contains(id)) {
        let is_action = matches!(
            spec.op,
            Op::MoveToward | Op::MoveAwayFrom | Op::CastFireball | Op::CastHeal
        );
        if !is_action || read.contains(&PortRef::new(id, "done")) {
            continue;
        }
        let query = spec
            .inputs
            .iter()
            .filter(|p| NEEDS_REAL.contains(&p.key))
            .find_map(|p| {
                source(&PortRef::new(id, p.key)).and_then(|from| finder(graph, specs, from, 0))
            })
            .filter(|&(q, _)| !guarded(graph, specs, id, q));
        if let Some((_, query)) = query {
            out.push(Diagnostic {
                code: "may-find-none",
                severity: Severity::Warning,
                location: Location::Node(id),
                message: format!(
                    "when {query} finds no one (for example no enemy in sight), {} does nothing and the graph does not notice; branch on its Done to do something else then (such as Move Toward the Map Centre)",
                    spec.name
                ),
            });
        }
    }
}

/// The name of the query that can make `node`'s value none, if any: Nearest Enemy or Weakest
/// Enemy In Range, through Unit Position / Nearest Hidden Tile of the unit it gives.
fn finder(
    graph: &VisualScriptGraph,
    specs: &BTreeMap<NodeId, &'static NodeSpec>,
    node: NodeId,
    depth: u32,
) -> Option<(NodeId, &'static str)> {
    let spec = specs.get(&node)?;
    match spec.op {
        Op::NearestEnemy | Op::WeakestEnemyInRange => Some((node, spec.name)),
        Op::UnitPosition | Op::NearestHiddenTile if depth < 16 => {
            let unit = PortRef::new(node, "unit");
            let from = graph.links().find(|l| l.to == unit)?.from.node;
            finder(graph, specs, from, depth + 1)
        }
        _ => None,
    }
}

/// Whether `action` runs only on the True side of a Branch whose condition says `query` found
/// someone (Unit Exists of its unit, alone or in an And): somewhere on the execution wires leading to it (searched backwards) is such a
/// Branch's True output. (A guard the graph checked itself needs no warning.)
fn guarded(
    graph: &VisualScriptGraph,
    specs: &BTreeMap<NodeId, &'static NodeSpec>,
    action: NodeId,
    query: NodeId,
) -> bool {
    let checks_query = |branch: NodeId| {
        let condition = PortRef::new(branch, "condition");
        graph
            .links()
            .filter(|l| l.to == condition)
            .any(|l| implies_found(graph, specs, l.from.node, query, 0))
    };
    let mut seen = BTreeSet::new();
    let mut todo = vec![action];
    while let Some(node) = todo.pop() {
        if !seen.insert(node) {
            continue;
        }
        for l in graph.links().filter(|l| l.to == PortRef::new(node, "exec")) {
            let from = l.from.node;
            let is_branch = specs.get(&from).is_some_and(|s| s.op == Op::Branch);
            if is_branch && l.from.port == "true" && checks_query(from) {
                return true;
            }
            todo.push(from);
        }
    }
    false
}

/// Whether the condition computed by `node` is true only when `query` found a unit: Unit Exists
/// of `query`'s unit, or an And with such a side.
fn implies_found(
    graph: &VisualScriptGraph,
    specs: &BTreeMap<NodeId, &'static NodeSpec>,
    node: NodeId,
    query: NodeId,
    depth: u32,
) -> bool {
    let input_from = |port: &'static str| {
        graph
            .links()
            .find(|l| l.to == PortRef::new(node, port))
            .map(|l| l.from.node)
    };
    match specs.get(&node).map(|s| s.op) {
        Some(Op::UnitExists) => input_from("unit") == Some(query),
        Some(Op::And) if depth < 16 => ["a", "b"].into_iter().any(|p| {
            input_from(p).is_some_and(|n| implies_found(graph, specs, n, query, depth + 1))
        }),
        _ => false,
    }
}
