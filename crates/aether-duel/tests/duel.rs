//! Duels and batches through the real host: reproducible, the same on any number of threads,
//! and telling a strong controller from one that passes.

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::sync::atomic::AtomicBool;

use aether_compile::VisualScriptCompiler;
use aether_duel::{Seat, play_batch, play_duel};
use aether_lang::Scenario;
use aether_lang::graph::VisualScriptGraph;
use support::{host, root};

fn scenario(name: &str) -> Scenario {
    Scenario::load(&root().join(format!("assets/duels/{name}.json"))).unwrap()
}

fn template(name: &str) -> Seat {
    let g = VisualScriptGraph::load(&root().join(format!("examples/graphs/{name}.mcgraph.json")))
        .unwrap();
    let wasm = VisualScriptCompiler::compile(&g).unwrap().wasm_bytes;
    Seat::Controller(host().load(&wasm).unwrap())
}

#[test]
fn a_duel_is_a_function_of_its_inputs() {
    let crossing = scenario("crossing");
    let seats = [template("melee-rusher"), template("archer-skirmisher")];
    let first = play_duel(&crossing, &seats, 11).unwrap();
    let again = play_duel(&crossing, &seats, 11).unwrap();
    assert_eq!(
        first, again,
        "the same inputs give the same duel, turn for turn"
    );
    assert!(first.rounds >= 1 && first.hp.len() == first.rounds as usize + 1);
    assert!(
        first.turns.iter().all(|t| t.outcome == "ok"),
        "no failed turn"
    );
    // Another seed gives other turn seeds.
    let other = play_duel(&crossing, &seats, 12).unwrap();
    assert_ne!(first.turns[0].seed, other.turns[0].seed);
    // A template beats a player that passes, from either seat.
    for (rusher, pass) in [(0u8, 1u8), (1, 0)] {
        let mut s = vec![Seat::Pass, Seat::Pass];
        s[usize::from(rusher)] = template("melee-rusher");
        let r = play_duel(&crossing, &s, 3).unwrap();
        assert_eq!(
            r.winner,
            Some(rusher),
            "seat {rusher} against pass in {pass}"
        );
    }
}

#[test]
fn a_batch_is_the_same_on_one_thread_and_on_all() {
    let crossing = scenario("crossing");
    let (a, b) = (template("mage-support"), template("melee-rusher"));
    let cancel = AtomicBool::new(false);
    let run = || play_batch(&crossing, &a, &b, 0..12, &|_, _| {}, &cancel).unwrap();
    let all = run();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(run);
    assert_eq!(all, one);
    assert_eq!(all.games, 24);
    assert_eq!(all.wins + all.draws + all.losses, 24);
    let (lo, hi) = all.interval;
    let rate = f64::from(all.wins) / 24.0;
    assert!(lo <= rate && rate <= hi, "{lo} <= {rate} <= {hi}");
    // Every seed is played from both seats.
    assert!(
        all.per_game
            .chunks(2)
            .all(|p| p[0].seed == p[1].seed && p[0].seat != p[1].seat)
    );
}

#[test]
fn bad_inputs_are_refused_with_the_reason() {
    let skirmish = Scenario::load(&root().join("assets/states/skirmish.json")).unwrap();
    let err = play_duel(&skirmish, &[Seat::Pass, Seat::Pass], 1).unwrap_err();
    assert!(err.to_string().contains("is not a duel scenario"), "{err}");
    let err = play_duel(&scenario("crossing"), &[Seat::Pass], 1).unwrap_err();
    assert!(err.to_string().contains("2 players but 1 seats"), "{err}");
}

