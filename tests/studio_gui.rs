//! The studio window driven as a user would, through egui_kittest: the real app state, the real
//! core, the real host on the worker thread, real files in a temporary folder.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aether_lang::VisualScriptGraph;
use aether_lang::check::Severity;
use aether_lang::graph::{NodeId, PortRef, Value, VarType, Variable};
use creator_studio::studio::{Options, Studio};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cs-gui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn options(home: &Path, file: Option<PathBuf>) -> Options {
    Options {
        file,
        home: home.to_path_buf(),
        native_dialogs: false,
        autosave_every: Duration::from_millis(100),
        screenshot: None,
        compile_worker: Some(PathBuf::from(env!("CARGO_BIN_EXE_creator-studio"))),
        replay: None,
        latency_log: None,
    }
}

fn harness(opts: Options) -> Harness<'static, Studio> {
    let studio = Studio::new(opts);
    Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_ui_state(|ui, s: &mut Studio| s.frame(ui), studio)
}

/// Steps frames until the preview has caught up with the graph (or 60 s pass).
fn settle(h: &mut Harness<'_, Studio>) {
    let started = Instant::now();
    for _ in 0..4 {
        h.step();
    }
    while h.state().preview_pending() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the preview never caught up"
        );
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    h.step();
    h.step();
}

/// Steps frames until `done` holds (or 20 s pass): for conditions that may take a few frames
/// on a loaded machine (a paste arriving, a sync after an edit). Waits for the condition, never
/// for a number of frames.
fn step_until(h: &mut Harness<'_, Studio>, what: &str, done: impl Fn(&Studio) -> bool) {
    let started = Instant::now();
    h.step();
    while !done(h.state()) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting: {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
        h.step();
    }
}

/// Runs frames only when the app asked for one, as a real window's event loop does (no mouse
/// moves, no input): at once for an immediate repaint, after the delay for a delayed one, and
/// when the preview worker asks from its thread. True when `done` holds within 10 s.
fn run_like_a_window(h: &mut Harness<'_, Studio>, done: impl Fn(&Studio) -> bool) -> bool {
    let started = Instant::now();
    let mut last = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if done(h.state()) {
            return true;
        }
        let delay = h
            .output()
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map_or(Duration::MAX, |v| v.repaint_delay);
        if delay.is_zero() || last.elapsed() >= delay || h.ctx.has_requested_repaint() {
            last = Instant::now();
            h.step();
        } else {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    done(h.state())
}

fn nodes_of(h: &Harness<'_, Studio>, kind: &str) -> Vec<NodeId> {
    h.state()
        .document()
        .graph()
        .nodes()
        .filter(|n| n.kind == kind)
        .map(|n| n.id)
        .collect()
}

fn only(h: &Harness<'_, Studio>, kind: &str) -> NodeId {
    let found = nodes_of(h, kind);
    assert_eq!(found.len(), 1, "one {kind} node: {found:?}");
    found[0]
}

/// Brings `node` into view and rests the pointer on its port `key` (an output when `output`);
/// returns where the port is drawn.
fn hover_port(
    h: &mut Harness<'_, Studio>,
    node: NodeId,
    key: &'static str,
    output: bool,
) -> egui::Pos2 {
    h.state_mut().canvas_mut().focus(node);
    step_until(h, "the port in view", |s| {
        s.canvas().port_pos(node, key, output).is_some()
    });
    h.step();
    let at = h
        .state()
        .canvas()
        .port_pos(node, key, output)
        .expect("drawn");
    h.hover_at(at);
    h.step();
    h.step();
    at
}

/// Drags a wire from output `from` to input `to` with the mouse.
fn wire(h: &mut Harness<'_, Studio>, from: (NodeId, &str), to: (NodeId, &str)) {
    let a = h
        .state()
        .canvas()
        .port_pos(from.0, from.1, true)
        .unwrap_or_else(|| panic!("output {}.{} is drawn", from.0, from.1));
    let b = h
        .state()
        .canvas()
        .port_pos(to.0, to.1, false)
        .unwrap_or_else(|| panic!("input {}.{} is drawn", to.0, to.1));
    drag(h, a, b);
}

fn drag(h: &mut Harness<'_, Studio>, a: egui::Pos2, b: egui::Pos2) {
    h.hover_at(a);
    h.step();
    h.drag_at(a);
    h.step();
    for i in 1..=6 {
        h.hover_at(a + (b - a) * (i as f32 / 6.0));
        h.step();
    }
    h.drop_at(b);
    h.step();
    h.step();
}

/// Adds a node by typing its name in the palette's search box and pressing Enter.
fn add_from_palette(h: &mut Harness<'_, Studio>, name: &str) {
    let before = h.state().document().graph().nodes().count();
    h.get_by_role_and_label(Role::TextInput, "Find node")
        .focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Find node")
        .type_text(name);
    h.step();
    h.key_press(egui::Key::Enter);
    step_until(h, "the node added from the palette", |s| {
        s.document().graph().nodes().count() == before + 1
    });
    // Enter cleared the box for the next node (it once kept the text, and the next name typed
    // was appended to it: "on turnfor each", no match).
    assert_eq!(h.state().palette_query(), "", "after adding {name}");
}

fn actions_line(h: &Harness<'_, Studio>) -> String {
    let n = h.get_by_label_contains("proposed,");
    n.accesskit_node()
        .label()
        .map(|l| l.to_string())
        .or_else(|| n.value())
        .unwrap_or_default()
}

fn link_exists(g: &VisualScriptGraph, from: (NodeId, &str), to: (NodeId, &str)) -> bool {
    g.links()
        .any(|l| l.from == PortRef::new(from.0, from.1) && l.to == PortRef::new(to.0, to.1))
}

/// Opens File → New, through the menus (its entries are then on show).
fn open_file_new(h: &mut Harness<'_, Studio>) {
    h.get_by_label("File").click();
    step_until(h, "the File menu", |_| true);
    h.step();
    h.get_by_role_and_label(Role::Button, "New ⏵").click();
    h.step();
    h.step();
}

/// Answers the in-app path prompt with `path` (replacing what it suggests) and presses OK.
fn answer_path_prompt(h: &mut Harness<'_, Studio>, path: &Path) {
    let prompt = "Type the file to save to:";
    h.get_by_role_and_label(Role::TextInput, prompt).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_role_and_label(Role::TextInput, prompt)
        .type_text(&path.display().to_string());
    h.step();
    h.get_by_label("OK").click();
}

#[test]
fn builds_an_ai_from_the_palette_and_sees_it_play() {
    let dir = temp_dir("build");
    let file = dir.join("mine.mcgraph.json");
    VisualScriptGraph::new()
        .save(&file)
        .expect("save empty graph");
    let mut h = harness(options(&dir.join("home"), Some(file.clone())));
    settle(&mut h);
    assert!(
        h.query_by_label_contains("there is no On Turn").is_some()
            || h.query_by_label_contains("no-entry").is_some()
    );

    // The search box: type, Enter adds the best match ("on turn" finds On Turn).
    add_from_palette(&mut h, "on turn");
    let turn = only(&h, "on_turn");
    // A click on a palette entry adds it too.
    h.get_all_by_label("For Each Unit")
        .next()
        .expect("palette entry")
        .click();
    h.step();
    h.step();
    add_from_palette(&mut h, "Branch");
    add_from_palette(&mut h, "Move Toward");
    add_from_palette(&mut h, "Map Centre");
    let each = only(&h, "for_each_unit");
    let branch = only(&h, "branch");
    let walk = only(&h, "move_toward");
    let centre = only(&h, "map_centre");
    h.state_mut().canvas_mut().zoom_to(0.8);
    h.step();
    h.state_mut().canvas_mut().frame_all();
    h.step();
    h.step();

    // Wires, dragged port to port.
    wire(&mut h, (turn, "then"), (each, "exec"));
    wire(&mut h, (each, "body"), (branch, "exec"));
    wire(&mut h, (branch, "true"), (walk, "exec"));
    wire(&mut h, (each, "unit"), (walk, "unit"));
    wire(&mut h, (centre, "position"), (walk, "to"));
    let g = h.state().document().graph().clone();
    for (from, to) in [
        ((turn, "then"), (each, "exec")),
        ((each, "body"), (branch, "exec")),
        ((branch, "true"), (walk, "exec")),
        ((each, "unit"), (walk, "unit")),
        ((centre, "position"), (walk, "to")),
    ] {
        assert!(link_exists(&g, from, to), "wire {from:?} -> {to:?}");
    }
    // A wire between ports of different types is refused: Unit into a Bool condition.
    let links = g.links().count();
    wire(&mut h, (each, "unit"), (branch, "condition"));
    assert_eq!(h.state().document().graph().links().count(), links);

    settle(&mut h);
    assert!(
        h.state()
            .document()
            .diagnostics()
            .iter()
            .all(|d| d.severity != Severity::Error),
        "{:?}",
        h.state().document().diagnostics()
    );
    assert!(
        actions_line(&h).starts_with("Actions: 0 proposed"),
        "the condition is false: nobody moves ({})",
        actions_line(&h)
    );

    // Tick the constant on the Branch: every unit now walks to the centre.
    h.get_by_role_and_label(Role::CheckBox, "Condition").click();
    settle(&mut h);
    assert_eq!(
        h.state()
            .document()
            .graph()
            .node(branch)
            .and_then(|n| n.values.get("condition")),
        Some(&Value::Bool(true))
    );
    let line = actions_line(&h);
    assert!(!line.starts_with("Actions: 0 proposed"), "{line}");
    assert!(h.query_all_by_label_contains("moves to").next().is_some());
    assert!(
        h.query_by_label_contains("✔ same result on replay")
            .is_some()
    );

    // Step three turns.
    let turn_before = h.state().preview.shown.as_ref().map(|(v, _)| v.report.turn);
    for _ in 0..3 {
        h.get_by_label("Next turn ▶").click();
        settle(&mut h);
    }
    assert_eq!(h.state().preview.history.len(), 4);
    let turn_after = h.state().preview.shown.as_ref().map(|(v, _)| v.report.turn);
    assert_eq!(turn_after, turn_before.map(|t| t + 3));

    // Save (Ctrl+S writes the file it was opened from), then reopen it.
    assert!(
        h.state().title().starts_with("● "),
        "unsaved changes show in the title"
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.step();
    h.step();
    assert!(
        !h.state().title().starts_with("● "),
        "{}",
        h.state().title()
    );
    let saved = VisualScriptGraph::load(&file).expect("saved file loads");
    assert_eq!(&saved, h.state().document().graph());
    let reopened = harness(options(&dir.join("home"), None));
    assert_eq!(
        reopened.state().document().graph(),
        &saved,
        "with no file given, the studio opens the last project"
    );
}

/// A graph where a Get Variable (a tile) feeds Move Toward's destination.
fn variable_graph() -> (VisualScriptGraph, NodeId) {
    let mut g = VisualScriptGraph::new();
    g.variables.push(Variable {
        name: "goal".into(),
        ty: VarType::Position,
    });
    g.variables.push(Variable {
        name: "leader".into(),
        ty: VarType::Unit,
    });
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [260.0, 0.0]);
    let walk = g.add_node("move_toward", [560.0, 0.0]);
    let get = g.add_node("get_variable", [260.0, 220.0]);
    g.set_value(get, "variable", Value::Choice("goal".into()));
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(walk, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(walk, "unit"));
    g.connect(PortRef::new(get, "value"), PortRef::new(walk, "to"));
    (g, get)
}

#[test]
fn a_type_error_is_listed_marked_and_undone() {
    let dir = temp_dir("typeerror");
    let file = dir.join("vars.mcgraph.json");
    let (g, get) = variable_graph();
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    assert!(h.state().preview.stale.is_none());
    assert!(
        h.query_by_label_contains("none: the graph compiles")
            .is_some()
    );

    // Switch the Get Variable to the Unit variable: its wire into a tile input is now wrong.
    h.get_all_by_value("goal")
        .find(|n| n.accesskit_node().role() == Role::ComboBox)
        .expect("the Get Variable's setting")
        .click();
    h.step();
    h.get_by_label("leader").click();
    settle(&mut h);
    let diags = h.state().document().diagnostics().to_vec();
    assert!(diags.iter().any(|d| d.code == "type-mismatch"), "{diags:?}");
    let line = h
        .get_by_label_contains("type-mismatch")
        .accesskit_node()
        .label()
        .unwrap_or_default();
    assert!(
        line.starts_with(
            "⛔ The wire from Get Variable, Value to Move Toward, Tile: this wire carries"
        ),
        "listed in Problems in plain words first, the code after: {line}"
    );
    let walk = only(&h, "move_toward");
    assert!(
        h.state()
            .canvas()
            .badges(walk)
            .iter()
            .any(|b| b.severity == Severity::Error),
        "the node the wire ends at is marked"
    );
    assert!(
        h.query_by_label_contains("Stale").is_some(),
        "the last good preview is kept, marked stale"
    );
    assert!(h.state().preview.shown.is_some());

    // Clicking the problem selects the node.
    h.get_by_label_contains("type-mismatch").click();
    h.step();
    h.step();
    assert_eq!(h.state().canvas().selection(), vec![walk]);

    // Ctrl+Z puts the variable back.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    settle(&mut h);
    assert_eq!(
        h.state()
            .document()
            .graph()
            .node(get)
            .and_then(|n| n.values.get("variable")),
        Some(&Value::Choice("goal".into()))
    );
    assert!(
        h.state()
            .document()
            .diagnostics()
            .iter()
            .all(|d| d.severity != Severity::Error)
    );
    assert!(h.query_by_label_contains("type-mismatch").is_none());
    assert!(h.state().preview.stale.is_none());
    // And Ctrl+Shift+Z redoes it.
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.step();
    assert!(
        h.state()
            .document()
            .diagnostics()
            .iter()
            .any(|d| d.code == "type-mismatch")
    );
}

/// A graph of On Turn and For Each Unit, with For Each Unit's id.
fn each_unit_graph() -> (VisualScriptGraph, NodeId) {
    let mut g = VisualScriptGraph::new();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [260.0, 0.0]);
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    (g, each)
}

/// Drops a wire from `each`'s Unit output on empty canvas, checks the menu offers only what
/// takes a Unit, types `search` and presses Enter.
fn drop_unit_wire_and_pick(h: &mut Harness<'_, Studio>, each: NodeId, search: &str) {
    let from = h
        .state()
        .canvas()
        .port_pos(each, "unit", true)
        .expect("drawn");
    drag(h, from, from + egui::vec2(-150.0, 250.0));
    assert!(
        h.query_by_label_contains("Add a node taking Unit")
            .is_some()
    );
    h.get_by_role_and_label(Role::TextInput, "Search")
        .type_text(search);
    h.step();
    h.key_press(egui::Key::Enter);
}

#[test]
fn a_wire_dropped_on_empty_canvas_offers_fitting_nodes() {
    let dir = temp_dir("dropwire");
    let file = dir.join("drop.mcgraph.json");
    let (g, each) = each_unit_graph();
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    drop_unit_wire_and_pick(&mut h, each, "nearest enemy");
    step_until(&mut h, "the node added", |s| {
        s.document()
            .graph()
            .nodes()
            .any(|n| n.kind == "nearest_enemy")
    });
    let enemy = only(&h, "nearest_enemy");
    assert!(link_exists(
        h.state().document().graph(),
        (each, "unit"),
        (enemy, "unit")
    ));
    // Dropped left of its source, it goes to the right of it, clear of the other nodes: the
    // wire runs forward, never back behind the nodes.
    let g = h.state().document().graph();
    let pos = |n: NodeId| g.node(n).unwrap().pos;
    assert!(
        pos(enemy)[0] >= pos(each)[0] + 250.0,
        "{:?} right of {:?}",
        pos(enemy),
        pos(each)
    );
    for other in g.nodes().filter(|n| n.id != enemy) {
        let (a, b) = (pos(enemy), other.pos);
        assert!(
            (a[0] - b[0]).abs() >= 200.0 || (a[1] - b[1]).abs() >= 120.0,
            "clear of {:?}",
            other.id
        );
    }
}

/// Near the canvas's bottom edge the add menu opens upward, all of it inside the canvas (it
/// once ran over the Problems panel, two entries showing).
#[test]
fn the_add_menu_stays_inside_the_canvas_near_its_edge() {
    let dir = temp_dir("menu-edge");
    let file = dir.join("drop.mcgraph.json");
    let (g, each) = each_unit_graph();
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    let view = h.state().canvas().view_rect();
    let from = h
        .state()
        .canvas()
        .port_pos(each, "unit", true)
        .expect("drawn");
    drag(
        &mut h,
        from,
        egui::pos2(from.x + 100.0, view.bottom() - 8.0),
    );
    assert!(
        h.query_by_label_contains("Add a node taking Unit")
            .is_some()
    );
    h.step();
    h.step();
    let menu = h
        .ctx
        .memory(|m| m.area_rect(egui::Id::new("add-node-menu")))
        .expect("the menu is shown");
    assert!(
        view.expand(1.0).contains_rect(menu),
        "the menu {menu:?} is outside the canvas {view:?}"
    );
}

