//! Writes the mod-folder corpus under `crates/aether-mods/tests/fixtures/mods/`:
//! `good/` (mods the game registers) and `broken/` (one way of being wrong per folder). Each
//! broken folder's `expected.txt` (the loader's exact message) is written by hand and kept.
//!
//! ```text
//! cargo run --example make_mod_corpus
//! ```
//!
//! The native "libraries" are a few bytes of text: the studio checks their signature and never
//! loads them. The publisher keys are test keys (`keys/`), public on purpose.

use std::path::{Path, PathBuf};

use aether_mods::PublisherSecret;
use serde_json::{Value, json};

/// The test publisher's secret key (a test key; never use it for anything real).
pub const TEST_SECRET: &str = "1111111111111111111111111111111111111111111111111111111111111111";
/// Another key, to sign with the wrong one.
pub const OTHER_SECRET: &str = "2222222222222222222222222222222222222222222222222222222222222222";

/// What a corpus folder holds besides its manifest.
#[derive(Debug)]
pub enum Module {
    /// `minimal.wasm`, the contract's minimum viable controller ("minimal 1.0.0").
    Minimal,
    /// `clock.wasm`, which imports a host function.
    Import,
    /// `missing.wasm`, without `decide_turn`.
    MissingDecide,
    /// No module at all.
    None,
    /// Two `.wasm` files.
    Two,
    /// `libai.so` signed with this signature.
    Native(Signature),
}

/// How a native corpus library is signed.
#[derive(Debug)]
pub enum Signature {
    /// By the test publisher.
    Good,
    /// By the test publisher, then the binary changed.
    Tampered,
    /// By another key.
    OtherKey,
    /// Not signed.
    Missing,
}

/// The manifest of `minimal.wasm`.
pub fn base_manifest() -> Value {
    json!({
        "id": "minimal",
        "name": "minimal",
        "author": "tests",
        "version": "1.0.0",
        "kind": "ai_controller",
        "controller_id": "test:minimal",
        "sandbox": "wasm",
        "signature": null,
        "mc_tactical_types": "1.0.0"
    })
}

fn with(changes: &[(&str, Value)]) -> Option<Value> {
    let mut m = base_manifest();
    for (k, v) in changes {
        if v.is_null() && *k != "signature" {
            m.as_object_mut().unwrap().remove(*k);
        } else {
            m[*k] = v.clone();
        }
    }
    Some(m)
}

fn native(id: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("id", json!(id)),
        ("controller_id", json!(format!("test:{id}"))),
        ("sandbox", json!("native")),
    ]
}

/// Every corpus folder: (`good` or `broken`, folder name, manifest (None: no manifest.json;
/// a string: the file's raw text), module).
pub fn corpus() -> Vec<(&'static str, &'static str, Option<Value>, Module)> {
    let mut out = vec![
        ("good", "minimal", with(&[]), Module::Minimal),
        (
            "good",
            "signed-native",
            with(&native("signed-native")),
            Module::Native(Signature::Good),
        ),
        ("broken", "missing-manifest", None, Module::Minimal),
        (
            "broken",
            "bad-json",
            Some(json!("{ \"id\": \"minimal\", ")),
            Module::Minimal,
        ),
        (
            "broken",
            "not-an-object",
            Some(json!("[1, 2, 3]")),
            Module::Minimal,
        ),
        (
            "broken",
            "bad-id",
            with(&[("id", json!("My Minimal AI"))]),
            Module::Minimal,
        ),
        (
            "broken",
            "empty-name",
            with(&[("name", json!(""))]),
            Module::Minimal,
        ),
        (
            "broken",
            "missing-author",
            with(&[("author", Value::Null)]),
            Module::Minimal,
        ),
        (
            "broken",
            "bad-version",
            with(&[("version", json!("one"))]),
            Module::Minimal,
        ),
        (
            "broken",
            "bad-kind",
            with(&[("kind", json!("quest_script"))]),
            Module::Minimal,
        ),
        (
            "broken",
            "bad-controller-id",
            with(&[("controller_id", json!("minimal"))]),
            Module::Minimal,
        ),
        (
            "broken",
            "bad-sandbox",
            with(&[("sandbox", json!("jvm"))]),
            Module::Minimal,
        ),
        (
            "broken",
            "number-field",
            with(&[("version", json!(1))]),
            Module::Minimal,
        ),
        (
            "broken",
            "missing-mc-version",
            with(&[("mc_tactical_types", Value::Null)]),
            Module::Minimal,
        ),
        (
            "broken",
            "schema-major-mismatch",
            with(&[("mc_tactical_types", json!("2.0.0"))]),
            Module::Minimal,
        ),
        (
            "broken",
            "identity-mismatch",
            with(&[("name", json!("minimal-ai")), ("version", json!("1.0.1"))]),
            Module::Minimal,
        ),
        (
            "broken",
            "wasm-imports",
            with(&[("name", json!("clockwatcher"))]),
            Module::Import,
        ),
        ("broken", "no-decide-turn", with(&[]), Module::MissingDecide),
        ("broken", "no-module", with(&[]), Module::None),
        ("broken", "two-modules", with(&[]), Module::Two),
        (
            "broken",
            "unsigned-native",
            with(&native("unsigned-native")),
            Module::Native(Signature::Missing),
        ),
        (
            "broken",
            "tampered-native",
            with(&native("tampered-native")),
            Module::Native(Signature::Tampered),
        ),
        (
            "broken",
            "wrong-key-native",
            with(&native("wrong-key-native")),
            Module::Native(Signature::OtherKey),
        ),
        (
            "broken",
            "short-signature",
            {
                let mut n = native("short-signature");
                n.push(("signature", json!("abcd")));
                with(&n)
            },
            Module::Native(Signature::Missing),
        ),
    ];
    // Keep the list in folder order within each group, as a scan lists them.
    out.sort_by_key(|(group, name, _, _)| (*group, *name));
    out
}

