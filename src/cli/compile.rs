//! `compile`: check a visual-script graph and compile it to WebAssembly.

use std::path::{Path, PathBuf};

use aether_compile::{CompilationProfile, ScriptArtifact, VisualScriptCompiler};
use aether_lang::check::Severity;
use aether_lang::graph::VisualScriptGraph;
use aether_lang::interp::CheckedGraph;
use anyhow::Context as _;

/// The suffix of graph files.
pub use aether_duel::GRAPH_SUFFIX;

/// Whether `path` names a graph file.
pub fn is_graph(path: &Path) -> bool {
    path.to_string_lossy().ends_with(GRAPH_SUFFIX)
}

/// A compiled graph and the checker's text about it.
pub struct Compiled {
    /// The graph.
    pub graph: VisualScriptGraph,
    /// The module and its node map.
    pub artifact: ScriptArtifact,
    /// One line per warning, with the file, node id and name.
    pub warnings: Vec<String>,
    /// How long the checker took.
    pub check_time: std::time::Duration,
    /// How long lowering and emitting took.
    pub emit_time: std::time::Duration,
}

/// Loads, checks and compiles `path`. On errors, the message lists every diagnostic, one per
/// line, each naming the file, the node (id and name) and how to fix it.
pub fn compile_file(path: &Path, profile: CompilationProfile) -> anyhow::Result<Compiled> {
    let graph = VisualScriptGraph::load(path)?;
    let started = std::time::Instant::now();
    let checked = CheckedGraph::new(graph.clone());
    let check_time = started.elapsed();
    let diagnostics = match &checked {
        Ok(c) => c.warnings().to_vec(),
        Err(d) => d.clone(),
    };
    let line =
        |d: &aether_lang::check::Diagnostic| format!("{}: {}", path.display(), d.render(&graph));
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(line)
        .collect();
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(line)
        .collect();
    let checked = match checked {
        Ok(c) if errors.is_empty() => c,
        _ => {
            return Err(GraphErrors {
                file: path.to_path_buf(),
                lines: errors,
                warnings,
            }
            .into());
        }
    };
    let started = std::time::Instant::now();
    let artifact = VisualScriptCompiler::compile_checked(&checked, profile)
        .with_context(|| format!("{}: compiling failed", path.display()))?;
    let emit_time = started.elapsed();
    Ok(Compiled {
        graph,
        artifact,
        warnings,
        check_time,
        emit_time,
    })
}

/// The checker's errors (and warnings) on a graph: `main` prints them one per line on stderr,
/// then the one-line summary.
#[derive(Debug)]
pub struct GraphErrors {
    /// The graph file.
    pub file: PathBuf,
    /// One line per error: file, severity and code, node id and name, what to do.
    pub lines: Vec<String>,
    /// One line per warning.
    pub warnings: Vec<String>,
}

impl std::fmt::Display for GraphErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} has {} error{} to fix before it can be compiled; nothing was written",
            self.file.display(),
            self.lines.len(),
            if self.lines.len() == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for GraphErrors {}

/// Where `compile` writes when `-o` is not given: beside the graph, `.wasm` or `.wat`.
pub fn default_output(graph: &Path, wat: bool) -> PathBuf {
    let name = graph
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(GRAPH_SUFFIX).unwrap_or(&name);
    graph.with_file_name(format!("{stem}.{}", if wat { "wat" } else { "wasm" }))
}

/// What `compile` produced, for the summary line.
pub struct Written {
    /// The compiled graph.
    pub compiled: Compiled,
    /// The file written, or `None` for standard output.
    pub output: Option<PathBuf>,
    /// The bytes written.
    pub bytes: Vec<u8>,
}

/// Compiles `graph` and renders the module (`wat`: as text) for `output` (`-` for stdout).
pub fn run(
    graph: &Path,
    output: Option<&Path>,
    wat: bool,
    profile: CompilationProfile,
) -> anyhow::Result<Written> {
    let compiled = compile_file(graph, profile)?;
    let bytes = if wat {
        aether_compile::to_wat(&compiled.artifact.wasm_bytes)
            .map_err(|e| anyhow::anyhow!("printing the module as text failed: {e}"))?
            .into_bytes()
    } else {
        compiled.artifact.wasm_bytes.clone()
    };
    let output = match output {
        Some(p) if p == Path::new("-") => None,
        Some(p) => Some(p.to_path_buf()),
        None => Some(default_output(graph, wat)),
    };
    if let Some(path) = &output {
        aether_base::fsutil::write_atomic(path, &bytes)
            .with_context(|| format!("{}: writing the module failed", path.display()))?;
    }
    Ok(Written {
        compiled,
        output,
        bytes,
    })
}

/// The summary printed after a successful compile.
pub fn summary(w: &Written) -> String {
    let a = &w.compiled.artifact;
    let nodes = w.compiled.graph.nodes().count();
    let to = match &w.output {
        Some(p) => p.display().to_string(),
        None => "standard output".into(),
    };
    let mut out = format!(
        "compiled \"{}\" ({}): {} of {} nodes run, {} bytes of WebAssembly -> {to}\n",
        a.identity,
        a.profile,
        a.node_code.len(),
        nodes,
        aether_base::text::group_digits(a.wasm_bytes.len() as u64),
    );
    out.push_str(&bound_summary(&w.compiled.graph));
    out
}

/// The fuel bound of an AI controller's turn, for `compile`: the formula, its value on each
/// built-in sample (the larger over the seats), and from how many units a side the game's cap
/// could be passed on the largest sample's map. Empty for a world script.
pub fn bound_summary(graph: &VisualScriptGraph) -> String {
    use aether_base::text::group_digits;
    if graph.kind != aether_lang::graph::ScriptKind::AiController {
        return String::new();
    }
    let Ok(checked) = CheckedGraph::new(graph.clone()) else {
        return String::new();
    };
    let bound = match aether_compile::bound::fuel_bound(&checked) {
        Ok(b) => b,
        Err(e) => return format!("fuel bound: {e}\n"),
    };
    let cap = aether_host::DEFAULT_FUEL_PER_TURN;
    let mut out = String::from(
        "fuel bound of a turn (no turn can burn more; `compile --fuel-formula` prints the formula):\n",
    );
    let samples = creator_studio::samples::scenarios().unwrap_or_default();
    for (name, scenario) in &samples {
        let st = &scenario.state;
        let most = st
            .players
            .iter()
            .map(|p| bound.at(&mc_tactical_types::rules::view_for(st, p.slot), p.slot))
            .max()
            .unwrap_or(0);
        out.push_str(&format!(
            "  {name} ({} units, {}×{} map): at most {}{}\n",
            st.units.len(),
            st.map.width,
            st.map.height,
            group_digits(most),
            if most > cap {
                ", over the game's cap"
            } else {
                ""
            }
        ));
    }
    // Where the cap is reached: more units a side on the default sample's map.
    if let Some((name, scenario)) = samples.iter().find(|(n, _)| n == "states/battle") {
        let view = mc_tactical_types::rules::view_for(&scenario.state, 0);
        match bound.units_to_reach(&view, 0, cap) {
            Some(n) => out.push_str(&format!(
                "  on {name}'s map, a turn could pass the {} cap from {} units a side\n",
                group_digits(cap),
                group_digits(n)
            )),
            None => out.push_str(&format!(
                "  on {name}'s map, no number of units can take a turn past the {} cap\n",
                group_digits(cap)
            )),
        }
    }
    out
}
