//! The editor library's side of the canvas: how each node draws itself (title, badges,
//! inline values, settings, output rows), what a pin's colour and name are, and the library's
//! template and response types, which the studio does not use (its own add menu and intents
//! replace them).

use super::{
    Badge, Inline, Intent, NODE_MARGIN, NoKinds, NoResponse, NoTemplate, NodeData, NodeUi, Pin,
    ViewGraph,
};
use aether_lang::catalog::{self, Category, Choices, NodeSpec, PinType};
use aether_lang::check::Severity;
use aether_lang::graph::{NodeId, Value};
use egui::{Color32, Pos2};
use egui_graph_edit as ge;

impl ge::UserResponseTrait for NoResponse {}

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

pub(super) fn port_label(kind: &str, key: &str, output: bool) -> String {
    let port = catalog::spec(kind).and_then(|s| if output { s.output(key) } else { s.input(key) });
    match port {
        Some(p) if p.ty == PinType::Exec && p.name.is_empty() => String::new(),
        Some(p) => p.name.to_owned(),
        None => key.to_owned(),
    }
}

/// A port type in plain words, for refusals.
pub(super) fn type_words(ty: Option<PinType>) -> &'static str {
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

/// Draws a node's or a port's problem badge; whether the pointer is on it (its own tooltip is
/// then showing).
pub(super) fn badge_ui(ui: &mut egui::Ui, badges: Option<&Vec<Badge>>) -> bool {
    let Some(badges) = badges.filter(|b| !b.is_empty()) else {
        return false;
    };
    let error = badges.iter().any(|b| b.severity == Severity::Error);
    let (icon, color) = if error {
        ("⛔", Color32::from_rgb(255, 90, 90))
    } else {
        ("⚠", Color32::from_rgb(240, 190, 60))
    };
    let text: Vec<&str> = badges.iter().map(|b| b.message.as_str()).collect();
    ui.label(egui::RichText::new(icon).color(color))
        .on_hover_text(text.join("\n"))
        .hovered()
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
        // Each title widget with a tooltip of its own says when the pointer is on it, so the
        // node's help does not show beside that tooltip.
        st.title_tip |= badge_ui(ui, st.badges.get(&self.core));
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
                    Color32::from_rgb(255, 40, 40),
                    "Breakpoint: the debugger pauses the turn before this node. Click (or F9) \
                     to remove it",
                )
            } else {
                (
                    "○",
                    Color32::from_gray(230),
                    "Click to set a breakpoint: the debugger pauses the turn before this node",
                )
            };
            // A brighter red than before (a dark-red dot was lost on the orange of action
            // titles), on a dark backing so it reads on every title colour.
            let dot = egui::Button::new(
                egui::RichText::new(dot)
                    .color(color)
                    .background_color(Color32::from_black_alpha(150)),
            )
            .frame(false);
            let response = ui.add(dot);
            let dot = response.on_hover_text(help);
            st.title_tip |= dot.hovered();
            if dot.clicked() {
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
            let fuel_label = ui.label(
                egui::RichText::new(format!("{:.0}%", share * 100.0))
                    .small()
                    .strong()
                    .color(super::marks::heat_color(*share)),
            )
            .on_hover_text(format!(
                "This node used {:.1}% of the turn's fuel ({} fuel), counted in the real compiled \
                 turn (the queries it called included)",
                share * 100.0,
                aether_base::text::group_digits(*fuel)
            ));
            st.title_tip |= fuel_label.hovered();
        }
        if let Some(bound) = st.bounds.get(&self.core) {
            let label = ui
                .label(
                    egui::RichText::new(format!("≤ {}", aether_base::text::short_number(*bound)))
                        .small()
                        .color(Color32::from_rgb(170, 200, 170)),
                )
                .on_hover_text(format!(
                    "One run of this node uses at most {} fuel on the previewed state (the \
                     queries it calls and the values it pulls included): the compiler's bound",
                    aether_base::text::group_digits(*bound)
                ));
            st.title_tip |= label.hovered();
        }
        if let Some((turns, of)) = st.changed.get(&self.core) {
            let changed = ui
                .label(
                    egui::RichText::new(format!("≠ {turns}/{of}"))
                        .small()
                        .strong()
                        .color(Color32::from_rgb(255, 160, 60)),
                )
                .on_hover_text(format!(
                    "This node behaves differently from the version compared with on {turns} of \
                     the {of} turns played (what it computed, whether it ran, or what it sent), \
                     edited or not. File > Compare with… lists the turns."
                ));
            st.title_tip |= changed.hovered();
        }
        if let Some(n) = st.found_nothing.get(&self.core) {
            let none = ui.label(egui::RichText::new(format!("none ×{n}")).small().color(Color32::from_rgb(150, 180, 255)))
                .on_hover_text(format!(
                    "In the previewed turn this found nothing {n} time{} (for example no enemy in sight). \
                     Moves toward what it gives do nothing then: branch on their Done, or check Unit Exists first.",
                    if *n == 1 { "" } else { "s" }
                ));
            st.title_tip |= none.hovered();
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
pub(super) fn settings_ui(
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
