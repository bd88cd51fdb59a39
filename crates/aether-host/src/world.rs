//! One world script's instance: load, instantiate, `init`, events in slices of fuel, reset.
//!
//! A handler runs as a wasmtime async call whose store yields every slice of fuel
//! (`fuel_async_yield_interval`); [`ScriptRuntime::run_slice`] polls it once with a no-op waker,
//! so one poll is one slice, and a handler that has not returned stays suspended, alive, until
//! the next poll: no async runtime, no threads. The future owns the store while a handler is in
//! flight and gives it back when the handler returns; dropping it (a reset) cancels the handler.
//!
//! Fuel is exact over a handler: each suspended poll is reported as one slice, and when the
//! handler returns the store's remaining fuel gives the exact total, so the last slice reports
//! the total less what was reported before. Wasmtime stops a slice at the first fuel check past
//! its interval (a loop header or a call), a few units late, so the last slice also carries those
//! few units of every earlier one: a script's fuel in one tick can pass its cap by that much
//! (tested: under 0.1%).
//!
//! Its imports are the `"aether"` functions of [`imports`], each with its exact signature; any
//! other import is refused at load, by name.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use aether_world_types::{EVENTS_SECTION, EventMask, WorldEvent};
use wasmparser::ValType;
use wasmparser::types::EntityType;
use wasmtime::{Engine, InstancePre, Linker, Memory, Module, Store, Trap, TypedFunc};

use aether_base::text;
use aether_lang::identity::Identity;
use aether_world::journal::JournalEntry;
use aether_world::limits::{SchedulerPolicy, ScriptResourceLimits};
use aether_world::schedule::{SliceEnd, SliceOutcome};
use aether_world::{HostCosts, ScriptCalls, ScriptId, SharedWorld, SliceRunner};

use crate::instance::{GuestLimiter, trap_words};
use crate::load::{func_type, signature};
use crate::{CompileGuard, LoadError, ModuleBounds};

pub mod chunk;
pub mod imports;
pub mod meter;
pub mod queue;

use imports::{IMPORTS, ScriptHost};
use meter::{Meter, SharedMeter};
use queue::{Batch, Encoded, EventQueue};

fn lock_meter(m: &SharedMeter) -> std::sync::MutexGuard<'_, Meter> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The exports a world script must have, with their types in words.
const EXPORTS: [(&str, &str); 5] = [
    ("memory", "a 32-bit linear memory"),
    ("init", "a function () -> i32"),
    ("on_event", "a function (i32, i32) -> i32"),
    ("__ident_ptr", "an i32 global"),
    ("__ident_len", "an i32 global"),
];

/// Largest world-script module accepted, in bytes.
pub const MAX_SCRIPT_BYTES: usize = 8 * 1024 * 1024;

/// Events a script's queue holds at most; when it is full the oldest is dropped (and counted),
/// so a script that cannot keep up never makes the host hold more.
pub const MAX_QUEUED_EVENTS: usize = 1024;

const PAGE: u64 = 65536;

/// Live instance state, owned by the handler's future while one runs.
struct Live {
    store: Store<ScriptHost>,
    memory: Memory,
    on_event: TypedFunc<(i32, i32), i32>,
    /// Host-owned pages for the event: (offset, length).
    region: Option<(u64, u64)>,
}

type Handler = Pin<Box<dyn Future<Output = (Live, wasmtime::Result<i32>)> + Send>>;

/// A handler in flight.
struct Running {
    future: Handler,
    /// Fuel given to the handler when it started.
    budget: u64,
    /// Fuel reported for its earlier slices.
    reported: u64,
    /// The store's fuel where its last poll stopped.
    fuel: u64,
}

