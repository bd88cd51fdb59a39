//! The `"aether"` imports in wasmtime: the contract's table of imports ([`IMPORTS`]) and the
//! functions a world script's module is linked to, each reading its arguments from the
//! script's memory (a bad pointer or length is `invalid_argument`) and then asking the world
//! side of the calls ([`ImportCalls`], implemented by `aether_world::ScriptCalls`, which checks
//! every limit and rate first).

use std::sync::{Arc, Mutex, MutexGuard};

use aether_lang::imports::ImportCalls;
use aether_world::calls::{MAX_NAME_BYTES, MAX_PAYLOAD_BYTES};
use aether_world_types::CallCode;
use wasmparser::ValType;
use wasmtime::{Caller, Linker};

use crate::instance::GuestLimiter;

const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;
const F32: ValType = ValType::F32;

/// The world-script contract's imports, module `"aether"`: name, parameters, results.
pub const IMPORTS: [(&str, &[ValType], &[ValType]); 20] = [
    ("entity_spawn", &[I32, I32, F32, F32], &[I64]),
    ("entity_destroy", &[I32], &[I32]),
    ("entity_position", &[I32, I32], &[I32]),
    ("physics_apply_force", &[I32, F32, F32], &[I32]),
    ("audio_play", &[I32, I32, F32, F32], &[I32]),
    ("network_send", &[I32, I32, I32], &[I32]),
    ("storage_read", &[I32, I32, I32, I32], &[I32]),
    ("storage_write", &[I32, I32, I32, I32], &[I32]),
    ("ui_message", &[I32, I32, I32], &[I32]),
    ("entity_kind", &[I32, I32, I32], &[I32]),
    ("entity_next_near", &[F32, F32, F32, I32], &[I64]),
    ("physics_set_velocity", &[I32, F32, F32], &[I32]),
    ("physics_raycast", &[F32, F32, F32, F32, F32], &[I64]),
    ("ui_objective", &[I32, I32, I32], &[I32]),
    ("ui_marker", &[F32, F32, I32, I32], &[I32]),
    ("entity_is_mine", &[I32], &[I32]),
    ("entity_hp", &[I32], &[I32]),
    ("entity_set_hp", &[I32, I32], &[I32]),
    ("network_broadcast", &[I32, I32], &[I32]),
    ("network_send_script", &[I32, I32, I32, I32], &[I32]),
];

/// The store's data for a world script: its memory limiter and its calls.
pub struct ScriptHost {
    /// The script's memory and table limiter.
    pub limiter: GuestLimiter,
    /// The world's side of the calls (a replay of a journal when measuring fuel per node).
    pub calls: Arc<Mutex<dyn ImportCalls + Send>>,
}

impl std::fmt::Debug for ScriptHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptHost").finish_non_exhaustive()
    }
}

type Ctx<'a> = Caller<'a, ScriptHost>;

fn lock<T: ?Sized>(calls: &Arc<Mutex<T>>) -> MutexGuard<'_, T> {
    calls.lock().unwrap_or_else(|p| p.into_inner())
}

/// Bytes `ptr..ptr + len` of the script's memory, at most `max`.
fn read(caller: &mut Ctx<'_>, ptr: i32, len: i32, max: usize) -> Result<Vec<u8>, CallCode> {
    let memory = caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .ok_or(CallCode::InvalidArgument)?;
    let (Ok(ptr), Ok(len)) = (usize::try_from(ptr), usize::try_from(len)) else {
        return Err(CallCode::InvalidArgument);
    };
    if len > max {
        return Err(CallCode::InvalidArgument);
    }
    memory
        .data(&caller)
        .get(ptr..ptr.checked_add(len).ok_or(CallCode::InvalidArgument)?)
        .map(<[u8]>::to_vec)
        .ok_or(CallCode::InvalidArgument)
}

fn read_text(caller: &mut Ctx<'_>, ptr: i32, len: i32, max: usize) -> Result<String, CallCode> {
    String::from_utf8(read(caller, ptr, len, max)?).map_err(|_| CallCode::InvalidArgument)
}

/// Writes `bytes` at `ptr` in the script's memory.
fn write(caller: &mut Ctx<'_>, ptr: i32, bytes: &[u8]) -> Result<(), CallCode> {
    let memory = caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .ok_or(CallCode::InvalidArgument)?;
    let ptr = usize::try_from(ptr).map_err(|_| CallCode::InvalidArgument)?;
    memory
        .write(caller, ptr, bytes)
        .map_err(|_| CallCode::InvalidArgument)
}

