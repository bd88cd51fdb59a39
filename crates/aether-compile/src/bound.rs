//! A turn's fuel, bounded before the turn is ever played.
//!
//! The bound is read off the compiled module itself, operator by operator, with the host's
//! fuel table (the one `aether_debug::profile` counts with: 1 for each operator, 0 for `nop`,
//! `drop`, `block`, `loop`, `unreachable`, `return`, `else` and `end`, one per byte of
//! `memory.fill` and `memory.copy`, one for entering a function). A function costs its
//! operators, the larger branch of every `if`, every callee's cost at each call, and every loop
//! body as many times as the loop can run. How many times a loop can run is known, never
//! guessed:
//!
//! * the loops the compiler emits are For Each Unit's: at most one round per unit selected
//!   (`O`, `E` or `U`) plus the round that ends it;
//! * every loop of the runtime library (`runtime.wat`) carries its bound in a comment on its
//!   line, in the [`poly`] grammar: `;; trips: EXPR` (rounds each time the loop is entered),
//!   `;; total: EXPR` (rounds over one call of the function, however often the loop is
//!   entered: a bucket list walked from a scan of the grid meets each unit once), or
//!   `;; turn: EXPR` (rounds over the whole turn); every `memory.fill` and `memory.copy` says
//!   its length (`;; bytes: EXPR`); and functions that a flag lets run at most once a turn are
//!   named in a `;; @once-per-turn` line; an `if` whose `then` runs a known number of times
//!   over one call may say so (`;; total: EXPR` on its line: the move search settles each tile
//!   of its window once). A loop or a bulk operator without its comment is an error, so the
//!   runtime cannot grow a loop the bound does not know.
//!
//! The result is a polynomial over the state's measures ([`Var`]), exact in its arithmetic,
//! an upper bound by construction; the tests play templates, random graphs and large states
//! and check that no turn ever burns more than its bound (and how close the bound comes).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use wasmparser::{Operator, Parser, Payload};

use aether_lang::graph::{NodeId, ScriptKind};
use aether_lang::interp::CheckedGraph;
use mc_tactical_types::TacticalState;

use crate::ir::{self, Body, Stmt};
use crate::{CompilationProfile, VisualScriptCompiler};

pub mod poly;

pub use poly::{Factor, Measures, Poly, Var};

/// How far a loop's bound reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// Rounds each time the loop is entered.
    Entry,
    /// Rounds over one call of the function.
    Call,
    /// Rounds over the whole turn.
    Turn,
}

#[derive(Clone, Debug)]
struct LoopNote {
    scope: Scope,
    trips: Poly,
}

/// One function's notes: its loops' bounds and its bulk operators' lengths, in code order.
#[derive(Clone, Debug, Default)]
struct Notes {
    loops: Vec<LoopNote>,
    bytes: Vec<Poly>,
    /// Every `if`, in code order: for some, how many times its `then` runs over one call.
    ifs: Vec<Option<Poly>>,
}

/// The runtime's notes, function by function in the order the text defines them, and the
/// functions that run at most once a turn.
#[derive(Debug)]
struct RuntimeNotes {
    functions: Vec<(String, Notes)>,
    once: BTreeSet<String>,
}

