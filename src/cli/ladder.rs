//! `ladder CONTENDERS… --scenario S`: every pair of contenders over the seeds from both seats,
//! played as a timely dataflow on this machine's cores or on several machines (the same binary
//! and the same files on each, `--processes P --process I --hostfile FILE`), appended to a
//! results file as games finish, resumed from it when started again, rated as `tournament`
//! rates.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use aether_ladder::{Cluster, Contender, Ladder};
use aether_lang::Scenario;
use anyhow::{Context as _, bail};

/// What `ladder` was asked: the games of `tournament`, where to keep them, where to play them.
#[derive(Debug, clap::Args)]
pub struct LadderArgs {
    /// The contenders, scenario and seeds, as `tournament` takes them.
    #[command(flatten)]
    pub games: super::duel::TournamentArgs,
    /// The results file: one JSON object per game, in game order once the ladder is done.
    #[arg(long, default_value = "ladder-results.jsonl")]
    pub out: PathBuf,
    /// Where it runs: timely's cluster arguments.
    #[command(flatten)]
    pub cluster: Where,
}

/// The ladder's outcome in words (the table on the process that keeps it).
pub fn run(args: &LadderArgs) -> anyhow::Result<String> {
    let scenario = Scenario::load(&args.games.scenario)?;
    let last = args
        .games
        .first_seed
        .checked_add(args.games.seeds)
        .context("--first-seed plus --seeds is past the largest seed")?;
    let cluster = cluster(&args.cluster)?;
    let (contenders, notes) = contenders(&args.games.paths, "a ladder", 2)?;
    let keeper = cluster.keeps_table();
    let bar = indicatif::ProgressBar::hidden();
    if keeper {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} games, {per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
    }
    let shown = bar.clone();
    let progress: aether_ladder::Progress = Arc::new(move |done, total| {
        shown.set_length(total);
        shown.set_position(done);
    });
    let started = std::time::Instant::now();
    let outcome = quiet_peers(|| {
        aether_ladder::run(
            contenders,
            scenario.clone(),
            args.games.first_seed..last,
            &cluster,
            &args.out,
            progress,
        )
    });
    bar.finish_and_clear();
    let took = started.elapsed();
    let ladder = outcome?;
    let Some(ladder) = ladder else {
        return Ok(format!(
            "process {} done: the table is kept by process 0\n",
            args.cluster.process
        ));
    };
    Ok(if args.games.json {
        json(&ladder, &scenario, args, took)
    } else {
        table(&ladder, &scenario, args, &notes, took)
    })
}

/// Contenders from the command line (graphs, modules, mod folders, folders of them), each
/// loaded, named by its identity (made unique); with a line for each left out, and why.
pub(super) fn contenders(
    paths: &[PathBuf],
    what: &str,
    least: usize,
) -> anyhow::Result<(Vec<Contender>, Vec<String>)> {
    let mut notes = Vec::new();
    let mut contenders: Vec<Contender> = Vec::new();
    for path in super::duel::entrants(paths, what, least)? {
        match super::duel::seat(&path) {
            Ok((seat, hash)) => {
                let mut name = seat.name();
                let same = contenders
                    .iter()
                    .filter(|c| c.name.starts_with(&name))
                    .count();
                if same > 0 {
                    name = format!("{name} ({})", same + 1);
                }
                contenders.push(Contender {
                    name,
                    hash: format!("{hash:016x}"),
                    seat,
                });
            }
            Err(e) => notes.push(format!("left out, refused: {}: {e:#}", path.display())),
        }
    }
    for p in paths {
        if p.is_dir() && aether_mods::read_world_script_mod(p).is_ok() {
            notes.push(format!("left out, a world script: {}", p.display()));
        }
    }
    Ok((contenders, notes))
}

