//! Command-line interface: argument definitions and dispatch to the core.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

mod compile;
mod run;
mod show;

pub use compile::GraphErrors;

const COMING: &str = "\
Commands on the way (see the issues in the tracker):
  export    write a graph as an installable mod folder (manifest.json + .wasm)
  install   export straight into the game's mods directory
  validate  load a mod folder exactly as the game does and play it on the sample states
  scan      list the mods the game would register from a mods directory
  sign      sign a native mod binary with a publisher key

Benchmarks: cargo bench --bench studio (see BENCHMARKS.md)";

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
    /// Play one turn of an AI controller (a .wasm module, a mod folder, or a graph file, which is
    /// compiled first) on a state, under the game's caps, and report what it proposed and what
    /// the rules accepted.
    ///
    /// Exit status: 0 when the turn succeeded, 2 when the controller failed its turn (out of fuel,
    /// trap…; the report says why), 1 when the module or state could not be used at all.
    Run {
        /// A .wasm (or .wat) module, a mod folder holding one, or a *.mcgraph.json graph.
        module: PathBuf,
        /// The state or scenario file to play on.
        #[arg(long)]
        state: PathBuf,
        /// The player slot the controller plays.
        #[arg(long, default_value_t = 0)]
        slot: u8,
        /// The seed passed to the controller.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Print one JSON object instead of the readable report.
        #[arg(long)]
        json: bool,
    },
    /// Check a visual-script graph (*.mcgraph.json) and compile it to a WebAssembly controller.
    ///
    /// Every problem the checker finds is printed, one per line, with the node's id and name and
    /// how to fix it; with errors nothing is written and the exit status is 1.
    Compile {
        /// The graph file, e.g. examples/graphs/melee-rusher.mcgraph.json.
        graph: PathBuf,
        /// Where to write the module (default: beside the graph, .wasm or .wat); `-` for
        /// standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write the module as WebAssembly text instead of binary.
        #[arg(long)]
        wat: bool,
        /// Build with the debug profile: functions named after their nodes (`node#12 Attack`).
        #[arg(long)]
        debug: bool,
        /// Print the compiler's intermediate form instead of writing a module.
        #[arg(long, conflicts_with_all = ["output", "wat"])]
        ir: bool,
    },
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
        Some(Command::Run {
            module,
            state,
            slot,
            seed,
            json,
        }) => {
            let out = run::run(&module, &state, slot, seed)?;
            if json {
                emit(&format!("{}\n", run::render_json(&out)))?;
            } else {
                emit(&run::render_text(&out))?;
            }
            Ok(if out.report.outcome.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Some(Command::Compile {
            graph,
            output,
            wat,
            debug,
            ir,
        }) => {
            let profile = if debug {
                aether_scripting::CompilationProfile::Debug
            } else {
                aether_scripting::CompilationProfile::Release
            };
            if ir {
                let compiled = compile::compile_file(&graph, profile)?;
                let checked = aether_scripting::interp::CheckedGraph::new(compiled.graph)
                    .map_err(|_| anyhow::anyhow!("the graph has errors"))?;
                emit(&aether_scripting::compile::ir::lower(&checked).to_string())?;
                return Ok(ExitCode::SUCCESS);
            }
            let written = compile::run(&graph, output.as_deref(), wat, profile)?;
            for w in &written.compiled.warnings {
                eprintln!("{w}");
            }
            match written.output {
                Some(_) => emit(&compile::summary(&written))?,
                None => {
                    use std::io::Write as _;
                    let mut out = std::io::stdout().lock();
                    match out.write_all(&written.bytes).and_then(|()| out.flush()) {
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                        other => other?,
                    }
                    eprint!("{}", compile::summary(&written));
                }
            }
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
            emit(&show::render(&scenario, &options))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes command output to stdout; a closed pipe (`| head`) ends the output quietly.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
