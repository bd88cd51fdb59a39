//! Freezes the postcard wire format of every event: the bytes of a fixed list of events are
//! checked in as hex, one event a line. A change here breaks every published world script, so it
//! must come with a new major `ABI_VERSION` and a major version of this crate.
//!
//! To regenerate after a deliberate change:
//! `UPDATE_GOLDEN=1 cargo test -p aether-world-types --test wire`.

use std::path::PathBuf;

use aether_world_types::{AreaId, EntityId, PlayerId, TimerId, Vec2, WorldEvent};

/// One event of every kind, with values that exercise multi-byte varints and floats.
fn fixed_events() -> Vec<WorldEvent> {
    vec![
        WorldEvent::Start,
        WorldEvent::Tick { tick: 1_000_000 },
        WorldEvent::Timer {
            timer: TimerId(7),
            tick: 200,
        },
        WorldEvent::EntitySpawned {
            entity: EntityId(70_000),
            kind: "crate".into(),
            at: Vec2::new(2.5, -1.0),
        },
        WorldEvent::EntityDestroyed {
            entity: EntityId(300),
        },
        WorldEvent::EnteredArea {
            entity: EntityId(3),
            area: AreaId(2),
        },
        WorldEvent::Collision {
            a: EntityId(1),
            b: EntityId(128),
        },
        WorldEvent::Message {
            from: PlayerId(4),
            body: b"hi".to_vec(),
        },
        WorldEvent::PlayerJoined {
            player: PlayerId(4),
            name: "Ada".into(),
        },
        WorldEvent::PlayerLeft {
            player: PlayerId(4),
        },
        WorldEvent::ScriptMessage {
            from: "bumper".into(),
            body: b"go".to_vec(),
        },
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_event_has_its_golden_bytes_and_reads_back() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/events.hex");
    let events = fixed_events();
    let lines: Vec<String> = events
        .iter()
        .map(|e| {
            let bytes = postcard::to_allocvec(e).unwrap();
            let back: WorldEvent = postcard::from_bytes(&bytes).unwrap();
            assert_eq!(&back, e, "{} reads back", e.name());
            format!("{} {}", e.name(), hex(&bytes))
        })
        .collect();
    let text = lines.join("\n") + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let golden = std::fs::read_to_string(&path).expect("tests/golden/events.hex");
    assert_eq!(text, golden, "the wire format changed");
}

#[test]
fn the_variant_index_is_the_first_byte_in_declaration_order() {
    for (i, e) in fixed_events().iter().enumerate() {
        assert_eq!(
            postcard::to_allocvec(e).unwrap()[0],
            i as u8,
            "{}",
            e.name()
        );
    }
}

#[test]
fn truncated_or_unknown_events_are_errors_not_panics() {
    for e in fixed_events() {
        let bytes = postcard::to_allocvec(&e).unwrap();
        for cut in 0..bytes.len() {
            assert!(
                postcard::from_bytes::<WorldEvent>(&bytes[..cut]).is_err(),
                "{} cut to {cut} bytes",
                e.name()
            );
        }
    }
    assert!(
        postcard::from_bytes::<WorldEvent>(&[10]).is_err(),
        "no event 10 in ABI 1"
    );
}

#[test]
fn every_events_index_is_its_wire_tag_and_its_bit_in_the_section() {
    use aether_world_types::{EVENTS_SECTION, EventMask};
    for e in fixed_events() {
        let bytes = postcard::to_allocvec(&e).unwrap();
        assert_eq!(bytes[0], e.index(), "{e:?}");
        let only = EventMask::NONE.with(e.index());
        assert!(only.answers(&e));
        assert_eq!(only.to_bytes(), (1u64 << e.index()).to_le_bytes());
    }
    // The contract's names and bytes, frozen: a Tick and Collision script's section.
    assert_eq!(EVENTS_SECTION, "aether-events");
    let tick_and_collision = EventMask::NONE
        .with(WorldEvent::TICK)
        .with(WorldEvent::COLLISION);
    assert_eq!(tick_and_collision.to_bytes(), [0x42, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        EventMask::from_bytes(&[0x42, 0, 0, 0, 0, 0, 0, 0]),
        Some(tick_and_collision)
    );
    assert_eq!(EventMask::from_bytes(&[0x42]), None);
}
