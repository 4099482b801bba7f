//! `unfilter`'s RGB and RGBA rows of the Sub, Average and Paeth types in SSE2 steps, which
//! every x86-64 CPU has: one pixel (its three or four lanes at once) per step. These filters
//! are sequential (a pixel needs the one to its left, unfiltered), so what counts is the chain
//! from one pixel to the next: the portable code's per-byte chains cost ~6 cycles a pixel on a
//! 12 MP Average-filtered PNG (a quarter of its decode). Two rows of the same type are worked
//! in step, the lower one a pixel behind the upper: two independent chains keep the core busy
//! while each waits.
//! One core, 16000-byte rows: Average 1.45 -> 0.94 (one row) -> 0.55 ns a pixel (two), Paeth
//! 3.16 -> 2.80 -> 2.01; the 12 MP PNG's decode 104.7 -> 82.5 ms (BENCHMARKS.md).
//!
//! Average keeps the complement of the left pixel: with `x̄ = 255 − x`, the rounding-up average
//! `pavgb(ā, b̄)` is the complement of the rounding-down one PNG wants, so the next `ā` is
//! `pavgb(ā, b̄) − d`: two instructions on the chain.

use std::arch::x86_64::*;

/// Undoes `filter` on the row `cur` of `B`-byte pixels (3 or 4) given the row above `prev` (as
/// long), if it is Sub (1), Average (3) or Paeth (4); false for the other types, which the
/// caller undoes.
pub(super) fn pixels<const B: usize>(filter: u8, prev: &[u8], cur: &mut [u8]) -> bool {
    // SAFETY: SSE2 is part of x86-64: every CPU this code runs on has it.
    unsafe {
        match filter {
            1 => sub::<B>(cur),
            3 => average::<B>(prev, cur),
            4 => paeth::<B>(prev, cur),
            _ => return false,
        }
    }
    true
}

/// `pixels` on two consecutive rows of the same type, `top` under `prev` and `bottom` under
/// `top`, worked in step (one sequential chain per row, so two at once), if it is Average or
/// Paeth; false otherwise (nothing written).
pub(super) fn pixels_pair<const B: usize>(
    filter: u8,
    prev: &[u8],
    top: &mut [u8],
    bottom: &mut [u8],
) -> bool {
    // SAFETY: as in `pixels`.
    unsafe {
        match filter {
            3 => average2::<B>(prev, top, bottom),
            4 => paeth2::<B>(prev, top, bottom),
            _ => return false,
        }
    }
    true
}

/// The `B` bytes of the pixel `p` in the low lanes (a fourth lane of an RGB pixel is 0).
#[target_feature(enable = "sse2")]
#[inline]
fn load<const B: usize>(p: &[u8]) -> __m128i {
    let mut w = [0u8; 4];
    w[..B].copy_from_slice(&p[..B]);
    _mm_cvtsi32_si128(i32::from_le_bytes(w))
}

/// The low `B` lanes of `v` into the pixel `d`.
#[target_feature(enable = "sse2")]
#[inline]
fn store<const B: usize>(d: &mut [u8], v: __m128i) {
    d[..B].copy_from_slice(&_mm_cvtsi128_si32(v).to_le_bytes()[..B]);
}

/// `t` where `mask` is set, else `e`.
#[target_feature(enable = "sse2")]
#[inline]
fn select(mask: __m128i, t: __m128i, e: __m128i) -> __m128i {
    _mm_or_si128(_mm_and_si128(mask, t), _mm_andnot_si128(mask, e))
}

/// Sub: each byte plus the one a pixel to its left.
#[target_feature(enable = "sse2")]
fn sub<const B: usize>(cur: &mut [u8]) {
    let mut a = _mm_setzero_si128();
    for d in cur.chunks_exact_mut(B) {
        a = _mm_add_epi8(a, load::<B>(d));
        store::<B>(d, a);
    }
}

