//! The fuel bound the compiler derives (`aether_compile::bound`) against the fuel the host
//! really charges: never below a real turn, on the templates, random graphs, random states and
//! generated armies of 40, 400 and 1,000 units (over 10,000 turns here; set
//! `FUEL_BOUND_CAMPAIGN=N` for N times as many random turns), and close enough to be useful on
//! the samples.

#[path = "../../../tests/support/mod.rs"]
mod support;

use aether_compile::bound::{FuelBound, fuel_bound};
use aether_host::TurnOutcome;
use aether_lang::interp::{CheckedGraph, Rng};
use aether_lang::scenario::generate::two_armies;
use mc_tactical_types::TacticalState;
use mc_tactical_types::rules;
use rayon::prelude::*;

use support::{SAMPLES, host, random, state, template};

fn campaign() -> usize {
    std::env::var("FUEL_BOUND_CAMPAIGN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1)
}

/// A generated two-player 64×64 map with `units` in all.
fn armies(units: u32, seed: u64) -> TacticalState {
    two_armies(64, units / 2, seed).state
}

/// Plays every state from every seat with a graph and checks each turn against the bound;
/// returns (turns, the largest fuel / bound seen).
fn check(name: &str, bound: &FuelBound, wasm: &[u8], states: &[TacticalState]) -> (usize, f64) {
    let controller = host().load(wasm).unwrap();
    let mut session = controller.session();
    let mut turns = 0;
    let mut closest = 0f64;
    for (i, s) in states.iter().enumerate() {
        for p in s.players.iter().filter(|p| p.alive) {
            let report = session.play_turn(s, p.slot, i as u64 * 7 + u64::from(p.slot));
            let view = rules::view_for(s, p.slot);
            let limit = bound.at(&view, p.slot);
            match report.outcome {
                TurnOutcome::Ok => assert!(
                    report.fuel_used <= limit,
                    "{name}, state {i}, slot {}: the turn burned {} fuel, over its bound {limit} ({})",
                    p.slot,
                    report.fuel_used,
                    bound.turn
                ),
                TurnOutcome::OutOfFuel { .. } => assert!(
                    limit > report.fuel_limit.unwrap_or(0),
                    "{name}, state {i}: out of fuel, yet bounded by {limit}"
                ),
                ref other => panic!("{name}, state {i}: {other:?}"),
            }
            closest = closest.max(report.fuel_used as f64 / limit.max(1) as f64);
            turns += 1;
        }
    }
    (turns, closest)
}

#[test]
fn no_turn_ever_burns_more_than_its_bound() {
    let rounds = campaign();
    let mut rng = Rng::new(0xB0B0);
    // Random states (every kind of oddity the generator makes), and armies of 40, 400 and
    // 1,000 units.
    let mut states: Vec<TacticalState> = (0..500 * rounds)
        .map(|_| random::random_state(&mut rng))
        .collect();
    for (units, seed) in [(40, 1), (40, 2), (400, 3), (400, 4), (1000, 5)] {
        states.push(armies(units, seed));
    }
    for s in SAMPLES {
        states.push(state(s));
    }
    // The templates on all of them.
    let mut jobs: Vec<(String, aether_lang::VisualScriptGraph, Vec<TacticalState>)> =
        support::named_templates()
            .into_iter()
            .map(|(t, g)| (t, g, states.clone()))
            .collect();
    // Random graphs, each on its own random states.
    for g in 0..(80 * rounds) {
        let graph = random::random_graph(&mut rng, 6 + (g % 30) as i32);
        let own: Vec<TacticalState> = (0..30).map(|_| random::random_state(&mut rng)).collect();
        jobs.push((format!("random graph {g}"), graph, own));
    }
    let results: Vec<(usize, f64)> = jobs
        .par_iter()
        .filter_map(|(name, graph, states)| {
            let checked = CheckedGraph::new(graph.clone()).ok()?;
            let bound = fuel_bound(&checked).unwrap_or_else(|e| panic!("{name}: {e}"));
            let wasm = aether_compile::VisualScriptCompiler::compile_checked(
                &checked,
                aether_compile::CompilationProfile::Release,
            )
            .unwrap()
            .wasm_bytes;
            Some(check(name, &bound, &wasm, states))
        })
        .collect();
    let turns: usize = results.iter().map(|r| r.0).sum();
    let closest = results.iter().map(|r| r.1).fold(0f64, f64::max);
    println!(
        "{turns} turns, every one within its bound (the closest at {:.0}% of it)",
        closest * 100.0
    );
    assert!(turns >= 10_000 * rounds, "only {turns} turns were tried");
}

#[test]
fn the_bound_is_useful_on_the_samples() {
    let templates = support::named_templates();
    assert!(templates.len() >= 5, "the five AI templates at least");
    for (t, graph) in templates {
        let checked = CheckedGraph::new(graph).unwrap();
        let bound = fuel_bound(&checked).unwrap();
        let wasm = aether_compile::VisualScriptCompiler::compile_checked(
            &checked,
            aether_compile::CompilationProfile::Release,
        )
        .unwrap()
        .wasm_bytes;
        let controller = host().load(&wasm).unwrap();
        for s in SAMPLES {
            let st = state(s);
            let mut most = (0u64, 0u64);
            for p in st.players.iter().filter(|p| p.alive) {
                let report = controller.session().play_turn(&st, p.slot, 1);
                let limit = bound.at(&rules::view_for(&st, p.slot), p.slot);
                if report.fuel_used > most.0 {
                    most = (report.fuel_used, limit);
                }
            }
            println!(
                "{t} on {s}: largest turn {} fuel, bound {} ({:.2}×)",
                most.0,
                most.1,
                most.1 as f64 / most.0.max(1) as f64
            );
        }
    }
}

#[test]
#[ignore]
fn show_terms() {
    let checked = CheckedGraph::new(template("melee-rusher")).unwrap();
    let bound = fuel_bound(&checked).unwrap();
    let st = state(&std::env::var("SHOW_STATE").unwrap_or("states/battle".into()));
    let m = aether_compile::bound::measures(&rules::view_for(&st, 0), 0);
    println!("{m:?}");
    for p in bound.turn.terms() {
        println!("{:>12}  {p}", p.eval(&m));
    }
    for (n, p) in &bound.nodes {
        println!("node {n}: {}", p.eval(&m));
    }
    for (name, p) in aether_compile::bound::routine_bounds().unwrap() {
        println!("{name}: {} = {}", p.eval(&m), p);
    }
}

#[test]
fn typed_values_change_neither_the_shape_nor_the_bound() {
    // The preview works a bound out once per shape (`ir::Program::shape`): a number typed on a
    // node becomes a constant, which costs the same whatever its value.
    let original = template("archer-skirmisher");
    let mut edited = original.clone();
    assert!(edited.set_value(
        aether_lang::graph::NodeId(9),
        "b",
        aether_lang::graph::Value::Number(3)
    ));
    let (a, b) = (
        CheckedGraph::new(original).unwrap(),
        CheckedGraph::new(edited).unwrap(),
    );
    let (pa, pb) = (aether_compile::ir::lower(&a), aether_compile::ir::lower(&b));
    assert_ne!(pa, pb, "the edit is in the program");
    assert_eq!(pa.shape(), pb.shape());
    assert_eq!(fuel_bound(&a).unwrap(), fuel_bound(&b).unwrap());
    // A change of setting (which units a For Each walks) is another shape.
    let mut mine = template("melee-rusher");
    let each = mine.nodes().find(|n| n.kind == "for_each_unit").unwrap().id;
    assert!(mine.set_value(
        each,
        "which",
        aether_lang::graph::Value::Choice("all".into())
    ));
    let all = CheckedGraph::new(mine).unwrap();
    let rusher = CheckedGraph::new(template("melee-rusher")).unwrap();
    assert_ne!(
        aether_compile::ir::lower(&all).shape(),
        aether_compile::ir::lower(&rusher).shape()
    );
    assert_ne!(fuel_bound(&all).unwrap(), fuel_bound(&rusher).unwrap());
}
