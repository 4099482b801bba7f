//! The CPU executor's `resample` step (GPU: `resize_h` + `resize_v`): fast_image_resize's
//! convolution (SIMD, rows split over rayon) on premultiplied RGBA.
//!
//! Memory, for a 12 MP source with alpha (the load bench's PNG cropped and turned):
//! fast_image_resize premultiplies the whole source into a scratch buffer that its `Resizer`
//! keeps, 48 MB per thread that ever resampled such an image. So:
//!
//! - A render that owns its source (`resample_owned`: no other render shares the decode)
//!   premultiplies, in place, only the window the convolution reads (the source rectangle
//!   widened by the kernel's reach), converts without alpha handling and divides the output's
//!   alpha itself: the same operations on the same values, so the same bytes, with no copy.
//! - `Resizer`s (their scratch: the first pass's output, 14 MB for 3000 x 2250 to 1600 wide)
//!   are kept in one list, at most one per core, instead of one per thread.

use super::{EngineError, Filter, Image};
use fast_image_resize as fr;
use std::sync::Mutex;

/// Cubic with B = 0, C = 1 (`resMode=bisharp`; the GPU's tables use it too).
pub(crate) fn bicubic_sharper(x: f64) -> f64 {
    let x = x.abs();
    if x < 1.0 {
        x * x * x - 2.0 * x * x + 1.0
    } else if x < 2.0 {
        -x * x * x + 5.0 * x * x - 8.0 * x + 4.0
    } else {
        0.0
    }
}

