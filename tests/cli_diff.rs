//! `creator-studio diff` as a mod author runs it: two versions of a graph on the same turns, the
//! turns that differ (exactly those the reference interpreter says differ), where the runs
//! part, the exit status a CI script reads, and clear errors on bad input.

use std::path::{Path, PathBuf};

use aether_lang::VisualScriptGraph;
use aether_lang::graph::NodeId;
use aether_lang::interp::{CheckedGraph, interpret};

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::studio;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cs-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const ARCHER: &str = "examples/graphs/archer-skirmisher.mcgraph.json";

/// The archer template with the retreat distance (Compare #9's `b`, "distance ≤ 1") edited to
/// 3, saved in `dir`.
fn archer_retreating_at_3(dir: &Path) -> PathBuf {
    let mut g = VisualScriptGraph::load(Path::new(ARCHER)).unwrap();
    assert!(g.set_value(NodeId(9), "b", aether_lang::graph::Value::Number(3)));
    let path = dir.join("archer-3.mcgraph.json");
    g.save(&path).unwrap();
    path
}

#[test]
fn a_graph_against_itself_differs_on_none_of_a_thousand_turns() {
    let dir = scratch("itself");
    let copy = dir.join("copy.mcgraph.json");
    std::fs::copy("examples/graphs/melee-rusher.mcgraph.json", &copy).unwrap();
    let out = studio(&[
        "diff",
        "examples/graphs/melee-rusher.mcgraph.json",
        copy.to_str().unwrap(),
        "--duels",
        "10",
        "--scenario",
        "assets/duels/crossing.json",
        "--generated",
        "30",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["turns"].as_u64().unwrap() >= 1000, "{v}");
    assert_eq!(v["differing"], 0);
    assert_eq!(v["changed_nodes"].as_array().unwrap().len(), 0);
}

#[test]
fn one_edited_constant_differs_on_exactly_the_turns_the_interpreter_says() {
    let dir = scratch("constant");
    let new = archer_retreating_at_3(&dir);
    let out = studio(&[
        "diff",
        ARCHER,
        new.to_str().unwrap(),
        "--generated",
        "60",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));

    // The same turns, played here by the interpreter directly.
    let cases = aether_duel::corpus::generated(60, 1);
    let old = CheckedGraph::new(VisualScriptGraph::load(Path::new(ARCHER)).unwrap()).unwrap();
    let newer = CheckedGraph::new(VisualScriptGraph::load(&new).unwrap()).unwrap();
    let expected: Vec<&str> = cases
        .iter()
        .filter(|c| {
            interpret(&old, &c.view, c.slot, c.seed).actions
                != interpret(&newer, &c.view, c.slot, c.seed).actions
        })
        .map(|c| c.label.as_str())
        .collect();
    assert!(!expected.is_empty(), "the edit changes some turn");
    let found: Vec<&str> = v["differing_turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["turn"].as_str().unwrap())
        .collect();
    assert_eq!(found, expected);
    assert_eq!(v["turns"], cases.len());
    // Compare #9 feeds And #11, which feeds Branch #12: the branch now goes the other way.
    for t in v["differing_turns"].as_array().unwrap() {
        assert_eq!(t["parting"]["node"], 12, "{t}");
        assert_eq!(t["parting"]["name"], "Branch #12", "{t}");
        assert!(
            t["only_old"].as_array().unwrap().len() + t["only_new"].as_array().unwrap().len() > 0
        );
    }
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups[0]["node"], 12);
    assert_eq!(groups[0]["turns"], expected.len());
    let changed: Vec<u64> = v["changed_nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["node"].as_u64().unwrap())
        .collect();
    assert!(changed.contains(&9) && changed.contains(&12), "{changed:?}");

    // The readable report says it in words.
    let out = studio(&["diff", ARCHER, new.to_str().unwrap(), "--generated", "60"]);
    let report = text(&out.stdout);
    assert!(
        report.contains(&format!(
            "{} of {} turns differ",
            expected.len(),
            cases.len()
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "Branch #12 now takes True on {} of {} turns",
            expected.len(),
            cases.len()
        )),
        "{report}"
    );
}

#[test]
fn every_turn_of_a_replay_and_win_rates_against_an_opponent() {
    let dir = scratch("replays");
    let new = archer_retreating_at_3(&dir);
    let out = studio(&[
        "duel",
        ARCHER,
        "examples/graphs/melee-rusher.mcgraph.json",
        "--scenario",
        "assets/duels/crossing.json",
        "--seeds",
        "1",
        "--replay",
        dir.join("game.mcreplay").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let replay: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("game.mcreplay")).unwrap()).unwrap();
    let out = studio(&[
        "diff",
        ARCHER,
        new.to_str().unwrap(),
        "--replays",
        dir.to_str().unwrap(),
        "--against",
        "examples/graphs/melee-rusher.mcgraph.json",
        "--scenario",
        "assets/duels/crossing.json",
        "--seeds",
        "4",
        "--json",
    ]);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        text(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["turns"], replay["turns"].as_array().unwrap().len());
    let duels = &v["duels"];
    assert_eq!(duels["old"]["games"], 8);
    assert_eq!(duels["new"]["games"], 8);
    let d = duels["difference"].as_f64().unwrap();
    let lo = duels["difference_interval"][0].as_f64().unwrap();
    let hi = duels["difference_interval"][1].as_f64().unwrap();
    assert!(lo <= d && d <= hi && lo >= -1.0 && hi <= 1.0, "{duels}");
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let dir = scratch("bad");
    let broken = dir.join("broken.mcgraph.json");
    std::fs::write(&broken, "{ \"format\": ").unwrap();
    let out = studio(&["diff", ARCHER, broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("broken.mcgraph.json"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), "{ \"format\": ");

    let out = studio(&["diff", ARCHER, "no/such.mcgraph.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no/such.mcgraph.json"));

    let out = studio(&["diff", ARCHER, ARCHER, "--duels", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--scenario"),
        "{}",
        text(&out.stderr)
    );

    let out = studio(&["diff", ARCHER, "examples/graphs/announcer.mcgraph.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("world script"),
        "{}",
        text(&out.stderr)
    );
}
