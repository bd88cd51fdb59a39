//! # aether-host — everything that runs WebAssembly
//!
//! The one crate of the core that depends on wasmtime: the controller host, which loads
//! AI-controller modules and runs their turns under the game's caps, and the world-script
//! runtime ([`world`]), which runs world scripts' handlers in slices of fuel for the scheduler of
//! `aether_world`. Both share the engine settings, the static shape bounds, the compile worker
//! and cache, the memory limiter and the reading of a module's identity.
//!
//! **Architecture Invariant:** no crate below this one depends on wasmtime; the language, the
//! world's policy and the compiler are pure, and are tested without running a module.
//!
//! The controller host is the last stage of the pipeline, shared by compiled graphs and
//! hand-written Rust mods:
//!
//! 1. [`ControllerHost::load`] checks the bytes statically ([`LoadError`] names any import, any
//!    missing or mistyped export, a proposal the engine leaves off, an oversized module, memory
//!    or table, and any [`ModuleBounds`] the module's shape exceeds), compiles them once into an
//!    `InstancePre` (in a worker process under a deadline and memory cap when the limits carry a
//!    [`CompileGuard`]), then instantiates the module, calls `init` and reads the identity through
//!    the address cells of `__ident_ptr` / `__ident_len` (the layout rustc gives `#[no_mangle]`
//!    statics: the exported global holds the address of a cell, the cell holds the value).
//! 2. A [`ControllerSession`] plays turns: it sends the visibility-filtered state (postcard) into
//!    pages the host grows past everything the guest has claimed, calls `decide_turn` with fuel,
//!    the memory cap, an epoch deadline and a bounded stack, decodes the reply and applies every
//!    proposed action through the authoritative rules. The result is a [`TurnReport`].
//! 3. A failed turn (out of fuel, deadline, memory limit, trap, bad return value, undecodable
//!    reply) proposes nothing; the session discards the instance and the next turn starts from a
//!    fresh one (`init` again).
//! 4. [`check_determinism`] replays a `(state, slot, seed)` on two fresh instances and compares the
//!    reply bytes.
//!
//! Nothing a module does can corrupt host state or exhaust the host: its memory and tables share
//! one cap, compiling it is bounded, every read of its memory is bounds-checked, its text is
//! escaped before it is shown, NaNs are canonical so it decides alike on every machine, and
//! actions only ever reach the state through `rules::apply`. `docs/controller-host.md` is this
//! list for mod authors, with every number.

#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::{Engine, InstancePre, Linker, Module};

use aether_base::text;
use aether_compile::LinkedModule;
use aether_lang::identity::Identity;

mod bounds;
pub mod cache;
pub mod engine;
pub mod identity;
pub mod instance;
mod limits;
pub mod load;
mod outcome;
mod refusal;
mod turn;
mod worker;
pub mod world;

pub use cache::CompileCache;
pub use limits::{
    ControllerLimits, DEFAULT_DEADLINE, DEFAULT_FUEL_PER_TURN, DEFAULT_MAX_MODULE_BYTES,
    DEFAULT_MAX_WASM_STACK, DEFAULT_MEMORY_BYTES, DEFAULT_REPLY_CAPACITY, FUNCTION_CONTROL_COST,
    ModuleBounds, TABLE_ENTRY_BYTES,
};
pub use refusal::LoadError;
pub use turn::{
    ActionReport, ControllerSession, Determinism, TurnOutcome, TurnReport, check_determinism,
};
pub use worker::{
    CACHE_ENV, CompileGuard, DEFAULT_COMPILE_DEADLINE, DEFAULT_COMPILE_MEMORY, WORKER_ENV,
    serve_compile_worker,
};

use instance::{GuestLimiter, LiveInstance};

/// How often the epoch advances; the deadline is counted in these ticks.
const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Why the host itself could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("the WebAssembly engine could not be configured: {0}")]
pub struct HostError(String);

/// The shared engine and caps. Create one per process (it owns a small epoch-ticking thread) and
/// load every controller through it.
#[derive(Clone)]
pub struct ControllerHost {
    engine: Engine,
    limits: ControllerLimits,
    /// The AI runtime as a module of its own, compiled at the first linked load.
    runtime: Arc<std::sync::OnceLock<Result<InstancePre<GuestLimiter>, String>>>,
    /// The linked graph modules compiled last, by their bytes (the most recent last).
    linked: Arc<std::sync::Mutex<LinkedModules>>,
}

