//! What the canvas shows on top of the graph from a run: each port's values (hovered or
//! watched), why a node did not act, the fuel heat, queries that found nothing, breakpoints,
//! the paused node and the path to it, and the hover help of a node's title.

use super::{Badge, Canvas};
use aether_lang::catalog;
use aether_lang::check::Severity;
use aether_lang::graph::{NodeId, PortRef};
use egui::{Color32, Pos2, Vec2};

impl Canvas {
    /// The diagnostics badges on `node` (as last synced).
    pub fn badges(&self, node: NodeId) -> &[Badge] {
        self.ui.badges.get(&node).map_or(&[], Vec::as_slice)
    }

    /// Marks the query nodes that found nothing in the previewed turn (none when there is no
    /// preview of the current graph).
    pub fn set_found_nothing(&mut self, found: &std::collections::BTreeMap<NodeId, u32>) {
        if self.ui.found_nothing != *found {
            self.ui.found_nothing = found.clone();
        }
    }

    /// Marks the nodes that behave differently from the version compared with (*Compare
    /// with…*): on how many turns, of how many (empty: no marks).
    pub fn set_changed(&mut self, changed: std::collections::BTreeMap<NodeId, (u32, usize)>) {
        if self.ui.changed != changed {
            self.ui.changed = changed;
        }
    }

    /// On how many turns (of how many) `node` behaves differently from the version compared
    /// with, when it is marked.
    pub fn changed(&self, node: NodeId) -> Option<(u32, usize)> {
        self.ui.changed.get(&node).copied()
    }

    /// Marks each node with the most fuel one run of it can use (empty: no marks).
    pub fn set_bounds(&mut self, bounds: std::collections::BTreeMap<NodeId, u64>) {
        if self.ui.bounds != bounds {
            self.ui.bounds = bounds;
        }
    }

    /// The fuel bound shown on `node`, if any.
    pub fn bound(&self, node: NodeId) -> Option<u64> {
        self.ui.bounds.get(&node).copied()
    }

    /// Marks each node with its share of the previewed turn's fuel (empty: no marks).
    pub fn set_heat(&mut self, heat: std::collections::BTreeMap<NodeId, (u64, f32)>) {
        if self.ui.heat != heat {
            self.ui.heat = heat;
        }
    }

    /// `node`'s fuel and share of the previewed turn's, when shown.
    pub fn heat(&self, node: NodeId) -> Option<(u64, f32)> {
        self.ui.heat.get(&node).copied()
    }

    /// How many times `node` found nothing in the previewed turn, if it did.
    pub fn found_nothing(&self, node: NodeId) -> Option<u32> {
        self.ui.found_nothing.get(&node).copied()
    }

    /// The values a port took in the previewed turn (`(node, port)` → the port's name and each
    /// value in order), and which iteration of a loop to show.
    pub fn set_values(
        &mut self,
        values: std::collections::BTreeMap<(NodeId, String), (String, Vec<String>)>,
        iteration: usize,
    ) {
        self.values = values;
        self.iteration = iteration;
    }

    /// The debugger's marks: breakpoints, and the node a paused turn stands before.
    pub fn set_debug(
        &mut self,
        breakpoints: &std::collections::BTreeSet<NodeId>,
        current: Option<NodeId>,
    ) {
        if self.ui.breakpoints != *breakpoints {
            self.ui.breakpoints = breakpoints.clone();
        }
        self.ui.current = current;
    }

    /// Whether `node` carries a breakpoint mark.
    pub fn has_breakpoint(&self, node: NodeId) -> bool {
        self.ui.breakpoints.contains(&node)
    }

    /// Why each node that never ran in the previewed turn did not (shown when it is hovered).
    pub fn set_why_not(&mut self, why_not: std::collections::BTreeMap<NodeId, String>) {
        self.why_not = why_not;
    }

    /// Why `node` never ran in the previewed turn, if it did not.
    pub fn why_not(&self, node: NodeId) -> Option<&str> {
        self.why_not.get(&node).map(String::as_str)
    }

    /// What hovering the port at screen point `p` shows, if any (for tests).
    pub fn value_text_at(&self, p: Pos2) -> Option<String> {
        let (node, key, _) = self.port_at(p)?;
        self.value_text(node, &key)
    }

    /// A port's value in words (the iteration picked, or the latest while paused).
    pub(super) fn value_text(&self, node: NodeId, key: &str) -> Option<String> {
        let (name, values) = self.values.get(&(node, key.to_owned()))?;
        let last = values.len().checked_sub(1)?;
        let i = self.iteration.min(last);
        Some(if values.len() == 1 {
            format!("{name} = {}", values[0])
        } else if self.iteration > last && self.iteration != usize::MAX {
            // (usize::MAX: the latest value, asked for while the debugger pauses.)
            // Said, not silently clamped: this loop ran fewer times than the iteration asked.
            format!(
                "{name} = {} (iteration {} asked, but this ran only {} times: its last shown)",
                values[last],
                self.iteration.saturating_add(1),
                values.len()
            )
        } else {
            format!(
                "{name} = {} (iteration {} of {}; pick another under the preview's actions)",
                values[i],
                i + 1,
                values.len()
            )
        })
    }

    /// Draws these wires as the path the paused turn took (empty: none).
    pub fn set_path(&mut self, path: std::collections::BTreeSet<(PortRef, PortRef)>) {
        self.path = path;
    }

    /// Whether the wire from `from` to `to` is drawn as taken.
    pub fn on_path(&self, from: &PortRef, to: &PortRef) -> bool {
        self.state
            .highlighted
            .iter()
            .any(|(o, i)| self.outputs.get(o) == Some(from) && self.inputs.get(i) == Some(to))
    }

