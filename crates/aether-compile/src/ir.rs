//! The compiler's intermediate form: one function per node that runs, in terms the wasm emitter
//! maps one-to-one onto instructions and runtime calls.
//!
//! Lowering follows the reference interpreter's evaluation rules exactly (see [`aether_lang::interp`]):
//! inputs are evaluated in port order, data nodes each time a value is needed, execution outputs
//! are followed in port order. Only nodes that can run are lowered: execution nodes reachable
//! from On Turn (a world script: from its event nodes) and the data nodes they read,
//! transitively.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;

use mc_tactical_types::UnitKind;

use aether_lang::catalog::{Arith, Kinds, NodeSpec, Op, PinType, Stat};
use aether_lang::graph::{NodeId, ScriptKind};
use aether_lang::interp::CheckedGraph;
use aether_lang::wiring::Wiring;

/// A global the program keeps for one turn: an execution node's output, or a graph variable.
/// All start each turn at 0 (false, none, (0, 0)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    /// Output `port` of execution node `node` (the loop's unit, an action's Done).
    Stored(NodeId, &'static str),
    /// The graph variable at this index of [`Program::variables`].
    Variable(usize),
}

/// A routine of the runtime library (`runtime.wat`), by what it computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Routine {
    /// `(unit) -> bool`: the unit is alive.
    Live,
    /// `(unit, k) -> number`: statistic k (0 hp, 1 max hp, 2 attack, 3 range).
    Stat,
    /// `(unit) -> position`.
    Position,
    /// `(unit, kind) -> bool`.
    KindIs,
    /// `(unit) -> unit`.
    NearestEnemy,
    /// `(unit) -> unit`.
    WeakestInRange,
    /// `(which) -> number`.
    Count,
    /// `(tile, within) -> number`: Count Enemies Near.
    CountNear,
    /// `(unit, within) -> unit`: Weakest Friend Near.
    WeakestFriend,
    /// `(unit) -> bool`: Is In Danger.
    InDanger,
    /// `(unit, position) -> position`: Best Tile.
    BestTile,
    /// `(which, unit) -> unit`: For Each's next unit.
    NextUnit,
    /// `(position, position) -> number`.
    Distance,
    /// `() -> position`.
    MapCentre,
    /// `() -> number`: the round being played.
    Turn,
    /// `(position, terrain) -> bool`.
    TerrainIs,
    /// `(unit) -> position`.
    NearestHidden,
    /// `(min, max) -> number`, advancing the generator.
    Random,
    /// `(a, b) -> number`: division that never traps.
    Divide,
    /// `(unit, target) -> bool`.
    Attack,
    /// `(unit, tile, toward) -> bool`.
    Move,
    /// `(unit) -> bool`.
    Fortify,
    /// `(unit, spell, tile) -> bool`.
    Cast,
    // --- World scripts (`world_runtime.wat`) ---
    /// `() -> number`: the event's tick.
    EvTick,
    /// `() -> value`: the event's timer, entity, collision's a or player.
    EvFirst,
    /// `() -> value`: the event's area or collision's b.
    EvSecond,
    /// `() -> position`: where the spawned entity appeared.
    EvPos,
    /// `(n) -> bool`: Every N Ticks' test.
    Every,
    /// `(text) -> bool`: the event's kind or message is exactly the text.
    TextIs,
    /// `(code) -> id`: an import's result as an entity (none when refused).
    OrNone,
    /// `() -> number`: Storage Add's total.
    Last,
    /// `(x, y) -> position`.
    Tile,
    /// `(entity) -> position`.
    EntityPosition,
    /// `(entity) -> bool`.
    EntityExists,
    /// `(key) -> number`.
    StorageGet,
    /// `(key) -> bool`.
    StorageHas,
    /// `(kind, tile) -> code`.
    Spawn,
    /// `(entity) -> code`.
    Despawn,
    /// `(entity, x, y) -> code`.
    Push,
    /// `(sound, tile) -> code`.
    Sound,
    /// `(player, number, text) -> code`.
    Show,
    /// `(player, number, text) -> code`.
    Send,
    /// `(value, key) -> code`.
    Store,
    /// `(amount, key) -> code`.
    Add,
    /// `(entity, kind) -> bool`.
    EntityKindIs,
    /// `(tile, radius, after) -> id or code`: For Each Entity In Radius's next entity.
    NextNear,
    /// `(entity, x, y) -> code`.
    Velocity,
    /// `(from, toward, distance) -> entity`.
    Raycast,
    /// `(player, number, text) -> code`.
    Objective,
    /// `(tile, number, text) -> code`.
    Marker,
    /// `(entity) -> bool`.
    IsMine,
    /// `(entity) -> number`.
    Hp,
    /// `(entity, hp) -> code`.
    SetHp,
    /// `(number, script, text) -> code`.
    SendScript,
}

