//! `duel A B --scenario S`: two controllers on a duel scenario over many seeds, each seed from
//! both seats, on every core; the first contender's wins, draws and losses with a Wilson 95%
//! interval, and optionally the first game's replay.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use aether_duel::{BatchResult, Replay, ReplaySeat, Seat, play_batch, play_duel};
use aether_lang::Scenario;
use anyhow::{Context as _, bail};

/// What `duel` was asked.
#[derive(Debug)]
pub struct DuelArgs {
    /// The first contender: a graph, a `.wasm`/`.wat`, a mod folder, or `pass`.
    pub a: PathBuf,
    /// The second contender.
    pub b: PathBuf,
    /// The duel scenario.
    pub scenario: PathBuf,
    /// How many seeds.
    pub seeds: u64,
    /// The first seed.
    pub first_seed: u64,
    /// Write the first game's replay here.
    pub replay: Option<PathBuf>,
    /// One JSON object instead of the table.
    pub json: bool,
}

/// A contender from the command line: `pass`, or a module read and loaded (graphs compiled,
/// modules checked and compiled under the compile guard).
pub fn seat(path: &Path) -> anyhow::Result<(Seat, u64)> {
    if path == Path::new("pass") {
        return Ok((Seat::Pass, 0));
    }
    let (file, bytes, _) = super::run::module_bytes(path)?;
    let controller = super::guarded_host()?
        .load(&bytes)
        .with_context(|| format!("{}: refused", file.display()))?;
    Ok((
        Seat::Controller(controller),
        aether_base::fasthash::fnv1a(&bytes),
    ))
}

/// Plays the batch and prints it (and writes the replay); returns the text or JSON to print.
pub fn run(args: &DuelArgs) -> anyhow::Result<String> {
    let scenario = Scenario::load(&args.scenario)?;
    if scenario.turn_limit.is_none() {
        bail!(
            "{}: \"{}\" is not a duel scenario (it has no turn limit); duels are played on assets/duels/*.json",
            args.scenario.display(),
            scenario.name
        );
    }
    if scenario.state.players.len() != 2 {
        bail!(
            "{}: a duel needs two players, the scenario has {}",
            args.scenario.display(),
            scenario.state.players.len()
        );
    }
    if args.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    let (a, a_hash) = seat(&args.a)?;
    let (b, b_hash) = seat(&args.b)?;
    let last = args
        .first_seed
        .checked_add(args.seeds)
        .context("--first-seed plus --seeds is past the largest seed")?;
    let bar = indicatif::ProgressBar::new(args.seeds * 2);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} games, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let cancel = AtomicBool::new(false);
    let batch = play_batch(
        &scenario,
        &a,
        &b,
        args.first_seed..last,
        &|done, _| bar.set_position(done),
        &cancel,
    )?;
    bar.finish_and_clear();
    if let Some(path) = &args.replay {
        let duel = play_duel(&scenario, &[a.clone(), b.clone()], args.first_seed)?;
        let seats = [(&args.a, &a, a_hash), (&args.b, &b, b_hash)]
            .into_iter()
            .map(|(path, seat, hash)| replay_seat(path, seat, hash))
            .collect();
        let replay = Replay::new(
            &args.scenario.display().to_string(),
            args.first_seed,
            seats,
            &duel,
        );
        aether_base::fsutil::write_atomic(path, replay.to_json().as_bytes())
            .with_context(|| format!("{}: writing the replay failed", path.display()))?;
    }
    Ok(if args.json {
        format!("{}\n", json(args, &scenario, &a, &b, &batch))
    } else {
        text(args, &scenario, &a, &b, &batch)
    })
}

