//! Turns a list of `Step`s into a GPU `Program`: the image buffers a job needs, one byte blob
//! of params slots and weight tables ("aux", uploaded once), and the dispatches in order. Pure
//! CPU work, run on the caller's thread before the job goes to the device thread.
//!
//! Tiling: a dispatch binds only the rows it reads and writes, so a job works on images whose
//! buffers exceed `max_storage_buffer_binding_size` (128 MiB on lavapipe): the output is split
//! into bands (and, for `affine`, tiles) until every binding fits; see [`bands`].

use super::shaders::*;
use crate::engine::{ColorOp, EngineError, Image, Rgba, Sampling, Step};

use super::bands::{bands, Rect, Window};

/// Device limits the planner respects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_binding: u64,
    pub storage_align: u64,
    pub max_groups: u32,
    pub max_buffer: u64,
}

/// A resource bound by one dispatch, in the shader table's binding order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Res {
    /// This dispatch's params slot in the aux buffer.
    Params,
    /// The weight tables in the aux buffer.
    Coeffs,
    /// The per-job alpha flags written by `is_opaque`.
    Alpha,
    /// Bytes `offset .. offset + size` of image buffer `buffer`.
    Image {
        buffer: usize,
        offset: u64,
        size: u64,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dispatch {
    pub shader: ShaderId,
    pub params_offset: u64,
    pub resources: Vec<Res>,
    pub groups: [u32; 2],
}

/// Everything the device thread needs to run one job.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// Byte sizes of the job's image buffers; buffer 0 receives the upload.
    pub buffers: Vec<u64>,
    pub output: usize,
    pub width: u32,
    pub height: u32,
    /// Params slots (256-byte aligned) followed, from `coeff_offset`, by the weight tables.
    pub aux: Vec<u8>,
    pub coeff_offset: u64,
    pub alpha_slots: u32,
    pub dispatches: Vec<Dispatch>,
}

/// Uniform offsets are aligned to 256, the largest `min_uniform_buffer_offset_alignment`.
pub const PARAMS_ALIGN: u64 = 256;

/// Plans `steps` on an input of `w × h`. Zero-area images are the caller's business.
pub fn plan(w: u32, h: u32, steps: &[Step], limits: Limits) -> Result<Program, EngineError> {
    let mut b = Builder {
        limits,
        params: Vec::new(),
        coeffs: Vec::new(),
        dispatches: Vec::new(),
        buffers: Vec::new(),
        free: Vec::new(),
        alpha_slots: 0,
    };
    let mut cur = b.alloc(w, h)?;
    let (mut w, mut h) = (w, h);
    for step in steps {
        let (ow, oh) = step.output_size(w, h);
        let out = match step {
            Step::Resample {
                src,
                width,
                height,
                filter,
            } => b.resample(cur, w, h, *src, *width, *height, *filter)?,
            Step::Affine {
                m,
                width,
                height,
                fill,
                sampling,
            } => b.affine(cur, w, h, m, *width, *height, *fill, *sampling)?,
            Step::Underlay { color } => b.pointwise(cur, w, h, ShaderId::Underlay, |band| {
                bytemuck::bytes_of(&UnderlayParams {
                    band,
                    color: packed(*color),
                    _pad: [0; 3],
                })
                .to_vec()
            })?,
            Step::Opacity { opacity } => {
                let opacity = opacity.clamp(0.0, 1.0);
                b.pointwise(cur, w, h, ShaderId::Opacity, |band| {
                    bytemuck::bytes_of(&OpacityParams {
                        band,
                        opacity,
                        _pad: [0; 3],
                    })
                    .to_vec()
                })?
            }
            Step::Color(op @ ColorOp::Colorize { .. }) => b.colorize(cur, w, h, op.params())?,
            Step::Color(op) => {
                let k = op.params();
                b.pointwise(cur, w, h, color_shader(op), |band| {
                    bytemuck::bytes_of(&ColorParams { band, k }).to_vec()
                })?
            }
            Step::Blur { sigma } => b.blur(cur, w, h, *sigma)?,
            Step::Sharpen(u) => b.usm(cur, w, h, *u)?,
            Step::Grow { radius } => b.grow(cur, w, h, *radius)?,
            Step::Noise(n) => b.noise(cur, w, h, *n)?,
        };
        b.release(cur);
        cur = out;
        (w, h) = (ow, oh);
    }
    Ok(b.finish(cur, w, h))
}

