//! `engine::Image` to the bytes of the `fmt=` format, the last step before storage in the
//! copyImage and `/is/image` flow. The plan has already flattened alpha onto `bgc=` for formats
//! without alpha, so those encoders drop the alpha channel. `icc=` converts the pixels to the
//! output profile first (`profile`); `iccEmbed=` and `printRes=` go into the header of JPEG,
//! PNG and TIFF (GIF and WebP have no place for them, as the spec's `fmt` table says). JPEG:
//! `encode_jpeg`; GIF: `encode_gif`; TIFF: `encode_tiff`; WebP: `encode_webp`; PNG here (the
//! `png` crate, fast deflate with adaptive filtering).

use super::profile::{self, OutputMeta};
use super::{encode_gif, encode_jpeg, encode_tiff, encode_webp, CodecError, EncodeOptions, Format};
use crate::engine::Image;
use std::borrow::Cow;

/// Encodes `img` (RGBA8 sRGB straight alpha) as `opts.format`.
pub fn encode(img: &Image, opts: &EncodeOptions) -> Result<Vec<u8>, CodecError> {
    if img.width == 0 || img.height == 0 {
        return Err(CodecError::encode("image has zero width or height"));
    }
    if img.data.len() as u64 != img.width as u64 * img.height as u64 * 4 {
        return Err(CodecError::encode(
            "pixel buffer does not match the image size",
        ));
    }
    let converted = profile::convert(img, &opts.meta)?;
    let img = converted.as_ref().unwrap_or(img);
    let alpha = opts.format.has_alpha();
    match opts.format {
        Format::Jpeg | Format::Pjpeg => encode_jpeg::encode(img, opts),
        Format::Png | Format::PngAlpha => png(img, alpha, &opts.meta),
        Format::Gif | Format::GifAlpha => encode_gif::encode(img, alpha),
        Format::Tif | Format::TifAlpha => encode_tiff::encode(img, alpha, opts),
        Format::Webp | Format::WebpAlpha => encode_webp::encode(img, alpha, opts),
    }
}

/// The RGB bytes of an RGBA image (alpha dropped).
pub(super) fn rgb(img: &Image) -> Vec<u8> {
    let mut out = Vec::with_capacity(img.data.len() / 4 * 3);
    for p in img.data.chunks_exact(4) {
        out.extend_from_slice(&p[..3]);
    }
    out
}

/// Dots per inch as a whole number for headers that only take integers (at least 1).
pub(super) fn whole_dpi(dpi: f64, max: f64) -> f64 {
    dpi.round().clamp(1.0, max)
}

fn png(img: &Image, alpha: bool, meta: &OutputMeta) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    let icc = meta.icc_to_embed()?;
    let mut info = png::Info::with_size(img.width, img.height);
    info.icc_profile = icc.as_deref().map(Cow::Borrowed);
    info.pixel_dims = meta.print_res.map(|dpi| {
        // pHYs counts pixels per metre.
        let ppm = (dpi / 0.0254).round().clamp(1.0, u32::MAX as f64) as u32;
        png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }
    });
    let mut enc = png::Encoder::with_info(&mut out, info).map_err(CodecError::encode)?;
    enc.set_color(if alpha {
        png::ColorType::Rgba
    } else {
        png::ColorType::Rgb
    });
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    enc.set_filter(png::Filter::Adaptive);
    let mut w = enc.write_header().map_err(CodecError::encode)?;
    let r = if alpha {
        w.write_image_data(&img.data)
    } else {
        w.write_image_data(&rgb(img))
    };
    r.map_err(CodecError::encode)?;
    w.finish().map_err(CodecError::encode)?;
    Ok(out)
}
