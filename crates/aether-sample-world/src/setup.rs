//! World setups, `*.mcworld.json`: a scene and the scripts that run in it, each with its
//! priority and limits, saved together so a world of several scripts opens again as it was.
//!
//! ```json
//! {
//!   "format": "creator-studio/world-setup",
//!   "version": 1,
//!   "scene": "village",
//!   "scene_scripts": true,
//!   "scripts": [
//!     {"path": "wave-spawner.mcgraph.json", "priority": 20},
//!     {"path": "mods/bumper", "priority": 5, "limits": {"max_cpu_ms_per_tick": 0.5}}
//!   ]
//! }
//! ```
//!
//! `scene` is a built-in sample world's name (`village`, `arena`…) or a scene file. Paths are
//! relative to the setup file's folder (absolute ones are kept as they are); a script is a
//! world-script graph, a `.wasm` or `.wat` module, or a world-script mod folder. `limits` may
//! only lower what the world grants. Loading names the field and the script at fault; saving
//! is atomic.

use std::path::{Path, PathBuf};

use aether_world::LimitRequest;
use serde::{Deserialize, Serialize};

use crate::run::{ScriptSpec, WorldError};
use crate::scene::DEFAULT_PRIORITY;

/// The `format` tag of a setup file.
pub const FORMAT: &str = "creator-studio/world-setup";
/// The setup format version this studio writes and reads.
pub const VERSION: u32 = 1;
/// The conventional file-name ending.
pub const EXTENSION: &str = ".mcworld.json";

/// One script of a setup.
#[derive(Clone, Debug, PartialEq)]
pub struct SetupScript {
    /// Where it is (resolved against the setup's folder when loaded).
    pub path: PathBuf,
    /// Base priority (higher runs first).
    pub priority: u32,
    /// Limits below the world's grant.
    pub limits: LimitRequest,
}

/// A scene and its scripts.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldSetup {
    /// A built-in sample world's name, or a scene file.
    pub scene: String,
    /// Whether the scene's own scripts run too.
    pub scene_scripts: bool,
    /// The scripts, in the order they get their ids.
    pub scripts: Vec<SetupScript>,
}

#[derive(Deserialize)]
struct Header {
    format: Option<serde_json::Value>,
    version: Option<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    format: String,
    version: u32,
    scene: String,
    #[serde(default = "yes")]
    scene_scripts: bool,
    #[serde(default)]
    scripts: Vec<ScriptDoc>,
}

fn yes() -> bool {
    true
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScriptDoc {
    path: String,
    #[serde(default = "default_priority")]
    priority: u32,
    #[serde(default)]
    limits: Option<serde_json::Map<String, serde_json::Value>>,
}

fn default_priority() -> u32 {
    DEFAULT_PRIORITY
}

/// Why a setup could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct SetupError {
    /// The setup file.
    pub path: PathBuf,
    /// What is wrong, naming the field or script.
    pub message: String,
}

impl WorldSetup {
    /// A setup of `scene` with its own scripts and no others.
    pub fn new(scene: &str) -> Self {
        WorldSetup {
            scene: scene.to_owned(),
            scene_scripts: true,
            scripts: Vec::new(),
        }
    }

