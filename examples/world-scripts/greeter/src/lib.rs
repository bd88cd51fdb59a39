//! `greeter`: an example world script, written from `docs/world-script-abi.md` alone.
//!
//! * When a player joins, it counts the visit in its storage (key `visits`, a little-endian
//!   `u32`) and shows them "Welcome, <name>! Visitor #<n>".
//! * Every 20 ticks (a second of world time) it drops a crate on row 2 and plays a thud there.
//!
//! Build with `cargo build --release --target wasm32-unknown-unknown`.

use aether_world_types::{CallCode, WorldEvent};

/// The identity string, `"<name> <semver>"`.
static IDENT: [u8; 13] = *b"greeter 1.0.0";

/// The exported global holds the address of this cell; the cell holds the address of `IDENT`.
#[unsafe(no_mangle)]
pub static __ident_ptr: &[u8; 13] = &IDENT;

/// The exported global holds the address of this cell; the cell holds the length of `IDENT`.
#[unsafe(no_mangle)]
pub static __ident_len: i32 = IDENT.len() as i32;

#[link(wasm_import_module = "aether")]
unsafe extern "C" {
    fn entity_spawn(kind_ptr: i32, kind_len: i32, x: f32, y: f32) -> i64;
    fn audio_play(sound_ptr: i32, sound_len: i32, x: f32, y: f32) -> i32;
    fn storage_read(key_ptr: i32, key_len: i32, out_ptr: i32, out_cap: i32) -> i32;
    fn storage_write(key_ptr: i32, key_len: i32, val_ptr: i32, val_len: i32) -> i32;
    fn ui_message(player: i32, text_ptr: i32, text_len: i32) -> i32;
}

fn ptr(bytes: &[u8]) -> i32 {
    bytes.as_ptr() as usize as i32
}

/// Called once per instance; non-zero means ready.
#[unsafe(no_mangle)]
pub extern "C" fn init() -> u32 {
    1
}

/// Handles one event. Returns 0, or a negative number when the event does not decode.
///
/// # Safety
/// The host guarantees `event_ptr..+event_len` lies in linear memory for this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn on_event(event_ptr: i32, event_len: i32) -> i32 {
    // SAFETY: the host placed the event at this address for this call.
    let bytes =
        unsafe { core::slice::from_raw_parts(event_ptr as usize as *const u8, event_len as usize) };
    // An event this build cannot read comes from a newer contract: ignore it (the contract
    // asks scripts to, so they keep working in newer worlds).
    let Ok(event) = postcard::from_bytes::<WorldEvent>(bytes) else {
        return 0;
    };
    match event {
        WorldEvent::PlayerJoined { player, name } => greet(player.0, &name),
        WorldEvent::Tick { tick } if tick % 20 == 0 => drop_crate(tick / 20),
        _ => 0,
    }
}

fn greet(player: u32, name: &str) -> i32 {
    let key = b"visits";
    let mut buf = [0u8; 4];
    // SAFETY: the pointers and lengths describe our own live buffers.
    let read = unsafe { storage_read(ptr(key), key.len() as i32, ptr(&buf), 4) };
    let visits = if read == 4 { u32::from_le_bytes(buf) } else { 0 } + 1;
    buf = visits.to_le_bytes();
    // SAFETY: as above.
    let wrote = unsafe { storage_write(ptr(key), key.len() as i32, ptr(&buf), 4) };
    if wrote < 0 && CallCode::from_i32(wrote) != Some(CallCode::Throttled) {
        return wrote;
    }
    let text = format!("Welcome, {name}! Visitor #{visits}");
    // SAFETY: as above.
    unsafe { ui_message(player as i32, ptr(text.as_bytes()), text.len() as i32) };
    0
}

fn drop_crate(second: u64) -> i32 {
    let (x, y) = ((second % 8) as f32 + 0.5, 2.5);
    let (kind, sound) = (b"crate", b"thud");
    // SAFETY: the pointers and lengths describe our own live buffers.
    let spawned = unsafe { entity_spawn(ptr(kind), kind.len() as i32, x, y) };
    if spawned >= 0 {
        // SAFETY: as above.
        unsafe { audio_play(ptr(sound), sound.len() as i32, x, y) };
    }
    0
}
