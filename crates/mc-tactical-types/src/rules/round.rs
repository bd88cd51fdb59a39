//! Rounds, elimination and victory.

use alloc::vec::Vec;

use crate::{MAX_MANA, TacticalState};

/// Ends a round: `turn` advances by one and every living player gains 1 mana (at most 10).
pub fn end_round(state: &mut TacticalState) {
    update_eliminations(state);
    state.turn = state.turn.saturating_add(1);
    for p in state.players.iter_mut().filter(|p| p.alive) {
        p.mana = p.mana.saturating_add(1).min(MAX_MANA);
    }
}

/// Marks every living player that has no units left as eliminated; returns their slots.
pub fn update_eliminations(state: &mut TacticalState) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..state.players.len() {
        let slot = state.players[i].slot;
        if state.players[i].alive && !state.units.iter().any(|u| u.owner == slot) {
            state.players[i].alive = false;
            out.push(slot);
        }
    }
    out
}

/// Why a match ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WinReason {
    /// Every other player was eliminated (or, for a draw, everyone was).
    Elimination,
    /// The turn limit passed; the higher total hp decided.
    TurnLimit,
}

/// How a match ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchResult {
    /// One player won.
    Won {
        /// The winner's slot.
        slot: u8,
        /// How.
        by: WinReason,
    },
    /// Nobody won: all were eliminated, or the totals tied at the turn limit.
    Draw {
        /// How.
        by: WinReason,
    },
}

/// The result of the match if it is over: at most one living player, or `state.turn` past
/// `turn_limit` (the round numbered `turn_limit` is the last one played). `None` while it goes on.
pub fn match_result(state: &TacticalState, turn_limit: u32) -> Option<MatchResult> {
    let mut alive = state.players.iter().filter(|p| p.alive);
    match (alive.next(), alive.next()) {
        (None, _) => {
            return Some(MatchResult::Draw {
                by: WinReason::Elimination,
            });
        }
        (Some(p), None) => {
            return Some(MatchResult::Won {
                slot: p.slot,
                by: WinReason::Elimination,
            });
        }
        _ => {}
    }
    if state.turn <= turn_limit {
        return None;
    }
    let by = WinReason::TurnLimit;
    let mut best: Option<(u8, u32)> = None;
    let mut tied = false;
    for p in state.players.iter().filter(|p| p.alive) {
        let hp = state.total_hp(p.slot);
        match best {
            Some((_, b)) if hp < b => {}
            Some((_, b)) if hp == b => tied = true,
            _ => {
                best = Some((p.slot, hp));
                tied = false;
            }
        }
    }
    match best {
        Some((slot, _)) if !tied => Some(MatchResult::Won { slot, by }),
        _ => Some(MatchResult::Draw { by }),
    }
}
