//! Typed access to the children of a `…Param` element: required and optional strings,
//! booleans, ints, dates and arrays, each failing with the documented fault (30002 for missing,
//! 30003 for wrongly typed values).

use super::envelope::parse_bool;
use super::fault::Fault;
use super::xml::Element;
use chrono::{DateTime, Utc};

/// The operation's parameter element plus the namespace its children must be in.
pub struct Params<'a> {
    pub el: &'a Element,
    pub ns: &'a str,
}

impl<'a> Params<'a> {
    pub fn new(el: &'a Element, ns: &'a str) -> Self {
        Params { el, ns }
    }

    pub fn element(&self, name: &str) -> Option<&'a Element> {
        self.el.child(name, self.ns)
    }

    /// The text of a child element, or None when the element is absent.
    pub fn opt(&self, name: &str) -> Option<String> {
        self.element(name).map(|e| e.text.clone())
    }

    /// The trimmed text, None when absent or blank.
    pub fn opt_nonblank(&self, name: &str) -> Option<String> {
        self.opt(name)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// A required, non-blank value (trimmed); 30002 otherwise.
    pub fn req(&self, name: &str) -> Result<String, Fault> {
        self.opt_nonblank(name).ok_or_else(|| Fault::missing(name))
    }

    /// The first present of several alias names.
    pub fn req_any(&self, names: &[&str]) -> Result<String, Fault> {
        names
            .iter()
            .find_map(|n| self.opt_nonblank(n))
            .ok_or_else(|| Fault::missing(names[0]))
    }

    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, Fault> {
        match self.opt_nonblank(name) {
            None => Ok(None),
            Some(v) => parse_bool(&v)
                .map(Some)
                .ok_or_else(|| Fault::bad_xml(format!("'{name}' must be a boolean, got '{v}'"))),
        }
    }

    pub fn req_bool(&self, name: &str) -> Result<bool, Fault> {
        self.opt_bool(name)?.ok_or_else(|| Fault::missing(name))
    }

    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, Fault> {
        match self.opt_nonblank(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<i32>()
                .map(|n| Some(n as i64))
                .map_err(|_| Fault::bad_xml(format!("'{name}' must be an xsd:int, got '{v}'"))),
        }
    }

    /// xsd:dateTime; a value without a zone is taken as UTC.
    pub fn opt_datetime(&self, name: &str) -> Result<Option<DateTime<Utc>>, Fault> {
        match self.opt_nonblank(name) {
            None => Ok(None),
            Some(v) => parse_datetime(&v).map(Some).ok_or_else(|| {
                Fault::bad_xml(format!("'{name}' must be an xsd:dateTime, got '{v}'"))
            }),
        }
    }

    /// `<name><items>..</items>..</name>` texts (trimmed); None when the wrapper is absent.
    pub fn string_array(&self, name: &str) -> Option<Vec<String>> {
        self.element(name).map(|arr| {
            arr.children
                .iter()
                .filter(|c| c.name == "items")
                .map(|c| c.text.trim().to_string())
                .collect()
        })
    }

    /// The first present of several alias array names.
    pub fn string_array_any(&self, names: &[&str]) -> Option<Vec<String>> {
        names.iter().find_map(|n| self.string_array(n))
    }

    /// The `items` elements of an array of complex items, as nested Params.
    pub fn item_params(&self, name: &str) -> Option<Vec<Params<'a>>> {
        let ns = self.ns;
        self.element(name).map(|arr| {
            arr.children
                .iter()
                .filter(|c| c.name == "items")
                .map(|c| Params::new(c, ns))
                .collect()
        })
    }
}

/// Parses xsd:dateTime with `Z`, an offset, or no zone (taken as UTC).
pub fn parse_datetime(v: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(v) {
        return Some(d.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// Formats as xsd:dateTime with milliseconds and `Z`.
pub fn format_datetime(d: &DateTime<Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_with_and_without_zones() {
        let d = parse_datetime("2008-07-31T12:00:00-06:00").unwrap();
        assert_eq!(format_datetime(&d), "2008-07-31T18:00:00.000Z");
        assert!(parse_datetime("2007-08-01T00:00:00").is_some());
        assert!(parse_datetime("yesterday").is_none());
    }
}