/// The kernel of a colour command (same name as the command).
pub fn color_shader(op: &ColorOp) -> ShaderId {
    match op {
        ColorOp::Invert => ShaderId::OpInvert,
        ColorOp::Brightness(_) => ShaderId::OpBrightness,
        ColorOp::Contrast(_) => ShaderId::OpContrast,
        ColorOp::Saturation(_) => ShaderId::OpSaturation,
        ColorOp::Hue(_) => ShaderId::OpHue,
        ColorOp::ColorBalance(_) => ShaderId::OpColorBalance,
        ColorOp::Colorize { .. } => ShaderId::OpColorize,
    }
}

/// Straight RGBA8 packed as the shaders read it (r in the low byte).
pub fn packed(c: Rgba) -> u32 {
    u32::from_le_bytes([c.r, c.g, c.b, c.a])
}

pub(super) struct Builder {
    pub(super) limits: Limits,
    params: Vec<u8>,
    pub(super) coeffs: Vec<u32>,
    dispatches: Vec<Dispatch>,
    buffers: Vec<u64>,
    free: Vec<usize>,
    pub(super) alpha_slots: u32,
}

impl Builder {
    /// A buffer for a `w × h` image: a free one large enough, else a new one.
    pub(super) fn alloc(&mut self, w: u32, h: u32) -> Result<usize, EngineError> {
        let bytes = w as u64 * h as u64 * 4;
        if bytes > self.limits.max_buffer {
            return Err(EngineError::Gpu(format!(
                "{w}x{h} image exceeds the adapter's max buffer size ({} bytes)",
                self.limits.max_buffer
            )));
        }
        let best = self
            .free
            .iter()
            .enumerate()
            .filter(|(_, &id)| self.buffers[id] >= bytes)
            .min_by_key(|(_, &id)| self.buffers[id]);
        if let Some((i, _)) = best {
            return Ok(self.free.swap_remove(i));
        }
        self.buffers.push(bytes);
        Ok(self.buffers.len() - 1)
    }

    pub(super) fn release(&mut self, id: usize) {
        self.free.push(id);
    }

    /// Adds one dispatch per band of a `w × h` output.
    pub(super) fn emit(
        &mut self,
        shader: ShaderId,
        band: Band,
        params: Vec<u8>,
        resources: Vec<Res>,
    ) {
        let params_offset = self.params.len() as u64;
        self.params.extend_from_slice(&params);
        self.params
            .resize(self.params.len().next_multiple_of(PARAMS_ALIGN as usize), 0);
        let g = |n: u32| n.div_ceil(16).clamp(1, self.limits.max_groups);
        self.dispatches.push(Dispatch {
            shader,
            params_offset,
            resources,
            groups: [g(band.w), g(band.h)],
        });
    }

    pub(super) fn image(buffer: usize, win: Window) -> Res {
        Res::Image {
            buffer,
            offset: win.offset,
            size: win.size,
        }
    }

    pub(super) fn pointwise(
        &mut self,
        src: usize,
        w: u32,
        h: u32,
        shader: ShaderId,
        params: impl Fn(Band) -> Vec<u8>,
    ) -> Result<usize, EngineError> {
        let dst = self.alloc(w, h)?;
        for (r, win_in, win_out) in bands(w, h, w, Some(w), false, self.limits, &|r: Rect| {
            (r.y0, r.y0 + r.h)
        })? {
            let band = r.band(w, w, win_in.base, win_out.base);
            self.emit(
                shader,
                band,
                params(band),
                vec![
                    Res::Params,
                    Self::image(src, win_in),
                    Self::image(dst, win_out),
                ],
            );
        }
        Ok(dst)
    }

