//! Upload validation, the first step of the `UploadFile` servlet's ingest (and of the demo's
//! samples): the image is decoded in full by the same decoder that renders it at full size
//! (`codec::decode`, shrink 1), so an upload is accepted exactly when `copyImage` and
//! `/is/image` can read every pixel of it. The header is read first and the pixel limit
//! checked before any pixel is decoded; truncated JPEGs (no end-of-image marker after the last
//! scan), JPEGs with too many scans, PNGs with a wrong CRC and anything the decoders refuse
//! are `Corrupt`. The recorded width and height are the image as displayed (after its EXIF
//! orientation), as every render sees it. The decoded pixels go back to the kept buffers
//! (`buffers`) for the next render.
//!
//! Until 2026-11-30 the `image` crate decoded uploads here, a second decoder beside the render
//! path's own: 1.3-2.3x slower on the load bench's big sources (BENCHMARKS.md, "Upload
//! validation").

use super::{decode, CodecError, DecodeOptions};
use crate::catalog::ImageMeta;

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

/// Checks `bytes` and returns its metadata: `Unsupported` for anything but JPEG, PNG, GIF,
/// TIFF, WebP and BMP, `TooLarge` over `max_pixels` (before decoding), `Corrupt` when the
/// decode fails. CPU-heavy: call from a blocking thread.
pub fn probe(bytes: &[u8], max_pixels: u64) -> Result<ImageMeta, CodecError> {
    let opts = DecodeOptions {
        max_pixels,
        shrink: 1,
    };
    let header = decode(bytes, &opts)?.header;
    Ok(ImageMeta {
        width: header.width as i64,
        height: header.height as i64,
        format: header.format.name().to_string(),
        file_size: bytes.len() as i64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{encode, EncodeOptions, Format};
    use crate::engine::Image;

    fn encoded(w: u32, h: u32, format: Format) -> Vec<u8> {
        let data = (0..w * h)
            .flat_map(|i| [(i % w * 7) as u8, (i / w * 5) as u8, 128, (i % 251) as u8])
            .collect();
        let img = Image {
            width: w,
            height: h,
            data,
        };
        let o = EncodeOptions {
            format,
            ..EncodeOptions::default()
        };
        encode(&img, &o).unwrap()
    }

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/codec/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn accepts_good_images_of_every_source_format() {
        for (format, name) in [
            (Format::Jpeg, "jpeg"),
            (Format::Pjpeg, "jpeg"),
            (Format::PngAlpha, "png"),
            (Format::Png, "png"),
            (Format::Gif, "gif"),
            (Format::TifAlpha, "tiff"),
            (Format::Webp, "webp"),
        ] {
            let bytes = encoded(64, 48, format);
            let m = probe(&bytes, 100_000_000).unwrap();
            assert_eq!((m.width, m.height, m.format.as_str()), (64, 48, name));
            assert_eq!(m.file_size, bytes.len() as i64);
        }
    }

    #[test]
    fn records_the_size_as_displayed() {
        // Stored 24 x 32, EXIF orientation 6 (a quarter turn): displayed, and rendered, 32 x 24.
        let m = probe(&fixture("orient6.jpg"), u64::MAX).unwrap();
        assert_eq!((m.width, m.height), (32, 24));
    }

    #[test]
    fn refuses_a_progressive_jpeg_with_too_many_scans_before_decoding() {
        use super::super::decode_jpeg::{progressive, with_repeated_last_scan, MAX_SCANS};
        let p = progressive(64, 48);
        assert!(probe(&p, u64::MAX).is_ok());
        match probe(&with_repeated_last_scan(&p, MAX_SCANS), u64::MAX) {
            Err(CodecError::Corrupt(m)) => assert!(m.contains("scans"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_truncated_damaged_non_image_and_oversized() {
        for format in [Format::Jpeg, Format::Pjpeg, Format::PngAlpha] {
            let b = encoded(64, 48, format);
            let cut = probe(&b[..b.len() / 2], u64::MAX);
            assert!(matches!(cut, Err(CodecError::Corrupt(_))), "{format:?}");
            let over = probe(&b, 64 * 48 - 1);
            assert!(matches!(over, Err(CodecError::TooLarge { .. })));
        }
        // A flipped bit in a PNG's IDAT data: its CRC no longer matches.
        let mut png = encoded(64, 48, Format::PngAlpha);
        let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
        png[idat + 10] ^= 0x10;
        assert!(matches!(probe(&png, u64::MAX), Err(CodecError::Corrupt(_))));
        let not = probe(b"hello world, not an image", u64::MAX);
        assert_eq!(not, Err(CodecError::Unsupported));
    }

    /// What the probe accepts, every render can read: one-byte damage all over a baseline and
    /// a progressive JPEG; whenever the probe accepts the result, decodes at 1/2, 1/4 and 1/8
    /// (other decoders than the full-size one) succeed too, at the size the header gives.
    #[test]
    fn accepted_damage_decodes_at_every_shrink() {
        let mut accepted = 0;
        for format in [Format::Jpeg, Format::Pjpeg] {
            let good = encoded(48, 40, format);
            for at in (2..good.len() - 2).step_by(3) {
                let mut b = good.clone();
                b[at] = b[at].wrapping_add(0x5B);
                let Ok(m) = probe(&b, u64::MAX) else { continue };
                accepted += 1;
                for shrink in [2, 4, 8] {
                    let opts = DecodeOptions {
                        max_pixels: u64::MAX,
                        shrink,
                    };
                    let d = decode(&b, &opts)
                        .unwrap_or_else(|e| panic!("{format:?} byte {at} at 1/{shrink}: {e}"));
                    let want = (m.width as u32).div_ceil(d.shrink);
                    assert_eq!(d.image.width, want, "{format:?} byte {at} at 1/{shrink}");
                }
            }
        }
        assert!(accepted > 20, "only {accepted} damaged files accepted");
    }
}
