//! CPU executor: the twin of every GPU kernel, and the production path on machines without a
//! hardware GPU. Resampling uses fast_image_resize (SIMD convolution on premultiplied RGBA);
//! the per-pixel steps (`affine`, `underlay`, `opacity`, the `op_*` colour commands) run
//! row-parallel on rayon; the neighbourhood filters and noise live in `cpu_filter`. Each
//! `pub fn` carries the registry name of its WGSL kernel (`resample` = `resize_h` +
//! `resize_v`).

use super::cpu_turn::{remap, IndexMap};
use super::{ColorOp, EngineError, Executor, Filter, Image, Rgba, Sampling, Step};
use fast_image_resize as fr;
use rayon::prelude::*;
use std::sync::Arc;

/// Runs plans on the CPU, on the blocking pool.
#[derive(Debug, Default, Clone, Copy)]
pub struct CpuExecutor;

#[async_trait::async_trait]
impl Executor for CpuExecutor {
    fn describe(&self) -> String {
        "cpu".to_string()
    }

    async fn run(&self, img: Image, steps: Vec<Step>) -> Result<Image, EngineError> {
        on_pool(move || run_steps(img, &steps)).await
    }

    async fn run_shared(&self, img: Arc<Image>, steps: Vec<Step>) -> Result<Image, EngineError> {
        on_pool(move || run_shared_steps(img, &steps)).await
    }
}

async fn on_pool(
    f: impl FnOnce() -> Result<Image, EngineError> + Send + 'static,
) -> Result<Image, EngineError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| EngineError::InvalidStep("cpu", format!("worker failed: {e}")))?
}

/// `run_steps` on shared pixels: a first step that reads its input into a new image (resample,
/// affine) reads them in place; otherwise the render copies them, unless it holds the last
/// reference.
pub fn run_shared_steps(img: Arc<Image>, steps: &[Step]) -> Result<Image, EngineError> {
    match steps.split_first() {
        Some((first, rest)) if writes_new_image(first) => {
            let out = reading_step(&img, first)?;
            drop(img);
            run_steps(out, rest)
        }
        _ => run_steps(Arc::unwrap_or_clone(img), steps),
    }
}

/// Steps whose output is a new image read from the input, never the input changed in place.
fn writes_new_image(s: &Step) -> bool {
    matches!(s, Step::Resample { .. } | Step::Affine { .. })
}

/// Applies `steps` in order.
pub fn run_steps(mut img: Image, steps: &[Step]) -> Result<Image, EngineError> {
    for s in steps {
        img = run_step(img, s)?;
    }
    Ok(img)
}

/// Applies one step.
pub fn run_step(img: Image, s: &Step) -> Result<Image, EngineError> {
    match s {
        Step::Resample { .. } | Step::Affine { .. } => reading_step(&img, s),
        Step::Underlay { color } => Ok(underlay(img, *color)),
        Step::Opacity { opacity: o } => Ok(opacity(img, *o)),
        Step::Color(op) => Ok(color(img, *op)),
        Step::Blur { sigma } => Ok(super::cpu_filter::op_blur(img, *sigma)),
        Step::Sharpen(u) => Ok(super::cpu_filter::op_usm(img, *u)),
        Step::Grow { radius } => Ok(super::cpu_filter::op_grow(img, *radius)),
        Step::Noise(n) => Ok(super::cpu_filter::op_noise(img, *n)),
    }
}

/// A step that reads `img` into a new image (`writes_new_image`); any other step on a copy.
fn reading_step(img: &Image, s: &Step) -> Result<Image, EngineError> {
    match s {
        Step::Resample {
            src,
            width,
            height,
            filter,
        } => resample(img, *src, *width, *height, *filter),
        Step::Affine { width, height, .. } if *width == 0 || *height == 0 => Err(
            EngineError::InvalidStep("affine", format!("empty output {width}x{height}")),
        ),
        Step::Affine {
            m,
            width,
            height,
            fill,
            sampling,
        } => Ok(match (sampling, IndexMap::of(m)) {
            (Sampling::Nearest, Some(map)) => remap(img, map, *width, *height, *fill),
            _ => affine(img, m, *width, *height, *fill, *sampling),
        }),
        other => run_step(img.clone(), other),
    }
}

fn bicubic_sharper(x: f64) -> f64 {
    let x = x.abs();
    if x < 1.0 {
        x * x * x - 2.0 * x * x + 1.0
    } else if x < 2.0 {
        -x * x * x + 5.0 * x * x - 8.0 * x + 4.0
    } else {
        0.0
    }
}

