#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Semantics
//!
//! What it counts ([`slo_core::semantics`] has the rules in full): 5xx,
//! errors of the inner service, panics and bodies that error are failures;
//! gRPC fails on `UNKNOWN`, `DEADLINE_EXCEEDED`, `INTERNAL`, `UNAVAILABLE`
//! and `DATA_LOSS`, read from headers or trailers; latency runs to the end
//! of the response body; a client that goes away is excluded, unless a
//! latency SLI's threshold had already passed (then it is bad) or the
//! server had already failed.

#[cfg(feature = "axum")]
pub mod axum;
mod body;
pub mod classify;
mod endpoint;
mod future;
mod layer;
mod pending;
mod routes;
mod service;
mod trace;

pub use body::SloBody;
pub use endpoint::{SloEndpoint, TraceUrlError};
pub use future::ResponseFuture;
pub use layer::{LayerError, SloLayer, SloLayerBuilder};
pub use service::SloService;
