//! Parsing, step 3d: the request attributes that shape the encoded file beyond its pixels
//! (spec/is-protocol.md §4.35, §4.38–4.40): `quantize=`, `printRes=`, `iccEmbed=` and `icc=`.
//! `plan` turns them into `codec::OutputMeta` and `codec::Quantize`.

use super::args::{int, real};
use super::types::IccCmd;
use crate::codec::{Intent, PaletteKind, Profile, Quantize};

type R<T> = Result<T, String>;

/// Largest print resolution: the JFIF density field is 16 bits.
pub const MAX_PRINT_RES: f64 = 65535.0;

/// `printRes=dpi`: a number of dots per inch from 1 to 65535 (fractions are kept where the
/// format can store them: TIFF; JPEG rounds).
pub fn print_res(v: &str) -> R<f64> {
    match real(v) {
        Ok(x) if (1.0..=MAX_PRINT_RES).contains(&x) => Ok(x),
        _ => Err(format!(
            "'{v}' is not a valid print resolution (dots per inch, a number from 1 to 65535)"
        )),
    }
}

/// `iccEmbed=0|1`, with `true`/`false` as aliases (§4.40 [DocBug]).
pub fn icc_embed(v: &str) -> R<bool> {
    switch(v).ok_or_else(|| format!("'{v}' is not a valid embed flag (0, 1, true or false)"))
}

fn switch(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "0" | "false" => Some(false),
        "1" | "true" => Some(true),
        _ => None,
    }
}

/// `icc=profile[,renderIntent[,blackpointComp[,dither]]]`: a built-in profile name
/// (`codec::Profile`), `perceptual|relative|saturation|absolute`, and two `0|1` flags.
/// Empty optional arguments take their defaults.
pub fn icc(v: &str) -> R<IccCmd> {
    let parts: Vec<&str> = v.split(',').collect();
    if parts.len() > 4 {
        return Err(format!(
            "'{v}' has too many arguments (profile[,renderIntent[,blackpointComp[,dither]]])"
        ));
    }
    let name = parts[0].trim();
    let profile = Profile::by_name(name).ok_or_else(|| {
        format!(
            "'{name}' is not a known ICC profile ({}; profile files and catalog ICC maps are \
             not supported)",
            Profile::names()
        )
    })?;
    let intent = match parts.get(1).copied().unwrap_or("") {
        "" => None,
        i => Some(intent(i)?),
    };
    let flag = |i: usize, what: &str| -> R<Option<bool>> {
        match parts.get(i).copied().unwrap_or("") {
            "" => Ok(None),
            f => switch(f)
                .map(Some)
                .ok_or_else(|| format!("'{f}' is not a valid {what} flag (0 or 1)")),
        }
    };
    Ok(IccCmd {
        profile,
        intent,
        black_point: flag(2, "black point compensation")?,
        dither: flag(3, "dither")?,
    })
}

fn intent(v: &str) -> R<Intent> {
    match v.to_ascii_lowercase().as_str() {
        "perceptual" => Ok(Intent::Perceptual),
        "relative" => Ok(Intent::Relative),
        "saturation" => Ok(Intent::Saturation),
        "absolute" => Ok(Intent::Absolute),
        _ => Err(format!(
            "'{v}' is not a rendering intent (perceptual, relative, saturation, absolute)"
        )),
    }
}

/// `quantize=type[,dither[,numColors[,colorList]]]`: `adaptive|web|mac`, `diffuse|off`, 2–256
/// colours, then hex6 colours (no `0x`, §2.5) forced into the palette, at most `numColors`.
pub fn quantize(v: &str) -> R<Quantize> {
    let parts: Vec<&str> = v.split(',').collect();
    let kind = match parts[0].to_ascii_lowercase().as_str() {
        "adaptive" => PaletteKind::Adaptive,
        "web" => PaletteKind::Web,
        "mac" => PaletteKind::Mac,
        t => {
            return Err(format!(
                "'{t}' is not a palette type (adaptive, web or mac)"
            ))
        }
    };
    let dither = match parts.get(1).map(|d| d.to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("diffuse") => true,
        Some("off") => false,
        Some(_) => {
            let d = parts[1];
            return Err(format!("'{d}' is not a dither mode (diffuse or off)"));
        }
    };
    let colors = match parts.get(2).copied().unwrap_or("") {
        "" => 256,
        n => int(n)
            .filter(|n| (2..=256).contains(n))
            .ok_or_else(|| format!("'{n}' is not a valid colour count (integer from 2 to 256)"))?
            as u16,
    };
    let forced = parts
        .iter()
        .skip(3)
        .map(|c| hex6(c))
        .collect::<R<Vec<_>>>()?;
    if forced.len() > colors as usize {
        return Err(format!(
            "{} colours are listed but numColors is {colors}",
            forced.len()
        ));
    }
    Ok(Quantize {
        kind,
        dither,
        colors,
        forced,
    })
}

fn hex6(c: &str) -> R<[u8; 3]> {
    let bad = || format!("'{c}' is not a hex6 RGB colour (like ff8000, no 0x)");
    if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let byte = |i: usize| u8::from_str_radix(&c[i..i + 2], 16).map_err(|_| bad());
    Ok([byte(0)?, byte(2)?, byte(4)?])
}
