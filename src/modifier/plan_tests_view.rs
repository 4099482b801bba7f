//! Unit tests of `plan`: rect, dpr, MaxPix and render limits, plan errors, encoder options,
//! decode shrink and `steps_for_input`.

use super::plan_tests_util::*;
use crate::codec::{Compression, EncodeOptions, Format, Intent, OutputMeta, Profile};

#[test]
fn rect_tiles() {
    check(
        (2000, 2400),
        &[
            (
                "scl=1&rect=0,0,2000,600",
                (2000, 600),
                vec![mv([1.0, 0.0, 0.0, 0.0, 1.0, 0.0], 2000, 600), under(WHITE)],
            ),
            (
                "scl=1&rect=0,600,2000,600",
                (2000, 600),
                vec![
                    mv([1.0, 0.0, 0.0, 0.0, 1.0, 600.0], 2000, 600),
                    under(WHITE),
                ],
            ),
            // beyond the view: padded (transparent, then bgc)
            (
                "scl=1&rect=1900,2300,200,200",
                (200, 200),
                vec![
                    mv([1.0, 0.0, 1900.0, 0.0, 1.0, 2300.0], 200, 200),
                    under(WHITE),
                ],
            ),
            // the rect scale rescales the view first
            (
                "scl=1&rect=100,50,200,100,0.5",
                (200, 100),
                vec![rs([200.0, 100.0, 400.0, 200.0], 200, 100), under(WHITE)],
            ),
            // view padding stays padding under rect
            (
                "wid=100&hei=200&rect=0,0,100,100&fmt=png-alpha",
                (100, 100),
                vec![
                    rs([0.0, 0.0, 2000.0, 1200.0], 100, 60),
                    at(0.0, 40.0, 100, 100),
                ],
            ),
        ],
    );
}

#[test]
fn dpr() {
    check(
        (2000, 1000),
        &[
            (
                "wid=400&dpr=on,2",
                (800, 400),
                vec![rs(FULL, 800, 400), under(WHITE)],
            ),
            (
                "dpr=on,2",
                (800, 400),
                vec![rs(FULL, 800, 400), under(WHITE)],
            ),
            (
                "scl=4&dpr=on,2",
                (1000, 500),
                vec![rs(FULL, 1000, 500), under(WHITE)],
            ),
            (
                "wid=400&hei=300&dpr=on,1.5",
                (600, 450),
                vec![rs(FULL, 600, 300), at(0.0, 75.0, 600, 450), under(WHITE)],
            ),
            (
                "wid=400&dpr=off",
                (400, 200),
                vec![rs(FULL, 400, 200), under(WHITE)],
            ),
            (
                "wid=400&dpr=on",
                (400, 200),
                vec![rs(FULL, 400, 200), under(WHITE)],
            ),
            (
                "scl=1&rect=0,0,100,100&dpr=on,2",
                (200, 200),
                vec![rs([0.0, 0.0, 100.0, 100.0], 200, 200), under(WHITE)],
            ),
        ],
    );
    // over MaxPix, dpr is clamped to the MaxPix width instead of failing
    let lim = Limits::image_serving((400, 400), (2000, 2000), 100_000_000);
    let p = plan_with((2000, 1000), "wid=1500&dpr=on,2", &lim).unwrap();
    assert_eq!((p.width, p.height), (2000, 1000));
    assert_eq!(p.steps, vec![under(WHITE)]);
    let p = plan_with((1000, 2000), "hei=1500&dpr=on,3", &lim).unwrap();
    assert_eq!((p.width, p.height), (1000, 2000));
}

