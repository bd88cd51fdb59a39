//! Random modules through the controller host, as an ordinary test: `wasm-smith` generates
//! modules shaped like the contract (its five exports with their types; bodies, memories,
//! tables, globals, data, start functions random), some with proposals the host refuses. Each
//! one must be refused with a named, printable reason or load and play a turn whose outcome the
//! contract names, within the caps, followed by a fresh instance after a failure. A panic or a
//! crash anywhere fails the test.
//!
//! `HOST_CAMPAIGN=20000 cargo test --release -p aether-scripting --test host_random -- --nocapture`
//! runs a longer campaign (default: 300 modules, seeded, the same every run); add
//! `HOST_CAMPAIGN_REASONS=1` to print each refusal. Random bodies rarely get through `init` and
//! the identity cells, so this mostly exercises validation, the bounds, compiling, instantiation
//! and `init` under the caps; turns are covered by the hostile corpus (`host.rs`,
//! `host_limits.rs`) and the compiled-graph campaign (`compile.rs`).

#[path = "../../../tests/support/mod.rs"]
mod support;

use aether_lang::interp::Rng;
use arbitrary::Unstructured;
use support::{host, state};

/// The contract's exports, for wasm-smith to give every module.
const EXPORTS: &str = r#"(module
  (memory (export "memory") 1)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (func (export "init") (result i32) unreachable)
  (func (export "decide_turn") (param i32 i32 i32 i64 i32 i32) (result i32) unreachable))"#;

fn config(u: &mut Unstructured<'_>, exports: &[u8]) -> arbitrary::Result<wasm_smith::Config> {
    let mut c: wasm_smith::Config = u.arbitrary()?;
    c.exports = Some(exports.to_vec());
    c.available_imports = None;
    c.max_imports = 0;
    c.max_funcs = c.max_funcs.min(40);
    c.max_instructions = c.max_instructions.min(200);
    c.max_memories = c.max_memories.min(3);
    c.max_tables = c.max_tables.min(3);
    c.max_data_segments = c.max_data_segments.min(8);
    c.max_element_segments = c.max_element_segments.min(8);
    // Half the modules stay within what the host accepts, half may use what it refuses.
    if u.arbitrary::<bool>()? {
        c.memory64_enabled = false;
        c.threads_enabled = false;
        c.relaxed_simd_enabled = false;
        c.gc_enabled = false;
        c.exceptions_enabled = false;
        c.tail_call_enabled = false;
        c.extended_const_enabled = false;
        c.wide_arithmetic_enabled = false;
        c.custom_page_sizes_enabled = false;
        c.shared_everything_threads_enabled = false;
        // externref and friends need the GC types wasmtime is built without here.
        c.reference_types_enabled = false;
        // The exported memory is generated anyway; no other.
        c.max_memories = 0;
    }
    Ok(c)
}

