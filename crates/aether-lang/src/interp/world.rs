//! The reference interpreter for world scripts: what a world-script graph means.
//!
//! A [`WorldInterpreter`] keeps a script's variables, its execution nodes' last outputs and its
//! random-number generator from one event to the next, as a compiled module's globals do. For
//! each event, [`WorldInterpreter::handle`] runs every event node that answers it, in node-id
//! order, and calls the world through [`ImportCalls`]: the same Rust calls the compiled module's
//! `"aether"` imports make after reading its memory, so both meet the same limits, rates and
//! refusals. The trace records every host call with its answer.
//!
//! The semantics are the catalog's ("World-script semantics" in [`crate::catalog`]); the
//! compiler's world runtime (`compile/world_runtime.wat`) implements them independently and the
//! differential test (`aether-sample-world/tests/graphs.rs`) holds the two to the same calls.

use std::collections::BTreeMap;

use aether_world_types::{CallCode, Vec2, WorldEvent};
use mc_tactical_types::rules::TurnLedger;
use mc_tactical_types::{Pos, TacticalState};

use super::{CheckedGraph, NO_POSITION, Rng, Trace, TraceEvent, Val, Vm};
use crate::catalog::{NUMBER_PLACEHOLDER, Op, WORLD_SEED};
use crate::graph::NodeId;
use crate::imports::ImportCalls;
use crate::wiring::Wiring;

/// A world-script graph running: its state between events.
#[derive(Clone, Debug)]
pub struct WorldInterpreter {
    graph: CheckedGraph,
    vars: BTreeMap<String, Val>,
    stored: BTreeMap<(NodeId, &'static str), Val>,
    rng: Rng,
}

impl WorldInterpreter {
    /// A fresh run of `graph`: variables at their defaults, the generator at [`WORLD_SEED`].
    pub fn new(graph: CheckedGraph) -> Self {
        let vars = graph
            .graph()
            .variables
            .iter()
            .map(|v| (v.name.clone(), Val::default_of(v.ty)))
            .collect();
        Self {
            graph,
            vars,
            stored: BTreeMap::new(),
            rng: Rng::new(WORLD_SEED),
        }
    }

    /// The graph.
    pub fn graph(&self) -> &CheckedGraph {
        &self.graph
    }

    /// Handles one event: runs every event node that answers it, in node-id order, calling the
    /// world through `host`. Returns what ran.
    pub fn handle(&mut self, event: &WorldEvent, host: &mut dyn ImportCalls) -> Trace {
        let g = self.graph.graph();
        let mut vm = Vm {
            host: Some(host),
            event: Some(event),
            w: Wiring::new(g),
            state: TacticalState::default(),
            ledger: TurnLedger::new(0),
            slot: 0,
            rng: std::mem::replace(&mut self.rng, Rng::new(0)),
            vars: std::mem::take(&mut self.vars),
            stored: std::mem::take(&mut self.stored),
            actions: Vec::new(),
            trace: Vec::new(),
            depth: 0,
        };
        let index = event_index(event);
        for (node, spec) in vm.w.events() {
            if spec.op.event() == Some(index) && vm.answers(node, spec.op) {
                vm.run(node);
            }
        }
        self.rng = vm.rng;
        self.vars = vm.vars;
        self.stored = vm.stored;
        vm.trace
    }
}

/// The wire index of an event's variant (what the event entry nodes answer).
pub fn event_index(event: &WorldEvent) -> u8 {
    match event {
        WorldEvent::Start => 0,
        WorldEvent::Tick { .. } => 1,
        WorldEvent::Timer { .. } => 2,
        WorldEvent::EntitySpawned { .. } => 3,
        WorldEvent::EntityDestroyed { .. } => 4,
        WorldEvent::EnteredArea { .. } => 5,
        WorldEvent::Collision { .. } => 6,
        WorldEvent::Message { .. } => 7,
        WorldEvent::PlayerJoined { .. } => 8,
        WorldEvent::PlayerLeft { .. } => 9,
        WorldEvent::ScriptMessage { .. } => 10,
        // An event a newer contract added: no node answers it.
        _ => u8::MAX,
    }
}

/// The tile a world coordinate lies on: rounded down, kept within 0..=65534.
pub fn tile_of(v: f32) -> u16 {
    ((v.floor() as i32).clamp(0, 65534)) as u16
}

/// The longest entity kind Entity Kind Is reads (a longer one is never the kind typed, which
/// is at most [`crate::catalog::MAX_TEXT_BYTES`]).
pub const KIND_BYTES: usize = 256;

/// The centre of a tile, in world units.
fn centre(v: u16) -> f32 {
    f32::from(v) + 0.5
}

/// An entity id as the language holds it: ids that do not fit a Number are none.
fn entity(id: u32) -> Val {
    Val::Entity((id as i32 >= 0).then_some(id))
}

fn player(id: u32) -> Val {
    Val::Player((id as i32 >= 0).then_some(id))
}

/// Show Text's and Send Message's text with every `{number}` replaced.
pub fn fill_number(text: &str, n: i32) -> String {
    text.replace(NUMBER_PLACEHOLDER, &n.to_string())
}

impl Vm<'_, '_> {
    /// The low 32 bits of the event's tick (0 for events without one).
    fn event_tick(&self) -> u32 {
        match self.event {
            Some(WorldEvent::Tick { tick }) | Some(WorldEvent::Timer { tick, .. }) => *tick as u32,
            _ => 0,
        }
    }

