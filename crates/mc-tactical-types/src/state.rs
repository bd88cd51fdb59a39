//! The game state a controller receives: map, units and players (schema v1).

use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};

/// A tile coordinate. `x` grows to the east (columns), `y` to the south (rows).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Pos {
    /// Column, from 0 at the west edge.
    pub x: u16,
    /// Row, from 0 at the north edge.
    pub y: u16,
}

impl Pos {
    /// A position from its column and row.
    pub const fn new(x: u16, y: u16) -> Self {
        Self { x, y }
    }

    /// Manhattan distance, the distance every rule uses.
    pub fn distance(self, other: Pos) -> u32 {
        u32::from(self.x.abs_diff(other.x)) + u32::from(self.y.abs_diff(other.y))
    }

    /// The up to four orthogonal neighbours, in the fixed order north, west, east, south.
    ///
    /// Neighbours below 0 are left out; those past the map's edge are not (the map decides).
    pub fn neighbours(self) -> impl Iterator<Item = Pos> {
        let Pos { x, y } = self;
        [
            y.checked_sub(1).map(|y| Pos::new(x, y)),
            x.checked_sub(1).map(|x| Pos::new(x, y)),
            x.checked_add(1).map(|x| Pos::new(x, y)),
            y.checked_add(1).map(|y| Pos::new(x, y)),
        ]
        .into_iter()
        .flatten()
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.x, self.y)
    }
}

/// The ground of one tile. The wire discriminant is the declaration order (Plains = 0).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum Terrain {
    /// Open ground: costs 1 move to enter, no defence bonus.
    #[default]
    Plains,
    /// Woods: costs 2 moves to enter, +1 defence.
    Forest,
    /// High ground: costs 2 moves to enter, +2 defence.
    Hills,
    /// Cannot be entered.
    Water,
    /// Cannot be entered.
    Mountain,
}

impl Terrain {
    /// Every terrain, in wire order.
    pub const ALL: [Terrain; 5] = [
        Terrain::Plains,
        Terrain::Forest,
        Terrain::Hills,
        Terrain::Water,
        Terrain::Mountain,
    ];

    /// Moves it costs to enter this tile, or `None` if no unit can enter it.
    pub const fn move_cost(self) -> Option<u32> {
        match self {
            Terrain::Plains => Some(1),
            Terrain::Forest | Terrain::Hills => Some(2),
            Terrain::Water | Terrain::Mountain => None,
        }
    }

    /// Whether a unit may stand on or cross this tile.
    pub const fn is_passable(self) -> bool {
        self.move_cost().is_some()
    }

    /// Defence added to a unit standing on this tile.
    pub const fn defense_bonus(self) -> u16 {
        match self {
            Terrain::Forest => 1,
            Terrain::Hills => 2,
            Terrain::Plains | Terrain::Water | Terrain::Mountain => 0,
        }
    }

    /// The one-character glyph used by the human-readable map format and the text renderer:
    /// `.` plains, `f` forest, `h` hills, `~` water, `^` mountain.
    pub const fn glyph(self) -> char {
        match self {
            Terrain::Plains => '.',
            Terrain::Forest => 'f',
            Terrain::Hills => 'h',
            Terrain::Water => '~',
            Terrain::Mountain => '^',
        }
    }

    /// The terrain a glyph stands for (see [`Terrain::glyph`]); upper case is accepted too.
    pub const fn from_glyph(glyph: char) -> Option<Terrain> {
        match glyph {
            '.' => Some(Terrain::Plains),
            'f' | 'F' => Some(Terrain::Forest),
            'h' | 'H' => Some(Terrain::Hills),
            '~' => Some(Terrain::Water),
            '^' => Some(Terrain::Mountain),
            _ => None,
        }
    }

    /// The lower-case English name ("plains", "forest"…).
    pub const fn name(self) -> &'static str {
        match self {
            Terrain::Plains => "plains",
            Terrain::Forest => "forest",
            Terrain::Hills => "hills",
            Terrain::Water => "water",
            Terrain::Mountain => "mountain",
        }
    }
}

impl fmt::Display for Terrain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The battlefield: `width * height` tiles in row-major order (row 0 first, west to east).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TileMap {
    /// Number of columns.
    pub width: u16,
    /// Number of rows.
    pub height: u16,
    /// The tiles, row after row; `tiles.len()` must equal `width * height`.
    pub tiles: Vec<Terrain>,
}

impl TileMap {
    /// A `width` x `height` map filled with one terrain.
    pub fn filled(width: u16, height: u16, terrain: Terrain) -> Self {
        let len = usize::from(width) * usize::from(height);
        Self {
            width,
            height,
            tiles: alloc::vec![terrain; len],
        }
    }

    /// Whether `pos` lies on the map.
    pub fn contains(&self, pos: Pos) -> bool {
        pos.x < self.width && pos.y < self.height
    }

    /// The index of `pos` in [`TileMap::tiles`], if it is on the map and the tile exists.
    pub fn index(&self, pos: Pos) -> Option<usize> {
        if !self.contains(pos) {
            return None;
        }
        let i = usize::from(pos.y) * usize::from(self.width) + usize::from(pos.x);
        (i < self.tiles.len()).then_some(i)
    }

