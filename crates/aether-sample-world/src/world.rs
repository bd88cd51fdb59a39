//! The sample world: entities (hecs), their bodies (rapier2d), players, areas, timers and
//! storage (redb), behind the six API traits world scripts reach it through.
//!
//! A tick has three moments. [`SampleWorld::begin_tick`] hands out the tick's events, in a fixed
//! order: `Start` (tick 0), players leaving then joining, what players say, what happened during
//! the last tick (entities spawned and destroyed by scripts, collisions, entities entering
//! areas; at tick 0, one entity-spawned event per entity the scene placed), timers, then `Tick`. The scripts run and call the API. [`SampleWorld::end_tick`]
//! commits the tick's storage writes in one transaction, steps the physics, finds collisions and
//! area entries (delivered next tick), and folds everything into the world hash.
//!
//! **The world hash** chains every tick: FNV-1a over the previous hash, the tick, every entity
//! (id, kind, owner, position and velocity bits) in id order, the players online, and what the
//! tick did (storage writes, sounds, messages, RPCs). Two runs of the same scene with the same
//! scripts give the same hash at every tick.

use std::collections::{BTreeMap, BTreeSet};

use aether_world::{
    AudioApi, EntityApi, NetworkApi, PhysicsApi, ScriptId, StorageApi, TICKS_PER_SECOND, UIApi,
    WorldApi,
};
use aether_world_types::{AreaId, CallCode, EntityId, PlayerId, TimerId, Vec2, WorldEvent};
use rapier2d::prelude::RigidBodyHandle;

use crate::hash::Fnv;
use crate::physics::Physics;
use crate::scene::{DEFAULT_RADIUS, Scene, SceneArea, ScenePlayer, SceneTimer, is_solid};
use crate::storage::{Storage, StorageError};

pub use crate::scene::{MAX_ENTITIES, MAX_OVERLAPS};

/// What an entity is (the word scripts see).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kind(pub String);

/// The script that spawned an entity (`None`: the scene placed it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner(pub Option<ScriptId>);

/// An entity's body in the physics world.
#[derive(Clone, Copy, Debug)]
pub struct Body(pub RigidBodyHandle);

/// Whether the entity never moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixed(pub bool);

/// Its hit points (what scripts read and set; the world itself never changes them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hp(pub i32);

/// An entity as seen from outside: for reports, drawing and tests.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityView {
    /// Its id.
    pub id: EntityId,
    /// Its kind.
    pub kind: String,
    /// Who spawned it.
    pub owner: Option<ScriptId>,
    /// Where it is.
    pub at: Vec2,
    /// How fast it moves.
    pub velocity: Vec2,
    /// Its hit points.
    pub hp: i32,
}

/// What a tick did in the world, beyond the scripts' own usage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TickLog {
    /// Events delivered to the scripts at the start of the tick, by name, in order.
    pub delivered: Vec<&'static str>,
    /// Entities scripts spawned: id, kind, where, by whom.
    pub spawned: Vec<(EntityId, String, Vec2, ScriptId)>,
    /// Entities scripts destroyed.
    pub destroyed: Vec<(EntityId, ScriptId)>,
    /// Sounds played: by whom, which, where.
    pub sounds: Vec<(ScriptId, String, Vec2)>,
    /// UI messages: by whom, to whom (`None`: everyone), the text.
    pub messages: Vec<(ScriptId, Option<PlayerId>, String)>,
    /// RPCs: by whom, to whom, the bytes.
    pub rpcs: Vec<(ScriptId, PlayerId, Vec<u8>)>,
    /// Storage writes committed at the end of the tick: by whom, key, value.
    pub writes: Vec<(ScriptId, Vec<u8>, Vec<u8>)>,
    /// Pairs of entities that started touching in the tick's physics step.
    pub collisions: Vec<(EntityId, EntityId)>,
    /// Entities that entered an area in the step.
    pub entered: Vec<(EntityId, AreaId)>,
    /// Players who joined at the start of the tick.
    pub joined: Vec<PlayerId>,
    /// Players who left at the start of the tick.
    pub left: Vec<PlayerId>,
    /// Objectives set: by whom, for whom (`None`: everyone), the text.
    pub objectives: Vec<(ScriptId, Option<PlayerId>, String)>,
    /// Markers placed or moved: by whom, the label, where.
    pub markers: Vec<(ScriptId, String, Vec2)>,
    /// Messages between scripts: from whom, to whom, the bytes.
    pub script_messages: Vec<(ScriptId, ScriptId, Vec<u8>)>,
}

