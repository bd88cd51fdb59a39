//! # aether-duel — controllers against each other
//!
//! Duels: controllers against each other on a duel scenario, turn by turn through the host under
//! the caps and the rules, with fog per slot, until a winner or the turn limit; and batches of
//! duels over many seeds, from both seats, on every core.
//!
//! A duel is a pure function of its inputs: the scenario, one [`Seat`] per slot and the duel
//! seed. Each turn's seed comes from those by [`turn_seed`] (documented below), so the same
//! inputs give the same duel, byte for byte, on any machine and any number of threads.
//!
//! Rounds: each round, every living slot plays its turn in slot order on the authoritative state
//! (the controller sees only `rules::view_for(state, slot)`; its actions are validated and
//! applied by `rules`), then the round ends (`rules::end_round`) and `rules::match_result` says
//! whether the match is over. A failed turn (trap, fuel, deadline, bad reply) proposes nothing;
//! the controller's next turn starts on a fresh instance.
//!
//! Above the host and the mods: a contender is a graph (compiled here), a module, or a mod
//! folder read as the game reads it.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use mc_tactical_types::TacticalState;
use mc_tactical_types::rules::{self, MatchResult, WinReason};
use rayon::prelude::*;
use serde::Serialize;

use aether_host::{Controller, TurnOutcome};
use aether_lang::scenario::Scenario;

mod contender;
pub mod corpus;
mod frames;

pub use contender::{
    ContenderModule, GRAPH_SUFFIX, compile_contender, is_graph_file, read_contender,
};
pub use frames::{Frame, frames, hp_by_round};

/// Who plays a slot.
#[derive(Clone, Debug)]
pub enum Seat {
    /// A loaded controller (a graph compiled, a `.wasm`, a mod's module).
    Controller(Controller),
    /// Nobody: the slot passes every turn.
    Pass,
}

impl Seat {
    /// The name results use: the controller's identity, or "pass".
    pub fn name(&self) -> String {
        match self {
            Seat::Controller(c) => c.identity().to_string(),
            Seat::Pass => "pass".into(),
        }
    }
}

/// The seed of `slot`'s turn in `round` of the duel seeded `duel_seed`: SplitMix64's finaliser
/// of `duel_seed + 0x9E3779B97F4A7C15 × (round × 256 + slot + 1)` (wrapping). Different for
/// every turn, the same on every machine.
pub fn turn_seed(duel_seed: u64, round: u32, slot: u8) -> u64 {
    let step = u64::from(round)
        .wrapping_mul(256)
        .wrapping_add(u64::from(slot))
        .wrapping_add(1);
    let mut z = duel_seed.wrapping_add(0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(step));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One turn of a duel, as a replay records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TurnRecord {
    /// The round (the state's `turn` counter when it began).
    pub round: u32,
    /// Who played.
    pub slot: u8,
    /// Its seed.
    pub seed: u64,
    /// FNV-1a of the postcard bytes of the state the controller saw.
    pub view_hash: u64,
    /// The reply bytes (empty when the slot passes or the turn failed).
    pub reply: Vec<u8>,
    /// Whether each proposed action was accepted.
    pub accepted: Vec<bool>,
    /// The turn's outcome code (`ok`, `fuel_exhausted`, …; `pass` for a passing slot).
    pub outcome: String,
    /// Fuel the turn used.
    pub fuel: u64,
}

/// How a duel ended, and what happened on the way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DuelResult {
    /// The winner's slot, or `None` for a draw.
    pub winner: Option<u8>,
    /// How it ended: `elimination` or `turn_limit`.
    pub by: &'static str,
    /// Rounds played.
    pub rounds: u32,
    /// Each slot's total hp at the end of each round (and before the first).
    pub hp: Vec<Vec<u32>>,
    /// Each slot's failed turns.
    pub failed_turns: Vec<u32>,
    /// Each slot's fuel per turn, in order.
    pub fuel: Vec<Vec<u64>>,
    /// Every turn, in order.
    pub turns: Vec<TurnRecord>,
}

fn hp_totals(state: &TacticalState) -> Vec<u32> {
    let mut out = vec![0u32; state.players.len()];
    for u in &state.units {
        if let Some(t) = out.get_mut(usize::from(u.owner)) {
            *t += u32::from(u.hp);
        }
    }
    out
}

