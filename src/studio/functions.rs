//! Functions in the studio: the list in the side panel (open one, add a call of it, make one from
//! the selection, save to or add from a library file), the open function's name, inputs and
//! outputs, and the breadcrumb over its canvas that leads back. The edits themselves are the
//! core's (`aether_lang::graph::function`, `make_function`); this module only asks for them.

use aether_lang::VisualScriptGraph;
use aether_lang::graph::{Function, FunctionId, Param, ParamType};
use egui::{Color32, RichText};

/// What the user asked of the functions panel or the breadcrumb.
#[derive(Clone, Debug, PartialEq)]
pub enum FunctionAction {
    /// Show this canvas (`None`: the graph's own).
    Open(Option<FunctionId>),
    /// Add a call of the function on the canvas shown.
    Call(FunctionId),
    /// Make a function of the selected nodes.
    Make,
    /// Find the calls of the function with this name.
    FindUsages(String),
    /// Give the function this name and signature.
    Change(Function),
    /// Add the function's Outputs node.
    AddOutputs(FunctionId),
    /// Delete the function, its nodes and its calls.
    Delete(FunctionId),
    /// Save the graph's functions to a library file.
    SaveLibrary,
    /// Add the functions of a library file.
    LoadLibrary,
}

/// The panel's state: the name being typed for the open function.
#[derive(Debug, Default)]
pub struct FunctionsPanel {
    /// The open function's name as typed, before Enter or leaving the box.
    name: Option<(FunctionId, String)>,
    /// Why the last rename was refused.
    pub error: Option<String>,
}

