//! The sample states and duel scenarios from `assets/`, built into the binary so the studio and
//! `validate` work from any folder. `tests/samples.rs` keeps the files themselves in shape.

use aether_lang::Scenario;

/// Each sample's name (its path under `assets/` without `.json`) and file text.
pub const FILES: [(&str, &str); 5] = [
    (
        "states/skirmish",
        include_str!("../assets/states/skirmish.json"),
    ),
    (
        "states/battle",
        include_str!("../assets/states/battle.json"),
    ),
    (
        "states/stress",
        include_str!("../assets/states/stress.json"),
    ),
    (
        "duels/crossing",
        include_str!("../assets/duels/crossing.json"),
    ),
    (
        "duels/highlands",
        include_str!("../assets/duels/highlands.json"),
    ),
];

/// Every built-in sample, parsed; an error names the sample that does not parse.
pub fn scenarios() -> Result<Vec<(String, Scenario)>, String> {
    FILES
        .iter()
        .map(|(name, text)| {
            Scenario::from_json(text)
                .map(|s| ((*name).to_owned(), s))
                .map_err(|e| format!("built-in sample {name}: {e}"))
        })
        .collect()
}

/// The sample worlds world scripts are validated and previewed in: name and scene text (their
/// own scripts are not part of it; a validation runs the script alone).
pub const WORLDS: [(&str, &str); 2] = [
    ("village", include_str!("../assets/worlds/village.json")),
    ("arena", include_str!("../assets/worlds/arena.json")),
];

/// Every built-in sample world, parsed (scripts named in a scene resolve against
/// `assets/worlds/`).
pub fn worlds() -> Result<Vec<(String, aether_sample_world::Scene)>, String> {
    WORLDS
        .iter()
        .map(|(name, text)| {
            aether_sample_world::Scene::parse(text, std::path::PathBuf::from("assets/worlds"))
                .map(|s| ((*name).to_owned(), s))
                .map_err(|e| format!("built-in sample world {name}: {e}"))
        })
        .collect()
}

/// The sample worlds' own scripts, built in like the worlds: path as the scenes name it, text.
pub const WORLD_SCRIPTS: [(&str, &str); 3] = [
    (
        "scripts/welcome.wat",
        include_str!("../assets/worlds/scripts/welcome.wat"),
    ),
    (
        "scripts/crate-drop.wat",
        include_str!("../assets/worlds/scripts/crate-drop.wat"),
    ),
    (
        "scripts/herder.wat",
        include_str!("../assets/worlds/scripts/herder.wat"),
    ),
];

/// The scripts a scene names, each with the scene's priority and limits: built-in ones from
/// [`WORLD_SCRIPTS`], others read from disk beside the scene.
pub fn scene_scripts(
    scene: &aether_sample_world::Scene,
) -> Result<Vec<aether_sample_world::ScriptSpec>, String> {
    scene
        .scripts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let label = format!("{} ({})", s.module, scene.name);
            let mut spec = match WORLD_SCRIPTS.iter().find(|(p, _)| *p == s.module) {
                Some((_, text)) => aether_sample_world::ScriptSpec {
                    label: label.clone(),
                    bytes: wat::parse_str(text).map_err(|e| format!("{label}: {e}"))?,
                    priority: s.priority,
                    request: Default::default(),
                    identity: None,
                },
                None => aether_sample_world::ScriptSpec::from_path(&scene.base.join(&s.module))
                    .map_err(|e| format!("scripts[{i}]: {e}"))?,
            };
            spec.priority = s.priority;
            spec.request = aether_sample_world::run::narrow(&spec.request, &s.limits);
            Ok(spec)
        })
        .collect()
}
