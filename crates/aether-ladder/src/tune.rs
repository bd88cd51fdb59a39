//! # Tuning an AI's numbers
//!
//! `tune` searches a graph's typed numbers ([`aether_lang::tune::tunables`]) for the best score
//! against a set of opponents, on the same timely dataflow as the ladder: every candidate is a
//! batch of duels (each opponent, each search seed, both seats) fed to the workers at one
//! epoch, exchanged by a hash of the game, played by `aether_duel::play_game` on the worker that
//! gets it (which loads the candidate once and keeps it: linked, so the graph's code compiles
//! once per worker and a setting's numbers are data), and counted on the first worker of
//! process 0, which runs the search.
//!
//! The search is particle swarm optimisation (`argmin`'s `ParticleSwarm`): a swarm of candidate
//! settings moves through the ranges, each pulled toward its own best and the swarm's best. It
//! suits this problem: it needs no gradient (a win rate over games has none: it moves in steps
//! as numbers cross thresholds), it keeps every candidate inside its range, and each step is a
//! whole population, evaluated as one batch of duels on every worker at once. The swarm starts
//! from the graph's own numbers plus random settings; positions are rounded to whole numbers,
//! and a setting already played is not played again. It stops when the budget of duels would
//! be overspent, or when the swarm has brought nothing new for a while (it settled).
//!
//! The score the search climbs is wins plus half the draws over the games. The best setting is
//! then checked against the graph's own on **held-out seeds** the search never saw (with
//! generated maps, maps it never saw): the report gives both win rates with their Wilson
//! intervals, and the setting counts as better only when its lower bound is above the
//! original's.
//!
//! Same inputs, same report: the swarm's random numbers come from a seeded generator and the
//! games are pure functions of their inputs, whatever the number of workers and processes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use timely::dataflow::operators::vec::Map;
use timely::dataflow::operators::{Exchange, Inspect, Probe};
use timely::dataflow::{InputHandleVec, ProbeHandle};

use aether_duel::{Seat, play_game, wilson};
use aether_lang::VisualScriptGraph;
use aether_lang::scenario::{Scenario, generate};
use aether_lang::tune::{Tunable, tunables, with_values};

use crate::{Cluster, Contender, LadderError, check_hashes, execute};

mod search;

/// Which maps the games are played on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Maps {
    /// The scenario's own map, every game.
    Scenario,
    /// For each seed, a map generated from it like the scenario's (its size, armies, mana and
    /// turn limit): AIs that do not use their seed play different games on each.
    Generated,
}

/// What to tune, against whom, on what.
#[derive(Clone, Debug)]
pub struct TuneSpec {
    /// The graph whose numbers are tuned (an AI controller without errors).
    pub graph: VisualScriptGraph,
    /// The opponents.
    pub opponents: Vec<Contender>,
    /// The duel scenario.
    pub scenario: Scenario,
    /// The maps played on.
    pub maps: Maps,
    /// The seeds the search plays (each from both seats, against each opponent).
    pub seeds: Range<u64>,
    /// The seeds the best setting is checked on; disjoint from `seeds`.
    pub held_out: Range<u64>,
    /// Duels the search may play (the held-out check comes on top).
    pub budget: u64,
    /// Seeds the swarm's random numbers.
    pub swarm_seed: u64,
}

/// Wins, draws and losses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Games won.
    pub wins: u32,
    /// Games drawn.
    pub draws: u32,
    /// Games lost (a game that could not be played counts as lost).
    pub losses: u32,
}

impl Record {
    /// Games in all.
    pub fn games(&self) -> u32 {
        self.wins + self.draws + self.losses
    }

    /// What the search climbs: wins plus half the draws, over the games (0 for none).
    pub fn score(&self) -> f64 {
        if self.games() == 0 {
            return 0.0;
        }
        (f64::from(self.wins) + f64::from(self.draws) / 2.0) / f64::from(self.games())
    }

    /// The 95% Wilson interval of the win rate (draws are not wins, as in `duel`).
    pub fn wilson(&self) -> (f64, f64) {
        wilson(self.wins, self.games())
    }
}

/// A setting of the numbers and how it did on the search seeds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scored {
    /// One value per tunable number.
    pub values: Vec<i32>,
    /// Its games.
    pub record: Record,
}

/// Where a tuning run stands.
#[derive(Clone, Debug, PartialEq)]
pub struct TuneProgress {
    /// False while searching; true while checking on the held-out seeds.
    pub checking: bool,
    /// Duels the search has played.
    pub duels: u64,
    /// Duels it may play.
    pub budget: u64,
    /// Settings tried.
    pub candidates: u32,
    /// The graph's own numbers on the search seeds, once played.
    pub start: Option<Scored>,
    /// The best setting so far.
    pub best: Option<Scored>,
}

