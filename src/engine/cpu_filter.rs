//! CPU twins of the neighbourhood filters and noise (`shaders/op_blur.wgsl`, `op_usm.wgsl`,
//! `op_grow.wgsl`, `op_noise.wgsl`); the algorithms are documented in [`super::filter`]. Rows
//! run in parallel on rayon, each pass as whole-row sweeps (the centre tap, then one sweep per
//! symmetric pair of taps, which vectorizes), where the GPU folds its taps in offset order:
//! the same weights and formats, so the executors agree to within float rounding (blur, USM:
//! ±1 after rounding) or exactly (grow, noise).

use super::cpu_color::{clamp0, floor_small};
use super::filter::{gauss_weights, Noise, Usm};
use super::Image;
use rayon::prelude::*;

/// Premultiplied RGBA in 0..1.
type P = [f32; 4];

/// `v / 255.0` for every byte (the same f32 values the division gives, without dividing).
static UNIT: std::sync::LazyLock<[f32; 256]> =
    std::sync::LazyLock::new(|| std::array::from_fn(|v| v as f32 / 255.0));

/// Straight RGBA8 → premultiplied 0..1, a row at a time, flat (`shaders/shared/filter.wgsl`
/// `premul`).
fn premul_row(row: &[u8]) -> Vec<f32> {
    let u = &*UNIT;
    let mut out = vec![0f32; row.len()];
    for (o, p) in out.chunks_exact_mut(4).zip(row.chunks_exact(4)) {
        let a = u[usize::from(p[3])];
        o[0] = u[usize::from(p[0])] * a;
        o[1] = u[usize::from(p[1])] * a;
        o[2] = u[usize::from(p[2])] * a;
        o[3] = a;
    }
    out
}

