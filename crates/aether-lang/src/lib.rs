//! # aether-lang — the visual-script language
//!
//! The first stages of Creator Studio's pipeline, with no WebAssembly in them: what a graph is
//! and how it is saved ([`graph`]), every node kind as data ([`catalog`]), every problem found at
//! once ([`check`]), and what a graph means ([`interp`], the reference interpreter of both script
//! kinds, which the compiled module must match byte for byte). Around them: the editor's edits
//! that are more than one change ([`edit`], [`make_function`]), Find ([`find`]), the sample
//! states graphs run on ([`scenario`]), the identity every module announces ([`identity`]), the
//! world-script imports as the interpreter calls them ([`imports`]), and the explanations read
//! from a trace ([`explain`]: why a node did not act, the debugger's cursor).
//!
//! Module order, lowest first (each uses only those before it): `identity`, `graph` →
//! `catalog` → `value` → `wiring` → `check` → `imports` → `interp` → `diff`, `edit`, `find`,
//! `make_function`, `explain`, `scenario` (`tests/architecture.rs` keeps every crate's modules
//! free of cycles).
//!
//! **Architecture Invariant:** no WebAssembly crate (wasmtime, wasm-encoder, wasmparser) is a
//! dependency; the language is defined and tested without compiling or running a module.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod catalog;
pub mod check;
pub mod diff;
pub mod edit;
pub mod explain;
pub mod find;
pub mod graph;
pub mod identity;
pub mod imports;
pub mod interp;
pub mod make_function;
pub mod scenario;
pub mod tune;
pub mod value;
pub mod wiring;

pub use graph::{Node as VisualScriptNode, VisualScriptGraph};
pub use identity::Identity;
pub use scenario::{Scenario, ScenarioError};
