//! The scan of `jpeg_fast` (baseline shrink-on-load): MCU by MCU, each block's kept corner
//! through the reduced IDCT into its component's plane.
//!
//! A scan without restart markers is decoded in two halves at once (`decode::join`): the
//! second half starts at the middle byte without knowing where an MCU starts there, and
//! records the bit position of every MCU start it believes in. Huffman codes resynchronise
//! within a few codes, so after a few MCUs its guesses coincide with the true MCU starts. The
//! first half decodes from the beginning and, past the middle, compares each of its MCU
//! starts with those guesses; at the first match the rest of the image is the second half's
//! blocks, their DC values shifted by the difference of the two halves' DC predictions at that
//! MCU (a baseline block's DC is coded as a difference, so that is the only state the guess
//! could not know). No match: the first half decodes on to the end. Either way every block
//! goes through the same IDCT from the same coefficients, so the output is the serial
//! decode's, byte for byte (tested).

use super::decode;
use super::jpeg_fast::{Frame, Plane};
use super::jpeg_huff::{corner_of, Bits, BlockCtx, Coefs, DUMP};
use super::jpeg_scans::entropy_end;

/// Scans with fewer MCUs are decoded serially (a 4:2:0 MCU is 16x16 pixels: about 0.26 MP).
const SPLIT_MIN: usize = 1024;

/// The MCU grid of a scan at the reduced size `n`.
pub(super) struct Layout {
    pub mcux: usize,
    pub mcuy: usize,
    pub n: usize,
    /// (horizontal, vertical) blocks per MCU of each component.
    pub blocks: Vec<(usize, usize)>,
}

impl Layout {
    pub fn new(f: &Frame, n: usize) -> Option<Layout> {
        // A single component is coded block by block (non-interleaved), whatever its factors.
        let single = f.comps.len() == 1;
        let hmax = f.comps.iter().map(|c| c.h).max()?;
        let vmax = f.comps.iter().map(|c| c.v).max()?;
        let (mh, mv) = if single { (1, 1) } else { (hmax, vmax) };
        let blocks = f
            .comps
            .iter()
            .map(|c| if single { (1, 1) } else { (c.h, c.v) })
            .collect();
        Some(Layout {
            mcux: f.width.div_ceil(8 * mh),
            mcuy: f.height.div_ceil(8 * mv),
            n,
            blocks,
        })
    }

    fn total(&self) -> usize {
        self.mcux * self.mcuy
    }

    fn per_mcu(&self) -> usize {
        self.blocks.iter().map(|(h, v)| h * v).sum()
    }

    pub fn planes(&self) -> Vec<Plane> {
        let n = self.n;
        self.blocks
            .iter()
            .map(|&(h, v)| {
                let (w, ht) = (self.mcux * h * n, self.mcuy * v * n);
                Plane {
                    w,
                    h: ht,
                    data: vec![0; w * ht],
                }
            })
            .collect()
    }

    /// Calls `each(component, block x, block y)` for the blocks of MCU `m` in coding order.
    fn each_block(
        &self,
        m: usize,
        mut each: impl FnMut(usize, usize, usize) -> Option<()>,
    ) -> Option<()> {
        let (mx, my) = (m % self.mcux, m / self.mcux);
        for (ci, &(h, v)) in self.blocks.iter().enumerate() {
            for by in 0..v {
                for bx in 0..h {
                    each(ci, mx * h + bx, my * v + by)?;
                }
            }
        }
        Some(())
    }
}

/// Decodes the scan into one plane per component; `split` allows the two-halves decode.
pub(super) fn scan(b: &[u8], f: &Frame, lay: &Layout, split: bool) -> Option<Vec<Plane>> {
    let corner = corner_of(lay.n);
    let ctx: Vec<BlockCtx> = f
        .comps
        .iter()
        .map(|c| {
            Some(BlockCtx {
                dc: f.dc.get(c.td)?.as_ref()?,
                ac: f.ac.get(c.ta)?.as_ref()?,
                corner: &corner,
                q: f.q.get(c.tq)?.as_ref()?,
            })
        })
        .collect::<Option<_>>()?;
    let mut planes = lay.planes();
    let mut d = Serial {
        bits: Bits::new(b, f.data),
        pred: [0; 4],
        ctx: &ctx,
        lay,
    };
    if f.restart == 0 && split {
        halves(b, f.data, &mut d, &mut planes)?;
    } else {
        for m in 0..lay.total() {
            if f.restart > 0 && m > 0 && m % f.restart == 0 {
                d.bits.restart(((m / f.restart - 1) % 8) as u8)?;
                d.pred = [0; 4];
            }
            d.mcu(m, &mut planes)?;
        }
        if !d.bits.at_end() {
            return None;
        }
    }
    Some(planes)
}

/// True when the scan is worth decoding in two halves here: no restart markers, enough MCUs,
/// more than one core, and no other decode running (the halves cost about 5 % more CPU than
/// one pass, so they pay only where a core would otherwise idle).
pub(super) fn worth_splitting(f: &Frame, lay: &Layout) -> bool {
    splittable(f, lay) && decode::spare_core()
}

