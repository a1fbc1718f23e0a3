//! Release decisions: every cell of the default matrix and of a custom
//! one, the spec's `policy.release` (parsing, errors at their place,
//! writing it back), and the decisions a live registry reaches at each
//! status level, per SLO, for the service, and for named SLOs.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use slo_core::release::{Decision, ReleaseDecisions, ReleasePolicy, Risk};
use slo_core::{
    ManualClock, Registry, SampleFill, SloDefinition, Spec, SpecErrorKind, StatusLevel, Timestamp,
};

use common::{DAY, HOUR};

use Decision::{Approve, Block, Defer, Review};

/// The default release matrix, written out again here so that a change to the
/// code's default cannot pass unnoticed.
const DEFAULT_MATRIX: [(StatusLevel, [Decision; 3]); 5] = [
    (StatusLevel::Healthy, [Approve, Approve, Review]),
    (StatusLevel::Attention, [Approve, Review, Defer]),
    (StatusLevel::Warning, [Review, Defer, Block]),
    (StatusLevel::Critical, [Defer, Block, Block]),
    (StatusLevel::Exhausted, [Block, Block, Block]),
];

fn row(decisions: [Decision; 3]) -> ReleaseDecisions {
    ReleaseDecisions {
        low: decisions[0],
        medium: decisions[1],
        high: decisions[2],
    }
}

#[test]
fn every_cell_of_the_default_matrix_is_the_designs() {
    let policy = ReleasePolicy::default();
    assert!(policy.is_default());
    for (level, decisions) in DEFAULT_MATRIX {
        for (risk, expected) in Risk::ALL.into_iter().zip(decisions) {
            assert_eq!(policy.decide(level, risk), expected, "{level:?} × {risk}");
        }
        assert_eq!(policy.decisions(level), row(decisions), "{level:?}");
    }
}

#[test]
fn decisions_order_from_approve_to_block_and_the_strictest_wins() {
    assert!(Approve < Review && Review < Defer && Defer < Block);
    let a = row([Approve, Defer, Review]);
    let b = row([Review, Approve, Block]);
    assert_eq!(a.strictest(b), row([Review, Defer, Block]));
    for word in ["approve", "review", "defer", "block"] {
        assert_eq!(word.parse::<Decision>().unwrap().as_str(), word);
    }
    for word in ["low", "medium", "high"] {
        assert_eq!(word.parse::<Risk>().unwrap().as_str(), word);
    }
    assert!("Approve".parse::<Decision>().is_err());
    assert!("urgent".parse::<Risk>().is_err());
}

const CUSTOM: &str = r#"service: shop
slos:
  - name: checkout
    objective: 99.9%
policy:
  release:
    healthy:   {low: approve, medium: approve, high: approve}
    attention: {low: approve, medium: approve, high: review}
    warning:   {low: approve, medium: review,  high: defer}
    critical:  {low: review,  medium: defer,   high: block}
    exhausted: {low: defer,   medium: block,   high: block}
"#;

const CUSTOM_MATRIX: [(StatusLevel, [Decision; 3]); 5] = [
    (StatusLevel::Healthy, [Approve, Approve, Approve]),
    (StatusLevel::Attention, [Approve, Approve, Review]),
    (StatusLevel::Warning, [Approve, Review, Defer]),
    (StatusLevel::Critical, [Review, Defer, Block]),
    (StatusLevel::Exhausted, [Defer, Block, Block]),
];

#[test]
fn a_custom_matrix_from_the_spec_file_sets_every_cell_and_writes_back() {
    let spec = Spec::from_yaml(CUSTOM).unwrap();
    let policy = spec.release_policy();
    for (level, decisions) in CUSTOM_MATRIX {
        for (risk, expected) in Risk::ALL.into_iter().zip(decisions) {
            assert_eq!(policy.decide(level, risk), expected, "{level:?} × {risk}");
        }
    }
    let text = spec.to_yaml();
    assert!(text.contains("policy:"), "{text}");
    let again = Spec::from_yaml(&text).unwrap();
    assert_eq!(again.release_policy(), policy);
    // The default matrix is not written out.
    let plain =
        Spec::from_yaml("service: shop\nslos:\n  - name: a\n    objective: 0.99\n").unwrap();
    assert!(!plain.to_yaml().contains("policy"));
    assert!(plain.release_policy().is_default());
}

#[test]
fn cells_the_spec_leaves_out_keep_the_default() {
    let spec = Spec::from_yaml(
        "service: shop\nslos:\n  - name: a\n    objective: 0.99\npolicy:\n  release:\n    healthy: {high: approve}\n",
    )
    .unwrap();
    let expected = ReleasePolicy::DEFAULT.with(StatusLevel::Healthy, Risk::High, Approve);
    assert_eq!(*spec.release_policy(), expected);
    assert_eq!(
        spec.release_policy()
            .decide(StatusLevel::Healthy, Risk::Low),
        Approve
    );
    assert_eq!(
        spec.release_policy()
            .decide(StatusLevel::Warning, Risk::High),
        Block
    );
}

