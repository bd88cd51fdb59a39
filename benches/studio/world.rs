//! `world`: the world-script runtime. The fuel-per-millisecond rate of compiled script code on
//! this machine (the rate `DEFAULT_FUEL_PER_MS` assumes), and what the scheduler and the runtime
//! cost per tick with 1, 16 and 256 scripts: idle (nothing to do), handling one small event each,
//! and busy (each handler longer than a tick's share).

use std::time::{Duration, Instant};

use aether_host::world::{ScriptRuntime, ScriptSet, world_engine};
use aether_world::{
    SchedulerPolicy, ScriptDescriptor, ScriptId, ScriptResourceLimits, SliceEnd, WorldScriptLimits,
    WorldScriptScheduler,
};
use aether_world_types::WorldEvent;

use super::{median, ms, support};

fn script(name: &str) -> Vec<u8> {
    wat::parse_file(
        support::root()
            .join("crates/aether-host/tests/fixtures/world")
            .join(format!("{name}.wat")),
    )
    .expect("a world fixture")
}

/// `name` with fuel enough to run any handler in one slice (no yields to measure).
fn unsliced(name: &str) -> ScriptRuntime {
    ScriptRuntime::load(
        &world_engine().expect("engine"),
        &script(name),
        ScriptId(0),
        support::world::MapWorld::shared().0,
        &ScriptResourceLimits {
            max_cpu_ms_per_tick: 1_000.0,
            ..ScriptResourceLimits::default()
        },
        &SchedulerPolicy {
            quantum: u64::MAX / 4,
            ..SchedulerPolicy::default()
        },
    )
    .expect("loads")
}

/// Fuel per millisecond of one long handler run in one slice.
fn fuel_rate() -> (u64, Duration, f64) {
    let mut samples = Vec::new();
    let mut fuel = 0;
    for _ in 0..10 {
        let mut w = unsliced("worker");
        w.deliver(&WorldEvent::Start);
        let started = Instant::now();
        let out = w.run_slice();
        samples.push(started.elapsed());
        assert_eq!(out.end, SliceEnd::Finished);
        fuel = out.fuel_used;
    }
    let t = median(&mut samples);
    (fuel, t, fuel as f64 / (t.as_secs_f64() * 1000.0))
}

/// Median wall time of a tick (delivering the tick's event, if any, and scheduling) with `n`
/// copies of `name`.
fn tick_time(name: &str, n: u32, event: bool) -> (Duration, u64) {
    let engine = world_engine().expect("engine");
    let bytes = script(name);
    let mut scheduler = WorldScriptScheduler::new(WorldScriptLimits::default());
    let mut set = ScriptSet::new();
    let world = support::world::MapWorld::shared().0;
    for i in 0..n {
        let limits = ScriptResourceLimits::default();
        set.insert(
            ScriptId(i),
            ScriptRuntime::load(
                &engine,
                &bytes,
                ScriptId(i),
                world.clone(),
                &limits,
                &SchedulerPolicy::default(),
            )
            .expect("loads"),
        );
        scheduler
            .register(ScriptDescriptor {
                id: ScriptId(i),
                priority: i % 8,
                resource_limits: limits,
            })
            .expect("registers");
    }
    let mut samples = Vec::new();
    let mut fuel = Vec::new();
    for tick in 0..200u64 {
        let started = Instant::now();
        set.begin_tick();
        if event {
            set.deliver_all(&WorldEvent::Tick { tick });
        }
        let usage = scheduler.tick(&mut set);
        samples.push(started.elapsed());
        fuel.push(usage.fuel_used);
    }
    fuel.sort_unstable();
    (median(&mut samples), fuel[fuel.len() / 2])
}

/// Wall time of one `"aether"` call (`entity_position` on an in-memory world, whose trait method
/// is a map lookup), over 100,000 calls in one handler.
fn call_cost() -> Duration {
    let mut samples = Vec::new();
    for _ in 0..5 {
        let mut w = unsliced("caller");
        w.deliver(&WorldEvent::Start);
        let started = Instant::now();
        let out = w.run_slice();
        samples.push(started.elapsed() / 100_000);
        assert_eq!(out.end, SliceEnd::Finished, "every call succeeds");
    }
    median(&mut samples)
}

