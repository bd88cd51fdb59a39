//! One live instance of a controller: its store (fuel, deadline, memory limiter), `init`, the
//! identity cells, buffer placement and the `decide_turn` call.

use std::time::{Duration, Instant};

use wasmtime::{Memory, ResourceLimiter, Store, Trap, TypedFunc};

use super::limits::TABLE_ENTRY_BYTES;
use super::outcome::TurnOutcome;
use super::{ControllerLimits, EPOCH_TICK, LoadError};
use aether_lang::identity::Identity;

const PAGE: u64 = 65536;

/// The store's data: holds all of an instance's memory and tables together under one cap, and
/// remembers what it refused.
#[derive(Debug)]
pub struct GuestLimiter {
    cap: u64,
    /// Bytes of linear memory the instance holds (all memories, should the engine allow more
    /// than one).
    memory: u64,
    /// Bytes charged for the instance's tables ([`TABLE_ENTRY_BYTES`] an entry).
    tables: u64,
    /// Tables an instance may create.
    max_tables: usize,
    /// The total a refused growth asked for, since the last reset.
    denied: Option<u64>,
    /// Instances the store may hold: 1; 2 for a linked graph module and its runtime, 3 when
    /// the graph's module builds on a base module (one memory between them all the same).
    instances: usize,
}

impl GuestLimiter {
    fn new(limits: &ControllerLimits) -> Self {
        Self::with_cap(limits.memory_bytes, limits.bounds.max_tables as usize)
    }

    /// A limiter holding memory and tables together under `cap` bytes, with at most
    /// `max_tables` tables.
    pub fn with_cap(cap: u64, max_tables: usize) -> Self {
        Self {
            cap,
            memory: 0,
            tables: 0,
            max_tables,
            denied: None,
            instances: 1,
        }
    }

    /// The total a refused growth asked for, since the last [`clear_denied`](Self::clear_denied).
    pub(crate) fn denied(&self) -> Option<u64> {
        self.denied
    }

    /// Forgets earlier refusals (before a new call).
    pub(crate) fn clear_denied(&mut self) {
        self.denied = None;
    }

    /// Memory and tables together: what the cap is checked against.
    pub(crate) fn used(&self) -> u64 {
        self.memory + self.tables
    }

    /// Grants a growth of `delta` bytes if the total stays under the cap; otherwise records it.
    fn grant(&mut self, delta: u64) -> bool {
        let total = self.used().saturating_add(delta);
        if total > self.cap {
            // The guest sees -1 from memory.grow / table.grow, as the spec allows.
            self.denied = Some(total);
            false
        } else {
            true
        }
    }
}

impl ResourceLimiter for GuestLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let delta = (desired as u64).saturating_sub(current as u64);
        let granted = self.grant(delta);
        if granted {
            self.memory += delta;
        }
        Ok(granted)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let delta = (desired as u64)
            .saturating_sub(current as u64)
            .saturating_mul(TABLE_ENTRY_BYTES);
        let granted = self.grant(delta);
        if granted {
            self.tables += delta;
        }
        Ok(granted)
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn memories(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        self.max_tables
    }
}

type DecideFn = TypedFunc<(i32, i32, i32, i64, i32, i32), i32>;

/// What one `decide_turn` call produced.
pub(crate) struct Call {
    /// The reply bytes, or why there are none.
    pub result: Result<Vec<u8>, TurnOutcome>,
    pub fuel_used: u64,
    pub memory_bytes: u64,
    pub wall_time: Duration,
}

/// An instantiated, initialised controller.
pub(crate) struct LiveInstance {
    store: Store<GuestLimiter>,
    memory: Memory,
    decide: DecideFn,
    /// Values of the `__ident_ptr` and `__ident_len` globals: addresses of the identity cells.
    ident_cells: (i32, i32),
    /// Host-owned pages for the state and the reply: (offset, length).
    region: Option<(u64, u64)>,
    fuel: Option<u64>,
    deadline_ticks: u64,
    deadline: Duration,
}

/// What a failed start, init or turn call amounts to.
enum Failure {
    OutOfFuel,
    Deadline,
    Memory(u64),
    Trap(String),
}

