//! The SOAP endpoint and the WSDL files: reads the body under its cap, parses the envelope,
//! hands it to `api::handle`, and writes the reply or fault in the request's SOAP version, with
//! gzip and `faultHttpStatusCode` as spec/ips-soap.md §4.5–4.6 describe.

use crate::api;
use crate::config::GzipMode;
use crate::soap::envelope::{self, AuthHeader};
use crate::soap::ns::{ApiNs, WSDL_VERSIONS};
use crate::soap::xml::XmlLimits;
use crate::soap::{wsdl, Fault, SoapVersion};
use crate::state::SharedState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use std::collections::HashMap;
use std::io::Write;

pub async fn endpoint(State(st): State<SharedState>, headers: HeaderMap, body: Body) -> Response {
    let ct = header_str(&headers, header::CONTENT_TYPE);
    let bytes = match axum::body::to_bytes(body, st.cfg.soap_max_bytes).await {
        Ok(b) => b,
        Err(_) => {
            let v = envelope::version_from_content_type(ct);
            let f = Fault::bad_xml(format!(
                "Request body exceeds the limit of {} bytes",
                st.cfg.soap_max_bytes
            ));
            return fault_response(v, &f, None);
        }
    };
    let limits = XmlLimits {
        max_depth: st.cfg.xml_max_depth,
        max_elements: st.cfg.xml_max_elements,
    };
    let action = header_str(&headers, "soapaction");
    let req = match envelope::parse_request(&bytes, ct, action, limits) {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(code = e.fault.code, reason = %e.fault.reason, "refused SOAP envelope");
            return fault_response(e.version, &e.fault, e.fault_http_status);
        }
    };
    let basic = basic_credentials(&headers);
    let auth = req.auth.clone().unwrap_or_default();
    match api::handle(&st, &req, basic).await {
        Ok(node) => {
            let xml = req
                .version
                .envelope(&node.to_xml_with_default_ns(&req.ns.uri));
            let gzip = wants_gzip(st.cfg.gzip, &auth, &headers);
            xml_response(StatusCode::OK, req.version.content_type(), xml, gzip)
        }
        Err(f) => {
            tracing::info!(op = %req.operation, code = f.code, reason = %f.reason, "fault");
            fault_response(req.version, &f, auth.fault_http_status)
        }
    }
}

fn header_str<K: header::AsHeaderName>(h: &HeaderMap, k: K) -> Option<&str> {
    h.get(k).and_then(|v| v.to_str().ok())
}

/// `Authorization: Basic base64(user:password)`.
pub fn basic_credentials(h: &HeaderMap) -> Option<(String, String)> {
    let v = header_str(h, header::AUTHORIZATION)?;
    let b64 = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))?;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (u, p) = s.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

fn wants_gzip(mode: GzipMode, auth: &AuthHeader, h: &HeaderMap) -> bool {
    let accepts = header_str(h, header::ACCEPT_ENCODING).is_some_and(|v| {
        v.split(',').any(|e| {
            e.trim()
                .split(';')
                .next()
                .is_some_and(|n| n.trim().eq_ignore_ascii_case("gzip"))
        })
    });
    match mode {
        GzipMode::Never => false,
        GzipMode::Always => true,
        GzipMode::Soap => auth.gzip_response == Some(true),
        GzipMode::Accept => auth.gzip_response.unwrap_or(accepts),
    }
}

/// A fault reply: HTTP 500 unless `faultHttpStatusCode` asked for another status.
pub fn fault_response(v: SoapVersion, f: &Fault, status: Option<u16>) -> Response {
    let code = status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    xml_response(
        code,
        v.content_type(),
        v.envelope(&f.soap_fault_xml(v)),
        false,
    )
}

fn xml_response(status: StatusCode, ct: &'static str, xml: String, gzip: bool) -> Response {
    let mut b = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, ct);
    let body = if gzip {
        b = b.header(header::CONTENT_ENCODING, "gzip");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = enc.write_all(xml.as_bytes());
        enc.finish().unwrap_or_default()
    } else {
        xml.into_bytes()
    };
    b.body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// `GET /scene7/webservice/IpsApi[-YYYY-MM-DD].wsdl[?serviceUrl=…]`.
pub async fn wsdl(
    State(st): State<SharedState>,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ns = match file
        .strip_prefix("IpsApi")
        .and_then(|r| r.strip_suffix(".wsdl"))
    {
        Some("") => ApiNs::base(),
        Some(v) => match v.strip_prefix('-').filter(|d| WSDL_VERSIONS.contains(d)) {
            Some(d) => ApiNs::for_version(Some(d)),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
        None => return StatusCode::NOT_FOUND.into_response(),
    };
    let base = q
        .get("serviceUrl")
        .map(|u| u.trim_end_matches('/').to_string())
        .or_else(|| st.cfg.public_url.clone())
        .unwrap_or_else(|| {
            let host = header_str(&headers, header::HOST).unwrap_or("localhost");
            format!("http://{host}")
        });
    let doc = wsdl::generate(&ns, &format!("{base}/scene7/services/IpsApiService"));
    ([(header::CONTENT_TYPE, "text/xml; charset=UTF-8")], doc).into_response()
}
