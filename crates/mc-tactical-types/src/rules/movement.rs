//! Movement: cheapest paths within a unit's move points (4-directional, terrain costs).

use alloc::collections::{BTreeMap, BTreeSet, BinaryHeap};
use alloc::vec::Vec;
use core::cmp::Reverse;

use super::Rejection;
use crate::{Pos, TacticalState, Unit};

/// The move points the cheapest path from `unit`'s tile to `to` costs, if the move is legal
/// (ignoring the per-turn bookkeeping).
///
/// Errors, checked in this order: [`Rejection::OffMap`], [`Rejection::AlreadyThere`],
/// [`Rejection::Impassable`], [`Rejection::Occupied`], [`Rejection::Unreachable`].
pub fn path_cost(state: &TacticalState, unit: &Unit, to: Pos) -> Result<u32, Rejection> {
    let terrain = state.map.get(to).ok_or(Rejection::OffMap { to })?;
    if to == unit.pos {
        return Err(Rejection::AlreadyThere { unit: unit.id });
    }
    if !terrain.is_passable() {
        return Err(Rejection::Impassable { to, terrain });
    }
    if let Some(other) = state.unit_at(to) {
        return Err(Rejection::Occupied { to, by: other.id });
    }
    let unreachable = Rejection::Unreachable {
        unit: unit.id,
        to,
        moves: unit.moves,
    };
    if unit.pos.distance(to) > u32::from(unit.moves) {
        return Err(unreachable);
    }
    costs_from(state, unit).get(&to).copied().ok_or(unreachable)
}

/// Every tile `unit` could move to this turn with the move points it has, with the cost of the
/// cheapest path, sorted by row then column. The unit's own tile is not included.
pub fn reachable(state: &TacticalState, unit: &Unit) -> Vec<(Pos, u32)> {
    let mut tiles: Vec<(Pos, u32)> = costs_from(state, unit)
        .into_iter()
        .filter(|&(p, _)| p != unit.pos)
        .collect();
    tiles.sort_by_key(|&(p, _)| (p.y, p.x));
    tiles
}

/// Dijkstra from the unit's tile, bounded by its move points, through passable tiles free of other
/// units. Includes the start at cost 0.
fn costs_from(state: &TacticalState, unit: &Unit) -> BTreeMap<Pos, u32> {
    let budget = u32::from(unit.moves);
    let blocked: BTreeSet<Pos> = state
        .units
        .iter()
        .filter(|u| u.id != unit.id && unit.pos.distance(u.pos) <= budget)
        .map(|u| u.pos)
        .collect();
    let mut best = BTreeMap::new();
    best.insert(unit.pos, 0u32);
    let mut frontier = BinaryHeap::new();
    frontier.push(Reverse((0u32, unit.pos)));
    while let Some(Reverse((cost, pos))) = frontier.pop() {
        if best.get(&pos).is_some_and(|&c| c < cost) {
            continue;
        }
        for next in pos.neighbours() {
            let Some(step) = state.map.get(next).and_then(|t| t.move_cost()) else {
                continue;
            };
            if blocked.contains(&next) {
                continue;
            }
            let total = cost + step;
            if total > budget || best.get(&next).is_some_and(|&c| c <= total) {
                continue;
            }
            best.insert(next, total);
            frontier.push(Reverse((total, next)));
        }
    }
    best
}
