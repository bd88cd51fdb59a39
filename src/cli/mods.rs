//! `export`, `install`, `validate`, `scan` and `sign`: mod folders from the command line.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use aether_base::text::escape_path;
use aether_base::text::group_digits;
use aether_compile::CompilationProfile;
use aether_host::{ControllerHost, ControllerLimits};
use aether_lang::graph::ScriptKind;
use aether_mods::{
    LoadedMod, ModLoader, ModManifest, PublisherKey, PublisherSecret, SampleRun, ScanReport,
    WorldScriptManifest, WorldScriptMod, read_world_script_mod,
};
use aether_sample_world::{ScriptSpec, Storage, WorldRun};
use aether_world::{ScriptResourceLimits, ScriptState};
use anyhow::{Context as _, anyhow, bail};
use mc_tactical_types::TacticalState;

/// The sample states, built into the binary so `validate` works from any folder.
pub fn samples() -> anyhow::Result<Vec<(String, TacticalState)>> {
    let all = creator_studio::samples::scenarios().map_err(|e| anyhow!(e))?;
    Ok(all.into_iter().map(|(name, s)| (name, s.state)).collect())
}

/// The manifest fields a user may choose; the rest come from the graph.
#[derive(Debug, Default)]
pub struct ManifestFlags {
    /// `--id`; default: the graph's name as a slug.
    pub id: Option<String>,
    /// `--author`; default: the user name from the environment.
    pub author: Option<String>,
    /// `--controller-id`; default: `studio:<id>`.
    pub controller_id: Option<String>,
}

/// A manifest for either kind of script.
enum Manifest {
    Controller(ModManifest),
    World(WorldScriptManifest),
}

impl Manifest {
    fn id(&self) -> &str {
        match self {
            Manifest::Controller(m) => &m.id,
            Manifest::World(m) => &m.id,
        }
    }
}

/// Compiles `graph` (release profile) and builds its manifest from `flags`: a controller's, or
/// a world script's for a world-script graph.
fn compile_with_manifest(
    graph: &Path,
    flags: &ManifestFlags,
) -> anyhow::Result<(Manifest, Vec<u8>)> {
    let compiled = super::compile::compile_file(graph, CompilationProfile::Release)?;
    for w in &compiled.warnings {
        super::say(&w.to_string());
    }
    let g = &compiled.graph;
    if g.kind == ScriptKind::WorldScript {
        if flags.controller_id.is_some() {
            bail!(
                "{} is a world script: world scripts have no controller id, leave out --controller-id",
                graph.display()
            );
        }
        let mut manifest = WorldScriptManifest::for_graph(&g.name, &g.version);
        if let Some(id) = &flags.id {
            manifest.id = id.clone();
        }
        if let Some(author) = &flags.author {
            manifest.author = author.clone();
        }
        if let Err(problems) = WorldScriptManifest::parse(&manifest.to_json()) {
            let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
            bail!("the mod's manifest would be invalid:\n{}", lines.join("\n"));
        }
        return Ok((Manifest::World(manifest), compiled.artifact.wasm_bytes));
    }
    let mut manifest = ModManifest::for_graph(&g.name, &g.version);
    if let Some(id) = &flags.id {
        manifest.controller_id = format!("studio:{id}");
        manifest.id = id.clone();
    }
    if let Some(author) = &flags.author {
        manifest.author = author.clone();
    }
    if let Some(c) = &flags.controller_id {
        manifest.controller_id = c.clone();
    }
    manifest.fuel_bound = ModManifest::fuel_bound_of(g);
    // Every problem at once, before anything is written.
    if let Err(problems) = ModManifest::parse(&manifest.to_json()) {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        bail!("the mod's manifest would be invalid:\n{}", lines.join("\n"));
    }
    Ok((Manifest::Controller(manifest), compiled.artifact.wasm_bytes))
}

/// `export GRAPH --out DIR`: returns the report to print.
pub fn export(
    graph: &Path,
    out: &Path,
    flags: &ManifestFlags,
    replace: bool,
) -> anyhow::Result<String> {
    let (manifest, wasm) = compile_with_manifest(graph, flags)?;
    write_mod(&manifest, &wasm, out, replace)
}

