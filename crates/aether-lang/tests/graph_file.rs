//! The graph file format: exact round trip, stable bytes, atomic saves, and an error that names
//! the problem and the place for every kind of broken file (never a panic).

use std::path::Path;

use aether_lang::graph::file::GraphFileError;
use aether_lang::graph::{Comment, NodeId, PortRef, Value, VarType, Variable, VisualScriptGraph};

fn sample() -> VisualScriptGraph {
    let mut g = VisualScriptGraph::new();
    g.name = "melee-rusher".into();
    g.version = "1.0.0".into();
    g.description = "Every unit charges: \"for glory\"".into();
    g.variables.push(Variable {
        name: "target".into(),
        ty: VarType::Unit,
    });
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [220.0, 0.0]);
    let attack = g.add_node("attack", [440.5, -20.25]);
    let scrap = g.add_node("number", [1.0, 1.0]);
    g.set_value(each, "which", Value::Choice("mine".into()));
    g.set_value(scrap, "value", Value::Number(-7));
    g.set_value(scrap, "flag", Value::Bool(true));
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(attack, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(attack, "unit"));
    g.remove_node(scrap);
    g.comments.push(Comment {
        pos: [-10.0, -40.0],
        size: [300.0, 120.0],
        text: "Charge!\nNo retreat.".into(),
    });
    g
}

#[test]
fn a_graph_survives_the_round_trip_exactly() {
    let g = sample();
    let text = g.to_json();
    let back = VisualScriptGraph::from_json(&text).unwrap();
    assert_eq!(back, g);
    assert_eq!(back.to_json(), text, "same graph, same bytes");
}

