//! Shrink-on-load for progressive JPEGs, the progressive twin of `jpeg_fast` in `decode_jpeg`:
//! 8-bit Huffman-coded YCbCr (4:4:4, 4:2:2, 4:2:0, 4:4:0) or grayscale, decoded straight to
//! RGBA at 1/2, 1/4 or 1/8 size.
//!
//! Every scan is parsed in order (tables may change between scans) into a job; the jobs then
//! fill one array of quantized coefficients per component (`jpeg_prog_scan`), holding per block
//! only the zig-zag positions the reduced IDCT reads (up to `jpeg_scans::last_needed`), or all
//! 64 for a component whose successive-approximation refinement needs to know the others. Scans
//! that carry only coefficients past the kept corner are never decoded (the rule of
//! `jpeg_scans::is_unneeded`). Then each block's corner goes through `jpeg_mcu`'s reduced IDCT
//! (block rows on two cores when a second core is free) and the planes through `jpeg_fast`'s
//! upsampling and colour conversion, so a progressive file decodes to exactly the pixels of the
//! baseline file with the same coefficients (tested).
//!
//! `decode` answers `None` for anything else (arithmetic coding, 12-bit, CMYK, Adobe or
//! RGB-tagged colour, quantization tables redefined after the first scan, scans that break the
//! progressive rules) and for anything it finds invalid (bad tables, a code that is not in its
//! table, a scan that does not use exactly its data, a wrong restart marker): `decode_jpeg` then
//! runs `jpeg-decoder`, which decodes or reports the problem as before.

use super::decode::spare_core;
use super::jpeg_fast::{self, Frame, Plane};
use super::jpeg_huff::{corner_of, Coefs, DUMP};
use super::jpeg_mcu::{self, Layout};
use super::jpeg_prog_scan::{self, Coefficients, Job};
use super::jpeg_scans::{entropy_end, last_needed};
use crate::engine::Image;
use rayon::prelude::*;
use std::ops::Range;

/// Decodes `bytes` (a progressive JPEG) at `n`/8 of its size (`n` = 1, 2 or 4), or `None` (see
/// the module comment).
pub(super) fn decode(bytes: &[u8], n: usize) -> Option<Image> {
    decode_on(bytes, n, spare_core())
}

/// `decode`, on two cores when `parallel`.
fn decode_on(bytes: &[u8], n: usize, parallel: bool) -> Option<Image> {
    if !matches!(n, 1 | 2 | 4) {
        return None;
    }
    let (f, jobs) = parse(bytes)?;
    let lay = Layout::new(&f, n)?;
    let kmax = last_needed(n) as usize;
    let mut coefs = Coefficients::new(&f, &lay, &jobs, kmax)?;
    let jobs: Vec<Job> = jobs.into_iter().filter(|j| coefs.needs(j)).collect();
    jpeg_prog_scan::run(bytes, &jobs, &mut coefs)?;
    let planes = planes(&coefs, &f, &lay, parallel)?;
    Some(jpeg_fast::to_rgba(&f, &planes, n))
}

/// The frame and every scan of a progressive file, with the tables each scan uses.
fn parse(b: &[u8]) -> Option<(Frame, Vec<Job>)> {
    if b.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let (mut f, mut jobs, mut i) = (Frame::default(), Vec::new(), 2);
    loop {
        let (marker, body, next) = jpeg_fast::segment(b, i)?;
        i = next;
        match marker {
            0xD9 => return (!jobs.is_empty()).then_some((f, jobs)),
            0xC2 => jpeg_fast::frame(&mut f, body)?,
            0xC0..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => return None,
            0xC4 => jpeg_fast::tables(&mut f, body)?,
            // libjpeg takes a component's quantizer at its first scan; one that changes after a
            // scan is rare enough to leave to `jpeg-decoder`.
            0xDB if jobs.is_empty() => jpeg_fast::quant(&mut f, body)?,
            0xDD => f.restart = u16::from_be_bytes([*body.first()?, *body.get(1)?]) as usize,
            0xEE if body.starts_with(b"Adobe") => return None,
            0xE2 if body.starts_with(b"ICC_PROFILE") && !f.comps.is_empty() => return None,
            0xDA => {
                let end = entropy_end(b, i);
                jobs.push(job(&f, body, i..end)?);
                i = end;
            }
            0xDB | 0xD8 | 0xD0..=0xD7 | 0x01 => return None,
            _ => {}
        }
    }
}

