//! Mod folders built to hurt the loader: special files and links where the manifest or the
//! module should be, files far larger than any mod, text that drives a terminal, and names put
//! in an export's way. Each is refused by name, promptly, and a scan goes on to list the good
//! mods beside them.

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use aether_mods as mods;
use aether_mods::{ModLoader, ModManifest, ScanReport};
use serde_json::Value;
use support::{host, root};

fn loader() -> ModLoader<'static> {
    ModLoader {
        host: host(),
        publisher_key: None,
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("mods-hostile")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn good_dir() -> PathBuf {
    root().join("crates/aether-mods/tests/fixtures/mods/good/minimal")
}

/// The corpus's good manifest as JSON, to change one field.
fn good_manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(good_dir().join("manifest.json")).unwrap())
        .unwrap()
}

/// A folder `dir/name` holding `manifest` and the good module, unless told otherwise.
fn make_mod(dir: &Path, name: &str, manifest: Option<&Value>, module: bool) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    if let Some(m) = manifest {
        std::fs::write(folder.join("manifest.json"), m.to_string()).unwrap();
    }
    if module {
        std::fs::copy(good_dir().join("minimal.wasm"), folder.join("minimal.wasm")).unwrap();
    }
    folder
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs (coreutils)");
    assert!(status.success());
}

/// Runs `f` on a thread and fails the test if it has not returned within a minute: the old
/// loader blocked forever opening a FIFO.
fn promptly<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the loader hung on a special file")
}

fn problems_of(report: &ScanReport, folder: &str) -> Vec<String> {
    report
        .skipped
        .iter()
        .find(|e| e.folder.file_name().is_some_and(|n| n == folder))
        .unwrap_or_else(|| panic!("{folder} should be skipped: {report:?}"))
        .problems
        .clone()
}

#[cfg(unix)]
#[test]
fn a_scan_skips_special_files_links_and_huge_files_and_lists_the_good_mod() {
    use std::os::unix::fs::symlink;
    let dir = scratch("scan");
    let outside = scratch("scan-outside");
    std::fs::copy(
        good_dir().join("minimal.wasm"),
        outside.join("elsewhere.wasm"),
    )
    .unwrap();
    let good = good_manifest();

    make_mod(&dir, "a-good", Some(&good), true);
    let fifo = make_mod(&dir, "b-fifo-manifest", None, true);
    mkfifo(&fifo.join("manifest.json"));
    let zero = make_mod(&dir, "c-manifest-to-dev-zero", None, true);
    symlink("/dev/zero", zero.join("manifest.json")).unwrap();
    let mut other = good.clone();
    other["id"] = "other".into();
    other["controller_id"] = "test:other".into();
    let linked = make_mod(&dir, "d-module-links-outside", Some(&other), false);
    symlink(outside.join("elsewhere.wasm"), linked.join("minimal.wasm")).unwrap();
    let sparse = make_mod(&dir, "e-sparse-gigabyte", Some(&other), false);
    std::fs::File::create(sparse.join("huge.wasm"))
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    symlink(dir.join("a-good"), dir.join("f-link-to-a-folder")).unwrap();
    let fifo_module = make_mod(&dir, "g-fifo-module", Some(&other), false);
    mkfifo(&fifo_module.join("ai.wasm"));

    let scanned = dir.clone();
    let report = promptly(move || loader().scan(&scanned).unwrap());
    let registered: Vec<_> = report
        .registered
        .iter()
        .map(|m| m.manifest.id.clone())
        .collect();
    assert_eq!(registered, ["minimal"], "{report:?}");
    assert_eq!(
        problems_of(&report, "b-fifo-manifest"),
        ["manifest.json: is a named pipe (FIFO), not a regular file"]
    );
    assert_eq!(
        problems_of(&report, "c-manifest-to-dev-zero"),
        ["manifest.json: is a symbolic link; only regular files inside the folder are read"]
    );
    assert_eq!(
        problems_of(&report, "d-module-links-outside"),
        ["minimal.wasm: is a symbolic link; only regular files inside the folder are read"]
    );
    assert_eq!(
        problems_of(&report, "e-sparse-gigabyte"),
        ["huge.wasm: is 1073741824 bytes; at most 8388608 bytes are accepted"]
    );
    assert_eq!(
        problems_of(&report, "f-link-to-a-folder"),
        [
            "is a symbolic link to a folder; the game loads only real folders inside its mods directory"
        ]
    );
    assert_eq!(
        problems_of(&report, "g-fifo-module"),
        ["ai.wasm: is a named pipe (FIFO), not a regular file"]
    );
    // Validating the FIFO folder alone returns too.
    let err = promptly(move || loader().load(&fifo).unwrap_err());
    assert_eq!(err.problems.len(), 1);
}

