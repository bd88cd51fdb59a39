//! The Comments list below the palette: each comment frame's text, editable, with a button to
//! remove it, and a button to put a new one around the selection.

use aether_lang::graph::Comment;

/// What the list asks for.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum CommentAction {
    /// Comment `index` now reads this.
    Edit(usize, String),
    /// Remove comment `index`.
    Remove(usize),
    /// A new comment around the selected nodes.
    AddAround,
}

/// Draws the list of `comments`.
pub(super) fn ui(ui: &mut egui::Ui, comments: &[Comment]) -> Option<CommentAction> {
    let mut action = None;
    ui.heading("Comments");
    for (i, c) in comments.iter().enumerate() {
        let mut text = c.text.clone();
        ui.horizontal(|ui| {
            let r = ui.add(
                egui::TextEdit::singleline(&mut text)
                    .id_salt(("comment", i))
                    .desired_width(140.0),
            );
            if r.changed() {
                action = Some(CommentAction::Edit(i, text.clone()));
            }
            if ui
                .small_button("✖")
                .on_hover_text("Remove the comment")
                .clicked()
            {
                action = Some(CommentAction::Remove(i));
            }
        });
    }
    if ui
        .button("Comment around selection")
        .on_hover_text("Select nodes, then press C")
        .clicked()
    {
        action = Some(CommentAction::AddAround);
    }
    action
}
