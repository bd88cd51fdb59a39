//! Writing a mod folder: `manifest.json` and `<id>.opt.wasm` (a world script: `<id>.wasm`), all
//! at once or not at all.
//!
//! The folder is built beside its destination under a hidden, unpredictable name
//! (`.<name>.export-<pid>-<random>`, created fresh so nothing already there is written into),
//! every file flushed to disk, then put in place with one rename. When the destination already
//! exists, Linux swaps the two folders atomically (`renameat2(RENAME_EXCHANGE)`), so a process
//! killed at any moment leaves the old folder or the new one, never a mix or neither; the old one
//! is then removed. Elsewhere the old folder is first renamed aside, and a later export (or
//! [`recover`]) puts it back if the process died in between. Hidden folders are never mods, so a
//! leftover staging folder is never registered; the next export to the same place removes it.

use std::path::{Path, PathBuf};

use super::manifest::{ModManifest, Sandbox};
use super::world_script::WorldScriptManifest;
use aether_host::ControllerHost;
use aether_host::world::check_module;
use aether_world::ScriptResourceLimits;

/// The file name an exported module gets: `<id>.opt.wasm`.
pub fn module_file_name(manifest: &ModManifest) -> String {
    format!("{}.opt.wasm", manifest.id)
}

/// Environment variable naming a step at which an export aborts the process, for the crash
/// tests: `staged` (new folder written, nothing replaced) or `swapped` (new folder in place, old
/// one not yet removed).
pub const ABORT_AT_ENV: &str = "CREATOR_STUDIO_EXPORT_ABORT_AT";

fn checkpoint(step: &str) {
    if std::env::var(ABORT_AT_ENV).is_ok_and(|s| s == step) {
        std::process::abort();
    }
}

/// Why an export did not happen. The destination is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The manifest has problems; each is listed.
    #[error("the manifest is not valid: {}", .0.join("; "))]
    Manifest(Vec<String>),
    /// The module is not one the game would load.
    #[error("the module would be refused by the game: {0}")]
    Module(String),
    /// The destination holds something else.
    #[error("{path}: {why}")]
    Destination {
        /// The destination folder.
        path: PathBuf,
        /// What is there and what to do.
        why: String,
    },
    /// Writing failed.
    #[error("{path}: {action} failed: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The system's error.
        source: std::io::Error,
    },
}

