//! IR → WebAssembly, with wasm-encoder.
//!
//! Module layout, in index order (the runtime is `runtime.wat` for an AI controller,
//! `world_runtime.wat` for a world script):
//!
//! * types: the runtime's, then `() -> ()`, `() -> i32` and the entry's (`decide_turn`'s or
//!   `on_event`'s);
//! * imports: the runtime's (a world script's `"aether"` functions; none for an AI);
//! * functions: the runtime's (bodies copied byte for byte), one per [`NodeFn`] in node-id
//!   order, then `init` and the entry (`decide_turn`, or `on_event`, which decodes the event and
//!   runs each event node that answers it, in node-id order);
//! * globals: the runtime's, one per [`Slot`], then the two identity globals;
//! * one memory, at most 256 pages (16 MiB), exported as `memory`: 1 page to start, or as many
//!   as the graph's texts need;
//! * data: the identity cells at 16 and 20, the identity string at 128 (page 0, which the
//!   runtime leaves to the compiler), and a world script's texts from [`TEXT_BASE`];
//! * exports: `memory`, `init`, `decide_turn` or `on_event`, `__ident_ptr`, `__ident_len`;
//! * in the debug profile, a name section (`node#12 Attack`, the runtime's own names).
//!
//! The preview's linked module ([`super::linked`]) imports the runtime instead of holding it,
//! reads typed values from imported globals and leaves its identity to the host.
//!
//! An AI's slots start every turn at 0; a world script's keep their values from one event to
//! the next (its variables last as long as its instance).
//!
//! Every node function first checks the shared depth counter against
//! [`MAX_DEPTH`](aether_lang::interp::MAX_DEPTH), as the interpreter does: past it an execution node
//! does nothing and a data node gives 0.

use std::collections::{BTreeMap, BTreeSet};

use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, CustomSection, DataSection, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, ImportSection,
    IndirectNameMap, InstructionSink, MemorySection, MemoryType, Module, NameMap, NameSection,
    TypeSection, ValType,
};

use aether_world_types::{EVENTS_SECTION, EventMask};

use super::ir::{BinOp, Body, Expr, NodeFn, Program, Slot, Stmt};
use super::linked::{InputLayout, LINKED_BASE, LINKED_INPUTS};
use super::runtime::{Runtime, Ty};
use aether_lang::graph::NodeId;
use aether_lang::graph::ScriptKind;
use aether_lang::interp::MAX_DEPTH;

/// Where the identity cells and string live in page 0 (see `runtime.wat`).
const IDENT_PTR_CELL: u32 = 16;
const IDENT_LEN_CELL: u32 = 20;
const IDENT_STRING: u32 = 128;
/// The memory cap in pages: 16 MiB.
const MAX_PAGES: u64 = 256;
/// Where a world script's texts start (`world_runtime.wat` keeps page 0 below it).
const TEXT_BASE: u32 = 4096;
const PAGE: u64 = 65536;

/// What the emitter produced.
pub(crate) struct Emitted {
    pub bytes: Vec<u8>,
    /// Each lowered node's function index.
    pub node_functions: BTreeMap<NodeId, u32>,
    /// A linked module's data, which the host writes (its address, its bytes); empty otherwise.
    pub data: Vec<(u32, Vec<u8>)>,
}

fn val(t: Ty) -> ValType {
    match t {
        Ty::I32 => ValType::I32,
        Ty::I64 => ValType::I64,
        Ty::F32 => ValType::F32,
    }
}

struct Indices<'a> {
    /// Function index of each node's function.
    funcs: BTreeMap<NodeId, u32>,
    /// Global index of each slot.
    slots: BTreeMap<Slot, u32>,
    depth: u32,
    rt: &'static Runtime,
    /// Each text's address and length.
    texts: Vec<(u32, u32)>,
    /// A linked module's inputs and the global index of the first.
    inputs: Option<(&'a InputLayout, u32)>,
}

/// How a linked module is laid out (see [`super::linked`]).
pub(crate) struct Linked<'a> {
    /// Where its typed values are.
    pub inputs: &'a InputLayout,
    /// Node functions it takes from its base module, which it imports from [`LINKED_BASE`] as
    /// named by [`function_export`]; empty for a whole module.
    pub from_base: &'a BTreeSet<NodeId>,
    /// The slots its base module defines: those the program uses it imports, as named by
    /// [`slot_export`].
    pub base_slots: &'a BTreeSet<Slot>,
}

