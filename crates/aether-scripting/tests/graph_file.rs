//! The graph file format: exact round trip, stable bytes, atomic saves, and an error that names
//! the problem and the place for every kind of broken file (never a panic).

use std::path::Path;

use aether_scripting::graph::file::GraphFileError;
use aether_scripting::graph::{
    Comment, NodeId, PortRef, Value, VarType, Variable, VisualScriptGraph,
};

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
    assert!(err.to_string().contains("writing the file failed"), "{err}");
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
            "format version 7, written by a newer Creator Studio; this one reads up to version 1",
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
            .starts_with("no/such.mcgraph.json: reading the file failed")
    );
}

#[test]
fn randomly_corrupted_files_never_panic() {
    let good = sample().to_json().into_bytes();
    let mut rng = aether_scripting::interp::Rng::new(0x1234_5678_9abc_def0);
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