    /// The terrain at `pos`, or `None` off the map (or if the tile list is too short).
    pub fn get(&self, pos: Pos) -> Option<Terrain> {
        self.index(pos).map(|i| self.tiles[i])
    }

    /// Sets the terrain at `pos`; returns `false` (and changes nothing) off the map.
    pub fn set(&mut self, pos: Pos, terrain: Terrain) -> bool {
        match self.index(pos) {
            Some(i) => {
                self.tiles[i] = terrain;
                true
            }
            None => false,
        }
    }

    /// The number of tiles the dimensions call for.
    pub fn expected_len(&self) -> usize {
        usize::from(self.width) * usize::from(self.height)
    }
}

/// The five kinds of unit. The wire discriminant is the declaration order (Warrior = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum UnitKind {
    /// Sturdy melee infantry.
    Warrior,
    /// Ranged attacker that is weak up close.
    Archer,
    /// Fast, hard-hitting cavalry.
    Knight,
    /// The only caster: Fireball and Heal.
    Mage,
    /// Slow, very tough defender.
    Dwarf,
}

impl UnitKind {
    /// Every kind, in wire order.
    pub const ALL: [UnitKind; 5] = [
        UnitKind::Warrior,
        UnitKind::Archer,
        UnitKind::Knight,
        UnitKind::Mage,
        UnitKind::Dwarf,
    ];

    /// The lower-case English name ("warrior", "archer"…).
    pub const fn name(self) -> &'static str {
        match self {
            UnitKind::Warrior => "warrior",
            UnitKind::Archer => "archer",
            UnitKind::Knight => "knight",
            UnitKind::Mage => "mage",
            UnitKind::Dwarf => "dwarf",
        }
    }

    /// The kind named `name`, ignoring ASCII case.
    pub fn from_name(name: &str) -> Option<UnitKind> {
        UnitKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name))
    }

    /// The one-letter symbol used by the text renderer: `W A K M D`.
    pub const fn letter(self) -> char {
        match self {
            UnitKind::Warrior => 'W',
            UnitKind::Archer => 'A',
            UnitKind::Knight => 'K',
            UnitKind::Mage => 'M',
            UnitKind::Dwarf => 'D',
        }
    }
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One unit on the map, with its current statistics.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Unit {
    /// Identifier, unique within a state and stable for the whole match.
    pub id: u32,
    /// The slot of the player who owns the unit.
    pub owner: u8,
    /// What kind of unit it is.
    pub kind: UnitKind,
    /// Where it stands.
    pub pos: Pos,
    /// Hit points left, `1..=max_hp` (a unit at 0 is removed at once).
    pub hp: u16,
    /// Hit points when fully healed.
    pub max_hp: u16,
    /// Attack strength (see [`rules`](crate::rules) for the damage formula).
    pub attack: u16,
    /// Defence strength.
    pub defense: u16,
    /// Greatest Manhattan distance at which it can attack.
    pub range: u8,
    /// Move points per turn (entering plains costs 1, forest and hills 2).
    pub moves: u8,
    /// Manhattan distance within which it sees enemy units.
    pub sight: u8,
    /// Dug in: +2 defence until the unit next moves.
    pub fortified: bool,
}

/// One player of the match.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Player {
    /// The player's slot; players act in slot order. `players[i].slot == i`.
    pub slot: u8,
    /// Mana for spells, `0..=10`; grows by 1 each round.
    pub mana: u16,
    /// `false` once the player has no units left.
    pub alive: bool,
}

/// Everything a controller is told at the start of its turn (schema v1).
///
/// The host sends a *view* (see [`rules::view_for`](crate::rules::view_for)): the controller's own
/// units, the enemy units within sight of one of them, the whole map and all players.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TacticalState {
    /// The wire-format version, [`SCHEMA_VERSION`](crate::SCHEMA_VERSION). Always the first field.
    pub schema: u16,
    /// The round number, from 1; every player acts once per round, in slot order.
    pub turn: u32,
    /// The battlefield.
    pub map: TileMap,
    /// The units, in no particular order (the host keeps the order stable).
    pub units: Vec<Unit>,
    /// Every player of the match, indexed by slot.
    pub players: Vec<Player>,
}

impl TacticalState {
    /// The unit with this id.
    pub fn unit(&self, id: u32) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The unit standing at `pos`.
    pub fn unit_at(&self, pos: Pos) -> Option<&Unit> {
        self.units.iter().find(|u| u.pos == pos)
    }

    /// The player in `slot`.
    pub fn player(&self, slot: u8) -> Option<&Player> {
        self.players.iter().find(|p| p.slot == slot)
    }

    /// The units owned by `slot`.
    pub fn units_of(&self, slot: u8) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(move |u| u.owner == slot)
    }

    /// Total hit points of the units owned by `slot` (the tie-breaker at the turn limit).
    pub fn total_hp(&self, slot: u8) -> u32 {
        self.units_of(slot).map(|u| u32::from(u.hp)).sum()
    }
}
