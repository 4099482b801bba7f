//! Codec tests over the fixtures of tests/data/codec (made by make_fixtures.py with Pillow):
//! every source format decodes to the right size and colours, EXIF orientation, CMYK, ICC and
//! 16-bit conversions, limits before decoding, corrupt input never panics, and every output
//! format decodes again.

use ipsd::codec::{
    decode, encode, header, CodecError, Compression, DecodeOptions, EncodeOptions, Format,
    SourceFormat,
};
use ipsd::engine::Image;
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/codec/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn expected() -> Value {
    serde_json::from_slice(&fixture("expected.json")).unwrap()
}

fn rgb_of(v: &Value) -> [u8; 3] {
    let a = v.as_array().unwrap();
    [0, 1, 2].map(|i| a[i].as_u64().unwrap() as u8)
}

fn open(name: &str) -> Image {
    decode(&fixture(name), &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .image
}

fn near(got: [u8; 4], want: [u8; 3], tol: u8) -> bool {
    (0..3).all(|i| got[i].abs_diff(want[i]) <= tol) && got[3] == 255
}

/// Checks the four quadrant colours, sampled a few pixels in from each corner.
fn assert_quadrants(img: &Image, name: &str, tol: u8) {
    let q = expected()["quadrants"].clone();
    let (w, h) = (img.width, img.height);
    let corners = [(2, 2), (w - 3, 2), (2, h - 3), (w - 3, h - 3)];
    for (i, (x, y)) in corners.into_iter().enumerate() {
        let want = rgb_of(&q[i]);
        let got = img.pixel(x, y);
        assert!(
            near(got, want, tol),
            "{name} corner {i}: {got:?} vs {want:?}"
        );
    }
}

#[test]
fn jpeg_baseline_and_progressive() {
    for name in ["baseline.jpg", "progressive.jpg"] {
        let d = decode(&fixture(name), &DecodeOptions::default()).unwrap();
        assert_eq!(d.header.format, SourceFormat::Jpeg);
        assert_eq!((d.image.width, d.image.height, d.shrink), (64, 48, 1));
        assert_eq!(d.image.data.len(), 64 * 48 * 4);
        assert_quadrants(&d.image, name, 8);
    }
}

#[test]
fn jpeg_grayscale_expands_to_rgb() {
    let img = open("gray.jpg");
    assert_eq!((img.width, img.height), (64, 48));
    for x in [0, 20, 40, 63] {
        let [r, g, b, a] = img.pixel(x, 10);
        assert_eq!((r, r, a), (g, b, 255));
        assert!(r.abs_diff((x * 4) as u8) <= 4, "x={x} got {r}");
    }
}

#[test]
fn jpeg_adobe_cmyk_converts_naively() {
    let img = open("cmyk.jpg");
    assert_eq!((img.width, img.height), (64, 48));
    // Cyan, magenta, yellow and black ink (Pillow writes Adobe-inverted CMYK).
    let want = [[0, 255, 255], [255, 0, 255], [255, 255, 0], [0, 0, 0]];
    let corners = [(4, 4), (59, 4), (4, 43), (59, 43)];
    for (i, (x, y)) in corners.into_iter().enumerate() {
        let got = img.pixel(x, y);
        assert!(near(got, want[i], 6), "ink {i}: {got:?}");
    }
}

#[test]
fn jpeg_cmyk_with_profile_converts_like_littlecms() {
    let e = expected()["cmyk_icc"].clone();
    let lcms: Vec<[u8; 3]> = e["srgb_lcms"]
        .as_array()
        .unwrap()
        .iter()
        .map(rgb_of)
        .collect();
    let img = open("cmyk_icc.jpg");
    assert_eq!((img.width, img.height), (16 * lcms.len() as u32, 16));
    // Compared in linear light: CMSs differ by a few thousandths there (moxcms gives the cyan
    // patch R = 15 where LittleCMS clips to 0), which sRGB's steep toe turns into many levels.
    let lin = |v: u8| {
        let c = v as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    for (i, want) in lcms.iter().enumerate() {
        let got = img.pixel(16 * i as u32 + 8, 8);
        let ok = (0..3).all(|c| (lin(got[c]) - lin(want[c])).abs() <= 0.02);
        assert!(ok && got[3] == 255, "patch {i}: {got:?} vs {want:?}");
    }
    // The profile's cyan is (0, 158, 222), far from the naive (0, 255, 255).
    assert!(img.pixel(8, 8)[1] < 180);
}

#[test]
fn all_exif_orientations_display_upright() {
    for o in 1..=8u8 {
        let name = format!("orient{o}.jpg");
        let bytes = fixture(&name);
        let h = header(&bytes).unwrap();
        assert_eq!((h.orientation, h.width, h.height), (o, 32, 24), "{name}");
        let stored = if o >= 5 { (24, 32) } else { (32, 24) };
        assert_eq!(h.stored_size(), stored);
        let img = decode(&bytes, &DecodeOptions::default()).unwrap().image;
        assert_eq!((img.width, img.height), (32, 24), "{name}");
        assert_quadrants(&img, &name, 12);
    }
}

#[test]
fn orientation_applies_after_shrink() {
    let bytes = fixture("orient6.jpg");
    let opts = DecodeOptions {
        shrink: 2,
        ..DecodeOptions::default()
    };
    let d = decode(&bytes, &opts).unwrap();
    assert_eq!((d.image.width, d.image.height, d.shrink), (16, 12, 2));
    assert_eq!((d.header.width, d.header.height), (32, 24));
    assert_quadrants(&d.image, "orient6 shrink 2", 16);
}

fn icc_expectation() -> (Vec<[u8; 3]>, Vec<[u8; 3]>) {
    let e = expected()["icc_adobergb"].clone();
    let list = |k: &str| e[k].as_array().unwrap().iter().map(rgb_of).collect();
    (list("source"), list("srgb_lcms"))
}

#[test]
fn adobe_rgb_profile_converts_to_srgb_like_littlecms() {
    let (source, lcms) = icc_expectation();
    for (name, tol) in [("icc_adobergb.png", 2), ("icc_adobergb.jpg", 4)] {
        let img = open(name);
        assert_eq!((img.width, img.height), (48, 16));
        for (i, want) in lcms.iter().enumerate() {
            let got = img.pixel(16 * i as u32 + 8, 8);
            assert!(
                near(got, *want, tol),
                "{name} patch {i}: {got:?} vs {want:?}"
            );
        }
        // The saturated red patch gets more saturated in sRGB, and visibly moves.
        let red = img.pixel(8, 8);
        assert!(red[0] > source[0][0] + 20, "{name}: {red:?}");
    }
}

#[test]
fn png_16_bit_is_rounded_to_8_bits() {
    let e = expected()["png16"].clone();
    let img = open("rgba16.png");
    assert_eq!((img.width, img.height), (4, 2));
    for x in 0..4u32 {
        let want: Vec<u8> = e[x as usize]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v.as_u64().unwrap() as f64 / 257.0).round() as u8)
            .collect();
        let got = img.pixel(x, 1);
        for c in 0..4 {
            assert!(
                got[c].abs_diff(want[c]) <= 1,
                "px {x} ch {c}: {got:?} vs {want:?}"
            );
        }
    }
    // 0x12FF: the high byte (18), never the low byte (255).
    assert!(img.pixel(1, 0)[1] <= 19);
}

