//! # aether-scripting — the headless core of Creator Studio
//!
//! Everything the studio does, without a window: sample states and scenarios, and (as the
//! pipeline grows) the visual-script graph, its checker and compiler to WebAssembly, the sandboxed
//! controller host and mod loading. The GUI and the CLI are thin layers over this crate.
//!
//! **Architecture Invariant:** this crate never depends on egui, eframe, rfd or clap.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod catalog;
pub mod check;
pub mod compile;
pub mod debug;
pub mod duel;
mod fasthash;
pub mod fsutil;
pub mod graph;
pub mod host;
pub mod interp;
mod jsonfmt;
pub mod mods;
pub mod scenario;
pub mod text;
mod wiring;
pub mod world;

pub use compile::{
    CompilationProfile, CompileError, ScriptArtifact, ScriptLanguage, VisualScriptCompiler,
};
pub use graph::{Node as VisualScriptNode, VisualScriptGraph};
pub use host::{
    Controller, ControllerHost, ControllerLimits, ControllerSession, LoadError, TurnOutcome,
    TurnReport,
};
pub use scenario::{Scenario, ScenarioError};
pub use world::{
    AudioApi, DEFAULT_PER_SCRIPT_MEMORY_BYTES, EntityApi, NetworkApi, PhysicsApi, RateLimiter,
    ScriptDescriptor, ScriptId, ScriptResourceLimits, ScriptState, StorageApi, TickUsageResult,
    UIApi, WorldScriptLimits, WorldScriptScheduler, WorldTick,
};
