//! The per-tick scheduling policy: who runs, in which order, for how much fuel.
//!
//! Each tick ([`WorldScriptScheduler::tick`]):
//!
//! 1. Scripts backing off whose time has come become [`ScriptState::Ready`] (with a fresh
//!    instance, which the [`SliceRunner`] made when the fault happened).
//! 2. Among the scripts that are ready or suspended and have work (an unfinished handler or an
//!    undelivered event), the one with the highest **effective priority** runs next:
//!    `priority + aging × ticks waited`, ties to the lower [`ScriptId`]. It runs in slices of a
//!    fixed size ([`SchedulerPolicy::slice_for`]: the quantum, shrunk so that a whole number of
//!    slices makes its per-tick cap, [`ScriptResourceLimits::max_cpu_ms_per_tick`]) until it has
//!    no work, its next slice would pass its cap, or the world's budget
//!    ([`WorldScriptLimits::max_total_cpu_ms`]) is spent; then the next. Slices are fixed
//!    because a suspended wasm handler can only be given fuel in the fixed steps its store was
//!    set up with (wasmtime's async fuel yield). So no script exceeds its own cap, and the world
//!    budget is overrun by less than one quantum (the last slice that started within it).
//! 3. A handler still unfinished at the end of the tick stays [`ScriptState::Suspended`] and is
//!    resumed first thing when the script is next chosen; one suspended for more than
//!    [`SchedulerPolicy::max_suspended_ticks`] ticks is cancelled, which is a fault.
//! 4. A fault (a trap, a negative return, a cancelled handler) drops the event, replaces the
//!    instance ([`SliceRunner::reset`]) and backs the script off for
//!    [`SchedulerPolicy::backoff_ticks`] ticks, doubled for each earlier fault in the window;
//!    [`SchedulerPolicy::max_faults`] faults within [`SchedulerPolicy::fault_window_ticks`]
//!    disable it, with the reason. Other scripts never notice.
//! 5. A script that had work and did not run ages by one tick; one that ran starts over at 0.
//!    **Aging guarantee**: when every tick's budget admits at least one slice, a script of
//!    priority `p` with work waits at most `⌈(P − p) / aging⌉ + 1` ticks, `P` being the highest
//!    priority of the scripts that keep running before it (tested).
//!
//! Everything here is a function of the registered scripts, the limits and the fuel each slice
//! reports: no clock is read, so a world's schedule replays tick for tick.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use super::limits::{
    SchedulerPolicy, ScriptResourceLimits, WorldScriptLimits, fuel_to_ms, ms_to_fuel,
};

/// Identifies a script within a world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScriptId(pub u32);

/// A script as a world registers it: its id, its base priority (higher runs first) and its
/// budget.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptDescriptor {
    /// The script.
    pub id: ScriptId,
    /// Base priority: higher runs first.
    pub priority: u32,
    /// What it may use.
    pub resource_limits: ScriptResourceLimits,
}

/// A world tick, counted from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct WorldTick(pub u64);

/// Where a script stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptState {
    /// Idle or with events to handle: runs when chosen.
    Ready,
    /// Running a slice (only while the scheduler is inside [`SliceRunner::run_slice`]).
    Running,
    /// A handler ran out of its share before finishing; it resumes on a later tick.
    Suspended {
        /// Ticks it has been suspended.
        ticks: u32,
    },
    /// It faulted; its fresh instance gets events again from tick `until`.
    BackingOff {
        /// The first tick it may run again.
        until: WorldTick,
        /// The fault.
        reason: String,
    },
    /// Disabled after repeated faults; it never runs again in this world.
    Disabled {
        /// Why.
        reason: String,
    },
}

impl ScriptState {
    /// A stable snake_case name (`backing_off`).
    pub fn name(&self) -> &'static str {
        match self {
            ScriptState::Ready => "ready",
            ScriptState::Running => "running",
            ScriptState::Suspended { .. } => "suspended",
            ScriptState::BackingOff { .. } => "backing_off",
            ScriptState::Disabled { .. } => "disabled",
        }
    }
}

/// How a slice ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SliceEnd {
    /// The handler returned normally (more events may still be waiting).
    Finished,
    /// The slice's fuel ran out with the handler unfinished; it is kept and resumed later.
    Yielded,
    /// The handler trapped, returned a negative value, or the instance failed: a fault.
    Fault(String),
}

/// What one slice did, as the runner reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SliceOutcome {
    /// Fuel the slice burned (at most the fuel it was given).
    pub fuel_used: u64,
    /// Wall-clock time it took (shown, never used for scheduling).
    pub wall_time: Duration,
    /// How it ended.
    pub end: SliceEnd,
    /// Host calls refused during the slice, by `"<import>: <code>"` (`"entity_spawn: throttled"`):
    /// each is counted in the tick's usage.
    pub refused: Vec<(String, u32)>,
}

