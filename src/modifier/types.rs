//! The typed result of parsing a modifier (`parse` produces it, `plan` consumes it): one field
//! per supported command, `None` when the command is absent (its default then applies).

use crate::codec::{Compression, Format, Intent, Profile, Quantize};
use crate::engine::{Filter, Rgba};

/// All supported commands of one (merged) modifier.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Commands {
    /// `wid=`: view width, ≥ 1.
    pub wid: Option<u32>,
    /// `hei=`: view height, ≥ 1.
    pub hei: Option<u32>,
    /// `scl=`: inverse view scale, finite and > 0.
    pub scl: Option<f64>,
    /// `size=` / `sizeN=`.
    pub size: Option<LayerSize>,
    /// `scale=`: layer scale factor, finite and > 0.
    pub scale: Option<f64>,
    pub fit: Option<Fit>,
    /// `align=h,v`, each in −1..=1.
    pub align: Option<(f64, f64)>,
    /// `crop=` / `cropN=`.
    pub crop: Option<Crop>,
    /// `extend=` / `extendN=`.
    pub extend: Option<Extend>,
    pub flip: Option<Flip>,
    /// `rotate=`: degrees, clockwise, finite.
    pub rotate: Option<f64>,
    /// `anchor=` / `anchorN=`: parsed and validated; a single-image plan does not depend on it
    /// (it only moves the layer origin, which matters once there are several layers).
    pub anchor: Option<Anchor>,
    pub rect: Option<ViewRect>,
    /// `dpr=on,n`: `Some(n)`; `dpr=off`: `None`.
    pub dpr: Option<f64>,
    pub opac: Option<Opac>,
    /// `bgc=`: alpha and `s` are ignored by the plan.
    pub bgc: Option<Color>,
    /// `bgColor=`.
    pub bg_color: Option<Color>,
    /// `color=`.
    pub color: Option<Color>,
    /// `resMode=`.
    pub res_mode: Option<Filter>,
    pub fmt: Option<FormatSpec>,
    pub qlt: Option<Quality>,
    pub pscan: Option<Pscan>,
    /// `jpegSize=`: largest JPEG reply in KiB (0: no limit).
    pub jpeg_size: Option<u32>,
    /// `cache=`: whether the client may keep the reply (`off` says no). The server part is
    /// accepted and has no effect: ipsd keeps no cache of rendered replies.
    pub client_cache: Option<bool>,
    /// `printRes=`: dots per inch, 1..=65535.
    pub print_res: Option<f64>,
    /// `iccEmbed=`.
    pub icc_embed: Option<bool>,
    /// `icc=`.
    pub icc: Option<IccCmd>,
    /// `quantize=` (GIF and PNG8 only).
    pub quantize: Option<Quantize>,
    /// `defaultImage=`: the fallback record for a missing image (`/is/image` only); an empty
    /// value disables the fallback and is stored as `None`.
    pub default_image: Option<String>,
    /// `op_brightness=`: −100..=100.
    pub op_brightness: Option<i32>,
    /// `op_contrast=`: −100..=100.
    pub op_contrast: Option<i32>,
    /// `op_saturation=`: −100..=100.
    pub op_saturation: Option<i32>,
    /// `op_hue=`: −180..=180 degrees.
    pub op_hue: Option<i32>,
    /// `op_colorbalance=r,g,b`: each −100..=100.
    pub op_colorbalance: Option<[i32; 3]>,
    /// `op_colorize=color[,off|norm[,contrast]]`.
    pub op_colorize: Option<Colorize>,
    /// `op_invert=0|1`.
    pub op_invert: Option<bool>,
    /// `op_blur=radius`: 0..=100 composite pixels.
    pub op_blur: Option<f64>,
    /// `op_sharpen=0|1`.
    pub op_sharpen: Option<bool>,
    /// `op_usm=` / `op_usmR=` (one attribute: the later spelling wins).
    pub op_usm: Option<UsmCmd>,
    /// `op_grow=radius`: −100..=100 composite pixels.
    pub op_grow: Option<i32>,
    /// `op_noise=amount[,uniform|gaussian[,monochrome]]`.
    pub op_noise: Option<NoiseCmd>,
    /// Unknown command names as written (first spelling of each), for the caller to log.
    pub ignored: Vec<String>,
}

