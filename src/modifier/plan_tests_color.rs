//! Unit tests of the colour commands (`op_brightness`, `op_contrast`, `op_colorbalance`,
//! `op_saturation`, `op_hue`, `op_invert`): range errors, neutral values, canonical order and placement.

use super::plan_tests_util::*;
use crate::engine::ColorOp;

fn colors(p: &Plan) -> Vec<ColorOp> {
    p.steps
        .iter()
        .filter_map(|s| match s {
            Step::Color(op) => Some(*op),
            _ => None,
        })
        .collect()
}

#[test]
fn out_of_range_values_state_the_range() {
    let table = [
        (
            "op_brightness=101",
            "op_brightness: '101' is not a valid brightness (integer from -100 to 100)",
        ),
        (
            "op_brightness=1.5",
            "op_brightness: '1.5' is not a valid brightness (integer from -100 to 100)",
        ),
        (
            "op_contrast=-101",
            "op_contrast: '-101' is not a valid contrast (integer from -100 to 100)",
        ),
        (
            "op_saturation=x",
            "op_saturation: 'x' is not a valid saturation (integer from -100 to 100)",
        ),
        (
            "op_hue=181",
            "op_hue: '181' is not a valid hue angle (integer from -180 to 180)",
        ),
        (
            "op_invert=2",
            "op_invert: '2' is not a valid invert flag (0 or 1)",
        ),
        (
            "OP_INVERT=",
            "op_invert: '' is not a valid invert flag (0 or 1)",
        ),
    ];
    for (q, want) in table {
        assert_eq!(parse(q).unwrap_err().to_string(), want, "{q}");
    }
    let c = parse("op_colorize=160,176,192,off,30")
        .unwrap()
        .op_colorize
        .unwrap();
    assert_eq!(
        (c.color, c.norm, c.contrast),
        (Rgba::rgb(160, 176, 192), false, 30.0)
    );
    let c = parse("op_colorize=a0b0c0").unwrap().op_colorize.unwrap();
    assert_eq!(
        (c.color, c.norm, c.contrast),
        (Rgba::rgb(160, 176, 192), true, 0.0)
    );
    for q in [
        "op_brightness=-100",
        "op_contrast=100",
        "op_saturation=-100",
        "op_hue=-180",
        "op_hue=180",
        "op_invert=1",
    ] {
        assert!(parse(q).is_ok(), "{q}");
    }
}

#[test]
fn neutral_values_are_dropped() {
    let q =
        "op_brightness=0&op_contrast=0&op_saturation=0&op_hue=0&op_invert=0&op_colorbalance=0,0,0";
    assert_eq!(ok((100, 80), q).steps, ok((100, 80), "").steps);
    assert_eq!(
        ok((100, 80), &format!("{q}&wid=50")).steps,
        ok((100, 80), "wid=50").steps
    );
}

#[test]
fn colour_commands_run_in_the_documented_order() {
    let p = ok(
        (100, 80),
        "op_invert=1&op_colorize=ff0000,norm,50&op_saturation=-50&op_hue=30&op_colorBalance=100,0,-5&op_contrast=20&op_brightness=-10",
    );
    assert_eq!(
        colors(&p),
        [
            ColorOp::Brightness(-10),
            ColorOp::Contrast(20),
            ColorOp::ColorBalance([100, 0, -5]),
            ColorOp::Hue(30),
            ColorOp::Saturation(-50),
            ColorOp::Colorize {
                rgb: [255, 0, 0],
                norm: true,
                contrast: 50.0
            },
            ColorOp::Invert,
        ]
    );
    // Last occurrence wins, case-insensitively.
    assert_eq!(
        colors(&ok((10, 10), "op_hue=10&OP_HUE=-20")),
        [ColorOp::Hue(-20)]
    );
}

#[test]
fn colour_commands_act_on_the_resampled_layer() {
    let p = ok((100, 80), "op_invert=1&fmt=png-alpha");
    assert_eq!(p.steps, [Step::Color(ColorOp::Invert)]);
    // After the resample, at the layer's reply resolution.
    let p = ok((100, 80), "wid=50&op_invert=1&fmt=png-alpha");
    assert_eq!(
        p.steps,
        [
            rs([0.0, 0.0, 100.0, 80.0], 50, 40),
            Step::Color(ColorOp::Invert)
        ]
    );
    // With opac= (they commute; both come with the first placement) and before bgc=.
    let p = ok((100, 80), "opac=50&op_invert=1&fmt=jpeg&extend=0,0,10,0");
    let names: Vec<&str> = p.steps.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["affine", "opacity", "op_invert", "underlay"]);
    // After the color= fill, which they change too (it is part of the layer), and before
    // the bgColor= fill, which they do not.
    let p = ok(
        (100, 80),
        "color=ff0000&bgColor=00ff00&rotate=90&op_invert=1&fmt=png-alpha",
    );
    let names: Vec<&str> = p.steps.iter().map(|s| s.name()).collect();
    let under = names.iter().position(|n| *n == "underlay").unwrap();
    let inv = names.iter().position(|n| *n == "op_invert").unwrap();
    assert_eq!(inv, under + 1, "{names:?}");
    assert_eq!(
        names.iter().filter(|n| **n == "underlay").count(),
        2,
        "{names:?}"
    );
    assert_eq!(*names.last().unwrap(), "underlay", "{names:?}");
}
