//! Well-formedness of a whole state: what a sample file or a host must guarantee before play.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use crate::{MAX_MANA, Pos, SCHEMA_VERSION, TacticalState, Terrain};

/// One way in which a state breaks the invariants the rules rely on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StateProblem {
    /// `schema` is not [`SCHEMA_VERSION`].
    SchemaMismatch {
        /// The value found.
        found: u16,
    },
    /// The map has no tiles.
    EmptyMap,
    /// `tiles.len()` differs from `width * height`.
    TileCount {
        /// `width * height`.
        expected: usize,
        /// `tiles.len()`.
        found: usize,
    },
    /// `players[index].slot` is not `index`.
    PlayerSlot {
        /// Position in `players`.
        index: usize,
        /// The slot found there.
        slot: u8,
    },
    /// A player holds more than [`MAX_MANA`].
    ManaAboveMax {
        /// The player.
        slot: u8,
        /// The mana found.
        mana: u16,
    },
    /// Two units share an id.
    DuplicateId {
        /// The id.
        unit: u32,
    },
    /// A unit's owner is not a player of the state.
    UnknownOwner {
        /// The unit.
        unit: u32,
        /// The owner found.
        owner: u8,
    },
    /// A unit belongs to a player marked as eliminated.
    OwnerEliminated {
        /// The unit.
        unit: u32,
        /// Its owner.
        owner: u8,
    },
    /// A unit stands off the map.
    OffMap {
        /// The unit.
        unit: u32,
        /// Its position.
        pos: Pos,
    },
    /// A unit stands on water or mountain.
    OnImpassable {
        /// The unit.
        unit: u32,
        /// Its position.
        pos: Pos,
        /// The terrain there.
        terrain: Terrain,
    },
    /// Two units stand on one tile.
    SharedTile {
        /// The later unit.
        unit: u32,
        /// The unit already there.
        other: u32,
        /// The tile.
        pos: Pos,
    },
    /// A unit has 0 hp (dead units are removed).
    ZeroHp {
        /// The unit.
        unit: u32,
    },
    /// A unit's `max_hp` is 0.
    ZeroMaxHp {
        /// The unit.
        unit: u32,
    },
    /// A unit's `hp` exceeds its `max_hp`.
    HpAboveMax {
        /// The unit.
        unit: u32,
        /// Its hp.
        hp: u16,
        /// Its max hp.
        max_hp: u16,
    },
}

impl fmt::Display for StateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            StateProblem::SchemaMismatch { found } => write!(
                f,
                "schema is {found}, but this version of the game speaks schema {SCHEMA_VERSION}"
            ),
            StateProblem::EmptyMap => f.write_str("the map has no tiles"),
            StateProblem::TileCount { expected, found } => write!(
                f,
                "the map lists {found} tiles but width x height is {expected}"
            ),
            StateProblem::PlayerSlot { index, slot } => write!(
                f,
                "player number {index} has slot {slot}; players must be listed with slots 0, 1, 2… in order"
            ),
            StateProblem::ManaAboveMax { slot, mana } => {
                write!(
                    f,
                    "player {slot}: mana {mana} is above the maximum of {MAX_MANA}"
                )
            }
            StateProblem::DuplicateId { unit } => {
                write!(f, "unit {unit}: id is used by more than one unit")
            }
            StateProblem::UnknownOwner { unit, owner } => {
                write!(f, "unit {unit}: owner {owner} is not one of the players")
            }
            StateProblem::OwnerEliminated { unit, owner } => write!(
                f,
                "unit {unit}: owner {owner} is marked as eliminated but still has this unit"
            ),
            StateProblem::OffMap { unit, pos } => {
                write!(f, "unit {unit}: position {pos} is off the map")
            }
            StateProblem::OnImpassable { unit, pos, terrain } => write!(
                f,
                "unit {unit}: position {pos} is {terrain}, where no unit can stand"
            ),
            StateProblem::SharedTile { unit, other, pos } => {
                write!(
                    f,
                    "unit {unit}: position {pos} is already taken by unit {other}"
                )
            }
            StateProblem::ZeroHp { unit } => {
                write!(f, "unit {unit}: hp is 0 (dead units must be removed)")
            }
            StateProblem::ZeroMaxHp { unit } => write!(f, "unit {unit}: max_hp is 0"),
            StateProblem::HpAboveMax { unit, hp, max_hp } => {
                write!(f, "unit {unit}: hp {hp} is above max_hp {max_hp}")
            }
        }
    }
}

/// Every problem that makes `state` unfit for play, in a stable order (map and players first, then
/// units in list order). Empty when the state is well formed.
pub fn check_state(state: &TacticalState) -> Vec<StateProblem> {
    let mut out = Vec::new();
    if state.schema != SCHEMA_VERSION {
        out.push(StateProblem::SchemaMismatch {
            found: state.schema,
        });
    }
    let map = &state.map;
    if map.expected_len() == 0 {
        out.push(StateProblem::EmptyMap);
    } else if map.tiles.len() != map.expected_len() {
        out.push(StateProblem::TileCount {
            expected: map.expected_len(),
            found: map.tiles.len(),
        });
    }
    for (index, p) in state.players.iter().enumerate() {
        if usize::from(p.slot) != index {
            out.push(StateProblem::PlayerSlot {
                index,
                slot: p.slot,
            });
        }
        if p.mana > MAX_MANA {
            out.push(StateProblem::ManaAboveMax {
                slot: p.slot,
                mana: p.mana,
            });
        }
    }
    let mut ids = BTreeMap::new();
    let mut tiles: BTreeMap<Pos, u32> = BTreeMap::new();
    for u in &state.units {
        if ids.insert(u.id, ()).is_some() {
            out.push(StateProblem::DuplicateId { unit: u.id });
        }
        match state.player(u.owner) {
            None => out.push(StateProblem::UnknownOwner {
                unit: u.id,
                owner: u.owner,
            }),
            Some(p) if !p.alive => out.push(StateProblem::OwnerEliminated {
                unit: u.id,
                owner: u.owner,
            }),
            Some(_) => {}
        }
        match map.get(u.pos) {
            None => out.push(StateProblem::OffMap {
                unit: u.id,
                pos: u.pos,
            }),
            Some(terrain) if !terrain.is_passable() => out.push(StateProblem::OnImpassable {
                unit: u.id,
                pos: u.pos,
                terrain,
            }),
            Some(_) => {}
        }
        if let Some(&other) = tiles.get(&u.pos) {
            out.push(StateProblem::SharedTile {
                unit: u.id,
                other,
                pos: u.pos,
            });
        } else {
            tiles.insert(u.pos, u.id);
        }
        if u.max_hp == 0 {
            out.push(StateProblem::ZeroMaxHp { unit: u.id });
        }
        if u.hp == 0 {
            out.push(StateProblem::ZeroHp { unit: u.id });
        } else if u.hp > u.max_hp {
            out.push(StateProblem::HpAboveMax {
                unit: u.id,
                hp: u.hp,
                max_hp: u.max_hp,
            });
        }
    }
    out
}
