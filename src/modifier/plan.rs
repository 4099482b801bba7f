//! Planning entry point: `Commands` + source size + catalog limits → `Plan` (decode hint,
//! `engine::Step`s, reply size, encoder options). Pure and CPU-only; `layer`, `view` and
//! `lower` do the geometry, `shrink` the decode hint. The engine and codec run the plan.

use super::error::ModifierError;
use super::filters::Filters;
use super::layer::layer;
use super::lower::{lower, Effects};
use super::shrink::decode_shrink;
use super::types::{Commands, Pscan};
use super::view::{size_command, view};
use crate::codec::{Compression, EncodeOptions, Format, OutputMeta, PaletteKind, Profile};
use crate::engine::{ColorOp, Filter, Rgba, Step};

/// `attribute::PrintResolution`'s default (is-catalog.md §6.1).
pub const DEFAULT_PRINT_RES: f64 = 72.0;

/// Catalog attributes and server limits that shape a plan (is-catalog.md §6.1).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// `DefaultPix`: caps the reply when there is no `wid`/`hei`/`scl` (0 = unbounded axis);
    /// `None` for copyImage, which has no DefaultPix.
    pub default_pix: Option<(u32, u32)>,
    /// `MaxPix`: reply width/height limit (0 = unbounded axis).
    pub max_pix: (u32, u32),
    /// Render pixel limit for the reply and every intermediate image (`u64::MAX`: none).
    pub max_pixels: u64,
    /// `BkgColor`: the default `bgc=`.
    pub bkg_color: Rgba,
    /// `JpegQuality`: the default `qlt=` (quality, no chroma subsampling).
    pub default_quality: (u8, bool),
    /// `ResMode`: the default `resMode=`.
    pub default_filter: Filter,
    /// The format without `fmt=`; `None` for copyImage, whose caller stores a lossless master.
    pub default_format: Option<Format>,
    /// `PrintResolution` (dpi): the default `printRes=`; `None` writes no resolution.
    pub print_res: Option<f64>,
}

impl Limits {
    /// copyImage: no DefaultPix, no MaxPix, a render pixel limit, no default format.
    pub fn copy_image(max_pixels: u64) -> Limits {
        Limits {
            default_pix: None,
            max_pix: (0, 0),
            max_pixels,
            bkg_color: Rgba::WHITE,
            default_quality: (80, false),
            default_filter: Filter::Bicubic,
            default_format: None,
            print_res: Some(DEFAULT_PRINT_RES),
        }
    }

    /// The catalog's `PrintResolution` in dpi (0: write none).
    pub fn with_print_res(self, dpi: u32) -> Limits {
        Limits {
            print_res: (dpi > 0).then_some(f64::from(dpi)),
            ..self
        }
    }

    /// `/is/image`: DefaultPix and MaxPix from the catalog, JPEG by default.
    pub fn image_serving(default_pix: (u32, u32), max_pix: (u32, u32), max_pixels: u64) -> Limits {
        Limits {
            default_pix: Some(default_pix),
            max_pix,
            default_format: Some(Format::Jpeg),
            ..Limits::copy_image(max_pixels)
        }
    }
}

impl Default for Limits {
    /// The suggested catalog values (DefaultPix 400,400, MaxPix 2000,2000) and Image
    /// Serving's default 16 Mpixel render limit.
    fn default() -> Limits {
        Limits::image_serving((400, 400), (2000, 2000), 16_000_000)
    }
}

/// How to render one image.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The source size the plan was made for.
    pub source: (u32, u32),
    /// 1, 2, 4 or 8: the decoder may decode at 1/n (JPEG DCT scaling); then run
    /// `steps_for_input` with the decoded size.
    pub decode_shrink: u32,
    /// Steps for a full-size input; empty when the reply is the source unchanged.
    pub steps: Vec<Step>,
    pub width: u32,
    pub height: u32,
    /// `None` when there is no `fmt=` and no default format (copyImage picks a lossless one).
    pub encode: Option<EncodeOptions>,
    /// Output profile, ICC embedding and print resolution (also in `encode`), for whatever
    /// format the file is written in.
    pub meta: OutputMeta,
    /// `Some(bgc)` when the format has no alpha: `steps` already end with `Underlay{bgc}`, so
    /// the reply is opaque. `None` for alpha formats and when `encode` is `None`.
    pub flatten: Option<Rgba>,
}

