//! "Make function": selected nodes become a function, and a call of it takes their place, so the
//! graph does exactly what it did before.
//!
//! What moves: the selected nodes with execution pins, and the pure nodes they read (through any
//! chain of pure nodes). A pure node that is also read outside stays where it is and a copy goes
//! into the function (pure nodes are worked out each time they are read, so a copy gives the same
//! values). The function's inputs are the values of outside execution nodes the moved nodes read
//! (a loop's Unit, an action's Done, an event's Entity): kept values, the same at the call as
//! inside. Its outputs are the moved execution nodes' values read outside.
//!
//! Execution must enter the selection at one input and may leave it toward one place, and only
//! as the last thing the selection does (not from inside a loop, not before a Sequence's next
//! step), so the call's Then runs exactly when the selection's exit did. A selection that does
//! not fit is refused with the reason, and nothing changes.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{self, NodeSpec, Op, PinType};
use crate::graph::function::{Function, FunctionId, Param, ParamType};
use crate::graph::{NodeId, PortRef, VisualScriptGraph};

/// What [`make_function`] made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Made {
    /// The new function.
    pub function: FunctionId,
    /// The call that took the selection's place.
    pub call: NodeId,
    /// Nodes the selection read that went into the function with it, though not selected.
    pub pulled_in: Vec<NodeId>,
    /// Nodes the selection read that are read outside it too: each stayed, and a copy of it went
    /// into the function.
    pub copied_in: Vec<NodeId>,
}

/// How a stretch of execution inside the selection ends, for the exit rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ends {
    /// Nothing runs.
    Nothing,
    /// Nodes of the selection run; execution never leaves.
    Inside,
    /// Execution leaves once, as the last thing.
    Once,
    /// Execution may leave more than once, or before other nodes of the selection run.
    Bad,
}

fn then(a: Ends, b: Ends) -> Ends {
    use Ends::*;
    match (a, b) {
        (Nothing, b) => b,
        (Inside, Nothing | Inside) => Inside,
        (Inside, b) => b,
        (Once, Nothing) => Once,
        _ => Bad,
    }
}

fn either(a: Ends, b: Ends) -> Ends {
    use Ends::*;
    match (a, b) {
        (Nothing | Inside, Nothing | Inside) => Inside,
        (Once, Once) => Once,
        _ => Bad,
    }
}

struct Exits<'a> {
    g: &'a VisualScriptGraph,
    inside: &'a BTreeSet<NodeId>,
    visiting: BTreeSet<NodeId>,
}

impl Exits<'_> {
    fn port(&mut self, node: NodeId, port: &str) -> Ends {
        let from = PortRef::new(node, port);
        match self.g.links_from(&from).next().map(|l| l.to.node) {
            None => Ends::Nothing,
            Some(next) if self.inside.contains(&next) => self.node(next),
            Some(_) => Ends::Once,
        }
    }

    fn node(&mut self, node: NodeId) -> Ends {
        let Some(spec) = self.g.node(node).and_then(|n| catalog::spec(&n.kind)) else {
            return Ends::Bad;
        };
        if !self.visiting.insert(node) {
            return Ends::Bad;
        }
        let outs: Vec<&str> = spec
            .outputs
            .iter()
            .filter(|p| p.ty == PinType::Exec)
            .map(|p| p.key)
            .collect();
        let rest = match spec.op {
            Op::Branch => {
                let a = self.port(node, "true");
                let b = self.port(node, "false");
                either(a, b)
            }
            Op::ForEachUnit | Op::ForEachEntityNear => match self.port(node, "body") {
                Ends::Nothing | Ends::Inside => {
                    let done = self.port(node, "done");
                    then(Ends::Inside, done)
                }
                _ => Ends::Bad,
            },
            _ => outs.iter().fold(Ends::Nothing, |acc, p| {
                let next = self.port(node, p);
                then(acc, next)
            }),
        };
        self.visiting.remove(&node);
        then(Ends::Inside, rest)
    }
}

fn param_type(ty: PinType) -> Option<ParamType> {
    Some(match ty {
        PinType::Number => ParamType::Number,
        PinType::Bool => ParamType::Bool,
        PinType::Unit => ParamType::Unit,
        PinType::Position => ParamType::Tile,
        PinType::Entity => ParamType::Entity,
        PinType::Player => ParamType::Player,
        _ => return None,
    })
}

