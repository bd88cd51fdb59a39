//! The engine every controller runs on: which WebAssembly proposals are on, and why.
//!
//! A controller needs what `rustc --target wasm32-unknown-unknown` emits by default and what the
//! studio's compiler emits: WebAssembly 2.0 (mutable globals, sign extension, saturating
//! float-to-int, multi-value, bulk memory, reference types, 128-bit SIMD). Everything else is
//! off, so a module that uses it is refused at load by name rather than run:
//!
//! * **multi-memory** and **memory64**: one 32-bit memory keeps the memory cap a single number
//!   the host can account for (a module with a hundred memories once ran past the cap);
//! * **relaxed SIMD**: its results differ between x86 and ARM, and a controller must be
//!   deterministic across machines;
//! * **threads** (shared memory), **exceptions**, **GC**, **function references**, **tail
//!   calls**, **extended constants**, **wide arithmetic**, **custom page sizes**, **stack
//!   switching**, the **component model**: no controller needs them, and each is more surface.
//!
//! Floats are deterministic: NaN canonicalisation is on, so every NaN a module produces has the
//! same bits on every machine (`0x7fc00000` for f32, `0x7ff8000000000000` for f64), and the
//! remaining float operations are IEEE 754 exact. The static checker uses the same feature set
//! ([`validator_features`]), so the engine never sees a module the checker did not accept.

use wasmtime::{Config, Engine};

use super::{ControllerLimits, HostError};

/// The proposals a controller may use, for `wasmparser` (the static checker).
pub(crate) fn validator_features() -> wasmparser::WasmFeatures {
    use wasmparser::WasmFeatures as F;
    F::FLOATS
        | F::MUTABLE_GLOBAL
        | F::SIGN_EXTENSION
        | F::SATURATING_FLOAT_TO_INT
        | F::MULTI_VALUE
        | F::BULK_MEMORY
        | F::BULK_MEMORY_OPT
        | F::REFERENCE_TYPES
        | F::CALL_INDIRECT_OVERLONG
        | F::SIMD
}

/// The same set, for the engine (wasmtime parses with its own copy of `wasmparser`).
pub fn engine_features() -> wasmtime::wasmparser::WasmFeatures {
    use wasmtime::wasmparser::WasmFeatures as F;
    F::FLOATS
        | F::MUTABLE_GLOBAL
        | F::SIGN_EXTENSION
        | F::SATURATING_FLOAT_TO_INT
        | F::MULTI_VALUE
        | F::BULK_MEMORY
        | F::BULK_MEMORY_OPT
        | F::REFERENCE_TYPES
        | F::CALL_INDIRECT_OVERLONG
        | F::SIMD
}

/// Wasmtime's fuel costs, but for `table.grow`: a grow is charged nothing per element asked
/// for. A refused grow did no work (wasmtime charged it the size asked, before refusing: a
/// script asking for 60 million entries paid 60 million fuel a tick for nothing), and a
/// granted one is bounded by the memory cap, which tables share (as `memory.grow` is, which
/// wasmtime charges nothing per page either).
fn operator_cost() -> wasmtime::OperatorCost {
    let mut cost = wasmtime::OperatorCost::new();
    cost.variable.table_grow_per_element = 0;
    cost
}

/// What a branch (`br`, `br_if`, `br_table`) costs a world script.
pub const WORLD_BRANCH_COST: u8 = 6;

/// What a call (`call`, `call_indirect`) costs a world script, beside the one fuel of the
/// function it enters.
pub const WORLD_CALL_COST: u8 = 16;

/// World scripts' fuel costs: a world's budget is CPU time, so fuel must follow time, and a
/// branch or a call costs far more time than one operator does (the loop header a branch goes
/// back to checks the fuel and the epoch; a call sets up a frame and its entry checks them
/// too). Measured here (BENCHMARKS.md, "What a host call costs"): a loop of a single branch
/// runs an iteration in about 1.8 ns and a call of an empty function in about 6 ns, against
/// [`DEFAULT_FUEL_PER_MS`](aether_world::DEFAULT_FUEL_PER_MS)'s 0.25 ns a fuel; at one fuel
/// each, such loops ran up to four times longer than their fuel said. AI controllers keep one
/// fuel an operator: their budget is the contract's count of operators.
fn world_operator_cost() -> wasmtime::OperatorCost {
    let mut cost = operator_cost();
    cost.Br = WORLD_BRANCH_COST;
    cost.BrIf = WORLD_BRANCH_COST;
    cost.BrTable = WORLD_BRANCH_COST;
    cost.Call = WORLD_CALL_COST;
    cost.CallIndirect = WORLD_CALL_COST;
    cost
}

/// The engine world scripts run on: the controllers' engine (the proposals, NaN
/// canonicalisation, fuel, the epoch) with world scripts' operator costs.
pub fn world_engine(limits: &ControllerLimits) -> Result<Engine, HostError> {
    build(limits, world_operator_cost())
}

/// The engine for `limits`: the proposals above, NaN canonicalisation, fuel when budgeted, the
/// epoch deadline and the native stack bound.
pub(crate) fn engine(limits: &ControllerLimits) -> Result<Engine, HostError> {
    build(limits, operator_cost())
}

fn build(limits: &ControllerLimits, cost: wasmtime::OperatorCost) -> Result<Engine, HostError> {
    let mut config = Config::new();
    config
        .wasm_features(wasmtime::wasmparser::WasmFeatures::all(), false)
        .wasm_features(engine_features(), true)
        .relaxed_simd_deterministic(true)
        .cranelift_nan_canonicalization(true)
        .consume_fuel(limits.fuel_per_turn.is_some())
        .operator_cost(cost)
        .epoch_interruption(true)
        .max_wasm_stack(limits.max_wasm_stack);
    if let Some(cache) = &limits.compile_cache {
        config
            .enable_incremental_compilation(cache.store())
            .map_err(|e| HostError(format!("{e:#}")))?;
        // One function after another: compiled in parallel, cranelift's reused per-thread
        // contexts leak into the cache keys, so the same function got a different key now and
        // then and was compiled again (a renamed graph recompiled up to a quarter of its
        // functions). Sequential compiles give the same key every time; with the cache, a
        // compile is mostly hits anyway.
        config.parallel_compilation(false);
    }
    Engine::new(&config).map_err(|e| HostError(format!("{e:#}")))
}
