//! Regenerates the generated sample states and duel scenarios in `assets/`.
//!
//! ```text
//! cargo run --example make_sample_states
//! ```
//!
//! The generator is deterministic; a test (`tests/samples.rs`) checks that the committed files are
//! exactly what this writes, so edit the parameters here rather than the generated files.

use std::path::Path;

use aether_lang::scenario::generate::{GenParams, generate};

/// Every generated sample: file, parameters, seed.
pub fn samples() -> Vec<(&'static str, GenParams, u64)> {
    let p =
        |name: &str, description: &str, size: u16, players: u8, units: u32, mana: u16, limit| {
            GenParams {
                name: name.into(),
                description: description.into(),
                width: size,
                height: size,
                players,
                units_per_player: units,
                mana,
                turn_limit: limit,
            }
        };
    vec![
        (
            "assets/states/skirmish.json",
            p(
                "Skirmish",
                "A small clash: two warbands of five on a 12 x 12 field.",
                12,
                2,
                5,
                3,
                None,
            ),
            7,
        ),
        (
            "assets/states/battle.json",
            p(
                "Battle",
                "Two armies of twenty, every unit kind and every terrain, on a 32 x 32 field.",
                32,
                2,
                20,
                5,
                None,
            ),
            11,
        ),
        (
            "assets/states/stress.json",
            p(
                "Stress",
                "Four armies of 250 on a 128 x 128 map: for measuring, not for reading.",
                128,
                4,
                250,
                10,
                None,
            ),
            3,
        ),
        (
            "assets/duels/crossing.json",
            p(
                "Crossing",
                "Duel: six against six across broken ground; 30 rounds, then the higher total hp wins.",
                16,
                2,
                6,
                2,
                Some(30),
            ),
            5,
        ),
        (
            "assets/duels/highlands.json",
            p(
                "Highlands",
                "Duel: ten against ten among hills and woods; 40 rounds, then the higher total hp wins.",
                24,
                2,
                10,
                2,
                Some(40),
            ),
            9,
        ),
    ]
}

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, params, seed) in samples() {
        let path = root.join(file);
        std::fs::write(&path, generate(&params, seed).to_json())?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
