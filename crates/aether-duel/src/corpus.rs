//! Turns to compare two versions of an AI on ([`aether_lang::diff::Case`]): a scenario's state
//! from every seat, generated maps of many sizes, every turn of a replay, every turn of freshly
//! played duels. Each case is the state as its seat sees it (`rules::view_for`) with the seed
//! that seat had (or a fixed one), so both versions play exactly the same turn.

use std::ops::Range;
use std::path::Path;

use mc_tactical_types::TacticalState;
use mc_tactical_types::rules;

use aether_lang::diff::Case;
use aether_lang::scenario::Scenario;
use aether_lang::scenario::generate::two_armies;

use super::{DuelError, Frame, Replay, Seat, play_duel, turn_seed};

/// `scenario`'s state from each living player's seat, once per seed in `seeds` (the turn seed
/// of round 0 for that duel seed).
pub fn from_scenario(name: &str, scenario: &Scenario, seeds: Range<u64>) -> Vec<Case> {
    let state = &scenario.state;
    let mut out = Vec::new();
    for seed in seeds {
        for p in state.players.iter().filter(|p| p.alive) {
            out.push(Case {
                label: format!("{name}, player {}, seed {seed}", p.slot),
                view: rules::view_for(state, p.slot),
                slot: p.slot,
                seed: turn_seed(seed, state.turn, p.slot),
            });
        }
    }
    out
}

/// `count` generated two-player maps (from 8×8 with 2 units a side up to 40×40 with 40), each
/// from both seats: map `i` is `generate` with seed `first + i`, so the corpus never changes.
pub fn generated(count: u32, first: u64) -> Vec<Case> {
    const SIZES: [(u16, u32); 6] = [(8, 2), (12, 4), (16, 8), (20, 12), (28, 20), (40, 40)];
    let mut out = Vec::new();
    for i in 0..count {
        let (side, units) = SIZES[i as usize % SIZES.len()];
        let seed = first + u64::from(i);
        let scenario = two_armies(side, units, seed);
        let name = format!("generated {side}×{side}, {units} units a side, map seed {seed}");
        out.extend(from_scenario(&name, &scenario, seed..seed + 1));
    }
    out
}

/// Every turn of `replay`, played on `start` (its scenario's state), as the seat that played
/// it saw it and with its recorded seed. The error names the turn that does not fit.
pub fn from_replay(
    name: &str,
    replay: &Replay,
    start: &TacticalState,
) -> Result<Vec<Case>, String> {
    let (frames, _) = replay.frames(start)?;
    Ok(turns(name, frames).collect())
}

/// The turns of a duel's frames that a controller played, as its seat saw each, with its seed.
fn turns(label: &str, frames: Vec<Frame>) -> impl Iterator<Item = Case> + '_ {
    frames
        .into_iter()
        .enumerate()
        .filter(|(_, f)| f.outcome != "pass")
        .map(move |(i, f)| Case {
            label: format!(
                "{label}, turn {} (round {}, player {})",
                i + 1,
                f.round,
                f.slot
            ),
            view: rules::view_for(&f.before, f.slot),
            slot: f.slot,
            seed: f.seed,
        })
}

/// Every turn of the duels `a` against `b` on `scenario`, one per seed from both seats, as the
/// seat to play saw it and with its seed (`a` and `b` only make the games happen; any
/// controller's turns are collected, so both versions are tried on states either reaches).
pub fn from_duels(
    scenario_name: &str,
    scenario: &Scenario,
    a: &Seat,
    b: &Seat,
    seeds: Range<u64>,
) -> Result<Vec<Case>, DuelError> {
    let mut out = Vec::new();
    for seed in seeds {
        for (first, seats) in [
            ("first", [a.clone(), b.clone()]),
            ("second", [b.clone(), a.clone()]),
        ] {
            let duel = play_duel(scenario, &seats, seed)?;
            let Ok((frames, _)) = super::frames(&scenario.state, &duel.turns) else {
                continue;
            };
            let label = format!("{scenario_name}, duel seed {seed} ({first} contender in slot 0)");
            out.extend(turns(&label, frames));
        }
    }
    Ok(out)
}

/// Every state or scenario file (`*.json`) in `dir`, in name order, from every seat, with
/// `seeds`; the error names the file that cannot be read.
pub fn from_state_dir(dir: &Path, seeds: Range<u64>) -> Result<Vec<Case>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: cannot list the folder: {e}", dir.display()))?;
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "{}: no state files (*.json) in this folder",
            dir.display()
        ));
    }
    let mut out = Vec::new();
    for path in files {
        let scenario = Scenario::load(&path).map_err(|e| e.to_string())?;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        out.extend(from_scenario(&name, &scenario, seeds.clone()));
    }
    Ok(out)
}
