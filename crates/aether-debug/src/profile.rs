//! Fuel per node: where a compiled turn's fuel went, exactly.
//!
//! Wasmtime's fuel charges every operator the module executes: 1 for each, 0 for `nop`,
//! `drop`, `block`, `loop`, `unreachable`, `return`, `else` and `end`, plus one per byte moved
//! or written by `memory.copy`, `memory.fill` and `memory.init` (wasmtime 48's defaults), and
//! one for every function entered (measured: not in its cost table, but an empty function
//! costs 1). This
//! module builds an instrumented copy of a compiled module (an AI's or a world script's) that
//! keeps that same count in a
//! global as it runs: before each operator it adds the operator's cost (before a bulk memory
//! operator, also its length). The instrumentation itself is not counted, so the count is the
//! fuel the original module burns on the same turn, operator for operator.
//!
//! Each node's function also keeps its own part: on entry it notes the count, on exit it adds
//! what was counted since, less what the nodes it called counted (a node pays for the runtime
//! queries it calls, not for other nodes it pulls values from). What no node counted is the
//! runtime's own part: reading the state, the turn's set-up, writing the reply. The parts add
//! up to the total by construction; the `profile` tests check the total against the host's fuel
//! on templates and random graphs.

use std::collections::BTreeMap;

use wasm_encoder::reencode::{Error, Reencode, RoundtripReencoder, utils};
use wasm_encoder::{BlockType, ConstExpr, ExportKind, GlobalType, Instruction, ValType};
use wasmparser::{Operator, Payload};

use aether_compile::ScriptArtifact;
use aether_lang::graph::NodeId;

/// Where a turn's fuel went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FuelProfile {
    /// Each node that ran, with the fuel of its own work (the runtime queries it called
    /// included, the nodes it pulled values from excluded).
    pub nodes: BTreeMap<NodeId, u64>,
    /// The runtime's own part: reading the state, setting up the turn, writing the reply.
    pub runtime: u64,
    /// Everything: the fuel the module burns on this turn.
    pub total: u64,
}

/// The cost the host's fuel table gives `op` (its flat part): wasmtime's default for AI
/// controllers; for world scripts, branches and calls cost more
/// (`aether_host::engine::WORLD_BRANCH_COST`, `WORLD_CALL_COST`).
fn cost(op: &Operator<'_>, world: bool) -> i64 {
    if world {
        match op {
            Operator::Br { .. } | Operator::BrIf { .. } | Operator::BrTable { .. } => {
                return i64::from(aether_host::engine::WORLD_BRANCH_COST);
            }
            Operator::Call { .. } | Operator::CallIndirect { .. } => {
                return i64::from(aether_host::engine::WORLD_CALL_COST);
            }
            _ => {}
        }
    }
    // The same table the compiler's fuel bound reads a module with.
    aether_compile::bound::flat_cost(op) as i64
}

/// Whether `op` also costs a fuel per unit of the length on top of the stack.
fn per_byte(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::MemoryCopy { .. } | Operator::MemoryFill { .. } | Operator::MemoryInit { .. }
    )
}

/// The export naming the total count.
const TOTAL: &str = "__fuel_total";

fn node_export(i: usize) -> String {
    format!("__fuel_node_{i}")
}

struct Layout {
    /// Functions the module imports (they come first in the function index space).
    imported: u32,
    /// Globals the module defines before ours.
    globals: u32,
    /// Each defined function's type index.
    func_types: Vec<u32>,
    /// Each type's parameter count.
    params: Vec<u32>,
    /// Each type's results.
    results: Vec<Vec<wasmparser::ValType>>,
    /// Defined function index → the node's slot among the counters.
    node_of: BTreeMap<u32, usize>,
    /// How many node counters.
    nodes: usize,
}

struct Instrument<'l> {
    layout: &'l Layout,
    /// The defined function being rewritten.
    func: u32,
    /// A world script's module (its branches and calls cost more).
    world: bool,
}

impl Instrument<'_> {
    fn total(&self) -> u32 {
        self.layout.globals
    }
    fn child(&self) -> u32 {
        self.layout.globals + 1
    }
    fn node_global(&self, slot: usize) -> u32 {
        self.layout.globals + 2 + slot as u32
    }
}

fn add_to_total(f: &mut wasm_encoder::Function, total: u32, c: i64) {
    f.instruction(&Instruction::GlobalGet(total));
    f.instruction(&Instruction::I64Const(c));
    f.instruction(&Instruction::I64Add);
    f.instruction(&Instruction::GlobalSet(total));
}

