//! Unit tests of `plan`'s layer transforms: crop (and its extension), size/scale, flip,
//! rotate, extend, fills and opacity.

use super::plan_tests_util::*;

#[test]
fn flips_and_quarter_turns() {
    let s = (3, 7);
    check(
        s,
        &[
            (
                "scl=1&flip=lr",
                (3, 7),
                vec![mv([-1.0, 0.0, 3.0, 0.0, 1.0, 0.0], 3, 7), under(WHITE)],
            ),
            (
                "scl=1&flip=ud",
                (3, 7),
                vec![mv([1.0, 0.0, 0.0, 0.0, -1.0, 7.0], 3, 7), under(WHITE)],
            ),
            (
                "scl=1&flip=lrud",
                (3, 7),
                vec![mv([-1.0, 0.0, 3.0, 0.0, -1.0, 7.0], 3, 7), under(WHITE)],
            ),
            (
                "scl=1&rotate=180",
                (3, 7),
                vec![mv([-1.0, 0.0, 3.0, 0.0, -1.0, 7.0], 3, 7), under(WHITE)],
            ),
            (
                "scl=1&rotate=-90",
                (7, 3),
                vec![mv([0.0, -1.0, 3.0, 1.0, 0.0, 0.0], 7, 3), under(WHITE)],
            ),
            (
                "scl=1&rotate=270",
                (7, 3),
                vec![mv([0.0, -1.0, 3.0, 1.0, 0.0, 0.0], 7, 3), under(WHITE)],
            ),
            ("scl=1&rotate=360", (3, 7), vec![under(WHITE)]),
            ("scl=1&rotate=-720", (3, 7), vec![under(WHITE)]),
            ("scl=1&rotate=0", (3, 7), vec![under(WHITE)]),
            // flip before rotate (§3.2): flip=ud then 90° clockwise is a transpose
            (
                "scl=1&flip=ud&rotate=90",
                (7, 3),
                vec![mv([0.0, 1.0, 0.0, 1.0, 0.0, 0.0], 7, 3), under(WHITE)],
            ),
            (
                "scl=1&flip=lr&rotate=90&fmt=png-alpha",
                (7, 3),
                vec![mv([0.0, -1.0, 3.0, -1.0, 0.0, 7.0], 7, 3)],
            ),
        ],
    );
    // a flip with a downscale: one resample, then the mirror at reply size
    check(
        (2000, 1000),
        &[(
            "flip=lr&wid=400",
            (400, 200),
            vec![
                rs(FULL, 400, 200),
                mv([-1.0, 0.0, 400.0, 0.0, 1.0, 0.0], 400, 200),
                under(WHITE),
            ],
        )],
    );
}

#[test]
fn crops_extending_the_image() {
    check(
        (2000, 1000),
        &[
            (
                "crop=-100,0,2200,1000&scl=1&fmt=png-alpha",
                (2200, 1000),
                vec![at(100.0, 0.0, 2200, 1000)],
            ),
            // in-bounds resample, then the placement at reply size
            (
                "crop=-100,0,2200,1000&wid=440&fmt=png-alpha",
                (440, 200),
                vec![rs(FULL, 400, 200), at(20.0, 0.0, 440, 200)],
            ),
            (
                "crop=100,100,500,500&scl=1",
                (500, 500),
                vec![
                    mv([1.0, 0.0, 100.0, 0.0, 1.0, 100.0], 500, 500),
                    under(WHITE),
                ],
            ),
            (
                "crop=1900,900,200,200&scl=1",
                (200, 200),
                vec![
                    mv([1.0, 0.0, 1900.0, 0.0, 1.0, 900.0], 200, 200),
                    under(WHITE),
                ],
            ),
            (
                "crop=1900,900,200,200&wid=100",
                (100, 100),
                vec![
                    rs([1900.0, 900.0, 100.0, 100.0], 50, 50),
                    at(0.0, 0.0, 100, 100),
                    under(WHITE),
                ],
            ),
            (
                "crop=5000,5000,10,10&scl=1",
                (10, 10),
                vec![mv([0.0, 0.0, -1.0, 0.0, 0.0, -1.0], 10, 10), under(WHITE)],
            ),
            (
                "crop=-10,-10,20,20&scl=1&bgColor=ff0000",
                (20, 20),
                vec![at(10.0, 10.0, 20, 20), under(RED), under(WHITE)],
            ),
            (
                "cropN=0,0,1,0.8&scl=1",
                (2000, 800),
                vec![mv([1.0, 0.0, 0.0, 0.0, 1.0, 0.0], 2000, 800), under(WHITE)],
            ),
        ],
    );
}

