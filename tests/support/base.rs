//! What every test of the workspace may use, the language's tests included (so it needs only
//! `aether-lang`): the repository's files (templates, sample states, fixtures) and the Rust
//! guests built for wasm32. Tests higher up take `mod.rs`, which adds a host and the generators.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use aether_lang::Scenario;
use mc_tactical_types::TacticalState;

/// The workspace root (this file is shared by the core's and the application's tests).
pub fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|p| p.join("crates/aether-scripting").is_dir())
        .unwrap_or(here)
        .to_path_buf()
}

/// Builds `examples/controllers/<name>` for wasm32-unknown-unknown (release, as the contract
/// says) with the real cargo, once per test process, and returns the module's bytes.
pub fn rust_controller(name: &str) -> Vec<u8> {
    rust_guest(&format!("examples/controllers/{name}"))
}

/// Builds `examples/world-scripts/<name>` for wasm32-unknown-unknown, as [`rust_controller`].
pub fn rust_world_script(name: &str) -> Vec<u8> {
    rust_guest(&format!("examples/world-scripts/{name}"))
}

/// Builds the Rust guest whose own workspace is at `dir` (relative to the repository) for
/// wasm32-unknown-unknown, once per test process, and returns the module's bytes.
fn rust_guest(dir: &str) -> Vec<u8> {
    static BUILT: OnceLock<std::sync::Mutex<std::collections::BTreeMap<String, PathBuf>>> =
        OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap();
    let path = built
        .entry(dir.to_owned())
        .or_insert_with(|| build_guest(dir))
        .clone();
    std::fs::read(&path).unwrap()
}

/// The target Rust guests are built for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Makes sure the toolchain that runs these tests can build for [`WASM_TARGET`], installing the
/// target with rustup (for this toolchain only, nothing else updated) when it is missing, so the
/// README's test command needs no setup step. Once per test process.
///
/// The toolchain in use is the one whose `cargo` runs the tests (`CARGO`): its `rustc` sits
/// beside it, and the target is installed when `<sysroot>/lib/rustlib/wasm32-unknown-unknown`
/// exists. A `rust-toolchain.toml` was tried instead and rejected: with rustup's auto-install on
/// it updates the whole toolchain to the newest release to add the target, and with it off it
/// installs nothing (see README).
pub fn ensure_wasm_target() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let cargo = PathBuf::from(env!("CARGO"));
        let rustc = cargo
            .parent()
            .map(|bin| bin.join(format!("rustc{}", std::env::consts::EXE_SUFFIX)))
            .filter(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from("rustc"));
        let sysroot = Command::new(&rustc)
            .args(["--print", "sysroot"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .unwrap_or_else(|| panic!("cannot run {} --print sysroot", rustc.display()));
        if sysroot.join("lib/rustlib").join(WASM_TARGET).is_dir() {
            return;
        }
        let toolchain = sysroot
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Written to the real stderr, past the test harness's capture, so it is always seen.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!(
                "note: the tests build Rust guests for {WASM_TARGET}, which toolchain \
                 `{toolchain}` lacks; installing it: rustup target add {WASM_TARGET} \
                 --toolchain {toolchain}\n"
            )
            .as_bytes(),
        );
        let added = Command::new("rustup")
            .args(["target", "add", WASM_TARGET, "--toolchain", &toolchain])
            .status();
        match added {
            Ok(status) if status.success() => {}
            Ok(status) => panic!(
                "`rustup target add {WASM_TARGET} --toolchain {toolchain}` failed ({status}); \
                 install the target by hand and run the tests again"
            ),
            Err(e) => panic!(
                "the tests need the {WASM_TARGET} target for toolchain `{toolchain}` and rustup \
                 could not be run to install it ({e}); install the target for this toolchain \
                 (with rustup: `rustup target add {WASM_TARGET}`) and run the tests again"
            ),
        }
    });
}

fn build_guest(dir: &str) -> PathBuf {
    ensure_wasm_target();
    let root = root();
    let manifest = root.join(dir).join("Cargo.toml");
    let name = Path::new(dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let target_dir = root.join("target/controllers");
    let out = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--target", WASM_TARGET])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "building {name} for wasm32 failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    target_dir
        .join("wasm32-unknown-unknown/release")
        .join(format!("{}.wasm", name.replace('-', "_")))
}

/// Path of a `.wat` fixture.
pub fn fixture_path(name: &str) -> PathBuf {
    root()
        .join("crates/aether-host/tests/fixtures/controllers")
        .join(format!("{name}.wat"))
}

/// A `.wat` fixture assembled to wasm bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    wat::parse_file(fixture_path(name)).unwrap_or_else(|e| panic!("{name}.wat: {e}"))
}

