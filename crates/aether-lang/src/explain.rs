//! Reading the interpreter's trace of a run: what a value means to a creator ([`describe`]),
//! why a node did not do its part and which node is behind it ([`explain`], [`why_not`]), and
//! the debugger's cursor over the trace (run to a breakpoint, step into, step over, the values
//! so far, the path that led to a node). Nothing runs again: every answer is read from the
//! trace of what really ran (the compiled module is the same program, byte for byte, by the
//! differential test). The fuel each node cost needs the compiled module: that is
//! `aether_debug`'s.

use std::collections::BTreeMap;

use mc_tactical_types::TacticalState;

use crate::graph::{NodeId, VisualScriptGraph};
use crate::interp::{NO_POSITION, TraceEvent, Val};

/// A value as a creator reads it: a unit as "Archer #7 (hp 6)" (its hp when the turn began), a
/// tile as "(3, 4)", none as "none".
pub fn describe(val: &Val, view: &TacticalState) -> String {
    match val {
        Val::Unit(Some(id)) => match view.unit(*id) {
            Some(u) => format!("{:?} #{id} (hp {})", u.kind, u.hp),
            None => format!("unit #{id}"),
        },
        Val::Position(p) if *p != NO_POSITION => format!("({}, {})", p.x, p.y),
        other => other.to_string(),
    }
}

/// Why a node did not do its part in a turn, in words, and where to look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Why {
    /// The explanation ("Branch 5 never took True: its Condition was false all 20 times it ran").
    pub text: String,
    /// The node the answer lies at: the Branch that went the other way, the loop that found
    /// nothing, the query that gave none; `None` when it is the node itself (the rules refused
    /// it, or nothing leads to it).
    pub culprit: Option<NodeId>,
}

/// Why `node` never ran in the turn `trace` records, or, for an action node that ran, why it
/// sent nothing (or less than each time); `None` if it did its part. See [`explain`].
pub fn why_not(graph: &VisualScriptGraph, trace: &[TraceEvent], node: NodeId) -> Option<String> {
    explain(graph, trace, node).map(|w| w.text)
}

/// Why `node` did not do its part in the turn `trace` records:
/// - a node that never ran: following the execution wires back, the Branch that always took
///   the other way (with its condition's values), the loop that found nothing to loop over, or
///   a node before it that never ran itself;
/// - an action node that ran but did not send an action each time: the rules' reason for each
///   try they refused, and the times it had nothing to propose because an input was none (with
///   the node that gave the none).
///
/// `None` if it ran (and, for an action node, sent an action every time), and for nodes without
/// execution pins (they never run by themselves: they give values when asked).
pub fn explain(graph: &VisualScriptGraph, trace: &[TraceEvent], node: NodeId) -> Option<Why> {
    let kind = graph.node(node).map(|n| n.kind.as_str())?;
    if !crate::catalog::spec(kind).is_some_and(|s| s.is_exec()) {
        return None;
    }
    if trace
        .iter()
        .any(|e| matches!(e, TraceEvent::Ran(n) if *n == node))
    {
        return why_no_action(graph, trace, node);
    }
    why_not_at(graph, trace, node, 0)
}

fn name_of(graph: &VisualScriptGraph, id: NodeId) -> &'static str {
    graph
        .node(id)
        .and_then(|n| crate::catalog::spec(&n.kind))
        .map_or("a node", |s| s.name)
}

fn times(n: usize) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{n} times"),
    }
}

