//! Functions: "Make function" keeps what a graph does, a function compiles once however many
//! calls it has, compiled calls reply exactly as the interpreter's, and the checker refuses what
//! cannot be (recursion, wires across canvases) at the right node.

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::collections::BTreeSet;

use aether_compile::{CompilationProfile, VisualScriptCompiler};
use aether_lang::catalog::{self, Op, PinType};
use aether_lang::check::{self, Location, Severity};
use aether_lang::graph::function::{FunctionId, Role, kind_function, node_kind, parse_kind};
use aether_lang::graph::{NodeId, PortRef, VisualScriptGraph};
use aether_lang::interp::{CheckedGraph, Rng, interpret};
use aether_lang::make_function::make_function;
use mc_tactical_types::TacticalState;
use mc_tactical_types::rules;

use support::{host, random, root, template};

const TEMPLATES: [&str; 5] = [
    "melee-rusher",
    "archer-skirmisher",
    "mage-support",
    "hill-defender",
    "tactician",
];

fn errors(g: &VisualScriptGraph) -> Vec<String> {
    check::check(g)
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.render(g))
        .collect()
}

fn spec_of(g: &VisualScriptGraph, id: NodeId) -> Option<&'static catalog::NodeSpec> {
    g.node(id).and_then(|n| catalog::spec(&n.kind))
}

/// A selection a creator might make: an execution node of `scope` and what follows it, a few
/// steps deep, now and then with some of the pure nodes it reads.
fn random_selection(
    rng: &mut Rng,
    g: &VisualScriptGraph,
    scope: Option<FunctionId>,
) -> Vec<NodeId> {
    let candidates: Vec<NodeId> = g
        .nodes_in(scope)
        .filter(|n| {
            catalog::spec(&n.kind).is_some_and(|s| {
                s.is_exec()
                    && !s.op.is_entry()
                    && !matches!(s.op, Op::FunctionInputs | Op::FunctionOutputs)
            })
        })
        .map(|n| n.id)
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let first = candidates[rng.between(0, candidates.len() as i32 - 1) as usize];
    let depth = rng.between(0, 7);
    let mut picked = vec![first];
    let mut frontier = vec![first];
    for _ in 0..depth {
        let mut next = Vec::new();
        for &n in &frontier {
            for l in g.links().filter(|l| l.from.node == n) {
                let exec = spec_of(g, n)
                    .and_then(|s| s.output(&l.from.port))
                    .is_some_and(|p| p.ty == PinType::Exec);
                if exec && !picked.contains(&l.to.node) {
                    picked.push(l.to.node);
                    next.push(l.to.node);
                }
            }
        }
        frontier = next;
    }
    if rng.between(0, 1) == 0 {
        let pure: Vec<NodeId> = g
            .links()
            .filter(|l| picked.contains(&l.to.node))
            .map(|l| l.from.node)
            .filter(|&n| spec_of(g, n).is_some_and(|s| !s.is_exec()))
            .collect();
        for n in pure {
            if rng.between(0, 1) == 0 && !picked.contains(&n) {
                picked.push(n);
            }
        }
    }
    picked
}

/// A second call of `call`'s function right after it, its inputs wired from the same places.
fn call_again(g: &mut VisualScriptGraph, call: NodeId) -> NodeId {
    let node = g.node(call).unwrap().clone();
    let (_, id) = parse_kind(&node.kind).unwrap();
    let again = g
        .add_call(id, [node.pos[0], node.pos[1] + 150.0], node.function)
        .unwrap();
    let then = PortRef::new(call, "then");
    let after: Vec<_> = g.links_from(&then).cloned().collect();
    for l in after {
        g.disconnect(l.id);
        g.connect(PortRef::new(again, "then"), l.to);
    }
    g.connect(then, PortRef::new(again, "exec"));
    let wires: Vec<_> = g.links().filter(|l| l.to.node == call).cloned().collect();
    for l in wires.into_iter().filter(|l| l.to.port != "exec") {
        g.connect(l.from, PortRef::new(again, l.to.port));
    }
    for (k, v) in node.values {
        g.set_value(again, k, v);
    }
    again
}

