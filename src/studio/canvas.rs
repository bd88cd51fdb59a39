//! The node canvas: egui-graph-edit drawing a *view* of the core graph.
//!
//! The core [`VisualScriptGraph`](aether_lang::VisualScriptGraph) is the truth. [`Canvas::sync`] brings the editor library's graph
//! in line with it (nodes added, removed or changed; every wire redrawn), keeping the library's
//! node ids for nodes that still exist so an ongoing drag survives an edit. What the user does on
//! the canvas comes back from [`Canvas::show`] as [`Intent`]s, which the app applies to the core
//! graph as undoable edits. Positions: a node's screen position is
//! `canvas rect min + pan + core position × zoom`.
//!
//! This file holds the canvas's state, its view (pan, zoom, framing) and the frame's order of
//! drawing; the rest is split by what it does: [`sync`] keeps the library's graph a view of
//! the core's, [`interact`] turns what the user did into intents, [`marks`] draws what a run
//! left on the graph, and [`node_view`] is how each node draws itself in the library.

use std::collections::HashMap;

use aether_lang::catalog::PinType;
use aether_lang::check::Severity;
use aether_lang::graph::{Comment, FunctionId, NodeId, PortRef, Value};
use egui::{Color32, Pos2, Rect, Vec2};
use egui_graph_edit as ge;

mod interact;
mod marks;
mod node_view;
mod sync;

pub use marks::heat_color;
pub use node_view::{category_color, pin_color};

/// Node margin the editor library uses at zoom 1 (ports sit on the outer edge).
const NODE_MARGIN: Vec2 = Vec2::new(15.0, 5.0);

/// How many frames a fit of the whole graph is made again (see `Canvas::refit`).
const REFIT_FRAMES: u8 = 30;

/// The zoom's range.
const MIN_ZOOM: f32 = 0.2;
const MAX_ZOOM: f32 = 2.0;

/// What the library keeps per node: which core node it shows.
#[derive(Clone, Debug)]
pub struct NodeData {
    core: NodeId,
    kind: String,
}

/// A port's type as the library compares it: equal types connect, others are refused.
/// `None` is a port of a kind this studio does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pin(Option<PinType>);

/// The constant on an unconnected input.
#[derive(Clone, Debug, Default)]
pub enum Inline {
    /// No constant (a unit, a tile or execution): must be wired.
    #[default]
    None,
    /// A number typed on the node.
    Number(i32),
    /// A tick box.
    Bool(bool),
}

/// Unused: nodes are added through the studio's own palette, not the library's finder.
#[derive(Clone, Copy, Debug)]
pub struct NoTemplate;

/// The library's response type; the studio records its own events in [`NodeUi`] instead.
#[derive(Clone, Debug)]
pub struct NoResponse;

struct NoKinds;

type ViewGraph = ge::Graph<NodeData, Pin, Inline>;

/// A node's inputs as the view builds them: key, type, constant, whether it takes a constant.
type ViewInputs = Vec<(String, Pin, Inline, ge::InputParamKind)>;

/// A node's outputs as the view builds them: key and type.
type ViewOutputs = Vec<(String, Pin)>;

type EditorState = ge::GraphEditorState<NodeData, Pin, Inline, NoTemplate, NodeUi>;

/// One diagnostic as a node shows it.
#[derive(Clone, Debug)]
pub struct Badge {
    /// Error or warning.
    pub severity: Severity,
    /// The checker's message.
    pub message: String,
}

