//! PNG row filters undone (PNG 9.2), for `decode_png`: in place, given the row above (already
//! unfiltered), one row at a time or two consecutive rows of the same type together. RGB and
//! RGBA rows of the Sub, Average and Paeth types take SSE2 steps on x86-64 (`unfilter_sse2`: a
//! pixel's lanes at once, two rows in step); everything else, and every other architecture, the
//! portable code below. Both give the same bytes (tested against each other here, and the
//! whole decoder against the `image` crate in `decode_png_tests`).

/// Undoes one row's filter in place, `B` bytes per pixel; `prev` is the row above, already
/// unfiltered (`None` for the first row: zeros). `None` for a filter type above 4.
pub(super) fn row<const B: usize>(filter: u8, prev: Option<&[u8]>, cur: &mut [u8]) -> Option<()> {
    let prev = above(prev, cur.len());
    #[cfg(target_arch = "x86_64")]
    if (B == 3 || B == 4) && super::unfilter_sse2::pixels::<B>(filter, &prev, cur) {
        return Some(());
    }
    portable::<B>(filter, &prev, cur)
}

/// `row` on two consecutive rows of the same filter type: `top` under `prev`, `bottom` under
/// `top`. Average and Paeth rows are worked in step on x86-64 (`unfilter_sse2`).
pub(super) fn two_rows<const B: usize>(
    filter: u8,
    prev: Option<&[u8]>,
    top: &mut [u8],
    bottom: &mut [u8],
) -> Option<()> {
    #[cfg(target_arch = "x86_64")]
    if (B == 3 || B == 4)
        && super::unfilter_sse2::pixels_pair::<B>(filter, &above(prev, top.len()), top, bottom)
    {
        return Some(());
    }
    row::<B>(filter, prev, top)?;
    row::<B>(filter, Some(top), bottom)
}

/// The row above, or zeros above the first row.
fn above(prev: Option<&[u8]>, len: usize) -> std::borrow::Cow<'_, [u8]> {
    prev.map_or_else(|| vec![0; len].into(), Into::into)
}

/// `row` without the vector steps.
fn portable<const B: usize>(filter: u8, prev: &[u8], cur: &mut [u8]) -> Option<()> {
    match filter {
        0 => {}
        1 => each::<B>(cur, prev, |a, _, _| a),
        2 => {
            for (d, p) in cur.iter_mut().zip(prev) {
                *d = d.wrapping_add(*p);
            }
        }
        3 => each::<B>(cur, prev, |a, b, _| (a + b) >> 1),
        4 => each::<B>(cur, prev, paeth),
        _ => return None,
    }
    Some(())
}

/// Adds `pred(left, above, upper left)` to each byte of `cur`, pixel by pixel (the lanes of a
/// pixel are written out one by one: the compiler keeps them in registers that way).
#[inline(always)]
fn each<const B: usize>(cur: &mut [u8], prev: &[u8], pred: impl Fn(i16, i16, i16) -> i16) {
    let (mut a, mut c) = ([0i16; B], [0i16; B]);
    for (d, p) in cur.chunks_exact_mut(B).zip(prev.chunks_exact(B)) {
        let d: &mut [u8; B] = d.try_into().unwrap();
        let p: &[u8; B] = p.try_into().unwrap();
        for k in 0..B {
            let b = p[k] as i16;
            let v = d[k].wrapping_add(pred(a[k], b, c[k]) as u8);
            d[k] = v;
            a[k] = v as i16;
            c[k] = b;
        }
    }
}

/// The Paeth predictor of left `a`, above `b` and upper left `c` (PNG 9.4), in the
/// branch-free form stb_image uses: `c` unless it lies outside the range of `a` and `b` by more
/// than the distance between them.
#[inline(always)]
fn paeth(a: i16, b: i16, c: i16) -> i16 {
    let thresh = c * 3 - (a + b);
    let (lo, hi) = (a.min(b), a.max(b));
    let t0 = if hi <= thresh { lo } else { c };
    if thresh <= lo {
        hi
    } else {
        t0
    }
}

