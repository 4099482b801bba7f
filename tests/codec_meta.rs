//! What `encode` writes besides the pixels (spec/is-protocol.md §4.38–4.40): `printRes=` in the
//! JFIF / pHYs / TIFF resolution fields, `iccEmbed=` as an ICC profile, and the `icc=`
//! conversion, each read back with independent readers (the `png` and `tiff` crates, the
//! `image` crate's JPEG decoder, and the JFIF header parsed by hand).

use ipsd::codec::{decode, encode, DecodeOptions, EncodeOptions, Format, OutputMeta, Profile};
use ipsd::engine::Image;
use std::io::Cursor;

fn patchwork() -> Image {
    let (w, h) = (48u32, 32u32);
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            data.extend_from_slice(&[(x * 5) as u8, (y * 7) as u8, 200 - (x + y) as u8, 255]);
        }
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

fn enc(format: Format, meta: OutputMeta) -> Vec<u8> {
    let o = EncodeOptions {
        format,
        quality: 95,
        meta,
        ..EncodeOptions::default()
    };
    encode(&patchwork(), &o).unwrap()
}

fn meta(print_res: Option<f64>, embed: bool, profile: Profile) -> OutputMeta {
    OutputMeta {
        profile,
        embed_icc: embed,
        print_res,
        ..OutputMeta::default()
    }
}

/// JFIF APP0 (right after SOI): units (1 = dots per inch) and X/Y density.
fn jfif_density(b: &[u8]) -> (u8, u16, u16) {
    assert_eq!(&b[0..4], &[0xFF, 0xD8, 0xFF, 0xE0], "SOI then APP0");
    assert_eq!(&b[6..11], b"JFIF\0");
    let be = |i: usize| u16::from_be_bytes([b[i], b[i + 1]]);
    (b[13], be(14), be(16))
}

fn image_icc(bytes: &[u8], f: image::ImageFormat) -> Option<Vec<u8>> {
    use image::ImageDecoder;
    match f {
        image::ImageFormat::Jpeg => image::codecs::jpeg::JpegDecoder::new(Cursor::new(bytes))
            .unwrap()
            .icc_profile()
            .unwrap(),
        image::ImageFormat::Png => image::codecs::png::PngDecoder::new(Cursor::new(bytes))
            .unwrap()
            .icc_profile()
            .unwrap(),
        image::ImageFormat::Tiff => image::codecs::tiff::TiffDecoder::new(Cursor::new(bytes))
            .unwrap()
            .icc_profile()
            .unwrap(),
        _ => unreachable!(),
    }
}

#[test]
fn jpeg_carries_print_res_and_the_profile() {
    let b = enc(Format::Jpeg, meta(Some(300.0), true, Profile::Srgb));
    assert_eq!(jfif_density(&b), (1, 300, 300));
    let icc = image_icc(&b, image::ImageFormat::Jpeg).expect("embedded profile");
    assert_eq!(&icc[..], &Profile::Srgb.icc().unwrap()[..]);
    // Rounded to whole dpi; without printRes the JFIF default (aspect ratio 1:1, no units).
    let b = enc(Format::Pjpeg, meta(Some(71.6), false, Profile::Srgb));
    assert_eq!(jfif_density(&b), (1, 72, 72));
    assert_eq!(image_icc(&b, image::ImageFormat::Jpeg), None);
    let b = enc(Format::Jpeg, meta(None, false, Profile::Srgb));
    assert_eq!(jfif_density(&b), (0, 1, 1));
}

#[test]
fn png_carries_print_res_and_the_profile() {
    for format in [Format::Png, Format::PngAlpha] {
        let b = enc(format, meta(Some(300.0), true, Profile::AdobeRgb));
        let r = png::Decoder::new(Cursor::new(&b)).read_info().unwrap();
        let dims = r.info().pixel_dims.expect("pHYs");
        // 300 dpi = 11811 pixels per metre.
        assert_eq!(
            (dims.xppu, dims.yppu, dims.unit),
            (11811, 11811, png::Unit::Meter)
        );
        let icc = r.info().icc_profile.as_deref().expect("iCCP").to_vec();
        assert_eq!(&icc[..], &Profile::AdobeRgb.icc().unwrap()[..]);
        assert_eq!(image_icc(&b, image::ImageFormat::Png), Some(icc));
    }
    let b = enc(Format::Png, meta(None, false, Profile::Srgb));
    let r = png::Decoder::new(Cursor::new(&b)).read_info().unwrap();
    assert!(r.info().pixel_dims.is_none() && r.info().icc_profile.is_none());
}

