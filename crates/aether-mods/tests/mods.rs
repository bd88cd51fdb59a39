//! Mod folders as the game loads them: the broken-mod corpus (each folder with its exact
//! message), the good ones, scans that change nothing, and exports that go in whole or not at all.

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aether_mods as mods;
use aether_mods::{ModLoader, ModManifest, PublisherKey, Sandbox};

use support::{host, root};

#[path = "../../../examples/make_mod_corpus.rs"]
#[allow(dead_code)]
mod make_mod_corpus;

fn corpus() -> PathBuf {
    make_mod_corpus::corpus_dir(&root())
}

fn loader() -> ModLoader<'static> {
    let key = std::fs::read_to_string(corpus().join("keys/test-publisher.pub")).unwrap();
    ModLoader {
        host: host(),
        publisher_key: Some(PublisherKey::from_hex(&key).unwrap()),
    }
}

/// Every file under `dir` with its bytes, to prove nothing changed.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_committed_corpus_is_what_the_generator_writes() {
    for (group, name, manifest, module) in make_mod_corpus::corpus() {
        let folder = corpus().join(group).join(name);
        for (file, bytes) in make_mod_corpus::files(&manifest, &module) {
            let committed = std::fs::read(folder.join(&file)).unwrap_or_default();
            assert!(
                committed == bytes,
                "{group}/{name}/{file} differs; run `cargo run --example make_mod_corpus`"
            );
        }
    }
}

#[test]
fn every_broken_mod_is_refused_with_its_exact_message() {
    let loader = loader();
    let before = snapshot(&corpus());
    let mut seen = 0;
    for (group, name, _, _) in make_mod_corpus::corpus() {
        if group != "broken" {
            continue;
        }
        let folder = corpus().join(group).join(name);
        let err = loader
            .load(&folder)
            .expect_err(&format!("{name} must be refused"));
        let text = err.problems.join("\n") + "\n";
        let expected_file = folder.join("expected.txt");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&expected_file, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_file)
            .unwrap_or_else(|_| panic!("{name}: no expected.txt (UPDATE_GOLDEN=1 writes it)"));
        assert_eq!(text, expected, "{name}");
        seen += 1;
    }
    assert!(seen >= 20);
    if std::env::var_os("UPDATE_GOLDEN").is_none() {
        assert_eq!(snapshot(&corpus()), before, "loading changed files");
    }
}

