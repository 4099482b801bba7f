//! `engine::Image` to the bytes of the `fmt=` format, the last step before storage in the
//! copyImage and `/is/image` flow. The plan has already flattened alpha onto `bgc=` for formats
//! without alpha, so those encoders drop the alpha channel. JPEG: `encode_jpeg`; GIF:
//! `encode_gif`; TIFF: `encode_tiff`; WebP: `encode_webp`; PNG here (the `png` crate through
//! `image`, fast deflate with adaptive filtering).

use super::{encode_gif, encode_jpeg, encode_tiff, encode_webp, CodecError, EncodeOptions, Format};
use crate::engine::Image;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};

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
    let alpha = opts.format.has_alpha();
    match opts.format {
        Format::Jpeg | Format::Pjpeg => encode_jpeg::encode(img, opts),
        Format::Png | Format::PngAlpha => png(img, alpha),
        Format::Gif | Format::GifAlpha => encode_gif::encode(img, alpha),
        Format::Tif | Format::TifAlpha => encode_tiff::encode(img, alpha, opts.compression),
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

fn png(img: &Image, alpha: bool) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    let enc = PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive);
    let r = if alpha {
        enc.write_image(&img.data, img.width, img.height, ExtendedColorType::Rgba8)
    } else {
        enc.write_image(&rgb(img), img.width, img.height, ExtendedColorType::Rgb8)
    };
    r.map_err(CodecError::encode)?;
    Ok(out)
}
