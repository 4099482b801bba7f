//! `box_shrink`'s whole blocks in SSE2 vector steps, which every x86-64 CPU has: 2 x 2 blocks four
//! output pixels per round, 4 x 4 and 8 x 8 blocks one; the same arithmetic as the portable code
//! (alpha-weighted sums in 32-bit integers, divided in `f32`, rounded half up), so the results
//! are identical.

use std::arch::x86_64::*;

/// Output pixels from the pair of input rows `top` and `bottom` (RGBA8), eight at a time where
/// the CPU has AVX2 (`box_shrink_avx2`), then four at a time, into `out`; returns how many
/// pixels it wrote (a multiple of 4; the caller does the rest).
pub(super) fn halve_rows(top: &[u8], bottom: &[u8], out: &mut [u8]) -> usize {
    let done = super::box_shrink_avx2::halve_rows(top, bottom, out);
    let (top, bottom) = (&top[done * 8..], &bottom[done * 8..]);
    // SAFETY: SSE2 is part of x86-64: every CPU this code runs on has it.
    done + unsafe { halve(top, bottom, &mut out[done * 4..]) }
}

#[target_feature(enable = "sse2")]
fn halve(top: &[u8], bottom: &[u8], out: &mut [u8]) -> usize {
    let groups = (top.len().min(bottom.len()) / 32).min(out.len() / 16);
    for g in 0..groups {
        let (t, b) = (&top[g * 32..][..32], &bottom[g * 32..][..32]);
        // SAFETY: each load reads 16 bytes inside `t` or `b` (32 bytes each).
        let (t0, t1, b0, b1) = unsafe {
            (
                _mm_loadu_si128(t.as_ptr().cast()),
                _mm_loadu_si128(t[16..].as_ptr().cast()),
                _mm_loadu_si128(b.as_ptr().cast()),
                _mm_loadu_si128(b[16..].as_ptr().cast()),
            )
        };
        let px = |high| pixel(block(t0, b0, high), 4.0);
        let q = _mm_packs_epi32(px(false), px(true));
        let px = |high| pixel(block(t1, b1, high), 4.0);
        let r = _mm_packs_epi32(px(false), px(true));
        let px = _mm_packus_epi16(q, r);
        let o = &mut out[g * 16..][..16];
        // SAFETY: the store writes the 16 bytes of `o`.
        unsafe { _mm_storeu_si128(o.as_mut_ptr().cast(), px) };
    }
    groups * 4
}

/// Output pixels from `N` (4 or 8) input rows, one whole `N` x `N` block each, into `out`;
/// returns how many it wrote (every whole block that `out` has room for).
pub(super) fn shrink_rows<const N: usize>(rows: &[&[u8]; N], out: &mut [u8]) -> usize {
    // SAFETY: SSE2 is part of x86-64: every CPU this code runs on has it.
    unsafe { shrink_n::<N>(rows, out) }
}

#[target_feature(enable = "sse2")]
fn shrink_n<const N: usize>(rows: &[&[u8]; N], out: &mut [u8]) -> usize {
    let width = rows.iter().map(|r| r.len()).min().unwrap_or(0) / 4;
    let blocks = (width / N).min(out.len() / 4);
    for (x, o) in out.chunks_exact_mut(4).take(blocks).enumerate() {
        let mut sums = _mm_setzero_si128();
        for pair in rows.chunks_exact(2) {
            let (t, b) = (
                &pair[0][x * N * 4..][..N * 4],
                &pair[1][x * N * 4..][..N * 4],
            );
            for (t, b) in t.chunks_exact(16).zip(b.chunks_exact(16)) {
                // SAFETY: each load reads the 16 bytes of `t` or `b`.
                let (t, b) = unsafe {
                    (
                        _mm_loadu_si128(t.as_ptr().cast()),
                        _mm_loadu_si128(b.as_ptr().cast()),
                    )
                };
                sums = _mm_add_epi32(sums, block(t, b, false));
                sums = _mm_add_epi32(sums, block(t, b, true));
            }
        }
        let q = pixel(sums, (N * N) as f32);
        let px = _mm_packus_epi16(_mm_packs_epi32(q, q), _mm_setzero_si128());
        o.copy_from_slice(&_mm_cvtsi128_si32(px).to_le_bytes());
    }
    blocks
}

/// The sums (R·A, G·A, B·A, A) of the 2 x 2 block in the low (or `high`) half of `top` and
/// `bottom` (two pixels across each).
#[inline]
#[target_feature(enable = "sse2")]
fn block(top: __m128i, bottom: __m128i, high: bool) -> __m128i {
    let zero = _mm_setzero_si128();
    // Top and bottom bytes side by side: R R G G B B A A for each of the two columns.
    let pairs = match high {
        false => _mm_unpacklo_epi8(top, bottom),
        true => _mm_unpackhi_epi8(top, bottom),
    };
    let left = weigh(_mm_unpacklo_epi8(pairs, zero));
    let right = weigh(_mm_unpackhi_epi8(pairs, zero));
    _mm_add_epi32(left, right)
}

/// One column's vertical pair as 16-bit lanes (R R G G B B A A) to (R·A, G·A, B·A, A) sums: the
/// alpha pair is the multiplier of the colour pairs, and multiplies a pair of ones.
#[inline]
#[target_feature(enable = "sse2")]
fn weigh(v: __m128i) -> __m128i {
    let alphas = _mm_shuffle_epi32::<0xFF>(v);
    let colours = _mm_or_si128(
        _mm_and_si128(v, _mm_set_epi32(0, -1, -1, -1)),
        _mm_set_epi32(0x0001_0001, 0, 0, 0),
    );
    _mm_madd_epi16(colours, alphas)
}

/// Sums to the pixel's four values as 32-bit lanes: colours divided by the alpha sum, alpha by
/// `count`, plus a half, truncated (0 / 0 = NaN converts to i32::MIN, which the packs clamp to
/// 0).
#[inline]
#[target_feature(enable = "sse2")]
fn pixel(sums: __m128i, count: f32) -> __m128i {
    let f = _mm_cvtepi32_ps(sums);
    let alpha = _mm_shuffle_ps::<0xFF>(f, f);
    let by = _mm_or_ps(
        _mm_and_ps(alpha, _mm_castsi128_ps(_mm_set_epi32(0, -1, -1, -1))),
        _mm_set_ps(count, 0.0, 0.0, 0.0),
    );
    _mm_cvttps_epi32(_mm_add_ps(_mm_div_ps(f, by), _mm_set1_ps(0.5)))
}
