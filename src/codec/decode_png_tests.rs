//! `decode_png` (one core and two) against the `image` crate's PNG decoder (png + fdeflate), on
//! files written by the `png` crate with each row filter, both colour types, one big block
//! (fdeflate) or many (flate2), one IDAT chunk or many; the files it must leave to the `image`
//! crate; and shrink-on-load fed as rows arrive.

use super::DECODED;
use crate::codec::box_shrink;
use crate::engine::Image;
use png::{BitDepth, ColorType, Compression, Encoder, Filter};

/// The full-size pixels, as most tests compare them.
fn decode(b: &[u8], split: bool) -> Option<Vec<u8>> {
    super::decode(b, split, 1).map(|mut i| std::mem::take(&mut i.data))
}

/// Noise over gradients: the IDAT stays above `SPLIT_MIN` at 800 x 600.
fn pixels(w: usize, h: usize, bpp: usize) -> Vec<u8> {
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let mut v = Vec::with_capacity(w * h * bpp);
    for y in 0..h {
        for x in 0..w {
            for c in 0..bpp {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                v.push(((x * (c + 1) + y * 2) as u64 + (s & 31)) as u8);
            }
        }
    }
    v
}

fn png(
    w: usize,
    h: usize,
    color: ColorType,
    filter: Filter,
    c: Compression,
    chunk: usize,
) -> Vec<u8> {
    let bpp = if color == ColorType::Rgba { 4 } else { 3 };
    let mut out = Vec::new();
    {
        let mut e = Encoder::new(&mut out, w as u32, h as u32);
        e.set_color(color);
        e.set_depth(BitDepth::Eight);
        e.set_filter(filter);
        e.set_compression(c);
        let mut wr = e.write_header().unwrap();
        let mut s = wr.stream_writer_with_size(chunk).unwrap();
        std::io::Write::write_all(&mut s, &pixels(w, h, bpp)).unwrap();
        s.finish().unwrap();
    }
    out
}

/// An 800 x 600 RGBA PNG, Paeth rows, one fdeflate block in one IDAT chunk.
fn paeth_rgba() -> Vec<u8> {
    png(
        800,
        600,
        ColorType::Rgba,
        Filter::Paeth,
        Compression::Fast,
        1 << 30,
    )
}

fn reference(bytes: &[u8]) -> Vec<u8> {
    image::load_from_memory(bytes)
        .unwrap()
        .into_rgba8()
        .into_raw()
}

#[test]
fn every_filter_colour_type_and_stream_layout_matches_the_image_crate() {
    let filters = [
        Filter::NoFilter,
        Filter::Sub,
        Filter::Up,
        Filter::Avg,
        Filter::Paeth,
        Filter::Adaptive,
    ];
    for color in [ColorType::Rgba, ColorType::Rgb] {
        for filter in filters {
            for (c, chunk) in [
                (Compression::Fast, 1 << 30),
                (Compression::Balanced, 1 << 16),
            ] {
                let b = png(800, 600, color, filter, c, chunk);
                let want = reference(&b);
                for split in [false, true] {
                    let got = decode(&b, split)
                        .unwrap_or_else(|| panic!("{color:?} {filter:?} {c:?} declined"));
                    assert_eq!(got, want, "{color:?} {filter:?} {c:?} split {split}");
                }
            }
        }
    }
}

#[test]
fn leaves_odd_or_damaged_files_to_the_image_crate() {
    let big = paeth_rgba();
    for split in [false, true] {
        assert!(decode(&big, split).is_some());
        // A flipped bit in the IDAT data: its CRC no longer matches.
        let mut bad = big.clone();
        let at = bad.len() / 2;
        bad[at] ^= 4;
        assert!(decode(&bad, split).is_none());
        // Cut short.
        assert!(decode(&big[..big.len() * 3 / 4], split).is_none());
    }
    // A small one is decoded on one core even when two are offered.
    let small = png(
        100,
        100,
        ColorType::Rgba,
        Filter::Paeth,
        Compression::Fast,
        1 << 30,
    );
    assert_eq!(decode(&small, true), Some(reference(&small)));
    // Gray, 16-bit and interlaced images are not this decoder's.
    let mut gray = Vec::new();
    {
        let mut e = Encoder::new(&mut gray, 1500, 1000);
        e.set_color(ColorType::Grayscale);
        let mut wr = e.write_header().unwrap();
        wr.write_image_data(&pixels(1500, 1000, 1)).unwrap();
    }
    assert!(decode(&gray, false).is_none());
    // The IHDR of `big` with byte `at` of its data set to `v` (and its CRC made right).
    let ihdr = |at: usize, v: u8| {
        let mut b = big.clone();
        b[16 + at] = v;
        let crc = crc32fast::hash(&b[12..29]);
        b[29..33].copy_from_slice(&crc.to_be_bytes());
        b
    };
    assert!(
        decode(&ihdr(0, 0), false).is_some(),
        "the rewritten CRC is right"
    );
    let ihdr_16 = ihdr(8, 16);
    assert!(decode(&ihdr(12, 1), false).is_none(), "interlaced");
    assert!(decode(&ihdr_16, false).is_none());
}

