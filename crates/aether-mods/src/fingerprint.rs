//! The behaviour fingerprint an exported AI mod carries in its manifest: a hash of its module's
//! replies over a fixed corpus of states built into the studio, so a module rebuilt or changed
//! after export, under the same id and version, is caught by what it *does*, not only by its
//! bytes.
//!
//! The corpus is versioned ([`CORPUS_VERSION`]) together with the wire schema
//! (`mc_tactical_types::SCHEMA_VERSION`): both numbers are written beside the hash, and a
//! manifest whose numbers are not this studio's is reported as such (its fingerprint cannot be
//! checked here), never as a mismatch. Version 1: twelve generated two-player maps
//! (`scenario::generate`, map seeds 9001..=9012, from 8×8 with 2 units a side to 40×40 with
//! 40), each played from both seats with the seed `9001 + map × 2 + slot`: 24 turns, each on a
//! fresh instance, under the game's caps.
//!
//! The hash: SHA-256 over, for each turn in order, the outcome's code (`ok`, `fuel_exhausted`…),
//! a zero byte, the reply's length as 4 little-endian bytes, and the reply bytes. Fuel is not
//! part of it: two builds of one graph that reply alike fingerprint alike.

use std::fmt;

use mc_tactical_types::{Pos, TacticalState};
use sha2::{Digest, Sha256};

use aether_host::Controller;
use aether_lang::interp::Rng;
use aether_lang::scenario::generate::two_armies;

/// The version of the built-in corpus; a new corpus (other states, other seeds) is a new
/// version.
pub const CORPUS_VERSION: u32 = 1;

/// A module's behaviour fingerprint, as the manifest writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// The corpus version it was computed on.
    pub corpus: u32,
    /// The wire schema the corpus's states were sent in.
    pub schema: u16,
    /// SHA-256 of the replies, 64 lowercase hex digits.
    pub hash: String,
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (corpus {}, schema {})",
            &self.hash[..self.hash.len().min(16)],
            self.corpus,
            self.schema
        )
    }
}

/// One turn of the corpus: the authoritative state, the seat and the seed.
#[derive(Clone, Debug)]
pub struct CorpusTurn {
    /// The state (the controller sees it through `rules::view_for`).
    pub state: TacticalState,
    /// The seat.
    pub slot: u8,
    /// The turn's seed.
    pub seed: u64,
}

/// The built-in corpus of [`CORPUS_VERSION`], in order.
pub fn corpus() -> Vec<CorpusTurn> {
    const SIZES: [(u16, u32); 6] = [(8, 2), (12, 4), (16, 8), (20, 12), (28, 20), (40, 40)];
    let mut out = Vec::new();
    for map in 0..12u64 {
        let (side, units) = SIZES[map as usize % SIZES.len()];
        let start = two_armies(side, units, 9001 + map).state;
        let battle = scattered(&start, 9101 + map);
        for (variant, state) in [start, battle].into_iter().enumerate() {
            for slot in 0..2u8 {
                out.push(CorpusTurn {
                    state: state.clone(),
                    slot,
                    seed: 9001 + map * 4 + variant as u64 * 2 + u64::from(slot),
                });
            }
        }
    }
    out
}

/// `state` in mid-battle: every unit on a random free passable tile with random hp (1 to its
/// maximum), so armies touch and queries find enemies in range, the weakest, the wounded.
/// The language's PRNG with `seed`: the same every time.
fn scattered(state: &TacticalState, seed: u64) -> TacticalState {
    let mut rng = Rng::new(seed);
    let mut out = state.clone();
    let (w, h) = (i32::from(out.map.width), i32::from(out.map.height));
    let mut taken: Vec<Pos> = Vec::new();
    for i in 0..out.units.len() {
        // Far more tries than a sparse map needs; a unit that finds no tile stays where it was.
        for _ in 0..1000 {
            let p = Pos::new(rng.between(0, w - 1) as u16, rng.between(0, h - 1) as u16);
            if out.map.get(p).is_some_and(|t| t.is_passable()) && !taken.contains(&p) {
                out.units[i].pos = p;
                break;
            }
        }
        taken.push(out.units[i].pos);
        let max = i32::from(out.units[i].max_hp.max(1));
        out.units[i].hp = rng.between(1, max) as u16;
    }
    out
}

/// Plays `controller` on the corpus and hashes its replies.
pub fn fingerprint(controller: &Controller) -> Fingerprint {
    let mut hash = Sha256::new();
    for turn in corpus() {
        let report = controller
            .session()
            .play_turn(&turn.state, turn.slot, turn.seed);
        hash.update(report.outcome.code().as_bytes());
        hash.update([0]);
        hash.update((report.reply.len() as u32).to_le_bytes());
        hash.update(&report.reply);
    }
    Fingerprint {
        corpus: CORPUS_VERSION,
        schema: mc_tactical_types::SCHEMA_VERSION,
        hash: crate::sign::to_hex(&hash.finalize()),
    }
}

/// Whether `controller` still replies as `recorded` says; the error says what differs in words
/// a mod author can act on.
pub fn check(recorded: &Fingerprint, controller: &Controller) -> Result<(), String> {
    if recorded.corpus != CORPUS_VERSION || recorded.schema != mc_tactical_types::SCHEMA_VERSION {
        return Err(format!(
            "the fingerprint was made on corpus {} with schema {}, and this studio checks corpus \
             {CORPUS_VERSION} with schema {}; export the mod again with this studio",
            recorded.corpus,
            recorded.schema,
            mc_tactical_types::SCHEMA_VERSION
        ));
    }
    let now = fingerprint(controller);
    if now.hash == recorded.hash {
        Ok(())
    } else {
        Err(format!(
            "the module's replies no longer match the manifest's fingerprint ({} recorded, {} \
             now): the module was rebuilt or changed after it was exported; export the mod again \
             from its graph (a new version number if it plays differently)",
            &recorded.hash[..16],
            &now.hash[..16]
        ))
    }
}
