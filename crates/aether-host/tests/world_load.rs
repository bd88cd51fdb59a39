//! World scripts under load and under attack: what a script's operators and calls make the host
//! do is charged to it, no script takes more than its cap (plus one slice) or a tick more than
//! the world's budget (plus one slice), and a well-behaved script beside a hostile one sees
//! exactly the events, calls and answers it sees alone. The bulk operations a world script's
//! module holds are done in chunks (`aether_host::world::chunk`), with the same meaning.

#[path = "../../../tests/support/mod.rs"]
mod support;

use aether_host::world::chunk::prepare;
use aether_host::world::{ScriptRuntime, ScriptSet, world_engine};
use aether_world::journal::JournalEntry;
use aether_world::{
    SchedulerPolicy, ScriptDescriptor, ScriptId, ScriptResourceLimits, TickUsageResult,
    WorldScriptLimits, WorldScriptScheduler,
};
use aether_world_types::WorldEvent;
use support::world::MapWorld;

/// A world script in WAT: `name`'s identity, the given imports, memory and table declarations,
/// `init` and `on_event` bodies.
fn script(name: &str, imports: &str, decls: &str, init: &str, on_event: &str) -> Vec<u8> {
    let ident = format!("{name} 1.0.0");
    let wat = format!(
        r#"(module
  {imports}
  {decls}
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\{:02x}\00\00\00")
  (data (i32.const 32) "{ident}")
  (func (export "init") (result i32) {init} (i32.const 1))
  (func (export "on_event") (param i32 i32) (result i32)
    (local $i i32)
    {on_event}
    (i32.const 0)))"#,
        ident.len()
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("{name}: {e}\n{wat}"))
}

/// A well-behaved script: it spawns a crate at start, and on every event asks where it is and
/// does a little work.
fn neighbour() -> Vec<u8> {
    script(
        "neighbour",
        r#"(import "aether" "entity_spawn" (func $spawn (param i32 i32 f32 f32) (result i64)))
           (import "aether" "entity_position" (func $where (param i32 i32) (result i32)))"#,
        r#"(memory (export "memory") 1) (data (i32.const 48) "crate")"#,
        "(drop (call $spawn (i32.const 48) (i32.const 5) (f32.const 1) (f32.const 1)))",
        r#"(drop (call $where (i32.const 0) (i32.const 256)))
           (loop $work
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br_if $work (i32.lt_u (local.get $i) (i32.const 20000))))"#,
    )
}

/// The hostile scripts: each asks an operator whose cost grows with an operand for as much as
/// it can, many times an event.
fn hostile() -> Vec<(&'static str, Vec<u8>)> {
    let repeat = |body: &str| {
        format!(
            "(loop $again {body}
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br_if $again (i32.lt_u (local.get $i) (i32.const 20))))"
        )
    };
    vec![
        (
            "table.grow",
            script(
                "grower",
                "",
                r#"(memory (export "memory") 1) (table 0 funcref)"#,
                "",
                &repeat("(drop (table.grow 0 (ref.null func) (i32.const 60000000)))"),
            ),
        ),
        (
            "table.fill",
            script(
                "filler",
                "",
                r#"(memory (export "memory") 1) (table 1000000 funcref)"#,
                "",
                &repeat("(table.fill 0 (i32.const 0) (ref.null func) (i32.const 1000000))"),
            ),
        ),
        (
            "memory.fill",
            script(
                "wiper",
                "",
                r#"(memory (export "memory") 200)"#,
                "",
                &repeat("(memory.fill (i32.const 0) (i32.const 7) (i32.const 13000000))"),
            ),
        ),
        (
            "memory.copy",
            script(
                "mover",
                "",
                r#"(memory (export "memory") 200)"#,
                "",
                &repeat("(memory.copy (i32.const 1000) (i32.const 0) (i32.const 12000000))"),
            ),
        ),
    ]
}

