//! Weight tables for `resize_v` / `resize_h`: a port of fast_image_resize 6's
//! `precompute_coefficients` (f64 weights normalised over in-bounds taps, kernel widened by the
//! scale factor when shrinking) and its `Normalizer16` (i16 fixed point), so that the GPU passes
//! reproduce `cpu::resample` bit for bit. Tables are computed here on the CPU and uploaded with
//! the job's params; the shaders only sum.

use crate::engine::cpu_resample::bicubic_sharper;
use crate::engine::Filter;
use std::f64::consts::PI;

/// One output index's taps: first source index and weights (fixed point, `precision` bits).
#[derive(Debug, Clone, PartialEq)]
pub struct Taps {
    pub start: u32,
    pub weights: Vec<i32>,
}

/// A pass's table, ready for upload.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub window: u32,
    pub precision: u32,
    pub taps: Vec<Taps>,
}

impl Table {
    /// Records of `window + 2` u32: start, tap count, weights (zero padded).
    pub fn to_words(&self) -> Vec<u32> {
        let stride = self.window as usize + 2;
        let mut out = Vec::with_capacity(stride * self.taps.len());
        for t in &self.taps {
            out.push(t.start);
            out.push(t.weights.len() as u32);
            out.extend(t.weights.iter().map(|&w| w as u32));
            out.resize(out.len() + stride - 2 - t.weights.len(), 0);
        }
        out
    }

    /// The same start for every tap list shifted by `-by` (fast_image_resize shifts the
    /// horizontal bounds by the first used column when the vertical pass runs first).
    pub fn shifted(mut self, by: u32) -> Table {
        self.taps.iter_mut().for_each(|t| t.start -= by);
        self
    }

    /// Source indices `[first, end)` used by output indices `[from, to)`.
    pub fn source_range(&self, from: u32, to: u32) -> (u32, u32) {
        let used = &self.taps[from as usize..to as usize];
        let first = used.iter().map(|t| t.start).min().unwrap_or(0);
        let end = used
            .iter()
            .map(|t| t.start + t.weights.len() as u32)
            .max()
            .unwrap_or(first);
        (first, end.max(first + 1))
    }

    /// The identity mapping of `n` outputs onto sources `offset + i` (a plain crop copy).
    pub fn identity(n: u32, offset: u32) -> Table {
        let taps = (0..n)
            .map(|i| Taps {
                start: offset + i,
                weights: vec![1 << 14],
            })
            .collect();
        Table {
            window: 1,
            precision: 14,
            taps,
        }
    }
}

/// Kernel function and support radius, as `cpu::resample` hands them to fast_image_resize.
pub fn kernel(f: Filter) -> (fn(f64) -> f64, f64) {
    match f {
        Filter::Bilinear => (bilinear, 1.0),
        Filter::Bicubic => (catmull_rom, 2.0),
        Filter::Lanczos3 => (lanczos3, 3.0),
        Filter::BicubicSharper => (bicubic_sharper, 2.0),
    }
}

fn bilinear(x: f64) -> f64 {
    let x = x.abs();
    if x < 1.0 {
        1.0 - x
    } else {
        0.0
    }
}

fn catmull_rom(x: f64) -> f64 {
    const A: f64 = -0.5;
    let x = x.abs();
    if x < 1.0 {
        ((A + 2.) * x - (A + 3.)) * x * x + 1.
    } else if x < 2.0 {
        (((x - 5.) * x + 8.) * x - 4.) * A
    } else {
        0.0
    }
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let x = x * PI;
        x.sin() / x
    }
}

fn lanczos3(x: f64) -> f64 {
    if (-3.0..3.0).contains(&x) {
        sinc(x) * sinc(x / 3.)
    } else {
        0.0
    }
}

/// The fixed-point table for resampling source span `[in0, in1)` of `in_size` pixels onto
/// `out_size` pixels (adaptive kernel size, as `ResizeAlg::Convolution`).
pub fn table(in_size: u32, in0: f64, in1: f64, out_size: u32, filter: Filter) -> Table {
    let (func, support) = kernel(filter);
    let (values, window, bounds) = precompute(in_size, in0, in1, out_size, func, support);
    normalize(&values, window, &bounds)
}

