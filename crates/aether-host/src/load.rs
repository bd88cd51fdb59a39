//! Load-time checks: what a module must be before the host runs any of it.
//!
//! The bytes are validated with `wasmparser` first, so every refusal names its cause precisely
//! (the import, the export and its expected type, the memory size) rather than surfacing as a
//! compiler error.

use wasmparser::types::EntityType;
use wasmparser::{CompositeInnerType, Parser, Payload, ValType, Validator};

use super::ControllerLimits;
use super::engine::validator_features;
use super::limits::{ModuleBounds, TABLE_ENTRY_BYTES};
pub use super::refusal::LoadError;

/// The exports the contract requires, with their expected types in words.
pub(crate) const EXPECTED_EXPORTS: [(&str, &str); 5] = [
    ("memory", "a 32-bit linear memory"),
    ("init", "a function () -> i32"),
    (
        "decide_turn",
        "a function (i32, i32, i32, i64, i32, i32) -> i32",
    ),
    ("__ident_ptr", "an i32 global"),
    ("__ident_len", "an i32 global"),
];

/// What the static checks learn about a module.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModuleFacts {
    /// Whether the module has a start function.
    pub has_start: bool,
}

/// What every module must pass, controller or world script: the size limit, the magic bytes,
/// validation under the engine's feature set, and the shape bounds.
pub(crate) fn validate(
    bytes: &[u8],
    max_bytes: usize,
    bounds: &ModuleBounds,
) -> Result<wasmparser::types::Types, LoadError> {
    if bytes.len() > max_bytes {
        return Err(LoadError::TooLarge {
            size: bytes.len(),
            limit: max_bytes,
        });
    }
    if !bytes.starts_with(b"\0asm") {
        return Err(LoadError::Invalid {
            offset: 0,
            message: "the file does not start with the WebAssembly magic bytes \\0asm \
                      (is it a text .wat file, or not a module at all?)"
                .into(),
        });
    }
    let (types, stacks) =
        validate_measuring(bytes).map_err(|e| invalid(e.offset(), e.message()))?;
    let types = types.ok_or_else(|| invalid(bytes.len() as u64, "the module ends early"))?;
    super::bounds::check(bytes, bounds, &stacks)?;
    Ok(types)
}

/// Validates `bytes` as wasmparser's `validate_all` does, one operator at a time, and measures
/// each defined function's deepest operand stack (in function order): cranelift's time grows
/// with the square of the values live on it, which no other bound counts.
fn validate_measuring(
    bytes: &[u8],
) -> Result<(Option<wasmparser::types::Types>, Vec<u64>), wasmparser::BinaryReaderError> {
    let mut validator = Validator::new_with_features(validator_features());
    let mut functions = Vec::new();
    let mut types = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match validator.payload(&payload?)? {
            wasmparser::ValidPayload::Func(func, body) => functions.push((func, body)),
            wasmparser::ValidPayload::End(t) => types = Some(t),
            _ => {}
        }
    }
    let mut allocs = wasmparser::FuncValidatorAllocations::default();
    let mut stacks = Vec::with_capacity(functions.len());
    for (func, body) in functions {
        let mut v = func.into_validator(allocs);
        let mut reader = body.get_binary_reader();
        v.read_locals(&mut reader)?;
        let mut deepest = 0u32;
        while !reader.eof() {
            reader.visit_operator(&mut v.visitor(reader.original_position()))??;
            deepest = deepest.max(v.operand_stack_height());
        }
        reader.finish_expression(&v.visitor(reader.original_position()))?;
        stacks.push(u64::from(deepest));
        allocs = v.into_allocations();
    }
    Ok((types, stacks))
}

