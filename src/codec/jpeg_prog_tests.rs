//! `jpeg_prog` against `jpeg_fast` on the baseline file with the same coefficients (the two
//! must agree byte for byte: only the order of the data differs), written by two independent
//! encoders: jpeg-encoder (spectral selection, optimised tables between scans, restart
//! intervals) and libjpeg through Pillow (its default script, with successive approximation);
//! and the files it must leave to `jpeg-decoder`.

use super::*;
use crate::codec::jpeg_fast::tests::{damaged, encode_as, FACTORS, SIZES};
use jpeg_encoder::SamplingFactor;

/// The progressive decode on one and on two cores must equal the baseline decode.
fn same(prog: &[u8], base: &[u8], label: &str) {
    for n in [1, 2, 4] {
        let want = jpeg_fast::decode(base, n).unwrap_or_else(|| panic!("{label}: baseline"));
        for parallel in [false, true] {
            let got = decode_on(prog, n, parallel)
                .unwrap_or_else(|| panic!("{label} n={n} parallel={parallel}: not decoded"));
            assert_eq!(
                (got.width, got.height),
                (want.width, want.height),
                "{label}"
            );
            assert!(got.data == want.data, "{label} n={n} parallel={parallel}");
        }
    }
}

#[test]
fn spectral_selection_matches_the_baseline_file() {
    for (w, h) in SIZES {
        for (f, name) in FACTORS {
            let pair = [false, true].map(|p| encode_as(w, h, (f, false), 0, 90, p));
            same(&pair[1], &pair[0], &format!("{w}x{h} {name}"));
        }
        let gray = [false, true].map(|p| encode_as(w, h, (SamplingFactor::F_1_1, true), 0, 90, p));
        same(&gray[1], &gray[0], &format!("{w}x{h} gray"));
    }
}

#[test]
fn restart_intervals_and_qualities_match_the_baseline_file() {
    for (restart, q) in [(1, 90), (3, 75), (7, 100), (0, 30), (2, 100)] {
        let f = (SamplingFactor::F_2_2, false);
        let pair = [false, true].map(|p| encode_as(130, 77, f, restart, q, p));
        same(&pair[1], &pair[0], &format!("restart {restart} q{q}"));
        let g = (SamplingFactor::F_1_1, true);
        let gray = [false, true].map(|p| encode_as(45, 33, g, restart, q, p));
        same(&gray[1], &gray[0], &format!("gray restart {restart} q{q}"));
    }
}

/// libjpeg's script: DC in two passes (successive approximation), AC bands 1-5 then 6-63 with
/// their low bits refined in later scans; Pillow wrote each pair from the same pixels.
#[test]
fn successive_approximation_matches_the_baseline_file() {
    let pairs: [(&[u8], &[u8], &str); 4] = [
        (
            include_bytes!("../../tests/data/codec/progressive.jpg"),
            include_bytes!("../../tests/data/codec/baseline.jpg"),
            "quadrants",
        ),
        (
            include_bytes!("../../tests/data/codec/noise420_prog.jpg"),
            include_bytes!("../../tests/data/codec/noise420.jpg"),
            "noise 4:2:0",
        ),
        (
            include_bytes!("../../tests/data/codec/noise444_prog.jpg"),
            include_bytes!("../../tests/data/codec/noise444.jpg"),
            "noise 4:4:4",
        ),
        (
            include_bytes!("../../tests/data/codec/noisegray_prog.jpg"),
            include_bytes!("../../tests/data/codec/noisegray.jpg"),
            "noise gray",
        ),
    ];
    for (prog, base, label) in pairs {
        same(prog, base, label);
    }
}

/// ipsd's own `fmt=pjpeg` (optimised Huffman tables before every scan) against its `fmt=jpeg`.
#[test]
fn own_progressive_output_matches_own_baseline() {
    use crate::codec::{encode, EncodeOptions, Format};
    let img = crate::engine::Image {
        width: 203,
        height: 141,
        data: super::super::jpeg_fast::tests::pixels(203, 141, 3)
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
    };
    let enc = |format| {
        encode(
            &img,
            &EncodeOptions {
                format,
                quality: 90,
                ..Default::default()
            },
        )
    };
    same(
        &enc(Format::Pjpeg).unwrap(),
        &enc(Format::Jpeg).unwrap(),
        "fmt=pjpeg",
    );
}