#[test]
fn layer_size_and_scale() {
    check(
        (2000, 1000),
        &[
            (
                "size=200,0&scl=1",
                (200, 100),
                vec![rs(FULL, 200, 100), under(WHITE)],
            ),
            (
                "size=0,50&scl=1",
                (100, 50),
                vec![rs(FULL, 100, 50), under(WHITE)],
            ),
            (
                "size=100,100&scl=1",
                (100, 50),
                vec![rs(FULL, 100, 50), under(WHITE)],
            ),
            (
                "size=4000,0&scl=1",
                (4000, 2000),
                vec![rs(FULL, 4000, 2000), under(WHITE)],
            ),
            ("size=0,0&scl=1", (2000, 1000), vec![under(WHITE)]),
            (
                "size=200,0&scale=3&scl=1",
                (200, 100),
                vec![rs(FULL, 200, 100), under(WHITE)],
            ),
            (
                "scale=0.5&scl=1",
                (1000, 500),
                vec![rs(FULL, 1000, 500), under(WHITE)],
            ),
            // layer scale and view scale fuse into one resample
            (
                "scale=0.5&wid=100",
                (100, 50),
                vec![rs(FULL, 100, 50), under(WHITE)],
            ),
            (
                "size=200,0&extend=0,30,0,0&scl=1",
                (200, 130),
                vec![rs(FULL, 200, 100), at(0.0, 30.0, 200, 130), under(WHITE)],
            ),
            (
                "cropN=.2,.3,.6,.6&size=120,0&scl=1",
                (120, 60),
                vec![rs([400.0, 300.0, 1200.0, 600.0], 120, 60), under(WHITE)],
            ),
            ("anchor=10,10&scl=1", (2000, 1000), vec![under(WHITE)]),
            (
                "anchorN=0.5,-0.5&rotate=90&scl=1&fmt=png-alpha",
                (1000, 2000),
                vec![mv([0.0, 1.0, 0.0, -1.0, 0.0, 1000.0], 1000, 2000)],
            ),
        ],
    );
}

#[test]
fn extend() {
    check(
        (2000, 1000),
        &[
            (
                "extend=10,20,30,40&scl=1&fmt=png-alpha",
                (2040, 1060),
                vec![at(10.0, 20.0, 2040, 1060)],
            ),
            (
                "extend=-10,0,-20,0&scl=1",
                (1970, 1000),
                vec![
                    mv([1.0, 0.0, 10.0, 0.0, 1.0, 0.0], 1970, 1000),
                    under(WHITE),
                ],
            ),
            (
                "extendN=0.1,0,0,0.5&scl=1",
                (2200, 1500),
                vec![at(200.0, 0.0, 2200, 1500), under(WHITE)],
            ),
            // extendN is relative to the rotated layer
            (
                "rotate=90&extendN=0.1,0,0,0&scl=1&fmt=png-alpha",
                (1100, 2000),
                vec![mv([0.0, 1.0, 0.0, -1.0, 0.0, 1100.0], 1100, 2000)],
            ),
            (
                "extend=10,10,10,10&wid=202",
                (202, 102),
                vec![rs(FULL, 200, 100), at(1.0, 1.0, 202, 102), under(WHITE)],
            ),
        ],
    );
}

#[test]
fn fills_and_opacity() {
    let green = Rgba::rgb(0, 255, 0);
    let half = Rgba {
        r: 0,
        g: 0,
        b: 255,
        a: 128,
    };
    check(
        (2000, 1000),
        &[
            // opac= only touches the image; colour fills come after it (§3.2)
            (
                "opac=50&scl=2&fmt=png-alpha",
                (1000, 500),
                vec![rs(FULL, 1000, 500), Step::Opacity { opacity: 0.5 }],
            ),
            (
                "opac=50,50&crop=-10,0,2010,1000&color=00ff00&scl=1",
                (2010, 1000),
                vec![
                    at(10.0, 0.0, 2010, 1000),
                    Step::Opacity { opacity: 0.25 },
                    under(green),
                    under(WHITE),
                ],
            ),
            (
                "opac=100&color=0,0,0,0&bgColor=0,0,0,0&scl=1",
                (2000, 1000),
                vec![under(WHITE)],
            ),
            // bgColor fills the composite (crop extension and extend), not the view padding
            (
                "crop=-10,0,2010,1000&bgColor=0000ff80&wid=201&hei=300&fmt=png-alpha",
                (201, 300),
                vec![
                    rs(FULL, 200, 100),
                    at(1.0, 0.0, 201, 100),
                    under(half),
                    at(0.0, 100.0, 201, 300),
                ],
            ),
            (
                "opac=0&scl=1&fmt=png-alpha",
                (2000, 1000),
                vec![Step::Opacity { opacity: 0.0 }],
            ),
        ],
    );
    // color= is under the layer before the rotation; bgColor= after it
    let p = ok((2000, 1000), "rotate=30&color=00ff00&bgColor=ff0000&scl=2");
    let kinds: Vec<&str> = p.steps.iter().map(|s| s.name()).collect();
    assert_eq!(
        kinds,
        ["resample", "underlay", "affine", "underlay", "underlay"]
    );
    assert_eq!(p.steps[1], under(green));
    assert_eq!(p.steps[3], under(RED));
}
