//! The `"aether"` imports: the only functions a world script can call, each checked against the
//! script's limits before it reaches the world's [`WorldApi`].
//!
//! Every import returns a non-negative value on success and a negative
//! [`CallCode`](aether_world_types::CallCode) when refused; a refusal changes nothing and is
//! counted (`"<import>: <code>"`) in the tick's usage. No import traps the script: bad pointers,
//! lengths past the documented maxima, non-finite floats and invalid UTF-8 are
//! `invalid_argument`. Rates are token buckets refilled by world ticks
//! (`aether_host::world::ScriptRuntime::begin_tick`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use aether_lang::imports::ImportCalls;
use aether_world_types::{CallCode, EntityId, PlayerId, Vec2};

use crate::ScriptId;
use crate::api::WorldApi;
use crate::journal::{Answer, JournalEntry};
use crate::limits::ScriptResourceLimits;
use crate::rate::RateLimiter;

/// A world shared by its scripts (they run one at a time; the lock is never contended).
pub type SharedWorld = Arc<Mutex<dyn WorldApi + Send>>;

/// Longest entity kind, sound name or key, in bytes.
pub const MAX_NAME_BYTES: usize = 256;
/// Longest RPC body, stored value or UI text, in bytes.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;

/// One script's side of its calls: who it is, its world, its rates, what was refused.
pub struct ScriptCalls {
    id: ScriptId,
    world: SharedWorld,
    spawns: RateLimiter,
    rpcs: RateLimiter,
    rpc_bytes: RateLimiter,
    writes: RateLimiter,
    ui: RateLimiter,
    ui_bytes: RateLimiter,
    sounds: RateLimiter,
    quota: u64,
    /// Refusals since the last [`take_refused`](Self::take_refused): import, code, count (a
    /// few kinds at most; a flood of one kind allocates nothing after its first).
    refused: Vec<(Box<str>, CallCode, u32)>,
    /// What the script did, while journaling is on (see [`super::journal`]).
    journal: Option<Vec<JournalEntry>>,
}

impl std::fmt::Debug for ScriptCalls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptCalls")
            .field("id", &self.id)
            .field("refused", &self.refused)
            .finish_non_exhaustive()
    }
}

impl ScriptCalls {
    /// The calls of script `id` in `world` under `limits`, every rate full.
    pub fn new(id: ScriptId, world: SharedWorld, limits: &ScriptResourceLimits) -> Self {
        Self {
            id,
            world,
            spawns: RateLimiter::new(limits.max_entity_spawns_per_second),
            rpcs: RateLimiter::new(limits.max_network_rpcs_per_second),
            rpc_bytes: RateLimiter::new(limits.max_network_bytes_per_second),
            writes: RateLimiter::new(limits.max_storage_writes_per_second),
            ui: RateLimiter::new(limits.max_ui_messages_per_second),
            ui_bytes: RateLimiter::new(limits.max_ui_bytes_per_second),
            sounds: RateLimiter::new(limits.max_sounds_per_second),
            quota: limits.max_storage_bytes,
            refused: Vec::new(),
            journal: None,
        }
    }

    /// Starts (or stops, dropping what was written) writing down what the script does.
    pub fn set_journal(&mut self, on: bool) {
        self.journal = on.then(Vec::new);
    }