/// One world script: its compiled module, its instance, and the events waiting for it.
pub struct ScriptRuntime {
    pre: InstancePre<ScriptHost>,
    calls: Arc<Mutex<ScriptCalls>>,
    limits: ScriptResourceLimits,
    identity: Identity,
    /// Fuel of one slice (the store's yield interval).
    slice: u64,
    /// Fuel a handler may burn in all, across its slices.
    handler_fuel: u64,
    live: Option<Live>,
    running: Option<Running>,
    /// Encoded events waiting; one encoding is shared by every script that receives it.
    queue: EventQueue,
    /// Where the handler in flight stands in its slice, shared with the store's imports.
    meter: SharedMeter,
    /// What the host's work costs.
    costs: HostCosts,
    /// The events it answers ([`EVENTS_SECTION`]; all without the section).
    events: EventMask,
    /// Events dropped from a full queue since the last slice reported them.
    dropped: u32,
    /// Disabled for good: it takes no more events.
    closed: bool,
    /// Whether the journal is on (kept here too, so a slice asks no lock when it is off).
    journaling: bool,
}

impl std::fmt::Debug for ScriptRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptRuntime")
            .field("identity", &self.identity)
            .field("slice", &self.slice)
            .field("queued", &self.queue.len())
            .field("running", &self.running.is_some())
            .finish_non_exhaustive()
    }
}

