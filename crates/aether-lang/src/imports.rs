//! The `"aether"` imports of a world script as Rust calls: what the reference interpreter asks
//! the world, and what the world side ([`aether_world`'s `ScriptCalls`], behind the compiled
//! module's imports) answers, so both get the same answers by construction.

use aether_world_types::{CallCode, Vec2};

/// The `"aether"` imports as Rust calls, after the script's memory is read: what the compiled
/// module's imports do and what the reference interpreter calls, so both get the same answers
/// (limits, rates, refusals) by construction. Each returns what the import returns: a
/// non-negative value, or a negative [`CallCode`].
pub trait ImportCalls {
    /// `entity_spawn`: the new entity's id, or a code.
    fn entity_spawn(&mut self, kind: &str, x: f32, y: f32) -> i64;
    /// `entity_destroy`.
    fn entity_destroy(&mut self, entity: i32) -> i32;
    /// `entity_position`: where the entity is, or a code.
    fn entity_position(&mut self, entity: i32) -> Result<Vec2, i32>;
    /// `physics_apply_force`.
    fn physics_apply_force(&mut self, entity: i32, fx: f32, fy: f32) -> i32;
    /// `audio_play`.
    fn audio_play(&mut self, sound: &str, x: f32, y: f32) -> i32;
    /// `network_send`.
    fn network_send(&mut self, player: i32, body: &[u8]) -> i32;
    /// `storage_read` into a buffer of `cap` bytes: the value, or a code
    /// (`buffer_too_small` when it is longer than `cap`).
    fn storage_read(&mut self, key: &[u8], cap: usize) -> Result<Vec<u8>, i32>;
    /// `storage_write`.
    fn storage_write(&mut self, key: &[u8], value: &[u8]) -> i32;
    /// `ui_message` (`player` -1: everyone).
    fn ui_message(&mut self, player: i32, text: &str) -> i32;
    /// `entity_kind` into a buffer of `cap` bytes: the kind's bytes, or a code.
    fn entity_kind(&mut self, entity: i32, cap: usize) -> Result<Vec<u8>, i32>;
    /// `entity_next_near`: the next entity id above `after` (-1: from the start) within
    /// `radius` of (x, y), or a code (`not_found` when there is none).
    fn entity_next_near(&mut self, x: f32, y: f32, radius: f32, after: i32) -> i64;
    /// `physics_set_velocity`.
    fn physics_set_velocity(&mut self, entity: i32, vx: f32, vy: f32) -> i32;
    /// `physics_raycast`: the first entity met, or a code (`not_found`: a wall or nothing).
    fn physics_raycast(&mut self, x: f32, y: f32, dx: f32, dy: f32, max: f32) -> i64;
    /// `ui_objective` (`player` -1: everyone).
    fn ui_objective(&mut self, player: i32, text: &str) -> i32;
    /// `ui_marker`.
    fn ui_marker(&mut self, x: f32, y: f32, text: &str) -> i32;
    /// `entity_is_mine`: 1 if this script spawned it, 0 if not, or a code.
    fn entity_is_mine(&mut self, entity: i32) -> i32;
    /// `entity_hp`: its hit points, or a code.
    fn entity_hp(&mut self, entity: i32) -> i32;
    /// `entity_set_hp`.
    fn entity_set_hp(&mut self, entity: i32, hp: i32) -> i32;
    /// `network_broadcast`.
    fn network_broadcast(&mut self, body: &[u8]) -> i32;
    /// `network_send_script`.
    fn network_send_script(&mut self, to: &str, body: &[u8]) -> i32;
    /// A refusal an import found before making its call (a bad pointer, text that is not
    /// UTF-8…): counted where refusals are counted; returns the code.
    fn refuse(&mut self, _import: &str, code: CallCode) -> i64 {
        i64::from(code.as_i32())
    }
    /// Before the host copies `bytes` of an import's arguments out of the script's memory: the
    /// import's answer when a rate already refuses it (`throttled`), so nothing is copied or
    /// read for a call that cannot happen; `None` to go on. Counted and written down as the
    /// call's answer.
    fn admit(&mut self, _import: &'static str, _bytes: usize) -> Option<i64> {
        None
    }
    /// The fuel of the world's work for the calls since the last time this was asked.
    fn take_work(&mut self) -> u64 {
        0
    }
}
