//! The node catalog: every kind of node a creator can place, as data.
//!
//! One [`NodeSpec`] per kind holds what the editor shows (name, category, one-line help in the
//! game's words), its typed ports with their defaults, its settings, and its [`Op`]: the
//! semantics, which the reference interpreter and the compiler both implement (and which the
//! differential test holds to the same bytes). Nothing else in the pipeline special-cases a node
//! kind by its key.
//!
//! # Semantics shared by every node
//!
//! * **Number** is a 32-bit signed integer; arithmetic wraps on overflow; Divide truncates toward
//!   zero, gives 0 when dividing by 0, and `-2147483648 / -1` gives `-2147483648`. No node traps.
//! * **Unit** is a handle that may be *none*. Every query on *none* gives a defined value: HP,
//!   Max HP, Attack and Range 0, Position *none*, Kind Is false, Unit Exists false; actions on
//!   *none* do nothing and report false.
//! * **Position** is a tile (x, y), or *none* when the query that gave it found nothing (Unit
//!   Position or Nearest Hidden Tile of no unit): a query that found nothing never becomes a
//!   place on the map. Move Toward, Move Away From and the spells do nothing with *none* and
//!   report false; Terrain Is gives false; Distance to *none* is larger than any distance on a
//!   map (`interp::NO_POSITION` is (65535, 65535)). Distance is Manhattan.
//! * Data nodes (no execution pins) are evaluated when an execution node needs their value, each
//!   time it is needed, inputs in port order; Random Number advances the generator on each
//!   evaluation.
//! * Action nodes apply their action to the script's own copy of the state with the game rules, so
//!   later nodes see planned moves; an action the rules would refuse is not sent, and the node's
//!   *Done* output is false.
//!
//! # World-script semantics
//!
//! * Each event the world sends runs every event node that answers it, in node-id order (Every
//!   N Ticks first reads its N, and runs only on ticks that are a multiple of it). The event's
//!   fields are the node's outputs. An event no node answers does nothing.
//! * **Entity** and **Player** are ids that may be *none* (packed -1). Ticks are Numbers (the
//!   low 32 bits). Positions are tiles: an entity standing at (3.7, 2.1) is on tile (3, 2);
//!   spawns and sounds happen at a tile's centre (x + 0.5, y + 0.5).
//! * Variables keep their values from one event to the next, for as long as the script runs
//!   (a script replaced after a fault starts again from 0); Storage keeps values across runs.
//!   Random Number's generator starts once, from [`WORLD_SEED`], and goes on across events.
//! * World nodes call the world through the contract's imports (`docs/world-script-abi.md`),
//!   under the script's limits. An action's *Done* is true when the world accepted it,
//!   *Throttled* when a rate limit refused it; nothing is sent when an input is *none*.
//!   World data nodes (Entity Position, Storage Get…) ask the world each time they are
//!   evaluated.
//! * Storage values are Numbers kept as 4 little-endian bytes; a key holding anything else
//!   reads as nothing stored. Storage Add reads, adds (wrapping) and writes; its *Total* is the
//!   value after the node (unchanged when the write was refused).
//! * In the text of Show Text, Send Message, Set Objective and Place Marker, every `{number}`
//!   becomes the node's Number in decimal.
//! * For Each Entity In Radius asks the world for the next entity (by id) within the radius
//!   before each round, so an entity spawned or destroyed by the loop's body counts (or not)
//!   as the world says then; Raycast and Entity Kind Is ask the world when evaluated.

use std::fmt;

use crate::graph::ScriptKind;

pub mod functions;

/// The type of a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PinType {
    /// Execution flow (white wires): the order of effects.
    Exec,
    /// A whole number.
    Number,
    /// True or false.
    Bool,
    /// A unit handle, possibly "none".
    Unit,
    /// A tile position.
    Position,
    /// A world entity (world scripts), possibly "none".
    Entity,
    /// A player in the world (world scripts), possibly "none".
    Player,
    /// The type of the variable chosen in the node's `variable` setting.
    OfVariable,
    /// The type chosen in the node's `type` setting ([`TYPE_CHOICES`]; Number when unset).
    Chosen,
}

/// The types a node with [`PinType::Chosen`] ports can be set to: setting value, label, type.
pub const TYPE_CHOICES: [(&str, &str, PinType); 6] = [
    ("number", "Number", PinType::Number),
    ("bool", "Yes/No", PinType::Bool),
    ("unit", "Unit", PinType::Unit),
    ("tile", "Tile", PinType::Position),
    ("entity", "Entity", PinType::Entity),
    ("player", "Player", PinType::Player),
];

impl fmt::Display for PinType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PinType::Exec => "Exec",
            PinType::Number => "Number",
            PinType::Bool => "Bool",
            PinType::Unit => "Unit",
            PinType::Position => "Position",
            PinType::Entity => "Entity",
            PinType::Player => "Player",
            PinType::OfVariable => "the variable's type",
            PinType::Chosen => "the type chosen on the node",
        })
    }
}

/// The value an unconnected input takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortDefault {
    /// Must be connected (units and positions have no sensible constant).
    Required,
    /// A number constant, editable on the node.
    Number(i32),
    /// A true/false constant, editable on the node.
    Bool(bool),
    /// Optional: *none* when unconnected (Show Text's player: everyone).
    Nothing,
}

/// One port of a node kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortSpec {
    /// Stable key used in graph files (`"then"`, `"target"`).
    pub key: &'static str,
    /// Label on the node.
    pub name: &'static str,
    /// Its type.
    pub ty: PinType,
    /// For inputs: what an unconnected port means.
    pub default: PortDefault,
}

/// What a setting chooses from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choices {
    /// A fixed list of `(key, label)` pairs; the first is the default.
    List(&'static [(&'static str, &'static str)]),
    /// One of the graph's variables, by name.
    Variable,
    /// Text typed on the node (at most [`MAX_TEXT_BYTES`], no control characters), with its
    /// default.
    Text(&'static str),
}

/// The longest text a Text setting holds, in bytes (an entity kind, a sound, a key, a message).
pub const MAX_TEXT_BYTES: usize = 200;

/// In the text of Show Text and Send Message, this is replaced by the node's Number.
pub const NUMBER_PLACEHOLDER: &str = "{number}";

/// A setting of a node (a choice made on the node, not a wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettingSpec {
    /// Stable key used in graph files.
    pub key: &'static str,
    /// Label on the node.
    pub name: &'static str,
    /// What it chooses from.
    pub choices: Choices,
}

/// The palette's categories, in palette order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Where a script starts.
    Events,
    /// Branches and loops.
    Flow,
    /// Questions about units and the map.
    Units,
    /// Numbers, comparisons and logic.
    Math,
    /// Remembering values during a turn.
    Variables,
    /// Orders to units.
    Actions,
    /// Entities, physics and sound in the world (world scripts).
    World,
    /// Messages and text for players (world scripts).
    Players,
    /// Values kept across ticks and runs (world scripts).
    Storage,
    /// The graph's own functions: calls, and a function's Inputs and Outputs.
    Functions,
}

