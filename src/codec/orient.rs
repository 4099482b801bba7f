//! EXIF orientation, the last step of `decode`: reads the tag from an EXIF block and turns the
//! stored pixels into the displayed image (all eight orientations), so every later step works on
//! what a viewer shows.

use crate::engine::Image;

/// The orientation (1..=8) in a raw EXIF block (TIFF header first, or with the `Exif\0\0`
/// prefix of a JPEG APP1 segment); 1 when absent or invalid.
pub(super) fn from_exif(exif: &[u8]) -> u8 {
    let tiff = exif.strip_prefix(b"Exif\0\0").unwrap_or(exif);
    image::metadata::Orientation::from_exif_chunk(tiff)
        .map(|o| o.to_exif())
        .unwrap_or(1)
}

/// Orientations 5..=8 turn the image by 90°, swapping width and height.
pub(super) fn swaps_axes(orientation: u8) -> bool {
    (5..=8).contains(&orientation)
}

/// The displayed image for stored pixels with this EXIF orientation.
pub(super) fn apply(img: Image, orientation: u8) -> Image {
    if !(2..=8).contains(&orientation) {
        return img;
    }
    let (w, h) = (img.width as isize, img.height as isize);
    // Source pixel index of output pixel (x, y) is `start + x * dx + y * dy`.
    let (start, dx, dy) = match orientation {
        2 => (w - 1, -1, w),
        3 => (h * w - 1, -1, -w),
        4 => ((h - 1) * w, 1, -w),
        5 => (0, w, 1),
        6 => ((h - 1) * w, -w, 1),
        7 => (h * w - 1, -w, -1),
        _ => (w - 1, w, -1),
    };
    let (ow, oh) = if swaps_axes(orientation) {
        (img.height, img.width)
    } else {
        (img.width, img.height)
    };
    let mut out = vec![0u8; img.data.len()];
    // Tiles keep both the reads and the writes of a 90° turn within the cache.
    const TILE: usize = 64;
    let (ow_u, oh_u) = (ow as usize, oh as usize);
    for ty in (0..oh_u).step_by(TILE) {
        for tx in (0..ow_u).step_by(TILE) {
            for y in ty..(ty + TILE).min(oh_u) {
                let row = start + y as isize * dy;
                for x in tx..(tx + TILE).min(ow_u) {
                    let s = (row + x as isize * dx) as usize * 4;
                    let d = (y * ow_u + x) * 4;
                    out[d..d + 4].copy_from_slice(&img.data[s..s + 4]);
                }
            }
        }
    }
    Image {
        width: ow,
        height: oh,
        data: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 image whose pixels are numbered 0..6 in the red channel.
    fn numbered() -> Image {
        let data = (0u8..6).flat_map(|i| [i, 0, 0, 255]).collect();
        Image {
            width: 3,
            height: 2,
            data,
        }
    }

    fn reds(img: &Image) -> Vec<u8> {
        img.data.chunks(4).map(|p| p[0]).collect()
    }

    #[test]
    fn all_eight_orientations() {
        // Stored:  0 1 2
        //          3 4 5
        let cases: [(u8, (u32, u32), [u8; 6]); 8] = [
            (1, (3, 2), [0, 1, 2, 3, 4, 5]),
            (2, (3, 2), [2, 1, 0, 5, 4, 3]),
            (3, (3, 2), [5, 4, 3, 2, 1, 0]),
            (4, (3, 2), [3, 4, 5, 0, 1, 2]),
            (5, (2, 3), [0, 3, 1, 4, 2, 5]),
            (6, (2, 3), [3, 0, 4, 1, 5, 2]),
            (7, (2, 3), [5, 2, 4, 1, 3, 0]),
            (8, (2, 3), [2, 5, 1, 4, 0, 3]),
        ];
        for (o, size, want) in cases {
            let got = apply(numbered(), o);
            assert_eq!((got.width, got.height), size, "orientation {o}");
            assert_eq!(reds(&got), want, "orientation {o}");
        }
    }

    #[test]
    fn large_turn_matches_pixelwise_definition() {
        let (w, h) = (131u32, 70u32);
        let data = (0..w * h).flat_map(|i| i.to_le_bytes()).collect();
        let img = Image {
            width: w,
            height: h,
            data,
        };
        let out = apply(img.clone(), 6);
        for y in 0..out.height {
            for x in 0..out.width {
                // Rotating 90° clockwise: displayed (x, y) is stored (y, h - 1 - x).
                assert_eq!(out.pixel(x, y), img.pixel(y, h - 1 - x));
            }
        }
    }

    #[test]
    fn exif_tag_is_read() {
        // Big-endian TIFF header, one IFD entry: Orientation (0x0112), SHORT, 1, value 6.
        let exif = [
            b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0,
            0, 0, 0,
        ];
        assert_eq!(from_exif(&exif), 6);
        let mut prefixed = b"Exif\0\0".to_vec();
        prefixed.extend_from_slice(&exif);
        assert_eq!(from_exif(&prefixed), 6);
        assert_eq!(from_exif(b"garbage"), 1);
    }
}
