//! `jpeg_fast` against `jpeg-decoder` (an independent decoder) at every reduced size, over
//! sizes that are not whole blocks, every chroma subsampling, grayscale, restart intervals and
//! qualities; and the files it must leave to `jpeg-decoder`.

use super::*;
use crate::codec::jpeg_mcu::{self, Layout};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

/// A noisy test picture: gradients, an edge and hashed noise, so every coefficient is used.
pub(crate) fn pixels(w: u16, h: u16, channels: usize) -> Vec<u8> {
    let mut px = Vec::with_capacity(w as usize * h as usize * channels);
    for y in 0..h as u32 {
        for x in 0..w as u32 {
            let n = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663)) >> 7;
            let edge = if x * 3 > w as u32 { 90 } else { 0 };
            let rgb = [
                (x * 255 / w as u32) as u8 ^ (n & 31) as u8,
                (y * 7 + edge) as u8,
                (n % 251) as u8,
            ];
            px.extend_from_slice(&rgb[..channels]);
        }
    }
    px
}

fn encode(w: u16, h: u16, sampling: SamplingFactor, gray: bool, restart: u16, q: u8) -> Vec<u8> {
    encode_as(w, h, (sampling, gray), restart, q, false)
}

/// `pixels` as a JPEG, baseline or progressive (jpeg-encoder's spectral-selection script); the
/// two hold the same quantized coefficients.
pub(crate) fn encode_as(
    w: u16,
    h: u16,
    (sampling, gray): (SamplingFactor, bool),
    restart: u16,
    q: u8,
    progressive: bool,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, q);
    enc.set_sampling_factor(sampling);
    enc.set_progressive(progressive);
    if restart > 0 {
        enc.set_restart_interval(restart);
    }
    let (ch, ct) = if gray {
        (1, ColorType::Luma)
    } else {
        (3, ColorType::Rgb)
    };
    enc.encode(&pixels(w, h, ch), w, h, ct).unwrap();
    out
}

/// jpeg-decoder's RGBA at the reduced size n/8.
fn reference(b: &[u8], n: usize) -> (u32, u32, Vec<u8>) {
    let mut d = jpeg_decoder::Decoder::new(b);
    d.read_info().unwrap();
    let info = d.info().unwrap();
    let want = |v: u16| (v as usize * n).div_ceil(8) as u16;
    d.scale(want(info.width), want(info.height)).unwrap();
    let px = d.decode().unwrap();
    let info = d.info().unwrap();
    let ch = px.len() / (info.width as usize * info.height as usize);
    let rgba = px
        .chunks_exact(ch)
        .flat_map(|p| {
            if ch == 1 {
                [p[0], p[0], p[0], 255]
            } else {
                [p[0], p[1], p[2], 255]
            }
        })
        .collect();
    (info.width as u32, info.height as u32, rgba)
}

/// Largest and mean absolute difference of two RGBA buffers.
fn diff(a: &[u8], b: &[u8]) -> (u8, f64) {
    let d: Vec<u8> = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).collect();
    let mean = d.iter().map(|v| *v as f64).sum::<f64>() / d.len() as f64;
    (d.iter().copied().max().unwrap_or(0), mean)
}

fn check(b: &[u8], label: &str) {
    for n in [1, 2, 4] {
        let img = decode(b, n).unwrap_or_else(|| panic!("{label} n={n}: not decoded"));
        let (w, h, want) = reference(b, n);
        assert_eq!((img.width, img.height), (w, h), "{label} n={n}");
        let (max, mean) = diff(&img.data, &want);
        // The reference rounds in integer steps and upsamples with the same filter in another
        // order: a few levels apart at most, well under one on average. At 1/8 it truncates
        // the block average where this module rounds: half a level of bias before colour
        // conversion.
        let mean_limit = if n == 1 { 1.0 } else { 0.1 };
        assert!(
            max <= 4 && mean < mean_limit,
            "{label} n={n}: max {max}, mean {mean:.3}"
        );
    }
}

