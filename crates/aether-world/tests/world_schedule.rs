//! The world scheduler's policy on workloads whose cost is known exactly: each script's handlers
//! cost a given amount of fuel, so every budget, order and state can be checked to the unit.
//! (The wasmtime runtime runs the same scheduler with real slices; these tests pin the policy.)

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use aether_world::schedule::SliceEnd;
use aether_world::{
    RegisterError, SchedulerPolicy, ScriptDescriptor, ScriptId, ScriptResourceLimits, ScriptState,
    SliceOutcome, SliceRunner, TickUsageResult, WorldScriptLimits, WorldScriptScheduler, WorldTick,
};

/// What one script does.
#[derive(Clone, Debug)]
enum Behaviour {
    /// Every tick one event whose handler costs this much fuel.
    EveryTick(u64),
    /// Always has work, never finishes (a busy simulation).
    Endless,
    /// Every event's handler traps after this much fuel.
    Traps(u64),
}

/// Runs scripts whose handlers cost known fuel. `begin_tick` queues each tick's events.
#[derive(Default)]
struct Workload {
    behaviour: BTreeMap<ScriptId, Behaviour>,
    /// Fuel left in the handler in progress, per script.
    current: BTreeMap<ScriptId, u64>,
    /// Events waiting, per script.
    queued: BTreeMap<ScriptId, VecDeque<u64>>,
    /// Every slice run, in order: (script, fuel given).
    log: Vec<(ScriptId, u64)>,
    resets: Vec<ScriptId>,
}

impl Workload {
    fn add(&mut self, id: u32, b: Behaviour) {
        self.behaviour.insert(ScriptId(id), b);
    }

    fn begin_tick(&mut self) {
        for (id, b) in &self.behaviour {
            let cost = match b {
                Behaviour::EveryTick(cost) | Behaviour::Traps(cost) => *cost,
                Behaviour::Endless => u64::MAX,
            };
            let q = self.queued.entry(*id).or_default();
            if !matches!(b, Behaviour::Endless) || (q.is_empty() && !self.current.contains_key(id))
            {
                q.push_back(cost);
            }
        }
    }
}

impl SliceRunner for Workload {
    fn has_work(&self, id: ScriptId) -> bool {
        self.current.contains_key(&id) || self.queued.get(&id).is_some_and(|q| !q.is_empty())
    }

    fn run_slice(&mut self, id: ScriptId, fuel: u64) -> SliceOutcome {
        self.log.push((id, fuel));
        let left = match self.current.remove(&id) {
            Some(left) => left,
            None => self
                .queued
                .get_mut(&id)
                .and_then(VecDeque::pop_front)
                .expect("run only with work"),
        };
        let traps = matches!(self.behaviour[&id], Behaviour::Traps(_));
        let outcome = |fuel_used, end: SliceEnd| SliceOutcome {
            fuel_used,
            wall_time: Duration::ZERO,
            finished: u32::from(end == SliceEnd::Finished),
            end,
            refused: Vec::new(),
        };
        if left <= fuel {
            if traps {
                return outcome(left, SliceEnd::Fault("trap: unreachable".into()));
            }
            return outcome(left, SliceEnd::Finished);
        }
        self.current.insert(id, left - fuel);
        outcome(fuel, SliceEnd::Yielded)
    }

    fn reset(&mut self, id: ScriptId) {
        self.current.remove(&id);
        self.resets.push(id);
    }
}

fn script(id: u32, priority: u32, cpu_ms: f64) -> ScriptDescriptor {
    ScriptDescriptor {
        id: ScriptId(id),
        priority,
        resource_limits: ScriptResourceLimits {
            max_cpu_ms_per_tick: cpu_ms,
            ..ScriptResourceLimits::default()
        },
    }
}

fn run(s: &mut WorldScriptScheduler, w: &mut Workload, ticks: usize) -> Vec<TickUsageResult> {
    (0..ticks)
        .map(|_| {
            w.begin_tick();
            s.tick(w)
        })
        .collect()
}

#[test]
fn busy_scripts_never_push_a_tick_past_the_world_budget_or_their_own() {
    let mut s = WorldScriptScheduler::new(WorldScriptLimits::default());
    let mut w = Workload::default();
    for id in 0..256 {
        s.register(script(id, id % 7, 2.0)).unwrap();
        w.add(
            id,
            if id % 3 == 0 {
                Behaviour::Endless
            } else {
                Behaviour::EveryTick(300_000 + u64::from(id) * 10_000)
            },
        );
    }
    let policy = s.policy().clone();
    let budget = (8.0 * policy.fuel_per_ms as f64) as u64;
    let cap = (2.0 * policy.fuel_per_ms as f64) as u64;
    for tick in run(&mut s, &mut w, 60) {
        assert_eq!(tick.fuel_budget, budget);
        // Overrun by less than one quantum: the last slice started within the budget.
        assert!(
            tick.fuel_used < budget + policy.quantum,
            "tick {:?}: {} is a quantum or more past {budget}",
            tick.tick,
            tick.fuel_used
        );
        assert!(tick.fuel_used >= budget, "the budget is used");
        assert!(tick.cpu_ms < 8.0 + policy.quantum as f64 / policy.fuel_per_ms as f64);
        for u in &tick.scripts {
            assert!(u.fuel_used <= cap, "{:?} used {}", u.id, u.fuel_used);
        }
    }
    // Every slice is at most one quantum.
    assert!(w.log.iter().all(|&(_, fuel)| fuel <= policy.quantum));
}