/// The sample world.
pub struct SampleWorld {
    width: usize,
    height: usize,
    solid: Vec<bool>,
    players: Vec<ScenePlayer>,
    areas: Vec<SceneArea>,
    timers: Vec<SceneTimer>,
    ecs: hecs::World,
    /// Entity id -> its ECS entity, in id order.
    ids: BTreeMap<u32, hecs::Entity>,
    next_id: u32,
    physics: Physics,
    online: BTreeSet<u32>,
    /// (entity, area) pairs inside after the last step.
    inside: BTreeSet<(u32, u32)>,
    storage: Storage,
    /// The first storage failure; the run stops on it.
    /// (A cell: reads, through `&self`, record theirs too.)
    storage_failure: std::cell::RefCell<Option<StorageError>>,
    tick: u64,
    /// Events raised during the current tick, delivered at the start of the next.
    raised: Vec<WorldEvent>,
    log: TickLog,
    hash: u64,
    /// The objective each player sees (`None`: the one for everyone), and whose it is.
    objectives: BTreeMap<Option<u32>, (ScriptId, String)>,
    /// Markers on the map, by script and label.
    markers: BTreeMap<(u32, String), Vec2>,
    /// Each script's name (as its storage is attached), for messages between scripts.
    names: BTreeMap<u32, String>,
    /// Messages to scripts sent this tick, delivered at the start of the next.
    outbox: Vec<(ScriptId, WorldEvent)>,
    /// Messages to scripts for this tick, until [`SampleWorld::take_script_messages`].
    inbox: Vec<(ScriptId, WorldEvent)>,
    /// The fuel of the work done for scripts' calls since [`WorldApi::take_work`] last took
    /// it (a cell: queries through `&self` count theirs too).
    work: std::cell::Cell<u64>,
}

/// The fuel the sample world charges for the work a call makes it do, beside the host's flat
/// charges (`aether_world::HostCosts`), calibrated on the 2-core reference machine at
/// `DEFAULT_FUEL_PER_MS` (BENCHMARKS.md, "What a host call costs").
pub mod work {
    /// Each entity an entity query looks at (its body's place in the physics world).
    pub const PER_ENTITY_EXAMINED: u64 = 400;
    /// A ray cast through the physics world.
    pub const PER_RAYCAST: u64 = 4_000;
    /// An entity spawned (its body and collider made) or destroyed.
    pub const PER_SPAWN: u64 = 12_000;
    /// Each entity a spawned one overlaps where it appears: a contact the physics must push
    /// apart over the next steps (65 crates on one spot cost the step about 5 ms).
    pub const PER_OVERLAP: u64 = 12_000;
    /// A storage lookup (a read transaction, the key found or not).
    pub const PER_STORAGE_LOOKUP: u64 = 6_000;
    /// Each KiB a storage read or write moves.
    pub const PER_STORAGE_KIB: u64 = 1_000;
    /// Any other call on an entity or the map (a lookup by id).
    pub const PER_LOOKUP: u64 = 200;
}

/// Most markers one script may have on the map; one more is `quota_exceeded`.
pub const MAX_MARKERS_PER_SCRIPT: usize = 32;
/// Fastest speed a script may set, in world units a second.
pub const MAX_SPEED: f32 = 100.0;

impl std::fmt::Debug for SampleWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SampleWorld")
            .field("tick", &self.tick)
            .field("entities", &self.ids.len())
            .field("online", &self.online)
            .field("hash", &format_args!("{:016x}", self.hash))
            .finish_non_exhaustive()
    }
}

