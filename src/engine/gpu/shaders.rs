//! The shader registry of the GPU executor (vello `shaders.rs` style): one entry per WGSL
//! kernel in `shaders/`, its bindings in a fixed order (params uniform, inputs, outputs) and the
//! layout of its `#[repr(C)]` params struct, which `tests/gpu.rs` checks against naga's
//! reflection of the WGSL struct. Sources are the `#import`-expanded copies that `build.rs`
//! validated and wrote to `$OUT_DIR/shaders/`.

use bytemuck::{Pod, Zeroable};
use std::mem::{offset_of, size_of};

/// Identifies a kernel; the discriminant indexes [`SHADERS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShaderId {
    ResizeV = 0,
    ResizeH = 1,
    Affine = 2,
    Underlay = 3,
    Opacity = 4,
    IsOpaque = 5,
    OpInvert = 6,
    OpBrightness = 7,
    OpContrast = 8,
    OpSaturation = 9,
    OpHue = 10,
    OpColorBalance = 11,
    LumaHist = 12,
    OpColorize = 13,
    OpBlur = 14,
    OpUsm = 15,
    OpGrow = 16,
    OpNoise = 17,
}

impl ShaderId {
    pub const ALL: [ShaderId; 18] = [
        ShaderId::ResizeV,
        ShaderId::ResizeH,
        ShaderId::Affine,
        ShaderId::Underlay,
        ShaderId::Opacity,
        ShaderId::IsOpaque,
        ShaderId::OpInvert,
        ShaderId::OpBrightness,
        ShaderId::OpContrast,
        ShaderId::OpSaturation,
        ShaderId::OpHue,
        ShaderId::OpColorBalance,
        ShaderId::LumaHist,
        ShaderId::OpColorize,
        ShaderId::OpBlur,
        ShaderId::OpUsm,
        ShaderId::OpGrow,
        ShaderId::OpNoise,
    ];

    pub fn info(self) -> &'static ShaderInfo {
        &SHADERS[self as usize]
    }
}

/// How a kernel binds one resource (group 0, binding = position in the entry's list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// `var<uniform>`: the params struct.
    Uniform,
    /// `var<storage, read>`.
    Storage,
    /// `var<storage, read_write>`.
    StorageRw,
}

/// Layout of a params struct as Rust sees it: WGSL struct name, size, member offsets.
#[derive(Debug)]
pub struct ParamsLayout {
    pub wgsl_struct: &'static str,
    pub size: usize,
    pub members: &'static [(&'static str, usize)],
}

/// One registry entry.
#[derive(Debug)]
pub struct ShaderInfo {
    /// Registry name: file `shaders/<name>.wgsl`, label `ipsd.<name>`.
    pub name: &'static str,
    pub label: &'static str,
    pub source: &'static str,
    pub bindings: &'static [Binding],
    pub params: ParamsLayout,
}

/// The band header every params struct starts with (`shaders/shared/band.wgsl`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Band {
    pub x0: u32,
    pub y0: u32,
    pub w: u32,
    pub h: u32,
    pub in_stride: u32,
    pub out_stride: u32,
    pub in_base: u32,
    pub out_base: u32,
}

/// Params of `resize_v` and `resize_h` (`shaders/shared/resize.wgsl`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct ResizeParams {
    pub band: Band,
    pub shift: u32,
    pub coeff_base: u32,
    pub window: u32,
    pub frac_bits: u32,
    pub alpha_mode: u32,
    pub alpha_slot: u32,
    pub _pad0: u32,
    pub _pad1: u32,
}

/// `alpha_mode` bits of [`ResizeParams`].
pub const ALPHA_PREMULTIPLY: u32 = 1;
pub const ALPHA_DIVIDE: u32 = 2;

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Pod, Zeroable)]
pub struct AffineParams {
    pub band: Band,
    pub m: [f32; 6],
    pub src_w: u32,
    pub src_h: u32,
    pub fill: u32,
    pub sampling: u32,
    pub _pad0: u32,
    pub _pad1: u32,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct UnderlayParams {
    pub band: Band,
    pub color: u32,
    pub _pad: [u32; 3],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Pod, Zeroable)]
pub struct OpacityParams {
    pub band: Band,
    pub opacity: f32,
    pub _pad: [u32; 3],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct IsOpaqueParams {
    pub band: Band,
    pub alpha_slot: u32,
    pub _pad: [u32; 3],
}

/// Params of every per-pixel `op_*` colour kernel (`shaders/shared/color_op.wgsl`): `k` is
/// [`crate::engine::ColorOp::params`].
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Pod, Zeroable)]
pub struct ColorParams {
    pub band: Band,
    pub k: [f32; 4],
}