/// Scans past the kept corner are not decoded: garbling their data changes nothing.
#[test]
fn unneeded_scans_are_skipped() {
    let prog = encode_as(96, 64, (SamplingFactor::F_2_2, false), 0, 90, true);
    let want = decode_on(&prog, 1, false).unwrap();
    let scans = super::super::jpeg_scans::progressive_scans(&prog).unwrap();
    let mut garbled = prog.clone();
    for s in scans.iter().filter(|s| s.ss > 0) {
        // After the SOS header: FF DA, length, then the data.
        let len = u16::from_be_bytes([prog[s.bytes.start + 2], prog[s.bytes.start + 3]]);
        let data = s.bytes.start + 2 + len as usize..s.bytes.end;
        for b in &mut garbled[data] {
            *b = (*b).wrapping_mul(7) & 0x7F;
        }
    }
    assert!(garbled != prog);
    assert!(decode_on(&garbled, 1, false).unwrap().data == want.data);
    // At 1/2 the first AC band is read: the garbled file is refused or decodes differently.
    let half = decode_on(&prog, 4, false).unwrap();
    assert!(decode_on(&garbled, 4, false).is_none_or(|g| g.data != half.data));
}

#[test]
fn leaves_other_files_to_jpeg_decoder() {
    let f = (SamplingFactor::F_2_2, false);
    let base = encode_as(64, 48, f, 0, 90, false);
    let prog = encode_as(64, 48, f, 0, 90, true);
    assert!(decode(&prog, 2).is_some());
    assert!(decode(&base, 2).is_none(), "baseline is jpeg_fast's");
    assert!(decode(&prog, 8).is_none(), "full size is zune-jpeg's");
    let adobe = [
        &prog[..2],
        &[0xFF, 0xEE, 0, 14],
        b"Adobe\0d\0\0\0\0\x01",
        &prog[2..],
    ]
    .concat();
    assert!(decode(&adobe, 2).is_none());
    // A quantization table after the first scan.
    let dqt = prog.windows(2).position(|w| w == [0xFF, 0xDB]).unwrap();
    let len = u16::from_be_bytes([prog[dqt + 2], prog[dqt + 3]]) as usize;
    let eoi = prog.len() - 2;
    let late = [&prog[..eoi], &prog[dqt..dqt + 2 + len], &prog[eoi..]].concat();
    assert!(decode(&late, 2).is_none());
    let cmyk = include_bytes!("../../tests/data/codec/cmyk.jpg");
    assert!(decode(cmyk, 2).is_none());
}

#[test]
fn damaged_files_never_panic() {
    let f = (SamplingFactor::F_2_2, false);
    let restarts = encode_as(96, 64, f, 4, 85, true);
    let pillow = include_bytes!("../../tests/data/codec/noise420_prog.jpg").to_vec();
    for b in [restarts, pillow] {
        for end in (0..b.len()).step_by(7) {
            assert!(decode_on(&b[..end], 2, false).is_none(), "cut at {end}");
        }
        for (d, x) in damaged(&b) {
            let _ = decode_on(&d, [1, 2, 4][x as usize % 3], x & 1 == 0);
        }
    }
}

/// A scan that stops early (the rest of the file replaced by the end-of-image marker) is refused,
/// not padded with zero bits.
#[test]
fn short_scans_are_refused() {
    let b = encode_as(96, 64, (SamplingFactor::F_2_2, false), 0, 85, true);
    let sos = b.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let next = sos
        + 2
        + b[sos + 2..]
            .windows(2)
            .position(|w| w == [0xFF, 0xDA])
            .unwrap();
    let short = [&b[..(sos + next) / 2], &[0xFF, 0xD9]].concat();
    assert!(decode_on(&short, 2, false).is_none());
}

/// `codec::decode` takes this path for a progressive file (the baseline twin's pixels, exactly;
/// `jpeg-decoder` rounds differently).
#[test]
fn shrink_on_load_of_a_progressive_file_comes_here() {
    use crate::codec::{decode as decode_any, DecodeOptions};
    let opts = DecodeOptions {
        shrink: 2,
        ..DecodeOptions::default()
    };
    let prog = include_bytes!("../../tests/data/codec/noise420_prog.jpg");
    let base = include_bytes!("../../tests/data/codec/noise420.jpg");
    let (p, b) = (
        decode_any(prog, &opts).unwrap(),
        decode_any(base, &opts).unwrap(),
    );
    assert_eq!((p.shrink, p.image.width), (2, 102));
    assert!(p.image == b.image);
}
