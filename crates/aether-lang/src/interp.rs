//! The reference interpreter: the definition of what a graph means.
//!
//! [`interpret`] runs a checked graph on `(view, slot, seed)` in plain Rust and returns the actions
//! it proposes and a [`Trace`] of every node run and every port value computed. A compiled module
//! must reply with exactly `postcard(actions)` for the same inputs; the differential test holds
//! the compiler to that.
//!
//! The rules of evaluation (see also the catalog's module documentation):
//!
//! 1. Execution starts at On Turn and follows execution wires; an unconnected execution output
//!    ends that path. Sequence runs First, Second, Third in order.
//! 2. For Each Unit takes a snapshot of the matching unit ids, sorted ascending, and runs Each Unit
//!    once per id whose unit is still alive at that moment; then it runs Done.
//! 3. A data input takes the value of its wire, or else the node's inline value, or else the
//!    catalog default. Pure nodes are evaluated each time a value is needed, inputs in port order
//!    (And and Or evaluate both inputs: there is no short-circuit).
//! 4. Outputs of nodes with execution pins hold the value of their last run (the loop's current
//!    unit, an action's Done); the checker guarantees they are read only after that.
//! 5. Variables start each turn at 0, false, none or (0, 0) by type (a Position variable starts
//!    on a tile; only queries that found nothing give the position *none*).
//! 6. An action is applied to the script's working copy of its view with
//!    [`rules::apply`](mc_tactical_types::rules::apply); if the rules accept it, it is appended to
//!    the reply and Done is true; otherwise nothing is sent and Done is false.
//! 7. Random Number draws from [`Rng`] seeded with the turn's seed.

use std::collections::BTreeMap;
use std::fmt;

use mc_tactical_types::rules::{self, StateProblem, TurnLedger};
use mc_tactical_types::{Action, Pos, Spell, TacticalState, Terrain, Unit, UnitKind};

use aether_world_types::WorldEvent;

use crate::catalog::{Arith, Kinds, Op, PinType, Stat};
use crate::imports::ImportCalls;

pub mod world;
use crate::check::{self, Diagnostic};
use crate::graph::{NodeId, PortRef, VisualScriptGraph};
use crate::wiring::Wiring;

pub use crate::value::{NO_POSITION, Val};

/// A graph the checker found free of errors; only such a graph can be interpreted or compiled.
#[derive(Clone, Debug)]
pub struct CheckedGraph {
    graph: VisualScriptGraph,
    warnings: Vec<Diagnostic>,
}

impl CheckedGraph {
    /// Checks `graph`; `Err` holds every diagnostic when there is at least one error.
    pub fn new(graph: VisualScriptGraph) -> Result<CheckedGraph, Vec<Diagnostic>> {
        let diagnostics = check::check(&graph);
        if check::has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        Ok(CheckedGraph {
            graph,
            warnings: diagnostics,
        })
    }

    /// The graph.
    pub fn graph(&self) -> &VisualScriptGraph {
        &self.graph
    }

    /// The warnings the checker gave.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }
}

/// The graph language's random numbers: SplitMix64 seeded with the turn's seed.
///
/// `next_u64`: `state += 0x9E3779B97F4A7C15; z = state; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
/// z = (z ^ (z >> 27)) * 0x94D049BB133111EB; return z ^ (z >> 31)` (wrapping arithmetic).
/// A Random Number from `min` to `max` (swapped if `max < min`) is
/// `lo + (next_u64() % (hi - lo + 1))`, computed in 64 bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number from `a` to `b` inclusive (in either order).
    pub fn between(&mut self, a: i32, b: i32) -> i32 {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let span = (i64::from(hi) - i64::from(lo) + 1) as u64;
        (i64::from(lo) + (self.next_u64() % span) as i64) as i32
    }
}

