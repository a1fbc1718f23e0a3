//! A spec's `timezone` and maintenance windows: read, refused at their
//! line and column when wrong, built the same in code, written back.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use slo_core::maintenance::MaintenanceWindow;
use slo_core::{SloDefinition, Spec, SpecErrorKind, Timestamp};

const SPEC: &str = r#"service: shop
timezone: Europe/Berlin
maintenance:
  - {start: "2026-12-06T02:00:00Z", duration: 2h, every: 7d}
slos:
  - name: checkout
    objective: 99.9%
    maintenance:
      - {start: "2026-12-24T18:00:00+01:00", duration: 30m}
  - name: search
    objective: 99%
"#;

/// 2026-12-06T02:00:00Z.
const SUNDAY_2AM: i64 = 1_796_522_400;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_nanos(secs * 1_000_000_000)
}

#[test]
fn timezone_and_windows_are_read() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    assert_eq!(spec.timezone(), "Europe/Berlin");
    let weekly = MaintenanceWindow::new(
        at(SUNDAY_2AM),
        Duration::from_secs(7200),
        Some(Duration::from_secs(7 * 86_400)),
    )
    .unwrap();
    assert_eq!(spec.maintenance(), [weekly]);
    // 18:00 in Berlin on Christmas Eve is 17:00 UTC.
    let christmas_eve = at(SUNDAY_2AM + 18 * 86_400 + 15 * 3600);
    let checkout = spec.slo("checkout").unwrap();
    assert_eq!(
        checkout.maintenance(),
        [MaintenanceWindow::new(christmas_eve, Duration::from_secs(1800), None).unwrap()]
    );
    assert!(spec.slo("search").unwrap().maintenance().is_empty());
    // In code, the same.
    let built = Spec::builder("shop")
        .timezone("Europe/Berlin")
        .maintenance(weekly)
        .slo(
            SloDefinition::builder("checkout")
                .objective(0.999)
                .maintenance(
                    MaintenanceWindow::new(christmas_eve, Duration::from_secs(1800), None).unwrap(),
                ),
        )
        .slo(SloDefinition::builder("search").objective(0.99))
        .build()
        .unwrap();
    assert_eq!(built, spec);
    // And written back.
    let text = spec.to_yaml();
    assert!(text.contains("timezone: Europe/Berlin"), "{text}");
    assert!(text.contains("2026-12-06T02:00:00Z"), "{text}");
    assert_eq!(Spec::from_yaml(&text).unwrap(), spec);
}

#[test]
fn without_them_a_spec_means_what_it_meant() {
    let spec = Spec::from_yaml("service: s\nslos:\n  - name: a\n    objective: 99%\n").unwrap();
    assert_eq!(spec.timezone(), "UTC");
    assert!(spec.maintenance().is_empty());
    assert!(!spec.to_yaml().contains("timezone"));
}

/// The one error of `SPEC` with `from` replaced by `to`.
fn error_for(from: &str, to: &str) -> (String, u64, u64, SpecErrorKind) {
    assert!(SPEC.contains(from), "{from}");
    let errors = Spec::from_yaml(&SPEC.replacen(from, to, 1)).expect_err(to);
    assert_eq!(errors.0.len(), 1, "{errors}");
    let error = errors.0[0].clone();
    let at = error.location.expect("a place");
    (error.field, at.line, at.column, error.kind)
}

