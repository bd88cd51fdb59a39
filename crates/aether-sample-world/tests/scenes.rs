//! Scene files: the samples load and draw; every broken scene is refused naming the place.

use std::path::{Path, PathBuf};

use aether_sample_world::{Scene, SceneError};

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/worlds")
}

fn broken(text: &str) -> String {
    let err = Scene::parse(text, PathBuf::from(".")).expect_err("the scene is refused");
    err.to_string()
}

const GOOD: &str = r#"{
  "name": "Tiny", "format": 1, "ticks": 10,
  "map": ["....", ".~~.", "...."],
  "entities": [{"kind": "crate", "x": 0.5, "y": 0.5}],
  "players": [{"id": 1, "name": "Ada", "joins": 0, "leaves": 5, "says": [{"tick": 2, "text": "hi"}]}],
  "areas": [{"id": 1, "name": "corner", "tiles": {"x": 3, "y": 2, "w": 1, "h": 1}}],
  "timers": [{"id": 1, "every": 4}],
  "scripts": []
}"#;

#[test]
fn every_sample_scene_loads_and_draws_its_map() {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(assets()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let scene = Scene::load(&path).unwrap_or_else(|e| panic!("{e}"));
            let drawn = scene.draw();
            assert!(drawn.starts_with(&scene.name), "{drawn}");
            let map_rows = drawn
                .lines()
                .filter(|l| l.starts_with("  ") && l.trim().len() == scene.width)
                .count();
            assert!(map_rows >= scene.height, "{drawn}");
            for i in 0..scene.scripts.len() {
                let script = scene.script_path(i).unwrap();
                assert!(
                    script.exists(),
                    "{} names a missing script {}",
                    path.display(),
                    script.display()
                );
            }
            names.push(scene.name);
        }
    }
    names.sort();
    assert_eq!(names, ["Bumper arena", "Rowdy village", "Village green"]);
}

#[test]
fn a_good_scene_parses_with_its_parts() {
    let scene = Scene::parse(GOOD, PathBuf::from(".")).unwrap();
    assert_eq!((scene.width, scene.height, scene.ticks), (4, 3, 10));
    assert!(
        scene.timers[0].fires_at(4) && scene.timers[0].fires_at(8) && !scene.timers[0].fires_at(0)
    );
    assert!(scene.areas[0].shape.contains(3.5, 2.5) && !scene.areas[0].shape.contains(2.5, 2.5));
}

#[test]
fn json_mistakes_name_the_line_and_column() {
    let msg = broken(
        "{\n  \"name\": \"x\",\n  \"format\": 1,\n  \"map\": [\"..\"],\n  \"entities\": [oops]\n}",
    );
    assert!(msg.starts_with("line 5, column"), "{msg}");
    let msg = broken(&GOOD.replace("\"ticks\": 10", "\"tick\": 10"));
    assert!(msg.contains("unknown field `tick`"), "{msg}");
}

