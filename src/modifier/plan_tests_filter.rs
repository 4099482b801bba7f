//! Unit tests of the filter commands in plans (`op_blur`, `op_grow`, `op_noise`,
//! `op_sharpen`, `op_usm`, `op_usmR`): radius scaling, neutral values, order, placement and the
//! widened window.

use super::plan_tests_util::*;
use crate::engine::{ColorOp, Noise, Usm};

fn names(p: &Plan) -> Vec<&'static str> {
    p.steps.iter().map(Step::name).collect()
}

fn blur_sigma(p: &Plan) -> f32 {
    p.steps
        .iter()
        .find_map(|s| match s {
            Step::Blur { sigma } => Some(*sigma),
            _ => None,
        })
        .expect("a blur step")
}

fn usm_of(p: &Plan) -> Vec<Usm> {
    p.steps
        .iter()
        .filter_map(|s| match s {
            Step::Sharpen(u) => Some(*u),
            _ => None,
        })
        .collect()
}

#[test]
fn radii_scale_with_the_view_and_not_with_the_layer() {
    // op_blur=4 composite pixels, σ = r/2, at a view scale of 0.5.
    assert_eq!(blur_sigma(&ok((200, 100), "wid=100&op_blur=4")), 1.0);
    // scale= makes the composite smaller: composite pixels are then reply pixels.
    assert_eq!(
        blur_sigma(&ok((200, 100), "scale=0.5&scl=1&op_blur=4")),
        2.0
    );
    // op_usm's radius is in source pixels; op_usmR's in reply pixels.
    let u = usm_of(&ok((200, 100), "wid=50&op_usm=1.5,8,3,1"));
    assert_eq!(
        u,
        [Usm {
            amount: 1.5,
            sigma: 2.0,
            threshold: 3,
            mono: true
        }]
    );
    assert_eq!(usm_of(&ok((200, 100), "wid=50&op_usmR=1,8"))[0].sigma, 8.0);
    assert_eq!(
        usm_of(&ok((200, 100), "scale=0.5&scl=1&op_usm=1,8"))[0].sigma,
        4.0
    );
    // op_grow rounds to whole pixels and disappears when that is 0.
    let p = ok((200, 100), "wid=100&op_grow=-5");
    assert!(
        p.steps.contains(&Step::Grow { radius: -3 }),
        "{:?}",
        p.steps
    );
    assert!(!names(&ok((200, 100), "wid=20&op_grow=3")).contains(&"op_grow"));
}

#[test]
fn neutral_filters_are_dropped() {
    for q in [
        "wid=100&op_blur=0",
        "wid=100&op_grow=0",
        "wid=100&op_noise=0,gaussian",
        "wid=100&op_sharpen=0",
        "wid=100&op_usm=0,5",
        "wid=100&op_usm=2,0",
        "wid=100&op_usmR=3",
    ] {
        assert_eq!(names(&ok((200, 100), q)), ["resample", "underlay"], "{q}");
    }
}

#[test]
fn layer_filters_follow_the_colours_and_view_filters_come_last() {
    let q = "wid=100&op_usm=1,2&op_noise=5&op_sharpen=1&op_grow=2&op_blur=2&op_invert=1&fmt=jpeg";
    assert_eq!(
        names(&ok((200, 100), q)),
        [
            "resample",
            "op_invert",
            "op_blur",
            "op_grow",
            "op_noise",
            "op_usm",
            "op_usm",
            "underlay"
        ]
    );
    let u = usm_of(&ok((200, 100), q));
    assert_eq!((u[0].amount, u[0].sigma), (1.0, 0.5), "op_sharpen first");
    assert_eq!(u[1].sigma, 1.0, "then op_usm at the view scale");
    // The later spelling of op_usm/op_usmR wins.
    assert_eq!(
        usm_of(&ok((200, 100), "wid=50&op_usm=1,8&op_usmR=1,8"))[0].sigma,
        8.0
    );
}

#[test]
fn a_cropped_view_is_filtered_with_the_kernel_reach_around_it() {
    // fit=crop at scale 0.5 keeps source columns 100..300; op_blur=4 is σ 1 at that scale,
    // reach 3 reply pixels = 6 source pixels each side.
    let p = ok(
        (400, 100),
        "wid=100&hei=50&fit=crop&op_blur=4&fmt=png-alpha",
    );
    assert_eq!(
        p.steps,
        [
            rs([100.0 - 6.0, 0.0, 200.0 + 12.0, 100.0], 106, 50),
            Step::Blur { sigma: 1.0 },
            mv([1.0, 0.0, 3.0, 0.0, 1.0, 0.0], 100, 50),
        ]
    );
    // Without neighbourhood filters the window is not widened and the crop fuses.
    let p = ok(
        (400, 100),
        "wid=100&hei=50&fit=crop&op_invert=1&fmt=png-alpha",
    );
    assert_eq!(
        p.steps,
        [
            rs([100.0, 0.0, 200.0, 100.0], 100, 50),
            Step::Color(ColorOp::Invert)
        ]
    );
}

#[test]
fn filters_do_not_spread_into_margins() {
    // extend= margins are added after the filters, by the placement.
    let p = ok(
        (100, 100),
        "extend=10,10,10,10&scl=1&op_blur=2&fmt=png-alpha",
    );
    assert_eq!(
        p.steps,
        [
            Step::Blur { sigma: 1.0 },
            mv([1.0, 0.0, -10.0, 0.0, 1.0, -10.0], 120, 120),
        ]
    );
}

#[test]
fn noise_is_seeded_from_the_request() {
    let seed = |q: &str, src: (u32, u32)| {
        ok(src, q)
            .steps
            .iter()
            .find_map(|s| match s {
                Step::Noise(Noise { seed, .. }) => Some(*seed),
                _ => None,
            })
            .unwrap()
    };
    let a = seed("wid=50&op_noise=20", (100, 80));
    assert_eq!(a, seed("wid=50&op_noise=20,uniform,0", (100, 80)));
    assert_ne!(a, seed("wid=50&op_noise=21", (100, 80)));
    assert_ne!(a, seed("wid=50&op_noise=20,gaussian", (100, 80)));
    assert_ne!(a, seed("wid=50&op_noise=20", (100, 81)));
}

#[test]
fn view_filters_see_past_a_rect_cut() {
    // rect=100,0,100,50 of a 200×100 view: the view image is placed 100 px wide plus the
    // unsharp mask's reach (3 at σ 1) on the left only (the view ends on the right), then cut.
    let p = ok(
        (400, 200),
        "wid=200&op_usmR=2,1&rect=100,0,100,50&fmt=png-alpha",
    );
    let reach = 3;
    assert_eq!(
        p.steps,
        [
            rs([200.0 - 6.0, 0.0, 200.0 + 6.0, 100.0 + 6.0], 103, 53),
            Step::Sharpen(Usm {
                amount: 2.0,
                sigma: 1.0,
                threshold: 0,
                mono: false
            }),
            mv([1.0, 0.0, f64::from(reach), 0.0, 1.0, 0.0], 100, 50),
        ]
    );
    // Without rect= the view image's own edges are its edges: nothing is widened.
    let p = ok((400, 200), "wid=200&op_usmR=2,1&fmt=png-alpha");
    assert_eq!(names(&p), ["resample", "op_usm"]);
}
