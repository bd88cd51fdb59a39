//! Sample states and duel scenarios as human-editable JSON files.
//!
//! The wire form of a [`TacticalState`] (postcard) is for machines. Designers keep states in a JSON
//! document that reads like the battlefield: the map is a list of rows of terrain glyphs
//! (`.` plains, `f` forest, `h` hills, `~` water, `^` mountain), each unit is one line naming its
//! kind and position, and a unit's statistics are written only where they differ from the kind's
//! base statistics ([`UnitStats::base`]). A scenario with a `turn_limit` is a duel scenario.
//!
//! ```json
//! {
//!   "name": "Ford skirmish",
//!   "description": "Two warbands meet at a river crossing.",
//!   "schema": 1,
//!   "turn": 1,
//!   "turn_limit": 30,
//!   "players": [
//!     {"slot": 0, "mana": 2},
//!     {"slot": 1, "mana": 2}
//!   ],
//!   "map": [
//!     "..f.",
//!     ".~~."
//!   ],
//!   "units": [
//!     {"id": 1, "owner": 0, "kind": "warrior", "x": 0, "y": 0},
//!     {"id": 2, "owner": 1, "kind": "archer", "x": 3, "y": 1, "hp": 5}
//!   ]
//! }
//! ```
//!
//! Loading never panics: JSON mistakes are reported with their line and column, map mistakes with
//! their row and column, and rule violations (two units on a tile, hp above max…) by
//! [`check_state`] naming the unit and the field. [`Scenario::to_json`] writes the same layout back,
//! one row, player or unit per line, so files diff well; it is deterministic.

use std::fmt::Write as _;

use aether_base::jsonfmt::{json_str, json_value, write_list};
use std::path::{Path, PathBuf};

use mc_tactical_types::rules::{StateProblem, check_state};
use mc_tactical_types::{Player, Pos, TacticalState, Terrain, TileMap, Unit, UnitKind, UnitStats};
use serde::{Deserialize, Serialize};

pub mod generate;

/// The legend written into every saved file, for whoever edits it by hand.
pub const MAP_LEGEND: &str = ". plains  f forest  h hills  ~ water  ^ mountain";

/// A named game state, optionally with the turn limit that makes it a duel scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Short title shown in pickers.
    pub name: String,
    /// One or two sentences for designers.
    pub description: String,
    /// Rounds to play before the higher total hp wins; `Some` makes this a duel scenario.
    pub turn_limit: Option<u32>,
    /// The full, authoritative state.
    pub state: TacticalState,
}

/// Why a scenario file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read from disk.
    #[error("{path}: cannot read the file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid JSON or does not have the expected fields.
    #[error("{}line {line}, column {column}: {message}", aether_base::jsonfmt::path_prefix(.path))]
    Json {
        /// The file, when loaded from disk.
        path: Option<PathBuf>,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What serde_json found wrong.
        message: String,
    },
    /// The map rows are not a rectangle of known glyphs.
    #[error("{}map row {row}{}: {message}", aether_base::jsonfmt::path_prefix(.path), column.map(|c| format!(", column {c}")).unwrap_or_default())]
    Map {
        /// The file, when loaded from disk.
        path: Option<PathBuf>,
        /// 0-based row (the y coordinate).
        row: usize,
        /// 0-based column (the x coordinate), when one tile is at fault.
        column: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A unit entry names an unknown kind.
    #[error("{}unit {id} (units[{index}]): unknown kind \"{kind}\"; use warrior, archer, knight, mage or dwarf", aether_base::jsonfmt::path_prefix(.path))]
    UnknownKind {
        /// The file, when loaded from disk.
        path: Option<PathBuf>,
        /// Position in the `units` list.
        index: usize,
        /// The unit's id.
        id: u32,
        /// The kind as written.
        kind: String,
    },
    /// The state breaks the rules' invariants; every problem is listed.
    #[error("{}{}", aether_base::jsonfmt::path_prefix(.path), problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// The file, when loaded from disk.
        path: Option<PathBuf>,
        /// Every problem found, in file order.
        problems: Vec<StateProblem>,
    },
}