/// The graph's functions are in that menu too: a Unit wire dropped on empty canvas offers the
/// call of a function taking a Unit, and Enter on its name adds it, wired.
#[test]
fn a_wire_dropped_on_empty_canvas_offers_the_graphs_functions() {
    let dir = temp_dir("dropcall");
    let file = dir.join("drop.mcgraph.json");
    let (mut g, each) = each_unit_graph();
    let library = VisualScriptGraph::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/graphs/tactician.mcgraph.json"),
    )
    .unwrap();
    g.import_functions(&library);
    let strike = g.function_named("Strike").expect("imported").clone();
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    drop_unit_wire_and_pick(&mut h, each, "strike");
    step_until(&mut h, "the call added", |s| {
        s.document().graph().calls_of(strike.id).len() == 1
    });
    let call = h.state().document().graph().calls_of(strike.id)[0];
    assert!(link_exists(
        h.state().document().graph(),
        (each, "unit"),
        (call, &strike.inputs[0].key)
    ));
}

#[test]
fn copy_paste_between_files_duplicate_delete_and_undo() {
    let dir = temp_dir("clipboard");
    let a = dir.join("a.mcgraph.json");
    let b = dir.join("b.mcgraph.json");
    let (g, get) = variable_graph();
    g.save(&a).expect("save a");
    VisualScriptGraph::new().save(&b).expect("save b");
    let home = dir.join("home");
    let mut h = harness(options(&home, Some(a)));
    settle(&mut h);
    let walk = only(&h, "move_toward");
    h.state_mut().canvas_mut().select(&[walk, get]);
    h.event(egui::Event::Copy);
    h.step();
    let text = h
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .expect("copied to the system clipboard");
    assert!(text.contains("move_toward") && text.contains("get_variable"));

    // Duplicate and delete in this file.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::D);
    step_until(&mut h, "the duplicate", |s| {
        s.document()
            .graph()
            .nodes()
            .filter(|n| n.kind == "move_toward")
            .count()
            == 2
            && s.canvas().selection().len() == 2
    });
    assert_eq!(
        h.state().canvas().selection().len(),
        2,
        "the copies are selected"
    );
    h.key_press(egui::Key::Delete);
    step_until(&mut h, "the delete", |s| {
        s.document()
            .graph()
            .nodes()
            .filter(|n| n.kind == "move_toward")
            .count()
            == 1
    });
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    step_until(&mut h, "undo brings the copies back", |s| {
        s.document()
            .graph()
            .nodes()
            .filter(|n| n.kind == "move_toward")
            .count()
            == 2
    });

    // Paste into another file: the nodes, their wire and the variable they use arrive.
    // Its own studio folder: sharing `home` would offer it the first window's autosave (written
    // every 100 ms here while that window has unsaved edits), and the recovery prompt would
    // take the paste.
    let mut other = harness(options(&dir.join("home-2"), Some(b)));
    settle(&mut other);
    other.event(egui::Event::Paste(text));
    step_until(&mut other, "the paste", |s| {
        s.document().graph().nodes().count() == 2
    });
    let g = other.state().document().graph();
    assert_eq!(g.nodes().count(), 2);
    assert_eq!(g.links().count(), 1);
    assert!(g.variable("goal").is_some());
}

#[test]
fn autosave_is_offered_back_after_a_crash() {
    let dir = temp_dir("autosave");
    let home = dir.join("home");
    let file = dir.join("x.mcgraph.json");
    let (g, _) = variable_graph();
    g.save(&file).expect("save");
    let mut h = harness(options(&home, Some(file.clone())));
    settle(&mut h);
    add_from_palette(&mut h, "Fortify");
    let edited = h.state().document().graph().clone();
    std::thread::sleep(Duration::from_millis(150));
    h.step();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !home.join("autosave.mcgraph.json").exists() {
        assert!(
            Instant::now() < deadline,
            "autosave written in the background"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(100));
    // The process "crashes": no clean exit. The file on disk was never touched.
    drop(h);
    assert_eq!(VisualScriptGraph::load(&file).expect("loads"), g);
    let mut again = harness(options(&home, Some(file.clone())));
    again.step();
    assert!(
        again
            .query_by_label_contains("Recover unsaved work?")
            .is_some()
    );
    again.get_by_label("Recover").click();
    again.step();
    again.step();
    assert_eq!(again.state().document().graph(), &edited);
    assert!(
        again.state().document().is_dirty(),
        "recovered work is not saved yet"
    );
}

#[test]
fn exports_a_mod_the_game_loads() {
    let dir = temp_dir("export");
    let file = dir.join("e.mcgraph.json");
    creator_studio::studio::template(0)
        .save(&file)
        .expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    h.state_mut().open_export();
    h.step();
    let dest = dir.join("out").join("my-rusher");
    {
        let d = h.state_mut().export_dialog().expect("open");
        d.set_dest(&dest);
    }
    h.step();
    // The id is checked as it is typed.
    h.get_by_role_and_label(Role::TextInput, "Folder name")
        .focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Folder name")
        .type_text(" X");
    h.step();
    h.step();
    let id = h.state_mut().export_dialog().map(|d| d.manifest.id.clone());
    assert_eq!(id.as_deref(), Some("melee-rusher X"));
    assert!(
        h.query_by_label_contains("lowercase").is_some(),
        "a bad id is explained"
    );
    h.key_press(egui::Key::Backspace);
    h.key_press(egui::Key::Backspace);
    h.step();
    h.step();
    assert!(h.query_by_label_contains("lowercase").is_none());
    // A bad version is said once, under Version, in plain words (it was also under Name).
    h.get_by_role_and_label(Role::TextInput, "Version").focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Version")
        .type_text("x");
    step_until(&mut h, "the version typed", |s| {
        s.export_dialog_ref()
            .is_some_and(|d| d.manifest.version == "1.0.0x")
    });
    h.step();
    let said: Vec<String> = h
        .query_all_by_label_contains("version number like 1.0.0")
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .collect();
    assert_eq!(said.len(), 1, "{said:?}");
    h.key_press(egui::Key::Backspace);
    step_until(&mut h, "the version fixed", |s| {
        s.export_dialog_ref()
            .is_some_and(|d| d.manifest.version == "1.0.0")
    });
    h.get_by_label("Export").click();
    step_until(&mut h, "the export", |_| {
        dest.join("manifest.json").is_file()
    });
    h.step();
    // Written outside the game's mods folder: the dialog says to copy it there.
    assert!(
        h.query_all_by_label_contains("copy this folder into the game's mods folder")
            .next()
            .is_some(),
        "{}",
        h.state().status()
    );
    let host =
        aether_host::ControllerHost::new(aether_host::ControllerLimits::default()).expect("host");
    let loaded = aether_mods::ModLoader {
        host: &host,
        publisher_key: None,
    }
    .load(&dest)
    .expect("the game loads the exported mod");
    assert_eq!(loaded.manifest.id, "melee-rusher");
}

/// The README's walkthrough graph: for each of my units, attack the nearest enemy if in range,
/// else move toward it (steps 1 to 5); with `march`, step 6: while no enemy is in sight, march
/// to the middle. Returns it with its Nearest Enemy, Unit Position and Move Toward nodes.
fn walkthrough(march: bool) -> (VisualScriptGraph, [NodeId; 3]) {
    let mut g = VisualScriptGraph::new();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [260.0, 0.0]);
    let enemy = g.add_node("nearest_enemy", [260.0, 200.0]);
    let attack = g.add_node("attack", [560.0, 0.0]);
    let branch = g.add_node("branch", [820.0, 0.0]);
    let walk = g.add_node("move_toward", [1080.0, 0.0]);
    let at = g.add_node("unit_position", [560.0, 240.0]);
    for (from, to) in [
        ((turn, "then"), (each, "exec")),
        ((each, "unit"), (enemy, "unit")),
        ((each, "body"), (attack, "exec")),
        ((each, "unit"), (attack, "unit")),
        ((enemy, "enemy"), (attack, "target")),
        ((attack, "then"), (branch, "exec")),
        ((attack, "done"), (branch, "condition")),
        ((branch, "false"), (walk, "exec")),
        ((each, "unit"), (walk, "unit")),
        ((enemy, "enemy"), (at, "unit")),
        ((at, "position"), (walk, "to")),
    ] {
        g.connect(PortRef::new(from.0, from.1), PortRef::new(to.0, to.1));
    }
    if march {
        let again = g.add_node("branch", [1340.0, 0.0]);
        let to_middle = g.add_node("move_toward", [1600.0, 0.0]);
        let centre = g.add_node("map_centre", [1340.0, 240.0]);
        for (from, to) in [
            ((walk, "then"), (again, "exec")),
            ((walk, "done"), (again, "condition")),
            ((again, "false"), (to_middle, "exec")),
            ((each, "unit"), (to_middle, "unit")),
            ((centre, "position"), (to_middle, "to")),
        ] {
            g.connect(PortRef::new(from.0, from.1), PortRef::new(to.0, to.1));
        }
    }
    (g, [enemy, at, walk])
}

/// The graph the README walks a new user through: for each of my units, attack the nearest enemy
/// if in range, else move toward it, and while no enemy is in sight, march to the middle.
#[test]
fn the_readme_walkthrough_graph_plays() {
    let dir = temp_dir("readme");
    let file = dir.join("readme.mcgraph.json");
    let (g, _) = walkthrough(true);
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    assert!(
        h.state().document().diagnostics().is_empty(),
        "{:?}",
        h.state().document().diagnostics()
    );
    let line = actions_line(&h);
    assert!(!line.starts_with("Actions: 0 proposed"), "{line}");
    assert!(h.query_all_by_label_contains("moves to").next().is_some());
    // On the default sample no enemy is in sight at first: the units march to the middle (they
    // once all walked to the top-left corner), meet the enemy and fight within a few turns.
    let mut turns = 0;
    while h
        .query_all_by_label_contains("attacks unit")
        .next()
        .is_none()
    {
        turns += 1;
        assert!(
            turns <= 12,
            "no attack after {turns} turns: {}",
            actions_line(&h)
        );
        h.get_by_label("Next turn ▶").click();
        settle(&mut h);
    }
    assert!(
        turns > 0,
        "no enemy is in sight on the first turn of the battle sample"
    );
    // The map can be enlarged (then scrolled) and back.
    h.get_by_label("+").click();
    h.step();
    assert_eq!(h.state().preview.map_zoom, 1.5);
    h.get_by_label("−").click();
    h.step();
    assert_eq!(h.state().preview.map_zoom, 1.0);
}

/// Without a native dialog, Save asks for the path inside the window; the save is atomic and
/// the title stops showing unsaved changes.
#[test]
fn save_as_through_the_in_app_path_prompt() {
    let dir = temp_dir("prompt");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    assert!(
        h.state().title().contains("Untitled"),
        "{}",
        h.state().title()
    );
    add_from_palette(&mut h, "Fortify");
    assert!(h.state().title().starts_with("● "));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.step();
    h.step();
    let target = dir.join("saved.mcgraph.json");
    answer_path_prompt(&mut h, &target);
    h.step();
    h.step();
    let saved = VisualScriptGraph::load(&target).unwrap_or_else(|e| {
        panic!(
            "saved through the prompt: {e}; status {:?}, error {:?}",
            h.state().status(),
            h.state().error()
        )
    });
    assert_eq!(&saved, h.state().document().graph());
    assert!(
        h.state().title().starts_with("saved.mcgraph.json"),
        "{}",
        h.state().title()
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file left beside the save"
    );
}

/// Files: a first save starts in the user's documents (or home) folder, never the folder the
/// program happened to start in; later ones where the last graph was saved; and "Save as…" in
/// the unsaved-changes prompt saves, then does what the user asked for (here, open another
/// graph), which it once forgot.
#[test]
fn save_prompts_start_in_the_users_folders_and_save_as_then_goes_on() {
    let dir = temp_dir("save-folders");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let started_in = std::env::current_dir().unwrap();
    assert_ne!(
        h.state().start_dir(),
        started_in,
        "not the program's working folder"
    );
    let first = dir.join("first.mcgraph.json");
    assert!(h.state_mut().save_to(&first));
    // A new graph (no file yet): its save starts where the last one went.
    open_file_new(&mut h);
    h.get_by_label("Empty AI controller").click();
    step_until(&mut h, "a new graph", |s| s.document().path.is_none());
    assert_eq!(h.state().start_dir(), std::fs::canonicalize(&dir).unwrap());
    add_from_palette(&mut h, "Fortify");
    assert!(h.state().document().is_dirty());
    // Open the first graph again: the prompt asks about the unsaved one.
    h.get_by_label("File").click();
    step_until(&mut h, "the File menu", |_| true);
    h.step();
    h.get_by_role_and_label(Role::Button, "Open recent ⏵")
        .click();
    h.step();
    h.step();
    // Open recent lists the file's name, then its folder.
    let canonical = std::fs::canonicalize(&first).unwrap();
    let recent = format!(
        "first.mcgraph.json  —  {}",
        canonical.parent().unwrap().display()
    );
    h.get_by_label(recent.as_str()).click();
    step_until(&mut h, "the unsaved-changes prompt", |_| true);
    h.step();
    h.get_by_label("Save as…").click();
    h.step();
    h.step();
    let second = dir.join("second.mcgraph.json");
    answer_path_prompt(&mut h, &second);
    step_until(&mut h, "the first graph open", |s| {
        s.document()
            .path
            .as_ref()
            .is_some_and(|p| p.ends_with("first.mcgraph.json"))
    });
    let saved = VisualScriptGraph::load(&second).expect("the new graph was saved first");
    assert!(saved.nodes().any(|n| n.kind == "fortify"));
}

/// Dragging a node moves it in the core graph, as one undo step; a move touches neither the
/// wiring nor the preview.
#[test]
fn dragging_a_node_moves_it_and_undo_puts_it_back() {
    let dir = temp_dir("move");
    let file = dir.join("m.mcgraph.json");
    let (g, get) = variable_graph();
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    let before = h.state().document().graph().node(get).expect("node").pos;
    let structure = h.state().document().structure_version();
    let title =
        h.state().canvas().node_rect(get).expect("drawn").left_top() + egui::vec2(30.0, 8.0);
    drag(&mut h, title, title + egui::vec2(120.0, 60.0));
    let zoom = h.state().canvas().zoom();
    let after = h.state().document().graph().node(get).expect("node").pos;
    assert!(
        (after[0] - before[0] - 120.0 / zoom).abs() < 1.0,
        "{before:?} -> {after:?}"
    );
    assert!(
        (after[1] - before[1] - 60.0 / zoom).abs() < 1.0,
        "{before:?} -> {after:?}"
    );
    assert_eq!(h.state().document().structure_version(), structure);
    assert!(
        !h.state().preview_pending(),
        "a move does not replay the turn"
    );
    assert!(
        h.state().title().starts_with("● "),
        "a move is an unsaved change"
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.step();
    h.step();
    assert_eq!(
        h.state().document().graph().node(get).expect("node").pos,
        before
    );
    let redrawn = h.state().canvas().node_rect(get).expect("drawn").left_top();
    assert!(
        (redrawn - (title - egui::vec2(30.0, 8.0))).length() < 1.0,
        "the view follows the undo"
    );
}

/// The walkthrough's first five steps on the default sample, where no enemy is in sight: no unit
/// marches anywhere (Unit Position of none is none, not the top-left corner), Nearest Enemy is
/// marked "none" on the canvas, and Move Toward carries the warning that tells what to do.
#[test]
fn a_query_that_found_nothing_is_marked_and_its_move_warned() {
    let dir = temp_dir("none");
    let file = dir.join("five.mcgraph.json");
    let (g, [enemy, at, walk]) = walkthrough(false);
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    let line = actions_line(&h);
    assert!(
        line.starts_with("Actions: 0 proposed"),
        "nobody marches to the corner: {line}"
    );
    let units = h.state().preview.state().unwrap().units_of(0).count() as u32;
    assert_eq!(
        h.state().canvas().found_nothing(enemy),
        Some(2 * units),
        "Nearest Enemy is read twice a unit"
    );
    assert_eq!(h.state().canvas().found_nothing(at), Some(units));
    assert!(
        h.query_all_by_label_contains("none ×").next().is_some(),
        "the mark is drawn"
    );
    let warned: Vec<&str> = h
        .state()
        .canvas()
        .badges(walk)
        .iter()
        .map(|b| b.message.as_str())
        .collect();
    assert!(
        warned
            .iter()
            .any(|m| m.starts_with("when Nearest Enemy finds no one")),
        "{warned:?}"
    );
}

/// A newly opened graph starts at turn 1 of the chosen sample: neither the turns stepped with the
/// previous graph nor a step still in flight when it was replaced carry over.
#[test]
fn an_opened_graph_starts_at_turn_one_of_the_sample() {
    let dir = temp_dir("fresh");
    let other = dir.join("other.mcgraph.json");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("examples/graphs/hill-defender.mcgraph.json"),
        &other,
    )
    .unwrap();
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let first_turn = h.state().preview.shown.as_ref().map(|(v, _)| v.report.turn);
    for _ in 0..2 {
        h.get_by_label("Next turn ▶").click();
        settle(&mut h);
    }
    assert_eq!(h.state().preview.history.len(), 3);
    // Step once more and open another graph before that step comes back.
    h.get_by_label("Next turn ▶").click();
    h.step();
    h.state_mut().open_path(&other);
    settle(&mut h);
    assert_eq!(
        h.state().preview.history.len(),
        1,
        "back at the sample's first turn"
    );
    let turn = h.state().preview.shown.as_ref().map(|(v, _)| v.report.turn);
    assert_eq!(turn, first_turn);
    assert!(
        h.get_by_label("◀ Back").accesskit_node().is_disabled(),
        "nothing to go back to on a fresh graph"
    );
}

