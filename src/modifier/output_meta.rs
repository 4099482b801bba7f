//! Parsing, step 3d: the request attributes that shape the encoded file beyond its pixels
//! (spec/is-protocol.md §4.38–4.40): `printRes=`, `iccEmbed=` and `icc=`. `plan` turns them into
//! `codec::OutputMeta`.

use super::args::real;
use super::types::IccCmd;
use crate::codec::{Intent, Profile};

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
