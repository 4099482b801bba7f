//! Upload validation: the format and dimensions come from the header first, so an over-limit
//! image is refused before any pixel is decoded; then the full image is decoded (under an
//! allocation cap) so corrupt or truncated files are refused too. JPEGs must also end their last
//! scan with an EOI marker, because some decoders pad a truncated scan silently.

use crate::catalog::ImageMeta;
use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProbeError {
    #[error("not a supported image file (JPEG, PNG, GIF, TIFF, WebP or BMP)")]
    NotAnImage,
    #[error("image is {width}x{height} = {pixels} pixels, over the limit of {limit}")]
    TooLarge {
        width: u32,
        height: u32,
        pixels: u64,
        limit: u64,
    },
    #[error("image has zero width or height")]
    Empty,
    #[error("image data is corrupt or truncated: {0}")]
    Corrupt(String),
}

/// Wire name of a format as stored in the catalog and used for file extensions.
pub fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::Gif => "gif",
        ImageFormat::Tiff => "tiff",
        ImageFormat::WebP => "webp",
        ImageFormat::Bmp => "bmp",
        _ => "unknown",
    }
}

/// MIME type for a stored format name.
pub fn content_type(format: &str) -> &'static str {
    match format {
        "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "tiff" => "image/tiff",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        _ => "application/octet-stream",
    }
}

/// Checks `bytes` and returns its metadata. CPU-heavy: call from a blocking thread.
pub fn probe(bytes: &[u8], max_pixels: u64) -> Result<ImageMeta, ProbeError> {
    let format = image::guess_format(bytes).map_err(|_| ProbeError::NotAnImage)?;
    if format_name(format) == "unknown" {
        return Err(ProbeError::NotAnImage);
    }
    let reader = || ImageReader::with_format(Cursor::new(bytes), format);
    let (width, height) = reader()
        .into_dimensions()
        .map_err(|e| ProbeError::Corrupt(e.to_string()))?;
    let pixels = width as u64 * height as u64;
    if pixels == 0 {
        return Err(ProbeError::Empty);
    }
    if pixels > max_pixels {
        return Err(ProbeError::TooLarge {
            width,
            height,
            pixels,
            limit: max_pixels,
        });
    }
    if format == ImageFormat::Jpeg && !jpeg_has_eoi(bytes) {
        return Err(ProbeError::Corrupt(
            "JPEG ends before its end-of-image marker".into(),
        ));
    }
    if format == ImageFormat::Jpeg {
        super::decode_jpeg::check_scans(bytes).map_err(|e| ProbeError::Corrupt(e.to_string()))?;
    }
    let mut r = reader();
    let mut limits = Limits::default();
    limits.max_alloc = Some(pixels.saturating_mul(16).max(64 << 20));
    r.limits(limits);
    r.decode().map_err(|e| ProbeError::Corrupt(e.to_string()))?;
    Ok(ImageMeta {
        width: width as i64,
        height: height as i64,
        format: format_name(format).to_string(),
        file_size: bytes.len() as i64,
    })
}

/// True when an EOI marker (FF D9) follows the last start-of-scan (FF DA). Entropy-coded data
/// stuffs every FF with 00, so an FF D9 after the last SOS is the real end of the image.
fn jpeg_has_eoi(b: &[u8]) -> bool {
    let last_sos = b.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_sos {
        Some(i) => b[i..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    #[test]
    fn accepts_a_good_jpeg() {
        let m = probe(&jpeg(64, 48), 100_000_000).unwrap();
        assert_eq!((m.width, m.height, m.format.as_str()), (64, 48, "jpeg"));
    }

    #[test]
    fn refuses_a_progressive_jpeg_with_too_many_scans_before_decoding() {
        use super::super::decode_jpeg::{progressive, with_repeated_last_scan, MAX_SCANS};
        let p = progressive(64, 48);
        assert!(probe(&p, u64::MAX).is_ok());
        match probe(&with_repeated_last_scan(&p, MAX_SCANS), u64::MAX) {
            Err(ProbeError::Corrupt(m)) => assert!(m.contains("scans"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_truncated_non_image_and_oversized() {
        let j = jpeg(64, 48);
        assert!(matches!(
            probe(&j[..j.len() / 2], u64::MAX),
            Err(ProbeError::Corrupt(_))
        ));
        assert_eq!(
            probe(b"hello world, not an image", u64::MAX),
            Err(ProbeError::NotAnImage)
        );
        assert!(matches!(probe(&j, 1000), Err(ProbeError::TooLarge { .. })));
    }
}
