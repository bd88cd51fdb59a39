//! The preview's linked modules (a graph module importing the runtime compiled once) play every
//! turn as the single module the game runs: the same reply, outcome, fuel and memory, turn
//! after turn on one instance, on the templates, the samples and random graphs.

mod support;

use aether_scripting::catalog::{PinType, PortDefault};
use aether_scripting::compile::{CompilationProfile, VisualScriptCompiler, compile_linked};
use aether_scripting::graph::{PortRef, Value, VisualScriptGraph};
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
    let linked = compile_linked(&checked, CompilationProfile::Debug, None).unwrap();
    assert!(
        linked.wasm.len() * 2 < single.len() || graph.nodes().count() > 60,
        "{what}: the linked module holds no runtime ({} against {} bytes)",
        linked.wasm.len(),
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
    let linked = aether_scripting::compile::LinkedModule {
        wasm: bytes,
        inputs: Vec::new(),
        data: Vec::new(),
        layout: Default::default(),
    };
    match host().load_linked(&linked) {
        Err(LoadError::Import { module, .. }) => assert_eq!(module, "env"),
        other => panic!("{other:?}"),
    }
}

/// The number on every input that takes one (typed or the default), plus `by`.
fn typed_numbers_moved(graph: &VisualScriptGraph, by: i32) -> VisualScriptGraph {
    let mut edited = graph.clone();
    for node in graph.nodes() {
        let Some(spec) = aether_scripting::catalog::spec(&node.kind) else {
            continue;
        };
        for port in spec.inputs {
            let n = match (node.values.get(port.key), port.default) {
                (Some(Value::Number(n)), _) => *n,
                (None, PortDefault::Number(n)) => n,
                _ => continue,
            };
            edited.set_value(node.id, port.key, Value::Number(n + by));
        }
    }
    edited
}

#[test]
fn a_graph_changed_only_in_typed_values_or_identity_plays_them_without_compiling_again() {
    let turns: Vec<_> = SAMPLES
        .iter()
        .flat_map(|s| [(state(s), 0u8, 7u64), (state(s), 1, 8)])
        .collect();
    let mut changed_play = 0;
    for path in templates() {
        let host = host();
        let what = path.display().to_string();
        let graph = VisualScriptGraph::load(&path).unwrap();
        let before = compile_linked(
            &CheckedGraph::new(graph.clone()).unwrap(),
            CompilationProfile::Debug,
            None,
        )
        .unwrap();
        let first = host.load_linked(&before).unwrap();
        assert_eq!(host.linked_compiles(), 1, "{what}");

        let mut edited = typed_numbers_moved(&graph, -20);
        edited.version = "7.7.7".into();
        let checked = CheckedGraph::new(edited.clone()).unwrap();
        let after =
            compile_linked(&checked, CompilationProfile::Debug, Some(&before.layout)).unwrap();
        assert_eq!(after.wasm, before.wasm, "{what}: the code is the same");
        if !before.layout.is_empty() {
            assert_ne!(after.inputs, before.inputs, "{what}: the values are not");
        }
        let second = host.load_linked(&after).unwrap();
        assert_eq!(host.linked_compiles(), 1, "{what}: nothing compiled again");
        assert!(second.identity().to_string().ends_with(" 7.7.7"), "{what}");

        // The new values are the ones played: the same turns as the game's module of the
        // edited graph, and on some sample not those of the graph before.
        same_turns(&host, &edited, &turns, &what);
        let (mut a, mut b) = (first.session(), second.session());
        for (state, slot, seed) in &turns {
            if a.play_turn(state, *slot, *seed).reply != b.play_turn(state, *slot, *seed).reply {
                changed_play += 1;
            }
        }
    }
    assert!(changed_play > 0, "moving every number changed no turn");
}