impl SampleWorld {
    /// The world of `scene` at tick 0, keeping script storage in `storage`.
    pub fn new(scene: &Scene, storage: Storage) -> SampleWorld {
        let mut world = SampleWorld {
            width: scene.width,
            height: scene.height,
            solid: scene.tiles.iter().map(|t| is_solid(*t)).collect(),
            players: scene.players.clone(),
            areas: scene.areas.clone(),
            timers: scene.timers.clone(),
            ecs: hecs::World::new(),
            ids: BTreeMap::new(),
            next_id: 1,
            physics: Physics::new(scene, TICKS_PER_SECOND),
            online: BTreeSet::new(),
            inside: BTreeSet::new(),
            storage,
            storage_failure: std::cell::RefCell::new(None),
            tick: 0,
            raised: Vec::new(),
            log: TickLog::default(),
            hash: 0xcbf2_9ce4_8422_2325,
            objectives: BTreeMap::new(),
            markers: BTreeMap::new(),
            names: BTreeMap::new(),
            outbox: Vec::new(),
            inbox: Vec::new(),
            work: std::cell::Cell::new(0),
        };
        for e in &scene.entities {
            let id = world.insert(&e.kind, None, (e.x, e.y), (e.vx, e.vy), e.radius, e.fixed);
            if let Some(&ent) = world.ids.get(&id) {
                let _ = world.ecs.insert_one(ent, Hp(e.hp));
            }
        }
        // Scripts learn the scene's own entities as they learn spawned ones: at tick 0.
        for (view, e) in world.entities().into_iter().zip(&scene.entities) {
            world.raised.push(WorldEvent::EntitySpawned {
                entity: view.id,
                kind: e.kind.clone(),
                at: Vec2::new(e.x, e.y),
            });
        }
        world.inside = world.areas_now();
        world
    }