/// Reads the bounds written in `runtime.wat`; the error names the line.
fn runtime_notes(source: &str) -> Result<RuntimeNotes, String> {
    let mut out = RuntimeNotes {
        functions: Vec::new(),
        once: BTreeSet::new(),
    };
    for (i, line) in source.lines().enumerate() {
        let at = || format!("runtime.wat line {}", i + 1);
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(";; @once-per-turn") {
            out.once.extend(rest.split_whitespace().map(str::to_owned));
            continue;
        }
        if trimmed.starts_with(";;") {
            continue;
        }
        let (code, comment) = match line.split_once(";;") {
            Some((c, n)) => (c, Some(n.trim())),
            None => (line, None),
        };
        if let Some(rest) = code.trim_start().strip_prefix("(func $") {
            let name = rest.split([' ', ')']).next().unwrap_or_default();
            out.functions.push((format!("${name}"), Notes::default()));
            continue;
        }
        let Some((_, notes)) = out.functions.last_mut() else {
            continue;
        };
        let note = |key: &str| -> Result<Poly, String> {
            let text = comment
                .and_then(|c| c.strip_prefix(key))
                .ok_or_else(|| format!("{}: no `;; {key} …` bound on this line", at()))?;
            Poly::parse(text.trim()).map_err(|e| format!("{}: {e}", at()))
        };
        let ifs = code.matches("(if").count();
        if ifs > 0 {
            let total = match comment {
                Some(c) if c.starts_with("total:") => {
                    if ifs > 1 || code.contains("(loop") {
                        return Err(format!("{}: a bound on a line of more than one `if`", at()));
                    }
                    Some(note("total:")?)
                }
                _ => None,
            };
            notes.ifs.push(total);
            notes.ifs.extend(std::iter::repeat_n(None, ifs - 1));
            continue;
        }
        if code.contains("(loop") {
            let (scope, key) = match comment {
                Some(c) if c.starts_with("total:") => (Scope::Call, "total:"),
                Some(c) if c.starts_with("turn:") => (Scope::Turn, "turn:"),
                _ => (Scope::Entry, "trips:"),
            };
            let trips = note(key)?;
            notes.loops.push(LoopNote { scope, trips });
        } else if code.contains("memory.fill") || code.contains("memory.copy") {
            notes.bytes.push(note("bytes:")?);
        }
    }
    Ok(out)
}

/// The cost of an operator in the host's fuel table for AI controllers (its flat part; bulk
/// memory operators add their length): wasmtime 48's defaults. `aether_debug::profile` counts
/// with the same table.
pub fn flat_cost(op: &Operator<'_>) -> u64 {
    match op {
        Operator::Nop
        | Operator::Drop
        | Operator::Block { .. }
        | Operator::Loop { .. }
        | Operator::Unreachable
        | Operator::Return
        | Operator::Else
        | Operator::End => 0,
        _ => 1,
    }
}

struct Analysis<'a> {
    bodies: Vec<Vec<Operator<'a>>>,
    imported: u32,
    notes: HashMap<u32, Notes>,
    once: BTreeSet<u32>,
    memo: HashMap<u32, Poly>,
    visiting: BTreeSet<u32>,
    /// What runs at most once a turn: the once-a-turn functions and the turn-scoped loops.
    turn: Poly,
    turn_done: BTreeSet<(u32, usize)>,
    names: HashMap<u32, String>,
}

