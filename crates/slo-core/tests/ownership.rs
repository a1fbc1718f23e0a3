//! Owners, tiers and annotations in the spec: read from files and built in
//! code alike, the service's owner inherited, written back exactly, and
//! every malformed value refused at its own line and column.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use slo_core::spec::{Ownership, Tier};
use slo_core::{JourneyDefinition, SloDefinition, Spec, SpecErrorKind};

const SPEC: &str = "service: shop
owner: storefront
slos:
  - name: checkout
    objective: 99.9%
    owner: payments
    tier: critical
    annotations:
      runbook: https://runbooks.example.com/checkout
      dashboard: http://grafana.local:3000/d/abc?from=now-6h
      chat: '#payments-oncall'
  - name: search
    objective: 99%
    tier: best_effort
journeys:
  - name: purchase
    objective: 99%
    steps: [search, checkout]
    owner: growth
    annotations: {runbook: 'https://runbooks.example.com/purchase'}
";

fn labels(ownership: &Ownership) -> Vec<(&'static str, &str)> {
    ownership.alert_labels().collect()
}

#[test]
fn owners_tiers_and_annotations_read_inherit_and_round_trip() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    assert_eq!(spec.owner(), Some("storefront"));
    let checkout = spec.slo("checkout").unwrap().ownership();
    assert_eq!(
        labels(checkout),
        [("owner", "payments"), ("tier", "critical")]
    );
    assert_eq!(
        checkout.alert_annotations().collect::<Vec<_>>(),
        [
            ("runbook_url", "https://runbooks.example.com/checkout"),
            (
                "dashboard_url",
                "http://grafana.local:3000/d/abc?from=now-6h"
            ),
        ]
    );
    assert_eq!(checkout.annotations()["chat"], "#payments-oncall");
    // Search inherits the service's owner and keeps its own tier.
    let search = spec.slo("search").unwrap().ownership();
    assert_eq!(
        labels(search),
        [("owner", "storefront"), ("tier", "best_effort")]
    );
    assert_eq!(search.alert_annotations().count(), 0);
    let purchase = spec.journey("purchase").unwrap().ownership();
    assert_eq!(labels(purchase), [("owner", "growth")]);
    assert_eq!(
        purchase.runbook(),
        Some("https://runbooks.example.com/purchase")
    );
    // Written back, it reads as the same model; the inherited owner is
    // written once, at the top.
    let text = spec.to_yaml();
    assert_eq!(text.matches("owner: storefront").count(), 1, "{text}");
    let again = Spec::from_yaml(&text).unwrap();
    assert_eq!(again.slos(), spec.slos());
    assert_eq!(again.journeys(), spec.journeys());
    assert_eq!(again.owner(), spec.owner());
    // The builder reaches the same model.
    let built = Spec::builder("shop")
        .owner("storefront")
        .slo(
            SloDefinition::builder("checkout")
                .objective(0.999)
                .owner("payments")
                .tier(Tier::Critical)
                .annotation("runbook", "https://runbooks.example.com/checkout")
                .annotation("dashboard", "http://grafana.local:3000/d/abc?from=now-6h")
                .annotation("chat", "#payments-oncall"),
        )
        .slo(
            SloDefinition::builder("search")
                .objective(0.99)
                .tier(Tier::BestEffort),
        )
        .journey(
            JourneyDefinition::builder("purchase")
                .objective(0.99)
                .steps(["search", "checkout"])
                .owner("growth")
                .annotation("runbook", "https://runbooks.example.com/purchase"),
        )
        .build()
        .unwrap();
    assert_eq!(built.slos(), spec.slos());
    assert_eq!(built.journeys(), spec.journeys());
    // Without any: nothing, and no label.
    let bare = Spec::from_yaml("service: shop\nslos:\n  - {name: a, objective: 99%}\n").unwrap();
    assert!(bare.slos()[0].ownership().is_empty());
    assert_eq!(bare.owner(), None);
    assert!(!bare.to_yaml().contains("owner"));
}