#[test]
fn a_replay_round_trips_and_compares_turn_by_turn() {
    use aether_duel::{Replay, ReplaySeat};
    let crossing = scenario("crossing");
    let seats = [template("hill-defender"), Seat::Pass];
    let duel = play_duel(&crossing, &seats, 5).unwrap();
    let replay = Replay::new(
        "assets/duels/crossing.json",
        5,
        vec![
            ReplaySeat {
                identity: seats[0].name(),
                module: Some("examples/graphs/hill-defender.mcgraph.json".into()),
                module_hash: "00".into(),
            },
            ReplaySeat {
                identity: "pass".into(),
                module: None,
                module_hash: "0".into(),
            },
        ],
        &duel,
    );
    let back = Replay::from_json(&replay.to_json()).unwrap();
    assert_eq!(back, replay);
    assert_eq!(
        back.compare(&play_duel(&crossing, &seats, 5).unwrap()),
        Ok(duel.turns.len())
    );
    // Another duel differs, and the first difference is named.
    let other = play_duel(&crossing, &[template("melee-rusher"), Seat::Pass], 5).unwrap();
    let why = back.compare(&other).unwrap_err();
    assert!(why.starts_with("turn "), "{why}");
    assert!(Replay::from_json("{").unwrap_err().contains("line 1"));
}

/// A duel's frames, rebuilt by the rules from the recorded replies alone, are the states the
/// duel was played on: the same hp every round, the same verdicts, the same end; a replay of
/// another scenario, or a tampered reply, is refused at the turn that does not fit.
#[test]
fn frames_rebuild_every_turn_from_the_record() {
    use aether_duel::{Replay, ReplaySeat, frames, hp_by_round};
    let crossing = scenario("crossing");
    let seats = [template("archer-skirmisher"), template("hill-defender")];
    let played = play_duel(&crossing, &seats, 5).unwrap();
    let (f, end) = frames(&crossing.state, &played.turns).unwrap();
    assert_eq!(f.len(), played.turns.len());
    assert_eq!(hp_by_round(&f, &end), played.hp, "the hp chart's data");
    for (frame, turn) in f.iter().zip(&played.turns) {
        assert_eq!((frame.round, frame.slot), (turn.round, turn.slot));
        let verdicts: Vec<bool> = frame.actions.iter().map(|a| a.accepted()).collect();
        assert_eq!(verdicts, turn.accepted);
    }
    assert!(
        f.iter().any(|x| !x.actions.is_empty()),
        "the AIs did something"
    );
    // Through a replay file's text and back.
    let seat = |name: &str| ReplaySeat {
        identity: name.into(),
        module: Some(format!("examples/graphs/{name}.mcgraph.json")),
        module_hash: "0".into(),
    };
    let replay = Replay::new(
        "assets/duels/crossing.json",
        5,
        vec![seat("archer-skirmisher"), seat("hill-defender")],
        &played,
    );
    let read = Replay::from_json(&replay.to_json()).unwrap();
    let (again, end_again) = read.frames(&crossing.state).unwrap();
    assert_eq!(again.len(), f.len());
    assert_eq!(end_again, end);
    // Another scenario: the first turn does not fit.
    let highlands = scenario("highlands");
    let err = read.frames(&highlands.state).unwrap_err();
    assert!(err.starts_with("turn 1 "), "{err}");
    // A reply changed in the file: named at its turn.
    let mut tampered = read.clone();
    let k = tampered
        .turns
        .iter()
        .position(|t| t.reply.len() > 4)
        .unwrap();
    tampered.turns[k].reply = "ff".repeat(tampered.turns[k].reply.len() / 2);
    let err = tampered.frames(&crossing.state).unwrap_err();
    assert!(err.starts_with(&format!("turn {} ", k + 1)), "{err}");
}