/// Keyboard edits refresh the preview with no other input: Delete, Ctrl+D, Ctrl+Z and
/// Ctrl+Shift+Z each lead, frame by frame as a window would run them (only when the app asks
/// for a frame), to the preview of the edited graph.
#[test]
fn keyboard_edits_refresh_the_preview_without_the_mouse() {
    let dir = temp_dir("keys");
    let file = dir.join("rusher.mcgraph.json");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("examples/graphs/melee-rusher.mcgraph.json"),
        &file,
    )
    .unwrap();
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    let host = aether_host::ControllerHost::new(aether_host::ControllerLimits::default()).unwrap();
    let caught_up = |s: &Studio| {
        !s.preview_pending()
            && s.preview.stale.is_none()
            && s.preview
                .shown
                .as_ref()
                .is_some_and(|(_, v)| *v == s.document().structure_version())
    };
    for (what, key, modifiers) in [
        ("Delete", egui::Key::Delete, egui::Modifiers::NONE),
        ("Ctrl+Z", egui::Key::Z, egui::Modifiers::COMMAND),
        (
            "Ctrl+Shift+Z",
            egui::Key::Z,
            egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        ),
        ("Ctrl+Z again", egui::Key::Z, egui::Modifiers::COMMAND),
        ("Ctrl+D", egui::Key::D, egui::Modifiers::COMMAND),
    ] {
        let before = h.state().document().structure_version();
        // The moves, which the first turn makes: the edits change what the turn does.
        let moves = nodes_of(&h, "move_toward");
        if !moves.is_empty() {
            h.state_mut().canvas_mut().select(&moves);
        }
        h.key_press_modifiers(modifiers, key);
        h.step();
        assert_ne!(
            h.state().document().structure_version(),
            before,
            "{what} edited the graph"
        );
        assert!(
            run_like_a_window(&mut h, caught_up),
            "after {what} the preview never refreshed"
        );
        // The preview builds each module on the one before; what it shows is what the game's
        // own module of the graph does on that turn.
        let s = h.state();
        let (view, _) = s.preview.shown.as_ref().unwrap();
        let game = aether_compile::VisualScriptCompiler::compile(s.document().graph()).unwrap();
        let expected = host.load(&game.wasm_bytes).unwrap().session().play_turn(
            &view.before,
            s.preview.slot,
            s.preview.seed,
        );
        assert_eq!(
            (&view.report.reply, view.report.fuel_used),
            (&expected.reply, expected.fuel_used),
            "after {what} the preview's turn is the game module's"
        );
    }
}

/// Edit → preview on screen, in the window's own loop: every example graph (five AI
/// controllers, four world scripts), fifteen keyboard edits each (delete an action, undo, redo,
/// undo…). Each edit is sent in the frame that made it (a 250 ms debounce once held every one
/// back: this fails on that code), and the studio's own record of each edit's latency (the
/// edit's frame to the first frame showing its turn, or the world running it) is printed:
/// `cargo test --release --test studio_gui -- edits_reach --nocapture` gives the figures
/// BENCHMARKS.md records.
#[test]
fn edits_reach_the_previews_in_the_frame_they_are_made() {
    use aether_lang::catalog::{self, PinType};
    let dir = temp_dir("latency");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all: Vec<(&'static str, Duration)> = Vec::new();
    for name in [
        "melee-rusher",
        "archer-skirmisher",
        "mage-support",
        "hill-defender",
        "tactician",
        "wave-spawner",
        "announcer",
        "bumper",
        "hill-scoreboard",
    ] {
        let file = dir.join(format!("{name}.mcgraph.json"));
        std::fs::copy(
            root.join(format!("examples/graphs/{name}.mcgraph.json")),
            &file,
        )
        .unwrap();
        let log = dir.join(format!("{name}-latency.jsonl"));
        let _ = std::fs::remove_file(&log);
        let mut opts = options(&dir.join(format!("home-{name}")), Some(file));
        opts.latency_log = Some(log.clone());
        let mut h = harness(opts);
        let world = h.state().is_world();
        let shown = move |s: &Studio| {
            let v = s.document().structure_version();
            if world {
                s.world.running == Some(v)
            } else {
                !s.preview_pending()
                    && s.preview
                        .shown
                        .as_ref()
                        .is_some_and(|(_, shown)| *shown == v)
            }
        };
        step_until(&mut h, "the first preview", |s| shown(s));
        // An action none of whose values is wired on: deleting it leaves no error.
        let g = h.state().document().graph().clone();
        let action = g
            .nodes()
            .filter(|n| {
                catalog::spec(&n.kind).is_some_and(|s| {
                    s.is_exec()
                        && !s.op.is_entry()
                        && n.function.is_none()
                        && s.outputs
                            .iter()
                            .filter(|p| p.ty != PinType::Exec)
                            .all(|p| g.links_from(&PortRef::new(n.id, p.key)).next().is_none())
                })
            })
            .map(|n| n.id)
            .last()
            .unwrap_or_else(|| panic!("{name} has an action"));
        let mut took = Vec::new();
        let keys = [
            (egui::Key::Delete, egui::Modifiers::NONE),
            (egui::Key::Z, egui::Modifiers::COMMAND),
            (
                egui::Key::Z,
                egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
            ),
            (egui::Key::Z, egui::Modifiers::COMMAND),
        ];
        for (i, (key, modifiers)) in keys.iter().cycle().take(15).enumerate() {
            let before = h.state().latencies().len();
            let version = h.state().document().structure_version();
            if *key == egui::Key::Delete {
                h.state_mut().canvas_mut().select(&[action]);
                h.step();
            }
            h.key_press_modifiers(*modifiers, *key);
            h.step();
            let s = h.state();
            let v = s.document().structure_version();
            assert_ne!(v, version, "{name}, edit {i} edited the graph");
            let sent = if world {
                s.world.sent == Some(v)
            } else {
                s.preview.waiting.is_some() || shown(s)
            };
            assert!(
                sent,
                "{name}, edit {i}: sent to the preview in the frame that made it"
            );
            assert!(
                run_like_a_window(&mut h, |s| s.latencies().len() > before),
                "{name}, edit {i}: never shown"
            );
            let l = *h.state().latencies().last().unwrap();
            assert_eq!(l.kind, if world { "world" } else { "ai" });
            took.push(l.took());
            all.push((l.kind, l.took()));
        }
        // The log (CREATOR_STUDIO_LATENCY_LOG in the real window) has a line for each, as the
        // studio measured it: milliseconds since it started.
        let lines = std::fs::read_to_string(&log).unwrap();
        let logged: Vec<serde_json::Value> = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(logged.len() >= 15, "{name}: {lines}");
        for l in &logged {
            assert_eq!(l["kind"], if world { "world" } else { "ai" });
            assert!(l["shown_ms"].as_f64().unwrap() >= l["edit_ms"].as_f64().unwrap());
        }
        took.sort();
        println!(
            "{name}: edit → on screen, median {:.1} ms (fastest {:.1}, slowest {:.1})",
            took[took.len() / 2].as_secs_f64() * 1000.0,
            took[0].as_secs_f64() * 1000.0,
            took[took.len() - 1].as_secs_f64() * 1000.0
        );
    }
    for kind in ["ai", "world"] {
        let mut t: Vec<Duration> = all.iter().filter(|a| a.0 == kind).map(|a| a.1).collect();
        t.sort();
        println!(
            "{kind}: median {:.1} ms over {} edits",
            t[t.len() / 2].as_secs_f64() * 1000.0,
            t.len()
        );
    }
}

/// The README's words are the window's: the New menu's entries it names, the unsaved-changes
/// mark, the export dialog's fields. (It once said "Empty graph", "●" and "controller id"
/// where the window said "Empty AI controller", "□" and "Game id".)
#[test]
fn the_readme_names_what_the_window_shows() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    // Words, whatever the line breaks.
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    let dir = temp_dir("readme-words");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    open_file_new(&mut h);
    for entry in ["Empty AI controller", "Empty world script"] {
        assert!(readme.contains(entry), "the README names {entry}");
        assert!(h.query_by_label(entry).is_some(), "the menu has {entry}");
    }
    h.key_press(egui::Key::Escape);
    h.step();
    // An edit: the mark the README describes shows.
    let node = h
        .state()
        .document()
        .graph()
        .nodes()
        .map(|n| n.id)
        .max()
        .unwrap();
    h.state_mut().canvas_mut().select(&[node]);
    h.step();
    h.key_press(egui::Key::Delete);
    step_until(&mut h, "unsaved", |s| s.document().is_dirty());
    h.step();
    assert!(readme.contains("• unsaved changes"));
    assert!(h.query_by_label("• unsaved changes").is_some());
    // The export dialog's fields, in the README's order.
    assert!(readme.contains("folder name, AI name, author, version and game id"));
    h.state_mut().open_export();
    h.step();
    h.step();
    for field in ["Folder name", "AI name", "Author", "Version", "Game id"] {
        assert!(
            h.query_by_label(field).is_some() || h.query_by_label_contains(field).is_some(),
            "the dialog has {field}"
        );
    }
}

/// What the canvas says about a port (hovering it) is the turn on screen's: after three turns
/// and Reset, every output's value is turn 1's again. (The marks followed the turn asked for,
/// not the one shown: Reset rebuilt them from the later turn still on screen, and kept them.)
#[test]
fn after_reset_the_canvas_tells_turn_ones_story() {
    let dir = temp_dir("reset-marks");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let outputs: Vec<(NodeId, &'static str)> = h
        .state()
        .document()
        .graph()
        .nodes()
        .flat_map(|n| {
            aether_lang::catalog::spec(&n.kind)
                .map(|s| s.outputs.iter().map(|p| (n.id, p.key)).collect::<Vec<_>>())
                .unwrap_or_default()
        })
        .collect();
    let story = |h: &mut Harness<'_, Studio>| -> Vec<Option<String>> {
        h.step();
        outputs
            .iter()
            .map(|(n, key)| {
                let at = h.state().canvas().port_pos(*n, key, true)?;
                h.state().canvas().value_text_at(at)
            })
            .collect()
    };
    let first = story(&mut h);
    assert!(first.iter().any(Option::is_some), "values on the ports");
    for _ in 0..3 {
        h.get_by_label("Next turn ▶").click();
        settle(&mut h);
    }
    let fourth = story(&mut h);
    assert_ne!(first, fourth, "the fourth turn tells another story");
    h.get_by_label("Reset").click();
    settle(&mut h);
    assert_eq!(h.state().preview.history.len(), 1);
    assert_eq!(story(&mut h), first, "turn 1's values, as before the steps");
}

/// "Iteration k of n" means one pass of the loop, the same on every port and in the panel: on
/// the start-up template (For Each Unit over my units) the panel counts my units, no port has
/// more values than that (a pure node read twice in a pass once gave 40 "iterations" for 20
/// units), and asking past a short loop's end says so instead of silently showing its last.
#[test]
fn loop_iterations_count_the_loops_passes_everywhere() {
    let dir = temp_dir("iterations");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let s = h.state();
    let (view, _) = s.preview.shown.as_ref().expect("a turn");
    let mine = view.before.units_of(s.preview.slot).count();
    assert!(mine > 1);
    assert_eq!(view.passes, mine, "one pass a unit");
    for ((node, port), (_, values)) in &view.values {
        assert!(
            values.len() <= mine,
            "{node:?}.{port}: {} values for {mine} passes",
            values.len()
        );
    }
    assert!(
        h.query_by_label(&format!("of {mine}")).is_some(),
        "the panel says of {mine}"
    );
}

/// The world's log shows whose lines the user picks: with "my script only", another script's
/// lines (the village's welcome) are gone and the edited script's stay.
#[test]
fn the_world_log_shows_my_script_only_when_asked() {
    use creator_studio::studio::world_view::LogFilter;
    let dir = temp_dir("world-log");
    let file = dir.join("waves.mcgraph.json");
    creator_studio::studio::world_template(0)
        .save(&file)
        .expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    let both = |s: &Studio| {
        let mine = s.world.edited;
        s.world.log.iter().any(|l| l.by.is_some() && l.by == mine)
            && s.world.log.iter().any(|l| l.by.is_some() && l.by != mine)
    };
    assert!(
        run_like_a_window(&mut h, both) || {
            step_until(&mut h, "lines from both scripts", both);
            true
        }
    );
    h.step();
    let mine = h.state().world.edited;
    let other = h
        .state()
        .world
        .log
        .iter()
        .find(|l| l.by.is_some() && l.by != mine)
        .map(|l| l.text.clone())
        .unwrap();
    let my_line = h
        .state()
        .world
        .log
        .iter()
        .find(|l| l.by.is_some() && l.by == mine)
        .map(|l| l.text.clone())
        .unwrap();
    assert!(h.query_by_label_contains(&other).is_some(), "{other}");
    h.state_mut().world.log_filter = LogFilter::Mine;
    h.step();
    h.step();
    assert!(h.query_by_label_contains(&other).is_none(), "{other}");
    assert!(h.query_by_label_contains(&my_line).is_some(), "{my_line}");
}

/// Make function says what went in beside the selection (a node the selection reads, moved in
/// with it), shows a refusal where the user looks, and the status stops saying a function is
/// open once the user is back on the graph.
#[test]
fn make_function_says_what_it_took_and_where_the_user_is() {
    let dir = temp_dir("make-function-words");
    let file = dir.join("f.mcgraph.json");
    let mut g = VisualScriptGraph::new();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [260.0, 0.0]);
    let enemy = g.add_node("nearest_enemy", [520.0, 200.0]);
    let attack = g.add_node("attack", [780.0, 0.0]);
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(attack, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(attack, "unit"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(enemy, "unit"));
    g.connect(PortRef::new(enemy, "enemy"), PortRef::new(attack, "target"));
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    // On Turn cannot go into a function: the refusal is a dialog, not only the status line.
    h.state_mut().canvas_mut().select(&[turn]);
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::G);
    h.step();
    h.step();
    assert!(
        h.state()
            .error()
            .is_some_and(|e| e.contains("Could not make a function"))
    );
    h.get_by_label("OK").click();
    h.step();
    // Attack alone: Nearest Enemy, which only Attack reads, goes in too, and the status says so.
    h.state_mut().canvas_mut().select(&[attack]);
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::G);
    step_until(&mut h, "the function made", |s| {
        s.document().graph().functions().count() == 1
    });
    let status = h.state().status().to_owned();
    assert!(
        status.contains("from the 1 selected node(s), with 1 it reads moved in too (Nearest Enemy"),
        "{status}"
    );
    let f = h.state().document().graph().functions().next().unwrap().id;
    h.state_mut().open_function(Some(f));
    h.step();
    assert!(h.state().status().starts_with("Editing the function"));
    h.state_mut().open_function(None);
    h.step();
    assert_eq!(h.state().status(), "Back on the graph's own canvas.");
}

/// Coming back to Find node selects its text, so what is typed replaces it.
#[test]
fn find_node_selects_its_text_when_focused_again() {
    let dir = temp_dir("find");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    h.get_by_role_and_label(Role::TextInput, "Find node")
        .focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Find node")
        .type_text("attack");
    step_until(&mut h, "the text typed", |s| s.palette_query() == "attack");
    h.key_press(egui::Key::Escape);
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Find node")
        .focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Find node")
        .type_text("branch");
    step_until(&mut h, "the text replaced", |s| {
        s.palette_query() != "attack"
    });
    assert_eq!(h.state().palette_query(), "branch");
}

/// Dragging a wire over a port that will not take it marks the port and says why, and dropping
/// it there leaves the graph alone and says why in the status line (it once just vanished).
#[test]
fn a_refused_wire_says_why() {
    let dir = temp_dir("refused");
    let file = dir.join("g.mcgraph.json");
    let mut g = VisualScriptGraph::new();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [260.0, 0.0]);
    let at = g.add_node("unit_position", [260.0, 220.0]);
    let attack = g.add_node("attack", [560.0, 0.0]);
    for (from, to) in [
        ((turn, "then"), (each, "exec")),
        ((each, "body"), (attack, "exec")),
        ((each, "unit"), (attack, "unit")),
        ((each, "unit"), (at, "unit")),
    ] {
        g.connect(PortRef::new(from.0, from.1), PortRef::new(to.0, to.1));
    }
    g.save(&file).expect("save");
    let started = Instant::now();
    let mut h = harness(options(&dir.join("home"), Some(file)));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "a graph with errors opens at once (it once waited 30 s for a preview never sent)"
    );
    settle(&mut h);
    // No turn was ever played: the preview says why, and nothing is called stale.
    assert!(h.query_by_label_contains("Stale").is_none());
    assert!(
        h.query_by_label_contains("No preview yet: The graph has 1 error")
            .is_some()
    );
    let links = h.state().document().graph().links().count();
    let a = h
        .state()
        .canvas()
        .port_pos(at, "position", true)
        .expect("drawn");
    let b = h
        .state()
        .canvas()
        .port_pos(attack, "target", false)
        .expect("drawn");
    h.hover_at(a);
    h.step();
    h.drag_at(a);
    h.step();
    for i in 1..=6 {
        h.hover_at(a + (b - a) * (i as f32 / 6.0));
        h.step();
    }
    assert!(
        h.query_by_label_contains("Target needs a unit; Position gives a tile")
            .is_some(),
        "the refusal shows while the wire is over the port"
    );
    h.drop_at(b);
    step_until(&mut h, "the reason in the status line", |s| {
        s.status().starts_with("Not connected")
    });
    assert_eq!(
        h.state().status(),
        "Not connected: Target needs a unit; Position gives a tile."
    );
    assert_eq!(
        h.state().document().graph().links().count(),
        links,
        "nothing was wired"
    );
}

