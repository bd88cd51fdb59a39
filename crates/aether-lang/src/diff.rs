//! Behaviour diff: what an edit changed in what an AI does, turn by turn, and where.
//!
//! Two versions of a graph (OLD and NEW) run on the same turns (a state as one seat sees it,
//! with that seat's seed) in the reference interpreter. A turn *differs* when the two replies
//! differ; for each such turn the diff gives the actions only one of them proposes and the
//! node where the two traces first part. Nodes are matched by id, which every edit keeps
//! (a node's id is never reused), so "the same node" in both versions is the node with the same
//! id. The parting points are grouped and counted ("Branch #5 now takes True on 212 of 800
//! turns"), and every node whose own events (when it ran, what its ports held, what it sent)
//! differ on some turn is *changed*, whether or not anyone edited it: the canvas marks those.
//!
//! Pure: the same graphs and turns give the same diff. What the turns are (sample states,
//! replays, fresh duels) is the caller's choice.

use std::collections::BTreeMap;

use mc_tactical_types::{Action, TacticalState};

use crate::catalog::{self, Op};
use crate::graph::{NodeId, VisualScriptGraph};
use crate::interp::{CheckedGraph, TraceEvent, interpret};
use crate::value::Val;

/// One turn both versions play: the state as the seat sees it, the seat and the seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// Where the turn comes from, for people ("battle, player 1", "replay x.mcreplay, turn 7").
    pub label: String,
    /// The state as `slot` sees it.
    pub view: TacticalState,
    /// The player slot.
    pub slot: u8,
    /// The turn's seed.
    pub seed: u64,
}

/// Where two traces first part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parting {
    /// The node (an id both versions may hold; it may exist in only one of them).
    pub node: NodeId,
    /// The node in words, "Branch #5", from the version that has it (NEW first).
    pub name: String,
    /// What is different there, in words: "now takes True", "Number now 4 (was 3)".
    pub what: String,
    /// The same, for grouping: values that vary from turn to turn are left out ("Number
    /// changed"), so one parting point counts once however its values differ.
    pub group: String,
}

/// One turn whose replies differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnDiff {
    /// Index of the turn in the cases given.
    pub case: usize,
    /// OLD's reply.
    pub old: Vec<Action>,
    /// NEW's reply.
    pub new: Vec<Action>,
    /// Actions OLD proposes and NEW does not (as a multiset, in OLD's order).
    pub only_old: Vec<Action>,
    /// Actions NEW proposes and OLD does not (in NEW's order).
    pub only_new: Vec<Action>,
    /// Where the traces first part (always some when the replies differ).
    pub parting: Option<Parting>,
}

/// A parting point and on how many differing turns the traces part there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartingGroup {
    /// The node.
    pub node: NodeId,
    /// The node in words.
    pub name: String,
    /// What changed there, without the values that vary ([`Parting::group`]).
    pub what: String,
    /// Differing turns whose traces part here.
    pub turns: u32,
}

/// Everything the diff found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// Turns played by both.
    pub turns: usize,
    /// The turns whose replies differ, in case order.
    pub differing: Vec<TurnDiff>,
    /// Where the differing turns' traces part, most turns first (ties by node id).
    pub groups: Vec<PartingGroup>,
    /// Every node whose own events differ between the versions, with on how many turns (also
    /// turns whose replies are the same: a value changed that did not change an action).
    pub changed_nodes: BTreeMap<NodeId, u32>,
}

impl Diff {
    /// Whether nothing differs: no reply, and no node's behaviour.
    pub fn is_same(&self) -> bool {
        self.differing.is_empty() && self.changed_nodes.is_empty()
    }
}

/// Runs both versions on every case and compares them. `progress` is told each case done
/// (done, all); returning `false` from it stops early (the diff covers the cases done).
pub fn diff(
    old: &CheckedGraph,
    new: &CheckedGraph,
    cases: &[Case],
    progress: &mut dyn FnMut(usize, usize) -> bool,
) -> Diff {
    let mut out = Diff::default();
    let mut groups: BTreeMap<(NodeId, String), (String, u32)> = BTreeMap::new();
    for (i, case) in cases.iter().enumerate() {
        let a = interpret(old, &case.view, case.slot, case.seed);
        let b = interpret(new, &case.view, case.slot, case.seed);
        out.turns += 1;
        for node in changed_nodes(&a.trace, &b.trace) {
            *out.changed_nodes.entry(node).or_insert(0) += 1;
        }
        if a.actions != b.actions {
            let parting = parting(old.graph(), new.graph(), &a.trace, &b.trace);
            if let Some(p) = &parting {
                groups
                    .entry((p.node, p.group.clone()))
                    .or_insert_with(|| (p.name.clone(), 0))
                    .1 += 1;
            }
            out.differing.push(TurnDiff {
                case: i,
                only_old: minus(&a.actions, &b.actions),
                only_new: minus(&b.actions, &a.actions),
                old: a.actions,
                new: b.actions,
                parting,
            });
        }
        if !progress(i + 1, cases.len()) {
            break;
        }
    }
    out.groups = groups
        .into_iter()
        .map(|((node, what), (name, turns))| PartingGroup {
            node,
            name,
            what,
            turns,
        })
        .collect();
    out.groups
        .sort_by(|a, b| b.turns.cmp(&a.turns).then(a.node.cmp(&b.node)));
    out
}

/// `a` less `b`, as multisets, in `a`'s order.
fn minus(a: &[Action], b: &[Action]) -> Vec<Action> {
    let mut left: Vec<Option<&Action>> = b.iter().map(Some).collect();
    a.iter()
        .filter(
            |x| match left.iter_mut().find(|y| y.is_some_and(|y| y == *x)) {
                Some(slot) => {
                    *slot = None;
                    false
                }
                None => true,
            },
        )
        .cloned()
        .collect()
}

