//! The numbers of a graph a tuner may change: every Number input of a node that no wire feeds
//! (the constant typed on the node, or the catalog's default), each with the range it is
//! searched in, and a graph with a chosen set of them written in.
//!
//! The range is the catalog's when it gives one ([`catalog::tuning_range`]: distances in tiles,
//! dice rolls; a number a Compare sets against a distance is a distance too); otherwise half the
//! value either side, at least one, so that a small whole number (a 1 or a 3) can move at all. Numbers are whole (the language's Number is an `i32`), and stay
//! whole.

use crate::catalog::{self, PinType, PortDefault};
use crate::graph::{NodeId, PortRef, ScriptKind, Value, VisualScriptGraph};

/// One number that can be tuned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tunable {
    /// The node it is typed on.
    pub node: NodeId,
    /// The input's key.
    pub port: String,
    /// In words, for people: "Compare (node 9), B".
    pub label: String,
    /// Its value now.
    pub value: i32,
    /// The smallest value searched.
    pub low: i32,
    /// The largest value searched.
    pub high: i32,
}

/// Every tunable number of `graph`, in node order then port order; none for a world script
/// (tuning plays duels).
pub fn tunables(graph: &VisualScriptGraph) -> Vec<Tunable> {
    if graph.kind != ScriptKind::AiController {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut nodes: Vec<_> = graph.nodes().collect();
    nodes.sort_by_key(|n| n.id);
    for node in nodes {
        let Some(spec) = catalog::spec(&node.kind) else {
            continue;
        };
        for port in spec.inputs.iter().filter(|p| p.ty == PinType::Number) {
            let PortDefault::Number(default) = port.default else {
                continue;
            };
            let at = PortRef::new(node.id, port.key);
            if graph.links_into(&at).next().is_some() {
                continue;
            }
            let value = match node.values.get(port.key) {
                Some(Value::Number(n)) => *n,
                _ => default,
            };
            let range = catalog::tuning_range(&node.kind, port.key).or_else(|| {
                compared_with_tiles(graph, node, port.key).then_some(catalog::TILES_RANGE)
            });
            let (low, high) = range.unwrap_or_else(|| {
                let half = (i64::from(value).abs() / 2).max(1);
                (
                    (i64::from(value) - half).max(i64::from(i32::MIN)) as i32,
                    (i64::from(value) + half).min(i64::from(i32::MAX)) as i32,
                )
            });
            out.push(Tunable {
                node: node.id,
                port: port.key.to_owned(),
                label: format!("{} (node {}), {}", spec.name, node.id.0, port.name),
                value,
                low: low.min(value),
                high: high.max(value),
            });
        }
    }
    out
}

/// Whether input `port` of a Compare node is compared with a distance (the other side wired
/// from an output named [`catalog::TILES`]).
fn compared_with_tiles(graph: &VisualScriptGraph, node: &crate::graph::Node, port: &str) -> bool {
    let other = match (node.kind.as_str(), port) {
        ("compare", "a") => "b",
        ("compare", "b") => "a",
        _ => return false,
    };
    let at = PortRef::new(node.id, other);
    graph.links_into(&at).any(|l| {
        graph
            .node(l.from.node)
            .and_then(|n| catalog::spec(&n.kind))
            .and_then(|s| s.outputs.iter().find(|o| o.key == l.from.port))
            .is_some_and(|o| o.name == catalog::TILES)
    })
}

/// `graph` with `values[i]` written into `tunables[i]` (each clamped to its range); a number
/// left at its value is left as the file has it (typed or the catalog's default).
pub fn with_values(
    graph: &VisualScriptGraph,
    tunables: &[Tunable],
    values: &[i32],
) -> VisualScriptGraph {
    let mut out = graph.clone();
    for (t, v) in tunables.iter().zip(values) {
        let v = (*v).clamp(t.low, t.high);
        if v != t.value {
            out.set_value(t.node, t.port.clone(), Value::Number(v));
        }
    }
    out
}

/// The numbers `values` changes, as (tunable, old, new).
pub fn changes<'a>(tunables: &'a [Tunable], values: &[i32]) -> Vec<(&'a Tunable, i32, i32)> {
    tunables
        .iter()
        .zip(values)
        .map(|(t, v)| (t, t.value, (*v).clamp(t.low, t.high)))
        .filter(|(_, old, new)| old != new)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    fn tactician() -> VisualScriptGraph {
        VisualScriptGraph::from_json(include_str!(
            "../../../examples/graphs/tactician.mcgraph.json"
        ))
        .unwrap()
    }

    #[test]
    fn the_tactician_s_typed_numbers_are_tunable_and_wired_ones_are_not() {
        let g = tactician();
        let t = tunables(&g);
        let within = t
            .iter()
            .find(|t| t.node == NodeId(9) && t.port == "within")
            .unwrap();
        assert_eq!(within.value, 4);
        assert_eq!(
            (within.low, within.high),
            catalog::tuning_range("count_enemies_near", "within").unwrap()
        );
        let add = t.iter().find(|t| t.node == NodeId(39)).unwrap();
        assert_eq!((add.value, add.low, add.high), (4, 2, 6));
        for t in &t {
            let at = PortRef::new(t.node, t.port.clone());
            assert!(g.links_into(&at).next().is_none(), "{} is wired", t.label);
        }
    }

    #[test]
    fn values_are_written_clamped_and_changes_listed() {
        let g = tactician();
        let t = tunables(&g);
        let mut values: Vec<i32> = t.iter().map(|t| t.value).collect();
        let i = t.iter().position(|t| t.node == NodeId(39)).unwrap();
        values[i] = 1_000;
        let tuned = with_values(&g, &t, &values);
        assert_eq!(
            tuned.node(NodeId(39)).unwrap().values.get("b"),
            Some(&Value::Number(6))
        );
        let changed = changes(&t, &values);
        assert_eq!(changed.len(), 1);
        assert_eq!((changed[0].1, changed[0].2), (4, 6));
        assert_eq!(
            with_values(&g, &t, &t.iter().map(|t| t.value).collect::<Vec<_>>()),
            g
        );
    }
}
