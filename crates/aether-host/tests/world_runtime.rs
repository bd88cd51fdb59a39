//! World scripts in the real runtime: wasmtime instances whose handlers are suspended between
//! slices of fuel and resumed on later ticks, scheduled by `WorldScriptScheduler`. Each hostile
//! script (`fixtures/world/`) gets its documented outcome while a good script beside it keeps
//! its behaviour.

#[path = "../../../tests/support/mod.rs"]
mod support;

use aether_host::LoadError;
use aether_host::world::{ScriptRuntime, ScriptSet, world_engine};
use aether_world::{
    SchedulerPolicy, ScriptDescriptor, ScriptId, ScriptResourceLimits, ScriptState, SliceEnd,
    SliceRunner, TickUsageResult, WorldScriptLimits, WorldScriptScheduler,
};
use std::sync::{Arc, Mutex};

use aether_world::SharedWorld;
use aether_world_types::WorldEvent;
use support::root;
use support::world::MapWorld;

fn script_bytes(name: &str) -> Vec<u8> {
    let path = root()
        .join("crates/aether-host/tests/fixtures/world")
        .join(format!("{name}.wat"));
    wat::parse_file(&path).unwrap_or_else(|e| panic!("{name}.wat: {e}"))
}

fn load(name: &str, limits: &ScriptResourceLimits) -> Result<ScriptRuntime, LoadError> {
    load_in(name, ScriptId(1), MapWorld::shared().0, limits)
}

fn load_in(
    name: &str,
    id: ScriptId,
    world: SharedWorld,
    limits: &ScriptResourceLimits,
) -> Result<ScriptRuntime, LoadError> {
    let engine = world_engine().unwrap();
    ScriptRuntime::load(
        &engine,
        &script_bytes(name),
        id,
        world,
        limits,
        &SchedulerPolicy::default(),
    )
}

/// A world of `scripts` (name, priority), each getting a Tick event every tick, for `ticks`.
fn world(scripts: &[(&str, u32)], ticks: u64) -> (Vec<TickUsageResult>, WorldScriptScheduler) {
    let (usage, scheduler, _) = world_with_api(scripts, ticks);
    (usage, scheduler)
}

/// [`world`], also returning the world the scripts acted on.
fn world_with_api(
    scripts: &[(&str, u32)],
    ticks: u64,
) -> (
    Vec<TickUsageResult>,
    WorldScriptScheduler,
    Arc<Mutex<MapWorld>>,
) {
    let (shared, inside) = MapWorld::shared();
    let mut scheduler = WorldScriptScheduler::new(WorldScriptLimits::default());
    let mut set = ScriptSet::new();
    for (i, (name, priority)) in scripts.iter().enumerate() {
        let id = ScriptId(i as u32 + 1);
        let limits = ScriptResourceLimits::default();
        set.insert(id, load_in(name, id, shared.clone(), &limits).unwrap());
        scheduler
            .register(ScriptDescriptor {
                id,
                priority: *priority,
                resource_limits: limits,
            })
            .unwrap();
    }
    let usage = (0..ticks)
        .map(|tick| {
            set.begin_tick();
            set.deliver_all(&WorldEvent::Tick { tick });
            scheduler.tick(&mut set)
        })
        .collect();
    (usage, scheduler, inside)
}