pub fn world_section() {
    println!("## World scripts\n");
    let (fuel, t, rate) = fuel_rate();
    println!(
        "Fuel rate: one handler of {} fuel ran in {} (median of 10): **{:.0} fuel per ms** \
         (`DEFAULT_FUEL_PER_MS` assumes {}).\n",
        aether_base::text::group_digits(fuel),
        ms(t),
        rate,
        aether_base::text::group_digits(aether_world::DEFAULT_FUEL_PER_MS)
    );
    println!(
        "One `\"aether\"` call (`entity_position`, the in-memory world's map lookup included), \
         median of 5 handlers of 100,000 calls: **{:.3} µs**.\n",
        call_cost().as_secs_f64() * 1e6
    );
    println!(
        "Per tick, median of 200 ticks: wall time of delivering the tick's events and running \
         the scheduler with its scripts. *Idle*: nothing queued (the scheduler's own cost). \
         *One small event*: each script handles a Tick event in a few fuel (scheduler, event \
         encoding, placement and one wasm call per script). *Busy*: each handler needs more \
         than a tick's share, so the world budget (8 ms of fuel) is spent every tick.\n"
    );
    println!("| scripts | idle | one small event each | busy | busy: fuel per tick |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    for n in [1, 16, 256] {
        let (idle, _) = tick_time("quick", n, false);
        let (small, _) = tick_time("quick", n, true);
        let (busy, fuel) = tick_time("worker", n, true);
        println!(
            "| {n} | {} | {} | {} | {} |",
            ms(idle),
            ms(small),
            ms(busy),
            aether_base::text::group_digits(fuel)
        );
    }
    println!();
    scenes();
    edit_to_world();
}

