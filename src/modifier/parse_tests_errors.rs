//! Unit tests of `parse`: every error message (unsupported commands, bad values).

use super::parse;

fn err(q: &str) -> String {
    match parse(q) {
        Ok(c) => panic!("{q}: parsed as {c:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unsupported_commands_are_errors() {
    assert_eq!(err("LAYER=1"), "layer: not supported yet");
    assert_eq!(err("Op_Future=1"), "Op_Future: not supported yet");
    assert_eq!(
        err("op_growMask=1&op_usm=7&OP_GROWMASKR=0"),
        "op_growMask: not supported yet; op_usm: '7' is not a valid unsharp mask amount \
         (number from 0 to 5); op_growMaskR: not supported yet"
    );
    for name in [
        "src",
        "mask",
        "text",
        "template",
        "rgn",
        "res",
        "effect",
        "origin",
        "originN",
        "pos",
        "posN",
        "op_growMask",
        "clipPath",
        "perspective",
        "hide",
        "bfc",
        "xmpEmbed",
        "locale",
    ] {
        assert_eq!(
            err(&format!("{}=1", name.to_uppercase())),
            format!("{name}: not supported yet")
        );
    }
}

#[test]
fn every_error_is_reported_at_once() {
    let e = err("wid=0&rotate=NaN&fmt=bmp&layer=1&$m$&qlt=0");
    assert_eq!(
        e,
        "$m$: macros are not supported; \
         wid: '0' is not a valid width (integer 1 or more); \
         rotate: 'NaN' is not a number; \
         fmt: 'bmp' is not a supported format (jpeg, pjpeg, png, png-alpha, png8, png8-alpha, gif, gif-alpha, tif, tif-alpha, webp, webp-alpha); \
         layer: not supported yet; \
         qlt: '0' is not a valid quality (quality[,chroma]: integer from 1 to 100, chroma 0 or 1)"
    );
    assert_eq!(parse("wid=0&hei=0").unwrap_err().entries.len(), 2);
}

#[test]
fn value_errors() {
    let table = [
        ("wid=abc", "wid: 'abc' is not a valid width (integer 1 or more)"),
        ("wid=", "wid: '' is not a valid width (integer 1 or more)"),
        ("wid=1.5", "wid: '1.5' is not a valid width (integer 1 or more)"),
        ("hei=99999999999", "hei: '99999999999' is not a valid height (integer 1 or more)"),
        ("scl=0", "scl: '0' is not a valid view scale (number greater than 0)"),
        ("scl=inf", "scl: 'inf' is not a number"),
        ("scale=-1", "scale: '-1' is not a valid scale (number greater than 0)"),
        ("scale=0x10", "scale: '0x10' is not a number"),
        ("rotate=NaN", "rotate: 'NaN' is not a number"),
        ("rotate=infinity", "rotate: 'infinity' is not a number"),
        ("rotate=1e999", "rotate: '1e999' is not a number"),
        ("size=-1,0", "size: '-1,0' is not a valid size (w,h: integers 0 or more)"),
        ("size=10", "size: '10' is not a valid size (w,h: integers 0 or more)"),
        ("sizeN=-0.5,1", "sizeN: '-0.5,1' is not a valid size (w,h: numbers 0 or more)"),
        ("fit=wfit", "fit: 'wfit' is not a valid fit mode (fit, constrain, crop, wrap, stretch, hfit or vfit, then optionally ,0 or ,1)"),
        ("fit=crop,2", "fit: 'crop,2' is not a valid fit mode (fit, constrain, crop, wrap, stretch, hfit or vfit, then optionally ,0 or ,1)"),
        ("align=2,0", "align: '2,0' is not a valid alignment (h,v: numbers from -1 to 1)"),
        ("align=0", "align: '0' is not a valid alignment (h,v: numbers from -1 to 1)"),
        ("align=nan,0", "align: 'nan' is not a number"),
        ("crop=0,0,0,10", "crop: '0,0,0,10' is not a valid crop (x,y,w,h: integers, w and h 1 or more)"),
        ("crop=0,0,10", "crop: '0,0,10' is not a valid crop (x,y,w,h: integers, w and h 1 or more)"),
        ("cropN=0,0,0,1", "cropN: '0,0,0,1' is not a valid crop (x,y,w,h: numbers, w and h greater than 0)"),
        ("extend=1,2,3", "extend: '1,2,3' is not a valid extension (l,t,r,b: integers)"),
        ("extendN=1,2,3,x", "extendN: 'x' is not a number"),
        ("flip=lrx", "flip: 'lrx' is not a flip (lr, ud or lrud)"),
        ("anchor=1.5,2", "anchor: '1.5,2' is not a valid anchor (x,y: integers)"),
        ("anchorN=1", "anchorN: '1' is not a valid anchor (x,y: numbers)"),
        ("rect=0,0,0,10", "rect: '0,0,0,10' is not a valid rect (x,y,w,h[,scale]: integers, w and h 1 or more, scale greater than 0)"),
        ("rect=0,0,10,10,0", "rect: '0,0,10,10,0' is not a valid rect (x,y,w,h[,scale]: integers, w and h 1 or more, scale greater than 0)"),
        ("dpr=2", "dpr: '2' is not a valid device pixel ratio (off, or on,ratio with ratio greater than 0)"),
        ("dpr=on,0", "dpr: 'on,0' is not a valid device pixel ratio (off, or on,ratio with ratio greater than 0)"),
        ("opac=101", "opac: '101' is not a valid opacity (opacity[,fillOpacity]: integers from 0 to 100)"),
        ("opac=1,2,3", "opac: '1,2,3' is not a valid opacity (opacity[,fillOpacity]: integers from 0 to 100)"),
        ("qlt=101", "qlt: '101' is not a valid quality (quality[,chroma]: integer from 1 to 100, chroma 0 or 1)"),
        ("qlt=80,2", "qlt: '80,2' is not a valid quality (quality[,chroma]: integer from 1 to 100, chroma 0 or 1)"),
        ("pscan=6", "pscan: '6' is not a valid scan count (auto, 3, 4 or 5)"),
        ("resMode=nearest", "resMode: 'nearest' is not a resampling mode (bilin, bicub, sharp2, sharp, bisharp)"),
        ("req=props", "req: 'props' is not supported (only img)"),
        ("op_blur=101", "op_blur: '101' is not a valid blur radius (number from 0 to 100)"),
        ("op_blur=-1", "op_blur: '-1' is not a valid blur radius (number from 0 to 100)"),
        ("op_sharpen=2", "op_sharpen: '2' is not a valid sharpen flag (0 or 1)"),
        ("op_usm=1,300", "op_usm: '300' is not a valid unsharp mask radius (number from 0 to 250)"),
        ("op_usmR=1,2,300", "op_usmR: '300' is not a valid unsharp mask threshold (integer from 0 to 255)"),
        ("op_grow=101", "op_grow: '101' is not a valid grow radius (integer from -100 to 100)"),
        ("op_grow=1.5", "op_grow: '1.5' is not a valid grow radius (integer from -100 to 100)"),
        ("op_noise=-1", "op_noise: '-1' is not a valid noise amount (integer from 0 to 100)"),
        ("op_noise=5,perlin", "op_noise: 'perlin' is not a valid noise distribution (uniform or gaussian)"),
        ("req=img,text", "req: 'img,text' is not supported (only img)"),
        ("fmt=avif", "fmt: 'avif' is not a supported format (jpeg, pjpeg, png, png-alpha, png8, png8-alpha, gif, gif-alpha, tif, tif-alpha, webp, webp-alpha)"),
        ("fmt=jpeg,gray", "fmt: pixel type 'gray' is not supported (only rgb)"),
        ("fmt=tif,cmyk", "fmt: pixel type 'cmyk' is not supported (only rgb)"),
        ("fmt=tif,xyz", "fmt: 'xyz' is not a pixel type (rgb, gray, cmyk)"),
        ("fmt=tif,,jpeg", "fmt: compression 'jpeg' is not supported for tif (none, lzw, zip) (JPEG-compressed TIFF is not supported)"),
        ("fmt=tif-alpha,,lossy", "fmt: compression 'lossy' is not supported for tif-alpha (none, lzw, zip)"),
        ("fmt=webp,,lzw", "fmt: compression 'lzw' is not supported for webp (lossy, lossless)"),
        ("fmt=jpg,,lzw", "fmt: compression 'lzw' is not allowed for jpeg (only tif, tif-alpha, webp and webp-alpha take one)"),
        ("fmt=png,rgb,none,x", "fmt: 'png,rgb,none,x' has too many arguments (format[,pixelType[,compression]])"),
        ("bgc=xyz", "bgc: 'xyz' is not a valid colour (gray[,alpha][g], r,g,b[,a][r], c,m,y,k[,a]k, 0xGG[AA][g], [0x]RRGGBB[AA][r] or [0x]CCMMYYKK[AA]k, optionally followed by s)"),
        ("=5", "=5: missing command name"),
        ("wid=%4", "wid: invalid percent-encoding in '%4'"),
    ];
    for (q, want) in table {
        assert_eq!(err(q), want, "{q}");
    }
}