/// Every chroma subsampling jpeg-encoder writes.
pub(crate) const FACTORS: [(SamplingFactor, &str); 4] = [
    (SamplingFactor::F_1_1, "4:4:4"),
    (SamplingFactor::F_2_1, "4:2:2"),
    (SamplingFactor::F_2_2, "4:2:0"),
    (SamplingFactor::F_1_2, "4:4:0"),
];

/// Image sizes: whole and partial blocks and MCUs, down to one pixel.
pub(crate) const SIZES: [(u16, u16); 5] = [(301, 203), (64, 48), (17, 9), (1, 1), (8, 40)];

#[test]
fn matches_jpeg_decoder_for_every_subsampling() {
    for (w, h) in SIZES {
        for (f, name) in FACTORS {
            check(&encode(w, h, f, false, 0, 90), &format!("{w}x{h} {name}"));
        }
        check(
            &encode(w, h, SamplingFactor::F_1_1, true, 0, 90),
            &format!("{w}x{h} gray"),
        );
    }
}

#[test]
fn matches_jpeg_decoder_with_restarts_and_qualities() {
    for (restart, q) in [(1, 90), (3, 75), (7, 100), (0, 30), (2, 100)] {
        let b = encode(130, 77, SamplingFactor::F_2_2, false, restart, q);
        check(&b, &format!("restart {restart} q{q}"));
        let g = encode(45, 33, SamplingFactor::F_1_1, true, restart, q);
        check(&g, &format!("gray restart {restart} q{q}"));
    }
}

#[test]
fn leaves_other_files_to_jpeg_decoder() {
    let base = encode(64, 48, SamplingFactor::F_2_2, false, 0, 90);
    assert!(decode(&base, 2).is_some());
    assert!(decode(&base, 8).is_none(), "full size is zune-jpeg's");
    // Progressive, Adobe-tagged, and a second scan after the first.
    let mut prog = Vec::new();
    let mut enc = Encoder::new(&mut prog, 90);
    enc.set_progressive(true);
    enc.encode(&pixels(64, 48, 3), 64, 48, ColorType::Rgb)
        .unwrap();
    assert!(decode(&prog, 2).is_none());
    let adobe = [
        &base[..2],
        &[0xFF, 0xEE, 0, 14],
        b"Adobe\0d\0\0\0\0\x01",
        &base[2..],
    ]
    .concat();
    assert!(decode(&adobe, 2).is_none());
    let eoi = base.len() - 2;
    let sos = base.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let twice = [&base[..eoi], &base[sos..]].concat();
    assert!(decode(&twice, 2).is_none());
    let pillow = include_bytes!("../../tests/data/codec/cmyk.jpg");
    assert!(decode(pillow, 2).is_none());
}

#[test]
fn damaged_files_never_panic() {
    let b = encode(96, 64, SamplingFactor::F_2_2, false, 4, 85);
    for end in (0..b.len()).step_by(7) {
        assert!(decode(&b[..end], 2).is_none(), "cut at {end}");
    }
    for (d, x) in damaged(&b) {
        let _ = decode(&d, [1, 2, 4][x as usize % 3]);
    }
}

/// 400 copies of `b` with three bytes overwritten at pseudo-random places, each with the
/// generator's last value (for choosing other parameters).
pub(crate) fn damaged(b: &[u8]) -> impl Iterator<Item = (Vec<u8>, u32)> + '_ {
    let mut x = 0x2545_f491u32;
    (0..400).map(move |_| {
        let mut d = b.to_vec();
        for _ in 0..3 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let at = x as usize % d.len();
            d[at] = (x >> 8) as u8;
        }
        (d, x)
    })
}

/// A scan that stops early (its data replaced by the end-of-image marker half-way) is refused,
/// not padded with zero bits.
#[test]
fn short_scans_are_refused() {
    let b = encode(96, 64, SamplingFactor::F_2_2, false, 0, 85);
    let sos = b.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let half = sos + (b.len() - sos) / 2;
    let short = [&b[..half], &[0xFF, 0xD9]].concat();
    assert!(decode(&short, 2).is_none());
}