    /// Pins (or unpins) a watch on `node`'s port `key`.
    pub fn toggle_watch(&mut self, node: NodeId, key: &str) {
        if !self.watches.remove(&(node, key.to_owned())) {
            self.watches.insert((node, key.to_owned()));
        }
    }

    /// Whether a watch is pinned on `node`'s port `key`.
    pub fn watching(&self, node: NodeId, key: &str) -> bool {
        self.watches.contains(&(node, key.to_owned()))
    }

    /// Draws every pinned watch beside its port (ports drawn this frame only).
    pub(super) fn draw_watches(&self, ui: &egui::Ui) {
        for (node, key) in &self.watches {
            let at = self
                .ui
                .ports
                .iter()
                .find(|((n, k, _), _)| n == node && k == key)
                .map(|((_, _, out), at)| (*out, *at));
            let Some((out, at)) = at else { continue };
            let text = self
                .value_text(*node, key)
                .map_or_else(|| format!("{key}: not computed"), |t| format!("👁 {t}"));
            // Outside the node, level with its port: right of an output, left of an input
            // (one to the right of an input covered the node's own ports).
            let (offset, pivot) = if out {
                (Vec2::new(12.0, 0.0), egui::Align2::LEFT_CENTER)
            } else {
                (Vec2::new(-12.0, 0.0), egui::Align2::RIGHT_CENTER)
            };
            egui::Area::new(egui::Id::new(("watch", node.0, key.as_str())))
                .order(egui::Order::Foreground)
                .pivot(pivot)
                .fixed_pos(at + offset)
                .interactable(false)
                .show(ui.ctx(), |ui| {
                    egui::Frame::popup(ui.style())
                        .fill(Color32::from_rgba_unmultiplied(30, 40, 60, 230))
                        .show(ui, |ui| {
                            ui.label(egui::RichText::new(text).small());
                        });
                });
        }
    }

    /// Shows the hovered port's value in the previewed turn; true if it did. W pins (or
    /// unpins) a watch on the hovered port.
    pub(super) fn hover_values(&mut self, ui: &egui::Ui, pointer: Option<Pos2>) -> bool {
        self.draw_watches(ui);
        if self.covered || ui.input(|i| i.pointer.any_down()) {
            return false;
        }
        if let Some(p) = pointer
            && let Some((node, key, _)) = self.port_at(p)
            && !ui.ctx().egui_wants_keyboard_input()
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::W))
        {
            self.toggle_watch(node, &key);
        }
        let Some(p) = pointer else { return false };
        let Some(text) = self.value_text_at(p) else {
            return false;
        };
        egui::Area::new(egui::Id::new("port-value"))
            .order(egui::Order::Tooltip)
            .fixed_pos(p + Vec2::new(16.0, 16.0))
            .interactable(false)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(360.0);
                    ui.label(text);
                    ui.label(egui::RichText::new("W keeps it shown here").small().weak());
                });
            });
        true
    }

    /// After half a second over a node, its help (and its problems) appear beside the pointer.
    pub(super) fn hover_help(&mut self, ui: &egui::Ui, pointer: Option<Pos2>) {
        let busy = ui.input(|i| i.pointer.any_down()) || self.covered || self.ui.title_tip;
        let over = pointer.filter(|_| !busy).and_then(|p| {
            self.state
                .node_order
                .iter()
                .rev()
                .filter_map(|v| self.state.graph.nodes.get(*v).map(|n| n.user_data.core))
                .find(|c| self.ui.rects.get(c).is_some_and(|r| r.contains(p)))
        });
        let now = std::time::Instant::now();
        self.hover = match (over, self.hover) {
            (Some(n), Some((h, since))) if n == h => Some((h, since)),
            (Some(n), _) => Some((n, now)),
            (None, _) => None,
        };
        let Some((node, since)) = self.hover else {
            return;
        };
        let Some(p) = pointer else { return };
        let wait = std::time::Duration::from_millis(500);
        if now.duration_since(since) < wait {
            ui.ctx().request_repaint_after(wait);
            return;
        }
        let Some(kind) = self
            .view_of
            .get(&node)
            .and_then(|v| self.state.graph.nodes.get(*v))
            .map(|n| n.user_data.kind.clone())
        else {
            return;
        };
        let (name, help) = catalog::spec(&kind).map_or(
            (
                kind.clone(),
                "A kind of node this studio does not know.".to_owned(),
            ),
            |s| (s.name.to_owned(), s.help.to_owned()),
        );
        let badges = self.badges(node).to_vec();
        let why_not = self.why_not.get(&node).cloned();
        egui::Area::new(egui::Id::new("node-help"))
            .order(egui::Order::Tooltip)
            .fixed_pos(p + Vec2::new(16.0, 16.0))
            .interactable(false)
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(320.0);
                    ui.strong(format!("{name}  {node}"));
                    ui.label(help);
                    if let Some(why) = why_not {
                        ui.colored_label(
                            Color32::from_rgb(150, 180, 255),
                            format!("In the previewed turn: {why}."),
                        );
                    }
                    for b in badges {
                        let color = match b.severity {
                            Severity::Error => Color32::from_rgb(255, 110, 110),
                            Severity::Warning => Color32::from_rgb(240, 190, 60),
                        };
                        ui.colored_label(color, b.message);
                    }
                });
            });
    }
}

/// Cool to hot, for a share of the turn's fuel from 0 to 1.
pub fn heat_color(share: f32) -> Color32 {
    let s = share.clamp(0.0, 1.0).sqrt();
    Color32::from_rgb(
        (120.0 + 135.0 * s) as u8,
        (200.0 - 130.0 * s) as u8,
        (255.0 - 205.0 * s) as u8,
    )
}