/// Runs slices of scripts: the world-script runtime implements it over wasmtime (fuel yields
/// keep a handler alive between slices). The scheduler decides; the runner executes.
pub trait SliceRunner {
    /// Whether `id` has work: an unfinished handler or an event waiting.
    fn has_work(&self, id: ScriptId) -> bool;
    /// Runs `id` for at most `fuel`: resumes its unfinished handler, or starts the handler of
    /// its next event.
    fn run_slice(&mut self, id: ScriptId, fuel: u64) -> SliceOutcome;
    /// After a fault: drops the handler in progress and its event, and replaces the instance
    /// with a fresh one (`init` again).
    fn reset(&mut self, id: ScriptId);
}

/// What one script used in a tick.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptUsage {
    /// The script.
    pub id: ScriptId,
    /// Fuel it burned.
    pub fuel_used: u64,
    /// That fuel in milliseconds (at the policy's rate).
    pub cpu_ms: f64,
    /// Wall-clock time of its slices.
    pub wall_time: Duration,
    /// Slices it ran.
    pub slices: u32,
    /// Ticks it had waited with work before this one (0 if it ran last tick).
    pub ticks_waited: u64,
    /// Host calls refused, by kind.
    pub refused: BTreeMap<String, u32>,
    /// Faults it had this tick, in words.
    pub faults: Vec<String>,
    /// Its state after the tick.
    pub state: ScriptState,
}

/// What a tick used, per script and in all.
#[derive(Clone, Debug, PartialEq)]
pub struct TickUsageResult {
    /// The tick.
    pub tick: WorldTick,
    /// Fuel all scripts burned.
    pub fuel_used: u64,
    /// The world's budget in fuel.
    pub fuel_budget: u64,
    /// `fuel_used` in milliseconds.
    pub cpu_ms: f64,
    /// Every registered script, in id order.
    pub scripts: Vec<ScriptUsage>,
}

impl TickUsageResult {
    /// The usage of `id`.
    pub fn script(&self, id: ScriptId) -> Option<&ScriptUsage> {
        self.scripts.iter().find(|s| s.id == id)
    }
}

/// Why a script could not be registered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// The world holds [`WorldScriptLimits::max_scripts`] already.
    #[error("the world already runs {0} scripts, its limit")]
    TooMany(usize),
    /// The id is taken.
    #[error("script {0} is already registered")]
    Duplicate(u32),
}

#[derive(Debug)]
struct Entry {
    desc: ScriptDescriptor,
    state: ScriptState,
    waited: u64,
    faults: VecDeque<WorldTick>,
}

/// Orchestrates script execution across world ticks: assigns each tick's CPU budget to scripts by
/// effective priority (see the module documentation for the whole policy).
#[derive(Debug)]
pub struct WorldScriptScheduler {
    limits: WorldScriptLimits,
    policy: SchedulerPolicy,
    now: WorldTick,
    /// In id order.
    scripts: Vec<Entry>,
}

impl WorldScriptScheduler {
    /// A scheduler for a world with `limits` and the default [`SchedulerPolicy`].
    pub fn new(limits: WorldScriptLimits) -> Self {
        Self::with_policy(limits, SchedulerPolicy::default())
    }

    /// A scheduler with an explicit policy.
    pub fn with_policy(limits: WorldScriptLimits, policy: SchedulerPolicy) -> Self {
        Self {
            limits,
            policy,
            now: WorldTick(0),
            scripts: Vec::new(),
        }
    }

    /// Adds a script, ready to run.
    pub fn register(&mut self, desc: ScriptDescriptor) -> Result<(), RegisterError> {
        if self.scripts.len() >= self.limits.max_scripts {
            return Err(RegisterError::TooMany(self.limits.max_scripts));
        }
        match self.scripts.binary_search_by_key(&desc.id, |e| e.desc.id) {
            Ok(_) => Err(RegisterError::Duplicate(desc.id.0)),
            Err(at) => {
                self.scripts.insert(
                    at,
                    Entry {
                        desc,
                        state: ScriptState::Ready,
                        waited: 0,
                        faults: VecDeque::new(),
                    },
                );
                Ok(())
            }
        }
    }

    /// Removes a script; returns whether it was registered.
    pub fn unregister(&mut self, id: ScriptId) -> bool {
        let before = self.scripts.len();
        self.scripts.retain(|e| e.desc.id != id);
        before != self.scripts.len()
    }

    /// The state of `id`.
    pub fn state(&self, id: ScriptId) -> Option<&ScriptState> {
        self.scripts
            .iter()
            .find(|e| e.desc.id == id)
            .map(|e| &e.state)
    }

    /// The next tick to run.
    pub fn now(&self) -> WorldTick {
        self.now
    }

    /// The policy in force.
    pub fn policy(&self) -> &SchedulerPolicy {
        &self.policy
    }

