//! What the user does on the canvas, turned into [`Intent`]s: the library's responses (wires
//! drawn and picked up, nodes moved and deleted), double clicks (open a function, put a
//! reroute dot on a wire), a wire dropped where it does not fit (why, in words) or on empty
//! canvas (the add menu), and comment frames dragged or resized.

use super::{Canvas, Intent, NoResponse, NodeData, Pin};
use aether_lang::catalog::PinType;
use aether_lang::graph::{Comment, NodeId, PortRef};
use egui::{Color32, Pos2, Rect, Vec2};
use egui_graph_edit as ge;

use super::node_view::{port_label, type_words};

impl Canvas {
    /// The wire drawn under screen point `p` (within a few pixels), if any: its output and
    /// input. The curve is the library's: a cubic from each port, level at both ends.
    pub fn wire_at(&self, p: Pos2) -> Option<(PortRef, PortRef)> {
        let mut best: Option<(f32, PortRef, PortRef)> = None;
        for (i, o) in self.state.graph.iter_connections() {
            let (Some(from), Some(to)) = (self.outputs.get(&o), self.inputs.get(&i)) else {
                continue;
            };
            let (Some(a), Some(b)) = (
                self.ui.ports.get(&(from.node, from.port.clone(), true)),
                self.ui.ports.get(&(to.node, to.port.clone(), false)),
            ) else {
                continue;
            };
            let scale = ((b.x - a.x) / 2.0).abs().max(30.0);
            let curve = [
                *a,
                *a + Vec2::new(scale, 0.0),
                *b - Vec2::new(scale, 0.0),
                *b,
            ];
            let d = (0..=32)
                .map(|k| {
                    let t = k as f32 / 32.0;
                    let u = 1.0 - t;
                    let q = curve[0].to_vec2() * (u * u * u)
                        + curve[1].to_vec2() * (3.0 * u * u * t)
                        + curve[2].to_vec2() * (3.0 * u * t * t)
                        + curve[3].to_vec2() * (t * t * t);
                    (q.to_pos2() - p).length()
                })
                .fold(f32::MAX, f32::min);
            if d < 8.0 && best.as_ref().is_none_or(|(bd, _, _)| d < *bd) {
                best = Some((d, from.clone(), to.clone()));
            }
        }
        best.map(|(_, f, t)| (f, t))
    }