/// Premultiplied 0..1 → straight RGBA8, rounding once.
fn straight(p: P) -> [u8; 4] {
    let a = p[3].clamp(0.0, 1.0);
    // `as` truncates, which is floor for these non-negative values (and avoids a libm call).
    let a8 = (a * 255.0 + 0.5) as u8;
    if a8 == 0 {
        return [0; 4];
    }
    let inv = 1.0 / a;
    let c = |v: f32| ((v * inv).clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
    [c(p[0]), c(p[1]), c(p[2]), a8]
}

/// Lanes of [`straight_row`]: eight pixels, channel by channel.
const LANES: usize = 8;

/// [`straight`] over a row of premultiplied pixels (flat RGBA), eight at a time in operations
/// with vector forms, then one by one; the same bytes.
fn straight_row(src: &[f32], dst: &mut [u8]) {
    let mut d = dst.chunks_exact_mut(4 * LANES);
    let mut s = src.chunks_exact(4 * LANES);
    for (d, s) in (&mut d).zip(&mut s) {
        let (Ok(s), Ok(d)) = (s.try_into(), d.try_into()) else {
            unreachable!("chunks of 4 × LANES")
        };
        straight_lanes(s, d);
    }
    let rest = d.into_remainder().chunks_exact_mut(4);
    for (d, p) in rest.zip(s.remainder().chunks_exact(4)) {
        d.copy_from_slice(&straight([p[0], p[1], p[2], p[3]]));
    }
}

/// [`straight`] on `LANES` pixels; `max`/`min` clamp as `clamp` does and also turn NaN into 0,
/// where `as u8` gives 0 too.
fn straight_lanes(s: &[f32; 4 * LANES], d: &mut [u8; 4 * LANES]) {
    let a: [f32; LANES] = std::array::from_fn(|j| clamp0(s[4 * j + 3], 1.0));
    let mut a8 = [0i32; LANES];
    let mut inv = [0f32; LANES];
    for j in 0..LANES {
        a8[j] = floor_small(a[j] * 255.0 + 0.5);
        inv[j] = 1.0 / a[j];
    }
    for c in 0..3 {
        let mut q = [0i32; LANES];
        for j in 0..LANES {
            let v = floor_small(clamp0(s[4 * j + c] * inv[j], 1.0) * 255.0 + 0.5);
            q[j] = if a8[j] == 0 { 0 } else { v };
        }
        for j in 0..LANES {
            d[4 * j + c] = q[j] as u8;
        }
    }
    for j in 0..LANES {
        d[4 * j + 3] = a8[j] as u8;
    }
}

/// `floor(v·65535 + ½)` of `v` clamped to 0..1 (NaN: 0), in vector-friendly operations.
fn quantize(v: f32) -> u16 {
    floor_small(clamp0(v, 1.0) * 65535.0 + 0.5) as u16
}

fn clamped(i: i64, n: u32) -> usize {
    i.clamp(0, i64::from(n) - 1) as usize
}

/// `row` (`n` pixels of `ch` values) with its edge pixels repeated `r` times on each side.
fn padded<T: Copy>(row: &[T], ch: usize, r: usize) -> Vec<T> {
    let n = row.len() / ch;
    let mut out = Vec::with_capacity((n + 2 * r) * ch);
    for _ in 0..r {
        out.extend_from_slice(&row[..ch]);
    }
    out.extend_from_slice(row);
    for _ in 0..r {
        out.extend_from_slice(&row[(n - 1) * ch..]);
    }
    out
}

/// `acc[i] += w · (a[i] + b[i])`: one symmetric pair of taps over a whole row (vectorizes).
fn axpy2(acc: &mut [f32], w: f32, a: &[f32], b: &[f32]) {
    for ((o, x), y) in acc.iter_mut().zip(a).zip(b) {
        *o += w * (x + y);
    }
}

/// The horizontal Gaussian pass: premultiplied, stored as 16-bit unorm RGBA (flat). Whole
/// rows at a time: the centre tap, then each symmetric pair of taps as one sweep.
fn blur_h(img: &Image, w: &[f32]) -> Vec<u16> {
    let (n, r) = (img.width as usize * 4, w.len() - 1);
    let mut out = vec![0u16; img.data.len()];
    out.par_chunks_mut(n)
        .zip(img.data.par_chunks(n))
        .for_each(|(dst, row)| {
            let px = premul_row(row);
            let p = padded(&px, 4, r);
            let mut acc: Vec<f32> = p[r * 4..r * 4 + n].iter().map(|v| w[0] * v).collect();
            for (k, wk) in w.iter().enumerate().skip(1) {
                axpy2(
                    &mut acc,
                    *wk,
                    &p[(r - k) * 4..][..n],
                    &p[(r + k) * 4..][..n],
                );
            }
            for (d, a) in dst.iter_mut().zip(&acc) {
                *d = quantize(*a);
            }
        });
    out
}

/// The vertical Gaussian pass over `blur_h`'s output; `finish(y, blurred, out)` makes output
/// row `y` from its blurred row (premultiplied 0..1, flat RGBA).
fn blur_v(
    h16: &[u16],
    width: u32,
    height: u32,
    w: &[f32],
    finish: impl Fn(usize, &[f32], &mut [u8]) + Sync,
) -> Image {
    let n = width as usize * 4;
    let row = |y: i64| {
        let sy = clamped(y, height);
        &h16[sy * n..(sy + 1) * n]
    };
    let mut data = crate::buffers::take(n * height as usize);
    data.par_chunks_mut(n).enumerate().for_each(|(y, dst)| {
        let y = y as i64;
        let w0 = w[0] / 65535.0;
        let mut acc: Vec<f32> = row(y).iter().map(|v| w0 * f32::from(*v)).collect();
        for (k, wk) in w.iter().enumerate().skip(1) {
            let wk = wk / 65535.0;
            let (a, b) = (row(y - k as i64), row(y + k as i64));
            for ((o, x), z) in acc.iter_mut().zip(a).zip(b) {
                *o += wk * (f32::from(*x) + f32::from(*z));
            }
        }
        finish(y as usize, &acc, dst);
    });
    Image {
        width,
        height,
        data,
    }
}

/// `op_blur`: Gaussian blur with standard deviation `sigma` pixels.
pub fn op_blur(img: Image, sigma: f32) -> Image {
    let w = gauss_weights(sigma);
    let h16 = blur_h(&img, &w);
    blur_v(&h16, img.width, img.height, &w, |_, acc, dst| {
        straight_row(acc, dst)
    })
}

/// The unsharp-mask combination of one pixel (`shaders/op_usm.wgsl` `sharpen`).
pub fn usm_pixel(orig: P, blurred: P, u: &Usm) -> [u8; 4] {
    let th = f32::from(u.threshold);
    let mut d = [0f32; 4];
    for c in 0..4 {
        d[c] = orig[c] - blurred[c];
    }
    if u.mono {
        let y = 0.299 * d[0] + 0.587 * d[1] + 0.114 * d[2];
        d = [y, y, y, d[3]];
    }
    let mut out = [0f32; 4];
    for c in 0..4 {
        let v = if (d[c] * 255.0).abs() >= th {
            orig[c] + u.amount * d[c]
        } else {
            orig[c]
        };
        out[c] = v.clamp(0.0, 1.0);
    }
    for c in 0..3 {
        out[c] = out[c].min(out[3]);
    }
    straight(out)
}

/// `op_usm` (also `op_usmR` and `op_sharpen`): unsharp mask.
pub fn op_usm(img: Image, u: Usm) -> Image {
    let w = gauss_weights(u.sigma);
    let h16 = blur_h(&img, &w);
    let n = img.width as usize * 4;
    blur_v(&h16, img.width, img.height, &w, |y, acc, dst| {
        usm_row(&img.data[y * n..(y + 1) * n], acc, &u, dst)
    })
}

/// [`usm_pixel`] over a row, in flat passes the compiler vectorizes (monochrome: per pixel).
fn usm_row(orig: &[u8], blurred: &[f32], u: &Usm, dst: &mut [u8]) {
    let o = premul_row(orig);
    if u.mono {
        for ((d, p), b) in dst
            .chunks_exact_mut(4)
            .zip(o.chunks_exact(4))
            .zip(blurred.chunks_exact(4))
        {
            let (p, b) = ([p[0], p[1], p[2], p[3]], [b[0], b[1], b[2], b[3]]);
            d.copy_from_slice(&usm_pixel(p, b, u));
        }
        return;
    }
    let th = f32::from(u.threshold);
    let mut s: Vec<f32> = o
        .iter()
        .zip(blurred)
        .map(|(o, b)| {
            let d = o - b;
            let v = if (d * 255.0).abs() >= th {
                o + u.amount * d
            } else {
                *o
            };
            v.clamp(0.0, 1.0)
        })
        .collect();
    for p in s.chunks_exact_mut(4) {
        let a = p[3];
        for v in &mut p[..3] {
            *v = v.min(a);
        }
    }
    straight_row(&s, dst);
}

/// `op_grow`: per-channel max (`radius > 0`) or min over a `(2|r|+1)²` square, as a row
/// pass then a column pass, each a sweep over whole rows per offset.
pub fn op_grow(img: Image, radius: i32) -> Image {
    if radius == 0 {
        return img;
    }
    let pick = |a: u8, b: u8| if radius > 0 { a.max(b) } else { a.min(b) };
    let r = radius.unsigned_abs() as usize;
    let (width, height) = (img.width, img.height);
    let n = width as usize * 4;
    let mut h = crate::buffers::take(img.data.len());
    h.par_chunks_mut(n)
        .zip(img.data.par_chunks(n))
        .for_each(|(dst, row)| {
            let p = padded(row, 4, r);
            dst.copy_from_slice(row);
            for k in 1..=r {
                let (a, b) = (&p[(r - k) * 4..][..n], &p[(r + k) * 4..][..n]);
                for ((d, x), y) in dst.iter_mut().zip(a).zip(b) {
                    *d = pick(*d, pick(*x, *y));
                }
            }
        });
    let row = |y: i64| {
        let sy = clamped(y, height);
        &h[sy * n..(sy + 1) * n]
    };
    let mut data = crate::buffers::take(img.data.len());
    data.par_chunks_mut(n).enumerate().for_each(|(y, dst)| {
        let y = y as i64;
        dst.copy_from_slice(row(y));
        for k in 1..=r as i64 {
            for ((d, x), z) in dst.iter_mut().zip(row(y - k)).zip(row(y + k)) {
                *d = pick(*d, pick(*x, *z));
            }
        }
    });
    crate::buffers::give(h);
    Image {
        width,
        height,
        data,
    }
}

/// `op_noise`: adds [`Noise::value`] to R, G and B; alpha kept.
pub fn op_noise(mut img: Image, n: Noise) -> Image {
    let stride = img.width as usize * 4;
    img.data
        .par_chunks_mut(stride)
        .enumerate()
        .for_each(|(y, row)| {
            for (x, p) in row.chunks_exact_mut(4).enumerate() {
                let px = n.pixel(x as u32, y as u32);
                for (c, v) in p.iter_mut().take(3).enumerate() {
                    let ch = if n.mono { 0 } else { c as u32 };
                    let out = i32::from(*v) + n.value(px, ch);
                    *v = out.clamp(0, 255) as u8;
                }
            }
        });
    img
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(w: u32, h: u32) -> Image {
        let data = (0..w * h)
            .flat_map(|i| {
                let (x, y) = (i % w, i / w);
                [
                    (x * 7 % 256) as u8,
                    (y * 13 % 256) as u8,
                    ((x ^ y) % 256) as u8,
                    255,
                ]
            })
            .collect();
        Image {
            width: w,
            height: h,
            data,
        }
    }

    /// An opaque noisy image from a fixed LCG.
    fn noisy(w: u32, h: u32, seed: u32) -> Image {
        let mut s = seed;
        let data = (0..w * h * 4)
            .map(|i| {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                if i % 4 == 3 {
                    255
                } else {
                    (s >> 16) as u8
                }
            })
            .collect();
        Image {
            width: w,
            height: h,
            data,
        }
    }

    /// Per channel, the range of `img` over the `(2r+1)²` window around (x, y), clamped.
    fn local_range(img: &Image, x: u32, y: u32, r: i64, c: usize) -> (u8, u8) {
        let (mut lo, mut hi) = (255, 0);
        for dy in -r..=r {
            for dx in -r..=r {
                let px = clamped(i64::from(x) + dx, img.width) as u32;
                let py = clamped(i64::from(y) + dy, img.height) as u32;
                let v = img.pixel(px, py)[c];
                (lo, hi) = (lo.min(v), hi.max(v));
            }
        }
        (lo, hi)
    }

    #[test]
    fn straight_rows_give_the_per_pixel_bytes() {
        // Alphas at, below and above the ends, tiny ones, NaN; colours above alpha and
        // negative; 37 pixels (four blocks of eight and a remainder).
        let special = [
            0.0,
            1.0,
            -0.2,
            1.3,
            1e-4,
            0.5 / 255.0,
            0.002,
            f32::NAN,
            0.4999,
        ];
        let mut x = 0x9e37_79b9u32;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as f32 / u32::MAX as f32 * 1.4 - 0.2
        };
        let src: Vec<f32> = (0..37 * 4)
            .map(|i| match i % 4 {
                3 => special[(i / 4) % special.len()],
                _ if i % 23 == 0 => f32::NAN,
                _ => next(),
            })
            .collect();
        let mut dst = vec![0u8; src.len()];
        straight_row(&src, &mut dst);
        for (d, p) in dst.chunks_exact(4).zip(src.chunks_exact(4)) {
            assert_eq!(d, straight([p[0], p[1], p[2], p[3]]), "{p:?}");
        }
        for v in [
            f32::NAN,
            -1.0,
            0.0,
            0.3,
            1.0,
            2.0,
            0.5 / 65535.0,
            1.5 / 65535.0,
        ] {
            assert_eq!(
                quantize(v),
                (v.clamp(0.0, 1.0) * 65535.0 + 0.5) as u16,
                "{v}"
            );
        }
    }

    /// Property: a blurred pixel stays within the range of its input window, and the
    /// output's range never exceeds the input's (several sizes, seeds and radii).
    #[test]
    fn blur_never_increases_the_local_range() {
        for (i, sigma) in [0.4f32, 1.0, 2.2, 5.0].into_iter().enumerate() {
            let img = noisy(13 + i as u32 * 7, 9 + i as u32 * 3, 77 + i as u32);
            let out = op_blur(img.clone(), sigma);
            let r = i64::from(crate::engine::filter::gauss_reach(sigma));
            for y in 0..img.height {
                for x in 0..img.width {
                    for c in 0..3 {
                        let (lo, hi) = local_range(&img, x, y, r, c);
                        let v = out.pixel(x, y)[c];
                        assert!(
                            lo <= v && v <= hi,
                            "σ={sigma} ({x},{y}) c{c}: {v} ∉ {lo}..={hi}"
                        );
                    }
                    assert_eq!(out.pixel(x, y)[3], 255);
                }
            }
        }
    }

    /// Property: dilation never darkens a channel, erosion never brightens one, and each
    /// equals the window's extreme.
    #[test]
    fn grow_takes_the_window_extremes() {
        let img = noisy(17, 11, 5);
        for radius in [1, -1, 3, -4] {
            let out = op_grow(img.clone(), radius);
            let r = i64::from(radius.unsigned_abs());
            for y in 0..img.height {
                for x in 0..img.width {
                    for c in 0..4 {
                        let (lo, hi) = local_range(&img, x, y, r, c);
                        let want = if radius > 0 { hi } else { lo };
                        assert_eq!(out.pixel(x, y)[c], want, "r={radius} ({x},{y}) c{c}");
                    }
                }
            }
        }
    }

    #[test]
    fn zero_amounts_are_the_identity() {
        let img = noisy(20, 10, 9);
        let n = Noise {
            amount: 0,
            gaussian: true,
            mono: false,
            seed: 1,
        };
        assert_eq!(op_noise(img.clone(), n), img);
        let u = Usm {
            amount: 0.0,
            sigma: 2.0,
            threshold: 0,
            mono: false,
        };
        assert_eq!(op_usm(img.clone(), u), img);
        assert_eq!(op_grow(img.clone(), 0), img);
    }

    #[test]
    fn blur_keeps_flat_images_and_opaque_alpha() {
        let img = Image::filled(9, 7, crate::engine::Rgba::rgb(10, 200, 77));
        assert_eq!(op_blur(img.clone(), 2.0), img);
    }

    #[test]
    fn blur_matches_a_direct_2d_convolution() {
        let img = ramp(23, 17);
        let sigma = 1.7;
        let out = op_blur(img.clone(), sigma);
        let w = gauss_weights(sigma);
        let r = w.len() as i64 - 1;
        for (x, y) in [(0, 0), (11, 8), (22, 16), (5, 13)] {
            let mut acc = [0f64; 3];
            for dy in -r..=r {
                for dx in -r..=r {
                    let sx = clamped(x + dx, 23) as u32;
                    let sy = clamped(y + dy, 17) as u32;
                    let p = img.pixel(sx, sy);
                    let k =
                        f64::from(w[dx.unsigned_abs() as usize] * w[dy.unsigned_abs() as usize]);
                    for c in 0..3 {
                        acc[c] += k * f64::from(p[c]);
                    }
                }
            }
            let got = out.pixel(x as u32, y as u32);
            for c in 0..3 {
                assert!(
                    (f64::from(got[c]) - acc[c]).abs() <= 1.0,
                    "({x},{y}) {got:?} {acc:?}"
                );
            }
        }
    }

    #[test]
    fn transparent_pixels_do_not_bleed_colour() {
        let mut img = Image::filled(8, 1, crate::engine::Rgba::rgb(200, 0, 0));
        for x in 4..8 {
            img.data[x * 4..x * 4 + 4].copy_from_slice(&[0, 255, 0, 0]);
        }
        let out = op_blur(img, 1.0);
        for x in 0..8 {
            let p = out.pixel(x, 0);
            assert!(p[3] == 0 || (p[0] == 200 && p[1] == 0), "{x}: {p:?}");
        }
    }

    #[test]
    fn grow_dilates_and_erodes_a_dot() {
        let mut img = Image::filled(7, 7, crate::engine::Rgba::rgb(0, 0, 0));
        img.data[(3 * 7 + 3) * 4] = 255;
        let d = op_grow(img.clone(), 2);
        for y in 0..7 {
            for x in 0..7 {
                let inside = (1..=5).contains(&x) && (1..=5).contains(&y);
                assert_eq!(d.pixel(x, y)[0], if inside { 255 } else { 0 });
            }
        }
        assert_eq!(op_grow(d, -2), img);
    }

    #[test]
    fn usm_raises_edge_contrast_and_respects_the_threshold() {
        let mut img = Image::filled(10, 1, crate::engine::Rgba::rgb(100, 100, 100));
        for x in 5..10 {
            img.data[x * 4..x * 4 + 3].copy_from_slice(&[150, 150, 150]);
        }
        let u = Usm {
            amount: 1.0,
            sigma: 1.0,
            threshold: 0,
            mono: false,
        };
        let out = op_usm(img.clone(), u);
        assert!(out.pixel(4, 0)[0] < 100 && out.pixel(5, 0)[0] > 150);
        assert_eq!(out.pixel(0, 0), img.pixel(0, 0));
        let high = op_usm(img.clone(), Usm { threshold: 60, ..u });
        assert_eq!(high, img);
    }

    #[test]
    fn mono_noise_is_gray_and_repeatable() {
        let img = Image::filled(16, 16, crate::engine::Rgba::rgb(128, 128, 128));
        let n = Noise {
            amount: 30,
            gaussian: true,
            mono: true,
            seed: 9,
        };
        let a = op_noise(img.clone(), n);
        assert_eq!(a, op_noise(img.clone(), n));
        assert_ne!(a, img);
        assert!(a
            .data
            .chunks_exact(4)
            .all(|p| p[0] == p[1] && p[1] == p[2] && p[3] == 255));
    }
}
