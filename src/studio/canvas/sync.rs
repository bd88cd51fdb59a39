//! Keeping the editor library's graph a view of the core graph: nodes added, removed or
//! changed, every wire redrawn, the library's ids kept for nodes that still exist (so a drag
//! survives an edit), and each node's diagnostics as badges.

use super::{Badge, Canvas, Inline, NodeData, Pin, ViewInputs, ViewOutputs};
use aether_lang::catalog::{self, Choices, PortDefault};
use aether_lang::check::{self, Diagnostic, Location};
use aether_lang::graph::{NodeId, PortRef, Value, VisualScriptGraph};
use egui::Pos2;
use egui_graph_edit as ge;
use std::collections::HashMap;

impl Canvas {
    /// Brings the view in line with the core graph if `version` (the document's structure version)
    /// changed since the last sync. Moves need no sync: the library moved its own nodes.
    pub fn sync(&mut self, graph: &VisualScriptGraph, diagnostics: &[Diagnostic], version: u64) {
        if self.synced == Some(version) {
            return;
        }
        self.synced = Some(version);
        self.ui.variables = graph.variables.iter().map(|v| v.name.clone()).collect();
        self.ui.badges.clear();
        self.ui.port_badges.clear();
        for d in diagnostics {
            let badge = Badge {
                severity: d.severity,
                message: d.message.clone(),
            };
            match &d.location {
                Location::Graph => {}
                Location::Node(n) => self.ui.badges.entry(*n).or_default().push(badge),
                Location::Port(p) => {
                    self.ui
                        .badges
                        .entry(p.node)
                        .or_default()
                        .push(badge.clone());
                    self.ui
                        .port_badges
                        .entry((p.node, p.port.clone()))
                        .or_default()
                        .push(badge);
                }
                Location::Link(l) => {
                    if let Some(link) = graph.link(*l) {
                        self.ui
                            .badges
                            .entry(link.to.node)
                            .or_default()
                            .push(badge.clone());
                        self.ui
                            .port_badges
                            .entry((link.to.node, link.to.port.clone()))
                            .or_default()
                            .push(badge);
                    }
                }
            }
        }
        self.ui.setting_values.clear();

        // Nodes gone from the core (or from the library: its close button) leave the view.
        let stale: Vec<NodeId> = self
            .view_of
            .iter()
            .filter(|(core, view)| {
                !self.state.graph.nodes.contains_key(**view)
                    || graph.node(**core).is_none_or(|n| {
                        n.kind != self.state.graph[**view].user_data.kind
                            || n.function != self.scope
                    })
            })
            .map(|(c, _)| *c)
            .collect();
        for core in stale {
            if let Some(view) = self.view_of.remove(&core) {
                if self.state.graph.nodes.contains_key(view) {
                    self.state.graph.remove_node(view);
                }
                self.state.node_positions.remove(view);
                self.state.node_orientations.remove(view);
                self.state.node_order.retain(|v| *v != view);
                self.state.selected_nodes.retain(|v| *v != view);
            }
        }
        self.inputs.clear();
        self.outputs.clear();
        let zoom = self.state.pan_zoom.zoom;
        for node in graph.nodes_in(self.scope) {
            let spec = catalog::spec(&node.kind);
            for (key, value) in &node.values {
                if let Value::Choice(c) = value {
                    self.ui
                        .setting_values
                        .insert((node.id, key.clone()), c.clone());
                }
            }
            if let Some(spec) = spec {
                for s in spec.settings {
                    if let (Choices::List(list), false) =
                        (s.choices, node.values.contains_key(s.key))
                        && let Some((first, _)) = list.first()
                    {
                        self.ui
                            .setting_values
                            .insert((node.id, s.key.to_owned()), (*first).to_owned());
                    }
                }
            }
            let view = match self.view_of.get(&node.id) {
                Some(v) => *v,
                None => {
                    // A reroute is a dot, not a titled box.
                    let label = match spec {
                        Some(s)
                            if s.op == aether_lang::catalog::Op::Reroute
                                || s.op == aether_lang::catalog::Op::RerouteExec =>
                        {
                            "•".to_owned()
                        }
                        Some(s) => s.name.to_owned(),
                        None => node.kind.clone(),
                    };
                    let data = NodeData {
                        core: node.id,
                        kind: node.kind.clone(),
                    };
                    let v = self.state.graph.add_node(label, data, |_, _| {});
                    self.state
                        .node_orientations
                        .insert(v, ge::NodeOrientation::LeftToRight);
                    self.state.node_order.push(v);
                    self.view_of.insert(node.id, v);
                    v
                }
            };
            self.state
                .node_positions
                .insert(view, Pos2::new(node.pos[0] * zoom, node.pos[1] * zoom));
            // Ports: the catalog's, or for an unknown kind the ports its links name.
            let (ins, outs): (ViewInputs, ViewOutputs) = match spec {
                Some(spec) => (
                    spec.inputs
                        .iter()
                        .map(|p| {
                            let pr = PortRef::new(node.id, p.key);
                            let ty = check::port_type(graph, &pr, false).unwrap_or(p.ty);
                            let (inline, kind) = match (p.default, node.values.get(p.key)) {
                                (PortDefault::Number(_), Some(Value::Number(n))) => {
                                    (Inline::Number(*n), ge::InputParamKind::ConnectionOrConstant)
                                }
                                (PortDefault::Number(d), _) => {
                                    (Inline::Number(d), ge::InputParamKind::ConnectionOrConstant)
                                }
                                (PortDefault::Bool(_), Some(Value::Bool(b))) => {
                                    (Inline::Bool(*b), ge::InputParamKind::ConnectionOrConstant)
                                }
                                (PortDefault::Bool(d), _) => {
                                    (Inline::Bool(d), ge::InputParamKind::ConnectionOrConstant)
                                }
                                (PortDefault::Required | PortDefault::Nothing, _) => {
                                    (Inline::None, ge::InputParamKind::ConnectionOnly)
                                }
                            };
                            (p.key.to_owned(), Pin(Some(ty)), inline, kind)
                        })
                        .collect(),
                    spec.outputs
                        .iter()
                        .map(|p| {
                            let pr = PortRef::new(node.id, p.key);
                            let ty = check::port_type(graph, &pr, true).unwrap_or(p.ty);
                            (p.key.to_owned(), Pin(Some(ty)))
                        })
                        .collect(),
                ),
                None => {
                    let mut ins: ViewInputs = Vec::new();
                    let mut outs: ViewOutputs = Vec::new();
                    for l in graph.links() {
                        if l.to.node == node.id && !ins.iter().any(|(k, ..)| *k == l.to.port) {
                            ins.push((
                                l.to.port.clone(),
                                Pin(None),
                                Inline::None,
                                ge::InputParamKind::ConnectionOnly,
                            ));
                        }
                        if l.from.node == node.id && !outs.iter().any(|(k, _)| *k == l.from.port) {
                            outs.push((l.from.port.clone(), Pin(None)));
                        }
                    }
                    (ins, outs)
                }
            };
            self.set_ports(view, node.id, ins, outs);
        }
        // Wires: all redrawn from the core's links.
        let conns: Vec<ge::InputId> = self.state.graph.connections.keys().collect();
        for c in conns {
            self.state.graph.remove_connection(c);
        }
        let input_of: HashMap<&PortRef, ge::InputId> =
            self.inputs.iter().map(|(k, v)| (v, *k)).collect();
        let output_of: HashMap<&PortRef, ge::OutputId> =
            self.outputs.iter().map(|(k, v)| (v, *k)).collect();
        self.hidden_links = 0;
        for l in graph.links() {
            match (output_of.get(&l.from), input_of.get(&l.to)) {
                (Some(o), Some(i)) if self.state.graph.connection(*i).is_none() => {
                    self.state.graph.add_connection(*o, *i);
                }
                _ if graph
                    .node(l.to.node)
                    .is_some_and(|n| n.function == self.scope) =>
                {
                    self.hidden_links += 1
                }
                _ => {}
            }
        }
    }

