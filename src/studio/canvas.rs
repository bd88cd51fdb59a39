//! The node canvas: egui-graph-edit drawing a *view* of the core graph.
//!
//! The core [`VisualScriptGraph`] is the truth. [`Canvas::sync`] brings the editor library's graph
//! in line with it (nodes added, removed or changed; every wire redrawn), keeping the library's
//! node ids for nodes that still exist so an ongoing drag survives an edit. What the user does on
//! the canvas comes back from [`Canvas::show`] as [`Intent`]s, which the app applies to the core
//! graph as undoable edits. Positions: a node's screen position is
//! `canvas rect min + pan + core position × zoom`.

use std::collections::HashMap;

use aether_lang::catalog::{self, Category, Choices, NodeSpec, PinType, PortDefault};
use aether_lang::check::{self, Diagnostic, Location, Severity};
use aether_lang::graph::{Comment, FunctionId, NodeId, PortRef, Value, VisualScriptGraph};
use egui::{Color32, Pos2, Rect, Vec2};
use egui_graph_edit as ge;

/// Node margin the editor library uses at zoom 1 (ports sit on the outer edge).
const NODE_MARGIN: Vec2 = Vec2::new(15.0, 5.0);
const MIN_ZOOM: f32 = 0.2;
const MAX_ZOOM: f32 = 2.0;
/// Frame All (and opening a graph) never zooms out further than this: below it node text is
/// under 10 px (at 0.5 it was 6 px, unreadable); a larger graph shows its top-left part.
const FRAME_MIN_ZOOM: f32 = 0.8;

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

impl ge::UserResponseTrait for NoResponse {}

struct NoKinds;

impl ge::NodeTemplateIter for NoKinds {
    type Item = NoTemplate;
    fn all_kinds(&self) -> Vec<NoTemplate> {
        Vec::new()
    }
}

impl ge::NodeTemplateTrait for NoTemplate {
    type NodeData = NodeData;
    type DataType = Pin;
    type ValueType = Inline;
    type UserState = NodeUi;
    type CategoryType = &'static str;

    fn node_finder_label(&self, _: &mut NodeUi) -> std::borrow::Cow<'_, str> {
        "".into()
    }
    fn node_graph_label(&self, _: &mut NodeUi) -> String {
        String::new()
    }
    fn user_data(&self, _: &mut NodeUi) -> NodeData {
        NodeData {
            core: NodeId(0),
            kind: String::new(),
        }
    }
    fn build_node(&self, _: &mut ViewGraph, _: &mut NodeUi, _: ge::NodeId) {}
}

type ViewGraph = ge::Graph<NodeData, Pin, Inline>;
/// A node's inputs as the view builds them: key, type, constant, whether it takes a constant.
type ViewInputs = Vec<(String, Pin, Inline, ge::InputParamKind)>;
/// A node's outputs as the view builds them: key and type.
type ViewOutputs = Vec<(String, Pin)>;
type EditorState = ge::GraphEditorState<NodeData, Pin, Inline, NoTemplate, NodeUi>;

/// The colour of wires and ports of each type.
pub fn pin_color(ty: Option<PinType>) -> Color32 {
    match ty {
        Some(PinType::Exec) => Color32::from_rgb(235, 235, 235),
        Some(PinType::Number) => Color32::from_rgb(90, 200, 120),
        Some(PinType::Bool) => Color32::from_rgb(220, 80, 80),
        Some(PinType::Unit) => Color32::from_rgb(80, 150, 240),
        Some(PinType::Position) => Color32::from_rgb(235, 190, 60),
        Some(PinType::Entity) => Color32::from_rgb(60, 200, 200),
        Some(PinType::Player) => Color32::from_rgb(230, 120, 200),
        Some(PinType::OfVariable | PinType::Chosen) | None => Color32::from_rgb(140, 140, 140),
    }
}

