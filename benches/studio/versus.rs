//! The benchmark's comparison with hand-written Rust, and what a designer waits for.
//! Included by `studio.rs`; see BENCHMARKS.md for what each table means.

use std::time::{Duration, Instant};

use aether_base::text::group_digits;
use aether_compile::CompilationProfile;
use aether_compile::VisualScriptCompiler;
use aether_host::{ControllerHost, ControllerLimits};
use aether_lang::check::check;
use aether_lang::graph::VisualScriptGraph;
use aether_lang::interp::CheckedGraph;
use mc_tactical_types::rules;

use super::{median, ms, support};

/// (graph template, Rust twin); `tests/twins.rs` proves each pair sends the same bytes.
const TWINS: [(&str, &str); 2] = [
    ("melee-rusher", "melee-rusher-twin"),
    ("archer-skirmisher", "archer-skirmisher-twin"),
];

fn template(name: &str) -> VisualScriptGraph {
    VisualScriptGraph::load(&support::root().join(format!("examples/graphs/{name}.mcgraph.json")))
        .expect("templates load")
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// Median fuel and wall time of `turns` turns of `controller` on `state`, slot 0.
fn turn_cost(
    controller: &aether_host::Controller,
    state: &mc_tactical_types::TacticalState,
    turns: usize,
) -> (u64, Duration) {
    let mut session = controller.session();
    session.play_turn(state, 0, 0);
    let mut fuel = Vec::new();
    let mut wall = Vec::new();
    for seed in 0..turns as u64 {
        let r = session.play_turn(state, 0, seed);
        if matches!(r.outcome, aether_host::TurnOutcome::OutOfFuel { .. }) {
            // Reported as a fuel of u64::MAX: the row says "out of fuel".
            return (u64::MAX, r.wall_time);
        }
        assert!(r.outcome.is_ok(), "{}", r.outcome);
        fuel.push(r.fuel_used);
        wall.push(r.wall_time);
    }
    fuel.sort_unstable();
    (fuel[fuel.len() / 2], median(&mut wall))
}

/// A generated 64×64 map with `units` units in all, every one in view of slot 0 (sight 255).
fn crowd(units: u32, seed: u64) -> mc_tactical_types::TacticalState {
    let mut state = armies(units, seed);
    for u in &mut state.units {
        u.sight = u8::MAX;
    }
    state
}

/// A generated 64×64 map with `units` units in all, as generated (each kind's own sight).
fn armies(units: u32, seed: u64) -> mc_tactical_types::TacticalState {
    use aether_lang::scenario::generate::{GenParams, generate};
    generate(
        &GenParams {
            name: "crowd".into(),
            description: String::new(),
            width: 64,
            height: 64,
            players: 2,
            units_per_player: units / 2,
            mana: 5,
            turn_limit: None,
        },
        seed,
    )
    .state
}

/// Graph vs twin: fuel, wall time and module size.
pub fn twins_section() {
    const TURNS: usize = 15;
    let host = ControllerHost::new(ControllerLimits::default()).expect("host");
    let samples = ["states/skirmish", "states/battle", "states/stress"];
    println!("## Compiled graph against its hand-written Rust twin\n");
    println!(
        "Each twin (`examples/controllers/*-twin`, rustc `opt-level = \"s\"`, LTO) decides exactly \
         as its graph (`tests/twins.rs`). Slot 0, median of {TURNS} turns; ratio = graph / twin.\n"
    );
    println!(
        "| template | sample | graph fuel | twin fuel | fuel ratio | graph time | twin time | time ratio |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut sizes = Vec::new();
    for (graph_name, twin_name) in TWINS {
        let wasm = VisualScriptCompiler::compile(&template(graph_name))
            .expect("templates compile")
            .wasm_bytes;
        let twin_wasm = support::rust_controller(twin_name);
        sizes.push((graph_name, wasm.len(), twin_wasm.len()));
        let graph = host.load(&wasm).expect("graph loads");
        let twin = host.load(&twin_wasm).expect("twin loads");
        let crowd_name = "64×64, 1,000 units in view";
        let armies_name = "64×64, 400 units";
        for sample in samples.into_iter().chain([armies_name, crowd_name]) {
            let state = if sample == crowd_name {
                crowd(1000, 1)
            } else if sample == armies_name {
                armies(400, 1)
            } else {
                support::state(sample)
            };
            let turns = if sample == crowd_name || sample == armies_name {
                3
            } else {
                TURNS
            };
            let (gf, gt) = turn_cost(&graph, &state, turns);
            let (tf, tt) = turn_cost(&twin, &state, turns);
            let fuel = |f: u64| {
                if f == u64::MAX {
                    "out of fuel".to_owned()
                } else {
                    group_digits(f)
                }
            };
            println!(
                "| {graph_name} | {sample} | {} | {} | {:.2}x | {} | {} | {:.2}x |",
                fuel(gf),
                fuel(tf),
                gf as f64 / tf as f64,
                ms(gt),
                ms(tt),
                gt.as_secs_f64() / tt.as_secs_f64()
            );
        }
    }
    println!();
    println!("| template | graph module bytes | twin module bytes | ratio |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, g, t) in sizes {
        println!(
            "| {name} | {} | {} | {:.2}x |",
            group_digits(g as u64),
            group_digits(t as u64),
            g as f64 / t as f64
        );
    }
    println!();
}

/// Edit to preview: from a changed graph to a validated turn report, stage by stage.
pub fn edit_to_preview_section() {
    const RUNS: usize = 10;
    let host = ControllerHost::new(ControllerLimits::default()).expect("host");
    let state = support::state("states/battle");
    println!("## Edit to preview\n");
    println!(
        "From a changed graph to a validated turn report on the battle sample (slot 0), median of \
         {RUNS} runs per stage. *cranelift* is the part of *host load* spent compiling machine code; \
         *rules* is filtering the state, encoding it, decoding the reply and validating each action.\n"
    );
    println!(
        "| template | check | lower + emit | host load | of which cranelift | instantiate + init | decide_turn | rules | total |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let names: Vec<String> = support::templates()
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().replace(".mcgraph.json", ""))
        .collect();
    for name in names {
        let graph = template(&name);
        let mut stages: [Vec<Duration>; 8] = Default::default();
        for _ in 0..RUNS {
            let t0 = Instant::now();
            let diagnostics = check(&graph);
            let t1 = Instant::now();
            let checked = CheckedGraph::new(graph.clone()).expect("clean");
            let artifact =
                VisualScriptCompiler::compile_checked(&checked, CompilationProfile::Debug)
                    .expect("compiles");
            let t2 = Instant::now();
            let controller = host.load(&artifact.wasm_bytes).expect("loads");
            let t3 = Instant::now();
            let report = controller.session().play_turn(&state, 0, 1);
            let t4 = Instant::now();
            std::hint::black_box(diagnostics);
            let instantiate = report.instantiate_time.unwrap_or_default();
            let play = t4 - t3;
            stages[0].push(t1 - t0);
            stages[1].push(t2 - t1);
            stages[2].push(t3 - t2);
            stages[3].push(controller.compile_time());
            stages[4].push(instantiate);
            stages[5].push(report.wall_time);
            stages[6].push(play.saturating_sub(instantiate + report.wall_time));
            stages[7].push(t4 - t0);
        }
        let cells: Vec<String> = stages.iter_mut().map(|s| ms(median(s))).collect();
        println!("| {name} | {} |", cells.join(" | "));
    }
    println!();
}

/// One edit to a validated preview on `host`: check, lower + emit, load, one turn. Returns the
/// whole time and the load's part.
fn preview_once(
    host: &ControllerHost,
    graph: &VisualScriptGraph,
    state: &mc_tactical_types::TacticalState,
) -> (Duration, Duration) {
    let t0 = Instant::now();
    let checked = CheckedGraph::new(graph.clone()).expect("clean");
    let artifact = VisualScriptCompiler::compile_checked(&checked, CompilationProfile::Debug)
        .expect("compiles");
    let t1 = Instant::now();
    let controller = host.load(&artifact.wasm_bytes).expect("loads");
    let t2 = Instant::now();
    let report = controller.session().play_turn(state, 0, 1);
    assert!(report.outcome.is_ok(), "{}", report.outcome);
    (t0.elapsed(), t2 - t1)
}

/// The preview's path with the runtime linked (what the studio does): check, the game's module
/// and the linked one emitted, the linked one loaded beside the runtime compiled once, one turn
/// with the rules. Returns the whole time and the load.
fn preview_once_linked(
    host: &ControllerHost,
    graph: &VisualScriptGraph,
    state: &mc_tactical_types::TacticalState,
    layout: &mut aether_compile::LinkedState,
) -> (Duration, Duration) {
    let t0 = Instant::now();
    let checked = CheckedGraph::new(graph.clone()).expect("clean");
    let (_, linked) =
        aether_compile::compile_both(&checked, CompilationProfile::Debug, Some(layout))
            .expect("compiles");
    layout.clone_from(&linked.state);
    let t1 = Instant::now();
    let controller = host.load_linked(&linked).expect("loads");
    let t2 = Instant::now();
    let report = controller.session().play_turn(state, 0, 1);
    assert!(report.outcome.is_ok(), "{}", report.outcome);
    (t0.elapsed(), t2 - t1)
}

/// The first number input (typed or its default) of a node the graph runs: its node and key.
fn first_typed_number(
    graph: &VisualScriptGraph,
) -> Option<(aether_lang::graph::NodeId, &'static str)> {
    use aether_lang::catalog::{PinType, PortDefault};
    let checked = CheckedGraph::new(graph.clone()).ok()?;
    let program = aether_compile::ir::lower(&checked);
    program.functions.iter().find_map(|f| {
        let node = graph.node(f.node)?;
        let spec = aether_lang::catalog::spec(&node.kind)?;
        spec.inputs
            .iter()
            .find(|p| {
                p.ty == PinType::Number
                    && matches!(p.default, PortDefault::Number(_))
                    && graph
                        .links_into(&aether_lang::graph::PortRef::new(f.node, p.key))
                        .next()
                        .is_none()
            })
            .map(|p| (f.node, p.key))
    })
}

/// A Reroute put on the wire leaving On Turn: a node added where execution passes.
fn insert_reroute_after_on_turn(g: &mut VisualScriptGraph) {
    use aether_lang::graph::PortRef;
    let on_turn = g.nodes().find(|n| n.kind == "on_turn").expect("On Turn").id;
    let link = g
        .links_from(&PortRef::new(on_turn, "then"))
        .next()
        .map(|l| (l.id, l.to.clone()))
        .expect("On Turn leads somewhere");
    g.disconnect(link.0);
    let reroute = g.add_node("reroute_exec", [0.0, 0.0]);
    g.connect(PortRef::new(on_turn, "then"), PortRef::new(reroute, "exec"));
    g.connect(PortRef::new(reroute, "then"), link.1);
}

/// Edit to preview with the compile cache: the same edits without and with it, side by side.
pub fn preview_cache_section() {
    const RUNS: usize = 15;
    let state = support::state("states/battle");
    let plain = ControllerHost::new(ControllerLimits::default()).expect("host");
    let dir = std::env::temp_dir().join(format!("cs-bench-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cache = aether_host::CompileCache::on_disk(&dir);
    let cached = ControllerHost::new(ControllerLimits {
        compile_cache: Some(cache.clone()),
        ..ControllerLimits::default()
    })
    .expect("host");
    println!(
        "## Edit to preview with the compile cache
"
    );
    println!(
        "The same edits on the battle sample, median of {RUNS}, without and with the compile cache \
         (`ControllerLimits::compile_cache`, wasmtime's incremental compilation: functions \
         compiled before are reused), and the studio's path: the linked module with the cache, \
         its typed values' places kept from one edit to the next. *Version*: the edit changes \
         only the version string; *constant*: a number typed on an input of a node that runs; \
         *add a node*: one more Reroute after On Turn each time (code never compiled before). \
         *Restart*: a fresh studio (empty memory, the cache folder from before). Whole path: \
         check, lower + emit, host load, one turn with the rules.\n"
    );
    println!(
        "| template | edit | no cache: load | no cache: total | cache: load | cache: total | ratio | linked, cache: load | linked, cache: total |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let names: Vec<String> = support::templates()
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().replace(".mcgraph.json", ""))
        .collect();
    for name in &names {
        let graph = template(name);
        let mut layout = aether_compile::LinkedState::default();
        // The first compile fills the cache.
        preview_once(&cached, &graph, &state);
        preview_once_linked(&cached, &graph, &state, &mut layout);
        let number = first_typed_number(&graph);
        for edit in ["version", "constant", "add a node"] {
            if edit == "constant" && number.is_none() {
                println!("| {name} | {edit} | (no typed number) | | | | | | |");
                continue;
            }
            let (mut pl, mut pt, mut cl, mut ct) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let (mut ll, mut lt) = (Vec::new(), Vec::new());
            let mut g = graph.clone();
            for i in 0..RUNS {
                match (edit, &number) {
                    ("constant", Some((node, key))) => {
                        g.set_value(
                            *node,
                            *key,
                            aether_lang::graph::Value::Number(100 + i as i32),
                        );
                    }
                    // One more node each time, as a creator building the graph: code the
                    // caches have never seen.
                    ("add a node", _) => insert_reroute_after_on_turn(&mut g),
                    _ => g.version = format!("1.0.{}", 100 + i),
                }
                let (t, l) = preview_once(&plain, &g, &state);
                pt.push(t);
                pl.push(l);
                let (t, l) = preview_once(&cached, &g, &state);
                ct.push(t);
                cl.push(l);
                let (t, l) = preview_once_linked(&cached, &g, &state, &mut layout);
                lt.push(t);
                ll.push(l);
            }
            let (pt, ct) = (median(&mut pt), median(&mut ct));
            println!(
                "| {name} | {edit} | {} | {} | {} | {} | {:.2}× | {} | {} |",
                ms(median(&mut pl)),
                ms(pt),
                ms(median(&mut cl)),
                ms(ct),
                ct.as_secs_f64() / pt.as_secs_f64(),
                ms(median(&mut ll)),
                ms(median(&mut lt))
            );
        }
    }
    // A restarted studio: memory empty, the folder kept.
    let restarted = ControllerHost::new(ControllerLimits {
        compile_cache: Some(aether_host::CompileCache::on_disk(&dir)),
        ..ControllerLimits::default()
    })
    .expect("host");
    if let Some(name) = names.first() {
        let mut g = template(name);
        g.version = "9.9.9".into();
        let (t, l) = preview_once(&restarted, &g, &state);
        println!(
            "\nRestart: the first preview of {name} in a fresh process with the cache folder from \
             before: load {}, total {}.\n",
            ms(l),
            ms(t)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Batches of duels: 1,000 crossing duels (500 seeds from both seats) between two compiled
/// templates, on one thread and on all.
pub fn duel_batch_section() {
    use aether_duel::{Seat, play_batch};
    let host = ControllerHost::new(ControllerLimits::default()).expect("host");
    let seat = |name: &str| {
        let wasm = VisualScriptCompiler::compile(&template(name))
            .expect("compiles")
            .wasm_bytes;
        Seat::Controller(host.load(&wasm).expect("loads"))
    };
    let (a, b) = (seat("melee-rusher"), seat("archer-skirmisher"));
    let crossing = aether_lang::Scenario::load(&support::root().join("assets/duels/crossing.json"))
        .expect("the crossing");
    let cancel = std::sync::atomic::AtomicBool::new(false);
    println!(
        "## Batches of duels
"
    );
    println!(
        "1,000 duels on the crossing (seeds 0 to 499, each from both seats), melee-rusher against \
         archer-skirmisher, modules compiled once, one session per duel; median of 3 runs.\n"
    );
    println!("| threads | duels | wall time | duels a second |");
    println!("| ---: | ---: | ---: | ---: |");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = vec![1];
    if cores > 1 {
        threads.push(cores);
    }
    for t in threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .expect("a pool");
        let mut times = Vec::new();
        for _ in 0..3 {
            let started = Instant::now();
            let r = pool.install(|| {
                play_batch(&crossing, &a, &b, 0..500, &|_, _| {}, &cancel).expect("a batch")
            });
            assert_eq!(r.games, 1000);
            times.push(started.elapsed());
        }
        let t_med = median(&mut times);
        println!(
            "| {t} | 1,000 | {} | {:.0} |",
            ms(t_med),
            1000.0 / t_med.as_secs_f64()
        );
    }
    println!();
}

/// How compiling scales with graph size.
pub fn scaling_section() {
    let host = ControllerHost::new(ControllerLimits::default()).expect("host");
    println!("## Compile time against graph size\n");
    println!(
        "Synthetic graphs: On Turn and a chain of \"count = count + n\" steps. Median of 5 runs \
         (3 for the largest).\n"
    );
    println!(
        "| nodes | check | lower + emit | module bytes | host load | per node (check + emit) |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for nodes in [10, 100, 1_000, 5_000] {
        let graph = support::synthetic_graph(nodes);
        let runs = if nodes >= 5_000 { 3 } else { 5 };
        let (mut c, mut e, mut l) = (Vec::new(), Vec::new(), Vec::new());
        let mut bytes = 0;
        for _ in 0..runs {
            let t0 = Instant::now();
            let checked = CheckedGraph::new(graph.clone()).expect("clean");
            let t1 = Instant::now();
            let artifact =
                VisualScriptCompiler::compile_checked(&checked, CompilationProfile::Release)
                    .expect("compiles");
            let t2 = Instant::now();
            host.load(&artifact.wasm_bytes).expect("loads");
            let t3 = Instant::now();
            bytes = artifact.wasm_bytes.len();
            c.push(t1 - t0);
            e.push(t2 - t1);
            l.push(t3 - t2);
        }
        let (c, e) = (median(&mut c), median(&mut e));
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            group_digits(graph.nodes().count() as u64),
            ms(c),
            ms(e),
            group_digits(bytes as u64),
            ms(median(&mut l)),
            us((c + e) / graph.nodes().count() as u32),
        );
    }
    println!();
    println!(
        "Chains of functions: On Turn calls the first, each calls the next; and the same chain \
         closed into a loop (each call reported as recursion). Median of 3 runs. Both grew with \
         the square of the chain until 2026-12-07 (20,000: 19.5 s to compile).\n"
    );
    println!("| functions | check (open chain) | check + emit (open chain) | check (loop) |");
    println!("| ---: | ---: | ---: | ---: |");
    for count in [2_000, 20_000] {
        let open = support::chain_of_functions(count);
        let mut closed = open.clone();
        let ids: Vec<_> = closed.functions().map(|f| f.id).collect();
        let (last, first) = (ids[ids.len() - 1], ids[0]);
        let (inputs, _) = closed.function_ends(last);
        let call = closed
            .add_call(first, [0.0, 0.0], Some(last))
            .expect("call");
        closed.connect(
            aether_lang::graph::PortRef::new(inputs.expect("inputs"), "then"),
            aether_lang::graph::PortRef::new(call, "exec"),
        );
        let (mut c, mut ce, mut l) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..3 {
            let t0 = Instant::now();
            let checked = CheckedGraph::new(open.clone()).expect("clean");
            c.push(t0.elapsed());
            VisualScriptCompiler::compile_checked(&checked, CompilationProfile::Release)
                .expect("compiles");
            ce.push(t0.elapsed());
            let t1 = Instant::now();
            assert!(
                CheckedGraph::new(closed.clone()).is_err(),
                "the loop is refused"
            );
            l.push(t1.elapsed());
        }
        println!(
            "| {} | {} | {} | {} |",
            group_digits(count as u64),
            ms(median(&mut c)),
            ms(median(&mut ce)),
            ms(median(&mut l)),
        );
    }
    println!();
}

/// Whole duels, host and rules included, single-threaded; and the cost of fuel metering.
pub fn duel_and_metering_section() {
    let metered = ControllerHost::new(ControllerLimits::default()).expect("host");
    let unmetered = ControllerHost::new(ControllerLimits {
        fuel_per_turn: None,
        ..ControllerLimits::default()
    })
    .expect("host");
    let a = VisualScriptCompiler::compile(&template("melee-rusher"))
        .expect("compiles")
        .wasm_bytes;
    let b = VisualScriptCompiler::compile(&template("archer-skirmisher"))
        .expect("compiles")
        .wasm_bytes;
    println!("## Duels and fuel metering\n");
    println!(
        "melee-rusher (slot 0) against archer-skirmisher (slot 1) to the end of each duel \
         scenario, every turn through the host and the rules, one thread; best of 3 runs.\n"
    );
    println!("| duel | rounds | turns | turns per second |");
    println!("| --- | ---: | ---: | ---: |");
    for duel in ["duels/crossing", "duels/highlands"] {
        let scenario = support::scenario(duel);
        let limit = scenario.turn_limit.expect("duels have a limit");
        let mut best = Duration::MAX;
        let (mut turns, mut rounds) = (0, 0);
        for _ in 0..3 {
            let mut sessions = [
                metered.load(&a).expect("loads").session(),
                metered.load(&b).expect("loads").session(),
            ];
            let mut state = scenario.state.clone();
            let started = Instant::now();
            turns = 0;
            rounds = 0;
            while rules::match_result(&state, limit).is_none() {
                for slot in 0..2u8 {
                    if !state.player(slot).is_some_and(|p| p.alive) {
                        continue;
                    }
                    let report = sessions[slot as usize].play_turn(&state, slot, turns as u64);
                    state = report.state_after;
                    turns += 1;
                }
                rules::end_round(&mut state);
                rounds += 1;
            }
            best = best.min(started.elapsed());
        }
        println!(
            "| {duel} | {rounds} | {turns} | {} |",
            group_digits((turns as f64 / best.as_secs_f64()) as u64)
        );
    }
    println!();
    println!(
        "The same turn with fuel metering on and off (the epoch deadline is on in both); median \
         of 15 turns, slot 0.\n"
    );
    println!("| controller | sample | metered | unmetered | overhead |");
    println!("| --- | --- | ---: | ---: | ---: |");
    let twin = support::rust_controller("melee-rusher-twin");
    for (name, wasm) in [
        ("melee-rusher (graph)", &a),
        ("melee-rusher-twin (Rust)", &twin),
    ] {
        for sample in ["states/battle", "states/stress"] {
            let state = support::state(sample);
            let (_, on) = turn_cost(&metered.load(wasm).expect("loads"), &state, 15);
            let (_, off) = turn_cost(&unmetered.load(wasm).expect("loads"), &state, 15);
            println!(
                "| {name} | {sample} | {} | {} | {:+.0}% |",
                ms(on),
                ms(off),
                (on.as_secs_f64() / off.as_secs_f64() - 1.0) * 100.0
            );
        }
    }
    println!();
}

/// The compiled runtime's decoder against serde + postcard compiled by rustc: an idle graph
/// (On Turn only) and the `decode-only` guest both read the state and reply with nothing.
pub fn decoder_section() {
    use aether_lang::scenario::generate::{GenParams, generate};
    const SEEDS: u64 = 7;
    let host = ControllerHost::new(ControllerLimits::default()).expect("host");
    let mut idle = VisualScriptGraph::new();
    idle.name = "idle".into();
    idle.version = "1.0.0".into();
    idle.add_node("on_turn", [0.0, 0.0]);
    let idle = host
        .load(
            &VisualScriptCompiler::compile(&idle)
                .expect("compiles")
                .wasm_bytes,
        )
        .expect("loads");
    let serde = host
        .load(&support::rust_controller("decode-only"))
        .expect("decode-only loads");
    println!("## Decoding the state\n");
    println!(
        "An idle graph (On Turn only) against `examples/controllers/decode-only` (serde + \
         postcard, rustc `opt-level = \"s\"`, LTO): both read the state and reply with nothing. \
         Generated maps (`scenario::generate`, seeds 0 to {}), every unit in view (slot 0 sees \
         the whole map: no fog drops a unit), median fuel over the seeds; ratio = graph / serde.\n",
        SEEDS - 1
    );
    println!(
        "| map | units | state bytes | idle graph fuel | serde fuel | ratio | graph fuel per byte |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (side, per_player) in [(32u16, 20u32), (64, 200), (64, 500)] {
        let mut rows = Vec::new();
        for seed in 0..SEEDS {
            let mut state = generate(
                &GenParams {
                    name: "bench".into(),
                    description: String::new(),
                    width: side,
                    height: side,
                    players: 2,
                    units_per_player: per_player,
                    mana: 5,
                    turn_limit: None,
                },
                seed,
            )
            .state;
            // Everyone sees everything: the decoder gets every unit.
            for u in &mut state.units {
                u.sight = u8::MAX;
            }
            if side == 64 && per_player == 500 {
                assert_eq!(state, crowd(1000, seed), "the same crowd as the twins' row");
            }
            let bytes = postcard::to_allocvec(&rules::view_for(&state, 0))
                .expect("encodes")
                .len();
            let (g, _) = turn_cost(&idle, &state, 3);
            let (s, _) = turn_cost(&serde, &state, 3);
            rows.push((g, s, bytes, state.units.len()));
        }
        rows.sort_by(|a, b| (a.0 as f64 / a.1 as f64).total_cmp(&(b.0 as f64 / b.1 as f64)));
        let (g, s, bytes, units) = rows[rows.len() / 2];
        println!(
            "| {side}×{side} | {units} | {} | {} | {} | {:.2}x | {:.1} |",
            group_digits(bytes as u64),
            group_digits(g),
            group_digits(s),
            g as f64 / s as f64,
            g as f64 / bytes as f64
        );
    }
    println!();
}

/// Where the cached preview's load goes: a one-function module, the runtime alone (a graph with
/// only On Turn) and each template, loaded through the host with the compile cache warm (each
/// load a new version string, so every function is looked up), measured in turn so machine
/// noise falls on all alike.
pub fn load_split_section() {
    const RUNS: usize = 15;
    let dir = std::env::temp_dir().join(format!("cs-bench-split-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let host = ControllerHost::new(ControllerLimits {
        compile_cache: Some(aether_host::CompileCache::on_disk(&dir)),
        ..ControllerLimits::default()
    })
    .expect("host");
    let minimal = std::fs::read_to_string(
        support::root().join("crates/aether-host/tests/fixtures/controllers/minimal.wat"),
    )
    .expect("fixture");
    let mut idle = VisualScriptGraph::new();
    idle.add_node("on_turn", [0.0, 0.0]);
    let mut graphs = vec![("runtime alone (On Turn only)".to_owned(), idle)];
    for p in support::templates() {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().replace(".mcgraph.json", ""))
            .unwrap_or_default();
        graphs.push((name.clone(), template(&name)));
    }
    let build = |g: &VisualScriptGraph, i: usize| {
        let mut g = g.clone();
        g.version = format!("1.0.{}", 100 + i);
        VisualScriptCompiler::compile_with(&g, CompilationProfile::Debug)
            .expect("compiles")
            .wasm_bytes
    };
    let functions = |bytes: &[u8]| -> u32 {
        wasmparser::Parser::new(0)
            .parse_all(bytes)
            .filter_map(|p| match p {
                Ok(wasmparser::Payload::FunctionSection(s)) => Some(s.count()),
                _ => None,
            })
            .sum()
    };
    // Fill the cache.
    for (_, g) in &graphs {
        host.load(&build(g, 0)).expect("loads");
    }
    let mut loads: Vec<Vec<Duration>> = vec![Vec::new(); graphs.len() + 1];
    let mut checks: Vec<Vec<Duration>> = vec![Vec::new(); graphs.len() + 1];
    for i in 1..=RUNS {
        let one = wat::parse_str(
            minimal.replace("(module", &format!("(module (global i32 (i32.const {i}))")),
        )
        .expect("wat");
        let mut modules = vec![one];
        modules.extend(graphs.iter().map(|(_, g)| build(g, i)));
        for (k, bytes) in modules.iter().enumerate() {
            let t = Instant::now();
            wasmparser::Validator::new()
                .validate_all(bytes)
                .expect("valid");
            checks[k].push(t.elapsed());
            let t = Instant::now();
            host.load(bytes).expect("loads");
            loads[k].push(t.elapsed());
        }
    }
    println!("### Where the cached preview's load goes\n");
    println!(
        "Host load with the compile cache warm (a new version string each time), median of {RUNS}, \
         the modules measured in turn; *validation* is one wasmparser pass over the bytes (the host \
         makes one before wasmtime makes its own).\n"
    );
    println!("| module | functions | bytes | cached load | validation |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let names: Vec<String> = std::iter::once("one-function module (minimal.wat)".to_owned())
        .chain(graphs.iter().map(|(n, _)| n.clone()))
        .collect();
    for (k, name) in names.iter().enumerate() {
        let bytes = if k == 0 {
            wat::parse_str(&minimal).expect("wat")
        } else {
            build(&graphs[k - 1].1, 0)
        };
        println!(
            "| {name} | {} | {} | {} | {} |",
            functions(&bytes),
            bytes.len(),
            ms(median(&mut loads[k])),
            ms(median(&mut checks[k]))
        );
    }
    println!();
    let _ = std::fs::remove_dir_all(&dir);
}
