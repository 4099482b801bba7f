//! The scans of `jpeg_prog` (progressive shrink-on-load): each job decodes one scan's
//! entropy-coded data into the quantized coefficients of its components, with the four block
//! procedures of ITU T.81 Annex G: DC first and refinement (G.1.2.1), AC first with end-of-band
//! runs (G.1.2.2) and AC refinement (G.1.2.3, in libjpeg's form).
//!
//! The scans run one after the other. Decoding the luma's AC scans on a second core while this
//! one took the DC and chroma scans was measured (4000x3000 4:2:0, 1/2 size): 2-4 ms less wall
//! time out of 36-40 ms of scans, for more CPU time; the luma holds most of the data.

use super::jpeg_fast::Frame;
use super::jpeg_huff::{AcTable, Bits, Table};
use super::jpeg_mcu::Layout;
use std::ops::Range;

/// One scan: its components (frame indices, in frame order), spectral band `ss..=se`,
/// successive approximation (`ah`, `al`), tables, where its entropy-coded data lies (restart
/// markers included) and the restart interval in force.
pub(super) struct Job {
    pub comps: Vec<usize>,
    pub ss: usize,
    pub se: usize,
    pub ah: u8,
    pub al: u8,
    /// The DC tables of a DC first scan, one per component.
    pub dc: Vec<Table>,
    /// The AC table of an AC scan.
    pub ac: Option<AcTable>,
    pub data: Range<usize>,
    pub restart: usize,
}

/// Where a component's blocks lie.
#[derive(Clone, Copy)]
pub(super) struct Geom {
    /// AC positions kept per block: zig-zag 1 to `stride`.
    pub stride: usize,
    /// Blocks per row of the MCU grid (with the padding blocks of the last MCU column).
    pub gw: usize,
    /// Blocks per row and column with image data (what a single-component scan codes).
    bw: usize,
    bh: usize,
    /// Blocks per MCU (horizontal, vertical) in an interleaved scan.
    h: usize,
    v: usize,
}

/// One component's quantized coefficients, block by block over the whole MCU grid.
pub(super) struct Comp {
    pub g: Geom,
    /// The DC coefficient of every block.
    pub dc: Vec<i16>,
    /// The kept AC positions of every block (`g.stride` values each).
    pub ac: Vec<i16>,
}

/// Every component's coefficients.
pub(super) struct Coefficients {
    pub comps: Vec<Comp>,
    mcux: usize,
    mcuy: usize,
}

impl Coefficients {
    /// Zeroed arrays for the frame: AC positions up to `kmax`, or all 63 for a component with an
    /// AC refinement scan whose band straddles `kmax` (it must know which coefficients past the
    /// corner are non-zero).
    pub fn new(f: &Frame, lay: &Layout, jobs: &[Job], kmax: usize) -> Option<Coefficients> {
        let hmax = f.comps.iter().map(|c| c.h).max()?;
        let vmax = f.comps.iter().map(|c| c.v).max()?;
        let single = f.comps.len() == 1;
        let comps = f.comps.iter().enumerate().map(|(ci, c)| {
            let full = jobs
                .iter()
                .any(|j| j.ah > 0 && j.ss <= kmax && j.se > kmax && j.comps.contains(&ci));
            let (h, v) = lay.blocks[ci];
            let (gw, gh) = (lay.mcux * h, lay.mcuy * v);
            let (cw, ch) = if single {
                (f.width, f.height)
            } else {
                (
                    (f.width * c.h).div_ceil(hmax),
                    (f.height * c.v).div_ceil(vmax),
                )
            };
            let stride = if full { 63 } else { kmax };
            Comp {
                g: Geom {
                    stride,
                    gw,
                    bw: cw.div_ceil(8),
                    bh: ch.div_ceil(8),
                    h,
                    v,
                },
                dc: vec![0; gw * gh],
                ac: vec![0; gw * gh * stride],
            }
        });
        Some(Coefficients {
            comps: comps.collect(),
            mcux: lay.mcux,
            mcuy: lay.mcuy,
        })
    }

    /// False for an AC scan that codes only positions past what its component keeps.
    pub fn needs(&self, j: &Job) -> bool {
        j.ss == 0 || j.ss <= self.comps[j.comps[0]].g.stride
    }
}

/// Decodes the jobs of `b` into `c`, in file order.
pub(super) fn run(b: &[u8], jobs: &[Job], c: &mut Coefficients) -> Option<()> {
    let grid = (c.mcux, c.mcuy);
    jobs.iter().try_for_each(|j| scan(b, j, &mut c.comps, grid))
}

/// The running state of a scan, reset at each restart marker.
#[derive(Default)]
struct State {
    pred: [i32; 4],
    eobrun: u32,
}

/// Decodes one scan; it must use exactly its data.
fn scan(b: &[u8], j: &Job, comps: &mut [Comp], (mcux, mcuy): (usize, usize)) -> Option<()> {
    let mut bits = Bits::new(b.get(..j.data.end)?, j.data.start);
    let mut st = State::default();
    let units = match j.comps.as_slice() {
        [ci] => comps.get(*ci)?.g.bw * comps[*ci].g.bh,
        _ => mcux * mcuy,
    };
    for u in 0..units {
        // Data that ran out long ago: stop now rather than decode zero bits to the end.
        if u % 1024 == 0 && bits.overran() {
            return None;
        }
        if j.restart > 0 && u > 0 && u % j.restart == 0 {
            bits.restart(((u / j.restart - 1) % 8) as u8)?;
            st = State::default();
        }
        unit(&mut bits, j, comps, u, mcux, &mut st)?;
    }
    bits.used_all().then_some(())
}

