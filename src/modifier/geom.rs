//! Geometry for `plan`: 2×3 affine maps and rectangles in pixel coordinates, where (0,0) is the
//! top-left corner of the top-left pixel (the convention of `engine::Step`).

/// `x' = a·x + b·y + c`, `y' = d·x + e·y + f`, stored as `[a, b, c, d, e, f]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aff(pub [f64; 6]);

impl Aff {
    pub const ID: Aff = Aff([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);

    pub fn translate(x: f64, y: f64) -> Aff {
        Aff([1.0, 0.0, x, 0.0, 1.0, y])
    }

    pub fn scale(x: f64, y: f64) -> Aff {
        Aff([x, 0.0, 0.0, 0.0, y, 0.0])
    }

    /// A clockwise rotation (y points down) about the origin by `(cos, sin)`.
    pub fn rotate(cos: f64, sin: f64) -> Aff {
        Aff([cos, -sin, 0.0, sin, cos, 0.0])
    }

    /// `self`, then `next`.
    pub fn then(self, next: Aff) -> Aff {
        let [a, b, c, d, e, f] = self.0;
        let [p, q, r, s, t, u] = next.0;
        Aff([
            p * a + q * d,
            p * b + q * e,
            p * c + q * f + r,
            s * a + t * d,
            s * b + t * e,
            s * c + t * f + u,
        ])
    }

    pub fn apply(self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + b * y + c, d * x + e * y + f)
    }

    pub fn inverse(self) -> Aff {
        let [a, b, c, d, e, f] = self.0;
        let det = a * e - b * d;
        let (ia, ib, id, ie) = (e / det, -b / det, -d / det, a / det);
        Aff([ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)])
    }

    /// Rounds entries within 1e-9 of an integer to it (removes floating-point noise).
    pub fn snapped(self) -> Aff {
        Aff(self.0.map(snap))
    }
}

/// `x` rounded to the nearest integer when it is within 1e-9 of it.
pub fn snap(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() < 1e-9 {
        r
    } else {
        x
    }
}

/// An axis-aligned rectangle `[x0, x1) × [y0, y1)`; empty when `x1 <= x0` or `y1 <= y0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RectF {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl RectF {
    pub fn sized(w: f64, h: f64) -> RectF {
        RectF {
            x0: 0.0,
            y0: 0.0,
            x1: w,
            y1: h,
        }
    }

    pub fn intersect(self, o: RectF) -> RectF {
        RectF {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        }
    }

    pub fn is_empty(self) -> bool {
        self.x1 <= self.x0 || self.y1 <= self.y0
    }

    /// The bounding box of the rectangle's image under `m` (empty stays empty).
    pub fn map(self, m: Aff) -> RectF {
        if self.is_empty() {
            return RectF::sized(0.0, 0.0);
        }
        let pts = [
            (self.x0, self.y0),
            (self.x1, self.y0),
            (self.x0, self.y1),
            (self.x1, self.y1),
        ];
        let mapped = pts.map(|(x, y)| m.apply(x, y));
        let xs = mapped.map(|p| p.0);
        let ys = mapped.map(|p| p.1);
        RectF {
            x0: xs.iter().copied().fold(f64::INFINITY, f64::min),
            y0: ys.iter().copied().fold(f64::INFINITY, f64::min),
            x1: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            y1: ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }

    /// Each edge rounded to the nearest pixel boundary.
    pub fn round(self) -> IRect {
        IRect {
            x0: self.x0.round() as i64,
            y0: self.y0.round() as i64,
            x1: self.x1.round() as i64,
            y1: self.y1.round() as i64,
        }
    }

    /// The smallest pixel-aligned rectangle containing this one, grown by `pad` pixels.
    pub fn outward(self, pad: i64) -> IRect {
        IRect {
            x0: (snap(self.x0).floor() as i64).saturating_sub(pad),
            y0: (snap(self.y0).floor() as i64).saturating_sub(pad),
            x1: (snap(self.x1).ceil() as i64).saturating_add(pad),
            y1: (snap(self.y1).ceil() as i64).saturating_add(pad),
        }
    }
}

/// A pixel-aligned rectangle `[x0, x1) × [y0, y1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IRect {
    pub x0: i64,
    pub y0: i64,
    pub x1: i64,
    pub y1: i64,
}

impl IRect {
    pub fn sized(w: u32, h: u32) -> IRect {
        IRect {
            x0: 0,
            y0: 0,
            x1: i64::from(w),
            y1: i64::from(h),
        }
    }

    /// Width, saturating at `u32::MAX`.
    pub fn w(self) -> u32 {
        self.x1
            .saturating_sub(self.x0)
            .clamp(0, i64::from(u32::MAX)) as u32
    }

    /// Height, saturating at `u32::MAX`.
    pub fn h(self) -> u32 {
        self.y1
            .saturating_sub(self.y0)
            .clamp(0, i64::from(u32::MAX)) as u32
    }

    pub fn is_empty(self) -> bool {
        self.x1 <= self.x0 || self.y1 <= self.y0
    }

    pub fn intersect(self, o: IRect) -> IRect {
        IRect {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        }
    }

    /// The rectangle widened by `pad` pixels on every side (an empty one stays empty).
    pub fn grown(self, pad: u32) -> IRect {
        if self.is_empty() {
            return self;
        }
        let p = i64::from(pad);
        IRect {
            x0: self.x0 - p,
            y0: self.y0 - p,
            x1: self.x1 + p,
            y1: self.y1 + p,
        }
    }

    pub fn to_f(self) -> RectF {
        RectF {
            x0: self.x0 as f64,
            y0: self.y0 as f64,
            x1: self.x1 as f64,
            y1: self.y1 as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_and_invert() {
        let m = Aff::scale(2.0, 3.0).then(Aff::translate(1.0, -1.0));
        assert_eq!(m.apply(1.0, 1.0), (3.0, 2.0));
        let back = m.inverse();
        assert_eq!(back.apply(3.0, 2.0), (1.0, 1.0));
        let r = Aff::rotate(0.0, 1.0); // 90° clockwise: right goes down
        assert_eq!(r.apply(1.0, 0.0), (0.0, 1.0));
        assert_eq!(m.then(back).snapped(), Aff::ID);
    }

    #[test]
    fn rects() {
        let r = RectF::sized(10.0, 4.0).map(Aff::rotate(0.0, 1.0));
        assert_eq!(
            r,
            RectF {
                x0: -4.0,
                y0: 0.0,
                x1: 0.0,
                y1: 10.0
            }
        );
        let q = RectF {
            x0: 0.4,
            y0: 0.5,
            x1: 9.5,
            y1: 2.0000000001,
        };
        assert_eq!(
            q.round(),
            IRect {
                x0: 0,
                y0: 1,
                x1: 10,
                y1: 2
            }
        );
        assert_eq!(
            q.outward(1),
            IRect {
                x0: -1,
                y0: -1,
                x1: 11,
                y1: 3
            }
        );
        let i = IRect::sized(5, 5).intersect(IRect {
            x0: 3,
            y0: 6,
            x1: 9,
            y1: 9,
        });
        assert!(i.is_empty());
        assert_eq!((i.w(), i.h()), (2, 0));
    }
}