    /// What was written down since the last call (empty when journaling is off).
    pub fn take_journal(&mut self) -> Vec<JournalEntry> {
        self.journal
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Writes `entry` down, when journaling.
    pub fn journal(&mut self, entry: JournalEntry) {
        if let Some(j) = self.journal.as_mut() {
            j.push(entry);
        }
    }

    /// Writes down `import`'s answer, when journaling; returns it.
    fn noted<T: Clone + Into<Answer>>(&mut self, import: &'static str, answer: T) -> T {
        if let Some(j) = self.journal.as_mut() {
            j.push(JournalEntry::Call(import, answer.clone().into()));
        }
        answer
    }

    /// A world tick passed: refill the rates.
    pub fn tick(&mut self) {
        for r in [
            &mut self.spawns,
            &mut self.rpcs,
            &mut self.rpc_bytes,
            &mut self.writes,
            &mut self.ui,
            &mut self.ui_bytes,
            &mut self.sounds,
        ] {
            r.tick();
        }
    }

    /// The refusals counted since the last call, by `"<import>: <code>"`.
    pub fn take_refused(&mut self) -> Vec<(String, u32)> {
        let mut out: BTreeMap<String, u32> = BTreeMap::new();
        for (import, code, n) in self.refused.drain(..) {
            *out.entry(format!("{import}: {}", code.name())).or_default() += n;
        }
        out.into_iter().collect()
    }

    fn world(&self) -> MutexGuard<'_, dyn WorldApi + Send + 'static> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a refusal and turns the result into the import's return value.
    fn answer(&mut self, import: &str, result: Result<i64, CallCode>) -> i64 {
        match result {
            Ok(v) => v,
            Err(code) => {
                match self
                    .refused
                    .iter_mut()
                    .find(|(i, c, _)| *c == code && &**i == import)
                {
                    Some((_, _, n)) => *n = n.saturating_add(1),
                    None => self.refused.push((import.into(), code, 1)),
                }
                i64::from(code.as_i32())
            }
        }
    }

    /// Counts a refusal the import found before reaching these calls (a bad pointer, text that
    /// is not UTF-8…).
    fn refuse(&mut self, import: &str, code: CallCode) -> i64 {
        self.answer(import, Err(code))
    }

    fn spawn(&mut self, kind: &str, x: f32, y: f32) -> Result<i64, CallCode> {
        if kind.len() > MAX_NAME_BYTES {
            return Err(CallCode::InvalidArgument);
        }
        let at = point(x, y)?;
        if !self.spawns.try_acquire() {
            return Err(CallCode::Throttled);
        }
        let e = self.world().spawn_entity(self.id, kind, at)?;
        Ok(i64::from(e.0))
    }

    fn send(&mut self, to: i32, body: &[u8]) -> Result<i64, CallCode> {
        let bytes = self.rpc_room(body)?;
        let to = player(to)?;
        self.take_rpc(bytes);
        self.world().send_rpc(self.id, to, body)?;
        Ok(0)
    }

    /// Whether one RPC of `body`'s size fits the payload maximum (else `invalid_argument`) and
    /// both rates (else `throttled`); its size. Every rated call checks its rates right after
    /// its payload's length, before any other argument, so the host can check them before
    /// copying anything ([`ImportCalls::admit`]) and get the same answer.
    fn rpc_room(&self, body: &[u8]) -> Result<u32, CallCode> {
        if body.len() > MAX_PAYLOAD_BYTES {
            return Err(CallCode::InvalidArgument);
        }
        let bytes = u32::try_from(body.len()).map_err(|_| CallCode::InvalidArgument)?;
        if self.rpcs.available() == 0 || self.rpc_bytes.available() < bytes {
            return Err(CallCode::Throttled);
        }
        Ok(bytes)
    }

    /// Takes one RPC of `bytes` from the rates (a broadcast and a message to a script count as
    /// one RPC too), after [`rpc_room`](Self::rpc_room) and every other check.
    fn take_rpc(&mut self, bytes: u32) {
        self.rpcs.try_acquire();
        self.rpc_bytes.try_acquire_n(bytes);
    }

    /// Whether one UI call of `text` fits the rates (messages, objectives and markers share
    /// them): both must admit it; its size.
    fn ui_room(&self, text: &str) -> Result<u32, CallCode> {
        let bytes = u32::try_from(text.len()).map_err(|_| CallCode::InvalidArgument)?;
        if self.ui.available() == 0 || self.ui_bytes.available() < bytes {
            return Err(CallCode::Throttled);
        }
        Ok(bytes)
    }

    /// Takes one UI call of `bytes` from the rates, after every check.
    fn take_ui(&mut self, bytes: u32) {
        self.ui.try_acquire();
        self.ui_bytes.try_acquire_n(bytes);
    }

    /// Whether the rates of `import` would refuse a call whose payload (already known to be
    /// within its maximum) is `bytes` long now: what the call itself checks first after the
    /// payload's length, before copying or reading anything else.
    fn would_throttle(&self, import: &str, bytes: usize) -> bool {
        let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
        match import {
            "network_send" | "network_broadcast" | "network_send_script" => {
                self.rpcs.available() == 0 || self.rpc_bytes.available() < bytes
            }
            "storage_write" => self.writes.available() == 0,
            "ui_message" | "ui_objective" | "ui_marker" => {
                self.ui.available() == 0 || self.ui_bytes.available() < bytes
            }
            _ => false,
        }
    }

    fn read_value(&mut self, key: &[u8], cap: usize) -> Result<Vec<u8>, CallCode> {
        if key.len() > MAX_NAME_BYTES {
            return Err(CallCode::InvalidArgument);
        }
        let value = self
            .world()
            .storage_read(self.id, key)?
            .ok_or(CallCode::NotFound)?;
        if value.len() > cap {
            return Err(CallCode::BufferTooSmall);
        }
        Ok(value)
    }

    fn write_value(&mut self, key: &[u8], value: &[u8]) -> Result<i64, CallCode> {
        if key.len() > MAX_NAME_BYTES || value.len() > MAX_PAYLOAD_BYTES {
            return Err(CallCode::InvalidArgument);
        }
        // The rate before the quota: the quota reads the database.
        if self.writes.available() == 0 {
            return Err(CallCode::Throttled);
        }
        let id = self.id;
        let (used, old) = {
            let world = self.world();
            (world.storage_used(id), world.storage_read(id, key)?)
        };
        let before = old.map_or(0, |v| (key.len() + v.len()) as u64);
        let after = used.saturating_sub(before) + (key.len() + value.len()) as u64;
        if after > self.quota {
            return Err(CallCode::QuotaExceeded);
        }
        self.writes.try_acquire();
        self.world().storage_write(id, key, value)?;
        Ok(0)
    }
}

/// The imports' work, before it is written down (see [`ScriptCalls::noted`]).
impl ScriptCalls {
    fn do_entity_spawn(&mut self, kind: &str, x: f32, y: f32) -> i64 {
        let r = self.spawn(kind, x, y);
        self.answer("entity_spawn", r)
    }

