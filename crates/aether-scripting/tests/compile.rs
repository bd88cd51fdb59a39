//! The compiler against the reference interpreter: the compiled module, run by the real host
//! under the real caps, must reply with exactly `postcard(interpret(..).actions)`.

#[path = "../../../tests/support/mod.rs"]
mod support;

use aether_compile::{CompilationProfile, VisualScriptCompiler};
use aether_host::{ControllerSession, TurnOutcome};
use aether_lang::graph::VisualScriptGraph;
use aether_lang::interp::{CheckedGraph, Rng, interpret};
use mc_tactical_types::TacticalState;
use mc_tactical_types::rules::{self, TurnLedger};

use support::{SAMPLES, host, random, root, state, template};

const TEMPLATES: [&str; 5] = [
    "melee-rusher",
    "archer-skirmisher",
    "mage-support",
    "hill-defender",
    "tactician",
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
    agree_within_fuel(checked, session, state, slot, seed, what)
        .unwrap_or_else(|| panic!("{what}: out of fuel"))
}

/// As [`agree`], but `None` when the compiled turn ran out of fuel (the interpreter has no
/// budget, so a graph with loops nested three deep can outrun it on a crowded state).
fn agree_within_fuel(
    checked: &CheckedGraph,
    session: &mut ControllerSession,
    state: &TacticalState,
    slot: u8,
    seed: u64,
    what: &str,
) -> Option<usize> {
    let view = rules::view_for(state, slot);
    let report = session.play_turn(state, slot, seed);
    if let TurnOutcome::OutOfFuel { .. } = report.outcome {
        return None;
    }
    let expected = interpret(checked, &view, slot, seed).actions;
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
    Some(expected.len())
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
    let mut out_of_fuel = 0;
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
            let what = format!("random graph {i}:\n{}\n", graph.to_json());
            match agree_within_fuel(&checked, &mut session, &state, slot, seed, &what) {
                Some(n) => sent += n,
                None => out_of_fuel += 1,
            }
            triples += 1;
        }
    }
    assert!(
        out_of_fuel * 100 <= triples,
        "{out_of_fuel} of {triples} turns ran out of fuel"
    );
    eprintln!(
        "{graphs} random graphs and 5 templates: {triples} turns, {sent} actions, identical \
         ({out_of_fuel} turns out of fuel, not compared)"
    );
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
        let diagnostics = aether_lang::check::check(&b.graph);
        let hit = diagnostics.iter().any(|d| {
            d.code == b.code
                && b.at.iter().any(|at| {
                    at == &d.location
                        || at.node(&b.graph) == d.location.node(&b.graph)
                            && !matches!(at, aether_lang::check::Location::Graph)
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
            Err(aether_compile::CompileError::Diagnostics(d)) => assert_eq!(d, diagnostics),
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

/// A compiled module called directly, as the contract describes, without the host's checks:
/// the state and the reply buffer in pages past the module's own.
struct Raw {
    store: wasmtime::Store<()>,
    memory: wasmtime::Memory,
    decide: wasmtime::TypedFunc<(i32, i32, i32, i64, i32, i32), i32>,
    region: usize,
}

const REGION: usize = 1 << 20;

impl Raw {
    fn new(wasm: &[u8]) -> Raw {
        let mut config = wasmtime::Config::new();
        config.consume_fuel(true);
        let engine = wasmtime::Engine::new(&config).unwrap();
        let module = wasmtime::Module::new(&engine, wasm).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        store.set_fuel(100_000_000).unwrap();
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).unwrap();
        let memory = instance.get_memory(&mut store, "memory").unwrap();
        let init = instance
            .get_typed_func::<(), i32>(&mut store, "init")
            .unwrap();
        assert_eq!(init.call(&mut store, ()).unwrap(), 1);
        let decide = instance.get_typed_func(&mut store, "decide_turn").unwrap();
        let pages = memory.grow(&mut store, (REGION / 65536) as u64).unwrap();
        Raw {
            store,
            memory,
            decide,
            region: pages as usize * 65536,
        }
    }

    /// `decide_turn` on `input`; the return value and the reply (empty unless it is >= 0).
    /// A trap fails the test.
    fn call(&mut self, input: &[u8], slot: u8, seed: u64, cap: usize) -> (i32, Vec<u8>) {
        assert!(input.len() + cap <= REGION);
        let out = self.region + input.len().next_multiple_of(8);
        self.memory
            .write(&mut self.store, self.region, input)
            .unwrap();
        self.store.set_fuel(100_000_000).unwrap();
        let args = (
            self.region as i32,
            input.len() as i32,
            i32::from(slot),
            seed as i64,
            out as i32,
            cap as i32,
        );
        let r = self
            .decide
            .call(&mut self.store, args)
            .unwrap_or_else(|e| panic!("decide_turn trapped: {e:#}"));
        let mut reply = vec![0; r.max(0) as usize];
        self.memory.read(&self.store, out, &mut reply).unwrap();
        (r, reply)
    }
}

#[test]
fn malformed_states_give_a_negative_code_never_a_trap() {
    let graph = template("melee-rusher");
    let checked = CheckedGraph::new(graph.clone()).unwrap();
    let wasm = VisualScriptCompiler::compile(&graph).unwrap().wasm_bytes;
    let mut raw = Raw::new(&wasm);
    let mut rng = Rng::new(0x5eed_0003);
    let (mut decoded_ok, mut refused) = (0, 0);
    for _ in 0..40 {
        let (state, slot, seed) = random_turn(&mut rng);
        let view = rules::view_for(&state, slot);
        let bytes = postcard::to_allocvec(&view).unwrap();
        // Cuts of a valid state (about 60 places each) are malformed.
        for cut in (0..bytes.len()).step_by(1 + bytes.len() / 60) {
            let (r, _) = raw.call(&bytes[..cut], slot, seed, 65536);
            assert!(
                r < 0,
                "a state cut to {cut} of {} bytes was accepted",
                bytes.len()
            );
        }
        // Random damage: refused, or understood exactly as postcard and the interpreter do.
        for _ in 0..40 {
            let mut bad = bytes.clone();
            let i = rng.between(0, bad.len() as i32 - 1) as usize;
            bad[i] = rng.between(0, 255) as u8;
            let (r, reply) = raw.call(&bad, slot, seed, 65536);
            match postcard::take_from_bytes::<TacticalState>(&bad) {
                Ok((s, [])) if r >= 0 => {
                    let want = postcard::to_allocvec(&interpret(&checked, &s, slot, seed).actions);
                    assert_eq!(reply, want.unwrap(), "damaged byte {i} of {bad:?}");
                    decoded_ok += 1;
                }
                // Bytes left over: postcard's `from_bytes` would ignore them; the module
                // refuses them.
                Ok((_, [_, ..])) => assert!(r < 0, "trailing bytes were accepted"),
                // A state postcard reads but `check_state` would refuse (two units with one id,
                // a unit off the map, a tile count that is not width x height).
                Ok((s, _)) => assert_eq!(r, if s.schema == 1 { -1 } else { -4 }),
                Err(_) => {
                    assert!(
                        r < 0,
                        "postcard refuses this state but the module accepted it"
                    );
                    refused += 1;
                }
            }
        }
    }
    assert!(decoded_ok > 100 && refused > 100, "{decoded_ok} {refused}");
    // Not schema 1.
    let mut bytes = postcard::to_allocvec(&state("states/skirmish")).unwrap();
    bytes[0] = 2;
    assert_eq!(raw.call(&bytes, 0, 0, 65536).0, -4);
}

#[test]
fn a_reply_larger_than_out_cap_gives_minus_two() {
    let graph = template("melee-rusher");
    let wasm = VisualScriptCompiler::compile(&graph).unwrap().wasm_bytes;
    let mut raw = Raw::new(&wasm);
    let state = state("states/battle");
    let bytes = postcard::to_allocvec(&rules::view_for(&state, 0)).unwrap();
    let (n, reply) = raw.call(&bytes, 0, 1, 65536);
    assert!(n > 10, "the rusher acts on the battle sample");
    assert_eq!(raw.call(&bytes, 0, 1, n as usize - 1).0, -2);
    assert_eq!(raw.call(&bytes, 0, 1, 0).0, -2);
    assert_eq!(raw.call(&bytes, 0, 1, n as usize), (n, reply));
}

#[test]
fn compiling_is_deterministic_and_the_module_replies_deterministically() {
    for name in TEMPLATES {
        let graph = template(name);
        for profile in [CompilationProfile::Debug, CompilationProfile::Release] {
            let a = VisualScriptCompiler::compile_with(&graph, profile).unwrap();
            let b = VisualScriptCompiler::compile_with(&graph.clone(), profile).unwrap();
            assert_eq!(a, b, "{name} {profile}");
            let controller = host().load(&a.wasm_bytes).unwrap();
            assert_eq!(controller.identity(), &a.identity);
            let (report, verdict) =
                aether_host::check_determinism(&controller, &state("states/battle"), 1, 99);
            assert_eq!(verdict, aether_host::Determinism::Same, "{name}");
            assert!(!report.reply.is_empty());
        }
    }
}

#[test]
fn memory_stays_flat_over_many_turns_on_one_instance() {
    let graph = template("archer-skirmisher");
    let mut session = session(&graph);
    let mut sizes = Vec::new();
    for turn in 0..30u64 {
        let sample = ["states/stress", "states/skirmish", "states/battle"][turn as usize % 3];
        let report = session.play_turn(&state(sample), (turn % 2) as u8, turn);
        assert_eq!(report.outcome, TurnOutcome::Ok);
        sizes.push(report.memory_bytes);
    }
    assert!(sizes[3..].iter().all(|&s| s == sizes[2]), "{sizes:?}");
    assert!(sizes[2] < 4 << 20, "{sizes:?}");
}

/// A graph whose reply shows how deep evaluation went: for each of my units, a chain of
/// `chain` Set Variable nodes adding 1 to a counter, then a sum of `sum` Add nodes, then
/// Fortify if the counter is positive and the sum is `sum`.
fn deep(chain: usize, sum: usize) -> VisualScriptGraph {
    use aether_lang::graph::{PortRef, Value, VarType, Variable};
    let mut g = VisualScriptGraph::new();
    g.name = "deep".into();
    g.version = "1.0.0".into();
    g.variables.push(Variable {
        name: "count".into(),
        ty: VarType::Number,
    });
    let link = |g: &mut VisualScriptGraph, a, pa: &str, b, pb: &str| {
        g.connect(PortRef::new(a, pa), PortRef::new(b, pb));
    };
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [0.0, 0.0]);
    link(&mut g, turn, "then", each, "exec");
    let (mut from, mut port) = (each, "body");
    for _ in 0..chain {
        let set = g.add_node("set_variable", [0.0, 0.0]);
        let get = g.add_node("get_variable", [0.0, 0.0]);
        let add = g.add_node("add", [0.0, 0.0]);
        for n in [set, get] {
            g.set_value(n, "variable", Value::Choice("count".into()));
        }
        g.set_value(add, "b", Value::Number(1));
        link(&mut g, get, "value", add, "a");
        link(&mut g, add, "result", set, "value");
        link(&mut g, from, port, set, "exec");
        (from, port) = (set, "then");
    }
    let mut total = g.add_node("number", [0.0, 0.0]);
    g.set_value(total, "value", Value::Number(0));
    for i in 0..sum {
        let add = g.add_node("add", [0.0, 0.0]);
        g.set_value(add, "b", Value::Number(1));
        link(
            &mut g,
            total,
            if i == 0 { "value" } else { "result" },
            add,
            "a",
        );
        total = add;
    }
    let get = g.add_node("get_variable", [0.0, 0.0]);
    g.set_value(get, "variable", Value::Choice("count".into()));
    let positive = g.add_node("compare", [0.0, 0.0]);
    g.set_value(positive, "op", Value::Choice("gt".into()));
    link(&mut g, get, "value", positive, "a");
    let full = g.add_node("compare", [0.0, 0.0]);
    g.set_value(full, "op", Value::Choice("eq".into()));
    g.set_value(full, "b", Value::Number(sum as i32));
    let out = if sum == 0 { "value" } else { "result" };
    link(&mut g, total, out, full, "a");
    let both = g.add_node("and", [0.0, 0.0]);
    link(&mut g, positive, "result", both, "a");
    link(&mut g, full, "result", both, "b");
    let branch = g.add_node("branch", [0.0, 0.0]);
    link(&mut g, both, "result", branch, "condition");
    link(&mut g, from, port, branch, "exec");
    let fortify = g.add_node("fortify", [0.0, 0.0]);
    link(&mut g, branch, "true", fortify, "exec");
    link(&mut g, each, "unit", fortify, "unit");
    g
}

#[test]
fn the_depth_limit_cuts_compiled_and_interpreted_runs_at_the_same_place() {
    let state = state("states/skirmish");
    for (chain, sum, acts) in [
        (10, 10, true),
        (200, 200, true),
        (500, 0, true),
        (510, 0, false),
        (600, 0, false),
        (1, 500, true),
        (1, 510, false),
        (1, 700, false),
        (300, 300, false),
    ] {
        let graph = deep(chain, sum);
        let checked = CheckedGraph::new(graph.clone()).unwrap();
        let mut session = session(&graph);
        let n = agree(
            &checked,
            &mut session,
            &state,
            0,
            0,
            &format!("deep({chain}, {sum})"),
        );
        assert_eq!(n > 0, acts, "deep({chain}, {sum}) sent {n} actions");
    }
}

/// The part of a module's text the graph decides: its exports, then everything from the first
/// node's function on (the runtime library before it is the same in every module).
fn graph_part(wat: &str) -> String {
    let exports = wat
        .lines()
        .filter(|l| l.trim_start().starts_with("(export "));
    let start = wat.find("  (func $\"node#").expect("a node function");
    let mut out: Vec<&str> = exports.collect();
    out.extend(wat[start..].lines());
    out.join("\n") + "\n"
}

/// Three small graphs in WebAssembly text, as the debug profile names them
/// (`tests/golden/wat/*.wat`; regenerate with `UPDATE_GOLDEN=1`).
#[test]
fn small_graphs_compile_to_the_golden_text() {
    use aether_lang::graph::{PortRef, Value, VarType, Variable};
    let link = |g: &mut VisualScriptGraph, a, pa: &str, b, pb: &str| {
        g.connect(PortRef::new(a, pa), PortRef::new(b, pb));
    };
    let new = |name: &str| {
        let mut g = VisualScriptGraph::new();
        g.name = name.into();
        g.version = "1.0.0".into();
        g
    };
    // Nothing but On Turn.
    let mut idle = new("idle");
    idle.add_node("on_turn", [0.0, 0.0]);
    // Every unit fortifies.
    let mut dig_in = new("dig-in");
    let turn = dig_in.add_node("on_turn", [0.0, 0.0]);
    let each = dig_in.add_node("for_each_unit", [0.0, 0.0]);
    let fortify = dig_in.add_node("fortify", [0.0, 0.0]);
    link(&mut dig_in, turn, "then", each, "exec");
    link(&mut dig_in, each, "body", fortify, "exec");
    link(&mut dig_in, each, "unit", fortify, "unit");
    // A die roll kept in a variable decides between two sums.
    let mut dice = new("dice");
    dice.variables.push(Variable {
        name: "roll".into(),
        ty: VarType::Number,
    });
    let turn = dice.add_node("on_turn", [0.0, 0.0]);
    let set = dice.add_node("set_variable", [0.0, 0.0]);
    let random = dice.add_node("random_number", [0.0, 0.0]);
    let get = dice.add_node("get_variable", [0.0, 0.0]);
    let min = dice.add_node("min", [0.0, 0.0]);
    let div = dice.add_node("divide", [0.0, 0.0]);
    let cmp = dice.add_node("compare", [0.0, 0.0]);
    let branch = dice.add_node("branch", [0.0, 0.0]);
    for n in [set, get] {
        dice.set_value(n, "variable", Value::Choice("roll".into()));
    }
    dice.set_value(min, "b", Value::Number(4));
    dice.set_value(div, "b", Value::Number(2));
    dice.set_value(cmp, "op", Value::Choice("ge".into()));
    dice.set_value(cmp, "b", Value::Number(2));
    link(&mut dice, turn, "then", set, "exec");
    link(&mut dice, random, "value", set, "value");
    link(&mut dice, set, "then", branch, "exec");
    link(&mut dice, get, "value", min, "a");
    link(&mut dice, min, "result", div, "a");
    link(&mut dice, div, "result", cmp, "a");
    link(&mut dice, cmp, "result", branch, "condition");

    let dir = root().join("crates/aether-scripting/tests/golden/wat");
    for graph in [idle, dig_in, dice] {
        let artifact =
            VisualScriptCompiler::compile_with(&graph, CompilationProfile::Debug).unwrap();
        let text = graph_part(&aether_compile::to_wat(&artifact.wasm_bytes).unwrap());
        let path = dir.join(format!("{}.wat", graph.name));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{}: run once with UPDATE_GOLDEN=1", path.display()));
        assert_eq!(
            text, expected,
            "{} changed; if that is intended, run with UPDATE_GOLDEN=1",
            graph.name
        );
    }
}

#[test]
fn the_artifact_maps_each_node_that_runs_to_its_function() {
    use aether_compile::ScriptLanguage;
    let mut graph = template("mage-support");
    let stray = graph.add_node("fortify", [0.0, 0.0]);
    let artifact = VisualScriptCompiler::compile_with(&graph, CompilationProfile::Debug).unwrap();
    assert_eq!(artifact.language, ScriptLanguage::Visual);
    assert_eq!(artifact.identity.to_string(), "mage-support 1.0.0");
    assert!(
        !artifact.node_code.contains_key(&stray),
        "a node that never runs has no code"
    );
    assert_eq!(artifact.node_code.len(), graph.nodes().count() - 1);
    let mut functions = std::collections::BTreeSet::new();
    for (node, code) in &artifact.node_code {
        let kind = &graph.node(*node).unwrap().kind;
        let name = aether_lang::catalog::spec(kind).unwrap().name;
        assert_eq!(code.symbol, format!("node{node} {name}"));
        assert!(code.body.end <= artifact.wasm_bytes.len() && code.body.start < code.body.end);
        assert!(functions.insert(code.function));
    }
    // The debug profile names the functions in the module itself.
    let wat = aether_compile::to_wat(&artifact.wasm_bytes).unwrap();
    for code in artifact.node_code.values() {
        assert!(wat.contains(&format!("(func $\"{}\" (;{};)", code.symbol, code.function)));
    }
    let release = VisualScriptCompiler::compile(&graph).unwrap();
    assert!(release.wasm_bytes.len() < artifact.wasm_bytes.len());
    assert_eq!(
        release.node_code.keys().collect::<Vec<_>>(),
        artifact.node_code.keys().collect::<Vec<_>>()
    );
}

/// The README's walkthrough AI: for each unit, attack the nearest enemy, else walk toward it;
/// with `scout`, its last step: when that walk did nothing (no enemy in sight), march toward the
/// middle of the map.
fn walkthrough(scout: bool) -> VisualScriptGraph {
    use aether_lang::graph::PortRef;
    let mut g = VisualScriptGraph::new();
    g.name = "walkthrough".into();
    g.version = "1.0.0".into();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [260.0, 0.0]);
    let enemy = g.add_node("nearest_enemy", [260.0, 200.0]);
    let attack = g.add_node("attack", [560.0, 0.0]);
    let branch = g.add_node("branch", [820.0, 0.0]);
    let walk = g.add_node("move_toward", [1080.0, 0.0]);
    let at = g.add_node("unit_position", [560.0, 240.0]);
    let mut wires = vec![
        ((turn, "then"), (each, "exec")),
        ((each, "unit"), (enemy, "unit")),
        ((each, "body"), (attack, "exec")),
        ((each, "unit"), (attack, "unit")),
        ((enemy, "enemy"), (attack, "target")),
        ((attack, "then"), (branch, "exec")),
        ((attack, "done"), (branch, "condition")),
        ((branch, "false"), (walk, "exec")),
        ((each, "unit"), (walk, "unit")),
        ((enemy, "enemy"), (at, "unit")),
        ((at, "position"), (walk, "to")),
    ];
    if scout {
        let again = g.add_node("branch", [1340.0, 0.0]);
        let explore = g.add_node("move_toward", [1600.0, 0.0]);
        let centre = g.add_node("map_centre", [1340.0, 240.0]);
        wires.extend([
            ((walk, "then"), (again, "exec")),
            ((walk, "done"), (again, "condition")),
            ((again, "false"), (explore, "exec")),
            ((each, "unit"), (explore, "unit")),
            ((centre, "position"), (explore, "to")),
        ]);
    }
    for (from, to) in wires {
        g.connect(PortRef::new(from.0, from.1), PortRef::new(to.0, to.1));
    }
    g
}

/// The walkthrough's AI on the battle sample, where no enemy is in sight at the start: it once
/// sent every unit toward the top-left corner (Unit Position of none was (0, 0)). Now a query
/// that found nothing is no place, the walk does nothing, and the last step marches to the
/// middle, where the armies meet; the
/// compiled module agrees with the interpreter on every turn of a short match.
#[test]
fn the_walkthrough_ai_looks_for_the_enemy_instead_of_marching_to_the_corner() {
    let battle = state("states/battle");
    let plain = CheckedGraph::new(walkthrough(false)).unwrap();
    let view = rules::view_for(&battle, 0);
    assert!(
        view.units.iter().all(|u| u.owner == 0),
        "no enemy in sight at the start of the battle sample"
    );
    let first = interpret(&plain, &view, 0, 0);
    assert_eq!(
        first.actions,
        vec![],
        "no enemy seen: nothing to attack or walk to"
    );
    let mut s = session(&walkthrough(false));
    agree(&plain, &mut s, &battle, 0, 0, "walkthrough");

    let scout = CheckedGraph::new(walkthrough(true)).unwrap();
    let mut s = session(&walkthrough(true));
    let mut state = battle.clone();
    let mut attacks = 0;
    for round in 0..12u64 {
        for slot in 0..2u8 {
            agree(&scout, &mut s, &state, slot, round, "scouting walkthrough");
            let view = rules::view_for(&state, slot);
            let run = interpret(&scout, &view, slot, round);
            if slot == 0 && round == 0 {
                assert!(!run.actions.is_empty(), "the units set out");
                // Before, every unit walked toward (0, 0); now each heads for the middle.
                let centre = mc_tactical_types::Pos::new(view.map.width / 2, view.map.height / 2);
                for a in &run.actions {
                    if let mc_tactical_types::Action::Move { unit, to } = a {
                        let from = view.unit(*unit).unwrap().pos;
                        assert!(
                            to.distance(centre) < from.distance(centre),
                            "{a:?} from {from:?}"
                        );
                    }
                }
            }
            attacks += run
                .actions
                .iter()
                .filter(|a| matches!(a, mc_tactical_types::Action::Attack { .. }))
                .count();
            let mut ledger = TurnLedger::new(slot);
            for a in &run.actions {
                let _ = rules::apply(&mut state, &mut ledger, a);
            }
        }
        rules::end_round(&mut state);
    }
    assert!(attacks > 0, "the armies met and fought within 12 rounds");
}

/// Hostile input to every template's compiled module: valid prefixes followed by garbage, counts
/// and lengths that lie (a byte nudged by one, a huge varint spliced in), random bytes. The
/// module never traps and answers exactly as the interpreter's byte entry does: the same actions
/// for what it accepts, the same code (-1 malformed, -4 schema) for what it refuses.
#[test]
fn hostile_state_bytes_get_the_interpreters_answer_from_every_template() {
    use aether_lang::interp::interpret_bytes;
    let mut rng = Rng::new(0x5eed_0019);
    let mut counts = std::collections::BTreeMap::<i32, u32>::new();
    for name in TEMPLATES {
        let graph = template(name);
        let checked = CheckedGraph::new(graph.clone()).unwrap();
        let wasm = VisualScriptCompiler::compile(&graph).unwrap().wasm_bytes;
        let mut raw = Raw::new(&wasm);
        for _ in 0..25 {
            let (state, slot, seed) = random_turn(&mut rng);
            let bytes = postcard::to_allocvec(&rules::view_for(&state, slot)).unwrap();
            let mut cases: Vec<Vec<u8>> = Vec::new();
            for _ in 0..12 {
                // A valid prefix, then garbage.
                let cut = rng.between(0, bytes.len() as i32) as usize;
                let mut b = bytes[..cut].to_vec();
                for _ in 0..rng.between(1, 48) {
                    b.push(rng.between(0, 255) as u8);
                }
                cases.push(b);
                // A byte nudged by one: a count or length off by one, or a field shifted.
                let mut b = bytes.clone();
                let i = rng.between(0, b.len() as i32 - 1) as usize;
                b[i] = if rng.between(0, 1) == 0 {
                    b[i].wrapping_add(1)
                } else {
                    b[i].wrapping_sub(1)
                };
                cases.push(b);
                // A huge varint spliced in where a count or length may be read.
                let mut b = bytes.clone();
                let i = rng.between(1, b.len() as i32 - 1) as usize;
                b.splice(i..i + 1, [0xff, 0xff, 0xff, 0xff, 0x0f]);
                cases.push(b);
            }
            // Random bytes, schema 1 first so the decoder goes on reading.
            let mut b = vec![1u8];
            for _ in 0..rng.between(0, 200) {
                b.push(rng.between(0, 255) as u8);
            }
            cases.push(b);
            for bad in cases {
                let (r, reply) = raw.call(&bad, slot, seed, 65536);
                match interpret_bytes(&checked, &bad, slot, seed) {
                    Ok(run) => {
                        assert!(
                            r >= 0,
                            "{name}: the interpreter accepts but the module says {r}: {bad:?}"
                        );
                        assert_eq!(
                            reply,
                            postcard::to_allocvec(&run.actions).unwrap(),
                            "{name}: {bad:?}"
                        );
                        *counts.entry(0).or_default() += 1;
                    }
                    Err(why) => {
                        assert_eq!(r, why.code(), "{name}: {why}: {bad:?}");
                        *counts.entry(r).or_default() += 1;
                    }
                }
            }
        }
    }
    eprintln!("hostile state bytes, answers by code (0: accepted): {counts:?}");
    // Every answer was seen: accepted, malformed, wrong schema.
    assert!(counts.get(&0).is_some_and(|n| *n > 20), "{counts:?}");
    assert!(counts.get(&-1).is_some_and(|n| *n > 1000), "{counts:?}");
    assert!(counts.contains_key(&-4), "{counts:?}");
}

/// Count Enemies Near, Weakest Friend Near and Is In Danger turned straight into actions, so
/// every answer shows in the reply: compiled and interpreted agree on random turns, and the
/// answers vary (the test would notice a query stuck on one value). The Turn node likewise.
#[test]
fn the_neighbourhood_queries_agree_with_the_interpreter() {
    use aether_lang::graph::{PortRef, Value};
    let link = |g: &mut VisualScriptGraph, a, pa: &str, b, pb: &str| {
        g.connect(PortRef::new(a, pa), PortRef::new(b, pb));
    };
    let base = |name: &str| {
        let mut g = VisualScriptGraph::new();
        g.name = name.into();
        g.version = "1.0.0".into();
        let turn = g.add_node("on_turn", [0.0, 0.0]);
        let each = g.add_node("for_each_unit", [0.0, 0.0]);
        g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
        (g, each)
    };
    // In danger: fortify.
    let (mut danger, each) = base("danger");
    let q = danger.add_node("in_danger", [0.0, 0.0]);
    let branch = danger.add_node("branch", [0.0, 0.0]);
    let fortify = danger.add_node("fortify", [0.0, 0.0]);
    link(&mut danger, each, "unit", q, "unit");
    link(&mut danger, q, "value", branch, "condition");
    link(&mut danger, each, "body", branch, "exec");
    link(&mut danger, branch, "true", fortify, "exec");
    link(&mut danger, each, "unit", fortify, "unit");
    // At least a random number of enemies within a random distance: fortify.
    let (mut crowd, each) = base("crowd");
    let pos = crowd.add_node("unit_position", [0.0, 0.0]);
    let q = crowd.add_node("count_enemies_near", [0.0, 0.0]);
    let within = crowd.add_node("random_number", [0.0, 0.0]);
    let at_least = crowd.add_node("random_number", [0.0, 0.0]);
    let cmp = crowd.add_node("compare", [0.0, 0.0]);
    let branch = crowd.add_node("branch", [0.0, 0.0]);
    let fortify = crowd.add_node("fortify", [0.0, 0.0]);
    crowd.set_value(within, "min", Value::Number(-1));
    crowd.set_value(within, "max", Value::Number(8));
    crowd.set_value(at_least, "min", Value::Number(1));
    crowd.set_value(at_least, "max", Value::Number(4));
    crowd.set_value(cmp, "op", Value::Choice("ge".into()));
    link(&mut crowd, each, "unit", pos, "unit");
    link(&mut crowd, pos, "position", q, "tile");
    link(&mut crowd, within, "value", q, "within");
    link(&mut crowd, q, "value", cmp, "a");
    link(&mut crowd, at_least, "value", cmp, "b");
    link(&mut crowd, cmp, "result", branch, "condition");
    link(&mut crowd, each, "body", branch, "exec");
    link(&mut crowd, branch, "true", fortify, "exec");
    link(&mut crowd, each, "unit", fortify, "unit");
    // Walk toward the weakest friend within a random distance.
    let (mut friend, each) = base("friend");
    let q = friend.add_node("weakest_friend_near", [0.0, 0.0]);
    let within = friend.add_node("random_number", [0.0, 0.0]);
    let pos = friend.add_node("unit_position", [0.0, 0.0]);
    let mv = friend.add_node("move_toward", [0.0, 0.0]);
    friend.set_value(within, "min", Value::Number(-1));
    friend.set_value(within, "max", Value::Number(10));
    link(&mut friend, each, "unit", q, "unit");
    link(&mut friend, within, "value", q, "within");
    link(&mut friend, q, "friend", pos, "unit");
    link(&mut friend, each, "body", mv, "exec");
    link(&mut friend, each, "unit", mv, "unit");
    link(&mut friend, pos, "position", mv, "to");
    // Past the turn given by the unit's hp: fortify (the Turn node against the state's turn).
    let (mut late, each) = base("late");
    let now = late.add_node("turn", [0.0, 0.0]);
    let hp = late.add_node("unit_hp", [0.0, 0.0]);
    let cmp = late.add_node("compare", [0.0, 0.0]);
    let branch = late.add_node("branch", [0.0, 0.0]);
    let fortify = late.add_node("fortify", [0.0, 0.0]);
    late.set_value(cmp, "op", Value::Choice("gt".into()));
    link(&mut late, each, "unit", hp, "unit");
    link(&mut late, now, "value", cmp, "a");
    link(&mut late, hp, "value", cmp, "b");
    link(&mut late, cmp, "result", branch, "condition");
    link(&mut late, each, "body", branch, "exec");
    link(&mut late, branch, "true", fortify, "exec");
    link(&mut late, each, "unit", fortify, "unit");

    let mut rng = Rng::new(0x5eed_0033);
    for graph in [danger, crowd, friend, late] {
        let checked = CheckedGraph::new(graph.clone())
            .unwrap_or_else(|d| panic!("{} is valid: {d:?}", graph.name));
        let wasm = VisualScriptCompiler::compile(&graph).unwrap().wasm_bytes;
        let mut raw = Raw::new(&wasm);
        let mut replies = std::collections::BTreeSet::new();
        let mut acting = 0;
        for _ in 0..300 {
            let (state, slot, seed) = random_turn(&mut rng);
            let view = rules::view_for(&state, slot);
            let bytes = postcard::to_allocvec(&view).unwrap();
            let (r, reply) = raw.call(&bytes, slot, seed, 65536);
            let want =
                postcard::to_allocvec(&interpret(&checked, &view, slot, seed).actions).unwrap();
            assert_eq!(r, want.len() as i32, "{}: {bytes:?}", graph.name);
            assert_eq!(
                reply, want,
                "{}: slot {slot} seed {seed} {bytes:?}",
                graph.name
            );
            acting += usize::from(reply.len() > 1);
            replies.insert(reply);
        }
        assert!(
            acting > 50 && replies.len() > 50,
            "{}: {acting} turns acted, {} different replies",
            graph.name,
            replies.len()
        );
    }
}

/// The debug profile's name section follows the format (subsections in order), so tools read
/// it: every function and global is named.
#[test]
fn the_debug_names_read_back() {
    let graph = template("melee-rusher");
    let artifact = VisualScriptCompiler::compile_with(&graph, CompilationProfile::Debug).unwrap();
    let mut functions = 0;
    for payload in wasmparser::Parser::new(0).parse_all(&artifact.wasm_bytes) {
        if let wasmparser::Payload::CustomSection(c) = payload.unwrap()
            && let wasmparser::KnownCustom::Name(names) = c.as_known()
        {
            for name in names {
                if let wasmparser::Name::Function(map) = name.expect("a well-formed subsection") {
                    for n in map {
                        n.unwrap();
                        functions += 1;
                    }
                }
            }
        }
    }
    assert!(functions > 50, "{functions} functions named");
}