/// Runs `scripts` (id, bytes, priority) in one world for `ticks`, a Tick event each tick, with
/// script 2's journal written down; returns each tick's usage and script 2's journal by tick.
fn run(
    scripts: &[(u32, &[u8], u32)],
    ticks: u64,
) -> (Vec<TickUsageResult>, Vec<Vec<JournalEntry>>) {
    let (shared, _) = MapWorld::shared();
    let engine = world_engine().unwrap();
    let policy = SchedulerPolicy::default();
    let mut scheduler = WorldScriptScheduler::new(WorldScriptLimits::default());
    let mut set = ScriptSet::new();
    for &(id, bytes, priority) in scripts {
        let limits = ScriptResourceLimits::default();
        let mut runtime = ScriptRuntime::load(
            &engine,
            bytes,
            ScriptId(id),
            shared.clone(),
            &limits,
            &policy,
        )
        .unwrap();
        runtime.set_journal(id == 2);
        set.insert(ScriptId(id), runtime);
        scheduler
            .register(ScriptDescriptor {
                id: ScriptId(id),
                priority,
                resource_limits: limits,
            })
            .unwrap();
    }
    let mut usage = Vec::new();
    let mut journal = Vec::new();
    for tick in 0..ticks {
        set.begin_tick();
        set.deliver_all(&WorldEvent::Tick { tick });
        usage.push(scheduler.tick(&mut set));
        journal.push(set.get_mut(ScriptId(2)).unwrap().take_journal());
    }
    (usage, journal)
}

#[test]
fn operators_with_huge_operands_stay_within_the_caps_and_leave_the_neighbour_alone() {
    let policy = SchedulerPolicy::default();
    let limits = ScriptResourceLimits::default();
    let budget = (WorldScriptLimits::default().max_total_cpu_ms * policy.fuel_per_ms as f64) as u64;
    let cap = limits.fuel_per_tick(policy.fuel_per_ms);
    let slice = policy.slice_for(cap);
    let good = neighbour();
    let (_, alone) = run(&[(2, &good, 5)], 30);
    for (what, bad) in hostile() {
        let (usage, beside) = run(&[(1, &bad, 30), (2, &good, 5)], 30);
        for t in &usage {
            assert!(
                t.fuel_used <= budget + slice,
                "{what}: tick {:?} took {} of a budget of {budget}",
                t.tick,
                t.fuel_used
            );
            let h = t.script(ScriptId(1)).unwrap();
            assert!(
                h.fuel_used <= cap + slice,
                "{what}: tick {:?}: the hostile script took {} of its cap of {cap}",
                t.tick,
                h.fuel_used
            );
            // Taking all its CPU is no fault; a handler that needs more than ten ticks of it is
            // cancelled, as documented.
            assert!(
                h.faults
                    .iter()
                    .all(|f| f.contains("did not finish within 10 ticks")),
                "{what}: tick {:?}: {:?}",
                t.tick,
                h.faults
            );
        }
        assert_eq!(
            beside, alone,
            "{what}: the neighbour's events, calls and answers changed beside it"
        );
    }
}

#[test]
fn a_refused_table_grow_costs_a_constant() {
    let policy = SchedulerPolicy::default();
    let small = script(
        "grower",
        "",
        r#"(memory (export "memory") 1) (table 0 funcref)"#,
        "",
        "(drop (table.grow 0 (ref.null func) (i32.const 1)))",
    );
    let huge = script(
        "grower",
        "",
        r#"(memory (export "memory") 1) (table 0 funcref)"#,
        "",
        "(drop (table.grow 0 (ref.null func) (i32.const 60000000)))",
    );
    let fuel = |bytes: &[u8]| {
        let (usage, _) = run(&[(1, bytes, 5), (2, &neighbour(), 5)], 1);
        usage[0].script(ScriptId(1)).unwrap().fuel_used
    };
    let (one, refused) = (fuel(&small), fuel(&huge));
    assert_eq!(
        one, refused,
        "growing by 1 and asking for 60 million cost alike"
    );
    assert!(refused < policy.slice_for(1 << 40), "{refused}");
}

/// Runs `on_event` of a module with memory of `pages` pages once and returns its memory.
fn memory_after(wasm: &[u8]) -> Result<Vec<u8>, String> {
    let mut config = wasmtime::Config::new();
    config.wasm_bulk_memory(true);
    let engine = wasmtime::Engine::new(&config).unwrap();
    let module = wasmtime::Module::new(&engine, wasm).map_err(|e| format!("{e:#}"))?;
    let mut store = wasmtime::Store::new(&engine, ());
    let instance =
        wasmtime::Instance::new(&mut store, &module, &[]).map_err(|e| format!("{e:#}"))?;
    let run = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, "on_event")
        .unwrap();
    run.call(&mut store, (0, 0)).map_err(|e| format!("{e:#}"))?;
    let memory = instance.get_memory(&mut store, "memory").unwrap();
    Ok(memory.data(&store).to_vec())
}

