//! Editor frame time: the studio's whole UI (canvas, palette, problems, preview) laid out and
//! tessellated by egui on the CPU, as the window does each frame, minus the GPU upload.

use std::time::{Duration, Instant};

use aether_lang::graph::VisualScriptGraph;
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

/// A studio on a graph, with its own egui context, stepped one frame at a time.
struct Bench {
    studio: Studio,
    ctx: egui::Context,
    t: f64,
    dir: std::path::PathBuf,
}

impl Bench {
    /// A fresh studio on `graph`; with `marks`, the debugging marks on: each node's share of the
    /// fuel (measured before returning), the values on the ports (always kept), and a watch
    /// pinned on every For Each Unit's unit.
    fn new(graph: &VisualScriptGraph, marks: bool, name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("cs-bench-editor-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("bench.mcgraph.json");
        graph.save(&file).expect("save");
        let studio = Studio::new(Options {
            file: Some(file),
            home: dir.join("home"),
            native_dialogs: false,
            autosave_every: Duration::from_secs(3600),
            screenshot: None,
            compile_worker: None,
            replay: None,
            latency_log: None,
        });
        let mut b = Self {
            studio,
            ctx: egui::Context::default(),
            t: 0.0,
            dir,
        };
        if marks {
            b.studio.preview.show_fuel = true;
            for n in graph.nodes().filter(|n| n.kind == "for_each_unit") {
                b.studio.canvas_mut().toggle_watch(n.id, "unit");
            }
            let started = Instant::now();
            while !b
                .studio
                .preview
                .shown
                .as_ref()
                .is_some_and(|(v, _)| matches!(v.trace, Some(Ok(_))))
            {
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "the fuel was measured"
                );
                b.frame(None);
                b.studio.wait_preview(Duration::from_millis(50));
            }
        }
        for _ in 0..30 {
            b.frame(None);
        }
        b
    }

    /// One frame's CPU time (layout and tessellation).
    fn frame(&mut self, pointer: Option<(egui::Pos2, Option<bool>)>) -> Duration {
        self.t += 1.0 / 60.0;
        let size = egui::vec2(1600.0, 1000.0);
        let started = Instant::now();
        let studio = &mut self.studio;
        let out = self
            .ctx
            .run_ui(input(size, self.t, pointer), |ui| studio.frame(ui));
        let _ = self.ctx.tessellate(out.shapes, out.pixels_per_point);
        started.elapsed()
    }

    /// Where to grab the first node drawn by its title bar.
    fn grab(&self, graph: &VisualScriptGraph) -> egui::Pos2 {
        let first = graph.nodes().next().map(|n| n.id).expect("a node");
        let rect = self.studio.canvas().node_rect(first).expect("drawn");
        rect.left_top() + egui::vec2(30.0, 8.0)
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Frame times of several studios measured side by side, frame by frame in turn (so the
/// machine's moods fall on all alike): each one's idle frames, then its frames while dragging
/// its first node 3 px a frame. Returns each one's (idle, dragging) samples and whether every
/// drag moved its node.
fn side_by_side(
    graph: &VisualScriptGraph,
    benches: &mut [Bench],
) -> Vec<(Vec<Duration>, Vec<Duration>, bool)> {
    let mut out: Vec<(Vec<Duration>, Vec<Duration>, bool)> = benches
        .iter()
        .map(|_| (Vec::new(), Vec::new(), false))
        .collect();
    for _ in 0..60 {
        for (b, o) in benches.iter_mut().zip(out.iter_mut()) {
            o.0.push(b.frame(None));
        }
    }
    let starts: Vec<egui::Pos2> = benches.iter().map(|b| b.grab(graph)).collect();
    let versions: Vec<u64> = benches
        .iter()
        .map(|b| b.studio.document().version())
        .collect();
    for (b, start) in benches.iter_mut().zip(&starts) {
        b.frame(Some((*start, None)));
        b.frame(Some((*start, Some(true))));
    }
    for i in 1..=60 {
        for ((b, o), start) in benches.iter_mut().zip(out.iter_mut()).zip(&starts) {
            o.1.push(b.frame(Some((*start + egui::vec2(i as f32 * 3.0, 0.0), None))));
        }
    }
    for ((b, o), (start, v)) in benches
        .iter_mut()
        .zip(out.iter_mut())
        .zip(starts.iter().zip(&versions))
    {
        b.frame(Some((*start + egui::vec2(180.0, 0.0), Some(false))));
        o.2 = b.studio.document().version() > *v;
    }
    out
}

/// The median of the differences `b[i] - a[i]`, in milliseconds (negative when `b` is faster).
fn paired_ms(a: &[Duration], b: &[Duration]) -> f64 {
    let mut d: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(x, y)| y.as_secs_f64() * 1000.0 - x.as_secs_f64() * 1000.0)
        .collect();
    d.sort_by(f64::total_cmp);
    d[d.len() / 2]
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
        let mut b = [Bench::new(&graph, false, "plain")];
        let mut r = side_by_side(&graph, &mut b);
        let (idle, drag, moved) = &mut r[0];
        assert!(*moved, "the drag moved the node");
        println!(
            "| {name} | {} | {} | {} | {} |",
            graph.nodes().count(),
            graph.links().count(),
            ms(median(idle)),
            ms(median(drag))
        );
    }
    println!();
    println!(
        "The debugging marks on the 343-node graph: two studios side by side, one without and \
         one with the marks (each node's share of the turn's fuel, the ports' values kept for \
         hovering, a watch pinned on each loop's unit), measured frame by frame in turn; the \
         cost is the median of the paired differences.\n"
    );
    println!("| marks | idle frame | dragging frame |");
    println!("| --- | ---: | ---: |");
    let big = big_graph();
    let mut b = [Bench::new(&big, false, "off"), Bench::new(&big, true, "on")];
    let mut r = side_by_side(&big, &mut b);
    let cost_idle = paired_ms(&r[0].0, &r[1].0);
    let cost_drag = paired_ms(&r[0].1, &r[1].1);
    for (i, label) in ["off", "on"].iter().enumerate() {
        let (idle, drag, _) = &mut r[i];
        println!("| {label} | {} | {} |", ms(median(idle)), ms(median(drag)));
    }
    println!("| cost (paired) | {cost_idle:+.3} ms | {cost_drag:+.3} ms |");
    println!();
}
