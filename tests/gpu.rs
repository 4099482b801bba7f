//! GPU executor against the CPU executor (its twin), step by step and for whole plans, on
//! fixtures generated here. Runs on any Vulkan adapter, software ones included (lavapipe in CI).
//!
//! `IPSD_SKIP_GPU_TESTS=1` skips them; without an adapter they pass with a printed line unless
//! `IPSD_REQUIRE_GPU=1`, which makes a missing adapter a failure. Failing comparisons write
//! `target/gpu-tests/<name>-{actual,expected,diff}.png`.
//!
//! Tolerances are per step (`Tol`): the largest difference of a premultiplied channel
//! (colour × alpha / 255, and alpha; straight colour of a nearly transparent pixel says little)
//! and the share of pixels that differ at all. `resample`, nearest `affine` and `opacity` are
//! exact: the GPU runs fast_image_resize's own integer arithmetic.

use ipsd::engine::cpu::CpuExecutor;
use ipsd::engine::gpu::shaders::{Binding, ShaderId, BAND_LAYOUT, SHADERS};
use ipsd::engine::gpu::{GpuExecutor, GpuOptions};
use ipsd::engine::{cpu, ColorOp, Executor, Filter, Image, Noise, Rgba, Sampling, Step, Usm};
use std::sync::OnceLock;
use wgpu::naga;

// ---- adapter handling ----------------------------------------------------------------------

fn gpu() -> Option<&'static GpuExecutor> {
    static GPU: OnceLock<Option<GpuExecutor>> = OnceLock::new();
    GPU.get_or_init(|| open(None)).as_ref()
}

/// A second executor that splits every image into bindings of at most 16 KiB.
fn tiled_gpu() -> Option<&'static GpuExecutor> {
    static GPU: OnceLock<Option<GpuExecutor>> = OnceLock::new();
    GPU.get_or_init(|| open(Some(16 << 10))).as_ref()
}

fn open(max_binding: Option<u64>) -> Option<GpuExecutor> {
    if std::env::var("IPSD_SKIP_GPU_TESTS").is_ok_and(|v| v == "1") {
        println!("skipping GPU tests: IPSD_SKIP_GPU_TESTS=1");
        return None;
    }
    match GpuExecutor::new(GpuOptions {
        allow_software: true,
    }) {
        Ok(g) => {
            println!(
                "GPU tests on {} (software: {})",
                g.describe(),
                g.is_software()
            );
            Some(match max_binding {
                Some(b) => g.with_max_binding_size(b),
                None => g,
            })
        }
        Err(e) if std::env::var("IPSD_REQUIRE_GPU").is_ok_and(|v| v == "1") => {
            panic!("no usable GPU adapter and IPSD_REQUIRE_GPU=1: {e}")
        }
        Err(e) => {
            println!("skipping GPU tests: no Vulkan adapter (set IPSD_REQUIRE_GPU=1 to fail instead) [{e}]");
            None
        }
    }
}

// ---- fixtures --------------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 32) as u32
    }
}

