//! The fuel bound and the behaviour fingerprint as a creator meets them on the command line:
//! `compile` says the bound on every sample, `run --json` puts it beside the fuel used, and
//! `export` writes both into the manifest, which `validate` checks.

#[path = "support/cli.rs"]
mod cli_support;
use cli_support::studio;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const RUSHER: &str = "examples/graphs/melee-rusher.mcgraph.json";

#[test]
fn compile_and_run_say_the_bound_and_no_turn_passes_it() {
    let dir = std::env::temp_dir().join(format!("cs-bound-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = studio(&[
        "compile",
        RUSHER,
        "-o",
        dir.join("rusher.wasm").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("fuel bound of a turn"), "{said}");
    assert!(
        said.contains("states/battle (40 units, 32×32 map): at most "),
        "{said}"
    );
    assert!(said.contains("units a side"), "{said}");

    let formula = studio(&["compile", RUSHER, "--fuel-formula"]);
    assert!(formula.status.success(), "{}", text(&formula.stderr));
    let formula = text(&formula.stdout);
    aether_compile::bound::Poly::parse(formula.trim()).expect("the formula reads back");

    for state in ["assets/states/skirmish.json", "assets/states/battle.json"] {
        for slot in ["0", "1"] {
            let out = studio(&["run", RUSHER, "--state", state, "--slot", slot, "--json"]);
            assert!(out.status.success(), "{}", text(&out.stderr));
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let used = v["fuel_used"].as_u64().unwrap();
            let bound = v["fuel_bound"].as_u64().unwrap();
            assert!(
                used > 0 && used <= bound,
                "{state} slot {slot}: {used} > {bound}"
            );
        }
    }
    // A module has no graph to bound: null, not a guess.
    let out = studio(&[
        "run",
        dir.join("rusher.wasm").to_str().unwrap(),
        "--state",
        "assets/states/skirmish.json",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["fuel_bound"].is_null());
}

#[test]
fn export_writes_the_bound_and_the_fingerprint_and_validate_checks_them() {
    let dir = std::env::temp_dir().join(format!("cs-export-bound-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let folder = dir.join("rusher");
    let out = studio(&["export", RUSHER, "--out", folder.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap())
            .unwrap();
    let formula = manifest["fuel_bound"].as_str().expect("a fuel bound");
    aether_compile::bound::Poly::parse(formula).unwrap();
    assert_eq!(manifest["fingerprint"]["corpus"], 1);
    let out = studio(&["validate", folder.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("still replies as when it was exported"),
        "{}",
        text(&out.stdout)
    );

    // A hand-edited bound that is not a formula is named.
    let path = folder.join("manifest.json");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace(formula, "a lot");
    std::fs::write(&path, edited).unwrap();
    let out = studio(&["validate", folder.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stdout).contains("`fuel_bound`"),
        "{}",
        text(&out.stdout)
    );
}
