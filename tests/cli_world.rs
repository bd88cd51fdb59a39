//! `creator-studio world …` as a user runs it: sample scenes, JSON per tick, the same hashes in
//! every process, storage that survives a killed process, clear errors for bad input.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use aether_sample_world::{Scene, Storage, WorldRun};

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::studio;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-world")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hashes(json_lines: &str) -> Vec<String> {
    json_lines
        .lines()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            v["hash"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn world_show_draws_the_village() {
    let out = studio(&["world", "show", "assets/worlds/village.json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.starts_with("Village green (24 x 16 tiles)"),
        "{shown}"
    );
    assert!(shown.contains("  ....~~~...111....^^....."), "{shown}");
    assert!(
        shown.contains("1   well         circle at (11.5, 7.5), radius 1.2"),
        "{shown}"
    );
    assert!(
        shown.contains("scripts/welcome.wat (priority 20)"),
        "{shown}"
    );
}

#[test]
fn world_run_reports_each_tick_and_a_summary() {
    let out = studio(&[
        "world",
        "run",
        "assets/worlds/village.json",
        "--ticks",
        "41",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("script 1: welcome 1.0.0 (priority 20, 2 ms a tick)"),
        "{report}"
    );
    assert!(
        report.contains("world: player 1 joined; welcome told player 1: \"Welcome, Ada!\""),
        "{report}"
    );
    assert!(
        report.contains("crate-drop spawned crate #5 at (9.5, 2.5)"),
        "{report}"
    );
    assert!(
        report.contains("welcome sent 15 byte(s) to player 1"),
        "{report}"
    );
    assert!(report.contains("41 ticks in"), "{report}");
    assert_eq!(
        report.lines().filter(|l| l.starts_with("tick ")).count(),
        41
    );
}

#[test]
fn the_same_world_gives_the_same_hashes_in_every_process() {
    let args = [
        "world",
        "run",
        "assets/worlds/rowdy.json",
        "--ticks",
        "60",
        "--json",
    ];
    let a = studio(&args);
    assert!(a.status.success(), "{}", text(&a.stderr));
    let b = studio(&args);
    let (a, b) = (hashes(&text(&a.stdout)), hashes(&text(&b.stdout)));
    assert_eq!(a.len(), 60);
    assert_eq!(a, b);
    // And the same as this process computes.
    let scene =
        Scene::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/worlds/rowdy.json"))
            .unwrap();
    let mut run = WorldRun::new(&scene, Vec::new(), Storage::in_memory().unwrap()).unwrap();
    let here: Vec<String> = (0..60)
        .map(|_| format!("{:016x}", run.tick().unwrap().hash))
        .collect();
    assert_eq!(a, here);
}

#[test]
fn a_killed_world_reopens_with_every_committed_tick() {
    let dir = scratch("killed");
    let db = dir.join("world.redb");
    let ticker = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/aether-sample-world/tests/fixtures/ticker.wat");
    let mut child = Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .args([
            "world",
            "run",
            "assets/worlds/village.json",
            "--json",
            "--ticks",
            "1000000",
        ])
        .arg(&ticker)
        .arg("--storage")
        .arg(&db)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Let it run past tick 300, then kill it (SIGKILL: no clean-up of any kind).
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = 0;
    for line in lines.by_ref() {
        line.unwrap();
        seen += 1;
        if seen > 300 {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(lines);
    assert!(seen > 300, "the world ran");
    let storage = Storage::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let tick = storage.committed_tick().expect("ticks were committed");
    assert!(tick >= 298, "committed up to tick {tick}");
    // The ticker stores t at every even tick t: the value and the tick were committed together.
    let kept = storage.dump("ticker").unwrap();
    assert_eq!(
        kept,
        [(b"tick".to_vec(), (tick as u32).to_le_bytes().to_vec())]
    );
    let visits = storage.dump("welcome").unwrap();
    assert_eq!(
        visits.len(),
        3,
        "Ada, Bram and Cleo came once each: {visits:?}"
    );
}

#[test]
fn bad_input_gets_a_clear_error_and_exit_status_1() {
    let dir = scratch("bad");
    let scene = dir.join("scene.json");
    std::fs::write(
        &scene,
        r#"{"name": "Bad", "format": 1, "map": ["..", ".?"], "entities": [{"kind": "crate", "x": 5, "y": 0}]}"#,
    )
    .unwrap();
    let out = studio(&["world", "run", scene.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}: map row 1, column 1: unknown glyph '?'",
            scene.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("entities[0] (crate): (5, 0) is outside the 2 x 2 map"),
        "{err}"
    );

    let hostile = dir.join("clock.wat");
    std::fs::write(
        &hostile,
        r#"(module (import "env" "clock_ms" (func (result i64))) (memory (export "memory") 1))"#,
    )
    .unwrap();
    let out = studio(&[
        "world",
        "run",
        "assets/worlds/village.json",
        hostile.to_str().unwrap(),
    ]);
    // The refused script is named with why, the village's own scripts still run (as a game
    // server would), and the command ends in an error.
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "refused at load, the world runs without it: {}: refused: the module imports \"env.clock_ms\"",
            hostile.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(
            "1 script(s) refused at load (named before the first tick); the world ran without them"
        ),
        "{err}"
    );
    assert!(text(&out.stdout).contains("Welcome, Ada!"));

    let junk = dir.join("junk.redb");
    std::fs::write(&junk, b"not a database at all, just words").unwrap();
    let out = studio(&[
        "world",
        "run",
        "assets/worlds/village.json",
        "--storage",
        junk.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("junk.redb: cannot open the world's storage"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&junk).unwrap(),
        b"not a database at all, just words"
    );
}

#[test]
fn a_world_script_graph_runs_exports_validates_and_is_listed() {
    let dir = scratch("graph");
    // `world run` takes the graph file itself (compiled first) and the world reacts to it.
    let out = studio(&[
        "world",
        "run",
        "assets/worlds/village.json",
        "examples/graphs/wave-spawner.mcgraph.json",
        "--ticks",
        "70",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("wave-spawner told everyone: \"Wave 1 is coming!\""),
        "{shown}"
    );
    assert!(
        shown.contains("wave-spawner told everyone: \"Wave 2 is coming!\""),
        "{shown}"
    );
    assert!(shown.contains("wave-spawner spawned raider"), "{shown}");

    // Export as a world-script mod, validate it in the sample worlds, list it beside an AI.
    let mods = dir.join("mods");
    let out = studio(&[
        "export",
        "examples/graphs/wave-spawner.mcgraph.json",
        "--out",
        mods.join("waves").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("exported world-script mod \"wave-spawner\""));
    let manifest = std::fs::read_to_string(mods.join("waves/manifest.json")).unwrap();
    assert!(
        manifest.contains("\"kind\": \"world_script\""),
        "{manifest}"
    );
    let out = studio(&["validate", mods.join("waves").to_str().unwrap()]);
    let shown = text(&out.stdout);
    assert!(out.status.success(), "{shown}{}", text(&out.stderr));
    assert!(
        shown.contains("village") && shown.contains("arena"),
        "{shown}"
    );
    assert!(
        shown.contains("valid: ran in every sample world"),
        "{shown}"
    );
    let out = studio(&[
        "export",
        "examples/graphs/melee-rusher.mcgraph.json",
        "--out",
        mods.join("rusher").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = studio(&["scan", mods.to_str().unwrap()]);
    let shown = text(&out.stdout);
    assert!(shown.contains("2 registered, 0 skipped"), "{shown}");
    assert!(
        shown.contains("registered wave-spawner") && shown.contains("world script"),
        "{shown}"
    );
    assert!(shown.contains("registered melee-rusher"), "{shown}");
    // The exported mod runs in a world like the graph did.
    let out = studio(&[
        "world",
        "run",
        "assets/worlds/village.json",
        mods.join("waves").to_str().unwrap(),
        "--ticks",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Each kind is refused where the other belongs, saying where to go instead.
    let out = studio(&[
        "run",
        "examples/graphs/bumper.mcgraph.json",
        "--state",
        "assets/states/battle.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("is a world script, not an AI controller; run it in a sample world")
    );
    let out = studio(&[
        "world",
        "run",
        "assets/worlds/village.json",
        "examples/graphs/melee-rusher.mcgraph.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is an AI controller graph, not a world script"));
}

#[test]
fn every_world_template_exports_a_mod_that_validates() {
    let dir = scratch("templates");
    for name in ["wave-spawner", "hill-scoreboard", "announcer", "bumper"] {
        let folder = dir.join(name);
        let out = studio(&[
            "export",
            &format!("examples/graphs/{name}.mcgraph.json"),
            "--out",
            folder.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        let out = studio(&["validate", folder.to_str().unwrap()]);
        let shown = text(&out.stdout);
        assert!(out.status.success(), "{name}: {shown}{}", text(&out.stderr));
        assert!(
            shown.contains("valid: ran in every sample world"),
            "{name}: {shown}"
        );
    }
}

/// `world run … --trace`: the wave spawner seen from inside, event by event, as text and as
/// JSON; the entity its Spawn Entity node gave is the one the world spawned for it; a run with
/// no graph to look inside says what --trace needs.
#[test]
fn world_run_trace_shows_a_graph_from_inside() {
    let args = [
        "world",
        "run",
        "assets/worlds/village.json",
        "examples/graphs/wave-spawner.mcgraph.json",
        "--ticks",
        "70",
        "--trace",
    ];
    let out = studio(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("inside examples/graphs/wave-spawner.mcgraph.json · tick · "),
        "{shown}"
    );
    assert!(
        shown.contains("Show Text #3 [")
            && shown.contains(" fuel]: Player = none, Number = 1")
            && shown.contains("the runtime (reading the event, answering it) [")
            && shown.contains("ui_message(-1, \"Wave 1 is coming!\") → 0"),
        "{shown}"
    );

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let out = studio(&json_args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut spawned_in_trace = Vec::new();
    let mut spawned_in_world = Vec::new();
    for line in text(&out.stdout).lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        for s in v["world"]["spawned"].as_array().into_iter().flatten() {
            if s["kind"] == "raider" {
                spawned_in_world.push(s["entity"].as_u64().unwrap());
            }
        }
        for event in v["inside"].as_array().expect("an inside array each tick") {
            // Fuel per node adds up to the host's fuel for the handler.
            let nodes: u64 = event["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["fuel"].as_u64().expect("measured"))
                .sum();
            assert_eq!(
                nodes + event["runtime"]["fuel"].as_u64().unwrap(),
                event["fuel_used"].as_u64().unwrap(),
                "{event}"
            );
            for node in event["nodes"].as_array().unwrap() {
                for call in node["calls"].as_array().unwrap() {
                    if call["call"]
                        .as_str()
                        .unwrap()
                        .starts_with("entity_spawn(\"raider\"")
                    {
                        spawned_in_trace.push(call["result"].as_u64().unwrap());
                    }
                }
            }
        }
    }
    assert!(!spawned_in_trace.is_empty());
    assert_eq!(
        spawned_in_trace, spawned_in_world,
        "the trace's answers are the world's"
    );

    let out = studio(&[
        "world",
        "run",
        "assets/worlds/village.json",
        "--ticks",
        "3",
        "--trace",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--trace shows world-script graphs from inside"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_world_script_mod_says_which_contract_it_needs_and_validate_says_so() {
    let dir = scratch("versions");
    let folder = dir.join("hill");
    let out = studio(&[
        "export",
        "examples/graphs/hill-scoreboard.mcgraph.json",
        "--out",
        folder.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let manifest = folder.join("manifest.json");
    let original = std::fs::read_to_string(&manifest).unwrap();
    let declare = |version: &str| {
        std::fs::write(
            &manifest,
            original.replace(
                &format!(
                    "\"aether_world_types\": \"{}\"",
                    aether_world_types::CRATE_VERSION
                ),
                &format!("\"aether_world_types\": \"{version}\""),
            ),
        )
        .unwrap()
    };

    // A newer contract than this world serves: said as such, not as a controller's problems.
    declare("3.0.0");
    let out = studio(&["validate", folder.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out.stdout);
    assert!(
        shown.contains(&format!(
            "manifest.json: `aether_world_types` says the module was built against \
             aether-world-types 3.0.0, but this world serves versions 1 to {}",
            aether_world_types::CRATE_VERSION
        )),
        "{shown}"
    );
    assert!(
        !shown.contains("controller_id") && !shown.contains("mc_tactical_types"),
        "{shown}"
    );

    // Version 1 did not have the imports from entity_kind on: a module using them must say 2.
    declare("1.0.0");
    let out = studio(&["validate", folder.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out.stdout);
    assert!(
        shown.contains(
            "manifest.json: `aether_world_types` is 1.0.0, but hill-scoreboard.wasm imports \
             \"aether.entity_kind\""
        ),
        "{shown}"
    );
    assert!(
        shown.contains("which came with version 2 of the contract"),
        "{shown}"
    );
    // In a world it is refused the same way, and the scene's own scripts run.
    let out = studio(&[
        "world",
        "run",
        "assets/worlds/village.json",
        folder.to_str().unwrap(),
        "--ticks",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("refused at load, the world runs without it"),
        "{err}"
    );
    assert!(
        err.contains("which came with version 2 of the contract"),
        "{err}"
    );
    assert!(text(&out.stdout).contains("Welcome, Ada!"));
}

#[test]
fn the_json_of_a_tick_says_why_a_script_is_disabled_and_counts_slices_and_handlers_apart() {
    let out = studio(&[
        "world",
        "run",
        "assets/worlds/village.json",
        "crates/aether-host/tests/fixtures/world/negative.wat",
        "--ticks",
        "61",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ticks: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let script = |tick: usize, name: &str| {
        ticks[tick]["scripts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"].as_str().unwrap().starts_with(name))
            .unwrap()
            .clone()
    };
    // Faulting on every event: backing off with its fault, then disabled, saying why.
    let s = script(0, "negative");
    assert_eq!(s["state"], "backing_off");
    assert_eq!(s["reason"], "on_event returned -1, an error");
    assert_eq!(s["until"], 20);
    let s = script(60, "negative");
    assert_eq!(s["state"], "disabled");
    assert_eq!(
        s["reason"],
        "3 faults within 400 ticks; the last: on_event returned -1, an error"
    );
    // A well-behaved script: its handlers (one per event) in the slices it was given.
    let s = script(0, "welcome");
    assert_eq!(s["state"], "ready");
    assert!(s["reason"].is_null() && s["until"].is_null());
    assert_eq!(s["slices"], 1, "{s}");
    assert!(s["handlers"].as_u64().unwrap() >= 2, "{s}");
}
