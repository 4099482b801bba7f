//! Pixel-exact check of `plan` for unscaled requests: random combinations of crop, flip,
//! quarter turns, color, extend, bgColor, view crop/pad, rect and bgc are run through a tiny
//! step interpreter on a labelled source and compared with a direct model of §3.2–3.4.

use super::plan_tests_util::*;

/// A labelled pixel: a source pixel, a fill colour, or transparent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Px {
    Src(u32, u32),
    Fill(Rgba),
    Clear,
}

#[derive(Debug, Clone, PartialEq)]
struct Img {
    w: u32,
    h: u32,
    px: Vec<Px>,
}

impl Img {
    fn new(w: u32, h: u32, f: impl Fn(u32, u32) -> Px) -> Img {
        let px = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| f(x, y))
            .collect();
        Img { w, h, px }
    }

    fn get(&self, x: i64, y: i64) -> Px {
        if x < 0 || y < 0 || x >= i64::from(self.w) || y >= i64::from(self.h) {
            return Px::Clear;
        }
        self.px[(y * i64::from(self.w) + x) as usize]
    }

    fn underlay(mut self, c: Rgba) -> Img {
        for p in &mut self.px {
            if *p == Px::Clear {
                *p = Px::Fill(c);
            }
        }
        self
    }
}

/// Runs steps: nearest `Affine`, whole-pixel scale-1 `Resample`, `Underlay`.
fn run(mut img: Img, steps: &[Step]) -> Img {
    for s in steps {
        img = match s {
            Step::Affine {
                m,
                width,
                height,
                fill,
                sampling: Sampling::Nearest,
            } => {
                assert_eq!(*fill, Rgba::TRANSPARENT);
                Img::new(*width, *height, |x, y| {
                    let (cx, cy) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
                    let sx = m[0] * cx + m[1] * cy + m[2];
                    let sy = m[3] * cx + m[4] * cy + m[5];
                    img.get(sx.floor() as i64, sy.floor() as i64)
                })
            }
            Step::Resample {
                src, width, height, ..
            } => {
                assert_eq!(
                    [src[2], src[3]],
                    [f64::from(*width), f64::from(*height)],
                    "{s:?}"
                );
                Img::new(*width, *height, |x, y| {
                    img.get(i64::from(x) + src[0] as i64, i64::from(y) + src[1] as i64)
                })
            }
            Step::Underlay { color } => img.underlay(*color),
            s => panic!("unexpected {s:?}"),
        };
    }
    img
}

/// The direct model of one request.
struct Req {
    crop: (i64, i64, u32, u32),
    flip: (bool, bool),
    quarters: u32,
    color: Option<Rgba>,
    extend: [i64; 4],
    bg_color: Option<Rgba>,
    view: (Option<u32>, Option<u32>),
    align: (f64, f64),
    rect: Option<(i64, i64, u32, u32)>,
}

fn model(src: &Img, r: &Req) -> Img {
    let (cx, cy, cw, ch) = r.crop;
    let mut img = Img::new(cw, ch, |x, y| src.get(cx + i64::from(x), cy + i64::from(y)));
    let (fw, fh) = (img.w, img.h);
    img = Img::new(fw, fh, |x, y| {
        let sx = if r.flip.0 { fw - 1 - x } else { x };
        let sy = if r.flip.1 { fh - 1 - y } else { y };
        img.get(i64::from(sx), i64::from(sy))
    });
    if let Some(c) = r.color {
        img = img.underlay(c);
    }
    for _ in 0..r.quarters {
        let h = img.h;
        img = Img::new(img.h, img.w, |x, y| {
            img.get(i64::from(y), i64::from(h - 1 - x))
        });
    }
    let [l, t, rr, b] = r.extend;
    let (w, h) = (
        (i64::from(img.w) + l + rr) as u32,
        (i64::from(img.h) + t + b) as u32,
    );
    img = Img::new(w, h, |x, y| img.get(i64::from(x) - l, i64::from(y) - t));
    if let Some(c) = r.bg_color {
        img = img.underlay(c);
    }
    let (vw, vh) = (r.view.0.unwrap_or(img.w), r.view.1.unwrap_or(img.h));
    let place =
        |v: u32, c: u32, a: f64| ((f64::from(v) - f64::from(c)) * (a + 1.0) / 2.0).round() as i64;
    let (ox, oy) = (place(vw, img.w, r.align.0), place(vh, img.h, r.align.1));
    let view = Img::new(vw, vh, |x, y| img.get(i64::from(x) - ox, i64::from(y) - oy));
    let out = match r.rect {
        None => view,
        Some((rx, ry, rw, rh)) => Img::new(rw, rh, |x, y| {
            view.get(i64::from(x) + rx, i64::from(y) + ry)
        }),
    };
    out.underlay(WHITE)
}

