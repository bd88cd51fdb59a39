//! Which events a script answers (contract 2.1): a custom section of its module, read by the
//! world before it delivers anything, so a script receives only the events it handles.
//!
//! The section is named [`EVENTS_SECTION`] and holds eight bytes: a little-endian `u64` whose
//! bit `i` is set when the script answers the event of variant index `i` ([`WorldEvent::index`]:
//! 0 `Start`, 1 `Tick`, 2 `Timer`, 3 `EntitySpawned`, 4 `EntityDestroyed`, 5 `EnteredArea`,
//! 6 `Collision`, 7 `Message`, 8 `PlayerJoined`, 9 `PlayerLeft`, 10 `ScriptMessage`). A module
//! without the section receives every event, as under contract 2.0; one whose section has
//! another length is refused at load.
//!
//! In Rust (the section is the static's bytes):
//!
//! ```
//! use aether_world_types::{EventMask, WorldEvent};
//!
//! const ANSWERS: EventMask = EventMask::NONE.with(WorldEvent::START).with(WorldEvent::TICK);
//! #[unsafe(link_section = "aether-events")]
//! #[used]
//! static EVENTS: [u8; 8] = ANSWERS.to_bytes();
//! assert_eq!(EVENTS, [0b11, 0, 0, 0, 0, 0, 0, 0]);
//! assert!(ANSWERS.answers(&WorldEvent::Tick { tick: 7 }));
//! ```
//!
//! In WAT: `(@custom "aether-events" "\03\00\00\00\00\00\00\00")`.

use crate::WorldEvent;

/// The name of the custom section listing the events a script answers.
pub const EVENTS_SECTION: &str = "aether-events";

/// The set of events a script answers: bit `i` for the variant of index `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct EventMask(pub u64);

impl EventMask {
    /// No event.
    pub const NONE: EventMask = EventMask(0);
    /// Every event, those of later versions too (what a module without the section receives).
    pub const ALL: EventMask = EventMask(u64::MAX);

    /// This set with the event of variant index `index`.
    pub const fn with(self, index: u8) -> EventMask {
        if index < 64 {
            EventMask(self.0 | 1 << index)
        } else {
            self
        }
    }

    /// Whether the set holds the event of variant index `index`.
    pub const fn has(self, index: u8) -> bool {
        index < 64 && self.0 & (1 << index) != 0
    }

    /// Whether the set holds `event`'s variant.
    pub fn answers(self, event: &WorldEvent) -> bool {
        self.has(event.index())
    }

    /// The section's bytes.
    pub const fn to_bytes(self) -> [u8; 8] {
        self.0.to_le_bytes()
    }

    /// The set a section's bytes give; `None` unless they are exactly eight.
    pub fn from_bytes(bytes: &[u8]) -> Option<EventMask> {
        let bytes: [u8; 8] = bytes.try_into().ok()?;
        Some(EventMask(u64::from_le_bytes(bytes)))
    }
}