/// Why a call failed. Fuel and the deadline are what stopped it, whatever came before; a refused
/// memory request explains a failure only when the module then aborted (`unreachable`, which is
/// how a Rust module ends when an allocation fails). Any other trap is the trap, with the refusal
/// mentioned.
fn classify(err: &wasmtime::Error, denied: Option<u64>) -> Failure {
    match (err.downcast_ref::<Trap>(), denied) {
        (Some(Trap::OutOfFuel), _) => Failure::OutOfFuel,
        (Some(Trap::Interrupt), _) => Failure::Deadline,
        (Some(Trap::UnreachableCodeReached), Some(bytes)) => Failure::Memory(bytes),
        (_, Some(bytes)) => Failure::Trap(format!(
            "{} (earlier in the call, a request for {bytes} bytes of memory was refused)",
            trap_words(err)
        )),
        (_, None) => Failure::Trap(trap_words(err)),
    }
}

/// A trap in words a designer can act on.
pub(crate) fn trap_words(err: &wasmtime::Error) -> String {
    match err.downcast_ref::<Trap>() {
        Some(Trap::StackOverflow) => {
            "call stack exhausted (recursion too deep for the stack limit)".into()
        }
        Some(Trap::UnreachableCodeReached) => {
            "wasm `unreachable` executed (a Rust mod panicked or aborted)".into()
        }
        Some(trap) => trap.to_string(),
        // Backtraces can quote names from the module's name section: escaped.
        None => aether_base::text::escape(&format!("{err:#}")).into_owned(),
    }
}

/// Instantiates a linked graph module beside its runtime instance `rt` (and first its base
/// module, if it has one): their imports from the runtime, the base's exports, the input
/// globals with their values; then writes the data into the shared memory (bounds-checked), as
/// data segments would have been at instantiation.
fn instantiate_linked(
    store: &mut Store<GuestLimiter>,
    rt: wasmtime::Instance,
    base: Option<&wasmtime::Module>,
    graph: &wasmtime::Module,
    inputs: &[i32],
    data: &[(u32, Vec<u8>)],
) -> wasmtime::Result<wasmtime::Instance> {
    let ty = wasmtime::GlobalType::new(wasmtime::ValType::I32, wasmtime::Mutability::Const);
    let globals = inputs
        .iter()
        .map(|&v| wasmtime::Global::new(&mut *store, ty.clone(), wasmtime::Val::I32(v)))
        .collect::<wasmtime::Result<Vec<_>>>()?;
    let base = match base {
        Some(module) => Some(instantiate_with(store, module, rt, None, &globals)?),
        None => None,
    };
    let instance = instantiate_with(store, graph, rt, base, &globals)?;
    let memory = rt
        .get_memory(&mut *store, "memory")
        .ok_or_else(|| wasmtime::format_err!("the runtime exports no memory"))?;
    for (at, bytes) in data {
        memory
            .write(&mut *store, *at as usize, bytes)
            .map_err(|_| {
                wasmtime::format_err!("the linked module's data at {at} is out of bounds")
            })?;
    }
    Ok(instance)
}

/// Instantiates `module`, its imports taken from the runtime instance, the base instance and
/// the input globals.
fn instantiate_with(
    store: &mut Store<GuestLimiter>,
    module: &wasmtime::Module,
    rt: wasmtime::Instance,
    base: Option<wasmtime::Instance>,
    inputs: &[wasmtime::Global],
) -> wasmtime::Result<wasmtime::Instance> {
    use aether_compile::{LINKED_BASE, LINKED_INPUTS, LINKED_RUNTIME};
    let mut imports = Vec::with_capacity(module.imports().len());
    for import in module.imports() {
        let missing = || {
            wasmtime::format_err!(
                "the linked module's import {}::{} is not provided",
                import.module(),
                import.name()
            )
        };
        let export = match (import.module(), base) {
            (LINKED_RUNTIME, _) => rt.get_export(&mut *store, import.name()),
            (LINKED_BASE, Some(base)) => base.get_export(&mut *store, import.name()),
            (LINKED_INPUTS, _) => import
                .name()
                .strip_prefix('p')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| inputs.get(n))
                .map(|g| (*g).into()),
            _ => None,
        };
        imports.push(export.ok_or_else(missing)?);
    }
    wasmtime::Instance::new(&mut *store, module, &imports)
}

