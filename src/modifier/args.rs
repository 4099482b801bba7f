//! Parsing, step 3a: argument parsers for the sizing and geometry commands (spec/is-protocol.md
//! §2.1–2.4, §2.7, §4). Each returns the typed value or the message `parse` reports.

use super::types::{Anchor, Crop, Extend, Fit, FitMode, Flip, LayerSize, Opac, ViewRect};

type R<T> = Result<T, String>;

fn invalid(v: &str, what: &str, usage: &str) -> String {
    format!("'{v}' is not a valid {what} ({usage})")
}

/// A decimal integer (optional sign, digits only).
pub fn int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A finite decimal real (optional exponent); rejects `NaN`, `inf` and hex.
pub fn real(s: &str) -> R<f64> {
    let ok = !s.is_empty()
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    match s.parse::<f64>() {
        Ok(x) if ok && x.is_finite() => Ok(x),
        _ => Err(format!("'{s}' is not a number")),
    }
}

/// `n` comma-separated integers, each within `lo..=hi`.
fn ints(v: &str, n: usize, lo: i64, hi: i64) -> Option<Vec<i64>> {
    let parts: Vec<&str> = v.split(',').collect();
    if parts.len() != n {
        return None;
    }
    parts
        .iter()
        .map(|p| int(p).filter(|x| (lo..=hi).contains(x)))
        .collect()
}

/// `n` comma-separated reals; a token that is not a number is reported as such.
fn reals(v: &str, n: usize, what: &str, usage: &str) -> R<Vec<f64>> {
    let parts: Vec<&str> = v.split(',').collect();
    if parts.len() != n {
        return Err(invalid(v, what, usage));
    }
    parts.iter().map(|p| real(p)).collect()
}

/// `wid=`, `hei=`: an integer ≥ 1.
pub fn dimension(v: &str, what: &str) -> R<u32> {
    int(v)
        .filter(|x| *x >= 1 && *x <= i64::from(u32::MAX))
        .map(|x| x as u32)
        .ok_or_else(|| format!("'{v}' is not a valid {what} (integer 1 or more)"))
}

/// `scl=`, `scale=`: a finite real > 0.
pub fn positive(v: &str, what: &str) -> R<f64> {
    let x = real(v)?;
    if x > 0.0 {
        Ok(x)
    } else {
        Err(invalid(v, what, "number greater than 0"))
    }
}

pub fn size(v: &str, normalized: bool) -> R<LayerSize> {
    if normalized {
        let usage = "w,h: numbers 0 or more";
        let x = reals(v, 2, "size", usage)?;
        if x.iter().any(|c| *c < 0.0) {
            return Err(invalid(v, "size", usage));
        }
        return Ok(LayerSize::Normalized { w: x[0], h: x[1] });
    }
    let x = ints(v, 2, 0, i64::from(u32::MAX))
        .ok_or_else(|| invalid(v, "size", "w,h: integers 0 or more"))?;
    Ok(LayerSize::Pixels {
        w: x[0] as u32,
        h: x[1] as u32,
    })
}

pub fn fit(v: &str) -> R<Fit> {
    let usage = "fit, constrain, crop, wrap, stretch, hfit or vfit, then optionally ,0 or ,1";
    let mut parts = v.split(',');
    let mode = match parts.next().unwrap_or("").to_ascii_lowercase().as_str() {
        "fit" => FitMode::Fit,
        "constrain" => FitMode::Constrain,
        "crop" => FitMode::Crop,
        "wrap" => FitMode::Wrap,
        "stretch" => FitMode::Stretch,
        "hfit" => FitMode::HFit,
        "vfit" => FitMode::VFit,
        _ => return Err(invalid(v, "fit mode", usage)),
    };
    let upscale = match (parts.next(), parts.next()) {
        (None, None) => false,
        (Some("0"), None) => false,
        (Some("1"), None) => true,
        _ => return Err(invalid(v, "fit mode", usage)),
    };
    Ok(Fit { mode, upscale })
}

pub fn align(v: &str) -> R<(f64, f64)> {
    let usage = "h,v: numbers from -1 to 1";
    let x = reals(v, 2, "alignment", usage)?;
    if x.iter().all(|c| (-1.0..=1.0).contains(c)) {
        Ok((x[0], x[1]))
    } else {
        Err(invalid(v, "alignment", usage))
    }
}

pub fn crop(v: &str, normalized: bool) -> R<Crop> {
    if normalized {
        let usage = "x,y,w,h: numbers, w and h greater than 0";
        let x = reals(v, 4, "crop", usage)?;
        if x[2] <= 0.0 || x[3] <= 0.0 {
            return Err(invalid(v, "crop", usage));
        }
        return Ok(Crop::Normalized {
            x: x[0],
            y: x[1],
            w: x[2],
            h: x[3],
        });
    }
    let (lo, hi) = (i64::from(i32::MIN), i64::from(i32::MAX));
    let x = ints(v, 4, lo, hi)
        .filter(|x| x[2] >= 1 && x[3] >= 1)
        .ok_or_else(|| invalid(v, "crop", "x,y,w,h: integers, w and h 1 or more"))?;
    Ok(Crop::Pixels {
        x: x[0] as i32,
        y: x[1] as i32,
        w: x[2] as u32,
        h: x[3] as u32,
    })
}

