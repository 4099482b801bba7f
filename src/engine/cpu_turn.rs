//! CPU fast path of `Step::Affine` (the executor's `reading_step` takes it in place of
//! `cpu::affine`, which evaluates every pixel and stays the reference) for the matrices the
//! planner emits for quarter turns, flips and placements: nearest sampling with every
//! coefficient -1, 0 or 1 and translations in halves of a pixel. Then every output pixel maps
//! to one whole input pixel (or the fill), exactly as the per-pixel evaluation floors it, so
//! the result is the same bytes (the GPU twin, `shaders/affine.wgsl`, is unchanged). The copy
//! runs in 64×64 tiles, so a quarter turn reads its source columns a cache line at a time
//! instead of one pixel per row: about half the per-pixel path's time on a 1200×1600 turn.

use super::{Image, Rgba};
use rayon::prelude::*;

/// Tile side, in pixels.
const TILE: usize = 64;

/// `sx = ax·x + bx·y + cx`, `sy = ay·x + by·y + cy` over output pixel indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexMap {
    ax: i64,
    bx: i64,
    cx: i64,
    ay: i64,
    by: i64,
    cy: i64,
}

impl IndexMap {
    /// The index map of nearest sampling through `m` (output pixel centre p ↦ input point m·p,
    /// floored), when every coefficient is -1, 0 or 1 and both translations are multiples of
    /// ½; `None` otherwise.
    pub fn of(m: &[f64; 6]) -> Option<Self> {
        let unit = |v: f64| [-1.0, 0.0, 1.0].contains(&v);
        let half = |v: f64| (v * 2.0).fract() == 0.0 && v.abs() < 1e15;
        let ok = [m[0], m[1], m[3], m[4]].into_iter().all(unit) && half(m[2]) && half(m[5]);
        // The pixel centre's ½ and the translation are exact in f64, so floor(m·p) splits
        // into the integer part and the floor of the constant.
        let c = |a: f64, b: f64, t: f64| (0.5 * a + 0.5 * b + t).floor() as i64;
        ok.then(|| IndexMap {
            ax: m[0] as i64,
            bx: m[1] as i64,
            cx: c(m[0], m[1], m[2]),
            ay: m[3] as i64,
            by: m[4] as i64,
            cy: c(m[3], m[4], m[5]),
        })
    }

    fn source(&self, x: usize, y: usize) -> (i64, i64) {
        let (x, y) = (x as i64, y as i64);
        (
            self.ax * x + self.bx * y + self.cx,
            self.ay * x + self.by * y + self.cy,
        )
    }
}

/// `width`×`height` output of `img` through `map`, `fill` where the map leaves the input.
pub fn remap(img: &Image, map: IndexMap, width: u32, height: u32, fill: Rgba) -> Image {
    let (w, h) = (width as usize, height as usize);
    let (iw, ih) = (i64::from(img.width), i64::from(img.height));
    let fill = [fill.r, fill.g, fill.b, fill.a];
    let mut data = crate::buffers::take(w * h * 4);
    let band = (w * 4 * TILE).max(1);
    data.par_chunks_mut(band).enumerate().for_each(|(b, rows)| {
        let y0 = b * TILE;
        for x0 in (0..w).step_by(TILE) {
            for (dy, row) in rows.chunks_exact_mut(w * 4).enumerate() {
                for x in x0..(x0 + TILE).min(w) {
                    let (sx, sy) = map.source(x, y0 + dy);
                    let px = if sx < 0 || sy < 0 || sx >= iw || sy >= ih {
                        fill
                    } else {
                        let i = (sy as usize * img.width as usize + sx as usize) * 4;
                        [
                            img.data[i],
                            img.data[i + 1],
                            img.data[i + 2],
                            img.data[i + 3],
                        ]
                    };
                    row[x * 4..x * 4 + 4].copy_from_slice(&px);
                }
            }
        }
    });
    Image {
        width,
        height,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cpu::affine;
    use crate::engine::Sampling;

    /// Distinct pixels, so any misplaced read shows.
    fn numbered(w: u32, h: u32) -> Image {
        let data = (0..w * h)
            .flat_map(|i| [i as u8, (i >> 8) as u8, (i >> 16) as u8, 200])
            .collect();
        Image {
            width: w,
            height: h,
            data,
        }
    }

    /// Every axis-aligned orientation (quarter turns and flips), with translations that place
    /// the source inside, across the tile borders and partly or wholly outside the output.
    #[test]
    fn remap_matches_the_per_pixel_evaluation() {
        let img = numbered(67, 131);
        let fill = Rgba::rgb(9, 8, 7);
        let turns: [[f64; 4]; 8] = [
            [1.0, 0.0, 0.0, 1.0],
            [-1.0, 0.0, 0.0, 1.0],
            [1.0, 0.0, 0.0, -1.0],
            [-1.0, 0.0, 0.0, -1.0],
            [0.0, 1.0, 1.0, 0.0],
            [0.0, -1.0, 1.0, 0.0],
            [0.0, 1.0, -1.0, 0.0],
            [0.0, -1.0, -1.0, 0.0],
        ];
        for [a, b, c, d] in turns {
            for (tx, ty) in [
                (0.0, 0.0),
                (67.0, 131.0),
                (131.0, 67.0),
                (-5.5, 20.0),
                (30.0, -200.0),
            ] {
                let m = [a, b, tx, c, d, ty];
                for (w, h) in [(131, 67), (67, 131), (150, 140)] {
                    let fast = remap(&img, IndexMap::of(&m).unwrap(), w, h, fill);
                    let slow = affine(&img, &m, w, h, fill, Sampling::Nearest);
                    assert_eq!(fast, slow, "{m:?} to {w}x{h}");
                }
            }
        }
    }

    #[test]
    fn only_unit_coefficients_and_half_pixel_translations_take_the_fast_path() {
        assert!(IndexMap::of(&[0.0, 1.0, 0.5, -1.0, 0.0, 1200.0]).is_some());
        assert!(IndexMap::of(&[0.5, 0.0, 0.0, 0.0, 1.0, 0.0]).is_none());
        assert!(IndexMap::of(&[1.0, 0.0, 0.25, 0.0, 1.0, 0.0]).is_none());
        assert!(IndexMap::of(&[1.0, 0.0, f64::NAN, 0.0, 1.0, 0.0]).is_none());
        assert!(IndexMap::of(&[0.8, 0.6, 0.0, -0.6, 0.8, 0.0]).is_none());
    }
}
