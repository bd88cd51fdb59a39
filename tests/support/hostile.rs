//! Generated hostile controller modules: contract-shaped modules (the right exports, a valid
//! identity) that attack the host with their size or shape rather than with what they compute.
//! They are too large or too repetitive to keep as `.wat` fixtures, so the tests and the
//! `make_hostile_modules` example generate them with `wasm-encoder`, at any size.
//!
//! Every generator returns module bytes that `wasmparser` accepts under the full default feature
//! set (multi-memory, memory64…), so each one exercises the host's own limits, not the parser's.
#![allow(dead_code)]

use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataSection, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, MemorySection, MemoryType, Module, RefType,
    TableSection, TableType, TypeSection, ValType,
};

/// What a generated module holds beyond the contract's scaffold.
#[derive(Default)]
struct Extras {
    /// Additional memories (after the exported one), each with this many initial pages.
    memories: Vec<u64>,
    /// Tables, each with this many initial entries.
    tables: Vec<u64>,
    /// Locals of `decide_turn` and its body (default: return an empty reply).
    decide: Option<Function>,
    /// Extra functions of type `() -> ()` with these bodies.
    functions: Vec<Function>,
    /// Initial pages of the exported memory (default 1) and its declared maximum.
    memory: Option<(u64, Option<u64>)>,
}

const PARAMS: [ValType; 6] = [
    ValType::I32,
    ValType::I32,
    ValType::I32,
    ValType::I64,
    ValType::I32,
    ValType::I32,
];

/// Assembles the contract's scaffold (memory, identity cells at 16 and 20 pointing to the
/// identity string at 32, `init` returning 1, `decide_turn`) around `extras`.
fn contract(ident: &str, extras: Extras) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([], [ValType::I32]); // 0: init
    types.ty().function(PARAMS, [ValType::I32]); // 1: decide_turn
    types.ty().function([], []); // 2: extra functions
    let mut funcs = FunctionSection::new();
    funcs.function(0).function(1);
    for _ in &extras.functions {
        funcs.function(2);
    }
    let mut tables = TableSection::new();
    for &n in &extras.tables {
        tables.table(TableType {
            element_type: RefType::FUNCREF,
            table64: false,
            minimum: n,
            maximum: None,
            shared: false,
        });
    }
    let mut memories = MemorySection::new();
    let (pages, maximum) = extras.memory.unwrap_or((1, None));
    let memory = |minimum, maximum| MemoryType {
        minimum,
        maximum,
        memory64: false,
        shared: false,
        page_size_log2: None,
    };
    memories.memory(memory(pages, maximum));
    for &n in &extras.memories {
        memories.memory(memory(n, None));
    }
    let mut globals = GlobalSection::new();
    let cell = |v| {
        (
            GlobalType {
                val_type: ValType::I32,
                mutable: false,
                shared: false,
            },
            ConstExpr::i32_const(v),
        )
    };
    for (ty, init) in [cell(16), cell(20)] {
        globals.global(ty, &init);
    }
    let mut exports = ExportSection::new();
    exports
        .export("memory", ExportKind::Memory, 0)
        .export("init", ExportKind::Func, 0)
        .export("decide_turn", ExportKind::Func, 1)
        .export("__ident_ptr", ExportKind::Global, 0)
        .export("__ident_len", ExportKind::Global, 1);
    let mut code = CodeSection::new();
    let mut init = Function::new([]);
    init.instructions().i32_const(1).end();
    code.function(&init);
    let decide = extras.decide.unwrap_or_else(|| {
        let mut f = Function::new([]);
        f.instructions().i32_const(1).end();
        f
    });
    code.function(&decide);
    for f in &extras.functions {
        code.function(f);
    }
    let mut data = DataSection::new();
    data.active(0, &ConstExpr::i32_const(16), 32u32.to_le_bytes());
    data.active(
        0,
        &ConstExpr::i32_const(20),
        (ident.len() as u32).to_le_bytes(),
    );
    data.active(0, &ConstExpr::i32_const(32), ident.bytes());

    let mut module = Module::new();
    module.section(&types).section(&funcs);
    if !extras.tables.is_empty() {
        module.section(&tables);
    }
    module
        .section(&memories)
        .section(&globals)
        .section(&exports)
        .section(&code)
        .section(&data);
    module.finish()
}

/// A well-behaved module: passes every turn.
pub fn polite() -> Vec<u8> {
    contract("polite 1.0.0", Extras::default())
}

/// `count` memories of `pages` pages each besides the exported one (multi-memory).
pub fn many_memories(count: usize, pages: u64) -> Vec<u8> {
    contract(
        "hoarder 1.0.0",
        Extras {
            memories: vec![pages; count],
            ..Extras::default()
        },
    )
}

