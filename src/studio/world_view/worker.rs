//! The world preview's thread: runs the sample world with the edited script (compiled on
//! every edit and swapped in, or the scene restarted), plays, pauses, steps and changes speed
//! on command, journals the edited script and plays its journal back through the interpreter,
//! and sends a [`Frame`] after each tick. The window never waits on it.

use aether_compile::{CompilationProfile, ScriptArtifact, VisualScriptCompiler};
use aether_debug::journal::{EventTrace, JournalReplay};
use aether_lang::graph::VisualScriptGraph;
use aether_lang::interp::CheckedGraph;
use aether_sample_world::world::EntityView;
use aether_sample_world::{Scene, ScriptInfo, ScriptSpec, Storage, TickLog, WorldRun};
use aether_world::{ScriptId, TickUsageResult};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The priority the edited graph runs at in the preview.
pub const EDITED_PRIORITY: u32 = 10;

/// What the studio asks of the world's thread.
#[derive(Debug)]
pub enum Command {
    /// (Re)start the world: the scene, the other scripts, the edited graph (when it compiles).
    Start {
        /// The scene.
        scene: Box<Scene>,
        /// Scripts besides the edited graph.
        others: Vec<ScriptSpec>,
        /// The edited graph.
        graph: Option<Box<VisualScriptGraph>>,
        /// Its priority.
        priority: u32,
        /// The document's structure version of the graph.
        version: u64,
    },
    /// The graph changed: swap its script in (or restart the scene, when `restart`).
    Edit {
        /// The new graph.
        graph: Box<VisualScriptGraph>,
        /// Restart the scene instead of swapping.
        restart: bool,
        /// Its priority.
        priority: u32,
        /// The document's structure version of the graph.
        version: u64,
    },
    /// Play or pause.
    Play(bool),
    /// One tick (while paused).
    Step,
    /// Ticks per second while playing.
    Speed(f32),
    /// Measure the edited graph's fuel node by node (an instrumented twin beside it; turning it
    /// on starts the script over, so the twin follows it from its first event).
    MeasureFuel(bool),
}

/// One tick of the world, as the panel shows it.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The tick that ran.
    pub tick: u64,
    /// Every entity after the tick.
    pub entities: Vec<EntityView>,
    /// What happened.
    pub log: TickLog,
    /// What each script used.
    pub usage: TickUsageResult,
    /// The scripts.
    pub scripts: Vec<ScriptInfo>,
    /// Each script's committed storage: name, then key and value pairs.
    pub storage: Vec<(String, Vec<aether_sample_world::storage::Entry>)>,
    /// Players in the world.
    pub online: Vec<u32>,
    /// The objectives shown: for everyone (`None`) or one player, and the text.
    pub objectives: Vec<(Option<u32>, String)>,
    /// The markers on the map: label and where.
    pub markers: Vec<(String, aether_world_types::Vec2)>,
    /// The world hash.
    pub hash: u64,
    /// The events the edited graph handled in the tick, seen from inside (its journal played
    /// back through the interpreter).
    pub inside: Vec<EventTrace>,
}

/// What the world's thread reports.
#[derive(Clone, Debug)]
pub enum Update {
    /// The world (re)started: its scripts, and which one is the edited graph.
    Started {
        /// The scripts.
        scripts: Vec<ScriptInfo>,
        /// The edited graph's script, if it compiled.
        edited: Option<ScriptId>,
    },
    /// A tick ran.
    Frame(Box<Frame>),
    /// The edited graph's new script is running, swapped in after `took` (compile and load).
    Swapped {
        /// Compile + load time.
        took: Duration,
    },
    /// The edited graph of this structure version runs in the world (swapped in, or started
    /// with it): an edit has reached the world.
    Running(u64),
    /// Something could not be done; the message says what, in plain words.
    Problem(String),
}

/// The world's thread.
#[derive(Debug)]
pub struct WorldWorker {
    commands: Sender<Command>,
    updates: Receiver<Update>,
    /// Asked to repaint when a frame arrives (set once the UI has a context).
    pub repaint: Arc<OnceLock<egui::Context>>,
}

impl WorldWorker {
    /// Starts the thread (paused, with no world until the first [`Command::Start`]).
    pub fn spawn() -> Self {
        let (commands, rx) = channel::<Command>();
        let (tx, updates) = channel::<Update>();
        let repaint: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let ctx = repaint.clone();
        let spawned = std::thread::Builder::new()
            .name("world preview".into())
            .spawn(move || world_loop(&rx, &tx, &ctx));
        if let Err(e) = spawned {
            eprintln!("warning: the world preview thread could not start: {e}");
        }
        Self {
            commands,
            updates,
            repaint,
        }
    }

