//! `bounds`: how long loading takes for modules at the host's shape bounds (the worst shapes
//! measured: values live across many loops, many functions, deep nesting, long bodies), in this
//! process and through the compile worker, beside the reference controller. The bounds promise
//! that every module within them loads in under 2 s on the 2-core reference machine.

use std::time::{Duration, Instant};

use aether_host::{CompileGuard, ControllerHost, ControllerLimits};

use super::{median, ms, support};
use support::hostile;

/// Loads `bytes` `runs` times; the median.
fn load_time(host: &ControllerHost, bytes: &[u8], runs: usize) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            if let Err(e) = host.load(bytes) {
                panic!("a module within the bounds should load: {e}");
            }
            started.elapsed()
        })
        .collect();
    median(&mut samples)
}

pub fn bounds_section() {
    const RUNS: usize = 5;
    let here = ControllerHost::new(ControllerLimits::default()).expect("host");
    let guarded = ControllerHost::new(ControllerLimits {
        compile_guard: Some(CompileGuard::new(env!("CARGO_BIN_EXE_creator-studio"))),
        ..ControllerLimits::default()
    })
    .expect("host");
    let modules: [(&str, Vec<u8>); 12] = [
        (
            "reference controller (learned-duel, 64 KB)",
            support::rust_controller("learned-duel"),
        ),
        (
            "430 locals live across 790 loops (one function at the weight and control bounds)",
            hostile::live_across(430, 790, false),
        ),
        (
            "3 × 365 locals live across 790 loops (the module's weight bound)",
            hostile::live_across_functions(3, 365, 790),
        ),
        (
            "9 × 100 locals live across 790 loops (the module's control bound)",
            hostile::live_across_functions(9, 100, 790),
        ),
        (
            "50 locals rewritten in each of 400 loops",
            hostile::many_locals_loops(50, 400),
        ),
        (
            "4,000 ifs with 4 locals",
            hostile::live_across(4, 3_990, true),
        ),
        ("10,000 empty functions", hostile::many_functions(9_998)),
        (
            "7,000 empty functions and 3 × 100 locals across 790 loops (several bounds at once)",
            hostile::crowd_with_loops(7_000, 3, 100, 790),
        ),
        ("1,000 nested blocks", hostile::deep_nesting(1_000)),
        (
            "1,500 values on the operand stack (one function at the weight bound)",
            hostile::deep_stack(1_500),
        ),
        (
            "4 × 990 loads on the operand stack (the module's weight bound)",
            hostile::deep_stacks(4, 990),
        ),
        (
            "16 bodies of 200 KiB (3.2 MB of code, at the module's weight bound)",
            hostile::many_long_functions(16, 200 * 1024),
        ),
    ];
    println!("## Loading modules at the host's bounds\n");
    println!(
        "Median of {RUNS} loads (validate, check the bounds, compile, instantiate, `init`). \
         *Worker*: compiled in a child process (`CompileGuard`, as the CLI does for files) and \
         loaded from its output.\n"
    );
    println!("| module | bytes | in process | in the worker | worker ÷ in process |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, bytes) in &modules {
        let a = load_time(&here, bytes, RUNS);
        let b = load_time(&guarded, bytes, RUNS);
        println!(
            "| {name} | {} | {} | {} | {:.2} |",
            bytes.len(),
            ms(a),
            ms(b),
            b.as_secs_f64() / a.as_secs_f64()
        );
    }
    println!();
}
