//! The "may find none" warning: a move or a spell aimed at the position of a unit a query may not
//! find (Unit Position of Nearest Enemy, of Weakest Enemy In Range…), whose Done nobody reads.
//!
//! Such a move does nothing when the query finds nothing (no enemy in sight: the position is
//! *none*), and the graph does not notice: the unit stands still all turn. Reading Done (a Branch
//! on it) is how a graph does something else then, so an action whose Done is wired gets no
//! warning. Attack is left alone: attacking nobody doing nothing is what anyone expects.
//!
//! Wires are read through [`Wiring`], the index the interpreter and the compiler share, so the
//! check costs one pass over the links however large the graph.

use std::collections::{BTreeMap, BTreeSet};

use super::{Diagnostic, Location, NodeSet, Severity};
use crate::catalog::Op;
use crate::graph::{NodeId, VisualScriptGraph};
use crate::wiring::Wiring;

/// The position inputs of moves and spells.
const NEEDS_REAL: [&str; 3] = ["to", "from", "at"];

/// Nested queries and conditions are followed at most this deep.
const MAX_DEPTH: u32 = 16;

pub(super) fn check_none(graph: &VisualScriptGraph, running: &NodeSet, out: &mut Vec<Diagnostic>) {
    let w = Wiring::new(graph);
    let read: BTreeSet<(NodeId, &str)> = w.wire_into.values().copied().collect();
    // Execution wires backwards: for each node, the outputs leading into it.
    let mut exec_from: BTreeMap<NodeId, Vec<(NodeId, &str)>> = BTreeMap::new();
    for (&(from, port), &to) in &w.exec_next {
        exec_from.entry(to).or_default().push((from, port));
    }
    for (&id, spec) in w.specs.iter().filter(|(id, _)| running.contains(id)) {
        let is_action = matches!(
            spec.op,
            Op::MoveToward | Op::MoveAwayFrom | Op::CastFireball | Op::CastHeal
        );
        if !is_action || read.contains(&(id, "done")) {
            continue;
        }
        let query = spec
            .inputs
            .iter()
            .filter(|p| NEEDS_REAL.contains(&p.key))
            .find_map(|p| finder(&w, w.wire_into.get(&(id, p.key))?.0, 0))
            .filter(|&(q, _)| !guarded(&w, &exec_from, id, q));
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

/// The query that can make `node`'s value none, and its name: Nearest Enemy or Weakest Enemy In
/// Range, through Unit Position / Nearest Hidden Tile of the unit it gives.
fn finder(w: &Wiring<'_>, node: NodeId, depth: u32) -> Option<(NodeId, &'static str)> {
    let spec = w.specs.get(&node)?;
    match spec.op {
        Op::NearestEnemy | Op::WeakestEnemyInRange | Op::WeakestFriendNear => {
            Some((node, spec.name))
        }
        Op::UnitPosition | Op::NearestHiddenTile if depth < MAX_DEPTH => {
            finder(w, w.wire_into.get(&(node, "unit"))?.0, depth + 1)
        }
        Op::Reroute if depth < MAX_DEPTH => finder(w, w.wire_into.get(&(node, "in"))?.0, depth + 1),
        _ => None,
    }
}

/// Whether `action` runs only on the True side of a Branch whose condition says `query` found
/// someone (Unit Exists of its unit, alone or in an And): somewhere on the execution wires
/// leading to it (searched backwards) is such a Branch's True output. (A guard the graph checked
/// itself needs no warning.)
fn guarded(
    w: &Wiring<'_>,
    exec_from: &BTreeMap<NodeId, Vec<(NodeId, &str)>>,
    action: NodeId,
    query: NodeId,
) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = vec![action];
    while let Some(node) = todo.pop() {
        if !seen.insert(node) {
            continue;
        }
        for &(from, port) in exec_from.get(&node).into_iter().flatten() {
            let is_branch = w.specs.get(&from).is_some_and(|s| s.op == Op::Branch);
            let checks = || {
                w.wire_into
                    .get(&(from, "condition"))
                    .is_some_and(|&(c, _)| implies_found(w, c, query, 0))
            };
            if is_branch && port == "true" && checks() {
                return true;
            }
            todo.push(from);
        }
    }
    false
}

/// Whether the condition computed by `node` is true only when `query` found a unit: Unit Exists
/// of `query`'s unit, or an And with such a side.
fn implies_found(w: &Wiring<'_>, node: NodeId, query: NodeId, depth: u32) -> bool {
    let input = |port: &'static str| w.wire_into.get(&(node, port)).map(|&(n, _)| n);
    match w.specs.get(&node).map(|s| s.op) {
        Some(Op::UnitExists) => input("unit") == Some(query),
        Some(Op::And) if depth < MAX_DEPTH => ["a", "b"]
            .into_iter()
            .any(|p| input(p).is_some_and(|n| implies_found(w, n, query, depth + 1))),
        _ => false,
    }
}
