//! The open document: the core graph (the truth), where it lives on disk, and its edit history.
//!
//! No egui here. Every change to the graph goes through [`Document::edit`], which records the
//! graph as it was for undo. Edits that belong to one gesture (dragging a node, dragging a number)
//! share a *gesture key* and become one undo step.

use std::path::{Path, PathBuf};

use aether_lang::VisualScriptGraph;
use aether_lang::check::{self, Diagnostic};

/// How many undo steps are kept.
const HISTORY: usize = 500;

/// One open graph.
#[derive(Debug)]
pub struct Document {
    graph: VisualScriptGraph,
    /// The file it was opened from or last saved to; `None` for a new, unsaved graph.
    pub path: Option<PathBuf>,
    /// Bumped on every change (edit, undo, redo, load); the canvas and the preview compare it.
    version: u64,
    /// Bumped on every change except a layout-only one (moving nodes): what the canvas's wiring
    /// and the preview depend on.
    structure_version: u64,
    /// `version` when last saved or opened (a new graph counts as saved until edited).
    saved_version: Option<u64>,
    /// The graph as last saved or opened (`None`: recovered work, never saved): undoing back to
    /// it makes the document clean again.
    saved_graph: Option<VisualScriptGraph>,
    /// Whether the graph differs from `saved_graph`, worked out once per version.
    dirty: std::cell::Cell<Option<(u64, bool)>>,
    undo: Vec<(VisualScriptGraph, &'static str)>,
    redo: Vec<(VisualScriptGraph, &'static str)>,
    /// The key of the gesture the last edit belonged to; a new edit with the same key merges.
    gesture: Option<String>,
    diagnostics: Vec<Diagnostic>,
}

impl Document {
    /// A document holding `graph`, from `path` if it was read from a file.
    pub fn new(graph: VisualScriptGraph, path: Option<PathBuf>) -> Self {
        let diagnostics = check::check(&graph);
        Self {
            saved_graph: Some(graph.clone()),
            dirty: std::cell::Cell::new(None),
            graph,
            saved_version: Some(0),
            path,
            version: 0,
            structure_version: 0,
            undo: Vec::new(),
            redo: Vec::new(),
            gesture: None,
            diagnostics,
        }
    }

    /// The graph.
    pub fn graph(&self) -> &VisualScriptGraph {
        &self.graph
    }

    /// The checker's findings for the current graph.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Changes on every edit, undo and redo.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Changes on every edit, undo and redo except moving nodes: the preview and the canvas's
    /// nodes and wires depend only on this.
    pub fn structure_version(&self) -> u64 {
        self.structure_version
    }

    /// Whether there are changes not yet saved to `path`.
    pub fn is_dirty(&self) -> bool {
        if self.saved_version == Some(self.version) {
            return false;
        }
        if let Some((v, dirty)) = self.dirty.get()
            && v == self.version
        {
            return dirty;
        }
        let dirty = self.saved_graph.as_ref() != Some(&self.graph);
        self.dirty.set(Some((self.version, dirty)));
        dirty
    }

    /// The file name to show: the file's name, or "Untitled".
    pub fn title(&self) -> String {
        self.path.as_deref().and_then(Path::file_name).map_or_else(
            || "Untitled".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// Applies `change` to the graph as one undoable step called `what` ("Add Attack").
    /// With a `gesture` key equal to the previous edit's, the two become one step.
    pub fn edit<R>(
        &mut self,
        what: &'static str,
        gesture: Option<String>,
        change: impl FnOnce(&mut VisualScriptGraph) -> R,
    ) -> R {
        self.record(what, gesture);
        let out = change(&mut self.graph);
        self.changed();
        out
    }

    /// Keeps the graph as it is for undo, unless this edit continues the last one's gesture.
    fn record(&mut self, what: &'static str, gesture: Option<String>) {
        let merge = gesture.is_some() && gesture == self.gesture;
        if !merge {
            self.undo.push((self.graph.clone(), what));
            if self.undo.len() > HISTORY {
                self.undo.remove(0);
            }
        }
        self.gesture = gesture;
        self.redo.clear();
    }

    /// Like [`edit`](Self::edit) for a change of layout only (node positions): diagnostics, the
    /// preview and the canvas's wiring do not depend on positions, so only [`version`](Self::version)
    /// changes, not [`structure_version`](Self::structure_version), and the checker does not run
    /// again (dragging a node in a big graph stays cheap).
    pub fn edit_layout(
        &mut self,
        what: &'static str,
        gesture: Option<String>,
        change: impl FnOnce(&mut VisualScriptGraph),
    ) {
        self.record(what, gesture);
        change(&mut self.graph);
        self.version += 1;
    }

    /// Ends the current gesture: the next edit starts a new undo step even with the same key.
    pub fn end_gesture(&mut self) {
        self.gesture = None;
    }

    /// Undoes the last step; returns its name, or `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Option<&'static str> {
        let (graph, what) = self.undo.pop()?;
        let now = std::mem::replace(&mut self.graph, graph);
        self.redo.push((now, what));
        self.gesture = None;
        self.changed();
        Some(what)
    }

    /// Redoes the last undone step; returns its name.
    pub fn redo(&mut self) -> Option<&'static str> {
        let (graph, what) = self.redo.pop()?;
        let now = std::mem::replace(&mut self.graph, graph);
        self.undo.push((now, what));
        self.gesture = None;
        self.changed();
        Some(what)
    }

    /// The name of the step Undo would undo.
    pub fn undo_name(&self) -> Option<&'static str> {
        self.undo.last().map(|(_, w)| *w)
    }

    /// The graph as last saved or opened, if it was (recovered work never saved has none).
    pub fn saved_graph(&self) -> Option<&VisualScriptGraph> {
        self.saved_graph.as_ref()
    }

    /// How many steps Undo can go back.
    pub fn undo_steps(&self) -> usize {
        self.undo.len()
    }

    /// The graph as it was before the last `n` undoable steps (1: before the last edit).
    pub fn graph_before(&self, n: usize) -> Option<&VisualScriptGraph> {
        let at = self.undo.len().checked_sub(n)?;
        self.undo.get(at).map(|(g, _)| g)
    }

    /// The name of the step Redo would redo.
    pub fn redo_name(&self) -> Option<&'static str> {
        self.redo.last().map(|(_, w)| *w)
    }

