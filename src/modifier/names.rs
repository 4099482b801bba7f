//! Parsing, step 2: the command name table. Maps a (case-insensitive) name to a supported
//! command, a known command that this round does not support, or an unknown name (ignored,
//! spec/is-protocol.md §1.6).

/// Supported commands. Pixel/normalized pairs (`crop`/`cropN`…) share one variant, so the later
/// spelling wins (§1.5 [Decide]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cmd {
    Wid,
    Hei,
    Scl,
    Size,
    Scale,
    Fit,
    Align,
    Crop,
    Extend,
    Flip,
    Rotate,
    Anchor,
    Rect,
    Dpr,
    Opac,
    Bgc,
    BgColor,
    Color,
    ResMode,
    Fmt,
    Qlt,
    Pscan,
    Req,
    /// `id=`: a cache-busting token the server ignores (§6.1).
    Id,
    /// `cache=`: client (and server) caching of the reply (§4.41).
    Cache,
    /// `printRes=`: print resolution written into the reply header (§4.38).
    PrintRes,
    /// `iccEmbed=` (§4.39).
    IccEmbed,
    /// `icc=`: output profile (§4.40).
    Icc,
    /// `quantize=`: GIF and PNG8 palette (§4.35).
    Quantize,
    /// `defaultImage=`: fallback for a missing image (§4.42).
    DefaultImage,
    /// `jpegSize=`: largest JPEG reply (§6).
    JpegSize,
    OpBrightness,
    OpContrast,
    OpSaturation,
    OpHue,
    OpInvert,
    OpColorBalance,
    OpColorize,
    OpBlur,
    OpSharpen,
    /// `op_usm` and `op_usmR` (the `…R` spelling is the "normalized" flag: radius as given).
    OpUsm,
    OpGrow,
    OpNoise,
}

/// What a command name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Canonical spelling, command, and whether it is the normalized (`…N`) spelling.
    Supported(&'static str, Cmd, bool),
    /// A documented command this round does not implement (canonical spelling).
    Unsupported(&'static str),
    Unknown,
}

const SUPPORTED: &[(&str, Cmd, bool)] = &[
    ("wid", Cmd::Wid, false),
    ("hei", Cmd::Hei, false),
    ("scl", Cmd::Scl, false),
    ("size", Cmd::Size, false),
    ("sizeN", Cmd::Size, true),
    ("scale", Cmd::Scale, false),
    ("fit", Cmd::Fit, false),
    ("align", Cmd::Align, false),
    ("crop", Cmd::Crop, false),
    ("cropN", Cmd::Crop, true),
    ("extend", Cmd::Extend, false),
    ("extendN", Cmd::Extend, true),
    ("flip", Cmd::Flip, false),
    ("rotate", Cmd::Rotate, false),
    ("anchor", Cmd::Anchor, false),
    ("anchorN", Cmd::Anchor, true),
    ("rect", Cmd::Rect, false),
    ("dpr", Cmd::Dpr, false),
    ("opac", Cmd::Opac, false),
    ("bgc", Cmd::Bgc, false),
    ("bgColor", Cmd::BgColor, false),
    ("color", Cmd::Color, false),
    ("resMode", Cmd::ResMode, false),
    ("fmt", Cmd::Fmt, false),
    ("qlt", Cmd::Qlt, false),
    ("pscan", Cmd::Pscan, false),
    ("req", Cmd::Req, false),
    ("id", Cmd::Id, false),
    ("cache", Cmd::Cache, false),
    ("printRes", Cmd::PrintRes, false),
    ("iccEmbed", Cmd::IccEmbed, false),
    ("icc", Cmd::Icc, false),
    ("quantize", Cmd::Quantize, false),
    ("defaultImage", Cmd::DefaultImage, false),
    ("jpegSize", Cmd::JpegSize, false),
    ("op_brightness", Cmd::OpBrightness, false),
    ("op_contrast", Cmd::OpContrast, false),
    ("op_saturation", Cmd::OpSaturation, false),
    ("op_hue", Cmd::OpHue, false),
    ("op_invert", Cmd::OpInvert, false),
    ("op_colorbalance", Cmd::OpColorBalance, false),
    ("op_colorize", Cmd::OpColorize, false),
    ("op_blur", Cmd::OpBlur, false),
    ("op_sharpen", Cmd::OpSharpen, false),
    ("op_usm", Cmd::OpUsm, false),
    ("op_usmR", Cmd::OpUsm, true),
    ("op_grow", Cmd::OpGrow, false),
    ("op_noise", Cmd::OpNoise, false),
];

/// Every other command named in spec/is-protocol.md §4–6; any other `op_*` name is matched by
/// prefix (reported as written).
const UNSUPPORTED: &[&str] = &[
    "layer",
    "src",
    "mask",
    "maskUse",
    "text",
    "textPs",
    "textAttr",
    "textAngle",
    "textPath",
    "textFlowPath",
    "textFlowXPath",
    "pathAttr",
    "template",
    "rgn",
    "res",
    "effect",
    "effectMask",
    "origin",
    "originN",
    "pos",
    "posN",
    "perspective",
    "perspectiveN",
    "hide",
    "blendMode",
    "clipPath",
    "clipPathE",
    "clipXPath",
    "clipXPathE",
    "cropPathE",
    "bfc",
    "network",
    "imageSet",
    "locale",
    "map",
    "mapA",
    "pathEmbed",
    "xmpEmbed",
    "type",
    "message",
    "name",
    "timeout",
    "handler",
    "op_growMask",
    "op_growMaskR",
];

/// Looks a command name up, ignoring case.
pub fn lookup(name: &str) -> Known {
    if let Some(&(canon, cmd, norm)) = SUPPORTED.iter().find(|e| e.0.eq_ignore_ascii_case(name)) {
        return Known::Supported(canon, cmd, norm);
    }
    if let Some(&canon) = UNSUPPORTED.iter().find(|n| n.eq_ignore_ascii_case(name)) {
        return Known::Unsupported(canon);
    }
    if name.len() > 3 && name.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("op_")) {
        return Known::Unsupported("op_");
    }
    Known::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_case() {
        assert_eq!(lookup("WID"), Known::Supported("wid", Cmd::Wid, false));
        assert_eq!(lookup("cropn"), Known::Supported("cropN", Cmd::Crop, true));
        assert_eq!(
            lookup("BGCOLOR"),
            Known::Supported("bgColor", Cmd::BgColor, false)
        );
        assert_eq!(
            lookup("ICCEMBED"),
            Known::Supported("iccEmbed", Cmd::IccEmbed, false)
        );
        assert_eq!(
            lookup("QUANTIZE"),
            Known::Supported("quantize", Cmd::Quantize, false)
        );
        assert_eq!(lookup("XMPEMBED"), Known::Unsupported("xmpEmbed"));
        assert_eq!(lookup("Op_GrowMask"), Known::Unsupported("op_growMask"));
        assert_eq!(
            lookup("OP_USMR"),
            Known::Supported("op_usmR", Cmd::OpUsm, true)
        );
        assert_eq!(lookup("op_x"), Known::Unsupported("op_"));
        assert_eq!(lookup("op_"), Known::Unknown);
        assert_eq!(lookup("cachebuster"), Known::Unknown);
    }
}
