//! GIF output of `encode` (`fmt=gif`, `fmt=gif-alpha`): one frame with a global palette. Images
//! with at most 256 colours (255 with transparency) get an exact palette; others are quantised
//! with NeuQuant (`color_quant`, the quantiser the `gif` crate uses; trained on at most 64K
//! pixels) and Floyd–Steinberg dithered, the spec's default `quantize=adaptive,diffuse,256`. `gif-alpha` reserves palette
//! index 255 as the transparent key colour for pixels with alpha below 128; `gif` has no
//! transparency (the plan flattened alpha).

use super::CodecError;
use crate::engine::Image;
use color_quant::NeuQuant;
use std::borrow::Cow;
use std::collections::HashMap;

/// Palette index of the transparent key colour.
const KEY: u8 = 255;

pub(super) fn encode(img: &Image, alpha: bool) -> Result<Vec<u8>, CodecError> {
    let (w, h) = match (u16::try_from(img.width), u16::try_from(img.height)) {
        (Ok(w), Ok(h)) => (w, h),
        _ => return Err(CodecError::encode("GIF is limited to 65535x65535 pixels")),
    };
    let keyed = alpha && img.data.chunks_exact(4).any(|p| p[3] < 128);
    let max = if keyed { 255 } else { 256 };
    let (mut palette, indices) =
        exact(img, keyed, max).unwrap_or_else(|| dithered(img, keyed, max));
    if keyed {
        palette.resize(256 * 3, 0);
    }
    let mut out = Vec::new();
    {
        let mut enc = gif::Encoder::new(&mut out, w, h, &palette).map_err(CodecError::encode)?;
        let frame = gif::Frame {
            width: w,
            height: h,
            buffer: Cow::Owned(indices),
            transparent: keyed.then_some(KEY),
            ..gif::Frame::default()
        };
        enc.write_frame(&frame).map_err(CodecError::encode)?;
    }
    Ok(out)
}

fn is_clear(p: &[u8], keyed: bool) -> bool {
    keyed && p[3] < 128
}

/// Palette and indices when the image has at most `max` distinct opaque colours.
fn exact(img: &Image, keyed: bool, max: usize) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut map: HashMap<[u8; 3], u8> = HashMap::new();
    let mut palette = Vec::new();
    let mut indices = Vec::with_capacity(img.data.len() / 4);
    for p in img.data.chunks_exact(4) {
        if is_clear(p, keyed) {
            indices.push(KEY);
            continue;
        }
        let c = [p[0], p[1], p[2]];
        let i = match map.get(&c) {
            Some(&i) => i,
            None if map.len() < max => {
                let i = map.len() as u8;
                map.insert(c, i);
                palette.extend_from_slice(&c);
                i
            }
            None => return None,
        };
        indices.push(i);
    }
    if palette.is_empty() {
        palette.extend_from_slice(&[0, 0, 0]);
    }
    Some((palette, indices))
}

/// Pixels NeuQuant learns from at most (a strided subsample of larger images).
const TRAIN_PIXELS: usize = 1 << 16;

/// NeuQuant palette of `max` colours and Floyd–Steinberg dithered indices.
fn dithered(img: &Image, keyed: bool, max: usize) -> (Vec<u8>, Vec<u8>) {
    let visible = img.data.chunks_exact(4).filter(|p| !is_clear(p, keyed));
    let stride = (img.data.len() / 4).div_ceil(TRAIN_PIXELS).max(1);
    let sample: Vec<u8> = visible
        .step_by(stride)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    let palette = NeuQuant::new(3, max, &sample).color_map_rgb();
    let mut nearest = Nearest::new(&palette);
    let w = img.width as usize;
    // Error rows (current and next) with one pixel of margin on each side.
    let mut cur = vec![[0i16; 3]; w + 2];
    let mut next = vec![[0i16; 3]; w + 2];
    let mut indices = Vec::with_capacity(img.data.len() / 4);
    for row in img.data.chunks_exact(w * 4) {
        for (x, p) in row.chunks_exact(4).enumerate() {
            if is_clear(p, keyed) {
                indices.push(KEY);
                continue;
            }
            let e = cur[x + 1];
            let c: [u8; 3] = std::array::from_fn(|k| (p[k] as i16 + e[k]).clamp(0, 255) as u8);
            let i = nearest.index(c);
            indices.push(i);
            for k in 0..3 {
                let err = c[k] as i16 - palette[i as usize * 3 + k] as i16;
                cur[x + 2][k] += err * 7 / 16;
                next[x][k] += err * 3 / 16;
                next[x + 1][k] += err * 5 / 16;
                next[x + 2][k] += err / 16;
            }
        }
        std::mem::swap(&mut cur, &mut next);
        next.iter_mut().for_each(|e| *e = [0; 3]);
    }
    (palette, indices)
}

/// Nearest palette entry, memoised per 5-bit-per-channel cell (the dithering absorbs the
/// cell's rounding): a few times faster than NeuQuant's own search on photos.
struct Nearest<'a> {
    palette: &'a [u8],
    cache: Vec<u16>,
}

impl<'a> Nearest<'a> {
    const EMPTY: u16 = u16::MAX;

    fn new(palette: &'a [u8]) -> Self {
        Nearest {
            palette,
            cache: vec![Self::EMPTY; 1 << 15],
        }
    }

    fn index(&mut self, c: [u8; 3]) -> u8 {
        let key = (c[0] as usize >> 3) << 10 | (c[1] as usize >> 3) << 5 | c[2] as usize >> 3;
        if self.cache[key] == Self::EMPTY {
            let d = |q: &[u8]| {
                (0..3)
                    .map(|k| (c[k] as i32 - q[k] as i32).pow(2))
                    .sum::<i32>()
            };
            let best = self
                .palette
                .chunks_exact(3)
                .enumerate()
                .min_by_key(|(_, q)| d(q));
            self.cache[key] = best.map_or(0, |(i, _)| i as u16);
        }
        self.cache[key] as u8
    }
}
