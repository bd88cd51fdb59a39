//! `creator-studio`: the Creator Studio application.
//!
//! A thin binary: with no command (or `edit`) it opens the studio window; otherwise arguments are
//! parsed into plain values ([`cli::Cli`]), then each command calls the headless core
//! (`aether-scripting`, `mc-tactical-types`) and prints what it returns.
#![warn(clippy::unwrap_used, clippy::expect_used)]

use std::process::ExitCode;

use clap::Parser as _;

mod cli;

fn main() -> ExitCode {
    // Started by the controller host as its compile worker: compile one module and exit.
    aether_host::serve_compile_worker();
    let args = cli::Cli::parse();
    if let Some(opts) = args.studio_options() {
        return match creator_studio::studio::run(opts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!(
                    "error: {}",
                    aether_base::text::escape_output(&e.to_string())
                );
                ExitCode::FAILURE
            }
        };
    }
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            if let Some(graph) = err.downcast_ref::<cli::GraphErrors>() {
                for line in graph.warnings.iter().chain(&graph.lines) {
                    eprintln!("{}", aether_base::text::escape_output(line));
                }
            }
            eprintln!(
                "error: {}",
                aether_base::text::escape_output(&chain_words(&err))
            );
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes on one line, each cause once: most of our errors already say their
/// cause in their own words ("cannot read the file: there is no such file (…)"), so a cause
/// whose words are already there is not repeated.
fn chain_words(err: &anyhow::Error) -> String {
    let mut out = err.to_string();
    for cause in err.chain().skip(1) {
        let words = cause.to_string();
        if !out.contains(&words) {
            out.push_str(": ");
            out.push_str(&words);
        }
    }
    out
}