fn wat_module(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("corpus modules assemble")
}

fn minimal() -> Vec<u8> {
    wat_module(
        r#"(module
  (memory (export "memory") 1)
  (global (export "__ident_ptr") i32 (i32.const 16))
  (global (export "__ident_len") i32 (i32.const 20))
  (data (i32.const 16) "\20\00\00\00")
  (data (i32.const 20) "\0d\00\00\00")
  (data (i32.const 32) "minimal 1.0.0")
  (func (export "init") (result i32) (i32.const 1))
  (func (export "decide_turn") (param i32 i32 i32 i64 i32 i32) (result i32)
    (i32.store8 (local.get 4) (i32.const 0))
    (i32.const 1)))"#,
    )
}

/// The files of one corpus folder (name, bytes), manifest first.
pub fn files(manifest: &Option<Value>, module: &Module) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if let Some(m) = manifest {
        let text = match m {
            Value::String(raw) => raw.clone(),
            other => serde_json::to_string_pretty(other).unwrap() + "\n",
        };
        out.push(("manifest.json".to_owned(), text.into_bytes()));
    }
    let library = b"not really a library: the studio checks the signature and never loads it\n";
    match module {
        Module::Minimal => out.push(("minimal.wasm".into(), minimal())),
        Module::Import => out.push((
            "clock.wasm".into(),
            wat_module(
                r#"(module
  (import "env" "now" (func (result i64)))
  (memory (export "memory") 1)
  (func (export "init") (result i32) (i32.const 1)))"#,
            ),
        )),
        Module::MissingDecide => out.push((
            "missing.wasm".into(),
            wat_module(
                r#"(module
  (memory (export "memory") 1)
  (func (export "init") (result i32) (i32.const 1)))"#,
            ),
        )),
        Module::None => {}
        Module::Two => {
            out.push(("a.wasm".into(), minimal()));
            out.push(("b.wasm".into(), minimal()));
        }
        Module::Native(sig) => {
            let secret = PublisherSecret::from_hex(match sig {
                Signature::OtherKey => OTHER_SECRET,
                _ => TEST_SECRET,
            })
            .unwrap();
            let signature = secret.sign(library);
            let mut binary = library.to_vec();
            if let Signature::Tampered = sig {
                binary[0] = b'N';
            }
            if !matches!(sig, Signature::Missing)
                && let Some((_, text)) = out.first_mut()
            {
                let mut m: Value = serde_json::from_slice(text).unwrap();
                m["signature"] = json!(signature);
                *text = (serde_json::to_string_pretty(&m).unwrap() + "\n").into_bytes();
            }
            out.push(("libai.so".into(), binary));
        }
    }
    out
}

/// The corpus folder.
pub fn corpus_dir(root: &Path) -> PathBuf {
    root.join("crates/aether-mods/tests/fixtures/mods")
}

#[allow(dead_code)]
fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = corpus_dir(root);
    for (group, name, manifest, module) in corpus() {
        let folder = dir.join(group).join(name);
        // Replace the generated files; keep expected.txt.
        if folder.exists() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.file_name().is_some_and(|n| n != "expected.txt") {
                    std::fs::remove_file(path).unwrap();
                }
            }
        }
        std::fs::create_dir_all(&folder).unwrap();
        for (file, bytes) in files(&manifest, &module) {
            std::fs::write(folder.join(file), bytes).unwrap();
        }
    }
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let secret = PublisherSecret::from_hex(TEST_SECRET).unwrap();
    std::fs::write(keys.join("test-publisher.key"), format!("{TEST_SECRET}\n")).unwrap();
    std::fs::write(
        keys.join("test-publisher.pub"),
        format!("{}\n", secret.public().to_hex()),
    )
    .unwrap();
    println!("wrote {}", dir.display());
}
