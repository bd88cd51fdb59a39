//! # aether-sample-world — the world Creator Studio runs world scripts against
//!
//! A real world, small: a fixed-step 2D world (20 ticks a second) on a tile map with the
//! tactical game's terrain, its entities in an ECS (`hecs`), their bodies and collisions from a
//! physics engine (`rapier2d`, deterministic), simulated players who join, leave and talk,
//! areas, timers, positioned sounds, and per-script storage in an embedded database (`redb`)
//! committed once per tick. It implements the six API traits of `aether_world`, so
//! scripts run here exactly as they would in the game, under the same runtime and caps.
//!
//! * [`scene`]: the human-editable scene file (map rows, entities, players, areas, timers,
//!   scripts with priority and limits) and its checks; `assets/worlds/` holds samples.
//! * [`world`]: [`SampleWorld`], the world and its API; the order of a tick's events; the hash.
//! * [`physics`]: the rapier2d side (terrain colliders, discs, collision pairs).
//! * [`storage`]: script storage in redb, one table per script, one commit per tick.
//! * [`run`]: [`WorldRun`], a scene and its scripts on the world-script runtime, tick by tick,
//!   each with a [`TickReport`].
//! * [`report`]: a tick report as text and as JSON (what `creator-studio world run` prints).
//!
//! ```no_run
//! use aether_sample_world::{Scene, Storage, WorldRun};
//!
//! let scene = Scene::load("assets/worlds/village.json".as_ref())?;
//! let mut run = WorldRun::new(&scene, Vec::new(), Storage::in_memory()?)?;
//! for _ in 0..scene.ticks {
//!     let report = run.tick()?;
//!     println!("{}", aether_sample_world::report::text(&report, run.scripts()));
//! }
//! # Ok::<(), aether_sample_world::run::WorldError>(())
//! ```
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![deny(missing_docs)]

pub mod hash;
pub mod physics;
pub mod report;
pub mod run;
pub mod scene;
pub mod setup;
pub mod storage;
pub mod world;

pub use run::{ScriptInfo, ScriptSpec, TickReport, WorldError, WorldOptions, WorldRun};
pub use scene::{Scene, SceneError};
pub use setup::{SetupError, SetupScript, WorldSetup};
pub use storage::{Storage, StorageError};
pub use world::{SampleWorld, TickLog};
