//! `manifest.json`: what a mod folder says about itself, and every rule it must follow.

use std::fmt;

use serde_json::{Map, Value};

use aether_lang::identity::{Identity, is_semver, semver_major};

use crate::fingerprint::Fingerprint;

/// The `kind` every AI-controller mod declares.
pub const AI_CONTROLLER: &str = "ai_controller";

/// The `kind` every world-script mod declares.
pub const WORLD_SCRIPT: &str = "world_script";

/// How the game runs a mod's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sandbox {
    /// A WebAssembly module under the controller host's caps.
    Wasm,
    /// A native library (`.so`, `.dylib`, `.dll`); needs a publisher signature. The studio never
    /// runs one.
    Native,
}

impl Sandbox {
    /// The manifest's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Sandbox::Wasm => "wasm",
            Sandbox::Native => "native",
        }
    }
}

/// A valid `manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModManifest {
    /// Folder-safe id: a lowercase slug (`learned-duel-v1b`).
    pub id: String,
    /// The controller's name; with `version` it must equal the module's identity
    /// (`"<name> <version>"`).
    pub name: String,
    /// Who made it.
    pub author: String,
    /// Semantic version.
    pub version: String,
    /// `namespace:name`, how the game refers to the controller (`learned:duel-v1b`).
    pub controller_id: String,
    /// How the code runs.
    pub sandbox: Sandbox,
    /// For native mods: the ed25519 signature of the binary, 128 hex digits.
    pub signature: Option<String>,
    /// The `mc-tactical-types` version the module was built against.
    pub mc_tactical_types: String,
    /// What the module replies on the built-in corpus ([`crate::fingerprint`]); written by
    /// `export`, checked by `validate` and `scan`; optional (manifests made by hand or by older
    /// studios have none).
    pub fingerprint: Option<Fingerprint>,
    /// The compiler's bound of a turn's fuel, as a formula over what the state holds
    /// (`aether_compile::bound::Poly`'s grammar; the README lists the variables), for a game
    /// that refuses AIs it cannot prove fit its cap; optional (modules not built from a graph
    /// have none).
    pub fuel_bound: Option<String>,
}

