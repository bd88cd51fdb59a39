//! World-script mods: `manifest.json` with `"kind": "world_script"` beside one `.wasm` module.
//!
//! ```json
//! {
//!   "kind": "world_script",
//!   "id": "welcome",
//!   "name": "welcome",
//!   "author": "Ada",
//!   "version": "1.0.0",
//!   "sandbox": "wasm",
//!   "aether_world_types": "1.0.0",
//!   "priority": 10,
//!   "limits": {"max_cpu_ms_per_tick": 1.0, "max_storage_bytes": 65536}
//! }
//! ```
//!
//! As for controllers, the module's identity must read `"<name> <version>"`. `priority` and
//! `limits` are optional; `limits` may only ask for less than the world grants
//! ([`LimitRequest::apply`]), and the world checks that when it loads the script. World scripts
//! run only as WebAssembly.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::folder::{ModError, fail, find_module, read_manifest};
use super::manifest::Sandbox;
use super::manifest::{ManifestProblem, is_slug, json_object, string};
use aether_host::world::{MAX_SCRIPT_BYTES, imports_after_version};
use aether_lang::identity::{is_semver, semver_major};
use aether_world::LimitRequest;

pub use super::manifest::WORLD_SCRIPT;

/// A valid world-script `manifest.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldScriptManifest {
    /// Folder-safe id: a lowercase slug.
    pub id: String,
    /// The script's name; with `version` it must equal the module's identity.
    pub name: String,
    /// Who made it.
    pub author: String,
    /// Semantic version.
    pub version: String,
    /// The `aether-world-types` version the module was built against.
    pub aether_world_types: String,
    /// The priority it asks for, if any.
    pub priority: Option<u32>,
    /// The limits it asks for (each absent field: the world's grant).
    pub limits: LimitRequest,
}

/// A world-script mod folder, read: its manifest and its module's bytes.
#[derive(Clone, Debug)]
pub struct WorldScriptMod {
    /// The folder.
    pub folder: PathBuf,
    /// Its manifest.
    pub manifest: WorldScriptManifest,
    /// Its module file.
    pub module: PathBuf,
    /// The module's bytes.
    pub bytes: Vec<u8>,
}

impl WorldScriptManifest {
    /// Parses and validates manifest text; `Err` lists every problem.
    pub fn parse(text: &str) -> Result<WorldScriptManifest, Vec<ManifestProblem>> {
        let map = json_object(text, "{ \"kind\": \"world_script\", ... }")?;
        let mut problems = Vec::new();
        let kind = string(&map, "kind", &mut problems);
        let id = string(&map, "id", &mut problems);
        let name = string(&map, "name", &mut problems);
        let author = string(&map, "author", &mut problems);
        let version = string(&map, "version", &mut problems);
        let sandbox = string(&map, "sandbox", &mut problems);
        let types = string(&map, "aether_world_types", &mut problems);
        let mut bad = |field: &'static str, message: String| {
            problems.push(ManifestProblem { field, message })
        };
        if let Some(kind) = &kind
            && kind != WORLD_SCRIPT
        {
            bad(
                "kind",
                format!("must be \"{WORLD_SCRIPT}\" for a world script (found \"{kind}\")"),
            );
        }
        if let Some(id) = &id
            && !is_slug(id)
        {
            bad(
                "id",
                format!(
                    "must use only lowercase letters, digits and single dashes, like \"welcome\" (found \"{id}\")"
                ),
            );
        }
        if let Some(name) = &name
            && (name.trim().is_empty() || name.len() > 100)
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
        if let Some(sandbox) = &sandbox
            && sandbox != Sandbox::Wasm.name()
        {
            bad(
                "sandbox",
                format!(
                    "must be \"wasm\": world scripts run only as WebAssembly (found \"{sandbox}\")"
                ),
            );
        }
        if let Some(types) = &types {
            if !is_semver(types) {
                bad(
                    "aether_world_types",
                    format!(
                        "must be the semantic version of aether-world-types the module was built against, such as \"1.0.0\" (found \"{types}\")"
                    ),
                );
            } else if !semver_major(types).is_some_and(|m| {
                m >= 1 && Some(m) <= semver_major(aether_world_types::CRATE_VERSION)
            }) {
                // Contract 2 only added to contract 1: scripts built against either run.
                bad(
                    "aether_world_types",
                    format!(
                        "says the module was built against aether-world-types {types}, but this world serves versions 1 to {}; rebuild the script against it",
                        aether_world_types::CRATE_VERSION
                    ),
                );
            }
        }
        let priority = match map.get("priority") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|p| p <= 1000) => {
                n.as_u64().map(|p| p as u32)
            }
            Some(other) => {
                bad(
                    "priority",
                    format!("must be a whole number from 0 to 1000 (found {other})"),
                );
                None
            }
        };
        let limits = match map.get("limits") {
            None | Some(Value::Null) => LimitRequest::default(),
            Some(v) => match serde_json::from_value::<LimitRequest>(v.clone()) {
                Ok(l) => l,
                Err(e) => {
                    bad("limits", format!("{e}"));
                    LimitRequest::default()
                }
            },
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        match (id, name, author, version, types) {
            (Some(id), Some(name), Some(author), Some(version), Some(aether_world_types)) => {
                Ok(WorldScriptManifest {
                    id,
                    name,
                    author,
                    version,
                    aether_world_types,
                    priority,
                    limits,
                })
            }
            _ => Err(vec![ManifestProblem {
                field: "",
                message: "is incomplete".into(),
            }]),
        }
    }

    /// The identity the module must announce: `"<name> <version>"`.
    pub fn identity(&self) -> String {
        format!("{} {}", self.name, self.version)
    }

    /// The manifest the studio proposes for a world-script graph named `name` at `version`: id
    /// the name as a slug, author the user's login name (else "anonymous"), this studio's
    /// `aether_world_types`, no priority or limits of its own (the world's defaults).
    pub fn for_graph(name: &str, version: &str) -> WorldScriptManifest {
        WorldScriptManifest {
            id: super::manifest::slug(name),
            name: name.to_owned(),
            author: std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_else(|_| "anonymous".into()),
            version: version.to_owned(),
            aether_world_types: aether_world_types::CRATE_VERSION.to_owned(),
            priority: None,
            limits: LimitRequest::default(),
        }
    }

    /// The manifest as a file: one field per line; `priority` and `limits` only when set.
    pub fn to_json(&self) -> String {
        let q = |s: &str| Value::String(s.to_owned()).to_string();
        let mut out = format!(
            "{{\n  \"kind\": {},\n  \"id\": {},\n  \"name\": {},\n  \"author\": {},\n  \"version\": {},\n  \"sandbox\": \"wasm\",\n  \"aether_world_types\": {}",
            q(WORLD_SCRIPT),
            q(&self.id),
            q(&self.name),
            q(&self.author),
            q(&self.version),
            q(&self.aether_world_types),
        );
        if let Some(p) = self.priority {
            out.push_str(&format!(",\n  \"priority\": {p}"));
        }
        let limits = self.limits.to_json_fields();
        if !limits.is_empty() {
            out.push_str(&format!(",\n  \"limits\": {{{}}}", limits.join(", ")));
        }
        out.push_str("\n}\n");
        out
    }
}

