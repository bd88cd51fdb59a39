//! The checker: a clean graph has no diagnostics; each broken graph gets its code at the right
//! place; the text of every code is golden (`tests/golden/diagnostics.txt`, regenerated with
//! `UPDATE_GOLDEN=1 cargo test -p aether-scripting --test check`).

use aether_lang::check::{Location, Severity, check, has_errors};
use aether_lang::graph::{LinkId, NodeId, PortRef, Value, VarType, Variable, VisualScriptGraph};

/// For each of my units: attack the nearest enemy.
fn rusher() -> (VisualScriptGraph, [NodeId; 4]) {
    let mut g = VisualScriptGraph::new();
    g.name = "rusher".into();
    g.version = "1.0.0".into();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [200.0, 0.0]);
    let near = g.add_node("nearest_enemy", [200.0, 200.0]);
    let attack = g.add_node("attack", [400.0, 0.0]);
    g.set_value(each, "which", Value::Choice("mine".into()));
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(attack, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(attack, "unit"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(near, "unit"));
    g.connect(PortRef::new(near, "enemy"), PortRef::new(attack, "target"));
    (g, [turn, each, near, attack])
}

fn codes(g: &VisualScriptGraph) -> Vec<(&'static str, Location)> {
    check(g).into_iter().map(|d| (d.code, d.location)).collect()
}

#[test]
fn a_clean_graph_has_no_diagnostics() {
    let (g, _) = rusher();
    assert_eq!(check(&g), vec![]);
}

