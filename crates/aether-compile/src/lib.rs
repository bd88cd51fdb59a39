//! # aether-compile — the visual-script compiler: graph → check → IR → WebAssembly
//!
//! [`VisualScriptCompiler::compile`] checks a [`VisualScriptGraph`], lowers it to the
//! [`ir::Program`] (one function per node that can run), and emits with wasm-encoder a module
//! that honours the AI-controller contract with no imports: `init`, `decide_turn`, the identity
//! globals (address cells, as rustc lays them out), one memory of at most 16 MiB. The module
//! carries a runtime library written in WebAssembly text (`runtime.wat`): the postcard
//! decoder and encoder, the game rules over the script's working copy of the state, and the
//! queries behind the node catalog.
//!
//! The reference interpreter ([`aether_lang::interp`]) defines what a graph means; the compiled module
//! must reply with exactly the bytes of `postcard(interpret(..).actions)`. The differential test
//! (`tests/compile.rs`) holds it to that on templates and random graphs.
//!
//! `decide_turn` returns the reply's length, or: -1 the state is malformed, -2 the reply does
//! not fit in `out_cap`, -3 the working copy does not fit in memory, -4 the state's schema is not
//! version 1. Nothing traps.
//!
//! **Architecture Invariant:** the compiler does not run what it emits: wasmtime is not a
//! dependency. Running a module is `aether_host`'s; the differential tests that hold the
//! module to the interpreter live above both, in `aether-scripting`'s tests.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use aether_lang::check::{Diagnostic, Severity};
use aether_lang::graph::{NodeId, ScriptKind, VisualScriptGraph};
use aether_lang::identity::Identity;
use aether_lang::interp::CheckedGraph;

pub mod bound;
mod emit;
pub mod ir;
mod linked;
mod runtime;

pub use linked::{
    InputLayout, LINKED_BASE, LINKED_INPUTS, LINKED_RUNTIME, LinkedModule, LinkedState,
    compile_both, compile_linked, linked_runtime,
};
pub use runtime::{SOURCE as RUNTIME_SOURCE, WORLD_SOURCE as WORLD_RUNTIME_SOURCE};

/// `decide_turn`'s return value for a malformed state.
pub const MALFORMED_STATE: i32 = -1;
/// `decide_turn`'s return value when the reply does not fit in `out_cap`.
pub const REPLY_TOO_LARGE: i32 = -2;
/// `decide_turn`'s return value when the working copy does not fit in memory.
pub const OUT_OF_MEMORY: i32 = -3;
/// `decide_turn`'s return value for a state schema other than version 1.
pub const UNSUPPORTED_SCHEMA: i32 = -4;

/// What a script was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScriptLanguage {
    /// A node graph compiled by this studio.
    Visual,
    /// A hand-written Rust mod built for wasm32.
    Rust,
}

impl fmt::Display for ScriptLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ScriptLanguage::Visual => "visual",
            ScriptLanguage::Rust => "rust",
        })
    }
}

/// How a script was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CompilationProfile {
    /// With a name section: each node's function is named `node#12 Attack`, so traces, profiles
    /// and disassembly speak in nodes. For the studio's own preview.
    Debug,
    /// Without names: what a published mod ships. Same code, same behaviour.
    #[default]
    Release,
}

impl fmt::Display for CompilationProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompilationProfile::Debug => "debug",
            CompilationProfile::Release => "release",
        })
    }
}

/// The code that implements one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeCode {
    /// Its function's index in the module.
    pub function: u32,
    /// The function's name (`node#12 Attack`), as the debug profile's name section gives it.
    pub symbol: String,
    /// Where the function's body lies in [`ScriptArtifact::wasm_bytes`].
    pub body: Range<usize>,
}

/// A compiled script: the WebAssembly module and what it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptArtifact {
    /// The source language.
    pub language: ScriptLanguage,
    /// The build profile.
    pub profile: CompilationProfile,
    /// The module.
    pub wasm_bytes: Vec<u8>,
    /// The identity the module announces.
    pub identity: Identity,
    /// For visual scripts, the code of each node that can run (nodes that never run have none).
    pub node_code: BTreeMap<NodeId, NodeCode>,
}

