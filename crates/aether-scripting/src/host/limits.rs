//! The caps a controller runs under, in one place (the contract marks them TBD).

use std::time::Duration;

/// Fuel (roughly, wasm instructions) a controller may burn per turn: 100 million.
pub const DEFAULT_FUEL_PER_TURN: u64 = 100_000_000;
/// Linear-memory cap: 16 MiB, the state and reply buffers included.
pub const DEFAULT_MEMORY_BYTES: u64 = 16 * 1024 * 1024;
/// Wall-clock guard per call, enforced by epoch interruption.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(2);
/// Native stack the wasm code may use (deep recursion traps instead of crashing the host).
pub const DEFAULT_MAX_WASM_STACK: usize = 512 * 1024;
/// Largest module the host accepts. A controller built as the contract describes is well under
/// 1 MiB (the reference controller is about 64 KiB).
pub const DEFAULT_MAX_MODULE_BYTES: usize = 8 * 1024 * 1024;
/// Size of the reply buffer (`out_cap`): room for several thousand actions.
pub const DEFAULT_REPLY_CAPACITY: u32 = 64 * 1024;

/// Every cap of the controller host. [`Default`] gives the game's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerLimits {
    /// Fuel per call of `init` or `decide_turn`; `None` turns fuel metering off (only for
    /// measurements and tests: the game always meters).
    pub fuel_per_turn: Option<u64>,
    /// Linear memory a module may reach, in bytes.
    pub memory_bytes: u64,
    /// Wall-clock time a single call may take.
    pub deadline: Duration,
    /// Native stack for wasm frames, in bytes.
    pub max_wasm_stack: usize,
    /// Largest module accepted at load, in bytes.
    pub max_module_bytes: usize,
    /// Size of the reply buffer handed to `decide_turn`, in bytes.
    pub reply_capacity: u32,
}

impl Default for ControllerLimits {
    fn default() -> Self {
        Self {
            fuel_per_turn: Some(DEFAULT_FUEL_PER_TURN),
            memory_bytes: DEFAULT_MEMORY_BYTES,
            deadline: DEFAULT_DEADLINE,
            max_wasm_stack: DEFAULT_MAX_WASM_STACK,
            max_module_bytes: DEFAULT_MAX_MODULE_BYTES,
            reply_capacity: DEFAULT_REPLY_CAPACITY,
        }
    }
}
