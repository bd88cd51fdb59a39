//! Random inputs for the compiler's tests, from fixed seeds: game states that pass
//! `check_state`, graphs the checker accepts, and graphs broken in one known way.

use std::collections::BTreeSet;

use aether_lang::catalog::{self, PinType, PortDefault};
use aether_lang::check::Location;
use aether_lang::graph::{NodeId, PortRef, Value, VarType, Variable, VisualScriptGraph};
use aether_lang::interp::Rng;
use mc_tactical_types::rules::check_state;
use mc_tactical_types::{
    Player, Pos, SCHEMA_VERSION, TacticalState, Terrain, TileMap, Unit, UnitKind,
};

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.between(0, items.len() as i32 - 1) as usize]
}

fn chance(rng: &mut Rng, percent: i32) -> bool {
    rng.between(1, 100) <= percent
}

/// A state that passes `check_state`: 3..=20 tiles a side with every terrain, 2..=4 players
/// (now and then one eliminated), up to 40 units with statistics varied around their kind's,
/// ids in no particular order.
pub fn random_state(rng: &mut Rng) -> TacticalState {
    let (w, h) = (rng.between(3, 20) as u16, rng.between(3, 20) as u16);
    let mut map = TileMap::filled(w, h, Terrain::Plains);
    for t in map.tiles.iter_mut() {
        *t = match rng.between(0, 99) {
            0..=59 => Terrain::Plains,
            60..=74 => Terrain::Forest,
            75..=86 => Terrain::Hills,
            87..=93 => Terrain::Water,
            _ => Terrain::Mountain,
        };
    }
    let n_players = rng.between(2, 4) as u8;
    let players: Vec<Player> = (0..n_players)
        .map(|slot| Player {
            slot,
            mana: rng.between(0, 10) as u16,
            alive: !(slot > 1 && chance(rng, 20)),
        })
        .collect();
    let free: Vec<Pos> = (0..h)
        .flat_map(|y| (0..w).map(move |x| Pos::new(x, y)))
        .filter(|&p| map.get(p).is_some_and(Terrain::is_passable))
        .collect();
    let mut free = free;
    let wanted = rng.between(1, 40) as usize;
    let mut units = Vec::new();
    let mut ids = BTreeSet::new();
    while units.len() < wanted && !free.is_empty() {
        let p = free.swap_remove(rng.between(0, free.len() as i32 - 1) as usize);
        let owner = rng.between(0, i32::from(n_players) - 1) as u8;
        if !players[owner as usize].alive {
            continue;
        }
        let kind = *pick(rng, &UnitKind::ALL);
        let mut id = rng.between(1, 500) as u32;
        while !ids.insert(id) {
            id += 1;
        }
        let mut u = Unit::new(id, owner, kind, p);
        u.max_hp = (i32::from(u.max_hp) + rng.between(-3, 6)).max(1) as u16;
        u.hp = rng.between(1, i32::from(u.max_hp)) as u16;
        u.attack = rng.between(0, 9) as u16;
        u.defense = rng.between(0, 5) as u16;
        u.range = rng.between(0, 4) as u8;
        u.moves = rng.between(0, 6) as u8;
        u.sight = rng.between(0, 6) as u8;
        u.fortified = chance(rng, 20);
        units.push(u);
    }
    let state = TacticalState {
        schema: SCHEMA_VERSION,
        turn: rng.between(1, 30) as u32,
        map,
        units,
        players,
    };
    let problems = check_state(&state);
    assert!(problems.is_empty(), "generated a bad state: {problems:?}");
    state
}

/// The graph variables every random graph declares: one of each type.
const VARS: [(&str, VarType); 4] = [
    ("count", VarType::Number),
    ("flag", VarType::Bool),
    ("chosen", VarType::Unit),
    ("spot", VarType::Position),
];

/// A data output that exists, with the execution outputs its value depends on.
#[derive(Clone)]
struct Out {
    node: NodeId,
    port: &'static str,
    ty: PinType,
    needs: BTreeSet<(NodeId, &'static str)>,
}

/// Execution outputs whose values exist where the generator is: enclosing loops' units, and
/// the Done of actions that ran before on this path.
type Avail = Vec<Out>;

struct GraphGen<'r> {
    rng: &'r mut Rng,
    g: VisualScriptGraph,
    pure: Vec<Out>,
    budget: i32,
}

