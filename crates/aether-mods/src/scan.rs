//! Loading mod folders as the game does at start-up: one folder, or a whole mods directory
//! (AI controllers and world scripts; each folder's manifest says which).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::folder::{MAX_NATIVE_BYTES, ModError, fail, find_module, read_manifest};
use super::manifest::{ModManifest, Sandbox, WORLD_SCRIPT};
use super::sign::PublisherKey;
use super::world_script::{WorldScriptMod, read_world_script_mod};
use aether_base::fsutil::read_regular_file;
use aether_host::world::check_module;
use aether_host::{Controller, ControllerHost};
use aether_world::ScriptResourceLimits;

/// How mods are loaded: the host that runs WebAssembly controllers and the publisher key native
/// signatures are checked against.
#[derive(Debug)]
pub struct ModLoader<'h> {
    /// Runs and checks WebAssembly modules under the game's caps.
    pub host: &'h ControllerHost,
    /// The one key native mods must be signed with; `None` refuses every native mod.
    pub publisher_key: Option<PublisherKey>,
}

/// A mod the game would register.
#[derive(Debug)]
pub struct LoadedMod {
    /// Its folder.
    pub folder: PathBuf,
    /// Its manifest.
    pub manifest: ModManifest,
    /// The module or library file.
    pub module: PathBuf,
    /// For a WebAssembly mod: the loaded controller (its identity matches the manifest).
    pub controller: Option<Controller>,
}

impl LoadedMod {
    /// The identity the controller announces (for a native mod: the manifest's pairing).
    pub fn identity(&self) -> String {
        match &self.controller {
            Some(c) => c.identity().to_string(),
            None => self.manifest.identity(),
        }
    }
}