fn io(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> ExportError + use<> {
    let path = path.to_path_buf();
    move |source| ExportError::Io {
        path,
        action,
        source,
    }
}

/// What an export wrote.
#[derive(Debug)]
pub struct Exported {
    /// The mod folder.
    pub folder: PathBuf,
    /// The module file in it.
    pub module: PathBuf,
    /// Whether an older version of the same mod was replaced.
    pub replaced: bool,
}

/// Writes `wasm` with `manifest` as the mod folder `dest`.
///
/// Checks first, writing nothing if any check fails: the manifest is valid and says
/// `sandbox: "wasm"`; the host accepts the module and its identity pairs with the manifest; `dest`
/// is new, empty, or holds a mod with the same id (or `replace_other` is set). The manifest
/// written carries the module's behaviour fingerprint ([`crate::fingerprint`]).
pub fn export(
    host: &ControllerHost,
    manifest: &ModManifest,
    wasm: &[u8],
    dest: &Path,
    replace_other: bool,
) -> Result<Exported, ExportError> {
    let text = manifest.to_json();
    let checked = ModManifest::parse(&text)
        .map_err(|ps| ExportError::Manifest(ps.iter().map(ToString::to_string).collect()))?;
    if checked.sandbox != Sandbox::Wasm {
        return Err(ExportError::Manifest(vec![
            "`sandbox` must be \"wasm\" for an exported graph".into(),
        ]));
    }
    let controller = host
        .load(wasm)
        .map_err(|e| ExportError::Module(e.to_string()))?;
    checked
        .check_identity(controller.identity())
        .map_err(|p| ExportError::Manifest(vec![p.to_string()]))?;
    let mut checked = checked;
    checked.fingerprint = Some(crate::fingerprint::fingerprint(&controller));
    let text = checked.to_json();
    write_folder(
        &checked.id,
        &text,
        &module_file_name(&checked),
        wasm,
        dest,
        replace_other,
    )
}

/// Writes a world-script graph's module with `manifest` as the mod folder `dest`, with the same
/// checks and the same staging as [`export`]: the manifest is valid, the module passes the
/// world runtime's checks (contract imports and exports, shape, memory under the default
/// grant), and `dest` may be written.
pub fn export_world_script(
    manifest: &WorldScriptManifest,
    wasm: &[u8],
    dest: &Path,
    replace_other: bool,
) -> Result<Exported, ExportError> {
    let text = manifest.to_json();
    let checked = WorldScriptManifest::parse(&text)
        .map_err(|ps| ExportError::Manifest(ps.iter().map(ToString::to_string).collect()))?;
    let granted = checked
        .limits
        .apply(&ScriptResourceLimits::default())
        .map_err(ExportError::Manifest)?;
    check_module(wasm, &granted).map_err(|e| ExportError::Module(e.to_string()))?;
    let module_name = format!("{}.wasm", checked.id);
    write_folder(&checked.id, &text, &module_name, wasm, dest, replace_other)
}

/// Stages `manifest.json` and the module beside `dest`, then swaps the folder into place.
fn write_folder(
    id: &str,
    text: &str,
    module_name: &str,
    wasm: &[u8],
    dest: &Path,
    replace_other: bool,
) -> Result<Exported, ExportError> {
    recover(dest)?;
    let replaced = check_destination(dest, id, replace_other)?;

    let staging = create_staging(dest)?;
    write_synced(&staging.join("manifest.json"), text.as_bytes())?;
    write_synced(&staging.join(module_name), wasm)?;
    sync_dir(&staging)?;
    checkpoint("staged");

    // An existing destination (a mod to replace, or an empty folder) is swapped out.
    if dest.exists() {
        swap_into_place(&staging, dest)?;
        checkpoint("swapped");
        remove_if_present(&staging)?;
    } else {
        std::fs::rename(&staging, dest).map_err(io(dest, "moving the new folder into place"))?;
    }
    if let Some(parent) = dest.parent() {
        let _ = sync_dir(parent);
    }
    Ok(Exported {
        folder: dest.to_path_buf(),
        module: dest.join(module_name),
        replaced,
    })
}

/// Whether `dest` may be written: `Ok(true)` if it holds a mod to replace, `Ok(false)` if it is
/// new or empty.
fn check_destination(dest: &Path, id: &str, replace_other: bool) -> Result<bool, ExportError> {
    if !dest.exists() {
        return Ok(false);
    }
    let refuse = |why: String| {
        Err(ExportError::Destination {
            path: dest.to_path_buf(),
            why,
        })
    };
    if !dest.is_dir() {
        return refuse("is a file, not a folder; choose a folder for the mod".into());
    }
    let mut entries = std::fs::read_dir(dest).map_err(io(dest, "listing the destination"))?;
    if entries.next().is_none() {
        return Ok(false);
    }
    if replace_other {
        return Ok(true);
    }
    let existing = aether_base::fsutil::read_text_bounded(
        &dest.join("manifest.json"),
        aether_base::fsutil::MAX_DOCUMENT_BYTES,
    )
    .ok()
    .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned));
    match existing {
        Some(other) if other == id => Ok(true),
        Some(other) => refuse(format!(
            "holds the mod \"{other}\", not \"{id}\"; choose another folder, or replace it on purpose (--replace)"
        )),
        None => refuse(
            "is not empty and holds no mod; choose a new or empty folder, or replace it on purpose (--replace)".into(),
        ),
    }
}

/// `.<name>.<what>-<pid>-<random>` beside `path`: unpredictable, so nothing can be placed at
/// that name beforehand.
fn hidden_beside(path: &Path, what: &str) -> Result<PathBuf, ExportError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| ExportError::Destination {
            path: path.to_path_buf(),
            why: "has no folder name".into(),
        })?;
    let mut nonce = [0u8; 8];
    // Without an entropy source the name still differs by process id and time.
    if getrandom::fill(&mut nonce).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        nonce = t.to_le_bytes();
    }
    Ok(path.with_file_name(format!(
        ".{name}.{what}-{}-{:016x}",
        std::process::id(),
        u64::from_le_bytes(nonce)
    )))
}

/// Creates a fresh, empty staging folder beside `dest`. `create_dir` fails if anything (a file,
/// a link) already has the name, so the export never writes into something it did not create.
fn create_staging(dest: &Path) -> Result<PathBuf, ExportError> {
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent, "creating the mods folder"))?;
    }
    let mut last = None;
    for _ in 0..8 {
        let staging = hidden_beside(dest, "export")?;
        match std::fs::create_dir(&staging) {
            Ok(()) => return Ok(staging),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(io(&staging, "creating the staging folder")(e)),
        }
    }
    let e = last.unwrap_or_else(|| std::io::Error::other("no free name"));
    Err(io(dest, "creating the staging folder")(e))
}

