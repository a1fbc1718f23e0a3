//! Journeys: refused at their line and column when malformed; over every
//! window their SLI is the product of their steps' (a step without events
//! counts 1), read from the steps' own rings; they page while no step
//! does, and weigh in release decisions.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use slo_core::alerts::{AlertKind, AlertState};
use slo_core::release::{Decision, Risk};
use slo_core::{
    JourneyDefinition, ManualClock, Registry, SampleFill, SloDefinition, Spec, SpecErrorKind,
    Timestamp,
};

const SPEC: &str = "service: shop
slos:
  - name: search
    objective: 99.9%
    period: 1d
  - name: cart
    objective: 99.9%
    period: 1d
  - name: checkout
    objective: 99.9%
    period: 1d
  - name: idle
    objective: 99%
    period: 1d
journeys:
  - name: purchase
    objective: 99.9%
    steps: [search, cart, checkout]
  - name: browse
    description: search, then a step nobody takes
    objective: 99%
    steps: [search, idle]
";

/// Each malformed journey is refused at its place, and only there.
#[test]
fn malformed_journeys_are_refused_at_their_line_and_column() {
    // Each case: the steps, the text its error is at, and what it says.
    type Case = (&'static str, &'static str, fn(&SpecErrorKind) -> bool);
    let cases: &[Case] = &[
        ("steps: []", "[]", |k| {
            matches!(k, SpecErrorKind::EmptyJourney)
        }),
        (
            "steps: [a, nope]",
            "nope",
            |k| matches!(k, SpecErrorKind::UnknownStep(n) if n == "nope"),
        ),
        (
            "steps: [a, j]",
            "j]",
            |k| matches!(k, SpecErrorKind::StepIsJourney { name, cycle: true } if name == "j"),
        ),
        (
            "steps: [a, b, a]",
            "a]",
            |k| matches!(k, SpecErrorKind::DuplicateStep(n) if n == "a"),
        ),
        (
            "steps: [a, weekly]",
            "weekly]",
            |k| matches!(k, SpecErrorKind::StepPeriodsDiffer { step, first, .. } if step == "weekly" && first == "a"),
        ),
        (
            "steps: [a, monthly]",
            "monthly]",
            |k| matches!(k, SpecErrorKind::StepPeriodsDiffer { period, .. } if period == "calendar month"),
        ),
    ];
    for (steps, needle, expected) in cases {
        let text = format!(
            "service: shop
slos:
  - {{name: a, objective: 99%}}
  - {{name: b, objective: 99%}}
  - {{name: weekly, objective: 99%, period: 7d}}
  - {{name: monthly, objective: 99%, period: calendar month}}
journeys:
  - {{name: j, objective: 99%, {steps}}}
"
        );
        let errors = Spec::from_yaml(&text).expect_err(steps).0;
        assert_eq!(errors.len(), 1, "{steps}: {errors:?}");
        let error = &errors[0];
        assert!(expected(&error.kind), "{steps}: {error:?}");
        let at = error.location.unwrap();
        let column = text.lines().nth(7).unwrap().find(needle).unwrap() as u64 + 1;
        assert_eq!((at.line, at.column), (8, column), "{steps}: {error}");
    }

    // Two journeys naming each other: a cycle, told at both.
    let text = "service: shop
slos:
  - {name: a, objective: 99%}
journeys:
  - {name: j, objective: 99%, steps: [a, k]}
  - {name: k, objective: 99%, steps: [j]}
  - {name: a, objective: 99%, steps: [a]}
  - {name: k, objective: 200%, steps: [a]}
";
    let errors = Spec::from_yaml(text).unwrap_err();
    let found: Vec<(u64, String)> = errors
        .iter()
        .map(|e| (e.location.unwrap().line, e.field.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (5, "journeys[0].steps[1]".to_owned()),
            (6, "journeys[1].steps[0]".to_owned()),
            (7, "journeys[2].name".to_owned()),
            (8, "journeys[3].name".to_owned()),
            (8, "journeys[3].objective".to_owned()),
        ],
        "{errors}"
    );
    let text = errors.to_string();
    assert_eq!(
        text.matches("names this one back (a cycle)").count(),
        2,
        "{text}"
    );
    assert!(
        text.contains("\"a\" is already the name of an SLO (at 3:12)"),
        "{text}"
    );
    assert!(
        text.contains("\"k\" is already the name of a journey (at 6:12)"),
        "{text}"
    );
    // An SLO that is itself wrong is reported at the SLO, not at a step.
    let text = "service: shop
slos:
  - {name: a, objective: 2}
journeys:
  - {name: j, objective: 99%, steps: [a]}
";
    let errors = Spec::from_yaml(text).unwrap_err();
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert_eq!(errors.0[0].field, "slos[0].objective");
}