/// A graph template from `examples/graphs/`, e.g. `melee-rusher`.
pub fn template(name: &str) -> aether_lang::VisualScriptGraph {
    aether_lang::VisualScriptGraph::load(
        &root()
            .join("examples/graphs")
            .join(format!("{name}.mcgraph.json")),
    )
    .unwrap_or_else(|e| panic!("template {name}: {e}"))
}

/// A sample scenario from `assets/`, e.g. `states/skirmish`.
pub fn scenario(name: &str) -> Scenario {
    Scenario::load(&root().join("assets").join(format!("{name}.json"))).unwrap()
}

/// The state of a sample scenario.
pub fn state(name: &str) -> TacticalState {
    scenario(name).state
}

/// Every sample: the three states and the two duels.
pub const SAMPLES: [&str; 5] = [
    "states/skirmish",
    "states/battle",
    "states/stress",
    "duels/crossing",
    "duels/highlands",
];

/// The AI-controller graph templates in `examples/graphs/`, in name order (only
/// `*.mcgraph.json`: a module compiled beside them is not a template; world-script templates
/// are played in the sample worlds by `aether-sample-world`'s tests).
pub fn templates() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("examples/graphs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".mcgraph.json"))
        .filter(|p| {
            aether_lang::VisualScriptGraph::load(p)
                .is_ok_and(|g| g.kind == aether_lang::graph::ScriptKind::AiController)
        })
        .collect();
    out.sort();
    out
}

/// The AI templates ([`templates`]), each loaded, with its name (the file name without
/// `.mcgraph.json`).
pub fn named_templates() -> Vec<(String, aether_lang::VisualScriptGraph)> {
    templates()
        .iter()
        .map(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            let name = name.trim_end_matches(".mcgraph.json").to_owned();
            (
                name,
                aether_lang::VisualScriptGraph::load(p).expect("template loads"),
            )
        })
        .collect()
}

/// A graph of about `nodes` nodes: On Turn, then a chain of "count = count + n" steps (Set
/// Variable, Add, Get Variable, Number: four nodes each). The benchmark's scaling graph, and the
/// largest graph the host bounds must admit.
pub fn synthetic_graph(nodes: usize) -> aether_lang::VisualScriptGraph {
    use aether_lang::graph::{PortRef, Value, VarType, Variable};
    let mut g = aether_lang::VisualScriptGraph::new();
    g.name = "synthetic".into();
    g.version = "1.0.0".into();
    g.variables.push(Variable {
        name: "count".into(),
        ty: VarType::Number,
    });
    let mut prev = (g.add_node("on_turn", [0.0, 0.0]), "then");
    for i in 0..nodes.saturating_sub(1) / 4 {
        let x = i as f32 * 200.0;
        let set = g.add_node("set_variable", [x, 0.0]);
        let add = g.add_node("add", [x, 100.0]);
        let get = g.add_node("get_variable", [x, 200.0]);
        let n = g.add_node("number", [x, 300.0]);
        for v in [set, get] {
            g.set_value(v, "variable", Value::Choice("count".into()));
        }
        g.set_value(n, "value", Value::Number(i as i32));
        g.connect(PortRef::new(prev.0, prev.1), PortRef::new(set, "exec"));
        g.connect(PortRef::new(get, "value"), PortRef::new(add, "a"));
        g.connect(PortRef::new(n, "value"), PortRef::new(add, "b"));
        g.connect(PortRef::new(add, "result"), PortRef::new(set, "value"));
        prev = (set, "then");
    }
    g
}

/// A graph whose On Turn calls the first of `count` functions, each of which calls the next:
/// the longest chain of calls a creator can lay out (the compiler once took time growing with
/// the square of its length).
pub fn chain_of_functions(count: usize) -> aether_lang::VisualScriptGraph {
    use aether_lang::graph::PortRef;
    let mut g = aether_lang::VisualScriptGraph::new();
    g.name = "chain".into();
    g.version = "1.0.0".into();
    let ids: Vec<_> = (0..count)
        .map(|i| g.add_function(&format!("step {i}"), [0.0, 0.0]))
        .collect();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let mut from = (turn, None);
    for (i, &id) in ids.iter().enumerate() {
        let call = g
            .add_call(id, [200.0, 0.0], from.1)
            .expect("the function exists");
        g.connect(PortRef::new(from.0, "then"), PortRef::new(call, "exec"));
        let (inputs, _) = g.function_ends(id);
        from = (
            inputs.expect("every function has its Inputs node"),
            Some(ids[i]),
        );
    }
    g
}
