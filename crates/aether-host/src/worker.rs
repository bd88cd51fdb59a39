//! The last guard on compilation: compiling a module in a child process, under a wall-clock
//! deadline and an address-space cap.
//!
//! The static bounds (`bounds.rs`) keep every module they accept fast to compile, by a model
//! measured on the worst shapes known. A shape nobody thought of could still make the compiler
//! take minutes or gigabytes, and a compiler running inside the studio or the game cannot be
//! stopped. So a host configured with a [`CompileGuard`] compiles in a worker process: the
//! module's bytes go to its standard input, the compiled code comes back on its standard output
//! and is loaded into the host's engine. A worker that runs past the deadline is killed; one that
//! reaches the memory cap fails its allocation and dies. Either way the load is refused with a
//! message, and the host goes on.
//!
//! The worker is any program that calls [`serve_compile_worker`] first thing in `main`: the
//! studio's own binary, or `aether-compile-worker` from this crate.

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wasmtime::{Engine, Module};

use super::{ControllerLimits, LoadError};

/// The environment variable that turns a program into a compile worker. Its value carries the
/// engine settings that shape compiled code (`fuel=1,stack=524288`), so the worker's code
/// matches the host's engine (wasmtime refuses it otherwise), and the largest module it reads
/// (`bytes=8388608`).
pub const WORKER_ENV: &str = "AETHER_SCRIPTING_COMPILE_WORKER";

/// Wall-clock time a compilation may take in the worker by default: five times the slowest
/// module within the bounds.
pub const DEFAULT_COMPILE_DEADLINE: Duration = Duration::from_secs(10);

/// Address space the worker may use by default. Compiling the largest modules within the
/// bounds peaks under 300 MB (BENCHMARKS.md); the rest is the worker program's own mapping.
pub const DEFAULT_COMPILE_MEMORY: u64 = 2 * 1024 * 1024 * 1024;

/// Compile modules in a worker process, bounded in time and memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileGuard {
    /// The worker program: it must call [`serve_compile_worker`] at the start of `main`.
    pub program: PathBuf,
    /// Wall-clock time one compilation may take.
    pub deadline: Duration,
    /// Address space the worker may reserve, in bytes (enforced on Linux).
    pub memory_bytes: u64,
}

impl CompileGuard {
    /// A guard running `program` with the default deadline and memory cap.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            deadline: DEFAULT_COMPILE_DEADLINE,
            memory_bytes: DEFAULT_COMPILE_MEMORY,
        }
    }
}

/// The compile cache folder a worker uses, when the host has one (empty: none).
pub const CACHE_ENV: &str = "AETHER_COMPILE_CACHE";

/// Which engine compiles: a controller's, or a world script's (its own operator costs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EngineKind {
    /// `engine::engine`.
    Controller,
    /// `engine::world_engine`.
    World,
}

/// The engine settings a worker must share with the host, as [`WORKER_ENV`]'s value.
fn settings(limits: &ControllerLimits, kind: EngineKind) -> String {
    format!(
        "fuel={},stack={},bytes={},world={}",
        u8::from(limits.fuel_per_turn.is_some()),
        limits.max_wasm_stack,
        limits.max_module_bytes,
        u8::from(kind == EngineKind::World)
    )
}

/// Limits and the engine kind that `settings` describes (the inverse of [`settings`]).
fn limits_from(settings: &str) -> Option<(ControllerLimits, EngineKind)> {
    let mut limits = ControllerLimits::default();
    let mut kind = EngineKind::Controller;
    for part in settings.split(',') {
        match part.split_once('=')? {
            ("fuel", "1") | ("world", "0") => {}
            ("fuel", "0") => limits.fuel_per_turn = None,
            ("world", "1") => kind = EngineKind::World,
            ("stack", n) => limits.max_wasm_stack = n.parse().ok()?,
            ("bytes", n) => limits.max_module_bytes = n.parse().ok()?,
            _ => return None,
        }
    }
    Some((limits, kind))
}

/// Call first thing in `main` of a program that may serve as a compile worker. When the program
/// was started as one (with [`WORKER_ENV`] set), this reads a module from standard input, writes
/// its compiled code to standard output (or the compiler's error to standard error) and exits;
/// otherwise it returns at once.
pub fn serve_compile_worker() {
    let Ok(settings) = std::env::var(WORKER_ENV) else {
        return;
    };
    let code = match compile_here(&settings) {
        Ok(code) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(&code).and_then(|()| out.flush()) {
                Ok(()) => 0,
                Err(_) => 3,
            }
        }
        Err(message) => {
            eprint!("{message}");
            1
        }
    };
    std::process::exit(code);
}

