//! Planning, step 2: the view transform for `req=img` (spec/is-protocol.md §3.4, §4.9, §4.36):
//! DefaultPix / `wid` / `hei` / `scl` / `fit` / `align`, then `rect=` and `dpr=`, then the
//! MaxPix check. Produces the map from composite space to reply pixels, used by `lower`.

use super::error::ModifierError;
use super::geom::{Aff, RectF};
use super::layer::dim;
use super::plan::Limits;
use super::types::{Commands, Fit, FitMode};

/// The view transform's result, in reply (output) pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// Composite → reply pixels.
    pub to_out: Aff,
    /// The scaled composite's box; nothing outside it is visible.
    pub content: RectF,
    /// The `wid`×`hei` view's box (differs from the reply with `rect=`); padding outside it.
    pub view: RectF,
    /// Reply size.
    pub out: (u32, u32),
}

/// §3.4 layout in view pixels: the composite scaled to `content`, at `offset` in a `size` view.
struct Layout {
    size: (f64, f64),
    content: (f64, f64),
    offset: (f64, f64),
}

impl Layout {
    fn exact(size: (f64, f64)) -> Layout {
        Layout {
            size,
            content: size,
            offset: (0.0, 0.0),
        }
    }

    /// Places `content` in `size` per `align`: `x = round((V − C) · (a + 1) / 2)`.
    fn placed(size: (f64, f64), content: (f64, f64), (ax, ay): (f64, f64)) -> Layout {
        let at = |v: f64, c: f64, a: f64| ((v - c) * (a + 1.0) / 2.0).round();
        let offset = (at(size.0, content.0, ax), at(size.1, content.1, ay));
        Layout {
            size,
            content,
            offset,
        }
    }
}

/// The command named in size-limit errors: the one that decided the reply size.
pub fn size_command(c: &Commands) -> &'static str {
    let named = [
        (c.rect.is_some(), "rect"),
        (c.wid.is_some(), "wid"),
        (c.hei.is_some(), "hei"),
        (c.scl.is_some(), "scl"),
        (c.extend.is_some(), "extend"),
        (c.rotate.is_some(), "rotate"),
        (c.size.is_some(), "size"),
        (c.scale.is_some(), "scale"),
        (c.crop.is_some(), "crop"),
    ];
    named
        .iter()
        .find(|(present, _)| *present)
        .map_or("image", |(_, n)| n)
}

/// The view for a `w`×`h` composite. `dpr` scales the reply; when that would exceed MaxPix
/// the ratio is reduced until it fits (§4.36) instead of failing.
pub fn view(w: u32, h: u32, c: &Commands, limits: &Limits) -> Result<View, ModifierError> {
    if c.fit.is_some() && c.wid.is_none() && c.hei.is_none() {
        return Err(ModifierError::new("fit", "needs wid= and/or hei="));
    }
    let (w, h) = (f64::from(w), f64::from(h));
    let base = build(w, h, c, limits, 1.0);
    let too_big = |v: &View| {
        let ((mw, mh), (ow, oh)) = (limits.max_pix, v.out);
        let msg = format!("reply {ow}x{oh} exceeds MaxPix {mw},{mh}");
        ModifierError::new(size_command(c), msg)
    };
    if over_max_pix(base.out, limits.max_pix).is_some() {
        return Err(too_big(&base));
    }
    let Some(mut d) = c.dpr.filter(|d| *d != 1.0) else {
        return Ok(base);
    };
    let mut v = build(w, h, c, limits, d);
    for _ in 0..16 {
        match over_max_pix(v.out, limits.max_pix) {
            None => return Ok(v),
            Some(ratio) => d *= ratio,
        }
        v = build(w, h, c, limits, d);
    }
    Err(too_big(&v))
}

/// `Some(factor < 1)` that would bring `out` within the non-zero MaxPix bounds, if exceeded.
fn over_max_pix(out: (u32, u32), (mw, mh): (u32, u32)) -> Option<f64> {
    let ratio = |o: u32, m: u32| {
        if m > 0 && o > m {
            f64::from(m) / f64::from(o)
        } else {
            1.0
        }
    };
    let r = ratio(out.0, mw).min(ratio(out.1, mh));
    (r < 1.0).then_some(r)
}

