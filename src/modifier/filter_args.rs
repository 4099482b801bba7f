//! Parsing, step 3b: argument parsers for the filter commands (`op_blur`, `op_usm`/`op_usmR`,
//! `op_noise`; spec/is-protocol.md §4.20, §4.27, §4.30). Each returns the typed value or a
//! message that states the allowed range.

use super::args::{int, real};
use super::types::{NoiseCmd, UsmCmd};

type R<T> = Result<T, String>;

/// A real within `lo..=hi`.
fn real_in(v: &str, what: &str, lo: f64, hi: f64) -> R<f64> {
    match real(v) {
        Ok(x) if (lo..=hi).contains(&x) => Ok(x),
        _ => Err(format!(
            "'{v}' is not a valid {what} (number from {lo} to {hi})"
        )),
    }
}

/// An integer within `lo..=hi`.
fn int_in(v: &str, what: &str, lo: i64, hi: i64) -> R<i64> {
    int(v)
        .filter(|x| (lo..=hi).contains(x))
        .ok_or_else(|| format!("'{v}' is not a valid {what} (integer from {lo} to {hi})"))
}

fn bit(v: &str, what: &str) -> R<bool> {
    Ok(int_in(v, what, 0, 1)? == 1)
}

/// `op_blur=radius`: a real from 0 to 100.
pub fn blur(v: &str) -> R<f64> {
    real_in(v, "blur radius", 0.0, 100.0)
}

/// `op_usm=amount[,radius[,threshold[,monochrome]]]`; missing trailing values are 0.
pub fn usm(v: &str, as_given: bool) -> R<UsmCmd> {
    let parts: Vec<&str> = v.split(',').collect();
    if parts.len() > 4 {
        return Err(format!(
            "'{v}' is not a valid unsharp mask (amount[,radius[,threshold[,monochrome]]])"
        ));
    }
    let part = |i: usize| parts.get(i).copied().unwrap_or("0");
    Ok(UsmCmd {
        amount: real_in(part(0), "unsharp mask amount", 0.0, 5.0)?,
        radius: real_in(part(1), "unsharp mask radius", 0.0, 250.0)?,
        threshold: int_in(part(2), "unsharp mask threshold", 0, 255)? as u8,
        monochrome: bit(part(3), "unsharp mask monochrome flag")?,
        as_given,
    })
}

/// `op_noise=amount[,uniform|gaussian[,monochrome]]`.
pub fn noise(v: &str) -> R<NoiseCmd> {
    let parts: Vec<&str> = v.split(',').collect();
    if parts.len() > 3 {
        return Err(format!(
            "'{v}' is not a valid noise (amount[,uniform|gaussian[,monochrome]])"
        ));
    }
    let amount = int_in(parts[0], "noise amount", 0, 100)? as u8;
    let gaussian = match parts.get(1).map(|s| s.to_ascii_lowercase()).as_deref() {
        None | Some("uniform") => false,
        Some("gaussian") => true,
        Some(_) => {
            return Err(format!(
                "'{}' is not a valid noise distribution (uniform or gaussian)",
                parts[1]
            ))
        }
    };
    let monochrome = match parts.get(2) {
        Some(m) => bit(m, "noise monochrome flag")?,
        None => false,
    };
    Ok(NoiseCmd {
        amount,
        gaussian,
        monochrome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usm_defaults_trailing_values_to_zero() {
        let u = usm("1.5,2", false).unwrap();
        assert_eq!(
            (u.amount, u.radius, u.threshold, u.monochrome),
            (1.5, 2.0, 0, false)
        );
        assert!(usm("0.9,2,5,1", true).unwrap().monochrome);
    }

    #[test]
    fn out_of_range_values_name_the_range() {
        assert_eq!(
            usm("6,1", false).unwrap_err(),
            "'6' is not a valid unsharp mask amount (number from 0 to 5)"
        );
        assert!(usm("1,251", false).unwrap_err().contains("from 0 to 250"));
        assert!(usm("1,2,256", false).unwrap_err().contains("from 0 to 255"));
        assert!(usm("1,2,3,2", false).unwrap_err().contains("from 0 to 1"));
        assert!(usm("1,2,3,0,9", false).is_err());
        assert!(blur("100.5").unwrap_err().contains("from 0 to 100"));
        assert!(blur("nan").is_err());
        assert!(noise("101").unwrap_err().contains("from 0 to 100"));
        assert!(noise("5,pink").unwrap_err().contains("uniform or gaussian"));
        assert!(noise("5,uniform,1,2").is_err());
    }

    #[test]
    fn noise_parses_the_distribution_case_insensitively() {
        let n = noise("20,Gaussian,1").unwrap();
        assert_eq!((n.amount, n.gaussian, n.monochrome), (20, true, true));
        assert!(!noise("20").unwrap().gaussian);
    }
}
