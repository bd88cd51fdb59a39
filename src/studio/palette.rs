//! The palette (node kinds by category, with search), the add menu that opens on the canvas, and
//! the lists of the graph's variables and comments.

use aether_lang::catalog::{CATALOG, Category, NodeSpec, PinType};
use aether_lang::edit::fitting_port;
use aether_lang::graph::{PortRef, VarType, Variable, VisualScriptGraph};
use egui::{Color32, Pos2};

use super::canvas::category_color;

/// Whether `spec` matches the search text (name, category or help; case-insensitive).
pub fn matches(spec: &NodeSpec, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    q.is_empty()
        || spec.name.to_lowercase().contains(&q)
        || spec.category.name().to_lowercase().contains(&q)
        || spec.help.to_lowercase().contains(&q)
}

/// Puts name matches before help matches, keeping catalog order within each.
fn ranked<'a>(query: &str, kinds: impl Iterator<Item = &'a NodeSpec>) -> Vec<&'a NodeSpec> {
    let q = query.trim().to_lowercase();
    let mut out: Vec<&NodeSpec> = kinds.filter(|s| matches(s, &q)).collect();
    out.sort_by_key(|s| {
        let name = s.name.to_lowercase();
        (!name.starts_with(&q), !name.contains(&q))
    });
    out
}

/// What the palette asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum PaletteAction {
    /// Add a node of this kind in the middle of the view.
    Add(&'static str),
    /// Add a call of this function of the graph in the middle of the view.
    Call(aether_lang::graph::FunctionId),
}

/// The palette panel: search box and node kinds by category.
#[derive(Debug, Default)]
pub struct Palette {
    /// The search text.
    pub query: String,
}

impl Palette {
    /// Draws the palette of the node kinds a graph of `kind` may use; returns the kind to add,
    /// if one was chosen.
    pub fn ui(&mut self, ui: &mut egui::Ui, graph: &VisualScriptGraph) -> Option<PaletteAction> {
        let kind = graph.kind;
        let mut chosen = None;
        ui.heading("Nodes");
        let search = ui
            .horizontal(|ui| {
                let label = ui.label("Find node");
                let edit = egui::TextEdit::singleline(&mut self.query)
                    .hint_text("type, Enter adds")
                    .id_salt("palette-search")
                    .desired_width(f32::INFINITY);
                search_box(ui, edit, label.id)
            })
            .inner;
        let allowed = move |s: &&'static NodeSpec| s.op.allowed_in(kind);
        let hits = ranked(&self.query, CATALOG.iter().filter(allowed));
        // The graph's functions, by name; they come first.
        let q = self.query.trim().to_lowercase();
        let function_hits: Vec<(aether_lang::graph::FunctionId, String)> = graph
            .functions()
            .filter(|f| !q.is_empty() && f.name.to_lowercase().contains(&q))
            .map(|f| (f.id, f.name.clone()))
            .collect();
        if search.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            if let Some((f, _)) = function_hits.first() {
                chosen = Some(PaletteAction::Call(*f));
                self.query.clear();
            } else if let Some(first) = hits.first() {
                chosen = Some(PaletteAction::Add(first.key));
                // Added: the box is ready for the next node.
                self.query.clear();
            }
        }
        ui.label(
            egui::RichText::new(
                "Click to add at the centre; right-click the canvas or drop a wire on it for more.",
            )
            .small()
            .weak(),
        );
        egui::ScrollArea::vertical()
            .id_salt("palette-scroll")
            .max_height(ui.available_height() * 0.6)
            .show(ui, |ui| {
                if !self.query.trim().is_empty() {
                    if hits.is_empty() && function_hits.is_empty() {
                        ui.weak("No node matches.");
                    }
                    for (f, name) in &function_hits {
                        if function_button(ui, name).clicked() {
                            chosen = Some(PaletteAction::Call(*f));
                        }
                    }
                    for spec in &hits {
                        if kind_button(ui, spec).clicked() {
                            chosen = Some(PaletteAction::Add(spec.key));
                        }
                    }
                    return;
                }
                for cat in Category::ALL {
                    if !CATALOG.iter().filter(allowed).any(|s| s.category == cat) {
                        continue;
                    }
                    egui::CollapsingHeader::new(
                        egui::RichText::new(cat.name())
                            .color(category_color(cat).gamma_multiply(2.0)),
                    )
                    .id_salt(("palette", cat.name()))
                    .default_open(true)
                    .show(ui, |ui| {
                        for spec in CATALOG.iter().filter(allowed).filter(|s| s.category == cat) {
                            if kind_button(ui, spec).clicked() {
                                chosen = Some(PaletteAction::Add(spec.key));
                            }
                        }
                    });
                }
                if graph.functions().next().is_some() {
                    egui::CollapsingHeader::new(
                        egui::RichText::new(Category::Functions.name())
                            .color(category_color(Category::Functions).gamma_multiply(2.0)),
                    )
                    .id_salt(("palette", "functions"))
                    .default_open(true)
                    .show(ui, |ui| {
                        for f in graph.functions() {
                            if function_button(ui, &f.name).clicked() {
                                chosen = Some(PaletteAction::Call(f.id));
                            }
                        }
                    });
                }
            });
        chosen
    }
}

