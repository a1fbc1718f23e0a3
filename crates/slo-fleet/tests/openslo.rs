//! OpenSLO v1 export and import: the documents are well-formed OpenSLO, and
//! importing an export yields the same model.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeSet;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::Value;
use slo_core::classify::StatusMatch;
use slo_core::{SloDefinition, Spec};
use slo_fleet::openslo::{OpenSloError, from_openslo, to_openslo};

fn documents(text: &str) -> Vec<Value> {
    serde_saphyr::from_multiple(text).unwrap()
}

fn rich_spec() -> Spec {
    Spec::builder("Shop.EU")
        .slo(
            SloDefinition::builder("Checkout_API.v2")
                .description("Checkouts \"succeed\" — ✓\nsecond line {{ $value }} 'x' \\")
                .objective(0.9995)
                .period(Duration::from_secs(7 * 86_400))
                .route("POST /checkout")
                .route("/cart/{id}")
                .route("GET /files/{*path}")
                .min_events(50),
        )
        .slo(
            SloDefinition::builder("checkout.api.v2")
                .objective(0.99)
                .latency(Duration::from_millis(1500))
                .period(Duration::from_secs(28 * 86_400)),
        )
        .slo(SloDefinition::builder("search").objective(0.9))
        .build()
        .unwrap()
}

#[test]
fn the_shop_demo_spec_survives_the_round_trip() {
    let spec = Spec::from_yaml(include_str!("../../../examples/shop-demo/shop.yaml")).unwrap();
    let back = from_openslo(&to_openslo(&spec)).unwrap();
    assert_eq!(back.spec.service(), spec.service());
    assert_eq!(back.spec.slos(), spec.slos());
    // Its owners, tiers and links: labels and annotations of the documents.
    assert_eq!(back.spec.owner(), Some("storefront"));
    let docs = documents(&to_openslo(&spec));
    let checkout = docs
        .iter()
        .find(|d| d["kind"] == "SLO" && d["metadata"]["name"] == "checkout-availability")
        .unwrap();
    assert_eq!(
        checkout["metadata"]["labels"],
        serde_json::json!({"owner": "payments", "tier": "critical"})
    );
    assert_eq!(
        checkout["metadata"]["annotations"]["runbook"],
        "https://runbooks.example.com/shop/checkout"
    );
    let service = docs.iter().find(|d| d["kind"] == "Service").unwrap();
    assert_eq!(service["metadata"]["labels"]["owner"], "storefront");
    // Its purchase journey too, over classified steps in a calendar month.
    assert_eq!(back.spec.journeys(), spec.journeys());
    assert_eq!(spec.journeys().len(), 1);
    assert!(back.notes.is_empty(), "{:?}", back.notes);
    let again = Spec::from_yaml(&back.spec.to_yaml()).unwrap();
    assert_eq!(again.journeys(), spec.journeys());
    assert_eq!(again.slos(), spec.slos());
}