/// The title-bar colour of a category.
pub fn category_color(c: Category) -> Color32 {
    match c {
        Category::Events => Color32::from_rgb(150, 40, 40),
        Category::Flow => Color32::from_rgb(80, 80, 90),
        Category::Units => Color32::from_rgb(40, 80, 140),
        Category::Math => Color32::from_rgb(40, 110, 70),
        Category::Variables => Color32::from_rgb(110, 60, 130),
        Category::Actions => Color32::from_rgb(150, 90, 30),
        Category::World => Color32::from_rgb(30, 120, 120),
        Category::Players => Color32::from_rgb(140, 60, 110),
        Category::Storage => Color32::from_rgb(100, 100, 40),
        Category::Functions => Color32::from_rgb(30, 90, 160),
    }
}

impl ge::DataTypeTrait<NodeUi> for Pin {
    fn data_type_color(&self, _: &mut NodeUi) -> Color32 {
        pin_color(self.0)
    }
    fn name(&self) -> std::borrow::Cow<'_, str> {
        match self.0 {
            Some(t) => t.to_string().into(),
            None => "unknown".into(),
        }
    }
}

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
}

fn port_label(kind: &str, key: &str, output: bool) -> String {
    let port = catalog::spec(kind).and_then(|s| if output { s.output(key) } else { s.input(key) });
    match port {
        Some(p) if p.ty == PinType::Exec && p.name.is_empty() => String::new(),
        Some(p) => p.name.to_owned(),
        None => key.to_owned(),
    }
}

/// A port type in plain words, for refusals.
fn type_words(ty: Option<PinType>) -> &'static str {
    match ty {
        Some(PinType::Exec) => "the order things happen in (a white wire)",
        Some(PinType::Number) => "a number",
        Some(PinType::Bool) => "true or false",
        Some(PinType::Unit) => "a unit",
        Some(PinType::Position) => "a tile",
        Some(PinType::Entity) => "an entity",
        Some(PinType::Player) => "a player",
        Some(PinType::OfVariable) => "the variable's type",
        Some(PinType::Chosen) => "the type chosen on the node",
        None => "something this studio does not know",
    }
}

fn badge_ui(ui: &mut egui::Ui, badges: Option<&Vec<Badge>>) {
    let Some(badges) = badges.filter(|b| !b.is_empty()) else {
        return;
    };
    let error = badges.iter().any(|b| b.severity == Severity::Error);
    let (icon, color) = if error {
        ("⛔", Color32::from_rgb(255, 90, 90))
    } else {
        ("⚠", Color32::from_rgb(240, 190, 60))
    };
    let text: Vec<&str> = badges.iter().map(|b| b.message.as_str()).collect();
    ui.label(egui::RichText::new(icon).color(color))
        .on_hover_text(text.join("\n"));
}

impl NodeUi {
    fn record_input(&mut self, ui: &egui::Ui, node: NodeId, key: &str) {
        let row = ui.min_rect();
        let x = ui.max_rect().left() - NODE_MARGIN.x * self.zoom;
        let y = row.center().y - self.spacing / 2.0;
        self.ports
            .insert((node, key.to_owned(), false), Pos2::new(x, y));
    }
}

impl ge::WidgetValueTrait for Inline {
    type Response = NoResponse;
    type UserState = NodeUi;
    type NodeData = NodeData;

    fn value_widget(
        &mut self,
        key: &str,
        _: ge::NodeId,
        ui: &mut egui::Ui,
        st: &mut NodeUi,
        data: &NodeData,
    ) -> Vec<NoResponse> {
        let label = port_label(&data.kind, key, false);
        match self {
            Inline::None => {
                ui.label(label);
            }
            Inline::Number(n) => {
                ui.label(label);
                let r = ui.add(egui::DragValue::new(n).speed(0.1));
                if r.changed() {
                    st.events.push(Intent::SetValue {
                        node: data.core,
                        key: key.to_owned(),
                        value: Value::Number(*n),
                        dragging: r.dragged(),
                    });
                }
            }
            Inline::Bool(b) => {
                if ui.checkbox(b, label).changed() {
                    st.events.push(Intent::SetValue {
                        node: data.core,
                        key: key.to_owned(),
                        value: Value::Bool(*b),
                        dragging: false,
                    });
                }
            }
        }
        badge_ui(ui, st.port_badges.get(&(data.core, key.to_owned())));
        st.record_input(ui, data.core, key);
        Vec::new()
    }

