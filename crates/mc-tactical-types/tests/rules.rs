//! Rule tests: every rejection reason, the damage formula, spells, fortification, visibility,
//! rounds, elimination and victory.

use mc_tactical_types::rules::{
    self, Event, MatchResult, Rejection, StateProblem, TurnLedger, WinReason,
};
use mc_tactical_types::{
    Action, Player, Pos, SCHEMA_VERSION, Spell, TacticalState, Terrain, TileMap, Unit, UnitKind,
};

/// A state from map rows (`.` plains, `f` forest, `h` hills, `~` water, `^` mountain) and units.
fn state(rows: &[&str], units: Vec<Unit>) -> TacticalState {
    let width = rows[0].len() as u16;
    let tiles = rows
        .iter()
        .flat_map(|r| r.chars().map(|c| Terrain::from_glyph(c).unwrap()))
        .collect();
    let s = TacticalState {
        schema: SCHEMA_VERSION,
        turn: 1,
        map: TileMap {
            width,
            height: rows.len() as u16,
            tiles,
        },
        units,
        players: vec![
            Player {
                slot: 0,
                mana: 5,
                alive: true,
            },
            Player {
                slot: 1,
                mana: 5,
                alive: true,
            },
        ],
    };
    assert_eq!(rules::check_state(&s), vec![], "fixture must be valid");
    s
}

fn unit(id: u32, owner: u8, kind: UnitKind, x: u16, y: u16) -> Unit {
    Unit::new(id, owner, kind, Pos::new(x, y))
}

const OPEN: &[&str] = &["......", "......", "......", "......", "......", "......"];

/// Applies `action` for slot 0 and returns the rejection, checking that nothing changed.
fn rejected(s: &TacticalState, ledger: &TurnLedger, action: Action) -> Rejection {
    let mut after = s.clone();
    let mut l = ledger.clone();
    let err = rules::apply(&mut after, &mut l, &action).unwrap_err();
    assert_eq!(&after, s, "a rejected action must not change the state");
    assert_eq!(&l, ledger, "a rejected action must not change the ledger");
    assert_eq!(rules::validate(s, ledger, &action), Err(err));
    err
}

fn mv(unit: u32, x: u16, y: u16) -> Action {
    Action::Move {
        unit,
        to: Pos::new(x, y),
    }
}

#[test]
fn unknown_and_eliminated_players_cannot_act() {
    let mut s = state(OPEN, vec![unit(1, 0, UnitKind::Warrior, 0, 0)]);
    let l = TurnLedger::new(7);
    assert_eq!(
        rejected(&s, &l, mv(1, 1, 0)),
        Rejection::UnknownPlayer { slot: 7 }
    );
    s.players[1].alive = false;
    let l = TurnLedger::new(1);
    assert_eq!(
        rejected(&s, &l, mv(1, 1, 0)),
        Rejection::PlayerEliminated { slot: 1 }
    );
}

#[test]
fn unknown_unit_and_someone_elses_unit_are_refused() {
    let s = state(
        OPEN,
        vec![
            unit(1, 0, UnitKind::Warrior, 0, 0),
            unit(2, 1, UnitKind::Warrior, 5, 5),
        ],
    );
    let l = TurnLedger::new(0);
    assert_eq!(
        rejected(&s, &l, mv(99, 1, 0)),
        Rejection::UnknownUnit { unit: 99 }
    );
    assert_eq!(
        rejected(&s, &l, mv(2, 4, 5)),
        Rejection::NotYourUnit { unit: 2, owner: 1 }
    );
}

