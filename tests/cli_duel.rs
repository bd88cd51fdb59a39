//! `creator-studio duel` as a user runs it: a table or one JSON object, a replay file, clear
//! errors with the file named.

use std::path::Path;

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::studio;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_template_beats_a_passing_player_from_both_seats() {
    let out = studio(&[
        "duel",
        "examples/graphs/melee-rusher.mcgraph.json",
        "pass",
        "--scenario",
        "assets/duels/crossing.json",
        "--seeds",
        "5",
        "--first-seed",
        "40",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["games"], 10);
    assert_eq!(v["wins"], 10);
    assert_eq!(v["draws"], 0);
    assert_eq!(v["losses"], 0);
    assert!(v["interval"]["low"].as_f64().unwrap() > 0.65);
    assert_eq!(v["interval"]["high"], 1.0);
    let games = v["per_seed"].as_array().unwrap();
    assert_eq!(games.len(), 10);
    assert_eq!(games[0]["seed"], 40);
    assert_eq!(games[9]["seed"], 44);
    // The same batch twice gives the same results.
    let again = studio(&[
        "duel",
        "examples/graphs/melee-rusher.mcgraph.json",
        "pass",
        "--scenario",
        "assets/duels/crossing.json",
        "--seeds",
        "5",
        "--first-seed",
        "40",
        "--json",
    ]);
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn the_table_and_the_replay() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-duel");
    std::fs::create_dir_all(&dir).unwrap();
    let replay = dir.join("first.mcreplay");
    let _ = std::fs::remove_file(&replay);
    let out = studio(&[
        "duel",
        "examples/graphs/mage-support.mcgraph.json",
        "examples/graphs/hill-defender.mcgraph.json",
        "--scenario",
        "assets/duels/highlands.json",
        "--seeds",
        "3",
        "--replay",
        replay.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("mage-support 1.0.0 against hill-defender 1.0.0 on Highlands, seeds 0 to 2"),
        "{shown}"
    );
    assert!(shown.contains("95% interval"), "{shown}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&replay).unwrap()).unwrap();
    assert_eq!(r["format"], "creator-studio/replay");
    assert_eq!(r["seats"][0]["identity"], "mage-support 1.0.0");
    let turns = r["turns"].as_array().unwrap();
    assert!(!turns.is_empty());
    assert!(turns[0]["reply"].as_str().is_some() && turns[0]["view_hash"].as_str().is_some());
}

#[test]
fn unusable_inputs_exit_1_naming_the_file() {
    let out = studio(&[
        "duel",
        "pass",
        "pass",
        "--scenario",
        "assets/states/skirmish.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("assets/states/skirmish.json: \"Skirmish\" is not a duel scenario"),
        "{}",
        text(&out.stderr)
    );
    let out = studio(&[
        "duel",
        "no/such/ai.wasm",
        "pass",
        "--scenario",
        "assets/duels/crossing.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no/such/ai.wasm"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_replay_plays_again_byte_for_byte_or_says_where_it_differs() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-duel-replay");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let graph = dir.join("mine.mcgraph.json");
    std::fs::copy("examples/graphs/archer-skirmisher.mcgraph.json", &graph).unwrap();
    let replay = dir.join("game.mcreplay");
    let out = studio(&[
        "duel",
        graph.to_str().unwrap(),
        "examples/graphs/melee-rusher.mcgraph.json",
        "--scenario",
        "assets/duels/crossing.json",
        "--seeds",
        "1",
        "--replay",
        replay.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = studio(&["replay", replay.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("plays again byte for byte"),
        "{}",
        text(&out.stdout)
    );

    // The AI is edited after the game: the replay says its module changed and where the game
    // first goes another way.
    let edited = std::fs::read_to_string(&graph)
        .unwrap()
        .replace("\"b\": 1", "\"b\": 3");
    assert_ne!(
        edited,
        std::fs::read_to_string(&graph).unwrap(),
        "the edit changes a constant"
    );
    std::fs::write(&graph, edited).unwrap();
    let out = studio(&["replay", replay.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("slot 0: the module") && shown.contains("changed since the replay"),
        "{shown}"
    );
    assert!(shown.contains("the replay differs at turn"), "{shown}");

    // Not a replay: the file is named.
    std::fs::write(dir.join("bad.mcreplay"), "{\"format\": \"x\"}").unwrap();
    let out = studio(&["replay", dir.join("bad.mcreplay").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("bad.mcreplay"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_tournament_ranks_the_templates_by_their_identities() {
    let out = studio(&[
        "tournament",
        "examples/graphs",
        "--scenario",
        "assets/duels/crossing.json",
        "--seeds",
        "2",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ranking = v["ranking"].as_array().unwrap();
    // The five AI templates (the world-script templates in the folder are left out).
    assert_eq!(ranking.len(), 5, "{v}");
    assert_eq!(v["pairings"].as_array().unwrap().len(), 10);
    assert_eq!(ranking[0]["name"], "tactician 1.0.0", "{v}");
    let ratings: Vec<f64> = ranking
        .iter()
        .map(|r| r["rating"].as_f64().unwrap())
        .collect();
    assert!(ratings.windows(2).all(|w| w[0] >= w[1]), "{ratings:?}");
    let mean = ratings.iter().sum::<f64>() / ratings.len() as f64;
    assert!(mean > 1300.0 && mean < 1700.0, "{mean}");
    // The table says the same in words.
    let out = studio(&[
        "tournament",
        "examples/graphs/melee-rusher.mcgraph.json",
        "examples/graphs/mage-support.mcgraph.json",
        "--scenario",
        "assets/duels/crossing.json",
        "--seeds",
        "1",
    ]);
    let shown = text(&out.stdout);
    assert!(shown.contains("rank  controller"), "{shown}");
    assert!(
        shown.contains("mage-support 1.0.0 vs melee-rusher 1.0.0")
            || shown.contains("melee-rusher 1.0.0 vs mage-support 1.0.0"),
        "{shown}"
    );
    // One controller is not a tournament.
    let out = studio(&[
        "tournament",
        "examples/graphs/melee-rusher.mcgraph.json",
        "--scenario",
        "assets/duels/crossing.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("at least two controllers"),
        "{}",
        text(&out.stderr)
    );
}