impl Reencode for Instrument<'_> {
    type Error = String;

    // Names and other custom sections are left out: the counts need none of them.
    fn parse_custom_section(
        &mut self,
        _module: &mut wasm_encoder::Module,
        _section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        Ok(())
    }

    fn parse_global_section(
        &mut self,
        globals: &mut wasm_encoder::GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        utils::parse_global_section(self, globals, section)?;
        let counter = GlobalType {
            val_type: ValType::I64,
            mutable: true,
            shared: false,
        };
        for _ in 0..2 + self.layout.nodes {
            globals.global(counter, &ConstExpr::i64_const(0));
        }
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        utils::parse_export_section(self, exports, section)?;
        exports.export(TOTAL, ExportKind::Global, self.total());
        for i in 0..self.layout.nodes {
            exports.export(&node_export(i), ExportKind::Global, self.node_global(i));
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), Error<Self::Error>> {
        let index = self.func;
        self.func += 1;
        let mut locals = Vec::new();
        let mut count = 0u32;
        for pair in func.get_locals_reader()? {
            let (n, ty) = pair?;
            count += n;
            locals.push((n, self.val_type(ty)?));
        }
        let type_index = *self
            .layout
            .func_types
            .get(index as usize)
            .ok_or_else(|| Error::UserError("a function without a type".to_owned()))?;
        // Three locals of ours after the function's own (parameters come first).
        let base = self.layout_params(type_index)? + count;
        let (t0, c0, len) = (base, base + 1, base + 2);
        locals.push((2, ValType::I64));
        locals.push((1, ValType::I32));
        let mut f = wasm_encoder::Function::new(locals);
        let node = self
            .layout
            .node_of
            .get(&(self.layout.imported + index))
            .copied();
        let total = self.total();
        let child = self.child();
        if node.is_some() {
            f.instruction(&Instruction::GlobalGet(total));
            f.instruction(&Instruction::LocalSet(t0));
            f.instruction(&Instruction::GlobalGet(child));
            f.instruction(&Instruction::LocalSet(c0));
            f.instruction(&Instruction::I64Const(0));
            f.instruction(&Instruction::GlobalSet(child));
            let results = &self.layout.results[type_index as usize];
            let bt = match results.as_slice() {
                [] => BlockType::Empty,
                [t] => BlockType::Result(self.val_type(*t)?),
                _ => {
                    return Err(Error::UserError(
                        "a node function with several results".to_owned(),
                    ));
                }
            };
            f.instruction(&Instruction::Block(bt));
        }
        // Wasmtime charges one fuel for every function entered (measured: an empty function
        // costs 1, a call of it 2 more), on top of its operators.
        add_to_total(&mut f, total, 1);
        let mut depth = 0u32;
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            let c = cost(&op, self.world);
            if per_byte(&op) {
                f.instruction(&Instruction::LocalTee(len));
                f.instruction(&Instruction::LocalGet(len));
                f.instruction(&Instruction::I64ExtendI32U);
                f.instruction(&Instruction::GlobalGet(total));
                f.instruction(&Instruction::I64Add);
                f.instruction(&Instruction::GlobalSet(total));
            }
            if c != 0 {
                add_to_total(&mut f, total, c);
            }
            match &op {
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => depth += 1,
                Operator::End if depth == 0 => {
                    // The function's own end: close our block, then book the node's part.
                    if let Some(slot) = node {
                        f.instruction(&Instruction::End);
                        let g = self.node_global(slot);
                        f.instruction(&Instruction::GlobalGet(total));
                        f.instruction(&Instruction::LocalGet(t0));
                        f.instruction(&Instruction::I64Sub);
                        f.instruction(&Instruction::LocalSet(t0));
                        f.instruction(&Instruction::GlobalGet(g));
                        f.instruction(&Instruction::LocalGet(t0));
                        f.instruction(&Instruction::GlobalGet(child));
                        f.instruction(&Instruction::I64Sub);
                        f.instruction(&Instruction::I64Add);
                        f.instruction(&Instruction::GlobalSet(g));
                        f.instruction(&Instruction::LocalGet(c0));
                        f.instruction(&Instruction::LocalGet(t0));
                        f.instruction(&Instruction::I64Add);
                        f.instruction(&Instruction::GlobalSet(child));
                    }
                    f.instruction(&Instruction::End);
                    continue;
                }
                Operator::End => depth -= 1,
                Operator::Return if node.is_some() => {
                    // Leave through our block, so the part is booked.
                    f.instruction(&Instruction::Br(depth));
                    continue;
                }
                _ => {}
            }
            f.instruction(&RoundtripReencoder.instruction(op).map_err(|e| {
                Error::UserError(format!("an instruction could not be copied: {e:?}"))
            })?);
        }
        code.function(&f);
        Ok(())
    }
}