#[test]
fn tiff_carries_print_res_and_the_profile() {
    use tiff::decoder::Decoder;
    use tiff::tags::Tag;
    for format in [Format::Tif, Format::TifAlpha] {
        let b = enc(format, meta(Some(240.5), true, Profile::Srgb));
        let mut d = Decoder::new(Cursor::new(&b)).unwrap();
        assert_eq!(d.get_tag_u32(Tag::ResolutionUnit).unwrap(), 2, "inches");
        let x = d.get_tag_u32_vec(Tag::XResolution).unwrap();
        let y = d.get_tag_u32_vec(Tag::YResolution).unwrap();
        assert_eq!((x[0] as f64 / x[1] as f64, y), (240.5, x.clone()));
        assert_eq!(
            image_icc(&b, image::ImageFormat::Tiff).as_deref(),
            Some(&Profile::Srgb.icc().unwrap()[..])
        );
    }
    let b = enc(Format::Tif, meta(None, false, Profile::Srgb));
    assert_eq!(image_icc(&b, image::ImageFormat::Tiff), None);
}

#[test]
fn gif_and_webp_ignore_embedding_and_print_res() {
    for format in [Format::Gif, Format::Webp, Format::WebpAlpha] {
        let with = enc(format, meta(Some(300.0), true, Profile::Srgb));
        assert_eq!(with, enc(format, OutputMeta::default()), "{format:?}");
    }
}

/// `icc=AdobeRGB` writes Adobe RGB numbers: a reader that ignores profiles sees them (less
/// saturated), and our decoder, which honours the embedded profile, gets the sRGB back.
#[test]
fn icc_converts_and_the_embedded_profile_undoes_it() {
    let src = patchwork();
    let b = enc(Format::Png, meta(None, true, Profile::AdobeRgb));
    let raw = image::load_from_memory(&b).unwrap().to_rgba8();
    let back = decode(&b, &DecodeOptions::default()).unwrap().image;
    let (mut moved, mut worst, mut total) = (0u32, 0u8, 0f64);
    for (i, p) in src.data.chunks_exact(4).enumerate() {
        let r = &raw.as_raw()[i * 4..i * 4 + 4];
        let q = &back.data[i * 4..i * 4 + 4];
        moved = moved.max(
            p[..3]
                .iter()
                .zip(r)
                .map(|(a, b)| a.abs_diff(*b) as u32)
                .sum(),
        );
        for c in 0..3 {
            worst = worst.max(p[c].abs_diff(q[c]));
            total += p[c].abs_diff(q[c]) as f64;
        }
    }
    assert!(
        moved >= 20,
        "the stored numbers are Adobe RGB, not sRGB ({moved})"
    );
    // 8-bit Adobe RGB is coarse where sRGB red is near 0 beside strong green and blue (one
    // Adobe level is up to ~8 sRGB levels there): a few colours move that far, the mean not.
    let mean = total / (src.data.len() / 4 * 3) as f64;
    assert!(
        worst <= 10 && mean <= 1.0,
        "round trip: worst {worst}, mean {mean}"
    );
    // sRGB pure red is (219, 0, 0) in Adobe RGB.
    let red = Image {
        width: 1,
        height: 1,
        data: vec![255, 0, 0, 255],
    };
    let o = EncodeOptions {
        format: Format::Png,
        meta: meta(None, false, Profile::AdobeRgb),
        ..EncodeOptions::default()
    };
    let px = image::load_from_memory(&encode(&red, &o).unwrap())
        .unwrap()
        .to_rgba8()
        .get_pixel(0, 0)
        .0;
    assert!(
        px[0].abs_diff(219) <= 1 && px[1] <= 1 && px[2] <= 1,
        "{px:?}"
    );
}

fn noisy(w: u32, h: u32) -> Image {
    let mut s = 0x1234_5678u32;
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for _ in 0..w * h {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        data.extend_from_slice(&[s as u8, (s >> 8) as u8, (s >> 16) as u8, 255]);
    }
    Image {
        width: w,
        height: h,
        data,
    }
}

/// `jpegSize=` lowers the quality until the file fits, and says so when it cannot.
#[test]
fn jpeg_size_lowers_quality_until_the_file_fits() {
    let img = noisy(300, 200);
    let at = |q: u8, kb: u32| {
        let o = EncodeOptions {
            format: Format::Jpeg,
            quality: q,
            jpeg_size_kb: kb,
            ..EncodeOptions::default()
        };
        encode(&img, &o)
    };
    let full = at(95, 0).unwrap();
    assert_eq!(
        at(95, (full.len() / 1024 + 1) as u32).unwrap(),
        full,
        "fits already"
    );
    let cap = (full.len() / 2 / 1024) as u32;
    let fitted = at(95, cap).unwrap();
    assert!(
        fitted.len() <= cap as usize * 1024,
        "{} > {cap} KB",
        fitted.len()
    );
    // The highest quality that fits: one step up would not have.
    let q = (1..95u8)
        .rev()
        .find(|&q| at(q, 0).unwrap().len() <= cap as usize * 1024)
        .unwrap();
    assert_eq!(fitted, at(q, 0).unwrap(), "quality {q}");
    let decoded = image::load_from_memory(&fitted).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (300, 200));
    match at(95, 1) {
        Err(ipsd::codec::CodecError::Unmet(m)) => assert_eq!(
            m,
            "jpegSize: the 300x200 JPEG does not fit in 1 KB even at quality 1"
        ),
        other => panic!("{other:?}"),
    }
}
