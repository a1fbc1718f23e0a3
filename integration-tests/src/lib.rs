//! The routers the comparative benchmarks and the wrk runs share: the same
//! three-route axum app, bare, with `slo`'s layer, with axum-prometheus, and
//! with autometrics on the handlers.

use autometrics::autometrics;
use autometrics::objectives::{Objective, ObjectivePercentile};
use axum::Router;
use axum::routing::{get, post};
use slo::Registry;
use slo::tower::SloLayer;

/// The SLOs `slo`'s variant measures: one per route, one of them latency.
pub const SPEC: &str = include_str!("../../crates/slo-tower/benches/three-routes.yaml");

/// The handlers do nothing, so the benchmarks see the middleware's cost.
async fn ok() -> &'static str {
    "ok"
}

const API: Objective = Objective::new("api").success_rate(ObjectivePercentile::P99_9);

/// The same handler measured by autometrics with an objective.
#[autometrics(objective = API)]
async fn ok_measured() -> &'static str {
    "ok"
}

/// The bare router.
pub fn bare() -> Router {
    Router::new()
        .route("/checkout", post(ok))
        .route("/search", get(ok))
        .route("/cart/{id}", get(ok))
}

/// The router with `slo`'s layer over `registry` (built from [`SPEC`]).
pub fn with_slo(registry: &Registry) -> Router {
    bare().layer(SloLayer::new(registry))
}

/// The router with axum-prometheus' layer (its recorder must be installed:
/// see [`install_prometheus_recorder`]).
pub fn with_axum_prometheus() -> Router {
    bare().layer(axum_prometheus::PrometheusMetricLayer::new())
}

/// Installs axum-prometheus' recorder (global, once per process); the
/// autometrics variant records into the same `metrics` recorder.
pub fn install_prometheus_recorder()
-> axum_prometheus::metrics_exporter_prometheus::PrometheusHandle {
    axum_prometheus::PrometheusMetricLayer::pair().1
}

/// The router whose handlers are autometrics-instrumented.
pub fn with_autometrics() -> Router {
    Router::new()
        .route("/checkout", post(ok_measured))
        .route("/search", get(ok_measured))
        .route("/cart/{id}", get(ok_measured))
}
