//! `palette`: the fixed palettes, forced colours, numColors, dithering on and off, the key.
//! (Whole files are decoded by the `image` crate in tests/codec_palette.rs.)

use super::*;

fn gradient(w: u32, h: u32) -> Image {
    let mut data = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let v = (x * 255 / (w - 1)) as u8;
            data.extend_from_slice(&[v, (y * 255 / (h - 1)) as u8, 255 - v, 255]);
        }
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

fn q(kind: PaletteKind, dither: bool, colors: u16, forced: &[[u8; 3]]) -> Quantize {
    Quantize {
        kind,
        dither,
        colors,
        forced: forced.to_vec(),
    }
}

fn distinct(v: &[[u8; 3]]) -> usize {
    let mut s = v.to_vec();
    s.sort();
    s.dedup();
    s.len()
}

#[test]
fn fixed_palettes() {
    let w = web();
    assert_eq!((w.len(), distinct(&w)), (216, 216));
    assert!(w.iter().flatten().all(|c| c % 51 == 0));
    let m = mac();
    assert_eq!((m.len(), distinct(&m)), (256, 256));
    assert_eq!((m[0], m[255]), ([255, 255, 255], [0, 0, 0]));
    assert_eq!(m[215], [0xEE, 0, 0], "the red ramp follows the cube");
    let ix = index(
        &gradient(64, 64),
        false,
        &q(PaletteKind::Web, true, 256, &[]),
    );
    assert_eq!(ix.palette, web());
    assert_eq!(ix.key, None);
}

#[test]
fn bitonal_forced_palette_without_dithering_is_a_threshold() {
    let img = gradient(256, 2);
    let bw = [[0, 0, 0], [255, 255, 255]];
    let ix = index(&img, false, &q(PaletteKind::Adaptive, false, 2, &bw));
    assert_eq!(ix.palette, bw.to_vec());
    for (p, &i) in img.data.chunks_exact(4).zip(&ix.indices) {
        let lum: u32 = p[..3].iter().map(|&c| c as u32).sum();
        let want = if lum * 2 > 3 * 255 { 1 } else { 0 };
        // Within 7 levels of the boundary the 5-bit memo may pick the other side.
        if lum.abs_diff(3 * 255 / 2) > 21 {
            assert_eq!(i, want, "{p:?}");
        }
    }
}

#[test]
fn dithering_spreads_the_error_and_off_does_not() {
    let grey = Image::filled(32, 32, crate::engine::Rgba::rgb(128, 128, 128));
    let bw = [[0, 0, 0], [255, 255, 255]];
    // The exact palette would hold the grey itself: force two colours only.
    let count = |dither| {
        let ix = index(&grey, false, &q(PaletteKind::Adaptive, dither, 2, &bw));
        ix.indices.iter().filter(|&&i| i == 1).count()
    };
    assert!(
        count(false) == 0 || count(false) == 1024,
        "one colour everywhere"
    );
    let white = count(true);
    assert!((400..=620).contains(&white), "about half white: {white}");
}

#[test]
fn num_colors_bounds_the_adaptive_palette_and_forced_colours_lead() {
    let img = gradient(120, 90);
    for n in [2u16, 16, 100, 256] {
        let ix = index(
            &img,
            false,
            &q(PaletteKind::Adaptive, true, n, &[[1, 2, 3]]),
        );
        assert!(ix.palette.len() <= n as usize, "{n}: {}", ix.palette.len());
        assert_eq!(ix.palette[0], [1, 2, 3]);
        assert!(ix.indices.iter().all(|&i| (i as usize) < ix.palette.len()));
    }
    // Few colours: exact, forced first, no colour changed.
    let flat = Image::filled(8, 8, crate::engine::Rgba::rgb(9, 8, 7));
    let ix = index(
        &flat,
        false,
        &q(PaletteKind::Adaptive, true, 4, &[[0, 0, 0]]),
    );
    assert_eq!(ix.palette, vec![[0, 0, 0], [9, 8, 7]]);
    assert!(ix.indices.iter().all(|&i| i == 1));
}

#[test]
fn the_key_takes_the_entry_after_the_colours() {
    let mut img = gradient(40, 40);
    for p in img.data.chunks_exact_mut(4).step_by(3) {
        p[3] = 0;
    }
    let ix = index(&img, true, &q(PaletteKind::Adaptive, true, 256, &[]));
    let k = ix.key.expect("some pixels are clear");
    assert_eq!(k as usize, ix.palette.len() - 1);
    assert!(ix.palette.len() <= 256);
    for (p, &i) in img.data.chunks_exact(4).zip(&ix.indices) {
        assert_eq!(p[3] < 128, i == k);
    }
    // An opaque image gets no key even when asked for one.
    let ix = index(&gradient(8, 8), true, &Quantize::default());
    assert_eq!(ix.key, None);
    // The spec's bi-tonal example keeps both colours beside the key.
    let bw = [[0, 0, 0], [255, 255, 255]];
    let ix = index(&img, true, &q(PaletteKind::Adaptive, false, 2, &bw));
    assert_eq!((ix.palette.len(), ix.key), (3, Some(2)));
    assert_eq!(&ix.palette[..2], &bw);
    // At most 255 colours plus the key.
    let ix = index(&img, true, &q(PaletteKind::Web, false, 256, &[]));
    assert_eq!((ix.palette.len(), ix.key), (217, Some(216)));
}
