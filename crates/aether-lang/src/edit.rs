//! Edits the editor makes that are more than one change to the graph: a wire that replaces
//! the one it displaces, a node added where it covers no other and wired to the port it was
//! dragged from, nodes pasted or moved, a comment frame moved with the nodes in it, a reroute
//! dot put on a wire. Headless, so they are the same wherever they are made (the studio, the
//! command line, tests) and can be tested without a window.

use crate::catalog::{self, Choices, NodeSpec, PinType};
use crate::graph::{Comment, FunctionId, NodeId, PortRef, Value, VarType, VisualScriptGraph};

/// Connects `from` to `to`, replacing the wire already into `to` and, for an execution output,
/// the wire already out of `from` (each takes one).
pub fn connect_replacing(g: &mut VisualScriptGraph, from: PortRef, to: PortRef) {
    let exec_out = crate::check::port_type(g, &from, true) == Some(PinType::Exec);
    let old: Vec<_> = g
        .links()
        .filter(|l| l.to == to || (exec_out && l.from == from))
        .map(|l| l.id)
        .collect();
    for id in old {
        g.disconnect(id);
    }
    g.connect(from, to);
}

/// Removes every wire from `from` to `to`.
pub fn disconnect_between(g: &mut VisualScriptGraph, from: &PortRef, to: &PortRef) {
    let ids: Vec<_> = g
        .links()
        .filter(|l| &l.from == from && &l.to == to)
        .map(|l| l.id)
        .collect();
    for id in ids {
        g.disconnect(id);
    }
}

/// Removes `nodes` and their wires.
pub fn delete_nodes(g: &mut VisualScriptGraph, nodes: &[NodeId]) {
    for n in nodes {
        g.remove_node(*n);
    }
}

/// Moves `nodes` by `delta` (canvas units).
pub fn move_nodes(g: &mut VisualScriptGraph, nodes: &[NodeId], delta: [f32; 2]) {
    for n in nodes {
        if let Some(node) = g.node_mut(*n) {
            node.pos[0] += delta[0];
            node.pos[1] += delta[1];
        }
    }
}

/// How far apart, in canvas units, a wired node is placed from the node at the wire's other end
/// (a node is about 200 wide).
const SIDE_BY_SIDE: f32 = 260.0;

/// Where a node added from the palette goes: the free place nearest to `centre` on a grid of
/// node-sized cells, so new nodes never cover each other.
pub fn free_spot(g: &VisualScriptGraph, centre: [f32; 2]) -> [f32; 2] {
    free_spot_in(g, centre, [f32::MIN, f32::MIN, f32::MAX, f32::MAX])
}

/// Like [`free_spot`], but only a spot where a node fits inside `area` (`[left, top, right,
/// bottom]`, the part of the canvas in view) counts while there is one: a node added "at the
/// centre" lands where the user sees it, never behind a panel.
pub fn free_spot_in(g: &VisualScriptGraph, centre: [f32; 2], area: [f32; 4]) -> [f32; 2] {
    const CELL: [f32; 2] = [240.0, 150.0];
    const NODE: [f32; 2] = [200.0, 120.0];
    let start = [centre[0] - 100.0, centre[1] - 60.0];
    let inside = |p: [f32; 2]| {
        p[0] >= area[0] && p[1] >= area[1] && p[0] + NODE[0] <= area[2] && p[1] + NODE[1] <= area[3]
    };
    let taken = |p: [f32; 2]| {
        g.nodes().any(|n| {
            (n.pos[0] - p[0]).abs() < CELL[0] - 10.0 && (n.pos[1] - p[1]).abs() < CELL[1] - 10.0
        })
    };
    for ring in 0..40i32 {
        for dy in -ring..=ring {
            for dx in -ring..=ring {
                if dx.abs().max(dy.abs()) != ring {
                    continue;
                }
                let p = [
                    start[0] + dx as f32 * CELL[0],
                    start[1] + dy as f32 * CELL[1],
                ];
                if !taken(p) && inside(p) {
                    return p;
                }
            }
        }
    }
    start
}

/// The type of wire a variable of type `t` carries.
pub fn variable_pin(t: VarType) -> PinType {
    match t {
        VarType::Number => PinType::Number,
        VarType::Bool => PinType::Bool,
        VarType::Unit => PinType::Unit,
        VarType::Position => PinType::Position,
    }
}

/// The port of a new node of `spec` that a wire of type `ty` from the other side would plug
/// into: an input when the wire comes from an output (`from_output`), else an output.
pub fn fitting_port(
    spec: &NodeSpec,
    ty: PinType,
    from_output: bool,
    graph: &VisualScriptGraph,
) -> Option<&'static str> {
    let ports = if from_output {
        spec.inputs
    } else {
        spec.outputs
    };
    ports
        .iter()
        .find(|p| {
            p.ty == ty
                || (p.ty == PinType::OfVariable
                    && graph.variables.iter().any(|v| variable_pin(v.ty) == ty))
        })
        .map(|p| p.key)
}

/// The first variable of the type a wire carries (for a Get / Set Variable added from a wire).
pub fn variable_for(graph: &VisualScriptGraph, ty: PinType) -> Option<String> {
    graph
        .variables
        .iter()
        .find(|v| variable_pin(v.ty) == ty)
        .map(|v| v.name.clone())
}

