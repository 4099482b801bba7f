//! CPU twins of the `op_*` colour commands (`shaders/op_*.wgsl` over
//! `shaders/shared/color_op.wgsl`), run by the CPU executor's `run_steps`. Per-channel commands
//! become 256-entry tables computed with the kernels' own f32 formulas (so the bytes are the ones
//! the per-pixel evaluation gives); saturation runs eight pixels at a time; a run of consecutive
//! commands goes over the pixels once, chunk by chunk (see [`color_run`]).

use super::{ColorOp, Image};
use rayon::prelude::*;

/// Runs one colour command (see [`ColorOp`] for the algorithms).
pub fn color(img: Image, op: ColorOp) -> Image {
    match op {
        ColorOp::Colorize { .. } => op_colorize(img, op.params()),
        _ => color_run(img, &[op]),
    }
}

/// Whether `op` maps each pixel on its own (every command but `op_colorize`, which first takes
/// the whole image's median luma), so that it can join a [`color_run`].
pub(super) fn is_local(op: &ColorOp) -> bool {
    !matches!(op, ColorOp::Colorize { .. })
}

/// Runs consecutive local colour commands (see [`is_local`]) in one pass over the pixels: each
/// 64 KiB chunk goes through every command in turn while it is in cache, and adjacent
/// per-channel commands are composed into one table. The bytes are those of running the
/// commands one after the other (each rounds to 8 bits, as each GPU kernel does).
///
/// # Panics
/// On `op_colorize` (not local).
pub(super) fn color_run(mut img: Image, ops: &[ColorOp]) -> Image {
    let passes = passes(ops);
    img.data.par_chunks_mut(COLOR_CHUNK).for_each(|c| {
        for p in &passes {
            p.apply(c);
        }
    });
    img
}

/// Bytes per rayon task of the per-pixel steps (16384 pixels).
pub(super) const COLOR_CHUNK: usize = 1 << 16;

/// One pass of a [`color_run`] over a chunk of RGBA bytes; alpha is kept.
enum Pass {
    /// Per-channel commands: a table per channel (R, G, B).
    Table(Box<[[u8; 256]; 3]>),
    /// `op_saturation` with `k` = 1 + adj/100.
    Saturation(f32),
    /// `op_hue` with `turn` = adj/360.
    Hue(f32),
}

impl Pass {
    fn apply(&self, c: &mut [u8]) {
        match self {
            Pass::Table(t) => {
                for p in c.chunks_exact_mut(4) {
                    p[0] = t[0][p[0] as usize];
                    p[1] = t[1][p[1] as usize];
                    p[2] = t[2][p[2] as usize];
                }
            }
            Pass::Saturation(k) => saturate(c, *k),
            Pass::Hue(turn) => map_rgb(c, |c| {
                let [h, s, l] = rgb_to_hsl(c);
                hsl_to_rgb([fract(h + turn), s, l])
            }),
        }
    }
}

/// The passes of `ops`, adjacent per-channel commands composed into one table.
fn passes(ops: &[ColorOp]) -> Vec<Pass> {
    let mut out = Vec::new();
    for op in ops {
        let [k, ..] = op.params();
        let pass = match op {
            ColorOp::Saturation(_) => Pass::Saturation(k),
            ColorOp::Hue(_) => Pass::Hue(k),
            ColorOp::Colorize { .. } => panic!("op_colorize is not a local colour command"),
            _ => Pass::Table(Box::new(table(op))),
        };
        match (out.last_mut(), pass) {
            (Some(Pass::Table(t)), Pass::Table(next)) => {
                for (c, n) in t.iter_mut().zip(next.iter()) {
                    *c = c.map(|v| n[v as usize]);
                }
            }
            (_, pass) => out.push(pass),
        }
    }
    out
}

/// The table of a per-channel command: every input byte through [`channel`], rounded as
/// [`map_rgb`] rounds.
fn table(op: &ColorOp) -> [[u8; 256]; 3] {
    let mut t = [[0u8; 256]; 3];
    for (c, row) in t.iter_mut().enumerate() {
        for (v, o) in row.iter_mut().enumerate() {
            *o = quantize(channel(op, c, v as f32 / 255.0));
        }
    }
    t
}