    /// `op_colorize`: with `norm` (k[3] ≥ 0), `luma_hist` over every band first (256 slots of
    /// the per-job flags buffer), then the mapping, which reads the histogram.
    fn colorize(&mut self, src: usize, w: u32, h: u32, k: [f32; 4]) -> Result<usize, EngineError> {
        let hist_base = self.alpha_slots;
        let rows = |r: Rect| (r.y0, r.y0 + r.h);
        if k[3] >= 0.0 {
            self.alpha_slots += 256;
            for (r, win_in, _) in bands(w, h, w, None, false, self.limits, &rows)? {
                let band = r.band(w, 0, win_in.base, 0);
                let p = LumaHistParams {
                    band,
                    hist_base,
                    _pad: [0; 3],
                };
                self.emit(
                    ShaderId::LumaHist,
                    band,
                    bytemuck::bytes_of(&p).to_vec(),
                    vec![Res::Params, Self::image(src, win_in), Res::Alpha],
                );
            }
        }
        let dst = self.alloc(w, h)?;
        for (r, win_in, win_out) in bands(w, h, w, Some(w), false, self.limits, &rows)? {
            let band = r.band(w, w, win_in.base, win_out.base);
            let p = ColorizeParams {
                band,
                k,
                hist_base,
                _pad: [0; 3],
            };
            self.emit(
                ShaderId::OpColorize,
                band,
                bytemuck::bytes_of(&p).to_vec(),
                vec![
                    Res::Params,
                    Self::image(src, win_in),
                    Self::image(dst, win_out),
                    Res::Alpha,
                ],
            );
        }
        Ok(dst)
    }

    #[allow(clippy::too_many_arguments)]
    fn affine(
        &mut self,
        src: usize,
        w: u32,
        h: u32,
        m: &[f64; 6],
        ow: u32,
        oh: u32,
        fill: Rgba,
        sampling: Sampling,
    ) -> Result<usize, EngineError> {
        let dst = self.alloc(ow, oh)?;
        let rows = |r: Rect| affine_rows(m, r, h);
        for (r, win_in, win_out) in bands(ow, oh, w, Some(ow), true, self.limits, &rows)? {
            let band = r.band(w, ow, win_in.base, win_out.base);
            let p = AffineParams {
                band,
                m: m.map(|v| v as f32),
                src_w: w,
                src_h: h,
                fill: packed(fill),
                sampling: matches!(sampling, Sampling::Bilinear) as u32,
                _pad0: 0,
                _pad1: 0,
            };
            self.emit(
                ShaderId::Affine,
                band,
                bytemuck::bytes_of(&p).to_vec(),
                vec![
                    Res::Params,
                    Self::image(src, win_in),
                    Self::image(dst, win_out),
                ],
            );
        }
        Ok(dst)
    }

    fn finish(mut self, output: usize, width: u32, height: u32) -> Program {
        let coeff_offset = self.params.len().max(PARAMS_ALIGN as usize) as u64;
        self.params.resize(coeff_offset as usize, 0);
        if self.coeffs.is_empty() {
            self.coeffs.push(0);
        }
        self.params
            .extend_from_slice(bytemuck::cast_slice(&self.coeffs));
        Program {
            buffers: self.buffers,
            output,
            width,
            height,
            aux: self.params,
            coeff_offset,
            alpha_slots: self.alpha_slots.max(1),
            dispatches: self.dispatches,
        }
    }
}

/// Input rows an `affine` output rectangle can touch (pixel centres map through `m`; two rows
/// of margin each side cover bilinear taps and f32 rounding on the GPU).
fn affine_rows(m: &[f64; 6], r: Rect, src_h: u32) -> (u32, u32) {
    let (x0, x1) = (r.x0 as f64 + 0.5, (r.x0 + r.w) as f64 - 0.5);
    let (y0, y1) = (r.y0 as f64 + 0.5, (r.y0 + r.h) as f64 - 0.5);
    let ys = [(x0, y0), (x1, y0), (x0, y1), (x1, y1)].map(|(x, y)| m[3] * x + m[4] * y + m[5]);
    let lo = ys.iter().copied().fold(f64::INFINITY, f64::min).floor() - 3.0;
    let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max).floor() + 3.0;
    let lo = lo.clamp(0.0, src_h as f64) as u32;
    let hi = hi.clamp(0.0, src_h as f64) as u32;
    if lo >= hi {
        (0, 1)
    } else {
        (lo, hi)
    }
}

