//! OpenSLO documents others wrote: the specification's own examples
//! (`tests/fixtures/openslo`, copied from the OpenSLO repository) are read
//! where the model holds them and refused at their line and column, with
//! the reason, where it does not; queries we cannot carry are dropped, each
//! named in a note.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use slo_core::Sli;
use slo_core::calendar::CalendarUnit;
use slo_fleet::openslo::{OpenSloError, from_openslo};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/openslo/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The error's place and message, or a panic naming what was read.
fn refused(text: &str) -> (usize, u64, u64, String) {
    match from_openslo(text) {
        Err(OpenSloError::Refused {
            index,
            line,
            column,
            message,
        }) => (index, line, column, message),
        other => panic!("not refused at a place: {other:?}"),
    }
}

#[test]
fn a_threshold_slo_becomes_a_latency_slo_in_milliseconds() {
    let read = from_openslo(&fixture("examples-budgeting-method-occurences-slo")).unwrap();
    assert_eq!(read.spec.service(), "web-shop");
    let slo = read.spec.slo("search-slo").unwrap();
    assert_eq!(
        slo.sli(),
        &Sli::Latency {
            threshold: Duration::from_millis(500)
        }
    );
    assert_eq!(slo.objective(), 0.99);
    assert_eq!(slo.period(), Duration::from_secs(14 * 86_400));
    assert!(
        read.notes
            .iter()
            .any(|n| n.contains("500 is read as milliseconds")),
        "{:?}",
        read.notes
    );
    assert!(
        read.notes
            .iter()
            .any(|n| n.contains("dropped the threshold query `Any` (Any)")),
        "{:?}",
        read.notes
    );
}

#[test]
fn a_ratio_slo_without_window_or_method_reads_with_defaults_and_notes() {
    let read = from_openslo(&fixture("readme-slo-ratio-inline-sli")).unwrap();
    let slo = read.spec.slo("foo-slo").unwrap();
    assert_eq!(slo.sli(), &Sli::Availability);
    assert_eq!(slo.objective(), 0.98);
    assert_eq!(slo.period(), Duration::from_secs(30 * 86_400));
    let notes = read.notes.join("\n");
    assert!(
        notes.contains("no timeWindow; read as 30 days, rolling"),
        "{notes}"
    );
    for part in ["good", "total"] {
        assert!(
            notes.contains(&format!(
                "dropped the {part} query `sum:trace.http.request.hits"
            )),
            "{notes}"
        );
    }
    assert!(notes.contains("(Datadog)"), "{notes}");
}

#[test]
fn time_slices_are_refused_at_their_place() {
    for (name, line, method) in [
        (
            "examples-budgeting-method-ratio-timeslices",
            29,
            "RatioTimeslices",
        ),
        ("examples-budgeting-method-timeslices-slo", 32, "Timeslices"),
        (
            "examples-treat-low-traffic-timeslices-slo",
            30,
            "Timeslices",
        ),
    ] {
        let (index, got_line, column, message) = refused(&fixture(name));
        assert_eq!(
            (index, got_line, column),
            (1, line, 20),
            "{name}: {message}"
        );
        assert!(message.contains(method), "{name}: {message}");
        assert!(message.contains("Occurrences"), "{name}: {message}");
    }
}

#[test]
fn an_indicator_ref_reads_its_sli_document_and_a_calendar_window() {
    // The Go SDK writes a list of documents; an SLO refers to one of its SLIs.
    let text = format!(
        "{}---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {{name: search}}\nspec:\n  service: shop\n  indicatorRef: search-availability\n  timeWindow:\n    - duration: 1M\n      calendar: {{startTime: \"2024-01-01 00:00:00\", timeZone: Europe/Berlin}}\n  objectives: [{{target: 0.995}}]\n  alertPolicies:\n",
        fixture("sdk-v1-examples-slis")
    );
    let read = from_openslo(&text).unwrap();
    assert_eq!(read.spec.timezone(), "Europe/Berlin");
    let slo = read.spec.slo("search").unwrap();
    assert_eq!(slo.sli(), &Sli::Availability);
    assert_eq!(slo.calendar().unwrap().unit(), CalendarUnit::Month);
    assert!(
        read.notes
            .iter()
            .any(|n| n.contains("dropped the good query") && n.contains("(Datadog)")),
        "{:?}",
        read.notes
    );
}

const SLO_HEAD: &str = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: api}\nspec:\n  service: shop\n  timeWindow: [{duration: 28d, isRolling: true}]\n";

#[test]
fn what_the_model_cannot_hold_is_refused_at_its_place_with_the_reason() {
    let ratio = "  indicator:\n    metadata: {name: ok}\n    spec:\n      ratioMetric:\n        good: {metricSource: {type: Prometheus, spec: {query: up}}}\n        total: {metricSource: {type: Prometheus, spec: {query: up}}}\n";
    let threshold = "  indicator:\n    metadata: {name: fast}\n    spec:\n      thresholdMetric: {metricSource: {type: Prometheus, spec: {query: latency}}}\n";
    let cases: [(String, (u64, u64), &str); 6] = [
        (
            format!(
                "{SLO_HEAD}{threshold}  objectives:\n    - {{op: lt, value: 1e300, target: 0.99}}\n"
            ),
            (12, 7),
            "out of range",
        ),
        (
            format!(
                "{SLO_HEAD}{ratio}  objectives:\n    - {{target: 0.99}}\n    - {{target: 0.999}}\n"
            ),
            (15, 7),
            "2 objectives",
        ),
        (
            format!(
                "{SLO_HEAD}{threshold}  objectives:\n    - {{op: gt, value: 100, target: 0.99}}\n"
            ),
            (12, 7),
            "op \"gt\"",
        ),
        (
            format!("{SLO_HEAD}{threshold}  objectives:\n    - {{op: lt, target: 0.99}}\n"),
            (12, 7),
            "needs a value",
        ),
        (
            format!(
                "{SLO_HEAD}  indicator:\n    metadata: {{name: both}}\n    spec:\n      ratioMetric:\n        good: {{metricSource: {{type: P}}}}\n        bad: {{metricSource: {{type: P}}}}\n        total: {{metricSource: {{type: P}}}}\n  objectives: [{{target: 0.99}}]\n"
            ),
            (8, 5),
            "good or bad, not both",
        ),
        (
            format!(
                "{SLO_HEAD}  indicator:\n    metadata: {{name: raw}}\n    spec: {{raw: {{metricSource: {{type: P}}}}}}\n  objectives: [{{target: 0.99}}]\n"
            ),
            (8, 5),
            "neither ratioMetric nor thresholdMetric",
        ),
    ];
    for (text, place, reason) in cases {
        let (index, line, column, message) = refused(&text);
        assert_eq!(
            (index, line, column),
            (1, place.0, place.1),
            "{text}\n→ {message}"
        );
        assert!(message.contains(reason), "{text}\n→ {message}");
    }
}

#[test]
fn a_document_of_the_wrong_shape_is_named_never_a_bare_serde_message() {
    let error = from_openslo(&format!("{SLO_HEAD}  objectives: 5\n")).unwrap_err();
    assert!(error.to_string().contains("no objectives"), "{error}");
    let error = from_openslo("- 1\n- 2\n").unwrap_err();
    assert!(
        error.to_string().contains("not an OpenSLO document"),
        "{error}"
    );
    let error = from_openslo("apiVersion: openslo/v1\nkind: SLO\nspec: [\n").unwrap_err();
    assert!(error.to_string().contains("line"), "{error}");
}