    fn do_entity_destroy(&mut self, e: i32) -> i32 {
        let r = entity(e).and_then(|e| {
            self.world().destroy_entity(self.id, e)?;
            Ok(0)
        });
        self.answer("entity_destroy", r) as i32
    }

    fn do_entity_position(&mut self, e: i32) -> Result<Vec2, i32> {
        let r = entity(e).and_then(|e| self.world().entity_position(self.id, e));
        match r {
            Ok(at) => Ok(at),
            Err(code) => Err(self.refuse("entity_position", code) as i32),
        }
    }

    fn do_physics_apply_force(&mut self, e: i32, fx: f32, fy: f32) -> i32 {
        let r = entity(e).and_then(|e| {
            let force = point(fx, fy)?;
            self.world().apply_force(self.id, e, force)?;
            Ok(0)
        });
        self.answer("physics_apply_force", r) as i32
    }

    fn do_audio_play(&mut self, sound: &str, x: f32, y: f32) -> i32 {
        let r = (|| {
            if sound.len() > MAX_NAME_BYTES {
                return Err(CallCode::InvalidArgument);
            }
            let at = point(x, y)?;
            if !self.sounds.try_acquire() {
                return Err(CallCode::Throttled);
            }
            self.world().play_sound(self.id, sound, at)?;
            Ok(0)
        })();
        self.answer("audio_play", r) as i32
    }

    fn do_network_send(&mut self, to: i32, body: &[u8]) -> i32 {
        let r = self.send(to, body);
        self.answer("network_send", r) as i32
    }

    fn do_storage_read(&mut self, key: &[u8], cap: usize) -> Result<Vec<u8>, i32> {
        match self.read_value(key, cap) {
            Ok(v) => Ok(v),
            Err(code) => Err(self.refuse("storage_read", code) as i32),
        }
    }

    fn do_storage_write(&mut self, key: &[u8], value: &[u8]) -> i32 {
        let r = self.write_value(key, value);
        self.answer("storage_write", r) as i32
    }

    fn do_entity_kind(&mut self, e: i32, cap: usize) -> Result<Vec<u8>, i32> {
        let r = entity(e)
            .and_then(|e| self.world().entity_kind(self.id, e))
            .and_then(|k| {
                if k.len() > cap {
                    Err(CallCode::BufferTooSmall)
                } else {
                    Ok(k.into_bytes())
                }
            });
        match r {
            Ok(k) => Ok(k),
            Err(code) => Err(self.refuse("entity_kind", code) as i32),
        }
    }

    fn do_entity_next_near(&mut self, x: f32, y: f32, radius: f32, after: i32) -> i64 {
        let r = (|| {
            let at = point(x, y)?;
            if !(radius.is_finite() && radius >= 0.0) {
                return Err(CallCode::InvalidArgument);
            }
            let after = if after < 0 {
                None
            } else {
                Some(EntityId(after as u32))
            };
            let next = self
                .world()
                .entity_next_near(self.id, at, radius, after)?
                .ok_or(CallCode::NotFound)?;
            Ok(i64::from(next.0))
        })();
        // Running out of entities is how every loop ends: an answer, not a refusal.
        match r {
            Err(CallCode::NotFound) => i64::from(CallCode::NotFound.as_i32()),
            r => self.answer("entity_next_near", r),
        }
    }