    fn value_widget_connected(
        &mut self,
        key: &str,
        _: ge::NodeId,
        ui: &mut egui::Ui,
        st: &mut NodeUi,
        data: &NodeData,
    ) -> Vec<NoResponse> {
        ui.label(port_label(&data.kind, key, false));
        badge_ui(ui, st.port_badges.get(&(data.core, key.to_owned())));
        st.record_input(ui, data.core, key);
        Vec::new()
    }
}

impl ge::NodeDataTrait for NodeData {
    type Response = NoResponse;
    type UserState = NodeUi;
    type DataType = Pin;
    type ValueType = Inline;

    fn top_bar_ui(
        &self,
        ui: &mut egui::Ui,
        _: ge::NodeId,
        _: &ViewGraph,
        st: &mut NodeUi,
    ) -> Vec<ge::NodeResponse<NoResponse, NodeData>> {
        st.output_rows.clear();
        badge_ui(ui, st.badges.get(&self.core));
        // The breakpoint dot: red when set; a faint ring on nodes that run, while the pointer
        // is over the node, to set one with a click.
        let set = st.breakpoints.contains(&self.core);
        let hovered = ui
            .ctx()
            .pointer_hover_pos()
            .is_some_and(|p| st.last_rects.get(&self.core).is_some_and(|r| r.contains(p)));
        let runs = || aether_lang::catalog::spec(&self.kind).is_some_and(|s| s.is_exec());
        if set || (hovered && runs()) {
            let (dot, color, help) = if set {
                (
                    "●",
                    Color32::from_rgb(235, 70, 70),
                    "Breakpoint: the debugger pauses the turn before this node. Click (or F9) \
                     to remove it",
                )
            } else {
                (
                    "○",
                    Color32::from_gray(150),
                    "Click to set a breakpoint: the debugger pauses the turn before this node",
                )
            };
            let dot = egui::Button::new(egui::RichText::new(dot).color(color)).frame(false);
            if ui.add(dot).on_hover_text(help).clicked() {
                st.events.push(Intent::ToggleBreakpoint(self.core));
            }
        }
        if st.current == Some(self.core) {
            ui.label(
                egui::RichText::new("▶ paused here")
                    .small()
                    .color(Color32::from_rgb(250, 210, 90)),
            );
        }
        if let Some((fuel, share)) = st.heat.get(&self.core) {
            ui.label(
                egui::RichText::new(format!("{:.0}%", share * 100.0))
                    .small()
                    .strong()
                    .color(super::preview::heat_color(*share)),
            )
            .on_hover_text(format!(
                "This node used {:.1}% of the turn's fuel ({} fuel), counted in the real compiled \
                 turn (the queries it called included)",
                share * 100.0,
                aether_base::text::group_digits(*fuel)
            ));
        }
        if let Some(n) = st.found_nothing.get(&self.core) {
            ui.label(egui::RichText::new(format!("none ×{n}")).small().color(Color32::from_rgb(150, 180, 255)))
                .on_hover_text(format!(
                    "In the previewed turn this found nothing {n} time{} (for example no enemy in sight). \
                     Moves toward what it gives do nothing then: branch on their Done, or check Unit Exists first.",
                    if *n == 1 { "" } else { "s" }
                ));
        }
        Vec::new()
    }

