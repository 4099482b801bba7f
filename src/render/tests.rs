//! `render_blob` with admission and shared decodes: a render queued for a slot joins a decode
//! that is already running without a slot and without reading the bytes, then takes a slot
//! for its own engine steps and encode.

use super::shared::held::{held, jpeg};
use super::*;
use crate::engine::cpu::CpuExecutor;
use admission::Admission;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Waker};

/// Two renders of one 640×480 JPEG blob, one render slot.
struct Seen {
    lead: Rendered,
    queued: Rendered,
    /// While the first decode was held back: files read and decodes in flight.
    loads: usize,
    in_flight: usize,
    runs: u64,
    free_slots: usize,
}

/// Starts a render of `lead` (it takes the slot and decodes, held back), then one of `queued`,
/// and looks at them before letting the decode run.
async fn lead_and_queued(lead: &str, queued: &str) -> Seen {
    let (decodes, gate) = held();
    let gate_keeper = Admission::new(1, 0);
    let limits = Limits::copy_image(100_000_000);
    let (c1, c2) = (
        modifier::parse(lead).unwrap(),
        modifier::parse(queued).unwrap(),
    );
    let loads = AtomicUsize::new(0);
    let source = || StoredSource {
        blob: "b",
        size: (640, 480),
        load: || async {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok(jpeg())
        },
    };
    let (t1, t2) = (gate_keeper.admit(1).unwrap(), gate_keeper.admit(1).unwrap());
    let engine = CpuExecutor;
    let cx = &mut Context::from_waker(Waker::noop());
    let mut first = Box::pin(render_blob(&engine, &decodes, &t1, source(), &c1, &limits));
    assert!(first.as_mut().poll(cx).is_pending());
    assert_eq!(
        gate_keeper.free_slots(),
        0,
        "the first render holds the slot"
    );
    let mut second = Box::pin(render_blob(&engine, &decodes, &t2, source(), &c2, &limits));
    assert!(second.as_mut().poll(cx).is_pending());
    let (held_loads, in_flight) = (loads.load(Ordering::SeqCst), decodes.in_flight());
    gate.open();
    let (a, b) = tokio::join!(first, second);
    Seen {
        lead: a.unwrap(),
        queued: b.unwrap(),
        loads: held_loads,
        in_flight,
        runs: decodes.runs(),
        free_slots: gate_keeper.free_slots(),
    }
}

#[tokio::test]
async fn a_queued_render_joins_a_running_decode_then_takes_a_slot() {
    let s = lead_and_queued("wid=60&fmt=png", "wid=60&fmt=jpeg&qlt=70").await;
    assert_eq!(s.loads, 1, "the queued render read nothing");
    assert_eq!((s.lead.meta.width, s.lead.format), (60, Format::Png));
    assert_eq!((s.queued.meta.width, s.queued.format), (60, Format::Jpeg));
    assert_eq!(s.runs, 1, "one decode for both");
    assert_eq!(s.free_slots, 1);
}

#[tokio::test]
async fn a_queued_render_of_another_shrink_waits_for_its_slot_and_decodes() {
    let s = lead_and_queued("wid=60&fmt=png", "rotate=90&fmt=png").await;
    assert_eq!((s.loads, s.in_flight), (1, 1), "queued for the slot");
    assert_eq!(s.lead.meta.width, 60);
    assert_eq!(s.queued.meta.width, 480);
    assert_eq!(s.runs, 2);
    assert_eq!(s.free_slots, 1);
}
