//! Shrink-on-load for baseline JPEGs, the common case of `decode_jpeg`: one interleaved
//! Huffman scan of 8-bit YCbCr (4:4:4, 4:2:2, 4:2:0, 4:4:0) or grayscale, decoded straight to
//! RGBA at 1/2, 1/4 or 1/8 size. Each block's entropy-coded data is parsed in full (`jpeg_huff`)
//! but only the n x n low-frequency corner its reduced IDCT reads is kept; chroma is upsampled
//! with libjpeg's "fancy" triangle filter and converted with the JFIF equations.
//!
//! `decode` answers `None` for anything else (progressive, arithmetic, 12-bit, CMYK, Adobe or
//! RGB-tagged colour, several scans, more than one frame) and for anything it finds invalid
//! (bad tables, a code that is not in its table, a scan longer than its data, a wrong restart
//! marker): `decode_jpeg` then runs `jpeg-decoder`, the reference this module is tested
//! against, which decodes or reports the problem as before.

use super::jpeg_huff::{AcTable, Table};
use super::jpeg_mcu::{self, Layout};
use crate::engine::Image;

/// One component of the frame: sampling factors and table selectors.
#[derive(Clone, Copy, Debug)]
pub(super) struct Comp {
    pub id: u8,
    pub h: usize,
    pub v: usize,
    pub tq: usize,
    pub td: usize,
    pub ta: usize,
}

/// What the markers before the scan say.
#[derive(Default)]
pub(super) struct Frame {
    pub width: usize,
    pub height: usize,
    pub comps: Vec<Comp>,
    pub restart: usize,
    pub dc: [Option<Table>; 4],
    pub ac: [Option<AcTable>; 4],
    /// Quantizers in zig-zag order.
    pub q: [Option<[u16; 64]>; 4],
    /// Where the entropy-coded data starts.
    pub data: usize,
}

/// Decodes `bytes` at `n`/8 of its size (`n` = 1, 2 or 4), or `None` (see the module comment).
pub(super) fn decode(bytes: &[u8], n: usize) -> Option<Image> {
    if !matches!(n, 1 | 2 | 4) {
        return None;
    }
    let f = parse(bytes)?;
    let lay = Layout::new(&f, n)?;
    let split = jpeg_mcu::worth_splitting(&f, &lay);
    let planes = jpeg_mcu::scan(bytes, &f, &lay, split)?;
    Some(to_rgba(&f, &planes, n))
}

/// A component's samples at the reduced size, padded to whole blocks.
pub(super) struct Plane {
    pub w: usize,
    pub h: usize,
    pub data: Vec<u8>,
}

fn parse(b: &[u8]) -> Option<Frame> {
    if b.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut f = Frame::default();
    let mut i = 2;
    loop {
        let (marker, body, next) = segment(b, i)?;
        match marker {
            0xC0 | 0xC1 => frame(&mut f, body)?,
            0xC2..=0xCF if marker != 0xC4 && marker != 0xC8 && marker != 0xCC => return None,
            0xC4 => tables(&mut f, body)?,
            0xDB => quant(&mut f, body)?,
            0xDD => f.restart = u16::from_be_bytes([*body.first()?, *body.get(1)?]) as usize,
            0xEE if body.starts_with(b"Adobe") => return None,
            // A profile after the frame header is one `decode_jpeg` would not have read.
            0xE2 if body.starts_with(b"ICC_PROFILE") && !f.comps.is_empty() => return None,
            0xDA => {
                sos(&mut f, body)?;
                f.data = next;
                return Some(f);
            }
            0xD8..=0xD9 | 0xD0..=0xD7 | 0x01 => return None,
            _ => {}
        }
        i = next;
    }
}

/// The marker at byte `i` (after any fill bytes): its code, its segment's body (empty for the
/// markers without one) and where the next marker is expected; `None` where there is none.
pub(super) fn segment(b: &[u8], mut i: usize) -> Option<(u8, &[u8], usize)> {
    while *b.get(i)? == 0xFF && *b.get(i + 1)? == 0xFF {
        i += 1;
    }
    if b[i] != 0xFF {
        return None;
    }
    let marker = *b.get(i + 1)?;
    if matches!(marker, 0xD0..=0xD9 | 0x01) {
        return Some((marker, &[], i + 2));
    }
    let len = u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]) as usize;
    let body = b.get(i + 4..(i + 2 + len).max(i + 4))?;
    Some((marker, body, i + 2 + len))
}