#[test]
fn a_long_handler_is_suspended_and_resumed_across_ticks_with_exact_fuel() {
    let limits = ScriptResourceLimits::default();
    let mut w = load("worker", &limits).unwrap();
    assert_eq!(w.identity().to_string(), "worker 1.0.0");
    w.deliver(&WorldEvent::Start);
    let mut slices = Vec::new();
    loop {
        let out = w.run_slice();
        slices.push((out.fuel_used, out.end.clone()));
        if out.end != SliceEnd::Yielded {
            break;
        }
    }
    assert_eq!(slices.last().unwrap().1, SliceEnd::Finished);
    assert!(slices.len() > 20, "{} slices", slices.len());
    // The first slice burned exactly one slice of fuel, the event's delivery in it; every
    // later one the store's interval, which stays at what the delivery left of a slice.
    let per_event = SchedulerPolicy::default().host_costs.per_event;
    assert_eq!(slices[0].0, w.slice_fuel());
    for (fuel, _) in &slices[1..slices.len() - 1] {
        assert_eq!(*fuel, w.slice_fuel() - per_event);
    }
    let total: u64 = slices.iter().map(|(f, _)| f).sum();
    // The same handler with all the fuel it needs in one slice costs exactly as much.
    let mut big = ScriptRuntime::load(
        &world_engine().unwrap(),
        &script_bytes("worker"),
        ScriptId(1),
        MapWorld::shared().0,
        &ScriptResourceLimits {
            max_cpu_ms_per_tick: 1_000.0,
            ..limits
        },
        &SchedulerPolicy {
            quantum: u64::MAX / 4,
            ..SchedulerPolicy::default()
        },
    )
    .unwrap();
    big.deliver(&WorldEvent::Start);
    let one = big.run_slice();
    assert_eq!(one.end, SliceEnd::Finished);
    assert_eq!(total, one.fuel_used, "fuel is the same sliced or not");
}

#[test]
fn in_a_world_the_worker_finishes_its_handlers_within_its_share() {
    let (usage, scheduler) = world(&[("worker", 5)], 40);
    let policy = scheduler.policy().clone();
    let cap = ScriptResourceLimits::default().fuel_per_tick(policy.fuel_per_ms);
    for u in &usage {
        let s = u.script(ScriptId(1)).unwrap();
        // Slices stop at the first fuel check past their interval: a few units late each.
        assert!(
            s.fuel_used <= cap + cap / 1000,
            "tick {:?}: {}",
            u.tick,
            s.fuel_used
        );
        assert!(s.faults.is_empty(), "tick {:?}: {:?}", u.tick, s.faults);
    }
    // About 1.4M fuel a handler at 0.5M a tick: suspended for two ticks, then it finishes.
    assert!(matches!(
        usage[0].script(ScriptId(1)).unwrap().state,
        ScriptState::Suspended { .. }
    ));
    // Each handler (about 39M fuel at 8M a tick: thirteen a turn of its loop, the branch back
    // six) finishes within six ticks, the last partly shared with the next handler (its
    // suspension count starts over each time), though a new event arrives every tick: the
    // worker is never cancelled.
    let longest = usage
        .iter()
        .filter_map(|u| match u.script(ScriptId(1)).unwrap().state {
            ScriptState::Suspended { ticks } => Some(ticks),
            _ => None,
        })
        .max();
    assert!(matches!(longest, Some(3..=6)), "{longest:?}");
}

#[test]
fn hostile_scripts_get_their_outcome_and_the_good_one_keeps_its_behaviour() {
    let (usage, scheduler) = world(
        &[
            ("quick", 1),
            ("endless", 9),
            ("trap", 5),
            ("negative", 5),
            ("memory_bomb", 5),
        ],
        400,
    );
    let budget = usage[0].fuel_budget;
    let quantum = scheduler.policy().quantum;
    for u in &usage {
        assert!(u.fuel_used < budget + quantum);
        // The good script handles its tick event every tick, whatever the others do.
        let quick = u.script(ScriptId(1)).unwrap();
        assert_eq!(quick.slices, 1, "tick {:?}", u.tick);
        assert!(quick.faults.is_empty());
    }
    let faults = |id: u32| -> Vec<String> {
        usage
            .iter()
            .flat_map(|u| u.script(ScriptId(id)).unwrap().faults.clone())
            .collect()
    };
    let endless = faults(2);
    assert_eq!(endless.len(), 3, "{endless:?}");
    assert!(
        endless[0].contains("did not finish within 10 ticks"),
        "{endless:?}"
    );
    assert!(faults(3)[0].contains("unreachable"), "{:?}", faults(3));
    assert_eq!(faults(4)[0], "on_event returned -1, an error");
    assert!(faults(5)[0].starts_with("memory limit"), "{:?}", faults(5));
    for id in 2..=5 {
        assert!(
            matches!(
                scheduler.state(ScriptId(id)),
                Some(ScriptState::Disabled { .. })
            ),
            "script {id}: {:?}",
            scheduler.state(ScriptId(id))
        );
    }
}