    /// Runs one tick through `runner` and says what every script used.
    pub fn tick(&mut self, runner: &mut impl SliceRunner) -> TickUsageResult {
        let now = self.now;
        let fuel_per_ms = self.policy.fuel_per_ms;
        let budget = ms_to_fuel(self.limits.max_total_cpu_ms, fuel_per_ms);
        for e in &mut self.scripts {
            if let ScriptState::BackingOff { until, .. } = e.state
                && until <= now
            {
                e.state = ScriptState::Ready;
            }
        }
        let mut usage: Vec<ScriptUsage> = self
            .scripts
            .iter()
            .map(|e| ScriptUsage {
                id: e.desc.id,
                fuel_used: 0,
                cpu_ms: 0.0,
                wall_time: Duration::ZERO,
                slices: 0,
                ticks_waited: e.waited,
                refused: BTreeMap::new(),
                faults: Vec::new(),
                state: e.state.clone(),
            })
            .collect();
        let runnable =
            |e: &Entry| matches!(e.state, ScriptState::Ready | ScriptState::Suspended { .. });
        let had_work: Vec<bool> = self
            .scripts
            .iter()
            .map(|e| runnable(e) && runner.has_work(e.desc.id))
            .collect();
        // Effective priorities do not change within a tick and no script gains work during
        // one, so "the runnable script with work and the highest effective priority" is one
        // pass over the scripts in that order (ties: lower id), each until it is done.
        let aging = u64::from(self.policy.aging);
        let mut order: Vec<usize> = (0..self.scripts.len()).filter(|&i| had_work[i]).collect();
        order.sort_by_key(|&i| {
            let e = &self.scripts[i];
            (
                std::cmp::Reverse(u64::from(e.desc.priority) + aging * e.waited),
                i,
            )
        });
        let mut used = 0u64;
        'scripts: for i in order {
            let cap = self.scripts[i]
                .desc
                .resource_limits
                .fuel_per_tick(fuel_per_ms);
            let slice = self.policy.slice_for(cap);
            let id = self.scripts[i].desc.id;
            loop {
                if used >= budget {
                    break 'scripts;
                }
                if slice == 0 || usage[i].fuel_used + slice > cap || !runner.has_work(id) {
                    break;
                }
                let resumed_ticks = match self.scripts[i].state {
                    ScriptState::Suspended { ticks } => ticks,
                    _ => 0,
                };
                self.scripts[i].state = ScriptState::Running;
                let out = runner.run_slice(id, slice);
                used += out.fuel_used;
                let u = &mut usage[i];
                u.fuel_used += out.fuel_used;
                u.slices += 1;
                u.wall_time += out.wall_time;
                for (kind, n) in out.refused {
                    *u.refused.entry(kind).or_default() += n;
                }
                match out.end {
                    SliceEnd::Finished => self.scripts[i].state = ScriptState::Ready,
                    SliceEnd::Yielded => {
                        self.scripts[i].state = ScriptState::Suspended {
                            ticks: resumed_ticks,
                        };
                    }
                    SliceEnd::Fault(reason) => {
                        usage[i].faults.push(reason.clone());
                        self.fault(i, reason, runner);
                        break;
                    }
                }
            }
        }
        for (i, e) in self.scripts.iter_mut().enumerate() {
            if usage[i].slices > 0 {
                e.waited = 0;
            } else if had_work[i] {
                e.waited += 1;
            }
        }
        // Handlers left unfinished: one more tick suspended, or cancelled.
        for (i, u) in usage.iter_mut().enumerate() {
            if let ScriptState::Suspended { ticks } = self.scripts[i].state {
                let ticks = ticks + 1;
                if ticks > self.policy.max_suspended_ticks {
                    let reason = format!(
                        "cancelled: its handler did not finish within {} ticks",
                        self.policy.max_suspended_ticks
                    );
                    u.faults.push(reason.clone());
                    self.fault(i, reason, runner);
                } else {
                    self.scripts[i].state = ScriptState::Suspended { ticks };
                }
            }
        }
        for (u, e) in usage.iter_mut().zip(&self.scripts) {
            u.cpu_ms = fuel_to_ms(u.fuel_used, fuel_per_ms);
            u.state = e.state.clone();
        }
        self.now = WorldTick(now.0 + 1);
        TickUsageResult {
            tick: now,
            fuel_used: used,
            fuel_budget: budget,
            cpu_ms: fuel_to_ms(used, fuel_per_ms),
            scripts: usage,
        }
    }

    /// Records a fault: reset the instance, then back off or disable.
    fn fault(&mut self, i: usize, reason: String, runner: &mut impl SliceRunner) {
        let now = self.now;
        let policy = &self.policy;
        let e = &mut self.scripts[i];
        runner.reset(e.desc.id);
        e.waited = 0;
        e.faults.push_back(now);
        while e
            .faults
            .front()
            .is_some_and(|t| t.0 + policy.fault_window_ticks <= now.0)
        {
            e.faults.pop_front();
        }
        let count = e.faults.len() as u32;
        e.state = if count >= policy.max_faults {
            ScriptState::Disabled {
                reason: format!(
                    "{count} faults within {} ticks; the last: {reason}",
                    policy.fault_window_ticks
                ),
            }
        } else {
            let wait = u64::from(policy.backoff_ticks) << (count.saturating_sub(1)).min(16);
            ScriptState::BackingOff {
                until: WorldTick(now.0 + wait),
                reason,
            }
        };
    }
}