    fn insert(
        &mut self,
        kind: &str,
        owner: Option<ScriptId>,
        at: (f32, f32),
        velocity: (f32, f32),
        radius: f32,
        fixed: bool,
    ) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let body = self.physics.add(id, at, velocity, radius, fixed);
        let entity = self.ecs.spawn((
            Kind(kind.to_owned()),
            Owner(owner),
            Body(body),
            Fixed(fixed),
            Hp(crate::scene::DEFAULT_HP),
        ));
        self.ids.insert(id, entity);
        id
    }

    /// Gives script `id` its storage namespace `name` (its announced name).
    pub fn attach_storage(&mut self, id: ScriptId, name: &str) -> Result<(), StorageError> {
        self.names.insert(id.0, name.to_owned());
        self.storage.attach(id.0, name)
    }

    /// The messages between scripts due this tick (sent during the last one), each with the
    /// script it is for: the world delivers each only to that script, after the tick's other
    /// events.
    pub fn take_script_messages(&mut self) -> Vec<(ScriptId, WorldEvent)> {
        std::mem::take(&mut self.inbox)
    }

    /// The objectives shown now: for everyone (`None`) and per player, with the script that set
    /// each.
    pub fn objectives(&self) -> &BTreeMap<Option<u32>, (ScriptId, String)> {
        &self.objectives
    }

    /// The markers on the map: (script, label) and where.
    pub fn markers(&self) -> &BTreeMap<(u32, String), Vec2> {
        &self.markers
    }

    /// The storage (for reading what scripts kept).
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The tick about to run (or running).
    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// The world hash after the last tick that ended.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// Map size in tiles.
    pub fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// Players in the world now.
    pub fn online(&self) -> impl Iterator<Item = PlayerId> + '_ {
        self.online.iter().map(|p| PlayerId(*p))
    }

    /// Every entity, in id order.
    pub fn entities(&self) -> Vec<EntityView> {
        self.ids
            .iter()
            .filter_map(|(id, e)| self.view(*id, *e))
            .collect()
    }

    fn view(&self, id: u32, e: hecs::Entity) -> Option<EntityView> {
        let entity = self.ecs.entity(e).ok()?;
        let kind = entity.get::<&Kind>()?.0.clone();
        let owner = entity.get::<&Owner>()?.0;
        let body = entity.get::<&Body>()?.0;
        let hp = entity.get::<&Hp>().map_or(0, |h| h.0);
        let ((x, y), (vx, vy)) = self.physics.state(body)?;
        Some(EntityView {
            id: EntityId(id),
            kind,
            owner,
            at: Vec2::new(x, y),
            velocity: Vec2::new(vx, vy),
            hp,
        })
    }

    fn body(&self, entity: EntityId) -> Option<(hecs::Entity, RigidBodyHandle)> {
        let e = *self.ids.get(&entity.0)?;
        let body = self.ecs.get::<&Body>(e).ok()?.0;
        Some((e, body))
    }

    /// Starts the tick: returns its events, in delivery order (see the module documentation).
    pub fn begin_tick(&mut self) -> Vec<WorldEvent> {
        let t = self.tick;
        self.log = TickLog::default();
        self.inbox = std::mem::take(&mut self.outbox);
        let mut events = Vec::new();
        if t == 0 {
            events.push(WorldEvent::Start);
        }
        for p in &self.players {
            if p.leaves == Some(t) && self.online.remove(&p.id) {
                events.push(WorldEvent::PlayerLeft {
                    player: PlayerId(p.id),
                });
                self.log.left.push(PlayerId(p.id));
            }
        }
        for p in &self.players {
            if p.joins == t && self.online.insert(p.id) {
                events.push(WorldEvent::PlayerJoined {
                    player: PlayerId(p.id),
                    name: p.name.clone(),
                });
                self.log.joined.push(PlayerId(p.id));
            }
        }
        for p in &self.players {
            for s in p.says.iter().filter(|s| s.tick == t) {
                events.push(WorldEvent::Message {
                    from: PlayerId(p.id),
                    body: s.text.as_bytes().to_vec(),
                });
            }
        }
        events.append(&mut self.raised);
        for timer in &self.timers {
            if timer.fires_at(t) {
                events.push(WorldEvent::Timer {
                    timer: TimerId(timer.id),
                    tick: t,
                });
            }
        }
        events.push(WorldEvent::Tick { tick: t });
        self.log.delivered = events.iter().map(WorldEvent::name).collect();
        events
    }

    /// Ends the tick: commits storage, steps the physics, raises collision and area events for
    /// the next tick, updates the hash. Returns what the tick did.
    pub fn end_tick(&mut self) -> Result<TickLog, StorageError> {
        if let Some(e) = self.storage_failure.get_mut().take() {
            return Err(e);
        }
        self.log.writes = self
            .storage
            .pending()
            .map(|(s, k, v)| (ScriptId(s), k.to_vec(), v.to_vec()))
            .collect();
        self.storage.commit(self.tick)?;
        for (a, b) in self.physics.step() {
            if self.ids.contains_key(&a) && self.ids.contains_key(&b) {
                self.log.collisions.push((EntityId(a), EntityId(b)));
                self.raised.push(WorldEvent::Collision {
                    a: EntityId(a),
                    b: EntityId(b),
                });
            }
        }
        let now = self.areas_now();
        for &(entity, area) in now.difference(&self.inside) {
            self.log.entered.push((EntityId(entity), AreaId(area)));
            self.raised.push(WorldEvent::EnteredArea {
                entity: EntityId(entity),
                area: AreaId(area),
            });
        }
        self.inside = now;
        self.hash = self.fold_hash();
        self.tick += 1;
        Ok(std::mem::take(&mut self.log))
    }

    fn areas_now(&self) -> BTreeSet<(u32, u32)> {
        let mut inside = BTreeSet::new();
        for (&id, &e) in &self.ids {
            let Some(body) = self.ecs.get::<&Body>(e).ok().map(|b| b.0) else {
                continue;
            };
            let Some(((x, y), _)) = self.physics.state(body) else {
                continue;
            };
            for a in &self.areas {
                if a.shape.contains(x, y) {
                    inside.insert((id, a.id));
                }
            }
        }
        inside
    }

    fn fold_hash(&self) -> u64 {
        let mut h = Fnv::with(self.hash);
        h.u64(self.tick);
        for v in self.entities() {
            h.u32(v.id.0);
            h.bytes(v.kind.as_bytes());
            h.u32(v.owner.map_or(0, |s| s.0 + 1));
            h.f32(v.at.x);
            h.f32(v.at.y);
            h.f32(v.velocity.x);
            h.f32(v.velocity.y);
            h.u32(v.hp as u32);
        }
        for p in &self.online {
            h.u32(*p);
        }
        for (s, k, v) in &self.log.writes {
            h.u32(s.0);
            h.bytes(k);
            h.bytes(v);
        }
        for (s, name, at) in &self.log.sounds {
            h.u32(s.0);
            h.bytes(name.as_bytes());
            h.f32(at.x);
            h.f32(at.y);
        }
        for (s, to, text) in &self.log.messages {
            h.u32(s.0);
            h.u32(to.map_or(u32::MAX, |p| p.0));
            h.bytes(text.as_bytes());
        }
        for (s, to, body) in &self.log.rpcs {
            h.u32(s.0);
            h.u32(to.0);
            h.bytes(body);
        }
        for (s, to, text) in &self.log.objectives {
            h.u32(s.0);
            h.u32(to.map_or(u32::MAX, |p| p.0));
            h.bytes(text.as_bytes());
        }
        for (s, label, at) in &self.log.markers {
            h.u32(s.0);
            h.bytes(label.as_bytes());
            h.f32(at.x);
            h.f32(at.y);
        }
        for (from, to, body) in &self.log.script_messages {
            h.u32(from.0);
            h.u32(to.0);
            h.bytes(body);
        }
        h.finish()
    }

    /// Keeps the first storage failure of the tick; `end_tick` stops the run with it.
    fn fail_storage(&self, e: StorageError) {
        self.storage_failure.borrow_mut().get_or_insert(e);
    }

    fn on_map(&self, at: Vec2) -> Option<usize> {
        let inside =
            at.x >= 0.0 && at.y >= 0.0 && at.x < self.width as f32 && at.y < self.height as f32;
        inside.then(|| at.y as usize * self.width + at.x as usize)
    }
}