#[test]
fn imports_outside_the_contract_and_an_endless_init_are_refused_at_load() {
    let limits = ScriptResourceLimits::default();
    let err = load("forbidden_import", &limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the module imports \"env.clock_ms\"; world scripts may import only the functions of the \
         module \"aether\" that the world-script contract lists"
    );
    let err = load("init_forever", &limits).unwrap_err();
    assert!(
        matches!(err, LoadError::OutOfFuel { stage: "init", .. }),
        "{err}"
    );
}

#[test]
fn the_same_world_twice_gives_the_same_schedule_and_fuel() {
    let scripts = [("worker", 3), ("quick", 1), ("endless", 2), ("trap", 4)];
    type Shape = Vec<(u64, Vec<(u64, u32, String)>)>;
    let strip = |usage: Vec<TickUsageResult>| -> Shape {
        usage
            .into_iter()
            .map(|u| {
                (
                    u.fuel_used,
                    u.scripts
                        .into_iter()
                        .map(|s| (s.fuel_used, s.slices, s.state.name().to_owned()))
                        .collect(),
                )
            })
            .collect()
    };
    let (a, _) = world(&scripts, 120);
    let (b, _) = world(&scripts, 120);
    assert_eq!(strip(a), strip(b));
}

#[test]
fn a_reset_cancels_the_handler_and_starts_a_fresh_instance() {
    let mut w = load("endless", &ScriptResourceLimits::default()).unwrap();
    w.deliver(&WorldEvent::Start);
    w.deliver(&WorldEvent::Tick { tick: 0 });
    assert_eq!(w.run_slice().end, SliceEnd::Yielded);
    let mut set = ScriptSet::new();
    set.insert(ScriptId(1), w);
    set.reset(ScriptId(1));
    // The Start event is dropped with its handler; the Tick event is still queued.
    assert_eq!(set.get(ScriptId(1)).unwrap().queued(), 1);
    assert!(set.has_work(ScriptId(1)));
    assert_eq!(set.run_slice(ScriptId(1), 0).end, SliceEnd::Yielded);
}

#[test]
fn a_script_acts_on_the_world_through_the_imports() {
    let (usage, _, world) = world_with_api(&[("spawner", 1)], 8);
    let world = world.lock().unwrap();
    // Events 1 and 5 act: two crates, two sounds, two messages to player 1.
    assert_eq!(world.entities.len(), 2);
    let (owner, kind, at) = &world.entities[&0];
    assert_eq!(
        (*owner, kind.as_str(), at.x, at.y),
        (ScriptId(1), "crate", 2.5, 3.0)
    );
    assert_eq!(world.sounds.len(), 2);
    assert_eq!(
        world.messages,
        [(Some(1), "hello".to_owned()), (Some(1), "hello".to_owned())]
    );
    assert!(
        usage
            .iter()
            .all(|u| u.scripts[0].refused.is_empty() && u.scripts[0].faults.is_empty())
    );
}

