//! The node kinds of a graph's functions: a call, the Inputs node and the Outputs node, described
//! from the function their kind string carries ([`crate::graph::function`]). They are built on
//! first use and kept for the life of the process, one per distinct signature, so the rest of
//! the studio asks [`spec`](super::spec) for them as for any other kind.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::{Category, NodeSpec, Op, PinType, PortDefault, PortSpec};
use crate::graph::function::{self, Function, ParamType, Role};

/// The pin type of a function's input or output.
pub fn pin_type(ty: ParamType) -> PinType {
    match ty {
        ParamType::Number => PinType::Number,
        ParamType::Bool => PinType::Bool,
        ParamType::Unit => PinType::Unit,
        ParamType::Tile => PinType::Position,
        ParamType::Entity => PinType::Entity,
        ParamType::Player => PinType::Player,
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

const EXEC_IN: PortSpec = PortSpec {
    key: "exec",
    name: "",
    ty: PinType::Exec,
    default: PortDefault::Required,
};
const THEN: PortSpec = PortSpec {
    key: "then",
    name: "",
    ty: PinType::Exec,
    default: PortDefault::Required,
};

fn ports(params: &[crate::graph::Param], call_input: bool) -> Vec<PortSpec> {
    params
        .iter()
        .map(|p| PortSpec {
            key: leak(&p.key),
            name: leak(&p.name),
            ty: pin_type(p.ty),
            default: match p.ty {
                ParamType::Number => PortDefault::Number(0),
                ParamType::Bool => PortDefault::Bool(false),
                // A call must be given a unit, tile, entity or player; an Outputs input left
                // unwired gives none.
                _ if call_input => PortDefault::Required,
                _ => PortDefault::Nothing,
            },
        })
        .collect()
}

fn build(role: Role, f: &Function) -> NodeSpec {
    let with = |first: PortSpec, rest: Vec<PortSpec>| -> &'static [PortSpec] {
        let mut v = vec![first];
        v.extend(rest);
        Box::leak(v.into_boxed_slice())
    };
    let none: &'static [PortSpec] = &[];
    let (name, help, inputs, outputs, op) = match role {
        Role::Call => (
            leak(&f.name),
            leak(&format!(
                "Runs the function {} and gives its results (double-click to open it)",
                f.name
            )),
            with(EXEC_IN, ports(&f.inputs, true)),
            with(THEN, ports(&f.outputs, false)),
            Op::CallFunction,
        ),
        Role::Inputs => (
            "Inputs",
            leak(&format!(
                "Where {} starts: its inputs, as the call gives them",
                f.name
            )),
            none,
            with(THEN, ports(&f.inputs, false)),
            Op::FunctionInputs,
        ),
        Role::Outputs => (
            "Outputs",
            leak(&format!(
                "Keeps the values wired here as the results of {}; they come out of the call when the function ends",
                f.name
            )),
            with(EXEC_IN, ports(&f.outputs, false)),
            none,
            Op::FunctionOutputs,
        ),
    };
    let key = match role {
        Role::Call => "fn:call",
        Role::Inputs => "fn:in",
        Role::Outputs => "fn:out",
    };
    NodeSpec {
        key,
        name,
        category: Category::Functions,
        help,
        inputs,
        outputs,
        settings: &[],
        op,
    }
}

/// The spec of a function node's full kind; `None` for a short kind or a kind that does not
/// parse.
pub(super) fn spec(kind: &str) -> Option<&'static NodeSpec> {
    static BUILT: OnceLock<Mutex<HashMap<String, &'static NodeSpec>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    if let Some(s) = built.lock().ok()?.get(kind) {
        return Some(s);
    }
    let (role, f) = function::kind_function(kind)?;
    let spec: &'static NodeSpec = Box::leak(Box::new(build(role, &f)));
    built.lock().ok()?.insert(kind.to_owned(), spec);
    Some(spec)
}
