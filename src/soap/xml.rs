//! Bounded XML reader: turns a request body into a small element tree before any business
//! logic sees it. First stop of every SOAP request and of the upload servlet's XML parts.
//!
//! Limits: a DTD (`<!DOCTYPE`) is refused outright (so entity-expansion attacks such as
//! "billion laughs" fail on the first event with flat memory), nesting depth and element count
//! are bounded, and unknown entity references are errors. Namespaces are resolved to URIs;
//! prefixes never matter.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Bounds for one document.
#[derive(Debug, Clone, Copy)]
pub struct XmlLimits {
    pub max_depth: usize,
    pub max_elements: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        XmlLimits {
            max_depth: 64,
            max_elements: 200_000,
        }
    }
}

/// One element: namespace URI (None when unqualified), local name, concatenated text, children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    pub ns: Option<String>,
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

/// Why a document was refused. The text is safe to show to the caller.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum XmlError {
    #[error("DTDs are not allowed in requests")]
    Dtd,
    #[error("XML nesting deeper than {0} levels")]
    TooDeep(usize),
    #[error("XML document has more than {0} elements")]
    TooManyElements(usize),
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("XML document has no root element")]
    Empty,
}

impl Element {
    /// First child with this local name whose namespace is `ns` or absent.
    pub fn child(&self, name: &str, ns: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.name == name && c.ns.as_deref().is_none_or(|n| n == ns))
    }

    /// True when this element's namespace equals `ns`.
    pub fn is(&self, name: &str, ns: &str) -> bool {
        self.name == name && self.ns.as_deref() == Some(ns)
    }
}

/// Parses `input` into its root element, enforcing `limits`.
pub fn parse(input: &[u8], limits: XmlLimits) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_reader(input);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
    let mut buf = Vec::new();
    loop {
        let (res, ev) = reader
            .read_resolved_event_into(&mut buf)
            .map_err(|e| XmlError::Malformed(e.to_string()))?;
        match ev {
            Event::DocType(_) => return Err(XmlError::Dtd),
            Event::Start(s) => {
                open(&mut stack, &mut count, limits, element(res, &s))?;
            }
            Event::Empty(s) => {
                open(&mut stack, &mut count, limits, element(res, &s))?;
                if let Some(root) = close(&mut stack) {
                    return finish(&mut reader, &mut buf, root);
                }
            }
            Event::End(_) => {
                if let Some(root) = close(&mut stack) {
                    return finish(&mut reader, &mut buf, root);
                }
            }
            Event::Text(t) => {
                let s = t
                    .unescape()
                    .map_err(|e| XmlError::Malformed(e.to_string()))?;
                push_text(&mut stack, &s)?;
            }
            Event::CData(t) => {
                let s = String::from_utf8(t.into_inner().into_owned())
                    .map_err(|_| XmlError::Malformed("invalid UTF-8 in CDATA".into()))?;
                push_text(&mut stack, &s)?;
            }
            Event::Eof => {
                return Err(if stack.is_empty() {
                    XmlError::Empty
                } else {
                    XmlError::Malformed("unexpected end of document".into())
                })
            }
            _ => {}
        }
        buf.clear();
    }
}

fn element(res: ResolveResult, s: &BytesStart) -> Element {
    let ns = match res {
        ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
        _ => None,
    };
    Element {
        ns,
        name: String::from_utf8_lossy(s.local_name().as_ref()).into_owned(),
        ..Element::default()
    }
}

fn open(
    stack: &mut Vec<Element>,
    count: &mut usize,
    limits: XmlLimits,
    el: Element,
) -> Result<(), XmlError> {
    *count += 1;
    if *count > limits.max_elements {
        return Err(XmlError::TooManyElements(limits.max_elements));
    }
    if stack.len() >= limits.max_depth {
        return Err(XmlError::TooDeep(limits.max_depth));
    }
    stack.push(el);
    Ok(())
}

/// Pops the innermost element into its parent; returns it when it was the root.
fn close(stack: &mut Vec<Element>) -> Option<Element> {
    let el = stack.pop()?;
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(el);
            None
        }
        None => Some(el),
    }
}

fn push_text(stack: &mut [Element], s: &str) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(el) => {
            el.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err(XmlError::Malformed("text outside the root element".into())),
    }
}

/// After the root closes only whitespace, comments and PIs may follow.
fn finish(
    reader: &mut NsReader<&[u8]>,
    buf: &mut Vec<u8>,
    root: Element,
) -> Result<Element, XmlError> {
    loop {
        buf.clear();
        match reader.read_event_into(buf) {
            Ok(Event::Eof) => return Ok(root),
            Ok(Event::Text(t)) if t.iter().all(|b| b.is_ascii_whitespace()) => {}
            Ok(Event::Comment(_)) | Ok(Event::PI(_)) => {}
            Ok(Event::DocType(_)) => return Err(XmlError::Dtd),
            Ok(_) => return Err(XmlError::Malformed("content after the root element".into())),
            Err(e) => return Err(XmlError::Malformed(e.to_string())),
        }
    }
}

/// Escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Element, XmlError> {
        parse(s.as_bytes(), XmlLimits::default())
    }

    #[test]
    fn resolves_namespaces_not_prefixes() {
        let a = p(r#"<a:x xmlns:a="urn:n"><a:y>1 &amp; 2</a:y></a:x>"#).unwrap();
        let b = p(r#"<x xmlns="urn:n"><y>1 &amp; 2</y></x>"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.child("y", "urn:n").unwrap().text, "1 & 2");
    }

    #[test]
    fn refuses_dtd_and_billion_laughs() {
        let doc = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>"#;
        assert_eq!(p(doc), Err(XmlError::Dtd));
    }

    #[test]
    fn bounds_depth_and_count() {
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(p(&deep), Err(XmlError::TooDeep(64)));
        let wide = format!("<a>{}</a>", "<b/>".repeat(300_000));
        assert_eq!(p(&wide), Err(XmlError::TooManyElements(200_000)));
    }

    #[test]
    fn rejects_truncated_and_trailing_content() {
        assert!(matches!(p("<a><b>"), Err(XmlError::Malformed(_))));
        assert!(matches!(p("<a></b>"), Err(XmlError::Malformed(_))));
        assert!(matches!(p("<a/><b/>"), Err(XmlError::Malformed(_))));
        assert_eq!(p("  "), Err(XmlError::Empty));
        assert!(matches!(p("<a>&foo;</a>"), Err(XmlError::Malformed(_))));
    }

    #[test]
    fn keeps_cdata_and_escapes() {
        let e = p("<a><![CDATA[x<y]]></a>").unwrap();
        assert_eq!(e.text, "x<y");
        assert_eq!(escape("a<&>\"'"), "a&lt;&amp;&gt;&quot;&apos;");
    }
}
