//! The Image Serving command language (spec/is-protocol.md): `parse`/`merge` turn a modifier
//! string (`urlModifier`, or an `/is/image` query with catalog Modifier/PostModifier) into typed
//! `Commands`; `plan` turns `Commands` plus the source size into a `Plan` of `engine::Step`s,
//! the output size and the encoder options. Both are pure and CPU-only; `codec` and `engine`
//! run the plan.
//!
//! Choices where the spec is silent (each also noted where it is implemented):
//! - `+` decodes to a space; `%xx` is ISO-8859-1; a bad `%` sequence is an error.
//! - Unknown names are ignored and listed in `Commands::ignored`; documented commands this
//!   round lacks are errors ("not supported yet"); only the winning value of a command is
//!   validated. `id=` is accepted and ignored.
//! - Variables: one table from Modifier < request < PostModifier, substituted everywhere
//!   (a use may precede its definition); macros are rejected.
//! - Hex CMYK bytes are percentages (clamped to 100), as the spec's examples read them.
//! - Layer order follows §3.2 (crop, scale, flip, rotate, extend) also for a plain request;
//!   `opac=` applies to the image before the `color=`/`bgColor=` fills, so it never fades them.
//! - `size=0,0` counts as absent (so `scale=` applies); `sizeN=` on layer 0 is an error;
//!   `cropN`/`extendN` edges round to whole pixels; `anchor` does not change a single-image
//!   plan; a rotated layer's box is rounded up; `size=` enlarges as well as reduces.
//! - View: sizes `round()`, at least 1; placement offsets `round((V − C)(a + 1) / 2)`;
//!   `fit` with one of `wid`/`hei` is case C/C′ (upscale flag unused); `fit` without both is an
//!   error even with `scl`; `stretch` pads centred. `dpr` multiplies `wid`, `hei`, the case-A
//!   and `scl` scales and the `rect` values; over MaxPix it is reduced until the reply fits.
//! - View padding and crop extension are transparent; the reply is flattened onto `bgc` only
//!   for formats without alpha (never when no format is known, e.g. copyImage without `fmt=`).
//! - `decode_shrink` keeps 2× the resolution the first resample needs.
//! - Filters (`filters`): `op_blur` σ = r/2; `op_usm` σ = radius; `op_sharpen` = USM 1, σ 0.5;
//!   layer filters follow the colour commands and see past a view crop; `op_sharpen`/`op_usm`
//!   run on the view image before flattening; `op_usm`/`op_usmR` are one attribute.
//! - Output (`output_meta`): `icc=` names a built-in RGB profile (`codec::Profile`; no ICC
//!   map yet); the conversion runs after the engine, in the encoder. `printRes=` defaults to
//!   the catalog's `PrintResolution` (`Limits::print_res`, 72 dpi), never to the source's.
//!   `iccEmbed=` and `printRes=` are ignored for GIF and WebP, which have no field for them.
//!   `quantize=` only shapes GIF and PNG8 (`codec::palette`); `jpegSize=` makes the encoder
//!   lower the JPEG quality; `defaultImage=` is parsed here and acted on by `/is/image`
//!   (`http::default_image`) only.

mod args;
mod color;
mod error;
mod filter_args;
mod filters;
mod fuse;
mod geom;
mod layer;
mod lower;
mod names;
mod output;
mod output_meta;
mod parse;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod parse_tests_errors;
mod plan;
#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod plan_tests_color;
#[cfg(test)]
mod plan_tests_filter;
#[cfg(test)]
mod plan_tests_layer;
#[cfg(test)]
mod plan_tests_pixels;
#[cfg(test)]
mod plan_tests_rotate;
#[cfg(test)]
mod plan_tests_util;
#[cfg(test)]
mod plan_tests_view;
mod shrink;
mod tokenize;
mod types;
mod view;

pub use error::{ErrorEntry, ModifierError};
pub use parse::{merge, parse};
pub use plan::{plan, Limits, Plan};
pub use types::{
    Anchor, Color, ColorSpace, Commands, Crop, Extend, Fit, FitMode, Flip, FormatSpec, IccCmd,
    LayerSize, NoiseCmd, Opac, Pscan, Quality, UsmCmd, ViewRect,
};

/// Parses one colour value (spec/is-protocol.md §2.5), e.g. a catalog `BkgColor`.
pub fn parse_color(v: &str) -> Result<Color, ModifierError> {
    color::parse(v).map_err(|m| ModifierError::new("color", m))
}
