//! GIF and PNG8 output with `quantize=` (spec/is-protocol.md §4.35), read back by independent
//! decoders (the `image` crate for pixels, the `png` crate for PLTE/tRNS/pHYs/iCCP).

use ipsd::codec::{encode, EncodeOptions, Format, OutputMeta, PaletteKind, Profile, Quantize};
use ipsd::engine::Image;
use std::io::Cursor;

fn photo(w: u32, h: u32, clear_every: usize) -> Image {
    let mut data = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let r = (x * 255 / (w - 1)) as u8;
            let g = ((x + y) * 255 / (w + h - 2)) as u8;
            let b = (((x as f32 / 7.0).sin() * 0.5 + 0.5) * 255.0) as u8;
            data.extend_from_slice(&[r, g, b, 255]);
        }
    }
    if clear_every > 0 {
        for p in data.chunks_exact_mut(4).step_by(clear_every) {
            p[3] = 10;
        }
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

fn enc(img: &Image, format: Format, quantize: Quantize) -> Vec<u8> {
    let o = EncodeOptions {
        format,
        quantize,
        ..EncodeOptions::default()
    };
    encode(img, &o).unwrap()
}

fn rgba(bytes: &[u8]) -> image::RgbaImage {
    image::load_from_memory(bytes).unwrap().to_rgba8()
}

fn plte(bytes: &[u8]) -> (png::ColorType, usize, Option<Vec<u8>>) {
    let r = png::Decoder::new(Cursor::new(bytes)).read_info().unwrap();
    let i = r.info();
    let entries = i.palette.as_ref().map_or(0, |p| p.len() / 3);
    (i.color_type, entries, i.trns.as_ref().map(|t| t.to_vec()))
}

#[test]
fn the_spec_bitonal_example_gives_two_colours() {
    // quantize=adaptive,off,2,000000,ffffff with gif-alpha and png8-alpha.
    let img = photo(100, 60, 0);
    let bw = Quantize {
        kind: PaletteKind::Adaptive,
        dither: false,
        colors: 2,
        forced: vec![[0, 0, 0], [255, 255, 255]],
    };
    for format in [
        Format::GifAlpha,
        Format::Png8Alpha,
        Format::Gif,
        Format::Png8,
    ] {
        let out = rgba(&enc(&img, format, bw.clone()));
        let mut seen = [0usize; 2];
        for p in out.pixels() {
            match p.0 {
                [0, 0, 0, 255] => seen[0] += 1,
                [255, 255, 255, 255] => seen[1] += 1,
                other => panic!("{format:?}: {other:?}"),
            }
        }
        assert!(seen[0] > 500 && seen[1] > 500, "{format:?}: {seen:?}");
    }
}

#[test]
fn png8_is_indexed_and_close_to_the_source() {
    let img = photo(120, 80, 0);
    let b = enc(&img, Format::Png8, Quantize::default());
    let (color, entries, trns) = plte(&b);
    assert_eq!(color, png::ColorType::Indexed);
    assert!((2..=256).contains(&entries), "{entries}");
    assert_eq!(trns, None);
    // Dithering trades per-pixel error for faithful local averages: compare 8x8 block means.
    let out = rgba(&b);
    let mean = |d: &[u8], bx: u32, by: u32, c: usize| -> f64 {
        let mut s = 0u32;
        for y in by * 8..by * 8 + 8 {
            for x in bx * 8..bx * 8 + 8 {
                s += d[((y * 120 + x) * 4) as usize + c] as u32;
            }
        }
        s as f64 / 64.0
    };
    let mut errors = Vec::new();
    for by in 0..10 {
        for bx in 0..15 {
            for c in 0..3 {
                errors.push((mean(&img.data, bx, by, c) - mean(out.as_raw(), bx, by, c)).abs());
            }
        }
    }
    errors.sort_by(f64::total_cmp);
    let median = errors[errors.len() / 2];
    let avg = errors.iter().sum::<f64>() / errors.len() as f64;
    // NeuQuant leaves out rare colours at the gamut's corners (this gradient's edges), where
    // dithering cannot reach: those blocks are off by up to ~25 levels, the rest close.
    assert!(
        median < 3.0 && avg < 5.0,
        "block mean errors: median {median}, mean {avg}"
    );
    let b16 = enc(
        &img,
        Format::Png8,
        Quantize {
            colors: 16,
            ..Quantize::default()
        },
    );
    assert!(plte(&b16).1 <= 16);
    let web = enc(
        &img,
        Format::Png8,
        Quantize {
            kind: PaletteKind::Web,
            dither: false,
            ..Quantize::default()
        },
    );
    assert!(rgba(&web)
        .as_raw()
        .chunks(4)
        .all(|p| p[..3].iter().all(|c| c % 51 == 0)));
}

#[test]
fn png8_alpha_keys_clear_pixels() {
    let img = photo(64, 48, 5);
    let b = enc(&img, Format::Png8Alpha, Quantize::default());
    let (_, entries, trns) = plte(&b);
    let trns = trns.expect("tRNS");
    assert_eq!(trns.len(), entries, "the key is the last entry");
    assert!(trns[..entries - 1].iter().all(|&a| a == 255) && trns[entries - 1] == 0);
    let out = rgba(&b);
    for (p, q) in img.data.chunks(4).zip(out.as_raw().chunks(4)) {
        assert_eq!(q[3], if p[3] < 128 { 0 } else { 255 });
    }
    let gif = rgba(&enc(&img, Format::GifAlpha, Quantize::default()));
    assert_eq!(
        gif.as_raw().chunks(4).filter(|p| p[3] == 0).count(),
        64 * 48 / 5 + 1
    );
}

#[test]
fn png8_carries_print_res_and_the_profile() {
    let o = EncodeOptions {
        format: Format::Png8,
        meta: OutputMeta {
            embed_icc: true,
            print_res: Some(150.0),
            ..OutputMeta::default()
        },
        ..EncodeOptions::default()
    };
    let b = encode(&photo(16, 16, 0), &o).unwrap();
    let r = png::Decoder::new(Cursor::new(&b)).read_info().unwrap();
    assert_eq!(r.info().pixel_dims.map(|d| d.xppu), Some(5906));
    assert_eq!(
        r.info().icc_profile.as_deref(),
        Some(&Profile::Srgb.icc().unwrap()[..])
    );
}