/// The identity's bytes where the module keeps them: the address cells, then the string.
pub(crate) fn identity_data(identity: &str) -> Vec<(u32, Vec<u8>)> {
    let mut cells = Vec::with_capacity(8);
    cells.extend_from_slice(&IDENT_STRING.to_le_bytes());
    cells.extend_from_slice(&(identity.len() as u32).to_le_bytes());
    vec![
        (IDENT_PTR_CELL, cells),
        (IDENT_STRING, identity.as_bytes().to_vec()),
    ]
}

/// The name a linked module exports a node's function under (for modules built on it).
pub(crate) fn function_export(node: NodeId) -> String {
    format!("n{}", node.0)
}

/// The name a linked module exports a slot's global under.
pub(crate) fn slot_export(slot: Slot) -> String {
    match slot {
        Slot::Stored(node, port) => format!("s{}.{port}", node.0),
        Slot::Variable(i) => format!("v{i}"),
    }
}

impl Indices<'_> {
    fn routine(&self, name: &str) -> Result<u32, String> {
        self.rt.index(name)
    }
}

/// Builds the module for `program` with identity `identity`; `names` adds the name section.
/// `shape`: the module the preview loads beside [`runtime_module`] instead of holding the
/// runtime itself (AI controllers only; see [`super::linked`]): the runtime's functions, globals
/// and memory are imported from `"rt"` at the indices they would have, the typed values at their
/// places from [`LINKED_INPUTS`] after the runtime's globals, the functions and slots taken from
/// a base module from [`LINKED_BASE`] (before the module's own); a whole module (nothing from a
/// base) exports every node function and slot for the modules built on it; the identity is
/// left out of the module's bytes and returned as data.
pub(crate) fn emit(
    program: &Program,
    rt: &'static Runtime,
    identity: &str,
    names: bool,
    shape: Option<&Linked<'_>>,
) -> Result<Emitted, String> {
    let linked = shape.is_some();
    let inputs = shape.map(|l| l.inputs);
    let inputs_count = inputs.map_or(0, InputLayout::capacity);
    let none = BTreeSet::new();
    let from_base = shape.map_or(&none, |l| l.from_base);
    let no_slots = BTreeSet::new();
    let base_slots = shape.map_or(&no_slots, |l| l.base_slots);
    // Functions and slots taken from the base module come first (imports), then the module's own.
    let (based, own): (Vec<&NodeFn>, Vec<&NodeFn>) = program
        .functions
        .iter()
        .partition(|f| from_base.contains(&f.node));
    let (based_slots, own_slots): (Vec<Slot>, Vec<Slot>) =
        program.slots.iter().partition(|s| base_slots.contains(s));
    let rt_funcs = rt.function_count();
    let world = program.kind == ScriptKind::WorldScript;
    if linked && (world || !rt.imports.is_empty()) {
        return Err("only an AI controller's module is linked to a separate runtime".into());
    }
    let mut texts = Vec::with_capacity(program.texts.len());
    let mut text_end = TEXT_BASE;
    for t in &program.texts {
        texts.push((text_end, t.len() as u32));
        text_end = text_end
            .checked_add(t.len() as u32)
            .ok_or("the graph's texts do not fit in memory")?;
    }
    let pages = (u64::from(text_end)).div_ceil(PAGE).max(1);
    if pages >= MAX_PAGES {
        return Err(format!(
            "the graph's texts take {pages} pages of memory, more than a script may have; shorten them"
        ));
    }
    let rt_types = rt.types.len() as u32;
    let rt_globals = rt.globals.len() as u32;
    let ix = Indices {
        funcs: based
            .iter()
            .chain(&own)
            .enumerate()
            .map(|(i, f)| (f.node, rt_funcs + i as u32))
            .collect(),
        slots: based_slots
            .iter()
            .chain(&own_slots)
            .enumerate()
            .map(|(i, &s)| (s, rt_globals + inputs_count + i as u32))
            .collect(),
        depth: rt.index("depth")?,
        rt,
        texts,
        inputs: inputs.map(|layout| (layout, rt_globals)),
    };
    let init_index = rt_funcs + program.functions.len() as u32;
    let decide_index = init_index + 1;
    let ident_ptr_global = rt_globals + inputs_count + program.slots.len() as u32;
    let own_first = rt_funcs + based.len() as u32;
    let own_slots_first = rt_globals + inputs_count + based_slots.len() as u32;
    let ident_len_global = ident_ptr_global + 1;

    let mut types = TypeSection::new();
    for (params, results) in &rt.types {
        types.ty().function(
            params.iter().map(|&t| val(t)),
            results.iter().map(|&t| val(t)),
        );
    }
    let (ty_exec, ty_data, ty_decide) = (rt_types, rt_types + 1, rt_types + 2);
    types.ty().function([], []);
    types.ty().function([], [ValType::I32]);
    if world {
        types
            .ty()
            .function([ValType::I32, ValType::I32], [ValType::I32]);
    } else {
        types.ty().function(
            [
                ValType::I32,
                ValType::I32,
                ValType::I32,
                ValType::I64,
                ValType::I32,
                ValType::I32,
            ],
            [ValType::I32],
        );
    }
    let mut imports = ImportSection::new();
    for (module, name, ty) in &rt.imports {
        imports.import(module, name, EntityType::Function(*ty));
    }
    if linked {
        linked_imports(
            &mut imports,
            rt,
            inputs_count,
            &based,
            &based_slots,
            (ty_exec, ty_data),
        );
    }

    let mut functions = FunctionSection::new();
    if !linked {
        for &t in &rt.func_types {
            functions.function(t);
        }
    }
    for f in &own {
        functions.function(match f.body {
            Body::Exec(_) => ty_exec,
            Body::Data(_) => ty_data,
        });
    }
    functions.function(ty_data);
    functions.function(ty_decide);

    let mut memories = MemorySection::new();
    memories.memory(memory_type(pages));

    let mut globals = GlobalSection::new();
    if !linked {
        runtime_globals(&mut globals, rt);
    }
    for _ in &own_slots {
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i32_const(0),
        );
    }
    for cell in [IDENT_PTR_CELL, IDENT_LEN_CELL] {
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: false,
                shared: false,
            },
            &ConstExpr::i32_const(cell as i32),
        );
    }

    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("init", ExportKind::Func, init_index);
    let entry_name = if world { "on_event" } else { "decide_turn" };
    exports.export(entry_name, ExportKind::Func, decide_index);
    exports.export("__ident_ptr", ExportKind::Global, ident_ptr_global);
    exports.export("__ident_len", ExportKind::Global, ident_len_global);
    // A whole linked module exports its node functions and slots for the modules built on it
    // (each exported function costs wasmtime an entry trampoline, so only a whole one does).
    if linked && from_base.is_empty() {
        for (i, f) in own.iter().enumerate() {
            exports.export(
                &function_export(f.node),
                ExportKind::Func,
                own_first + i as u32,
            );
        }
        for (i, &slot) in own_slots.iter().enumerate() {
            exports.export(
                &slot_export(slot),
                ExportKind::Global,
                own_slots_first + i as u32,
            );
        }
    }

    let mut code = CodeSection::new();
    for body in rt.bodies.iter().filter(|_| !linked) {
        code.raw(body);
    }
    for f in &own {
        code.function(&node_function(f, &ix)?);
    }
    let mut init = Function::new([]);
    if world {
        init.instructions().call(ix.routine("rt_w_init")?);
    }
    init.instructions().i32_const(1).end();
    code.function(&init);
    if world {
        code.function(&on_event(program, &ix)?);
    } else {
        code.function(&decide_turn(program, &ix)?);
    }

    let mut segments = identity_data(identity);
    for (t, &(at, _)) in program.texts.iter().zip(&ix.texts) {
        segments.push((at, t.as_bytes().to_vec()));
    }
    let mut data = DataSection::new();
    if !linked {
        for (at, bytes) in &segments {
            data.active(0, &ConstExpr::i32_const(*at as i32), bytes.iter().copied());
        }
    }

    let mut module = Module::new();
    module.section(&types);
    if !rt.imports.is_empty() || linked {
        module.section(&imports);
    }
    module.section(&functions);
    if !linked {
        module.section(&memories);
    }
    module.section(&globals).section(&exports).section(&code);
    if !linked {
        module.section(&data);
    }
    if world {
        // The events it answers (contract 2.1): the world delivers it only those.
        let mask = program
            .events
            .iter()
            .fold(EventMask::NONE, |m, e| m.with(e.event));
        module.section(&CustomSection {
            name: EVENTS_SECTION.into(),
            data: mask.to_bytes().to_vec().into(),
        });
    }
    if names {
        let mut section = NameSection::new();
        if !linked {
            section.module(identity);
        }
        let mut funcs = NameMap::new();
        for (i, n) in rt.func_names.iter().enumerate() {
            funcs.append(i as u32, n);
        }
        for f in &own {
            funcs.append(ix.funcs[&f.node], &symbol(f));
        }
        funcs.append(init_index, "init");
        funcs.append(decide_index, entry_name);
        section.functions(&funcs);
        // Subsections in the order the name section's format requires (module, functions,
        // locals, …, globals): wasmparser refuses to read them otherwise.
        section.locals(&IndirectNameMap::new());
        let mut globs = NameMap::new();
        for (i, n) in rt.global_names.iter().enumerate() {
            globs.append(i as u32, n);
        }
        for (i, &s) in own_slots.iter().enumerate() {
            let name = match s {
                Slot::Stored(node, port) => format!("node{node}.{port}"),
                Slot::Variable(v) => format!(
                    "var {}",
                    program.variables.get(v).map_or("?", String::as_str)
                ),
            };
            globs.append(own_slots_first + i as u32, &name);
        }
        globs.append(ident_ptr_global, "__ident_ptr");
        globs.append(ident_len_global, "__ident_len");
        section.globals(&globs);
        module.section(&section);
    } else if !linked {
        // A release build still says what made it, for support questions.
        module.section(&CustomSection {
            name: "creator-studio".into(),
            data: identity.as_bytes().into(),
        });
    }
    Ok(Emitted {
        bytes: module.finish(),
        node_functions: ix.funcs,
        data: if linked { segments } else { Vec::new() },
    })
}