/// A change the user made on the canvas, for the app to apply to the core graph.
#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    /// A wire was drawn.
    Connect {
        /// The output.
        from: PortRef,
        /// The input.
        to: PortRef,
    },
    /// A wire was picked up from its input.
    Disconnect {
        /// The output.
        from: PortRef,
        /// The input.
        to: PortRef,
    },
    /// Nodes were deleted with their close button.
    Delete(Vec<NodeId>),
    /// Nodes were dragged (canvas units).
    Move {
        /// The nodes.
        nodes: Vec<NodeId>,
        /// How far.
        delta: [f32; 2],
    },
    /// A constant or setting changed on a node.
    SetValue {
        /// The node.
        node: NodeId,
        /// The input or setting key.
        key: String,
        /// The new value.
        value: Value,
        /// Part of a drag (merged into one undo step).
        dragging: bool,
    },
    /// Asked to add a node here (right click, or a wire dropped on empty canvas).
    OpenAdd {
        /// Where on screen.
        screen: Pos2,
        /// Where on the canvas.
        at: [f32; 2],
        /// The port the wire came from: (port, whether it is an output, its type).
        from: Option<(PortRef, bool, PinType)>,
    },
    /// A wire was dropped on a port that does not take it; why, in words.
    Refused(String),
    /// The breakpoint dot on a node was clicked.
    ToggleBreakpoint(NodeId),
    /// A comment frame was dragged by its title: it moves, with the nodes inside it.
    MoveComment {
        /// Which comment.
        index: usize,
        /// How far (canvas units).
        delta: [f32; 2],
    },
    /// A comment frame was resized by its corner.
    ResizeComment {
        /// Which comment.
        index: usize,
        /// Its new size (canvas units).
        size: [f32; 2],
    },
    /// A function's call was double-clicked: open the function's canvas.
    OpenFunction(FunctionId),
    /// A wire was double-clicked: put a reroute dot on it there.
    InsertReroute {
        /// The wire's output.
        from: PortRef,
        /// Its input.
        to: PortRef,
        /// Where (canvas units).
        at: [f32; 2],
    },
}

/// What nodes need while drawing and what they report: the library's `UserState`.
#[derive(Debug, Default)]
pub struct NodeUi {
    badges: HashMap<NodeId, Vec<Badge>>,
    port_badges: HashMap<(NodeId, String), Vec<Badge>>,
    /// Query nodes that found nothing in the previewed turn, with how many times.
    found_nothing: std::collections::BTreeMap<NodeId, u32>,
    /// Each node's fuel in the previewed turn and its share of the turn's, when measured.
    heat: std::collections::BTreeMap<NodeId, (u64, f32)>,
    /// Each node's fuel bound (one run) on the previewed state, when asked for.
    bounds: std::collections::BTreeMap<NodeId, u64>,
    /// Nodes that behave differently from the version compared with: on how many turns, of
    /// how many.
    changed: std::collections::BTreeMap<NodeId, (u32, usize)>,
    /// Nodes with a breakpoint.
    breakpoints: std::collections::BTreeSet<NodeId>,
    /// The node the paused turn stands before.
    current: Option<NodeId>,
    variables: Vec<String>,
    setting_values: HashMap<(NodeId, String), String>,
    zoom: f32,
    spacing: f32,
    events: Vec<Intent>,
    /// Outer screen rectangles of the nodes drawn this frame.
    rects: HashMap<NodeId, Rect>,
    /// The same, of the frame before (what the pointer is over while this one is drawn).
    last_rects: HashMap<NodeId, Rect>,
    /// Screen positions of the ports drawn this frame: (node, key, is output).
    ports: HashMap<(NodeId, String, bool), Pos2>,
    output_rows: Vec<(String, f32)>,
    /// Whether the pointer is on a title widget that shows its own tooltip (a badge, the
    /// breakpoint dot, the fuel share, "none ×n") this frame.
    title_tip: bool,
}

/// A pending change of the view (frame all, pan to a node), applied when next drawn.
#[derive(Clone, Copy, Debug)]
enum ViewOp {
    FrameAll,
    Focus(NodeId),
    FocusPoint([f32; 2]),
    ZoomTo(f32),
}

/// The canvas.
pub struct Canvas {
    state: EditorState,
    ui: NodeUi,
    view_of: HashMap<NodeId, ge::NodeId>,
    inputs: HashMap<ge::InputId, PortRef>,
    outputs: HashMap<ge::OutputId, PortRef>,
    synced: Option<u64>,
    /// Links the library cannot show (a second wire into one execution input).
    pub hidden_links: usize,
    rect: Rect,
    pending: Option<ViewOp>,
    /// Frames left in which the whole graph is framed again (a graph just opened, a canvas just
    /// shown, Frame all): the panels settle their widths and the nodes their sizes over the
    /// first frames, and a fit made on the first alone left nodes under the world's panel.
    /// Any pan, zoom or click by the user ends it.
    refit: u8,
    hover: Option<(NodeId, std::time::Instant)>,
    /// A dialog is open over the canvas: no hover help (it drew over the dialog).
    pub covered: bool,
    /// Each port's values in the previewed turn (see [`Canvas::set_values`]).
    values: std::collections::BTreeMap<(NodeId, String), (String, Vec<String>)>,
    /// Which iteration of a loop's values hovering shows.
    iteration: usize,
    /// For nodes that never ran in the previewed turn: why.
    why_not: std::collections::BTreeMap<NodeId, String>,
    /// Ports whose value stays shown beside them (W over a port).
    watches: std::collections::BTreeSet<(NodeId, String)>,
    /// Wires drawn as the path a paused turn took: (from output, to input).
    path: std::collections::BTreeSet<(PortRef, PortRef)>,
    /// Whose canvas is shown: the graph's own (`None`) or a function's.
    scope: Option<FunctionId>,
}

