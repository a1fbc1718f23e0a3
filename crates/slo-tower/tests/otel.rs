//! With feature `otel`, a bad request's trace id comes from the
//! OpenTelemetry context: a `Context` in the request's extensions first,
//! then the current context the layer is called under, then a valid
//! `traceparent`; a user extractor replaces all three.
#![cfg(feature = "otel")]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::convert::Infallible;

use http::{Request, Response, StatusCode};
use opentelemetry::Context;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceState};
use slo_core::recent::TraceId;
use slo_core::{Registry, Spec};
use slo_tower::SloLayer;
use tower::{Layer, Service, ServiceExt};

const FROM_EXTENSIONS: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const FROM_CURRENT: &str = "0af7651916cd43dd8448eb211c80319c";
const FROM_HEADER: &str = "a3ce929d0e0e47364bf92f3577b34da6";

fn context(hex: &str) -> Context {
    Context::new().with_remote_span_context(SpanContext::new(
        opentelemetry::trace::TraceId::from_hex(hex).unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    ))
}

fn request(header: bool, extension: bool) -> Request<String> {
    let mut request = Request::get("/pay");
    if header {
        request = request.header(
            "traceparent",
            format!("00-{FROM_HEADER}-00f067aa0ba902b7-01"),
        );
    }
    let mut request = request.body(String::new()).unwrap();
    if extension {
        request.extensions_mut().insert(context(FROM_EXTENSIONS));
    }
    request
}

async fn failing(_: Request<String>) -> Result<Response<String>, Infallible> {
    Ok(Response::builder()
        .status(StatusCode::INTERNAL_SERVER_ERROR)
        .body(String::new())
        .unwrap())
}

/// Sends `request` through `layer` to a failing service, calling it under
/// `current` when given; the trace id kept for the bad request.
async fn kept(
    registry: &Registry,
    layer: &SloLayer,
    request: Request<String>,
    current: Option<&str>,
) -> Option<String> {
    let mut service = layer.layer(tower::service_fn(failing));
    let future = {
        let _attached = current.map(|hex| context(hex).attach());
        service.ready().await.unwrap().call(request)
    };
    let response = future.await.unwrap();
    assert_eq!(response.status(), 500);
    drop(response);
    let recent = registry.handle("pay").unwrap().recent_bad();
    recent[0].event.trace_id.map(|id| id.to_string())
}

#[tokio::test]
async fn the_context_in_extensions_then_the_current_one_then_the_header() {
    let registry = Registry::new(
        Spec::from_yaml("service: shop\nslos:\n  - name: pay\n    objective: 99%\n").unwrap(),
    );
    let layer = SloLayer::new(&registry);
    let cases = [
        (true, true, Some(FROM_CURRENT), Some(FROM_EXTENSIONS)),
        (true, false, Some(FROM_CURRENT), Some(FROM_CURRENT)),
        (true, false, None, Some(FROM_HEADER)),
        (false, false, None, None),
        (false, true, None, Some(FROM_EXTENSIONS)),
    ];
    for (header, extension, current, want) in cases {
        let got = kept(&registry, &layer, request(header, extension), current).await;
        assert_eq!(got.as_deref(), want, "{header} {extension} {current:?}");
    }

    // A user extractor replaces every default source.
    let mine = TraceId::from_bytes([7; 16]).unwrap();
    let layer = SloLayer::builder(&registry)
        .trace_id(move |_, _| Some(mine))
        .build()
        .unwrap();
    let got = kept(&registry, &layer, request(true, true), Some(FROM_CURRENT)).await;
    assert_eq!(got, Some(mine.to_string()));
}
