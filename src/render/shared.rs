//! One decode serving every render of the same source that is running at the same time (issue
//! 5): the decode step of `render`, between the plan and the engine. Render farms often ask for
//! several renditions of one master at once; each used to decode the master again.
//!
//! A decode is identified by the source blob (content-addressed, so equal names mean equal
//! bytes), the shrink-on-load factor and the pixel limit. The first render to ask runs the
//! decode on the blocking pool; renders asking for the same key while it runs wait for it and
//! get the same pixels. Nothing is kept afterwards: the entry leaves the table when its first
//! caller is done (or dropped), so a later render decodes afresh and memory is only shared, never
//! cached. The callers share the pixels (`Arc`): the engine's first step reads them in place
//! when it writes a new image (`Executor::run_shared`); otherwise the last holder takes the
//! buffer and the others copy it. A failed decode fails every waiter with the same error; a cancelled first caller
//! lets a waiter run the decode itself (tokio `OnceCell`).
//!
//! Renders still queued for a render slot join too (`join_running`): a copy that finds its
//! decode already running takes the pixels instead of waiting for a slot and decoding again, so
//! a burst of requests for one master (several renditions, or many clients asking for the same
//! new image at once) costs one decode rather than one per slot turn.

use super::RenderError;
use crate::codec::decode::{self, DecodeOptions, Decoded, Header};
use crate::codec::CodecError;
use crate::engine::Image;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// A decode as the renders sharing it see it: the header to plan with and the pixels.
#[derive(Debug, Clone)]
pub struct SharedImage {
    pub header: Header,
    pub image: Arc<Image>,
}

impl From<Decoded> for SharedImage {
    fn from(d: Decoded) -> Self {
        SharedImage {
            header: d.header,
            image: Arc::new(d.image),
        }
    }
}

type Outcome = Result<SharedImage, RenderError>;
/// A render slot (`admission::Ticket::slot`).
pub type Slot<'a> = tokio::sync::SemaphorePermit<'a>;
type Cell = Arc<OnceCell<Outcome>>;

/// What identifies one decode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    blob: String,
    shrink: u32,
    max_pixels: u64,
}

/// How a decode runs (`codec::decode::decode`; tests hold it back to see the waiting).
type DecodeFn = dyn Fn(&[u8], &DecodeOptions) -> Result<Decoded, CodecError> + Send + Sync;

/// The decodes in flight, shared by every request.
pub struct SharedDecodes {
    inflight: Mutex<HashMap<Key, Cell>>,
    runs: AtomicU64,
    decoder: Arc<DecodeFn>,
}

impl Default for SharedDecodes {
    fn default() -> Self {
        SharedDecodes {
            inflight: Mutex::default(),
            runs: AtomicU64::default(),
            decoder: Arc::new(decode::decode),
        }
    }
}

impl std::fmt::Debug for SharedDecodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedDecodes")
            .field("in_flight", &self.in_flight())
            .field("runs", &self.runs())
            .finish()
    }
}

/// Removes the first caller's entry however it leaves (done, failed or cancelled).
struct Leave<'a> {
    hub: &'a SharedDecodes,
    key: Key,
}

impl Key {
    fn new(blob: &str, opts: DecodeOptions) -> Key {
        Key {
            blob: blob.to_string(),
            shrink: opts.shrink,
            max_pixels: opts.max_pixels,
        }
    }
}

/// The decode's first caller went away before it finished (`join_running`).
struct Abandoned;

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.hub.table().remove(&self.key);
    }
}

impl SharedDecodes {
    /// Decodes `source` (the bytes of `blob`) with `opts`, or waits for the same decode already
    /// running. A caller that waits gives its render slot back first (`slot` becomes `None`):
    /// it does no work until the pixels arrive, so another render can use the core meanwhile;
    /// `render_blob` queues it for a slot again before its engine steps and encode (the
    /// admission budget bounds its memory throughout). Should the first caller be cancelled, a
    /// waiter runs the decode itself, slot or not.
    pub async fn decode(
        &self,
        blob: &str,
        source: Bytes,
        opts: DecodeOptions,
        slot: &mut Option<Slot<'_>>,
    ) -> Result<Arc<Image>, RenderError> {
        let (cell, leave) = self.join(Key::new(blob, opts));
        if leave.is_none() && !cell.initialized() {
            slot.take();
        }
        let out = cell
            .get_or_init(|| async {
                self.runs.fetch_add(1, Ordering::Relaxed);
                decode_with(self.decoder.clone(), source, opts)
                    .await
                    .map(SharedImage::from)
            })
            .await
            .clone();
        // Out of the table and our handle dropped, so the last holder owns the pixels.
        drop((leave, cell));
        out.map(|d| d.image)
    }