fn var_type(ty: PinType) -> Option<&'static str> {
    VARS.iter()
        .find(|(_, v)| {
            matches!(
                (v, ty),
                (VarType::Number, PinType::Number)
                    | (VarType::Bool, PinType::Bool)
                    | (VarType::Unit, PinType::Unit)
                    | (VarType::Position, PinType::Position)
            )
        })
        .map(|(n, _)| *n)
}

impl GraphGen<'_> {
    fn node(&mut self, kind: &str) -> NodeId {
        let n = self.g.nodes().count() as f32;
        self.g.add_node(kind, [n * 10.0, 0.0])
    }

    fn link(&mut self, from: NodeId, fp: &str, to: NodeId, tp: &str) {
        self.g.connect(PortRef::new(from, fp), PortRef::new(to, tp));
    }

    /// A source of a value of type `ty` usable where `avail` holds, creating nodes as needed.
    fn source(&mut self, ty: PinType, avail: &Avail, depth: u32) -> Out {
        let usable: Vec<Out> = avail.iter().filter(|o| o.ty == ty).cloned().collect();
        if !usable.is_empty() && chance(self.rng, 55) {
            return pick(self.rng, &usable).clone();
        }
        let names: BTreeSet<(NodeId, &'static str)> =
            avail.iter().map(|o| (o.node, o.port)).collect();
        let reusable: Vec<Out> = self
            .pure
            .iter()
            .filter(|o| o.ty == ty && o.needs.is_subset(&names))
            .cloned()
            .collect();
        if !reusable.is_empty() && chance(self.rng, 25) {
            return pick(self.rng, &reusable).clone();
        }
        let leaf = depth >= 3 || chance(self.rng, 25);
        let kinds: &[&str] = match (ty, leaf) {
            (PinType::Number, true) => &["number", "count_units", "get_variable"],
            (PinType::Number, false) => &[
                "number",
                "unit_hp",
                "unit_max_hp",
                "unit_attack",
                "unit_range",
                "distance",
                "count_units",
                "add",
                "subtract",
                "multiply",
                "divide",
                "min",
                "max",
                "random_number",
                "count_enemies_near",
                "turn",
                "select",
                "reroute",
                "get_variable",
            ],
            (PinType::Bool, true) => &["bool", "get_variable"],
            (PinType::Bool, false) => &[
                "bool",
                "kind_is",
                "unit_exists",
                "in_danger",
                "terrain_at",
                "compare",
                "and",
                "or",
                "not",
                "select",
                "reroute",
                "get_variable",
            ],
            (PinType::Unit, true) => &["get_variable"],
            (PinType::Unit, false) => &[
                "nearest_enemy",
                "weakest_enemy_in_range",
                "weakest_friend_near",
                "select",
                "reroute",
                "get_variable",
            ],
            (PinType::Position, true) => &["map_centre", "get_variable"],
            (_, false) => &[
                "unit_position",
                "map_centre",
                "nearest_hidden_tile",
                "best_tile",
                "select",
                "reroute",
                "get_variable",
                "unit_position",
            ],
            _ => &["get_variable"],
        };
        let kind = *pick(self.rng, kinds);
        let id = self.node(kind);
        let spec = catalog::spec(kind).unwrap();
        let mut needs = BTreeSet::new();
        self.settings(id, ty);
        for input in spec.inputs {
            needs.extend(self.fill_input(id, input, avail, depth + 1));
        }
        let out = Out {
            node: id,
            port: spec.outputs[0].key,
            ty,
            needs,
        };
        self.pure.push(out.clone());
        out
    }

    fn settings(&mut self, id: NodeId, ty: PinType) {
        let kind = self.g.node(id).unwrap().kind.clone();
        let spec = catalog::spec(&kind).unwrap();
        for s in spec.settings {
            let value = match s.choices {
                catalog::Choices::Variable => var_type(ty).map(str::to_owned),
                // Select's type: the one asked for.
                catalog::Choices::List(_) if s.key == "type" => catalog::TYPE_CHOICES
                    .iter()
                    .find(|(_, _, t)| *t == ty)
                    .map(|(k, _, _)| (*k).to_owned()),
                catalog::Choices::Text(default) => Some(default.to_owned()),
                catalog::Choices::List(list) => {
                    if chance(self.rng, 15) {
                        None
                    } else {
                        Some(pick(self.rng, list).0.to_owned())
                    }
                }
            };
            if let Some(v) = value {
                self.g.set_value(id, s.key, Value::Choice(v));
            }
        }
    }

    /// Wires or sets one data input; returns the execution outputs its value needs.
    fn fill_input(
        &mut self,
        id: NodeId,
        input: &catalog::PortSpec,
        avail: &Avail,
        depth: u32,
    ) -> BTreeSet<(NodeId, &'static str)> {
        let ty = match input.ty {
            PinType::Exec => return BTreeSet::new(),
            PinType::Chosen => {
                let chosen = match self.g.node(id).unwrap().values.get("type") {
                    Some(Value::Choice(v)) => v.clone(),
                    _ => "number".into(),
                };
                catalog::TYPE_CHOICES
                    .iter()
                    .find(|(k, _, _)| *k == chosen)
                    .unwrap()
                    .2
            }
            PinType::OfVariable => {
                let var = match self.g.node(id).unwrap().values.get("variable") {
                    Some(Value::Choice(v)) => v.clone(),
                    _ => return BTreeSet::new(),
                };
                match VARS.iter().find(|(n, _)| *n == var).unwrap().1 {
                    VarType::Number => PinType::Number,
                    VarType::Bool => PinType::Bool,
                    VarType::Unit => PinType::Unit,
                    VarType::Position => PinType::Position,
                }
            }
            t => t,
        };
        let must = input.default == PortDefault::Required;
        if !must && (depth >= 3 || chance(self.rng, 45)) {
            match input.default {
                PortDefault::Number(_) if chance(self.rng, 70) => {
                    let n = *pick(
                        self.rng,
                        &[
                            0,
                            1,
                            2,
                            3,
                            -1,
                            5,
                            7,
                            10,
                            100,
                            -7,
                            i32::MAX,
                            i32::MIN,
                            65_536,
                        ],
                    );
                    self.g.set_value(id, input.key, Value::Number(n));
                }
                PortDefault::Bool(_) if chance(self.rng, 70) => {
                    let b = chance(self.rng, 50);
                    self.g.set_value(id, input.key, Value::Bool(b));
                }
                _ => {}
            }
            return BTreeSet::new();
        }
        let src = self.source(ty, avail, depth);
        self.link(src.node, src.port, id, input.key);
        let mut needs = src.needs.clone();
        if catalog::spec(&self.g.node(src.node).unwrap().kind)
            .unwrap()
            .is_exec()
        {
            needs.insert((src.node, src.port));
        }
        needs
    }

    /// Grows execution from output `port` of `from`.
    fn chain(&mut self, from: NodeId, port: &'static str, avail: &Avail, depth: u32) {
        if self.budget <= 0 || (depth > 0 && chance(self.rng, 15)) {
            return;
        }
        self.budget -= 1;
        let kinds: &[(&str, i32)] = &[
            ("for_each_unit", if depth < 3 { 16 } else { 2 }),
            ("branch", 14),
            ("sequence", 7),
            ("reroute_exec", 4),
            ("set_variable", 10),
            ("attack", 14),
            ("move_toward", 14),
            ("move_away_from", 6),
            ("fortify", 6),
            ("cast_fireball", 7),
            ("cast_heal", 6),
        ];
        let total: i32 = kinds.iter().map(|k| k.1).sum();
        let mut roll = self.rng.between(1, total);
        let kind = kinds
            .iter()
            .find(|k| {
                roll -= k.1;
                roll <= 0
            })
            .unwrap()
            .0;
        let id = self.node(kind);
        self.link(from, port, id, "exec");
        let spec = catalog::spec(kind).unwrap();
        if kind == "set_variable" {
            let (name, _) = *pick(self.rng, &VARS);
            self.g.set_value(id, "variable", Value::Choice(name.into()));
        } else {
            self.settings(id, PinType::Exec);
        }
        for input in spec.inputs {
            // Orders are mostly given to the loop's unit.
            let looped = avail.iter().rev().find(|o| o.ty == PinType::Unit).cloned();
            if let Some(u) = looped.filter(|_| input.key == "unit" && chance(self.rng, 70)) {
                self.link(u.node, u.port, id, "unit");
                continue;
            }
            self.fill_input(id, input, avail, 0);
        }
        match kind {
            "branch" => {
                self.chain(id, "true", avail, depth + 1);
                self.chain(id, "false", avail, depth + 1);
            }
            "sequence" => {
                for p in ["first", "second", "third"] {
                    self.chain(id, p, avail, depth + 1);
                }
            }
            "for_each_unit" => {
                let mut inner = avail.clone();
                inner.push(Out {
                    node: id,
                    port: "unit",
                    ty: PinType::Unit,
                    needs: BTreeSet::new(),
                });
                self.chain(id, "body", &inner, depth + 1);
                self.chain(id, "done", avail, depth + 1);
            }
            "set_variable" | "reroute_exec" => self.chain(id, "then", avail, depth + 1),
            _ => {
                let mut after = avail.clone();
                after.push(Out {
                    node: id,
                    port: "done",
                    ty: PinType::Bool,
                    needs: BTreeSet::new(),
                });
                self.chain(id, "then", &after, depth + 1);
            }
        }
    }
}