#[test]
fn map_and_placement_mistakes_name_the_row_column_or_item() {
    let msg = broken(&GOOD.replace(r#"".~~.""#, r#"".~x.""#));
    assert!(
        msg.contains("map row 1, column 2: unknown glyph 'x'"),
        "{msg}"
    );
    let msg = broken(&GOOD.replace(r#""...."]"#, r#""..."]"#));
    assert!(
        msg.contains("map row 2: has 3 tiles, but row 0 has 4"),
        "{msg}"
    );
    let msg = broken(&GOOD.replace(r#""x": 0.5, "y": 0.5"#, r#""x": 9.5, "y": 0.5"#));
    assert!(
        msg.contains("entities[0] (crate): (9.5, 0.5) is outside the 4 x 3 map"),
        "{msg}"
    );
    let msg = broken(&GOOD.replace(r#""x": 0.5, "y": 0.5"#, r#""x": 1.5, "y": 1.5"#));
    assert!(
        msg.contains("is on water tile (1, 1), which is solid"),
        "{msg}"
    );
    let msg = broken(&GOOD.replace(r#""w": 1, "h": 1"#, r#""w": 2, "h": 1"#));
    assert!(
        msg.contains("areas[0] (corner): tiles 3..5 x 2..3 must be a non-empty rectangle"),
        "{msg}"
    );
    let msg = broken(&GOOD.replace(r#""leaves": 5"#, r#""leaves": 0"#));
    assert!(
        msg.contains("players[0] (Ada): leaves at tick 0, not after joining at tick 0"),
        "{msg}"
    );
    assert!(
        msg.contains("players[0].says[0]: tick 2 is not while Ada is in the world"),
        "{msg}"
    );
    let msg = broken(&GOOD.replace(r#""every": 4"#, r#""every": 0"#));
    assert!(
        msg.contains("timers[0]: `every` must be 1 tick or more"),
        "{msg}"
    );
}

#[test]
fn a_scene_from_a_newer_studio_says_to_update() {
    let msg = broken(&GOOD.replace("\"format\": 1", "\"format\": 2"));
    assert!(
        msg.contains("written by a newer studio: update the studio"),
        "{msg}"
    );
}

#[test]
fn a_file_error_names_the_file() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenes");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.json");
    std::fs::write(&path, GOOD.replace(r#"".~~.""#, r#"".~?.""#)).unwrap();
    let err = Scene::load(&path).unwrap_err();
    assert!(matches!(err, SceneError::Invalid { .. }));
    assert!(
        err.to_string()
            .starts_with(&format!("{}: map row 1", path.display())),
        "{err}"
    );
    let missing = Scene::load(&dir.join("missing.json"))
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("missing.json: cannot read the scene"),
        "{missing}"
    );
}

#[test]
fn a_world_setup_round_trips_and_names_what_is_wrong() {
    use aether_sample_world::{SetupScript, WorldSetup};
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("setup");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("mods")).unwrap();
    let file = dir.join("two.mcworld.json");
    let mut setup = WorldSetup::new("village");
    setup.scene_scripts = false;
    setup.scripts.push(SetupScript {
        path: dir.join("waves.mcgraph.json"),
        priority: 20,
        limits: Default::default(),
    });
    let limits = aether_world::LimitRequest {
        max_cpu_ms_per_tick: Some(0.5),
        ..Default::default()
    };
    setup.scripts.push(SetupScript {
        path: dir.join("mods/bumper"),
        priority: 5,
        limits,
    });
    setup.save(&file).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    // Paths are kept relative to the setup, so the folder can move.
    assert!(
        text.contains("{\"path\": \"waves.mcgraph.json\", \"priority\": 20}"),
        "{text}"
    );
    assert!(
        text.contains("{\"path\": \"mods/bumper\", \"priority\": 5, \"limits\": {\"max_cpu_ms_per_tick\": 0.5}}"),
        "{text}"
    );
    assert_eq!(WorldSetup::load(&file).unwrap(), setup);

    // Bad input: the message names the file and the field or script.
    for (text, expected) in [
        ("{", "line 1, column 1: EOF while parsing"),
        (
            r#"{"format": "something-else", "version": 1, "scene": "x"}"#,
            "is not a world setup",
        ),
        (
            r#"{"format": "creator-studio/world-setup", "version": 9, "scene": "x"}"#,
            "written by a newer Creator Studio",
        ),
        (
            r#"{"format": "creator-studio/world-setup", "version": 1, "scene": "x", "scripts": [{"path": "a.wasm", "limits": {"max_cpu": 1}}]}"#,
            "scripts[0] (a.wasm): `limits`",
        ),
    ] {
        let bad = dir.join("bad.mcworld.json");
        std::fs::write(&bad, text).unwrap();
        let err = WorldSetup::load(&bad).unwrap_err().to_string();
        assert!(
            err.contains("bad.mcworld.json") && err.contains(expected),
            "{err}"
        );
    }
}
