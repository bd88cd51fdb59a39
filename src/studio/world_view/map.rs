//! The world preview's picture: terrain, areas, entities where the physics put them (coloured by
//! kind, ringed when a script spawned them), markers as pins with their labels, and sounds as
//! rings spreading from where they played.

use std::collections::VecDeque;

use aether_sample_world::Scene;
use aether_sample_world::scene::AreaShape;
use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, Vec2};

use super::Frame;
use crate::studio::map::terrain_color;

/// A steady colour per entity kind (the same kind is the same colour in every world).
pub fn kind_color(kind: &str) -> Color32 {
    const COLORS: [Color32; 8] = [
        Color32::from_rgb(240, 200, 60),
        Color32::from_rgb(235, 90, 70),
        Color32::from_rgb(90, 170, 255),
        Color32::from_rgb(200, 120, 240),
        Color32::from_rgb(250, 150, 60),
        Color32::from_rgb(80, 220, 200),
        Color32::from_rgb(240, 240, 240),
        Color32::from_rgb(160, 110, 70),
    ];
    let h = kind.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    COLORS[(h % COLORS.len() as u64) as usize]
}

/// Draws the world of `scene` as `frame` left it, with `sounds` of the last second.
pub fn world_ui(
    ui: &mut egui::Ui,
    scene: &Scene,
    frame: &Frame,
    sounds: &VecDeque<(u64, aether_world_types::Vec2, String)>,
) -> egui::Response {
    let (w, h) = (scene.width.max(1) as f32, scene.height.max(1) as f32);
    let avail = ui.available_width().max(120.0);
    let tile = (avail / w).min(360.0 / h).clamp(3.0, 40.0);
    let margin = 2.0;
    let (outer, response) = ui.allocate_exact_size(
        Vec2::new(tile * w, tile * h) + Vec2::splat(2.0 * margin),
        Sense::hover(),
    );
    let rect = outer.shrink(margin);
    let painter = ui.painter_at(outer);
    let at = |x: f32, y: f32| rect.min + Vec2::new(x * tile, y * tile);
    for y in 0..scene.height {
        for x in 0..scene.width {
            if let Some(t) = scene.terrain(x as i64, y as i64) {
                let r = Rect::from_min_size(at(x as f32, y as f32), Vec2::splat(tile));
                painter.rect_filled(r, 0.0, terrain_color(t));
            }
        }
    }
    let area_stroke = Stroke::new(1.5, Color32::from_rgba_unmultiplied(255, 255, 255, 150));
    for a in &scene.areas {
        let label_at = match a.shape {
            AreaShape::Circle { x, y, radius } => {
                painter.circle_stroke(at(x, y), radius * tile, area_stroke);
                at(x, y - radius)
            }
            AreaShape::Tiles { x, y, w, h } => {
                let r = Rect::from_min_size(
                    at(x as f32, y as f32),
                    Vec2::new(w as f32 * tile, h as f32 * tile),
                );
                painter.rect_stroke(r, 0.0, area_stroke, egui::StrokeKind::Inside);
                r.center_top()
            }
        };
        if tile >= 8.0 {
            painter.text(
                label_at,
                Align2::CENTER_BOTTOM,
                &a.name,
                FontId::proportional(tile * 0.45),
                Color32::WHITE,
            );
        }
    }
    for (played, where_, name) in sounds {
        let age = frame.tick.saturating_sub(*played) as f32;
        let alpha = (255.0 * (1.0 - age / 20.0)).clamp(0.0, 255.0) as u8;
        let c = Color32::from_rgba_unmultiplied(255, 255, 160, alpha);
        let centre = at(where_.x, where_.y);
        painter.circle_stroke(centre, tile * (0.4 + age * 0.12), Stroke::new(2.0, c));
        if age < 1.0 && tile >= 8.0 {
            painter.text(
                centre + Vec2::new(0.0, -tile * 0.6),
                Align2::CENTER_BOTTOM,
                format!("♪ {name}"),
                FontId::proportional(tile * 0.45),
                c,
            );
        }
    }
    for e in &frame.entities {
        let c = at(e.at.x, e.at.y);
        let color = kind_color(&e.kind);
        painter.circle(c, tile * 0.35, color, Stroke::new(1.0, Color32::BLACK));
        if e.owner.is_some() {
            painter.circle_stroke(c, tile * 0.45, Stroke::new(1.0, Color32::WHITE));
        }
        if tile >= 14.0 {
            let letter: String = e.kind.chars().take(1).collect::<String>().to_uppercase();
            painter.text(
                c,
                Align2::CENTER_CENTER,
                letter,
                FontId::proportional(tile * 0.4),
                Color32::BLACK,
            );
        }
    }
    for (label, spot) in &frame.markers {
        let p = at(spot.x, spot.y);
        let pin = Color32::from_rgb(255, 80, 160);
        painter.circle_filled(p + Vec2::new(0.0, -tile * 0.5), tile * 0.18, pin);
        painter.line_segment([p, p + Vec2::new(0.0, -tile * 0.4)], Stroke::new(2.0, pin));
        if tile >= 8.0 {
            painter.text(
                p + Vec2::new(0.0, -tile * 0.75),
                Align2::CENTER_BOTTOM,
                label,
                FontId::proportional(tile * 0.45),
                Color32::WHITE,
            );
        }
    }
    // A hovered entity says what it is.
    if let Some(p) = response.hover_pos() {
        let near = frame.entities.iter().min_by(|a, b| {
            let da = at(a.at.x, a.at.y).distance(p);
            let db = at(b.at.x, b.at.y).distance(p);
            da.total_cmp(&db)
        });
        if let Some(e) = near.filter(|e| at(e.at.x, e.at.y).distance(p) < tile) {
            let by = e
                .owner
                .and_then(|o| frame.scripts.iter().find(|s| s.id == o))
                .map_or("the scene".to_owned(), |s| s.name.clone());
            painter.text(
                Pos2::new(rect.left() + 4.0, rect.bottom() - 4.0),
                Align2::LEFT_BOTTOM,
                format!(
                    "{} #{} at ({:.1}, {:.1}), placed by {by}",
                    e.kind, e.id.0, e.at.x, e.at.y
                ),
                FontId::proportional(12.0),
                Color32::WHITE,
            );
        }
    }
    response
}
