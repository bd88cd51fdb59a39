//! The numbers a world script runs under: per script, per world, and the scheduler's policy.

/// World ticks per second of world time.
pub const TICKS_PER_SECOND: u32 = 20;

/// Memory a world script may use by default: 16 MiB (its linear memory and tables together, as
/// for AI controllers).
pub const DEFAULT_PER_SCRIPT_MEMORY_BYTES: u64 = 16 * 1024 * 1024;

/// Fuel that counts as one millisecond of CPU. Wasmtime's fuel counts WebAssembly operators; on
/// the 2-core reference machine compiled script code executes 4.4 million a millisecond in a
/// tight loop and about 5.9 million in the reference AI controller (BENCHMARKS.md, "World
/// scripts"); this is the lower figure, rounded down. Budgets in milliseconds are converted with
/// this one rate, so a schedule does not depend on how fast the machine running it is.
pub const DEFAULT_FUEL_PER_MS: u64 = 4_000_000;

/// The resource budget of one script instance. [`Default`] gives the world's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptResourceLimits {
    /// Linear memory and tables together, in bytes.
    pub max_memory_bytes: u64,
    /// CPU per tick, in milliseconds of fuel (see [`DEFAULT_FUEL_PER_MS`]).
    pub max_cpu_ms_per_tick: f64,
    /// Entities the script may spawn per second of world time.
    pub max_entity_spawns_per_second: u32,
    /// Network RPCs (messages to players) per second of world time.
    pub max_network_rpcs_per_second: u32,
    /// Bytes of RPC payload per second of world time.
    pub max_network_bytes_per_second: u32,
    /// Storage writes per second of world time.
    pub max_storage_writes_per_second: u32,
    /// Bytes the script may keep in storage (keys and values).
    pub max_storage_bytes: u64,
    /// UI calls (messages, objectives and markers together) per second of world time.
    pub max_ui_messages_per_second: u32,
    /// Bytes of UI text per second of world time.
    pub max_ui_bytes_per_second: u32,
    /// Sounds played per second of world time.
    pub max_sounds_per_second: u32,
}

impl Default for ScriptResourceLimits {
    fn default() -> Self {
        Self {
            max_memory_bytes: DEFAULT_PER_SCRIPT_MEMORY_BYTES,
            max_cpu_ms_per_tick: 2.0,
            max_entity_spawns_per_second: 10,
            max_network_rpcs_per_second: 5,
            max_network_bytes_per_second: 4096,
            max_storage_writes_per_second: 10,
            max_storage_bytes: 1024 * 1024,
            max_ui_messages_per_second: 20,
            max_ui_bytes_per_second: 4096,
            max_sounds_per_second: 20,
        }
    }
}

impl ScriptResourceLimits {
    /// The per-tick CPU cap in fuel at `fuel_per_ms`.
    pub fn fuel_per_tick(&self, fuel_per_ms: u64) -> u64 {
        ms_to_fuel(self.max_cpu_ms_per_tick, fuel_per_ms)
    }
}

/// Per-script limits a scene or a world-script mod asks for. Each absent field keeps what the
/// world grants; a script may ask for less than the grant, never more.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitRequest {
    /// See [`ScriptResourceLimits::max_memory_bytes`].
    pub max_memory_bytes: Option<u64>,
    /// See [`ScriptResourceLimits::max_cpu_ms_per_tick`].
    pub max_cpu_ms_per_tick: Option<f64>,
    /// See [`ScriptResourceLimits::max_entity_spawns_per_second`].
    pub max_entity_spawns_per_second: Option<u32>,
    /// See [`ScriptResourceLimits::max_network_rpcs_per_second`].
    pub max_network_rpcs_per_second: Option<u32>,
    /// See [`ScriptResourceLimits::max_network_bytes_per_second`].
    pub max_network_bytes_per_second: Option<u32>,
    /// See [`ScriptResourceLimits::max_storage_writes_per_second`].
    pub max_storage_writes_per_second: Option<u32>,
    /// See [`ScriptResourceLimits::max_storage_bytes`].
    pub max_storage_bytes: Option<u64>,
    /// See [`ScriptResourceLimits::max_ui_messages_per_second`].
    pub max_ui_messages_per_second: Option<u32>,
    /// See [`ScriptResourceLimits::max_ui_bytes_per_second`].
    pub max_ui_bytes_per_second: Option<u32>,
    /// See [`ScriptResourceLimits::max_sounds_per_second`].
    pub max_sounds_per_second: Option<u32>,
}

