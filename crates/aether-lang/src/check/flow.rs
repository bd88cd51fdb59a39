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

/// The execution flow as dense vertex numbers: 0 is the root (it leads to every entry), `1 + i`
/// is the `i`-th node in id order, then one vertex per execution output port. Everything below
/// indexes vectors by these numbers: linear in the graph, no maps on the hot paths.
struct Flow {
    /// The nodes, in id order.
    ids: Vec<NodeId>,
    /// Each node's execution outputs: port key and vertex.
    outs: Vec<Vec<(&'static str, usize)>>,
    /// Execution successors of each vertex.
    succ: Vec<Vec<usize>>,
    /// Execution predecessors of each vertex.
    pred: Vec<Vec<usize>>,
}

impl Flow {
    const ROOT: usize = 0;

    /// The index of node `id` (ids are sparse: a binary search, never a table the size of
    /// the largest id).
    fn index(&self, id: NodeId) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    fn node(i: usize) -> usize {
        1 + i
    }

    /// The node a vertex is, if it is one.
    fn node_of(&self, v: usize) -> Option<usize> {
        (1..=self.ids.len()).contains(&v).then(|| v - 1)
    }

    fn out(&self, i: usize, key: &str) -> Option<usize> {
        self.outs[i]
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }

    fn edge(&mut self, a: usize, b: usize) {
        self.succ[a].push(b);
        self.pred[b].push(a);
    }
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
    let ids: Vec<NodeId> = specs.keys().copied().collect();
    let kinds: Vec<&'static NodeSpec> = specs.values().copied().collect();
    let n = ids.len();
    let mut outs = vec![Vec::new(); n];
    let mut vertices = 1 + n;
    for (i, spec) in kinds.iter().enumerate() {
        for p in spec.outputs.iter().filter(|p| p.ty == PinType::Exec) {
            outs[i].push((p.key, vertices));
            vertices += 1;
        }
    }
    let mut flow = Flow {
        ids,
        outs,
        succ: vec![Vec::new(); vertices],
        pred: vec![Vec::new(); vertices],
    };
    for i in 0..n {
        for j in 0..flow.outs[i].len() {
            let port = flow.outs[i][j].1;
            flow.edge(Flow::node(i), port);
        }
    }
    for l in links.iter().filter(|l| is_exec_link(l)) {
        let (Some(from), Some(to)) = (flow.index(l.from.node), flow.index(l.to.node)) else {
            continue;
        };
        if let Some(port) = kinds[from]
            .output(&l.from.port)
            .and_then(|p| flow.out(from, p.key))
        {
            flow.edge(port, Flow::node(to));
        }
    }

    // Data dependencies: consumer node -> links that feed it.
    let mut feeds: Vec<Vec<&Link>> = vec![Vec::new(); n];
    for l in links.iter().filter(|l| !is_exec_link(l)) {
        if let Some(to) = flow.index(l.to.node) {
            feeds[to].push(l);
        }
    }
    let is_pure = |i: usize| !kinds[i].is_exec();

    // Cycles among pure nodes (values that depend on themselves).
    let mut color = vec![0u8; n];
    let mut reported = BTreeSet::new();
    for first in (0..n).filter(|&i| is_pure(i)) {
        if color[first] != 0 {
            continue;
        }
        // Iterative DFS: (node, next feed index).
        let mut stack = vec![(first, 0usize)];
        color[first] = 1;
        while let Some(&mut (node, ref mut i)) = stack.last_mut() {
            if let Some(l) = feeds[node].get(*i) {
                *i += 1;
                let Some(src) = flow.index(l.from.node).filter(|&s| is_pure(s)) else {
                    continue;
                };
                match color[src] {
                    0 => {
                        color[src] = 1;
                        stack.push((src, 0));
                    }
                    1 if reported.insert(flow.ids[src]) => out.push(Diagnostic::error(
                        "data-cycle",
                        Location::Node(flow.ids[src]),
                        "this value depends on itself through its wires; break the loop",
                    )),
                    _ => {}
                }
            } else {
                color[node] = 2;
                stack.pop();
            }
        }
    }

    if entries.is_empty() {
        return NodeSet::new();
    }
    for &entry in entries {
        if let Some(e) = flow.index(entry) {
            flow.edge(Flow::ROOT, Flow::node(e));
        }
    }

    // Reverse postorder from the root, and execution cycles (back edges).
    let mut order = Vec::new();
    let mut state = vec![0u8; vertices];
    let mut stack = vec![(Flow::ROOT, 0usize)];
    state[Flow::ROOT] = 1;
    while let Some(&mut (v, ref mut i)) = stack.last_mut() {
        let next = flow.succ[v].get(*i).copied();
        *i += 1;
        match next {
            Some(w) => match state[w] {
                0 => {
                    state[w] = 1;
                    stack.push((w, 0));
                }
                1 => {
                    if let Some(node) = flow.node_of(w)
                        && reported.insert(flow.ids[node])
                    {
                        out.push(Diagnostic::error(
                                "exec-cycle",
                                Location::Node(flow.ids[node]),
                                "execution comes back to this node and would never end; to repeat something per unit, use For Each Unit",
                            ));
                    }
                }
                _ => {}
            },
            None => {
                state[v] = 2;
                order.push(v);
                stack.pop();
            }
        }
    }
    order.reverse();
    let mut index = vec![usize::MAX; vertices];
    for (i, &v) in order.iter().enumerate() {
        index[v] = i;
    }

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
        for (i, &v) in order.iter().enumerate().skip(1) {
            let mut new = None;
            for &p in &flow.pred[v] {
                let pi = index[p];
                if pi == usize::MAX || idom[pi].is_none() {
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
    let dominates = |a: usize, b: usize| -> bool {
        let (ai, bi) = (index[a], index[b]);
        if ai == usize::MAX || bi == usize::MAX {
            return false;
        }
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

    let reachable: Vec<bool> = (0..n).map(|i| index[Flow::node(i)] != usize::MAX).collect();

    // Values read by each running node, through any chain of pure nodes.
    let mut used_pure = vec![false; n];
    let mut seen = vec![usize::MAX; n];
    for reader in (0..n).filter(|&i| reachable[i]) {
        let mut todo = vec![reader];
        while let Some(node) = todo.pop() {
            for l in &feeds[node] {
                let Some(src) = flow.index(l.from.node) else {
                    continue;
                };
                if is_pure(src) {
                    used_pure[src] = true;
                    if seen[src] != reader {
                        seen[src] = reader;
                        todo.push(src);
                    }
                    continue;
                }
                let op = kinds[src].op;
                let available = match op {
                    Op::ForEachUnit | Op::ForEachEntityNear => flow
                        .out(src, "body")
                        .is_some_and(|body| dominates(body, Flow::node(reader))),
                    _ => src != reader && dominates(Flow::node(src), Flow::node(reader)),
                };
                if !available {
                    let what = match op {
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

    for (i, spec) in kinds.iter().enumerate() {
        let id = flow.ids[i];
        if spec.is_exec() && !reachable[i] {
            out.push(Diagnostic {
                code: "unreachable",
                severity: Severity::Warning,
                location: Location::Node(id),
                message: format!("this node never runs: connect its execution input to the flow that starts at {start}"),
            });
        } else if !spec.is_exec() && !used_pure[i] {
            out.push(Diagnostic {
                code: "unreachable",
                severity: Severity::Warning,
                location: Location::Node(id),
                message: "this node's value is never used by a node that runs; connect its output or delete it".into(),
            });
        }
    }
    (0..n)
        .filter(|&i| reachable[i] || used_pure[i])
        .map(|i| flow.ids[i])
        .collect()
}
