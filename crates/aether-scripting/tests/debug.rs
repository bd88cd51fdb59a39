//! Why a node never ran (`debug::why_not`), read from the interpreter's trace of the turn.

mod support;

use aether_scripting::debug::why_not;
use aether_scripting::graph::{PortRef, VisualScriptGraph};
use aether_scripting::interp::{CheckedGraph, interpret};
use mc_tactical_types::rules;

#[test]
fn why_a_node_never_ran_names_the_branch_the_loop_or_the_missing_wire() {
    let mut g = VisualScriptGraph::new();
    g.name = "why".into();
    g.version = "1.0.0".into();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [0.0, 0.0]);
    let cond = g.add_node("bool", [0.0, 0.0]);
    let branch = g.add_node("branch", [0.0, 0.0]);
    let fortify = g.add_node("fortify", [0.0, 0.0]);
    let lonely = g.add_node("fortify", [0.0, 0.0]);
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(branch, "exec"));
    g.connect(
        PortRef::new(cond, "value"),
        PortRef::new(branch, "condition"),
    );
    g.connect(PortRef::new(branch, "true"), PortRef::new(fortify, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(fortify, "unit"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(lonely, "unit"));
    let checked = CheckedGraph::new(g.clone()).unwrap_or_else(|d| panic!("{d:?}"));
    let state = support::state("states/battle");
    let view = rules::view_for(&state, 0);
    let run = interpret(&checked, &view, 0, 1);
    assert_eq!(why_not(&g, &run.trace, turn), None, "On Turn ran");
    assert_eq!(why_not(&g, &run.trace, branch), None, "the Branch ran");
    let why = why_not(&g, &run.trace, fortify).expect("never ran");
    assert!(
        why.contains(&format!("Branch {branch} never took True"))
            && why.contains("Condition was false all 20 times"),
        "{why}"
    );
    let why = why_not(&g, &run.trace, lonely).expect("never ran");
    assert!(why.contains("nothing leads to it"), "{why}");
    // A player with no units: the loop has nothing to go through.
    let mut empty = view.clone();
    empty.units.retain(|u| u.owner != 0);
    let run = interpret(&checked, &empty, 0, 1);
    let why = why_not(&g, &run.trace, fortify).expect("never ran");
    assert!(
        why.contains(&format!("For Each Unit {each} ran but found no units")),
        "{why}"
    );
}
