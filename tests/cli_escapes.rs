//! Text from files never drives the terminal: each command that quotes something a file holds
//! (a scene's name, an unknown key, an entity kind, a setup's scene, a replay's fields, a WAT
//! source line, a graph's text, a folder's name) is run on files full of escape sequences, C1
//! controls and bidirectional overrides, and nothing of them reaches standard output or error
//! raw.

use std::path::{Path, PathBuf};

/// ESC sequences (clear the screen, retitle the window, a hyperlink), a C1 CSI, a
/// right-to-left override: as JSON escapes, so the parsed text holds the raw characters.
const HOSTILE_JSON: &str = r"\u001b[2J\u001b]0;owned\u0007\u009b31m\u202e";
/// The same characters raw, for text files and names.
const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m\u{202e}";

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::studio;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-escapes")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The first character in `bytes` that a terminal would act on: a C0 control other than a
/// newline or a tab, DEL, a C1 control, a bidirectional control or a line separator.
fn raw_control(bytes: &[u8]) -> Option<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .find(|&c| c != '\n' && c != '\t' && aether_base::text::is_unsafe_char(c))
}

/// Runs `args`, checks that the output shows the hostile text escaped somewhere (so the test
/// really reached it) and holds no raw control character.
fn check(what: &str, args: &[&str]) {
    let out = studio(args);
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if let Some(c) = raw_control(bytes) {
            panic!(
                "{what}: a raw {:?} reached {stream}:\n{}",
                c,
                String::from_utf8_lossy(bytes).escape_debug()
            );
        }
    }
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("[2J") && (all.contains("u{1b}") || all.contains("u001b")),
        "{what}: the hostile text was not shown at all:\n{all}"
    );
}

fn scene_text(name: &str, extra: &str) -> String {
    format!(
        r#"{{"name": "{name}", "description": "{HOSTILE_JSON}", "format": 1, "ticks": 2,
  "map": ["....", "...."],
  "entities": [{{"kind": "crate", "x": 1.5, "y": 0.5}}]{extra}}}"#
    )
}

#[test]
fn no_command_prints_a_files_control_characters_raw() {
    let dir = scratch("all");
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();

    // A scene's name and description: `world show`, and the header of `world run`.
    std::fs::write(dir.join("scene.json"), scene_text(HOSTILE_JSON, "")).unwrap();
    check("world show", &["world", "show", &path("scene.json")]);
    check("world run", &["world", "run", &path("scene.json")]);

    // A key serde does not know, quoted in its message.
    std::fs::write(
        dir.join("key.json"),
        scene_text("Keys", &format!(r#", "{HOSTILE_JSON}": 1"#)),
    )
    .unwrap();
    check("unknown key", &["world", "show", &path("key.json")]);

    // An entity kind quoted in an error (off the map).
    std::fs::write(
        dir.join("kind.json"),
        format!(
            r#"{{"name": "Kinds", "format": 1, "map": [".."],
  "entities": [{{"kind": "{HOSTILE_JSON}", "x": 9.5, "y": 0.5}}]}}"#
        ),
    )
    .unwrap();
    check("entity kind", &["world", "show", &path("kind.json")]);

    // A setup's scene.
    std::fs::write(
        dir.join("bad.mcworld.json"),
        format!(
            r#"{{"format": "creator-studio/world-setup", "version": 1, "scene": "{HOSTILE_JSON}", "scripts": []}}"#
        ),
    )
    .unwrap();
    check("setup scene", &["world", "run", &path("bad.mcworld.json")]);

    // A WAT source line quoted by the parser.
    std::fs::write(dir.join("bad.wat"), format!("(module (func {HOSTILE}))")).unwrap();
    check(
        "wat line",
        &[
            "world",
            "run",
            "assets/worlds/village.json",
            &path("bad.wat"),
        ],
    );

    // A folder's name, in `world run`'s refusal and `run`'s error.
    let folder = dir.join(format!("mod{HOSTILE}"));
    std::fs::create_dir_all(&folder).unwrap();
    let folder = folder.to_str().unwrap();
    check(
        "folder name (world run)",
        &[
            "world",
            "run",
            "assets/worlds/village.json",
            folder,
            "--ticks",
            "1",
        ],
    );
    check(
        "folder name (run)",
        &["run", folder, "--state", "assets/states/skirmish.json"],
    );

    // A replay's format, and its scenario and seat read from where it says.
    let replay = |format: &str, scenario: &str| {
        format!(
            r#"{{"format": "{format}", "version": 1, "scenario": "{scenario}", "duel_seed": 1,
  "seats": [{{"identity": "{HOSTILE_JSON}", "module": "{HOSTILE_JSON}.wasm", "module_hash": "0"}}],
  "winner": null, "rounds": 0, "turns": []}}"#
        )
    };
    std::fs::write(dir.join("replay.json"), replay(HOSTILE_JSON, "x.json")).unwrap();
    check("replay format", &["replay", &path("replay.json")]);
    std::fs::write(
        dir.join("replay2.json"),
        replay("creator-studio/replay", &format!("{HOSTILE_JSON}.json")),
    )
    .unwrap();
    check("replay scenario", &["replay", &path("replay2.json")]);

    // A graph's text: a node kind nobody knows, quoted by the loader.
    let graph = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/graphs/announcer.mcgraph.json"),
    )
    .unwrap()
    .replacen(
        "\"kind\": \"on_start\"",
        &format!("\"kind\": \"{HOSTILE_JSON}\""),
        1,
    );
    std::fs::write(dir.join("graph.mcgraph.json"), graph).unwrap();
    check("graph", &["compile", &path("graph.mcgraph.json")]);
}