impl EntityApi for SampleWorld {
    fn spawn_entity(
        &mut self,
        script: ScriptId,
        kind: &str,
        at: Vec2,
    ) -> Result<EntityId, CallCode> {
        if kind.is_empty() || kind.chars().any(char::is_control) {
            return Err(CallCode::InvalidArgument);
        }
        self.worked(work::PER_LOOKUP);
        let tile = self.on_map(at).ok_or(CallCode::InvalidArgument)?;
        if self.solid[tile] {
            return Err(CallCode::NotPermitted);
        }
        if self.ids.len() >= MAX_ENTITIES {
            return Err(CallCode::QuotaExceeded);
        }
        let overlaps = self.physics.overlapping((at.x, at.y), DEFAULT_RADIUS);
        self.worked(work::PER_SPAWN + work::PER_OVERLAP.saturating_mul(overlaps as u64));
        if overlaps > MAX_OVERLAPS {
            return Err(CallCode::NotPermitted);
        }
        let id = self.insert(
            kind,
            Some(script),
            (at.x, at.y),
            (0.0, 0.0),
            DEFAULT_RADIUS,
            false,
        );
        self.log
            .spawned
            .push((EntityId(id), kind.to_owned(), at, script));
        self.raised.push(WorldEvent::EntitySpawned {
            entity: EntityId(id),
            kind: kind.to_owned(),
            at,
        });
        Ok(EntityId(id))
    }

    fn destroy_entity(&mut self, script: ScriptId, entity: EntityId) -> Result<(), CallCode> {
        self.worked(work::PER_LOOKUP);
        let (e, body) = self.body(entity).ok_or(CallCode::NotFound)?;
        let owner = self.ecs.get::<&Owner>(e).map(|o| o.0).ok().flatten();
        if owner != Some(script) {
            return Err(CallCode::NotPermitted);
        }
        self.worked(work::PER_SPAWN);
        self.physics.remove(body);
        let _ = self.ecs.despawn(e);
        self.ids.remove(&entity.0);
        self.inside.retain(|(id, _)| *id != entity.0);
        self.log.destroyed.push((entity, script));
        self.raised.push(WorldEvent::EntityDestroyed { entity });
        Ok(())
    }

    fn entity_position(&self, _: ScriptId, entity: EntityId) -> Result<Vec2, CallCode> {
        self.worked(work::PER_LOOKUP);
        let (_, body) = self.body(entity).ok_or(CallCode::NotFound)?;
        let ((x, y), _) = self.physics.state(body).ok_or(CallCode::NotFound)?;
        Ok(Vec2::new(x, y))
    }

    fn entity_kind(&self, _: ScriptId, entity: EntityId) -> Result<String, CallCode> {
        self.worked(work::PER_LOOKUP);
        let (e, _) = self.body(entity).ok_or(CallCode::NotFound)?;
        self.ecs
            .get::<&Kind>(e)
            .map(|k| k.0.clone())
            .map_err(|_| CallCode::NotFound)
    }

    fn entity_is_mine(&self, script: ScriptId, entity: EntityId) -> Result<bool, CallCode> {
        self.worked(work::PER_LOOKUP);
        let (e, _) = self.body(entity).ok_or(CallCode::NotFound)?;
        Ok(self.ecs.get::<&Owner>(e).is_ok_and(|o| o.0 == Some(script)))
    }