/// Writes a compiled mod to `out`; returns the report to print.
fn write_mod(
    manifest: &Manifest,
    wasm: &[u8],
    out: &Path,
    replace: bool,
) -> anyhow::Result<String> {
    let manifest = match manifest {
        Manifest::Controller(m) => m,
        Manifest::World(m) => {
            let done = aether_mods::export_world_script(m, wasm, out, replace)?;
            let granted = m
                .limits
                .apply(&ScriptResourceLimits::default())
                .map_err(|p| anyhow!(p.join("; ")))?;
            return Ok(format!(
                "{} world-script mod \"{}\" ({}) to {}\n  {}\n  {} ({} bytes)\n  runs with: {}\n",
                if done.replaced {
                    "replaced"
                } else {
                    "exported"
                },
                m.id,
                m.identity(),
                done.folder.display(),
                done.folder.join("manifest.json").display(),
                done.module.display(),
                group_digits(wasm.len() as u64),
                granted.plain_words(),
            ));
        }
    };
    let host = ControllerHost::new(ControllerLimits::default())?;
    let done = aether_mods::export(&host, manifest, wasm, out, replace)?;
    Ok(format!(
        "{} mod \"{}\" ({}, controller {}) to {}\n  {}\n  {} ({} bytes)\n",
        if done.replaced {
            "replaced"
        } else {
            "exported"
        },
        manifest.id,
        manifest.identity(),
        manifest.controller_id,
        done.folder.display(),
        done.folder.join("manifest.json").display(),
        done.module.display(),
        group_digits(wasm.len() as u64),
    ))
}

/// The mods directory: the flag, else `$MC_MODS_DIR`, else the documents folder's.
pub fn mods_dir(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    match flag {
        Some(p) => Ok(p.to_path_buf()),
        None => aether_mods::default_mods_dir().ok_or_else(|| {
            anyhow!("cannot find your documents folder; pass --mods-dir or set MC_MODS_DIR")
        }),
    }
}

/// `install GRAPH`: export into `<mods dir>/<id>/`.
pub fn install(
    graph: &Path,
    mods_dir_flag: Option<&Path>,
    flags: &ManifestFlags,
    replace: bool,
) -> anyhow::Result<String> {
    let dir = mods_dir(mods_dir_flag)?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("{}: cannot create the mods directory", dir.display()))?;
    let (manifest, wasm) = compile_with_manifest(graph, flags)?;
    write_mod(&manifest, &wasm, &dir.join(manifest.id()), replace)
}

/// The publisher key: the flag, else `$MC_PUBLISHER_KEY`, else none.
pub fn publisher_key(flag: Option<&str>) -> anyhow::Result<Option<PublisherKey>> {
    let value = match flag {
        Some(v) => Some(v.to_owned()),
        None => std::env::var("MC_PUBLISHER_KEY")
            .ok()
            .filter(|v| !v.is_empty()),
    };
    value
        .map(|v| PublisherKey::from_arg(&v).map_err(|e| anyhow!("publisher key: {e}")))
        .transpose()
}

/// One registered mod in a line. Its text fields were checked for control characters when the
/// manifest was read; the folder name is escaped.
fn describe(m: &LoadedMod) -> String {
    format!(
        "{} — {} by {}, controller {}, {} mod built against mc-tactical-types {} (this game: {}, schema {})",
        m.manifest.id,
        m.identity(),
        m.manifest.author,
        m.manifest.controller_id,
        m.manifest.sandbox.name(),
        m.manifest.mc_tactical_types,
        mc_tactical_types::CRATE_VERSION,
        mc_tactical_types::SCHEMA_VERSION,
    )
}

/// `validate MOD_DIR`: the report, and whether the mod passed.
pub fn validate(folder: &Path, key: Option<PublisherKey>) -> anyhow::Result<(String, bool)> {
    // A folder that says it holds a world script is checked as one, and only as one: its
    // problems are a world script's (a newer contract, a limit), never a controller's.
    if aether_mods::declares_world_script(folder) {
        return match read_world_script_mod(folder) {
            Ok(m) => validate_world_script(&m),
            Err(e) => {
                let mut out = format!("refused: {}\n", escape_path(folder));
                for p in &e.problems {
                    let _ = writeln!(out, "  {p}");
                }
                Ok((out, false))
            }
        };
    }
    let host = super::guarded_host()?;
    let loader = ModLoader {
        host: &host,
        publisher_key: key,
    };
    let m = match loader.load(folder) {
        Ok(m) => m,
        Err(e) => {
            let mut out = format!("refused: {}\n", escape_path(folder));
            for p in &e.problems {
                let _ = writeln!(out, "  {p}");
            }
            return Ok((out, false));
        }
    };
    let mut out = format!("loads: {}\n", describe(&m));
    if m.controller.is_none() {
        out.push_str(
            "  signature valid; the studio never runs native code, so no turns were played\n",
        );
        return Ok((out, true));
    }
    match &m.manifest.fingerprint {
        Some(f) => {
            let _ = writeln!(
                out,
                "  fingerprint {f}: the module still replies as when it was exported ({} turns)",
                aether_mods::fingerprint::corpus().len()
            );
        }
        None => out.push_str(
            "  no fingerprint in the manifest (made by hand or by an older studio): export it \
             again to have one\n",
        ),
    }
    let runs = aether_mods::validate(&m, &samples()?);
    let _ = writeln!(
        out,
        "\n  {:<18} {:>4}  {:<10} {:>13}  {:>8}  {:>8}  deterministic",
        "sample", "slot", "outcome", "fuel", "proposed", "accepted"
    );
    for r in &runs {
        let _ = writeln!(out, "{}", run_line(r));
    }
    let passed = runs.iter().all(SampleRun::passed);
    let _ = writeln!(
        out,
        "\n{}: {} of {} turns good",
        if passed { "valid" } else { "NOT valid" },
        runs.iter().filter(|r| r.passed()).count(),
        runs.len()
    );
    Ok((out, passed))
}

