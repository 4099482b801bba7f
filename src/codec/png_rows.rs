//! The rows of `decode_png` as the inflate finishes them (`Rows::take`, called with the
//! output so far): unfiltered in place while they are still in cache, then handed on. At full
//! size, RGBA rows move down over their filter bytes and are the image; RGB rows are unfiltered
//! where they are and written out as RGBA. When shrinking, no full-size image is made: RGBA
//! rows stay where they are and the shrinker reads them there; RGB rows are written as RGBA to
//! a band of `n` rows that the shrinker takes as soon as it is full.

use super::box_shrink::Shrinker;
use super::decode_png::Frame;
use super::unfilter::{row, two_rows};
use crate::engine::Image;

/// The rows done so far and where they went.
pub(super) struct Rows {
    /// Rows unfiltered and handed on; `None` after an invalid filter type.
    done: Option<usize>,
    small: Option<Shrinker>,
    /// RGB only: the RGBA image (full size) or the band of `n` rows (shrinking).
    rgba: Vec<u8>,
    n: usize,
}

impl Rows {
    /// For `f`, block-averaged by `shrink` (1: full size); `None` if the RGBA size overflows.
    pub fn new(f: &Frame, shrink: u32) -> Option<Rows> {
        let small = Shrinker::new(f.width as u32, f.height as u32, shrink);
        let n = if small.is_some() { shrink as usize } else { 1 };
        let band = if small.is_some() { n } else { f.height };
        let w4 = f.width.checked_mul(4)?;
        // Every RGB row is written before it is read (`crate::buffers`).
        let rgba = match f.bpp {
            4 => Vec::new(),
            _ => crate::buffers::take(w4.checked_mul(band)?),
        };
        Some(Rows {
            done: Some(0),
            small,
            rgba,
            n,
        })
    }

    /// Rows done so far (`None` after an invalid filter type).
    pub fn done(&self) -> Option<usize> {
        self.done
    }

    /// Takes the whole rows of `raw` (the inflated bytes from the start) past those done.
    pub fn take(&mut self, raw: &mut [u8], f: &Frame) {
        let Some(from) = self.done else { return };
        self.done = match (f.bpp, &mut self.small) {
            (4, None) => unfilter_rgba(raw, f, from),
            (4, Some(s)) => {
                // Shrinking: the rows stay where they are, the shrinker reads them there.
                let ready = unfilter_in_place::<4>(raw, f, from, |_, _| {});
                let stride = f.width * 4 + 1;
                if let Some(ready) = ready {
                    s.feed_rows(|y| &raw[y * stride + 1..][..stride - 1], ready);
                }
                ready
            }
            _ => {
                let (small, rgba, n, w4) = (&mut self.small, &mut self.rgba, self.n, f.width * 4);
                unfilter_in_place::<3>(raw, f, from, |y, px| {
                    // Row y's place in the band (shrinking) or the image.
                    let k = if small.is_some() { y % n } else { y };
                    expand(px, &mut rgba[k * w4..][..w4]);
                    if let Some(s) = small.as_mut().filter(|_| k + 1 == n || y + 1 == f.height) {
                        s.feed_band(rgba, y - k, y + 1);
                    }
                })
            }
        };
    }

    /// The image, once every row is done; `raw` is the whole inflated output.
    pub fn finish(self, mut raw: Vec<u8>, f: &Frame) -> Option<Image> {
        (self.done? == f.height).then_some(())?;
        let (width, height) = (f.width as u32, f.height as u32);
        let data = if f.bpp == 4 {
            raw.truncate(f.width * 4 * f.height);
            raw
        } else {
            crate::buffers::give(raw);
            self.rgba
        };
        Some(match self.small {
            // Every row was fed as it was unfiltered (`take`).
            Some(s) => {
                crate::buffers::give(data);
                s.finish(&[])
            }
            None => Image {
                width,
                height,
                data,
            },
        })
    }
}

