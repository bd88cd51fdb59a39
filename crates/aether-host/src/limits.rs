//! The caps a controller runs under and the bounds its module must keep, in one place (the
//! contract marks them TBD).

use std::time::Duration;

use super::worker::CompileGuard;

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

/// What one function adds to a module's control cost besides its loops and branches: compiling
/// a function costs about as much as three branches, whatever it holds (BENCHMARKS.md).
pub const FUNCTION_CONTROL_COST: u64 = 3;

/// Host memory one table entry is charged against the memory cap (a function reference).
pub const TABLE_ENTRY_BYTES: u64 = 8;

/// Bounds on a module's shape, checked before compiling (compilation is not metered by fuel or
/// the deadline; see `bounds.rs`). [`Default`] gives the game's values, chosen so that any
/// module within them loads in under two seconds on a two-core machine (BENCHMARKS.md), while
/// leaving a margin over what rustc and the studio emit (the 64 KB reference controller has 231
/// functions, at most 26 locals in one, a compile weight of 0.75 million and a control cost of
/// 3,600 with its functions: a real module of about 600 KB of code fits, and so does the
/// compiled module of a 5,000-node graph).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleBounds {
    /// Functions the module defines.
    pub max_functions: u32,
    /// Bytes of one function body.
    pub max_function_bytes: u32,
    /// Bytes of all function bodies together.
    pub max_code_bytes: u32,
    /// Locals of one function (parameters not counted).
    pub max_locals: u32,
    /// Values on a function's operand stack at once (its deepest point). Cranelift's time grows
    /// with the square of it (20,000 values: 8 s for one function); it also counts in the
    /// compile weight, as locals do.
    pub max_operand_stack: u32,
    /// Compile weight of one function: (parameters + locals + deepest operand stack + 1) × body
    /// bytes. Compile time grows with the values live across a function's code, so a small body
    /// with many locals (or a deep operand stack) can cost as much as a large one with few.
    pub max_function_weight: u64,
    /// Compile weight of all functions together.
    pub max_module_weight: u64,
    /// Control cost of one function: 4 per `loop` (each loop header carries a fuel and a
    /// deadline check), 1 per `block`, `if`, `br_if` and `br_table`. Compile time grows faster
    /// than linearly with a function's branches.
    pub max_function_control: u32,
    /// Control cost of all functions together, each function adding
    /// [`FUNCTION_CONTROL_COST`] for the compiler's fixed cost per function.
    pub max_module_control: u32,
    /// Nesting of `block`, `loop` and `if` in one function.
    pub max_nesting: u32,
    /// Targets of one `br_table`.
    pub max_br_table_targets: u32,
    /// Entries of the type section.
    pub max_types: u32,
    /// Globals.
    pub max_globals: u32,
    /// Tables.
    pub max_tables: u32,
    /// Exports.
    pub max_exports: u32,
    /// Data segments, and separately element segments.
    pub max_segments: u32,
}

impl ModuleBounds {
    /// No bound at all: for measuring what compiling costs without them (benchmarks, the
    /// hostile-module example, the compile worker's own tests). Never for modules a user loads.
    pub fn unlimited() -> Self {
        Self {
            max_functions: u32::MAX,
            max_function_bytes: u32::MAX,
            max_code_bytes: u32::MAX,
            max_locals: u32::MAX,
            max_operand_stack: u32::MAX,
            max_function_weight: u64::MAX,
            max_module_weight: u64::MAX,
            max_function_control: u32::MAX,
            max_module_control: u32::MAX,
            max_nesting: u32::MAX,
            max_br_table_targets: u32::MAX,
            max_types: u32::MAX,
            max_globals: u32::MAX,
            max_tables: u32::MAX,
            max_exports: u32::MAX,
            max_segments: u32::MAX,
        }
    }
}

impl Default for ModuleBounds {
    fn default() -> Self {
        Self {
            max_functions: 10_000,
            max_function_bytes: 256 * 1024,
            max_code_bytes: 4 * 1024 * 1024,
            max_locals: 2_000,
            max_operand_stack: 2_000,
            max_function_weight: 10_000_000,
            max_module_weight: 24_000_000,
            max_function_control: 4_000,
            max_module_control: 36_000,
            max_nesting: 1_000,
            max_br_table_targets: 10_000,
            max_types: 10_000,
            max_globals: 10_000,
            max_tables: 4,
            max_exports: 10_000,
            max_segments: 10_000,
        }
    }
}

/// Every cap of the controller host. [`Default`] gives the game's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControllerLimits {
    /// Fuel per call of `init` or `decide_turn`; `None` turns fuel metering off (only for
    /// measurements and tests: the game always meters).
    pub fuel_per_turn: Option<u64>,
    /// Memory a module may reach, in bytes: its linear memory and its tables together (each
    /// table entry counts [`TABLE_ENTRY_BYTES`]), the state and reply buffers included.
    pub memory_bytes: u64,
    /// Wall-clock time a single call may take.
    pub deadline: Duration,
    /// Native stack for wasm frames, in bytes.
    pub max_wasm_stack: usize,
    /// Largest module accepted at load, in bytes.
    pub max_module_bytes: usize,
    /// Size of the reply buffer handed to `decide_turn`, in bytes.
    pub reply_capacity: u32,
    /// Bounds on the module's shape, checked before compiling.
    pub bounds: ModuleBounds,
    /// Compile in a worker process under a deadline and a memory cap (the last guard behind
    /// [`bounds`](Self::bounds)); `None` compiles in this process. The CLI sets it for every
    /// module it reads from disk; the studio's preview of its own compiled graphs does not.
    pub compile_guard: Option<CompileGuard>,
    /// Machine code of functions compiled before, reused when a module repeats them (an edited
    /// graph repeats its whole runtime library); `None` compiles everything every time.
    pub compile_cache: Option<super::CompileCache>,
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
            bounds: ModuleBounds::default(),
            compile_guard: None,
            compile_cache: None,
        }
    }
}