/// An action node that ran: why some of its runs sent nothing.
fn why_no_action(graph: &VisualScriptGraph, trace: &[TraceEvent], node: NodeId) -> Option<Why> {
    let kind = graph.node(node).map(|n| n.kind.as_str())?;
    let op = crate::catalog::spec(kind)?.op;
    use crate::catalog::Op;
    if !matches!(
        op,
        Op::Attack
            | Op::MoveToward
            | Op::MoveAwayFrom
            | Op::Fortify
            | Op::CastFireball
            | Op::CastHeal
    ) {
        return None;
    }
    let mut runs = 0;
    let mut sent = 0;
    // Refusals by kind of reason, in the order first met: (kind, the first one's reason and
    // action, how many).
    let mut refused: Vec<(
        std::mem::Discriminant<mc_tactical_types::rules::Rejection>,
        String,
        mc_tactical_types::Action,
        usize,
    )> = Vec::new();
    // Runs with nothing to propose, by the input that was none: (port, count).
    let mut empty: Vec<(&'static str, usize)> = Vec::new();
    let mut i = 0;
    while i < trace.len() {
        if !matches!(trace[i], TraceEvent::Ran(n) if n == node) {
            i += 1;
            continue;
        }
        runs += 1;
        let mut none_port = None;
        let mut outcome = false;
        i += 1;
        while i < trace.len() && !matches!(trace[i], TraceEvent::Ran(_)) {
            match &trace[i] {
                TraceEvent::Value(p, v) if p.node == node && none_port.is_none() => {
                    let none = matches!(v, Val::Unit(None))
                        || matches!(v, Val::Position(pos) if *pos == NO_POSITION);
                    if none {
                        none_port = Some(p.port.as_str());
                    }
                }
                TraceEvent::Sent(n, _) if *n == node => {
                    sent += 1;
                    outcome = true;
                }
                TraceEvent::Refused(n, action, why) if *n == node => {
                    outcome = true;
                    let kind = std::mem::discriminant(why);
                    match refused.iter_mut().find(|r| r.0 == kind) {
                        Some(r) => r.3 += 1,
                        None => refused.push((kind, why.to_string(), *action, 1)),
                    }
                }
                _ => {}
            }
            i += 1;
        }
        if !outcome {
            let port = match none_port {
                Some("unit") => "unit",
                Some("target") => "target",
                Some("to") => "to",
                Some("from") => "from",
                Some("at") => "at",
                _ => "",
            };
            match empty.iter_mut().find(|e| e.0 == port) {
                Some(e) => e.1 += 1,
                None => empty.push((port, 1)),
            }
        }
    }
    if runs == 0 || sent == runs {
        return None;
    }
    let name = name_of(graph, node);
    let here = if sent == 0 {
        format!("{name} {node} ran {} and sent nothing", times(runs))
    } else {
        format!(
            "{name} {node} ran {} but sent an action only {}",
            times(runs),
            times(sent)
        )
    };
    let mut reasons = Vec::new();
    let mut culprit = None;
    for (_, reason, action, n) in refused.iter().take(3) {
        let more = match n {
            1 => String::new(),
            2 => " (and once more alike)".into(),
            n => format!(" (and {} times more alike)", n - 1),
        };
        reasons.push(format!(
            "the rules refused \u{201c}{action}\u{201d}: {reason}{more}"
        ));
    }
    if refused.len() > 3 {
        let rest: usize = refused.iter().skip(3).map(|r| r.3).sum();
        reasons.push(format!("{} other refusals", rest));
    }
    for (port, n) in &empty {
        if port.is_empty() {
            reasons.push(match op {
                Op::MoveToward => format!("{} no step brought the unit closer", times(*n)),
                Op::MoveAwayFrom => format!("{} no step took the unit further away", times(*n)),
                _ => format!("{} it had nothing to propose", times(*n)),
            });
            continue;
        }
        let from = graph
            .links_into(&crate::graph::PortRef::new(node, *port))
            .next()
            .map(|l| l.from.node);
        let label = crate::catalog::spec(kind)
            .and_then(|s| s.inputs.iter().find(|p| p.key == *port))
            .map_or(*port, |p| p.name);
        let what = if matches!(*port, "to" | "from" | "at") {
            "nowhere"
        } else {
            "none"
        };
        let source = match from {
            Some(f) => {
                culprit = culprit.or(Some(f));
                format!(" (from {} {f})", name_of(graph, f))
            }
            None => " (nothing is wired into it)".into(),
        };
        reasons.push(format!("{} its {label} was {what}{source}", times(*n)));
    }
    Some(Why {
        text: format!("{here}: {}", reasons.join("; ")),
        culprit,
    })
}

fn why_not_at(
    graph: &VisualScriptGraph,
    trace: &[TraceEvent],
    node: NodeId,
    depth: u32,
) -> Option<Why> {
    if trace
        .iter()
        .any(|e| matches!(e, TraceEvent::Ran(n) if *n == node))
    {
        return None;
    }
    let here = format!("{} {node} never ran", name_of(graph, node));
    let answers = graph
        .node(node)
        .and_then(|n| crate::catalog::spec(&n.kind))
        .and_then(|s| s.op.event());
    if answers.is_some() {
        // A world script's event node: it starts its own flow when its event comes.
        return Some(Why {
            text: format!("{here}: this event is not one it answers"),
            culprit: None,
        });
    }
    let into = crate::graph::PortRef::new(node, "exec");
    let links: Vec<_> = graph.links_into(&into).collect();
    if links.is_empty() {
        return Some(Why {
            text: format!("{here}: nothing leads to it (wire a white execution output into it)"),
            culprit: None,
        });
    }
    if depth > 16 {
        return Some(Why {
            text: format!("{here}: what leads to it never ran either"),
            culprit: None,
        });
    }
    let mut reasons = Vec::new();
    let mut culprit = None;
    for link in links {
        let from = link.from.node;
        let out = link.from.port.as_str();
        let kind = graph.node(from).map(|n| n.kind.as_str()).unwrap_or("");
        let ran = trace
            .iter()
            .filter(|e| matches!(e, TraceEvent::Ran(n) if *n == from))
            .count();
        if ran == 0 {
            if let Some(before) = why_not_at(graph, trace, from, depth + 1) {
                culprit = culprit.or(before.culprit).or(Some(from));
                reasons.push(before.text);
            }
            continue;
        }
        culprit = culprit.or(Some(from));
        match kind {
            "branch" => {
                let conditions: Vec<bool> = trace
                    .iter()
                    .filter_map(|e| match e {
                        TraceEvent::Value(p, Val::Bool(b))
                            if p.node == from && p.port == "condition" =>
                        {
                            Some(*b)
                        }
                        _ => None,
                    })
                    .collect();
                let wanted = out == "true";
                let times = conditions.len();
                reasons.push(format!(
                    "Branch {from} never took {}: its Condition was {} {}",
                    if wanted { "True" } else { "False" },
                    !wanted,
                    if times == 1 {
                        "the one time it ran".to_owned()
                    } else {
                        format!("all {times} times it ran")
                    }
                ));
            }
            "for_each_unit" if out == "body" => reasons.push(format!(
                "For Each Unit {from} ran but found no units to go through"
            )),
            _ => reasons.push(format!(
                "{} {from} ran {ran} time{} but did not lead here",
                name_of(graph, from),
                if ran == 1 { "" } else { "s" }
            )),
        }
    }
    Some(Why {
        text: format!("{here}: {}", reasons.join("; ")),
        culprit,
    })
}

/// Where a paused turn stands: the index of a [`TraceEvent::Ran`] in the turn's trace (the node
/// about to run).
pub type Cursor = usize;

fn ran_at(trace: &[TraceEvent], i: usize) -> Option<NodeId> {
    match trace.get(i) {
        Some(TraceEvent::Ran(n)) => Some(*n),
        _ => None,
    }
}

/// The first time after `after` (from the start for `None`) that a node in `breakpoints` is
/// about to run.
pub fn run_to_breakpoint(
    trace: &[TraceEvent],
    after: Option<Cursor>,
    breakpoints: &std::collections::BTreeSet<NodeId>,
) -> Option<Cursor> {
    let start = after.map_or(0, |c| c + 1);
    (start..trace.len()).find(|&i| ran_at(trace, i).is_some_and(|n| breakpoints.contains(&n)))
}

/// Step into: the next node about to run, whatever it is (into a loop's body too).
pub fn step_into(trace: &[TraceEvent], at: Cursor) -> Option<Cursor> {
    (at + 1..trace.len()).find(|&i| ran_at(trace, i).is_some())
}

/// Step over: the next node about to run that is not inside the current node's loop body (for
/// For Each Unit: past all its iterations); for any other node, the next node.
pub fn step_over(graph: &VisualScriptGraph, trace: &[TraceEvent], at: Cursor) -> Option<Cursor> {
    let node = ran_at(trace, at)?;
    let is_loop = graph.node(node).is_some_and(|n| n.kind == "for_each_unit");
    if !is_loop {
        return step_into(trace, at);
    }
    // The nodes the loop's body reaches by execution wires (the body's own flow).
    let mut body = std::collections::BTreeSet::new();
    let mut todo: Vec<NodeId> = graph
        .links_from(&crate::graph::PortRef::new(node, "body"))
        .map(|l| l.to.node)
        .collect();
    while let Some(n) = todo.pop() {
        if n == node || !body.insert(n) {
            continue;
        }
        let Some(spec) = graph.node(n).and_then(|x| crate::catalog::spec(&x.kind)) else {
            continue;
        };
        for out in spec
            .outputs
            .iter()
            .filter(|p| p.ty == crate::catalog::PinType::Exec)
        {
            todo.extend(
                graph
                    .links_from(&crate::graph::PortRef::new(n, out.key))
                    .map(|l| l.to.node),
            );
        }
    }
    (at + 1..trace.len()).find(|&i| ran_at(trace, i).is_some_and(|n| !body.contains(&n)))
}

/// The execution wires the turn took up to `at` (the wire into the node about to run
/// included): wires into an execution input whose two nodes had both run by then.
pub fn path_before(
    graph: &VisualScriptGraph,
    trace: &[TraceEvent],
    at: Cursor,
) -> std::collections::BTreeSet<(crate::graph::PortRef, crate::graph::PortRef)> {
    let ran: std::collections::BTreeSet<NodeId> = trace
        .iter()
        .take(at + 1)
        .filter_map(|e| match e {
            TraceEvent::Ran(n) => Some(*n),
            _ => None,
        })
        .collect();
    graph
        .links()
        .filter(|l| l.to.port == "exec" && ran.contains(&l.to.node) && ran.contains(&l.from.node))
        .map(|l| (l.from.clone(), l.to.clone()))
        .collect()
}

/// Every port's values computed before `at`, in order: what a paused turn has seen so far.
pub fn values_before(trace: &[TraceEvent], at: Cursor) -> BTreeMap<(NodeId, String), Vec<Val>> {
    let mut out: BTreeMap<(NodeId, String), Vec<Val>> = BTreeMap::new();
    for e in trace.iter().take(at) {
        if let TraceEvent::Value(p, v) = e {
            out.entry((p.node, p.port.clone())).or_default().push(*v);
        }
    }
    out
}
