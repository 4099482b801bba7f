//! Shrink-on-load for progressive JPEGs, before `decode_jpeg` hands the bytes to
//! `jpeg-decoder`: a scaled decode's reduced IDCT reads only the low-frequency corner of each
//! 8x8 block (1x1: the DC coefficient; 2x2: zig-zag positions 0 to 4; 4x4: 0 to 24), so a
//! progressive scan that carries only higher coefficients changes nothing in the output. Such
//! scans are cut from the byte stream, and their entropy-coded data is never Huffman-decoded.
//!
//! A scan is cut when its spectral band starts after the last needed coefficient (`Ss > kmax`;
//! such a scan is an AC scan, which has one component), unless its component also has a
//! successive-approximation refinement scan (`Ah > 0`) whose band straddles `kmax`: decoding that
//! scan needs to know which of the unneeded coefficients are already non-zero, so every scan of
//! that component is kept. libjpeg's default script refines bands 1-63, so its files keep their
//! AC scans except at 1/8; spectral-selection-only scripts (jpeg-encoder, mozjpeg's default)
//! lose most of their AC data at 1/4 and 1/8. The output is the same, byte for byte.
//!
//! Anything that does not parse as expected (a truncated segment, no frame header, a baseline
//! frame) leaves the bytes untouched: the decoder then reports the problem as before.

use std::borrow::Cow;
use std::ops::Range;

/// One start-of-scan segment with its entropy-coded data: where it lies in the file and what it
/// codes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Scan {
    pub bytes: Range<usize>,
    pub components: Vec<u8>,
    pub ss: u8,
    pub se: u8,
    pub ah: u8,
}

/// The last zig-zag index a reduced IDCT of `idct` x `idct` outputs per block reads (8: all).
pub(super) fn last_needed(idct: usize) -> u8 {
    match idct {
        1 => 0,
        2 => 4,
        4 => 24,
        _ => 63,
    }
}

/// `bytes` without the progressive scans a decode at `idct` x `idct` pixels per block does not
/// read; borrowed when nothing can be cut.
pub(super) fn needed_scans(bytes: &[u8], idct: usize) -> Cow<'_, [u8]> {
    let kmax = last_needed(idct);
    if kmax == 63 {
        return Cow::Borrowed(bytes);
    }
    let Some(scans) = progressive_scans(bytes) else {
        return Cow::Borrowed(bytes);
    };
    let cut: Vec<&Scan> = scans
        .iter()
        .filter(|s| is_unneeded(s, &scans, kmax))
        .collect();
    if cut.is_empty() {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for s in cut {
        out.extend_from_slice(&bytes[at..s.bytes.start]);
        at = s.bytes.end;
    }
    out.extend_from_slice(&bytes[at..]);
    Cow::Owned(out)
}

/// True when `scan` codes only coefficients after `kmax` of a component whose kept scans never
/// need them (see the module comment).
pub(super) fn is_unneeded(scan: &Scan, all: &[Scan], kmax: u8) -> bool {
    if scan.ss <= kmax || scan.components.len() != 1 {
        return false;
    }
    let c = scan.components[0];
    !all.iter()
        .any(|r| r.ah > 0 && r.ss <= kmax && r.se > kmax && r.components.contains(&c))
}

/// The scans of a progressive (SOF2) JPEG up to its end-of-image marker; `None` for any other
/// frame type or anything malformed.
pub(super) fn progressive_scans(b: &[u8]) -> Option<Vec<Scan>> {
    if b.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let (mut i, mut progressive, mut scans) = (2, false, Vec::new());
    loop {
        let (start, marker) = next_marker(b, i)?;
        match marker {
            0xD9 => break,
            0xD0..=0xD7 | 0x01 => i = start + 2,
            _ => {
                let len = u16::from_be_bytes([*b.get(start + 2)?, *b.get(start + 3)?]) as usize;
                let body = b.get(start + 4..start + 2 + len)?;
                i = start + 2 + len;
                progressive |= marker == 0xC2;
                if marker == 0xDA {
                    let mut s = parse_sos(body)?;
                    i = entropy_end(b, i);
                    s.bytes = start..i;
                    scans.push(s);
                }
            }
        }
    }
    progressive.then_some(scans)
}

/// The marker at `i` (after any fill bytes): its position and code.
fn next_marker(b: &[u8], mut i: usize) -> Option<(usize, u8)> {
    if *b.get(i)? != 0xFF {
        return None;
    }
    while *b.get(i + 1)? == 0xFF {
        i += 1;
    }
    Some((i, b[i + 1]))
}

/// Where the entropy-coded data that starts at `i` ends: the first marker other than a stuffed
/// zero or a restart marker (or the end of the file).
pub(super) fn entropy_end(b: &[u8], i: usize) -> usize {
    let mut at = i;
    while let Some(p) = memchr::memchr(0xFF, &b[at..]) {
        let ff = at + p;
        match b.get(ff + 1) {
            Some(0x00) | Some(0xD0..=0xD7) | Some(0xFF) => at = ff + 1,
            Some(_) => return ff,
            None => return b.len(),
        }
    }
    b.len()
}

/// A start-of-scan header (after its length): component selectors, spectral band and the high
/// bit of the successive approximation.
fn parse_sos(body: &[u8]) -> Option<Scan> {
    let n = *body.first()? as usize;
    let comps = body.get(1..1 + 2 * n)?;
    let tail = body.get(1 + 2 * n..1 + 2 * n + 3)?;
    Some(Scan {
        bytes: 0..0,
        components: comps.iter().step_by(2).copied().collect(),
        ss: tail[0],
        se: tail[1],
        ah: tail[2] >> 4,
    })
}

#[cfg(test)]
#[path = "jpeg_scans_tests.rs"]
mod tests;