/// Polls `future` once with a waker that does nothing: the world's executor. Wasmtime's fuel
/// yields make each poll return after at most one slice of fuel.
fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Polls `future` until it is ready. Used only where fuel bounds the work (instantiation,
/// `init`): each poll burns a slice, and the fuel runs out.
fn run_to_end<T>(mut future: Pin<Box<dyn Future<Output = T> + Send + '_>>) -> T {
    loop {
        if let Poll::Ready(out) = poll_once(future.as_mut()) {
            return out;
        }
    }
}

/// The checks [`ScriptRuntime::load`] makes before compiling anything: validation with the
/// engine's features, the shape bounds, the contract's imports and exports, memory under
/// `limits`. What an export or a scan checks without a world.
pub fn check_module(bytes: &[u8], limits: &ScriptResourceLimits) -> Result<(), LoadError> {
    let types = crate::load::validate(bytes, MAX_SCRIPT_BYTES, &ModuleBounds::default())?;
    check_shape(types.as_ref(), limits.max_memory_bytes)?;
    events_of(bytes).map(|_| ())
}

impl ScriptRuntime {
    /// Checks, compiles and starts a world script under `limits` (see [`LoadError`] for every
    /// refusal): validation and shape bounds as for controllers, the world-script exports, no
    /// import outside the contract; then instantiation and `init`, each under the fuel a handler
    /// may burn in all (its per-tick share for as many ticks as a handler may stay suspended,
    /// and two more).
    pub fn load(
        engine: &Engine,
        bytes: &[u8],
        id: ScriptId,
        world: SharedWorld,
        limits: &ScriptResourceLimits,
        policy: &SchedulerPolicy,
    ) -> Result<ScriptRuntime, LoadError> {
        ScriptRuntime::load_guarded(engine, None, bytes, id, world, limits, policy)
    }

    /// [`load`](Self::load), compiling in a worker process under `guard` (its deadline and
    /// memory cap, as for AI controllers) when one is given: what a world does with modules
    /// from elsewhere. `engine` must be [`world_engine`]'s.
    pub fn load_guarded(
        engine: &Engine,
        guard: Option<&CompileGuard>,
        bytes: &[u8],
        id: ScriptId,
        world: SharedWorld,
        limits: &ScriptResourceLimits,
        policy: &SchedulerPolicy,
    ) -> Result<ScriptRuntime, LoadError> {
        let bounds = ModuleBounds::default();
        let types = crate::load::validate(bytes, MAX_SCRIPT_BYTES, &bounds)?;
        check_shape(types.as_ref(), limits.max_memory_bytes)?;
        let events = events_of(bytes)?;
        // Bulk operations in chunks and a fuel check point in every long stretch, so each slice
        // ends where its fuel does ([`chunk`]).
        let bytes = chunk::prepare(bytes).map_err(|message| LoadError::Compile {
            message: text::escape(&message).into_owned(),
        })?;
        let module = match guard {
            Some(guard) => {
                let defaults = crate::ControllerLimits::default();
                let limits = crate::ControllerLimits {
                    max_module_bytes: bytes.len().max(defaults.max_module_bytes),
                    ..defaults
                };
                crate::worker::compile_guarded(
                    engine,
                    &limits,
                    crate::worker::EngineKind::World,
                    guard,
                    &bytes,
                )?
            }
            None => Module::new(engine, &bytes).map_err(|e| LoadError::Compile {
                message: text::escape(&format!("{e:#}")).into_owned(),
            })?,
        };
        let mut linker: Linker<ScriptHost> = Linker::new(engine);
        imports::link(&mut linker).map_err(|e| LoadError::Compile {
            message: format!("{e:#}"),
        })?;
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| LoadError::Compile {
                message: text::escape(&format!("{e:#}")).into_owned(),
            })?;
        let cap = limits.fuel_per_tick(policy.fuel_per_ms);
        let slice = policy.slice_for(cap).max(1);
        // More than a handler can burn before the scheduler cancels it (its cap for every tick it
        // may stay suspended, and one more), so a cancel, not fuel, ends an endless handler.
        let handler_fuel = cap
            .saturating_mul(u64::from(policy.max_suspended_ticks) + 2)
            .max(slice);
        let mut runtime = ScriptRuntime {
            pre,
            calls: Arc::new(Mutex::new(ScriptCalls::new(id, world, limits))),
            limits: limits.clone(),
            identity: Identity {
                name: String::new(),
                version: String::new(),
            },
            slice,
            handler_fuel,
            live: None,
            running: None,
            queue: EventQueue::new(MAX_QUEUED_EVENTS),
            meter: Arc::new(Mutex::new(Meter::new(slice, handler_fuel))),
            costs: policy.host_costs.clone(),
            events,
            dropped: 0,
            closed: false,
            journaling: false,
        };
        runtime.identity = runtime.start()?;
        Ok(runtime)
    }

    /// A fresh instance: instantiate, read the identity, `init`, each under a handler's fuel.
    fn start(&mut self) -> Result<Identity, LoadError> {
        let engine = self.pre.module().engine().clone();
        let mut store = Store::new(
            &engine,
            ScriptHost {
                limiter: GuestLimiter::with_cap(self.limits.max_memory_bytes, 4),
                calls: self.calls.clone(),
                meter: self.meter.clone(),
                costs: self.costs.clone(),
                copied: 0,
            },
        );
        store.limiter(|h| &mut h.limiter);
        let cap = self.handler_fuel;
        let fuel_error = |stage: &'static str, e: wasmtime::Error| match e.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => LoadError::OutOfFuel { stage, fuel: cap },
            _ if stage == "init" => LoadError::InitTrap {
                message: trap_words(&e),
            },
            _ => LoadError::Start {
                message: trap_words(&e),
            },
        };
        let _ = store.set_fuel(cap);
        let _ = store.fuel_async_yield_interval(Some(self.slice));
        // Instantiation and `init` run to their end under the handler's fuel: their imports
        // are charged but never end a slice.
        *lock_meter(&self.meter) = Meter {
            allowance: u64::MAX,
            ..Meter::new(self.slice, cap)
        };
        store.set_epoch_deadline(u64::MAX / 2);
        store.epoch_deadline_trap();
        let pre = self.pre.clone();
        let (mut store, instance) = run_to_end(Box::pin(async move {
            let instance = pre.instantiate_async(&mut store).await;
            (store, instance)
        }));
        let instance = instance.map_err(|e| fuel_error("the start function", e))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or(LoadError::MissingExport {
                name: "memory",
                expected: "a 32-bit linear memory",
            })?;
        let compile = |e: wasmtime::Error| LoadError::Compile {
            message: format!("{e:#}"),
        };
        let init = instance
            .get_typed_func::<(), i32>(&mut store, "init")
            .map_err(compile)?;
        let on_event = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "on_event")
            .map_err(compile)?;
        let cells = crate::identity::ident_cells(&instance, &mut store)?;
        let identity = crate::identity::read_identity(memory.data(&store), cells)?;
        let _ = store.set_fuel(cap);
        let (store, ready) = run_to_end(Box::pin(async move {
            let ready = init.call_async(&mut store, ()).await;
            (store, ready)
        }));
        match ready {
            Ok(0) => return Err(LoadError::InitDeclined),
            Ok(_) => {}
            Err(e) => return Err(fuel_error("init", e)),
        }
        self.live = Some(Live {
            store,
            memory,
            on_event,
            region: None,
        });
        Ok(identity)
    }

    /// The identity the script announced.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The fuel of one of its slices.
    pub fn slice_fuel(&self) -> u64 {
        self.slice
    }

    /// A world tick begins: the script's rates refill (call once per tick, before its events
    /// are delivered).
    pub fn begin_tick(&mut self) {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).tick();
    }

    /// Queues an event for the script, when it answers events of its kind.
    pub fn deliver(&mut self, event: &WorldEvent) {
        if self.events.answers(event)
            && let Some(bytes) = encode(event)
        {
            self.enqueue(bytes);
        }
    }

    /// Queues encoded event bytes: dropping the oldest when the queue is full, nothing once
    /// the script is closed.
    fn enqueue(&mut self, bytes: Encoded) {
        if !self.closed {
            let dropped = self.queue.push(bytes);
            self.count_dropped(dropped);
        }
    }

    /// Queues a tick's events already filtered for the script's subscriptions (one push).
    fn enqueue_batch(&mut self, batch: Batch) {
        if !self.closed {
            let dropped = self.queue.push_batch(batch);
            self.count_dropped(dropped);
        }
    }

    fn count_dropped(&mut self, n: usize) {
        self.dropped = self
            .dropped
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }

    /// The script was disabled for good: its queue is emptied and it takes no more events, so
    /// a long world never holds events for it.
    pub fn close(&mut self) {
        self.closed = true;
        self.queue.clear();
        self.running = None;
    }

    /// The events the script answers (every one, for a module that does not say).
    pub fn events(&self) -> EventMask {
        self.events
    }

    /// Events waiting (not counting a handler in flight).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Whether the script has work: a handler in flight or an event waiting.
    pub fn has_work(&self) -> bool {
        self.running.is_some() || !self.queue.is_empty()
    }

    /// Runs one slice of fuel: resumes the handler in flight, or starts the next event's
    /// handler, and goes on with the next events while the slice has fuel left. Everything
    /// the host did for the script in the slice (each event delivered, each import and what it
    /// copied or made the world do) is charged in it ([`meter`]).
    pub fn run_slice(&mut self) -> SliceOutcome {
        let started = Instant::now();
        let calls = self.calls.clone();
        let mut finished = 0u32;
        let dropped = std::mem::take(&mut self.dropped);
        let outcome = |fuel_used, end, finished| SliceOutcome {
            fuel_used,
            wall_time: started.elapsed(),
            end,
            refused: {
                let mut refused = calls
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take_refused();
                if dropped > 0 {
                    refused.push(("events: dropped, the queue was full".into(), dropped));
                }
                refused
            },
            finished,
        };
        let mut used = 0u64;
        loop {
            if self.running.is_none() {
                let Some(event) = self.queue.pop_front() else {
                    return outcome(used, SliceEnd::Finished, finished);
                };
                self.journal(JournalEntry::Event(event.clone()));
                if let Err(reason) = self.begin(&event, self.slice.saturating_sub(used)) {
                    self.journal(JournalEntry::End {
                        fault: Some(reason.clone()),
                        fuel: 0,
                    });
                    return outcome(used, SliceEnd::Fault(reason), finished);
                }
            }
            let allowance = self.slice.saturating_sub(used);
            let Some(running) = self.running.as_mut() else {
                return outcome(
                    used,
                    SliceEnd::Fault("the instance is gone".into()),
                    finished,
                );
            };
            let start = running.fuel;
            {
                let mut m = lock_meter(&self.meter);
                m.slice_start = start;
                m.allowance = allowance;
                m.ended_at = None;
            }
            loop {
                match poll_once(running.future.as_mut()) {
                    Poll::Pending => {
                        let mut m = lock_meter(&self.meter);
                        let (now, by_import) = match m.ended_at.take() {
                            Some(fuel) => (fuel, true),
                            // The store's interval ran out: its fuel went that far.
                            None => {
                                let fuel = m.interval_start.saturating_sub(m.interval);
                                m.interval_start = fuel;
                                (fuel, false)
                            }
                        };
                        running.fuel = now;
                        let spent = start.saturating_sub(now);
                        if by_import || spent + m.interval > allowance {
                            running.reported += spent;
                            return outcome(used + spent, SliceEnd::Yielded, finished);
                        }
                    }
                    Poll::Ready((live, result)) => {
                        let (budget, reported) = (running.budget, running.reported);
                        self.running = None;
                        let left = live.store.get_fuel().unwrap_or(0);
                        let total = budget.saturating_sub(left);
                        let fuel = total.saturating_sub(reported);
                        let denied = live.store.data().limiter.denied();
                        self.live = Some(live);
                        used += fuel;
                        let end = match result {
                            Ok(n) if n >= 0 => SliceEnd::Finished,
                            Ok(n) => SliceEnd::Fault(format!("on_event returned {n}, an error")),
                            Err(e) => SliceEnd::Fault(fault_words(&e, denied)),
                        };
                        self.journal(JournalEntry::End {
                            fault: match &end {
                                SliceEnd::Fault(f) => Some(f.clone()),
                                _ => None,
                            },
                            fuel: total,
                        });
                        // The next event in the same slice, while a useful part of it is left.
                        if matches!(end, SliceEnd::Finished) {
                            finished += 1;
                        }
                        if matches!(end, SliceEnd::Fault(_))
                            || self.queue.is_empty()
                            || used + (self.slice / 8).max(1) > self.slice
                        {
                            return outcome(used, end, finished);
                        }
                        break;
                    }
                }
            }
        }
    }

    /// Starts the handler of `event` with `allowance` fuel left in the slice: places it in
    /// host-owned pages and creates the call.
    fn begin(&mut self, event: &[u8], allowance: u64) -> Result<(), String> {
        let mut live = self.live.take().ok_or("the instance is gone")?;
        let placed = place(&mut live, event);
        let (ptr, len) = match placed {
            Ok(p) => p,
            Err(e) => {
                self.live = Some(live);
                return Err(e);
            }
        };
        let budget = self.handler_fuel;
        // The event's delivery is the handler's first cost; the store's interval is what is
        // left of the slice (an import may have changed it in the last handler).
        let delivered = budget.saturating_sub(self.costs.per_event);
        let interval = allowance
            .saturating_sub(self.costs.per_event)
            .clamp(1, self.slice);
        let _ = live.store.fuel_async_yield_interval(Some(interval));
        let _ = live.store.set_fuel(delivered);
        *lock_meter(&self.meter) = Meter {
            interval,
            interval_start: delivered,
            charged: self.costs.per_event,
            ..Meter::new(self.slice, budget)
        };
        live.store.data_mut().limiter.clear_denied();
        self.running = Some(Running {
            future: Box::pin(async move {
                let Live {
                    mut store,
                    memory,
                    on_event,
                    region,
                } = live;
                let result = on_event.call_async(&mut store, (ptr, len)).await;
                let live = Live {
                    store,
                    memory,
                    on_event,
                    region,
                };
                (live, result)
            }),
            budget,
            reported: 0,
            fuel: budget,
        });
        Ok(())
    }

    /// Cancels the handler in flight (its event is dropped) and replaces the instance with a
    /// fresh one (`init` again). Events still queued stay queued. If the fresh instance cannot
    /// start, the script is left without one and every later slice is a fault.
    pub fn reset(&mut self) {
        self.running = None;
        self.live = None;
        self.journal(JournalEntry::Restart);
        let _ = self.start();
    }

    /// Starts (or stops) writing down what the script does: each event begun, each import
    /// called with the world's answer, each handler's end, each restart
    /// (`aether_world::journal`). Off by default; costs a little per call when on.
    pub fn set_journal(&mut self, on: bool) {
        self.journaling = on;
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .set_journal(on);
    }

    /// What was written down since the last call.
    pub fn take_journal(&mut self) -> Vec<JournalEntry> {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take_journal()
    }

    fn journal(&self, entry: JournalEntry) {
        if !self.journaling {
            return;
        }
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .journal(entry);
    }
}