/// A linked module's imports, in index order: the runtime's functions, memory and globals
/// (`"rt"`), the typed values (`"in"`), then what it takes from its base module (`"base"`).
fn linked_imports(
    imports: &mut ImportSection,
    rt: &Runtime,
    inputs: u32,
    based: &[&NodeFn],
    based_slots: &[Slot],
    (ty_exec, ty_data): (u32, u32),
) {
    let global = |val_type, mutable| {
        EntityType::Global(GlobalType {
            val_type,
            mutable,
            shared: false,
        })
    };
    for (i, &t) in rt.func_types.iter().enumerate() {
        imports.import(LINKED, &format!("f{i}"), EntityType::Function(t));
    }
    imports.import(LINKED, "memory", EntityType::Memory(memory_type(1)));
    for (i, &t) in rt.globals.iter().enumerate() {
        imports.import(LINKED, &format!("g{i}"), global(val(t), true));
    }
    for i in 0..inputs {
        imports.import(LINKED_INPUTS, &format!("p{i}"), global(ValType::I32, false));
    }
    for f in based {
        let ty = match f.body {
            Body::Exec(_) => ty_exec,
            Body::Data(_) => ty_data,
        };
        imports.import(
            LINKED_BASE,
            &function_export(f.node),
            EntityType::Function(ty),
        );
    }
    for &slot in based_slots {
        imports.import(LINKED_BASE, &slot_export(slot), global(ValType::I32, true));
    }
}

