//! Planning: the filter commands (`op_blur`, `op_grow`, `op_noise`, `op_sharpen`, `op_usm`,
//! `op_usmR`) as `engine::Step`s, with their pixel radii scaled to the resolution the step
//! runs at (spec/is-protocol.md §3.6). `lower` places them:
//!
//! - `op_blur`, `op_grow` and `op_noise` are layer commands: they follow the colour commands
//!   (order `op_blur → op_grow → op_noise`, §3.2) on the resampled layer, before `opac=` and
//!   before the layer is placed in the view. Their radii are in composite pixels, scaled by
//!   the view scale. When they reach beyond a pixel, the layer is resampled with that many
//!   extra pixels around the visible window, so a view crop (`fit=crop`, `rect=`) cuts a
//!   filtered image instead of filtering a cut one. At the layer's own edges the border
//!   pixels are replicated; the filters do not spread into `extend=` margins or crop
//!   extensions, which stay `bgColor=`/transparent (a decision: those margins are padding).
//! - `op_sharpen` then `op_usm`/`op_usmR` run last, on the view image (§3.4 step 12), before
//!   the reply is flattened onto `bgc`. `op_usm`'s radius is in source pixels and scales with
//!   the image; `op_usmR`'s is in reply pixels.
//!
//! Kernels: `op_blur=r` is a Gaussian with σ = r/2; `op_usm=a,r,t,m` is the unsharp mask with
//! amount `a`, σ = r, threshold `t` levels (Photoshop's and Pillow's `UnsharpMask` units);
//! `op_sharpen=1` is the fixed unsharp mask amount 1, σ = 0.5 reply pixels, threshold 0;
//! `op_grow=r` rounds `r × scale` to whole pixels (dropped when that is 0). Neutral values
//! (`0`, amount 0 or radius 0) are dropped. `op_noise`'s seed hashes its own arguments and the
//! source size, so the same request renders the same pixels every time.

use super::types::{Commands, NoiseCmd, UsmCmd};
use crate::engine::{Noise, Step, Usm};

/// The filter commands of one request, unscaled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub blur: Option<f64>,
    pub grow: Option<i32>,
    pub noise: Option<Noise>,
    pub sharpen: bool,
    pub usm: Option<UsmCmd>,
}

/// `op_sharpen=1`.
const SHARPEN: Usm = Usm {
    amount: 1.0,
    sigma: 0.5,
    threshold: 0,
    mono: false,
};

impl Filters {
    pub fn new(c: &Commands, source: (u32, u32)) -> Filters {
        Filters {
            blur: c.op_blur.filter(|r| *r > 0.0),
            grow: c.op_grow.filter(|r| *r != 0),
            noise: c
                .op_noise
                .filter(|n| n.amount > 0)
                .map(|n| noise(n, source)),
            sharpen: c.op_sharpen == Some(true),
            usm: c.op_usm.filter(|u| u.amount > 0.0 && u.radius > 0.0),
        }
    }

    /// The layer filters for a layer drawn at `k` pixels per composite pixel.
    pub fn layer_steps(&self, k: f64) -> Vec<Step> {
        let blur = self.blur.map(|r| Step::Blur {
            sigma: (r * k / 2.0).max(1e-3) as f32,
        });
        let grow = self
            .grow
            .map(|r| (f64::from(r) * k).round() as i32)
            .filter(|r| *r != 0)
            .map(|radius| Step::Grow { radius });
        [blur, grow, self.noise.map(Step::Noise)]
            .into_iter()
            .flatten()
            .collect()
    }

    /// The view filters for a reply at `s` pixels per source pixel.
    pub fn view_steps(&self, s: f64) -> Vec<Step> {
        let usm = self.usm.map(|u| {
            let scale = if u.as_given { 1.0 } else { s };
            Step::Sharpen(Usm {
                amount: u.amount as f32,
                sigma: (u.radius * scale).max(1e-3) as f32,
                threshold: u.threshold,
                mono: u.monochrome,
            })
        });
        [self.sharpen.then_some(Step::Sharpen(SHARPEN)), usm]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// FNV-1a over the noise arguments and the source size: the seed of `op_noise`.
fn noise(n: NoiseCmd, source: (u32, u32)) -> Noise {
    let mut h: u32 = 0x811c_9dc5;
    let bytes = [
        [n.amount, u8::from(n.gaussian), u8::from(n.monochrome), 0],
        source.0.to_le_bytes(),
        source.1.to_le_bytes(),
    ];
    for b in bytes.iter().flatten() {
        h = (h ^ u32::from(*b)).wrapping_mul(0x0100_0193);
    }
    Noise {
        amount: n.amount,
        gaussian: n.gaussian,
        mono: n.monochrome,
        seed: h,
    }
}