impl ScriptResourceLimits {
    /// The limits in plain words, for people who do not program.
    pub fn plain_words(&self) -> String {
        format!(
            "{} ms of CPU a tick, {} MiB of memory, {} spawns, {} messages ({} bytes) and {} storage writes a second, {} KiB of storage, {} UI texts ({} bytes) and {} sounds a second",
            self.max_cpu_ms_per_tick,
            self.max_memory_bytes / (1024 * 1024),
            self.max_entity_spawns_per_second,
            self.max_network_rpcs_per_second,
            self.max_network_bytes_per_second,
            self.max_storage_writes_per_second,
            self.max_storage_bytes / 1024,
            self.max_ui_messages_per_second,
            self.max_ui_bytes_per_second,
            self.max_sounds_per_second,
        )
    }
}

impl LimitRequest {
    /// The fields asked for, as `"name": value` pairs in declaration order (for a manifest).
    pub fn to_json_fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut put = |name: &str, v: Option<String>| {
            if let Some(v) = v {
                out.push(format!("\"{name}\": {v}"));
            }
        };
        put(
            "max_memory_bytes",
            self.max_memory_bytes.map(|v| v.to_string()),
        );
        put(
            "max_cpu_ms_per_tick",
            self.max_cpu_ms_per_tick
                .map(|v| serde_json::Value::from(v).to_string()),
        );
        put(
            "max_entity_spawns_per_second",
            self.max_entity_spawns_per_second.map(|v| v.to_string()),
        );
        put(
            "max_network_rpcs_per_second",
            self.max_network_rpcs_per_second.map(|v| v.to_string()),
        );
        put(
            "max_network_bytes_per_second",
            self.max_network_bytes_per_second.map(|v| v.to_string()),
        );
        put(
            "max_storage_writes_per_second",
            self.max_storage_writes_per_second.map(|v| v.to_string()),
        );
        put(
            "max_storage_bytes",
            self.max_storage_bytes.map(|v| v.to_string()),
        );
        put(
            "max_ui_messages_per_second",
            self.max_ui_messages_per_second.map(|v| v.to_string()),
        );
        put(
            "max_ui_bytes_per_second",
            self.max_ui_bytes_per_second.map(|v| v.to_string()),
        );
        put(
            "max_sounds_per_second",
            self.max_sounds_per_second.map(|v| v.to_string()),
        );
        out
    }

    /// The limits the script runs under: `grant`, lowered where the request asks. `Err` names
    /// every field that asks for more than the grant (or is not a usable number).
    pub fn apply(&self, grant: &ScriptResourceLimits) -> Result<ScriptResourceLimits, Vec<String>> {
        let mut out = grant.clone();
        let mut problems = Vec::new();
        fn take<T: PartialOrd + Copy + std::fmt::Display>(
            field: &str,
            asked: Option<T>,
            granted: T,
            slot: &mut T,
            problems: &mut Vec<String>,
        ) {
            if let Some(v) = asked {
                if v > granted {
                    problems.push(format!(
                        "`{field}` asks for {v}, but the world grants at most {granted}"
                    ));
                } else {
                    *slot = v;
                }
            }
        }
        take(
            "max_memory_bytes",
            self.max_memory_bytes,
            grant.max_memory_bytes,
            &mut out.max_memory_bytes,
            &mut problems,
        );
        if let Some(ms) = self.max_cpu_ms_per_tick
            && !(ms.is_finite() && ms > 0.0)
        {
            problems.push(format!(
                "`max_cpu_ms_per_tick` must be a positive number of milliseconds (found {ms})"
            ));
        } else {
            take(
                "max_cpu_ms_per_tick",
                self.max_cpu_ms_per_tick,
                grant.max_cpu_ms_per_tick,
                &mut out.max_cpu_ms_per_tick,
                &mut problems,
            );
        }
        take(
            "max_entity_spawns_per_second",
            self.max_entity_spawns_per_second,
            grant.max_entity_spawns_per_second,
            &mut out.max_entity_spawns_per_second,
            &mut problems,
        );
        take(
            "max_network_rpcs_per_second",
            self.max_network_rpcs_per_second,
            grant.max_network_rpcs_per_second,
            &mut out.max_network_rpcs_per_second,
            &mut problems,
        );
        take(
            "max_network_bytes_per_second",
            self.max_network_bytes_per_second,
            grant.max_network_bytes_per_second,
            &mut out.max_network_bytes_per_second,
            &mut problems,
        );
        take(
            "max_storage_writes_per_second",
            self.max_storage_writes_per_second,
            grant.max_storage_writes_per_second,
            &mut out.max_storage_writes_per_second,
            &mut problems,
        );
        take(
            "max_storage_bytes",
            self.max_storage_bytes,
            grant.max_storage_bytes,
            &mut out.max_storage_bytes,
            &mut problems,
        );
        take(
            "max_ui_messages_per_second",
            self.max_ui_messages_per_second,
            grant.max_ui_messages_per_second,
            &mut out.max_ui_messages_per_second,
            &mut problems,
        );
        take(
            "max_ui_bytes_per_second",
            self.max_ui_bytes_per_second,
            grant.max_ui_bytes_per_second,
            &mut out.max_ui_bytes_per_second,
            &mut problems,
        );
        take(
            "max_sounds_per_second",
            self.max_sounds_per_second,
            grant.max_sounds_per_second,
            &mut out.max_sounds_per_second,
            &mut problems,
        );
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

/// The budget of a whole world. [`Default`] gives the seed's values: 8 ms of scripts per tick,
/// at most 256 scripts.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldScriptLimits {
    /// CPU all scripts together may use per tick, in milliseconds of fuel.
    pub max_total_cpu_ms: f64,
    /// Scripts a world accepts.
    pub max_scripts: usize,
}