/// The first number typed on an unconnected input of a node that runs, now given by a new
/// Number node wired into it: an edit that removes one typed value and adds a node.
fn wire_a_typed_number(graph: &VisualScriptGraph) -> Option<VisualScriptGraph> {
    let program = aether_scripting::compile::ir::lower(&CheckedGraph::new(graph.clone()).ok()?);
    let runs: std::collections::BTreeSet<_> = program.functions.iter().map(|f| f.node).collect();
    for node in graph.nodes().filter(|n| runs.contains(&n.id)) {
        let spec = aether_scripting::catalog::spec(&node.kind)?;
        for port in spec.inputs {
            let to = PortRef::new(node.id, port.key);
            if port.ty != PinType::Number || graph.links_into(&to).next().is_some() {
                continue;
            }
            let mut edited = graph.clone();
            let value = match (node.values.get(port.key), port.default) {
                (Some(Value::Number(n)), _) => *n,
                (None, PortDefault::Number(n)) => n,
                _ => continue,
            };
            let number = edited.add_node("number", [0.0, 0.0]);
            edited.set_value(number, "value", Value::Number(value));
            edited.connect(PortRef::new(number, "value"), to);
            if CheckedGraph::new(edited.clone()).is_ok() {
                return Some(edited);
            }
        }
    }
    None
}

#[test]
fn an_edit_compiles_again_only_the_functions_it_changed() {
    let (mut kept_total, mut fresh_total, mut edits) = (0, 0, 0);
    for path in templates() {
        let what = path.display().to_string();
        let graph = VisualScriptGraph::load(&path).unwrap();
        let Some(edited) = wire_a_typed_number(&graph) else {
            continue;
        };
        edits += 1;
        // Functions compiled by the edit: new entries in the compile cache, carrying the input
        // layout from one compile to the next as the studio does, and starting afresh.
        let mut added = Vec::new();
        for keep in [true, false] {
            let cache = aether_scripting::host::CompileCache::in_memory();
            let host = ControllerHost::new(ControllerLimits {
                compile_cache: Some(cache.clone()),
                ..ControllerLimits::default()
            })
            .unwrap();
            let before = compile_linked(
                &CheckedGraph::new(graph.clone()).unwrap(),
                CompilationProfile::Debug,
                None,
            )
            .unwrap();
            host.load_linked(&before).unwrap();
            let entries = cache.len();
            let previous = keep.then_some(&before.layout);
            let after = compile_linked(
                &CheckedGraph::new(edited.clone()).unwrap(),
                CompilationProfile::Debug,
                previous,
            )
            .unwrap();
            host.load_linked(&after).unwrap();
            added.push(cache.len() - entries);
        }
        assert!(
            added[0] <= 2,
            "{what}: the edit compiled {} functions again (the edited node's and the new node's)",
            added[0]
        );
        println!(
            "{what}: {} functions compiled again keeping the layout, {} starting afresh",
            added[0], added[1]
        );
        kept_total += added[0];
        fresh_total += added[1];
        same_turns(
            &host(),
            &edited,
            &[(state(SAMPLES[0]), 0, 1), (state(SAMPLES[1]), 1, 2)],
            &what,
        );
    }
    assert!(
        edits >= 3,
        "only {edits} templates had a typed number to wire"
    );
    assert!(
        kept_total < fresh_total,
        "keeping the layout spared nothing: {kept_total} against {fresh_total} functions"
    );
}

#[test]
fn a_linked_module_missing_its_inputs_or_with_data_out_of_bounds_is_refused() {
    let graph = VisualScriptGraph::load(&templates()[0]).unwrap();
    let linked = compile_linked(
        &CheckedGraph::new(graph).unwrap(),
        CompilationProfile::Debug,
        None,
    )
    .unwrap();
    assert!(!linked.layout.is_empty(), "the template has typed values");

    let mut short = linked.clone();
    short.inputs.truncate(1);
    match host().load_linked(&short) {
        Err(LoadError::Import { module, name, .. }) => {
            assert_eq!((module.as_str(), name.as_str()), ("in", "p1"));
        }
        other => panic!("{other:?}"),
    }

    let mut far = linked.clone();
    far.data.push((u32::MAX - 2, vec![1, 2, 3, 4]));
    let err = host().load_linked(&far).unwrap_err().to_string();
    assert!(err.contains("out of bounds"), "{err}");

    // The module itself is fine: the right inputs and data load it.
    host().load_linked(&linked).unwrap();
}