impl<'a> Analysis<'a> {
    fn new(wasm: &'a [u8]) -> Result<Self, String> {
        let mut bodies = Vec::new();
        let mut imported = 0;
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.map_err(|e| e.to_string())? {
                Payload::ImportSection(r) => {
                    for i in r.into_imports() {
                        if matches!(
                            i.map_err(|e| e.to_string())?.ty,
                            wasmparser::TypeRef::Func(_)
                        ) {
                            imported += 1;
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let mut ops = Vec::new();
                    let mut r = body.get_operators_reader().map_err(|e| e.to_string())?;
                    while !r.eof() {
                        ops.push(r.read().map_err(|e| e.to_string())?);
                    }
                    bodies.push(ops);
                }
                _ => {}
            }
        }
        Ok(Self {
            bodies,
            imported,
            notes: HashMap::new(),
            once: BTreeSet::new(),
            memo: HashMap::new(),
            visiting: BTreeSet::new(),
            turn: Poly::default(),
            turn_done: BTreeSet::new(),
            names: HashMap::new(),
        })
    }

    fn name(&self, f: u32) -> String {
        self.names
            .get(&f)
            .cloned()
            .unwrap_or_else(|| format!("function {f}"))
    }

    /// What one call of `f` costs, entering it included (what runs once a turn goes to
    /// `self.turn` instead).
    fn cost(&mut self, f: u32) -> Result<Poly, String> {
        if let Some(p) = self.memo.get(&f) {
            return Ok(p.clone());
        }
        if !self.visiting.insert(f) {
            return Err(format!(
                "{} can call itself: a turn through it has no bound",
                self.name(f)
            ));
        }
        let body = f
            .checked_sub(self.imported)
            .and_then(|i| self.bodies.get(i as usize))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "{} is imported or missing: its cost is not known",
                    self.name(f)
                )
            })?;
        let notes = self.notes.get(&f).cloned().unwrap_or_default();
        let mut cursor = Cursor::default();
        let mut per_call = Poly::default();
        let mut cost = self.seq(f, &body, &notes, &mut cursor, &mut per_call)?;
        let ifs_known = notes.ifs.is_empty() || cursor.ifs == notes.ifs.len();
        if cursor.loops != notes.loops.len() || cursor.bytes != notes.bytes.len() || !ifs_known {
            return Err(format!(
                "{}: {} loops and {} bulk operators in the code, {} and {} bounds written",
                self.name(f),
                cursor.loops,
                cursor.bytes,
                notes.loops.len(),
                notes.bytes.len()
            ));
        }
        cost.add_assign(&per_call);
        cost.add_assign(&Poly::constant(1));
        self.visiting.remove(&f);
        self.memo.insert(f, cost.clone());
        Ok(cost)
    }

    /// The cost of the operators from `c.op` to the `end` or `else` that closes them (left
    /// unread).
    fn seq(
        &mut self,
        f: u32,
        ops: &[Operator<'a>],
        notes: &Notes,
        c: &mut Cursor,
        per_call: &mut Poly,
    ) -> Result<Poly, String> {
        let mut cost = Poly::default();
        let mut flat = 0u64;
        let unclosed = || "a block is not closed".to_owned();
        while let Some(op) = ops.get(c.op) {
            match op {
                Operator::End | Operator::Else => break,
                Operator::Block { .. } => {
                    c.op += 1;
                    cost.add_assign(&self.seq(f, ops, notes, c, per_call)?);
                    c.op += 1;
                }
                Operator::Loop { .. } => {
                    let note = notes.loops.get(c.loops).cloned().ok_or_else(|| {
                        format!("{}: loop {} has no bound", self.name(f), c.loops + 1)
                    })?;
                    let site = c.loops;
                    c.loops += 1;
                    c.op += 1;
                    let body = self.seq(f, ops, notes, c, per_call)?;
                    c.op += 1;
                    let rounds = note.trips.mul(&body);
                    match note.scope {
                        Scope::Entry => cost.add_assign(&rounds),
                        Scope::Call => per_call.add_assign(&rounds),
                        Scope::Turn => {
                            if self.turn_done.insert((f, site)) {
                                self.turn.add_assign(&rounds);
                            }
                        }
                    }
                }
                Operator::If { .. } => {
                    flat += 1;
                    c.op += 1;
                    let total = notes.ifs.get(c.ifs).cloned().flatten();
                    c.ifs += 1;
                    let then = self.seq(f, ops, notes, c, per_call)?;
                    let otherwise = if matches!(ops.get(c.op), Some(Operator::Else)) {
                        c.op += 1;
                        self.seq(f, ops, notes, c, per_call)?
                    } else {
                        Poly::default()
                    };
                    if !matches!(ops.get(c.op), Some(Operator::End)) {
                        return Err(unclosed());
                    }
                    c.op += 1;
                    match total {
                        // Its `then` runs at most `n` times a call: counted there, once.
                        Some(n) => {
                            per_call.add_assign(&n.mul(&then));
                            cost.add_assign(&otherwise);
                        }
                        None => cost.add_assign(&then.either(&otherwise)),
                    }
                }
                Operator::Call { function_index } => {
                    flat += 1;
                    c.op += 1;
                    let g = *function_index;
                    if self.once.contains(&g) {
                        if self.turn_done.insert((g, usize::MAX)) {
                            let callee = self.cost(g)?;
                            self.turn.add_assign(&callee);
                        }
                    } else {
                        cost.add_assign(&self.cost(g)?);
                    }
                }
                Operator::CallIndirect { .. } | Operator::ReturnCall { .. } => {
                    return Err(format!(
                        "{}: an indirect or tail call has no bound here",
                        self.name(f)
                    ));
                }
                Operator::MemoryFill { .. }
                | Operator::MemoryCopy { .. }
                | Operator::MemoryInit { .. } => {
                    let bytes = notes.bytes.get(c.bytes).cloned().ok_or_else(|| {
                        format!(
                            "{}: bulk memory operator {} has no length bound",
                            self.name(f),
                            c.bytes + 1
                        )
                    })?;
                    c.bytes += 1;
                    flat += 1;
                    cost.add_assign(&bytes);
                    c.op += 1;
                }
                other => {
                    flat += flat_cost(other);
                    c.op += 1;
                }
            }
        }
        cost.add_assign(&Poly::constant(flat));
        Ok(cost)
    }
}