/// How many of [`IMPORTS`] (the first ones) contract version 1 has; the rest came with 2.
pub const VERSION_1_IMPORTS: usize = 9;

/// The `"aether"` imports of `wasm` that came after contract version `major` (a module built
/// against 1.x cannot know them), in the module's order. A module that does not parse has none
/// here: loading it says what is wrong.
pub fn imports_after_version(wasm: &[u8], major: u64) -> Vec<String> {
    if major >= 2 {
        return Vec::new();
    }
    let later = &IMPORTS[VERSION_1_IMPORTS..];
    let mut found = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let Ok(wasmparser::Payload::ImportSection(reader)) = payload else {
            continue;
        };
        for import in reader.into_imports().flatten() {
            if import.module == "aether" && later.iter().any(|(n, _, _)| *n == import.name) {
                found.push(import.name.to_owned());
            }
        }
    }
    found
}

/// The events a module answers: its [`EVENTS_SECTION`] (contract 2.1), or every event when it
/// has none.
pub fn events_of(wasm: &[u8]) -> Result<EventMask, LoadError> {
    let mut found = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let Ok(wasmparser::Payload::CustomSection(section)) = payload else {
            continue;
        };
        if section.name() != EVENTS_SECTION {
            continue;
        }
        if found.is_some() {
            return Err(LoadError::Section {
                name: EVENTS_SECTION,
                problem: "appears twice; a module lists the events it answers once".into(),
            });
        }
        found = Some(
            EventMask::from_bytes(section.data()).ok_or_else(|| LoadError::Section {
                name: EVENTS_SECTION,
                problem: format!(
                    "holds {} bytes; it must hold 8: a little-endian bit mask of the events the \
                 script answers (bit 1 for Tick, …; see the world-script contract)",
                    section.data().len()
                ),
            })?,
        );
    }
    Ok(found.unwrap_or(EventMask::ALL))
}

