//! `engine::Image` to the bytes of the `fmt=` format, the last step before storage in the
//! copyImage and `/is/image` flow. The plan has already flattened alpha onto `bgc=` for formats
//! without alpha, so those encoders drop the alpha channel. `icc=` converts the pixels to the
//! output profile first (`profile`); `iccEmbed=` and `printRes=` go into the header of JPEG,
//! PNG and TIFF (GIF and WebP have no place for them, as the spec's `fmt` table says). JPEG:
//! `encode_jpeg`; PNG and PNG8: `encode_png`; GIF: `encode_gif` (GIF and PNG8 palettes from
//! `palette`, `quantize=`); TIFF: `encode_tiff`; WebP: `encode_webp`.

use super::profile;
use super::{
    encode_gif, encode_jpeg, encode_png, encode_tiff, encode_webp, CodecError, EncodeOptions,
    Format,
};
use crate::engine::Image;

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
        Format::Png | Format::PngAlpha => encode_png::truecolor(img, alpha, &opts.meta),
        Format::Png8 | Format::Png8Alpha => {
            encode_png::indexed(img, alpha, &opts.quantize, &opts.meta)
        }
        Format::Gif | Format::GifAlpha => encode_gif::encode(img, alpha, &opts.quantize),
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
