//! `/metrics` as OpenMetrics: asked for by `Accept`, the same series as the
//! text format, exemplars with the traces of recent bad events on the bad
//! counter and on the latency bucket each fell in, the application's
//! metrics rewritten, and text that the Prometheus Python client's strict
//! OpenMetrics parser accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use http::{HeaderValue, Request, header};
use http_body_util::BodyExt as _;
use slo_core::recent::{BadEvent, BadReason, TraceId};
use slo_core::{ManualClock, Registry};
use slo_prometheus::PrometheusExporter;
use slo_test_support::shop::{self, START};
use tower::ServiceExt as _;

fn registry(keep: usize) -> (Registry, ManualClock) {
    shop::registry(shop::SPEC, |b| b.recent_bad(keep))
}

fn trace(n: u8) -> TraceId {
    TraceId::from_bytes([n; 16]).unwrap()
}

/// Bad events as the layer records them: counted, then kept.
fn bad(registry: &Registry, slo: &str, latency: Option<Duration>, trace_id: Option<TraceId>) {
    let handle = registry.handle(slo).unwrap();
    match latency {
        Some(latency) => {
            handle.record_latency(latency, false);
        }
        None => handle.record_bad(),
    }
    handle.record_bad_event(BadEvent {
        latency_nanos: latency.map(|l| l.as_nanos() as u64),
        trace_id,
        ..BadEvent::new(BadReason::ServerError)
    });
}

