//! Functions: part of a graph given a name, typed inputs and outputs, and called from anywhere in
//! the graph by a node that looks like any other.
//!
//! A function's nodes live in the graph's one node table (so every id stays unique and every
//! diagnostic, trace and fuel count keeps naming nodes by id) with [`Node::function`] saying whose
//! they are; wires never cross from one function to another (the checker refuses one that
//! does). A function has one *Inputs* node, where its execution starts and its inputs come out,
//! and at most one *Outputs* node, which keeps the values it is given as the function's results.
//! A *call* node runs the function: its inputs go to the Inputs node, the function runs to its
//! end, and the results come out of the call.
//!
//! The three node kinds carry their function's id and signature in their kind string
//! (`fn:call:3:{…}`), so the node catalog describes them, ports and all, without the graph; the
//! graph keeps those strings in step with the function ([`VisualScriptGraph::sync_functions`]),
//! and the file stores the short form (`fn:call:3`).
//!
//! [`Node::function`]: super::Node::function

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{NodeId, VisualScriptGraph};

/// Identifies a function within its graph; never reused after the function is removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FunctionId(pub u32);

impl fmt::Display for FunctionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "function {}", self.0)
    }
}

/// The type of a function's input or output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// A whole number.
    Number,
    /// Yes or no.
    Bool,
    /// A unit, possibly none.
    Unit,
    /// A tile, possibly none.
    Tile,
    /// A world entity, possibly none.
    Entity,
    /// A player, possibly none.
    Player,
}

impl ParamType {
    /// Every type, in menu order.
    pub const ALL: [ParamType; 6] = [
        ParamType::Number,
        ParamType::Bool,
        ParamType::Unit,
        ParamType::Tile,
        ParamType::Entity,
        ParamType::Player,
    ];

    /// The type in the studio's words.
    pub fn name(self) -> &'static str {
        match self {
            ParamType::Number => "Number",
            ParamType::Bool => "Yes/No",
            ParamType::Unit => "Unit",
            ParamType::Tile => "Tile",
            ParamType::Entity => "Entity",
            ParamType::Player => "Player",
        }
    }
}

/// One input or output of a function.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Param {
    /// The port key on the function's nodes (`"p1"`), kept when the input is renamed, so wires
    /// stay.
    pub key: String,
    /// The label on the ports.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: ParamType,
}

/// A function of a graph: its name and signature (its nodes are the graph's nodes whose
/// [`function`](super::Node::function) is this id).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Function {
    /// Its id.
    pub id: FunctionId,
    /// Its name, unique in the graph: the call nodes' title.
    pub name: String,
    /// Its inputs, in port order.
    #[serde(default)]
    pub inputs: Vec<Param>,
    /// Its outputs, in port order.
    #[serde(default)]
    pub outputs: Vec<Param>,
}

impl Function {
    /// A key for a new input or output: `p1`, `p2`… not yet used by either list.
    pub fn fresh_key(&self) -> String {
        (1..)
            .map(|i| format!("p{i}"))
            .find(|k| !self.inputs.iter().chain(&self.outputs).any(|p| &p.key == k))
            .unwrap_or_default()
    }
}

/// What a function node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Runs the function (in the graph or in another function).
    Call,
    /// Where the function starts; its outputs are the function's inputs.
    Inputs,
    /// Keeps the values wired into it as the function's results.
    Outputs,
}

impl Role {
    fn tag(self) -> &'static str {
        match self {
            Role::Call => "call",
            Role::Inputs => "in",
            Role::Outputs => "out",
        }
    }
}

/// What every function node's kind starts with.
pub const KIND_PREFIX: &str = "fn:";

/// The short kind of a function node, as the file stores it: `fn:call:3`.
pub fn short_kind(role: Role, id: FunctionId) -> String {
    format!("{KIND_PREFIX}{}:{}", role.tag(), id.0)
}

/// The full kind of a node of `role` for `function`: the short kind, then the function as JSON.
pub fn node_kind(role: Role, function: &Function) -> String {
    let json = serde_json::to_string(function).unwrap_or_default();
    format!("{}:{json}", short_kind(role, function.id))
}

/// A function node's role and function id, from its kind (short or full); reads no JSON, so
/// it is cheap to ask of every node.
pub fn parse_kind(kind: &str) -> Option<(Role, FunctionId)> {
    split_kind(kind).map(|(role, id, _)| (role, id))
}

/// The function a full kind carries (its signature, as the catalog needs it); `None` for a
/// short kind or one that does not parse.
pub fn kind_function(kind: &str) -> Option<(Role, Function)> {
    let (role, id, json) = split_kind(kind)?;
    let function = serde_json::from_str::<Function>(json?)
        .ok()
        .filter(|f| f.id == id)?;
    Some((role, function))
}

