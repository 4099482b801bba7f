//! Unit tests of `plan`: the worked examples of spec/is-protocol.md §11, every fit mode with and
//! without upscale, odd sizes, layer transforms, limits, encoding and `steps_for_input`.

use super::plan_tests_util::*;

/// Every row of the §11 table (source 2000×1000, DefaultPix 400,400, BkgColor white).
#[test]
fn worked_examples() {
    let crop_x = [1000.0 / 3.0, 0.0, 4000.0 / 3.0, 1000.0];
    let rows = vec![
        ("", (400, 200), vec![rs(FULL, 400, 200), under(WHITE)]),
        ("scl=1", (2000, 1000), vec![under(WHITE)]),
        (
            "wid=400",
            (400, 200),
            vec![rs(FULL, 400, 200), under(WHITE)],
        ),
        (
            "hei=300",
            (600, 300),
            vec![rs(FULL, 600, 300), under(WHITE)],
        ),
        (
            "wid=400&hei=300",
            (400, 300),
            vec![rs(FULL, 400, 200), at(0.0, 50.0, 400, 300), under(WHITE)],
        ),
        (
            "wid=400&hei=300&align=0,-1",
            (400, 300),
            vec![rs(FULL, 400, 200), at(0.0, 0.0, 400, 300), under(WHITE)],
        ),
        (
            "wid=400&hei=300&fit=crop",
            (400, 300),
            vec![rs(crop_x, 400, 300), under(WHITE)],
        ),
        (
            "wid=400&hei=300&fit=crop&align=-1,0",
            (400, 300),
            vec![rs([0.0, 0.0, 4000.0 / 3.0, 1000.0], 400, 300), under(WHITE)],
        ),
        (
            "wid=400&hei=300&fit=constrain",
            (400, 200),
            vec![rs(FULL, 400, 200), under(WHITE)],
        ),
        (
            "wid=400&hei=300&fit=wrap",
            (600, 300),
            vec![rs(FULL, 600, 300), under(WHITE)],
        ),
        (
            "wid=400&hei=300&fit=stretch",
            (400, 300),
            vec![rs(FULL, 400, 300), under(WHITE)],
        ),
        (
            "wid=400&hei=300&fit=hfit",
            (400, 300),
            vec![rs(FULL, 400, 200), at(0.0, 50.0, 400, 300), under(WHITE)],
        ),
        (
            "wid=400&hei=300&fit=vfit",
            (400, 300),
            vec![rs(crop_x, 400, 300), under(WHITE)],
        ),
        (
            "wid=4000&hei=3000&fit=fit",
            (4000, 3000),
            vec![at(1000.0, 1000.0, 4000, 3000), under(WHITE)],
        ),
        (
            "wid=4000&hei=3000&fit=fit,1",
            (4000, 3000),
            vec![
                rs(FULL, 4000, 2000),
                at(0.0, 500.0, 4000, 3000),
                under(WHITE),
            ],
        ),
        ("scl=4", (500, 250), vec![rs(FULL, 500, 250), under(WHITE)]),
        (
            "scl=4&wid=400&hei=300",
            (400, 300),
            vec![
                rs([200.0, 0.0, 1600.0, 1000.0], 400, 250),
                at(0.0, 25.0, 400, 300),
                under(WHITE),
            ],
        ),
        (
            "wid=400&hei=300&fmt=png-alpha",
            (400, 300),
            vec![rs(FULL, 400, 200), at(0.0, 50.0, 400, 300)],
        ),
        (
            "cropN=0.25,0,0.5,1&wid=200",
            (200, 200),
            vec![rs([500.0, 0.0, 1000.0, 1000.0], 200, 200), under(WHITE)],
        ),
        (
            "rotate=90&wid=200",
            (200, 400),
            vec![
                rs(FULL, 400, 200),
                mv([0.0, 1.0, 0.0, -1.0, 0.0, 200.0], 200, 400),
                under(WHITE),
            ],
        ),
        (
            "extend=10,10,10,10&bgColor=ff0000&scl=1",
            (2020, 1020),
            vec![at(10.0, 10.0, 2020, 1020), under(RED), under(WHITE)],
        ),
    ];
    check((2000, 1000), &rows);
}

