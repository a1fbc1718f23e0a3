//! The shop: three routes, measured by one `SloLayer`, and `/slo`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use slo::Registry;
use slo::fleet::rules::{RulesOptions, rules};
use slo::prometheus::PrometheusExporter;
use slo::tower::axum::MeasuredRouter;
use slo::tower::{SloEndpoint, SloLayer};

use crate::faults::{Asked, Faults, Route, SLOW};

#[derive(Clone)]
struct Shop {
    faults: Arc<Faults>,
}

/// Simulated work, plus the injected slowness and failure, and the fault
/// this request named (with `--fault-header`).
async fn work(
    shop: &Shop,
    route: Route,
    base: Duration,
    asked: Option<Asked>,
) -> Result<(), Response> {
    let jitter = Duration::from_micros(fastrand::u64(0..=base.as_micros() as u64));
    let delay = if shop.faults.slow(route) || asked == Some(Asked::Slow) {
        SLOW
    } else {
        base / 2 + jitter
    };
    tokio::time::sleep(delay).await;
    if let Some(Asked::Status(status)) = asked {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        return Err((status, "asked-for failure\n").into_response());
    }
    if shop.faults.fail(route) {
        return Err((StatusCode::SERVICE_UNAVAILABLE, "injected failure\n").into_response());
    }
    Ok(())
}

async fn checkout(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    let asked = shop.faults.asked(&headers);
    match work(&shop, Route::Checkout, Duration::from_millis(8), asked).await {
        Ok(()) => (StatusCode::CREATED, "{\"order\":\"accepted\"}\n").into_response(),
        Err(failure) => failure,
    }
}

#[derive(serde::Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn search(
    State(shop): State<Shop>,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Response {
    let asked = shop.faults.asked(&headers);
    match work(&shop, Route::Search, Duration::from_millis(30), asked).await {
        // The index is struggling: yesterday's results from the cache.
        // The customer gets an answer, a worse one: search-quality says so.
        Ok(()) if shop.faults.degraded() || asked == Some(Asked::Degraded) => {
            let q = query.q.unwrap_or_default();
            let body = serde_json::json!({"q": q, "results": ["teapot"], "stale": true});
            (Extension(slo::Degraded), axum::Json(body)).into_response()
        }
        Ok(()) => {
            let q = query.q.unwrap_or_default();
            let body = serde_json::json!({"q": q, "results": ["teapot", "kettle", "mug"]});
            axum::Json(body).into_response()
        }
        Err(failure) => failure,
    }
}

async fn cart(State(shop): State<Shop>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    let asked = shop.faults.asked(&headers);
    match work(&shop, Route::Cart, Duration::from_millis(4), asked).await {
        // Cart 0 never exists: a client's mistake, not the shop's.
        Ok(()) if id == 0 => (StatusCode::NOT_FOUND, "no such cart\n").into_response(),
        Ok(()) => axum::Json(serde_json::json!({"cart": id, "items": 3})).into_response(),
        Err(failure) => failure,
    }
}

/// The load balancer's health check of the cart service.
async fn cart_health() -> &'static str {
    "ok\n"
}

/// `GET /rules`: the Prometheus rules for the shop's own SLOs, generated
/// once at start, so a fleet's Prometheus can load them from any instance.
fn rules_route(registry: &Registry) -> axum::routing::MethodRouter {
    let answer: Result<String, String> = rules(registry.spec(), &RulesOptions::new())
        .to_yaml()
        .map_err(|e| e.to_string());
    get(move || {
        let answer = answer.clone();
        async move {
            match answer {
                Ok(yaml) => ([(CONTENT_TYPE, "application/yaml")], yaml).into_response(),
                Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
            }
        }
    })
}

/// The shop's router, measured by one `SloLayer` around it (the cheapest
/// place for it under `axum::serve`): the rules match request paths, so
/// `/slo`, `/metrics` and `/rules`, which no SLO's routes name, count
/// toward none.
pub fn router(
    registry: &Registry,
    faults: Arc<Faults>,
    exporter: &PrometheusExporter,
    trace_url: Option<&str>,
) -> Result<MeasuredRouter, String> {
    let mut endpoint = SloEndpoint::new(registry.clone());
    if let Some(template) = trace_url {
        endpoint = endpoint
            .trace_url(template)
            .map_err(|e| format!("--trace-url: {e}"))?;
    }
    let router = Router::new()
        .route("/checkout", post(checkout))
        .route("/search", get(search))
        .route("/cart/{id}", get(cart))
        .route("/cart/health", get(cart_health))
        .with_state(Shop { faults })
        .route_service("/slo", endpoint)
        .route_service("/metrics", exporter.endpoint())
        .route("/rules", rules_route(registry));
    Ok(slo::tower::axum::around(&SloLayer::new(registry), router))
}
