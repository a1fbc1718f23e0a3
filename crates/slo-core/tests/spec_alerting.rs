//! An SLO's own alert tiers, budget alerts and no-data alert in the spec:
//! read, merged with `policy.alerting` key by key, refused at their line
//! and column when wrong, built the same in code, and written back.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use slo_core::spec::{Alerting, BudgetCondition, TierSpec};
use slo_core::windows::Severity;
use slo_core::{SloDefinition, Spec, SpecErrorKind};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

const SPEC: &str = r#"service: shop
policy:
  alerting: {min_events: 10, no_data: 1h}
slos:
  - name: checkout
    objective: 99.9%
    alerting:
      tiers:
        - {severity: page, long: 1h, short: 5m, burn_rate: 14.4}
        - {severity: ticket, long: 3d, short: 6h, burn_rate: 1}
      budget:
        remaining_below: 25%
        exhausted_within: 3d
  - name: search
    objective: 99%
    alerting:
      min_events: 3
"#;

#[test]
fn own_tiers_and_budget_alerts_are_read_and_policy_fills_the_rest() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let checkout = spec.slo("checkout").unwrap();
    assert!(checkout.has_own_tiers());
    let tiers: Vec<(Severity, &str, &str, f64)> = checkout
        .windows()
        .tiers()
        .iter()
        .map(|t| {
            (
                t.severity,
                t.long.label.as_str(),
                t.short.label.as_str(),
                t.burn_rate,
            )
        })
        .collect();
    assert_eq!(
        tiers,
        [
            (Severity::Page, "1h", "5m", 14.4),
            (Severity::Ticket, "3d", "6h", 1.0)
        ]
    );
    // Its tiers' windows, the status (1d), exhaustion (1h) and chart (6h)
    // windows, and the period: nothing else.
    let labels: Vec<&str> = checkout
        .windows()
        .all()
        .iter()
        .map(|w| w.label.as_str())
        .collect();
    assert_eq!(labels, ["5m", "1h", "6h", "1d", "3d", "30d"]);
    assert_eq!(checkout.min_events(), 10, "from policy.alerting");
    assert_eq!(
        checkout.budget_alerts(),
        [
            BudgetCondition::RemainingBelow(0.25),
            BudgetCondition::ExhaustedWithin(3 * DAY),
            BudgetCondition::NoData(HOUR),
        ]
    );
    let search = spec.slo("search").unwrap();
    assert!(!search.has_own_tiers());
    assert_eq!(search.windows().tiers().len(), 4, "the default four");
    assert_eq!(search.min_events(), 3, "its own key wins");
    assert_eq!(search.budget_alerts(), [BudgetCondition::NoData(HOUR)]);
}

#[test]
fn the_builder_says_the_same() {
    let tier = |severity, long, short, burn_rate| TierSpec {
        severity,
        long,
        short,
        burn_rate,
    };
    let built = Spec::builder("shop")
        .default_alerting(Alerting::new().min_events(10).no_data(HOUR))
        .slo(
            SloDefinition::builder("checkout")
                .objective(0.999)
                .alerting(
                    Alerting::new()
                        .tier(tier(Severity::Page, HOUR, 5 * MINUTE, 14.4))
                        .tier(tier(Severity::Ticket, 3 * DAY, 6 * HOUR, 1.0))
                        .remaining_below(0.25)
                        .exhausted_within(3 * DAY),
                ),
        )
        .slo(
            SloDefinition::builder("search")
                .objective(0.99)
                .min_events(3),
        )
        .build()
        .unwrap();
    assert_eq!(built.slos(), Spec::from_yaml(SPEC).unwrap().slos());
}

#[test]
fn every_key_is_written_back() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let text = spec.to_yaml();
    for key in [
        "tiers:",
        "burn_rate: 14.4",
        "remaining_below: 0.25",
        "exhausted_within: 3d",
        "no_data: 1h",
        "min_events: 10",
    ] {
        assert!(text.contains(key), "{key} missing from\n{text}");
    }
    assert_eq!(Spec::from_yaml(&text).unwrap().slos(), spec.slos());
}

/// The one error of `SPEC` with `from` replaced by `to`: its field, line,
/// column and kind.
fn error_for(from: &str, to: &str) -> (String, u64, u64, SpecErrorKind) {
    assert!(SPEC.contains(from), "{from}");
    let text = SPEC.replacen(from, to, 1);
    let errors = Spec::from_yaml(&text).expect_err(&format!("accepted: {to}"));
    assert_eq!(errors.0.len(), 1, "{errors}");
    let error = errors.0[0].clone();
    let at = error.location.expect("a place");
    (error.field, at.line, at.column, error.kind)
}

/// A tier as written, the field and column its error names, and the kind.
type TierCase = (&'static str, &'static str, u64, fn(&SpecErrorKind) -> bool);