impl Routine {
    /// The runtime export that implements it.
    pub fn symbol(self) -> &'static str {
        match self {
            Routine::Live => "rt_live",
            Routine::Stat => "rt_stat",
            Routine::Position => "rt_pos",
            Routine::KindIs => "rt_kind_is",
            Routine::NearestEnemy => "rt_nearest_enemy",
            Routine::WeakestInRange => "rt_weakest_in_range",
            Routine::Count => "rt_count",
            Routine::CountNear => "rt_count_near",
            Routine::WeakestFriend => "rt_weakest_friend",
            Routine::InDanger => "rt_in_danger",
            Routine::BestTile => "rt_best_tile",
            Routine::NextUnit => "rt_next_unit",
            Routine::Distance => "rt_distance",
            Routine::MapCentre => "rt_map_centre",
            Routine::Turn => "rt_turn",
            Routine::TerrainIs => "rt_terrain_is",
            Routine::NearestHidden => "rt_nearest_hidden",
            Routine::Random => "rt_random",
            Routine::Divide => "rt_div",
            Routine::Attack => "rt_attack",
            Routine::Move => "rt_move",
            Routine::Fortify => "rt_fortify",
            Routine::Cast => "rt_cast",
            Routine::EvTick => "rt_w_ev_tick",
            Routine::EvFirst => "rt_w_ev_first",
            Routine::EvSecond => "rt_w_ev_second",
            Routine::EvPos => "rt_w_ev_pos",
            Routine::Every => "rt_w_every",
            Routine::TextIs => "rt_w_text_is",
            Routine::OrNone => "rt_w_or_none",
            Routine::Last => "rt_w_last",
            Routine::Tile => "rt_w_tile",
            Routine::EntityPosition => "rt_w_position",
            Routine::EntityExists => "rt_w_exists",
            Routine::StorageGet => "rt_w_get",
            Routine::StorageHas => "rt_w_has",
            Routine::Spawn => "rt_w_spawn",
            Routine::Despawn => "rt_w_despawn",
            Routine::Push => "rt_w_push",
            Routine::Sound => "rt_w_sound",
            Routine::Show => "rt_w_show",
            Routine::Send => "rt_w_send",
            Routine::Store => "rt_w_store",
            Routine::Add => "rt_w_add",
            Routine::EntityKindIs => "rt_w_kind_is",
            Routine::NextNear => "rt_w_next_near",
            Routine::Velocity => "rt_w_velocity",
            Routine::Raycast => "rt_w_raycast",
            Routine::Objective => "rt_w_objective",
            Routine::Marker => "rt_w_marker",
            Routine::IsMine => "rt_w_is_mine",
            Routine::Hp => "rt_w_hp",
            Routine::SetHp => "rt_w_set_hp",
            Routine::SendScript => "rt_w_send_script",
        }
    }

    /// Every routine of the world runtime, for checking it exports them all.
    pub const WORLD: [Routine; 33] = [
        Routine::EvTick,
        Routine::EvFirst,
        Routine::EvSecond,
        Routine::EvPos,
        Routine::Every,
        Routine::TextIs,
        Routine::OrNone,
        Routine::Last,
        Routine::Tile,
        Routine::EntityPosition,
        Routine::EntityExists,
        Routine::StorageGet,
        Routine::StorageHas,
        Routine::Spawn,
        Routine::Despawn,
        Routine::Push,
        Routine::Sound,
        Routine::Show,
        Routine::Send,
        Routine::Store,
        Routine::Add,
        Routine::Random,
        Routine::Divide,
        Routine::EntityKindIs,
        Routine::NextNear,
        Routine::Velocity,
        Routine::Raycast,
        Routine::Objective,
        Routine::Marker,
        Routine::IsMine,
        Routine::Hp,
        Routine::SetHp,
        Routine::SendScript,
    ];

    /// Every routine of the AI runtime, for checking it exports them all.
    pub const ALL: [Routine; 23] = [
        Routine::Live,
        Routine::Stat,
        Routine::Position,
        Routine::KindIs,
        Routine::NearestEnemy,
        Routine::WeakestInRange,
        Routine::Count,
        Routine::CountNear,
        Routine::WeakestFriend,
        Routine::InDanger,
        Routine::BestTile,
        Routine::NextUnit,
        Routine::Distance,
        Routine::MapCentre,
        Routine::Turn,
        Routine::TerrainIs,
        Routine::NearestHidden,
        Routine::Random,
        Routine::Divide,
        Routine::Attack,
        Routine::Move,
        Routine::Fortify,
        Routine::Cast,
    ];
}

/// A two-operand operation on numbers or bools that maps onto plain wasm instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// Wrapping a + b.
    Add,
    /// Wrapping a − b.
    Sub,
    /// Wrapping a × b.
    Mul,
    /// The smaller.
    Min,
    /// The larger.
    Max,
    /// a < b.
    Lt,
    /// a ≤ b.
    Le,
    /// a = b.
    Eq,
    /// a ≠ b.
    Ne,
    /// a ≥ b.
    Ge,
    /// a > b.
    Gt,
    /// Both (both operands are always evaluated).
    And,
    /// Either (both operands are always evaluated).
    Or,
}