#[test]
fn a_high_priority_script_runs_before_a_low_one() {
    let mut s = WorldScriptScheduler::new(WorldScriptLimits::default());
    let mut w = Workload::default();
    for (id, priority) in [(1, 1), (2, 50), (3, 10)] {
        s.register(script(id, priority, 2.0)).unwrap();
        w.add(id, Behaviour::EveryTick(600_000));
    }
    run(&mut s, &mut w, 1);
    let order: Vec<u32> = w.log.iter().map(|(id, _)| id.0).collect();
    // 600,000 fuel in slices of 250,000: three slices each, highest priority first.
    assert_eq!(order, [2, 2, 2, 3, 3, 3, 1, 1, 1]);
}

#[test]
fn a_low_priority_script_that_keeps_losing_still_runs_within_the_aging_bound() {
    let mut s = WorldScriptScheduler::new(WorldScriptLimits::default());
    let mut w = Workload::default();
    // Four busy scripts of priority 10 fill the 8 ms budget with their 2 ms each.
    for id in 1..=4 {
        s.register(script(id, 10, 2.0)).unwrap();
        w.add(id, Behaviour::Endless);
    }
    s.register(script(9, 0, 2.0)).unwrap();
    w.add(9, Behaviour::EveryTick(10_000));
    let ticks = run(&mut s, &mut w, 20);
    let first = ticks
        .iter()
        .position(|t| t.script(ScriptId(9)).is_some_and(|u| u.slices > 0))
        .expect("the low-priority script runs");
    // ⌈(P − p) / aging⌉ = ⌈(10 − 0) / 1⌉ = 10: once its effective priority reaches the busy
    // scripts' it is one of their group, and equal effective priority means an equal share.
    assert_eq!(first, 10);
    assert_eq!(ticks[first].script(ScriptId(9)).unwrap().ticks_waited, 10);
    assert_eq!(
        ticks[first + 1].script(ScriptId(9)).unwrap().ticks_waited,
        0
    );
}

#[test]
fn a_handler_that_never_finishes_is_suspended_then_cancelled_then_the_script_is_disabled() {
    let policy = SchedulerPolicy::default();
    let mut s = WorldScriptScheduler::new(WorldScriptLimits::default());
    let mut w = Workload::default();
    s.register(script(1, 5, 2.0)).unwrap();
    w.add(1, Behaviour::Endless);
    s.register(script(2, 5, 2.0)).unwrap();
    w.add(2, Behaviour::EveryTick(1_000));
    let ticks = run(&mut s, &mut w, 400);
    let states: Vec<ScriptState> = ticks
        .iter()
        .map(|t| t.script(ScriptId(1)).unwrap().state.clone())
        .collect();
    assert_eq!(states[0], ScriptState::Suspended { ticks: 1 });
    let cancel = policy.max_suspended_ticks as usize;
    assert_eq!(states[cancel - 1], ScriptState::Suspended { ticks: 10 });
    let ScriptState::BackingOff { until, reason } = &states[cancel] else {
        panic!("cancelled at tick {cancel}: {:?}", states[cancel]);
    };
    assert_eq!(
        *until,
        WorldTick(cancel as u64 + u64::from(policy.backoff_ticks))
    );
    assert!(
        reason.contains("did not finish within 10 ticks"),
        "{reason}"
    );
    assert_eq!(
        ticks[cancel].script(ScriptId(1)).unwrap().faults.len(),
        1,
        "the cancel is counted as a fault"
    );
    let disabled = states
        .iter()
        .position(|s| matches!(s, ScriptState::Disabled { .. }))
        .expect("three faults disable it");
    let ScriptState::Disabled { reason } = &states[disabled] else {
        unreachable!()
    };
    assert!(reason.starts_with("3 faults within 400 ticks"), "{reason}");
    assert_eq!(w.resets.iter().filter(|id| id.0 == 1).count(), 3);
    // The other script never noticed: it ran every tick.
    assert!(
        ticks
            .iter()
            .all(|t| t.script(ScriptId(2)).unwrap().fuel_used == 1_000)
    );
}

