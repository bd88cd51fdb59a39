//! What a controller proposes: the `Action` list it returns each turn.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::Pos;

/// A spell a Mage can cast. The wire discriminant is the declaration order (Fireball = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Spell {
    /// 3 mana: 6 damage to every unit, friend or foe, within distance 1 of the target tile.
    Fireball,
    /// 2 mana: restores 8 hp (up to max) to the caster's own units within distance 1 of the target tile.
    Heal,
}

impl Spell {
    /// Every spell, in wire order.
    pub const ALL: [Spell; 2] = [Spell::Fireball, Spell::Heal];

    /// Greatest distance from the caster to the target tile.
    pub const RANGE: u32 = 3;

    /// Mana the spell costs.
    pub const fn cost(self) -> u16 {
        match self {
            Spell::Fireball => 3,
            Spell::Heal => 2,
        }
    }

    /// Hit points dealt (Fireball) or restored (Heal) to each unit in the area.
    pub const fn power(self) -> u16 {
        match self {
            Spell::Fireball => 6,
            Spell::Heal => 8,
        }
    }

    /// The lower-case English name.
    pub const fn name(self) -> &'static str {
        match self {
            Spell::Fireball => "fireball",
            Spell::Heal => "heal",
        }
    }
}

impl fmt::Display for Spell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One proposed action. The host validates each against the rules, in order, and discards the
/// invalid ones. The wire discriminant is the declaration order (Move = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// Move `unit` to `to` along a path within its move points through free, passable tiles.
    Move {
        /// The unit to move.
        unit: u32,
        /// Where it ends up.
        to: Pos,
    },
    /// `unit` strikes the enemy unit `target`, which must be within range and visible.
    Attack {
        /// The attacker.
        unit: u32,
        /// The enemy unit struck.
        target: u32,
    },
    /// The Mage `unit` casts `spell` centred on the tile `at`, within distance 3.
    Cast {
        /// The casting Mage.
        unit: u32,
        /// Which spell.
        spell: Spell,
        /// The centre of the spell's area.
        at: Pos,
    },
    /// `unit` digs in: its turn ends and it gets +2 defence until it next moves.
    Fortify {
        /// The unit to fortify.
        unit: u32,
    },
}

impl Action {
    /// The unit that performs the action.
    pub const fn unit(&self) -> u32 {
        match *self {
            Action::Move { unit, .. }
            | Action::Attack { unit, .. }
            | Action::Cast { unit, .. }
            | Action::Fortify { unit } => unit,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Action::Move { unit, to } => write!(f, "unit {unit} moves to {to}"),
            Action::Attack { unit, target } => write!(f, "unit {unit} attacks unit {target}"),
            Action::Cast { unit, spell, at } => write!(f, "unit {unit} casts {spell} at {at}"),
            Action::Fortify { unit } => write!(f, "unit {unit} fortifies"),
        }
    }
}
