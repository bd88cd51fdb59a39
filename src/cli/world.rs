//! `creator-studio world …`: run a sample world with its scripts, draw a scene.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use aether_sample_world::{
    Scene, ScriptSpec, Storage, WorldError, WorldOptions, WorldRun, WorldSetup, report,
};

/// What `world run` was asked.
#[derive(Debug)]
pub struct RunArgs {
    /// The scene file.
    pub scene: PathBuf,
    /// Scripts to add to the scene's own.
    pub scripts: Vec<PathBuf>,
    /// Ticks to run (the scene's own count when `None`).
    pub ticks: Option<u64>,
    /// One JSON object per tick.
    pub json: bool,
    /// Keep storage in this file (else in memory).
    pub storage: Option<PathBuf>,
    /// Show the graphs among `scripts` from inside, event by event.
    pub trace: bool,
}

/// The guard world scripts from files compile under: in a worker process (this program, started
/// again) under a deadline and a memory cap, as AI controllers from files do.
pub fn compile_guard() -> Option<aether_host::CompileGuard> {
    std::env::current_exe()
        .ok()
        .map(aether_host::CompileGuard::new)
}

/// Runs the world, printing each tick as it ends, then a summary (text mode).
pub fn run(args: &RunArgs, emit: &mut dyn FnMut(&str) -> anyhow::Result<()>) -> anyhow::Result<()> {
    // A script that cannot be read or is refused at load is left out and reported, and the
    // world runs the others, as a game server would; the command still ends in an error.
    let extra: Vec<Result<ScriptSpec, WorldError>> = args
        .scripts
        .iter()
        .map(|p| ScriptSpec::from_path(p))
        .collect();
    let (scene, specs) = if args
        .scene
        .to_string_lossy()
        .ends_with(aether_sample_world::setup::EXTENSION)
    {
        let (scene, specs) = setup_world(&args.scene)?;
        (scene, specs.into_iter().map(Ok).collect())
    } else {
        let scene = Scene::load(&args.scene)?;
        let specs = aether_sample_world::run::scene_scripts(&scene);
        (scene, specs)
    };
    let storage = match &args.storage {
        Some(path) => Storage::open(path)?,
        None => Storage::in_memory()?,
    };
    let specs: Vec<_> = specs.into_iter().chain(extra).collect();
    let options = WorldOptions {
        compile_guard: compile_guard(),
        run_the_rest: true,
        ..WorldOptions::default()
    };
    let mut run = WorldRun::open(&scene, specs, storage, options)?;
    // Said on stderr before the first tick, so it is seen at once and never mixed into the
    // JSON lines.
    for e in run.refused() {
        super::say(&format!("refused at load, the world runs without it: {e}"));
    }
    let mut watched = if args.trace {
        let paths: Vec<&Path> = args.scripts.iter().map(PathBuf::as_path).collect();
        super::world_trace::watch(&mut run, &paths)?
    } else {
        Vec::new()
    };
    let ticks = args.ticks.unwrap_or(scene.ticks);
    if !args.json {
        emit(&header(&scene, &args.scene, &run, ticks))?;
    }
    let started = Instant::now();
    let mut totals: BTreeMap<u32, Totals> = BTreeMap::new();
    let mut last_hash = 0;
    for _ in 0..ticks {
        let r = run.tick()?;
        last_hash = r.hash;
        for s in &r.usage.scripts {
            let t = totals.entry(s.id.0).or_default();
            t.fuel += s.fuel_used;
            t.slices += u64::from(s.slices);
            t.faults += s.faults.len() as u64;
            t.refused += s.refused.values().map(|n| u64::from(*n)).sum::<u64>();
            t.state = s.state.name();
            if let aether_world::ScriptState::Disabled { reason } = &s.state {
                t.reason = Some(reason.clone());
            }
        }
        let inside = if watched.is_empty() {
            Vec::new()
        } else {
            super::world_trace::take(&mut run, &mut watched, r.tick)
        };
        if args.json {
            let mut line = report::json(&r, run.scripts());
            if args.trace {
                line["inside"] = super::world_trace::json(&watched, &inside);
            }
            emit(&format!("{line}\n"))?;
        } else {
            emit(&format!("{}\n", report::text(&r, run.scripts())))?;
            if !inside.is_empty() {
                emit(&super::world_trace::text(&watched, &inside))?;
            }
        }
    }
    if !args.json {
        let secs = started.elapsed().as_secs_f64();
        let mut out = format!(
            "\n{ticks} ticks in {:.2} s ({:.0} ticks a second); final world hash {last_hash:016x}\n",
            secs,
            ticks as f64 / secs.max(1e-9)
        );
        for s in run.scripts() {
            let t = totals.remove(&s.id.0).unwrap_or_default();
            out.push_str(&format!(
                "  {:<16} {} fuel in {} slice(s), {} negative answer(s), {} fault(s), {}{}\n",
                aether_base::text::escape(&s.name),
                t.fuel,
                t.slices,
                t.refused,
                t.faults,
                t.state,
                t.reason
                    .map(|r| format!(": {}", aether_base::text::escape(&r)))
                    .unwrap_or_default()
            ));
        }
        if let Some(path) = &args.storage {
            let world = run.world();
            out.push_str(&format!(
                "storage kept in {} (last tick committed: {})\n",
                path.display(),
                world
                    .storage()
                    .committed_tick()
                    .map_or_else(|| "none".into(), |t| t.to_string())
            ));
        }
        emit(&out)?;
    }
    let refused = run.refused().len();
    if refused > 0 {
        anyhow::bail!(
            "{refused} script(s) refused at load (named before the first tick); the world ran \
             without them"
        );
    }
    Ok(())
}

