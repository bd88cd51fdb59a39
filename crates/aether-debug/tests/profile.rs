//! Fuel per node (`compile::profile`): the instrumented copy counts exactly the fuel the host
//! charges the real module for the same turn, and the nodes' parts plus the runtime's add up to
//! it, on every template and sample and on random graphs and turns.

#[path = "../../../tests/support/mod.rs"]
mod support;

use aether_compile::{CompilationProfile, VisualScriptCompiler};
use aether_debug::profile::profile_turn;
use aether_lang::interp::Rng;
use mc_tactical_types::rules;
use support::{SAMPLES, host, random, state};

fn check(
    graph: &aether_lang::VisualScriptGraph,
    s: &mc_tactical_types::TacticalState,
    slot: u8,
    seed: u64,
    what: &str,
) -> usize {
    let artifact = VisualScriptCompiler::compile_with(graph, CompilationProfile::Debug).unwrap();
    let controller = host().load(&artifact.wasm_bytes).unwrap();
    let report = controller.session().play_turn(s, slot, seed);
    if !report.outcome.is_ok() {
        return 0;
    }
    let view = rules::view_for(s, slot);
    let p = profile_turn(&artifact, &view, slot, seed).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(
        p.total, report.fuel_used,
        "{what}: the count is the host's fuel"
    );
    assert_eq!(
        p.nodes.values().sum::<u64>() + p.runtime,
        p.total,
        "{what}: the parts add up"
    );
    assert!(p.runtime > 0, "{what}: reading the state costs something");
    p.nodes.len()
}

#[test]
fn the_parts_add_up_to_the_hosts_fuel_on_every_template_and_sample() {
    for path in support::templates() {
        let graph = aether_lang::VisualScriptGraph::load(&path).unwrap();
        if graph.kind != aether_lang::graph::ScriptKind::AiController {
            continue;
        }
        for sample in SAMPLES {
            let s = state(sample);
            let ran = check(&graph, &s, 0, 7, &format!("{} on {sample}", graph.name));
            assert!(ran >= 3, "{} on {sample}: {ran} nodes counted", graph.name);
        }
    }
}

#[test]
fn the_parts_add_up_on_random_graphs_and_turns() {
    let mut rng = Rng::new(0x5eed_0071);
    let mut checked = 0;
    for i in 0..24 {
        let graph = random::random_graph(&mut rng, 6 + i % 20);
        if aether_lang::check::has_errors(&aether_lang::check::check(&graph)) {
            continue;
        }
        for _ in 0..3 {
            let s = random::random_state(&mut rng);
            let slot = rng.between(0, s.players.len() as i32 - 1) as u8;
            let seed = rng.next_u64();
            check(&graph, &s, slot, seed, &format!("random graph {i}"));
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} turns");
}