pub(super) fn frame(f: &mut Frame, body: &[u8]) -> Option<()> {
    if !f.comps.is_empty() || *body.first()? != 8 {
        return None;
    }
    f.height = u16::from_be_bytes([*body.get(1)?, *body.get(2)?]) as usize;
    f.width = u16::from_be_bytes([*body.get(3)?, *body.get(4)?]) as usize;
    let count = *body.get(5)? as usize;
    for c in body.get(6..6 + 3 * count)?.chunks_exact(3) {
        let (h, v, tq) = ((c[1] >> 4) as usize, (c[1] & 15) as usize, c[2] as usize);
        f.comps.push(Comp {
            id: c[0],
            h,
            v,
            tq,
            td: 0,
            ta: 0,
        });
    }
    let ok = match f.comps.as_slice() {
        [_] => true,
        [y, cb, cr] => {
            let rgb = [y.id, cb.id, cr.id] == *b"RGB";
            let chroma_1x1 = [cb, cr].iter().all(|c| (c.h, c.v) == (1, 1));
            !rgb && chroma_1x1 && (1..=2).contains(&y.h) && (1..=2).contains(&y.v)
        }
        _ => false,
    };
    let sane = f.width > 0 && f.height > 0 && f.comps.iter().all(|c| c.tq < 4);
    (ok && sane).then_some(())
}

pub(super) fn tables(f: &mut Frame, mut body: &[u8]) -> Option<()> {
    while let Some(&tc_th) = body.first() {
        let counts: [u8; 16] = body.get(1..17)?.try_into().ok()?;
        let total: usize = counts.iter().map(|c| *c as usize).sum();
        let values = body.get(17..17 + total)?;
        let (class, id) = ((tc_th >> 4) as usize, (tc_th & 15) as usize);
        let table = Table::new(&counts, values)?;
        match (class, id) {
            (0, 0..=3) => f.dc[id] = Some(table),
            (1, 0..=3) => f.ac[id] = Some(AcTable::new(table)),
            _ => return None,
        }
        body = &body[17 + total..];
    }
    Some(())
}

pub(super) fn quant(f: &mut Frame, mut body: &[u8]) -> Option<()> {
    while let Some(&pq_tq) = body.first() {
        let id = (pq_tq & 15) as usize;
        let wide = match pq_tq >> 4 {
            0 => false,
            1 => true,
            _ => return None,
        };
        let size = if wide { 128 } else { 64 };
        let raw = body.get(1..1 + size)?;
        let mut q = [0u16; 64];
        for (k, v) in q.iter_mut().enumerate() {
            *v = if wide {
                u16::from_be_bytes([raw[2 * k], raw[2 * k + 1]])
            } else {
                raw[k] as u16
            };
        }
        *f.q.get_mut(id)? = Some(q);
        body = &body[1 + size..];
    }
    Some(())
}

/// The start-of-scan: every frame component, in frame order, with the full spectrum.
fn sos(f: &mut Frame, body: &[u8]) -> Option<()> {
    let count = *body.first()? as usize;
    if count != f.comps.len() {
        return None;
    }
    for (c, sel) in f
        .comps
        .iter_mut()
        .zip(body.get(1..1 + 2 * count)?.chunks_exact(2))
    {
        if sel[0] != c.id {
            return None;
        }
        (c.td, c.ta) = ((sel[1] >> 4) as usize, (sel[1] & 15) as usize);
    }
    (body.get(1 + 2 * count..4 + 2 * count)? == [0, 63, 0]).then_some(())
}

