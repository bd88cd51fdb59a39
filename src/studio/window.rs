//! The studio's window: the eframe application around [`Studio`], its icon, and opening it.

use super::{Options, Studio};

/// The studio's icon (`assets/icons/creator-studio.png`, built into the binary), for the window.
pub fn icon() -> egui::IconData {
    let decoded = (|| {
        let decoder = png::Decoder::new(std::io::Cursor::new(
            &include_bytes!("../../assets/icons/creator-studio.png")[..],
        ));
        let mut reader = decoder.read_info().ok()?;
        let mut rgba = vec![0; reader.output_buffer_size()?];
        let info = reader.next_frame(&mut rgba).ok()?;
        rgba.truncate(info.buffer_size());
        (info.color_type == png::ColorType::Rgba).then_some(egui::IconData {
            rgba,
            width: info.width,
            height: info.height,
        })
    })();
    decoded.unwrap_or_default()
}

/// Runs the studio window; returns when it closes.
pub fn run(opts: Options) -> Result<(), String> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Creator Studio")
            .with_inner_size([1600.0, 960.0])
            .with_min_inner_size([900.0, 560.0])
            .with_app_id("creator-studio")
            .with_icon(std::sync::Arc::new(icon())),
        ..Default::default()
    };
    eframe::run_native(
        "Creator Studio",
        native,
        Box::new(move |cc| {
            // The studio's colours (node titles, wires, marks) are drawn for a dark canvas: it
            // stays dark whatever the system's theme (under a light Windows theme node titles
            // were white on white).
            cc.egui_ctx.set_theme(egui::Theme::Dark);
            Ok(Box::new(App(Studio::new(opts))))
        }),
    )
    .map_err(|e| {
        format!(
            "the window could not open ({e}). On a machine without a display, use the command-line \
             tools (creator-studio --help) or run under Xvfb."
        )
    })
}

/// The eframe application around [`Studio`].
struct App(Studio);

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.0.frame(ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.0.exiting();
    }
}
