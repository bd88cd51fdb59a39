//! A world run: a scene, its scripts on the world-script runtime, tick after tick.
//!
//! Each tick: the world hands out its events, every script's rates refill and the events are
//! queued for every script, the scheduler runs slices by effective priority inside the world's
//! budget, then the world commits storage, steps its physics and hashes itself. A
//! [`TickReport`] says what ran, for how long, what waited, what was refused or faulted, what
//! happened in the world, and the hash.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use aether_compile::{CompileError, VisualScriptCompiler};
use aether_host::CompileGuard;
use aether_host::world::{ScriptRuntime, ScriptSet, world_engine};
use aether_lang::check::Severity;
use aether_lang::graph::{ScriptKind, VisualScriptGraph};
use aether_mods::world_script::read_world_script_mod;
use aether_world::{
    LimitRequest, SchedulerPolicy, ScriptDescriptor, ScriptId, ScriptResourceLimits, ScriptState,
    SharedWorld, TickUsageResult, WorldScriptLimits, WorldScriptScheduler,
};
use wasmtime::Engine;

use crate::scene::{DEFAULT_PRIORITY, Scene, SceneError};
use crate::storage::{Storage, StorageError};
use crate::world::{SampleWorld, TickLog};

/// A script to load into a world: where it came from, its bytes, what it asks for.
#[derive(Clone, Debug)]
pub struct ScriptSpec {
    /// How messages name it (its path, or `scripts[1] (path)` for a scene's).
    pub label: String,
    /// The module (WebAssembly binary).
    pub bytes: Vec<u8>,
    /// Base priority.
    pub priority: u32,
    /// Limits it asks for (below the world's grant).
    pub request: LimitRequest,
    /// The identity its manifest promises (`"<name> <version>"`), for a mod folder.
    pub identity: Option<String>,
}

impl ScriptSpec {
    /// Reads a script from `path`: a `.wasm` module, a `.wat` text module, or a world-script
    /// mod folder (whose manifest gives its priority and limits).
    pub fn from_path(path: &Path) -> Result<ScriptSpec, WorldError> {
        let label = path.display().to_string();
        let err = |message: String| WorldError::Script {
            label: label.clone(),
            message,
        };
        if path.is_dir() {
            // The manifest says what is wrong with any other folder (an AI controller's `kind`,
            // no manifest at all…).
            let m = read_world_script_mod(path).map_err(|e| err(e.problems.join("; ")))?;
            return Ok(ScriptSpec {
                label,
                bytes: m.bytes,
                priority: m.manifest.priority.unwrap_or(DEFAULT_PRIORITY),
                request: m.manifest.limits.clone(),
                identity: Some(m.manifest.identity()),
            });
        }
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".mcgraph.json"))
        {
            return graph_spec(path).map_err(err);
        }
        let limit = aether_host::world::MAX_SCRIPT_BYTES as u64;
        let bytes =
            aether_base::fsutil::read_regular_file(path, limit).map_err(|e| err(e.to_string()))?;
        let bytes = match path.extension().and_then(|e| e.to_str()) {
            Some("wat") => wat::parse_bytes(&bytes)
                .map_err(|e| err(format!("is not valid WebAssembly text: {e}")))?
                .into_owned(),
            Some("wasm") => bytes,
            _ => {
                return Err(err(
                    "is not a script: give a world-script graph (.mcgraph.json), a .wasm module, a .wat text module or a world-script mod folder".into(),
                ));
            }
        };
        Ok(ScriptSpec {
            label,
            bytes,
            priority: DEFAULT_PRIORITY,
            request: LimitRequest::default(),
            identity: None,
        })
    }
}

/// A world-script graph file, checked and compiled (release profile).
fn graph_spec(path: &Path) -> Result<ScriptSpec, String> {
    let graph = VisualScriptGraph::load(path).map_err(|e| e.to_string())?;
    if graph.kind != ScriptKind::WorldScript {
        return Err(format!(
            "is an {} graph, not a world script; play it on a sample state with `creator-studio run {}`",
            graph.kind,
            path.display()
        ));
    }
    let artifact = VisualScriptCompiler::compile(&graph).map_err(|e| match e {
        CompileError::Diagnostics(ref d) => {
            let lines: Vec<String> = d
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.render(&graph))
                .collect();
            format!("{e}:\n  {}", lines.join("\n  "))
        }
        other => other.to_string(),
    })?;
    Ok(ScriptSpec {
        label: path.display().to_string(),
        bytes: artifact.wasm_bytes,
        priority: DEFAULT_PRIORITY,
        request: LimitRequest::default(),
        identity: None,
    })
}

