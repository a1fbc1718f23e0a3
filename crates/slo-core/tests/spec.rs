//! Spec files and the builder: one model, one validator, errors that name
//! the field and (for files) the line and column.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use slo_core::{Sli, SloDefinition, Spec, SpecErrorKind};

const GOOD: &str = r#"service: shop
slos:
  - name: checkout-availability
    description: Checkouts succeed
    objective: 0.999
    period: 30d
    sli: availability
    match:
      routes: ["POST /checkout", "/cart/{id}"]
    alerting:
      min_events: 10
  - name: search-latency
    objective: "99%"
    sli: {latency: {threshold: 250ms}}
"#;

#[test]
fn reads_the_design_example() {
    let spec = Spec::from_yaml(GOOD).unwrap();
    assert_eq!(spec.service(), "shop");
    let [checkout, search] = spec.slos() else {
        panic!("two SLOs")
    };
    assert_eq!(checkout.objective(), 0.999);
    assert_eq!(checkout.period(), Duration::from_secs(30 * 86_400));
    assert_eq!(checkout.min_events(), 10);
    assert_eq!(checkout.description(), Some("Checkouts succeed"));
    assert!(checkout.matches("POST", "/checkout"));
    assert!(checkout.matches("GET", "/cart/{id}"));
    assert!(!checkout.matches("GET", "/checkout"));
    assert_eq!(search.objective(), 0.99);
    assert_eq!(
        search.sli(),
        &Sli::Latency {
            threshold: Duration::from_millis(250)
        }
    );
    assert!(
        search.matches("DELETE", "/anything"),
        "no match = every request"
    );
    assert!(spec.warnings().is_empty());
}

#[test]
fn builder_and_file_agree() {
    let built = Spec::builder("shop")
        .slo(
            SloDefinition::builder("checkout-availability")
                .description("Checkouts succeed")
                .objective(0.999)
                .period(Duration::from_secs(30 * 86_400))
                .route("POST /checkout")
                .route("/cart/{id}")
                .min_events(10),
        )
        .slo(
            SloDefinition::builder("search-latency")
                .objective(0.99)
                .latency(Duration::from_millis(250)),
        )
        .build()
        .unwrap();
    assert_eq!(built, Spec::from_yaml(GOOD).unwrap());
}

/// Replaces `from` in the good spec and returns the single error.
fn error_for(from: &str, to: &str) -> slo_core::SpecError {
    assert!(GOOD.contains(from), "{from}");
    let text = GOOD.replacen(from, to, 1);
    let errors = Spec::from_yaml(&text).expect_err(&format!("accepted: {to}"));
    assert_eq!(errors.0.len(), 1, "{errors}");
    errors.0[0].clone()
}

#[test]
fn bad_objectives_name_field_and_position() {
    for bad in ["0", "1", "1.5", "\"abc\"", "abc", "-0.5", "99.9", "100%"] {
        let e = error_for("objective: 0.999", &format!("objective: {bad}"));
        assert_eq!(e.field, "slos[0].objective", "{bad}");
        let at = e.location.unwrap();
        assert_eq!((at.line, at.column), (5, 16), "{bad}: {e}");
        assert!(
            matches!(
                e.kind,
                SpecErrorKind::ObjectiveOutOfRange { .. } | SpecErrorKind::ObjectiveNotANumber(_)
            ),
            "{bad}: {e}"
        );
    }
    let nan = error_for("objective: 0.999", "objective: .nan");
    assert_eq!(nan.location.map(|at| (at.line, at.column)), Some((5, 16)));
    assert!(nan.to_string().contains("non-finite"), "{nan}");
    let hint = error_for("objective: 0.999", "objective: 99.9").to_string();
    assert!(hint.contains("99.9%"), "{hint}");
}

#[test]
fn bad_durations_and_thresholds() {
    let e = error_for("period: 30d", "period: 5 days");
    assert_eq!(
        (e.field.as_str(), e.location.unwrap().line),
        ("slos[0].period", 6)
    );
    assert!(matches!(e.kind, SpecErrorKind::Duration(_)), "{e}");
    let e = error_for("period: 30d", "period: 12h");
    assert!(matches!(e.kind, SpecErrorKind::PeriodTooShort(_)), "{e}");
    let e = error_for("period: 30d", "period: 0d");
    assert!(matches!(e.kind, SpecErrorKind::NotPositive), "{e}");
    let e = error_for("threshold: 250ms", "threshold: -250ms");
    assert_eq!(e.field, "slos[1].sli.latency.threshold");
    assert!(matches!(e.kind, SpecErrorKind::NotPositive), "{e}");
    assert_eq!(e.location.unwrap().line, 14);
    let e = error_for("threshold: 250ms", "threshold: 0.25");
    assert!(
        matches!(e.kind, SpecErrorKind::ThresholdWithoutUnit(_)),
        "{e}"
    );
    let e = error_for("threshold: 250ms", "threshold: 0ms");
    assert!(matches!(e.kind, SpecErrorKind::NotPositive), "{e}");
}

