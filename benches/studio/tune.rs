//! `tune`: a small tuning run (the tactician against the mage-support template on maps
//! generated like Highlands, 10 seeds a setting, 4,000 duels, 20 held-out seeds) with one and
//! with two workers, alternated, medians of 3: the whole command's wall time and duels a second
//! (the search's and the held-out check's together).

use std::process::Command;

use super::ladder::{bin, timed};
use super::median;

fn tune_args(workers: &str) -> Vec<&str> {
    vec![
        "tune",
        "examples/graphs/tactician.mcgraph.json",
        "--against",
        "examples/graphs/mage-support.mcgraph.json",
        "--scenario",
        "assets/duels/highlands.json",
        "--seeds",
        "10",
        "--held-out",
        "20",
        "--budget",
        "4000",
        "--workers",
        workers,
        "--json",
    ]
}

pub fn tune_section() {
    // Duels played: the search's (read from one run's report) and the held-out check's.
    let out = Command::new(bin())
        .args(tune_args("2"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("tune runs");
    assert!(out.status.success(), "tune failed");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let searched = report["duels"].as_u64().expect("duels");
    let settings = report["candidates"].as_u64().expect("candidates");
    let checked: u64 = ["held_out_before", "held_out_after"]
        .iter()
        .map(|k| {
            let r = &report[k];
            ["wins", "draws", "losses"]
                .iter()
                .map(|f| r[f].as_u64().unwrap_or(0))
                .sum::<u64>()
        })
        .sum();
    let duels = searched + checked;
    let (mut one, mut two) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        for (workers, into) in [("1", &mut one), ("2", &mut two)] {
            let mut c = Command::new(bin());
            c.args(tune_args(workers));
            into.push(timed(vec![c]).0);
        }
    }
    let (one, two) = (median(&mut one), median(&mut two));
    println!("## Tuning on the dataflow\n");
    println!(
        "The tactician tuned against the mage-support template on maps generated like Highlands: \
         {settings} settings tried in {searched} duels, then {checked} held-out duels ({duels} in \
         all), the whole command timed (loading; each setting loaded, linked, on every worker that \
         plays it, the held-out check), median of 3 runs alternated.\n"
    );
    println!("| workers | whole command | duels a second |");
    println!("| --- | --- | --- |");
    for (w, d) in [("1", one), ("2", two)] {
        println!(
            "| {w} | {:.3} s | {:.0} |",
            d.as_secs_f64(),
            duels as f64 / d.as_secs_f64()
        );
    }
    println!(
        "\nTwo workers against one: {:.2}× as fast.\n",
        one.as_secs_f64() / two.as_secs_f64()
    );
}
