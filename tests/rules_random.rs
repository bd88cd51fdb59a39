//! Randomised play on the sample states (fixed seeds): thousands of random action sequences, many
//! of them invalid on purpose, checking after every action that
//! - no two units share a tile, every unit stands on passable ground on the map,
//! - hp is never above max and dead units are gone (no unit at 0 hp),
//! - a rejected action changes nothing,
//! - a player with no units is eliminated.

use std::path::Path;

use aether_lang::Scenario;
use aether_lang::interp::Rng;
use mc_tactical_types::rules::{self, TurnLedger};
use mc_tactical_types::{Action, Pos, Spell, TacticalState};

/// The core's documented SplitMix64, with a modulo draw for picking.
struct Picker(Rng);

impl Picker {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn random_action(s: &TacticalState, slot: u8, rng: &mut Picker) -> Action {
    let own: Vec<_> = s.units_of(slot).collect();
    let any = |rng: &mut Picker| -> u32 {
        if s.units.is_empty() || rng.below(10) == 0 {
            rng.next() as u32 % 5000
        } else {
            s.units[rng.below(s.units.len())].id
        }
    };
    let unit = if own.is_empty() || rng.below(8) == 0 {
        any(rng)
    } else {
        own[rng.below(own.len())].id
    };
    let near = |rng: &mut Picker| -> Pos {
        let base = s.unit(unit).map(|u| u.pos).unwrap_or_default();
        let dx = rng.below(9) as i32 - 4;
        let dy = rng.below(9) as i32 - 4;
        let clamp = |v: i32| v.clamp(0, u16::MAX as i32) as u16;
        if rng.below(20) == 0 {
            Pos::new(s.map.width + rng.below(3) as u16, 0)
        } else {
            Pos::new(clamp(base.x as i32 + dx), clamp(base.y as i32 + dy))
        }
    };
    match rng.below(10) {
        0..=4 => Action::Move {
            unit,
            to: near(rng),
        },
        5..=7 => Action::Attack {
            unit,
            target: any(rng),
        },
        8 => Action::Cast {
            unit,
            spell: if rng.below(2) == 0 {
                Spell::Fireball
            } else {
                Spell::Heal
            },
            at: near(rng),
        },
        _ => Action::Fortify { unit },
    }
}

fn check_invariants(s: &TacticalState, context: &str) {
    assert_eq!(rules::check_state(s), vec![], "{context}");
    for p in &s.players {
        let has_units = s.units_of(p.slot).next().is_some();
        assert!(
            has_units || !p.alive,
            "{context}: player {} has no units but is alive",
            p.slot
        );
    }
}

/// Plays `sequences` random games of `rounds` rounds with `per_turn` actions per player turn.
fn play(file: &str, seed: u64, sequences: usize, rounds: u32, per_turn: usize) -> (usize, usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let start = Scenario::load(&path).unwrap().state;
    let mut rng = Picker(Rng::new(seed));
    let (mut accepted, mut rejected) = (0, 0);
    for seq in 0..sequences {
        let mut s = start.clone();
        for _ in 0..rounds {
            for slot in 0..s.players.len() as u8 {
                let mut ledger = TurnLedger::new(slot);
                for _ in 0..per_turn {
                    let action = random_action(&s, slot, &mut rng);
                    let before = s.clone();
                    let ledger_before = ledger.clone();
                    match rules::apply(&mut s, &mut ledger, &action) {
                        Ok(_) => {
                            accepted += 1;
                            if let Action::Move { unit, to } = action {
                                assert_eq!(s.unit(unit).map(|u| u.pos), Some(to));
                            }
                        }
                        Err(why) => {
                            rejected += 1;
                            assert_eq!(
                                s, before,
                                "{file} seq {seq}: rejected {action:?} ({why}) changed the state"
                            );
                            assert_eq!(ledger, ledger_before);
                        }
                    }
                    check_invariants(&s, &format!("{file} seq {seq} after {action:?}"));
                }
            }
            rules::end_round(&mut s);
            check_invariants(&s, &format!("{file} seq {seq} after end of round"));
            if rules::match_result(&s, u32::MAX).is_some() {
                break;
            }
        }
    }
    (accepted, rejected)
}

#[test]
fn random_play_on_the_skirmish_keeps_every_invariant() {
    let (ok, bad) = play("assets/states/skirmish.json", 1, 1500, 12, 12);
    assert!(
        ok > 10_000 && bad > 10_000,
        "both paths exercised: {ok} accepted, {bad} rejected"
    );
}

#[test]
fn random_play_on_the_duels_keeps_every_invariant() {
    for (i, file) in ["assets/duels/crossing.json", "assets/duels/highlands.json"]
        .into_iter()
        .enumerate()
    {
        let (ok, bad) = play(file, 10 + i as u64, 500, 10, 20);
        assert!(
            ok > 5_000 && bad > 5_000,
            "{file}: {ok} accepted, {bad} rejected"
        );
    }
}

#[test]
fn random_play_on_the_battle_and_stress_keeps_every_invariant() {
    let (ok, bad) = play("assets/states/battle.json", 2, 100, 6, 40);
    assert!(
        ok > 2_000 && bad > 2_000,
        "battle: {ok} accepted, {bad} rejected"
    );
    let (ok, bad) = play("assets/states/stress.json", 3, 4, 2, 60);
    assert!(
        ok > 100 && bad > 100,
        "stress: {ok} accepted, {bad} rejected"
    );
}
