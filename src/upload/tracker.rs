//! In-flight upload batches per job. A job's final POST waits for the job's earlier batches
//! (which may still be running in the background) before it writes EndUpload, and the idle
//! timeout never ends a job that still has work in flight.

use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::Notify;

#[derive(Default)]
pub struct Tracker {
    pending: Mutex<HashMap<i64, usize>>,
    changed: Notify,
}

impl Tracker {
    /// Registers one batch for `job`; call before the batch may start.
    pub fn begin(&self, job: i64) {
        *self
            .pending
            .lock()
            .expect("tracker")
            .entry(job)
            .or_default() += 1;
    }

    /// Marks one batch of `job` done.
    pub fn end(&self, job: i64) {
        let mut p = self.pending.lock().expect("tracker");
        if let Some(n) = p.get_mut(&job) {
            *n -= 1;
            if *n == 0 {
                p.remove(&job);
            }
        }
        drop(p);
        self.changed.notify_waiters();
    }

    pub fn pending(&self, job: i64) -> usize {
        self.pending
            .lock()
            .expect("tracker")
            .get(&job)
            .copied()
            .unwrap_or(0)
    }

    /// Waits until at most `n` batches of `job` are in flight.
    pub async fn wait_until(&self, job: i64, n: usize) {
        loop {
            let notified = self.changed.notified();
            if self.pending(job) <= n {
                return;
            }
            notified.await;
        }
    }
}