    /// Makes the view node's ports exactly `ins` and `outs`, reusing the ones that exist.
    pub(super) fn set_ports(
        &mut self,
        view: ge::NodeId,
        core: NodeId,
        ins: ViewInputs,
        outs: ViewOutputs,
    ) {
        let g = &mut self.state.graph;
        let old_ins = g[view].inputs.clone();
        let same_ins =
            old_ins.len() == ins.len() && old_ins.iter().zip(&ins).all(|((a, _), (b, ..))| a == b);
        if same_ins {
            for ((_, id), (key, pin, inline, _)) in old_ins.iter().zip(ins) {
                let p = &mut g.inputs[*id];
                p.typ = pin;
                p.value = inline;
                self.inputs.insert(*id, PortRef::new(core, key));
            }
        } else {
            for (_, id) in old_ins {
                g.remove_input_param(id);
            }
            for (key, pin, inline, kind) in ins {
                let id = g.add_input_param(view, key.clone(), pin, inline, kind, true);
                self.inputs.insert(id, PortRef::new(core, key));
            }
        }
        let old_outs = g[view].outputs.clone();
        let same_outs = old_outs.len() == outs.len()
            && old_outs.iter().zip(&outs).all(|((a, _), (b, _))| a == b);
        if same_outs {
            for ((_, id), (key, pin)) in old_outs.iter().zip(outs) {
                g.outputs[*id].typ = pin;
                self.outputs.insert(*id, PortRef::new(core, key));
            }
        } else {
            for (_, id) in old_outs {
                g.remove_output_param(id);
            }
            for (key, pin) in outs {
                let id = g.add_output_param(view, key.clone(), pin);
                self.outputs.insert(id, PortRef::new(core, key));
            }
        }
    }
}
