//! Admission control for renders (issue 5), by pixel cost rather than request count.
//!
//! A render's cost is the pixels it decodes (after shrink-on-load) plus the pixels it produces
//! (`cost`). Admitted work — running and waiting — may not exceed the pixel budget: past it a
//! request is refused at once with the busy fault (`Fault::busy`, ipsApiFault 30004, our [rec]
//! choice) before anything is read or stored, so a refused copyImage leaves nothing behind. One
//! request is always admitted when nothing else is, whatever its cost, so a large image is
//! never starved. Admitted renders then run at most `slots` at a time (decode → engine →
//! encode), the others wait in FIFO order: the decode/encode pool is bounded by the cores, and
//! so is the memory held by decoded images. The exception: a render that waits for another's
//! decode of the same source (`shared`) holds no slot while it waits (a running one gives its
//! slot back, a queued one takes the pixels before its turn) and queues for a slot afterwards
//! for its engine steps and encode; its pixels stay admitted, so the budget still bounds memory.
//! The upload servlet's validation decodes queue for the same slots (`Admission::slot`), so
//! uploads and renders together decode at most one image per slot.

use crate::catalog::Asset;
use crate::modifier::{self, Commands, Limits, Plan};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{Semaphore, SemaphorePermit};

/// The render gate shared by every request.
#[derive(Debug)]
pub struct Admission {
    /// Most admitted pixels at once; 0 = unbounded.
    budget: u64,
    admitted: AtomicU64,
    /// Renders admitted since start (a change tells housekeeping the service was not idle).
    admissions: AtomicU64,
    slots: Semaphore,
}

/// The render queue is full; the caller should retry later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// An admitted render's share of the budget, given back on drop.
#[derive(Debug)]
pub struct Ticket<'a> {
    gate: &'a Admission,
    cost: u64,
}

/// Pixels decoded (after the plan's shrink-on-load) plus pixels produced.
pub fn cost(plan: &Plan) -> u64 {
    let (w, h) = plan.source;
    let s = plan.decode_shrink.max(1);
    let decoded = w.div_ceil(s) as u64 * h.div_ceil(s) as u64;
    decoded + plan.width as u64 * plan.height as u64
}

/// The admission cost of rendering `src` with `cmds`, planned from the catalog's size (the
/// source's own header decides the real plan later); the source's pixels if it cannot plan.
pub fn asset_cost(src: &Asset, cmds: &Commands, limits: &Limits) -> u64 {
    let (w, h) = super::catalog_size(&src.image);
    modifier::plan(w, h, cmds, limits)
        .map(|p| cost(&p))
        .unwrap_or(w as u64 * h as u64)
}

impl Admission {
    /// `slots` concurrent renders (at least 1) under a `budget` of admitted pixels (0 = none).
    pub fn new(slots: usize, budget: u64) -> Admission {
        Admission {
            budget,
            admitted: AtomicU64::new(0),
            admissions: AtomicU64::new(0),
            slots: Semaphore::new(slots.max(1)),
        }
    }

    /// Admits a render of `cost` pixels, or refuses at once when the budget would overflow.
    pub fn admit(&self, cost: u64) -> Result<Ticket<'_>, Busy> {
        let mut cur = self.admitted.load(Ordering::Relaxed);
        loop {
            let over = self.budget > 0 && cur > 0 && cur.saturating_add(cost) > self.budget;
            if over {
                return Err(Busy);
            }
            match self.admitted.compare_exchange_weak(
                cur,
                cur + cost,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    self.admissions.fetch_add(1, Ordering::Relaxed);
                    return Ok(Ticket { gate: self, cost });
                }
                Err(now) => cur = now,
            }
        }
    }

    /// Pixels admitted now (running and waiting).
    pub fn admitted(&self) -> u64 {
        self.admitted.load(Ordering::Relaxed)
    }

    /// Renders admitted since start.
    pub fn admissions(&self) -> u64 {
        self.admissions.load(Ordering::Relaxed)
    }

    /// Render slots free now.
    pub fn free_slots(&self) -> usize {
        self.slots.available_permits()
    }

    /// Waits for a render slot (FIFO) without a ticket: for work that decodes like a render but
    /// is not refused when busy, only queued (the upload servlet's validation decode). Holding
    /// a slot bounds it, with the renders, to one decode per core and its buffers.
    pub async fn slot(&self) -> SemaphorePermit<'_> {
        self.slots
            .acquire()
            .await
            .expect("the render semaphore is never closed")
    }
}

impl Ticket<'_> {
    /// Waits for a render slot (FIFO); the render runs while the permit is held.
    pub async fn slot(&self) -> SemaphorePermit<'_> {
        self.gate.slot().await
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.gate.admitted.fetch_sub(self.cost, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_refuses_and_recovers() {
        let a = Admission::new(2, 100);
        let t1 = a.admit(60).unwrap();
        assert_eq!(a.admit(50).unwrap_err(), Busy);
        let t2 = a.admit(40).unwrap();
        assert_eq!(a.admitted(), 100);
        assert_eq!(a.admissions(), 2);
        drop(t1);
        drop(t2);
        assert_eq!(a.admitted(), 0);
    }

    #[test]
    fn a_lone_request_over_budget_is_admitted() {
        let a = Admission::new(1, 10);
        let t = a.admit(1_000).unwrap();
        assert!(a.admit(1).is_err());
        drop(t);
        assert!(a.admit(1).is_ok());
    }

    #[test]
    fn zero_budget_is_unbounded() {
        let a = Admission::new(1, 0);
        let _t: Vec<_> = (0..100).map(|_| a.admit(u64::MAX / 200).unwrap()).collect();
    }
}
