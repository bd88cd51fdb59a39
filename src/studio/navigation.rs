//! Going to a place in the graph: what Find found, a node (on whatever canvas it is), a
//! function's canvas with the breadcrumb's trail kept, and the graph's own canvas again when
//! the function shown is gone (an undo may take it away).

use aether_lang::find::{Found, Match};
use aether_lang::graph::{FunctionId, NodeId};

use super::Studio;

impl Studio {
    /// Goes to what Find found: selects its nodes (a variable's uses: all of them) and brings
    /// the first into view, or brings a comment into view.
    pub fn show_match(&mut self, m: &Match) {
        let nodes = m.nodes();
        match (nodes.first(), &m.found) {
            (Some(first), _) => {
                self.go_to_canvas_of(*first);
                self.canvas.select(&nodes);
                self.select_after_sync = Some(nodes.clone());
                self.canvas.focus(*first);
                self.status = format!("Found {}", m.label);
            }
            (None, Found::Comment(_, pos)) => {
                self.canvas.focus_point(*pos);
                self.status = format!("Found {}", m.label);
            }
            (None, _) => {
                self.status = format!("{}: nothing to show", m.label);
            }
        }
    }

    /// Selects `node` and brings it into view (opening the function it is in).
    pub fn show_node(&mut self, node: NodeId) {
        self.go_to_canvas_of(node);
        self.canvas.select(&[node]);
        // On a canvas just opened the node is drawn from the next sync: select it then too.
        self.select_after_sync = Some(vec![node]);
        self.canvas.focus(node);
    }

    /// Shows the canvas `node` is on, if it is not the one shown.
    pub(super) fn go_to_canvas_of(&mut self, node: NodeId) {
        let Some(scope) = self.doc.graph().node(node).map(|n| n.function) else {
            return;
        };
        if scope != self.canvas.scope() {
            self.open_function(scope);
        }
    }

    /// Shows a function's canvas (`None`: the graph's own), keeping the breadcrumb's trail.
    pub fn open_function(&mut self, f: Option<FunctionId>) {
        match f {
            None => self.trail.clear(),
            Some(f) => match self.trail.iter().position(|t| *t == f) {
                Some(i) => self.trail.truncate(i + 1),
                None => {
                    // Opened from elsewhere than the canvas shown: the trail is the graph, then it.
                    let from_here = self.canvas.scope() == self.trail.last().copied()
                        && self.doc.graph().calls_of(f).iter().any(|c| {
                            self.doc.graph().node(*c).map(|n| n.function)
                                == Some(self.canvas.scope())
                        });
                    if !from_here {
                        self.trail.clear();
                    }
                    self.trail.push(f);
                }
            },
        }
        self.canvas.set_scope(f);
        if let Some(name) = f
            .and_then(|f| self.doc.graph().function(f))
            .map(|f| f.name.clone())
        {
            self.status = format!("Editing the function {name}: every call of it changes with it.");
        } else if self.status.starts_with("Editing the function ") {
            // Back on the graph's own canvas: the status no longer says a function is open.
            self.status = "Back on the graph's own canvas.".into();
        }
    }

    /// The canvas's function still exists (an undo may take it away); else the graph's own.
    pub(super) fn keep_scope_valid(&mut self) {
        if let Some(f) = self.canvas.scope()
            && self.doc.graph().function(f).is_none()
        {
            self.open_function(None);
        }
        let g = self.doc.graph();
        self.trail.retain(|f| g.function(*f).is_some());
    }
}