/// Unsaved changes show in the window (not only in the window manager's title), and undoing back
/// to what was saved makes the document clean again.
#[test]
fn undoing_to_the_saved_graph_clears_the_unsaved_marker() {
    let dir = temp_dir("dirty");
    let file = dir.join("rusher.mcgraph.json");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("examples/graphs/melee-rusher.mcgraph.json"),
        &file,
    )
    .unwrap();
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    assert!(h.query_by_label_contains("unsaved changes").is_none());
    let attack = nodes_of(&h, "attack")[0];
    h.state_mut().canvas_mut().select(&[attack]);
    h.key_press(egui::Key::Delete);
    step_until(&mut h, "the delete", |s| s.document().is_dirty());
    h.step();
    assert!(h.query_by_label_contains("unsaved changes").is_some());
    assert!(h.state().title().starts_with("● "));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    step_until(&mut h, "undo to the saved graph", |s| {
        !s.document().is_dirty()
    });
    h.step();
    assert!(h.query_by_label_contains("unsaved changes").is_none());
    assert!(
        !h.state().title().starts_with("● "),
        "{}",
        h.state().title()
    );
}

/// Wires are painted under the nodes, so they no longer cross node titles and pins.
#[test]
fn wires_are_drawn_under_the_nodes() {
    let dir = temp_dir("wires");
    let file = dir.join("rusher.mcgraph.json");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("examples/graphs/melee-rusher.mcgraph.json"),
        &file,
    )
    .unwrap();
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    let shapes = &h.output().shapes;
    let last_wire = shapes
        .iter()
        .rposition(|s| matches!(s.shape, egui::Shape::CubicBezier(_)))
        .expect("wires are drawn");
    // The last "Unit Exists" text is the node's title (the palette, drawn before the canvas,
    // lists the same name).
    let title = shapes
        .iter()
        .rposition(|s| matches!(&s.shape, egui::Shape::Text(t) if t.galley.text() == "Unit Exists"))
        .expect("the Unit Exists node's title is drawn");
    assert!(
        last_wire < title,
        "every wire is painted before (under) the node titles"
    );
}

/// Help > About shows the version, the contracts and the caps in force.
#[test]
fn help_about_shows_versions_and_caps() {
    let dir = temp_dir("about");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    h.get_by_label("Help").click();
    h.step();
    h.get_by_label("About Creator Studio").click();
    step_until(&mut h, "the About window", |_| true);
    h.step();
    assert!(
        h.query_by_label_contains(&format!("Creator Studio {}", env!("CARGO_PKG_VERSION")))
            .is_some()
    );
    assert!(
        h.query_by_label_contains("mc-tactical-types 1.0.0 (state schema 1)")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("aether-world-types 2.1.0 (contract 2.1)")
            .is_some()
    );
}

/// Steps until the widget labelled `label` stays put from one frame to the next (a new dialog
/// lays itself out over its first frames; a click then misses).
fn settle_widget(h: &mut Harness<'_, Studio>, label: &str) {
    let started = Instant::now();
    let mut last = None;
    loop {
        h.step();
        let rect = h.get_by_label(label).rect();
        if last == Some(rect) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{label} never settled"
        );
        last = Some(rect);
    }
}

/// Whether the world preview shows an entity spawned by the edited graph.
fn world_has_my_entities(s: &Studio) -> bool {
    let Some(f) = s.world.latest.as_ref() else {
        return false;
    };
    s.world.edited.is_some() && f.entities.iter().any(|e| e.owner == s.world.edited)
}

/// Whether every node of the canvas shown is drawn inside the visible canvas.
fn all_nodes_in_view(s: &Studio) -> Result<(), String> {
    let view = s.canvas().view_rect();
    let scope = s.canvas().scope();
    for n in s.document().graph().nodes_in(scope) {
        let r = s
            .canvas()
            .node_rect(n.id)
            .ok_or_else(|| format!("node {:?} not drawn", n.id))?;
        if !view.contains_rect(r) {
            return Err(format!(
                "node {:?} at {r:?} is outside the canvas {view:?}",
                n.id
            ));
        }
    }
    Ok(())
}

/// The canvas is the visible area between the panels, and everything that places or shows a
/// node uses it: at start-up (1600×1000) every node of the template is inside it; nodes added
/// with Find node + Enter land inside it; a large graph opened is framed whole. (The start-up
/// template once ran off under the preview, Frame all stopped zooming out at 0.8, and "the
/// centre" placed new nodes in the first free cell however far out of view.)
#[test]
fn the_canvas_shows_what_it_places_and_frames_between_the_panels() {
    let dir = temp_dir("canvas-area");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let view = h.state().canvas().view_rect();
    let preview = h
        .query_all_by_label("Turn preview")
        .map(|n| n.rect())
        .reduce(|a, b| a.union(b))
        .expect("the preview's heading");
    let palette = h.get_by_role_and_label(Role::TextInput, "Find node").rect();
    assert!(
        view.right() <= preview.left(),
        "the canvas runs under the preview: {view:?}, {preview:?}"
    );
    assert!(
        view.left() >= palette.right(),
        "the canvas runs under the palette: {view:?}, {palette:?}"
    );
    step_until(&mut h, "the template framed", |s| {
        all_nodes_in_view(s).is_ok()
    });

    // Six nodes added "at the centre", each where the user sees it.
    for _ in 0..6 {
        let before = h.state().document().graph().nodes().count();
        h.get_by_role_and_label(Role::TextInput, "Find node")
            .focus();
        h.step();
        h.get_by_role_and_label(Role::TextInput, "Find node")
            .type_text("Attack");
        h.step();
        h.key_press(egui::Key::Enter);
        step_until(&mut h, "the node added", |s| {
            s.document().graph().nodes().count() > before
        });
        h.step();
        h.step();
        if let Err(e) = all_nodes_in_view(h.state()) {
            // Only the new node counts here: the others may have been left where they were.
            let added = h
                .state()
                .document()
                .graph()
                .nodes()
                .map(|n| n.id)
                .max()
                .unwrap();
            let r = h.state().canvas().node_rect(added).unwrap();
            assert!(
                h.state().canvas().view_rect().contains_rect(r),
                "the added node is out of view: {e}"
            );
        }
    }

    // The largest template, 58 nodes, framed whole when opened.
    let file = dir.join("mage-support.mcgraph.json");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("examples/graphs/mage-support.mcgraph.json"),
        &file,
    )
    .unwrap();
    let mut h = harness(options(&dir.join("home-2"), Some(file)));
    settle(&mut h);
    step_until(&mut h, "the large graph framed", |s| {
        all_nodes_in_view(s).is_ok()
    });
    // Frame all (F) after panning away brings it all back.
    h.state_mut().canvas_mut().focus_point([5_000.0, 5_000.0]);
    h.step();
    h.step();
    assert!(all_nodes_in_view(h.state()).is_err());
    h.key_press(egui::Key::F);
    step_until(&mut h, "framed again", |s| all_nodes_in_view(s).is_ok());

    // A world script: its panel settles wider over the first frames, and the fit follows it.
    let file = dir.join("waves.mcgraph.json");
    std::fs::copy(
        root.join("examples/graphs/wave-spawner.mcgraph.json"),
        &file,
    )
    .unwrap();
    let mut h = harness(options(&dir.join("home-3"), Some(file)));
    run_like_a_window(&mut h, |s| {
        s.world.latest.as_ref().is_some_and(|f| f.tick >= 20)
    });
    step_until(&mut h, "the world script framed", |s| {
        all_nodes_in_view(s).is_ok()
    });
}

/// A new world script after an AI controller runs at once: the button offers Pause,
/// and the world's clock moves on its own, with no edit to push it. (The AI controller's
/// document once paused the world through the Play button, so the new world script sat at tick
/// 0 under "▶ Play", one tick per edit.)
#[test]
fn a_new_world_script_runs_without_being_asked() {
    let dir = temp_dir("world-runs");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    assert!(
        !h.state().is_world(),
        "the studio starts on an AI controller"
    );
    // As a newcomer does after the AI walkthrough: a new AI controller, then a world script.
    for (item, world) in [("Empty AI controller", false), ("Empty world script", true)] {
        open_file_new(&mut h);
        h.get_by_label(item).click();
        step_until(&mut h, item, |s| s.is_world() == world);
        settle(&mut h);
    }
    assert!(
        h.state().world.playing,
        "the world plays unless the user paused it"
    );
    assert!(h.query_by_label("⏸ Pause").is_some());
    assert!(h.query_by_label("▶ Play").is_none());
    let tick = |s: &Studio| s.world.latest.as_ref().map_or(0, |f| f.tick);
    // Twenty ticks (a second of world time) with no edit: only the world's own clock moves it.
    assert!(
        run_like_a_window(&mut h, |s| tick(s) >= 20),
        "the world stayed at tick {}",
        tick(h.state())
    );
    // Pausing is the user's choice, and it holds.
    h.get_by_label("⏸ Pause").click();
    step_until(&mut h, "paused", |s| !s.world.playing);
    h.step();
    assert!(h.query_by_label("▶ Play").is_some());
}

/// A world script built from the palette: On Timer → Spawn Entity on a tile. The world on the
/// right runs it; entities appear; a second spawner on every tick goes over the rate limit and
/// the panel says the spawns are throttled; the script exports as a world-script mod.
#[test]
fn builds_a_world_script_and_watches_the_world_react() {
    let dir = temp_dir("world");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    // File > New > Empty world script, through the menus.
    open_file_new(&mut h);
    h.get_by_label("Empty world script").click();
    step_until(&mut h, "a new world script", |s| s.is_world());
    assert!(
        h.query_by_label_contains("add an event node").is_some(),
        "the empty script says how to start"
    );
    // The palette offers world nodes and no AI ones.
    assert!(h.query_by_label("Spawn Entity").is_some());
    assert!(h.query_by_label("For Each Unit").is_none());

    add_from_palette(&mut h, "On Timer");
    add_from_palette(&mut h, "Spawn Entity");
    add_from_palette(&mut h, "Tile At");
    let timer = only(&h, "on_timer");
    let spawn = only(&h, "spawn_entity");
    let tile = only(&h, "tile_at");
    h.state_mut().canvas_mut().zoom_to(0.8);
    h.step();
    h.state_mut().canvas_mut().frame_all();
    h.step();
    h.step();
    wire(&mut h, (timer, "then"), (spawn, "exec"));
    wire(&mut h, (tile, "position"), (spawn, "at"));
    let g = h.state().document().graph().clone();
    assert!(link_exists(&g, (timer, "then"), (spawn, "exec")));
    assert!(link_exists(&g, (tile, "position"), (spawn, "at")));
    assert!(
        !aether_lang::check::has_errors(h.state().document().diagnostics()),
        "{:?}",
        h.state().document().diagnostics()
    );
    // The village's timer rings every second: crates appear where the tile says.
    assert!(
        run_like_a_window(&mut h, world_has_my_entities) || {
            step_until(&mut h, "entities from the graph", world_has_my_entities);
            true
        }
    );
    h.step();
    assert!(
        h.query_all_by_label_contains("my-world-script spawns crate")
            .next()
            .is_some(),
        "the log says so"
    );

    // A second spawner on every tick: 21 spawns a second against a limit of 10.
    add_from_palette(&mut h, "On Tick");
    let tick = only(&h, "on_tick");
    add_from_palette(&mut h, "Spawn Entity");
    let spawn2 = nodes_of(&h, "spawn_entity")
        .into_iter()
        .find(|n| *n != spawn)
        .expect("second spawner");
    h.state_mut().canvas_mut().frame_all();
    h.step();
    h.step();
    wire(&mut h, (tick, "then"), (spawn2, "exec"));
    wire(&mut h, (tile, "position"), (spawn2, "at"));
    step_until(&mut h, "the throttled spawns explained", |s| {
        s.world
            .edited
            .is_some_and(|id| s.world.state_words(id).contains("throttled"))
    });
    h.step();
    assert!(
        h.query_all_by_label_contains("throttled").next().is_some(),
        "the panel says it in words"
    );

    // Export it: the dialog shows what it asks for and what the world grants.
    h.state_mut().open_export();
    h.step();
    assert!(h.query_by_label_contains("Sample world grants").is_some());
    assert!(
        h.query_by_label("Game id").is_none(),
        "world scripts have no game id"
    );
    let dest = dir.join("out").join("my-spawner");
    h.state_mut().export_dialog().expect("open").set_dest(&dest);
    h.step();
    let d = h.state().export_dialog_ref().expect("open");
    assert!(d.problems().is_empty(), "{:?}", d.problems());
    settle_widget(&mut h, "Export");
    h.get_by_label("Export").click();
    step_until(&mut h, "the export", |s| {
        s.export_dialog_ref().is_some_and(|d| d.result.is_some())
    });
    let result = h.state().export_dialog_ref().and_then(|d| d.result.clone());
    assert!(matches!(result, Some(Ok(_))), "{result:?}");
    let m = aether_mods::read_world_script_mod(&dest).expect("a world-script mod");
    assert_eq!(m.manifest.id, "my-world-script");
}

/// Two scripts side by side: the edited wave spawner and a bumper added from a file, each with
/// its priority; the setup is saved, and a fresh studio reopens it as it was.
#[test]
fn two_world_scripts_run_side_by_side_and_their_setup_reopens() {
    let dir = temp_dir("setup");
    let waves = dir.join("waves.mcgraph.json");
    let bumper = dir.join("bumper.mcgraph.json");
    creator_studio::studio::world_template(0)
        .save(&waves)
        .expect("save");
    creator_studio::studio::world_template(3)
        .save(&bumper)
        .expect("save");
    let mut h = harness(options(&dir.join("home"), Some(waves.clone())));
    step_until(&mut h, "the world running", |s| {
        s.world.latest.as_ref().is_some_and(|f| f.tick > 0)
    });
    // Setup > Add script…, typed into the path prompt.
    h.get_by_label_contains("Setup: scripts in this world")
        .click();
    h.step();
    h.get_by_label("Add script…").click();
    h.step();
    h.step();
    let prompt = "Type the path of a world-script graph, a .wasm or .wat module, or a mod folder:";
    h.get_by_role_and_label(Role::TextInput, prompt).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_role_and_label(Role::TextInput, prompt)
        .type_text(&bumper.display().to_string());
    h.step();
    h.get_by_label("OK").click();
    step_until(&mut h, "both scripts in the world", |s| {
        s.world.scripts.iter().any(|x| x.name == "bumper")
            && s.world.scripts.iter().any(|x| x.name == "wave-spawner")
    });
    // Priorities differ: the bumper below the graph being edited.
    h.state_mut().world.extra[0].priority = 3;
    h.state_mut().world.priority = 30;
    h.get_by_label("⟲ Restart").click();
    step_until(&mut h, "the new priorities running", |s| {
        let p = |name: &str| {
            s.world
                .scripts
                .iter()
                .find(|x| x.name == name)
                .map(|x| x.priority)
        };
        p("bumper") == Some(3)
            && p("wave-spawner") == Some(30)
            && s.world.latest.as_ref().is_some_and(|f| f.tick > 2)
    });
    assert!(
        h.query_all_by_label_contains("bumper 1.0.0 · priority 3")
            .next()
            .is_some()
    );
    let file = dir.join("two.mcworld.json");
    assert!(h.state_mut().save_setup(&file), "{:?}", h.state().error());

    // A fresh studio on the same graph reopens the setup as it was.
    let mut again = harness(options(&dir.join("home2"), Some(waves.clone())));
    step_until(&mut again, "the world running", |s| {
        s.world.latest.is_some()
    });
    again.state_mut().open_setup(&file);
    step_until(&mut again, "the setup's scripts", |s| {
        s.world
            .scripts
            .iter()
            .any(|x| x.name == "bumper" && x.priority == 3)
            && s.world
                .scripts
                .iter()
                .any(|x| x.name == "wave-spawner" && x.priority == 30)
    });
    assert_eq!(
        again.state().world.extra.len(),
        1,
        "the graph is not added twice"
    );
}

/// Types `path` into the in-app path prompt labelled `prompt` and confirms it.
fn answer_prompt(h: &mut Harness<'_, Studio>, prompt: &str, path: &Path) {
    h.step();
    h.step();
    h.get_by_role_and_label(Role::TextInput, prompt).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_role_and_label(Role::TextInput, prompt)
        .type_text(&path.display().to_string());
    h.step();
    h.get_by_label("OK").click();
    h.step();
    h.step();
}