#[test]
fn max_pix_and_render_limits() {
    let is = Limits::image_serving((400, 400), (2000, 2000), 16_000_000);
    assert_eq!(
        err((2000, 1000), "wid=100000", &is),
        "wid: reply 100000x50000 exceeds MaxPix 2000,2000"
    );
    assert_eq!(
        err((2000, 1000), "wid=2001&hei=10&fit=stretch", &is),
        "wid: reply 2001x10 exceeds MaxPix 2000,2000"
    );
    assert_eq!(
        err((2000, 1000), "hei=2001", &is),
        "hei: reply 4002x2001 exceeds MaxPix 2000,2000"
    );
    assert_eq!(
        err((2000, 1000), "scl=0.5", &is),
        "scl: reply 4000x2000 exceeds MaxPix 2000,2000"
    );
    assert_eq!(
        err((2000, 1000), "scl=1&rect=0,0,2001,1", &is),
        "rect: reply 2001x1 exceeds MaxPix 2000,2000"
    );
    assert_eq!(
        err((2000, 1000), "extend=0,0,1,0&scl=1", &is),
        "scl: reply 2001x1000 exceeds MaxPix 2000,2000"
    );
    let no_default = Limits::image_serving((0, 0), (2000, 2000), 16_000_000);
    assert_eq!(
        err((2000, 1000), "extend=0,0,1,0", &no_default),
        "extend: reply 2001x1000 exceeds MaxPix 2000,2000"
    );
    // a rect tile may cut a view larger than MaxPix
    assert!(plan_with((4000, 4000), "scl=1&rect=0,0,2000,600", &is).is_ok());
    // DefaultPix keeps plain requests within MaxPix; one 0 bound of MaxPix is unbounded
    assert!(plan_with((30000, 30000), "", &is).is_ok());
    let wide = Limits::image_serving((0, 0), (2000, 0), 100_000_000);
    assert!(plan_with((10, 100), "hei=5000", &wide).is_ok());
    assert!(plan_with((10, 100), "wid=5000", &wide).is_err());

    let copy = Limits::copy_image(100_000_000);
    assert_eq!(
        err((2000, 1000), "wid=100000", &copy),
        "wid: reply 100000x50000 (5000000000 pixels) exceeds the render limit of 100000000 pixels"
    );
    assert_eq!(
        err((20000, 10000), "", &copy),
        "image: reply 20000x10000 (200000000 pixels) exceeds the render limit of 100000000 pixels"
    );
    // an intermediate image over the limit: the rotated tile reads a larger square
    let small = Limits {
        max_pixels: 15_000,
        ..Limits::copy_image(0)
    };
    let e = err((1000, 1000), "rotate=45&scl=1&rect=600,600,100,100", &small);
    assert!(e.starts_with("rect: intermediate image 1"), "{e}");
    assert!(plan_with((1000, 1000), "scl=1&rect=600,600,100,100", &small).is_ok());
}

#[test]
fn plan_errors() {
    let l = is_limits();
    assert_eq!(
        err((2000, 1000), "fit=crop", &l),
        "fit: needs wid= and/or hei="
    );
    assert_eq!(
        err((2000, 1000), "sizeN=0.5,0.5", &l),
        "sizeN: not allowed on layer 0 (spec §4.4); use size= or scale="
    );
    assert_eq!(
        err((2000, 1000), "cropN=0.5,0.5,0.0001,0.0001", &l),
        "cropN: the crop window selects no pixels of the 2000x1000 source"
    );
    assert_eq!(
        err((2000, 1000), "extend=-1000,0,-1000,0", &l),
        "extend: removes the whole 2000x1000 layer"
    );
    assert_eq!(
        err((3, 7), "extendN=0,-0.5,0,-0.5", &l),
        "extendN: removes the whole 3x7 layer"
    );
    assert_eq!(
        err((2000, 1000), "scale=1e9", &l),
        "scale: layer 2000000000000x1000000000000 is too large"
    );
    assert_eq!(err((0, 10), "", &l), "image: the source is 0x10");
}

#[test]
fn encode_options_and_flattening() {
    let p = ok((2000, 1000), "scl=1");
    let jpeg = EncodeOptions {
        format: Format::Jpeg,
        quality: 80,
        no_chroma_subsampling: false,
        pscan: None,
        compression: Compression::Default,
        meta: OutputMeta {
            print_res: Some(72.0),
            ..OutputMeta::default()
        },
        quantize: Default::default(),
        jpeg_size_kb: 0,
    };
    assert_eq!((p.encode, p.flatten), (Some(jpeg), Some(WHITE)));
    let p = ok(
        (2000, 1000),
        "scl=1&fmt=pjpeg&qlt=95,1&pscan=3&bgc=0,0,255,0s",
    );
    let want = EncodeOptions {
        format: Format::Pjpeg,
        quality: 95,
        no_chroma_subsampling: true,
        pscan: Some(3),
        compression: Compression::Default,
        meta: OutputMeta {
            print_res: Some(72.0),
            ..OutputMeta::default()
        },
        quantize: Default::default(),
        jpeg_size_kb: 0,
    };
    assert_eq!(p.encode, Some(want));
    // bgc ignores alpha and the s suffix
    assert_eq!(p.flatten, Some(Rgba::rgb(0, 0, 255)));
    assert_eq!(p.steps, vec![under(Rgba::rgb(0, 0, 255))]);
    let p = ok(
        (2000, 1000),
        "scl=1&fmt=tif-alpha,,lzw&bgc=ff0000&pscan=auto",
    );
    assert_eq!(
        p.encode
            .as_ref()
            .map(|e| (e.format, e.compression, e.pscan)),
        Some((Format::TifAlpha, Compression::Lzw, None))
    );
    assert_eq!(
        (p.flatten, p.steps.len()),
        (None, 0),
        "bgc is ignored for alpha formats"
    );
    let p = ok((2000, 1000), "wid=400&resMode=bisharp");
    assert_eq!(
        p.steps[0],
        Step::Resample {
            src: FULL,
            width: 400,
            height: 200,
            filter: Filter::BicubicSharper
        }
    );
    let lim = Limits {
        default_quality: (70, true),
        default_filter: Filter::Lanczos3,
        bkg_color: RED,
        ..is_limits()
    };
    let p = plan_with((2000, 1000), "wid=400", &lim).unwrap();
    assert_eq!(
        p.steps,
        vec![
            Step::Resample {
                src: FULL,
                width: 400,
                height: 200,
                filter: Filter::Lanczos3
            },
            under(RED)
        ]
    );
    assert_eq!(
        p.encode.map(|e| (e.quality, e.no_chroma_subsampling)),
        Some((70, true))
    );
}

