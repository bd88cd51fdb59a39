//! The checks functions add: every function node in its place, one Inputs and at most one
//! Outputs per function, no wire from one function's canvas to another's, no function that
//! calls itself (directly or through others), and a call of a function with a problem inside is
//! itself an error, so the graph's canvas shows where to look.

use std::collections::{BTreeMap, BTreeSet};

use super::{Diagnostic, Location, Severity};
use crate::catalog::NodeSpec;
use crate::graph::function::{self, FunctionId, Role};
use crate::graph::{NodeId, VisualScriptGraph};

/// The function nodes' places and counts, recursion, and wires across canvases. Returns each
/// function's Inputs node: a root of execution for the flow analysis.
pub(super) fn check_functions(
    graph: &VisualScriptGraph,
    specs: &BTreeMap<NodeId, &'static NodeSpec>,
    out: &mut Vec<Diagnostic>,
) -> Vec<NodeId> {
    let mut inputs: BTreeMap<FunctionId, Vec<NodeId>> = BTreeMap::new();
    let mut outputs: BTreeMap<FunctionId, Vec<NodeId>> = BTreeMap::new();
    // Which functions each canvas calls, and where.
    let mut calls: BTreeMap<Option<FunctionId>, Vec<(NodeId, FunctionId)>> = BTreeMap::new();
    // The kind each function's nodes have when they are in step with it.
    let kinds: BTreeMap<(FunctionId, Role), String> = graph
        .functions()
        .flat_map(|f| {
            [Role::Call, Role::Inputs, Role::Outputs]
                .map(|role| ((f.id, role), function::node_kind(role, f)))
        })
        .collect();
    for node in graph.nodes().filter(|n| specs.contains_key(&n.id)) {
        let Some((role, id)) = function::parse_kind(&node.kind) else {
            if node.function.is_some() && specs[&node.id].op.is_entry() {
                out.push(Diagnostic::error(
                    "entry-in-function",
                    Location::Node(node.id),
                    format!(
                        "{} starts the script, so it cannot be inside a function; move it to the graph's own canvas",
                        specs[&node.id].name
                    ),
                ));
            }
            continue;
        };
        // A node of a function the graph lacks, or of another function that had this id (a call
        // pasted from another graph), is not run as whatever function has the id now.
        if kinds.get(&(id, role)) != Some(&node.kind) {
            out.push(Diagnostic::error(
                "unknown-function",
                Location::Node(node.id),
                "this node belongs to a function this graph does not have (it came from another graph); delete it, and add the function from a library file if you need it",
            ));
            continue;
        }
        let name = graph.function(id).map_or("?", |f| f.name.as_str());
        match role {
            Role::Call => calls.entry(node.function).or_default().push((node.id, id)),
            Role::Inputs | Role::Outputs if node.function != Some(id) => {
                out.push(Diagnostic::error(
                    "misplaced-function-node",
                    Location::Node(node.id),
                    format!("this belongs on the canvas of the function {name}; delete it here"),
                ));
            }
            Role::Inputs => inputs.entry(id).or_default().push(node.id),
            Role::Outputs => outputs.entry(id).or_default().push(node.id),
        }
    }
    let mut roots = Vec::new();
    for f in graph.functions() {
        match inputs.get(&f.id).map(Vec::as_slice) {
            None | Some([]) => out.push(Diagnostic::error(
                "no-function-inputs",
                Location::Graph,
                format!(
                    "the function {} has no Inputs node, so nothing in it can run; add one from the palette on its canvas",
                    f.name
                ),
            )),
            Some([first, rest @ ..]) => {
                roots.push(*first);
                for &extra in rest {
                    out.push(Diagnostic::error(
                        "function-inputs-twice",
                        Location::Node(extra),
                        format!(
                            "the function {} already has an Inputs node; a function starts in one place, so delete this one",
                            f.name
                        ),
                    ));
                }
            }
        }
        if let Some([_, rest @ ..]) = outputs.get(&f.id).map(Vec::as_slice) {
            for &extra in rest {
                out.push(Diagnostic::error(
                    "function-outputs-twice",
                    Location::Node(extra),
                    format!(
                        "the function {} already has an Outputs node; wire every way to the end into the first and delete this one",
                        f.name
                    ),
                ));
            }
        }
    }

    // Recursion: a call inside function F of a function that leads back to F.
    let called: BTreeMap<FunctionId, BTreeSet<FunctionId>> = calls
        .iter()
        .filter_map(|(scope, list)| Some((*(scope.as_ref()?), list.iter().map(|c| c.1).collect())))
        .collect();
    // A call leads back to its caller when both are in one strongly connected component of the
    // call graph (found once, in time linear in the calls: a search from every call took time
    // growing with the square of a long chain's length).
    let component = components(&called);
    let leads_to = |from: FunctionId, to: FunctionId| {
        from == to
            || component
                .get(&from)
                .is_some_and(|c| component.get(&to) == Some(c))
    };
    for (scope, list) in &calls {
        let Some(scope) = *scope else { continue };
        for &(node, callee) in list {
            if leads_to(callee, scope) {
                let name = |id: FunctionId| graph.function(id).map_or("?", |f| f.name.as_str());
                let how = if callee == scope {
                    format!("{} calls itself", name(scope))
                } else {
                    format!(
                        "{} calls {}, which leads back to it",
                        name(scope),
                        name(callee)
                    )
                };
                out.push(Diagnostic::error(
                    "recursion",
                    Location::Node(node),
                    format!("{how}; a function may not call itself, directly or through others, so use a For Each loop or a second function instead"),
                ));
            }
        }
    }
    roots
}

