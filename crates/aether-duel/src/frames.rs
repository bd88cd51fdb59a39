//! A duel's turns as states, for viewers: each turn's state before it, the actions proposed and
//! the rules' verdicts, rebuilt from the recorded reply bytes by the rules alone (no module
//! runs). A duel view or a replay file can then be scrubbed to any turn, forwards or backwards.
//!
//! The rebuild checks itself against the record: the state each AI saw must hash to the
//! recorded view hash, and the verdicts must be the recorded ones; otherwise the record is of
//! another scenario (or other rules), and the error says at which turn.

use mc_tactical_types::rules::{self, TurnLedger};
use mc_tactical_types::{Action, TacticalState};

use super::TurnRecord;
use aether_base::fasthash::fnv1a;
use aether_host::ActionReport;

/// One turn of a duel as a viewer shows it.
#[derive(Clone, Debug)]
pub struct Frame {
    /// The round.
    pub round: u32,
    /// Who played.
    pub slot: u8,
    /// The authoritative state when the turn began.
    pub before: TacticalState,
    /// The actions proposed, each with its verdict, in order.
    pub actions: Vec<ActionReport>,
    /// The outcome code (`ok`, `fuel_exhausted`, `pass`, …).
    pub outcome: String,
    /// Fuel the turn used.
    pub fuel: u64,
    /// The seed the controller was given for the turn.
    pub seed: u64,
}

/// Rebuilds every turn of a duel that began on `start` from its records; also returns the
/// state after the last round ended. The error names the first turn that does not fit.
pub fn frames(
    start: &TacticalState,
    turns: &[TurnRecord],
) -> Result<(Vec<Frame>, TacticalState), String> {
    let mut state = start.clone();
    let mut out = Vec::with_capacity(turns.len());
    for (i, t) in turns.iter().enumerate() {
        let at = format!("turn {} (round {}, player {})", i + 1, t.round, t.slot);
        if t.round < state.turn {
            return Err(format!(
                "{at}: recorded out of order (the duel is already at round {})",
                state.turn
            ));
        }
        // Rounds end between the records of one round and the next.
        while state.turn < t.round {
            rules::end_round(&mut state);
        }
        let seen = postcard::to_allocvec(&rules::view_for(&state, t.slot)).map_or(0, |b| fnv1a(&b));
        if seen != t.view_hash {
            return Err(format!(
                "{at}: the state the AI saw is not the one recorded: the record is of another \
                 scenario, or an earlier turn was changed"
            ));
        }
        let proposed: Vec<Action> = if t.reply.is_empty() {
            Vec::new()
        } else {
            postcard::from_bytes(&t.reply)
                .map_err(|e| format!("{at}: the recorded reply cannot be read: {e}"))?
        };
        let before = state.clone();
        let mut ledger = TurnLedger::new(t.slot);
        let actions: Vec<ActionReport> = proposed
            .into_iter()
            .map(|action| ActionReport {
                verdict: rules::apply(&mut state, &mut ledger, &action),
                action,
            })
            .collect();
        let verdicts: Vec<bool> = actions.iter().map(ActionReport::accepted).collect();
        if verdicts != t.accepted {
            return Err(format!(
                "{at}: the rules now judge its actions differently from the record"
            ));
        }
        out.push(Frame {
            round: t.round,
            slot: t.slot,
            before,
            actions,
            outcome: t.outcome.clone(),
            fuel: t.fuel,
            seed: t.seed,
        });
    }
    rules::end_round(&mut state);
    Ok((out, state))
}

/// Each slot's total hp before the first round and after each round, from a duel's frames and
/// the state after its last round (what [`super::DuelResult::hp`] records for a played duel).
pub fn hp_by_round(frames: &[Frame], end: &TacticalState) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    let mut round = None;
    for f in frames {
        if round != Some(f.round) {
            round = Some(f.round);
            out.push(super::hp_totals(&f.before));
        }
    }
    out.push(super::hp_totals(end));
    out
}
