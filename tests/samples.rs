//! The sample states and duel scenarios in `assets/`: each loads, is valid, has the advertised
//! shape, and the generated ones are byte for byte what the generator writes.

use std::collections::BTreeSet;
use std::path::Path;

use aether_lang::Scenario;
use aether_lang::scenario::generate::generate;
use mc_tactical_types::{Terrain, UnitKind, rules};

#[allow(dead_code)]
#[path = "../examples/make_sample_states.rs"]
mod make_sample_states;

fn load(file: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn committed_samples_are_exactly_what_the_generator_writes() {
    for (file, params, seed) in make_sample_states::samples() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let committed = std::fs::read_to_string(&path).unwrap();
        let fresh = generate(&params, seed).to_json();
        assert!(
            committed == fresh,
            "{file} differs from the generator's output; run `cargo run --example make_sample_states`"
        );
        // And the generator is deterministic.
        assert_eq!(fresh, generate(&params, seed).to_json());
    }
}

#[test]
fn every_sample_is_valid_and_round_trips() {
    for (file, _, _) in make_sample_states::samples() {
        let s = load(file);
        assert_eq!(rules::check_state(&s.state), vec![], "{file}");
        let again = Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(again, s, "{file} round trip");
        assert!(!s.name.is_empty() && !s.description.is_empty(), "{file}");
        let ids: BTreeSet<u32> = s.state.units.iter().map(|u| u.id).collect();
        assert_eq!(ids.len(), s.state.units.len(), "{file}: unique ids");
        for u in &s.state.units {
            assert!(u.hp >= 1 && u.hp <= u.max_hp, "{file}: unit {}", u.id);
            assert!(s.state.map.get(u.pos).is_some_and(Terrain::is_passable));
        }
        assert_eq!(
            s.state.map.tiles.len(),
            usize::from(s.state.map.width) * usize::from(s.state.map.height)
        );
    }
}

#[test]
fn samples_have_the_advertised_sizes() {
    let size = |f: &str| {
        let s = load(f);
        (s.state.map.width, s.state.map.height, s.state.units.len())
    };
    assert_eq!(size("assets/states/skirmish.json"), (12, 12, 10));
    assert_eq!(size("assets/states/battle.json"), (32, 32, 40));
    assert_eq!(size("assets/states/stress.json"), (128, 128, 1000));
}

#[test]
fn the_battle_has_every_unit_kind_and_every_terrain() {
    let s = load("assets/states/battle.json").state;
    let kinds: BTreeSet<UnitKind> = s.units.iter().map(|u| u.kind).collect();
    assert_eq!(kinds.len(), UnitKind::ALL.len());
    let terrains: BTreeSet<Terrain> = s.map.tiles.iter().copied().collect();
    assert_eq!(terrains.len(), Terrain::ALL.len());
}

#[test]
fn duel_scenarios_have_two_players_and_a_turn_limit() {
    for file in ["assets/duels/crossing.json", "assets/duels/highlands.json"] {
        let s = load(file);
        assert!(s.is_duel(), "{file}");
        // Both sides start equal: same unit count and total hp.
        assert_eq!(s.state.units_of(0).count(), s.state.units_of(1).count());
        assert_eq!(s.state.total_hp(0), s.state.total_hp(1));
    }
}

/// The maps tuning plays on: generated like a duel scenario, each keeps its size, its two
/// armies, its mana and its turn limit, differs from seed to seed, and is the same for a seed.
#[test]
fn maps_generated_like_a_duel_scenario_keep_its_shape() {
    for file in ["assets/duels/crossing.json", "assets/duels/highlands.json"] {
        let s = load(file);
        let a = aether_lang::scenario::generate::like(&s, 7);
        let b = aether_lang::scenario::generate::like(&s, 8);
        for g in [&a, &b] {
            assert_eq!(
                (g.state.map.width, g.state.map.height),
                (s.state.map.width, s.state.map.height),
                "{file}"
            );
            assert_eq!(g.turn_limit, s.turn_limit);
            assert_eq!(g.state.players.len(), 2);
            assert_eq!(g.state.players[0].mana, s.state.players[0].mana);
            for slot in 0..2 {
                assert_eq!(
                    g.state.units_of(slot).count(),
                    s.state.units_of(0).count(),
                    "{file} slot {slot}"
                );
            }
            assert_eq!(
                rules::check_state(&g.state),
                vec![],
                "{file}: a well-formed state"
            );
        }
        assert_ne!(
            a.state.map, b.state.map,
            "{file}: another seed, another map"
        );
        assert_eq!(a, aether_lang::scenario::generate::like(&s, 7));
    }
}
