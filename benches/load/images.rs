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

/// Copy `k` (1, 2, …) of every source, as a different file: the same pixels with a marker in a
/// JPEG comment segment or a PNG `tEXt` chunk, so the server stores a different blob and
/// renders of different copies never share a decode (`--distinct`).
pub fn copies(set: &[Source], k: usize) -> std::io::Result<Vec<Source>> {
    set.iter()
        .map(|s| {
            let stem = s.path.file_stem().unwrap().to_string_lossy();
            let ext = s.path.extension().unwrap().to_string_lossy();
            let path = s.path.with_file_name(format!("{stem}-copy{k}.{ext}"));
            let marked = mark(
                &std::fs::read(&s.path)?,
                &format!("ipsd load bench copy {k}"),
            );
            std::fs::write(&path, marked)?;
            Ok(Source { path, ..s.clone() })
        })
        .collect()
}

/// `bytes` with `text` inserted after the JPEG SOI marker or the PNG IHDR chunk.
fn mark(bytes: &[u8], text: &str) -> Vec<u8> {
    let (at, segment) = if bytes.starts_with(&[0xFF, 0xD8]) {
        let len = (text.len() + 2) as u16;
        let mut seg = vec![0xFF, 0xFE];
        seg.extend_from_slice(&len.to_be_bytes());
        seg.extend_from_slice(text.as_bytes());
        (2, seg)
    } else {
        // Signature (8) + IHDR (length 4, type 4, data 13, CRC 4).
        let data = [b"Comment\0".as_slice(), text.as_bytes()].concat();
        let mut seg = (data.len() as u32).to_be_bytes().to_vec();
        let typed = [b"tEXt".as_slice(), &data].concat();
        seg.extend_from_slice(&typed);
        seg.extend_from_slice(&crc32fast::hash(&typed).to_be_bytes());
        (33, seg)
    };
    [&bytes[..at], &segment, &bytes[at..]].concat()
}
