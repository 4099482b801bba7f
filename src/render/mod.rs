//! Rendering: source bytes + Image Serving commands -> encoded image. The one pipeline behind
//! copyImage (a new master) and `GET /is/image` (a served view):
//! header (limits first) -> plan -> decode (shrink-on-load; shared by concurrent renders of the
//! same blob, `shared`) -> engine steps -> encode.
//! Decoding and encoding run on the blocking pool; the engine runs on its executor.

pub mod admission;
pub mod shared;

use crate::catalog::ImageMeta;
use crate::codec::decode::{self, DecodeOptions};
use crate::codec::encode;
use crate::codec::{EncodeOptions, Format};
use crate::engine::Executor;
use crate::modifier::{self, Commands, Limits};
use bytes::Bytes;
use shared::{decode_blocking, SharedDecodes, Slot};

/// A rendered image and its metadata.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub meta: ImageMeta,
    pub format: Format,
}

/// Why a render failed: the caller's commands (a 30001 / HTTP 400), the source image, or the
/// engine/encoder (30000 / HTTP 500, detail logged).
#[derive(Debug, Clone, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Commands(String),
    #[error("source image: {0}")]
    Source(String),
    #[error("render failed: {0}")]
    Internal(String),
}

/// Renders `source` with `commands` under `limits`. Without `fmt=` the result is a lossless
/// master: PNG, with alpha when the result has any.
pub async fn render(
    engine: &dyn Executor,
    source: Bytes,
    commands: &Commands,
    limits: &Limits,
) -> Result<Rendered, RenderError> {
    render_from(engine, source, None, commands, limits).await
}

/// `render` for the stored blob named `blob`, holding the render `slot` it was given: renders
/// of the same blob running at the same time share one decode (`shared`), and one that waits
/// for another's decode gives its slot back while it waits.
pub async fn render_blob(
    engine: &dyn Executor,
    decodes: &SharedDecodes,
    blob: &str,
    slot: Slot<'_>,
    source: Bytes,
    commands: &Commands,
    limits: &Limits,
) -> Result<Rendered, RenderError> {
    let mut slot = Some(slot);
    let shared = Some((decodes, blob, &mut slot));
    render_from(engine, source, shared, commands, limits).await
}

/// The shared decodes, the blob's name and the caller's render slot.
type Sharing<'a, 's> = (&'a SharedDecodes, &'a str, &'a mut Option<Slot<'s>>);

async fn render_from(
    engine: &dyn Executor,
    source: Bytes,
    shared: Option<Sharing<'_, '_>>,
    commands: &Commands,
    limits: &Limits,
) -> Result<Rendered, RenderError> {
    let head = decode::header(&source).map_err(|e| RenderError::Source(e.to_string()))?;
    let plan = modifier::plan(head.width, head.height, commands, limits)
        .map_err(|e| RenderError::Commands(e.to_string()))?;
    let opts = DecodeOptions {
        max_pixels: limits.max_pixels,
        shrink: plan.decode_shrink,
    };
    let img = match shared {
        Some((decodes, blob, slot)) => decodes.decode(blob, source, opts, slot).await?,
        None => decode_blocking(source, opts).await?,
    };
    let steps = plan.steps_for_input(img.width, img.height);
    let out = engine
        .run(img, steps)
        .await
        .map_err(|e| RenderError::Internal(e.to_string()))?;
    let enc = plan
        .encode
        .clone()
        .unwrap_or_else(|| lossless_master(out.is_opaque()));
    let format = enc.format;
    let (width, height) = (out.width, out.height);
    let bytes = tokio::task::spawn_blocking(move || encode::encode(&out, &enc))
        .await
        .map_err(|e| RenderError::Internal(e.to_string()))?
        .map_err(|e| RenderError::Internal(e.to_string()))?;
    let meta = ImageMeta {
        width: width as i64,
        height: height as i64,
        format: format.stored_name().to_string(),
        file_size: bytes.len() as i64,
    };
    Ok(Rendered {
        bytes,
        meta,
        format,
    })
}

/// copyImage without `fmt=`: a lossless PNG master, with alpha only when the pixels have any.
fn lossless_master(opaque: bool) -> EncodeOptions {
    EncodeOptions {
        format: if opaque {
            Format::Png
        } else {
            Format::PngAlpha
        },
        ..EncodeOptions::default()
    }
}