/// Why a duel could not be played.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DuelError {
    /// The scenario has no turn limit.
    #[error("\"{0}\" is not a duel scenario: it has no turn limit")]
    NotADuel(String),
    /// The seats do not match the scenario's players.
    #[error("the scenario has {players} players but {seats} seats were given")]
    Seats {
        /// Players in the scenario.
        players: usize,
        /// Seats given.
        seats: usize,
    },
}

/// Plays a whole duel: `seats[i]` plays slot `i` of `scenario`, turns seeded from `duel_seed`.
pub fn play_duel(
    scenario: &Scenario,
    seats: &[Seat],
    duel_seed: u64,
) -> Result<DuelResult, DuelError> {
    let limit = scenario
        .turn_limit
        .ok_or_else(|| DuelError::NotADuel(scenario.name.clone()))?;
    let players = scenario.state.players.len();
    if seats.len() != players {
        return Err(DuelError::Seats {
            players,
            seats: seats.len(),
        });
    }
    // One session per seat for the whole duel: its instance is kept between good turns.
    let mut sessions: Vec<_> = seats
        .iter()
        .map(|s| match s {
            Seat::Controller(c) => Some(c.session()),
            Seat::Pass => None,
        })
        .collect();
    let mut state = scenario.state.clone();
    let mut out = DuelResult {
        winner: None,
        by: "turn_limit",
        rounds: 0,
        hp: vec![hp_totals(&state)],
        failed_turns: vec![0; players],
        fuel: vec![Vec::new(); players],
        turns: Vec::new(),
    };
    loop {
        let round = state.turn;
        for (slot, session) in sessions.iter_mut().enumerate() {
            let slot = slot as u8;
            if !state.player(slot).is_some_and(|p| p.alive) {
                continue;
            }
            let seed = turn_seed(duel_seed, round, slot);
            let view_hash = postcard::to_allocvec(&rules::view_for(&state, slot))
                .map_or(0, |b| aether_base::fasthash::fnv1a(&b));
            let record = match session {
                Some(session) => {
                    let report = session.play_turn(&state, slot, seed);
                    if !matches!(report.outcome, TurnOutcome::Ok) {
                        out.failed_turns[usize::from(slot)] += 1;
                    }
                    out.fuel[usize::from(slot)].push(report.fuel_used);
                    state = report.state_after;
                    TurnRecord {
                        round,
                        slot,
                        seed,
                        view_hash,
                        reply: report.reply,
                        accepted: report.actions.iter().map(|a| a.accepted()).collect(),
                        outcome: report.outcome.code().to_owned(),
                        fuel: report.fuel_used,
                    }
                }
                None => TurnRecord {
                    round,
                    slot,
                    seed,
                    view_hash,
                    reply: Vec::new(),
                    accepted: Vec::new(),
                    outcome: "pass".into(),
                    fuel: 0,
                },
            };
            out.turns.push(record);
        }
        rules::end_round(&mut state);
        out.rounds += 1;
        out.hp.push(hp_totals(&state));
        if let Some(result) = rules::match_result(&state, limit) {
            let (winner, by) = match result {
                MatchResult::Won { slot, by } => (Some(slot), by),
                MatchResult::Draw { by } => (None, by),
            };
            out.winner = winner;
            out.by = match by {
                WinReason::Elimination => "elimination",
                WinReason::TurnLimit => "turn_limit",
            };
            return Ok(out);
        }
    }
}

/// One game of a batch, from the first contender's side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Game {
    /// The duel seed.
    pub seed: u64,
    /// The first contender's slot (0 or 1: every seed is played from both seats).
    pub seat: u8,
    /// `win`, `draw` or `loss`, for the first contender.
    pub result: &'static str,
    /// Rounds played.
    pub rounds: u32,
    /// Failed turns of the first and of the second contender.
    pub failed_turns: [u32; 2],
    /// FNV-1a over every turn's view hash and reply, 16 hex digits: two games with the same
    /// fingerprint played out identically.
    pub fingerprint: String,
}