#[test]
fn copy_image_defaults() {
    let copy = Limits::copy_image(100_000_000);
    // an empty modifier is the source unchanged: no steps, the caller picks the format
    let p = plan_with((30000, 3000), "", &copy).unwrap();
    assert_eq!(
        (p.width, p.height, p.steps.len(), p.encode, p.flatten),
        (30000, 3000, 0, None, None)
    );
    // without fmt= padding stays transparent: nothing is flattened
    let p = plan_with((2000, 1000), "wid=400&hei=300", &copy).unwrap();
    assert_eq!(p.steps, vec![rs(FULL, 400, 200), at(0.0, 50.0, 400, 300)]);
    let p = plan_with((2000, 1000), "fmt=png", &copy).unwrap();
    assert_eq!((p.steps, p.flatten), (vec![under(WHITE)], Some(WHITE)));
}

#[test]
fn decode_shrink() {
    let shrink = |src: (u32, u32), q: &str| ok(src, q).decode_shrink;
    assert_eq!(shrink((2000, 1000), "wid=400"), 2); // 1/5: keep 2× → 1/2
    assert_eq!(shrink((4000, 2000), "wid=400"), 4); // 1/10
    assert_eq!(shrink((8000, 4000), "wid=400"), 8); // 1/20
    assert_eq!(shrink((8000, 4000), "wid=400&hei=400&fit=stretch"), 4); // the larger axis ratio counts
    assert_eq!(shrink((2000, 1000), "wid=400&hei=300&fit=crop"), 1); // 0.3
    assert_eq!(shrink((2000, 1000), "scl=1"), 1);
    assert_eq!(shrink((2000, 1000), "wid=4000"), 1); // upsampling
    assert_eq!(shrink((8000, 4000), "rotate=30&wid=400"), 1); // arbitrary rotation
    assert_eq!(shrink((8000, 4000), "rotate=90&wid=400"), 4); // 4000×8000 composite: 1/10
    assert_eq!(shrink((8000, 4000), "crop=0,0,100,100&wid=400"), 1); // crop decides
}

#[test]
fn steps_for_shrunk_inputs() {
    let p = ok((2000, 1000), "wid=400");
    assert_eq!(p.steps_for_input(2000, 1000), p.steps);
    assert_steps(
        "1/2",
        &p.steps_for_input(1000, 500),
        &[rs([0.0, 0.0, 1000.0, 500.0], 400, 200), under(WHITE)],
    );
    // DCT scaling rounds up: 2001/4 → 501, and coordinates scale by exactly 1/4
    let p = ok((2001, 1001), "crop=1,1,2000,1000&wid=100");
    assert_eq!(p.decode_shrink, 8);
    assert_steps(
        "dct",
        &p.steps_for_input(251, 126),
        &[rs([0.125, 0.125, 250.0, 125.0], 100, 50), under(WHITE)],
    );
    // any other size scales by the size ratio, and windows stay inside the input
    assert_steps(
        "ratio",
        &p.steps_for_input(1000, 500),
        &[
            rs(
                [
                    1000.0 / 2001.0,
                    500.0 / 1001.0,
                    2000.0 * 1000.0 / 2001.0,
                    1000.0 * 500.0 / 1001.0,
                ],
                100,
                50,
            ),
            under(WHITE),
        ],
    );
    let p = ok((2000, 1000), "scl=4&wid=400&hei=300");
    assert_steps(
        "crop",
        &p.steps_for_input(500, 250),
        &[
            rs([50.0, 0.0, 400.0, 250.0], 400, 250),
            at(0.0, 25.0, 400, 300),
            under(WHITE),
        ],
    );
    // a plan that starts with an Affine gets a resample back to the source size
    let p = ok((3, 7), "scl=1&flip=lr");
    assert_steps(
        "affine",
        &p.steps_for_input(2, 4),
        &[
            rs([0.0, 0.0, 2.0, 4.0], 3, 7),
            mv([-1.0, 0.0, 3.0, 0.0, 1.0, 0.0], 3, 7),
            under(WHITE),
        ],
    );
    let p = ok((3, 7), "scl=1");
    assert_steps(
        "plain",
        &p.steps_for_input(2, 4),
        &[rs([0.0, 0.0, 2.0, 4.0], 3, 7), under(WHITE)],
    );
}

