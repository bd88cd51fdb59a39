//! The controller host against real modules: the reference Rust controller built for wasm32, the
//! contract's minimum viable controller, and a hostile module for every way a mod can misbehave.
//! Each hostile test asserts the exact outcome and that a good module still runs normally
//! afterwards in the same process.

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use aether_host::{
    ControllerHost, ControllerLimits, Determinism, LoadError, TurnOutcome, TurnReport,
    check_determinism,
};
use mc_tactical_types::rules::Rejection;
use support::{fixture, host, rust_controller, state};

const MIB: u64 = 1024 * 1024;

/// Loads `name`'s fixture and plays slot 0 of the skirmish with it.
fn play_fixture(name: &str) -> TurnReport {
    let controller = host()
        .load(&fixture(name))
        .unwrap_or_else(|e| panic!("{name} should load: {e}"));
    controller
        .session()
        .play_turn(&state("states/skirmish"), 0, 42)
}

/// The contract's minimum viable controller loads and passes; proves the host is still healthy.
fn assert_good_module_still_runs() {
    let report = play_fixture("minimal");
    assert_eq!(report.outcome, TurnOutcome::Ok);
    assert_eq!(report.reply, [0x00]);
    assert!(report.actions.is_empty());
}

fn load_error(name: &str) -> LoadError {
    host()
        .load(&fixture(name))
        .expect_err("the module should be refused")
}

#[test]
fn the_minimum_viable_controller_loads_and_passes() {
    let c = host().load(&fixture("minimal")).unwrap();
    assert_eq!(c.identity().to_string(), "minimal 1.0.0");
    let s = state("states/skirmish");
    let report = c.session().play_turn(&s, 0, 0);
    assert_eq!(report.outcome, TurnOutcome::Ok);
    assert!(report.actions.is_empty());
    assert_eq!(report.state_after, s, "passing changes nothing");
    assert!(report.fuel_used > 0 && report.fuel_used < 100);
}

#[test]
fn the_reference_controller_plays_every_sample_deterministically() {
    let controller = host().load(&rust_controller("learned-duel")).unwrap();
    assert_eq!(controller.identity().to_string(), "learned-duel 1.0.0-b");
    for name in support::SAMPLES {
        let s = state(name);
        for slot in 0..s.players.len() as u8 {
            let (report, verdict) = check_determinism(&controller, &s, slot, 7);
            assert_eq!(verdict, Determinism::Same, "{name} slot {slot}");
            assert_eq!(report.outcome, TurnOutcome::Ok, "{name} slot {slot}");
            assert_eq!(report.ident, "learned-duel 1.0.0-b");
            assert!(
                !report.actions.is_empty(),
                "{name} slot {slot}: it should act"
            );
            assert!(report.accepted_count() > 0, "{name} slot {slot}");
            // It plans with the same rules on what it can see; only units hidden in the fog can
            // make one of its moves fail on the full state.
            for a in report.actions.iter().filter(|a| !a.accepted()) {
                assert!(
                    matches!(
                        a.verdict,
                        Err(Rejection::Occupied { .. } | Rejection::Unreachable { .. })
                    ),
                    "{name} slot {slot}: {:?}",
                    a
                );
            }
            assert!(report.fuel_used > 0 && report.fuel_used < 100_000_000);
            assert!(report.memory_bytes <= 16 * MIB);
            assert_ne!(
                report.state_after, s,
                "{name} slot {slot}: accepted actions change the state"
            );
        }
    }
}

#[test]
fn a_session_plays_a_whole_duel_and_units_die() {
    let controller = host().load(&rust_controller("learned-duel")).unwrap();
    let scenario = support::scenario("duels/crossing");
    let mut s = scenario.state.clone();
    let mut sessions = [controller.session(), controller.session()];
    let mut result = None;
    for _ in 0..scenario.turn_limit.unwrap() {
        for slot in 0..2u8 {
            let report = sessions[slot as usize].play_turn(&s, slot, u64::from(s.turn));
            assert_eq!(report.outcome, TurnOutcome::Ok);
            s = report.state_after;
        }
        mc_tactical_types::rules::end_round(&mut s);
        result = mc_tactical_types::rules::match_result(&s, scenario.turn_limit.unwrap());
        if result.is_some() {
            break;
        }
    }
    assert!(result.is_some(), "the match ends");
    assert!(
        s.units.len() < scenario.state.units.len(),
        "fighting happened"
    );
    assert_eq!(mc_tactical_types::rules::check_state(&s), vec![]);
}