/// Every broken variant: (name, graph) — each must produce its code.
fn broken() -> Vec<(&'static str, VisualScriptGraph)> {
    let mut cases = Vec::new();
    let (mut g, _) = rusher();
    g.version = "one".into();
    cases.push(("bad-identity", g));

    let (mut g, _) = rusher();
    g.add_node("teleport", [0.0, 300.0]);
    cases.push(("unknown-node-kind", g));

    let (mut g, _) = rusher();
    let get = g.add_node("get_variable", [0.0, 300.0]);
    g.set_value(get, "variable", Value::Choice("ghost".into()));
    cases.push(("unknown-variable", g));

    let (mut g, [_, each, ..]) = rusher();
    g.set_value(each, "which", Value::Choice("friends".into()));
    cases.push(("bad-value", g));

    let (mut g, [turn, ..]) = rusher();
    g.remove_node(turn);
    cases.push(("no-entry", g));

    let (mut g, _) = rusher();
    g.add_node("on_turn", [0.0, 400.0]);
    cases.push(("multiple-entries", g));

    let (mut g, [turn, _, _, attack]) = rusher();
    g.connect(PortRef::new(turn, "later"), PortRef::new(attack, "exec"));
    cases.push(("unknown-port", g));

    let (mut g, [_, each, near, _]) = rusher();
    g.connect(PortRef::new(near, "unit"), PortRef::new(each, "exec"));
    cases.push(("wrong-direction", g));

    let (mut g, [_, _, near, attack]) = rusher();
    let n = g.add_node("number", [0.0, 300.0]);
    let old: Vec<LinkId> = g
        .links_into(&PortRef::new(attack, "target"))
        .map(|l| l.id)
        .collect();
    g.disconnect(old[0]);
    g.connect(PortRef::new(n, "value"), PortRef::new(attack, "target"));
    let _ = near;
    cases.push(("type-mismatch", g));

    let (mut g, [_, each, near, _]) = rusher();
    g.connect(PortRef::new(each, "unit"), PortRef::new(near, "unit"));
    cases.push(("input-linked-twice", g));

    let (mut g, [turn, _, _, attack]) = rusher();
    g.connect(PortRef::new(turn, "then"), PortRef::new(attack, "exec"));
    cases.push(("exec-output-linked-twice", g));

    let (mut g, [_, _, _, attack]) = rusher();
    let l: Vec<LinkId> = g
        .links_into(&PortRef::new(attack, "target"))
        .map(|l| l.id)
        .collect();
    g.disconnect(l[0]);
    cases.push(("missing-input", g));

    let (mut g, [_, _, _, attack]) = rusher();
    let a = g.add_node("add", [0.0, 300.0]);
    let b = g.add_node("add", [0.0, 400.0]);
    let cmp = g.add_node("compare", [0.0, 500.0]);
    let branch = g.add_node("branch", [600.0, 0.0]);
    g.connect(PortRef::new(a, "result"), PortRef::new(b, "a"));
    g.connect(PortRef::new(b, "result"), PortRef::new(a, "a"));
    g.connect(PortRef::new(b, "result"), PortRef::new(cmp, "a"));
    g.connect(PortRef::new(attack, "then"), PortRef::new(branch, "exec"));
    g.connect(
        PortRef::new(cmp, "result"),
        PortRef::new(branch, "condition"),
    );
    cases.push(("data-cycle", g));

    let (mut g, [_, each, _, attack]) = rusher();
    let branch = g.add_node("branch", [600.0, 0.0]);
    g.connect(PortRef::new(attack, "then"), PortRef::new(branch, "exec"));
    g.connect(PortRef::new(branch, "true"), PortRef::new(each, "exec"));
    cases.push(("exec-cycle", g));

    let (mut g, [turn, each, _, _]) = rusher();
    // Use the loop's unit after the loop is done.
    let fort = g.add_node("fortify", [600.0, 0.0]);
    g.connect(PortRef::new(each, "done"), PortRef::new(fort, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(fort, "unit"));
    let _ = turn;
    cases.push(("not-yet-computed", g));

    let (mut g, _) = rusher();
    g.add_node("fortify", [600.0, 300.0]);
    cases.push(("unreachable", g));
    cases
}

#[test]
fn every_broken_graph_gets_its_code() {
    for (code, g) in broken() {
        let found = codes(&g);
        assert!(
            found.iter().any(|(c, _)| *c == code),
            "{code}: got {found:?}"
        );
    }
}

#[test]
fn diagnostics_point_at_the_right_place() {
    let (mut g, [_, each, _, attack]) = rusher();
    let fort = g.add_node("fortify", [600.0, 0.0]);
    g.connect(PortRef::new(each, "done"), PortRef::new(fort, "exec"));
    let bad = g.connect(PortRef::new(each, "unit"), PortRef::new(fort, "unit"));
    assert_eq!(codes(&g), vec![("not-yet-computed", Location::Link(bad))]);

    // An action's Done read by a node that runs before the action.
    let (mut g, [turn, each, _, attack2]) = rusher();
    let _ = (turn, attack);
    let branch = g.add_node("branch", [100.0, 100.0]);
    let links: Vec<LinkId> = g
        .links_from(&PortRef::new(each, "body"))
        .map(|l| l.id)
        .collect();
    g.disconnect(links[0]);
    g.connect(PortRef::new(each, "body"), PortRef::new(branch, "exec"));
    g.connect(PortRef::new(branch, "true"), PortRef::new(attack2, "exec"));
    let bad = g.connect(
        PortRef::new(attack2, "done"),
        PortRef::new(branch, "condition"),
    );
    assert_eq!(codes(&g), vec![("not-yet-computed", Location::Link(bad))]);

    // The checker reports every problem at once.
    let (mut g, [turn, ..]) = rusher();
    g.remove_node(turn);
    g.add_node("teleport", [0.0, 0.0]);
    let v = g.add_node("set_variable", [0.0, 0.0]);
    let found = codes(&g);
    assert!(found.contains(&("no-entry", Location::Graph)));
    assert!(found.contains(&("unknown-node-kind", Location::Node(NodeId(5)))));
    assert!(found.contains(&("unknown-variable", Location::Node(v))));
}

#[test]
fn warnings_do_not_block_and_errors_do() {
    let (mut g, _) = rusher();
    g.add_node("fortify", [600.0, 300.0]);
    let d = check(&g);
    assert!(d.iter().all(|d| d.severity == Severity::Warning));
    assert!(!has_errors(&d));
    let (mut g, _) = rusher();
    g.version = "x".into();
    assert!(has_errors(&check(&g)));
}

#[test]
fn variables_give_their_type_to_get_and_set() {
    let (mut g, [_, each, _, attack]) = rusher();
    g.variables.push(Variable {
        name: "victim".into(),
        ty: VarType::Unit,
    });
    g.variables.push(Variable {
        name: "count".into(),
        ty: VarType::Number,
    });
    let set = g.add_node("set_variable", [0.0, 0.0]);
    g.set_value(set, "variable", Value::Choice("victim".into()));
    let links: Vec<LinkId> = g
        .links_from(&PortRef::new(each, "body"))
        .map(|l| l.id)
        .collect();
    g.disconnect(links[0]);
    g.connect(PortRef::new(each, "body"), PortRef::new(set, "exec"));
    g.connect(PortRef::new(set, "then"), PortRef::new(attack, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(set, "value"));
    assert_eq!(check(&g), vec![]);
    // The same wire into a Number variable is a type mismatch.
    g.set_value(set, "variable", Value::Choice("count".into()));
    assert_eq!(codes(&g).first().map(|c| c.0), Some("type-mismatch"));
}

#[test]
fn the_text_of_every_code_is_golden() {
    let mut text = String::new();
    for (code, g) in broken() {
        text.push_str(&format!("## {code}\n"));
        for d in check(&g) {
            text.push_str(&d.render(&g));
            text.push('\n');
        }
    }
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/diagnostics.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&path).expect("run once with UPDATE_GOLDEN=1");
    assert_eq!(text, expected);
}

#[test]
fn random_graphs_never_panic_the_checker_and_give_the_same_answer_twice() {
    use aether_lang::catalog::CATALOG;
    let mut rng = aether_lang::interp::Rng::new(0x00C0_FFEE);
    let mut next = move |n: usize| (rng.next_u64() % n.max(1) as u64) as usize;
    for _ in 0..500 {
        let mut g = VisualScriptGraph::new();
        if next(4) == 0 {
            g.variables.push(Variable {
                name: "v".into(),
                ty: VarType::Unit,
            });
        }
        let count = 1 + next(25);
        let mut ids = Vec::new();
        for _ in 0..count {
            let kind = if next(30) == 0 {
                "mystery"
            } else {
                CATALOG[next(CATALOG.len())].key
            };
            let id = g.add_node(kind, [0.0, 0.0]);
            if next(5) == 0 {
                let v = match next(3) {
                    0 => Value::Number(next(100) as i32 - 50),
                    1 => Value::Bool(true),
                    _ => Value::Choice(["mine", "v", "lt", "nope"][next(4)].into()),
                };
                g.set_value(id, ["value", "which", "variable", "op", "a"][next(5)], v);
            }
            ids.push(id);
        }
        for _ in 0..next(count * 3) {
            let a = ids[next(ids.len())];
            let b = ids[next(ids.len())];
            let port = |g: &VisualScriptGraph, id: NodeId, out: bool, r: usize| {
                let spec = aether_lang::catalog::spec(&g.node(id).unwrap().kind);
                let ports = spec
                    .map(|s| if out { s.outputs } else { s.inputs })
                    .unwrap_or(&[]);
                ports
                    .get(r % ports.len().max(1))
                    .map_or("x".to_owned(), |p| p.key.to_owned())
            };
            let (pa, pb) = (port(&g, a, true, next(8)), port(&g, b, false, next(8)));
            g.connect(PortRef::new(a, pa), PortRef::new(b, pb));
        }
        let first = check(&g);
        assert_eq!(first, check(&g), "deterministic");
        // Every diagnostic points at something that exists.
        for d in &first {
            match &d.location {
                Location::Graph => {}
                Location::Node(n) => assert!(g.node(*n).is_some()),
                Location::Port(p) => assert!(g.node(p.node).is_some()),
                Location::Link(l) => assert!(g.link(*l).is_some()),
            }
        }
    }
}

/// An action fed by Nearest Enemy (or its position) does nothing when no enemy is in sight; if
/// nothing reads its Done the graph cannot notice, and the node says so. Reading Done ends it.
#[test]
fn an_action_that_may_get_none_and_ignores_done_is_warned() {
    let mut g = VisualScriptGraph::new();
    g.name = "walker".into();
    g.version = "1.0.0".into();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [200.0, 0.0]);
    let enemy = g.add_node("nearest_enemy", [200.0, 200.0]);
    let at = g.add_node("unit_position", [400.0, 200.0]);
    let walk = g.add_node("move_toward", [600.0, 0.0]);
    for (from, to) in [
        ((turn, "then"), (each, "exec")),
        ((each, "body"), (walk, "exec")),
        ((each, "unit"), (walk, "unit")),
        ((each, "unit"), (enemy, "unit")),
        ((enemy, "enemy"), (at, "unit")),
        ((at, "position"), (walk, "to")),
    ] {
        g.connect(PortRef::new(from.0, from.1), PortRef::new(to.0, to.1));
    }
    let d = check(&g);
    assert_eq!(codes(&g), vec![("may-find-none", Location::Node(walk))]);
    assert!(
        d[0].message.starts_with("when Nearest Enemy finds no one"),
        "{}",
        d[0].message
    );
    assert!(!has_errors(&d));
    // Branching on Done (to march elsewhere) is the answer: no warning.
    let branch = g.add_node("branch", [800.0, 0.0]);
    g.connect(PortRef::new(walk, "then"), PortRef::new(branch, "exec"));
    g.connect(
        PortRef::new(walk, "done"),
        PortRef::new(branch, "condition"),
    );
    assert_eq!(codes(&g), vec![]);
}