impl Instrument<'_> {
    fn layout_params(&self, type_index: u32) -> Result<u32, Error<String>> {
        self.layout
            .params
            .get(type_index as usize)
            .copied()
            .ok_or_else(|| Error::UserError("a type index out of range".to_owned()))
    }
}

/// The instrumented copy of `artifact`'s module (see the module documentation), and each
/// counter's node.
pub fn instrument(artifact: &ScriptArtifact) -> Result<(Vec<u8>, Vec<NodeId>), String> {
    instrument_bytes(artifact, &artifact.wasm_bytes, false)
}

/// [`instrument`] of `wasm`, which is `artifact`'s module or a form of it the host runs (a world
/// script's, with its bulk operations in chunks).
fn instrument_bytes(
    artifact: &ScriptArtifact,
    wasm: &[u8],
    world: bool,
) -> Result<(Vec<u8>, Vec<NodeId>), String> {
    let mut layout = Layout {
        imported: 0,
        globals: 0,
        func_types: Vec::new(),
        params: Vec::new(),
        results: Vec::new(),
        node_of: BTreeMap::new(),
        nodes: 0,
    };
    let mut imported_funcs = 0u32;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    let ty = ty.map_err(|e| e.to_string())?;
                    layout.params.push(ty.params().len() as u32);
                    layout.results.push(ty.results().to_vec());
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    match import.ty {
                        wasmparser::TypeRef::Func(_) => imported_funcs += 1,
                        wasmparser::TypeRef::Global(_) => layout.globals += 1,
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    layout.func_types.push(t.map_err(|e| e.to_string())?);
                }
            }
            Payload::GlobalSection(r) => layout.globals += r.count(),
            _ => {}
        }
    }
    layout.imported = imported_funcs;
    let mut nodes = Vec::new();
    for (id, code) in &artifact.node_code {
        layout.node_of.insert(code.function, nodes.len());
        nodes.push(*id);
    }
    layout.nodes = nodes.len();
    let mut module = wasm_encoder::Module::new();
    let mut instrument = Instrument {
        layout: &layout,
        func: 0,
        world,
    };
    instrument
        .parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)
        .map_err(|e| format!("the module could not be instrumented: {e:?}"))?;
    Ok((module.finish(), nodes))
}

