//! World-script graphs, compiled and interpreted, in real sample worlds: the differential test.
//!
//! Each graph runs twice, in two copies of the same scene: once compiled to WebAssembly and run
//! by the world runtime (wasmtime, the `"aether"` imports, the script's limits), once by the
//! reference interpreter calling the same imports' Rust side. A recorder between each script and
//! its world writes down every call the world receives with its answer; tick for tick, the two
//! copies must receive the same events, the same calls with the same arguments in the same
//! order, give the same answers, count the same refusals, and end with the same world hash.
//! Templates and random graphs (from fixed seeds) are both held to it.

use std::cell::RefCell;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use aether_compile::{CompilationProfile, VisualScriptCompiler};
use aether_host::world::{ScriptRuntime, world_engine};
use aether_lang::catalog::{self, Choices, PinType, PortDefault};
use aether_lang::check::check;
use aether_lang::graph::{
    NodeId, PortRef, ScriptKind, Value, VarType, Variable, VisualScriptGraph,
};
use aether_lang::interp::world::WorldInterpreter;
use aether_lang::interp::{CheckedGraph, Rng};
use aether_sample_world::{SampleWorld, Scene, Storage};
use aether_world::{
    AudioApi, EntityApi, NetworkApi, PhysicsApi, SchedulerPolicy, ScriptCalls, ScriptId,
    ScriptResourceLimits, SharedWorld, SliceEnd, StorageApi, UIApi,
};
use aether_world_types::{CallCode, EntityId, PlayerId, Vec2, WorldEvent};

#[path = "../../../examples/make_templates.rs"]
#[allow(dead_code)]
mod make_templates;

/// A sample world that writes down every call it receives, with its answer.
struct Recorder {
    world: SampleWorld,
    log: RefCell<Vec<String>>,
}

impl Recorder {
    fn note<T: std::fmt::Debug>(&self, call: String, answer: T) -> T {
        self.log.borrow_mut().push(format!("{call} -> {answer:?}"));
        answer
    }
}

impl EntityApi for Recorder {
    fn spawn_entity(&mut self, s: ScriptId, kind: &str, at: Vec2) -> Result<EntityId, CallCode> {
        let r = self.world.spawn_entity(s, kind, at);
        self.note(format!("spawn {kind:?} {at:?}"), r)
    }
    fn destroy_entity(&mut self, s: ScriptId, e: EntityId) -> Result<(), CallCode> {
        let r = self.world.destroy_entity(s, e);
        self.note(format!("destroy {e:?}"), r)
    }
    fn entity_position(&self, s: ScriptId, e: EntityId) -> Result<Vec2, CallCode> {
        let r = self.world.entity_position(s, e);
        self.note(format!("position {e:?}"), r)
    }
    fn entity_is_mine(&self, s: ScriptId, e: EntityId) -> Result<bool, CallCode> {
        let r = self.world.entity_is_mine(s, e);
        self.note(format!("mine {e:?}"), r)
    }
    fn entity_hp(&self, s: ScriptId, e: EntityId) -> Result<i32, CallCode> {
        let r = self.world.entity_hp(s, e);
        self.note(format!("hp {e:?}"), r)
    }
    fn set_entity_hp(&mut self, s: ScriptId, e: EntityId, hp: i32) -> Result<(), CallCode> {
        let r = self.world.set_entity_hp(s, e, hp);
        self.note(format!("sethp {e:?} {hp}"), r)
    }
    fn entity_kind(&self, s: ScriptId, e: EntityId) -> Result<String, CallCode> {
        let r = self.world.entity_kind(s, e);
        self.note(format!("kind {e:?}"), r)
    }
    fn entity_next_near(
        &self,
        s: ScriptId,
        at: Vec2,
        radius: f32,
        after: Option<EntityId>,
    ) -> Result<Option<EntityId>, CallCode> {
        let r = self.world.entity_next_near(s, at, radius, after);
        self.note(format!("near {at:?} {radius} {after:?}"), r)
    }
}

impl PhysicsApi for Recorder {
    fn apply_force(&mut self, s: ScriptId, e: EntityId, force: Vec2) -> Result<(), CallCode> {
        let r = self.world.apply_force(s, e, force);
        self.note(format!("force {e:?} {force:?}"), r)
    }
    fn set_velocity(&mut self, s: ScriptId, e: EntityId, v: Vec2) -> Result<(), CallCode> {
        let r = self.world.set_velocity(s, e, v);
        self.note(format!("velocity {e:?} {v:?}"), r)
    }
    fn raycast(
        &self,
        s: ScriptId,
        from: Vec2,
        dir: Vec2,
        max: f32,
    ) -> Result<Option<EntityId>, CallCode> {
        let r = self.world.raycast(s, from, dir, max);
        self.note(format!("ray {from:?} {dir:?} {max}"), r)
    }
}

impl AudioApi for Recorder {
    fn play_sound(&mut self, s: ScriptId, sound: &str, at: Vec2) -> Result<(), CallCode> {
        let r = self.world.play_sound(s, sound, at);
        self.note(format!("sound {sound:?} {at:?}"), r)
    }
}

