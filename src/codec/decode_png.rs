//! 8-bit RGB and RGBA PNGs for `decode_other`, through ipsd's own inflate (`inflate`, a little
//! faster than fdeflate) with the rows unfiltered in place while they are still in cache
//! (`png_rows`; an RGB thumbnail goes through a band of rows, never a full-size image). A big
//! zlib stream is inflated in two halves (`inflate_split`): on two cores when no other render
//! work runs (at one client a thumbnail of a 12 MP PNG is otherwise one core inflating for most
//! of its time), else in one loop on this core, whose two independent chains of table lookups
//! make the most of it (the 12 MP PNG on one core: 84.7 -> 65.5 ms, BENCHMARKS.md).
//! Everything else — other depths and colour types, interlacing, transparency keys, anything
//! invalid — answers `None` and stays with the `image` crate, which also reports the errors.

use super::inflate::zlib_body;
use super::inflate_split;
use super::png_rows::Rows;
use crate::engine::Image;
use std::borrow::Cow;

const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
/// Smallest zlib stream worth two cores (bytes).
const SPLIT_MIN: usize = 1 << 20;
/// Rows unfiltered and shrunk at a time after inflating (`decode`).
const BATCH: usize = 16;

/// The IHDR fields this decoder takes.
pub(super) struct Frame {
    pub width: usize,
    pub height: usize,
    /// Bytes per pixel: 3 (RGB) or 4 (RGBA).
    pub bpp: usize,
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
    let mut rows = Rows::new(&f, shrink)?;
    let early = |top: &mut [u8]| rows.take(top, &f);
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
    // The rows the early unfiltering did not reach (the second half's, after a split), in
    // batches, each handed on while it is still in cache, and each filled in from the second
    // half's buffer just before (`Inflated::fill_to`).
    while let Some(done) = rows.done().filter(|&d| d < f.height) {
        rows.take(raw.fill_to((done + BATCH) * (f.width * f.bpp + 1)), &f);
        (rows.done()? > done).then_some(())?;
    }
    #[cfg(test)]
    DECODED.with(|d| d.set(d.get() + 1));
    rows.finish(raw.into_vec(), &f)
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

#[cfg(test)]
#[path = "decode_png_tests.rs"]
mod tests;
