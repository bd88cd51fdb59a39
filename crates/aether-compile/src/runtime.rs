//! The runtime libraries (`runtime.wat` for AI controllers, `world_runtime.wat` for world
//! scripts), each parsed once and taken apart so the emitter can put its imports, types, globals
//! and function bodies at the start of every module it builds. Bodies are copied byte for byte:
//! with the runtime's imports, types, globals and functions at the same indices in the output,
//! they stay valid unchanged.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use wasmparser::{ExternalKind, Name, Parser, Payload};

/// The AI controllers' runtime source, built into the studio.
pub const SOURCE: &str = include_str!("runtime.wat");
/// The world scripts' runtime source, built into the studio.
pub const WORLD_SOURCE: &str = include_str!("world_runtime.wat");

/// A value type the runtime uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    I32,
    I64,
    F32,
}

/// The runtime, ready to be copied into a module.
#[derive(Debug)]
pub(crate) struct Runtime {
    /// Imported functions, in index order: (module, name, type index).
    pub imports: Vec<(String, String, u32)>,
    /// Function types: (params, results).
    pub types: Vec<(Vec<Ty>, Vec<Ty>)>,
    /// The type index of each function.
    pub func_types: Vec<u32>,
    /// Each global's type (all mutable, all starting at zero).
    pub globals: Vec<Ty>,
    /// Each function's body (locals and code), as the code section holds it.
    pub bodies: Vec<Vec<u8>>,
    /// Function names from the name section, by index.
    pub func_names: Vec<String>,
    /// Global names from the name section, by index.
    pub global_names: Vec<String>,
    /// Exported functions and globals, by export name.
    pub exports: BTreeMap<String, u32>,
}

impl Runtime {
    /// The index of the runtime export `name` (a function or a global).
    pub fn index(&self, name: &str) -> Result<u32, String> {
        self.exports
            .get(name)
            .copied()
            .ok_or_else(|| format!("the runtime library does not export `{name}`"))
    }
}

impl Runtime {
    /// Functions before the first one the compiler adds: the imports and the runtime's own.
    pub fn function_count(&self) -> u32 {
        (self.imports.len() + self.bodies.len()) as u32
    }
}

/// The parsed AI-controller runtime; an `Err` names what is wrong with `runtime.wat` (a bug in
/// the studio, which the unit tests catch).
pub(crate) fn get() -> Result<&'static Runtime, String> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| parse(SOURCE, false))
        .as_ref()
        .map_err(Clone::clone)
}

/// The parsed world-script runtime (`world_runtime.wat`).
pub(crate) fn get_world() -> Result<&'static Runtime, String> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| parse(WORLD_SOURCE, true))
        .as_ref()
        .map_err(Clone::clone)
}

fn ty(t: wasmparser::ValType) -> Result<Ty, String> {
    match t {
        wasmparser::ValType::I32 => Ok(Ty::I32),
        wasmparser::ValType::I64 => Ok(Ty::I64),
        wasmparser::ValType::F32 => Ok(Ty::F32),
        other => Err(format!("the runtime uses the value type {other:?}")),
    }
}

/// Parses a runtime; `imports` says whether it may import functions (the world runtime imports
/// the contract's `"aether"` functions; the AI runtime imports nothing).
fn parse(source: &str, imports: bool) -> Result<Runtime, String> {
    let wasm = wat::parse_str(source).map_err(|e| format!("runtime: {e}"))?;
    wasmparser::Validator::new()
        .validate_all(&wasm)
        .map_err(|e| format!("runtime.wat does not validate: {e}"))?;
    let mut rt = Runtime {
        imports: Vec::new(),
        types: Vec::new(),
        func_types: Vec::new(),
        globals: Vec::new(),
        bodies: Vec::new(),
        func_names: Vec::new(),
        global_names: Vec::new(),
        exports: BTreeMap::new(),
    };
    let bad = |what: &str| Err(format!("the runtime must not have {what}"));
    for payload in Parser::new(0).parse_all(&wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::TypeSection(reader) => {
                for ty_ in reader.into_iter_err_on_gc_types() {
                    let f = ty_.map_err(|e| e.to_string())?;
                    let params = f
                        .params()
                        .iter()
                        .map(|&t| ty(t))
                        .collect::<Result<_, _>>()?;
                    let results = f
                        .results()
                        .iter()
                        .map(|&t| ty(t))
                        .collect::<Result<_, _>>()?;
                    rt.types.push((params, results));
                }
            }
            Payload::ImportSection(reader) if imports => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    let wasmparser::TypeRef::Func(t) = import.ty else {
                        return bad("imports other than functions");
                    };
                    rt.imports
                        .push((import.module.to_owned(), import.name.to_owned(), t));
                }
            }
            Payload::ImportSection(_) => return bad("imports"),
            Payload::FunctionSection(reader) => {
                for f in reader {
                    rt.func_types.push(f.map_err(|e| e.to_string())?);
                }
            }
            Payload::GlobalSection(reader) => {
                for g in reader {
                    let g = g.map_err(|e| e.to_string())?;
                    if !g.ty.mutable {
                        return bad("immutable globals");
                    }
                    let mut ops = g.init_expr.get_operators_reader();
                    let zero = match ops.read().map_err(|e| e.to_string())? {
                        wasmparser::Operator::I32Const { value } => value == 0,
                        wasmparser::Operator::I64Const { value } => value == 0,
                        _ => false,
                    };
                    if !zero {
                        return bad("globals that start at anything but zero");
                    }
                    rt.globals.push(ty(g.ty.content_type)?);
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader {
                    let e = e.map_err(|e| e.to_string())?;
                    if matches!(e.kind, ExternalKind::Func | ExternalKind::Global) {
                        rt.exports.insert(e.name.to_owned(), e.index);
                    }
                }
            }
            Payload::CodeSectionEntry(body) => rt.bodies.push(body.as_bytes().to_vec()),
            Payload::DataSection(_) => return bad("data segments"),
            Payload::StartSection { .. } => return bad("a start function"),
            Payload::TableSection(_) | Payload::ElementSection(_) => return bad("tables"),
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                    for name in names {
                        match name.map_err(|e| e.to_string())? {
                            Name::Function(map) => {
                                rt.func_names = named(map)?;
                            }
                            Name::Global(map) => {
                                rt.global_names = named(map)?;
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    rt.func_names
        .resize(rt.imports.len() + rt.bodies.len(), String::new());
    rt.global_names.resize(rt.globals.len(), String::new());
    Ok(rt)
}

fn named(map: wasmparser::NameMap<'_>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for n in map {
        let n = n.map_err(|e| e.to_string())?;
        let i = n.index as usize;
        if out.len() <= i {
            out.resize(i + 1, String::new());
        }
        out[i] = n.name.to_owned();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Routine;

    #[test]
    fn the_runtime_parses_and_exports_every_routine() {
        let rt = get().unwrap();
        assert_eq!(rt.func_types.len(), rt.bodies.len());
        for r in Routine::ALL {
            rt.index(r.symbol()).unwrap();
        }
        for name in ["rt_begin", "rt_finish", "depth"] {
            rt.index(name).unwrap();
        }
        assert!(rt.func_names.iter().any(|n| n == "step"));
    }
}