/// Reads a world-script mod folder: its manifest and its one `.wasm` module. Reads only;
/// whether the module loads, and whether the world grants its limits, is the world's check.
pub fn read_world_script_mod(folder: &Path) -> Result<WorldScriptMod, ModError> {
    if !folder.is_dir() {
        return Err(fail(folder, vec!["is not a folder".into()]));
    }
    let text = read_manifest(folder)?;
    let manifest = WorldScriptManifest::parse(&text).map_err(|problems| {
        fail(
            folder,
            problems
                .iter()
                .map(|p| format!("manifest.json: {p}"))
                .collect(),
        )
    })?;
    let module = find_module(folder, Sandbox::Wasm)?;
    let name = module
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = aether_base::fsutil::read_regular_file(&module, MAX_SCRIPT_BYTES as u64)
        .map_err(|e| fail(folder, vec![format!("{name}: {e}")]))?;
    let major = semver_major(&manifest.aether_world_types).unwrap_or(0);
    let later = imports_after_version(&bytes, major);
    if let Some(first) = later.first() {
        return Err(fail(
            folder,
            vec![format!(
                "manifest.json: `aether_world_types` is {}, but {name} imports \"aether.{first}\"{}, \
                 which came with version 2 of the contract; declare \"aether_world_types\": \"{}\"",
                manifest.aether_world_types,
                if later.len() > 1 {
                    format!(" and {} more", later.len() - 1)
                } else {
                    String::new()
                },
                aether_world_types::CRATE_VERSION
            )],
        ));
    }
    Ok(WorldScriptMod {
        folder: folder.to_path_buf(),
        manifest,
        module,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"kind": "world_script", "id": "welcome", "name": "welcome", "author": "Ada",
        "version": "1.0.0", "sandbox": "wasm", "aether_world_types": "1.0.0",
        "priority": 5, "limits": {"max_cpu_ms_per_tick": 1.0}}"#;

    #[test]
    fn a_good_manifest_parses_with_its_priority_and_limits() {
        let m = WorldScriptManifest::parse(GOOD).unwrap();
        assert_eq!(m.identity(), "welcome 1.0.0");
        assert_eq!(m.priority, Some(5));
        assert_eq!(m.limits.max_cpu_ms_per_tick, Some(1.0));
    }

    #[test]
    fn the_manifest_the_studio_writes_reads_back() {
        let mut m = WorldScriptManifest::for_graph("Wave Spawner", "1.2.0");
        assert_eq!(m.id, "wave-spawner");
        assert_eq!(WorldScriptManifest::parse(&m.to_json()).unwrap(), m);
        m.priority = Some(7);
        m.limits.max_cpu_ms_per_tick = Some(0.5);
        m.limits.max_storage_bytes = Some(4096);
        let text = m.to_json();
        assert!(
            text.contains(
                "\"limits\": {\"max_cpu_ms_per_tick\": 0.5, \"max_storage_bytes\": 4096}"
            ),
            "{text}"
        );
        assert_eq!(WorldScriptManifest::parse(&text).unwrap(), m);
    }

    #[test]
    fn every_problem_is_named_by_field() {
        let text = r#"{"kind": "ai_controller", "id": "Bad Id", "name": "x", "author": "a",
            "version": "one", "sandbox": "native", "aether_world_types": "9.0.0",
            "priority": -1, "limits": {"max_cpu": 3}}"#;
        let problems = WorldScriptManifest::parse(text).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "kind",
                "id",
                "version",
                "sandbox",
                "aether_world_types",
                "priority",
                "limits"
            ]
        );
        assert!(problems[6].message.contains("max_cpu"), "{}", problems[6]);
    }
}
