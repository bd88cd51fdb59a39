//! `archer-skirmisher-twin`: the archer-skirmisher graph template
//! (`examples/graphs/archer-skirmisher.mcgraph.json`) written by hand in Rust, deciding exactly as
//! the graph does (a test holds it to that).
//!
//! For each of my units in id order: an archer with an enemy next to it steps away from that enemy
//! and shoots the weakest enemy in reach; every other unit (and an archer with room) charges.

use mc_tactical_types::{Action, TacticalState, UnitKind};

#[path = "../../twin-common.rs"]
mod common;

static IDENT: [u8; 28] = *b"archer-skirmisher-twin 1.0.0";

/// The exported global holds the address of this cell; the cell holds the address of `IDENT`.
#[unsafe(no_mangle)]
pub static __ident_ptr: &[u8; 28] = &IDENT;

/// The exported global holds the address of this cell; the cell holds the length of `IDENT`.
#[unsafe(no_mangle)]
pub static __ident_len: i32 = IDENT.len() as i32;

/// Called once at load; non-zero means ready.
#[unsafe(no_mangle)]
pub extern "C" fn init() -> u32 {
    1
}

/// The hot path: read the state, plan, write the reply.
///
/// # Safety
/// The host guarantees `state_ptr..+state_len` and `out_ptr..+out_cap` lie in linear memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn decide_turn(
    state_ptr: i32,
    state_len: i32,
    slot: u32,
    _seed: u64,
    out_ptr: i32,
    out_cap: i32,
) -> i32 {
    // SAFETY: passed on from the host's guarantee.
    unsafe { common::decide(state_ptr, state_len, slot, out_ptr, out_cap, plan) }
}

/// The decisions for `slot` (also callable natively).
pub fn plan(state: TacticalState, slot: u8) -> Vec<Action> {
    let mut t = common::Turn::new(state, slot);
    for id in t.mine() {
        let Some(u) = t.state.unit(id).cloned() else {
            continue;
        };
        if u.kind != UnitKind::Archer {
            common::charge(&mut t, id);
            continue;
        }
        let nearest = t.nearest_enemy(id);
        let close = u.pos.distance(t.position(nearest)) <= 1 && t.unit(nearest).is_some();
        if close {
            let from = t.position(t.nearest_enemy(id));
            t.step(id, from, false);
            let target = t.weakest_in_range(id);
            t.attack(id, target);
        } else {
            common::charge(&mut t, id);
        }
    }
    t.actions
}
