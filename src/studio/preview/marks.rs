//! The canvas's marks from the previewed turn, when it is this graph's: each node's share of
//! the fuel when asked for, every port's value (while the debugger pauses the turn, those so
//! far), why a node did not act, the paused node and the path the turn took to it.

use aether_lang::graph::VisualScriptGraph;

use super::{Preview, described};
use crate::studio::canvas::Canvas;
use crate::studio::debugger::Debugger;

/// Which turn (and pause) the canvas's values came from: the graph's version, the preview job
/// whose turn is on screen, the loop iteration shown, the sample, the debugger's cursor. The values are set
/// again only when it changes.
pub type MarksKey = (
    u64,
    usize,
    usize,
    usize,
    Option<aether_lang::explain::Cursor>,
);

/// For an AI controller, the canvas's debugging marks from the previewed turn (when it is
/// this graph's): each node's share of the fuel when asked for, every port's value (while
/// paused, those so far), why a node did not act, the paused node and the path to it.
pub fn show(
    canvas: &mut Canvas,
    debugger: &mut Debugger,
    preview: &Preview,
    graph: &VisualScriptGraph,
    shown_for: &mut Option<MarksKey>,
) {
    // Each node's share of the turn's fuel, when asked for and current.
    let heat = match (&preview.shown, &preview.stale) {
        (Some((view, _)), None) if preview.show_fuel => match &view.trace {
            Some(Ok(t)) => t
                .nodes
                .iter()
                .filter(|n| n.fuel > 0)
                .map(|n| (n.id, (n.fuel, n.fuel as f32 / t.total_fuel.max(1) as f32)))
                .collect(),
            _ => std::collections::BTreeMap::new(),
        },
        _ => std::collections::BTreeMap::new(),
    };
    canvas.set_heat(heat);
    // Each node's fuel bound on the previewed state, when asked for and current.
    let bounds = match (&preview.shown, &preview.stale) {
        (Some((view, _)), None) if preview.show_bounds => view
            .fuel_bound
            .as_ref()
            .map(|b| b.nodes.clone())
            .unwrap_or_default(),
        _ => std::collections::BTreeMap::new(),
    };
    canvas.set_bounds(bounds);
    debugger.noun = "turn";
    let current = match (&preview.shown, &preview.stale) {
        (Some((v, _)), None) => debugger.paused_at(&v.run_trace),
        _ => None,
    };
    canvas.set_debug(&debugger.breakpoints, current);

    // Each port's values in the previewed turn, for hovering (set when they change);
    // while the debugger pauses the turn, the values so far.
    let turn = match (&preview.shown, &preview.stale) {
        (Some((_, version)), None) => Some((*version, preview.shown_job as usize)),
        _ => None,
    };
    // The debugger's pause belongs to a turn: the graph's version and the turns stepped.
    debugger.follow(turn.map(|(version, _)| (version, preview.history.len())));
    let key = turn.map(|(version, steps)| {
        (
            version,
            steps,
            preview.iteration,
            preview.sample,
            debugger.cursor,
        )
    });
    if key != *shown_for {
        *shown_for = key;
        let values = match (&preview.shown, key, debugger.cursor) {
            (Some((view, _)), Some(_), Some(at)) => described(
                graph,
                &aether_lang::explain::values_before(&view.run_trace, at),
                &view.before,
                view.report.slot,
            ),
            (Some((view, _)), Some(_), None) => view.values.clone(),
            _ => std::collections::BTreeMap::new(),
        };
        // Paused: a loop's values so far, the latest first shown.
        let iteration = if debugger.cursor.is_some() {
            usize::MAX
        } else {
            preview.iteration
        };
        canvas.set_values(values, iteration);
        let why_not = match (&preview.shown, key) {
            (Some((view, _)), Some(_)) => view
                .why_not
                .iter()
                .map(|(n, w)| (*n, w.text.clone()))
                .collect(),
            _ => std::collections::BTreeMap::new(),
        };
        canvas.set_why_not(why_not);
        // The wires a paused turn took so far.
        let path = match (&preview.shown, key, debugger.cursor) {
            (Some((v, _)), Some(_), Some(at)) => {
                aether_lang::explain::path_before(graph, &v.run_trace, at)
            }
            _ => std::collections::BTreeSet::new(),
        };
        canvas.set_path(path);
    }
}
