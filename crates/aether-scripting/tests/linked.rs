//! The preview's linked modules (a graph module importing the runtime compiled once) play every
//! turn as the single module the game runs: the same reply, outcome, fuel and memory, turn
//! after turn on one instance, on the templates, the samples and random graphs.

#[path = "../../../tests/support/mod.rs"]
mod support;

use aether_compile::{
    CompilationProfile, LinkedModule, LinkedState, VisualScriptCompiler, compile_linked,
};
use aether_host::{ControllerHost, ControllerLimits, LoadError, TurnReport};
use aether_lang::catalog::{PinType, PortDefault};
use aether_lang::graph::{PortRef, Value, VisualScriptGraph};
use aether_lang::interp::{CheckedGraph, Rng};

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
    same_turns_after(host, graph, None, turns, what).0
}

/// As [`same_turns`], the linked module compiled after `previous` (an earlier compile of the
/// graph before an edit); returns the fuel and the linked module.
fn same_turns_after(
    host: &ControllerHost,
    graph: &VisualScriptGraph,
    previous: Option<&LinkedState>,
    turns: &[(mc_tactical_types::TacticalState, u8, u64)],
    what: &str,
) -> (u64, LinkedModule) {
    let checked = CheckedGraph::new(graph.clone()).unwrap();
    let single = VisualScriptCompiler::compile_checked(&checked, CompilationProfile::Debug)
        .unwrap()
        .wasm_bytes;
    let linked = compile_linked(&checked, CompilationProfile::Debug, previous).unwrap();
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
    (fuel, linked)
}