/// `count` tables of `entries` function references each.
pub fn many_tables(count: usize, entries: u64) -> Vec<u8> {
    contract(
        "tabler 1.0.0",
        Extras {
            tables: vec![entries; count],
            ..Extras::default()
        },
    )
}

/// An exported memory of `pages` initial pages and the given declared maximum.
pub fn memory_shape(pages: u64, maximum: Option<u64>) -> Vec<u8> {
    contract(
        "shaped 1.0.0",
        Extras {
            memory: Some((pages, maximum)),
            ..Extras::default()
        },
    )
}

/// `decide_turn` with `locals` i64 locals, all live across one loop (the register allocator's
/// worst case: compile time grows with the square of the locals).
pub fn many_locals(locals: u32) -> Vec<u8> {
    let mut f = Function::new([(locals, ValType::I64)]);
    let base = PARAMS.len() as u32;
    let mut ins = f.instructions();
    ins.loop_(BlockType::Empty);
    for i in 0..locals {
        let next = base + (i + 1) % locals;
        ins.local_get(base + i)
            .local_get(next)
            .i64_add()
            .local_set(next);
    }
    // Loop while the first local is non-zero (never: all start at 0), so the loop is real.
    ins.local_get(base).i64_const(0).i64_ne().br_if(0).end();
    ins.i32_const(1).end();
    contract(
        "hoarder-of-locals 1.0.0",
        Extras {
            decide: Some(f),
            ..Extras::default()
        },
    )
}

/// `count` empty functions besides the contract's two.
pub fn many_functions(count: usize) -> Vec<u8> {
    let mut empty = Function::new([]);
    empty.instructions().end();
    contract(
        "crowd 1.0.0",
        Extras {
            functions: vec![empty; count],
            ..Extras::default()
        },
    )
}

/// `decide_turn` as `depth` nested blocks.
pub fn deep_nesting(depth: u32) -> Vec<u8> {
    let mut f = Function::new([]);
    let mut ins = f.instructions();
    for _ in 0..depth {
        ins.block(BlockType::Empty);
    }
    for _ in 0..depth {
        ins.end();
    }
    ins.i32_const(1).end();
    contract(
        "matryoshka 1.0.0",
        Extras {
            decide: Some(f),
            ..Extras::default()
        },
    )
}

/// A straight-line body of about `bytes` bytes of arithmetic on four locals starting at `base`.
fn straight_line(bytes: usize, base: u32, result: bool) -> Function {
    let mut f = Function::new([(4, ValType::I32)]);
    let mut ins = f.instructions();
    // Each round is 7 bytes: local.get a, local.get b, i32.add, local.set c, with 1-byte indices.
    for i in 0..(bytes / 7) as u32 {
        ins.local_get(base + i % 4)
            .local_get(base + (i + 1) % 4)
            .i32_add()
            .local_set(base + (i + 2) % 4);
    }
    if result {
        ins.i32_const(1);
    }
    ins.end();
    f
}

/// `decide_turn` as one straight-line body of about `bytes` bytes.
pub fn long_body(bytes: usize) -> Vec<u8> {
    contract(
        "longwinded 1.0.0",
        Extras {
            decide: Some(straight_line(bytes, PARAMS.len() as u32, true)),
            ..Extras::default()
        },
    )
}

/// `count` extra functions, each a straight-line body of about `bytes` bytes.
pub fn many_long_functions(count: usize, bytes: usize) -> Vec<u8> {
    contract(
        "longwinded-crowd 1.0.0",
        Extras {
            functions: vec![straight_line(bytes, 0, false); count],
            ..Extras::default()
        },
    )
}

/// `count` functions, each with `locals` i64 locals live across a loop: the worst case of the
/// per-function limits multiplied by the function limit.
pub fn many_functions_with_locals(count: usize, locals: u32) -> Vec<u8> {
    let mut f = Function::new([(locals, ValType::I64)]);
    let mut ins = f.instructions();
    ins.loop_(BlockType::Empty);
    for i in 0..locals {
        let next = (i + 1) % locals;
        ins.local_get(i).local_get(next).i64_add().local_set(next);
    }
    ins.local_get(0).i64_const(0).i64_ne().br_if(0).end();
    ins.end();
    contract(
        "heavy-crowd 1.0.0",
        Extras {
            functions: vec![f; count],
            ..Extras::default()
        },
    )
}

/// `decide_turn` pushes `height` values on the operand stack, then adds them all up: every value
/// is live at once.
pub fn deep_stack(height: u32) -> Vec<u8> {
    let mut f = Function::new([]);
    let mut ins = f.instructions();
    for _ in 0..height {
        ins.local_get(3);
    }
    for _ in 1..height {
        ins.i64_add();
    }
    ins.drop().i32_const(1).end();
    contract(
        "stacker 1.0.0",
        Extras {
            decide: Some(f),
            ..Extras::default()
        },
    )
}

