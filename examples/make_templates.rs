//! Writes the graph templates in `examples/graphs/`.
//!
//! ```text
//! cargo run --example make_templates
//! ```
//!
//! The templates are built here, node by node, so they stay consistent and laid out readably; a
//! test (`tests/templates.rs`) checks the committed files are exactly what this writes. To change
//! a template, change it here (or edit it in the studio and save it over the file, then copy the
//! change here).

use std::path::Path;

use aether_lang::graph::{Comment, NodeId, PortRef, ScriptKind, Value, VisualScriptGraph};

/// A small helper for laying out graphs in code.
struct Builder {
    g: VisualScriptGraph,
}

impl Builder {
    fn new(name: &str, description: &str) -> Self {
        let mut g = VisualScriptGraph::new();
        g.name = name.into();
        g.version = "1.0.0".into();
        g.description = description.into();
        Builder { g }
    }

    fn world(name: &str, description: &str) -> Self {
        let mut b = Builder::new(name, description);
        b.g.kind = ScriptKind::WorldScript;
        b
    }

    /// Adds a node; the layout below is drawn on a compact grid, spread out by [`SPREAD`] so the
    /// editor's nodes do not overlap.
    fn node(&mut self, kind: &str, x: f32, y: f32) -> NodeId {
        self.g.add_node(kind, [x * SPREAD[0], y * SPREAD[1]])
    }

    fn set(&mut self, node: NodeId, key: &str, value: &str) {
        self.g.set_value(node, key, Value::Choice(value.into()));
    }

    fn number(&mut self, node: NodeId, key: &str, value: i32) {
        self.g.set_value(node, key, Value::Number(value));
    }

    fn wire(&mut self, from: NodeId, out: &str, to: NodeId, input: &str) {
        self.g
            .connect(PortRef::new(from, out), PortRef::new(to, input));
    }

    fn note(&mut self, x: f32, y: f32, w: f32, h: f32, text: &str) {
        self.g.comments.push(Comment {
            pos: [x * SPREAD[0], y * SPREAD[1]],
            size: [w * SPREAD[0], h * SPREAD[1]],
            text: text.into(),
        });
    }

    /// On Turn → For Each Unit (mine); returns the loop node.
    fn each_of_mine(&mut self) -> NodeId {
        let turn = self.node("on_turn", 0.0, 0.0);
        let each = self.node("for_each_unit", 180.0, 0.0);
        self.set(each, "which", "mine");
        self.wire(turn, "then", each, "exec");
        each
    }

    /// Strike the weakest enemy in reach, else march on the nearest enemy (or scout toward the
    /// nearest hidden tile while none is in sight) and strike if one came into reach. Runs from `from.port`, for the
    /// loop's unit; laid out from (x, y).
    fn charge(&mut self, each: NodeId, from: NodeId, port: &str, x: f32, y: f32) {
        let weakest = self.node("weakest_enemy_in_range", x, y + 160.0);
        let in_reach = self.node("unit_exists", x + 200.0, y + 160.0);
        let fight = self.node("branch", x + 200.0, y);
        let strike = self.node("attack", x + 400.0, y);
        let nearest = self.node("nearest_enemy", x + 200.0, y + 320.0);
        let seen = self.node("unit_exists", x + 400.0, y + 320.0);
        let look = self.node("branch", x + 400.0, y + 160.0);
        let where_ = self.node("unit_position", x + 400.0, y + 440.0);
        let march = self.node("move_toward", x + 600.0, y + 160.0);
        let strike_after = self.node("attack", x + 800.0, y + 160.0);
        let hidden = self.node("nearest_hidden_tile", x + 400.0, y + 560.0);
        let wander = self.node("move_toward", x + 600.0, y + 320.0);
        self.wire(from, port, fight, "exec");
        self.wire(each, "unit", weakest, "unit");
        self.wire(weakest, "enemy", in_reach, "unit");
        self.wire(in_reach, "value", fight, "condition");
        self.wire(fight, "true", strike, "exec");
        self.wire(each, "unit", strike, "unit");
        self.wire(weakest, "enemy", strike, "target");
        self.wire(fight, "false", look, "exec");
        self.wire(each, "unit", nearest, "unit");
        self.wire(nearest, "enemy", seen, "unit");
        self.wire(seen, "value", look, "condition");
        self.wire(look, "true", march, "exec");
        self.wire(each, "unit", march, "unit");
        self.wire(nearest, "enemy", where_, "unit");
        self.wire(where_, "position", march, "to");
        self.wire(march, "then", strike_after, "exec");
        self.wire(each, "unit", strike_after, "unit");
        self.wire(weakest, "enemy", strike_after, "target");
        self.wire(look, "false", wander, "exec");
        self.wire(each, "unit", wander, "unit");
        self.wire(each, "unit", hidden, "unit");
        self.wire(hidden, "position", wander, "to");
    }