    /// Whether event node `node` runs for the current event (its kind already matches).
    pub(super) fn answers(&mut self, node: NodeId, op: Op) -> bool {
        match (op, self.event) {
            (Op::EveryNTicks, _) => {
                let n = self.input(node, "n").number();
                n > 0 && self.event_tick().is_multiple_of(n as u32)
            }
            (Op::OnEntitySpawned, Some(WorldEvent::EntitySpawned { kind, .. })) => {
                let want = self.choice(node, "kind");
                want.is_empty() || want == kind
            }
            (Op::OnMessage, Some(WorldEvent::Message { body, .. }))
            | (Op::OnScriptMessage, Some(WorldEvent::ScriptMessage { body, .. })) => {
                let says = self.choice(node, "says");
                says.is_empty() || says.as_bytes() == body.as_slice()
            }
            _ => true,
        }
    }

    /// Sets an event node's outputs from the event.
    pub(super) fn store_event(&mut self, node: NodeId, op: Op) {
        let Some(event) = self.event else {
            return;
        };
        let tick = Val::Number(self.event_tick() as i32);
        match (op, event) {
            (Op::OnTick | Op::EveryNTicks, _) => self.store(node, "tick", tick),
            (Op::OnTimer, WorldEvent::Timer { timer, .. }) => {
                self.store(node, "timer", Val::Number(timer.0 as i32));
                self.store(node, "tick", tick);
            }
            (Op::OnEntitySpawned, WorldEvent::EntitySpawned { entity: e, at, .. }) => {
                self.store(node, "entity", entity(e.0));
                let p = Pos::new(tile_of(at.x), tile_of(at.y));
                self.store(node, "position", Val::Position(p));
            }
            (Op::OnEntityDestroyed, WorldEvent::EntityDestroyed { entity: e }) => {
                self.store(node, "entity", entity(e.0));
            }
            (Op::OnEnterArea, WorldEvent::EnteredArea { entity: e, area }) => {
                self.store(node, "entity", entity(e.0));
                self.store(node, "area", Val::Number(area.0 as i32));
            }
            (Op::OnCollision, WorldEvent::Collision { a, b }) => {
                self.store(node, "a", entity(a.0));
                self.store(node, "b", entity(b.0));
            }
            (Op::OnMessage, WorldEvent::Message { from, .. }) => {
                self.store(node, "player", player(from.0));
            }
            (Op::OnPlayerJoined, WorldEvent::PlayerJoined { player: p, .. })
            | (Op::OnPlayerLeft, WorldEvent::PlayerLeft { player: p }) => {
                self.store(node, "player", player(p.0));
            }
            _ => {}
        }
    }