/// The kernel and its support radius (source pixels, before widening for a shrink).
fn filter_type(f: Filter) -> (fr::FilterType, f64) {
    match f {
        Filter::Bilinear => (fr::FilterType::Bilinear, 1.0),
        Filter::Bicubic => (fr::FilterType::CatmullRom, 2.0),
        Filter::Lanczos3 => (fr::FilterType::Lanczos3, 3.0),
        Filter::BicubicSharper => (
            fr::FilterType::Custom(
                fr::Filter::new("bicubic_sharper", bicubic_sharper, 2.0)
                    .expect("valid filter support"),
            ),
            2.0,
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
    let job = Job::new(img, src, width, height, filter)?;
    job.run(img, !img.is_opaque())
}

/// `resample` of an image no one else holds: its pixels in the window the kernel reads are
/// premultiplied in place (module docs); the result is `resample`'s, byte for byte.
pub fn resample_owned(
    mut img: Image,
    src: [f64; 4],
    width: u32,
    height: u32,
    filter: Filter,
) -> Result<Image, EngineError> {
    let job = Job::new(&img, src, width, height, filter)?;
    if img.is_opaque() || job.is_copy() {
        return job.run(&img, false);
    }
    let md = fr::MulDiv::default();
    let [x0, y0, x1, y1] = job.window(img.width, img.height);
    let (iw, ih) = (img.width, img.height);
    let mut whole = fr::images::Image::from_slice_u8(iw, ih, &mut img.data, fr::PixelType::U8x4)
        .map_err(fault)?;
    let mut window =
        fr::images::CroppedImageMut::new(&mut whole, x0, y0, x1 - x0, y1 - y0).map_err(fault)?;
    md.multiply_alpha_inplace(&mut window).map_err(fault)?;
    let mut out = job.run(&img, false)?;
    let mut dst =
        fr::images::Image::from_slice_u8(out.width, out.height, &mut out.data, fr::PixelType::U8x4)
            .map_err(fault)?;
    md.divide_alpha_inplace(&mut dst).map_err(fault)?;
    Ok(out)
}

/// A fast_image_resize error as the step's fault.
fn fault(e: impl std::fmt::Display) -> EngineError {
    EngineError::InvalidStep("resample", e.to_string())
}

/// A checked resample request.
struct Job {
    src: [f64; 4],
    width: u32,
    height: u32,
    filter: Filter,
}

impl Job {
    fn new(
        img: &Image,
        src: [f64; 4],
        width: u32,
        height: u32,
        filter: Filter,
    ) -> Result<Job, EngineError> {
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
        let src = [
            x,
            y,
            w.min(img.width as f64 - x),
            h.min(img.height as f64 - y),
        ];
        Ok(Job {
            src,
            width,
            height,
            filter,
        })
    }

    /// Whether fast_image_resize copies the pixels instead of convolving (a whole-pixel
    /// rectangle of the output's size): no alpha handling then.
    fn is_copy(&self) -> bool {
        let [x, y, w, h] = self.src;
        [x, y, w, h].iter().all(|v| v.fract() == 0.0)
            && (w, h) == (f64::from(self.width), f64::from(self.height))
    }

    /// The source pixels `[x0, y0, x1, y1)` the convolution can read: the rectangle widened by
    /// the kernel's radius (support, times the scale when shrinking, as fast_image_resize's
    /// `precompute_coefficients` widens it), plus a pixel for rounding, within the image.
    fn window(&self, iw: u32, ih: u32) -> [u32; 4] {
        let support = filter_type(self.filter).1;
        let [x, y, w, h] = self.src;
        let reach = |len: f64, out: u32| support * (len / f64::from(out)).max(1.0) + 1.0;
        let (rx, ry) = (reach(w, self.width), reach(h, self.height));
        let lo = |v: f64, r: f64| (v - r).floor().max(0.0) as u32;
        let hi = |v: f64, r: f64, max: u32| ((v + r).ceil().max(0.0) as u32).min(max);
        [lo(x, rx), lo(y, ry), hi(x + w, rx, iw), hi(y + h, ry, ih)]
    }

    /// The convolution, with fast_image_resize premultiplying (`alpha`) or not.
    fn run(&self, img: &Image, alpha: bool) -> Result<Image, EngineError> {
        let src_img =
            fr::images::ImageRef::new(img.width, img.height, &img.data, fr::PixelType::U8x4)
                .map_err(fault)?;
        let (width, height) = (self.width, self.height);
        // Every output byte is written, so a reused buffer will do (`crate::buffers`).
        let buf = crate::buffers::take(width as usize * height as usize * 4);
        let mut dst = fr::images::Image::from_vec_u8(width, height, buf, fr::PixelType::U8x4)
            .map_err(fault)?;
        let [x, y, w, h] = self.src;
        let opts = fr::ResizeOptions::new()
            .resize_alg(fr::ResizeAlg::Convolution(filter_type(self.filter).0))
            .crop(x, y, w, h)
            .use_alpha(alpha);
        with_resizer(|r| {
            let out = r.resize(&src_img, &mut dst, &opts);
            if alpha {
                // Its premultiplied copy of the whole source is not worth keeping.
                r.reset_internal_buffers();
            }
            out
        })
        .map_err(fault)?;
        Ok(Image {
            width,
            height,
            data: dst.into_vec(),
        })
    }
}

/// Kept `Resizer`s (module docs).
static RESIZERS: Mutex<Vec<fr::Resizer>> = Mutex::new(Vec::new());

/// Runs `f` with a kept `Resizer` (or a new one) and keeps it afterwards if fewer than one per
/// core are kept.
fn with_resizer<T>(f: impl FnOnce(&mut fr::Resizer) -> T) -> T {
    let kept = || RESIZERS.lock().unwrap_or_else(|e| e.into_inner());
    let mut r = kept().pop().unwrap_or_default();
    let out = f(&mut r);
    // `available_parallelism` reads cgroup files on Linux: once is enough.
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut k = kept();
    if k.len() < cores {
        k.push(r);
    }
    out
}

/// Drops the kept `Resizer`s and their scratch buffers (housekeeping, when the service is idle).
pub fn release() {
    let dropped = std::mem::take(&mut *RESIZERS.lock().unwrap_or_else(|e| e.into_inner()));
    drop(dropped);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Noise with every kind of alpha: transparent, opaque, and in between.
    fn noisy(w: u32, h: u32) -> Image {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let data = (0..w * h * 4)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                match (i % 4, s % 5) {
                    (3, 0) => 0,
                    (3, 1) => 255,
                    _ => (s >> 32) as u8,
                }
            })
            .collect();
        Image {
            width: w,
            height: h,
            data,
        }
    }

    #[test]
    fn premultiplying_in_place_gives_the_same_bytes() {
        let img = noisy(97, 61);
        let cases: [([f64; 4], u32, u32); 7] = [
            ([0.0, 0.0, 97.0, 61.0], 40, 30),
            ([10.5, 7.25, 50.3, 33.1], 20, 15),
            ([10.5, 7.25, 50.3, 33.1], 120, 80),
            ([5.0, 5.0, 30.0, 20.0], 30, 20),
            ([60.0, 40.0, 37.0, 21.0], 12, 7),
            ([0.0, 0.0, 97.0, 61.0], 3, 2),
            ([33.3, 0.0, 1.5, 61.0], 9, 200),
        ];
        let filters = [
            Filter::Bilinear,
            Filter::Bicubic,
            Filter::Lanczos3,
            Filter::BicubicSharper,
        ];
        for (src, w, h) in cases {
            for f in filters {
                let want = resample(&img, src, w, h, f).unwrap();
                let got = resample_owned(img.clone(), src, w, h, f).unwrap();
                assert_eq!(got, want, "{src:?} -> {w}x{h} {f:?}");
            }
        }
    }

    #[test]
    fn the_window_holds_every_tap() {
        // Outside the window the source is garbage: the result must not change.
        let img = noisy(97, 61);
        let (src, w, h) = ([20.25, 10.5, 40.0, 30.0], 30, 20);
        let job = Job::new(&img, src, w, h, Filter::Lanczos3).unwrap();
        let [x0, y0, x1, y1] = job.window(97, 61);
        assert!(
            x0 > 0 && y0 > 0 && x1 < 97 && y1 < 61,
            "{:?}",
            [x0, y0, x1, y1]
        );
        let mut spoiled = img.clone();
        for y in 0..61 {
            for x in 0..97 {
                if x < x0 || x >= x1 || y < y0 || y >= y1 {
                    let i = (y * 97 + x) as usize * 4;
                    spoiled.data[i..i + 4].copy_from_slice(&[255, 0, 255, 128]);
                }
            }
        }
        let want = resample(&img, src, w, h, Filter::Lanczos3).unwrap();
        assert_eq!(
            resample(&spoiled, src, w, h, Filter::Lanczos3).unwrap(),
            want
        );
        assert_eq!(
            resample_owned(spoiled, src, w, h, Filter::Lanczos3).unwrap(),
            want
        );
    }

    #[test]
    fn bad_rectangles_are_refused() {
        let img = noisy(10, 10);
        for src in [
            [-1.0, 0.0, 5.0, 5.0],
            [0.0, 0.0, 11.0, 5.0],
            [0.0, 0.0, 0.0, 5.0],
        ] {
            assert!(resample(&img, src, 4, 4, Filter::Bicubic).is_err());
            assert!(resample_owned(img.clone(), src, 4, 4, Filter::Bicubic).is_err());
        }
        assert!(resample(&img, [0.0, 0.0, 5.0, 5.0], 0, 4, Filter::Bicubic).is_err());
    }
}
