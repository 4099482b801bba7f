//! `box_shrink`'s 2 x 2 blocks (a thumbnail's shrink-on-load of a PNG) in AVX2 vector steps,
//! eight output pixels per round, where the CPU has AVX2; `box_shrink_sse2` does the rest of the
//! row, and all of it elsewhere. The same arithmetic as the SSE2 and portable code, lane for
//! lane (alpha-weighted sums in 32-bit integers, divided in `f32`, rounded half up), so the
//! results are identical; twice the pixels per division.

use std::arch::x86_64::*;

/// Output pixels from the pair of input rows `top` and `bottom` (RGBA8), eight at a time, into
/// `out`; returns how many it wrote (a multiple of 8; 0 without AVX2).
pub(super) fn halve_rows(top: &[u8], bottom: &[u8], out: &mut [u8]) -> usize {
    if !is_x86_feature_detected!("avx2") {
        return 0;
    }
    // SAFETY: the CPU has AVX2 (checked above).
    unsafe { halve(top, bottom, out) }
}

#[target_feature(enable = "avx2")]
fn halve(top: &[u8], bottom: &[u8], out: &mut [u8]) -> usize {
    let groups = (top.len().min(bottom.len()) / 64).min(out.len() / 32);
    for g in 0..groups {
        let (t, b) = (&top[g * 64..][..64], &bottom[g * 64..][..64]);
        // SAFETY: each load reads 32 bytes inside `t` or `b` (64 bytes each).
        let (t0, t1, b0, b1) = unsafe {
            (
                _mm256_loadu_si256(t.as_ptr().cast()),
                _mm256_loadu_si256(t[32..].as_ptr().cast()),
                _mm256_loadu_si256(b.as_ptr().cast()),
                _mm256_loadu_si256(b[32..].as_ptr().cast()),
            )
        };
        // Each 128-bit lane holds four input columns: the low halves give output pixels 0 and
        // 2 of the eight (from `t0`), the high halves 1 and 3; `t1` gives 4 to 7 alike.
        let px = |t, b, high| pixel(block(t, b, high));
        let q = _mm256_packs_epi32(px(t0, b0, false), px(t0, b0, true));
        let r = _mm256_packs_epi32(px(t1, b1, false), px(t1, b1, true));
        // 64-bit quarters: pixels 0-1, 4-5, 2-3, 6-7; put in order.
        let p = _mm256_permute4x64_epi64::<0xD8>(_mm256_packus_epi16(q, r));
        let o = &mut out[g * 32..][..32];
        // SAFETY: the store writes the 32 bytes of `o`.
        unsafe { _mm256_storeu_si256(o.as_mut_ptr().cast(), p) };
    }
    groups * 8
}

/// The sums (R·A, G·A, B·A, A) of the 2 x 2 block in the low (or `high`) half of each lane of
/// `top` and `bottom`.
#[inline]
#[target_feature(enable = "avx2")]
fn block(top: __m256i, bottom: __m256i, high: bool) -> __m256i {
    let zero = _mm256_setzero_si256();
    let pairs = match high {
        false => _mm256_unpacklo_epi8(top, bottom),
        true => _mm256_unpackhi_epi8(top, bottom),
    };
    let left = weigh(_mm256_unpacklo_epi8(pairs, zero));
    let right = weigh(_mm256_unpackhi_epi8(pairs, zero));
    _mm256_add_epi32(left, right)
}

/// `box_shrink_sse2::weigh` in each lane: a column's vertical pair (R R G G B B A A, 16-bit) to
/// (R·A, G·A, B·A, A).
#[inline]
#[target_feature(enable = "avx2")]
fn weigh(v: __m256i) -> __m256i {
    let alphas = _mm256_shuffle_epi32::<0xFF>(v);
    let colours = _mm256_or_si256(
        _mm256_and_si256(v, _mm256_set_epi32(0, -1, -1, -1, 0, -1, -1, -1)),
        _mm256_set_epi32(0x0001_0001, 0, 0, 0, 0x0001_0001, 0, 0, 0),
    );
    _mm256_madd_epi16(colours, alphas)
}

/// `box_shrink_sse2::pixel` in each lane, for blocks of four pixels.
#[inline]
#[target_feature(enable = "avx2")]
fn pixel(sums: __m256i) -> __m256i {
    let f = _mm256_cvtepi32_ps(sums);
    let alpha = _mm256_shuffle_ps::<0xFF>(f, f);
    let by = _mm256_or_ps(
        _mm256_and_ps(
            alpha,
            _mm256_castsi256_ps(_mm256_set_epi32(0, -1, -1, -1, 0, -1, -1, -1)),
        ),
        _mm256_set_ps(4.0, 0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0),
    );
    _mm256_cvttps_epi32(_mm256_add_ps(_mm256_div_ps(f, by), _mm256_set1_ps(0.5)))
}