#[derive(Default)]
struct Cursor {
    op: usize,
    ifs: usize,
    loops: usize,
    bytes: usize,
}

/// Loop bounds of a node's function, from its statements in the order they are emitted.
fn node_notes(body: &Body) -> Notes {
    fn walk(stmts: &[Stmt], out: &mut Vec<LoopNote>) {
        for s in stmts {
            match s {
                Stmt::If {
                    then, otherwise, ..
                } => {
                    walk(then, out);
                    walk(otherwise, out);
                }
                Stmt::ForEach { which, body, .. } => {
                    let units = match which {
                        0 => Var::O,
                        1 => Var::E,
                        _ => Var::U,
                    };
                    out.push(LoopNote {
                        scope: Scope::Entry,
                        trips: Poly::var(units).add(&Poly::constant(1)),
                    });
                    walk(body, out);
                }
                Stmt::ForEachNear { body, .. } => {
                    // World scripts only; no AI-controller bound is asked of them.
                    out.push(LoopNote {
                        scope: Scope::Entry,
                        trips: Poly::var(Var::U).add(&Poly::constant(1)),
                    });
                    walk(body, out);
                }
                Stmt::Run(_) | Stmt::Set(..) | Stmt::Eval(_) => {}
            }
        }
    }
    let mut loops = Vec::new();
    if let Body::Exec(stmts) = body {
        walk(stmts, &mut loops);
    }
    Notes {
        loops,
        ..Notes::default()
    }
}

/// An AI controller's fuel bound: for a whole turn, and for one run of each node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuelBound {
    /// A turn: `decide_turn`, from reading the state to writing the reply.
    pub turn: Poly,
    /// Each node that can run: one run of its function (the runtime queries it calls and
    /// the data nodes it pulls included; what runs once a turn is in `turn` only).
    pub nodes: BTreeMap<NodeId, Poly>,
}

impl FuelBound {
    /// The bound of a turn on `view`, played by `slot`.
    pub fn at(&self, view: &TacticalState, slot: u8) -> u64 {
        self.turn.eval(&measures(view, slot))
    }