#[test]
fn move_rejections_name_the_reason() {
    let rows = &["..~...", "..^...", "......"];
    let s = state(
        rows,
        vec![
            unit(1, 0, UnitKind::Warrior, 0, 0),
            unit(2, 0, UnitKind::Warrior, 1, 0),
            unit(3, 1, UnitKind::Warrior, 5, 2),
        ],
    );
    let l = TurnLedger::new(0);
    assert_eq!(
        rejected(&s, &l, mv(1, 6, 0)),
        Rejection::OffMap { to: Pos::new(6, 0) }
    );
    assert_eq!(
        rejected(&s, &l, mv(1, 0, 0)),
        Rejection::AlreadyThere { unit: 1 }
    );
    assert_eq!(
        rejected(&s, &l, mv(2, 2, 0)),
        Rejection::Impassable {
            to: Pos::new(2, 0),
            terrain: Terrain::Water
        }
    );
    assert_eq!(
        rejected(&s, &l, mv(2, 2, 1)),
        Rejection::Impassable {
            to: Pos::new(2, 1),
            terrain: Terrain::Mountain
        }
    );
    assert_eq!(
        rejected(&s, &l, mv(1, 1, 0)),
        Rejection::Occupied {
            to: Pos::new(1, 0),
            by: 2
        }
    );
    // Too far: (0,0) to (2,2) is 4 moves for a warrior with 2.
    assert_eq!(
        rejected(&s, &l, mv(1, 2, 2)),
        Rejection::Unreachable {
            unit: 1,
            to: Pos::new(2, 2),
            moves: 2
        }
    );
}

#[test]
fn a_path_cannot_pass_through_units_or_cost_more_than_the_moves() {
    // Unit 1 at (0,1) is boxed in: a friend at (1,1), water north, mountains south.
    let rows = &["~~~~", "....", "^^^^"];
    let s = state(
        rows,
        vec![
            unit(1, 0, UnitKind::Warrior, 0, 1),
            unit(2, 0, UnitKind::Warrior, 1, 1),
        ],
    );
    let l = TurnLedger::new(0);
    assert_eq!(
        rejected(&s, &l, mv(1, 2, 1)),
        Rejection::Unreachable {
            unit: 1,
            to: Pos::new(2, 1),
            moves: 2
        }
    );
    // Forest costs 2: a warrior (2 moves) can enter one forest tile but not cross two.
    let rows = &[".ff."];
    let s = state(rows, vec![unit(1, 0, UnitKind::Warrior, 0, 0)]);
    assert_eq!(rules::path_cost(&s, &s.units[0], Pos::new(1, 0)), Ok(2));
    assert_eq!(
        rejected(&s, &l, mv(1, 2, 0)),
        Rejection::Unreachable {
            unit: 1,
            to: Pos::new(2, 0),
            moves: 2
        }
    );
    // A knight (4 moves) crosses both forests (2 + 2) but cannot go one tile further (5).
    let s = state(rows, vec![unit(1, 0, UnitKind::Knight, 0, 0)]);
    assert_eq!(rules::path_cost(&s, &s.units[0], Pos::new(2, 0)), Ok(4));
    assert_eq!(
        rules::path_cost(&s, &s.units[0], Pos::new(3, 0)),
        Err(Rejection::Unreachable {
            unit: 1,
            to: Pos::new(3, 0),
            moves: 4
        })
    );
}

#[test]
fn a_unit_moves_once_and_not_after_acting() {
    let mut s = state(
        OPEN,
        vec![
            unit(1, 0, UnitKind::Warrior, 0, 0),
            unit(2, 0, UnitKind::Warrior, 3, 3),
            unit(9, 1, UnitKind::Warrior, 4, 3),
        ],
    );
    let mut l = TurnLedger::new(0);
    let events = rules::apply(&mut s, &mut l, &mv(1, 1, 0)).unwrap();
    assert_eq!(
        events,
        vec![Event::Moved {
            unit: 1,
            from: Pos::new(0, 0),
            to: Pos::new(1, 0),
            cost: 1
        }]
    );
    assert_eq!(
        rejected(&s, &l, mv(1, 2, 0)),
        Rejection::AlreadyMoved { unit: 1 }
    );
    // Attacking ends movement.
    rules::apply(&mut s, &mut l, &Action::Attack { unit: 2, target: 9 }).unwrap();
    assert_eq!(
        rejected(&s, &l, mv(2, 3, 4)),
        Rejection::AlreadyActed { unit: 2 }
    );
    assert_eq!(
        rejected(&s, &l, Action::Attack { unit: 2, target: 9 }),
        Rejection::AlreadyActed { unit: 2 }
    );
    // Moving and then attacking is fine; a fresh ledger (next turn) allows moving again.
    let l = TurnLedger::new(0);
    assert!(rules::validate(&s, &l, &mv(1, 2, 0)).is_ok());
}