fn random_turn(rng: &mut Rng) -> (TacticalState, u8, u64) {
    let state = random::random_state(rng);
    let slot = rng.between(0, state.players.len() as i32 - 1) as u8;
    (state, slot, rng.next_u64())
}

/// The compiled module replies as the interpreter does on `turns` random turns; returns the
/// number of actions sent.
fn compiled_agrees(rng: &mut Rng, g: &VisualScriptGraph, turns: usize, what: &str) -> usize {
    let checked = CheckedGraph::new(g.clone())
        .unwrap_or_else(|_| panic!("{what}: {:?}\n{}", errors(g), g.to_json()));
    let artifact =
        VisualScriptCompiler::compile_checked(&checked, CompilationProfile::Debug).unwrap();
    let mut session = host().load(&artifact.wasm_bytes).unwrap().session();
    let mut sent = 0;
    for _ in 0..turns {
        let (state, slot, seed) = random_turn(rng);
        let report = session.play_turn(&state, slot, seed);
        if let aether_host::TurnOutcome::OutOfFuel { .. } = report.outcome {
            continue;
        }
        let view = rules::view_for(&state, slot);
        let want = interpret(&checked, &view, slot, seed).actions;
        assert_eq!(
            report.reply,
            postcard::to_allocvec(&want).unwrap(),
            "{what}: compiled and interpreted replies differ\n{}",
            g.to_json()
        );
        sent += want.len();
    }
    sent
}

#[test]
fn make_function_keeps_what_the_graph_does_and_compiled_calls_agree() {
    let mut rng = Rng::new(0xf00d_0001);
    let mut made = 0;
    let mut nested = 0;
    let mut twice = 0;
    let mut refused = BTreeSet::new();
    let mut sent = 0;
    let mut sources: Vec<(String, VisualScriptGraph)> = TEMPLATES
        .iter()
        .map(|t| ((*t).to_owned(), template(t)))
        .collect();
    for i in 0..30 {
        let size = rng.between(4, 24);
        sources.push((
            format!("random graph {i}"),
            random::random_graph(&mut rng, size),
        ));
    }
    for (name, original) in &sources {
        let before = CheckedGraph::new(original.clone()).unwrap();
        for attempt in 0..8 {
            let mut g = original.clone();
            let mut calls = Vec::new();
            // One to three functions, the later ones possibly inside the earlier.
            for round in 0..rng.between(1, 3) {
                let scope = if round > 0 && rng.between(0, 1) == 0 {
                    g.functions().last().map(|f| f.id)
                } else {
                    None
                };
                let selection = random_selection(&mut rng, &g, scope);
                let copy = g.clone();
                match make_function(&mut g, &selection, "Part") {
                    Ok(m) => {
                        made += 1;
                        nested += usize::from(scope.is_some());
                        calls.push(m.call);
                        assert!(
                            errors(&g).is_empty(),
                            "{name}, attempt {attempt}: the made function has errors {:?}\n{}",
                            errors(&g),
                            g.to_json()
                        );
                    }
                    Err(why) => {
                        assert_eq!(g, copy, "a refused Make function changed the graph");
                        refused.insert(why.split(" (").next().unwrap_or("").to_owned());
                    }
                }
            }
            if calls.is_empty() {
                continue;
            }
            // Same behaviour as before, by the interpreter.
            let after = CheckedGraph::new(g.clone()).unwrap();
            for _ in 0..4 {
                let (state, slot, seed) = random_turn(&mut rng);
                let view = rules::view_for(&state, slot);
                assert_eq!(
                    interpret(&before, &view, slot, seed).actions,
                    interpret(&after, &view, slot, seed).actions,
                    "{name}, attempt {attempt}: Make function changed what the AI does\n{}",
                    g.to_json()
                );
            }
            sent += compiled_agrees(&mut rng, &g, 3, name);
            // A function used twice: still compiled as the interpreter runs it.
            let again = call_again(&mut g, calls[0]);
            if errors(&g).is_empty() {
                twice += 1;
                sent += compiled_agrees(&mut rng, &g, 3, name);
                assert!(g.node(again).is_some());
            }
        }
    }
    eprintln!(
        "{made} functions made ({nested} inside another), {twice} graphs calling one twice, {sent} actions compared; refusals seen: {refused:#?}"
    );
    assert!(made >= 150, "only {made} functions made");
    assert!(nested >= 10, "only {nested} functions made inside another");
    assert!(
        twice >= 100,
        "only {twice} graphs with a function called twice"
    );
    assert!(sent >= 300, "only {sent} actions compared");
}

