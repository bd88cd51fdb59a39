//! The preview's map: terrain, fog (what the previewed AI can see), units coloured by owner with
//! hp bars, and the turn's actions as arrows and strikes (rejected ones crossed out).

use egui::{Color32, Pos2, Rect, Sense, Shape, Stroke, Vec2};
use mc_tactical_types::rules::{self, TurnLedger};
use mc_tactical_types::{Action, Pos, Spell, Terrain, UnitKind};

/// The colour of each player's units, by slot.
pub fn owner_color(slot: u8) -> Color32 {
    const COLORS: [Color32; 6] = [
        Color32::from_rgb(70, 140, 255),
        Color32::from_rgb(235, 70, 70),
        Color32::from_rgb(240, 200, 60),
        Color32::from_rgb(180, 90, 230),
        Color32::from_rgb(60, 200, 190),
        Color32::from_rgb(240, 140, 60),
    ];
    COLORS[usize::from(slot) % COLORS.len()]
}

/// The colour of a terrain (the tactical map and the sample worlds share it).
pub fn terrain_color(t: Terrain) -> Color32 {
    match t {
        Terrain::Plains => Color32::from_rgb(120, 160, 90),
        Terrain::Forest => Color32::from_rgb(50, 105, 60),
        Terrain::Hills => Color32::from_rgb(150, 125, 80),
        Terrain::Water => Color32::from_rgb(50, 95, 160),
        Terrain::Mountain => Color32::from_rgb(115, 115, 120),
    }
}

fn kind_letter(k: UnitKind) -> &'static str {
    match k {
        UnitKind::Warrior => "W",
        UnitKind::Archer => "A",
        UnitKind::Knight => "K",
        UnitKind::Mage => "M",
        UnitKind::Dwarf => "D",
    }
}

