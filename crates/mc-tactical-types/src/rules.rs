//! The authoritative game rules, v1: pure functions over a [`TacticalState`].
//!
//! The host applies every proposed action through [`apply`], which first [`validate`]s it: an
//! invalid action changes nothing and comes back as a [`Rejection`] that says why. A Rust mod may run
//! the same functions on its own copy of the state to plan ahead.
//!
//! # Rules v1
//!
//! * **Distance** is Manhattan; movement is 4-directional. Entering plains costs 1 move, forest and
//!   hills 2; water and mountains cannot be entered. A move needs a path within the unit's `moves`
//!   through tiles free of other units (friend or foe), ending on a free tile.
//! * **Per turn** a unit may move once and then attack, cast or fortify once. Attacking or casting
//!   ends its movement (it cannot move afterwards); fortifying ends its turn and sets `fortified`
//!   until the unit next moves. The [`TurnLedger`] records who has moved and acted this turn.
//! * **Attack**: the target must be an enemy unit within the attacker's `range` and visible to the
//!   attacking player. Damage = max(1, attack − (defence + terrain bonus + 2 if fortified)), where
//!   the terrain bonus is the target's tile: forest +1, hills +2. A unit at 0 hp is removed at once.
//! * **Spells**: only a Mage casts, at a tile within distance 3. Fireball costs 3 mana and deals 6 to
//!   *every* unit within distance 1 of the tile (the caster's own included). Heal costs 2 mana and
//!   restores 8 hp, up to max, to the caster's own units within distance 1 of the tile.
//! * **Visibility**: a player sees its own units and every enemy unit within the `sight` of one of
//!   its units; the map and the players are public ([`view_for`]).
//! * **Rounds**: players act in slot order; `turn` counts rounds. At the end of a round every living
//!   player gains 1 mana, up to [`MAX_MANA`](crate::MAX_MANA) ([`end_round`]).
//! * **Elimination and victory**: a player with no units left is eliminated at once. The match ends
//!   when at most one player is left, or after the turn limit, where the higher total hp wins
//!   ([`match_result`]).

use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::fmt;

use crate::{Action, Pos, Spell, TacticalState, Terrain, UnitKind};

mod check;
mod movement;
mod round;
mod visibility;

pub use check::{StateProblem, check_state};
pub use movement::{path_cost, reachable};
pub use round::{MatchResult, WinReason, end_round, match_result, update_eliminations};
pub use visibility::{is_visible_to, view_for};

/// Extra defence of a fortified unit.
pub const FORTIFY_BONUS: u16 = 2;

/// What one player's units have done so far this turn.
///
/// Start a fresh ledger at the beginning of each player's turn; pass it to every [`validate`] and
/// [`apply`] of that turn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TurnLedger {
    slot: u8,
    moved: BTreeSet<u32>,
    acted: BTreeSet<u32>,
}

impl TurnLedger {
    /// A ledger for the turn of the player in `slot`, with nothing done yet.
    pub fn new(slot: u8) -> Self {
        Self {
            slot,
            moved: BTreeSet::new(),
            acted: BTreeSet::new(),
        }
    }

    /// The slot whose turn this is.
    pub fn slot(&self) -> u8 {
        self.slot
    }

    /// Whether `unit` has moved this turn.
    pub fn has_moved(&self, unit: u32) -> bool {
        self.moved.contains(&unit)
    }

    /// Whether `unit` has attacked, cast or fortified this turn (its movement is over).
    pub fn has_acted(&self, unit: u32) -> bool {
        self.acted.contains(&unit)
    }
}

