//! Shared by the integration tests above the language (the host's, the debugger's, the mods',
//! the duels', the pipeline's end-to-end tests, the application's and the benchmark): everything
//! of `base.rs`, one host per test process, and the generators of hostile modules, random graphs
//! and a small world. The language's own tests take `base.rs` alone.
#![allow(dead_code)]

pub mod base;
pub mod hostile;
pub mod random;
pub mod world;

#[allow(unused_imports)]
pub use base::*;

use std::sync::OnceLock;

use aether_host::{ControllerHost, ControllerLimits};

/// One host with the game's default caps, shared by all tests of a process.
pub fn host() -> &'static ControllerHost {
    static HOST: OnceLock<ControllerHost> = OnceLock::new();
    HOST.get_or_init(|| ControllerHost::new(ControllerLimits::default()).unwrap())
}
