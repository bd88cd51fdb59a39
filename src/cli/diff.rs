//! `diff OLD NEW`: what an edit changed in what an AI does. Both versions of a graph play the
//! same turns in the reference interpreter (the built-in samples and generated maps from both
//! seats, or states, replays or fresh duels the creator names); the report counts the turns
//! whose replies differ, lists the actions only one version proposes, and says where the two
//! traces first part, grouped by node. With `--against`, also both versions' win rates against
//! one opponent over the same seeds, with the interval of the difference.
//!
//! Exit status: 0 when no turn differs, 1 when some do, 2 when an input cannot be used.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use aether_duel::{BatchResult, Replay, corpus, play_batch, wilson_difference};
use aether_lang::Scenario;
use aether_lang::diff::{Case, Diff, diff};
use aether_lang::graph::ScriptKind;
use aether_lang::graph::{NodeId, VisualScriptGraph};
use aether_lang::interp::CheckedGraph;
use anyhow::{Context as _, bail};
use serde_json::json;

/// What `diff` was asked.
#[derive(Debug)]
pub struct DiffArgs {
    /// The version before.
    pub old: PathBuf,
    /// The version after.
    pub new: PathBuf,
    /// A folder of state or scenario files to play (instead of the built-in samples).
    pub states: Option<PathBuf>,
    /// A folder of replays whose every turn is played.
    pub replays: Option<PathBuf>,
    /// Play this many fresh duels (OLD against NEW, both seats) and take every turn.
    pub duels: Option<u64>,
    /// The duel scenario for `duels` and `against`.
    pub scenario: Option<PathBuf>,
    /// Generated maps to add (each from both seats).
    pub generated: Option<u32>,
    /// An opponent both versions play, for win rates.
    pub against: Option<PathBuf>,
    /// Seeds for `against` (each from both seats).
    pub seeds: u64,
    /// One JSON object instead of the report.
    pub json: bool,
}

/// What `diff` found, ready to print.
#[derive(Debug)]
pub struct DiffReport {
    /// The text or JSON.
    pub text: String,
    /// Whether any turn's reply differs.
    pub differs: bool,
}

/// How many differing turns the readable report lists (JSON lists all).
const LISTED: usize = 20;

/// Generated maps the default corpus adds to the built-in samples.
const DEFAULT_GENERATED: u32 = 100;

/// Seeds each built-in sample is played with, from every seat, in the default corpus.
const SAMPLE_SEEDS: u64 = 8;

fn load_checked(path: &Path) -> anyhow::Result<CheckedGraph> {
    let graph = VisualScriptGraph::load(path)?;
    if graph.kind != ScriptKind::AiController {
        bail!(
            "{}: this is a world script; diff compares AI controllers (world scripts are \
             compared with `world trace`)",
            path.display()
        );
    }
    CheckedGraph::new(graph.clone()).map_err(|diagnostics| {
        let lines: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.severity == aether_lang::check::Severity::Error)
            .map(|d| format!("{}: {}", path.display(), d.render(&graph)))
            .collect();
        anyhow::anyhow!(
            "{}: the graph has errors; fix them first:\n{}",
            path.display(),
            lines.join("\n")
        )
    })
}

fn duel_scenario(args: &DiffArgs, what: &str) -> anyhow::Result<(String, Scenario)> {
    let Some(path) = &args.scenario else {
        bail!("{what} needs a duel scenario: add --scenario assets/duels/crossing.json");
    };
    let scenario = Scenario::load(path)?;
    if scenario.turn_limit.is_none() {
        bail!(
            "{}: \"{}\" is not a duel scenario (it has no turn limit); duels are played on assets/duels/*.json",
            path.display(),
            scenario.name
        );
    }
    Ok((path.display().to_string(), scenario))
}

/// The turns to play, and a sentence saying what they are.
fn corpus_of(args: &DiffArgs) -> anyhow::Result<(Vec<Case>, Vec<String>)> {
    let mut cases = Vec::new();
    let mut parts = Vec::new();
    let chosen = args.states.is_some()
        || args.replays.is_some()
        || args.duels.is_some()
        || args.generated.is_some();
    if let Some(dir) = &args.states {
        let found = corpus::from_state_dir(dir, 0..SAMPLE_SEEDS).map_err(anyhow::Error::msg)?;
        parts.push(format!(
            "{} turns from the states in {} (every seat, {SAMPLE_SEEDS} seeds)",
            found.len(),
            dir.display()
        ));
        cases.extend(found);
    }
    if let Some(dir) = &args.replays {
        let found = replay_cases(dir)?;
        parts.push(format!(
            "{} turns from the replays in {}",
            found.len(),
            dir.display()
        ));
        cases.extend(found);
    }
    if let Some(n) = args.duels {
        let (name, scenario) = duel_scenario(args, "--duels")?;
        let (a, _) = super::duel::seat(&args.old)?;
        let (b, _) = super::duel::seat(&args.new)?;
        let found = corpus::from_duels(&name, &scenario, &a, &b, 0..n)?;
        parts.push(format!(
            "{} turns from {} duels of OLD against NEW on {name}",
            found.len(),
            n * 2
        ));
        cases.extend(found);
    }
    if !chosen {
        for (name, scenario) in crate_samples()? {
            cases.extend(corpus::from_scenario(&name, &scenario, 0..SAMPLE_SEEDS));
        }
        parts.push(format!(
            "{} turns on the built-in samples (every seat, {SAMPLE_SEEDS} seeds)",
            cases.len()
        ));
    }
    let generated = args
        .generated
        .unwrap_or(if chosen { 0 } else { DEFAULT_GENERATED });
    if generated > 0 {
        let found = corpus::generated(generated, 1);
        parts.push(format!(
            "{} turns on {generated} generated maps (both seats)",
            found.len()
        ));
        cases.extend(found);
    }
    if cases.is_empty() {
        bail!("there are no turns to compare on: the states, replays or duels given hold none");
    }
    Ok((cases, parts))
}