fn json(
    args: &DuelArgs,
    scenario: &Scenario,
    a: &Seat,
    b: &Seat,
    r: &BatchResult,
) -> serde_json::Value {
    serde_json::json!({
        "a": a.name(),
        "b": b.name(),
        "scenario": scenario.name,
        "first_seed": args.first_seed,
        "seeds": args.seeds,
        "games": r.games,
        "wins": r.wins,
        "draws": r.draws,
        "losses": r.losses,
        "win_rate": if r.games == 0 { 0.0 } else { f64::from(r.wins) / f64::from(r.games) },
        "interval": {"low": r.interval.0, "high": r.interval.1, "confidence": 0.95},
        "average_rounds": r.average_rounds,
        "distinct_games": r.distinct_games,
        "failed_turns": {"a": r.failed_turns[0], "b": r.failed_turns[1]},
        "per_seed": r.per_game,
    })
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn text(args: &DuelArgs, scenario: &Scenario, a: &Seat, b: &Seat, r: &BatchResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} against {} on {}, seeds {} to {}, each from both seats ({} games)",
        a.name(),
        b.name(),
        scenario.name,
        args.first_seed,
        args.first_seed + args.seeds - 1,
        r.games
    );
    let rate = if r.games == 0 {
        0.0
    } else {
        f64::from(r.wins) / f64::from(r.games)
    };
    let _ = writeln!(
        out,
        "\n  {:<28} {:>6} {:>6} {:>6}  {:>8}  95% interval",
        "", "wins", "draws", "losses", "win rate"
    );
    let _ = writeln!(
        out,
        "  {:<28} {:>6} {:>6} {:>6}  {:>8}  {} to {}",
        a.name(),
        r.wins,
        r.draws,
        r.losses,
        percent(rate),
        percent(r.interval.0),
        percent(r.interval.1)
    );
    let _ = writeln!(
        out,
        "\n  {:.1} rounds a game on average; failed turns: {} for {}, {} for {}",
        r.average_rounds,
        r.failed_turns[0],
        a.name(),
        r.failed_turns[1],
        b.name()
    );
    if let Some(note) = r.repetition_note() {
        let _ = writeln!(out, "  note: {note}");
    }
    let lost: Vec<String> = r
        .per_game
        .iter()
        .filter(|g| g.result == "loss")
        .take(20)
        .map(|g| format!("{} (seat {})", g.seed, g.seat))
        .collect();
    if !lost.is_empty() {
        let _ = writeln!(out, "  games lost (seed, seat): {}", lost.join(", "));
    }
    out
}

fn replay_seat(path: &Path, seat: &Seat, hash: u64) -> ReplaySeat {
    match seat {
        Seat::Pass => ReplaySeat {
            identity: "pass".into(),
            module: None,
            module_hash: "0".into(),
        },
        Seat::Controller(_) => ReplaySeat {
            identity: seat.name(),
            module: Some(path.display().to_string()),
            module_hash: format!("{hash:016x}"),
        },
    }
}

/// `replay FILE`: plays the recorded duel again (the scenario and modules from where the replay
/// says they were) and compares every turn with the record. `Ok((text, matched))`.
pub fn replay(file: &Path) -> anyhow::Result<(String, bool)> {
    let text =
        aether_base::fsutil::read_text_bounded(file, aether_base::fsutil::MAX_DOCUMENT_BYTES)
            .with_context(|| format!("{}: cannot read the replay", file.display()))?;
    let replay =
        Replay::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let scenario = Scenario::load(Path::new(&replay.scenario))?;
    let mut out = String::new();
    let mut seats = Vec::new();
    for (slot, s) in replay.seats.iter().enumerate() {
        let (seat, hash) = match &s.module {
            None => (Seat::Pass, 0),
            Some(m) => seat(Path::new(m))?,
        };
        if s.module.is_some() && format!("{hash:016x}") != s.module_hash {
            let _ = writeln!(
                out,
                "slot {slot}: the module {} changed since the replay was recorded (hash {} then, {hash:016x} now)",
                s.module.as_deref().unwrap_or(""),
                s.module_hash
            );
        }
        seats.push(seat);
    }
    let again = play_duel(&scenario, &seats, replay.duel_seed)?;
    match replay.compare(&again) {
        Ok(n) => {
            let _ = writeln!(
                out,
                "the replay plays again byte for byte: {n} turns, {} rounds, {}",
                replay.rounds,
                match replay.winner {
                    Some(w) => format!("slot {w} ({}) wins", replay.seats[usize::from(w)].identity),
                    None => "a draw".into(),
                }
            );
            Ok((out, true))
        }
        Err(why) => {
            let _ = writeln!(out, "the replay differs at {why}");
            Ok((out, false))
        }
    }
}

/// What `tournament` was asked; `ladder` is asked the same and more.
#[derive(Debug, clap::Args)]
pub struct TournamentArgs {
    /// Controllers: graphs, .wasm/.wat modules, mod folders, or folders holding them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The duel scenario, e.g. assets/duels/crossing.json.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Seeds per pair (each played from both seats).
    #[arg(long, default_value_t = 20)]
    pub seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    pub first_seed: u64,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// The controllers `paths` name: a graph, a module or a mod folder as it is; a folder of them
/// by its entries in name order (world scripts and other files skipped). `(label, path)`.
/// The controllers `paths` name (folders opened one level), at least `least` of them, else an
/// error saying what `what` (`a tournament`) needs.
pub(super) fn entrants(
    paths: &[PathBuf],
    what: &str,
    least: usize,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let is_mod = p.join("manifest.json").is_file();
        if p.is_dir() && !is_mod {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("{}: cannot list the folder", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|e| {
                    let name = e.to_string_lossy();
                    let controller_mod = e.join("manifest.json").is_file()
                        && aether_mods::read_world_script_mod(e).is_err();
                    controller_mod
                        || name.ends_with(".wasm")
                        || name.ends_with(".wat")
                        || (super::compile::is_graph(e)
                            && aether_lang::VisualScriptGraph::load(e).is_ok_and(|g| {
                                g.kind == aether_lang::graph::ScriptKind::AiController
                            }))
                })
                .collect();
            entries.sort();
            out.extend(entries);
        } else {
            out.push(p.clone());
        }
    }
    if out.len() < least {
        let needed = match least {
            1 => "one controller".to_owned(),
            2 => "two controllers".to_owned(),
            n => format!("{n} controllers"),
        };
        bail!("{what} needs at least {needed}; found {}", out.len());
    }
    Ok(out)
}

