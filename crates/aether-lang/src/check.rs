//! The checker: the second stage (graph → **check** → IR → wasm).
//!
//! [`check`] never stops at the first problem: it returns every [`Diagnostic`] it finds, each with
//! a stable kebab-case code, a [`Location`] in the graph and a message that tells a creator what to
//! do. Lowering runs only on a graph without errors; warnings (a node that never runs) do not block
//! it. The codes, in the order the checker looks for them:
//!
//! | code | severity | where | meaning |
//! | --- | --- | --- | --- |
//! | `bad-identity` | error | graph | name and version do not form `"<name> <semver>"` |
//! | `unknown-node-kind` | error | node | a kind this studio does not know (a newer file, or a typo) |
//! | `unknown-variable` | error | node | Get / Set Variable names no declared variable |
//! | `bad-value` | error | node or port | an inline value or setting of the wrong type or not a choice |
//! | `wrong-kind` | error | node | a node of the other script kind (Attack in a world script) |
//! | `no-entry` | error | graph | there is no On Turn node (AI) or no event node (world script) |
//! | `multiple-entries` | error | node | a second On Turn node |
//! | `unknown-port` | error | link | a wire to or from a port the node does not have |
//! | `wrong-direction` | error | link | a wire that starts at an input or ends at an output |
//! | `type-mismatch` | error | link | a wire between ports of different types |
//! | `input-linked-twice` | error | port | a data input with more than one wire |
//! | `exec-output-linked-twice` | error | port | an execution output with more than one wire |
//! | `missing-input` | error | port | a required input (a unit or a tile) with no wire |
//! | `data-cycle` | error | node | a value that depends on itself |
//! | `exec-cycle` | error | node | execution that comes back to where it was (an endless loop) |
//! | `not-yet-computed` | error | link | a value used where it does not exist yet |
//! | `unreachable` | warning | node | a node that never runs or is never used |
//! | `may-find-none` | warning | node | a move or spell aimed at the position of a unit a query may not find, whose Done nothing reads |
//! | `unknown-function` | error | node | a call, Inputs or Outputs of a function the graph does not have |
//! | `entry-in-function` | error | node | On Turn or an event node on a function's canvas |
//! | `misplaced-function-node` | error | node | a function's Inputs or Outputs on another canvas |
//! | `no-function-inputs` | error | graph | a function without its Inputs node |
//! | `function-inputs-twice` / `function-outputs-twice` | error | node | a second Inputs or Outputs node in a function |
//! | `recursion` | error | node | a call inside a function of itself, directly or through others |
//! | `crosses-function` | error | link | a wire from one canvas (a function's or the graph's) to another |
//! | `function-has-errors` | error | node | a call of a function with an error inside (named), so the graph's canvas shows where to look |
//!
//! A function's nodes are checked once, wherever it is called: each function's Inputs node is a
//! root of the flow analysis beside the graph's entries, so "not yet computed" and the rest hold
//! inside functions as in the graph (`check/functions.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::catalog::{self, Choices, NodeSpec, PinType, PortDefault};
use crate::graph::{LinkId, NodeId, PortRef, ScriptKind, Value, VarType, VisualScriptGraph};
use crate::identity::is_semver;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The graph cannot be compiled until it is fixed.
    Error,
    /// Worth a look; compiling goes ahead.
    Warning,
}

/// Where in the graph a diagnostic points.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Location {
    /// The graph as a whole.
    Graph,
    /// A node.
    Node(NodeId),
    /// A port of a node.
    Port(PortRef),
    /// A wire.
    Link(LinkId),
}

impl Location {
    /// The node the location is on or in, if any (for a link: the node it ends at).
    pub fn node(&self, graph: &VisualScriptGraph) -> Option<NodeId> {
        match self {
            Location::Graph => None,
            Location::Node(n) => Some(*n),
            Location::Port(p) => Some(p.node),
            Location::Link(l) => graph.link(*l).map(|l| l.to.node),
        }
    }
}