fn crate_samples() -> anyhow::Result<Vec<(String, Scenario)>> {
    creator_studio::samples::scenarios().map_err(anyhow::Error::msg)
}

fn replay_cases(dir: &Path) -> anyhow::Result<Vec<Case>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list the folder", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".mcreplay") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("{}: no replays (*.mcreplay) in this folder", dir.display());
    }
    let mut out = Vec::new();
    for file in files {
        let text =
            aether_base::fsutil::read_text_bounded(&file, aether_base::fsutil::MAX_DOCUMENT_BYTES)
                .with_context(|| format!("{}: cannot read the replay", file.display()))?;
        let replay =
            Replay::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        let scenario = Scenario::load(Path::new(&replay.scenario))
            .with_context(|| format!("{}: its scenario cannot be read", file.display()))?;
        let name = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        out.extend(
            corpus::from_replay(&name, &replay, &scenario.state)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?,
        );
    }
    Ok(out)
}

/// Both versions' batches against the opponent, over the same seeds.
struct Duels {
    opponent: String,
    old: BatchResult,
    new: BatchResult,
}

fn duels(args: &DiffArgs, opponent: &Path) -> anyhow::Result<Duels> {
    let (_, scenario) = duel_scenario(args, "--against")?;
    let (opp, _) = super::duel::seat(opponent)?;
    let (old, _) = super::duel::seat(&args.old)?;
    let (new, _) = super::duel::seat(&args.new)?;
    let cancel = AtomicBool::new(false);
    let none = |_: u64, _: u64| {};
    let old = play_batch(&scenario, &old, &opp, 0..args.seeds, &none, &cancel)?;
    let new = play_batch(&scenario, &new, &opp, 0..args.seeds, &none, &cancel)?;
    Ok(Duels {
        opponent: opponent.display().to_string(),
        old,
        new,
    })
}

/// Runs the diff and renders it.
pub fn run(args: &DiffArgs) -> anyhow::Result<DiffReport> {
    let old = load_checked(&args.old)?;
    let new = load_checked(&args.new)?;
    let (cases, parts) = corpus_of(args)?;
    let bar = indicatif::ProgressBar::new(cases.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} turns, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let found = diff(&old, &new, &cases, &mut |done, _| {
        bar.set_position(done as u64);
        true
    });
    bar.finish_and_clear();
    let duels = args
        .against
        .as_deref()
        .map(|opp| duels(args, opp))
        .transpose()?;
    let names: BTreeMap<NodeId, String> = found
        .changed_nodes
        .keys()
        .map(|n| (*n, node_name(&old, &new, *n)))
        .collect();
    let text = if args.json {
        render_json(args, &cases, &found, &names, duels.as_ref())
    } else {
        render_text(args, &cases, &parts, &found, &names, duels.as_ref())
    };
    Ok(DiffReport {
        text,
        differs: !found.differing.is_empty(),
    })
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn render_text(
    args: &DiffArgs,
    cases: &[Case],
    parts: &[String],
    d: &Diff,
    names: &BTreeMap<NodeId, String>,
    duels: Option<&Duels>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Compared {} (OLD) with {} (NEW) on {} turns: {}.",
        args.old.display(),
        args.new.display(),
        d.turns,
        parts.join("; ")
    );
    if d.differing.is_empty() {
        let _ = writeln!(
            out,
            "No turn differs: both versions propose the same actions."
        );
    } else {
        let _ = writeln!(out, "{} of {} turns differ.", d.differing.len(), d.turns);
        let _ = writeln!(out, "\nWhere the two versions first part:");
        for g in &d.groups {
            let _ = writeln!(
                out,
                "  {} {} on {} of {} turns",
                g.name, g.what, g.turns, d.turns
            );
        }
    }
    if !d.changed_nodes.is_empty() {
        let names: Vec<String> = d
            .changed_nodes
            .iter()
            .map(|(n, turns)| format!("{} ({turns})", names[n]))
            .collect();
        let _ = writeln!(
            out,
            "\nNodes that behave differently (turns): {}",
            names.join(", ")
        );
    }
    if !d.differing.is_empty() {
        let _ = writeln!(
            out,
            "\nDiffering turns{}:",
            if d.differing.len() > LISTED {
                format!(" (the first {LISTED}; --json lists all)")
            } else {
                String::new()
            }
        );
        for t in d.differing.iter().take(LISTED) {
            let _ = writeln!(out, "  {}", cases[t.case].label);
            for a in &t.only_old {
                let _ = writeln!(out, "    only OLD: {a}");
            }
            for a in &t.only_new {
                let _ = writeln!(out, "    only NEW: {a}");
            }
            if t.only_old.is_empty() && t.only_new.is_empty() {
                let _ = writeln!(out, "    the same actions in another order");
            }
            if let Some(p) = &t.parting {
                let _ = writeln!(out, "    parts at {}: {}", p.name, p.what);
            }
        }
    }
    if let Some(x) = duels {
        let (lo, hi) = difference(x);
        let _ = writeln!(
            out,
            "\nAgainst {} over {} games (the same seeds, both seats):",
            x.opponent, x.old.games
        );
        for (name, b) in [("OLD", &x.old), ("NEW", &x.new)] {
            let _ = writeln!(
                out,
                "  {name} wins {} of {} ({}, 95% range {}–{})",
                b.wins,
                b.games,
                pct(rate(b)),
                pct(b.interval.0),
                pct(b.interval.1)
            );
        }
        let verdict = if lo > 0.0 {
            "NEW is better"
        } else if hi < 0.0 {
            "NEW is worse"
        } else {
            "these games cannot tell them apart; play more seeds (--seeds)"
        };
        let _ = writeln!(
            out,
            "  NEW − OLD: {:+.1} points, 95% range {:+.1} to {:+.1}: {verdict}",
            (rate(&x.new) - rate(&x.old)) * 100.0,
            lo * 100.0,
            hi * 100.0
        );
    }
    out
}