/// A computation of one i32 value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A constant.
    Const(i32),
    /// The value typed on an unconnected input (`node`'s input `port`): a constant in the
    /// game's module; the preview's linked module reads it from an imported global, so a graph
    /// whose only change is a typed value needs no new machine code.
    Inline(NodeId, &'static str, i32),
    /// A global's value.
    Get(Slot),
    /// The value of a data node: a call of its function.
    Node(NodeId),
    /// A runtime routine on arguments evaluated left to right.
    Call(Routine, Vec<Expr>),
    /// `a op b`, `a` evaluated first.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Not.
    Not(Box<Expr>),
    /// `[if true, if false, condition]`, evaluated in that order; the first when the condition
    /// is not 0, else the second.
    Select(Box<[Expr; 3]>),
    /// Text typed on a node, by index in [`Program::texts`]: pushes two values, its address
    /// and its length (only as a routine's argument).
    Text(usize),
}

/// A step of an execution node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// Run an execution node.
    Run(NodeId),
    /// Run one branch or the other.
    If {
        /// The condition.
        cond: Expr,
        /// When true.
        then: Vec<Stmt>,
        /// When false.
        otherwise: Vec<Stmt>,
    },
    /// Run `body` once per living unit selected by `which` (0 mine, 1 enemies, 2 all), in id
    /// order, with the unit in `unit` if anything reads it.
    ForEach {
        /// Which units.
        which: i32,
        /// Where the current unit is kept.
        unit: Option<Slot>,
        /// The body.
        body: Vec<Stmt>,
    },
    /// Run `body` for each entity the world names within `radius` tiles of tile `centre`, asking
    /// for the next (by id) before each round (nothing when `centre` is none), with the entity
    /// in `entity` if anything reads it.
    ForEachNear {
        /// The tile.
        centre: Expr,
        /// The radius in tiles.
        radius: Expr,
        /// Where the current entity is kept.
        entity: Option<Slot>,
        /// The body.
        body: Vec<Stmt>,
    },
    /// Keep a value.
    Set(Slot, Expr),
    /// Compute a value for its effect and drop it.
    Eval(Expr),
}

/// What a node's function does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// An execution node: statements, no result.
    Exec(Vec<Stmt>),
    /// A data node: one value.
    Data(Expr),
}

/// One node's function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeFn {
    /// The node.
    pub node: NodeId,
    /// Its kind's user-facing name.
    pub name: &'static str,
    /// What it does.
    pub body: Body,
}

/// A world script's event node: which event it answers and the test it makes first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventEntry {
    /// The node (its function sets its outputs from the event and runs what follows).
    pub node: NodeId,
    /// The `WorldEvent` variant index it answers.
    pub event: u8,
    /// Evaluated when that event comes: the node runs only if true (Every N Ticks, a kind or
    /// a message to match).
    pub filter: Option<Expr>,
}

/// A lowered graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// Which kind of script: the runtime, the exports and the entry follow from it.
    pub kind: ScriptKind,
    /// The On Turn node, if the graph has one (AI controllers).
    pub entry: Option<NodeId>,
    /// The event nodes, in node-id order: the order they run in (world scripts).
    pub events: Vec<EventEntry>,
    /// Texts typed on nodes, by [`Expr::Text`] index.
    pub texts: Vec<String>,
    /// One function per node that can run, by node id.
    pub functions: Vec<NodeFn>,
    /// The globals, in the order the module declares them.
    pub slots: Vec<Slot>,
    /// The graph's variable names, by [`Slot::Variable`] index.
    pub variables: Vec<String>,
}

/// Lowers a checked graph.
pub fn lower(checked: &CheckedGraph) -> Program {
    let g = checked.graph();
    let w = Wiring::new(g);
    // Execution nodes' outputs read by a wire are kept in globals.
    let mut stored: BTreeSet<Slot> = w
        .wire_into
        .values()
        .filter(|(from, _)| w.specs.get(from).is_some_and(|s| s.is_exec()))
        .map(|&(from, out)| Slot::Stored(from, out))
        .collect();
    // A function's results, kept by its Outputs node for the call to read.
    for &(_, outputs) in w.calls.values() {
        let Some(o) = outputs else { continue };
        if let Some(spec) = w.specs.get(&o) {
            stored.extend(
                spec.inputs
                    .iter()
                    .filter(|p| p.ty != PinType::Exec)
                    .map(|p| Slot::Stored(o, p.key)),
            );
        }
    }
    let mut variables: Vec<String> = Vec::new();
    for v in &g.variables {
        if !variables.contains(&v.name) {
            variables.push(v.name.clone());
        }
    }
    let kind = g.kind;
    let entry = match kind {
        ScriptKind::AiController => w.entry(),
        ScriptKind::WorldScript => None,
    };
    let mut lowering = Lowering {
        w: &w,
        stored: &stored,
        variables: &variables,
        queue: VecDeque::new(),
        seen: BTreeSet::new(),
        texts: Vec::new(),
        codes: BTreeSet::new(),
    };
    let mut functions = BTreeMap::new();
    if let Some(entry) = entry {
        lowering.enqueue(entry);
    }
    let mut events = Vec::new();
    if kind == ScriptKind::WorldScript {
        for (node, spec) in w.events() {
            let Some(event) = spec.op.event() else {
                continue;
            };
            lowering.enqueue(node);
            let filter = lowering.filter(node, spec.op);
            events.push(EventEntry {
                node,
                event,
                filter,
            });
        }
    }
    while let Some(node) = lowering.queue.pop_front() {
        let Some(spec) = w.specs.get(&node).copied() else {
            continue;
        };
        let body = lowering.body(node, spec);
        functions.insert(
            node,
            NodeFn {
                node,
                name: spec.name,
                body,
            },
        );
    }
    let mut slots: BTreeSet<Slot> = stored.iter().copied().collect();
    slots.extend(std::mem::take(&mut lowering.codes));
    let texts = std::mem::take(&mut lowering.texts);
    let mut slots: Vec<Slot> = slots.into_iter().collect();
    slots.extend((0..variables.len()).map(Slot::Variable));
    Program {
        kind,
        entry,
        events,
        texts,
        functions: functions.into_values().collect(),
        slots,
        variables,
    }
}

