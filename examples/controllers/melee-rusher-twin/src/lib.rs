//! `melee-rusher-twin`: the melee-rusher graph template (`examples/graphs/melee-rusher.mcgraph.json`)
//! written by hand in Rust, deciding exactly as the graph does (a test holds it to that), so the
//! benchmark compares the compiler's code with rustc's on equal terms.
//!
//! For each of my units in id order: strike the weakest enemy in reach; otherwise march on the
//! nearest enemy and strike if one came into reach; with no enemy in sight, scout toward the
//! nearest hidden tile.

use mc_tactical_types::{Action, TacticalState};

#[path = "../../twin-common.rs"]
mod common;

static IDENT: [u8; 23] = *b"melee-rusher-twin 1.0.0";

/// The exported global holds the address of this cell; the cell holds the address of `IDENT`.
#[unsafe(no_mangle)]
pub static __ident_ptr: &[u8; 23] = &IDENT;

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
        if t.state.unit(id).is_none() {
            continue;
        }
        common::charge(&mut t, id);
    }
    t.actions
}