#[derive(Default)]
struct Totals {
    fuel: u64,
    slices: u64,
    faults: u64,
    refused: u64,
    state: &'static str,
    reason: Option<String>,
}

fn header(scene: &Scene, path: &Path, run: &WorldRun, ticks: u64) -> String {
    let mut out = format!(
        "{} ({}): {} x {} tiles, {} entities, {} players, {} scripts, {ticks} ticks at {} a second\n",
        scene.name,
        path.display(),
        scene.width,
        scene.height,
        scene.entities.len(),
        scene.players.len(),
        run.scripts().len(),
        aether_world::TICKS_PER_SECOND
    );
    for s in run.scripts() {
        out.push_str(&format!(
            "  script {}: {} {} (priority {}, {} ms a tick) from {}\n",
            s.id.0,
            aether_base::text::escape(&s.name),
            aether_base::text::escape(&s.version),
            s.priority,
            s.limits.max_cpu_ms_per_tick,
            s.label
        ));
    }
    out
}

/// A world setup's scene (a built-in sample world by name, or a scene file) and every script
/// it runs: the scene's own (when it says so), then its own list, each with its priority and
/// limits.
pub fn setup_world(path: &Path) -> anyhow::Result<(Scene, Vec<ScriptSpec>)> {
    let setup = WorldSetup::load(path)?;
    let scene = if setup.scene.ends_with(".json") {
        Scene::load(Path::new(&setup.scene))?
    } else {
        creator_studio::samples::worlds()
            .map_err(anyhow::Error::msg)?
            .into_iter()
            .find(|(name, _)| *name == setup.scene)
            .map(|(_, s)| s)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: `scene` \"{}\" is not a built-in world ({}) nor a scene file (*.json)",
                    path.display(),
                    setup.scene,
                    creator_studio::samples::WORLDS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?
    };
    let mut specs = if setup.scene_scripts {
        creator_studio::samples::scene_scripts(&scene).map_err(anyhow::Error::msg)?
    } else {
        Vec::new()
    };
    specs.extend(setup.specs()?);
    Ok((scene, specs))
}

/// `world show`: the scene drawn as text.
pub fn show(scene: &Path) -> anyhow::Result<String> {
    Ok(Scene::load(scene)?.draw())
}