/// `icc=profile[,renderIntent[,blackpointComp[,dither]]]`; `None` arguments take the catalog
/// defaults (relative colorimetric, compensation on, no dither). Compensation and dither are
/// validated only: see `codec::profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IccCmd {
    pub profile: Profile,
    pub intent: Option<Intent>,
    pub black_point: Option<bool>,
    pub dither: Option<bool>,
}

/// `size=w,h` (pixels, 0 = derive from the aspect ratio) or `sizeN=w,h` (relative).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LayerSize {
    Pixels { w: u32, h: u32 },
    Normalized { w: f64, h: f64 },
}

/// `fit=mode[,upscale]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    pub mode: FitMode,
    pub upscale: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitMode {
    Fit,
    Constrain,
    Crop,
    Wrap,
    Stretch,
    HFit,
    VFit,
}

/// `crop=x,y,w,h` (source pixels) or `cropN=x,y,w,h` (relative to the source size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crop {
    Pixels { x: i32, y: i32, w: u32, h: u32 },
    Normalized { x: f64, y: f64, w: f64, h: f64 },
}

/// `extend=l,t,r,b` (pixels) or `extendN=l,t,r,b` (relative to the rotated layer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Extend {
    Pixels([i32; 4]),
    Normalized([f64; 4]),
}

/// `flip=lr|ud|lrud`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flip {
    Lr,
    Ud,
    LrUd,
}

/// `anchor=x,y` (source pixels from the top-left) or `anchorN=x,y` (from the centre).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Anchor {
    Pixels { x: i32, y: i32 },
    Normalized { x: f64, y: f64 },
}

/// `rect=x,y,w,h[,scale]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewRect {
    pub x: i32,
    pub y: i32,
    pub w: u32,
    pub h: u32,
    pub scale: f64,
}

/// `opac=opacity[,fillOpacity]`, percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opac {
    pub opacity: u8,
    pub fill: u8,
}

impl Opac {
    /// Opacity of a single image layer's content: `opacity · fill / 100²`.
    pub fn factor(self) -> f32 {
        (u32::from(self.opacity) * u32::from(self.fill)) as f32 / 10_000.0
    }
}

/// A parsed colour (spec/is-protocol.md §2.5), converted to RGBA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color {
    pub rgba: Rgba,
    /// The notation it was written in (gray and CMYK are converted naively).
    pub space: ColorSpace,
    /// The `s` suffix: bound to the source colour space (no colour management yet).
    pub source: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorSpace {
    Gray,
    Rgb,
    Cmyk,
}

/// `fmt=format[,pixelType[,compression]]`; only the `rgb` pixel type is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: Format,
    pub compression: Compression,
}

/// `qlt=quality[,chroma]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quality {
    pub quality: u8,
    pub no_chroma_subsampling: bool,
}

/// `pscan=auto|3|4|5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pscan {
    Auto,
    Scans(u8),
}

/// `op_colorize=color[,off|norm[,contrast]]`: an RGB colour, brightness normalization
/// (default on), contrast 0..=100 (default 0; ignored with `off`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colorize {
    pub color: Rgba,
    pub norm: bool,
    pub contrast: f64,
}

/// `op_usm=amount[,radius[,threshold[,monochrome]]]` (and `op_usmR=`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UsmCmd {
    /// 0..=5.
    pub amount: f64,
    /// 0..=250 pixels: full-resolution source pixels (`op_usm`) or reply pixels (`op_usmR`).
    pub radius: f64,
    /// 0..=255.
    pub threshold: u8,
    pub monochrome: bool,
    /// `op_usmR`: the radius is used as given.
    pub as_given: bool,
}

/// `op_noise=amount[,uniform|gaussian[,monochrome]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoiseCmd {
    /// 0..=100 (%).
    pub amount: u8,
    pub gaussian: bool,
    pub monochrome: bool,
}