#[test]
fn attack_rejections_name_the_reason() {
    let s = state(
        &["......", "......", "......", "......", "......", "......"],
        vec![
            unit(1, 0, UnitKind::Warrior, 0, 0),
            unit(2, 0, UnitKind::Archer, 0, 1),
            unit(3, 1, UnitKind::Warrior, 2, 0),
            unit(4, 1, UnitKind::Warrior, 5, 5),
        ],
    );
    let l = TurnLedger::new(0);
    assert_eq!(
        rejected(
            &s,
            &l,
            Action::Attack {
                unit: 1,
                target: 77
            }
        ),
        Rejection::UnknownTarget { target: 77 }
    );
    assert_eq!(
        rejected(&s, &l, Action::Attack { unit: 1, target: 2 }),
        Rejection::FriendlyTarget { target: 2 }
    );
    assert_eq!(
        rejected(&s, &l, Action::Attack { unit: 1, target: 3 }),
        Rejection::OutOfRange {
            unit: 1,
            target: 3,
            distance: 2,
            range: 1
        }
    );
    // Unit 4 at (5,5) is 9 from the warrior (sight 3) and 9 from the archer (sight 4).
    assert_eq!(
        rejected(&s, &l, Action::Attack { unit: 2, target: 4 }),
        Rejection::TargetNotVisible { target: 4 }
    );
    // The archer (range 3) reaches unit 3 at distance 3.
    assert!(rules::validate(&s, &l, &Action::Attack { unit: 2, target: 3 }).is_ok());
}

#[test]
fn damage_follows_the_formula_with_terrain_and_fortification() {
    // attack 5 vs warrior defence 2: 3 on plains, 2 in forest, 1 on hills, 1 (minimum) fortified on hills.
    for (glyph, fortified, expected) in [
        ('.', false, 3),
        ('f', false, 2),
        ('h', false, 1),
        ('.', true, 1),
        ('h', true, 1),
    ] {
        let row = format!(".{glyph}");
        let mut target = unit(2, 1, UnitKind::Warrior, 1, 0);
        target.fortified = fortified;
        let mut s = state(
            &[row.as_str()],
            vec![unit(1, 0, UnitKind::Warrior, 0, 0), target],
        );
        let mut l = TurnLedger::new(0);
        let events = rules::apply(&mut s, &mut l, &Action::Attack { unit: 1, target: 2 }).unwrap();
        assert_eq!(
            events[1],
            Event::Damaged {
                unit: 2,
                amount: expected,
                hp: 12 - expected
            },
            "terrain {glyph}, fortified {fortified}"
        );
        assert_eq!(s.unit(2).unwrap().hp, 12 - expected);
    }
    // A knight (6) against a mage (0 defence) deals 6.
    let mage = unit(2, 1, UnitKind::Mage, 1, 0);
    assert_eq!(rules::damage(6, &mage, Terrain::Plains), 6);
}

#[test]
fn a_unit_at_zero_hp_is_removed_and_its_player_eliminated() {
    let mut victim = unit(2, 1, UnitKind::Warrior, 1, 0);
    victim.hp = 2;
    let mut s = state(&["..."], vec![unit(1, 0, UnitKind::Warrior, 0, 0), victim]);
    let mut l = TurnLedger::new(0);
    let events = rules::apply(&mut s, &mut l, &Action::Attack { unit: 1, target: 2 }).unwrap();
    assert_eq!(
        events,
        vec![
            Event::Attacked { unit: 1, target: 2 },
            Event::Damaged {
                unit: 2,
                amount: 2,
                hp: 0
            },
            Event::Killed { unit: 2, owner: 1 },
            Event::Eliminated { slot: 1 },
        ]
    );
    assert!(s.unit(2).is_none());
    assert!(!s.players[1].alive);
    assert_eq!(
        rules::match_result(&s, 30),
        Some(MatchResult::Won {
            slot: 0,
            by: WinReason::Elimination
        })
    );
}

