//! Palette output of `encode` for GIF and PNG8 (spec/is-protocol.md §4.35 `quantize=`): picks the
//! palette (exact, adaptive NeuQuant with forced colours, or the fixed web and Mac palettes) and
//! maps every pixel to an index, Floyd–Steinberg dithered (`diffuse`) or nearest (`off`). With
//! a transparent key (`gif-alpha`, `png8-alpha`) pixels with alpha below 128 get the key index,
//! the entry after the colours.
//!
//! Choices where the spec is silent: an adaptive palette is exact (no dithering) when the
//! image and the forced colours fit in `numColors`; `web` and `mac` ignore `numColors` and
//! the colour list; the NeuQuant palette learns from at most 64K pixels (a strided sample).

use crate::engine::Image;
use color_quant::NeuQuant;
use std::collections::HashMap;

/// How the palette is made (`quantize=type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaletteKind {
    /// Computed from the image (NeuQuant), after the forced colours.
    #[default]
    Adaptive,
    /// The 216-colour web-safe cube.
    Web,
    /// The classic Mac OS 8-bit system palette (not with a transparent key).
    Mac,
}

/// `quantize=type[,dither[,numColors[,colorList]]]`; default `adaptive,diffuse,256`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantize {
    pub kind: PaletteKind,
    /// `diffuse` (Floyd–Steinberg) or `off`.
    pub dither: bool,
    /// 2..=256 colours; at most 255 when a transparent key entry is added after them.
    pub colors: u16,
    /// Colours forced into an adaptive palette, at most `colors`.
    pub forced: Vec<[u8; 3]>,
}

impl Default for Quantize {
    fn default() -> Self {
        Quantize {
            kind: PaletteKind::Adaptive,
            dither: true,
            colors: 256,
            forced: Vec::new(),
        }
    }
}

/// An indexed image: RGB palette entries, one index per pixel, and the key index if any.
pub(super) struct Indexed {
    pub palette: Vec<[u8; 3]>,
    pub indices: Vec<u8>,
    pub key: Option<u8>,
}

/// Indexes `img`; `keyed`: pixels with alpha below 128 become a transparent key entry (only
/// added when some pixel needs it).
pub(super) fn index(img: &Image, keyed: bool, q: &Quantize) -> Indexed {
    let keyed = keyed && img.data.chunks_exact(4).any(|p| p[3] < 128);
    // numColors counts colours; the key comes on top (`gif-alpha`: 2–255 colours plus the key).
    let max = (q.colors as usize).clamp(2, if keyed { 255 } else { 256 });
    let exact = match q.kind {
        PaletteKind::Adaptive => exact(img, keyed, max, &q.forced),
        _ => None,
    };
    let (mut palette, indices) = exact.unwrap_or_else(|| {
        let palette = match q.kind {
            PaletteKind::Adaptive => adaptive(img, keyed, max, &q.forced),
            PaletteKind::Web => web(),
            PaletteKind::Mac => mac(),
        };
        let indices = map(img, keyed, &palette, q.dither);
        (palette, indices)
    });
    if palette.is_empty() {
        palette.push([0, 0, 0]);
    }
    let key = keyed.then(|| {
        palette.push([0, 0, 0]);
        (palette.len() - 1) as u8
    });
    let indices = match key {
        Some(k) => indices
            .into_iter()
            .map(|i| if i == KEY_MARK { k } else { i })
            .collect(),
        None => indices,
    };
    Indexed {
        palette,
        indices,
        key,
    }
}

/// Placeholder index of transparent pixels until the key's index is known (≥ every colour
/// index, since a keyed palette has at most 255 colours).
const KEY_MARK: u8 = 255;

fn is_clear(p: &[u8], keyed: bool) -> bool {
    keyed && p[3] < 128
}

/// Palette (forced colours first) and indices when the image's distinct opaque colours and the
/// forced ones fit in `max`.
fn exact(
    img: &Image,
    keyed: bool,
    max: usize,
    forced: &[[u8; 3]],
) -> Option<(Vec<[u8; 3]>, Vec<u8>)> {
    let mut map: HashMap<[u8; 3], u8> = HashMap::new();
    let mut palette = Vec::new();
    for c in forced.iter().take(max) {
        if !map.contains_key(c) {
            map.insert(*c, palette.len() as u8);
            palette.push(*c);
        }
    }
    let mut indices = Vec::with_capacity(img.data.len() / 4);
    for p in img.data.chunks_exact(4) {
        if is_clear(p, keyed) {
            indices.push(KEY_MARK);
            continue;
        }
        let c = [p[0], p[1], p[2]];
        let i = match map.get(&c) {
            Some(&i) => i,
            None if palette.len() < max => {
                let i = palette.len() as u8;
                map.insert(c, i);
                palette.push(c);
                i
            }
            None => return None,
        };
        indices.push(i);
    }
    Some((palette, indices))
}

