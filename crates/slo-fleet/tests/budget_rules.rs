//! The budget and no-data alerts of the generated rules, against the real
//! promtool: `SLOErrorBudgetLow`, `SLOErrorBudgetExhaustionSoon` and
//! `SLONoData` fire when the semantics say, and not otherwise, with the
//! labels the in-process notifier sends; an SLO's own tiers get the
//! recording rules and alerts of exactly its windows.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use serde_json::{Value, json};
use slo_core::series::{BUDGET_LOW_ALERT, EXHAUSTION_SOON_ALERT, NO_DATA_ALERT};
use slo_fleet::rules::{BURN_ALERT, Rule, RuleFile, RulesOptions};

/// The expected budget alert `alert` of `slo` (service `shop`).
fn budget_alert(file: &RuleFile, alert: &str, slo: &str, condition: &str, severity: &str) -> Value {
    json!({
        "exp_labels": {
            "slo": slo, "severity": severity, "sloth_severity": severity,
            "condition": condition,
            "sloth_id": format!("shop-{slo}"), "sloth_service": "shop", "sloth_slo": slo,
        },
        "exp_annotations": annotations(file, alert, &[("slo", slo)]),
    })
}

/// An input counter with its own PromQL series notation.
fn series(slo: &str, outcome: &str, values: &str) -> Value {
    json!({
        "series": format!(r#"slo_events_total{{slo="{slo}", outcome="{outcome}", instance="a", job="shop"}}"#),
        "values": values,
    })
}

#[test]
fn remaining_below_and_exhausted_within_fire_on_their_own_conditions() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("budget");
    let budget = "    alerting:\n      budget: {remaining_below: 25%, exhausted_within: 1d}\n";
    let spec = spec(&format!(
        "service: shop\nslos:\n  - name: spent-slowly\n    objective: 99%\n    period: 7d\n{budget}  - name: burning-now\n    objective: 99%\n    period: 7d\n{budget}  - name: healthy\n    objective: 99%\n    period: 7d\n{budget}"
    ));
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    let mut input = Vec::new();
    // 0.8% bad all along: burn 0.8, so 20% of the budget is left (≤ 25%),
    // and at burn 0.8 that lasts 0.2 × 7d / 0.8 = 1.75d (> 1d).
    input.extend(traffic("spent-slowly", "a", 1000, 8, 600));
    // Clean for 9.5 hours, then 10% bad for the last 30 minutes: about
    // 77% left (> 25%) but at burn 10 gone in about 13 hours (≤ 1d).
    input.push(series("burning-now", "good", "0+1000x570 570000+900x30"));
    input.push(series("burning-now", "bad", "0+0x570 100+100x29"));
    // 0.5% bad: half left, and it lasts 0.5 × 7d / 0.5 = 7d.
    input.extend(traffic("healthy", "a", 1000, 5, 600));
    run_test(
        &dir,
        input,
        vec![
            alert_test(
                "600m",
                BUDGET_LOW_ALERT,
                vec![budget_alert(
                    &file,
                    BUDGET_LOW_ALERT,
                    "spent-slowly",
                    "remaining_below",
                    "ticket",
                )],
            ),
            alert_test(
                "600m",
                EXHAUSTION_SOON_ALERT,
                vec![budget_alert(
                    &file,
                    EXHAUSTION_SOON_ALERT,
                    "burning-now",
                    "exhausted_within",
                    "page",
                )],
            ),
            // Before the spike nothing runs out soon.
            alert_test("560m", EXHAUSTION_SOON_ALERT, vec![]),
        ],
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn no_data_fires_after_the_quiet_span_but_never_in_the_first_one() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("no-data");
    let spec = spec(
        "service: shop\nslos:\n  - name: stopped\n    objective: 99%\n    alerting: {no_data: 30m}\n  - name: idle-from-start\n    objective: 99%\n    alerting: {no_data: 30m}\n  - name: busy\n    objective: 99%\n    alerting: {no_data: 30m}\n",
    );
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    let mut input = vec![
        // Traffic for an hour, then none.
        series("stopped", "good", "0+100x60 6000+0x60"),
        series("stopped", "bad", "0+0x120"),
        // Reported from the start, never an event.
        series("idle-from-start", "good", "0+0x120"),
        series("idle-from-start", "bad", "0+0x120"),
    ];
    input.extend(traffic("busy", "a", 100, 1, 120));
    let expected = |slo: &str| budget_alert(&file, NO_DATA_ALERT, slo, "no_data", "ticket");
    run_test(
        &dir,
        input,
        vec![
            // Within the first 30 minutes nothing fires, idle or not.
            alert_test("20m", NO_DATA_ALERT, vec![]),
            // Idle for 45 minutes since its series appeared.
            alert_test("45m", NO_DATA_ALERT, vec![expected("idle-from-start")]),
            // `stopped` had events 20 minutes ago.
            alert_test("80m", NO_DATA_ALERT, vec![expected("idle-from-start")]),
            alert_test(
                "100m",
                NO_DATA_ALERT,
                vec![expected("idle-from-start"), expected("stopped")],
            ),
        ],
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn no_data_is_silent_while_a_maintenance_window_holds() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("no-data-maintenance");
    // promtool's clock starts at the epoch: a daily window from 01:30 for
    // 20 minutes (service-wide), and a one-off from 00:50 for 30 minutes
    // of `stopped`'s own.
    let spec = spec(
        "service: shop\nmaintenance:\n  - {start: \"1970-01-01T01:30:00Z\", duration: 20m, every: 1d}\nslos:\n  - name: stopped\n    objective: 99%\n    alerting: {no_data: 30m}\n    maintenance:\n      - {start: \"1970-01-01T00:50:00+00:00\", duration: 30m}\n  - name: idle-from-start\n    objective: 99%\n    alerting: {no_data: 30m}\n",
    );
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    let input = vec![
        series("stopped", "good", "0+100x20 2000+0x100"),
        series("stopped", "bad", "0+0x120"),
        series("idle-from-start", "good", "0+0x120"),
        series("idle-from-start", "bad", "0+0x120"),
    ];
    let expected = |slo: &str| budget_alert(&file, NO_DATA_ALERT, slo, "no_data", "ticket");
    run_test(
        &dir,
        input,
        vec![
            // Idle since the start, outside any window: it fires.
            alert_test("45m", NO_DATA_ALERT, vec![expected("idle-from-start")]),
            // `stopped` has been quiet 35 minutes, but its own window holds.
            alert_test("55m", NO_DATA_ALERT, vec![expected("idle-from-start")]),
            // Its window is over (01:20): it fires.
            alert_test(
                "85m",
                NO_DATA_ALERT,
                vec![expected("idle-from-start"), expected("stopped")],
            ),
            // The daily window (01:30–01:50) silences both.
            alert_test("95m", NO_DATA_ALERT, vec![]),
            alert_test("109m", NO_DATA_ALERT, vec![]),
            // And both fire again once it is over.
            alert_test(
                "115m",
                NO_DATA_ALERT,
                vec![expected("idle-from-start"), expected("stopped")],
            ),
        ],
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn own_tiers_get_exactly_their_windows_and_fire_on_their_burn_rates() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("own-tiers");
    let spec = spec(
        "service: shop\nslos:\n  - name: checkout\n    objective: 99%\n    alerting:\n      tiers:\n        - {severity: page, long: 30m, short: 3m, burn_rate: 5}\n        - {severity: ticket, long: 2h, short: 20m, burn_rate: 2}\n",
    );
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    // One recording per window the SLO keeps (its tiers', the status and
    // exhaustion and chart windows), plus 5m for Sloth, the 5m helper and
    // the period.
    let recorded: Vec<String> = file.groups[0]
        .rules
        .iter()
        .filter_map(|rule| match rule {
            Rule::Record(r) => r.labels.get("sloth_window").cloned(),
            Rule::Alert(_) => None,
        })
        .collect();
    assert_eq!(
        recorded,
        [
            "3m", "20m", "30m", "1h", "2h", "6h", "1d", "5m", "5m", "30d"
        ]
    );
    // 3% bad: burn 3, above the ticket tier's 2 and below the page's 5.
    let input: Vec<Value> = traffic("checkout", "a", 1000, 30, 180).into();
    let tickets = burn_alerts(&file, &spec, "checkout", &[1]);
    run_test(&dir, input, vec![alert_test("150m", BURN_ALERT, tickets)]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_calendar_month_keeps_rolling_rules_and_says_so() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("calendar");
    let spec = spec(
        "service: shop\ntimezone: Europe/Berlin\nslos:\n  - name: checkout\n    objective: 99.9%\n    period: calendar month\n",
    );
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    let text = std::fs::read_to_string(dir.join("rules.yaml")).unwrap();
    assert!(
        text.starts_with("# checkout: its period is the calendar month in Europe/Berlin."),
        "{text}"
    );
    assert!(
        text.contains("# (and keep the rolling alert windows); `slo report`"),
        "{text}"
    );
    // The rolling windows of a 30d period, as before.
    assert!(
        file.groups[0].rules.iter().any(
            |rule| matches!(rule, Rule::Record(r) if r.record == "slo:sli_error:ratio_rate30d")
        ),
    );
    let _ = std::fs::remove_dir_all(dir);
}