    fn entity_hp(&self, _: ScriptId, entity: EntityId) -> Result<i32, CallCode> {
        self.worked(work::PER_LOOKUP);
        let (e, _) = self.body(entity).ok_or(CallCode::NotFound)?;
        self.ecs
            .get::<&Hp>(e)
            .map(|h| h.0)
            .map_err(|_| CallCode::NotFound)
    }

    fn set_entity_hp(&mut self, _: ScriptId, entity: EntityId, hp: i32) -> Result<(), CallCode> {
        if !(0..=crate::scene::MAX_HP).contains(&hp) {
            return Err(CallCode::InvalidArgument);
        }
        self.worked(work::PER_LOOKUP);
        let (e, _) = self.body(entity).ok_or(CallCode::NotFound)?;
        self.ecs
            .insert_one(e, Hp(hp))
            .map_err(|_| CallCode::NotFound)
    }

    fn entity_next_near(
        &self,
        _: ScriptId,
        at: Vec2,
        radius: f32,
        after: Option<EntityId>,
    ) -> Result<Option<EntityId>, CallCode> {
        let from = after.map_or(0, |a| a.0.saturating_add(1));
        if after.is_some_and(|a| a.0 == u32::MAX) {
            return Ok(None);
        }
        self.worked(work::PER_LOOKUP);
        for (&id, &e) in self.ids.range(from..) {
            self.worked(work::PER_ENTITY_EXAMINED);
            let Some(body) = self.ecs.get::<&Body>(e).ok().map(|b| b.0) else {
                continue;
            };
            let Some(((x, y), _)) = self.physics.state(body) else {
                continue;
            };
            let (dx, dy) = (x - at.x, y - at.y);
            if dx * dx + dy * dy <= radius * radius {
                return Ok(Some(EntityId(id)));
            }
        }
        Ok(None)
    }
}

impl PhysicsApi for SampleWorld {
    fn apply_force(&mut self, _: ScriptId, entity: EntityId, force: Vec2) -> Result<(), CallCode> {
        self.worked(work::PER_LOOKUP);
        let (e, body) = self.body(entity).ok_or(CallCode::NotFound)?;
        if self.ecs.get::<&Fixed>(e).is_ok_and(|f| f.0) {
            return Err(CallCode::NotPermitted);
        }
        if !(force.x.abs() <= 10_000.0 && force.y.abs() <= 10_000.0) {
            return Err(CallCode::InvalidArgument);
        }
        if self.physics.push(body, (force.x, force.y)) {
            Ok(())
        } else {
            Err(CallCode::NotFound)
        }
    }

    fn set_velocity(&mut self, _: ScriptId, entity: EntityId, v: Vec2) -> Result<(), CallCode> {
        self.worked(work::PER_LOOKUP);
        let (e, body) = self.body(entity).ok_or(CallCode::NotFound)?;
        if self.ecs.get::<&Fixed>(e).is_ok_and(|f| f.0) {
            return Err(CallCode::NotPermitted);
        }
        if !(v.x.abs() <= MAX_SPEED && v.y.abs() <= MAX_SPEED) {
            return Err(CallCode::InvalidArgument);
        }
        if self.physics.set_velocity(body, (v.x, v.y)) {
            Ok(())
        } else {
            Err(CallCode::NotFound)
        }
    }

    fn raycast(
        &self,
        _: ScriptId,
        from: Vec2,
        direction: Vec2,
        max_distance: f32,
    ) -> Result<Option<EntityId>, CallCode> {
        self.worked(work::PER_RAYCAST);
        Ok(self
            .physics
            .raycast((from.x, from.y), (direction.x, direction.y), max_distance)
            .map(EntityId))
    }
}

impl AudioApi for SampleWorld {
    fn play_sound(&mut self, script: ScriptId, sound: &str, at: Vec2) -> Result<(), CallCode> {
        if sound.is_empty() || sound.chars().any(char::is_control) {
            return Err(CallCode::InvalidArgument);
        }
        self.log.sounds.push((script, sound.to_owned(), at));
        Ok(())
    }
}

impl NetworkApi for SampleWorld {
    fn send_rpc(&mut self, script: ScriptId, to: PlayerId, body: &[u8]) -> Result<(), CallCode> {
        if !self.online.contains(&to.0) {
            return Err(CallCode::NotFound);
        }
        self.worked(work::PER_LOOKUP + work::PER_STORAGE_KIB * body.len() as u64 / 1024);
        self.log.rpcs.push((script, to, body.to_vec()));
        Ok(())
    }