#[test]
fn bad_names_and_duplicates() {
    let e = error_for("name: search-latency", "name: checkout-availability");
    assert!(matches!(e.kind, SpecErrorKind::DuplicateName { .. }), "{e}");
    assert_eq!(e.location.unwrap().line, 12);
    assert!(e.to_string().contains("first defined at 3:"), "{e}");
    for bad in [
        "\"has space\"",
        "\"ünïcode\"",
        "\"\"",
        "\"a/b\"",
        &"x".repeat(129),
    ] {
        let e = error_for("name: search-latency", &format!("name: {bad}"));
        assert!(
            matches!(e.kind, SpecErrorKind::InvalidName { .. }),
            "{bad}: {e}"
        );
        assert_eq!(e.field, "slos[1].name");
    }
    let e = error_for("service: shop", "service: \"my shop\"");
    assert_eq!(e.field, "service");
}

#[test]
fn bad_shapes_are_syntax_errors_with_positions() {
    let e = error_for(
        "    sli: availability\n",
        "    sli: availability\n    colour: blue\n",
    );
    assert!(matches!(e.kind, SpecErrorKind::Syntax(_)), "{e}");
    assert!(e.to_string().contains("colour"), "{e}");
    assert_eq!(e.location.unwrap().line, 8);
    let e = error_for("sli: availability", "sli: freshness");
    assert!(matches!(e.kind, SpecErrorKind::UnknownSli(_)), "{e}");
    let e = error_for(
        "sli: {latency: {threshold: 250ms}}",
        "sli: {latncy: {threshold: 250ms}}",
    );
    assert!(matches!(e.kind, SpecErrorKind::UnknownSli(_)), "{e}");
    let e = error_for("routes: [", "routes: [[");
    assert!(matches!(e.kind, SpecErrorKind::Syntax(_)), "{e}");
    let e = error_for("\"POST /checkout\"", "\"post /checkout\"");
    assert!(matches!(e.kind, SpecErrorKind::InvalidRoute { .. }), "{e}");
    assert_eq!(e.field, "slos[0].match.routes[0]");
    for broken in [
        "",
        "service: [",
        "slos: {}",
        "service: a\nslos: []\n",
        ": : :",
        "\t- x",
    ] {
        let errors = Spec::from_yaml(broken).expect_err(broken);
        assert!(
            errors.0.iter().all(|e| e.location.is_some()),
            "{broken:?}: {errors}"
        );
    }
}

#[test]
fn collects_every_problem() {
    let text = "service: shop\nslos:\n  - name: a\n    objective: 2\n    period: 5 days\n  - name: a\n    objective: 0.5\n    sli: weird\n";
    let errors = Spec::from_yaml(text).unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "slos[0].objective",
            "slos[0].period",
            "slos[1].name",
            "slos[1].sli"
        ],
        "{errors}"
    );
}

#[test]
fn builder_errors_name_fields() {
    let errors = Spec::builder("")
        .slo(SloDefinition::builder("ok").objective(1.0))
        .slo(SloDefinition::builder("lat").latency(Duration::ZERO))
        .build()
        .unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"service"));
    assert!(fields.contains(&"slos[0].objective"));
    assert!(
        fields.contains(&"slos[1].objective"),
        "missing objective: {errors}"
    );
    assert!(fields.contains(&"slos[1].sli.latency.threshold"));
    assert!(errors.0.iter().all(|e| e.location.is_none()));
}

#[test]
fn warns_where_tiers_cannot_fire() {
    let spec = Spec::builder("s")
        .slo(SloDefinition::builder("loose").objective(0.9))
        .build()
        .unwrap();
    let warnings: Vec<String> = spec.warnings().iter().map(ToString::to_string).collect();
    // 1/(1-0.9) = 10: the 14.4 page tier cannot fire, 6 and below can.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("1h/5m"), "{warnings:?}");
    let spec = Spec::builder("s")
        .slo(SloDefinition::builder("strict").objective(0.99999))
        .build()
        .unwrap();
    assert_eq!(spec.warnings().len(), 1);
    assert!(spec.warnings()[0].message.contains("99.99%"));
}
