//! The `"aether"` imports in wasmtime: the contract's table of imports ([`IMPORTS`]) and the
//! functions a world script's module is linked to, each reading its arguments from the
//! script's memory (a bad pointer or length is `invalid_argument`) and then asking the world
//! side of the calls ([`ImportCalls`], implemented by `aether_world::ScriptCalls`, which checks
//! every limit and rate first).

use std::sync::{Arc, Mutex, MutexGuard};

use aether_lang::imports::ImportCalls;
use aether_world::HostCosts;
use aether_world::calls::{MAX_NAME_BYTES, MAX_PAYLOAD_BYTES};
use aether_world_types::CallCode;
use wasmparser::ValType;
use wasmtime::{Caller, Linker, WasmRet, WasmTyList};

use super::meter::{self, Metered, SharedMeter, YieldOnce};
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

/// The store's data for a world script: its memory limiter, its calls and their meter.
pub struct ScriptHost {
    /// The script's memory and table limiter.
    pub limiter: GuestLimiter,
    /// The world's side of the calls (a replay of a journal when measuring fuel per node).
    pub calls: Arc<Mutex<dyn ImportCalls + Send>>,
    /// Where the handler stands in its slice; the runtime reads it after each poll.
    pub meter: SharedMeter,
    /// What the host's work costs.
    pub costs: HostCosts,
    /// Bytes the import in progress copied between the script's memory and the host.
    pub copied: u64,
}

