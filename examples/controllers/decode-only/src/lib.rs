//! `decode-only`: a controller that reads the state with serde + postcard, as rustc compiles
//! them, and replies with no actions. The benchmark's yardstick for the compiled runtime's
//! decoder: an idle graph (On Turn only) does the same work, so the fuel of the two compares
//! the decoders.

use mc_tactical_types::{Action, TacticalState};

static IDENT: [u8; 17] = *b"decode-only 1.0.0";

/// The exported global holds the address of this cell; the cell holds the address of `IDENT`.
#[unsafe(no_mangle)]
pub static __ident_ptr: &[u8; 17] = &IDENT;

/// The exported global holds the address of this cell; the cell holds the length of `IDENT`.
#[unsafe(no_mangle)]
pub static __ident_len: i32 = IDENT.len() as i32;

/// Called once at load; non-zero means ready.
#[unsafe(no_mangle)]
pub extern "C" fn init() -> u32 {
    1
}

/// Decodes the state (refusing a malformed one with -1) and replies with an empty list.
///
/// # Safety
/// The host guarantees `state_ptr..+state_len` and `out_ptr..+out_cap` lie in linear memory.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn decide_turn(
    state_ptr: i32,
    state_len: i32,
    _slot: u32,
    _seed: u64,
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
    // Keep the decoded state alive so the decoding is not optimised away.
    core::hint::black_box(&state);
    let none: Vec<Action> = Vec::new();
    match postcard::to_slice(&none, out) {
        Ok(written) => written.len() as i32,
        Err(_) => -2,
    }
}
