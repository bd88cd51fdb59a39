//! File-system helpers: saves are atomic ([`write_atomic`]); every file the program reads is read
//! here, bounded and only when it is a regular file: files inside a mod folder without following
//! links ([`read_regular_file`]), files a user names by following links to a regular file
//! ([`read_bounded`], [`read_text_bounded`]). A FIFO, a device or a link to one is refused
//! unopened, so no read can block or run without end. `tests/architecture.rs` fails when a read
//! of a file appears anywhere else.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: into a temporary file beside it, flushed to disk, then
/// renamed over `path`. A crash leaves either the old file or the new one, never a mix, and a
/// failure leaves the old file untouched. A device or a pipe at `path` (`/dev/null`) is written
/// to in place, never replaced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // A device or a pipe (`-o /dev/null`, a FIFO) is written to, never replaced: renaming a
    // file over /dev/null would put a regular file in its place for every program.
    if let Ok(meta) = std::fs::metadata(path) {
        let ft = meta.file_type();
        if !ft.is_file() && !ft.is_dir() {
            let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
            return f.write_all(bytes);
        }
    }
    let tmp = temp_beside(path);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A hidden temporary name in the same folder as `path` (so the rename stays on one file system).
pub fn temp_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Why [`read_regular_file`] refused a file.
#[derive(Debug, thiserror::Error)]
pub enum ReadRefusal {
    /// The path is a symbolic link; it is not followed.
    #[error("is a symbolic link; only regular files inside the folder are read")]
    Symlink,
    /// The path is not a regular file (a folder, a FIFO, a socket, a device).
    #[error("is {0}, not a regular file")]
    NotRegular(&'static str),
    /// The file is larger than the limit; nothing of it was read.
    #[error("is {size} bytes; at most {limit} bytes are accepted")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file system refused.
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
}

/// What kind of non-regular file `t` is, in words.
fn kind_words(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// Reads a file that must be a regular file of at most `limit` bytes, without following a
/// symbolic link and without ever blocking on a special file: the path is examined first (a
/// link, FIFO, socket or device is refused unopened), then opened without following links and
/// without blocking (on Linux), checked again through the open handle, and read with a bound, so
/// neither a file swapped in between nor one that grows can make it read more than `limit`.
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadRefusal> {
    use std::io::Read as _;
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Err(ReadRefusal::Symlink);
    }
    if !meta.is_file() {
        return Err(ReadRefusal::NotRegular(kind_words(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadRefusal::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32);
    }
    let file = options.open(path).map_err(|e| {
        // ELOOP: the path became a link between the two looks.
        #[cfg(target_os = "linux")]
        if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
            return ReadRefusal::Symlink;
        }
        ReadRefusal::Io(e)
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadRefusal::NotRegular(kind_words(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadRefusal::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadRefusal::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// Largest document the program reads (a graph, a replay, a scene, a setup, a session): far
/// above any it writes (a 5,000-node graph is about 2 MB).
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a file a user named, following links, as `std::fs::read` would, except that what the
/// path leads to must be a regular file of at most `limit` bytes: a FIFO, a device (a link to
/// `/dev/zero`) or a folder is refused unopened, and a file that grows is not read past the
/// limit. The error is an `io::Error` whose message says why.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let target = std::fs::canonicalize(path)?;
    read_regular_file(&target, limit).map_err(|e| match e {
        ReadRefusal::Io(e) => e,
        other => std::io::Error::new(std::io::ErrorKind::InvalidInput, other.to_string()),
    })
}

/// [`read_bounded`], as UTF-8 text.
pub fn read_text_bounded(path: &Path, limit: u64) -> std::io::Result<String> {
    String::from_utf8(read_bounded(path, limit)?).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "is not UTF-8 text".to_owned(),
        )
    })
}

/// Appends `line` and a newline to the log file at `path`, creating it: a path that leads to
/// anything but a regular file (a FIFO would block the program until something reads it) is
/// refused unopened.
pub fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "is not a regular file",
        ));
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(file, "{line}")
}

/// An I/O failure on `path` in words a user can act on: which folder or file, and why
/// (`cannot save /x/y.json: the folder /x does not exist`), with the system's own words after.
pub fn explain_io(path: &Path, action: &str, e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| ".".to_owned(), |p| p.display().to_string());
    let writing = action == "writing";
    let why = match e.kind() {
        ErrorKind::NotFound if writing => format!("the folder {folder} does not exist"),
        ErrorKind::NotFound => "there is no such file".to_owned(),
        ErrorKind::PermissionDenied if writing => {
            format!("you are not allowed to write in the folder {folder}")
        }
        ErrorKind::PermissionDenied => "you are not allowed to read it".to_owned(),
        ErrorKind::ReadOnlyFilesystem => format!("the folder {folder} is on a read-only disk"),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "the disk is full".to_owned(),
        ErrorKind::IsADirectory => "it is a folder, not a file".to_owned(),
        ErrorKind::NotADirectory => format!("part of {folder} is a file, not a folder"),
        _ => String::new(),
    };
    let verb = if writing {
        "cannot save"
    } else {
        "cannot read"
    };
    if why.is_empty() {
        format!("{}: {verb} the file: {e}", path.display())
    } else {
        format!("{}: {verb} the file: {why} ({e})", path.display())
    }
}
