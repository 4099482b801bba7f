//! Helpers shared by the `plan` unit tests.

pub use super::*;
pub use crate::engine::{Filter, Rgba, Sampling, Step};

pub const WHITE: Rgba = Rgba::WHITE;
pub const RED: Rgba = Rgba::rgb(255, 0, 0);

/// DefaultPix 400,400, no MaxPix, 100 Mpixel render limit.
pub fn is_limits() -> Limits {
    Limits::image_serving((400, 400), (0, 0), 100_000_000)
}

pub fn plan_with(src: (u32, u32), q: &str, limits: &Limits) -> Result<Plan, ModifierError> {
    let c = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    plan(src.0, src.1, &c, limits)
}

pub fn ok(src: (u32, u32), q: &str) -> Plan {
    plan_with(src, q, &is_limits()).unwrap_or_else(|e| panic!("{q}: {e}"))
}

pub fn err(src: (u32, u32), q: &str, limits: &Limits) -> String {
    match plan_with(src, q, limits) {
        Ok(p) => panic!("{q}: planned {p:?}"),
        Err(e) => e.to_string(),
    }
}

pub fn rs(src: [f64; 4], width: u32, height: u32) -> Step {
    Step::Resample {
        src,
        width,
        height,
        filter: Filter::Bicubic,
    }
}

pub fn mv(m: [f64; 6], width: u32, height: u32) -> Step {
    Step::Affine {
        m,
        width,
        height,
        fill: Rgba::TRANSPARENT,
        sampling: Sampling::Nearest,
    }
}

/// The input placed at (x, y) of a `width × height` image.
pub fn at(x: f64, y: f64, width: u32, height: u32) -> Step {
    mv([1.0, 0.0, -x, 0.0, 1.0, -y], width, height)
}

pub fn under(color: Rgba) -> Step {
    Step::Underlay { color }
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

pub fn same(a: &Step, b: &Step) -> bool {
    match (a, b) {
        (
            Step::Resample {
                src: s,
                width: w,
                height: h,
                filter: f,
            },
            Step::Resample {
                src,
                width,
                height,
                filter,
            },
        ) => s.iter().zip(src).all(|(x, y)| close(*x, *y)) && (w, h, f) == (width, height, filter),
        (
            Step::Affine {
                m: ma,
                width: w,
                height: h,
                fill: f,
                sampling: s,
            },
            Step::Affine {
                m,
                width,
                height,
                fill,
                sampling,
            },
        ) => {
            ma.iter().zip(m).all(|(x, y)| close(*x, *y))
                && (w, h, f, s) == (width, height, fill, sampling)
        }
        _ => a == b,
    }
}

#[track_caller]
pub fn assert_steps(q: &str, got: &[Step], want: &[Step]) {
    let ok = got.len() == want.len() && got.iter().zip(want).all(|(a, b)| same(a, b));
    assert!(ok, "{q}:\n got  {got:?}\n want {want:?}");
}

#[track_caller]
pub fn check(src: (u32, u32), rows: &[(&str, (u32, u32), Vec<Step>)]) {
    for (q, size, steps) in rows {
        let p = ok(src, q);
        assert_eq!((p.width, p.height), *size, "{q}");
        assert_steps(q, &p.steps, steps);
    }
}

pub const FULL: [f64; 4] = [0.0, 0.0, 2000.0, 1000.0];
