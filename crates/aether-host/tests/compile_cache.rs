//! The compile cache: an edited graph reuses the machine code of what did not change, gives the
//! same turns with the same fuel as a plain compile, survives a restart on disk, and a damaged
//! entry is only a miss.

#[path = "../../../tests/support/mod.rs"]
mod support;

use aether_compile::CompilationProfile;
use aether_compile::VisualScriptCompiler;
use aether_host::{CompileCache, ControllerHost, ControllerLimits};
use aether_lang::graph::VisualScriptGraph;
use support::{root, state};

fn template(name: &str) -> VisualScriptGraph {
    VisualScriptGraph::load(&root().join(format!("examples/graphs/{name}.mcgraph.json"))).unwrap()
}

fn host(cache: Option<CompileCache>) -> ControllerHost {
    ControllerHost::new(ControllerLimits {
        compile_cache: cache,
        ..ControllerLimits::default()
    })
    .unwrap()
}

/// Reply bytes and fuel of a turn on the battle sample.
fn turn(host: &ControllerHost, graph: &VisualScriptGraph) -> (Vec<u8>, u64) {
    let wasm = VisualScriptCompiler::compile_with(graph, CompilationProfile::Debug)
        .unwrap()
        .wasm_bytes;
    let controller = host.load(&wasm).unwrap();
    let report = controller
        .session()
        .play_turn(&state("states/battle"), 0, 3);
    assert!(report.outcome.is_ok(), "{}", report.outcome);
    (report.reply, report.fuel_used)
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("compile-cache")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn cached_compiles_play_the_same_turns_with_the_same_fuel() {
    let dir = scratch("same");
    let cache = CompileCache::on_disk(&dir);
    let (plain, cached) = (host(None), host(Some(cache.clone())));
    for name in [
        "melee-rusher",
        "archer-skirmisher",
        "mage-support",
        "hill-defender",
    ] {
        let graph = template(name);
        let expected = turn(&plain, &graph);
        assert_eq!(
            turn(&cached, &graph),
            expected,
            "{name}: first, cache filling"
        );
        let filled = cache.len();
        // Only the version string changes: every function is reused (the engine compiles one
        // function after another when caching: in parallel, cranelift's reused contexts leaked
        // into the keys and a few functions were compiled again at random).
        let mut renamed = graph.clone();
        renamed.version = "7.7.7".into();
        assert_eq!(turn(&cached, &renamed), expected, "{name}: renamed");
        assert_eq!(
            cache.len(),
            filled,
            "{name}: a new version string recompiled {} of {filled} functions",
            cache.len() - filled
        );
    }
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert!(
        on_disk >= cache.len() / 2,
        "{on_disk} files for {} entries",
        cache.len()
    );

    // A restarted studio: a new cache on the same folder finds the code there.
    let graph = template("melee-rusher");
    let restarted = CompileCache::on_disk(&dir);
    assert_eq!(
        turn(&host(Some(restarted.clone())), &graph),
        turn(&plain, &graph)
    );
    assert!(
        !restarted.is_empty(),
        "entries were read back from the folder"
    );
}

#[test]
fn a_damaged_cache_entry_is_a_miss_never_wrong_code() {
    let dir = scratch("damaged");
    let graph = template("archer-skirmisher");
    let expected = turn(&host(None), &graph);
    turn(&host(Some(CompileCache::on_disk(&dir))), &graph);
    // Garble every entry on disk (truncate some, overwrite others), then compile again from a
    // fresh process's point of view.
    for (i, e) in std::fs::read_dir(&dir).unwrap().enumerate() {
        let path = e.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let garbled = if i % 2 == 0 {
            bytes[..bytes.len() / 2].to_vec()
        } else {
            bytes.iter().map(|b| b ^ 0x5a).collect()
        };
        std::fs::write(&path, garbled).unwrap();
    }
    assert_eq!(
        turn(&host(Some(CompileCache::on_disk(&dir))), &graph),
        expected
    );
}