/// One step of a run, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceEvent {
    /// A node with execution pins ran.
    Ran(NodeId),
    /// A port got a value (outputs as computed, inputs as read).
    Value(PortRef, Val),
    /// An action node sent this action (the rules accepted it on the working copy).
    Sent(NodeId, Action),
    /// An action node worked out this action but the rules refused it on the working copy, so
    /// it was not sent (the node's Done is false).
    Refused(NodeId, Action, mc_tactical_types::rules::Rejection),
    /// A world script's node called the world (`entity_spawn("crate", 3.5, 2.5)`) and got
    /// `result` (an id, 0, or a negative refusal code).
    Called {
        /// The node.
        node: NodeId,
        /// The import and its arguments, readable.
        call: String,
        /// What the import returned.
        result: i64,
    },
}

/// Everything a run did, for debugging and per-node display.
pub type Trace = Vec<TraceEvent>;

/// What a run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// The reply: the actions sent, in order.
    pub actions: Vec<Action>,
    /// Every node run and port value, in order.
    pub trace: Trace,
}

impl Run {
    /// The query nodes that found nothing during the run, with how many times: Nearest Enemy and
    /// Weakest Enemy In Range giving *none*, Unit Position and Nearest Hidden Tile giving the
    /// position *none*. The preview marks them, so a creator sees which query came back empty
    /// (no enemy in sight) when a move did nothing.
    pub fn found_nothing(&self, graph: &CheckedGraph) -> BTreeMap<NodeId, u32> {
        let mut out = BTreeMap::new();
        for e in &self.trace {
            let TraceEvent::Value(port, v) = e else {
                continue;
            };
            let Some(spec) = graph
                .graph
                .node(port.node)
                .and_then(|n| crate::catalog::spec(&n.kind))
            else {
                continue;
            };
            let empty = match (spec.op, v) {
                (
                    Op::NearestEnemy | Op::WeakestEnemyInRange | Op::WeakestFriendNear,
                    Val::Unit(None),
                ) => true,
                (Op::UnitPosition | Op::NearestHiddenTile, Val::Position(p)) => *p == NO_POSITION,
                _ => false,
            };
            // Outputs only: an input of the same node reading none is the producer's business.
            if empty && spec.output(&port.port).is_some() {
                *out.entry(port.node).or_insert(0) += 1;
            }
        }
        out
    }
}

/// Evaluation nested deeper than this many nodes stops (a defined result, not a stack overflow):
/// the remaining values are taken as their defaults. The compiler uses the same limit.
pub const MAX_DEPTH: usize = 512;

/// Why raw state bytes are refused, with the code a compiled module's `decide_turn` returns for
/// the same bytes (`compile/runtime.wat`): the interpreter's side of the contract on input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputRefusal {
    /// -1: not a postcard `TacticalState`, bytes left over, a tile count that is not width ×
    /// height, a unit off the map, or two units with one id.
    Malformed(String),
    /// -4: the state's schema is not the one this language was built for.
    Schema(u16),
}

impl InputRefusal {
    /// The code a compiled module returns for these bytes.
    pub fn code(&self) -> i32 {
        match self {
            InputRefusal::Malformed(_) => -1,
            InputRefusal::Schema(_) => -4,
        }
    }
}

impl fmt::Display for InputRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputRefusal::Malformed(why) => write!(f, "malformed state: {why}"),
            InputRefusal::Schema(v) => write!(
                f,
                "the state's schema is {v}, not {}",
                mc_tactical_types::SCHEMA_VERSION
            ),
        }
    }
}