/// Edit → updated world preview: what the studio's world thread does after an edit of a
/// world-script template, split into compiling the graph (check + lower + emit, debug profile)
/// and swapping it into the running village (`WorldRun::replace_script`: validate, cranelift,
/// instantiate, `init`), then the first tick with the new script. Each run changes one text on
/// the graph, so nothing is reused from the run before.
fn edit_to_world() {
    use aether_compile::{CompilationProfile, VisualScriptCompiler};
    use aether_lang::graph::{Value, VisualScriptGraph};
    const RUNS: usize = 21;
    println!(
        "Edit → updated world preview, per world-script template, median of {RUNS} edits: the \
         graph compiled (debug profile), swapped into the running village beside its own two \
         scripts, its journal started for looking inside it (as the studio's world thread \
         does), and the next tick run with the journal played back. *Twin*: building the \
         instrumented twin that measures fuel per node, which the studio does only while \
         \"Where the fuel goes\" is ticked. Target: ≤ 50 ms in all.\n"
    );
    println!(
        "| template | compile | swap in | journal | first tick | edit → world | twin (fuel on) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let village =
        aether_sample_world::Scene::load(&support::root().join("assets/worlds/village.json"))
            .expect("the village");
    for name in ["wave-spawner", "hill-scoreboard", "announcer", "bumper"] {
        let graph = VisualScriptGraph::load(
            &support::root().join(format!("examples/graphs/{name}.mcgraph.json")),
        )
        .expect("a world template");
        let spec = |g: &VisualScriptGraph| aether_sample_world::ScriptSpec {
            label: g.name.clone(),
            bytes: VisualScriptCompiler::compile_with(g, CompilationProfile::Debug)
                .expect("compiles")
                .wasm_bytes,
            priority: 10,
            request: Default::default(),
            identity: None,
        };
        let mut run = aether_sample_world::WorldRun::new(
            &village,
            vec![spec(&graph)],
            aether_sample_world::Storage::in_memory().expect("storage"),
        )
        .expect("the village runs");
        let id = run.scripts().last().expect("the template").id;
        for _ in 0..20 {
            run.tick().expect("a tick");
        }
        // Any node with a text setting, to change on each edit.
        let (node, key) = graph
            .nodes()
            .find_map(|n| {
                let spec = aether_lang::catalog::spec(&n.kind)?;
                spec.settings
                    .iter()
                    .find(|s| matches!(s.choices, aether_lang::catalog::Choices::Text(_)))
                    .map(|s| (n.id, s.key))
            })
            .expect("a text setting");
        let (mut compile, mut swap, mut inside, mut tick, mut total, mut twin) = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        for i in 0..RUNS {
            let mut edited = graph.clone();
            edited.set_value(node, key, Value::Choice(format!("edit {i}")));
            let started = Instant::now();
            let artifact = VisualScriptCompiler::compile_with(&edited, CompilationProfile::Debug)
                .expect("compiles");
            let s = aether_sample_world::ScriptSpec {
                label: edited.name.clone(),
                bytes: artifact.wasm_bytes.clone(),
                priority: 10,
                request: Default::default(),
                identity: None,
            };
            let compiled = started.elapsed();
            run.replace_script(id, s).expect("the edit swaps in");
            let swapped = started.elapsed();
            run.set_journal(id, true);
            let mut replay = aether_debug::journal::JournalReplay::new(
                aether_lang::interp::CheckedGraph::new(edited.clone()).expect("checked"),
            );
            let watched = started.elapsed();
            let r = run.tick().expect("a tick");
            let _ = replay.feed(r.tick, run.take_journal(id));
            let done = started.elapsed();
            let t0 = Instant::now();
            let _twin =
                aether_debug::profile::WorldProfiler::new(&artifact).expect("the twin builds");
            twin.push(t0.elapsed());
            compile.push(compiled);
            swap.push(swapped - compiled);
            inside.push(watched - swapped);
            tick.push(done - watched);
            total.push(done);
        }
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} |",
            ms(median(&mut compile)),
            ms(median(&mut swap)),
            ms(median(&mut inside)),
            ms(median(&mut tick)),
            ms(median(&mut total)),
            ms(median(&mut twin))
        );
    }
    println!();
}

/// Ticks per second of the sample scenes (`assets/worlds/`), scripts, physics and storage
/// together, and how a tick's wall time splits between the scripts' slices and the rest (the
/// world: event hand-out, physics step, storage commit, hash).
fn scenes() {
    println!(
        "Sample scenes (`assets/worlds/`, storage in memory): 200 ticks from a fresh world, \
         median of 3 runs; a tick's wall time split into the scripts' slices and the world's own \
         part (events, physics step, storage commit, hash). 20 ticks a second is real time.\n"
    );
    println!(
        "| scene | scripts | ticks per second | median tick | of which scripts | of which world |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for name in ["village", "arena", "rowdy"] {
        let path = support::root().join(format!("assets/worlds/{name}.json"));
        let scene = aether_sample_world::Scene::load(&path).expect("a sample scene");
        let mut runs = Vec::new();
        let mut ticks = Vec::new();
        let mut script_part = Vec::new();
        for _ in 0..3 {
            let mut run = aether_sample_world::WorldRun::new(
                &scene,
                Vec::new(),
                aether_sample_world::Storage::in_memory().expect("storage"),
            )
            .expect("the scene runs");
            let started = Instant::now();
            for _ in 0..200 {
                let r = run.tick().expect("a tick");
                let scripts: Duration = r.usage.scripts.iter().map(|s| s.wall_time).sum();
                ticks.push(r.wall);
                script_part.push(scripts);
            }
            runs.push(started.elapsed());
        }
        let run = median(&mut runs);
        let tick = median(&mut ticks);
        let scripts = median(&mut script_part);
        println!(
            "| {} | {} | {:.0} | {} | {} | {} |",
            scene.name,
            scene.scripts.len(),
            200.0 / run.as_secs_f64(),
            ms(tick),
            ms(scripts),
            ms(tick.saturating_sub(scripts))
        );
    }
    println!();
}