#[test]
fn a_script_that_traps_on_every_event_backs_off_longer_each_time_then_is_disabled() {
    let mut s = WorldScriptScheduler::new(WorldScriptLimits::default());
    let mut w = Workload::default();
    s.register(script(1, 5, 2.0)).unwrap();
    w.add(1, Behaviour::Traps(500));
    let ticks = run(&mut s, &mut w, 100);
    let faults: Vec<u64> = ticks
        .iter()
        .filter(|t| !t.script(ScriptId(1)).unwrap().faults.is_empty())
        .map(|t| t.tick.0)
        .collect();
    // Back-off 20 ticks, then 40; the third fault disables.
    assert_eq!(faults, [0, 20, 60]);
    assert!(matches!(
        s.state(ScriptId(1)),
        Some(ScriptState::Disabled { .. })
    ));
}

#[test]
fn the_same_workload_gives_the_same_schedule() {
    let make = || {
        let mut s = WorldScriptScheduler::new(WorldScriptLimits::default());
        let mut w = Workload::default();
        for id in 0..40 {
            s.register(script(id, (id * 7) % 11, 0.5 + f64::from(id % 4)))
                .unwrap();
            w.add(
                id,
                match id % 4 {
                    0 => Behaviour::Endless,
                    1 => Behaviour::Traps(90_000),
                    _ => Behaviour::EveryTick(20_000 * u64::from(id % 5 + 1)),
                },
            );
        }
        let ticks = run(&mut s, &mut w, 200);
        (ticks, w.log)
    };
    assert_eq!(make(), make());
}

#[test]
fn a_world_takes_at_most_its_limit_of_scripts_and_each_id_once() {
    let mut s = WorldScriptScheduler::new(WorldScriptLimits {
        max_total_cpu_ms: 8.0,
        max_scripts: 2,
    });
    s.register(script(1, 0, 1.0)).unwrap();
    assert_eq!(
        s.register(script(1, 0, 1.0)),
        Err(RegisterError::Duplicate(1))
    );
    s.register(script(2, 0, 1.0)).unwrap();
    assert_eq!(
        s.register(script(3, 0, 1.0)),
        Err(RegisterError::TooMany(2))
    );
    assert!(s.unregister(ScriptId(1)));
    s.register(script(3, 0, 1.0)).unwrap();
}

#[test]
fn equal_priorities_share_the_budget_and_none_is_faulted_for_being_starved() {
    let policy = SchedulerPolicy::default();
    let mut s = WorldScriptScheduler::new(WorldScriptLimits::default());
    let mut w = Workload::default();
    // Eight CPU-hungry scripts of one priority, each wanting its whole 2 ms cap every tick:
    // twice the world's 8 ms budget between them. Four of them never finish a handler.
    for id in 1..=8 {
        s.register(script(id, 40, 2.0)).unwrap();
        w.add(
            id,
            if id % 2 == 0 {
                Behaviour::Endless
            } else {
                Behaviour::EveryTick(3 * 8_000_000)
            },
        );
    }
    let ticks = run(&mut s, &mut w, 120);
    for t in &ticks {
        for u in &t.scripts {
            assert!(
                u.faults.is_empty(),
                "tick {:?}: {:?} faulted: {:?}",
                t.tick,
                u.id,
                u.faults
            );
        }
    }
    // Over any 10 ticks, each gets at least an eighth of what their priority was given, less
    // one slice.
    let slice = policy.slice_for((2.0 * policy.fuel_per_ms as f64) as u64);
    for window in ticks.windows(10) {
        let given: u64 = window.iter().map(|t| t.fuel_used).sum();
        for id in 1..=8 {
            let got: u64 = window
                .iter()
                .map(|t| t.script(ScriptId(id)).unwrap().fuel_used)
                .sum();
            assert!(
                got + slice >= given / 8,
                "script {id} got {got} of {given} in ticks {:?}..",
                window[0].tick
            );
        }
    }
}

#[test]
fn a_script_that_arrives_late_in_a_group_brings_no_credit() {
    let mut s = WorldScriptScheduler::new(WorldScriptLimits::default());
    let mut w = Workload::default();
    for id in 1..=4 {
        s.register(script(id, 10, 4.0)).unwrap();
        w.add(id, Behaviour::Endless);
    }
    run(&mut s, &mut w, 30);
    // A fifth busy script of the same priority joins: from its first tick it gets no more
    // than any other member (it did not run for 30 ticks, but was not in the group either).
    s.register(script(5, 10, 4.0)).unwrap();
    w.add(5, Behaviour::Endless);
    let ticks = run(&mut s, &mut w, 20);
    for t in &ticks {
        let newcomer = t.script(ScriptId(5)).unwrap().fuel_used;
        let most = (1..=4)
            .map(|id| t.script(ScriptId(id)).unwrap().fuel_used)
            .max()
            .unwrap();
        let slice = SchedulerPolicy::default().slice_for((4.0 * 4_000_000.0) as u64);
        assert!(
            newcomer <= most + slice,
            "tick {:?}: the newcomer got {newcomer}, the others at most {most}",
            t.tick
        );
    }
}