/// Decodes unit `u` of a scan: one block of a single-component scan, or one MCU.
fn unit(
    bits: &mut Bits,
    j: &Job,
    v: &mut [Comp],
    u: usize,
    mcux: usize,
    st: &mut State,
) -> Option<()> {
    if let [ci] = j.comps[..] {
        let g = v[ci].g;
        let i = (u / g.bw) * g.gw + u % g.bw;
        return block(bits, j, &mut v[ci], i, 0, st);
    }
    let (mx, my) = (u % mcux, u / mcux);
    for (slot, &ci) in j.comps.iter().enumerate() {
        let g = v.get(ci)?.g;
        for by in 0..g.v {
            for bx in 0..g.h {
                let i = (my * g.v + by) * g.gw + mx * g.h + bx;
                block(bits, j, &mut v[ci], i, slot, st)?;
            }
        }
    }
    Some(())
}

/// Decodes block `i` of a component (`slot`: its place in the scan).
fn block(
    bits: &mut Bits,
    j: &Job,
    v: &mut Comp,
    i: usize,
    slot: usize,
    st: &mut State,
) -> Option<()> {
    if j.ss == 0 {
        let dc = v.dc.get_mut(i)?;
        bits.refill();
        if j.ah > 0 {
            if bits.take(1) == 1 {
                *dc |= 1 << j.al;
            }
            return Some(());
        }
        let s = bits.symbol(j.dc.get(slot)?)? as u32;
        if s > 11 {
            return None;
        }
        st.pred[slot] = st.pred[slot].wrapping_add(bits.signed(s));
        *dc = st.pred[slot].wrapping_shl(j.al as u32) as i16;
        return Some(());
    }
    let stride = v.g.stride;
    let blk = v.ac.get_mut(i * stride..(i + 1) * stride)?;
    if j.ah == 0 {
        ac_first(bits, blk, j, &mut st.eobrun)
    } else if j.se <= stride {
        ac_refine(bits, blk, j, &mut st.eobrun)
    } else {
        None
    }
}

/// An AC first scan's block: values shifted left by `al`; positions past `blk` parsed only.
#[inline]
fn ac_first(bits: &mut Bits, blk: &mut [i16], j: &Job, eobrun: &mut u32) -> Option<()> {
    if *eobrun > 0 {
        *eobrun -= 1;
        return Some(());
    }
    let (t, mut k) = (j.ac.as_ref()?, j.ss);
    while k <= j.se {
        bits.refill();
        let (run, v) = match bits.fast_ac(t) {
            Some((v, run)) => (run, v),
            None => {
                let rs = bits.symbol(&t.table)?;
                let (r, s) = ((rs >> 4) as usize, (rs & 15) as u32);
                if s == 0 {
                    if r < 15 {
                        *eobrun = (1 << r) - 1 + if r > 0 { bits.take(r as u32) as u32 } else { 0 };
                        return Some(());
                    }
                    k += 16;
                    continue;
                }
                (r, bits.signed(s))
            }
        };
        k += run;
        if k > j.se {
            return None;
        }
        if let Some(x) = blk.get_mut(k - 1) {
            *x = v.wrapping_shl(j.al as u32) as i16;
        }
        k += 1;
    }
    Some(())
}

/// An AC refinement scan's block (`se <= blk.len()`): one more bit of every coefficient already
/// non-zero, and newly non-zero coefficients of magnitude 1 << `al`.
fn ac_refine(bits: &mut Bits, blk: &mut [i16], j: &Job, eobrun: &mut u32) -> Option<()> {
    let (t, p1) = (j.ac.as_ref()?, 1i16 << j.al);
    let mut k = j.ss;
    if *eobrun == 0 {
        while k <= j.se {
            bits.refill();
            let rs = bits.symbol(&t.table)?;
            let (mut r, s) = ((rs >> 4) as usize, rs & 15);
            let mut val = 0;
            if s != 0 {
                if s != 1 {
                    return None;
                }
                val = if bits.take(1) == 1 { p1 } else { -p1 };
            } else if r != 15 {
                *eobrun = (1 << r) + if r > 0 { bits.take(r as u32) as u32 } else { 0 };
                break;
            }
            // Walk to the r-th coefficient still zero, refining the non-zero ones passed.
            loop {
                let Some(x) = blk.get_mut(k.wrapping_sub(1)).filter(|_| k <= j.se) else {
                    return (val == 0).then_some(());
                };
                if *x != 0 {
                    refine(bits, x, p1);
                } else if r == 0 {
                    *x = val;
                    break;
                } else {
                    r -= 1;
                }
                k += 1;
            }
            k += 1;
        }
    }
    if *eobrun > 0 {
        for x in blk[k - 1..j.se].iter_mut().filter(|x| **x != 0) {
            refine(bits, x, p1);
        }
        *eobrun -= 1;
    }
    Some(())
}

/// A correction bit of a coefficient already non-zero: adds `p1` to its magnitude when set.
#[inline]
fn refine(bits: &mut Bits, x: &mut i16, p1: i16) {
    bits.refill();
    if bits.take(1) == 1 && *x & p1 == 0 {
        *x = if *x >= 0 {
            x.wrapping_add(p1)
        } else {
            x.wrapping_sub(p1)
        };
    }
}
