//! PNG, GIF (first frame), TIFF, WebP and BMP decoding for `decode`, through the `image` crate's
//! pure-Rust decoders under an allocation cap; still WebP images go through libwebp, which is
//! faster, and 8-bit RGB(A) PNGs through `decode_png` (own inflate; two cores when alone).
//! 16-bit, gray, palette and alpha variants all come out as RGBA8 straight alpha (16-bit
//! values are rounded to 8 bits); embedded ICC profiles go through `icc`; the EXIF orientation
//! (PNG eXIf, WebP EXIF, TIFF tag) is read here and applied by `decode`.

use super::decode::{Header, SourceFormat};
use super::icc::{self, Source};
use super::CodecError;
use super::{box_shrink, decode_png};
use crate::engine::Image;
use image::{ColorType, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

pub(super) fn header(bytes: &[u8], format: SourceFormat) -> Result<Header, CodecError> {
    let mut d = reader(bytes, format, None)
        .into_decoder()
        .map_err(CodecError::corrupt)?;
    let (w, h) = d.dimensions();
    let has_alpha = d.color_type().has_alpha();
    let orientation = d.orientation().map(|o| o.to_exif()).unwrap_or(1);
    let (width, height) = if super::orient::swaps_axes(orientation) {
        (h, w)
    } else {
        (w, h)
    };
    Ok(Header {
        format,
        width,
        height,
        has_alpha,
        orientation,
    })
}

/// Decodes the stored (not yet oriented) pixels of a non-JPEG image, block-averaged by `shrink`
/// (1, 2, 4 or 8: `box_shrink`; the own PNG decoder does it as it goes).
pub(super) fn decode(
    bytes: &[u8],
    format: SourceFormat,
    h: &Header,
    shrink: u32,
) -> Result<Image, CodecError> {
    let (w, ht) = h.stored_size();
    let pixels = w as u64 * ht as u64;
    let limits = {
        let mut l = Limits::default();
        l.max_image_width = Some(w);
        l.max_image_height = Some(ht);
        // The decoded buffer (up to 16-bit RGBA), the RGBA8 copy and decoder state.
        l.max_alloc = Some(pixels.saturating_mul(16).saturating_add(64 << 20));
        l
    };
    let mut d = reader(bytes, format, Some(limits))
        .into_decoder()
        .map_err(CodecError::corrupt)?;
    if d.dimensions() != (w, ht) {
        return Err(CodecError::corrupt("image size changed between reads"));
    }
    let gray = matches!(
        d.color_type(),
        ColorType::L8 | ColorType::La8 | ColorType::L16 | ColorType::La16
    );
    let icc = d.icc_profile().ok().flatten();
    let png = match format {
        SourceFormat::Png => decode_png::decode(bytes, super::decode::spare_core(), shrink)
            .filter(|i| (i.width, i.height) == (w.div_ceil(shrink), ht.div_ceil(shrink))),
        _ => None,
    };
    let mut img = match png {
        Some(img) => img,
        None => {
            let data = match format {
                SourceFormat::Webp => libwebp(bytes, w, ht),
                _ => None,
            };
            let data = match data {
                Some(data) => data,
                None => DynamicImage::from_decoder(d)
                    .map_err(CodecError::corrupt)?
                    .into_rgba8()
                    .into_raw(),
            };
            if data.len() as u64 != pixels * 4 {
                return Err(CodecError::corrupt("decoded size differs from the header"));
            }
            let full = Image {
                width: w,
                height: ht,
                data,
            };
            box_shrink::shrink(full, shrink)
        }
    };
    let source = if gray { Source::Gray } else { Source::Rgb };
    icc::to_srgb(&mut img, icc.as_deref(), source);
    Ok(img)
}

/// Still WebP through libwebp (about twice as fast as `image-webp` on lossy files);
/// `None` for animations and for anything libwebp refuses, which then goes to `image-webp`.
fn libwebp(bytes: &[u8], w: u32, h: u32) -> Option<Vec<u8>> {
    let img = webp::Decoder::new(bytes).decode()?;
    if (img.width(), img.height()) != (w, h) {
        return None;
    }
    let data = match img.is_alpha() {
        true => img.to_vec(),
        false => img
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
    };
    (data.len() == w as usize * h as usize * 4).then_some(data)
}

fn reader(
    bytes: &[u8],
    format: SourceFormat,
    limits: Option<Limits>,
) -> ImageReader<Cursor<&[u8]>> {
    let f = match format {
        SourceFormat::Png => ImageFormat::Png,
        SourceFormat::Gif => ImageFormat::Gif,
        SourceFormat::Tiff => ImageFormat::Tiff,
        SourceFormat::Webp => ImageFormat::WebP,
        SourceFormat::Bmp => ImageFormat::Bmp,
        SourceFormat::Jpeg => ImageFormat::Jpeg,
    };
    let mut r = ImageReader::with_format(Cursor::new(bytes), f);
    if let Some(l) = limits {
        r.limits(l);
    }
    r
}