    fn output_ui(
        &self,
        ui: &mut egui::Ui,
        _: ge::NodeId,
        _: &ViewGraph,
        st: &mut NodeUi,
        key: &str,
    ) -> Vec<ge::NodeResponse<NoResponse, NodeData>> {
        ui.label(port_label(&self.kind, key, true));
        badge_ui(ui, st.port_badges.get(&(self.core, key.to_owned())));
        let y = ui.min_rect().center().y - st.spacing / 2.0;
        st.output_rows.push((key.to_owned(), y));
        Vec::new()
    }

    fn bottom_ui(
        &self,
        ui: &mut egui::Ui,
        _: ge::NodeId,
        _: &ViewGraph,
        st: &mut NodeUi,
    ) -> Vec<ge::NodeResponse<NoResponse, NodeData>> {
        if let Some(spec) = catalog::spec(&self.kind) {
            for setting in spec.settings {
                settings_ui(ui, self, spec, setting, st);
            }
        } else {
            ui.colored_label(
                Color32::from_rgb(255, 90, 90),
                format!("Unknown kind \"{}\"", self.kind),
            );
        }
        let outer = ui.min_rect().expand2(NODE_MARGIN * st.zoom);
        for (key, y) in std::mem::take(&mut st.output_rows) {
            st.ports
                .insert((self.core, key, true), Pos2::new(outer.right(), y));
        }
        st.rects.insert(self.core, outer);
        Vec::new()
    }

    fn titlebar_color(
        &self,
        _: &egui::Ui,
        _: ge::NodeId,
        _: &ViewGraph,
        _: &mut NodeUi,
    ) -> Option<Color32> {
        Some(
            catalog::spec(&self.kind).map_or(Color32::from_rgb(120, 30, 30), |s| {
                category_color(s.category)
            }),
        )
    }

    fn border_color(
        &self,
        _: &egui::Ui,
        _: ge::NodeId,
        _: &ViewGraph,
        st: &mut NodeUi,
    ) -> Option<Color32> {
        if st.current == Some(self.core) {
            return Some(Color32::from_rgb(250, 210, 90));
        }
        let badges = st.badges.get(&self.core)?;
        if badges.iter().any(|b| b.severity == Severity::Error) {
            Some(Color32::from_rgb(255, 70, 70))
        } else if badges.is_empty() {
            None
        } else {
            Some(Color32::from_rgb(240, 190, 60))
        }
    }

    fn can_flip(&self, _: ge::NodeId, _: &ViewGraph, _: &mut NodeUi) -> bool {
        false
    }
}

