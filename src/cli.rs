//! Command-line interface: argument definitions and dispatch to the core.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

mod compile;
mod diff;
mod duel;
mod ladder;
mod mods;
mod run;
mod show;
mod tune;
mod world;
mod world_trace;

pub use compile::GraphErrors;

const COMING: &str = "\
Environment: MC_MODS_DIR (the game's mods directory), MC_PUBLISHER_KEY (the public key native
mods must be signed with).

Benchmarks: cargo bench --bench studio (see BENCHMARKS.md)";

/// Creator Studio: build Magic Civilization AIs as node graphs, watch them play, publish them as mods.
#[derive(Debug, Parser)]
#[command(
    name = "creator-studio",
    version,
    long_version = creator_studio::about::long_version(),
    after_help = COMING
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open the studio window (the default with no command): the graph given, else the last
    /// project, else the Melee rusher template, with its turn previewed on the battle sample.
    Edit {
        /// A graph file (*.mcgraph.json) to open.
        graph: Option<PathBuf>,
        /// Save a PNG of the window once the preview shows, then quit (for documentation and CI;
        /// run under Xvfb on a machine without a display).
        #[arg(long, value_name = "PNG")]
        screenshot: Option<PathBuf>,
        /// Open a replay (*.mcreplay) in the duel lab, to watch the game turn by turn.
        #[arg(long, value_name = "FILE")]
        replay: Option<PathBuf>,
    },
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
        /// For a graph: also each node's fuel in this turn (the runtime's own part on its own
        /// line; the parts add up to the turn's fuel) and the value of every port of every node
        /// that ran, for a bug report.
        #[arg(long)]
        trace: bool,
    },
    /// Play two controllers against each other on a duel scenario: every seed from both seats,
    /// on all cores; prints the first one's wins, draws and losses with a Wilson 95% interval.
    ///
    /// Exit status: 0 when the games were played, 1 when a controller or the scenario could not
    /// be used (the file is named).
    Duel {
        /// The first contender: a graph (*.mcgraph.json), a .wasm or .wat module, a mod folder,
        /// or `pass` (a player that never acts).
        a: PathBuf,
        /// The second contender, the same way.
        b: PathBuf,
        /// The duel scenario, e.g. assets/duels/crossing.json.
        #[arg(long)]
        scenario: PathBuf,
        /// How many seeds (each is played twice, once from each seat).
        #[arg(long, default_value_t = 100)]
        seeds: u64,
        /// The first seed.
        #[arg(long, default_value_t = 0)]
        first_seed: u64,
        /// Write the first seed's game (the first contender in slot 0) as a replay file.
        #[arg(long, value_name = "FILE")]
        replay: Option<PathBuf>,
        /// Print one JSON object instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// A round robin: every pair of controllers over the seeds from both seats, with a results
    /// table and Bradley–Terry ratings (on the Elo scale).
    ///
    /// Exit status: 0 when the games were played, 1 when a controller or the scenario could not
    /// be used (the file is named).
    Tournament(duel::TournamentArgs),
    /// What an edit changed in what an AI does: play two versions of a graph on the same turns
    /// (by default the built-in samples from every seat and 100 generated maps) and report the
    /// turns whose actions differ, the actions only one version proposes, and the node where
    /// the two first part, grouped ("Branch #5 now takes True on 212 of 800 turns").
    ///
    /// Exit status: 0 when no turn differs, 1 when some do (usable in a mod's CI), 2 when a
    /// graph, state, replay or scenario cannot be used.
    Diff {
        /// The version before (*.mcgraph.json).
        old: PathBuf,
        /// The version after.
        new: PathBuf,
        /// Play the state or scenario files in this folder (every seat, 8 seeds) instead of the
        /// built-in samples.
        #[arg(long, value_name = "DIR")]
        states: Option<PathBuf>,
        /// Play every turn of the replays (*.mcreplay) in this folder.
        #[arg(long, value_name = "DIR")]
        replays: Option<PathBuf>,
        /// Play this many fresh duels of OLD against NEW (each seed from both seats, on
        /// --scenario) and compare every turn of them.
        #[arg(long, value_name = "N")]
        duels: Option<u64>,
        /// The duel scenario for --duels and --against, e.g. assets/duels/crossing.json.
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Add this many generated maps, each from both seats (100 when no other turns are
        /// named, else 0).
        #[arg(long, value_name = "N")]
        generated: Option<u32>,
        /// Also play both versions against this opponent over the same seeds and compare
        /// their win rates (with the 95% range of the difference).
        #[arg(long, value_name = "CONTROLLER")]
        against: Option<PathBuf>,
        /// Seeds for --against (each played from both seats).
        #[arg(long, default_value_t = 20)]
        seeds: u64,
        /// Print one JSON object instead of the report.
        #[arg(long)]
        json: bool,
    },
    /// A ladder: every pair of contenders over the seeds from both seats, as `tournament`, played
    /// as a timely dataflow on this machine's cores or on several machines (the same binary and
    /// files on each, started with --processes, --process and --hostfile). Each game is appended
    /// to the results file as it finishes; the same command started again skips the games
    /// already there, so a stopped run resumes.
    ///
    /// Exit status: 0 when every game was played, 1 when a contender, the scenario, the host file
    /// or a peer failed (the message says which and what to do).
    Ladder(ladder::LadderArgs),
    /// Tune the numbers typed on a graph's nodes (each Number input with no wire into it) for
    /// the best score against opponents: a particle swarm search, each setting played as a batch
    /// of duels on the ladder's dataflow (this machine's cores, or several machines as
    /// `ladder`). The best setting is then played on held-out seeds it never saw, with the
    /// graph's own numbers beside it; the tuned graph is written to --out only when its win
    /// rate's 95% lower bound there is higher.
    ///
    /// Exit status: 0 when the search ran (improved or not: the report says), 1 when the graph,
    /// an opponent, the scenario or a peer failed.
    Tune {
        /// The graph to tune (*.mcgraph.json).
        graph: PathBuf,
        /// Opponents: graphs, .wasm/.wat modules, mod folders, or folders holding them.
        #[arg(long, required = true, num_args = 1..)]
        against: Vec<PathBuf>,
        /// The duel scenario, e.g. assets/duels/crossing.json.
        #[arg(long)]
        scenario: PathBuf,
        /// Seeds the search plays (each from both seats, against each opponent).
        #[arg(long, default_value_t = 10)]
        seeds: u64,
        /// Seeds the best setting is checked on, after the search seeds (default: 2 × --seeds).
        #[arg(long)]
        held_out: Option<u64>,
        /// The first search seed.
        #[arg(long, default_value_t = 0)]
        first_seed: u64,
        /// Duels the search may play (the held-out check comes on top).
        #[arg(long, default_value_t = 2_000)]
        budget: u64,
        /// `generated`: each seed on its own map, generated like the scenario's (AIs that do
        /// not use their seed would replay one game per seat on a fixed map); `scenario`: the
        /// scenario's map every game.
        #[arg(long, default_value = "generated", value_parser = ["generated", "scenario"])]
        maps: String,
        /// Where to write the tuned graph (only when it is better on the held-out seeds).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        cluster: ladder::Where,
        /// Print one JSON object instead of the report.
        #[arg(long)]
        json: bool,
    },
    /// Play a recorded duel (*.mcreplay, written by `duel --replay`) again and compare every
    /// turn with the record: the state each AI saw, its reply bytes, verdicts and fuel.
    ///
    /// Exit status: 0 when every turn matches byte for byte, 1 when one differs (the first
    /// difference is named) or the replay, its scenario or a module cannot be used.
    Replay {
        /// The replay file.
        file: PathBuf,
    },
    /// Find nodes (by name, number or text typed on them), variables (with the nodes that use
    /// them) and comments in a graph, as the editor's Find (Ctrl+F) does.
    ///
    /// Exit status: 0 (with "nothing found" when nothing matches), 1 when the graph cannot be read.
    Find {
        /// The graph file (*.mcgraph.json).
        graph: PathBuf,
        /// What to look for (case does not matter).
        text: String,
    },
    /// A graph's functions: list them (inputs, outputs, nodes, calls), make one of some nodes as
    /// the editor's Make function (Ctrl+G) does, save them to a library file, or add a library
    /// file's functions (any graph file's) to the graph.
    ///
    /// Exit status: 0 on success, 1 when a file cannot be read or written or Make function is
    /// refused (the reason is printed; the graph file is then unchanged).
    Functions {
        /// The graph file (*.mcgraph.json); rewritten (atomically) by --make and --import.
        graph: PathBuf,
        /// Make a function of these nodes, by id (e.g. --make 5,6,7).
        #[arg(long, value_delimiter = ',')]
        make: Vec<u32>,
        /// The name of the function --make makes (made unique in the graph).
        #[arg(long, default_value = "My function")]
        name: String,
        /// Save the graph's functions to this library file.
        #[arg(long)]
        export: Option<PathBuf>,
        /// Add the functions of this library file (or of any graph file) to the graph.
        #[arg(long = "import")]
        import: Option<PathBuf>,
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
        /// Print the fuel bound of a turn as a formula over what the state holds (U units, O
        /// the AI's own, E the others, W × H = T tiles, P players, M / R / A the most moves /
        /// range / moves + range of any unit, S the farthest sight of its own), instead of
        /// writing a module; the README explains it.
        #[arg(long, conflicts_with_all = ["output", "wat", "ir"])]
        fuel_formula: bool,
    },
    /// Compile a graph and write it as a mod folder: manifest.json and <id>.opt.wasm.
    ///
    /// The folder is written beside its destination and moved into place at once; a folder
    /// holding a different mod is never replaced unless --replace is given.
    Export {
        /// The graph file.
        graph: PathBuf,
        /// The mod folder to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        manifest: ManifestArgs,
        /// Replace the folder even if it holds another mod or other files.
        #[arg(long)]
        replace: bool,
    },
    /// Export a graph into the game's mods directory, as <mods dir>/<id>/.
    Install {
        /// The graph file.
        graph: PathBuf,
        /// The game's mods directory (default: $MC_MODS_DIR, else
        /// <documents>/MagicCivilization/mods).
        #[arg(long)]
        mods_dir: Option<PathBuf>,
        #[command(flatten)]
        manifest: ManifestArgs,
        /// Replace the folder even if it holds another mod or other files.
        #[arg(long)]
        replace: bool,
    },
    /// Load a mod folder exactly as the game does and play it on the sample states (every slot,
    /// with the determinism check). Exit status 1 if the game would refuse it or a turn fails.
    Validate {
        /// The mod folder.
        folder: PathBuf,
        /// The publisher public key for native mods: a key file or 64 hex digits
        /// (default: $MC_PUBLISHER_KEY).
        #[arg(long)]
        publisher_key: Option<String>,
    },
    /// List the mods the game would register from a mods directory, and why it would skip the
    /// others. Reads only.
    Scan {
        /// The mods directory (default: $MC_MODS_DIR, else <documents>/MagicCivilization/mods).
        dir: Option<PathBuf>,
        /// The publisher public key for native mods: a key file or 64 hex digits
        /// (default: $MC_PUBLISHER_KEY).
        #[arg(long)]
        publisher_key: Option<String>,
    },
    /// Sign a native mod binary with a publisher's secret key (prints the signature), or make a
    /// new key pair with --new-key.
    Sign {
        /// The native library to sign.
        #[arg(required_unless_present = "new_key")]
        binary: Option<PathBuf>,
        /// The secret key file (64 hex digits).
        #[arg(long, required_unless_present = "new_key")]
        key: Option<PathBuf>,
        /// Also write the signature into the manifest.json beside the binary.
        #[arg(long)]
        write_manifest: bool,
        /// Create a new key pair: the secret key in this file, the public key in FILE.pub.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["binary", "key", "write_manifest"])]
        new_key: Option<PathBuf>,
    },
    /// Inspect game states and scenarios.
    #[command(subcommand)]
    State(StateCommand),
    /// Sample worlds for world scripts: run one with its scripts, or draw its scene.
    #[command(subcommand)]
    World(WorldCommand),
}

/// The manifest fields a publisher chooses; name and version come from the graph.
#[derive(Debug, clap::Args)]
struct ManifestArgs {
    /// The mod's id, a lowercase slug (default: the graph's name as a slug).
    #[arg(long)]
    id: Option<String>,
    /// The author (default: your user name).
    #[arg(long)]
    author: Option<String>,
    /// The controller id, namespace:name (default: studio:<id>).
    #[arg(long)]
    controller_id: Option<String>,
}

impl ManifestArgs {
    fn flags(self) -> mods::ManifestFlags {
        mods::ManifestFlags {
            id: self.id,
            author: self.author,
            controller_id: self.controller_id,
        }
    }
}

#[derive(Debug, Subcommand)]
enum WorldCommand {
    /// Run a sample world (a scene file) with its scripts, tick by tick, under the world-script
    /// runtime's caps: per tick, what ran and for how long (fuel, fuel-ms, wall ms), what waited,
    /// what was refused or faulted, what happened in the world, and the world hash.
    ///
    /// Exit status: 0 when the world ran its ticks (scripts that faulted are reported, they do
    /// not stop the world), 1 when the scene, a script or the storage file could not be used.
    Run {
        /// The scene file, e.g. assets/worlds/village.json, or a world setup
        /// (*.mcworld.json: a scene and its scripts with their priorities and limits, as the
        /// studio saves it).
        scene: PathBuf,
        /// More scripts to run beside the scene's own: world-script graphs (.mcgraph.json),
        /// .wasm or .wat modules, or world-script mod folders.
        scripts: Vec<PathBuf>,
        /// Ticks to run (20 a second); the scene's own count by default.
        #[arg(long)]
        ticks: Option<u64>,
        /// Print one JSON object per tick instead of the readable report.
        #[arg(long)]
        json: bool,
        /// Keep the scripts' storage in this database file (created if missing) so it lasts
        /// from run to run; by default it lives in memory and is gone at the end.
        #[arg(long, value_name = "FILE")]
        storage: Option<PathBuf>,
        /// Show each world-script graph given from inside, event by event: the nodes that ran,
        /// every port's value and each call to the world with its answer (with --json, each
        /// tick's `inside` array).
        #[arg(long)]
        trace: bool,
    },
    /// Draw a scene as text (map, entities, areas) and list its players, timers and scripts, or
    /// say exactly what is wrong with it.
    Show {
        /// The scene file.
        scene: PathBuf,
    },
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

impl Cli {
    /// The studio's start options when the command line asks for the window (no command, or
    /// `edit`); `None` for every other command.
    pub fn studio_options(&self) -> Option<creator_studio::studio::Options> {
        match &self.command {
            None => Some(creator_studio::studio::Options::from_env(None)),
            Some(Command::Edit {
                graph,
                screenshot,
                replay,
            }) => {
                let mut o = creator_studio::studio::Options::from_env(graph.clone());
                o.screenshot = screenshot.clone();
                o.replay = replay.clone();
                Some(o)
            }
            Some(_) => None,
        }
    }
}

/// Runs the parsed command line; errors are printed by `main`.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None | Some(Command::Edit { .. }) => {
            Cli::command().print_help()?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Run {
            module,
            state,
            slot,
            seed,
            json,
            trace,
        }) => {
            let mut out = run::run(&module, &state, slot, seed)?;
            if trace {
                out.trace = Some(run::trace(&module, &out, slot, seed)?);
            }
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
        Some(Command::Duel {
            a,
            b,
            scenario,
            seeds,
            first_seed,
            replay,
            json,
        }) => {
            emit(&duel::run(&duel::DuelArgs {
                a,
                b,
                scenario,
                seeds,
                first_seed,
                replay,
                json,
            })?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Tournament(args)) => {
            emit(&duel::tournament(&args)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Diff {
            old,
            new,
            states,
            replays,
            duels,
            scenario,
            generated,
            against,
            seeds,
            json,
        }) => {
            let args = diff::DiffArgs {
                old,
                new,
                states,
                replays,
                duels,
                scenario,
                generated,
                against,
                seeds,
                json,
            };
            match diff::run(&args) {
                Ok(report) => {
                    emit(&report.text)?;
                    Ok(if report.differs {
                        ExitCode::FAILURE
                    } else {
                        ExitCode::SUCCESS
                    })
                }
                Err(err) => {
                    eprintln!(
                        "error: {}",
                        aether_base::text::escape_output(&format!("{err:#}"))
                    );
                    Ok(ExitCode::from(2))
                }
            }
        }
        Some(Command::Ladder(args)) => {
            emit(&ladder::run(&args)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Tune {
            graph,
            against,
            scenario,
            seeds,
            held_out,
            first_seed,
            budget,
            maps,
            out,
            cluster,
            json,
        }) => {
            emit(&tune::run(&tune::TuneArgs {
                graph,
                against,
                scenario,
                seeds,
                held_out: held_out.unwrap_or(seeds.saturating_mul(2)),
                first_seed,
                budget,
                maps: if maps == "scenario" {
                    aether_ladder::tune::Maps::Scenario
                } else {
                    aether_ladder::tune::Maps::Generated
                },
                out,
                cluster,
                json,
            })?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Replay { file }) => {
            let (text, matched) = duel::replay(&file)?;
            emit(&text)?;
            Ok(if matched {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Command::Functions {
            graph,
            make,
            name,
            export,
            import,
        }) => {
            functions(&graph, &make, &name, export.as_deref(), import.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Find { graph, text }) => {
            let g = aether_lang::VisualScriptGraph::load(&graph)?;
            let found = aether_lang::find::find(&g, &text);
            let mut out = String::new();
            for m in &found {
                let nodes: Vec<String> = m.nodes().iter().map(ToString::to_string).collect();
                if nodes.is_empty() || matches!(m.found, aether_lang::find::Found::Node(_)) {
                    out.push_str(&format!("{}\n", m.label));
                } else {
                    out.push_str(&format!("{}: {}\n", m.label, nodes.join(", ")));
                }
            }
            if found.is_empty() {
                out.push_str(&format!("nothing found for \"{}\"\n", text.trim()));
            }
            emit(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Compile {
            graph,
            output,
            wat,
            debug,
            ir,
            fuel_formula,
        }) => {
            if fuel_formula {
                let g = aether_lang::VisualScriptGraph::load(&graph)?;
                let checked = aether_lang::interp::CheckedGraph::new(g).map_err(|_| {
                    anyhow::anyhow!(
                        "{}: the graph has errors; `compile` lists them",
                        graph.display()
                    )
                })?;
                let bound = aether_compile::bound::fuel_bound(&checked)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", graph.display()))?;
                emit(&format!("{}\n", bound.turn))?;
                return Ok(ExitCode::SUCCESS);
            }
            let profile = if debug {
                aether_compile::CompilationProfile::Debug
            } else {
                aether_compile::CompilationProfile::Release
            };
            if ir {
                let compiled = compile::compile_file(&graph, profile)?;
                let checked = aether_lang::interp::CheckedGraph::new(compiled.graph)
                    .map_err(|_| anyhow::anyhow!("the graph has errors"))?;
                emit(&aether_compile::ir::lower(&checked).to_string())?;
                return Ok(ExitCode::SUCCESS);
            }
            let written = compile::run(&graph, output.as_deref(), wat, profile)?;
            for w in &written.compiled.warnings {
                say(&w.to_string());
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
                    eprint!(
                        "{}",
                        aether_base::text::escape_output(&compile::summary(&written))
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Export {
            graph,
            out,
            manifest,
            replace,
        }) => {
            emit(&mods::export(&graph, &out, &manifest.flags(), replace)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Install {
            graph,
            mods_dir,
            manifest,
            replace,
        }) => {
            emit(&mods::install(
                &graph,
                mods_dir.as_deref(),
                &manifest.flags(),
                replace,
            )?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Validate {
            folder,
            publisher_key,
        }) => {
            let key = mods::publisher_key(publisher_key.as_deref())?;
            let (text, passed) = mods::validate(&folder, key)?;
            emit(&text)?;
            Ok(if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Command::Scan { dir, publisher_key }) => {
            let key = mods::publisher_key(publisher_key.as_deref())?;
            let dir = mods::mods_dir(dir.as_deref())?;
            emit(&mods::scan(&dir, key)?.0)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Sign {
            binary,
            key,
            write_manifest,
            new_key,
        }) => {
            let text = match (new_key, binary, key) {
                (Some(file), _, _) => mods::new_key(&file)?,
                (None, Some(binary), Some(key)) => mods::sign(&binary, &key, write_manifest)?,
                _ => anyhow::bail!("give a binary and --key, or --new-key FILE"),
            };
            emit(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::World(WorldCommand::Run {
            scene,
            scripts,
            ticks,
            json,
            storage,
            trace,
        })) => {
            let args = world::RunArgs {
                scene,
                scripts,
                ticks,
                json,
                storage,
                trace,
            };
            world::run(&args, &mut |text| emit(text))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::World(WorldCommand::Show { scene })) => {
            emit(&world::show(&scene)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::State(StateCommand::Show {
            file,
            units,
            no_color,
        })) => {
            let scenario = aether_lang::scenario::Scenario::load(&file)?;
            let options = show::Options {
                all_units: units,
                color: !no_color && show::color_wanted(),
            };
            emit(&show::render(&scenario, &options))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes `text` and a newline to standard error, made safe for a terminal (every message and
/// warning goes through here: text from a file can never drive the terminal).
pub(crate) fn say(text: &str) {
    eprintln!("{}", aether_base::text::escape_output(text));
}

/// Writes command output to stdout, made safe for a terminal
/// ([`escape_output`](aether_base::text::escape_output)); a closed pipe (`| head`) ends the
/// output quietly.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let text = aether_base::text::escape_output(text);
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// A host under the game's caps for modules read from disk: it compiles each one in a worker
/// process (this program, started again) under a deadline and a memory cap, so no module can
/// stall or exhaust the command.
fn guarded_host() -> anyhow::Result<aether_host::ControllerHost> {
    let limits = aether_host::ControllerLimits {
        compile_guard: std::env::current_exe()
            .ok()
            .map(aether_host::CompileGuard::new),
        compile_cache: Some(aether_host::CompileCache::on_disk(
            creator_studio::studio::files::default_home().join("compile-cache"),
        )),
        ..Default::default()
    };
    Ok(aether_host::ControllerHost::new(limits)?)
}

/// `creator-studio functions`: make, import, export, then list.
fn functions(
    path: &std::path::Path,
    make: &[u32],
    name: &str,
    export: Option<&std::path::Path>,
    import: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use aether_lang::graph::{NodeId, VisualScriptGraph};
    let mut g = VisualScriptGraph::load(path)?;
    let mut out = String::new();
    let mut changed = false;
    if !make.is_empty() {
        let ids: Vec<NodeId> = make.iter().map(|&i| NodeId(i)).collect();
        let made = aether_lang::make_function::make_function(&mut g, &ids, name)
            .map_err(|why| anyhow::anyhow!("could not make a function: {why}"))?;
        let f = g.function(made.function).map_or("?", |f| f.name.as_str());
        out.push_str(&format!("made {f}; its call is node {}\n", made.call));
        changed = true;
    }
    if let Some(lib) = import {
        let library = VisualScriptGraph::load(lib)?;
        let added = g.import_functions(&library);
        for f in &added {
            let f = g.function(*f).map_or("?", |f| f.name.as_str());
            out.push_str(&format!("added {f} from {}\n", lib.display()));
        }
        if added.is_empty() {
            anyhow::bail!("{} holds no functions", lib.display());
        }
        changed = true;
    }
    if changed {
        g.save(path)?;
    }
    if let Some(lib) = export {
        let ids: Vec<_> = g.functions().map(|f| f.id).collect();
        g.library_of(&ids).save(lib)?;
        out.push_str(&format!(
            "saved {} function(s) to {}\n",
            ids.len(),
            lib.display()
        ));
    }
    let list = |params: &[aether_lang::graph::Param]| {
        if params.is_empty() {
            "none".to_owned()
        } else {
            params
                .iter()
                .map(|p| format!("{} ({})", p.name, p.ty.name()))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    for f in g.functions() {
        out.push_str(&format!(
            "{}: inputs {}; outputs {}; {} node(s), {} call(s)\n",
            f.name,
            list(&f.inputs),
            list(&f.outputs),
            g.nodes_in(Some(f.id)).count(),
            g.calls_of(f.id).len()
        ));
    }
    if g.functions().next().is_none() {
        out.push_str("no functions\n");
    }
    emit(&out)
}