/// A per-channel command's map of channel `c`'s straight value `v` in 0..=1.
fn channel(op: &ColorOp, c: usize, v: f32) -> f32 {
    let k = op.params();
    match op {
        // `op_invert`: v' = 1 − v.
        ColorOp::Invert => 1.0 - v,
        // `op_brightness` (GIMP legacy), k = adj/100.
        ColorOp::Brightness(_) => lift(v, k[0]),
        // `op_colorbalance`: the brightness curve per channel, k = [r, g, b]/100.
        ColorOp::ColorBalance(_) => lift(v, k[c]),
        // `op_contrast` (GIMP legacy), k = tan((adj/100 + 1)·π/4).
        ColorOp::Contrast(_) => (v - 0.5) * k[0] + 0.5,
        _ => unreachable!("{op:?} is not a per-channel command"),
    }
}

/// The GIMP legacy brightness curve, `b` in −1..=1.
fn lift(v: f32, b: f32) -> f32 {
    if b < 0.0 {
        v * (1.0 + b)
    } else {
        v + (1.0 - v) * b
    }
}

/// `floor(v·255 + ½)` clamped to 0..=255, as `color_op.wgsl` rounds: `as` saturates and
/// truncates, without libm.
fn quantize(v: f32) -> u8 {
    (v * 255.0 + 0.5) as u8
}

/// Applies `f` to every pixel's straight RGB in 0..=1 and rounds once; alpha is kept. The
/// skeleton of the `op_*` colour kernels (`shaders/shared/color_op.wgsl`), per pixel.
fn map_rgb(c: &mut [u8], f: impl Fn([f32; 3]) -> [f32; 3]) {
    for p in c.chunks_exact_mut(4) {
        let o = f([p[0], p[1], p[2]].map(|v| v as f32 / 255.0));
        for i in 0..3 {
            p[i] = quantize(o[i]);
        }
    }
}

/// `op_saturation` (HSL), `k` = 1 + adj/100: S' = clamp(S·k, 0, 1), H and L kept. For fixed H
/// and L every channel is L + S·g(H, L), so it is computed in closed form: RGB' = L + (RGB −
/// L)·S'/S. Eight pixels at a time, each lane the same operations as [`saturate_px`], so that
/// the compiler can use vector instructions; the bytes are the same.
fn saturate(c: &mut [u8], k: f32) {
    let mut blocks = c.chunks_exact_mut(4 * LANES);
    for b in &mut blocks {
        let Ok(b) = b.try_into() else {
            unreachable!("chunks of 4 × LANES")
        };
        saturate_lanes(b, k);
    }
    map_rgb(blocks.into_remainder(), |c| saturate_px(c, k));
}

const LANES: usize = 8;

/// [`saturate_px`] on `LANES` pixels, channel by channel, without branches: a grey pixel
/// (max = min) gets ratio 0, and then `l + (v − l)·0` is `v` exactly, since `l` = `v`.
fn saturate_lanes(b: &mut [u8; 4 * LANES], k: f32) {
    let ch = |i: usize| -> [f32; LANES] { std::array::from_fn(|j| b[4 * j + i] as f32 / 255.0) };
    let (r, g, bl) = (ch(0), ch(1), ch(2));
    let mut ratio = [0f32; LANES];
    let mut l = [0f32; LANES];
    for j in 0..LANES {
        let mx = r[j].max(g[j]).max(bl[j]);
        let mn = r[j].min(g[j]).min(bl[j]);
        l[j] = (mx + mn) / 2.0;
        let d = mx - mn;
        let den = if l[j] <= 0.5 { mx + mn } else { 2.0 - mx - mn };
        let s = d / den;
        let q = clamp0(s * k, 1.0) / s;
        ratio[j] = if mx == mn { 0.0 } else { q };
    }
    for (i, v) in [r, g, bl].iter().enumerate() {
        let mut q = [0i32; LANES];
        for j in 0..LANES {
            // `quantize`: clamped first (`max` also turns NaN into 0, as `as u8` does).
            q[j] = floor_small(clamp0(
                (l[j] + (v[j] - l[j]) * ratio[j]) * 255.0 + 0.5,
                255.0,
            ));
        }
        for j in 0..LANES {
            b[4 * j + i] = q[j] as u8;
        }
    }
}

