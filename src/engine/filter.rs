//! The neighbourhood filters and noise (`op_blur`, `op_usm`/`op_usmR`/`op_sharpen`, `op_grow`,
//! `op_noise`; spec/is-protocol.md §4.20, §4.27, §4.29–4.31): their parameters and the math
//! both executors share (weight tables, the integer noise generator). `cpu_filter` holds the
//! CPU twins, `gpu::filter` plans the WGSL kernels. Pixel radii here are in pixels of the
//! image the step runs on; `modifier::lower` scales the commands' radii to it.
//!
//! Algorithms (the same on both executors):
//!
//! - **Gaussian blur** (`op_blur`, and the blur inside `op_usm`): separable, on premultiplied
//!   RGBA in 0..1, weights `exp(−k²/2σ²)` for `|k| ≤ R = ceil(3σ)`, normalized to sum 1 in f64
//!   and rounded to f32 once. The horizontal pass is stored as 16-bit unorm per channel
//!   (`floor(v·65535 + ½)`), the vertical pass reads it. Edges replicate the border pixels.
//!   Cost is O(σ) per pixel (2R + 1 taps per pass), never O(σ²).
//! - **Unsharp mask**: `d = orig − blur` per premultiplied channel; where `|d|·255 ≥
//!   threshold`, `out = orig + amount·d`, else `orig`. Monochrome: the colour channels all take
//!   the luma of `d` (ITU-R 601 weights); alpha is sharpened on its own. The result is clamped
//!   to 0..1, colour to at most alpha, then unpremultiplied and rounded.
//! - **Grow**: per-channel maximum (dilate, `r > 0`) or minimum (erode, `r < 0`) of straight
//!   RGBA over the `(2|r|+1)²` square, as two exact 1-D passes (Pillow's Max/MinFilter).
//! - **Noise**: integer arithmetic only, so both executors give identical bytes. A PCG hash
//!   of (seed, y, x) per pixel, then one per channel `h = pcg(pixel ^ (c + 1)·φ)`; `uniform`
//!   adds `round((2u − 65535)·amount·255 / (65535·200))` levels with `u = h >> 16`
//!   (±amount/100 × 127.5), `gaussian` adds the sum of four 15-bit uniforms (the halves of `h`
//!   and `pcg(h)`; Irwin–Hall, σ = 18919) scaled to σ = amount/100 × 63.75 levels. `monochrome` adds the same value to R, G and B. Alpha is
//!   kept.

/// The reach of a Gaussian of standard deviation `sigma`: `ceil(3σ)`, at least 1.
pub fn gauss_reach(sigma: f32) -> u32 {
    (3.0 * f64::from(sigma)).ceil().max(1.0) as u32
}

/// The one-sided weight table `w[0..=R]` of a Gaussian (`w[k]` weighs offsets ±k), summing to
/// 1 over `−R..=R`.
pub fn gauss_weights(sigma: f32) -> Vec<f32> {
    let r = gauss_reach(sigma) as i64;
    let s = f64::from(sigma).max(1e-3);
    let raw: Vec<f64> = (0..=r)
        .map(|k| (-((k * k) as f64) / (2.0 * s * s)).exp())
        .collect();
    let total = raw[0] + 2.0 * raw[1..].iter().sum::<f64>();
    raw.iter().map(|w| (w / total) as f32).collect()
}

/// An unsharp mask (`op_usm`, `op_usmR`, `op_sharpen`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usm {
    /// 0..=5 (1 = 100 %).
    pub amount: f32,
    /// The blur's standard deviation in pixels (> 0).
    pub sigma: f32,
    /// 0..=255 levels.
    pub threshold: u8,
    /// Sharpen luminance only.
    pub mono: bool,
}

/// `op_noise`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Noise {
    /// 0..=100 (%).
    pub amount: u8,
    pub gaussian: bool,
    pub mono: bool,
    /// Derived from the request (`modifier::plan`), never from a clock.
    pub seed: u32,
}

