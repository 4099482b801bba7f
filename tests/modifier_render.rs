//! Plans from `ipsd::modifier` run through the CPU executor: the step conventions (pixel
//! centres, rotation direction, fills) give the pictures the commands describe.

use ipsd::engine::cpu::{run_shared_steps, run_steps};
use ipsd::engine::{Image, Rgba};
use ipsd::modifier::{parse, plan, Limits};
use std::sync::Arc;

const RED: [u8; 4] = [255, 0, 0, 255];
const BLUE: [u8; 4] = [0, 0, 255, 255];
const GREEN: [u8; 4] = [0, 255, 0, 255];
const WHITE: [u8; 4] = [255, 255, 255, 255];
const CLEAR: [u8; 4] = [0, 0, 0, 0];

/// Left half red, right half blue, with a green top-left pixel.
fn source(w: u32, h: u32) -> Image {
    let mut img = Image::filled(w, h, Rgba::rgb(255, 0, 0));
    for y in 0..h {
        for x in w / 2..w {
            let i = ((y * w + x) * 4) as usize;
            img.data[i..i + 4].copy_from_slice(&BLUE);
        }
    }
    img.data[..4].copy_from_slice(&GREEN);
    img
}

fn render(src: &Image, q: &str) -> Image {
    let c = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    let limits = Limits::image_serving((400, 400), (0, 0), 100_000_000);
    let p = plan(src.width, src.height, &c, &limits).unwrap_or_else(|e| panic!("{q}: {e}"));
    let out = run_steps(src.clone(), &p.steps).unwrap();
    assert_eq!((out.width, out.height), (p.width, p.height), "{q}");
    out
}

#[test]
fn flips_and_quarter_turns_move_the_marker() {
    let src = source(20, 10);
    let out = render(&src, "scl=1&flip=lr");
    assert_eq!(
        (out.pixel(19, 0), out.pixel(0, 5), out.pixel(19, 5)),
        (GREEN, BLUE, RED)
    );
    let out = render(&src, "scl=1&flip=ud");
    assert_eq!(out.pixel(0, 9), GREEN);
    let out = render(&src, "scl=1&rotate=90");
    assert_eq!((out.width, out.height), (10, 20));
    // clockwise: the top-left corner goes to the top-right, the left half to the top
    assert_eq!(
        (out.pixel(9, 0), out.pixel(5, 2), out.pixel(5, 17)),
        (GREEN, RED, BLUE)
    );
    let out = render(&src, "scl=1&rotate=-90");
    assert_eq!((out.pixel(0, 19), out.pixel(5, 2)), (GREEN, BLUE));
}

#[test]
fn view_padding_is_bgc_or_transparent() {
    let src = source(200, 100);
    let out = render(&src, "wid=40&hei=30");
    assert_eq!(
        (
            out.pixel(10, 2),
            out.pixel(10, 15),
            out.pixel(30, 15),
            out.pixel(10, 28)
        ),
        (WHITE, RED, BLUE, WHITE)
    );
    let out = render(&src, "wid=40&hei=30&fmt=png-alpha&bgc=00ff00");
    assert_eq!((out.pixel(10, 2), out.pixel(10, 15)), (CLEAR, RED));
    let out = render(&src, "wid=40&hei=30&bgc=0,255,0");
    assert_eq!(out.pixel(10, 2), GREEN);
    let out = render(&src, "wid=30&hei=30&fit=crop&align=-1,0");
    assert_eq!((out.pixel(24, 15), out.pixel(20, 29)), (RED, RED));
}

#[test]
fn extend_crop_extension_and_fills() {
    let src = source(20, 10);
    let out = render(&src, "scl=1&extend=2,2,2,2&bgColor=0000ff");
    assert_eq!((out.width, out.height), (24, 14));
    assert_eq!(
        (out.pixel(0, 0), out.pixel(2, 2), out.pixel(3, 5)),
        (BLUE, GREEN, RED)
    );
    let out = render(&src, "scl=1&crop=-5,0,30,10&fmt=png-alpha");
    assert_eq!(
        (out.pixel(0, 0), out.pixel(5, 0), out.pixel(29, 5)),
        (CLEAR, GREEN, CLEAR)
    );
    let out = render(&src, "scl=1&crop=-5,0,30,10&color=00ff00");
    assert_eq!(
        (out.pixel(0, 5), out.pixel(27, 5), out.pixel(8, 5)),
        (GREEN, GREEN, RED)
    );
    let out = render(&src, "scl=1&opac=50&fmt=png-alpha");
    assert_eq!(out.pixel(3, 3), [255, 0, 0, 128]);
}

#[test]
fn arbitrary_rotation_keeps_the_centre_and_fills_corners() {
    let src = Image::filled(100, 50, Rgba::rgb(255, 0, 0));
    let out = render(&src, "scl=1&rotate=30");
    assert_eq!((out.width, out.height), (112, 94)); // ceil(86.60 + 25), ceil(50 + 43.30)
    assert_eq!(
        (out.pixel(56, 47), out.pixel(0, 0), out.pixel(111, 93)),
        (RED, WHITE, WHITE)
    );
    let out = render(&src, "scl=1&rotate=30&bgColor=0000ff");
    assert_eq!(out.pixel(0, 0), BLUE);
}

#[test]
fn shrunk_inputs_give_the_same_picture() {
    let src = source(800, 400);
    let c = parse("wid=100").unwrap();
    let p = plan(800, 400, &c, &Limits::default()).unwrap();
    assert_eq!(p.decode_shrink, 4); // 1/8 needed, 2× kept
    let quarter = source(200, 100);
    let a = run_steps(src, &p.steps).unwrap();
    let b = run_steps(quarter, &p.steps_for_input(200, 100)).unwrap();
    assert_eq!((b.width, b.height), (100, 50));
    assert_eq!(
        (a.pixel(10, 25), a.pixel(90, 25)),
        (b.pixel(10, 25), b.pixel(90, 25))
    );
}

/// Pixels shared by several renders (a shared decode) give the same result as an own copy,
/// whether the first step reads them into a new image (read in place) or changes its input
/// (copied first), and stay as they were for the other holders.
#[test]
fn shared_pixels_render_like_an_own_copy_and_stay_untouched() {
    let src = source(40, 30);
    let limits = Limits::image_serving((400, 400), (0, 0), 100_000_000);
    for q in [
        "wid=17&rotate=90",
        "rotate=33",
        "op_invert=1&wid=20",
        "opac=50",
        "",
    ] {
        let c = parse(q).unwrap();
        let p = plan(src.width, src.height, &c, &limits).unwrap();
        let shared = Arc::new(src.clone());
        let other_holder = shared.clone();
        let got = run_shared_steps(shared, &p.steps).unwrap();
        assert_eq!(got, run_steps(src.clone(), &p.steps).unwrap(), "{q}");
        assert_eq!(*other_holder, src, "{q}: the shared pixels changed");
        let alone = run_shared_steps(Arc::new(src.clone()), &p.steps).unwrap();
        assert_eq!(alone, got, "{q}: the last holder");
    }
}
