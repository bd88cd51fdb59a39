//! Writes the generated hostile controller modules (`tests/support/hostile.rs`) to a folder, at
//! the sizes the security review used and at the host's limits, and optionally times loading
//! each one through the real host.
//!
//! ```text
//! cargo run --release --example make_hostile_modules -- target/hostile          # write them
//! cargo run --release --example make_hostile_modules -- target/hostile --load   # and time each load
//! /usr/bin/time -v target/release/creator-studio run target/hostile/locals-49000.wasm
//! ```

#[path = "../tests/support/hostile.rs"]
mod hostile;

use std::path::PathBuf;
use std::time::Instant;

use aether_host::{ControllerHost, ControllerLimits, ModuleBounds};

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next().map(PathBuf::from) else {
        eprintln!("usage: make_hostile_modules OUT_DIR [--load] [NAME-FILTER]");
        return std::process::ExitCode::from(2);
    };
    let rest: Vec<String> = args.collect();
    if out.as_os_str() == "--stats" {
        for file in &rest {
            stats(file);
        }
        return std::process::ExitCode::SUCCESS;
    }
    let load = rest.iter().any(|a| a == "--load");
    // `--no-bounds` measures what compiling costs when the shape bounds do not refuse first.
    let no_bounds = rest.iter().any(|a| a == "--no-bounds");
    let filter = rest.iter().find(|a| !a.starts_with("--")).cloned();
    type Make = Box<dyn Fn() -> Vec<u8>>;
    let modules: Vec<(String, Make)> = vec![
        (
            "memories-100x256".into(),
            Box::new(|| hostile::many_memories(99, 256)),
        ),
        (
            "tables-99x100000".into(),
            Box::new(|| hostile::many_tables(99, 100_000)),
        ),
        (
            "memory-256-pages".into(),
            Box::new(|| hostile::memory_shape(256, None)),
        ),
        (
            "memory-max-1-page".into(),
            Box::new(|| hostile::memory_shape(1, Some(1))),
        ),
        (
            "locals-49000".into(),
            Box::new(|| hostile::many_locals(49_000)),
        ),
        (
            "locals-16000".into(),
            Box::new(|| hostile::many_locals(16_000)),
        ),
        (
            "locals-4000".into(),
            Box::new(|| hostile::many_locals(4_000)),
        ),
        (
            "locals-2000".into(),
            Box::new(|| hostile::many_locals(2_000)),
        ),
        (
            "locals-1000".into(),
            Box::new(|| hostile::many_locals(1_000)),
        ),
        (
            "functions-1000000".into(),
            Box::new(|| hostile::many_functions(999_998)),
        ),
        (
            "functions-100000".into(),
            Box::new(|| hostile::many_functions(100_000)),
        ),
        (
            "functions-10000".into(),
            Box::new(|| hostile::many_functions(10_000)),
        ),
        (
            "nesting-2500000".into(),
            Box::new(|| hostile::deep_nesting(2_500_000)),
        ),
        (
            "nesting-10000".into(),
            Box::new(|| hostile::deep_nesting(10_000)),
        ),
        (
            "nesting-1000".into(),
            Box::new(|| hostile::deep_nesting(1_000)),
        ),
        ("body-4MiB".into(), Box::new(|| hostile::long_body(4 << 20))),
        ("body-1MiB".into(), Box::new(|| hostile::long_body(1 << 20))),
        (
            "body-256KiB".into(),
            Box::new(|| hostile::long_body(256 << 10)),
        ),
        (
            "heavy-100x1000".into(),
            Box::new(|| hostile::many_functions_with_locals(100, 1_000)),
        ),
        (
            "heavy-1000x100".into(),
            Box::new(|| hostile::many_functions_with_locals(1_000, 100)),
        ),
        (
            "heavy-2000x2000".into(),
            Box::new(|| hostile::many_functions_with_locals(2_000, 2_000)),
        ),
        (
            "heavy-400x2000".into(),
            Box::new(|| hostile::many_functions_with_locals(400, 2_000)),
        ),
        (
            "long-16x256KiB".into(),
            Box::new(|| hostile::many_long_functions(16, 256 * 1024)),
        ),
        (
            "stack-10000".into(),
            Box::new(|| hostile::deep_stack(10_000)),
        ),
        (
            "stack-50000".into(),
            Box::new(|| hostile::deep_stack(50_000)),
        ),
        (
            "loops-2000x12".into(),
            Box::new(|| hostile::many_locals_loops(2_000, 12)),
        ),
        (
            "loops-500x50".into(),
            Box::new(|| hostile::many_locals_loops(500, 50)),
        ),
        (
            "loops-200x1000".into(),
            Box::new(|| hostile::many_locals_loops(200, 1000)),
        ),
        (
            "live-2000x1000-loops".into(),
            Box::new(|| hostile::live_across(2_000, 1_000, false)),
        ),
        (
            "live-2000x1000-ifs".into(),
            Box::new(|| hostile::live_across(2_000, 1_000, true)),
        ),
        (
            "live-1000x1000-loops".into(),
            Box::new(|| hostile::live_across(1_000, 1_000, false)),
        ),
        (
            "live-500x500-loops".into(),
            Box::new(|| hostile::live_across(500, 500, false)),
        ),
        (
            "bound-live-1fn".into(),
            Box::new(|| hostile::live_across(520, 1_000, false)),
        ),
        (
            "bound-live-3fn".into(),
            Box::new(|| hostile::live_across_functions(3, 520, 1_000)),
        ),
        (
            "bound-live-8fn".into(),
            Box::new(|| hostile::live_across_functions(6, 300, 1_200)),
        ),
        (
            "bound-loops".into(),
            Box::new(|| hostile::many_locals_loops(200, 40)),
        ),
        (
            "bound-loops-small".into(),
            Box::new(|| hostile::many_locals_loops(60, 400)),
        ),
        (
            "bound-functions".into(),
            Box::new(|| hostile::many_functions(9_998)),
        ),
        (
            "lp-4x5000".into(),
            Box::new(|| hostile::live_across(4, 5_000, false)),
        ),
        (
            "lp-4x10000".into(),
            Box::new(|| hostile::live_across(4, 10_000, false)),
        ),
        (
            "lp-4x20000".into(),
            Box::new(|| hostile::live_across(4, 20_000, false)),
        ),
        (
            "lp-20x10000".into(),
            Box::new(|| hostile::live_across(20, 10_000, false)),
        ),
        (
            "if-4x10000".into(),
            Box::new(|| hostile::live_across(4, 10_000, true)),
        ),
        (
            "if-4x40000".into(),
            Box::new(|| hostile::live_across(4, 40_000, true)),
        ),
        (
            "w10-200x2000".into(),
            Box::new(|| hostile::live_across(200, 2_000, false)),
        ),
        (
            "w10-100x4500".into(),
            Box::new(|| hostile::live_across(100, 4_500, false)),
        ),
        (
            "w10-50x9000".into(),
            Box::new(|| hostile::live_across(50, 9_000, false)),
        ),
        (
            "w10-800x300".into(),
            Box::new(|| hostile::live_across(800, 300, false)),
        ),
        (
            "w10-ifs-200x3000".into(),
            Box::new(|| hostile::live_across(200, 3_000, true)),
        ),
        (
            "at-bounds-locals".into(),
            Box::new(|| hostile::many_locals(2_000)),
        ),
    ];
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("cannot create {}: {e}", out.display());
        return std::process::ExitCode::FAILURE;
    }
    let mut limits = ControllerLimits::default();
    if no_bounds {
        limits.max_module_bytes = usize::MAX;
        limits.bounds = ModuleBounds::unlimited();
    }
    let host = ControllerHost::new(limits).ok();
    for (name, make) in &modules {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let bytes = make();
        let path = out.join(format!("{name}.wasm"));
        if let Err(e) = std::fs::write(&path, &bytes) {
            eprintln!("cannot write {}: {e}", path.display());
            return std::process::ExitCode::FAILURE;
        }
        print!("{name:<22} {:>10} bytes", bytes.len());
        if load && let Some(host) = &host {
            let started = Instant::now();
            let result = host.load(&bytes);
            let took = started.elapsed();
            match result {
                Ok(_) => print!("  loaded in {took:.2?}"),
                Err(e) => print!("  refused in {took:.2?}: {e}"),
            }
        }
        println!();
    }
    std::process::ExitCode::SUCCESS
}