/// A batch's totals, counted for the first contender.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BatchResult {
    /// Games played (seeds × 2 seats).
    pub games: u32,
    /// Games the first contender won.
    pub wins: u32,
    /// Games drawn.
    pub draws: u32,
    /// Games lost.
    pub losses: u32,
    /// The Wilson 95% interval of the win rate (wins / games): (low, high).
    pub interval: (f64, f64),
    /// Average rounds a game lasted.
    pub average_rounds: f64,
    /// Failed turns of the first and of the second contender, in all.
    pub failed_turns: [u32; 2],
    /// How many of the games differ from each other (by fingerprint). Far fewer than `games`
    /// means the controllers do not use their seeds, so more seeds repeat the same games and the
    /// interval, which assumes games that vary, is narrower than the truth.
    pub distinct_games: u32,
    /// Every game, by seed then seat.
    pub per_game: Vec<Game>,
}

impl BatchResult {
    /// A warning in words when most games repeat others (the controllers ignore their seeds on
    /// a fixed map), so the seeds do not measure what they seem to.
    pub fn repetition_note(&self) -> Option<String> {
        (self.games > 2 && self.distinct_games * 2 <= self.games).then(|| {
            let how = if self.distinct_games == 1 {
                format!("All {} games played out the same", self.games)
            } else {
                format!(
                    "Only {} of the {} games differ from each other",
                    self.distinct_games, self.games
                )
            };
            format!(
                "{how}: these AIs do not use their seed (no Random Number) on a fixed map, so \
                 more seeds replay the same games, and the 95% range assumes games that vary: it \
                 is narrower than the truth."
            )
        })
    }
}

/// The Wilson score interval at 95% (z = 1.96) for `successes` out of `n`: (low, high); (0, 1)
/// for no games.
pub fn wilson(successes: u32, n: u32) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let n = f64::from(n);
    let p = f64::from(successes) / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n) + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The 95% interval of the difference of two win rates, `a_wins / a_n - b_wins / b_n`, built
/// from each rate's Wilson interval (Newcombe's hybrid score interval, his method 10): (low,
/// high), within -1..=1. It contains 0 when the data cannot tell the two rates apart.
pub fn wilson_difference(a_wins: u32, a_n: u32, b_wins: u32, b_n: u32) -> (f64, f64) {
    let rate = |w: u32, n: u32| {
        if n == 0 {
            0.5
        } else {
            f64::from(w) / f64::from(n)
        }
    };
    let (p1, p2) = (rate(a_wins, a_n), rate(b_wins, b_n));
    let (l1, u1) = wilson(a_wins, a_n);
    let (l2, u2) = wilson(b_wins, b_n);
    let d = p1 - p2;
    let low = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let high = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    (low.max(-1.0), high.min(1.0))
}

/// One game of a batch: `a` in slot `seat` against `b` in the other, with duel seed `seed`,
/// counted for `a`.
pub fn play_game(
    scenario: &Scenario,
    a: &Seat,
    b: &Seat,
    seed: u64,
    seat: u8,
) -> Result<Game, DuelError> {
    let seats = if seat == 0 {
        [a.clone(), b.clone()]
    } else {
        [b.clone(), a.clone()]
    };
    let r = play_duel(scenario, &seats, seed)?;
    let result = match r.winner {
        Some(w) if w == seat => "win",
        Some(_) => "loss",
        None => "draw",
    };
    let (mine, theirs) = (usize::from(seat), usize::from(1 - seat));
    let mut bytes = Vec::new();
    for t in &r.turns {
        bytes.extend_from_slice(&t.view_hash.to_le_bytes());
        bytes.extend_from_slice(&t.reply);
    }
    Ok(Game {
        seed,
        seat,
        result,
        rounds: r.rounds,
        failed_turns: [r.failed_turns[mine], r.failed_turns[theirs]],
        fingerprint: format!("{:016x}", aether_base::fasthash::fnv1a(&bytes)),
    })
}