/// One thing wrong with a manifest: the field and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestProblem {
    /// The field (`"id"`), or `""` for the file as a whole.
    pub field: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for ManifestProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}` {}", self.field, self.message)
        }
    }
}

/// Whether `s` is a lowercase slug: letters a-z, digits and single dashes, not at either end.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether `s` is `namespace:name`, each part of lowercase letters, digits, `-` and `_`.
pub fn is_controller_id(s: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    };
    matches!(s.split_once(':'), Some((ns, name)) if part(ns) && part(name))
}

/// Whether `s` is an ed25519 signature written as 128 hex digits.
pub fn is_signature_hex(s: &str) -> bool {
    s.len() == 128 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A lowercase slug of `name`: letters and digits kept, everything else a single dash; at most
/// 64 characters.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(64).collect()
}

impl ModManifest {
    /// The manifest the studio proposes for a graph named `name` at `version`: id the name as a
    /// slug, controller id `studio:<id>`, author the user's login name (`USER` / `USERNAME`, else
    /// "anonymous"), `wasm` sandbox, this game's `mc_tactical_types`.
    pub fn for_graph(name: &str, version: &str) -> ModManifest {
        let id = slug(name);
        ModManifest {
            controller_id: format!("studio:{id}"),
            id,
            name: name.to_owned(),
            author: std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_else(|_| "anonymous".into()),
            version: version.to_owned(),
            sandbox: Sandbox::Wasm,
            signature: None,
            mc_tactical_types: mc_tactical_types::CRATE_VERSION.to_owned(),
            fingerprint: None,
            fuel_bound: None,
        }
    }

    /// Parses and validates `manifest.json` text; `Err` lists every problem, in field order.
    pub fn parse(text: &str) -> Result<ModManifest, Vec<ManifestProblem>> {
        let map = json_object(text, "{ \"id\": ..., ... }")?;
        let mut problems = Vec::new();
        let text_field = |field: &'static str, problems: &mut Vec<ManifestProblem>| {
            string(&map, field, problems)
        };
        let id = text_field("id", &mut problems);
        let name = text_field("name", &mut problems);
        let author = text_field("author", &mut problems);
        let version = text_field("version", &mut problems);
        let kind = text_field("kind", &mut problems);
        let controller_id = text_field("controller_id", &mut problems);
        let sandbox = text_field("sandbox", &mut problems);
        let mc = text_field("mc_tactical_types", &mut problems);
        let mut bad = |field: &'static str, message: String| {
            problems.push(ManifestProblem { field, message })
        };
        if let Some(id) = &id
            && !is_slug(id)
        {
            bad(
                "id",
                format!(
                    "must use only lowercase letters, digits and single dashes, like \"my-ai\" (found \"{id}\")"
                ),
            );
        }
        if let Some(name) = &name
            && (name.trim().is_empty() || name.chars().any(char::is_control) || name.len() > 100)
        {
            bad("name", "must be 1 to 100 printable characters".into());
        }
        if let Some(author) = &author
            && author.trim().is_empty()
        {
            bad("author", "must not be empty".into());
        }
        if let Some(version) = &version
            && !is_semver(version)
        {
            bad(
                "version",
                format!(
                    "must be a version number like 1.0.0 (three numbers with dots; found \"{version}\")"
                ),
            );
        }
        if let Some(kind) = &kind
            && kind == WORLD_SCRIPT
        {
            bad(
                "kind",
                "is \"world_script\": this folder holds a world script, not an AI controller; run it in a world with `creator-studio world run SCENE FOLDER`".into(),
            );
        } else if let Some(kind) = &kind
            && kind != AI_CONTROLLER
        {
            bad(
                "kind",
                format!(
                    "must be \"{AI_CONTROLLER}\" (found \"{kind}\"); this game loads only AI controllers"
                ),
            );
        }
        if let Some(cid) = &controller_id
            && !is_controller_id(cid)
        {
            bad(
                "controller_id",
                format!(
                    "must be two words joined by a colon, who then what, like \"studio:melee-rusher\" (lowercase letters, digits, - and _; found \"{cid}\")"
                ),
            );
        }
        let sandbox = sandbox.and_then(|s| match s.as_str() {
            "wasm" => Some(Sandbox::Wasm),
            "native" => Some(Sandbox::Native),
            other => {
                bad(
                    "sandbox",
                    format!("must be \"wasm\" or \"native\" (found \"{other}\")"),
                );
                None
            }
        });
        let signature = match map.get("signature") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                if !is_signature_hex(s) {
                    bad(
                        "signature",
                        format!(
                            "must be an ed25519 signature as 128 hex digits (found {} characters)",
                            s.len()
                        ),
                    );
                }
                Some(s.clone())
            }
            Some(_) => {
                bad(
                    "signature",
                    "must be a string of 128 hex digits, or null".into(),
                );
                None
            }
        };
        let fingerprint = match map.get("fingerprint") {
            None | Some(Value::Null) => None,
            Some(value) => match parse_fingerprint(value) {
                Ok(f) => Some(f),
                Err(message) => {
                    bad("fingerprint", message);
                    None
                }
            },
        };
        let fuel_bound = match map.get("fuel_bound") {
            None | Some(Value::Null) => None,
            Some(Value::String(f)) => match aether_compile::bound::Poly::parse(f) {
                Ok(_) => Some(f.clone()),
                Err(e) => {
                    bad(
                        "fuel_bound",
                        format!("must be a fuel formula as `creator-studio export` writes it: {e}"),
                    );
                    None
                }
            },
            Some(_) => {
                bad(
                    "fuel_bound",
                    "must be a formula in a string, or null".into(),
                );
                None
            }
        };
        if sandbox == Some(Sandbox::Native) && signature.is_none() {
            bad(
                "signature",
                "is required for a native mod: sign the binary with `creator-studio sign` (unsigned native mods are refused)".into(),
            );
        }
        if let Some(mc) = &mc {
            if !is_semver(mc) {
                bad(
                    "mc_tactical_types",
                    format!(
                        "must be the semantic version of mc-tactical-types the module was built against, such as \"1.0.0\" (found \"{mc}\")"
                    ),
                );
            } else if semver_major(mc) != semver_major(mc_tactical_types::CRATE_VERSION) {
                bad(
                    "mc_tactical_types",
                    format!(
                        "says the module was built against mc-tactical-types {mc}, but this game serves {}.x (schema {}); rebuild the mod against mc-tactical-types {}",
                        semver_major(mc_tactical_types::CRATE_VERSION).unwrap_or_default(),
                        mc_tactical_types::SCHEMA_VERSION,
                        mc_tactical_types::CRATE_VERSION
                    ),
                );
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        match (id, name, author, version, controller_id, sandbox, mc) {
            (
                Some(id),
                Some(name),
                Some(author),
                Some(version),
                Some(controller_id),
                Some(sandbox),
                Some(mc_tactical_types),
            ) => Ok(ModManifest {
                id,
                name,
                author,
                version,
                controller_id,
                sandbox,
                signature,
                mc_tactical_types,
                fingerprint,
                fuel_bound,
            }),
            _ => Err(vec![ManifestProblem {
                field: "",
                message: "is incomplete".into(),
            }]),
        }
    }

    /// The fuel bound of `graph`'s turns as the manifest writes it, when the compiler can give
    /// one (an AI controller without errors).
    pub fn fuel_bound_of(graph: &aether_lang::VisualScriptGraph) -> Option<String> {
        let checked = aether_lang::interp::CheckedGraph::new(graph.clone()).ok()?;
        aether_compile::bound::fuel_bound(&checked)
            .ok()
            .map(|b| b.turn.to_string())
    }

    /// The identity the module must announce: `"<name> <version>"`.
    pub fn identity(&self) -> String {
        format!("{} {}", self.name, self.version)
    }

    /// Checks that a module's identity pairs with this manifest.
    pub fn check_identity(&self, identity: &Identity) -> Result<(), ManifestProblem> {
        if identity.name == self.name && identity.version == self.version {
            return Ok(());
        }
        Err(ManifestProblem {
            field: "name",
            message: format!(
                "and `version` say the module is \"{}\", but the module announces \"{identity}\"; make them match",
                self.identity()
            ),
        })
    }

    /// The manifest as a file: one field per line, in the seed's order, then the
    /// `mc_tactical_types` version.
    pub fn to_json(&self) -> String {
        let q = |s: &str| Value::String(s.to_owned()).to_string();
        let signature = self.signature.as_deref().map_or("null".into(), q);
        let fingerprint = self.fingerprint.as_ref().map_or(String::new(), |f| {
            format!(
                ",\n  \"fingerprint\": {{ \"corpus\": {}, \"schema\": {}, \"hash\": {} }}",
                f.corpus,
                f.schema,
                q(&f.hash)
            )
        });
        let fuel_bound = self
            .fuel_bound
            .as_deref()
            .map_or(String::new(), |f| format!(",\n  \"fuel_bound\": {}", q(f)));
        format!(
            "{{\n  \"id\": {},\n  \"name\": {},\n  \"author\": {},\n  \"version\": {},\n  \"kind\": {},\n  \"controller_id\": {},\n  \"sandbox\": {},\n  \"signature\": {signature},\n  \"mc_tactical_types\": {}{fingerprint}{fuel_bound}\n}}\n",
            q(&self.id),
            q(&self.name),
            q(&self.author),
            q(&self.version),
            q(AI_CONTROLLER),
            q(&self.controller_id),
            q(self.sandbox.name()),
            q(&self.mc_tactical_types),
        )
    }
}

/// A manifest's `fingerprint` object: `{ "corpus": 1, "schema": 1, "hash": "<64 hex>" }`.
fn parse_fingerprint(value: &Value) -> Result<Fingerprint, String> {
    const SHAPE: &str = "must be { \"corpus\": 1, \"schema\": 1, \"hash\": \"<64 hex digits>\" } as \
                         `creator-studio export` writes it, or null";
    let Value::Object(map) = value else {
        return Err(SHAPE.into());
    };
    let number = |key: &str| map.get(key).and_then(Value::as_u64);
    let hash = map.get("hash").and_then(Value::as_str);
    match (number("corpus"), number("schema"), hash) {
        (Some(corpus), Some(schema), Some(hash))
            if hash.len() == 64
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
        {
            Ok(Fingerprint {
                corpus: u32::try_from(corpus).map_err(|_| SHAPE.to_owned())?,
                schema: u16::try_from(schema).map_err(|_| SHAPE.to_owned())?,
                hash: hash.to_owned(),
            })
        }
        _ => Err(SHAPE.into()),
    }
}

/// Manifest text as a JSON object, or the one problem that stops reading it (`example` shows
/// the object's start in the message).
pub(super) fn json_object(
    text: &str,
    example: &str,
) -> Result<Map<String, Value>, Vec<ManifestProblem>> {
    let problem = |message: String| vec![ManifestProblem { field: "", message }];
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(problem(format!("must be a JSON object ({example})"))),
        Err(e) => Err(problem(format!("is not valid JSON: {e}"))),
    }
}

pub(super) fn string(
    map: &Map<String, Value>,
    field: &'static str,
    problems: &mut Vec<ManifestProblem>,
) -> Option<String> {
    match map.get(field) {
        Some(Value::String(s)) => match aether_base::text::first_unsafe(s) {
            None => Some(s.clone()),
            Some((at, c)) => {
                problems.push(ManifestProblem {
                    field,
                    message: format!(
                        "contains an invisible control character (U+{:04X} at character {at}); \
                         manifest text must be plain printable text",
                        c as u32
                    ),
                });
                None
            }
        },
        None | Some(Value::Null) => {
            problems.push(ManifestProblem {
                field,
                message: "is missing".into(),
            });
            None
        }
        Some(other) => {
            problems.push(ManifestProblem {
                field,
                message: format!("must be a string (found {})", short_json(other)),
            });
            None
        }
    }
}

/// A JSON value as text for a message: escaped and at most 40 characters.
fn short_json(value: &Value) -> String {
    let text = value.to_string();
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    aether_base::text::escape(&short).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ModManifest {
        ModManifest {
            id: "melee-rusher".into(),
            name: "melee-rusher".into(),
            author: "studio".into(),
            version: "1.0.0".into(),
            controller_id: "studio:melee-rusher".into(),
            sandbox: Sandbox::Wasm,
            signature: None,
            mc_tactical_types: mc_tactical_types::CRATE_VERSION.into(),
            fingerprint: None,
            fuel_bound: None,
        }
    }

    #[test]
    fn a_written_manifest_reads_back() {
        let m = valid();
        assert_eq!(ModManifest::parse(&m.to_json()), Ok(m));
    }

    #[test]
    fn slugs_and_controller_ids() {
        for ok in ["a", "my-ai", "duel-v1b", "x9"] {
            assert!(is_slug(ok), "{ok}");
        }
        for bad in ["", "My-AI", "-a", "a-", "a--b", "a b", "a_b", "ä"] {
            assert!(!is_slug(bad), "{bad}");
        }
        assert!(is_controller_id("learned:duel-v1b"));
        assert!(is_controller_id("studio:melee_rusher"));
        for bad in ["learned", ":x", "x:", "A:b", "a:b:c", "a: b"] {
            assert!(!is_controller_id(bad), "{bad}");
        }
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let text = r#"{"id": "My AI", "name": "", "author": "a", "version": "one",
            "kind": "quest", "controller_id": "x", "sandbox": "jvm", "signature": 5,
            "mc_tactical_types": "1.0.0"}"#;
        let fields: Vec<&str> = ModManifest::parse(text)
            .unwrap_err()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                "id",
                "name",
                "version",
                "kind",
                "controller_id",
                "sandbox",
                "signature"
            ]
        );
    }
}
