//! `creator-studio ladder` as an organiser runs it: in one process it plays exactly the games of
//! `tournament` and rates them the same; as 2 and as 3 processes on this machine (loopback) it
//! writes the same results file byte for byte; a process killed mid-run stops the others with
//! a clear message, and the same command started again resumes to the same final file.

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

#[path = "support/base.rs"]
mod base;
#[path = "support/cli.rs"]
mod cli_support;
use cli_support::{studio, text};
#[path = "support/cluster.rs"]
mod cluster;
use cluster::{hostfile, wait_all};

fn scratch(name: &str) -> PathBuf {
    cli_support::scratch("ladder", name)
}

const CROSSING: &str = "assets/duels/crossing.json";

const THREE: [&str; 3] = [
    "examples/graphs/melee-rusher.mcgraph.json",
    "examples/graphs/archer-skirmisher.mcgraph.json",
    "examples/graphs/hill-defender.mcgraph.json",
];

/// Starts process `i` of `n` of a ladder of `paths` writing `out`.
fn spawn(paths: &[&str], seeds: &str, out: &Path, n: usize, i: usize, hosts: &Path) -> Child {
    let mut args: Vec<String> = vec!["ladder".into()];
    args.extend(paths.iter().map(|p| p.to_string()));
    args.extend(
        [
            "--scenario",
            CROSSING,
            "--seeds",
            seeds,
            "--out",
            out.to_str().unwrap(),
        ]
        .map(str::to_owned),
    );
    args.extend(cluster::process_args(n, i, hosts));
    cluster::spawn(&args)
}