/// Plays `a` against `b` on `scenario` for every seed in `seeds`, from both seats (a two-player
/// scenario), on all cores. `progress` is told each finished game (games done, games in all);
/// setting `cancel` stops it early: the games not started are left out of the result. The
/// result is the same whatever the number of threads.
pub fn play_batch(
    scenario: &Scenario,
    a: &Seat,
    b: &Seat,
    seeds: std::ops::Range<u64>,
    progress: &(dyn Fn(u64, u64) + Sync),
    cancel: &AtomicBool,
) -> Result<BatchResult, DuelError> {
    if scenario.turn_limit.is_none() {
        return Err(DuelError::NotADuel(scenario.name.clone()));
    }
    if scenario.state.players.len() != 2 {
        return Err(DuelError::Seats {
            players: scenario.state.players.len(),
            seats: 2,
        });
    }
    let jobs: Vec<(u64, u8)> = seeds.flat_map(|s| [(s, 0u8), (s, 1u8)]).collect();
    let total = jobs.len() as u64;
    let done = AtomicU64::new(0);
    let mut per_game: Vec<Game> = jobs
        .par_iter()
        .filter_map(|&(seed, seat)| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let game = play_game(scenario, a, b, seed, seat).ok()?;
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            Some(game)
        })
        .collect();
    per_game.sort_by_key(|g| (g.seed, g.seat));
    let count = |what: &str| per_game.iter().filter(|g| g.result == what).count() as u32;
    let (wins, draws, losses) = (count("win"), count("draw"), count("loss"));
    let games = per_game.len() as u32;
    let rounds: u64 = per_game.iter().map(|g| u64::from(g.rounds)).sum();
    Ok(BatchResult {
        games,
        wins,
        draws,
        losses,
        interval: wilson(wins, games),
        average_rounds: if games == 0 {
            0.0
        } else {
            rounds as f64 / f64::from(games)
        },
        failed_turns: [
            per_game.iter().map(|g| g.failed_turns[0]).sum(),
            per_game.iter().map(|g| g.failed_turns[1]).sum(),
        ],
        distinct_games: per_game
            .iter()
            .map(|g| g.fingerprint.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u32,
        per_game,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_seeds_differ_by_round_and_slot_and_repeat() {
        let a = turn_seed(7, 3, 0);
        assert_eq!(a, turn_seed(7, 3, 0));
        assert_ne!(a, turn_seed(7, 3, 1));
        assert_ne!(a, turn_seed(7, 4, 0));
        assert_ne!(a, turn_seed(8, 3, 0));
    }

    #[test]
    fn bradley_terry_ratings_follow_the_scores() {
        // Even: both at 1500.
        let r = bradley_terry(
            &[vec![0.0, 10.0], vec![10.0, 0.0]],
            &[vec![0.0, 20.0], vec![20.0, 0.0]],
        );
        assert!(
            (r[0] - 1500.0).abs() < 1e-6 && (r[1] - 1500.0).abs() < 1e-6,
            "{r:?}"
        );
        // 15 of 20: three to one (191 Elo points), a little less with the prior.
        let r = bradley_terry(
            &[vec![0.0, 15.0], vec![5.0, 0.0]],
            &[vec![0.0, 20.0], vec![20.0, 0.0]],
        );
        let gap = r[0] - r[1];
        assert!(gap > 170.0 && gap < 191.0, "{gap}");
        // A clean sweep stays finite; a transitive order ranks in order.
        let r = bradley_terry(
            &[
                vec![0.0, 20.0, 20.0],
                vec![0.0, 0.0, 20.0],
                vec![0.0, 0.0, 0.0],
            ],
            &[
                vec![0.0, 20.0, 20.0],
                vec![20.0, 0.0, 20.0],
                vec![20.0, 20.0, 0.0],
            ],
        );
        assert!(
            r.iter().all(|x| x.is_finite()) && r[0] > r[1] && r[1] > r[2],
            "{r:?}"
        );
    }

    #[test]
    fn the_wilson_interval_matches_the_textbook() {
        // 8 of 10: (0.490, 0.943) to three places.
        let (lo, hi) = wilson(8, 10);
        assert!(
            (lo - 0.4902).abs() < 1e-3 && (hi - 0.9433).abs() < 1e-3,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0, 20);
        assert!(lo == 0.0 && (hi - 0.1611).abs() < 1e-3, "{lo} {hi}");
        assert_eq!(wilson(0, 0), (0.0, 1.0));
    }

    #[test]
    fn the_interval_of_a_difference_matches_newcombe() {
        // Newcombe (1998), table II, example (a): 56/70 against 48/80 gives 0.2000 with the
        // hybrid score interval (0.0524, 0.3339).
        let (lo, hi) = wilson_difference(56, 70, 48, 80);
        assert!(
            (lo - 0.0524).abs() < 1e-3 && (hi - 0.3339).abs() < 1e-3,
            "{lo} {hi}"
        );
        // Equal rates: an interval around 0.
        let (lo, hi) = wilson_difference(10, 20, 10, 20);
        assert!(lo < 0.0 && hi > 0.0 && (lo + hi).abs() < 1e-9, "{lo} {hi}");
    }
}

/// A contender as a replay records it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReplaySeat {
    /// Its identity (`"melee-rusher 1.0.0"`), or `"pass"`.
    pub identity: String,
    /// Where its module was read from (as given), to play it again; `None` for a passing slot.
    pub module: Option<String>,
    /// FNV-1a of the module's bytes, as 16 hex digits (`"0"` for a passing slot).
    pub module_hash: String,
}

/// A turn as a replay file holds it (reply bytes in hex, hashes as hex).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayTurn {
    /// The round.
    pub round: u32,
    /// The slot.
    pub slot: u8,
    /// The turn's seed.
    pub seed: u64,
    /// FNV-1a of the state the controller saw, 16 hex digits.
    pub view_hash: String,
    /// The reply bytes, hex.
    pub reply: String,
    /// Each proposed action's verdict.
    pub accepted: Vec<bool>,
    /// The outcome code.
    pub outcome: String,
    /// Fuel used.
    pub fuel: u64,
}