/// One problem found in a graph.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Stable kebab-case code (`type-mismatch`…).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// Where it is.
    pub location: Location,
    /// What is wrong and how to fix it, in the creator's words.
    pub message: String,
}

impl Diagnostic {
    fn error(code: &'static str, location: Location, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Error,
            location,
            message: message.into(),
        }
    }

    /// One line of text for the command line: severity, code, place (with node names) and message.
    pub fn render(&self, graph: &VisualScriptGraph) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let node = |id: NodeId| {
            let name = graph
                .node(id)
                .map(|n| catalog::spec(&n.kind).map_or(n.kind.as_str(), |s| s.name))
                .unwrap_or("?");
            format!("node {id} \"{name}\"")
        };
        let place = match &self.location {
            Location::Graph => "graph".to_owned(),
            Location::Node(n) => node(*n),
            Location::Port(p) => format!("{}, port {}", node(p.node), p.port),
            Location::Link(l) => match graph.link(*l) {
                Some(link) => format!(
                    "{l} from {}.{} to {}.{}",
                    node(link.from.node),
                    link.from.port,
                    node(link.to.node),
                    link.to.port
                ),
                None => l.to_string(),
            },
        };
        format!("{sev}[{}] {place}: {}", self.code, self.message)
    }
}

impl Diagnostic {
    /// The problem in plain words for the studio: the place as a creator sees it (the node's
    /// name, the port's label), then the message; the code is left out (the studio shows it
    /// after, small). `Attack, Target: Target needs a Unit: connect one`.
    pub fn plain(&self, graph: &VisualScriptGraph) -> String {
        let name = |id: NodeId| {
            graph
                .node(id)
                .map(|n| catalog::spec(&n.kind).map_or(n.kind.clone(), |s| s.name.to_owned()))
                .unwrap_or_else(|| "a node".to_owned())
        };
        let port = |p: &PortRef, output: bool| {
            let label = graph
                .node(p.node)
                .and_then(|n| catalog::spec(&n.kind))
                .and_then(|s| {
                    if output {
                        s.output(&p.port)
                    } else {
                        s.input(&p.port)
                    }
                })
                .map(|ps| ps.name)
                .filter(|n| !n.is_empty());
            match label {
                Some(l) => format!("{}, {l}", name(p.node)),
                None => name(p.node),
            }
        };
        let place = match &self.location {
            Location::Graph => "The graph".to_owned(),
            Location::Node(n) => name(*n),
            Location::Port(p) => port(p, false),
            Location::Link(l) => match graph.link(*l) {
                Some(link) => format!(
                    "The wire from {} to {}",
                    port(&link.from, true),
                    port(&link.to, false)
                ),
                None => "A wire".to_owned(),
            },
        };
        format!("{place}: {}", self.message)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {:?}: {}", self.code, self.location, self.message)
    }
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// The concrete type of a port of a node in this graph ([`PinType::Chosen`] resolves to the type
/// set on the node): [`PinType::OfVariable`] resolves to the
/// type of the variable the node names. `None` if the node, the kind, the port or the variable is
/// unknown.
pub fn port_type(graph: &VisualScriptGraph, port: &PortRef, output: bool) -> Option<PinType> {
    let node = graph.node(port.node)?;
    let spec = catalog::spec(&node.kind)?;
    let p = if output {
        spec.output(&port.port)?
    } else {
        spec.input(&port.port)?
    };
    match p.ty {
        PinType::OfVariable => {
            let Some(Value::Choice(name)) = node.values.get("variable") else {
                return None;
            };
            Some(match graph.variable(name)?.ty {
                VarType::Number => PinType::Number,
                VarType::Bool => PinType::Bool,
                VarType::Unit => PinType::Unit,
                VarType::Position => PinType::Position,
            })
        }
        PinType::Chosen => {
            let chosen = match node.values.get("type") {
                Some(Value::Choice(c)) => c.as_str(),
                _ => "number",
            };
            catalog::TYPE_CHOICES
                .iter()
                .find(|(k, _, _)| *k == chosen)
                .map(|(_, _, t)| *t)
        }
        ty => Some(ty),
    }
}

fn a_type(ty: PinType) -> String {
    match ty {
        PinType::Exec => "an execution wire".into(),
        PinType::Unit => "a Unit".into(),
        PinType::Entity => "an Entity".into(),
        other => format!("a {other}"),
    }
}

/// Checks `graph` and returns every problem found (empty when the graph is clean).
pub fn check(graph: &VisualScriptGraph) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let identity = format!("{} {}", graph.name, graph.version);
    if let Err(why) = crate::identity::Identity::parse(&identity) {
        out.push(Diagnostic::error(
            "bad-identity",
            Location::Graph,
            format!("the AI's name and version must read like \"my-ai 1.0.0\": {why}"),
        ));
    } else if !is_semver(&graph.version) {
        out.push(Diagnostic::error(
            "bad-identity",
            Location::Graph,
            "the AI's version must be like 1.0.0",
        ));
    }