/// Why an action was refused. Every variant leaves the state untouched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rejection {
    /// No player has this slot.
    UnknownPlayer {
        /// The slot whose turn it was.
        slot: u8,
    },
    /// The player has no units left and is out of the match.
    PlayerEliminated {
        /// The slot whose turn it was.
        slot: u8,
    },
    /// No unit has this id (it may have died earlier this turn).
    UnknownUnit {
        /// The id named by the action.
        unit: u32,
    },
    /// The unit belongs to another player.
    NotYourUnit {
        /// The unit named by the action.
        unit: u32,
        /// Its actual owner.
        owner: u8,
    },
    /// The unit has already moved this turn.
    AlreadyMoved {
        /// The unit.
        unit: u32,
    },
    /// The unit has already attacked, cast or fortified this turn.
    AlreadyActed {
        /// The unit.
        unit: u32,
    },
    /// The destination is off the map.
    OffMap {
        /// The destination.
        to: Pos,
    },
    /// The unit already stands on the destination.
    AlreadyThere {
        /// The unit.
        unit: u32,
    },
    /// The destination is water or mountain.
    Impassable {
        /// The destination.
        to: Pos,
        /// Its terrain.
        terrain: Terrain,
    },
    /// Another unit stands on the destination.
    Occupied {
        /// The destination.
        to: Pos,
        /// The unit standing there.
        by: u32,
    },
    /// No path to the destination fits within the unit's move points.
    Unreachable {
        /// The unit.
        unit: u32,
        /// The destination.
        to: Pos,
        /// The unit's move points.
        moves: u8,
    },
    /// No unit has the target id.
    UnknownTarget {
        /// The id named as target.
        target: u32,
    },
    /// The target belongs to the attacking player.
    FriendlyTarget {
        /// The target.
        target: u32,
    },
    /// The target is not within sight of any of the player's units.
    TargetNotVisible {
        /// The target.
        target: u32,
    },
    /// The target is further away than the attacker's range.
    OutOfRange {
        /// The attacker.
        unit: u32,
        /// The target.
        target: u32,
        /// Distance between them.
        distance: u32,
        /// The attacker's range.
        range: u8,
    },
    /// Only a Mage casts spells.
    NotAMage {
        /// The unit that tried to cast.
        unit: u32,
        /// Its kind.
        kind: UnitKind,
    },
    /// The spell's target tile is off the map.
    SpellOffMap {
        /// The target tile.
        at: Pos,
    },
    /// The spell's target tile is further than distance 3 from the Mage.
    SpellOutOfRange {
        /// The target tile.
        at: Pos,
        /// Its distance from the Mage.
        distance: u32,
    },
    /// The player lacks the mana for the spell.
    NotEnoughMana {
        /// The spell.
        spell: Spell,
        /// Mana the player has.
        have: u16,
        /// Mana the spell costs.
        need: u16,
    },
}

impl Rejection {
    /// A stable kebab-case code for reports and tests (`"unknown-unit"`, `"out-of-range"`…).
    pub const fn code(&self) -> &'static str {
        match self {
            Rejection::UnknownPlayer { .. } => "unknown-player",
            Rejection::PlayerEliminated { .. } => "player-eliminated",
            Rejection::UnknownUnit { .. } => "unknown-unit",
            Rejection::NotYourUnit { .. } => "not-your-unit",
            Rejection::AlreadyMoved { .. } => "already-moved",
            Rejection::AlreadyActed { .. } => "already-acted",
            Rejection::OffMap { .. } => "off-map",
            Rejection::AlreadyThere { .. } => "already-there",
            Rejection::Impassable { .. } => "impassable",
            Rejection::Occupied { .. } => "occupied",
            Rejection::Unreachable { .. } => "unreachable",
            Rejection::UnknownTarget { .. } => "unknown-target",
            Rejection::FriendlyTarget { .. } => "friendly-target",
            Rejection::TargetNotVisible { .. } => "target-not-visible",
            Rejection::OutOfRange { .. } => "out-of-range",
            Rejection::NotAMage { .. } => "not-a-mage",
            Rejection::SpellOffMap { .. } => "spell-off-map",
            Rejection::SpellOutOfRange { .. } => "spell-out-of-range",
            Rejection::NotEnoughMana { .. } => "not-enough-mana",
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Rejection::UnknownPlayer { slot } => write!(f, "there is no player in slot {slot}"),
            Rejection::PlayerEliminated { slot } => {
                write!(f, "player {slot} has been eliminated")
            }
            Rejection::UnknownUnit { unit } => write!(f, "there is no unit {unit}"),
            Rejection::NotYourUnit { unit, owner } => {
                write!(f, "unit {unit} belongs to player {owner}")
            }
            Rejection::AlreadyMoved { unit } => {
                write!(f, "unit {unit} has already moved this turn")
            }
            Rejection::AlreadyActed { unit } => write!(
                f,
                "unit {unit} has already attacked, cast or fortified this turn"
            ),
            Rejection::OffMap { to } => write!(f, "{to} is off the map"),
            Rejection::AlreadyThere { unit } => write!(f, "unit {unit} is already there"),
            Rejection::Impassable { to, terrain } => {
                write!(f, "{to} is {terrain}, which no unit can enter")
            }
            Rejection::Occupied { to, by } => write!(f, "{to} is taken by unit {by}"),
            Rejection::Unreachable { unit, to, moves } => write!(
                f,
                "unit {unit} cannot reach {to} with {moves} move points (path blocked or too long)"
            ),
            Rejection::UnknownTarget { target } => write!(f, "there is no target unit {target}"),
            Rejection::FriendlyTarget { target } => {
                write!(f, "unit {target} is on the same side")
            }
            Rejection::TargetNotVisible { target } => {
                write!(
                    f,
                    "unit {target} is not in sight of any of the player's units"
                )
            }
            Rejection::OutOfRange {
                unit,
                target,
                distance,
                range,
            } => write!(
                f,
                "unit {target} is {distance} tiles from unit {unit}, beyond its range of {range}"
            ),
            Rejection::NotAMage { unit, kind } => {
                write!(f, "unit {unit} is a {kind}; only a mage casts spells")
            }
            Rejection::SpellOffMap { at } => write!(f, "the spell's target {at} is off the map"),
            Rejection::SpellOutOfRange { at, distance } => write!(
                f,
                "the spell's target {at} is {distance} tiles away, beyond the casting range of {}",
                Spell::RANGE
            ),
            Rejection::NotEnoughMana { spell, have, need } => {
                write!(f, "{spell} costs {need} mana but the player has {have}")
            }
        }
    }
}