/// The scan's own conditions for the two-halves decode.
pub(super) fn splittable(f: &Frame, lay: &Layout) -> bool {
    f.restart == 0 && lay.total() >= SPLIT_MIN
}

/// The in-order decoder: its bit reader, DC predictions and tables.
struct Serial<'a, 'b> {
    bits: Bits<'b>,
    pred: [i32; 4],
    ctx: &'a [BlockCtx<'a>],
    lay: &'a Layout,
}

impl Serial<'_, '_> {
    /// Decodes MCU `m` into the planes.
    fn mcu(&mut self, m: usize, planes: &mut [Plane]) -> Option<()> {
        let mut c: Coefs = [0; DUMP + 1];
        let (bits, pred, ctx, n) = (&mut self.bits, &mut self.pred, self.ctx, self.lay.n);
        self.lay.each_block(m, |ci, bx, by| {
            bits.block(&ctx[ci], &mut pred[ci], &mut c)?;
            place(&mut planes[ci], bx, by, n, &c);
            Some(())
        })
    }
}

/// The reduced IDCT of block (`bx`, `by`) into its plane.
fn place(p: &mut Plane, bx: usize, by: usize, n: usize, c: &Coefs) {
    let (x, y) = (bx * n, by * n);
    idct(c, n, &mut p.data[y * p.w + x..], p.w);
}

/// What the second half found: where each MCU it decoded starts (in data bits from the start
/// of the scan; one more entry: where its last complete MCU ends), the DC predictions there,
/// and every block's kept coefficients (the n x n corner) in coding order.
#[derive(Default)]
struct Guess {
    starts: Vec<u64>,
    preds: Vec<[i32; 4]>,
    coefs: Vec<i32>,
}

/// Decodes from byte `at` (`origin` data bits into the scan) as if an MCU started there, until
/// `limit` MCUs or the end of the data. A code that does not decode means the guess is not in
/// step yet (or the data is damaged there, which the first half will find too): it drops what
/// it has and starts again one bit later. At most `limit + RETRIES` MCUs are tried in all, so
/// damaged or crafted data cannot make the guess cost more than about one more decode.
fn guess(b: &[u8], at: usize, origin: u64, ctx: &[BlockCtx], lay: &Layout, limit: usize) -> Guess {
    const RETRIES: usize = 4096;
    let mut bits = Bits::at(b, at, origin);
    let (mut g, mut pred, mut c) = (Guess::default(), [0i32; 4], [0; DUMP + 1]);
    let nn = lay.n * lay.n;
    // About half of the scan (the second half, plus the MCUs before it is in step).
    g.coefs.reserve(limit * lay.per_mcu() * nn * 9 / 16);
    let mut budget = limit + RETRIES;
    while g.preds.len() < limit && !bits.overran() && budget > 0 {
        budget -= 1;
        let (start, before) = (bits.consumed(), pred);
        let whole = lay.each_block(0, |ci, _, _| {
            bits.block(&ctx[ci], &mut pred[ci], &mut c)?;
            g.coefs.extend_from_slice(&c[..nn]);
            Some(())
        });
        if whole.is_none() {
            g.coefs.clear();
            g.starts.clear();
            g.preds.clear();
            pred = [0; 4];
            bits.skip_bit();
            continue;
        }
        g.starts.push(start);
        g.preds.push(before);
    }
    g.starts.push(bits.consumed());
    g
}

/// The two-halves decode (see the module comment).
fn halves(b: &[u8], data: usize, d: &mut Serial, planes: &mut [Plane]) -> Option<()> {
    let end = entropy_end(b, data);
    let stuffed = |to: usize| {
        memchr::memchr_iter(0xFF, &b[data..to])
            .filter(|i| b.get(data + i + 1) == Some(&0))
            .count()
    };
    let mut mid = data + (end - data) / 2;
    if b[mid - 1] == 0xFF {
        mid += 1;
    }
    let origin = ((mid - data - stuffed(mid)) * 8) as u64;
    let total_bits = ((end - data - stuffed(end)) * 8) as u64;
    let (lay, total) = (d.lay, d.lay.total());
    let ctx = d.ctx;
    let (g, first) = decode::join(
        || guess(b, mid, origin, ctx, lay, total),
        || {
            let mut m = 0;
            while m < total && d.bits.consumed() < origin {
                d.mcu(m, planes)?;
                m += 1;
            }
            Some(m)
        },
    );
    let mut m = first?;
    let mut k = 0;
    while m < total {
        let at = d.bits.consumed();
        while k < g.preds.len() && g.starts[k] < at {
            k += 1;
        }
        if k < g.preds.len() && g.starts[k] == at {
            return adopt(&g, k, m, d, planes, (total_bits, b.get(end..end + 2)));
        }
        d.mcu(m, planes)?;
        m += 1;
    }
    d.bits.at_end().then_some(())
}

