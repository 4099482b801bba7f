//! The deterministic photo-like test image shared by the codec and load benches.

use ipsd::engine::Image;

/// Smooth colour waves plus light noise (a photo for the codecs' purposes); with `alpha`, a
/// horizontal alpha ramp.
pub fn photo(w: u32, h: u32, alpha: bool) -> Image {
    let mut seed = 0x2545_f491u32;
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let n = (seed >> 27) as f32 - 16.0;
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let r = 128.0 + 100.0 * (fx * 13.0 + fy * 3.0).sin() + n;
            let g = 128.0 + 90.0 * (fy * 17.0 - fx * 5.0).cos() + n;
            let b = 128.0 + 80.0 * (fx * fy * 40.0).sin() + n;
            let a = if alpha {
                (255.0 * (1.0 - fx * 0.8)) as u8
            } else {
                255
            };
            data.extend_from_slice(&[r as u8, g as u8, b as u8, a]);
        }
    }
    Image {
        width: w,
        height: h,
        data,
    }
}