struct Lowering<'a> {
    w: &'a Wiring<'a>,
    stored: &'a BTreeSet<Slot>,
    variables: &'a [String],
    queue: VecDeque<NodeId>,
    seen: BTreeSet<NodeId>,
    /// Texts typed on nodes, interned.
    texts: Vec<String>,
    /// The slots that keep world actions' import codes.
    codes: BTreeSet<Slot>,
}

impl<'a> Lowering<'a> {
    fn enqueue(&mut self, node: NodeId) {
        if self.seen.insert(node) {
            self.queue.push_back(node);
        }
    }

    fn setting(&self, node: NodeId, key: &str) -> Option<&'a str> {
        self.w.setting(node, key)
    }

    fn choice(&self, node: NodeId, key: &str) -> &'a str {
        self.w.choice(node, key)
    }

    fn which(&self, node: NodeId) -> i32 {
        match self.choice(node, "which") {
            "enemies" => 1,
            "all" => 2,
            _ => 0,
        }
    }

    fn variable(&self, node: NodeId) -> Option<Slot> {
        let name = self.setting(node, "variable")?;
        self.variables
            .iter()
            .position(|v| v == name)
            .map(Slot::Variable)
    }

    /// The statements that follow execution output `port` of `node`.
    fn follow(&mut self, node: NodeId, port: &'static str) -> Vec<Stmt> {
        match self.w.exec_next.get(&(node, port)).copied() {
            Some(next) => {
                self.enqueue(next);
                vec![Stmt::Run(next)]
            }
            None => Vec::new(),
        }
    }

    /// The value arriving at input `port` of `node`.
    fn input(&mut self, node: NodeId, port: &'static str) -> Expr {
        if let Some((from, out)) = self.w.wire_into.get(&(node, port)).copied() {
            let Some(spec) = self.w.specs.get(&from) else {
                return Expr::Const(0);
            };
            if spec.is_exec() {
                return Expr::Get(Slot::Stored(from, out));
            }
            self.enqueue(from);
            return Expr::Node(from);
        }
        // An unconnected input: the interpreter's inline value, in the module's encoding.
        Expr::Inline(node, port, self.w.inline(node, port).encode())
    }

    fn call(&mut self, routine: Routine, node: NodeId, ports: &[&'static str]) -> Expr {
        let args = ports.iter().map(|p| self.input(node, p)).collect();
        Expr::Call(routine, args)
    }

    fn body(&mut self, node: NodeId, spec: &'static NodeSpec) -> Body {
        let stmts = match spec.op {
            Op::OnTurn => self.follow(node, "then"),
            Op::Branch => {
                let cond = self.input(node, "condition");
                let then = self.follow(node, "true");
                let otherwise = self.follow(node, "false");
                vec![Stmt::If {
                    cond,
                    then,
                    otherwise,
                }]
            }
            Op::RerouteExec | Op::FunctionInputs => self.follow(node, "then"),
            Op::FunctionOutputs => spec
                .inputs
                .iter()
                .filter(|p| p.ty != PinType::Exec)
                .map(|p| Stmt::Set(Slot::Stored(node, p.key), self.input(node, p.key)))
                .collect(),
            Op::CallFunction => self.call_function(node, spec),
            Op::Sequence => {
                let mut out = self.follow(node, "first");
                out.extend(self.follow(node, "second"));
                out.extend(self.follow(node, "third"));
                out
            }
            Op::ForEachUnit => {
                let unit = Slot::Stored(node, "unit");
                let mut out = vec![Stmt::ForEach {
                    which: self.which(node),
                    unit: self.stored.contains(&unit).then_some(unit),
                    body: self.follow(node, "body"),
                }];
                out.extend(self.follow(node, "done"));
                out
            }
            Op::SetVariable => {
                let value = self.input(node, "value");
                let mut out = vec![match self.variable(node) {
                    Some(slot) => Stmt::Set(slot, value),
                    None => Stmt::Eval(value),
                }];
                out.extend(self.follow(node, "then"));
                out
            }
            Op::Attack
            | Op::MoveToward
            | Op::MoveAwayFrom
            | Op::Fortify
            | Op::CastFireball
            | Op::CastHeal => {
                let act = self.action(node, spec.op);
                let done = Slot::Stored(node, "done");
                let mut out = vec![if self.stored.contains(&done) {
                    Stmt::Set(done, act)
                } else {
                    Stmt::Eval(act)
                }];
                out.extend(self.follow(node, "then"));
                out
            }
            op if op.event().is_some() => {
                let mut out = Vec::new();
                for port in spec.outputs.iter().filter(|p| p.ty != PinType::Exec) {
                    let slot = Slot::Stored(node, port.key);
                    if !self.stored.contains(&slot) {
                        continue;
                    }
                    let routine = match port.key {
                        "tick" => Routine::EvTick,
                        "area" | "b" => Routine::EvSecond,
                        "position" => Routine::EvPos,
                        _ => Routine::EvFirst,
                    };
                    out.push(Stmt::Set(slot, Expr::Call(routine, Vec::new())));
                }
                out.extend(self.follow(node, "then"));
                out
            }
            Op::ForEachEntityNear => {
                let centre = self.input(node, "centre");
                let radius = self.input(node, "radius");
                let entity = Slot::Stored(node, "entity");
                let mut out = vec![Stmt::ForEachNear {
                    centre,
                    radius,
                    entity: self.stored.contains(&entity).then_some(entity),
                    body: self.follow(node, "body"),
                }];
                out.extend(self.follow(node, "done"));
                out
            }
            op if op.kinds() == Kinds::World && spec.is_exec() => {
                let mut out = self.world_action(node, op, spec);
                out.extend(self.follow(node, "then"));
                out
            }
            op => return Body::Data(self.data(node, op)),
        };
        Body::Exec(stmts)
    }

    /// A call of a function, as the interpreter runs it: the inputs in port order into the
    /// function's Inputs node's slots, its results emptied, its Inputs node's function run
    /// (one wasm function per function entry, shared by every call), the results copied out.
    fn call_function(&mut self, node: NodeId, spec: &'static NodeSpec) -> Vec<Stmt> {
        let (inputs, outputs) = self.w.calls.get(&node).copied().unwrap_or_default();
        let mut out = Vec::new();
        for p in spec.inputs.iter().filter(|p| p.ty != PinType::Exec) {
            let value = self.input(node, p.key);
            let slot = inputs
                .map(|i| Slot::Stored(i, p.key))
                .filter(|s| self.stored.contains(s));
            out.push(match slot {
                Some(slot) => Stmt::Set(slot, value),
                None => Stmt::Eval(value),
            });
        }
        let results: Vec<_> = spec
            .outputs
            .iter()
            .filter(|p| p.ty != PinType::Exec)
            .collect();
        if let Some(o) = outputs {
            for p in &results {
                out.push(Stmt::Set(
                    Slot::Stored(o, p.key),
                    Expr::Const(aether_lang::interp::Val::none_of(p.ty).encode()),
                ));
            }
        }
        if let Some(i) = inputs {
            self.enqueue(i);
            out.push(Stmt::Run(i));
        }
        for p in results {
            let slot = Slot::Stored(node, p.key);
            if !self.stored.contains(&slot) {
                continue;
            }
            let value = match outputs {
                Some(o) => Expr::Get(Slot::Stored(o, p.key)),
                None => Expr::Const(aether_lang::interp::Val::none_of(p.ty).encode()),
            };
            out.push(Stmt::Set(slot, value));
        }
        out.extend(self.follow(node, "then"));
        out
    }

    /// The index of `text` in the program's texts.
    fn text(&mut self, text: &str) -> Expr {
        let i = match self.texts.iter().position(|t| t == text) {
            Some(i) => i,
            None => {
                self.texts.push(text.to_owned());
                self.texts.len() - 1
            }
        };
        Expr::Text(i)
    }

    /// The test an event node makes before it runs, if any.
    fn filter(&mut self, node: NodeId, op: Op) -> Option<Expr> {
        match op {
            Op::EveryNTicks => Some(self.call(Routine::Every, node, &["n"])),
            Op::OnEntitySpawned | Op::OnMessage | Op::OnScriptMessage => {
                let key = if op == Op::OnEntitySpawned {
                    "kind"
                } else {
                    "says"
                };
                let want = self.choice(node, key);
                if want.is_empty() {
                    None
                } else {
                    let text = self.text(want);
                    Some(Expr::Call(Routine::TextIs, vec![text]))
                }
            }
            _ => None,
        }
    }

    /// A world action: the import's code kept in the node's code slot, then the outputs read
    /// from it.
    fn world_action(&mut self, node: NodeId, op: Op, spec: &'static NodeSpec) -> Vec<Stmt> {
        let call = match op {
            Op::SpawnEntity => {
                let at = self.input(node, "at");
                let kind = self.text(self.choice(node, "kind"));
                Expr::Call(Routine::Spawn, vec![kind, at])
            }
            Op::Despawn => self.call(Routine::Despawn, node, &["entity"]),
            Op::ApplyImpulse => self.call(Routine::Push, node, &["entity", "x", "y"]),
            Op::PlaySound => {
                let at = self.input(node, "at");
                let sound = self.text(self.choice(node, "sound"));
                Expr::Call(Routine::Sound, vec![sound, at])
            }
            Op::ShowText | Op::SendMessage | Op::SetObjective => {
                let to = self.input(node, "player");
                let n = self.input(node, "number");
                let text = self.text(self.choice(node, "text"));
                let r = match op {
                    Op::ShowText => Routine::Show,
                    Op::SendMessage => Routine::Send,
                    _ => Routine::Objective,
                };
                Expr::Call(r, vec![to, n, text])
            }
            Op::PlaceMarker => {
                let at = self.input(node, "at");
                let n = self.input(node, "number");
                let text = self.text(self.choice(node, "text"));
                Expr::Call(Routine::Marker, vec![at, n, text])
            }
            Op::SetVelocity => self.call(Routine::Velocity, node, &["entity", "x", "y"]),
            Op::SetHp => self.call(Routine::SetHp, node, &["entity", "hp"]),
            Op::SendToScript => {
                let n = self.input(node, "number");
                let to = self.text(self.choice(node, "script"));
                let text = self.text(self.choice(node, "text"));
                Expr::Call(Routine::SendScript, vec![n, to, text])
            }
            Op::StorageSet | Op::StorageAdd => {
                let (port, r) = if op == Op::StorageSet {
                    ("value", Routine::Store)
                } else {
                    ("amount", Routine::Add)
                };
                let v = self.input(node, port);
                let key = self.text(self.choice(node, "key"));
                Expr::Call(r, vec![v, key])
            }
            _ => Expr::Const(0),
        };
        let code = Slot::Stored(node, "code");
        self.codes.insert(code);
        let mut out = vec![Stmt::Set(code, call)];
        for port in spec.outputs.iter().filter(|p| p.ty != PinType::Exec) {
            let slot = Slot::Stored(node, port.key);
            if !self.stored.contains(&slot) {
                continue;
            }
            let get = Box::new(Expr::Get(code));
            let value = match port.key {
                "done" => Expr::Binary(BinOp::Ge, get, Box::new(Expr::Const(0))),
                "throttled" => Expr::Binary(
                    BinOp::Eq,
                    get,
                    Box::new(Expr::Const(
                        aether_world_types::CallCode::Throttled.as_i32(),
                    )),
                ),
                "entity" => Expr::Call(Routine::OrNone, vec![Expr::Get(code)]),
                "total" => Expr::Call(Routine::Last, Vec::new()),
                _ => continue,
            };
            out.push(Stmt::Set(slot, value));
        }
        out
    }

    fn action(&mut self, node: NodeId, op: Op) -> Expr {
        match op {
            Op::Attack => self.call(Routine::Attack, node, &["unit", "target"]),
            Op::MoveToward | Op::MoveAwayFrom => {
                let toward = op == Op::MoveToward;
                let unit = self.input(node, "unit");
                let goal = self.input(node, if toward { "to" } else { "from" });
                Expr::Call(
                    Routine::Move,
                    vec![unit, goal, Expr::Const(i32::from(toward))],
                )
            }
            Op::Fortify => self.call(Routine::Fortify, node, &["unit"]),
            _ => {
                let unit = self.input(node, "unit");
                let spell = Expr::Const(i32::from(op == Op::CastHeal));
                let at = self.input(node, "at");
                Expr::Call(Routine::Cast, vec![unit, spell, at])
            }
        }
    }

    fn data(&mut self, node: NodeId, op: Op) -> Expr {
        match op {
            Op::NearestEnemy => self.call(Routine::NearestEnemy, node, &["unit"]),
            Op::WeakestEnemyInRange => self.call(Routine::WeakestInRange, node, &["unit"]),
            Op::CountEnemiesNear => self.call(Routine::CountNear, node, &["tile", "within"]),
            Op::WeakestFriendNear => self.call(Routine::WeakestFriend, node, &["unit", "within"]),
            Op::InDanger => self.call(Routine::InDanger, node, &["unit"]),
            Op::BestTile => self.call(Routine::BestTile, node, &["unit", "toward"]),
            Op::UnitExists => self.call(Routine::Live, node, &["unit"]),
            Op::UnitStat(stat) => {
                let unit = self.input(node, "unit");
                let k = match stat {
                    Stat::Hp => 0,
                    Stat::MaxHp => 1,
                    Stat::Attack => 2,
                    Stat::Range => 3,
                };
                Expr::Call(Routine::Stat, vec![unit, Expr::Const(k)])
            }
            Op::UnitPosition => self.call(Routine::Position, node, &["unit"]),
            Op::KindIs => {
                let kind = UnitKind::from_name(self.choice(node, "kind"))
                    .and_then(|k| UnitKind::ALL.iter().position(|&x| x == k))
                    .map_or(-1, |i| i as i32);
                let unit = self.input(node, "unit");
                Expr::Call(Routine::KindIs, vec![unit, Expr::Const(kind)])
            }
            Op::Distance => self.call(Routine::Distance, node, &["a", "b"]),
            Op::CountUnits => Expr::Call(Routine::Count, vec![Expr::Const(self.which(node))]),
            Op::MapCentre => Expr::Call(Routine::MapCentre, Vec::new()),
            Op::Turn => Expr::Call(Routine::Turn, Vec::new()),
            Op::NearestHiddenTile => self.call(Routine::NearestHidden, node, &["unit"]),
            Op::TerrainAt => {
                let name = self.choice(node, "terrain");
                let terrain = mc_tactical_types::Terrain::ALL
                    .iter()
                    .position(|t| t.name() == name)
                    .map_or(-2, |i| i as i32);
                let p = self.input(node, "position");
                Expr::Call(Routine::TerrainIs, vec![p, Expr::Const(terrain)])
            }
            Op::NumberConst | Op::BoolConst => self.input(node, "value"),
            Op::Arith(arith) => {
                let a = self.input(node, "a");
                let b = self.input(node, "b");
                let op = match arith {
                    Arith::Add => BinOp::Add,
                    Arith::Sub => BinOp::Sub,
                    Arith::Mul => BinOp::Mul,
                    Arith::Min => BinOp::Min,
                    Arith::Max => BinOp::Max,
                    Arith::Div => return Expr::Call(Routine::Divide, vec![a, b]),
                };
                Expr::Binary(op, Box::new(a), Box::new(b))
            }
            Op::Compare => {
                let a = self.input(node, "a");
                let b = self.input(node, "b");
                let op = match self.choice(node, "op") {
                    "le" => BinOp::Le,
                    "eq" => BinOp::Eq,
                    "ne" => BinOp::Ne,
                    "ge" => BinOp::Ge,
                    "gt" => BinOp::Gt,
                    _ => BinOp::Lt,
                };
                Expr::Binary(op, Box::new(a), Box::new(b))
            }
            Op::And | Op::Or => {
                let a = self.input(node, "a");
                let b = self.input(node, "b");
                let op = if op == Op::And { BinOp::And } else { BinOp::Or };
                Expr::Binary(op, Box::new(a), Box::new(b))
            }
            Op::Not => Expr::Not(Box::new(self.input(node, "a"))),
            Op::Reroute => self.input(node, "in"),
            Op::Select => Expr::Select(Box::new([
                self.input(node, "if_true"),
                self.input(node, "if_false"),
                self.input(node, "condition"),
            ])),
            Op::RandomNumber => self.call(Routine::Random, node, &["min", "max"]),
            Op::GetVariable => self.variable(node).map_or(Expr::Const(0), Expr::Get),
            Op::TileAt => self.call(Routine::Tile, node, &["x", "y"]),
            Op::EntityPosition => self.call(Routine::EntityPosition, node, &["entity"]),
            Op::EntityExists => self.call(Routine::EntityExists, node, &["entity"]),
            Op::EntityKindIs => {
                let e = self.input(node, "entity");
                let kind = self.text(self.choice(node, "kind"));
                Expr::Call(Routine::EntityKindIs, vec![e, kind])
            }
            Op::Raycast => self.call(Routine::Raycast, node, &["from", "toward", "distance"]),
            Op::EntityIsMine => self.call(Routine::IsMine, node, &["entity"]),
            Op::EntityHp => self.call(Routine::Hp, node, &["entity"]),
            Op::StorageGet | Op::StorageHas => {
                let key = self.text(self.choice(node, "key"));
                let r = if op == Op::StorageGet {
                    Routine::StorageGet
                } else {
                    Routine::StorageHas
                };
                Expr::Call(r, vec![key])
            }
            // Execution ops are lowered by `body`.
            _ => Expr::Const(0),
        }
    }
}

