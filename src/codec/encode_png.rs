//! PNG output of `encode` with the `png` crate (fast deflate, adaptive filtering): `png` and
//! `png-alpha` as 8-bit RGB or RGBA, `png8` and `png8-alpha` as an 8-bit palette from `palette`
//! (`quantize=`), `png8-alpha` with a `tRNS` entry making the key colour transparent (pixels
//! with alpha below 128, as in `gif-alpha`). `printRes=` goes into `pHYs`, `iccEmbed=1` into
//! `iCCP`.

use super::encode::rgb;
use super::palette::{self, Quantize};
use super::profile::OutputMeta;
use super::CodecError;
use crate::engine::Image;
use std::borrow::Cow;

/// `png`/`png-alpha`.
pub(super) fn truecolor(
    img: &Image,
    alpha: bool,
    meta: &OutputMeta,
) -> Result<Vec<u8>, CodecError> {
    let color = if alpha {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    };
    let rgb_bytes;
    let data = if alpha {
        &img.data[..]
    } else {
        rgb_bytes = rgb(img);
        &rgb_bytes[..]
    };
    write(
        img,
        png::Info::with_size(img.width, img.height),
        color,
        data,
        meta,
    )
}

/// `png8`/`png8-alpha`.
pub(super) fn indexed(
    img: &Image,
    alpha: bool,
    q: &Quantize,
    meta: &OutputMeta,
) -> Result<Vec<u8>, CodecError> {
    let ix = palette::index(img, alpha, q);
    let mut info = png::Info::with_size(img.width, img.height);
    info.palette = Some(Cow::Owned(ix.palette.iter().flatten().copied().collect()));
    if let Some(k) = ix.key {
        let mut trns = vec![255u8; k as usize + 1];
        trns[k as usize] = 0;
        info.trns = Some(Cow::Owned(trns));
    }
    write(img, info, png::ColorType::Indexed, &ix.indices, meta)
}

fn write(
    img: &Image,
    mut info: png::Info<'_>,
    color: png::ColorType,
    data: &[u8],
    meta: &OutputMeta,
) -> Result<Vec<u8>, CodecError> {
    info.icc_profile = meta.icc_to_embed()?.map(|b| Cow::Owned(b.to_vec()));
    info.pixel_dims = meta.print_res.map(|dpi| {
        // pHYs counts pixels per metre.
        let ppm = (dpi / 0.0254).round().clamp(1.0, u32::MAX as f64) as u32;
        png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }
    });
    info.color_type = color;
    info.bit_depth = png::BitDepth::Eight;
    let mut out = Vec::with_capacity(img.data.len() / 8);
    let mut enc = png::Encoder::with_info(&mut out, info).map_err(CodecError::encode)?;
    enc.set_compression(png::Compression::Fast);
    enc.set_filter(png::Filter::Adaptive);
    let mut w = enc.write_header().map_err(CodecError::encode)?;
    w.write_image_data(data).map_err(CodecError::encode)?;
    w.finish().map_err(CodecError::encode)?;
    Ok(out)
}
