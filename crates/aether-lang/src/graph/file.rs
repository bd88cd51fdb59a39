//! The graph file format, `*.mcgraph.json`: versioned, the core's own, and made to diff well.
//!
//! ```json
//! {
//!   "format": "creator-studio/visual-script",
//!   "version": 1,
//!   "kind": "ai_controller",
//!   "name": "melee-rusher",
//!   "ai_version": "1.0.0",
//!   "description": "Every unit charges the nearest enemy.",
//!   "next_node": 4,
//!   "next_link": 3,
//!   "variables": [
//!     {"name": "target", "type": "unit"}
//!   ],
//!   "nodes": [
//!     {"id": 1, "kind": "on_turn", "x": 0, "y": 0},
//!     {"id": 2, "kind": "for_each_unit", "x": 220, "y": 0, "values": {"which": "mine"}}
//!   ],
//!   "links": [
//!     {"id": 1, "from": [1, "then"], "to": [2, "exec"]}
//!   ],
//!   "comments": []
//! }
//! ```
//!
//! A graph with functions (format 3) also has `"next_function"` and `"functions"` (one per line:
//! id, name, typed inputs and outputs), and each node on a function's canvas says so with `"in"`;
//! a function's nodes store the short kind (`"fn:call:1"`, `"fn:in:1"`, `"fn:out:1"`) and take
//! their ports from the function when loaded.
//!
//! Nodes and links are sorted by id, one per line; keys come in a fixed order; the same graph
//! always gives the same bytes. The file is never the editor library's state.
//!
//! Loading never panics. The header is read first, so a file from a newer studio gets "written by
//! a newer version" rather than a complaint about a field this version does not know. JSON
//! mistakes report their line and column; structural mistakes (a duplicate id, a link to a node
//! that does not exist) name the node or link. Semantic problems (unknown node kinds, bad types,
//! cycles) are not load errors: the checker reports them all, on the nodes, so the creator can
//! open the file and fix them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{
    Comment, Function, FunctionId, Link, LinkId, Node, NodeId, PortRef, ScriptKind, Value,
    Variable, VisualScriptGraph,
};
use aether_base::jsonfmt::{json_str, json_value, strip_position, write_list};

/// The `format` tag of a graph file.
pub const FORMAT: &str = "creator-studio/visual-script";
/// The newest file-format version this studio reads. Version 2 added world scripts
/// (`"kind": "world_script"`), version 3 functions (`"functions"`, a node's `"in"`); a file is
/// written with the oldest version that holds it, so AI controllers without functions are still
/// version 1 and open in studios that know no world scripts.
pub const VERSION: u32 = 3;

/// The format version a graph of `kind` without functions is written with.
pub fn version_for(kind: ScriptKind) -> u32 {
    match kind {
        ScriptKind::AiController => 1,
        ScriptKind::WorldScript => 2,
    }
}

/// The format version `graph` is written with: 3 when it has functions, else by its kind.
pub fn version_of(graph: &VisualScriptGraph) -> u32 {
    if graph.functions.is_empty() {
        version_for(graph.kind)
    } else {
        3
    }
}
/// The conventional file-name ending.
pub const EXTENSION: &str = ".mcgraph.json";