    fn do_network_broadcast(&mut self, body: &[u8]) -> i32 {
        let r = self.rpc_room(body).and_then(|bytes| {
            self.take_rpc(bytes);
            self.world().broadcast_rpc(self.id, body)?;
            Ok(0)
        });
        self.answer("network_broadcast", r) as i32
    }

    fn do_network_send_script(&mut self, to: &str, body: &[u8]) -> i32 {
        let r = (|| {
            let bytes = self.rpc_room(body)?;
            if to.is_empty() || to.len() > MAX_NAME_BYTES {
                return Err(CallCode::InvalidArgument);
            }
            self.take_rpc(bytes);
            self.world().send_to_script(self.id, to, body)?;
            Ok(0)
        })();
        self.answer("network_send_script", r) as i32
    }

    fn do_entity_is_mine(&mut self, e: i32) -> i32 {
        let r = entity(e)
            .and_then(|e| self.world().entity_is_mine(self.id, e))
            .map(i64::from);
        self.answer("entity_is_mine", r) as i32
    }

    fn do_entity_hp(&mut self, e: i32) -> i32 {
        let r = entity(e)
            .and_then(|e| self.world().entity_hp(self.id, e))
            .map(i64::from);
        self.answer("entity_hp", r) as i32
    }

    fn do_entity_set_hp(&mut self, e: i32, hp: i32) -> i32 {
        let r = entity(e).and_then(|e| {
            if hp < 0 {
                return Err(CallCode::InvalidArgument);
            }
            self.world().set_entity_hp(self.id, e, hp)?;
            Ok(0)
        });
        self.answer("entity_set_hp", r) as i32
    }

    fn do_physics_set_velocity(&mut self, e: i32, vx: f32, vy: f32) -> i32 {
        let r = entity(e).and_then(|e| {
            let v = point(vx, vy)?;
            self.world().set_velocity(self.id, e, v)?;
            Ok(0)
        });
        self.answer("physics_set_velocity", r) as i32
    }

    fn do_physics_raycast(&mut self, x: f32, y: f32, dx: f32, dy: f32, max: f32) -> i64 {
        let r = (|| {
            let (from, dir) = (point(x, y)?, point(dx, dy)?);
            if dir.x == 0.0 && dir.y == 0.0 || !(max.is_finite() && max >= 0.0) {
                return Err(CallCode::InvalidArgument);
            }
            let hit = self.world().raycast(self.id, from, dir, max)?;
            hit.map(|e| i64::from(e.0)).ok_or(CallCode::NotFound)
        })();
        // Meeting nothing is an answer, not a refusal.
        match r {
            Err(CallCode::NotFound) => i64::from(CallCode::NotFound.as_i32()),
            r => self.answer("physics_raycast", r),
        }
    }

    fn do_ui_objective(&mut self, to: i32, text: &str) -> i32 {
        let r = (|| {
            if text.len() > MAX_PAYLOAD_BYTES {
                return Err(CallCode::InvalidArgument);
            }
            let bytes = self.ui_room(text)?;
            let to = if to == -1 { None } else { Some(player(to)?) };
            self.take_ui(bytes);
            self.world().set_objective(self.id, to, text)?;
            Ok(0)
        })();
        self.answer("ui_objective", r) as i32
    }

    fn do_ui_marker(&mut self, x: f32, y: f32, text: &str) -> i32 {
        let r = (|| {
            if text.len() > MAX_NAME_BYTES {
                return Err(CallCode::InvalidArgument);
            }
            let bytes = self.ui_room(text)?;
            let at = point(x, y)?;
            self.take_ui(bytes);
            self.world().place_marker(self.id, at, text)?;
            Ok(0)
        })();
        self.answer("ui_marker", r) as i32
    }

    fn do_ui_message(&mut self, to: i32, text: &str) -> i32 {
        let r = (|| {
            if text.len() > MAX_PAYLOAD_BYTES {
                return Err(CallCode::InvalidArgument);
            }
            let bytes = self.ui_room(text)?;
            let to = if to == -1 { None } else { Some(player(to)?) };
            self.take_ui(bytes);
            self.world().show_message(self.id, to, text)?;
            Ok(0)
        })();
        self.answer("ui_message", r) as i32
    }
}

impl ImportCalls for ScriptCalls {
    fn refuse(&mut self, import: &str, code: CallCode) -> i64 {
        ScriptCalls::refuse(self, import, code)
    }