/// Steps frames until `done` holds, for work on the duel lab's worker (up to two minutes: a
/// batch of 400 games in a debug build on a loaded machine).
fn wait_lab(h: &mut Harness<'_, Studio>, what: &str, done: impl Fn(&Studio) -> bool) {
    let started = Instant::now();
    h.step();
    while !done(h.state()) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "timed out waiting: {what} (lab error: {:?})",
            h.state().duel_lab.error
        );
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    h.step();
    h.step();
}

/// A duel played by a graph not yet saved has no file to name in its replay; once the graph is
/// saved (unchanged), Save replay works without playing the game again, and the replay names
/// the file. (The button stayed disabled until the duel was played again.)
#[test]
fn a_duel_played_before_saving_saves_its_replay_once_the_graph_is_saved() {
    let dir = temp_dir("replay-after-save");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    h.get_by_label("Duel lab").click();
    h.step();
    h.step();
    h.get_by_label("Play duel").click();
    wait_lab(&mut h, "the duel", |s| s.duel_lab.shown.is_some());
    assert!(h.state().duel_lab.shown.as_ref().unwrap().replay.is_none());
    let file = dir.join("unsaved-then-saved.mcgraph.json");
    assert!(h.state_mut().save_to(&file));
    h.step();
    h.get_by_label("Save replay…").click();
    h.step();
    h.step();
    let target = dir.join("game.mcreplay");
    answer_path_prompt(&mut h, &target);
    step_until(&mut h, "the replay saved", |_| target.exists());
    let replay =
        aether_duel::Replay::from_json(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert!(
        replay
            .seats
            .iter()
            .any(|s| s.module.as_deref() == Some(file.display().to_string().as_str())),
        "{:?}",
        replay.seats
    );
}

/// The duel lab as a designer uses it: pick an opponent, play a duel and walk its timeline,
/// run 200 seeds from both seats, open a lost game, save its replay and open it again; a long
/// batch shows its progress and stops when cancelled.
#[test]
fn duels_an_opponent_runs_200_seeds_and_opens_a_lost_game() {
    let dir = temp_dir("duel");
    let file = dir.join("rusher.mcgraph.json");
    creator_studio::studio::template(0)
        .save(&file)
        .expect("save the template");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    h.get_by_label("Duel lab").click();
    h.step();
    h.step();
    // Pick the opponent from the list.
    h.get_by_role_and_label(Role::ComboBox, "Opponent").click();
    h.step();
    h.step();
    h.get_by_label("Hill defender template").click();
    h.step();
    assert_eq!(
        h.state().duel_lab.opponent,
        creator_studio::studio::opponents::Opponent::Template(2)
    );

    // One duel from the first seat: the rusher walks into the defender's line and loses.
    h.get_by_label("Play duel").click();
    wait_lab(&mut h, "the duel", |s| s.duel_lab.shown.is_some());
    let turns = h
        .state()
        .duel_lab
        .shown
        .as_ref()
        .map_or(0, |d| d.frames.len());
    assert!(turns > 2, "a whole duel: {turns} turns");
    assert!(
        h.query_by_label_contains("Your AI lost").is_some(),
        "the result in words"
    );
    assert!(
        h.query_by_label_contains(&format!("Turn 1 of {turns}"))
            .is_some()
    );
    h.get_by_label("Step ▶").click();
    h.step();
    assert!(
        h.query_by_label_contains(&format!("Turn 2 of {turns}"))
            .is_some()
    );
    h.get_by_label("⏭").click();
    h.step();
    assert!(h.query_by_label_contains("The end").is_some());
    h.get_by_label("◀ Step").click();
    h.step();
    assert!(
        h.query_by_label_contains(&format!("Turn {turns} of {turns}"))
            .is_some()
    );
    // Play runs the timeline by itself.
    h.get_by_label("⏮").click();
    h.step();
    h.get_by_label("▶ Play").click();
    wait_lab(&mut h, "the timeline playing", |s| s.duel_lab.turn >= 2);
    h.get_by_label("⏸ Pause").click();
    h.step();
    let paused_at = h.state().duel_lab.turn;
    std::thread::sleep(Duration::from_millis(600));
    h.step();
    assert_eq!(h.state().duel_lab.turn, paused_at, "paused stays put");
    // The hp chart's data: one point per round and before the first, the loser at 0 hp.
    let d = h.state().duel_lab.shown.clone().expect("shown");
    assert_eq!(d.hp.len() as u32, d.rounds + 1);
    if d.by == "elimination" {
        assert_eq!(d.hp.last().map(|hp| hp[0]), Some(0), "{:?}", d.hp.last());
    }

    // 200 seeds from both seats.
    h.get_by_label("Run 200 seeds").click();
    h.step();
    wait_lab(&mut h, "the batch", |s| {
        s.duel_lab.batch.is_some() && !s.duel_lab.busy()
    });
    let b = h.state().duel_lab.batch.clone().expect("batch");
    assert_eq!(b.result.games, 400);
    assert_eq!(b.result.wins + b.result.draws + b.result.losses, 400);
    assert!(
        h.query_by_label_contains("95% sure the true win rate")
            .is_some(),
        "the interval in words"
    );
    assert!(
        h.query_by_label_contains(&format!("won {} of 400 games", b.result.wins))
            .is_some()
    );
    // A run too short for anyone to see its progress bar says how long it took.
    let took = format!(" in {:.1} s", b.took.as_secs_f64());
    assert!(h.query_by_label_contains(&took).is_some(), "{took}");
    assert!(
        h.query_by_label_contains("All 400 games played out the same")
            .is_some(),
        "the templates ignore their seeds: the panel says so ({} distinct)",
        b.result.distinct_games
    );
    let lost = b
        .result
        .per_game
        .iter()
        .find(|g| g.result == "loss" && g.seed == 17)
        .expect("seed 17 lost from one seat");
    let (seed, seat) = (lost.seed, lost.seat);
    assert!(h.query_by_label_contains("Games lost").is_some());
    h.get_by_label(&format!("seed {seed} as player {seat}"))
        .click();
    h.step();
    wait_lab(&mut h, "the lost game", |s| {
        s.duel_lab
            .shown
            .as_ref()
            .is_some_and(|d| d.title.contains("seed 17") && d.mine == Some(seat))
    });
    assert!(h.query_by_label_contains("Your AI lost").is_some());

    // Save its replay, open it again: the same game, every turn rebuilt and checked.
    let replay = dir.join("lost.mcreplay");
    h.get_by_label("Save replay…").click();
    h.step();
    answer_prompt(&mut h, "Type the file to save to:", &replay);
    let text = std::fs::read_to_string(&replay).expect("the replay was written");
    let parsed = aether_duel::Replay::from_json(&text).expect("a replay");
    assert_eq!(parsed.duel_seed, 17);
    let frames_before = h.state().duel_lab.shown.as_ref().map(|d| d.frames.len());
    h.state_mut().duel_lab.shown = None;
    h.get_by_label("Open replay…").click();
    h.step();
    answer_prompt(&mut h, "Type the path of the file:", &replay);
    wait_lab(&mut h, "the replay opened", |s| s.duel_lab.shown.is_some());
    let shown = h.state().duel_lab.shown.clone().expect("shown");
    assert_eq!(Some(shown.frames.len()), frames_before);
    assert_eq!(shown.winner, Some(1 - seat));
    assert!(
        h.query_by_label_contains(&format!("Player {} (", 1 - seat))
            .is_some(),
        "a replay names the winner"
    );
    // The studio plays it again from the modules it names, turn by turn.
    h.get_by_label("Play it again").click();
    wait_lab(&mut h, "the replay played again", |s| {
        s.duel_lab.shown.as_ref().is_some_and(|d| d.again.is_some())
    });
    let words = h
        .state()
        .duel_lab
        .shown
        .as_ref()
        .and_then(|d| d.again.clone())
        .unwrap_or_default();
    assert!(
        words.contains(&format!(
            "all {} turns gave the same bytes",
            shown.frames.len()
        )),
        "{words}"
    );
    assert!(h.query_by_label_contains("gave the same bytes").is_some());
    // The AI's file changed since: playing it again says where the game goes another way, and why.
    let file = dir.join("rusher.mcgraph.json");
    let original = std::fs::read(&file).expect("the graph file");
    creator_studio::studio::template(1)
        .save(&file)
        .expect("overwrite the graph file");
    h.get_by_label("Play it again").click();
    wait_lab(&mut h, "the changed module noticed", |s| {
        s.duel_lab
            .shown
            .as_ref()
            .and_then(|d| d.again.as_deref())
            .is_some_and(|w| w.contains("differs"))
    });
    let words = h
        .state()
        .duel_lab
        .shown
        .as_ref()
        .and_then(|d| d.again.clone())
        .unwrap_or_default();
    assert!(
        words.contains("turn ") && words.contains("changed since the game was recorded"),
        "{words}"
    );
    std::fs::write(&file, original).expect("put the graph back");
    // The CLI plays it again byte for byte.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_creator-studio"))
        .arg("replay")
        .arg(&replay)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run the CLI");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("byte for byte"),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // A long batch shows its progress and stops when cancelled.
    h.state_mut().duel_lab.seeds = 100_000;
    h.step();
    h.get_by_label("Run 100000 seeds").click();
    h.step();
    wait_lab(&mut h, "progress", |s| s.duel_lab.busy());
    // While it runs, the last run's summary is gone: only this run's progress shows. (An old
    // summary of all games lost once stood there after a cancel, as if it were this run's.)
    assert!(h.state().duel_lab.batch.is_none());
    step_until(&mut h, "some games done", |_| true);
    assert!(
        h.query_by_label_contains("of 200000 games").is_some(),
        "a progress bar"
    );
    h.get_by_label("Cancel").click();
    h.step();
    h.step();
    assert!(
        !h.state().duel_lab.busy() || h.query_by_label_contains("Cancelling…").is_some(),
        "the bar says the run is being cancelled"
    );
    wait_lab(&mut h, "the cancelled batch", |s| !s.duel_lab.busy());
    let b = h.state().duel_lab.batch.clone().expect("batch");
    assert!(
        b.cancelled && b.result.games < 200_000,
        "{}",
        b.result.games
    );
    assert!(h.query_by_label_contains("cancelled early").is_some());
}

/// The preview's other players are picked one by one: with player 1 passing, stepping to the
/// next turn leaves its units where they stood; with a template playing it, they move; a file
/// that is not a controller says so instead of stepping.
#[test]
fn each_other_player_is_picked_for_the_next_turn() {
    let dir = temp_dir("others");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let start = h.state().preview.state().cloned().expect("a state");
    let places = |s: &mc_tactical_types::TacticalState| -> Vec<(u32, u16, u16)> {
        s.units
            .iter()
            .filter(|u| u.owner == 1)
            .map(|u| (u.id, u.pos.x, u.pos.y))
            .collect()
    };
    let pick = |h: &mut Harness<'_, Studio>, choice: &str| {
        h.get_by_role_and_label(Role::ComboBox, "Player 1").click();
        h.step();
        h.step();
        h.get_by_label(choice).click();
        h.step();
    };
    pick(&mut h, "nobody (passes)");
    h.get_by_label("Next turn ▶").click();
    settle(&mut h);
    let after = h.state().preview.state().cloned().expect("next state");
    assert_eq!(after.turn, start.turn + 1);
    let before = places(&start);
    for p in places(&after) {
        assert!(before.contains(&p), "a passing player stays put: {p:?}");
    }

    h.get_by_label("◀ Back").click();
    settle(&mut h);
    pick(&mut h, "Melee rusher template");
    h.get_by_label("Next turn ▶").click();
    settle(&mut h);
    let after = h.state().preview.state().cloned().expect("next state");
    assert_ne!(places(&after), places(&start), "the rusher marches");

    // A world script as the other player: refused in words, no step taken.
    h.get_by_label("◀ Back").click();
    settle(&mut h);
    h.state_mut().preview.others[1] = creator_studio::studio::opponents::Opponent::File(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/graphs/bumper.mcgraph.json"),
    );
    h.get_by_label("Next turn ▶").click();
    settle(&mut h);
    assert_eq!(h.state().preview.history.len(), 1);
    assert!(
        h.query_by_label_contains("is a world script, not an AI controller")
            .is_some(),
        "{:?}",
        h.state().preview.failure
    );
}

/// A round robin in the studio: this AI, the templates and a module from a file (compiled in
/// the guarded worker) ranked by rating; a module the host refuses is named, not played.
#[test]
fn a_tournament_ranks_this_ai_the_templates_and_a_file() {
    let dir = temp_dir("tournament");
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/aether-host/tests/fixtures/controllers");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    h.get_by_label("Duel lab").click();
    h.step();
    h.state_mut().duel_lab.seeds = 4;
    h.step();
    h.get_by_label("Tournament").click();
    h.step();
    h.step();
    h.get_by_label("Add a file…").click();
    answer_prompt(
        &mut h,
        "Type the path of an AI graph, a .wasm or .wat module, or a mod folder:",
        &fixtures.join("minimal.wat"),
    );
    assert!(
        h.query_by_label("minimal.wat").is_some(),
        "listed as an entrant"
    );
    h.get_by_label("Run tournament").click();
    wait_lab(&mut h, "the tournament", |s| {
        s.duel_lab.tournament.is_some()
    });
    let t = h.state().duel_lab.tournament.clone().expect("tournament");
    assert_eq!(t.entrants.len(), 7, "{:?}", t.entrants);
    assert_eq!(t.pairings.len(), 21);
    let order = t.ranking();
    let last = &t.entrants[*order.last().expect("ranked")];
    assert!(
        last.contains("minimal"),
        "a module that passes ranks last: {last}"
    );
    assert!(t.entrants.iter().any(|e| e.ends_with("(this AI)")));
    assert!(h.query_by_label("Rating").is_some(), "the table is shown");

    // A module the host refuses: the tournament names it and plays nothing.
    h.get_by_label("Add a file…").click();
    answer_prompt(
        &mut h,
        "Type the path of an AI graph, a .wasm or .wat module, or a mod folder:",
        &fixtures.join("import.wat"),
    );
    h.state_mut().duel_lab.tournament = None;
    h.get_by_label("Run tournament").click();
    wait_lab(&mut h, "the refusal", |s| s.duel_lab.error.is_some());
    let e = h.state().duel_lab.error.clone().unwrap_or_default();
    assert!(e.contains("import.wat") && e.contains("refused"), "{e}");
    assert!(h.state().duel_lab.tournament.is_none());
}

/// Nodes far outside the view are not laid out (the frame's cost stays with what is seen), and
/// come back whole when the view reaches them: drawn, with ports that take a wire.
#[test]
fn nodes_out_of_view_are_skipped_and_come_back_when_reached() {
    let dir = temp_dir("culling");
    let file = dir.join("far.mcgraph.json");
    let mut g = VisualScriptGraph::new();
    g.name = "far".into();
    g.version = "1.0.0".into();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [300.0, 0.0]);
    let fortify = g.add_node("fortify", [300.0, 9000.0]);
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(fortify, "exec"));
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    h.state_mut().canvas_mut().zoom_to(1.0);
    h.state_mut().canvas_mut().focus(turn);
    step_until(&mut h, "the first node in view", |s| {
        s.canvas().node_rect(turn).is_some()
    });
    // Once drawn, the far node is skipped while it is out of view.
    h.state_mut().canvas_mut().focus(fortify);
    step_until(&mut h, "the far node drawn", |s| {
        s.canvas().node_rect(fortify).is_some()
    });
    h.state_mut().canvas_mut().focus(turn);
    step_until(&mut h, "the far node skipped", |s| {
        s.canvas().node_rect(fortify).is_none() && s.canvas().node_rect(turn).is_some()
    });
    assert!(
        h.state()
            .canvas()
            .port_pos(fortify, "unit", false)
            .is_none(),
        "no port of a skipped node is offered to a dropped wire"
    );
    // Back in view: drawn again where the view puts it, and its port takes a wire.
    h.state_mut().canvas_mut().focus(fortify);
    step_until(&mut h, "the far node back", |s| {
        s.canvas().node_rect(fortify).is_some()
    });
    h.step();
    let rect = h.state().canvas().node_rect(fortify).expect("drawn");
    let screen = h.state().canvas().screen_at([300.0, 9000.0]);
    assert!(
        rect.min.distance(screen) < 40.0,
        "drawn at its place: {rect:?} against {screen:?}"
    );
    add_from_palette(&mut h, "For Each Unit");
    let second = nodes_of(&h, "for_each_unit")
        .into_iter()
        .find(|n| *n != each)
        .expect("a second loop");
    h.state_mut().canvas_mut().focus(fortify);
    step_until(&mut h, "both in view", |s| {
        s.canvas().port_pos(second, "unit", true).is_some()
            && s.canvas().port_pos(fortify, "unit", false).is_some()
    });
    wire(&mut h, (second, "unit"), (fortify, "unit"));
    assert!(link_exists(
        h.state().document().graph(),
        (second, "unit"),
        (fortify, "unit")
    ));
}