/// A readable name for a node: its kind's name and id.
fn called(g: &VisualScriptGraph, id: NodeId) -> String {
    let name = g
        .node(id)
        .and_then(|n| catalog::spec(&n.kind))
        .map_or("a node", |s| s.name);
    format!("{name} {id}")
}

/// Params for `sources` (outputs of nodes), named after their ports, made unique.
fn params(
    g: &VisualScriptGraph,
    sources: &[PortRef],
    first_key: usize,
) -> Result<Vec<Param>, String> {
    let mut out: Vec<Param> = Vec::new();
    for (i, src) in sources.iter().enumerate() {
        let ty = crate::check::port_type(g, src, true)
            .and_then(param_type)
            .ok_or_else(|| {
                format!(
                    "the value of {}'s {} has no type a function can pass on; fix that node first",
                    called(g, src.node),
                    src.port
                )
            })?;
        let spec = g.node(src.node).and_then(|n| catalog::spec(&n.kind));
        let label = spec
            .and_then(|s| s.output(&src.port))
            .map(|p| p.name)
            .filter(|n| !n.is_empty())
            .or(spec.map(|s| s.name))
            .unwrap_or("Value");
        let name = std::iter::once(label.to_owned())
            .chain((2..).map(|k| format!("{label} {k}")))
            .find(|n| !out.iter().any(|p| &p.name == n))
            .unwrap_or_default();
        out.push(Param {
            key: format!("p{}", first_key + i),
            name,
            ty,
        });
    }
    Ok(out)
}