/// The melee-rusher's attack-or-march part made into a function, as a creator would.
fn rusher_with_function() -> (VisualScriptGraph, aether_lang::make_function::Made) {
    let mut g = template("melee-rusher");
    // Branch #5 and everything after it, with the queries.
    let selection: Vec<NodeId> = (3..=14).map(NodeId).collect();
    let made = make_function(&mut g, &selection, "Charge").unwrap();
    (g, made)
}

#[test]
fn a_function_is_one_wasm_function_however_many_calls_it_has() {
    let (g, made) = rusher_with_function();
    let one = VisualScriptCompiler::compile_with(&g, CompilationProfile::Debug).unwrap();
    let mut two = g.clone();
    call_again(&mut two, made.call);
    let two_art = VisualScriptCompiler::compile_with(&two, CompilationProfile::Debug).unwrap();
    let (inputs, _) = g.function_ends(made.function);
    let inputs = inputs.unwrap();
    // The function's nodes each have their function once, in both modules; the second call
    // adds one function (the call itself), not a copy of the function's body.
    let functions = |a: &aether_compile::ScriptArtifact| {
        wasmparser::Parser::new(0)
            .parse_all(&a.wasm_bytes)
            .filter_map(|p| match p {
                Ok(wasmparser::Payload::FunctionSection(s)) => Some(s.count()),
                _ => None,
            })
            .sum::<u32>()
    };
    assert_eq!(functions(&two_art), functions(&one) + 1);
    assert_eq!(two_art.node_code.len(), one.node_code.len() + 1);
    for id in g
        .nodes()
        .filter(|n| n.function == Some(made.function))
        .map(|n| n.id)
    {
        let code =
            |a: &aether_compile::ScriptArtifact| a.node_code.get(&id).map(|c| c.symbol.clone());
        assert!(code(&one).is_some(), "node {id} has no code");
        assert_eq!(code(&one), code(&two_art), "node {id}");
    }
    assert!(one.node_code.contains_key(&inputs));
}

#[test]
fn recursion_and_wires_across_canvases_are_refused_where_they_are() {
    let (mut g, made) = rusher_with_function();
    // A call of Charge inside Charge.
    let (inputs, _) = g.function_ends(made.function);
    let inner = g
        .add_call(made.function, [0.0, 900.0], Some(made.function))
        .unwrap();
    let d = check::check(&g);
    let rec: Vec<_> = d.iter().filter(|d| d.code == "recursion").collect();
    assert_eq!(rec.len(), 1, "{d:#?}");
    assert_eq!(rec[0].location, Location::Node(inner));
    assert!(
        rec[0].message.contains("Charge calls itself"),
        "{}",
        rec[0].message
    );
    // The call on the graph's canvas says its function has a problem inside.
    assert!(
        d.iter()
            .any(|x| x.code == "function-has-errors" && x.location == Location::Node(made.call)),
        "{d:#?}"
    );
    assert!(CheckedGraph::new(g.clone()).is_err());
    g.remove_node(inner);
    // A wire from the function's Inputs to a node of the graph's canvas.
    let on_turn = g.nodes().find(|n| n.kind == "on_turn").unwrap().id;
    let outside = g.add_node("attack", [0.0, 0.0]);
    g.connect(PortRef::new(on_turn, "then"), PortRef::new(outside, "exec"));
    let unit = g
        .function(made.function)
        .unwrap()
        .inputs
        .iter()
        .find(|p| p.name == "Unit")
        .unwrap()
        .key
        .clone();
    let wire = g.connect(
        PortRef::new(inputs.unwrap(), unit),
        PortRef::new(outside, "unit"),
    );
    let d = check::check(&g);
    assert!(
        d.iter()
            .any(|x| x.code == "crosses-function" && x.location == Location::Link(wire)),
        "{d:#?}"
    );
}