/// A journey keeps its steps' windows when they share them, and the
/// default four for its period otherwise; built in code, it is the same.
#[test]
fn a_journey_shares_its_steps_windows() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let purchase = spec.journey("purchase").unwrap();
    assert_eq!(purchase.windows(), spec.slos()[0].windows());
    assert_eq!(purchase.period(), spec.slos()[0].period());
    assert_eq!(purchase.min_events(), 1);
    let built = Spec::builder("shop")
        .slo(
            SloDefinition::builder("search")
                .objective(0.999)
                .period(std::time::Duration::from_secs(86_400)),
        )
        .slo(
            SloDefinition::builder("cart")
                .objective(0.999)
                .period(std::time::Duration::from_secs(86_400))
                .min_events(20),
        )
        .journey(
            JourneyDefinition::builder("purchase")
                .objective(0.999)
                .steps(["search", "cart"]),
        )
        .build()
        .unwrap();
    assert_eq!(
        built.journey("purchase").unwrap().windows(),
        purchase.windows()
    );
    assert_eq!(built.journey("purchase").unwrap().min_events(), 20);
    // A step with tiers of its own: the journey keeps the defaults.
    let mixed = Spec::from_yaml(
        "service: shop
slos:
  - {name: a, objective: 99%, period: 1d}
  - name: b
    objective: 99%
    period: 1d
    alerting:
      tiers: [{severity: page, long: 3h, short: 15m, burn_rate: 3}]
journeys:
  - {name: j, objective: 99%, steps: [a, b]}
",
    )
    .unwrap();
    assert_eq!(
        mixed.journey("j").unwrap().windows(),
        mixed.slos()[0].windows()
    );
    assert_ne!(mixed.slos()[1].windows(), mixed.slos()[0].windows());
    // Built in code without an objective: refused at its field.
    let errors = Spec::builder("shop")
        .slo(SloDefinition::builder("a").objective(0.99))
        .journey(JourneyDefinition::builder("j").step("a"))
        .build()
        .unwrap_err();
    assert_eq!(errors.0[0].field, "journeys[0].objective");
}

struct Run {
    registry: Registry,
    clock: ManualClock,
    t: i64,
}

impl Run {
    fn new(spec: &str) -> Run {
        let clock = ManualClock::new(Timestamp::EPOCH);
        let registry = Registry::builder(Spec::from_yaml(spec).unwrap())
            .clock(clock.clone())
            .sample_fill(SampleFill::Step)
            .build();
        Run {
            registry,
            clock,
            t: 0,
        }
    }

    /// 10 seconds later: per SLO, 1,000 events with this many bad; then a tick.
    fn step(&mut self, bad: &[(&str, u64)]) {
        self.t += 10;
        self.clock
            .set(Timestamp::from_unix_nanos(self.t * 1_000_000_000));
        for &(name, bad) in bad {
            let handle = self.registry.handle(name).unwrap();
            handle.record_batch(1000 - bad, bad);
        }
        self.registry.tick();
    }
}