    /// Calls the world, recording the call and its answer in the trace.
    fn host_call(
        &mut self,
        node: NodeId,
        call: String,
        f: impl FnOnce(&mut dyn ImportCalls) -> i64,
    ) -> i64 {
        let result = match self.host.as_deref_mut() {
            Some(host) => f(host),
            None => i64::from(CallCode::NotPermitted.as_i32()),
        };
        self.trace.push(TraceEvent::Called { node, call, result });
        result
    }

    /// The number stored under `key`, if a 4-byte value is.
    fn read_number(&mut self, node: NodeId, key: &str) -> Option<i32> {
        let mut value = None;
        self.host_call(node, format!("storage_read({key:?})"), |h| {
            match h.storage_read(key.as_bytes(), 4) {
                Ok(v) => {
                    let len = v.len() as i64;
                    value = <[u8; 4]>::try_from(v.as_slice())
                        .ok()
                        .map(i32::from_le_bytes);
                    len
                }
                Err(code) => i64::from(code),
            }
        });
        value
    }

    fn position_of(&mut self, node: NodeId, e: Option<u32>) -> Option<Vec2> {
        let e = e?;
        let mut at = None;
        self.host_call(node, format!("entity_position({e})"), |h| {
            match h.entity_position(e as i32) {
                Ok(v) => {
                    at = Some(v);
                    0
                }
                Err(code) => i64::from(code),
            }
        });
        at
    }