/// Upsamples chroma to the luma grid and converts to RGBA at the output size.
pub(super) fn to_rgba(f: &Frame, planes: &[Plane], n: usize) -> Image {
    let (w, h) = ((f.width * n).div_ceil(8), (f.height * n).div_ceil(8));
    // Every pixel is written below (`crate::buffers`).
    let mut data = crate::buffers::take(w * h * 4);
    let y = &planes[0];
    if planes.len() == 1 {
        for (row, out) in data.chunks_exact_mut(w * 4).enumerate() {
            for (o, &l) in out.chunks_exact_mut(4).zip(&y.data[row * y.w..]) {
                o.copy_from_slice(&[l, l, l, 255]);
            }
        }
    } else {
        let factors = (f.comps[0].h, f.comps[0].v);
        let mut up = Upsampler::new(w, h, factors);
        for (row, out) in data.chunks_exact_mut(w * 4).enumerate() {
            up.fill(&planes[1], row, 0);
            up.fill(&planes[2], row, 1);
            let [cb, cr] = &up.out;
            ycc_row(&y.data[row * y.w..row * y.w + w], &cb[..w], &cr[..w], out);
        }
    }
    Image {
        width: w as u32,
        height: h as u32,
        data,
    }
}

/// Chroma upsampled by (`fx`, `fy`) (1 or 2) with the triangle filter: each output sample
/// weighs its nearest chroma sample 3/4 and the next one 1/4 along each doubled axis
/// (libjpeg's h2v1/h2v2 "fancy" upsampling). The edges of the image (`w` x `h` output), not of
/// the padded plane, are replicated.
struct Upsampler {
    w: usize,
    h: usize,
    fx: usize,
    fy: usize,
    /// The vertical blend (x4) of the current chroma row.
    blend: Vec<u16>,
    out: [Vec<u8>; 2],
}

impl Upsampler {
    fn new(w: usize, h: usize, (fx, fy): (usize, usize)) -> Upsampler {
        let cols = w.div_ceil(fx);
        Upsampler {
            w,
            h,
            fx,
            fy,
            blend: vec![0; cols + 2],
            out: [vec![0; w + 1], vec![0; w + 1]],
        }
    }

    /// Output row `row` of plane `p` into `out[slot]`.
    fn fill(&mut self, p: &Plane, row: usize, slot: usize) {
        let cols = self.w.div_ceil(self.fx).min(p.w);
        let (r0, r1) = neighbour(row, self.fy, self.h.div_ceil(self.fy).min(p.h));
        let (a, b) = (&p.data[r0 * p.w..][..cols], &p.data[r1 * p.w..][..cols]);
        // blend[1..=cols] holds the columns, with the edge columns replicated around them.
        for (d, (&x, &y)) in self.blend[1..=cols].iter_mut().zip(a.iter().zip(b)) {
            *d = 3 * x as u16 + y as u16;
        }
        (self.blend[0], self.blend[cols + 1]) = (self.blend[1], self.blend[cols]);
        let out = &mut self.out[slot];
        if self.fx == 1 {
            for (o, &v) in out.iter_mut().zip(&self.blend[1..=cols]) {
                *o = ((v + 2) >> 2) as u8;
            }
        } else {
            for (pair, win) in out.chunks_exact_mut(2).zip(self.blend.windows(3)) {
                let (l, c, r) = (win[0], 3 * win[1], win[2]);
                pair[0] = ((c + l + 8) >> 4) as u8;
                pair[1] = ((c + r + 8) >> 4) as u8;
            }
        }
    }
}

/// The nearest sample of output index `i` upsampled by `f` (1 or 2) and the next nearest, in
/// a dimension of `len` samples.
fn neighbour(i: usize, f: usize, len: usize) -> (usize, usize) {
    let c = (i / f).min(len - 1);
    let other = match (f, i % 2) {
        (1, _) => c,
        (_, 0) => c.saturating_sub(1),
        _ => (c + 1).min(len - 1),
    };
    (c, other)
}

/// JFIF YCbCr to RGBA (16-bit fixed point).
fn ycc_row(y: &[u8], cb: &[u8], cr: &[u8], out: &mut [u8]) {
    let clamp = |v: i32| v.clamp(0, 255) as u8;
    for (((o, &l), &b), &r) in out.chunks_exact_mut(4).zip(y).zip(cb).zip(cr) {
        let (l, b, r) = ((l as i32) << 16, b as i32 - 128, r as i32 - 128);
        let red = (l + 91_881 * r + 32_768) >> 16;
        let green = (l - 22_554 * b - 46_802 * r + 32_768) >> 16;
        let blue = (l + 116_130 * b + 32_768) >> 16;
        o.copy_from_slice(&[clamp(red), clamp(green), clamp(blue), 255]);
    }
}

#[cfg(test)]
#[path = "jpeg_fast_tests.rs"]
pub(super) mod tests;
