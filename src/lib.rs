//! ipsd library root: the IPS SOAP API and Image Serving service. `main.rs` is only wiring;
//! tests drive the router built here.

pub mod catalog;
pub mod storage;
