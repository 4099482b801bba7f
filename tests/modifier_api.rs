//! The public API of `ipsd::modifier` as copyImage and `/is/image` use it: parse or merge a
//! modifier, plan it for a source size under catalog limits, read the errors.

use ipsd::codec::{Compression, EncodeOptions, Format, OutputMeta};
use ipsd::engine::{Filter, Rgba, Step};
use ipsd::modifier::{self, merge, parse, plan, Commands, Limits, ModifierError};

#[test]
fn copy_image_crop_to_fill_is_one_resample() {
    let c = parse("wid=800&hei=600&fit=crop&fmt=jpeg&qlt=85").unwrap();
    let p = plan(4000, 2000, &c, &Limits::copy_image(100_000_000)).unwrap();
    assert_eq!((p.width, p.height), (800, 600));
    let src = [1000.0 / 3.0 * 2.0, 0.0, 4000.0 * 2.0 / 3.0, 2000.0];
    match &p.steps[..] {
        [Step::Resample {
            src: s,
            width: 800,
            height: 600,
            filter: Filter::Bicubic,
        }, Step::Underlay { color }] => {
            assert!(
                s.iter().zip(src).all(|(a, b)| (a - b).abs() < 1e-9),
                "{s:?}"
            );
            assert_eq!(*color, Rgba::WHITE);
        }
        steps => panic!("{steps:?}"),
    }
    let want = EncodeOptions {
        format: Format::Jpeg,
        quality: 85,
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
    assert_eq!(p.encode, Some(want));
    assert_eq!(p.decode_shrink, 1);
}

#[test]
fn copy_image_empty_modifier_is_the_source() {
    let p = plan(
        6000,
        4000,
        &parse("").unwrap(),
        &Limits::copy_image(100_000_000),
    )
    .unwrap();
    assert_eq!((p.width, p.height, p.decode_shrink), (6000, 4000, 1));
    assert!(p.steps.is_empty() && p.encode.is_none() && p.flatten.is_none());
}

#[test]
fn errors_list_every_problem() {
    let e: ModifierError = parse("wid=0&op_growMask=1&fmt=bmp&cachebuster=1").unwrap_err();
    let cmds: Vec<&str> = e.entries.iter().map(|e| e.command.as_str()).collect();
    assert_eq!(cmds, ["wid", "op_growMask", "fmt"]);
    assert_eq!(
        e.to_string(),
        "wid: '0' is not a valid width (integer 1 or more); op_growMask: not supported yet; \
         fmt: 'bmp' is not a supported format (jpeg, pjpeg, png, png-alpha, png8, png8-alpha, gif, gif-alpha, tif, \
         tif-alpha, webp, webp-alpha)"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("wid:"));
}

#[test]
fn unknown_names_are_reported_to_the_caller() {
    let c = parse("wid=100&_=1700000000&utm_campaign=x").unwrap();
    assert_eq!(c.ignored, ["_", "utm_campaign"]);
    assert_eq!(c.wid, Some(100));
}

/// is-catalog.md §4.4, with the one command this round does not support left out.
#[test]
fn catalog_merge_worked_example() {
    let modifier = "cropN=0.1,0.1,0.8,0.8&qlt=85&$bg=ffffff&bgc=$bg$";
    let post = "qlt=95&resMode=sharp2";
    let c = merge(modifier, "wid=400&qlt=70&$bg=000000", post).unwrap();
    assert_eq!(c.wid, Some(400));
    assert_eq!(c.qlt.map(|q| q.quality), Some(95));
    assert_eq!(c.res_mode, Some(Filter::Lanczos3));
    assert_eq!(c.bgc.map(|b| b.rgba), Some(Rgba::rgb(0, 0, 0)));
    assert!(c.crop.is_some());
    let p = plan(2000, 1000, &c, &Limits::default()).unwrap();
    assert_eq!((p.width, p.height), (400, 200));
    assert_eq!(p.flatten, Some(Rgba::rgb(0, 0, 0)));
    assert!(matches!(
        p.steps[0],
        Step::Resample {
            src: [200.0, 100.0, 1600.0, 800.0],
            width: 400,
            height: 200,
            filter: Filter::Lanczos3
        }
    ));
}

#[test]
fn image_serving_limits() {
    let l = Limits::default();
    assert_eq!(
        (l.default_pix, l.max_pix, l.max_pixels),
        (Some((400, 400)), (2000, 2000), 16_000_000)
    );
    assert_eq!(
        (l.bkg_color, l.default_quality, l.default_format),
        (Rgba::WHITE, (80, false), Some(Format::Jpeg))
    );
    let c = parse("wid=100000").unwrap();
    assert_eq!(
        plan(2000, 1000, &c, &l).unwrap_err().to_string(),
        "wid: reply 100000x50000 exceeds MaxPix 2000,2000"
    );
    let p = plan(8000, 6000, &Commands::default(), &l).unwrap();
    assert_eq!((p.width, p.height, p.decode_shrink), (400, 300, 8));
    let steps = p.steps_for_input(1000, 750);
    assert!(matches!(
        steps[0],
        Step::Resample {
            src: [0.0, 0.0, 1000.0, 750.0],
            width: 400,
            height: 300,
            ..
        }
    ));
}

#[test]
fn catalog_colours() {
    assert_eq!(
        modifier::parse_color("0x80ff00").unwrap().rgba,
        Rgba::rgb(0x80, 0xff, 0)
    );
    assert_eq!(modifier::parse_color("FFFFFF").unwrap().rgba, Rgba::WHITE);
    assert!(modifier::parse_color("white").is_err());
}