fn build(w: f64, h: f64, c: &Commands, limits: &Limits, d: f64) -> View {
    let l = layout(w, h, c, limits.default_pix, d);
    let mut to_out =
        Aff::scale(l.content.0 / w, l.content.1 / h).then(Aff::translate(l.offset.0, l.offset.1));
    let mut view = RectF::sized(l.size.0, l.size.1);
    let mut out = l.size;
    if let Some(r) = c.rect {
        let cut = Aff::scale(r.scale, r.scale).then(Aff::translate(
            -(f64::from(r.x) * d).round(),
            -(f64::from(r.y) * d).round(),
        ));
        to_out = to_out.then(cut);
        view = view.map(cut);
        out = (dim(f64::from(r.w) * d), dim(f64::from(r.h) * d));
    }
    View {
        to_out,
        content: RectF::sized(w, h).map(to_out),
        view,
        out: (out.0 as u32, out.1 as u32),
    }
}

/// Cases A–E of §3.4 with every requested size multiplied by the device pixel ratio `d`.
fn layout(w: f64, h: f64, c: &Commands, default_pix: Option<(u32, u32)>, d: f64) -> Layout {
    let wid = c.wid.map(|v| dim(f64::from(v) * d));
    let hei = c.hei.map(|v| dim(f64::from(v) * d));
    let align = c.align.unwrap_or((0.0, 0.0));
    if let Some(scl) = c.scl {
        let content = (dim(w * d / scl), dim(h * d / scl));
        let size = (wid.unwrap_or(content.0), hei.unwrap_or(content.1));
        return Layout::placed(size, content, align);
    }
    match (wid, hei, c.fit) {
        (None, None, _) => {
            let s = d * default_scale(w, h, default_pix);
            Layout::exact((dim(w * s), dim(h * s)))
        }
        (Some(vw), None, _) => Layout::exact((vw, dim(h * vw / w))),
        (None, Some(vh), _) => Layout::exact((dim(w * vh / h), vh)),
        (Some(vw), Some(vh), None) => {
            let s = (vw / w).min(vh / h);
            Layout::placed((vw, vh), (dim(w * s), dim(h * s)), align)
        }
        (Some(vw), Some(vh), Some(fit)) => fit_layout(w, h, (vw, vh), fit, align),
    }
}

/// Case A: 1, or the largest scale that fits the non-zero DefaultPix bounds (never enlarges).
fn default_scale(w: f64, h: f64, default_pix: Option<(u32, u32)>) -> f64 {
    let Some((dw, dh)) = default_pix else {
        return 1.0;
    };
    let bound = |d: u32, x: f64| if d > 0 { f64::from(d) / x } else { 1.0 };
    bound(dw, w).min(bound(dh, h)).min(1.0)
}

/// Case E: the `fit=` modes.
fn fit_layout(w: f64, h: f64, view: (f64, f64), fit: Fit, align: (f64, f64)) -> Layout {
    let (mut sx, mut sy) = (view.0 / w, view.1 / h);
    if !fit.upscale {
        sx = sx.min(1.0);
        sy = sy.min(1.0);
    }
    let scaled = |s: f64| (dim(w * s), dim(h * s));
    match fit.mode {
        FitMode::Fit => Layout::placed(view, scaled(sx.min(sy)), align),
        FitMode::Constrain => Layout::exact(scaled(sx.min(sy))),
        FitMode::Crop => Layout::placed(view, scaled(sx.max(sy)), align),
        FitMode::Wrap => Layout::exact(scaled(sx.max(sy))),
        FitMode::Stretch => Layout::placed(view, (dim(w * sx), dim(h * sy)), (0.0, 0.0)),
        FitMode::HFit => Layout::placed(view, scaled(sx), align),
        FitMode::VFit => Layout::placed(view, scaled(sy), align),
    }
}
