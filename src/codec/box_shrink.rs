//! Shrink-on-load for the formats without DCT scaling (`decode`): a decoded PNG, GIF, TIFF, WebP
//! or BMP is averaged over n x n blocks (n = 2, 4 or 8, the plan's `decode_shrink`), as libvips'
//! thumbnail block-shrinks before its final resample. The result is `ceil(w / n) x ceil(h / n)`
//! (the size DCT scaling gives, so `Plan::steps_for_input` scales coordinates by exactly 1/n);
//! a block at the right or bottom edge averages the pixels it has. Colours are weighted by
//! alpha (averaged premultiplied, then divided back), so fully transparent pixels lend no
//! colour to their block; the alpha is the plain average.

use crate::engine::Image;

/// `img` averaged over `n` x `n` blocks (`n` of 2, 4 or 8; 1 returns it as it is).
pub(super) fn shrink(img: Image, n: u32) -> Image {
    match Shrinker::new(img.width, img.height, n) {
        Some(s) => s.finish(&img.data),
        None => img,
    }
}

/// A shrink that takes the input as a decoder finishes its rows (`decode_png` feeds it the rows
/// it has just unfiltered, while they are still in cache).
pub(super) struct Shrinker {
    n: usize,
    w: usize,
    h: usize,
    /// The output, taken when the first row comes.
    out: Vec<u8>,
    /// The next output row.
    next: usize,
}

impl Shrinker {
    /// For a `w` x `h` input; `None` unless `n` is 2, 4 or 8.
    pub fn new(w: u32, h: u32, n: u32) -> Option<Shrinker> {
        let (w, h, n) = (w as usize, h as usize, n as usize);
        matches!(n, 2 | 4 | 8).then(|| Shrinker {
            n,
            w,
            h,
            // Taken when the first row comes (`feed_rows`): a decoder takes its own big buffers
            // first, so that this smaller one does not take a kept buffer they would have fit.
            out: Vec::new(),
            next: 0,
        })
    }

    /// Makes the output rows whose input rows all lie in the first `ready` rows of `rgba`.
    pub fn feed(&mut self, rgba: &[u8], ready: usize) {
        self.feed_band(rgba, 0, ready)
    }

    /// `feed`, given the input rows from row `first` on (`band`; the rows before were fed).
    pub fn feed_band(&mut self, band: &[u8], first: usize, ready: usize) {
        let stride = self.w * 4;
        self.feed_rows(|y| &band[(y - first) * stride..][..stride], ready)
    }

    /// Makes the output rows whose input rows are all among the first `ready`, reading input
    /// row y as `row(y)` (RGBA8, at least `w * 4` bytes; the rows before were fed).
    pub fn feed_rows<'a>(&mut self, row: impl Fn(usize) -> &'a [u8], ready: usize) {
        let (n, ow) = (self.n, self.w.div_ceil(self.n) * 4);
        if self.out.is_empty() {
            // `finish` writes every output pixel (`crate::buffers`).
            self.out = crate::buffers::take(ow * self.h.div_ceil(n));
        }
        while self.next * n < self.h && ((self.next + 1) * n).min(self.h) <= ready {
            let top = self.next * n;
            let k = n.min(self.h - top);
            let mut rows: [&[u8]; 8] = [&[]; 8];
            for (r, slot) in rows.iter_mut().enumerate().take(k) {
                *slot = &row(top + r)[..self.w * 4];
            }
            let out = &mut self.out[self.next * ow..][..ow];
            match (k == n, n) {
                (true, 2) => whole_rows::<2>(&[rows[0], rows[1]], self.w, out),
                (true, 4) => whole_rows::<4>(&[rows[0], rows[1], rows[2], rows[3]], self.w, out),
                (true, _) => whole_rows::<8>(&rows, self.w, out),
                (false, _) => edge_rows(&rows[..k], n, self.w, out),
            }
            self.next += 1;
        }
    }

    /// The shrunk image, given the whole input.
    pub fn finish(mut self, rgba: &[u8]) -> Image {
        self.feed(rgba, self.h);
        Image {
            width: self.w.div_ceil(self.n) as u32,
            height: self.h.div_ceil(self.n) as u32,
            data: self.out,
        }
    }
}

/// Sums of one output pixel's block: colour times alpha (R, G, B) and alpha. Every sum is an
/// integer below 2^24 (at most 64 x 255 x 255), so `f32` holds it exactly (and the SSE2 path,
/// `box_shrink_sse2`, computes the same values).
type Sums = [f32; 4];

/// One output row from `N` whole input rows: full blocks unrolled, then the narrower last one.
#[inline(always)]
fn whole_rows<const N: usize>(rows: &[&[u8]; N], w: usize, out: &mut [u8]) {
    let full = w / N;
    #[cfg(target_arch = "x86_64")]
    let done = match N {
        2 => super::box_shrink_sse2::halve_rows(&rows[0][..w * 4], &rows[1][..w * 4], out),
        _ => super::box_shrink_sse2::shrink_rows::<N>(rows, &mut out[..full * 4]),
    };
    #[cfg(not(target_arch = "x86_64"))]
    let done = 0;
    for (ox, o) in out.chunks_exact_mut(4).enumerate().take(full).skip(done) {
        let mut s = [0f32; 4];
        for row in rows {
            for p in row[ox * N * 4..][..N * 4].chunks_exact(4) {
                add(&mut s, p);
            }
        }
        pixel(&s, (N * N) as u32, o);
    }
    if full * N < w {
        edge_rows(rows, N, w, &mut out[full * 4..]);
    }
}

/// The last `out.len() / 4` output pixels of a row from its input `rows` (the bottom row's
/// fewer than n, or the last, narrower block of a row): each block averages the pixels it has.
fn edge_rows(rows: &[&[u8]], n: usize, w: usize, out: &mut [u8]) {
    let first = w.div_ceil(n) - out.len() / 4;
    for (i, o) in out.chunks_exact_mut(4).enumerate() {
        let x0 = (first + i) * n;
        let x1 = (x0 + n).min(w);
        let mut s = [0f32; 4];
        for row in rows {
            for p in row[x0 * 4..x1 * 4].chunks_exact(4) {
                add(&mut s, p);
            }
        }
        pixel(&s, ((x1 - x0) * rows.len()) as u32, o);
    }
}

#[inline(always)]
fn add(s: &mut Sums, p: &[u8]) {
    let p: [f32; 4] = std::array::from_fn(|c| p[c] as f32);
    let w = [p[3], p[3], p[3], 1.0];
    for c in 0..4 {
        s[c] += p[c] * w[c];
    }
}

/// One output pixel from its block's sums over `count` pixels: colour sums divided by the alpha
/// sum, the alpha sum by `count`, rounded (halves up: each quotient is exact in `f32` or at
/// least 1/128 away from a half). A fully transparent block divides 0 by 0: NaN, which the cast
/// turns into 0.
#[inline(always)]
fn pixel(s: &Sums, count: u32, o: &mut [u8]) {
    let d = [s[3], s[3], s[3], count as f32];
    for c in 0..4 {
        o[c] = (s[c] / d[c] + 0.5) as u8;
    }
}

#[cfg(test)]
#[path = "box_shrink_tests.rs"]
mod tests;
