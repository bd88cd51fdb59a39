//! # aether-base — what every stage of the core shares
//!
//! The bottom of Creator Studio's core, below the language: small helpers with no knowledge of
//! graphs, WebAssembly or the game. [`text`] makes text that came from a file safe to show (no
//! raw control character reaches a terminal or the window); [`fsutil`] reads files from outside
//! only when they are regular, unlinked and small enough, and writes saves atomically;
//! [`jsonfmt`] writes the one-item-per-line JSON of the studio's file formats; [`fasthash`] is
//! the fixed hash of the compiler's and checker's lookup tables.
//!
//! **Architecture Invariant:** this crate depends on no other crate of the workspace.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod fasthash;
pub mod fsutil;
pub mod jsonfmt;
pub mod text;
