//! A small in-memory world for the runtime's tests and benchmark: every API trait, kept in
//! maps, recording what scripts did. (The studio's sample world, with physics and a database,
//! implements the same traits.)
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aether_world::{
    AudioApi, EntityApi, NetworkApi, PhysicsApi, ScriptId, SharedWorld, StorageApi, UIApi,
};
use aether_world_types::{CallCode, EntityId, PlayerId, Vec2};

/// What the world holds and what scripts asked of it.
#[derive(Debug, Default)]
pub struct MapWorld {
    pub entities: BTreeMap<u32, (ScriptId, String, Vec2)>,
    pub next_entity: u32,
    pub forces: Vec<(u32, Vec2)>,
    pub sounds: Vec<(String, Vec2)>,
    pub players: Vec<u32>,
    pub rpcs: Vec<(u32, Vec<u8>)>,
    pub messages: Vec<(Option<u32>, String)>,
    pub velocities: Vec<(u32, Vec2)>,
    pub hp: BTreeMap<u32, i32>,
    pub script_messages: Vec<(String, Vec<u8>)>,
    pub objectives: Vec<(Option<u32>, String)>,
    pub markers: Vec<(String, Vec2)>,
    pub storage: BTreeMap<(ScriptId, Vec<u8>), Vec<u8>>,
}

impl MapWorld {
    /// A world with players 1 and 2.
    pub fn new() -> Self {
        Self {
            players: vec![1, 2],
            ..Self::default()
        }
    }

    /// Shared, as the runtime takes it, with a handle to look inside.
    pub fn shared() -> (SharedWorld, Arc<Mutex<MapWorld>>) {
        let world = Arc::new(Mutex::new(MapWorld::new()));
        (world.clone(), world)
    }
}

impl EntityApi for MapWorld {
    fn spawn_entity(
        &mut self,
        script: ScriptId,
        kind: &str,
        at: Vec2,
    ) -> Result<EntityId, CallCode> {
        let id = self.next_entity;
        self.next_entity += 1;
        self.entities.insert(id, (script, kind.to_owned(), at));
        Ok(EntityId(id))
    }
    fn destroy_entity(&mut self, script: ScriptId, entity: EntityId) -> Result<(), CallCode> {
        match self.entities.get(&entity.0) {
            None => Err(CallCode::NotFound),
            Some((owner, _, _)) if *owner != script => Err(CallCode::NotPermitted),
            Some(_) => {
                self.entities.remove(&entity.0);
                Ok(())
            }
        }
    }
    fn entity_position(&self, _: ScriptId, entity: EntityId) -> Result<Vec2, CallCode> {
        self.entities
            .get(&entity.0)
            .map(|(_, _, at)| *at)
            .ok_or(CallCode::NotFound)
    }
    fn entity_is_mine(&self, script: ScriptId, entity: EntityId) -> Result<bool, CallCode> {
        self.entities
            .get(&entity.0)
            .map(|(owner, _, _)| *owner == script)
            .ok_or(CallCode::NotFound)
    }
    fn entity_hp(&self, _: ScriptId, entity: EntityId) -> Result<i32, CallCode> {
        if !self.entities.contains_key(&entity.0) {
            return Err(CallCode::NotFound);
        }
        Ok(self.hp.get(&entity.0).copied().unwrap_or(10))
    }
    fn set_entity_hp(&mut self, _: ScriptId, entity: EntityId, hp: i32) -> Result<(), CallCode> {
        if !self.entities.contains_key(&entity.0) {
            return Err(CallCode::NotFound);
        }
        self.hp.insert(entity.0, hp);
        Ok(())
    }
    fn entity_kind(&self, _: ScriptId, entity: EntityId) -> Result<String, CallCode> {
        self.entities
            .get(&entity.0)
            .map(|(_, kind, _)| kind.clone())
            .ok_or(CallCode::NotFound)
    }
    fn entity_next_near(
        &self,
        _: ScriptId,
        at: Vec2,
        radius: f32,
        after: Option<EntityId>,
    ) -> Result<Option<EntityId>, CallCode> {
        let from = after.map_or(0, |a| a.0.saturating_add(1));
        Ok(self
            .entities
            .range(from..)
            .find(|(_, (_, _, p))| {
                let (dx, dy) = (p.x - at.x, p.y - at.y);
                dx * dx + dy * dy <= radius * radius
            })
            .map(|(id, _)| EntityId(*id)))
    }
}