/// Linked graph modules kept compiled: an edit that changes only typed values or the identity
/// (and an undo) gives bytes compiled before.
#[derive(Default)]
struct LinkedModules {
    recent: Vec<(Vec<u8>, Module)>,
    compiled: u64,
}

/// How many compiled linked modules a host keeps.
const LINKED_KEPT: usize = 8;

impl std::fmt::Debug for ControllerHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControllerHost")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ControllerHost {
    /// A host enforcing `limits`.
    pub fn new(limits: ControllerLimits) -> Result<ControllerHost, HostError> {
        let engine = engine::engine(&limits)?;
        spawn_epoch_ticker(&engine);
        Ok(ControllerHost {
            engine,
            limits,
            runtime: Arc::default(),
            linked: Arc::default(),
        })
    }

    /// The caps this host enforces.
    pub fn limits(&self) -> &ControllerLimits {
        &self.limits
    }

    /// Checks, compiles and initialises a controller module; see [`LoadError`] for refusals.
    pub fn load(&self, bytes: &[u8]) -> Result<Controller, LoadError> {
        let facts = load::check_module(bytes, &self.limits)?;
        let started = Instant::now();
        let module = match &self.limits.compile_guard {
            Some(guard) => worker::compile_guarded(
                &self.engine,
                &self.limits,
                worker::EngineKind::Controller,
                guard,
                bytes,
            )?,
            None => Module::new(&self.engine, bytes).map_err(|e| LoadError::Compile {
                message: text::escape(&format!("{e:#}")).into_owned(),
            })?,
        };
        let linker: Linker<GuestLimiter> = Linker::new(&self.engine);
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| LoadError::Compile {
                message: format!("{e:#}"),
            })?;
        let compile_time = started.elapsed();
        let pre = Prepared::Single(pre);
        // A trial instance proves the module starts, `init` accepts, and the identity reads.
        let identity = LiveInstance::start(&pre, &self.limits, facts.has_start)?.identity()?;
        Ok(Controller {
            inner: Arc::new(Inner {
                pre,
                limits: self.limits.clone(),
                has_start: facts.has_start,
                identity,
                module_bytes: bytes.len(),
                compile_time,
            }),
        })
    }
}

impl ControllerHost {
    /// Loads a graph module from [`compile_linked`](aether_compile::compile_linked), linked to
    /// the AI runtime compiled once for this host: the studio's preview, which so spares every
    /// edit the runtime's translation. The module is the studio's own compiler's, so the static
    /// checks of [`load`](Self::load) for modules from elsewhere are not made (a module that
    /// imports anything but the runtime and its inputs is still refused); the caps (fuel,
    /// memory, deadline) are the same, and the turns and their fuel are those of the single
    /// module `load` takes (`tests/linked.rs`). Bytes loaded lately are not compiled again: a
    /// graph that changed only typed values or its identity, or an undone edit, starts at once.
    pub fn load_linked(&self, linked: &LinkedModule) -> Result<Controller, LoadError> {
        let runtime = self
            .runtime
            .get_or_init(|| {
                let bytes = aether_compile::linked_runtime().map_err(|e| e.to_string())?;
                let module = Module::new(&self.engine, bytes).map_err(|e| format!("{e:#}"))?;
                Linker::new(&self.engine)
                    .instantiate_pre(&module)
                    .map_err(|e| format!("{e:#}"))
            })
            .clone()
            .map_err(|message| LoadError::Compile { message })?;
        let started = Instant::now();
        let base = match &linked.base {
            Some(bytes) => Some(self.linked_module(bytes, linked.inputs.len(), false)?),
            None => None,
        };
        let module = self.linked_module(&linked.wasm, linked.inputs.len(), base.is_some())?;
        let compile_time = started.elapsed();
        let pre = Prepared::Linked {
            runtime,
            base,
            graph: module,
            inputs: linked.inputs.clone().into(),
            data: linked.data.clone().into(),
        };
        let identity = LiveInstance::start(&pre, &self.limits, false)?.identity()?;
        Ok(Controller {
            inner: Arc::new(Inner {
                pre,
                limits: self.limits.clone(),
                has_start: false,
                identity,
                module_bytes: linked.wasm.len(),
                compile_time,
            }),
        })
    }

