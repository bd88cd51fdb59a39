//! `tune GRAPH --against OPPONENT… --scenario S`: searches the numbers typed on the graph's
//! nodes for the best score against the opponents (`aether_ladder::tune`, on the ladder's
//! dataflow, on this machine's cores or on several machines), checks the best setting on
//! held-out seeds, and writes the tuned graph only when its Wilson lower bound there is above
//! the original's.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use aether_base::text::group_digits;
use aether_ladder::tune::{Maps, Record, Stop, TuneReport, TuneSpec};
use aether_lang::{Scenario, VisualScriptGraph};
use anyhow::{Context as _, bail};

use super::ladder::Where;

/// What `tune` was asked.
#[derive(Debug)]
pub struct TuneArgs {
    /// The graph to tune.
    pub graph: PathBuf,
    /// The opponents: graphs, modules, mod folders, folders of them.
    pub against: Vec<PathBuf>,
    /// The duel scenario.
    pub scenario: PathBuf,
    /// Search seeds.
    pub seeds: u64,
    /// Held-out seeds.
    pub held_out: u64,
    /// The first search seed (held-out seeds follow the search seeds).
    pub first_seed: u64,
    /// Duels the search may play.
    pub budget: u64,
    /// Which maps.
    pub maps: Maps,
    /// Where to write the tuned graph (only when it is better).
    pub out: Option<PathBuf>,
    /// Timely's cluster arguments.
    pub cluster: Where,
    /// One JSON object instead of the report.
    pub json: bool,
}

/// Runs the tuning; the report to print (on process 0) and whether NEW was written.
pub fn run(args: &TuneArgs) -> anyhow::Result<String> {
    let scenario = Scenario::load(&args.scenario)?;
    let graph = VisualScriptGraph::load(&args.graph)?;
    let search_end = args
        .first_seed
        .checked_add(args.seeds)
        .context("--first-seed plus --seeds is past the largest seed")?;
    let held_end = search_end
        .checked_add(args.held_out)
        .context("the held-out seeds go past the largest seed")?;
    let cluster = super::ladder::cluster(&args.cluster)?;
    let (opponents, notes) = super::ladder::contenders(&args.against, "tuning", 1)?;
    if opponents.is_empty() {
        bail!(
            "no opponent could be loaded from --against{}",
            notes.iter().map(|n| format!("\n  {n}")).collect::<String>()
        );
    }
    let names: Vec<String> = opponents.iter().map(|c| c.name.clone()).collect();
    let spec = TuneSpec {
        graph: graph.clone(),
        opponents,
        scenario: scenario.clone(),
        maps: args.maps,
        seeds: args.first_seed..search_end,
        held_out: search_end..held_end,
        budget: args.budget,
        swarm_seed: args.first_seed,
    };
    let bar = indicatif::ProgressBar::hidden();
    if cluster.keeps_table() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} duels, {per_sec}, {eta} left  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
    }
    let shown = bar.clone();
    let progress: aether_ladder::tune::TuneProgressFn = Arc::new(move |p| {
        shown.set_length(p.budget);
        shown.set_position(p.duels.min(p.budget));
        let best = p
            .best
            .as_ref()
            .map(|b| format!("best {}", percent(b.record.score())))
            .unwrap_or_default();
        shown.set_message(if p.checking {
            "checking on the held-out seeds".to_owned()
        } else {
            format!("{} settings, {best}", p.candidates)
        });
    });
    let host = super::guarded_host()?;
    let outcome = super::ladder::quiet_peers(|| {
        aether_ladder::tune::tune(
            spec,
            &host,
            &cluster,
            progress,
            Arc::new(AtomicBool::new(false)),
        )
    });
    bar.finish_and_clear();
    let Some(report) = outcome? else {
        return Ok(format!(
            "process {} done: the search is run by process 0\n",
            args.cluster.process
        ));
    };
    let written = match (&args.out, report.improved()) {
        (Some(out), true) => {
            report
                .tuned(&graph)
                .save(out)
                .with_context(|| format!("{}: cannot write the tuned graph", out.display()))?;
            Some(out.clone())
        }
        _ => None,
    };
    Ok(if args.json {
        json(&report, &scenario, args, &names, written.as_ref())
    } else {
        text(
            &report,
            &graph,
            &scenario,
            args,
            &names,
            &notes,
            written.as_ref(),
        )
    })
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn maps_in_words(args: &TuneArgs, scenario: &Scenario) -> String {
    match args.maps {
        Maps::Scenario => format!("on {}", scenario.name),
        Maps::Generated => format!(
            "on maps generated like {} ({}×{}), one for each seed",
            scenario.name, scenario.state.map.width, scenario.state.map.height
        ),
    }
}

fn row(out: &mut String, label: &str, r: &Record) {
    let (low, high) = r.wilson();
    let _ = writeln!(
        out,
        "    {label:<14} {:>6} {:>6} {:>6}  {:>8}  {} to {}",
        r.wins,
        r.draws,
        r.losses,
        percent(f64::from(r.wins) / f64::from(r.games().max(1))),
        percent(low),
        percent(high)
    );
}

