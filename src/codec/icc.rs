//! Colour management inside `decode`: an embedded ICC profile is converted to sRGB so every later
//! step sees sRGB. Uses `moxcms`, a pure-Rust CMS: it reads ICC v2 and v4, matrix-shaper and
//! LUT-based (A2B) profiles, RGB, gray and CMYK, with SIMD 8-bit paths; it is also what the
//! `image` crate itself uses, so no second CMS comes in. (`qcms`, Firefox's CMS, handles
//! RGB/gray matrix-shaper profiles well but its CMYK support is limited.)
//!
//! A parsed profile becomes a `Conversion` that is cached by the profile's SHA-256: real sources
//! repeat a handful of profiles. A profile that maps every colour of a 16³ sample grid to itself
//! within 1 level (the embedded "sRGB IEC61966-2.1" profile, mostly) is marked as identity and
//! skipped. A profile that cannot be parsed, or whose colour space does not match the pixels, is
//! ignored, as browsers do. CMYK without a profile uses the naive conversion
//! `R = (255 − C)(255 − K) / 255`.

use crate::engine::Image;
use moxcms::{
    ColorProfile, DataColorSpace, Layout, RenderingIntent, Transform8BitExecutor, TransformOptions,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// What the decoded pixels were before they were expanded to RGBA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Rgb,
    Gray,
}

enum Conversion {
    /// Not applicable or already sRGB: leave pixels alone.
    Identity,
    /// RGBA to RGBA (alpha is carried through).
    Rgb(Arc<Transform8BitExecutor>),
    /// Gray level to sRGB.
    Gray(Box<[[u8; 3]; 256]>),
    /// CMYK (ink values, 4 bytes) to RGB (3 bytes).
    Cmyk(Arc<Transform8BitExecutor>),
}

/// Converts RGBA pixels (expanded from `source`) to sRGB using `icc` when there is one.
pub(super) fn to_srgb(img: &mut Image, icc: Option<&[u8]>, source: Source) {
    let Some(icc) = icc else { return };
    match (&*conversion(icc), source) {
        (Conversion::Rgb(t), Source::Rgb) => {
            let mut out = vec![0u8; img.data.len()];
            if t.transform(&img.data, &mut out).is_ok() {
                img.data = out;
            }
        }
        (Conversion::Gray(lut), Source::Gray) => {
            for p in img.data.chunks_exact_mut(4) {
                let [r, g, b] = lut[p[0] as usize];
                p[..3].copy_from_slice(&[r, g, b]);
            }
        }
        _ => {}
    }
}