impl fmt::Display for Program {
    /// A readable listing, for `compile --ir` and for reviewing what a graph became.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(entry) = self.entry {
            writeln!(f, "entry {entry}")?;
        }
        for e in &self.events {
            match &e.filter {
                Some(filter) => writeln!(
                    f,
                    "on event {} if {}: run {}",
                    e.event,
                    self.expr(filter),
                    e.node
                )?,
                None => writeln!(f, "on event {}: run {}", e.event, e.node)?,
            }
        }
        for s in &self.slots {
            writeln!(f, "global {}", self.slot_name(*s))?;
        }
        for func in &self.functions {
            match &func.body {
                Body::Exec(stmts) => {
                    writeln!(f, "\nexec {} {}:", func.node, func.name)?;
                    self.stmts(f, stmts, 1)?;
                }
                Body::Data(e) => {
                    writeln!(f, "\ndata {} {}:", func.node, func.name)?;
                    writeln!(f, "  = {}", self.expr(e))?;
                }
            }
        }
        Ok(())
    }
}

/// `e` with every typed value set to 0 (see [`Program::shape`]).
fn shape_expr(e: &Expr) -> Expr {
    match e {
        Expr::Inline(node, port, _) => Expr::Inline(*node, port, 0),
        Expr::Call(r, args) => Expr::Call(*r, args.iter().map(shape_expr).collect()),
        Expr::Binary(op, a, b) => {
            Expr::Binary(*op, Box::new(shape_expr(a)), Box::new(shape_expr(b)))
        }
        Expr::Not(a) => Expr::Not(Box::new(shape_expr(a))),
        Expr::Select(abc) => Expr::Select(Box::new([
            shape_expr(&abc[0]),
            shape_expr(&abc[1]),
            shape_expr(&abc[2]),
        ])),
        Expr::Const(_) | Expr::Get(_) | Expr::Node(_) | Expr::Text(_) => e.clone(),
    }
}