#[test]
fn floods_are_throttled_and_counted_the_quota_holds_and_no_refusal_traps() {
    let names = [
        ("spawner", 1),
        ("spawn_bomb", 1),
        ("rpc_flood", 1),
        ("storage_flood", 1),
        ("bad_pointer", 1),
    ];
    let ticks = 60; // three seconds of world time
    let (usage, scheduler, world) = world_with_api(&names, ticks);
    let refused = |id: u32, what: &str| -> u32 {
        usage
            .iter()
            .map(|u| {
                u.script(ScriptId(id))
                    .unwrap()
                    .refused
                    .get(what)
                    .copied()
                    .unwrap_or(0)
            })
            .sum()
    };
    let world = world.lock().unwrap();
    let spawned = |id: u32| {
        world
            .entities
            .values()
            .filter(|(o, _, _)| *o == ScriptId(id))
            .count() as u32
    };
    // Spawns: a burst of 10, then 10 a second refilled by ticks: 10 + 59 × 0.5.
    assert_eq!(spawned(2), 39);
    assert_eq!(refused(2, "entity_spawn: throttled"), 100 * 60 - 39);
    // The well-behaved spawner, five a second, was never throttled.
    assert_eq!(spawned(1), 15);
    assert_eq!(refused(1, "entity_spawn: throttled"), 0);
    // RPCs: 1 KiB each under 4,096 bytes a second: a burst of 4, then one every 5 ticks.
    let sent = world.rpcs.len() as u32;
    assert!((14..=16).contains(&sent), "{sent}");
    assert_eq!(refused(3, "network_send: throttled"), 50 * 60 - sent);
    // Storage: 64 KiB entries under a 1 MiB quota: 15 fit, then every write is refused.
    let used: u64 = world
        .storage
        .iter()
        .filter(|((s, _), _)| *s == ScriptId(4))
        .map(|((_, k), v)| (k.len() + v.len()) as u64)
        .sum();
    assert_eq!(used, 15 * (4 + 65_536));
    assert!(used <= ScriptResourceLimits::default().max_storage_bytes);
    assert_eq!(refused(4, "storage_write: quota_exceeded"), 60 - 15);
    // One write a tick is within 10 a second until tick 20; the quota stops it at the 16th.
    assert_eq!(refused(4, "storage_write: throttled"), 0);
    // Bad pointers and values are refusals, not traps.
    assert_eq!(refused(5, "entity_spawn: invalid_argument"), 3 * 60);
    assert_eq!(refused(5, "storage_read: not_found"), 60);
    for id in 1..=5 {
        assert_eq!(
            scheduler.state(ScriptId(id)),
            Some(&ScriptState::Ready),
            "script {id}"
        );
        assert!(
            usage
                .iter()
                .all(|u| u.script(ScriptId(id)).unwrap().faults.is_empty())
        );
    }
}