/// Functions a module defines.
fn defined_functions(wasm: &[u8]) -> usize {
    wasmparser::Parser::new(0)
        .parse_all(wasm)
        .filter_map(Result::ok)
        .filter(|p| matches!(p, wasmparser::Payload::CodeSectionEntry(_)))
        .count()
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
    let linked = aether_compile::LinkedModule {
        wasm: bytes,
        inputs: Vec::new(),
        base: None,
        data: Vec::new(),
        state: Default::default(),
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
        let Some(spec) = aether_lang::catalog::spec(&node.kind) else {
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
            compile_linked(&checked, CompilationProfile::Debug, Some(&before.state)).unwrap();
        assert_eq!(after.wasm, before.wasm, "{what}: the code is the same");
        if !before.state.layout().is_empty() {
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

/// A Reroute put on the `k`-th execution wire (by link id, wrapping): a node added where
/// execution passes.
fn insert_reroute(graph: &VisualScriptGraph, k: usize) -> Option<VisualScriptGraph> {
    let exec: Vec<_> = graph
        .links()
        .filter(|l| {
            graph
                .node(l.from.node)
                .and_then(|n| aether_lang::catalog::spec(&n.kind))
                .and_then(|s| s.outputs.iter().find(|p| p.key == l.from.port))
                .is_some_and(|p| p.ty == PinType::Exec)
        })
        .map(|l| (l.id, l.from.clone(), l.to.clone()))
        .collect();
    if exec.is_empty() {
        return None;
    }
    let (id, from, to) = exec[k % exec.len()].clone();
    let mut edited = graph.clone();
    edited.disconnect(id);
    let reroute = edited.add_node_in("reroute_exec", [0.0, 0.0], graph.node(from.node)?.function);
    edited.connect(from, PortRef::new(reroute, "exec"));
    edited.connect(PortRef::new(reroute, "then"), to);
    CheckedGraph::new(edited.clone()).ok().map(|_| edited)
}

/// A Number node wired into an input taken out (by index, wrapping), the input typed again:
/// its typed value comes back, perhaps at another place than it had.
fn unwire_a_number(graph: &VisualScriptGraph, k: usize) -> Option<VisualScriptGraph> {
    let numbers: Vec<_> = graph
        .nodes()
        .filter(|n| n.kind == "number" && graph.links().any(|l| l.from.node == n.id))
        .map(|n| n.id)
        .collect();
    let mut edited = graph.clone();
    edited.remove_node(*numbers.get(k % numbers.len().max(1))?);
    CheckedGraph::new(edited.clone()).ok().map(|_| edited)
}

/// The unconnected number inputs of the nodes that run, in node order.
fn typed_number_inputs(graph: &VisualScriptGraph) -> Vec<PortRef> {
    let Ok(checked) = CheckedGraph::new(graph.clone()) else {
        return Vec::new();
    };
    let program = aether_compile::ir::lower(&checked);
    let runs: std::collections::BTreeSet<_> = program.functions.iter().map(|f| f.node).collect();
    let mut inputs = Vec::new();
    for node in graph.nodes().filter(|n| runs.contains(&n.id)) {
        let Some(spec) = aether_lang::catalog::spec(&node.kind) else {
            continue;
        };
        for port in spec.inputs {
            let to = PortRef::new(node.id, port.key);
            if port.ty == PinType::Number
                && matches!(port.default, PortDefault::Number(_))
                && graph.links_into(&to).next().is_none()
            {
                inputs.push(to);
            }
        }
    }
    inputs
}

/// `to` given by a new Number node holding `value`.
fn wire_number(graph: &VisualScriptGraph, to: PortRef, value: i32) -> Option<VisualScriptGraph> {
    let mut edited = graph.clone();
    let number = edited.add_node_in("number", [0.0, 0.0], graph.node(to.node)?.function);
    edited.set_value(number, "value", Value::Number(value));
    edited.connect(PortRef::new(number, "value"), to);
    CheckedGraph::new(edited.clone()).ok().map(|_| edited)
}

/// The `k`-th typed number (wrapping) on an unconnected input of a node that runs, now given
/// by a new Number node wired into it.
fn wire_the_kth_typed_number(graph: &VisualScriptGraph, k: usize) -> Option<VisualScriptGraph> {
    let inputs = typed_number_inputs(graph);
    let to = inputs.get(k % inputs.len().max(1))?.clone();
    wire_number(graph, to, k as i32 % 7)
}

#[test]
fn a_typed_value_back_at_another_place_has_its_node_compiled_again() {
    let path = templates()
        .into_iter()
        .find(|p| p.ends_with("tactician.mcgraph.json"))
        .unwrap();
    let graph = VisualScriptGraph::load(&path).unwrap();
    let turns: Vec<_> = SAMPLES
        .iter()
        .flat_map(|s| [(state(s), 0u8, 5u64), (state(s), 1, 6)])
        .collect();
    let host = host();
    let whole = same_turns_after(&host, &graph, None, &turns, "before").1;
    let inputs = typed_number_inputs(&graph);
    let (first, last) = (inputs[0].clone(), inputs[inputs.len() - 1].clone());
    assert!(first.node < last.node);
    // The last node's input wired: its place goes to the new Number node's value.
    let one = wire_number(&graph, last.clone(), 9).unwrap();
    let after_one = same_turns_after(&host, &one, Some(&whole.state), &turns, "one").1;
    // That Number node taken out, the first node's input wired: the last node's input is typed
    // again, as in the whole module, but its old place is not the lowest free one any more.
    let wired = one
        .nodes()
        .find(|n| n.kind == "number" && one.links().any(|l| l.from.node == n.id && l.to == last))
        .unwrap()
        .id;
    let mut two = one.clone();
    two.remove_node(wired);
    let two = wire_number(&two, first, 2).unwrap();
    let after_two = same_turns_after(&host, &two, Some(&after_one.state), &turns, "two").1;
    assert!(after_two.base.is_some(), "built on the whole module");
    let place = |linked: &LinkedModule| linked.state.layout().place_of(last.node, &last.port);
    assert_ne!(place(&after_two), place(&whole), "the value moved");
    // The debug profile names the module's own functions (`node#12 Compare`).
    let name = format!("node{} ", last.node);
    let compiled_again = after_two
        .wasm
        .windows(name.len())
        .any(|w| w == name.as_bytes());
    assert!(
        compiled_again,
        "the node whose value moved is compiled again"
    );
}

#[test]
fn an_edit_compiles_only_what_it_changed_and_plays_as_the_game_module() {
    // Sequences of edits as a creator makes them, each compiled after the one before as the
    // studio does, each loaded through one host and played against the game's module.
    let turns: Vec<_> = SAMPLES
        .iter()
        .take(3)
        .flat_map(|s| [(state(s), 0u8, 3u64), (state(s), 1, 4)])
        .collect();
    let mut rng = Rng::new(0x5eed);
    let mut graphs: Vec<(String, VisualScriptGraph)> = templates()
        .iter()
        .map(|p| (p.display().to_string(), VisualScriptGraph::load(p).unwrap()))
        .collect();
    for i in 0..12 {
        let size = rng.between(4, 24);
        graphs.push((
            format!("random graph {i}"),
            random::random_graph(&mut rng, size),
        ));
    }
    // More typed values than one block of input places: a tactician whose first typed number
    // is the sum of a chain of 30 Adds, each with a number typed on it.
    let tactician = graphs
        .iter()
        .find(|(what, _)| what.ends_with("tactician.mcgraph.json"))
        .map(|(_, g)| g.clone())
        .unwrap();
    let into = typed_number_inputs(&tactician)[0].clone();
    let mut long = tactician.clone();
    let scope = long.node(into.node).unwrap().function;
    let mut previous: Option<aether_lang::graph::NodeId> = None;
    for j in 0..30 {
        let add = long.add_node_in("add", [0.0, 0.0], scope);
        long.set_value(add, "b", Value::Number(j % 3 - 1));
        if let Some(p) = previous {
            long.connect(PortRef::new(p, "result"), PortRef::new(add, "a"));
        }
        previous = Some(add);
    }
    long.connect(PortRef::new(previous.unwrap(), "result"), into);
    CheckedGraph::new(long.clone()).unwrap();
    graphs.push(("the tactician with a chain of Adds".into(), long));
    let (mut edits, mut built_on_base, mut partial, mut whole) = (0, 0, 0, 0);
    let mut widest = 0;
    for (what, mut graph) in graphs {
        let host = host();
        let mut state = same_turns_after(&host, &graph, None, &turns, &what).1.state;
        for step in 0..8 {
            let k = rng.between(0, 1000) as usize;
            let edited = match rng.between(0, 5) {
                5 => {
                    // A variable declared before the others: every variable's index moves.
                    let mut g = graph.clone();
                    g.variables.insert(
                        0,
                        aether_lang::graph::Variable {
                            name: format!("extra {step}"),
                            ty: aether_lang::graph::VarType::Number,
                        },
                    );
                    CheckedGraph::new(g.clone()).ok().map(|_| g)
                }
                0 => insert_reroute(&graph, k),
                1 => wire_the_kth_typed_number(&graph, k),
                4 => unwire_a_number(&graph, k),
                2 => Some(typed_numbers_moved(&graph, rng.between(-3, 3))),
                _ => graph
                    .nodes()
                    .filter(|n| n.kind == "reroute_exec")
                    .nth(k % 4)
                    .and_then(|n| {
                        // A Reroute taken out again, its wires joined.
                        let into = graph.links().find(|l| l.to.node == n.id)?.from.clone();
                        let out = graph.links().find(|l| l.from.node == n.id)?.to.clone();
                        let mut g = graph.clone();
                        g.remove_node(n.id);
                        g.connect(into, out);
                        CheckedGraph::new(g.clone()).ok().map(|_| g)
                    }),
            };
            let Some(edited) = edited else { continue };
            let what = format!("{what}, edit {step}");
            let (_, linked) = same_turns_after(&host, &edited, Some(&state), &turns, &what);
            edits += 1;
            let all = aether_compile::ir::lower(&CheckedGraph::new(edited.clone()).unwrap())
                .functions
                .len();
            if linked.base.is_some() {
                built_on_base += 1;
                let own = defined_functions(&linked.wasm) - 2;
                assert!(
                    own * 2 <= all,
                    "{what}: {own} of {all} functions compiled again"
                );
                if own < all {
                    partial += 1;
                }
            } else {
                whole += 1;
            }
            widest = widest.max(linked.state.layout().len());
            state = linked.state;
            graph = edited;
        }
    }
    println!(
        "{edits} edits: {built_on_base} built on the last whole module ({partial} with fewer \
         functions than the graph), {whole} whole"
    );
    assert!(edits >= 60, "only {edits} edits were made");
    assert!(
        widest > 32,
        "no graph had more typed values than a block of places: {widest}"
    );
    assert!(
        built_on_base * 2 > edits,
        "most edits build on the last whole module: {built_on_base} of {edits}"
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
    assert!(
        !linked.state.layout().is_empty(),
        "the template has typed values"
    );

    // The same bytes, compiled already by this host, with too few inputs: still refused by name.
    let host = host();
    host.load_linked(&linked).unwrap();
    let mut short = linked.clone();
    short.inputs.truncate(1);
    match host.load_linked(&short) {
        Err(LoadError::Import { module, name, .. }) => {
            assert_eq!((module.as_str(), name.as_str()), ("in", "p1"));
        }
        other => panic!("{other:?}"),
    }

    let mut far = linked.clone();
    far.data.push((u32::MAX - 2, vec![1, 2, 3, 4]));
    let err = host.load_linked(&far).unwrap_err().to_string();
    assert!(err.contains("out of bounds"), "{err}");

    // A base it does not import from is refused too.
    let based = LinkedModule {
        wasm: wat::parse_str(r#"(module (import "base" "n1" (func)))"#).unwrap(),
        base: None,
        inputs: Vec::new(),
        data: Vec::new(),
        state: Default::default(),
    };
    match host.load_linked(&based) {
        Err(LoadError::Import { module, .. }) => assert_eq!(module, "base"),
        other => panic!("{other:?}"),
    }
}
