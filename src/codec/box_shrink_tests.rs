use super::*;
use crate::codec::decode::{decode, DecodeOptions};
use crate::codec::{encode, EncodeOptions, Format};

/// A deterministic image with every alpha value from 0 to 255 (or opaque).
fn noise(w: u32, h: u32, alpha: bool) -> Image {
    let mut seed = 0x9e37_79b9u32;
    let data = (0..w * h * 4)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            if i % 4 == 3 && !alpha {
                255
            } else {
                (seed >> 24) as u8
            }
        })
        .collect();
    Image {
        width: w,
        height: h,
        data,
    }
}

/// The definition, pixel by pixel in integers: colour = round(sum(c * a) / sum(a)) (0 when the
/// block is fully transparent), alpha = round(sum(a) / pixels), halves rounded up.
fn reference(img: &Image, n: usize) -> Image {
    let (w, h) = (img.width as usize, img.height as usize);
    let (ow, oh) = (w.div_ceil(n), h.div_ceil(n));
    let mut data = Vec::with_capacity(ow * oh * 4);
    for oy in 0..oh {
        for ox in 0..ow {
            let (mut ca, mut a, mut count) = ([0u64; 3], 0u64, 0u64);
            for y in oy * n..(oy * n + n).min(h) {
                for x in ox * n..(ox * n + n).min(w) {
                    let p = &img.data[(y * w + x) * 4..][..4];
                    for c in 0..3 {
                        ca[c] += p[c] as u64 * p[3] as u64;
                    }
                    a += p[3] as u64;
                    count += 1;
                }
            }
            for v in ca {
                data.push(if a == 0 { 0 } else { (2 * v + a) / (2 * a) } as u8);
            }
            data.push(((2 * a + count) / (2 * count)) as u8);
        }
    }
    Image {
        width: ow as u32,
        height: oh as u32,
        data,
    }
}

#[test]
fn equals_the_definition_at_every_factor_and_edge() {
    // 139 wide: 2 x 2 blocks eight at a time (AVX2), four (SSE2), one, and the edge column.
    for (w, h) in [
        (37, 23),
        (16, 16),
        (1, 1),
        (9, 2),
        (2, 17),
        (64, 40),
        (139, 9),
    ] {
        for alpha in [true, false] {
            let img = noise(w, h, alpha);
            for n in [2u32, 4, 8] {
                let got = shrink(img.clone(), n);
                assert_eq!((got.width, got.height), (w.div_ceil(n), h.div_ceil(n)));
                assert!(
                    got == reference(&img, n as usize),
                    "{w}x{h} alpha {alpha} by {n}"
                );
            }
        }
    }
}

/// The AVX2 halving on its own (the other tests go through it and the SSE2 one together), where
/// the CPU has AVX2: every pixel it writes is the definition's.
#[cfg(target_arch = "x86_64")]
#[test]
fn avx2_halving_equals_the_definition() {
    let img = noise(200, 2, true);
    let want = reference(&img, 2);
    let mut out = vec![0; 400];
    let rows = img.data.split_at(800);
    let done = crate::codec::box_shrink_avx2::halve_rows(rows.0, rows.1, &mut out);
    if std::arch::is_x86_feature_detected!("avx2") {
        assert_eq!(done, 96);
    }
    assert!(out[..done * 4] == want.data[..done * 4]);
}

#[test]
fn factor_one_and_unknown_factors_change_nothing() {
    let img = noise(5, 3, true);
    assert_eq!(shrink(img.clone(), 1), img);
    assert_eq!(shrink(img.clone(), 3), img);
}

#[test]
fn transparent_pixels_lend_no_colour() {
    // One opaque red pixel and three transparent green ones: red at a quarter alpha.
    let img = Image {
        width: 2,
        height: 2,
        data: [
            [255, 0, 0, 255],
            [0, 255, 0, 0],
            [0, 255, 0, 0],
            [0, 255, 0, 0],
        ]
        .concat(),
    };
    assert_eq!(shrink(img, 2).data, [255, 0, 0, 64]);
    let clear = Image::filled(
        4,
        4,
        crate::engine::Rgba {
            r: 9,
            g: 9,
            b: 9,
            a: 0,
        },
    );
    assert!(shrink(clear, 4).data == [0, 0, 0, 0]);
}

/// An independent implementation: `fast_image_resize`'s box filter at exactly half size, which
/// averages the same 2 x 2 blocks (in fixed point, hence the tolerance of 1).
#[test]
fn opaque_halving_agrees_with_fast_image_resize() {
    use fast_image_resize as fr;
    let img = noise(64, 48, false);
    let src = fr::images::ImageRef::new(64, 48, &img.data, fr::PixelType::U8x4).unwrap();
    let mut dst = fr::images::Image::new(32, 24, fr::PixelType::U8x4);
    let opts = fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Box));
    fr::Resizer::new().resize(&src, &mut dst, &opts).unwrap();
    let ours = shrink(img, 2);
    let worst = ours
        .data
        .iter()
        .zip(dst.buffer())
        .map(|(a, b)| a.abs_diff(*b))
        .max();
    assert!(worst <= Some(1), "worst difference {worst:?}");
}