    fn broadcast_rpc(&mut self, script: ScriptId, body: &[u8]) -> Result<(), CallCode> {
        for p in &self.online {
            self.worked(work::PER_LOOKUP + work::PER_STORAGE_KIB * body.len() as u64 / 1024);
            self.log.rpcs.push((script, PlayerId(*p), body.to_vec()));
        }
        Ok(())
    }

    fn send_to_script(&mut self, script: ScriptId, to: &str, body: &[u8]) -> Result<(), CallCode> {
        self.worked(work::PER_LOOKUP + work::PER_STORAGE_KIB * body.len() as u64 / 1024);
        let target = self
            .names
            .iter()
            .find(|(_, n)| n.as_str() == to)
            .map(|(id, _)| ScriptId(*id))
            .ok_or(CallCode::NotFound)?;
        let from = self.names.get(&script.0).cloned().unwrap_or_default();
        self.outbox.push((
            target,
            WorldEvent::ScriptMessage {
                from,
                body: body.to_vec(),
            },
        ));
        self.log
            .script_messages
            .push((script, target, body.to_vec()));
        Ok(())
    }
}

impl StorageApi for SampleWorld {
    fn storage_read(&self, script: ScriptId, key: &[u8]) -> Result<Option<Vec<u8>>, CallCode> {
        self.worked(work::PER_STORAGE_LOOKUP);
        // The script sees `not_permitted`; the run stops with the failure when the tick ends.
        let value = self.storage.read(script.0, key).map_err(|e| {
            self.fail_storage(e);
            CallCode::NotPermitted
        })?;
        let len = value.as_ref().map_or(0, Vec::len) + key.len();
        self.worked(work::PER_STORAGE_KIB * len as u64 / 1024);
        Ok(value)
    }

    fn storage_write(
        &mut self,
        script: ScriptId,
        key: &[u8],
        value: &[u8],
    ) -> Result<(), CallCode> {
        self.worked(
            work::PER_STORAGE_LOOKUP
                + work::PER_STORAGE_KIB * (key.len() + value.len()) as u64 / 1024,
        );
        match self.storage.write(script.0, key, value) {
            Ok(()) => Ok(()),
            Err(e) => {
                self.fail_storage(e);
                Err(CallCode::NotPermitted)
            }
        }
    }

    fn storage_used(&self, script: ScriptId) -> u64 {
        self.storage.used(script.0)
    }
}

impl WorldApi for SampleWorld {
    fn take_work(&mut self) -> u64 {
        self.work.take()
    }
}

impl SampleWorld {
    /// Counts `fuel` of work for the call in progress.
    fn worked(&self, fuel: u64) {
        self.work.set(self.work.get().saturating_add(fuel));
    }
}

impl UIApi for SampleWorld {
    fn show_message(
        &mut self,
        script: ScriptId,
        to: Option<PlayerId>,
        text: &str,
    ) -> Result<(), CallCode> {
        if to.is_some_and(|p| !self.online.contains(&p.0)) {
            return Err(CallCode::NotFound);
        }
        self.log.messages.push((script, to, text.to_owned()));
        Ok(())
    }

    fn set_objective(
        &mut self,
        script: ScriptId,
        to: Option<PlayerId>,
        text: &str,
    ) -> Result<(), CallCode> {
        if to.is_some_and(|p| !self.online.contains(&p.0)) {
            return Err(CallCode::NotFound);
        }
        if text.chars().any(char::is_control) {
            return Err(CallCode::InvalidArgument);
        }
        self.objectives
            .insert(to.map(|p| p.0), (script, text.to_owned()));
        self.log.objectives.push((script, to, text.to_owned()));
        Ok(())
    }

    fn place_marker(&mut self, script: ScriptId, at: Vec2, text: &str) -> Result<(), CallCode> {
        if text.chars().any(char::is_control) {
            return Err(CallCode::InvalidArgument);
        }
        self.on_map(at).ok_or(CallCode::InvalidArgument)?;
        let key = (script.0, text.to_owned());
        let mine = self.markers.keys().filter(|(s, _)| *s == script.0).count();
        if !self.markers.contains_key(&key) && mine >= MAX_MARKERS_PER_SCRIPT {
            return Err(CallCode::QuotaExceeded);
        }
        self.markers.insert(key, at);
        self.log.markers.push((script, text.to_owned(), at));
        Ok(())
    }
}
