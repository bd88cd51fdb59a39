//! The fairness test behind the benchmark: each Rust twin in `examples/controllers/` decides
//! exactly as its graph template, so comparing their fuel and size compares the compilers.

#[path = "../../../tests/support/mod.rs"]
mod support;

use aether_compile::VisualScriptCompiler;
use aether_host::TurnOutcome;
use aether_lang::graph::VisualScriptGraph;
use aether_lang::interp::Rng;
use mc_tactical_types::rules::{self, TurnLedger};

use support::{SAMPLES, host, root, rust_controller, state};

/// (graph template, Rust twin).
pub const TWINS: [(&str, &str); 2] = [
    ("melee-rusher", "melee-rusher-twin"),
    ("archer-skirmisher", "archer-skirmisher-twin"),
];

#[test]
fn each_twin_sends_the_same_bytes_as_its_graph_on_every_sample_and_through_duels() {
    for (graph_name, twin_name) in TWINS {
        let graph = VisualScriptGraph::load(
            &root().join(format!("examples/graphs/{graph_name}.mcgraph.json")),
        )
        .unwrap();
        let compiled = VisualScriptCompiler::compile(&graph).unwrap();
        let graph_ctl = host().load(&compiled.wasm_bytes).unwrap();
        let twin_ctl = host().load(&rust_controller(twin_name)).unwrap();
        assert_eq!(
            twin_ctl.identity().to_string(),
            format!("{twin_name} 1.0.0")
        );
        let (mut a, mut b) = (graph_ctl.session(), twin_ctl.session());
        let mut compared = 0;
        let mut sent = 0;
        for sample in SAMPLES {
            let mut s = state(sample);
            let mut rng = Rng::new(3);
            // The sample as it is, then as it goes on for a few rounds of the graph playing
            // every side.
            for _round in 0..4 {
                for slot in 0..s.players.len() as u8 {
                    if !s.player(slot).is_some_and(|p| p.alive) {
                        continue;
                    }
                    let seed = rng.next_u64();
                    let ra = a.play_turn(&s, slot, seed);
                    let rb = b.play_turn(&s, slot, seed);
                    assert_eq!(ra.outcome, TurnOutcome::Ok, "{graph_name} on {sample}");
                    assert_eq!(rb.outcome, TurnOutcome::Ok, "{twin_name} on {sample}");
                    assert_eq!(
                        ra.reply, rb.reply,
                        "{graph_name} and {twin_name} differ on {sample}, slot {slot}"
                    );
                    compared += 1;
                    sent += ra.actions.len();
                    let mut ledger = TurnLedger::new(slot);
                    for report in &ra.actions {
                        let _ = rules::apply(&mut s, &mut ledger, &report.action);
                    }
                }
                rules::end_round(&mut s);
            }
        }
        assert!(
            compared >= 40 && sent > 100,
            "{graph_name}: {compared} turns, {sent} actions"
        );
    }
}