/// Role, id and the JSON after them, if any.
fn split_kind(kind: &str) -> Option<(Role, FunctionId, Option<&str>)> {
    let rest = kind.strip_prefix(KIND_PREFIX)?;
    let (tag, rest) = rest.split_once(':')?;
    let role = match tag {
        "call" => Role::Call,
        "in" => Role::Inputs,
        "out" => Role::Outputs,
        _ => return None,
    };
    let (id, json) = match rest.split_once(':') {
        Some((id, json)) => (id, Some(json)),
        None => (rest, None),
    };
    Some((role, FunctionId(id.parse().ok()?), json))
}

/// The short form of a kind: function nodes' `fn:call:3`, other kinds unchanged.
pub fn file_kind(kind: &str) -> String {
    match parse_kind(kind) {
        Some((role, id)) => short_kind(role, id),
        None => kind.to_owned(),
    }
}

impl VisualScriptGraph {
    /// The graph's functions, by id.
    pub fn functions(&self) -> impl Iterator<Item = &Function> {
        self.functions.values()
    }

    /// The function with this id.
    pub fn function(&self, id: FunctionId) -> Option<&Function> {
        self.functions.get(&id)
    }

    /// The function named `name`.
    pub fn function_named(&self, name: &str) -> Option<&Function> {
        self.functions.values().find(|f| f.name == name)
    }

    /// `base`, or `base 2`, `base 3`… whichever no function of the graph is named yet.
    pub fn unique_function_name(&self, base: &str) -> String {
        let base = base.trim();
        let base = if base.is_empty() { "My function" } else { base };
        std::iter::once(base.to_owned())
            .chain((2..).map(|i| format!("{base} {i}")))
            .find(|n| self.function_named(n).is_none())
            .unwrap_or_default()
    }

    /// Adds a function with no inputs or outputs and its Inputs node at `pos`; returns its id.
    pub fn add_function(&mut self, name: &str, pos: [f32; 2]) -> FunctionId {
        let id = FunctionId(self.next_function);
        self.next_function += 1;
        let function = Function {
            id,
            name: self.unique_function_name(name),
            inputs: Vec::new(),
            outputs: Vec::new(),
        };
        let kind = node_kind(Role::Inputs, &function);
        self.functions.insert(id, function);
        self.add_node_in(kind, pos, Some(id));
        id
    }

    /// Replaces a function's name and signature (its id is kept) and brings its nodes' ports
    /// in step: wires to an input or output that no longer exists are removed. False if there
    /// is no such function.
    pub fn set_function(&mut self, function: Function) -> bool {
        if !self.functions.contains_key(&function.id) {
            return false;
        }
        let id = function.id;
        let f = function.clone();
        self.functions.insert(id, function);
        self.sync_functions();
        // Wires to ports the signature no longer has.
        let gone: Vec<_> = self
            .links
            .values()
            .filter(|l| {
                let dead = |end: &super::PortRef, output: bool| {
                    let Some(node) = self.nodes.get(&end.node) else {
                        return false;
                    };
                    let Some((role, fid)) = parse_kind(&node.kind) else {
                        return false;
                    };
                    if fid != id {
                        return false;
                    }
                    let exec = matches!(
                        (role, output, end.port.as_str()),
                        (Role::Call, false, "exec")
                            | (Role::Call, true, "then")
                            | (Role::Inputs, true, "then")
                            | (Role::Outputs, false, "exec")
                    );
                    let params = match (role, output) {
                        (Role::Call, false) | (Role::Inputs, true) => &f.inputs,
                        _ => &f.outputs,
                    };
                    !exec && !params.iter().any(|p| p.key == end.port)
                };
                dead(&l.from, true) || dead(&l.to, false)
            })
            .map(|l| l.id)
            .collect();
        for l in gone {
            self.links.remove(&l);
        }
        // Inline values of call inputs that are gone.
        for node in self.nodes.values_mut() {
            if let Some((Role::Call, fid)) = parse_kind(&node.kind)
                && fid == id
            {
                node.values
                    .retain(|k, _| f.inputs.iter().any(|p| &p.key == k));
            }
        }
        true
    }

    /// Removes a function, its nodes and every call of it; returns it if it existed.
    pub fn remove_function(&mut self, id: FunctionId) -> Option<Function> {
        let function = self.functions.remove(&id)?;
        let doomed: Vec<NodeId> = self
            .nodes
            .values()
            .filter(|n| n.function == Some(id) || parse_kind(&n.kind).is_some_and(|(_, f)| f == id))
            .map(|n| n.id)
            .collect();
        for n in doomed {
            self.remove_node(n);
        }
        Some(function)
    }

    /// Brings every function node's kind in step with its function (after a load or a change
    /// of signature); a node of a function the graph lacks keeps the short kind, which the
    /// checker reports.
    pub fn sync_functions(&mut self) {
        for node in self.nodes.values_mut() {
            let Some((role, id)) = parse_kind(&node.kind) else {
                continue;
            };
            node.kind = match self.functions.get(&id) {
                Some(f) => node_kind(role, f),
                None => short_kind(role, id),
            };
        }
    }

