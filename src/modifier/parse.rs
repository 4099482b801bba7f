//! Parsing entry points (spec/is-protocol.md §1–2, is-catalog.md §4.2): modifier strings →
//! `tokenize` → name lookup (`names`) → typed values (`args`, `color`, `output`) → `Commands`.
//! The result goes to `plan`.

use super::error::ModifierError;
use super::names::{lookup, Cmd, Known};
use super::tokenize::{elements, Element};
use super::types::Commands;
use super::{args, color, filter_args, output, output_meta};
use std::collections::BTreeMap;

/// Parses one modifier string (a URL query or a `urlModifier`).
pub fn parse(query: &str) -> Result<Commands, ModifierError> {
    merge("", query, "")
}

/// Merges a catalog `Modifier`, the request and a `PostModifier`: for each command the last
/// occurrence wins, so precedence is Modifier < request < PostModifier (is-catalog.md §4.2).
/// Variable definitions from all three are substituted into all three. Only the effective
/// (winning) value of each command is validated.
pub fn merge(
    modifier: &str,
    request: &str,
    post_modifier: &str,
) -> Result<Commands, ModifierError> {
    let mut errors = ModifierError::default();
    let elems = elements(&[modifier, request, post_modifier], &mut errors);
    let mut c = Commands::default();
    let mut effective: BTreeMap<Cmd, (usize, &'static str, bool, &str)> = BTreeMap::new();
    let mut found: Vec<(usize, String, String)> = Vec::new();
    for (i, Element { name, value }) in elems.iter().enumerate() {
        match lookup(name) {
            Known::Supported(canon, cmd, norm) => {
                effective.insert(cmd, (i, canon, norm, value.as_str()));
            }
            Known::Unsupported(canon) => {
                let shown = if canon == "op_" { name.as_str() } else { canon };
                if !found.iter().any(|(_, u, _)| u.eq_ignore_ascii_case(shown)) {
                    found.push((i, shown.to_string(), "not supported yet".into()));
                }
            }
            Known::Unknown => {
                if !c.ignored.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    c.ignored.push(name.clone());
                }
            }
        }
    }
    for (cmd, (i, canon, norm, value)) in effective {
        if let Err(msg) = apply(&mut c, cmd, norm, value) {
            found.push((i, canon.to_string(), msg));
        }
    }
    found.sort_by_key(|(i, ..)| *i);
    for (_, cmd, msg) in found {
        errors.push(cmd, msg);
    }
    errors.into_result(c)
}

/// Stores one command's parsed value in `c`.
fn apply(c: &mut Commands, cmd: Cmd, norm: bool, v: &str) -> Result<(), String> {
    match cmd {
        Cmd::Wid => c.wid = Some(args::dimension(v, "width")?),
        Cmd::Hei => c.hei = Some(args::dimension(v, "height")?),
        Cmd::Scl => c.scl = Some(args::positive(v, "view scale")?),
        Cmd::Size => c.size = Some(args::size(v, norm)?),
        Cmd::Scale => c.scale = Some(args::positive(v, "scale")?),
        Cmd::Fit => c.fit = Some(args::fit(v)?),
        Cmd::Align => c.align = Some(args::align(v)?),
        Cmd::Crop => c.crop = Some(args::crop(v, norm)?),
        Cmd::Extend => c.extend = Some(args::extend(v, norm)?),
        Cmd::Flip => c.flip = Some(args::flip(v)?),
        Cmd::Rotate => c.rotate = Some(args::angle(v)?),
        Cmd::Anchor => c.anchor = Some(args::anchor(v, norm)?),
        Cmd::Rect => c.rect = Some(args::rect(v)?),
        Cmd::Dpr => c.dpr = args::dpr(v)?,
        Cmd::Opac => c.opac = Some(args::opac(v)?),
        Cmd::Bgc => c.bgc = Some(color::parse(v)?),
        Cmd::BgColor => c.bg_color = Some(color::parse(v)?),
        Cmd::Color => c.color = Some(color::parse(v)?),
        Cmd::ResMode => c.res_mode = Some(output::res_mode(v)?),
        Cmd::Fmt => c.fmt = Some(output::fmt(v)?),
        Cmd::Qlt => c.qlt = Some(output::qlt(v)?),
        Cmd::Pscan => c.pscan = Some(output::pscan(v)?),
        Cmd::JpegSize => c.jpeg_size = Some(output::jpeg_size(v)?),
        Cmd::Req => output::req(v)?,
        Cmd::Id => {}
        Cmd::Cache => c.client_cache = Some(output::cache(v)?),
        Cmd::PrintRes => c.print_res = Some(output_meta::print_res(v)?),
        Cmd::IccEmbed => c.icc_embed = Some(output_meta::icc_embed(v)?),
        Cmd::Icc => c.icc = Some(output_meta::icc(v)?),
        Cmd::Quantize => c.quantize = Some(output_meta::quantize(v)?),
        Cmd::DefaultImage => c.default_image = Some(v.to_string()).filter(|v| !v.is_empty()),
        Cmd::OpBrightness => c.op_brightness = Some(args::adjust(v, "brightness", 100)?),
        Cmd::OpContrast => c.op_contrast = Some(args::adjust(v, "contrast", 100)?),
        Cmd::OpSaturation => c.op_saturation = Some(args::adjust(v, "saturation", 100)?),
        Cmd::OpHue => c.op_hue = Some(args::adjust(v, "hue angle", 180)?),
        Cmd::OpColorBalance => c.op_colorbalance = Some(args::color_balance(v)?),
        Cmd::OpColorize => c.op_colorize = Some(color::colorize(v)?),
        Cmd::OpInvert => c.op_invert = Some(args::flag(v, "invert flag")?),
        Cmd::OpBlur => c.op_blur = Some(filter_args::blur(v)?),
        Cmd::OpSharpen => c.op_sharpen = Some(args::flag(v, "sharpen flag")?),
        Cmd::OpUsm => c.op_usm = Some(filter_args::usm(v, norm)?),
        Cmd::OpGrow => c.op_grow = Some(args::adjust(v, "grow radius", 100)?),
        Cmd::OpNoise => c.op_noise = Some(filter_args::noise(v)?),
    }
    Ok(())
}