impl ScenarioError {
    fn with_path(mut self, file: &Path) -> Self {
        match &mut self {
            ScenarioError::Io { .. } => {}
            ScenarioError::Json { path, .. }
            | ScenarioError::Map { path, .. }
            | ScenarioError::UnknownKind { path, .. }
            | ScenarioError::Invalid { path, .. } => *path = Some(file.to_path_buf()),
        }
        self
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    legend: Option<String>,
    schema: u16,
    turn: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    turn_limit: Option<u32>,
    players: Vec<PlayerDoc>,
    map: Vec<String>,
    units: Vec<UnitDoc>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlayerDoc {
    slot: u8,
    mana: u16,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    alive: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitDoc {
    id: u32,
    owner: u8,
    kind: String,
    x: u16,
    y: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hp: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_hp: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attack: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    defense: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    range: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    moves: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sight: Option<u8>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    fortified: bool,
}

impl UnitDoc {
    fn from_unit(u: &Unit) -> Self {
        let base = UnitStats::base(u.kind);

        fn differs<T: PartialEq>(v: T, base: T) -> Option<T> {
            (v != base).then_some(v)
        }
        UnitDoc {
            id: u.id,
            owner: u.owner,
            kind: u.kind.name().to_owned(),
            x: u.pos.x,
            y: u.pos.y,
            hp: differs(u.hp, u.max_hp),
            max_hp: differs(u.max_hp, base.max_hp),
            attack: differs(u.attack, base.attack),
            defense: differs(u.defense, base.defense),
            range: differs(u.range, base.range),
            moves: differs(u.moves, base.moves),
            sight: differs(u.sight, base.sight),
            fortified: u.fortified,
        }
    }

    fn to_unit(&self, index: usize) -> Result<Unit, ScenarioError> {
        let kind = UnitKind::from_name(&self.kind).ok_or_else(|| ScenarioError::UnknownKind {
            path: None,
            index,
            id: self.id,
            kind: self.kind.clone(),
        })?;
        let base = UnitStats::base(kind);
        let max_hp = self.max_hp.unwrap_or(base.max_hp);
        Ok(Unit {
            id: self.id,
            owner: self.owner,
            kind,
            pos: Pos::new(self.x, self.y),
            hp: self.hp.unwrap_or(max_hp),
            max_hp,
            attack: self.attack.unwrap_or(base.attack),
            defense: self.defense.unwrap_or(base.defense),
            range: self.range.unwrap_or(base.range),
            moves: self.moves.unwrap_or(base.moves),
            sight: self.sight.unwrap_or(base.sight),
            fortified: self.fortified,
        })
    }
}

fn parse_map(rows: &[String]) -> Result<TileMap, ScenarioError> {
    let map_err = |row, column, message: String| ScenarioError::Map {
        path: None,
        row,
        column,
        message,
    };
    let Some(first) = rows.first() else {
        return Err(map_err(0, None, "the map has no rows".into()));
    };
    let width = first.chars().count();
    if width == 0 {
        return Err(map_err(0, None, "the first row is empty".into()));
    }
    let too_big = |n: usize| n > usize::from(u16::MAX);
    if too_big(width) || too_big(rows.len()) {
        return Err(map_err(
            0,
            None,
            format!(
                "the map is {width} x {} tiles; at most 65535 each way",
                rows.len()
            ),
        ));
    }
    let mut tiles = Vec::with_capacity(width * rows.len());
    for (y, row) in rows.iter().enumerate() {
        let len = row.chars().count();
        if len != width {
            return Err(map_err(
                y,
                None,
                format!("has {len} tiles but row 0 has {width}; every row must be as wide"),
            ));
        }
        for (x, c) in row.chars().enumerate() {
            let t = Terrain::from_glyph(c).ok_or_else(|| {
                map_err(
                    y,
                    Some(x),
                    format!("unknown terrain '{c}'; use {MAP_LEGEND}"),
                )
            })?;
            tiles.push(t);
        }
    }
    Ok(TileMap {
        // Both fit: checked against u16::MAX above.
        width: u16::try_from(width).unwrap_or(u16::MAX),
        height: u16::try_from(rows.len()).unwrap_or(u16::MAX),
        tiles,
    })
}

impl Scenario {
    /// Reads and checks a scenario from JSON text.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let doc: FileDoc = serde_json::from_str(text).map_err(|e| ScenarioError::Json {
            path: None,
            line: e.line(),
            column: e.column(),
            message: aether_base::jsonfmt::strip_position(&e.to_string()),
        })?;
        let map = parse_map(&doc.map)?;
        let units = doc
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| u.to_unit(i))
            .collect::<Result<Vec<_>, _>>()?;
        let players = doc
            .players
            .iter()
            .map(|p| Player {
                slot: p.slot,
                mana: p.mana,
                alive: p.alive,
            })
            .collect();
        let state = TacticalState {
            schema: doc.schema,
            turn: doc.turn,
            map,
            units,
            players,
        };
        let problems = check_state(&state);
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid {
                path: None,
                problems,
            });
        }
        Ok(Scenario {
            name: doc.name,
            description: doc.description,
            turn_limit: doc.turn_limit,
            state,
        })
    }

    /// Reads and checks a scenario file; every error names the file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text =
            aether_base::fsutil::read_text_bounded(path, aether_base::fsutil::MAX_DOCUMENT_BYTES)
                .map_err(|source| ScenarioError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Scenario::from_json(&text).map_err(|e| e.with_path(path))
    }

    /// Whether this is a duel scenario: a turn limit and exactly two players.
    pub fn is_duel(&self) -> bool {
        self.turn_limit.is_some() && self.state.players.len() == 2
    }

    /// The scenario as JSON in the documented layout: one map row, player or unit per line,
    /// unit statistics only where they differ from the kind's base. Same scenario, same bytes.
    pub fn to_json(&self) -> String {
        let s = &self.state;
        let mut out = String::from("{\n");
        let field = |out: &mut String, key: &str, value: String| {
            let _ = writeln!(out, "  {}: {value},", json_str(key));
        };
        field(&mut out, "name", json_str(&self.name));
        field(&mut out, "description", json_str(&self.description));
        field(&mut out, "legend", json_str(MAP_LEGEND));
        field(&mut out, "schema", s.schema.to_string());
        field(&mut out, "turn", s.turn.to_string());
        if let Some(limit) = self.turn_limit {
            field(&mut out, "turn_limit", limit.to_string());
        }
        let players: Vec<String> = s
            .players
            .iter()
            .map(|p| {
                json_value(&PlayerDoc {
                    slot: p.slot,
                    mana: p.mana,
                    alive: p.alive,
                })
            })
            .collect();
        write_list(&mut out, "players", &players, false);
        let rows: Vec<String> = (0..s.map.height)
            .map(|y| {
                let row: String = (0..s.map.width)
                    .map(|x| s.map.get(Pos::new(x, y)).unwrap_or_default().glyph())
                    .collect();
                json_str(&row)
            })
            .collect();
        write_list(&mut out, "map", &rows, false);
        let units: Vec<String> = s
            .units
            .iter()
            .map(|u| json_value(&UnitDoc::from_unit(u)))
            .collect();
        write_list(&mut out, "units", &units, true);
        out.push_str("}\n");
        out
    }
}
