//! Running the studio's own binary from an integration test, as a user runs it: from the
//! repository's root, its output kept.

use std::process::{Command, Output};

/// Runs `creator-studio ARGS` from the repository's root and returns what it printed.
pub fn studio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}
