//! 8-bit RGB and RGBA PNGs for `decode_other`, through ipsd's own inflate (`inflate`, a little
//! faster than fdeflate) with the rows unfiltered in place while they are still in cache. A big
//! zlib stream is inflated in two halves (`inflate_split`): on two cores when no other render
//! work runs (at one client a thumbnail of a 12 MP PNG is otherwise one core inflating for most
//! of its time), else in one loop on this core, whose two independent chains of table lookups
//! make the most of it (the 12 MP PNG on one core: 84.7 -> 65.5 ms, BENCHMARKS.md).
//! Everything else — other depths and colour types, interlacing, transparency keys, anything
//! invalid — answers `None` and stays with the `image` crate, which also reports the errors.

use super::box_shrink::Shrinker;
use super::inflate::zlib_body;
use super::inflate_split;
use super::unfilter::{row, two_rows};
use crate::engine::Image;
use std::borrow::Cow;

const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
/// Smallest zlib stream worth two cores (bytes).
const SPLIT_MIN: usize = 1 << 20;
/// Rows unfiltered and shrunk at a time after inflating (`decode`).
const BATCH: usize = 16;

/// The IHDR fields this decoder takes.
struct Frame {
    width: usize,
    height: usize,
    /// Bytes per pixel: 3 (RGB) or 4 (RGBA).
    bpp: usize,
}

/// The image as RGBA8, block-averaged by `shrink` (1, 2, 4 or 8: `box_shrink`, fed each batch
/// of rows as soon as they are unfiltered), or `None` to leave it to the `image` crate; on two
/// cores when `split` and the stream is big enough.
pub(super) fn decode(bytes: &[u8], split: bool, shrink: u32) -> Option<Image> {
    let (f, idat) = parse(bytes)?;
    let z: Cow<[u8]> = match &idat[..] {
        [(one, _)] => Cow::Borrowed(&one[4..]),
        many => Cow::Owned(many.iter().flat_map(|(d, _)| &d[4..]).copied().collect()),
    };
    let size = f
        .width
        .checked_mul(f.bpp)?
        .checked_add(1)?
        .checked_mul(f.height)?;
    let mut rows = Some(0);
    let mut small = Shrinker::new(f.width as u32, f.height as u32, shrink);
    let early = |top: &mut [u8]| {
        rows = rows.and_then(|from| unfilter_rgba(top, &f, from));
        if let (Some(s), Some(ready)) = (&mut small, rows) {
            s.feed(top, ready);
        }
    };
    let crcs = || idat.iter().all(|(body, crc)| crc32fast::hash(body) == *crc);
    let body = zlib_body(&z)?;
    let raw = if split && z.len() >= SPLIT_MIN {
        // The IDAT CRCs are checked on the second half's core once it is done.
        inflate_split::inflate(body, size, early, crcs)
    } else {
        crcs().then_some(())?;
        if z.len() >= SPLIT_MIN {
            inflate_split::interleaved(body, size, early)
        } else {
            inflate_split::serial(body, size, early)
        }
    };
    drop(z);
    let mut raw = raw.ok()?;
    let mut done = rows?;
    // The RGBA rows the early unfiltering did not reach (the second half's, after a split), in
    // batches, each shrunk while it is still in cache, and each filled in from the second
    // half's buffer just before (`Inflated::fill_to`).
    while f.bpp == 4 && done < f.height {
        let part = raw.fill_to((done + BATCH) * (f.width * 4 + 1));
        let next = unfilter_rgba(part, &f, done)?;
        (next > done).then_some(())?;
        if let Some(s) = &mut small {
            s.feed(part, next);
        }
        done = next;
    }
    let data = unfilter(raw.into_vec(), &f, done)?;
    #[cfg(test)]
    DECODED.with(|d| d.set(d.get() + 1));
    Some(match small {
        Some(s) => {
            let shrunk = s.finish(&data);
            crate::buffers::give(data);
            shrunk
        }
        None => Image {
            width: f.width as u32,
            height: f.height as u32,
            data,
        },
    })
}

#[cfg(test)]
thread_local! {
    /// PNGs this thread decoded here rather than through the `image` crate (tests).
    pub(super) static DECODED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The chunks after the signature as (type, type and data, CRC).
fn chunks(bytes: &[u8]) -> Option<impl Iterator<Item = ([u8; 4], &[u8], u32)>> {
    let mut rest = bytes.strip_prefix(SIGNATURE)?;
    Some(std::iter::from_fn(move || {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let body = rest.get(4..8 + len)?;
        let crc = u32::from_be_bytes(rest.get(8 + len..12 + len)?.try_into().ok()?);
        rest = &rest[12 + len..];
        Some((body[..4].try_into().ok()?, body, crc))
    }))
}

/// An IDAT chunk: its type and data (what its CRC covers), and the CRC.
type Idat<'a> = (&'a [u8], u32);