/// Each malformed value is refused at its place, and only there.
#[test]
fn malformed_owners_tiers_and_annotations_are_refused_at_their_place() {
    type Case = (&'static str, &'static str, fn(&SpecErrorKind) -> bool);
    let cases: &[Case] = &[
        (
            "owner: ''",
            "''",
            |k| matches!(k, SpecErrorKind::InvalidOwner { reason, .. } if reason.contains("empty")),
        ),
        (
            "owner: ' payments'",
            "' payments'",
            |k| matches!(k, SpecErrorKind::InvalidOwner { reason, .. } if reason.contains("spaces")),
        ),
        (
            "owner: \"pay\\u0007\"",
            "\"pay",
            |k| matches!(k, SpecErrorKind::InvalidOwner { reason, .. } if reason.contains("control")),
        ),
        (
            "tier: gold",
            "gold",
            |k| matches!(k, SpecErrorKind::UnknownName(u) if u.found == "gold" && u.to_string().contains("best_effort")),
        ),
        (
            "annotations: {runbook: 'javascript:alert(1)'}",
            "'javascript",
            |k| matches!(k, SpecErrorKind::NotAWebUrl { key, .. } if key == "runbook"),
        ),
        (
            "annotations: {dashboard: 'https://exa mple.com'}",
            "'https://exa",
            |k| matches!(k, SpecErrorKind::NotAWebUrl { key, .. } if key == "dashboard"),
        ),
        (
            "annotations: {'a b': x}",
            "'a b'",
            |k| matches!(k, SpecErrorKind::InvalidAnnotation { key, .. } if key == "a b"),
        ),
        (
            "annotations: {slo/name: x}",
            "slo/name",
            |k| matches!(k, SpecErrorKind::InvalidAnnotation { reason, .. } if reason.contains("reserved")),
        ),
        (
            "annotations: {notes: \"a\\u0000b\"}",
            "\"a",
            |k| matches!(k, SpecErrorKind::InvalidAnnotation { reason, .. } if reason.contains("control")),
        ),
    ];
    for (line, at, expected) in cases {
        let text = format!("service: shop\nslos:\n  - name: a\n    objective: 99%\n    {line}\n");
        let errors = Spec::from_yaml(&text).unwrap_err();
        assert_eq!(errors.0.len(), 1, "{line}: {errors}");
        let error = &errors.0[0];
        assert!(expected(&error.kind), "{line}: {error}");
        let location = error.location.unwrap();
        assert_eq!(location.line, 5, "{line}: {error}");
        let column = text.lines().nth(4).unwrap().find(at).unwrap() as u64 + 1;
        assert_eq!(location.column, column, "{line}: {error}");
    }
    // The service's owner is refused once, at its place, not per SLO.
    let errors = Spec::from_yaml(
        "service: shop\nowner: ''\nslos:\n  - {name: a, objective: 99%}\n  - {name: b, objective: 99%}\n",
    )
    .unwrap_err();
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert_eq!(errors.0[0].field, "owner");
    assert_eq!(errors.0[0].location.unwrap().line, 2);
    // A journey's, at its own place.
    let errors = Spec::from_yaml(
        "service: shop\nslos:\n  - {name: a, objective: 99%}\njourneys:\n  - {name: j, objective: 99%, steps: [a], tier: top}\n",
    )
    .unwrap_err();
    assert_eq!(errors.0[0].field, "journeys[0].tier", "{errors}");
    // In code: a duplicate annotation, and an annotation that is too long.
    let errors = Spec::builder("shop")
        .slo(
            SloDefinition::builder("a")
                .objective(0.99)
                .annotation("runbook", "https://a.example.com")
                .annotation("runbook", "https://b.example.com")
                .annotation("notes", "x".repeat(1025)),
        )
        .build()
        .unwrap_err();
    let kinds: Vec<_> = errors.0.iter().map(|e| e.kind.clone()).collect();
    assert!(
        kinds.contains(&SpecErrorKind::DuplicateAnnotation("runbook".into())),
        "{errors}"
    );
    assert!(
        errors
            .0
            .iter()
            .any(|e| e.field == "slos[0].annotations.notes"),
        "{errors}"
    );
}
