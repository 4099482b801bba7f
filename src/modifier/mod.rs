//! The Image Serving command language (spec/is-protocol.md): `parse`/`merge` turn a modifier
//! string (`urlModifier`, or an `/is/image` query with catalog Modifier/PostModifier) into typed
//! `Commands`; `plan` turns `Commands` plus the source size into a `Plan` of `engine::Step`s,
//! the output size and the encoder options. Both are pure and CPU-only; `codec` and `engine`
//! run the plan.

mod args;
mod color;
mod error;
mod fuse;
mod geom;
mod layer;
mod lower;
mod names;
mod output;
mod parse;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod parse_tests_errors;
mod plan;
#[cfg(test)]
mod plan_tests;
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
    Anchor, Color, ColorSpace, Commands, Crop, Extend, Fit, FitMode, Flip, FormatSpec, LayerSize,
    Opac, Pscan, Quality, ViewRect,
};

/// Parses one colour value (spec/is-protocol.md §2.5), e.g. a catalog `BkgColor`.
pub fn parse_color(v: &str) -> Result<Color, ModifierError> {
    color::parse(v).map_err(|m| ModifierError::new("color", m))
}
