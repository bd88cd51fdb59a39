//! A value on a wire, as the interpreter computes it and compiled code holds it: what the
//! wiring's typed inputs, the interpreter, the debugger and the compiler's constants share.

use std::fmt;

use mc_tactical_types::Pos;

use crate::catalog::PinType;
use crate::graph::VarType;

/// A value on a wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Val {
    /// A whole number.
    Number(i32),
    /// True or false.
    Bool(bool),
    /// A unit id, or none.
    Unit(Option<u32>),
    /// A tile, or none ([`NO_POSITION`]).
    Position(Pos),
    /// A world entity, or none (world scripts).
    Entity(Option<u32>),
    /// A player, or none (world scripts).
    Player(Option<u32>),
}

/// The position a query gives when it found nothing (Unit Position of no unit, Nearest Hidden
/// Tile of no unit): never a tile of any map (maps are at most 256 tiles a side), written
/// "none", packed as -1 in compiled code. Actions given it do nothing and report Done false,
/// so a query that found nothing never becomes a place on the map.
pub const NO_POSITION: Pos = Pos::new(u16::MAX, u16::MAX);

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Number(n) => write!(f, "{n}"),
            Val::Bool(b) => write!(f, "{b}"),
            Val::Unit(Some(id)) => write!(f, "unit {id}"),
            Val::Unit(None) => f.write_str("none"),
            Val::Position(p) if *p == NO_POSITION => f.write_str("none"),
            Val::Position(p) => write!(f, "{p}"),
            Val::Entity(Some(id)) => write!(f, "entity {id}"),
            Val::Player(Some(id)) => write!(f, "player {id}"),
            Val::Entity(None) | Val::Player(None) => f.write_str("none"),
        }
    }
}

impl Val {
    pub(crate) fn number(self) -> i32 {
        match self {
            Val::Number(n) => n,
            _ => 0,
        }
    }

    pub(crate) fn boolean(self) -> bool {
        matches!(self, Val::Bool(true))
    }

    pub(crate) fn unit(self) -> Option<u32> {
        match self {
            Val::Unit(u) => u,
            _ => None,
        }
    }

    pub(crate) fn position(self) -> Pos {
        match self {
            Val::Position(p) => p,
            _ => Pos::default(),
        }
    }

    pub(crate) fn entity(self) -> Option<u32> {
        match self {
            Val::Entity(e) => e,
            _ => None,
        }
    }

    pub(crate) fn player(self) -> Option<u32> {
        match self {
            Val::Player(p) => p,
            _ => None,
        }
    }

    /// The value as compiled code holds it: numbers as they are, true 1, a unit, entity or
    /// player by its id (none 0 for units, -1 for entities and players), a position packed as
    /// `x | y << 16` (none -1).
    pub fn encode(self) -> i32 {
        match self {
            Val::Number(n) => n,
            Val::Bool(b) => i32::from(b),
            Val::Unit(u) => u.map_or(0, |id| id as i32),
            Val::Position(p) if p == NO_POSITION => -1,
            Val::Position(p) => i32::from(p.x) | (i32::from(p.y) << 16),
            Val::Entity(e) | Val::Player(e) => e.map_or(-1, |id| id as i32),
        }
    }

    /// What a value of `ty` is before anything sets it: 0, false, none.
    pub fn none_of(ty: PinType) -> Val {
        match ty {
            PinType::Bool => Val::Bool(false),
            PinType::Unit => Val::Unit(None),
            PinType::Position => Val::Position(NO_POSITION),
            PinType::Entity => Val::Entity(None),
            PinType::Player => Val::Player(None),
            _ => Val::Number(0),
        }
    }

    pub(crate) fn default_of(ty: VarType) -> Val {
        match ty {
            VarType::Number => Val::Number(0),
            VarType::Bool => Val::Bool(false),
            VarType::Unit => Val::Unit(None),
            VarType::Position => Val::Position(Pos::default()),
        }
    }
}