/// An event's postcard bytes. Encoding a `WorldEvent` cannot fail (no maps, no unsupported
/// types); `None` would only mean the allocator failed.
fn encode(event: &WorldEvent) -> Option<Encoded> {
    postcard::to_allocvec(event).ok().map(Arc::from)
}

/// A failed call in words: fuel, the deadline, memory when the module aborted after a refusal,
/// otherwise the trap.
fn fault_words(e: &wasmtime::Error, denied: Option<u64>) -> String {
    match (e.downcast_ref::<Trap>(), denied) {
        (Some(Trap::OutOfFuel), _) => "out of fuel".into(),
        (Some(Trap::Interrupt), _) => "deadline: ran too long in wall-clock time".into(),
        (Some(Trap::UnreachableCodeReached), Some(bytes)) => {
            format!("memory limit: asked for {bytes} bytes, above its cap")
        }
        _ => format!("trap: {}", trap_words(e)),
    }
}

/// Writes `event` into pages above everything the script claimed, growing its memory (under
/// its cap) when needed; returns `(ptr, len)`.
fn place(live: &mut Live, event: &[u8]) -> Result<(i32, i32), String> {
    place_event(&live.memory, &mut live.store, &mut live.region, event)
}

/// Writes `event` into `region` of `memory` (pages above everything the script claimed), first
/// growing the memory by enough pages when the region is missing or too small; returns
/// `(ptr, len)`. Shared with the fuel-counting twin (`compile::profile::WorldProfiler`), which
/// must place events exactly as the runtime does.
pub fn place_event(
    memory: &Memory,
    mut store: impl wasmtime::AsContextMut,
    region: &mut Option<(u64, u64)>,
    event: &[u8],
) -> Result<(i32, i32), String> {
    let need = event.len() as u64;
    let offset = match *region {
        Some((offset, len)) if len >= need => offset,
        _ => {
            let pages = need.max(1).div_ceil(PAGE);
            let previous = memory
                .grow(&mut store, pages)
                .map_err(|_| format!("no memory left under its cap for a {need}-byte event"))?;
            *region = Some((previous * PAGE, pages * PAGE));
            previous * PAGE
        }
    };
    if offset + need > i32::MAX as u64 {
        return Err("the event does not fit below 2 GiB".into());
    }
    memory
        .write(&mut store, offset as usize, event)
        .map_err(|e| format!("the event could not be written: {e}"))?;
    Ok((offset as i32, need as i32))
}