/// Over every window, the journey's burn rate is the product rule applied
/// to its steps' own burn rates, as `/slo` shows them; a step without
/// events counts 1; with none at all there is no burn rate.
#[test]
fn every_window_is_the_product_of_its_steps() {
    let mut run = Run::new(SPEC);
    let status = run.registry.status();
    let browse = &status.journeys[1];
    assert_eq!(browse.sli_value, None);
    assert!(browse.burn_rates.0.iter().all(|(_, rate)| rate.is_none()));
    assert_eq!(
        browse.description.as_deref(),
        Some("search, then a step nobody takes")
    );
    // Six hours of changing traffic: each step's bad share moves on its
    // own, so that the windows differ.
    for i in 0..2160u64 {
        let (a, b, c) = (i % 7, (i / 60) % 5, u64::from(i % 360 < 30) * 40);
        run.step(&[("search", a), ("cart", b), ("checkout", c)]);
        if i % 97 != 0 {
            continue;
        }
        let status = run.registry.status();
        let slo = |name: &str| status.slos.iter().find(|s| s.name == name).unwrap();
        for journey in &status.journeys {
            for (label, rate) in &journey.burn_rates.0 {
                let mut sli = 1.0;
                for step in &journey.steps {
                    let step = slo(step);
                    if let Some(burn) = step.burn_rates.get(label) {
                        sli *= 1.0 - burn * (1.0 - step.objective);
                    }
                }
                let expected = (1.0 - sli) / (1.0 - journey.objective);
                let rate = rate.expect("the steps have events");
                assert!(
                    (rate - expected).abs() <= 1e-9 * expected.max(1.0),
                    "{} {label} at t={}: {rate} vs {expected}",
                    journey.name,
                    run.t
                );
            }
            let sli = journey.sli_value.unwrap();
            let expected =
                1.0 - journey.burn_rates.0.last().unwrap().1.unwrap() * (1.0 - journey.objective);
            assert!((sli - expected).abs() < 1e-12);
        }
        // The idle step has no events: browse is search alone.
        let browse = &status.journeys[1];
        let search = slo("search");
        for ((label, journey), (_, step)) in browse.burn_rates.0.iter().zip(&search.burn_rates.0) {
            let as_journey = step.unwrap() * (1.0 - search.objective) / (1.0 - browse.objective);
            assert!((journey.unwrap() - as_journey).abs() < 1e-9, "{label}");
        }
    }
}

/// Three steps each burning 5× their budget stay under both pages (14.4
/// and 6); the journey over them burns about 15× and pages, in process and in
/// `/slo`, and resolves when they recover. Its decisions weigh in the
/// service's release decision, and a caller can ask about it by name.
#[test]
fn a_journey_pages_while_no_step_does() {
    let mut run = Run::new(SPEC);
    let receiver = run.registry.subscribe_alerts(1000);
    for _ in 0..720 {
        run.step(&[("search", 5), ("cart", 5), ("checkout", 5)]);
    }
    let status = run.registry.status();
    for slo in &status.slos {
        assert!(
            slo.alerts
                .iter()
                .all(|a| a.severity != slo_core::windows::Severity::Page || !a.firing),
            "{}",
            slo.name
        );
    }
    let purchase = &status.journeys[0];
    let pages: Vec<_> = purchase.alerts.iter().filter(|a| a.firing).collect();
    assert!(
        pages
            .iter()
            .any(|a| a.severity == slo_core::windows::Severity::Page),
        "{purchase:?}"
    );
    let burn = purchase.burn_rates.0[0].1.unwrap();
    assert!(
        (burn - (1.0 - 0.995f64.powi(3)) / 0.001).abs() < 1e-6,
        "{burn}"
    );
    let fired: Vec<_> = std::iter::from_fn(|| receiver.try_recv()).collect();
    let journey_fired: Vec<_> = fired
        .iter()
        .filter(|t| matches!(t.alert.kind, AlertKind::JourneyBurn { .. }))
        .collect();
    assert!(!journey_fired.is_empty());
    assert!(
        journey_fired
            .iter()
            .all(|t| t.alert.slo == "purchase" && t.state == AlertState::Firing)
    );
    assert_eq!(
        journey_fired[0].alert.kind.alert_name(),
        "SLOJourneyErrorBudgetBurn"
    );
    assert!(fired.iter().all(
        |t| t.alert.slo == "purchase" || t.alert.severity != slo_core::windows::Severity::Page
    ));
    // The journey decides the service's release, and can be asked about.
    let decision = run.registry.release_decision(Risk::Medium);
    assert_eq!(decision.decided_by.as_deref(), Some("purchase"));
    assert_ne!(decision.decision, Decision::Approve);
    assert_eq!(
        run.registry
            .release_decision_for(Risk::Medium, &["purchase"])
            .unwrap(),
        decision
    );
    assert_eq!(
        status
            .release_decision(Risk::Medium, &["purchase"])
            .unwrap()
            .decided_by
            .as_deref(),
        Some("purchase")
    );
    assert!(
        run.registry
            .release_decision_for(Risk::Low, &["nope"])
            .is_err()
    );
    // Recovery: every page resolves.
    for _ in 0..2000 {
        run.step(&[("search", 0), ("cart", 0), ("checkout", 0)]);
    }
    let resolved: Vec<_> = std::iter::from_fn(|| receiver.try_recv())
        .filter(|t| matches!(t.alert.kind, AlertKind::JourneyBurn { .. }))
        .collect();
    assert!(resolved.iter().all(|t| t.state == AlertState::Resolved));
    assert!(
        run.registry.status().journeys[0]
            .alerts
            .iter()
            .all(|a| !a.firing)
    );
}