/// What applying an action did, in order. Useful for reports and animations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// A unit moved.
    Moved {
        /// The unit.
        unit: u32,
        /// Where it stood.
        from: Pos,
        /// Where it stands now.
        to: Pos,
        /// Move points the cheapest path cost.
        cost: u32,
    },
    /// A unit struck another.
    Attacked {
        /// The attacker.
        unit: u32,
        /// The target.
        target: u32,
    },
    /// A Mage cast a spell.
    Cast {
        /// The Mage.
        unit: u32,
        /// The spell.
        spell: Spell,
        /// Its centre.
        at: Pos,
        /// The player's mana after paying.
        mana_left: u16,
    },
    /// A unit lost hit points.
    Damaged {
        /// The unit.
        unit: u32,
        /// Hit points lost.
        amount: u16,
        /// Hit points left (0 means it died: a `Killed` event follows).
        hp: u16,
    },
    /// A unit regained hit points.
    Healed {
        /// The unit.
        unit: u32,
        /// Hit points restored.
        amount: u16,
        /// Hit points now.
        hp: u16,
    },
    /// A unit died and was removed.
    Killed {
        /// The unit.
        unit: u32,
        /// Its owner.
        owner: u8,
    },
    /// A unit dug in.
    Fortified {
        /// The unit.
        unit: u32,
    },
    /// A player lost its last unit.
    Eliminated {
        /// The player's slot.
        slot: u8,
    },
}

/// Damage a strike of `attack` deals to `target` standing on `terrain`.
///
/// max(1, attack − (defence + terrain bonus + 2 if fortified)).
pub fn damage(attack: u16, target: &crate::Unit, terrain: Terrain) -> u16 {
    let guard = target
        .defense
        .saturating_add(terrain.defense_bonus())
        .saturating_add(if target.fortified { FORTIFY_BONUS } else { 0 });
    attack.saturating_sub(guard).max(1)
}

/// Checks whether the player of `ledger` may perform `action` now, without changing anything.
pub fn validate(
    state: &TacticalState,
    ledger: &TurnLedger,
    action: &Action,
) -> Result<(), Rejection> {
    plan(state, ledger, action).map(|_| ())
}

/// What a valid action will do, worked out by [`plan`] before anything changes.
enum Plan {
    Move {
        index: usize,
        to: Pos,
        cost: u32,
    },
    Attack {
        index: usize,
        target: usize,
    },
    Cast {
        player: usize,
        spell: Spell,
        at: Pos,
    },
    Fortify {
        index: usize,
    },
}

fn plan(state: &TacticalState, ledger: &TurnLedger, action: &Action) -> Result<Plan, Rejection> {
    let slot = ledger.slot;
    let player_index = state
        .players
        .iter()
        .position(|p| p.slot == slot)
        .ok_or(Rejection::UnknownPlayer { slot })?;
    let player = &state.players[player_index];
    if !player.alive {
        return Err(Rejection::PlayerEliminated { slot });
    }
    let id = action.unit();
    let index = state
        .units
        .iter()
        .position(|u| u.id == id)
        .ok_or(Rejection::UnknownUnit { unit: id })?;
    let unit = &state.units[index];
    if unit.owner != slot {
        return Err(Rejection::NotYourUnit {
            unit: id,
            owner: unit.owner,
        });
    }
    if ledger.has_acted(id) {
        return Err(Rejection::AlreadyActed { unit: id });
    }
    match *action {
        Action::Move { to, .. } => {
            if ledger.has_moved(id) {
                return Err(Rejection::AlreadyMoved { unit: id });
            }
            let cost = path_cost(state, unit, to)?;
            Ok(Plan::Move { index, to, cost })
        }
        Action::Attack { target, .. } => {
            let t = state
                .units
                .iter()
                .position(|u| u.id == target)
                .ok_or(Rejection::UnknownTarget { target })?;
            let victim = &state.units[t];
            if victim.owner == slot {
                return Err(Rejection::FriendlyTarget { target });
            }
            if !is_visible_to(state, slot, victim.pos) {
                return Err(Rejection::TargetNotVisible { target });
            }
            let distance = unit.pos.distance(victim.pos);
            if distance > u32::from(unit.range) {
                return Err(Rejection::OutOfRange {
                    unit: id,
                    target,
                    distance,
                    range: unit.range,
                });
            }
            Ok(Plan::Attack { index, target: t })
        }
        Action::Cast { spell, at, .. } => {
            if unit.kind != UnitKind::Mage {
                return Err(Rejection::NotAMage {
                    unit: id,
                    kind: unit.kind,
                });
            }
            if !state.map.contains(at) {
                return Err(Rejection::SpellOffMap { at });
            }
            let distance = unit.pos.distance(at);
            if distance > Spell::RANGE {
                return Err(Rejection::SpellOutOfRange { at, distance });
            }
            if player.mana < spell.cost() {
                return Err(Rejection::NotEnoughMana {
                    spell,
                    have: player.mana,
                    need: spell.cost(),
                });
            }
            Ok(Plan::Cast {
                player: player_index,
                spell,
                at,
            })
        }
        Action::Fortify { .. } => Ok(Plan::Fortify { index }),
    }
}