impl NetworkApi for Recorder {
    fn send_rpc(&mut self, s: ScriptId, to: PlayerId, body: &[u8]) -> Result<(), CallCode> {
        let r = self.world.send_rpc(s, to, body);
        self.note(
            format!("send {to:?} {:?}", String::from_utf8_lossy(body)),
            r,
        )
    }
    fn broadcast_rpc(&mut self, s: ScriptId, body: &[u8]) -> Result<(), CallCode> {
        let r = self.world.broadcast_rpc(s, body);
        self.note(format!("broadcast {:?}", String::from_utf8_lossy(body)), r)
    }
    fn send_to_script(&mut self, s: ScriptId, to: &str, body: &[u8]) -> Result<(), CallCode> {
        let r = self.world.send_to_script(s, to, body);
        self.note(
            format!("tellscript {to:?} {:?}", String::from_utf8_lossy(body)),
            r,
        )
    }
}

impl StorageApi for Recorder {
    fn storage_read(&self, s: ScriptId, key: &[u8]) -> Result<Option<Vec<u8>>, CallCode> {
        let r = self.world.storage_read(s, key);
        self.note(format!("read {key:?}"), r)
    }
    fn storage_write(&mut self, s: ScriptId, key: &[u8], value: &[u8]) -> Result<(), CallCode> {
        let r = self.world.storage_write(s, key, value);
        self.note(format!("write {key:?} {value:?}"), r)
    }
    fn storage_used(&self, s: ScriptId) -> u64 {
        self.world.storage_used(s)
    }
}

impl aether_world::WorldApi for Recorder {}

impl UIApi for Recorder {
    fn show_message(
        &mut self,
        s: ScriptId,
        to: Option<PlayerId>,
        text: &str,
    ) -> Result<(), CallCode> {
        let r = self.world.show_message(s, to, text);
        self.note(format!("show {to:?} {text:?}"), r)
    }
    fn set_objective(
        &mut self,
        s: ScriptId,
        to: Option<PlayerId>,
        text: &str,
    ) -> Result<(), CallCode> {
        let r = self.world.set_objective(s, to, text);
        self.note(format!("objective {to:?} {text:?}"), r)
    }
    fn place_marker(&mut self, s: ScriptId, at: Vec2, text: &str) -> Result<(), CallCode> {
        let r = self.world.place_marker(s, at, text);
        self.note(format!("marker {at:?} {text:?}"), r)
    }
}

fn scene(name: &str) -> Scene {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../assets/worlds/{name}.json"));
    Scene::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

const SCRIPT: ScriptId = ScriptId(1);

/// One copy of the world, with its recorder.
struct Copy {
    world: Arc<Mutex<Recorder>>,
}

impl Copy {
    fn new(scene: &Scene, name: &str) -> (Copy, SharedWorld) {
        let mut world = SampleWorld::new(scene, Storage::in_memory().unwrap());
        world.attach_storage(SCRIPT, name).unwrap();
        let world = Arc::new(Mutex::new(Recorder {
            world,
            log: RefCell::new(Vec::new()),
        }));
        let shared: SharedWorld = world.clone();
        (Copy { world }, shared)
    }

    fn lock(&self) -> MutexGuard<'_, Recorder> {
        self.world.lock().unwrap()
    }

    /// The tick's events: everyone's, then the messages addressed to the script.
    fn begin(&self) -> Vec<WorldEvent> {
        let mut w = self.lock();
        let mut events = w.world.begin_tick();
        events.extend(
            w.world
                .take_script_messages()
                .into_iter()
                .filter(|(to, _)| *to == SCRIPT)
                .map(|(_, e)| e),
        );
        events
    }

    /// Ends the tick; the calls it received and the world hash.
    fn end(&self) -> (Vec<String>, u64) {
        let mut w = self.lock();
        w.world.end_tick().unwrap();
        (w.log.take(), w.world.hash())
    }
}

/// What one side saw in a tick: events, calls with answers, refusals, hash.
type TickSeen = (Vec<WorldEvent>, Vec<String>, Vec<(String, u32)>, u64);