#[cfg(test)]
mod tests {
    /// Rows of every byte value in every position: xorshift noise.
    fn noise(n: usize, seed: u64) -> Vec<u8> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 24) as u8
            })
            .collect()
    }

    /// `row` (vector steps) against `portable`, `B` bytes a pixel.
    fn one_row_matches<const B: usize>() {
        for (px, seed) in [(1, 1), (2, 2), (333, 3), (4096, 4)] {
            let len = px * B;
            let prev = noise(len, seed);
            let cur = noise(len, seed ^ 0x9E37_79B9_7F4A_7C15);
            for filter in 0..=4u8 {
                for above in [Some(&prev[..]), None] {
                    let zeros = vec![0u8; len];
                    let mut want = cur.clone();
                    super::portable::<B>(filter, above.unwrap_or(&zeros), &mut want).unwrap();
                    let mut got = cur.clone();
                    super::row::<B>(filter, above, &mut got).unwrap();
                    let has = above.is_some();
                    assert_eq!(got, want, "B {B} filter {filter} len {len} above {has}");
                }
            }
        }
        let (mut t, mut b) = (vec![0; 8 * B], vec![0; 8 * B]);
        assert!(super::row::<B>(5, None, &mut t).is_none());
        assert!(super::two_rows::<B>(5, None, &mut t, &mut b).is_none());
    }

    #[test]
    fn vector_steps_equal_the_portable_code_for_every_filter() {
        one_row_matches::<3>();
        one_row_matches::<4>();
    }

    /// `two_rows` against `portable` row by row, `B` bytes a pixel.
    fn two_rows_match<const B: usize>() {
        for (px, seed) in [(1, 5), (333, 6), (4096, 7)] {
            let len = px * B;
            let prev = noise(len, seed);
            let two = noise(2 * len, seed ^ 0x5851_F42D_4C95_7F2D);
            for filter in 0..=4u8 {
                for above in [Some(&prev[..]), None] {
                    let zeros = vec![0u8; len];
                    let mut want = two.clone();
                    let (t, b) = want.split_at_mut(len);
                    super::portable::<B>(filter, above.unwrap_or(&zeros), t).unwrap();
                    super::portable::<B>(filter, t, b).unwrap();
                    let mut got = two.clone();
                    let (t, b) = got.split_at_mut(len);
                    super::two_rows::<B>(filter, above, t, b).unwrap();
                    let has = above.is_some();
                    assert_eq!(got, want, "B {B} filter {filter} len {len} above {has}");
                }
            }
        }
    }

    #[test]
    fn rows_in_step_equal_rows_one_by_one() {
        two_rows_match::<3>();
        two_rows_match::<4>();
    }

    /// Runs of equal bytes and the extremes, where rounding and wrapping decide.
    #[test]
    fn extremes_wrap_as_the_portable_code_does() {
        for v in [0u8, 1, 127, 128, 254, 255] {
            for w in [0u8, 1, 128, 255] {
                let prev = [v, w, v, w].repeat(63);
                let cur = [w, v, 255, 0].repeat(63);
                for filter in 1..=4u8 {
                    let mut want = cur.clone();
                    super::portable::<4>(filter, &prev, &mut want).unwrap();
                    let mut got = cur.clone();
                    super::row::<4>(filter, Some(&prev), &mut got).unwrap();
                    assert_eq!(got, want, "filter {filter} v {v} w {w}");
                    let mut want = cur.clone();
                    super::portable::<3>(filter, &prev, &mut want).unwrap();
                    let mut got = cur.clone();
                    super::row::<3>(filter, Some(&prev), &mut got).unwrap();
                    assert_eq!(got, want, "RGB filter {filter} v {v} w {w}");
                }
            }
        }
    }

    #[test]
    fn paeth_matches_the_specification() {
        let spec = |a: i16, b: i16, c: i16| {
            let p = a + b - c;
            let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
            if pa <= pb && pa <= pc {
                a
            } else if pb <= pc {
                b
            } else {
                c
            }
        };
        for a in (0..256).step_by(3) {
            for b in 0..256 {
                for c in (0..256).step_by(5) {
                    assert_eq!(super::paeth(a, b, c), spec(a, b, c), "{a} {b} {c}");
                }
            }
        }
    }
}
