//! The compiler against the reference interpreter: the compiled module, run by the real host
//! under the real caps, must reply with exactly `postcard(interpret(..).actions)`.

mod support;

use aether_scripting::compile::{CompilationProfile, VisualScriptCompiler};
use aether_scripting::graph::VisualScriptGraph;
use aether_scripting::interp::{CheckedGraph, Rng, interpret};
use aether_scripting::{ControllerSession, TurnOutcome};
use mc_tactical_types::TacticalState;
use mc_tactical_types::rules::{self, TurnLedger};

use support::{SAMPLES, host, root, state};

fn template(name: &str) -> VisualScriptGraph {
    VisualScriptGraph::load(
        &root()
            .join("examples/graphs")
            .join(format!("{name}.mcgraph.json")),
    )
    .unwrap()
}

const TEMPLATES: [&str; 4] = [
    "melee-rusher",
    "archer-skirmisher",
    "mage-support",
    "hill-defender",
];

fn session(graph: &VisualScriptGraph) -> ControllerSession {
    let artifact = VisualScriptCompiler::compile_with(graph, CompilationProfile::Debug).unwrap();
    host().load(&artifact.wasm_bytes).unwrap().session()
}

/// Plays one turn both ways and asserts the replies match; returns how many actions were sent.
fn agree(
    checked: &CheckedGraph,
    session: &mut ControllerSession,
    state: &TacticalState,
    slot: u8,
    seed: u64,
    what: &str,
) -> usize {
    let view = rules::view_for(state, slot);
    let expected = interpret(checked, &view, slot, seed).actions;
    let report = session.play_turn(state, slot, seed);
    assert_eq!(
        report.outcome,
        TurnOutcome::Ok,
        "{what}: {:?}",
        report.outcome
    );
    let want = postcard::to_allocvec(&expected).unwrap();
    if report.reply != want {
        let got: Vec<mc_tactical_types::Action> = postcard::from_bytes(&report.reply).unwrap();
        panic!(
            "{what} slot {slot} seed {seed}: compiled and interpreted replies differ\n compiled: {got:?}\n interpreted: {expected:?}"
        );
    }
    expected.len()
}

#[test]
fn templates_agree_with_the_interpreter_on_every_sample() {
    for name in TEMPLATES {
        let graph = template(name);
        let checked = CheckedGraph::new(graph.clone()).unwrap();
        let mut session = session(&graph);
        for sample in SAMPLES {
            let state = state(sample);
            for slot in 0..state.players.len() as u8 {
                agree(
                    &checked,
                    &mut session,
                    &state,
                    slot,
                    7,
                    &format!("{name} on {sample}"),
                );
            }
        }
    }
}

/// Plays whole matches of each template against itself, comparing every turn.
#[test]
fn templates_agree_through_whole_duels() {
    for name in TEMPLATES {
        let graph = template(name);
        let checked = CheckedGraph::new(graph.clone()).unwrap();
        let mut session = session(&graph);
        for duel in ["duels/crossing", "duels/highlands"] {
            let mut state = state(duel);
            let mut rng = Rng::new(11);
            let mut sent = 0;
            for _round in 0..30 {
                for slot in 0..2u8 {
                    if !state.player(slot).is_some_and(|p| p.alive) {
                        continue;
                    }
                    let seed = rng.next_u64();
                    sent += agree(&checked, &mut session, &state, slot, seed, name);
                    let view = rules::view_for(&state, slot);
                    let actions = interpret(&checked, &view, slot, seed).actions;
                    let mut ledger = TurnLedger::new(slot);
                    for a in &actions {
                        let _ = rules::apply(&mut state, &mut ledger, a);
                    }
                }
                rules::end_round(&mut state);
            }
            assert!(sent > 0, "{name} never acted on {duel}");
        }
    }
}