    fn admit(&mut self, import: &'static str, bytes: usize) -> Option<i64> {
        if !self.would_throttle(import, bytes) {
            return None;
        }
        let code = self.answer(import, Err(CallCode::Throttled));
        Some(self.noted(import, code))
    }

    fn take_work(&mut self) -> u64 {
        let work = self.world().take_work();
        if work > 0 {
            self.journal(JournalEntry::Work(work));
        }
        work
    }

    fn entity_spawn(&mut self, kind: &str, x: f32, y: f32) -> i64 {
        let r = self.do_entity_spawn(kind, x, y);
        self.noted("entity_spawn", r)
    }

    fn entity_destroy(&mut self, e: i32) -> i32 {
        let r = self.do_entity_destroy(e);
        self.noted("entity_destroy", r)
    }

    fn entity_position(&mut self, e: i32) -> Result<Vec2, i32> {
        let r = self.do_entity_position(e);
        self.noted("entity_position", r)
    }

    fn physics_apply_force(&mut self, e: i32, fx: f32, fy: f32) -> i32 {
        let r = self.do_physics_apply_force(e, fx, fy);
        self.noted("physics_apply_force", r)
    }

    fn audio_play(&mut self, sound: &str, x: f32, y: f32) -> i32 {
        let r = self.do_audio_play(sound, x, y);
        self.noted("audio_play", r)
    }

    fn network_send(&mut self, to: i32, body: &[u8]) -> i32 {
        let r = self.do_network_send(to, body);
        self.noted("network_send", r)
    }

    fn storage_read(&mut self, key: &[u8], cap: usize) -> Result<Vec<u8>, i32> {
        let r = self.do_storage_read(key, cap);
        self.noted("storage_read", r)
    }

    fn storage_write(&mut self, key: &[u8], value: &[u8]) -> i32 {
        let r = self.do_storage_write(key, value);
        self.noted("storage_write", r)
    }

    fn entity_kind(&mut self, e: i32, cap: usize) -> Result<Vec<u8>, i32> {
        let r = self.do_entity_kind(e, cap);
        self.noted("entity_kind", r)
    }

    fn entity_next_near(&mut self, x: f32, y: f32, radius: f32, after: i32) -> i64 {
        let r = self.do_entity_next_near(x, y, radius, after);
        self.noted("entity_next_near", r)
    }

    fn network_broadcast(&mut self, body: &[u8]) -> i32 {
        let r = self.do_network_broadcast(body);
        self.noted("network_broadcast", r)
    }

    fn network_send_script(&mut self, to: &str, body: &[u8]) -> i32 {
        let r = self.do_network_send_script(to, body);
        self.noted("network_send_script", r)
    }

    fn entity_is_mine(&mut self, e: i32) -> i32 {
        let r = self.do_entity_is_mine(e);
        self.noted("entity_is_mine", r)
    }

    fn entity_hp(&mut self, e: i32) -> i32 {
        let r = self.do_entity_hp(e);
        self.noted("entity_hp", r)
    }

    fn entity_set_hp(&mut self, e: i32, hp: i32) -> i32 {
        let r = self.do_entity_set_hp(e, hp);
        self.noted("entity_set_hp", r)
    }

    fn physics_set_velocity(&mut self, e: i32, vx: f32, vy: f32) -> i32 {
        let r = self.do_physics_set_velocity(e, vx, vy);
        self.noted("physics_set_velocity", r)
    }

    fn physics_raycast(&mut self, x: f32, y: f32, dx: f32, dy: f32, max: f32) -> i64 {
        let r = self.do_physics_raycast(x, y, dx, dy, max);
        self.noted("physics_raycast", r)
    }

    fn ui_objective(&mut self, to: i32, text: &str) -> i32 {
        let r = self.do_ui_objective(to, text);
        self.noted("ui_objective", r)
    }

    fn ui_marker(&mut self, x: f32, y: f32, text: &str) -> i32 {
        let r = self.do_ui_marker(x, y, text);
        self.noted("ui_marker", r)
    }

    fn ui_message(&mut self, to: i32, text: &str) -> i32 {
        let r = self.do_ui_message(to, text);
        self.noted("ui_message", r)
    }
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