/// Why a graph file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GraphFileError {
    /// The file could not be read or written.
    #[error("{}", aether_base::fsutil::explain_io(path, action, source))]
    Io {
        /// The file.
        path: PathBuf,
        /// "reading" or "writing".
        action: &'static str,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Not JSON, or not the expected fields and types.
    #[error("{}line {line}, column {column}: {message}", aether_base::jsonfmt::path_prefix(.path))]
    Json {
        /// The file, when loaded from disk.
        path: Option<PathBuf>,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The JSON is not a visual-script graph (no or another `format` tag).
    #[error("{}this is not a Creator Studio graph file (its \"format\" is {found}, expected \"{FORMAT}\")", aether_base::jsonfmt::path_prefix(.path))]
    NotAGraph {
        /// The file, when loaded from disk.
        path: Option<PathBuf>,
        /// The format found, quoted, or "missing".
        found: String,
    },
    /// Written by a newer studio.
    #[error("{}the file is format version {found}, written by a newer Creator Studio; this one reads up to version {VERSION}. Update Creator Studio to open it", aether_base::jsonfmt::path_prefix(.path))]
    FutureVersion {
        /// The file, when loaded from disk.
        path: Option<PathBuf>,
        /// The version found.
        found: u32,
    },
    /// The nodes, links or variables contradict each other.
    #[error("{}{problem}", aether_base::jsonfmt::path_prefix(.path))]
    Structure {
        /// The file, when loaded from disk.
        path: Option<PathBuf>,
        /// What is wrong, naming the node, link or variable.
        problem: String,
    },
}

impl GraphFileError {
    fn at(mut self, file: &Path) -> Self {
        match &mut self {
            GraphFileError::Io { .. } => {}
            GraphFileError::Json { path, .. }
            | GraphFileError::NotAGraph { path, .. }
            | GraphFileError::FutureVersion { path, .. }
            | GraphFileError::Structure { path, .. } => *path = Some(file.to_path_buf()),
        }
        self
    }
}

#[derive(Deserialize)]
struct Header {
    format: Option<serde_json::Value>,
    version: Option<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    format: String,
    version: u32,
    kind: ScriptKind,
    name: String,
    ai_version: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    next_node: u32,
    #[serde(default)]
    next_link: u32,
    #[serde(default)]
    next_function: u32,
    #[serde(default)]
    variables: Vec<Variable>,
    #[serde(default)]
    functions: Vec<Function>,
    nodes: Vec<NodeDoc>,
    #[serde(default)]
    links: Vec<LinkDoc>,
    #[serde(default)]
    comments: Vec<CommentDoc>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeDoc {
    id: NodeId,
    kind: String,
    x: f32,
    y: f32,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    values: BTreeMap<String, Value>,
    /// The function whose canvas the node is on (format 3).
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    function: Option<FunctionId>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkDoc {
    id: LinkId,
    from: (NodeId, String),
    to: (NodeId, String),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentDoc {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
    text: String,
}

fn json_error(e: &serde_json::Error) -> GraphFileError {
    GraphFileError::Json {
        path: None,
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    }
}

impl VisualScriptGraph {
    /// Reads a graph from the text of a graph file.
    pub fn from_json(text: &str) -> Result<VisualScriptGraph, GraphFileError> {
        let header: Header = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        match &header.format {
            Some(serde_json::Value::String(f)) if f == FORMAT => {}
            Some(other) => {
                return Err(GraphFileError::NotAGraph {
                    path: None,
                    found: other.to_string(),
                });
            }
            None => {
                return Err(GraphFileError::NotAGraph {
                    path: None,
                    found: "missing".into(),
                });
            }
        }
        if let Some(found) = header.version.filter(|&v| v > VERSION) {
            return Err(GraphFileError::FutureVersion { path: None, found });
        }
        let doc: FileDoc = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        from_doc(doc)
    }

    /// Reads a graph file; every error names the file.
    pub fn load(path: &Path) -> Result<VisualScriptGraph, GraphFileError> {
        let text =
            aether_base::fsutil::read_text_bounded(path, aether_base::fsutil::MAX_DOCUMENT_BYTES)
                .map_err(|source| GraphFileError::Io {
                path: path.to_path_buf(),
                action: "reading",
                source,
            })?;
        VisualScriptGraph::from_json(&text).map_err(|e| e.at(path))
    }

    /// Writes the graph atomically (beside, then rename); the old file survives any failure.
    pub fn save(&self, path: &Path) -> Result<(), GraphFileError> {
        aether_base::fsutil::write_atomic(path, self.to_json().as_bytes()).map_err(|source| {
            GraphFileError::Io {
                path: path.to_path_buf(),
                action: "writing",
                source,
            }
        })
    }

    /// The graph as file text: fixed key order, one node, link, variable or comment per line.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        let field = |out: &mut String, key: &str, value: String| {
            let _ = writeln!(out, "  {}: {value},", json_str(key));
        };
        field(&mut out, "format", json_str(FORMAT));
        field(&mut out, "version", version_of(self).to_string());
        field(&mut out, "kind", json_value(&self.kind));
        field(&mut out, "name", json_str(&self.name));
        field(&mut out, "ai_version", json_str(&self.version));
        field(&mut out, "description", json_str(&self.description));
        field(&mut out, "next_node", self.next_node.to_string());
        field(&mut out, "next_link", self.next_link.to_string());
        if !self.functions.is_empty() {
            field(&mut out, "next_function", self.next_function.to_string());
        }
        let variables: Vec<String> = self.variables.iter().map(json_value).collect();
        write_list(&mut out, "variables", &variables, false);
        if !self.functions.is_empty() {
            let functions: Vec<String> = self.functions.values().map(json_value).collect();
            write_list(&mut out, "functions", &functions, false);
        }
        let nodes: Vec<String> = self
            .nodes
            .values()
            .map(|n| {
                json_value(&NodeDoc {
                    id: n.id,
                    kind: super::function::file_kind(&n.kind),
                    x: n.pos[0],
                    y: n.pos[1],
                    values: n.values.clone(),
                    function: n.function,
                })
            })
            .collect();
        write_list(&mut out, "nodes", &nodes, false);
        let links: Vec<String> = self
            .links
            .values()
            .map(|l| {
                json_value(&LinkDoc {
                    id: l.id,
                    from: (l.from.node, l.from.port.clone()),
                    to: (l.to.node, l.to.port.clone()),
                })
            })
            .collect();
        write_list(&mut out, "links", &links, false);
        let comments: Vec<String> = self
            .comments
            .iter()
            .map(|c| {
                json_value(&CommentDoc {
                    x: c.pos[0],
                    y: c.pos[1],
                    w: c.size[0],
                    h: c.size[1],
                    text: c.text.clone(),
                })
            })
            .collect();
        write_list(&mut out, "comments", &comments, true);
        out.push_str("}\n");
        out
    }
}

fn from_doc(doc: FileDoc) -> Result<VisualScriptGraph, GraphFileError> {
    let structure = |problem: String| GraphFileError::Structure {
        path: None,
        problem,
    };
    if doc.version < version_for(doc.kind) {
        return Err(structure(format!(
            "a {} needs format version {} or later, but the file says {}",
            doc.kind,
            version_for(doc.kind),
            doc.version
        )));
    }
    let mut graph = VisualScriptGraph::new();
    graph.kind = doc.kind;
    graph.name = doc.name;
    graph.version = doc.ai_version;
    graph.description = doc.description;
    let mut names = BTreeSet::new();
    for v in &doc.variables {
        if !names.insert(v.name.as_str()) {
            return Err(structure(format!(
                "the variable \"{}\" is declared twice",
                v.name
            )));
        }
    }
    graph.variables = doc.variables;
    let uses_functions =
        !doc.functions.is_empty() || doc.nodes.iter().any(|n| n.function.is_some());
    if uses_functions && doc.version < 3 {
        return Err(structure(format!(
            "functions need format version 3 or later, but the file says {}",
            doc.version
        )));
    }
    for (i, f) in doc.functions.into_iter().enumerate() {
        if graph.functions.contains_key(&f.id) {
            return Err(structure(format!(
                "function id {} is used twice (functions[{i}]); every function needs its own id",
                f.id.0
            )));
        }
        if graph.function_named(&f.name).is_some() {
            return Err(structure(format!(
                "two functions are named \"{}\" (functions[{i}]); rename one",
                f.name
            )));
        }
        let mut keys = BTreeSet::new();
        for p in f.inputs.iter().chain(&f.outputs) {
            if !keys.insert(p.key.as_str()) {
                return Err(structure(format!(
                    "the function \"{}\" has two inputs or outputs keyed \"{}\" (functions[{i}])",
                    f.name, p.key
                )));
            }
        }
        graph.functions.insert(f.id, f);
    }
    for (i, n) in doc.nodes.into_iter().enumerate() {
        if let Some(f) = n.function.filter(|f| !graph.functions.contains_key(f)) {
            return Err(structure(format!(
                "node {} (nodes[{i}]) is in function {}, which the file does not declare",
                n.id, f.0
            )));
        }
        if !(n.x.is_finite() && n.y.is_finite()) {
            return Err(structure(format!(
                "node {} (nodes[{i}]) has a position that is not a finite number",
                n.id
            )));
        }
        if graph.nodes.contains_key(&n.id) {
            return Err(structure(format!(
                "node id {} is used twice (nodes[{i}]); every node needs its own id",
                n.id.0
            )));
        }
        graph.nodes.insert(
            n.id,
            Node {
                id: n.id,
                kind: n.kind,
                pos: [n.x, n.y],
                values: n.values,
                function: n.function,
            },
        );
    }
    for (i, l) in doc.links.into_iter().enumerate() {
        if graph.links.contains_key(&l.id) {
            return Err(structure(format!(
                "link id {} is used twice (links[{i}]); every link needs its own id",
                l.id.0
            )));
        }
        for (end, node) in [("starts", l.from.0), ("ends", l.to.0)] {
            if !graph.nodes.contains_key(&node) {
                return Err(structure(format!(
                    "link {} (links[{i}]) {end} at node {}, which does not exist",
                    l.id.0, node.0
                )));
            }
        }
        graph.links.insert(
            l.id,
            Link {
                id: l.id,
                from: PortRef::new(l.from.0, l.from.1),
                to: PortRef::new(l.to.0, l.to.1),
            },
        );
    }
    graph.comments = doc
        .comments
        .into_iter()
        .map(|c| Comment {
            pos: [c.x, c.y],
            size: [c.w, c.h],
            text: c.text,
        })
        .collect();
    // Never hand out an id that is already taken, whatever the file says.
    let max_node = graph.nodes.keys().last().map_or(0, |id| id.0);
    let max_link = graph.links.keys().last().map_or(0, |id| id.0);
    graph.next_node = doc.next_node.max(max_node.saturating_add(1)).max(1);
    graph.next_link = doc.next_link.max(max_link.saturating_add(1)).max(1);
    let max_function = graph.functions.keys().last().map_or(0, |id| id.0);
    graph.next_function = doc.next_function.max(max_function.saturating_add(1)).max(1);
    graph.sync_functions();
    Ok(graph)
}
