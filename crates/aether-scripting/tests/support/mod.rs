//! Shared by the integration tests: the real reference controller built for wasm32, fixtures,
//! sample states, one host per test process.
#![allow(dead_code)]

pub mod random;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use aether_scripting::{ControllerHost, ControllerLimits, Scenario};
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
    static BUILT: OnceLock<std::sync::Mutex<std::collections::BTreeMap<String, PathBuf>>> =
        OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap();
    let path = built
        .entry(name.to_owned())
        .or_insert_with(|| build_controller(name))
        .clone();
    std::fs::read(&path).unwrap()
}

fn build_controller(name: &str) -> PathBuf {
    let root = root();
    let manifest = root
        .join("examples/controllers")
        .join(name)
        .join("Cargo.toml");
    let target_dir = root.join("target/controllers");
    let out = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--quiet",
            "--target",
            "wasm32-unknown-unknown",
        ])
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
        "building {name} for wasm32 failed (is the wasm32-unknown-unknown target installed? \
         `rustup target add wasm32-unknown-unknown`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    target_dir
        .join("wasm32-unknown-unknown/release")
        .join(format!("{}.wasm", name.replace('-', "_")))
}

/// Path of a `.wat` fixture.
pub fn fixture_path(name: &str) -> PathBuf {
    root()
        .join("crates/aether-scripting/tests/fixtures/controllers")
        .join(format!("{name}.wat"))
}

/// A `.wat` fixture assembled to wasm bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    wat::parse_file(fixture_path(name)).unwrap_or_else(|e| panic!("{name}.wat: {e}"))
}

/// One host with the game's default caps, shared by all tests of a process.
pub fn host() -> &'static ControllerHost {
    static HOST: OnceLock<ControllerHost> = OnceLock::new();
    HOST.get_or_init(|| ControllerHost::new(ControllerLimits::default()).unwrap())
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

/// The graph templates in `examples/graphs/`, in name order (only `*.mcgraph.json`: a module
/// compiled beside them is not a template).
pub fn templates() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("examples/graphs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".mcgraph.json"))
        .collect();
    out.sort();
    out
}