impl FunctionsPanel {
    /// The list of functions and, when one is open (`scope`), its name, inputs and outputs.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        graph: &VisualScriptGraph,
        scope: Option<FunctionId>,
        selected: usize,
    ) -> Option<FunctionAction> {
        let mut action = None;
        ui.heading("Functions");
        let make = ui
            .add_enabled(
                selected > 0,
                egui::Button::new("Make function from selection  Ctrl+G"),
            )
            .on_hover_text(
                "The selected nodes become a function, and a call of it takes their place",
            );
        if make.clicked() {
            action = Some(FunctionAction::Make);
        }
        for f in graph.functions() {
            ui.horizontal(|ui| {
                let open = scope == Some(f.id);
                let label = if open {
                    RichText::new(format!("✏ {}", f.name)).strong()
                } else {
                    RichText::new(format!("✏ {}", f.name))
                };
                if ui
                    .selectable_label(open, label)
                    .on_hover_text("Open its canvas")
                    .clicked()
                {
                    action = Some(FunctionAction::Open(Some(f.id)));
                }
                let calls = graph.calls_of(f.id).len();
                ui.label(RichText::new(format!("{calls} call(s)")).weak().small());
                if ui
                    .small_button("🔍")
                    .on_hover_text(format!("Find the calls of {}", f.name))
                    .clicked()
                {
                    action = Some(FunctionAction::FindUsages(f.name.clone()));
                }
                if ui
                    .small_button("+ call")
                    .on_hover_text(format!("Add a call of {} on this canvas", f.name))
                    .clicked()
                {
                    action = Some(FunctionAction::Call(f.id));
                }
            });
        }
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    graph.functions().next().is_some(),
                    egui::Button::new("Save to library…"),
                )
                .clicked()
            {
                action = Some(FunctionAction::SaveLibrary);
            }
            if ui.button("Add from library…").clicked() {
                action = Some(FunctionAction::LoadLibrary);
            }
        });
        if let Some(f) = scope.and_then(|id| graph.function(id)) {
            ui.separator();
            if let Some(a) = self.signature_ui(ui, graph, f) {
                action = Some(a);
            }
        }
        action
    }

    fn signature_ui(
        &mut self,
        ui: &mut egui::Ui,
        graph: &VisualScriptGraph,
        f: &Function,
    ) -> Option<FunctionAction> {
        let mut action = None;
        if self.name.as_ref().is_none_or(|(id, _)| *id != f.id) {
            self.name = Some((f.id, f.name.clone()));
        }
        let mut fallback = String::new();
        let typed = match &mut self.name {
            Some((_, text)) => text,
            None => &mut fallback,
        };
        ui.horizontal(|ui| {
            let label = ui.label("Name");
            let edit = ui
                .add(
                    egui::TextEdit::singleline(typed)
                        .id_salt("function-name")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            if edit.lost_focus() && typed.trim() != f.name {
                let name = typed.trim().to_owned();
                if name.is_empty() {
                    self.error = Some("A function needs a name.".into());
                } else if graph.function_named(&name).is_some() {
                    self.error = Some(format!("There is already a function named {name}."));
                } else {
                    self.error = None;
                    action = Some(FunctionAction::Change(Function { name, ..f.clone() }));
                }
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(
                Color32::from_rgb(240, 120, 100),
                aether_base::text::escape_output(e).as_ref(),
            );
        }
        for outputs in [false, true] {
            let list = if outputs { &f.outputs } else { &f.inputs };
            ui.label(RichText::new(if outputs { "Outputs" } else { "Inputs" }).strong());
            for (i, p) in list.iter().enumerate() {
                ui.horizontal(|ui| {
                    ui.label(&p.name);
                    let mut ty = p.ty;
                    egui::ComboBox::from_id_salt(("param-type", f.id.0, outputs, i))
                        .selected_text(ty.name())
                        .show_ui(ui, |ui| {
                            for t in ParamType::ALL {
                                ui.selectable_value(&mut ty, t, t.name());
                            }
                        });
                    if ty != p.ty {
                        action = Some(with_params(f, outputs, |l| l[i].ty = ty));
                    }
                    if ui
                        .small_button("✖")
                        .on_hover_text("Remove it (its wires go)")
                        .clicked()
                    {
                        action = Some(with_params(f, outputs, |l| {
                            l.remove(i);
                        }));
                    }
                });
            }
            let add = if outputs { "+ Output" } else { "+ Input" };
            if ui.small_button(add).clicked() {
                let key = f.fresh_key();
                let base = if outputs { "Result" } else { "Value" };
                let taken = |n: &str| list.iter().any(|p| p.name == n);
                let name = std::iter::once(base.to_owned())
                    .chain((2..).map(|k| format!("{base} {k}")))
                    .find(|n| !taken(n))
                    .unwrap_or_default();
                let p = Param {
                    key,
                    name,
                    ty: ParamType::Number,
                };
                action = Some(with_params(f, outputs, |l| l.push(p)));
            }
        }
        if !f.outputs.is_empty() && graph.function_ends(f.id).1.is_none() {
            ui.label(
                RichText::new("Its results need an Outputs node to be set.")
                    .color(Color32::from_rgb(240, 190, 60)),
            );
            if ui.button("Add the Outputs node").clicked() {
                action = Some(FunctionAction::AddOutputs(f.id));
            }
        }
        ui.add_space(4.0);
        if ui
            .button(RichText::new("Delete function").color(Color32::from_rgb(240, 120, 100)))
            .on_hover_text("Deletes the function and every call of it (Ctrl+Z brings them back)")
            .clicked()
        {
            action = Some(FunctionAction::Delete(f.id));
        }
        action
    }

    /// The breadcrumb over a function's canvas (its top-left corner at `at`): the graph, then
    /// each function opened on the way; a click goes back there.
    pub fn breadcrumb(
        &self,
        ctx: &egui::Context,
        at: egui::Pos2,
        graph: &VisualScriptGraph,
        trail: &[FunctionId],
    ) -> Option<FunctionAction> {
        if trail.is_empty() {
            return None;
        }
        let mut action = None;
        egui::Area::new(egui::Id::new("function-breadcrumb"))
            .fixed_pos(at)
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.horizontal(|ui| {
                        if ui
                            .button(format!("⬅ {}", graph.name))
                            .on_hover_text("Back to the graph's own canvas")
                            .clicked()
                        {
                            action = Some(FunctionAction::Open(None));
                        }
                        for (i, id) in trail.iter().enumerate() {
                            ui.label("›");
                            let name = graph.function(*id).map_or("?", |f| f.name.as_str());
                            let last = i + 1 == trail.len();
                            let text = if last {
                                RichText::new(name).strong()
                            } else {
                                RichText::new(name)
                            };
                            if ui.selectable_label(last, text).clicked() && !last {
                                action = Some(FunctionAction::Open(Some(*id)));
                            }
                        }
                    });
                });
            });
        action
    }
}

/// `f` with its inputs (or, `outputs`, its outputs) changed by `change`, as an edit to ask for.
fn with_params(
    f: &Function,
    outputs: bool,
    change: impl FnOnce(&mut Vec<Param>),
) -> FunctionAction {
    let mut changed = f.clone();
    change(if outputs {
        &mut changed.outputs
    } else {
        &mut changed.inputs
    });
    FunctionAction::Change(changed)
}
