//! # aether-ladder — ladders and tuning on timely dataflow
//!
//! A ladder is every pair of contenders over a range of seeds, each seed from both seats: the
//! games of `tournament`, played as a timely dataflow so that the same binary runs them on one
//! machine's cores (`workers`) or on several machines (`processes` exchanging data over TCP,
//! the addresses from a host file). The dataflow:
//!
//! 1. every worker sends its process's contenders (names and module hashes) to every worker;
//!    each compares them with its own and stops, naming the contender and both hashes, if two
//!    machines hold different files for one name;
//! 2. the process that keeps the table (process 0) reads the results file, and its first worker
//!    feeds the games not yet in it; they are exchanged to workers by a hash of (pair, seed,
//!    seat); each worker plays its games with the duel runner (`aether_duel::play_game`); the
//!    results flow to the keeper's first worker, which appends each to the results file as it
//!    arrives (one JSON object per line) and reports progress;
//! 3. when every game is in, the keeper rewrites the file in game order (atomically) and works
//!    out the table: the same Bradley–Terry ratings as `tournament`.
//!
//! The results file is the ladder's memory: a ladder started again with the same arguments
//! skips the games already there, so a crashed or stopped run resumes; a finished file is the
//! same bytes however many processes and workers played it.

#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use timely::dataflow::operators::vec::{Broadcast, Map};
use timely::dataflow::operators::{Exchange, Inspect, Probe};
use timely::dataflow::{InputHandleVec, ProbeHandle};

use aether_duel::{Seat, bradley_terry, play_game};

pub mod tune;
use aether_lang::scenario::Scenario;

/// One game: contender `a` (by index) against `b`, the duel seed, and `a`'s slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GameKey {
    /// The first contender's index.
    pub a: u32,
    /// The second contender's index.
    pub b: u32,
    /// The duel seed.
    pub seed: u64,
    /// The first contender's slot.
    pub seat: u8,
}

/// A game's result as the results file holds it: one JSON object per line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GameLine {
    /// The first contender's name.
    pub a: String,
    /// The second contender's name.
    pub b: String,
    /// The duel seed.
    pub seed: u64,
    /// The first contender's slot.
    pub seat: u8,
    /// `win`, `draw` or `loss`, for the first contender.
    pub result: String,
    /// Rounds played.
    pub rounds: u32,
    /// The game's fingerprint (`aether_duel::Game::fingerprint`).
    pub fingerprint: String,
}

/// A contender as one process loaded it.
#[derive(Clone, Debug)]
pub struct Contender {
    /// Its name in results (its identity, made unique).
    pub name: String,
    /// Its module's hash (16 hex digits), compared across processes.
    pub hash: String,
    /// Who plays.
    pub seat: Seat,
}

/// Where the ladder runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Worker threads in each process.
    pub workers: usize,
    /// This process's index.
    pub process: usize,
    /// Every process's `host:port`, by index (one entry: this machine alone).
    pub addresses: Vec<String>,
}

impl Cluster {
    /// One process with `workers` threads.
    pub fn local(workers: usize) -> Self {
        Cluster {
            workers: workers.max(1),
            process: 0,
            addresses: vec![String::new()],
        }
    }

    /// Whether this process keeps the table (process 0).
    pub fn keeps_table(&self) -> bool {
        self.process == 0
    }

    fn config(&self) -> timely::Config {
        let communication = if self.addresses.len() <= 1 {
            timely::CommunicationConfig::Process(self.workers.max(1))
        } else {
            timely::CommunicationConfig::Cluster {
                threads: self.workers.max(1),
                process: self.process,
                addresses: self.addresses.clone(),
                report: false,
                zerocopy: false,
            }
        };
        timely::Config {
            communication,
            worker: timely::WorkerConfig::default(),
        }
    }
}

/// Reads a host file: one `host:port` per line, process 0 first; blank lines and `#` comments
/// are skipped.
pub fn read_hostfile(path: &Path) -> Result<Vec<String>, LadderError> {
    let text = aether_base::fsutil::read_text_bounded(path, 1 << 20).map_err(|e| {
        LadderError::Input(format!(
            "{}: cannot read the host file: {e}",
            path.display()
        ))
    })?;
    let hosts: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    for (i, h) in hosts.iter().enumerate() {
        if h.rsplit_once(':')
            .is_none_or(|(host, port)| host.is_empty() || port.parse::<u16>().is_err())
        {
            return Err(LadderError::Input(format!(
                "{} line {}: \"{h}\" is not host:port (for example 10.0.0.2:7000)",
                path.display(),
                i + 1
            )));
        }
    }
    Ok(hosts)
}

