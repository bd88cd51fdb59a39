//! The screenshot mode (`edit --screenshot FILE`): once the window shows what it should (the
//! first turn's preview, or a world 60 ticks in), a PNG of the window is written and the
//! window closes; after two minutes without one it closes with an error.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The screenshot mode's progress.
#[derive(Debug)]
pub(super) struct Shot {
    path: PathBuf,
    frames: u32,
    requested: bool,
    started: Instant,
}

impl Shot {
    /// A screenshot to write to `path`.
    pub(super) fn new(path: PathBuf) -> Self {
        Self {
            path,
            frames: 0,
            requested: false,
            started: Instant::now(),
        }
    }

    /// One frame: asks for the picture once `ready` (and the window has settled), writes it
    /// when it arrives. Returns true when the window should close.
    pub(super) fn frame(&mut self, ctx: &egui::Context, ready: bool) -> bool {
        self.frames += 1;
        ctx.request_repaint();
        let shots: Vec<std::sync::Arc<egui::ColorImage>> = ctx.input(|i| {
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::Screenshot { image, .. } => Some(image.clone()),
                    _ => None,
                })
                .collect()
        });
        if let Some(image) = shots.first() {
            match write_png(&self.path, image) {
                Ok(()) => println!("screenshot written to {}", self.path.display()),
                Err(e) => eprintln!(
                    "error: cannot write the screenshot {}: {e}",
                    self.path.display()
                ),
            }
            return true;
        }
        if !self.requested && ready && self.frames > 20 {
            self.requested = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(egui::UserData::default()));
        }
        if self.started.elapsed() > Duration::from_secs(120) {
            eprintln!("error: no screenshot after two minutes");
            return true;
        }
        false
    }
}

fn write_png(path: &Path, image: &egui::ColorImage) -> Result<(), String> {
    let [w, h] = image.size;
    let mut bytes = Vec::with_capacity(w * h * 4);
    for c in &image.pixels {
        bytes.extend_from_slice(&c.to_srgba_unmultiplied());
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(
            &mut out,
            u32::try_from(w).map_err(|e| e.to_string())?,
            u32::try_from(h).map_err(|e| e.to_string())?,
        );
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&bytes).map_err(|e| e.to_string())?;
    }
    aether_base::fsutil::write_atomic(path, &out).map_err(|e| e.to_string())
}