    // Node kinds, settings and inline values.
    let mut specs: BTreeMap<NodeId, &'static NodeSpec> = BTreeMap::new();
    for node in graph.nodes() {
        let Some(spec) = catalog::spec(&node.kind) else {
            if let Some((_, id)) = crate::graph::function::parse_kind(&node.kind) {
                out.push(Diagnostic::error(
                    "unknown-function",
                    Location::Node(node.id),
                    format!(
                        "this node belongs to a function the graph does not have ({id}); delete it"
                    ),
                ));
                continue;
            }
            out.push(Diagnostic::error(
                "unknown-node-kind",
                Location::Node(node.id),
                format!(
                    "this Creator Studio has no node \"{}\" (the file may come from a newer version); delete the node or update the studio",
                    node.kind
                ),
            ));
            continue;
        };
        specs.insert(node.id, spec);
        if !spec.op.allowed_in(graph.kind) {
            let home = match spec.op.kinds() {
                catalog::Kinds::Ai => "AI controllers",
                _ => "world scripts",
            };
            out.push(Diagnostic::error(
                "wrong-kind",
                Location::Node(node.id),
                format!(
                    "{} belongs in {home}; this graph is a {}, so delete the node",
                    spec.name, graph.kind
                ),
            ));
        }
        for setting in spec.settings {
            let value = node.values.get(setting.key);
            match (setting.choices, value) {
                (Choices::Variable, Some(Value::Choice(name))) => {
                    if graph.variable(name).is_none() {
                        out.push(Diagnostic::error(
                            "unknown-variable",
                            Location::Node(node.id),
                            format!("there is no variable \"{name}\"; pick one of the graph's variables or add it"),
                        ));
                    }
                }
                (Choices::Variable, _) => out.push(Diagnostic::error(
                    "unknown-variable",
                    Location::Node(node.id),
                    "choose which variable this node uses",
                )),
                (Choices::Text(_), None) => {}
                (Choices::Text(_), Some(Value::Choice(t))) => {
                    if t.len() > catalog::MAX_TEXT_BYTES {
                        out.push(Diagnostic::error(
                            "bad-value",
                            Location::Node(node.id),
                            format!(
                                "{} is {} bytes long; keep it to {} (shorten the text)",
                                setting.name,
                                t.len(),
                                catalog::MAX_TEXT_BYTES
                            ),
                        ));
                    } else if t.chars().any(char::is_control) {
                        out.push(Diagnostic::error(
                            "bad-value",
                            Location::Node(node.id),
                            format!("{} holds a line break or another control character; type it on one line", setting.name),
                        ));
                    }
                }
                (Choices::Text(_), Some(v)) => out.push(Diagnostic::error(
                    "bad-value",
                    Location::Node(node.id),
                    format!("{} takes text, not {v}", setting.name),
                )),
                (Choices::List(_), None) => {}
                (Choices::List(list), Some(Value::Choice(c)))
                    if list.iter().any(|(k, _)| k == c) => {}
                (Choices::List(list), Some(v)) => out.push(Diagnostic::error(
                    "bad-value",
                    Location::Node(node.id),
                    format!(
                        "\"{v}\" is not a choice for {}; choose one of: {}",
                        setting.name,
                        list.iter().map(|(_, l)| *l).collect::<Vec<_>>().join(", ")
                    ),
                )),
            }
        }
        for (key, value) in &node.values {
            if spec.setting(key).is_some() {
                continue;
            }
            let Some(input) = spec.input(key) else {
                out.push(Diagnostic::error(
                    "bad-value",
                    Location::Node(node.id),
                    format!("this node has no input or setting \"{key}\"; remove the value"),
                ));
                continue;
            };
            let fits = matches!(
                (input.default, value),
                (PortDefault::Number(_), Value::Number(_)) | (PortDefault::Bool(_), Value::Bool(_))
            );
            if !fits {
                out.push(Diagnostic::error(
                    "bad-value",
                    Location::Port(PortRef::new(node.id, key.as_str())),
                    format!("{} takes {}, not \"{value}\"", input.name, a_type(input.ty)),
                ));
            }
        }
    }