/// Why a ladder stopped.
#[derive(Debug, thiserror::Error)]
pub enum LadderError {
    /// An argument, a file or the scenario cannot be used.
    #[error("{0}")]
    Input(String),
    /// Two processes hold different modules under one name.
    #[error(
        "process {process} holds another module for \"{name}\" (hash {theirs} there, {ours} here): \
         put the same files on every machine and start again"
    )]
    Mismatch {
        /// The other process.
        process: usize,
        /// The contender.
        name: String,
        /// Its hash there.
        theirs: String,
        /// Its hash here.
        ours: String,
    },
    /// Another process stopped (killed, its machine gone): the ladder stops.
    #[error(
        "another process of the ladder stopped ({0}); this one stops too. The games played are in \
         the results file: start the same command again on every machine to resume"
    )]
    PeerLost(String),
    /// Writing the results file failed.
    #[error("{0}")]
    Io(String),
    /// The run was stopped before it finished (a tuning run cancelled): nothing changed.
    #[error("stopped before the end: nothing was changed")]
    Stopped,
}

/// Every game of a ladder of `n` contenders over `seeds`, in the file's order: by pair (`a`
/// before `b`), then seed, then seat.
pub fn games(n: usize, seeds: Range<u64>) -> Vec<GameKey> {
    let mut out = Vec::new();
    for a in 0..n as u32 {
        for b in a + 1..n as u32 {
            for seed in seeds.clone() {
                for seat in 0..2 {
                    out.push(GameKey { a, b, seed, seat });
                }
            }
        }
    }
    out
}

/// The games already in the results file at `path` (none when it does not exist), keyed by
/// contender index; a line that names a contender not in `names` is an error (the file belongs
/// to another ladder), and a last line cut short (a run killed mid-write) is dropped.
pub fn read_results(
    path: &Path,
    names: &[String],
) -> Result<BTreeMap<GameKey, GameLine>, LadderError> {
    let mut out = BTreeMap::new();
    if !path.exists() {
        return Ok(out);
    }
    let text = aether_base::fsutil::read_text_bounded(path, 1 << 34).map_err(|e| {
        LadderError::Input(format!("{}: cannot read the results: {e}", path.display()))
    })?;
    let index: BTreeMap<&str, u32> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let game: GameLine = match serde_json::from_str(line) {
            Ok(g) => g,
            // The last line, cut short by a crash: played again.
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(e) => {
                return Err(LadderError::Input(format!(
                    "{} line {}: not a game of a ladder: {e}",
                    path.display(),
                    i + 1
                )));
            }
        };
        let (Some(&a), Some(&b)) = (index.get(game.a.as_str()), index.get(game.b.as_str())) else {
            return Err(LadderError::Input(format!(
                "{} line {}: \"{}\" against \"{}\" is not a pair of this ladder's contenders: \
                 the file belongs to another ladder (give another --out)",
                path.display(),
                i + 1,
                game.a,
                game.b
            )));
        };
        out.insert(
            GameKey {
                a,
                b,
                seed: game.seed,
                seat: game.seat,
            },
            game,
        );
    }
    Ok(out)
}

/// A finished ladder's table.
#[derive(Clone, Debug, PartialEq)]
pub struct Ladder {
    /// The contenders' names, by index.
    pub names: Vec<String>,
    /// Every game, in order.
    pub games: BTreeMap<GameKey, GameLine>,
    /// Bradley–Terry ratings on the Elo scale, by index (as `tournament`'s).
    pub ratings: Vec<f64>,
    /// Wins, draws and losses, by index.
    pub totals: Vec<(u32, u32, u32)>,
}

impl Ladder {
    /// From the games: totals and ratings exactly as `aether_duel::play_tournament` counts them.
    pub fn from_games(names: Vec<String>, games: BTreeMap<GameKey, GameLine>) -> Self {
        let n = names.len();
        let mut score = vec![vec![0.0; n]; n];
        let mut played = vec![vec![0.0; n]; n];
        let mut totals = vec![(0u32, 0u32, 0u32); n];
        for (k, g) in &games {
            let (a, b) = (k.a as usize, k.b as usize);
            let (sa, sb) = match g.result.as_str() {
                "win" => {
                    totals[a].0 += 1;
                    totals[b].2 += 1;
                    (1.0, 0.0)
                }
                "loss" => {
                    totals[a].2 += 1;
                    totals[b].0 += 1;
                    (0.0, 1.0)
                }
                _ => {
                    totals[a].1 += 1;
                    totals[b].1 += 1;
                    (0.5, 0.5)
                }
            };
            score[a][b] += sa;
            score[b][a] += sb;
            played[a][b] += 1.0;
            played[b][a] += 1.0;
        }
        Ladder {
            ratings: bradley_terry(&score, &played),
            names,
            games,
            totals,
        }
    }

