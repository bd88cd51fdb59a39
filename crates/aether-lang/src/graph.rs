//! The visual-script graph: the first stage of the pipeline (graph → check → IR → wasm).
//!
//! A [`VisualScriptGraph`] is plain data: nodes with stable [`NodeId`]s, a kind from the node
//! catalog, an editor position and inline values for their unconnected inputs and settings;
//! links from an output port to an input port, each with a stable [`LinkId`]; graph variables;
//! and comments. Ids are never reused within a graph, so diagnostics, undo history and the
//! node-to-code map can refer to them safely.
//!
//! The model knows nothing of the node catalog's types: a graph may hold nodes of kinds this
//! version does not know (from a newer file) or links between ports of the wrong type. Finding
//! those is the checker's job, which reports them all as diagnostics. The file format lives in
//! [`file`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub mod file;
pub mod function;

pub use function::{Function, FunctionId, Param, ParamType};

/// Identifies a node within its graph; never reused after the node is removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u32);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Identifies a link within its graph; never reused after the link is removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LinkId(pub u32);

impl fmt::Display for LinkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "link {}", self.0)
    }
}

/// One port of one node: the node and the port's key in the catalog (`"then"`, `"target"`…).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PortRef {
    /// The node.
    pub node: NodeId,
    /// The port's key, as the catalog names it.
    pub port: String,
}

impl PortRef {
    /// The port `port` of `node`.
    pub fn new(node: NodeId, port: impl Into<String>) -> Self {
        Self {
            node,
            port: port.into(),
        }
    }
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.node, self.port)
    }
}

/// An inline value: a constant on an unconnected input, or a node setting.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A whole number (the language's Number type is a 32-bit integer).
    Number(i32),
    /// True or false.
    Bool(bool),
    /// One of a setting's named choices (`"mine"`, `"enemies"`…), or a variable's name.
    Choice(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Choice(c) => write!(f, "{c}"),
        }
    }
}

/// One node of the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Its id.
    pub id: NodeId,
    /// Its kind's key in the node catalog (`"on_turn"`, `"attack"`…).
    pub kind: String,
    /// Where the editor draws it (canvas units).
    pub pos: [f32; 2],
    /// Inline values by input or setting key; sorted, so files diff well.
    pub values: BTreeMap<String, Value>,
    /// The function whose canvas it is on; `None` for the graph's own canvas.
    pub function: Option<FunctionId>,
}

/// A wire from an output port to an input port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Its id.
    pub id: LinkId,
    /// The output port the value or execution comes from.
    pub from: PortRef,
    /// The input port it goes to.
    pub to: PortRef,
}

/// The type of a graph variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarType {
    /// A whole number.
    Number,
    /// True or false.
    Bool,
    /// A unit handle, possibly "none".
    Unit,
    /// A tile position.
    Position,
}

impl fmt::Display for VarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VarType::Number => "Number",
            VarType::Bool => "Bool",
            VarType::Unit => "Unit",
            VarType::Position => "Position",
        })
    }
}

/// A named value that lives for one turn, read and written by Get / Set Variable nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    /// Its name, unique in the graph.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: VarType,
}

/// A note on the canvas; it has no effect on behaviour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    /// Where the editor draws it (top-left, canvas units).
    pub pos: [f32; 2],
    /// Its size (canvas units).
    pub size: [f32; 2],
    /// The text.
    pub text: String,
}

/// Which kind of script a graph is: its entry node, allowed nodes, imports and ABI follow from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptKind {
    /// An AI controller: entry On Turn, no imports, the controller contract's exports.
    AiController,
    /// A world script: entries are event nodes (On Start, On Tick…), calls go through the
    /// `"aether"` imports, exports `on_event` (`docs/world-script-abi.md`).
    WorldScript,
}

impl ScriptKind {
    /// Both kinds, in menu order.
    pub const ALL: [ScriptKind; 2] = [ScriptKind::AiController, ScriptKind::WorldScript];

    /// The kind in plain words: "AI controller", "world script".
    pub fn name(self) -> &'static str {
        match self {
            ScriptKind::AiController => "AI controller",
            ScriptKind::WorldScript => "world script",
        }
    }
}

