//! Parsing, step 3b: the `color` data type (spec/is-protocol.md §2.5) used by `bgc=`,
//! `bgColor=` and `color=`. Gray and CMYK are converted to RGB naively (no colour management).

use super::args::int;
use super::types::{Color, ColorSpace};
use crate::engine::Rgba;

const USAGE: &str = "gray[,alpha][g], r,g,b[,a][r], c,m,y,k[,a]k, 0xGG[AA][g], \
                     [0x]RRGGBB[AA][r] or [0x]CCMMYYKK[AA]k, optionally followed by s";

/// Parses a colour; the error message lists the accepted notations.
pub fn parse(v: &str) -> Result<Color, String> {
    parse_inner(v).ok_or_else(|| format!("'{v}' is not a valid colour ({USAGE})"))
}

fn parse_inner(v: &str) -> Option<Color> {
    let lower = v.to_ascii_lowercase();
    let (body, source) = match lower.strip_suffix('s') {
        Some(b) => (b, true),
        None => (lower.as_str(), false),
    };
    let (body, suffix) = match body.chars().last() {
        Some(c @ ('g' | 'r' | 'k')) => (&body[..body.len() - 1], Some(c)),
        _ => (body, None),
    };
    let (rgba, space) = if body.contains(',') {
        decimal(body, suffix)?
    } else if let Some(c) = hex(body, suffix) {
        c
    } else {
        single_gray(body, suffix)?
    };
    Some(Color {
        rgba,
        space,
        source,
    })
}

/// Comma-separated decimal integers: gray, RGB or CMYK, each with an optional alpha.
fn decimal(body: &str, suffix: Option<char>) -> Option<(Rgba, ColorSpace)> {
    let n: Vec<i64> = body.split(',').map(int).collect::<Option<_>>()?;
    match (suffix, n.len()) {
        (Some('k'), 4 | 5) => {
            let p: Vec<u8> = n.iter().map(|x| percent(*x)).collect::<Option<_>>()?;
            Some((cmyk(&p), ColorSpace::Cmyk))
        }
        (Some('g'), 1 | 2) | (None, 1 | 2) => {
            let p: Vec<u8> = n.iter().map(|x| percent(*x)).collect::<Option<_>>()?;
            Some((gray(pct(p[0]), p.get(1).map(|a| pct(*a))), ColorSpace::Gray))
        }
        (Some('r'), 3 | 4) | (None, 3 | 4) => {
            let b: Vec<u8> = n
                .iter()
                .map(|x| u8::try_from(*x).ok())
                .collect::<Option<_>>()?;
            let a = b.get(3).copied().unwrap_or(255);
            Some((
                Rgba {
                    r: b[0],
                    g: b[1],
                    b: b[2],
                    a,
                },
                ColorSpace::Rgb,
            ))
        }
        _ => None,
    }
}

/// Hex notations: `0x` gray (2 or 4 digits), RGB(A) (6 or 8), CMYK(+A) (8 or 10, `k` suffix).
/// Hex CMYK bytes are read as percentages, clamped to 100 (§2.5 [DocBug], as the examples do).
fn hex(body: &str, suffix: Option<char>) -> Option<(Rgba, ColorSpace)> {
    let (digits, prefixed) = match body.strip_prefix("0x") {
        Some(d) => (d, true),
        None => (body, false),
    };
    if digits.len() % 2 != 0 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let b: Vec<u8> = (0..digits.len() / 2)
        .map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).ok())
        .collect::<Option<_>>()?;
    match (suffix, b.len()) {
        (Some('g') | None, 1 | 2) if prefixed => {
            Some((gray(b[0], b.get(1).copied()), ColorSpace::Gray))
        }
        (Some('r') | None, 3 | 4) => {
            let a = b.get(3).copied().unwrap_or(255);
            Some((
                Rgba {
                    r: b[0],
                    g: b[1],
                    b: b[2],
                    a,
                },
                ColorSpace::Rgb,
            ))
        }
        (Some('k'), 4 | 5) => {
            let p: Vec<u8> = b.iter().map(|x| (*x).min(100)).collect();
            Some((cmyk(&p), ColorSpace::Cmyk))
        }
        _ => None,
    }
}

/// A single decimal gray percentage without a comma (`100S`).
fn single_gray(body: &str, suffix: Option<char>) -> Option<(Rgba, ColorSpace)> {
    if !matches!(suffix, None | Some('g')) {
        return None;
    }
    let p = percent(int(body)?)?;
    Some((gray(pct(p), None), ColorSpace::Gray))
}

fn percent(x: i64) -> Option<u8> {
    u8::try_from(x).ok().filter(|p| *p <= 100)
}

/// A percentage (0..=100) as a byte.
fn pct(p: u8) -> u8 {
    ((u32::from(p) * 255 + 50) / 100) as u8
}

fn gray(v: u8, alpha: Option<u8>) -> Rgba {
    Rgba {
        r: v,
        g: v,
        b: v,
        a: alpha.unwrap_or(255),
    }
}

