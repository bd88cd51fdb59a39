//! Files that are not files: a FIFO (reading it blocks for ever) and a link to `/dev/zero`
//! (reading it never ends) in every place a command reads a file from: a mod folder's module
//! (`run`, `duel`), a folder of contenders (`tournament`), a replay's scenario and seat module
//! (`replay`), a graph a scene or a world setup names (`world run`). Each is refused at once,
//! naming the file and what it is; none hangs and none reads without end.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-special")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success(), "mkfifo {}", path.display());
}

fn zero_link(path: &Path) {
    std::os::unix::fs::symlink("/dev/zero", path).unwrap();
}

/// Runs the studio with `args`, killing it after 60 s (a hang fails the test, it does not stall
/// it); its exit code and its standard error.
fn studio(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read as _;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code(), err);
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still ran after 60 s: it waits on a pipe or reads without end");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn refused(what: &str, args: &[&str], words: &[&str]) {
    let (code, err) = studio(args);
    assert_eq!(code, Some(1), "{what}: {err}");
    assert!(
        words.iter().any(|w| err.contains(w)),
        "{what}: expected one of {words:?} in:\n{err}"
    );
}

const PIPE: &str = "a named pipe (FIFO), not a regular file";
const DEVICE: &str = "a device, not a regular file";
const LINK: &str = "is a symbolic link";

#[test]
fn fifos_and_links_to_dev_zero_are_refused_wherever_a_file_is_read() {
    let dir = scratch("all");
    let p = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mods/learned-duel/manifest.json"),
    )
    .ok();

    // Mod folders whose module is a FIFO, or a link to /dev/zero.
    for (name, make) in [("piped", fifo as fn(&Path)), ("zeroed", zero_link)] {
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        if let Some(m) = &manifest {
            std::fs::write(folder.join("manifest.json"), m).unwrap();
        }
        make(&folder.join("learned-duel.wasm"));
        let folder = folder.to_str().unwrap().to_owned();
        refused(
            name,
            &["run", &folder, "--state", "assets/states/skirmish.json"],
            &[PIPE, DEVICE, LINK],
        );
        refused(
            name,
            &[
                "duel",
                &folder,
                "pass",
                "--scenario",
                "assets/duels/crossing.json",
                "--seeds",
                "1",
            ],
            &[PIPE, DEVICE, LINK],
        );
    }

    // A folder of contenders holding a FIFO named like a module.
    let pool = dir.join("pool");
    std::fs::create_dir_all(&pool).unwrap();
    fifo(&pool.join("a.wasm"));
    refused(
        "tournament",
        &[
            "tournament",
            pool.to_str().unwrap(),
            "examples/graphs/melee-rusher.mcgraph.json",
            "--scenario",
            "assets/duels/crossing.json",
            "--seeds",
            "1",
        ],
        &[PIPE],
    );

    // A replay whose scenario is a FIFO, then one whose scenario is fine and whose seat
    // module links to /dev/zero.
    fifo(&dir.join("scenario-pipe.json"));
    zero_link(&dir.join("zero.wasm"));
    let replay = |scenario: &str, module: &str| {
        format!(
            r#"{{"format": "creator-studio/replay", "version": 1, "scenario": "{scenario}",
  "duel_seed": 1,
  "seats": [{{"identity": "x 1.0.0", "module": "{module}", "module_hash": "0"}},
            {{"identity": "pass", "module": null, "module_hash": "0"}}],
  "winner": null, "rounds": 0, "turns": []}}"#
        )
    };
    std::fs::write(
        dir.join("r1.json"),
        replay(&p("scenario-pipe.json"), &p("zero.wasm")),
    )
    .unwrap();
    refused("replay scenario", &["replay", &p("r1.json")], &[PIPE]);
    std::fs::write(
        dir.join("r2.json"),
        replay("assets/duels/crossing.json", &p("zero.wasm")),
    )
    .unwrap();
    refused("replay module", &["replay", &p("r2.json")], &[DEVICE]);

    // A graph a world setup names, a FIFO; one a scene names, a link to /dev/zero.
    fifo(&dir.join("pipe.mcgraph.json"));
    std::fs::write(
        dir.join("w.mcworld.json"),
        r#"{"format": "creator-studio/world-setup", "version": 1, "scene": "village",
  "scene_scripts": false, "scripts": [{"path": "pipe.mcgraph.json", "priority": 10}]}"#,
    )
    .unwrap();
    refused(
        "setup graph",
        &["world", "run", &p("w.mcworld.json")],
        &[PIPE],
    );
    zero_link(&dir.join("zero.mcgraph.json"));
    std::fs::write(
        dir.join("scene.json"),
        r#"{"name": "Z", "format": 1, "map": [".."],
  "scripts": [{"module": "zero.mcgraph.json", "priority": 10}]}"#,
    )
    .unwrap();
    refused(
        "scene graph",
        &["world", "run", &p("scene.json"), "--ticks", "1"],
        &[DEVICE],
    );
}

/// `validate` of a world-script mod whose module is a link names the link, as a world script's
/// problem; it once fell through to the controller reader and listed a controller manifest's
/// missing fields instead.
#[test]
fn a_world_script_mod_whose_module_is_a_link_is_refused_for_the_link() {
    let dir = scratch("world-link");
    let real = dir.join("real.wasm");
    std::fs::write(
        &real,
        wat::parse_str(
            r#"(module (memory (export "memory") 1)
  (func (export "init") (result i32) (i32.const 1))
  (func (export "on_event") (param i32 i32) (result i32) (i32.const 0)))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let folder = dir.join("linked");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("manifest.json"),
        r#"{"kind": "world_script", "id": "linked", "name": "linked", "author": "x",
  "version": "1.0.0", "sandbox": "wasm", "aether_world_types": "2.1.0"}"#,
    )
    .unwrap();
    for target in [real.as_path(), Path::new("/dev/zero")] {
        let module = folder.join("linked.wasm");
        let _ = std::fs::remove_file(&module);
        std::os::unix::fs::symlink(target, &module).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_creator-studio"))
            .args(["validate", folder.to_str().unwrap()])
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(said.contains(&format!("linked.wasm: {LINK}")), "{said}");
        assert!(
            !said.contains("controller"),
            "a controller's problems: {said}"
        );
    }
}
