//! Parsing, step 3c: request attributes that choose the output (spec/is-protocol.md §4.32–4.37,
//! §4.43, §6): `fmt=`, `qlt=`, `jpegSize=`, `pscan=`, `resMode=`, `req=`, `cache=`.

use super::args::int;
use super::types::{FormatSpec, Pscan, Quality};
use crate::codec::{Compression, Format};
use crate::engine::Filter;

const FORMATS: &[(&str, Format)] = &[
    ("jpeg", Format::Jpeg),
    ("jpg", Format::Jpeg),
    ("pjpeg", Format::Pjpeg),
    ("png", Format::Png),
    ("png-alpha", Format::PngAlpha),
    ("png8", Format::Png8),
    ("png8-alpha", Format::Png8Alpha),
    ("gif", Format::Gif),
    ("gif-alpha", Format::GifAlpha),
    ("tif", Format::Tif),
    ("tif-alpha", Format::TifAlpha),
    ("webp", Format::Webp),
    ("webp-alpha", Format::WebpAlpha),
];

const FORMAT_LIST: &str = "jpeg, pjpeg, png, png-alpha, png8, png8-alpha, gif, gif-alpha, tif, \
                           tif-alpha, webp, webp-alpha";

/// `fmt=format[,pixelType[,compression]]`.
pub fn fmt(v: &str) -> Result<FormatSpec, String> {
    let lower = v.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split(',').collect();
    if parts.len() > 3 {
        return Err(format!(
            "'{v}' has too many arguments (format[,pixelType[,compression]])"
        ));
    }
    let Some(&(_, format)) = FORMATS.iter().find(|(n, _)| *n == parts[0]) else {
        return Err(format!(
            "'{}' is not a supported format ({FORMAT_LIST})",
            parts[0]
        ));
    };
    match parts.get(1).copied().unwrap_or("") {
        "" | "rgb" => {}
        t @ ("gray" | "cmyk") => {
            return Err(format!("pixel type '{t}' is not supported (only rgb)"))
        }
        t => return Err(format!("'{t}' is not a pixel type (rgb, gray, cmyk)")),
    }
    let compression = compression(format, parts.get(2).copied().unwrap_or(""))?;
    Ok(FormatSpec {
        format,
        compression,
    })
}

fn compression(format: Format, c: &str) -> Result<Compression, String> {
    let allowed: &[(&str, Compression)] = match format {
        Format::Tif | Format::TifAlpha => &[
            ("none", Compression::None),
            ("lzw", Compression::Lzw),
            ("zip", Compression::Zip),
        ],
        Format::Webp | Format::WebpAlpha => &[
            ("lossy", Compression::Lossy),
            ("lossless", Compression::Lossless),
        ],
        _ => &[],
    };
    if c.is_empty() {
        return Ok(Compression::Default);
    }
    if let Some((_, comp)) = allowed.iter().find(|(n, _)| *n == c) {
        return Ok(*comp);
    }
    if allowed.is_empty() {
        return Err(format!(
            "compression '{c}' is not allowed for {} (only tif, tif-alpha, webp and webp-alpha take one)",
            format_name(format)
        ));
    }
    let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
    let hint = if c == "jpeg" && format == Format::Tif {
        " (JPEG-compressed TIFF is not supported)"
    } else {
        ""
    };
    Err(format!(
        "compression '{c}' is not supported for {} ({}){hint}",
        format_name(format),
        names.join(", ")
    ))
}

fn format_name(f: Format) -> &'static str {
    FORMATS
        .iter()
        .find(|(_, g)| *g == f)
        .map_or("?", |(n, _)| *n)
}

/// `qlt=quality[,chroma]`: quality 1–100, chroma 0 or 1.
pub fn qlt(v: &str) -> Result<Quality, String> {
    let mut parts = v.split(',');
    let q = parts.next().and_then(int).filter(|q| (1..=100).contains(q));
    let chroma = match parts.next() {
        None | Some("0") => Some(false),
        Some("1") => Some(true),
        _ => None,
    };
    match (q, chroma, parts.next()) {
        (Some(q), Some(c), None) => Ok(Quality {
            quality: q as u8,
            no_chroma_subsampling: c,
        }),
        _ => Err(format!(
            "'{v}' is not a valid quality (quality[,chroma]: integer from 1 to 100, chroma 0 or 1)"
        )),
    }
}

/// `jpegSize=kb`: an integer ≥ 0 (0: no limit).
pub fn jpeg_size(v: &str) -> Result<u32, String> {
    int(v)
        .filter(|k| (0..=i64::from(u32::MAX)).contains(k))
        .map(|k| k as u32)
        .ok_or_else(|| format!("'{v}' is not a valid JPEG size (kilobytes, integer 0 or more)"))
}

/// `pscan=auto|3|4|5`.
pub fn pscan(v: &str) -> Result<Pscan, String> {
    match v.to_ascii_lowercase().as_str() {
        "auto" => Ok(Pscan::Auto),
        "3" => Ok(Pscan::Scans(3)),
        "4" => Ok(Pscan::Scans(4)),
        "5" => Ok(Pscan::Scans(5)),
        _ => Err(format!("'{v}' is not a valid scan count (auto, 3, 4 or 5)")),
    }
}

/// `cache=on|off|validate|update` (client and server alike; `validate` and `update` concern the
/// server only) or `cache=client,server` with each `on` or `off` (§4.41): whether the client may
/// keep the reply.
pub fn cache(v: &str) -> Result<bool, String> {
    let lower = v.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split(',').collect();
    match parts[..] {
        ["on" | "validate" | "update"] => Ok(true),
        ["off"] => Ok(false),
        [client @ ("on" | "off"), "on" | "off"] => Ok(client == "on"),
        _ => Err(format!(
            "'{v}' is not a valid cache setting (on, off, validate, update, or client,server \
             with each on or off)"
        )),
    }
}

/// `resMode=bilin|bicub|sharp2|bisharp`, with `sharp` accepted as an alias of `sharp2`.
pub fn res_mode(v: &str) -> Result<Filter, String> {
    match v.to_ascii_lowercase().as_str() {
        "bilin" => Ok(Filter::Bilinear),
        "bicub" => Ok(Filter::Bicubic),
        "sharp2" | "sharp" => Ok(Filter::Lanczos3),
        "bisharp" => Ok(Filter::BicubicSharper),
        _ => Err(format!(
            "'{v}' is not a resampling mode (bilin, bicub, sharp2, sharp, bisharp)"
        )),
    }
}

/// `req=`: only `img` (the default) is supported.
pub fn req(v: &str) -> Result<(), String> {
    if v.eq_ignore_ascii_case("img") {
        Ok(())
    } else {
        Err(format!("'{v}' is not supported (only img)"))
    }
}