/// Why a world could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// The scene is broken.
    #[error(transparent)]
    Scene(#[from] SceneError),
    /// Storage could not be opened or written.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A script could not be read or was refused.
    #[error("{label}: {message}")]
    Script {
        /// The script, as [`ScriptSpec::label`].
        label: String,
        /// Why.
        message: String,
    },
}

/// A script of the running world.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptInfo {
    /// Its id in the world (1, 2, … in load order).
    pub id: ScriptId,
    /// Where it came from.
    pub label: String,
    /// Its announced name (its storage namespace) and version.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its base priority.
    pub priority: u32,
    /// What it runs under.
    pub limits: ScriptResourceLimits,
}

/// What one tick did.
#[derive(Clone, Debug)]
pub struct TickReport {
    /// The tick.
    pub tick: u64,
    /// The scheduler's account: per script fuel, ms, slices, waits, refusals, faults, state.
    pub usage: TickUsageResult,
    /// What happened in the world.
    pub log: TickLog,
    /// The world hash after the tick.
    pub hash: u64,
    /// Wall-clock time of the whole tick (scripts, physics, storage).
    pub wall: Duration,
}

/// A running world.
pub struct WorldRun {
    world: Arc<Mutex<SampleWorld>>,
    shared: SharedWorld,
    engine: Engine,
    policy: SchedulerPolicy,
    scripts: ScriptSet,
    scheduler: WorldScriptScheduler,
    info: Vec<ScriptInfo>,
    /// Scripts whose journal is on (kept across [`WorldRun::replace_script`]).
    journaled: std::collections::BTreeSet<ScriptId>,
    /// Scripts that could not be loaded, when the world runs without them
    /// ([`WorldOptions::run_the_rest`]).
    refused: Vec<WorldError>,
    /// Where modules are compiled, when not in this process.
    guard: Option<CompileGuard>,
}

/// How a world is started ([`WorldRun::open`]). [`Default`]: the world's scheduling policy,
/// modules compiled in this process, the first script that cannot load stops the world.
#[derive(Clone, Debug, Default)]
pub struct WorldOptions {
    /// How the scheduler shares a tick.
    pub policy: SchedulerPolicy,
    /// Compile each module in a worker process under a deadline and a memory cap (as AI
    /// controllers from files are): for modules from elsewhere, whose compilation must not
    /// stall the world or exhaust its memory. Also used by [`WorldRun::replace_script`].
    pub compile_guard: Option<CompileGuard>,
    /// Start as a game server does: a script that cannot be loaded is left out (its id unused)
    /// and listed in [`WorldRun::refused`], and the others run.
    pub run_the_rest: bool,
}

impl std::fmt::Debug for WorldRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorldRun")
            .field("scripts", &self.info)
            .finish_non_exhaustive()
    }
}

impl WorldRun {
    /// The world of `scene` with the scene's own scripts, then `extra`, keeping storage in
    /// `storage`. Every script is read, checked, compiled and started (`init`) before tick 0; the
    /// first that cannot be is the error, naming it.
    pub fn new(
        scene: &Scene,
        extra: Vec<ScriptSpec>,
        storage: Storage,
    ) -> Result<WorldRun, WorldError> {
        let mut specs = scene_scripts(scene)
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        specs.extend(extra);
        WorldRun::with_scripts(scene, specs, storage)
    }

    /// The world of `scene` with exactly `specs`, as a game server starts one: every script
    /// that can be read, checked and started runs; each that cannot (an `Err` here, or a
    /// module the host refuses) is left out, its id unused, and listed in
    /// [`refused`](Self::refused). Only what stops the world itself (more scripts than it
    /// takes, no engine) is an error.
    pub fn running_what_loads(
        scene: &Scene,
        specs: Vec<Result<ScriptSpec, WorldError>>,
        storage: Storage,
    ) -> Result<WorldRun, WorldError> {
        let options = WorldOptions {
            run_the_rest: true,
            ..WorldOptions::default()
        };
        WorldRun::open(scene, specs, storage, options)
    }

    /// The scripts that could not be loaded, each naming the script and why (empty unless the
    /// world was made by [`running_what_loads`](Self::running_what_loads)).
    pub fn refused(&self) -> &[WorldError] {
        &self.refused
    }

    /// The world of `scene` with exactly `specs` (the scene's own script list is not read).
    pub fn with_scripts(
        scene: &Scene,
        specs: Vec<ScriptSpec>,
        storage: Storage,
    ) -> Result<WorldRun, WorldError> {
        WorldRun::with_policy(scene, specs, storage, SchedulerPolicy::default())
    }