    /// A `kind_is` test of the loop's unit feeding a new Branch run from `from.port`.
    fn if_kind(
        &mut self,
        each: NodeId,
        from: NodeId,
        port: &str,
        kind: &str,
        x: f32,
        y: f32,
    ) -> NodeId {
        let is = self.node("kind_is", x, y + 120.0);
        self.set(is, "kind", kind);
        let branch = self.node("branch", x, y);
        self.wire(each, "unit", is, "unit");
        self.wire(is, "value", branch, "condition");
        self.wire(from, port, branch, "exec");
        branch
    }

    /// "An enemy is within `tiles` of the loop's unit": a Bool from an And node (port
    /// `result`), and the Nearest Enemy node it looks at.
    fn enemy_within(&mut self, each: NodeId, tiles: i32, x: f32, y: f32) -> (NodeId, NodeId) {
        let nearest = self.node("nearest_enemy", x, y);
        let mine = self.node("unit_position", x, y + 120.0);
        let theirs = self.node("unit_position", x + 180.0, y);
        let dist = self.node("distance", x + 360.0, y);
        self.wire(each, "unit", nearest, "unit");
        self.wire(each, "unit", mine, "unit");
        self.wire(nearest, "enemy", theirs, "unit");
        self.wire(mine, "position", dist, "a");
        self.wire(theirs, "position", dist, "b");
        let close = self.node("compare", x + 540.0, y);
        self.set(close, "op", "le");
        self.number(close, "b", tiles);
        self.wire(dist, "value", close, "a");
        let seen = self.node("unit_exists", x + 540.0, y + 140.0);
        self.wire(nearest, "enemy", seen, "unit");
        let both = self.node("and", x + 720.0, y);
        self.wire(close, "result", both, "a");
        self.wire(seen, "value", both, "b");
        (both, nearest)
    }
}

fn melee_rusher() -> VisualScriptGraph {
    let mut b = Builder::new(
        "melee-rusher",
        "Every unit charges: it strikes the weakest enemy within reach, otherwise marches on the nearest enemy it can see (or scouts the nearest hidden tile) and strikes if it got close.",
    );
    let each = b.each_of_mine();
    b.note(
        -20.0,
        -80.0,
        520.0,
        60.0,
        "For each of my units: attack, or march and attack.",
    );
    b.charge(each, each, "body", 380.0, 0.0);
    b.g
}

fn archer_skirmisher() -> VisualScriptGraph {
    let mut b = Builder::new(
        "archer-skirmisher",
        "Archers keep their distance: an archer with an enemy next to it steps back and shoots; otherwise it shoots what it can reach or closes in. Other units charge.",
    );
    let each = b.each_of_mine();
    b.note(
        -20.0,
        -80.0,
        640.0,
        60.0,
        "Archers step back from enemies next to them, then shoot. Everyone else charges.",
    );
    let archer = b.if_kind(each, each, "body", "archer", 380.0, 0.0);
    let (both, nearest) = b.enemy_within(each, 1, 380.0, 900.0);
    let too_close = b.node("branch", 580.0, 600.0);
    b.wire(archer, "true", too_close, "exec");
    b.wire(both, "result", too_close, "condition");
    let theirs = b.node("unit_position", 940.0, 900.0);
    b.wire(nearest, "enemy", theirs, "unit");
    let back = b.node("move_away_from", 1120.0, 600.0);
    b.wire(too_close, "true", back, "exec");
    b.wire(each, "unit", back, "unit");
    b.wire(theirs, "position", back, "from");
    let weakest = b.node("weakest_enemy_in_range", 1120.0, 760.0);
    b.wire(each, "unit", weakest, "unit");
    let shoot = b.node("attack", 1320.0, 600.0);
    b.wire(back, "then", shoot, "exec");
    b.wire(each, "unit", shoot, "unit");
    b.wire(weakest, "enemy", shoot, "target");
    b.charge(each, too_close, "false", 800.0, 1100.0);
    b.charge(each, archer, "false", 580.0, 0.0);
    b.g
}

