//! Script storage in an embedded database (redb): one table per script, each tick's writes
//! committed together.
//!
//! A script's namespace is the table `script:<name>`, named by the script's announced name, so
//! the same script finds its data again in the next run of a world kept on disk. The name is the
//! whole key: any script announcing it, from any file or mod, gets that table (documented in
//! the world-script contract; a storage file is shared by every script run on it). Writes made
//! during a tick wait in memory (reads see them at once) and are committed in one transaction
//! when the tick ends, together with the tick's number in the `meta` table: a world killed at
//! any moment reopens with every tick committed before, and nothing of the tick it was in.
//! Ticks without writes commit nothing (no disk work). A file written by a newer format is
//! refused untouched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, TableHandle};

/// The storage file format this crate reads and writes (the `format` entry of `meta`).
pub const STORAGE_FORMAT: u64 = 1;

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

const META: TableDefinition<'_, &str, u64> = TableDefinition::new("meta");

/// Why storage could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database could not be opened (not a storage file, damaged, locked, too new).
    #[error("{}: cannot open the world's storage: {message}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why, in words.
        message: String,
    },
    /// Reading or committing failed.
    #[error("{where_}: the world's storage failed: {message}")]
    Failed {
        /// The file, or "in-memory storage".
        where_: String,
        /// Why.
        message: String,
    },
}

/// The world's storage: a database (on disk or in memory) and the tick's pending writes.
pub struct Storage {
    db: Database,
    /// Where it lives, for messages.
    place: String,
    /// Namespace of each script, by the world's script number.
    namespaces: BTreeMap<u32, String>,
    /// Bytes (keys + values) each namespace holds, pending writes included.
    used: BTreeMap<u32, u64>,
    /// This tick's writes: (script, key) -> value.
    pending: BTreeMap<(u32, Vec<u8>), Vec<u8>>,
    /// The last tick committed.
    committed: Option<u64>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("place", &self.place)
            .field("namespaces", &self.namespaces)
            .field("pending", &self.pending.len())
            .field("committed", &self.committed)
            .finish_non_exhaustive()
    }
}