    /// Waits for the decode of `blob` with `opts` that another render is running now, if one
    /// is, without a render slot: for a render still queued for its slot. Returns `None` when no
    /// such decode is running, or when its first caller was cancelled before it finished (then
    /// the render queues and decodes as usual).
    pub async fn join_running(
        &self,
        blob: &str,
        opts: DecodeOptions,
    ) -> Option<Result<SharedImage, RenderError>> {
        let cell = self.table().get(&Key::new(blob, opts))?.clone();
        let out = cell
            .get_or_try_init(|| async { Err(Abandoned) })
            .await
            .ok()?
            .clone();
        drop(cell);
        Some(out)
    }

    /// Decodes actually run since start (for tests and diagnostics).
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Decodes running now.
    pub fn in_flight(&self) -> usize {
        self.table().len()
    }

    /// The cell for `key`, and the guard that removes it when this caller created it.
    fn join(&self, key: Key) -> (Cell, Option<Leave<'_>>) {
        let mut table = self.table();
        if let Some(cell) = table.get(&key) {
            return (cell.clone(), None);
        }
        let cell = Cell::default();
        table.insert(key.clone(), cell.clone());
        (cell, Some(Leave { hub: self, key }))
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Cell>> {
        self.inflight.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Decodes on the blocking pool.
pub async fn decode_blocking(source: Bytes, opts: DecodeOptions) -> Result<Image, RenderError> {
    let d = decode_with(Arc::new(decode::decode), source, opts).await?;
    Ok(d.image)
}

/// Runs `decoder` on the blocking pool, keeping the header.
async fn decode_with(
    decoder: Arc<DecodeFn>,
    source: Bytes,
    opts: DecodeOptions,
) -> Result<Decoded, RenderError> {
    tokio::task::spawn_blocking(move || decoder(&source, &opts))
        .await
        .map_err(|e| RenderError::Internal(e.to_string()))?
        .map_err(|e| RenderError::Source(e.to_string()))
}

/// Test support: decodes held back until a test lets them run.
#[cfg(test)]
pub(crate) mod held {
    use super::*;

    /// Holds every decode of a hub back until `open` (or drop): what a test sees while a
    /// decode runs does not depend on how fast the blocking pool is.
    pub struct Gate(Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>);

    impl Gate {
        pub fn open(&self) {
            *self.0 .0.lock().unwrap() = true;
            self.0 .1.notify_all();
        }
    }

    impl Drop for Gate {
        fn drop(&mut self) {
            self.open();
        }
    }

    pub fn held() -> (SharedDecodes, Gate) {
        let state = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let wait = state.clone();
        let decoder = move |b: &[u8], o: &DecodeOptions| {
            let (open, cv) = &*wait;
            drop(cv.wait_while(open.lock().unwrap(), |open| !*open).unwrap());
            decode::decode(b, o)
        };
        let hub = SharedDecodes {
            decoder: Arc::new(decoder),
            ..SharedDecodes::default()
        };
        (hub, Gate(state))
    }

    /// A 640×480 baseline JPEG.
    pub fn jpeg() -> Bytes {
        let data = (0..640 * 480)
            .flat_map(|i| [i as u8, 90, 200, 255])
            .collect();
        let img = Image {
            width: 640,
            height: 480,
            data,
        };
        let opts = crate::codec::EncodeOptions {
            format: crate::codec::Format::Jpeg,
            ..Default::default()
        };
        Bytes::from(crate::codec::encode(&img, &opts).unwrap())
    }
}

#[cfg(test)]
mod tests {
    use super::held::{held, jpeg, Gate};
    use super::*;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    /// A decode by a caller without a render slot.
    async fn dec(
        hub: &SharedDecodes,
        blob: &str,
        src: Bytes,
        opts: DecodeOptions,
    ) -> Result<Image, RenderError> {
        hub.decode(blob, src, opts, &mut None)
            .await
            .map(Arc::unwrap_or_clone)
    }

    fn opts(shrink: u32) -> DecodeOptions {
        DecodeOptions {
            shrink,
            ..DecodeOptions::default()
        }
    }

    /// Starts every call (each starts or joins its decode while `gate` holds decodes back),
    /// then lets the decodes run and awaits them all together.
    async fn together<F: Future>(gate: &Gate, calls: Vec<F>) -> Vec<F::Output> {
        let cx = &mut Context::from_waker(Waker::noop());
        let mut calls: Vec<_> = calls.into_iter().map(Box::pin).collect();
        for c in &mut calls {
            assert!(c.as_mut().poll(cx).is_pending(), "held back");
        }
        gate.open();
        let mut outs: Vec<Option<F::Output>> = calls.iter().map(|_| None).collect();
        std::future::poll_fn(|cx| {
            for (c, out) in calls.iter_mut().zip(&mut outs) {
                if out.is_none() {
                    if let Poll::Ready(v) = c.as_mut().poll(cx) {
                        *out = Some(v);
                    }
                }
            }
            match outs.iter().all(Option::is_some) {
                true => Poll::Ready(()),
                false => Poll::Pending,
            }
        })
        .await;
        outs.into_iter().flatten().collect()
    }

    #[tokio::test]
    async fn concurrent_renders_of_one_source_share_a_decode() {
        let (hub, gate) = held();
        let src = jpeg();
        let one = || dec(&hub, "a", src.clone(), opts(1));
        let got = together(&gate, vec![one(), one(), one(), one()]).await;
        assert_eq!(hub.runs(), 1);
        let alone = decode_blocking(src.clone(), opts(1)).await.unwrap();
        for g in got {
            assert_eq!(g.unwrap(), alone);
        }
        assert!(hub.table().is_empty(), "nothing is kept after the decode");
        dec(&hub, "a", src, opts(1)).await.unwrap();
        assert_eq!(hub.runs(), 2, "a later render decodes afresh");
    }

    #[tokio::test]
    async fn different_sources_or_shrinks_decode_apart() {
        let (hub, gate) = held();
        let src = jpeg();
        let call = |blob, shrink| dec(&hub, blob, src.clone(), opts(shrink));
        let calls = vec![call("a", 1), call("a", 2), call("b", 1)];
        let mut got = together(&gate, calls).await;
        assert_eq!(hub.runs(), 3);
        assert_eq!(got.remove(1).unwrap().width, 320);
    }

    #[tokio::test]
    async fn a_failed_decode_fails_every_waiter_and_is_not_kept() {
        let (hub, gate) = held();
        let bad = Bytes::from_static(b"\xFF\xD8\xFFnot a jpeg");
        let one = || dec(&hub, "x", bad.clone(), opts(1));
        let got = together(&gate, vec![one(), one(), one()]).await;
        assert_eq!(hub.runs(), 1);
        for r in got {
            assert!(matches!(r, Err(RenderError::Source(_))), "{r:?}");
        }
        assert!(hub.table().is_empty());
    }

    #[tokio::test]
    async fn a_cancelled_first_caller_leaves_no_entry() {
        let (hub, gate) = held();
        // Polled once (entry made, decode started on the blocking pool), then dropped.
        let mut first = Box::pin(dec(&hub, "a", jpeg(), opts(1)));
        let pending = first
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending();
        assert!(pending && hub.table().len() == 1);
        drop(first);
        assert!(hub.table().is_empty());
        gate.open();
        dec(&hub, "a", jpeg(), opts(1)).await.unwrap();
    }

    #[tokio::test]
    async fn a_queued_render_joins_only_a_running_decode() {
        let (hub, gate) = held();
        assert!(hub.join_running("a", opts(1)).await.is_none(), "none runs");
        let cx = &mut Context::from_waker(Waker::noop());
        let mut lead = Box::pin(dec(&hub, "a", jpeg(), opts(1)));
        assert!(lead.as_mut().poll(cx).is_pending());
        let other = hub.join_running("a", opts(2)).await;
        assert!(other.is_none(), "another shrink is another decode");
        let mut queued = Box::pin(hub.join_running("a", opts(1)));
        assert!(
            queued.as_mut().poll(cx).is_pending(),
            "waits for the decode"
        );
        gate.open();
        let (a, b) = tokio::join!(lead, queued);
        let joined = b.expect("joins the running decode").unwrap();
        assert_eq!(*joined.image, a.unwrap());
        assert_eq!(joined.header.width, 640);
        assert_eq!(hub.runs(), 1);
        assert!(hub.table().is_empty());
    }

    #[tokio::test]
    async fn a_queued_render_does_not_join_an_abandoned_decode() {
        let (hub, _gate) = held();
        let cx = &mut Context::from_waker(Waker::noop());
        let mut lead = Box::pin(dec(&hub, "a", jpeg(), opts(1)));
        assert!(lead.as_mut().poll(cx).is_pending());
        let mut queued = Box::pin(hub.join_running("a", opts(1)));
        assert!(
            queued.as_mut().poll(cx).is_pending(),
            "waits for the decode"
        );
        drop(lead);
        assert!(queued.await.is_none(), "queues and decodes itself instead");
        assert!(hub.table().is_empty());
    }

    #[tokio::test]
    async fn a_waiter_gives_its_slot_back_and_the_first_caller_keeps_its_own() {
        let (hub, gate) = held();
        let slots = tokio::sync::Semaphore::new(2);
        let (mut lead_slot, mut wait_slot) = (slots.try_acquire().ok(), slots.try_acquire().ok());
        let cx = &mut Context::from_waker(Waker::noop());
        let src = jpeg();
        let mut lead = Box::pin(hub.decode("a", src.clone(), opts(1), &mut lead_slot));
        assert!(
            lead.as_mut().poll(cx).is_pending(),
            "decoding on the blocking pool"
        );
        let mut wait = Box::pin(hub.decode("a", src, opts(1), &mut wait_slot));
        assert!(wait.as_mut().poll(cx).is_pending());
        assert_eq!(
            slots.available_permits(),
            1,
            "the waiter's slot is free again"
        );
        gate.open();
        let (a, b) = tokio::join!(lead, wait);
        assert_eq!(a.unwrap(), b.unwrap());
        assert_eq!(hub.runs(), 1);
        assert!(lead_slot.is_some() && wait_slot.is_none());
        drop(lead_slot);
        assert_eq!(slots.available_permits(), 2);
    }
}
