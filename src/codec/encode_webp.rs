//! WebP output of `encode` (`fmt=webp`, `fmt=webp-alpha`) with libwebp, compiled from C by the
//! `cc` crate (`libwebp-sys`; no cmake or nasm). Lossy by default with `qlt=` as quality;
//! `fmt=webp,,lossless` encodes losslessly at a moderate effort (quality is ignored, as the spec
//! says). The `qlt=` chroma flag is ignored (WebP lossy is always 4:2:0).

use super::encode::rgb;
use super::{CodecError, Compression, EncodeOptions};
use crate::engine::Image;
use webp::{PixelLayout, WebPConfig};

/// libwebp's largest width or height.
const MAX_DIM: u32 = 16383;

pub(super) fn encode(
    img: &Image,
    alpha: bool,
    opts: &EncodeOptions,
) -> Result<Vec<u8>, CodecError> {
    if img.width > MAX_DIM || img.height > MAX_DIM {
        return Err(CodecError::encode("WebP is limited to 16383x16383 pixels"));
    }
    let mut cfg = WebPConfig::new().map_err(|_| CodecError::encode("libwebp version mismatch"))?;
    // Speed settings measured on an 800x600 photo (benches/codecs.rs): lossy method 2 is about
    // twice as fast as libwebp's default 4 for a file 2 % larger; lossless effort 20 with
    // method 1 about a third of the time of the default (75, 4) for a file 6 % larger.
    if opts.compression == Compression::Lossless {
        cfg.lossless = 1;
        cfg.quality = 20.0; // effort, not fidelity, in lossless mode
        cfg.method = 1;
    } else {
        cfg.quality = opts.quality.clamp(1, 100) as f32;
        cfg.method = 2;
    }
    let rgb_bytes;
    let (bytes, layout) = if alpha {
        (&img.data[..], PixelLayout::Rgba)
    } else {
        rgb_bytes = rgb(img);
        (&rgb_bytes[..], PixelLayout::Rgb)
    };
    let mem = webp::Encoder::new(bytes, layout, img.width, img.height)
        .encode_advanced(&cfg)
        .map_err(|e| CodecError::encode(format!("libwebp: {e:?}")))?;
    Ok(mem.to_vec())
}
