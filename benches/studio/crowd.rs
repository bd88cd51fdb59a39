//! `crowd` and `charges`: world scripts under load and under attack.
//!
//! `crowd`: 256 graph scripts (64 copies of each world template under names of their own) in
//! the village, a few hundred ticks: the tick's wall time (p50, p95, p99), the events
//! delivered to scripts and the handlers run per tick, and on ticks that spend at least half
//! the world's budget, the wall time against the fuel the scripts were charged (in ms at
//! `DEFAULT_FUEL_PER_MS`). Run twice side by side: as worlds ran before the host charged for
//! its own work and scripts said which events they answer (no charges, every event to every
//! script), and as they run now.
//!
//! `charges`: one script calling one import in a tight loop, in a world of 4,096 entities
//! (the entity cap), each tick's wall time against its fuel-ms: what calibrates `HostCosts`
//! and the sample world's work rates.

use std::time::Duration;

use aether_compile::VisualScriptCompiler;
use aether_sample_world::{Scene, ScriptSpec, Storage, WorldRun};
use aether_world::{DEFAULT_FUEL_PER_MS, HostCosts, SchedulerPolicy};

use super::support;

fn spec(label: &str, bytes: Vec<u8>, priority: u32) -> ScriptSpec {
    ScriptSpec {
        label: label.into(),
        bytes,
        priority,
        request: Default::default(),
        identity: None,
    }
}

/// The module without its custom sections: a script that does not say which events it
/// answers, as every script before contract 2.1.
fn without_sections(wasm: &[u8]) -> Vec<u8> {
    use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
    struct Strip;
    impl Reencode for Strip {
        type Error = std::convert::Infallible;
        fn parse_custom_section(
            &mut self,
            _: &mut wasm_encoder::Module,
            _: wasmparser::CustomSectionReader<'_>,
        ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
            Ok(())
        }
    }
    let _ = RoundtripReencoder;
    let mut module = wasm_encoder::Module::new();
    Strip
        .parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)
        .expect("a module");
    module.finish()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// One crowd run: per tick (wall ms, fuel-ms, deliveries, handlers, the scripts' own wall ms).
fn crowd_run(before: bool, ticks: u32) -> Vec<(f64, f64, usize, u32, f64)> {
    let scene = Scene::load(&support::root().join("assets/worlds/village.json")).expect("village");
    let own = scene.scripts.len();
    let mut specs = Vec::new();
    let templates = ["wave-spawner", "hill-scoreboard", "announcer", "bumper"];
    let per = (256 - own) / templates.len() + 1;
    'outer: for copy in 0..per {
        for name in templates {
            if specs.len() + own >= 256 {
                break 'outer;
            }
            let mut graph = aether_lang::VisualScriptGraph::load(
                &support::root().join(format!("examples/graphs/{name}.mcgraph.json")),
            )
            .expect("a template");
            graph.name = format!("{name}-{copy}");
            let wasm = VisualScriptCompiler::compile(&graph)
                .expect("compiles")
                .wasm_bytes;
            let wasm = if before {
                without_sections(&wasm)
            } else {
                wasm
            };
            specs.push(spec(&graph.name, wasm, 10));
        }
    }
    // The scene's own scripts first, as `WorldRun::new` loads them.
    let mut all: Vec<ScriptSpec> = scene
        .scripts
        .iter()
        .map(|s| {
            let mut sp = ScriptSpec::from_path(&scene.base.join(&s.module)).expect("a script");
            sp.priority = s.priority;
            sp
        })
        .collect();
    all.extend(specs);
    let policy = SchedulerPolicy {
        host_costs: if before {
            HostCosts::NONE
        } else {
            HostCosts::default()
        },
        ..SchedulerPolicy::default()
    };
    let mut run =
        WorldRun::with_policy(&scene, all, Storage::in_memory().expect("storage"), policy)
            .expect("the crowd loads");
    (0..ticks)
        .map(|_| {
            let r = run.tick().expect("a tick");
            let handlers: u32 = r.usage.scripts.iter().map(|u| u.handlers).sum();
            let scripts: f64 = r
                .usage
                .scripts
                .iter()
                .map(|u| u.wall_time.as_secs_f64() * 1000.0)
                .sum();
            (
                r.wall.as_secs_f64() * 1000.0,
                r.usage.cpu_ms,
                r.log.delivered.len(),
                handlers,
                scripts,
            )
        })
        .collect()
}