/// Validates `bytes` and checks the contract's shape; see [`LoadError`] for what is refused.
pub(crate) fn check_module(
    bytes: &[u8],
    limits: &ControllerLimits,
) -> Result<ModuleFacts, LoadError> {
    let memory_cap = limits.memory_bytes;
    let types = validate(bytes, limits.max_module_bytes, &limits.bounds)?;
    let types = types.as_ref();
    if let Some((module, name, ty)) = types.core_imports().into_iter().flatten().next() {
        return Err(LoadError::Import {
            module: module.to_owned(),
            name: name.to_owned(),
            kind: kind_words(&ty),
        });
    }
    let exports: Vec<(&str, EntityType)> = types.core_exports().into_iter().flatten().collect();
    for (name, expected) in EXPECTED_EXPORTS {
        let Some(&(_, ty)) = exports.iter().find(|(n, _)| *n == name) else {
            return Err(LoadError::MissingExport { name, expected });
        };
        let wrong = |found: String| LoadError::WrongExport {
            name,
            expected,
            found,
        };
        match (name, ty) {
            ("memory", EntityType::Memory(m)) => {
                if m.memory64 || m.shared {
                    return Err(wrong("a 64-bit or shared memory".into()));
                }
                let initial = m.initial.saturating_mul(PAGE);
                let tables = table_bytes(types);
                if initial.saturating_add(tables) > memory_cap {
                    let with_tables = if tables > 0 {
                        format!(" and its tables take {tables} bytes,")
                    } else {
                        ",".into()
                    };
                    return Err(LoadError::Memory {
                        problem: format!(
                            "starts at {} ({initial} bytes){with_tables} above the cap of {memory_cap} bytes",
                            pages(m.initial)
                        ),
                    });
                }
                // The host places the state and the reply buffer in pages above the module's
                // own; a memory that cannot grow by that much fails every turn.
                let room = reserved_bytes(limits);
                let ceiling = m
                    .maximum
                    .map_or(memory_cap, |max| max.saturating_mul(PAGE).min(memory_cap));
                if initial.saturating_add(tables).saturating_add(room) > ceiling {
                    let why = match m.maximum {
                        Some(max) if max.saturating_mul(PAGE) < memory_cap => format!(
                            "is declared with a maximum of {} ({} bytes)",
                            pages(max),
                            max.saturating_mul(PAGE)
                        ),
                        _ => format!("is capped at {memory_cap} bytes"),
                    };
                    return Err(LoadError::Memory {
                        problem: format!(
                            "starts at {} ({initial} bytes) and {why}, which leaves no room \
                             for the {room} bytes the host places above the module's own memory \
                             (the state and the reply buffer); start smaller{}",
                            pages(m.initial),
                            if m.maximum.is_some() {
                                " or raise the maximum"
                            } else {
                                ""
                            }
                        ),
                    });
                }
            }
            ("init" | "decide_turn", EntityType::Func(_) | EntityType::FuncExact(_)) => {
                let Some(f) = func_type(&types, ty) else {
                    return Err(wrong("not a plain function".into()));
                };
                let want: (&[ValType], &[ValType]) = if name == "init" {
                    (&[], &[ValType::I32])
                } else {
                    (
                        &[
                            ValType::I32,
                            ValType::I32,
                            ValType::I32,
                            ValType::I64,
                            ValType::I32,
                            ValType::I32,
                        ],
                        &[ValType::I32],
                    )
                };
                if (f.params(), f.results()) != want {
                    return Err(wrong(format!(
                        "a function {}",
                        signature(f.params(), f.results())
                    )));
                }
            }
            ("__ident_ptr" | "__ident_len", EntityType::Global(g)) => {
                if g.content_type != ValType::I32 {
                    return Err(wrong(format!("a {} global", g.content_type)));
                }
            }
            (_, other) => return Err(wrong(kind_words(&other).into())),
        }
    }
    let has_start = Parser::new(0)
        .parse_all(bytes)
        .filter_map(Result::ok)
        .any(|p| matches!(p, Payload::StartSection { .. }));
    Ok(ModuleFacts { has_start })
}

/// Bytes of a WebAssembly page.
const PAGE: u64 = 65536;

/// `1 page`, `300 pages`.
fn pages(n: u64) -> String {
    if n == 1 {
        "1 page".into()
    } else {
        format!("{n} pages")
    }
}

/// What the host needs above the module's memory for one turn: the reply buffer and at least
/// one page for the state (larger states grow the memory further, under the same cap).
pub(crate) fn reserved_bytes(limits: &ControllerLimits) -> u64 {
    u64::from(limits.reply_capacity).next_multiple_of(PAGE) + PAGE
}

/// Host memory the module's tables take at their initial size.
fn table_bytes(types: wasmparser::types::TypesRef<'_>) -> u64 {
    (0..types.table_count())
        .map(|i| types.table_at(i).initial.saturating_mul(TABLE_ENTRY_BYTES))
        .fold(0u64, u64::saturating_add)
}

/// A validator message in one line, with a hint where a disabled proposal is the cause.
fn invalid(offset: u64, message: &str) -> LoadError {
    let mut message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if message.contains("not enabled")
        || message.contains("must be enabled")
        || message.contains("multiple memories")
    {
        message.push_str(
            " (AI controllers and world scripts may use WebAssembly 2.0 with SIMD; multi-memory, \
             memory64, relaxed SIMD, threads, exceptions, GC and tail calls are refused: see \
             docs/controller-host.md and docs/world-script-abi.md)",
        );
    }
    LoadError::Invalid { offset, message }
}

fn kind_words(ty: &EntityType) -> &'static str {
    match ty {
        EntityType::Func(_) | EntityType::FuncExact(_) => "a function",
        EntityType::Table(_) => "a table",
        EntityType::Memory(_) => "a memory",
        EntityType::Global(_) => "a global",
        EntityType::Tag(_) => "a tag",
    }
}

/// `(i32, f32) -> (i64)`: a function type as messages show it.
pub(crate) fn signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |v: &[ValType]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("({}) -> ({})", list(params), list(results))
}

/// The function type of an import or export, if it is a plain function.
pub(crate) fn func_type<'t>(
    types: &'t wasmparser::types::TypesRef<'_>,
    ty: EntityType,
) -> Option<&'t wasmparser::FuncType> {
    match ty {
        EntityType::Func(id) | EntityType::FuncExact(id) => match &types[id].composite_type.inner {
            CompositeInnerType::Func(f) => Some(f),
            _ => None,
        },
        _ => None,
    }
}