/// Why a graph did not compile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// The checker found errors; every diagnostic it gave is here (warnings too).
    Diagnostics(Vec<Diagnostic>),
    /// A fault in the compiler itself; the message says what. Please report it with the graph.
    Internal(String),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Diagnostics(d) => {
                let errors = d.iter().filter(|d| d.severity == Severity::Error).count();
                write!(
                    f,
                    "the graph has {errors} error{} to fix before it can be compiled",
                    if errors == 1 { "" } else { "s" }
                )
            }
            CompileError::Internal(why) => write!(
                f,
                "internal compiler error: {why} (please report this with the graph file)"
            ),
        }
    }
}

impl std::error::Error for CompileError {}

/// Compiles visual-script graphs to WebAssembly controllers.
#[derive(Clone, Copy, Debug, Default)]
pub struct VisualScriptCompiler;

impl VisualScriptCompiler {
    /// Checks and compiles `graph` with the release profile.
    pub fn compile(graph: &VisualScriptGraph) -> Result<ScriptArtifact, CompileError> {
        Self::compile_with(graph, CompilationProfile::Release)
    }

    /// Checks and compiles `graph` with `profile`.
    pub fn compile_with(
        graph: &VisualScriptGraph,
        profile: CompilationProfile,
    ) -> Result<ScriptArtifact, CompileError> {
        let checked = CheckedGraph::new(graph.clone()).map_err(CompileError::Diagnostics)?;
        Self::compile_checked(&checked, profile)
    }

    /// Compiles a graph the checker has already accepted.
    pub fn compile_checked(
        checked: &CheckedGraph,
        profile: CompilationProfile,
    ) -> Result<ScriptArtifact, CompileError> {
        Self::from_program(checked, &ir::lower(checked), profile)
    }

    fn from_program(
        checked: &CheckedGraph,
        program: &ir::Program,
        profile: CompilationProfile,
    ) -> Result<ScriptArtifact, CompileError> {
        let g = checked.graph();
        let identity = Identity::parse(&format!("{} {}", g.name, g.version))
            .map_err(CompileError::Internal)?;
        let rt = match g.kind {
            ScriptKind::AiController => runtime::get(),
            ScriptKind::WorldScript => runtime::get_world(),
        }
        .map_err(CompileError::Internal)?;
        let text = identity.to_string();
        let emitted = emit::emit(
            program,
            rt,
            &text,
            profile == CompilationProfile::Debug,
            None,
        )
        .map_err(CompileError::Internal)?;
        let bodies = function_bodies(&emitted.bytes).map_err(CompileError::Internal)?;
        let mut node_code = BTreeMap::new();
        for f in &program.functions {
            let function = emitted.node_functions[&f.node];
            let body = bodies
                .get(function as usize)
                .cloned()
                .ok_or_else(|| CompileError::Internal(format!("no body for {}", f.node)))?;
            node_code.insert(
                f.node,
                NodeCode {
                    function,
                    symbol: emit::symbol(f),
                    body,
                },
            );
        }
        Ok(ScriptArtifact {
            language: ScriptLanguage::Visual,
            profile,
            wasm_bytes: emitted.bytes,
            identity,
            node_code,
        })
    }
}

/// The byte range of each function body, by function index (an imported function has an empty
/// range), after validating the module.
fn function_bodies(wasm: &[u8]) -> Result<Vec<Range<usize>>, String> {
    // Every host validates a module as it loads it, so a release build does not do it twice;
    // debug builds (the tests) validate every emitted module here, naming the compiler's fault.
    if cfg!(debug_assertions) {
        wasmparser::Validator::new()
            .validate_all(wasm)
            .map_err(|e| format!("the emitted module does not validate: {e}"))?;
    }
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            wasmparser::Payload::ImportSection(reader) => {
                for _ in reader.into_imports() {
                    out.push(0..0);
                }
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                out.push(body.range().start as usize..body.range().end as usize);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The text form of a compiled module (for `compile --wat` and the golden tests).
pub fn to_wat(wasm: &[u8]) -> Result<String, String> {
    wasmprinter::print_bytes(wasm).map_err(|e| format!("{e:#}"))
}