/// What the caller is told as games come in.
pub type TuneProgressFn = Arc<dyn Fn(&TuneProgress) + Send + Sync>;

/// Why the search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// The next step would have played past the budget.
    Budget,
    /// Several steps in a row brought no setting not played before.
    Settled,
}

/// A finished tuning run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TuneReport {
    /// The numbers searched, with their ranges.
    #[serde(skip)]
    pub tunables: Vec<Tunable>,
    /// The graph's own numbers on the search seeds.
    pub start: Scored,
    /// The best setting found, on the search seeds (the start when nothing beat it).
    pub best: Scored,
    /// Settings tried.
    pub candidates: u32,
    /// Duels the search played.
    pub duels: u64,
    /// Why it stopped.
    pub stop: Stop,
    /// The graph's own numbers on the held-out seeds.
    pub held_out_before: Record,
    /// The best setting on the held-out seeds.
    pub held_out_after: Record,
    /// How many of the held-out games differ from each other, for the graph's own numbers and
    /// for the best setting (by the games' fingerprints).
    pub held_out_distinct: (u32, u32),
}

impl TuneReport {
    /// Whether the best setting's Wilson lower bound on the held-out seeds is above the
    /// original's: the only case in which the tuned graph should replace it.
    pub fn improved(&self) -> bool {
        self.best.values != self.start.values
            && self.repetition_note().is_none()
            && self.held_out_after.wilson().0 > self.held_out_before.wilson().0
    }

    /// A warning in words when most held-out games repeat others (AIs that do not use their
    /// seed, on a fixed map): the intervals assume games that vary, so they say nothing, and
    /// the tuned graph is not called better.
    pub fn repetition_note(&self) -> Option<String> {
        let games = self.held_out_before.games();
        let fewest = self.held_out_distinct.0.min(self.held_out_distinct.1);
        (games > 2 && fewest * 2 <= games).then(|| {
            format!(
                "Only {fewest} of the {games} held-out games differ from each other: these AIs \
                 do not use their seed on a fixed map, so more seeds replay the same games and \
                 the 95% ranges say nothing. Tune on generated maps (a new map for each seed)."
            )
        })
    }

    /// The numbers the best setting changes: (tunable, old, new).
    pub fn changes(&self) -> Vec<(&Tunable, i32, i32)> {
        aether_lang::tune::changes(&self.tunables, &self.best.values)
    }

    /// `graph` with the best setting written in.
    pub fn tuned(&self, graph: &VisualScriptGraph) -> VisualScriptGraph {
        with_values(graph, &self.tunables, &self.best.values)
    }
}

/// One game of a tuning run: a setting against an opponent, the seed and the setting's slot.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct TuneGame {
    values: Vec<i32>,
    opponent: u32,
    seed: u64,
    seat: u8,
}

/// A game's outcome for the setting.
pub(crate) const LOSS: u8 = 0;
pub(crate) const DRAW: u8 = 1;
pub(crate) const WIN: u8 = 2;
/// Not played: the run was stopped.
const SKIPPED: u8 = 3;

/// A game played: the game, its outcome, its fingerprint (0 when it could not be played).
pub(crate) type Played = (TuneGame, u8, u64);

fn spread(g: &TuneGame) -> u64 {
    let mut bytes: Vec<u8> = g.values.iter().flat_map(|v| v.to_le_bytes()).collect();
    bytes.extend_from_slice(&g.opponent.to_le_bytes());
    bytes.extend_from_slice(&g.seed.to_le_bytes());
    bytes.push(g.seat);
    aether_base::fasthash::fnv1a(&bytes)
}

/// Loads a setting of the graph's numbers as a duel seat, linked: the graph's code and the
/// runtime compiled once, its typed numbers as data (`aether_compile::compile_linked`, with the
/// layout of the settings before, `state`), so a setting costs an instance, not a compile. Its
/// turns and their fuel are those of the single module (`aether-scripting/tests/linked.rs`).
fn load_setting(
    host: &aether_host::ControllerHost,
    graph: &VisualScriptGraph,
    state: &mut Option<aether_compile::LinkedState>,
) -> Option<Seat> {
    let checked = aether_lang::interp::CheckedGraph::new(graph.clone()).ok()?;
    let linked = aether_compile::compile_linked(
        &checked,
        aether_compile::CompilationProfile::Debug,
        state.as_ref(),
    )
    .ok()?;
    let seat = host.load_linked(&linked).ok().map(Seat::Controller)?;
    *state = Some(linked.state);
    Some(seat)
}

