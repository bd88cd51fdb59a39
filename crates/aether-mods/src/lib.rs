//! # aether-mods — mod folders, as the game loads them: `manifest.json` beside one module
//!
//! * [`manifest`]: the fields of seed 004 plus `mc_tactical_types`, and every rule they follow.
//!   The module's identity must read `"<name> <version>"` with the manifest's `name` and
//!   `version`; the major version of `mc_tactical_types` must be the one this game serves.
//! * [`world_script`]: world-script mods (`"kind": "world_script"`): their manifest and
//!   module, read for a world to load.
//! * [`fingerprint`]: the behaviour fingerprint an exported AI mod carries: a hash of its
//!   replies over a fixed corpus, recomputed by `scan` and `validate`.
//! * [`sign`]: ed25519 publisher signatures of native binaries.
//! * [`folder`]: a folder's manifest text and its one module, each read as a regular file of
//!   bounded size; [`ModError`], which names every problem of a folder.
//! * [`scan`]: [`ModLoader`] loads one folder or lists a whole mods directory, registering the
//!   good mods and giving each skipped folder its reasons. It reads only.
//! * [`export`]: writes a folder atomically; [`export::default_mods_dir`] finds the game's.
//! * [`validate`]: plays a loaded mod on sample states, with the determinism check.
//!
//! Above the host: a module is loaded (and, for world scripts, checked) by `aether_host`
//! exactly as the game would, before a folder is registered or written.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod export;
pub mod fingerprint;
pub mod folder;
pub mod manifest;
pub mod scan;
pub mod sign;
pub mod world_script;

pub use export::{ExportError, Exported, default_mods_dir, export, export_world_script};
pub use folder::ModError;
pub use manifest::{ModManifest, Sandbox, slug};
pub use scan::{LoadedMod, ModLoader, ScanReport, declares_world_script};
pub use sign::{PublisherKey, PublisherSecret};
pub use world_script::{WorldScriptManifest, WorldScriptMod, read_world_script_mod};

use mc_tactical_types::TacticalState;

use aether_host::{Determinism, TurnOutcome, check_determinism};

/// One turn of a validation run.
#[derive(Clone, Debug)]
pub struct SampleRun {
    /// The sample's name.
    pub sample: String,
    /// The slot played.
    pub slot: u8,
    /// How the turn ended.
    pub outcome: TurnOutcome,
    /// Fuel used.
    pub fuel: u64,
    /// Actions proposed.
    pub proposed: usize,
    /// Actions the rules accepted.
    pub accepted: usize,
    /// Whether a fresh instance gave the same reply bytes.
    pub deterministic: bool,
}

impl SampleRun {
    /// A good turn: it succeeded and was deterministic.
    pub fn passed(&self) -> bool {
        self.outcome.is_ok() && self.deterministic
    }
}

/// Plays a WebAssembly mod's controller on each sample for every slot (seed 1), twice on fresh
/// instances. A native mod is never run: the result is empty.
pub fn validate(m: &LoadedMod, samples: &[(String, TacticalState)]) -> Vec<SampleRun> {
    let Some(controller) = &m.controller else {
        return Vec::new();
    };
    let mut runs = Vec::new();
    for (name, state) in samples {
        for slot in 0..state.players.len() as u8 {
            let (report, verdict) = check_determinism(controller, state, slot, 1);
            runs.push(SampleRun {
                sample: name.clone(),
                slot,
                fuel: report.fuel_used,
                proposed: report.actions.len(),
                accepted: report.accepted_count(),
                outcome: report.outcome,
                deterministic: verdict == Determinism::Same,
            });
        }
    }
    runs
}