/// Hidden folders a killed export left beside `dest`: `(staging, aside)`.
fn leftovers(dest: &Path) -> Vec<PathBuf> {
    let (Some(parent), Some(name)) = (dest.parent(), dest.file_name()) else {
        return Vec::new();
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let name = name.to_string_lossy();
    let ours = |n: &str| {
        [".export-", ".aside-"]
            .iter()
            .any(|what| n.starts_with(&format!(".{name}{what}")))
    };
    // Only real folders are leftovers of ours: a file or a link with such a name is someone
    // else's and is left alone (it never stops an export).
    let mut found: Vec<PathBuf> = std::fs::read_dir(parent)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| ours(&e.file_name().to_string_lossy()))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Finishes or undoes an export a killed process left half done at `dest`: if `dest` is gone and
/// the old folder was set aside, it is put back; leftover staging folders are removed.
pub fn recover(dest: &Path) -> Result<(), ExportError> {
    for left in leftovers(dest) {
        let name = left
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.contains(".aside-") && !dest.exists() {
            std::fs::rename(&left, dest).map_err(io(dest, "restoring the previous folder"))?;
        } else {
            remove_if_present(&left)?;
        }
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn swap_into_place(staging: &Path, dest: &Path) -> Result<(), ExportError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staging, CWD, dest, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // File systems without RENAME_EXCHANGE: set the old folder aside first.
        Err(_) => swap_by_renames(staging, dest),
    }
}

#[cfg(not(target_os = "linux"))]
fn swap_into_place(staging: &Path, dest: &Path) -> Result<(), ExportError> {
    swap_by_renames(staging, dest)
}

/// Two renames; a crash between them is undone by [`recover`]. Leaves the old folder at
/// `staging`'s name so the caller removes it the same way as after an exchange.
fn swap_by_renames(staging: &Path, dest: &Path) -> Result<(), ExportError> {
    let aside = hidden_beside(dest, "aside")?;
    std::fs::rename(dest, &aside).map_err(io(dest, "setting the old folder aside"))?;
    if let Err(e) = std::fs::rename(staging, dest) {
        let _ = std::fs::rename(&aside, dest);
        return Err(io(dest, "moving the new folder into place")(e));
    }
    std::fs::rename(&aside, staging).map_err(io(staging, "moving the old folder away"))
}

/// Removes a folder this module created; a link at that path is removed, never followed.
fn remove_if_present(path: &Path) -> Result<(), ExportError> {
    let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    let removed = if is_dir {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(io(path, "removing a leftover folder")(e))
        }
        _ => Ok(()),
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    use std::io::Write as _;
    let mut f = std::fs::File::create(path).map_err(io(path, "creating the file"))?;
    f.write_all(bytes).map_err(io(path, "writing the file"))?;
    f.sync_all().map_err(io(path, "flushing the file to disk"))
}

fn sync_dir(path: &Path) -> Result<(), ExportError> {
    // Directories can be opened and synced on Unix; elsewhere this is a no-op.
    #[cfg(unix)]
    {
        std::fs::File::open(path)
            .and_then(|d| d.sync_all())
            .map_err(io(path, "flushing the folder to disk"))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The game's mods directory: `$MC_MODS_DIR` if set, else
/// `<documents>/MagicCivilization/mods`, where `<documents>` is the platform's documents folder
/// as the `directories` crate finds it (`$XDG_DOCUMENTS_DIR` or `user-dirs.dirs` on Linux, the
/// Documents known folder on Windows, `~/Documents` on macOS), else `Documents` in home.
pub fn default_mods_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MC_MODS_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    documents_dir().map(|d| d.join("MagicCivilization").join("mods"))
}

fn documents_dir() -> Option<PathBuf> {
    // The platform's own answer: the XDG user directories on Linux (`user-dirs.dirs`), the Known
    // Folder on Windows, `~/Documents` on macOS; where none is configured, `Documents` in home.
    if cfg!(target_os = "linux")
        && let Some(dir) = std::env::var_os("XDG_DOCUMENTS_DIR").filter(|d| !d.is_empty())
    {
        return Some(PathBuf::from(dir));
    }
    let user = directories::UserDirs::new()?;
    Some(
        user.document_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| user.home_dir().join("Documents")),
    )
}
