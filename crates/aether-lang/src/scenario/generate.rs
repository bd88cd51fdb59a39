//! Procedural scenarios: a deterministic map and army generator.
//!
//! Same [`GenParams`] and seed, same scenario, byte for byte. The samples in `assets/` that are too
//! large to draw by hand are made with it (`cargo run --example make_sample_states`), and batch
//! duels can use it to play many maps.
//!
//! Maps are symmetric so that every side starts on equal ground: with two players the map is
//! point-symmetric (rotated half a turn), with four it is mirrored on both axes. Every spawn zone is
//! reachable from every other over passable ground.

use mc_tactical_types::{
    Player, Pos, SCHEMA_VERSION, TacticalState, Terrain, TileMap, Unit, UnitKind,
};

use super::Scenario;
use crate::interp::Rng;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenParams {
    /// Title of the scenario.
    pub name: String,
    /// Description for designers.
    pub description: String,
    /// Columns (at least 8).
    pub width: u16,
    /// Rows (at least 8).
    pub height: u16,
    /// 2 (west against east) or 4 (one per corner); other numbers are treated as 2.
    pub players: u8,
    /// Units each player starts with; each player gets one of every kind first.
    pub units_per_player: u32,
    /// Mana every player starts with.
    pub mana: u16,
    /// Turn limit for a duel scenario.
    pub turn_limit: Option<u32>,
}

/// A number in `0..n` (n > 0) from the next 32 high bits: the generator's only use of the
/// language's documented PRNG ([`Rng`], SplitMix64), so generated maps never change.
fn below(rng: &mut Rng, n: u32) -> u32 {
    (((rng.next_u64() >> 32) * u64::from(n)) >> 32) as u32
}

/// Two armies of `units` each on a `side` × `side` map (mana 6, no turn limit), generated from
/// `seed`: the maps the studio's corpora, fingerprints and benchmarks are made of.
pub fn two_armies(side: u16, units: u32, seed: u64) -> Scenario {
    generate(
        &GenParams {
            name: format!("{side}×{side}, {units} units a side"),
            description: String::new(),
            width: side,
            height: side,
            players: 2,
            units_per_player: units,
            mana: 6,
            turn_limit: None,
        },
        seed,
    )
}

/// A map generated from `seed` like `scenario`'s: the same size, players, armies (units of
/// slot 0), mana and turn limit, on fresh ground. Tuning plays each seed on its own map, so an
/// AI is not tuned to one map's corners.
pub fn like(scenario: &Scenario, seed: u64) -> Scenario {
    let state = &scenario.state;
    generate(
        &GenParams {
            name: format!("{}, map {seed}", scenario.name),
            description: format!("Generated like {} from seed {seed}.", scenario.name),
            width: state.map.width,
            height: state.map.height,
            players: state.players.len().min(255) as u8,
            units_per_player: state.units_of(0).count().max(1) as u32,
            mana: state.players.first().map_or(6, |p| p.mana),
            turn_limit: scenario.turn_limit,
        },
        seed,
    )
}

/// Generates a scenario; see the module documentation.
pub fn generate(params: &GenParams, seed: u64) -> Scenario {
    let width = params.width.max(8);
    let height = params.height.max(8);
    let players = if params.players == 4 { 4 } else { 2 };
    // Retry with derived seeds until every spawn zone connects; terrain is sparse enough that the
    // first or second attempt almost always succeeds. The bound keeps this total.
    let mut map = TileMap::filled(width, height, Terrain::Plains);
    for attempt in 0..64u64 {
        let mut rng = Rng::new(seed ^ attempt.wrapping_mul(0xA076_1D64_78BD_642F));
        map = terrain(width, height, players, &mut rng);
        if spawns_connected(&map, players) {
            break;
        }
    }
    if !spawns_connected(&map, players) {
        map = TileMap::filled(width, height, Terrain::Plains);
    }
    let mut rng = Rng::new(seed.rotate_left(17) ^ 0x5851_F42D_4C95_7F2D);
    let units = armies(&map, players, params.units_per_player, &mut rng);
    let state = TacticalState {
        schema: SCHEMA_VERSION,
        turn: 1,
        map,
        units,
        players: (0..players)
            .map(|slot| Player {
                slot,
                mana: params.mana.min(mc_tactical_types::MAX_MANA),
                alive: true,
            })
            .collect(),
    };
    Scenario {
        name: params.name.clone(),
        description: params.description.clone(),
        turn_limit: params.turn_limit,
        state,
    }
}

/// The images of `p` under the map's symmetry, one per player (index 0 is `p` itself).
fn images(p: Pos, w: u16, h: u16, players: u8) -> Vec<Pos> {
    let mx = w - 1 - p.x;
    let my = h - 1 - p.y;
    if players == 4 {
        vec![p, Pos::new(mx, p.y), Pos::new(p.x, my), Pos::new(mx, my)]
    } else {
        vec![p, Pos::new(mx, my)]
    }
}

