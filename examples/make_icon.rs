//! Draws the studio's icon, `assets/icons/creator-studio.png` (256 × 256): three nodes of a
//! graph joined by wires, on a dark tile. `cargo run --example make_icon` redraws it; the same
//! pixels every time. The window and the Linux packages use the file.

use std::path::Path;

const SIZE: usize = 256;
/// Samples per pixel side (anti-aliasing).
const SS: usize = 4;

struct Canvas {
    px: Vec<[f32; 4]>,
}

impl Canvas {
    fn new() -> Canvas {
        Canvas {
            px: vec![[0.0; 4]; SIZE * SIZE],
        }
    }

    /// Blends `color` over every pixel by the share of its samples `inside` covers.
    fn fill(&mut self, color: [f32; 4], inside: impl Fn(f32, f32) -> bool) {
        for y in 0..SIZE {
            for x in 0..SIZE {
                let mut hits = 0;
                for sy in 0..SS {
                    for sx in 0..SS {
                        let fx = x as f32 + (sx as f32 + 0.5) / SS as f32;
                        let fy = y as f32 + (sy as f32 + 0.5) / SS as f32;
                        hits += usize::from(inside(fx, fy));
                    }
                }
                if hits == 0 {
                    continue;
                }
                let a = color[3] * hits as f32 / (SS * SS) as f32;
                let p = &mut self.px[y * SIZE + x];
                for c in 0..3 {
                    p[c] = p[c] * (1.0 - a) + color[c] * a;
                }
                p[3] = p[3] + a * (1.0 - p[3]);
            }
        }
    }
}

fn rounded(x0: f32, y0: f32, x1: f32, y1: f32, r: f32) -> impl Fn(f32, f32) -> bool {
    move |x, y| {
        let cx = x.clamp(x0 + r, x1 - r);
        let cy = y.clamp(y0 + r, y1 - r);
        x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx).powi(2) + (y - cy).powi(2) <= r * r
    }
}

/// A cubic Bézier wire of half-width `w`, as a union of discs along the curve.
fn wire(p: [(f32, f32); 4], w: f32) -> impl Fn(f32, f32) -> bool {
    let points: Vec<(f32, f32)> = (0..=200)
        .map(|i| {
            let t = i as f32 / 200.0;
            let u = 1.0 - t;
            let b = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
            (
                b.iter().zip(&p).map(|(k, q)| k * q.0).sum(),
                b.iter().zip(&p).map(|(k, q)| k * q.1).sum(),
            )
        })
        .collect();
    move |x, y| {
        points
            .iter()
            .any(|(px, py)| (x - px).powi(2) + (y - py).powi(2) <= w * w)
    }
}

fn rgb(r: u8, g: u8, b: u8) -> [f32; 4] {
    [r as f32 / 255.0, g as f32 / 255.0, b as f32 / 255.0, 1.0]
}

fn main() {
    let mut c = Canvas::new();
    // The tile.
    c.fill(rgb(28, 30, 34), rounded(8.0, 8.0, 248.0, 248.0, 44.0));
    // Wires first, under the nodes: a white execution wire, a blue unit wire, a yellow tile wire.
    c.fill(
        rgb(235, 235, 235),
        wire(
            [(96.0, 78.0), (130.0, 78.0), (130.0, 128.0), (164.0, 128.0)],
            5.0,
        ),
    );
    c.fill(
        rgb(80, 150, 240),
        wire(
            [(96.0, 96.0), (140.0, 96.0), (120.0, 178.0), (164.0, 178.0)],
            5.0,
        ),
    );
    c.fill(
        rgb(235, 190, 60),
        wire(
            [
                (96.0, 190.0),
                (130.0, 190.0),
                (130.0, 146.0),
                (164.0, 146.0),
            ],
            5.0,
        ),
    );
    // Three nodes, with the studio's title colours.
    for (x, y, title) in [
        (36.0, 56.0, rgb(180, 50, 50)),
        (36.0, 168.0, rgb(40, 90, 170)),
        (160.0, 106.0, rgb(70, 70, 78)),
    ] {
        c.fill(rgb(60, 62, 70), rounded(x, y, x + 62.0, y + 52.0, 8.0));
        c.fill(title, rounded(x, y, x + 62.0, y + 16.0, 8.0));
        c.fill(title, |px, py| {
            px >= x && px <= x + 62.0 && py >= y + 8.0 && py <= y + 16.0
        });
    }
    // Ports.
    for (x, y, col) in [
        (98.0, 78.0, rgb(235, 235, 235)),
        (98.0, 96.0, rgb(80, 150, 240)),
        (98.0, 190.0, rgb(235, 190, 60)),
        (160.0, 128.0, rgb(235, 235, 235)),
        (160.0, 146.0, rgb(235, 190, 60)),
        (160.0, 178.0, rgb(80, 150, 240)),
    ] {
        c.fill(col, move |px, py| {
            (px - x).powi(2) + (py - y).powi(2) <= 36.0
        });
    }
    // A spark on the right: the script runs.
    c.fill(rgb(255, 214, 90), |x, y| {
        let (dx, dy) = ((x - 214.0).abs(), (y - 62.0).abs());
        dx * dy <= 30.0 && dx + dy <= 26.0
    });
    let bytes: Vec<u8> =
        c.px.iter()
            .flat_map(|p| {
                let a = p[3].clamp(0.0, 1.0);
                let un = |v: f32| {
                    if a > 0.0 {
                        (v / a.max(1e-6) * a).clamp(0.0, 1.0)
                    } else {
                        0.0
                    }
                };
                [un(p[0]), un(p[1]), un(p[2]), a].map(|v| (v * 255.0).round() as u8)
            })
            .collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/icons/creator-studio.png");
    let file = std::fs::File::create(&path).expect("create the icon file");
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), SIZE as u32, SIZE as u32);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()
        .and_then(|mut w| w.write_image_data(&bytes))
        .expect("write the icon");
    println!("wrote {}", path.display());
}
