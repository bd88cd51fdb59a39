//! What a script can make the host keep is bounded: scripts that flood every import that
//! leaves something behind (UI texts, objectives, markers, sounds, messages, storage writes,
//! spawns, forces) and one that is disabled early and then sent events for the rest of the run,
//! all in one world for 1,000 ticks, as `world run --json` runs them; the process's peak memory
//! stays under 200 MB. (Before the rates and the bounded queues, one `ui_message` flood took
//! over 3 GB inside the first tick.) `validate` of a mod holding the worst of them is measured
//! the same way.

#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("world-floods")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A world script named `name` whose every event calls `call` in an endless loop (`import` the
/// import's declaration; a 64 KiB text of 'x' at 4096).
fn flood(name: &str, import: &str, call: &str) -> String {
    format!(
        r#"(module
  {import}
  (memory (export "memory") 4)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\{len:02x}\00\00\00")
  (data (i32.const 32) "{name} 1.0.0")
  (func (export "init") (result i32)
    (memory.fill (i32.const 4096) (i32.const 120) (i32.const 65536))
    (i32.const 1))
  (func (export "on_event") (param i32 i32) (result i32)
    (loop $again {call} (br $again))
    (i32.const 0)))"#,
        len = name.len() + 6
    )
}

fn floods() -> Vec<(&'static str, String)> {
    let text = |import: &str| {
        format!(r#"(import "aether" "{import}" (func $f (param i32 i32 i32) (result i32)))"#)
    };
    vec![
        (
            "ui-big",
            flood(
                "ui-big",
                &text("ui_message"),
                "(drop (call $f (i32.const -1) (i32.const 4096) (i32.const 65536)))",
            ),
        ),
        (
            "ui-small",
            flood(
                "ui-small",
                &text("ui_message"),
                "(drop (call $f (i32.const -1) (i32.const 4096) (i32.const 8)))",
            ),
        ),
        (
            "objective",
            flood(
                "objective",
                &text("ui_objective"),
                "(drop (call $f (i32.const -1) (i32.const 4096) (i32.const 65536)))",
            ),
        ),
        (
            "marker",
            flood(
                "marker",
                r#"(import "aether" "ui_marker" (func $f (param f32 f32 i32 i32) (result i32)))"#,
                "(drop (call $f (f32.const 3.5) (f32.const 3.5) (i32.const 4096) (i32.const 200)))",
            ),
        ),
        (
            "sound",
            flood(
                "sound",
                r#"(import "aether" "audio_play" (func $f (param i32 i32 f32 f32) (result i32)))"#,
                "(drop (call $f (i32.const 4096) (i32.const 200) (f32.const 1) (f32.const 1)))",
            ),
        ),
        (
            "broadcast",
            flood(
                "broadcast",
                r#"(import "aether" "network_broadcast" (func $f (param i32 i32) (result i32)))"#,
                "(drop (call $f (i32.const 4096) (i32.const 65536)))",
            ),
        ),
        (
            "writer",
            flood(
                "writer",
                r#"(import "aether" "storage_write" (func $f (param i32 i32 i32 i32) (result i32)))"#,
                "(drop (call $f (i32.const 4096) (i32.const 8) (i32.const 4096) (i32.const 65536)))",
            ),
        ),
        (
            "spawner",
            flood(
                "spawner",
                r#"(import "aether" "entity_spawn" (func $f (param i32 i32 f32 f32) (result i64)))"#,
                "(drop (call $f (i32.const 4096) (i32.const 5) (f32.const 3.5) (f32.const 3.5)))",
            ),
        ),
        (
            "pusher",
            flood(
                "pusher",
                r#"(import "aether" "physics_apply_force" (func $f (param i32 f32 f32) (result i32)))"#,
                "(drop (call $f (i32.const 5) (f32.const 1) (f32.const 1)))",
            ),
        ),
        (
            "quitter",
            // Faults on every event: disabled by tick 60, then sent events for 940 more.
            flood("quitter", "", "(unreachable)"),
        ),
    ]
}

/// Runs the studio with `args` (output thrown away) and returns its exit code and its peak
/// resident memory in MB (`wait4`'s own account of the child).
#[allow(unsafe_code)]
// The child is waited for by `wait4`, which also gives its peak memory.
#[allow(clippy::zombie_processes)]
fn peak_mb(args: &[&str]) -> (i32, f64) {
    let child = Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the child is ours and not yet waited for; the pointers are to live locals.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage.ru_maxrss as f64 / 1024.0)
}

#[test]
fn a_thousand_ticks_of_every_flood_at_once_stay_under_200_mb() {
    let dir = scratch("all");
    let mut args: Vec<String> = vec![
        "world".into(),
        "run".into(),
        "assets/worlds/village.json".into(),
    ];
    for (name, wat) in floods() {
        let path = dir.join(format!("{name}.wat"));
        std::fs::write(&path, wat).unwrap();
        args.push(path.to_str().unwrap().to_owned());
    }
    args.extend(["--ticks", "1000", "--json"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, mb) = peak_mb(&args);
    assert_eq!(code, 0, "the world ran");
    println!("peak resident memory of 1,000 ticks of every flood: {mb:.0} MB");
    assert!(mb < 200.0, "peak {mb:.0} MB");

    // `validate` of a mod holding the text flood: the script alone in each sample world.
    let folder = dir.join("ui-big-mod");
    std::fs::create_dir_all(&folder).unwrap();
    let wasm = wat::parse_str(&floods()[0].1).unwrap();
    std::fs::write(folder.join("ui-big.wasm"), wasm).unwrap();
    std::fs::write(
        folder.join("manifest.json"),
        r#"{"kind": "world_script", "id": "ui-big", "name": "ui-big", "author": "x",
  "version": "1.0.0", "sandbox": "wasm", "aether_world_types": "2.1.0"}"#,
    )
    .unwrap();
    let (_, mb) = peak_mb(&["validate", folder.to_str().unwrap()]);
    println!("peak resident memory of validate: {mb:.0} MB");
    assert!(mb < 200.0, "validate peak {mb:.0} MB");
}
