//! Criterion benches per engine step on a 4000×3000 RGBA input, CPU and GPU.
//!
//! Ids: `<step>/cpu`, `<step>/gpu` (one whole job: upload, kernels, readback, as `run` does),
//! and `<step>/gpu_upload`, `<step>/gpu_dispatch`, `<step>/gpu_readback` (`run_timed`: each
//! phase submitted and waited for apart); `engine_<transform>/{cpu,gpu,gpu_dispatch}`: the engine
//! part of the load bench's transforms on a whole 4000×3000 input. The GPU benches use any adapter, software included,
//! so on a machine with only lavapipe they measure lavapipe: say so when quoting them.
//! `cargo bench --bench engine`; `IPSD_SKIP_GPU_TESTS=1` leaves the GPU out.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ipsd::engine::gpu::{GpuExecutor, GpuOptions, GpuTimings};
use ipsd::engine::{cpu, ColorOp, Filter, Image, Noise, Rgba, Sampling, Step, Usm};
use std::time::Duration;

const W: u32 = 4000;
const H: u32 = 3000;

/// Photo-like pixels with an alpha gradient (cheap to make, not compressible to nothing).
fn input() -> Image {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut data = Vec::with_capacity((W * H * 4) as usize);
    for y in 0..H {
        for x in 0..W {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed >> 59) as u8;
            let a = if x < W / 10 {
                0
            } else {
                (y * 255 / H) as u8 | 0x40
            };
            data.extend_from_slice(&[
                (x * 255 / W) as u8 ^ n,
                (y * 255 / H) as u8,
                ((x + y) / 31) as u8,
                a,
            ]);
        }
    }
    Image {
        width: W,
        height: H,
        data,
    }
}

/// One representative step per kernel family.
fn steps() -> Vec<(&'static str, Step)> {
    let (s, c) = 37f64.to_radians().sin_cos();
    let (cx, cy) = (W as f64 / 2.0, H as f64 / 2.0);
    vec![
        (
            "resample",
            Step::Resample {
                src: [0.0, 0.0, W as f64, H as f64],
                width: 1000,
                height: 750,
                filter: Filter::Bicubic,
            },
        ),
        (
            "affine",
            Step::Affine {
                m: [c, s, cx - c * cx - s * cy, -s, c, cy + s * cx - c * cy],
                width: W,
                height: H,
                fill: Rgba::WHITE,
                sampling: Sampling::Bilinear,
            },
        ),
        ("underlay", Step::Underlay { color: Rgba::WHITE }),
        ("opacity", Step::Opacity { opacity: 0.5 }),
        ("op_invert", Step::Color(ColorOp::Invert)),
        ("op_brightness", Step::Color(ColorOp::Brightness(30))),
        ("op_contrast", Step::Color(ColorOp::Contrast(30))),
        (
            "op_colorbalance",
            Step::Color(ColorOp::ColorBalance([30, -20, 10])),
        ),
        ("op_hue", Step::Color(ColorOp::Hue(60))),
        ("op_saturation", Step::Color(ColorOp::Saturation(-40))),
        (
            "op_colorize",
            Step::Color(ColorOp::Colorize {
                rgb: [160, 176, 192],
                norm: true,
                contrast: 40.0,
            }),
        ),
        ("op_blur_r10", Step::Blur { sigma: 5.0 }),
        ("op_blur_r100", Step::Blur { sigma: 50.0 }),
        ("op_sharpen", Step::Sharpen(usm(1.0, 0.5))),
        ("op_usm_1_2", Step::Sharpen(usm(1.0, 2.0))),
        ("op_usm_1_50", Step::Sharpen(usm(1.0, 50.0))),
        ("op_grow_5", Step::Grow { radius: 5 }),
        (
            "op_noise_20_gaussian",
            Step::Noise(Noise {
                amount: 20,
                gaussian: true,
                mono: false,
                seed: 1,
            }),
        ),
    ]
}

fn usm(amount: f32, sigma: f32) -> Usm {
    Usm {
        amount,
        sigma,
        threshold: 0,
        mono: false,
    }
}

fn gpu() -> Option<GpuExecutor> {
    if std::env::var("IPSD_SKIP_GPU_TESTS").is_ok_and(|v| v == "1") {
        return None;
    }
    match GpuExecutor::new(GpuOptions {
        allow_software: true,
    }) {
        Ok(g) => {
            println!(
                "GPU benches on {} (software adapter: {})",
                g.adapter_name(),
                g.is_software()
            );
            Some(g)
        }
        Err(e) => {
            println!("GPU benches skipped: {e}");
            None
        }
    }
}

