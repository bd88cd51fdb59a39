//! The duel lab's worker thread: compiles the edited graph, loads the opponents, and plays a
//! duel, a batch over many seeds or a round robin, so the window never waits for them. Batches
//! report progress through a shared counter and stop when asked.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, OnceLock};

use aether_duel::{
    BatchResult, DuelResult, Replay, ReplaySeat, Seat, Tournament, play_batch, play_duel,
};
use aether_host::CompileCache;
use aether_lang::VisualScriptGraph;

use super::ShownDuel;
use crate::studio::opponents::{Opponent, SeatLoader};
use crate::studio::preview::Sample;

/// Shared with a running batch: games done, games in all, and the cancel flag.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    /// Units done (games for a batch, pairs for a tournament).
    pub done: Arc<AtomicU64>,
    /// Units in all.
    pub total: Arc<AtomicU64>,
    /// Set to stop early.
    pub cancel: Arc<AtomicBool>,
}

impl Progress {
    /// Done and total, now.
    pub fn now(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// What the edited AI is, for a job.
#[derive(Clone, Debug)]
pub struct ThisAi {
    /// The graph as it is now.
    pub graph: VisualScriptGraph,
    /// Its file, when saved (a replay names it).
    pub file: Option<PathBuf>,
}

/// A request to the worker.
#[derive(Clone, Debug)]
pub enum Job {
    /// One duel: this AI in `my_slot`, the opponent in the other.
    Duel {
        /// The edited AI.
        this: ThisAi,
        /// The other side.
        opponent: Opponent,
        /// The duel scenario.
        sample: Sample,
        /// The duel seed.
        seed: u64,
        /// This AI's slot.
        my_slot: u8,
    },
    /// This AI against the opponent over `seeds`, from both seats.
    Batch {
        /// The edited AI.
        this: ThisAi,
        /// The other side.
        opponent: Opponent,
        /// The duel scenario.
        sample: Sample,
        /// The seeds.
        seeds: std::ops::Range<u64>,
        /// Shared progress.
        progress: Progress,
    },
    /// Plays a replay's duel again from its modules and compares every turn with the record.
    Again {
        /// The record.
        replay: Box<Replay>,
        /// Its scenario.
        scenario: Box<aether_lang::Scenario>,
        /// The replay file's folder: module paths are tried there first.
        base: Option<PathBuf>,
    },
    /// Tunes this AI's numbers against the opponent (`aether_ladder::tune`).
    Tune {
        /// The edited AI.
        this: ThisAi,
        /// The other side.
        opponent: Opponent,
        /// The duel scenario.
        sample: Sample,
        /// What the search is asked.
        settings: super::tune::TuneSettings,
        /// Shared progress and cancel flag.
        shared: super::tune::TuneShared,
    },
    /// A round robin among `entrants`.
    Tournament {
        /// The edited AI (when an entrant is [`Opponent::ThisAi`]).
        this: ThisAi,
        /// The entrants.
        entrants: Vec<Opponent>,
        /// The duel scenario.
        sample: Sample,
        /// Seeds per pair.
        seeds: std::ops::Range<u64>,
        /// Shared progress.
        progress: Progress,
    },
}

/// A batch as the lab shows it.
#[derive(Clone, Debug)]
pub struct BatchView {
    /// This AI's name.
    pub mine: String,
    /// The opponent's name.
    pub theirs: String,
    /// The opponent as chosen (to open a game's replay).
    pub opponent: Opponent,
    /// The scenario's name.
    pub scenario: String,
    /// The result, counted for this AI.
    pub result: BatchResult,
    /// Whether it was stopped before every game was played.
    pub cancelled: bool,
    /// How long the games took (a short run's progress bar is never seen).
    pub took: std::time::Duration,
}

/// What became of a job.
#[derive(Debug)]
pub enum Done {
    /// A duel to show.
    Duel(Result<Box<ShownDuel>, String>),
    /// A batch's result.
    Batch(Result<BatchView, String>),
    /// A tournament's result.
    Tournament(Result<Tournament, String>),
    /// A replay played again: what was found, in words (an error when it could not be played).
    Again(Result<String, String>),
    /// A tuning run's report.
    Tune(Result<aether_ladder::tune::TuneReport, String>),
}

/// The worker's handle.
#[derive(Debug)]
pub struct Worker {
    jobs: Sender<Job>,
    results: Receiver<Done>,
    /// Asked to repaint when a result arrives.
    pub repaint: Arc<OnceLock<egui::Context>>,
}

impl Worker {
    /// Starts the thread (`cache` and `compile_worker` as for [`SeatLoader::new`]).
    pub fn spawn(cache: Option<CompileCache>, compile_worker: Option<PathBuf>) -> Self {
        let (jobs, job_rx) = channel::<Job>();
        let (tx, results) = channel::<Done>();
        let repaint: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let ctx = repaint.clone();
        let spawned = std::thread::Builder::new()
            .name("duel-lab".into())
            .spawn(move || {
                let mut loader = SeatLoader::new(cache, compile_worker);
                while let Ok(job) = job_rx.recv() {
                    let done = run(&mut loader, job);
                    if tx.send(done).is_err() {
                        return;
                    }
                    if let Some(ctx) = ctx.get() {
                        ctx.request_repaint();
                    }
                }
            });
        if let Err(e) = spawned {
            eprintln!("warning: the duel lab's thread could not start: {e}");
        }
        Self {
            jobs,
            results,
            repaint,
        }
    }

    /// Queues a job.
    pub fn send(&self, job: Job) {
        let _ = self.jobs.send(job);
    }

    /// Results that arrived since the last call.
    pub fn poll(&self) -> Vec<Done> {
        self.results.try_iter().collect()
    }
}

fn run(loader: &mut SeatLoader, job: Job) -> Done {
    match job {
        Job::Duel {
            this,
            opponent,
            sample,
            seed,
            my_slot,
        } => Done::Duel(one_duel(loader, &this, &opponent, &sample, seed, my_slot).map(Box::new)),
        Job::Batch {
            this,
            opponent,
            sample,
            seeds,
            progress,
        } => Done::Batch((|| {
            let me = loader.this_ai(&this.graph)?;
            let (theirs, _) = loader.seat(&opponent, &me)?;
            let mine = Seat::Controller(me.0.clone());
            progress
                .total
                .store((seeds.end - seeds.start) * 2, Ordering::Relaxed);
            progress.done.store(0, Ordering::Relaxed);
            let done = progress.done.clone();
            let started = std::time::Instant::now();
            let result = play_batch(
                &sample.scenario,
                &mine,
                &theirs,
                seeds,
                &move |d, _| done.store(d, Ordering::Relaxed),
                &progress.cancel,
            )
            .map_err(|e| e.to_string())?;
            // Cancelled when the user asked and games were left unplayed (a game that failed
            // to run is not a cancellation).
            let cancelled = progress.cancel.load(Ordering::Relaxed)
                && u64::from(result.games) < progress.total.load(Ordering::Relaxed);
            Ok(BatchView {
                took: started.elapsed(),
                mine: mine.name(),
                theirs: theirs.name(),
                opponent,
                scenario: sample.scenario.name.clone(),
                result,
                cancelled,
            })
        })()),
        Job::Again {
            replay,
            scenario,
            base,
        } => Done::Again(play_again(loader, &replay, &scenario, base.as_deref())),
        Job::Tune {
            this,
            opponent,
            sample,
            settings,
            shared,
        } => Done::Tune(tune(loader, &this, &opponent, &sample, settings, &shared)),
        Job::Tournament {
            this,
            entrants,
            sample,
            seeds,
            progress,
        } => Done::Tournament((|| {
            let me = loader.this_ai(&this.graph)?;
            let mut seats = Vec::new();
            for o in &entrants {
                let (seat, _) = loader.seat(o, &me)?;
                let name = match o {
                    Opponent::ThisAi => format!("{} (this AI)", seat.name()),
                    _ => seat.name(),
                };
                seats.push((name, seat));
            }
            let n = seats.len() as u64;
            progress
                .total
                .store(n * n.saturating_sub(1) / 2, Ordering::Relaxed);
            progress.done.store(0, Ordering::Relaxed);
            let done = progress.done.clone();
            aether_duel::play_tournament(
                &sample.scenario,
                &seats,
                seeds,
                &move |d, _| done.store(d, Ordering::Relaxed),
                &progress.cancel,
            )
            .map_err(|e| e.to_string())
        })()),
    }
}

/// Plays `replay`'s duel again with the modules it names (tried beside the replay first, then
/// as given) and compares every turn with the record.
fn play_again(
    loader: &mut SeatLoader,
    replay: &Replay,
    scenario: &aether_lang::Scenario,
    base: Option<&std::path::Path>,
) -> Result<String, String> {
    let mut seats = Vec::new();
    let mut changed = Vec::new();
    for (slot, s) in replay.seats.iter().enumerate() {
        let Some(module) = &s.module else {
            seats.push(Seat::Pass);
            continue;
        };
        let given = PathBuf::from(module);
        let path = match base.map(|b| b.join(&given)) {
            Some(beside) if given.is_relative() && beside.exists() => beside,
            _ => given,
        };
        let (seat, hash) = loader.file_seat(&path)?;
        if format!("{hash:016x}") != s.module_hash {
            changed.push(format!(
                "player {slot}'s module {} changed since the game was recorded",
                path.display()
            ));
        }
        seats.push(seat);
    }
    let again = play_duel(scenario, &seats, replay.duel_seed).map_err(|e| e.to_string())?;
    let mut words = match replay.compare(&again) {
        Ok(n) => format!("Played again: all {n} turns gave the same bytes as recorded."),
        Err(why) => format!("Played again, it differs: {why}."),
    };
    if !changed.is_empty() {
        words.push_str(&format!(" Note: {}.", changed.join("; ")));
    }
    Ok(words)
}

fn one_duel(
    loader: &mut SeatLoader,
    this: &ThisAi,
    opponent: &Opponent,
    sample: &Sample,
    seed: u64,
    my_slot: u8,
) -> Result<ShownDuel, String> {
    let me = loader.this_ai(&this.graph)?;
    let (theirs, their_hash) = loader.seat(opponent, &me)?;
    let mine = Seat::Controller(me.0.clone());
    let mut seats = [mine.clone(), theirs.clone()];
    let mut hashes = [me.1, their_hash];
    let mut modules = [
        Opponent::ThisAi.module_path(this.file.as_deref()),
        opponent.module_path(this.file.as_deref()),
    ];
    if my_slot == 1 {
        seats.swap(0, 1);
        hashes.swap(0, 1);
        modules.swap(0, 1);
    }
    let result: DuelResult =
        play_duel(&sample.scenario, &seats, seed).map_err(|e| e.to_string())?;
    let (frames, end) = aether_duel::frames(&sample.scenario.state, &result.turns)?;
    let replay_seats: Vec<ReplaySeat> = (0..2)
        .map(|i| match &seats[i] {
            Seat::Pass => ReplaySeat {
                identity: "pass".into(),
                module: None,
                module_hash: "0".into(),
            },
            Seat::Controller(_) => ReplaySeat {
                identity: seats[i].name(),
                module: modules[i].as_ref().map(|p| p.display().to_string()),
                module_hash: format!("{:016x}", hashes[i]),
            },
        })
        .collect();
    // A replay can only be played again when every controller's module has a file.
    let savable = replay_seats
        .iter()
        .all(|s| s.identity == "pass" || s.module.is_some());
    let scenario_file = sample.path.clone().map_or_else(
        || format!("assets/{}.json", sample.name),
        |p| p.display().to_string(),
    );
    let replay = Replay::new(&scenario_file, seed, replay_seats, &result);
    Ok(ShownDuel {
        scenario: sample.scenario.clone(),
        replay_dir: None,
        again: None,
        title: format!(
            "{} vs {} · {} · seed {seed}",
            seats[0].name(),
            seats[1].name(),
            sample.scenario.name
        ),
        names: seats.iter().map(Seat::name).collect(),
        mine: Some(my_slot),
        winner: result.winner,
        by: result.by.to_owned(),
        rounds: result.rounds,
        hp: result.hp.clone(),
        frames,
        end,
        unnamed: (!savable).then(|| replay.clone()),
        replay: savable.then_some(replay),
    })
}

/// Tunes this AI against the opponent on this machine's cores.
fn tune(
    loader: &mut SeatLoader,
    this: &ThisAi,
    opponent: &Opponent,
    sample: &Sample,
    settings: super::tune::TuneSettings,
    shared: &super::tune::TuneShared,
) -> Result<aether_ladder::tune::TuneReport, String> {
    let me = loader.this_ai(&this.graph)?;
    let (theirs, hash) = loader.seat(opponent, &me)?;
    let host = loader
        .host()
        .ok_or("the studio's host could not start")?
        .clone();
    let first_held = settings.seeds;
    let spec = aether_ladder::tune::TuneSpec {
        graph: this.graph.clone(),
        opponents: vec![aether_ladder::Contender {
            name: theirs.name(),
            hash: format!("{hash:016x}"),
            seat: theirs,
        }],
        scenario: sample.scenario.clone(),
        maps: settings.maps(),
        seeds: 0..settings.seeds,
        held_out: first_held..first_held + settings.held_out,
        budget: settings.budget,
        swarm_seed: 0,
    };
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let progress = shared.progress.clone();
    let tell: aether_ladder::tune::TuneProgressFn = Arc::new(move |p| {
        if let Ok(mut slot) = progress.lock() {
            *slot = Some(p.clone());
        }
    });
    aether_ladder::tune::tune(
        spec,
        &host,
        &aether_ladder::Cluster::local(workers),
        tell,
        shared.cancel.clone(),
    )
    .map_err(|e| e.to_string())?
    .ok_or_else(|| "the search gave no report".to_owned())
}