/// Makes the nodes `selection` (those on the canvas of the first one) into a new function named
/// after `name` and puts a call of it in their place. On `Err` (the reason, in the creator's
/// words) the graph is unchanged.
pub fn make_function(
    g: &mut VisualScriptGraph,
    selection: &[NodeId],
    name: &str,
) -> Result<Made, String> {
    let Some(scope) = selection
        .iter()
        .find_map(|id| g.node(*id))
        .map(|n| n.function)
    else {
        return Err("select the nodes to make into a function first".into());
    };
    let specs: BTreeMap<NodeId, &'static NodeSpec> = g
        .nodes()
        .filter_map(|n| Some((n.id, catalog::spec(&n.kind)?)))
        .collect();
    let mut exec: BTreeSet<NodeId> = BTreeSet::new();
    for &id in selection {
        let Some(node) = g.node(id).filter(|n| n.function == scope) else {
            continue;
        };
        let Some(spec) = specs.get(&id) else {
            return Err(format!(
                "{} is of a kind this studio does not know; delete it or leave it out",
                called(g, id)
            ));
        };
        if spec.op.is_entry() {
            return Err(format!(
                "{} is where the script starts; leave it out of the function",
                spec.name
            ));
        }
        if matches!(spec.op, Op::FunctionInputs | Op::FunctionOutputs) {
            return Err(format!(
                "a function's {} node stays in it; leave it out",
                spec.name
            ));
        }
        if spec.is_exec() {
            exec.insert(node.id);
        }
    }
    if exec.is_empty() {
        return Err("select at least one node with execution pins: a function runs when execution reaches its call (the values those nodes read come along)".into());
    }
    let is_exec = |id: NodeId| specs.get(&id).is_some_and(|s| s.is_exec());
    let exec_link = |l: &crate::graph::Link| {
        specs
            .get(&l.from.node)
            .and_then(|s| s.output(&l.from.port))
            .is_some_and(|p| p.ty == PinType::Exec)
    };

    // The pure nodes the selection reads, through chains of pure nodes.
    let mut pure: BTreeSet<NodeId> = BTreeSet::new();
    let mut todo: Vec<NodeId> = exec.iter().copied().collect();
    while let Some(n) = todo.pop() {
        for l in g.links().filter(|l| l.to.node == n && !exec_link(l)) {
            let s = l.from.node;
            if !is_exec(s) && specs.contains_key(&s) && pure.insert(s) {
                todo.push(s);
            }
        }
    }
    // Those also read outside stay, and a copy goes in; so do the pure nodes they read.
    let mut copied: BTreeSet<NodeId> = pure
        .iter()
        .copied()
        .filter(|&p| {
            g.links().any(|l| {
                l.from.node == p && !exec.contains(&l.to.node) && !pure.contains(&l.to.node)
            })
        })
        .collect();
    let mut grow: Vec<NodeId> = copied.iter().copied().collect();
    while let Some(c) = grow.pop() {
        for l in g.links().filter(|l| l.to.node == c) {
            if pure.contains(&l.from.node) && copied.insert(l.from.node) {
                grow.push(l.from.node);
            }
        }
    }
    let moved: BTreeSet<NodeId> = exec
        .iter()
        .chain(pure.difference(&copied))
        .copied()
        .collect();
    let fed = |n: NodeId| moved.contains(&n) || copied.contains(&n);

    // Execution in and out.
    let mut entry: BTreeSet<PortRef> = BTreeSet::new();
    let mut exit: BTreeSet<PortRef> = BTreeSet::new();
    for l in g.links().filter(|l| exec_link(l)) {
        match (moved.contains(&l.from.node), moved.contains(&l.to.node)) {
            (false, true) => {
                entry.insert(l.to.clone());
            }
            (true, false) => {
                exit.insert(l.to.clone());
            }
            _ => {}
        }
    }
    if entry.len() > 1 {
        let places: Vec<String> = entry.iter().map(|p| called(g, p.node)).collect();
        return Err(format!(
            "execution enters the selection at {} places ({}); a function starts at one, so select nodes that execution enters in one place",
            entry.len(),
            places.join(", ")
        ));
    }
    if exit.len() > 1 {
        let places: Vec<String> = exit.iter().map(|p| called(g, p.node)).collect();
        return Err(format!(
            "execution leaves the selection toward {} places ({}); a function ends in one, so leave them in or out together",
            exit.len(),
            places.join(", ")
        ));
    }
    let entry = entry.into_iter().next();
    let exit = exit.into_iter().next();
    if let Some(exit) = &exit {
        let Some(entry) = &entry else {
            return Err(format!(
                "execution leaves the selection toward {} but never enters it; connect the selection first",
                called(g, exit.node)
            ));
        };
        let mut walk = Exits {
            g,
            inside: &moved,
            visiting: BTreeSet::new(),
        };
        if walk.node(entry.node) != Ends::Once {
            return Err(format!(
                "execution leaves the selection toward {} before the selection is done (from inside a loop, before a Sequence's next step, or only on some branches); a call's Then runs once, when the function ends, so select so that leaving is the last thing",
                called(g, exit.node)
            ));
        }
    }

    // Inputs: kept values of outside execution nodes; outputs: moved execution nodes' values
    // read outside.
    let mut in_sources: BTreeSet<PortRef> = BTreeSet::new();
    let mut out_sources: BTreeSet<PortRef> = BTreeSet::new();
    for l in g.links().filter(|l| !exec_link(l)) {
        let from_in = moved.contains(&l.from.node);
        if !from_in && !copied.contains(&l.from.node) && fed(l.to.node) {
            in_sources.insert(l.from.clone());
        }
        if from_in && !moved.contains(&l.to.node) {
            out_sources.insert(l.from.clone());
        }
    }
    if !out_sources.is_empty() && exit.is_none() {
        let first = out_sources.iter().next().map(|p| called(g, p.node));
        return Err(format!(
            "values of {} are used after the selection, but execution does not leave it; select so that execution goes on from the selection to where they are used",
            first.unwrap_or_default()
        ));
    }
    let in_sources: Vec<PortRef> = in_sources.into_iter().collect();
    let out_sources: Vec<PortRef> = out_sources.into_iter().collect();
    let inputs = params(g, &in_sources, 1)?;
    let outputs = params(g, &out_sources, 1 + inputs.len())?;

    // Where things go on the canvases.
    let spots: Vec<[f32; 2]> = moved
        .iter()
        .chain(&copied)
        .filter_map(|&n| g.node(n).map(|n| n.pos))
        .collect();
    let min_x = spots.iter().map(|p| p[0]).fold(f32::INFINITY, f32::min);
    let max_x = spots.iter().map(|p| p[0]).fold(f32::NEG_INFINITY, f32::max);
    let min_y = spots.iter().map(|p| p[1]).fold(f32::INFINITY, f32::min);
    let call_at = entry
        .as_ref()
        .and_then(|e| g.node(e.node))
        .map_or([min_x, min_y], |n| n.pos);

    // The function and its ends.
    let id = g.add_function(name, [min_x - 240.0, min_y]);
    let function = Function {
        id,
        name: g.function(id).map(|f| f.name.clone()).unwrap_or_default(),
        inputs,
        outputs,
    };
    g.set_function(function.clone());
    let (Some(inputs_node), _) = g.function_ends(id) else {
        return Err("the function could not be made".into());
    };
    let outputs_node = (!function.outputs.is_empty())
        .then(|| g.add_outputs(id, [max_x + 280.0, min_y]))
        .flatten();
    let Some(call) = g.add_call(id, call_at, scope) else {
        return Err("the function could not be made".into());
    };

    // Move and copy.
    for &n in &moved {
        if let Some(node) = g.node_mut(n) {
            node.function = Some(id);
        }
    }
    let mut copy_of: BTreeMap<NodeId, NodeId> = BTreeMap::new();
    for &c in &copied {
        let Some(node) = g.node(c).cloned() else {
            continue;
        };
        let fresh = g.add_node_in(node.kind, node.pos, Some(id));
        if let Some(n) = g.node_mut(fresh) {
            n.values = node.values;
        }
        copy_of.insert(c, fresh);
    }
    let param_port = |src: &PortRef, sources: &[PortRef], params: &[Param]| {
        sources
            .iter()
            .position(|s| s == src)
            .map(|i| params[i].key.clone())
    };

    // Rewire.
    let links: Vec<crate::graph::Link> = g.links().cloned().collect();
    let mut entered = false;
    let mut left = false;
    let mut outs_wired: BTreeSet<PortRef> = BTreeSet::new();
    for l in links {
        let (a, b) = (l.from.node, l.to.node);
        let (a_in, b_in) = (moved.contains(&a), moved.contains(&b));
        // The inside end of a wire into a copy, or into a moved node.
        let inner_from = |p: &PortRef| -> Option<PortRef> {
            if moved.contains(&p.node) {
                Some(p.clone())
            } else if let Some(&c) = copy_of.get(&p.node) {
                Some(PortRef::new(c, p.port.clone()))
            } else {
                param_port(p, &in_sources, &function.inputs).map(|k| PortRef::new(inputs_node, k))
            }
        };
        if let Some(&b_copy) = copy_of.get(&b)
            && let Some(from) = inner_from(&l.from)
        {
            g.connect(from, PortRef::new(b_copy, l.to.port.clone()));
        }
        if a_in == b_in {
            continue;
        }
        if exec_link(&l) {
            g.disconnect(l.id);
            if b_in {
                g.connect(l.from.clone(), PortRef::new(call, "exec"));
                if !entered {
                    g.connect(PortRef::new(inputs_node, "then"), l.to.clone());
                    entered = true;
                }
            } else {
                if let Some(out) = outputs_node {
                    g.connect(l.from.clone(), PortRef::new(out, "exec"));
                }
                if !left {
                    g.connect(PortRef::new(call, "then"), l.to.clone());
                    left = true;
                }
            }
            continue;
        }
        if b_in {
            // Into a moved node from outside: a copy's value or an input.
            if let Some(from) = inner_from(&l.from) {
                g.disconnect(l.id);
                g.connect(from, l.to.clone());
            }
        } else if let Some(key) = param_port(&l.from, &out_sources, &function.outputs) {
            g.disconnect(l.id);
            if let Some(out) = outputs_node
                && outs_wired.insert(l.from.clone())
            {
                g.connect(l.from.clone(), PortRef::new(out, key.clone()));
            }
            g.connect(PortRef::new(call, key), l.to.clone());
        }
    }
    // The call's inputs, from where the selection read them.
    for (src, p) in in_sources.iter().zip(&function.inputs) {
        g.connect(src.clone(), PortRef::new(call, p.key.clone()));
    }
    Ok(Made {
        function: id,
        call,
        pulled_in: moved
            .iter()
            .copied()
            .filter(|n| !selection.contains(n))
            .collect(),
        copied_in: copied.iter().copied().collect(),
    })
}
