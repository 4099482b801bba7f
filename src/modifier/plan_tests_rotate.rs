//! Unit tests of `plan` for arbitrary rotation angles: bounding box, one resample then one
//! bilinear `Affine`, and the exact reply-to-source geometry.

use super::plan_tests_util::*;

#[test]
fn arbitrary_rotation() {
    let p = ok((2000, 1000), "rotate=45&scl=1");
    // bounding box: ceil(2000·cos45 + 1000·sin45) = ceil(2121.32) = 2122, square
    assert_eq!((p.width, p.height), (2122, 2122));
    let [a, b, c, d, e, f] = match &p.steps[0] {
        Step::Affine {
            m,
            sampling: Sampling::Bilinear,
            width: 2122,
            height: 2122,
            ..
        } => *m,
        s => panic!("{s:?}"),
    };
    let h = std::f64::consts::FRAC_1_SQRT_2;
    assert!(
        close(a, h) && close(b, h) && close(d, -h) && close(e, h),
        "{:?}",
        p.steps
    );
    // the reply's centre maps to the source's centre
    assert!(
        close(a * 1061.0 + b * 1061.0 + c, 1000.0) && close(d * 1061.0 + e * 1061.0 + f, 500.0)
    );
    assert_eq!(p.steps[1], under(WHITE));
    assert_eq!(p.decode_shrink, 1);

    // downscaled: one resample to whole pixels, then the bilinear rotation
    let p = ok((2000, 1000), "rotate=45&wid=200");
    assert_eq!((p.width, p.height), (200, 200));
    assert_steps("rotate=45&wid=200", &p.steps[..1], &[rs(FULL, 189, 94)]);
    assert!(matches!(
        p.steps[1],
        Step::Affine {
            sampling: Sampling::Bilinear,
            width: 200,
            height: 200,
            ..
        }
    ));
    assert_eq!(p.steps.len(), 3);
    assert_eq!(
        p.decode_shrink, 1,
        "never shrink-on-load with an arbitrary rotation"
    );
}

/// The map from reply pixels to source pixels that a plan's geometric steps implement.
fn reply_to_source(steps: &[Step]) -> [f64; 6] {
    let mut m = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]; // reply → current input
    let compose = |m: [f64; 6], n: [f64; 6]| {
        // n after m: p ↦ n(m(p))
        [
            n[0] * m[0] + n[1] * m[3],
            n[0] * m[1] + n[1] * m[4],
            n[0] * m[2] + n[1] * m[5] + n[2],
            n[3] * m[0] + n[4] * m[3],
            n[3] * m[1] + n[4] * m[4],
            n[3] * m[2] + n[4] * m[5] + n[5],
        ]
    };
    for s in steps.iter().rev() {
        let step = match s {
            Step::Affine { m, .. } => *m,
            Step::Resample {
                src, width, height, ..
            } => {
                let (kx, ky) = (src[2] / f64::from(*width), src[3] / f64::from(*height));
                [kx, 0.0, src[0], 0.0, ky, src[1]]
            }
            _ => continue,
        };
        m = compose(m, step);
    }
    m
}

#[test]
fn rotation_geometry_is_exact() {
    for (q, scale) in [
        ("rotate=30&scl=2", 2.0),
        ("rotate=-100&scl=0.5", 0.5),
        ("rotate=45&scl=7", 7.0),
    ] {
        let p = ok((2000, 1000), q);
        let deg: f64 = q[7..q.find('&').unwrap()].parse().unwrap();
        let (sin, cos) = deg.to_radians().sin_cos();
        let bw = (2000.0 * cos.abs() + 1000.0 * sin.abs()).ceil();
        let bh = (2000.0 * sin.abs() + 1000.0 * cos.abs()).ceil();
        assert_eq!(
            (p.width, p.height),
            ((bw / scale).round() as u32, (bh / scale).round() as u32),
            "{q}"
        );
        let (kx, ky) = (f64::from(p.width) / bw, f64::from(p.height) / bh);
        let m = reply_to_source(&p.steps);
        for (ox, oy) in [
            (0.0, 0.0),
            (10.5, 20.25),
            (f64::from(p.width), f64::from(p.height) / 3.0),
        ] {
            // reply → composite → unrotate about the box centre → source
            let (bx, by) = (ox / kx - bw / 2.0, oy / ky - bh / 2.0);
            let (sx, sy) = (cos * bx + sin * by + 1000.0, -sin * bx + cos * by + 500.0);
            let (gx, gy) = (m[0] * ox + m[1] * oy + m[2], m[3] * ox + m[4] * oy + m[5]);
            assert!(
                (gx - sx).abs() < 1e-6 && (gy - sy).abs() < 1e-6,
                "{q} at {ox},{oy}: {gx},{gy} vs {sx},{sy}"
            );
        }
    }
}