/// Damaged zlib data under right CRCs: ipsd answers the `image` crate's pixels, or `None`
/// (then the `image` crate decodes or reports the file itself); never a panic.
#[test]
fn damaged_streams_under_right_crcs_never_differ_from_the_image_crate() {
    for color in [ColorType::Rgba, ColorType::Rgb] {
        let good = png(800, 600, color, Filter::Paeth, Compression::Fast, 1 << 30);
        assert!(
            good.len() > super::SPLIT_MIN,
            "{color:?}: both inflate paths run"
        );
        damage(&good, &format!("{color:?}"));
    }
}

/// 24 one-bit flips in the IDAT data of `good` (800 x 600, one IDAT chunk), its CRC fixed each
/// time.
fn damage(good: &[u8], what: &str) {
    // The one IDAT chunk: its data starts after the 8-byte signature, the 25-byte IHDR chunk
    // and its own 8-byte header.
    let (start, len) = (
        41,
        u32::from_be_bytes(good[33..37].try_into().unwrap()) as usize,
    );
    assert_eq!(&good[37..41], b"IDAT");
    let mut s = 0x853C_49E6_748F_EA9Bu64;
    for k in 0..24 {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut bad = good.to_vec();
        let at = start + 2 + (s >> 33) as usize % (len - 2);
        bad[at] ^= 1 << (s >> 20 & 7);
        let crc = crc32fast::hash(&bad[37..start + len]);
        bad[start + len..start + len + 4].copy_from_slice(&crc.to_be_bytes());
        let want = image::load_from_memory(&bad)
            .ok()
            .map(|i| i.into_rgba8().into_raw());
        // Shrunk too (a thumbnail's decode): rows are unfiltered and shrunk as they arrive.
        let want_half = want.clone().map(|data| {
            let full = Image {
                width: 800,
                height: 600,
                data,
            };
            box_shrink::shrink(full, 2).data.clone()
        });
        for split in [false, true] {
            if let Some(got) = decode(&bad, split) {
                assert!(Some(got) == want, "{what}: mutation {k} split {split}");
            }
            if let Some(got) = super::decode(&bad, split, 2) {
                let ok = Some(&got.data) == want_half.as_ref();
                assert!(ok, "{what}: mutation {k} split {split} by 2");
            }
        }
    }
}

/// `codec::decode` takes this path for an 8-bit RGBA PNG (the `image` crate would give the same
/// pixels, so only the counter tells).
#[test]
fn codec_decode_comes_here() {
    let b = paeth_rgba();
    let before = DECODED.with(|d| d.get());
    let img = crate::codec::decode(&b, &Default::default()).unwrap().image;
    assert_eq!(DECODED.with(|d| d.get()), before + 1);
    assert!(img.data == reference(&b));
}

/// Shrink-on-load fed batch by batch while decoding (on one core and on two, RGB and RGBA) gives
/// what shrinking the whole decoded image gives.
#[test]
fn shrinking_as_rows_arrive_equals_shrinking_after() {
    let layouts = [
        (ColorType::Rgba, Filter::Avg, Compression::Fast, 1 << 30),
        (ColorType::Rgb, Filter::Avg, Compression::Fast, 1 << 30),
        (
            ColorType::Rgba,
            Filter::Paeth,
            Compression::Balanced,
            1 << 16,
        ),
        (
            ColorType::Rgb,
            Filter::Paeth,
            Compression::Balanced,
            1 << 16,
        ),
    ];
    for (color, filter, c, chunk) in layouts {
        let b = png(803, 601, color, filter, c, chunk);
        let full = Image {
            width: 803,
            height: 601,
            data: reference(&b),
        };
        for n in [2, 4, 8] {
            let want = box_shrink::shrink(full.clone(), n);
            for split in [false, true] {
                let got = super::decode(&b, split, n).expect("decoded");
                assert!(got == want, "{color:?} {filter:?} by {n} split {split}");
            }
        }
    }
}