fn mage_support() -> VisualScriptGraph {
    let mut b = Builder::new(
        "mage-support",
        "Mages burn the nearest enemy within three tiles with a fireball, heal themselves when hurt, and otherwise fight like everyone else, who charges.",
    );
    let each = b.each_of_mine();
    b.note(
        -20.0,
        -80.0,
        640.0,
        60.0,
        "Mages: fireball an enemy within 3 tiles, else heal when hurt. Everyone else charges.",
    );
    let mage = b.if_kind(each, each, "body", "mage", 380.0, 0.0);
    let (both, nearest) = b.enemy_within(each, 3, 380.0, 900.0);
    let burn_it = b.node("branch", 580.0, 600.0);
    b.wire(mage, "true", burn_it, "exec");
    b.wire(both, "result", burn_it, "condition");
    let theirs = b.node("unit_position", 940.0, 900.0);
    b.wire(nearest, "enemy", theirs, "unit");
    let fireball = b.node("cast_fireball", 1120.0, 600.0);
    b.wire(burn_it, "true", fireball, "exec");
    b.wire(each, "unit", fireball, "unit");
    b.wire(theirs, "position", fireball, "at");
    // Out of mana: fight instead.
    let no_mana = b.node("not", 1320.0, 760.0);
    b.wire(fireball, "done", no_mana, "a");
    let fallback = b.node("branch", 1320.0, 600.0);
    b.wire(fireball, "then", fallback, "exec");
    b.wire(no_mana, "result", fallback, "condition");
    b.charge(each, fallback, "true", 1500.0, 600.0);
    // No enemy close: heal when hurt, else charge.
    let hp = b.node("unit_hp", 760.0, 1200.0);
    let max = b.node("unit_max_hp", 760.0, 1320.0);
    b.wire(each, "unit", hp, "unit");
    b.wire(each, "unit", max, "unit");
    let hurt = b.node("compare", 940.0, 1200.0);
    b.set(hurt, "op", "lt");
    b.wire(hp, "value", hurt, "a");
    b.wire(max, "value", hurt, "b");
    let heal_me = b.node("branch", 940.0, 1080.0);
    b.wire(burn_it, "false", heal_me, "exec");
    b.wire(hurt, "result", heal_me, "condition");
    let here = b.node("unit_position", 1120.0, 1200.0);
    b.wire(each, "unit", here, "unit");
    let heal = b.node("cast_heal", 1120.0, 1080.0);
    b.wire(heal_me, "true", heal, "exec");
    b.wire(each, "unit", heal, "unit");
    b.wire(here, "position", heal, "at");
    b.charge(each, heal_me, "false", 1120.0, 1400.0);
    b.charge(each, mage, "false", 580.0, 0.0);
    b.g
}