const COLOR_LAYOUT: ParamsLayout = ParamsLayout {
    wgsl_struct: "ColorParams",
    size: size_of::<ColorParams>(),
    members: &[
        ("band", offset_of!(ColorParams, band)),
        ("k", offset_of!(ColorParams, k)),
    ],
};

/// Params of `luma_hist`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct LumaHistParams {
    pub band: Band,
    pub hist_base: u32,
    pub _pad: [u32; 3],
}

/// Params of `op_colorize`: `k` is [`crate::engine::ColorOp::params`], `hist_base` the first
/// of the 256 histogram slots `luma_hist` filled.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Pod, Zeroable)]
pub struct ColorizeParams {
    pub band: Band,
    pub k: [f32; 4],
    pub hist_base: u32,
    pub _pad: [u32; 3],
}

/// Params of the separable filters `op_blur`, `op_usm` and `op_grow`
/// (`shaders/shared/window.wgsl`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Pod, Zeroable)]
pub struct FilterParams {
    pub band: Band,
    pub dir: u32,
    pub reach: u32,
    pub src_w: u32,
    pub src_h: u32,
    pub fmt: u32,
    pub coeff_base: u32,
    pub threshold: f32,
    pub amount: f32,
    pub mono: u32,
    pub _pad: [u32; 3],
}

/// `fmt` bits of [`FilterParams`] for `op_blur`.
pub const FMT_IN16: u32 = 1;
pub const FMT_OUT16: u32 = 2;

const FILTER_LAYOUT: ParamsLayout = ParamsLayout {
    wgsl_struct: "FilterParams",
    size: size_of::<FilterParams>(),
    members: &[
        ("band", offset_of!(FilterParams, band)),
        ("dir", offset_of!(FilterParams, dir)),
        ("reach", offset_of!(FilterParams, reach)),
        ("src_w", offset_of!(FilterParams, src_w)),
        ("src_h", offset_of!(FilterParams, src_h)),
        ("fmt", offset_of!(FilterParams, fmt)),
        ("coeff_base", offset_of!(FilterParams, coeff_base)),
        ("threshold", offset_of!(FilterParams, threshold)),
        ("amount", offset_of!(FilterParams, amount)),
        ("mono", offset_of!(FilterParams, mono)),
        ("_pad0", offset_of!(FilterParams, _pad)),
        ("_pad1", offset_of!(FilterParams, _pad) + 4),
        ("_pad2", offset_of!(FilterParams, _pad) + 8),
    ],
};

/// Params of `op_noise`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct NoiseParams {
    pub band: Band,
    pub amount: i32,
    pub gaussian: u32,
    pub mono: u32,
    pub seed: u32,
}

/// Members of [`Band`], for the layout test.
pub const BAND_LAYOUT: ParamsLayout = ParamsLayout {
    wgsl_struct: "Band",
    size: size_of::<Band>(),
    members: &[
        ("x0", offset_of!(Band, x0)),
        ("y0", offset_of!(Band, y0)),
        ("w", offset_of!(Band, w)),
        ("h", offset_of!(Band, h)),
        ("in_stride", offset_of!(Band, in_stride)),
        ("out_stride", offset_of!(Band, out_stride)),
        ("in_base", offset_of!(Band, in_base)),
        ("out_base", offset_of!(Band, out_base)),
    ],
};

const RESIZE_LAYOUT: ParamsLayout = ParamsLayout {
    wgsl_struct: "ResizeParams",
    size: size_of::<ResizeParams>(),
    members: &[
        ("band", offset_of!(ResizeParams, band)),
        ("shift", offset_of!(ResizeParams, shift)),
        ("coeff_base", offset_of!(ResizeParams, coeff_base)),
        ("window", offset_of!(ResizeParams, window)),
        ("frac_bits", offset_of!(ResizeParams, frac_bits)),
        ("alpha_mode", offset_of!(ResizeParams, alpha_mode)),
        ("alpha_slot", offset_of!(ResizeParams, alpha_slot)),
        ("_pad0", offset_of!(ResizeParams, _pad0)),
        ("_pad1", offset_of!(ResizeParams, _pad1)),
    ],
};

const M: usize = offset_of!(AffineParams, m);