/// Validates `action` and, if it is allowed, performs it; returns what happened.
///
/// On `Err` the state and the ledger are exactly as they were.
pub fn apply(
    state: &mut TacticalState,
    ledger: &mut TurnLedger,
    action: &Action,
) -> Result<Vec<Event>, Rejection> {
    let plan = plan(state, ledger, action)?;
    let slot = ledger.slot;
    let id = action.unit();
    let mut events = Vec::new();
    match plan {
        Plan::Move { index, to, cost } => {
            let unit = &mut state.units[index];
            events.push(Event::Moved {
                unit: id,
                from: unit.pos,
                to,
                cost,
            });
            unit.pos = to;
            unit.fortified = false;
            ledger.moved.insert(id);
        }
        Plan::Attack { index, target } => {
            let attack = state.units[index].attack;
            let victim = &state.units[target];
            let terrain = state.map.get(victim.pos).unwrap_or_default();
            let amount = damage(attack, victim, terrain);
            events.push(Event::Attacked {
                unit: id,
                target: victim.id,
            });
            ledger.acted.insert(id);
            hurt(state, &[target], amount, &mut events);
        }
        Plan::Cast { player, spell, at } => {
            let player = &mut state.players[player];
            player.mana -= spell.cost();
            events.push(Event::Cast {
                unit: id,
                spell,
                at,
                mana_left: player.mana,
            });
            ledger.acted.insert(id);
            let area: Vec<usize> = state
                .units
                .iter()
                .enumerate()
                .filter(|(_, u)| u.pos.distance(at) <= 1)
                .filter(|(_, u)| spell == Spell::Fireball || u.owner == slot)
                .map(|(i, _)| i)
                .collect();
            match spell {
                Spell::Fireball => hurt(state, &area, spell.power(), &mut events),
                Spell::Heal => {
                    for i in area {
                        let u = &mut state.units[i];
                        let hp = u.hp.saturating_add(spell.power()).min(u.max_hp).max(u.hp);
                        let amount = hp - u.hp;
                        u.hp = hp;
                        events.push(Event::Healed {
                            unit: u.id,
                            amount,
                            hp,
                        });
                    }
                }
            }
        }
        Plan::Fortify { index } => {
            state.units[index].fortified = true;
            ledger.acted.insert(id);
            events.push(Event::Fortified { unit: id });
        }
    }
    Ok(events)
}

/// Deals `amount` to the units at `indices`, removes the dead and eliminates emptied players.
fn hurt(state: &mut TacticalState, indices: &[usize], amount: u16, events: &mut Vec<Event>) {
    for &i in indices {
        let u = &mut state.units[i];
        let lost = amount.min(u.hp);
        u.hp -= lost;
        events.push(Event::Damaged {
            unit: u.id,
            amount: lost,
            hp: u.hp,
        });
        if u.hp == 0 {
            events.push(Event::Killed {
                unit: u.id,
                owner: u.owner,
            });
        }
    }
    state.units.retain(|u| u.hp > 0);
    for slot in update_eliminations(state) {
        events.push(Event::Eliminated { slot });
    }
}

/// The verdict on one proposed action, as [`apply_turn`] returns it.
pub type Verdict = Result<Vec<Event>, Rejection>;

/// Plays a whole turn of the player in `slot`: applies `actions` in order, discarding the invalid
/// ones, and returns one verdict per action.
pub fn apply_turn(state: &mut TacticalState, slot: u8, actions: &[Action]) -> Vec<Verdict> {
    let mut ledger = TurnLedger::new(slot);
    actions
        .iter()
        .map(|a| apply(state, &mut ledger, a))
        .collect()
}