pub fn plan(src_w: u32, src_h: u32, c: &Commands, limits: &Limits) -> Result<Plan, ModifierError> {
    if src_w == 0 || src_h == 0 {
        return Err(ModifierError::new(
            "image",
            format!("the source is {src_w}x{src_h}"),
        ));
    }
    let layer = layer(src_w, src_h, c)?;
    let view = view(layer.size.0, layer.size.1, c, limits)?;
    let meta = output_meta(c, limits);
    let encode = encode_options(c, limits, meta);
    check_quantize(encode.as_ref())?;
    let bgc = c
        .bgc
        .map_or(limits.bkg_color, |b| Rgba { a: 255, ..b.rgba });
    let flatten = encode
        .as_ref()
        .filter(|e| !e.format.has_alpha())
        .map(|_| bgc);
    let fx = Effects {
        opacity: c.opac.map_or(1.0, |o| o.factor()),
        color: c.color.map_or(Rgba::TRANSPARENT, |c| c.rgba),
        bg_color: c.bg_color.map_or(Rgba::TRANSPARENT, |c| c.rgba),
        flatten,
        filter: c.res_mode.unwrap_or(limits.default_filter),
        colors: color_ops(c),
        filters: Filters::new(c, (src_w, src_h)),
    };
    let steps = lower(&layer, &view, &fx);
    check_pixels((src_w, src_h), &steps, limits.max_pixels, size_command(c))?;
    Ok(Plan {
        source: (src_w, src_h),
        decode_shrink: decode_shrink(&steps, layer.axis_aligned),
        steps,
        width: view.out.0,
        height: view.out.1,
        encode,
        meta,
        flatten,
    })
}

/// The colour commands in the canonical order of spec/is-protocol.md §3.2 (`op_brightness →
/// op_contrast → op_colorbalance → op_hue → op_saturation → op_colorize → op_invert`), URL order
/// notwithstanding; neutral values (0, `op_invert=0`) are dropped.
fn color_ops(c: &Commands) -> Vec<ColorOp> {
    let adj = |v: Option<i32>, op: fn(i32) -> ColorOp| v.filter(|v| *v != 0).map(op);
    [
        adj(c.op_brightness, ColorOp::Brightness),
        adj(c.op_contrast, ColorOp::Contrast),
        c.op_colorbalance
            .filter(|v| *v != [0, 0, 0])
            .map(ColorOp::ColorBalance),
        adj(c.op_hue, ColorOp::Hue),
        adj(c.op_saturation, ColorOp::Saturation),
        c.op_colorize.map(|z| ColorOp::Colorize {
            rgb: [z.color.r, z.color.g, z.color.b],
            norm: z.norm,
            contrast: z.contrast as f32,
        }),
        (c.op_invert == Some(true)).then_some(ColorOp::Invert),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn output_meta(c: &Commands, limits: &Limits) -> OutputMeta {
    OutputMeta {
        profile: c.icc.map_or(Profile::Srgb, |i| i.profile),
        intent: c.icc.and_then(|i| i.intent).unwrap_or_default(),
        embed_icc: c.icc_embed.unwrap_or(false),
        print_res: c.print_res.or(limits.print_res),
    }
}

fn encode_options(c: &Commands, limits: &Limits, meta: OutputMeta) -> Option<EncodeOptions> {
    let format = c.fmt.map(|f| f.format).or(limits.default_format)?;
    let (quality, no_chroma_subsampling) = c.qlt.map_or(limits.default_quality, |q| {
        (q.quality, q.no_chroma_subsampling)
    });
    Some(EncodeOptions {
        format,
        quality,
        no_chroma_subsampling,
        pscan: match c.pscan {
            Some(Pscan::Scans(n)) => Some(n),
            Some(Pscan::Auto) | None => None,
        },
        compression: c.fmt.map_or(Compression::Default, |f| f.compression),
        meta,
        quantize: c.quantize.clone().unwrap_or_default(),
        jpeg_size_kb: c.jpeg_size.unwrap_or(0),
    })
}

/// `quantize=mac` has no room for a transparent key (§4.35).
fn check_quantize(e: Option<&EncodeOptions>) -> Result<(), ModifierError> {
    match e {
        Some(e)
            if e.quantize.kind == PaletteKind::Mac
                && matches!(e.format, Format::GifAlpha | Format::Png8Alpha) =>
        {
            Err(ModifierError::new(
                "quantize",
                "the mac palette is not allowed with gif-alpha or png8-alpha",
            ))
        }
        _ => Ok(()),
    }
}

/// Every intermediate image and the reply must stay within `max_pixels`.
fn check_pixels(src: (u32, u32), steps: &[Step], max: u64, cmd: &str) -> Result<(), ModifierError> {
    let mut size = src;
    for (i, s) in steps.iter().enumerate() {
        size = s.output_size(size.0, size.1);
        let px = u64::from(size.0) * u64::from(size.1);
        if px > max {
            let what = if i + 1 == steps.len() {
                "reply"
            } else {
                "intermediate image"
            };
            let msg = format!(
                "{what} {}x{} ({px} pixels) exceeds the render limit of {max} pixels",
                size.0, size.1
            );
            return Err(ModifierError::new(cmd, msg));
        }
    }
    let px = u64::from(size.0) * u64::from(size.1);
    if px > max {
        let msg = format!(
            "reply {}x{} ({px} pixels) exceeds the render limit of {max} pixels",
            size.0, size.1
        );
        return Err(ModifierError::new(cmd, msg));
    }
    Ok(())
}
