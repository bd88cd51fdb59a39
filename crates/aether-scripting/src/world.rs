//! World scripts (seed 000): the runtime that runs scripts every tick inside a live world, each
//! under its own resource caps, scheduled by priority with aging inside a world-wide CPU budget.
//!
//! This module is being built in stages (see ARCHITECTURE.md). Present:
//!
//! * [`limits`]: [`ScriptResourceLimits`] per script and [`WorldScriptLimits`] per world, with
//!   the seed's names and defaults, and the [`SchedulerPolicy`] numbers the seed leaves open.
//! * [`rate`]: [`RateLimiter`], a token bucket refilled by world ticks, never by the wall clock,
//!   so a world replays identically.
//! * [`schedule`]: [`WorldScriptScheduler`], the per-tick policy: which script runs next
//!   (effective priority = priority + aging × ticks waited), in slices of a fixed fuel quantum,
//!   within each script's and the world's budget; handlers suspended across ticks and cancelled
//!   after a documented number; faults answered with back-off and, when repeated, disabling. It
//!   is a function of the scripts, the limits and the fuel each slice used: no clock inside. A
//!   [`SliceRunner`] runs the slices (the wasmtime runtime, or any engine).
//!
//! The seed's snippets, as they compile today (the scheduler's `tick` takes the runner that
//! executes slices; here one whose scripts have nothing to do):
//!
//! ```
//! use aether_scripting::world::{SliceOutcome, SliceRunner};
//! use aether_scripting::{
//!     DEFAULT_PER_SCRIPT_MEMORY_BYTES, RateLimiter, ScriptDescriptor, ScriptId,
//!     ScriptResourceLimits, TickUsageResult, WorldScriptLimits, WorldScriptScheduler, WorldTick,
//! };
//!
//! let limits = WorldScriptLimits {
//!     max_total_cpu_ms: 8.0,
//!     max_scripts: 256,
//! };
//! let mut scheduler = WorldScriptScheduler::new(limits);
//!
//! let limits = ScriptResourceLimits {
//!     max_memory_bytes: DEFAULT_PER_SCRIPT_MEMORY_BYTES,
//!     max_cpu_ms_per_tick: 2.0,
//!     max_entity_spawns_per_second: 10,
//!     max_network_rpcs_per_second: 5,
//!     ..ScriptResourceLimits::default()
//! };
//!
//! let mut limiter = RateLimiter::new(10); // 10 actions per second
//! assert!(limiter.try_acquire());
//!
//! scheduler
//!     .register(ScriptDescriptor {
//!         id: ScriptId(1),
//!         priority: 10,
//!         resource_limits: limits,
//!     })
//!     .unwrap();
//!
//! struct Idle;
//! impl SliceRunner for Idle {
//!     fn has_work(&self, _: ScriptId) -> bool { false }
//!     fn run_slice(&mut self, _: ScriptId, _: u64) -> SliceOutcome { unreachable!() }
//!     fn reset(&mut self, _: ScriptId) {}
//! }
//! let result: TickUsageResult = scheduler.tick(&mut Idle);
//! assert_eq!((result.tick, result.fuel_used), (WorldTick(0), 0));
//! ```
//!
//! **Time is world time**: a world advances in fixed ticks ([`TICKS_PER_SECOND`]); rates "per
//! second" are refilled by ticks. **CPU is fuel**, converted to milliseconds at one documented
//! rate ([`DEFAULT_FUEL_PER_MS`]), so a schedule is deterministic and replays tick for tick.

pub mod api;
pub mod calls;
pub mod journal;
pub mod limits;
pub mod rate;
pub mod runtime;
pub mod schedule;

pub use schedule::SliceEnd;

pub use api::{AudioApi, EntityApi, NetworkApi, PhysicsApi, StorageApi, UIApi, WorldApi};
pub use calls::{ImportCalls, ScriptCalls, SharedWorld};
pub use limits::{
    DEFAULT_FUEL_PER_MS, DEFAULT_PER_SCRIPT_MEMORY_BYTES, LimitRequest, SchedulerPolicy,
    ScriptResourceLimits, TICKS_PER_SECOND, WorldScriptLimits,
};
pub use rate::RateLimiter;
pub use runtime::{ScriptRuntime, ScriptSet, world_engine};
pub use schedule::{
    RegisterError, ScriptDescriptor, ScriptId, ScriptState, ScriptUsage, SliceOutcome, SliceRunner,
    TickUsageResult, WorldScriptScheduler, WorldTick,
};