#[test]
fn the_file_has_one_node_and_one_link_per_line() {
    let text = sample().to_json();
    let node_lines = text
        .lines()
        .filter(|l| l.trim_start().starts_with("{\"id\": "))
        .count();
    assert_eq!(
        node_lines,
        3 + 3,
        "three nodes and three links, one per line:\n{text}"
    );
    assert!(text.contains(r#"{"id": 2, "kind": "for_each_unit", "x": 220.0, "y": 0.0, "values": {"which": "mine"}}"#), "{text}");
    assert!(
        text.contains(r#"{"id": 1, "from": [1, "then"], "to": [2, "exec"]}"#),
        "{text}"
    );
}

#[test]
fn ids_are_never_reused_after_a_reload() {
    let g = sample();
    // Node 4 was removed before saving; a reloaded graph must not hand out 4 again.
    let back = VisualScriptGraph::from_json(&g.to_json()).unwrap();
    assert_eq!(back.next_node_id(), NodeId(5));
    // Even if a hand edit lowers next_node below an existing id.
    let edited = g.to_json().replace("\"next_node\": 5", "\"next_node\": 1");
    let back = VisualScriptGraph::from_json(&edited).unwrap();
    assert_eq!(back.next_node_id(), NodeId(4));
}

#[test]
fn saving_is_atomic_and_leaves_no_temporary_file() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("graph-save");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rusher.mcgraph.json");
    let g = sample();
    g.save(&path).unwrap();
    assert_eq!(VisualScriptGraph::load(&path).unwrap(), g);
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(entries.len(), 1, "only the saved file remains");
    // A save that cannot happen leaves the old file intact.
    let blocked = dir.join("no-such-folder/x.mcgraph.json");
    let err = g.save(&blocked).unwrap_err();
    let words = err.to_string();
    assert!(
        words.contains(&format!(
            "cannot save the file: the folder {} does not exist",
            dir.join("no-such-folder").display()
        )),
        "{words}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), g.to_json());
}

fn load_err(text: &str) -> String {
    VisualScriptGraph::from_json(text)
        .expect_err("should be refused")
        .to_string()
}

#[test]
fn every_broken_file_gets_a_message_naming_the_place() {
    let good = sample().to_json();
    let cases = [
        (good[..good.len() / 2].to_owned(), "line "),
        (
            good.replace("\"version\": 1", "\"version\": 7"),
            "format version 7, written by a newer Creator Studio; this one reads up to version 3",
        ),
        (
            good.replace("creator-studio/visual-script", "something-else"),
            "not a Creator Studio graph file (its \"format\" is \"something-else\"",
        ),
        (r#"{"nodes": []}"#.to_owned(), "its \"format\" is missing"),
        (
            good.replace(
                "{\"id\": 3, \"kind\": \"attack\"",
                "{\"id\": 2, \"kind\": \"attack\"",
            ),
            "node id 2 is used twice (nodes[2])",
        ),
        (
            good.replace("\"to\": [2, \"exec\"]", "\"to\": [9, \"exec\"]"),
            "link 1 (links[0]) ends at node 9, which does not exist",
        ),
        (
            good.replace("{\"id\": 2, \"from\"", "{\"id\": 1, \"from\""),
            "link id 1 is used twice (links[1])",
        ),
        (
            good.replace(
                "\"variables\": [",
                "\"variables\": [\n    {\"name\": \"target\", \"type\": \"unit\"},",
            ),
            "the variable \"target\" is declared twice",
        ),
        (
            good.replace("\"kind\": \"attack\"", "\"knd\": \"attack\""),
            "unknown field `knd`",
        ),
        (
            good.replace("\"type\": \"unit\"", "\"type\": \"dragon\""),
            "unknown variant `dragon`",
        ),
        (good.replace("\"x\": 220.0", "\"x\": \"left\""), "line 15"),
        (String::new(), "line 1, column 0"),
    ];
    for (text, expected) in cases {
        assert_ne!(text, good, "the case for {expected:?} must change the file");
        let msg = load_err(&text);
        assert!(msg.contains(expected), "expected {expected:?} in: {msg}");
    }
}

#[test]
fn a_missing_file_is_named() {
    let err = VisualScriptGraph::load(Path::new("no/such.mcgraph.json")).unwrap_err();
    assert!(matches!(err, GraphFileError::Io { .. }));
    assert!(
        err.to_string()
            .starts_with("no/such.mcgraph.json: cannot read the file: there is no such file")
    );
}

#[test]
fn randomly_corrupted_files_never_panic() {
    let good = sample().to_json().into_bytes();
    let mut rng = aether_lang::interp::Rng::new(0x1234_5678_9abc_def0);
    let mut next = move || rng.next_u64() as usize;
    let mut refused = 0;
    for _ in 0..2000 {
        let mut bytes = good.clone();
        for _ in 0..1 + next() % 4 {
            let i = next() % bytes.len().max(1);
            match next() % 4 {
                0 => bytes.truncate(i),
                1 => {
                    if i < bytes.len() {
                        bytes[i] = (next() % 128) as u8;
                    }
                }
                2 => {
                    if i < bytes.len() {
                        bytes.remove(i);
                    }
                }
                _ => bytes.insert(i.min(bytes.len()), b"{}[],:\"0-9e"[next() % 11]),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if VisualScriptGraph::from_json(&text).is_err() {
            refused += 1;
        }
    }
    assert!(
        refused > 1500,
        "most corruptions are caught: {refused} of 2000"
    );
}

/// Copy and paste: a fragment keeps the chosen nodes, the wires between them and the variables
/// they use; merging it renumbers everything and keeps the original graph intact.
#[test]
fn fragment_and_merge_copy_nodes_wires_and_variables() {
    use aether_lang::check;

    let mut g = VisualScriptGraph::new();
    g.variables.push(Variable {
        name: "goal".into(),
        ty: VarType::Position,
    });
    g.variables.push(Variable {
        name: "unused".into(),
        ty: VarType::Number,
    });
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [200.0, 0.0]);
    let walk = g.add_node("move_toward", [400.0, 0.0]);
    let get = g.add_node("get_variable", [200.0, 200.0]);
    g.set_value(get, "variable", Value::Choice("goal".into()));
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(walk, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(walk, "unit"));
    g.connect(PortRef::new(get, "value"), PortRef::new(walk, "to"));
    assert!(check::check(&g).is_empty(), "{:?}", check::check(&g));

    let frag = g.fragment(&[walk, get, NodeId(999)]);
    assert_eq!(frag.nodes().count(), 2);
    assert_eq!(
        frag.links().count(),
        1,
        "only the wire between chosen nodes"
    );
    assert_eq!(frag.variables.len(), 1, "only the variable the nodes use");
    // Through the clipboard: file text and back.
    let text = frag.to_json();
    let back = VisualScriptGraph::from_json(&text).expect("fragment text parses");

    let mut other = VisualScriptGraph::new();
    let pasted = other.merge(&back, [10.0, 20.0]);
    assert_eq!(pasted.len(), 2);
    assert_eq!(other.links().count(), 1);
    assert!(other.variable("goal").is_some());
    let moved = other.node(pasted[0]).expect("pasted");
    assert_eq!(moved.pos, [410.0, 20.0]);
    assert_eq!(moved.kind, "move_toward");

    // Duplicate within the same graph: fresh ids, nothing of the original changed.
    let before = g.clone();
    let copies = g.merge(&g.fragment(&[walk, get]), [40.0, 40.0]);
    assert!(
        copies.iter().all(|c| before.node(*c).is_none()),
        "fresh ids"
    );
    assert_eq!(g.nodes().count(), before.nodes().count() + 2);
    assert_eq!(g.links().count(), before.links().count() + 1);
    for n in before.nodes() {
        assert_eq!(g.node(n.id), Some(n));
    }
    assert_eq!(g.variables, before.variables, "no variable declared twice");
}

#[test]
fn world_scripts_are_format_2_and_ai_files_stay_format_1() {
    // An AI controller is still written as version 1, so studios without world scripts open it.
    let ai = sample();
    assert!(ai.to_json().contains("\"version\": 1,"));
    // A world script needs version 2, round-trips exactly, and a version-1 file claiming to be
    // one is refused with the reason.
    let mut world = VisualScriptGraph::new_world_script();
    let tick = world.add_node("on_tick", [0.0, 0.0]);
    let show = world.add_node("show_text", [200.0, 0.0]);
    world.set_value(show, "text", Value::Choice("Tick {number}".into()));
    world.connect(PortRef::new(tick, "then"), PortRef::new(show, "exec"));
    world.connect(PortRef::new(tick, "tick"), PortRef::new(show, "number"));
    let text = world.to_json();
    assert!(text.contains("\"version\": 2,") && text.contains("\"kind\": \"world_script\""));
    assert_eq!(VisualScriptGraph::from_json(&text).unwrap(), world);
    let old = text.replace("\"version\": 2,", "\"version\": 1,");
    let err = VisualScriptGraph::from_json(&old).unwrap_err().to_string();
    assert!(
        err.contains("a world script needs format version 2 or later"),
        "{err}"
    );
}
