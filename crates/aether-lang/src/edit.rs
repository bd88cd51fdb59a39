//! Edits the editor makes that are more than one change to the graph: putting a reroute dot on
//! a wire, and moving a comment frame with the nodes in it. Headless, so they are the same
//! wherever they are made and can be tested without a window.

use crate::graph::{NodeId, PortRef, Value, VisualScriptGraph};

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
    let dot = if ty == crate::catalog::PinType::Exec {
        g.add_node("reroute_exec", at)
    } else {
        let (key, _, _) = crate::catalog::TYPE_CHOICES
            .iter()
            .find(|(_, _, t)| *t == ty)?;
        let dot = g.add_node("reroute", at);
        g.set_value(dot, "type", Value::Choice((*key).into()));
        dot
    };
    g.disconnect(link);
    let (into, out) = if ty == crate::catalog::PinType::Exec {
        ("exec", "then")
    } else {
        ("in", "out")
    };
    g.connect(from.clone(), PortRef::new(dot, into));
    g.connect(PortRef::new(dot, out), to.clone());
    Some(dot)
}