/// The runtime's globals, each mutable and starting at zero, as a module defines them.
fn runtime_globals(globals: &mut GlobalSection, rt: &Runtime) {
    for &t in &rt.globals {
        let init = match t {
            Ty::I32 => ConstExpr::i32_const(0),
            Ty::I64 => ConstExpr::i64_const(0),
            Ty::F32 => ConstExpr::f32_const(0.0.into()),
        };
        globals.global(
            GlobalType {
                val_type: val(t),
                mutable: true,
                shared: false,
            },
            &init,
        );
    }
}

/// The module name a linked graph module imports the runtime from.
pub(crate) const LINKED: &str = "rt";

fn memory_type(pages: u64) -> MemoryType {
    MemoryType {
        minimum: pages,
        maximum: Some(MAX_PAGES),
        memory64: false,
        shared: false,
        page_size_log2: None,
    }
}

/// The AI runtime as a module of its own, for the preview's linked modules: its functions,
/// globals and memory exported as `f0`…, `g0`… and `memory` (what [`emit`] with `linked` imports).
/// Compiled once, it spares every edit the runtime's translation.
pub(crate) fn runtime_module(rt: &Runtime) -> Result<Vec<u8>, String> {
    if !rt.imports.is_empty() {
        return Err("only the AI runtime is linked as a module of its own".into());
    }
    let mut types = TypeSection::new();
    for (params, results) in &rt.types {
        types.ty().function(
            params.iter().map(|&t| val(t)),
            results.iter().map(|&t| val(t)),
        );
    }
    let mut functions = FunctionSection::new();
    for &t in &rt.func_types {
        functions.function(t);
    }
    let mut memories = MemorySection::new();
    memories.memory(memory_type(1));
    let mut globals = GlobalSection::new();
    runtime_globals(&mut globals, rt);
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    for i in 0..rt.func_types.len() {
        exports.export(&format!("f{i}"), ExportKind::Func, i as u32);
    }
    for i in 0..rt.globals.len() {
        exports.export(&format!("g{i}"), ExportKind::Global, i as u32);
    }
    let mut code = CodeSection::new();
    for body in &rt.bodies {
        code.raw(body);
    }
    let mut module = Module::new();
    module
        .section(&types)
        .section(&functions)
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&code);
    Ok(module.finish())
}

