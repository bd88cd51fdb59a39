//! Bulk operations in chunks: a world script's `memory.fill`, `memory.copy`, `memory.init`,
//! `table.fill`, `table.copy` and `table.init` become calls of small functions added to its
//! module, which do the same work in pieces of at most [`CHUNK`] bytes or elements.
//!
//! Wasmtime charges these operators fuel for every byte or element they move, all at once,
//! before the operator runs: one `memory.fill` over 16 MiB would take 16 million fuel in a
//! single step, twice a script's tick, and run for milliseconds with no place to stop. In
//! pieces, each piece is charged on its own and the loop between pieces is a place where the
//! store yields, so a script's slice ends where its fuel does, like anywhere else, and the
//! work is charged as honestly as before (a byte or an element one fuel, plus a few for each
//! piece). The meaning is the same: the bounds of the whole operation are checked first (out of
//! bounds traps before anything is written, as the operator does), a copy within one memory or
//! table runs backwards when it must, so overlapping ranges move as `memmove` does. Only
//! `memory.init` and `table.init` may write some pieces before a segment that is too short (or
//! dropped) traps, and a trap replaces the script's instance anyway.
//!
//! The same pass puts a fuel check point (an empty `loop`, which wasmtime checks fuel at and
//! charges nothing for) after every [`STRETCH`] operators of code without one (a function's
//! entry, a loop header or a call), so wherever the store's interval runs out, the operator that
//! notices is at most that far on: a slice ends within a few thousand fuel of its end whatever
//! the code (a function of 100,000 straight loads once ran its slice 100,000 fuel long).
//!
//! AI controllers are not rewritten: a turn has no slices to keep exact.

use std::collections::BTreeMap;

use wasm_encoder::reencode::{Error, Reencode, utils};
use wasm_encoder::{BlockType, Function, Instruction, RefType, ValType};
use wasmparser::{Operator, Payload};

/// Bytes or elements of one piece.
pub const CHUNK: u32 = 4 * 1024;

/// Operators at most between two fuel check points.
pub const STRETCH: u32 = 1_000;

/// One bulk operation, as its helper does it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bulk {
    MemoryFill,
    MemoryCopy,
    MemoryInit(u32),
    TableFill(u32),
    TableCopy(u32, u32),
    TableInit(u32, u32),
}

/// What the rewrite needs to know of the module.
#[derive(Default)]
struct Shape {
    /// Imported functions (they come first in the function index space).
    imported: u32,
    /// Functions the module defines.
    defined: u32,
    /// Types in the type section.
    types: u32,
    /// The element type of each table, by index.
    tables: Vec<wasmparser::RefType>,
    /// The helpers needed, each with its index among the added functions.
    helpers: BTreeMap<Bulk, u32>,
}