    // The entries: one On Turn for an AI, any number of events for a world script.
    let entries: Vec<NodeId> = specs
        .iter()
        .filter(|(_, s)| s.op.is_entry() && s.op.allowed_in(graph.kind))
        .map(|(&id, _)| id)
        .filter(|&id| graph.node(id).is_some_and(|n| n.function.is_none()))
        .collect();
    let function_roots = functions::check_functions(graph, &specs, &mut out);
    match (graph.kind, entries.as_slice()) {
        (ScriptKind::AiController, []) => out.push(Diagnostic::error(
            "no-entry",
            Location::Graph,
            "add an On Turn node: it is where the AI starts every turn",
        )),
        (ScriptKind::WorldScript, []) => out.push(Diagnostic::error(
            "no-entry",
            Location::Graph,
            "add an event node (On Start, On Tick, On Timer…): a world script runs when something happens in the world",
        )),
        (ScriptKind::WorldScript, _) => {}
        (ScriptKind::AiController, [_, rest @ ..]) => {
            for &id in rest {
                out.push(Diagnostic::error(
                    "multiple-entries",
                    Location::Node(id),
                    "only one On Turn node may exist; delete this one and connect its nodes to the first",
                ));
            }
        }
    }

    // Wires.
    let mut good_links = Vec::new();
    // Each good link's output and input types, worked out once.
    let mut good_types = Vec::new();
    for link in graph.links() {
        let (Some(from_spec), Some(to_spec)) =
            (specs.get(&link.from.node), specs.get(&link.to.node))
        else {
            continue; // unknown kinds are already reported
        };
        if functions::crosses(graph, link) {
            out.push(Diagnostic::error(
                "crosses-function",
                Location::Link(link.id),
                "this wire joins a function's canvas to another canvas; values go into a function through its call's inputs, so delete the wire",
            ));
            continue;
        }
        let from_is_input = from_spec.output(&link.from.port).is_none()
            && from_spec.input(&link.from.port).is_some();
        let to_is_output =
            to_spec.input(&link.to.port).is_none() && to_spec.output(&link.to.port).is_some();
        if from_is_input || to_is_output {
            out.push(Diagnostic::error(
                "wrong-direction",
                Location::Link(link.id),
                "a wire must go from an output (right side of a node) to an input (left side); delete it and draw it again",
            ));
            continue;
        }
        if from_spec.output(&link.from.port).is_none() || to_spec.input(&link.to.port).is_none() {
            let (node, port) = if from_spec.output(&link.from.port).is_none() {
                (from_spec.name, &link.from.port)
            } else {
                (to_spec.name, &link.to.port)
            };
            out.push(Diagnostic::error(
                "unknown-port",
                Location::Link(link.id),
                format!("{node} has no port \"{port}\"; delete the wire"),
            ));
            continue;
        }
        let from_ty = port_type(graph, &link.from, true);
        let to_ty = port_type(graph, &link.to, false);
        if let (Some(a), Some(b)) = (from_ty, to_ty)
            && a != b
        {
            out.push(Diagnostic::error(
                    "type-mismatch",
                    Location::Link(link.id),
                    format!(
                        "this wire carries {} into an input that needs {}; connect a matching output instead",
                        a_type(a),
                        a_type(b)
                    ),
                ));
            continue;
        }
        good_links.push(link);
        good_types.push((from_ty, to_ty));
    }