#[test]
fn extreme_values_never_panic() {
    let queries = [
        "scl=1e-300",
        "scl=1e300",
        "scl=1e-300&rect=0,0,10,10",
        "wid=4294967295&hei=1",
        "wid=4294967295&hei=4294967295&fit=crop,1",
        "rect=2147483647,-2147483648,2147483647,1,1e-300&scl=1",
        "rect=-2147483648,0,10,10,1e300",
        "dpr=on,1e300&wid=1",
        "dpr=on,1e-300",
        "scale=1e-300&scl=1",
        "size=4294967295,4294967295",
        "extend=2147483647,0,0,0&scl=1",
        "extend=-2147483648,0,2147483647,0",
        "crop=-2147483648,-2147483648,4294967295,4294967295&wid=10",
        "crop=2147483647,2147483647,4294967295,4294967295",
        "cropN=-1e300,0,1e300,1",
        "rotate=1e300&wid=10",
        "rotate=1e-300&scl=1",
        "rotate=45&scl=1e-300&rect=0,0,5,5",
        "extendN=1e300,0,0,0",
    ];
    let unbounded = Limits {
        max_pixels: u64::MAX,
        ..Limits::copy_image(0)
    };
    for limits in [
        is_limits(),
        Limits::default(),
        Limits::copy_image(100_000_000),
        unbounded,
    ] {
        for q in queries {
            for src in [(1, 1), (2000, 1000), (7, 30000)] {
                let Ok(c) = parse(q) else { continue };
                let r = std::panic::catch_unwind(|| {
                    plan(src.0, src.1, &c, &limits).map(|p| p.steps_for_input(1, 1))
                });
                assert!(r.is_ok(), "{q} on {src:?} panicked");
            }
        }
    }
}

#[test]
fn output_meta_from_icc_icc_embed_and_print_res() {
    let p = ok(
        (200, 100),
        "icc=DisplayP3,absolute&iccEmbed=1&printRes=300&fmt=tif",
    );
    let want = OutputMeta {
        profile: Profile::DisplayP3,
        intent: Intent::Absolute,
        embed_icc: true,
        print_res: Some(300.0),
    };
    assert_eq!((p.meta, p.encode.map(|e| e.meta)), (want, Some(want)));
    // Defaults: sRGB, relative colorimetric, no embedding, the catalog's PrintResolution.
    let p = ok((200, 100), "wid=10");
    assert_eq!(p.meta.profile, Profile::Srgb);
    assert_eq!(p.meta.intent, Intent::Relative);
    assert!(!p.meta.embed_icc);
    assert_eq!(p.meta.print_res, Some(72.0));
    // copyImage without fmt= still carries the meta (for the lossless master).
    let l = Limits::copy_image(1 << 30).with_print_res(0);
    let p = plan(200, 100, &parse("icc=AdobeRGB").unwrap(), &l).unwrap();
    assert_eq!(p.encode, None);
    assert_eq!(
        (p.meta.profile, p.meta.print_res),
        (Profile::AdobeRgb, None)
    );
    let l = Limits::copy_image(1 << 30).with_print_res(150);
    let p = plan(200, 100, &parse("printRes=600").unwrap(), &l).unwrap();
    assert_eq!(p.meta.print_res, Some(600.0));
    let p = plan(200, 100, &parse("").unwrap(), &l).unwrap();
    assert_eq!(p.meta.print_res, Some(150.0));
}

#[test]
fn quantize_reaches_the_encoder_and_mac_has_no_key() {
    let p = ok((200, 100), "fmt=png8&quantize=web,off");
    let q = p.encode.unwrap().quantize;
    assert_eq!((q.kind, q.dither), (crate::codec::PaletteKind::Web, false));
    assert!(p.flatten.is_some(), "png8 has no alpha");
    assert!(ok((200, 100), "fmt=png8-alpha").flatten.is_none());
    assert_eq!(
        ok((200, 100), "fmt=gif&quantize=mac")
            .encode
            .unwrap()
            .format,
        Format::Gif
    );
    for f in ["gif-alpha", "png8-alpha"] {
        assert_eq!(
            err(
                (200, 100),
                &format!("fmt={f}&quantize=mac"),
                &Limits::default()
            ),
            "quantize: the mac palette is not allowed with gif-alpha or png8-alpha"
        );
    }
}