#[test]
fn png_palette_with_transparency_and_straight_alpha() {
    let img = open("palette.png");
    assert_eq!((img.width, img.height), (16, 16));
    assert_eq!(img.pixel(0, 0), [255, 0, 0, 255]);
    assert_eq!(img.pixel(5, 3), [0, 255, 0, 255]);
    assert_eq!(img.pixel(9, 3), [0, 0, 255, 255]);
    assert_eq!(img.pixel(13, 3)[3], 0);

    let d = decode(&fixture("alpha.png"), &DecodeOptions::default()).unwrap();
    assert!(d.header.has_alpha);
    assert_eq!(d.image.pixel(1, 1), [255, 0, 0, 255]);
    // Straight (not premultiplied) alpha: the colour stays full blue.
    assert_eq!(d.image.pixel(12, 1), [0, 0, 255, 64]);
}

#[test]
fn tiff_webp_bmp_decode() {
    let img = open("rgb_lzw.tif");
    assert_eq!((img.width, img.height), (32, 24));
    assert_quadrants(&img, "tif", 0);
    let img = open("rgb.bmp");
    assert_eq!((img.width, img.height), (16, 12));
    assert_quadrants(&img, "bmp", 0);
    let img = open("lossy.webp");
    assert_eq!((img.width, img.height), (64, 48));
    assert_quadrants(&img, "webp", 10);
    let d = decode(&fixture("alpha_lossless.webp"), &DecodeOptions::default()).unwrap();
    assert!(d.header.has_alpha);
    assert_eq!(d.image.pixel(1, 1), [255, 0, 0, 255]);
    assert_eq!(d.image.pixel(12, 1), [0, 0, 255, 64]);
}