/// Runs `graph` compiled and interpreted in two copies of `scene` for `ticks`; panics at the
/// first tick where they differ, or when the compiled script faults. Returns how many calls of
/// each kind the world received (`spawn`, `near`, `ray`…).
fn differential(
    graph: &VisualScriptGraph,
    scene: &Scene,
    ticks: u64,
) -> std::collections::BTreeMap<String, usize> {
    let checked = CheckedGraph::new(graph.clone()).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(|d| d.render(graph))
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let artifact =
        VisualScriptCompiler::compile_checked(&checked, CompilationProfile::Debug).unwrap();
    let limits = ScriptResourceLimits::default();
    let (compiled_world, shared) = Copy::new(scene, &graph.name);
    let mut script = ScriptRuntime::load(
        &world_engine().unwrap(),
        &artifact.wasm_bytes,
        SCRIPT,
        shared,
        &limits,
        &SchedulerPolicy::default(),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", graph.name));
    let (interp_world, shared) = Copy::new(scene, &graph.name);
    let mut calls = ScriptCalls::new(SCRIPT, shared, &limits);
    let mut interp = WorldInterpreter::new(checked);
    let mut total = std::collections::BTreeMap::new();
    for tick in 0..ticks {
        let compiled: TickSeen = {
            let events = compiled_world.begin();
            script.begin_tick();
            for e in &events {
                script.deliver(e);
            }
            let mut refused = Vec::new();
            while script.has_work() {
                let slice = script.run_slice();
                if let SliceEnd::Fault(why) = slice.end {
                    panic!("{} faulted at tick {tick}: {why}", graph.name);
                }
                refused.extend(slice.refused);
            }
            let (log, hash) = compiled_world.end();
            (events, log, merge(refused), hash)
        };
        let interpreted: TickSeen = {
            let events = interp_world.begin();
            calls.tick();
            for e in &events {
                interp.handle(e, &mut calls);
            }
            let refused = calls.take_refused();
            let (log, hash) = interp_world.end();
            (events, log, merge(refused), hash)
        };
        for call in &compiled.1 {
            let word = call.split(' ').next().unwrap_or_default().to_owned();
            *total.entry(word).or_insert(0) += 1;
        }
        assert_eq!(
            compiled,
            interpreted,
            "{}: compiled (left) and interpreted (right) differ at tick {tick}\n{}",
            graph.name,
            graph.to_json()
        );
    }
    total
}

fn merge(refused: Vec<(String, u32)>) -> Vec<(String, u32)> {
    let mut out: std::collections::BTreeMap<String, u32> = Default::default();
    for (k, n) in refused {
        *out.entry(k).or_default() += n;
    }
    out.into_iter().collect()
}

#[test]
fn every_world_template_makes_the_same_calls_compiled_and_interpreted() {
    for (file, graph) in make_templates::world_templates() {
        for name in ["village", "arena"] {
            let calls: usize = differential(&graph, &scene(name), 240).values().sum();
            // Each template does something in each scene (the scoreboard and the announcer
            // react to players and areas, which the village has; the bumper to collisions).
            let home = if file.starts_with("bumper") {
                "arena"
            } else {
                "village"
            };
            if name == home {
                assert!(calls > 0, "{file} did nothing in {name}");
            }
        }
    }
}

#[test]
fn the_wave_spawner_is_throttled_when_it_spawns_too_fast() {
    let (_, mut graph) = make_templates::world_templates()
        .into_iter()
        .find(|(f, _)| f.starts_with("wave"))
        .unwrap();
    // Every tick instead of every 60: 20 spawns a second against a limit of 10.
    let every = graph
        .nodes()
        .find(|n| n.kind == "every_n_ticks")
        .unwrap()
        .id;
    graph.set_value(every, "n", Value::Number(1));
    let checked = CheckedGraph::new(graph.clone()).unwrap();
    let (copy, shared) = Copy::new(&scene("village"), &graph.name);
    let mut calls = ScriptCalls::new(SCRIPT, shared, &ScriptResourceLimits::default());
    let mut interp = WorldInterpreter::new(checked);
    let mut throttled = 0;
    for _ in 0..40 {
        let events = copy.begin();
        calls.tick();
        for e in &events {
            interp.handle(e, &mut calls);
        }
        throttled += calls
            .take_refused()
            .iter()
            .filter(|(k, _)| k.starts_with("entity_spawn: throttled"))
            .map(|(_, n)| n)
            .sum::<u32>();
        copy.end();
    }
    assert!(throttled > 0, "spawning every tick was never throttled");
    differential(&graph, &scene("village"), 60);
}

// ---------------------------------------------------------------- random world graphs

const TEXTS: [&str; 6] = [
    "crate",
    "ball",
    "hi",
    "score {number}",
    "{number}{number}",
    "",
];
const KEYS: [&str; 3] = ["a", "b", "score"];
const VARS: [(&str, VarType); 3] = [
    ("n", VarType::Number),
    ("flag", VarType::Bool),
    ("spot", VarType::Position),
];

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.between(0, items.len() as i32 - 1) as usize]
}

fn chance(rng: &mut Rng, percent: i32) -> bool {
    rng.between(1, 100) <= percent
}

/// Builds a random world-script graph the checker accepts: a few event nodes, each starting a
/// chain of world actions, branches and variable writes, whose inputs come from the event's
/// outputs, earlier actions' outputs on the same chain, pure nodes or constants.
struct Gen<'r> {
    rng: &'r mut Rng,
    g: VisualScriptGraph,
}

