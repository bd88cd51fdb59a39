//! `ladder`: duels a second through the timely-dataflow ladder with one process of two workers
//! and with two processes of one worker each (loopback TCP), beside the rayon tournament on the
//! same games, runs alternated so each pair is measured side by side; and what 20 million duels
//! (1,000 published AIs, 20 seeds from both seats per pair) would take on N such machines.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::median;

const PATHS: [&str; 5] = [
    "examples/graphs/melee-rusher.mcgraph.json",
    "examples/graphs/archer-skirmisher.mcgraph.json",
    "examples/graphs/hill-defender.mcgraph.json",
    "examples/graphs/mage-support.mcgraph.json",
    "examples/graphs/tactician.mcgraph.json",
];
const SEEDS: &str = "200";

pub(super) fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_creator-studio"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ladder_args(out: &Path) -> Vec<String> {
    let mut args: Vec<String> = vec!["ladder".into()];
    args.extend(PATHS.iter().map(|p| p.to_string()));
    args.extend(
        [
            "--scenario",
            "assets/duels/crossing.json",
            "--seeds",
            SEEDS,
            "--out",
        ]
        .map(str::to_owned),
    );
    args.push(out.display().to_string());
    args.push("--json".into());
    args
}

/// Runs the commands together: the whole time, and the keeper's (the first's) time playing
/// (`play_seconds`, the contenders already loaded), when it says one.
pub(super) fn timed(mut commands: Vec<Command>) -> (Duration, Option<Duration>) {
    let started = Instant::now();
    let children: Vec<_> = commands
        .iter_mut()
        .map(|c| {
            c.current_dir(root())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut play = None;
    for (i, c) in children.into_iter().enumerate() {
        let out = c.wait_with_output().expect("wait");
        assert!(out.status.success(), "a process failed");
        if i == 0 {
            // timely prints its connection progress on standard output: the JSON is the last line.
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            play = text
                .lines()
                .last()
                .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .and_then(|v| v["play_seconds"].as_f64())
                .map(Duration::from_secs_f64);
        }
    }
    (started.elapsed(), play)
}

pub fn ladder_section() {
    let dir = std::env::temp_dir().join(format!("cs-bench-ladder-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let games = 10 * 2 * SEEDS.parse::<u64>().expect("seeds");
    let (mut one, mut two, mut rayon) = (Vec::new(), Vec::new(), Vec::new());
    let (mut one_play, mut two_play) = (Vec::new(), Vec::new());
    for run in 0..3 {
        let out = dir.join(format!("one-{run}.jsonl"));
        let mut c = Command::new(bin());
        c.args(ladder_args(&out)).args(["--workers", "2"]);
        let (all, play) = timed(vec![c]);
        one.push(all);
        one_play.extend(play);

        let out = dir.join(format!("two-{run}.jsonl"));
        let ports: Vec<u16> = (0..2)
            .map(|_| {
                std::net::TcpListener::bind("127.0.0.1:0")
                    .expect("port")
                    .local_addr()
                    .expect("addr")
                    .port()
            })
            .collect();
        let hosts = dir.join(format!("hosts-{run}.txt"));
        std::fs::write(
            &hosts,
            ports
                .iter()
                .map(|p| format!("127.0.0.1:{p}\n"))
                .collect::<String>(),
        )
        .expect("hosts");
        let procs = (0..2)
            .map(|i| {
                let mut c = Command::new(bin());
                c.args(ladder_args(&out)).args([
                    "--workers",
                    "1",
                    "--processes",
                    "2",
                    "--process",
                    &i.to_string(),
                    "--hostfile",
                    &hosts.display().to_string(),
                ]);
                c
            })
            .collect();
        let (all, play) = timed(procs);
        two.push(all);
        two_play.extend(play);

        let mut c = Command::new(bin());
        c.arg("tournament").args(PATHS).args([
            "--scenario",
            "assets/duels/crossing.json",
            "--seeds",
            SEEDS,
        ]);
        rayon.push(timed(vec![c]).0);
    }
    let (one, two, rayon) = (median(&mut one), median(&mut two), median(&mut rayon));
    let (one_play, two_play) = (median(&mut one_play), median(&mut two_play));
    let rate = |d: Duration| games as f64 / d.as_secs_f64();
    println!("## Ladders on timely dataflow\n");
    println!(
        "The five AI templates, every pair over {SEEDS} seeds from both seats on Crossing: {games} \
         duels, the whole command timed (loading and compiling the contenders included), median of \
         3 runs alternated.\n"
    );
    println!("| how | whole command | duels a second | playing only | duels a second |");
    println!("| --- | --- | --- | --- | --- |");
    for (how, d, p) in [
        ("ladder, 1 process × 2 workers", one, Some(one_play)),
        (
            "ladder, 2 processes × 1 worker (loopback TCP)",
            two,
            Some(two_play),
        ),
        ("tournament (rayon, 2 threads)", rayon, None),
    ] {
        let play = p.map_or_else(
            || "— | —".to_owned(),
            |p| format!("{:.3} s | {:.0}", p.as_secs_f64(), rate(p)),
        );
        println!(
            "| {how} | {:.3} s | {:.0} | {play} |",
            d.as_secs_f64(),
            rate(d)
        );
    }
    let best = rate(one_play).max(rate(two_play));
    println!(
        "\n20 million duels at {best:.0} a second per 2-core machine: {:.1} h on 1 machine, \
         {:.1} h on 10, {:.0} min on 100 (each machine as this one, the table's keeper \
         not the bottleneck).\n",
        20e6 / best / 3600.0,
        20e6 / best / 3600.0 / 10.0,
        20e6 / best / 60.0 / 100.0
    );
}