/// `stmts` with every typed value set to 0 (see [`Program::shape`]).
fn shape_stmts(stmts: &[Stmt]) -> Vec<Stmt> {
    stmts
        .iter()
        .map(|s| match s {
            Stmt::If {
                cond,
                then,
                otherwise,
            } => Stmt::If {
                cond: shape_expr(cond),
                then: shape_stmts(then),
                otherwise: shape_stmts(otherwise),
            },
            Stmt::ForEach { which, unit, body } => Stmt::ForEach {
                which: *which,
                unit: *unit,
                body: shape_stmts(body),
            },
            Stmt::ForEachNear {
                centre,
                radius,
                entity,
                body,
            } => Stmt::ForEachNear {
                centre: shape_expr(centre),
                radius: shape_expr(radius),
                entity: *entity,
                body: shape_stmts(body),
            },
            Stmt::Set(slot, e) => Stmt::Set(*slot, shape_expr(e)),
            Stmt::Eval(e) => Stmt::Eval(shape_expr(e)),
            Stmt::Run(_) => s.clone(),
        })
        .collect()
}

impl Program {
    /// The program with every typed value (`Expr::Inline`) set to 0: what it does, not the
    /// numbers it does it with. Two graphs with the same shape compile to the same code but for
    /// the constants those values become, so they have the same fuel bound (a constant costs
    /// one operator whatever its value): the preview works the bound out once per shape.
    pub fn shape(&self) -> Program {
        let mut out = self.clone();
        for f in &mut out.functions {
            f.body = match &f.body {
                Body::Exec(stmts) => Body::Exec(shape_stmts(stmts)),
                Body::Data(e) => Body::Data(shape_expr(e)),
            };
        }
        for ev in &mut out.events {
            ev.filter = ev.filter.as_ref().map(shape_expr);
        }
        out
    }

