//! Why a node never ran (`debug::why_not`), read from the interpreter's trace of the turn.

#[path = "../../../tests/support/mod.rs"]
mod support;

use aether_lang::explain::why_not;
use aether_lang::graph::{PortRef, VisualScriptGraph};
use aether_lang::interp::{CheckedGraph, interpret};
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

/// Pausing is a cursor in the turn's trace: Run stops at the first breakpoint, Continue at the
/// next, Step into goes into a loop's body, Step over past all its iterations.
#[test]
fn breakpoints_and_steps_walk_the_trace() {
    use aether_lang::explain::{run_to_breakpoint, step_into, step_over, values_before};
    use aether_lang::interp::TraceEvent;
    let mut g = VisualScriptGraph::new();
    g.name = "steps".into();
    g.version = "1.0.0".into();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [0.0, 0.0]);
    let body = g.add_node("fortify", [0.0, 0.0]);
    let after = g.add_node("fortify", [0.0, 0.0]);
    let first = g.add_node("for_each_unit", [0.0, 0.0]);
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(body, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(body, "unit"));
    g.connect(PortRef::new(each, "done"), PortRef::new(first, "exec"));
    g.connect(PortRef::new(first, "body"), PortRef::new(after, "exec"));
    g.connect(PortRef::new(first, "unit"), PortRef::new(after, "unit"));
    let checked = CheckedGraph::new(g.clone()).unwrap_or_else(|d| panic!("{d:?}"));
    let state = support::state("states/battle");
    let view = rules::view_for(&state, 0);
    let trace = interpret(&checked, &view, 0, 1).trace;
    let ran = |c: usize| match trace[c] {
        TraceEvent::Ran(n) => n,
        _ => panic!("a cursor stands on a node about to run"),
    };
    let breakpoints = [body].into_iter().collect();
    let c1 = run_to_breakpoint(&trace, None, &breakpoints).expect("the body runs");
    assert_eq!(ran(c1), body);
    let c2 = run_to_breakpoint(&trace, Some(c1), &breakpoints).expect("twice");
    assert_eq!(ran(c2), body);
    // Values so far: the loop gave its unit once before the first stop, twice before the second.
    assert_eq!(
        values_before(&trace, c1)[&(each, "unit".to_owned())].len(),
        1
    );
    assert_eq!(
        values_before(&trace, c2)[&(each, "unit".to_owned())].len(),
        2
    );
    // From the loop itself: into its body, or over it to what follows.
    let at_loop = run_to_breakpoint(&trace, None, &[each].into_iter().collect()).expect("loop");
    assert_eq!(ran(step_into(&trace, at_loop).expect("a step")), body);
    assert_eq!(ran(step_over(&g, &trace, at_loop).expect("a step")), first);
}

/// An action node that ran but sent nothing: the rules' reason for each try they refused, and
/// the input that was none (with the node that gave it) when it had nothing to propose.
#[test]
fn why_an_action_that_ran_sent_nothing_gives_the_rules_reason_or_the_empty_input() {
    use aether_lang::explain::explain;
    use aether_lang::interp::TraceEvent;
    let mut g = VisualScriptGraph::new();
    g.name = "why-no-attack".into();
    g.version = "1.0.0".into();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [0.0, 0.0]);
    let nearest = g.add_node("nearest_enemy", [0.0, 0.0]);
    let attack = g.add_node("attack", [0.0, 0.0]);
    let weakest = g.add_node("weakest_enemy_in_range", [0.0, 0.0]);
    let second = g.add_node("attack", [0.0, 0.0]);
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(attack, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(attack, "unit"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(nearest, "unit"));
    // The mistake to find: the unit itself wired as the target.
    g.connect(PortRef::new(each, "unit"), PortRef::new(attack, "target"));
    g.connect(PortRef::new(attack, "then"), PortRef::new(second, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(second, "unit"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(weakest, "unit"));
    g.connect(
        PortRef::new(weakest, "enemy"),
        PortRef::new(second, "target"),
    );
    let checked = CheckedGraph::new(g.clone()).unwrap_or_else(|d| panic!("{d:?}"));
    // The rules refuse every try of the first (the target is on the attacker's side); at the
    // start of the battle no enemy is in range for the second.
    let state = support::state("states/battle");
    let view = rules::view_for(&state, 0);
    let run = interpret(&checked, &view, 0, 1);
    let refused = run
        .trace
        .iter()
        .filter(|e| matches!(e, TraceEvent::Refused(n, ..) if *n == attack))
        .count();
    assert!(refused > 0, "the rules refused the first Attack's tries");
    assert!(run.actions.is_empty(), "{:?}", run.actions);
    let why = explain(&g, &run.trace, attack).expect("it sent nothing");
    assert!(
        why.text
            .starts_with(&format!("Attack {attack} ran 20 times and sent nothing")),
        "{}",
        why.text
    );
    assert!(
        why.text.contains("the rules refused \u{201c}unit ")
            && why
                .text
                .contains("is on the same side (and 19 times more alike)"),
        "the rules' own words: {}",
        why.text
    );
    let why = explain(&g, &run.trace, second).expect("it sent nothing");
    assert!(
        why.text.contains(&format!(
            "20 times its Target was none (from Weakest Enemy In Range {weakest})"
        )),
        "{}",
        why.text
    );
    assert_eq!(
        why.culprit,
        Some(weakest),
        "look at the query that gave none"
    );
    // A node that did its part has nothing to explain.
    assert_eq!(explain(&g, &run.trace, nearest), None);
    assert_eq!(explain(&g, &run.trace, each), None);
}