/// Tunes `spec.graph` on `cluster`; returns the report on process 0, `None` on the others.
/// Setting `cancel` stops the run ([`LadderError::Stopped`]); `progress` is told where it
/// stands as games come in.
pub fn tune(
    spec: TuneSpec,
    host: &aether_host::ControllerHost,
    cluster: &Cluster,
    progress: TuneProgressFn,
    cancel: Arc<AtomicBool>,
) -> Result<Option<TuneReport>, LadderError> {
    let scenario = &spec.scenario;
    if scenario.turn_limit.is_none() || scenario.state.players.len() != 2 {
        return Err(LadderError::Input(format!(
            "\"{}\" is not a two-player duel scenario; tuning plays duels on assets/duels/*.json",
            scenario.name
        )));
    }
    if spec.opponents.is_empty() {
        return Err(LadderError::Input(
            "tuning needs at least one opponent (--against)".into(),
        ));
    }
    if spec.seeds.is_empty() || spec.held_out.is_empty() {
        return Err(LadderError::Input(
            "tuning needs at least one search seed and one held-out seed".into(),
        ));
    }
    // The graph itself must play: said now, in words, rather than as games all lost. Its
    // module's hash is the one the cluster compares.
    let own = aether_duel::compile_contender(&spec.graph, Path::new(&spec.graph.name))
        .map_err(LadderError::Input)?;
    host.load(&own.wasm)
        .map_err(|e| LadderError::Input(format!("{}: refused: {e}", spec.graph.name)))?;
    let own_hash = format!("{:016x}", aether_base::fasthash::fnv1a(&own.wasm));
    let numbers = tunables(&spec.graph);
    if numbers.is_empty() {
        return Err(LadderError::Input(format!(
            "\"{}\" has no numbers to tune: tuning changes the numbers typed on nodes (a Number \
             input with no wire into it), and this graph has none",
            spec.graph.name
        )));
    }
    let per_setting = spec.opponents.len() as u64 * (spec.seeds.end - spec.seeds.start) * 2;
    if spec.budget < per_setting * 5 {
        return Err(LadderError::Input(format!(
            "a budget of {} duels is too small: each setting plays {per_setting} duels ({} \
             opponent{} × {} seeds × 2 seats); give --budget {} or more, or fewer seeds",
            spec.budget,
            spec.opponents.len(),
            if spec.opponents.len() == 1 { "" } else { "s" },
            spec.seeds.end - spec.seeds.start,
            per_setting * 5
        )));
    }
    let mut ours: Vec<(String, String)> = vec![(spec.graph.name.clone(), own_hash)];
    ours.extend(
        spec.opponents
            .iter()
            .map(|c| (c.name.clone(), c.hash.clone())),
    );
    let report: Arc<Mutex<Option<TuneReport>>> = Arc::default();
    let failure: Arc<Mutex<Option<LadderError>>> = Arc::default();
    let shared = Arc::new(Shared {
        spec,
        numbers,
        host: host.clone(),
        process: cluster.process,
        drives: cluster.keeps_table(),
        ours,
        progress,
        cancel: cancel.clone(),
        report: report.clone(),
        failure: failure.clone(),
    });
    let lost = execute(cluster, move |worker| work(worker, &shared))?;
    if let Some(e) = failure.lock().ok().and_then(|mut f| f.take()) {
        return Err(e);
    }
    if let Some(why) = lost {
        return Err(LadderError::PeerLost(why));
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(LadderError::Stopped);
    }
    Ok(report.lock().ok().and_then(|mut r| r.take()))
}

/// What every worker shares.
pub(crate) struct Shared {
    spec: TuneSpec,
    numbers: Vec<Tunable>,
    host: aether_host::ControllerHost,
    process: usize,
    drives: bool,
    ours: Vec<(String, String)>,
    progress: TuneProgressFn,
    cancel: Arc<AtomicBool>,
    report: Arc<Mutex<Option<TuneReport>>>,
    failure: Arc<Mutex<Option<LadderError>>>,
}

