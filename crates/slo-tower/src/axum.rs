//! axum integration: the `/slo` handler. (The layer reads axum's
//! `MatchedPath` by itself when this feature is on.)

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, Uri};
use slo_core::Registry;

use crate::SloEndpoint;

/// The `/slo` page as an axum handler, for a router whose state gives a
/// [`Registry`] (`Router::with_state(registry)`, or any state with
/// `FromRef`). `SloEndpoint` also mounts directly:
/// `Router::route_service("/slo", SloEndpoint::new(registry))`.
///
/// ```
/// use axum::{Router, routing::any};
/// use slo_core::{Registry, SloDefinition, Spec};
/// let spec = Spec::builder("shop").slo(SloDefinition::builder("all").objective(0.99)).build()?;
/// let app: Router = Router::new()
///     .route("/slo", any(slo_tower::axum::slo_handler))
///     .with_state(Registry::new(spec));
/// # let _ = app;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn slo_handler(
    State(registry): State<Registry>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    SloEndpoint::new(registry)
        .render(&method, &headers, uri.query())
        .into_response()
}
