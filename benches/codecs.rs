//! Criterion benches for `codec::decode` and `codec::encode`.
//!
//! Ids: `decode_jpeg_4000x3000/shrink_{1,2,4,8}` (a photo-like q90 4:2:0 JPEG, DCT
//! shrink-on-load) with `decode_jpeg_4000x3000/image_crate` (the `image` crate's decoder,
//! zune-jpeg) as a reference in the same run; `decode_png_4000x3000/{ipsd,ipsd_shrink_2,
//! image_crate}` (the load bench's 12 MP RGBA PNG: ipsd decodes it on two cores when nothing
//! else decodes, as here; the `image` crate is png + fdeflate) and `decode_png_rgb_4000x3000/..`
//! (the same picture as an RGB PNG); `decode_800x600/<format>` for each source format;
//! `encode_800x600/<format>` for each output format, with `encode_800x600/jpeg_image_crate` as
//! the reference and `encode_800x600/jpeg_adobe_rgb` (`icc=AdobeRGB&iccEmbed=1&printRes=300`:
//! the colour conversion's cost); `probe_4000x3000/{jpeg,pjpeg,png_alpha}` (the upload validation). Short runs (10 samples): `cargo bench --bench codecs`.

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use ipsd::codec::{
    decode, encode, Compression, DecodeOptions, EncodeOptions, Format, OutputMeta, Profile,
};
use std::hint::black_box;
use std::time::Duration;

#[path = "common/photo.rs"]
mod photo;
use photo::photo;

fn opts(format: Format, compression: Compression) -> EncodeOptions {
    EncodeOptions {
        format,
        quality: if format == Format::Jpeg { 85 } else { 80 },
        compression,
        ..EncodeOptions::default()
    }
}

const FORMATS: [(&str, Format, Compression); 11] = [
    ("jpeg", Format::Jpeg, Compression::Default),
    ("pjpeg", Format::Pjpeg, Compression::Default),
    ("png", Format::Png, Compression::Default),
    ("png_alpha", Format::PngAlpha, Compression::Default),
    ("gif", Format::Gif, Compression::Default),
    ("png8", Format::Png8, Compression::Default),
    ("tif_lzw", Format::Tif, Compression::Lzw),
    ("tif_zip", Format::TifAlpha, Compression::Zip),
    ("webp", Format::Webp, Compression::Default),
    ("webp_alpha", Format::WebpAlpha, Compression::Default),
    ("webp_lossless", Format::Webp, Compression::Lossless),
];

fn short<M: criterion::measurement::Measurement>(g: &mut BenchmarkGroup<M>) {
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

/// `<group>/image_crate`: the `image` crate's decoder on `bytes`, the reference.
fn image_crate(g: &mut BenchmarkGroup<criterion::measurement::WallTime>, bytes: &[u8]) {
    g.bench_function("image_crate", |b| {
        b.iter(|| {
            image::load_from_memory(black_box(bytes))
                .unwrap()
                .into_rgba8()
        })
    });
}

fn decode_jpeg_large(c: &mut Criterion) {
    let big = photo(4000, 3000, false);
    let q90 = EncodeOptions {
        quality: 90,
        ..opts(Format::Jpeg, Compression::Default)
    };
    let jpeg = encode(&big, &q90).unwrap();
    // The load bench's progressive twin (`fmt=pjpeg`: spectral selection, optimised tables).
    let pjpeg = encode(
        &big,
        &EncodeOptions {
            format: Format::Pjpeg,
            ..q90
        },
    )
    .unwrap();
    drop(big);
    let mut g = c.benchmark_group("decode_jpeg_4000x3000");
    short(&mut g);
    for (name, bytes) in [("shrink", &jpeg), ("progressive_shrink", &pjpeg)] {
        for shrink in [1, 2, 4, 8] {
            let o = DecodeOptions {
                shrink,
                ..DecodeOptions::default()
            };
            g.bench_function(format!("{name}_{shrink}"), |b| {
                b.iter(|| decode(black_box(bytes), &o).unwrap())
            });
        }
    }
    image_crate(&mut g, &jpeg);
    g.finish();
}

fn decode_png_large(c: &mut Criterion) {
    for (group, alpha, format) in [
        ("decode_png_4000x3000", true, Format::PngAlpha),
        ("decode_png_rgb_4000x3000", false, Format::Png),
    ] {
        let png = encode(
            &photo(4000, 3000, alpha),
            &opts(format, Compression::Default),
        )
        .unwrap();
        let mut g = c.benchmark_group(group);
        short(&mut g);
        g.bench_function("ipsd", |b| {
            b.iter(|| decode(black_box(&png), &DecodeOptions::default()).unwrap())
        });
        // Shrink-on-load at 1/2 (2x2 blocks averaged as the rows are unfiltered), as a
        // thumbnail of it decodes.
        let half = DecodeOptions {
            shrink: 2,
            ..DecodeOptions::default()
        };
        g.bench_function("ipsd_shrink_2", |b| {
            b.iter(|| decode(black_box(&png), &half).unwrap())
        });
        image_crate(&mut g, &png);
        g.finish();
    }
}

fn decode_small(c: &mut Criterion) {
    let img = photo(800, 600, true);
    let mut g = c.benchmark_group("decode_800x600");
    short(&mut g);
    for (name, format, compression) in FORMATS {
        let bytes = encode(&img, &opts(format, compression)).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| decode(black_box(&bytes), &DecodeOptions::default()).unwrap())
        });
    }
    g.finish();
}

fn encode_small(c: &mut Criterion) {
    let img = photo(800, 600, true);
    let mut g = c.benchmark_group("encode_800x600");
    short(&mut g);
    for (name, format, compression) in FORMATS {
        let o = opts(format, compression);
        g.bench_function(name, |b| b.iter(|| encode(black_box(&img), &o).unwrap()));
    }
    let rgb: Vec<u8> = img
        .data
        .chunks(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let adobe = EncodeOptions {
        meta: OutputMeta {
            profile: Profile::AdobeRgb,
            embed_icc: true,
            print_res: Some(300.0),
            ..OutputMeta::default()
        },
        ..opts(Format::Jpeg, Compression::Default)
    };
    g.bench_function("jpeg_adobe_rgb", |b| {
        b.iter(|| encode(black_box(&img), &adobe).unwrap())
    });
    g.bench_function("jpeg_image_crate", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
                .encode(black_box(&rgb), 800, 600, image::ExtendedColorType::Rgb8)
                .unwrap();
            out
        })
    });
    g.finish();
}

/// `probe_4000x3000/{jpeg,pjpeg,png_alpha}`: the upload servlet's validation of the load
/// bench's three big sources (header, limits, then a full decode).
fn probe_large(c: &mut Criterion) {
    let mut g = c.benchmark_group("probe_4000x3000");
    short(&mut g);
    for (name, format) in [
        ("jpeg", Format::Jpeg),
        ("pjpeg", Format::Pjpeg),
        ("png_alpha", Format::PngAlpha),
    ] {
        let o = EncodeOptions {
            quality: 90,
            ..opts(format, Compression::Default)
        };
        let bytes = encode(&photo(4000, 3000, format == Format::PngAlpha), &o).unwrap();
        g.bench_function(name, |b| {
            b.iter(|| ipsd::codec::probe::probe(black_box(&bytes), u64::MAX).unwrap())
        });
    }
    g.finish();
}

criterion_group!(
    codecs,
    decode_jpeg_large,
    decode_png_large,
    decode_small,
    encode_small,
    probe_large
);
criterion_main!(codecs);
