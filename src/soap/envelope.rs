//! SOAP 1.1/1.2 envelope parsing: from HTTP body + headers to the operation name, its parameter
//! element, the API namespace and the caller's credentials (spec/ips-soap.md §2–4).

use super::fault::Fault;
use super::ns::{ApiNs, LEGACY_AUTH_NS};
use super::xml::{self, Element, XmlError, XmlLimits};
use super::{SoapVersion, SOAP11_NS, SOAP12_NS};

/// The `authHeader` block (or the legacy headers folded into one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthHeader {
    pub user: Option<String>,
    pub password: Option<String>,
    pub locale: Option<String>,
    pub app_name: Option<String>,
    pub app_version: Option<String>,
    pub gzip_response: Option<bool>,
    /// A status in 200..=599 to use on fault replies (§4.6); other values are ignored.
    pub fault_http_status: Option<u16>,
}

/// A parsed request, ready for authentication and dispatch.
#[derive(Debug, Clone)]
pub struct SoapRequest {
    pub version: SoapVersion,
    pub ns: ApiNs,
    /// Operation name (`copyImage` for `<copyImageParam>`).
    pub operation: String,
    pub body: Element,
    pub auth: Option<AuthHeader>,
}

/// Why the envelope was refused; carries what is known for shaping the fault reply.
#[derive(Debug, Clone)]
pub struct EnvelopeError {
    pub version: SoapVersion,
    pub fault: Fault,
    pub fault_http_status: Option<u16>,
}

/// Guesses the SOAP version from Content-Type for replies to unparseable requests.
pub fn version_from_content_type(ct: Option<&str>) -> SoapVersion {
    match ct {
        Some(c) if c.to_ascii_lowercase().contains("application/soap+xml") => SoapVersion::Soap12,
        _ => SoapVersion::Soap11,
    }
}

/// Parses the whole request. `soap_action` is the SOAPAction header, if any.
pub fn parse_request(
    body: &[u8],
    content_type: Option<&str>,
    soap_action: Option<&str>,
    limits: XmlLimits,
) -> Result<SoapRequest, EnvelopeError> {
    let guess = version_from_content_type(content_type);
    let fail = |version, fault| EnvelopeError {
        version,
        fault,
        fault_http_status: None,
    };
    let root = xml::parse(body, limits).map_err(|e| fail(guess, xml_fault(e)))?;
    let version = match root.ns.as_deref() {
        Some(SOAP11_NS) if root.name == "Envelope" => SoapVersion::Soap11,
        Some(SOAP12_NS) if root.name == "Envelope" => SoapVersion::Soap12,
        _ => {
            return Err(fail(
                guess,
                Fault::bad_xml("Request is not a SOAP 1.1 or 1.2 envelope"),
            ))
        }
    };
    let env_ns = version.ns();
    let auth = root
        .child("Header", env_ns)
        .filter(|h| h.ns.as_deref() == Some(env_ns))
        .and_then(read_auth);
    let status = auth.as_ref().and_then(|a| a.fault_http_status);
    let fail = |fault| EnvelopeError {
        version,
        fault,
        fault_http_status: status,
    };
    let body_el = body_element(&root, env_ns).map_err(fail)?;
    let ns = body_el
        .ns
        .as_deref()
        .and_then(ApiNs::parse)
        .ok_or_else(|| {
            fail(Fault::bad_xml(format!(
                "Unknown namespace for body element '{}'",
                body_el.name
            )))
        })?;
    let operation = body_el
        .name
        .strip_suffix("Param")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            fail(Fault::bad_xml(format!(
                "Unknown operation element '{}'",
                body_el.name
            )))
        })?
        .to_string();
    let action = soap_action
        .map(str::to_string)
        .or_else(|| content_type.and_then(action_from_content_type));
    check_action(action.as_deref(), &operation).map_err(fail)?;
    Ok(SoapRequest {
        version,
        ns,
        operation,
        body: body_el.clone(),
        auth,
    })
}

fn xml_fault(e: XmlError) -> Fault {
    Fault::bad_xml(format!("Invalid request XML: {e}"))
}

fn body_element<'a>(root: &'a Element, env_ns: &str) -> Result<&'a Element, Fault> {
    let body = root
        .children
        .iter()
        .find(|c| c.is("Body", env_ns))
        .ok_or_else(|| Fault::bad_xml("SOAP envelope has no Body"))?;
    match body.children.as_slice() {
        [one] => Ok(one),
        [] => Err(Fault::bad_xml("SOAP Body is empty")),
        _ => Err(Fault::bad_xml("SOAP Body must hold exactly one element")),
    }
}

