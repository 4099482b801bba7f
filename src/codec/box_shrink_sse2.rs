//! `box_shrink`'s halving (2 x 2 blocks) in SSE2 vector steps, which every x86-64 CPU has: four
//! output pixels per round, the same arithmetic as the portable code (alpha-weighted sums in
//! 32-bit integers, divided in `f32`, rounded half up), so the results are identical.

use std::arch::x86_64::*;

/// Output pixels from the pair of input rows `top` and `bottom` (RGBA8), four at a time, into
/// `out`; returns how many pixels it wrote (a multiple of 4; the caller does the rest).
pub(super) fn halve_rows(top: &[u8], bottom: &[u8], out: &mut [u8]) -> usize {
    // SAFETY: SSE2 is part of x86-64: every CPU this code runs on has it.
    unsafe { halve(top, bottom, out) }
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
        let q = _mm_packs_epi32(pixel(block(t0, b0, false)), pixel(block(t0, b0, true)));
        let r = _mm_packs_epi32(pixel(block(t1, b1, false)), pixel(block(t1, b1, true)));
        let px = _mm_packus_epi16(q, r);
        let o = &mut out[g * 16..][..16];
        // SAFETY: the store writes the 16 bytes of `o`.
        unsafe { _mm_storeu_si128(o.as_mut_ptr().cast(), px) };
    }
    groups * 4
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
/// 4, plus a half, truncated (0 / 0 = NaN converts to i32::MIN, which the packs clamp to 0).
#[inline]
#[target_feature(enable = "sse2")]
fn pixel(sums: __m128i) -> __m128i {
    let f = _mm_cvtepi32_ps(sums);
    let alpha = _mm_shuffle_ps::<0xFF>(f, f);
    let by = _mm_or_ps(
        _mm_and_ps(alpha, _mm_castsi128_ps(_mm_set_epi32(0, -1, -1, -1))),
        _mm_set_ps(4.0, 0.0, 0.0, 0.0),
    );
    _mm_cvttps_epi32(_mm_add_ps(_mm_div_ps(f, by), _mm_set1_ps(0.5)))
}