#[test]
fn unknown_levels_risks_and_decisions_are_errors_at_their_place() {
    let text = "service: shop\nslos:\n  - name: a\n    objective: 0.99\npolicy:\n  release:\n    healthy: {low: approve, urgent: block}\n    degraded: {low: review}\n    warning: {high: maybe}\n";
    let errors = Spec::from_yaml(text).unwrap_err();
    let found: Vec<(String, u64, u64, String)> = errors
        .iter()
        .map(|e| {
            let at = e.location.expect("a place in the file");
            assert!(
                matches!(e.kind, SpecErrorKind::UnknownReleaseName(_)),
                "{e}"
            );
            (e.field.clone(), at.line, at.column, e.kind.to_string())
        })
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1, found[0].2),
        ("policy.release.healthy.urgent", 7, 29)
    );
    assert!(
        found[0].3.contains("unknown risk \"urgent\""),
        "{}",
        found[0].3
    );
    assert_eq!(
        (found[1].0.as_str(), found[1].1, found[1].2),
        ("policy.release.degraded.low", 8, 5)
    );
    assert!(
        found[1].3.contains("unknown status level \"degraded\""),
        "{}",
        found[1].3
    );
    assert_eq!(
        (found[2].0.as_str(), found[2].1, found[2].2),
        ("policy.release.warning.high", 9, 21)
    );
    assert!(
        found[2].3.contains("unknown decision \"maybe\""),
        "{}",
        found[2].3
    );
    // The shape is checked too: a row must be a map.
    let errors = Spec::from_yaml(
        "service: shop\nslos:\n  - name: a\n    objective: 0.99\npolicy:\n  release:\n    healthy: approve\n",
    )
    .unwrap_err();
    assert_eq!(errors.0[0].location.map(|l| l.line), Some(7), "{errors}");
    let errors = Spec::from_yaml(
        "service: shop\nslos:\n  - name: a\n    objective: 0.99\npolicy:\n  releases: {}\n",
    )
    .unwrap_err();
    assert!(errors.to_string().contains("releases"), "{errors}");
}

/// A registry whose only SLO (30d) is at `level` now, driven there by its
/// traffic: the 1d burn rate for the burn-rate levels, a budget spent over
/// a whole (1d) period for `exhausted`.
fn registry_at(level: StatusLevel, spec: &str) -> Registry {
    let mut spec = Spec::from_yaml(spec).unwrap();
    let clock = ManualClock::new(Timestamp::EPOCH);
    let (burn, period_days) = match level {
        StatusLevel::Healthy => (0.5, 30),
        StatusLevel::Attention => (1.2, 30),
        StatusLevel::Warning => (1.7, 30),
        StatusLevel::Critical => (4.0, 30),
        StatusLevel::Exhausted => (4.0, 1),
    };
    if period_days == 1 {
        let text = spec
            .to_yaml()
            .replace("objective:", "period: 1d\n  objective:");
        spec = Spec::from_yaml(&text).unwrap();
    }
    let registry = Registry::builder(spec)
        .clock(clock.clone())
        .sample_fill(SampleFill::Step)
        .build();
    let handle = registry.handles().next().unwrap().1.clone();
    // 10,000 events an hour for 26 hours at `burn` times the budget (0.1%).
    let bad = (burn * 10.0_f64).round() as u64;
    for hour in 0..26 {
        for i in 0..10_000u64 {
            handle.record(i >= bad);
        }
        registry.tick();
        clock.set(Timestamp::from_unix_nanos(
            ((hour + 1) * HOUR * 1_000_000_000) as i64,
        ));
        registry.tick();
    }
    const { assert!(26 * HOUR > DAY) };
    let status = registry.status();
    assert_eq!(status.slos[0].status, level, "{:?}", status.slos[0]);
    registry
}

const ONE: &str = "service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n";

#[test]
fn a_live_registry_decides_by_its_level_for_the_default_and_a_custom_matrix() {
    for (spec, matrix) in [(ONE, DEFAULT_MATRIX), (CUSTOM, CUSTOM_MATRIX)] {
        for (level, decisions) in matrix {
            let registry = registry_at(level, spec);
            let status = registry.status();
            assert_eq!(status.slos[0].release, row(decisions), "{level:?}");
            assert_eq!(status.release, row(decisions), "{level:?}");
            for (risk, expected) in Risk::ALL.into_iter().zip(decisions) {
                let decision = registry.release_decision(risk);
                assert_eq!(decision.decision, expected, "{level:?} × {risk}");
                assert_eq!(decision.risk, risk);
                assert_eq!(decision.decided_by.as_deref(), Some("checkout"));
                assert_eq!(decision.status, Some(level));
                assert_eq!(
                    decision.budget_remaining,
                    Some(status.slos[0].error_budget.remaining_ratio)
                );
                assert_eq!(decision.approved(), expected == Approve);
            }
        }
    }
}

