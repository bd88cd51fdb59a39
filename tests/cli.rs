//! The `creator-studio` binary as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn studio(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_lists_the_commands() {
    let out = studio(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for command in [
        "state", "run", "compile", "export", "install", "validate", "scan", "sign",
    ] {
        assert!(
            help.contains(command),
            "--help should mention `{command}`:\n{help}"
        );
    }
}

#[test]
fn state_show_draws_the_skirmish_with_a_legend() {
    let out = studio(&["state", "show", "assets/states/skirmish.json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.starts_with("Skirmish — 12 x 12 tiles, turn 1, 2 players, 10 units"));
    assert!(shown.contains("Legend: . plains  f forest  h hills  ~ water  ^ mountain"));
    assert!(shown.contains("W warrior  A archer  K knight  M mage  D dwarf"));
    assert!(shown.contains("0: alive, mana 3, 5 units"));
    // 12 numbered map rows, each with 12 two-character cells at most.
    let rows: Vec<&str> = shown
        .lines()
        .filter(|l| l.len() > 5 && l[..4].trim().parse::<u16>().is_ok() && l.as_bytes()[4] == b' ')
        .collect();
    assert_eq!(rows.len(), 12, "{shown}");
    // Every unit appears on the map as kind letter + owner digit.
    let cells: usize = rows
        .iter()
        .map(|r| {
            r.as_bytes()[5..]
                .chunks(2)
                .filter(|c| c.len() == 2 && c[1].is_ascii_digit())
                .count()
        })
        .sum();
    assert_eq!(cells, 10);
    assert!(shown.contains("Units:"));
}

#[test]
fn state_show_renders_every_sample() {
    for file in [
        "assets/states/skirmish.json",
        "assets/states/battle.json",
        "assets/states/stress.json",
        "assets/duels/crossing.json",
        "assets/duels/highlands.json",
    ] {
        let out = studio(&["state", "show", file]);
        assert!(out.status.success(), "{file}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("Legend:"));
    }
    let out = studio(&["state", "show", "assets/states/stress.json"]);
    assert!(text(&out.stdout).contains("(1000 units; pass --units to list them all)"));
}

/// Writes `content` to a fresh file under the test's temporary directory.
fn scratch(name: &str, content: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-states");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

const GOOD: &str = r#"{
  "name": "Tiny",
  "schema": 1,
  "turn": 1,
  "players": [
    {"slot": 0, "mana": 1},
    {"slot": 1, "mana": 1}
  ],
  "map": [
    "....",
    ".~f.",
    "...."
  ],
  "units": [
    {"id": 1, "owner": 0, "kind": "warrior", "x": 0, "y": 0},
    {"id": 2, "owner": 1, "kind": "archer", "x": 3, "y": 2}
  ]
}
"#;

#[test]
fn a_broken_file_gets_one_line_naming_the_problem() {
    let cases: [(&str, String, &str); 9] = [
        ("truncated", GOOD[..120].to_owned(), "line 8, column"),
        (
            "glyph",
            GOOD.replace(".~f.", ".~x."),
            "map row 1, column 2: unknown terrain 'x'",
        ),
        (
            "ragged",
            GOOD.replace(".~f.", ".~f"),
            "map row 1: has 3 tiles but row 0 has 4",
        ),
        (
            "water",
            GOOD.replace(r#""x": 0, "y": 0"#, r#""x": 1, "y": 1"#),
            "unit 1: position (1, 1) is water, where no unit can stand",
        ),
        (
            "hp",
            GOOD.replace(r#""y": 2}"#, r#""y": 2, "hp": 20}"#),
            "unit 2: hp 20 is above max_hp 8",
        ),
        (
            "kind",
            GOOD.replace("archer", "wizard"),
            "unit 2 (units[1]): unknown kind \"wizard\"",
        ),
        (
            "typo",
            GOOD.replace(r#""y": 2}"#, r#""y": 2, "hpp": 3}"#),
            "unknown field `hpp`",
        ),
        (
            "shared",
            GOOD.replace(r#""x": 3, "y": 2"#, r#""x": 0, "y": 0"#),
            "unit 2: position (0, 0) is already taken by unit 1",
        ),
        (
            "owner",
            GOOD.replace(r#""owner": 1"#, r#""owner": 4"#),
            "unit 2: owner 4 is not one of the players",
        ),
    ];
    for (name, content, expected) in cases {
        let path = scratch(&format!("{name}.json"), &content);
        let out = studio(&["state", "show", path.to_str().unwrap()]);
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{name}: should fail");
        assert_eq!(err.lines().count(), 1, "{name}: one line, got:\n{err}");
        assert!(err.starts_with("error: "), "{name}: {err}");
        assert!(
            err.contains(path.to_str().unwrap()),
            "{name}: names the file: {err}"
        );
        assert!(
            err.contains(expected),
            "{name}: expected {expected:?} in {err}"
        );
        assert!(out.stdout.is_empty(), "{name}: nothing drawn");
    }
    // The good file itself is fine.
    let path = scratch("good.json", GOOD);
    assert!(
        studio(&["state", "show", path.to_str().unwrap()])
            .status
            .success()
    );
}

#[test]
fn a_missing_file_is_named() {
    let out = studio(&["state", "show", "no/such/state.json"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("no/such/state.json: cannot read the file"),
        "{err}"
    );
    // The cause is said once, not again after the message that already holds it.
    for args in [
        &["state", "show", "no/such/state.json"][..],
        &["compile", "no/such.mcgraph.json"][..],
    ] {
        let err = text(&studio(args).stderr);
        let os = "(os error 2)";
        assert_eq!(err.matches(os).count(), 1, "{err}");
    }
}

#[test]
fn version_names_the_contracts_and_the_caps() {
    let out = studio(&["--version"]);
    assert!(out.status.success());
    let v = text(&out.stdout);
    assert!(
        v.starts_with(&format!("creator-studio {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    assert!(
        v.contains("mc-tactical-types 1.0.0 (state schema 1)"),
        "{v}"
    );
    assert!(v.contains("100,000,000 fuel, 16 MiB of memory"), "{v}");
    assert!(v.contains("aether-world-types 2.1.0 (contract 2.1)"), "{v}");
    assert!(
        v.contains("a world at most 8 ms a tick for 256 scripts"),
        "{v}"
    );
    // The studio's Help > About shows the same facts.
    assert_eq!(
        v.lines().skip(1).collect::<Vec<_>>(),
        creator_studio::about::text()
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_window_icon_is_the_drawn_one() {
    let icon = creator_studio::studio::icon();
    assert_eq!((icon.width, icon.height), (256, 256));
    assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    // Opaque in the middle of the tile, transparent in the corner outside it.
    assert_eq!(icon.rgba[(128 * 256 + 128) * 4 + 3], 255);
    assert_eq!(icon.rgba[3], 0);
}
