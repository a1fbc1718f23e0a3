//! A journey's generated rules under promtool: the recorded ratio is the
//! product rule over the steps' recorded ratios across instances (a step
//! without series counting as no error), and `SLOJourneyErrorBudgetBurn`
//! pages while no step does.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use serde_json::{Value, json};
use slo_fleet::rules::{BURN_ALERT, RulesOptions};

const SPEC: &str = "service: shop
slos:
  - {name: search, objective: 99.9%}
  - {name: cart, objective: 99.9%}
  - {name: checkout, objective: 99.9%}
  - {name: idle, objective: 99.9%}
journeys:
  - name: purchase
    description: find it, keep it, pay for it
    objective: 99.9%
    steps: [search, cart, checkout]
  - {name: browse, objective: 99.9%, steps: [search, idle]}
  - {name: quiet, objective: 99.9%, steps: [idle]}
";

/// The expected journey alerts for the tiers named by their place.
fn journey_alerts(
    file: &slo_fleet::rules::RuleFile,
    spec: &slo_core::Spec,
    journey: &str,
    tiers: &[usize],
) -> Vec<Value> {
    let definition = spec.journey(journey).unwrap();
    tiers
        .iter()
        .map(|&i| {
            let tier = &definition.windows().tiers()[i];
            let (long, short) = (tier.long.label.as_str(), tier.short.label.as_str());
            let severity = tier.severity.as_str();
            json!({
                "exp_labels": {
                    "journey": journey, "sloth_service": "shop", "severity": severity,
                    "sloth_severity": severity, "long_window": long, "short_window": short,
                },
                "exp_annotations": annotations(
                    file,
                    "SLOJourneyErrorBudgetBurn",
                    &[("journey", journey), ("long_window", long), ("short_window", short)],
                ),
            })
        })
        .collect()
}

#[test]
fn a_journey_pages_from_its_steps_recorded_ratios() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("journey");
    let spec = spec(SPEC);
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    // Three hours; each step on two instances at 0.5% bad (burn 5: both
    // ticket tiers, neither page); `idle` reports nothing.
    let mut input = Vec::new();
    for step in ["search", "cart", "checkout"] {
        for (instance, total) in [("a", 1000), ("b", 3000)] {
            input.extend(traffic(step, instance, total, total / 200, 180));
        }
    }
    let step_tickets: Vec<Value> = ["search", "cart", "checkout"]
        .iter()
        .flat_map(|step| burn_alerts(&file, &spec, step, &[2, 3]))
        .collect();
    // The journey burns (1 − 0.995³) / 0.001 ≈ 14.9: every tier; browse
    // is search alone (idle counts as no error): its tickets only.
    let checks = vec![
        alert_test("150m", BURN_ALERT, step_tickets),
        alert_test(
            "150m",
            "SLOJourneyErrorBudgetBurn",
            [
                journey_alerts(&file, &spec, "browse", &[2, 3]),
                journey_alerts(&file, &spec, "purchase", &[0, 1, 2, 3]),
            ]
            .concat(),
        ),
    ];
    let ratio = 1.0 - 0.995f64.powi(3);
    let exprs = vec![
        json!({
            "expr": r#"slo:journey_error:ratio_rate1h{journey="purchase"}"#,
            "eval_time": "150m",
            "exp_samples": [{
                "labels": r#"slo:journey_error:ratio_rate1h{journey="purchase", sloth_service="shop", sloth_window="1h"}"#,
                "value": ratio,
            }],
        }),
        // A journey none of whose steps has events records nothing (in
        // process: no SLI), rather than a perfect 0.
        json!({
            "expr": r#"slo:journey_error:ratio_rate1h{journey="quiet"}"#,
            "eval_time": "150m",
            "exp_samples": [],
        }),
    ];
    let test = json!({
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": input,
            "alert_rule_test": checks,
            "promql_expr_test": exprs,
        }],
    });
    std::fs::write(
        dir.join("test.yaml"),
        serde_saphyr::to_string(&test).unwrap(),
    )
    .unwrap();
    let report = promtool(&["test", "rules", "test.yaml"], &dir);
    assert!(report.contains("SUCCESS"), "{report}");
    let _ = std::fs::remove_dir_all(dir);
}