impl Metered for ScriptHost {
    fn meter(&self) -> &SharedMeter {
        &self.meter
    }
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

/// Defines the import `name`: `body` is the call itself; around it, the meter ends the slice
/// first when the call would not fit in what is left of it, then charges the call's cost (the
/// host's flat charge, the bytes it copied, the world's work), ending the slice after it when
/// the slice is spent.
fn define<P, R>(
    linker: &mut Linker<ScriptHost>,
    name: &'static str,
    body: fn(&mut Ctx<'_>, P) -> R,
) -> wasmtime::Result<()>
where
    P: WasmTyList + Send + 'static,
    R: WasmRet + Send + 'static,
{
    linker.func_wrap_async("aether", name, move |mut c: Ctx<'_>, params: P| {
        Box::new(async move {
            let base = c.data().costs.per_call;
            if meter::must_end_before(&mut c, base) {
                YieldOnce::default().await;
            }
            c.data_mut().copied = 0;
            let out = body(&mut c, params);
            let host = c.data();
            let work = lock(&host.calls)
                .take_work()
                .saturating_mul(host.costs.world_work_percent)
                / 100;
            let cost = meter::host_cost(&host.costs, host.copied).saturating_add(work);
            if meter::charge(&mut c, cost) {
                YieldOnce::default().await;
            }
            out
        })
    })?;
    Ok(())
}

/// Before anything of a call whose payload is `len` bytes is copied: the call's answer when
/// its rates already refuse it (`None` when the length is not one the call accepts: its own
/// checks answer then, as the reference interpreter's calls do).
fn admit(c: &Ctx<'_>, import: &'static str, len: i32, max: usize) -> Option<i64> {
    let len = usize::try_from(len).ok().filter(|&n| n <= max)?;
    lock(&calls_of(c)).admit(import, len)
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
    let bytes = memory
        .data(&caller)
        .get(ptr..ptr.checked_add(len).ok_or(CallCode::InvalidArgument)?)
        .map(<[u8]>::to_vec)
        .ok_or(CallCode::InvalidArgument)?;
    caller.data_mut().copied += bytes.len() as u64;
    Ok(bytes)
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
        .write(&mut *caller, ptr, bytes)
        .map_err(|_| CallCode::InvalidArgument)?;
    caller.data_mut().copied += bytes.len() as u64;
    Ok(())
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
/// Defines every import of [`IMPORTS`] in `linker`: each reads its arguments from the script's
/// memory (a bad pointer or length is `invalid_argument`), then calls [`ImportCalls`]; each is
/// charged what it cost the host and the world ([`meter`](super::meter)).
pub fn link(linker: &mut Linker<ScriptHost>) -> wasmtime::Result<()> {
    define(
        linker,
        "entity_spawn",
        |c: &mut Ctx<'_>, (kind_ptr, kind_len, x, y): (i32, i32, f32, f32)| -> i64 {
            match read_text(c, kind_ptr, kind_len, MAX_NAME_BYTES) {
                Ok(kind) => lock(&calls_of(c)).entity_spawn(&kind, x, y),
                Err(code) => refused(c, "entity_spawn", code),
            }
        },
    )?;
    define(
        linker,
        "entity_destroy",
        |c: &mut Ctx<'_>, (e,): (i32,)| -> i32 { lock(&calls_of(c)).entity_destroy(e) },
    )?;
    define(
        linker,
        "entity_position",
        |c: &mut Ctx<'_>, (e, out_ptr): (i32, i32)| -> i32 {
            let at = lock(&calls_of(c)).entity_position(e);
            match at {
                Ok(at) => {
                    let mut bytes = [0u8; 8];
                    bytes[..4].copy_from_slice(&at.x.to_le_bytes());
                    bytes[4..].copy_from_slice(&at.y.to_le_bytes());
                    match write(c, out_ptr, &bytes) {
                        Ok(()) => 0,
                        Err(code) => refused(c, "entity_position", code) as i32,
                    }
                }
                Err(code) => code,
            }
        },
    )?;
    define(
        linker,
        "physics_apply_force",
        |c: &mut Ctx<'_>, (e, fx, fy): (i32, f32, f32)| -> i32 {
            lock(&calls_of(c)).physics_apply_force(e, fx, fy)
        },
    )?;
    define(
        linker,
        "audio_play",
        |c: &mut Ctx<'_>, (ptr, len, x, y): (i32, i32, f32, f32)| -> i32 {
            match read_text(c, ptr, len, MAX_NAME_BYTES) {
                Ok(sound) => lock(&calls_of(c)).audio_play(&sound, x, y),
                Err(code) => refused(c, "audio_play", code) as i32,
            }
        },
    )?;
    define(
        linker,
        "network_send",
        |c: &mut Ctx<'_>, (to, ptr, len): (i32, i32, i32)| -> i32 {
            if let Some(code) = admit(c, "network_send", len, MAX_PAYLOAD_BYTES) {
                return code as i32;
            }

            match read(c, ptr, len, MAX_PAYLOAD_BYTES) {
                Ok(body) => lock(&calls_of(c)).network_send(to, &body),
                Err(code) => refused(c, "network_send", code) as i32,
            }
        },
    )?;
    define(
        linker,
        "storage_read",
        |c: &mut Ctx<'_>, (key_ptr, key_len, out_ptr, out_cap): (i32, i32, i32, i32)| -> i32 {
            let key = match read(c, key_ptr, key_len, MAX_NAME_BYTES) {
                Ok(key) => key,
                Err(code) => return refused(c, "storage_read", code) as i32,
            };
            let cap = usize::try_from(out_cap).unwrap_or(0);
            let value = lock(&calls_of(c)).storage_read(&key, cap);
            match value {
                Ok(value) => match write(c, out_ptr, &value) {
                    Ok(()) => value.len() as i32,
                    Err(code) => refused(c, "storage_read", code) as i32,
                },
                Err(code) => code,
            }
        },
    )?;
    define(
        linker,
        "storage_write",
        |c: &mut Ctx<'_>, (key_ptr, key_len, val_ptr, val_len): (i32, i32, i32, i32)| -> i32 {
            let lengths_valid = usize::try_from(key_len).is_ok_and(|n| n <= MAX_NAME_BYTES);
            if let Some(code) = lengths_valid
                .then(|| admit(c, "storage_write", val_len, MAX_PAYLOAD_BYTES))
                .flatten()
            {
                return code as i32;
            }

            let args = read(c, key_ptr, key_len, MAX_NAME_BYTES)
                .and_then(|k| Ok((k, read(c, val_ptr, val_len, MAX_PAYLOAD_BYTES)?)));
            match args {
                Ok((key, value)) => lock(&calls_of(c)).storage_write(&key, &value),
                Err(code) => refused(c, "storage_write", code) as i32,
            }
        },
    )?;
    define(
        linker,
        "entity_kind",
        |c: &mut Ctx<'_>, (e, out_ptr, out_cap): (i32, i32, i32)| -> i32 {
            let cap = usize::try_from(out_cap).unwrap_or(0);
            let kind = lock(&calls_of(c)).entity_kind(e, cap);
            match kind {
                Ok(kind) => match write(c, out_ptr, &kind) {
                    Ok(()) => kind.len() as i32,
                    Err(code) => refused(c, "entity_kind", code) as i32,
                },
                Err(code) => code,
            }
        },
    )?;
    define(
        linker,
        "network_broadcast",
        |c: &mut Ctx<'_>, (ptr, len): (i32, i32)| -> i32 {
            if let Some(code) = admit(c, "network_broadcast", len, MAX_PAYLOAD_BYTES) {
                return code as i32;
            }

            match read(c, ptr, len, MAX_PAYLOAD_BYTES) {
                Ok(body) => lock(&calls_of(c)).network_broadcast(&body),
                Err(code) => refused(c, "network_broadcast", code) as i32,
            }
        },
    )?;
    define(
        linker,
        "network_send_script",
        |c: &mut Ctx<'_>, (name_ptr, name_len, ptr, len): (i32, i32, i32, i32)| -> i32 {
            if let Some(code) = admit(c, "network_send_script", len, MAX_PAYLOAD_BYTES) {
                return code as i32;
            }

            let args = read_text(c, name_ptr, name_len, MAX_NAME_BYTES)
                .and_then(|n| Ok((n, read(c, ptr, len, MAX_PAYLOAD_BYTES)?)));
            match args {
                Ok((name, body)) => lock(&calls_of(c)).network_send_script(&name, &body),
                Err(code) => refused(c, "network_send_script", code) as i32,
            }
        },
    )?;
    define(
        linker,
        "entity_is_mine",
        |c: &mut Ctx<'_>, (e,): (i32,)| -> i32 { lock(&calls_of(c)).entity_is_mine(e) },
    )?;
    define(
        linker,
        "entity_hp",
        |c: &mut Ctx<'_>, (e,): (i32,)| -> i32 { lock(&calls_of(c)).entity_hp(e) },
    )?;
    define(
        linker,
        "entity_set_hp",
        |c: &mut Ctx<'_>, (e, hp): (i32, i32)| -> i32 { lock(&calls_of(c)).entity_set_hp(e, hp) },
    )?;
    define(
        linker,
        "entity_next_near",
        |c: &mut Ctx<'_>, (x, y, radius, after): (f32, f32, f32, i32)| -> i64 {
            lock(&calls_of(c)).entity_next_near(x, y, radius, after)
        },
    )?;
    define(
        linker,
        "physics_set_velocity",
        |c: &mut Ctx<'_>, (e, vx, vy): (i32, f32, f32)| -> i32 {
            lock(&calls_of(c)).physics_set_velocity(e, vx, vy)
        },
    )?;
    define(
        linker,
        "physics_raycast",
        |c: &mut Ctx<'_>, (x, y, dx, dy, max): (f32, f32, f32, f32, f32)| -> i64 {
            lock(&calls_of(c)).physics_raycast(x, y, dx, dy, max)
        },
    )?;
    define(
        linker,
        "ui_objective",
        |c: &mut Ctx<'_>, (to, ptr, len): (i32, i32, i32)| -> i32 {
            if let Some(code) = admit(c, "ui_objective", len, MAX_PAYLOAD_BYTES) {
                return code as i32;
            }

            match read_text(c, ptr, len, MAX_PAYLOAD_BYTES) {
                Ok(text) => lock(&calls_of(c)).ui_objective(to, &text),
                Err(code) => refused(c, "ui_objective", code) as i32,
            }
        },
    )?;
    define(
        linker,
        "ui_marker",
        |c: &mut Ctx<'_>, (x, y, ptr, len): (f32, f32, i32, i32)| -> i32 {
            if let Some(code) = admit(c, "ui_marker", len, MAX_NAME_BYTES) {
                return code as i32;
            }

            match read_text(c, ptr, len, MAX_NAME_BYTES) {
                Ok(text) => lock(&calls_of(c)).ui_marker(x, y, &text),
                Err(code) => refused(c, "ui_marker", code) as i32,
            }
        },
    )?;
    define(
        linker,
        "ui_message",
        |c: &mut Ctx<'_>, (to, ptr, len): (i32, i32, i32)| -> i32 {
            if let Some(code) = admit(c, "ui_message", len, MAX_PAYLOAD_BYTES) {
                return code as i32;
            }

            match read_text(c, ptr, len, MAX_PAYLOAD_BYTES) {
                Ok(text) => lock(&calls_of(c)).ui_message(to, &text),
                Err(code) => refused(c, "ui_message", code) as i32,
            }
        },
    )?;
    Ok(())
}