#[test]
fn the_service_takes_the_strictest_slo_and_names_it() {
    let spec = Spec::builder("shop")
        .slo(SloDefinition::builder("calm").objective(0.999))
        .slo(SloDefinition::builder("burning").objective(0.999))
        .slo(SloDefinition::builder("also-calm").objective(0.99))
        .build()
        .unwrap();
    let clock = ManualClock::new(Timestamp::EPOCH);
    let registry = Registry::builder(spec).clock(clock.clone()).build();
    for name in ["calm", "also-calm"] {
        registry.handle(name).unwrap().record(true);
    }
    let burning = registry.handle("burning").unwrap();
    for i in 0..1000 {
        burning.record(i >= 5); // 0.5%: burn rate 5, critical
    }
    clock.set(Timestamp::from_unix_nanos(60_000_000_000));
    registry.tick();
    let status = registry.status();
    let levels: Vec<StatusLevel> = status.slos.iter().map(|s| s.status).collect();
    assert_eq!(
        levels,
        [
            StatusLevel::Healthy,
            StatusLevel::Critical,
            StatusLevel::Healthy
        ]
    );
    assert_eq!(status.release, row([Defer, Block, Block]));
    let decision = registry.release_decision(Risk::Low);
    assert_eq!(
        (decision.decision, decision.decided_by.as_deref()),
        (Defer, Some("burning"))
    );
    // Asking about the calm SLOs only.
    let calm = registry
        .release_decision_for(Risk::Medium, &["calm", "also-calm"])
        .unwrap();
    assert_eq!(calm.decision, Approve);
    let high = registry
        .release_decision_for(Risk::High, &["calm", "also-calm"])
        .unwrap();
    assert_eq!(high.decision, Review);
    assert_eq!(
        high.decided_by.as_deref(),
        Some("calm"),
        "spec order breaks a tie of equal budgets"
    );
    assert_eq!(
        registry
            .release_decision_for(Risk::High, &[])
            .unwrap()
            .decided_by
            .as_deref(),
        Some("burning")
    );
    let unknown = registry.release_decision_for(Risk::Low, &["calm", "nope"]);
    assert_eq!(unknown.unwrap_err().0, "nope");
    // The status document answers the same, for a status read from /slo.
    for risk in Risk::ALL {
        for names in [&[][..], &["calm", "also-calm"][..], &["burning"][..]] {
            assert_eq!(
                status.release_decision(risk, names).unwrap(),
                registry.release_decision_for(risk, names).unwrap(),
                "{risk} {names:?}"
            );
        }
    }
    assert_eq!(
        status.release_decision(Risk::Low, &["nope"]).unwrap_err().0,
        "nope"
    );
    // The JSON carries the decisions per SLO and for the service.
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(
        json["release"],
        serde_json::json!({"low": "defer", "medium": "block", "high": "block"})
    );
    assert_eq!(
        json["slos"][0]["release"],
        serde_json::json!({"low": "approve", "medium": "approve", "high": "review"})
    );
}

#[test]
fn a_status_document_round_trips_and_one_without_release_decisions_is_refused() {
    let registry = registry_at(StatusLevel::Critical, ONE);
    let status = registry.status();
    // Round trip: the decisions are read back as written.
    let text = serde_json::to_string(&status).unwrap();
    let again: slo_core::ServiceStatus = serde_json::from_str(&text).unwrap();
    assert_eq!(again, status);
    // Without them the document is refused, never read as an approval.
    for strip in [None, Some(0)] {
        let mut old: serde_json::Value = serde_json::from_str(&text).unwrap();
        match strip {
            None => old.as_object_mut().unwrap().remove("release"),
            Some(i) => old["slos"][i].as_object_mut().unwrap().remove("release"),
        };
        let read = serde_json::from_value::<slo_core::ServiceStatus>(old);
        assert!(read.unwrap_err().to_string().contains("release"));
    }
}

#[test]
fn a_policy_built_in_code_is_the_specs() {
    let policy = ReleasePolicy::DEFAULT.with(StatusLevel::Exhausted, Risk::Low, Review);
    let spec = Spec::builder("shop")
        .slo(SloDefinition::builder("a").objective(0.99))
        .release_policy(policy)
        .build()
        .unwrap();
    assert_eq!(*spec.release_policy(), policy);
    let again = Spec::from_yaml(&spec.to_yaml()).unwrap();
    assert_eq!(*again.release_policy(), policy);
}
