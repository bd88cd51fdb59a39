//! `creator-studio run` as a user runs it, on the real reference controller and on fixtures.

mod support;

use std::path::Path;
use std::process::Command;

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::studio;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The reference controller's module, written to a scratch folder as a mod folder would hold it.
fn reference_mod_folder() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-run/learned-duel");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("learned_duel.wasm"),
        support::rust_controller("learned-duel"),
    )
    .unwrap();
    std::fs::copy(
        support::root().join("examples/controllers/learned-duel/manifest.json"),
        dir.join("manifest.json"),
    )
    .unwrap();
    dir
}

fn fixture(name: &str) -> String {
    support::fixture_path(name).display().to_string()
}

#[test]
fn run_reports_a_turn_of_the_reference_controller() {
    let folder = reference_mod_folder();
    let out = studio(&[
        "run",
        folder.to_str().unwrap(),
        "--state",
        "assets/states/battle.json",
        "--seed",
        "9",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.starts_with(
            "learned-duel 1.0.0-b — slot 0, seed 9, turn 1 on assets/states/battle.json"
        ),
        "{report}"
    );
    assert!(report.contains("\nOutcome:       ok\n"), "{report}");
    assert!(report.contains("Deterministic: yes"), "{report}");
    assert!(report.contains(" of 100,000,000 ("), "{report}");
    assert!(report.contains("  accepted  unit "), "{report}");
}

#[test]
fn run_json_has_the_documented_fields() {
    let folder = reference_mod_folder();
    let wasm = folder.join("learned_duel.wasm");
    let out = studio(&[
        "run",
        wasm.to_str().unwrap(),
        "--state",
        "assets/duels/crossing.json",
        "--slot",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ident"], "learned-duel 1.0.0-b");
    assert_eq!(v["outcome"], "ok");
    assert_eq!(v["slot"], 1);
    assert_eq!(v["deterministic"], true);
    assert!(v["fuel_used"].as_u64().unwrap() > 0);
    assert!(v["memory_bytes"].as_u64().unwrap() <= 16 * 1024 * 1024);
    let actions = v["actions"].as_array().unwrap();
    assert!(!actions.is_empty());
    for a in actions {
        assert!(a["action"].is_object());
        assert!(a["accepted"].is_boolean());
        assert!(a.get("reason").is_some());
    }
}

#[test]
fn a_failed_turn_is_reported_with_exit_status_2() {
    let out = studio(&[
        "run",
        &fixture("loop_decide"),
        "--state",
        "assets/states/skirmish.json",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "out_of_fuel");
    assert_eq!(v["fuel_used"], 100_000_000u64);
    assert_eq!(v["actions"], serde_json::json!([]));
}

#[test]
fn a_refused_module_exits_non_zero_with_the_reason() {
    let out = studio(&[
        "run",
        &fixture("import"),
        "--state",
        "assets/states/skirmish.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(
        err.contains("refused: the module imports a function \"env.now\""),
        "{err}"
    );
}

#[test]
fn a_slot_that_is_not_in_the_state_is_named() {
    let out = studio(&[
        "run",
        &fixture("minimal"),
        "--state",
        "assets/states/skirmish.json",
        "--slot",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("slot 5: assets/states/skirmish.json has players in slots 0 to 1")
    );
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::Read as _;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .args(["state", "show", "assets/states/stress.json", "--units"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is dropped here: the pipe closes with most of the output unwritten.
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn run_json_on_a_graph_reports_each_stage_in_milliseconds() {
    let out = studio(&[
        "run",
        "examples/graphs/melee-rusher.mcgraph.json",
        "--state",
        "assets/states/battle.json",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = v["timings"].as_object().expect("a timings object");
    let keys: Vec<&str> = t.keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "check",
            "host_load",
            "instantiate",
            "lower_emit",
            "rules",
            "total",
            "turn"
        ]
    );
    let ms = |k: &str| t[k].as_f64().unwrap_or(-1.0);
    for k in &keys {
        assert!(ms(k) >= 0.0, "{k}: {}", t[*k]);
    }
    let parts: f64 = keys.iter().filter(|k| **k != "total").map(|k| ms(k)).sum();
    assert!(
        (parts - ms("total")).abs() < 0.01,
        "{parts} vs {}",
        ms("total")
    );
    assert!(ms("host_load") > 0.0 && ms("lower_emit") > 0.0);

    // A module that is not a graph has no check and no lower + emit.
    let out = studio(&[
        "run",
        &fixture("minimal"),
        "--state",
        "assets/states/skirmish.json",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = v["timings"].as_object().expect("a timings object");
    assert!(!t.contains_key("check") && !t.contains_key("lower_emit") && t.contains_key("turn"));
}

/// `run --trace --json` on every AI template: each node's fuel and the runtime's add up to the
/// turn's `fuel_used`; the nodes that ran carry their names and port values, units described as
/// a creator reads them; the text form sorts the fuel table. A module that is not a graph is
/// refused with the reason.
#[test]
fn run_trace_reports_fuel_per_node_adding_up_and_every_value() {
    for name in [
        "melee-rusher",
        "archer-skirmisher",
        "hill-defender",
        "mage-support",
        "tactician",
    ] {
        let graph = format!("examples/graphs/{name}.mcgraph.json");
        let out = studio(&[
            "run",
            &graph,
            "--state",
            "assets/states/battle.json",
            "--trace",
            "--json",
        ]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let trace = &v["trace"];
        let nodes = trace["nodes"].as_array().expect("nodes");
        let sum: u64 = nodes
            .iter()
            .map(|n| n["fuel"].as_u64().unwrap_or(0))
            .sum::<u64>()
            + trace["runtime"]["fuel"].as_u64().expect("runtime fuel");
        assert_eq!(sum, v["fuel_used"].as_u64().expect("fuel_used"), "{name}");
        assert!(nodes.len() >= 5, "{name}: {} nodes", nodes.len());
        for n in nodes {
            assert!(
                n["id"].as_u64().is_some() && n["name"].as_str().is_some(),
                "{n}"
            );
        }
        let each = nodes
            .iter()
            .find(|n| n["name"] == "For Each Unit")
            .expect("For Each Unit ran");
        let first = &each["ports"][0];
        assert_eq!(first["port"], "unit");
        assert!(first["value"]["unit"].as_u64().is_some(), "{first}");
        assert!(
            first["text"]
                .as_str()
                .is_some_and(|t| t.contains(" #") && t.contains("(hp ")),
            "{first}"
        );
    }
    let out = studio(&[
        "run",
        "examples/graphs/melee-rusher.mcgraph.json",
        "--state",
        "assets/states/battle.json",
        "--trace",
    ]);
    let s = text(&out.stdout);
    assert!(
        s.contains("Fuel by node (") && s.contains("runtime (reading the state"),
        "{s}"
    );
    assert!(
        s.contains("#13 Nearest Hidden Tile") && s.contains("Values, node by node"),
        "{s}"
    );
    let out = studio(&[
        "run",
        &fixture("minimal"),
        "--state",
        "assets/states/battle.json",
        "--trace",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("needs a graph file"),
        "{}",
        text(&out.stderr)
    );
}