/// An RGB row as RGBA (opaque): four pixels at a time from one 8- and one 4-byte load.
fn expand(rgb: &[u8], rgba: &mut [u8]) {
    const OPAQUE: u64 = 0xFF00_0000_FF00_0000;
    let mut out = rgba.chunks_exact_mut(16);
    let mut px = rgb.chunks_exact(12);
    for (o, p) in (&mut out).zip(&mut px) {
        let lo = u64::from_le_bytes(p[..8].try_into().unwrap());
        let hi = u32::from_le_bytes(p[8..].try_into().unwrap()) as u64;
        let a = (lo & 0xFF_FFFF) | (lo & 0xFFFF_FF00_0000) << 8;
        let b = (lo >> 48) | (hi & 0xFF) << 16 | (hi >> 8) << 32;
        o[..8].copy_from_slice(&(a | OPAQUE).to_le_bytes());
        o[8..].copy_from_slice(&(b | OPAQUE).to_le_bytes());
    }
    let rest = out.into_remainder().chunks_exact_mut(4);
    for (o, p) in rest.zip(px.remainder().chunks_exact(3)) {
        o.copy_from_slice(&[p[0], p[1], p[2], 255]);
    }
}

/// Unfilters the RGBA rows from `from` on that `raw` holds whole, in place: each row moves
/// down over the filter bytes before it (row y to `y * width * 4`). Returns the rows done,
/// `None` at an invalid filter type.
fn unfilter_rgba(raw: &mut [u8], f: &Frame, from: usize) -> Option<usize> {
    let (stride, w4) = (f.width * 4, f.width * 4);
    let mut y = from;
    while y < f.height && (y + 1) * (stride + 1) <= raw.len() {
        let at = y * (stride + 1);
        let filter = raw[at];
        // The next row too when it is here and of the same type: the two are worked in step.
        let next = at + stride + 1;
        let n = if y + 1 < f.height && next + stride < raw.len() && raw[next] == filter {
            2
        } else {
            1
        };
        // Row y moves over the filter bytes before it, then row y + 1 over row y's tail.
        for k in 0..n {
            let at = at + k * (stride + 1);
            raw.copy_within(at + 1..at + 1 + stride, (y + k) * w4);
        }
        let (done, rest) = raw.split_at_mut(y * w4);
        let above = done.get(done.len().wrapping_sub(w4)..);
        let (top, rest) = rest.split_at_mut(w4);
        match n {
            2 => two_rows::<4>(filter, above, top, &mut rest[..w4])?,
            _ => row::<4>(filter, above, top)?,
        }
        y += n;
    }
    Some(y)
}

/// Unfilters the rows (`B` bytes per pixel) from `from` on that `raw` holds whole, in place
/// (they stay where they are, after their filter bytes), two at a time where they share a
/// filter type, and hands each to `put` (row, pixels). Returns the rows done, `None` at an
/// invalid filter type.
fn unfilter_in_place<const B: usize>(
    raw: &mut [u8],
    f: &Frame,
    from: usize,
    mut put: impl FnMut(usize, &[u8]),
) -> Option<usize> {
    let stride = f.width * B;
    let mut y = from;
    while y < f.height && (y + 1) * (stride + 1) <= raw.len() {
        let at = y * (stride + 1);
        let filter = raw[at];
        let next = at + stride + 1;
        let pair = y + 1 < f.height && next + stride < raw.len() && raw[next] == filter;
        let (before, rest) = raw.split_at_mut(at + 1);
        // Row y - 1's pixels end right before row y's filter byte.
        let above = (y > 0).then(|| &before[at - stride..at]);
        let (top, rest) = rest.split_at_mut(stride);
        if pair {
            two_rows::<B>(filter, above, top, &mut rest[1..=stride])?;
        } else {
            row::<B>(filter, above, top)?;
        }
        let n = 1 + usize::from(pair);
        for k in 0..n {
            put(y + k, &raw[at + k * (stride + 1) + 1..][..stride]);
        }
        y += n;
    }
    Some(y)
}

#[cfg(test)]
mod tests {
    /// Every width up to 40 pixels: the same as one pixel at a time.
    #[test]
    fn expand_equals_the_plain_loop() {
        for w in 0..=40usize {
            let rgb: Vec<u8> = (0..w * 3).map(|i| (i * 37 + 11) as u8).collect();
            let want: Vec<u8> = rgb
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect();
            let mut got = vec![0; w * 4];
            super::expand(&rgb, &mut got);
            assert_eq!(got, want, "{w} pixels");
        }
    }
}