/// MCUs `m..` are the guess's MCUs `k..`: checks that the guess reaches the end of the data
/// exactly (at most 7 padding bits left, then the end-of-image marker), shifts its DC values
/// and places its blocks.
fn adopt(
    g: &Guess,
    k: usize,
    m: usize,
    d: &Serial,
    planes: &mut [Plane],
    (total_bits, next): (u64, Option<&[u8]>),
) -> Option<()> {
    let (lay, total) = (d.lay, d.lay.total());
    let last = k + (total - m);
    let end_bits = *g.starts.get(last)?;
    if last > g.preds.len() || end_bits > total_bits || total_bits - end_bits >= 8 {
        return None;
    }
    if next != Some(&[0xFF, 0xD9]) {
        return None;
    }
    #[cfg(test)]
    ADOPTED.with(|a| a.set(a.get() + 1));
    let shift: Vec<i32> = (0..lay.blocks.len())
        .map(|ci| {
            let delta = d.pred[ci].wrapping_sub(g.preds[k][ci]);
            delta.wrapping_mul(d.ctx[ci].q[0] as i32)
        })
        .collect();
    let (per, nn) = (lay.per_mcu(), lay.n * lay.n);
    let mut c: Coefs = [0; DUMP + 1];
    for i in 0..total - m {
        let mut blocks = g.coefs[(k + i) * per * nn..(k + i + 1) * per * nn].chunks_exact(nn);
        lay.each_block(m + i, |ci, bx, by| {
            c[..nn].copy_from_slice(blocks.next()?);
            c[0] = c[0].wrapping_add(shift[ci]);
            place(&mut planes[ci], bx, by, lay.n, &c);
            Some(())
        })?;
    }
    Some(())
}

#[cfg(test)]
thread_local! {
    /// Two-halves decodes on this thread that used the second half (tests).
    pub(super) static ADOPTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// 1 / (2 sqrt 2): the weight of the DC term and of cos(pi/4) / 2.
const S: f32 = std::f32::consts::FRAC_1_SQRT_2 / 2.0;

/// The n x n inverse DCT of the kept corner (dequantized, row-major), level-shifted and
/// clamped, into `out` (row stride `stride`). Uses the 8-point normalisation, so each output
/// pixel is the block's average over the area it covers, as libjpeg's reduced IDCTs do.
pub(super) fn idct(c: &Coefs, n: usize, out: &mut [u8], stride: usize) {
    let px = |v: f32| (v + 128.5).clamp(0.0, 255.0) as u8;
    match n {
        1 => out[0] = px(c[0] as f32 / 8.0),
        2 => {
            let [a, b, cc, d] = [c[0], c[1], c[2], c[3]].map(|v| v as f32 / 8.0);
            out[0] = px(a + b + cc + d);
            out[1] = px(a - b + cc - d);
            out[stride] = px(a + b - cc - d);
            out[stride + 1] = px(a - b - cc + d);
        }
        _ => idct4x4(c, out, stride),
    }
}

/// The 4-point inverse DCT as a matrix, `M[x][u]` (the weights of `idct4`).
const M4: [[f32; 4]; 4] = {
    const C1: f32 = 0.461_939_75; // cos(pi/8) / 2
    const C3: f32 = 0.191_341_72; // cos(3 pi/8) / 2
    [
        [S, C1, S, C3],
        [S, C3, -S, -C1],
        [S, -C3, -S, C1],
        [S, -C1, S, -C3],
    ]
};

/// The 4 x 4 inverse DCT, columns then rows, each pass four 4-lane multiply-adds per row (the
/// loops are written so that the compiler keeps a row in one vector register).
#[inline]
fn idct4x4(c: &Coefs, out: &mut [u8], stride: usize) {
    let (quad, _) = c.as_chunks::<4>();
    let rows: [[f32; 4]; 4] = std::array::from_fn(|r| quad[r].map(|v| v as f32));
    let mut t = [[0f32; 4]; 4];
    for (ty, m) in t.iter_mut().zip(&M4) {
        for (row, &w) in rows.iter().zip(m) {
            for (a, &v) in ty.iter_mut().zip(row) {
                *a += w * v;
            }
        }
    }
    for (y, ty) in t.iter().enumerate() {
        let mut o = [128f32; 4];
        for (u, &v) in ty.iter().enumerate() {
            for (a, m) in o.iter_mut().zip(&M4) {
                *a += m[u] * v;
            }
        }
        out[y * stride..y * stride + 4].copy_from_slice(&o.map(to_u8));
    }
}

/// `v` (already level-shifted by 128) clamped to 0..=255 and rounded to the nearest integer
/// (halves to even), in steps that vectorise: 2^23 + v holds round(v) in its low mantissa bits.
#[inline]
fn to_u8(v: f32) -> u8 {
    ((v.clamp(0.0, 255.0) + 8_388_608.0).to_bits() & 0xFF) as u8
}
