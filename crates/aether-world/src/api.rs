//! The sandboxed API surface: the six traits a world implements for its scripts.
//!
//! The runtime knows the world only through these traits. Each `"aether"` import a script calls
//! (`calls.rs`) checks its arguments and the script's limits first (rates in world time, the
//! storage quota), then calls one method here; a method refuses with a [`CallCode`], which the
//! script receives as a negative return. The game plugs in its engine; the studio plugs in its
//! sample world. Every method gets the calling [`ScriptId`], so a world can scope ownership and
//! storage per script.

use aether_world_types::{CallCode, EntityId, PlayerId, Vec2};

use super::ScriptId;

/// Entities: spawn, destroy, where they are, what they are, which are near a point.
pub trait EntityApi {
    /// Spawns an entity of `kind` at `at`.
    fn spawn_entity(
        &mut self,
        script: ScriptId,
        kind: &str,
        at: Vec2,
    ) -> Result<EntityId, CallCode>;
    /// Destroys `entity`.
    fn destroy_entity(&mut self, script: ScriptId, entity: EntityId) -> Result<(), CallCode>;
    /// Where `entity` is.
    fn entity_position(&self, script: ScriptId, entity: EntityId) -> Result<Vec2, CallCode>;
    /// What `entity` is (the kind it was spawned with).
    fn entity_kind(&self, script: ScriptId, entity: EntityId) -> Result<String, CallCode>;
    /// Whether `script` spawned `entity`.
    fn entity_is_mine(&self, script: ScriptId, entity: EntityId) -> Result<bool, CallCode>;
    /// `entity`'s hit points.
    fn entity_hp(&self, script: ScriptId, entity: EntityId) -> Result<i32, CallCode>;
    /// Sets `entity`'s hit points.
    fn set_entity_hp(
        &mut self,
        script: ScriptId,
        entity: EntityId,
        hp: i32,
    ) -> Result<(), CallCode>;
    /// The entity with the smallest id above `after` (every id when `None`) whose centre lies
    /// within `radius` of `at`; `None` when there is none.
    fn entity_next_near(
        &self,
        script: ScriptId,
        at: Vec2,
        radius: f32,
        after: Option<EntityId>,
    ) -> Result<Option<EntityId>, CallCode>;
}

/// Physics: forces and velocities of bodies, rays.
pub trait PhysicsApi {
    /// Applies `force` to `entity`'s body for the next step.
    fn apply_force(
        &mut self,
        script: ScriptId,
        entity: EntityId,
        force: Vec2,
    ) -> Result<(), CallCode>;
    /// Sets `entity`'s velocity (world units a second).
    fn set_velocity(
        &mut self,
        script: ScriptId,
        entity: EntityId,
        velocity: Vec2,
    ) -> Result<(), CallCode>;
    /// The first entity a ray from `from` along `direction` meets within `max_distance`
    /// (`None`: it met a wall or nothing).
    fn raycast(
        &self,
        script: ScriptId,
        from: Vec2,
        direction: Vec2,
        max_distance: f32,
    ) -> Result<Option<EntityId>, CallCode>;
}

/// Audio: positioned sound events.
pub trait AudioApi {
    /// Plays the sound named `sound` at `at`.
    fn play_sound(&mut self, script: ScriptId, sound: &str, at: Vec2) -> Result<(), CallCode>;
}

/// Network: messages (RPCs) to players, and messages between the world's scripts.
pub trait NetworkApi {
    /// Sends `body` to `to`.
    fn send_rpc(&mut self, script: ScriptId, to: PlayerId, body: &[u8]) -> Result<(), CallCode>;
    /// Sends `body` to every player in the world.
    fn broadcast_rpc(&mut self, script: ScriptId, body: &[u8]) -> Result<(), CallCode>;
    /// Sends `body` to the script named `to`: it receives a `ScriptMessage` event on the next
    /// tick.
    fn send_to_script(&mut self, script: ScriptId, to: &str, body: &[u8]) -> Result<(), CallCode>;
}

/// Storage: the script's own key-value namespace, kept across runs.
pub trait StorageApi {
    /// The value stored under `key`, if any.
    fn storage_read(&self, script: ScriptId, key: &[u8]) -> Result<Option<Vec<u8>>, CallCode>;
    /// Stores `value` under `key`.
    fn storage_write(&mut self, script: ScriptId, key: &[u8], value: &[u8])
    -> Result<(), CallCode>;
    /// Bytes the script's namespace holds (keys and values).
    fn storage_used(&self, script: ScriptId) -> u64;
}

/// UI: messages, objectives and map markers shown to players.
pub trait UIApi {
    /// Shows `text` to `to`, or to everyone with `None`.
    fn show_message(
        &mut self,
        script: ScriptId,
        to: Option<PlayerId>,
        text: &str,
    ) -> Result<(), CallCode>;
    /// Sets the objective line `to` sees (everyone with `None`) to `text`.
    fn set_objective(
        &mut self,
        script: ScriptId,
        to: Option<PlayerId>,
        text: &str,
    ) -> Result<(), CallCode>;
    /// Puts the script's marker labelled `text` at `at` (moving it if it is already placed).
    fn place_marker(&mut self, script: ScriptId, at: Vec2, text: &str) -> Result<(), CallCode>;
}

/// All six: what a world gives its scripts.
pub trait WorldApi: EntityApi + PhysicsApi + AudioApi + NetworkApi + StorageApi + UIApi {
    /// The fuel of the work the world did for the calls since it was last asked (entities it
    /// walked, storage it read, rays it cast), at the world's own rates, so a script pays for
    /// what its calls cost. A world that cannot tell answers 0: each call then costs the
    /// host's flat charges only.
    fn take_work(&mut self) -> u64 {
        0
    }
}
