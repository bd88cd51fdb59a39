//! Many hosts at once: turns of different controllers (the four compiled templates and the
//! reference Rust controller) on several threads, all sharing one engine, give exactly the reports
//! they give one by one. The duel lab runs batches this way.

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::sync::Arc;

use aether_compile::VisualScriptCompiler;
use aether_host::{Controller, TurnReport};
use aether_lang::graph::VisualScriptGraph;
use mc_tactical_types::rules;
use support::{SAMPLES, host, rust_controller, state, templates};

/// Everything a report says that must not depend on when or where the turn ran (wall times
/// left out).
fn essence(r: &TurnReport) -> String {
    format!(
        "{} {} {} {:?} {} {} {:?} {:?} {:?}",
        r.ident,
        r.turn,
        r.slot,
        r.outcome,
        r.fuel_used,
        r.memory_bytes,
        r.reply,
        r.actions,
        r.state_after
    )
}

/// The work of one controller: a short match on every sample, both slots, fresh sessions.
fn play(controller: &Controller) -> Vec<String> {
    let mut out = Vec::new();
    for sample in SAMPLES {
        let mut s = state(sample);
        let mut session = controller.session();
        for round in 0..3u64 {
            for slot in 0..s.players.len() as u8 {
                if !s.player(slot).is_some_and(|p| p.alive) {
                    continue;
                }
                let report = session.play_turn(&s, slot, round * 7 + u64::from(slot));
                out.push(essence(&report));
                s = report.state_after.clone();
            }
            rules::end_round(&mut s);
        }
    }
    out
}

#[test]
fn turns_on_many_threads_sharing_one_engine_match_turns_one_by_one() {
    let mut controllers: Vec<Arc<Controller>> = templates()
        .iter()
        .map(|p| {
            let graph = VisualScriptGraph::load(p).unwrap();
            let wasm = VisualScriptCompiler::compile(&graph).unwrap().wasm_bytes;
            Arc::new(host().load(&wasm).unwrap())
        })
        .collect();
    controllers.push(Arc::new(
        host().load(&rust_controller("learned-duel")).unwrap(),
    ));
    // One by one.
    let alone: Vec<Vec<String>> = controllers.iter().map(|c| play(c)).collect();
    // All at once, each controller on two threads (so one module also runs on two threads).
    let handles: Vec<_> = (0..controllers.len() * 2)
        .map(|i| {
            let c = controllers[i % controllers.len()].clone();
            std::thread::spawn(move || play(&c))
        })
        .collect();
    let n = controllers.len();
    for (i, h) in handles.into_iter().enumerate() {
        let together = h.join().expect("no thread panicked");
        assert_eq!(together, alone[i % n], "controller {} on thread {i}", i % n);
    }
    assert!(alone.iter().all(|turns| turns.len() > 20));
}
