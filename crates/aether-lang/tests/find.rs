//! Finding things in a graph (`graph::find`): nodes by name, number or typed text, variables
//! with their uses, comments; case does not matter.

use aether_lang::find::{Found, find, usages};
use aether_lang::graph::{Comment, PortRef, Value, VarType, Variable, VisualScriptGraph};

#[test]
fn finds_nodes_variables_and_comments() {
    let mut g = VisualScriptGraph::new();
    g.variables.push(Variable {
        name: "goal".into(),
        ty: VarType::Position,
    });
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let set = g.add_node("set_variable", [200.0, 0.0]);
    let get = g.add_node("get_variable", [200.0, 200.0]);
    let walk = g.add_node("move_toward", [400.0, 0.0]);
    let attack = g.add_node("attack", [600.0, 0.0]);
    g.set_value(set, "variable", Value::Choice("goal".into()));
    g.set_value(get, "variable", Value::Choice("goal".into()));
    g.connect(PortRef::new(turn, "then"), PortRef::new(set, "exec"));
    g.comments.push(Comment {
        pos: [10.0, -200.0],
        size: [200.0, 80.0],
        text: "Walk to the GOAL tile\nthen attack".into(),
    });

    // A variable: its uses, then the nodes whose typed choice names it, then the comment.
    let found = find(&g, "Goal");
    assert_eq!(
        found[0].found,
        Found::Variable("goal".into(), vec![set, get])
    );
    assert_eq!(found[0].label, "variable goal: 2 uses");
    assert_eq!(found[0].nodes(), vec![set, get]);
    assert!(
        found
            .iter()
            .any(|m| m.found == Found::Node(get) && m.label.contains("\u{201c}goal\u{201d}"))
    );
    assert_eq!(
        found.last().map(|m| &m.found),
        Some(&Found::Comment(0, [10.0, -200.0]))
    );
    assert_eq!(
        found.last().unwrap().label,
        "comment: Walk to the GOAL tile"
    );

    // Nodes by their name and by their number.
    let found = find(&g, "attack");
    assert!(found.iter().any(|m| m.found == Found::Node(attack)));
    assert!(!found.iter().any(|m| m.found == Found::Node(walk)));
    let found = find(&g, &format!("{walk}"));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].label, format!("Move Toward {walk}"));

    assert!(find(&g, "  ").is_empty());
    assert!(find(&g, "fireball").is_empty());
    assert_eq!(usages(&g, "goal"), vec![set, get]);
    assert!(usages(&g, "nothing").is_empty());
}