/// A move that runs only where Unit Exists (alone, or inside an And) said the query found
/// someone is guarded: the templates do that, and get no warning.
#[test]
fn a_move_guarded_by_unit_exists_is_not_warned() {
    for name in [
        "melee-rusher",
        "archer-skirmisher",
        "mage-support",
        "hill-defender",
        "tactician",
    ] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../examples/graphs/{name}.mcgraph.json"));
        let g = VisualScriptGraph::load(&path).unwrap();
        assert_eq!(check(&g), vec![], "{name}");
    }
}

/// A world script: On Timer → Spawn Entity on a tile.
fn spawner() -> (VisualScriptGraph, [NodeId; 3]) {
    let mut g = VisualScriptGraph::new_world_script();
    let timer = g.add_node("on_timer", [0.0, 0.0]);
    let spawn = g.add_node("spawn_entity", [200.0, 0.0]);
    let tile = g.add_node("tile_at", [0.0, 200.0]);
    g.connect(PortRef::new(timer, "then"), PortRef::new(spawn, "exec"));
    g.connect(PortRef::new(tile, "position"), PortRef::new(spawn, "at"));
    (g, [timer, spawn, tile])
}

fn messages(g: &VisualScriptGraph) -> Vec<String> {
    check(g).iter().map(|d| d.render(g)).collect()
}