    /// Sends a command.
    pub fn send(&self, c: Command) {
        let _ = self.commands.send(c);
    }

    /// The updates that arrived since the last call.
    pub fn poll(&self) -> Vec<Update> {
        self.updates.try_iter().collect()
    }

    /// Waits up to `timeout` for the next update (tests).
    pub fn wait(&self, timeout: Duration) -> Option<Update> {
        self.updates.recv_timeout(timeout).ok()
    }
}

/// The edited graph as a script of the world (debug profile: node names in traces), with its
/// compiled artifact (to measure its fuel per node).
fn graph_spec(
    graph: &VisualScriptGraph,
    priority: u32,
) -> Result<(ScriptSpec, ScriptArtifact), String> {
    let artifact = VisualScriptCompiler::compile_with(graph, CompilationProfile::Debug)
        .map_err(|e| format!("The graph cannot run yet: {e}."))?;
    Ok((
        ScriptSpec {
            label: format!("this graph ({})", graph.name),
            bytes: artifact.wasm_bytes.clone(),
            priority,
            request: Default::default(),
            identity: None,
        },
        artifact,
    ))
}

struct Live {
    run: WorldRun,
    edited: Option<ScriptId>,
    scene: Scene,
    others: Vec<ScriptSpec>,
    /// The edited graph's journal played back, to see inside it.
    replay: Option<JournalReplay>,
    /// The edited graph as it runs: the graph, its script and compiled artifact.
    current: Option<(VisualScriptGraph, ScriptSpec, ScriptArtifact)>,
}

/// Journals the edited graph's script and plays it back through the interpreter of `graph`,
/// and when `fuel`, through an instrumented twin of `artifact` too (fuel per node; building
/// the twin costs about twice the swap, so it is done only when asked).
fn watch_inside(
    run: &mut WorldRun,
    id: ScriptId,
    graph: &VisualScriptGraph,
    artifact: &ScriptArtifact,
    fuel: bool,
) -> Option<JournalReplay> {
    let checked = CheckedGraph::new(graph.clone()).ok()?;
    run.set_journal(id, true);
    Some(if fuel {
        JournalReplay::with_fuel(checked, artifact)
    } else {
        JournalReplay::new(checked)
    })
}

fn start(
    scene: Scene,
    others: Vec<ScriptSpec>,
    graph: Option<(&VisualScriptGraph, u32)>,
    fuel: bool,
    tx: &Sender<Update>,
) -> Option<Live> {
    let mut specs = others.clone();
    let mut edited = None;
    let mut current = None;
    if let Some((g, priority)) = graph {
        match graph_spec(g, priority) {
            Ok((spec, a)) => {
                specs.push(spec.clone());
                current = Some((g.clone(), spec, a));
                edited = Some(ScriptId(specs.len() as u32));
            }
            Err(why) => {
                let _ = tx.send(Update::Problem(why));
            }
        }
    }
    let storage = match Storage::in_memory() {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(Update::Problem(format!("The world's storage: {e}")));
            return None;
        }
    };
    match WorldRun::with_scripts(&scene, specs, storage) {
        Ok(mut run) => {
            let _ = tx.send(Update::Started {
                scripts: run.scripts().to_vec(),
                edited,
            });
            let replay = match (edited, &current) {
                (Some(id), Some((g, _, a))) => watch_inside(&mut run, id, g, a, fuel),
                _ => None,
            };
            Some(Live {
                run,
                edited,
                scene,
                others,
                replay,
                current,
            })
        }
        Err(e) => {
            let _ = tx.send(Update::Problem(format!("The world could not start: {e}")));
            None
        }
    }
}

fn frame(live: &mut Live) -> Result<Frame, String> {
    let r = live.run.tick().map_err(|e| e.to_string())?;
    let inside = match (live.edited, live.replay.as_mut()) {
        (Some(id), Some(replay)) => replay.feed(r.tick, live.run.take_journal(id)),
        _ => Vec::new(),
    };
    let scripts = live.run.scripts().to_vec();
    let world = live.run.world();
    let storage = scripts
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                world.storage().dump(&s.name).unwrap_or_default(),
            )
        })
        .collect();
    Ok(Frame {
        tick: r.tick,
        entities: world.entities(),
        log: r.log,
        usage: r.usage,
        storage,
        online: world.online().map(|p| p.0).collect(),
        objectives: world
            .objectives()
            .iter()
            .map(|(to, (_, text))| (*to, text.clone()))
            .collect(),
        markers: world
            .markers()
            .iter()
            .map(|((_, label), at)| (label.clone(), *at))
            .collect(),
        hash: r.hash,
        scripts,
        inside,
    })
}