fn function_button(ui: &mut egui::Ui, name: &str) -> egui::Response {
    ui.add(
        egui::Button::new(name)
            .frame(false)
            .min_size(egui::vec2(ui.available_width(), 0.0)),
    )
    .on_hover_text(format!("A call of this graph's function {name}"))
}

fn kind_button(ui: &mut egui::Ui, spec: &NodeSpec) -> egui::Response {
    ui.add(
        egui::Button::new(spec.name)
            .frame(false)
            .min_size(egui::vec2(ui.available_width(), 0.0)),
    )
    .on_hover_text(spec.help)
}

/// The add menu: a search box and the kinds that fit, at a point of the canvas.
#[derive(Clone, Debug)]
pub struct AddMenu {
    /// Where it opened (screen).
    pub screen: Pos2,
    /// Where the node goes (canvas).
    pub at: [f32; 2],
    /// The wire it was opened from: (port, whether an output, its type).
    pub from: Option<(PortRef, bool, PinType)>,
    /// The search text.
    pub query: String,
    focused: bool,
}

/// What the add menu decided.
#[derive(Clone, Debug, PartialEq)]
pub enum AddOutcome {
    /// Still open.
    Open,
    /// Closed without adding.
    Cancel,
    /// Add this kind.
    Add(&'static str),
    /// Add a call of this function of the graph.
    Call(aether_lang::graph::FunctionId),
}

impl AddMenu {
    /// A menu at `screen` adding at canvas point `at`, filtered to kinds that fit `from`.
    pub fn new(screen: Pos2, at: [f32; 2], from: Option<(PortRef, bool, PinType)>) -> Self {
        Self {
            screen,
            at,
            from,
            query: String::new(),
            focused: false,
        }
    }

    /// The kinds offered, in order.
    pub fn kinds(&self, graph: &VisualScriptGraph) -> Vec<&'static NodeSpec> {
        ranked(
            &self.query,
            CATALOG
                .iter()
                .filter(|s| s.op.allowed_in(graph.kind))
                .filter(|s| match &self.from {
                    None => true,
                    Some((_, from_output, ty)) => {
                        fitting_port(s, *ty, *from_output, graph).is_some()
                    }
                }),
        )
    }

    /// The graph's functions offered (by name, with a port that fits the wire), with their
    /// calls' kinds, in the graph's order.
    pub fn functions(
        &self,
        graph: &VisualScriptGraph,
    ) -> Vec<(aether_lang::graph::FunctionId, &'static NodeSpec)> {
        let q = self.query.trim().to_lowercase();
        graph
            .functions()
            .filter(|f| q.is_empty() || f.name.to_lowercase().contains(&q))
            .filter_map(|f| {
                let kind = aether_lang::graph::function::node_kind(
                    aether_lang::graph::function::Role::Call,
                    f,
                );
                let spec = aether_lang::catalog::spec(&kind)?;
                let fits = match &self.from {
                    None => true,
                    Some((_, from_output, ty)) => {
                        fitting_port(spec, *ty, *from_output, graph).is_some()
                    }
                };
                fits.then_some((f.id, spec))
            })
            .collect()
    }

