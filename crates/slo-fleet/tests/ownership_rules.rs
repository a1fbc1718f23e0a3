//! The spec's owner, tier and links on every generated alert, checked by
//! the real promtool: `promtool test rules` expects `owner` and `tier` on
//! the burn and exhausted alerts that fire (so an Alertmanager route by
//! `owner` catches fleet alerts as it catches in-process ones), and the
//! rules carry `runbook_url` and `dashboard_url`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use serde_json::{Value, json};
use slo_fleet::rules::{ABSENT_ALERT, BURN_ALERT, EXHAUSTED_ALERT, Rule, RulesOptions};

const SPEC: &str = "service: shop
owner: storefront
slos:
  - name: checkout
    objective: 99.9%
    owner: payments
    tier: critical
    annotations:
      runbook: https://runbooks.example.com/checkout?q={{x}}
      dashboard: https://grafana.example.com/d/checkout
  - name: search
    objective: 99.9%
journeys:
  - name: pay
    objective: 99.9%
    steps: [checkout]
    tier: essential
";

/// `alert` with `owner` (and `tier`, when given) added to its labels.
fn owned(mut alert: Value, owner: &str, tier: Option<&str>) -> Value {
    let labels = alert["exp_labels"].as_object_mut().unwrap();
    labels.insert("owner".into(), json!(owner));
    if let Some(tier) = tier {
        labels.insert("tier".into(), json!(tier));
    }
    alert
}

#[test]
fn every_alert_carries_the_owner_the_tier_and_the_links() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("ownership");
    let spec = spec(SPEC);
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    // Every alerting rule of every SLO names its owner; only checkout has
    // a tier and links. The URL's braces stay literal for Go's templates.
    let mut alerting = 0;
    for group in &file.groups {
        for rule in &group.rules {
            let Rule::Alert(rule) = rule else { continue };
            alerting += 1;
            let slo = rule.labels.get("slo").or(rule.labels.get("journey"));
            let slo = slo.expect("every alert names its SLO or journey").as_str();
            let (owner, tier) = match slo {
                "checkout" => ("payments", Some("critical")),
                // A journey inherits the service's owner, not its steps'.
                "pay" => ("storefront", Some("essential")),
                _ => ("storefront", None),
            };
            assert_eq!(rule.labels["owner"], owner, "{}", rule.alert);
            assert_eq!(rule.labels.get("tier").map(String::as_str), tier);
            let runbook = rule.annotations.get("runbook_url").map(String::as_str);
            let dashboard = rule.annotations.get("dashboard_url").map(String::as_str);
            if slo == "checkout" {
                assert_eq!(
                    runbook,
                    Some("https://runbooks.example.com/checkout?q={{ \"{{\" }}x}}")
                );
                assert_eq!(dashboard, Some("https://grafana.example.com/d/checkout"));
            } else {
                assert_eq!((runbook, dashboard), (None, None));
            }
        }
    }
    assert!(alerting >= 16, "{alerting} alerting rules");
    // 2% bad on both: every tier fires, and both budgets are spent.
    let mut series: Vec<Value> = traffic("checkout", "a", 1000, 20, 60).into();
    series.extend(traffic("search", "a", 1000, 20, 60));
    let mut burning: Vec<Value> = burn_alerts(&file, &spec, "checkout", &[0, 1, 2, 3])
        .into_iter()
        .map(|alert| owned(alert, "payments", Some("critical")))
        .collect();
    burning.extend(
        burn_alerts(&file, &spec, "search", &[0, 1, 2, 3])
            .into_iter()
            .map(|alert| owned(alert, "storefront", None)),
    );
    let rendered = annotations(&file, BURN_ALERT, &[("slo", "checkout")]);
    assert_eq!(
        rendered["runbook_url"],
        "https://runbooks.example.com/checkout?q={{x}}"
    );
    run_test(
        &dir,
        series,
        vec![
            alert_test("30m", BURN_ALERT, burning),
            alert_test(
                "30m",
                EXHAUSTED_ALERT,
                vec![
                    owned(
                        exhausted_alert(&file, "checkout"),
                        "payments",
                        Some("critical"),
                    ),
                    owned(exhausted_alert(&file, "search"), "storefront", None),
                ],
            ),
            alert_test("30m", ABSENT_ALERT, vec![]),
        ],
    );
    let _ = std::fs::remove_dir_all(dir);
}