impl From<&TurnRecord> for ReplayTurn {
    fn from(t: &TurnRecord) -> Self {
        ReplayTurn {
            round: t.round,
            slot: t.slot,
            seed: t.seed,
            view_hash: format!("{:016x}", t.view_hash),
            reply: t.reply.iter().map(|b| format!("{b:02x}")).collect(),
            accepted: t.accepted.clone(),
            outcome: t.outcome.clone(),
            fuel: t.fuel,
        }
    }
}

impl TryFrom<&ReplayTurn> for TurnRecord {
    type Error = String;

    fn try_from(t: &ReplayTurn) -> Result<Self, String> {
        let hex = |what: &str, text: &str| -> Result<Vec<u8>, String> {
            if !text.len().is_multiple_of(2) || !text.is_ascii() {
                return Err(format!(
                    "round {}, player {}: the {what} is not hex",
                    t.round, t.slot
                ));
            }
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&text[i..i + 2], 16))
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    format!(
                        "round {}, player {}: the {what} is not hex",
                        t.round, t.slot
                    )
                })
        };
        let view = u64::from_str_radix(&t.view_hash, 16).map_err(|_| {
            format!(
                "round {}, player {}: the view hash \"{}\" is not 16 hex digits",
                t.round, t.slot, t.view_hash
            )
        })?;
        Ok(TurnRecord {
            round: t.round,
            slot: t.slot,
            seed: t.seed,
            view_hash: view,
            reply: hex("reply", &t.reply)?,
            accepted: t.accepted.clone(),
            outcome: t.outcome.clone(),
            fuel: t.fuel,
        })
    }
}

/// A `*.mcreplay` file: the scenario, the contenders (identities, where their modules were,
/// module hashes), the duel seed, and every turn (slot, seed, a hash of the state the AI saw, its
/// reply bytes and the verdicts), so any turn can be played again and compared.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// `"creator-studio/replay"`.
    pub format: String,
    /// The format's version, 1.
    pub version: u32,
    /// The scenario file, as given.
    pub scenario: String,
    /// The duel seed.
    pub duel_seed: u64,
    /// Slot by slot.
    pub seats: Vec<ReplaySeat>,
    /// The winner's slot, or none for a draw.
    pub winner: Option<u8>,
    /// Rounds played.
    pub rounds: u32,
    /// Every turn.
    pub turns: Vec<ReplayTurn>,
}

/// The `format` tag of a replay file.
pub const REPLAY_FORMAT: &str = "creator-studio/replay";

impl Replay {
    /// The replay of `duel`.
    pub fn new(scenario: &str, duel_seed: u64, seats: Vec<ReplaySeat>, duel: &DuelResult) -> Self {
        Replay {
            format: REPLAY_FORMAT.into(),
            version: 1,
            scenario: scenario.into(),
            duel_seed,
            seats,
            winner: duel.winner,
            rounds: duel.rounds,
            turns: duel.turns.iter().map(ReplayTurn::from).collect(),
        }
    }