    /// How many linked graph modules this host has compiled (a load that found its bytes
    /// compiled before does not count).
    pub fn linked_compiles(&self) -> u64 {
        self.lock_linked().compiled
    }

    fn lock_linked(&self) -> std::sync::MutexGuard<'_, LinkedModules> {
        self.linked.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The compiled module of `bytes`, from the recent ones or compiled now; refused when it
    /// imports anything but the runtime, `inputs` input globals and, when it has one, its base.
    fn linked_module(
        &self,
        bytes: &[u8],
        inputs: usize,
        has_base: bool,
    ) -> Result<Module, LoadError> {
        let kept = {
            let mut kept = self.lock_linked();
            kept.recent.iter().position(|(b, _)| b == bytes).map(|i| {
                let entry = kept.recent.remove(i);
                let module = entry.1.clone();
                kept.recent.push(entry);
                module
            })
        };
        let compiled = kept.is_none();
        let module = match kept {
            Some(module) => module,
            None => Module::new(&self.engine, bytes).map_err(|e| LoadError::Compile {
                message: text::escape(&format!("{e:#}")).into_owned(),
            })?,
        };
        // Checked at every load: what a module may import depends on what comes with it.
        if let Some(i) = module
            .imports()
            .find(|i| !linked_import(i, inputs, has_base))
        {
            return Err(LoadError::Import {
                module: text::escape(i.module()).into_owned(),
                name: text::escape(i.name()).into_owned(),
                kind: "something",
            });
        }
        if compiled {
            let mut kept = self.lock_linked();
            kept.compiled += 1;
            if kept.recent.len() >= LINKED_KEPT {
                kept.recent.remove(0);
            }
            kept.recent.push((bytes.to_vec(), module.clone()));
        }
        Ok(module)
    }
}

/// Whether a linked graph module may import `i`: anything from the runtime and its base module
/// if it has one (instantiation checks the types), and input globals `p0`… below `inputs`.
fn linked_import(i: &wasmtime::ImportType<'_>, inputs: usize, has_base: bool) -> bool {
    use aether_compile::{LINKED_BASE, LINKED_INPUTS, LINKED_RUNTIME};
    match i.module() {
        LINKED_RUNTIME => true,
        LINKED_BASE => has_base,
        LINKED_INPUTS => {
            matches!(i.ty(), wasmtime::ExternType::Global(_))
                && i.name()
                    .strip_prefix('p')
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n < inputs)
        }
        _ => false,
    }
}

/// A compiled controller, ready to instantiate per session: one module, or a graph module with
/// the runtime it imports.
#[derive(Clone)]
pub(crate) enum Prepared {
    /// A module that imports nothing.
    Single(InstancePre<GuestLimiter>),
    /// A linked graph module and the runtime instance it imports as `"rt"`.
    Linked {
        /// The runtime module.
        runtime: InstancePre<GuestLimiter>,
        /// The whole module the graph's module builds on, if it does.
        base: Option<Module>,
        /// The graph's module.
        graph: Module,
        /// The values of its input globals, by place.
        inputs: Arc<[i32]>,
        /// Bytes written into memory once it is instantiated (address, bytes).
        data: Arc<[(u32, Vec<u8>)]>,
    },
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until the engine is dropped.
fn spawn_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    let spawned = std::thread::Builder::new()
        .name("controller-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        });
    // Without the thread the deadline never fires, but fuel still bounds every call.
    drop(spawned);
}

struct Inner {
    pre: Prepared,
    limits: ControllerLimits,
    has_start: bool,
    identity: Identity,
    module_bytes: usize,
    compile_time: Duration,
}

/// A loaded, checked controller module: compiled once, instantiated cheaply per session.
#[derive(Clone)]
pub struct Controller {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Controller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controller")
            .field("identity", &self.inner.identity)
            .field("module_bytes", &self.inner.module_bytes)
            .finish_non_exhaustive()
    }
}

impl Controller {
    /// The identity the module announced.
    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    /// The caps it runs under.
    pub fn limits(&self) -> &ControllerLimits {
        &self.inner.limits
    }

    /// Size of the module in bytes.
    pub fn module_bytes(&self) -> usize {
        self.inner.module_bytes
    }

    /// How long compiling the module took.
    pub fn compile_time(&self) -> Duration {
        self.inner.compile_time
    }

    /// A session that plays turns with this controller.
    pub fn session(&self) -> ControllerSession {
        ControllerSession::new(self.clone())
    }
}
