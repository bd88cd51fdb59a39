//! Reading a mod folder's parts as the game does: the text of its manifest and its one module,
//! each a regular file of bounded size, and the error that names every problem of a folder.

use std::fmt;
use std::path::{Path, PathBuf};

use aether_base::fsutil::{ReadRefusal, read_regular_file};

use super::manifest::Sandbox;

/// File extensions of native controller libraries.
pub const NATIVE_EXTENSIONS: [&str; 3] = ["so", "dylib", "dll"];

/// Largest `manifest.json` read: a manifest is a few hundred bytes.
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024;
/// Largest native library read to check its signature.
pub const MAX_NATIVE_BYTES: u64 = 256 * 1024 * 1024;

/// Why a folder is not a mod the game would register: one line per problem, each naming the
/// file it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModError {
    /// The folder.
    pub folder: PathBuf,
    /// What is wrong, one problem per entry.
    pub problems: Vec<String>,
}

impl fmt::Display for ModError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            aether_base::text::escape_path(&self.folder),
            self.problems.join("; ")
        )
    }
}

impl std::error::Error for ModError {}

/// A [`ModError`]; every problem is [escaped](aether_base::text::escape), since it may quote the
/// manifest, a file name or the module's own words.
pub fn fail(folder: &Path, problems: Vec<String>) -> ModError {
    ModError {
        folder: folder.to_path_buf(),
        problems: problems
            .into_iter()
            .map(|p| aether_base::text::escape(&p).into_owned())
            .collect(),
    }
}

/// The one module of a mod folder: a `.wasm` for a WebAssembly mod, a `.so`, `.dylib` or `.dll`
/// for a native one.
pub fn find_module(folder: &Path, sandbox: Sandbox) -> Result<PathBuf, ModError> {
    let wanted: &[&str] = match sandbox {
        Sandbox::Wasm => &["wasm"],
        Sandbox::Native => &NATIVE_EXTENSIONS,
    };
    // Every file with a module's extension counts, whatever it is: a link or a FIFO named
    // `ai.wasm` is refused by name when it is read, never followed or opened.
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| fail(folder, vec![format!("cannot list the folder: {e}")]))?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| wanted.iter().any(|w| x == *w))
        })
        .collect();
    found.sort();
    let what = match sandbox {
        Sandbox::Wasm => "a .wasm module",
        Sandbox::Native => "a native library (.so, .dylib or .dll)",
    };
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(fail(
            folder,
            vec![format!(
                "holds no module: `sandbox` \"{}\" needs {what} beside manifest.json",
                sandbox.name()
            )],
        )),
        n => Err(fail(
            folder,
            vec![format!(
                "holds {n} modules ({}); a mod holds exactly one",
                found
                    .iter()
                    .filter_map(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
        )),
    }
}

/// The text of `folder/manifest.json` (regular file, bounded, UTF-8), or the problem naming it.
pub fn read_manifest(folder: &Path) -> Result<String, ModError> {
    match read_regular_file(&folder.join("manifest.json"), MAX_MANIFEST_BYTES) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            fail(
                folder,
                vec![format!(
                    "manifest.json: is not UTF-8 text (invalid byte at position {})",
                    e.utf8_error().valid_up_to()
                )],
            )
        }),
        Err(ReadRefusal::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Err(fail(
            folder,
            vec![
                "has no manifest.json (a mod folder holds manifest.json beside its module)".into(),
            ],
        )),
        Err(e) => Err(fail(folder, vec![format!("manifest.json: {e}")])),
    }
}