/// A graph the checker accepts: On Turn, up to `size` execution nodes in a tree with data
/// expressions under them, one variable of each type, now and then a node that never runs.
pub fn random_graph(rng: &mut Rng, size: i32) -> VisualScriptGraph {
    let mut g = VisualScriptGraph::new();
    g.name = "random".into();
    g.version = "0.1.0".into();
    g.variables = VARS
        .iter()
        .map(|(name, ty)| Variable {
            name: (*name).into(),
            ty: *ty,
        })
        .collect();
    let mut maker = GraphGen {
        rng,
        g,
        pure: Vec::new(),
        budget: size,
    };
    let entry = maker.node("on_turn");
    maker.chain(entry, "then", &Vec::new(), 0);
    if chance(maker.rng, 20) {
        // Never runs: it gets no code, and only a warning.
        maker.node("attack");
    }
    maker.g
}

/// One way to break a graph, and where the checker must say so.
#[derive(Debug)]
pub struct Breakage {
    /// The broken graph.
    pub graph: VisualScriptGraph,
    /// The diagnostic code expected.
    pub code: &'static str,
    /// Where: any of these locations' nodes (or the graph).
    pub at: Vec<Location>,
    /// What was done, for failure messages.
    pub what: &'static str,
}

fn nodes_of(g: &VisualScriptGraph, kinds: &[&str]) -> Vec<NodeId> {
    g.nodes()
        .filter(|n| kinds.contains(&n.kind.as_str()))
        .map(|n| n.id)
        .collect()
}

