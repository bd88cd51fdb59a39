//! Bounds on a module's shape, checked before anything is compiled.
//!
//! Fuel and the deadline meter a module while it runs; compiling it is not metered. Cranelift's
//! time and memory grow with the number of functions, the size of each body, its locals (the
//! register allocator is superlinear in values live across a loop), its branches and loops, and
//! its nesting, so a small
//! file can stall a load for minutes. These bounds are checked with `wasmparser` in one linear
//! pass before compiling; a module within them compiles in well under the time a load may take
//! (see BENCHMARKS.md and the contract's documentation, which lists them for mod authors).

use std::collections::BTreeMap;

use wasmparser::{Operator, Parser, Payload};

use super::limits::{FUNCTION_CONTROL_COST, ModuleBounds};
use super::refusal::LoadError;

/// Checks every bound of `bounds` on an already validated module whose defined functions'
/// deepest operand stacks are `stacks` (in function order); the error names the bound, the
/// value found and, for a function, which one.
pub(crate) fn check(bytes: &[u8], bounds: &ModuleBounds, stacks: &[u64]) -> Result<(), LoadError> {
    let over = |subject: String, found: u64, limit: u64| {
        if found > limit {
            Err(LoadError::Bound {
                subject,
                found,
                limit,
            })
        } else {
            Ok(())
        }
    };
    let invalid = |e: wasmparser::BinaryReaderError| LoadError::Invalid {
        offset: e.offset(),
        message: e.message().to_owned(),
    };
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    let mut imported_functions = 0u32;
    let mut function = 0u32;
    let mut code_bytes = 0u64;
    let mut weight = 0u64;
    let mut control = 0u64;
    // Parameter counts of every type, and the type of every defined function.
    let mut params: Vec<u64> = Vec::new();
    let mut function_types: Vec<u32> = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(invalid)? {
            Payload::TypeSection(s) => {
                over("types".into(), s.count().into(), bounds.max_types.into())?;
                for group in s {
                    for ty in group.map_err(invalid)?.into_types() {
                        let n = match &ty.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => f.params().len(),
                            _ => 0,
                        };
                        params.push(n as u64);
                    }
                }
            }
            Payload::ImportSection(s) => {
                for import in s.into_imports() {
                    if matches!(import.map_err(invalid)?.ty, wasmparser::TypeRef::Func(_)) {
                        imported_functions += 1;
                    }
                }
            }
            Payload::FunctionSection(s) => {
                over(
                    "functions".into(),
                    s.count().into(),
                    bounds.max_functions.into(),
                )?;
                for ty in s {
                    function_types.push(ty.map_err(invalid)?);
                }
            }
            Payload::TableSection(s) => {
                over("tables".into(), s.count().into(), bounds.max_tables.into())?
            }
            Payload::GlobalSection(s) => over(
                "globals".into(),
                s.count().into(),
                bounds.max_globals.into(),
            )?,
            Payload::ExportSection(s) => {
                over(
                    "exports".into(),
                    s.count().into(),
                    bounds.max_exports.into(),
                )?;
                for export in s {
                    let export = export.map_err(invalid)?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        names.insert(
                            export.index,
                            aether_base::text::escape(export.name).into_owned(),
                        );
                    }
                }
            }
            Payload::ElementSection(s) => over(
                "element segments".into(),
                s.count().into(),
                bounds.max_segments.into(),
            )?,
            Payload::DataSection(s) => over(
                "data segments".into(),
                s.count().into(),
                bounds.max_segments.into(),
            )?,
            Payload::CodeSectionEntry(body) => {
                let index = imported_functions + function;
                function += 1;
                let place = || match names.get(&index) {
                    Some(name) => format!("function {index} (`{name}`)"),
                    None => format!("function {index}"),
                };
                let mut locals = 0u64;
                for entry in body.get_locals_reader().map_err(invalid)? {
                    locals += u64::from(entry.map_err(invalid)?.0);
                }
                over(
                    format!("locals in {}", place()),
                    locals,
                    bounds.max_locals.into(),
                )?;
                let range = body.range();
                let size = range.end - range.start;
                code_bytes += size;
                over(
                    format!("bytes of code in {}", place()),
                    size,
                    bounds.max_function_bytes.into(),
                )?;
                let own_params = function_types
                    .get(function as usize - 1)
                    .and_then(|&t| params.get(t as usize))
                    .copied()
                    .unwrap_or(0);
                let stack = stacks.get(function as usize - 1).copied().unwrap_or(0);
                over(
                    format!("values on the operand stack at once in {}", place()),
                    stack,
                    bounds.max_operand_stack.into(),
                )?;
                // Values on the operand stack are live at once, as locals are: they weigh alike.
                let function_weight = (own_params + locals + stack + 1).saturating_mul(size);
                over(
                    format!(
                        "units of compile weight ((parameters + locals + deepest operand stack \
                         + 1) × bytes) in {}",
                        place()
                    ),
                    function_weight,
                    bounds.max_function_weight,
                )?;
                weight = weight.saturating_add(function_weight);
                let mut depth = 0u64;
                let mut deepest = 0u64;
                let mut function_control = 0u64;
                let mut reader = body.get_operators_reader().map_err(invalid)?;
                while !reader.eof() {
                    let op = reader.read().map_err(invalid)?;
                    function_control += match op {
                        Operator::Loop { .. } => 4,
                        Operator::Block { .. }
                        | Operator::If { .. }
                        | Operator::BrIf { .. }
                        | Operator::BrTable { .. }
                        | Operator::TryTable { .. } => 1,
                        _ => 0,
                    };
                    match op {
                        Operator::Block { .. }
                        | Operator::Loop { .. }
                        | Operator::If { .. }
                        | Operator::TryTable { .. } => {
                            depth += 1;
                            deepest = deepest.max(depth);
                        }
                        Operator::End => depth = depth.saturating_sub(1),
                        Operator::BrTable { targets } => over(
                            format!("br_table targets in {}", place()),
                            targets.len().into(),
                            bounds.max_br_table_targets.into(),
                        )?,
                        _ => {}
                    }
                }
                over(
                    format!("levels of nested blocks in {}", place()),
                    deepest,
                    bounds.max_nesting.into(),
                )?;
                over(
                    format!(
                        "units of control cost (4 a loop, 1 a block, if or branch) in {}",
                        place()
                    ),
                    function_control,
                    bounds.max_function_control.into(),
                )?;
                control += function_control + FUNCTION_CONTROL_COST;
            }
            _ => {}
        }
    }
    over(
        "bytes of code in total".into(),
        code_bytes,
        bounds.max_code_bytes.into(),
    )?;
    over(
        "units of compile weight ((parameters + locals + deepest operand stack + 1) × bytes) in \
         total"
            .into(),
        weight,
        bounds.max_module_weight,
    )?;
    over(
        "units of control cost (4 a loop, 1 a block, if or branch, 3 a function) in total".into(),
        control,
        bounds.max_module_control.into(),
    )
}