impl PhysicsApi for MapWorld {
    fn apply_force(&mut self, _: ScriptId, entity: EntityId, force: Vec2) -> Result<(), CallCode> {
        if !self.entities.contains_key(&entity.0) {
            return Err(CallCode::NotFound);
        }
        self.forces.push((entity.0, force));
        Ok(())
    }
    fn set_velocity(&mut self, _: ScriptId, entity: EntityId, v: Vec2) -> Result<(), CallCode> {
        if !self.entities.contains_key(&entity.0) {
            return Err(CallCode::NotFound);
        }
        self.velocities.push((entity.0, v));
        Ok(())
    }
    fn raycast(&self, _: ScriptId, _: Vec2, _: Vec2, _: f32) -> Result<Option<EntityId>, CallCode> {
        // No geometry here: a ray meets nothing.
        Ok(None)
    }
}

impl AudioApi for MapWorld {
    fn play_sound(&mut self, _: ScriptId, sound: &str, at: Vec2) -> Result<(), CallCode> {
        self.sounds.push((sound.to_owned(), at));
        Ok(())
    }
}

impl NetworkApi for MapWorld {
    fn send_rpc(&mut self, _: ScriptId, to: PlayerId, body: &[u8]) -> Result<(), CallCode> {
        if !self.players.contains(&to.0) {
            return Err(CallCode::NotFound);
        }
        self.rpcs.push((to.0, body.to_vec()));
        Ok(())
    }
    fn broadcast_rpc(&mut self, _: ScriptId, body: &[u8]) -> Result<(), CallCode> {
        for p in self.players.clone() {
            self.rpcs.push((p, body.to_vec()));
        }
        Ok(())
    }
    fn send_to_script(&mut self, _: ScriptId, to: &str, body: &[u8]) -> Result<(), CallCode> {
        self.script_messages.push((to.to_owned(), body.to_vec()));
        Ok(())
    }
}

impl StorageApi for MapWorld {
    fn storage_read(&self, script: ScriptId, key: &[u8]) -> Result<Option<Vec<u8>>, CallCode> {
        Ok(self.storage.get(&(script, key.to_vec())).cloned())
    }
    fn storage_write(
        &mut self,
        script: ScriptId,
        key: &[u8],
        value: &[u8],
    ) -> Result<(), CallCode> {
        self.storage.insert((script, key.to_vec()), value.to_vec());
        Ok(())
    }
    fn storage_used(&self, script: ScriptId) -> u64 {
        self.storage
            .iter()
            .filter(|((s, _), _)| *s == script)
            .map(|((_, k), v)| (k.len() + v.len()) as u64)
            .sum()
    }
}

impl aether_world::WorldApi for MapWorld {}

impl UIApi for MapWorld {
    fn show_message(
        &mut self,
        _: ScriptId,
        to: Option<PlayerId>,
        text: &str,
    ) -> Result<(), CallCode> {
        if to.is_some_and(|p| !self.players.contains(&p.0)) {
            return Err(CallCode::NotFound);
        }
        self.messages.push((to.map(|p| p.0), text.to_owned()));
        Ok(())
    }
    fn set_objective(
        &mut self,
        _: ScriptId,
        to: Option<PlayerId>,
        text: &str,
    ) -> Result<(), CallCode> {
        if to.is_some_and(|p| !self.players.contains(&p.0)) {
            return Err(CallCode::NotFound);
        }
        self.objectives.push((to.map(|p| p.0), text.to_owned()));
        Ok(())
    }
    fn place_marker(&mut self, _: ScriptId, at: Vec2, text: &str) -> Result<(), CallCode> {
        self.markers.push((text.to_owned(), at));
        Ok(())
    }
}
