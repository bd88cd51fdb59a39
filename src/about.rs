//! What this build is and what it enforces: the studio's version, the contract versions it
//! speaks, and the caps in force. Help > About and `creator-studio --version` show the same text.

use std::sync::LazyLock;

use aether_base::text::group_digits;
use aether_host::ControllerLimits;
use aether_world::{
    DEFAULT_FUEL_PER_MS, ScriptResourceLimits, TICKS_PER_SECOND, WorldScriptLimits,
};

/// The About text, one fact per line.
pub fn text() -> String {
    let ai = ControllerLimits::default();
    let world = ScriptResourceLimits::default();
    let all = WorldScriptLimits::default();
    let mib = |b: u64| b as f64 / 1048576.0;
    format!(
        "Creator Studio {studio}\n\
         AI controllers: mc-tactical-types {mc} (state schema {schema}); each turn at most {fuel} fuel, \
         {mem:.0} MiB of memory, {deadline} ms, modules up to {module} MiB, no imports\n\
         World scripts: aether-world-types {wt} (contract {abi}); {tps} ticks a second; each script \
         at most {wmem:.0} MiB, {cpu} ms of CPU a tick ({fpm} fuel a ms), {spawns} spawns, {rpcs} messages \
         and {writes} storage writes a second, {ui} UI texts ({ui_bytes} bytes) and {sounds} sounds a \
         second, {quota} KiB of storage; a world at most {total} ms a tick for {scripts} scripts",
        studio = env!("CARGO_PKG_VERSION"),
        mc = mc_tactical_types::CRATE_VERSION,
        schema = mc_tactical_types::SCHEMA_VERSION,
        fuel = ai
            .fuel_per_turn
            .map_or_else(|| "unlimited".into(), group_digits),
        mem = mib(ai.memory_bytes),
        deadline = ai.deadline.as_millis(),
        module = ai.max_module_bytes / (1024 * 1024),
        wt = aether_world_types::CRATE_VERSION,
        // The contract's major and minor versions (2.1: subscriptions added to 2).
        abi = aether_world_types::CRATE_VERSION
            .rsplit_once('.')
            .map_or(aether_world_types::CRATE_VERSION, |(major_minor, _)| {
                major_minor
            }),
        tps = TICKS_PER_SECOND,
        wmem = mib(world.max_memory_bytes),
        cpu = world.max_cpu_ms_per_tick,
        fpm = group_digits(DEFAULT_FUEL_PER_MS),
        spawns = world.max_entity_spawns_per_second,
        rpcs = world.max_network_rpcs_per_second,
        writes = world.max_storage_writes_per_second,
        ui = world.max_ui_messages_per_second,
        ui_bytes = world.max_ui_bytes_per_second,
        sounds = world.max_sounds_per_second,
        quota = world.max_storage_bytes / 1024,
        total = all.max_total_cpu_ms,
        scripts = all.max_scripts,
    )
}

/// [`text`] without its first line, for `--version` (clap prints the name and version first).
pub fn long_version() -> &'static str {
    static TEXT: LazyLock<String> = LazyLock::new(|| {
        let t = text();
        let rest = t.split_once('\n').map_or("", |(_, r)| r);
        format!("{}\n{rest}", env!("CARGO_PKG_VERSION"))
    });
    &TEXT
}
