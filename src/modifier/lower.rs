//! Planning, step 3: lowers the layer and view geometry to `engine::Step`s. The source is
//! resampled once, straight to the resolution it has in the reply ("P space": crop space
//! scaled per axis), then moved into place with at most one `Affine` per fill boundary
//! (`color=` before the rotation, `bgColor=` around the composite, the reply). Neutral steps
//! are never emitted, so `wid=800&hei=600&fit=crop` is a single `Resample`.

use super::filters::Filters;
use super::fuse::fuse;
use super::geom::{snap, Aff, IRect, RectF};
use super::layer::Layer;
use super::view::View;
use crate::engine::{ColorOp, Filter, Rgba, Sampling, Step};

/// The non-geometric parts of a plan.
#[derive(Debug, Clone)]
pub struct Effects {
    /// `opac=` factor (1 = none); applied to the image only, before any fill (§3.2).
    pub opacity: f32,
    /// `color=`: underlay of the (cropped, scaled, flipped) layer before rotation.
    pub color: Rgba,
    /// `bgColor=`: underlay of the composite (after rotate and extend).
    pub bg_color: Rgba,
    /// `bgc=` flattening of the reply, for formats without alpha.
    pub flatten: Option<Rgba>,
    pub filter: Filter,
    /// The layer's colour commands, in order. They act on the layer after `extend=` and
    /// before `opac=` (§3.2); being per-pixel and blind to alpha they commute with `opac=` and
    /// with the pixel moves, so they run on the resampled layer, at its first placement, or
    /// after the `color=` underlay, whose fill they also change. When a filter reads
    /// neighbours they all run straight after the resample instead (see `filters`).
    pub colors: Vec<ColorOp>,
    /// The filter commands (see `filters` for where they run).
    pub filters: Filters,
}

/// P space: crop space scaled by `rho` and shifted by `delta`, so that P → reply is a pure
/// rotation/flip plus a translation, which is integral when the rotation is a multiple of 90°.
struct PSpace {
    from_crop: Aff,
    to_out: Aff,
    /// P (and reply) pixels per crop-space pixel, per axis.
    rho: (f64, f64),
}

impl PSpace {
    /// `f`: crop space → reply. `vis`: the visible source in crop space; for arbitrary angles
    /// `rho` is adjusted so that it spans whole P pixels (P is then free of rounding).
    fn new(f: Aff, aligned: bool, vis: RectF) -> PSpace {
        let [a, b, c, d, e, f] = f.0;
        let mut rho = (a.hypot(d), b.hypot(e));
        if !aligned && vis.x1 > vis.x0 && vis.y1 > vis.y0 {
            let fit = |r: f64, len: f64| (r * len).round().max(1.0) / len;
            rho = (fit(rho.0, vis.x1 - vis.x0), fit(rho.1, vis.y1 - vis.y0));
        }
        let mut g = Aff([a / rho.0, b / rho.1, 0.0, d / rho.0, e / rho.1, 0.0]);
        let (t, delta) = if aligned {
            g = g.snapped();
            let t = (c.round(), f.round());
            (t, g.inverse().apply(c - t.0, f - t.1))
        } else {
            let delta = (-vis.x0 * rho.0, -vis.y0 * rho.1);
            let shift = g.apply(delta.0, delta.1);
            ((c - shift.0, f - shift.1), delta)
        };
        PSpace {
            from_crop: Aff::scale(rho.0, rho.1).then(Aff::translate(delta.0, delta.1)),
            to_out: g.then(Aff::translate(t.0, t.1)),
            rho,
        }
    }
}

/// Accumulates steps and tracks the current image's extent in its own space (`None`: nothing
/// of the source is visible).
struct Builder {
    steps: Vec<Step>,
    cur: Option<IRect>,
    size: (u32, u32),
    /// `opac=`, emitted after the first placement (it commutes with every geometric step;
    /// there it cannot keep a cut and a placement from fusing).
    opacity: Option<f32>,
    /// The layer's colour commands and filters, emitted with `opacity` (or, when a filter
    /// reads neighbours, straight after the resample).
    colors: Vec<Step>,
}

impl Builder {
    fn push(&mut self, s: Step) {
        self.size = s.output_size(self.size.0, self.size.1);
        self.steps.push(s);
    }

