//! The compile cache: machine code of functions cranelift compiled before, so an edited graph
//! pays only for the functions that changed.
//!
//! Wasmtime's incremental compilation asks a [`CacheStore`] for each function by a key that
//! hashes everything its code depends on (its body, the signatures it calls, the engine's
//! settings); a hit skips code generation for that function. A compiled graph is mostly the
//! runtime library, which never changes between edits, so an edit, a new version string or a
//! restarted studio finds nearly every function in the cache.
//!
//! [`CompileCache`] keeps entries in memory and, when given a folder, on disk too (one file per
//! key, written atomically), so the studio's next start and the command line benefit. The folder
//! is the user's own (the studio's home); entries are only ever produced by this program's
//! compiler from modules it was asked to compile. When the folder holds more than
//! [`MAX_DISK_ENTRIES`] files it is emptied and refilled as code is compiled again.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use wasmtime::CacheStore;

/// Largest entry kept (an entry is one function's compiled code and its metadata).
pub const MAX_ENTRY_BYTES: u64 = 8 * 1024 * 1024;
/// Most files the folder holds before it is emptied.
pub const MAX_DISK_ENTRIES: usize = 20_000;

#[derive(Debug, Default)]
struct Inner {
    dir: Option<PathBuf>,
    memory: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
}

/// A compile cache shared by every engine given it (cloning shares it).
#[derive(Clone, Debug, Default)]
pub struct CompileCache(Arc<Inner>);

impl PartialEq for CompileCache {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for CompileCache {}

impl CompileCache {
    /// A cache in memory only (gone with the process).
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// A cache in memory and in `dir` (created when first written; emptied first when it holds
    /// more than [`MAX_DISK_ENTRIES`] files).
    pub fn on_disk(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        if std::fs::read_dir(&dir).is_ok_and(|d| d.count() > MAX_DISK_ENTRIES) {
            let _ = std::fs::remove_dir_all(&dir);
        }
        CompileCache(Arc::new(Inner {
            dir: Some(dir),
            memory: Mutex::new(HashMap::new()),
        }))
    }

    /// The folder, if the cache has one.
    pub fn dir(&self) -> Option<&Path> {
        self.0.dir.as_deref()
    }

    /// Entries held in memory.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is held in memory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The store wasmtime is given.
    pub(crate) fn store(&self) -> Arc<dyn CacheStore> {
        Arc::new(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<u8>, Vec<u8>>> {
        self.0.memory.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The file of `key`: its bytes in hex (keys are short hashes); `None` for a key too long
    /// for a file name, which stays in memory.
    fn file(&self, key: &[u8]) -> Option<PathBuf> {
        let dir = self.0.dir.as_ref()?;
        if key.is_empty() || key.len() > 64 {
            return None;
        }
        let name: String = key.iter().map(|b| format!("{b:02x}")).collect();
        Some(dir.join(name))
    }
}

impl CacheStore for CompileCache {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        if let Some(v) = self.lock().get(key) {
            return Some(Cow::Owned(v.clone()));
        }
        let file = self.file(key)?;
        let bytes = aether_base::fsutil::read_regular_file(&file, MAX_ENTRY_BYTES).ok()?;
        self.lock().insert(key.to_vec(), bytes.clone());
        Some(Cow::Owned(bytes))
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        if value.len() as u64 > MAX_ENTRY_BYTES {
            return false;
        }
        if let Some(file) = self.file(key) {
            // A cache that cannot be written is only slower: the compile goes on.
            if let Some(dir) = file.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = write_entry(&file, &value);
        }
        self.lock().insert(key.to_vec(), value);
        true
    }
}

/// Writes an entry beside its place, then renames it there: a reader never sees half of it.
/// Not flushed to disk: after a crash an entry may be missing or empty, and an entry that does
/// not read back is a miss, never wrong code (the compiler checks what it reads).
fn write_entry(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = aether_base::fsutil::temp_beside(file);
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes))
        .and_then(|()| std::fs::rename(&tmp, file));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