#[test]
fn a_scan_registers_the_good_mods_skips_every_broken_one_and_writes_nothing() {
    let loader = loader();
    let before = snapshot(&corpus());
    let broken = loader.scan(&corpus().join("broken")).unwrap();
    assert!(broken.registered.is_empty());
    assert_eq!(
        broken.skipped.len(),
        make_mod_corpus::corpus()
            .iter()
            .filter(|c| c.0 == "broken")
            .count()
    );
    let good = loader.scan(&corpus().join("good")).unwrap();
    let ids: Vec<&str> = good
        .registered
        .iter()
        .map(|m| m.manifest.id.as_str())
        .collect();
    assert_eq!(ids, ["minimal", "signed-native"]);
    assert!(good.skipped.is_empty(), "{:?}", good.skipped);
    assert_eq!(good.registered[0].identity(), "minimal 1.0.0");
    assert_eq!(good.registered[1].manifest.sandbox, Sandbox::Native);
    assert!(
        good.registered[1].controller.is_none(),
        "native code is never loaded"
    );
    assert_eq!(snapshot(&corpus()), before, "a scan changed files");

    // Without a publisher key every native mod is refused.
    let keyless = ModLoader {
        host: host(),
        publisher_key: None,
    };
    let err = keyless
        .load(&corpus().join("good/signed-native"))
        .unwrap_err();
    assert_eq!(
        err.problems,
        [
            "libai.so: native mod refused: no publisher key is configured (pass --publisher-key or set MC_PUBLISHER_KEY)"
        ]
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("mods")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn manifest_for(graph: &aether_lang::graph::VisualScriptGraph, id: &str) -> ModManifest {
    ModManifest {
        id: id.into(),
        name: graph.name.clone(),
        author: "tests".into(),
        version: graph.version.clone(),
        controller_id: format!("studio:{id}"),
        sandbox: Sandbox::Wasm,
        signature: None,
        mc_tactical_types: mc_tactical_types::CRATE_VERSION.into(),
        fingerprint: None,
        fuel_bound: None,
    }
}

#[test]
fn every_template_exports_scans_validates_and_plays() {
    let dir = scratch("round-trip");
    let samples: Vec<(String, mc_tactical_types::TacticalState)> = support::SAMPLES
        .iter()
        .map(|s| (s.to_string(), support::state(s)))
        .collect();
    let mut ids = Vec::new();
    for path in support::templates() {
        let graph = aether_lang::graph::VisualScriptGraph::load(&path).unwrap();
        let artifact = aether_compile::VisualScriptCompiler::compile(&graph).unwrap();
        let id = graph.name.clone();
        let m = manifest_for(&graph, &id);
        let done = mods::export(host(), &m, &artifact.wasm_bytes, &dir.join(&id), false).unwrap();
        assert!(!done.replaced);
        assert_eq!(done.module, dir.join(&id).join(format!("{id}.opt.wasm")));
        ids.push(id);
    }
    // The reference Rust controller's own folder, as its author ships it.
    let reference = dir.join("learned-duel");
    std::fs::create_dir_all(&reference).unwrap();
    std::fs::write(
        reference.join("learned_duel.wasm"),
        support::rust_controller("learned-duel"),
    )
    .unwrap();
    std::fs::copy(
        root().join("examples/controllers/learned-duel/manifest.json"),
        reference.join("manifest.json"),
    )
    .unwrap();
    ids.push("learned-duel-v1b".into());
    ids.sort();

    let report = loader().scan(&dir).unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let mut registered: Vec<String> = report
        .registered
        .iter()
        .map(|m| m.manifest.id.clone())
        .collect();
    registered.sort();
    assert_eq!(registered, ids);
    for m in &report.registered {
        let runs = mods::validate(m, &samples);
        assert_eq!(runs.len(), 2 + 2 + 4 + 2 + 2, "every slot of every sample");
        for r in &runs {
            assert!(
                r.passed(),
                "{} on {} slot {}: {:?}",
                m.manifest.id,
                r.sample,
                r.slot,
                r.outcome
            );
        }
        assert!(
            runs.iter().any(|r| r.accepted > 0),
            "{} never acted",
            m.manifest.id
        );
    }
}

#[test]
fn an_export_never_replaces_another_mod_and_a_failed_one_writes_nothing() {
    let dir = scratch("refusals");
    let graph = aether_lang::graph::VisualScriptGraph::load(
        &root().join("examples/graphs/melee-rusher.mcgraph.json"),
    )
    .unwrap();
    let wasm = aether_compile::VisualScriptCompiler::compile(&graph)
        .unwrap()
        .wasm_bytes;
    let dest = dir.join("slot");
    mods::export(host(), &manifest_for(&graph, "first"), &wasm, &dest, false).unwrap();
    let before = snapshot(&dir);

    // Another mod's folder.
    let err = mods::export(host(), &manifest_for(&graph, "second"), &wasm, &dest, false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("holds the mod \"first\", not \"second\""),
        "{err}"
    );
    // A folder of other things.
    let other = dir.join("photos");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("cat.jpg"), b"meow").unwrap();
    let err = mods::export(host(), &manifest_for(&graph, "first"), &wasm, &other, false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not empty and holds no mod"), "{err}");
    // A module whose identity does not pair with the manifest.
    let mut wrong = manifest_for(&graph, "first");
    wrong.version = "9.9.9".into();
    let err = mods::export(host(), &wrong, &wasm, &dest, false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the module announces \"melee-rusher 1.0.0\""),
        "{err}"
    );
    // A module the host refuses.
    let err = mods::export(
        host(),
        &manifest_for(&graph, "first"),
        b"\0asm junk",
        &dest,
        false,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("the module would be refused by the game"),
        "{err}"
    );
    // A bad manifest.
    let mut bad = manifest_for(&graph, "first");
    bad.controller_id = "nope".into();
    let err = mods::export(host(), &bad, &wasm, &dest, false)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`controller_id` must be two words joined by a colon"),
        "{err}"
    );

    let mut after = snapshot(&dir);
    after.remove(&other.join("cat.jpg"));
    assert_eq!(after, before, "a refused export changed files");

    // Replacing on purpose works, and the same id replaces without asking.
    mods::export(host(), &manifest_for(&graph, "first"), &wasm, &dest, false).unwrap();
    let done = mods::export(host(), &manifest_for(&graph, "second"), &wasm, &dest, true).unwrap();
    assert!(done.replaced);
    let names: Vec<String> = std::fs::read_dir(&dest)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(names, ["manifest.json", "second.opt.wasm"]);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .collect();
    assert!(leftovers.is_empty(), "staging folders left behind");
}

