//! The neighbourhood filters and noise on the GPU (`engine::filter` has the algorithms,
//! `cpu_filter` the twins): `op_blur` is two passes of `op_blur.wgsl` through a 16-bit
//! premultiplied intermediate; `op_usm` is the horizontal `op_blur` pass then `op_usm.wgsl`
//! (vertical pass fused with the unsharp combination); `op_grow` two passes of
//! `op_grow.wgsl`; `op_noise` one pointwise pass. Passes are banded by rows like every kernel:
//! a vertical pass binds its output rows plus `reach` rows each side.

use super::bands::{bands, Rect};
use super::plan::{Builder, Res};
use super::shaders::*;
use crate::engine::filter::{gauss_reach, gauss_weights, Noise, Usm};
use crate::engine::EngineError;

/// One pass: which kernel, along which axis, and its parameters.
struct Pass {
    shader: ShaderId,
    vertical: bool,
    reach: u32,
    fmt: u32,
    coeff_base: u32,
    usm: Option<Usm>,
    /// Row strides (in 4-byte words) of the input and output images.
    in_stride: u32,
    out_stride: u32,
}

impl Builder {
    fn weights(&mut self, sigma: f32) -> u32 {
        let base = self.coeffs.len() as u32;
        self.coeffs
            .extend(gauss_weights(sigma).iter().map(|w| w.to_bits()));
        base
    }

    /// Emits `pass` from `src` into `dst` over a `w × h` image (`orig`: the original image
    /// for `op_usm`, bound with the output's rows).
    fn window_pass(
        &mut self,
        pass: &Pass,
        (src, dst, orig): (usize, usize, Option<usize>),
        w: u32,
        h: u32,
    ) -> Result<(), EngineError> {
        let reach = if pass.vertical { pass.reach } else { 0 };
        let rows = |r: Rect| (r.y0.saturating_sub(reach), (r.y0 + r.h + reach).min(h));
        let limits = self.limits;
        for (r, win_in, win_out) in bands(
            w,
            h,
            pass.in_stride,
            Some(pass.out_stride),
            false,
            limits,
            &rows,
        )? {
            let band = r.band(pass.in_stride, pass.out_stride, win_in.base, win_out.base);
            let u = pass.usm.unwrap_or(Usm {
                amount: 0.0,
                sigma: 0.0,
                threshold: 0,
                mono: false,
            });
            let p = FilterParams {
                band,
                dir: u32::from(pass.vertical),
                reach: pass.reach,
                src_w: w,
                src_h: h,
                fmt: pass.fmt,
                coeff_base: pass.coeff_base,
                threshold: f32::from(u.threshold),
                amount: u.amount,
                mono: u32::from(u.mono),
                _pad: [0; 3],
            };
            let mut res = vec![Res::Params];
            if pass.shader != ShaderId::OpGrow {
                res.push(Res::Coeffs);
            }
            res.push(Self::image(src, win_in));
            if let Some(o) = orig {
                res.push(Self::image(o, win_out));
            }
            res.push(Self::image(dst, win_out));
            self.emit(pass.shader, band, bytemuck::bytes_of(&p).to_vec(), res);
        }
        Ok(())
    }

    /// The horizontal Gaussian pass into a new 16-bit image.
    fn blur_h(
        &mut self,
        src: usize,
        w: u32,
        h: u32,
        sigma: f32,
    ) -> Result<(usize, Pass), EngineError> {
        let mid = self.alloc(2 * w, h)?;
        let pass = Pass {
            shader: ShaderId::OpBlur,
            vertical: false,
            reach: gauss_reach(sigma),
            fmt: FMT_OUT16,
            coeff_base: self.weights(sigma),
            usm: None,
            in_stride: w,
            out_stride: 2 * w,
        };
        self.window_pass(&pass, (src, mid, None), w, h)?;
        Ok((mid, pass))
    }

    /// `op_blur`.
    pub(super) fn blur(
        &mut self,
        src: usize,
        w: u32,
        h: u32,
        sigma: f32,
    ) -> Result<usize, EngineError> {
        let (mid, pass) = self.blur_h(src, w, h, sigma)?;
        let dst = self.alloc(w, h)?;
        let v = Pass {
            vertical: true,
            fmt: FMT_IN16,
            in_stride: 2 * w,
            out_stride: w,
            ..pass
        };
        self.window_pass(&v, (mid, dst, None), w, h)?;
        self.release(mid);
        Ok(dst)
    }

    /// `op_usm` (and `op_usmR`, `op_sharpen`).
    pub(super) fn usm(&mut self, src: usize, w: u32, h: u32, u: Usm) -> Result<usize, EngineError> {
        let (mid, pass) = self.blur_h(src, w, h, u.sigma)?;
        let dst = self.alloc(w, h)?;
        let v = Pass {
            shader: ShaderId::OpUsm,
            vertical: true,
            fmt: FMT_IN16,
            usm: Some(u),
            in_stride: 2 * w,
            out_stride: w,
            ..pass
        };
        self.window_pass(&v, (mid, dst, Some(src)), w, h)?;
        self.release(mid);
        Ok(dst)
    }

    /// `op_grow`.
    pub(super) fn grow(
        &mut self,
        src: usize,
        w: u32,
        h: u32,
        radius: i32,
    ) -> Result<usize, EngineError> {
        let pass = Pass {
            shader: ShaderId::OpGrow,
            vertical: false,
            reach: radius.unsigned_abs(),
            fmt: u32::from(radius > 0),
            coeff_base: 0,
            usm: None,
            in_stride: w,
            out_stride: w,
        };
        let mid = self.alloc(w, h)?;
        self.window_pass(&pass, (src, mid, None), w, h)?;
        let dst = self.alloc(w, h)?;
        let v = Pass {
            vertical: true,
            ..pass
        };
        self.window_pass(&v, (mid, dst, None), w, h)?;
        self.release(mid);
        Ok(dst)
    }

    /// `op_noise`.
    pub(super) fn noise(
        &mut self,
        src: usize,
        w: u32,
        h: u32,
        n: Noise,
    ) -> Result<usize, EngineError> {
        self.pointwise(src, w, h, ShaderId::OpNoise, |band| {
            bytemuck::bytes_of(&NoiseParams {
                band,
                amount: i32::from(n.amount),
                gaussian: u32::from(n.gaussian),
                mono: u32::from(n.mono),
                seed: n.seed,
            })
            .to_vec()
        })
    }
}