fn filter_type(f: Filter) -> fr::FilterType {
    match f {
        Filter::Bilinear => fr::FilterType::Bilinear,
        Filter::Bicubic => fr::FilterType::CatmullRom,
        Filter::Lanczos3 => fr::FilterType::Lanczos3,
        Filter::BicubicSharper => fr::FilterType::Custom(
            fr::Filter::new("bicubic_sharper", bicubic_sharper, 2.0).expect("valid filter support"),
        ),
    }
}

/// `resample` (GPU: `resize_h` then `resize_v`): scales `src` = [x, y, w, h] of `img` to
/// `width × height`.
pub fn resample(
    img: &Image,
    src: [f64; 4],
    width: u32,
    height: u32,
    filter: Filter,
) -> Result<Image, EngineError> {
    let [x, y, w, h] = src;
    let inside = x >= 0.0
        && y >= 0.0
        && w > 0.0
        && h > 0.0
        && x + w <= img.width as f64 + 1e-6
        && y + h <= img.height as f64 + 1e-6;
    if !inside || width == 0 || height == 0 {
        return Err(EngineError::InvalidStep(
            "resample",
            format!(
                "src {src:?} -> {width}x{height} on {}x{}",
                img.width, img.height
            ),
        ));
    }
    let src_img = fr::images::ImageRef::new(img.width, img.height, &img.data, fr::PixelType::U8x4)
        .map_err(|e| EngineError::InvalidStep("resample", e.to_string()))?;
    let mut dst = fr::images::Image::new(width, height, fr::PixelType::U8x4);
    let opts = fr::ResizeOptions::new()
        .resize_alg(fr::ResizeAlg::Convolution(filter_type(filter)))
        .crop(
            x,
            y,
            w.min(img.width as f64 - x),
            h.min(img.height as f64 - y),
        )
        .use_alpha(!img.is_opaque());
    RESIZER
        .with(|r| r.borrow_mut().resize(&src_img, &mut dst, &opts))
        .map_err(|e| EngineError::InvalidStep("resample", e.to_string()))?;
    Ok(Image {
        width,
        height,
        data: dst.into_vec(),
    })
}

thread_local! {
    static RESIZER: std::cell::RefCell<fr::Resizer> = std::cell::RefCell::new(fr::Resizer::new());
}

/// Premultiplied float RGBA.
type Px = [f32; 4];

fn premul(p: [u8; 4]) -> Px {
    let a = p[3] as f32 / 255.0;
    [
        p[0] as f32 * a,
        p[1] as f32 * a,
        p[2] as f32 * a,
        p[3] as f32,
    ]
}

fn unpremul(p: Px) -> [u8; 4] {
    let a = p[3];
    if a <= 0.0 {
        return [0, 0, 0, 0];
    }
    let k = 255.0 / a;
    let c = |v: f32| (v * k + 0.5).clamp(0.0, 255.0) as u8;
    [c(p[0]), c(p[1]), c(p[2]), (a + 0.5).clamp(0.0, 255.0) as u8]
}

/// `affine`: output pixel centre p maps to input point m·p (see `Step::Affine`).
pub fn affine(
    img: &Image,
    m: &[f64; 6],
    width: u32,
    height: u32,
    fill: Rgba,
    sampling: Sampling,
) -> Image {
    let mut data = vec![0u8; width as usize * height as usize * 4];
    let fill_px = [fill.r, fill.g, fill.b, fill.a];
    data.par_chunks_mut(width as usize * 4)
        .enumerate()
        .for_each(|(y, row)| {
            let py = y as f64 + 0.5;
            for x in 0..width as usize {
                let px = x as f64 + 0.5;
                let qx = m[0] * px + m[1] * py + m[2];
                let qy = m[3] * px + m[4] * py + m[5];
                let out = match sampling {
                    Sampling::Nearest => nearest(img, qx, qy, fill_px),
                    Sampling::Bilinear => unpremul(bilinear(
                        img,
                        qx as f32 - 0.5,
                        qy as f32 - 0.5,
                        premul(fill_px),
                    )),
                };
                row[x * 4..x * 4 + 4].copy_from_slice(&out);
            }
        });
    Image {
        width,
        height,
        data,
    }
}

fn nearest(img: &Image, qx: f64, qy: f64, fill: [u8; 4]) -> [u8; 4] {
    let (fx, fy) = (qx.floor(), qy.floor());
    if fx < 0.0 || fy < 0.0 || fx >= img.width as f64 || fy >= img.height as f64 {
        fill
    } else {
        img.pixel(fx as u32, fy as u32)
    }
}

fn tap(img: &Image, x: i64, y: i64, fill: Px) -> Px {
    if x < 0 || y < 0 || x >= img.width as i64 || y >= img.height as i64 {
        fill
    } else {
        premul(img.pixel(x as u32, y as u32))
    }
}

