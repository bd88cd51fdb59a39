//! The preview's linked modules: a graph's code without the runtime library, and without the
//! values typed on its nodes or its identity, so that an edit pays only for the code it changed.
//!
//! The game runs one module per controller ([`VisualScriptCompiler`]). The studio's preview
//! instead loads the runtime as a module of its own, compiled once per host
//! ([`linked_runtime`]), and beside it, on every edit, the graph's [`LinkedModule`]:
//!
//! * its functions, globals and memory are the runtime's, imported from [`LINKED_RUNTIME`] at
//!   the indices they have in the game's module, so every node function does the same
//!   operations (the graph's own globals come after the inputs, so their indices differ);
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
//! code keeps every other input at its place ([`InputLayout`], carried from one compile to the
//! next in a [`LinkedState`]), and compiles only what it must: the graph's call graph has no
//! cycles, so the functions the edit changed and every function that calls one, directly or
//! not, make a module of their own, which imports the others (and the globals) from
//! [`LINKED_BASE`], the last whole module, instantiated first (a call of an imported function
//! costs the same fuel as any call). When that would be more than half of the functions, the
//! module is whole again and becomes the base of the next.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::ir::{self, Body, Expr, NodeFn, Program, Slot, Stmt};
use super::{
    CompilationProfile, CompileError, ScriptArtifact, VisualScriptCompiler, emit, runtime,
};
use aether_lang::graph::{NodeId, ScriptKind};
use aether_lang::identity::Identity;
use aether_lang::interp::CheckedGraph;

/// The module name a linked graph module imports the runtime from.
pub const LINKED_RUNTIME: &str = emit::LINKED;
/// The module name a linked graph module imports its typed values from (`p0`, `p1`, …,
/// immutable `i32` globals).
pub const LINKED_INPUTS: &str = "in";

/// The module name a linked module built on a base module imports the base's functions and
/// globals from.
pub const LINKED_BASE: &str = "base";

/// Input places are handed out in blocks of this many, so a few inputs more or less do not move
/// the globals declared after them.
const BLOCK: u32 = 32;

