//! `fuelbound`: how close the compiler's fuel bound comes to real turns. For each AI template,
//! on each sample and on generated armies of 40, 400 and 1,000 units, the largest turn over
//! every seat against the bound for that turn's state; and how long working the bound out
//! takes.

use std::time::Instant;

use aether_compile::bound::fuel_bound;
use aether_compile::{CompilationProfile, VisualScriptCompiler};
use aether_host::{ControllerHost, ControllerLimits};
use aether_lang::interp::CheckedGraph;
use aether_lang::scenario::generate::two_armies;
use mc_tactical_types::rules;

use super::{group_digits, support};

fn armies(units: u32) -> mc_tactical_types::TacticalState {
    two_armies(64, units / 2, 7).state
}

pub fn fuel_bound_section() {
    let host = ControllerHost::new(ControllerLimits::default()).expect("host");
    println!("## How close the fuel bound comes\n");
    println!(
        "Largest turn over every seat (seed 1) against the compiler's bound for the same state; \
         ratio = bound / largest turn. Generated armies: 64×64, two players.\n"
    );
    println!("| template | state | largest turn | bound | ratio |");
    println!("| --- | --- | --- | --- | --- |");
    let mut states: Vec<(String, mc_tactical_types::TacticalState)> = support::SAMPLES
        .iter()
        .map(|s| (s.to_string(), support::state(s)))
        .collect();
    for units in [40, 400, 1000] {
        states.push((format!("armies of {units}"), armies(units)));
    }
    let mut analysis = Vec::new();
    for (t, graph) in support::named_templates() {
        let checked = CheckedGraph::new(graph).expect("template checks");
        let started = Instant::now();
        let bound = fuel_bound(&checked).expect("bound");
        analysis.push(started.elapsed());
        let wasm = VisualScriptCompiler::compile_checked(&checked, CompilationProfile::Release)
            .expect("compiles")
            .wasm_bytes;
        let controller = host.load(&wasm).expect("loads");
        for (name, st) in &states {
            let mut most = (0u64, 0u64);
            for p in st.players.iter().filter(|p| p.alive) {
                let report = controller.session().play_turn(st, p.slot, 1);
                let limit = bound.at(&rules::view_for(st, p.slot), p.slot);
                assert!(report.fuel_used <= limit, "{t} on {name}: over the bound");
                if report.fuel_used >= most.0 {
                    most = (report.fuel_used, limit);
                }
            }
            println!(
                "| {t} | {name} | {} | {} | {:.1}× |",
                group_digits(most.0),
                group_digits(most.1),
                most.1 as f64 / most.0.max(1) as f64
            );
        }
    }
    analysis.sort();
    println!(
        "\nWorking the bound out (compile + analysis), median over the templates: {:.3} ms\n",
        analysis[analysis.len() / 2].as_secs_f64() * 1000.0
    );
}