    /// A world action node: calls the world and stores Done, Throttled and its other outputs.
    pub(super) fn world_act(&mut self, node: NodeId, op: Op) {
        let code: i32 = match op {
            Op::SpawnEntity => {
                let at = self.input(node, "at").position();
                let kind = self.choice(node, "kind");
                let code = if at == NO_POSITION {
                    -1
                } else {
                    let (x, y) = (centre(at.x), centre(at.y));
                    self.host_call(node, format!("entity_spawn({kind:?}, {x}, {y})"), |h| {
                        h.entity_spawn(kind, x, y)
                    }) as i32
                };
                self.store(
                    node,
                    "entity",
                    Val::Entity((code >= 0).then_some(code as u32)),
                );
                code
            }
            Op::Despawn => match self.input(node, "entity").entity() {
                None => -2,
                Some(e) => self.host_call(node, format!("entity_destroy({e})"), |h| {
                    i64::from(h.entity_destroy(e as i32))
                }) as i32,
            },
            Op::ApplyImpulse => {
                let e = self.input(node, "entity").entity();
                let fx = self.input(node, "x").number() as f32;
                let fy = self.input(node, "y").number() as f32;
                match e {
                    None => -2,
                    Some(e) => {
                        self.host_call(node, format!("physics_apply_force({e}, {fx}, {fy})"), |h| {
                            i64::from(h.physics_apply_force(e as i32, fx, fy))
                        }) as i32
                    }
                }
            }
            Op::PlaySound => {
                let at = self.input(node, "at").position();
                let sound = self.choice(node, "sound");
                if at == NO_POSITION {
                    -1
                } else {
                    let (x, y) = (centre(at.x), centre(at.y));
                    self.host_call(node, format!("audio_play({sound:?}, {x}, {y})"), |h| {
                        i64::from(h.audio_play(sound, x, y))
                    }) as i32
                }
            }
            Op::ShowText => {
                let to = self.input(node, "player").player();
                let n = self.input(node, "number").number();
                let text = fill_number(self.choice(node, "text"), n);
                let to = to.map_or(-1, |p| p as i32);
                self.host_call(node, format!("ui_message({to}, {text:?})"), |h| {
                    i64::from(h.ui_message(to, &text))
                }) as i32
            }
            Op::SendMessage => {
                let to = self.input(node, "player").player();
                let n = self.input(node, "number").number();
                let text = fill_number(self.choice(node, "text"), n);
                match to {
                    None => self.host_call(node, format!("network_broadcast({text:?})"), |h| {
                        i64::from(h.network_broadcast(text.as_bytes()))
                    }) as i32,
                    Some(to) => self.host_call(node, format!("network_send({to}, {text:?})"), |h| {
                        i64::from(h.network_send(to as i32, text.as_bytes()))
                    }) as i32,
                }
            }
            Op::SendToScript => {
                let n = self.input(node, "number").number();
                let to = self.choice(node, "script");
                let text = fill_number(self.choice(node, "text"), n);
                self.host_call(
                    node,
                    format!("network_send_script({to:?}, {text:?})"),
                    |h| i64::from(h.network_send_script(to, text.as_bytes())),
                ) as i32
            }
            Op::StorageSet => {
                let v = self.input(node, "value").number();
                let key = self.choice(node, "key");
                self.host_call(node, format!("storage_write({key:?}, {v})"), |h| {
                    i64::from(h.storage_write(key.as_bytes(), &v.to_le_bytes()))
                }) as i32
            }
            Op::SetVelocity => {
                let e = self.input(node, "entity").entity();
                let vx = self.input(node, "x").number() as f32;
                let vy = self.input(node, "y").number() as f32;
                match e {
                    None => -2,
                    Some(e) => self.host_call(
                        node,
                        format!("physics_set_velocity({e}, {vx}, {vy})"),
                        |h| i64::from(h.physics_set_velocity(e as i32, vx, vy)),
                    ) as i32,
                }
            }
            Op::SetHp => {
                let e = self.input(node, "entity").entity();
                let hp = self.input(node, "hp").number();
                match e {
                    None => -2,
                    Some(e) => self.host_call(node, format!("entity_set_hp({e}, {hp})"), |h| {
                        i64::from(h.entity_set_hp(e as i32, hp))
                    }) as i32,
                }
            }
            Op::SetObjective => {
                let to = self.input(node, "player").player();
                let n = self.input(node, "number").number();
                let text = fill_number(self.choice(node, "text"), n);
                let to = to.map_or(-1, |p| p as i32);
                self.host_call(node, format!("ui_objective({to}, {text:?})"), |h| {
                    i64::from(h.ui_objective(to, &text))
                }) as i32
            }
            Op::PlaceMarker => {
                let at = self.input(node, "at").position();
                let n = self.input(node, "number").number();
                let text = fill_number(self.choice(node, "text"), n);
                if at == NO_POSITION {
                    -1
                } else {
                    let (x, y) = (centre(at.x), centre(at.y));
                    self.host_call(node, format!("ui_marker({x}, {y}, {text:?})"), |h| {
                        i64::from(h.ui_marker(x, y, &text))
                    }) as i32
                }
            }
            Op::StorageAdd => {
                let amount = self.input(node, "amount").number();
                let key = self.choice(node, "key");
                let old = self.read_number(node, key).unwrap_or(0);
                let new = old.wrapping_add(amount);
                let code = self.host_call(node, format!("storage_write({key:?}, {new})"), |h| {
                    i64::from(h.storage_write(key.as_bytes(), &new.to_le_bytes()))
                }) as i32;
                let total = if code >= 0 { new } else { old };
                self.store(node, "total", Val::Number(total));
                code
            }
            _ => return,
        };
        self.store(node, "done", Val::Bool(code >= 0));
        if matches!(
            op,
            Op::SpawnEntity | Op::SendMessage | Op::SendToScript | Op::StorageSet | Op::StorageAdd
        ) {
            self.store(
                node,
                "throttled",
                Val::Bool(code == CallCode::Throttled.as_i32()),
            );
        }
    }