pub fn crowd_section() {
    println!("## A crowd of world scripts\n");
    println!(
        "256 graph scripts (64 copies of each world template under their own names, beside the \
         village's own) in the village, 400 ticks, release build. Before: no host charges and \
         every event to every script (modules without their `aether-events` section); now: \
         charges and subscriptions. Wall ÷ fuel-ms over the ticks that spend at least half the \
         world's 8 ms budget.\n"
    );
    println!(
        "| world | tick wall p50 | p95 | p99 | of it the scripts', p50 (p95) | events a tick (median) | handlers a tick (median) | heavy ticks | wall ÷ fuel-ms, median (worst) | scripts' wall ÷ fuel-ms, median (worst) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (label, before) in [("before", true), ("now", false)] {
        let ticks = crowd_run(before, 400);
        let mut wall: Vec<f64> = ticks.iter().map(|t| t.0).collect();
        wall.sort_by(f64::total_cmp);
        let mut events: Vec<usize> = ticks.iter().map(|t| t.2).collect();
        events.sort();
        let mut handlers: Vec<u32> = ticks.iter().map(|t| t.3).collect();
        handlers.sort();
        let mut ratios: Vec<f64> = ticks
            .iter()
            .filter(|t| t.1 >= 4.0)
            .map(|t| t.0 / t.1)
            .collect();
        ratios.sort_by(f64::total_cmp);
        let mut own: Vec<f64> = ticks
            .iter()
            .filter(|t| t.1 >= 4.0)
            .map(|t| t.4 / t.1)
            .collect();
        own.sort_by(f64::total_cmp);
        let mut script_wall: Vec<f64> = ticks.iter().map(|t| t.4).collect();
        script_wall.sort_by(f64::total_cmp);
        let show = |r: &[f64]| {
            if r.is_empty() {
                "no heavy tick".to_owned()
            } else {
                format!("{:.2} ({:.2})", percentile(r, 0.5), r[r.len() - 1])
            }
        };
        let ratio = show(&ratios);
        println!(
            "| {label} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms ({:.2} ms) | {} | {} | {} | {ratio} | {} |",
            percentile(&wall, 0.5),
            percentile(&wall, 0.95),
            percentile(&wall, 0.99),
            percentile(&script_wall, 0.5),
            percentile(&script_wall, 0.95),
            events[events.len() / 2],
            handlers[handlers.len() / 2],
            ratios.len(),
            show(&own),
        );
    }
    println!();
}

/// A scene of 64×64 plains holding 4,096 still entities (the entity cap), one player.
fn crowded_scene() -> Scene {
    let row = ".".repeat(64);
    let map: Vec<String> = (0..64).map(|_| format!("\"{row}\"")).collect();
    let mut entities = Vec::new();
    for y in 0..64 {
        for x in 0..64 {
            entities.push(format!(
                "{{\"kind\": \"post\", \"x\": {}.5, \"y\": {}.5, \"fixed\": true, \"radius\": 0.3}}",
                x, y
            ));
        }
    }
    let text = format!(
        r#"{{"name": "Crowded", "description": "4,096 posts", "format": 1, "ticks": 20,
  "map": [{}],
  "entities": [{}],
  "players": [{{"id": 1, "name": "Ada", "joins": 0}}]}}"#,
        map.join(", "),
        entities.join(", ")
    );
    Scene::parse(&text, support::root()).expect("the crowded scene")
}