/// A setting as a drop-down list on the node.
fn settings_ui(
    ui: &mut egui::Ui,
    data: &NodeData,
    spec: &NodeSpec,
    setting: &aether_lang::catalog::SettingSpec,
    st: &mut NodeUi,
) {
    let current = st
        .setting_values
        .get(&(data.core, setting.key.to_owned()))
        .cloned();
    if let Choices::Text(default) = setting.choices {
        let mut text = current.unwrap_or_else(|| default.to_owned());
        ui.horizontal(|ui| {
            ui.label(setting.name);
            let edit = egui::TextEdit::singleline(&mut text)
                .desired_width(150.0)
                .id_salt((spec.key, data.core, setting.key));
            if ui.add(edit).changed() {
                st.setting_values
                    .insert((data.core, setting.key.to_owned()), text.clone());
                st.events.push(Intent::SetValue {
                    node: data.core,
                    key: setting.key.to_owned(),
                    value: Value::Choice(text.clone()),
                    dragging: true,
                });
            }
        });
        return;
    }
    let options: Vec<(String, String)> = match setting.choices {
        Choices::List(list) => list
            .iter()
            .map(|(k, l)| ((*k).to_owned(), (*l).to_owned()))
            .collect(),
        Choices::Text(_) => Vec::new(),
        Choices::Variable => st
            .variables
            .iter()
            .map(|v| (v.clone(), v.clone()))
            .collect(),
    };
    let shown = current
        .as_deref()
        .and_then(|c| options.iter().find(|(k, _)| k == c).map(|(_, l)| l.clone()))
        .or(current.clone())
        .unwrap_or_else(|| "(choose)".to_owned());
    ui.horizontal(|ui| {
        ui.label(setting.name);
        egui::ComboBox::from_id_salt((spec.key, data.core, setting.key))
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for (key, label) in &options {
                    if ui
                        .selectable_label(current.as_deref() == Some(key.as_str()), label)
                        .clicked()
                    {
                        st.events.push(Intent::SetValue {
                            node: data.core,
                            key: setting.key.to_owned(),
                            value: Value::Choice(key.clone()),
                            dragging: false,
                        });
                    }
                }
                if options.is_empty() {
                    ui.label("Declare a variable in the Variables list first.");
                }
            });
        badge_ui(ui, st.port_badges.get(&(data.core, setting.key.to_owned())));
    });
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
        }
    }

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
    fn set_ports(&mut self, view: ge::NodeId, core: NodeId, ins: ViewInputs, outs: ViewOutputs) {
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
    }

    /// Centres `node` in view at the next frame.
    pub fn focus(&mut self, node: NodeId) {
        self.pending = Some(ViewOp::Focus(node));
    }

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

    /// Brings canvas point `at` to the middle of the view at the next frame.
    pub fn focus_point(&mut self, at: [f32; 2]) {
        self.pending = Some(ViewOp::FocusPoint(at));
    }

    /// Sets the zoom (0.2 to 2) at the next frame, keeping the centre of the view.
    pub fn zoom_to(&mut self, zoom: f32) {
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

    /// Draws the canvas filling `ui`; returns what the user changed.
    pub fn show(&mut self, ui: &mut egui::Ui, comments: &[Comment]) -> Vec<Intent> {
        let rect = ui.max_rect();
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
        if in_canvas {
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
        let mut connected = false;
        let zoom = self.state.pan_zoom.zoom;
        for r in response.node_responses {
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
                    let mut sel = before.clone();
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
        if !self.hover_values(ui, pointer) {
            self.hover_help(ui, pointer);
        }
        out
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

    /// The drawn port nearest `p`, within reach: (node, key, is output).
    fn port_at(&self, p: Pos2) -> Option<(NodeId, String, bool)> {
        let reach = 10.0 * self.state.pan_zoom.zoom.max(0.5);
        self.ui
            .ports
            .iter()
            .map(|(k, at)| (k, at.distance(p)))
            .filter(|(_, d)| *d < reach)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| k.clone())
    }

    /// A port's value in words (the iteration picked, or the latest while paused).
    fn value_text(&self, node: NodeId, key: &str) -> Option<String> {
        let (name, values) = self.values.get(&(node, key.to_owned()))?;
        let last = values.len().checked_sub(1)?;
        let i = self.iteration.min(last);
        Some(if values.len() == 1 {
            format!("{name} = {}", values[0])
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
    fn draw_watches(&self, ui: &egui::Ui) {
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
            let offset = if out {
                Vec2::new(14.0, -10.0)
            } else {
                Vec2::new(-14.0, -30.0)
            };
            egui::Area::new(egui::Id::new(("watch", node.0, key.as_str())))
                .order(egui::Order::Foreground)
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
    fn hover_values(&mut self, ui: &egui::Ui, pointer: Option<Pos2>) -> bool {
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

    /// The type of a drawn port, as the view holds it (variables' ports resolved).
    fn view_port(&self, node: NodeId, key: &str, output: bool) -> Option<PinType> {
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
    fn refusal_under(
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
                // Smaller text is unreadable: then show the top-left part.
                let target = fit.clamp(FRAME_MIN_ZOOM, 1.0);
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

    /// Draws the comments as frames under the nodes: a frame's title strip drags it (with the
    /// nodes inside), its corner resizes it.
    fn comments_ui(
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

    /// After half a second over a node, its help (and its problems) appear beside the pointer.
    fn hover_help(&mut self, ui: &egui::Ui, pointer: Option<Pos2>) {
        let busy = ui.input(|i| i.pointer.any_down()) || self.covered;
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