/// CMYK ink values (0 = no ink) to opaque sRGB RGBA, through a CMYK profile when given.
pub(super) fn cmyk_to_rgba(cmyk: &[u8], w: u32, h: u32, icc: Option<&[u8]>) -> Image {
    let n = w as usize * h as usize;
    let mut data = Vec::with_capacity(n * 4);
    let profiled = icc.map(conversion);
    if let (Some(Conversion::Cmyk(t)), Some(src)) = (profiled.as_deref(), cmyk.get(..n * 4)) {
        let mut rgb = vec![0u8; n * 3];
        if t.transform(src, &mut rgb).is_ok() {
            for p in rgb.chunks_exact(3) {
                data.extend_from_slice(&[p[0], p[1], p[2], 255]);
            }
            return Image {
                width: w,
                height: h,
                data,
            };
        }
    }
    for p in cmyk.chunks_exact(4).take(n) {
        let k = 255 - p[3] as u32;
        let ch = |c: u8| (((255 - c as u32) * k + 127) / 255) as u8;
        data.extend_from_slice(&[ch(p[0]), ch(p[1]), ch(p[2]), 255]);
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

const CACHE_CAP: usize = 32;

fn conversion(icc: &[u8]) -> Arc<Conversion> {
    static CACHE: OnceLock<Mutex<HashMap<[u8; 32], Arc<Conversion>>>> = OnceLock::new();
    let key: [u8; 32] = Sha256::digest(icc).into();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(c) = cache.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return c;
    }
    let c = Arc::new(build(icc).unwrap_or(Conversion::Identity));
    if let Ok(mut m) = cache.lock() {
        if m.len() >= CACHE_CAP {
            m.clear();
        }
        m.insert(key, c.clone());
    }
    c
}

fn build(icc: &[u8]) -> Option<Conversion> {
    let src = ColorProfile::new_from_slice(icc).ok()?;
    let srgb = ColorProfile::new_srgb();
    let opts = TransformOptions {
        rendering_intent: RenderingIntent::Perceptual,
        ..TransformOptions::default()
    };
    match src.color_space {
        DataColorSpace::Rgb => {
            let t = src
                .create_transform_8bit(Layout::Rgba, &srgb, Layout::Rgba, opts)
                .ok()?;
            Some(if is_identity(&*t) {
                Conversion::Identity
            } else {
                Conversion::Rgb(t)
            })
        }
        DataColorSpace::Gray => {
            let t = src
                .create_transform_8bit(Layout::Gray, &srgb, Layout::Rgb, opts)
                .ok()?;
            let levels: Vec<u8> = (0..=255).collect();
            let mut rgb = vec![0u8; 256 * 3];
            t.transform(&levels, &mut rgb).ok()?;
            let mut lut = Box::new([[0u8; 3]; 256]);
            for (i, p) in rgb.chunks_exact(3).enumerate() {
                lut[i] = [p[0], p[1], p[2]];
            }
            Some(Conversion::Gray(lut))
        }
        DataColorSpace::Cmyk => src
            .create_transform_8bit(Layout::Rgba, &srgb, Layout::Rgb, opts)
            .ok()
            .map(Conversion::Cmyk),
        _ => None,
    }
}

/// True when the transform moves no colour of a 16³ grid by more than one level.
fn is_identity(t: &Transform8BitExecutor) -> bool {
    let steps: Vec<u8> = (0..16).map(|i| (i * 17) as u8).collect();
    let mut src = Vec::with_capacity(16 * 16 * 16 * 4);
    for &r in &steps {
        for &g in &steps {
            for &b in &steps {
                src.extend_from_slice(&[r, g, b, 255]);
            }
        }
    }
    let mut dst = vec![0u8; src.len()];
    if t.transform(&src, &mut dst).is_err() {
        return false;
    }
    src.iter().zip(&dst).all(|(a, b)| a.abs_diff(*b) <= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(rgb: [u8; 3]) -> Image {
        Image {
            width: 1,
            height: 1,
            data: vec![rgb[0], rgb[1], rgb[2], 255],
        }
    }

    #[test]
    fn srgb_profile_is_identity_and_p3_saturates() {
        let srgb = ColorProfile::new_srgb().encode().unwrap();
        assert!(matches!(*conversion(&srgb), Conversion::Identity));
        let mut img = patch([200, 100, 100]);
        to_srgb(&mut img, Some(&srgb), Source::Rgb);
        assert_eq!(img.pixel(0, 0), [200, 100, 100, 255]);

        // Display P3 has a wider gamut: the same numbers are more saturated in sRGB.
        let p3 = ColorProfile::new_display_p3().encode().unwrap();
        let mut img = patch([200, 100, 100]);
        to_srgb(&mut img, Some(&p3), Source::Rgb);
        let [r, g, b, a] = img.pixel(0, 0);
        assert!(r >= 210 && g <= 96 && b <= 98 && a == 255, "{r} {g} {b}");
        // Gray stays gray.
        let mut img = patch([128, 128, 128]);
        to_srgb(&mut img, Some(&p3), Source::Rgb);
        let [r, g, b, _] = img.pixel(0, 0);
        assert!(r.abs_diff(128) <= 1 && g.abs_diff(128) <= 1 && b.abs_diff(128) <= 1);
    }

    #[test]
    fn bad_or_mismatched_profiles_are_ignored() {
        let mut img = patch([10, 20, 30]);
        to_srgb(&mut img, Some(b"not a profile"), Source::Rgb);
        assert_eq!(img.pixel(0, 0), [10, 20, 30, 255]);
        let p3 = ColorProfile::new_display_p3().encode().unwrap();
        let mut gray = patch([90, 90, 90]);
        to_srgb(&mut gray, Some(&p3), Source::Gray);
        assert_eq!(gray.pixel(0, 0), [90, 90, 90, 255]);
    }

    #[test]
    fn gray_gamma_profile_maps_levels() {
        let g18 = ColorProfile::new_gray_with_gamma(1.8).encode().unwrap();
        let mut img = patch([128, 128, 128]);
        to_srgb(&mut img, Some(&g18), Source::Gray);
        let [r, g, b, _] = img.pixel(0, 0);
        // Level 128 at gamma 1.8 is 0.29 in linear light, brighter than sRGB's 128 (0.22).
        assert!((140..=152).contains(&r) && r == g && g == b, "{r}");
    }

    #[test]
    fn naive_cmyk() {
        let cmyk = [255, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 128, 0, 0];
        let img = cmyk_to_rgba(&cmyk, 4, 1, None);
        assert_eq!(img.pixel(0, 0), [0, 255, 255, 255]);
        assert_eq!(img.pixel(1, 0), [0, 0, 0, 255]);
        assert_eq!(img.pixel(2, 0), [255, 255, 255, 255]);
        assert_eq!(img.pixel(3, 0), [255, 127, 255, 255]);
    }
}