impl Category {
    /// Every category, in palette order.
    pub const ALL: [Category; 9] = [
        Category::Events,
        Category::Flow,
        Category::Units,
        Category::World,
        Category::Players,
        Category::Storage,
        Category::Math,
        Category::Variables,
        Category::Actions,
    ];

    /// The palette heading.
    pub fn name(self) -> &'static str {
        match self {
            Category::Events => "Events",
            Category::Flow => "Flow",
            Category::Units => "Units",
            Category::Math => "Math",
            Category::Variables => "Variables",
            Category::Actions => "Actions",
            Category::World => "World",
            Category::Players => "Players",
            Category::Storage => "Storage",
            Category::Functions => "Functions",
        }
    }
}

/// A unit statistic read by a Unit HP / Max HP / Attack / Range node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stat {
    /// Current hit points.
    Hp,
    /// Hit points at full health.
    MaxHp,
    /// Attack strength.
    Attack,
    /// Attack range.
    Range,
}

/// Arithmetic of the Add / Subtract / Multiply / Divide / Min / Max nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arith {
    /// a + b, wrapping.
    Add,
    /// a − b, wrapping.
    Sub,
    /// a × b, wrapping.
    Mul,
    /// a ÷ b truncated; 0 when b is 0; wraps for MIN ÷ −1.
    Div,
    /// The smaller.
    Min,
    /// The larger.
    Max,
}

/// The semantics of a node kind; the interpreter and the compiler each implement every variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Entry: runs `then` once per turn.
    OnTurn,
    /// Runs `true` or `false` by `condition`.
    Branch,
    /// Runs `first`, `second`, `third` in order.
    Sequence,
    /// Runs `body` per unit (setting `which`), in id order over a snapshot, skipping units that
    /// died meanwhile; then `done`.
    ForEachUnit,
    /// The visible enemy nearest to `unit` (ties: lowest id); none if none.
    NearestEnemy,
    /// The enemy with least hp (ties: lowest id) within `unit`'s range from where it stands.
    WeakestEnemyInRange,
    /// How many living units of other players stand within `within` (city-block) of `tile`;
    /// 0 for no tile or a negative distance.
    CountEnemiesNear,
    /// The living unit of `unit`'s own side, not `unit` itself, within `within` of it, with the
    /// least hp (ties: lowest id); none if none.
    WeakestFriendNear,
    /// Whether a living unit of another player stands within its own moves plus range of `unit`
    /// (terrain and other units not counted): it could reach and strike next turn.
    InDanger,
    BestTile,
    /// Whether `unit` is not none (and still alive).
    UnitExists,
    /// A statistic of `unit`.
    UnitStat(Stat),
    /// Where `unit` stands.
    UnitPosition,
    /// Whether `unit` is of the kind in setting `kind`.
    KindIs,
    /// Manhattan distance between `a` and `b`.
    Distance,
    /// How many units (setting `which`) the script can see.
    CountUnits,
    /// The tile in the middle of the map: (width / 2, height / 2), rounded down.
    /// The round being played (the state's `turn`).
    Turn,
    MapCentre,
    /// The passable tile nearest to `unit` that none of the script's units can see (ties: north
    /// first, then west); the unit's own tile when the whole map is in sight or for none.
    NearestHiddenTile,
    /// Whether the tile at `position` is the terrain in setting `terrain` (false off the map).
    TerrainAt,
    /// The number typed on the node.
    NumberConst,
    /// The true/false chosen on the node.
    BoolConst,
    /// Arithmetic on `a` and `b`.
    Arith(Arith),
    /// `a` compared with `b` by setting `op`.
    Compare,
    /// `a` and `b`.
    And,
    /// `a` or `b`.
    Or,
    /// Not `a`.
    Not,
    Select,
    Reroute,
    RerouteExec,
    /// A number from `min` to `max` inclusive, from the turn's seed (see `interp::Rng`).
    RandomNumber,
    /// The value of the variable in setting `variable`.
    GetVariable,
    /// Sets the variable in setting `variable` to `value`, then runs `then`.
    SetVariable,
    /// `unit` attacks `target`.
    Attack,
    /// `unit` moves to the reachable tile nearest to `to`, if nearer than where it stands.
    MoveToward,
    /// `unit` moves to the reachable tile farthest from `from`, if farther than where it stands.
    MoveAwayFrom,
    /// `unit` fortifies.
    Fortify,
    /// `unit` casts Fireball at `at`.
    CastFireball,
    /// `unit` casts Heal at `at`.
    CastHeal,
    // --- World scripts (see "World-script semantics" in the module documentation) ---
    /// Entry: the world's first event.
    OnStart,
    /// Entry: every tick; `tick`.
    OnTick,
    /// Entry: on ticks that are a multiple of `n` (never when `n` ≤ 0); `tick`.
    EveryNTicks,
    /// Entry: a world timer fired; `timer`, `tick`.
    OnTimer,
    /// Entry: an entity appeared (of the kind in setting `kind`, or any when empty); `entity`,
    /// `position`.
    OnEntitySpawned,
    /// Entry: an entity was destroyed; `entity`.
    OnEntityDestroyed,
    /// Entry: an entity entered an area; `entity`, `area`.
    OnEnterArea,
    /// Entry: two entities started touching; `a` (the smaller id), `b`.
    OnCollision,
    /// Entry: a player said something (exactly setting `says`, or anything when empty);
    /// `player`.
    OnMessage,
    /// Entry: a player joined; `player`.
    OnPlayerJoined,
    /// Entry: a player left; `player`.
    OnPlayerLeft,
    /// Entry: another script sent this one a message (exactly setting `says`, or anything when
    /// empty).
    OnScriptMessage,
    /// Sends setting `text` (with `number`) to the script named in setting `script`; `done`,
    /// `throttled`.
    SendToScript,
    /// The tile (`x`, `y`), each clamped to 0..=65534.
    TileAt,
    /// The tile `entity` stands on (host call `entity_position`); none if it is gone.
    EntityPosition,
    /// Whether `entity` is still in the world (host call `entity_position`).
    EntityExists,
    /// The number stored under setting `key` (host call `storage_read`); 0 if none.
    StorageGet,
    /// Whether a number is stored under setting `key` (host call `storage_read`).
    StorageHas,
    /// Spawns an entity of setting `kind` at the centre of tile `at`; `entity`, `done`,
    /// `throttled`.
    SpawnEntity,
    /// Destroys `entity` (only entities this script spawned); `done`.
    Despawn,
    /// Pushes `entity` by force (`x`, `y`) for the next physics step; `done`.
    ApplyImpulse,
    /// Plays setting `sound` at the centre of tile `at`; `done`.
    PlaySound,
    /// Sends setting `text` (with `number`) to `player`, or to every player when none;
    /// `done`, `throttled`.
    SendMessage,
    /// Shows setting `text` (with `number`) to `player`, or to everyone when none; `done`.
    ShowText,
    /// Stores `value` under setting `key`; `done`, `throttled`.
    StorageSet,
    /// Adds `amount` to the number under setting `key`; `total`, `done`, `throttled`.
    StorageAdd,
    /// Whether `entity` is of the kind in setting `kind` (host call `entity_kind`).
    EntityKindIs,
    /// Runs `body` for each entity whose centre is within `radius` tiles of the centre of tile
    /// `centre`, in id order (host call `entity_next_near` before each), then `done`.
    ForEachEntityNear,
    /// Sets `entity`'s velocity to (`x`, `y`) tiles a second; `done`.
    SetVelocity,
    /// The first entity a ray from the centre of tile `from` toward the centre of tile `toward`
    /// meets within `distance` tiles (host call `physics_raycast`); none for a wall or nothing.
    Raycast,
    /// Sets the objective `player` sees (everyone when none) to setting `text` (with
    /// `number`); `done`.
    SetObjective,
    /// Puts the marker labelled setting `text` (with `number`) on the centre of tile `at`;
    /// `done`.
    PlaceMarker,
    /// Whether this script spawned `entity` (host call `entity_is_mine`).
    EntityIsMine,
    /// `entity`'s hit points (host call `entity_hp`); 0 for none or an entity that is gone.
    EntityHp,
    /// Sets `entity`'s hit points to `hp`; `done`.
    SetHp,
    /// Runs a graph function (`crate::graph::function`): its inputs go to the function's
    /// Inputs node, the function runs to its end, its results (what its Outputs node kept
    /// last, or none / 0 / false) come out; then `then`.
    CallFunction,
    /// Where a function starts: its outputs are the call's inputs; runs `then`.
    FunctionInputs,
    /// Keeps its inputs as the function's results; nothing follows it.
    FunctionOutputs,
}

