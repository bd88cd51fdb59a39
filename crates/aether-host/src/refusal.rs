//! Why a module was refused at load: the one error of every static check (the load's own, the
//! shape bounds') and of instantiation.

/// Why a module was refused at load. Nothing of a refused module ever runs again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The module is larger than [`ControllerLimits::max_module_bytes`](super::ControllerLimits).
    #[error("the module is {size} bytes; the host accepts at most {limit} bytes")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not a valid WebAssembly module.
    #[error("not a valid WebAssembly module (at byte {offset}): {message}")]
    Invalid {
        /// Byte offset of the problem.
        offset: u64,
        /// What the validator said.
        message: String,
    },
    /// The module imports something; controllers may import nothing.
    #[error(
        "the module imports {kind} \"{module}.{name}\"; AI controllers get no host imports (no clock, files, network or randomness)"
    )]
    Import {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// "a function", "a memory"…
        kind: &'static str,
    },
    /// A world script imports something outside the world-script contract.
    #[error(
        "the module imports \"{module}.{name}\"; world scripts may import only the functions of the module \"aether\" that the world-script contract lists"
    )]
    Forbidden {
        /// Import module name (escaped).
        module: String,
        /// Import field name (escaped).
        name: String,
    },
    /// A world script imports a contract function with the wrong signature.
    #[error(
        "the module imports \"aether.{name}\" as {found}, but the contract defines it as {expected}"
    )]
    WrongImport {
        /// The function (escaped).
        name: String,
        /// Its signature in the contract.
        expected: String,
        /// The module's.
        found: String,
    },
    /// A required export is absent.
    #[error("the module does not export `{name}` ({expected})")]
    MissingExport {
        /// The export's name.
        name: &'static str,
        /// What the contract requires.
        expected: &'static str,
    },
    /// A required export has the wrong kind or type.
    #[error("the export `{name}` is {found}, but the contract requires {expected}")]
    WrongExport {
        /// The export's name.
        name: &'static str,
        /// What the contract requires.
        expected: &'static str,
        /// What the module has.
        found: String,
    },
    /// The module's shape exceeds one of the [`ModuleBounds`](super::limits::ModuleBounds)
    /// that keep compiling it fast.
    #[error(
        "the module has {found} {subject}; the host accepts at most {limit} (these limits keep every load fast: see the contract's limits in the documentation)"
    )]
    Bound {
        /// What was counted, and where (`locals in function 1 (\`decide_turn\`)`).
        subject: String,
        /// How many the module has.
        found: u64,
        /// The limit.
        limit: u64,
    },
    /// The module's memory (or tables) is unusable under the cap.
    #[error("the module's memory {problem}")]
    Memory {
        /// What is wrong with it.
        problem: String,
    },
    /// wasmtime could not compile the module.
    #[error("the module could not be compiled: {message}")]
    Compile {
        /// What the compiler said.
        message: String,
    },
    /// Instantiation (data segments, start function) failed.
    #[error("the module could not start: {message}")]
    Start {
        /// What went wrong.
        message: String,
    },
    /// The start function or `init` ran out of fuel.
    #[error("{stage} ran out of fuel (the budget is {fuel} per call)")]
    OutOfFuel {
        /// "the start function" or "init".
        stage: &'static str,
        /// The budget.
        fuel: u64,
    },
    /// The start function or `init` ran past the wall-clock deadline.
    #[error("{stage} ran past the deadline of {millis} ms")]
    Deadline {
        /// "the start function" or "init".
        stage: &'static str,
        /// The deadline.
        millis: u128,
    },
    /// `init` trapped.
    #[error("init trapped: {message}")]
    InitTrap {
        /// The trap.
        message: String,
    },
    /// `init` returned 0: the module declined to run.
    #[error("init returned 0: the module reports it is not ready")]
    InitDeclined,
    /// The identity cells or string are out of memory bounds, not UTF-8, or badly formed.
    /// A custom section the contract defines is malformed.
    #[error("the `{name}` section {problem}")]
    Section {
        /// The section's name.
        name: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    #[error("bad identity: {problem}")]
    Identity {
        /// What is wrong.
        problem: String,
    },
}
