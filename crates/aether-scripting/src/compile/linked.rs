//! The preview's linked modules: a graph's code without the runtime library, and without the
//! values typed on its nodes or its identity, so that an edit pays only for the code it changed.
//!
//! The game runs one module per controller ([`VisualScriptCompiler`]). The studio's preview
//! instead loads the runtime as a module of its own, compiled once per host
//! ([`linked_runtime`]), and beside it, on every edit, the graph's [`LinkedModule`]:
//!
//! * its functions, globals and memory are the runtime's, imported from [`LINKED_RUNTIME`] at
//!   the indices they have in the game's module, so every node function is the same code;
//! * each value typed on an unconnected input (a number, a yes/no) is an immutable global
//!   imported from [`LINKED_INPUTS`] where the game's module has an `i32.const` (both cost one
//!   unit of fuel, so the preview's fuel is the game's); the host gives their values
//!   ([`LinkedModule::inputs`]) at instantiation;
//! * the identity is not a data segment but bytes the host writes before `init`
//!   ([`LinkedModule::data`]).
//!
//! A graph whose only change is a typed value or its name or version therefore has the same
//! module bytes as before, and the host reuses the machine code it has
//! ([`ControllerHost::load_linked`](crate::ControllerHost::load_linked)). An edit that changes
//! code still keeps every other input at its place: [`InputLayout`] carries the places from one
//! compile to the next, so the functions it did not touch are the same code and wasmtime's
//! compile cache has them.

use std::collections::{BTreeMap, BTreeSet};

use super::ir::{self, Body, Expr, Program, Stmt};
use super::{
    CompilationProfile, CompileError, ScriptArtifact, VisualScriptCompiler, emit, runtime,
};
use crate::graph::{NodeId, ScriptKind};
use crate::host::Identity;
use crate::interp::CheckedGraph;

/// The module name a linked graph module imports the runtime from.
pub const LINKED_RUNTIME: &str = emit::LINKED;
/// The module name a linked graph module imports its typed values from (`p0`, `p1`, …,
/// immutable `i32` globals).
pub const LINKED_INPUTS: &str = "in";

/// Input places are handed out in blocks of this many, so a few inputs more or less do not move
/// the globals declared after them.
const BLOCK: u32 = 32;

/// Where a linked module reads each typed value: the index of its global among the
/// [`LINKED_INPUTS`] imports. Give the layout of the previous compile to the next
/// ([`compile_linked`]): an input keeps its place while its node and port exist, new ones take
/// the places freed first, so the code of the nodes an edit did not touch stays the same.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputLayout {
    places: BTreeMap<(NodeId, &'static str), u32>,
    /// Imports declared: the places in use, the free ones, rounded up to a [`BLOCK`].
    capacity: u32,
}