impl fmt::Display for ScriptKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A visual script: what the creator edits and the compiler compiles.
#[derive(Clone, Debug, PartialEq)]
pub struct VisualScriptGraph {
    /// The script kind.
    pub kind: ScriptKind,
    /// The AI's name as its identity announces it (`"melee-rusher"`).
    pub name: String,
    /// The AI's version as its identity announces it (`"1.0.0"`).
    pub version: String,
    /// One or two sentences for whoever picks this graph.
    pub description: String,
    nodes: BTreeMap<NodeId, Node>,
    links: BTreeMap<LinkId, Link>,
    /// Graph variables, in declaration order.
    pub variables: Vec<Variable>,
    /// Canvas comments.
    pub comments: Vec<Comment>,
    /// The graph's functions, by id.
    functions: BTreeMap<FunctionId, Function>,
    next_node: u32,
    next_link: u32,
    next_function: u32,
}

impl Default for VisualScriptGraph {
    fn default() -> Self {
        Self::new()
    }
}

impl VisualScriptGraph {
    /// An empty world-script graph named `my-world-script 0.1.0`.
    pub fn new_world_script() -> Self {
        Self {
            kind: ScriptKind::WorldScript,
            name: "my-world-script".into(),
            ..Self::new()
        }
    }

    /// An empty AI-controller graph named `my-ai 0.1.0`.
    pub fn new() -> Self {
        Self {
            kind: ScriptKind::AiController,
            name: "my-ai".into(),
            version: "0.1.0".into(),
            description: String::new(),
            nodes: BTreeMap::new(),
            links: BTreeMap::new(),
            variables: Vec::new(),
            comments: Vec::new(),
            functions: BTreeMap::new(),
            next_node: 1,
            next_link: 1,
            next_function: 1,
        }
    }

    /// Adds a node of `kind` at `pos` on the graph's own canvas; returns its fresh id.
    pub fn add_node(&mut self, kind: impl Into<String>, pos: [f32; 2]) -> NodeId {
        self.add_node_in(kind, pos, None)
    }

    /// Adds a node of `kind` at `pos` on the canvas of `scope` (a function, or `None` for the
    /// graph's own); returns its fresh id.
    pub fn add_node_in(
        &mut self,
        kind: impl Into<String>,
        pos: [f32; 2],
        scope: Option<FunctionId>,
    ) -> NodeId {
        let id = NodeId(self.next_node);
        self.next_node += 1;
        self.nodes.insert(
            id,
            Node {
                id,
                kind: kind.into(),
                pos,
                values: BTreeMap::new(),
                function: scope,
            },
        );
        id
    }

    /// Removes a node and every link touching it; returns the node if it existed.
    pub fn remove_node(&mut self, id: NodeId) -> Option<Node> {
        let node = self.nodes.remove(&id)?;
        self.links
            .retain(|_, l| l.from.node != id && l.to.node != id);
        Some(node)
    }

