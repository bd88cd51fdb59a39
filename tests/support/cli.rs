//! Running the studio's own binary from an integration test, as a user runs it: from the
//! repository's root, its output kept.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `creator-studio ARGS` from the repository's root and returns what it printed.
pub fn studio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

/// A process's output as text, for messages.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh, empty folder for one test: `cs-PREFIX-NAME-PID` in the temporary folder.
pub fn scratch(prefix: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cs-{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