/// Naive CMYK (percentages, optional alpha percentage) to RGB: `255 · (1 − c) · (1 − k)`.
fn cmyk(p: &[u8]) -> Rgba {
    let f = |c: u8| 1.0 - f64::from(c) / 100.0;
    let ch = |c: u8| (255.0 * f(c) * f(p[3])).round() as u8;
    Rgba {
        r: ch(p[0]),
        g: ch(p[1]),
        b: ch(p[2]),
        a: p.get(4).map_or(255, |a| pct(*a)),
    }
}

/// `op_colorize=color[,off|norm[,contrast]]`: the colour (RGB notations only, alpha ignored)
/// runs up to an `off`/`norm` token; `contrast` is a real from 0 to 100.
pub fn colorize(v: &str) -> Result<super::types::Colorize, String> {
    let usage = "color[,off|norm[,contrast]]: an RGB colour, then off or norm, then a contrast from 0 to 100";
    let parts: Vec<&str> = v.split(',').collect();
    let mode = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("off") || p.eq_ignore_ascii_case("norm"));
    let (color, rest) = match mode {
        Some(i) => (parts[..i].join(","), &parts[i..]),
        None => (v.to_string(), &parts[parts.len()..]),
    };
    let c = parse(&color)?;
    if c.space != ColorSpace::Rgb {
        return Err(format!("'{color}' is not an RGB colour ({usage})"));
    }
    let norm = rest.first().is_none_or(|m| m.eq_ignore_ascii_case("norm"));
    let contrast = match rest.get(1) {
        None => 0.0,
        Some(t) => super::args::real(t)?,
    };
    if rest.len() > 2 || !(0.0..=100.0).contains(&contrast) {
        return Err(format!("'{v}' is not a valid colorize ({usage})"));
    }
    Ok(super::types::Colorize {
        color: c.rgba,
        norm,
        contrast,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColorSpace::*;

    fn c(v: &str) -> (Rgba, ColorSpace, bool) {
        let c = parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        (c.rgba, c.space, c.source)
    }

    fn rgba(r: u8, g: u8, b: u8, a: u8) -> Rgba {
        Rgba { r, g, b, a }
    }

    /// Every documented example of §2.5.
    #[test]
    fn documented_examples() {
        let table = [
            ("0,100,200", rgba(0, 100, 200, 255), Rgb, false),
            ("0,100,200,200rs", rgba(0, 100, 200, 200), Rgb, true),
            ("0x010203S", rgba(1, 2, 3, 255), Rgb, true),
            ("a0b1c2d3R", rgba(160, 177, 194, 211), Rgb, false),
            ("100S", rgba(255, 255, 255, 255), Gray, true),
            ("50,75g", rgba(128, 128, 128, 191), Gray, false),
            ("0X70G", rgba(0x70, 0x70, 0x70, 255), Gray, false),
            ("0xddeegs", rgba(0xdd, 0xdd, 0xdd, 0xee), Gray, true),
            ("94,11,50,33k", rgba(10, 152, 85, 255), Cmyk, false),
            ("22,23,24,25,26KS", rgba(149, 147, 145, 66), Cmyk, true),
            // hex CMYK bytes as percent: 0x38=56%, 0x39=57%, 0x3a=58%, 0x3b=59%
            ("38393A3bK", rgba(46, 45, 44, 255), Cmyk, false),
            // 0x0a=10%, 0x0b=11%, 0x0c=12%, 0x0d=13%, alpha 0x0e=14%
            ("0x0a0b0C0d0eks", rgba(200, 197, 195, 36), Cmyk, true),
        ];
        for (input, want, space, src) in table {
            assert_eq!(c(input), (want, space, src), "{input}");
        }
    }

    #[test]
    fn other_notations() {
        assert_eq!(c("ffffff").0, Rgba::WHITE);
        assert_eq!(c("0xFF000080").0, rgba(255, 0, 0, 128));
        assert_eq!(c("80ff00").0, rgba(0x80, 0xff, 0, 255));
        assert_eq!(c("0").0, rgba(0, 0, 0, 255));
        assert_eq!(c("0,0").0, rgba(0, 0, 0, 0));
        assert_eq!(c("0,0,0,0").0, Rgba::TRANSPARENT);
        assert_eq!(c("255,0,0r").0, rgba(255, 0, 0, 255));
        assert_eq!(c("0,0,0,100k").0, rgba(0, 0, 0, 255));
        assert_eq!(c("0,0,0,0k").0, Rgba::WHITE);
        assert_eq!(c("0x00000000ffk").0, Rgba::WHITE);
        assert_eq!(c("FFFFFFFFFFK").0, rgba(0, 0, 0, 255));
    }

    #[test]
    fn rejects_bad_colours() {
        for bad in [
            "",
            "s",
            "xyz",
            "256,0,0",
            "0,0,0,0,0",
            "101",
            "101,0g",
            "-1,0,0",
            "1,2,3g",
            "0x1",
            "0x12345",
            "fff",
            "ff00",
            "ffffffffff",
            "ffffffk",
            "0x1234r",
            "12k",
            "1,,2",
            "0x",
            "0xgg",
            "ffffffffq",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(
                e.starts_with(&format!("'{bad}' is not a valid colour (")),
                "{bad}: {e}"
            );
        }
    }
}
