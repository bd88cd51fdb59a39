//! The compiler against the reference interpreter: the compiled module, run by the real host
//! under the real caps, must reply with exactly `postcard(interpret(..).actions)`.

mod support;

use aether_scripting::compile::{CompilationProfile, VisualScriptCompiler};
use aether_scripting::graph::VisualScriptGraph;
use aether_scripting::interp::{CheckedGraph, Rng, interpret};
use aether_scripting::{ControllerSession, TurnOutcome};
use mc_tactical_types::TacticalState;
use mc_tactical_types::rules::{self, TurnLedger};

use support::{SAMPLES, host, random, root, state};

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

/// How many random graphs the differential test compiles: 150 by default; set
/// `COMPILE_CAMPAIGN=<n>` for a longer campaign (see the README).
fn campaign() -> usize {
    std::env::var("COMPILE_CAMPAIGN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

/// A random turn: a state, a slot (now and then one no player holds) and a seed.
fn random_turn(rng: &mut Rng) -> (TacticalState, u8, u64) {
    let state = random::random_state(rng);
    let slot = if rng.between(1, 20) == 1 {
        state.players.len() as u8
    } else {
        rng.between(0, state.players.len() as i32 - 1) as u8
    };
    (state, slot, rng.next_u64())
}

#[test]
fn compiled_and_interpreted_replies_are_identical_on_random_turns() {
    let mut rng = Rng::new(0x5eed_0001);
    let mut triples = 0;
    let mut sent = 0;
    for name in TEMPLATES {
        let graph = template(name);
        let checked = CheckedGraph::new(graph.clone()).unwrap();
        let mut session = session(&graph);
        for _ in 0..60 {
            let (state, slot, seed) = random_turn(&mut rng);
            sent += agree(&checked, &mut session, &state, slot, seed, name);
            triples += 1;
        }
    }
    let graphs = campaign();
    for i in 0..graphs {
        let size = rng.between(1, 24);
        let graph = random::random_graph(&mut rng, size);
        let checked = CheckedGraph::new(graph.clone()).unwrap_or_else(|d| {
            panic!(
                "random graph {i} should be valid:\n{}",
                d.iter()
                    .map(|d| d.render(&graph))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        let profile = if i % 2 == 0 {
            CompilationProfile::Debug
        } else {
            CompilationProfile::Release
        };
        let artifact = VisualScriptCompiler::compile_checked(&checked, profile).unwrap();
        let mut session = host()
            .load(&artifact.wasm_bytes)
            .unwrap_or_else(|e| panic!("random graph {i} does not load: {e}"))
            .session();
        for _ in 0..6 {
            let (state, slot, seed) = random_turn(&mut rng);
            sent += agree(
                &checked,
                &mut session,
                &state,
                slot,
                seed,
                &format!("random graph {i}:\n{}\n", graph.to_json()),
            );
            triples += 1;
        }
    }
    eprintln!("{graphs} random graphs and 4 templates: {triples} turns, {sent} actions, identical");
    assert!(triples >= 1000, "only {triples} turns compared");
    // The comparison means something only if the graphs do things.
    assert!(
        sent > triples / 2,
        "only {sent} actions over {triples} turns"
    );
}

#[test]
fn broken_graphs_get_a_diagnostic_at_the_right_place_and_never_compile() {
    let mut rng = Rng::new(0x5eed_0002);
    let mut broken = 0;
    let mut codes = std::collections::BTreeSet::new();
    for i in 0..400 {
        let graph = random::random_graph(&mut rng, 12);
        let Some(b) = random::break_graph(&mut rng, &graph) else {
            continue;
        };
        let diagnostics = aether_scripting::check::check(&b.graph);
        let hit = diagnostics.iter().any(|d| {
            d.code == b.code
                && b.at.iter().any(|at| {
                    at == &d.location
                        || at.node(&b.graph) == d.location.node(&b.graph)
                            && !matches!(at, aether_scripting::check::Location::Graph)
                })
        });
        assert!(
            hit,
            "graph {i} ({}): expected {} at {:?}, got:\n{}",
            b.what,
            b.code,
            b.at,
            diagnostics
                .iter()
                .map(|d| d.render(&b.graph))
                .collect::<Vec<_>>()
                .join("\n")
        );
        match VisualScriptCompiler::compile(&b.graph) {
            Err(aether_scripting::CompileError::Diagnostics(d)) => assert_eq!(d, diagnostics),
            other => panic!("graph {i} ({}) compiled: {other:?}", b.what),
        }
        codes.insert(b.code);
        broken += 1;
    }
    assert!(broken >= 250, "only {broken} broken graphs");
    assert_eq!(
        codes.len(),
        13,
        "every way of breaking was tried: {codes:?}"
    );
}