/// The engine instrumented copies run on: fuel counted by wasmtime too, otherwise the hosts'
/// features; built once (creating an engine costs milliseconds a time).
fn twin_engine() -> Result<&'static wasmtime::Engine, String> {
    static ENGINE: std::sync::OnceLock<Result<wasmtime::Engine, String>> =
        std::sync::OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut config = wasmtime::Config::new();
            config
                .wasm_features(wasmtime::wasmparser::WasmFeatures::all(), false)
                .wasm_features(aether_host::engine::engine_features(), true)
                .cranelift_nan_canonicalization(true)
                .consume_fuel(true);
            wasmtime::Engine::new(&config).map_err(|e| format!("{e:#}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The instrumented copy of `artifact`, compiled, and each counter's node.
fn twin_module(
    artifact: &ScriptArtifact,
    world: bool,
) -> Result<(wasmtime::Module, Vec<NodeId>), String> {
    let (wasm, nodes) = if world {
        // A world script runs with its bulk operations in chunks: so does its twin.
        let chunked = aether_host::world::chunk::prepare(&artifact.wasm_bytes)?;
        instrument_bytes(artifact, &chunked, true)?
    } else {
        instrument(artifact)?
    };
    let module = wasmtime::Module::new(twin_engine()?, &wasm)
        .map_err(|e| format!("the instrumented module does not load: {e:#}"))?;
    Ok((module, nodes))
}

/// Plays `slot`'s turn on `view` with `seed` in the instrumented copy of `artifact` (a fresh
/// instance, as a host's first turn) and returns where its fuel went.
pub fn profile_turn(
    artifact: &ScriptArtifact,
    view: &mc_tactical_types::TacticalState,
    slot: u8,
    seed: u64,
) -> Result<FuelProfile, String> {
    const REPLY: usize = 65536;
    let (module, nodes) = twin_module(artifact, false)?;
    let mut store = wasmtime::Store::new(module.engine(), ());
    store.set_fuel(u64::MAX / 2).map_err(|e| format!("{e:#}"))?;
    let instance = wasmtime::Instance::new(&mut store, &module, &[])
        .map_err(|e| format!("the instrumented module does not start: {e:#}"))?;
    let err = |e: wasmtime::Error| format!("{e:#}");
    let init = instance
        .get_typed_func::<(), i32>(&mut store, "init")
        .map_err(err)?;
    init.call(&mut store, ()).map_err(err)?;
    // What `init` counted is not the turn's (the host measures `decide_turn` alone).
    let before = instance
        .get_global(&mut store, TOTAL)
        .and_then(|g| g.get(&mut store).i64())
        .unwrap_or(0) as u64;
    let memory = instance
        .get_memory(&mut store, "memory")
        .ok_or("the module has no memory")?;
    let state = postcard::to_allocvec(view).map_err(|e| e.to_string())?;
    let need = state.len().next_multiple_of(8) + REPLY;
    let pages = need.div_ceil(65536) as u64;
    let at = memory.grow(&mut store, pages).map_err(err)? as usize * 65536;
    memory
        .write(&mut store, at, &state)
        .map_err(|e| e.to_string())?;
    let decide = instance
        .get_typed_func::<(i32, i32, i32, i64, i32, i32), i32>(&mut store, "decide_turn")
        .map_err(err)?;
    let out = at + state.len().next_multiple_of(8);
    let r = decide
        .call(
            &mut store,
            (
                at as i32,
                state.len() as i32,
                i32::from(slot),
                seed as i64,
                out as i32,
                REPLY as i32,
            ),
        )
        .map_err(err)?;
    if r < 0 {
        return Err(format!("the turn failed (code {r})"));
    }
    let mut read = |name: &str| -> Result<u64, String> {
        let g = instance
            .get_global(&mut store, name)
            .ok_or_else(|| format!("no counter {name}"))?;
        Ok(g.get(&mut store).i64().unwrap_or(0) as u64)
    };
    let total = read(TOTAL)? - before;
    let mut profile = FuelProfile {
        total,
        ..FuelProfile::default()
    };
    for (i, node) in nodes.iter().enumerate() {
        let fuel = read(&node_export(i))?;
        if fuel > 0 {
            profile.nodes.insert(*node, fuel);
        }
    }
    let counted: u64 = profile.nodes.values().sum();
    profile.runtime = total
        .checked_sub(counted)
        .ok_or("the nodes' parts exceed the total")?;
    Ok(profile)
}

/// A world script's instrumented twin, fed the events its real instance handled with the
/// world's answers from its journal (`aether_world::journal`): each event's fuel, node by
/// node. The twin keeps its own memory from event to event as the real instance does, so each
/// count is the fuel the real handler burned (checked against the host's by the caller).
pub struct WorldProfiler {
    meter: aether_host::world::meter::SharedMeter,
    costs: aether_world::HostCosts,
    module: wasmtime::Module,
    linker: wasmtime::Linker<aether_host::world::imports::ScriptHost>,
    nodes: Vec<NodeId>,
    live: Option<ProfiledInstance>,
    calls: std::sync::Arc<std::sync::Mutex<aether_world::journal::Replayer>>,
}

struct ProfiledInstance {
    store: wasmtime::Store<aether_host::world::imports::ScriptHost>,
    instance: wasmtime::Instance,
    memory: wasmtime::Memory,
    on_event: wasmtime::TypedFunc<(i32, i32), i32>,
    /// Pages taken for events, as the runtime takes them.
    region: Option<(u64, u64)>,
}

impl std::fmt::Debug for WorldProfiler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorldProfiler")
            .field("nodes", &self.nodes.len())
            .finish_non_exhaustive()
    }
}

impl WorldProfiler {
    /// The twin of `artifact` (a compiled world-script graph), started (`init`).
    pub fn new(artifact: &ScriptArtifact) -> Result<Self, String> {
        let (module, nodes) = twin_module(artifact, true)?;
        let mut linker = wasmtime::Linker::new(module.engine());
        aether_host::world::imports::link(&mut linker).map_err(|e| format!("{e:#}"))?;
        let mut profiler = Self {
            meter: Default::default(),
            costs: aether_world::SchedulerPolicy::default().host_costs,
            module,
            linker,
            nodes,
            live: None,
            calls: Default::default(),
        };
        profiler.restart()?;
        Ok(profiler)
    }