    /// The file text: the header fields, then one turn per line.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        let v = |x: &dyn erased::Ser| x.json();
        out.push_str(&format!("  \"format\": {},\n", v(&self.format)));
        out.push_str(&format!("  \"version\": {},\n", self.version));
        out.push_str(&format!("  \"scenario\": {},\n", v(&self.scenario)));
        out.push_str(&format!("  \"duel_seed\": {},\n", self.duel_seed));
        out.push_str(&format!("  \"seats\": {},\n", v(&self.seats)));
        out.push_str(&format!("  \"winner\": {},\n", v(&self.winner)));
        out.push_str(&format!("  \"rounds\": {},\n", self.rounds));
        out.push_str("  \"turns\": [\n");
        for (i, t) in self.turns.iter().enumerate() {
            out.push_str(&format!(
                "    {}{}\n",
                v(t),
                if i + 1 < self.turns.len() { "," } else { "" }
            ));
        }
        out.push_str("  ]\n}\n");
        out
    }

    /// Reads replay text; the error names the line and column, or what is not a replay.
    pub fn from_json(text: &str) -> Result<Replay, String> {
        let r: Replay = serde_json::from_str(text)
            .map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))?;
        if r.format != REPLAY_FORMAT {
            return Err(format!(
                "this is not a replay (its \"format\" is \"{}\", expected \"{REPLAY_FORMAT}\")",
                r.format
            ));
        }
        if r.version > 1 {
            return Err(format!(
                "the replay is format version {}, written by a newer Creator Studio; this one reads version 1",
                r.version
            ));
        }
        Ok(r)
    }

    /// The recorded turns as records (the hex read back); the error names the turn.
    pub fn records(&self) -> Result<Vec<TurnRecord>, String> {
        self.turns.iter().map(TurnRecord::try_from).collect()
    }

    /// Every recorded turn as a viewer shows it, rebuilt on `start` (the scenario's state) by
    /// the rules from the recorded replies, checked against the recorded hashes and verdicts.
    /// Also the state after the last round.
    pub fn frames(&self, start: &TacticalState) -> Result<(Vec<Frame>, TacticalState), String> {
        frames(start, &self.records()?)
    }

    /// Compares the recorded turns with `again` (the same duel played now): `Ok` with the number
    /// of turns when every one matches byte for byte, else the first difference in words.
    pub fn compare(&self, again: &DuelResult) -> Result<usize, String> {
        for (i, (rec, now)) in self.turns.iter().zip(&again.turns).enumerate() {
            let now = ReplayTurn::from(now);
            let at = format!("turn {} (round {}, slot {})", i + 1, rec.round, rec.slot);
            if rec.view_hash != now.view_hash {
                return Err(format!(
                    "{at}: the state the AI saw differs (hash {} recorded, {} now): an earlier turn or the scenario changed",
                    rec.view_hash, now.view_hash
                ));
            }
            if rec.seed != now.seed {
                return Err(format!(
                    "{at}: the seed differs ({} recorded, {} now)",
                    rec.seed, now.seed
                ));
            }
            if rec.reply != now.reply {
                return Err(format!(
                    "{at}: the reply differs ({} bytes recorded, {} now)",
                    rec.reply.len() / 2,
                    now.reply.len() / 2
                ));
            }
            if rec.accepted != now.accepted || rec.outcome != now.outcome || rec.fuel != now.fuel {
                return Err(format!(
                    "{at}: the same reply, but its outcome, verdicts or fuel differ ({} / {} fuel recorded, {} / {} now)",
                    rec.outcome, rec.fuel, now.outcome, now.fuel
                ));
            }
        }
        if self.turns.len() != again.turns.len() {
            return Err(format!(
                "the duel lasts {} turns now, {} were recorded",
                again.turns.len(),
                self.turns.len()
            ));
        }
        Ok(self.turns.len())
    }
}

