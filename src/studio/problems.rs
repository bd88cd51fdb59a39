//! The Problems panel below the canvas: every diagnostic in plain words (errors in red,
//! warnings in amber), the code small after; a click gives the node to show.

use aether_lang::check::Severity;
use aether_lang::graph::NodeId;
use egui::{Color32, RichText};

use super::document::Document;

/// The Problems panel; returns the node of the problem clicked, if any.
pub(super) fn ui(ui: &mut egui::Ui, doc: &Document, hidden_links: usize) -> Option<NodeId> {
    let mut clicked = None;
    let diags = doc.diagnostics();
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    ui.horizontal(|ui| {
        ui.heading("Problems");
        if diags.is_empty() {
            ui.label(
                RichText::new("✔ none: the graph compiles").color(Color32::from_rgb(110, 210, 120)),
            );
        } else {
            ui.label(format!(
                "{errors} error{}, {} warning{} (click one to show its node)",
                if errors == 1 { "" } else { "s" },
                diags.len() - errors,
                if diags.len() - errors == 1 { "" } else { "s" }
            ));
        }
        if hidden_links > 0 {
            ui.label(
                RichText::new(format!(
                    "{} extra wire(s) into execution inputs are not drawn",
                    hidden_links
                ))
                .color(Color32::from_rgb(240, 190, 60)),
            );
        }
    });
    // The list fills the panel (its height does not follow the number of problems, so the
    // canvas above does not jump), with a scroll bar always shown when there are more.
    egui::ScrollArea::vertical()
        .id_salt("problems")
        .auto_shrink([false, false])
        .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
        .show(ui, |ui| {
            for d in diags {
                let (icon, color) = match d.severity {
                    Severity::Error => ("⛔", Color32::from_rgb(255, 110, 110)),
                    Severity::Warning => ("⚠", Color32::from_rgb(240, 190, 60)),
                };
                // Plain words first; the code after, small, for whoever looks it up.
                let mut job = egui::text::LayoutJob::default();
                RichText::new(format!("{icon} {}", d.plain(doc.graph())))
                    .color(color)
                    .append_to(
                        &mut job,
                        ui.style(),
                        egui::FontSelection::Default,
                        egui::Align::Center,
                    );
                RichText::new(format!("   {}", d.code))
                    .small()
                    .weak()
                    .append_to(
                        &mut job,
                        ui.style(),
                        egui::FontSelection::Default,
                        egui::Align::Center,
                    );
                let r = ui.add(egui::Button::selectable(false, job).frame(false));
                let node = d.location.node(doc.graph());
                if r.clicked()
                    && let Some(n) = node
                {
                    clicked = Some(n);
                }
                // No tooltip on lines: it covered the next one. The header says they click.
            }
        });
    clicked
}