fn run_line(r: &SampleRun) -> String {
    format!(
        "  {:<18} {:>4}  {:<10} {:>13}  {:>8}  {:>8}  {}",
        r.sample,
        r.slot,
        r.outcome.code(),
        group_digits(r.fuel),
        r.proposed,
        r.accepted,
        if r.deterministic { "yes" } else { "NO" }
    )
}

/// `scan [MODS_DIR]`: what the game would register and what it would skip.
pub fn scan(dir: &Path, key: Option<PublisherKey>) -> anyhow::Result<(String, ScanReport)> {
    let host = super::guarded_host()?;
    let loader = ModLoader {
        host: &host,
        publisher_key: key,
    };
    let report = loader.scan(dir)?;
    let mut out = format!(
        "{}: {} registered, {} skipped\n",
        escape_path(dir),
        report.registered.len() + report.world_scripts.len(),
        report.skipped.len()
    );
    for m in &report.registered {
        let _ = writeln!(out, "  registered {}", describe(m));
    }
    for w in &report.world_scripts {
        let m = &w.manifest;
        let _ = writeln!(
            out,
            "  registered {} — {} by {}, world script built against aether-world-types {} (this game: {}){}",
            m.id,
            m.identity(),
            m.author,
            m.aether_world_types,
            aether_world_types::CRATE_VERSION,
            m.priority
                .map_or(String::new(), |p| format!(", priority {p}")),
        );
    }
    for e in &report.skipped {
        let _ = writeln!(out, "  skipped    {}", escape_path(&e.folder));
        for p in &e.problems {
            let _ = writeln!(out, "             {p}");
        }
    }
    Ok((out, report))
}

/// `sign BINARY --key FILE [--write-manifest]`: the signature, and the manifest updated if asked.
pub fn sign(binary: &Path, key_file: &Path, write_manifest: bool) -> anyhow::Result<String> {
    let secret = PublisherSecret::load(key_file).map_err(|e| anyhow!(e))?;
    let bytes =
        aether_base::fsutil::read_bounded(binary, 4 * aether_base::fsutil::MAX_DOCUMENT_BYTES)
            .with_context(|| format!("{}: cannot read the binary", binary.display()))?;
    let signature = secret.sign(&bytes);
    let mut out = format!(
        "{signature}\n  signature of {} ({} bytes) under public key {}\n",
        binary.display(),
        group_digits(bytes.len() as u64),
        secret.public().to_hex()
    );
    if write_manifest {
        let manifest = binary.with_file_name("manifest.json");
        let text = aether_base::fsutil::read_text_bounded(
            &manifest,
            aether_base::fsutil::MAX_DOCUMENT_BYTES,
        )
        .with_context(|| format!("{}: cannot read", manifest.display()))?;
        // Put the signature in first: a native manifest is only valid with it.
        let mut v: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not valid JSON", manifest.display()))?;
        v["signature"] = serde_json::Value::String(signature);
        let m = ModManifest::parse(&v.to_string()).map_err(|problems| {
            let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
            anyhow!("{}: {}", manifest.display(), problems.join("; "))
        })?;
        aether_base::fsutil::write_atomic(&manifest, m.to_json().as_bytes())
            .with_context(|| format!("{}: cannot write", manifest.display()))?;
        let _ = writeln!(out, "  written to {}", manifest.display());
    }
    Ok(out)
}