fn query(r: &Req) -> String {
    let (cx, cy, cw, ch) = r.crop;
    let mut q = format!("scl=1&crop={cx},{cy},{cw},{ch}&rotate={}", 90 * r.quarters);
    let flip = match r.flip {
        (true, true) => "&flip=lrud",
        (true, false) => "&flip=lr",
        (false, true) => "&flip=ud",
        _ => "",
    };
    q.push_str(flip);
    let hex = |c: Rgba| format!("{:02x}{:02x}{:02x}", c.r, c.g, c.b);
    if let Some(c) = r.color {
        q += &format!("&color={}", hex(c));
    }
    if let Some(c) = r.bg_color {
        q += &format!("&bgColor={}", hex(c));
    }
    let [l, t, rr, b] = r.extend;
    q += &format!("&extend={l},{t},{rr},{b}&align={},{}", r.align.0, r.align.1);
    if let Some(w) = r.view.0 {
        q += &format!("&wid={w}");
    }
    if let Some(h) = r.view.1 {
        q += &format!("&hei={h}");
    }
    if let Some((x, y, w, h)) = r.rect {
        q += &format!("&rect={x},{y},{w},{h}");
    }
    q
}

/// A small deterministic generator (no dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.next((hi - lo + 1) as u64) as i64
    }

    fn maybe<T>(&mut self, v: T) -> Option<T> {
        (self.next(2) == 0).then_some(v)
    }
}

fn random_req(g: &mut Lcg) -> Req {
    let (cw, ch) = (g.range(1, 9) as u32, g.range(1, 9) as u32);
    let ext = [
        g.range(-2, 3),
        g.range(-2, 3),
        g.range(-2, 3),
        g.range(-2, 3),
    ];
    let align = [-1.0, -0.5, 0.0, 0.3, 1.0];
    let (vw, vh) = (g.range(1, 12) as u32, g.range(1, 12) as u32);
    let rect = (
        g.range(-3, 6),
        g.range(-3, 6),
        g.range(1, 10) as u32,
        g.range(1, 10) as u32,
    );
    Req {
        crop: (g.range(-3, 5), g.range(-3, 5), cw, ch),
        flip: (g.next(2) == 0, g.next(2) == 0),
        quarters: g.next(4) as u32,
        color: g.maybe(Rgba::rgb(0, 255, 0)),
        extend: ext,
        bg_color: g.maybe(RED),
        view: (g.maybe(vw), g.maybe(vh)),
        align: (align[g.next(5) as usize], align[g.next(5) as usize]),
        rect: g.maybe(rect),
    }
}

#[test]
fn unscaled_requests_match_the_direct_model() {
    let src = Img::new(7, 5, Px::Src);
    let mut g = Lcg(42);
    let mut checked = 0;
    for _ in 0..3000 {
        let r = random_req(&mut g);
        let (w, h) = match r.quarters % 2 {
            0 => (r.crop.2, r.crop.3),
            _ => (r.crop.3, r.crop.2),
        };
        let [l, t, rr, b] = r.extend;
        if i64::from(w) + l + rr < 1 || i64::from(h) + t + b < 1 {
            continue; // extend removes everything: a plan error, tested elsewhere
        }
        let q = query(&r);
        let p = ok((7, 5), &q);
        let got = run(src.clone(), &p.steps);
        let want = model(&src, &r);
        assert_eq!((p.width, p.height), (want.w, want.h), "{q}");
        assert_eq!(got, want, "{q}\nsteps {:?}", p.steps);
        checked += 1;
    }
    assert!(checked > 2000);
}