#[test]
fn a_module_rebuilt_from_an_edited_graph_is_refused_by_its_fingerprint() {
    let dir = scratch("fingerprint");
    let path = root().join("examples/graphs/archer-skirmisher.mcgraph.json");
    let graph = aether_lang::graph::VisualScriptGraph::load(&path).unwrap();
    let artifact = aether_compile::VisualScriptCompiler::compile(&graph).unwrap();
    let folder = dir.join("archer");
    let done = mods::export(
        host(),
        &manifest_for(&graph, "archer"),
        &artifact.wasm_bytes,
        &folder,
        false,
    )
    .unwrap();
    let written = std::fs::read_to_string(folder.join("manifest.json")).unwrap();
    assert!(
        written.contains("\"fingerprint\": { \"corpus\": 1"),
        "{written}"
    );
    // An untouched export loads, its fingerprint checked.
    let loaded = loader().load(&folder).unwrap();
    let recorded = loaded.manifest.fingerprint.clone().unwrap();
    assert_eq!(recorded.hash.len(), 64);

    // The same behaviour built another way (the debug profile: other bytes) fingerprints alike.
    let debug = aether_compile::VisualScriptCompiler::compile_with(
        &graph,
        aether_compile::CompilationProfile::Debug,
    )
    .unwrap();
    assert_ne!(debug.wasm_bytes, artifact.wasm_bytes);
    let again = mods::fingerprint::fingerprint(&host().load(&debug.wasm_bytes).unwrap());
    assert_eq!(again, recorded);

    // The graph edited (retreat at distance 3, not 1) and rebuilt under the same name and
    // version, dropped over the exported module without exporting again.
    let mut edited = graph.clone();
    assert!(edited.set_value(
        aether_lang::graph::NodeId(9),
        "b",
        aether_lang::graph::Value::Number(3)
    ));
    let rebuilt = aether_compile::VisualScriptCompiler::compile(&edited).unwrap();
    std::fs::write(&done.module, &rebuilt.wasm_bytes).unwrap();
    let before = snapshot(&dir);
    let err = loader().load(&folder).unwrap_err().to_string();
    assert!(
        err.contains("`fingerprint`") && err.contains("export the mod again"),
        "{err}"
    );
    let report = loader().scan(&dir).unwrap();
    assert!(report.registered.is_empty());
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(snapshot(&dir), before, "checking changed nothing on disk");
}

#[test]
fn a_malformed_fingerprint_is_named_in_the_manifest() {
    let graph = aether_lang::graph::VisualScriptGraph::load(
        &root().join("examples/graphs/melee-rusher.mcgraph.json"),
    )
    .unwrap();
    let text = manifest_for(&graph, "rusher").to_json().replace(
        "\"mc_tactical_types\"",
        "\"fingerprint\": { \"corpus\": 1, \"schema\": 1, \"hash\": \"12ab\" },\n  \"mc_tactical_types\"",
    );
    let problems = ModManifest::parse(&text).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, "fingerprint");
    // Null is the same as none.
    let text = text.replace(
        "{ \"corpus\": 1, \"schema\": 1, \"hash\": \"12ab\" }",
        "null",
    );
    assert_eq!(ModManifest::parse(&text).unwrap().fingerprint, None);
}