impl Shape {
    fn of(wasm: &[u8]) -> Result<Self, String> {
        let err = |e: wasmparser::BinaryReaderError| e.to_string();
        let mut shape = Shape::default();
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            match payload.map_err(err)? {
                Payload::TypeSection(r) => shape.types = r.count(),
                Payload::ImportSection(r) => {
                    for import in r.into_imports() {
                        match import.map_err(err)?.ty {
                            wasmparser::TypeRef::Func(_) => shape.imported += 1,
                            wasmparser::TypeRef::Table(t) => shape.tables.push(t.element_type),
                            _ => {}
                        }
                    }
                }
                Payload::FunctionSection(r) => shape.defined = r.count(),
                Payload::TableSection(r) => {
                    for t in r {
                        shape.tables.push(t.map_err(err)?.ty.element_type);
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let mut reader = body.get_operators_reader().map_err(err)?;
                    while !reader.eof() {
                        if let Some(b) = bulk(&reader.read().map_err(err)?) {
                            let next = shape.helpers.len() as u32;
                            shape.helpers.entry(b).or_insert(next);
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(shape)
    }

    /// The function index of `b`'s helper.
    fn helper(&self, b: Bulk) -> Option<u32> {
        let k = self.helpers.get(&b)?;
        Some(self.imported + self.defined + k)
    }

    /// The type index of `b`'s helper: `(i32, i32, i32) -> ()` first, then one
    /// `(i32, ref, i32) -> ()` per table element type `table.fill` needs.
    fn type_of(&self, b: Bulk) -> u32 {
        match b {
            Bulk::TableFill(t) => {
                self.types
                    + 1
                    + self
                        .fill_types()
                        .iter()
                        .position(|r| *r == self.tables[t as usize])
                        .unwrap_or(0) as u32
            }
            _ => self.types,
        }
    }

    fn fill_types(&self) -> Vec<wasmparser::RefType> {
        let mut out: Vec<wasmparser::RefType> = Vec::new();
        for b in self.helpers.keys() {
            if let Bulk::TableFill(t) = b
                && let Some(r) = self.tables.get(*t as usize)
                && !out.contains(r)
            {
                out.push(*r);
            }
        }
        out
    }
}

/// The bulk operation `op` is, if it is one.
fn bulk(op: &Operator<'_>) -> Option<Bulk> {
    Some(match *op {
        Operator::MemoryFill { mem: 0 } => Bulk::MemoryFill,
        Operator::MemoryCopy {
            dst_mem: 0,
            src_mem: 0,
        } => Bulk::MemoryCopy,
        Operator::MemoryInit { data_index, mem: 0 } => Bulk::MemoryInit(data_index),
        Operator::TableFill { table } => Bulk::TableFill(table),
        Operator::TableCopy {
            dst_table,
            src_table,
        } => Bulk::TableCopy(dst_table, src_table),
        Operator::TableInit { elem_index, table } => Bulk::TableInit(elem_index, table),
        _ => return None,
    })
}

/// `wasm` as a world runs it: its bulk operations done in chunks, and a fuel check point in
/// every long stretch of code (see the module documentation). `wasm` must be valid.
pub fn prepare(wasm: &[u8]) -> Result<Vec<u8>, String> {
    let shape = Shape::of(wasm)?;
    let mut module = wasm_encoder::Module::new();
    let mut chunker = Chunker {
        shape: &shape,
        ref_types: Vec::new(),
    };
    chunker.ref_types = shape
        .fill_types()
        .into_iter()
        .map(|r| chunker.ref_type(r))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{e:?}"))?;
    chunker
        .parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)
        .map_err(|e| format!("the module's bulk operations could not be chunked: {e:?}"))?;
    Ok(module.finish())
}

struct Chunker<'s> {
    shape: &'s Shape,
    /// The encoder's form of each `table.fill` element type, in type order.
    ref_types: Vec<RefType>,
}

impl Reencode for Chunker<'_> {
    type Error = String;

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), Error<String>> {
        let mut f = self.new_function_with_parsed_locals(&func)?;
        let mut reader = func.get_operators_reader()?;
        let mut stretch = 0u32;
        while !reader.eof() {
            let op = reader.read()?;
            stretch = match op {
                Operator::Loop { .. } | Operator::Call { .. } | Operator::CallIndirect { .. } => 0,
                _ => stretch + 1,
            };
            if stretch >= STRETCH {
                f.instruction(&Instruction::Loop(BlockType::Empty));
                f.instruction(&Instruction::End);
                stretch = 0;
            }
            f.instruction(&self.instruction(op)?);
        }
        code.function(&f);
        Ok(())
    }

    fn instruction<'a>(&mut self, op: Operator<'a>) -> Result<Instruction<'a>, Error<String>> {
        match bulk(&op).and_then(|b| self.shape.helper(b)) {
            Some(f) => Ok(Instruction::Call(f)),
            None => utils::instruction(self, op),
        }
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), Error<String>> {
        utils::parse_type_section(self, types, section)?;
        types
            .ty()
            .function([ValType::I32, ValType::I32, ValType::I32], []);
        for r in &self.ref_types {
            types
                .ty()
                .function([ValType::I32, ValType::Ref(*r), ValType::I32], []);
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), Error<String>> {
        utils::parse_function_section(self, functions, section)?;
        for b in self.helpers_in_order() {
            functions.function(self.shape.type_of(b));
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), Error<String>> {
        utils::parse_code_section(self, code, section)?;
        for b in self.helpers_in_order() {
            code.function(&helper_body(b));
        }
        Ok(())
    }
}

impl Chunker<'_> {
    /// The helpers in the order of their function indices.
    fn helpers_in_order(&self) -> Vec<Bulk> {
        let mut out: Vec<(u32, Bulk)> = self.shape.helpers.iter().map(|(b, k)| (*k, *b)).collect();
        out.sort();
        out.into_iter().map(|(_, b)| b).collect()
    }
}