/// The symbol of a node's function: `node#12 Attack`.
pub(crate) fn symbol(f: &NodeFn) -> String {
    format!("node{} {}", f.node, f.name)
}

/// Locals of one node function (which has no parameters), handed out as expressions ask.
struct Locals {
    count: u32,
}

impl Locals {
    fn fresh(&mut self) -> u32 {
        self.count += 1;
        self.count - 1
    }
}

fn node_function(f: &NodeFn, ix: &Indices<'_>) -> Result<Function, String> {
    let needed = match &f.body {
        Body::Exec(stmts) => stmts.iter().map(stmt_locals).sum(),
        Body::Data(e) => expr_locals(e),
    };
    let mut func = Function::new([(needed, ValType::I32)]);
    let mut locals = Locals { count: 0 };
    emit_body(f, ix, &mut func.instructions(), &mut locals)?;
    debug_assert_eq!(locals.count, needed);
    Ok(func)
}

/// Locals a statement's code takes: one per loop, two per Min / Max.
fn stmt_locals(s: &Stmt) -> u32 {
    match s {
        Stmt::Run(_) => 0,
        Stmt::If {
            cond,
            then,
            otherwise,
        } => {
            expr_locals(cond)
                + then.iter().map(stmt_locals).sum::<u32>()
                + otherwise.iter().map(stmt_locals).sum::<u32>()
        }
        Stmt::ForEach { body, .. } => 1 + body.iter().map(stmt_locals).sum::<u32>(),
        Stmt::ForEachNear {
            centre,
            radius,
            body,
            ..
        } => {
            3 + expr_locals(centre)
                + expr_locals(radius)
                + body.iter().map(stmt_locals).sum::<u32>()
        }
        Stmt::Set(_, e) | Stmt::Eval(e) => expr_locals(e),
    }
}

fn expr_locals(e: &Expr) -> u32 {
    match e {
        Expr::Const(_) | Expr::Inline(..) | Expr::Get(_) | Expr::Node(_) | Expr::Text(_) => 0,
        Expr::Call(_, args) => args.iter().map(expr_locals).sum(),
        Expr::Not(a) => expr_locals(a),
        Expr::Select(three) => three.iter().map(expr_locals).sum(),
        Expr::Binary(op, a, b) => {
            let own = if matches!(op, BinOp::Min | BinOp::Max) {
                2
            } else {
                0
            };
            own + expr_locals(a) + expr_locals(b)
        }
    }
}

fn emit_body(
    f: &NodeFn,
    ix: &Indices<'_>,
    s: &mut InstructionSink<'_>,
    locals: &mut Locals,
) -> Result<(), String> {
    let depth = ix.depth;
    let result = matches!(f.body, Body::Data(_));
    // Past MAX_DEPTH: nothing (execution) or 0 (data).
    s.global_get(depth)
        .i32_const(MAX_DEPTH as i32)
        .i32_ge_u()
        .if_(BlockType::Empty);
    if result {
        s.i32_const(0);
    }
    s.return_().end();
    s.global_get(depth).i32_const(1).i32_add().global_set(depth);
    match &f.body {
        Body::Exec(stmts) => emit_stmts(stmts, ix, s, locals)?,
        Body::Data(e) => emit_expr(e, ix, s, locals)?,
    }
    s.global_get(depth).i32_const(1).i32_sub().global_set(depth);
    s.end();
    Ok(())
}