#[test]
fn functions_survive_the_file_and_older_files_load_unchanged() {
    let (g, made) = rusher_with_function();
    let text = g.to_json();
    assert!(text.contains("\"version\": 3"), "{text}");
    assert!(text.contains("\"kind\": \"fn:call:1\""), "{text}");
    let back = VisualScriptGraph::from_json(&text).unwrap();
    assert_eq!(back, g);
    assert_eq!(back.to_json(), text);
    // The roles and the signature come back.
    let call = back.node(made.call).unwrap();
    let (role, id) = parse_kind(&call.kind).unwrap();
    assert_eq!((role, id), (Role::Call, made.function));
    let (_, f) = kind_function(&call.kind).unwrap();
    assert_eq!(f.id, made.function);
    assert_eq!(f.name, "Charge");
    assert_eq!(f.inputs.len(), 1, "{f:?}");
    // A template without functions is still written as version 1, byte for byte.
    let path = root().join("examples/graphs/melee-rusher.mcgraph.json");
    let old = std::fs::read_to_string(&path).unwrap();
    assert_eq!(VisualScriptGraph::from_json(&old).unwrap().to_json(), old);
    // A version 1 file that holds a function is refused with the reason.
    let lying = text.replace("\"version\": 3", "\"version\": 1");
    let err = VisualScriptGraph::from_json(&lying)
        .unwrap_err()
        .to_string();
    assert!(err.contains("functions need format version 3"), "{err}");
    // A node in a function the file does not declare.
    let stray = text.replace(
        "\"functions\": [",
        "\"functions\": [\n  ],\n  \"unused\": [",
    );
    assert!(VisualScriptGraph::from_json(&stray).is_err());
}