fn text(
    r: &TuneReport,
    graph: &VisualScriptGraph,
    scenario: &Scenario,
    args: &TuneArgs,
    names: &[String],
    notes: &[String],
    written: Option<&PathBuf>,
) -> String {
    let held_first = args.first_seed + args.seeds;
    let mut out = format!(
        "Tuning {} against {} {}: {} number{}, seeds {} to {} searched, {} to {} held out.\n",
        graph.name,
        names.join(", "),
        maps_in_words(args, scenario),
        r.tunables.len(),
        if r.tunables.len() == 1 { "" } else { "s" },
        args.first_seed,
        held_first - 1,
        held_first,
        held_first + args.held_out - 1,
    );
    for n in notes {
        let _ = writeln!(out, "  {n}");
    }
    let _ = writeln!(
        out,
        "\n  Tried {} settings in {} duels (budget {}); {}.",
        r.candidates,
        group_digits(r.duels),
        group_digits(args.budget),
        match r.stop {
            Stop::Budget => "the budget is spent",
            Stop::Settled => "the search settled (nothing new to try)",
        }
    );
    let _ = writeln!(
        out,
        "  Score on the search seeds (wins and half the draws): {} with the graph's numbers, {} with the best.",
        percent(r.start.record.score()),
        percent(r.best.record.score())
    );
    let changes = r.changes();
    if changes.is_empty() {
        let _ = writeln!(out, "\n  No setting beat the graph's own numbers.");
    } else {
        let _ = writeln!(out, "\n  The best setting changes:");
        let width = changes
            .iter()
            .map(|(t, ..)| t.label.len())
            .max()
            .unwrap_or(0);
        for (t, old, new) in &changes {
            let _ = writeln!(
                out,
                "    {:<width$}  {old} → {new}   (searched {} to {})",
                t.label, t.low, t.high
            );
        }
    }
    let games = r.held_out_before.games();
    let _ = writeln!(
        out,
        "\n  On the {} held-out seeds ({games} games each, never searched):",
        args.held_out
    );
    let _ = writeln!(
        out,
        "    {:<14} {:>6} {:>6} {:>6}  {:>8}  95% interval",
        "", "wins", "draws", "losses", "win rate"
    );
    row(&mut out, "own numbers", &r.held_out_before);
    if !changes.is_empty() {
        row(&mut out, "tuned", &r.held_out_after);
    }
    if let Some(note) = r.repetition_note() {
        let _ = writeln!(out, "  note: {note}");
    }
    let verdict = match (r.improved(), written, &args.out) {
        (true, Some(path), _) => format!(
            "The tuned graph's lower bound is higher: written to {}.",
            path.display()
        ),
        (true, None, _) => {
            "The tuned graph's lower bound is higher: give --out NEW to write it.".to_owned()
        }
        (false, _, Some(path)) => format!(
            "The tuned graph's lower bound is not higher: {} was not written.",
            path.display()
        ),
        (false, _, None) => "The tuned graph's lower bound is not higher.".to_owned(),
    };
    let _ = writeln!(out, "\n  {verdict}");
    out
}

fn json(
    r: &TuneReport,
    scenario: &Scenario,
    args: &TuneArgs,
    names: &[String],
    written: Option<&PathBuf>,
) -> String {
    let record = |x: &Record| {
        let (low, high) = x.wilson();
        serde_json::json!({
            "wins": x.wins, "draws": x.draws, "losses": x.losses,
            "wilson_low": low, "wilson_high": high,
        })
    };
    let out = serde_json::json!({
        "scenario": scenario.name,
        "maps": match args.maps { Maps::Scenario => "scenario", Maps::Generated => "generated" },
        "opponents": names,
        "search_seeds": [args.first_seed, args.first_seed + args.seeds],
        "held_out_seeds": [args.first_seed + args.seeds, args.first_seed + args.seeds + args.held_out],
        "budget": args.budget,
        "duels": r.duels,
        "candidates": r.candidates,
        "stop": r.stop,
        "numbers": r.tunables.iter().zip(&r.best.values).map(|(t, v)| serde_json::json!({
            "node": t.node.0, "port": t.port, "label": t.label,
            "low": t.low, "high": t.high, "before": t.value, "after": v,
        })).collect::<Vec<_>>(),
        "search_score_before": r.start.record.score(),
        "search_score_after": r.best.record.score(),
        "held_out_before": record(&r.held_out_before),
        "held_out_after": record(&r.held_out_after),
        "held_out_distinct_games": [r.held_out_distinct.0, r.held_out_distinct.1],
        "repetition_note": r.repetition_note(),
        "improved": r.improved(),
        "written": written.map(|p| p.display().to_string()),
    });
    format!("{out}\n")
}
