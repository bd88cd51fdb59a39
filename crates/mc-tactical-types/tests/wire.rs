//! Freezes the postcard wire format: the bytes of a fixed state and of a fixed action list are
//! checked in as hex. A change here breaks every published mod, so it must come with a new
//! `SCHEMA_VERSION` and a major version of this crate.
//!
//! To regenerate after a deliberate change: `UPDATE_GOLDEN=1 cargo test -p mc-tactical-types --test wire`.

use std::path::PathBuf;

use mc_tactical_types::{
    Action, Player, Pos, SCHEMA_VERSION, Spell, TacticalState, Terrain, TileMap, Unit, UnitKind,
};

fn fixed_state() -> TacticalState {
    let mut archer = Unit::new(300, 1, UnitKind::Archer, Pos::new(2, 1));
    archer.hp = 5;
    archer.fortified = true;
    TacticalState {
        schema: SCHEMA_VERSION,
        turn: 7,
        map: TileMap {
            width: 3,
            height: 2,
            tiles: vec![
                Terrain::Plains,
                Terrain::Forest,
                Terrain::Hills,
                Terrain::Water,
                Terrain::Mountain,
                Terrain::Plains,
            ],
        },
        units: vec![
            Unit::new(1, 0, UnitKind::Mage, Pos::new(0, 0)),
            archer,
            Unit::new(70000, 0, UnitKind::Dwarf, Pos::new(1, 0)),
        ],
        players: vec![
            Player {
                slot: 0,
                mana: 10,
                alive: true,
            },
            Player {
                slot: 1,
                mana: 0,
                alive: true,
            },
        ],
    }
}

fn fixed_actions() -> Vec<Action> {
    vec![
        Action::Move {
            unit: 1,
            to: Pos::new(200, 3),
        },
        Action::Attack {
            unit: 70000,
            target: 300,
        },
        Action::Cast {
            unit: 1,
            spell: Spell::Fireball,
            at: Pos::new(2, 1),
        },
        Action::Cast {
            unit: 1,
            spell: Spell::Heal,
            at: Pos::new(0, 0),
        },
        Action::Fortify { unit: 300 },
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_golden(name: &str, bytes: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let actual = hex(bytes) + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1 once", path.display()));
    assert_eq!(
        actual, expected,
        "wire bytes of {name} changed: this breaks published mods"
    );
}

#[test]
fn state_bytes_are_frozen() {
    let bytes = postcard::to_allocvec(&fixed_state()).unwrap();
    check_golden("state.hex", &bytes);
}

#[test]
fn action_list_bytes_are_frozen() {
    let bytes = postcard::to_allocvec(&fixed_actions()).unwrap();
    check_golden("actions.hex", &bytes);
}

#[test]
fn empty_action_list_is_the_single_byte_zero() {
    let empty: Vec<Action> = Vec::new();
    assert_eq!(postcard::to_allocvec(&empty).unwrap(), [0x00]);
}

#[test]
fn schema_version_is_the_first_bytes_on_the_wire() {
    let bytes = postcard::to_allocvec(&fixed_state()).unwrap();
    // varint(1) = 0x01, then turn varint(7) = 0x07, then width 3, height 2, 6 tiles.
    assert_eq!(&bytes[..5], &[0x01, 0x07, 0x03, 0x02, 0x06]);
    // The tiles in wire order are the enum discriminants.
    assert_eq!(&bytes[5..11], &[0, 1, 2, 3, 4, 0]);
}

#[test]
fn wire_round_trip_is_exact() {
    let state = fixed_state();
    let bytes = postcard::to_allocvec(&state).unwrap();
    let back: TacticalState = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, state);
    let actions = fixed_actions();
    let bytes = postcard::to_allocvec(&actions).unwrap();
    let back: Vec<Action> = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, actions);
}

#[test]
fn one_action_of_each_kind_has_the_documented_layout() {
    // Move: variant 0, unit varint, x varint, y varint.
    let bytes = postcard::to_allocvec(&Action::Move {
        unit: 1,
        to: Pos::new(200, 3),
    })
    .unwrap();
    assert_eq!(bytes, [0x00, 0x01, 0xc8, 0x01, 0x03]);
    // Fortify: variant 3, unit varint.
    let bytes = postcard::to_allocvec(&Action::Fortify { unit: 300 }).unwrap();
    assert_eq!(bytes, [0x03, 0xac, 0x02]);
}