impl std::fmt::Debug for Canvas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Canvas")
            .field("nodes", &self.view_of.len())
            .field("synced", &self.synced)
            .finish_non_exhaustive()
    }
}

impl Default for Canvas {
    fn default() -> Self {
        Self::new()
    }
}

impl Canvas {
    /// An empty canvas; call [`sync`](Self::sync) before drawing.
    pub fn new() -> Self {
        Self {
            state: EditorState::new(1.0),
            ui: NodeUi {
                zoom: 1.0,
                ..NodeUi::default()
            },
            view_of: HashMap::new(),
            inputs: HashMap::new(),
            outputs: HashMap::new(),
            synced: None,
            hidden_links: 0,
            rect: Rect::from_min_size(Pos2::ZERO, Vec2::new(800.0, 600.0)),
            pending: Some(ViewOp::FrameAll),
            refit: REFIT_FRAMES,
            hover: None,
            covered: false,
            values: std::collections::BTreeMap::new(),
            iteration: 0,
            why_not: std::collections::BTreeMap::new(),
            watches: std::collections::BTreeSet::new(),
            path: std::collections::BTreeSet::new(),
            scope: None,
        }
    }

    /// Whose canvas is shown: the graph's own (`None`) or a function's.
    pub fn scope(&self) -> Option<FunctionId> {
        self.scope
    }

    /// Shows the canvas of `scope` (a function, or `None` for the graph's own), all of it in
    /// view, from the next sync.
    pub fn set_scope(&mut self, scope: Option<FunctionId>) {
        if self.scope != scope {
            self.scope = scope;
            self.synced = None;
            self.state.selected_nodes.clear();
            self.pending = Some(ViewOp::FrameAll);
            self.refit = REFIT_FRAMES;
        }
    }

    /// The selected nodes, in id order.
    pub fn selection(&self) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = self
            .state
            .selected_nodes
            .iter()
            .filter_map(|v| self.state.graph.nodes.get(*v).map(|n| n.user_data.core))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Selects exactly `nodes` (those shown).
    pub fn select(&mut self, nodes: &[NodeId]) {
        self.state.selected_nodes = nodes
            .iter()
            .filter_map(|n| self.view_of.get(n).copied())
            .collect();
    }

    /// Fits every node in view at the next frame.
    pub fn frame_all(&mut self) {
        self.pending = Some(ViewOp::FrameAll);
        self.refit = REFIT_FRAMES;
    }

    /// Centres `node` in view at the next frame.
    pub fn focus(&mut self, node: NodeId) {
        self.refit = 0;
        self.pending = Some(ViewOp::Focus(node));
    }

    /// Brings canvas point `at` to the middle of the view at the next frame.
    pub fn focus_point(&mut self, at: [f32; 2]) {
        self.refit = 0;
        self.pending = Some(ViewOp::FocusPoint(at));
    }

    /// Sets the zoom (0.2 to 2) at the next frame, keeping the centre of the view.
    pub fn zoom_to(&mut self, zoom: f32) {
        self.refit = 0;
        self.pending = Some(ViewOp::ZoomTo(zoom));
    }

    /// Whether a wire is being dragged (for tests).
    pub fn dragging(&self) -> bool {
        self.state.connection_in_progress.is_some()
    }

    /// The zoom factor.
    pub fn zoom(&self) -> f32 {
        self.state.pan_zoom.zoom
    }