/// Pixels NeuQuant learns from at most (a strided subsample of larger images).
const TRAIN_PIXELS: usize = 1 << 16;

/// The forced colours, then NeuQuant colours up to `max`.
fn adaptive(img: &Image, keyed: bool, max: usize, forced: &[[u8; 3]]) -> Vec<[u8; 3]> {
    let mut palette: Vec<[u8; 3]> = forced.iter().take(max).copied().collect();
    let learn = max - palette.len();
    if learn == 0 {
        return palette;
    }
    let visible = img.data.chunks_exact(4).filter(|p| !is_clear(p, keyed));
    let stride = (img.data.len() / 4).div_ceil(TRAIN_PIXELS).max(1);
    let sample: Vec<u8> = visible
        .step_by(stride)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    if sample.is_empty() {
        return palette;
    }
    let learned = NeuQuant::new(3, learn, &sample).color_map_rgb();
    palette.extend(learned.chunks_exact(3).map(|c| [c[0], c[1], c[2]]));
    palette
}

/// The web-safe palette: every mix of 0, 51, 102, 153, 204 and 255.
fn web() -> Vec<[u8; 3]> {
    let mut out = Vec::with_capacity(216);
    for r in 0..6u8 {
        for g in 0..6u8 {
            for b in 0..6u8 {
                out.push([r * 51, g * 51, b * 51]);
            }
        }
    }
    out
}

/// The Mac OS system palette: the web cube from white down (black left for last), then ten
/// shades each of red, green, blue and gray (0xEE down to 0x11), then black.
fn mac() -> Vec<[u8; 3]> {
    let mut out: Vec<[u8; 3]> = web().into_iter().rev().filter(|c| *c != [0; 3]).collect();
    const RAMP: [u8; 10] = [0xEE, 0xDD, 0xBB, 0xAA, 0x88, 0x77, 0x55, 0x44, 0x22, 0x11];
    for k in 0..3 {
        for v in RAMP {
            let mut c = [0u8; 3];
            c[k] = v;
            out.push(c);
        }
    }
    out.extend(RAMP.map(|v| [v, v, v]));
    out.push([0, 0, 0]);
    out
}

/// Indices of `img` in `palette`, Floyd–Steinberg dithered when `dither`.
fn map(img: &Image, keyed: bool, palette: &[[u8; 3]], dither: bool) -> Vec<u8> {
    let mut nearest = Nearest::new(palette);
    let w = img.width as usize;
    // Error rows (current and next) with one pixel of margin on each side.
    let mut cur = vec![[0i16; 3]; w + 2];
    let mut next = vec![[0i16; 3]; w + 2];
    let mut indices = Vec::with_capacity(img.data.len() / 4);
    for row in img.data.chunks_exact(w * 4) {
        for (x, p) in row.chunks_exact(4).enumerate() {
            if is_clear(p, keyed) {
                indices.push(KEY_MARK);
                continue;
            }
            let e = cur[x + 1];
            let c: [u8; 3] = std::array::from_fn(|k| (p[k] as i16 + e[k]).clamp(0, 255) as u8);
            let i = nearest.index(c);
            indices.push(i);
            if !dither {
                continue;
            }
            let q = palette[i as usize];
            for k in 0..3 {
                let err = c[k] as i16 - q[k] as i16;
                cur[x + 2][k] += err * 7 / 16;
                next[x][k] += err * 3 / 16;
                next[x + 1][k] += err * 5 / 16;
                next[x + 2][k] += err / 16;
            }
        }
        std::mem::swap(&mut cur, &mut next);
        next.iter_mut().for_each(|e| *e = [0; 3]);
    }
    indices
}

/// Nearest palette entry, memoised per 5-bit-per-channel cell (dithering absorbs the cell's
/// rounding; without dithering a colour may get the entry nearest to its cell's first colour,
/// at most 7 levels per channel away): a few times faster than NeuQuant's own search.
struct Nearest<'a> {
    palette: &'a [[u8; 3]],
    cache: Vec<u16>,
}

impl<'a> Nearest<'a> {
    const EMPTY: u16 = u16::MAX;

    fn new(palette: &'a [[u8; 3]]) -> Self {
        Nearest {
            palette,
            cache: vec![Self::EMPTY; 1 << 15],
        }
    }

    fn index(&mut self, c: [u8; 3]) -> u8 {
        let key = (c[0] as usize >> 3) << 10 | (c[1] as usize >> 3) << 5 | c[2] as usize >> 3;
        if self.cache[key] == Self::EMPTY {
            let d = |q: &[u8; 3]| {
                (0..3)
                    .map(|k| (c[k] as i32 - q[k] as i32).pow(2))
                    .sum::<i32>()
            };
            let best = self.palette.iter().enumerate().min_by_key(|(_, q)| d(q));
            self.cache[key] = best.map_or(0, |(i, _)| i as u16);
        }
        self.cache[key] as u8
    }
}

#[cfg(test)]
#[path = "palette_tests.rs"]
mod tests;
