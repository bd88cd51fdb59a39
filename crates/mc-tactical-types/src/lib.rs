//! # mc-tactical-types — the Magic Civilization tactical wire contract
//!
//! This crate is what an AI-controller mod and the game host agree on, byte for byte:
//!
//! * the **wire types** ([`TacticalState`] in, `Vec<`[`Action`]`>` out), serialised with
//!   [postcard](https://docs.rs/postcard). Field order is wire order: never reorder, never insert a
//!   field in the middle of a struct. The first field of [`TacticalState`] is
//!   [`schema`](TacticalState::schema), the version of this wire format ([`SCHEMA_VERSION`]); a host
//!   refuses a mod built against a schema major version it cannot serve.
//! * the **authoritative rules** in [`rules`]: validate an action and say why it is invalid, apply it,
//!   the per-turn bookkeeping, visibility, round advance, elimination and victory. They are pure
//!   functions over the state (no I/O, no clocks, no randomness), so a Rust mod can run exactly the
//!   simulation the host runs.
//!
//! The crate is `no_std` + `alloc` and depends on `serde` only, so it builds for
//! `wasm32-unknown-unknown` inside a mod.
//!
//! ```
//! use mc_tactical_types::{Action, TacticalState, rules};
//!
//! // The empty reply is a single byte: the length prefix 0.
//! let empty: Vec<Action> = Vec::new();
//! assert_eq!(postcard::to_allocvec(&empty).unwrap(), [0x00]);
//! ```
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![no_std]
#![deny(missing_docs)]

extern crate alloc;

mod action;
pub mod rules;
mod state;
mod stats;

pub use action::{Action, Spell};
pub use state::{Player, Pos, TacticalState, Terrain, TileMap, Unit, UnitKind};
pub use stats::UnitStats;

/// The version of the wire format this crate speaks, sent as [`TacticalState::schema`].
///
/// It changes whenever the postcard layout of [`TacticalState`] or [`Action`] changes. Postcard is
/// not self-describing, so a guest reading a state of another layout would misread every byte after
/// the first difference; the host therefore checks this number (and the crate version recorded in
/// a mod's manifest) before it runs a mod.
pub const SCHEMA_VERSION: u16 = 1;

/// Version of this crate, as recorded in a mod's manifest (`"mc_tactical_types": "1.0.0"`).
///
/// The major component must equal the host's for the host to load a mod.
pub const CRATE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The most mana a player can hold.
pub const MAX_MANA: u16 = 10;
