//! `profile` against colorimetry computed here from the published primaries (IEC 61966-2-1,
//! Adobe RGB (1998) spec, SMPTE EG 432-1): sRGB → linear → XYZ (D65) → target → encoded.

use super::*;

fn srgb_to_linear(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb(v: f64) -> f64 {
    if v <= 0.0031308 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

const SRGB_TO_XYZ: [[f64; 3]; 3] = [
    [0.4124564, 0.3575761, 0.1804375],
    [0.2126729, 0.7151522, 0.0721750],
    [0.0193339, 0.1191920, 0.9503041],
];
const XYZ_TO_ADOBE: [[f64; 3]; 3] = [
    [2.0413690, -0.5649464, -0.3446944],
    [-0.9692660, 1.8760108, 0.0415560],
    [0.0134474, -0.1183897, 1.0154096],
];
const XYZ_TO_P3: [[f64; 3]; 3] = [
    [2.4934969, -0.9313836, -0.4027108],
    [-0.8294890, 1.7626641, 0.0236247],
    [0.0358458, -0.0761724, 0.9568845],
];

fn mul(m: &[[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    [0, 1, 2].map(|i| m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2])
}

fn expected(rgb: [u8; 3], to: &[[f64; 3]; 3], encode: fn(f64) -> f64) -> [f64; 3] {
    let lin = rgb.map(|c| srgb_to_linear(c as f64 / 255.0));
    mul(to, mul(&SRGB_TO_XYZ, lin)).map(|c| encode(c.clamp(0.0, 1.0)) * 255.0)
}

fn converted(rgb: [u8; 3], profile: Profile) -> [u8; 4] {
    let img = Image {
        width: 1,
        height: 1,
        data: vec![rgb[0], rgb[1], rgb[2], 77],
    };
    let meta = OutputMeta {
        profile,
        ..OutputMeta::default()
    };
    convert(&img, &meta).unwrap().unwrap().pixel(0, 0)
}

fn check(profile: Profile, to: &[[f64; 3]; 3], encode: fn(f64) -> f64) {
    for rgb in [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [200, 120, 40],
        [30, 90, 160],
        [128, 128, 128],
        [255, 255, 255],
        [0, 0, 0],
    ] {
        let got = converted(rgb, profile);
        let want = expected(rgb, to, encode);
        for c in 0..3 {
            assert!(
                (got[c] as f64 - want[c]).abs() <= 2.0,
                "{profile:?} {rgb:?}: got {got:?}, want {want:?}"
            );
        }
        assert_eq!(got[3], 77, "alpha is carried");
    }
}

#[test]
fn adobe_rgb_matches_the_published_matrices() {
    // Adobe RGB (1998): gamma 563/256.
    check(Profile::AdobeRgb, &XYZ_TO_ADOBE, |v| v.powf(256.0 / 563.0));
}

#[test]
fn display_p3_matches_the_published_matrices() {
    check(Profile::DisplayP3, &XYZ_TO_P3, linear_to_srgb);
}

#[test]
fn srgb_needs_no_conversion() {
    let img = Image {
        width: 1,
        height: 1,
        data: vec![1, 2, 3, 4],
    };
    assert!(convert(&img, &OutputMeta::default()).unwrap().is_none());
}

#[test]
fn names_are_case_insensitive_and_listed() {
    assert_eq!(Profile::by_name("srgb"), Some(Profile::Srgb));
    assert_eq!(
        Profile::by_name("Adobe RGB (1998)"),
        Some(Profile::AdobeRgb)
    );
    assert_eq!(Profile::by_name("display p3"), Some(Profile::DisplayP3));
    assert_eq!(Profile::by_name("WebCoated"), None);
    assert_eq!(
        Profile::names(),
        "sRGB, AdobeRGB, DisplayP3, ProPhotoRGB, Rec2020"
    );
}

#[test]
fn embedded_bytes_are_a_valid_icc_profile_of_the_right_space() {
    for p in [
        Profile::Srgb,
        Profile::AdobeRgb,
        Profile::DisplayP3,
        Profile::ProPhoto,
        Profile::Rec2020,
    ] {
        let b = p.icc().unwrap();
        // ICC header (ICC.1:2010 §7.2): size, 'mntr' class, 'RGB ' space, 'XYZ ' PCS, 'acsp'.
        assert_eq!(
            u32::from_be_bytes(b[0..4].try_into().unwrap()) as usize,
            b.len()
        );
        assert_eq!(&b[12..16], b"mntr", "{p:?}");
        assert_eq!(&b[16..20], b"RGB ", "{p:?}");
        assert_eq!(&b[20..24], b"XYZ ", "{p:?}");
        assert_eq!(&b[36..40], b"acsp", "{p:?}");
        assert!(Arc::ptr_eq(&b, &p.icc().unwrap()), "built once");
    }
}
