//! Planning, step 1: layer 0's transforms (spec/is-protocol.md §3.2): crop, scale (`size=` or
//! `scale=`), flip, rotate (the canvas grows to the bounding box), extend. Produces the map
//! from crop space to composite space and the composite size, used by `view` and `lower`.

use super::error::ModifierError;
use super::geom::{Aff, RectF};
use super::types::{Commands, Crop, Extend, Flip, LayerSize};

/// Virtual (never materialized) layer sizes above this, per axis, are rejected.
const MAX_DIM: f64 = (1u64 << 30) as f64;

/// Layer 0 after its transforms.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Source size.
    pub src: (u32, u32),
    /// Crop window in source pixels; may extend beyond the source (transparent there).
    pub crop: RectF,
    /// Crop space (source pixel units, origin at the crop window's top-left) → composite.
    pub forward: Aff,
    /// Composite size: the layer after crop, scale, flip, rotate and extend.
    pub size: (u32, u32),
    /// The rotation is a multiple of 90°, so every map is axis-aligned.
    pub axis_aligned: bool,
}

type R<T> = Result<T, ModifierError>;

pub fn layer(src_w: u32, src_h: u32, c: &Commands) -> R<Layer> {
    let crop = crop_window(src_w, src_h, c)?;
    let (cw, ch) = (crop.x1 - crop.x0, crop.y1 - crop.y0);
    let (lw, lh) = layer_size(cw, ch, c)?;
    let (rot, (bw, bh), axis_aligned) = rotation(c.rotate.unwrap_or(0.0), lw, lh);
    check_dim("rotate", bw, bh)?;
    let (ext, (w, h)) = extend(c.extend, bw, bh)?;
    let forward = Aff::scale(lw / cw, lh / ch)
        .then(flip(c.flip, lw, lh))
        .then(rot)
        .then(ext);
    Ok(Layer {
        src: (src_w, src_h),
        crop,
        forward,
        size: (w as u32, h as u32),
        axis_aligned,
    })
}

fn check_dim(cmd: &str, w: f64, h: f64) -> R<()> {
    if w > MAX_DIM || h > MAX_DIM {
        return Err(ModifierError::new(
            cmd,
            format!("layer {w}x{h} is too large"),
        ));
    }
    Ok(())
}

/// `crop=`/`cropN=` as a pixel window; `cropN` edges are rounded to whole source pixels.
fn crop_window(src_w: u32, src_h: u32, c: &Commands) -> R<RectF> {
    let (sw, sh) = (f64::from(src_w), f64::from(src_h));
    let r = match c.crop {
        None => RectF::sized(sw, sh),
        Some(Crop::Pixels { x, y, w, h }) => {
            let (x, y) = (f64::from(x), f64::from(y));
            RectF {
                x0: x,
                y0: y,
                x1: x + f64::from(w),
                y1: y + f64::from(h),
            }
        }
        Some(Crop::Normalized { x, y, w, h }) => {
            let r = RectF {
                x0: (x * sw).round(),
                y0: (y * sh).round(),
                x1: ((x + w) * sw).round(),
                y1: ((y + h) * sh).round(),
            };
            if r.x1 <= r.x0 || r.y1 <= r.y0 {
                let msg =
                    format!("the crop window selects no pixels of the {src_w}x{src_h} source");
                return Err(ModifierError::new("cropN", msg));
            }
            r
        }
    };
    check_dim(
        if matches!(c.crop, Some(Crop::Normalized { .. })) {
            "cropN"
        } else {
            "crop"
        },
        r.x1 - r.x0,
        r.y1 - r.y0,
    )?;
    Ok(r)
}

/// The layer size after `size=` (fit inside the box, 0 = from the aspect ratio; enlarges too,
/// per the §4.4 [Decide]) or `scale=`; `size=` wins over `scale=`.
fn layer_size(cw: f64, ch: f64, c: &Commands) -> R<(f64, f64)> {
    let factor = match (c.size, c.scale) {
        (Some(LayerSize::Normalized { .. }), _) => {
            let msg = "not allowed on layer 0 (spec §4.4); use size= or scale=";
            return Err(ModifierError::new("sizeN", msg));
        }
        (Some(LayerSize::Pixels { w, h }), _) if w > 0 || h > 0 => {
            let (sx, sy) = (f64::from(w) / cw, f64::from(h) / ch);
            match (w, h) {
                (_, 0) => sx,
                (0, _) => sy,
                _ => sx.min(sy),
            }
        }
        (_, Some(s)) => s,
        _ => return Ok((cw, ch)),
    };
    let (lw, lh) = (dim(cw * factor), dim(ch * factor));
    check_dim(if c.size.is_some() { "size" } else { "scale" }, lw, lh)?;
    Ok((lw, lh))
}

/// `round(x)`, at least 1.
pub fn dim(x: f64) -> f64 {
    x.round().max(1.0)
}

fn flip(f: Option<Flip>, w: f64, h: f64) -> Aff {
    match f {
        None => Aff::ID,
        Some(Flip::Lr) => Aff([-1.0, 0.0, w, 0.0, 1.0, 0.0]),
        Some(Flip::Ud) => Aff([1.0, 0.0, 0.0, 0.0, -1.0, h]),
        Some(Flip::LrUd) => Aff([-1.0, 0.0, w, 0.0, -1.0, h]),
    }
}

/// Clockwise rotation about the layer centre into its bounding box (integer size, rounded
/// up so nothing is cut). Multiples of 90° are exact. Returns (map, box size, axis-aligned).
fn rotation(deg: f64, w: f64, h: f64) -> (Aff, (f64, f64), bool) {
    let a = deg.rem_euclid(360.0);
    let quarter = (a / 90.0).round();
    let (cos, sin, aligned) = if (a - 90.0 * quarter).abs() < 1e-9 {
        let (cos, sin) = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)][quarter as usize % 4];
        (cos, sin, true)
    } else {
        let r = a.to_radians();
        (r.cos(), r.sin(), false)
    };
    if aligned && cos == 1.0 {
        return (Aff::ID, (w, h), true);
    }
    let bw = (w * cos.abs() + h * sin.abs() - 1e-9).ceil().max(1.0);
    let bh = (w * sin.abs() + h * cos.abs() - 1e-9).ceil().max(1.0);
    let m = Aff::translate(-w / 2.0, -h / 2.0)
        .then(Aff::rotate(cos, sin))
        .then(Aff::translate(bw / 2.0, bh / 2.0));
    (m, (bw, bh), aligned)
}

/// `extend=`/`extendN=` (l, t, r, b; `extendN` relative to the rotated layer, rounded).
fn extend(e: Option<Extend>, w: f64, h: f64) -> R<(Aff, (f64, f64))> {
    let (cmd, [l, t, r, b]) = match e {
        None => return Ok((Aff::ID, (w, h))),
        Some(Extend::Pixels(p)) => ("extend", p.map(f64::from)),
        Some(Extend::Normalized([l, t, r, b])) => (
            "extendN",
            [
                (l * w).round(),
                (t * h).round(),
                (r * w).round(),
                (b * h).round(),
            ],
        ),
    };
    let (nw, nh) = (w + l + r, h + t + b);
    if nw < 1.0 || nh < 1.0 {
        let msg = format!("removes the whole {w}x{h} layer");
        return Err(ModifierError::new(cmd, msg));
    }
    check_dim(cmd, nw, nh)?;
    Ok((Aff::translate(l, t), (nw, nh)))
}