mod erased {
    /// Anything that serialises, as JSON text (for the replay's one-item-per-line writer).
    pub trait Ser {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

/// One pairing of a tournament: `a` against `b`, counted for `a`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pairing {
    /// The first entrant's index.
    pub a: usize,
    /// The second entrant's index.
    pub b: usize,
    /// Their batch (wins, draws, losses for `a`).
    pub batch: BatchResult,
}

/// A round robin's outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tournament {
    /// The entrants' names, by index.
    pub entrants: Vec<String>,
    /// Every pair, each over the seeds from both seats.
    pub pairings: Vec<Pairing>,
    /// Each entrant's Bradley–Terry rating on the Elo scale (mean 1500), by index.
    pub ratings: Vec<f64>,
    /// Each entrant's wins, draws and losses over all its games, by index.
    pub totals: Vec<(u32, u32, u32)>,
}

impl Tournament {
    /// Entrant indices from the best rating to the worst (ties: the earlier entrant first).
    pub fn ranking(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.entrants.len()).collect();
        order.sort_by(|&x, &y| self.ratings[y].total_cmp(&self.ratings[x]).then(x.cmp(&y)));
        order
    }
}

/// Bradley–Terry strengths from `score[i][j]` (the games `i` scored against `j`: a win 1, a draw
/// ½), by the minorisation–maximisation iteration (Hunter 2004), then put on the Elo scale:
/// `rating = 1500 + 400 · log10(strength / geometric mean)`. An entrant that scored nothing (or
/// everything) gets a finite rating: every pair is given half a game each way first, a standard
/// prior that keeps the strengths positive.
pub fn bradley_terry(score: &[Vec<f64>], games: &[Vec<f64>]) -> Vec<f64> {
    let n = score.len();
    let prior = 0.5;
    let mut p = vec![1.0f64; n];
    for _ in 0..1000 {
        let mut next = vec![0.0f64; n];
        for i in 0..n {
            let mut wins = 0.0;
            let mut denom = 0.0;
            for j in 0..n {
                if i == j || games[i][j] + games[j][i] == 0.0 {
                    continue;
                }
                let played = games[i][j] + 2.0 * prior;
                wins += score[i][j] + prior;
                denom += played / (p[i] + p[j]);
            }
            next[i] = if denom > 0.0 { wins / denom } else { p[i] };
        }
        let g = (next.iter().map(|x| x.ln()).sum::<f64>() / n as f64).exp();
        let mut change = 0.0f64;
        for i in 0..n {
            let v = next[i] / g;
            change = change.max((v - p[i]).abs());
            p[i] = v;
        }
        if change < 1e-10 {
            break;
        }
    }
    p.iter().map(|s| 1500.0 + 400.0 * s.log10()).collect()
}

/// A round robin: every pair of `entrants` plays a batch over `seeds` from both seats; the
/// result carries each pair's batch, every entrant's totals and Bradley–Terry ratings.
/// `progress` is told pairs done and pairs in all.
pub fn play_tournament(
    scenario: &Scenario,
    entrants: &[(String, Seat)],
    seeds: std::ops::Range<u64>,
    progress: &(dyn Fn(u64, u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Tournament, DuelError> {
    let n = entrants.len();
    let pairs: Vec<(usize, usize)> = (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .collect();
    let mut pairings = Vec::new();
    for (k, &(a, b)) in pairs.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        let batch = play_batch(
            scenario,
            &entrants[a].1,
            &entrants[b].1,
            seeds.clone(),
            &|_, _| {},
            cancel,
        )?;
        pairings.push(Pairing { a, b, batch });
        progress(k as u64 + 1, pairs.len() as u64);
    }
    let mut score = vec![vec![0.0; n]; n];
    let mut games = vec![vec![0.0; n]; n];
    let mut totals = vec![(0u32, 0u32, 0u32); n];
    for p in &pairings {
        let r = &p.batch;
        let a_score = f64::from(r.wins) + f64::from(r.draws) / 2.0;
        let b_score = f64::from(r.losses) + f64::from(r.draws) / 2.0;
        score[p.a][p.b] += a_score;
        score[p.b][p.a] += b_score;
        games[p.a][p.b] += f64::from(r.games);
        games[p.b][p.a] += f64::from(r.games);
        totals[p.a].0 += r.wins;
        totals[p.a].1 += r.draws;
        totals[p.a].2 += r.losses;
        totals[p.b].0 += r.losses;
        totals[p.b].1 += r.draws;
        totals[p.b].2 += r.wins;
    }
    Ok(Tournament {
        entrants: entrants.iter().map(|(name, _)| name.clone()).collect(),
        pairings,
        ratings: bradley_terry(&score, &games),
        totals,
    })
}