#[test]
fn spell_rejections_name_the_reason() {
    let mut s = state(
        &["........", "........"],
        vec![
            unit(1, 0, UnitKind::Mage, 0, 0),
            unit(2, 0, UnitKind::Warrior, 0, 1),
            unit(3, 1, UnitKind::Warrior, 7, 1),
        ],
    );
    let l = TurnLedger::new(0);
    let cast = |unit, spell, x, y| Action::Cast {
        unit,
        spell,
        at: Pos::new(x, y),
    };
    assert_eq!(
        rejected(&s, &l, cast(2, Spell::Fireball, 1, 1)),
        Rejection::NotAMage {
            unit: 2,
            kind: UnitKind::Warrior
        }
    );
    assert_eq!(
        rejected(&s, &l, cast(1, Spell::Fireball, 0, 9)),
        Rejection::SpellOffMap { at: Pos::new(0, 9) }
    );
    assert_eq!(
        rejected(&s, &l, cast(1, Spell::Fireball, 4, 0)),
        Rejection::SpellOutOfRange {
            at: Pos::new(4, 0),
            distance: 4
        }
    );
    s.players[0].mana = 2;
    assert_eq!(
        rejected(&s, &l, cast(1, Spell::Fireball, 3, 0)),
        Rejection::NotEnoughMana {
            spell: Spell::Fireball,
            have: 2,
            need: 3
        }
    );
    assert!(rules::validate(&s, &l, &cast(1, Spell::Heal, 0, 1)).is_ok());
}

#[test]
fn fireball_hits_every_unit_around_the_target_and_costs_mana() {
    let mut s = state(
        &[".....", ".....", "....."],
        vec![
            unit(1, 0, UnitKind::Mage, 0, 0),
            unit(2, 0, UnitKind::Warrior, 2, 0),
            unit(3, 1, UnitKind::Warrior, 2, 1),
            unit(4, 1, UnitKind::Mage, 3, 1),
            unit(5, 1, UnitKind::Warrior, 4, 2),
        ],
    );
    let mut l = TurnLedger::new(0);
    let events = rules::apply(
        &mut s,
        &mut l,
        &Action::Cast {
            unit: 1,
            spell: Spell::Fireball,
            at: Pos::new(2, 1),
        },
    )
    .unwrap();
    assert_eq!(s.players[0].mana, 2);
    assert_eq!(s.unit(2).unwrap().hp, 6, "friendly fire");
    assert_eq!(s.unit(3).unwrap().hp, 6);
    assert_eq!(s.unit(4).unwrap().hp, 1, "mage 7 hp - 6");
    assert_eq!(s.unit(5).unwrap().hp, 12, "distance 3 is outside the blast");
    assert!(events.contains(&Event::Cast {
        unit: 1,
        spell: Spell::Fireball,
        at: Pos::new(2, 1),
        mana_left: 2
    }));
}

#[test]
fn heal_restores_own_units_up_to_max_only() {
    let mut a = unit(2, 0, UnitKind::Warrior, 1, 0);
    a.hp = 10;
    let mut b = unit(3, 0, UnitKind::Warrior, 2, 1);
    b.hp = 1;
    let mut enemy = unit(4, 1, UnitKind::Warrior, 1, 1);
    enemy.hp = 1;
    let mut s = state(
        &["....", "...."],
        vec![unit(1, 0, UnitKind::Mage, 0, 0), a, b, enemy],
    );
    let mut l = TurnLedger::new(0);
    rules::apply(
        &mut s,
        &mut l,
        &Action::Cast {
            unit: 1,
            spell: Spell::Heal,
            at: Pos::new(1, 1),
        },
    )
    .unwrap();
    assert_eq!(s.unit(2).unwrap().hp, 12, "capped at max");
    assert_eq!(s.unit(3).unwrap().hp, 9);
    assert_eq!(s.unit(4).unwrap().hp, 1, "enemies are not healed");
    assert_eq!(s.players[0].mana, 3);
}