/// Which script kinds may use a node kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kinds {
    /// AI controllers and world scripts.
    Both,
    /// AI controllers only (units, the map, orders).
    Ai,
    /// World scripts only (events, entities, players, storage).
    World,
}

impl Op {
    /// The script kinds that may use a node with this semantics.
    pub fn kinds(self) -> Kinds {
        match self {
            Op::OnTurn
            | Op::ForEachUnit
            | Op::NearestEnemy
            | Op::WeakestEnemyInRange
            | Op::CountEnemiesNear
            | Op::BestTile
            | Op::WeakestFriendNear
            | Op::InDanger
            | Op::UnitExists
            | Op::UnitStat(_)
            | Op::UnitPosition
            | Op::KindIs
            | Op::CountUnits
            | Op::MapCentre
            | Op::Turn
            | Op::NearestHiddenTile
            | Op::TerrainAt
            | Op::Attack
            | Op::MoveToward
            | Op::MoveAwayFrom
            | Op::Fortify
            | Op::CastFireball
            | Op::CastHeal => Kinds::Ai,
            Op::Branch
            | Op::Sequence
            | Op::Distance
            | Op::NumberConst
            | Op::BoolConst
            | Op::Arith(_)
            | Op::Compare
            | Op::And
            | Op::Or
            | Op::Not
            | Op::Select
            | Op::Reroute
            | Op::RerouteExec
            | Op::RandomNumber
            | Op::GetVariable
            | Op::SetVariable
            | Op::CallFunction
            | Op::FunctionInputs
            | Op::FunctionOutputs => Kinds::Both,
            _ => Kinds::World,
        }
    }

    /// Whether a graph of `kind` may use it.
    pub fn allowed_in(self, kind: ScriptKind) -> bool {
        match self.kinds() {
            Kinds::Both => true,
            Kinds::Ai => kind == ScriptKind::AiController,
            Kinds::World => kind == ScriptKind::WorldScript,
        }
    }

    /// For a world script's event entry: the index of the `WorldEvent` variant it answers
    /// (`aether_world_types::WorldEvent`, wire order).
    pub fn event(self) -> Option<u8> {
        Some(match self {
            Op::OnStart => 0,
            Op::OnTick | Op::EveryNTicks => 1,
            Op::OnTimer => 2,
            Op::OnEntitySpawned => 3,
            Op::OnEntityDestroyed => 4,
            Op::OnEnterArea => 5,
            Op::OnCollision => 6,
            Op::OnMessage => 7,
            Op::OnPlayerJoined => 8,
            Op::OnPlayerLeft => 9,
            Op::OnScriptMessage => 10,
            _ => return None,
        })
    }

    /// Whether execution starts at this node (On Turn, or an event).
    pub fn is_entry(self) -> bool {
        self == Op::OnTurn || self.event().is_some()
    }
}

/// One node kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeSpec {
    /// Stable key used in graph files.
    pub key: &'static str,
    /// The name shown to creators.
    pub name: &'static str,
    /// Palette category.
    pub category: Category,
    /// One line, in the game's words.
    pub help: &'static str,
    /// Input ports, in order.
    pub inputs: &'static [PortSpec],
    /// Output ports, in order.
    pub outputs: &'static [PortSpec],
    /// Settings, in order.
    pub settings: &'static [SettingSpec],
    /// What it means.
    pub op: Op,
}

impl NodeSpec {
    /// The input port with this key.
    pub fn input(&self, key: &str) -> Option<&'static PortSpec> {
        self.inputs.iter().find(|p| p.key == key)
    }

    /// The output port with this key.
    pub fn output(&self, key: &str) -> Option<&'static PortSpec> {
        self.outputs.iter().find(|p| p.key == key)
    }

    /// The setting with this key.
    pub fn setting(&self, key: &str) -> Option<&'static SettingSpec> {
        self.settings.iter().find(|s| s.key == key)
    }

    /// Whether the node takes part in execution flow (has an execution input or output).
    pub fn is_exec(&self) -> bool {
        self.inputs
            .iter()
            .chain(self.outputs)
            .any(|p| p.ty == PinType::Exec)
    }
}

const fn port(key: &'static str, name: &'static str, ty: PinType) -> PortSpec {
    PortSpec {
        key,
        name,
        ty,
        default: PortDefault::Required,
    }
}

const fn num(key: &'static str, name: &'static str, value: i32) -> PortSpec {
    PortSpec {
        key,
        name,
        ty: PinType::Number,
        default: PortDefault::Number(value),
    }
}

const fn flag(key: &'static str, name: &'static str, value: bool) -> PortSpec {
    PortSpec {
        key,
        name,
        ty: PinType::Bool,
        default: PortDefault::Bool(value),
    }
}