/// Adds a node of `kind` at `at` on the canvas of `scope`; a node that names a variable names
/// the first one (of the wire's type, when added from a wire); `from`, the port a wire was
/// dragged from (the port, whether it is an output, its type), is wired to the new node's
/// fitting port. Returns the new node.
pub fn add_node_wired(
    g: &mut VisualScriptGraph,
    kind: &str,
    at: [f32; 2],
    scope: Option<FunctionId>,
    from: Option<(PortRef, bool, PinType)>,
) -> NodeId {
    let spec = catalog::spec(kind);
    let variable = from
        .as_ref()
        .and_then(|(_, _, ty)| variable_for(g, *ty))
        .or_else(|| g.variables.first().map(|v| v.name.clone()));
    // A node fed by a wire goes to the right of its source (one that feeds a wire, to the left
    // of where it goes), on a free spot: the first wire never runs backwards behind the nodes.
    let at = match from
        .as_ref()
        .and_then(|(port, out, _)| Some((g.node(port.node)?.pos, *out)))
    {
        Some((source, true)) => free_spot_in(
            g,
            [at[0].max(source[0] + SIDE_BY_SIDE) + 100.0, at[1] + 60.0],
            [source[0] + SIDE_BY_SIDE, f32::MIN, f32::MAX, f32::MAX],
        ),
        Some((target, false)) => free_spot_in(
            g,
            [at[0].min(target[0] - SIDE_BY_SIDE) + 100.0, at[1] + 60.0],
            [
                f32::MIN,
                f32::MIN,
                target[0] - SIDE_BY_SIDE + 200.0,
                f32::MAX,
            ],
        ),
        None => at,
    };
    let id = g.add_node_in(kind, at, scope);
    if let Some(spec) = spec {
        if spec.settings.iter().any(|s| s.choices == Choices::Variable)
            && let Some(v) = variable
        {
            g.set_value(id, "variable", Value::Choice(v));
        }
        if let Some((port, from_output, ty)) = from
            && let Some(key) = fitting_port(spec, ty, from_output, g)
        {
            let mine = PortRef::new(id, key);
            if from_output {
                connect_replacing(g, port, mine);
            } else {
                connect_replacing(g, mine, port);
            }
        }
    }
    id
}

/// Pastes `fragment` (graph file text's nodes, from this graph or another) onto the canvas of
/// `scope` with its top-left node at `at`; returns the new nodes (none when it holds none).
pub fn paste_at(
    g: &mut VisualScriptGraph,
    fragment: &VisualScriptGraph,
    at: [f32; 2],
    scope: Option<FunctionId>,
) -> Vec<NodeId> {
    if fragment.nodes().next().is_none() {
        return Vec::new();
    }
    let min = fragment.nodes().fold([f32::MAX, f32::MAX], |m, n| {
        [m[0].min(n.pos[0]), m[1].min(n.pos[1])]
    });
    let offset = [at[0] - min[0], at[1] - min[1]];
    g.merge_into(fragment, offset, scope)
}

/// Adds a comment frame at `pos` of `size`, with the placeholder text "Comment".
pub fn add_comment(g: &mut VisualScriptGraph, pos: [f32; 2], size: [f32; 2]) {
    g.comments.push(Comment {
        pos,
        size,
        text: "Comment".into(),
    });
}

/// The nodes whose place lies inside comment frame `index`.
pub fn frame_contents(g: &VisualScriptGraph, index: usize) -> Vec<NodeId> {
    let Some(c) = g.comments.get(index) else {
        return Vec::new();
    };
    g.nodes()
        .filter(|n| {
            n.pos[0] >= c.pos[0]
                && n.pos[1] >= c.pos[1]
                && n.pos[0] < c.pos[0] + c.size[0]
                && n.pos[1] < c.pos[1] + c.size[1]
        })
        .map(|n| n.id)
        .collect()
}

/// Moves comment frame `index` and the nodes `carried` by `delta`.
pub fn move_frame(g: &mut VisualScriptGraph, index: usize, carried: &[NodeId], delta: [f32; 2]) {
    for &id in carried {
        if let Some(n) = g.node_mut(id) {
            n.pos[0] += delta[0];
            n.pos[1] += delta[1];
        }
    }
    if let Some(c) = g.comments.get_mut(index) {
        c.pos[0] += delta[0];
        c.pos[1] += delta[1];
    }
}

/// Puts a reroute dot at `at` on the wire `from` → `to`: the wire now runs through it (an
/// execution wire through a Reroute (flow), a data wire through a Reroute of the wire's type).
/// Returns the dot, or `None` when there is no such wire.
pub fn insert_reroute(
    g: &mut VisualScriptGraph,
    from: &PortRef,
    to: &PortRef,
    at: [f32; 2],
) -> Option<NodeId> {
    let link = g.links().find(|l| &l.from == from && &l.to == to)?.id;
    let ty = crate::check::port_type(g, from, true)?;
    let dot = if ty == PinType::Exec {
        g.add_node("reroute_exec", at)
    } else {
        let (key, _, _) = catalog::TYPE_CHOICES.iter().find(|(_, _, t)| *t == ty)?;
        let dot = g.add_node("reroute", at);
        g.set_value(dot, "type", Value::Choice((*key).into()));
        dot
    };
    g.disconnect(link);
    let (into, out) = if ty == PinType::Exec {
        ("exec", "then")
    } else {
        ("in", "out")
    };
    g.connect(from.clone(), PortRef::new(dot, into));
    g.connect(PortRef::new(dot, out), to.clone());
    Some(dot)
}