fn words(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Opens a copy of the storage file at `path` (recovering the copy if it needs it), checks
/// redb's integrity and reads every entry of every table, catching any panic inside redb: the
/// reason the file cannot be used, if it cannot. The copy is removed; `path` is only read.
fn check_a_copy(path: &Path) -> Result<(), String> {
    static CHECKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let copy = std::env::temp_dir().join(format!(
        "aether-storage-check-{}-{}.redb",
        std::process::id(),
        CHECKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::copy(path, &copy).map_err(|e| format!("it could not be copied to check it: {e}"))?;
    let walk = || -> Result<(), String> {
        let mut db = Database::create(&copy).map_err(words)?;
        if !db.check_integrity().map_err(words)? {
            return Err("its pages do not add up".into());
        }
        let read = db.begin_read().map_err(words)?;
        for table in read.list_tables().map_err(words)? {
            let name = table.name().to_owned();
            if name == "meta" {
                let t = read.open_table(META).map_err(words)?;
                for entry in t.iter().map_err(words)? {
                    let (k, v) = entry.map_err(words)?;
                    let _ = (k.value().len(), v.value());
                }
            } else if name.starts_with("script:") {
                let t = read
                    .open_table(TableDefinition::<&[u8], &[u8]>::new(&name))
                    .map_err(words)?;
                for entry in t.iter().map_err(words)? {
                    let (k, v) = entry.map_err(words)?;
                    let _ = (k.value().len(), v.value().len());
                }
            }
        }
        Ok(())
    };
    // A panic inside redb is the damage's symptom: caught, and kept off the user's terminal.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(walk);
    std::panic::set_hook(hook);
    let _ = std::fs::remove_file(&copy);
    match result {
        Ok(r) => r,
        Err(_) => Err("reading it stops inside the database".into()),
    }
}

impl Storage {
    /// Storage that lives in memory and is gone when the world ends (the default for a run).
    pub fn in_memory() -> Result<Storage, StorageError> {
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|e| StorageError::Failed {
                where_: "in-memory storage".into(),
                message: words(e),
            })?;
        Storage::start(db, "in-memory storage".into(), None)
    }

    /// Opens (or creates) the storage file at `path`. A file that is not a storage file, or was
    /// written by a newer format, is refused and left as it was.
    pub fn open(path: &Path) -> Result<Storage, StorageError> {
        let open = |message: String| StorageError::Open {
            path: path.to_path_buf(),
            message,
        };
        if let Ok(meta) = std::fs::symlink_metadata(path)
            && !meta.file_type().is_file()
        {
            return Err(open("it is not a regular file".into()));
        }
        // Look before writing: opening for writing updates the file's header, so a file this
        // studio must refuse (not a database, a newer format) is first opened read-only. One that
        // needs recovery after a crash cannot be opened read-only; opening it for writing below
        // recovers it to its last committed tick.
        let exists = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        if exists {
            // Damage redb would only find mid-run (some damaged pages make it panic after the
            // world has started, and after it has written to the file) is found first, on a
            // copy: the file itself is not touched unless it is whole.
            check_a_copy(path).map_err(|why| {
                open(format!(
                    "it is not a world storage file, or it is damaged ({why}); it was left as \
                     it was: restore a copy, or use another file"
                ))
            })?;
            match Database::builder().open_read_only(path) {
                Ok(ro) => {
                    let format = ro
                        .begin_read()
                        .ok()
                        .and_then(|r| r.open_table(META).ok())
                        .and_then(|t| t.get("format").ok().flatten().map(|v| v.value()));
                    if let Some(f) = format
                        && f > STORAGE_FORMAT
                    {
                        return Err(open(format!(
                            "it was written by a newer studio (storage format {f}; this one reads {STORAGE_FORMAT}); update the studio, or use another file"
                        )));
                    }
                }
                Err(redb::DatabaseError::RepairAborted) => {}
                Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                    return Err(open(
                        "another program (or another world run) has it open; close it first".into(),
                    ));
                }
                Err(other) => {
                    return Err(open(format!(
                        "it is not a world storage file, or it is damaged ({other})"
                    )));
                }
            }
        }
        let db = Database::create(path).map_err(|e| {
            open(match e {
                redb::DatabaseError::DatabaseAlreadyOpen => {
                    "another program (or another world run) has it open; close it first".into()
                }
                redb::DatabaseError::UpgradeRequired(v) => {
                    format!("it is in an older database format ({v}) this studio cannot open")
                }
                other => format!("it is not a world storage file, or it is damaged ({other})"),
            })
        })?;
        Storage::start(db, path.display().to_string(), Some(path))
    }

    fn start(db: Database, place: String, path: Option<&Path>) -> Result<Storage, StorageError> {
        let failed = |e: String| match path {
            Some(p) => StorageError::Open {
                path: p.to_path_buf(),
                message: e,
            },
            None => StorageError::Failed {
                where_: place.clone(),
                message: e,
            },
        };
        // Read the format before writing anything, so a newer file is left untouched.
        let (format, committed) = {
            let read = db.begin_read().map_err(|e| failed(words(e)))?;
            match read.open_table(META) {
                Ok(meta) => {
                    let get = |k: &str| {
                        meta.get(k)
                            .map(|v| v.map(|v| v.value()))
                            .map_err(|e| failed(words(e)))
                    };
                    (get("format")?, get("tick")?)
                }
                Err(redb::TableError::TableDoesNotExist(_)) => (None, None),
                Err(e) => return Err(failed(words(e))),
            }
        };
        match format {
            Some(f) if f > STORAGE_FORMAT => {
                return Err(failed(format!(
                    "it was written by a newer studio (storage format {f}; this one reads {STORAGE_FORMAT}); update the studio, or use another file"
                )));
            }
            Some(_) => {}
            None => {
                let write = db.begin_write().map_err(|e| failed(words(e)))?;
                {
                    let mut meta = write.open_table(META).map_err(|e| failed(words(e)))?;
                    meta.insert("format", STORAGE_FORMAT)
                        .map_err(|e| failed(words(e)))?;
                }
                write.commit().map_err(|e| failed(words(e)))?;
            }
        }
        Ok(Storage {
            db,
            place,
            namespaces: BTreeMap::new(),
            used: BTreeMap::new(),
            pending: BTreeMap::new(),
            committed,
        })
    }

    fn failed(&self, e: impl std::fmt::Display) -> StorageError {
        StorageError::Failed {
            where_: self.place.clone(),
            message: e.to_string(),
        }
    }

    /// The last tick whose writes were committed (`None` if none ever was).
    pub fn committed_tick(&self) -> Option<u64> {
        self.committed
    }

    /// Gives script `script` the namespace `name` and counts what it already holds.
    pub fn attach(&mut self, script: u32, name: &str) -> Result<(), StorageError> {
        let table = table_name(name);
        let read = self.db.begin_read().map_err(|e| self.failed(e))?;
        let used = match read.open_table(TableDefinition::<&[u8], &[u8]>::new(&table)) {
            Ok(t) => {
                let mut sum = 0u64;
                for entry in t.iter().map_err(|e| self.failed(e))? {
                    let (k, v) = entry.map_err(|e| self.failed(e))?;
                    sum += (k.value().len() + v.value().len()) as u64;
                }
                sum
            }
            Err(redb::TableError::TableDoesNotExist(_)) => 0,
            Err(e) => return Err(self.failed(e)),
        };
        self.namespaces.insert(script, table);
        self.used.insert(script, used);
        Ok(())
    }

    /// The value `script` stored under `key`, this tick's writes included.
    pub fn read(&self, script: u32, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        if let Some(v) = self.pending.get(&(script, key.to_vec())) {
            return Ok(Some(v.clone()));
        }
        let Some(table) = self.namespaces.get(&script) else {
            return Ok(None);
        };
        let read = self.db.begin_read().map_err(|e| self.failed(e))?;
        match read.open_table(TableDefinition::<&[u8], &[u8]>::new(table)) {
            Ok(t) => Ok(t
                .get(key)
                .map_err(|e| self.failed(e))?
                .map(|v| v.value().to_vec())),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// Stores `value` under `key` for `script`, committed when the tick ends.
    pub fn write(&mut self, script: u32, key: &[u8], value: &[u8]) -> Result<(), StorageError> {
        let old = self.read(script, key)?;
        let used = self.used.entry(script).or_default();
        match old {
            Some(old) => *used = used.saturating_sub(old.len() as u64) + value.len() as u64,
            None => *used += (key.len() + value.len()) as u64,
        }
        self.pending.insert((script, key.to_vec()), value.to_vec());
        Ok(())
    }

    /// Bytes `script`'s namespace holds (keys and values), this tick's writes included.
    pub fn used(&self, script: u32) -> u64 {
        self.used.get(&script).copied().unwrap_or(0)
    }

    /// This tick's writes, in (script, key) order.
    pub fn pending(&self) -> impl Iterator<Item = (u32, &[u8], &[u8])> {
        self.pending
            .iter()
            .map(|((s, k), v)| (*s, k.as_slice(), v.as_slice()))
    }

    /// Commits this tick's writes, with the tick's number, in one transaction. Nothing to write
    /// commits nothing.
    pub fn commit(&mut self, tick: u64) -> Result<(), StorageError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let write = self.db.begin_write().map_err(|e| self.failed(e))?;
        for ((script, key), value) in &self.pending {
            let Some(name) = self.namespaces.get(script) else {
                continue;
            };
            let mut t = write
                .open_table(TableDefinition::<&[u8], &[u8]>::new(name))
                .map_err(|e| self.failed(e))?;
            t.insert(key.as_slice(), value.as_slice())
                .map_err(|e| self.failed(e))?;
        }
        {
            let mut meta = write.open_table(META).map_err(|e| self.failed(e))?;
            meta.insert("tick", tick).map_err(|e| self.failed(e))?;
        }
        write.commit().map_err(|e| self.failed(e))?;
        self.pending.clear();
        self.committed = Some(tick);
        Ok(())
    }

    /// Every key and value of the namespace `name`, as committed (for `world show`, tests).
    pub fn dump(&self, name: &str) -> Result<Vec<Entry>, StorageError> {
        let table = table_name(name);
        let read = self.db.begin_read().map_err(|e| self.failed(e))?;
        match read.open_table(TableDefinition::<&[u8], &[u8]>::new(&table)) {
            Ok(t) => {
                let mut out = Vec::new();
                for entry in t.iter().map_err(|e| self.failed(e))? {
                    let (k, v) = entry.map_err(|e| self.failed(e))?;
                    out.push((k.value().to_vec(), v.value().to_vec()));
                }
                Ok(out)
            }
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(Vec::new()),
            Err(e) => Err(self.failed(e)),
        }
    }
}

fn table_name(name: &str) -> String {
    format!("script:{name}")
}