/// Each function's strongly connected component in the call graph `called` (Tarjan's
/// algorithm, without recursion so a chain of any length cannot overflow the stack): two
/// functions share a number exactly when each leads to the other.
fn components(called: &BTreeMap<FunctionId, BTreeSet<FunctionId>>) -> BTreeMap<FunctionId, usize> {
    let mut index: BTreeMap<FunctionId, (usize, usize)> = BTreeMap::new(); // (index, low link)
    let mut on_stack = BTreeSet::new();
    let mut stack = Vec::new();
    let mut component = BTreeMap::new();
    let mut next = 0;
    let edges = |f: FunctionId| -> Vec<FunctionId> {
        called.get(&f).into_iter().flatten().copied().collect()
    };
    for &start in called.keys() {
        if index.contains_key(&start) {
            continue;
        }
        // Each frame: a function and the callees of it still to visit.
        let mut frames: Vec<(FunctionId, std::vec::IntoIter<FunctionId>)> = Vec::new();
        index.insert(start, (next, next));
        next += 1;
        stack.push(start);
        on_stack.insert(start);
        frames.push((start, edges(start).into_iter()));
        while let Some((f, rest)) = frames.last_mut() {
            let f = *f;
            if let Some(g) = rest.next() {
                match index.get(&g) {
                    None => {
                        index.insert(g, (next, next));
                        next += 1;
                        stack.push(g);
                        on_stack.insert(g);
                        frames.push((g, edges(g).into_iter()));
                    }
                    Some(&(gi, _)) if on_stack.contains(&g) => {
                        if let Some(e) = index.get_mut(&f) {
                            e.1 = e.1.min(gi);
                        }
                    }
                    Some(_) => {}
                }
                continue;
            }
            frames.pop();
            let (fi, fl) = index[&f];
            if let Some((parent, _)) = frames.last()
                && let Some(p) = index.get_mut(parent)
            {
                p.1 = p.1.min(fl);
            }
            if fi == fl {
                while let Some(g) = stack.pop() {
                    on_stack.remove(&g);
                    component.insert(g, fi);
                    if g == f {
                        break;
                    }
                }
            }
        }
    }
    component
}

/// Whether a wire joins two canvases (a function's and another's).
pub(super) fn crosses(graph: &VisualScriptGraph, link: &crate::graph::Link) -> bool {
    let scope = |id: NodeId| graph.node(id).map(|n| n.function);
    scope(link.from.node) != scope(link.to.node)
}

/// An error at each call of a function that has an error inside, naming the first.
pub(super) fn report_at_calls(graph: &VisualScriptGraph, out: &mut Vec<Diagnostic>) {
    let mut inside: BTreeMap<FunctionId, (usize, String)> = BTreeMap::new();
    for d in out.iter().filter(|d| d.severity == Severity::Error) {
        let Some(f) = d
            .location
            .node(graph)
            .and_then(|n| graph.node(n))
            .and_then(|n| n.function)
        else {
            continue;
        };
        let e = inside.entry(f).or_insert_with(|| (0, d.plain(graph)));
        e.0 += 1;
    }
    // A function whose inside is wrong makes its callers wrong, and theirs. Every function's
    // calls are listed once (asking the graph for each function's took time growing with the
    // square of the number of functions).
    let mut calls_of: BTreeMap<FunctionId, Vec<NodeId>> = BTreeMap::new();
    for node in graph.nodes() {
        if let Some((Role::Call, f)) = function::parse_kind(&node.kind) {
            calls_of.entry(f).or_default().push(node.id);
        }
    }
    let mut more = Vec::new();
    let mut todo: Vec<FunctionId> = inside.keys().copied().collect();
    let mut done = BTreeSet::new();
    while let Some(f) = todo.pop() {
        if !done.insert(f) {
            continue;
        }
        let Some((n, first)) = inside.get(&f).cloned() else {
            continue;
        };
        let name = graph.function(f).map_or("?", |x| x.name.as_str());
        for &call in calls_of.get(&f).into_iter().flatten() {
            let problems = if n == 1 {
                "a problem".to_owned()
            } else {
                format!("{n} problems")
            };
            more.push(Diagnostic::error(
                "function-has-errors",
                Location::Node(call),
                format!(
                    "the function {name} has {problems} inside ({first}); double-click this call to open it"
                ),
            ));
            if let Some(caller) = graph.node(call).and_then(|c| c.function) {
                inside
                    .entry(caller)
                    .or_insert((1, format!("{name} has {problems} inside")));
                todo.push(caller);
            }
        }
    }
    out.extend(more);
}
