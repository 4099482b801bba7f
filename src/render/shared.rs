//! One decode serving every render of the same source that is running at the same time (issue
//! 5): the decode step of `render`, between the plan and the engine. Render farms often ask for
//! several renditions of one master at once; each used to decode the master again.
//!
//! A decode is identified by the source blob (content-addressed, so equal names mean equal
//! bytes), the shrink-on-load factor and the pixel limit. The first render to ask runs the
//! decode on the blocking pool; renders asking for the same key while it runs wait for it and
//! get the same pixels. Nothing is kept afterwards: the entry leaves the table when its first
//! caller is done (or dropped), so a later render decodes afresh and memory is only shared, never
//! cached. Each caller gets its own `Image` (the engine consumes it): the last holder takes the
//! decoded buffer, the others copy it, which costs a few milliseconds against a decode's tens
//! to hundreds. A failed decode fails every waiter with the same error; a cancelled first caller
//! lets a waiter run the decode itself (tokio `OnceCell`).

use super::RenderError;
use crate::codec::decode::{self, DecodeOptions};
use crate::engine::Image;
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type Outcome = Result<Arc<Image>, RenderError>;
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

/// The decodes in flight, shared by every request.
#[derive(Debug, Default)]
pub struct SharedDecodes {
    inflight: Mutex<HashMap<Key, Cell>>,
    runs: AtomicU64,
}

/// Removes the first caller's entry however it leaves (done, failed or cancelled).
struct Leave<'a> {
    hub: &'a SharedDecodes,
    key: Key,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.hub.table().remove(&self.key);
    }
}

impl SharedDecodes {
    /// Decodes `source` (the bytes of `blob`) with `opts`, or waits for the same decode already
    /// running. A caller that waits gives its render slot back first (`slot` becomes `None`):
    /// it does no work until the pixels arrive, so another render can use the core meanwhile,
    /// and it then runs its engine steps and encode without a slot rather than queueing again
    /// behind renders that have not started (the admission budget still bounds its memory).
    /// Should the first caller be cancelled, a waiter runs the decode itself, slot or not.
    pub async fn decode(
        &self,
        blob: &str,
        source: Bytes,
        opts: DecodeOptions,
        slot: &mut Option<Slot<'_>>,
    ) -> Result<Image, RenderError> {
        let key = Key {
            blob: blob.to_string(),
            shrink: opts.shrink,
            max_pixels: opts.max_pixels,
        };
        let (cell, leave) = self.join(key);
        if leave.is_none() && !cell.initialized() {
            slot.take();
        }
        let out = cell
            .get_or_init(|| async {
                self.runs.fetch_add(1, Ordering::Relaxed);
                decode_blocking(source, opts).await.map(Arc::new)
            })
            .await
            .clone();
        // Out of the table and our handle dropped first, so the last holder owns the pixels.
        drop((leave, cell));
        out.map(|img| Arc::try_unwrap(img).unwrap_or_else(|shared| (*shared).clone()))
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
    tokio::task::spawn_blocking(move || decode::decode(&source, &opts))
        .await
        .map_err(|e| RenderError::Internal(e.to_string()))?
        .map(|d| d.image)
        .map_err(|e| RenderError::Source(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{encode, EncodeOptions, Format};
    use std::future::Future;
    use std::task::{Context, Waker};

    fn jpeg() -> Bytes {
        let data = (0..640 * 480)
            .flat_map(|i| [i as u8, 90, 200, 255])
            .collect();
        let img = Image {
            width: 640,
            height: 480,
            data,
        };
        let opts = EncodeOptions {
            format: Format::Jpeg,
            ..EncodeOptions::default()
        };
        Bytes::from(encode(&img, &opts).unwrap())
    }

    /// A decode by a caller without a render slot.
    async fn dec(
        hub: &SharedDecodes,
        blob: &str,
        src: Bytes,
        opts: DecodeOptions,
    ) -> Result<Image, RenderError> {
        hub.decode(blob, src, opts, &mut None).await
    }

    fn opts(shrink: u32) -> DecodeOptions {
        DecodeOptions {
            shrink,
            ..DecodeOptions::default()
        }
    }

    #[tokio::test]
    async fn concurrent_renders_of_one_source_share_a_decode() {
        let hub = SharedDecodes::default();
        let src = jpeg();
        let one = || dec(&hub, "a", src.clone(), opts(1));
        let (a, b, c, d) = tokio::join!(one(), one(), one(), one());
        assert_eq!(hub.runs(), 1);
        let alone = decode_blocking(src.clone(), opts(1)).await.unwrap();
        for g in [a, b, c, d] {
            assert_eq!(g.unwrap(), alone);
        }
        assert!(hub.table().is_empty(), "nothing is kept after the decode");
        dec(&hub, "a", src, opts(1)).await.unwrap();
        assert_eq!(hub.runs(), 2, "a later render decodes afresh");
    }

    #[tokio::test]
    async fn different_sources_or_shrinks_decode_apart() {
        let hub = SharedDecodes::default();
        let src = jpeg();
        let call = |blob, shrink| dec(&hub, blob, src.clone(), opts(shrink));
        let (_, half, _) = tokio::join!(call("a", 1), call("a", 2), call("b", 1));
        assert_eq!(hub.runs(), 3);
        assert_eq!(half.unwrap().width, 320);
    }

    #[tokio::test]
    async fn a_failed_decode_fails_every_waiter_and_is_not_kept() {
        let hub = SharedDecodes::default();
        let bad = Bytes::from_static(b"\xFF\xD8\xFFnot a jpeg");
        let one = || dec(&hub, "x", bad.clone(), opts(1));
        let (a, b, c) = tokio::join!(one(), one(), one());
        assert_eq!(hub.runs(), 1);
        for r in [a, b, c] {
            assert!(matches!(r, Err(RenderError::Source(_))), "{r:?}");
        }
        assert!(hub.table().is_empty());
    }

    #[tokio::test]
    async fn a_cancelled_first_caller_leaves_no_entry() {
        let hub = SharedDecodes::default();
        // Polled once (entry made, decode started on the blocking pool), then dropped.
        let mut first = Box::pin(dec(&hub, "a", jpeg(), opts(1)));
        let pending = first
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending();
        assert!(pending && hub.table().len() == 1);
        drop(first);
        assert!(hub.table().is_empty());
        dec(&hub, "a", jpeg(), opts(1)).await.unwrap();
    }

    #[tokio::test]
    async fn a_waiter_gives_its_slot_back_and_the_first_caller_keeps_its_own() {
        let hub = SharedDecodes::default();
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
        let (a, b) = tokio::join!(lead, wait);
        assert_eq!(a.unwrap(), b.unwrap());
        assert_eq!(hub.runs(), 1);
        assert!(lead_slot.is_some() && wait_slot.is_none());
        drop(lead_slot);
        assert_eq!(slots.available_permits(), 2);
    }
}