pub fn extend(v: &str, normalized: bool) -> R<Extend> {
    if normalized {
        let x = reals(v, 4, "extension", "l,t,r,b: numbers")?;
        return Ok(Extend::Normalized([x[0], x[1], x[2], x[3]]));
    }
    let x = ints(v, 4, i64::from(i32::MIN), i64::from(i32::MAX))
        .ok_or_else(|| invalid(v, "extension", "l,t,r,b: integers"))?;
    Ok(Extend::Pixels([
        x[0] as i32,
        x[1] as i32,
        x[2] as i32,
        x[3] as i32,
    ]))
}

pub fn flip(v: &str) -> R<Flip> {
    match v.to_ascii_lowercase().as_str() {
        "lr" => Ok(Flip::Lr),
        "ud" => Ok(Flip::Ud),
        "lrud" => Ok(Flip::LrUd),
        _ => Err(format!("'{v}' is not a flip (lr, ud or lrud)")),
    }
}

pub fn anchor(v: &str, normalized: bool) -> R<Anchor> {
    if normalized {
        let x = reals(v, 2, "anchor", "x,y: numbers")?;
        return Ok(Anchor::Normalized { x: x[0], y: x[1] });
    }
    let x = ints(v, 2, i64::from(i32::MIN), i64::from(i32::MAX))
        .ok_or_else(|| invalid(v, "anchor", "x,y: integers"))?;
    Ok(Anchor::Pixels {
        x: x[0] as i32,
        y: x[1] as i32,
    })
}

pub fn rect(v: &str) -> R<ViewRect> {
    let usage = "x,y,w,h[,scale]: integers, w and h 1 or more, scale greater than 0";
    let parts: Vec<&str> = v.splitn(5, ',').collect();
    let head = parts[..parts.len().min(4)].join(",");
    let x = ints(&head, 4, i64::from(i32::MIN), i64::from(i32::MAX))
        .filter(|x| x[2] >= 1 && x[3] >= 1)
        .ok_or_else(|| invalid(v, "rect", usage))?;
    let scale = match parts.get(4) {
        Some(s) => real(s)
            .ok()
            .filter(|s| *s > 0.0)
            .ok_or_else(|| invalid(v, "rect", usage))?,
        None => 1.0,
    };
    Ok(ViewRect {
        x: x[0] as i32,
        y: x[1] as i32,
        w: x[2] as u32,
        h: x[3] as u32,
        scale,
    })
}

/// `rotate=`: finite degrees.
pub fn angle(v: &str) -> R<f64> {
    real(v)
}

/// `dpr=off|on[,ratio]`: `None` for off; `on` alone is ratio 1 (no change).
pub fn dpr(v: &str) -> R<Option<f64>> {
    let usage = "off, or on,ratio with ratio greater than 0";
    let lower = v.to_ascii_lowercase();
    let mut parts = lower.split(',');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("off"), None, None) => Ok(None),
        (Some("on"), None, None) => Ok(Some(1.0)),
        (Some("on"), Some(r), None) => match real(r) {
            Ok(x) if x > 0.0 => Ok(Some(x)),
            _ => Err(invalid(v, "device pixel ratio", usage)),
        },
        _ => Err(invalid(v, "device pixel ratio", usage)),
    }
}

pub fn opac(v: &str) -> R<Opac> {
    let usage = "opacity[,fillOpacity]: integers from 0 to 100";
    let n = v.split(',').count();
    let x = ints(v, n.clamp(1, 2), 0, 100)
        .filter(|_| n <= 2)
        .ok_or_else(|| invalid(v, "opacity", usage))?;
    Ok(Opac {
        opacity: x[0] as u8,
        fill: x.get(1).map_or(100, |f| *f as u8),
    })
}

/// `op_brightness=` and the other colour adjustments: an integer from `-max` to `max`.
pub fn adjust(v: &str, what: &str, max: i64) -> R<i32> {
    ints(v, 1, -max, max)
        .map(|x| x[0] as i32)
        .ok_or_else(|| invalid(v, what, &format!("integer from -{max} to {max}")))
}

/// `op_invert=`: `0` or `1`.
pub fn flag(v: &str, what: &str) -> R<bool> {
    match v {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(invalid(v, what, "0 or 1")),
    }
}

/// `op_colorbalance=r,g,b`: three integers from -100 to 100.
pub fn color_balance(v: &str) -> R<[i32; 3]> {
    ints(v, 3, -100, 100)
        .map(|x| [x[0] as i32, x[1] as i32, x[2] as i32])
        .ok_or_else(|| invalid(v, "colour balance", "r,g,b: integers from -100 to 100"))
}
