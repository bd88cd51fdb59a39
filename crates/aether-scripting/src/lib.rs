//! # aether-scripting — the seed's names in one place
//!
//! Seed 000 names one crate, `aether-scripting`, for the WebAssembly scripting runtime: per-script
//! resource caps, rate limiting, priority scheduling with aging, the sandboxed API surface and
//! the compilation of visual scripts. Creator Studio builds it as a crate per stage of the
//! pipeline, each depending only on the stages below it (ARCHITECTURE.md draws the graph):
//!
//! | crate | stage |
//! | --- | --- |
//! | [`lang`] (`aether-lang`) | graph, catalog, checker, reference interpreter, sample states |
//! | [`world`] (`aether-world`) | world scripts' limits, rates, scheduler, the six API traits |
//! | [`compile`] (`aether-compile`) | IR and WebAssembly emission |
//! | [`host`] (`aether-host`) | everything wasmtime: the controller host, the world runtime |
//! | [`debug`] (`aether-debug`) | fuel per node, traced turns, journals played back |
//! | [`mods`] (`aether-mods`) | mod folders as the game loads them |
//! | [`duel`] (`aether-duel`) | duels, batches, tournaments, replays |
//!
//! This crate is their facade for a game that wants one import path: each stage under its
//! name, and the seed's names at the root, where the seed's snippets find them. It holds no
//! code of its own; its tests are the pipeline's end-to-end tests (a graph compiled and run
//! through the host against the reference interpreter).
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
//! And its visual-script compilation (an empty graph has no On Turn, so the checker refuses it
//! with every problem at once):
//!
//! ```
//! use aether_scripting::{CompileError, VisualScriptCompiler, VisualScriptGraph};
//!
//! let graph = VisualScriptGraph::new();
//! let result = VisualScriptCompiler::compile(&graph);
//! assert!(matches!(result, Err(CompileError::Diagnostics(d)) if !d.is_empty()));
//! ```
//!
//! **Architecture Invariant:** no crate of the core (this one included) depends on egui,
//! eframe, rfd or clap.

pub use aether_compile as compile;
pub use aether_debug as debug;
pub use aether_duel as duel;
pub use aether_host as host;
pub use aether_lang as lang;
pub use aether_mods as mods;
pub use aether_world as world;

pub use aether_compile::{
    CompilationProfile, CompileError, ScriptArtifact, ScriptLanguage, VisualScriptCompiler,
};
pub use aether_host::world::ScriptRuntime;
pub use aether_host::{
    Controller, ControllerHost, ControllerLimits, ControllerSession, LoadError, TurnOutcome,
    TurnReport,
};
pub use aether_lang::{Scenario, ScenarioError, VisualScriptGraph, VisualScriptNode};
pub use aether_world::{
    AudioApi, DEFAULT_PER_SCRIPT_MEMORY_BYTES, EntityApi, NetworkApi, PhysicsApi, RateLimiter,
    ScriptDescriptor, ScriptId, ScriptResourceLimits, ScriptState, StorageApi, TickUsageResult,
    UIApi, WorldScriptLimits, WorldScriptScheduler, WorldTick,
};