/// Where a linked module reads each typed value: the index of its global among the
/// [`LINKED_INPUTS`] imports. It travels from one compile to the next in a [`LinkedState`]: an
/// input keeps its place while its node and port exist, new ones take the places freed first,
/// so the code of the nodes an edit did not touch stays the same.
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

    /// The place of `node`'s input `port`, if it has one.
    pub fn place_of(&self, node: NodeId, port: &str) -> Option<u32> {
        self.places
            .iter()
            .find(|((n, p), _)| *n == node && *p == port)
            .map(|(_, &place)| place)
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

/// What the preview keeps from one linked compile of a graph to the next: where its typed values
/// are ([`InputLayout`]), and the last whole module compiled, on which the next compile builds.
#[derive(Clone, Debug, Default)]
pub struct LinkedState {
    layout: InputLayout,
    base: Option<Arc<Base>>,
}

impl LinkedState {
    /// Where the typed values are.
    pub fn layout(&self) -> &InputLayout {
        &self.layout
    }
}

/// A whole linked module and what its functions are, to build the next modules on.
#[derive(Debug)]
struct Base {
    wasm: Arc<Vec<u8>>,
    /// Each node function, its typed values set to 0 (they are inputs).
    functions: BTreeMap<NodeId, NodeFn>,
    layout: InputLayout,
    slots: BTreeSet<Slot>,
    /// What decide_turn resets and runs: when they and every function are as they were, the
    /// base module is the graph's module as it is.
    slot_order: Vec<Slot>,
    entry: Option<NodeId>,
    variables: Vec<String>,
    profile: CompilationProfile,
}

/// A graph compiled for the preview's linked load.
#[derive(Clone, Debug)]
pub struct LinkedModule {
    /// The module: the graph's code, importing the runtime and the inputs, and when
    /// [`base`](Self::base) is given, the functions of the base module the edit did not change.
    pub wasm: Vec<u8>,
    /// The whole module this one builds on, instantiated first (its bytes: the host keeps it
    /// compiled).
    pub base: Option<Arc<Vec<u8>>>,
    /// The value of each [`LINKED_INPUTS`] global, by place (0 for a free place).
    pub inputs: Vec<i32>,
    /// Bytes the host writes into memory at their addresses once the module is instantiated
    /// and before `init` (the game's module has them as data segments): the identity.
    pub data: Vec<(u32, Vec<u8>)>,
    /// What the next compile of the same graph builds on.
    pub state: LinkedState,
}

/// An AI controller's graph compiled for the preview's linked load
/// ([`ControllerHost::load_linked`](crate::ControllerHost::load_linked)): it plays the same
/// turns with the same fuel as the module of
/// [`compile_checked`](VisualScriptCompiler::compile_checked). `previous`: the state the last
/// linked compile left (of this graph before an edit, typically; any graph is safe): then a
/// module holds only the functions that changed and those that call them, and takes the
/// others from the last whole module, so an edit translates only those; when that would be
/// more than half of them, it is whole again.
pub fn compile_linked(
    checked: &CheckedGraph,
    profile: CompilationProfile,
    previous: Option<&LinkedState>,
) -> Result<LinkedModule, CompileError> {
    linked_from(checked, &ir::lower(checked), profile, previous)
}

/// Both at once, lowering the graph once: the game's module (as
/// [`compile_checked`](VisualScriptCompiler::compile_checked)) and the linked one (as
/// [`compile_linked`]). The studio's preview takes both on every edit.
pub fn compile_both(
    checked: &CheckedGraph,
    profile: CompilationProfile,
    previous: Option<&LinkedState>,
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
    previous: Option<&LinkedState>,
) -> Result<LinkedModule, CompileError> {
    let g = checked.graph();
    let identity =
        Identity::parse(&format!("{} {}", g.name, g.version)).map_err(CompileError::Internal)?;
    if g.kind != ScriptKind::AiController {
        return Err(CompileError::Internal(
            "only AI controllers are linked to a separate runtime".into(),
        ));
    }
    let shapes: Vec<Shape> = program.functions.iter().map(Shape::of).collect();
    let keys = shapes.iter().flat_map(|s| &s.inputs);
    let order: Vec<(NodeId, &'static str)> = keys.clone().map(|&(n, p, _)| (n, p)).collect();
    let layout = InputLayout::assign(previous.map(|p| &p.layout), &order);
    let mut inputs = vec![0; layout.capacity as usize];
    for &(node, port, value) in keys {
        if let Some(place) = layout.place(node, port) {
            inputs[place as usize] = value;
        }
    }
    let base = previous.and_then(|p| p.base.clone()).filter(|b| {
        b.variables == program.variables
            && b.layout.capacity <= layout.capacity
            && b.profile == profile
    });
    let from_base = match &base {
        Some(base) => unchanged(&shapes, &layout, base),
        None => BTreeSet::new(),
    };
    if let Some(base) = base.as_ref().filter(|b| {
        from_base.len() == program.functions.len()
            && b.functions.len() == program.functions.len()
            && b.slot_order == program.slots
            && b.entry == program.entry
    }) {
        // Nothing but typed values (and the identity) changed: the base module as it is.
        let data = emit::identity_data(&identity.to_string());
        return Ok(LinkedModule {
            wasm: (*base.wasm).clone(),
            base: None,
            inputs,
            data,
            state: LinkedState {
                layout,
                base: Some(base.clone()),
            },
        });
    }
    let no_slots = BTreeSet::new();
    let shape = emit::Linked {
        inputs: &layout,
        from_base: &from_base,
        base_slots: match &base {
            Some(base) if !from_base.is_empty() => &base.slots,
            _ => &no_slots,
        },
    };
    let rt = runtime::get().map_err(CompileError::Internal)?;
    let emitted = emit::emit(
        program,
        rt,
        &identity.to_string(),
        profile == CompilationProfile::Debug,
        Some(&shape),
    )
    .map_err(CompileError::Internal)?;
    if cfg!(debug_assertions) {
        wasmparser::Validator::new()
            .validate_all(&emitted.bytes)
            .map_err(|e| {
                CompileError::Internal(format!("the linked module does not validate: {e}"))
            })?;
    }
    let (wasm, base) = if from_base.is_empty() {
        // A whole module: the base of the next ones.
        let wasm = Arc::new(emitted.bytes);
        let base = Base {
            wasm: wasm.clone(),
            functions: shapes.into_iter().map(|s| (s.code.node, s.code)).collect(),
            layout: layout.clone(),
            slots: program.slots.iter().copied().collect(),
            slot_order: program.slots.clone(),
            entry: program.entry,
            variables: program.variables.clone(),
            profile,
        };
        ((*wasm).clone(), Some(Arc::new(base)))
    } else {
        (emitted.bytes, base)
    };
    Ok(LinkedModule {
        wasm,
        base: base
            .as_ref()
            .filter(|_| !from_base.is_empty())
            .map(|b| b.wasm.clone()),
        inputs,
        data: emitted.data,
        state: LinkedState { layout, base },
    })
}

/// The functions `base` has as they are now, whose callees are all such too: the others (the
/// edit's, and every function from which execution or a value reaches one) are compiled anew.
/// Empty when those would be more than half, so the module is whole again.
fn unchanged(shapes: &[Shape], layout: &InputLayout, base: &Base) -> BTreeSet<NodeId> {
    let mut callers: BTreeMap<NodeId, Vec<NodeId>> = BTreeMap::new();
    let mut changed = Vec::new();
    for shape in shapes {
        let node = shape.code.node;
        for &callee in &shape.callees {
            callers.entry(callee).or_default().push(node);
        }
        let moved = shape
            .inputs
            .iter()
            .any(|&(n, port, _)| layout.place(n, port) != base.layout.place(n, port));
        if moved || base.functions.get(&node) != Some(&shape.code) {
            changed.push(node);
        }
    }
    let mut anew: BTreeSet<NodeId> = changed.iter().copied().collect();
    while let Some(node) = changed.pop() {
        for &caller in callers.get(&node).into_iter().flatten() {
            if anew.insert(caller) {
                changed.push(caller);
            }
        }
    }
    if anew.len() * 2 > shapes.len() {
        return BTreeSet::new();
    }
    shapes
        .iter()
        .map(|s| s.code.node)
        .filter(|n| !anew.contains(n))
        .collect()
}

/// What a linked compile needs of one node function, read in one walk over its IR.
struct Shape {
    /// Its code: the function with its typed values set to 0 (they are inputs).
    code: NodeFn,
    /// The typed values it reads, in the order the emitter meets them.
    inputs: Vec<(NodeId, &'static str, i32)>,
    /// The node functions it calls.
    callees: Vec<NodeId>,
}

impl Shape {
    fn of(f: &NodeFn) -> Shape {
        let mut code = f.clone();
        let mut reads = Reads::default();
        match &mut code.body {
            Body::Exec(stmts) => stmts.iter_mut().for_each(|s| reads.stmt(s)),
            Body::Data(e) => reads.expr(e),
        }
        Shape {
            code,
            inputs: reads.inputs,
            callees: reads.callees,
        }
    }
}

/// The walk behind [`Shape::of`]: it records and zeroes the typed values, records the calls.
#[derive(Default)]
struct Reads {
    inputs: Vec<(NodeId, &'static str, i32)>,
    callees: Vec<NodeId>,
}

impl Reads {
    fn stmt(&mut self, s: &mut Stmt) {
        match s {
            Stmt::Run(node) => self.callees.push(*node),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond);
                then.iter_mut().chain(otherwise).for_each(|s| self.stmt(s));
            }
            Stmt::ForEach { body, .. } => body.iter_mut().for_each(|s| self.stmt(s)),
            Stmt::ForEachNear {
                centre,
                radius,
                body,
                ..
            } => {
                self.expr(centre);
                self.expr(radius);
                body.iter_mut().for_each(|s| self.stmt(s));
            }
            Stmt::Set(_, e) | Stmt::Eval(e) => self.expr(e),
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        match e {
            Expr::Inline(node, port, value) => {
                self.inputs.push((*node, port, *value));
                *value = 0;
            }
            Expr::Node(node) => self.callees.push(*node),
            Expr::Const(_) | Expr::Get(_) | Expr::Text(_) => {}
            Expr::Call(_, args) => args.iter_mut().for_each(|a| self.expr(a)),
            Expr::Not(a) => self.expr(a),
            Expr::Select(three) => three.iter_mut().for_each(|a| self.expr(a)),
            Expr::Binary(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
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