/// Breaks `graph` (from [`random_graph`]) in one of thirteen ways, chosen by `rng`; `None` when
/// the chosen way does not apply to this graph.
pub fn break_graph(rng: &mut Rng, graph: &VisualScriptGraph) -> Option<Breakage> {
    let mut g = graph.clone();
    let entry = nodes_of(&g, &["on_turn"])[0];
    let actions = nodes_of(
        &g,
        &[
            "attack",
            "move_toward",
            "move_away_from",
            "fortify",
            "cast_fireball",
            "cast_heal",
        ],
    );
    let broke = |g, code, at, what| {
        Some(Breakage {
            graph: g,
            code,
            at,
            what,
        })
    };
    match rng.between(0, 12) {
        0 => {
            let ids: Vec<NodeId> = g.nodes().map(|n| n.id).collect();
            let id = *pick(rng, &ids);
            g.node_mut(id).unwrap().kind = "summon_dragon".into();
            broke(
                g,
                "unknown-node-kind",
                vec![Location::Node(id)],
                "unknown kind",
            )
        }
        1 => {
            let &id = actions.first()?;
            let port = PortRef::new(id, "unit");
            let l = g.links_into(&port).next()?.id;
            g.disconnect(l);
            broke(
                g,
                "missing-input",
                vec![Location::Port(port)],
                "unit unwired",
            )
        }
        2 => {
            let &id = actions.first()?;
            let port = PortRef::new(id, "unit");
            let l = g.links_into(&port).next()?.id;
            g.disconnect(l);
            let n = g.add_node("number", [0.0, 0.0]);
            let bad = g.connect(PortRef::new(n, "value"), port);
            broke(
                g,
                "type-mismatch",
                vec![Location::Link(bad)],
                "number into unit",
            )
        }
        3 => {
            let second = g.add_node("on_turn", [0.0, 0.0]);
            broke(
                g,
                "multiple-entries",
                vec![Location::Node(second)],
                "two On Turns",
            )
        }
        4 => {
            let a = g.add_node("sequence", [0.0, 0.0]);
            let b = g.add_node("sequence", [0.0, 0.0]);
            g.connect(PortRef::new(a, "first"), PortRef::new(b, "exec"));
            g.connect(PortRef::new(b, "first"), PortRef::new(a, "exec"));
            // Make the loop reachable: On Turn's own wire moves to it.
            let then = PortRef::new(entry, "then");
            let old = g.links_from(&then).next().map(|l| l.id);
            if let Some(l) = old {
                g.disconnect(l);
            }
            g.connect(then, PortRef::new(a, "exec"));
            broke(
                g,
                "exec-cycle",
                vec![Location::Node(a), Location::Node(b)],
                "execution loop",
            )
        }
        5 => {
            let a = g.add_node("add", [0.0, 0.0]);
            let b = g.add_node("add", [0.0, 0.0]);
            g.connect(PortRef::new(a, "result"), PortRef::new(b, "a"));
            g.connect(PortRef::new(b, "result"), PortRef::new(a, "a"));
            broke(
                g,
                "data-cycle",
                vec![Location::Node(a), Location::Node(b)],
                "value loop",
            )
        }
        6 => {
            let gets = nodes_of(&g, &["get_variable", "set_variable"]);
            let &id = gets.first()?;
            g.set_value(id, "variable", Value::Choice("ghost".into()));
            broke(
                g,
                "unknown-variable",
                vec![Location::Node(id)],
                "unknown variable",
            )
        }
        7 => {
            let ids = nodes_of(&g, &["compare", "count_units", "kind_is", "terrain_at"]);
            let &id = ids.first()?;
            let key = catalog::spec(&g.node(id).unwrap().kind).unwrap().settings[0].key;
            g.set_value(id, key, Value::Choice("spaceship".into()));
            broke(
                g,
                "bad-value",
                vec![Location::Node(id), Location::Port(PortRef::new(id, key))],
                "bad setting",
            )
        }
        8 => {
            g.remove_node(entry);
            broke(g, "no-entry", vec![Location::Graph], "no On Turn")
        }
        9 => {
            let loops = nodes_of(&g, &["for_each_unit"]);
            let &each = loops
                .iter()
                .find(|&&l| g.links_from(&PortRef::new(l, "done")).next().is_none())?;
            let f = g.add_node("fortify", [0.0, 0.0]);
            g.connect(PortRef::new(each, "done"), PortRef::new(f, "exec"));
            let l = g.connect(PortRef::new(each, "unit"), PortRef::new(f, "unit"));
            broke(
                g,
                "not-yet-computed",
                vec![Location::Link(l)],
                "loop unit after the loop",
            )
        }
        10 => {
            let &id = actions.first()?;
            let port = PortRef::new(id, "unit");
            g.links_into(&port).next()?;
            let v = g.add_node("get_variable", [0.0, 0.0]);
            g.set_value(v, "variable", Value::Choice("chosen".into()));
            g.connect(PortRef::new(v, "value"), port.clone());
            broke(
                g,
                "input-linked-twice",
                vec![Location::Port(port)],
                "two wires in",
            )
        }
        11 => {
            let then = PortRef::new(entry, "then");
            g.links_from(&then).next()?;
            let f = g.add_node("fortify", [0.0, 0.0]);
            g.connect(then.clone(), PortRef::new(f, "exec"));
            broke(
                g,
                "exec-output-linked-twice",
                vec![Location::Port(then)],
                "two wires out",
            )
        }
        _ => {
            g.version = "one".into();
            broke(g, "bad-identity", vec![Location::Graph], "bad version")
        }
    }
}
