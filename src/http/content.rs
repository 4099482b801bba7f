//! Image Serving reads: `GET /is/content/{company}/{name}` returns an asset's stored master
//! bytes unchanged, with `Content-Type`, `ETag` (the content digest) and `Last-Modified`, and
//! answers conditional requests with 304. `GET /is/image/{company}/{name}?{commands}` renders the
//! image by the Image Serving rules: the record's Modifier, then the request's commands, then its
//! PostModifier (is-catalog.md §4.2), with the `DefaultPix`/`MaxPix` limits; a bad command is a
//! 400 with a plain-text reason, never an image and never a 500; a record whose stored file
//! cannot be read is a 500 that says so. `{company}` is the company's root folder name (as in
//! `ipsImageUrl`) or its exact name. Like Scene7's public Image Server these URLs need no
//! credentials; trashed and missing assets are 404 (`/is/image` may name a `defaultImage=`
//! fallback, `default_image`). Every reply is `Cache-Control: no-cache` (clients keep it and
//! revalidate by `ETag`); `cache=off` makes a rendered one `no-store`.

use super::default_image;
use crate::catalog::{Asset, Company, TrashState};
use crate::codec::probe::content_type;
use crate::modifier::{self, Limits};
use crate::render::admission::asset_cost;
use crate::render::{catalog_size, render_blob, RenderError, StoredSource};
use crate::state::SharedState;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::time::SystemTime;

pub async fn content(
    State(st): State<SharedState>,
    Path((co, name)): Path<(String, String)>,
    h: HeaderMap,
) -> Response {
    serve(&st, &co, &name, &h).await
}

pub async fn image(
    State(st): State<SharedState>,
    Path((co, name)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    h: HeaderMap,
) -> Response {
    let query = q.unwrap_or_default();
    let (a, query) = match find_asset(&st, &co, &name).await {
        Some(a) => (a, query),
        None => match default_image::fallback(&st, &co, &query).await {
            Some(found) => found,
            None => return not_found(),
        },
    };
    let cmds = match modifier::merge(&a.url_modifier, &query, &a.url_post_modifier) {
        Ok(c) => c,
        Err(e) => return bad_request(&e.to_string()),
    };
    let etag = render_etag(&a, &query);
    let modified = httpdate::fmt_http_date(SystemTime::from(a.last_modified));
    if not_modified(&h, &etag, &a.last_modified) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::LAST_MODIFIED, modified)],
        )
            .into_response();
    }
    let c = &st.cfg;
    let limits = Limits::image_serving(c.default_pix, c.max_pix, c.max_render_pixels)
        .with_print_res(c.print_res);
    let Ok(ticket) = st.admission.admit(asset_cost(&a, &cmds, &limits)) else {
        tracing::warn!(
            admitted = st.admission.admitted(),
            "/is/image refused: busy"
        );
        return busy();
    };
    let load = || async {
        st.blobs.get(&a.blob).await.map_err(|e| {
            tracing::error!(error = %e, asset = a.id, "blob missing");
            RenderError::Unreadable(e.to_string())
        })
    };
    let source = StoredSource {
        blob: &a.blob,
        size: catalog_size(&a.image),
        load,
    };
    match render_blob(
        st.engine.as_ref(),
        &st.decodes,
        &ticket,
        source,
        &cmds,
        &limits,
    )
    .await
    {
        Ok(r) => Response::builder()
            .header(header::CONTENT_TYPE, r.format.mime())
            .header(header::ETAG, etag)
            .header(header::LAST_MODIFIED, modified)
            .header(header::CACHE_CONTROL, cache_control(&cmds))
            .body(Body::from(r.bytes))
            .unwrap_or_else(|_| internal_error()),
        Err(RenderError::Commands(m)) => bad_request(&m),
        Err(RenderError::Source(m)) => {
            tracing::warn!(error = %m, asset = a.id, "stored source cannot be rendered");
            plain(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("source image cannot be rendered: {m}"),
            )
        }
        Err(RenderError::Unreadable(_)) => unreadable(),
        Err(e) => {
            tracing::error!(error = %e, asset = a.id, "render failed");
            internal_error()
        }
    }
}

/// A validator over the stored bytes and every command string that shapes the reply.
fn render_etag(a: &Asset, query: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        a.blob.as_str(),
        &a.url_modifier,
        query,
        &a.url_post_modifier,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    format!("\"{}\"", &hex::encode(h.finalize())[..32])
}

/// The render budget is full (`render::admission`): 503 with `Retry-After: 1`, plain text.
fn busy() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::RETRY_AFTER, "1"),
        ],
        "server busy: the render queue is full, retry later\n",
    )
        .into_response()
}

fn bad_request(reason: &str) -> Response {
    plain(StatusCode::BAD_REQUEST, reason)
}

/// `status` with `reason` as a plain-text body.
fn plain(status: StatusCode, reason: &str) -> Response {
    let body = format!("{reason}\n");
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The catalog names a stored file that cannot be read: a 500 that says so (detail logged).
fn unreadable() -> Response {
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the stored image file cannot be read",
    )
}

fn internal_error() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Internal server error\n",
    )
        .into_response()
}

async fn find_company(st: &SharedState, co: &str) -> Option<Company> {
    if let Ok(Some(c)) = st.catalog.company_by_name(co).await {
        return Some(c);
    }
    let root = format!("{co}/");
    st.catalog
        .companies()
        .await
        .ok()?
        .into_iter()
        .find(|c| c.root_path == root)
}

/// The live (untrashed) record `name` of company `co` (root folder name or company name).
pub(super) async fn find_asset(st: &SharedState, co: &str, name: &str) -> Option<Asset> {
    let c = find_company(st, co).await?;
    let found = st
        .catalog
        .assets_by_name(c.id, &[name.to_string()])
        .await
        .ok()?;
    found
        .into_iter()
        .find(|a| a.trash_state == TrashState::NotInTrash)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Not found\n",
    )
        .into_response()
}

async fn serve(st: &SharedState, co: &str, name: &str, h: &HeaderMap) -> Response {
    let Some(a) = find_asset(st, co, name).await else {
        return not_found();
    };
    let etag = format!("\"{}\"", a.blob);
    let modified = httpdate::fmt_http_date(SystemTime::from(a.last_modified));
    if not_modified(h, &etag, &a.last_modified) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag), (header::LAST_MODIFIED, modified)],
        )
            .into_response();
    }
    let bytes = match st.blobs.get(&a.blob).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, asset = a.id, "blob missing");
            return unreadable();
        }
    };
    Response::builder()
        .header(header::CONTENT_TYPE, content_type(&a.image.format))
        .header(header::ETAG, etag)
        .header(header::LAST_MODIFIED, modified)
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// `no-cache` (keep the reply, revalidate it by its `ETag`), or `no-store` when the commands say
/// `cache=off` for the client (spec/is-protocol.md §4.41).
fn cache_control(cmds: &modifier::Commands) -> &'static str {
    match cmds.client_cache {
        Some(false) => "no-store",
        _ => "no-cache",
    }
}

/// If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
fn not_modified(h: &HeaderMap, etag: &str, modified: &DateTime<Utc>) -> bool {
    if let Some(inm) = h.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return inm
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag);
    }
    let since = h
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok());
    match since {
        Some(s) => DateTime::<Utc>::from(s).timestamp() >= modified.timestamp(),
        None => false,
    }
}
