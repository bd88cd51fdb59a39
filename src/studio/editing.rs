//! The edit commands: what the user did on the canvas ([`Intent`]s) and the Edit menu's
//! commands (add, undo, redo, cut, copy, paste, duplicate, delete, comment, make function),
//! each one undoable edit of the document. What an edit does to the graph is the core's
//! (`aether_lang::edit`, `aether_lang::make_function`, where the command line and the tests use
//! it too); here it gets its undo name, its selection and its words on the status line.

use aether_lang::catalog::{self, PinType};
use aether_lang::edit;
use aether_lang::graph::{NodeId, PortRef, VisualScriptGraph};

use super::Studio;
use super::canvas::Intent;
use super::palette::AddMenu;

impl Studio {
    /// Applies what the user did on the canvas to the core graph.
    pub fn apply(&mut self, intents: Vec<Intent>) {
        for intent in intents {
            match intent {
                Intent::Connect { from, to } => {
                    self.doc
                        .edit("Connect", None, |g| edit::connect_replacing(g, from, to));
                    self.edited();
                }
                Intent::Disconnect { from, to } => {
                    self.doc.edit("Disconnect", None, |g| {
                        edit::disconnect_between(g, &from, &to)
                    });
                    self.edited();
                }
                Intent::Delete(nodes) => {
                    self.doc
                        .edit("Delete", None, |g| edit::delete_nodes(g, &nodes));
                    self.edited();
                }
                Intent::Move { nodes, delta } => {
                    self.doc.edit_layout("Move", Some("move".into()), |g| {
                        edit::move_nodes(g, &nodes, delta)
                    });
                }
                Intent::SetValue {
                    node,
                    key,
                    value,
                    dragging,
                } => {
                    let gesture = dragging.then(|| format!("value {node} {key}"));
                    self.doc
                        .edit("Set value", gesture, |g| g.set_value(node, key, value));
                    self.edited();
                }
                Intent::OpenAdd { screen, at, from } => {
                    self.add_menu = Some(AddMenu::new(screen, at, from));
                }
                Intent::ToggleBreakpoint(node) => self.debugger.toggle(node),
                Intent::MoveComment { index, delta } => {
                    // The nodes it carries are those inside it when the drag began (not those
                    // it passes over).
                    let carried = match &self.carrying {
                        Some((i, nodes)) if *i == index => nodes.clone(),
                        _ => {
                            let nodes = edit::frame_contents(self.doc.graph(), index);
                            self.carrying = Some((index, nodes.clone()));
                            nodes
                        }
                    };
                    self.doc
                        .edit_layout("Move frame", Some(format!("frame{index}")), |g| {
                            edit::move_frame(g, index, &carried, delta)
                        });
                }
                Intent::ResizeComment { index, size } => {
                    self.doc
                        .edit_layout("Resize frame", Some(format!("frame-size{index}")), |g| {
                            if let Some(c) = g.comments.get_mut(index) {
                                c.size = size;
                            }
                        });
                }
                Intent::InsertReroute { from, to, at } => {
                    let mut added = None;
                    self.doc.edit("Add reroute", None, |g| {
                        added = edit::insert_reroute(g, &from, &to, at);
                    });
                    if added.is_some() {
                        self.edited();
                    }
                }
                Intent::Refused(reason) => {
                    self.status = format!("Not connected: {reason}.");
                }
                Intent::OpenFunction(f) => self.open_function(Some(f)),
            }
        }
    }

    /// A structural edit was made: the previews follow.
    pub(super) fn edited(&mut self) {
        self.live.edited();
    }

    /// Adds a node of `kind` at canvas point `at`; wired to `from` if given. Returns its id.
    pub fn add_node(
        &mut self,
        kind: &str,
        at: [f32; 2],
        from: Option<(PortRef, bool, PinType)>,
    ) -> NodeId {
        let scope = self.canvas.scope();
        let id = self.doc.edit("Add node", None, |g| {
            edit::add_node_wired(g, kind, at, scope, from)
        });
        self.select_after_sync = Some(vec![id]);
        self.edited();
        let name = catalog::spec(kind).map_or(kind, |s| s.name);
        self.status = format!("Added {name} {id}.");
        id
    }

    /// Undoes the last edit.
    pub fn undo(&mut self) {
        match self.doc.undo() {
            Some(what) => self.status = format!("Undid {what}."),
            None => self.status = "Nothing to undo.".into(),
        }
        self.edited();
    }

    /// Redoes the last undone edit.
    pub fn redo(&mut self) {
        match self.doc.redo() {
            Some(what) => self.status = format!("Redid {what}."),
            None => self.status = "Nothing to redo.".into(),
        }
        self.edited();
    }

    /// Selects every node of the canvas shown.
    pub(super) fn select_all(&mut self) {
        let all: Vec<NodeId> = self.doc.graph().nodes().map(|n| n.id).collect();
        self.canvas.select(&all);
    }

    /// Deletes the selected nodes.
    pub fn delete_selection(&mut self) {
        let sel = self.canvas.selection();
        if sel.is_empty() {
            return;
        }
        self.apply(vec![Intent::Delete(sel.clone())]);
        self.status = format!("Deleted {} node(s).", sel.len());
    }