    /// The smallest number of units a side from which a turn could pass `cap` on `view`'s map
    /// (its stats kept, the map filled up to half its tiles a side); `None` when it stays
    /// under `cap` even then.
    pub fn units_to_reach(&self, view: &TacticalState, slot: u8, cap: u64) -> Option<u64> {
        let base = measures(view, slot);
        let at = |n: u64| {
            let mut m = base;
            m.set(Var::O, n);
            m.set(Var::E, n);
            m.set(Var::U, 2 * n);
            self.turn.eval(&m)
        };
        let most = (base.get(Var::T) / 2).max(1);
        if at(most) <= cap {
            return None;
        }
        let (mut lo, mut hi) = (0u64, most);
        while lo + 1 < hi {
            let mid = lo + (hi - lo) / 2;
            if at(mid) > cap {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }
}

/// The measures of `view` (the state as `slot` sees it).
pub fn measures(view: &TacticalState, slot: u8) -> Measures {
    let mut m = Measures::default();
    let own = view.units.iter().filter(|u| u.owner == slot).count() as u64;
    let all = view.units.len() as u64;
    let (w, h) = (u64::from(view.map.width), u64::from(view.map.height));
    m.set(Var::U, all);
    m.set(Var::O, own);
    m.set(Var::E, all - own);
    m.set(Var::W, w);
    m.set(Var::H, h);
    m.set(Var::T, w * h);
    m.set(Var::P, view.players.len() as u64);
    let most = |f: &dyn Fn(&mc_tactical_types::Unit) -> u64, mine: bool| {
        view.units
            .iter()
            .filter(|u| !mine || u.owner == slot)
            .map(f)
            .max()
            .unwrap_or(0)
    };
    m.set(Var::M, most(&|u| u64::from(u.moves), false));
    m.set(Var::R, most(&|u| u64::from(u.range), false));
    m.set(Var::S, most(&|u| u64::from(u.sight), true));
    m.set(
        Var::A,
        most(&|u| u64::from(u.moves) + u64::from(u.range), false),
    );
    m
}

/// Why a graph's turn has no bound here.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BoundError {
    /// A world script: its events are metered by the world's caps, not bounded here.
    #[error("a fuel bound is worked out for AI controllers only")]
    WorldScript,
    /// The graph does not compile.
    #[error("{0}")]
    Compile(String),
    /// The analysis met something it cannot bound (a fault in the studio, which the tests
    /// catch).
    #[error("no bound: {0}")]
    Unbounded(String),
}

/// The AI runtime's functions as the module holds them: (index, name, notes).
type RuntimeFunctions = Vec<(u32, String, Notes)>;

/// The functions of the AI runtime as the module holds them, and the once-a-turn ones'
/// indices.
fn runtime_functions() -> Result<(RuntimeFunctions, BTreeSet<u32>), String> {
    let rt = crate::runtime::get()?;
    let notes = runtime_notes(crate::runtime::SOURCE)?;
    if notes.functions.len() != rt.bodies.len() {
        return Err(format!(
            "runtime.wat defines {} functions, its module {}",
            notes.functions.len(),
            rt.bodies.len()
        ));
    }
    let base = rt.imports.len() as u32;
    let mut once = BTreeSet::new();
    let mut out = Vec::new();
    for (i, (name, n)) in notes.functions.into_iter().enumerate() {
        let index = base + i as u32;
        if notes.once.contains(&name) {
            once.insert(index);
        }
        out.push((index, name, n));
    }
    if once.len() != notes.once.len() {
        return Err("a function named in `@once-per-turn` is not in runtime.wat".into());
    }
    Ok((out, once))
}

/// The fuel bound of `checked`'s turns (an AI controller), read from its release module.
pub fn fuel_bound(checked: &CheckedGraph) -> Result<FuelBound, BoundError> {
    if checked.graph().kind == ScriptKind::WorldScript {
        return Err(BoundError::WorldScript);
    }
    let artifact = VisualScriptCompiler::compile_checked(checked, CompilationProfile::Release)
        .map_err(|e| BoundError::Compile(e.to_string()))?;
    fuel_bound_of(checked, &artifact)
}

/// The fuel bound of `checked`'s turns read from `artifact`, a module already compiled from it
/// (either profile: the same code).
pub fn fuel_bound_of(
    checked: &CheckedGraph,
    artifact: &crate::ScriptArtifact,
) -> Result<FuelBound, BoundError> {
    if checked.graph().kind == ScriptKind::WorldScript {
        return Err(BoundError::WorldScript);
    }
    let program = ir::lower(checked);
    let wasm = &artifact.wasm_bytes;
    let unbounded = BoundError::Unbounded;
    let mut a = Analysis::new(wasm).map_err(unbounded)?;
    let (functions, once) = runtime_functions().map_err(unbounded)?;
    for (index, name, notes) in functions {
        a.names.insert(index, name);
        a.notes.insert(index, notes);
    }
    a.once = once;
    for f in &program.functions {
        if let Some(code) = artifact.node_code.get(&f.node) {
            a.names
                .insert(code.function, format!("node {} {}", f.node, f.name));
            a.notes.insert(code.function, node_notes(&f.body));
        }
    }
    let decide = export_index(wasm, "decide_turn").map_err(unbounded)?;
    let mut turn = a.cost(decide).map_err(unbounded)?;
    let mut nodes = BTreeMap::new();
    for (node, code) in &artifact.node_code {
        nodes.insert(*node, a.cost(code.function).map_err(unbounded)?);
    }
    turn.add_assign(&a.turn);
    Ok(FuelBound { turn, nodes })
}

fn export_index(wasm: &[u8], name: &str) -> Result<u32, String> {
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::ExportSection(r) = payload.map_err(|e| e.to_string())? {
            for e in r {
                let e = e.map_err(|e| e.to_string())?;
                if e.name == name && e.kind == wasmparser::ExternalKind::Func {
                    return Ok(e.index);
                }
            }
        }
    }
    Err(format!("the module does not export `{name}`"))
}

