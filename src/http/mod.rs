//! HTTP routes: the SOAP endpoint, WSDLs, the upload servlet, `/is/content` and `/is/image`,
//! and `/healthz`. Routing and HTTP details only; the work happens in `api`, `upload`, `catalog`.

pub mod content;
mod default_image;
pub mod soap;

use crate::state::SharedState;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};

/// The whole service router.
pub fn router(state: SharedState) -> Router {
    Router::new()
        .route("/scene7/services/IpsApiService", post(soap::endpoint))
        .route("/scene7/webservice/{file}", get(soap::wsdl))
        .route("/scene7/UploadFile", post(crate::upload::endpoint))
        .route("/is/content/{company}/{*name}", get(content::content))
        .route("/is/image/{company}/{*name}", get(content::image))
        .route("/healthz", get(healthz))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state)
}

async fn healthz(
    State(st): State<SharedState>,
) -> (axum::http::StatusCode, Json<serde_json::Value>) {
    let ready = st.catalog.ping().await.is_ok();
    let status = if ready {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "catalog": st.catalog.backend(),
        "executor": st.engine.describe(),
        "ready": ready,
    });
    (status, Json(body))
}