fn phase(
    g: &GpuExecutor,
    img: &Image,
    step: &Step,
    iters: u64,
    pick: fn(&GpuTimings) -> Duration,
) -> Duration {
    (0..iters)
        .map(|_| {
            pick(
                &g.run_timed(img.clone(), std::slice::from_ref(step))
                    .expect("gpu run")
                    .1,
            )
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let img = input();
    let gpu = gpu();
    for (name, step) in steps() {
        let mut group = c.benchmark_group(name);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(4));
        let one = std::slice::from_ref(&step);
        group.bench_function("cpu", |b| {
            b.iter_batched(
                || img.clone(),
                |i| cpu::run_steps(i, one).expect("cpu run"),
                BatchSize::LargeInput,
            )
        });
        if let Some(g) = &gpu {
            group.bench_function("gpu", |b| {
                b.iter_batched(
                    || img.clone(),
                    |i| g.run_blocking(i, one).expect("gpu run"),
                    BatchSize::LargeInput,
                )
            });
            group.bench_function("gpu_upload", |b| {
                b.iter_custom(|n| phase(g, &img, &step, n, |t| t.upload))
            });
            group.bench_function("gpu_dispatch", |b| {
                b.iter_custom(|n| phase(g, &img, &step, n, |t| t.dispatch))
            });
            group.bench_function("gpu_readback", |b| {
                b.iter_custom(|n| phase(g, &img, &step, n, |t| t.readback))
            });
        }
        group.finish();
    }
}

/// The engine part of the load bench's `color_usm` transform: the plan for a 4000×3000 JPEG,
/// run on the 2000×1500 image its 1/2 shrink-on-load decodes (opaque), whole and step by step
/// (`mix_color_usm/<i>_<step>`). CPU only.
fn bench_mix(c: &mut Criterion) {
    let q = "op_brightness=10&op_saturation=20&op_usm=1,2,5,0&wid=1600&fmt=jpeg";
    let cmds = ipsd::modifier::parse(q).expect("modifier");
    let limits = ipsd::modifier::Limits::copy_image(100_000_000);
    let plan = ipsd::modifier::plan(W, H, &cmds, &limits).expect("plan");
    let n = plan.decode_shrink;
    let mut img = input();
    img.data.chunks_exact_mut(4).for_each(|p| p[3] = 255);
    let img = cpu::resample(
        &img,
        [0.0, 0.0, W as f64, H as f64],
        W / n,
        H / n,
        Filter::Bicubic,
    )
    .expect("decoded stand-in");
    let steps = plan.steps_for_input(img.width, img.height);
    let mut group = c.benchmark_group("mix_color_usm");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("all", |b| {
        b.iter_batched(
            || img.clone(),
            |i| cpu::run_steps(i, &steps).expect("cpu run"),
            BatchSize::LargeInput,
        )
    });
    let mut cur = img.clone();
    for (i, s) in steps.iter().enumerate() {
        let input = cur.clone();
        group.bench_function(format!("{i}_{}", s.name()), |b| {
            b.iter_batched(
                || input.clone(),
                |i| cpu::run_step(i, s).expect("cpu step"),
                BatchSize::LargeInput,
            )
        });
        cur = cpu::run_step(cur, s).expect("cpu step");
    }
    group.finish();
}

/// The engine part of each load-bench transform that has one, on a whole 4000×3000 input (no
/// shrink-on-load, codecs excluded): `engine_<transform>/cpu` and `/gpu` (upload, every step,
/// readback) and `/gpu_dispatch` (the steps alone), issue 5's "GPU engine ≥ 5× the CPU
/// executor". The input is opaque, as the JPEG sources are.
fn bench_transforms(c: &mut Criterion) {
    let gpu = gpu();
    let mut img = input();
    img.data.chunks_exact_mut(4).for_each(|p| p[3] = 255);
    let limits = ipsd::modifier::Limits::copy_image(100_000_000);
    let (cw, ch) = (W * 3 / 4, H * 3 / 4);
    let crop = format!(
        "crop={},{},{cw},{ch}&rotate=90&wid=1200&fmt=jpeg",
        (W - cw) / 2,
        (H - ch) / 2
    );
    for (name, q) in [
        ("thumbnail", "wid=800&hei=600&fit=constrain&fmt=jpeg&qlt=85"),
        ("crop_rotate", crop.as_str()),
        (
            "color_usm",
            "op_brightness=10&op_saturation=20&op_usm=1,2,5,0&wid=1600&fmt=jpeg",
        ),
    ] {
        let cmds = ipsd::modifier::parse(q).expect("modifier");
        let plan = ipsd::modifier::plan(W, H, &cmds, &limits).expect("plan");
        let steps = plan.steps_for_input(W, H);
        let mut group = c.benchmark_group(format!("engine_{name}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(4));
        group.bench_function("cpu", |b| {
            b.iter_batched(
                || img.clone(),
                |i| cpu::run_steps(i, &steps).expect("cpu run"),
                BatchSize::LargeInput,
            )
        });
        if let Some(g) = &gpu {
            group.bench_function("gpu", |b| {
                b.iter_batched(
                    || img.clone(),
                    |i| g.run_blocking(i, &steps).expect("gpu run"),
                    BatchSize::LargeInput,
                )
            });
            group.bench_function("gpu_dispatch", |b| {
                b.iter_custom(|n| {
                    (0..n)
                        .map(|_| {
                            g.run_timed(img.clone(), &steps)
                                .expect("gpu run")
                                .1
                                .dispatch
                        })
                        .sum()
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench, bench_mix, bench_transforms);
criterion_main!(benches);
