//! The deterministic image set of the load benchmark, written to a directory so that the peer
//! script (`benches/peers/run.py`) reads exactly the same files.

use ipsd::codec::{encode, Compression, EncodeOptions, Format};
use ipsd::engine::Image;
use std::path::{Path, PathBuf};

/// One source image: the asset name it is uploaded as and its file on disk.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: &'static str,
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
}

/// (asset name, file name, width, height, format): the four sources.
const SET: [(&str, &str, u32, u32, Format); 4] = [
    ("photo", "photo.jpg", 4000, 3000, Format::Jpeg),
    (
        "photo-progressive",
        "photo-progressive.jpg",
        4000,
        3000,
        Format::Pjpeg,
    ),
    ("alpha", "alpha.png", 4000, 3000, Format::PngAlpha),
    ("small", "small.jpg", 1200, 800, Format::Jpeg),
];

/// Smooth colour waves plus light noise (a photo for the codecs' purposes); with `alpha`, a
/// horizontal alpha ramp. Same generator as `benches/codecs.rs`.
fn photo(w: u32, h: u32, alpha: bool) -> Image {
    let mut seed = 0x2545_f491u32;
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let n = (seed >> 27) as f32 - 16.0;
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let r = 128.0 + 100.0 * (fx * 13.0 + fy * 3.0).sin() + n;
            let g = 128.0 + 90.0 * (fy * 17.0 - fx * 5.0).cos() + n;
            let b = 128.0 + 80.0 * (fx * fy * 40.0).sin() + n;
            let a = if alpha {
                (255.0 * (1.0 - fx * 0.8)) as u8
            } else {
                255
            };
            data.extend_from_slice(&[r as u8, g as u8, b as u8, a]);
        }
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

/// JPEGs at q90 with 4:2:0 chroma; the PNG with its alpha ramp.
fn encoded(w: u32, h: u32, format: Format) -> Vec<u8> {
    let img = photo(w, h, format == Format::PngAlpha);
    let opts = EncodeOptions {
        format,
        quality: 90,
        compression: Compression::Default,
        ..EncodeOptions::default()
    };
    encode(&img, &opts).expect("encoding a generated image")
}

/// Writes the set into `dir` (overwriting) and returns it.
pub fn generate(dir: &Path) -> std::io::Result<Vec<Source>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::new();
    for (name, file, w, h, format) in SET {
        let path = dir.join(file);
        std::fs::write(&path, encoded(w, h, format))?;
        out.push(Source {
            name,
            path,
            width: w,
            height: h,
        });
    }
    Ok(out)
}