/// Per-function shape figures of a module, to calibrate the bounds against real code.
fn stats(file: &str) {
    use wasmparser::{Operator, Parser, Payload};
    let bytes = if file.ends_with(".wat") {
        wat::parse_file(file).expect("wat")
    } else {
        std::fs::read(file).expect("read")
    };
    let (mut funcs, mut max_locals, mut max_pairs, mut sum_pairs, mut max_lp, mut sum_lp) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut max_w, mut sum_w, mut max_body, mut code) = (0u64, 0u64, 0u64, 0u64);
    let (mut max_ctl, mut sum_ctl) = (0u64, 0u64);
    let mut types: Vec<u64> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.expect("parse") {
            Payload::TypeSection(s) => {
                for t in s.into_iter_err_on_gc_types() {
                    types.push(t.expect("type").params().len() as u64);
                }
            }
            Payload::FunctionSection(s) => {
                for t in s {
                    func_types.push(t.expect("func"));
                }
            }
            Payload::CodeSectionEntry(body) => {
                let params = types[func_types[funcs as usize] as usize];
                funcs += 1;
                let mut locals = params;
                for l in body.get_locals_reader().expect("locals") {
                    locals += u64::from(l.expect("local").0);
                }
                let (mut loops, mut blocks) = (0u64, 0u64);
                let mut r = body.get_operators_reader().expect("ops");
                while !r.eof() {
                    match r.read().expect("op") {
                        Operator::Loop { .. } => loops += 1,
                        Operator::Block { .. }
                        | Operator::If { .. }
                        | Operator::BrIf { .. }
                        | Operator::BrTable { .. } => blocks += 1,
                        _ => {}
                    }
                }
                let range = body.range();
                let size = range.end - range.start;
                max_body = max_body.max(size);
                code += size;
                let weight = (locals + 1) * size;
                max_w = max_w.max(weight);
                sum_w += weight;
                max_locals = max_locals.max(locals);
                max_ctl = max_ctl.max(4 * loops + blocks);
                sum_ctl += 4 * loops + blocks;
                max_lp = max_lp.max(locals * loops);
                sum_lp += locals * loops;
                max_pairs = max_pairs.max(locals * (loops + blocks));
                sum_pairs += locals * (loops + blocks);
            }
            _ => {}
        }
    }
    println!(
        "{file}: {funcs} functions, max locals {max_locals}, locals x loops max {max_lp} sum {sum_lp}, locals x blocks max {max_pairs} sum {sum_pairs}, weight max {max_w} sum {sum_w}, body max {max_body} code {code}, control max {max_ctl} sum {sum_ctl}"
    );
}