/// A batch tells games that repeat from games that vary: the templates ignore their seeds on a
/// fixed map (two different games, one per seat, whatever the number of seeds), while an AI
/// that rolls a die each turn plays a different game on most seeds.
#[test]
fn a_batch_counts_the_games_that_differ() {
    use aether_lang::graph::{PortRef, Value};
    let crossing = scenario("crossing");
    let cancel = AtomicBool::new(false);
    let (rusher, archer) = (template("melee-rusher"), template("archer-skirmisher"));
    let fixed = play_batch(&crossing, &rusher, &archer, 0..10, &|_, _| {}, &cancel).unwrap();
    assert_eq!(fixed.games, 20);
    assert_eq!(fixed.distinct_games, 2, "one game per seat");
    assert!(
        fixed
            .repetition_note()
            .is_some_and(|n| n.contains("Only 2 of the 20"))
    );

    // On a roll of 4 or more, every unit fortifies instead of the rusher's plan.
    let mut g =
        VisualScriptGraph::load(&root().join("examples/graphs/melee-rusher.mcgraph.json")).unwrap();
    let turn = g
        .nodes()
        .find(|n| n.kind == "on_turn")
        .map(|n| n.id)
        .unwrap();
    let (link, first) = g
        .links()
        .find(|l| l.from == PortRef::new(turn, "then"))
        .map(|l| (l.id, l.to.clone()))
        .unwrap();
    g.disconnect(link);
    let roll = g.add_node("random_number", [0.0, 0.0]);
    let cmp = g.add_node("compare", [0.0, 0.0]);
    let branch = g.add_node("branch", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [0.0, 0.0]);
    let fortify = g.add_node("fortify", [0.0, 0.0]);
    g.set_value(cmp, "op", Value::Choice("ge".into()));
    g.set_value(cmp, "b", Value::Number(4));
    g.connect(PortRef::new(roll, "value"), PortRef::new(cmp, "a"));
    g.connect(
        PortRef::new(cmp, "result"),
        PortRef::new(branch, "condition"),
    );
    g.connect(PortRef::new(turn, "then"), PortRef::new(branch, "exec"));
    g.connect(PortRef::new(branch, "false"), first);
    g.connect(PortRef::new(branch, "true"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(fortify, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(fortify, "unit"));
    let wasm = VisualScriptCompiler::compile(&g).unwrap().wasm_bytes;
    let dicey = Seat::Controller(host().load(&wasm).unwrap());
    let varied = play_batch(&crossing, &dicey, &archer, 0..10, &|_, _| {}, &cancel).unwrap();
    assert!(varied.distinct_games > 10, "{}", varied.distinct_games);
    assert!(varied.repetition_note().is_none());
}

/// The Tactician template (built from functions) against the reference Rust controller
/// `learned-duel` compiled for wasm32, on both duel scenarios from both seats: the lower bound of
/// the Wilson 95% interval of its win rate is above one half on each (the Tactician draws on the
/// turn's seed now and then, so the seeds play different games). On maps neither was made for
/// (generated, 16 to 24 tiles wide, 6 to 12 units a side) it wins more than it loses.
#[test]
fn the_tactician_beats_learned_duel_from_both_seats() {
    let cancel = AtomicBool::new(false);
    let tactician = template("tactician");
    let learned = Seat::Controller(
        host()
            .load(&support::rust_controller("learned-duel"))
            .unwrap(),
    );
    for name in ["crossing", "highlands"] {
        let batch = play_batch(
            &scenario(name),
            &tactician,
            &learned,
            0..10,
            &|_, _| {},
            &cancel,
        )
        .unwrap();
        eprintln!(
            "{name}: {} won, {} drawn, {} lost; 95% interval {:.3} to {:.3}; {} different games",
            batch.wins,
            batch.draws,
            batch.losses,
            batch.interval.0,
            batch.interval.1,
            batch.distinct_games
        );
        assert!(
            batch.interval.0 > 0.5,
            "{name}: {} won, {} drawn, {} lost of {}",
            batch.wins,
            batch.draws,
            batch.losses,
            batch.games
        );
        assert!(
            batch.distinct_games > 2,
            "{name}: the seeds play different games"
        );
        assert_eq!(batch.failed_turns, [0, 0], "{name}");
    }
    let (mut wins, mut losses, mut games) = (0, 0, 0);
    for seed in 0..24u64 {
        let params = aether_lang::scenario::generate::GenParams {
            name: format!("generated {seed}"),
            description: String::new(),
            width: 16 + (seed % 3) as u16 * 4,
            height: 16,
            players: 2,
            units_per_player: 6 + (seed % 4) as u32 * 2,
            mana: 2,
            turn_limit: Some(30),
        };
        let map = aether_lang::scenario::generate::generate(&params, seed);
        let batch = play_batch(&map, &tactician, &learned, 0..1, &|_, _| {}, &cancel).unwrap();
        wins += batch.wins;
        losses += batch.losses;
        games += batch.games;
    }
    eprintln!("generated maps: {wins} won, {losses} lost of {games}");
    assert!(
        wins > losses,
        "on generated maps: {wins} won, {losses} lost of {games}"
    );
}