    /// Draws the menu inside `bounds` (the canvas: near its bottom edge the menu opens upward,
    /// never over the Problems panel or off the window).
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        graph: &VisualScriptGraph,
        bounds: egui::Rect,
    ) -> AddOutcome {
        let mut outcome = AddOutcome::Open;
        let kinds = self.kinds(graph);
        let functions = self.functions(graph);
        let area = egui::Area::new(egui::Id::new("add-node-menu"))
            .order(egui::Order::Foreground)
            .fixed_pos(self.screen)
            .constrain_to(bounds)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_width(240.0);
                    let title = match &self.from {
                        Some((_, _, ty)) => format!("Add a node taking {ty}"),
                        None => "Add a node".to_owned(),
                    };
                    ui.strong(title);
                    let edit = ui
                        .horizontal(|ui| {
                            let label = ui.label("Search");
                            ui.add(
                                egui::TextEdit::singleline(&mut self.query)
                                    .hint_text("type, Enter adds")
                                    .id_salt("add-node-search"),
                            )
                            .labelled_by(label.id)
                        })
                        .inner;
                    if !self.focused {
                        edit.request_focus();
                        self.focused = true;
                    }
                    if ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        if let Some((f, _)) = functions.first().filter(|_| !self.query.is_empty()) {
                            outcome = AddOutcome::Call(*f);
                        } else if let Some(first) = kinds.first() {
                            outcome = AddOutcome::Add(first.key);
                        }
                    }
                    if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                        outcome = AddOutcome::Cancel;
                    }
                    egui::ScrollArea::vertical()
                        .max_height(320.0)
                        .show(ui, |ui| {
                            if !functions.is_empty() {
                                ui.label(
                                    egui::RichText::new(Category::Functions.name())
                                        .small()
                                        .color(Color32::GRAY),
                                );
                            }
                            for (f, spec) in &functions {
                                if kind_button(ui, spec).clicked() {
                                    outcome = AddOutcome::Call(*f);
                                }
                            }
                            let mut last = None;
                            for spec in &kinds {
                                if self.query.trim().is_empty() && last != Some(spec.category) {
                                    ui.label(
                                        egui::RichText::new(spec.category.name())
                                            .small()
                                            .color(Color32::GRAY),
                                    );
                                    last = Some(spec.category);
                                }
                                if kind_button(ui, spec).clicked() {
                                    outcome = AddOutcome::Add(spec.key);
                                }
                            }
                            if kinds.is_empty() && functions.is_empty() {
                                ui.weak("No node fits.");
                            }
                        });
                });
            });
        let clicked_outside = ctx.input(|i| i.pointer.any_pressed())
            && ctx
                .pointer_interact_pos()
                .is_some_and(|p| !area.response.rect.contains(p));
        if clicked_outside && outcome == AddOutcome::Open {
            outcome = AddOutcome::Cancel;
        }
        outcome
    }
}

/// What the variables list asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum VariableAction {
    /// Declare a variable.
    Add(Variable),
    /// Remove the variable at this index.
    Remove(usize),
    /// Find the nodes that use this variable.
    FindUsages(String),
}

/// The variables list with a form to declare one.
#[derive(Debug)]
pub struct VariablesPanel {
    name: String,
    ty: VarType,
    error: Option<String>,
}

impl Default for VariablesPanel {
    fn default() -> Self {
        Self {
            name: String::new(),
            ty: VarType::Number,
            error: None,
        }
    }
}

impl VariablesPanel {
    /// Draws the list; returns a change to make.
    pub fn ui(&mut self, ui: &mut egui::Ui, graph: &VisualScriptGraph) -> Option<VariableAction> {
        let mut action = None;
        ui.heading("Variables");
        if graph.variables.is_empty() {
            ui.weak("None yet. Get / Set Variable nodes use them.");
        }
        for (i, v) in graph.variables.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(format!("{}: {}", v.name, v.ty));
                if ui
                    .small_button("🔍")
                    .on_hover_text("Find usages: select every node that gets or sets it")
                    .clicked()
                {
                    action = Some(VariableAction::FindUsages(v.name.clone()));
                }
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove the variable")
                    .clicked()
                {
                    action = Some(VariableAction::Remove(i));
                }
            });
        }
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.name)
                    .hint_text("new variable")
                    .desired_width(100.0),
            );
            egui::ComboBox::from_id_salt("new-variable-type")
                .selected_text(self.ty.to_string())
                .show_ui(ui, |ui| {
                    for t in [
                        VarType::Number,
                        VarType::Bool,
                        VarType::Unit,
                        VarType::Position,
                    ] {
                        ui.selectable_value(&mut self.ty, t, t.to_string());
                    }
                });
            if ui.button("Add").clicked() {
                let name = self.name.trim().to_owned();
                self.error = if name.is_empty() {
                    Some("Type a name first.".into())
                } else if graph.variable(&name).is_some() {
                    Some(format!("There is already a variable called \"{name}\"."))
                } else {
                    action = Some(VariableAction::Add(Variable { name, ty: self.ty }));
                    self.name.clear();
                    None
                };
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(
                Color32::from_rgb(255, 110, 110),
                aether_base::text::escape_output(e).as_ref(),
            );
        }
        action
    }
}

/// Shows a one-line search box labelled by `label` (for screen readers and tests) that selects
/// its whole text when the keyboard comes back to it, so typing replaces the last search.
pub fn search_box(ui: &mut egui::Ui, edit: egui::TextEdit<'_>, label: egui::Id) -> egui::Response {
    let output = edit.show(ui);
    let response = output.response.response.clone().labelled_by(label);
    if response.gained_focus() {
        let mut state = output.state;
        let end = egui::text::CCursor::new(output.galley.text().chars().count());
        state
            .cursor
            .set_char_range(Some(egui::text::CCursorRange::two(
                egui::text::CCursor::new(0),
                end,
            )));
        state.store(ui.ctx(), response.id);
    }
    response
}