fn emit_stmts(
    stmts: &[Stmt],
    ix: &Indices<'_>,
    s: &mut InstructionSink<'_>,
    locals: &mut Locals,
) -> Result<(), String> {
    for stmt in stmts {
        match stmt {
            Stmt::Run(node) => {
                s.call(func_of(ix, *node)?);
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                emit_expr(cond, ix, s, locals)?;
                s.if_(BlockType::Empty);
                emit_stmts(then, ix, s, locals)?;
                if !otherwise.is_empty() {
                    s.else_();
                    emit_stmts(otherwise, ix, s, locals)?;
                }
                s.end();
            }
            Stmt::ForEach { which, unit, body } => {
                let current = locals.fresh();
                let next = ix.routine("rt_next_unit")?;
                s.i32_const(0).local_set(current);
                s.block(BlockType::Empty).loop_(BlockType::Empty);
                s.i32_const(*which)
                    .local_get(current)
                    .call(next)
                    .local_tee(current)
                    .i32_eqz()
                    .br_if(1);
                if let Some(slot) = unit {
                    s.local_get(current).global_set(global_of(ix, *slot)?);
                }
                emit_stmts(body, ix, s, locals)?;
                s.br(0).end().end();
            }
            Stmt::ForEachNear {
                centre,
                radius,
                entity,
                body,
            } => {
                let (tile, rad, current) = (locals.fresh(), locals.fresh(), locals.fresh());
                let next = ix.routine("rt_w_next_near")?;
                emit_expr(centre, ix, s, locals)?;
                s.local_set(tile);
                emit_expr(radius, ix, s, locals)?;
                s.local_set(rad);
                // A centre that is none: no rounds.
                s.local_get(tile)
                    .i32_const(-1)
                    .i32_ne()
                    .if_(BlockType::Empty)
                    .i32_const(-1)
                    .local_set(current);
                s.block(BlockType::Empty).loop_(BlockType::Empty);
                s.local_get(tile)
                    .local_get(rad)
                    .local_get(current)
                    .call(next)
                    .local_tee(current)
                    .i32_const(0)
                    .i32_lt_s()
                    .br_if(1);
                if let Some(slot) = entity {
                    s.local_get(current).global_set(global_of(ix, *slot)?);
                }
                emit_stmts(body, ix, s, locals)?;
                s.br(0).end().end().end();
            }
            Stmt::Set(slot, e) => {
                emit_expr(e, ix, s, locals)?;
                s.global_set(global_of(ix, *slot)?);
            }
            Stmt::Eval(e) => {
                emit_expr(e, ix, s, locals)?;
                s.drop();
            }
        }
    }
    Ok(())
}