/// Draws `state` as `slot` sees it (fog), with `actions` (that slot's turn) over it.
pub fn turn_map_ui(
    ui: &mut egui::Ui,
    state: &mc_tactical_types::TacticalState,
    slot: u8,
    actions: &[aether_host::ActionReport],
    stale: bool,
    zoom: f32,
) -> egui::Response {
    let (w, h) = (
        f32::from(state.map.width.max(1)),
        f32::from(state.map.height.max(1)),
    );
    let avail = ui.available_width().max(120.0);
    let tile = (avail / w).min(320.0 / h).clamp(3.0, 40.0) * zoom.clamp(1.0, 6.0);
    // A margin of a third of a tile all round, so the top and side rows' units, hp bars, labels
    // and arrows are drawn whole (the map's own painter once clipped them).
    let margin = (tile / 3.0).max(2.0);
    let (outer, response) = ui.allocate_exact_size(
        Vec2::new(tile * w, tile * h) + Vec2::splat(2.0 * margin),
        Sense::hover(),
    );
    let rect = outer.shrink(margin);
    let painter = ui.painter_at(outer);
    let at =
        |p: Pos| rect.min + Vec2::new((f32::from(p.x) + 0.5) * tile, (f32::from(p.y) + 0.5) * tile);
    let fog = Color32::from_black_alpha(120);
    for y in 0..state.map.height {
        for x in 0..state.map.width {
            let p = Pos { x, y };
            let Some(t) = state.map.get(p) else { continue };
            let r = Rect::from_center_size(at(p), Vec2::splat(tile));
            painter.rect_filled(r, 0.0, terrain_color(t));
            if !rules::is_visible_to(state, slot, p) {
                painter.rect_filled(r, 0.0, fog);
            }
        }
    }
    if tile >= 8.0 {
        let grid = Stroke::new(0.5, Color32::from_black_alpha(40));
        for x in 0..=state.map.width {
            let xx = rect.left() + f32::from(x) * tile;
            painter.line_segment(
                [Pos2::new(xx, rect.top()), Pos2::new(xx, rect.bottom())],
                grid,
            );
        }
        for y in 0..=state.map.height {
            let yy = rect.top() + f32::from(y) * tile;
            painter.line_segment(
                [Pos2::new(rect.left(), yy), Pos2::new(rect.right(), yy)],
                grid,
            );
        }
    }
    // Units: hidden enemies are drawn faintly (the AI cannot see them).
    for u in &state.units {
        let visible = u.owner == slot || rules::is_visible_to(state, slot, u.pos);
        let c = at(u.pos);
        let radius = tile * 0.38;
        let color = owner_color(u.owner);
        if visible {
            painter.circle(c, radius, color, Stroke::new(1.0, Color32::BLACK));
            if tile >= 14.0 {
                painter.text(
                    c,
                    egui::Align2::CENTER_CENTER,
                    kind_letter(u.kind),
                    egui::FontId::proportional(tile * 0.45),
                    Color32::BLACK,
                );
            }
            let frac = f32::from(u.hp) / f32::from(u.max_hp.max(1));
            let bar = Rect::from_min_size(
                c + Vec2::new(-tile * 0.4, -tile * 0.48),
                Vec2::new(tile * 0.8, (tile * 0.1).max(2.0)),
            );
            painter.rect_filled(bar, 0.0, Color32::from_rgb(60, 0, 0));
            painter.rect_filled(
                Rect::from_min_size(bar.min, Vec2::new(bar.width() * frac, bar.height())),
                0.0,
                Color32::from_rgb(90, 230, 90),
            );
            if u.fortified {
                painter.circle_stroke(c, radius + 2.0, Stroke::new(1.5, Color32::WHITE));
            }
        } else {
            painter.circle_stroke(c, radius, Stroke::new(1.0, color.gamma_multiply(0.5)));
        }
    }
    // Actions, in order, on a working copy so each starts where the unit then stands.
    let mut working = state.clone();
    let mut ledger = TurnLedger::new(slot);
    let mut labels = Vec::new();
    for (i, a) in actions.iter().enumerate() {
        let from = working.unit(a.action.unit()).map(|u| u.pos);
        let accepted = a.accepted();
        let (color, width) = if accepted {
            (Color32::WHITE, 2.5)
        } else {
            (Color32::from_rgb(255, 90, 90).gamma_multiply(0.8), 1.5)
        };
        let stroke = Stroke::new(width, color);
        let target = match a.action {
            Action::Move { to, .. } => Some(to),
            Action::Attack { target, .. } => working.unit(target).map(|u| u.pos),
            Action::Cast { at: p, .. } => Some(p),
            Action::Fortify { .. } => None,
        };
        if let Some(from) = from {
            let start = at(from);
            match (a.action, target) {
                (Action::Move { .. }, Some(to)) => {
                    arrow(&painter, start, at(to), stroke, accepted);
                }
                (Action::Attack { .. }, Some(to)) => {
                    let end = at(to);
                    painter.line_segment(
                        [start, end],
                        Stroke::new(width, Color32::from_rgb(255, 80, 60)),
                    );
                    strike(
                        &painter,
                        end,
                        tile * 0.3,
                        Stroke::new(width, Color32::from_rgb(255, 220, 80)),
                    );
                }
                (Action::Cast { spell, .. }, Some(to)) => {
                    let c = match spell {
                        Spell::Fireball => Color32::from_rgb(255, 120, 40),
                        Spell::Heal => Color32::from_rgb(120, 255, 160),
                    };
                    painter.add(Shape::dashed_line(
                        &[start, at(to)],
                        Stroke::new(width, c),
                        4.0,
                        3.0,
                    ));
                    painter.circle_stroke(at(to), tile * 1.5, Stroke::new(width, c));
                }
                _ => {
                    painter.circle_stroke(start, tile * 0.48, Stroke::new(width, Color32::WHITE));
                }
            }
            if !accepted {
                strike(
                    &painter,
                    target.map_or(start, at),
                    tile * 0.25,
                    Stroke::new(2.0, Color32::from_rgb(255, 60, 60)),
                );
            }
            labels.push((start + Vec2::new(tile * 0.3, -tile * 0.3), i + 1, accepted));
        }
        let _ = rules::apply(&mut working, &mut ledger, &a.action);
    }
    if tile >= 10.0 {
        for (p, n, ok) in labels {
            painter.text(
                p,
                egui::Align2::CENTER_CENTER,
                n.to_string(),
                egui::FontId::proportional((tile * 0.35).max(9.0)),
                if ok {
                    Color32::WHITE
                } else {
                    Color32::from_rgb(255, 120, 120)
                },
            );
        }
    }
    if stale {
        painter.rect_filled(rect, 0.0, Color32::from_black_alpha(90));
    }
    // The tile under the pointer, in words: where, what ground, who stands there.
    let hovered = response.hover_pos().and_then(|p| {
        let x = ((p.x - rect.min.x) / tile).floor();
        let y = ((p.y - rect.min.y) / tile).floor();
        (x >= 0.0 && y >= 0.0 && x < w && y < h).then_some(Pos {
            x: x as u16,
            y: y as u16,
        })
    });
    let tile_words = hovered.map(|p| {
        let ground = state.map.get(p).map_or("?", |t| t.name());
        let mut words = format!("Tile ({}, {}): {ground}", p.x, p.y);
        if let Some(u) = state.units.iter().find(|u| u.pos == p) {
            let whose = if u.owner == slot {
                "yours".to_owned()
            } else {
                format!("player {}'s", u.owner)
            };
            words.push_str(&format!(
                " · {} #{} ({whose}), hp {} of {}",
                u.kind.name(),
                u.id,
                u.hp,
                u.max_hp
            ));
        }
        words
    });
    response.on_hover_ui(|ui| {
        if let Some(words) = &tile_words {
            ui.strong(words);
        }
        ui.label("Dark tiles are outside this AI's sight; faint rings are enemies it cannot see.");
        ui.label(
            "White arrows: moves. Red lines with a star: attacks. Rings: spells. Red ✖: rejected.",
        );
    })
}

fn arrow(painter: &egui::Painter, from: Pos2, to: Pos2, stroke: Stroke, solid: bool) {
    let dir = (to - from).normalized();
    let tip = to - dir * 4.0;
    if solid {
        painter.line_segment([from, tip], stroke);
    } else {
        painter.add(Shape::dashed_line(&[from, tip], stroke, 4.0, 3.0));
    }
    let n = Vec2::new(-dir.y, dir.x);
    let head = [tip, tip - dir * 8.0 + n * 4.0, tip - dir * 8.0 - n * 4.0];
    painter.add(Shape::convex_polygon(
        head.to_vec(),
        stroke.color,
        Stroke::NONE,
    ));
}

fn strike(painter: &egui::Painter, c: Pos2, r: f32, stroke: Stroke) {
    painter.line_segment([c + Vec2::new(-r, -r), c + Vec2::new(r, r)], stroke);
    painter.line_segment([c + Vec2::new(-r, r), c + Vec2::new(r, -r)], stroke);
}