/// Bilinear sample of premultiplied RGBA at pixel-index coordinates (x, y).
fn bilinear(img: &Image, x: f32, y: f32, fill: Px) -> Px {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (ix, iy) = (x0 as i64, y0 as i64);
    let p00 = tap(img, ix, iy, fill);
    let p10 = tap(img, ix + 1, iy, fill);
    let p01 = tap(img, ix, iy + 1, fill);
    let p11 = tap(img, ix + 1, iy + 1, fill);
    let mut out = [0f32; 4];
    for c in 0..4 {
        let top = p00[c] + (p10[c] - p00[c]) * fx;
        let bottom = p01[c] + (p11[c] - p01[c]) * fx;
        out[c] = top + (bottom - top) * fy;
    }
    out
}

/// `underlay`: composites the image over a solid colour.
pub fn underlay(mut img: Image, c: Rgba) -> Image {
    let ca = c.a as f32 / 255.0;
    let col = [c.r as f32, c.g as f32, c.b as f32];
    img.data.par_chunks_mut(COLOR_CHUNK).for_each(|chunk| {
        for p in chunk.chunks_exact_mut(4) {
            let a = p[3] as f32 / 255.0;
            if a >= 1.0 {
                continue;
            }
            let out_a = a + ca * (1.0 - a);
            if out_a <= 0.0 {
                p.copy_from_slice(&[0, 0, 0, 0]);
                continue;
            }
            for i in 0..3 {
                let v = (p[i] as f32 * a + col[i] * ca * (1.0 - a)) / out_a;
                p[i] = (v + 0.5).clamp(0.0, 255.0) as u8;
            }
            p[3] = (out_a * 255.0 + 0.5).clamp(0.0, 255.0) as u8;
        }
    });
    img
}

/// `opacity`: multiplies alpha.
pub fn opacity(mut img: Image, o: f32) -> Image {
    let o = o.clamp(0.0, 1.0);
    img.data.par_chunks_mut(COLOR_CHUNK).for_each(|chunk| {
        for p in chunk.chunks_exact_mut(4) {
            p[3] = (p[3] as f32 * o + 0.5) as u8;
        }
    });
    img
}

/// Runs one colour command (see [`ColorOp`] for the algorithms).
pub fn color(img: Image, op: ColorOp) -> Image {
    let [k, k1, k2, _] = op.params();
    match op {
        ColorOp::ColorBalance(_) => op_colorbalance(img, [k, k1, k2]),
        ColorOp::Colorize { .. } => op_colorize(img, op.params()),
        ColorOp::Invert => op_invert(img),
        ColorOp::Brightness(_) => op_brightness(img, k),
        ColorOp::Contrast(_) => op_contrast(img, k),
        ColorOp::Saturation(_) => op_saturation(img, k),
        ColorOp::Hue(_) => op_hue(img, k),
    }
}

/// Bytes per rayon task of the colour commands (16384 pixels).
const COLOR_CHUNK: usize = 1 << 16;

/// Applies `f` to every pixel's straight RGB in 0..=1 and rounds once; alpha is kept. The
/// skeleton of every `op_*` colour kernel (`shaders/shared/color_op.wgsl`).
fn map_rgb(mut img: Image, f: impl Fn([f32; 3]) -> [f32; 3] + Sync) -> Image {
    img.data.par_chunks_mut(COLOR_CHUNK).for_each(|c| {
        for p in c.chunks_exact_mut(4) {
            let o = f([p[0], p[1], p[2]].map(|v| v as f32 / 255.0));
            for i in 0..3 {
                // `as` saturates and truncates: floor(v + ½) clamped to 0..=255, without libm.
                p[i] = (o[i] * 255.0 + 0.5) as u8;
            }
        }
    });
    img
}

/// `op_invert`: `v' = 1 − v`.
pub fn op_invert(img: Image) -> Image {
    map_rgb(img, |c| c.map(|v| 1.0 - v))
}

/// The GIMP legacy brightness curve, `b` in −1..=1.
fn lift(v: f32, b: f32) -> f32 {
    if b < 0.0 {
        v * (1.0 + b)
    } else {
        v + (1.0 - v) * b
    }
}

/// `op_brightness` (GIMP legacy), `b` = adj/100.
pub fn op_brightness(img: Image, b: f32) -> Image {
    map_rgb(img, |c| c.map(|v| lift(v, b)))
}

/// `op_colorbalance`: the brightness curve per channel, `k` = [r, g, b]/100.
pub fn op_colorbalance(img: Image, k: [f32; 3]) -> Image {
    map_rgb(img, |c| {
        [lift(c[0], k[0]), lift(c[1], k[1]), lift(c[2], k[2])]
    })
}

/// `op_contrast` (GIMP legacy), `slant` = tan((adj/100 + 1)·π/4).
pub fn op_contrast(img: Image, slant: f32) -> Image {
    map_rgb(img, |c| c.map(|v| (v - 0.5) * slant + 0.5))
}

