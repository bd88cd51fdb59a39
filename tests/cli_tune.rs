//! `creator-studio tune` as a designer runs it, on a small budget: the tactician tuned against
//! the mage-support template on maps generated like Highlands does better on held-out seeds and
//! is written, with only its typed numbers changed; the same run gives the same report with 1
//! or 2 workers and as 2 processes on loopback; a setting that does not do better leaves the
//! file at --out as it was; a graph with nothing to tune and a budget too small are said.

use std::path::{Path, PathBuf};
use std::time::Duration;

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::{studio, text};
#[path = "support/cluster.rs"]
mod cluster;

use aether_lang::VisualScriptGraph;
use aether_lang::graph::Value;

fn scratch(name: &str) -> PathBuf {
    cli_support::scratch("tune", name)
}

const TACTICIAN: &str = "examples/graphs/tactician.mcgraph.json";
const MAGE: &str = "examples/graphs/mage-support.mcgraph.json";
const HIGHLANDS: &str = "assets/duels/highlands.json";

/// The small run the tests share: 6 seeds searched, 20 held out, 600 duels.
fn small(graph: &str, against: &str, scenario: &str) -> Vec<String> {
    [
        "tune",
        graph,
        "--against",
        against,
        "--scenario",
        scenario,
        "--seeds",
        "6",
        "--held-out",
        "20",
        "--budget",
        "600",
        "--json",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn tune(args: &[String]) -> serde_json::Value {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = studio(&args);
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o.stdout)))
}

/// The report without what depends on where it was written.
fn essence(mut v: serde_json::Value) -> serde_json::Value {
    v.as_object_mut().unwrap().remove("written");
    v
}

#[test]
fn the_tactician_tuned_against_mage_support_does_better_on_held_out_seeds_and_is_written() {
    let dir = scratch("improves");
    let out = dir.join("tuned.mcgraph.json");
    let mut args = small(TACTICIAN, MAGE, HIGHLANDS);
    args.extend(["--out".to_owned(), out.display().to_string()]);
    let report = tune(&args);
    assert_eq!(report["improved"], true, "{report:#}");
    assert!(report["duels"].as_u64().unwrap() <= 600);
    let (before, after) = (&report["held_out_before"], &report["held_out_after"]);
    assert!(
        after["wilson_low"].as_f64() > before["wilson_low"].as_f64(),
        "{before} {after}"
    );
    assert_eq!(
        before["wins"].as_u64().unwrap()
            + before["draws"].as_u64().unwrap()
            + before["losses"].as_u64().unwrap(),
        40,
        "20 held-out seeds from both seats"
    );
    assert_eq!(report["written"], out.display().to_string());

    // The written graph is the original with the reported numbers, and nothing else changed.
    let original = VisualScriptGraph::load(Path::new(TACTICIAN)).unwrap();
    let mut tuned = VisualScriptGraph::load(&out).unwrap();
    let mut changed = 0;
    for n in report["numbers"].as_array().unwrap() {
        let node = aether_lang::graph::NodeId(n["node"].as_u64().unwrap() as u32);
        let port = n["port"].as_str().unwrap();
        let after = n["after"].as_i64().unwrap() as i32;
        assert!(after >= n["low"].as_i64().unwrap() as i32);
        assert!(after <= n["high"].as_i64().unwrap() as i32);
        let got = tuned.node(node).unwrap().values.get(port).cloned();
        if n["before"] != n["after"] {
            changed += 1;
            assert_eq!(got, Some(Value::Number(after)), "{n}");
        }
        // Put the original back: what remains must be the original graph.
        match original.node(node).unwrap().values.get(port) {
            Some(v) => {
                tuned.set_value(node, port, v.clone());
            }
            None => {
                tuned.node_mut(node).unwrap().values.remove(port);
            }
        }
    }
    assert!(changed > 0);
    assert_eq!(tuned, original, "only the typed numbers changed");

    // The text report names each change and the verdict.
    let mut args = small(TACTICIAN, MAGE, HIGHLANDS);
    args.retain(|a| a != "--json");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = studio(&args);
    let t = text(&o.stdout);
    assert!(t.contains("The best setting changes:"), "{t}");
    assert!(t.contains("lower bound is higher: give --out NEW"), "{t}");
}

#[test]
fn the_same_run_gives_the_same_report_on_one_or_two_workers_and_two_processes() {
    let dir = scratch("same");
    let mut one = small(TACTICIAN, MAGE, HIGHLANDS);
    one.extend(["--workers".to_owned(), "1".to_owned()]);
    let mut two = small(TACTICIAN, MAGE, HIGHLANDS);
    two.extend(["--workers".to_owned(), "2".to_owned()]);
    let one = essence(tune(&one));
    assert_eq!(one, essence(tune(&two)));

    let hosts = cluster::hostfile(&dir, 2);
    let children = (0..2)
        .map(|i| {
            let mut args = small(TACTICIAN, MAGE, HIGHLANDS);
            args.extend(cluster::process_args(2, i, &hosts));
            cluster::spawn(&args)
        })
        .collect();
    let outputs = cluster::wait_all(children, Duration::from_secs(240));
    for o in &outputs {
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    // Timely says on stdout when it waits for its peers: the report is the last line.
    let first = text(&outputs[0].stdout);
    let line = first.lines().last().unwrap_or_default();
    let clustered: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {first}"));
    assert_eq!(essence(clustered), one);
    assert!(text(&outputs[1].stdout).contains("the search is run by process 0"));
}

#[test]
fn a_setting_that_does_not_do_better_leaves_the_file_at_out_as_it_was() {
    let dir = scratch("not-better");
    let out = dir.join("keep.mcgraph.json");
    std::fs::write(&out, "the designer's own file\n").unwrap();
    // Hill defender's one number (a distance, searched from 0 to 12 tiles) is already its best
    // against mage support on Crossing maps.
    let mut args = small(
        "examples/graphs/hill-defender.mcgraph.json",
        MAGE,
        "assets/duels/crossing.json",
    );
    args.extend(["--out".to_owned(), out.display().to_string()]);
    let report = tune(&args);
    assert_eq!(report["improved"], false, "{report:#}");
    assert_eq!(report["written"], serde_json::Value::Null);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "the designer's own file\n"
    );
    let numbers = report["numbers"].as_array().unwrap();
    assert_eq!(numbers.len(), 1);
    assert_eq!(
        (numbers[0]["low"].as_i64(), numbers[0]["high"].as_i64()),
        (Some(0), Some(12))
    );
}

/// Runs `tune ARGS` expecting a refusal; what it said.
fn refused(args: &[&str]) -> String {
    let o = studio(args);
    assert!(!o.status.success(), "{}", text(&o.stdout));
    text(&o.stderr)
}

#[test]
fn nothing_to_tune_a_world_script_and_a_budget_too_small_are_said() {
    let tune = |graph: &str, more: &[&str]| {
        let mut args = vec!["tune", graph, "--against", MAGE, "--scenario", HIGHLANDS];
        args.extend_from_slice(more);
        refused(&args)
    };
    let e = tune("examples/graphs/melee-rusher.mcgraph.json", &[]);
    assert!(e.contains("has no numbers to tune"), "{e}");
    let e = tune(TACTICIAN, &["--budget", "50"]);
    assert!(
        e.contains("budget of 50 duels is too small") && e.contains("--budget 100"),
        "{e}"
    );
    let e = tune("examples/graphs/wave-spawner.mcgraph.json", &[]);
    assert!(e.contains("world script"), "{e}");
}