/// Reads state bytes as a compiled module does: the schema first (a wrong one is
/// [`InputRefusal::Schema`] whatever follows), then the whole state with nothing left over, then
/// what the module must refuse to stay defined: a tile count that is not width × height, a unit
/// off the map, two units with one id.
pub fn decode_state(bytes: &[u8]) -> Result<TacticalState, InputRefusal> {
    let (schema, _) = postcard::take_from_bytes::<u16>(bytes)
        .map_err(|e| InputRefusal::Malformed(format!("no schema version: {e}")))?;
    if schema != mc_tactical_types::SCHEMA_VERSION {
        return Err(InputRefusal::Schema(schema));
    }
    let (state, rest) = postcard::take_from_bytes::<TacticalState>(bytes)
        .map_err(|e| InputRefusal::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(InputRefusal::Malformed(format!(
            "{} bytes left over after the state",
            rest.len()
        )));
    }
    // The checks a compiled module makes to stay defined (its decoder's, documented in
    // `runtime.wat`); other inconsistencies (two units on a tile, hp above max…) are played as
    // they are, by both.
    let fatal = rules::check_state(&state).into_iter().find(|p| {
        matches!(
            p,
            StateProblem::TileCount { .. }
                | StateProblem::OffMap { .. }
                | StateProblem::DuplicateId { .. }
        )
    });
    if let Some(problem) = fatal {
        return Err(InputRefusal::Malformed(problem.to_string()));
    }
    Ok(state)
}

/// [`interpret`] on state bytes, refusing what a compiled module refuses, with the same code.
pub fn interpret_bytes(
    graph: &CheckedGraph,
    bytes: &[u8],
    slot: u8,
    seed: u64,
) -> Result<Run, InputRefusal> {
    decode_state(bytes).map(|view| interpret(graph, &view, slot, seed))
}

/// Runs `graph` for `slot` on `view` (the state as the player sees it) with `seed`.
pub fn interpret(graph: &CheckedGraph, view: &TacticalState, slot: u8, seed: u64) -> Run {
    let g = &graph.graph;
    let mut vm = Vm {
        host: None,
        event: None,
        w: Wiring::new(g),
        state: view.clone(),
        ledger: TurnLedger::new(slot),
        slot,
        rng: Rng::new(seed),
        vars: g
            .variables
            .iter()
            .map(|v| (v.name.clone(), Val::default_of(v.ty)))
            .collect(),
        stored: BTreeMap::new(),
        actions: Vec::new(),
        trace: Vec::new(),
        depth: 0,
    };
    if let Some(entry) = vm.w.entry() {
        vm.run(entry);
    }
    Run {
        actions: vm.actions,
        trace: vm.trace,
    }
}

