//! CPU executor: the twin of every GPU kernel, and the production path on machines without a
//! hardware GPU. Resampling uses fast_image_resize (SIMD convolution on premultiplied RGBA);
//! the per-pixel steps (`affine`, `underlay`, `opacity`) run row-parallel on rayon; the `op_*`
//! colour commands live in `cpu_color`, the neighbourhood filters and noise in `cpu_filter`. Each
//! `pub fn` carries the registry name of its WGSL kernel (`resample` = `resize_h` +
//! `resize_v`).

use super::cpu_color::{color, color_run, is_local, COLOR_CHUNK};
pub use super::cpu_resample::{resample, resample_owned};
use super::cpu_turn::{remap, IndexMap};
use super::{ColorOp, EngineError, Executor, Image, Rgba, Sampling, Step};
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

/// `run_steps` on shared pixels: a render holding the last reference runs on them as its own
/// (a first resample then premultiplies them in place: `resample_owned`); otherwise a first
/// step that reads its input into a new image (resample, affine) reads them in place, and any
/// other first step works on a copy.
pub fn run_shared_steps(img: Arc<Image>, steps: &[Step]) -> Result<Image, EngineError> {
    let img = match Arc::try_unwrap(img) {
        Ok(own) => return run_steps(own, steps),
        Err(shared) => shared,
    };
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

/// Applies `steps` in order; consecutive local colour commands go over the pixels together
/// (`cpu_color::color_run`).
pub fn run_steps(mut img: Image, steps: &[Step]) -> Result<Image, EngineError> {
    for group in steps.chunk_by(|a, b| local_color(a).is_some() && local_color(b).is_some()) {
        img = match group {
            [s] => run_step(img, s)?,
            run => color_run(img, &run.iter().filter_map(local_color).collect::<Vec<_>>()),
        };
    }
    Ok(img)
}

/// The colour command of a step that can join a colour run.
fn local_color(s: &Step) -> Option<ColorOp> {
    match s {
        Step::Color(op) if is_local(op) => Some(*op),
        _ => None,
    }
}

/// Applies one step.
pub fn run_step(img: Image, s: &Step) -> Result<Image, EngineError> {
    match s {
        Step::Resample {
            src,
            width,
            height,
            filter,
        } => resample_owned(img, *src, *width, *height, *filter),
        Step::Affine { .. } => reading_step(&img, s),
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
    let mut data = crate::buffers::take(width as usize * height as usize * 4);
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
    if c.a == 255 {
        underlay_opaque(&mut img.data, c);
    } else {
        underlay_any(&mut img.data, c);
    }
    img
}

/// `underlay` pixel by pixel, for any colour.
fn underlay_any(data: &mut [u8], c: Rgba) {
    let ca = c.a as f32 / 255.0;
    let col = [c.r as f32, c.g as f32, c.b as f32];
    data.par_chunks_mut(COLOR_CHUNK).for_each(|chunk| {
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
}

/// `underlay` over an opaque colour (flattening for JPEG output, the common case): the general
/// arithmetic with the colour's alpha 1 (so the same floats; an opaque pixel comes out as it
/// was), eight pixels at a time without branches so that it vectorises, and runs of eight
/// opaque pixels skipped: one core, `benches/engine`'s 12 MP image with alpha 100.8 -> 62.6 ms,
/// an opaque one (`mix_color_usm/4_underlay`) 1.6 -> 0.7 ms.
fn underlay_opaque(data: &mut [u8], c: Rgba) {
    let col = [c.r as f32, c.g as f32, c.b as f32];
    data.par_chunks_mut(COLOR_CHUNK).for_each(|chunk| {
        for px in chunk.chunks_mut(32) {
            if px.chunks_exact(4).all(|p| p[3] == 255) {
                continue;
            }
            let mut eight = [255u8; 32];
            eight[..px.len()].copy_from_slice(px);
            underlay_eight(&mut eight, &col);
            let n = px.len();
            px.copy_from_slice(&eight[..n]);
        }
    });
}

/// Eight pixels of `underlay_opaque`, channel by channel across them.
#[inline(always)]
fn underlay_eight(px: &mut [u8; 32], col: &[f32; 3]) {
    let a: [f32; 8] = std::array::from_fn(|k| px[4 * k + 3] as f32 / 255.0);
    let out_a: [f32; 8] = std::array::from_fn(|k| a[k] + (1.0 - a[k]));
    for (i, &c) in col.iter().enumerate() {
        let v: [f32; 8] =
            std::array::from_fn(|k| (px[4 * k + i] as f32 * a[k] + c * (1.0 - a[k])) / out_a[k]);
        for k in 0..8 {
            px[4 * k + i] = (v[k] + 0.5).clamp(0.0, 255.0) as u8;
        }
    }
    for k in 0..8 {
        px[4 * k + 3] = (out_a[k] * 255.0 + 0.5).clamp(0.0, 255.0) as u8;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Filter;

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

    /// The opaque-colour path gives the general path's bytes for every alpha and channel value
    /// (so the GPU twin's tolerance still holds), on a length that is not a multiple of eight.
    #[test]
    fn underlay_over_opaque_colours_equals_the_general_path() {
        let mut data = Vec::new();
        for a in 0..=255u8 {
            for v in 0..=255u8 {
                data.extend_from_slice(&[v, v.wrapping_mul(7), 255 - v, a]);
            }
        }
        data.extend_from_slice(&[10, 20, 30, 40, 50, 60, 70, 255, 1, 2, 3, 0]);
        for c in [Rgba::WHITE, Rgba::rgb(0, 0, 0), Rgba::rgb(12, 200, 99)] {
            let (mut fast, mut general) = (data.clone(), data.clone());
            underlay_opaque(&mut fast, c);
            underlay_any(&mut general, c);
            assert!(fast == general, "{c:?}");
        }
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

    #[test]
    fn colour_runs_give_the_bytes_of_the_steps_one_by_one() {
        let colorize = ColorOp::Colorize {
            rgb: [200, 40, 90],
            norm: true,
            contrast: 30.0,
        };
        let steps = [
            Step::Color(ColorOp::Brightness(15)),
            Step::Color(colorize),
            Step::Color(ColorOp::Saturation(40)),
            Step::Color(ColorOp::Contrast(20)),
            Step::Resample {
                src: [0.0, 0.0, 64.0, 48.0],
                width: 40,
                height: 30,
                filter: Filter::Bicubic,
            },
            Step::Color(ColorOp::Invert),
            Step::Color(ColorOp::Hue(-30)),
        ];
        let img = gradient(64, 48);
        let one_by_one = steps.iter().try_fold(img.clone(), run_step).expect("steps");
        assert_eq!(run_steps(img, &steps).expect("run"), one_by_one);
    }
}