#[test]
fn each_script_kind_has_its_own_nodes_and_says_so_on_the_node() {
    let (g, _) = spawner();
    assert_eq!(check(&g), vec![]);

    // An AI node in a world script, and a world node in an AI.
    let (mut g, _) = spawner();
    let attack = g.add_node("attack", [400.0, 0.0]);
    let found = check(&g);
    let d = found.iter().find(|d| d.code == "wrong-kind").unwrap();
    assert_eq!(d.location, Location::Node(attack));
    assert!(
        d.message
            .contains("Attack belongs in AI controllers; this graph is a world script"),
        "{}",
        d.message
    );
    let (mut g, _) = rusher();
    let spawn = g.add_node("spawn_entity", [0.0, 300.0]);
    let found = check(&g);
    let d = found.iter().find(|d| d.code == "wrong-kind").unwrap();
    assert_eq!(d.location, Location::Node(spawn));
    assert!(d.message.contains("Spawn Entity belongs in world scripts"));

    // On Turn does not start a world script; an event does not start an AI.
    let mut g = VisualScriptGraph::new_world_script();
    g.add_node("on_turn", [0.0, 0.0]);
    let text = messages(&g).join("\n");
    assert!(
        text.contains("add an event node (On Start, On Tick"),
        "{text}"
    );
    assert!(text.contains("wrong-kind"), "{text}");
}

#[test]
fn a_world_script_may_have_many_events_and_each_owns_its_values() {
    let (mut g, [timer, spawn, _]) = spawner();
    // A second event leading to its own node: fine.
    let tick = g.add_node("on_tick", [0.0, 400.0]);
    let show = g.add_node("show_text", [200.0, 400.0]);
    g.connect(PortRef::new(tick, "then"), PortRef::new(show, "exec"));
    g.connect(PortRef::new(tick, "tick"), PortRef::new(show, "number"));
    assert_eq!(check(&g), vec![]);
    // The timer's number read by a node On Tick also reaches: it may not exist yet.
    let bad = g.connect(PortRef::new(timer, "timer"), PortRef::new(show, "number"));
    let _ = g
        .links_from(&PortRef::new(tick, "tick"))
        .map(|l| l.id)
        .collect::<Vec<_>>()
        .into_iter()
        .map(|l| g.disconnect(l))
        .count();
    assert_eq!(codes(&g), vec![("not-yet-computed", Location::Link(bad))]);
    // Spawn's entity read after the spawn, in the same flow: fine.
    let (mut g, [_, spawn2, _]) = spawner();
    let push = g.add_node("apply_impulse", [400.0, 0.0]);
    g.connect(PortRef::new(spawn2, "then"), PortRef::new(push, "exec"));
    g.connect(PortRef::new(spawn2, "entity"), PortRef::new(push, "entity"));
    assert_eq!(check(&g), vec![]);
    let _ = spawn;
}

#[test]
fn typed_texts_are_one_short_line() {
    let (mut g, [_, spawn, _]) = spawner();
    g.set_value(spawn, "kind", Value::Choice("x".repeat(201)));
    let text = messages(&g).join("\n");
    assert!(
        text.contains("Kind is 201 bytes long; keep it to 200"),
        "{text}"
    );
    g.set_value(spawn, "kind", Value::Choice("two\nlines".into()));
    let text = messages(&g).join("\n");
    assert!(text.contains("type it on one line"), "{text}");
    g.set_value(spawn, "kind", Value::Number(3));
    let text = messages(&g).join("\n");
    assert!(text.contains("Kind takes text, not 3"), "{text}");
}
