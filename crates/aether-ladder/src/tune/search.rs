//! The search of a tuning run, on the first worker of process 0: argmin's particle swarm asks
//! for a swarm step's costs; the driver sends the settings not played before as one epoch of
//! games into the dataflow, steps the worker until the epoch is done, counts what came back,
//! keeps the best, and stops at the budget or when the swarm settles; then plays the best and
//! the graph's own numbers on the held-out seeds.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use argmin::core::{CostFunction, Error as ArgminError, Executor};
use argmin::solver::particleswarm::{Particle, ParticleSwarm};
use argmin_math::ArgminRandom;
use rand_xoshiro::Xoshiro256PlusPlus;
use rand_xoshiro::rand_core::SeedableRng;
use timely::dataflow::{InputHandleVec, ProbeHandle};

use super::{
    DRAW, LOSS, Played, Record, Scored, Shared, Stop, TuneGame, TuneProgress, TuneReport, WIN,
};

/// Steps in a row with nothing new after which the swarm has settled.
const SETTLED_AFTER: u32 = 8;

/// The games one setting plays on `seeds`: each opponent, each seed, both seats.
fn games_of(values: &[i32], opponents: u32, seeds: Range<u64>) -> Vec<TuneGame> {
    let mut out = Vec::new();
    for opponent in 0..opponents {
        for seed in seeds.clone() {
            for seat in 0..2 {
                out.push(TuneGame {
                    values: values.to_vec(),
                    opponent,
                    seed,
                    seat,
                });
            }
        }
    }
    out
}

/// The search, on the first worker of process 0: feeds settings to the dataflow one batch an
/// epoch, counts what comes back.
pub(super) struct Driver<'w> {
    worker: &'w mut timely::worker::Worker,
    input: &'w mut InputHandleVec<u64, TuneGame>,
    probe: &'w ProbeHandle<u64>,
    results: Rc<RefCell<Vec<Played>>>,
    shared: Arc<Shared>,
    epoch: u64,
    /// Every setting played on the search seeds.
    known: HashMap<Vec<i32>, Record>,
    duels: u64,
    candidates: u32,
    start: Option<Scored>,
    best: Option<Scored>,
    idle: u32,
    stop: Option<Stop>,
}

impl<'w> Driver<'w> {
    /// A driver feeding `input`, waiting on `probe`, reading `results`.
    pub(super) fn new(
        worker: &'w mut timely::worker::Worker,
        input: &'w mut InputHandleVec<u64, TuneGame>,
        probe: &'w ProbeHandle<u64>,
        results: Rc<RefCell<Vec<Played>>>,
        shared: Arc<Shared>,
    ) -> Self {
        Driver {
            worker,
            input,
            probe,
            results,
            shared,
            epoch: 0,
            known: HashMap::new(),
            duels: 0,
            candidates: 0,
            start: None,
            best: None,
            idle: 0,
            stop: None,
        }
    }

    fn tell(&self, checking: bool, playing: u64) {
        (self.shared.progress)(&TuneProgress {
            checking,
            duels: self.duels + playing,
            budget: self.shared.spec.budget,
            candidates: self.candidates,
            start: self.start.clone(),
            best: self.best.clone(),
        });
    }

    /// Plays `settings` on `seeds` as one epoch; their records and how many of their games
    /// differ, in order (`None`: stopped).
    fn play(
        &mut self,
        settings: &[Vec<i32>],
        seeds: Range<u64>,
        checking: bool,
    ) -> Option<Vec<(Record, u32)>> {
        let opponents = self.shared.spec.opponents.len() as u32;
        for s in settings {
            for g in games_of(s, opponents, seeds.clone()) {
                self.input.send(g);
            }
        }
        self.input.flush();
        self.epoch += 1;
        self.input.advance_to(self.epoch);
        let mut told = 0;
        while self.probe.less_than(&self.epoch) {
            self.worker.step();
            let n = self.results.borrow().len();
            if n >= told + 16 {
                told = n;
                self.tell(checking, if checking { 0 } else { n as u64 });
            }
        }
        if self.shared.cancel.load(Ordering::Relaxed) {
            return None;
        }
        let mut by: HashMap<Vec<i32>, (Record, std::collections::HashSet<u64>)> = HashMap::new();
        for (g, outcome, print) in self.results.borrow_mut().drain(..) {
            let (r, prints) = by.entry(g.values).or_default();
            prints.insert(print);
            match outcome {
                WIN => r.wins += 1,
                DRAW => r.draws += 1,
                LOSS => r.losses += 1,
                _ => {}
            }
        }
        Some(
            settings
                .iter()
                .map(|s| {
                    by.get(s)
                        .map_or((Record::default(), 0), |(r, p)| (*r, p.len() as u32))
                })
                .collect(),
        )
    }