    /// Copies (or cuts) the selection to the clipboard as graph file text.
    pub fn copy(&mut self, ctx: &egui::Context, cut: bool) {
        let sel = self.canvas.selection();
        if sel.is_empty() {
            self.status = "Select nodes to copy first.".into();
            return;
        }
        let text = self.doc.graph().fragment(&sel).to_json();
        ctx.copy_text(text.clone());
        self.clipboard = Some(text);
        if cut {
            self.apply(vec![Intent::Delete(sel.clone())]);
        }
        self.status = format!(
            "{} {} node(s).",
            if cut { "Cut" } else { "Copied" },
            sel.len()
        );
    }

    /// Pastes graph file text (from this or another graph) with its top-left node at `at`.
    pub fn paste(&mut self, text: &str, at: Option<[f32; 2]>) {
        let frag = match VisualScriptGraph::from_json(text) {
            Ok(f) if f.nodes().next().is_some() => f,
            _ => {
                self.status = "The clipboard holds no nodes.".into();
                return;
            }
        };
        let target = at.unwrap_or_else(|| {
            let c = self.canvas.centre();
            [c[0] - 100.0, c[1] - 60.0]
        });
        let scope = self.canvas.scope();
        let ids = self
            .doc
            .edit("Paste", None, |g| edit::paste_at(g, &frag, target, scope));
        self.status = format!("Pasted {} node(s).", ids.len());
        self.select_after_sync = Some(ids);
        self.edited();
    }

    /// Duplicates the selection beside itself.
    pub fn duplicate(&mut self) {
        let sel = self.canvas.selection();
        if sel.is_empty() {
            return;
        }
        let frag = self.doc.graph().fragment(&sel);
        let scope = self.canvas.scope();
        let ids = self.doc.edit("Duplicate", None, |g| {
            g.merge_into(&frag, [40.0, 40.0], scope)
        });
        self.status = format!("Duplicated {} node(s).", ids.len());
        self.select_after_sync = Some(ids);
        self.edited();
    }

    /// Adds a comment around the selected nodes (or in the middle of the view).
    pub fn add_comment(&mut self) {
        let sel = self.canvas.selection();
        let rects: Vec<egui::Rect> = sel
            .iter()
            .filter_map(|n| self.canvas.node_rect(*n))
            .collect();
        let (pos, size) = if rects.is_empty() {
            let c = self.canvas.centre();
            ([c[0] - 150.0, c[1] - 80.0], [300.0, 160.0])
        } else {
            let r = rects.iter().fold(egui::Rect::NOTHING, |a, b| a.union(*b));
            let min = self.canvas.canvas_at(r.min);
            let max = self.canvas.canvas_at(r.max);
            (
                [min[0] - 20.0, min[1] - 40.0],
                [max[0] - min[0] + 40.0, max[1] - min[1] + 60.0],
            )
        };
        self.doc
            .edit("Add comment", None, |g| edit::add_comment(g, pos, size));
        self.status = "Added a comment; edit its text in the Comments list.".into();
    }

    /// Ctrl+G: the selected nodes become a function and a call of it takes their place; or the
    /// status line says why not, the graph unchanged.
    pub fn make_function(&mut self) {
        let sel = self.canvas.selection();
        if sel.is_empty() {
            self.status =
                "Select the nodes to make into a function first (Ctrl+click or drag a box).".into();
            return;
        }
        let mut trial = self.doc.graph().clone();
        match aether_lang::make_function::make_function(&mut trial, &sel, "My function") {
            Err(why) => {
                // Where the user looks, not only in the status line.
                self.status = format!("Could not make a function: {why}.");
                self.dialogs.error = Some(format!(
                    "Could not make a function from the {} selected node(s): {why}. The graph \
                     is unchanged.",
                    sel.len()
                ));
            }
            Ok(made) => {
                let name = trial
                    .function(made.function)
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
                let names = |ids: &[NodeId]| {
                    let g = self.doc.graph();
                    ids.iter()
                        .map(|n| {
                            let kind = g
                                .node(*n)
                                .and_then(|n| aether_lang::catalog::spec(&n.kind))
                                .map_or("a node", |s| s.name);
                            format!("{kind} {n}")
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut also = String::new();
                if !made.pulled_in.is_empty() {
                    also.push_str(&format!(
                        ", with {} it reads moved in too ({})",
                        made.pulled_in.len(),
                        names(&made.pulled_in)
                    ));
                }
                if !made.copied_in.is_empty() {
                    also.push_str(&format!(
                        ", and a copy of {} it reads that is also read outside ({})",
                        made.copied_in.len(),
                        names(&made.copied_in)
                    ));
                }
                self.doc.edit("Make function", None, |g| *g = trial);
                self.select_after_sync = Some(vec![made.call]);
                self.status = format!(
                    "Made the function {name} from the {} selected node(s){also}; double-click its call to open it, rename it under Functions.",
                    sel.len()
                );
                self.edited();
            }
        }
    }

    /// F9: a breakpoint on each selected node (or off, where there is one).
    pub fn toggle_breakpoints(&mut self) {
        let selected = self.canvas.selection();
        if selected.is_empty() {
            self.status = "Select a node first, then press F9 to pause the turn before it.".into();
            return;
        }
        for n in selected {
            self.debugger.toggle(n);
        }
    }
}