    /// Indices from the best rating to the worst (ties: the earlier first).
    pub fn ranking(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_by(|&x, &y| self.ratings[y].total_cmp(&self.ratings[x]).then(x.cmp(&y)));
        order
    }
}

/// The results file's text: every game in order, one line each.
pub fn results_text(games: &BTreeMap<GameKey, GameLine>) -> String {
    let mut out = String::new();
    for g in games.values() {
        out.push_str(&serde_json::to_string(g).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn spread(k: &GameKey) -> u64 {
    // The same worker for a game on every run and machine.
    aether_base::fasthash::fnv1a(
        &[
            &k.a.to_le_bytes()[..],
            &k.b.to_le_bytes()[..],
            &k.seed.to_le_bytes()[..],
            &[k.seat][..],
        ]
        .concat(),
    )
}

/// Every worker sends its process's contenders (names and module hashes) to every worker, and
/// compares them with its own: the first difference is a [`LadderError::Mismatch`].
pub(crate) fn check_hashes(
    worker: &mut timely::worker::Worker,
    process: usize,
    ours: &[(String, String)],
) -> Result<(), LadderError> {
    type Hashes = (usize, Vec<(String, String)>);
    let mut hashes: InputHandleVec<u64, Hashes> = InputHandleVec::new();
    let seen: std::rc::Rc<std::cell::RefCell<Vec<Hashes>>> = Default::default();
    let probe = ProbeHandle::new();
    {
        let seen = seen.clone();
        worker.dataflow::<u64, _, _>(|scope| {
            let stream: timely::dataflow::StreamVec<'_, u64, Hashes> = hashes.to_stream(scope);
            let keep = move |x: &Hashes| seen.borrow_mut().push(x.clone());
            Inspect::<u64, Vec<Hashes>>::inspect(stream.broadcast(), keep).probe_with(&probe);
        });
    }
    hashes.send((process, ours.to_vec()));
    hashes.close();
    while !probe.done() {
        worker.step();
    }
    for (other, theirs) in seen.borrow().iter() {
        let mismatch = ours
            .iter()
            .zip(theirs)
            .find(|(o, t)| o != t)
            .map(|(o, t)| (o.0.clone(), t.1.clone(), o.1.clone()));
        let mismatch = mismatch.or_else(|| {
            (ours.len() != theirs.len()).then(|| {
                (
                    "(the list)".to_owned(),
                    format!("{} contenders", theirs.len()),
                    format!("{} contenders", ours.len()),
                )
            })
        });
        if let Some((name, theirs, here)) = mismatch {
            return Err(LadderError::Mismatch {
                process: *other,
                name,
                theirs,
                ours: here,
            });
        }
    }
    Ok(())
}

/// Runs `work` on every worker of `cluster` and waits for all; returns why another process
/// went away (the first line of what its loss made timely say), if one did. A peer that goes
/// away makes timely's threads panic, the last of them as its guards are dropped: caught here,
/// and said in words by the caller.
pub(crate) fn execute(
    cluster: &Cluster,
    work: impl Fn(&mut timely::worker::Worker) + Send + Sync + 'static,
) -> Result<Option<String>, LadderError> {
    let config = cluster.config();
    let joined = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let guards = timely::execute(config, work)
            .map_err(|e| LadderError::Input(format!("cannot start the dataflow: {e}")))?;
        let mut lost = None;
        for r in guards.join() {
            if let Err(why) = r {
                lost.get_or_insert(why);
            }
        }
        Ok(lost)
    }));
    let lost = match joined {
        Ok(Ok(lost)) => lost,
        Ok(Err(e)) => return Err(e),
        Err(panic) => Some(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "its connection closed".into()),
        ),
    };
    Ok(lost.map(|why| why.lines().next().unwrap_or_default().to_owned()))
}