/// A script whose every event calls an import in an endless loop: `init_body` runs first,
/// `call` is the loop's body (a call whose result is dropped).
fn caller(name: &str, imports: &str, data: &str, init_body: &str, call: &str) -> Vec<u8> {
    let ident = format!("{name} 1.0.0");
    let wat = format!(
        r#"(module {imports}
  (memory (export "memory") 4)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\{:02x}\00\00\00")
  (data (i32.const 32) "{ident}")
  {data}
  (func (export "init") (result i32) {init_body} (i32.const 1))
  (func (export "on_event") (param i32 i32) (result i32)
    (loop $again {call} (br $again))
    (i32.const 0)))"#,
        ident.len()
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Each import in a tight loop, as the hostile scripts the issue names.
fn callers() -> Vec<(&'static str, Vec<u8>)> {
    let key = r#"(data (i32.const 100) "k")"#;
    vec![
        ("no calls", caller("idle", "", "", "", "(nop)")),
        (
            "a call of an empty function",
            caller("empty", "", "(func $e)", "", "(call $e)"),
        ),
        (
            "entity_position",
            caller(
                "where",
                r#"(import "aether" "entity_position" (func $f (param i32 i32) (result i32)))"#,
                "",
                "",
                "(drop (call $f (i32.const 5) (i32.const 256)))",
            ),
        ),
        (
            "entity_next_near (none near: every entity looked at)",
            caller(
                "near",
                r#"(import "aether" "entity_next_near" (func $f (param f32 f32 f32 i32) (result i64)))"#,
                "",
                "",
                "(drop (call $f (f32.const 100) (f32.const 100) (f32.const 0.1) (i32.const -1)))",
            ),
        ),
        (
            "physics_raycast",
            caller(
                "ray",
                r#"(import "aether" "physics_raycast" (func $f (param f32 f32 f32 f32 f32) (result i64)))"#,
                "",
                "",
                "(drop (call $f (f32.const 0.1) (f32.const 0.1) (f32.const 1) (f32.const 0.7) (f32.const 60)))",
            ),
        ),
        (
            "storage_read (64 KiB value)",
            caller(
                "reader",
                r#"(import "aether" "storage_read" (func $f (param i32 i32 i32 i32) (result i32)))
                   (import "aether" "storage_write" (func $w (param i32 i32 i32 i32) (result i32)))"#,
                key,
                "(drop (call $w (i32.const 100) (i32.const 1) (i32.const 4096) (i32.const 65536)))",
                "(drop (call $f (i32.const 100) (i32.const 1) (i32.const 131072) (i32.const 65536)))",
            ),
        ),
        (
            "storage_write (64 KiB, throttled)",
            caller(
                "writer",
                r#"(import "aether" "storage_write" (func $f (param i32 i32 i32 i32) (result i32)))"#,
                key,
                "",
                "(drop (call $f (i32.const 100) (i32.const 1) (i32.const 4096) (i32.const 65536)))",
            ),
        ),
        (
            "network_send (64 KiB, throttled)",
            caller(
                "sender",
                r#"(import "aether" "network_send" (func $f (param i32 i32 i32) (result i32)))"#,
                "",
                "",
                "(drop (call $f (i32.const 1) (i32.const 4096) (i32.const 65536)))",
            ),
        ),
        (
            "ui_message (throttled)",
            caller(
                "shouter",
                r#"(import "aether" "ui_message" (func $f (param i32 i32 i32) (result i32)))"#,
                r#"(data (i32.const 4096) "hello")"#,
                "",
                "(drop (call $f (i32.const -1) (i32.const 4096) (i32.const 5)))",
            ),
        ),
        (
            "audio_play (throttled)",
            caller(
                "drummer",
                r#"(import "aether" "audio_play" (func $f (param i32 i32 f32 f32) (result i32)))"#,
                r#"(data (i32.const 4096) "thud")"#,
                "",
                "(drop (call $f (i32.const 4096) (i32.const 4) (f32.const 1) (f32.const 1)))",
            ),
        ),
    ]
}

pub fn charges_section() {
    println!("## What a host call costs\n");
    println!(
        "One script calling one import in an endless loop (priority 30, the default 2 ms cap) in \
         a world of 4,096 entities, 12 ticks: each tick's wall time against the fuel it was \
         charged, in ms at {} fuel a millisecond. Target: wall ≤ 1.5 × fuel-ms + 1 ms.\n",
        DEFAULT_FUEL_PER_MS
    );
    println!(
        "| the loop calls | calls refused a tick | fuel-ms a tick | wall a tick (median) | wall ÷ fuel-ms | within 1.5 × + 1 ms |"
    );
    println!("|---|---|---|---|---|---|");
    let scene = crowded_scene();
    for (label, wasm) in callers() {
        let mut run = WorldRun::with_scripts(
            &scene,
            vec![spec(label, wasm, 30)],
            Storage::in_memory().expect("storage"),
        )
        .expect("loads");
        // The scene's first ticks (spawns, joins) are not what is measured.
        for _ in 0..2 {
            run.tick().expect("a tick");
        }
        let mut walls: Vec<Duration> = Vec::new();
        let mut fuel_ms = Vec::new();
        let mut calls = Vec::new();
        for _ in 0..10 {
            let r = run.tick().expect("a tick");
            walls.push(r.wall);
            fuel_ms.push(r.usage.cpu_ms);
            let s = r.usage.scripts.last().expect("the script");
            // Calls refused (the events dropped from its full queue are not calls).
            calls.push(
                s.refused
                    .iter()
                    .filter(|(k, _)| !k.starts_with("events:"))
                    .map(|(_, n)| n)
                    .sum::<u32>(),
            );
        }
        walls.sort();
        let wall = walls[walls.len() / 2].as_secs_f64() * 1000.0;
        fuel_ms.sort_by(f64::total_cmp);
        let fms = fuel_ms[fuel_ms.len() / 2];
        let ok = wall <= 1.5 * fms + 1.0;
        println!(
            "| {label} | {} | {fms:.2} ms | {wall:.2} ms | {:.2} | {} |",
            calls[calls.len() / 2],
            wall / fms.max(1e-9),
            if ok { "yes" } else { "**no**" }
        );
    }
    println!();
}