#[test]
fn an_endless_decide_turn_ends_by_fuel() {
    let report = play_fixture("loop_decide");
    assert_eq!(report.outcome, TurnOutcome::OutOfFuel { fuel: 100_000_000 });
    assert_eq!(report.fuel_used, 100_000_000);
    assert!(report.actions.is_empty());
    assert_eq!(report.state_after, state("states/skirmish"));
    assert_good_module_still_runs();
}

#[test]
fn with_fuel_off_the_epoch_deadline_ends_an_endless_loop() {
    let host = ControllerHost::new(ControllerLimits {
        fuel_per_turn: None,
        deadline: Duration::from_millis(200),
        ..ControllerLimits::default()
    })
    .unwrap();
    let c = host.load(&fixture("loop_decide")).unwrap();
    let report = c.session().play_turn(&state("states/skirmish"), 0, 1);
    assert_eq!(report.outcome, TurnOutcome::Deadline { millis: 200 });
    assert!(report.wall_time >= Duration::from_millis(200));
    assert!(report.wall_time < Duration::from_secs(10));
    assert_eq!(report.fuel_used, 0);
    assert_good_module_still_runs();
}

#[test]
fn an_endless_start_function_is_refused_at_load() {
    assert_eq!(
        load_error("loop_start"),
        LoadError::OutOfFuel {
            stage: "the start function",
            fuel: 100_000_000
        }
    );
    assert_good_module_still_runs();
}

#[test]
fn an_endless_init_is_refused_at_load() {
    let err = load_error("loop_init");
    assert_eq!(
        err,
        LoadError::OutOfFuel {
            stage: "init",
            fuel: 100_000_000
        }
    );
    assert_eq!(
        err.to_string(),
        "init ran out of fuel (the budget is 100000000 per call)"
    );
    assert_good_module_still_runs();
}

#[test]
fn growing_memory_past_the_cap_is_stopped_at_the_cap() {
    let report = play_fixture("grow_loop");
    // It ignores every refusal and loops on: what stops it is fuel or the deadline (whichever
    // comes first on this machine), not the refusals, which it survived.
    assert!(
        matches!(
            report.outcome,
            TurnOutcome::OutOfFuel { .. } | TurnOutcome::Deadline { .. }
        ),
        "{:?}",
        report.outcome
    );
    assert!(
        report.memory_bytes <= 16 * MIB,
        "memory never exceeds the cap"
    );
    assert!(report.memory_bytes > 15 * MIB, "it did grow up to the cap");
    assert!(report.actions.is_empty());
    assert_good_module_still_runs();
}

#[test]
fn a_declared_memory_above_the_cap_is_refused() {
    let err = load_error("big_memory");
    assert_eq!(
        err.to_string(),
        "the module's memory starts at 300 pages (19660800 bytes), above the cap of 16777216 bytes"
    );
    assert_good_module_still_runs();
}

#[test]
fn deep_recursion_traps_on_the_stack_limit() {
    let report = play_fixture("recursion");
    assert_eq!(
        report.outcome,
        TurnOutcome::Trap {
            message: "call stack exhausted (recursion too deep for the stack limit)".into()
        }
    );
    assert_good_module_still_runs();
}

#[test]
fn any_import_is_refused_and_named() {
    let err = load_error("import");
    assert_eq!(
        err,
        LoadError::Import {
            module: "env".into(),
            name: "now".into(),
            kind: "a function"
        }
    );
    assert!(err.to_string().contains("imports a function \"env.now\""));
    assert_good_module_still_runs();
}

#[test]
fn a_reply_longer_than_the_buffer_is_a_bad_return() {
    let report = play_fixture("reply_too_long");
    assert_eq!(
        report.outcome,
        TurnOutcome::BadReturn {
            value: 65537,
            reply_capacity: 65536
        }
    );
    assert!(report.reply.is_empty() && report.actions.is_empty());
    assert_good_module_still_runs();
}

#[test]
fn a_negative_return_is_a_bad_return() {
    let report = play_fixture("negative");
    assert_eq!(report.outcome.code(), "bad_return");
    assert_eq!(
        report.outcome.to_string(),
        "bad return value: decide_turn returned -7, which reports an error; the AI does nothing this turn"
    );
    assert_good_module_still_runs();
}

#[test]
fn garbage_reply_bytes_are_a_bad_reply() {
    let report = play_fixture("garbage_reply");
    let TurnOutcome::BadReply { message } = &report.outcome else {
        panic!("expected bad_reply, got {:?}", report.outcome);
    };
    assert!(
        message.starts_with("the 8 reply bytes are not a postcard list of actions"),
        "{message}"
    );
    assert!(report.actions.is_empty());
    assert_good_module_still_runs();
}

