//! Creator Studio, the application: the editor window ([`studio`]) over the headless core
//! (`aether-scripting`, `mc-tactical-types`). The command-line tools live in the binary
//! (`src/cli.rs`); both call the same core.
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod about;
pub mod samples;
pub mod studio;