/// `precompute_coefficients`, line for line: f64 weights, `window` per output, (start, size).
fn precompute(
    in_size: u32,
    in0: f64,
    in1: f64,
    out_size: u32,
    filter: fn(f64) -> f64,
    support: f64,
) -> (Vec<f64>, usize, Vec<(u32, u32)>) {
    let scale = (in1 - in0) / out_size as f64;
    if in_size == 0 || out_size == 0 || scale <= 0. {
        return (Vec::new(), 0, Vec::new());
    }
    let filter_scale = scale.max(1.0);
    let radius = support * filter_scale;
    let window = radius.ceil() as usize * 2 + 1;
    let recip = 1.0 / filter_scale;
    let mut coeffs: Vec<f64> = Vec::with_capacity(window * out_size as usize);
    let mut bounds = Vec::with_capacity(out_size as usize);
    for out_x in 0..out_size {
        let in_center = in0 + (out_x as f64 + 0.5) * scale;
        let x_min = (in_center - radius).floor().max(0.) as u32;
        let x_max = (in_center + radius).ceil().min(in_size as f64) as u32;
        let cur = coeffs.len();
        let mut ww = 0.0;
        let center = in_center - 0.5;
        let (mut start, mut end) = (x_min, x_max);
        for x in x_min..x_max {
            let w = filter((x as f64 - center) * recip);
            if x == start && w == 0. {
                start += 1;
            } else {
                coeffs.push(w);
                ww += w;
            }
        }
        for &c in coeffs.iter().rev() {
            if end <= start || c != 0. {
                break;
            }
            end -= 1;
        }
        if ww != 0.0 {
            coeffs[cur..].iter_mut().for_each(|w| *w /= ww);
        }
        coeffs.resize(cur + window, 0.);
        bounds.push((start, end - start));
    }
    (coeffs, window, bounds)
}

/// `Normalizer16::new`: picks the precision from the largest weight and rounds to i16.
fn normalize(values: &[f64], window: usize, bounds: &[(u32, u32)]) -> Table {
    const PRECISION_BITS: u32 = 32 - 8 - 2;
    const MAX_COEFFS_PRECISION: u32 = 16 - 1;
    let max_weight = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let max_weight = if values.is_empty() { 0.0 } else { max_weight };
    let mut precision = 0;
    for p in 0..PRECISION_BITS {
        precision = p;
        let next = (max_weight * (1u32 << (p + 1)) as f64).round() as i32;
        if next >= 1 << MAX_COEFFS_PRECISION {
            break;
        }
    }
    let scale = (1u32 << precision) as f64;
    let taps = if window == 0 {
        Vec::new()
    } else {
        values
            .chunks_exact(window)
            .zip(bounds)
            .map(|(chunk, &(start, size))| Taps {
                start,
                weights: chunk[..size as usize]
                    .iter()
                    .map(|&v| (v * scale).round() as i16 as i32)
                    .collect(),
            })
            .collect()
    };
    Table {
        window: window as u32,
        precision,
        taps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_in_fixed_point() {
        for f in [
            Filter::Bilinear,
            Filter::Bicubic,
            Filter::Lanczos3,
            Filter::BicubicSharper,
        ] {
            for (src, dst) in [(100, 37), (37, 100), (8, 8), (1, 5), (5, 1)] {
                let t = table(src, 0.0, src as f64, dst, f);
                assert_eq!(t.taps.len(), dst as usize);
                for taps in &t.taps {
                    let sum: i32 = taps.weights.iter().sum();
                    let one = 1 << t.precision;
                    assert!(
                        (sum - one).abs() <= taps.weights.len() as i32,
                        "{f:?} {src}->{dst}: {sum} vs {one}"
                    );
                    assert!(taps.start + taps.weights.len() as u32 <= src);
                }
            }
        }
    }

    #[test]
    fn shrinking_widens_the_kernel() {
        let t = table(1000, 0.0, 1000.0, 100, Filter::Bilinear);
        // Radius 1 widened by the scale factor 10: 21 taps (20 non-zero).
        assert_eq!(t.window, 21);
        assert!(t.taps[50].weights.len() >= 19);
    }

    #[test]
    fn identity_and_words() {
        let t = Table::identity(3, 5);
        assert_eq!(
            t.to_words(),
            vec![5, 1, 1 << 14, 6, 1, 1 << 14, 7, 1, 1 << 14]
        );
        assert_eq!(t.source_range(0, 3), (5, 8));
    }
}
