//! `export`, `install`, `validate`, `scan` and `sign` as a user runs them, including an export
//! killed halfway.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn studio(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_creator-studio"));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("MC_MODS_DIR").env_remove("MC_PUBLISHER_KEY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-mods")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The files of a folder and their bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn hidden(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn export(graph: &str, out: &Path, env: &[(&str, &str)]) -> Output {
    studio(
        &[
            "export",
            &format!("examples/graphs/{graph}.mcgraph.json"),
            "--out",
            out.to_str().unwrap(),
            "--id",
            "slot",
            "--author",
            "tests",
        ],
        env,
    )
}

#[test]
fn an_export_killed_at_any_step_leaves_the_old_folder_or_the_new_one() {
    let dir = scratch("crash");
    // What the old and the new folder hold, written normally elsewhere.
    let (old_ref, new_ref) = (dir.join("old-ref"), dir.join("new-ref"));
    assert!(export("melee-rusher", &old_ref, &[]).status.success());
    assert!(export("archer-skirmisher", &new_ref, &[]).status.success());
    let (old, new) = (files(&old_ref), files(&new_ref));
    assert_ne!(old, new);

    let mods = dir.join("mods");
    let dest = mods.join("slot");
    for (step, expect_new) in [("staged", false), ("swapped", true)] {
        let _ = std::fs::remove_dir_all(&mods);
        assert!(export("melee-rusher", &dest, &[]).status.success());
        let out = export(
            "archer-skirmisher",
            &dest,
            &[("CREATOR_STUDIO_EXPORT_ABORT_AT", step)],
        );
        assert!(!out.status.success(), "the export was killed at {step}");
        assert!(
            out.status.code().is_none(),
            "killed by a signal, not an orderly exit"
        );
        assert_eq!(
            files(&dest),
            if expect_new { new.clone() } else { old.clone() },
            "after a kill at {step}"
        );
        assert!(
            !hidden(&mods).is_empty(),
            "the kill left its staging folder"
        );
        // The game does not mistake the leftover for a mod.
        let scan = studio(&["scan", mods.to_str().unwrap()], &[]);
        assert!(
            text(&scan.stdout).contains("1 registered, 0 skipped"),
            "{}",
            text(&scan.stdout)
        );
        // The next export cleans up.
        assert!(export("archer-skirmisher", &dest, &[]).status.success());
        assert_eq!(files(&dest), new);
        assert!(hidden(&mods).is_empty(), "{:?}", hidden(&mods));
    }
}

#[test]
fn install_finds_the_mods_directory_and_scan_lists_it() {
    let dir = scratch("install");
    let mods = dir.join("Documents-mods");
    let mods_str = mods.to_str().unwrap();
    let out = studio(
        &["install", "examples/graphs/mage-support.mcgraph.json"],
        &[("MC_MODS_DIR", mods_str)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(mods.join("mage-support/mage-support.opt.wasm").is_file());
    let out = studio(
        &[
            "install",
            "examples/graphs/hill-defender.mcgraph.json",
            "--mods-dir",
            mods_str,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The documents folder is found through the environment when nothing else is given.
    let home = dir.join("home");
    let out = studio(
        &["install", "examples/graphs/melee-rusher.mcgraph.json"],
        &[
            ("HOME", home.to_str().unwrap()),
            ("XDG_DOCUMENTS_DIR", ""),
            ("XDG_CONFIG_HOME", home.join(".config").to_str().unwrap()),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let installed = home.join("Documents/MagicCivilization/mods/melee-rusher");
    assert!(installed.join("manifest.json").is_file());

    let out = studio(&["scan"], &[("MC_MODS_DIR", mods_str)]);
    let listing = text(&out.stdout);
    assert!(out.status.success());
    assert!(listing.contains("2 registered, 0 skipped"), "{listing}");
    assert!(
        listing.contains("registered hill-defender — hill-defender 1.0.0"),
        "{listing}"
    );
    assert!(
        listing.contains("controller studio:mage-support"),
        "{listing}"
    );
}

#[test]
fn validate_plays_the_reference_mod_and_refuses_a_broken_one() {
    let dir = scratch("validate");
    let reference = dir.join("learned-duel");
    std::fs::create_dir_all(&reference).unwrap();
    std::fs::write(
        reference.join("learned_duel.wasm"),
        support::rust_controller("learned-duel"),
    )
    .unwrap();
    std::fs::copy(
        support::root().join("examples/controllers/learned-duel/manifest.json"),
        reference.join("manifest.json"),
    )
    .unwrap();
    let out = studio(&["validate", reference.to_str().unwrap()], &[]);
    let report = text(&out.stdout);
    assert!(out.status.success(), "{report}{}", text(&out.stderr));
    assert!(
        report.contains("loads: learned-duel-v1b — learned-duel 1.0.0-b"),
        "{report}"
    );
    assert!(report.contains("valid: 12 of 12 turns good"), "{report}");

    let broken = support::root().join("crates/aether-mods/tests/fixtures/mods/broken/wasm-imports");
    let out = studio(&["validate", broken.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout)
            .contains("clock.wasm: refused: the module imports a function \"env.now\"")
    );

    let corpus = support::root().join("crates/aether-mods/tests/fixtures/mods/broken");
    let out = studio(&["scan", corpus.to_str().unwrap()], &[]);
    assert!(
        text(&out.stdout).contains(": 0 registered, 22 skipped"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_publisher_signs_a_native_mod_and_the_studio_checks_it() {
    let dir = scratch("sign");
    let key = dir.join("publisher.key");
    let out = studio(&["sign", "--new-key", key.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let public = dir.join("publisher.key.pub");
    assert!(public.is_file());
    // A second --new-key never overwrites.
    assert_eq!(
        studio(&["sign", "--new-key", key.to_str().unwrap()], &[])
            .status
            .code(),
        Some(1)
    );

    let m = dir.join("native-ai");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("libai.so"), b"a native library").unwrap();
    std::fs::write(
        m.join("manifest.json"),
        r#"{"id": "native-ai", "name": "native-ai", "author": "me", "version": "1.0.0",
            "kind": "ai_controller", "controller_id": "me:native-ai", "sandbox": "native",
            "signature": null, "mc_tactical_types": "1.0.0"}"#,
    )
    .unwrap();
    let so = m.join("libai.so");
    let out = studio(
        &[
            "sign",
            so.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--write-manifest",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let validate = |env: &[(&str, &str)]| studio(&["validate", m.to_str().unwrap()], env);
    let pub_str = public.to_str().unwrap();
    let out = validate(&[("MC_PUBLISHER_KEY", pub_str)]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("signature valid; the studio never runs native code"));
    // No key: refused.
    let out = validate(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("no publisher key is configured"));
    // Changed after signing: refused.
    std::fs::write(&so, b"a native library, patched").unwrap();
    let out = validate(&[("MC_PUBLISHER_KEY", pub_str)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("the signature does not match the binary"));
}
