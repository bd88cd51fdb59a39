//! Flow analysis: execution and data cycles, what runs, and where each value exists. Returns
//! the nodes that run (reachable execution nodes and the pure nodes they read).
//!
//! Execution flow is a graph of *vertices*: every node with execution pins, and every execution
//! output port (so "inside the loop body" is a vertex of its own). A value produced by a node with
//! execution pins exists only where that node has already run: an action's Done after the action,
//! a For Each Unit's Unit inside its Each Unit body. "Already run" is dominance: every path from On
//! Turn to the reader passes through the producer. Dominators are computed with the
//! Cooper–Harvey–Kennedy algorithm, linear in practice.

use std::collections::{BTreeMap, BTreeSet};

use super::{Diagnostic, Location, NodeSet, Severity};
use crate::catalog::{NodeSpec, Op, PinType};
use crate::graph::{Link, NodeId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Vertex {
    /// Where every run starts: it leads to each entry (On Turn, or a world script's events).
    Root,
    Node(NodeId),
    /// An execution output port; keys are the catalog's `'static` strings.
    Out(NodeId, &'static str),
}

struct Flow {
    /// Execution successors of each vertex.
    succ: BTreeMap<Vertex, Vec<Vertex>>,
    /// Execution predecessors of each vertex.
    pred: BTreeMap<Vertex, Vec<Vertex>>,
}

pub(super) fn check_flow(
    specs: &BTreeMap<NodeId, &'static NodeSpec>,
    links: &[&Link],
    entries: &[NodeId],
    start: &str,
    out: &mut Vec<Diagnostic>,
) -> NodeSet {
    let is_exec_link = |l: &Link| {
        specs
            .get(&l.from.node)
            .and_then(|s| s.output(&l.from.port))
            .is_some_and(|p| p.ty == PinType::Exec)
    };
    let mut flow = Flow {
        succ: BTreeMap::new(),
        pred: BTreeMap::new(),
    };
    let edge = |a: Vertex, b: Vertex, flow: &mut Flow| {
        flow.succ.entry(a).or_default().push(b);
        flow.pred.entry(b).or_default().push(a);
    };
    for (&id, spec) in specs {
        for p in spec.outputs.iter().filter(|p| p.ty == PinType::Exec) {
            edge(Vertex::Node(id), Vertex::Out(id, p.key), &mut flow);
        }
    }
    for l in links.iter().filter(|l| is_exec_link(l)) {
        if let Some(spec) = specs.get(&l.from.node)
            && let Some(p) = spec.output(&l.from.port)
        {
            edge(
                Vertex::Out(l.from.node, p.key),
                Vertex::Node(l.to.node),
                &mut flow,
            );
        }
    }

    // Data dependencies: consumer node -> links that feed it.
    let mut feeds: BTreeMap<NodeId, Vec<&Link>> = BTreeMap::new();
    for l in links.iter().filter(|l| !is_exec_link(l)) {
        feeds.entry(l.to.node).or_default().push(l);
    }
    let is_pure = |id: NodeId| specs.get(&id).is_some_and(|s| !s.is_exec());

    // Cycles among pure nodes (values that depend on themselves).
    let mut color: BTreeMap<NodeId, u8> = BTreeMap::new();
    let mut reported = BTreeSet::new();
    for &start in specs.keys().filter(|&&id| is_pure(id)) {
        if color.contains_key(&start) {
            continue;
        }
        // Iterative DFS: (node, next feed index).
        let mut stack = vec![(start, 0usize)];
        color.insert(start, 1);
        while let Some(&mut (node, ref mut i)) = stack.last_mut() {
            let inputs = feeds.get(&node).map_or(&[][..], Vec::as_slice);
            if let Some(l) = inputs.get(*i) {
                *i += 1;
                let src = l.from.node;
                if !is_pure(src) {
                    continue;
                }
                match color.get(&src) {
                    None => {
                        color.insert(src, 1);
                        stack.push((src, 0));
                    }
                    Some(1) if reported.insert(src) => out.push(Diagnostic::error(
                        "data-cycle",
                        Location::Node(src),
                        "this value depends on itself through its wires; break the loop",
                    )),
                    _ => {}
                }
            } else {
                color.insert(node, 2);
                stack.pop();
            }
        }
    }

    if entries.is_empty() {
        return NodeSet::new();
    }
    for &entry in entries {
        edge(Vertex::Root, Vertex::Node(entry), &mut flow);
    }
    let root = Vertex::Root;

    // Reverse postorder from the entry, and execution cycles (back edges).
    let mut order = Vec::new();
    let mut state: BTreeMap<Vertex, u8> = BTreeMap::new();
    let mut stack = vec![(root, 0usize)];
    state.insert(root, 1);
    while let Some(&mut (v, ref mut i)) = stack.last_mut() {
        let next = flow.succ.get(&v).and_then(|s| s.get(*i)).copied();
        *i += 1;
        match next {
            Some(w) => match state.get(&w) {
                None => {
                    state.insert(w, 1);
                    stack.push((w, 0));
                }
                Some(1) => {
                    if let Vertex::Node(n) = w
                        && reported.insert(n)
                    {
                        out.push(Diagnostic::error(
                                "exec-cycle",
                                Location::Node(n),
                                "execution comes back to this node and would never end; to repeat something per unit, use For Each Unit",
                            ));
                    }
                }
                Some(_) => {}
            },
            None => {
                state.insert(v, 2);
                order.push(v);
                stack.pop();
            }
        }
    }
    order.reverse();
    let index: BTreeMap<Vertex, usize> = order.iter().enumerate().map(|(i, &v)| (v, i)).collect();

    // Immediate dominators (Cooper, Harvey, Kennedy: "A Simple, Fast Dominance Algorithm").
    let mut idom: Vec<Option<usize>> = vec![None; order.len()];
    idom[0] = Some(0);
    let intersect = |idom: &[Option<usize>], mut a: usize, mut b: usize| {
        while a != b {
            while a > b {
                a = idom[a].unwrap_or(0);
            }
            while b > a {
                b = idom[b].unwrap_or(0);
            }
        }
        a
    };
    let mut changed = true;
    while changed {
        changed = false;
        for (i, v) in order.iter().enumerate().skip(1) {
            let mut new = None;
            for p in flow.pred.get(v).into_iter().flatten() {
                let Some(&pi) = index.get(p) else { continue };
                if idom[pi].is_none() {
                    continue;
                }
                new = Some(match new {
                    None => pi,
                    Some(n) => intersect(&idom, pi, n),
                });
            }
            if new.is_some() && idom[i] != new {
                idom[i] = new;
                changed = true;
            }
        }
    }
    let dominates = |a: Vertex, b: Vertex| -> bool {
        let (Some(&ai), Some(&bi)) = (index.get(&a), index.get(&b)) else {
            return false;
        };
        let mut x = bi;
        loop {
            if x == ai {
                return true;
            }
            match idom[x] {
                Some(up) if up != x => x = up,
                _ => return false,
            }
        }
    };

    let reachable: NodeSet = order
        .iter()
        .filter_map(|v| match v {
            Vertex::Node(n) => Some(*n),
            Vertex::Out(..) | Vertex::Root => None,
        })
        .collect();

    // Values read by each running node, through any chain of pure nodes.
    let mut used_pure = NodeSet::new();
    for &reader in &reachable {
        let mut seen = NodeSet::new();
        let mut todo = vec![reader];
        while let Some(n) = todo.pop() {
            for l in feeds.get(&n).into_iter().flatten() {
                let src = l.from.node;
                if is_pure(src) {
                    used_pure.insert(src);
                    if seen.insert(src) {
                        todo.push(src);
                    }
                    continue;
                }
                let Some(spec) = specs.get(&src) else {
                    continue;
                };
                let available = match spec.op {
                    Op::ForEachUnit | Op::ForEachEntityNear => {
                        dominates(Vertex::Out(src, "body"), Vertex::Node(reader))
                    }
                    _ => src != reader && dominates(Vertex::Node(src), Vertex::Node(reader)),
                };
                if !available {
                    let what = match spec.op {
                        Op::ForEachEntityNear => {
                            "the loop's Entity only exists inside its Each Entity branch; connect it to nodes that run from Each Entity"
                        }
                        Op::ForEachUnit => {
                            "the loop's Unit only exists inside its Each Unit branch; connect it to nodes that run from Each Unit"
                        }
                        _ => {
                            "this value is only known after its node has run, and this node may run before it (or without it); reorder the execution wires"
                        }
                    };
                    out.push(Diagnostic::error(
                        "not-yet-computed",
                        Location::Link(l.id),
                        what,
                    ));
                }
            }
        }
    }

    for (&id, spec) in specs {
        if spec.is_exec() && !reachable.contains(&id) {
            out.push(Diagnostic {
                code: "unreachable",
                severity: Severity::Warning,
                location: Location::Node(id),
                message: format!("this node never runs: connect its execution input to the flow that starts at {start}"),
            });
        } else if !spec.is_exec() && !used_pure.contains(&id) {
            out.push(Diagnostic {
                code: "unreachable",
                severity: Severity::Warning,
                location: Location::Node(id),
                message: "this node's value is never used by a node that runs; connect its output or delete it".into(),
            });
        }
    }
    reachable.union(&used_pure).copied().collect()
}