/// The output size a plan ends with, and whether any image on the way has zero area.
pub fn sizes(img: &Image, steps: &[Step]) -> ((u32, u32), bool) {
    let (mut w, mut h) = (img.width, img.height);
    let mut empty = w == 0 || h == 0;
    for s in steps {
        (w, h) = s.output_size(w, h);
        empty |= w == 0 || h == 0;
    }
    ((w, h), empty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Filter;

    /// lavapipe's limits: 128 MiB bindings.
    const LAVAPIPE: Limits = Limits {
        max_binding: 128 << 20,
        storage_align: 16,
        max_groups: 65535,
        max_buffer: u32::MAX as u64,
    };

    fn shaders(p: &Program) -> Vec<ShaderId> {
        let mut s: Vec<ShaderId> = p.dispatches.iter().map(|d| d.shader).collect();
        s.dedup();
        s
    }

    #[test]
    fn resample_is_opaque_then_vertical_then_horizontal() {
        let steps = [Step::Resample {
            src: [0.5, 0.0, 99.0, 80.0],
            width: 40,
            height: 30,
            filter: Filter::Bicubic,
        }];
        let p = plan(100, 80, &steps, LAVAPIPE).unwrap();
        assert_eq!(
            shaders(&p),
            [ShaderId::IsOpaque, ShaderId::ResizeV, ShaderId::ResizeH]
        );
        assert_eq!((p.width, p.height), (40, 30));
        assert_eq!(p.aux.len() as u64 % 4, 0);
        assert_eq!(p.coeff_offset % PARAMS_ALIGN, 0);
    }

    #[test]
    fn integer_crop_is_one_copy_pass() {
        let steps = [Step::Resample {
            src: [2.0, 3.0, 10.0, 10.0],
            width: 10,
            height: 10,
            filter: Filter::Lanczos3,
        }];
        let p = plan(20, 20, &steps, LAVAPIPE).unwrap();
        assert_eq!(shaders(&p), [ShaderId::ResizeH]);
    }

    #[test]
    fn large_images_are_banded_within_the_binding_limit() {
        let steps = [
            Step::Opacity { opacity: 0.5 },
            Step::Resample {
                src: [0.0, 0.0, 8000.0, 6000.0],
                width: 2000,
                height: 1500,
                filter: Filter::Bicubic,
            },
        ];
        let p = plan(8000, 6000, &steps, LAVAPIPE).unwrap();
        assert!(
            p.dispatches
                .iter()
                .filter(|d| d.shader == ShaderId::Opacity)
                .count()
                >= 2
        );
        for d in &p.dispatches {
            for r in &d.resources {
                if let Res::Image {
                    buffer,
                    offset,
                    size,
                } = *r
                {
                    assert!(size <= LAVAPIPE.max_binding && offset % 16 == 0);
                    assert!(offset + size <= p.buffers[buffer]);
                }
            }
            assert!(d.groups[0] <= LAVAPIPE.max_groups && d.groups[1] <= LAVAPIPE.max_groups);
        }
    }

    #[test]
    fn intermediate_buffers_are_reused() {
        let steps = [
            Step::Opacity { opacity: 0.5 },
            Step::Underlay { color: Rgba::WHITE },
            Step::Opacity { opacity: 0.5 },
            Step::Underlay { color: Rgba::WHITE },
        ];
        let p = plan(64, 64, &steps, LAVAPIPE).unwrap();
        assert_eq!(p.buffers.len(), 2);
    }

    #[test]
    fn invalid_source_rectangles_are_rejected() {
        let steps = [Step::Resample {
            src: [30.0, 0.0, 20.0, 10.0],
            width: 5,
            height: 5,
            filter: Filter::Bicubic,
        }];
        assert!(matches!(
            plan(40, 10, &steps, LAVAPIPE),
            Err(EngineError::InvalidStep("resample", _))
        ));
    }

    #[test]
    fn dispatch_counts_respect_the_workgroup_limit() {
        let tiny = Limits {
            max_groups: 4,
            ..LAVAPIPE
        };
        let p = plan(2000, 3, &[Step::Opacity { opacity: 0.5 }], tiny).unwrap();
        assert_eq!(p.dispatches[0].groups, [4, 1]);
    }
}
