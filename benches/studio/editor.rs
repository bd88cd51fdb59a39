//! Editor frame time: the studio's whole UI (canvas, palette, problems, preview) laid out and
//! tessellated by egui on the CPU, as the window does each frame, minus the GPU upload.

use std::time::{Duration, Instant};

use aether_scripting::graph::VisualScriptGraph;
use creator_studio::studio::{Options, Studio, template};

use super::{median, ms};

/// Mage support (58 nodes) and five more copies of its body (On Turn dropped): 343 nodes.
fn big_graph() -> VisualScriptGraph {
    let mut g = template(3);
    let body: Vec<_> = g
        .nodes()
        .filter(|n| n.kind != "on_turn")
        .map(|n| n.id)
        .collect();
    let copy = g.fragment(&body);
    for i in 1..6 {
        g.merge(&copy, [0.0, i as f32 * 1800.0]);
    }
    g
}

/// Raw input for one frame: the pointer moved to a point, with a button press or release if given.
fn input(size: egui::Vec2, t: f64, pointer: Option<(egui::Pos2, Option<bool>)>) -> egui::RawInput {
    let mut raw = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
        time: Some(t),
        ..Default::default()
    };
    if let Some((p, _)) = pointer {
        raw.events.push(egui::Event::PointerMoved(p));
    }
    if let Some((p, Some(down))) = pointer {
        raw.events.push(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed: down,
            modifiers: egui::Modifiers::NONE,
        });
    }
    raw
}

/// Median CPU time of one frame: idle, and while dragging a node across the canvas. With
/// `marks`, the debugging marks are on: each node's share of the fuel, the values on the ports
/// (always kept), and a watch pinned on every For Each Unit's unit.
fn frames(graph: &VisualScriptGraph, marks: bool) -> (Duration, Duration, usize) {
    let dir = std::env::temp_dir().join(format!("cs-bench-editor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bench.mcgraph.json");
    graph.save(&file).expect("save");
    let mut studio = Studio::new(Options {
        file: Some(file),
        home: dir.join("home"),
        native_dialogs: false,
        autosave_every: Duration::from_secs(3600),
        screenshot: None,
        compile_worker: None,
        replay: None,
    });
    let ctx = egui::Context::default();
    let size = egui::vec2(1600.0, 1000.0);
    let mut t = 0.0;
    let mut frame = |studio: &mut Studio, pointer| {
        t += 1.0 / 60.0;
        let started = Instant::now();
        let out = ctx.run_ui(input(size, t, pointer), |ui| studio.frame(ui));
        let _ = ctx.tessellate(out.shapes, out.pixels_per_point);
        started.elapsed()
    };
    if marks {
        studio.preview.show_fuel = true;
        for n in graph.nodes().filter(|n| n.kind == "for_each_unit") {
            studio.canvas_mut().toggle_watch(n.id, "unit");
        }
        let started = Instant::now();
        while !studio
            .preview
            .shown
            .as_ref()
            .is_some_and(|(v, _)| matches!(v.trace, Some(Ok(_))))
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the fuel was measured"
            );
            frame(&mut studio, None);
            studio.wait_preview(Duration::from_millis(50));
        }
    }
    for _ in 0..30 {
        frame(&mut studio, None);
    }
    let mut idle: Vec<Duration> = (0..60).map(|_| frame(&mut studio, None)).collect();
    // Drag the first node drawn by its title bar.
    let first = graph.nodes().next().map(|n| n.id).expect("a node");
    let rect = studio.canvas().node_rect(first).expect("drawn");
    let start = rect.left_top() + egui::vec2(30.0, 8.0);
    frame(&mut studio, Some((start, None)));
    frame(&mut studio, Some((start, Some(true))));
    let mut dragging: Vec<Duration> = (1..=60)
        .map(|i| {
            frame(
                &mut studio,
                Some((start + egui::vec2(i as f32 * 3.0, 0.0), None)),
            )
        })
        .collect();
    frame(
        &mut studio,
        Some((start + egui::vec2(180.0, 0.0), Some(false))),
    );
    let moved = studio.document().version();
    let _ = std::fs::remove_dir_all(&dir);
    (median(&mut idle), median(&mut dragging), moved as usize)
}

/// Prints the editor frame-time table.
pub fn editor_section() {
    println!("## Editor frame time\n");
    println!(
        "CPU time of one whole frame of the studio (layout of every panel and node, then \
         tessellation), median of 60 frames at 1600×1000, no GPU. Dragging: the pointer drags a \
         node 3 px a frame (each frame is a layout-only core edit: no checker, no canvas sync, \
         no preview).\n"
    );
    println!("| graph | nodes | wires | idle frame | dragging frame |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, graph) in [
        ("melee-rusher (template)", template(0)),
        ("mage-support ×6", big_graph()),
    ] {
        let (idle, drag, edits) = frames(&graph, false);
        assert!(edits > 0, "the drag moved the node");
        println!(
            "| {name} | {} | {} | {} | {} |",
            graph.nodes().count(),
            graph.links().count(),
            ms(idle),
            ms(drag)
        );
    }
    println!();
    println!(
        "The debugging marks on the 343-node graph, back to back: each node's share of the \
         turn's fuel, the ports' values kept for hovering, a watch pinned on each loop's unit.\n"
    );
    println!("| marks | idle frame | dragging frame |");
    println!("| --- | ---: | ---: |");
    let big = big_graph();
    for marks in [false, true] {
        let (idle, drag, _) = frames(&big, marks);
        println!(
            "| {} | {} | {} |",
            if marks { "on" } else { "off" },
            ms(idle),
            ms(drag)
        );
    }
    println!();
}