    /// The node with this id.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(&id)
    }

    /// The node with this id, to edit.
    pub fn node_mut(&mut self, id: NodeId) -> Option<&mut Node> {
        self.nodes.get_mut(&id)
    }

    /// Every node, by id.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }

    /// Sets an inline value of a node (a constant input or a setting); false if no such node.
    pub fn set_value(&mut self, node: NodeId, key: impl Into<String>, value: Value) -> bool {
        match self.nodes.get_mut(&node) {
            Some(n) => {
                n.values.insert(key.into(), value);
                true
            }
            None => false,
        }
    }

    /// Links `from` (an output) to `to` (an input) and returns the link's id. Does not check
    /// types: the checker reports a bad link with its id, and the editor refuses one before it
    /// gets here.
    pub fn connect(&mut self, from: PortRef, to: PortRef) -> LinkId {
        let id = LinkId(self.next_link);
        self.next_link += 1;
        self.links.insert(id, Link { id, from, to });
        id
    }

    /// Removes a link; returns it if it existed.
    pub fn disconnect(&mut self, id: LinkId) -> Option<Link> {
        self.links.remove(&id)
    }

    /// The link with this id.
    pub fn link(&self, id: LinkId) -> Option<&Link> {
        self.links.get(&id)
    }

    /// Every link, by id.
    pub fn links(&self) -> impl Iterator<Item = &Link> {
        self.links.values()
    }

    /// The links arriving at input `port`.
    pub fn links_into<'a>(&'a self, port: &'a PortRef) -> impl Iterator<Item = &'a Link> + 'a {
        self.links.values().filter(move |l| &l.to == port)
    }

    /// The links leaving output `port`.
    pub fn links_from<'a>(&'a self, port: &'a PortRef) -> impl Iterator<Item = &'a Link> + 'a {
        self.links.values().filter(move |l| &l.from == port)
    }

    /// The variable named `name`.
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.name == name)
    }

    /// A new graph holding copies of the nodes `ids` (ids that name no node are skipped), the
    /// links between them and the variables they use, with this graph's identity. Node ids are
    /// kept, so a fragment's diagnostics read like the original's. Copy, cut and duplicate use it;
    /// its file text ([`to_json`](Self::to_json)) is what goes on the clipboard.
    pub fn fragment(&self, ids: &[NodeId]) -> VisualScriptGraph {
        let mut out = VisualScriptGraph {
            kind: self.kind,
            name: self.name.clone(),
            version: self.version.clone(),
            description: String::new(),
            nodes: BTreeMap::new(),
            links: BTreeMap::new(),
            variables: Vec::new(),
            comments: Vec::new(),
            functions: self.functions.clone(),
            next_node: self.next_node,
            next_link: self.next_link,
            next_function: self.next_function,
        };
        for id in ids {
            if let Some(node) = self.nodes.get(id) {
                out.nodes.insert(*id, node.clone());
            }
        }
        for link in self.links.values() {
            if out.nodes.contains_key(&link.from.node) && out.nodes.contains_key(&link.to.node) {
                out.links.insert(link.id, link.clone());
            }
        }
        let used: std::collections::BTreeSet<&str> = out
            .nodes
            .values()
            .filter_map(|n| match n.values.get("variable") {
                Some(Value::Choice(name)) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        out.variables = self
            .variables
            .iter()
            .filter(|v| used.contains(v.name.as_str()))
            .cloned()
            .collect();
        out
    }

    /// Adds every node and link of `other` with fresh ids, nodes moved by `offset`, and declares
    /// the variables it uses that this graph lacks (a variable of the same name keeps this graph's
    /// type; the checker reports any mismatch). Returns the new nodes' ids, in `other`'s id order.
    pub fn merge(&mut self, other: &VisualScriptGraph, offset: [f32; 2]) -> Vec<NodeId> {
        self.merge_into(other, offset, None)
    }

    /// [`merge`](Self::merge) onto the canvas of `scope`. Paste and duplicate use it.
    pub fn merge_into(
        &mut self,
        other: &VisualScriptGraph,
        offset: [f32; 2],
        scope: Option<FunctionId>,
    ) -> Vec<NodeId> {
        let mut renamed = BTreeMap::new();
        for node in other.nodes.values() {
            // A function's node follows the function of the same name here, if there is one
            // (ids differ between graphs); otherwise it keeps its kind, which the checker
            // reports.
            let kind = function::parse_kind(&node.kind)
                .and_then(|(role, fid)| {
                    let name = &other.function(fid)?.name;
                    Some(function::node_kind(role, self.function_named(name)?))
                })
                .unwrap_or_else(|| node.kind.clone());
            let id = self.add_node_in(
                kind,
                [node.pos[0] + offset[0], node.pos[1] + offset[1]],
                scope,
            );
            if let Some(n) = self.nodes.get_mut(&id) {
                n.values = node.values.clone();
            }
            renamed.insert(node.id, id);
        }
        for link in other.links.values() {
            if let (Some(&from), Some(&to)) =
                (renamed.get(&link.from.node), renamed.get(&link.to.node))
            {
                self.connect(
                    PortRef::new(from, link.from.port.clone()),
                    PortRef::new(to, link.to.port.clone()),
                );
            }
        }
        for var in &other.variables {
            if self.variable(&var.name).is_none() {
                self.variables.push(var.clone());
            }
        }
        renamed.into_values().collect()
    }

    /// The id the next added node will get.
    pub fn next_node_id(&self) -> NodeId {
        NodeId(self.next_node)
    }
}
