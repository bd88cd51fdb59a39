//! Creator Studio's benchmark: prints tables of medians, asserts nothing.
//!
//! ```text
//! cargo bench --bench studio
//! ```
//!
//! See BENCHMARKS.md for what each number means and a recorded run.

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "studio/bounds.rs"]
mod bounds;
#[path = "studio/crowd.rs"]
mod crowd;
#[path = "studio/editor.rs"]
mod editor;
#[path = "studio/fuel_bound.rs"]
mod fuel_bound;
#[path = "studio/ladder.rs"]
mod ladder;
#[path = "studio/tune.rs"]
mod tune;
#[path = "studio/versus.rs"]
mod versus;
#[path = "studio/world.rs"]
mod world;

use std::time::{Duration, Instant};

use aether_base::text::group_digits;
use aether_compile::VisualScriptCompiler;
use aether_host::{ControllerHost, ControllerLimits};
use aether_lang::graph::VisualScriptGraph;
use aether_lang::interp::{CheckedGraph, interpret};
use mc_tactical_types::TacticalState;

/// Median of `samples` (sorted in place).
fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn host_section() {
    const LOADS: usize = 10;
    const STARTS: usize = 30;
    const TURNS: usize = 30;
    let wasm = support::rust_controller("learned-duel");
    let host = ControllerHost::new(ControllerLimits::default()).expect("host");

    let mut load = Vec::new();
    let mut compile = Vec::new();
    let mut controller = None;
    for _ in 0..LOADS {
        let started = Instant::now();
        let c = host.load(&wasm).expect("the reference controller loads");
        load.push(started.elapsed());
        compile.push(c.compile_time());
        controller = Some(c);
    }
    let controller = controller.expect("loaded at least once");
    let skirmish = support::state("states/skirmish");
    let mut start = Vec::new();
    for _ in 0..STARTS {
        let report = controller.session().play_turn(&skirmish, 0, 1);
        start.push(report.instantiate_time.unwrap_or_default());
    }

    println!(
        "## Controller host: reference controller {} ({} bytes of wasm)\n",
        controller.identity(),
        group_digits(wasm.len() as u64)
    );
    println!("| stage | median | runs |");
    println!("| --- | ---: | ---: |");
    println!(
        "| load (validate + compile + trial init) | {} | {LOADS} |",
        ms(median(&mut load))
    );
    println!(
        "| of which compile (cranelift) | {} | {LOADS} |",
        ms(median(&mut compile))
    );
    println!(
        "| instantiate + init | {} | {STARTS} |",
        ms(median(&mut start))
    );
    println!();
    println!(
        "| sample | units | state bytes | fuel per turn | decide_turn | turn incl. rules | runs |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for name in support::SAMPLES {
        let state = support::state(name);
        let mut session = controller.session();
        // One warm-up turn creates the instance; then every turn reuses it.
        session.play_turn(&state, 0, 1);
        let mut decide = Vec::new();
        let mut whole = Vec::new();
        let mut fuel = Vec::new();
        for i in 0..TURNS {
            let started = Instant::now();
            let report = session.play_turn(&state, 0, i as u64);
            whole.push(started.elapsed());
            decide.push(report.wall_time);
            fuel.push(report.fuel_used);
            assert!(report.outcome.is_ok(), "{name}: {}", report.outcome);
        }
        fuel.sort_unstable();
        println!(
            "| {name} | {} | {} | {} | {} | {} | {TURNS} |",
            state.units.len(),
            group_digits(report_state_bytes(&state) as u64),
            group_digits(fuel[fuel.len() / 2]),
            ms(median(&mut decide)),
            ms(median(&mut whole)),
        );
    }
    println!();
}

/// Median fuel of one turn of `controller` on each state (slot 0, fixed seeds); every turn
/// must succeed.
fn fuel_on(controller: &aether_host::Controller, states: &[(&str, TacticalState)]) -> Vec<u64> {
    states
        .iter()
        .map(|(name, state)| {
            let mut session = controller.session();
            let mut fuel: Vec<u64> = (0..5)
                .map(|seed| {
                    let report = session.play_turn(state, 0, seed);
                    assert!(report.outcome.is_ok(), "{name}: {}", report.outcome);
                    report.fuel_used
                })
                .collect();
            fuel.sort_unstable();
            fuel[fuel.len() / 2]
        })
        .collect()
}

