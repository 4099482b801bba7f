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
    lead_and_queued_sized(lead, queued, (640, 480)).await
}

/// `lead_and_queued` with the queued render believing the catalog's `size` for the blob.
async fn lead_and_queued_sized(lead: &str, queued: &str, size: (u32, u32)) -> Seen {
    let (decodes, gate) = held();
    let gate_keeper = Admission::new(1, 0);
    let limits = Limits::copy_image(100_000_000);
    let (c1, c2) = (
        modifier::parse(lead).unwrap(),
        modifier::parse(queued).unwrap(),
    );
    let loads = AtomicUsize::new(0);
    let source = |size| StoredSource {
        blob: "b",
        size,
        load: || async {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok(jpeg())
        },
    };
    let (t1, t2) = (gate_keeper.admit(1).unwrap(), gate_keeper.admit(1).unwrap());
    let engine = CpuExecutor;
    let cx = &mut Context::from_waker(Waker::noop());
    let mut first = Box::pin(render_blob(
        &engine,
        &decodes,
        &t1,
        source((640, 480)),
        &c1,
        &limits,
    ));
    assert!(first.as_mut().poll(cx).is_pending());
    assert_eq!(
        gate_keeper.free_slots(),
        0,
        "the first render holds the slot"
    );
    let mut second = Box::pin(render_blob(
        &engine,
        &decodes,
        &t2,
        source(size),
        &c2,
        &limits,
    ));
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

/// A catalog size that disagrees with the file: the queued render joins the decode its
/// catalog-based plan names, finds that the header plans another shrink, and renders from its
/// own decode instead of pixels at the wrong scale.
#[tokio::test]
async fn a_catalog_size_that_disagrees_with_the_file_never_uses_other_pixels() {
    let s = lead_and_queued_sized("wid=60&fmt=png", "wid=100&fmt=png", (1000, 750)).await;
    assert_eq!((s.lead.meta.width, s.queued.meta.width), (60, 100));
    assert_eq!(
        s.runs, 2,
        "the shared 1/4 decode was not used for a 1/2 plan"
    );
    assert_eq!(s.free_slots, 1);
}

/// An executor that refuses every plan it is given.
struct Refusing;

#[async_trait::async_trait]
impl Executor for Refusing {
    fn describe(&self) -> String {
        "refusing".into()
    }
    async fn run(
        &self,
        _: Image,
        _: Vec<crate::engine::Step>,
    ) -> Result<Image, crate::engine::EngineError> {
        Err(crate::engine::EngineError::Gpu(
            "the engine was called".into(),
        ))
    }
}

/// A plan without steps encodes the decoded pixels as they are (no engine call, no copy of
/// pixels that other renders share); a plan with steps does reach the engine.
#[tokio::test]
async fn a_re_encode_skips_the_engine() {
    let limits = Limits::copy_image(100_000_000);
    let cmds = |m: &str| modifier::parse(m).unwrap();
    let r = render(&Refusing, jpeg(), &cmds("fmt=png-alpha"), &limits)
        .await
        .unwrap();
    assert_eq!((r.meta.width, r.meta.height), (640, 480));
    assert_eq!(r.format, Format::PngAlpha);
    let e = render(&Refusing, jpeg(), &cmds("wid=60&fmt=png"), &limits).await;
    assert!(matches!(e, Err(RenderError::Internal(m)) if m.contains("engine was called")));
}