struct Vm<'g, 'h> {
    /// A world script's calls into the world (none for an AI controller).
    host: Option<&'h mut dyn ImportCalls>,
    /// The event a world script is handling.
    event: Option<&'h WorldEvent>,
    w: Wiring<'g>,
    state: TacticalState,
    ledger: TurnLedger,
    slot: u8,
    rng: Rng,
    vars: BTreeMap<String, Val>,
    /// Outputs of execution nodes: their last run's values.
    stored: BTreeMap<(NodeId, &'static str), Val>,
    actions: Vec<Action>,
    trace: Trace,
    depth: usize,
}

impl<'g> Vm<'g, '_> {
    fn setting(&self, node: NodeId, key: &str) -> Option<&'g str> {
        self.w.setting(node, key)
    }

    fn choice(&self, node: NodeId, key: &str) -> &'g str {
        self.w.choice(node, key)
    }

    /// Follows the execution wire leaving `port` of `node`, if any.
    fn follow(&mut self, node: NodeId, port: &'static str) {
        if let Some(&next) = self.w.exec_next.get(&(node, port)) {
            self.run(next);
        }
    }

    fn run(&mut self, node: NodeId) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        let Some(spec) = self.w.specs.get(&node).copied() else {
            return;
        };
        self.depth += 1;
        self.trace.push(TraceEvent::Ran(node));
        match spec.op {
            Op::OnTurn => self.follow(node, "then"),
            Op::Branch => {
                let c = self.input(node, "condition").boolean();
                self.follow(node, if c { "true" } else { "false" });
            }
            Op::Sequence => {
                for port in ["first", "second", "third"] {
                    self.follow(node, port);
                }
            }
            Op::RerouteExec | Op::FunctionInputs => self.follow(node, "then"),
            Op::CallFunction => self.call_function(node, spec),
            Op::FunctionOutputs => {
                for p in spec.inputs.iter().filter(|p| p.ty != PinType::Exec) {
                    let v = self.input(node, p.key);
                    self.stored.insert((node, p.key), v);
                }
            }
            Op::ForEachUnit => {
                let mut ids: Vec<u32> = self
                    .state
                    .units
                    .iter()
                    .filter(|u| which(self.choice(node, "which"), u, self.slot))
                    .map(|u| u.id)
                    .collect();
                ids.sort_unstable();
                for id in ids {
                    if self.state.unit(id).is_none() {
                        continue;
                    }
                    self.store(node, "unit", Val::Unit(Some(id)));
                    self.follow(node, "body");
                }
                self.follow(node, "done");
            }
            Op::SetVariable => {
                let v = self.input(node, "value");
                if let Some(name) = self.setting(node, "variable").map(str::to_owned) {
                    self.vars.insert(name, v);
                }
                self.follow(node, "then");
            }
            Op::Attack
            | Op::MoveToward
            | Op::MoveAwayFrom
            | Op::Fortify
            | Op::CastFireball
            | Op::CastHeal => {
                let done = self.act(node, spec.op);
                self.store(node, "done", Val::Bool(done));
                self.follow(node, "then");
            }
            op if op.event().is_some() => {
                self.store_event(node, op);
                self.follow(node, "then");
            }
            Op::ForEachEntityNear => self.for_each_near(node),
            op if op.kinds() == Kinds::World => {
                self.world_act(node, op);
                self.follow(node, "then");
            }
            _ => {}
        }
        self.depth -= 1;
    }

    /// Runs a call of a function: the inputs in port order, kept on the function's Inputs
    /// node; its results emptied; the function from its Inputs node to its end; the results
    /// its Outputs node kept last on the call's outputs; then Then.
    fn call_function(&mut self, node: NodeId, spec: &'static crate::catalog::NodeSpec) {
        let (inputs, outputs) = self.w.calls.get(&node).copied().unwrap_or_default();
        let mut args = Vec::new();
        for p in spec.inputs.iter().filter(|p| p.ty != PinType::Exec) {
            args.push((p.key, self.input(node, p.key)));
        }
        let results: Vec<_> = spec
            .outputs
            .iter()
            .filter(|p| p.ty != PinType::Exec)
            .collect();
        if let Some(o) = outputs {
            for p in &results {
                self.stored.insert((o, p.key), Val::none_of(p.ty));
            }
        }
        if let Some(i) = inputs {
            for (key, v) in args {
                self.store(i, key, v);
            }
            self.run(i);
        }
        for p in results {
            let v = outputs
                .and_then(|o| self.stored.get(&(o, p.key)).copied())
                .unwrap_or(Val::none_of(p.ty));
            self.store(node, p.key, v);
        }
        self.follow(node, "then");
    }

    fn store(&mut self, node: NodeId, port: &'static str, v: Val) {
        self.trace
            .push(TraceEvent::Value(PortRef::new(node, port), v));
        self.stored.insert((node, port), v);
    }

    /// Works out and applies an action node's action; true if the rules accepted it.
    fn act(&mut self, node: NodeId, op: Op) -> bool {
        let unit = self.input(node, "unit").unit();
        let action = match op {
            Op::Attack => {
                let target = self.input(node, "target").unit();
                unit.zip(target)
                    .map(|(unit, target)| Action::Attack { unit, target })
            }
            Op::MoveToward | Op::MoveAwayFrom => {
                let key = if op == Op::MoveToward { "to" } else { "from" };
                let goal = self.input(node, key).position();
                unit.filter(|_| goal != NO_POSITION)
                    .and_then(|id| self.state.unit(id).cloned())
                    .and_then(|u| step(&self.state, &u, goal, op == Op::MoveToward))
                    .zip(unit)
                    .map(|(to, unit)| Action::Move { unit, to })
            }
            Op::Fortify => unit.map(|unit| Action::Fortify { unit }),
            Op::CastFireball | Op::CastHeal => {
                let at = self.input(node, "at").position();
                let spell = if op == Op::CastFireball {
                    Spell::Fireball
                } else {
                    Spell::Heal
                };
                unit.map(|unit| Action::Cast { unit, spell, at })
            }
            _ => None,
        };
        let Some(action) = action else {
            return false;
        };
        match rules::apply(&mut self.state, &mut self.ledger, &action) {
            Ok(_) => {
                self.actions.push(action);
                self.trace.push(TraceEvent::Sent(node, action));
                true
            }
            Err(why) => {
                self.trace.push(TraceEvent::Refused(node, action, why));
                false
            }
        }
    }

    /// The value arriving at input `port` of `node`.
    fn input(&mut self, node: NodeId, port: &'static str) -> Val {
        let v = match self.w.wire_into.get(&(node, port)).copied() {
            Some((from, out)) => self.output(from, out),
            None => self.w.inline(node, port),
        };
        self.trace
            .push(TraceEvent::Value(PortRef::new(node, port), v));
        v
    }

    /// The value of output `port`: stored for execution nodes, computed for pure nodes.
    fn output(&mut self, node: NodeId, port: &'static str) -> Val {
        let Some(spec) = self.w.specs.get(&node).copied() else {
            return Val::Number(0);
        };
        if spec.is_exec() {
            return self
                .stored
                .get(&(node, port))
                .copied()
                .unwrap_or(Val::Bool(false));
        }
        if self.depth >= MAX_DEPTH {
            return Val::Number(0);
        }
        self.depth += 1;
        let v = self.pure(node, spec.op);
        self.depth -= 1;
        self.trace
            .push(TraceEvent::Value(PortRef::new(node, port), v));
        v
    }

    fn unit_of(&mut self, node: NodeId) -> Option<Unit> {
        let id = self.input(node, "unit").unit()?;
        self.state.unit(id).cloned()
    }

    fn pure(&mut self, node: NodeId, op: Op) -> Val {
        match op {
            Op::NearestEnemy => {
                let Some(u) = self.unit_of(node) else {
                    return Val::Unit(None);
                };
                Val::Unit(
                    self.state
                        .units
                        .iter()
                        .filter(|e| e.owner != u.owner)
                        .min_by_key(|e| (u.pos.distance(e.pos), e.id))
                        .map(|e| e.id),
                )
            }
            Op::WeakestEnemyInRange => {
                let Some(u) = self.unit_of(node) else {
                    return Val::Unit(None);
                };
                Val::Unit(
                    self.state
                        .units
                        .iter()
                        .filter(|e| {
                            e.owner != u.owner && u.pos.distance(e.pos) <= u32::from(u.range)
                        })
                        .min_by_key(|e| (e.hp, e.id))
                        .map(|e| e.id),
                )
            }
            Op::CountEnemiesNear => {
                let tile = self.input(node, "tile").position();
                let within = self.input(node, "within").number();
                if tile == NO_POSITION || within < 0 {
                    return Val::Number(0);
                }
                let slot = self.slot;
                Val::Number(
                    self.state
                        .units
                        .iter()
                        .filter(|e| e.owner != slot && tile.distance(e.pos) <= within as u32)
                        .count() as i32,
                )
            }
            Op::WeakestFriendNear => {
                // Inputs in port order, both always (a Random Number behind either draws).
                let u = self.unit_of(node);
                let within = self.input(node, "within").number();
                let Some(u) = u.filter(|_| within >= 0) else {
                    return Val::Unit(None);
                };
                Val::Unit(
                    self.state
                        .units
                        .iter()
                        .filter(|f| {
                            f.owner == u.owner
                                && f.id != u.id
                                && u.pos.distance(f.pos) <= within as u32
                        })
                        .min_by_key(|f| (f.hp, f.id))
                        .map(|f| f.id),
                )
            }
            Op::InDanger => {
                let Some(u) = self.unit_of(node) else {
                    return Val::Bool(false);
                };
                Val::Bool(self.state.units.iter().any(|e| {
                    e.owner != u.owner
                        && u.pos.distance(e.pos) <= u32::from(e.moves) + u32::from(e.range)
                }))
            }
            Op::BestTile => {
                // Inputs in port order, both always.
                let u = self.unit_of(node);
                let toward = self.input(node, "toward").position();
                let Some(u) = u else {
                    return Val::Position(NO_POSITION);
                };
                let reach = u32::from(u.moves);
                let (w, h) = (
                    u32::from(self.state.map.width),
                    u32::from(self.state.map.height),
                );
                let (x0, y0) = (u32::from(u.pos.x), u32::from(u.pos.y));
                let mut best: Option<(u16, u32, Pos)> = None;
                for y in y0.saturating_sub(reach)..=(y0 + reach).min(h.saturating_sub(1)) {
                    for x in x0.saturating_sub(reach)..=(x0 + reach).min(w.saturating_sub(1)) {
                        let t = Pos::new(x as u16, y as u16);
                        let Some(terrain) = self.state.map.get(t) else {
                            continue;
                        };
                        if u.pos.distance(t) > reach
                            || !terrain.is_passable()
                            || self.state.units.iter().any(|o| o.pos == t && o.id != u.id)
                        {
                            continue;
                        }
                        let score = terrain.defense_bonus();
                        let far = if toward == NO_POSITION {
                            0
                        } else {
                            t.distance(toward)
                        };
                        // Rows then columns: the first of equals stays.
                        if best.is_none_or(|(s, d, _)| score > s || (score == s && far < d)) {
                            best = Some((score, far, t));
                        }
                    }
                }
                Val::Position(best.map_or(NO_POSITION, |b| b.2))
            }
            Op::UnitExists => Val::Bool(self.unit_of(node).is_some()),
            Op::UnitStat(stat) => Val::Number(self.unit_of(node).map_or(0, |u| match stat {
                Stat::Hp => i32::from(u.hp),
                Stat::MaxHp => i32::from(u.max_hp),
                Stat::Attack => i32::from(u.attack),
                Stat::Range => i32::from(u.range),
            })),
            Op::UnitPosition => Val::Position(self.unit_of(node).map_or(NO_POSITION, |u| u.pos)),
            Op::KindIs => {
                let kind = UnitKind::from_name(self.choice(node, "kind"));
                Val::Bool(self.unit_of(node).is_some_and(|u| Some(u.kind) == kind))
            }
            Op::Distance => {
                let a = self.input(node, "a").position();
                let b = self.input(node, "b").position();
                Val::Number(a.distance(b) as i32)
            }
            Op::CountUnits => {
                let w = self.choice(node, "which").to_owned();
                Val::Number(
                    self.state
                        .units
                        .iter()
                        .filter(|u| which(&w, u, self.slot))
                        .count() as i32,
                )
            }
            Op::Turn => Val::Number(self.state.turn as i32),
            Op::MapCentre => Val::Position(Pos::new(
                self.state.map.width / 2,
                self.state.map.height / 2,
            )),
            Op::NearestHiddenTile => {
                let Some(u) = self.unit_of(node) else {
                    return Val::Position(NO_POSITION);
                };
                Val::Position(nearest_hidden(&self.state, &u, self.slot))
            }
            Op::TerrainAt => {
                let p = self.input(node, "position").position();
                let want = terrain(self.choice(node, "terrain"));
                Val::Bool(self.state.map.get(p).is_some_and(|t| Some(t) == want))
            }
            Op::NumberConst | Op::BoolConst => self.input(node, "value"),
            Op::Arith(arith) => {
                let a = self.input(node, "a").number();
                let b = self.input(node, "b").number();
                Val::Number(match arith {
                    Arith::Add => a.wrapping_add(b),
                    Arith::Sub => a.wrapping_sub(b),
                    Arith::Mul => a.wrapping_mul(b),
                    Arith::Div if b == 0 => 0,
                    Arith::Div => a.wrapping_div(b),
                    Arith::Min => a.min(b),
                    Arith::Max => a.max(b),
                })
            }
            Op::Compare => {
                let a = self.input(node, "a").number();
                let b = self.input(node, "b").number();
                Val::Bool(match self.choice(node, "op") {
                    "le" => a <= b,
                    "eq" => a == b,
                    "ne" => a != b,
                    "ge" => a >= b,
                    "gt" => a > b,
                    _ => a < b,
                })
            }
            Op::And | Op::Or => {
                let a = self.input(node, "a").boolean();
                let b = self.input(node, "b").boolean();
                Val::Bool(if op == Op::And { a && b } else { a || b })
            }
            Op::Not => Val::Bool(!self.input(node, "a").boolean()),
            Op::Reroute => self.input(node, "in"),
            Op::Select => {
                // Both values first, in port order, as the compiled code works them out.
                let yes = self.input(node, "if_true");
                let no = self.input(node, "if_false");
                if self.input(node, "condition").boolean() {
                    yes
                } else {
                    no
                }
            }
            Op::RandomNumber => {
                let lo = self.input(node, "min").number();
                let hi = self.input(node, "max").number();
                Val::Number(self.rng.between(lo, hi))
            }
            Op::GetVariable => self
                .setting(node, "variable")
                .and_then(|name| self.vars.get(name))
                .copied()
                .unwrap_or(Val::Number(0)),
            op if op.kinds() == Kinds::World => self.world_pure(node, op),
            _ => Val::Number(0),
        }
    }
}