    /// For Each Entity In Radius: asks the world for the next entity before each round.
    pub(super) fn for_each_near(&mut self, node: NodeId) {
        let centre_tile = self.input(node, "centre").position();
        let radius = self.input(node, "radius").number() as f32;
        if centre_tile != NO_POSITION {
            let (x, y) = (centre(centre_tile.x), centre(centre_tile.y));
            let mut after: i32 = -1;
            loop {
                let next = self.host_call(
                    node,
                    format!("entity_next_near({x}, {y}, {radius}, {after})"),
                    |h| h.entity_next_near(x, y, radius, after),
                ) as i32;
                if next < 0 {
                    break;
                }
                self.store(node, "entity", Val::Entity(Some(next as u32)));
                self.follow(node, "body");
                after = next;
            }
        }
        self.follow(node, "done");
    }

    /// A world data node's value.
    pub(super) fn world_pure(&mut self, node: NodeId, op: Op) -> Val {
        match op {
            Op::TileAt => {
                let x = self.input(node, "x").number().clamp(0, 65534) as u16;
                let y = self.input(node, "y").number().clamp(0, 65534) as u16;
                Val::Position(Pos::new(x, y))
            }
            Op::EntityPosition => {
                let e = self.input(node, "entity").entity();
                Val::Position(
                    self.position_of(node, e)
                        .map_or(NO_POSITION, |v| Pos::new(tile_of(v.x), tile_of(v.y))),
                )
            }
            Op::EntityExists => {
                let e = self.input(node, "entity").entity();
                Val::Bool(self.position_of(node, e).is_some())
            }
            Op::StorageGet => {
                let key = self.choice(node, "key");
                Val::Number(self.read_number(node, key).unwrap_or(0))
            }
            Op::StorageHas => {
                let key = self.choice(node, "key");
                Val::Bool(self.read_number(node, key).is_some())
            }
            Op::EntityIsMine => {
                let Some(e) = self.input(node, "entity").entity() else {
                    return Val::Bool(false);
                };
                let r = self.host_call(node, format!("entity_is_mine({e})"), |h| {
                    i64::from(h.entity_is_mine(e as i32))
                });
                Val::Bool(r == 1)
            }
            Op::EntityHp => {
                let Some(e) = self.input(node, "entity").entity() else {
                    return Val::Number(0);
                };
                let r = self.host_call(node, format!("entity_hp({e})"), |h| {
                    i64::from(h.entity_hp(e as i32))
                }) as i32;
                Val::Number(r.max(0))
            }
            Op::EntityKindIs => {
                let Some(e) = self.input(node, "entity").entity() else {
                    return Val::Bool(false);
                };
                let want = self.choice(node, "kind");
                let mut is = false;
                self.host_call(node, format!("entity_kind({e})"), |h| {
                    match h.entity_kind(e as i32, KIND_BYTES) {
                        Ok(k) => {
                            is = k == want.as_bytes();
                            k.len() as i64
                        }
                        Err(code) => i64::from(code),
                    }
                });
                Val::Bool(is)
            }
            Op::Raycast => {
                let from = self.input(node, "from").position();
                let toward = self.input(node, "toward").position();
                let distance = self.input(node, "distance").number() as f32;
                if from == NO_POSITION || toward == NO_POSITION {
                    return Val::Entity(None);
                }
                let (x, y) = (centre(from.x), centre(from.y));
                let (dx, dy) = (centre(toward.x) - x, centre(toward.y) - y);
                let hit = self.host_call(
                    node,
                    format!("physics_raycast({x}, {y}, {dx}, {dy}, {distance})"),
                    |h| h.physics_raycast(x, y, dx, dy, distance),
                ) as i32;
                Val::Entity((hit >= 0).then_some(hit as u32))
            }
            _ => Val::Number(0),
        }
    }
}
