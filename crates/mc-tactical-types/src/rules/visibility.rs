//! Visibility: what a player's units can see, and the filtered view a controller receives.

use crate::{Pos, TacticalState};

/// Whether `pos` is within the sight of one of the units of `slot`.
pub fn is_visible_to(state: &TacticalState, slot: u8, pos: Pos) -> bool {
    state
        .units_of(slot)
        .any(|u| u.pos.distance(pos) <= u32::from(u.sight))
}

/// The state as the player in `slot` may know it: its own units, the enemy units within sight of
/// one of its units, the whole map and all players. Unit order is kept.
pub fn view_for(state: &TacticalState, slot: u8) -> TacticalState {
    let units = state
        .units
        .iter()
        .filter(|u| u.owner == slot || is_visible_to(state, slot, u.pos))
        .cloned()
        .collect();
    TacticalState {
        schema: state.schema,
        turn: state.turn,
        map: state.map.clone(),
        units,
        players: state.players.clone(),
    }
}