/// The planes of the serial and of the two-halves decode.
fn both_ways(b: &[u8], n: usize) -> Option<(Vec<u8>, Vec<u8>)> {
    let f = parse(b)?;
    let lay = Layout::new(&f, n)?;
    let flat = |p: Vec<Plane>| p.into_iter().flat_map(|p| p.data).collect::<Vec<u8>>();
    let serial = jpeg_mcu::scan(b, &f, &lay, false).map(flat);
    let halves = jpeg_mcu::scan(b, &f, &lay, true).map(flat);
    assert_eq!(serial.is_some(), halves.is_some());
    Some((serial?, halves?))
}

#[test]
fn two_halves_decode_exactly_like_one() {
    let adopted = || jpeg_mcu::ADOPTED.with(|a| a.get());
    let mut runs = 0;
    for (w, h, f, gray, q) in [
        (640, 480, SamplingFactor::F_2_2, false, 90),
        (301, 203, SamplingFactor::F_2_1, false, 75),
        (512, 300, SamplingFactor::F_1_1, false, 100),
        (400, 400, SamplingFactor::F_1_1, true, 60),
        (96, 64, SamplingFactor::F_1_2, false, 40),
    ] {
        let b = encode(w, h, f, gray, 0, q);
        for n in [1, 2, 4] {
            let before = adopted();
            let (serial, halves) = both_ways(&b, n).unwrap();
            assert!(serial == halves, "{w}x{h} n={n}");
            runs += adopted() - before;
        }
    }
    // Every one of them found the second half's MCUs (none fell back to a serial decode).
    assert_eq!(runs, 15);
}

#[test]
fn damaged_files_decode_the_same_in_halves() {
    let b = encode(200, 150, SamplingFactor::F_2_2, false, 0, 85);
    let mut x = 0x9e37_79b9u32;
    for _ in 0..300 {
        let mut d = b.clone();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let at = 700 + x as usize % (d.len() - 700);
        d[at] = (x >> 8) as u8;
        // Both refuse, or both decode to the same planes.
        if let Some((serial, halves)) = both_ways(&d, 2) {
            assert!(serial == halves, "byte {at}");
        }
    }
}

#[test]
fn a_second_core_only_for_a_lone_decode() {
    let b = encode(640, 480, SamplingFactor::F_2_2, false, 0, 90);
    let f = parse(&b).unwrap();
    let lay = Layout::new(&f, 2).unwrap();
    // 40 x 30 MCUs: over the minimum; fewer MCUs or restart markers keep a scan serial.
    assert!(jpeg_mcu::splittable(&f, &lay));
    let small = parse(&encode(64, 48, SamplingFactor::F_2_2, false, 0, 90)).unwrap();
    assert!(!jpeg_mcu::splittable(
        &small,
        &Layout::new(&small, 2).unwrap()
    ));
    let restarts = parse(&encode(640, 480, SamplingFactor::F_2_2, false, 4, 90)).unwrap();
    assert!(!jpeg_mcu::splittable(&restarts, &lay));
    // So does another decode running (here: one more counted).
    let _other = crate::codec::decode::Running::enter();
    let _this = crate::codec::decode::Running::enter();
    assert!(!jpeg_mcu::worth_splitting(&f, &lay));
}

/// Table selectors and precisions out of range are declined (left to jpeg-decoder), not a panic.
#[test]
fn bad_selectors_are_declined() {
    let b = encode(64, 48, SamplingFactor::F_2_2, false, 0, 90);
    let sos = b.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    // The first component's DC/AC selector byte: FF DA, length, count, id, selectors.
    let mut bad_table = b.clone();
    bad_table[sos + 6] = 0x5F;
    assert!(decode(&bad_table, 2).is_none());
    let dqt = b.windows(2).position(|w| w == [0xFF, 0xDB]).unwrap();
    let mut bad_precision = b.clone();
    bad_precision[dqt + 4] = 0x20;
    assert!(decode(&bad_precision, 2).is_none());
}