/// `op_saturation` (HSL), `k` = 1 + adj/100: S' = clamp(S·k, 0, 1), H and L kept. For fixed H
/// and L every channel is L + S·g(H, L), so it is computed in closed form: RGB' = L + (RGB −
/// L)·S'/S.
pub fn op_saturation(img: Image, k: f32) -> Image {
    map_rgb(img, |c| {
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
    })
}

/// `op_hue` (HSL), `turn` = adj/360: H' = H + turn, wrapped.
pub fn op_hue(img: Image, turn: f32) -> Image {
    map_rgb(img, |c| {
        let [h, s, l] = rgb_to_hsl(c);
        hsl_to_rgb([fract(h + turn), s, l])
    })
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
                p[i] = (o * 255.0 + 0.5) as u8;
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

    fn gradient(w: u32, h: u32) -> Image {
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                data.extend_from_slice(&[
                    (x * 255 / w.max(2).saturating_sub(1).max(1)) as u8,
                    (y * 7 % 256) as u8,
                    100,
                    255,
                ]);
            }
        }
        Image {
            width: w,
            height: h,
            data,
        }
    }

    #[test]
    fn nearest_affine_flips_exactly() {
        let img = gradient(5, 3);
        let flip = affine(
            &img,
            &[-1.0, 0.0, 5.0, 0.0, 1.0, 0.0],
            5,
            3,
            Rgba::TRANSPARENT,
            Sampling::Nearest,
        );
        for y in 0..3 {
            for x in 0..5 {
                assert_eq!(flip.pixel(x, y), img.pixel(4 - x, y));
            }
        }
        let twice = affine(
            &flip,
            &[-1.0, 0.0, 5.0, 0.0, 1.0, 0.0],
            5,
            3,
            Rgba::TRANSPARENT,
            Sampling::Nearest,
        );
        assert_eq!(twice, img);
    }

    #[test]
    fn affine_fills_outside() {
        let img = Image::filled(2, 2, Rgba::rgb(10, 20, 30));
        let out = affine(
            &img,
            &[1.0, 0.0, -1.0, 0.0, 1.0, -1.0],
            4,
            4,
            Rgba::rgb(255, 0, 0),
            Sampling::Nearest,
        );
        assert_eq!(out.pixel(0, 0), [255, 0, 0, 255]);
        assert_eq!(out.pixel(1, 1), [10, 20, 30, 255]);
        assert_eq!(out.pixel(3, 3), [255, 0, 0, 255]);
    }

    #[test]
    fn bilinear_identity_is_exact() {
        let img = gradient(9, 4);
        let out = affine(
            &img,
            &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            9,
            4,
            Rgba::TRANSPARENT,
            Sampling::Bilinear,
        );
        assert_eq!(out, img);
    }

    #[test]
    fn underlay_and_opacity() {
        let img = Image {
            width: 2,
            height: 1,
            data: vec![255, 0, 0, 0, 0, 0, 255, 128],
        };
        let out = underlay(img.clone(), Rgba::WHITE);
        assert_eq!(out.pixel(0, 0), [255, 255, 255, 255]);
        let p = out.pixel(1, 0);
        assert_eq!(p[3], 255);
        assert!((p[0] as i32 - 127).abs() <= 1 && p[2] == 255, "{p:?}");
        let half = opacity(Image::filled(1, 1, Rgba::rgb(1, 2, 3)), 0.5);
        assert_eq!(half.pixel(0, 0), [1, 2, 3, 128]);
    }

    #[test]
    fn resample_sizes_and_flat_colour() {
        let img = Image::filled(40, 30, Rgba::rgb(200, 100, 50));
        for f in [
            Filter::Bilinear,
            Filter::Bicubic,
            Filter::Lanczos3,
            Filter::BicubicSharper,
        ] {
            let out = resample(&img, [0.0, 0.0, 40.0, 30.0], 17, 9, f).unwrap();
            assert_eq!((out.width, out.height), (17, 9));
            assert!(
                out.data.chunks(4).all(|p| p == [200, 100, 50, 255]),
                "{f:?}"
            );
            let up = resample(&img, [5.5, 3.25, 10.0, 10.0], 64, 64, f).unwrap();
            assert!(up.data.chunks(4).all(|p| p == [200, 100, 50, 255]), "{f:?}");
        }
        assert!(resample(&img, [30.0, 0.0, 20.0, 30.0], 5, 5, Filter::Bicubic).is_err());
    }

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

    #[test]
    fn op_invert_twice_is_the_identity() {
        let img = colour_grid();
        assert_eq!(op_invert(op_invert(img.clone())), img);
        let once = op_invert(img.clone());
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