/// The sample line of `series` (its name and labels, as written).
fn sample<'a>(text: &'a str, series: &str) -> &'a str {
    text.lines()
        .find(|line| line.starts_with(series) && line[series.len()..].starts_with(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

#[test]
fn exemplars_are_the_newest_traced_bad_events_on_the_counter_and_their_buckets() {
    let (registry, clock) = registry(20);
    let exporter = PrometheusExporter::new(&registry).unwrap();
    bad(&registry, "checkout-availability", None, Some(trace(1)));
    clock.advance(Duration::from_millis(1500));
    bad(&registry, "checkout-availability", None, Some(trace(2)));
    clock.advance(Duration::from_secs(1));
    // Newest, but without a trace: no exemplar of it.
    bad(&registry, "checkout-availability", None, None);
    registry
        .handle("checkout-availability")
        .unwrap()
        .record_good();

    // search: 30 ms (bucket 0.05), 200 ms twice (0.25), 60 s (+Inf).
    bad(
        &registry,
        "search-latency",
        Some(Duration::from_millis(30)),
        Some(trace(3)),
    );
    bad(
        &registry,
        "search-latency",
        Some(Duration::from_millis(200)),
        Some(trace(4)),
    );
    clock.advance(Duration::from_millis(250));
    bad(
        &registry,
        "search-latency",
        Some(Duration::from_millis(200)),
        Some(trace(5)),
    );
    bad(
        &registry,
        "search-latency",
        Some(Duration::from_secs(60)),
        Some(trace(6)),
    );
    bad(
        &registry,
        "search-latency",
        Some(Duration::from_millis(40)),
        None,
    );

    let text = exporter.render_openmetrics();
    let at = |secs: f64| format!("{:.3}", START + secs);
    assert_eq!(
        sample(
            &text,
            r#"slo_events_total{slo="checkout-availability",outcome="bad"}"#
        ),
        format!(
            r#"slo_events_total{{slo="checkout-availability",outcome="bad"}} 3 # {{trace_id="{}"}} 1 {}"#,
            trace(2),
            at(1.5)
        )
    );
    assert_eq!(
        sample(
            &text,
            r#"slo_events_total{slo="checkout-availability",outcome="good"}"#
        ),
        r#"slo_events_total{slo="checkout-availability",outcome="good"} 1"#
    );
    assert_eq!(
        sample(
            &text,
            r#"slo_events_total{slo="search-latency",outcome="bad"}"#
        ),
        format!(
            r#"slo_events_total{{slo="search-latency",outcome="bad"}} 5 # {{trace_id="{}"}} 1 {}"#,
            trace(6),
            at(2.75)
        )
    );
    let bounds = slo_prometheus::latency_buckets(&registry);
    let bucket_of = |secs: f64| bounds.partition_point(|b| *b < secs);
    let mut expected = vec![None; bounds.len() + 1];
    expected[bucket_of(0.03)] = Some((trace(3), "0.03".to_owned(), at(2.5)));
    expected[bucket_of(0.2)] = Some((trace(5), "0.2".to_owned(), at(2.75)));
    expected[bounds.len()] = Some((trace(6), "60".to_owned(), at(2.75)));
    assert_eq!(bucket_of(60.0), bounds.len(), "60 s is above every bound");
    for (i, expected) in expected.iter().enumerate() {
        let le = bounds.get(i).map_or("+Inf".to_owned(), f64::to_string);
        let line = sample(
            &text,
            &format!(r#"slo_latency_seconds_bucket{{slo="search-latency",le="{le}"}}"#),
        );
        match expected {
            Some((id, value, at)) => assert!(
                line.ends_with(&format!(r#" # {{trace_id="{id}"}} {value} {at}"#)),
                "bucket {le}: {line}"
            ),
            None => assert!(!line.contains('#'), "bucket {le}: {line}"),
        }
    }
    // Families as OpenMetrics names them, units, no blank line, the end.
    assert!(text.contains("# TYPE slo_events counter\n"), "{text}");
    assert!(
        text.contains("# TYPE slo_excluded_events counter\n"),
        "{text}"
    );
    assert!(
        text.contains("# UNIT slo_latency_seconds seconds\n"),
        "{text}"
    );
    assert!(!text.contains("\n\n"), "{text}");
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert_eq!(text.matches("# EOF").count(), 1);

    // The text format is as it was: no exemplar, no EOF, the same values.
    let plain = exporter.render();
    assert!(!plain.contains("trace_id"), "{plain}");
    assert!(!plain.contains("# EOF"), "{plain}");
    assert!(plain.contains("# TYPE slo_events_total counter\n"));
    let strip = |line: &str| line.split(" # ").next().unwrap().to_owned();
    let values = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(strip)
            .collect()
    };
    assert_eq!(values(&text), values(&plain));
}

#[test]
fn a_registry_that_keeps_no_bad_events_gives_no_exemplars() {
    let (registry, _clock) = registry(0);
    let exporter = PrometheusExporter::new(&registry).unwrap();
    bad(&registry, "checkout-availability", None, Some(trace(1)));
    bad(
        &registry,
        "search-latency",
        Some(Duration::from_millis(30)),
        Some(trace(3)),
    );
    let text = exporter.render_openmetrics();
    assert!(!text.contains("trace_id"), "{text}");
    assert!(text.contains(r#"slo_events_total{slo="checkout-availability",outcome="bad"} 1"#));
}

async fn scrape(exporter: &PrometheusExporter, accept: Option<&'static str>) -> (String, String) {
    let mut request = Request::get("/metrics");
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, HeaderValue::from_static(accept));
    }
    let response = exporter
        .endpoint()
        .oneshot(request.body(String::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[header::VARY], "accept");
    let content_type = response.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (content_type, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn the_endpoint_answers_what_the_scraper_asks_for() {
    let (registry, _clock) = registry(20);
    let exporter = PrometheusExporter::new(&registry).unwrap();
    bad(&registry, "checkout-availability", None, Some(trace(9)));
    let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    let (kind, body) = scrape(&exporter, Some(prometheus)).await;
    assert_eq!(
        kind,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(
        body.contains(&format!("trace_id=\"{}\"", trace(9))),
        "{body}"
    );
    assert!(body.ends_with("# EOF\n"));
    for plain in [
        None,
        Some("*/*"),
        Some("text/plain"),
        Some("text/plain, application/openmetrics-text;q=0.2"),
        Some("application/openmetrics-text;version=9"),
    ] {
        let (kind, body) = scrape(&exporter, plain).await;
        assert_eq!(
            kind, "text/plain; version=0.0.4; charset=utf-8",
            "{plain:?}"
        );
        assert!(!body.contains("trace_id"), "{plain:?}: {body}");
    }
}

/// The Prometheus Python client's OpenMetrics parser checks what Prometheus
/// itself lets pass: families, suffixes, exemplars, histograms, `# EOF`.
#[test]
fn the_python_clients_strict_parser_accepts_it_with_the_applications_metrics() {
    let (registry, clock) = registry(20);
    let exporter = PrometheusExporter::new(&registry).unwrap();
    let recorder = exporter.recorder();
    metrics::with_local_recorder(&*recorder, || {
        metrics::describe_counter!("orders", "Orders \"placed\", by kind.");
        metrics::counter!("orders", "kind" => "book").increment(3);
        metrics::counter!("shipped_total").increment(2);
        metrics::gauge!("queue_depth").set(4.0);
        metrics::histogram!("db_seconds").record(0.02);
    });
    bad(&registry, "checkout-availability", None, Some(trace(1)));
    bad(
        &registry,
        "search-latency",
        Some(Duration::from_millis(30)),
        Some(trace(3)),
    );
    bad(
        &registry,
        "search-latency",
        Some(Duration::from_secs(60)),
        Some(trace(4)),
    );
    clock.advance(Duration::from_secs(60));
    registry.tick();
    let text = exporter.render_openmetrics();
    assert!(text.contains("# TYPE orders counter\n"), "{text}");
    assert!(text.contains("orders_total{kind=\"book\"} 3\n"), "{text}");
    assert!(text.contains("# TYPE shipped counter\n"), "{text}");
    assert!(text.contains("\\\"placed\\\""), "{text}");

    let python = slo_test_support::find_program(&["python3"]);
    let parser = python.as_ref().is_some_and(|python| {
        slo_test_support::runs(
            python,
            &["-c", "import prometheus_client.openmetrics.parser"],
        )
    });
    if !slo_test_support::require(
        "the Prometheus Python client",
        parser,
        "python3 -m pip install prometheus-client",
    ) {
        return;
    }
    let script = r#"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
families = list(text_string_to_metric_families(sys.stdin.read()))
for family in families:
    for s in family.samples:
        if s.exemplar is not None:
            print(s.name, s.labels.get("le", ""), s.exemplar.labels["trace_id"], s.exemplar.value)
print("families", len(families))
"#;
    let out = slo_test_support::pipe(&python.unwrap(), &["-c", script], &text);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the parser refused it: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Ten SLO families (bad reasons the tenth) and the application's four.
    assert!(stdout.contains("families 14"), "{stdout}");
    assert!(
        stdout.contains(&format!("slo_events_total  {} 1\n", trace(1))),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "slo_latency_seconds_bucket +Inf {} 60\n",
            trace(4)
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "slo_latency_seconds_bucket 0.05 {} 0.03\n",
            trace(3)
        )),
        "{stdout}"
    );
}