fn compile_here(settings: &str) -> Result<Vec<u8>, String> {
    let (mut limits, kind) = limits_from(settings)
        .ok_or_else(|| format!("the compile worker got unknown settings {settings:?}"))?;
    // The host's compile cache folder, when it has one: the worker reuses and fills it.
    if let Some(dir) = std::env::var_os(CACHE_ENV).filter(|d| !d.is_empty()) {
        limits.compile_cache = Some(super::CompileCache::on_disk(PathBuf::from(dir)));
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .take((limits.max_module_bytes as u64).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the module: {e}"))?;
    let engine = match kind {
        EngineKind::Controller => super::engine::engine(&limits),
        EngineKind::World => super::engine::world_engine(&limits),
    }
    .map_err(|e| e.to_string())?;
    engine
        .precompile_module(&bytes)
        .map_err(|e| format!("{e:#}"))
}

/// Compiles `bytes` in a worker under `guard` and loads the result into `engine` (an engine of
/// `kind`, built from `limits`).
pub(crate) fn compile_guarded(
    engine: &Engine,
    limits: &ControllerLimits,
    kind: EngineKind,
    guard: &CompileGuard,
    bytes: &[u8],
) -> Result<Module, LoadError> {
    let fail = |message: String| LoadError::Compile { message };
    let mut child = Command::new(&guard.program)
        .env(WORKER_ENV, settings(limits, kind))
        .env(
            CACHE_ENV,
            limits
                .compile_cache
                .as_ref()
                .and_then(|c| c.dir())
                .map(|d| d.as_os_str().to_owned())
                .unwrap_or_default(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            fail(format!(
                "the compile worker {} could not be started: {e}",
                guard.program.display()
            ))
        })?;
    cap_memory(child.id(), guard.memory_bytes);
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(fail(
            "the compile worker's pipes could not be opened".into(),
        ));
    };
    let started = Instant::now();
    let outcome = std::thread::scope(|scope| {
        // Module in, code and messages out, all at once: no pipe can fill and stall the other.
        scope.spawn(move || {
            let _ = stdin.write_all(bytes);
        });
        let code = scope.spawn(move || {
            let mut code = Vec::new();
            stdout.read_to_end(&mut code).map(|_| code)
        });
        let message = scope.spawn(move || {
            let mut text = Vec::new();
            let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        });
        let status = loop {
            match child.try_wait() {
                // Finished within the deadline. (One that finished between two looks, after the
                // deadline, is past it too: it once passed a 1 ms deadline on a quick machine
                // because the loop looks only every 2 ms.)
                Ok(Some(status)) if started.elapsed() <= guard.deadline => break Some(status),
                Ok(None) if started.elapsed() < guard.deadline => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
            }
        };
        let code = code.join().ok().and_then(Result::ok);
        let message = message.join().unwrap_or_default();
        (status, code, message)
    });
    match outcome {
        (None, _, _) => Err(fail(format!(
            "compiling took longer than {} s and was stopped; the module is too costly to \
             compile (see the contract's limits)",
            guard.deadline.as_secs_f64()
        ))),
        (Some(status), Some(code), _) if status.success() => load_compiled(engine, &code),
        (Some(status), _, message) if status.code() == Some(1) => {
            Err(fail(aether_base::text::escape(&message).into_owned()))
        }
        (Some(status), _, _) => Err(fail(format!(
            "the compiler ran out of its {} MiB of memory or crashed ({status}); the module is \
             too costly to compile (see the contract's limits)",
            guard.memory_bytes / (1024 * 1024)
        ))),
    }
}

/// Loads code the worker compiled.
///
/// `Module::deserialize` is unsafe because it trusts its bytes to be wasmtime's own output. They
/// are: they come from the worker (the same wasmtime, with the host's engine settings, which
/// wasmtime checks again here) over a private pipe, produced from the module exactly as an
/// in-process compile would; the module itself was validated before it was sent.
#[allow(unsafe_code)]
fn load_compiled(engine: &Engine, code: &[u8]) -> Result<Module, LoadError> {
    // SAFETY: see above: `code` is wasmtime's serialization of a validated module, produced by
    // our own worker with this engine's settings; incompatible code is refused by wasmtime.
    unsafe { Module::deserialize(engine, code) }.map_err(|e| LoadError::Compile {
        message: format!("the compile worker's output could not be loaded: {e:#}"),
    })
}

/// Caps the worker's address space. The worker blocks on its standard input until the module is
/// written, which happens after this, so the cap is in place before compiling begins.
#[cfg(target_os = "linux")]
fn cap_memory(pid: u32, bytes: u64) {
    use rustix::process::{Pid, Resource, Rlimit, prlimit};
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let cap = Rlimit {
            current: Some(bytes),
            maximum: Some(bytes),
        };
        let _ = prlimit(Some(pid), Resource::As, cap);
    }
}

#[cfg(not(target_os = "linux"))]
fn cap_memory(_pid: u32, _bytes: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip() {
        let mut limits = ControllerLimits::default();
        assert_eq!(
            limits_from(&settings(&limits, EngineKind::Controller)),
            Some((limits.clone(), EngineKind::Controller))
        );
        assert_eq!(
            limits_from(&settings(&limits, EngineKind::World)),
            Some((limits.clone(), EngineKind::World))
        );
        limits.fuel_per_turn = None;
        limits.max_wasm_stack = 1 << 20;
        limits.max_module_bytes = usize::MAX;
        let (back, _) = limits_from(&settings(&limits, EngineKind::Controller)).unwrap();
        assert_eq!(
            (
                back.fuel_per_turn,
                back.max_wasm_stack,
                back.max_module_bytes
            ),
            (None, 1 << 20, usize::MAX)
        );
        assert_eq!(limits_from("fuel=2"), None);
    }
}
