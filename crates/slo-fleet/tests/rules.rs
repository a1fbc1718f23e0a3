//! Generated rules against the real promtool (Debian's Prometheus 2.42):
//! every file passes `promtool check rules`, and `promtool test rules` feeds
//! input series with known error ratios and checks which alerts fire.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use serde_json::{Value, json};
use slo_core::Spec;
use slo_fleet::matchers::Matchers;
use slo_fleet::rules::{ABSENT_ALERT, BURN_ALERT, EXHAUSTED_ALERT, RulesOptions};

const PAGE_FAST: usize = 0;
const PAGE_SLOW: usize = 1;
const TICKET_FAST: usize = 2;
const TICKET_SLOW: usize = 3;

#[test]
fn a_fast_burn_fires_every_tier_and_exhausts_the_budget() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("fast");
    let spec = spec("service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n");
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    // 2% bad: burn rate 20 > 14.4.
    let series: Vec<Value> = traffic("checkout", "a", 1000, 20, 60).into();
    let all = burn_alerts(
        &file,
        &spec,
        "checkout",
        &[PAGE_FAST, PAGE_SLOW, TICKET_FAST, TICKET_SLOW],
    );
    run_test(
        &dir,
        series,
        vec![
            alert_test("30m", BURN_ALERT, all),
            alert_test(
                "30m",
                EXHAUSTED_ALERT,
                vec![exhausted_alert(&file, "checkout")],
            ),
            alert_test("30m", ABSENT_ALERT, vec![]),
        ],
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn burns_below_a_tier_do_not_fire_it() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("slow");
    let spec = spec(
        "service: shop\nslos:\n  - name: slow\n    objective: 99.9%\n  - name: healthy\n    objective: 99.9%\n",
    );
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    let mut series: Vec<Value> = Vec::new();
    // 0.4% bad: burn rate 4, only the ticket tiers (3 and 1).
    series.extend(traffic("slow", "a", 1000, 4, 60));
    // 0.05% bad: burn rate 0.5, nothing.
    series.extend(traffic("healthy", "a", 2000, 1, 60));
    let mut expected = burn_alerts(&file, &spec, "slow", &[TICKET_FAST, TICKET_SLOW]);
    expected.extend(burn_alerts(&file, &spec, "healthy", &[]));
    run_test(
        &dir,
        series,
        vec![
            alert_test("30m", BURN_ALERT, expected),
            // The period's ratio is 0.4% > 0.1%: spent for `slow` only.
            alert_test("30m", EXHAUSTED_ALERT, vec![exhausted_alert(&file, "slow")]),
        ],
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn windows_and_thresholds_scale_with_the_period() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("periods");
    let spec = spec(
        "service: shop\nslos:\n  - name: weekly\n    objective: 99.5%\n    period: 7d\n  - name: four-weeks\n    objective: 0.99\n    period: 28d\n  - name: monthly\n    objective: 0.95\n    period: 30d\n",
    );
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    let yaml = file.to_yaml().unwrap();
    assert!(
        yaml.contains("record: slo:sli_error:ratio_rate1m10s"),
        "{yaml}"
    );
    assert!(yaml.contains("long_window: 14m"), "{yaml}");
    assert!(
        yaml.contains("record: slo:sli_error:ratio_rate4m40s"),
        "{yaml}"
    );
    assert!(
        yaml.contains("record: slo:sli_error:ratio_rate28d"),
        "{yaml}"
    );
    let mut series: Vec<Value> = Vec::new();
    // 7d, 99.5%: 8% bad is burn 16, every tier.
    series.extend(traffic("weekly", "a", 500, 40, 90));
    // 28d, 99%: 8% bad is burn 8, all but the 14.4 page.
    series.extend(traffic("four-weeks", "a", 500, 40, 90));
    // 30d, 95%: 8% bad is burn 1.6, only the slowest ticket.
    series.extend(traffic("monthly", "a", 500, 40, 90));
    let mut expected = burn_alerts(
        &file,
        &spec,
        "weekly",
        &[PAGE_FAST, PAGE_SLOW, TICKET_FAST, TICKET_SLOW],
    );
    expected.extend(burn_alerts(
        &file,
        &spec,
        "four-weeks",
        &[PAGE_SLOW, TICKET_FAST, TICKET_SLOW],
    ));
    expected.extend(burn_alerts(&file, &spec, "monthly", &[TICKET_SLOW]));
    run_test(&dir, series, vec![alert_test("45m", BURN_ALERT, expected)]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn errors_on_one_small_instance_are_weighted_by_its_events() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("fleet");
    let spec = spec("service: shop\nslos:\n  - name: search\n    objective: 99.9%\n");
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    // Ten healthy instances of 100 events a minute and one small one of 10
    // events a minute, 8 of them bad: the fleet's ratio is 8/1010 = 0.79%,
    // burn rate 7.9 (the 6× page, not the 14.4× one). An average of the
    // instances' ratios (0.8/11 = 7.3%, burn 73) would fire everything.
    let mut series: Vec<Value> = Vec::new();
    for i in 0..10 {
        series.extend(traffic("search", &format!("big-{i}"), 100, 0, 60));
    }
    series.extend(traffic("search", "small", 10, 8, 60));
    let expected = burn_alerts(
        &file,
        &spec,
        "search",
        &[PAGE_SLOW, TICKET_FAST, TICKET_SLOW],
    );
    run_test(&dir, series, vec![alert_test("30m", BURN_ALERT, expected)]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn min_events_holds_alerts_back_until_the_long_window_has_enough() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("min-events");
    let spec = spec(
        "service: shop\nslos:\n  - name: rare\n    objective: 99.9%\n    alerting:\n      min_events: 1000\n",
    );
    let file = write_rules(&spec, &RulesOptions::new(), &dir);
    // 20 events a minute, half bad: every window burns at 500, but the long
    // windows hold 600 events at 30m and 1,200 (≥ 1,000) from 50m on.
    let series: Vec<Value> = traffic("rare", "a", 20, 10, 90).into();
    let all = burn_alerts(
        &file,
        &spec,
        "rare",
        &[PAGE_FAST, PAGE_SLOW, TICKET_FAST, TICKET_SLOW],
    );
    run_test(
        &dir,
        series,
        vec![
            alert_test("30m", BURN_ALERT, vec![]),
            alert_test("70m", BURN_ALERT, all),
        ],
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_slo_nobody_reports_raises_the_absent_alert_after_ten_minutes() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("absent");
    let spec = spec(
        "service: shop\nslos:\n  - name: reported\n    objective: 99.9%\n  - name: forgotten\n    objective: 99.9%\n",
    );
    let file = write_rules(
        &spec,
        &RulesOptions::new().selector(Matchers::new().and_equal("job", "shop").unwrap()),
        &dir,
    );
    let series: Vec<Value> = traffic("reported", "a", 100, 0, 30).into();
    let absent = json!({
        "exp_labels": {
            "slo": "forgotten", "job": "shop", "severity": "ticket", "sloth_severity": "ticket",
            "sloth_id": "shop-forgotten", "sloth_service": "shop", "sloth_slo": "forgotten",
        },
        "exp_annotations": annotations(&file, ABSENT_ALERT, &[("slo", "forgotten")]),
    });
    run_test(
        &dir,
        series,
        vec![
            alert_test("5m", ABSENT_ALERT, vec![]),
            alert_test("15m", ABSENT_ALERT, vec![absent]),
        ],
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn selectors_keep_other_jobs_out() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("selector");
    let spec = spec("service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n");
    let file = write_rules(
        &spec,
        &RulesOptions::new().selector(Matchers::new().and_equal("job", "shop").unwrap()),
        &dir,
    );
    // The shop is healthy; another job's SLO of the same name is on fire.
    let mut series: Vec<Value> = traffic("checkout", "a", 1000, 0, 60).into();
    series.push(json!({
        "series": r#"slo_events_total{slo="checkout", outcome="bad", instance="b", job="other"}"#,
        "values": "0+500x60",
    }));
    run_test(&dir, series, vec![alert_test("30m", BURN_ALERT, vec![])]);
    let _ = file;
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn hostile_text_is_escaped_for_yaml_promql_and_templates() {
    if !have_promtool() {
        return;
    }
    let dir = workdir("escaping");
    let description =
        "Checkouts \"succeed\" — 99.9% ✓\nsecond line: {{ $value }} {{ range }} 'quoted' \\ back";
    let spec = Spec::builder("shop")
        .slo(
            slo_core::SloDefinition::builder("checkout")
                .objective(0.999)
                .description(description),
        )
        .build()
        .unwrap();
    let options = RulesOptions::new().selector(
        Matchers::new()
            .and_equal("job", "we\"ird\\ job\nname ✓")
            .unwrap(),
    );
    let file = write_rules(&spec, &options, &dir);
    let yaml = file.to_yaml().unwrap();
    assert!(
        yaml.contains(r#"job="we\"ird\\ job\nname ✓""#),
        "the selector value is not escaped as PromQL: {yaml}"
    );
    // The description renders literally, braces and all.
    let labels = [
        ("slo", "checkout"),
        ("severity", "page"),
        ("long_window", "1h"),
    ];
    let rendered = annotations(&file, BURN_ALERT, &labels);
    assert!(
        rendered["description"]
            .as_str()
            .unwrap()
            .starts_with(description),
        "{rendered}"
    );
    let series = vec![
        json!({
            "series": "slo_events_total{slo=\"checkout\", outcome=\"good\", job=\"we\\\"ird\\\\ job\\nname ✓\"}",
            "values": "0+980x60",
        }),
        json!({
            "series": "slo_events_total{slo=\"checkout\", outcome=\"bad\", job=\"we\\\"ird\\\\ job\\nname ✓\"}",
            "values": "0+20x60",
        }),
    ];
    let all = burn_alerts(
        &file,
        &spec,
        "checkout",
        &[PAGE_FAST, PAGE_SLOW, TICKET_FAST, TICKET_SLOW],
    );
    run_test(&dir, series, vec![alert_test("30m", BURN_ALERT, all)]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn short_periods_warn_about_the_scrape_interval_they_need() {
    let spec = spec(
        "service: shop\nslos:\n  - name: daily\n    objective: 0.99\n    period: 1d\n  - name: weekly\n    objective: 0.99\n    period: 7d\n",
    );
    let warnings = slo_fleet::rules::warnings(&spec);
    // 1d: the 5m window scales to 10s; 7d's 1m10s needs no warning.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("daily: its shortest alert window is 10s"),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("every 2s500ms"), "{warnings:?}");
}