/// `v` clamped to `0..=hi`, NaN to 0 (`max` returns the operand that is not NaN), which lets
/// the compiler drop the per-lane NaN checks of what follows; `clamp` would keep NaN.
#[allow(clippy::manual_clamp)]
pub(super) fn clamp0(v: f32, hi: f32) -> f32 {
    v.max(0.0).min(hi)
}

/// `floor(x)` for `x` in 0..2²² in operations that have vector forms on every x86-64 (`as i32`
/// saturates and checks for NaN lane by lane): adding 2²³ rounds to the nearest integer, which
/// is one too high when it rounded up.
pub(super) fn floor_small(x: f32) -> i32 {
    let r = (x + 8_388_608.0).to_bits() as i32 - 0x4B00_0000;
    r - i32::from(r as f32 > x)
}

/// `op_saturation` on one pixel's straight RGB (see [`saturate`]).
fn saturate_px(c: [f32; 3], k: f32) -> [f32; 3] {
    let (mx, mn) = (c[0].max(c[1]).max(c[2]), c[0].min(c[1]).min(c[2]));
    if mx == mn {
        return c;
    }
    let l = (mx + mn) / 2.0;
    let d = mx - mn;
    let s = if l <= 0.5 {
        d / (mx + mn)
    } else {
        d / (2.0 - mx - mn)
    };
    let r = (s * k).clamp(0.0, 1.0) / s;
    c.map(|v| l + (v - l) * r)
}

/// Pillow's `convert("L")`: ITU-R 601 luma in 16-bit fixed point.
pub fn luma(p: &[u8]) -> u32 {
    (p[0] as u32 * 19595 + p[1] as u32 * 38470 + p[2] as u32 * 7471 + 0x8000) >> 16
}

/// The median luma of the pixels with alpha > 0 (the smallest m with at least half of them at
/// or below it; 128 when none is visible). `luma_hist` + `op_colorize` on the GPU.
pub fn luma_median(img: &Image) -> u32 {
    let mut hist = [0u64; 256];
    for p in img.data.chunks_exact(4).filter(|p| p[3] > 0) {
        hist[luma(p) as usize] += 1;
    }
    median(&hist)
}

fn median(hist: &[u64; 256]) -> u32 {
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 128;
    }
    let half = total.div_ceil(2);
    let mut cum = 0;
    for (i, n) in hist.iter().enumerate() {
        cum += n;
        if cum >= half {
            return i as u32;
        }
    }
    255
}

/// The `norm` gamma that moves the median luma `m` to 50%.
fn norm_gamma(m: u32) -> f32 {
    let m = m.clamp(1, 254) as f32 / 255.0;
    0.5f32.ln() / m.ln()
}

/// `op_colorize`: `k` = [r, g, b, slant] ([`ColorOp::params`]; slant < 0: `off`).
pub fn op_colorize(mut img: Image, k: [f32; 4]) -> Image {
    let gamma = if k[3] >= 0.0 {
        norm_gamma(luma_median(&img))
    } else {
        1.0
    };
    img.data
        .par_chunks_mut(COLOR_CHUNK)
        .flat_map_iter(|c| c.chunks_exact_mut(4))
        .for_each(|p| {
            let mut y = luma(p) as f32 / 255.0;
            if k[3] >= 0.0 {
                if y > 0.0 {
                    y = y.powf(gamma);
                }
                y = ((y - 0.5) * k[3] + 0.5).clamp(0.0, 1.0);
            }
            for i in 0..3 {
                let o = if y < 0.5 {
                    k[i] * 2.0 * y
                } else {
                    k[i] + (1.0 - k[i]) * (2.0 * y - 1.0)
                };
                p[i] = quantize(o);
            }
        });
    img
}

/// `x − floor(x)`, with floor done by truncation (exact for |x| < 2³¹; baseline x86-64 has no
/// rounding instruction, and `f32::floor` would be a libm call per channel).
fn fract(x: f32) -> f32 {
    let t = x as i32 as f32;
    x - if t > x { t - 1.0 } else { t }
}

