//! A graph's wiring resolved once, shared by the interpreter and the compiler's lowering so the
//! two read wires, settings and inline values by the same rules.

use std::collections::BTreeMap;

use mc_tactical_types::Pos;

use crate::catalog::{self, Choices, NodeSpec, Op, PinType, PortDefault};
use crate::graph::{NodeId, Value, VisualScriptGraph};
use crate::value::{NO_POSITION, Val};
use aether_base::fasthash::FastMap;

/// The wiring of a graph, by the catalog's port keys (lookups allocate nothing). A checked graph
/// has at most one wire per data input and per execution output; of several, the first counts.
#[derive(Debug)]
pub struct Wiring<'g> {
    pub g: &'g VisualScriptGraph,
    /// Each node's kind, for nodes of kinds the catalog knows.
    pub specs: BTreeMap<NodeId, &'static NodeSpec>,
    /// For each data input (node, port key): the output (node, port key) wired into it.
    pub wire_into: FastMap<(NodeId, &'static str), (NodeId, &'static str)>,
    /// For each execution output (node, port key): the node it leads to.
    pub exec_next: FastMap<(NodeId, &'static str), NodeId>,
    /// For each call of a function: the function's Inputs and Outputs nodes.
    pub calls: FastMap<NodeId, (Option<NodeId>, Option<NodeId>)>,
}

impl<'g> Wiring<'g> {
    pub fn new(g: &'g VisualScriptGraph) -> Self {
        let specs: BTreeMap<NodeId, &'static NodeSpec> = g
            .nodes()
            .filter_map(|n| Some((n.id, catalog::spec(&n.kind)?)))
            .collect();
        let links = g.links().count();
        let mut wire_into = FastMap::with_capacity_and_hasher(links, Default::default());
        let mut exec_next = FastMap::with_capacity_and_hasher(links / 2, Default::default());
        for l in g.links() {
            let out = specs.get(&l.from.node).and_then(|s| s.output(&l.from.port));
            let inp = specs.get(&l.to.node).and_then(|s| s.input(&l.to.port));
            let (Some(out), Some(inp)) = (out, inp) else {
                continue;
            };
            if out.ty == PinType::Exec {
                exec_next.entry((l.from.node, out.key)).or_insert(l.to.node);
            } else {
                wire_into
                    .entry((l.to.node, inp.key))
                    .or_insert((l.from.node, out.key));
            }
        }
        let mut calls = FastMap::default();
        if g.functions().next().is_some() {
            use crate::graph::function::{Role, parse_kind};
            let mut ends: BTreeMap<_, (Option<NodeId>, Option<NodeId>)> = BTreeMap::new();
            for n in g.nodes() {
                match parse_kind(&n.kind) {
                    Some((Role::Inputs, f)) if n.function == Some(f) => {
                        ends.entry(f).or_default().0.get_or_insert(n.id);
                    }
                    Some((Role::Outputs, f)) if n.function == Some(f) => {
                        ends.entry(f).or_default().1.get_or_insert(n.id);
                    }
                    _ => {}
                }
            }
            for n in g.nodes() {
                if let Some((Role::Call, f)) = parse_kind(&n.kind) {
                    calls.insert(n.id, ends.get(&f).copied().unwrap_or_default());
                }
            }
        }
        Wiring {
            g,
            specs,
            wire_into,
            exec_next,
            calls,
        }
    }

    /// The On Turn node, if any.
    pub fn entry(&self) -> Option<NodeId> {
        self.specs
            .iter()
            .find(|(_, s)| s.op == Op::OnTurn)
            .map(|(&id, _)| id)
    }

    /// A world script's event nodes, in node-id order (the order they run in).
    pub fn events(&self) -> Vec<(NodeId, &'static NodeSpec)> {
        self.specs
            .iter()
            .filter(|(_, s)| s.op.event().is_some())
            .map(|(&id, &s)| (id, s))
            .collect()
    }

    /// The value of setting `key` of `node`, if set to a choice.
    pub fn setting(&self, node: NodeId, key: &str) -> Option<&'g str> {
        match self.g.node(node)?.values.get(key) {
            Some(Value::Choice(c)) => Some(c.as_str()),
            _ => None,
        }
    }

    /// The setting's value, else the first choice of its list (the default), else `""`.
    pub fn choice(&self, node: NodeId, key: &str) -> &'g str {
        if let Some(c) = self.setting(node, key) {
            return c;
        }
        self.specs
            .get(&node)
            .and_then(|s| s.setting(key))
            .and_then(|s| match s.choices {
                Choices::List(list) => list.first().map(|(k, _)| *k),
                Choices::Text(default) => Some(default),
                Choices::Variable => None,
            })
            .unwrap_or("")
    }

    /// What an unconnected input takes: its inline value, else the catalog's default, else
    /// none / (0, 0) / 0 by type.
    pub fn inline(&self, node: NodeId, port: &str) -> Val {
        let spec = self.specs.get(&node).and_then(|s| s.input(port));
        let value = self.g.node(node).and_then(|n| n.values.get(port));
        match (spec.map(|p| (p.ty, p.default)), value) {
            (Some((_, PortDefault::Number(_))), Some(Value::Number(n))) => Val::Number(*n),
            (Some((_, PortDefault::Bool(_))), Some(Value::Bool(b))) => Val::Bool(*b),
            (Some((_, PortDefault::Number(n))), _) => Val::Number(n),
            (Some((_, PortDefault::Bool(b))), _) => Val::Bool(b),
            (Some((PinType::Unit, _)), _) => Val::Unit(None),
            (Some((PinType::Entity, _)), _) => Val::Entity(None),
            (Some((PinType::Position, PortDefault::Nothing)), _) => Val::Position(NO_POSITION),
            (Some((PinType::Player, _)), _) => Val::Player(None),
            (Some((PinType::Position, _)), _) => Val::Position(Pos::default()),
            _ => Val::Number(0),
        }
    }
}