/// The locals of every helper: its three parameters `(destination, source or value, count)`.
const D: u32 = 0;
const S: u32 = 1;
const N: u32 = 2;

/// The body of `b`'s helper.
fn helper_body(b: Bulk) -> Function {
    let mut f = Function::new([]);
    // The bounds of the whole operation first: out of bounds traps before anything moves.
    match b {
        Bulk::MemoryFill | Bulk::MemoryInit(_) => memory_bound(&mut f, D),
        Bulk::MemoryCopy => {
            memory_bound(&mut f, D);
            memory_bound(&mut f, S);
        }
        Bulk::TableFill(t) | Bulk::TableInit(_, t) => table_bound(&mut f, D, t),
        Bulk::TableCopy(dt, st) => {
            table_bound(&mut f, D, dt);
            table_bound(&mut f, S, st);
        }
    }
    let backwards = match b {
        Bulk::MemoryCopy => true,
        Bulk::TableCopy(dt, st) => dt == st,
        _ => false,
    };
    let moves_source = !matches!(b, Bulk::MemoryFill | Bulk::TableFill(_));
    if backwards {
        // Destination above the source: from the end down, so overlapping ranges move as
        // `memmove` does.
        f.instruction(&Instruction::LocalGet(D));
        f.instruction(&Instruction::LocalGet(S));
        f.instruction(&Instruction::I32GtU);
        f.instruction(&Instruction::If(BlockType::Empty));
        f.instruction(&Instruction::Block(BlockType::Empty));
        f.instruction(&Instruction::Loop(BlockType::Empty));
        f.instruction(&Instruction::LocalGet(N));
        f.instruction(&Instruction::I32Const(CHUNK as i32));
        f.instruction(&Instruction::I32LeU);
        f.instruction(&Instruction::BrIf(1));
        f.instruction(&Instruction::LocalGet(N));
        f.instruction(&Instruction::I32Const(CHUNK as i32));
        f.instruction(&Instruction::I32Sub);
        f.instruction(&Instruction::LocalSet(N));
        for base in [D, S] {
            f.instruction(&Instruction::LocalGet(base));
            f.instruction(&Instruction::LocalGet(N));
            f.instruction(&Instruction::I32Add);
        }
        f.instruction(&Instruction::I32Const(CHUNK as i32));
        op(&mut f, b);
        f.instruction(&Instruction::Br(0));
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::LocalGet(D));
        f.instruction(&Instruction::LocalGet(S));
        f.instruction(&Instruction::LocalGet(N));
        op(&mut f, b);
        f.instruction(&Instruction::Return);
        f.instruction(&Instruction::End);
    }
    // From the start up.
    f.instruction(&Instruction::Block(BlockType::Empty));
    f.instruction(&Instruction::Loop(BlockType::Empty));
    f.instruction(&Instruction::LocalGet(N));
    f.instruction(&Instruction::I32Const(CHUNK as i32));
    f.instruction(&Instruction::I32LeU);
    f.instruction(&Instruction::BrIf(1));
    f.instruction(&Instruction::LocalGet(D));
    f.instruction(&Instruction::LocalGet(S));
    f.instruction(&Instruction::I32Const(CHUNK as i32));
    op(&mut f, b);
    let bases: &[u32] = if moves_source { &[D, S] } else { &[D] };
    for &base in bases {
        f.instruction(&Instruction::LocalGet(base));
        f.instruction(&Instruction::I32Const(CHUNK as i32));
        f.instruction(&Instruction::I32Add);
        f.instruction(&Instruction::LocalSet(base));
    }
    f.instruction(&Instruction::LocalGet(N));
    f.instruction(&Instruction::I32Const(CHUNK as i32));
    f.instruction(&Instruction::I32Sub);
    f.instruction(&Instruction::LocalSet(N));
    f.instruction(&Instruction::Br(0));
    f.instruction(&Instruction::End);
    f.instruction(&Instruction::End);
    f.instruction(&Instruction::LocalGet(D));
    f.instruction(&Instruction::LocalGet(S));
    f.instruction(&Instruction::LocalGet(N));
    op(&mut f, b);
    f.instruction(&Instruction::End);
    f
}