#[test]
fn gif_decodes_the_first_frame() {
    let d = decode(&fixture("anim.gif"), &DecodeOptions::default()).unwrap();
    assert_eq!(d.header.format, SourceFormat::Gif);
    assert_eq!((d.image.width, d.image.height), (16, 16));
    assert!(d.image.data.chunks(4).all(|p| p == [255, 0, 0, 255]));
}

#[test]
fn pixel_limit_refuses_before_decoding() {
    // The header of a 64x48 JPEG whose scan data is missing: decoding would fail as corrupt,
    // so TooLarge proves the limit is checked from the header first.
    let full = fixture("baseline.jpg");
    let sos = full.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    let headers_only = &full[..sos + 2];
    let opts = DecodeOptions {
        max_pixels: 64 * 48 - 1,
        shrink: 1,
    };
    match decode(headers_only, &opts) {
        Err(e @ CodecError::TooLarge { .. }) => {
            assert_eq!(
                e.to_string(),
                "image is 64x48 = 3072 pixels, over the limit of 3071"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        decode(headers_only, &DecodeOptions::default()),
        Err(CodecError::Corrupt(_))
    ));
    for name in ["alpha.png", "anim.gif", "rgb_lzw.tif", "lossy.webp"] {
        let r = decode(
            &fixture(name),
            &DecodeOptions {
                max_pixels: 10,
                shrink: 1,
            },
        );
        assert!(matches!(r, Err(CodecError::TooLarge { .. })), "{name}");
    }
    // A 16x16 PNG whose header claims 100000 x 100000 pixels.
    let mut png = fixture("alpha.png");
    png[16..24].copy_from_slice(&[0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0]);
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    assert!(matches!(
        decode(&png, &DecodeOptions::default()),
        Err(CodecError::TooLarge { .. })
    ));
}

const ALL_FIXTURES: [&str; 15] = [
    "baseline.jpg",
    "cmyk_icc.jpg",
    "progressive.jpg",
    "gray.jpg",
    "cmyk.jpg",
    "orient6.jpg",
    "icc_adobergb.jpg",
    "icc_adobergb.png",
    "rgba16.png",
    "palette.png",
    "alpha.png",
    "rgb_lzw.tif",
    "lossy.webp",
    "alpha_lossless.webp",
    "anim.gif",
];

#[test]
fn truncated_files_are_corrupt() {
    for name in ALL_FIXTURES {
        let b = fixture(name);
        // Missing image data; for JPEG also a missing end-of-image marker (other formats may
        // lose their trailer and still hold every pixel; the GIF's first frame ends early).
        let mut cuts = vec![b.len() / 4, b.len() / 2, b.len() * 3 / 4];
        if name.ends_with(".jpg") {
            cuts.push(b.len() - 2);
        }
        if name.ends_with(".gif") {
            cuts = vec![20, 40, first_gif_frame_end(&b) - 4];
        }
        for cut in cuts.into_iter().filter(|c| *c >= 16) {
            match decode(&b[..cut], &DecodeOptions::default()) {
                Err(CodecError::Corrupt(msg)) => assert!(!msg.contains('/'), "{msg}"),
                other => panic!("{name} cut at {cut}: {:?}", other.map(|d| d.image.width)),
            }
        }
    }
}

#[test]
fn shrunk_jpegs_keep_colours_and_icc() {
    // DCT shrink-on-load (jpeg-decoder's reduced IDCT) of YCbCr, progressive and CMYK JPEGs.
    for name in ["baseline.jpg", "progressive.jpg", "orient1.jpg", "cmyk.jpg"] {
        let bytes = fixture(name);
        let full = decode(&bytes, &DecodeOptions::default()).unwrap().image;
        for shrink in [2, 4, 8] {
            let opts = DecodeOptions {
                shrink,
                ..DecodeOptions::default()
            };
            let d = decode(&bytes, &opts).unwrap();
            let size = (full.width.div_ceil(shrink), full.height.div_ceil(shrink));
            assert_eq!(
                (d.image.width, d.image.height, d.shrink),
                (size.0, size.1, shrink)
            );
            let (x, y) = (d.image.width / 4, d.image.height / 4);
            let want = full.pixel(x * shrink, y * shrink);
            // In an 8-pixel-wide result one 4:2:0 chroma sample spans a quarter of the width
            // and is interpolated towards the next quadrant's colour; a 4-pixel-wide one has no
            // quadrant interior left to compare.
            if d.image.width < 8 {
                continue;
            }
            let tol = if d.image.width == 8 { 40 } else { 12 };
            assert!(
                near(d.image.pixel(x, y), [want[0], want[1], want[2]], tol),
                "{name} 1/{shrink}: {:?} vs {want:?}",
                d.image.pixel(x, y)
            );
        }
    }
    let gray = decode(
        &fixture("gray.jpg"),
        &DecodeOptions {
            shrink: 2,
            ..DecodeOptions::default()
        },
    );
    let [r, g, b, a] = gray.unwrap().image.pixel(10, 5);
    assert_eq!((r, r, a), (g, b, 255));
    // The Adobe RGB profile is applied to the shrunk decode as to the full one.
    let bytes = fixture("icc_adobergb.jpg");
    let full = decode(&bytes, &DecodeOptions::default()).unwrap().image;
    let half = decode(
        &bytes,
        &DecodeOptions {
            shrink: 2,
            ..DecodeOptions::default()
        },
    )
    .unwrap()
    .image;
    let want = full.pixel(8, 8);
    assert!(
        near(half.pixel(4, 4), [want[0], want[1], want[2]], 6),
        "{:?} vs {want:?}",
        half.pixel(4, 4)
    );
}

#[test]
fn damaged_jpegs_are_corrupt_at_every_shrink() {
    for name in ["baseline.jpg", "progressive.jpg", "gray.jpg"] {
        let b = fixture(name);
        let sos = b.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
        for shrink in [2, 4, 8] {
            let opts = DecodeOptions {
                shrink,
                ..DecodeOptions::default()
            };
            for cut in [b.len() / 4, b.len() / 2, b.len() - 2, sos + 2] {
                let r = decode(&b[..cut], &opts);
                assert!(
                    matches!(r, Err(CodecError::Corrupt(_))),
                    "{name} cut {cut} 1/{shrink}"
                );
            }
            // Garbage in place of the scan data, with the end marker kept: a clean answer
            // (an image or an error), never a crash.
            let mut bad = b.clone();
            let end = bad.len() - 2;
            let first_sos = b.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
            bad[first_sos + 20..end].iter_mut().for_each(|v| *v = 0x5A);
            let _ = decode(&bad, &opts);
        }
    }
}

/// Offset just past the first frame's image data (13-byte header, a global palette, blocks).
fn first_gif_frame_end(b: &[u8]) -> usize {
    let mut i = 13
        + if b[10] & 0x80 != 0 {
            3 << ((b[10] & 7) + 1)
        } else {
            0
        };
    let skip_blocks = |mut i: usize| {
        while b[i] != 0 {
            i += b[i] as usize + 1;
        }
        i + 1
    };
    loop {
        match b[i] {
            0x21 => i = skip_blocks(i + 2),
            0x2C => {
                let local = if b[i + 9] & 0x80 != 0 {
                    3 << ((b[i + 9] & 7) + 1)
                } else {
                    0
                };
                return skip_blocks(i + 10 + local + 1);
            }
            other => panic!("unexpected GIF block {other:#x} at {i}"),
        }
    }
}

#[test]
fn fuzzed_fixtures_never_panic() {
    let mut seed = 0x9E37_79B9_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    for name in ALL_FIXTURES {
        let b = fixture(name);
        for _ in 0..150 {
            let mut f = b.clone();
            for _ in 0..1 + next() % 4 {
                let i = next() as usize % f.len();
                f[i] ^= 1 << (next() % 8);
            }
            let cut = if next() % 3 == 0 {
                next() as usize % f.len()
            } else {
                f.len()
            };
            let opts = DecodeOptions {
                max_pixels: 1 << 20,
                shrink: 1 << (next() % 4),
            };
            if let Ok(d) = decode(&f[..cut], &opts) {
                assert_eq!(
                    d.image.data.len(),
                    d.image.width as usize * d.image.height as usize * 4
                );
            }
        }
    }
}

// ---- encode ---------------------------------------------------------------------------------

/// A smooth photo-like RGBA test image with a transparent band on the right.
fn sample(w: u32, h: u32) -> Image {
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let r = 128.0 + 100.0 * (fx * 6.0).sin();
            let g = 128.0 + 90.0 * (fy * 5.0 + fx).cos();
            let b = 60.0 + 150.0 * fx * fy;
            let a = if x >= w * 3 / 4 { 0 } else { 255 };
            data.extend_from_slice(&[r as u8, g as u8, b as u8, a]);
        }
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

fn opts(format: Format) -> EncodeOptions {
    EncodeOptions {
        format,
        quality: 90,
        ..EncodeOptions::default()
    }
}

/// PSNR over RGB of the opaque pixels of `a`.
fn psnr(a: &Image, b: &Image) -> f64 {
    let (mut se, mut n) = (0f64, 0f64);
    for (p, q) in a.data.chunks(4).zip(b.data.chunks(4)) {
        if p[3] == 255 {
            for c in 0..3 {
                se += (p[c] as f64 - q[c] as f64).powi(2);
                n += 1.0;
            }
        }
    }
    if se == 0.0 {
        return f64::INFINITY;
    }
    10.0 * (255f64.powi(2) / (se / n)).log10()
}

/// PSNR of 5×5 box-blurred RGB, over windows where `a` is fully opaque.
fn blurred_psnr(a: &Image, b: &Image) -> f64 {
    let (mut se, mut n) = (0f64, 0f64);
    for y in 2..a.height - 2 {
        for x in 2..a.width - 2 {
            let (mut sa, mut sb, mut opaque) = ([0f64; 3], [0f64; 3], true);
            for (dx, dy) in (0..25).map(|i| (i % 5, i / 5)) {
                let (p, q) = (
                    a.pixel(x + dx - 2, y + dy - 2),
                    b.pixel(x + dx - 2, y + dy - 2),
                );
                opaque &= p[3] == 255;
                for c in 0..3 {
                    sa[c] += p[c] as f64 / 25.0;
                    sb[c] += q[c] as f64 / 25.0;
                }
            }
            if opaque {
                se += (0..3).map(|c| (sa[c] - sb[c]).powi(2)).sum::<f64>();
                n += 3.0;
            }
        }
    }
    10.0 * (255f64.powi(2) / (se / n)).log10()
}

fn roundtrip(img: &Image, o: &EncodeOptions) -> (Vec<u8>, Image) {
    let bytes = encode(img, o).unwrap_or_else(|e| panic!("{o:?}: {e}"));
    let back = decode(&bytes, &DecodeOptions::default())
        .unwrap_or_else(|e| panic!("{o:?}: {e}"))
        .image;
    assert_eq!((back.width, back.height), (img.width, img.height), "{o:?}");
    (bytes, back)
}

#[test]
fn lossless_formats_roundtrip_exactly() {
    let img = sample(97, 61);
    let opaque = Image {
        data: img
            .data
            .chunks(4)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        ..img.clone()
    };
    for (format, compression) in [
        (Format::PngAlpha, Compression::Default),
        (Format::TifAlpha, Compression::None),
        (Format::TifAlpha, Compression::Lzw),
        (Format::TifAlpha, Compression::Zip),
        (Format::WebpAlpha, Compression::Lossless),
    ] {
        let o = EncodeOptions {
            compression,
            ..opts(format)
        };
        let (_, back) = roundtrip(&img, &o);
        for (p, q) in img.data.chunks(4).zip(back.data.chunks(4)) {
            // Invisible pixels may change colour (WebP lossless); visible ones may not.
            assert_eq!(p[3], q[3], "{o:?}");
            if p[3] != 0 {
                assert_eq!(p, q, "{o:?}");
            }
        }
    }
    for format in [Format::Png, Format::Tif] {
        let (_, back) = roundtrip(&img, &opts(format));
        assert_eq!(back, opaque, "{format:?} drops alpha");
    }
    let (_, back) = roundtrip(
        &img,
        &EncodeOptions {
            compression: Compression::Lossless,
            ..opts(Format::Webp)
        },
    );
    assert_eq!(back, opaque);
}

#[test]
fn jpeg_roundtrip_quality_chroma_and_progressive() {
    let img = sample(200, 150);
    let (q90, back) = roundtrip(&img, &opts(Format::Jpeg));
    assert!(back.is_opaque());
    assert!(psnr(&img, &back) > 36.0, "{}", psnr(&img, &back));
    let low = encode(
        &img,
        &EncodeOptions {
            quality: 20,
            ..opts(Format::Jpeg)
        },
    )
    .unwrap();
    assert!(
        low.len() < q90.len() * 2 / 3,
        "{} vs {}",
        low.len(),
        q90.len()
    );
    let full = EncodeOptions {
        no_chroma_subsampling: true,
        ..opts(Format::Jpeg)
    };
    let (_, back444) = roundtrip(&img, &full);
    assert!(psnr(&img, &back444) >= psnr(&img, &back));
    // SOF0 (baseline) vs SOF2 (progressive) and the number of scans (SOS markers).
    assert!(has_marker(&q90, 0xC0) && !has_marker(&q90, 0xC2));
    let mut sizes = Vec::new();
    for pscan in [None, Some(3), Some(4), Some(5)] {
        let o = EncodeOptions {
            pscan,
            ..opts(Format::Pjpeg)
        };
        let (bytes, back) = roundtrip(&img, &o);
        assert!(
            has_marker(&bytes, 0xC2) && !has_marker(&bytes, 0xC0),
            "{pscan:?}"
        );
        assert!(psnr(&img, &back) > 36.0);
        sizes.push(count_marker(&bytes, 0xDA));
    }
    // Per component: one DC scan plus pscan - 1 AC bands; auto is 4.
    assert_eq!(sizes, vec![12, 9, 12, 15]);
}

fn has_marker(b: &[u8], m: u8) -> bool {
    count_marker(b, m) > 0
}

fn count_marker(b: &[u8], m: u8) -> usize {
    b.windows(2).filter(|w| w == &[0xFF, m]).count()
}

#[test]
fn webp_lossy_roundtrip() {
    let img = sample(160, 120);
    let (b90, back) = roundtrip(&img, &opts(Format::Webp));
    assert!(back.is_opaque());
    assert!(psnr(&img, &back) > 32.0, "{}", psnr(&img, &back));
    let (_, back) = roundtrip(&img, &opts(Format::WebpAlpha));
    assert!(psnr(&img, &back) > 32.0);
    for (p, q) in img.data.chunks(4).zip(back.data.chunks(4)) {
        assert!(p[3].abs_diff(q[3]) <= 2);
    }
    let b20 = encode(
        &img,
        &EncodeOptions {
            quality: 20,
            ..opts(Format::Webp)
        },
    )
    .unwrap();
    assert!(b20.len() < b90.len());
}

#[test]
fn gif_roundtrip_palette_and_key_colour() {
    // Few colours: exact palette.
    let img = Image::filled(40, 30, ipsd::engine::Rgba::rgb(12, 200, 99));
    let (_, back) = roundtrip(&img, &opts(Format::Gif));
    assert_eq!(back, img);
    // Many colours: quantised and dithered, still close.
    let img = sample(120, 90);
    let (_, back) = roundtrip(&img, &opts(Format::Gif));
    assert!(back.is_opaque());
    // Dithering trades per-pixel error for a faithful local average.
    assert!(psnr(&img, &back) > 22.0, "{}", psnr(&img, &back));
    assert!(
        blurred_psnr(&img, &back) > 32.0,
        "{}",
        blurred_psnr(&img, &back)
    );
    let (_, back) = roundtrip(&img, &opts(Format::GifAlpha));
    assert!(blurred_psnr(&img, &back) > 32.0);
    for (p, q) in img.data.chunks(4).zip(back.data.chunks(4)) {
        assert_eq!(p[3], q[3]);
    }
}

#[test]
fn encode_refuses_bad_input() {
    let bad = Image {
        width: 10,
        height: 10,
        data: vec![0; 12],
    };
    assert!(matches!(
        encode(&bad, &opts(Format::Png)),
        Err(CodecError::Encode(_))
    ));
    let wide = Image::filled(70_000, 1, ipsd::engine::Rgba::WHITE);
    assert!(matches!(
        encode(&wide, &opts(Format::Jpeg)),
        Err(CodecError::Encode(_))
    ));
    assert!(matches!(
        encode(&wide, &opts(Format::Webp)),
        Err(CodecError::Encode(_))
    ));
    assert!(matches!(
        encode(&wide, &opts(Format::Gif)),
        Err(CodecError::Encode(_))
    ));
}