#[test]
fn random_contract_shaped_modules_are_refused_by_name_or_run_within_the_caps() {
    let count: u64 = std::env::var("HOST_CAMPAIGN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let exports = wat::parse_str(EXPORTS).unwrap();
    let (mut loaded, mut refused, mut turns_ok) = (0u64, 0u64, 0u64);
    let mut rng = Rng::new(0x5eed_0f5a17);
    for case in 0..count {
        let mut noise = vec![0u8; 4096];
        for b in noise.iter_mut() {
            *b = rng.next_u64() as u8;
        }
        let mut u = Unstructured::new(&noise);
        let Ok(config) = config(&mut u, &exports) else {
            continue;
        };
        let Ok(module) = wasm_smith::Module::new(config, &mut u) else {
            continue;
        };
        let bytes = module.to_bytes();
        match host().load(&bytes) {
            Err(e) => {
                refused += 1;
                check_refusal(&e.to_string(), case);
            }
            Ok(controller) => {
                loaded += 1;
                turns_ok += play_two_turns(&controller, case);
            }
        }
    }
    eprintln!(
        "{count} random modules: {refused} refused by name, {loaded} loaded, {turns_ok} good turns"
    );
    assert!(refused + loaded > count / 2, "most cases produced a module");
    assert!(refused > 0);
}

/// A refusal names its reason in printable words.
fn check_refusal(text: &str, case: u64) {
    if std::env::var_os("HOST_CAMPAIGN_REASONS").is_some() {
        eprintln!("REASON {}", text.chars().take(70).collect::<String>());
    }
    assert!(!text.is_empty(), "case {case}: an empty refusal");
    assert!(
        !text.chars().any(char::is_control),
        "case {case}: control characters in {text:?}"
    );
}

/// Two turns on the skirmish sample: each within the caps, a failed one proposing nothing and
/// named, the turn after a failure on a fresh instance. Returns the good turns.
fn play_two_turns(controller: &aether_host::Controller, case: u64) -> u64 {
    let s = state("states/skirmish");
    let limits = host().limits().clone();
    let mut session = controller.session();
    let (mut first_ok, mut good) = (true, 0);
    for turn in 0..2 {
        let report = session.play_turn(&s, 0, case);
        assert!(
            report.memory_bytes <= limits.memory_bytes,
            "case {case}: {} bytes of memory",
            report.memory_bytes
        );
        if let Some(fuel) = limits.fuel_per_turn {
            assert!(report.fuel_used <= fuel, "case {case}");
        }
        assert!(report.wall_time < limits.deadline * 3, "case {case}");
        if report.outcome.is_ok() {
            good += 1;
        } else {
            assert!(report.actions.is_empty(), "case {case}: a failed turn acts");
            assert!(!report.outcome.to_string().is_empty());
        }
        // After a failed turn the next one starts on a fresh instance.
        if turn == 1 && !first_ok {
            assert!(report.instantiate_time.is_some(), "case {case}");
        }
        first_ok = report.outcome.is_ok();
    }
    good
}

/// Random bodies rarely pass `init`; mutating working controllers reaches turns. The four
/// templates, compiled, with one to four bytes of their code changed (a random byte, or an
/// opcode that ends, traps, branches or loops): each is refused by name or plays turns within
/// the caps. `HOST_CAMPAIGN_MUTATED=N` for a longer run (default 700).
#[test]
fn mutated_controllers_are_refused_by_name_or_play_within_the_caps() {
    use aether_compile::VisualScriptCompiler;
    use aether_lang::graph::VisualScriptGraph;
    let count: u64 = std::env::var("HOST_CAMPAIGN_MUTATED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(700);
    let bases: Vec<(Vec<u8>, std::ops::Range<usize>)> = support::templates()
        .iter()
        .map(|p| {
            let graph = VisualScriptGraph::load(p).unwrap();
            let wasm = VisualScriptCompiler::compile(&graph).unwrap().wasm_bytes;
            let code = wasmparser::Parser::new(0)
                .parse_all(&wasm)
                .find_map(|p| match p {
                    Ok(wasmparser::Payload::CodeSectionStart {
                        unchecked_range, ..
                    }) => Some(unchecked_range.start as usize..unchecked_range.end as usize),
                    _ => None,
                })
                .expect("a code section");
            (wasm, code)
        })
        .collect();
    // end, unreachable, br 0, loop, i32.const, call 0, memory.grow, i32.div_s, drop.
    const OPCODES: [u8; 9] = [0x0b, 0x00, 0x0c, 0x03, 0x41, 0x10, 0x40, 0x6d, 0x1a];
    let mut rng = Rng::new(0x5eed_0019_0001);
    let (mut loaded, mut refused, mut turns_ok, mut turns) = (0u64, 0u64, 0u64, 0u64);
    for case in 0..count {
        let (base, code) = &bases[(case % bases.len() as u64) as usize];
        let mut bytes = base.clone();
        for _ in 0..rng.between(1, 4) {
            let at = rng.between(code.start as i32, code.end as i32 - 2) as usize;
            match rng.between(0, 3) {
                // A constant's first byte, its continuation bit kept: another number, same
                // shape (valid far more often than a random byte).
                0 => {
                    if let Some(i) = (at..code.end - 1).find(|&i| bytes[i] == 0x41) {
                        let keep = bytes[i + 1] & 0x80;
                        bytes[i + 1] = keep | (rng.next_u64() as u8 & 0x7f);
                    }
                }
                // One arithmetic or comparison for another of the same type.
                1 => {
                    if let Some(i) =
                        (at..code.end).find(|&i| matches!(bytes[i], 0x46..=0x4f | 0x6a..=0x6c))
                    {
                        bytes[i] = match bytes[i] {
                            0x46..=0x4f => 0x46 + rng.between(0, 9) as u8,
                            _ => 0x6a + rng.between(0, 2) as u8,
                        };
                    }
                }
                2 => bytes[at] = OPCODES[rng.between(0, OPCODES.len() as i32 - 1) as usize],
                _ => bytes[at] = rng.next_u64() as u8,
            }
        }
        match host().load(&bytes) {
            Err(e) => {
                refused += 1;
                check_refusal(&e.to_string(), case);
            }
            Ok(controller) => {
                loaded += 1;
                turns += 2;
                turns_ok += play_two_turns(&controller, case);
            }
        }
    }
    eprintln!(
        "{count} mutated controllers: {refused} refused by name, {loaded} loaded, {turns_ok} of {turns} turns good"
    );
    assert!(
        loaded > count / 10 && refused > count / 10,
        "{loaded} loaded, {refused} refused"
    );
    assert!(
        turns_ok > 0 && turns_ok < turns,
        "both good and failed turns were played"
    );
}
