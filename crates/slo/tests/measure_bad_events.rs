//! `#[slo::measure]`'s bad calls among the recent bad events: the reason
//! (error, panic, slow, cancelled late), the latency when the call was
//! timed, no method, route or status (a function has none), and with
//! `otel` the trace id of the OpenTelemetry context the call started in.
#![cfg(feature = "macros")]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use slo::measure::{ScopeExt, with_registry};
use slo::{Registry, Spec};
use slo_core::recent::{BadReason, KeptBadEvent};

const SPEC: &str = r#"
service: jobs
slos:
  - name: availability
    objective: 0.99
  - name: latency
    objective: 0.99
    sli: {latency: {threshold: 40ms}}
"#;

fn registry() -> Registry {
    Registry::new(Spec::from_yaml(SPEC).unwrap())
}

fn kept(registry: &Registry, name: &str) -> Vec<KeptBadEvent> {
    registry.handle(name).unwrap().recent_bad()
}

#[slo::measure("availability")]
fn fallible(fail: bool) -> Result<(), String> {
    if fail { Err("no".into()) } else { Ok(()) }
}

#[slo::measure("availability")]
fn panics() -> Result<(), String> {
    panic!("measured panic")
}

#[slo::measure("latency")]
fn sleeps(ms: u64) -> Result<(), String> {
    std::thread::sleep(Duration::from_millis(ms));
    Ok(())
}

#[slo::measure("latency")]
async fn waits(ms: u64) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(())
}

#[test]
fn bad_calls_are_kept_with_their_reasons_and_good_ones_are_not() {
    let registry = registry();
    with_registry(&registry, || {
        fallible(false).unwrap();
        fallible(true).unwrap_err();
        assert!(std::panic::catch_unwind(panics).is_err());
        sleeps(1).unwrap();
        sleeps(60).unwrap();
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(
        async {
            // Given up after 80 ms, past the threshold: bad, cancelled late.
            let late = tokio::time::timeout(Duration::from_millis(80), waits(1000)).await;
            assert!(late.is_err());
            // Given up before it: excluded, not kept.
            let early = tokio::time::timeout(Duration::from_millis(5), waits(1000)).await;
            assert!(early.is_err());
        }
        .scoped(registry.clone()),
    );

    let availability = kept(&registry, "availability");
    let reasons: Vec<_> = availability.iter().map(|k| k.event.reason).collect();
    assert_eq!(
        reasons,
        [BadReason::Panic, BadReason::Error],
        "newest first"
    );
    for entry in &availability {
        let event = entry.event;
        assert_eq!(
            (event.method, event.route, event.status),
            (None, None, None)
        );
        // An availability SLO's calls are not timed.
        assert_eq!(event.latency_nanos, None);
        assert_eq!(event.trace_id, None, "no OpenTelemetry context");
    }
    let latency = kept(&registry, "latency");
    let reasons: Vec<_> = latency.iter().map(|k| k.event.reason).collect();
    assert_eq!(reasons, [BadReason::CancelledLate, BadReason::Slow]);
    let nanos: Vec<u64> = latency
        .iter()
        .map(|k| k.event.latency_nanos.unwrap())
        .collect();
    assert!(nanos[0] >= 80_000_000, "{nanos:?}");
    assert!(nanos[1] >= 60_000_000, "{nanos:?}");
    // What was kept is what was counted as bad.
    assert_eq!(registry.totals("availability").unwrap().bad, 2);
    assert_eq!(registry.totals("latency").unwrap().bad, 2);
}

#[test]
fn a_registry_that_keeps_none_keeps_none() {
    let registry = Registry::builder(Spec::from_yaml(SPEC).unwrap())
        .recent_bad(0)
        .build();
    with_registry(&registry, || fallible(true).unwrap_err());
    assert_eq!(registry.totals("availability").unwrap().bad, 1);
    assert!(kept(&registry, "availability").is_empty());
}

#[cfg(feature = "otel")]
mod otel {
    use super::*;
    use opentelemetry::Context;
    use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceState};

    fn context(hex: &str) -> Context {
        Context::new().with_remote_span_context(SpanContext::new(
            opentelemetry::trace::TraceId::from_hex(hex).unwrap(),
            SpanId::from_hex("00f067aa0ba902b7").unwrap(),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        ))
    }

    #[test]
    fn trace_ids_come_from_the_context_the_call_started_in() {
        let registry = registry();
        let first = "4bf92f3577b34da6a3ce929d0e0e4736";
        let second = "0af7651916cd43dd8448eb211c80319c";
        with_registry(&registry, || {
            {
                let _attached = context(first).attach();
                fallible(true).unwrap_err();
            }
            fallible(true).unwrap_err();
            let _attached = context(second).attach();
            fallible(true).unwrap_err();
            fallible(false).unwrap();
        });
        let ids: Vec<Option<String>> = kept(&registry, "availability")
            .iter()
            .map(|k| k.event.trace_id.map(|id| id.to_string()))
            .collect();
        assert_eq!(ids, [Some(second.to_owned()), None, Some(first.to_owned())]);

        // An async call: the context it was started in, whatever its polls
        // run under.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        {
            // The measure starts when the future is first polled, under the
            // context attached then.
            let _attached = context(first).attach();
            runtime
                .block_on(waits(60).scoped(registry.clone()))
                .unwrap();
        }
        let latency = kept(&registry, "latency");
        assert_eq!(latency.len(), 1);
        assert_eq!(latency[0].event.reason, BadReason::Slow);
        assert_eq!(
            latency[0]
                .event
                .trace_id
                .map(|id| id.to_string())
                .as_deref(),
            Some(first)
        );
    }
}