/// Reads `authHeader` (any IpsApi namespace) or the legacy `AuthUser`/`AuthPassword` pair.
fn read_auth(header: &Element) -> Option<AuthHeader> {
    let in_api_ns = |e: &&Element| e.ns.as_deref().and_then(ApiNs::parse).is_some();
    if let Some(h) = header
        .children
        .iter()
        .filter(in_api_ns)
        .find(|e| e.name == "authHeader")
    {
        return Some(auth_from_element(h));
    }
    let legacy = |name: &str| {
        header
            .children
            .iter()
            .find(|e| e.is(name, LEGACY_AUTH_NS))
            .map(|e| e.text.clone())
    };
    let (user, password) = (legacy("AuthUser"), legacy("AuthPassword"));
    (user.is_some() || password.is_some()).then(|| AuthHeader {
        user,
        password,
        ..AuthHeader::default()
    })
}

/// Reads an `authHeader` element's children in any order, ignoring unknown ones. Also used for
/// the upload servlet's `auth` part.
pub fn auth_from_element(h: &Element) -> AuthHeader {
    let mut a = AuthHeader::default();
    for c in &h.children {
        let t = Some(c.text.clone());
        match c.name.as_str() {
            "user" => a.user = t,
            "password" => a.password = t,
            "locale" => a.locale = t,
            "appName" => a.app_name = t,
            "appVersion" => a.app_version = t,
            "gzipResponse" => a.gzip_response = parse_bool(&c.text),
            "faultHttpStatusCode" => {
                a.fault_http_status = c
                    .text
                    .trim()
                    .parse()
                    .ok()
                    .filter(|s| (200..=599).contains(s))
            }
            _ => {}
        }
    }
    a
}

/// xsd:boolean.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn action_from_content_type(ct: &str) -> Option<String> {
    ct.split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("action="))
        .map(str::to_string)
}

/// SOAPAction may be absent or empty; otherwise its name (quoted, bare, or the last segment of
/// a URI) must name the body's operation.
fn check_action(action: Option<&str>, operation: &str) -> Result<(), Fault> {
    let Some(raw) = action else { return Ok(()) };
    let a = raw.trim().trim_matches('"').trim();
    if a.is_empty() {
        return Ok(());
    }
    let name = a.rsplit(['/', '#', ':']).next().unwrap_or(a);
    if name == operation {
        Ok(())
    } else {
        Err(Fault::bad_xml(format!(
            "SOAPAction '{name}' does not match the body operation '{operation}'"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COPY: &str = r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
      <soapenv:Header><authHeader xmlns="http://www.scene7.com/IpsApi/xsd"><user>u@x</user><password>pw</password>
      <faultHttpStatusCode>200</faultHttpStatusCode></authHeader></soapenv:Header>
      <soapenv:Body><copyImageParam xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15">
      <companyHandle>c|6</companyHandle><urlModifier/></copyImageParam></soapenv:Body></soapenv:Envelope>"#;

    fn parse(body: &str, action: Option<&str>) -> Result<SoapRequest, EnvelopeError> {
        parse_request(
            body.as_bytes(),
            Some("text/xml"),
            action,
            XmlLimits::default(),
        )
    }

    #[test]
    fn parses_spec_copy_image_example() {
        let r = parse(COPY, Some("copyImage")).unwrap();
        assert_eq!(r.operation, "copyImage");
        assert_eq!(r.version, SoapVersion::Soap11);
        assert_eq!(r.ns.date.as_deref(), Some("2008-01-15"));
        let a = r.auth.unwrap();
        assert_eq!(a.user.as_deref(), Some("u@x"));
        assert_eq!(a.fault_http_status, Some(200));
    }

    #[test]
    fn soap_action_forms() {
        for ok in ["\"copyImage\"", "copyImage", "urn:x/copyImage", ""] {
            assert!(parse(COPY, Some(ok)).is_ok(), "{ok}");
        }
        let e = parse(COPY, Some("deleteAsset")).unwrap_err();
        assert_eq!(e.fault.code, 30003);
        assert_eq!(e.fault_http_status, Some(200));
    }

    #[test]
    fn wrong_namespace_and_shapes() {
        let wrong = COPY.replace("http://www.scene7.com/IpsApi/xsd/2008-01-15", "urn:evil");
        assert_eq!(parse(&wrong, None).unwrap_err().fault.code, 30003);
        let not_soap = "<copyImageParam xmlns=\"http://www.scene7.com/IpsApi/xsd\"/>";
        assert_eq!(parse(not_soap, None).unwrap_err().fault.code, 30003);
        let truncated = &COPY[..COPY.len() - 30];
        assert_eq!(parse(truncated, None).unwrap_err().fault.code, 30003);
    }

    #[test]
    fn legacy_headers_and_soap12() {
        let b = r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Header>
          <AuthUser xmlns="http://www.scene7.com/IpsApi">a@b</AuthUser><AuthPassword xmlns="http://www.scene7.com/IpsApi">p</AuthPassword>
          </e:Header><e:Body><x:checkLoginParam xmlns:x="http://www.scene7.com/IpsApi/xsd"/></e:Body></e:Envelope>"#;
        let r = parse_request(
            b.as_bytes(),
            Some("application/soap+xml; action=checkLogin"),
            None,
            XmlLimits::default(),
        )
        .unwrap();
        assert_eq!(r.version, SoapVersion::Soap12);
        assert_eq!(r.auth.unwrap().password.as_deref(), Some("p"));
    }
}