    /// The drawn port nearest `p`, within reach: (node, key, is output).
    pub(super) fn port_at(&self, p: Pos2) -> Option<(NodeId, String, bool)> {
        let reach = 10.0 * self.state.pan_zoom.zoom.max(0.5);
        self.ui
            .ports
            .iter()
            .map(|(k, at)| (k, at.distance(p)))
            .filter(|(_, d)| *d < reach)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| k.clone())
    }

    /// The type of a drawn port, as the view holds it (variables' ports resolved).
    pub(super) fn view_port(&self, node: NodeId, key: &str, output: bool) -> Option<PinType> {
        let view = self.state.graph.nodes.get(*self.view_of.get(&node)?)?;
        if output {
            let (_, id) = view.outputs.iter().find(|(k, _)| k == key)?;
            self.state.graph.outputs.get(*id)?.typ.0
        } else {
            let (_, id) = view.inputs.iter().find(|(k, _)| k == key)?;
            self.state.graph.inputs.get(*id)?.typ.0
        }
    }

    /// While a wire is dragged from `from`: if the pointer is over a port that will not take it,
    /// marks that port and says why next to the pointer (the library lights every port up alike).
    /// Returns the reason when the wire was just dropped there.
    pub(super) fn refusal_under(
        &self,
        ui: &egui::Ui,
        from: ge::AnyParameterId,
        pointer: Pos2,
        released: bool,
    ) -> Option<String> {
        let (source, from_out) = match from {
            ge::AnyParameterId::Output(o) => (self.outputs.get(&o)?.clone(), true),
            ge::AnyParameterId::Input(i) => (self.inputs.get(&i)?.clone(), false),
        };
        let from_ty = self.view_port(source.node, &source.port, from_out);
        let reach = 12.0 * self.state.pan_zoom.zoom.max(0.5);
        let ((node, key, out), pos) = self
            .ui
            .ports
            .iter()
            .filter(|((n, k, o), _)| !(*n == source.node && *k == source.port && *o == from_out))
            .map(|(k, pos)| (k, *pos, pos.distance(pointer)))
            .filter(|(_, _, d)| *d < reach)
            .min_by(|a, b| a.2.total_cmp(&b.2))
            .map(|(k, pos, _)| (k.clone(), pos))?;
        let kind_of = |n: NodeId| {
            self.view_of
                .get(&n)
                .and_then(|v| self.state.graph.nodes.get(*v))
                .map(|v| v.user_data.kind.clone())
                .unwrap_or_default()
        };
        let name = |n: NodeId, k: &str, o: bool| {
            let label = port_label(&kind_of(n), k, o);
            if label.is_empty() {
                "this execution pin".to_owned()
            } else {
                label
            }
        };
        let to_ty = self.view_port(node, &key, out);
        let reason = if out == from_out {
            Some(if out {
                "two outputs do not connect: drag from an output (right side of a node) to an input (left side)".to_owned()
            } else {
                "two inputs do not connect: drag from an output (right side of a node) to an input (left side)".to_owned()
            })
        } else if to_ty != from_ty {
            // Said from the input's side: what it needs, and what the output gives.
            let (input, output, in_ty, out_ty) = if out {
                // Dragged from an input to an output.
                (
                    (source.node, source.port.as_str()),
                    (node, key.as_str()),
                    from_ty,
                    to_ty,
                )
            } else {
                (
                    (node, key.as_str()),
                    (source.node, source.port.as_str()),
                    to_ty,
                    from_ty,
                )
            };
            Some(format!(
                "{} needs {}; {} gives {}",
                name(input.0, input.1, false),
                type_words(in_ty),
                name(output.0, output.1, true),
                type_words(out_ty)
            ))
        } else {
            None
        }?;
        let painter = ui.painter();
        let red = Color32::from_rgb(255, 90, 90);
        let r = 7.0 * self.state.pan_zoom.zoom.max(0.5);
        painter.circle_stroke(pos, r, egui::Stroke::new(2.0, red));
        painter.line_segment(
            [pos + Vec2::new(-r, r) * 0.7, pos + Vec2::new(r, -r) * 0.7],
            egui::Stroke::new(2.0, red),
        );
        let text = format!("✖ {reason}");
        egui::Area::new(egui::Id::new("wire-refusal"))
            .order(egui::Order::Tooltip)
            .fixed_pos(pointer + Vec2::new(14.0, 14.0))
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.colored_label(red, text);
                });
            });
        released.then_some(reason)
    }

    /// Draws the comments as frames under the nodes: a frame's title strip drags it (with the
    /// nodes inside), its corner resizes it.
    pub(super) fn comments_ui(
        &self,
        ui: &egui::Ui,
        comments: &[Comment],
        pointer: Option<Pos2>,
    ) -> Vec<Intent> {
        let mut out = Vec::new();
        let z = self.state.pan_zoom.zoom;
        let over_node = pointer.is_some_and(|p| self.ui.rects.values().any(|r| r.contains(p)));
        for (i, c) in comments.iter().enumerate() {
            let ids = [
                egui::Id::new(("comment-title", i)),
                egui::Id::new(("comment-size", i)),
            ];
            let dragging = ids.iter().any(|id| ui.ctx().is_being_dragged(*id));
            if over_node && !dragging {
                continue;
            }
            let r = Rect::from_min_size(self.screen_at(c.pos), Vec2::new(c.size[0], c.size[1]) * z);
            if !r.intersects(self.rect) {
                continue;
            }
            let title = Rect::from_min_size(r.min, Vec2::new(r.width(), (28.0 * z).max(10.0)));
            let grab = ui
                .interact(title.intersect(self.rect), ids[0], egui::Sense::drag())
                .on_hover_cursor(egui::CursorIcon::Grab)
                .on_hover_text("Drag to move the frame with the nodes in it");
            if grab.dragged() && grab.drag_delta() != Vec2::ZERO {
                let d = grab.drag_delta() / z;
                out.push(Intent::MoveComment {
                    index: i,
                    delta: [d.x, d.y],
                });
            }
            let corner = Rect::from_min_max(r.max - Vec2::splat(14.0), r.max);
            let resize = ui
                .interact(corner.intersect(self.rect), ids[1], egui::Sense::drag())
                .on_hover_cursor(egui::CursorIcon::ResizeNwSe);
            if resize.dragged() && resize.drag_delta() != Vec2::ZERO {
                let d = resize.drag_delta() / z;
                out.push(Intent::ResizeComment {
                    index: i,
                    size: [(c.size[0] + d.x).max(80.0), (c.size[1] + d.y).max(40.0)],
                });
            }
        }
        out
    }

    /// What the user did this frame, from the library's responses and the pointer: wires,
    /// moves, deletions, selection with Shift or Ctrl, the add menu, double clicks, refusals.
    pub(super) fn intents(
        &mut self,
        ui: &egui::Ui,
        responses: Vec<ge::NodeResponse<NoResponse, NodeData>>,
        before: &[ge::NodeId],
        dragging_from: Option<(ge::NodeId, ge::AnyParameterId)>,
        pointer: Option<Pos2>,
    ) -> Vec<Intent> {
        let rect = self.rect;
        let mut out = Vec::new();
        let mut connected = false;
        let zoom = self.state.pan_zoom.zoom;
        for r in responses {
            match r {
                ge::NodeResponse::ConnectEventEnded { output, input } => {
                    connected = true;
                    if let (Some(from), Some(to)) =
                        (self.outputs.get(&output), self.inputs.get(&input))
                    {
                        out.push(Intent::Connect {
                            from: from.clone(),
                            to: to.clone(),
                        });
                    }
                }
                ge::NodeResponse::DisconnectEvent { output, input } => {
                    if let (Some(from), Some(to)) =
                        (self.outputs.get(&output), self.inputs.get(&input))
                    {
                        out.push(Intent::Disconnect {
                            from: from.clone(),
                            to: to.clone(),
                        });
                    }
                }
                ge::NodeResponse::DeleteNodeFull { node, .. } => {
                    out.push(Intent::Delete(vec![node.user_data.core]));
                }
                ge::NodeResponse::MoveNode { node, drag_delta } => {
                    let mut nodes = vec![node];
                    if self.state.selected_nodes.contains(&node) {
                        nodes.extend(self.state.selected_nodes.iter().filter(|n| **n != node));
                    }
                    let nodes: Vec<NodeId> = nodes
                        .iter()
                        .filter_map(|v| self.state.graph.nodes.get(*v).map(|n| n.user_data.core))
                        .collect();
                    out.push(Intent::Move {
                        nodes,
                        delta: [drag_delta.x / zoom, drag_delta.y / zoom],
                    });
                }
                ge::NodeResponse::SelectNode(n)
                    if ui.input(|i| i.modifiers.shift || i.modifiers.command) =>
                {
                    let mut sel = before.to_vec();
                    if let Some(at) = sel.iter().position(|v| *v == n) {
                        sel.remove(at);
                    } else {
                        sel.push(n);
                    }
                    self.state.selected_nodes = sel;
                }
                _ => {}
            }
        }
        // A right click opens the studio's add menu, not the library's finder.
        if let Some(finder) = self.state.node_finder.take() {
            let screen = finder.position.unwrap_or(rect.center());
            out.push(Intent::OpenAdd {
                screen,
                at: self.canvas_at(screen),
                from: None,
            });
        }
        // A double click on a function's call opens the function.
        if let Some(p) = pointer.filter(|p| rect.contains(*p))
            && ui.input(|i| {
                i.pointer
                    .button_double_clicked(egui::PointerButton::Primary)
            })
            && let Some(f) = self.ui.rects.iter().find_map(|(node, r)| {
                let view = self.view_of.get(node)?;
                let kind = &self.state.graph.nodes.get(*view)?.user_data.kind;
                match aether_lang::graph::function::parse_kind(kind) {
                    Some((aether_lang::graph::function::Role::Call, f)) if r.contains(p) => Some(f),
                    _ => None,
                }
            })
        {
            out.push(Intent::OpenFunction(f));
        }
        // A double click on a wire puts a reroute dot on it there.
        if let Some(p) = pointer.filter(|p| rect.contains(*p))
            && dragging_from.is_none()
            && ui.input(|i| {
                i.pointer
                    .button_double_clicked(egui::PointerButton::Primary)
            })
            && !self.ui.rects.values().any(|r| r.contains(p))
            && let Some((from, to)) = self.wire_at(p)
        {
            out.push(Intent::InsertReroute {
                from,
                to,
                at: self.canvas_at(p),
            });
        }
        // Over (or dropped on) a port that will not take the wire: say why.
        let mut refused = false;
        if let (Some((_, from)), Some(p)) = (dragging_from, pointer) {
            let released = self.state.connection_in_progress.is_none() && !connected;
            if let Some(reason) = self.refusal_under(ui, from, p, released) {
                refused = true;
                out.push(Intent::Refused(reason));
            }
        }
        // A wire dropped on empty canvas: add a node that fits it.
        if let Some((_, param)) = dragging_from
            && self.state.connection_in_progress.is_none()
            && !connected
            && !refused
            && let Some(p) = pointer.filter(|p| rect.contains(*p))
            && !self.ui.rects.values().any(|r| r.contains(p))
        {
            let from = match param {
                ge::AnyParameterId::Output(o) => self
                    .outputs
                    .get(&o)
                    .map(|pr| (pr.clone(), true, self.state.graph.outputs[o].typ)),
                ge::AnyParameterId::Input(i) => self
                    .inputs
                    .get(&i)
                    .map(|pr| (pr.clone(), false, self.state.graph.inputs[i].typ)),
            };
            if let Some((pr, is_out, Pin(Some(ty)))) = from {
                out.push(Intent::OpenAdd {
                    screen: p,
                    at: self.canvas_at(p),
                    from: Some((pr, is_out, ty)),
                });
            }
        }
        out
    }
}