#[test]
fn a_manifest_larger_than_any_mod_needs_is_refused_unread() {
    let dir = scratch("big-manifest");
    let mut m = good_manifest();
    m["padding"] = "x".repeat(200_000).into();
    let folder = make_mod(&dir, "big", Some(&m), true);
    let size = std::fs::metadata(folder.join("manifest.json"))
        .unwrap()
        .len();
    let err = loader().load(&folder).unwrap_err();
    assert_eq!(
        err.problems,
        [format!(
            "manifest.json: is {size} bytes; at most 65536 bytes are accepted"
        )]
    );
}

#[test]
fn control_characters_in_a_manifest_are_refused_and_never_echoed() {
    let dir = scratch("control");
    for (field, value, shown) in [
        ("author", "me\u{1b}]0;pwned\u{7}", "U+001B at character 3"),
        ("name", "minimal\u{202e}", "U+202E at character 8"),
        ("id", "\u{1b}[2Jmin", "U+001B at character 1"),
        ("version", "1.0.0\n", "U+000A at character 6"),
    ] {
        let mut m = good_manifest();
        m[field] = value.into();
        let folder = make_mod(&dir, field, Some(&m), true);
        let err = loader().load(&folder).unwrap_err();
        let text = err.to_string();
        assert!(
            !text.chars().any(aether_base::text::is_unsafe_char),
            "{field}: raw control characters in {text:?}"
        );
        assert!(
            text.contains(&format!(
                "`{field}` contains an invisible control character ({shown})"
            )),
            "{field}: {text}"
        );
    }
    // A non-string field is quoted short and escaped.
    let mut m = good_manifest();
    m["author"] = Value::Array(vec!["\u{1b}]0;x\u{7}".into(); 40]);
    let folder = make_mod(&dir, "array", Some(&m), true);
    let text = loader().load(&folder).unwrap_err().to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(
        text.contains("`author` must be a string (found [\"\\u001b]0;x"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn a_folder_name_with_control_characters_is_shown_escaped() {
    let dir = scratch("names");
    let folder = make_mod(&dir, "evil\u{1b}[2J", None, true);
    let err = loader().load(&folder).unwrap_err();
    let text = err.to_string();
    assert!(!text.chars().any(char::is_control), "{text:?}");
    assert!(
        text.contains("evil\\u{1b}[2J: has no manifest.json"),
        "{text}"
    );
}

#[test]
fn files_in_the_way_of_an_export_are_left_alone_and_do_not_stop_it() {
    let dir = scratch("export-in-the-way");
    let dest = dir.join("minimal");
    // Names the old exporter used (`.<name>.export-<pid>`, `.<name>.aside-<pid>`), as plain
    // files, and a link beside them.
    let blockers = [
        dir.join(format!(".minimal.export-{}", std::process::id())),
        dir.join(".minimal.export-1"),
        dir.join(".minimal.aside-1"),
    ];
    for b in &blockers {
        std::fs::write(b, "not a folder").unwrap();
    }
    let manifest = ModManifest::parse(&good_manifest().to_string()).unwrap();
    let wasm = std::fs::read(good_dir().join("minimal.wasm")).unwrap();
    let done = mods::export(host(), &manifest, &wasm, &dest, false).expect("the export works");
    assert!(done.module.is_file());
    // Again, over the first: still fine, and the blockers are untouched.
    mods::export(host(), &manifest, &wasm, &dest, false).expect("a second export works");
    for b in &blockers {
        assert_eq!(std::fs::read_to_string(b).unwrap(), "not a folder");
    }
    let staging_left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        staging_left,
        ["minimal"],
        "no staging folder is left behind"
    );
}
