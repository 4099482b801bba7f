//! Rendering: source bytes + Image Serving commands -> encoded image. The one pipeline behind
//! copyImage (a new master) and `GET /is/image` (a served view):
//! header (limits first) -> plan -> decode (shrink-on-load; shared by the renders of the same
//! blob that run or queue at the same time, `shared`) -> engine steps -> encode.
//! Decoding and encoding run on the blocking pool; the engine runs on its executor.

pub mod admission;
pub mod shared;

use crate::catalog::ImageMeta;
use crate::codec::decode::{self, DecodeOptions};
use crate::codec::encode;
use crate::codec::{CodecError, EncodeOptions, Format, OutputMeta};
use crate::engine::{Executor, Image};
use crate::modifier::{self, Commands, Limits, Plan};
use admission::Ticket;
use bytes::Bytes;
use shared::{decode_blocking, SharedDecodes};
use std::future::Future;
use std::sync::Arc;

/// A rendered image and its metadata.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub meta: ImageMeta,
    pub format: Format,
}

/// Why a render failed: the caller's commands (a 30001 / HTTP 400), the source image, its stored
/// file, or the engine/encoder (the last two a 30000 / HTTP 500, detail logged).
#[derive(Debug, Clone, thiserror::Error)]
pub enum RenderError {
    #[error("{0}")]
    Commands(String),
    #[error("source image: {0}")]
    Source(String),
    /// The catalog names a stored file that cannot be read (deleted or damaged behind the
    /// catalog's back): the server's fault, not the caller's.
    #[error("stored file unreadable: {0}")]
    Unreadable(String),
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
    render_from(engine, source, commands, limits).await
}

/// The stored image a render reads: its blob name, its size as the catalog records it (to find
/// a decode already running before the bytes are read), and how to read its bytes.
pub struct StoredSource<'a, L> {
    pub blob: &'a str,
    pub size: (u32, u32),
    pub load: L,
}

/// The catalog's width and height of a stored image (`StoredSource::size`).
pub fn catalog_size(m: &ImageMeta) -> (u32, u32) {
    let side = |v: i64| u32::try_from(v.max(1)).unwrap_or(u32::MAX);
    (side(m.width), side(m.height))
}

/// `render` for a stored image, admitted with `ticket`. A render whose decode another render is
/// already running takes those pixels without queueing for a render slot first (`shared`);
/// otherwise it waits for its slot, reads the bytes (only then, so queued renders hold none)
/// and decodes, sharing that decode with renders of the same blob that start meanwhile (a
/// render that joins one gives its slot back while it waits). Either way its own engine steps
/// and encode run under a slot: a render that shared a decode queues for one afterwards.
pub async fn render_blob<L, F>(
    engine: &dyn Executor,
    decodes: &SharedDecodes,
    ticket: &Ticket<'_>,
    source: StoredSource<'_, L>,
    commands: &Commands,
    limits: &Limits,
) -> Result<Rendered, RenderError>
where
    L: FnOnce() -> F,
    F: Future<Output = Result<Bytes, RenderError>>,
{
    let (plan, img, mut slot) = match join_running(decodes, &source, commands, limits).await {
        Some(joined) => {
            let (plan, img) = joined?;
            (plan, img, None)
        }
        None => {
            let mut slot = Some(ticket.slot().await);
            let bytes = (source.load)().await?;
            let plan = plan_for(&bytes, commands, limits)?;
            let opts = decode_options(limits, plan.decode_shrink);
            let img = decodes.decode(source.blob, bytes, opts, &mut slot).await?;
            (plan, img, slot)
        }
    };
    if slot.is_none() {
        slot = Some(ticket.slot().await);
    }
    let rendered = finish(engine, &plan, img).await;
    drop(slot);
    rendered
}

/// The plan and pixels of a render that joined a decode running for another (`render_blob`);
/// `None` when none runs, or when the catalog's size plans another shrink than the file's
/// header does.
async fn join_running<L>(
    decodes: &SharedDecodes,
    source: &StoredSource<'_, L>,
    commands: &Commands,
    limits: &Limits,
) -> Option<Result<(Plan, Arc<Image>), RenderError>> {
    let (w, h) = source.size;
    let shrink = modifier::plan(w, h, commands, limits).ok()?.decode_shrink;
    let opts = decode_options(limits, shrink);
    let shared = match decodes.join_running(source.blob, opts).await? {
        Ok(d) => d,
        Err(e) => return Some(Err(e)),
    };
    let (w, h) = (shared.header.width, shared.header.height);
    let plan = modifier::plan(w, h, commands, limits).ok()?;
    (plan.decode_shrink == shrink).then_some(Ok((plan, shared.image)))
}

async fn render_from(
    engine: &dyn Executor,
    source: Bytes,
    commands: &Commands,
    limits: &Limits,
) -> Result<Rendered, RenderError> {
    let plan = plan_for(&source, commands, limits)?;
    let img = decode_blocking(source, decode_options(limits, plan.decode_shrink)).await?;
    finish(engine, &plan, Arc::new(img)).await
}

/// The plan for `source` as its header describes it.
fn plan_for(source: &[u8], commands: &Commands, limits: &Limits) -> Result<Plan, RenderError> {
    let head = decode::header(source).map_err(|e| RenderError::Source(e.to_string()))?;
    modifier::plan(head.width, head.height, commands, limits)
        .map_err(|e| RenderError::Commands(e.to_string()))
}

fn decode_options(limits: &Limits, shrink: u32) -> DecodeOptions {
    DecodeOptions {
        max_pixels: limits.max_pixels,
        shrink,
    }
}

/// Engine steps and encode of a decoded source (pixels shared with other renders or not). A
/// plan without steps (a re-encode, such as `fmt=png-alpha`) encodes the decoded pixels as they
/// are: no executor call and no copy of shared pixels.
async fn finish(
    engine: &dyn Executor,
    plan: &Plan,
    img: Arc<Image>,
) -> Result<Rendered, RenderError> {
    // Decodes that start meanwhile leave this render's core to it (`decode::spare_core`).
    let _running = decode::Running::enter();
    let steps = plan.steps_for_input(img.width, img.height);
    let out = if steps.is_empty() {
        img
    } else {
        let out = engine
            .run_shared(img, steps)
            .await
            .map_err(|e| RenderError::Internal(e.to_string()))?;
        Arc::new(out)
    };
    let enc = plan
        .encode
        .clone()
        .unwrap_or_else(|| lossless_master(out.is_opaque(), plan.meta));
    let format = enc.format;
    let (width, height) = (out.width, out.height);
    let bytes = tokio::task::spawn_blocking(move || encode::encode(&out, &enc))
        .await
        .map_err(|e| RenderError::Internal(e.to_string()))?
        .map_err(|e| match e {
            CodecError::Unmet(m) => RenderError::Commands(m),
            e => RenderError::Internal(e.to_string()),
        })?;
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

/// copyImage without `fmt=`: a lossless PNG master, with alpha only when the pixels have any,
/// in the output profile with the print resolution and ICC embedding asked for.
fn lossless_master(opaque: bool, meta: OutputMeta) -> EncodeOptions {
    EncodeOptions {
        format: if opaque {
            Format::Png
        } else {
            Format::PngAlpha
        },
        meta,
        ..EncodeOptions::default()
    }
}

#[cfg(test)]
mod tests;
