//! `defaultImage=` (spec/is-protocol.md §4.42) for `/is/image`: when the requested record does
//! not exist, the request names a fallback record and the reply is that image rendered with
//! only `wid=`, `hei=`, `fmt=` and `qlt=` of the original request (`DefaultImageMode=0`, the
//! default; with one layer there is nothing else to keep). Variable definitions (`$v=`) are
//! kept too, so that kept commands which use them still read the same. The fallback is
//! `name` (same company) or `company/name`; an empty value, a fallback that is missing too, or
//! a request whose commands do not parse gives the usual 404. There is no catalog-wide
//! `attribute::DefaultImage` yet. copyImage accepts and ignores the command: its source is a
//! handle that must exist.

use super::content::find_asset;
use crate::catalog::Asset;
use crate::modifier;
use crate::state::SharedState;

/// The fallback record and the query to render it with, when `query` asks for one that exists.
pub(super) async fn fallback(st: &SharedState, co: &str, query: &str) -> Option<(Asset, String)> {
    let wanted = modifier::parse(query).ok()?.default_image?;
    let (co, name) = wanted.split_once('/').unwrap_or((co, wanted.as_str()));
    let a = find_asset(st, co, name).await?;
    Some((a, kept(query)))
}

/// The elements of `query` a default-image reply keeps.
fn kept(query: &str) -> String {
    const KEEP: [&str; 4] = ["wid", "hei", "fmt", "qlt"];
    query
        .split('&')
        .filter(|e| {
            let name = e.split_once('=').map_or(*e, |(n, _)| n);
            name.starts_with('$') || KEEP.iter().any(|k| k.eq_ignore_ascii_case(name))
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::kept;

    #[test]
    fn keeps_size_format_quality_and_variables() {
        assert_eq!(
            kept("WID=30&rotate=90&$w=7&fmt=png&op_blur=2&qlt=80,1&hei=$w$&defaultImage=x"),
            "WID=30&$w=7&fmt=png&qlt=80,1&hei=$w$"
        );
        assert_eq!(kept("crop=0,0,5,5"), "");
    }
}
