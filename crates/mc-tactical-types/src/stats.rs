//! Base statistics of each unit kind (the project's tuning of rules v1), and a unit made with them.

use crate::{Pos, Unit, UnitKind};

/// The statistics a freshly recruited unit of a kind starts with.
///
/// | kind    | hp | attack | defence | range | moves | sight |
/// |---------|----|--------|---------|-------|-------|-------|
/// | warrior | 12 | 5      | 2       | 1     | 2     | 3     |
/// | archer  | 8  | 4      | 1       | 3     | 2     | 4     |
/// | knight  | 14 | 6      | 3       | 1     | 4     | 3     |
/// | mage    | 7  | 3      | 0       | 2     | 2     | 4     |
/// | dwarf   | 16 | 4      | 4       | 1     | 2     | 2     |
///
/// A state may give any unit other numbers; these are only the defaults that sample files and
/// [`Unit::new`](crate::Unit::new) use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitStats {
    /// Hit points at full health.
    pub max_hp: u16,
    /// Attack strength.
    pub attack: u16,
    /// Defence strength.
    pub defense: u16,
    /// Attack range (Manhattan).
    pub range: u8,
    /// Move points per turn.
    pub moves: u8,
    /// Sight radius (Manhattan).
    pub sight: u8,
}

impl UnitStats {
    /// The base statistics of `kind` (see the table above).
    pub const fn base(kind: UnitKind) -> UnitStats {
        let (max_hp, attack, defense, range, moves, sight) = match kind {
            UnitKind::Warrior => (12, 5, 2, 1, 2, 3),
            UnitKind::Archer => (8, 4, 1, 3, 2, 4),
            UnitKind::Knight => (14, 6, 3, 1, 4, 3),
            UnitKind::Mage => (7, 3, 0, 2, 2, 4),
            UnitKind::Dwarf => (16, 4, 4, 1, 2, 2),
        };
        UnitStats {
            max_hp,
            attack,
            defense,
            range,
            moves,
            sight,
        }
    }
}

impl Unit {
    /// A unit of `kind` at full health with the kind's base statistics.
    pub fn new(id: u32, owner: u8, kind: UnitKind, pos: Pos) -> Self {
        let s = UnitStats::base(kind);
        Self {
            id,
            owner,
            kind,
            pos,
            hp: s.max_hp,
            max_hp: s.max_hp,
            attack: s.attack,
            defense: s.defense,
            range: s.range,
            moves: s.moves,
            sight: s.sight,
            fortified: false,
        }
    }
}