/// A journey is a composite `SLO`: no indicator of its own, its objective
/// first, then each step's with `compositeWeight` 1, its steps by name;
/// one whose name OpenSLO cannot hold keeps it in `slo/name`.
#[test]
fn a_journey_is_a_composite_of_its_steps_objectives() {
    let spec = Spec::from_yaml(
        "service: shop
slos:
  - {name: search, objective: 99%, sli: quality}
  - name: checkout
    objective: 99.9%
    sli: {availability: {bad: [\"5xx\", 429], excluded: [404]}}
journeys:
  - {name: Purchase_Flow, objective: 98.5%, steps: [search, checkout]}
  - {name: pay, description: just paying, objective: 99.9%, steps: [checkout]}
",
    )
    .unwrap();
    let text = to_openslo(&spec);
    let docs = documents(&text);
    let journey = docs
        .iter()
        .find(|d| d["metadata"]["displayName"] == "Purchase_Flow")
        .unwrap();
    assert_eq!(journey["kind"], "SLO");
    assert_eq!(journey["metadata"]["name"], "purchase-flow");
    assert_eq!(
        journey["metadata"]["annotations"]["slo/name"],
        "Purchase_Flow"
    );
    assert_eq!(
        journey["metadata"]["annotations"]["slo/journey-steps"],
        r#"["search","checkout"]"#
    );
    assert!(journey["spec"]["indicator"].is_null(), "{journey}");
    let objectives: Vec<(String, f64, Option<f64>)> = journey["spec"]["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["displayName"].as_str().unwrap().to_owned(),
                o["target"].as_f64().unwrap(),
                o["compositeWeight"].as_f64(),
            )
        })
        .collect();
    assert_eq!(
        objectives,
        [
            ("Purchase_Flow".to_owned(), 0.985, None),
            ("search".to_owned(), 0.99, Some(1.0)),
            ("checkout".to_owned(), 0.999, Some(1.0)),
        ]
    );
    let back = from_openslo(&text).unwrap();
    assert_eq!(back.spec.journeys(), spec.journeys());
    assert_eq!(back.spec.slos(), spec.slos());
    // A journey naming a step the documents lack is refused as a spec is.
    let broken: Vec<String> = text
        .lines()
        .map(|line| {
            if line.contains("slo/journey-steps") && line.contains("search") {
                line.replace("checkout", "nope")
            } else {
                line.to_owned()
            }
        })
        .collect();
    let broken = broken.join("\n");
    assert_ne!(broken, text);
    let error = from_openslo(&broken).unwrap_err().to_string();
    assert!(error.contains("no SLO named \"nope\""), "{error}");
}

#[test]
fn every_field_survives_the_round_trip_even_names_openslo_cannot_hold() {
    let spec = rich_spec();
    let text = to_openslo(&spec);
    let back = from_openslo(&text).unwrap();
    assert_eq!(back.spec.service(), "Shop.EU");
    assert_eq!(back.spec.slos(), spec.slos());
    // And the spec file written from the import reads back the same.
    let again = Spec::from_yaml(&back.spec.to_yaml()).unwrap();
    assert_eq!(again.slos(), spec.slos());
    assert_eq!(again.service(), spec.service());
}

#[test]
fn the_documents_are_openslo_v1_with_unique_dns_label_names() {
    let spec = rich_spec();
    let docs = documents(&to_openslo(&spec));
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "Service").count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == "SLO").count(), 3);
    assert_eq!(kinds.iter().filter(|k| **k == "AlertPolicy").count(), 3);
    assert_eq!(kinds.iter().filter(|k| **k == "AlertCondition").count(), 12);
    let mut names = BTreeSet::new();
    for doc in &docs {
        assert_eq!(doc["apiVersion"], "openslo/v1");
        let name = doc["metadata"]["name"].as_str().unwrap();
        assert!(
            name.len() <= 63
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !name.starts_with('-')
                && !name.ends_with('-'),
            "{name} is not an RFC 1123 label"
        );
        assert!(names.insert(name.to_owned()), "{name} twice");
    }
    // Every reference points at a document that exists.
    for doc in &docs {
        for policy in doc["spec"]["alertPolicies"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(names.contains(policy["alertPolicyRef"].as_str().unwrap()));
        }
        for condition in doc["spec"]["conditions"].as_array().into_iter().flatten() {
            assert!(names.contains(condition["conditionRef"].as_str().unwrap()));
        }
    }
    let slo = docs
        .iter()
        .find(|d| d["kind"] == "SLO" && d["metadata"]["displayName"] == "Checkout_API.v2")
        .unwrap();
    let spec_part = &slo["spec"];
    assert_eq!(spec_part["budgetingMethod"], "Occurrences");
    assert_eq!(spec_part["objectives"][0]["target"], 0.9995);
    assert_eq!(spec_part["timeWindow"][0]["duration"], "7d");
    assert_eq!(spec_part["timeWindow"][0]["isRolling"], true);
    let ratio = &spec_part["indicator"]["spec"]["ratioMetric"];
    assert_eq!(ratio["counter"], true);
    assert_eq!(
        ratio["good"]["metricSource"]["spec"]["query"],
        r#"slo_events_total{slo="Checkout_API.v2", outcome="good"}"#
    );
    assert_eq!(
        ratio["total"]["metricSource"]["spec"]["query"],
        r#"slo_events_total{slo="Checkout_API.v2"}"#
    );
    // The 7d period's tiers: page on 14m/1m10s and 1h24m/7m.
    let conditions: Vec<(String, f64, String, String)> = docs
        .iter()
        .filter(|d| d["kind"] == "AlertCondition")
        .filter(|d| {
            d["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("checkout-api-v2-page")
                || d["metadata"]["name"]
                    .as_str()
                    .unwrap()
                    .starts_with("checkout-api-v2-ticket")
        })
        .map(|d| {
            (
                d["spec"]["severity"].as_str().unwrap().to_owned(),
                d["spec"]["condition"]["threshold"].as_f64().unwrap(),
                d["spec"]["condition"]["lookbackWindow"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                d["metadata"]["annotations"]["slo/short-window"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        conditions,
        [
            ("page".into(), 14.4, "14m".into(), "1m10s".into()),
            ("page".into(), 6.0, "1h24m".into(), "7m".into()),
            ("ticket".into(), 3.0, "5h36m".into(), "28m".into()),
            ("ticket".into(), 1.0, "16h48m".into(), "1h24m".into()),
        ]
    );
}

#[test]
fn foreign_openslo_is_read_with_notes() {
    let text = r#"
apiVersion: openslo/v1
kind: Service
metadata: {name: payments}
spec: {description: Payments}
---
apiVersion: openslo/v1
kind: DataSource
metadata: {name: prom}
spec: {type: Prometheus, connectionDetails: {url: "http://prom"}}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: pay-ok}
spec:
  service: payments
  indicatorRef: pay-ratio
  timeWindow: [{duration: 4w, isRolling: true}]
  budgetingMethod: Occurrences
  objectives: [{targetPercent: 99.5}]
"#;
    let read = from_openslo(text).unwrap();
    assert_eq!(read.spec.service(), "payments");
    let slo = &read.spec.slos()[0];
    assert_eq!(slo.name(), "pay-ok");
    assert!((slo.objective() - 0.995).abs() < 1e-12);
    assert_eq!(slo.period(), Duration::from_secs(28 * 86_400));
    assert_eq!(read.notes.len(), 2, "{:?}", read.notes);
    assert!(read.notes.iter().any(|n| n.contains("DataSource")));
    assert!(read.notes.iter().any(|n| n.contains("availability SLI")));
}

/// A foreign document's labels and annotations: what the spec can hold is
/// read, the rest left out with a note naming it.
#[test]
fn foreign_labels_and_annotations_are_read_or_noted() {
    let text = format!(
        r#"
apiVersion: openslo/v1
kind: Service
metadata: {{name: payments, labels: {{owner: [team-pay]}}}}
spec: {{}}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: pay-ok
  labels: {{tier: gold, owner: [a, b]}}
  annotations:
    runbook: https://runbooks.example.com/pay
    openslo.com/notes: "{long}"
    dashboard: "not a url"
spec:
  service: payments
  indicator:
    metadata: {{name: pay-ratio}}
    spec:
      ratioMetric:
        counter: true
        good: {{metricSource: {{type: Prometheus, spec: {{query: 'good'}}}}}}
        total: {{metricSource: {{type: Prometheus, spec: {{query: 'total'}}}}}}
  timeWindow: [{{duration: 4w, isRolling: true}}]
  budgetingMethod: Occurrences
  objectives: [{{targetPercent: 99.5}}]
"#,
        long = "x".repeat(2000)
    );
    let read = from_openslo(&text).unwrap();
    assert_eq!(read.spec.owner(), Some("team-pay"));
    let ownership = read.spec.slos()[0].ownership();
    // Two owners are not one: the service's is inherited.
    assert_eq!(ownership.owner(), Some("team-pay"));
    assert_eq!(ownership.tier(), None);
    assert_eq!(
        ownership.runbook(),
        Some("https://runbooks.example.com/pay")
    );
    assert_eq!(ownership.annotations().len(), 1, "{ownership:?}");
    for noted in [
        "label tier",
        "label owner",
        "openslo.com/notes",
        "dashboard",
    ] {
        assert!(
            read.notes.iter().any(|n| n.contains(noted)),
            "no note on {noted}: {:?}",
            read.notes
        );
    }
}

fn slo_doc(extra: &str) -> String {
    format!(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {{name: a}}\nspec:\n  service: s\n{extra}"
    )
}

#[test]
fn what_the_model_cannot_hold_is_refused_by_name() {
    let window = "  timeWindow: [{duration: 30d, isRolling: true}]\n";
    let one = "  objectives: [{target: 0.99}]\n";
    let cases = [
        (
            slo_doc(&format!(
                "  timeWindow: [{{duration: 2M, isRolling: false}}]\n  budgetingMethod: Occurrences\n{one}"
            )),
            "calendar-aligned",
        ),
        (
            slo_doc(&format!("{window}  budgetingMethod: Timeslices\n{one}")),
            "Timeslices",
        ),
        (
            slo_doc(&format!(
                "{window}  budgetingMethod: Occurrences\n  objectives: [{{target: 0.9}}, {{target: 0.99}}]\n"
            )),
            "2 objectives",
        ),
        (
            "apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: {name: a}\nspec: {}\n".to_owned(),
            "openslo/v1alpha",
        ),
        (
            slo_doc(&format!(
                "{window}  budgetingMethod: Occurrences\n  objectives: [{{target: 1.5}}]\n"
            )),
            "objective",
        ),
        (
            format!(
                "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: a\n  annotations: {{slo/sli: latency}}\nspec:\n  service: s\n{window}  budgetingMethod: Occurrences\n{one}"
            ),
            "slo/latency-threshold",
        ),
        ("kind: [unclosed".to_owned(), "not YAML"),
        (
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: s}\nspec: {}\n".to_owned(),
            "no SLO",
        ),
    ];
    for (text, expected) in cases {
        let error = from_openslo(&text).unwrap_err();
        assert!(
            error.to_string().contains(expected),
            "{text}\n→ {error} (expected {expected:?})"
        );
    }
    let two_services = format!(
        "{}---\n{}",
        slo_doc(&format!("{window}  budgetingMethod: Occurrences\n{one}")),
        slo_doc(&format!("{window}  budgetingMethod: Occurrences\n{one}"))
            .replace("service: s", "service: t")
            .replace("name: a", "name: b")
    );
    assert!(matches!(
        from_openslo(&two_services),
        Err(OpenSloError::SeveralServices(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn any_valid_spec_survives_the_round_trip(
        service in "[A-Za-z0-9_.-]{1,40}",
        names in proptest::collection::btree_set("[A-Za-z0-9_.-]{1,80}", 1..4),
        objective in 0.5f64..0.99999,
        period_days in 1u64..400,
        threshold_ms in proptest::option::of(1u64..100_000),
        min_events in 1u64..10_000,
        description in proptest::option::of("\\PC{0,60}"),
        bad in proptest::option::of(proptest::collection::vec(400u16..500, 0..4)),
        excluded in proptest::collection::vec(100u16..400, 0..3),
        grpc_bad in proptest::option::of(proptest::collection::vec(0u8..17, 0..4)),
        exclude in proptest::option::of("/[a-z]{1,10}"),
        quality in any::<bool>(),
    ) {
        let mut builder = Spec::builder(service);
        for name in &names {
            let mut slo = SloDefinition::builder(name.clone())
                .objective(objective)
                .period(Duration::from_secs(period_days * 86_400))
                .min_events(min_events)
                .route("GET /items/{id}");
            match (threshold_ms, quality) {
                (Some(ms), _) => slo = slo.latency(Duration::from_millis(ms)),
                (None, true) => slo = slo.quality(),
                (None, false) => {}
            }
            if let Some(text) = &description {
                slo = slo.description(text.clone());
            }
            let mut classification = slo_core::classify::Classification::default()
                .with_excluded(excluded.iter().map(|s| StatusMatch::Status(*s)));
            if let Some(bad) = &bad {
                classification = classification.with_bad(
                    bad.iter().map(|s| StatusMatch::Status(*s)).chain([StatusMatch::Class(5)]),
                );
            }
            if let Some(codes) = &grpc_bad {
                classification = classification.with_grpc_bad(codes.iter().copied());
            }
            slo = slo.classification(classification);
            if let Some(route) = &exclude {
                slo = slo.exclude_route(route.clone());
            }
            builder = builder.slo(slo);
        }
        let spec = builder.build().unwrap();
        let back = from_openslo(&to_openslo(&spec)).unwrap();
        prop_assert_eq!(back.spec.slos(), spec.slos());
        prop_assert_eq!(back.spec.service(), spec.service());
        let again = Spec::from_yaml(&spec.to_yaml()).unwrap();
        prop_assert_eq!(again.slos(), spec.slos());
    }
}

#[test]
fn a_calendar_month_with_its_own_tiers_survives_the_round_trip() {
    let spec = Spec::from_yaml(
        "service: shop
timezone: Europe/Berlin
slos:
  - name: checkout
    objective: 99.9%
    period: calendar month
    alerting:
      tiers:
        - {severity: page, long: 1h, short: 5m, burn_rate: 14.4}
        - {severity: ticket, long: 3d, short: 6h, burn_rate: 1}
      budget: {remaining_below: 25%}
  - name: search
    objective: 99%
    period: calendar week
",
    )
    .unwrap();
    let text = to_openslo(&spec);
    assert!(text.contains("isRolling: false"), "{text}");
    assert!(text.contains("timeZone: Europe/Berlin"), "{text}");
    assert!(text.contains("duration: 1M"), "{text}");
    let back = from_openslo(&text).unwrap();
    assert_eq!(back.spec.timezone(), "Europe/Berlin");
    assert_eq!(back.spec.slos(), spec.slos());
    assert!(back.spec.slo("checkout").unwrap().has_own_tiers());
    assert!(!back.spec.slo("search").unwrap().has_own_tiers());
}

#[test]
fn maintenance_windows_survive_the_round_trip_service_wide_and_per_slo() {
    let spec = Spec::from_yaml(
        r#"service: shop
maintenance:
  - {start: "2026-12-06T02:00:00Z", duration: 2h, every: 7d}
slos:
  - name: checkout
    objective: 99.9%
    maintenance:
      - {start: "2026-12-24T18:00:00+01:00", duration: 30m}
"#,
    )
    .unwrap();
    let text = to_openslo(&spec);
    assert!(text.contains("slo/maintenance"), "{text}");
    let back = from_openslo(&text).unwrap();
    assert_eq!(back.spec.maintenance(), spec.maintenance());
    assert_eq!(back.spec.slos(), spec.slos());
    assert_eq!(back.spec.slos()[0].maintenance().len(), 1);
    // A window that does not read is refused, naming the annotation.
    let broken: String = text
        .lines()
        .map(|line| {
            if line.contains("slo/maintenance") {
                line.replace("30m", "soon")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(broken, text);
    let error = from_openslo(&broken).unwrap_err().to_string();
    assert!(error.contains("slo/maintenance"), "{error}");
}