    /// The canvas point at screen position `p`.
    pub fn canvas_at(&self, p: Pos2) -> [f32; 2] {
        let v = (p - self.rect.min - self.state.pan_zoom.pan) / self.state.pan_zoom.zoom;
        [v.x, v.y]
    }

    /// The screen position of canvas point `c`.
    pub fn screen_at(&self, c: [f32; 2]) -> Pos2 {
        self.rect.min + self.state.pan_zoom.pan + Vec2::new(c[0], c[1]) * self.state.pan_zoom.zoom
    }

    /// The part of the window the canvas showed last frame (screen): the area between the
    /// panels.
    pub fn view_rect(&self) -> Rect {
        self.rect
    }

    /// The part of the canvas in view, in canvas units: `[left, top, right, bottom]`.
    pub fn visible_area(&self) -> [f32; 4] {
        let (a, b) = (self.canvas_at(self.rect.min), self.canvas_at(self.rect.max));
        [a[0], a[1], b[0], b[1]]
    }

    /// Brings `node` into view at the next frame unless all of it is in view already.
    pub fn reveal(&mut self, node: NodeId) {
        let inside = self
            .node_rect(node)
            .is_some_and(|r| self.rect.contains_rect(r));
        if !inside {
            self.focus(node);
        }
    }

    /// The canvas point at the middle of the view.
    pub fn centre(&self) -> [f32; 2] {
        self.canvas_at(self.rect.center())
    }

    /// Where a port was drawn last frame (screen), for tests and the add menu.
    pub fn port_pos(&self, node: NodeId, key: &str, output: bool) -> Option<Pos2> {
        self.ui.ports.get(&(node, key.to_owned(), output)).copied()
    }

    /// Where a node was drawn last frame (screen).
    pub fn node_rect(&self, node: NodeId) -> Option<Rect> {
        self.ui.rects.get(&node).copied()
    }

    /// Draws the canvas filling `ui`; returns what the user changed.
    pub fn show(&mut self, ui: &mut egui::Ui, comments: &[Comment]) -> Vec<Intent> {
        let rect = ui.max_rect();
        let touched = ui.input(|i| {
            i.pointer.any_pressed() || i.smooth_scroll_delta != Vec2::ZERO || i.zoom_delta() != 1.0
        }) && ui
            .input(|i| i.pointer.hover_pos())
            .is_some_and(|p| rect.contains(p));
        if touched {
            self.refit = 0;
        }
        if self.refit > 0 {
            self.refit -= 1;
            if self.pending.is_none() {
                self.pending = Some(ViewOp::FrameAll);
            }
        }
        self.rect = rect;
        ui.painter()
            .rect_filled(rect, 0.0, Color32::from_rgb(28, 30, 34));
        self.apply_pending(ui, comments);
        // The paused turn's path, on the library's connections as they are now.
        self.state.highlighted = if self.path.is_empty() {
            Default::default()
        } else {
            self.state
                .graph
                .iter_connections()
                .filter(|(i, o)| match (self.outputs.get(o), self.inputs.get(i)) {
                    (Some(from), Some(to)) => self.path.contains(&(from.clone(), to.clone())),
                    _ => false,
                })
                .map(|(i, o)| (o, i))
                .collect()
        };
        let pointer = ui.input(|i| i.pointer.hover_pos());
        let in_canvas = pointer.is_some_and(|p| rect.contains(p));
        self.draw_grid(ui);
        self.draw_comments(ui, comments);

        // Wheel zooms about the pointer; Shift+wheel pans. (The library's own zoom is bypassed
        // so positions stay `core × zoom`.)
        // Not while a menu or a dialog is over the canvas: the wheel is theirs then (it once
        // zoomed the canvas behind the add menu instead of scrolling the menu's list).
        if in_canvas && !self.covered {
            let (scroll, shift) = ui.input(|i| (i.smooth_scroll_delta, i.modifiers.shift));
            if scroll != Vec2::ZERO {
                ui.ctx().input_mut(|i| i.smooth_scroll_delta = Vec2::ZERO);
                if shift {
                    self.state.pan_zoom.pan += Vec2::new(scroll.y + scroll.x, 0.0);
                } else if let Some(p) = pointer {
                    let z = self.state.pan_zoom.zoom;
                    self.set_zoom(ui, z * (scroll.y * 0.002).exp(), p);
                }
            }
        }
        self.ui.zoom = self.state.pan_zoom.zoom;
        self.ui.spacing = ui.spacing().item_spacing.y * self.state.pan_zoom.zoom;
        self.ui.last_rects = std::mem::take(&mut self.ui.rects);
        self.ui.ports.clear();
        self.ui.title_tip = false;

        let dragging_from = self.state.connection_in_progress;
        let box_selecting = self.state.ongoing_box_selection.is_some();
        let before: Vec<ge::NodeId> = self.state.selected_nodes.clone();
        let interactive = in_canvas || dragging_from.is_some() || box_selecting;
        let layer = ui.layer_id();
        let first_shape = ui
            .ctx()
            .graphics(|g| g.get(layer).map_or(0, |l| l.next_idx().0));
        let response = self.state.draw_graph_editor_with_options(
            ui,
            NoKinds,
            &mut self.ui,
            Vec::new(),
            ge::GraphEditorOptions {
                interactions_enabled: interactive,
            },
        );
        self.wires_under_nodes(ui, layer, first_shape, dragging_from.is_some());
        let mut out = std::mem::take(&mut self.ui.events);
        // After the editor, so a frame's title and corner take their drags before the empty
        // canvas does (box selection); never over a node.
        out.extend(self.comments_ui(ui, comments, pointer));
        out.extend(self.intents(ui, response.node_responses, &before, dragging_from, pointer));
        if !self.hover_values(ui, pointer) {
            self.hover_help(ui, pointer);
        }
        out
    }