/// The world-script contract's shape: its exports, no import outside the contract, and a
/// memory that fits the cap with room for events.
fn check_shape(types: wasmparser::types::TypesRef<'_>, memory_cap: u64) -> Result<(), LoadError> {
    for (module, name, ty) in types.core_imports().into_iter().flatten() {
        let known = IMPORTS
            .iter()
            .find(|(n, _, _)| module == "aether" && *n == name);
        let Some((_, params, results)) = known else {
            return Err(LoadError::Forbidden {
                module: text::escape(module).into_owned(),
                name: text::escape(name).into_owned(),
            });
        };
        let found = func_type(&types, ty).map(|f| (f.params().to_vec(), f.results().to_vec()));
        if found.as_ref() != Some(&(params.to_vec(), results.to_vec())) {
            return Err(LoadError::WrongImport {
                name: text::escape(name).into_owned(),
                expected: signature(params, results),
                found: found.map_or_else(|| "not a function".into(), |(p, r)| signature(&p, &r)),
            });
        }
    }
    let exports: Vec<(&str, EntityType)> = types.core_exports().into_iter().flatten().collect();
    for (name, expected) in EXPORTS {
        let Some(&(_, ty)) = exports.iter().find(|(n, _)| *n == name) else {
            return Err(LoadError::MissingExport { name, expected });
        };
        let wrong = |found: String| LoadError::WrongExport {
            name,
            expected,
            found,
        };
        match (name, ty) {
            ("memory", EntityType::Memory(m)) => {
                if m.memory64 || m.shared {
                    return Err(wrong("a 64-bit or shared memory".into()));
                }
                if let Some(max) = m.maximum
                    && max <= m.initial
                {
                    return Err(LoadError::Memory {
                        problem: format!(
                            "declares a maximum of {max} pages, no more than the {} it starts \
                             with, so it cannot grow and the host has nowhere to place \
                             events above it; declare no maximum, or one above the initial size",
                            m.initial
                        ),
                    });
                }
                if m.initial.saturating_mul(PAGE).saturating_add(PAGE) > memory_cap {
                    return Err(LoadError::Memory {
                        problem: format!(
                            "starts at {} pages, which leaves no room under the script's cap of \
                             {memory_cap} bytes for the events the host places above it",
                            m.initial
                        ),
                    });
                }
            }
            ("init" | "on_event", EntityType::Func(_) | EntityType::FuncExact(_)) => {
                let Some(f) = func_type(&types, ty) else {
                    return Err(wrong("not a plain function".into()));
                };
                let want: (&[ValType], &[ValType]) = if name == "init" {
                    (&[], &[ValType::I32])
                } else {
                    (&[ValType::I32, ValType::I32], &[ValType::I32])
                };
                if (f.params(), f.results()) != want {
                    return Err(wrong(format!(
                        "a function {}",
                        signature(f.params(), f.results())
                    )));
                }
            }
            ("__ident_ptr" | "__ident_len", EntityType::Global(g))
                if g.content_type == ValType::I32 => {}
            (_, _) => return Err(wrong("something else".into())),
        }
    }
    Ok(())
}