const RESIZE_BINDINGS: &[Binding] = &[
    Binding::Uniform,   // params
    Binding::Storage,   // coeffs (weight tables)
    Binding::Storage,   // alpha flags (written by is_opaque)
    Binding::Storage,   // src
    Binding::StorageRw, // dst
];
const PIXEL_BINDINGS: &[Binding] = &[Binding::Uniform, Binding::Storage, Binding::StorageRw];
const FILTER_BINDINGS: &[Binding] = &[
    Binding::Uniform,
    Binding::Storage,   // coeffs (weights)
    Binding::Storage,   // src
    Binding::StorageRw, // dst
];
const USM_BINDINGS: &[Binding] = &[
    Binding::Uniform,
    Binding::Storage,   // coeffs (weights)
    Binding::Storage,   // src: op_blur's 16-bit horizontal pass
    Binding::Storage,   // orig
    Binding::StorageRw, // dst
];
const COLORIZE_BINDINGS: &[Binding] = &[
    Binding::Uniform,
    Binding::Storage,   // src
    Binding::StorageRw, // dst
    Binding::Storage,   // the histogram (per-job flags buffer)
];

macro_rules! source {
    ($name:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/shaders/", $name, ".wgsl"))
    };
}

/// The registry, indexed by [`ShaderId`].
pub static SHADERS: [ShaderInfo; 18] = [
    ShaderInfo {
        name: "resize_v",
        label: "ipsd.resize_v",
        source: source!("resize_v"),
        bindings: RESIZE_BINDINGS,
        params: RESIZE_LAYOUT,
    },
    ShaderInfo {
        name: "resize_h",
        label: "ipsd.resize_h",
        source: source!("resize_h"),
        bindings: RESIZE_BINDINGS,
        params: RESIZE_LAYOUT,
    },
    ShaderInfo {
        name: "affine",
        label: "ipsd.affine",
        source: source!("affine"),
        bindings: PIXEL_BINDINGS,
        params: ParamsLayout {
            wgsl_struct: "AffineParams",
            size: size_of::<AffineParams>(),
            members: &[
                ("band", offset_of!(AffineParams, band)),
                ("m0", M),
                ("m1", M + 4),
                ("m2", M + 8),
                ("m3", M + 12),
                ("m4", M + 16),
                ("m5", M + 20),
                ("src_w", offset_of!(AffineParams, src_w)),
                ("src_h", offset_of!(AffineParams, src_h)),
                ("fill", offset_of!(AffineParams, fill)),
                ("sampling", offset_of!(AffineParams, sampling)),
                ("_pad0", offset_of!(AffineParams, _pad0)),
                ("_pad1", offset_of!(AffineParams, _pad1)),
            ],
        },
    },
    ShaderInfo {
        name: "underlay",
        label: "ipsd.underlay",
        source: source!("underlay"),
        bindings: PIXEL_BINDINGS,
        params: ParamsLayout {
            wgsl_struct: "UnderlayParams",
            size: size_of::<UnderlayParams>(),
            members: &[
                ("band", offset_of!(UnderlayParams, band)),
                ("color", offset_of!(UnderlayParams, color)),
                ("_pad0", offset_of!(UnderlayParams, _pad)),
                ("_pad1", offset_of!(UnderlayParams, _pad) + 4),
                ("_pad2", offset_of!(UnderlayParams, _pad) + 8),
            ],
        },
    },
    ShaderInfo {
        name: "opacity",
        label: "ipsd.opacity",
        source: source!("opacity"),
        bindings: PIXEL_BINDINGS,
        params: ParamsLayout {
            wgsl_struct: "OpacityParams",
            size: size_of::<OpacityParams>(),
            members: &[
                ("band", offset_of!(OpacityParams, band)),
                ("opacity", offset_of!(OpacityParams, opacity)),
                ("_pad0", offset_of!(OpacityParams, _pad)),
                ("_pad1", offset_of!(OpacityParams, _pad) + 4),
                ("_pad2", offset_of!(OpacityParams, _pad) + 8),
            ],
        },
    },
    ShaderInfo {
        name: "is_opaque",
        label: "ipsd.is_opaque",
        source: source!("is_opaque"),
        bindings: PIXEL_BINDINGS,
        params: ParamsLayout {
            wgsl_struct: "IsOpaqueParams",
            size: size_of::<IsOpaqueParams>(),
            members: &[
                ("band", offset_of!(IsOpaqueParams, band)),
                ("alpha_slot", offset_of!(IsOpaqueParams, alpha_slot)),
                ("_pad0", offset_of!(IsOpaqueParams, _pad)),
                ("_pad1", offset_of!(IsOpaqueParams, _pad) + 4),
                ("_pad2", offset_of!(IsOpaqueParams, _pad) + 8),
            ],
        },
    },
    ShaderInfo {
        name: "op_invert",
        label: "ipsd.op_invert",
        source: source!("op_invert"),
        bindings: PIXEL_BINDINGS,
        params: COLOR_LAYOUT,
    },
    ShaderInfo {
        name: "op_brightness",
        label: "ipsd.op_brightness",
        source: source!("op_brightness"),
        bindings: PIXEL_BINDINGS,
        params: COLOR_LAYOUT,
    },
    ShaderInfo {
        name: "op_contrast",
        label: "ipsd.op_contrast",
        source: source!("op_contrast"),
        bindings: PIXEL_BINDINGS,
        params: COLOR_LAYOUT,
    },
    ShaderInfo {
        name: "op_saturation",
        label: "ipsd.op_saturation",
        source: source!("op_saturation"),
        bindings: PIXEL_BINDINGS,
        params: COLOR_LAYOUT,
    },
    ShaderInfo {
        name: "op_hue",
        label: "ipsd.op_hue",
        source: source!("op_hue"),
        bindings: PIXEL_BINDINGS,
        params: COLOR_LAYOUT,
    },
    ShaderInfo {
        name: "op_colorbalance",
        label: "ipsd.op_colorbalance",
        source: source!("op_colorbalance"),
        bindings: PIXEL_BINDINGS,
        params: COLOR_LAYOUT,
    },
    ShaderInfo {
        name: "luma_hist",
        label: "ipsd.luma_hist",
        source: source!("luma_hist"),
        bindings: PIXEL_BINDINGS,
        params: ParamsLayout {
            wgsl_struct: "LumaHistParams",
            size: size_of::<LumaHistParams>(),
            members: &[
                ("band", offset_of!(LumaHistParams, band)),
                ("hist_base", offset_of!(LumaHistParams, hist_base)),
                ("_pad0", offset_of!(LumaHistParams, _pad)),
                ("_pad1", offset_of!(LumaHistParams, _pad) + 4),
                ("_pad2", offset_of!(LumaHistParams, _pad) + 8),
            ],
        },
    },
    ShaderInfo {
        name: "op_colorize",
        label: "ipsd.op_colorize",
        source: source!("op_colorize"),
        bindings: COLORIZE_BINDINGS,
        params: ParamsLayout {
            wgsl_struct: "ColorizeParams",
            size: size_of::<ColorizeParams>(),
            members: &[
                ("band", offset_of!(ColorizeParams, band)),
                ("k", offset_of!(ColorizeParams, k)),
                ("hist_base", offset_of!(ColorizeParams, hist_base)),
                ("_pad0", offset_of!(ColorizeParams, _pad)),
                ("_pad1", offset_of!(ColorizeParams, _pad) + 4),
                ("_pad2", offset_of!(ColorizeParams, _pad) + 8),
            ],
        },
    },
    ShaderInfo {
        name: "op_blur",
        label: "ipsd.op_blur",
        source: source!("op_blur"),
        bindings: FILTER_BINDINGS,
        params: FILTER_LAYOUT,
    },
    ShaderInfo {
        name: "op_usm",
        label: "ipsd.op_usm",
        source: source!("op_usm"),
        bindings: USM_BINDINGS,
        params: FILTER_LAYOUT,
    },
    ShaderInfo {
        name: "op_grow",
        label: "ipsd.op_grow",
        source: source!("op_grow"),
        bindings: PIXEL_BINDINGS,
        params: FILTER_LAYOUT,
    },
    ShaderInfo {
        name: "op_noise",
        label: "ipsd.op_noise",
        source: source!("op_noise"),
        bindings: PIXEL_BINDINGS,
        params: ParamsLayout {
            wgsl_struct: "NoiseParams",
            size: size_of::<NoiseParams>(),
            members: &[
                ("band", offset_of!(NoiseParams, band)),
                ("amount", offset_of!(NoiseParams, amount)),
                ("gaussian", offset_of!(NoiseParams, gaussian)),
                ("mono", offset_of!(NoiseParams, mono)),
                ("seed", offset_of!(NoiseParams, seed)),
            ],
        },
    },
];