impl InputLayout {
    /// The layout for `keys` (in order of first use), keeping the places `previous` gave them.
    /// When fewer than a quarter of the places would be in use, it starts afresh.
    fn assign(previous: Option<&InputLayout>, keys: &[(NodeId, &'static str)]) -> InputLayout {
        let mut places = BTreeMap::new();
        let mut taken = BTreeSet::new();
        if let Some(previous) = previous {
            for key in keys {
                if let Some(&place) = previous.places.get(key) {
                    places.insert(*key, place);
                    taken.insert(place);
                }
            }
        }
        let mut next = 0;
        for key in keys {
            if places.contains_key(key) {
                continue;
            }
            while taken.contains(&next) {
                next += 1;
            }
            places.insert(*key, next);
            taken.insert(next);
        }
        let used = taken.last().map_or(0, |&p| p + 1);
        let capacity = previous
            .map_or(0, |p| p.capacity)
            .max(used.div_ceil(BLOCK) * BLOCK);
        if previous.is_some() && capacity > BLOCK && (places.len() as u32) * 4 < capacity {
            return Self::assign(None, keys);
        }
        InputLayout { places, capacity }
    }

    /// The global index offset of `node`'s input `port` among the inputs.
    pub(crate) fn place(&self, node: NodeId, port: &'static str) -> Option<u32> {
        self.places.get(&(node, port)).copied()
    }

    /// How many input globals the module imports.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// How many inputs are in use.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether no input is in use.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

/// A graph compiled for the preview's linked load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedModule {
    /// The module: the graph's code, importing the runtime and the inputs.
    pub wasm: Vec<u8>,
    /// The value of each [`LINKED_INPUTS`] global, by place (0 for a free place).
    pub inputs: Vec<i32>,
    /// Bytes the host writes into memory at their addresses once the module is instantiated
    /// and before `init` (the game's module has them as data segments): the identity.
    pub data: Vec<(u32, Vec<u8>)>,
    /// Where each input is, for the next compile of the same graph.
    pub layout: InputLayout,
}

/// An AI controller's graph compiled for the preview's linked load
/// ([`ControllerHost::load_linked`](crate::ControllerHost::load_linked)): it plays the same
/// turns with the same fuel as the module of
/// [`compile_checked`](VisualScriptCompiler::compile_checked). `previous`: the layout of the
/// last compile of this graph, if any.
pub fn compile_linked(
    checked: &CheckedGraph,
    profile: CompilationProfile,
    previous: Option<&InputLayout>,
) -> Result<LinkedModule, CompileError> {
    linked_from(checked, &ir::lower(checked), profile, previous)
}

/// Both at once, lowering the graph once: the game's module (as
/// [`compile_checked`](VisualScriptCompiler::compile_checked)) and the linked one (as
/// [`compile_linked`]). The studio's preview takes both on every edit.
pub fn compile_both(
    checked: &CheckedGraph,
    profile: CompilationProfile,
    previous: Option<&InputLayout>,
) -> Result<(ScriptArtifact, LinkedModule), CompileError> {
    let program = ir::lower(checked);
    let artifact = VisualScriptCompiler::from_program(checked, &program, profile)?;
    let linked = linked_from(checked, &program, profile, previous)?;
    Ok((artifact, linked))
}

fn linked_from(
    checked: &CheckedGraph,
    program: &Program,
    profile: CompilationProfile,
    previous: Option<&InputLayout>,
) -> Result<LinkedModule, CompileError> {
    let g = checked.graph();
    let identity =
        Identity::parse(&format!("{} {}", g.name, g.version)).map_err(CompileError::Internal)?;
    if g.kind != ScriptKind::AiController {
        return Err(CompileError::Internal(
            "only AI controllers are linked to a separate runtime".into(),
        ));
    }
    let mut keys = Vec::new();
    let mut values = BTreeMap::new();
    for f in &program.functions {
        match &f.body {
            Body::Exec(stmts) => stmts.iter().for_each(|s| stmt_inputs(s, &mut keys)),
            Body::Data(e) => expr_inputs(e, &mut keys),
        }
    }
    for &(node, port, value) in &keys {
        values.insert((node, port), value);
    }
    let order: Vec<(NodeId, &'static str)> = keys.iter().map(|&(n, p, _)| (n, p)).collect();
    let layout = InputLayout::assign(previous, &order);
    let mut inputs = vec![0; layout.capacity as usize];
    for (key, &place) in &layout.places {
        inputs[place as usize] = values[key];
    }
    let rt = runtime::get().map_err(CompileError::Internal)?;
    let emitted = emit::emit(
        program,
        rt,
        &identity.to_string(),
        profile == CompilationProfile::Debug,
        Some(&layout),
    )
    .map_err(CompileError::Internal)?;
    if cfg!(debug_assertions) {
        wasmparser::Validator::new()
            .validate_all(&emitted.bytes)
            .map_err(|e| {
                CompileError::Internal(format!("the linked module does not validate: {e}"))
            })?;
    }
    Ok(LinkedModule {
        wasm: emitted.bytes,
        inputs,
        data: emitted.data,
        layout,
    })
}

/// The typed values `s` reads, in the order the emitter meets them.
fn stmt_inputs(s: &Stmt, out: &mut Vec<(NodeId, &'static str, i32)>) {
    match s {
        Stmt::Run(_) => {}
        Stmt::If {
            cond,
            then,
            otherwise,
        } => {
            expr_inputs(cond, out);
            then.iter()
                .chain(otherwise)
                .for_each(|s| stmt_inputs(s, out));
        }
        Stmt::ForEach { body, .. } => body.iter().for_each(|s| stmt_inputs(s, out)),
        Stmt::ForEachNear {
            centre,
            radius,
            body,
            ..
        } => {
            expr_inputs(centre, out);
            expr_inputs(radius, out);
            body.iter().for_each(|s| stmt_inputs(s, out));
        }
        Stmt::Set(_, e) | Stmt::Eval(e) => expr_inputs(e, out),
    }
}

fn expr_inputs(e: &Expr, out: &mut Vec<(NodeId, &'static str, i32)>) {
    match e {
        Expr::Inline(node, port, value) => out.push((*node, port, *value)),
        Expr::Const(_) | Expr::Get(_) | Expr::Node(_) | Expr::Text(_) => {}
        Expr::Call(_, args) => args.iter().for_each(|a| expr_inputs(a, out)),
        Expr::Not(a) => expr_inputs(a, out),
        Expr::Select(three) => three.iter().for_each(|a| expr_inputs(a, out)),
        Expr::Binary(_, a, b) => {
            expr_inputs(a, out);
            expr_inputs(b, out);
        }
    }
}

/// The AI runtime library as a module of its own, which [`compile_linked`] modules import as
/// [`LINKED_RUNTIME`].
pub fn linked_runtime() -> Result<&'static [u8], CompileError> {
    static BYTES: std::sync::OnceLock<Result<Vec<u8>, String>> = std::sync::OnceLock::new();
    BYTES
        .get_or_init(|| runtime::get().and_then(emit::runtime_module))
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|e| CompileError::Internal(e.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(keys: &[(u32, &'static str)]) -> Vec<(NodeId, &'static str)> {
        keys.iter().map(|&(n, p)| (NodeId(n), p)).collect()
    }

    #[test]
    fn inputs_keep_their_places_and_new_ones_fill_the_freed_first() {
        let first = InputLayout::assign(None, &ids(&[(1, "a"), (2, "b"), (3, "c")]));
        assert_eq!(first.place(NodeId(2), "b"), Some(1));
        assert_eq!(first.capacity(), BLOCK);
        // Node 2's input is wired now; node 4 is new: it takes the place node 2 left.
        let second = InputLayout::assign(Some(&first), &ids(&[(1, "a"), (3, "c"), (4, "d")]));
        assert_eq!(second.place(NodeId(1), "a"), Some(0));
        assert_eq!(second.place(NodeId(3), "c"), Some(2));
        assert_eq!(second.place(NodeId(4), "d"), Some(1));
        assert_eq!(second.capacity(), BLOCK);
    }

    #[test]
    fn a_layout_mostly_free_starts_afresh() {
        let many: Vec<(u32, &'static str)> = (0..100).map(|n| (n, "value")).collect();
        let big = InputLayout::assign(None, &ids(&many));
        assert_eq!(big.capacity(), 128);
        let few = InputLayout::assign(Some(&big), &ids(&[(90, "value"), (99, "value")]));
        assert_eq!(few.place(NodeId(90), "value"), Some(0));
        assert_eq!(few.capacity(), BLOCK);
    }
}
