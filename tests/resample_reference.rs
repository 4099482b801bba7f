//! The CPU resampler against an independent implementation: Pillow's `Image.resize` outputs
//! made by `tests/data/resample/make_refs.py` (committed with the references). Each case must
//! reach a PSNR threshold, so a wrong kernel, support, centre convention or rounding fails.
//! `bisharp` has no Pillow counterpart and is covered by the GPU-vs-CPU tests only.

use ipsd::engine::{cpu, Filter, Image};
use std::path::Path;

const DIR: &str = "tests/data/resample";
/// Minimum PSNR in dB. Pillow and fast_image_resize use the same kernels and the same
/// centre convention; differences are rounding only.
const MIN_PSNR: f64 = 40.0;

fn load(name: &str) -> Image {
    let img = image::open(Path::new(DIR).join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .to_rgba8();
    Image {
        width: img.width(),
        height: img.height(),
        data: img.into_raw(),
    }
}

fn psnr(a: &Image, b: &Image) -> f64 {
    assert_eq!((a.width, a.height), (b.width, b.height));
    let (mut se, mut n) = (0f64, 0f64);
    for (pa, pb) in a.data.chunks(4).zip(b.data.chunks(4)) {
        for c in 0..3 {
            let d = pa[c] as f64 - pb[c] as f64;
            se += d * d;
            n += 1.0;
        }
    }
    let mse = se / n;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

#[test]
fn cpu_resample_matches_pillow() {
    let src = load("source.png");
    let mut report = Vec::new();
    for (name, filter) in [
        ("bilinear", Filter::Bilinear),
        ("bicubic", Filter::Bicubic),
        ("lanczos3", Filter::Lanczos3),
    ] {
        for (w, h) in [(100, 75), (31, 200), (400, 300), (257, 96)] {
            let want = load(&format!("ref_{name}_{w}x{h}.png"));
            let src_rect = [0.0, 0.0, src.width as f64, src.height as f64];
            let got = cpu::resample(&src, src_rect, w, h, filter).unwrap();
            let p = psnr(&got, &want);
            report.push(format!("{name} {w}x{h}: {p:.1} dB"));
            assert!(
                p >= MIN_PSNR,
                "{name} {w}x{h}: PSNR {p:.1} dB < {MIN_PSNR}\n{}",
                report.join("\n")
            );
        }
    }
    println!("{}", report.join("\n"));
}

#[test]
fn a_wrong_kernel_is_caught() {
    // The same comparison fails for a mismatched kernel, so the threshold has teeth.
    let src = load("source.png");
    let want = load("ref_lanczos3_100x75.png");
    let got = cpu::resample(&src, [0.0, 0.0, 257.0, 193.0], 100, 75, Filter::Bilinear).unwrap();
    assert!(psnr(&got, &want) < MIN_PSNR);
}