#[test]
fn an_import_outside_the_table_or_with_another_signature_is_refused_by_name() {
    let limits = ScriptResourceLimits::default();
    assert_eq!(
        load("wrong_import", &limits).unwrap_err().to_string(),
        "the module imports \"aether.entity_spawn\" as (i32) -> (i32), but the contract defines \
         it as (i32, i32, f32, f32) -> (i64)"
    );
    let unknown = wat::parse_str(
        r#"(module (import "aether" "teleport" (func (param i32) (result i32)))
             (memory (export "memory") 1)
             (global (export "__ident_ptr") i32 (i32.const 16))
             (global (export "__ident_len") i32 (i32.const 20))
             (data (i32.const 16) "\20\00\00\00") (data (i32.const 20) "\0b\00\00\00")
             (data (i32.const 32) "jumper 1.0.0")
             (func (export "init") (result i32) (i32.const 1))
             (func (export "on_event") (param i32 i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let err = ScriptRuntime::load(
        &world_engine().unwrap(),
        &unknown,
        ScriptId(1),
        MapWorld::shared().0,
        &limits,
        &SchedulerPolicy::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the module imports \"aether.teleport\""),
        "{err}"
    );
}

#[test]
fn a_rust_script_written_from_the_abi_page_runs_in_a_world() {
    let (shared, inside) = MapWorld::shared();
    let limits = ScriptResourceLimits::default();
    let greeter = ScriptRuntime::load(
        &world_engine().unwrap(),
        &support::rust_world_script("greeter"),
        ScriptId(7),
        shared,
        &limits,
        &SchedulerPolicy::default(),
    )
    .expect("the Rust example loads");
    assert_eq!(greeter.identity().to_string(), "greeter 1.0.0");
    let mut scheduler = WorldScriptScheduler::new(WorldScriptLimits::default());
    scheduler
        .register(ScriptDescriptor {
            id: ScriptId(7),
            priority: 1,
            resource_limits: limits,
        })
        .unwrap();
    let mut set = ScriptSet::new();
    set.insert(ScriptId(7), greeter);
    for tick in 0..41 {
        set.begin_tick();
        set.deliver_all(&WorldEvent::Tick { tick });
        if tick == 3 || tick == 30 {
            let name = if tick == 3 { "Ada" } else { "Grace" };
            set.deliver_all(&WorldEvent::PlayerJoined {
                player: aether_world_types::PlayerId(if tick == 3 { 1 } else { 2 }),
                name: name.into(),
            });
        }
        let usage = scheduler.tick(&mut set);
        let u = usage.script(ScriptId(7)).unwrap();
        // The first visit finds no count in storage yet: that read is refused as not_found.
        let expected: &[(&str, u32)] = if tick == 3 {
            &[("storage_read: not_found", 1)]
        } else {
            &[]
        };
        let refused: Vec<(&str, u32)> = u.refused.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert!(
            u.faults.is_empty() && refused == expected,
            "tick {tick}: {u:?}"
        );
    }
    let world = inside.lock().unwrap();
    assert_eq!(
        world.messages,
        [
            (Some(1), "Welcome, Ada! Visitor #1".to_owned()),
            (Some(2), "Welcome, Grace! Visitor #2".to_owned())
        ]
    );
    assert_eq!(
        world.storage.get(&(ScriptId(7), b"visits".to_vec())),
        Some(&2u32.to_le_bytes().to_vec())
    );
    // A crate and a thud at ticks 0, 20 and 40, on row 2.
    let crates: Vec<(f32, f32)> = world
        .entities
        .values()
        .map(|(_, _, at)| (at.x, at.y))
        .collect();
    assert_eq!(crates, [(0.5, 2.5), (1.5, 2.5), (2.5, 2.5)]);
    assert_eq!(world.sounds.len(), 3);
}

/// A minimal world script whose memory is declared as `memory` (e.g. "1 2"): it answers every
/// event with 0.
fn with_memory(memory: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
  (memory (export "memory") {memory})
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\0b\00\00\00")
  (data (i32.const 32) "fixed 1.0.0")
  (func (export "init") (result i32) (i32.const 1))
  (func (export "on_event") (param i32 i32) (result i32) (i32.const 0)))"#
    ))
    .unwrap()
}

#[test]
fn a_memory_that_cannot_grow_is_refused_at_load_and_one_that_can_runs() {
    let engine = world_engine().unwrap();
    let load = |bytes: Vec<u8>| {
        ScriptRuntime::load(
            &engine,
            &bytes,
            ScriptId(1),
            MapWorld::shared().0,
            &ScriptResourceLimits::default(),
            &SchedulerPolicy::default(),
        )
    };
    let err = load(with_memory("1 1")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the module's memory declares a maximum of 1 pages, no more than the 1 it starts with, \
         so it cannot grow and the host has nowhere to place events above it; declare no \
         maximum, or one above the initial size"
    );
    let mut w = load(with_memory("1 2")).unwrap();
    w.deliver(&WorldEvent::Tick { tick: 0 });
    w.deliver(&WorldEvent::Tick { tick: 1 });
    let out = w.run_slice();
    assert_eq!((out.end, out.finished), (SliceEnd::Finished, 2));
}