impl Gen<'_> {
    fn node(&mut self, kind: &str) -> NodeId {
        let n = self.g.nodes().count() as f32;
        let id = self.g.add_node(kind, [n * 40.0, 0.0]);
        let spec = catalog::spec(kind).unwrap();
        for s in spec.settings {
            let v = match s.choices {
                Choices::Text(_) => Some(if s.key == "key" {
                    pick(self.rng, &KEYS).to_string()
                } else {
                    pick(self.rng, &TEXTS).to_string()
                }),
                Choices::List(list) => Some(pick(self.rng, list).0.to_owned()),
                Choices::Variable => None,
            };
            if let Some(v) = v {
                self.g.set_value(id, s.key, Value::Choice(v));
            }
        }
        id
    }

    fn link(&mut self, from: NodeId, out: &str, to: NodeId, input: &str) {
        self.g
            .connect(PortRef::new(from, out), PortRef::new(to, input));
    }

    /// A value of type `ty` for input `input` of `to`: an available output, a pure node, or
    /// (when the input allows) its constant.
    fn fill(
        &mut self,
        to: NodeId,
        input: &catalog::PortSpec,
        avail: &[(NodeId, &'static str, PinType)],
        depth: u32,
    ) {
        let ty = input.ty;
        let candidates: Vec<_> = avail.iter().filter(|a| a.2 == ty).copied().collect();
        // Entities mostly come from the event or an earlier action (a ray mostly meets none).
        let take = if ty == PinType::Entity { 85 } else { 50 };
        if !candidates.is_empty() && chance(self.rng, take) {
            let (n, p, _) = *pick(self.rng, &candidates);
            self.link(n, p, to, input.key);
            return;
        }
        let optional = input.default != PortDefault::Required;
        if optional && (depth >= 3 || chance(self.rng, 40)) {
            if let PortDefault::Number(_) = input.default {
                let n = *pick(
                    self.rng,
                    &[0, 1, 2, 3, -1, 7, 20, 100, -3000, 5000, i32::MAX],
                );
                self.g.set_value(to, input.key, Value::Number(n));
            } else if let PortDefault::Bool(_) = input.default {
                let b = chance(self.rng, 50);
                self.g.set_value(to, input.key, Value::Bool(b));
            }
            return;
        }
        let kinds: &[&str] = match ty {
            PinType::Number if depth < 3 => &[
                "number",
                "entity_hp",
                "add",
                "subtract",
                "multiply",
                "divide",
                "min",
                "max",
                "random_number",
                "storage_get",
                "select",
                "reroute",
                "get_variable",
            ],
            PinType::Number => &["number", "storage_get", "random_number"],
            PinType::Bool if depth < 3 => &[
                "bool",
                "compare",
                "and",
                "or",
                "not",
                "entity_exists",
                "entity_kind_is",
                "entity_kind_is",
                "entity_is_mine",
                "entity_is_mine",
                "entity_is_mine",
                "storage_has",
                "select",
                "get_variable",
            ],
            PinType::Bool => &["bool", "storage_has"],
            PinType::Position if depth < 3 => {
                &["tile_at", "entity_position", "select", "get_variable"]
            }
            PinType::Position => &["tile_at", "entity_position", "get_variable"],
            PinType::Entity if depth < 3 => &["raycast", "select", "reroute"],
            _ => &[],
        };
        // An entity or player must come from an available output (or stay none, where that
        // is allowed).
        let kinds: Vec<&str> = kinds
            .iter()
            .copied()
            .filter(|k| match *k {
                "entity_exists" | "entity_position" | "entity_kind_is" | "entity_is_mine"
                | "entity_hp" => avail.iter().any(|a| a.2 == PinType::Entity),
                _ => true,
            })
            .collect();
        if kinds.is_empty() {
            if !candidates.is_empty() {
                let (n, p, _) = *pick(self.rng, &candidates);
                self.link(n, p, to, input.key);
            }
            return;
        }
        let kind = *pick(self.rng, &kinds);
        let id = self.node(kind);
        if kind == "get_variable" {
            let var = VARS.iter().find(|(_, t)| var_pin(*t) == ty).unwrap().0;
            self.g.set_value(id, "variable", Value::Choice(var.into()));
        }
        if kind == "select" || kind == "reroute" {
            let (key, _, _) = catalog::TYPE_CHOICES
                .iter()
                .find(|(_, _, t)| *t == ty)
                .unwrap();
            self.g.set_value(id, "type", Value::Choice((*key).into()));
        }
        let spec = catalog::spec(kind).unwrap();
        for i in spec.inputs {
            // Select's values are of the type it was set to.
            let i = &catalog::PortSpec {
                ty: if i.ty == PinType::Chosen { ty } else { i.ty },
                ..*i
            };
            self.fill(id, i, avail, depth + 1);
        }
        self.link(id, spec.outputs[0].key, to, input.key);
    }

    /// A chain of execution nodes from `from.port`, `len` long.
    fn chain(
        &mut self,
        mut from: (NodeId, &'static str),
        mut avail: Vec<(NodeId, &'static str, PinType)>,
        len: u32,
    ) {
        let has_entity =
            |a: &[(NodeId, &'static str, PinType)]| a.iter().any(|x| x.2 == PinType::Entity);
        for _ in 0..len {
            let mut kinds = vec![
                "spawn_entity",
                "play_sound",
                "show_text",
                "storage_set",
                "storage_add",
                "set_variable",
                "branch",
                "sequence",
                "reroute_exec",
                "set_objective",
                "place_marker",
                "for_each_entity_near",
                "send_to_script",
                "send_message",
            ];
            if has_entity(&avail) {
                kinds.extend([
                    "despawn",
                    "apply_impulse",
                    "apply_impulse",
                    "set_velocity",
                    "set_hp",
                ]);
            }
            let kind = *pick(self.rng, &kinds);
            let id = self.node(kind);
            self.link(from.0, from.1, id, "exec");
            if kind == "send_to_script" {
                // Mostly to itself (so On Script Message fires), now and then to nobody.
                let to = if chance(self.rng, 80) {
                    self.g.name.clone()
                } else {
                    "nobody".to_owned()
                };
                self.g.set_value(id, "script", Value::Choice(to));
            }
            if kind == "set_variable" {
                let (var, _) = *pick(self.rng, &VARS);
                self.g.set_value(id, "variable", Value::Choice(var.into()));
            }
            let spec = catalog::spec(kind).unwrap();
            for input in spec.inputs {
                let input = if input.ty == PinType::OfVariable {
                    let var = match self.g.node(id).unwrap().values.get("variable") {
                        Some(Value::Choice(v)) => v.clone(),
                        _ => continue,
                    };
                    let ty = VARS.iter().find(|(n, _)| *n == var).unwrap().1;
                    &catalog::PortSpec {
                        ty: var_pin(ty),
                        ..*input
                    }
                } else {
                    input
                };
                if input.ty != PinType::Exec {
                    self.fill(id, input, &avail, 0);
                }
            }
            for out in spec.outputs.iter().filter(|p| p.ty != PinType::Exec) {
                avail.push((id, out.key, out.ty));
            }
            from = match kind {
                "branch" => {
                    if chance(self.rng, 50) {
                        let side = self.node("show_text");
                        self.link(id, "false", side, "exec");
                    }
                    (id, "true")
                }
                "sequence" => {
                    let first = self.node("storage_add");
                    self.link(id, "first", first, "exec");
                    (id, "second")
                }
                // The loop's body: an action on each entity found, then on from Done (where
                // the loop's Entity no longer exists).
                "for_each_entity_near" => {
                    let kind = if chance(self.rng, 50) {
                        "apply_impulse"
                    } else {
                        "set_velocity"
                    };
                    let push = self.node(kind);
                    self.link(id, "body", push, "exec");
                    self.link(id, "entity", push, "entity");
                    avail.retain(|a| a.0 != id);
                    (id, "done")
                }
                _ => (id, "then"),
            };
        }
    }
}

fn var_pin(t: VarType) -> PinType {
    match t {
        VarType::Number => PinType::Number,
        VarType::Bool => PinType::Bool,
        VarType::Unit => PinType::Unit,
        VarType::Position => PinType::Position,
    }
}

fn random_world_graph(rng: &mut Rng, index: usize) -> VisualScriptGraph {
    let mut g = VisualScriptGraph::new_world_script();
    g.name = format!("random-{index}");
    for (name, ty) in VARS {
        g.variables.push(Variable {
            name: name.into(),
            ty,
        });
    }
    let mut builder = Gen { rng, g };
    let events = [
        "on_start",
        "on_tick",
        "every_n_ticks",
        "on_timer",
        "on_entity_spawned",
        "on_entity_destroyed",
        "on_enter_area",
        "on_collision",
        "on_message",
        "on_player_joined",
        "on_player_left",
        "on_script_message",
    ];
    let count = builder.rng.between(1, 4);
    for _ in 0..count {
        let kind = *pick(builder.rng, &events);
        let id = builder.node(kind);
        let spec = catalog::spec(kind).unwrap();
        if kind == "every_n_ticks" {
            let n = *pick(builder.rng, &[1, 2, 3, 5, 0, -4]);
            builder.g.set_value(id, "n", Value::Number(n));
        }
        if kind == "on_entity_spawned" && chance(builder.rng, 50) {
            builder
                .g
                .set_value(id, "kind", Value::Choice(String::new()));
        }
        let avail: Vec<_> = spec
            .outputs
            .iter()
            .filter(|p| p.ty != PinType::Exec)
            .map(|p| (id, p.key, p.ty))
            .collect();
        let len = builder.rng.between(1, 5) as u32;
        builder.chain((id, "then"), avail, len);
    }
    builder.g
}

/// One graph with every world node, so every import is held to the interpreter whatever the
/// random graphs happen to use: every 5 ticks it spawns a crate and does everything to it.
fn every_world_node() -> VisualScriptGraph {
    let mut g = VisualScriptGraph::new_world_script();
    g.name = "kitchen-sink".into();
    let mut n = |kind: &str| g.add_node(kind, [0.0, 0.0]);
    let every = n("every_n_ticks");
    let (tile, far, spawn) = (n("tile_at"), n("tile_at"), n("spawn_entity"));
    let (set_hp, push, velocity) = (n("set_hp"), n("apply_impulse"), n("set_velocity"));
    let (branch, and, kind_is, mine) = (
        n("branch"),
        n("and"),
        n("entity_kind_is"),
        n("entity_is_mine"),
    );
    let (show, hp) = (n("show_text"), n("entity_hp"));
    let (near, heal) = (n("for_each_entity_near"), n("set_hp"));
    let (sound, position) = (n("play_sound"), n("entity_position"));
    let (broadcast, tell, objective, marker) = (
        n("send_message"),
        n("send_to_script"),
        n("set_objective"),
        n("place_marker"),
    );
    let (add, set, get, has) = (
        n("storage_add"),
        n("storage_set"),
        n("storage_get"),
        n("storage_has"),
    );
    let (ray, exists, shown) = (n("raycast"), n("entity_exists"), n("show_text"));
    let (despawn, branch2, or) = (n("despawn"), n("branch"), n("or"));
    let (told, reply) = (n("on_script_message"), n("show_text"));
    let (joined, hello) = (n("on_player_joined"), n("send_message"));
    let values = [
        (every, "n", Value::Number(5)),
        (tile, "x", Value::Number(3)),
        (tile, "y", Value::Number(3)),
        (far, "x", Value::Number(9)),
        (far, "y", Value::Number(3)),
        (set_hp, "hp", Value::Number(5)),
        (push, "x", Value::Number(100)),
        (velocity, "x", Value::Number(1)),
        (near, "radius", Value::Number(2)),
        (heal, "hp", Value::Number(7)),
        (tell, "script", Value::Choice("kitchen-sink".into())),
    ];
    for (node, key, v) in values {
        g.set_value(node, key, v);
    }
    let wires = [
        ((every, "then"), (spawn, "exec")),
        ((tile, "position"), (spawn, "at")),
        ((spawn, "then"), (set_hp, "exec")),
        ((spawn, "entity"), (set_hp, "entity")),
        ((set_hp, "then"), (push, "exec")),
        ((spawn, "entity"), (push, "entity")),
        ((push, "then"), (velocity, "exec")),
        ((spawn, "entity"), (velocity, "entity")),
        ((velocity, "then"), (branch, "exec")),
        ((spawn, "entity"), (kind_is, "entity")),
        ((spawn, "entity"), (mine, "entity")),
        ((kind_is, "value"), (and, "a")),
        ((mine, "value"), (and, "b")),
        ((and, "result"), (branch, "condition")),
        ((branch, "true"), (show, "exec")),
        ((spawn, "entity"), (hp, "entity")),
        ((hp, "value"), (show, "number")),
        ((show, "then"), (near, "exec")),
        ((tile, "position"), (near, "centre")),
        ((near, "body"), (heal, "exec")),
        ((near, "entity"), (heal, "entity")),
        ((near, "done"), (sound, "exec")),
        ((spawn, "entity"), (position, "entity")),
        ((position, "position"), (sound, "at")),
        ((sound, "then"), (broadcast, "exec")),
        ((broadcast, "then"), (tell, "exec")),
        ((tell, "then"), (objective, "exec")),
        ((objective, "then"), (marker, "exec")),
        ((tile, "position"), (marker, "at")),
        ((marker, "then"), (add, "exec")),
        ((add, "then"), (set, "exec")),
        ((get, "value"), (set, "value")),
        ((set, "then"), (branch2, "exec")),
        ((branch2, "true"), (shown, "exec")),
        ((branch2, "false"), (despawn, "exec")),
        ((or, "result"), (branch2, "condition")),
        ((has, "value"), (or, "b")),
        ((tile, "position"), (ray, "from")),
        ((far, "position"), (ray, "toward")),
        ((ray, "entity"), (exists, "entity")),
        ((exists, "value"), (or, "a")),
        ((shown, "then"), (despawn, "exec")),
        ((spawn, "entity"), (despawn, "entity")),
        ((told, "then"), (reply, "exec")),
        ((joined, "then"), (hello, "exec")),
        ((joined, "player"), (hello, "player")),
    ];
    for ((a, ap), (b, bp)) in wires {
        g.connect(PortRef::new(a, ap), PortRef::new(b, bp));
    }
    g
}

#[test]
fn a_graph_with_every_world_node_makes_the_same_calls_compiled_and_interpreted() {
    let graph = every_world_node();
    let mut calls: std::collections::BTreeMap<String, usize> = Default::default();
    for name in ["village", "arena"] {
        for (k, n) in differential(&graph, &scene(name), 120) {
            *calls.entry(k).or_insert(0) += n;
        }
    }
    for word in [
        "spawn",
        "destroy",
        "position",
        "kind",
        "mine",
        "hp",
        "sethp",
        "near",
        "force",
        "velocity",
        "ray",
        "sound",
        "broadcast",
        "tellscript",
        "send",
        "read",
        "write",
        "show",
        "objective",
        "marker",
    ] {
        assert!(calls.contains_key(word), "no {word} call: {calls:?}");
    }
}

#[test]
fn random_world_graphs_make_the_same_calls_compiled_and_interpreted() {
    let mut rng = Rng::new(0x5EED_0014);
    let scenes = [scene("village"), scene("arena")];
    let mut calls: std::collections::BTreeMap<String, usize> = Default::default();
    for i in 0..120 {
        let graph = random_world_graph(&mut rng, i);
        assert_eq!(graph.kind, ScriptKind::WorldScript);
        let problems: Vec<String> = check(&graph)
            .iter()
            .filter(|d| d.severity == aether_lang::check::Severity::Error)
            .map(|d| d.render(&graph))
            .collect();
        assert!(
            problems.is_empty(),
            "graph {i}:\n{}\n{}",
            problems.join("\n"),
            graph.to_json()
        );
        for (k, n) in differential(&graph, &scenes[i % 2], 80) {
            *calls.entry(k).or_insert(0) += n;
        }
    }
    // The graphs really call the world, thousands of times, through most imports (the graph
    // with every node covers the rest for sure).
    let total: usize = calls.values().sum();
    assert!(total > 2_000, "only {total} calls: {calls:?}");
    assert!(calls.len() >= 14, "few kinds of calls: {calls:?}");
}

#[test]
fn an_edited_graph_replaces_its_script_while_the_world_goes_on() {
    let (_, graph) = make_templates::world_templates()
        .into_iter()
        .find(|(f, _)| f.starts_with("wave"))
        .unwrap();
    let spec = |g: &VisualScriptGraph| aether_sample_world::ScriptSpec {
        label: "the edited graph".into(),
        bytes: VisualScriptCompiler::compile(g).unwrap().wasm_bytes,
        priority: 10,
        request: Default::default(),
        identity: None,
    };
    let village = scene("village");
    let mut run = aether_sample_world::WorldRun::new(
        &village,
        vec![spec(&graph)],
        Storage::in_memory().unwrap(),
    )
    .unwrap();
    let id = run.scripts().last().unwrap().id;
    for _ in 0..70 {
        run.tick().unwrap();
    }
    let entities_before = run.world().entities().len();
    let tick_before = run.world().tick();
    // The creator changes the announcement; the world keeps its tick, entities and the other
    // scripts, and the next wave is announced with the new words, counting on from storage.
    let mut edited = graph.clone();
    let tell = edited.nodes().find(|n| n.kind == "show_text").unwrap().id;
    edited.set_value(tell, "text", Value::Choice("Round {number}, fight!".into()));
    run.replace_script(id, spec(&edited)).unwrap();
    assert_eq!(run.world().tick(), tick_before);
    assert_eq!(run.world().entities().len(), entities_before);
    let mut said = Vec::new();
    for _ in 0..60 {
        let r = run.tick().unwrap();
        said.extend(
            r.log
                .messages
                .iter()
                .filter(|m| m.0 == id)
                .map(|m| m.2.clone()),
        );
    }
    assert_eq!(said, ["Round 3, fight!"], "{said:?}");
    // A broken replacement is refused and the old script keeps running.
    let bytes = VisualScriptCompiler::compile(&graph).unwrap().wasm_bytes;
    let refused = run.replace_script(
        id,
        aether_sample_world::ScriptSpec {
            bytes: bytes[..bytes.len() / 2].to_vec(),
            ..spec(&edited)
        },
    );
    assert!(refused.is_err());
    assert_eq!(run.scripts().last().unwrap().name, "wave-spawner");
}

/// Runs `graph` compiled in `scene` for `ticks` with its journal on, playing the journal back
/// through the interpreter tick by tick (the debugger's trace of world scripts): every event
/// must replay call for call (no parting). Returns the traces and the entities the world says
/// the script spawned.
fn journal_replay(
    graph: &VisualScriptGraph,
    scene: &Scene,
    ticks: u32,
) -> (Vec<aether_debug::journal::EventTrace>, Vec<u32>) {
    use aether_debug::journal::JournalReplay;
    let artifact = VisualScriptCompiler::compile(graph).unwrap();
    let spec = aether_sample_world::ScriptSpec {
        label: "the graph".into(),
        bytes: artifact.wasm_bytes.clone(),
        priority: 10,
        request: Default::default(),
        identity: None,
    };
    let mut run =
        aether_sample_world::WorldRun::new(scene, vec![spec], Storage::in_memory().unwrap())
            .unwrap_or_else(|e| panic!("{e}"));
    let id = run.scripts().last().unwrap().id;
    run.set_journal(id, true);
    let mut replay = JournalReplay::with_fuel(CheckedGraph::new(graph.clone()).unwrap(), &artifact);
    let mut out = Vec::new();
    let mut spawned = Vec::new();
    for _ in 0..ticks {
        let report = run.tick().unwrap();
        let tick = report.tick;
        spawned.extend(
            report
                .log
                .spawned
                .iter()
                .filter(|s| s.3 == id)
                .map(|s| s.0.0),
        );
        let events = replay.feed(tick, run.take_journal(id));
        for e in &events {
            assert_eq!(
                e.parted,
                None,
                "tick {tick}, {:?}: the replay parted from the module\n{}",
                e.event,
                graph.to_json()
            );
            if e.fault.is_some() {
                continue;
            }
            // Fuel per node: the twin's count is the host's, and the parts add up to it.
            match &e.profile {
                Some(Ok(p)) => {
                    assert_eq!(p.total, e.fuel, "tick {tick}, {:?}", e.event);
                    assert_eq!(p.nodes.values().sum::<u64>() + p.runtime, e.fuel);
                }
                other => panic!(
                    "tick {tick}, {:?}: no fuel per node: {other:?}\n{}",
                    e.event,
                    graph.to_json()
                ),
            }
        }
        out.extend(events);
    }
    (out, spawned)
}

/// The world scripts' debugger trace: a template's real run, written down as it ran and played
/// back through the interpreter, replays every event call for call, and its values are the
/// world's (the entities Spawn Entity gave are the entities the world made for the script).
#[test]
fn a_journal_played_back_gives_each_events_values_as_they_really_were() {
    use aether_lang::interp::{TraceEvent, Val};
    for (file, graph) in make_templates::world_templates() {
        for name in ["village", "arena"] {
            let (traces, _) = journal_replay(&graph, &scene(name), 160);
            assert!(!traces.is_empty(), "{file} in {name}: no events");
            let ran = traces
                .iter()
                .filter(|t| t.trace.iter().any(|e| matches!(e, TraceEvent::Ran(_))))
                .count();
            assert!(ran > 0, "{file} in {name}: nothing ran");
        }
    }
    // The wave spawner's Spawn Entity: the ids in the trace are entities of the world.
    let (_, graph) = make_templates::world_templates()
        .into_iter()
        .find(|(f, _)| f.starts_with("wave"))
        .unwrap();
    let spawn = graph.nodes().find(|n| n.kind == "spawn_entity").unwrap().id;
    let (traces, world_spawned) = journal_replay(&graph, &scene("village"), 160);
    let spawned: Vec<u32> = traces
        .iter()
        .flat_map(|t| t.trace.iter())
        .filter_map(|e| match e {
            TraceEvent::Value(p, Val::Entity(Some(id)))
                if p.node == spawn && p.port == "entity" =>
            {
                Some(*id)
            }
            _ => None,
        })
        .collect();
    assert!(spawned.len() >= 3, "spawned {spawned:?}");
    assert_eq!(
        spawned, world_spawned,
        "the entities the world made for the script"
    );
    let calls: Vec<i64> = traces
        .iter()
        .flat_map(|t| t.trace.iter())
        .filter_map(|e| match e {
            TraceEvent::Called { node, result, .. } if *node == spawn && *result > 0 => {
                Some(*result)
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        spawned.iter().map(|i| i64::from(*i)).collect::<Vec<_>>(),
        calls,
        "the values are the world's answers"
    );
}

/// Random graphs, too: every event of every graph replays from its journal call for call.
#[test]
fn random_world_graphs_replay_from_their_journals() {
    let mut rng = Rng::new(0x5EED_0017);
    let scenes = [scene("village"), scene("arena")];
    let mut events = 0;
    for i in 0..40 {
        let graph = random_world_graph(&mut rng, i);
        events += journal_replay(&graph, &scenes[i % 2], 60).0.len();
    }
    assert!(events > 1_000, "only {events} events");
}

/// World scripts with functions: random world graphs with part of an event's flow made into a
/// function (and that function called a second time, where it fits) make the same calls compiled
/// and interpreted; made without the second call, they make the same calls as before.
#[test]
fn random_world_graphs_with_functions_make_the_same_calls() {
    use aether_lang::catalog::{self, Op};
    use aether_lang::make_function::make_function;
    let mut rng = Rng::new(0x5EED_F0F0);
    let scenes = [scene("village"), scene("arena")];
    let mut made = 0;
    for i in 0..40 {
        let graph = random_world_graph(&mut rng, i);
        let candidates: Vec<_> = graph
            .nodes()
            .filter(|n| {
                catalog::spec(&n.kind).is_some_and(|s| {
                    s.is_exec()
                        && !s.op.is_entry()
                        && !matches!(s.op, Op::FunctionInputs | Op::FunctionOutputs)
                })
            })
            .map(|n| n.id)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let first = *pick(&mut rng, &candidates);
        // The node and everything execution reaches from it.
        let mut selection = vec![first];
        let mut k = 0;
        while k < selection.len() {
            let n = selection[k];
            for l in graph.links().filter(|l| l.from.node == n) {
                let exec = catalog::spec(&graph.node(n).unwrap().kind)
                    .and_then(|s| s.output(&l.from.port))
                    .is_some_and(|p| p.ty == PinType::Exec);
                if exec && !selection.contains(&l.to.node) {
                    selection.push(l.to.node);
                }
            }
            k += 1;
        }
        let mut with = graph.clone();
        if make_function(&mut with, &selection, "Part").is_err() {
            continue;
        }
        made += 1;
        let scene = &scenes[i % 2];
        assert_eq!(
            differential(&graph, scene, 40),
            differential(&with, scene, 40),
            "graph {i}: the function changed what the script does\n{}",
            with.to_json()
        );
    }
    assert!(made >= 15, "only {made} functions made");
}

/// Subscriptions (contract 2.1): a compiled graph's module lists the events its event nodes
/// answer, and the world delivers it those alone; a module that lists none (contract 2.0)
/// still receives every event.
#[test]
fn a_graph_receives_only_the_events_it_answers_and_an_old_script_all() {
    use aether_world_types::{EventMask, WorldEvent};
    // The physics bumper answers collisions alone; the arena has them, and other events.
    let graph = make_templates::world_templates()
        .into_iter()
        .find(|(file, _)| file.starts_with("bumper"))
        .map(|(_, g)| g)
        .unwrap();
    let artifact = VisualScriptCompiler::compile(&graph).unwrap();
    let answers: Vec<u8> = graph
        .nodes()
        .filter_map(|n| aether_lang::catalog::spec(&n.kind).and_then(|s| s.op.event()))
        .collect();
    let mask = answers.iter().fold(EventMask::NONE, |m, &e| m.with(e));
    assert_eq!(
        aether_host::world::events_of(&artifact.wasm_bytes).unwrap(),
        mask
    );
    let old = wat::parse_str(
        r#"(module
             (memory (export "memory") 1)
             (global (export "__ident_ptr") i32 (i32.const 16))
             (global (export "__ident_len") i32 (i32.const 20))
             (data (i32.const 16) "\20\00\00\00") (data (i32.const 20) "\09\00\00\00")
             (data (i32.const 32) "old 2.0.0")
             (func (export "init") (result i32) (i32.const 1))
             (func (export "on_event") (param i32 i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    let spec = |label: &str, bytes: Vec<u8>| aether_sample_world::ScriptSpec {
        label: label.into(),
        bytes,
        priority: 10,
        request: Default::default(),
        identity: None,
    };
    let mut run = aether_sample_world::WorldRun::new(
        &scene("arena"),
        vec![spec("graph", artifact.wasm_bytes.clone()), spec("old", old)],
        Storage::in_memory().unwrap(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<_> = run.scripts().iter().rev().take(2).map(|s| s.id).collect();
    let (graph_id, old_id) = (ids[1], ids[0]);
    for id in [graph_id, old_id] {
        run.set_journal(id, true);
    }
    let kinds = |journal: Vec<aether_world::journal::JournalEntry>| -> Vec<u8> {
        journal
            .into_iter()
            .filter_map(|e| match e {
                aether_world::journal::JournalEntry::Event(bytes) => Some(bytes[0]),
                _ => None,
            })
            .collect()
    };
    let (mut all, mut handled_by_graph, mut handled_by_old) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..120 {
        let report = run.tick().unwrap();
        all.extend(report.log.delivered.iter().map(|name| {
            [
                "start",
                "tick",
                "timer",
                "entity_spawned",
                "entity_destroyed",
                "entered_area",
                "collision",
                "message",
                "player_joined",
                "player_left",
                "script_message",
            ]
            .iter()
            .position(|k| k == name)
            .unwrap_or_else(|| panic!("an event named {name}")) as u8
        }));
        handled_by_graph.extend(kinds(run.take_journal(graph_id)));
        handled_by_old.extend(kinds(run.take_journal(old_id)));
    }
    let expected: Vec<u8> = all.iter().copied().filter(|&k| mask.has(k)).collect();
    assert!(
        expected.len() > 10,
        "the scene gave {} collisions",
        expected.len()
    );
    assert!(all.len() > expected.len(), "other events happened too");
    assert_eq!(
        handled_by_graph, expected,
        "the graph got exactly its events"
    );
    assert_eq!(handled_by_old, all, "the 2.0 script got every event");
    assert!(!mask.has(WorldEvent::TICK));
}