/// Photo-like: smooth colour fields, blobs, edges and noise; `alpha` adds a transparency
/// gradient with fully transparent and fully opaque regions.
fn photo(w: u32, h: u32, alpha: bool, seed: u64) -> Image {
    let mut rng = Rng(seed | 1);
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    let (fw, fh) = (w.max(2) as f32, h.max(2) as f32);
    for y in 0..h {
        for x in 0..w {
            let (u, v) = (x as f32 / fw, y as f32 / fh);
            let blob = ((u * 9.0).sin() * (v * 7.0).cos() * 0.5 + 0.5) * 255.0;
            let edge = if (x / 13 + y / 11) % 2 == 0 {
                40.0
            } else {
                0.0
            };
            let n = (rng.next() % 41) as f32 - 20.0;
            let c = |base: f32| (base + n + edge).clamp(0.0, 255.0) as u8;
            let a = if !alpha {
                255
            } else if u < 0.15 {
                0
            } else if u > 0.85 {
                255
            } else {
                ((v * 255.0 + n * 2.0).clamp(0.0, 255.0)) as u8
            };
            data.extend_from_slice(&[c(u * 255.0), c(blob), c(v * 200.0), a]);
        }
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

fn gradient(w: u32, h: u32) -> Image {
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let gx = (x * 255 / w.max(2).saturating_sub(1).max(1)) as u8;
            let gy = (y * 255 / h.max(2).saturating_sub(1).max(1)) as u8;
            data.extend_from_slice(&[gx, gy, 255 - gx, 128u8.wrapping_add(gy / 2)]);
        }
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

/// Named fixtures: photo-like with and without alpha, gradients, odd and extreme sizes.
fn fixtures() -> Vec<(&'static str, Image)> {
    vec![
        ("photo_alpha", photo(173, 131, true, 1)),
        ("photo", photo(160, 97, false, 2)),
        ("gradient", gradient(64, 48)),
        ("1x1", photo(1, 1, true, 3)),
        ("1x9", photo(1, 9, true, 4)),
        ("9x1", photo(9, 1, false, 5)),
        ("3x7", photo(3, 7, true, 6)),
        ("2000x3", photo(2000, 3, true, 7)),
        ("3x700", photo(3, 700, false, 8)),
    ]
}

const FILTERS: [Filter; 4] = [
    Filter::Bilinear,
    Filter::Bicubic,
    Filter::Lanczos3,
    Filter::BicubicSharper,
];

// ---- comparison ------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
struct Tol {
    /// Largest premultiplied channel difference.
    max_diff: u8,
    /// Share of pixels (0..1) with any difference.
    max_share: f64,
}

const EXACT: Tol = Tol {
    max_diff: 0,
    max_share: 0.0,
};
/// `affine` bilinear: q = m·p in f32 on the GPU, f64 on the CPU.
const AFFINE_BILINEAR: Tol = Tol {
    max_diff: 1,
    max_share: 0.01,
};
/// `underlay`: f32 division may differ by an ulp, a rare ±1 after rounding.
const UNDERLAY: Tol = Tol {
    max_diff: 1,
    max_share: 0.005,
};
/// The `op_*` colour kernels: the same f32 formula on both sides, rounded once; the GPU's
/// division (2.5 ulp in Vulkan) and fused multiply-adds can move a value across a rounding
/// boundary, a rare ±1.
const COLOR: Tol = Tol {
    max_diff: 1,
    max_share: 0.01,
};
/// `op_hue` and `op_saturation`: the HSL round trip has several divisions and comparisons
/// (hue sextants), so a ±1 is more frequent on gradients.
const HSL: Tol = Tol {
    max_diff: 1,
    max_share: 0.03,
};
/// Plans with a bilinear affine step among others.
const PLAN: Tol = Tol {
    max_diff: 2,
    max_share: 0.01,
};

fn premul(p: &[u8]) -> [i32; 4] {
    let a = p[3] as i32;
    [
        (p[0] as i32 * a + 127) / 255,
        (p[1] as i32 * a + 127) / 255,
        (p[2] as i32 * a + 127) / 255,
        a,
    ]
}

/// Compares, and on failure writes the PNGs and panics with the numbers.
fn check(name: &str, actual: &Image, expected: &Image, tol: Tol) {
    assert_eq!(
        (actual.width, actual.height),
        (expected.width, expected.height),
        "{name}: size"
    );
    let mut max = 0;
    let mut differing = 0usize;
    let mut diff = Vec::with_capacity(actual.data.len());
    for (a, e) in actual
        .data
        .chunks_exact(4)
        .zip(expected.data.chunks_exact(4))
    {
        let (pa, pe) = (premul(a), premul(e));
        let d: Vec<i32> = (0..4).map(|i| (pa[i] - pe[i]).abs()).collect();
        let m = *d.iter().max().unwrap_or(&0);
        let raw_equal = tol.max_diff > 0 || a == e;
        max = max.max(if raw_equal { m } else { m.max(1) });
        differing += usize::from(m > 0 || !raw_equal);
        diff.extend(d.iter().take(3).map(|v| (v * 64).min(255) as u8));
        diff.push(255);
    }
    let pixels = (actual.width as usize * actual.height as usize).max(1);
    let share = differing as f64 / pixels as f64;
    if max > tol.max_diff as i32 || share > tol.max_share {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/gpu-tests");
        std::fs::create_dir_all(&dir).ok();
        let save = |suffix: &str, img: &Image, data: Vec<u8>| {
            if let Some(buf) = image::RgbaImage::from_raw(img.width, img.height, data) {
                let _ = buf.save(dir.join(format!("{name}-{suffix}.png")));
            }
        };
        save("actual", actual, actual.data.clone());
        save("expected", expected, expected.data.clone());
        save("diff", actual, diff);
        panic!("{name}: max premultiplied difference {max} (allowed {}), {differing} of {pixels} pixels differ ({:.4}%, allowed {:.4}%); images in {}", tol.max_diff, share * 100.0, tol.max_share * 100.0, dir.display());
    }
}

/// Runs `steps` on both executors and compares.
fn compare(g: &GpuExecutor, name: &str, img: &Image, steps: &[Step], tol: Tol) {
    let expected =
        cpu::run_steps(img.clone(), steps).unwrap_or_else(|e| panic!("{name}: cpu: {e}"));
    let actual = g
        .run_blocking(img.clone(), steps)
        .unwrap_or_else(|e| panic!("{name}: gpu: {e}"));
    check(name, &actual, &expected, tol);
}

fn resample(src: [f64; 4], width: u32, height: u32, filter: Filter) -> Step {
    Step::Resample {
        src,
        width,
        height,
        filter,
    }
}

fn scaled(n: u32, f: f64) -> u32 {
    ((n as f64 * f).round() as u32).max(1)
}

// ---- resample ----------------------------------------------------------------------------------

#[test]
fn resample_gpu_matches_cpu() {
    let Some(g) = gpu() else { return };
    for (fx, img) in fixtures() {
        let (w, h) = (img.width as f64, img.height as f64);
        let cases = [
            (
                "down",
                [0.0, 0.0, w, h],
                scaled(img.width, 0.37),
                scaled(img.height, 0.41),
            ),
            (
                "up",
                [0.0, 0.0, w, h],
                scaled(img.width, 2.3),
                scaled(img.height, 1.7),
            ),
            (
                "frac_down",
                [w * 0.13, h * 0.21, w * 0.7, h * 0.6],
                scaled(img.width, 0.29),
                scaled(img.height, 0.33),
            ),
            (
                "frac_up",
                [w * 0.25, h * 0.125, w * 0.5, h * 0.75],
                scaled(img.width, 1.9),
                scaled(img.height, 2.2),
            ),
        ];
        for (case, src, ow, oh) in cases {
            for f in FILTERS {
                let name = format!("resample-{f:?}-{fx}-{case}");
                compare(g, &name, &img, &[resample(src, ow, oh, f)], EXACT);
            }
        }
    }
}

#[test]
fn resize_v_gpu_matches_cpu() {
    // Width and horizontal offset unchanged: only the vertical pass runs.
    let Some(g) = gpu() else { return };
    for (fx, img) in fixtures() {
        let (w, h) = (img.width, img.height as f64);
        for f in FILTERS {
            let steps = [resample(
                [0.0, h * 0.1, w as f64, h * 0.8],
                w,
                scaled(img.height, 0.6),
                f,
            )];
            compare(g, &format!("resize_v-{f:?}-{fx}"), &img, &steps, EXACT);
        }
    }
}

#[test]
fn resize_h_gpu_matches_cpu() {
    // Height and vertical offset unchanged: only the horizontal pass runs.
    let Some(g) = gpu() else { return };
    for (fx, img) in fixtures() {
        let (w, h) = (img.width as f64, img.height);
        for f in FILTERS {
            let steps = [resample(
                [w * 0.05, 0.0, w * 0.9, h as f64],
                scaled(img.width, 1.4),
                h,
                f,
            )];
            compare(g, &format!("resize_h-{f:?}-{fx}"), &img, &steps, EXACT);
        }
    }
}

#[test]
fn resample_integer_crop_is_a_copy() {
    let Some(g) = gpu() else { return };
    let img = photo(50, 40, true, 9);
    let steps = [resample([3.0, 5.0, 20.0, 30.0], 20, 30, Filter::Lanczos3)];
    compare(g, "resample-crop", &img, &steps, EXACT);
    let whole = [resample([0.0, 0.0, 50.0, 40.0], 50, 40, Filter::Bicubic)];
    compare(g, "resample-identity", &img, &whole, EXACT);
}

#[test]
fn is_opaque_gpu_matches_cpu() {
    // The premultiply decision follows the step's input, an intermediate that stays on the GPU:
    // an opaque source made transparent by `affine` fill or by `opacity` is premultiplied.
    let Some(g) = gpu() else { return };
    let img = photo(90, 70, false, 10);
    let pad = Step::Affine {
        m: [1.0, 0.0, -10.0, 0.0, 1.0, -10.0],
        width: 110,
        height: 90,
        fill: Rgba::TRANSPARENT,
        sampling: Sampling::Nearest,
    };
    let down = resample([0.0, 0.0, 110.0, 90.0], 47, 33, Filter::Lanczos3);
    compare(g, "is_opaque-affine_fill", &img, &[pad, down], EXACT);
    let fade = Step::Opacity { opacity: 0.6 };
    compare(
        g,
        "is_opaque-opacity",
        &img,
        &[
            fade,
            resample([0.0, 0.0, 90.0, 70.0], 40, 31, Filter::Bicubic),
        ],
        EXACT,
    );
    compare(
        g,
        "is_opaque-opaque",
        &img,
        &[resample([0.0, 0.0, 90.0, 70.0], 40, 31, Filter::Bicubic)],
        EXACT,
    );
}

// ---- affine, underlay, opacity -------------------------------------------------------------

fn rotation(deg: f64, w: u32, h: u32, ow: u32, oh: u32) -> [f64; 6] {
    // Output centre maps to input centre; m is the inverse rotation (output -> input).
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let (ox, oy) = (ow as f64 / 2.0, oh as f64 / 2.0);
    [c, s, cx - c * ox - s * oy, -s, c, cy + s * ox - c * oy]
}

#[test]
fn affine_gpu_matches_cpu() {
    let Some(g) = gpu() else { return };
    let fill = Rgba {
        r: 200,
        g: 30,
        b: 90,
        a: 160,
    };
    for (fx, img) in fixtures() {
        let (w, h) = (img.width, img.height);
        let (wf, hf) = (w as f64, h as f64);
        let nearest = |m, width, height| Step::Affine {
            m,
            width,
            height,
            fill,
            sampling: Sampling::Nearest,
        };
        let bilinear = |m, width, height| Step::Affine {
            m,
            width,
            height,
            fill,
            sampling: Sampling::Bilinear,
        };
        let cases = [
            (
                "flip_h",
                nearest([-1.0, 0.0, wf, 0.0, 1.0, 0.0], w, h),
                EXACT,
            ),
            (
                "flip_v",
                nearest([1.0, 0.0, 0.0, 0.0, -1.0, hf], w, h),
                EXACT,
            ),
            (
                "rot90",
                nearest([0.0, 1.0, 0.0, -1.0, 0.0, hf], h, w),
                EXACT,
            ),
            (
                "translate",
                nearest([1.0, 0.0, -7.0, 0.0, 1.0, 4.0], w + 5, h + 3),
                EXACT,
            ),
            (
                "translate_frac",
                bilinear([1.0, 0.0, -2.5, 0.0, 1.0, 1.25], w + 5, h + 3),
                AFFINE_BILINEAR,
            ),
            (
                "rot37",
                bilinear(rotation(37.0, w, h, w + 9, h + 9), w + 9, h + 9),
                AFFINE_BILINEAR,
            ),
        ];
        for (case, step, tol) in cases {
            compare(g, &format!("affine-{case}-{fx}"), &img, &[step], tol);
        }
    }
}

#[test]
fn underlay_gpu_matches_cpu() {
    let Some(g) = gpu() else { return };
    let colors = [
        Rgba::WHITE,
        Rgba::rgb(12, 200, 99),
        Rgba {
            r: 255,
            g: 0,
            b: 0,
            a: 100,
        },
        Rgba::TRANSPARENT,
    ];
    for (fx, img) in fixtures() {
        for (i, color) in colors.iter().enumerate() {
            compare(
                g,
                &format!("underlay-{i}-{fx}"),
                &img,
                &[Step::Underlay { color: *color }],
                UNDERLAY,
            );
        }
    }
}

#[test]
fn opacity_gpu_matches_cpu() {
    let Some(g) = gpu() else { return };
    for (fx, img) in fixtures() {
        for o in [0.0, 0.37, 0.5, 1.0, 1.5] {
            compare(
                g,
                &format!("opacity-{o}-{fx}"),
                &img,
                &[Step::Opacity { opacity: o }],
                EXACT,
            );
        }
    }
}

// ---- colour commands -----------------------------------------------------------------------

fn color_matches(ops: &[ColorOp], tol: Tol) {
    let Some(g) = gpu() else { return };
    for (fx, img) in fixtures() {
        for op in ops {
            compare(
                g,
                &format!("{}-{op:?}-{fx}", op.name()),
                &img,
                &[Step::Color(*op)],
                tol,
            );
        }
    }
}

#[test]
fn op_invert_gpu_matches_cpu() {
    color_matches(&[ColorOp::Invert], COLOR);
}

#[test]
fn op_brightness_gpu_matches_cpu() {
    color_matches(&[-100, -37, 1, 50, 100].map(ColorOp::Brightness), COLOR);
}

#[test]
fn op_contrast_gpu_matches_cpu() {
    color_matches(&[-100, -50, 13, 60, 99, 100].map(ColorOp::Contrast), COLOR);
}

#[test]
fn op_colorbalance_gpu_matches_cpu() {
    color_matches(
        &[[100, 0, 0], [-100, 50, -13], [7, -100, 100]].map(ColorOp::ColorBalance),
        COLOR,
    );
}

#[test]
fn op_colorize_gpu_matches_cpu() {
    let z = |rgb, norm, contrast| ColorOp::Colorize {
        rgb,
        norm,
        contrast,
    };
    let ops = [
        z([160, 176, 192], true, 0.0),
        z([255, 0, 0], true, 100.0),
        z([20, 200, 90], false, 50.0),
        z([0, 0, 0], true, 30.0),
    ];
    color_matches(&ops, HSL);
    // The histogram over many bands.
    if let Some(t) = tiled_gpu() {
        let img = photo(300, 211, true, 12);
        compare(t, "tiled-colorize", &img, &[Step::Color(ops[1])], HSL);
    }
}

#[test]
fn op_saturation_gpu_matches_cpu() {
    color_matches(&[-100, -60, 25, 100].map(ColorOp::Saturation), HSL);
}

#[test]
fn op_hue_gpu_matches_cpu() {
    color_matches(&[-180, -90, 17, 120, 180].map(ColorOp::Hue), HSL);
}

/// The colour commands after a resample, in one job (one upload, one readback), also tiled.
#[test]
fn color_plan_gpu_matches_cpu() {
    let Some(g) = gpu() else { return };
    for (fx, img) in fixtures() {
        let (w, h) = (img.width, img.height);
        let steps = [
            resample(
                [0.0, 0.0, w as f64, h as f64],
                scaled(w, 0.6),
                scaled(h, 0.6),
                Filter::Lanczos3,
            ),
            Step::Color(ColorOp::Brightness(20)),
            Step::Color(ColorOp::ColorBalance([30, -20, 0])),
            Step::Color(ColorOp::Hue(-40)),
            Step::Color(ColorOp::Saturation(-30)),
            Step::Color(ColorOp::Invert),
        ];
        compare(g, &format!("color-plan-{fx}"), &img, &steps, PLAN);
        // 16 KiB bindings hold rows of at most 4096 bytes in and out.
        if let Some(t) = tiled_gpu().filter(|_| w <= 1000) {
            compare(t, &format!("color-plan-tiled-{fx}"), &img, &steps, PLAN);
        }
    }
}

// ---- plans, tiling, batching, large images -------------------------------------------------

fn plan_steps(w: u32, h: u32) -> Vec<Step> {
    vec![
        Step::Affine {
            m: rotation(37.0, w, h, w, h),
            width: w,
            height: h,
            fill: Rgba::TRANSPARENT,
            sampling: Sampling::Bilinear,
        },
        resample(
            [
                w as f64 * 0.1,
                h as f64 * 0.1,
                w as f64 * 0.8,
                h as f64 * 0.75,
            ],
            scaled(w, 0.45),
            scaled(h, 0.5),
            Filter::Lanczos3,
        ),
        Step::Opacity { opacity: 0.8 },
        Step::Affine {
            m: [-1.0, 0.0, scaled(w, 0.45) as f64, 0.0, 1.0, 0.0],
            width: scaled(w, 0.45),
            height: scaled(h, 0.5),
            fill: Rgba::WHITE,
            sampling: Sampling::Nearest,
        },
        Step::Underlay {
            color: Rgba::rgb(240, 240, 230),
        },
    ]
}

#[test]
fn plan_gpu_matches_cpu() {
    let Some(g) = gpu() else { return };
    for (fx, img) in fixtures()
        .into_iter()
        .filter(|(_, i)| i.width > 2 && i.height > 2)
    {
        compare(
            g,
            &format!("plan-{fx}"),
            &img,
            &plan_steps(img.width, img.height),
            PLAN,
        );
    }
}

#[test]
fn tiled_gpu_matches_cpu() {
    // 16 KiB bindings: every kernel runs in many bands, `affine` in tiles.
    let Some(g) = tiled_gpu() else { return };
    let img = photo(300, 211, true, 11);
    let rot90 = Step::Affine {
        m: [0.0, 1.0, 0.0, -1.0, 0.0, 211.0],
        width: 211,
        height: 300,
        fill: Rgba::TRANSPARENT,
        sampling: Sampling::Nearest,
    };
    compare(g, "tiled-affine-rot90", &img, &[rot90], EXACT);
    compare(
        g,
        "tiled-resample",
        &img,
        &[resample(
            [10.5, 3.25, 250.0, 200.0],
            123,
            301,
            Filter::Bicubic,
        )],
        EXACT,
    );
    compare(
        g,
        "tiled-opacity",
        &img,
        &[Step::Opacity { opacity: 0.3 }],
        EXACT,
    );
    compare(g, "tiled-plan", &img, &plan_steps(300, 211), PLAN);
}

#[test]
fn concurrent_jobs_are_batched_and_correct() {
    let Some(g) = gpu() else { return };
    std::thread::scope(|s| {
        for i in 0..8u32 {
            s.spawn(move || {
                let img = photo(40 + i * 7, 30 + i * 3, i % 2 == 0, 100 + i as u64);
                let steps = [
                    resample(
                        [0.0, 0.0, img.width as f64, img.height as f64],
                        25 + i,
                        19,
                        FILTERS[i as usize % 4],
                    ),
                    Step::Opacity { opacity: 0.9 },
                ];
                compare(g, &format!("batch-{i}"), &img, &steps, EXACT);
            });
        }
    });
}

#[test]
fn executor_trait_runs_on_tokio() {
    let Some(g) = gpu() else { return };
    assert!(g.describe().starts_with("gpu ("), "{}", g.describe());
    assert_eq!(g.describe(), format!("gpu ({})", g.adapter_name()));
    if g.is_software() {
        // Production never picks a software adapter unless told to.
        let hw = GpuExecutor::new(GpuOptions {
            allow_software: false,
        });
        assert!(hw.map(|h| !h.is_software()).unwrap_or(true));
    }
    let img = photo(33, 21, true, 12);
    let steps = vec![
        Step::Underlay { color: Rgba::WHITE },
        resample([0.0, 0.0, 33.0, 21.0], 12, 9, Filter::Bicubic),
    ];
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    let shared = std::sync::Arc::new(img.clone());
    let (gpu_out, cpu_out, from_shared) = rt.block_on(async {
        let a = g.run(img.clone(), steps.clone());
        let b = CpuExecutor.run(img.clone(), steps.clone());
        let c = g.run_shared(shared.clone(), steps.clone());
        (a.await, b.await, c.await)
    });
    let gpu_out = gpu_out.expect("gpu");
    check("executor-trait", &gpu_out, &cpu_out.expect("cpu"), UNDERLAY);
    // Shared pixels (another holder keeps them) are uploaded as they are and left untouched.
    assert_eq!(from_shared.expect("gpu from shared pixels"), gpu_out);
    assert_eq!(*shared, img);
    // Zero-area images and empty plans never reach the device.
    let empty = Step::Affine {
        m: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        width: 0,
        height: 5,
        fill: Rgba::WHITE,
        sampling: Sampling::Nearest,
    };
    assert!(g.run_blocking(img.clone(), &[empty]).is_err());
    assert_eq!(g.run_blocking(img.clone(), &[]).expect("no steps"), img);
    let bad = resample([30.0, 0.0, 20.0, 21.0], 5, 5, Filter::Bicubic);
    assert!(g.run_blocking(img, &[bad]).is_err());
}

#[test]
fn large_image_gpu_matches_cpu() {
    // 8000×6000 = 192 MB of pixels, above lavapipe's 128 MiB binding limit: banded dispatches.
    let Some(g) = gpu() else { return };
    let img = photo(8000, 6000, true, 13);
    let steps = [
        Step::Opacity { opacity: 0.75 },
        resample([0.0, 0.0, 8000.0, 6000.0], 2000, 1500, Filter::Bicubic),
    ];
    compare(g, "large-8000x6000", &img, &steps, EXACT);
    let timed = g
        .run_timed(img, &[Step::Opacity { opacity: 0.5 }])
        .expect("timed");
    println!("8000x6000 opacity on {}: {:?}", g.adapter_name(), timed.1);
}

// ---- shader table --------------------------------------------------------------------------

fn wgsl_struct<'a>(module: &'a naga::Module, name: &str) -> (&'a [naga::StructMember], u32) {
    for (_, ty) in module.types.iter() {
        if let (Some(n), naga::TypeInner::Struct { members, span }) = (&ty.name, &ty.inner) {
            if n == name {
                return (members, *span);
            }
        }
    }
    panic!("struct {name} not found");
}

#[test]
fn shader_params_match_naga_reflection() {
    // No adapter needed: parses the sources the executor compiles.
    for id in ShaderId::ALL {
        let info = id.info();
        let module = naga::front::wgsl::parse_str(info.source)
            .unwrap_or_else(|e| panic!("{}: {}", info.name, e.emit_to_string(info.source)));
        for layout in [&info.params, &BAND_LAYOUT] {
            let (members, span) = wgsl_struct(&module, layout.wgsl_struct);
            assert_eq!(
                span as usize, layout.size,
                "{}: size of {}",
                info.name, layout.wgsl_struct
            );
            let wgsl: Vec<(String, usize)> = members
                .iter()
                .map(|m| (m.name.clone().unwrap_or_default(), m.offset as usize))
                .collect();
            let rust: Vec<(String, usize)> = layout
                .members
                .iter()
                .map(|(n, o)| (n.to_string(), *o))
                .collect();
            assert_eq!(
                wgsl, rust,
                "{}: members of {}",
                info.name, layout.wgsl_struct
            );
        }
        // Bindings: group 0, in the table's order, with the table's address spaces.
        let mut globals: Vec<(u32, Binding)> = module
            .global_variables
            .iter()
            .filter_map(|(_, v)| {
                let b = v.binding.as_ref()?;
                assert_eq!(b.group, 0, "{}", info.name);
                let kind = match v.space {
                    naga::AddressSpace::Uniform => Binding::Uniform,
                    naga::AddressSpace::Storage { access }
                        if access.contains(naga::StorageAccess::STORE) =>
                    {
                        Binding::StorageRw
                    }
                    naga::AddressSpace::Storage { .. } => Binding::Storage,
                    other => panic!("{}: unexpected address space {other:?}", info.name),
                };
                Some((b.binding, kind))
            })
            .collect();
        globals.sort_by_key(|(b, _)| *b);
        let expected: Vec<(u32, Binding)> = info
            .bindings
            .iter()
            .enumerate()
            .map(|(i, b)| (i as u32, *b))
            .collect();
        assert_eq!(globals, expected, "{}: bindings", info.name);
        assert_eq!(info.label, format!("ipsd.{}", info.name));
        assert!(
            module.entry_points.iter().any(|e| e.name == "main"),
            "{}: entry point main",
            info.name
        );
    }
    let names: Vec<&str> = SHADERS.iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            "resize_v",
            "resize_h",
            "affine",
            "underlay",
            "opacity",
            "is_opaque",
            "op_invert",
            "op_brightness",
            "op_contrast",
            "op_saturation",
            "op_hue",
            "op_colorbalance",
            "luma_hist",
            "op_colorize",
            "op_blur",
            "op_usm",
            "op_grow",
            "op_noise"
        ]
    );
}