#[test]
fn fortify_ends_the_turn_and_lasts_until_the_unit_moves() {
    let mut s = state(
        OPEN,
        vec![
            unit(1, 0, UnitKind::Dwarf, 0, 0),
            unit(9, 1, UnitKind::Warrior, 5, 5),
        ],
    );
    let mut l = TurnLedger::new(0);
    rules::apply(&mut s, &mut l, &Action::Fortify { unit: 1 }).unwrap();
    assert!(s.unit(1).unwrap().fortified);
    assert_eq!(
        rejected(&s, &l, mv(1, 1, 0)),
        Rejection::AlreadyActed { unit: 1 }
    );
    assert_eq!(
        rejected(&s, &l, Action::Fortify { unit: 1 }),
        Rejection::AlreadyActed { unit: 1 }
    );
    // Still fortified next turn; moving clears it.
    let mut l = TurnLedger::new(0);
    assert!(s.unit(1).unwrap().fortified);
    rules::apply(&mut s, &mut l, &mv(1, 1, 0)).unwrap();
    assert!(!s.unit(1).unwrap().fortified);
}

#[test]
fn view_shows_own_units_visible_enemies_and_everything_public() {
    let s = state(
        &["..........", ".........."],
        vec![
            unit(1, 0, UnitKind::Warrior, 0, 0),
            unit(2, 1, UnitKind::Warrior, 3, 0),
            unit(3, 1, UnitKind::Warrior, 4, 0),
            unit(4, 1, UnitKind::Archer, 9, 1),
        ],
    );
    let v = rules::view_for(&s, 0);
    let ids: Vec<u32> = v.units.iter().map(|u| u.id).collect();
    assert_eq!(ids, [1, 2], "warrior sight 3 sees (3,0) but not (4,0)");
    assert_eq!(v.map, s.map);
    assert_eq!(v.players, s.players);
    assert_eq!((v.schema, v.turn), (s.schema, s.turn));
    // Player 1 sees everything of its own and unit 1 (its warriors see 3 tiles).
    let v = rules::view_for(&s, 1);
    assert_eq!(v.units.len(), 4);
}

#[test]
fn end_round_advances_the_turn_and_grants_mana_up_to_ten() {
    let mut s = state(
        OPEN,
        vec![
            unit(1, 0, UnitKind::Mage, 0, 0),
            unit(2, 1, UnitKind::Mage, 5, 5),
        ],
    );
    s.players[0].mana = 9;
    s.players[1].mana = 10;
    rules::end_round(&mut s);
    assert_eq!(s.turn, 2);
    assert_eq!((s.players[0].mana, s.players[1].mana), (10, 10));
    rules::end_round(&mut s);
    assert_eq!(s.players[0].mana, 10);
}

#[test]
fn the_turn_limit_gives_the_win_to_the_higher_total_hp() {
    let mut hurt = unit(2, 1, UnitKind::Warrior, 5, 5);
    hurt.hp = 3;
    let mut s = state(OPEN, vec![unit(1, 0, UnitKind::Warrior, 0, 0), hurt]);
    s.turn = 10;
    assert_eq!(
        rules::match_result(&s, 10),
        None,
        "round 10 is still played"
    );
    s.turn = 11;
    assert_eq!(
        rules::match_result(&s, 10),
        Some(MatchResult::Won {
            slot: 0,
            by: WinReason::TurnLimit
        })
    );
    s.units[1].hp = 12;
    assert_eq!(
        rules::match_result(&s, 10),
        Some(MatchResult::Draw {
            by: WinReason::TurnLimit
        })
    );
}

#[test]
fn apply_turn_discards_invalid_actions_and_keeps_going() {
    let mut s = state(
        OPEN,
        vec![
            unit(1, 0, UnitKind::Warrior, 0, 0),
            unit(2, 1, UnitKind::Warrior, 5, 5),
        ],
    );
    let verdicts = rules::apply_turn(&mut s, 0, &[mv(1, 5, 5), mv(2, 4, 4), mv(1, 1, 1)]);
    assert!(verdicts[0].is_err());
    assert_eq!(
        verdicts[1],
        Err(Rejection::NotYourUnit { unit: 2, owner: 1 })
    );
    assert!(verdicts[2].is_ok());
    assert_eq!(s.unit(1).unwrap().pos, Pos::new(1, 1));
}