impl Default for WorldScriptLimits {
    fn default() -> Self {
        Self {
            max_total_cpu_ms: 8.0,
            max_scripts: 256,
        }
    }
}

/// How the scheduler shares a tick: the numbers the seed leaves open, documented and fixed.
/// [`Default`] gives the world's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulerPolicy {
    /// Fuel per millisecond (see [`DEFAULT_FUEL_PER_MS`]).
    pub fuel_per_ms: u64,
    /// Fuel of one slice at most: a script runs this much (or less, see
    /// [`slice_for`](Self::slice_for)) before the scheduler chooses again. The world budget is
    /// overrun by less than one quantum.
    pub quantum: u64,
    /// Priority a waiting script gains per tick it had work and did not run.
    pub aging: u32,
    /// Ticks a handler may stay suspended (unfinished when its share ran out) before it is
    /// cancelled, which is a fault.
    pub max_suspended_ticks: u32,
    /// Ticks a faulted script waits before its fresh instance gets events, after its first
    /// fault; each further fault in the window doubles it.
    pub backoff_ticks: u32,
    /// Faults within [`fault_window_ticks`](Self::fault_window_ticks) that disable a script.
    pub max_faults: u32,
    /// The window, in ticks, faults are counted in.
    pub fault_window_ticks: u64,
    /// What the host's own work for a script costs it, in fuel.
    pub host_costs: HostCosts,
}

/// Fuel the host charges a script for the work it does for it, beside the script's own
/// operators: so that a tick's fuel is the CPU its scripts really cost. Calibrated on the
/// 2-core reference machine against [`DEFAULT_FUEL_PER_MS`] (BENCHMARKS.md, "What a host call
/// costs"); `docs/world-script-abi.md` lists them for script authors. The world adds the fuel of
/// its own work for a call (entities walked, storage read) through
/// [`WorldApi::take_work`](crate::api::WorldApi::take_work).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostCosts {
    /// Each event delivered: placing it in the script's memory and the call of `on_event`.
    pub per_event: u64,
    /// Each import called: the crossing into the host and back, the checks, the lock.
    pub per_call: u64,
    /// Each KiB copied between the script's memory and the host (pointer arguments, answers).
    pub per_kib_copied: u64,
    /// The share of the world's own work for a call that is charged, in percent (100: all of
    /// what the world reports).
    pub world_work_percent: u64,
}

