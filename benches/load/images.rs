//! The deterministic image set of the load benchmark, written to a directory so that the peer
//! script (`benches/peers/run.py`) reads exactly the same files.

use crate::photo::photo;
use ipsd::codec::{encode, Compression, EncodeOptions, Format};
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