    /// Moves the current image into `target` (pixels of a new space); `into` maps the current
    /// space to the new one. Dropped when it would be the identity.
    fn place(&mut self, target: IRect, into: Aff, sampling: Sampling) {
        self.move_to(target, into, sampling);
        if let Some(opacity) = self.opacity.take() {
            self.push(Step::Opacity { opacity });
        }
        self.colors_now();
    }

    fn colors_now(&mut self) {
        for s in std::mem::take(&mut self.colors) {
            self.push(s);
        }
    }

    fn move_to(&mut self, target: IRect, into: Aff, sampling: Sampling) {
        let (width, height) = (target.w(), target.h());
        let Some(cur) = self.cur else {
            self.push(blank(width, height));
            self.cur = Some(target);
            return;
        };
        let m = Aff::translate(target.x0 as f64, target.y0 as f64)
            .then(into.inverse())
            .then(Aff::translate(-cur.x0 as f64, -cur.y0 as f64))
            .snapped();
        self.cur = Some(target);
        if m == Aff::ID && self.size == (width, height) {
            return;
        }
        let fill = Rgba::TRANSPARENT;
        self.push(Step::Affine {
            m: m.0,
            width,
            height,
            fill,
            sampling,
        });
    }

    fn underlay(&mut self, color: Rgba) {
        if color.a > 0 {
            self.push(Step::Underlay { color });
        }
    }
}

/// An image of fill only: every sample falls outside the input.
fn blank(width: u32, height: u32) -> Step {
    let (m, fill) = ([0.0, 0.0, -1.0, 0.0, 0.0, -1.0], Rgba::TRANSPARENT);
    Step::Affine {
        m,
        width,
        height,
        fill,
        sampling: Sampling::Nearest,
    }
}

/// Where things lie: the source window, P space, and what of the reply can show content.
struct Frame {
    p: PSpace,
    /// The visible source (source ∩ crop window), in source pixels.
    source: RectF,
    /// Source pixels → crop space.
    in_crop: Aff,
    /// The reply's box, and the part of it the composite and view cover.
    out: IRect,
    visible: RectF,
    /// `visible` pulled back into P space (whole pixels; padded for bilinear sampling).
    pre: IRect,
}

impl Frame {
    /// `pad`: with `rect=`, the reply box grows by up to `pad` pixels into the view image on
    /// each side, so that view filters see the view image around the cut (§3.4: filters
    /// before `rect`, so tiles join without seams).
    fn new(layer: &Layer, view: &View, pad: u32) -> Frame {
        let crop = layer.crop;
        let source = RectF::sized(f64::from(layer.src.0), f64::from(layer.src.1)).intersect(crop);
        let in_crop = Aff::translate(-crop.x0, -crop.y0);
        let f = layer.forward.then(view.to_out);
        let p = PSpace::new(f, layer.axis_aligned, source.map(in_crop));
        let out = widen(IRect::sized(view.out.0, view.out.1), view.view.round(), pad);
        let visible = view.content.intersect(view.view).intersect(out.to_f());
        let back = visible.map(p.to_out.inverse());
        let pre = match (visible.is_empty(), layer.axis_aligned) {
            (true, _) => IRect::sized(0, 0),
            (false, true) => back.round(),
            (false, false) => back.outward(1),
        };
        Frame {
            p,
            source,
            in_crop,
            out,
            visible,
            pre,
        }
    }
}

/// `reply` grown by up to `pad` on each side, but not beyond `within` where it already ends.
fn widen(reply: IRect, within: IRect, pad: u32) -> IRect {
    let p = i64::from(pad);
    IRect {
        x0: reply.x0 - (reply.x0 - within.x0).clamp(0, p),
        y0: reply.y0 - (reply.y0 - within.y0).clamp(0, p),
        x1: reply.x1 + (within.x1 - reply.x1).clamp(0, p),
        y1: reply.y1 + (within.y1 - reply.y1).clamp(0, p),
    }
}