fn world_loop(rx: &Receiver<Command>, tx: &Sender<Update>, ctx: &OnceLock<egui::Context>) {
    let mut live: Option<Live> = None;
    let mut playing = false;
    let mut speed = 20.0_f32;
    let mut fuel = false;
    let mut next = Instant::now();
    let repaint = || {
        if let Some(c) = ctx.get() {
            c.request_repaint();
        }
    };
    loop {
        let wait = if playing && live.is_some() {
            next.saturating_duration_since(Instant::now())
        } else {
            Duration::from_secs(3600)
        };
        let command = match rx.recv_timeout(wait) {
            Ok(c) => Some(c),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut step = false;
        let commanded = command.is_some();
        match command {
            Some(Command::Start {
                scene,
                others,
                graph,
                priority,
                version,
            }) => {
                live = start(
                    *scene,
                    others,
                    graph.as_deref().map(|g| (g, priority)),
                    fuel,
                    tx,
                );
                if live.as_ref().is_some_and(|l| l.edited.is_some()) {
                    let _ = tx.send(Update::Running(version));
                }
                next = Instant::now();
                // The first frame shows tick 0 at once, playing or not.
                step = true;
            }
            Some(Command::Edit {
                graph,
                restart,
                priority,
                version,
            }) => match live.as_mut() {
                Some(l) if !restart && l.edited.is_some() => {
                    let began = Instant::now();
                    match graph_spec(&graph, priority) {
                        Ok((spec, artifact)) => {
                            let id = l.edited.unwrap_or(ScriptId(0));
                            match l.run.replace_script(id, spec.clone()) {
                                Ok(()) => {
                                    let _ = tx.send(Update::Swapped {
                                        took: began.elapsed(),
                                    });
                                    // Then the twin for looking inside it (before its first
                                    // event, which it must see).
                                    l.replay =
                                        watch_inside(&mut l.run, id, &graph, &artifact, fuel);
                                    l.current = Some(((*graph).clone(), spec, artifact));
                                    let _ = tx.send(Update::Started {
                                        scripts: l.run.scripts().to_vec(),
                                        edited: l.edited,
                                    });
                                    let _ = tx.send(Update::Running(version));
                                }
                                Err(e) => {
                                    let _ = tx.send(Update::Problem(format!(
                                        "The edited graph was refused; the world goes on with the previous version: {e}"
                                    )));
                                }
                            }
                        }
                        Err(why) => {
                            let _ = tx.send(Update::Problem(why));
                        }
                    }
                    step = !playing;
                }
                Some(l) => {
                    let (scene, others) = (l.scene.clone(), l.others.clone());
                    live = start(scene, others, Some((&graph, priority)), fuel, tx);
                    if live.as_ref().is_some_and(|l| l.edited.is_some()) {
                        let _ = tx.send(Update::Running(version));
                    }
                    step = true;
                }
                None => {}
            },
            Some(Command::Play(p)) => {
                playing = p;
                next = Instant::now();
            }
            Some(Command::Step) => step = true,
            Some(Command::Speed(s)) => speed = s.clamp(1.0, 1000.0),
            Some(Command::MeasureFuel(on)) => {
                fuel = on;
                if let Some(l) = live.as_mut()
                    && let (Some(id), Some((g, spec, a))) = (l.edited, l.current.clone())
                {
                    if on {
                        // The twin must see every event from the script's start: start over.
                        match l.run.replace_script(id, spec) {
                            Ok(()) => {
                                l.replay = watch_inside(&mut l.run, id, &g, &a, true);
                                let _ = tx.send(Update::Started {
                                    scripts: l.run.scripts().to_vec(),
                                    edited: l.edited,
                                });
                            }
                            Err(e) => {
                                let _ = tx.send(Update::Problem(format!(
                                    "The graph could not start over to measure its fuel: {e}"
                                )));
                            }
                        }
                    } else if let Some(r) = l.replay.as_mut() {
                        r.stop_fuel();
                    }
                }
            }
            None => {}
        }
        let due = playing && Instant::now() >= next;
        if (step || due)
            && let Some(l) = live.as_mut()
        {
            match frame(l) {
                Ok(f) => {
                    let _ = tx.send(Update::Frame(Box::new(f)));
                }
                Err(e) => {
                    playing = false;
                    let _ = tx.send(Update::Problem(format!("The world stopped: {e}")));
                }
            }
            if due {
                next += Duration::from_secs_f32(1.0 / speed);
                // Far behind (a slow machine): start counting again rather than racing.
                if Instant::now() > next + Duration::from_millis(500) {
                    next = Instant::now();
                }
            }
            repaint();
        } else if commanded {
            repaint();
        }
    }
}

/// Whether two paths name the same file (compared as the filesystem resolves them).
pub(super) fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