#[test]
fn a_world_script_using_a_refused_proposal_is_told_what_world_scripts_may_use() {
    let err = ScriptRuntime::load(
        &world_engine().unwrap(),
        &with_memory("i64 1 2"),
        ScriptId(1),
        MapWorld::shared().0,
        &ScriptResourceLimits::default(),
        &SchedulerPolicy::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("memory64"), "{err}");
    assert!(
        err.contains(
            "AI controllers and world scripts may use WebAssembly 2.0 with SIMD; multi-memory, \
             memory64, relaxed SIMD, threads, exceptions, GC and tail calls are refused"
        ),
        "{err}"
    );
}

#[test]
fn the_subscription_example_of_the_contract_page_subscribes_to_what_it_says() {
    let page = std::fs::read_to_string(root().join("docs/world-script-abi.md")).unwrap();
    let line = page
        .lines()
        .find(|l| l.starts_with("(@custom \"aether-events\""))
        .expect("the page shows the section in WAT");
    let section = line.split(";;").next().unwrap();
    let wasm = wat::parse_str(format!(
        r#"(module {section}
  (memory (export "memory") 1)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\0c\00\00\00")
  (data (i32.const 32) "subscr 1.0.0")
  (func (export "init") (result i32) (i32.const 1))
  (func (export "on_event") (param i32 i32) (result i32) (i32.const 0)))"#
    ))
    .unwrap();
    let mask = aether_host::world::events_of(&wasm).unwrap();
    let answers: Vec<u8> = (0..=WorldEvent::SCRIPT_MESSAGE)
        .filter(|&i| mask.has(i))
        .collect();
    assert_eq!(answers, [WorldEvent::TICK, WorldEvent::COLLISION]);
}

#[test]
fn a_world_script_with_a_deep_operand_stack_is_refused_before_compiling() {
    // 20,000 loads pushed, then added up: within every other bound, it took cranelift seconds.
    let loads = "(i32.load (i32.const 0))\n".repeat(20_000);
    let adds = "(i32.add)\n".repeat(19_999);
    let wasm = wat::parse_str(format!(
        r#"(module
  (memory (export "memory") 1)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\0b\00\00\00")
  (data (i32.const 32) "stack 1.0.0")
  (func (export "init") (result i32) (i32.const 1))
  (func (export "on_event") (param i32 i32) (result i32) {loads} {adds}))"#
    ))
    .unwrap();
    let err = ScriptRuntime::load(
        &world_engine().unwrap(),
        &wasm,
        ScriptId(1),
        MapWorld::shared().0,
        &ScriptResourceLimits::default(),
        &SchedulerPolicy::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with(
            "the module has 20000 values on the operand stack at once in function 1 \
             (`on_event`); the host accepts at most 2000"
        ),
        "{err}"
    );
}

#[test]
fn a_world_script_compiles_in_the_worker_under_its_deadline_and_runs_the_same() {
    let engine = world_engine().unwrap();
    let guard = |deadline| aether_host::CompileGuard {
        program: env!("CARGO_BIN_EXE_aether-compile-worker").into(),
        deadline,
        memory_bytes: 2 << 30,
    };
    let load = |guard: Option<&aether_host::CompileGuard>| {
        ScriptRuntime::load_guarded(
            &engine,
            guard,
            &script_bytes("worker"),
            ScriptId(1),
            MapWorld::shared().0,
            &ScriptResourceLimits::default(),
            &SchedulerPolicy::default(),
        )
    };
    let run = |mut w: ScriptRuntime| {
        w.deliver(&WorldEvent::Tick { tick: 0 });
        let out = w.run_slice();
        (out.fuel_used, out.end, out.finished)
    };
    let there = load(Some(&guard(std::time::Duration::from_secs(30)))).unwrap();
    let here = load(None).unwrap();
    assert_eq!(run(there), run(here));
    // The deadline is the worker's: one too short for any compile stops it.
    let err = load(Some(&guard(std::time::Duration::from_millis(1))))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("compiling took longer than 0.001 s and was stopped"),
        "{err}"
    );
}