/// `sign --new-key FILE`: a new key pair; the secret in FILE, the public key in FILE.pub.
pub fn new_key(file: &Path) -> anyhow::Result<String> {
    if file.exists() {
        bail!(
            "{}: already exists; a key is never overwritten",
            file.display()
        );
    }
    let secret = PublisherSecret::generate().map_err(|e| anyhow!(e))?;
    let public = secret.public().to_hex();
    let public_file = PathBuf::from(format!("{}.pub", file.display()));
    aether_base::fsutil::write_atomic(file, format!("{}\n", secret.to_hex()).as_bytes())
        .with_context(|| format!("{}: cannot write", file.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("{}: cannot make it private", file.display()))?;
    }
    aether_base::fsutil::write_atomic(&public_file, format!("{public}\n").as_bytes())
        .with_context(|| format!("{}: cannot write", public_file.display()))?;
    Ok(format!(
        "secret key: {} (keep it private)\npublic key: {} ({public})\n",
        file.display(),
        public_file.display()
    ))
}

/// Ticks a world-script validation runs in each sample world.
pub const VALIDATE_TICKS: u64 = 200;

/// What one validation run in one sample world gave.
struct WorldCheck {
    fuel: u64,
    refused: u64,
    faults: Vec<String>,
    state: String,
    disabled: bool,
    hashes: Vec<u64>,
}

fn run_world_check(
    scene: &aether_sample_world::Scene,
    spec: &ScriptSpec,
) -> anyhow::Result<WorldCheck> {
    let options = aether_sample_world::WorldOptions {
        compile_guard: super::world::compile_guard(),
        ..Default::default()
    };
    let mut run = WorldRun::open(
        scene,
        vec![Ok(spec.clone())],
        Storage::in_memory()?,
        options,
    )?;
    let mut out = WorldCheck {
        fuel: 0,
        refused: 0,
        faults: Vec::new(),
        state: "ready".into(),
        disabled: false,
        hashes: Vec::new(),
    };
    for _ in 0..VALIDATE_TICKS {
        let r = run.tick()?;
        out.hashes.push(r.hash);
        for s in &r.usage.scripts {
            out.fuel += s.fuel_used;
            out.refused += s.refused.values().map(|n| u64::from(*n)).sum::<u64>();
            out.faults
                .extend(s.faults.iter().map(|f| format!("tick {}: {f}", r.tick)));
            out.disabled = matches!(s.state, ScriptState::Disabled { .. });
            out.state = match &s.state {
                ScriptState::Disabled { reason } => format!("disabled: {reason}"),
                other => other.name().to_owned(),
            };
        }
    }
    Ok(out)
}

/// `validate` for a world-script mod: the script alone in each sample world for
/// [`VALIDATE_TICKS`] ticks, twice, compared tick by tick (the world hash); valid when it loads,
/// never faults, is never disabled and replays the same.
fn validate_world_script(m: &WorldScriptMod) -> anyhow::Result<(String, bool)> {
    let spec = match ScriptSpec::from_path(&m.folder) {
        Ok(s) => s,
        Err(e) => return Ok((format!("refused: {e}\n"), false)),
    };
    let mut out = format!(
        "loads: {} — {} by {}, world script built against aether-world-types {}\n",
        m.manifest.id,
        m.manifest.identity(),
        m.manifest.author,
        m.manifest.aether_world_types
    );
    let _ = writeln!(
        out,
        "\n  {:<10} {:>6}  {:>13}  {:>8}  {:>6}  {:<12} deterministic",
        "world", "ticks", "fuel", "refused", "faults", "state"
    );
    let mut passed = true;
    let mut notes = Vec::new();
    for (name, scene) in creator_studio::samples::worlds().map_err(|e| anyhow!(e))? {
        let first = match run_world_check(&scene, &spec) {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(out, "  {name:<10} refused: {e}");
                passed = false;
                continue;
            }
        };
        let second = run_world_check(&scene, &spec)?;
        let same = first.hashes == second.hashes && first.fuel == second.fuel;
        let ok = same && first.faults.is_empty() && !first.disabled;
        passed &= ok;
        let _ = writeln!(
            out,
            "  {name:<10} {:>6}  {:>13}  {:>8}  {:>6}  {:<12} {}",
            VALIDATE_TICKS,
            group_digits(first.fuel),
            first.refused,
            first.faults.len(),
            first.state,
            if same { "yes" } else { "NO" }
        );
        notes.extend(
            first
                .faults
                .iter()
                .take(3)
                .map(|f| format!("  {name}: {f}")),
        );
    }
    for n in notes {
        let _ = writeln!(out, "{n}");
    }
    let _ = writeln!(
        out,
        "\n{}: {}",
        if passed { "valid" } else { "NOT valid" },
        if passed {
            "ran in every sample world without a fault, the same every time"
        } else {
            "see the lines above"
        }
    );
    Ok((out, passed))
}
