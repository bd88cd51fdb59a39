//! Creator Studio's benchmark: prints tables of medians, asserts nothing.
//!
//! ```text
//! cargo bench --bench studio
//! ```
//!
//! See BENCHMARKS.md for what each number means and a recorded run.

#[path = "../crates/aether-scripting/tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use aether_scripting::host::group_digits;
use aether_scripting::{ControllerHost, ControllerLimits};

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
    host_section();
}
