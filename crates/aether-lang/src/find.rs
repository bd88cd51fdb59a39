//! Finding things in a graph: nodes by their name, number or the text typed on them, comments by
//! their text, variables by name with every node that uses them, functions by name with their
//! calls. What the editor's Find (Ctrl+F)
//! and `creator-studio find` show.

use crate::graph::{NodeId, Value, VisualScriptGraph};

/// What a match is.
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    /// A node.
    Node(NodeId),
    /// A comment (by index in [`VisualScriptGraph::comments`]), at its top-left corner.
    Comment(usize, [f32; 2]),
    /// A variable: the nodes that get or set it.
    Variable(String, Vec<NodeId>),
    /// A function: its calls.
    Function(crate::graph::FunctionId, Vec<NodeId>),
}

/// One match, with its words for a list.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// What matched.
    pub found: Found,
    /// How a list shows it ("Attack #4", "comment: Retreat when hurt", "variable goal: 3 uses").
    pub label: String,
}

impl Match {
    /// The nodes to select to show it (none for a comment).
    pub fn nodes(&self) -> Vec<NodeId> {
        match &self.found {
            Found::Node(n) => vec![*n],
            Found::Comment(..) => Vec::new(),
            Found::Variable(_, uses) | Found::Function(_, uses) => uses.clone(),
        }
    }
}

/// The nodes that get or set variable `name`, in id order.
pub fn usages(graph: &VisualScriptGraph, name: &str) -> Vec<NodeId> {
    graph
        .nodes()
        .filter(|n| matches!(n.values.get("variable"), Some(Value::Choice(v)) if v == name))
        .map(|n| n.id)
        .collect()
}

/// Everything in `graph` that `query` names, case-insensitively: variables first (with their
/// uses), then nodes in id order (by name, by "#id", by a text or choice typed on them), then
/// comments. An empty query finds nothing.
pub fn find(graph: &VisualScriptGraph, query: &str) -> Vec<Match> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let has = |text: &str| text.to_lowercase().contains(&q);
    let mut out = Vec::new();
    for v in &graph.variables {
        if has(&v.name) {
            let uses = usages(graph, &v.name);
            out.push(Match {
                label: format!(
                    "variable {}: {} use{}",
                    v.name,
                    uses.len(),
                    if uses.len() == 1 { "" } else { "s" }
                ),
                found: Found::Variable(v.name.clone(), uses),
            });
        }
    }
    for f in graph.functions() {
        if has(&f.name) {
            let calls = graph.calls_of(f.id);
            out.push(Match {
                label: format!(
                    "function {}: {} call{}",
                    f.name,
                    calls.len(),
                    if calls.len() == 1 { "" } else { "s" }
                ),
                found: Found::Function(f.id, calls),
            });
        }
    }
    for n in graph.nodes() {
        let name = crate::catalog::spec(&n.kind).map_or(n.kind.as_str(), |s| s.name);
        let title = format!("{name} {}", n.id);
        let typed = n.values.values().find_map(|v| match v {
            Value::Choice(t) if has(t) => Some(t.as_str()),
            _ => None,
        });
        if has(&title) || has(&crate::graph::function::file_kind(&n.kind)) {
            out.push(Match {
                found: Found::Node(n.id),
                label: title,
            });
        } else if let Some(t) = typed {
            out.push(Match {
                found: Found::Node(n.id),
                label: format!("{title}: \u{201c}{t}\u{201d}"),
            });
        }
    }
    for (i, c) in graph.comments.iter().enumerate() {
        if has(&c.text) {
            let first = c.text.lines().next().unwrap_or_default();
            out.push(Match {
                found: Found::Comment(i, c.pos),
                label: format!("comment: {first}"),
            });
        }
    }
    out
}
