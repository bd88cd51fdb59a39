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
//! **Time is world time**: a world advances in fixed ticks ([`TICKS_PER_SECOND`]); rates "per
//! second" are refilled by ticks. **CPU is fuel**, converted to milliseconds at one documented
//! rate ([`DEFAULT_FUEL_PER_MS`]), so a schedule is deterministic and replays tick for tick.

pub mod limits;
pub mod rate;
pub mod schedule;

pub use schedule::SliceEnd;

pub use limits::{
    DEFAULT_FUEL_PER_MS, DEFAULT_PER_SCRIPT_MEMORY_BYTES, SchedulerPolicy, ScriptResourceLimits,
    TICKS_PER_SECOND, WorldScriptLimits,
};
pub use rate::RateLimiter;
pub use schedule::{
    RegisterError, ScriptDescriptor, ScriptId, ScriptState, ScriptUsage, SliceOutcome, SliceRunner,
    TickUsageResult, WorldScriptScheduler, WorldTick,
};