    // How many wires each input and each execution output has.
    let mut into: BTreeMap<&PortRef, (Vec<LinkId>, bool)> = BTreeMap::new();
    let mut exec_out: BTreeMap<&PortRef, Vec<LinkId>> = BTreeMap::new();
    for (link, (from_ty, to_ty)) in good_links.iter().zip(&good_types) {
        let entry = into.entry(&link.to).or_default();
        entry.0.push(link.id);
        entry.1 = *to_ty == Some(PinType::Exec);
        if *from_ty == Some(PinType::Exec) {
            exec_out.entry(&link.from).or_default().push(link.id);
        }
    }
    for (port, (links, is_exec)) in &into {
        if !is_exec && links.len() > 1 {
            out.push(Diagnostic::error(
                "input-linked-twice",
                Location::Port((*port).clone()),
                format!(
                    "this input has {} wires; an input takes one value, so keep one wire",
                    links.len()
                ),
            ));
        }
    }
    for (port, links) in &exec_out {
        if links.len() > 1 {
            out.push(Diagnostic::error(
                "exec-output-linked-twice",
                Location::Port((*port).clone()),
                "an execution output can lead to one node only; use a Sequence to do several things in order",
            ));
        }
    }
    let mut entries = match graph.kind {
        ScriptKind::AiController => entries[..entries.len().min(1)].to_vec(),
        ScriptKind::WorldScript => entries,
    };
    entries.extend(function_roots);
    let entries = &entries[..];
    let start = match graph.kind {
        ScriptKind::AiController => "On Turn",
        ScriptKind::WorldScript => "an event node (On Start, On Tick…)",
    };
    let running = flow::check_flow(&specs, &good_links, entries, start, &mut out);

    // Required inputs, on the nodes that run (a stray node only gets its warning). Any wire
    // counts as filling the port, even one already reported as mistyped.
    let wired: BTreeSet<&PortRef> = graph.links().map(|l| &l.to).collect();
    for (&id, spec) in specs.iter().filter(|(id, _)| running.contains(id)) {
        for input in spec.inputs {
            let port = PortRef::new(id, input.key);
            if input.default == PortDefault::Required
                && input.ty != PinType::Exec
                && !wired.contains(&port)
            {
                out.push(Diagnostic::error(
                    "missing-input",
                    Location::Port(port),
                    format!(
                        "{} needs {}: connect one",
                        if input.name.is_empty() {
                            input.key
                        } else {
                            input.name
                        },
                        a_type(
                            port_type(graph, &PortRef::new(id, input.key), false)
                                .unwrap_or(input.ty)
                        )
                    ),
                ));
            }
        }
    }

    none::check_none(graph, &running, &mut out);
    functions::report_at_calls(graph, &mut out);

    // A node with an error does not also need a warning.
    let faulty: BTreeSet<NodeId> = out
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter_map(|d| d.location.node(graph))
        .collect();
    out.retain(|d| {
        d.severity == Severity::Error
            || !d.location.node(graph).is_some_and(|n| faulty.contains(&n))
    });
    out
}

mod flow;
mod functions;
mod none;

/// The node ids of a set, for callers that only need membership.
pub(crate) type NodeSet = BTreeSet<NodeId>;