// ---- neighbourhood filters and noise -------------------------------------------------------

/// `op_blur` and `op_usm`: the same weights and 16-bit intermediate, summed in a different
/// order (the CPU pairs symmetric taps) and with fused multiply-adds on the GPU, which can move
/// an intermediate by one step and a final value across a rounding boundary.
const FILTER: Tol = Tol {
    max_diff: 1,
    max_share: 0.02,
};

fn usm(amount: f32, sigma: f32, threshold: u8, mono: bool) -> Step {
    Step::Sharpen(Usm {
        amount,
        sigma,
        threshold,
        mono,
    })
}

fn noise(amount: u8, gaussian: bool, mono: bool) -> Step {
    Step::Noise(Noise {
        amount,
        gaussian,
        mono,
        seed: 0xfeed_beef,
    })
}

fn filter_matches(steps: &[Step], tol: Tol) {
    let Some(g) = gpu() else { return };
    for (fx, img) in fixtures() {
        for s in steps {
            compare(
                g,
                &format!("{}-{s:?}-{fx}", s.name()),
                &img,
                std::slice::from_ref(s),
                tol,
            );
        }
    }
}

#[test]
fn op_blur_gpu_matches_cpu() {
    filter_matches(
        &[0.3, 1.0, 2.5, 9.0].map(|sigma| Step::Blur { sigma }),
        FILTER,
    );
}