    /// Writes the graph to `path` atomically and makes it the document's file.
    pub fn save_as(&mut self, path: &Path) -> Result<(), String> {
        self.graph.save(path).map_err(|e| e.to_string())?;
        self.path = Some(path.to_path_buf());
        self.saved_version = Some(self.version);
        self.saved_graph = Some(self.graph.clone());
        Ok(())
    }

    /// Marks the document as holding unsaved changes (a recovered autosave).
    pub fn mark_dirty(&mut self) {
        self.saved_version = None;
        self.saved_graph = None;
    }

    fn changed(&mut self) {
        self.version += 1;
        self.structure_version += 1;
        self.diagnostics = check::check(&self.graph);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_redo_and_gestures() {
        let mut doc = Document::new(VisualScriptGraph::new(), None);
        assert!(!doc.is_dirty(), "nothing to save before the first edit");
        let a = doc.edit("Add", None, |g| g.add_node("on_turn", [0.0, 0.0]));
        assert!(doc.is_dirty());
        for step in 0..5 {
            doc.edit("Move", Some(format!("move {a}")), |g| {
                if let Some(n) = g.node_mut(a) {
                    n.pos[0] = step as f32;
                }
            });
        }
        assert_eq!(doc.graph().node(a).map(|n| n.pos[0]), Some(4.0));
        let structure = doc.structure_version();
        doc.edit_layout("Move", Some(format!("move {a}")), |g| {
            if let Some(n) = g.node_mut(a) {
                n.pos[0] = 4.0;
            }
        });
        assert_eq!(
            doc.structure_version(),
            structure,
            "a move changes no structure"
        );
        assert_eq!(doc.undo(), Some("Move"));
        assert_eq!(doc.graph().node(a).map(|n| n.pos[0]), Some(0.0), "one step");
        assert_eq!(doc.undo(), Some("Add"));
        assert!(doc.graph().node(a).is_none());
        assert_eq!(doc.undo(), None);
        assert_eq!(doc.redo(), Some("Add"));
        assert_eq!(doc.redo(), Some("Move"));
        assert_eq!(doc.graph().node(a).map(|n| n.pos[0]), Some(4.0));
    }
}