    /// A fresh instance (`init` again), as the runtime makes after a fault.
    pub fn restart(&mut self) -> Result<(), String> {
        self.live = None;
        let host = aether_host::world::imports::ScriptHost {
            limiter: aether_host::instance::GuestLimiter::with_cap(1 << 30, 4),
            calls: self.calls.clone(),
            meter: self.meter.clone(),
            costs: self.costs.clone(),
            copied: 0,
        };
        let mut store = wasmtime::Store::new(self.module.engine(), host);
        store.limiter(|h| &mut h.limiter);
        store.set_fuel(u64::MAX / 2).map_err(|e| format!("{e:#}"))?;
        let err = |e: wasmtime::Error| format!("{e:#}");
        let linker = self.linker.clone();
        let module = self.module.clone();
        let (mut store, instance) = block_on(async move {
            let instance = linker.instantiate_async(&mut store, &module).await;
            (store, instance)
        });
        let instance = instance.map_err(err)?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or("the module has no memory")?;
        let init = instance
            .get_typed_func::<(), i32>(&mut store, "init")
            .map_err(err)?;
        let on_event = instance
            .get_typed_func::<(i32, i32), i32>(&mut store, "on_event")
            .map_err(err)?;
        let (store, ready) = block_on(async move {
            let ready = init.call_async(&mut store, ()).await;
            (store, ready)
        });
        ready.map_err(err)?;
        self.live = Some(ProfiledInstance {
            store,
            instance,
            memory,
            on_event,
            region: None,
        });
        Ok(())
    }

    fn counters(&mut self) -> Result<(u64, Vec<u64>), String> {
        let live = self.live.as_mut().ok_or("the twin is gone")?;
        let mut read = |name: &str| -> Result<u64, String> {
            let g = live
                .instance
                .get_global(&mut live.store, name)
                .ok_or_else(|| format!("no counter {name}"))?;
            Ok(g.get(&mut live.store).i64().unwrap_or(0) as u64)
        };
        let total = read(TOTAL)?;
        let nodes = (0..self.nodes.len())
            .map(|i| read(&node_export(i)))
            .collect::<Result<_, _>>()?;
        Ok((total, nodes))
    }

    /// Runs the handler of `event` (its postcard bytes) with the world's answers `calls`, and
    /// returns where its fuel went.
    pub fn event(
        &mut self,
        event: &[u8],
        calls: Vec<(&'static str, aether_world::journal::Answer, u64)>,
    ) -> Result<FuelProfile, String> {
        *self.calls.lock().unwrap_or_else(|p| p.into_inner()) =
            aether_world::journal::Replayer::new(calls);
        let (total0, nodes0) = self.counters()?;
        let live = self.live.as_mut().ok_or("the twin is gone")?;
        // The event where the runtime places it.
        let (ptr, len) = aether_host::world::place_event(
            &live.memory,
            &mut live.store,
            &mut live.region,
            event,
        )?;
        // What the host charges beside the operators: the delivery, and each call's cost
        // (charged by the same imports as in the world, never ending a slice here).
        *lock_meter(&self.meter) = aether_host::world::meter::Meter {
            allowance: u64::MAX,
            charged: self.costs.per_event,
            ..aether_host::world::meter::Meter::new(u64::MAX / 4, u64::MAX / 2)
        };
        let on_event = live.on_event.clone();
        let store = &mut live.store;
        let r = block_on(async move { on_event.call_async(store, (ptr, len)).await })
            .map_err(|e| format!("{e:#}"))?;
        let charged = lock_meter(&self.meter).charged;
        if r < 0 {
            return Err(format!("the handler failed (code {r})"));
        }
        let (total1, nodes1) = self.counters()?;
        let mut profile = FuelProfile {
            total: total1 - total0 + charged,
            ..FuelProfile::default()
        };
        for (i, node) in self.nodes.iter().enumerate() {
            let fuel = nodes1[i] - nodes0[i];
            if fuel > 0 {
                profile.nodes.insert(*node, fuel);
            }
        }
        let counted: u64 = profile.nodes.values().sum();
        profile.runtime = profile
            .total
            .checked_sub(counted)
            .ok_or("the nodes' parts exceed the total")?;
        let left = self.calls.lock().unwrap_or_else(|p| p.into_inner()).left();
        if left != 0 {
            return Err(format!(
                "the twin made {left} call(s) fewer than the script"
            ));
        }
        Ok(profile)
    }
}

fn lock_meter(
    m: &aether_host::world::meter::SharedMeter,
) -> std::sync::MutexGuard<'_, aether_host::world::meter::Meter> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Polls `future` to its end with a waker that does nothing: the twin's calls yield only where
/// the meter ends a slice, which it never does here.
fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