impl ModLoader<'_> {
    /// Loads one mod folder: the manifest, its one module, the identity pairing, the behaviour
    /// fingerprint when the manifest has one (the module is played on the corpus), and for
    /// native mods the signature. Reads only; nothing on disk changes.
    pub fn load(&self, folder: &Path) -> Result<LoadedMod, ModError> {
        if !folder.is_dir() {
            return Err(fail(folder, vec!["is not a folder".into()]));
        }
        let text = read_manifest(folder)?;
        let manifest = ModManifest::parse(&text).map_err(|problems| {
            fail(
                folder,
                problems
                    .iter()
                    .map(|p| format!("manifest.json: {p}"))
                    .collect(),
            )
        })?;
        let module = find_module(folder, manifest.sandbox)?;
        let name = module
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let limit = match manifest.sandbox {
            Sandbox::Wasm => self.host.limits().max_module_bytes as u64,
            Sandbox::Native => MAX_NATIVE_BYTES,
        };
        let bytes = read_regular_file(&module, limit)
            .map_err(|e| fail(folder, vec![format!("{name}: {e}")]))?;
        let controller = match manifest.sandbox {
            Sandbox::Wasm => {
                let controller = self
                    .host
                    .load(&bytes)
                    .map_err(|e| fail(folder, vec![format!("{name}: refused: {e}")]))?;
                manifest
                    .check_identity(controller.identity())
                    .map_err(|p| fail(folder, vec![format!("manifest.json: {p}")]))?;
                if let Some(recorded) = &manifest.fingerprint {
                    crate::fingerprint::check(recorded, &controller).map_err(|e| {
                        fail(folder, vec![format!("manifest.json: `fingerprint`: {e}")])
                    })?;
                }
                Some(controller)
            }
            Sandbox::Native => {
                let Some(key) = &self.publisher_key else {
                    return Err(fail(
                        folder,
                        vec![format!(
                            "{name}: native mod refused: no publisher key is configured (pass --publisher-key or set MC_PUBLISHER_KEY)"
                        )],
                    ));
                };
                let signature = manifest.signature.as_deref().unwrap_or_default();
                key.verify(&bytes, signature)
                    .map_err(|e| fail(folder, vec![format!("{name}: native mod refused: {e}")]))?;
                None
            }
        };
        Ok(LoadedMod {
            folder: folder.to_path_buf(),
            manifest,
            module,
            controller,
        })
    }

    /// Lists a mods directory as the game does at start-up: every sub-folder in name order
    /// (hidden ones, such as an export in progress, are not mods), each registered or skipped
    /// with its reasons. A second mod with an id or controller id already taken is skipped.
    pub fn scan(&self, dir: &Path) -> Result<ScanReport, ModError> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| fail(dir, vec![format!("cannot list the mods directory: {e}")]))?;
        let mut report = ScanReport::default();
        let mut folders = Vec::new();
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            match entry.file_type() {
                Ok(t) if t.is_dir() => folders.push(path),
                // A link could lead the game's reads anywhere on the disk.
                Ok(t) if t.is_symlink() && path.is_dir() => report.skipped.push(fail(
                    &path,
                    vec![
                        "is a symbolic link to a folder; the game loads only real folders inside its mods directory"
                            .into(),
                    ],
                )),
                // Loose files (a README, an archive) are not mods.
                _ => {}
            }
        }
        folders.sort();
        let mut ids: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut controllers: BTreeMap<String, PathBuf> = BTreeMap::new();
        for folder in folders {
            if declares_world_script(&folder) {
                let checked = read_world_script_mod(&folder).and_then(|w| {
                    let granted = w
                        .manifest
                        .limits
                        .apply(&ScriptResourceLimits::default())
                        .map_err(|p| fail(&folder, p))?;
                    check_module(&w.bytes, &granted)
                        .map_err(|e| fail(&folder, vec![format!("the module: {e}")]))?;
                    Ok(w)
                });
                match checked {
                    Ok(w) => match ids.get(&w.manifest.id) {
                        Some(first) => report.skipped.push(fail(
                            &folder,
                            vec![format!(
                                "manifest.json: `id` \"{}\" is already registered by {}",
                                w.manifest.id,
                                first.display()
                            )],
                        )),
                        None => {
                            ids.insert(w.manifest.id.clone(), folder.clone());
                            report.world_scripts.push(w);
                        }
                    },
                    Err(e) => report.skipped.push(e),
                }
                continue;
            }
            match self.load(&folder) {
                Ok(m) => {
                    if let Some(first) = ids.get(&m.manifest.id) {
                        report.skipped.push(fail(
                            &folder,
                            vec![format!(
                                "manifest.json: `id` \"{}\" is already registered by {}",
                                m.manifest.id,
                                first.display()
                            )],
                        ));
                    } else if let Some(first) = controllers.get(&m.manifest.controller_id) {
                        report.skipped.push(fail(
                            &folder,
                            vec![format!(
                                "manifest.json: `controller_id` \"{}\" is already registered by {}",
                                m.manifest.controller_id,
                                first.display()
                            )],
                        ));
                    } else {
                        ids.insert(m.manifest.id.clone(), folder.clone());
                        controllers.insert(m.manifest.controller_id.clone(), folder.clone());
                        report.registered.push(m);
                    }
                }
                Err(e) => report.skipped.push(e),
            }
        }
        Ok(report)
    }
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// Mods the game would register, in folder order.
    pub registered: Vec<LoadedMod>,
    /// World-script mods the game would register, in folder order (read and their modules
    /// checked; the world decides at load whether it grants what they ask).
    pub world_scripts: Vec<WorldScriptMod>,
    /// Folders skipped, with why.
    pub skipped: Vec<ModError>,
}

/// Whether the folder's manifest says `"kind": "world_script"` (read leniently: the kind only
/// picks which reader checks the manifest, and that reader names every problem).
pub fn declares_world_script(folder: &Path) -> bool {
    read_manifest(folder)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("kind").and_then(|k| k.as_str()) == Some(WORLD_SCRIPT))
}