fn compiler_section() {
    const COMPILES: usize = 20;
    const TURNS: usize = 20;
    let host = ControllerHost::new(ControllerLimits::default()).expect("host");
    let reference = host
        .load(&support::rust_controller("learned-duel"))
        .expect("the reference controller loads");
    let names = ["states/skirmish", "states/battle", "states/stress"];
    let states: Vec<(&str, TacticalState)> =
        names.iter().map(|&n| (n, support::state(n))).collect();
    let reference_fuel = fuel_on(&reference, &states);

    println!(
        "## Compiled templates against the reference Rust controller
"
    );
    println!(
        "Fuel of one turn (slot 0, median of 5 seeds); the ratio is template fuel / reference fuel \
         on the same state. The reference ({}) is hand-written Rust built for wasm32.\n",
        reference.identity()
    );
    println!("| controller | skirmish fuel | battle fuel | stress fuel |");
    println!("| --- | ---: | ---: | ---: |");
    println!(
        "| reference (Rust) | {} | {} | {} |",
        group_digits(reference_fuel[0]),
        group_digits(reference_fuel[1]),
        group_digits(reference_fuel[2])
    );
    let mut timing = Vec::new();
    for path in support::templates() {
        let graph = VisualScriptGraph::load(&path).expect("a template loads");
        let mut compile = Vec::new();
        let mut artifact = None;
        for _ in 0..COMPILES {
            let started = Instant::now();
            artifact = Some(VisualScriptCompiler::compile(&graph).expect("templates compile"));
            compile.push(started.elapsed());
        }
        let artifact = artifact.expect("compiled at least once");
        let started = Instant::now();
        let controller = host
            .load(&artifact.wasm_bytes)
            .expect("compiled templates load");
        let load = started.elapsed();
        let fuel = fuel_on(&controller, &states);
        let cell = |i: usize| {
            format!(
                "{} ({:.2}x)",
                group_digits(fuel[i]),
                fuel[i] as f64 / reference_fuel[i] as f64
            )
        };
        println!(
            "| {} | {} | {} | {} |",
            graph.name,
            cell(0),
            cell(1),
            cell(2)
        );

        // Wall time on the battle sample: the compiled turn and the reference interpreter.
        let (_, battle) = &states[1];
        let checked = CheckedGraph::new(graph.clone()).expect("templates are clean");
        let view = mc_tactical_types::rules::view_for(battle, 0);
        let mut session = controller.session();
        session.play_turn(battle, 0, 0);
        let mut decide = Vec::new();
        let mut interp = Vec::new();
        for seed in 0..TURNS as u64 {
            decide.push(session.play_turn(battle, 0, seed).wall_time);
            let started = Instant::now();
            std::hint::black_box(interpret(&checked, &view, 0, seed));
            interp.push(started.elapsed());
        }
        timing.push(format!(
            "| {} | {} | {} | {} | {} | {} |",
            graph.name,
            ms(median(&mut compile)),
            group_digits(artifact.wasm_bytes.len() as u64),
            ms(load),
            ms(median(&mut decide)),
            ms(median(&mut interp)),
        ));
    }
    println!();
    println!(
        "| template | compile (graph to wasm) | module bytes | host load | decide_turn on battle | interpreter on battle |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    timing.sort();
    for row in timing {
        println!("{row}");
    }
    println!();
}

fn report_state_bytes(state: &mc_tactical_types::TacticalState) -> usize {
    postcard::to_allocvec(&mc_tactical_types::rules::view_for(state, 0))
        .map(|b| b.len())
        .unwrap_or(0)
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter could follow in future sections.
    println!("# Creator Studio benchmark\n");
    println!(
        "Machine: {} cores; medians of repeated runs in one process.\n",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    // `cargo bench --bench studio -- editor` runs only the sections whose names are given.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let sections: [(&str, fn()); 18] = [
        ("host", host_section),
        ("decoder", versus::decoder_section),
        ("bounds", bounds::bounds_section),
        ("compiler", compiler_section),
        ("twins", versus::twins_section),
        ("preview", versus::edit_to_preview_section),
        ("cache", versus::preview_cache_section),
        ("split", versus::load_split_section),
        ("scaling", versus::scaling_section),
        ("duels", versus::duel_and_metering_section),
        ("batch", versus::duel_batch_section),
        ("editor", editor::editor_section),
        ("world", world::world_section),
        ("charges", crowd::charges_section),
        ("crowd", crowd::crowd_section),
        ("fuelbound", fuel_bound::fuel_bound_section),
        ("ladder", ladder::ladder_section),
        ("tune", tune::tune_section),
    ];
    for (name, section) in sections {
        if only.is_empty() || only.iter().any(|o| o == name) {
            section();
        }
    }
}