/// One worker's part: check the modules, build the dataflow, then drive the search (the first
/// worker of process 0) or play what comes (every worker).
fn work(worker: &mut timely::worker::Worker, shared: &Arc<Shared>) {
    if let Err(e) = check_hashes(worker, shared.process, &shared.ours) {
        if let Ok(mut f) = shared.failure.lock() {
            f.get_or_insert(e);
        }
        return;
    }
    let mut input: InputHandleVec<u64, TuneGame> = InputHandleVec::new();
    let probe = ProbeHandle::new();
    let results: Rc<RefCell<Vec<Played>>> = Rc::default();
    {
        let play_shared = shared.clone();
        let seats: RefCell<HashMap<Vec<i32>, Option<Seat>>> = RefCell::default();
        let layout: RefCell<Option<aether_compile::LinkedState>> = RefCell::default();
        let maps: RefCell<HashMap<u64, Scenario>> = RefCell::default();
        let play = move |g: TuneGame| {
            let s = &play_shared;
            if s.cancel.load(Ordering::Relaxed) {
                return (g, SKIPPED, 0);
            }
            let mut seats = seats.borrow_mut();
            if seats.len() > 32 && !seats.contains_key(&g.values) {
                seats.clear();
            }
            let seat = seats
                .entry(g.values.clone())
                .or_insert_with(|| {
                    let graph = with_values(&s.spec.graph, &s.numbers, &g.values);
                    load_setting(&s.host, &graph, &mut layout.borrow_mut())
                })
                .clone();
            let Some(seat) = seat else {
                return (g, LOSS, 0);
            };
            let mut maps = maps.borrow_mut();
            let scenario = match s.spec.maps {
                Maps::Scenario => &s.spec.scenario,
                Maps::Generated => {
                    if maps.len() > 256 {
                        maps.clear();
                    }
                    maps.entry(g.seed)
                        .or_insert_with(|| generate::like(&s.spec.scenario, g.seed))
                }
            };
            let opponent = &s.spec.opponents[g.opponent as usize].seat;
            match play_game(scenario, &seat, opponent, g.seed, g.seat) {
                Ok(game) => {
                    let outcome = match game.result {
                        "win" => WIN,
                        "draw" => DRAW,
                        _ => LOSS,
                    };
                    let print = u64::from_str_radix(&game.fingerprint, 16).unwrap_or_default();
                    (g, outcome, print)
                }
                Err(_) => (g, LOSS, 0),
            }
        };
        let results = results.clone();
        worker.dataflow::<u64, _, _>(|scope| {
            let games: timely::dataflow::StreamVec<'_, u64, TuneGame> = input.to_stream(scope);
            let played: timely::dataflow::StreamVec<'_, u64, Played> =
                games.exchange(spread).map(play);
            let keep = move |r: &Played| results.borrow_mut().push(r.clone());
            Inspect::<u64, Vec<Played>>::inspect(played.exchange(|_| 0), keep).probe_with(&probe);
        });
    }
    let report = (worker.index() == 0 && shared.drives)
        .then(|| search::Driver::new(worker, &mut input, &probe, results, shared.clone()).search());
    input.close();
    while !probe.done() {
        worker.step();
    }
    if let (Some(report), Ok(mut r)) = (report, shared.report.lock()) {
        *r = report;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `graph` compiled whole and loaded, as a duel loads a graph.
    fn load(host: &aether_host::ControllerHost, graph: &VisualScriptGraph) -> Result<Seat, String> {
        let module = aether_duel::compile_contender(graph, Path::new(&graph.name))?;
        host.load(&module.wasm)
            .map(Seat::Controller)
            .map_err(|e| e.to_string())
    }

    fn template(text: &str) -> VisualScriptGraph {
        VisualScriptGraph::from_json(text).unwrap()
    }

    /// A setting loaded linked (numbers as data) plays exactly the games of the same graph
    /// compiled whole, turn for turn (the games' fingerprints hash every reply).
    #[test]
    fn a_setting_loaded_linked_plays_the_games_of_the_whole_module() {
        let host =
            aether_host::ControllerHost::new(aether_host::ControllerLimits::default()).unwrap();
        let tactician = template(include_str!(
            "../../../examples/graphs/tactician.mcgraph.json"
        ));
        let mage = load(
            &host,
            &template(include_str!(
                "../../../examples/graphs/mage-support.mcgraph.json"
            )),
        )
        .unwrap();
        let numbers = tunables(&tactician);
        let mut layout = None;
        let scenario =
            Scenario::from_json(include_str!("../../../assets/duels/highlands.json")).unwrap();
        for shift in [0, 1, 3] {
            let values: Vec<i32> = numbers
                .iter()
                .map(|t| (t.value + shift).clamp(t.low, t.high))
                .collect();
            let graph = with_values(&tactician, &numbers, &values);
            let linked = load_setting(&host, &graph, &mut layout).unwrap();
            let whole = load(&host, &graph).unwrap();
            for seed in 0..3 {
                let map = generate::like(&scenario, seed);
                for seat in 0..2 {
                    let a = play_game(&map, &linked, &mage, seed, seat).unwrap();
                    let b = play_game(&map, &whole, &mage, seed, seat).unwrap();
                    assert_eq!(
                        (a.result, a.rounds, &a.fingerprint),
                        (b.result, b.rounds, &b.fingerprint),
                        "shift {shift}, seed {seed}, seat {seat}"
                    );
                }
            }
        }
    }
}