/// The layer's colour commands then filters, their radii at `s` reply pixels per source pixel
/// (composite pixels are source pixels times the layer scale).
fn layer_ops(layer: &Layer, fx: &Effects, s: f64) -> Vec<Step> {
    let [a, _, _, d, _, _] = layer.forward.0;
    let colors = fx.colors.iter().map(|c| Step::Color(*c));
    colors
        .chain(fx.filters.layer_steps(s / a.hypot(d)))
        .collect()
}

pub fn lower(layer: &Layer, view: &View, fx: &Effects) -> Vec<Step> {
    let mut fr = Frame::new(layer, view, 0);
    let s = (fr.p.rho.0 * fr.p.rho.1).sqrt();
    let view_ops = fx.filters.view_steps(s);
    let view_reach = view_ops.iter().map(Step::reach).sum();
    if view_reach > 0 {
        fr = Frame::new(layer, view, view_reach);
    }
    let layer_ops = layer_ops(layer, fx, s);
    let reach: u32 = layer_ops.iter().map(Step::reach).sum();
    fr.pre = fr.pre.grown(reach);
    let mut b = Builder {
        steps: Vec::new(),
        cur: None,
        size: layer.src,
        opacity: None,
        colors: Vec::new(),
    };
    let xi = fr
        .source
        .map(fr.in_crop.then(fr.p.from_crop))
        .round()
        .intersect(fr.pre);
    if !xi.is_empty() {
        b.cur = Some(xi);
        b.opacity = (fx.opacity < 1.0).then_some(fx.opacity);
        if fx.color.a == 0 {
            b.colors.clone_from(&layer_ops);
        }
        let to_src = fr.p.from_crop.inverse().then(fr.in_crop.inverse());
        resample(
            &mut b,
            xi.to_f().map(to_src).intersect(fr.source),
            xi,
            fx.filter,
        );
        if reach > 0 {
            b.colors_now();
        }
    }
    if fx.color.a > 0 {
        let crop = layer.crop;
        let l = RectF::sized(crop.x1 - crop.x0, crop.y1 - crop.y0).map(fr.p.from_crop);
        let xl = l.round().intersect(fr.pre);
        if !xl.is_empty() {
            b.place(xl, Aff::ID, Sampling::Nearest);
            b.underlay(fx.color);
            b.colors.clone_from(&layer_ops);
            b.colors_now();
        }
    }
    place_composite(&mut b, &fr, layer.axis_aligned, fx.bg_color);
    for f in view_ops {
        b.push(f);
    }
    let reply = IRect::sized(view.out.0, view.out.1);
    if fr.out != reply {
        b.place(reply, Aff::ID, Sampling::Nearest);
    }
    if let Some(c) = fx.flatten {
        b.underlay(c);
    }
    fuse(b.steps, layer.src)
}

/// Moves the layer into the reply; with `bgColor=`, first into the visible composite box to
/// fill it there.
fn place_composite(b: &mut Builder, fr: &Frame, aligned: bool, bg_color: Rgba) {
    let sampling = if aligned {
        Sampling::Nearest
    } else {
        Sampling::Bilinear
    };
    let xe = fr.visible.round().intersect(fr.out);
    if bg_color.a > 0 && !xe.is_empty() {
        b.place(xe, fr.p.to_out, sampling);
        b.underlay(bg_color);
        b.place(fr.out, Aff::ID, Sampling::Nearest);
    } else {
        b.place(fr.out, fr.p.to_out, sampling);
    }
}

/// Resamples the source window `src` to `xi`'s size. A window of whole pixels at scale 1 is
/// a plain cut: an exact `Affine` (which `fuse` may merge or drop).
fn resample(b: &mut Builder, src: RectF, xi: IRect, filter: Filter) {
    let src = [src.x0, src.y0, src.x1 - src.x0, src.y1 - src.y0].map(snap);
    let (width, height) = (xi.w(), xi.h());
    if src.iter().all(|v| v.fract() == 0.0)
        && [src[2], src[3]] == [f64::from(width), f64::from(height)]
    {
        let (m, fill) = (Aff::translate(src[0], src[1]).0, Rgba::TRANSPARENT);
        b.push(Step::Affine {
            m,
            width,
            height,
            fill,
            sampling: Sampling::Nearest,
        });
    } else {
        b.push(Step::Resample {
            src,
            width,
            height,
            filter,
        });
    }
}