/// Each runtime routine a node calls (`rt_…`), with the bound of one call: the table the
/// documentation gives per node kind.
pub fn routine_bounds() -> Result<Vec<(String, Poly)>, String> {
    let rt = crate::runtime::get()?;
    let (functions, once) = runtime_functions()?;
    let module = crate::emit::runtime_module(rt)?;
    let mut names: Vec<&String> = rt
        .exports
        .keys()
        .filter(|n| n.starts_with("rt_") && *n != "rt_begin" && *n != "rt_finish")
        .collect();
    let (begin, finish) = ("rt_begin".to_owned(), "rt_finish".to_owned());
    names.push(&begin);
    names.push(&finish);
    let mut out = Vec::new();
    for name in names {
        // A fresh analysis for each: what runs once a turn is charged to the routine that
        // would run it first.
        let mut a = Analysis::new(&module)?;
        for (index, fname, notes) in &functions {
            a.names.insert(*index, fname.clone());
            a.notes.insert(*index, notes.clone());
        }
        a.once = once.clone();
        let mut cost = a.cost(rt.index(name)?)?;
        cost.add_assign(&a.turn);
        out.push((name.clone(), cost));
    }
    Ok(out)
}

/// The node kinds each AI runtime routine serves, for the documentation's table.
const ROUTINE_NODES: [(&str, &str); 25] = [
    (
        "rt_begin",
        "every turn: reading the state, sorting and indexing the units",
    ),
    ("rt_finish", "every turn: writing the reply"),
    ("rt_next_unit", "For Each Unit (one round)"),
    ("rt_live", "Unit Exists"),
    ("rt_stat", "Unit HP, Unit Max HP, Unit Attack, Unit Range"),
    ("rt_pos", "Unit Position"),
    ("rt_kind_is", "Kind Is"),
    ("rt_distance", "Distance"),
    ("rt_count", "Count Units"),
    ("rt_map_centre", "Map Centre"),
    ("rt_turn", "Turn"),
    ("rt_terrain_is", "Terrain At"),
    ("rt_random", "Random Number"),
    ("rt_div", "Divide"),
    ("rt_nearest_enemy", "Nearest Enemy"),
    ("rt_weakest_in_range", "Weakest Enemy In Range"),
    ("rt_count_near", "Count Enemies Near"),
    ("rt_weakest_friend", "Weakest Friend Near"),
    ("rt_in_danger", "Is In Danger"),
    ("rt_best_tile", "Best Tile"),
    ("rt_nearest_hidden", "Nearest Hidden Tile"),
    ("rt_attack", "Attack"),
    ("rt_move", "Move Toward, Move Away From"),
    ("rt_fortify", "Fortify"),
    ("rt_cast", "Cast Fireball, Cast Heal"),
];

/// The documentation's table: what one run of each node kind's runtime routine can cost, as
/// the analysis reads it from `runtime.wat` (the node's own code adds a few operators; the
/// turn's bound counts those too).
pub fn routine_table() -> Result<String, String> {
    let bounds: BTreeMap<String, Poly> = routine_bounds()?.into_iter().collect();
    let mut out =
        String::from("| node | routine | fuel of one run, at most |\n| --- | --- | --- |\n");
    for (routine, nodes) in ROUTINE_NODES {
        let b = bounds
            .get(routine)
            .ok_or_else(|| format!("the runtime has no `{routine}`"))?;
        out.push_str(&format!("| {nodes} | `{routine}` | `{b}` |\n"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_loop_and_bulk_operator_has_its_bound() {
        let (functions, once) = runtime_functions().unwrap();
        assert!(!once.is_empty());
        let routines = routine_bounds().unwrap();
        assert!(routines.iter().any(|(n, _)| n == "rt_nearest_enemy"));
        let loops: usize = functions.iter().map(|(_, _, n)| n.loops.len()).sum();
        assert_eq!(
            loops,
            crate::runtime::SOURCE
                .lines()
                .filter(|l| !l.trim_start().starts_with(";;") && l.contains("(loop"))
                .count()
        );
    }
}