/// `count` functions, each loading `height` values from memory onto the operand stack, then
/// adding them all up (the shape that took minutes to compile before the stack was bounded).
pub fn deep_stacks(count: usize, height: u32) -> Vec<u8> {
    let mut f = Function::new([]);
    let mut ins = f.instructions();
    for _ in 0..height {
        ins.i32_const(0).i32_load(wasm_encoder::MemArg {
            offset: 0,
            align: 2,
            target: wasm_encoder::MemArgTarget::Memory(0),
            ordering: None,
        });
    }
    for _ in 1..height {
        ins.i32_add();
    }
    ins.drop().end();
    contract(
        "stackers 1.0.0",
        Extras {
            functions: vec![f; count],
            ..Extras::default()
        },
    )
}

/// `decide_turn` with `locals` i64 locals and `loops` loops one after another, each of which
/// reads and writes every local (all locals live across every loop).
pub fn many_locals_loops(locals: u32, loops: u32) -> Vec<u8> {
    let mut f = Function::new([(locals, ValType::I64)]);
    let base = PARAMS.len() as u32;
    let mut ins = f.instructions();
    for _ in 0..loops {
        ins.loop_(BlockType::Empty);
        for i in 0..locals {
            let next = base + (i + 1) % locals;
            ins.local_get(base + i)
                .local_get(next)
                .i64_add()
                .local_set(next);
        }
        ins.local_get(base).i64_const(0).i64_ne().br_if(0).end();
    }
    ins.i32_const(1).end();
    contract(
        "looper 1.0.0",
        Extras {
            decide: Some(f),
            ..Extras::default()
        },
    )
}

/// A body that sets `locals` i64 locals (from local `base`), runs `loops` tiny loops (or `if`s)
/// that touch one of them, then reads them all: every local is live across every loop, in a
/// small body. `arg` is an i32 local that is 0 at run time (so no `if` is taken).
fn live_across_body(locals: u32, loops: u32, with_ifs: bool, base: u32, arg: u32) -> Function {
    let mut f = Function::new([(locals, ValType::I64), (1, ValType::I32)]);
    let counter = base + locals;
    let mut ins = f.instructions();
    for i in 0..locals {
        ins.i64_const(i64::from(i) * 7919).local_set(base + i);
    }
    for i in 0..loops {
        if with_ifs {
            ins.local_get(arg).if_(BlockType::Empty);
            ins.local_get(base + i % locals)
                .i64_const(1)
                .i64_add()
                .local_set(base + i % locals);
            ins.end();
        } else {
            ins.i32_const(0).local_set(counter);
            ins.loop_(BlockType::Empty);
            ins.local_get(counter)
                .i32_const(1)
                .i32_add()
                .local_tee(counter);
            ins.i32_const(3).i32_lt_u().br_if(0).end();
        }
    }
    ins.i64_const(0);
    for i in 0..locals {
        ins.local_get(base + i).i64_add();
    }
    ins.drop();
    f
}

/// `decide_turn` as [`live_across_body`].
pub fn live_across(locals: u32, loops: u32, with_ifs: bool) -> Vec<u8> {
    let base = PARAMS.len() as u32;
    let mut f = live_across_body(locals, loops, with_ifs, base, 2);
    f.instructions().i32_const(1).end();
    contract(
        "lingerer 1.0.0",
        Extras {
            decide: Some(f),
            ..Extras::default()
        },
    )
}

/// `count` extra functions, each a [`live_across_body`] with loops.
pub fn live_across_functions(count: usize, locals: u32, loops: u32) -> Vec<u8> {
    let mut f = live_across_body(locals, loops, false, 0, locals);
    f.instructions().end();
    contract(
        "lingerers 1.0.0",
        Extras {
            functions: vec![f; count],
            ..Extras::default()
        },
    )
}

/// The worst of several bounds at once: `empty` empty functions beside `heavy` functions with
/// `locals` locals live across `loops` loops.
pub fn crowd_with_loops(empty: usize, heavy: usize, locals: u32, loops: u32) -> Vec<u8> {
    let mut nothing = Function::new([]);
    nothing.instructions().end();
    let mut busy = live_across_body(locals, loops, false, 0, locals);
    busy.instructions().end();
    let mut functions = vec![nothing; empty];
    functions.extend(std::iter::repeat_n(busy, heavy));
    contract(
        "everything-at-once 1.0.0",
        Extras {
            functions,
            ..Extras::default()
        },
    )
}