/// The spawn zone of player 0: a band along the west edge (2 players) or the north-west corner.
fn spawn_zone(w: u16, h: u16, players: u8) -> (std::ops::Range<u16>, std::ops::Range<u16>) {
    if players == 4 {
        (0..(w / 4).max(3), 0..(h / 4).max(3))
    } else {
        (0..(w / 5).max(3), 0..h)
    }
}

fn terrain(w: u16, h: u16, players: u8, rng: &mut Rng) -> TileMap {
    let mut map = TileMap::filled(w, h, Terrain::Plains);
    let area = u32::from(w) * u32::from(h);
    let put = |map: &mut TileMap, p: Pos, t: Terrain| {
        for q in images(p, w, h, players) {
            map.set(q, t);
        }
    };
    // Blobs of forest and hills, ridges of mountain and streams of water, in that order so that
    // the impassable features cut through the softer ones.
    let features = [
        (Terrain::Forest, area / 40 + 1, 3u32),
        (Terrain::Hills, area / 70 + 1, 2),
        (Terrain::Mountain, area / 200 + 1, 4),
        (Terrain::Water, area / 260 + 1, 6),
    ];
    for (t, count, size) in features {
        for _ in 0..count {
            let mut p = Pos::new(
                below(rng, u32::from(w)) as u16,
                below(rng, u32::from(h)) as u16,
            );
            let steps = 2 + below(rng, size * 2);
            for _ in 0..steps {
                put(&mut map, p, t);
                let dir = below(rng, 4);
                p = match dir {
                    0 if p.x + 1 < w => Pos::new(p.x + 1, p.y),
                    1 if p.x > 0 => Pos::new(p.x - 1, p.y),
                    2 if p.y + 1 < h => Pos::new(p.x, p.y + 1),
                    3 if p.y > 0 => Pos::new(p.x, p.y - 1),
                    _ => p,
                };
            }
        }
    }
    map
}

fn spawns_connected(map: &TileMap, players: u8) -> bool {
    let (xs, ys) = spawn_zone(map.width, map.height, players);
    let Some(start) = xs
        .clone()
        .flat_map(|x| ys.clone().map(move |y| Pos::new(x, y)))
        .find(|&p| map.get(p).is_some_and(Terrain::is_passable))
    else {
        return false;
    };
    let mut seen = vec![false; map.tiles.len()];
    let mut stack = vec![start];
    while let Some(p) = stack.pop() {
        let Some(i) = map.index(p) else { continue };
        if seen[i] || !map.tiles[i].is_passable() {
            continue;
        }
        seen[i] = true;
        stack.extend(p.neighbours());
    }
    // Every player's mirrored start tile must be reached.
    images(start, map.width, map.height, players)
        .into_iter()
        .all(|q| map.index(q).is_some_and(|i| seen[i]))
}

fn armies(map: &TileMap, players: u8, per_player: u32, rng: &mut Rng) -> Vec<Unit> {
    let (xs, ys) = spawn_zone(map.width, map.height, players);
    let mut tiles: Vec<Pos> = ys
        .flat_map(|y| xs.clone().map(move |x| Pos::new(x, y)))
        .filter(|&p| map.get(p).is_some_and(Terrain::is_passable))
        .collect();
    // Fisher-Yates with our PRNG, then prefer tiles near the front line (east or south-east).
    for i in (1..tiles.len()).rev() {
        let j = below(rng, i as u32 + 1) as usize;
        tiles.swap(i, j);
    }
    tiles.sort_by_key(|p| std::cmp::Reverse((p.x + if players == 4 { p.y } else { 0 }) / 2));
    let kinds_cycle = [
        UnitKind::Warrior,
        UnitKind::Archer,
        UnitKind::Knight,
        UnitKind::Mage,
        UnitKind::Dwarf,
        UnitKind::Warrior,
        UnitKind::Archer,
        UnitKind::Dwarf,
        UnitKind::Warrior,
        UnitKind::Knight,
    ];
    let count = (per_player as usize).min(tiles.len());
    let mut per_slot: Vec<Vec<Unit>> = vec![Vec::new(); usize::from(players)];
    for (n, &p) in tiles.iter().take(count).enumerate() {
        let kind = kinds_cycle[n % kinds_cycle.len()];
        for (slot, q) in images(p, map.width, map.height, players)
            .into_iter()
            .enumerate()
        {
            let id = (slot * count + n + 1) as u32;
            per_slot[slot].push(Unit::new(id, slot as u8, kind, q));
        }
    }
    per_slot.into_iter().flatten().collect()
}