/// A 200×100 composite in a 400×300 view: every mode, with and without upscale.
#[test]
fn fit_modes_with_and_without_upscale() {
    let full = [0.0, 0.0, 200.0, 100.0];
    let crop3 = [100.0 / 3.0, 0.0, 400.0 / 3.0, 100.0];
    let padded = vec![at(100.0, 100.0, 400, 300), under(WHITE)];
    let up2 = vec![rs(full, 400, 200), at(0.0, 50.0, 400, 300), under(WHITE)];
    let rows = vec![
        ("wid=400&hei=300", (400, 300), up2.clone()), // no fit: upscaling allowed (§10 item 1)
        ("wid=400&hei=300&fit=fit", (400, 300), padded.clone()),
        ("wid=400&hei=300&fit=fit,1", (400, 300), up2.clone()),
        (
            "wid=400&hei=300&fit=constrain",
            (200, 100),
            vec![under(WHITE)],
        ),
        (
            "wid=400&hei=300&fit=constrain,1",
            (400, 200),
            vec![rs(full, 400, 200), under(WHITE)],
        ),
        ("wid=400&hei=300&fit=crop", (400, 300), padded.clone()),
        (
            "wid=400&hei=300&fit=crop,1",
            (400, 300),
            vec![rs(crop3, 400, 300), under(WHITE)],
        ),
        ("wid=400&hei=300&fit=wrap", (200, 100), vec![under(WHITE)]),
        (
            "wid=400&hei=300&fit=wrap,1",
            (600, 300),
            vec![rs(full, 600, 300), under(WHITE)],
        ),
        ("wid=400&hei=300&fit=stretch", (400, 300), padded.clone()),
        (
            "wid=400&hei=300&fit=stretch,1",
            (400, 300),
            vec![rs(full, 400, 300), under(WHITE)],
        ),
        (
            "wid=400&hei=300&fit=stretch&align=1,1",
            (400, 300),
            padded.clone(),
        ),
        ("wid=400&hei=300&fit=hfit", (400, 300), padded.clone()),
        ("wid=400&hei=300&fit=hfit,1", (400, 300), up2),
        ("wid=400&hei=300&fit=vfit", (400, 300), padded),
        (
            "wid=400&hei=300&fit=vfit,1",
            (400, 300),
            vec![rs(crop3, 400, 300), under(WHITE)],
        ),
        (
            "wid=100&fit=crop,0",
            (100, 50),
            vec![rs(full, 100, 50), under(WHITE)],
        ),
        (
            "wid=400&fit=crop,0",
            (400, 200),
            vec![rs(full, 400, 200), under(WHITE)],
        ), // case C
        (
            "hei=300&fit=fit",
            (600, 300),
            vec![rs(full, 600, 300), under(WHITE)],
        ), // case C′
        (
            "wid=400&hei=300&fit=fit,1&align=-1,1",
            (400, 300),
            vec![rs(full, 400, 200), at(0.0, 100.0, 400, 300), under(WHITE)],
        ),
        (
            "wid=300&hei=300&fit=crop,1&align=1,0",
            (300, 300),
            vec![rs([100.0, 0.0, 100.0, 100.0], 300, 300), under(WHITE)],
        ),
        (
            "scl=1&fit=crop&wid=100",
            (100, 100),
            vec![at(-50.0, 0.0, 100, 100), under(WHITE)],
        ), // scl disables fit
    ];
    check((200, 100), &rows);
}

#[test]
fn odd_sizes() {
    check(
        (1, 1),
        &[
            ("", (1, 1), vec![under(WHITE)]),
            (
                "wid=400",
                (400, 400),
                vec![rs([0.0, 0.0, 1.0, 1.0], 400, 400), under(WHITE)],
            ),
            (
                "wid=10&hei=10&fit=crop",
                (10, 10),
                vec![at(5.0, 5.0, 10, 10), under(WHITE)],
            ),
            (
                "hei=2&wid=3&fit=stretch,1",
                (3, 2),
                vec![rs([0.0, 0.0, 1.0, 1.0], 3, 2), under(WHITE)],
            ),
        ],
    );
    check(
        (1, 5000),
        &[
            (
                "",
                (1, 400),
                vec![rs([0.0, 0.0, 1.0, 5000.0], 1, 400), under(WHITE)],
            ),
            (
                "hei=1",
                (1, 1),
                vec![rs([0.0, 0.0, 1.0, 5000.0], 1, 1), under(WHITE)],
            ),
            (
                "wid=100&hei=100&fit=crop",
                (100, 100),
                vec![
                    mv([1.0, 0.0, -50.0, 0.0, 1.0, 2450.0], 100, 100),
                    under(WHITE),
                ],
            ),
        ],
    );
    check(
        (30000, 10),
        &[
            (
                "",
                (400, 1),
                vec![rs([0.0, 0.0, 30000.0, 10.0], 400, 1), under(WHITE)],
            ),
            (
                "wid=400&hei=400",
                (400, 400),
                vec![
                    rs([0.0, 0.0, 30000.0, 10.0], 400, 1),
                    at(0.0, 200.0, 400, 400),
                    under(WHITE),
                ],
            ),
            (
                "wid=400&hei=400&fit=crop",
                (400, 400),
                vec![
                    mv([1.0, 0.0, 14800.0, 0.0, 1.0, -195.0], 400, 400),
                    under(WHITE),
                ],
            ),
        ],
    );
    check(
        (3, 7),
        &[
            (
                "scl=1&rotate=90",
                (7, 3),
                vec![mv([0.0, 1.0, 0.0, -1.0, 0.0, 7.0], 7, 3), under(WHITE)],
            ),
            (
                "wid=2&hei=2&fit=stretch",
                (2, 2),
                vec![rs([0.0, 0.0, 3.0, 7.0], 2, 2), under(WHITE)],
            ),
            (
                "scl=1&cropN=0.3,0.3,0.4,0.4",
                (1, 3),
                vec![mv([1.0, 0.0, 1.0, 0.0, 1.0, 2.0], 1, 3), under(WHITE)],
            ),
            (
                "scl=1&extendN=0.5,0,0,0",
                (5, 7),
                vec![at(2.0, 0.0, 5, 7), under(WHITE)],
            ),
            (
                "wid=6",
                (6, 14),
                vec![rs([0.0, 0.0, 3.0, 7.0], 6, 14), under(WHITE)],
            ),
        ],
    );
}