fn local_ladder(paths: &[&str], seeds: &str, out: &Path, workers: &str) -> serde_json::Value {
    let mut args = vec!["ladder"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&[
        "--scenario",
        CROSSING,
        "--seeds",
        seeds,
        "--workers",
        workers,
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let o = studio(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn in_one_process_it_is_the_tournament_game_for_game() {
    let dir = scratch("tournament");
    // The five AI templates and the reference controller, built for wasm32 from its Rust.
    let reference = dir.join("learned-duel.wasm");
    std::fs::write(&reference, base::rust_controller("learned-duel")).unwrap();
    let reference = reference.to_str().unwrap();
    let out = dir.join("results.jsonl");
    let ladder = local_ladder(&["examples/graphs", reference], "3", &out, "2");
    let mut args = vec!["tournament", "examples/graphs", reference];
    args.extend_from_slice(&["--scenario", CROSSING, "--seeds", "3", "--json"]);
    let o = studio(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let tournament: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // The same ranking, ratings, wins, draws and losses.
    assert_eq!(ladder["ranking"], tournament["ranking"]);
    assert_eq!(ladder["ranking"].as_array().unwrap().len(), 6);
    // Every game: the pair totals of the file are the tournament's pairings.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let pairings = tournament["pairings"].as_array().unwrap();
    assert_eq!(lines.len() as u64, pairings.len() as u64 * 6);
    for p in pairings {
        let of_pair: Vec<&serde_json::Value> = lines
            .iter()
            .filter(|l| l["a"] == p["a"] && l["b"] == p["b"])
            .collect();
        let count = |r: &str| of_pair.iter().filter(|l| l["result"] == r).count() as u64;
        assert_eq!(of_pair.len() as u64, p["games"].as_u64().unwrap(), "{p}");
        assert_eq!(count("win"), p["wins"].as_u64().unwrap(), "{p}");
        assert_eq!(count("draw"), p["draws"].as_u64().unwrap(), "{p}");
        assert_eq!(count("loss"), p["losses"].as_u64().unwrap(), "{p}");
    }
}

#[test]
fn two_and_three_processes_write_the_same_results_as_one() {
    let dir = scratch("processes");
    let one = dir.join("one.jsonl");
    local_ladder(&THREE, "4", &one, "2");
    for n in [2usize, 3] {
        let hosts = hostfile(&dir, n);
        let out = dir.join(format!("{n}.jsonl"));
        let children = (0..n)
            .map(|i| spawn(&THREE, "4", &out, n, i, &hosts))
            .collect();
        for (i, o) in wait_all(children, Duration::from_secs(240))
            .iter()
            .enumerate()
        {
            assert!(
                o.status.success(),
                "process {i} of {n}: {}",
                text(&o.stderr)
            );
        }
        assert_eq!(
            std::fs::read(&out).unwrap(),
            std::fs::read(&one).unwrap(),
            "{n} processes"
        );
    }
}

#[test]
fn a_killed_process_stops_the_others_and_the_same_command_resumes() {
    let dir = scratch("killed");
    let five = ["examples/graphs"];
    let reference = dir.join("reference.jsonl");
    local_ladder(&five, "500", &reference, "2");
    let all = std::fs::read_to_string(&reference).unwrap().lines().count();
    let out = dir.join("results.jsonl");
    let hosts = hostfile(&dir, 2);
    let keeper = spawn(&five, "500", &out, 2, 0, &hosts);
    let mut other = spawn(&five, "500", &out, 2, 1, &hosts);
    // Kill process 1 once some games are in the file (10,000 games: far from the end).
    cluster::wait_until("no game came in", Duration::from_secs(120), || {
        std::fs::read_to_string(&out).map_or(0, |t| t.lines().count()) >= 20
    });
    other.kill().unwrap();
    let _ = other.wait();
    let o = wait_all(vec![keeper], Duration::from_secs(120)).remove(0);
    let kept = std::fs::read_to_string(&out).unwrap().lines().count();
    assert!(
        !o.status.success(),
        "the keeper went on without its peer ({kept} of {all} games)"
    );
    let said = text(&o.stderr);
    assert!(
        said.contains("another process of the ladder stopped"),
        "{said}"
    );
    assert!(said.contains("start the same command again"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    assert!(kept > 0 && kept < all, "{kept} of {all} games kept");
    // The same command again, both processes: it plays only what is missing and ends on the
    // same file as a run that was never stopped.
    let hosts = hostfile(&dir, 2);
    let children = (0..2)
        .map(|i| spawn(&five, "500", &out, 2, i, &hosts))
        .collect();
    for o in wait_all(children, Duration::from_secs(240)) {
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&reference).unwrap()
    );
}

#[test]
fn a_process_with_another_module_under_one_name_stops_the_ladder_naming_it() {
    let dir = scratch("mismatch");
    // Process 1 holds an edited archer under the archer's name and version.
    let edited = dir.join("archer-skirmisher.mcgraph.json");
    let mut g = aether_lang::VisualScriptGraph::load(Path::new(THREE[1])).unwrap();
    assert!(g.set_value(
        aether_lang::graph::NodeId(9),
        "b",
        aether_lang::graph::Value::Number(3)
    ));
    g.save(&edited).unwrap();
    let hosts = hostfile(&dir, 2);
    let out = dir.join("results.jsonl");
    let zero = spawn(&THREE, "2", &out, 2, 0, &hosts);
    let one = spawn(
        &[THREE[0], edited.to_str().unwrap(), THREE[2]],
        "2",
        &out,
        2,
        1,
        &hosts,
    );
    for o in wait_all(vec![zero, one], Duration::from_secs(120)) {
        assert!(!o.status.success());
        let said = text(&o.stderr);
        assert!(
            said.contains("archer-skirmisher 1.0.0") && said.contains("put the same files"),
            "{said}"
        );
    }
}

#[test]
fn bad_cluster_arguments_are_named() {
    let dir = scratch("args");
    let o = studio(&[
        "ladder",
        THREE[0],
        THREE[1],
        "--scenario",
        CROSSING,
        "--processes",
        "2",
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("--hostfile"),
        "{}",
        text(&o.stderr)
    );
    let bad = dir.join("hosts.txt");
    std::fs::write(&bad, "localhost\n").unwrap();
    let o = studio(&[
        "ladder",
        THREE[0],
        THREE[1],
        "--scenario",
        CROSSING,
        "--processes",
        "2",
        "--hostfile",
        bad.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("line 1"), "{}", text(&o.stderr));
}

#[test]
fn a_results_file_cut_mid_line_by_a_crash_resumes_to_the_same_file() {
    let dir = scratch("cut");
    let reference = dir.join("reference.jsonl");
    local_ladder(&THREE, "4", &reference, "2");
    let whole = std::fs::read_to_string(&reference).unwrap();
    // Ten games written, the eleventh cut halfway.
    let lines: Vec<&str> = whole.lines().collect();
    let cut = format!(
        "{}\n{}",
        lines[..10].join("\n"),
        &lines[10][..lines[10].len() / 2]
    );
    let out = dir.join("results.jsonl");
    std::fs::write(&out, &cut).unwrap();
    // The keeper mends the file before it plays anything: here it waits for a peer that never
    // comes, and the cut line is already gone, so no game can be appended onto it.
    let hosts = hostfile(&dir, 2);
    let mut keeper = spawn(&THREE, "4", &out, 2, 0, &hosts);
    let ten = format!("{}\n", lines[..10].join("\n"));
    cluster::wait_until(
        "the cut line was left in the file",
        Duration::from_secs(60),
        || std::fs::read_to_string(&out).unwrap() == ten,
    );
    keeper.kill().unwrap();
    let _ = keeper.wait();
    local_ladder(&THREE, "4", &out, "2");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), whole);
}