/// The node an event belongs to.
fn node_of(e: &TraceEvent) -> NodeId {
    match e {
        TraceEvent::Ran(n)
        | TraceEvent::Sent(n, _)
        | TraceEvent::Refused(n, _, _)
        | TraceEvent::Called { node: n, .. } => *n,
        TraceEvent::Value(port, _) => port.node,
    }
}

/// Nodes whose own events, in order, are not the same in both traces.
fn changed_nodes(a: &[TraceEvent], b: &[TraceEvent]) -> Vec<NodeId> {
    let mut own: BTreeMap<NodeId, (Vec<&TraceEvent>, Vec<&TraceEvent>)> = BTreeMap::new();
    for e in a {
        own.entry(node_of(e)).or_default().0.push(e);
    }
    for e in b {
        own.entry(node_of(e)).or_default().1.push(e);
    }
    own.into_iter()
        .filter(|(_, (x, y))| x != y)
        .map(|(n, _)| n)
        .collect()
}

/// "Branch #5", from NEW if it has the node, else from OLD.
fn node_name(old: &VisualScriptGraph, new: &VisualScriptGraph, node: NodeId) -> String {
    let kind = new
        .node(node)
        .or_else(|| old.node(node))
        .map(|n| catalog::spec(&n.kind).map_or(n.kind.as_str(), |s| s.name));
    match kind {
        Some(kind) => format!("{kind} {node}"),
        None => format!("node {node}"),
    }
}

fn is_branch(g: &VisualScriptGraph, node: NodeId) -> bool {
    g.node(node)
        .and_then(|n| catalog::spec(&n.kind))
        .is_some_and(|s| s.op == Op::Branch)
}

/// Whether an event is a step of the run (a node ran, an action went out or was refused, the
/// world was called) rather than a value on a port.
fn is_step(e: &TraceEvent) -> bool {
    !matches!(e, TraceEvent::Value(..))
}

/// Where the runs first take different steps, in words. Values are not compared here: a typed
/// number that was edited differs from the first turn it is read, but what matters is where the
/// run goes differently because of it: the branch that now goes the other way, the action node
/// that now sends something else.
fn parting(
    old: &VisualScriptGraph,
    new: &VisualScriptGraph,
    a: &[TraceEvent],
    b: &[TraceEvent],
) -> Option<Parting> {
    let steps = |t: &[TraceEvent]| -> Vec<usize> {
        t.iter()
            .enumerate()
            .filter(|(_, e)| is_step(e))
            .map(|(i, _)| i)
            .collect()
    };
    let (sa, sb) = (steps(a), steps(b));
    let at = sa
        .iter()
        .zip(&sb)
        .position(|(&i, &j)| a[i] != b[j])
        .unwrap_or(sa.len().min(sb.len()));
    // The last node both ran before they part, and where that is in NEW's trace.
    let last_ran = sb[..at].iter().rev().find_map(|&j| match &b[j] {
        TraceEvent::Ran(n) => Some((*n, j)),
        _ => None,
    });
    let end_b = sb.get(at).copied().unwrap_or(b.len());
    let make = |node: NodeId, what: String, group: String| Parting {
        node,
        name: node_name(old, new, node),
        what,
        group,
    };
    // The node whose execution output leads elsewhere now: a Branch says which way it took.
    let turned = |(node, from): (NodeId, usize), otherwise: String, group: String| {
        if is_branch(new, node) {
            let took = b[from..end_b].iter().rev().find_map(|e| match e {
                TraceEvent::Value(p, Val::Bool(v)) if p.node == node => Some(*v),
                _ => None,
            });
            if let Some(took) = took {
                let what = format!("now takes {}", if took { "True" } else { "False" });
                return make(node, what.clone(), what);
            }
        }
        make(node, otherwise, group)
    };
    match (sa.get(at).map(|&i| &a[i]), sb.get(at).map(|&j| &b[j])) {
        (None, None) => None,
        (Some(x), None) => Some(match last_ran {
            Some(r) => turned(
                r,
                "NEW stops here; OLD went on".into(),
                "NEW stops here".into(),
            ),
            None => make(
                node_of(x),
                "NEW never gets here".into(),
                "NEW never gets here".into(),
            ),
        }),
        (None, Some(y)) => Some(match last_ran {
            Some(r) => turned(
                r,
                "NEW goes on; OLD stopped here".into(),
                "NEW goes on".into(),
            ),
            None => make(
                node_of(y),
                "OLD never got here".into(),
                "OLD never got here".into(),
            ),
        }),
        (Some(x), Some(y)) => Some(match (x, y) {
            (TraceEvent::Ran(m), TraceEvent::Ran(n)) => {
                let otherwise = format!(
                    "now continues to {} (was {})",
                    node_name(old, new, *n),
                    node_name(old, new, *m)
                );
                let group = format!("now continues to {}", node_name(old, new, *n));
                match last_ran {
                    Some(r) => turned(r, otherwise, group),
                    None => make(*n, otherwise, group),
                }
            }
            (TraceEvent::Sent(_, was), TraceEvent::Sent(n, now)) => make(
                *n,
                format!("now sends \"{now}\" (was \"{was}\")"),
                "sends another action".into(),
            ),
            (_, TraceEvent::Refused(n, action, why)) => make(
                *n,
                format!("\"{action}\" is now refused: {why}"),
                "now refused by the rules".into(),
            ),
            (TraceEvent::Refused(..), TraceEvent::Sent(n, action)) => make(
                *n,
                format!("now sends \"{action}\" (the rules refused it before)"),
                "now accepted by the rules".into(),
            ),
            (_, y) => make(
                node_of(y),
                "runs differently".into(),
                "runs differently".into(),
            ),
        }),
    }
}