/// Timely's cluster arguments, shared by `ladder` and `tune`.
#[derive(Debug, clap::Args)]
pub struct Where {
    /// Worker threads in this process (default: one per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Processes, on this machine or others (the same binary and files on each).
    #[arg(long, default_value_t = 1)]
    pub processes: usize,
    /// This process's index, 0 to processes - 1 (process 0 keeps the table, or runs the
    /// search, and writes the files).
    #[arg(long, default_value_t = 0)]
    pub process: usize,
    /// The processes' addresses, one host:port a line, process 0 first (the same file
    /// everywhere).
    #[arg(long)]
    pub hostfile: Option<PathBuf>,
}

pub(super) fn cluster(args: &Where) -> anyhow::Result<Cluster> {
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
        .max(1);
    if args.processes <= 1 {
        return Ok(Cluster::local(workers));
    }
    let Some(hostfile) = &args.hostfile else {
        bail!(
            "--processes {} needs --hostfile FILE: one host:port a line, process 0 first, the same file on every machine",
            args.processes
        );
    };
    let addresses = aether_ladder::read_hostfile(hostfile)?;
    if addresses.len() < args.processes {
        bail!(
            "{}: {} addresses for {} processes",
            hostfile.display(),
            addresses.len(),
            args.processes
        );
    }
    if args.process >= args.processes {
        bail!(
            "--process {} is not one of 0 to {}",
            args.process,
            args.processes - 1
        );
    }
    Ok(Cluster {
        workers,
        process: args.process,
        addresses: addresses[..args.processes].to_vec(),
    })
}

/// Runs `f` with the panics of timely's own threads kept off the terminal (a lost peer makes
/// every thread panic; the ladder says it once, in words).
pub(super) fn quiet_peers<T>(f: impl FnOnce() -> T) -> T {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        let peer = [
            "timely communication error",
            "MergeQueue poisoned",
            "thread panic",
        ];
        if !peer.iter().any(|p| text.contains(p)) {
            eprintln!("{text}");
        }
    }));
    let out = f();
    std::panic::set_hook(previous);
    out
}

fn table(
    l: &Ladder,
    scenario: &Scenario,
    args: &LadderArgs,
    notes: &[String],
    took: std::time::Duration,
) -> String {
    let mut out = format!(
        "Ladder on {}: {} contenders, every pair over seeds {} to {} from both seats: {} games in {}\n",
        scenario.name,
        l.names.len(),
        args.games.first_seed,
        args.games.first_seed + args.games.seeds.saturating_sub(1),
        l.games.len(),
        args.out.display()
    );
    for n in notes {
        let _ = writeln!(out, "  {n}");
    }
    let _ = writeln!(
        out,
        "\n  {:>4}  {:<30} {:>7}  {:>6} {:>6} {:>6}",
        "rank", "controller", "rating", "wins", "draws", "losses"
    );
    for (rank, &i) in l.ranking().iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>4}  {:<30} {:>7.0}  {:>6} {:>6} {:>6}",
            rank + 1,
            l.names[i],
            l.ratings[i],
            l.totals[i].0,
            l.totals[i].1,
            l.totals[i].2
        );
    }
    let _ = writeln!(
        out,
        "\nRatings: Bradley–Terry on the Elo scale (mean 1500), as `tournament`. Playing took {:.1} s \
         (the contenders loaded before).",
        took.as_secs_f64()
    );
    out
}

fn json(l: &Ladder, scenario: &Scenario, args: &LadderArgs, took: std::time::Duration) -> String {
    let out = serde_json::json!({
        "play_seconds": took.as_secs_f64(),
        "scenario": scenario.name,
        "first_seed": args.games.first_seed,
        "seeds": args.games.seeds,
        "results": args.out.display().to_string(),
        "games": l.games.len(),
        "rating": "Bradley-Terry, Elo scale (mean 1500)",
        "ranking": l.ranking().iter().map(|&i| serde_json::json!({
            "name": l.names[i],
            "rating": l.ratings[i],
            "wins": l.totals[i].0, "draws": l.totals[i].1, "losses": l.totals[i].2,
        })).collect::<Vec<_>>(),
    });
    format!("{out}\n")
}