#[test]
fn mistakes_are_refused_at_their_place() {
    let (field, line, column, kind) = error_for("Europe/Berlin", "Europe/Bärlin");
    assert_eq!((field.as_str(), line, column), ("timezone", 2, 11));
    assert!(
        matches!(kind, SpecErrorKind::UnknownTimeZone { .. }),
        "{kind}"
    );

    let (field, line, column, kind) = error_for("2026-12-06T02:00:00Z", "2026-12-06T02:00:00");
    assert_eq!(
        (field.as_str(), line, column),
        ("maintenance[0].start", 4, 13)
    );
    assert!(
        matches!(kind, SpecErrorKind::TimeWithoutOffset(_)),
        "{kind}"
    );
    assert!(kind.to_string().contains("offset"), "{kind}");

    let (field, _, _, kind) = error_for("2026-12-06T02:00:00Z", "next sunday");
    assert_eq!(field, "maintenance[0].start");
    assert!(matches!(kind, SpecErrorKind::InvalidTime { .. }), "{kind}");

    let (field, line, _, kind) = error_for("every: 7d", "every: 1h");
    assert_eq!((field.as_str(), line), ("maintenance[0].every", 4));
    assert!(matches!(kind, SpecErrorKind::Maintenance(_)), "{kind}");

    let (field, line, _, kind) = error_for("duration: 30m", "duration: 0s");
    assert_eq!(
        (field.as_str(), line),
        ("slos[0].maintenance[0].duration", 9)
    );
    assert_eq!(kind, SpecErrorKind::NotPositive);

    let (field, _, _, kind) = error_for("duration: 2h", "duration: two hours");
    assert_eq!(field, "maintenance[0].duration");
    assert!(matches!(kind, SpecErrorKind::Duration(_)), "{kind}");

    let errors = Spec::from_yaml(&SPEC.replace("every: 7d", "every: 7d, until: 8d")).unwrap_err();
    assert!(
        matches!(errors.0[0].kind, SpecErrorKind::Syntax(_)),
        "{errors}"
    );
    assert_eq!(errors.0[0].location.map(|at| at.line), Some(4), "{errors}");

    let built = Spec::builder("s")
        .timezone("Mars/Olympus")
        .slo(SloDefinition::builder("a").objective(0.99))
        .build()
        .unwrap_err();
    assert_eq!(built.0[0].field, "timezone");
}

#[test]
fn calendar_periods_are_read_built_and_written_back() {
    use slo_core::calendar::CalendarUnit;
    let text = "service: shop\ntimezone: Europe/Berlin\nslos:\n  - name: checkout\n    objective: 99.9%\n    period: calendar month\n  - name: search\n    objective: 99%\n    period: calendar week\n  - name: cart\n    objective: 99%\n    period: calendar quarter\n";
    let spec = Spec::from_yaml(text).unwrap();
    let units: Vec<(CalendarUnit, &str, u64)> = spec
        .slos()
        .iter()
        .map(|slo| {
            let calendar = slo.calendar().unwrap();
            (
                calendar.unit(),
                calendar.timezone(),
                slo.period().as_secs() / 86_400,
            )
        })
        .collect();
    assert_eq!(
        units,
        [
            (CalendarUnit::Month, "Europe/Berlin", 30),
            (CalendarUnit::Week, "Europe/Berlin", 7),
            (CalendarUnit::Quarter, "Europe/Berlin", 90)
        ]
    );
    // The default tiers scale as for the nominal period.
    assert_eq!(spec.slos()[1].windows().tiers()[0].long.label, "14m");
    let built = Spec::builder("shop")
        .timezone("Europe/Berlin")
        .slo(
            SloDefinition::builder("checkout")
                .objective(0.999)
                .calendar(CalendarUnit::Month),
        )
        .slo(
            SloDefinition::builder("search")
                .objective(0.99)
                .calendar(CalendarUnit::Week),
        )
        .slo(
            SloDefinition::builder("cart")
                .objective(0.99)
                .calendar(CalendarUnit::Quarter),
        )
        .build()
        .unwrap();
    assert_eq!(built, spec);
    let written = spec.to_yaml();
    assert!(written.contains("period: calendar month"), "{written}");
    assert_eq!(Spec::from_yaml(&written).unwrap(), spec);
    // A unit that is not one is refused at its place.
    let errors = Spec::from_yaml(&text.replace("calendar week", "calendar fortnight")).unwrap_err();
    let error = &errors.0[0];
    assert_eq!(error.field, "slos[1].period");
    assert_eq!(error.location.map(|at| (at.line, at.column)), Some((9, 13)));
    assert!(
        error.to_string().contains("week, month, quarter"),
        "{error}"
    );
}
