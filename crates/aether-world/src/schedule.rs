//! The per-tick scheduling policy: who runs, in which order, for how much fuel.
//!
//! Each tick ([`WorldScriptScheduler::tick`]):
//!
//! 1. Scripts backing off whose time has come become [`ScriptState::Ready`] (with a fresh
//!    instance, which the [`SliceRunner`] made when the fault happened).
//! 2. The scripts that are ready or suspended and have work (an unfinished handler or an
//!    undelivered event) are grouped by **effective priority**, `priority + aging × ticks
//!    waited`, and the groups run highest first. Within a group the budget is **shared
//!    equally**: each slice goes to the member with room under its cap that was given the
//!    least fuel so far (ties: the lower [`ScriptId`]), so over any run of ticks the members'
//!    shares differ by at most one slice. A script new to a group (it had no work, or its
//!    effective priority changed) starts at the group's least service: it brings no credit.
//!    Slices have a fixed size ([`SchedulerPolicy::slice_for`]: the quantum, shrunk so that a
//!    whole number of slices makes the script's per-tick cap,
//!    [`ScriptResourceLimits::max_cpu_ms_per_tick`]), because a suspended wasm handler can only
//!    be given fuel in the steps its store was set up with. A group is done when none of its
//!    members has work its cap admits; the tick is done when the world's budget
//!    ([`WorldScriptLimits::max_total_cpu_ms`]) is spent. So no script exceeds its own cap, and
//!    the world budget is overrun by less than one quantum (the last slice that started within
//!    it).
//! 3. A handler still unfinished at the end of the tick stays [`ScriptState::Suspended`] and is
//!    resumed when the script is next chosen; one suspended through more than
//!    [`SchedulerPolicy::max_suspended_ticks`] ticks **in which it was given its whole cap** is
//!    cancelled, which is a fault. Ticks in which others held the CPU do not count: a script is
//!    never faulted for being slow because it was starved.
//! 4. A fault (a trap, a negative return, a cancelled handler) drops the event, replaces the
//!    instance ([`SliceRunner::reset`]) and backs the script off for
//!    [`SchedulerPolicy::backoff_ticks`] ticks, doubled for each earlier fault in the window;
//!    [`SchedulerPolicy::max_faults`] faults within [`SchedulerPolicy::fault_window_ticks`]
//!    disable it, with the reason. Other scripts never notice.
//! 5. **Aging**: a script that ends the tick with work its cap would admit, and got less than
//!    its group's fair share (what the group was given, divided among its members, less one
//!    slice) or nothing, ages by one tick; any other starts over at 0. **Aging guarantee**:
//!    when every tick's budget admits at least one slice, a script of priority `p` with work
//!    waits at most `⌈(P − p) / aging⌉ + 1` ticks before it runs, `P` being the highest
//!    priority of the scripts that keep running before it (tested), and from then on shares
//!    its group's budget equally.
//!
//! Everything here is a function of the registered scripts, the limits and the fuel each slice
//! reports: no clock is read, so a world's schedule replays tick for tick.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
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
    /// Handlers that finished within the slice (a slice may run several short ones); when the
    /// slice ends [`Yielded`](SliceEnd::Yielded) after one finished, the handler in flight is
    /// a new one.
    pub finished: u32,
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
    /// Slices of fuel it was given (each at most one slice of its fuel, see
    /// [`SchedulerPolicy::slice_for`]).
    pub slices: u32,
    /// Handlers it finished.
    pub handlers: u32,
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
    /// Ticks in a row it had work and got less than its share.
    waited: u64,
    faults: VecDeque<WorldTick>,
    /// Fuel it was given in all (its place in its group's round: least served runs next).
    served: u64,
    /// The effective priority it had work at last tick (`None`: it had none).
    level: Option<u64>,
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
                        served: 0,
                        level: None,
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
    pub fn tick<R: SliceRunner>(&mut self, runner: &mut R) -> TickUsageResult {
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
                handlers: 0,
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
        let caps: Vec<u64> = self
            .scripts
            .iter()
            .map(|e| e.desc.resource_limits.fuel_per_tick(fuel_per_ms))
            .collect();
        let slices: Vec<u64> = caps.iter().map(|&c| self.policy.slice_for(c)).collect();
        let aging = u64::from(self.policy.aging);
        let effective: Vec<u64> = self
            .scripts
            .iter()
            .map(|e| u64::from(e.desc.priority) + aging * e.waited)
            .collect();
        // The groups of equal effective priority, highest first.
        let mut levels: Vec<u64> = (0..self.scripts.len())
            .filter(|&i| had_work[i])
            .map(|i| effective[i])
            .collect();
        levels.sort_unstable_by(|a, b| b.cmp(a));
        levels.dedup();
        // A script new to its group (it had no work last tick, or its effective priority
        // changed) starts at the group's least service, so it brings no credit from elsewhere.
        for &level in &levels {
            let members =
                || (0..self.scripts.len()).filter(|&i| had_work[i] && effective[i] == level);
            let settled = |i: usize| self.scripts[i].level == Some(level);
            let floor = members()
                .filter(|&i| settled(i))
                .map(|i| self.scripts[i].served)
                .min();
            if let Some(floor) = floor {
                for i in members().filter(|&i| !settled(i)).collect::<Vec<_>>() {
                    let e = &mut self.scripts[i];
                    e.served = e.served.max(floor);
                }
            }
        }
        let mut used = 0u64;
        // Whether script `i` may be given a slice now: it has work and room under its cap.
        let eligible = |i: usize, scripts: &[Entry], usage: &[ScriptUsage], runner: &R| {
            runnable(&scripts[i])
                && slices[i] > 0
                && usage[i].fuel_used + slices[i] <= caps[i]
                && runner.has_work(scripts[i].desc.id)
        };
        'levels: for &level in &levels {
            // The group's members that may run, least served first (ties: the lower id). Only
            // the script just run can change its place or leave (a slice delivers no event to
            // another script), so one heap per group serves every choice in O(log n).
            let mut queue: BinaryHeap<Reverse<(u64, usize)>> = (0..self.scripts.len())
                .filter(|&i| had_work[i] && effective[i] == level)
                .filter(|&i| eligible(i, &self.scripts, &usage, runner))
                .map(|i| Reverse((self.scripts[i].served, i)))
                .collect();
            while let Some(Reverse((_, i))) = queue.pop() {
                if used >= budget {
                    break 'levels;
                }
                let id = self.scripts[i].desc.id;
                let resumed_ticks = match self.scripts[i].state {
                    ScriptState::Suspended { ticks } => ticks,
                    _ => 0,
                };
                self.scripts[i].state = ScriptState::Running;
                let out = runner.run_slice(id, slices[i]);
                used += out.fuel_used;
                self.scripts[i].served += out.fuel_used.max(1);
                let u = &mut usage[i];
                u.fuel_used += out.fuel_used;
                u.slices += 1;
                u.wall_time += out.wall_time;
                for (kind, n) in out.refused {
                    *u.refused.entry(kind).or_default() += n;
                }
                u.handlers += out.finished;
                match out.end {
                    SliceEnd::Finished => self.scripts[i].state = ScriptState::Ready,
                    SliceEnd::Yielded => {
                        // A handler that began in this slice starts its count over.
                        let ticks = if out.finished > 0 { 0 } else { resumed_ticks };
                        self.scripts[i].state = ScriptState::Suspended { ticks };
                    }
                    SliceEnd::Fault(reason) => {
                        usage[i].faults.push(reason.clone());
                        self.fault(i, reason, runner);
                    }
                }
                if eligible(i, &self.scripts, &usage, runner) {
                    queue.push(Reverse((self.scripts[i].served, i)));
                }
            }
        }
        // Aging: a script that still has work its cap would admit, and got less than the fair
        // share of what its group was given (or nothing), waits one tick more; any other starts
        // over. Equal effective priority means equal share, so a group's members are never
        // aged against each other.
        let mut given: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
        for i in 0..self.scripts.len() {
            if had_work[i] {
                let g = given.entry(effective[i]).or_default();
                g.0 += usage[i].fuel_used;
                g.1 += 1;
            }
        }
        for i in 0..self.scripts.len() {
            let e = &self.scripts[i];
            let unmet = had_work[i]
                && runnable(e)
                && runner.has_work(e.desc.id)
                && usage[i].fuel_used + slices[i] <= caps[i];
            let (group, members) = given.get(&effective[i]).copied().unwrap_or((0, 1));
            let share = group / members.max(1);
            let short = usage[i].fuel_used == 0 || usage[i].fuel_used + slices[i] < share;
            let e = &mut self.scripts[i];
            e.waited = if unmet && short { e.waited + 1 } else { 0 };
            e.level = had_work[i].then_some(effective[i]);
        }
        // Handlers left unfinished: one more tick suspended (only a tick in which the script was
        // given all its cap counts: a script slowed by others is never cancelled for it), or
        // cancelled.
        for (i, u) in usage.iter_mut().enumerate() {
            if let ScriptState::Suspended { ticks } = self.scripts[i].state {
                let full = u.fuel_used + slices[i] > caps[i];
                let ticks = ticks + u32::from(full);
                if ticks > self.policy.max_suspended_ticks {
                    let reason = format!(
                        "cancelled: its handler did not finish within {} ticks of its full CPU",
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