/// Average: each byte plus the rounded-down mean of left and above (module doc).
#[target_feature(enable = "sse2")]
fn average<const B: usize>(prev: &[u8], cur: &mut [u8]) {
    let ones = _mm_set1_epi8(-1);
    // The complement of the zero pixel left of the row.
    let mut na = ones;
    for (d, p) in cur.chunks_exact_mut(B).zip(prev.chunks_exact(B)) {
        let nb = _mm_xor_si128(load::<B>(p), ones);
        na = _mm_sub_epi8(_mm_avg_epu8(na, nb), load::<B>(d));
        store::<B>(d, _mm_xor_si128(na, ones));
    }
}

/// Average on two rows in step: the lower row's "above" is the upper row's pixel just done,
/// whose complement is already at hand.
#[target_feature(enable = "sse2")]
fn average2<const B: usize>(prev: &[u8], top: &mut [u8], bottom: &mut [u8]) {
    let ones = _mm_set1_epi8(-1);
    let (mut n0, mut n1) = (ones, ones);
    let rows = top.chunks_exact_mut(B).zip(bottom.chunks_exact_mut(B));
    for (p, (d0, d1)) in prev.chunks_exact(B).zip(rows) {
        let nb = _mm_xor_si128(load::<B>(p), ones);
        n0 = _mm_sub_epi8(_mm_avg_epu8(n0, nb), load::<B>(d0));
        store::<B>(d0, _mm_xor_si128(n0, ones));
        n1 = _mm_sub_epi8(_mm_avg_epu8(n1, n0), load::<B>(d1));
        store::<B>(d1, _mm_xor_si128(n1, ones));
    }
}

/// Paeth, in 16-bit lanes, in the branch-free form of `unfilter::paeth`.
#[target_feature(enable = "sse2")]
fn paeth<const B: usize>(prev: &[u8], cur: &mut [u8]) {
    let zero = _mm_setzero_si128();
    let (mut a, mut c) = (zero, zero);
    for (d, p) in cur.chunks_exact_mut(B).zip(prev.chunks_exact(B)) {
        let b = _mm_unpacklo_epi8(load::<B>(p), zero);
        a = paeth_px::<B>(a, b, c, d);
        c = b;
    }
}

/// Paeth on two rows in step, the lower one a pixel behind (it needs the upper one's pixel
/// above it and to its upper left): two chains at once.
#[target_feature(enable = "sse2")]
fn paeth2<const B: usize>(prev: &[u8], top: &mut [u8], bottom: &mut [u8]) {
    let zero = _mm_setzero_si128();
    let (mut a0, mut c0, mut a1, mut c1) = (zero, zero, zero, zero);
    let rows = top.chunks_exact_mut(B).zip(bottom.chunks_exact_mut(B));
    for (p, (d0, d1)) in prev.chunks_exact(B).zip(rows) {
        let b = _mm_unpacklo_epi8(load::<B>(p), zero);
        a0 = paeth_px::<B>(a0, b, c0, d0);
        c0 = b;
        a1 = paeth_px::<B>(a1, a0, c1, d1);
        c1 = a0;
    }
}

/// One Paeth pixel: `d` (filtered) plus the predictor of left `a`, above `b` and upper left
/// `c` (16-bit lanes); written back to `d` and returned in 16-bit lanes.
#[target_feature(enable = "sse2")]
#[inline]
fn paeth_px<const B: usize>(a: __m128i, b: __m128i, c: __m128i, d: &mut [u8]) -> __m128i {
    let zero = _mm_setzero_si128();
    // 3c − b first: it does not wait for `a`.
    let c3b = _mm_sub_epi16(_mm_add_epi16(c, _mm_add_epi16(c, c)), b);
    let thresh = _mm_sub_epi16(c3b, a);
    let (lo, hi) = (_mm_min_epi16(a, b), _mm_max_epi16(a, b));
    let t0 = select(_mm_cmpgt_epi16(hi, thresh), c, lo);
    let pred = select(_mm_cmpgt_epi16(thresh, lo), t0, hi);
    let x = _mm_unpacklo_epi8(load::<B>(d), zero);
    let v = _mm_and_si128(_mm_add_epi16(pred, x), _mm_set1_epi16(0xff));
    store::<B>(d, _mm_packus_epi16(v, v));
    v
}
