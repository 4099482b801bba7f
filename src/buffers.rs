//! Reuse of the big byte buffers a render goes through: the stored file's bytes
//! (`storage::BlobStore::get`), a PNG's inflated rows (`codec::inflate_out`), a decode's pixels
//! (`jpeg_fast`, `box_shrink`, zune-jpeg's full-size decodes), the CPU engine's step outputs
//! (resample, affine, quarter turns, blur and unsharp mask, grow) and every `engine::Image`
//! that is dropped. They are 1–50 MB each, allocated and freed once per render. glibc serves
//! such sizes from a fresh mapping, or from a per-thread heap that it unmaps once the block is
//! freed, so every render paid a page fault and a zeroed page per 4 KiB of each buffer, and
//! `calloc` zeroed reused memory once more: about 4 000 faults per thumbnail of the load
//! bench's mix, and 10–14 % of its CPU time (BENCHMARKS.md, "Buffer reuse"). A big buffer
//! allocated outside the pool while kept ones sit unused costs peak RSS instead (zune-jpeg's
//! own 48 MB output did: BENCHMARKS.md, "Peak RSS of full-size renders").
//!
//! `take(len)` hands out a kept buffer that is big enough (the smallest such), or a new zeroed
//! one; its bytes are unspecified: zeros, or an earlier render's bytes. It is for code that
//! writes every byte before reading it; tests and debug builds poison every buffer handed out
//! (0xA5), so code that reads a byte it did not write fails them. `give` keeps a buffer of at
//! least `MIN` bytes for the next `take`, up to `KEEP` buffers and `IPSD_KEEP_BUFFERS_MIB` in
//! all (default `KEEP_BYTES`; the smallest go first). `release` drops them all: housekeeping
//! calls it with `memory::trim` when the service is idle, so an idle service holds none.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Smallest buffer worth keeping.
pub const MIN: usize = 1 << 20;
/// Most buffers kept.
pub const KEEP: usize = 8;
/// Most bytes kept by default; `IPSD_KEEP_BUFFERS_MIB` sets it (`set_limit`). 96 MiB kept the
/// thumbnails' gain, where 64 lost half of it, and held 150–200 MiB less than 256 at peak under
/// full-size crops and filters, whose peak RSS 256 had put at over 1.5× libvips' (BENCHMARKS.md,
/// "How many bytes to keep"). Then a 12 MP PNG's decode came to take three buffers (33 MB file,
/// 48 MB rows, the second half's 27 MB): 108 MB never fit in 96, so one was allocated and
/// zeroed anew on every such decode; 128 MiB fits them (fresh buffers in the thumbnail mix 5x
/// fewer, four clients +8 % img/s, p99 -16 to -38 %) for 0–25 MiB more peak RSS ("128 MiB").
pub const KEEP_BYTES: usize = 128 << 20;
/// A kept buffer serves requests down to 1/`SPARE` of its size, not smaller: a big buffer
/// should serve a big request.
const SPARE: usize = 4;

/// A set of kept buffers (the process has one, `POOL`; tests make their own).
pub struct Pool {
    kept: Mutex<Vec<Vec<u8>>>,
    keep: usize,
    keep_bytes: AtomicUsize,
}

static POOL: Pool = Pool::new(KEEP, KEEP_BYTES);

/// A buffer of exactly `len` bytes whose contents are unspecified (see the module docs).
pub fn take(len: usize) -> Vec<u8> {
    POOL.take(len)
}

/// Keeps `v` for a later `take` if it is big enough and there is room.
pub fn give(v: Vec<u8>) {
    POOL.give(v)
}

/// Drops every kept buffer; returns how many bytes they held.
pub fn release() -> usize {
    POOL.release()
}

/// Keeps at most `bytes` from now on (0: none); `ipsd serve` sets `IPSD_KEEP_BUFFERS_MIB`.
pub fn set_limit(bytes: usize) {
    POOL.set_limit(bytes)
}

impl Pool {
    /// Keeps at most `keep` buffers and `keep_bytes` bytes.
    pub const fn new(keep: usize, keep_bytes: usize) -> Pool {
        Pool {
            kept: Mutex::new(Vec::new()),
            keep,
            keep_bytes: AtomicUsize::new(keep_bytes),
        }
    }

