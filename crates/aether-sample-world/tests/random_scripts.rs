//! Random world scripts in a real world, as an ordinary test: `wasm-smith` modules shaped like
//! the world-script contract (its exports, any of the nine `"aether"` imports, random bodies), and
//! the three sample scripts with their code mutated (constants, arithmetic, opcodes that end,
//! trap or loop). Each is refused at load by a printable reason, or runs in the village beside
//! the welcome script: the world keeps ticking, no tick passes the world budget by more than one
//! quantum, every fault is named, and the welcome script greets as it does alone.
//!
//! `WORLD_CAMPAIGN=N` sets how many of each kind (default 150).

use std::path::Path;

use aether_lang::interp::Rng;
use aether_sample_world::{Scene, ScriptSpec, Storage, WorldRun};
use aether_world::{SchedulerPolicy, ScriptState};
use arbitrary::Unstructured;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn village() -> Scene {
    let mut scene = Scene::load(&root().join("assets/worlds/village.json")).unwrap();
    scene.scripts.truncate(1); // welcome only
    scene
}

fn count() -> u64 {
    std::env::var("WORLD_CAMPAIGN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

/// The contract's exports and every import, for wasm-smith.
const EXPORTS: &str = r#"(module
  (memory (export "memory") 1)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (func (export "init") (result i32) unreachable)
  (func (export "on_event") (param i32 i32) (result i32) unreachable))"#;

const IMPORTS: &str = r#"(module
  (import "aether" "entity_spawn" (func (param i32 i32 f32 f32) (result i64)))
  (import "aether" "entity_destroy" (func (param i32) (result i32)))
  (import "aether" "entity_position" (func (param i32 i32) (result i32)))
  (import "aether" "physics_apply_force" (func (param i32 f32 f32) (result i32)))
  (import "aether" "audio_play" (func (param i32 i32 f32 f32) (result i32)))
  (import "aether" "network_send" (func (param i32 i32 i32) (result i32)))
  (import "aether" "storage_read" (func (param i32 i32 i32 i32) (result i32)))
  (import "aether" "storage_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "aether" "ui_message" (func (param i32 i32 i32) (result i32))))"#;

/// Runs `bytes` as an extra script in the village for 30 ticks, or checks its refusal; returns
/// whether it loaded, and its faults.
fn try_in_world(bytes: Vec<u8>, case: u64, greetings: &[String]) -> Option<usize> {
    let spec = ScriptSpec {
        label: format!("case {case}"),
        bytes,
        priority: 20,
        request: Default::default(),
        identity: None,
    };
    let mut run = match WorldRun::new(&village(), vec![spec], Storage::in_memory().unwrap()) {
        Err(e) => {
            let text = e.to_string();
            assert!(
                !text.is_empty() && !text.chars().any(char::is_control),
                "case {case}: {text:?}"
            );
            return None;
        }
        Ok(run) => run,
    };
    let quantum = SchedulerPolicy::default().quantum;
    let mut faults = 0;
    let mut said = Vec::new();
    for _ in 0..30 {
        let r = run
            .tick()
            .unwrap_or_else(|e| panic!("case {case}: the world stopped: {e}"));
        assert!(
            r.usage.fuel_used <= r.usage.fuel_budget + quantum,
            "case {case}"
        );
        for s in &r.usage.scripts {
            for f in &s.faults {
                assert!(
                    !f.is_empty() && !f.chars().any(char::is_control),
                    "case {case}: {f:?}"
                );
                faults += 1;
            }
            if let ScriptState::Disabled { reason } = &s.state {
                assert!(!reason.is_empty(), "case {case}");
            }
        }
        said.extend(
            r.log
                .messages
                .iter()
                .filter(|(s, _, _)| s.0 == 1)
                .map(|(_, _, t)| t.clone()),
        );
    }
    assert_eq!(
        said, greetings,
        "case {case}: the welcome script's behaviour changed"
    );
    Some(faults)
}

fn greetings_alone() -> Vec<String> {
    let mut run = WorldRun::new(&village(), Vec::new(), Storage::in_memory().unwrap()).unwrap();
    let mut said = Vec::new();
    for _ in 0..30 {
        let r = run.tick().unwrap();
        said.extend(r.log.messages.iter().map(|(_, _, t)| t.clone()));
    }
    said
}

#[test]
fn random_world_scripts_are_refused_by_name_or_run_without_harming_the_world() {
    let exports = wat::parse_str(EXPORTS).unwrap();
    let imports = wat::parse_str(IMPORTS).unwrap();
    let greetings = greetings_alone();
    let mut rng = Rng::new(0x5eed_0012);
    let (mut loaded, mut refused) = (0, 0);
    for case in 0..count() {
        let mut noise = vec![0u8; 4096];
        for b in noise.iter_mut() {
            *b = rng.next_u64() as u8;
        }
        let mut u = Unstructured::new(&noise);
        let Ok(mut c) = u.arbitrary::<wasm_smith::Config>() else {
            continue;
        };
        c.exports = Some(exports.clone());
        c.available_imports = Some(imports.clone());
        c.max_imports = 9;
        c.max_funcs = c.max_funcs.min(30);
        c.max_instructions = c.max_instructions.min(200);
        c.max_memories = 0;
        c.max_tables = c.max_tables.min(2);
        c.reference_types_enabled = false;
        c.gc_enabled = false;
        c.exceptions_enabled = false;
        c.memory64_enabled = false;
        c.threads_enabled = false;
        c.shared_everything_threads_enabled = false;
        let Ok(module) = wasm_smith::Module::new(c, &mut u) else {
            continue;
        };
        match try_in_world(module.to_bytes(), case, &greetings) {
            Some(_) => loaded += 1,
            None => refused += 1,
        }
    }
    eprintln!(
        "{} random world scripts: {refused} refused by name, {loaded} ran",
        count()
    );
    assert!(refused > 0);
}

#[test]
fn mutated_sample_scripts_are_refused_by_name_or_run_without_harming_the_world() {
    let bases: Vec<(Vec<u8>, std::ops::Range<usize>)> = ["welcome", "crate-drop", "herder"]
        .iter()
        .map(|n| {
            let mut wasm =
                wat::parse_file(root().join(format!("assets/worlds/scripts/{n}.wat"))).unwrap();
            // A name of its own, so it may run beside the village's welcome script.
            if *n == "welcome" {
                let at = wasm.windows(7).position(|w| w == b"welcome").unwrap();
                wasm[at..at + 7].copy_from_slice(b"wElcome");
            }
            let code = wasmparser::Parser::new(0)
                .parse_all(&wasm)
                .find_map(|p| match p {
                    Ok(wasmparser::Payload::CodeSectionStart {
                        unchecked_range, ..
                    }) => Some(unchecked_range.start as usize..unchecked_range.end as usize),
                    _ => None,
                })
                .unwrap();
            (wasm, code)
        })
        .collect();
    const OPCODES: [u8; 7] = [0x0b, 0x00, 0x0c, 0x03, 0x41, 0x1a, 0x6d];
    let greetings = greetings_alone();
    let mut rng = Rng::new(0x5eed_0012_0001);
    let (mut loaded, mut refused, mut faulted) = (0, 0, 0);
    for case in 0..count() {
        let (base, code) = &bases[(case % 3) as usize];
        let mut bytes = base.clone();
        for _ in 0..rng.between(1, 3) {
            let at = rng.between(code.start as i32, code.end as i32 - 2) as usize;
            match rng.between(0, 2) {
                0 => {
                    if let Some(i) = (at..code.end - 1).find(|&i| bytes[i] == 0x41) {
                        let keep = bytes[i + 1] & 0x80;
                        bytes[i + 1] = keep | (rng.next_u64() as u8 & 0x7f);
                    }
                }
                1 => bytes[at] = OPCODES[rng.between(0, OPCODES.len() as i32 - 1) as usize],
                _ => bytes[at] = rng.next_u64() as u8,
            }
        }
        match try_in_world(bytes, case, &greetings) {
            Some(f) => {
                loaded += 1;
                faulted += usize::from(f > 0);
            }
            None => refused += 1,
        }
    }
    eprintln!(
        "{} mutated sample scripts: {refused} refused by name, {loaded} ran ({faulted} with faults)",
        count()
    );
    assert!(
        loaded > 10 && refused > 10,
        "{loaded} ran, {refused} refused"
    );
}
