//! The `"aether"` imports: the only functions a world script can call, each checked against the
//! script's limits before it reaches the world's [`WorldApi`].
//!
//! Every import returns a non-negative value on success and a negative
//! [`CallCode`](aether_world_types::CallCode) when refused; a refusal changes nothing and is
//! counted (`"<import>: <code>"`) in the tick's usage. No import traps the script: bad pointers,
//! lengths past the documented maxima, non-finite floats and invalid UTF-8 are
//! `invalid_argument`. Rates are token buckets refilled by world ticks
//! ([`ScriptRuntime::begin_tick`](super::ScriptRuntime::begin_tick)).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use aether_world_types::{CallCode, EntityId, PlayerId, Vec2};
use wasmparser::ValType;
use wasmtime::{Caller, Linker};

use super::ScriptId;
use super::api::WorldApi;
use super::limits::ScriptResourceLimits;
use super::rate::RateLimiter;
use crate::host::instance::GuestLimiter;

/// A world shared by its scripts (they run one at a time; the lock is never contended).
pub type SharedWorld = Arc<Mutex<dyn WorldApi + Send>>;

/// Longest entity kind, sound name or key, in bytes.
pub const MAX_NAME_BYTES: usize = 256;
/// Longest RPC body, stored value or UI text, in bytes.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

const I32: ValType = ValType::I32;
const I64: ValType = ValType::I64;
const F32: ValType = ValType::F32;

/// The world-script contract's imports, module `"aether"`: name, parameters, results.
pub const IMPORTS: [(&str, &[ValType], &[ValType]); 9] = [
    ("entity_spawn", &[I32, I32, F32, F32], &[I64]),
    ("entity_destroy", &[I32], &[I32]),
    ("entity_position", &[I32, I32], &[I32]),
    ("physics_apply_force", &[I32, F32, F32], &[I32]),
    ("audio_play", &[I32, I32, F32, F32], &[I32]),
    ("network_send", &[I32, I32, I32], &[I32]),
    ("storage_read", &[I32, I32, I32, I32], &[I32]),
    ("storage_write", &[I32, I32, I32, I32], &[I32]),
    ("ui_message", &[I32, I32, I32], &[I32]),
];

/// One script's side of its calls: who it is, its world, its rates, what was refused.
pub(crate) struct ScriptCalls {
    id: ScriptId,
    world: SharedWorld,
    spawns: RateLimiter,
    rpcs: RateLimiter,
    rpc_bytes: RateLimiter,
    writes: RateLimiter,
    quota: u64,
    /// Refusals since the last [`take_refused`](Self::take_refused), by `"<import>: <code>"`.
    refused: BTreeMap<String, u32>,
}

impl ScriptCalls {
    pub(crate) fn new(id: ScriptId, world: SharedWorld, limits: &ScriptResourceLimits) -> Self {
        Self {
            id,
            world,
            spawns: RateLimiter::new(limits.max_entity_spawns_per_second),
            rpcs: RateLimiter::new(limits.max_network_rpcs_per_second),
            rpc_bytes: RateLimiter::new(limits.max_network_bytes_per_second),
            writes: RateLimiter::new(limits.max_storage_writes_per_second),
            quota: limits.max_storage_bytes,
            refused: BTreeMap::new(),
        }
    }

    /// A world tick passed: refill the rates.
    pub(crate) fn tick(&mut self) {
        for r in [
            &mut self.spawns,
            &mut self.rpcs,
            &mut self.rpc_bytes,
            &mut self.writes,
        ] {
            r.tick();
        }
    }

    /// The refusals counted since the last call.
    pub(crate) fn take_refused(&mut self) -> Vec<(String, u32)> {
        std::mem::take(&mut self.refused).into_iter().collect()
    }