#[test]
fn bulk_operations_in_chunks_do_exactly_what_the_operators_do() {
    // Seeds the memory with a pattern, then runs the operation under test.
    let seed = "(local.set $i (i32.const 0))
        (loop $s (i32.store8 (local.get $i) (local.get $i))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $s (i32.lt_u (local.get $i) (i32.const 200000))))";
    let chunk = aether_host::world::chunk::CHUNK as i32;
    let cases = [
        format!(
            "(memory.fill (i32.const 3) (i32.const 9) (i32.const {}))",
            3 * chunk + 17
        ),
        format!(
            "(memory.fill (i32.const 3) (i32.const 9) (i32.const {}))",
            chunk
        ),
        "(memory.fill (i32.const 3) (i32.const 9) (i32.const 0))".to_owned(),
        // Overlapping both ways, across chunk boundaries.
        format!(
            "(memory.copy (i32.const 100) (i32.const 0) (i32.const {}))",
            5 * chunk + 3
        ),
        format!(
            "(memory.copy (i32.const 0) (i32.const 100) (i32.const {}))",
            5 * chunk + 3
        ),
        format!(
            "(memory.copy (i32.const 7) (i32.const 7) (i32.const {}))",
            2 * chunk
        ),
        format!(
            "(memory.copy (i32.const 150000) (i32.const 10) (i32.const {}))",
            chunk + 1
        ),
        "(memory.init 0 (i32.const 5) (i32.const 2) (i32.const 40000))".to_owned(),
        // Out of bounds: both trap, neither writes.
        "(memory.fill (i32.const 65000) (i32.const 1) (i32.const 200000))".to_owned(),
        "(memory.copy (i32.const 0) (i32.const 180000) (i32.const 100000))".to_owned(),
        "(memory.init 0 (i32.const 0) (i32.const 0) (i32.const 50000))".to_owned(),
    ];
    let data = "x".repeat(45_000);
    for case in cases {
        let wasm = script(
            "bulk",
            "",
            &format!(r#"(memory (export "memory") 4) (data "{data}")"#),
            "",
            &format!("{seed} {case}"),
        );
        let chunked = prepare(&wasm).unwrap();
        assert_ne!(chunked, wasm, "{case}: rewritten");
        let (plain, done) = (memory_after(&wasm), memory_after(&chunked));
        match (&plain, &done) {
            (Ok(a), Ok(b)) => assert!(a == b, "{case}: the memories differ"),
            (Err(a), Err(b)) => {
                assert!(a.contains("out of bounds"), "{case}: {a}");
                assert!(b.contains("out of bounds"), "{case}: {b}");
            }
            _ => panic!("{case}: {plain:?} against {done:?}"),
        }
    }
}

#[test]
fn table_operations_in_chunks_do_exactly_what_the_operators_do() {
    let chunk = aether_host::world::chunk::CHUNK as i32;
    // Each case leaves in memory, from address 0, one byte per table entry: whether it is null.
    let dump = "(local.set $i (i32.const 0))
        (loop $d
          (i32.store8 (local.get $i) (ref.is_null (table.get 0 (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $d (i32.lt_u (local.get $i) (table.size 0))))";
    let n = 3 * chunk + 5;
    let cases = [
        format!(
            "(table.fill 0 (i32.const 11) (ref.func $f) (i32.const {}))",
            2 * chunk + 1
        ),
        format!(
            "(table.fill 0 (i32.const 0) (ref.func $f) (i32.const 10))
             (table.copy 0 0 (i32.const 5) (i32.const 0) (i32.const {}))",
            2 * chunk
        ),
        format!(
            "(table.fill 0 (i32.const {}) (ref.func $f) (i32.const 10))
             (table.copy 0 0 (i32.const 0) (i32.const 5) (i32.const {}))",
            2 * chunk,
            2 * chunk + 9
        ),
        format!(
            "(table.init 0 0 (i32.const {}) (i32.const 0) (i32.const 3))",
            chunk - 1
        ),
        format!("(table.fill 0 (i32.const 1) (ref.func $f) (i32.const {n}))"),
    ];
    for case in cases {
        let wasm = script(
            "tables",
            "",
            &format!(
                r#"(memory (export "memory") 4) (table {n} funcref) (elem func $f $f $f)
                   (func $f)"#
            ),
            "",
            &format!("{case} {dump}"),
        );
        let chunked = prepare(&wasm).unwrap();
        let (plain, done) = (memory_after(&wasm), memory_after(&chunked));
        match (&plain, &done) {
            (Ok(a), Ok(b)) => assert!(a == b, "{case}: the tables differ"),
            (Err(a), Err(b)) => {
                assert!(a.contains("out of bounds"), "{case}: {a}");
                assert!(b.contains("out of bounds"), "{case}: {b}");
            }
            _ => panic!("{case}: {plain:?} against {done:?}"),
        }
    }
}