const EXEC_IN: PortSpec = port("exec", "", PinType::Exec);
const THEN: PortSpec = port("then", "", PinType::Exec);
const UNIT_IN: PortSpec = port("unit", "Unit", PinType::Unit);
const DONE: PortSpec = port("done", "Done", PinType::Bool);

const ENTITY_IN: PortSpec = port("entity", "Entity", PinType::Entity);
const OPTIONAL_PLAYER: PortSpec = PortSpec {
    key: "player",
    name: "Player",
    ty: PinType::Player,
    default: PortDefault::Nothing,
};
const THROTTLED: PortSpec = port("throttled", "Throttled", PinType::Bool);
const KEY: SettingSpec = text("key", "Key", "score");

const fn text(key: &'static str, name: &'static str, default: &'static str) -> SettingSpec {
    SettingSpec {
        key,
        name,
        choices: Choices::Text(default),
    }
}

const fn event(
    key: &'static str,
    name: &'static str,
    help: &'static str,
    outputs: &'static [PortSpec],
    settings: &'static [SettingSpec],
    op: Op,
) -> NodeSpec {
    NodeSpec {
        key,
        name,
        category: Category::Events,
        help,
        inputs: &[],
        outputs,
        settings,
        op,
    }
}

#[allow(clippy::too_many_arguments)]
const fn world_action(
    key: &'static str,
    name: &'static str,
    category: Category,
    help: &'static str,
    inputs: &'static [PortSpec],
    outputs: &'static [PortSpec],
    settings: &'static [SettingSpec],
    op: Op,
) -> NodeSpec {
    NodeSpec {
        key,
        name,
        category,
        help,
        inputs,
        outputs,
        settings,
        op,
    }
}

const WHICH: SettingSpec = SettingSpec {
    key: "which",
    name: "Units",
    choices: Choices::List(&[("mine", "Mine"), ("enemies", "Enemies"), ("all", "All")]),
};

/// The type of a node's [`PinType::Chosen`] ports ([`TYPE_CHOICES`]).
const TYPE: SettingSpec = SettingSpec {
    key: "type",
    name: "Type",
    choices: Choices::List(&[
        ("number", "Number"),
        ("bool", "Yes/No"),
        ("unit", "Unit"),
        ("tile", "Tile"),
        ("entity", "Entity"),
        ("player", "Player"),
    ]),
};

const VARIABLE: SettingSpec = SettingSpec {
    key: "variable",
    name: "Variable",
    choices: Choices::Variable,
};

const STAT_INPUTS: &[PortSpec] = &[UNIT_IN];
const STAT_OUTPUTS: &[PortSpec] = &[port("value", "Value", PinType::Number)];
const ARITH_INPUTS: &[PortSpec] = &[num("a", "A", 0), num("b", "B", 0)];
const ARITH_OUTPUTS: &[PortSpec] = &[port("result", "Result", PinType::Number)];
const LOGIC_INPUTS: &[PortSpec] = &[flag("a", "A", false), flag("b", "B", false)];
const LOGIC_OUTPUTS: &[PortSpec] = &[port("result", "Result", PinType::Bool)];
const ACTION_OUTPUTS: &[PortSpec] = &[THEN, DONE];

const fn stat(key: &'static str, name: &'static str, help: &'static str, s: Stat) -> NodeSpec {
    NodeSpec {
        key,
        name,
        category: Category::Units,
        help,
        inputs: STAT_INPUTS,
        outputs: STAT_OUTPUTS,
        settings: &[],
        op: Op::UnitStat(s),
    }
}

const fn arith(key: &'static str, name: &'static str, help: &'static str, a: Arith) -> NodeSpec {
    NodeSpec {
        key,
        name,
        category: Category::Math,
        help,
        inputs: ARITH_INPUTS,
        outputs: ARITH_OUTPUTS,
        settings: &[],
        op: Op::Arith(a),
    }
}

const fn logic(key: &'static str, name: &'static str, help: &'static str, op: Op) -> NodeSpec {
    NodeSpec {
        key,
        name,
        category: Category::Math,
        help,
        inputs: LOGIC_INPUTS,
        outputs: LOGIC_OUTPUTS,
        settings: &[],
        op,
    }
}

const fn action(
    key: &'static str,
    name: &'static str,
    help: &'static str,
    inputs: &'static [PortSpec],
    op: Op,
) -> NodeSpec {
    NodeSpec {
        key,
        name,
        category: Category::Actions,
        help,
        inputs,
        outputs: ACTION_OUTPUTS,
        settings: &[],
        op,
    }
}

