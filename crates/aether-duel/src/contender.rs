//! Contenders from files: the module a path names, as the duel lab, the preview's opponents and
//! the command line read it — a graph file (compiled with the debug profile), a `.wasm`, a `.wat`
//! text module, or a controller mod folder (its one `.wasm`).
//!
//! Reading never loads: the bytes go to a host, which checks them (a guarded host for files
//! from elsewhere). World scripts are refused here with what to do instead.

use std::path::{Path, PathBuf};

use aether_compile::{CompilationProfile, CompileError, VisualScriptCompiler};
use aether_lang::VisualScriptGraph;
use aether_lang::check::Severity;
use aether_lang::graph::ScriptKind;

/// The suffix of graph files.
pub const GRAPH_SUFFIX: &str = ".mcgraph.json";

/// Whether `path` names a graph file (by its suffix).
pub fn is_graph_file(path: &Path) -> bool {
    path.to_string_lossy().ends_with(GRAPH_SUFFIX)
}

/// A contender's module.
#[derive(Clone, Debug)]
pub struct ContenderModule {
    /// The file the bytes came from (the `.wasm` inside a mod folder; the graph file itself).
    pub file: PathBuf,
    /// The WebAssembly module.
    pub wasm: Vec<u8>,
}

/// Reads the module `path` names. The error is a sentence naming the file and what to do.
pub fn read_contender(path: &Path) -> Result<ContenderModule, String> {
    if is_graph_file(path) {
        let graph = VisualScriptGraph::load(path).map_err(|e| e.to_string())?;
        return compile_contender(&graph, path);
    }
    let file = if path.is_dir() {
        if aether_mods::read_world_script_mod(path).is_ok() {
            return Err(world_script(path));
        }
        let mut wasm: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("{}: cannot list the folder: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect();
        wasm.sort();
        match wasm.len() {
            1 => wasm.remove(0),
            0 => {
                return Err(format!(
                    "{}: the mod folder holds no .wasm module",
                    path.display()
                ));
            }
            n => {
                return Err(format!(
                    "{}: the mod folder holds {n} .wasm modules; expected one",
                    path.display()
                ));
            }
        }
    } else {
        path.to_path_buf()
    };
    let bytes = aether_base::fsutil::read_bounded(
        &file,
        aether_host::ControllerLimits::default().max_module_bytes as u64 * 8,
    )
    .map_err(|e| format!("{}: cannot read the module: {e}", file.display()))?;
    if file.extension().is_some_and(|x| x == "wat") {
        let wasm = wat::parse_bytes(&bytes)
            .map_err(|e| format!("{}: not valid WebAssembly text: {e}", file.display()))?;
        return Ok(ContenderModule {
            file,
            wasm: wasm.into_owned(),
        });
    }
    Ok(ContenderModule { file, wasm: bytes })
}

/// Compiles `graph` (read from `path`) as a contender: an AI controller without errors.
pub fn compile_contender(
    graph: &VisualScriptGraph,
    path: &Path,
) -> Result<ContenderModule, String> {
    if graph.kind == ScriptKind::WorldScript {
        return Err(world_script(path));
    }
    match VisualScriptCompiler::compile_with(graph, CompilationProfile::Debug) {
        Ok(artifact) => Ok(ContenderModule {
            file: path.to_path_buf(),
            wasm: artifact.wasm_bytes,
        }),
        Err(CompileError::Diagnostics(d)) => {
            let errors: Vec<_> = d.iter().filter(|d| d.severity == Severity::Error).collect();
            let first = errors.first().map(|d| d.render(graph)).unwrap_or_default();
            Err(format!(
                "{}: the graph has {} error{} ({first}); open it in the studio to fix it",
                path.display(),
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ))
        }
        Err(e) => Err(format!("{}: the compiler failed: {e}", path.display())),
    }
}

fn world_script(path: &Path) -> String {
    format!(
        "{} is a world script, not an AI controller; it cannot play a duel (run it in a sample \
         world: creator-studio world run assets/worlds/village.json {})",
        path.display(),
        path.display()
    )
}