    /// [`with_scripts`](Self::with_scripts) under another scheduling policy (for comparisons:
    /// the benchmark runs a crowd with and without the host's charges).
    pub fn with_policy(
        scene: &Scene,
        specs: Vec<ScriptSpec>,
        storage: Storage,
        policy: SchedulerPolicy,
    ) -> Result<WorldRun, WorldError> {
        let options = WorldOptions {
            policy,
            ..WorldOptions::default()
        };
        WorldRun::open(scene, specs.into_iter().map(Ok).collect(), storage, options)
    }

    /// The world of `scene` with `specs` as scripts 1, 2, …, started as `options` say (see
    /// [`WorldOptions`]); an `Err` among `specs` is a script that could not be read.
    pub fn open(
        scene: &Scene,
        specs: Vec<Result<ScriptSpec, WorldError>>,
        storage: Storage,
        options: WorldOptions,
    ) -> Result<WorldRun, WorldError> {
        let WorldOptions {
            policy,
            compile_guard,
            run_the_rest,
        } = options;
        let limits = WorldScriptLimits::default();
        if specs.len() > limits.max_scripts {
            return Err(WorldError::Script {
                label: scene.name.clone(),
                message: format!(
                    "{} scripts, but a world runs at most {}",
                    specs.len(),
                    limits.max_scripts
                ),
            });
        }
        let world = Arc::new(Mutex::new(SampleWorld::new(scene, storage)));
        let shared: SharedWorld = world.clone();
        let engine = world_engine().map_err(|e| WorldError::Script {
            label: "the world".into(),
            message: e.to_string(),
        })?;
        let mut run = WorldRun {
            world,
            shared,
            engine,
            scheduler: WorldScriptScheduler::with_policy(limits, policy.clone()),
            policy,
            scripts: ScriptSet::new(),
            info: Vec::new(),
            journaled: std::collections::BTreeSet::new(),
            refused: Vec::new(),
            guard: compile_guard,
        };
        for (i, spec) in specs.into_iter().enumerate() {
            let loaded = spec.and_then(|spec| run.load(ScriptId(i as u32 + 1), spec));
            match loaded {
                Ok(()) => {}
                Err(e @ WorldError::Script { .. }) if run_the_rest => run.refused.push(e),
                Err(e) => return Err(e),
            }
        }
        Ok(run)
    }

    /// Loads `spec` as script `id` (replacing the script of that id, if any): checks its
    /// request against the grant, compiles and starts it, pairs its identity with its manifest,
    /// checks its name against the other scripts', attaches its storage and registers it.
    fn load(&mut self, id: ScriptId, spec: ScriptSpec) -> Result<(), WorldError> {
        let err = |message: String| WorldError::Script {
            label: spec.label.clone(),
            message,
        };
        let granted = spec
            .request
            .apply(&ScriptResourceLimits::default())
            .map_err(|p| {
                err(format!(
                    "asks for more than the world grants: {}",
                    p.join("; ")
                ))
            })?;
        let runtime = ScriptRuntime::load_guarded(
            &self.engine,
            self.guard.as_ref(),
            &spec.bytes,
            id,
            self.shared.clone(),
            &granted,
            &self.policy,
        )
        .map_err(|e| err(format!("refused: {e}")))?;
        let ident = runtime.identity().clone();
        if let Some(expected) = &spec.identity
            && *expected != format!("{} {}", ident.name, ident.version)
        {
            return Err(err(format!(
                "the module announces \"{} {}\" but its manifest says \"{expected}\"; they must match",
                ident.name, ident.version
            )));
        }
        if self.info.iter().any(|s| s.id != id && s.name == ident.name) {
            return Err(err(format!(
                "another script of this world is also named \"{}\"; each script keeps its storage under its name, so names must differ",
                ident.name
            )));
        }
        self.world().attach_storage(id, &ident.name)?;
        self.scheduler.unregister(id);
        self.scheduler
            .register(ScriptDescriptor {
                id,
                priority: spec.priority,
                resource_limits: granted.clone(),
            })
            .map_err(|e| err(e.to_string()))?;
        self.scripts.insert(id, runtime);
        if self.journaled.contains(&id)
            && let Some(s) = self.scripts.get_mut(id)
        {
            s.set_journal(true);
        }
        let info = ScriptInfo {
            id,
            label: spec.label,
            name: ident.name,
            version: ident.version,
            priority: spec.priority,
            limits: granted,
        };
        match self.info.iter_mut().find(|s| s.id == id) {
            Some(old) => *old = info,
            None => self.info.push(info),
        }
        Ok(())
    }

