//! The preview's linked modules (a graph module importing the runtime compiled once) play every
//! turn as the single module the game runs: the same reply, outcome, fuel and memory, turn
//! after turn on one instance, on the templates, the samples and random graphs.

mod support;

use aether_scripting::compile::{CompilationProfile, VisualScriptCompiler, compile_linked};
use aether_scripting::graph::VisualScriptGraph;
use aether_scripting::interp::{CheckedGraph, Rng};
use aether_scripting::{ControllerHost, ControllerLimits, LoadError, TurnReport};

use support::{SAMPLES, random, state, templates};

fn host() -> ControllerHost {
    ControllerHost::new(ControllerLimits::default()).unwrap()
}

/// What must be equal: everything but the times.
fn seen(r: &TurnReport) -> (String, u64, u64, Vec<u8>, usize) {
    (
        r.outcome.to_string(),
        r.fuel_used,
        r.memory_bytes,
        r.reply.clone(),
        r.actions.iter().filter(|a| a.accepted()).count(),
    )
}

fn same_turns(
    host: &ControllerHost,
    graph: &VisualScriptGraph,
    turns: &[(mc_tactical_types::TacticalState, u8, u64)],
    what: &str,
) -> u64 {
    let checked = CheckedGraph::new(graph.clone()).unwrap();
    let single = VisualScriptCompiler::compile_checked(&checked, CompilationProfile::Debug)
        .unwrap()
        .wasm_bytes;
    let linked = compile_linked(&checked, CompilationProfile::Debug).unwrap();
    assert!(
        linked.len() * 2 < single.len() || graph.nodes().count() > 60,
        "{what}: the linked module holds no runtime ({} against {} bytes)",
        linked.len(),
        single.len()
    );
    let a = host.load(&single).unwrap();
    let b = host.load_linked(&linked).unwrap();
    assert_eq!(a.identity(), b.identity(), "{what}");
    let (mut sa, mut sb) = (a.session(), b.session());
    let mut fuel = 0;
    for (i, (state, slot, seed)) in turns.iter().enumerate() {
        let ra = sa.play_turn(state, *slot, *seed);
        let rb = sb.play_turn(state, *slot, *seed);
        assert_eq!(seen(&ra), seen(&rb), "{what}, turn {i}");
        fuel += ra.fuel_used;
    }
    fuel
}

#[test]
fn linked_modules_play_every_turn_as_the_single_module() {
    let host = host();
    let mut fuel = 0;
    for path in templates() {
        let graph = VisualScriptGraph::load(&path).unwrap();
        let turns: Vec<_> = SAMPLES
            .iter()
            .flat_map(|s| [(state(s), 0u8, 7u64), (state(s), 1, 8)])
            .collect();
        fuel += same_turns(&host, &graph, &turns, &path.display().to_string());
    }
    let mut rng = Rng::new(0x11ed);
    for i in 0..40 {
        let size = rng.between(1, 24);
        let graph = random::random_graph(&mut rng, size);
        let turns: Vec<_> = (0..4)
            .map(|_| {
                let s = random::random_state(&mut rng);
                let slot = rng.between(0, s.players.len() as i32 - 1) as u8;
                (s, slot, rng.next_u64())
            })
            .collect();
        fuel += same_turns(&host, &graph, &turns, &format!("random graph {i}"));
    }
    assert!(fuel > 10_000_000, "the turns did work: {fuel} fuel");
}

#[test]
fn a_linked_module_that_imports_anything_else_is_refused() {
    let wat = r#"(module (import "env" "clock" (func)) (memory (export "memory") 1))"#;
    let bytes = wat::parse_str(wat).unwrap();
    match host().load_linked(&bytes) {
        Err(LoadError::Import { module, .. }) => assert_eq!(module, "env"),
        other => panic!("{other:?}"),
    }
}
