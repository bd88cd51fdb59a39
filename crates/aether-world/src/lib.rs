//! # aether-world — world scripts' limits, rates and schedule (seed 000), as pure policy
//!
//! The part of the world-script runtime that is data and policy, with no WebAssembly engine in
//! it, so it is tested as plain functions and any engine can sit under it:
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
//!   [`SliceRunner`] runs the slices (`aether_host::world`'s wasmtime runtime, or any engine).
//! * [`api`]: the six traits a world implements ([`EntityApi`], [`PhysicsApi`], [`AudioApi`],
//!   [`NetworkApi`], [`StorageApi`], [`UIApi`]); the runtime knows the world only through them.
//! * [`calls`]: [`ScriptCalls`], one script's side of the `"aether"` imports: every call checked
//!   against the script's limits and rates before it reaches the world (the language's
//!   `ImportCalls`, which the reference interpreter calls too, so both get the same answers).
//! * [`journal`]: what a script did, written down as it ran, for the debugger.
//!
//! **Time is world time**: a world advances in fixed ticks ([`TICKS_PER_SECOND`]); rates "per
//! second" are refilled by ticks. **CPU is fuel**, converted to milliseconds at one documented
//! rate ([`DEFAULT_FUEL_PER_MS`]), so a schedule is deterministic and replays tick for tick.
//!
//! **Architecture Invariant:** no WebAssembly engine and no world implementation (physics,
//! database) is a dependency of this crate.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod calls;
pub mod journal;
pub mod limits;
pub mod rate;
pub mod schedule;

pub use api::{AudioApi, EntityApi, NetworkApi, PhysicsApi, StorageApi, UIApi, WorldApi};
pub use calls::{ScriptCalls, SharedWorld};
pub use limits::{
    DEFAULT_FUEL_PER_MS, DEFAULT_PER_SCRIPT_MEMORY_BYTES, HostCosts, LimitRequest, SchedulerPolicy,
    ScriptResourceLimits, TICKS_PER_SECOND, WorldScriptLimits,
};
pub use rate::RateLimiter;
pub use schedule::{
    RegisterError, ScriptDescriptor, ScriptId, ScriptState, ScriptUsage, SliceEnd, SliceOutcome,
    SliceRunner, TickUsageResult, WorldScriptScheduler, WorldTick,
};