/// The engine world scripts run on: the controllers' configuration (WebAssembly 2.0, canonical
/// NaNs, fuel, epochs), used through wasmtime's async calls so handlers can be suspended.
pub fn world_engine() -> Result<Engine, crate::HostError> {
    crate::engine::world_engine(&crate::ControllerLimits::default())
}

/// The scripts of a world, by id: the [`SliceRunner`] the scheduler drives.
#[derive(Debug, Default)]
pub struct ScriptSet {
    scripts: std::collections::BTreeMap<ScriptId, ScriptRuntime>,
}

impl ScriptSet {
    /// No scripts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the script `id`.
    pub fn insert(&mut self, id: ScriptId, runtime: ScriptRuntime) {
        self.scripts.insert(id, runtime);
    }

    /// The script `id`.
    pub fn get(&self, id: ScriptId) -> Option<&ScriptRuntime> {
        self.scripts.get(&id)
    }

    /// The script `id`, to change.
    pub fn get_mut(&mut self, id: ScriptId) -> Option<&mut ScriptRuntime> {
        self.scripts.get_mut(&id)
    }

    /// Closes every script `disabled` says is disabled (see [`ScriptRuntime::close`]).
    pub fn close_disabled(&mut self, disabled: impl Fn(ScriptId) -> bool) {
        for (id, s) in &mut self.scripts {
            if !s.closed && disabled(*id) {
                s.close();
            }
        }
    }

