//! Unit tests of `parse`/`merge`: every command, every data type, every error message.

use super::types::*;
use super::{merge, parse};
use crate::codec::{Compression, Format};
use crate::engine::{Filter, Rgba};

fn ok(q: &str) -> Commands {
    parse(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

fn err(q: &str) -> String {
    match parse(q) {
        Ok(c) => panic!("{q}: parsed as {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn empty_and_neutral_queries() {
    for q in ["", "&", "&&.comment&", ".x=1", "id=12345"] {
        assert_eq!(ok(q), Commands::default(), "{q}");
    }
}

#[test]
fn view_commands() {
    let c = ok("WID=400&Hei=300&scl=2.5&fit=Crop,1&align=-1,0.5&rect=0,-600,2000,600,0.5");
    assert_eq!((c.wid, c.hei, c.scl), (Some(400), Some(300), Some(2.5)));
    assert_eq!(
        c.fit,
        Some(Fit {
            mode: FitMode::Crop,
            upscale: true
        })
    );
    assert_eq!(c.align, Some((-1.0, 0.5)));
    let rect = ViewRect {
        x: 0,
        y: -600,
        w: 2000,
        h: 600,
        scale: 0.5,
    };
    assert_eq!(c.rect, Some(rect));
    assert_eq!(ok("rect=1,2,3,4").rect.map(|r| r.scale), Some(1.0));
}

#[test]
fn every_fit_mode() {
    let modes = [
        ("fit", FitMode::Fit),
        ("constrain", FitMode::Constrain),
        ("crop", FitMode::Crop),
        ("wrap", FitMode::Wrap),
        ("stretch", FitMode::Stretch),
        ("hfit", FitMode::HFit),
        ("VFIT", FitMode::VFit),
    ];
    for (name, mode) in modes {
        assert_eq!(
            ok(&format!("fit={name}")).fit,
            Some(Fit {
                mode,
                upscale: false
            })
        );
        assert_eq!(
            ok(&format!("fit={name},0")).fit,
            Some(Fit {
                mode,
                upscale: false
            })
        );
        assert_eq!(
            ok(&format!("fit={name},1")).fit,
            Some(Fit {
                mode,
                upscale: true
            })
        );
    }
}

#[test]
fn layer_commands() {
    let c = ok("crop=-10,20,300,400&size=200,0&scale=0.5&extend=1,-2,3,4&flip=LRUD&rotate=-45.5&anchor=5,-6");
    assert_eq!(
        c.crop,
        Some(Crop::Pixels {
            x: -10,
            y: 20,
            w: 300,
            h: 400
        })
    );
    assert_eq!(c.size, Some(LayerSize::Pixels { w: 200, h: 0 }));
    assert_eq!(c.scale, Some(0.5));
    assert_eq!(c.extend, Some(Extend::Pixels([1, -2, 3, 4])));
    assert_eq!(c.flip, Some(Flip::LrUd));
    assert_eq!(c.rotate, Some(-45.5));
    assert_eq!(c.anchor, Some(Anchor::Pixels { x: 5, y: -6 }));
    let c = ok("cropN=.1,0,0.8,1&sizeN=0.5,0&extendN=0.1,0,0,-0.1&anchorN=-0.5,0.5&flip=ud");
    assert_eq!(
        c.crop,
        Some(Crop::Normalized {
            x: 0.1,
            y: 0.0,
            w: 0.8,
            h: 1.0
        })
    );
    assert_eq!(c.size, Some(LayerSize::Normalized { w: 0.5, h: 0.0 }));
    assert_eq!(c.extend, Some(Extend::Normalized([0.1, 0.0, 0.0, -0.1])));
    assert_eq!(c.anchor, Some(Anchor::Normalized { x: -0.5, y: 0.5 }));
    assert_eq!(c.flip, Some(Flip::Ud));
    assert_eq!(ok("flip=lr").flip, Some(Flip::Lr));
    assert_eq!(ok("rotate=1e2").rotate, Some(100.0));
}

#[test]
fn pixel_and_normalized_spellings_are_one_command() {
    assert_eq!(
        ok("crop=0,0,10,10&cropN=0,0,1,1").crop,
        Some(Crop::Normalized {
            x: 0.0,
            y: 0.0,
            w: 1.0,
            h: 1.0
        })
    );
    assert_eq!(
        ok("cropN=0,0,1,1&crop=0,0,10,10").crop,
        Some(Crop::Pixels {
            x: 0,
            y: 0,
            w: 10,
            h: 10
        })
    );
    assert_eq!(
        ok("extendN=0,0,0,0&extend=1,1,1,1").extend,
        Some(Extend::Pixels([1; 4]))
    );
    assert_eq!(
        ok("size=1,1&sizeN=1,1").size,
        Some(LayerSize::Normalized { w: 1.0, h: 1.0 })
    );
    assert_eq!(
        ok("anchorN=0,0&anchor=1,1").anchor,
        Some(Anchor::Pixels { x: 1, y: 1 })
    );
}

#[test]
fn colours_opacity_and_output() {
    let c = ok("bgc=ff0000&bgColor=0,0,0,0&color=50g&opac=50,40");
    assert_eq!(c.bgc.map(|c| c.rgba), Some(Rgba::rgb(255, 0, 0)));
    assert_eq!(c.bg_color.map(|c| c.rgba), Some(Rgba::TRANSPARENT));
    assert_eq!(
        c.color.map(|c| (c.rgba, c.space)),
        Some((Rgba::rgb(128, 128, 128), ColorSpace::Gray))
    );
    assert_eq!(
        c.opac,
        Some(Opac {
            opacity: 50,
            fill: 40
        })
    );
    assert_eq!(c.opac.map(|o| o.factor()), Some(0.2));
    assert_eq!(
        ok("opac=0").opac,
        Some(Opac {
            opacity: 0,
            fill: 100
        })
    );
    let c = ok("fmt=PNG-Alpha&qlt=95,1&pscan=4&resMode=SHARP&req=IMG&dpr=on,2.5");
    assert_eq!(
        c.fmt,
        Some(FormatSpec {
            format: Format::PngAlpha,
            compression: Compression::Default
        })
    );
    assert_eq!(
        c.qlt,
        Some(Quality {
            quality: 95,
            no_chroma_subsampling: true
        })
    );
    assert_eq!(
        (c.pscan, c.res_mode, c.dpr),
        (Some(Pscan::Scans(4)), Some(Filter::Lanczos3), Some(2.5))
    );
    assert_eq!(ok("dpr=off").dpr, None);
    assert_eq!(ok("dpr=on").dpr, Some(1.0));
    assert_eq!(ok("pscan=auto").pscan, Some(Pscan::Auto));
    assert_eq!(
        ok("qlt=1").qlt,
        Some(Quality {
            quality: 1,
            no_chroma_subsampling: false
        })
    );
}

#[test]
fn every_format_and_compression() {
    let table = [
        ("jpeg", Format::Jpeg, Compression::Default),
        ("jpg,rgb", Format::Jpeg, Compression::Default),
        ("pjpeg", Format::Pjpeg, Compression::Default),
        ("png", Format::Png, Compression::Default),
        ("png-alpha,rgb,", Format::PngAlpha, Compression::Default),
        ("gif", Format::Gif, Compression::Default),
        ("gif-alpha", Format::GifAlpha, Compression::Default),
        ("tif,,lzw", Format::Tif, Compression::Lzw),
        ("tif,rgb,zip", Format::Tif, Compression::Zip),
        ("tif-alpha,,none", Format::TifAlpha, Compression::None),
        ("webp", Format::Webp, Compression::Default),
        ("webp,,lossy", Format::Webp, Compression::Lossy),
        (
            "webp-alpha,,LOSSLESS",
            Format::WebpAlpha,
            Compression::Lossless,
        ),
    ];
    for (v, format, compression) in table {
        assert_eq!(
            ok(&format!("fmt={v}")).fmt,
            Some(FormatSpec {
                format,
                compression
            }),
            "{v}"
        );
    }
}

#[test]
fn every_res_mode() {
    for (v, f) in [
        ("bilin", Filter::Bilinear),
        ("bicub", Filter::Bicubic),
        ("sharp2", Filter::Lanczos3),
        ("sharp", Filter::Lanczos3),
        ("bisharp", Filter::BicubicSharper),
    ] {
        assert_eq!(ok(&format!("resMode={v}")).res_mode, Some(f));
    }
}

#[test]
fn last_occurrence_wins_and_only_it_is_validated() {
    assert_eq!(ok("wid=100&wid=200").wid, Some(200));
    assert_eq!(ok("wid=0&WID=5").wid, Some(5));
    assert_eq!(
        err("wid=5&wid=0"),
        "wid: '0' is not a valid width (integer 1 or more)"
    );
}

#[test]
fn merge_precedence() {
    let c = merge(
        "wid=100&qlt=85&hei=50&$bg=ffffff&bgc=$bg$",
        "wid=200&qlt=70&$bg=000000",
        "qlt=95&resMode=sharp2",
    )
    .unwrap();
    assert_eq!((c.wid, c.hei), (Some(200), Some(50)));
    assert_eq!(c.qlt.map(|q| q.quality), Some(95));
    assert_eq!(c.res_mode, Some(Filter::Lanczos3));
    assert_eq!(c.bgc.map(|b| b.rgba), Some(Rgba::rgb(0, 0, 0)));
    // the request overrides a bad Modifier value; a bad PostModifier value is reported
    assert!(merge("wid=abc", "wid=10", "").is_ok());
    assert_eq!(
        merge("", "wid=10", "hei=-1").unwrap_err().to_string(),
        "hei: '-1' is not a valid height (integer 1 or more)"
    );
}

#[test]
fn variables() {
    let c = ok("$w=640&wid=$W$&$c=ff0000&bgc=$c$");
    assert_eq!(c.wid, Some(640));
    assert_eq!(
        err("wid=$n$"),
        "wid: '$n$' is not a valid width (integer 1 or more)"
    );
}

#[test]
fn unknown_commands_are_ignored_and_listed() {
    let c = ok("wid=10&cb=123&CB=4&utm_source=x&wfit=1");
    assert_eq!(c.wid, Some(10));
    assert_eq!(c.ignored, vec!["cb", "utm_source", "wfit"]);
}

#[test]
fn cache_gives_the_client_part() {
    for (q, want) in [
        ("cache=on", true),
        ("cache=off", false),
        ("cache=validate", true),
        ("cache=UPDATE", true),
        ("cache=off,on", false),
        ("cache=on,off", true),
    ] {
        assert_eq!(ok(q).client_cache, Some(want), "{q}");
    }
    assert_eq!(ok("wid=10").client_cache, None);
    for bad in ["cache=", "cache=yes", "cache=on,validate", "cache=on,on,on"] {
        assert!(err(bad).starts_with("cache: '"), "{bad}: {}", err(bad));
    }
}

#[test]
fn print_res_is_dots_per_inch() {
    assert_eq!(ok("printRes=300").print_res, Some(300.0));
    assert_eq!(ok("PRINTRES=72.5").print_res, Some(72.5));
    assert_eq!(ok("printres=65535").print_res, Some(65535.0));
    assert_eq!(ok("wid=10").print_res, None);
    for bad in [
        "printRes=",
        "printRes=0",
        "printRes=-72",
        "printRes=65536",
        "printRes=NaN",
    ] {
        assert_eq!(
            err(bad),
            format!(
                "printRes: '{}' is not a valid print resolution (dots per inch, a number from 1 \
                 to 65535)",
                bad.split_once('=').unwrap().1
            ),
            "{bad}"
        );
    }
}

#[test]
fn icc_embed_takes_the_documented_aliases() {
    for (q, want) in [
        ("iccEmbed=0", false),
        ("iccEmbed=1", true),
        ("ICCEMBED=true", true),
        ("iccEmbed=False", false),
    ] {
        assert_eq!(ok(q).icc_embed, Some(want), "{q}");
    }
    assert_eq!(
        err("iccEmbed=yes"),
        "iccEmbed: 'yes' is not a valid embed flag (0, 1, true or false)"
    );
}

#[test]
fn icc_names_a_built_in_profile_with_options() {
    use crate::codec::{Intent, Profile};
    let c = ok("icc=AdobeRGB");
    assert_eq!(
        c.icc,
        Some(IccCmd {
            profile: Profile::AdobeRgb,
            intent: None,
            black_point: None,
            dither: None,
        })
    );
    let c = ok("icc=Adobe%20RGB%20(1998),perceptual,0,1");
    assert_eq!(
        c.icc,
        Some(IccCmd {
            profile: Profile::AdobeRgb,
            intent: Some(Intent::Perceptual),
            black_point: Some(false),
            dither: Some(true),
        })
    );
    assert_eq!(ok("icc=srgb,,1").icc.unwrap().black_point, Some(true));
    assert_eq!(
        err("icc=WebCoated"),
        "icc: 'WebCoated' is not a known ICC profile (sRGB, AdobeRGB, DisplayP3, ProPhotoRGB, \
         Rec2020; profile files and catalog ICC maps are not supported)"
    );
    assert_eq!(
        err("icc=sRGB,vivid"),
        "icc: 'vivid' is not a rendering intent (perceptual, relative, saturation, absolute)"
    );
    assert_eq!(
        err("icc=sRGB,relative,2"),
        "icc: '2' is not a valid black point compensation flag (0 or 1)"
    );
    assert_eq!(
        err("icc=sRGB,relative,1,1,1"),
        "icc: 'sRGB,relative,1,1,1' has too many arguments \
         (profile[,renderIntent[,blackpointComp[,dither]]])"
    );
}

#[test]
fn the_spec_example_modifiers_with_icc_embed_parse() {
    // ips-operations.md saveImageFormat example (qlt=750 is over 100 there, a spec typo).
    let c = ok("wid=400&hei=400&fmt=jpeg&qlt=75&op_sharpen=0&resMode=bicub\
                &op_usm=0.0,0.0,0,0&iccEmbed=0");
    assert_eq!(c.icc_embed, Some(false));
    let c = ok("icc=sRGB&iccEmbed=true&fmt=tif&printRes=300");
    assert_eq!((c.icc_embed, c.print_res), (Some(true), Some(300.0)));
}

#[test]
fn quantize_takes_type_dither_count_and_colours() {
    use crate::codec::{PaletteKind, Quantize};
    let c = ok("fmt=gif-alpha&wid=100&quantize=adaptive,off,2,000000,ffffff");
    assert_eq!(
        c.quantize,
        Some(Quantize {
            kind: PaletteKind::Adaptive,
            dither: false,
            colors: 2,
            forced: vec![[0, 0, 0], [255, 255, 255]],
        })
    );
    assert_eq!(
        ok("quantize=WEB").quantize,
        Some(Quantize {
            kind: PaletteKind::Web,
            ..Quantize::default()
        })
    );
    let c = ok("quantize=mac,diffuse,,FF8000");
    let q = c.quantize.unwrap();
    assert_eq!((q.kind, q.dither, q.colors), (PaletteKind::Mac, true, 256));
    assert_eq!(q.forced, vec![[255, 128, 0]]);
    for (bad, msg) in [
        (
            "quantize=octree",
            "'octree' is not a palette type (adaptive, web or mac)",
        ),
        (
            "quantize=adaptive,ordered",
            "'ordered' is not a dither mode (diffuse or off)",
        ),
        (
            "quantize=adaptive,off,1",
            "'1' is not a valid colour count (integer from 2 to 256)",
        ),
        (
            "quantize=adaptive,off,257",
            "'257' is not a valid colour count (integer from 2 to 256)",
        ),
        (
            "quantize=adaptive,off,2,0x000000",
            "'0x000000' is not a hex6 RGB colour (like ff8000, no 0x)",
        ),
        (
            "quantize=adaptive,off,2,fff",
            "'fff' is not a hex6 RGB colour (like ff8000, no 0x)",
        ),
        (
            "quantize=adaptive,off,2,000000,ffffff,ff0000",
            "3 colours are listed but numColors is 2",
        ),
    ] {
        assert_eq!(err(bad), format!("quantize: {msg}"), "{bad}");
    }
}

#[test]
fn png8_formats_parse() {
    assert_eq!(ok("fmt=png8").fmt.unwrap().format, Format::Png8);
    assert_eq!(ok("fmt=PNG8-ALPHA").fmt.unwrap().format, Format::Png8Alpha);
    assert!(err("fmt=png8,,lzw").contains("not allowed for png8"));
}

#[test]
fn default_image_names_a_record_and_empty_disables_it() {
    assert_eq!(
        ok("defaultImage=fallback").default_image.as_deref(),
        Some("fallback")
    );
    assert_eq!(
        ok("DEFAULTIMAGE=Co/no%20photo").default_image.as_deref(),
        Some("Co/no photo")
    );
    assert_eq!(ok("defaultImage=").default_image, None);
    assert_eq!(ok("defaultImage").default_image, None);
}

#[test]
fn jpeg_size_is_kilobytes() {
    assert_eq!(ok("jpegSize=0").jpeg_size, Some(0));
    assert_eq!(ok("JPEGSIZE=50").jpeg_size, Some(50));
    for bad in [
        "jpegSize=-1",
        "jpegSize=1.5",
        "jpegSize=",
        "jpegSize=9999999999",
    ] {
        assert!(
            err(bad).starts_with("jpegSize: '")
                && err(bad).ends_with("(kilobytes, integer 0 or more)"),
            "{bad}: {}",
            err(bad)
        );
    }
}