    /// Scores a swarm step: each position rounded to whole numbers in range; settings not
    /// played before are played as one batch. `Err` ends the search.
    fn step(&mut self, positions: &[Vec<f64>]) -> Result<Vec<f64>, ArgminError> {
        let settings: Vec<Vec<i32>> = positions
            .iter()
            .map(|p| {
                p.iter()
                    .zip(&self.shared.numbers)
                    .map(|(x, t)| (x.round().clamp(f64::from(t.low), f64::from(t.high))) as i32)
                    .collect()
            })
            .collect();
        let mut new: Vec<Vec<i32>> = Vec::new();
        for s in &settings {
            if !self.known.contains_key(s) && !new.contains(s) {
                new.push(s.clone());
            }
        }
        let spec = &self.shared.spec;
        let per = spec.opponents.len() as u64 * (spec.seeds.end - spec.seeds.start) * 2;
        let cost = per * new.len() as u64;
        if self.duels + cost > spec.budget {
            self.stop = Some(Stop::Budget);
            return Err(ArgminError::msg("the budget is spent"));
        }
        if new.is_empty() {
            self.idle += 1;
            if self.idle >= SETTLED_AFTER {
                self.stop = Some(Stop::Settled);
                return Err(ArgminError::msg("the swarm settled"));
            }
        } else {
            self.idle = 0;
            let seeds = spec.seeds.clone();
            let Some(records) = self.play(&new, seeds, false) else {
                return Err(ArgminError::msg("stopped"));
            };
            self.duels += cost;
            for (s, (r, _)) in new.into_iter().zip(records) {
                self.candidates += 1;
                let scored = Scored {
                    values: s.clone(),
                    record: r,
                };
                if self.start.is_none() {
                    self.start = Some(scored.clone());
                }
                if self
                    .best
                    .as_ref()
                    .is_none_or(|b| r.score() > b.record.score())
                {
                    self.best = Some(scored);
                }
                self.known.insert(s, r);
            }
            self.tell(false, 0);
        }
        Ok(settings
            .iter()
            .map(|s| -self.known.get(s).map_or(0.0, Record::score))
            .collect())
    }

    /// The whole run: the graph's own numbers, the swarm, the held-out check.
    pub(super) fn search(&mut self) -> Option<TuneReport> {
        let numbers = self.shared.numbers.clone();
        let spec = self.shared.spec.clone();
        let own: Vec<f64> = numbers.iter().map(|t| f64::from(t.value)).collect();
        // Half a step beyond each end, so that rounding gives the ends their fair share.
        let low: Vec<f64> = numbers.iter().map(|t| f64::from(t.low) - 0.49).collect();
        let high: Vec<f64> = numbers.iter().map(|t| f64::from(t.high) + 0.49).collect();
        let per = spec.opponents.len() as u64 * (spec.seeds.end - spec.seeds.start) * 2;
        let particles = ((spec.budget / per) / 5).clamp(4, 24) as usize;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(spec.swarm_seed);
        let span: Vec<f64> = low.iter().zip(&high).map(|(l, h)| h - l).collect();
        let back: Vec<f64> = span.iter().map(|s| -s).collect();
        // The swarm starts at the graph's own numbers and at random settings.
        let mut positions = vec![own];
        while positions.len() < particles {
            positions.push(Vec::<f64>::rand_from_range(&low, &high, &mut rng));
        }
        let costs = self.step(&positions).ok()?;
        let swarm: Vec<Particle<Vec<f64>, f64>> = positions
            .into_iter()
            .zip(costs)
            .map(|(p, c)| {
                let v = Vec::<f64>::rand_from_range(&back, &span, &mut rng);
                Particle::new(p, c, v)
            })
            .collect();
        let solver = ParticleSwarm::new((low, high), particles).with_rng_generator(rng);
        let problem = Swarm {
            driver: RefCell::new(self),
        };
        let outcome = Executor::new(problem, solver)
            .configure(|state| state.population(swarm).max_iters(u64::MAX))
            .timer(false)
            .run();
        // The search ends by an error of the cost function: the budget, the swarm settled,
        // or a stop (then there is no report).
        drop(outcome);
        let this = self;
        if this.shared.cancel.load(Ordering::Relaxed) {
            return None;
        }
        let stop = this.stop.unwrap_or(Stop::Settled);
        let (start, best) = (this.start.clone()?, this.best.clone()?);
        // The held-out check: the graph's own numbers and the best, on seeds never played.
        let settings = if best.values == start.values {
            vec![start.values.clone()]
        } else {
            vec![start.values.clone(), best.values.clone()]
        };
        this.tell(true, 0);
        let records = this.play(&settings, spec.held_out.clone(), true)?;
        let before = records[0];
        let after = *records.last().unwrap_or(&before);
        let (before, after, distinct) = (before.0, after.0, (before.1, after.1));
        Some(TuneReport {
            tunables: numbers,
            start,
            best,
            candidates: this.candidates,
            duels: this.duels,
            stop,
            held_out_before: before,
            held_out_after: after,
            held_out_distinct: distinct,
        })
    }
}

/// The swarm's view of the driver: the cost of a position is minus its score.
struct Swarm<'d, 'w> {
    driver: RefCell<&'d mut Driver<'w>>,
}

impl CostFunction for Swarm<'_, '_> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, param: &Vec<f64>) -> Result<f64, ArgminError> {
        let costs = self.driver.borrow_mut().step(std::slice::from_ref(param))?;
        Ok(costs.first().copied().unwrap_or(0.0))
    }

    fn bulk_cost<P>(&self, params: &[P]) -> Result<Vec<f64>, ArgminError>
    where
        P: std::borrow::Borrow<Vec<f64>> + argmin::core::SyncAlias,
        f64: argmin::core::SendAlias,
        Self: argmin::core::SyncAlias,
    {
        let positions: Vec<Vec<f64>> = params.iter().map(|p| p.borrow().clone()).collect();
        self.driver.borrow_mut().step(&positions)
    }
}