/// Where the fuel goes: ticking the box measures the previewed turn node by node; the panel
/// lists the shares largest first with the runtime's own line, each node on the canvas shows
/// its share, and the shares add up to the turn's fuel.
#[test]
fn the_preview_shows_where_the_fuel_goes() {
    let dir = temp_dir("fuel");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    h.get_by_label("Where the fuel goes").click();
    h.step();
    settle(&mut h);
    step_until(&mut h, "the measured turn", |s| {
        s.preview
            .shown
            .as_ref()
            .is_some_and(|(v, _)| matches!(v.trace, Some(Ok(_))))
    });
    let (view, _) = h.state().preview.shown.clone().expect("a turn");
    let trace = match &view.trace {
        Some(Ok(t)) => t.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(trace.total_fuel, view.report.fuel_used);
    assert_eq!(
        trace.nodes.iter().map(|n| n.fuel).sum::<u64>() + trace.runtime_fuel,
        trace.total_fuel
    );
    assert!(
        h.query_by_label("reading the state and writing the reply")
            .is_some(),
        "the runtime's own line"
    );
    let hottest = trace
        .nodes
        .iter()
        .max_by_key(|n| n.fuel)
        .expect("a node used fuel");
    step_until(&mut h, "the canvas marks", |s| {
        s.canvas().heat(hottest.id).is_some()
    });
    let (fuel, share) = h.state().canvas().heat(hottest.id).expect("marked");
    assert_eq!(fuel, hottest.fuel);
    let label = format!("{:.0}%", share * 100.0);
    h.state_mut().canvas_mut().focus(hottest.id);
    step_until(&mut h, "the hottest node in view", |s| {
        s.canvas().node_rect(hottest.id).is_some()
    });
    assert!(
        h.query_all_by_label(&label).next().is_some(),
        "{label} on the node"
    );
    // Unticked: the marks go.
    h.get_by_label("Where the fuel goes").click();
    step_until(&mut h, "no marks", |s| {
        s.canvas().heat(hottest.id).is_none()
    });
}

/// Values on ports: hovering For Each Unit's Unit output shows the unit of the iteration picked
/// in the preview (described as a creator reads it), and another iteration shows another unit.
#[test]
fn hovering_a_port_shows_its_value_in_the_previewed_turn() {
    let dir = temp_dir("values");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let each = only(&h, "for_each_unit");
    let at = hover_port(&mut h, each, "unit", true);
    let text = h.state().canvas().value_text_at(at).expect("a value");
    assert!(
        text.starts_with("Unit = ") && text.contains("#1 (hp ") && text.contains("iteration 1 of"),
        "{text}"
    );
    assert!(
        h.query_by_label_contains("iteration 1 of").is_some(),
        "shown by the pointer"
    );
    h.state_mut().preview.iteration = 1;
    step_until(&mut h, "the second iteration", |s| {
        s.canvas()
            .value_text_at(at)
            .is_some_and(|t| t.contains("#2 (hp ") && t.contains("iteration 2 of"))
    });
}

/// Why a unit did not attack, without reading code: in the rusher's first turn on the battle
/// sample no enemy is in reach, so its Attack never runs; hovering the Attack node says which
/// Branch went the other way and what its condition was every time.
#[test]
fn hovering_an_action_that_never_ran_says_why() {
    let dir = temp_dir("whynot");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let attacks = nodes_of(&h, "attack");
    let first = *attacks.iter().min().expect("the rusher attacks");
    let why = h
        .state()
        .canvas()
        .why_not(first)
        .expect("the first Attack never ran in this turn")
        .to_owned();
    assert!(
        why.contains("never took True") && why.contains("Condition was false all 20 times"),
        "{why}"
    );
    // The same words appear when the node is hovered.
    h.state_mut().canvas_mut().focus(first);
    step_until(&mut h, "the attack in view", |s| {
        s.canvas().node_rect(first).is_some()
    });
    h.step();
    let centre = h.state().canvas().node_rect(first).expect("drawn").center();
    h.hover_at(centre);
    h.step();
    std::thread::sleep(Duration::from_millis(600));
    h.step();
    h.step();
    assert!(
        h.query_by_label_contains("In the previewed turn: Attack")
            .is_some(),
        "the hover help says why"
    );
}

/// Breakpoints and stepping: F9 on the rusher's scouting Move Toward, Run pauses before it with
/// the values so far on the ports (the first unit of the loop), Continue pauses before its second
/// run (the second unit), Step into goes to the next node, Stop ends the pause.
#[test]
fn a_breakpoint_pauses_the_turn_and_steps_show_the_values_so_far() {
    let dir = temp_dir("debugger");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let moves = nodes_of(&h, "move_toward");
    let scout = *moves.iter().max().expect("the scouting move");
    let each = only(&h, "for_each_unit");
    h.state_mut().canvas_mut().select(&[scout]);
    h.step();
    h.key_press(egui::Key::F9);
    step_until(&mut h, "the breakpoint mark", |s| {
        s.canvas().has_breakpoint(scout)
    });
    h.get_by_label("▶ Run to breakpoint").click();
    step_until(&mut h, "paused", |s| s.debugger.cursor.is_some());
    h.step();
    assert!(
        h.query_by_label_contains(&format!("Paused before Move Toward {scout} (time 1"))
            .is_some()
    );
    h.state_mut().canvas_mut().focus(each);
    step_until(&mut h, "the loop in view", |s| {
        s.canvas().port_pos(each, "unit", true).is_some()
    });
    h.step();
    let at = h
        .state()
        .canvas()
        .port_pos(each, "unit", true)
        .expect("drawn");
    let first = h
        .state()
        .canvas()
        .value_text_at(at)
        .expect("a value so far");
    assert!(first.contains("#1 (hp "), "{first}");
    // The path taken so far is drawn on the wires: into the loop, and from its body on.
    let graph = h.state().document().graph().clone();
    let turn = only(&h, "on_turn");
    assert!(h.state().canvas().on_path(
        &aether_lang::graph::PortRef::new(turn, "then"),
        &aether_lang::graph::PortRef::new(each, "exec")
    ));
    let into_scout = graph
        .links_into(&aether_lang::graph::PortRef::new(scout, "exec"))
        .next()
        .expect("the scout is wired")
        .clone();
    assert!(
        h.state().canvas().on_path(&into_scout.from, &into_scout.to),
        "the wire into the paused node"
    );
    let attack = *nodes_of(&h, "attack").iter().min().expect("an attack");
    let into_attack = graph
        .links_into(&aether_lang::graph::PortRef::new(attack, "exec"))
        .next()
        .expect("the attack is wired")
        .clone();
    assert!(
        !h.state()
            .canvas()
            .on_path(&into_attack.from, &into_attack.to),
        "not the wire the turn never took"
    );
    let paused = h.state().debugger.cursor;
    h.get_by_label("Continue").click();
    step_until(&mut h, "the second pause", |s| s.debugger.cursor != paused);
    // Where it paused is brought into view (the loop was being looked at).
    step_until(&mut h, "the paused node in view", |s| {
        let view = s.canvas().view_rect();
        s.canvas()
            .node_rect(scout)
            .is_some_and(|r| view.contains_rect(r))
    });
    h.state_mut().canvas_mut().focus(each);
    step_until(&mut h, "the loop in view again", |s| {
        s.canvas().port_pos(each, "unit", true).is_some()
    });
    h.step();
    let at = h
        .state()
        .canvas()
        .port_pos(each, "unit", true)
        .expect("drawn");
    step_until(&mut h, "the second unit's value", |s| {
        s.canvas()
            .value_text_at(at)
            .is_some_and(|t| t.contains("#2 (hp "))
    });
    h.step();
    assert!(
        h.query_by_label_contains(&format!("Paused before Move Toward {scout} (time 2"))
            .is_some()
    );
    let before = h.state().debugger.cursor;
    h.get_by_label("Step into").click();
    step_until(&mut h, "one step on", |s| s.debugger.cursor != before);
    h.get_by_label("Stop").click();
    step_until(&mut h, "no pause", |s| s.debugger.cursor.is_none());
    h.step();
    assert!(h.query_by_label_contains("Paused before").is_none());
}

/// A watch: W over a port pins its value beside it, shown after the pointer leaves and
/// following the preview; W again unpins it.
#[test]
fn a_pinned_watch_stays_on_the_canvas() {
    let dir = temp_dir("watch");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let each = only(&h, "for_each_unit");
    let at = hover_port(&mut h, each, "unit", true);
    h.key_press(egui::Key::W);
    step_until(&mut h, "the watch pinned", |s| {
        s.canvas().watching(each, "unit")
    });
    // The pointer goes elsewhere: the value stays.
    h.hover_at(at + egui::vec2(0.0, 300.0));
    h.step();
    h.step();
    assert!(
        h.query_by_label_contains("👁 Unit = ").is_some(),
        "the pinned value is on the canvas"
    );
    h.hover_at(at);
    h.step();
    h.key_press(egui::Key::W);
    step_until(&mut h, "the watch unpinned", |s| {
        !s.canvas().watching(each, "unit")
    });
    h.hover_at(at + egui::vec2(0.0, 300.0));
    h.step();
    h.step();
    assert!(h.query_by_label_contains("👁 Unit = ").is_none());
}

/// Clicks at `p`: press and release without moving.
fn click_at(h: &mut Harness<'_, Studio>, p: egui::Pos2) {
    h.hover_at(p);
    h.step();
    h.drag_at(p);
    h.step();
    h.drop_at(p);
    h.step();
    h.step();
}

/// Why a unit did not attack, by clicks only: clicking the rusher's first Attack (it never ran
/// in this turn) shows "Why not?" in the debugger with the Branch that went the other way, and
/// its button selects that Branch. The faint dot on the node's title, clicked, sets a
/// breakpoint; clicked again, removes it.
#[test]
fn clicking_an_action_that_never_ran_shows_why_and_leads_to_the_branch() {
    let dir = temp_dir("whyclick");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let first = *nodes_of(&h, "attack")
        .iter()
        .min()
        .expect("the rusher attacks");
    h.state_mut().canvas_mut().focus(first);
    step_until(&mut h, "the attack in view", |s| {
        s.canvas().node_rect(first).is_some()
    });
    h.step();
    let rect = h.state().canvas().node_rect(first).expect("drawn");
    click_at(&mut h, rect.left_top() + egui::vec2(12.0, 10.0));
    step_until(&mut h, "the attack selected", |s| {
        s.canvas().selection() == vec![first]
    });
    h.step();
    let title = format!("Why not? (Attack {first}, selected)");
    assert!(h.query_by_label_contains(&title).is_some(), "{title}");
    let branch = h
        .state()
        .document()
        .graph()
        .links_into(&PortRef::new(first, "exec"))
        .next()
        .expect("wired")
        .from
        .node;
    assert!(
        h.query_by_label_contains(&format!(
            "Branch {branch} never took True: its Condition was false all 20 times"
        ))
        .is_some(),
        "the reason, in words"
    );
    h.get_by_label(&format!("Show Branch {branch}")).click();
    step_until(&mut h, "the branch selected", |s| {
        s.canvas().selection() == vec![branch]
    });

    // A breakpoint by clicking the dot on the Attack's title.
    let rect = h.state().canvas().node_rect(first).expect("drawn");
    h.hover_at(rect.center());
    h.step();
    h.step();
    h.get_by_label("○").click();
    step_until(&mut h, "the breakpoint set", |s| {
        s.debugger.breakpoints.contains(&first)
    });
    h.step();
    assert!(h.state().canvas().has_breakpoint(first));
    h.get_by_label("●").click();
    step_until(&mut h, "the breakpoint removed", |s| {
        !s.debugger.breakpoints.contains(&first)
    });
}

/// An action the rules refused: a purpose-built graph attacks with each unit its own unit (a
/// wiring mistake). The preview lists each try the rules refused, with their reason; clicking
/// one selects the Attack and the debugger says why it sent nothing.
#[test]
fn a_refused_try_is_listed_and_a_click_shows_its_node_and_why() {
    let dir = temp_dir("refused");
    let file = dir.join("self-attack.mcgraph.json");
    let mut g = VisualScriptGraph::new();
    g.name = "self-attack".into();
    g.version = "1.0.0".into();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [260.0, 0.0]);
    let attack = g.add_node("attack", [560.0, 0.0]);
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(attack, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(attack, "unit"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(attack, "target"));
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    assert!(
        h.query_by_label_contains("Tried but refused by the rules, so not sent: 20")
            .is_some(),
        "every try refused"
    );
    assert!(h.state().canvas().selection().is_empty());
    h.get_by_label_contains(&format!(
        "✖ Attack {attack}: unit 1 attacks unit 1 — unit 1 is on the same side"
    ))
    .click();
    step_until(&mut h, "the attack selected", |s| {
        s.canvas().selection() == vec![attack]
    });
    h.step();
    assert!(
        h.query_by_label_contains(&format!(
            "Attack {attack} ran 20 times and sent nothing: the rules refused"
        ))
        .is_some(),
        "the debugger says why"
    );
}

/// Debugging a turn of a duel: in the lab, a turn the rusher played late in a duel (one where it
/// attacked) opens in the turn preview with its state, seat and seed; the preview proposes
/// exactly the actions the duel recorded, and hovering a port reads its value in that turn.
#[test]
fn a_duel_turn_opens_in_the_preview_with_what_really_ran() {
    let dir = temp_dir("duelturn");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    h.get_by_label("Duel lab").click();
    h.step();
    h.step();
    h.get_by_label("Play duel").click();
    wait_lab(&mut h, "the duel", |s| s.duel_lab.shown.is_some());
    let (turn, slot, proposed) = {
        let d = h.state().duel_lab.shown.as_ref().expect("shown");
        let mine = d.mine.expect("the edited AI played");
        let (i, f) = d
            .frames
            .iter()
            .enumerate()
            .rev()
            .find(|(_, f)| {
                f.slot == mine
                    && f.actions
                        .iter()
                        .any(|a| matches!(a.action, mc_tactical_types::Action::Attack { .. }))
            })
            .expect("the rusher attacks at some point");
        let proposed: Vec<_> = f.actions.iter().map(|a| a.action).collect();
        (i, f.slot, proposed)
    };
    h.state_mut().duel_lab.turn = turn;
    h.step();
    h.get_by_label(&format!("🔍 Debug this turn as player {slot}"))
        .click();
    h.step();
    settle(&mut h);
    let s = h.state();
    assert_eq!(s.right_tab, creator_studio::studio::RightTab::Preview);
    assert_eq!(s.preview.slot, slot);
    assert!(
        s.preview.samples[s.preview.sample]
            .name
            .starts_with(&format!("duel turn {}", turn + 1)),
        "{}",
        s.preview.samples[s.preview.sample].name
    );
    let (view, _) = s.preview.shown.as_ref().expect("a previewed turn");
    let previewed: Vec<_> = view.report.actions.iter().map(|a| a.action).collect();
    assert_eq!(previewed, proposed, "the same actions as the duel's turn");
    // A value on a wire, in that turn.
    let each = only(&h, "for_each_unit");
    let at = hover_port(&mut h, each, "unit", true);
    let text = h.state().canvas().value_text_at(at).expect("a value");
    assert!(
        text.starts_with("Unit = ") && text.contains("(hp "),
        "{text}"
    );
}

/// Debugging a world script from what really ran: the wave spawner runs in the village; the
/// canvas reads each port's value in the newest event it answered (the crate Spawn Entity made,
/// as the world has it), a node of another event says it does not answer this one, and a
/// breakpoint on Spawn Entity pauses the world on the event that reaches it, with the debugger
/// stepping through it.
#[test]
fn a_world_script_shows_its_values_and_pauses_at_a_breakpoint() {
    let dir = temp_dir("worlddebug");
    let waves = dir.join("waves.mcgraph.json");
    creator_studio::studio::world_template(0)
        .save(&waves)
        .expect("save");
    let mut h = harness(options(&dir.join("home"), Some(waves)));
    let spawn = only(&h, "spawn_entity");
    let on_spawned = only(&h, "on_entity_spawned");
    let ran = move |s: &Studio, node| {
        s.world.inside.shown().is_some_and(|(_, e)| {
            e.trace
                .iter()
                .any(|t| matches!(t, aether_lang::interp::TraceEvent::Ran(n) if *n == node))
        })
    };
    assert!(
        run_like_a_window(&mut h, |s| ran(s, spawn)),
        "the spawner's event shows inside the graph"
    );
    // Keep looking at that event while the world goes on.
    h.state_mut().world.inside.picked = h.state().world.inside.shown().map(|(s, _)| s);
    let at = hover_port(&mut h, spawn, "entity", true);
    let text = h.state().canvas().value_text_at(at).expect("a value");
    assert!(
        text.starts_with("Entity = ") && text.contains('#'),
        "{text}"
    );
    // The other event's node did not run in this one, and says so.
    let why = h
        .state()
        .canvas()
        .why_not(on_spawned)
        .expect("it did not run in this event")
        .to_owned();
    assert!(why.contains("this event is not one it answers"), "{why}");
    // Where that event's fuel went: the table, and Spawn Entity's share on the canvas.
    h.get_by_label("Where the fuel goes").click();
    step_until(&mut h, "the heat marks", |s| {
        s.canvas().heat(spawn).is_some()
    });
    h.step();
    assert!(
        h.query_by_label_contains("This event's handler used")
            .is_some()
            && h.query_by_label_contains("reading the event, answering it")
                .is_some(),
        "the fuel table"
    );
    let (fuel, share) = h.state().canvas().heat(spawn).expect("measured");
    assert!(fuel > 0 && share > 0.0 && share < 1.0, "{fuel} {share}");

    // A breakpoint on Spawn Entity: the world pauses when the graph reaches it.
    h.state_mut().world.inside.picked = None;
    h.state_mut().canvas_mut().select(&[spawn]);
    h.step();
    h.key_press(egui::Key::F9);
    step_until(&mut h, "the breakpoint", |s| {
        s.debugger.breakpoints.contains(&spawn)
    });
    assert!(
        run_like_a_window(&mut h, |s| s.debugger.cursor.is_some()),
        "the world paused at the breakpoint"
    );
    assert!(!h.state().world.playing, "the world is paused");
    h.step();
    assert!(
        h.query_by_label_contains(&format!("Paused before Spawn Entity {spawn}"))
            .is_some(),
        "the debugger says where"
    );
    let before = h.state().debugger.cursor;
    h.get_by_label("Step over").click();
    step_until(&mut h, "a step", |s| s.debugger.cursor != before);
}

/// Select: a value chosen by a condition, of the type set on the node. A purpose-built AI
/// attacks the nearest enemy or the weakest in range by a Yes/No; it plays, hovering Select's
/// output reads the unit it chose; switching its Type to Number makes its unit wires wrong
/// (the ports follow the type) and undo puts it back.
#[test]
fn select_chooses_a_value_of_the_type_set_on_it() {
    let dir = temp_dir("select");
    let file = dir.join("select.mcgraph.json");
    let mut g = VisualScriptGraph::new();
    g.name = "select".into();
    g.version = "1.0.0".into();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [220.0, 0.0]);
    let near = g.add_node("nearest_enemy", [220.0, 220.0]);
    let weak = g.add_node("weakest_enemy_in_range", [220.0, 360.0]);
    let select = g.add_node("select", [500.0, 220.0]);
    let walk = g.add_node("move_toward", [760.0, 0.0]);
    let at = g.add_node("unit_position", [500.0, 420.0]);
    g.set_value(select, "type", Value::Choice("unit".into()));
    g.set_value(select, "condition", Value::Bool(true));
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(walk, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(walk, "unit"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(near, "unit"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(weak, "unit"));
    g.connect(PortRef::new(near, "enemy"), PortRef::new(select, "if_true"));
    g.connect(
        PortRef::new(weak, "enemy"),
        PortRef::new(select, "if_false"),
    );
    g.connect(PortRef::new(select, "value"), PortRef::new(at, "unit"));
    g.connect(PortRef::new(at, "position"), PortRef::new(walk, "to"));
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    assert!(
        !aether_lang::check::has_errors(h.state().document().diagnostics()),
        "{:?}",
        h.state().document().diagnostics()
    );
    assert!(h.state().preview.stale.is_none());
    let out = hover_port(&mut h, select, "value", true);
    let text = h.state().canvas().value_text_at(out).expect("a value");
    assert!(text.starts_with("Value = "), "{text}");

    // Its Type set to Number: the unit wires into and out of it no longer fit.
    h.get_all_by_value("Unit")
        .find(|n| n.accesskit_node().role() == Role::ComboBox)
        .expect("Select's Type")
        .click();
    h.step();
    // The popup's "Number" (the palette lists a Number node too).
    h.get_all_by_label("Number")
        .last()
        .expect("the choice")
        .click();
    settle(&mut h);
    let mismatches = h
        .state()
        .document()
        .diagnostics()
        .iter()
        .filter(|d| d.code == "type-mismatch")
        .count();
    assert_eq!(mismatches, 3, "{:?}", h.state().document().diagnostics());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    settle(&mut h);
    assert!(!aether_lang::check::has_errors(
        h.state().document().diagnostics()
    ));
}

/// Find (Ctrl+F): typing a node's name lists its nodes, Enter goes to each in turn (selected and
/// brought into view); a comment is found by its text; a variable's Find usages (🔍 in the
/// Variables panel) selects every node that uses it.
#[test]
fn find_goes_to_nodes_comments_and_a_variables_uses() {
    let dir = temp_dir("findgraph");
    let file = dir.join("vars.mcgraph.json");
    let (mut g, get) = variable_graph();
    g.name = "vars".into();
    g.version = "1.0.0".into();
    let set = g.add_node("set_variable", [900.0, 600.0]);
    g.set_value(set, "variable", Value::Choice("goal".into()));
    g.comments.push(aether_lang::graph::Comment {
        pos: [2000.0, 1500.0],
        size: [240.0, 80.0],
        text: "Far away: the retreat plan".into(),
    });
    g.save(&file).expect("save");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    let walk = only(&h, "move_toward");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    step_until(&mut h, "the find bar", |s| s.find.open);
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Find in graph")
        .type_text("move");
    step_until(&mut h, "a match", |s| !s.find.results().is_empty());
    h.step();
    assert!(
        h.query_by_label(&format!("Move Toward {walk}")).is_some(),
        "listed under the bar"
    );
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the node selected", |s| {
        s.canvas().selection() == vec![walk]
    });
    step_until(&mut h, "the node in view", |s| {
        s.canvas().node_rect(walk).is_some()
    });

    // A comment by its text: the view goes there.
    h.get_by_role_and_label(Role::TextInput, "Find in graph")
        .focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_role_and_label(Role::TextInput, "Find in graph")
        .type_text("retreat");
    step_until(&mut h, "the comment found", |s| s.find.results().len() == 1);
    h.step();
    let before = h.state().canvas().centre();
    h.get_by_label("comment: Far away: the retreat plan")
        .click();
    step_until(&mut h, "the view at the comment", |s| {
        let c = s.canvas().centre();
        (c[0] - 2000.0).abs() < 5.0 && (c[1] - 1500.0).abs() < 5.0
    });
    assert_ne!(before, h.state().canvas().centre());
    h.key_press(egui::Key::Escape);
    step_until(&mut h, "the bar closed", |s| !s.find.open);

    // Find usages of the variable (the first listed, goal): both nodes that use it.
    h.get_all_by_label("🔍")
        .next()
        .expect("goal's Find usages")
        .click();
    step_until(&mut h, "the uses selected", |s| {
        let mut sel = s.canvas().selection();
        sel.sort();
        sel == vec![get, set]
    });
}