/// What the keeper is told as games come in: games done (this run and before), games in all.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Plays the ladder of `contenders` on `scenario` over `seeds` on `cluster`, with `results` as
/// its memory; returns the table on the process that keeps it, `None` on the others.
pub fn run(
    contenders: Vec<Contender>,
    scenario: Scenario,
    seeds: Range<u64>,
    cluster: &Cluster,
    results: &Path,
    progress: Progress,
) -> Result<Option<Ladder>, LadderError> {
    if scenario.turn_limit.is_none() || scenario.state.players.len() != 2 {
        return Err(LadderError::Input(format!(
            "\"{}\" is not a two-player duel scenario; ladders are played on assets/duels/*.json",
            scenario.name
        )));
    }
    if contenders.len() < 2 {
        return Err(LadderError::Input(format!(
            "a ladder needs at least two contenders; found {}",
            contenders.len()
        )));
    }
    let names: Vec<String> = contenders.iter().map(|c| c.name.clone()).collect();
    let ours: Vec<(String, String)> = contenders
        .iter()
        .map(|c| (c.name.clone(), c.hash.clone()))
        .collect();
    let keeper = cluster.keeps_table();
    let before = if keeper {
        read_results(results, &names)?
    } else {
        BTreeMap::new()
    };
    let all = games(names.len(), seeds);
    let total = all.len() as u64;
    let todo: Vec<GameKey> = all
        .into_iter()
        .filter(|k| !before.contains_key(k))
        .collect();
    // The keeper writes what it read back in game order first: a last line cut short by a
    // crash is gone before anything is appended after it, and a file that cannot be written
    // is said now, not after the games.
    let file = if keeper {
        aether_base::fsutil::write_atomic(results, results_text(&before).as_bytes()).map_err(
            |e| {
                LadderError::Io(format!(
                    "{}: cannot write the results: {e}",
                    results.display()
                ))
            },
        )?;
        Some(results.to_path_buf())
    } else {
        None
    };
    let collected: Arc<Mutex<BTreeMap<GameKey, GameLine>>> = Arc::new(Mutex::new(before));
    let failure: Arc<Mutex<Option<LadderError>>> = Arc::new(Mutex::new(None));
    let contenders = Arc::new(contenders);
    let scenario = Arc::new(scenario);
    let todo = Arc::new(todo);
    let process = cluster.process;
    let shared = (collected.clone(), failure.clone());
    let lost = execute(cluster, move |worker| {
        let (collected, failure) = (shared.0.clone(), shared.1.clone());
        let first = worker.index() == 0;
        // 1. Every process's contenders to every worker.
        if let Err(e) = check_hashes(worker, process, &ours) {
            if let Ok(mut f) = failure.lock() {
                f.get_or_insert(e);
            }
            return;
        }
        // 2. The games.
        let mut input: InputHandleVec<u64, GameKey> = InputHandleVec::new();
        let probe = ProbeHandle::new();
        let (contenders, scenario) = (contenders.clone(), scenario.clone());
        let file = file.clone();
        let progress = progress.clone();
        worker.dataflow::<u64, _, _>(|scope| {
            let keys: timely::dataflow::StreamVec<'_, u64, GameKey> = input.to_stream(scope);
            let play = move |k: GameKey| {
                let (a, b) = (&contenders[k.a as usize], &contenders[k.b as usize]);
                let line = match play_game(&scenario, &a.seat, &b.seat, k.seed, k.seat) {
                    Ok(g) => GameLine {
                        a: a.name.clone(),
                        b: b.name.clone(),
                        seed: k.seed,
                        seat: k.seat,
                        result: g.result.to_owned(),
                        rounds: g.rounds,
                        fingerprint: g.fingerprint,
                    },
                    Err(e) => GameLine {
                        a: a.name.clone(),
                        b: b.name.clone(),
                        seed: k.seed,
                        seat: k.seat,
                        result: format!("error: {e}"),
                        rounds: 0,
                        fingerprint: String::new(),
                    },
                };
                (k, line)
            };
            let played: timely::dataflow::StreamVec<'_, u64, (GameKey, GameLine)> =
                keys.exchange(spread).map(play);
            // Only the keeper's first worker receives results.
            let keep = move |(k, line): &(GameKey, GameLine)| {
                if let Some(file) = &file {
                    // A line lost here is not a game lost: the finished file is written
                    // whole from the games kept in memory.
                    let text = serde_json::to_string(line).unwrap_or_default();
                    let _ = aether_base::fsutil::append_line(file, &text);
                }
                if let Ok(mut c) = collected.lock() {
                    c.insert(*k, line.clone());
                    progress(c.len() as u64, total);
                }
            };
            Inspect::<u64, Vec<(GameKey, GameLine)>>::inspect(played.exchange(|_| 0), keep)
                .probe_with(&probe);
        });
        if first && keeper {
            // In small batches, so results (and the progress shown) come in as games
            // finish rather than a worker's whole share at once.
            for chunk in todo.chunks(32) {
                for k in chunk {
                    input.send(*k);
                }
                input.flush();
            }
        }
        input.close();
        while !probe.done() {
            worker.step();
        }
    })?;
    if let Some(e) = failure.lock().ok().and_then(|mut f| f.take()) {
        return Err(e);
    }
    if let Some(why) = lost {
        return Err(LadderError::PeerLost(why));
    }
    if !keeper {
        return Ok(None);
    }
    let games = collected.lock().map(|c| c.clone()).unwrap_or_default();
    // The finished file, in game order: the same bytes however the games were spread.
    aether_base::fsutil::write_atomic(results, results_text(&games).as_bytes()).map_err(|e| {
        LadderError::Io(format!(
            "{}: cannot write the results: {e}",
            results.display()
        ))
    })?;
    Ok(Some(Ladder::from_games(names, games)))
}