    /// See [`set_limit`]; drops what is over it now.
    pub fn set_limit(&self, bytes: usize) {
        self.keep_bytes.store(bytes, Ordering::Relaxed);
        self.give(Vec::new());
        if bytes == 0 {
            self.release();
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Vec<Vec<u8>>> {
        // The list is valid after any panic (pushes and removals only).
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// See [`take`].
    pub fn take(&self, len: usize) -> Vec<u8> {
        let reused = (len >= MIN / SPARE).then(|| self.reuse(len)).flatten();
        let mut v = reused.unwrap_or_else(|| vec![0; len]);
        poison(&mut v);
        v
    }

    /// The smallest kept buffer that fits `len`, sized to `len`.
    fn reuse(&self, len: usize) -> Option<Vec<u8>> {
        let mut k = self.kept();
        let fits = |c: usize| c >= len && c / SPARE <= len;
        let best = (0..k.len())
            .filter(|&i| fits(k[i].capacity()))
            .min_by_key(|&i| k[i].capacity())?;
        let mut v = k.swap_remove(best);
        drop(k);
        // Within the capacity: no reallocation; only bytes past the old length get written.
        v.resize(len, 0);
        Some(v)
    }

    /// See [`give`].
    pub fn give(&self, v: Vec<u8>) {
        let keep_bytes = self.keep_bytes.load(Ordering::Relaxed);
        if v.capacity() > keep_bytes {
            return;
        }
        let mut k = self.kept();
        if v.capacity() >= MIN {
            k.push(v);
        }
        // The smallest go first; what is dropped is freed after the lock is let go.
        let mut out = Vec::new();
        while k.len() > self.keep || k.iter().map(Vec::capacity).sum::<usize>() > keep_bytes {
            let i = (0..k.len()).min_by_key(|&i| k[i].capacity()).unwrap_or(0);
            out.push(k.swap_remove(i));
        }
        drop(k);
        drop(out);
    }

    /// See [`release`].
    pub fn release(&self) -> usize {
        let all = std::mem::take(&mut *self.kept());
        all.iter().map(Vec::capacity).sum()
    }

    /// Bytes the kept buffers hold now.
    pub fn held(&self) -> usize {
        self.kept().iter().map(Vec::capacity).sum()
    }
}

#[cfg(any(test, debug_assertions))]
fn poison(v: &mut [u8]) {
    v.fill(0xA5);
}

#[cfg(not(any(test, debug_assertions)))]
fn poison(_: &mut [u8]) {}

#[cfg(test)]
mod tests {
    use super::*;

    const A: usize = 3 * MIN + 17;

    #[test]
    fn a_given_buffer_serves_the_next_take_of_a_size_it_fits() {
        let p = Pool::new(KEEP, KEEP_BYTES);
        let mut v = p.take(A);
        assert_eq!(v.len(), A);
        assert!(
            v.iter().all(|&b| b == 0xA5),
            "tests poison what they hand out"
        );
        v[0] = 1;
        let at = v.as_ptr();
        p.give(v);
        assert_eq!(p.held(), A);
        let w = p.take(A - 5);
        assert_eq!(
            (w.len(), w.as_ptr()),
            (A - 5, at),
            "the kept buffer came back"
        );
        assert!(w.iter().all(|&b| b == 0xA5), "poisoned again");
        assert_eq!(p.held(), 0);
        p.give(w);
        let small = p.take(A / 8);
        assert_ne!(
            small.as_ptr(),
            at,
            "a buffer 8x too big is kept for a big request"
        );
        assert_eq!(p.held(), A);
        assert_eq!(p.release(), A);
        assert_eq!(p.held(), 0);
    }

    #[test]
    fn small_buffers_are_not_kept() {
        let p = Pool::new(KEEP, KEEP_BYTES);
        p.give(vec![7u8; MIN - 1]);
        p.give(Vec::new());
        assert_eq!(p.held(), 0);
        let v = p.take(10);
        assert_eq!(v, vec![0xA5; 10]);
    }

    #[test]
    fn the_count_and_bytes_are_bounded_and_the_biggest_stay() {
        let p = Pool::new(3, 10 * MIN);
        for _ in 0..5 {
            p.give(Vec::with_capacity(2 * MIN));
        }
        assert_eq!(p.held(), 6 * MIN, "three buffers at most");
        let big = Vec::<u8>::with_capacity(7 * MIN);
        let at = big.as_ptr();
        p.give(big);
        assert_eq!(p.held(), 9 * MIN, "the two smallest made room");
        let v = p.take(6 * MIN);
        assert_eq!(v.as_ptr(), at);
        p.give(Vec::with_capacity(11 * MIN));
        assert_eq!(p.held(), 2 * MIN, "over the bytes alone: dropped");
        p.give(Vec::with_capacity(5 * MIN));
        p.set_limit(6 * MIN);
        assert_eq!(
            p.held(),
            5 * MIN,
            "a lower limit drops the smallest at once"
        );
        p.set_limit(0);
        assert_eq!(p.held(), 0);
        p.give(Vec::with_capacity(2 * MIN));
        assert_eq!(p.held(), 0, "a limit of 0 keeps nothing");
    }
}