fn emit_expr(
    e: &Expr,
    ix: &Indices<'_>,
    s: &mut InstructionSink<'_>,
    locals: &mut Locals,
) -> Result<(), String> {
    match e {
        Expr::Const(n) => {
            s.i32_const(*n);
        }
        Expr::Inline(node, port, n) => match ix.inputs {
            Some((layout, first)) => {
                let place = layout
                    .place(*node, port)
                    .ok_or_else(|| format!("the input {port} of {node} has no place"))?;
                s.global_get(first + place);
            }
            None => {
                s.i32_const(*n);
            }
        },
        Expr::Get(slot) => {
            s.global_get(global_of(ix, *slot)?);
        }
        Expr::Node(node) => {
            s.call(func_of(ix, *node)?);
        }
        Expr::Call(routine, args) => {
            for a in args {
                emit_expr(a, ix, s, locals)?;
            }
            s.call(ix.routine(routine.symbol())?);
        }
        Expr::Not(a) => {
            emit_expr(a, ix, s, locals)?;
            s.i32_eqz();
        }
        Expr::Select(three) => {
            for e in three.iter() {
                emit_expr(e, ix, s, locals)?;
            }
            s.select();
        }
        Expr::Text(i) => {
            let &(at, len) = ix
                .texts
                .get(*i)
                .ok_or_else(|| format!("text {i} was not laid out"))?;
            s.i32_const(at as i32).i32_const(len as i32);
        }
        Expr::Binary(op, a, b) => {
            emit_expr(a, ix, s, locals)?;
            if let BinOp::Min | BinOp::Max = op {
                let (x, y) = (locals.fresh(), locals.fresh());
                s.local_set(x);
                emit_expr(b, ix, s, locals)?;
                s.local_set(y);
                s.local_get(x).local_get(y).local_get(x).local_get(y);
                if *op == BinOp::Min {
                    s.i32_lt_s();
                } else {
                    s.i32_gt_s();
                }
                s.select();
                return Ok(());
            }
            emit_expr(b, ix, s, locals)?;
            match op {
                BinOp::Add => s.i32_add(),
                BinOp::Sub => s.i32_sub(),
                BinOp::Mul => s.i32_mul(),
                BinOp::Lt => s.i32_lt_s(),
                BinOp::Le => s.i32_le_s(),
                BinOp::Eq => s.i32_eq(),
                BinOp::Ne => s.i32_ne(),
                BinOp::Ge => s.i32_ge_s(),
                BinOp::Gt => s.i32_gt_s(),
                BinOp::And => s.i32_and(),
                BinOp::Or => s.i32_or(),
                BinOp::Min | BinOp::Max => s,
            };
        }
    }
    Ok(())
}

fn func_of(ix: &Indices<'_>, node: NodeId) -> Result<u32, String> {
    ix.funcs
        .get(&node)
        .copied()
        .ok_or_else(|| format!("node {node} is called but was not lowered"))
}

fn global_of(ix: &Indices<'_>, slot: Slot) -> Result<u32, String> {
    ix.slots
        .get(&slot)
        .copied()
        .ok_or_else(|| format!("the global {slot:?} was not declared"))
}

/// `on_event(event_ptr, event_len) -> i32`: decodes the event (-1 if it is not one), then runs
/// each event node answering it, in node-id order, if its filter holds; 0.
fn on_event(program: &Program, ix: &Indices<'_>) -> Result<Function, String> {
    let needed: u32 = program
        .events
        .iter()
        .filter_map(|e| e.filter.as_ref())
        .map(expr_locals)
        .sum();
    let code = 2;
    let mut f = Function::new([(1 + needed, ValType::I32)]);
    let mut locals = Locals { count: 3 };
    let ev = ix.routine("ev")?;
    let mut s = f.instructions();
    s.local_get(0)
        .local_get(1)
        .call(ix.routine("rt_w_event")?)
        .local_tee(code)
        .i32_const(0)
        .i32_lt_s()
        .if_(BlockType::Empty)
        .i32_const(-1)
        .return_()
        .end();
    for e in &program.events {
        s.global_get(ev)
            .i32_const(i32::from(e.event))
            .i32_eq()
            .if_(BlockType::Empty);
        if let Some(filter) = &e.filter {
            emit_expr(filter, ix, &mut s, &mut locals)?;
            s.if_(BlockType::Empty);
        }
        s.call(func_of(ix, e.node)?);
        if e.filter.is_some() {
            s.end();
        }
        s.end();
    }
    s.i32_const(0).end();
    Ok(f)
}

/// `decide_turn(state_ptr, state_len, slot, seed, out_ptr, out_cap) -> i32`.
fn decide_turn(program: &Program, ix: &Indices<'_>) -> Result<Function, String> {
    let mut f = Function::new([(1, ValType::I32)]);
    let code = 6;
    let mut s = f.instructions();
    s.local_get(0)
        .local_get(1)
        .local_get(2)
        .local_get(3)
        .call(ix.routine("rt_begin")?)
        .local_tee(code)
        .i32_const(0)
        .i32_lt_s()
        .if_(BlockType::Empty)
        .local_get(code)
        .return_()
        .end();
    for slot in &program.slots {
        s.i32_const(0).global_set(global_of(ix, *slot)?);
    }
    if let Some(entry) = program.entry {
        s.call(func_of(ix, entry)?);
    }
    s.local_get(4)
        .local_get(5)
        .call(ix.routine("rt_finish")?)
        .end();
    Ok(f)
}