/// The script's calls, locked (scripts run one at a time: never contended).
fn calls_of(c: &Ctx<'_>) -> Arc<Mutex<dyn ImportCalls + Send>> {
    c.data().calls.clone()
}

/// A refusal found while reading the script's memory, counted like any other.
fn refused(c: &Ctx<'_>, import: &str, code: CallCode) -> i64 {
    lock(&calls_of(c)).refuse(import, code)
}

/// Defines every import of [`IMPORTS`] in `linker`: each reads its arguments from the script's
/// memory (a bad pointer or length is `invalid_argument`), then calls [`ImportCalls`].
pub fn link(linker: &mut Linker<ScriptHost>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "aether",
        "entity_spawn",
        |mut c: Ctx<'_>, kind_ptr: i32, kind_len: i32, x: f32, y: f32| -> i64 {
            match read_text(&mut c, kind_ptr, kind_len, MAX_NAME_BYTES) {
                Ok(kind) => lock(&calls_of(&c)).entity_spawn(&kind, x, y),
                Err(code) => refused(&c, "entity_spawn", code),
            }
        },
    )?;
    linker.func_wrap("aether", "entity_destroy", |c: Ctx<'_>, e: i32| -> i32 {
        lock(&calls_of(&c)).entity_destroy(e)
    })?;
    linker.func_wrap(
        "aether",
        "entity_position",
        |mut c: Ctx<'_>, e: i32, out_ptr: i32| -> i32 {
            let at = lock(&calls_of(&c)).entity_position(e);
            match at {
                Ok(at) => {
                    let mut bytes = [0u8; 8];
                    bytes[..4].copy_from_slice(&at.x.to_le_bytes());
                    bytes[4..].copy_from_slice(&at.y.to_le_bytes());
                    match write(&mut c, out_ptr, &bytes) {
                        Ok(()) => 0,
                        Err(code) => refused(&c, "entity_position", code) as i32,
                    }
                }
                Err(code) => code,
            }
        },
    )?;
    linker.func_wrap(
        "aether",
        "physics_apply_force",
        |c: Ctx<'_>, e: i32, fx: f32, fy: f32| -> i32 {
            lock(&calls_of(&c)).physics_apply_force(e, fx, fy)
        },
    )?;
    linker.func_wrap(
        "aether",
        "audio_play",
        |mut c: Ctx<'_>, ptr: i32, len: i32, x: f32, y: f32| -> i32 {
            match read_text(&mut c, ptr, len, MAX_NAME_BYTES) {
                Ok(sound) => lock(&calls_of(&c)).audio_play(&sound, x, y),
                Err(code) => refused(&c, "audio_play", code) as i32,
            }
        },
    )?;
    linker.func_wrap(
        "aether",
        "network_send",
        |mut c: Ctx<'_>, to: i32, ptr: i32, len: i32| -> i32 {
            match read(&mut c, ptr, len, MAX_PAYLOAD_BYTES) {
                Ok(body) => lock(&calls_of(&c)).network_send(to, &body),
                Err(code) => refused(&c, "network_send", code) as i32,
            }
        },
    )?;
    linker.func_wrap(
        "aether",
        "storage_read",
        |mut c: Ctx<'_>, key_ptr: i32, key_len: i32, out_ptr: i32, out_cap: i32| -> i32 {
            let key = match read(&mut c, key_ptr, key_len, MAX_NAME_BYTES) {
                Ok(key) => key,
                Err(code) => return refused(&c, "storage_read", code) as i32,
            };
            let cap = usize::try_from(out_cap).unwrap_or(0);
            let value = lock(&calls_of(&c)).storage_read(&key, cap);
            match value {
                Ok(value) => match write(&mut c, out_ptr, &value) {
                    Ok(()) => value.len() as i32,
                    Err(code) => refused(&c, "storage_read", code) as i32,
                },
                Err(code) => code,
            }
        },
    )?;
    linker.func_wrap(
        "aether",
        "storage_write",
        |mut c: Ctx<'_>, key_ptr: i32, key_len: i32, val_ptr: i32, val_len: i32| -> i32 {
            let args = read(&mut c, key_ptr, key_len, MAX_NAME_BYTES)
                .and_then(|k| Ok((k, read(&mut c, val_ptr, val_len, MAX_PAYLOAD_BYTES)?)));
            match args {
                Ok((key, value)) => lock(&calls_of(&c)).storage_write(&key, &value),
                Err(code) => refused(&c, "storage_write", code) as i32,
            }
        },
    )?;
    linker.func_wrap(
        "aether",
        "entity_kind",
        |mut c: Ctx<'_>, e: i32, out_ptr: i32, out_cap: i32| -> i32 {
            let cap = usize::try_from(out_cap).unwrap_or(0);
            let kind = lock(&calls_of(&c)).entity_kind(e, cap);
            match kind {
                Ok(kind) => match write(&mut c, out_ptr, &kind) {
                    Ok(()) => kind.len() as i32,
                    Err(code) => refused(&c, "entity_kind", code) as i32,
                },
                Err(code) => code,
            }
        },
    )?;
    linker.func_wrap(
        "aether",
        "network_broadcast",
        |mut c: Ctx<'_>, ptr: i32, len: i32| -> i32 {
            match read(&mut c, ptr, len, MAX_PAYLOAD_BYTES) {
                Ok(body) => lock(&calls_of(&c)).network_broadcast(&body),
                Err(code) => refused(&c, "network_broadcast", code) as i32,
            }
        },
    )?;
    linker.func_wrap(
        "aether",
        "network_send_script",
        |mut c: Ctx<'_>, name_ptr: i32, name_len: i32, ptr: i32, len: i32| -> i32 {
            let args = read_text(&mut c, name_ptr, name_len, MAX_NAME_BYTES)
                .and_then(|n| Ok((n, read(&mut c, ptr, len, MAX_PAYLOAD_BYTES)?)));
            match args {
                Ok((name, body)) => lock(&calls_of(&c)).network_send_script(&name, &body),
                Err(code) => refused(&c, "network_send_script", code) as i32,
            }
        },
    )?;
    linker.func_wrap("aether", "entity_is_mine", |c: Ctx<'_>, e: i32| -> i32 {
        lock(&calls_of(&c)).entity_is_mine(e)
    })?;
    linker.func_wrap("aether", "entity_hp", |c: Ctx<'_>, e: i32| -> i32 {
        lock(&calls_of(&c)).entity_hp(e)
    })?;
    linker.func_wrap(
        "aether",
        "entity_set_hp",
        |c: Ctx<'_>, e: i32, hp: i32| -> i32 { lock(&calls_of(&c)).entity_set_hp(e, hp) },
    )?;
    linker.func_wrap(
        "aether",
        "entity_next_near",
        |c: Ctx<'_>, x: f32, y: f32, radius: f32, after: i32| -> i64 {
            lock(&calls_of(&c)).entity_next_near(x, y, radius, after)
        },
    )?;
    linker.func_wrap(
        "aether",
        "physics_set_velocity",
        |c: Ctx<'_>, e: i32, vx: f32, vy: f32| -> i32 {
            lock(&calls_of(&c)).physics_set_velocity(e, vx, vy)
        },
    )?;
    linker.func_wrap(
        "aether",
        "physics_raycast",
        |c: Ctx<'_>, x: f32, y: f32, dx: f32, dy: f32, max: f32| -> i64 {
            lock(&calls_of(&c)).physics_raycast(x, y, dx, dy, max)
        },
    )?;
    linker.func_wrap(
        "aether",
        "ui_objective",
        |mut c: Ctx<'_>, to: i32, ptr: i32, len: i32| -> i32 {
            match read_text(&mut c, ptr, len, MAX_PAYLOAD_BYTES) {
                Ok(text) => lock(&calls_of(&c)).ui_objective(to, &text),
                Err(code) => refused(&c, "ui_objective", code) as i32,
            }
        },
    )?;
    linker.func_wrap(
        "aether",
        "ui_marker",
        |mut c: Ctx<'_>, x: f32, y: f32, ptr: i32, len: i32| -> i32 {
            match read_text(&mut c, ptr, len, MAX_NAME_BYTES) {
                Ok(text) => lock(&calls_of(&c)).ui_marker(x, y, &text),
                Err(code) => refused(&c, "ui_marker", code) as i32,
            }
        },
    )?;
    linker.func_wrap(
        "aether",
        "ui_message",
        |mut c: Ctx<'_>, to: i32, ptr: i32, len: i32| -> i32 {
            match read_text(&mut c, ptr, len, MAX_PAYLOAD_BYTES) {
                Ok(text) => lock(&calls_of(&c)).ui_message(to, &text),
                Err(code) => refused(&c, "ui_message", code) as i32,
            }
        },
    )?;
    Ok(())
}
