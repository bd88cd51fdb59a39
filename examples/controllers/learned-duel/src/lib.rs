//! `learned-duel`: the reference AI controller for Magic Civilization.
//!
//! Written exactly as the controller contract tells mod authors to: the three exports (`init`,
//! `decide_turn`, the identity statics), postcard over the `mc-tactical-types` wire types, and
//! nothing imported from the host.
//!
//! The plan, unit by unit in id order: attack the weakest enemy in range; otherwise move to the
//! reachable tile closest to the nearest visible enemy (or, while no enemy is in sight, toward the
//! centre of the map, where the armies of the game's symmetric maps meet), then attack if
//! one came into range. Each action is
//! applied to the controller's own copy of the state with the shared rules, so later units plan
//! around earlier ones. Build with
//! `cargo build --release --target wasm32-unknown-unknown`.

use mc_tactical_types::rules::{self, TurnLedger};
use mc_tactical_types::{Action, Pos, TacticalState, Unit};

/// The identity string, `"<name> <semver>"`.
static IDENT: [u8; 20] = *b"learned-duel 1.0.0-b";

/// The exported global holds the address of this cell; the cell holds the address of `IDENT`.
#[unsafe(no_mangle)]
pub static __ident_ptr: &[u8; 20] = &IDENT;

/// The exported global holds the address of this cell; the cell holds the length of `IDENT`.
#[unsafe(no_mangle)]
pub static __ident_len: i32 = IDENT.len() as i32;

/// Called once at load; non-zero means ready.
#[unsafe(no_mangle)]
pub extern "C" fn init() -> u32 {
    1
}

/// The hot path: read the state, plan, write the reply. Returns the reply's length, or a negative
/// number on error (-1: the state did not decode, -2: the reply did not fit).
///
/// # Safety
/// The host guarantees `state_ptr..+state_len` and `out_ptr..+out_cap` lie in linear memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn decide_turn(
    state_ptr: i32,
    state_len: i32,
    slot: u32,
    seed: u64,
    out_ptr: i32,
    out_cap: i32,
) -> i32 {
    // SAFETY: the host placed the state at this address for this call.
    let input =
        unsafe { core::slice::from_raw_parts(state_ptr as usize as *const u8, state_len as usize) };
    // SAFETY: the host reserved this buffer for the reply; nothing else aliases it.
    let out =
        unsafe { core::slice::from_raw_parts_mut(out_ptr as usize as *mut u8, out_cap as usize) };
    let Ok(state) = postcard::from_bytes::<TacticalState>(input) else {
        return -1;
    };
    let actions = plan(state, slot as u8, seed);
    match postcard::to_slice(&actions, out) {
        Ok(written) => written.len() as i32,
        Err(_) => -2,
    }
}

/// The controller's decisions for `slot` (also callable natively, for tests).
pub fn plan(mut state: TacticalState, slot: u8, _seed: u64) -> Vec<Action> {
    let mut ledger = TurnLedger::new(slot);
    let mut actions = Vec::new();
    let mut mine: Vec<u32> = state.units_of(slot).map(|u| u.id).collect();
    mine.sort_unstable();
    for id in mine {
        if try_attack(&mut state, &mut ledger, &mut actions, id) {
            continue;
        }
        let Some(unit) = state.unit(id).cloned() else {
            continue;
        };
        if let Some(to) = step_toward_nearest(&state, &unit) {
            let action = Action::Move { unit: id, to };
            if rules::apply(&mut state, &mut ledger, &action).is_ok() {
                actions.push(action);
                try_attack(&mut state, &mut ledger, &mut actions, id);
            }
        }
    }
    actions
}

/// Attacks the weakest enemy in range (lowest hp, then lowest id); true if it did.
fn try_attack(
    state: &mut TacticalState,
    ledger: &mut TurnLedger,
    actions: &mut Vec<Action>,
    id: u32,
) -> bool {
    let Some(unit) = state.unit(id) else {
        return false;
    };
    let target = state
        .units
        .iter()
        .filter(|e| e.owner != unit.owner && unit.pos.distance(e.pos) <= u32::from(unit.range))
        .min_by_key(|e| (e.hp, e.id))
        .map(|e| e.id);
    let Some(target) = target else {
        return false;
    };
    let action = Action::Attack { unit: id, target };
    if rules::apply(state, ledger, &action).is_ok() {
        actions.push(action);
        true
    } else {
        false
    }
}

/// The reachable tile that brings the unit closest to its goal, if it is closer than where the
/// unit stands. The goal is the nearest visible enemy, or else the centre of the map.
fn step_toward_nearest(state: &TacticalState, unit: &Unit) -> Option<Pos> {
    let goal = state
        .units
        .iter()
        .filter(|e| e.owner != unit.owner)
        .min_by_key(|e| (unit.pos.distance(e.pos), e.id))
        .map(|e| e.pos)
        .unwrap_or(Pos::new(state.map.width / 2, state.map.height / 2));
    let here = unit.pos.distance(goal);
    rules::reachable(state, unit)
        .into_iter()
        .map(|(p, cost)| (p.distance(goal), cost, p))
        .filter(|&(d, _, _)| d < here)
        .min_by_key(|&(d, cost, p)| (d, cost, p.y, p.x))
        .map(|(_, _, p)| p)
}
