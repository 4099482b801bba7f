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
    for (w, h) in [(37, 23), (16, 16), (1, 1), (9, 2), (2, 17), (64, 40)] {
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