#[test]
fn reachable_lists_every_tile_within_the_moves() {
    let s = state(
        &["...", ".~.", "..."],
        vec![unit(1, 0, UnitKind::Warrior, 0, 0)],
    );
    let tiles: Vec<Pos> = rules::reachable(&s, &s.units[0])
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        tiles,
        [
            Pos::new(1, 0),
            Pos::new(2, 0),
            Pos::new(0, 1),
            Pos::new(0, 2)
        ]
    );
}

#[test]
fn check_state_reports_every_problem_by_unit_and_field() {
    let mut s = state(OPEN, vec![unit(1, 0, UnitKind::Warrior, 0, 0)]);
    s.schema = 2;
    s.map.tiles[1] = Terrain::Water;
    s.units.push(unit(1, 0, UnitKind::Archer, 1, 0));
    s.units.push(unit(3, 5, UnitKind::Archer, 0, 0));
    let mut high = unit(4, 1, UnitKind::Mage, 9, 9);
    high.hp = 20;
    s.units.push(high);
    s.players[1].mana = 11;
    let problems = rules::check_state(&s);
    assert_eq!(
        problems,
        vec![
            StateProblem::SchemaMismatch { found: 2 },
            StateProblem::ManaAboveMax { slot: 1, mana: 11 },
            StateProblem::DuplicateId { unit: 1 },
            StateProblem::OnImpassable {
                unit: 1,
                pos: Pos::new(1, 0),
                terrain: Terrain::Water
            },
            StateProblem::UnknownOwner { unit: 3, owner: 5 },
            StateProblem::SharedTile {
                unit: 3,
                other: 1,
                pos: Pos::new(0, 0)
            },
            StateProblem::OffMap {
                unit: 4,
                pos: Pos::new(9, 9)
            },
            StateProblem::HpAboveMax {
                unit: 4,
                hp: 20,
                max_hp: 7
            },
        ]
    );
    assert_eq!(problems[7].to_string(), "unit 4: hp 20 is above max_hp 7");
}

#[test]
fn every_rejection_has_a_distinct_code_and_a_message() {
    let all = [
        Rejection::UnknownPlayer { slot: 1 },
        Rejection::PlayerEliminated { slot: 1 },
        Rejection::UnknownUnit { unit: 1 },
        Rejection::NotYourUnit { unit: 1, owner: 1 },
        Rejection::AlreadyMoved { unit: 1 },
        Rejection::AlreadyActed { unit: 1 },
        Rejection::OffMap { to: Pos::new(1, 1) },
        Rejection::AlreadyThere { unit: 1 },
        Rejection::Impassable {
            to: Pos::new(1, 1),
            terrain: Terrain::Water,
        },
        Rejection::Occupied {
            to: Pos::new(1, 1),
            by: 2,
        },
        Rejection::Unreachable {
            unit: 1,
            to: Pos::new(1, 1),
            moves: 2,
        },
        Rejection::UnknownTarget { target: 1 },
        Rejection::FriendlyTarget { target: 1 },
        Rejection::TargetNotVisible { target: 1 },
        Rejection::OutOfRange {
            unit: 1,
            target: 2,
            distance: 3,
            range: 1,
        },
        Rejection::NotAMage {
            unit: 1,
            kind: UnitKind::Dwarf,
        },
        Rejection::SpellOffMap { at: Pos::new(1, 1) },
        Rejection::SpellOutOfRange {
            at: Pos::new(1, 1),
            distance: 4,
        },
        Rejection::NotEnoughMana {
            spell: Spell::Heal,
            have: 1,
            need: 2,
        },
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(Rejection::code).collect();
    assert_eq!(codes.len(), all.len());
    assert_eq!(
        Rejection::OutOfRange {
            unit: 1,
            target: 2,
            distance: 3,
            range: 1
        }
        .to_string(),
        "unit 2 is 3 tiles from unit 1, beyond its range of 1"
    );
}