/// Every node kind, in palette order.
pub static CATALOG: &[NodeSpec] = &[
    NodeSpec {
        key: "on_turn",
        name: "On Turn",
        category: Category::Events,
        help: "Starts here every turn: what is connected to it runs once, each turn.",
        inputs: &[],
        outputs: &[THEN],
        settings: &[],
        op: Op::OnTurn,
    },
    NodeSpec {
        key: "branch",
        name: "Branch",
        category: Category::Flow,
        help: "Goes on through True or False, depending on the condition.",
        inputs: &[EXEC_IN, flag("condition", "Condition", false)],
        outputs: &[
            port("true", "True", PinType::Exec),
            port("false", "False", PinType::Exec),
        ],
        settings: &[],
        op: Op::Branch,
    },
    NodeSpec {
        key: "sequence",
        name: "Sequence",
        category: Category::Flow,
        help: "Does First, then Second, then Third.",
        inputs: &[EXEC_IN],
        outputs: &[
            port("first", "First", PinType::Exec),
            port("second", "Second", PinType::Exec),
            port("third", "Third", PinType::Exec),
        ],
        settings: &[],
        op: Op::Sequence,
    },
    NodeSpec {
        key: "reroute",
        name: "Reroute",
        category: Category::Flow,
        help: "A dot on a wire, to lead it where you want; passes its value on unchanged.",
        inputs: &[port("in", "", PinType::Chosen)],
        outputs: &[port("out", "", PinType::Chosen)],
        settings: &[TYPE],
        op: Op::Reroute,
    },
    NodeSpec {
        key: "reroute_exec",
        name: "Reroute (flow)",
        category: Category::Flow,
        help: "A dot on an execution wire, to lead it where you want; goes straight on.",
        inputs: &[EXEC_IN],
        outputs: &[THEN],
        settings: &[],
        op: Op::RerouteExec,
    },
    NodeSpec {
        key: "for_each_unit",
        name: "For Each Unit",
        category: Category::Flow,
        help: "Does Each Unit once for every unit (yours, the enemies you see, or all), then Done.",
        inputs: &[EXEC_IN],
        outputs: &[
            port("body", "Each Unit", PinType::Exec),
            port("unit", "Unit", PinType::Unit),
            port("done", "Done", PinType::Exec),
        ],
        settings: &[WHICH],
        op: Op::ForEachUnit,
    },
    NodeSpec {
        key: "nearest_enemy",
        name: "Nearest Enemy",
        category: Category::Units,
        help: "The closest enemy you can see to this unit (none if you see no enemy).",
        inputs: &[UNIT_IN],
        outputs: &[port("enemy", "Enemy", PinType::Unit)],
        settings: &[],
        op: Op::NearestEnemy,
    },
    NodeSpec {
        key: "weakest_enemy_in_range",
        name: "Weakest Enemy In Range",
        category: Category::Units,
        help: "The enemy with the least HP this unit can hit from where it stands (none if none).",
        inputs: &[UNIT_IN],
        outputs: &[port("enemy", "Enemy", PinType::Unit)],
        settings: &[],
        op: Op::WeakestEnemyInRange,
    },
    NodeSpec {
        key: "count_enemies_near",
        name: "Count Enemies Near",
        category: Category::Units,
        help: "How many enemies you can see stand within Within tiles of this tile.",
        inputs: &[
            port("tile", "Tile", PinType::Position),
            num("within", "Within", 3),
        ],
        outputs: &[port("value", "Count", PinType::Number)],
        settings: &[],
        op: Op::CountEnemiesNear,
    },
    NodeSpec {
        key: "weakest_friend_near",
        name: "Weakest Friend Near",
        category: Category::Units,
        help: "Your unit with the least HP within Within tiles of this one, not counting it (none if none).",
        inputs: &[UNIT_IN, num("within", "Within", 3)],
        outputs: &[port("friend", "Friend", PinType::Unit)],
        settings: &[],
        op: Op::WeakestFriendNear,
    },
    NodeSpec {
        key: "in_danger",
        name: "Is In Danger",
        category: Category::Units,
        help: "True if an enemy you see stands within its moves plus its range of this unit (terrain not counted).",
        inputs: &[UNIT_IN],
        outputs: &[port("value", "In Danger", PinType::Bool)],
        settings: &[],
        op: Op::InDanger,
    },
    NodeSpec {
        key: "best_tile",
        name: "Best Tile",
        category: Category::Units,
        help: "The free tile within this unit's moves with the best terrain defence, then nearest Toward.",
        inputs: &[UNIT_IN, port("toward", "Toward", PinType::Position)],
        outputs: &[port("tile", "Tile", PinType::Position)],
        settings: &[],
        op: Op::BestTile,
    },
    NodeSpec {
        key: "unit_exists",
        name: "Unit Exists",
        category: Category::Units,
        help: "True if there is a unit here (not none, still alive).",
        inputs: &[UNIT_IN],
        outputs: &[port("value", "Exists", PinType::Bool)],
        settings: &[],
        op: Op::UnitExists,
    },
    stat(
        "unit_hp",
        "Unit HP",
        "The unit's hit points now (0 for none).",
        Stat::Hp,
    ),
    stat(
        "unit_max_hp",
        "Unit Max HP",
        "The unit's hit points when fully healed (0 for none).",
        Stat::MaxHp,
    ),
    stat(
        "unit_attack",
        "Unit Attack",
        "How hard the unit hits (0 for none).",
        Stat::Attack,
    ),
    stat(
        "unit_range",
        "Unit Range",
        "How many tiles away the unit can attack (0 for none).",
        Stat::Range,
    ),
    NodeSpec {
        key: "unit_position",
        name: "Unit Position",
        category: Category::Units,
        help: "The tile the unit stands on; none when there is no unit (moving toward none does nothing).",
        inputs: &[UNIT_IN],
        outputs: &[port("position", "Position", PinType::Position)],
        settings: &[],
        op: Op::UnitPosition,
    },
    NodeSpec {
        key: "kind_is",
        name: "Kind Is",
        category: Category::Units,
        help: "True if the unit is of the chosen kind (warrior, archer, knight, mage, dwarf).",
        inputs: &[UNIT_IN],
        outputs: &[port("value", "Is", PinType::Bool)],
        settings: &[SettingSpec {
            key: "kind",
            name: "Kind",
            choices: Choices::List(&[
                ("warrior", "Warrior"),
                ("archer", "Archer"),
                ("knight", "Knight"),
                ("mage", "Mage"),
                ("dwarf", "Dwarf"),
            ]),
        }],
        op: Op::KindIs,
    },
    NodeSpec {
        key: "distance",
        name: "Distance",
        category: Category::Units,
        help: "How many steps apart two tiles are (moving across and down, not diagonally).",
        inputs: &[
            port("a", "From", PinType::Position),
            port("b", "To", PinType::Position),
        ],
        outputs: &[port("value", TILES, PinType::Number)],
        settings: &[],
        op: Op::Distance,
    },
    NodeSpec {
        key: "count_units",
        name: "Count Units",
        category: Category::Units,
        help: "How many units you have, how many enemies you see, or both.",
        inputs: &[],
        outputs: &[port("value", "Count", PinType::Number)],
        settings: &[WHICH],
        op: Op::CountUnits,
    },
    NodeSpec {
        key: "map_centre",
        name: "Map Centre",
        category: Category::Units,
        help: "The tile in the middle of the map: where to march while no enemy is in sight.",
        inputs: &[],
        outputs: &[port("position", "Tile", PinType::Position)],
        settings: &[],
        op: Op::MapCentre,
    },
    NodeSpec {
        key: "turn",
        name: "Turn",
        category: Category::Units,
        help: "The round being played: 1 in the first (a duel ends after its turn limit).",
        inputs: &[],
        outputs: &[port("value", "Turn", PinType::Number)],
        settings: &[],
        op: Op::Turn,
    },
    NodeSpec {
        key: "nearest_hidden_tile",
        name: "Nearest Hidden Tile",
        category: Category::Units,
        help: "The closest tile none of your units can see: where to scout for hidden enemies.",
        inputs: &[UNIT_IN],
        outputs: &[port("position", "Tile", PinType::Position)],
        settings: &[],
        op: Op::NearestHiddenTile,
    },
    NodeSpec {
        key: "terrain_at",
        name: "Terrain At",
        category: Category::Units,
        help: "True if the tile is the chosen terrain (false off the map).",
        inputs: &[port("position", "Tile", PinType::Position)],
        outputs: &[port("value", "Is", PinType::Bool)],
        settings: &[SettingSpec {
            key: "terrain",
            name: "Terrain",
            choices: Choices::List(&[
                ("plains", "Plains"),
                ("forest", "Forest"),
                ("hills", "Hills"),
                ("water", "Water"),
                ("mountain", "Mountain"),
            ]),
        }],
        op: Op::TerrainAt,
    },
    NodeSpec {
        key: "number",
        name: "Number",
        category: Category::Math,
        help: "A whole number you type in.",
        inputs: &[num("value", "Value", 0)],
        outputs: &[port("value", "Value", PinType::Number)],
        settings: &[],
        op: Op::NumberConst,
    },
    NodeSpec {
        key: "bool",
        name: "Bool",
        category: Category::Math,
        help: "True or false, as you tick it.",
        inputs: &[flag("value", "Value", false)],
        outputs: &[port("value", "Value", PinType::Bool)],
        settings: &[],
        op: Op::BoolConst,
    },
    arith("add", "Add", "A plus B.", Arith::Add),
    arith("subtract", "Subtract", "A minus B.", Arith::Sub),
    arith("multiply", "Multiply", "A times B.", Arith::Mul),
    arith(
        "divide",
        "Divide",
        "A divided by B, rounded toward zero (0 when B is 0).",
        Arith::Div,
    ),
    arith("min", "Min", "The smaller of A and B.", Arith::Min),
    arith("max", "Max", "The larger of A and B.", Arith::Max),
    NodeSpec {
        key: "compare",
        name: "Compare",
        category: Category::Math,
        help: "True if A relates to B as chosen (less, equal, greater…).",
        inputs: &[num("a", "A", 0), num("b", "B", 0)],
        outputs: &[port("result", "Result", PinType::Bool)],
        settings: &[SettingSpec {
            key: "op",
            name: "Is",
            choices: Choices::List(&[
                ("lt", "A < B"),
                ("le", "A ≤ B"),
                ("eq", "A = B"),
                ("ne", "A ≠ B"),
                ("ge", "A ≥ B"),
                ("gt", "A > B"),
            ]),
        }],
        op: Op::Compare,
    },
    logic("and", "And", "True if both A and B are true.", Op::And),
    logic("or", "Or", "True if A or B (or both) is true.", Op::Or),
    NodeSpec {
        key: "not",
        name: "Not",
        category: Category::Math,
        help: "True if A is false, false if A is true.",
        inputs: &[flag("a", "A", false)],
        outputs: &[port("result", "Result", PinType::Bool)],
        settings: &[],
        op: Op::Not,
    },
    NodeSpec {
        key: "select",
        name: "Select",
        category: Category::Math,
        help: "If True when Condition holds, else If False (of the Type set on the node).",
        inputs: &[
            port("if_true", "If True", PinType::Chosen),
            port("if_false", "If False", PinType::Chosen),
            flag("condition", "Condition", false),
        ],
        outputs: &[port("value", "Value", PinType::Chosen)],
        settings: &[TYPE],
        op: Op::Select,
    },
    NodeSpec {
        key: "random_number",
        name: "Random Number",
        category: Category::Math,
        help: "A number from Min to Max; the same turn always draws the same numbers.",
        inputs: &[num("min", "Min", 1), num("max", "Max", 6)],
        outputs: &[port("value", "Value", PinType::Number)],
        settings: &[],
        op: Op::RandomNumber,
    },
    NodeSpec {
        key: "get_variable",
        name: "Get Variable",
        category: Category::Variables,
        help: "The value last stored in the variable this turn.",
        inputs: &[],
        outputs: &[port("value", "Value", PinType::OfVariable)],
        settings: &[VARIABLE],
        op: Op::GetVariable,
    },
    NodeSpec {
        key: "set_variable",
        name: "Set Variable",
        category: Category::Variables,
        help: "Stores a value in the variable, for later nodes this turn.",
        inputs: &[EXEC_IN, port("value", "Value", PinType::OfVariable)],
        outputs: &[THEN],
        settings: &[VARIABLE],
        op: Op::SetVariable,
    },
    action(
        "attack",
        "Attack",
        "The unit strikes the target, if the target is an enemy within its range.",
        &[EXEC_IN, UNIT_IN, port("target", "Target", PinType::Unit)],
        Op::Attack,
    ),
    action(
        "move_toward",
        "Move Toward",
        "Walks as close to the tile as it can this turn. Done is false if it cannot, or the tile is none.",
        &[EXEC_IN, UNIT_IN, port("to", "Tile", PinType::Position)],
        Op::MoveToward,
    ),
    action(
        "move_away_from",
        "Move Away From",
        "Walks as far from the tile as it can this turn. Done is false if it cannot, or the tile is none.",
        &[EXEC_IN, UNIT_IN, port("from", "Tile", PinType::Position)],
        Op::MoveAwayFrom,
    ),
    action(
        "fortify",
        "Fortify",
        "The unit digs in: +2 defence until it next moves; it does nothing else this turn.",
        &[EXEC_IN, UNIT_IN],
        Op::Fortify,
    ),
    action(
        "cast_fireball",
        "Cast Fireball",
        "A mage burns every unit on and next to the tile, yours too (3 mana, 3 tiles away at most).",
        &[EXEC_IN, UNIT_IN, port("at", "Tile", PinType::Position)],
        Op::CastFireball,
    ),
    action(
        "cast_heal",
        "Cast Heal",
        "A mage heals your units on and next to the tile by 8 (2 mana, 3 tiles away at most).",
        &[EXEC_IN, UNIT_IN, port("at", "Tile", PinType::Position)],
        Op::CastHeal,
    ),
    // ---- World scripts ----
    event(
        "on_start",
        "On Start",
        "Runs once, when the world starts.",
        &[THEN],
        &[],
        Op::OnStart,
    ),
    event(
        "on_tick",
        "On Tick",
        "Runs every tick of the world (20 times a second).",
        &[THEN, port("tick", "Tick", PinType::Number)],
        &[],
        Op::OnTick,
    ),
    NodeSpec {
        key: "every_n_ticks",
        name: "Every N Ticks",
        category: Category::Events,
        help: "Runs every N ticks (20 ticks make a second).",
        inputs: &[num("n", "N", 20)],
        outputs: &[THEN, port("tick", "Tick", PinType::Number)],
        settings: &[],
        op: Op::EveryNTicks,
    },
    event(
        "on_timer",
        "On Timer",
        "Runs when one of the world's timers fires.",
        &[
            THEN,
            port("timer", "Timer", PinType::Number),
            port("tick", "Tick", PinType::Number),
        ],
        &[],
        Op::OnTimer,
    ),
    event(
        "on_entity_spawned",
        "On Entity Spawned",
        "Runs when an entity appears (of the kind typed, or any kind when empty).",
        &[
            THEN,
            port("entity", "Entity", PinType::Entity),
            port("position", "Tile", PinType::Position),
        ],
        &[text("kind", "Kind", "")],
        Op::OnEntitySpawned,
    ),
    event(
        "on_entity_destroyed",
        "On Entity Destroyed",
        "Runs when an entity is destroyed.",
        &[THEN, port("entity", "Entity", PinType::Entity)],
        &[],
        Op::OnEntityDestroyed,
    ),
    event(
        "on_enter_area",
        "On Enter Area",
        "Runs when an entity walks into one of the world's areas.",
        &[
            THEN,
            port("entity", "Entity", PinType::Entity),
            port("area", "Area", PinType::Number),
        ],
        &[],
        Op::OnEnterArea,
    ),
    event(
        "on_collision",
        "On Collision",
        "Runs when two entities bump into each other.",
        &[
            THEN,
            port("a", "A", PinType::Entity),
            port("b", "B", PinType::Entity),
        ],
        &[],
        Op::OnCollision,
    ),
    event(
        "on_message",
        "On Message",
        "Runs when a player says the text typed (or anything, when empty).",
        &[THEN, port("player", "Player", PinType::Player)],
        &[text("says", "Says", "")],
        Op::OnMessage,
    ),
    event(
        "on_player_joined",
        "On Player Joined",
        "Runs when a player joins the world.",
        &[THEN, port("player", "Player", PinType::Player)],
        &[],
        Op::OnPlayerJoined,
    ),
    event(
        "on_player_left",
        "On Player Left",
        "Runs when a player leaves the world.",
        &[THEN, port("player", "Player", PinType::Player)],
        &[],
        Op::OnPlayerLeft,
    ),
    event(
        "on_script_message",
        "On Script Message",
        "Runs when another script sends this one the text typed (or anything, when empty).",
        &[THEN],
        &[text("says", "Says", "")],
        Op::OnScriptMessage,
    ),
    NodeSpec {
        key: "tile_at",
        name: "Tile At",
        category: Category::World,
        help: "The tile X across and Y down (0, 0 is the top-left corner).",
        inputs: &[num("x", "X", 0), num("y", "Y", 0)],
        outputs: &[port("position", "Tile", PinType::Position)],
        settings: &[],
        op: Op::TileAt,
    },
    NodeSpec {
        key: "entity_position",
        name: "Entity Position",
        category: Category::World,
        help: "The tile the entity is on; none if it is gone.",
        inputs: &[ENTITY_IN],
        outputs: &[port("position", "Tile", PinType::Position)],
        settings: &[],
        op: Op::EntityPosition,
    },
    NodeSpec {
        key: "entity_exists",
        name: "Entity Exists",
        category: Category::World,
        help: "True if the entity is still in the world.",
        inputs: &[ENTITY_IN],
        outputs: &[port("value", "Exists", PinType::Bool)],
        settings: &[],
        op: Op::EntityExists,
    },
    NodeSpec {
        key: "spawn_entity",
        name: "Spawn Entity",
        category: Category::World,
        help: "Puts a new entity of the kind typed on the tile. Throttled: too many spawns this second.",
        inputs: &[EXEC_IN, port("at", "Tile", PinType::Position)],
        outputs: &[
            THEN,
            port("entity", "Entity", PinType::Entity),
            DONE,
            THROTTLED,
        ],
        settings: &[text("kind", "Kind", "crate")],
        op: Op::SpawnEntity,
    },
    world_action(
        "despawn",
        "Despawn",
        Category::World,
        "Removes an entity this script spawned.",
        &[EXEC_IN, ENTITY_IN],
        &[THEN, DONE],
        &[],
        Op::Despawn,
    ),
    world_action(
        "apply_impulse",
        "Apply Impulse",
        Category::World,
        "Pushes the entity: X east, Y south (up to 10000 each).",
        &[EXEC_IN, ENTITY_IN, num("x", "X", 0), num("y", "Y", 0)],
        &[THEN, DONE],
        &[],
        Op::ApplyImpulse,
    ),
    world_action(
        "play_sound",
        "Play Sound",
        Category::World,
        "Plays the sound named on the tile, for everyone near it.",
        &[EXEC_IN, port("at", "Tile", PinType::Position)],
        &[THEN, DONE],
        &[text("sound", "Sound", "chime")],
        Op::PlaySound,
    ),
    world_action(
        "show_text",
        "Show Text",
        Category::Players,
        "Shows the text to the player, or to everyone; {number} becomes the Number.",
        &[EXEC_IN, OPTIONAL_PLAYER, num("number", "Number", 0)],
        &[THEN, DONE],
        &[text("text", "Text", "Welcome!")],
        Op::ShowText,
    ),
    world_action(
        "send_message",
        "Send Message",
        Category::Players,
        "Sends the text to the player's game, or every player's; {number} becomes the Number.",
        &[EXEC_IN, OPTIONAL_PLAYER, num("number", "Number", 0)],
        &[THEN, DONE, THROTTLED],
        &[text("text", "Text", "hello")],
        Op::SendMessage,
    ),
    world_action(
        "send_to_script",
        "Send To Script",
        Category::Players,
        "Sends the text to another script of the world, by its name (it gets On Script Message).",
        &[EXEC_IN, num("number", "Number", 0)],
        &[THEN, DONE, THROTTLED],
        &[
            text("script", "Script", "announcer"),
            text("text", "Text", "go"),
        ],
        Op::SendToScript,
    ),
    NodeSpec {
        key: "storage_get",
        name: "Storage Get",
        category: Category::Storage,
        help: "The number kept under the key (0 if nothing is kept).",
        inputs: &[],
        outputs: &[port("value", "Value", PinType::Number)],
        settings: &[KEY],
        op: Op::StorageGet,
    },
    NodeSpec {
        key: "storage_has",
        name: "Storage Has",
        category: Category::Storage,
        help: "True if a number is kept under the key.",
        inputs: &[],
        outputs: &[port("value", "Has", PinType::Bool)],
        settings: &[KEY],
        op: Op::StorageHas,
    },
    world_action(
        "storage_set",
        "Storage Set",
        Category::Storage,
        "Keeps the number under the key, across ticks and runs.",
        &[EXEC_IN, num("value", "Value", 0)],
        &[THEN, DONE, THROTTLED],
        &[KEY],
        Op::StorageSet,
    ),
    world_action(
        "storage_add",
        "Storage Add",
        Category::Storage,
        "Adds to the number kept under the key; Total is the number now kept.",
        &[EXEC_IN, num("amount", "Amount", 1)],
        &[
            THEN,
            port("total", "Total", PinType::Number),
            DONE,
            THROTTLED,
        ],
        &[KEY],
        Op::StorageAdd,
    ),
    NodeSpec {
        key: "entity_kind_is",
        name: "Entity Kind Is",
        category: Category::World,
        help: "True if the entity is of the kind typed (crate, ball…).",
        inputs: &[ENTITY_IN],
        outputs: &[port("value", "Is", PinType::Bool)],
        settings: &[text("kind", "Kind", "crate")],
        op: Op::EntityKindIs,
    },
    NodeSpec {
        key: "entity_is_mine",
        name: "Entity Is Mine",
        category: Category::World,
        help: "True if this script spawned the entity.",
        inputs: &[ENTITY_IN],
        outputs: &[port("value", "Mine", PinType::Bool)],
        settings: &[],
        op: Op::EntityIsMine,
    },
    NodeSpec {
        key: "entity_hp",
        name: "Entity HP",
        category: Category::World,
        help: "The entity's hit points (0 if it is gone).",
        inputs: &[ENTITY_IN],
        outputs: &[port("value", "HP", PinType::Number)],
        settings: &[],
        op: Op::EntityHp,
    },
    world_action(
        "set_hp",
        "Set HP",
        Category::World,
        "Sets the entity's hit points (0 to 1000000): how a script deals damage or heals.",
        &[EXEC_IN, ENTITY_IN, num("hp", "HP", 10)],
        &[THEN, DONE],
        &[],
        Op::SetHp,
    ),
    NodeSpec {
        key: "for_each_entity_near",
        name: "For Each Entity In Radius",
        category: Category::Flow,
        help: "Does Each Entity once for every entity within Radius tiles of the tile, then Done.",
        inputs: &[
            EXEC_IN,
            port("centre", "Tile", PinType::Position),
            num("radius", "Radius", 3),
        ],
        outputs: &[
            port("body", "Each Entity", PinType::Exec),
            port("entity", "Entity", PinType::Entity),
            port("done", "Done", PinType::Exec),
        ],
        settings: &[],
        op: Op::ForEachEntityNear,
    },
    NodeSpec {
        key: "raycast",
        name: "Raycast",
        category: Category::World,
        help: "The first entity on the line from one tile toward another (none if a wall comes first).",
        inputs: &[
            port("from", "From", PinType::Position),
            port("toward", "Toward", PinType::Position),
            num("distance", "Distance", 10),
        ],
        outputs: &[port("entity", "Entity", PinType::Entity)],
        settings: &[],
        op: Op::Raycast,
    },
    world_action(
        "set_velocity",
        "Set Velocity",
        Category::World,
        "Sets how fast the entity moves: X east, Y south, in tiles a second (up to 100).",
        &[EXEC_IN, ENTITY_IN, num("x", "X", 0), num("y", "Y", 0)],
        &[THEN, DONE],
        &[],
        Op::SetVelocity,
    ),
    world_action(
        "set_objective",
        "Set Objective",
        Category::Players,
        "Sets the goal line on the player's screen, or everyone's; {number} becomes the Number.",
        &[EXEC_IN, OPTIONAL_PLAYER, num("number", "Number", 0)],
        &[THEN, DONE],
        &[text("text", "Text", "Reach the well!")],
        Op::SetObjective,
    ),
    world_action(
        "place_marker",
        "Place Marker",
        Category::Players,
        "Puts a labelled marker on the map for everyone (the same label moves it).",
        &[
            EXEC_IN,
            port("at", "Tile", PinType::Position),
            num("number", "Number", 0),
        ],
        &[THEN, DONE],
        &[text("text", "Label", "here")],
        Op::PlaceMarker,
    ),
];

