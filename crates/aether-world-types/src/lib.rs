//! # aether-world-types — the world-script wire contract
//!
//! What a world script and the world host agree on, byte for byte, as `mc-tactical-types` is for
//! AI controllers:
//!
//! * [`WorldEvent`]: what the host hands `on_event(event_ptr, event_len)`, serialised with
//!   [postcard](https://docs.rs/postcard). Variant order and field order are wire order: never
//!   reorder, never insert in the middle; new events are added at the end (the enum is
//!   non-exhaustive, and scripts ignore indexes they do not know).
//!
//! Contract 2 (this crate 2.x) adds to contract 1 without changing a byte of it: the event
//! `ScriptMessage` (index 10, sent only to the script it is addressed to) and imports for kinds,
//! neighbours, velocities, rays, hit points, objectives, markers, broadcasts and messages between
//! scripts. A script built against 1.x runs unchanged.
//! Contract 2.1 (this crate 2.1) lets a script say which events it answers ([`EVENTS_SECTION`],
//! [`EventMask`]): the world then delivers it only those. A script without the section receives
//! every event, as under 2.0.
//! * the values the `"aether"` imports exchange ([`EntityId`], [`PlayerId`], [`AreaId`],
//!   [`TimerId`], [`Vec2`]) and their return codes ([`CallCode`]): every refused call tells the
//!   script why, as a negative `i32`.
//!
//! `no_std` + `alloc`, depending on `serde` only, so a script built for
//! `wasm32-unknown-unknown` pins this crate. `docs/world-script-abi.md` is the full contract.
//!
//! ```
//! use aether_world_types::{EntityId, WorldEvent};
//!
//! // The first event every script gets: a single byte, the variant index 0.
//! assert_eq!(postcard::to_allocvec(&WorldEvent::Start).unwrap(), [0x00]);
//! let bytes = postcard::to_allocvec(&WorldEvent::EntityDestroyed { entity: EntityId(300) }).unwrap();
//! assert_eq!(bytes, [0x04, 0xac, 0x02]);
//! ```
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![no_std]
#![deny(missing_docs)]

extern crate alloc;

mod code;
mod event;
mod events;

pub use code::CallCode;
pub use event::{AreaId, EntityId, PlayerId, TimerId, Vec2, WorldEvent};
pub use events::{EVENTS_SECTION, EventMask};

/// The version of the world-script contract this crate speaks: a different major version
/// changes the wire layout or the imports, and a host refuses a script built against a major
/// version it cannot serve.
pub const ABI_VERSION: u16 = 2;

/// This crate's version, which a world-script mod's manifest records.
pub const CRATE_VERSION: &str = env!("CARGO_PKG_VERSION");
