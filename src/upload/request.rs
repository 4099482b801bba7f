//! Reads the upload servlet's multipart body: the `auth` part (an authHeader document), the
//! `uploadParams` part (`uploadPostParam` or `uploadPostParams`, any IpsApi namespace) and the
//! file parts, enforcing the upload byte cap while streaming.

use super::options::UploadOptions;
use crate::soap::envelope::{auth_from_element, parse_bool, AuthHeader};
use crate::soap::ns::ApiNs;
use crate::soap::xml::{self, Element, XmlLimits};
use crate::soap::Fault;
use crate::state::AppState;
use axum::extract::Multipart;
use bytes::{Bytes, BytesMut};

pub struct UploadFile {
    /// `filename` of the part (or the `fileName` override), a path possibly with folders.
    pub path: String,
    pub bytes: Bytes,
}

pub struct UploadRequest {
    pub ns: ApiNs,
    pub auth: AuthHeader,
    pub company: String,
    pub job_name: Option<String>,
    pub job_handle: Option<String>,
    pub locale: Option<String>,
    pub description: Option<String>,
    pub dest_folder: Option<String>,
    pub end_job: bool,
    pub options: Option<UploadOptions>,
    pub files: Vec<UploadFile>,
}

type Refusal = (Fault, Option<u16>);

struct Parts {
    auth: Option<Element>,
    params: Option<Element>,
    files: Vec<(String, Bytes)>,
}

pub async fn read(mut mp: Multipart, st: &AppState) -> Result<UploadRequest, Refusal> {
    let limits = XmlLimits {
        max_depth: st.cfg.xml_max_depth,
        max_elements: st.cfg.xml_max_elements,
    };
    let mut parts = Parts {
        auth: None,
        params: None,
        files: Vec::new(),
    };
    let mut total = 0usize;
    let bad = |m: String| (Fault::bad_xml(m), None);
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| bad(format!("Malformed multipart body: {e}")))?
    {
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let mut buf = BytesMut::new();
        while let Some(chunk) = field
            .chunk()
            .await
            .map_err(|e| bad(format!("Malformed multipart body: {e}")))?
        {
            total += chunk.len();
            if total > st.cfg.upload_max_bytes {
                let f = Fault::invalid(format!(
                    "Upload exceeds the limit of {} bytes",
                    st.cfg.upload_max_bytes
                ));
                return Err((f, None));
            }
            buf.extend_from_slice(&chunk);
        }
        let data = buf.freeze();
        match name.as_str() {
            "auth" => {
                parts.auth = Some(
                    xml::parse(&data, limits).map_err(|e| bad(format!("Invalid auth XML: {e}")))?,
                )
            }
            "uploadParams" => {
                parts.params = Some(
                    xml::parse(&data, limits)
                        .map_err(|e| bad(format!("Invalid uploadParams XML: {e}")))?,
                )
            }
            _ => parts.files.push((filename.unwrap_or(name), data)),
        }
    }
    build(parts)
}

fn build(parts: Parts) -> Result<UploadRequest, Refusal> {
    let auth_el = parts.auth.ok_or_else(|| {
        (
            Fault::authentication(
                crate::soap::fault::NO_CREDENTIALS,
                "The upload has no 'auth' part",
            ),
            None,
        )
    })?;
    if auth_el.name != "authHeader" || auth_el.ns.as_deref().and_then(ApiNs::parse).is_none() {
        return Err((
            Fault::bad_xml("The 'auth' part must be an authHeader document"),
            None,
        ));
    }
    let auth = auth_from_element(&auth_el);
    let status = auth.fault_http_status;
    let fail = |f: Fault| (f, status);
    let p = parts
        .params
        .ok_or_else(|| fail(Fault::missing("uploadParams")))?;
    let ns = p.ns.as_deref().and_then(ApiNs::parse);
    let ns = match ns {
        Some(ns) if p.name == "uploadPostParam" || p.name == "uploadPostParams" => ns,
        _ => {
            return Err(fail(Fault::bad_xml(
                "The 'uploadParams' part must be an uploadPostParam document",
            )))
        }
    };
    let text = |n: &str| {
        p.child(n, &ns.uri)
            .map(|e| e.text.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let company = text("companyHandle").ok_or_else(|| fail(Fault::missing("companyHandle")))?;
    let (job_name, job_handle) = (text("jobName"), text("jobHandle"));
    if job_name.is_none() && job_handle.is_none() {
        return Err(fail(Fault::missing("jobName")));
    }
    let end_job = match text("endJob") {
        None => false,
        Some(v) => {
            parse_bool(&v).ok_or_else(|| fail(Fault::bad_xml("'endJob' must be a boolean")))?
        }
    };
    let options = match p.child("uploadParams", &ns.uri) {
        Some(e) => Some(UploadOptions::from_element(e).map_err(|m| fail(Fault::bad_xml(m)))?),
        None => None,
    };
    let file_override = text("fileName");
    let files = parts
        .files
        .into_iter()
        .map(|(path, bytes)| UploadFile {
            path: file_override.clone().unwrap_or(path),
            bytes,
        })
        .collect();
    Ok(UploadRequest {
        auth,
        company,
        job_name,
        job_handle,
        locale: text("locale"),
        description: text("description"),
        dest_folder: text("destFolder"),
        end_job,
        options,
        files,
        ns,
    })
}