/// The PCG output hash (`shaders/op_noise.wgsl` has the same).
pub fn pcg(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// Integer division rounding half away from zero (`den > 0`; i32 throughout, as in WGSL).
fn round_div(num: i32, den: i32) -> i32 {
    let half = den / 2;
    if num >= 0 {
        (num + half) / den
    } else {
        (num - half) / den
    }
}

impl Noise {
    /// The hash of pixel (x, y), shared by its channels.
    pub fn pixel(&self, x: u32, y: u32) -> u32 {
        pcg(pcg(self.seed ^ y) ^ x)
    }

    /// The noise of channel `c` (0..3; always 0 with `mono`) of the pixel whose hash is
    /// `px` ([`Noise::pixel`]), in levels.
    pub fn value(&self, px: u32, c: u32) -> i32 {
        let h = pcg(px ^ (c + 1).wrapping_mul(0x9e37_79b9));
        let amount = i32::from(self.amount);
        if !self.gaussian {
            let u = (h >> 16) as i32;
            return round_div((2 * u - 65535) * amount * 255, 65535 * 200);
        }
        let g = pcg(h);
        let s = [h, h >> 16, g, g >> 16]
            .iter()
            .map(|v| (v & 0x7fff) as i32)
            .sum::<i32>()
            - 2 * 32767;
        round_div(s * amount * 51, 80 * 18919)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_and_fall_off() {
        for sigma in [0.3, 1.0, 2.5, 50.0, 250.0] {
            let w = gauss_weights(sigma);
            assert_eq!(w.len() as u32, gauss_reach(sigma) + 1);
            let total: f64 =
                f64::from(w[0]) + 2.0 * w[1..].iter().map(|v| f64::from(*v)).sum::<f64>();
            assert!((total - 1.0).abs() < 1e-5, "σ={sigma}: {total}");
            assert!(w.windows(2).all(|p| p[0] >= p[1]));
        }
    }

    #[test]
    fn uniform_noise_spans_the_amount() {
        let n = Noise {
            amount: 100,
            gaussian: false,
            mono: false,
            seed: 7,
        };
        let v: Vec<i32> = (0..20_000)
            .map(|i| n.value(n.pixel(i % 200, i / 200), 0))
            .collect();
        assert!(v.iter().all(|x| (-128..=128).contains(x)));
        assert!(*v.iter().max().unwrap() > 120 && *v.iter().min().unwrap() < -120);
        let mean = v.iter().sum::<i32>() as f64 / v.len() as f64;
        assert!(mean.abs() < 3.0, "{mean}");
    }

    #[test]
    fn gaussian_noise_has_the_documented_deviation() {
        let n = Noise {
            amount: 40,
            gaussian: true,
            mono: false,
            seed: 1,
        };
        let v: Vec<f64> = (0..40_000)
            .map(|i| f64::from(n.value(n.pixel(i % 200, i / 200), 1)))
            .collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
        assert!(mean.abs() < 1.0, "{mean}");
        assert!((sd - 0.4 * 63.75).abs() < 1.0, "{sd}");
    }

    #[test]
    fn noise_depends_on_position_channel_and_seed() {
        let n = Noise {
            amount: 50,
            gaussian: false,
            mono: false,
            seed: 3,
        };
        let m = Noise { seed: 4, ..n };
        let at = |n: &Noise, x, y, c| n.value(n.pixel(x, y), c);
        let a: Vec<i32> = (0..64).map(|x| at(&n, x, 0, 0)).collect();
        assert_ne!(a, (0..64).map(|x| at(&n, x, 1, 0)).collect::<Vec<_>>());
        assert_ne!(a, (0..64).map(|x| at(&n, x, 0, 1)).collect::<Vec<_>>());
        assert_ne!(a, (0..64).map(|x| at(&m, x, 0, 0)).collect::<Vec<_>>());
        assert_eq!(a, (0..64).map(|x| at(&n, x, 0, 0)).collect::<Vec<_>>());
    }
}
