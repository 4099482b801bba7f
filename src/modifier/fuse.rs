//! Planning, after `lower`: merges consecutive pixel-exact `Affine` steps (nearest sampling,
//! transparent fill) into one when that cannot reveal pixels the first step cut away, and
//! drops `Affine` steps that became the identity.

use super::geom::{Aff, RectF};
use crate::engine::{Rgba, Sampling, Step};

/// Fuses `steps`, whose first step reads an image of size `input`.
pub fn fuse(steps: Vec<Step>, input: (u32, u32)) -> Vec<Step> {
    let mut out: Vec<(Step, (u32, u32))> = Vec::with_capacity(steps.len());
    for s in steps {
        let merged = out
            .last()
            .and_then(|(a, inp)| merge(a, &s, *inp).map(|m| (m, *inp)));
        let (step, inp) = match merged {
            Some(m) => {
                out.pop();
                m
            }
            None => {
                let inp = out.last().map_or(input, |(a, i)| a.output_size(i.0, i.1));
                (s, inp)
            }
        };
        if !is_identity(&step, inp) {
            out.push((step, inp));
        }
    }
    out.into_iter().map(|(s, _)| s).collect()
}

fn is_identity(s: &Step, input: (u32, u32)) -> bool {
    matches!(s, Step::Affine { m, width, height, .. }
        if Aff(*m) == Aff::ID && (*width, *height) == input)
}

/// `a` (reading an input of `size`) then `b`, as one step, when exact.
fn merge(a: &Step, b: &Step, size: (u32, u32)) -> Option<Step> {
    let (Some(m1), Some(m2)) = (exact(a), exact(b)) else {
        return None;
    };
    let (w1, h1) = a.output_size(size.0, size.1);
    let Step::Affine { width, height, .. } = *b else {
        return None;
    };
    // Where b reads a's output, in a's output coordinates, and where a's input lies there.
    let reads = RectF::sized(f64::from(width), f64::from(height)).map(m2);
    let input = RectF::sized(f64::from(size.0), f64::from(size.1)).map(m1.inverse());
    let seen = reads.intersect(input);
    let empty = seen.is_empty();
    let inside =
        seen.x0 >= 0.0 && seen.y0 >= 0.0 && seen.x1 <= f64::from(w1) && seen.y1 <= f64::from(h1);
    if !(empty || inside) {
        return None;
    }
    let m = m2.then(m1).snapped();
    let fill = Rgba::TRANSPARENT;
    Some(Step::Affine {
        m: m.0,
        width,
        height,
        fill,
        sampling: Sampling::Nearest,
    })
}

/// The map of an invertible, nearest-sampled, transparent-filled `Affine`.
fn exact(s: &Step) -> Option<Aff> {
    match s {
        Step::Affine {
            m,
            fill,
            sampling: Sampling::Nearest,
            ..
        } if *fill == Rgba::TRANSPARENT && m[0] * m[4] - m[1] * m[3] != 0.0 => Some(Aff(*m)),
        _ => None,
    }
}