    /// A global's name as listings show it (`#4.done`, `var:target`).
    pub fn slot_name(&self, slot: Slot) -> String {
        match slot {
            Slot::Stored(node, port) => format!("{node}.{port}"),
            Slot::Variable(i) => {
                format!("var:{}", self.variables.get(i).map_or("?", String::as_str))
            }
        }
    }

    fn stmts(&self, f: &mut fmt::Formatter<'_>, stmts: &[Stmt], depth: usize) -> fmt::Result {
        let pad = "  ".repeat(depth);
        for s in stmts {
            match s {
                Stmt::Run(n) => writeln!(f, "{pad}run {n}")?,
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    writeln!(f, "{pad}if {}:", self.expr(cond))?;
                    self.stmts(f, then, depth + 1)?;
                    if !otherwise.is_empty() {
                        writeln!(f, "{pad}else:")?;
                        self.stmts(f, otherwise, depth + 1)?;
                    }
                }
                Stmt::ForEach { which, unit, body } => {
                    let into = unit.map_or(String::new(), |s| format!(" -> {}", self.slot_name(s)));
                    writeln!(f, "{pad}for each unit ({which}){into}:")?;
                    self.stmts(f, body, depth + 1)?;
                }
                Stmt::ForEachNear {
                    centre,
                    radius,
                    entity,
                    body,
                } => {
                    let into =
                        entity.map_or(String::new(), |s| format!(" -> {}", self.slot_name(s)));
                    writeln!(
                        f,
                        "{pad}for each entity within {} of {}{into}:",
                        self.expr(radius),
                        self.expr(centre)
                    )?;
                    self.stmts(f, body, depth + 1)?;
                }
                Stmt::Set(slot, e) => {
                    writeln!(f, "{pad}{} = {}", self.slot_name(*slot), self.expr(e))?
                }
                Stmt::Eval(e) => writeln!(f, "{pad}{}", self.expr(e))?,
            }
        }
        Ok(())
    }

    fn expr(&self, e: &Expr) -> String {
        match e {
            Expr::Const(n) | Expr::Inline(_, _, n) => n.to_string(),
            Expr::Get(s) => self.slot_name(*s),
            Expr::Node(n) => format!("{n}"),
            Expr::Call(r, args) => {
                let args: Vec<String> = args.iter().map(|a| self.expr(a)).collect();
                format!("{}({})", r.symbol(), args.join(", "))
            }
            Expr::Binary(op, a, b) => format!("({} {op:?} {})", self.expr(a), self.expr(b)),
            Expr::Not(a) => format!("not {}", self.expr(a)),
            Expr::Select(three) => format!(
                "select({}, {}, {})",
                self.expr(&three[0]),
                self.expr(&three[1]),
                self.expr(&three[2])
            ),
            Expr::Text(i) => format!("{:?}", self.texts.get(*i).map_or("?", String::as_str)),
        }
    }
}