fn rate(b: &BatchResult) -> f64 {
    if b.games == 0 {
        0.0
    } else {
        f64::from(b.wins) / f64::from(b.games)
    }
}

/// The interval of NEW's win rate less OLD's.
fn difference(x: &Duels) -> (f64, f64) {
    wilson_difference(x.new.wins, x.new.games, x.old.wins, x.old.games)
}

/// "Branch #5": the node's kind and id, from NEW if it has the node, else from OLD.
fn node_name(old: &CheckedGraph, new: &CheckedGraph, node: NodeId) -> String {
    let kind = [new, old].iter().find_map(|g| {
        g.graph().node(node).map(|n| {
            aether_lang::catalog::spec(&n.kind).map_or(n.kind.clone(), |s| s.name.to_owned())
        })
    });
    match kind {
        Some(kind) => format!("{kind} {node}"),
        None => format!("node {node}"),
    }
}

fn render_json(
    args: &DiffArgs,
    cases: &[Case],
    d: &Diff,
    names: &BTreeMap<NodeId, String>,
    duels: Option<&Duels>,
) -> String {
    let words = |v: &[mc_tactical_types::Action]| -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    };
    let differing: Vec<_> = d
        .differing
        .iter()
        .map(|t| {
            let c = &cases[t.case];
            json!({
                "turn": c.label,
                "slot": c.slot,
                "seed": c.seed,
                "old": words(&t.old),
                "new": words(&t.new),
                "only_old": words(&t.only_old),
                "only_new": words(&t.only_new),
                "parting": t.parting.as_ref().map(|p| json!({
                    "node": p.node.0, "name": p.name, "what": p.what,
                })),
            })
        })
        .collect();
    let groups: Vec<_> = d
        .groups
        .iter()
        .map(|g| json!({"node": g.node.0, "name": g.name, "what": g.what, "turns": g.turns}))
        .collect();
    let changed: Vec<_> = d
        .changed_nodes
        .iter()
        .map(|(n, turns)| json!({"node": n.0, "name": names[n], "turns": turns}))
        .collect();
    let duels = duels.map(|x| {
        let (lo, hi) = difference(x);
        let side = |b: &BatchResult| {
            json!({"games": b.games, "wins": b.wins, "draws": b.draws, "losses": b.losses,
                   "win_rate": rate(b), "interval": [b.interval.0, b.interval.1]})
        };
        json!({
            "opponent": x.opponent,
            "old": side(&x.old),
            "new": side(&x.new),
            "difference": rate(&x.new) - rate(&x.old),
            "difference_interval": [lo, hi],
        })
    });
    let out = json!({
        "old": args.old.display().to_string(),
        "new": args.new.display().to_string(),
        "turns": d.turns,
        "differing": d.differing.len(),
        "groups": groups,
        "changed_nodes": changed,
        "differing_turns": differing,
        "duels": duels,
    });
    format!("{out}\n")
}