/// Replay writes one line per journey at every step, and each agrees with
/// a model of the product rule written here from the events themselves;
/// on the way the journey pages while no step does.
#[test]
fn replay_agrees_with_a_model_of_the_product_rule() {
    use std::fmt::Write as _;
    let spec = Spec::from_yaml(SPEC).unwrap();
    // 36 hours, an event per step a minute: batches whose bad share each
    // step moves on its own; from hour 20 to 22 each burns 5× its budget.
    let steps = ["search", "cart", "checkout"];
    let mut events: Vec<(i64, usize, u64, u64)> = Vec::new();
    let mut text = String::new();
    for minute in 1..=36 * 60i64 {
        let t = minute * 60;
        for (s, name) in steps.iter().enumerate() {
            let bad = if (20 * 60..22 * 60).contains(&minute) {
                5
            } else {
                (minute as u64 * (s as u64 + 3)) % 4 * u64::from(minute % 11 == s as i64)
            };
            events.push((t, s, 1000 - bad, bad));
            writeln!(
                text,
                r#"{{"t": {t}, "slo": "{name}", "batch": {{"good": {}, "bad": {bad}}}}}"#,
                1000 - bad
            )
            .unwrap();
        }
    }
    let every = 1440;
    let mut out = Vec::new();
    slo_core::replay::replay(
        &spec,
        text.as_bytes(),
        std::time::Duration::from_secs(every),
        &mut out,
    )
    .unwrap();
    let windows: Vec<(String, i64)> = spec
        .journey("purchase")
        .unwrap()
        .windows()
        .all()
        .iter()
        .map(|w| (w.label.clone(), w.duration.as_secs() as i64))
        .collect();
    let (mut checked, mut paged_alone) = (0, 0);
    let mut step_pages = std::collections::HashMap::new();
    for line in String::from_utf8(out).unwrap().lines() {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        let t = line["t"].as_i64().unwrap();
        let pages = |line: &serde_json::Value| {
            line["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["severity"] == "page" && a["firing"] == true)
        };
        if let Some(name) = line["name"].as_str() {
            step_pages.insert((t, name.to_owned()), pages(&line));
            continue;
        }
        if line["journey"] != "purchase" {
            assert_eq!(line["journey"], "browse");
            continue;
        }
        assert!(line.get("name").is_none());
        for (label, length) in &windows {
            let mut log_good = 0.0f64;
            let mut any = false;
            for s in 0..steps.len() {
                let (good, bad) = events
                    .iter()
                    .filter(|e| e.1 == s && e.0 > t - length && e.0 <= t)
                    .fold((0u64, 0u64), |(g, b), e| (g + e.2, b + e.3));
                if good + bad > 0 {
                    any = true;
                    log_good += (good as f64 / (good + bad) as f64).ln();
                }
            }
            let rate = &line["burn_rates"][label];
            if !any {
                assert!(rate.is_null(), "{label} at {t}");
                continue;
            }
            let expected = -log_good.exp_m1() / 0.001;
            let rate = rate.as_f64().unwrap();
            assert!(
                (rate - expected).abs() <= 1e-9 * expected.max(1.0),
                "{label} at {t}: {rate} vs {expected}"
            );
            checked += 1;
        }
        if pages(&line) && steps.iter().all(|s| !step_pages[&(t, (*s).to_owned())]) {
            paged_alone += 1;
        }
    }
    assert_eq!(checked, windows.len() * (36 * 3600 / every as usize));
    assert!(paged_alone > 0, "the journey never paged alone");
}