/// A start-of-scan segment (`body`; its entropy-coded data at `data`) as a job with its tables.
fn job(f: &Frame, body: &[u8], data: Range<usize>) -> Option<Job> {
    let count = *body.first()? as usize;
    let sel = body.get(1..1 + 2 * count)?;
    let &[ss, se, a] = body.get(1 + 2 * count..4 + 2 * count)? else {
        return None;
    };
    let (ss, se, ah, al) = (ss as usize, se as usize, a >> 4, a & 15);
    // The progressive rules (G.1.1.1.1): DC alone, or one component's AC band; a refinement
    // takes one bit after the scan before it.
    let band_ok = if ss == 0 {
        se == 0
    } else {
        se < 64 && ss <= se && count == 1
    };
    if !band_ok || count == 0 || al > 13 || (ah > 0 && ah != al + 1) || f.comps.is_empty() {
        return None;
    }
    let mut comps = Vec::with_capacity(count);
    let (mut dc, mut ac) = (Vec::new(), Vec::new());
    for s in sel.chunks_exact(2) {
        let ci = f.comps.iter().position(|c| c.id == s[0])?;
        if comps.last().is_some_and(|&last| ci <= last) {
            return None;
        }
        comps.push(ci);
        let (td, ta) = ((s[1] >> 4) as usize, (s[1] & 15) as usize);
        if ss == 0 && ah == 0 {
            dc.push(f.dc.get(td)?.clone()?);
        }
        if ss > 0 {
            ac.push(f.ac.get(ta)?.clone()?);
        }
    }
    Some(Job {
        comps,
        ss,
        se,
        ah,
        al,
        dc,
        ac: ac.pop(),
        data,
        restart: f.restart,
    })
}

/// The planes at the reduced size: each block's kept corner dequantized and through the reduced
/// IDCT, block rows on two cores with `parallel` (on the decode threads, `decode::install`).
fn planes(c: &Coefficients, f: &Frame, lay: &Layout, parallel: bool) -> Option<Vec<Plane>> {
    let (n, corner) = (lay.n, corner_of(lay.n));
    let keep = last_needed(n) as usize;
    let mut planes = lay.planes();
    for ((p, comp), cc) in planes.iter_mut().zip(&f.comps).zip(&c.comps) {
        let q = f.q.get(comp.tq)?.as_ref()?;
        let (g, w) = (cc.g, p.w);
        let row = |(by, out): (usize, &mut [u8])| {
            for bx in 0..g.gw {
                let i = by * g.gw + bx;
                let mut k: Coefs = [0; DUMP + 1];
                k[corner[0] as usize] = (cc.dc[i] as i32).wrapping_mul(q[0] as i32);
                let ac = &cc.ac[i * g.stride..][..g.stride.min(keep)];
                for (z, &v) in ac.iter().enumerate() {
                    let at = corner[z + 1] as usize;
                    k[at] = (v as i32).wrapping_mul(q[z + 1] as i32);
                }
                jpeg_mcu::idct(&k, n, &mut out[bx * n..], w);
            }
        };
        if parallel {
            let rows = p.data.par_chunks_exact_mut(w * n);
            super::decode::install(|| rows.enumerate().for_each(row));
        } else {
            p.data.chunks_exact_mut(w * n).enumerate().for_each(row);
        }
    }
    Some(planes)
}

#[cfg(test)]
#[path = "jpeg_prog_tests.rs"]
mod tests;