#[test]
fn a_tier_is_refused_at_its_place() {
    let page = "{severity: page, long: 1h, short: 5m, burn_rate: 14.4}";
    let cases: [TierCase; 7] = [
        (
            "{severity: page, long: 1h, short: 1h, burn_rate: 14.4}",
            "slos[0].alerting.tiers[0].short",
            45,
            |k| matches!(k, SpecErrorKind::TierWindowsOutOfOrder { .. }),
        ),
        (
            "{severity: page, long: 1h, short: 5s, burn_rate: 14.4}",
            "slos[0].alerting.tiers[0].short",
            45,
            |k| matches!(k, SpecErrorKind::WindowTooShort(_)),
        ),
        (
            "{severity: page, long: 40d, short: 5m, burn_rate: 14.4}",
            "slos[0].alerting.tiers[0].long",
            34,
            |k| matches!(k, SpecErrorKind::WindowOverPeriod { .. }),
        ),
        (
            "{severity: page, long: 1h, short: 5m, burn_rate: 0}",
            "slos[0].alerting.tiers[0].burn_rate",
            60,
            |k| matches!(k, SpecErrorKind::BurnRateNotPositive(_)),
        ),
        (
            "{severity: page, long: 1h, short: 5m, burn_rate: fast}",
            "slos[0].alerting.tiers[0].burn_rate",
            60,
            |k| matches!(k, SpecErrorKind::NotANumber(_)),
        ),
        (
            "{severity: urgent, long: 1h, short: 5m, burn_rate: 14.4}",
            "slos[0].alerting.tiers[0].severity",
            22,
            |k| matches!(k, SpecErrorKind::UnknownName(_)),
        ),
        (
            "{severity: page, long: an hour, short: 5m, burn_rate: 14.4}",
            "slos[0].alerting.tiers[0].long",
            34,
            |k| matches!(k, SpecErrorKind::Duration(_)),
        ),
    ];
    for (tier, field, column, kind) in cases {
        let (f, line, col, k) = error_for(page, tier);
        assert_eq!((f.as_str(), line, col), (field, 9, column), "{tier}: {k}");
        assert!(kind(&k), "{tier}: {k}");
        assert!(!k.to_string().is_empty());
    }
}

#[test]
fn tier_lists_are_refused_when_empty_or_too_long() {
    let tiers = "      tiers:\n        - {severity: page, long: 1h, short: 5m, burn_rate: 14.4}\n        - {severity: ticket, long: 3d, short: 6h, burn_rate: 1}\n";
    let (field, line, _, kind) = error_for(tiers, "      tiers: []\n");
    assert_eq!((field.as_str(), line), ("slos[0].alerting.tiers", 8));
    assert_eq!(kind, SpecErrorKind::NoTiers);
    let nine = format!(
        "      tiers:\n{}",
        "        - {severity: page, long: 1h, short: 5m, burn_rate: 14.4}\n".repeat(9)
    );
    let (field, line, _, kind) = error_for(tiers, &nine);
    assert_eq!((field.as_str(), line), ("slos[0].alerting.tiers", 9));
    assert_eq!(kind, SpecErrorKind::TooManyTiers(9));
    assert!(kind.to_string().contains("at most 8"), "{kind}");
}

#[test]
fn budget_alerts_are_refused_at_their_place() {
    for bad in ["0%", "100%", "1.5", "-0.1", "lots"] {
        let (field, line, column, kind) =
            error_for("remaining_below: 25%", &format!("remaining_below: {bad}"));
        assert_eq!(
            (field.as_str(), line, column),
            ("slos[0].alerting.budget.remaining_below", 12, 26),
            "{bad}"
        );
        assert!(
            matches!(kind, SpecErrorKind::ShareOutOfRange(_)),
            "{bad}: {kind}"
        );
    }
    for bad in ["0s", "three days", "-3d", "3"] {
        let (field, line, _, kind) =
            error_for("exhausted_within: 3d", &format!("exhausted_within: {bad}"));
        assert_eq!(
            (field.as_str(), line),
            ("slos[0].alerting.budget.exhausted_within", 13),
            "{bad}: {kind}"
        );
    }
}

#[test]
fn a_mistake_in_the_policy_is_reported_once_at_the_policy() {
    let (field, line, column, kind) = error_for("no_data: 1h}", "no_data: 5s}");
    assert_eq!(
        (field.as_str(), line, column),
        ("policy.alerting.no_data", 3, 39)
    );
    assert!(matches!(kind, SpecErrorKind::WindowTooShort(_)), "{kind}");
    let (field, _, _, kind) = error_for("no_data: 1h}", "no_data: 40d}");
    assert_eq!(field, "policy.alerting.no_data");
    assert!(
        matches!(kind, SpecErrorKind::WindowOverPeriod { .. }),
        "{kind}"
    );
}

#[test]
fn unknown_keys_are_syntax_errors_with_their_place() {
    let errors =
        Spec::from_yaml(&SPEC.replace("remaining_below: 25%", "remaining_under: 25%")).unwrap_err();
    let error = &errors.0[0];
    assert!(matches!(error.kind, SpecErrorKind::Syntax(_)), "{error}");
    assert_eq!(error.location.map(|at| at.line), Some(12), "{error}");
    assert!(error.to_string().contains("remaining_under"), "{error}");
}