/// Double-clicks at `p` (in a harness whose frames are a sixtieth of a second apart). Clicks
/// within 0.6 s of earlier ones would count as a triple click, so the simulated clock first
/// moves on that long.
fn double_click_at(h: &mut Harness<'_, Studio>, p: egui::Pos2) {
    for _ in 0..40 {
        h.step();
    }
    h.hover_at(p);
    h.step();
    // Released where pressed, the pointer staying there (as a mouse does).
    for _ in 0..2 {
        h.drag_at(p);
        h.step();
        h.event(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: egui::Modifiers::NONE,
        });
        h.step();
    }
    h.step();
}

/// Reroute dots: a double click on the rusher's first execution wire and on a unit wire puts a
/// dot on each (the flow kind on the white wire, a Unit one on the unit wire); the AI plays the
/// same turn through them; undo takes them out again, leaving the graph exactly as it was.
#[test]
fn double_clicking_a_wire_puts_a_reroute_dot_on_it() {
    let dir = temp_dir("reroute");
    // Frames a sixtieth of a second apart, so two clicks can be a double click (egui wants
    // them within 0.3 s; the harness's default frame is a quarter of a second).
    let studio = Studio::new(options(&dir.join("home"), None));
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, s: &mut Studio| s.frame(ui), studio);
    settle(&mut h);
    let original = h.state().document().graph().to_json();
    let actions = actions_line(&h);
    let turn = only(&h, "on_turn");
    let each = only(&h, "for_each_unit");
    h.state_mut().canvas_mut().frame_all();
    step_until(&mut h, "the wire's ends drawn", |s| {
        s.canvas().port_pos(turn, "then", true).is_some()
            && s.canvas().port_pos(each, "exec", false).is_some()
    });
    h.step();
    let a = h.state().canvas().port_pos(turn, "then", true).unwrap();
    let b = h.state().canvas().port_pos(each, "exec", false).unwrap();
    double_click_at(&mut h, a + (b - a) / 2.0);
    step_until(&mut h, "a flow dot", |s| {
        s.document()
            .graph()
            .nodes()
            .any(|n| n.kind == "reroute_exec")
    });
    let dot = only(&h, "reroute_exec");
    let g = h.state().document().graph().clone();
    assert!(link_exists(&g, (turn, "then"), (dot, "exec")));
    assert!(link_exists(&g, (dot, "then"), (each, "exec")));
    assert!(!link_exists(&g, (turn, "then"), (each, "exec")));

    // A data wire: the loop's unit into Weakest Enemy In Range.
    let walk = only(&h, "weakest_enemy_in_range");
    h.state_mut().canvas_mut().frame_all();
    step_until(&mut h, "the unit wire's ends drawn", |s| {
        s.canvas().port_pos(each, "unit", true).is_some()
            && s.canvas().port_pos(walk, "unit", false).is_some()
    });
    h.step();
    let a = h.state().canvas().port_pos(each, "unit", true).unwrap();
    let b = h.state().canvas().port_pos(walk, "unit", false).unwrap();
    double_click_at(&mut h, a + (b - a) / 2.0);
    step_until(&mut h, "a unit dot", |s| {
        s.document().graph().nodes().any(|n| n.kind == "reroute")
    });
    let unit_dot = only(&h, "reroute");
    let g = h.state().document().graph().clone();
    assert_eq!(
        g.node(unit_dot).and_then(|n| n.values.get("type")),
        Some(&Value::Choice("unit".into()))
    );
    assert!(link_exists(&g, (each, "unit"), (unit_dot, "in")));
    assert!(link_exists(&g, (unit_dot, "out"), (walk, "unit")));
    settle(&mut h);
    assert!(!aether_lang::check::has_errors(
        h.state().document().diagnostics()
    ));
    assert_eq!(actions_line(&h), actions, "the same turn through the dots");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    settle(&mut h);
    assert_eq!(h.state().document().graph().to_json(), original);
}

/// Frames: C puts a frame around the selected nodes; dragging its title moves it with the nodes
/// in it (the others stay); dragging its corner resizes it; undo takes each back, to the graph
/// exactly as it was.
#[test]
fn a_frame_carries_its_nodes_and_resizes() {
    let dir = temp_dir("frames");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let original = h.state().document().graph().to_json();
    let turn = only(&h, "on_turn");
    let each = only(&h, "for_each_unit");
    let other = only(&h, "weakest_enemy_in_range");
    h.state_mut().canvas_mut().frame_all();
    step_until(&mut h, "the nodes drawn", |s| {
        s.canvas().node_rect(turn).is_some() && s.canvas().node_rect(each).is_some()
    });
    h.state_mut().canvas_mut().select(&[turn, each]);
    h.step();
    let had = h.state().document().graph().comments.len();
    h.key_press(egui::Key::C);
    step_until(&mut h, "a frame", |s| {
        s.document().graph().comments.len() == had + 1
    });
    h.step();
    let k = had;
    let pos = |g: &VisualScriptGraph, n: NodeId| g.node(n).expect("node").pos;
    let z = h.state().canvas().zoom();

    // Drag the corner 30 px right, 20 down: it grows, nothing moves.
    let g0 = h.state().document().graph().clone();
    let c = g0.comments[k].clone();
    let corner = h
        .state()
        .canvas()
        .screen_at([c.pos[0] + c.size[0], c.pos[1] + c.size[1]])
        - egui::vec2(5.0, 5.0);
    drag(&mut h, corner, corner + egui::vec2(30.0, 20.0));
    h.step();
    let g1 = h.state().document().graph().clone();
    let grown = [
        g1.comments[k].size[0] - c.size[0],
        g1.comments[k].size[1] - c.size[1],
    ];
    assert!(
        (grown[0] - 30.0 / z).abs() < 1.0 && (grown[1] - 20.0 / z).abs() < 1.0,
        "resized by the drag: {grown:?}"
    );
    assert_eq!(pos(&g0, turn), pos(&g1, turn), "resizing moves nothing");

    // Drag the title 100 px right, 60 down: the nodes in it go along, the others stay (even
    // the one it passes over).
    let frame = g1.comments[k].clone();
    let grip = h.state().canvas().screen_at(frame.pos) + egui::vec2(30.0, 8.0);
    drag(&mut h, grip, grip + egui::vec2(100.0, 60.0));
    h.step();
    let g2 = h.state().document().graph().clone();
    let moved = [
        g2.comments[k].pos[0] - frame.pos[0],
        g2.comments[k].pos[1] - frame.pos[1],
    ];
    assert!(
        (moved[0] - 100.0 / z).abs() < 1.0 && (moved[1] - 60.0 / z).abs() < 1.0,
        "the frame moved by the drag: {moved:?}"
    );
    for n in [turn, each] {
        let (a, b) = (pos(&g1, n), pos(&g2, n));
        assert!(
            (b[0] - a[0] - moved[0]).abs() < 0.01 && (b[1] - a[1] - moved[1]).abs() < 0.01,
            "node {n} went with it"
        );
    }
    assert_eq!(pos(&g1, other), pos(&g2, other), "a node outside stays");

    for _ in 0..3 {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
        h.step();
    }
    settle(&mut h);
    assert_eq!(h.state().document().graph().to_json(), original);
}

/// The kinds of the units the previewed turn fortified (by whichever call).
fn fortified(s: &Studio) -> std::collections::BTreeSet<String> {
    let Some((v, _)) = &s.preview.shown else {
        return Default::default();
    };
    v.run_trace
        .iter()
        .filter_map(|e| match e {
            aether_lang::interp::TraceEvent::Sent(
                _,
                mc_tactical_types::Action::Fortify { unit },
            ) => v.before.unit(*unit).map(|u| u.kind.name().to_owned()),
            _ => None,
        })
        .collect()
}

/// Functions: a wounded-unit check and its Fortify made into a function with Ctrl+G; a second
/// call added from the Functions panel and wired for the units that are not archers; the
/// function opened by double-clicking its first call and edited once on its own canvas (its
/// Compare now A ≥ B): both calls change what the preview's units do. The breadcrumb leads
/// back; undo restores the graph exactly.
#[test]
fn a_function_made_from_a_selection_is_used_twice_and_edited_once() {
    let dir = temp_dir("function");
    let file = dir.join("fortify.mcgraph.json");
    let mut g = VisualScriptGraph::new();
    g.name = "fortify".into();
    g.version = "1.0.0".into();
    let turn = g.add_node("on_turn", [0.0, 0.0]);
    let each = g.add_node("for_each_unit", [240.0, 0.0]);
    let archer = g.add_node("kind_is", [240.0, 240.0]);
    let which = g.add_node("branch", [520.0, 0.0]);
    let hurt = g.add_node("branch", [800.0, 0.0]);
    let compare = g.add_node("compare", [800.0, 240.0]);
    let hp = g.add_node("unit_hp", [520.0, 300.0]);
    let fortify = g.add_node("fortify", [1060.0, 0.0]);
    g.set_value(archer, "kind", Value::Choice("archer".into()));
    g.connect(PortRef::new(turn, "then"), PortRef::new(each, "exec"));
    g.connect(PortRef::new(each, "body"), PortRef::new(which, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(archer, "unit"));
    g.connect(
        PortRef::new(archer, "value"),
        PortRef::new(which, "condition"),
    );
    g.connect(PortRef::new(which, "true"), PortRef::new(hurt, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(hp, "unit"));
    g.connect(PortRef::new(hp, "value"), PortRef::new(compare, "a"));
    g.connect(
        PortRef::new(compare, "result"),
        PortRef::new(hurt, "condition"),
    );
    g.connect(PortRef::new(hurt, "true"), PortRef::new(fortify, "exec"));
    g.connect(PortRef::new(each, "unit"), PortRef::new(fortify, "unit"));
    g.save(&file).expect("save");
    let studio = Studio::new(options(&dir.join("home"), Some(file)));
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, s: &mut Studio| s.frame(ui), studio);
    settle(&mut h);
    let original = h.state().document().graph().clone();
    assert!(fortified(h.state()).is_empty(), "no unit has hp below 0");

    // Ctrl+G on the inner Branch and the Fortify.
    h.state_mut().canvas_mut().select(&[hurt, fortify]);
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::G);
    step_until(&mut h, "the function made", |s| {
        s.document().graph().functions().count() == 1
    });
    let g = h.state().document().graph();
    let f = g.functions().next().expect("made").clone();
    assert_eq!(f.name, "My function");
    assert_eq!(f.inputs.len(), 1, "its Unit: {f:?}");
    let first = g.calls_of(f.id)[0];
    assert_eq!(g.node(hurt).and_then(|n| n.function), Some(f.id));
    assert_eq!(g.node(compare).and_then(|n| n.function), Some(f.id));
    assert!(link_exists(g, (which, "true"), (first, "exec")));
    settle(&mut h);
    assert!(!aether_lang::check::has_errors(
        h.state().document().diagnostics()
    ));

    // A second call, from the Functions panel, for the units that are not archers.
    h.get_by_label("+ call").click();
    step_until(&mut h, "the second call", |s| {
        s.document().graph().calls_of(f.id).len() == 2
    });
    let second = *h
        .state()
        .document()
        .graph()
        .calls_of(f.id)
        .iter()
        .find(|c| **c != first)
        .expect("added");
    let unit_key = f.inputs[0].key.clone();
    h.state_mut().canvas_mut().frame_all();
    step_until(&mut h, "both ends of the new wires drawn", |s| {
        let c = s.canvas();
        c.port_pos(which, "false", true).is_some()
            && c.port_pos(each, "unit", true).is_some()
            && c.port_pos(second, "exec", false).is_some()
            && c.port_pos(second, &unit_key, false).is_some()
    });
    h.step();
    wire(&mut h, (which, "false"), (second, "exec"));
    let key: &'static str = Box::leak(unit_key.clone().into_boxed_str());
    wire(&mut h, (each, "unit"), (second, key));
    step_until(&mut h, "the second call wired", |s| {
        let g = s.document().graph();
        link_exists(g, (which, "false"), (second, "exec"))
            && link_exists(g, (each, "unit"), (second, key))
    });
    settle(&mut h);
    assert!(
        !aether_lang::check::has_errors(h.state().document().diagnostics()),
        "{:?}",
        h.state().document().diagnostics()
    );
    assert!(fortified(h.state()).is_empty());

    // A double click on the first call opens the function's canvas.
    h.state_mut().canvas_mut().focus(first);
    step_until(&mut h, "the call in view", |s| {
        s.canvas().node_rect(first).is_some()
    });
    h.step();
    let rect = h.state().canvas().node_rect(first).expect("drawn");
    double_click_at(&mut h, rect.center_top() + egui::vec2(0.0, 10.0));
    step_until(&mut h, "the function's canvas", |s| {
        s.canvas().scope() == Some(f.id)
    });
    step_until(&mut h, "its nodes drawn", |s| {
        s.canvas().node_rect(compare).is_some() && s.canvas().node_rect(first).is_none()
    });
    assert!(
        h.query_by_label_contains("⬅ fortify").is_some(),
        "the breadcrumb"
    );

    // One edit inside: the Compare now asks A ≥ B (every unit's hp ≥ 0).
    h.get_all_by_value("A < B")
        .find(|n| n.accesskit_node().role() == Role::ComboBox)
        .expect("the Compare's Is")
        .click();
    h.step();
    h.get_all_by_label("A ≥ B")
        .last()
        .expect("the choice")
        .click();
    settle(&mut h);
    step_until(&mut h, "both calls fortify", |s| {
        let kinds = fortified(s);
        kinds.contains("archer") && kinds.iter().any(|k| k != "archer")
    });

    // The breadcrumb leads back to the graph's canvas.
    h.get_by_label_contains("⬅ fortify").click();
    step_until(&mut h, "back on the graph's canvas", |s| {
        s.canvas().scope().is_none()
    });
    step_until(&mut h, "the calls drawn again", |s| {
        s.canvas().node_rect(first).is_some()
    });

    // Undo, step by step, back to the graph as it was opened.
    for _ in 0..8 {
        if *h.state().document().graph() == original {
            break;
        }
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
        h.step();
    }
    assert_eq!(*h.state().document().graph(), original);
    settle(&mut h);
    assert!(fortified(h.state()).is_empty());
    assert!(h.state().canvas().scope().is_none());
}