impl LiveInstance {
    /// Instantiates (running any start function), calls `init`, and looks up the exports.
    pub(crate) fn start(
        pre: &super::Prepared,
        limits: &ControllerLimits,
        has_start: bool,
    ) -> Result<LiveInstance, LoadError> {
        let engine = match pre {
            super::Prepared::Single(pre) => pre.module().engine(),
            super::Prepared::Linked { graph, .. } => graph.engine(),
        };
        let mut limiter = GuestLimiter::new(limits);
        if let super::Prepared::Linked { base, .. } = pre {
            limiter.instances = if base.is_some() { 3 } else { 2 };
        }
        let mut store = Store::new(engine, limiter);
        store.limiter(|l| l);
        let deadline_ticks = ticks(limits.deadline);
        let live_fuel = |store: &mut Store<GuestLimiter>| {
            if let Some(f) = limits.fuel_per_turn {
                // Fuel is enabled on this engine whenever a budget is set.
                let _ = store.set_fuel(f);
            }
            store.set_epoch_deadline(deadline_ticks);
            store.epoch_deadline_trap();
        };
        live_fuel(&mut store);
        let fail = |stage: &'static str, f: Failure| match f {
            Failure::OutOfFuel => LoadError::OutOfFuel {
                stage,
                fuel: limits.fuel_per_turn.unwrap_or_default(),
            },
            Failure::Deadline => LoadError::Deadline {
                stage,
                millis: limits.deadline.as_millis(),
            },
            Failure::Memory(bytes) => LoadError::Memory {
                problem: format!(
                    "grew to {bytes} bytes during {stage}, above the cap of {} bytes",
                    limits.memory_bytes
                ),
            },
            Failure::Trap(message) if stage == "init" => LoadError::InitTrap { message },
            Failure::Trap(message) => LoadError::Start { message },
        };
        let start_stage = if has_start {
            "the start function"
        } else {
            "instantiation"
        };
        let instance = match pre {
            super::Prepared::Single(pre) => pre.instantiate(&mut store),
            super::Prepared::Linked {
                runtime,
                base,
                graph,
                inputs,
                data,
            } => runtime.instantiate(&mut store).and_then(|rt| {
                instantiate_linked(&mut store, rt, base.as_ref(), graph, inputs, data)
            }),
        }
        .map_err(|e| fail(start_stage, classify(&e, store.data().denied)))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or(LoadError::MissingExport {
                name: "memory",
                expected: "a 32-bit linear memory",
            })?;
        let init = instance
            .get_typed_func::<(), i32>(&mut store, "init")
            .map_err(|e| LoadError::Compile {
                message: format!("{e:#}"),
            })?;
        let decide = instance
            .get_typed_func::<(i32, i32, i32, i64, i32, i32), i32>(&mut store, "decide_turn")
            .map_err(|e| LoadError::Compile {
                message: format!("{e:#}"),
            })?;
        let ident_cells = super::identity::ident_cells(&instance, &mut store)?;
        live_fuel(&mut store);
        store.data_mut().denied = None;
        match init.call(&mut store, ()) {
            Ok(0) => return Err(LoadError::InitDeclined),
            Ok(_) => {}
            Err(e) => return Err(fail("init", classify(&e, store.data().denied))),
        }
        Ok(LiveInstance {
            store,
            memory,
            decide,
            ident_cells,
            region: None,
            fuel: limits.fuel_per_turn,
            deadline_ticks,
            deadline: limits.deadline,
        })
    }

    /// Reads the identity through the address cells of `__ident_ptr` and `__ident_len`: each
    /// exported global holds the address of a 4-byte little-endian cell, as rustc lays out a
    /// `#[no_mangle] pub static`. Every read is bounds-checked.
    pub(crate) fn identity(&self) -> Result<Identity, LoadError> {
        super::identity::read_identity(self.memory.data(&self.store), self.ident_cells)
    }

    /// Places the state and the reply buffer in host-owned pages, runs `decide_turn`, and returns
    /// the reply bytes or why there are none.
    pub(crate) fn decide(&mut self, state: &[u8], slot: u8, seed: u64, reply_cap: u32) -> Call {
        let started = Instant::now();
        let (state_ptr, out_ptr) = match self.place(state, reply_cap) {
            Ok(p) => p,
            Err(outcome) => {
                return Call {
                    result: Err(outcome),
                    fuel_used: 0,
                    memory_bytes: self.store.data().used(),
                    wall_time: started.elapsed(),
                };
            }
        };
        if let Some(f) = self.fuel {
            let _ = self.store.set_fuel(f);
        }
        self.store.set_epoch_deadline(self.deadline_ticks);
        self.store.data_mut().denied = None;
        // Addresses fit in i32: place() refuses offsets past i32::MAX.
        let args = (
            state_ptr as i32,
            state.len() as i32,
            i32::from(slot),
            seed as i64,
            out_ptr as i32,
            reply_cap as i32,
        );
        let returned = self.decide.call(&mut self.store, args);
        let wall_time = started.elapsed();
        let fuel_used = match (self.fuel, self.store.get_fuel()) {
            (Some(budget), Ok(left)) => budget.saturating_sub(left),
            _ => 0,
        };
        let memory_bytes = self.store.data().used();
        let cap = self.store.data().cap;
        let result = match returned {
            Err(e) => Err(match classify(&e, self.store.data().denied) {
                Failure::OutOfFuel => TurnOutcome::OutOfFuel {
                    fuel: self.fuel.unwrap_or_default(),
                },
                Failure::Deadline => TurnOutcome::Deadline {
                    millis: self.deadline.as_millis() as u64,
                },
                Failure::Memory(requested) => TurnOutcome::MemoryLimit {
                    requested,
                    limit: cap,
                },
                Failure::Trap(message) => TurnOutcome::Trap { message },
            }),
            Ok(n) if n < 0 || n as u32 > reply_cap => Err(TurnOutcome::BadReturn {
                value: n,
                reply_capacity: reply_cap,
            }),
            Ok(n) => {
                let mut reply = vec![0; n as usize];
                match self.memory.read(&self.store, out_ptr as usize, &mut reply) {
                    Ok(()) => Ok(reply),
                    Err(e) => Err(TurnOutcome::BadReply {
                        message: format!("the reply could not be read: {e}"),
                    }),
                }
            }
        };
        Call {
            result,
            fuel_used,
            memory_bytes,
            wall_time,
        }
    }

    /// Reserves (or reuses) pages past everything the guest has claimed and writes the state
    /// there; returns the state and reply addresses.
    fn place(&mut self, state: &[u8], reply_cap: u32) -> Result<(u64, u64), TurnOutcome> {
        let state_len = (state.len() as u64).next_multiple_of(8);
        let need = state_len + u64::from(reply_cap);
        let (offset, _) = match self.region {
            Some((offset, len)) if len >= need => (offset, len),
            _ => {
                let pages = need.div_ceil(PAGE);
                let cap = self.store.data().cap;
                // The module's own declared maximum may be lower than the cap.
                let declared = self.memory.ty(&self.store).maximum().map(|p| p * PAGE);
                let limit = declared.map_or(cap, |d| d.min(cap));
                let previous = self.memory.grow(&mut self.store, pages).map_err(|_| {
                    TurnOutcome::MemoryLimit {
                        requested: self.store.data().used() + pages * PAGE,
                        limit,
                    }
                })?;
                let region = (previous * PAGE, pages * PAGE);
                self.region = Some(region);
                region
            }
        };
        if offset + need > i32::MAX as u64 {
            return Err(TurnOutcome::MemoryLimit {
                requested: offset + need,
                limit: self.store.data().cap,
            });
        }
        let data = self.memory.data_mut(&mut self.store);
        let (o, s) = (offset as usize, state_len as usize);
        data[o..o + state.len()].copy_from_slice(state);
        // A clean reply buffer keeps a reused instance byte-identical to a fresh one.
        data[o + state.len()..o + s + reply_cap as usize].fill(0);
        Ok((offset, offset + state_len))
    }
}

/// Ticks of [`EPOCH_TICK`] covering `deadline` (at least one).
fn ticks(deadline: Duration) -> u64 {
    (deadline.as_nanos() / EPOCH_TICK.as_nanos()).max(1) as u64 + 1
}