fn defender() -> VisualScriptGraph {
    let mut b = Builder::new(
        "hill-defender",
        "Holds good ground when outnumbered: while the enemies in sight outnumber your army, a unit on forest or hills with an enemy within four tiles digs in; anything within reach is struck; otherwise units advance.",
    );
    let each = b.each_of_mine();
    b.note(-20.0, -80.0, 640.0, 60.0, "Strike what is in reach; outnumbered on forest or hills with enemies near, fortify; else advance.");
    let weakest = b.node("weakest_enemy_in_range", 380.0, 160.0);
    b.wire(each, "unit", weakest, "unit");
    let in_reach = b.node("unit_exists", 560.0, 160.0);
    b.wire(weakest, "enemy", in_reach, "unit");
    let fight = b.node("branch", 560.0, 0.0);
    b.wire(each, "body", fight, "exec");
    b.wire(in_reach, "value", fight, "condition");
    let strike = b.node("attack", 760.0, 0.0);
    b.wire(fight, "true", strike, "exec");
    b.wire(each, "unit", strike, "unit");
    b.wire(weakest, "enemy", strike, "target");
    // Good ground?
    let here = b.node("unit_position", 380.0, 400.0);
    b.wire(each, "unit", here, "unit");
    let forest = b.node("terrain_at", 560.0, 360.0);
    b.set(forest, "terrain", "forest");
    let hills = b.node("terrain_at", 560.0, 480.0);
    b.set(hills, "terrain", "hills");
    b.wire(here, "position", forest, "position");
    b.wire(here, "position", hills, "position");
    let good = b.node("or", 740.0, 400.0);
    b.wire(forest, "value", good, "a");
    b.wire(hills, "value", good, "b");
    let (threatened, _) = b.enemy_within(each, 4, 380.0, 620.0);
    let theirs = b.node("count_units", 740.0, 840.0);
    b.set(theirs, "which", "enemies");
    let ours = b.node("count_units", 740.0, 960.0);
    b.set(ours, "which", "mine");
    let outnumbered = b.node("compare", 920.0, 840.0);
    b.set(outnumbered, "op", "gt");
    b.wire(theirs, "value", outnumbered, "a");
    b.wire(ours, "value", outnumbered, "b");
    let pressed = b.node("and", 1100.0, 560.0);
    b.wire(threatened, "result", pressed, "a");
    b.wire(outnumbered, "result", pressed, "b");
    let hold = b.node("and", 1100.0, 400.0);
    b.wire(good, "result", hold, "a");
    b.wire(pressed, "result", hold, "b");
    let dig_in = b.node("branch", 920.0, 240.0);
    b.wire(fight, "false", dig_in, "exec");
    b.wire(hold, "result", dig_in, "condition");
    let fortify = b.node("fortify", 1100.0, 240.0);
    b.wire(dig_in, "true", fortify, "exec");
    b.wire(each, "unit", fortify, "unit");
    b.charge(each, dig_in, "false", 1280.0, 240.0);
    b.g
}

