//! Command-line interface: argument definitions and dispatch to the core.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

mod show;

const COMING: &str = "\
Commands on the way (see the issues in the tracker):
  run       run an AI mod, a .wasm module or a graph on a state and report the turn
  compile   check a visual-script graph and compile it to WebAssembly
  export    write a graph as an installable mod folder (manifest.json + .wasm)
  install   export straight into the game's mods directory
  validate  load a mod folder exactly as the game does and play it on the sample states
  scan      list the mods the game would register from a mods directory
  sign      sign a native mod binary with a publisher key
  bench     measure compiled graphs against hand-written Rust controllers";

/// Creator Studio: build Magic Civilization AIs as node graphs, watch them play, publish them as mods.
#[derive(Debug, Parser)]
#[command(name = "creator-studio", version, after_help = COMING)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect game states and scenarios.
    #[command(subcommand)]
    State(StateCommand),
}

#[derive(Debug, Subcommand)]
enum StateCommand {
    /// Print a state or scenario file as a map with a legend, or say exactly what is wrong with it.
    Show {
        /// The state or scenario file (JSON), e.g. assets/states/skirmish.json.
        file: PathBuf,
        /// List every unit, even on large states (by default only up to 60 are listed).
        #[arg(long)]
        units: bool,
        /// Never colour the output (also when NO_COLOR is set or output is not a terminal).
        #[arg(long)]
        no_color: bool,
    },
}

/// Runs the parsed command line; errors are printed by `main`.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => {
            Cli::command().print_help()?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::State(StateCommand::Show {
            file,
            units,
            no_color,
        })) => {
            let scenario = aether_scripting::scenario::Scenario::load(&file)?;
            let options = show::Options {
                all_units: units,
                color: !no_color && show::color_wanted(),
            };
            print!("{}", show::render(&scenario, &options));
            Ok(ExitCode::SUCCESS)
        }
    }
}