impl HostCosts {
    /// Nothing charged beside the script's own operators (how worlds accounted before these
    /// charges; for comparisons).
    pub const NONE: HostCosts = HostCosts {
        per_event: 0,
        per_call: 0,
        per_kib_copied: 0,
        world_work_percent: 0,
    };
}

impl Default for HostCosts {
    fn default() -> Self {
        Self {
            per_event: 3_000,
            per_call: 1_200,
            per_kib_copied: 400,
            world_work_percent: 100,
        }
    }
}

impl Default for SchedulerPolicy {
    fn default() -> Self {
        Self {
            fuel_per_ms: DEFAULT_FUEL_PER_MS,
            quantum: 250_000,
            aging: 1,
            max_suspended_ticks: 10,
            backoff_ticks: 20,
            max_faults: 3,
            fault_window_ticks: 20 * u64::from(TICKS_PER_SECOND),
            host_costs: HostCosts::default(),
        }
    }
}

impl SchedulerPolicy {
    /// The fixed slice of a script whose per-tick cap is `cap` fuel: the quantum, shrunk so that
    /// a whole number of slices makes the cap (`cap / ⌈cap / quantum⌉`), so a script never
    /// passes its cap. 0 when the cap is 0 (the script never runs).
    pub fn slice_for(&self, cap: u64) -> u64 {
        if cap == 0 || self.quantum == 0 {
            return 0;
        }
        cap / cap.div_ceil(self.quantum)
    }
}

/// Milliseconds of CPU as fuel at `fuel_per_ms` (rounded down; negative or NaN as 0).
pub fn ms_to_fuel(ms: f64, fuel_per_ms: u64) -> u64 {
    let fuel = ms * fuel_per_ms as f64;
    if fuel.is_finite() && fuel > 0.0 {
        fuel as u64
    } else {
        0
    }
}

/// Fuel as milliseconds of CPU at `fuel_per_ms`.
pub fn fuel_to_ms(fuel: u64, fuel_per_ms: u64) -> f64 {
    fuel as f64 / fuel_per_ms.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_make_the_cap_exactly_or_stay_under_it() {
        let p = SchedulerPolicy::default();
        assert_eq!(p.slice_for(8_000_000), 250_000);
        assert_eq!(p.slice_for(687_500), 229_166, "3 slices, 687,498 fuel");
        assert_eq!(
            p.slice_for(20_000),
            20_000,
            "a cap below the quantum is one slice"
        );
        assert_eq!(p.slice_for(0), 0);
        for cap in [1, 249_999, 250_001, 499_999, 5_000_003] {
            let slice = p.slice_for(cap);
            assert!(slice <= p.quantum && slice > 0);
            assert!(slice * cap.div_ceil(p.quantum) <= cap, "{cap}");
        }
        assert_eq!(ms_to_fuel(2.0, 4_000_000), 8_000_000);
        assert_eq!(ms_to_fuel(f64::NAN, 250_000), 0);
        assert_eq!(fuel_to_ms(125_000, 250_000), 0.5);
    }

    #[test]
    fn a_request_may_lower_the_grant_but_never_raise_it() {
        let grant = ScriptResourceLimits::default();
        let lower = LimitRequest {
            max_cpu_ms_per_tick: Some(0.5),
            max_storage_bytes: Some(1024),
            ..LimitRequest::default()
        };
        let got = lower.apply(&grant).unwrap();
        assert_eq!(
            (got.max_cpu_ms_per_tick, got.max_storage_bytes),
            (0.5, 1024)
        );
        assert_eq!(got.max_memory_bytes, grant.max_memory_bytes);
        let greedy = LimitRequest {
            max_entity_spawns_per_second: Some(1000),
            max_cpu_ms_per_tick: Some(f64::NAN),
            ..LimitRequest::default()
        };
        let problems = greedy.apply(&grant).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[1].contains("asks for 1000, but the world grants at most 10"));
    }
}