/// The Tactician: mages mend the most hurt friend near them; every unit strikes the weakest enemy
/// within reach; a unit with an enemy within four tiles takes the best ground within reach and
/// digs in, so the enemy comes to it and is struck by all; the others advance. Built from
/// functions: Strike (called twice), Hold Ground (both made with Make function from the nodes
/// that do them) and Mend (built on its own canvas).
fn tactician() -> VisualScriptGraph {
    use aether_lang::graph::{Function, Param, ParamType};
    use aether_lang::make_function::make_function;
    let mut b = Builder::new(
        "tactician",
        "Mages mend the most hurt friend near them; every unit strikes the weakest enemy within reach; a unit with an enemy within four tiles takes the best ground near it (hills, then forest) and digs in, so the enemy comes to it and is struck by all; the others advance on the nearest enemy (or the centre) and strike if they can.",
    );
    let each = b.each_of_mine();
    b.note(
        -20.0,
        -80.0,
        1000.0,
        60.0,
        "Mages mend; everyone strikes if they can; with an enemy within 4 tiles, hold the best ground near, dug in; else advance.",
    );
    // Mages first: Mend (below, on its own canvas).
    let mage = b.if_kind(each, each, "body", "mage", 360.0, 0.0);
    // Strike.
    let weakest = b.node("weakest_enemy_in_range", 840.0, 200.0);
    b.wire(each, "unit", weakest, "unit");
    let strike = b.node("attack", 840.0, 0.0);
    b.wire(mage, "false", strike, "exec");
    b.wire(each, "unit", strike, "unit");
    b.wire(weakest, "enemy", strike, "target");
    let struck = b.node("branch", 1080.0, 0.0);
    b.wire(strike, "then", struck, "exec");
    b.wire(strike, "done", struck, "condition");
    // An enemy within four tiles: hold ground.
    let here = b.node("unit_position", 1080.0, 360.0);
    b.wire(each, "unit", here, "unit");
    let count = b.node("count_enemies_near", 1260.0, 360.0);
    b.number(count, "within", 4);
    b.wire(here, "position", count, "tile");
    let near = b.node("compare", 1440.0, 360.0);
    b.set(near, "op", "gt");
    b.wire(count, "value", near, "a");
    // Now and then (one time in twenty) a unit near an enemy goes for it anyway, so an enemy that
    // never comes is fought all the same.
    let dice = b.node("random_number", 1260.0, 520.0);
    b.number(dice, "min", 1);
    b.number(dice, "max", 100);
    let stay = b.node("compare", 1440.0, 520.0);
    b.set(stay, "op", "gt");
    b.number(stay, "b", 5);
    b.wire(dice, "value", stay, "a");
    let hold = b.node("and", 1620.0, 400.0);
    b.wire(near, "result", hold, "a");
    b.wire(stay, "result", hold, "b");
    let close = b.node("branch", 1320.0, 0.0);
    b.wire(struck, "false", close, "exec");
    b.wire(hold, "result", close, "condition");
    let best = b.node("best_tile", 1620.0, 200.0);
    b.wire(each, "unit", best, "unit");
    b.wire(here, "position", best, "toward");
    let go = b.node("move_toward", 1620.0, 0.0);
    b.wire(close, "true", go, "exec");
    b.wire(each, "unit", go, "unit");
    b.wire(best, "tile", go, "to");
    let dig = b.node("fortify", 1860.0, 0.0);
    b.wire(go, "then", dig, "exec");
    b.wire(each, "unit", dig, "unit");
    // Else advance on the nearest enemy, or the centre while none is in sight.
    let nearest = b.node("nearest_enemy", 1320.0, 700.0);
    b.wire(each, "unit", nearest, "unit");
    let seen = b.node("unit_exists", 1500.0, 700.0);
    b.wire(nearest, "enemy", seen, "unit");
    let theirs = b.node("unit_position", 1500.0, 820.0);
    b.wire(nearest, "enemy", theirs, "unit");
    // None in sight: to the centre, where armies meet; from turn 10, when still none has come,
    // on toward the nearest tile nobody of ours sees, to find an enemy that does not come.
    let centre = b.node("map_centre", 1320.0, 1060.0);
    let turn = b.node("turn", 1500.0, 1060.0);
    let early = b.node("compare", 1680.0, 1060.0);
    b.set(early, "op", "lt");
    b.number(early, "b", 10);
    b.wire(turn, "value", early, "a");
    let hidden = b.node("nearest_hidden_tile", 1500.0, 1180.0);
    b.wire(each, "unit", hidden, "unit");
    let look = b.node("select", 1860.0, 1060.0);
    b.set(look, "type", "tile");
    b.wire(early, "result", look, "condition");
    b.wire(centre, "position", look, "if_true");
    b.wire(hidden, "position", look, "if_false");
    let goal = b.node("select", 1680.0, 760.0);
    b.set(goal, "type", "tile");
    b.wire(seen, "value", goal, "condition");
    b.wire(theirs, "position", goal, "if_true");
    b.wire(look, "value", goal, "if_false");
    let advance = b.node("move_toward", 1620.0, 520.0);
    b.wire(close, "false", advance, "exec");
    b.wire(each, "unit", advance, "unit");
    b.wire(goal, "value", advance, "to");
    let mut g = b.g;
    let strike_fn = make_function(&mut g, &[strike, weakest], "Strike").expect("Strike");
    make_function(&mut g, &[go, dig, best], "Hold Ground").expect("Hold Ground");
    let unit_key = |g: &VisualScriptGraph, f| g.function(f).expect("made").inputs[0].key.clone();
    let at = |x: f32, y: f32| [x * SPREAD[0], y * SPREAD[1]];
    // After advancing: strike, if it came into reach (the same function, called again).
    let again = g
        .add_call(strike_fn.function, at(1860.0, 520.0), None)
        .expect("Strike");
    g.connect(PortRef::new(advance, "then"), PortRef::new(again, "exec"));
    let key = unit_key(&g, strike_fn.function);
    g.connect(PortRef::new(each, "unit"), PortRef::new(again, key));

    // Mend: the most hurt friend within three tiles, healed when it lacks 4 hp or more.
    let mend = g.add_function("Mend", at(0.0, 0.0));
    g.set_function(Function {
        id: mend,
        name: "Mend".into(),
        inputs: vec![Param {
            key: "p1".into(),
            name: "Mage".into(),
            ty: ParamType::Unit,
        }],
        outputs: vec![Param {
            key: "p2".into(),
            name: "Mended".into(),
            ty: ParamType::Bool,
        }],
    });
    let (Some(start), _) = g.function_ends(mend) else {
        unreachable!("a function has its Inputs node")
    };
    let inside = |g: &mut VisualScriptGraph, kind: &str, x: f32, y: f32| {
        g.add_node_in(kind, at(x, y), Some(mend))
    };
    let friend = inside(&mut g, "weakest_friend_near", 200.0, 200.0);
    g.connect(PortRef::new(start, "p1"), PortRef::new(friend, "unit"));
    g.set_value(friend, "within", Value::Number(3));
    let hp = inside(&mut g, "unit_hp", 400.0, 200.0);
    let max = inside(&mut g, "unit_max_hp", 400.0, 320.0);
    g.connect(PortRef::new(friend, "friend"), PortRef::new(hp, "unit"));
    g.connect(PortRef::new(friend, "friend"), PortRef::new(max, "unit"));
    let plus = inside(&mut g, "add", 580.0, 200.0);
    g.connect(PortRef::new(hp, "value"), PortRef::new(plus, "a"));
    g.set_value(plus, "b", Value::Number(4));
    let hurt = inside(&mut g, "compare", 760.0, 200.0);
    g.set_value(hurt, "op", Value::Choice("le".into()));
    g.connect(PortRef::new(plus, "result"), PortRef::new(hurt, "a"));
    g.connect(PortRef::new(max, "value"), PortRef::new(hurt, "b"));
    let ask = inside(&mut g, "branch", 400.0, 0.0);
    g.connect(PortRef::new(start, "then"), PortRef::new(ask, "exec"));
    g.connect(PortRef::new(hurt, "result"), PortRef::new(ask, "condition"));
    let spot = inside(&mut g, "unit_position", 760.0, 320.0);
    g.connect(PortRef::new(friend, "friend"), PortRef::new(spot, "unit"));
    let heal = inside(&mut g, "cast_heal", 960.0, 0.0);
    g.connect(PortRef::new(ask, "true"), PortRef::new(heal, "exec"));
    g.connect(PortRef::new(start, "p1"), PortRef::new(heal, "unit"));
    g.connect(PortRef::new(spot, "position"), PortRef::new(heal, "at"));
    let done = g.add_outputs(mend, at(1200.0, 0.0)).expect("Mend");
    g.connect(PortRef::new(heal, "then"), PortRef::new(done, "exec"));
    g.connect(PortRef::new(heal, "done"), PortRef::new(done, "p2"));
    // Called for mages; one that mended is done for the turn.
    let call = g.add_call(mend, at(600.0, 0.0), None).expect("Mend");
    g.connect(PortRef::new(mage, "true"), PortRef::new(call, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(call, "p1"));
    let mended = g.add_node("branch", at(600.0, 200.0));
    g.connect(PortRef::new(call, "then"), PortRef::new(mended, "exec"));
    g.connect(PortRef::new(call, "p2"), PortRef::new(mended, "condition"));
    let first_strike = g.calls_of(strike_fn.function)[0];
    g.connect(
        PortRef::new(mended, "false"),
        PortRef::new(first_strike, "exec"),
    );
    g
}

/// Every three seconds a wave: counts it in storage, announces it, and drops a raider on the
/// north road that is pushed south with a horn where it lands.
fn wave_spawner() -> VisualScriptGraph {
    let mut b = Builder::world(
        "wave-spawner",
        "Every three seconds a new wave: the wave number is kept in storage and announced, a raider drops at a random spot on the north road with a horn, and each raider is pushed south when it appears.",
    );
    let every = b.node("every_n_ticks", 0.0, 0.0);
    b.number(every, "n", 60);
    let count = b.node("storage_add", 180.0, 0.0);
    b.set(count, "key", "wave");
    let tell = b.node("show_text", 360.0, 0.0);
    b.set(tell, "text", "Wave {number} is coming!");
    let spawn = b.node("spawn_entity", 540.0, 0.0);
    b.set(spawn, "kind", "raider");
    let x = b.node("random_number", 180.0, 200.0);
    b.number(x, "min", 1);
    b.number(x, "max", 22);
    let tile = b.node("tile_at", 360.0, 200.0);
    b.number(tile, "y", 3);
    let horn = b.node("play_sound", 720.0, 0.0);
    b.set(horn, "sound", "horn");
    let landed = b.node("entity_position", 720.0, 200.0);
    b.wire(every, "then", count, "exec");
    b.wire(count, "then", tell, "exec");
    b.wire(count, "total", tell, "number");
    b.wire(tell, "then", spawn, "exec");
    b.wire(x, "value", tile, "x");
    b.wire(tile, "position", spawn, "at");
    b.wire(spawn, "then", horn, "exec");
    b.wire(spawn, "entity", landed, "entity");
    b.wire(landed, "position", horn, "at");
    let appears = b.node("on_entity_spawned", 0.0, 360.0);
    b.set(appears, "kind", "raider");
    let push = b.node("apply_impulse", 180.0, 360.0);
    b.number(push, "y", 400);
    b.wire(appears, "then", push, "exec");
    b.wire(appears, "entity", push, "entity");
    b.note(
        -10.0,
        -80.0,
        900.0,
        50.0,
        "Every 60 ticks: count the wave, announce it, drop a raider.",
    );
    b.g
}

/// King of the hill: every entry into an area counts, in storage, so the score survives
/// restarts; players hear it when it changes, when they join and when they ask.
fn hill_scoreboard() -> VisualScriptGraph {
    let mut b = Builder::world(
        "hill-scoreboard",
        "King of the hill: every time something enters an area the hill's score goes up, kept in storage across runs; everyone is told, newcomers are greeted with the score, and saying \"score\" gets it sent to you.",
    );
    let enter = b.node("on_enter_area", 0.0, 0.0);
    let add = b.node("storage_add", 180.0, 0.0);
    b.set(add, "key", "hill");
    let tell = b.node("show_text", 360.0, 0.0);
    b.set(tell, "text", "The hill has been taken {number} times!");
    let cheer = b.node("play_sound", 540.0, 0.0);
    b.set(cheer, "sound", "cheer");
    let where_ = b.node("entity_position", 360.0, 160.0);
    b.wire(enter, "then", add, "exec");
    b.wire(add, "then", tell, "exec");
    b.wire(add, "total", tell, "number");
    b.wire(tell, "then", cheer, "exec");
    b.wire(enter, "entity", where_, "entity");
    b.wire(where_, "position", cheer, "at");
    let joined = b.node("on_player_joined", 0.0, 320.0);
    let greet = b.node("show_text", 180.0, 320.0);
    b.set(
        greet,
        "text",
        "Welcome! The hill has been taken {number} times.",
    );
    let score = b.node("storage_get", 0.0, 480.0);
    b.set(score, "key", "hill");
    b.wire(joined, "then", greet, "exec");
    b.wire(joined, "player", greet, "player");
    b.wire(score, "value", greet, "number");
    let asked = b.node("on_message", 0.0, 640.0);
    b.set(asked, "says", "score");
    let answer = b.node("send_message", 180.0, 640.0);
    b.set(answer, "text", "score {number}");
    let score_again = b.node("storage_get", 0.0, 800.0);
    b.set(score_again, "key", "hill");
    b.wire(asked, "then", answer, "exec");
    b.wire(asked, "player", answer, "player");
    b.wire(score_again, "value", answer, "number");
    b.g
}

/// An announcer: a fanfare at the start, a greeting and a bell for every player who joins, a
/// farewell, and a chime on every timer.
fn announcer() -> VisualScriptGraph {
    let mut b = Builder::world(
        "announcer",
        "Speaks for the world: a fanfare, an objective and a marker on the well when it starts, a greeting and a bell for each player who joins, a farewell when one leaves, and the time every ten seconds.",
    );
    let start = b.node("on_start", 0.0, 0.0);
    let open = b.node("show_text", 180.0, 0.0);
    b.set(open, "text", "The games begin!");
    let fanfare = b.node("play_sound", 360.0, 0.0);
    b.set(fanfare, "sound", "fanfare");
    let middle = b.node("tile_at", 180.0, 160.0);
    b.number(middle, "x", 12);
    b.number(middle, "y", 8);
    let goal = b.node("set_objective", 540.0, 0.0);
    b.set(goal, "text", "Reach the well!");
    let pin = b.node("place_marker", 720.0, 0.0);
    b.set(pin, "text", "well");
    let well = b.node("tile_at", 540.0, 160.0);
    b.number(well, "x", 11);
    b.number(well, "y", 7);
    b.wire(start, "then", open, "exec");
    b.wire(open, "then", fanfare, "exec");
    b.wire(middle, "position", fanfare, "at");
    b.wire(fanfare, "then", goal, "exec");
    b.wire(goal, "then", pin, "exec");
    b.wire(well, "position", pin, "at");
    let joined = b.node("on_player_joined", 0.0, 320.0);
    let hello = b.node("send_message", 180.0, 320.0);
    b.set(hello, "text", "hello");
    let everyone = b.node("show_text", 360.0, 320.0);
    b.set(everyone, "text", "A new player joined!");
    let bell = b.node("play_sound", 540.0, 320.0);
    b.set(bell, "sound", "bell");
    let gate = b.node("tile_at", 360.0, 480.0);
    b.number(gate, "x", 21);
    b.number(gate, "y", 13);
    b.wire(joined, "then", hello, "exec");
    b.wire(joined, "player", hello, "player");
    b.wire(hello, "then", everyone, "exec");
    b.wire(everyone, "then", bell, "exec");
    b.wire(gate, "position", bell, "at");
    let left = b.node("on_player_left", 0.0, 640.0);
    let bye = b.node("show_text", 180.0, 640.0);
    b.set(bye, "text", "A player left. Farewell!");
    b.wire(left, "then", bye, "exec");
    let clock = b.node("every_n_ticks", 0.0, 800.0);
    b.number(clock, "n", 200);
    let seconds = b.node("divide", 180.0, 960.0);
    b.number(seconds, "b", 20);
    let time = b.node("show_text", 360.0, 800.0);
    b.set(time, "text", "{number} seconds have passed.");
    b.wire(clock, "then", time, "exec");
    b.wire(clock, "tick", seconds, "a");
    b.wire(seconds, "result", time, "number");
    b.g
}

/// A physics bumper: whatever collides is kicked apart at random, with a boing.
fn bumper() -> VisualScriptGraph {
    let mut b = Builder::world(
        "bumper",
        "Bumpers: when two things collide both are kicked in a random direction, with a boing where they met.",
    );
    let hit = b.node("on_collision", 0.0, 0.0);
    let kick_a = b.node("apply_impulse", 180.0, 0.0);
    let kick_b = b.node("apply_impulse", 360.0, 0.0);
    let boing = b.node("play_sound", 540.0, 0.0);
    b.set(boing, "sound", "boing");
    let random = |b: &mut Builder, x: f32, y: f32| {
        let r = b.node("random_number", x, y);
        b.number(r, "min", -3000);
        b.number(r, "max", 3000);
        r
    };
    let ax = random(&mut b, 0.0, 160.0);
    let ay = random(&mut b, 0.0, 300.0);
    let bx = random(&mut b, 180.0, 160.0);
    let by = random(&mut b, 180.0, 300.0);
    let where_ = b.node("entity_position", 360.0, 160.0);
    b.wire(hit, "then", kick_a, "exec");
    b.wire(hit, "a", kick_a, "entity");
    b.wire(ax, "value", kick_a, "x");
    b.wire(ay, "value", kick_a, "y");
    b.wire(kick_a, "then", kick_b, "exec");
    b.wire(hit, "b", kick_b, "entity");
    b.wire(bx, "value", kick_b, "x");
    b.wire(by, "value", kick_b, "y");
    b.wire(kick_b, "then", boing, "exec");
    b.wire(hit, "a", where_, "entity");
    b.wire(where_, "position", boing, "at");
    b.g
}

/// Every world-script template: file name and graph.
pub fn world_templates() -> Vec<(&'static str, VisualScriptGraph)> {
    vec![
        ("wave-spawner.mcgraph.json", wave_spawner()),
        ("hill-scoreboard.mcgraph.json", hill_scoreboard()),
        ("announcer.mcgraph.json", announcer()),
        ("bumper.mcgraph.json", bumper()),
    ]
}

/// Every AI-controller template: file name and graph.
pub fn templates() -> Vec<(&'static str, VisualScriptGraph)> {
    vec![
        ("melee-rusher.mcgraph.json", melee_rusher()),
        ("archer-skirmisher.mcgraph.json", archer_skirmisher()),
        ("mage-support.mcgraph.json", mage_support()),
        ("hill-defender.mcgraph.json", defender()),
        ("tactician.mcgraph.json", tactician()),
    ]
}

/// Horizontal and vertical spread of the layout grid (canvas units per grid unit).
const SPREAD: [f32; 2] = [1.45, 1.3];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/graphs");
    std::fs::create_dir_all(&dir)?;
    for (file, graph) in templates().into_iter().chain(world_templates()) {
        let path = dir.join(file);
        graph.save(&path)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