#[test]
fn a_thousand_actions_for_someone_elses_unit_are_all_rejected() {
    let s = state("states/skirmish");
    assert_eq!(s.unit(6).unwrap().owner, 1);
    let report = play_fixture("thousand_foreign");
    assert_eq!(report.outcome, TurnOutcome::Ok);
    assert_eq!(report.actions.len(), 1000);
    for a in &report.actions {
        assert_eq!(a.verdict, Err(Rejection::NotYourUnit { unit: 6, owner: 1 }));
    }
    assert_eq!(report.state_after, s, "nothing changed");
    assert_good_module_still_runs();
}

#[test]
fn identity_cells_pointing_outside_memory_are_refused() {
    assert_eq!(
        load_error("ident_out_of_bounds").to_string(),
        "bad identity: `__ident_ptr` holds address 0x7ffffff0, outside the module's 65536-byte memory"
    );
    assert_good_module_still_runs();
}

#[test]
fn an_identity_that_is_not_utf8_is_refused() {
    assert_eq!(
        load_error("ident_not_utf8").to_string(),
        "bad identity: the identity is not UTF-8 (invalid byte at position 0)"
    );
    assert_good_module_still_runs();
}

#[test]
fn an_identity_without_a_version_is_refused() {
    assert_eq!(
        load_error("ident_no_version").to_string(),
        "bad identity: \"nameless-ai\" is not \"<name> <version>\" (for example \"my-ai 1.0.0\")"
    );
    assert_good_module_still_runs();
}

#[test]
fn init_returning_zero_is_refused() {
    assert_eq!(load_error("init_zero"), LoadError::InitDeclined);
    assert_good_module_still_runs();
}

#[test]
fn exports_with_the_wrong_signature_are_refused() {
    assert_eq!(
        load_error("wrong_signature").to_string(),
        "the export `decide_turn` is a function (i32, i32, i32, i32, i32, i32) -> (i32), \
         but the contract requires a function (i32, i32, i32, i64, i32, i32) -> i32"
    );
    assert_eq!(
        load_error("ident_global_is_function").to_string(),
        "the export `__ident_len` is a function, but the contract requires an i32 global"
    );
    assert_eq!(
        load_error("missing_decide").to_string(),
        "the module does not export `decide_turn` (a function (i32, i32, i32, i64, i32, i32) -> i32)"
    );
    assert_good_module_still_runs();
}

#[test]
fn a_module_of_many_megabytes_is_refused_before_parsing() {
    // The minimal controller plus a 20 MiB custom section.
    let mut bytes = fixture("minimal");
    let payload = 20 * 1024 * 1024;
    let name = b"padding";
    let size = name.len() + 1 + payload;
    bytes.push(0); // custom section id
    let mut n = size;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        bytes.push(if n == 0 { byte } else { byte | 0x80 });
        if n == 0 {
            break;
        }
    }
    bytes.push(name.len() as u8);
    bytes.extend_from_slice(name);
    bytes.resize(bytes.len() + payload, 0);
    let err = host().load(&bytes).unwrap_err();
    assert_eq!(
        err,
        LoadError::TooLarge {
            size: bytes.len(),
            limit: 8 * 1024 * 1024
        }
    );
    assert_good_module_still_runs();
}

#[test]
fn garbage_bytes_are_not_a_module() {
    let err = host().load(b"\0asm\x01\0\0\0\x99garbage").unwrap_err();
    assert!(matches!(err, LoadError::Invalid { .. }), "{err:?}");
    assert_good_module_still_runs();
}

#[test]
fn a_failed_turn_is_followed_by_a_fresh_instance() {
    // The reference controller in one session: a state it cannot fit (too big for the reply
    // buffer is impossible here), so use the hostile module's session to see the restart.
    let c = host().load(&fixture("negative")).unwrap();
    let mut session = c.session();
    let s = state("states/skirmish");
    let first = session.play_turn(&s, 0, 1);
    assert!(first.instantiate_time.is_some(), "first turn instantiates");
    let second = session.play_turn(&s, 0, 1);
    assert!(
        second.instantiate_time.is_some(),
        "after a failure: a fresh instance"
    );
    let good = host().load(&fixture("minimal")).unwrap();
    let mut session = good.session();
    session.play_turn(&s, 0, 1);
    let again = session.play_turn(&s, 0, 1);
    assert!(
        again.instantiate_time.is_none(),
        "after success the instance is kept"
    );
}