/// The Functions panel: the Tactician's functions renamed and given an input there, saved to a
/// library file through the path prompt, and added to another graph from it (renamed where the
/// name is taken); an edit made on the panel is one undo step.
#[test]
fn functions_are_renamed_saved_to_a_library_and_added_to_another_graph() {
    let dir = temp_dir("fnlib");
    let file = dir.join("tactician.mcgraph.json");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("examples/graphs/tactician.mcgraph.json"), &file).unwrap();
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    let strike = h
        .state()
        .document()
        .graph()
        .function_named("Strike")
        .expect("the Tactician's Strike")
        .id;
    // Open Strike from the panel; rename it.
    h.get_by_label("✏ Strike").click();
    step_until(&mut h, "Strike's canvas", |s| {
        s.canvas().scope() == Some(strike)
    });
    // The panel shows the function's name from the next frame.
    let started = Instant::now();
    while h.query_by_role_and_label(Role::TextInput, "Name").is_none() {
        assert!(started.elapsed() < Duration::from_secs(20), "the Name box");
        h.step();
    }
    h.get_by_role_and_label(Role::TextInput, "Name").focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Name")
        .type_text("Hit Weakest");
    h.step();
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "renamed", |s| {
        s.document()
            .graph()
            .function(strike)
            .is_some_and(|f| f.name == "Hit Weakest")
    });
    // Its calls carry the new name; the graph still plays.
    let calls = h.state().document().graph().calls_of(strike);
    assert_eq!(calls.len(), 2);
    settle(&mut h);
    assert!(!aether_lang::check::has_errors(
        h.state().document().diagnostics()
    ));
    // An input added on the panel: one undo step takes it away.
    h.get_by_label("+ Input").click();
    step_until(&mut h, "an input added", |s| {
        s.document()
            .graph()
            .function(strike)
            .is_some_and(|f| f.inputs.len() == 2)
    });
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    step_until(&mut h, "the input undone", |s| {
        s.document()
            .graph()
            .function(strike)
            .is_some_and(|f| f.inputs.len() == 1 && f.name == "Hit Weakest")
    });

    // Saved to a library.
    let lib = dir.join("tactics.mcfunctions.json");
    h.get_by_label("Save to library…").click();
    answer_prompt(&mut h, "Type the file to save to:", &lib);
    step_until(&mut h, "the library written", |_| lib.is_file());
    let saved = VisualScriptGraph::load(&lib).unwrap();
    assert_eq!(
        saved.functions().count(),
        3,
        "Hit Weakest, Hold Ground, Mend"
    );

    // Added back to the same graph: the names are taken, so they are numbered.
    h.get_by_label("Add from library…").click();
    answer_prompt(&mut h, "Type the path of the file:", &lib);
    step_until(&mut h, "the functions added", |s| {
        s.document().graph().functions().count() == 6
    });
    let g = h.state().document().graph();
    assert!(g.function_named("Hit Weakest 2").is_some());
    assert!(g.function_named("Mend 2").is_some());
    assert!(
        h.state().status().contains("Added Hit Weakest 2"),
        "{}",
        h.state().status()
    );
}

/// A problem inside a function: the checker lists it on the function's node and at the call
/// ("the function Mend has a problem inside"); clicking the first opens the function's canvas
/// with the node selected.
#[test]
fn a_problem_inside_a_function_opens_its_canvas() {
    let dir = temp_dir("fnproblem");
    let file = dir.join("broken.mcgraph.json");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut g =
        VisualScriptGraph::load(&root.join("examples/graphs/tactician.mcgraph.json")).unwrap();
    let mend = g.function_named("Mend").expect("Mend").id;
    let heal = g
        .nodes_in(Some(mend))
        .find(|n| n.kind == "cast_heal")
        .expect("Mend heals")
        .id;
    let wire = g
        .links_into(&PortRef::new(heal, "at"))
        .next()
        .expect("wired")
        .id;
    g.disconnect(wire);
    g.save(&file).unwrap();
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    let codes: Vec<&str> = h
        .state()
        .document()
        .diagnostics()
        .iter()
        .map(|d| d.code)
        .collect();
    assert!(codes.contains(&"missing-input"), "{codes:?}");
    assert!(codes.contains(&"function-has-errors"), "{codes:?}");
    assert!(h.state().canvas().scope().is_none());
    h.get_by_label_contains("⛔ Cast Heal, Tile: Tile needs a Position")
        .click();
    step_until(&mut h, "Mend's canvas, the heal selected", |s| {
        s.canvas().scope() == Some(mend) && s.canvas().selection() == vec![heal]
    });
    assert!(
        h.query_by_label_contains("the function Mend has a problem inside")
            .is_some()
    );
}

#[test]
fn compare_with_a_file_marks_the_nodes_that_behave_differently_and_shows_a_turn_side_by_side() {
    let dir = temp_dir("compare");
    // OLD: the archer template as shipped; NEW (opened): its retreat distance edited to 3.
    let old = dir.join("archer-old.mcgraph.json");
    std::fs::copy("examples/graphs/archer-skirmisher.mcgraph.json", &old).unwrap();
    let mut g = VisualScriptGraph::load(&old).unwrap();
    assert!(g.set_value(NodeId(9), "b", Value::Number(3)));
    let new = dir.join("archer-new.mcgraph.json");
    g.save(&new).unwrap();
    let mut h = harness(options(&dir.join("home"), Some(new.clone())));
    settle(&mut h);

    h.get_by_label("File").click();
    step_until(&mut h, "the File menu", |_| true);
    h.step();
    h.get_by_role_and_label(Role::Button, "Compare with…")
        .click();
    step_until(&mut h, "the Compare window", |s| s.compare.open);
    h.step();

    // Against the saved file (the file opened, unchanged): nothing differs, nothing marked.
    h.get_by_role_and_label(Role::Button, "The saved file")
        .click();
    step_until(&mut h, "the comparison with the saved file", |s| {
        !s.compare.busy() && s.compare.result.is_some()
    });
    h.step();
    assert!(h.state().compare.result.as_ref().unwrap().diff.is_same());
    assert!(h.query_by_label_contains("no turn differs").is_some());
    assert_eq!(h.state().canvas().changed(NodeId(9)), None);

    // Against the old file, picked through the path prompt.
    h.get_by_role_and_label(Role::Button, "A file…").click();
    h.step();
    h.step();
    let prompt = "Type the path of the file:";
    h.get_by_role_and_label(Role::TextInput, prompt).focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_role_and_label(Role::TextInput, prompt)
        .type_text(&old.display().to_string());
    h.step();
    h.get_by_label("OK").click();
    step_until(&mut h, "the comparison with the old file", |s| {
        s.compare
            .result
            .as_ref()
            .is_some_and(|r| r.against == "archer-old.mcgraph.json")
            && !s.compare.busy()
    });
    h.step();
    let (differing, turns) = {
        let r = h.state().compare.result.as_ref().unwrap();
        (r.diff.differing.len(), r.diff.turns)
    };
    assert!(differing > 0, "retreating at 3 changes some turn");
    assert!(
        h.query_by_label_contains(&format!("{differing} of {turns} turns differ"))
            .is_some()
    );
    assert!(
        h.query_all_by_label_contains("Branch #12 now takes True")
            .next()
            .is_some(),
        "the parting point is named"
    );
    // The edited node and the branch it decides are marked on the canvas; a node the edit
    // cannot reach is not.
    step_until(&mut h, "the changed marks", |s| {
        s.canvas().changed(NodeId(9)).is_some()
    });
    assert!(h.state().canvas().changed(NodeId(12)).is_some());
    assert_eq!(h.state().canvas().changed(NodeId(3)), None);

    // A click on the first differing turn shows OLD and NEW side by side with what only each
    // proposes.
    let first = {
        let r = h.state().compare.result.as_ref().unwrap();
        r.cases[r.diff.differing[0].case].label.clone()
    };
    h.get_by_label_contains(&first).click();
    step_until(&mut h, "the turn selected", |s| {
        s.compare.selected == Some(0)
    });
    h.step();
    assert!(h.query_by_label("OLD").is_some() && h.query_by_label("NEW").is_some());
    assert!(
        h.query_all_by_label_contains("only OLD: ").next().is_some()
            || h.query_all_by_label_contains("only NEW: ").next().is_some()
    );

    // And opens in the turn preview, played by the graph on the canvas.
    let (slot, seed) = {
        let r = h.state().compare.result.as_ref().unwrap();
        let c = &r.cases[r.diff.differing[0].case];
        (c.slot, c.seed)
    };
    h.get_by_label("Debug this turn in the preview").click();
    step_until(&mut h, "the turn in the preview", |s| {
        s.preview.samples[s.preview.sample].name == first
    });
    assert_eq!(
        (h.state().preview.slot, h.state().preview.seed),
        (slot, seed)
    );
    settle(&mut h);
    assert!(h.state().preview.shown.is_some());

    // An edit makes the marks stale: they go, and the window says to compare again.
    h.state_mut().canvas_mut().focus(NodeId(9));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.key_press(egui::Key::Delete);
    step_until(&mut h, "the marks cleared", |s| {
        s.canvas().changed(NodeId(12)).is_none()
    });
    assert!(h.query_by_label_contains("compare again").is_some());
}

#[test]
fn the_preview_shows_the_fuel_bound_and_marks_each_node_with_its_own() {
    let dir = temp_dir("bound");
    let mut h = harness(options(&dir.join("home"), None));
    settle(&mut h);
    let (fuel, bound) = {
        let (view, _) = h.state().preview.shown.as_ref().expect("a turn on show");
        let b = view.fuel_bound.as_ref().expect("the template has a bound");
        (view.report.fuel_used, b.turn)
    };
    assert!(bound >= fuel, "bound {bound} below the turn's {fuel}");
    assert!(
        h.query_by_label_contains("fuel with 40 units").is_some(),
        "the bound is said beside the fuel bar"
    );
    let attack = nodes_of(&h, "attack")[0];
    assert_eq!(h.state().canvas().bound(attack), None, "not until asked");
    h.get_by_label("Fuel bound per node").click();
    step_until(&mut h, "each node marked with its bound", |s| {
        s.canvas().bound(attack).is_some()
    });
    let on_turn = only(&h, "on_turn");
    // The On Turn node runs everything: its bound is the largest, and within the turn's.
    let all = h.state().canvas().bound(on_turn).expect("marked");
    assert!(all >= h.state().canvas().bound(attack).expect("marked"));
    assert!(all <= bound);
    // Asked no more: the marks go.
    h.get_by_label("Fuel bound per node").click();
    step_until(&mut h, "the marks cleared", |s| {
        s.canvas().bound(attack).is_none()
    });
}

/// Tune numbers in the duel lab: the tactician against the mage-support template on highlands
/// maps; the search shows its progress, ends with the held-out check, and its numbers are
/// applied as one undoable edit that lists each change; Ctrl+Z takes them all back. A long
/// search stops when cancelled and leaves the graph as it was.
#[test]
fn tune_numbers_applies_the_tuned_numbers_as_one_undoable_edit() {
    let dir = temp_dir("tune");
    let file = dir.join("tactician.mcgraph.json");
    let tactician = creator_studio::studio::template(4);
    assert_eq!(tactician.name, "tactician");
    tactician.save(&file).expect("save the template");
    let mut h = harness(options(&dir.join("home"), Some(file)));
    settle(&mut h);
    h.get_by_label("Duel lab").click();
    h.step();
    h.step();
    let highlands = h
        .state()
        .duel_lab
        .samples
        .iter()
        .position(|s| s.scenario.name == "Highlands")
        .expect("the highlands duel map");
    h.state_mut().duel_lab.sample = highlands;
    h.state_mut().duel_lab.opponent = creator_studio::studio::opponents::Opponent::Template(3);
    h.get_by_label("Tune numbers…").click();
    h.step();
    h.step();
    let lab = &mut h.state_mut().duel_lab.tune;
    lab.settings.seeds = 6;
    lab.settings.held_out = 20;
    lab.settings.budget = 600;
    h.step();
    let before = h.state().document().graph().clone();
    h.get_by_label("Start tuning").click();
    h.step();
    wait_lab(&mut h, "the tuning", |s| !s.duel_lab.tune.busy());
    assert_eq!(h.state().duel_lab.tune.error, None);
    let report = h.state().duel_lab.tune.report.clone().expect("a report");
    assert!(report.duels > 0 && report.duels <= 600, "{}", report.duels);
    assert!(
        report.improved(),
        "the tuned tactician does better on fresh seeds: {:?} then {:?}",
        report.held_out_before,
        report.held_out_after
    );
    assert!(
        h.query_by_label_contains("do better on fresh seeds")
            .is_some()
    );
    assert_eq!(
        h.state().document().graph(),
        &before,
        "nothing changes before Apply"
    );

    h.get_by_label("Apply tuned numbers").click();
    h.step();
    h.step();
    let changes = report.changes();
    assert!(!changes.is_empty());
    for (t, _, new) in &changes {
        assert_eq!(
            h.state()
                .document()
                .graph()
                .node(t.node)
                .unwrap()
                .values
                .get(&t.port),
            Some(&aether_lang::graph::Value::Number(*new)),
            "{}",
            t.label
        );
        assert!(
            h.query_by_label_contains(&format!("{}:", t.label))
                .is_some(),
            "the applied note names {}",
            t.label
        );
    }
    assert_eq!(h.state().document().undo_name(), Some("Tune numbers"));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    step_until(&mut h, "one undo takes every tuned number back", |s| {
        s.document().graph() == &before
    });

    // A long search shows its progress and the best so far, and stops when cancelled.
    h.state_mut().duel_lab.tune.settings.budget = 1_000_000;
    h.step();
    h.get_by_label("Start tuning").click();
    h.step();
    step_until(&mut h, "the best so far", |s| {
        s.duel_lab
            .tune
            .running
            .as_ref()
            .and_then(|r| r.progress.lock().unwrap().clone())
            .is_some_and(|p| p.best.is_some())
    });
    h.step();
    assert!(h.query_by_label_contains("of 1,000,000 duels").is_some());
    assert!(h.query_by_label_contains("Best so far").is_some());
    h.get_by_label("Cancel").click();
    wait_lab(&mut h, "the cancelled tuning", |s| !s.duel_lab.tune.busy());
    let error = h.state().duel_lab.tune.error.clone().unwrap_or_default();
    assert!(error.contains("stopped"), "{error}");
    assert!(h.state().duel_lab.tune.report.is_none());
    assert_eq!(h.state().document().graph(), &before);
}
