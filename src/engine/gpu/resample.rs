//! `resample` on the GPU, planned as fast_image_resize runs it for u8 RGBA (so that the result
//! matches `cpu::resample` bit for bit): `is_opaque` on the step's input, then `resize_v` into
//! a temporary image of the used columns, then `resize_h`.

use super::bands::{bands, Rect};
use super::coeffs::{self, Table};
use super::plan::{Builder, Res};
use super::shaders::*;
use crate::engine::{EngineError, Filter};

impl Builder {
    fn table(&mut self, t: &Table) -> u32 {
        let base = self.coeffs.len() as u32;
        self.coeffs.extend(t.to_words());
        base
    }

    /// `resample` as fast_image_resize runs it for u8 RGBA: `is_opaque` on the input (alpha is
    /// premultiplied only when some pixel is not opaque), then the vertical pass into a
    /// temporary image of the used columns, then the horizontal pass; a pass whose axis keeps
    /// its size and integer offset is skipped, and a plain integer crop is copied.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn resample(
        &mut self,
        src: usize,
        w: u32,
        h: u32,
        rect: [f64; 4],
        ow: u32,
        oh: u32,
        filter: Filter,
    ) -> Result<usize, EngineError> {
        let [x, y, cw, ch] = rect;
        let inside = x >= 0.0
            && y >= 0.0
            && cw > 0.0
            && ch > 0.0
            && x + cw <= w as f64 + 1e-6
            && y + ch <= h as f64 + 1e-6;
        if !inside || ow == 0 || oh == 0 {
            return Err(EngineError::InvalidStep(
                "resample",
                format!("src {rect:?} -> {ow}x{oh} on {w}x{h}"),
            ));
        }
        let (cw, ch) = (cw.min(w as f64 - x), ch.min(h as f64 - y));
        let integral = [x, y, cw, ch].iter().all(|v| *v == v.round());
        if integral && cw == ow as f64 && ch == oh as f64 {
            let t = Table::identity(ow, x as u32);
            return self.resize_pass(ShaderId::ResizeH, src, (w, h), (ow, oh), y as u32, &t, 0, 0);
        }
        let slot = self.alpha_slots;
        self.alpha_slots += 1;
        self.is_opaque(src, w, h, slot)?;
        let need_h = ow as f64 != cw || x != x.round();
        let need_v = oh as f64 != ch || y != y.round();
        let both = ALPHA_PREMULTIPLY | ALPHA_DIVIDE;
        match (need_h, need_v) {
            (true, true) => {
                let th = coeffs::table(w, x, x + cw, ow, filter);
                let tv = coeffs::table(h, y, y + ch, oh, filter);
                let (x_first, x_last) = th.source_range(0, ow);
                let tmp_w = x_last - x_first;
                let tmp = self.resize_pass(
                    ShaderId::ResizeV,
                    src,
                    (w, h),
                    (tmp_w, oh),
                    x_first,
                    &tv,
                    ALPHA_PREMULTIPLY,
                    slot,
                )?;
                let out = self.resize_pass(
                    ShaderId::ResizeH,
                    tmp,
                    (tmp_w, oh),
                    (ow, oh),
                    0,
                    &th.shifted(x_first),
                    ALPHA_DIVIDE,
                    slot,
                )?;
                self.release(tmp);
                Ok(out)
            }
            (true, false) => {
                let th = coeffs::table(w, x, x + cw, ow, filter);
                self.resize_pass(
                    ShaderId::ResizeH,
                    src,
                    (w, h),
                    (ow, oh),
                    y as u32,
                    &th,
                    both,
                    slot,
                )
            }
            _ => {
                let tv = coeffs::table(h, y, y + ch, oh, filter);
                self.resize_pass(
                    ShaderId::ResizeV,
                    src,
                    (w, h),
                    (ow, oh),
                    x as u32,
                    &tv,
                    both,
                    slot,
                )
            }
        }
    }

    fn is_opaque(&mut self, src: usize, w: u32, h: u32, slot: u32) -> Result<(), EngineError> {
        for (r, win_in, _) in bands(w, h, w, None, false, self.limits, &|r: Rect| {
            (r.y0, r.y0 + r.h)
        })? {
            let band = r.band(w, 0, win_in.base, 0);
            let p = IsOpaqueParams {
                band,
                alpha_slot: slot,
                _pad: [0; 3],
            };
            self.emit(
                ShaderId::IsOpaque,
                band,
                bytemuck::bytes_of(&p).to_vec(),
                vec![Res::Params, Self::image(src, win_in), Res::Alpha],
            );
        }
        Ok(())
    }

    /// One convolution pass from `src` (`sw × sh`) to a new `ow × oh` buffer.
    #[allow(clippy::too_many_arguments)]
    fn resize_pass(
        &mut self,
        shader: ShaderId,
        src: usize,
        (sw, _sh): (u32, u32),
        (ow, oh): (u32, u32),
        shift: u32,
        t: &Table,
        alpha_mode: u32,
        alpha_slot: u32,
    ) -> Result<usize, EngineError> {
        let dst = self.alloc(ow, oh)?;
        let coeff_base = self.table(t);
        let vertical = shader == ShaderId::ResizeV;
        let rows = |r: Rect| {
            if vertical {
                t.source_range(r.y0, r.y0 + r.h)
            } else {
                (r.y0 + shift, r.y0 + r.h + shift)
            }
        };
        for (r, win_in, win_out) in bands(ow, oh, sw, Some(ow), false, self.limits, &rows)? {
            let band = r.band(sw, ow, win_in.base, win_out.base);
            let p = ResizeParams {
                band,
                shift,
                coeff_base,
                window: t.window,
                frac_bits: t.precision,
                alpha_mode,
                alpha_slot,
                _pad0: 0,
                _pad1: 0,
            };
            let res = vec![
                Res::Params,
                Res::Coeffs,
                Res::Alpha,
                Self::image(src, win_in),
                Self::image(dst, win_out),
            ];
            self.emit(shader, band, bytemuck::bytes_of(&p).to_vec(), res);
        }
        Ok(dst)
    }
}