#[test]
fn op_usm_gpu_matches_cpu() {
    let steps = [
        usm(1.0, 0.5, 0, false),
        usm(5.0, 2.0, 0, false),
        usm(2.0, 3.0, 12, true),
        usm(0.7, 7.5, 255, false),
    ];
    filter_matches(&steps, FILTER);
}

#[test]
fn op_grow_gpu_matches_cpu() {
    filter_matches(
        &[1, -1, 4, -6, 20].map(|radius| Step::Grow { radius }),
        EXACT,
    );
}

#[test]
fn op_noise_gpu_matches_cpu() {
    let steps = [
        noise(1, false, false),
        noise(100, false, true),
        noise(35, true, false),
        noise(100, true, true),
    ];
    filter_matches(&steps, EXACT);
}

/// Filters after a resample in one job, also with the vertical passes split into bands.
#[test]
fn filter_plan_gpu_matches_cpu() {
    let Some(g) = gpu() else { return };
    let img = photo(100, 173, true, 21);
    let steps = [
        resample([3.5, 1.0, 90.0, 170.0], 80, 150, Filter::Bicubic),
        Step::Color(ColorOp::Contrast(30)),
        Step::Blur { sigma: 1.5 },
        Step::Grow { radius: 2 },
        noise(20, true, false),
        usm(1.5, 1.0, 3, false),
    ];
    compare(g, "filter-plan", &img, &steps, PLAN);
    if let Some(t) = tiled_gpu() {
        compare(t, "filter-plan-tiled", &img, &steps, PLAN);
    }
}

/// A large radius: many chunks per tile, and reach beyond the image on both sides.
#[test]
fn large_radius_gpu_matches_cpu() {
    let Some(g) = gpu() else { return };
    let img = photo(640, 480, false, 22);
    compare(
        g,
        "blur-sigma-40",
        &img,
        &[Step::Blur { sigma: 40.0 }],
        FILTER,
    );
    compare(g, "grow-90", &img, &[Step::Grow { radius: -90 }], EXACT);
    let tiny = photo(5, 3, true, 23);
    compare(
        g,
        "usm-wide-on-tiny",
        &tiny,
        &[usm(3.0, 30.0, 0, false)],
        FILTER,
    );
}