/// `decode` applies the shrink to formats without DCT scaling, after decoding them whole: a PNG
/// (the own decoder) and a TIFF (the `image` crate) come out as their full decode block-averaged.
#[test]
fn decode_shrinks_other_formats_on_load() {
    let img = noise(41, 30, true);
    for format in [Format::PngAlpha, Format::TifAlpha] {
        let opts = EncodeOptions {
            format,
            ..EncodeOptions::default()
        };
        let bytes = encode(&img, &opts).unwrap();
        let full = decode(&bytes, &DecodeOptions::default()).unwrap();
        for n in [2, 4, 8] {
            let opts = DecodeOptions {
                shrink: n,
                ..DecodeOptions::default()
            };
            let d = decode(&bytes, &opts).unwrap();
            assert_eq!(d.shrink, n);
            assert_eq!((d.header.width, d.header.height), (41, 30));
            assert!(
                d.image == shrink(full.image.clone(), n),
                "{format:?} by {n}"
            );
        }
    }
}

/// A smooth RGBA image with an alpha ramp (no detail a block average would lose).
fn smooth(w: u32, h: u32) -> Image {
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let c = |k: f32| (127.5 + 120.0 * (fx * k + fy * 2.0).sin()) as u8;
            data.extend_from_slice(&[c(3.0), c(5.0), c(7.0), (255.0 * (1.0 - 0.7 * fx)) as u8]);
        }
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

/// Through the whole render: a PNG cropped at odd offsets and scaled by 1/4 is decoded at 1/2
/// (the plan's shrink), and the crop lands where a resample of the full-size pixels puts it.
#[tokio::test]
async fn a_png_render_with_shrink_on_load_matches_one_from_full_size() {
    use crate::engine::{cpu, Filter};
    use crate::modifier::{self, Limits};
    let img = smooth(401, 301);
    let opts = EncodeOptions {
        format: Format::PngAlpha,
        ..EncodeOptions::default()
    };
    let png = bytes::Bytes::from(encode(&img, &opts).unwrap());
    let query = "crop=41,31,320,240&wid=80&resMode=sharp2&fmt=png-alpha";
    let commands = modifier::parse(query).unwrap();
    let limits = Limits::copy_image(100_000_000);
    let plan = modifier::plan(401, 301, &commands, &limits).unwrap();
    assert_eq!(plan.decode_shrink, 2);
    let got = crate::render::render(&cpu::CpuExecutor, png, &commands, &limits)
        .await
        .unwrap();
    let got = decode(&got.bytes, &DecodeOptions::default()).unwrap().image;
    let want = cpu::resample(&img, [41.0, 31.0, 320.0, 240.0], 80, 60, Filter::Lanczos3).unwrap();
    assert_eq!((got.width, got.height), (80, 60));
    let diffs: Vec<u32> = got
        .data
        .iter()
        .zip(&want.data)
        .map(|(a, b)| a.abs_diff(*b) as u32)
        .collect();
    let mean = diffs.iter().sum::<u32>() as f64 / diffs.len() as f64;
    let worst = diffs.iter().max().copied().unwrap_or(0);
    assert!(mean < 1.0 && worst <= 6, "mean {mean:.2}, worst {worst}");
}

/// Damaged files asked for at a shrink fail as they do at full size: a clear `Corrupt`, never a
/// partly averaged image (the PNG's own decoder declines, the `image` crate reports).
#[test]
fn damaged_files_are_corrupt_at_every_shrink() {
    use crate::codec::CodecError;
    let img = noise(64, 48, true);
    for format in [Format::PngAlpha, Format::TifAlpha] {
        let opts = EncodeOptions {
            format,
            ..EncodeOptions::default()
        };
        let bytes = encode(&img, &opts).unwrap();
        let mut flipped = bytes.clone();
        let at = flipped.len() * 2 / 3;
        flipped[at] ^= 0x40;
        for bad in [&bytes[..bytes.len() * 2 / 3], &flipped[..]] {
            for n in [1, 2, 4, 8] {
                let opts = DecodeOptions {
                    shrink: n,
                    ..DecodeOptions::default()
                };
                match decode(bad, &opts) {
                    Err(CodecError::Corrupt(_)) => {}
                    Ok(d) if format == Format::TifAlpha && bad.len() == bytes.len() => {
                        // An uncompressed TIFF with a flipped pixel byte is still a TIFF.
                        assert_eq!(d.image.width, 64u32.div_ceil(n));
                    }
                    other => panic!("{format:?} by {n}: {other:?}"),
                }
            }
        }
    }
}
