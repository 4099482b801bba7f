//! IPS API namespaces (spec/ips-soap.md §3): which ones we accept, which version each selects,
//! and the per-version handle spellings (§7.4).

/// The pre-4.0 "base" namespace; fault details and `authHeader` live here.
pub const BASE_NS: &str = "http://www.scene7.com/IpsApi/xsd";
/// Namespace of the legacy `AuthUser`/`AuthPassword` headers.
pub const LEGACY_AUTH_NS: &str = "http://www.scene7.com/IpsApi";

/// Dated namespaces with a published WSDL (spec/ips-soap.md §3.1), oldest first.
pub const WSDL_VERSIONS: &[&str] = &[
    "2008-01-15",
    "2008-09-10",
    "2009-07-31",
    "2010-01-31",
    "2012-02-14",
    "2013-02-15",
    "2014-04-03",
];

/// A request's API namespace: the exact URI (echoed in replies) and its date, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiNs {
    pub uri: String,
    /// `YYYY-MM-DD` for dated namespaces (the `-beta` suffix dropped); None for the base one.
    pub date: Option<String>,
}

impl ApiNs {
    /// Accepts the base namespace (with or without trailing slash) and any
    /// `…/xsd/<YYYY-MM-DD>[-beta]`. Returns None for anything else.
    pub fn parse(uri: &str) -> Option<ApiNs> {
        let rest = uri.strip_prefix(BASE_NS)?;
        if rest.is_empty() || rest == "/" {
            return Some(ApiNs {
                uri: uri.to_string(),
                date: None,
            });
        }
        let date = rest.strip_prefix('/')?;
        let date = date.strip_suffix("-beta").unwrap_or(date);
        is_date(date).then(|| ApiNs {
            uri: uri.to_string(),
            date: Some(date.to_string()),
        })
    }

    pub fn base() -> ApiNs {
        ApiNs {
            uri: BASE_NS.to_string(),
            date: None,
        }
    }

    /// The namespace URI of a published WSDL version (`None` = base).
    pub fn for_version(date: Option<&str>) -> ApiNs {
        match date {
            Some(d) => ApiNs {
                uri: format!("{BASE_NS}/{d}"),
                date: Some(d.to_string()),
            },
            None => ApiNs::base(),
        }
    }

    fn at_least(&self, d: &str) -> bool {
        self.date.as_deref().is_some_and(|x| x >= d)
    }

    /// Company handle: `N` in the base namespace, `c|N` in dated ones.
    pub fn company_handle(&self, id: i64) -> String {
        if self.date.is_some() {
            format!("c|{id}")
        } else {
            id.to_string()
        }
    }

    /// Asset handle: `N|1|N` (base), `a|N|1|N` (2008-01-15 to 2009-07-31), `a|N` (2010-01-31+).
    pub fn asset_handle(&self, id: i64) -> String {
        if self.at_least("2010-01-31") {
            format!("a|{id}")
        } else if self.date.is_some() {
            format!("a|{id}|1|{id}")
        } else {
            format!("{id}|1|{id}")
        }
    }

    /// Folder handle: the path, with `f|` from 2009-07-31 on.
    pub fn folder_handle(&self, path: &str) -> String {
        if self.at_least("2009-07-31") {
            format!("f|{path}")
        } else {
            path.to_string()
        }
    }

    /// User handle: `N|email` (base) or `u|N|email`.
    pub fn user_handle(&self, id: i64, email: &str) -> String {
        if self.date.is_some() {
            format!("u|{id}|{email}")
        } else {
            format!("{id}|{email}")
        }
    }

    /// Job handle: `j|company||name|N` (dated) or `company||name|N` (base).
    pub fn job_handle(&self, company: i64, name: &str, id: i64) -> String {
        let bare = format!("{company}||{name}|{id}");
        if self.date.is_some() {
            format!("j|{bare}")
        } else {
            bare
        }
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Parses a company handle in any spelling (`c|N`, `N`). None when it is not one.
pub fn parse_company_handle(h: &str) -> Option<i64> {
    let h = h.trim();
    h.strip_prefix("c|")
        .unwrap_or(h)
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

/// Parses an asset handle in any spelling (`a|N`, `a|N|k|m`, `N|k|m`, `N`): the first number.
pub fn parse_asset_handle(h: &str) -> Option<i64> {
    let h = h.trim();
    let h = h.strip_prefix("a|").unwrap_or(h);
    h.split('|').next()?.parse().ok().filter(|n| *n > 0)
}

/// Normalizes a folder handle or path (`f|A/b/`, `A/b`, `/A//b/`) to `A/b/`. None when empty.
pub fn normalize_folder_path(h: &str) -> Option<String> {
    let h = h.trim();
    let h = h.strip_prefix("f|").unwrap_or(h);
    let parts: Vec<&str> = h.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/") + "/")
}

/// Parses a job handle in any spelling: the trailing number.
pub fn parse_job_handle(h: &str) -> Option<i64> {
    h.trim().rsplit('|').next()?.parse().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_documented_namespace() {
        for v in WSDL_VERSIONS {
            assert!(ApiNs::parse(&format!("{BASE_NS}/{v}")).is_some(), "{v}");
        }
        for ok in [
            BASE_NS,
            "http://www.scene7.com/IpsApi/xsd/",
            "http://www.scene7.com/IpsApi/xsd/2011-11-04-beta",
            "http://www.scene7.com/IpsApi/xsd/2023-01-15",
        ] {
            assert!(ApiNs::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "http://www.scene7.com/IpsApi",
            "http://www.scene7.com/IpsApi/xsd/2008-1-15",
            "http://www.scene7.com/IpsApi/xsdx",
            "urn:other",
        ] {
            assert!(ApiNs::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn handles_follow_the_namespace_family() {
        let base = ApiNs::base();
        let v2008 = ApiNs::for_version(Some("2008-01-15"));
        let v2014 = ApiNs::for_version(Some("2014-04-03"));
        assert_eq!(base.company_handle(6), "6");
        assert_eq!(v2008.company_handle(6), "c|6");
        assert_eq!(v2008.asset_handle(943), "a|943|1|943");
        assert_eq!(v2014.asset_handle(943), "a|943");
        assert_eq!(v2008.folder_handle("A/"), "A/");
        assert_eq!(v2014.folder_handle("A/"), "f|A/");
        for h in ["a|943|1|580", "a|943", "943|1|580", "943"] {
            assert_eq!(parse_asset_handle(h), Some(943));
        }
        assert_eq!(parse_company_handle("c|6"), Some(6));
        assert_eq!(parse_company_handle("x"), None);
        assert_eq!(normalize_folder_path("f|/A//b"), Some("A/b/".into()));
        assert_eq!(parse_job_handle("j|6||up|12"), Some(12));
    }
}