/// RGB → HSL (H in turns), as Python's `colorsys.rgb_to_hls` (and `shaders/shared/hsl.wgsl`).
fn rgb_to_hsl([r, g, b]: [f32; 3]) -> [f32; 3] {
    let (mx, mn) = (r.max(g).max(b), r.min(g).min(b));
    let l = (mx + mn) / 2.0;
    if mx == mn {
        return [0.0, 0.0, l];
    }
    let d = mx - mn;
    let s = if l <= 0.5 {
        d / (mx + mn)
    } else {
        d / (2.0 - mx - mn)
    };
    let h = if r == mx {
        (g - b) / d
    } else if g == mx {
        2.0 + (b - r) / d
    } else {
        4.0 + (r - g) / d
    };
    [fract(h / 6.0), s, l]
}

/// HSL → RGB, as `colorsys.hls_to_rgb`.
fn hsl_to_rgb([h, s, l]: [f32; 3]) -> [f32; 3] {
    if s == 0.0 {
        return [l, l, l];
    }
    let m2 = if l <= 0.5 {
        l * (1.0 + s)
    } else {
        l + s - l * s
    };
    let m1 = 2.0 * l - m2;
    let v = |hue: f32| {
        let hue = fract(hue);
        if hue < 1.0 / 6.0 {
            m1 + (m2 - m1) * hue * 6.0
        } else if hue < 0.5 {
            m2
        } else if hue < 2.0 / 3.0 {
            m1 + (m2 - m1) * (2.0 / 3.0 - hue) * 6.0
        } else {
            m1
        }
    };
    [v(h + 1.0 / 3.0), v(h), v(h - 1.0 / 3.0)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Rgba;

    /// Every RGB triple on a coarse grid, with varied alpha.
    fn colour_grid() -> Image {
        let mut data = Vec::new();
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(17) {
                for b in (0..=255).step_by(5) {
                    data.extend_from_slice(&[r as u8, g as u8, b as u8, (r ^ b) as u8]);
                }
            }
        }
        let width = (data.len() / 4) as u32;
        Image {
            width,
            height: 1,
            data,
        }
    }

    /// The grid and, after it, pseudo-random pixels: more than one rayon chunk, and a pixel
    /// count that leaves a remainder after the eight-pixel blocks.
    fn many_colours() -> Image {
        let mut img = colour_grid();
        let mut x = 0x2545_f491u32;
        for _ in 0..(20_000 * 4 + 12) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            img.data.push((x >> 24) as u8);
        }
        img.width = (img.data.len() / 4) as u32;
        img
    }

    /// Every command, per pixel, through the scalar formulas (no tables, no lanes).
    fn per_pixel(mut img: Image, op: ColorOp) -> Image {
        let [k, ..] = op.params();
        match op {
            ColorOp::Saturation(_) => map_rgb(&mut img.data, |c| saturate_px(c, k)),
            ColorOp::Hue(_) => return color(img, op),
            _ => map_rgb(&mut img.data, |c| {
                std::array::from_fn(|i| channel(&op, i, c[i]))
            }),
        }
        img
    }

    const OPS: [ColorOp; 9] = [
        ColorOp::Brightness(10),
        ColorOp::Saturation(20),
        ColorOp::Contrast(-35),
        ColorOp::Invert,
        ColorOp::ColorBalance([30, -20, 5]),
        ColorOp::Saturation(-60),
        ColorOp::Hue(45),
        ColorOp::Brightness(-25),
        ColorOp::Saturation(100),
    ];

    #[test]
    fn tables_and_lanes_give_the_per_pixel_bytes() {
        let img = many_colours();
        assert_eq!(img.data.len() % (4 * LANES), 4 * 3);
        for op in OPS {
            assert_eq!(color(img.clone(), op), per_pixel(img.clone(), op), "{op:?}");
        }
    }

    #[test]
    fn a_run_gives_the_bytes_of_its_commands_one_by_one() {
        let img = many_colours();
        for n in 1..=OPS.len() {
            let ops = &OPS[..n];
            let one_by_one = ops.iter().fold(img.clone(), |i, op| per_pixel(i, *op));
            assert_eq!(color_run(img.clone(), ops), one_by_one, "{ops:?}");
        }
        // Adjacent per-channel commands are composed into one table.
        assert_eq!(passes(&OPS[2..6]).len(), 2);
    }

    #[test]
    fn op_invert_twice_is_the_identity() {
        let img = colour_grid();
        let once = color(img.clone(), ColorOp::Invert);
        assert_eq!(color(once.clone(), ColorOp::Invert), img);
        for (a, b) in img.data.chunks(4).zip(once.data.chunks(4)) {
            assert_eq!([255 - a[0], 255 - a[1], 255 - a[2], a[3]], b);
        }
    }

    #[test]
    fn neutral_colour_commands_are_the_identity() {
        let img = colour_grid();
        for op in [
            ColorOp::Brightness(0),
            ColorOp::Contrast(0),
            ColorOp::Hue(0),
            ColorOp::Saturation(0),
        ] {
            assert_eq!(color(img.clone(), op), img, "{op:?}");
        }
    }

    #[test]
    fn op_saturation_minus_100_gives_gray() {
        let img = colour_grid();
        let out = color(img.clone(), ColorOp::Saturation(-100));
        for (a, b) in img.data.chunks(4).zip(out.data.chunks(4)) {
            assert!(b[0] == b[1] && b[1] == b[2], "{a:?} -> {b:?}");
            // HSL lightness: (max + min) / 2.
            let l =
                (*a[..3].iter().max().unwrap() as f32 + *a[..3].iter().min().unwrap() as f32) / 2.0;
            assert!((b[0] as f32 - l).abs() <= 0.5, "{a:?} -> {b:?}");
            assert_eq!(a[3], b[3]);
        }
    }

    #[test]
    fn colour_extremes() {
        let img = colour_grid();
        let all = |img: &Image, v: [u8; 3]| img.data.chunks(4).all(|p| p[..3] == v);
        assert!(all(
            &color(img.clone(), ColorOp::Brightness(-100)),
            [0, 0, 0]
        ));
        assert!(all(
            &color(img.clone(), ColorOp::Brightness(100)),
            [255, 255, 255]
        ));
        assert!(all(
            &color(img.clone(), ColorOp::Contrast(-100)),
            [128, 128, 128]
        ));
        let t = color(img.clone(), ColorOp::Contrast(100));
        assert!(t
            .data
            .chunks(4)
            .all(|p| p[..3].iter().all(|v| *v == 0 || *v == 255)));
        // A half turn twice, and +180 = −180.
        let h = color(color(img.clone(), ColorOp::Hue(180)), ColorOp::Hue(180));
        let diff = h
            .data
            .iter()
            .zip(&img.data)
            .map(|(a, b)| a.abs_diff(*b))
            .max();
        assert!(diff <= Some(1), "{diff:?}");
        assert_eq!(
            color(img.clone(), ColorOp::Hue(180)),
            color(img, ColorOp::Hue(-180))
        );
        // Pure red turned by 120° is pure green.
        let red = Image::filled(1, 1, Rgba::rgb(255, 0, 0));
        assert_eq!(color(red, ColorOp::Hue(120)).pixel(0, 0), [0, 255, 0, 255]);
    }

    #[test]
    fn op_colorize_keeps_black_and_white() {
        let mut img = colour_grid();
        img.data[..8].copy_from_slice(&[0, 0, 0, 255, 255, 255, 255, 255]);
        for norm in [false, true] {
            let op = ColorOp::Colorize {
                rgb: [200, 40, 90],
                norm,
                contrast: 60.0,
            };
            let out = color(img.clone(), op);
            assert_eq!(out.pixel(0, 0), [0, 0, 0, 255]);
            assert_eq!(out.pixel(1, 0), [255, 255, 255, 255]);
        }
        // Without norm, mid gray (luma 128) lands on the colour.
        let gray = Image::filled(1, 1, Rgba::rgb(128, 128, 128));
        let op = ColorOp::Colorize {
            rgb: [200, 40, 90],
            norm: false,
            contrast: 0.0,
        };
        let p = color(gray, op).pixel(0, 0);
        assert!(p[0].abs_diff(200) <= 1 && p[1].abs_diff(40) <= 1 && p[2].abs_diff(90) <= 1);
    }
}