    /// The library paints the wires after the nodes, so they crossed node titles and ports. Its
    /// wires are its only Bézier curves: this moves them, in their order, in front of the nodes'
    /// shapes in the canvas layer (a wire being dragged, drawn first, stays on top).
    fn wires_under_nodes(&self, ui: &egui::Ui, layer: egui::LayerId, first: usize, dragging: bool) {
        use egui::layers::ShapeIdx;
        ui.ctx().graphics_mut(|g| {
            let list = g.entry(layer);
            let drawn: Vec<egui::epaint::ClippedShape> =
                list.all_entries().skip(first).cloned().collect();
            let mut dragged = dragging;
            let (mut wires, mut rest, mut top) = (Vec::new(), Vec::new(), Vec::new());
            for shape in drawn {
                match shape.shape {
                    egui::Shape::CubicBezier(_) if dragged => {
                        dragged = false;
                        top.push(shape);
                    }
                    egui::Shape::CubicBezier(_) => wires.push(shape),
                    _ => rest.push(shape),
                }
            }
            for (i, shape) in wires.into_iter().chain(rest).chain(top).enumerate() {
                list.set(ShapeIdx(first + i), shape.clip_rect, shape.shape);
            }
        });
    }

    fn set_zoom(&mut self, ui: &egui::Ui, zoom: f32, about: Pos2) {
        let old = self.state.pan_zoom.zoom;
        let new = zoom.clamp(MIN_ZOOM, MAX_ZOOM);
        if (new - old).abs() < f32::EPSILON {
            return;
        }
        let c = self.canvas_at(about);
        self.state
            .pan_zoom
            .zoom(ui.clip_rect(), ui.style(), new / old);
        let z = self.state.pan_zoom.zoom;
        self.state.pan_zoom.pan = about - self.rect.min - Vec2::new(c[0], c[1]) * z;
        for pos in self.state.node_positions.values_mut() {
            *pos = (pos.to_vec2() * (z / old)).to_pos2();
        }
    }