/// The passable tile nearest to `u` outside the sight of every unit of `slot` (ties: north-most,
/// then west-most); `u`'s own tile if there is none.
pub fn nearest_hidden(state: &TacticalState, u: &Unit, slot: u8) -> Pos {
    let map = &state.map;
    let (w, h) = (i32::from(map.width), i32::from(map.height));
    // What the player sees, marked once: each of its units' sight diamonds.
    let mut seen = vec![false; map.expected_len()];
    for v in state.units_of(slot) {
        let r = i32::from(v.sight);
        let (vx, vy) = (i32::from(v.pos.x), i32::from(v.pos.y));
        for y in (vy - r).max(0)..=(vy + r).min(h - 1) {
            let reach = r - (y - vy).abs();
            for x in (vx - reach).max(0)..=(vx + reach).min(w - 1) {
                seen[(y * w + x) as usize] = true;
            }
        }
    }
    let mut best: Option<(u32, u16, u16)> = None;
    for y in 0..map.height {
        for x in 0..map.width {
            let p = Pos::new(x, y);
            let hidden = map
                .index(p)
                .is_some_and(|i| !seen[i] && map.tiles[i].is_passable());
            let key = (u.pos.distance(p), y, x);
            if hidden && best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
    }
    best.map_or(u.pos, |(_, y, x)| Pos::new(x, y))
}

/// Whether unit `u` matches a For Each / Count setting for `slot`.
fn which(setting: &str, u: &Unit, slot: u8) -> bool {
    match setting {
        "enemies" => u.owner != slot,
        "all" => true,
        _ => u.owner == slot,
    }
}

fn terrain(name: &str) -> Option<Terrain> {
    Terrain::ALL.into_iter().find(|t| t.name() == name)
}

/// Move Toward / Move Away From: the reachable tile that best serves the goal, if it is better
/// than standing still. Toward: least distance to `goal`, then least move cost, then north-most,
/// then west-most. Away: greatest distance, then the same tie-breaks.
pub fn step(state: &TacticalState, unit: &Unit, goal: Pos, toward: bool) -> Option<Pos> {
    let here = unit.pos.distance(goal);
    let key = |d: u32| if toward { i64::from(d) } else { -i64::from(d) };
    rules::reachable(state, unit)
        .into_iter()
        .filter(|&(p, _)| {
            let d = p.distance(goal);
            if toward { d < here } else { d > here }
        })
        .min_by_key(|&(p, cost)| (key(p.distance(goal)), cost, p.y, p.x))
        .map(|(p, _)| p)
}