/// The frame and the IDAT chunks; `None` unless 8-bit RGB(A), not interlaced, no `tRNS`, the
/// IDAT chunks consecutive, and the CRCs right of every chunk before them.
fn parse(bytes: &[u8]) -> Option<(Frame, Vec<Idat<'_>>)> {
    let (mut frame, mut idat) = (None, Vec::new());
    for (ty, body, crc) in chunks(bytes)? {
        match &ty {
            b"IDAT" => idat.push((body, crc)),
            _ if !idat.is_empty() => break,
            _ if crc32fast::hash(body) != crc => return None,
            b"IHDR" => frame = Some(ihdr(&body[4..])?),
            b"tRNS" | b"IEND" => return None,
            _ => {}
        }
    }
    (!idat.is_empty()).then_some(())?;
    Some((frame?, idat))
}

fn ihdr(d: &[u8]) -> Option<Frame> {
    let be = |i: usize| u32::from_be_bytes(d[i..i + 4].try_into().unwrap()) as usize;
    if d.len() != 13 || d[8] != 8 || d[10] != 0 || d[11] != 0 || d[12] != 0 {
        return None;
    }
    let bpp = match d[9] {
        2 => 3,
        6 => 4,
        _ => return None,
    };
    let (width, height) = (be(0), be(4));
    (width > 0 && height > 0).then_some(Frame { width, height, bpp })
}

/// The filtered rows (`raw`: a filter type byte, then the row) as RGBA8; RGBA rows before
/// `from` are already unfiltered (`unfilter_rgba`).
fn unfilter(mut raw: Vec<u8>, f: &Frame, from: usize) -> Option<Vec<u8>> {
    let w4 = f.width * 4;
    if f.bpp == 4 {
        if unfilter_rgba(&mut raw, f, from)? < f.height {
            return None;
        }
        raw.truncate(w4 * f.height);
        return Some(raw);
    }
    // Every row is written below (`crate::buffers`).
    let mut out = crate::buffers::take(w4 * f.height);
    let done = unfilter_rgb(&mut raw, f, &mut out);
    crate::buffers::give(raw);
    done.map(|()| out)
}

/// Unfilters the RGB rows of `raw` in place, two rows at a time where they share a filter
/// type, and writes them to `out` as RGBA. `None` at an invalid filter type or a short `raw`.
fn unfilter_rgb(raw: &mut [u8], f: &Frame, out: &mut [u8]) -> Option<()> {
    let (stride, w4) = (f.width * 3, f.width * 4);
    (raw.len() >= (stride + 1) * f.height).then_some(())?;
    let mut y = 0;
    while y < f.height {
        let at = y * (stride + 1);
        let filter = raw[at];
        let pair = y + 1 < f.height && raw[at + stride + 1] == filter;
        let (before, rest) = raw.split_at_mut(at + 1);
        // Row y - 1's pixels end right before row y's filter byte.
        let above = (y > 0).then(|| &before[at - stride..at]);
        let (top, rest) = rest.split_at_mut(stride);
        if pair {
            two_rows::<3>(filter, above, top, &mut rest[1..=stride])?;
        } else {
            row::<3>(filter, above, top)?;
        }
        let n = 1 + usize::from(pair);
        for k in 0..n {
            let src = &raw[(y + k) * (stride + 1) + 1..][..stride];
            let dst = &mut out[(y + k) * w4..][..w4];
            for (o, p) in dst.chunks_exact_mut(4).zip(src.chunks_exact(3)) {
                o.copy_from_slice(&[p[0], p[1], p[2], 255]);
            }
        }
        y += n;
    }
    Some(())
}

/// Unfilters the RGBA rows from `from` on that `raw` holds whole, in place: each row moves
/// down over the filter bytes before it (row y to `y * width * 4`). Returns the rows done (0
/// for RGB, which `unfilter` does), `None` at an invalid filter type.
fn unfilter_rgba(raw: &mut [u8], f: &Frame, from: usize) -> Option<usize> {
    let (stride, w4) = (f.width * f.bpp, f.width * 4);
    if f.bpp != 4 {
        return Some(0);
    }
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

#[cfg(test)]
#[path = "decode_png_tests.rs"]
mod tests;