/// The operation itself, on the three values on the stack.
fn op(f: &mut Function, b: Bulk) {
    f.instruction(&match b {
        Bulk::MemoryFill => Instruction::MemoryFill(0),
        Bulk::MemoryCopy => Instruction::MemoryCopy {
            src_mem: 0,
            dst_mem: 0,
        },
        Bulk::MemoryInit(data_index) => Instruction::MemoryInit { mem: 0, data_index },
        Bulk::TableFill(table) => Instruction::TableFill(table),
        Bulk::TableCopy(dst_table, src_table) => Instruction::TableCopy {
            src_table,
            dst_table,
        },
        Bulk::TableInit(elem_index, table) => Instruction::TableInit { elem_index, table },
    });
}

/// Traps as an out-of-bounds access when `start + count` passes the end of memory 0.
fn memory_bound(f: &mut Function, start: u32) {
    f.instruction(&Instruction::LocalGet(start));
    f.instruction(&Instruction::I64ExtendI32U);
    f.instruction(&Instruction::LocalGet(N));
    f.instruction(&Instruction::I64ExtendI32U);
    f.instruction(&Instruction::I64Add);
    f.instruction(&Instruction::MemorySize(0));
    f.instruction(&Instruction::I64ExtendI32U);
    f.instruction(&Instruction::I64Const(16));
    f.instruction(&Instruction::I64Shl);
    f.instruction(&Instruction::I64GtU);
    f.instruction(&Instruction::If(BlockType::Empty));
    // A load past every memory: the trap the operator itself would give.
    f.instruction(&Instruction::I32Const(-1));
    f.instruction(&Instruction::I32Load8U(wasm_encoder::MemArg {
        offset: 0,
        align: 0,
        target: wasm_encoder::MemArgTarget::Memory(0),
        ordering: None,
    }));
    f.instruction(&Instruction::Drop);
    f.instruction(&Instruction::End);
}

/// Traps as an out-of-bounds table access when `start + count` passes the end of `table`.
fn table_bound(f: &mut Function, start: u32, table: u32) {
    f.instruction(&Instruction::LocalGet(start));
    f.instruction(&Instruction::I64ExtendI32U);
    f.instruction(&Instruction::LocalGet(N));
    f.instruction(&Instruction::I64ExtendI32U);
    f.instruction(&Instruction::I64Add);
    f.instruction(&Instruction::TableSize(table));
    f.instruction(&Instruction::I64ExtendI32U);
    f.instruction(&Instruction::I64GtU);
    f.instruction(&Instruction::If(BlockType::Empty));
    f.instruction(&Instruction::I32Const(-1));
    f.instruction(&Instruction::TableGet(table));
    f.instruction(&Instruction::Drop);
    f.instruction(&Instruction::End);
}