/// The seed of a world script's Random Number generator when it starts.
pub const WORLD_SEED: u64 = 0x00C0_FFEE_5EED;

/// The range a tuner searches an input of a node kind in, when the catalog knows a sensible
/// one (`aether_lang::tune`): distances in tiles ([`TILES_RANGE`]), the bounds of a Random
/// Number from 1 to 100.
pub fn tuning_range(kind: &str, port: &str) -> Option<(i32, i32)> {
    match (kind, port) {
        ("count_enemies_near" | "weakest_friend_near", "within") => Some(TILES_RANGE),
        ("random_number", "min" | "max") => Some((1, 100)),
        _ => None,
    }
}

/// The range a tuner searches a distance in, in tiles: 0 to 12 (duel maps are 16 to 24 tiles
/// across). A number compared with an output named [`TILES`] is a distance too.
pub const TILES_RANGE: (i32, i32) = (0, 12);

/// The name of every output that is a distance in tiles.
pub const TILES: &str = "Tiles";

/// The node kind with this key (a hash lookup: the checker, the wiring and the editor ask for
/// every node and every wire).
pub fn spec(key: &str) -> Option<&'static NodeSpec> {
    if key.starts_with(crate::graph::function::KIND_PREFIX) {
        return functions::spec(key);
    }
    static BY_KEY: std::sync::OnceLock<
        aether_base::fasthash::FastMap<&'static str, &'static NodeSpec>,
    > = std::sync::OnceLock::new();
    BY_KEY
        .get_or_init(|| CATALOG.iter().map(|s| (s.key, s)).collect())
        .get(key)
        .copied()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn keys_and_names_are_unique_and_help_is_one_line() {
        let keys: BTreeSet<_> = CATALOG.iter().map(|s| s.key).collect();
        let names: BTreeSet<_> = CATALOG.iter().map(|s| s.name).collect();
        assert_eq!(keys.len(), CATALOG.len());
        assert_eq!(names.len(), CATALOG.len());
        for s in CATALOG {
            assert!(!s.help.is_empty() && !s.help.contains('\n'), "{}", s.key);
            assert!(s.help.len() <= 100, "{}: help fits one line", s.key);
            let ports: BTreeSet<_> = s.inputs.iter().chain(s.outputs).map(|p| p.key).collect();
            let inputs: BTreeSet<_> = s.inputs.iter().map(|p| p.key).collect();
            let outputs: BTreeSet<_> = s.outputs.iter().map(|p| p.key).collect();
            assert_eq!(inputs.len(), s.inputs.len(), "{}", s.key);
            assert_eq!(outputs.len(), s.outputs.len(), "{}", s.key);
            assert!(ports.len() >= inputs.len().max(outputs.len()));
            for p in s.inputs.iter().filter(|p| p.ty == PinType::Exec) {
                assert_eq!(p.default, PortDefault::Required, "{}.{}", s.key, p.key);
            }
        }
    }

    #[test]
    fn every_op_has_exactly_one_node_kind() {
        let ops: BTreeSet<String> = CATALOG.iter().map(|s| format!("{:?}", s.op)).collect();
        assert_eq!(ops.len(), CATALOG.len());
    }

    #[test]
    fn the_briefs_minimum_catalog_is_there() {
        for name in [
            "On Turn",
            "Branch",
            "Sequence",
            "For Each Unit",
            "Nearest Enemy",
            "Weakest Enemy In Range",
            "Unit HP",
            "Unit Max HP",
            "Unit Attack",
            "Unit Range",
            "Unit Position",
            "Kind Is",
            "Distance",
            "Count Units",
            "Terrain At",
            "Number",
            "Bool",
            "Add",
            "Subtract",
            "Multiply",
            "Divide",
            "Min",
            "Max",
            "Compare",
            "And",
            "Or",
            "Not",
            "Random Number",
            "Get Variable",
            "Set Variable",
            "Attack",
            "Move Toward",
            "Move Away From",
            "Fortify",
            "Cast Fireball",
            "Cast Heal",
        ] {
            assert!(CATALOG.iter().any(|s| s.name == name), "missing {name}");
        }
    }
}
