//! The graph templates in `examples/graphs/`: reproducible, clean, and the AI ones good enough to
//! beat a do-nothing opponent on every duel scenario (played here with the reference
//! interpreter). The world-script templates are run in the sample worlds by
//! `crates/aether-sample-world/tests/graphs.rs`.

use std::path::Path;

use aether_lang::Scenario;
use aether_lang::check::check;
use aether_lang::graph::VisualScriptGraph;
use aether_lang::interp::{CheckedGraph, interpret};
use mc_tactical_types::rules::{self, MatchResult};

#[path = "../examples/make_templates.rs"]
#[allow(dead_code)]
mod make_templates;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn committed_templates_are_exactly_what_the_generator_writes() {
    for (file, graph) in make_templates::templates()
        .into_iter()
        .chain(make_templates::world_templates())
    {
        let path = root().join("examples/graphs").join(file);
        let committed = std::fs::read_to_string(&path).unwrap();
        assert!(
            committed == graph.to_json(),
            "{file} differs from the generator; run `cargo run --example make_templates`"
        );
        assert_eq!(VisualScriptGraph::load(&path).unwrap(), graph);
    }
}

#[test]
fn every_template_is_clean() {
    for (file, graph) in make_templates::templates()
        .into_iter()
        .chain(make_templates::world_templates())
    {
        let diagnostics: Vec<String> = check(&graph).iter().map(|d| d.render(&graph)).collect();
        assert!(
            diagnostics.is_empty(),
            "{file}:\n{}",
            diagnostics.join("\n")
        );
        assert!(!graph.description.is_empty());
    }
}

/// Plays a duel: the template in `slot`, a player that never acts in the other.
fn duel(graph: &CheckedGraph, scenario: &Scenario, slot: u8) -> MatchResult {
    let limit = scenario.turn_limit.unwrap();
    let mut state = scenario.state.clone();
    loop {
        let view = rules::view_for(&state, slot);
        let run = interpret(graph, &view, slot, u64::from(state.turn));
        for verdict in rules::apply_turn(&mut state, slot, &run.actions) {
            // The template plans with the rules on what it sees; only the fog can surprise it.
            assert!(
                verdict.is_ok()
                    || matches!(
                        verdict,
                        Err(rules::Rejection::Occupied { .. }
                            | rules::Rejection::Unreachable { .. })
                    ),
                "{verdict:?}"
            );
        }
        rules::end_round(&mut state);
        if let Some(result) = rules::match_result(&state, limit) {
            return result;
        }
    }
}

#[test]
fn every_template_beats_a_do_nothing_opponent_on_every_duel() {
    let mut failures = Vec::new();
    for (file, graph) in make_templates::templates() {
        let graph = CheckedGraph::new(graph).unwrap();
        for name in ["crossing", "highlands"] {
            let scenario =
                Scenario::load(&root().join(format!("assets/duels/{name}.json"))).unwrap();
            for slot in 0..2u8 {
                let result = duel(&graph, &scenario, slot);
                if !matches!(result, MatchResult::Won { slot: s, .. } if s == slot) {
                    failures.push(format!("{file} as player {slot} on {name}: {result:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
