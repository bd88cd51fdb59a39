//! What the Rust twins of the graph templates share: the contract's exports around a `plan`
//! function, and the graph language's queries written as plain Rust, exactly as the reference
//! interpreter (`aether_lang::interp`) defines them.

use mc_tactical_types::rules::{self, TurnLedger};
use mc_tactical_types::{Action, Pos, TacticalState, Unit};

/// Reads the state, plans, writes the reply; the body of every twin's `decide_turn`.
///
/// # Safety
/// The host guarantees `state_ptr..+state_len` and `out_ptr..+out_cap` lie in linear memory.
pub unsafe fn decide(
    state_ptr: i32,
    state_len: i32,
    slot: u32,
    out_ptr: i32,
    out_cap: i32,
    plan: fn(TacticalState, u8) -> Vec<Action>,
) -> i32 {
    // SAFETY: the host placed the state at this address for this call.
    let input =
        unsafe { core::slice::from_raw_parts(state_ptr as usize as *const u8, state_len as usize) };
    // SAFETY: the host reserved this buffer for the reply; nothing else aliases it.
    let out =
        unsafe { core::slice::from_raw_parts_mut(out_ptr as usize as *mut u8, out_cap as usize) };
    let Ok(state) = postcard::from_bytes::<TacticalState>(input) else {
        return -1;
    };
    match postcard::to_slice(&plan(state, slot as u8), out) {
        Ok(written) => written.len() as i32,
        Err(_) => -2,
    }
}

/// A turn in progress: the working copy, the ledger and the actions sent so far.
pub struct Turn {
    pub state: TacticalState,
    pub ledger: TurnLedger,
    pub actions: Vec<Action>,
    pub slot: u8,
    /// What my units see, kept until an accepted action may change it.
    seen: Option<Vec<bool>>,
}

impl Turn {
    pub fn new(state: TacticalState, slot: u8) -> Turn {
        Turn {
            state,
            ledger: TurnLedger::new(slot),
            actions: Vec::new(),
            slot,
            seen: None,
        }
    }

    /// My units' ids in order (For Each Unit, mine).
    pub fn mine(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.state.units_of(self.slot).map(|u| u.id).collect();
        ids.sort_unstable();
        ids
    }

    pub fn unit(&self, id: Option<u32>) -> Option<Unit> {
        self.state.unit(id?).cloned()
    }

    /// Applies `action` to the working copy; true if the rules accepted it (then it is sent).
    pub fn act(&mut self, action: Option<Action>) -> bool {
        let Some(action) = action else { return false };
        if rules::apply(&mut self.state, &mut self.ledger, &action).is_ok() {
            self.actions.push(action);
            self.seen = None;
            true
        } else {
            false
        }
    }

    /// Nearest Enemy.
    pub fn nearest_enemy(&self, id: u32) -> Option<u32> {
        let u = self.state.unit(id)?;
        self.state
            .units
            .iter()
            .filter(|e| e.owner != u.owner)
            .min_by_key(|e| (u.pos.distance(e.pos), e.id))
            .map(|e| e.id)
    }

    /// Weakest Enemy In Range.
    pub fn weakest_in_range(&self, id: u32) -> Option<u32> {
        let u = self.state.unit(id)?;
        self.state
            .units
            .iter()
            .filter(|e| e.owner != u.owner && u.pos.distance(e.pos) <= u32::from(u.range))
            .min_by_key(|e| (e.hp, e.id))
            .map(|e| e.id)
    }

    /// Unit Position (none: (0, 0)).
    pub fn position(&self, id: Option<u32>) -> Pos {
        self.unit(id).map_or(Pos::default(), |u| u.pos)
    }

    pub fn attack(&mut self, id: u32, target: Option<u32>) -> bool {
        self.act(target.map(|target| Action::Attack { unit: id, target }))
    }

    /// Move Toward / Move Away From.
    pub fn step(&mut self, id: u32, goal: Pos, toward: bool) -> bool {
        let to = self
            .unit(Some(id))
            .and_then(|u| step(&self.state, &u, goal, toward));
        self.act(to.map(|to| Action::Move { unit: id, to }))
    }

    /// Nearest Hidden Tile: rings of growing distance around the unit, each in row-then-column
    /// order, over a sight map kept between calls.
    pub fn nearest_hidden(&mut self, id: u32) -> Pos {
        let Some(u) = self.unit(Some(id)) else {
            return Pos::default();
        };
        let seen = self
            .seen
            .get_or_insert_with(|| sight_map(&self.state, self.slot));
        let map = &self.state.map;
        let (w, h) = (i32::from(map.width), i32::from(map.height));
        let (ux, uy) = (i32::from(u.pos.x), i32::from(u.pos.y));
        let far = ux.max(w - 1 - ux) + uy.max(h - 1 - uy);
        let hidden = |x: i32, y: i32| {
            x >= 0
                && y >= 0
                && x < w
                && y < h
                && !seen[(y * w + x) as usize]
                && map.tiles[(y * w + x) as usize].is_passable()
        };
        for d in 0..=far {
            for dy in (-d).max(-uy)..=d.min(h - 1 - uy) {
                let rest = d - dy.abs();
                for x in [ux - rest, ux + rest] {
                    if hidden(x, uy + dy) {
                        return Pos::new(x as u16, (uy + dy) as u16);
                    }
                    if rest == 0 {
                        break;
                    }
                }
            }
        }
        u.pos
    }
}

/// `interp::step`.
pub fn step(state: &TacticalState, unit: &Unit, goal: Pos, toward: bool) -> Option<Pos> {
    let here = unit.pos.distance(goal);
    let key = |d: u32| if toward { i64::from(d) } else { -i64::from(d) };
    rules::reachable(state, unit)
        .into_iter()
        .filter(|&(p, _)| {
            let d = p.distance(goal);
            if toward { d < here } else { d > here }
        })
        .min_by_key(|&(p, cost)| (key(p.distance(goal)), cost, p.y, p.x))
        .map(|(p, _)| p)
}

/// Which tiles the units of `slot` see.
pub fn sight_map(state: &TacticalState, slot: u8) -> Vec<bool> {
    let map = &state.map;
    let (w, h) = (i32::from(map.width), i32::from(map.height));
    let mut seen = vec![false; map.expected_len()];
    for v in state.units_of(slot) {
        let r = i32::from(v.sight);
        let (vx, vy) = (i32::from(v.pos.x), i32::from(v.pos.y));
        for y in (vy - r).max(0)..=(vy + r).min(h - 1) {
            let reach = r - (y - vy).abs();
            for x in (vx - reach).max(0)..=(vx + reach).min(w - 1) {
                seen[(y * w + x) as usize] = true;
            }
        }
    }
    seen
}

/// The templates' "charge" block: strike the weakest enemy in reach; else march on the nearest
/// enemy and strike if one came into reach; else scout toward the nearest hidden tile.
pub fn charge(t: &mut Turn, id: u32) {
    if t.unit(t.weakest_in_range(id)).is_some() {
        let target = t.weakest_in_range(id);
        t.attack(id, target);
    } else if t.unit(t.nearest_enemy(id)).is_some() {
        let goal = t.position(t.nearest_enemy(id));
        t.step(id, goal, true);
        let target = t.weakest_in_range(id);
        t.attack(id, target);
    } else {
        let goal = t.nearest_hidden(id);
        t.step(id, goal, true);
    }
}