    fn world(&self) -> MutexGuard<'_, dyn WorldApi + Send + 'static> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The store's data for a world script: its memory limiter and its calls.
pub(crate) struct ScriptHost {
    pub(crate) limiter: GuestLimiter,
    pub(crate) calls: Arc<Mutex<ScriptCalls>>,
}

type Ctx<'a> = Caller<'a, ScriptHost>;

fn lock(calls: &Arc<Mutex<ScriptCalls>>) -> MutexGuard<'_, ScriptCalls> {
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

fn point(x: f32, y: f32) -> Result<Vec2, CallCode> {
    if x.is_finite() && y.is_finite() {
        Ok(Vec2::new(x, y))
    } else {
        Err(CallCode::InvalidArgument)
    }
}

fn entity(id: i32) -> Result<EntityId, CallCode> {
    u32::try_from(id)
        .map(EntityId)
        .map_err(|_| CallCode::NotFound)
}

fn player(id: i32) -> Result<PlayerId, CallCode> {
    u32::try_from(id)
        .map(PlayerId)
        .map_err(|_| CallCode::NotFound)
}

/// Counts a refusal and turns the result into the import's return value.
fn done(caller: &mut Ctx<'_>, import: &str, result: Result<i64, CallCode>) -> i64 {
    match result {
        Ok(v) => v,
        Err(code) => {
            let calls = caller.data().calls.clone();
            *lock(&calls)
                .refused
                .entry(format!("{import}: {}", code.name()))
                .or_default() += 1;
            i64::from(code.as_i32())
        }
    }
}

/// Defines every import of [`IMPORTS`] in `linker`.
pub(crate) fn link(linker: &mut Linker<ScriptHost>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "aether",
        "entity_spawn",
        |mut c: Ctx<'_>, kind_ptr: i32, kind_len: i32, x: f32, y: f32| -> i64 {
            let r = (|| {
                let kind = read_text(&mut c, kind_ptr, kind_len, MAX_NAME_BYTES)?;
                let at = point(x, y)?;
                let calls = c.data().calls.clone();
                let mut calls = lock(&calls);
                if !calls.spawns.try_acquire() {
                    return Err(CallCode::Throttled);
                }
                let id = calls.id;
                let e = calls.world().spawn_entity(id, &kind, at)?;
                Ok(i64::from(e.0))
            })();
            done(&mut c, "entity_spawn", r)
        },
    )?;
    linker.func_wrap(
        "aether",
        "entity_destroy",
        |mut c: Ctx<'_>, e: i32| -> i32 {
            let r = (|| {
                let e = entity(e)?;
                let calls = c.data().calls.clone();
                let calls = lock(&calls);
                calls.world().destroy_entity(calls.id, e)?;
                Ok(0)
            })();
            done(&mut c, "entity_destroy", r) as i32
        },
    )?;
    linker.func_wrap(
        "aether",
        "entity_position",
        |mut c: Ctx<'_>, e: i32, out_ptr: i32| -> i32 {
            let r = (|| {
                let e = entity(e)?;
                let calls = c.data().calls.clone();
                let at = {
                    let calls = lock(&calls);
                    calls.world().entity_position(calls.id, e)?
                };
                let mut bytes = [0u8; 8];
                bytes[..4].copy_from_slice(&at.x.to_le_bytes());
                bytes[4..].copy_from_slice(&at.y.to_le_bytes());
                write(&mut c, out_ptr, &bytes)?;
                Ok(0)
            })();
            done(&mut c, "entity_position", r) as i32
        },
    )?;
    linker.func_wrap(
        "aether",
        "physics_apply_force",
        |mut c: Ctx<'_>, e: i32, fx: f32, fy: f32| -> i32 {
            let r = (|| {
                let (e, force) = (entity(e)?, point(fx, fy)?);
                let calls = c.data().calls.clone();
                let calls = lock(&calls);
                calls.world().apply_force(calls.id, e, force)?;
                Ok(0)
            })();
            done(&mut c, "physics_apply_force", r) as i32
        },
    )?;
    linker.func_wrap(
        "aether",
        "audio_play",
        |mut c: Ctx<'_>, ptr: i32, len: i32, x: f32, y: f32| -> i32 {
            let r = (|| {
                let sound = read_text(&mut c, ptr, len, MAX_NAME_BYTES)?;
                let at = point(x, y)?;
                let calls = c.data().calls.clone();
                let calls = lock(&calls);
                calls.world().play_sound(calls.id, &sound, at)?;
                Ok(0)
            })();
            done(&mut c, "audio_play", r) as i32
        },
    )?;
    linker.func_wrap(
        "aether",
        "network_send",
        |mut c: Ctx<'_>, to: i32, ptr: i32, len: i32| -> i32 {
            let r = (|| {
                let to = player(to)?;
                let body = read(&mut c, ptr, len, MAX_PAYLOAD_BYTES)?;
                let calls = c.data().calls.clone();
                let mut calls = lock(&calls);
                // Both rates must admit the call; a refusal takes neither token.
                let bytes = u32::try_from(body.len()).map_err(|_| CallCode::InvalidArgument)?;
                if calls.rpcs.available() == 0 || calls.rpc_bytes.available() < bytes {
                    return Err(CallCode::Throttled);
                }
                calls.rpcs.try_acquire();
                calls.rpc_bytes.try_acquire_n(bytes);
                calls.world().send_rpc(calls.id, to, &body)?;
                Ok(0)
            })();
            done(&mut c, "network_send", r) as i32
        },
    )?;
    linker.func_wrap(
        "aether",
        "storage_read",
        |mut c: Ctx<'_>, key_ptr: i32, key_len: i32, out_ptr: i32, out_cap: i32| -> i32 {
            let r = (|| {
                let key = read(&mut c, key_ptr, key_len, MAX_NAME_BYTES)?;
                let calls = c.data().calls.clone();
                let value = {
                    let calls = lock(&calls);
                    calls.world().storage_read(calls.id, &key)?
                }
                .ok_or(CallCode::NotFound)?;
                if value.len() > usize::try_from(out_cap).unwrap_or(0) {
                    return Err(CallCode::BufferTooSmall);
                }
                write(&mut c, out_ptr, &value)?;
                Ok(value.len() as i64)
            })();
            done(&mut c, "storage_read", r) as i32
        },
    )?;
    linker.func_wrap(
        "aether",
        "storage_write",
        |mut c: Ctx<'_>, key_ptr: i32, key_len: i32, val_ptr: i32, val_len: i32| -> i32 {
            let r = (|| {
                let key = read(&mut c, key_ptr, key_len, MAX_NAME_BYTES)?;
                let value = read(&mut c, val_ptr, val_len, MAX_PAYLOAD_BYTES)?;
                let calls = c.data().calls.clone();
                let mut calls = lock(&calls);
                let id = calls.id;
                let (used, old) = {
                    let world = calls.world();
                    (world.storage_used(id), world.storage_read(id, &key)?)
                };
                let before = old.map_or(0, |v| (key.len() + v.len()) as u64);
                let after = used.saturating_sub(before) + (key.len() + value.len()) as u64;
                if after > calls.quota {
                    return Err(CallCode::QuotaExceeded);
                }
                if !calls.writes.try_acquire() {
                    return Err(CallCode::Throttled);
                }
                calls.world().storage_write(id, &key, &value)?;
                Ok(0)
            })();
            done(&mut c, "storage_write", r) as i32
        },
    )?;
    linker.func_wrap(
        "aether",
        "ui_message",
        |mut c: Ctx<'_>, to: i32, ptr: i32, len: i32| -> i32 {
            let r = (|| {
                let to = if to == -1 { None } else { Some(player(to)?) };
                let text = read_text(&mut c, ptr, len, MAX_PAYLOAD_BYTES)?;
                let calls = c.data().calls.clone();
                let calls = lock(&calls);
                calls.world().show_message(calls.id, to, &text)?;
                Ok(0)
            })();
            done(&mut c, "ui_message", r) as i32
        },
    )?;
    Ok(())
}