/// Plays the round robin; returns the table or JSON.
pub fn tournament(args: &TournamentArgs) -> anyhow::Result<String> {
    let scenario = Scenario::load(&args.scenario)?;
    if scenario.turn_limit.is_none() || scenario.state.players.len() != 2 {
        bail!(
            "{}: \"{}\" is not a two-player duel scenario; tournaments are played on assets/duels/*.json",
            args.scenario.display(),
            scenario.name
        );
    }
    let mut seats = Vec::new();
    for path in entrants(&args.paths, "a tournament", 2)? {
        let (seat, _) = seat(&path)?;
        let mut name = seat.name();
        let same = seats
            .iter()
            .filter(|(n, _): &&(String, Seat)| n.starts_with(&name))
            .count();
        if same > 0 {
            name = format!("{name} ({})", same + 1);
        }
        seats.push((name, seat));
    }
    let last = args
        .first_seed
        .checked_add(args.seeds)
        .context("--first-seed plus --seeds is past the largest seed")?;
    let pairs = (seats.len() * (seats.len() - 1) / 2) as u64;
    let bar = indicatif::ProgressBar::new(pairs);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} pairs, {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let cancel = AtomicBool::new(false);
    let t = aether_duel::play_tournament(
        &scenario,
        &seats,
        args.first_seed..last,
        &|done, _| bar.set_position(done),
        &cancel,
    )?;
    bar.finish_and_clear();
    if args.json {
        return Ok(format!(
            "{}\n",
            serde_json::json!({
                "scenario": scenario.name,
                "first_seed": args.first_seed,
                "seeds": args.seeds,
                "rating": "Bradley-Terry, Elo scale (mean 1500)",
                "ranking": t.ranking().iter().map(|&i| serde_json::json!({
                    "name": t.entrants[i],
                    "rating": t.ratings[i],
                    "wins": t.totals[i].0, "draws": t.totals[i].1, "losses": t.totals[i].2,
                })).collect::<Vec<_>>(),
                "pairings": t.pairings.iter().map(|p| serde_json::json!({
                    "a": t.entrants[p.a], "b": t.entrants[p.b],
                    "games": p.batch.games, "wins": p.batch.wins,
                    "draws": p.batch.draws, "losses": p.batch.losses,
                    "interval": {"low": p.batch.interval.0, "high": p.batch.interval.1},
                })).collect::<Vec<_>>(),
            })
        ));
    }
    let mut out = format!(
        "Round robin on {}: {} controllers, every pair over seeds {} to {} from both seats\n\n",
        scenario.name,
        t.entrants.len(),
        args.first_seed,
        last - 1
    );
    let _ = writeln!(
        out,
        "  {:>4}  {:<30} {:>7}  {:>6} {:>6} {:>6}",
        "rank", "controller", "rating", "wins", "draws", "losses"
    );
    for (rank, &i) in t.ranking().iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>4}  {:<30} {:>7.0}  {:>6} {:>6} {:>6}",
            rank + 1,
            t.entrants[i],
            t.ratings[i],
            t.totals[i].0,
            t.totals[i].1,
            t.totals[i].2
        );
    }
    out.push_str("\n  pair (wins-draws-losses for the first)\n");
    for p in &t.pairings {
        let _ = writeln!(
            out,
            "  {} vs {}: {}-{}-{} (win rate {} to {})",
            t.entrants[p.a],
            t.entrants[p.b],
            p.batch.wins,
            p.batch.draws,
            p.batch.losses,
            percent(p.batch.interval.0),
            percent(p.batch.interval.1)
        );
    }
    out.push_str("\n  Ratings: Bradley–Terry by minorisation–maximisation, a draw counting half a win, on the Elo scale (400 points: ten to one odds), mean 1500.\n");
    Ok(out)
}
