//! The compile worker: compiles one module in its own process for a host configured with a
//! `CompileGuard` (see `aether_host::CompileGuard`). It reads a module on standard
//! input and writes the compiled code on standard output; it is started by the host, not by hand.

fn main() -> std::process::ExitCode {
    aether_host::serve_compile_worker();
    eprintln!(
        "aether-compile-worker compiles modules for the controller host, which starts it; \
         it is not meant to be run by hand"
    );
    std::process::ExitCode::from(2)
}