#[test]
fn a_library_file_carries_functions_to_another_graph_where_they_play_the_same() {
    let (g, made) = rusher_with_function();
    let dir = std::env::temp_dir().join(format!("cs-fnlib-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("charge.mcfunctions.json");
    g.library_of(&[made.function]).save(&path).unwrap();
    let lib = VisualScriptGraph::load(&path).unwrap();
    assert_eq!(lib.functions().count(), 1);
    assert!(
        lib.nodes_in(None).next().is_none(),
        "only the function's nodes"
    );

    // A new AI: On Turn → For Each Unit → the library's Charge.
    let mut fresh = VisualScriptGraph::new();
    let turn = fresh.add_node("on_turn", [0.0, 0.0]);
    let each = fresh.add_node("for_each_unit", [200.0, 0.0]);
    fresh.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    let ids = fresh.import_functions(&lib);
    assert_eq!(ids.len(), 1);
    assert_eq!(fresh.function(ids[0]).unwrap().name, "Charge");
    let call = fresh.add_call(ids[0], [400.0, 0.0], None).unwrap();
    fresh.connect(PortRef::new(each, "body"), PortRef::new(call, "exec"));
    let unit = fresh.function(ids[0]).unwrap().inputs[0].key.clone();
    fresh.connect(PortRef::new(each, "unit"), PortRef::new(call, unit));
    assert!(errors(&fresh).is_empty(), "{:?}", errors(&fresh));
    // Imported twice: the second is renamed, nothing clashes.
    let again = fresh.clone().import_functions(&lib);
    assert_eq!(again.len(), 1);

    let original = CheckedGraph::new(template("melee-rusher")).unwrap();
    let copy = CheckedGraph::new(fresh).unwrap();
    let mut rng = Rng::new(7);
    for _ in 0..20 {
        let (state, slot, seed) = random_turn(&mut rng);
        let view = rules::view_for(&state, slot);
        assert_eq!(
            interpret(&original, &view, slot, seed).actions,
            interpret(&copy, &view, slot, seed).actions
        );
    }
}

/// A call pasted into another graph (through the clipboard's file text) follows the function of
/// the same name there; where there is none, it is an error on the node, even when another
/// function of the graph has the same id (it is never run as that one).
#[test]
fn a_call_pasted_into_another_graph_finds_its_function_by_name_or_is_an_error() {
    let (g, made) = rusher_with_function();
    let clip = VisualScriptGraph::from_json(&g.fragment(&[made.call]).to_json()).unwrap();
    let unknown = |g: &VisualScriptGraph| -> Vec<Location> {
        check::check(g)
            .into_iter()
            .filter(|d| d.code == "unknown-function")
            .map(|d| d.location)
            .collect()
    };
    // No functions at all.
    let mut bare = VisualScriptGraph::new();
    bare.add_node("on_turn", [0.0, 0.0]);
    let pasted = bare.merge(&clip, [0.0, 0.0]);
    assert_eq!(unknown(&bare), vec![Location::Node(pasted[0])]);
    // Another function holds the id.
    let mut other = VisualScriptGraph::new();
    other.add_node("on_turn", [0.0, 0.0]);
    let id = other.add_function("Retreat", [0.0, 0.0]);
    assert_eq!(id, made.function, "the same id, another function");
    let pasted = other.merge(&clip, [0.0, 0.0]);
    assert_eq!(unknown(&other), vec![Location::Node(pasted[0])]);
    assert_ne!(
        other.node(pasted[0]).unwrap().kind,
        node_kind(Role::Call, other.function(id).unwrap()),
        "not a call of Retreat"
    );
    assert!(
        CheckedGraph::new(other.clone()).is_err(),
        "so it never runs"
    );
    // A graph with its own Charge (another id): the call is Charge's.
    let mut with = VisualScriptGraph::new();
    with.add_node("on_turn", [0.0, 0.0]);
    with.add_function("Retreat", [0.0, 0.0]);
    let charge = with.import_functions(&g.library_of(&[made.function]))[0];
    assert_ne!(charge, made.function);
    let pasted = with.merge(&clip, [0.0, 0.0]);
    assert!(unknown(&with).is_empty(), "{:?}", unknown(&with));
    assert_eq!(with.calls_of(charge), pasted);
}

/// A chain of 5,000 functions, each calling the next, checks clean and compiles; closed into a
/// loop (the last calls the first), each of its 5,000 calls is reported as recursion once, and
/// the On Turn's call as a call of a function with a problem inside. (Finding recursion searched
/// from every call, and the errors at calls asked the whole graph for each function's calls:
/// time growing with the square of the chain, 19.5 s to compile 20,000. The `scaling`
/// benchmark measures chains of 2,000 and 20,000.)
#[test]
fn a_long_chain_of_calls_compiles_and_closed_into_a_loop_is_recursion_at_every_call() {
    const COUNT: usize = 5_000;
    let open = support::chain_of_functions(COUNT);
    assert_eq!(errors(&open), Vec::<String>::new());
    let artifact = VisualScriptCompiler::compile(&open).expect("the chain compiles");
    assert!(!artifact.wasm_bytes.is_empty());

    let mut closed = open.clone();
    let ids: Vec<FunctionId> = closed.functions().map(|f| f.id).collect();
    let (first, last) = (ids[0], ids[COUNT - 1]);
    let (inputs, _) = closed.function_ends(last);
    let back = closed.add_call(first, [0.0, 0.0], Some(last)).unwrap();
    closed.connect(
        PortRef::new(inputs.unwrap(), "then"),
        PortRef::new(back, "exec"),
    );
    let found = check::check(&closed);
    let recursion: Vec<_> = found.iter().filter(|d| d.code == "recursion").collect();
    assert_eq!(recursion.len(), COUNT, "one at each call inside the loop");
    assert!(
        recursion
            .iter()
            .any(|d| d.location == Location::Node(back) && d.message.contains("leads back")),
        "the call that closes the loop names it"
    );
    let on_turn_call = closed
        .nodes_in(None)
        .find(|n| parse_kind(&n.kind).is_some_and(|(role, _)| role == Role::Call))
        .unwrap()
        .id;
    assert!(
        found
            .iter()
            .any(|d| d.code == "function-has-errors" && d.location == Location::Node(on_turn_call))
    );
}