    fn apply_pending(&mut self, ui: &egui::Ui, comments: &[Comment]) {
        let Some(op) = self.pending.take() else {
            return;
        };
        let positions: Vec<(NodeId, Pos2)> = self
            .view_of
            .iter()
            .filter_map(|(c, v)| {
                self.state
                    .node_positions
                    .get(*v)
                    .map(|p| (*c, (p.to_vec2() / self.state.pan_zoom.zoom).to_pos2()))
            })
            .collect();
        match op {
            ViewOp::ZoomTo(z) => {
                let c = self.rect.center();
                self.set_zoom(ui, z, c);
            }
            ViewOp::Focus(node) => {
                if let Some((_, p)) = positions.iter().find(|(c, _)| *c == node) {
                    let z = self.state.pan_zoom.zoom;
                    let size = self
                        .node_rect(node)
                        .map_or(Vec2::new(180.0, 100.0), |r| r.size());
                    self.state.pan_zoom.pan = self.rect.size() / 2.0 - p.to_vec2() * z - size / 2.0;
                }
            }
            ViewOp::FocusPoint(at) => {
                let z = self.state.pan_zoom.zoom;
                self.state.pan_zoom.pan = self.rect.size() / 2.0 - Vec2::new(at[0], at[1]) * z;
            }
            ViewOp::FrameAll => {
                if positions.is_empty() {
                    self.state.pan_zoom.pan = self.rect.size() / 2.0;
                    return;
                }
                let z = self.state.pan_zoom.zoom;
                let mut bounds = Rect::NOTHING;
                for (c, p) in &positions {
                    let size = self
                        .node_rect(*c)
                        .map_or(Vec2::new(200.0, 120.0), |r| r.size() / z);
                    bounds = bounds.union(Rect::from_min_size(*p, size));
                }
                for c in comments {
                    bounds = bounds.union(Rect::from_min_size(
                        Pos2::new(c.pos[0], c.pos[1]),
                        Vec2::new(c.size[0], c.size[1]),
                    ));
                }
                let fit = (self.rect.width() / bounds.width().max(1.0))
                    .min(self.rect.height() / bounds.height().max(1.0))
                    * 0.92;
                // Everything in view, however far out that takes the zoom: the user asked to see
                // all of it. (A floor of 0.8 once kept wide graphs, the start-up template among
                // them, running off the right of the canvas.)
                let target = fit.clamp(MIN_ZOOM, 1.0);
                let c = self.rect.center();
                self.set_zoom(ui, target, c);
                let z = self.state.pan_zoom.zoom;
                let margin = Vec2::splat(24.0);
                self.state.pan_zoom.pan = if bounds.width() * z + 2.0 * margin.x > self.rect.width()
                    || bounds.height() * z + 2.0 * margin.y > self.rect.height()
                {
                    margin - bounds.min.to_vec2() * z
                } else {
                    self.rect.size() / 2.0 - bounds.center().to_vec2() * z
                };
            }
        }
    }

    fn draw_comments(&self, ui: &egui::Ui, comments: &[Comment]) {
        let painter = ui.painter_at(self.rect);
        let z = self.state.pan_zoom.zoom;
        for c in comments {
            let r = Rect::from_min_size(self.screen_at(c.pos), Vec2::new(c.size[0], c.size[1]) * z);
            // The resize corner.
            painter.line_segment(
                [r.max - Vec2::new(12.0, 3.0), r.max - Vec2::new(3.0, 12.0)],
                egui::Stroke::new(1.5, Color32::from_rgb(110, 130, 190)),
            );
            painter.rect(
                r,
                6.0,
                Color32::from_rgba_unmultiplied(120, 140, 200, 28),
                egui::Stroke::new(1.0, Color32::from_rgb(110, 130, 190)),
                egui::StrokeKind::Inside,
            );
            painter.text(
                r.min + Vec2::new(8.0, 6.0) * z,
                egui::Align2::LEFT_TOP,
                &c.text,
                egui::FontId::proportional(16.0 * z),
                Color32::from_rgb(200, 210, 240),
            );
        }
    }

    fn draw_grid(&self, ui: &egui::Ui) {
        let z = self.state.pan_zoom.zoom;
        let step = 50.0 * z;
        if step < 8.0 {
            return;
        }
        let origin = self.rect.min + self.state.pan_zoom.pan;
        let color = Color32::from_rgb(38, 41, 46);
        let painter = ui.painter_at(self.rect);
        let mut x = origin.x - ((origin.x - self.rect.left()) / step).floor() * step;
        while x < self.rect.right() {
            painter.vline(x, self.rect.y_range(), (1.0, color));
            x += step;
        }
        let mut y = origin.y - ((origin.y - self.rect.top()) / step).floor() * step;
        while y < self.rect.bottom() {
            painter.hline(self.rect.x_range(), y, (1.0, color));
            y += step;
        }
    }
}