    /// Reads a setup file; script paths come back resolved against its folder.
    pub fn load(path: &Path) -> Result<WorldSetup, SetupError> {
        let fail = |message: String| SetupError {
            path: path.to_path_buf(),
            message,
        };
        let text =
            aether_base::fsutil::read_text_bounded(path, aether_base::fsutil::MAX_DOCUMENT_BYTES)
                .map_err(|e| fail(aether_base::fsutil::explain_io(path, "reading", &e)))?;
        let json = |e: serde_json::Error| {
            fail(format!(
                "line {}, column {}: {}",
                e.line(),
                e.column(),
                strip(&e.to_string())
            ))
        };
        let header: Header = serde_json::from_str(&text).map_err(json)?;
        match &header.format {
            Some(serde_json::Value::String(f)) if f == FORMAT => {}
            other => {
                return Err(fail(format!(
                    "this is not a world setup (its \"format\" is {}, expected \"{FORMAT}\")",
                    other.as_ref().map_or("missing".into(), ToString::to_string)
                )));
            }
        }
        if let Some(v) = header.version.filter(|&v| v > VERSION) {
            return Err(fail(format!(
                "the setup is format version {v}, written by a newer Creator Studio; this one reads up to version {VERSION}"
            )));
        }
        let doc: Doc = serde_json::from_str(&text).map_err(json)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut scripts = Vec::new();
        for (i, s) in doc.scripts.into_iter().enumerate() {
            if s.path.trim().is_empty() {
                return Err(fail(format!("scripts[{i}]: `path` is empty")));
            }
            let limits: LimitRequest = match s.limits {
                None => LimitRequest::default(),
                Some(map) => serde_json::from_value(serde_json::Value::Object(map))
                    .map_err(|e| fail(format!("scripts[{i}] ({}): `limits`: {e}", s.path)))?,
            };
            scripts.push(SetupScript {
                path: base.join(&s.path),
                priority: s.priority,
                limits,
            });
        }
        let scene = if doc.scene.ends_with(".json") {
            base.join(&doc.scene).display().to_string()
        } else {
            doc.scene
        };
        Ok(WorldSetup {
            scene,
            scene_scripts: doc.scene_scripts,
            scripts,
        })
    }

    /// The setup as file text for a file at `path`: paths relative to its folder where they
    /// lie below it, one script per line.
    pub fn to_json(&self, path: &Path) -> String {
        let base = path.parent().unwrap_or(Path::new(""));
        let rel = |p: &Path| -> String { relative(p, base).display().to_string() };
        let scene = if self.scene.ends_with(".json") {
            rel(Path::new(&self.scene))
        } else {
            self.scene.clone()
        };
        let q = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
        let mut out = format!(
            "{{\n  \"format\": {},\n  \"version\": {VERSION},\n  \"scene\": {},\n  \"scene_scripts\": {},\n  \"scripts\": [",
            q(FORMAT),
            q(&scene),
            self.scene_scripts
        );
        for (i, s) in self.scripts.iter().enumerate() {
            let limits = s.limits.to_json_fields();
            out.push_str(&format!(
                "{}\n    {{\"path\": {}, \"priority\": {}{}}}",
                if i == 0 { "" } else { "," },
                q(&rel(&s.path)),
                s.priority,
                if limits.is_empty() {
                    String::new()
                } else {
                    format!(", \"limits\": {{{}}}", limits.join(", "))
                }
            ));
        }
        if !self.scripts.is_empty() {
            out.push_str("\n  ");
        }
        out.push_str("]\n}\n");
        out
    }

    /// Writes the setup atomically (beside, then rename).
    pub fn save(&self, path: &Path) -> Result<(), SetupError> {
        aether_base::fsutil::write_atomic(path, self.to_json(path).as_bytes()).map_err(|e| {
            SetupError {
                path: path.to_path_buf(),
                message: aether_base::fsutil::explain_io(path, "writing", &e),
            }
        })
    }

    /// The setup's scripts, read and compiled, with their priorities and limits.
    pub fn specs(&self) -> Result<Vec<ScriptSpec>, WorldError> {
        self.scripts
            .iter()
            .map(|s| {
                let mut spec = ScriptSpec::from_path(&s.path)?;
                spec.priority = s.priority;
                spec.request = crate::run::narrow(&spec.request, &s.limits);
                Ok(spec)
            })
            .collect()
    }
}

/// `path` relative to `base` when it lies below it, else as it is.
fn relative(path: &Path, base: &Path) -> PathBuf {
    if base.as_os_str().is_empty() {
        return path.to_path_buf();
    }
    path.strip_prefix(base)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// serde_json's message without its " at line 3 column 5" (the line is said first).
fn strip(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
