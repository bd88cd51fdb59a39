//! The events a world script receives, and the identifiers and positions they carry.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// An entity of the world. Ids are never reused within a world's run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EntityId(pub u32);

/// A player connected to the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PlayerId(pub u32);

/// An area of the world (a circle or a rectangle of tiles) that raises
/// [`WorldEvent::EnteredArea`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AreaId(pub u32);

/// A timer a script set; it comes back as [`WorldEvent::Timer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimerId(pub u32);

/// A position or a vector in world units: one unit is one tile, `x` grows east, `y` south.
/// On the wire: two little-endian `f32`.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Vec2 {
    /// East.
    pub x: f32,
    /// South.
    pub y: f32,
}

impl Vec2 {
    /// `(x, y)`.
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
}

/// What happened in the world, delivered to `on_event`. The variant index is the first byte on
/// the wire (a postcard varint); fields follow in order.
///
/// Non-exhaustive: later versions add events at the end. A script must ignore an event whose
/// variant index it does not know (its `on_event` returns 0), so it keeps working in newer worlds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum WorldEvent {
    /// 0: the script has started (after `init`); sent once, before any other event.
    Start,
    /// 1: a world tick began. Sent every tick to scripts that asked for ticks.
    Tick {
        /// The tick number, from 0.
        tick: u64,
    },
    /// 2: a timer the script set has expired.
    Timer {
        /// The timer.
        timer: TimerId,
        /// The tick it expired on.
        tick: u64,
    },
    /// 3: an entity appeared (spawned by any script or by the scene).
    EntitySpawned {
        /// The new entity.
        entity: EntityId,
        /// Its kind, as the scene or the spawning script named it (`"crate"`).
        kind: String,
        /// Where it appeared.
        at: Vec2,
    },
    /// 4: an entity is gone.
    EntityDestroyed {
        /// The entity.
        entity: EntityId,
    },
    /// 5: an entity's centre moved into an area.
    EnteredArea {
        /// The entity.
        entity: EntityId,
        /// The area.
        area: AreaId,
    },
    /// 6: two bodies started touching (each pair once per contact).
    Collision {
        /// The entity with the smaller id.
        a: EntityId,
        /// The other one.
        b: EntityId,
    },
    /// 7: a player sent the script a message.
    Message {
        /// The sender.
        from: PlayerId,
        /// The message, as the player's client sent it.
        body: Vec<u8>,
    },
    /// 8: a player joined the world.
    PlayerJoined {
        /// The player.
        player: PlayerId,
        /// Their display name.
        name: String,
    },
    /// 9: a player left the world.
    PlayerLeft {
        /// The player.
        player: PlayerId,
    },
    /// 10: another script of the world sent this script a message (addressed to it by name;
    /// only the script addressed receives it, on the tick after it was sent). Since contract 2.
    ScriptMessage {
        /// The sender's name (its identity's name).
        from: String,
        /// The message.
        body: Vec<u8>,
    },
}

impl WorldEvent {
    /// A stable snake_case name of the event's kind (`entity_spawned`).
    pub fn name(&self) -> &'static str {
        match self {
            WorldEvent::Start => "start",
            WorldEvent::Tick { .. } => "tick",
            WorldEvent::Timer { .. } => "timer",
            WorldEvent::EntitySpawned { .. } => "entity_spawned",
            WorldEvent::EntityDestroyed { .. } => "entity_destroyed",
            WorldEvent::EnteredArea { .. } => "entered_area",
            WorldEvent::Collision { .. } => "collision",
            WorldEvent::Message { .. } => "message",
            WorldEvent::PlayerJoined { .. } => "player_joined",
            WorldEvent::PlayerLeft { .. } => "player_left",
            WorldEvent::ScriptMessage { .. } => "script_message",
        }
    }
}

impl WorldEvent {
    /// The variant index of [`WorldEvent::Start`] (each event's is its wire tag).
    pub const START: u8 = 0;
    /// The variant index of [`WorldEvent::Tick`].
    pub const TICK: u8 = 1;
    /// The variant index of [`WorldEvent::Timer`].
    pub const TIMER: u8 = 2;
    /// The variant index of [`WorldEvent::EntitySpawned`].
    pub const ENTITY_SPAWNED: u8 = 3;
    /// The variant index of [`WorldEvent::EntityDestroyed`].
    pub const ENTITY_DESTROYED: u8 = 4;
    /// The variant index of [`WorldEvent::EnteredArea`].
    pub const ENTERED_AREA: u8 = 5;
    /// The variant index of [`WorldEvent::Collision`].
    pub const COLLISION: u8 = 6;
    /// The variant index of [`WorldEvent::Message`].
    pub const MESSAGE: u8 = 7;
    /// The variant index of [`WorldEvent::PlayerJoined`].
    pub const PLAYER_JOINED: u8 = 8;
    /// The variant index of [`WorldEvent::PlayerLeft`].
    pub const PLAYER_LEFT: u8 = 9;
    /// The variant index of [`WorldEvent::ScriptMessage`].
    pub const SCRIPT_MESSAGE: u8 = 10;

    /// The event's variant index: its first byte on the wire.
    pub fn index(&self) -> u8 {
        match self {
            WorldEvent::Start => Self::START,
            WorldEvent::Tick { .. } => Self::TICK,
            WorldEvent::Timer { .. } => Self::TIMER,
            WorldEvent::EntitySpawned { .. } => Self::ENTITY_SPAWNED,
            WorldEvent::EntityDestroyed { .. } => Self::ENTITY_DESTROYED,
            WorldEvent::EnteredArea { .. } => Self::ENTERED_AREA,
            WorldEvent::Collision { .. } => Self::COLLISION,
            WorldEvent::Message { .. } => Self::MESSAGE,
            WorldEvent::PlayerJoined { .. } => Self::PLAYER_JOINED,
            WorldEvent::PlayerLeft { .. } => Self::PLAYER_LEFT,
            WorldEvent::ScriptMessage { .. } => Self::SCRIPT_MESSAGE,
        }
    }
}
