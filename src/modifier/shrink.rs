//! Planning, last step: the decode hint. A JPEG can be decoded at 1/2, 1/4 or 1/8 size (DCT
//! scaling), the other formats are block-averaged to that size after decoding
//! (`codec::box_shrink`); `decode_shrink` picks the largest factor that keeps enough resolution
//! for the plan, and `Plan::steps_for_input` rescales the first step to the decoded size.

use super::plan::Plan;
use crate::engine::{Filter, Step};

/// The largest n in {1, 2, 4, 8} that keeps at least 2× the resolution the first `Resample`
/// produces (so the final resample still has a factor of 2 to work with, as libvips does).
/// 1 when the plan does not start with a downscaling `Resample`, or rotates by an angle that
/// is not a multiple of 90°.
pub fn decode_shrink(steps: &[Step], axis_aligned: bool) -> u32 {
    let Some(Step::Resample {
        src, width, height, ..
    }) = steps.first()
    else {
        return 1;
    };
    if !axis_aligned {
        return 1;
    }
    let ratio = (f64::from(*width) / src[2]).max(f64::from(*height) / src[3]);
    [8, 4, 2]
        .into_iter()
        .find(|n| 2.0 * f64::from(*n) * ratio <= 1.0)
        .unwrap_or(1)
}

impl Plan {
    /// The steps for an input decoded at `w`×`h` instead of the source size. With the plan's
    /// own `decode_shrink` n and `w = ceil(src_w / n)` (what DCT scaling yields), coordinates
    /// scale by exactly 1/n; otherwise by `w / src_w`. Only the first geometric step reads
    /// input coordinates: a `Resample` window is rescaled and kept inside the input; an
    /// `Affine` gets a `Resample` back to the source size in front of it.
    pub fn steps_for_input(&self, w: u32, h: u32) -> Vec<Step> {
        let (sw, sh) = (f64::from(self.source.0), f64::from(self.source.1));
        if (w, h) == self.source {
            return self.steps.clone();
        }
        let n = self.decode_shrink;
        let dct = n > 1 && w == self.source.0.div_ceil(n) && h == self.source.1.div_ceil(n);
        let (fx, fy) = if dct {
            (1.0 / f64::from(n), 1.0 / f64::from(n))
        } else {
            (f64::from(w) / sw, f64::from(h) / sh)
        };
        let bounds = ((sw * fx).min(f64::from(w)), (sh * fy).min(f64::from(h)));
        let mut steps = self.steps.clone();
        let first = steps
            .iter()
            .position(|s| matches!(s, Step::Resample { .. } | Step::Affine { .. }));
        match first.map(|i| (i, &mut steps[i])) {
            Some((_, Step::Resample { src, .. })) => *src = scale_window(*src, fx, fy, bounds),
            Some((i, _)) => steps.insert(i, back_to_source(self.source, bounds)),
            None => steps.insert(0, back_to_source(self.source, bounds)),
        }
        steps
    }
}

fn scale_window(src: [f64; 4], fx: f64, fy: f64, (bw, bh): (f64, f64)) -> [f64; 4] {
    let x0 = (src[0] * fx).clamp(0.0, bw);
    let y0 = (src[1] * fy).clamp(0.0, bh);
    let x1 = ((src[0] + src[2]) * fx).clamp(x0, bw);
    let y1 = ((src[1] + src[3]) * fy).clamp(y0, bh);
    [x0, y0, x1 - x0, y1 - y0]
}

fn back_to_source((width, height): (u32, u32), (bw, bh): (f64, f64)) -> Step {
    Step::Resample {
        src: [0.0, 0.0, bw, bh],
        width,
        height,
        filter: Filter::Bicubic,
    }
}