    /// A function's Inputs node and Outputs node (the first of each, by id).
    pub fn function_ends(&self, id: FunctionId) -> (Option<NodeId>, Option<NodeId>) {
        let mut ends = (None, None);
        for n in self.nodes.values().filter(|n| n.function == Some(id)) {
            match parse_kind(&n.kind) {
                Some((Role::Inputs, f)) if f == id && ends.0.is_none() => ends.0 = Some(n.id),
                Some((Role::Outputs, f)) if f == id && ends.1.is_none() => ends.1 = Some(n.id),
                _ => {}
            }
        }
        ends
    }

    /// The call nodes of function `id`, anywhere in the graph.
    pub fn calls_of(&self, id: FunctionId) -> Vec<NodeId> {
        self.nodes
            .values()
            .filter(|n| matches!(parse_kind(&n.kind), Some((Role::Call, f)) if f == id))
            .map(|n| n.id)
            .collect()
    }

    /// The nodes drawn on the canvas of `scope`: the graph's own (`None`) or a function's.
    pub fn nodes_in(&self, scope: Option<FunctionId>) -> impl Iterator<Item = &super::Node> {
        self.nodes.values().filter(move |n| n.function == scope)
    }

    /// Adds a call of function `id` at `pos` on the canvas of `scope`; `None` if there is no
    /// such function.
    pub fn add_call(
        &mut self,
        id: FunctionId,
        pos: [f32; 2],
        scope: Option<FunctionId>,
    ) -> Option<NodeId> {
        let kind = node_kind(Role::Call, self.functions.get(&id)?);
        Some(self.add_node_in(kind, pos, scope))
    }

    /// Adds function `id`'s Outputs node at `pos`; `None` if there is no such function.
    pub fn add_outputs(&mut self, id: FunctionId, pos: [f32; 2]) -> Option<NodeId> {
        let kind = node_kind(Role::Outputs, self.functions.get(&id)?);
        Some(self.add_node_in(kind, pos, Some(id)))
    }
}

impl VisualScriptGraph {
    /// A graph holding only the functions `ids` and those they call (with their nodes, wires
    /// and the variables they use): what a functions library file holds. Any graph file can be
    /// a library; [`import_functions`](Self::import_functions) reads its functions.
    pub fn library_of(&self, ids: &[FunctionId]) -> VisualScriptGraph {
        let mut wanted: std::collections::BTreeSet<FunctionId> = std::collections::BTreeSet::new();
        let mut todo: Vec<FunctionId> = ids.to_vec();
        while let Some(f) = todo.pop() {
            if !self.functions.contains_key(&f) || !wanted.insert(f) {
                continue;
            }
            for n in self.nodes.values().filter(|n| n.function == Some(f)) {
                if let Some((Role::Call, callee)) = parse_kind(&n.kind) {
                    todo.push(callee);
                }
            }
        }
        let nodes: Vec<NodeId> = self
            .nodes
            .values()
            .filter(|n| n.function.is_some_and(|f| wanted.contains(&f)))
            .map(|n| n.id)
            .collect();
        let mut lib = self.fragment(&nodes);
        lib.name = "functions".into();
        lib.functions.retain(|id, _| wanted.contains(id));
        lib
    }

    /// Adds every function of `library` (any graph file's functions) with fresh ids, renamed
    /// `Name 2` where this graph already has the name; their calls of each other follow, the
    /// variables they use are declared where missing. Returns the new functions' ids.
    pub fn import_functions(&mut self, library: &VisualScriptGraph) -> Vec<FunctionId> {
        let mut renamed = std::collections::BTreeMap::new();
        let mut added = Vec::new();
        for f in library.functions.values() {
            let id = FunctionId(self.next_function);
            self.next_function += 1;
            let mut copy = f.clone();
            copy.id = id;
            copy.name = self.unique_function_name(&f.name);
            self.functions.insert(id, copy);
            renamed.insert(f.id, id);
            added.push(id);
        }
        let mut node_of = std::collections::BTreeMap::new();
        for n in library.nodes.values() {
            let Some(scope) = n.function.and_then(|f| renamed.get(&f).copied()) else {
                continue;
            };
            let kind = match parse_kind(&n.kind) {
                Some((role, f)) => match renamed.get(&f) {
                    Some(&g) => short_kind(role, g),
                    None => n.kind.clone(),
                },
                None => n.kind.clone(),
            };
            let id = self.add_node_in(kind, n.pos, Some(scope));
            if let Some(new) = self.nodes.get_mut(&id) {
                new.values = n.values.clone();
            }
            node_of.insert(n.id, id);
        }
        for l in library.links.values() {
            if let (Some(&a), Some(&b)) = (node_of.get(&l.from.node), node_of.get(&l.to.node)) {
                self.connect(
                    super::PortRef::new(a, l.from.port.clone()),
                    super::PortRef::new(b, l.to.port.clone()),
                );
            }
        }
        for v in &library.variables {
            if self.variable(&v.name).is_none() {
                self.variables.push(v.clone());
            }
        }
        self.sync_functions();
        added
    }
}