    /// A world tick begins for every script (rates refill).
    pub fn begin_tick(&mut self) {
        for s in self.scripts.values_mut() {
            s.begin_tick();
        }
    }

    /// Queues `event` for every script that answers events of its kind (encoded once).
    pub fn deliver_all(&mut self, event: &WorldEvent) {
        self.deliver_each(std::slice::from_ref(event));
    }

    /// Queues each of `events`, in order, for every script that answers events of its kind.
    /// Each event is encoded once and filtered once for each distinct set of subscriptions;
    /// each script then takes its share in one push ([`queue`]).
    pub fn deliver_each(&mut self, events: &[WorldEvent]) {
        let encoded: Vec<(u8, Encoded)> = events
            .iter()
            .filter_map(|e| Some((e.index(), encode(e)?)))
            .collect();
        if encoded.is_empty() {
            return;
        }
        let mut batches: Vec<(EventMask, Batch)> = Vec::new();
        for s in self.scripts.values_mut() {
            let mask = s.events;
            let batch = match batches.iter().find(|(m, _)| *m == mask) {
                Some((_, b)) => b.clone(),
                None => {
                    let b: Batch = encoded
                        .iter()
                        .filter(|(i, _)| mask.has(*i))
                        .map(|(_, e)| e.clone())
                        .collect();
                    batches.push((mask, b.clone()));
                    b
                }
            };
            s.enqueue_batch(batch);
        }
    }

    /// Queues an event for script `id` only (a message addressed to it).
    pub fn deliver_to(&mut self, id: ScriptId, event: &WorldEvent) {
        if let Some(s) = self.scripts.get_mut(&id) {
            s.deliver(event);
        }
    }
}

impl SliceRunner for ScriptSet {
    fn has_work(&self, id: ScriptId) -> bool {
        self.scripts.get(&id).is_some_and(ScriptRuntime::has_work)
    }

    fn run_slice(&mut self, id: ScriptId, _fuel: u64) -> SliceOutcome {
        // The slice's size was fixed when the script loaded, from the same policy and limits
        // the scheduler uses (`SchedulerPolicy::slice_for`).
        match self.scripts.get_mut(&id) {
            Some(s) => s.run_slice(),
            None => SliceOutcome {
                fuel_used: 0,
                wall_time: std::time::Duration::ZERO,
                end: SliceEnd::Fault("no such script".into()),
                refused: Vec::new(),
                finished: 0,
            },
        }
    }

    fn reset(&mut self, id: ScriptId) {
        if let Some(s) = self.scripts.get_mut(&id) {
            s.reset();
        }
    }
}
