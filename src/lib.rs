//! ipsd library root: the IPS SOAP API and Image Serving service. `main.rs` is only wiring;
//! tests drive the router built by `app`.

pub mod api;
pub mod auth;
pub mod buffers;
pub mod catalog;
pub mod codec;
pub mod config;
pub mod demo;
pub mod engine;
pub mod http;
pub mod memory;
pub mod modifier;
pub mod render;
pub mod soap;
pub mod state;
pub mod storage;
pub mod upload;

pub use state::{AppState, SharedState};

/// The service router over shared state.
pub fn app(state: SharedState) -> axum::Router {
    http::router(state)
}
