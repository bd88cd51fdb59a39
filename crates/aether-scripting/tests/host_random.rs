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

mod support;

use aether_scripting::interp::Rng;
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
    let s = state("states/skirmish");
    let limits = host().limits().clone();
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
                if std::env::var_os("HOST_CAMPAIGN_REASONS").is_some() {
                    let t = e.to_string();
                    eprintln!("REASON {}", t.chars().take(70).collect::<String>());
                }
                let text = e.to_string();
                assert!(!text.is_empty(), "case {case}: an empty refusal");
                assert!(
                    !text.chars().any(char::is_control),
                    "case {case}: control characters in {text:?}"
                );
            }
            Ok(controller) => {
                loaded += 1;
                let mut session = controller.session();
                let mut first_ok = true;
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
                        turns_ok += 1;
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
            }
        }
    }
    eprintln!(
        "{count} random modules: {refused} refused by name, {loaded} loaded, {turns_ok} good turns"
    );
    assert!(refused + loaded > count / 2, "most cases produced a module");
    assert!(refused > 0);
}