    /// Replaces script `id` with `spec` while the world goes on: the new module starts fresh
    /// (`init`, no events from before), with the same id and, when its name is unchanged, the
    /// same storage; every other script and the world itself carry on untouched. On an error
    /// the old script keeps running.
    pub fn replace_script(&mut self, id: ScriptId, spec: ScriptSpec) -> Result<(), WorldError> {
        if !self.info.iter().any(|s| s.id == id) {
            return Err(WorldError::Script {
                label: spec.label,
                message: format!("this world has no script {}", id.0),
            });
        }
        self.load(id, spec)
    }

    /// Starts (or stops) writing down what script `id` does, for looking inside it
    /// ([`aether_world::journal`]); stays on when the script is replaced.
    pub fn set_journal(&mut self, id: ScriptId, on: bool) {
        if on {
            self.journaled.insert(id);
        } else {
            self.journaled.remove(&id);
        }
        if let Some(s) = self.scripts.get_mut(id) {
            s.set_journal(on);
        }
    }

    /// What script `id` did since the last call, while its journal is on.
    pub fn take_journal(&mut self, id: ScriptId) -> Vec<aether_world::journal::JournalEntry> {
        self.scripts
            .get_mut(id)
            .map(|s| s.take_journal())
            .unwrap_or_default()
    }

    /// The scheduler's view of `id`'s state.
    pub fn state(&self, id: ScriptId) -> Option<&ScriptState> {
        self.scheduler.state(id)
    }

    /// The scripts, in id order.
    pub fn scripts(&self) -> &[ScriptInfo] {
        &self.info
    }

    /// The world, to look at (do not hold it across [`tick`](Self::tick)).
    pub fn world(&self) -> MutexGuard<'_, SampleWorld> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs one tick.
    pub fn tick(&mut self) -> Result<TickReport, WorldError> {
        let started = Instant::now();
        let events = self.world().begin_tick();
        self.scripts.begin_tick();
        self.scripts.deliver_each(&events);
        let addressed = self.world().take_script_messages();
        for (to, e) in &addressed {
            self.scripts.deliver_to(*to, e);
        }
        let usage = self.scheduler.tick(&mut self.scripts);
        let scheduler = &self.scheduler;
        self.scripts.close_disabled(|id| {
            matches!(
                scheduler.state(id),
                Some(aether_world::ScriptState::Disabled { .. })
            )
        });
        let mut world = self.world();
        let log = world.end_tick()?;
        Ok(TickReport {
            tick: usage.tick.0,
            usage,
            log,
            hash: world.hash(),
            wall: started.elapsed(),
        })
    }
}

/// The scene's own scripts, read from beside it, each labelled `scripts[i] (path)`, with the
/// scene's priority and its limits narrowing the mod's own; each one that cannot be read is
/// an `Err` naming it.
pub fn scene_scripts(scene: &Scene) -> Vec<Result<ScriptSpec, WorldError>> {
    scene
        .scripts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let path = scene.base.join(&s.module);
            let label = format!("scripts[{i}] ({})", path.display());
            let mut spec = ScriptSpec::from_path(&path).map_err(|e| match e {
                WorldError::Script { message, .. } => WorldError::Script {
                    label: label.clone(),
                    message,
                },
                other => other,
            })?;
            spec.label = label;
            spec.priority = s.priority;
            // The scene's request narrows the mod's own, field by field.
            spec.request = narrow(&spec.request, &s.limits);
            Ok(spec)
        })
        .collect()
}

/// `base` with the fields `over` sets replaced: a scene or setup narrows a script's own request.
pub fn narrow(base: &LimitRequest, over: &LimitRequest) -> LimitRequest {
    LimitRequest {
        max_memory_bytes: over.max_memory_bytes.or(base.max_memory_bytes),
        max_cpu_ms_per_tick: over.max_cpu_ms_per_tick.or(base.max_cpu_ms_per_tick),
        max_entity_spawns_per_second: over
            .max_entity_spawns_per_second
            .or(base.max_entity_spawns_per_second),
        max_network_rpcs_per_second: over
            .max_network_rpcs_per_second
            .or(base.max_network_rpcs_per_second),
        max_network_bytes_per_second: over
            .max_network_bytes_per_second
            .or(base.max_network_bytes_per_second),
        max_storage_writes_per_second: over
            .max_storage_writes_per_second
            .or(base.max_storage_writes_per_second),
        max_storage_bytes: over.max_storage_bytes.or(base.max_storage_bytes),
        max_ui_messages_per_second: over
            .max_ui_messages_per_second
            .or(base.max_ui_messages_per_second),
        max_ui_bytes_per_second: over
            .max_ui_bytes_per_second
            .or(base.max_ui_bytes_per_second),
        max_sounds_per_second: over.max_sounds_per_second.or(base.max_sounds_per_second),
    }
}
