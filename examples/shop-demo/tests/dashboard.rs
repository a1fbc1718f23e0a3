//! The dashboard of `slo dashboard` and Sloth's published dashboards over a
//! real Prometheus (Debian's 2.42) that scrapes the demo and evaluates the
//! generated rules: every query, with the dashboard's variables
//! substituted, parses and returns data for every SLO (the alerts for the
//! SLOs whose alerts fire), and Sloth's alert panels see the alerts.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::{Duration, Instant};

use common::{encode, get, have, listening};
use serde_json::Value;
use slo::Spec;
use slo::fleet::dashboard::{DashboardOptions, dashboard};
use slo::fleet::matchers::Matchers;
use slo::fleet::rules::rules;

const SLOS: [&str; 4] = [
    "checkout-availability",
    "cart-availability",
    "search-latency",
    "search-quality",
];

/// An instant query's status and result.
fn ask(prometheus: &str, promql: &str) -> (String, Vec<Value>) {
    let body = get(
        prometheus,
        &format!("/api/v1/query?query={}", encode(promql)),
    );
    let json: Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{promql}: {e}: {body}"));
    let status = json["status"].as_str().unwrap_or("").to_owned();
    let result = json["data"]["result"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if status != "success" {
        eprintln!("{promql}: {body}");
    }
    (status, result)
}

/// Grafana's substitutions for the dashboard's variables.
fn substitute(expr: &str, service: &str) -> String {
    expr.replace("${service}", service)
        .replace("$service", service)
        .replace("$__rate_interval", "15s")
        .replace("$__interval", "5s")
}

#[test]
fn every_dashboard_query_returns_data_from_prometheus_over_the_demo() {
    if !have("prometheus") {
        return;
    }
    // Every route failing 10%: every SLO burns past a paging tier.
    let demo = common::demo(&[
        "--rate",
        "400",
        "--error-rate",
        "0.1",
        "--incident-after",
        "1h",
        "--report-every",
        "1h",
    ]);
    let demo_addr = listening(&demo);
    let spec = Spec::from_yaml(&std::fs::read_to_string(common::pinned_spec()).unwrap()).unwrap();
    let yaml = rules(&spec, &common::job_shop()).to_yaml().unwrap();
    let dir = std::env::temp_dir().join(format!("slo-dashboard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("rules.yml"), yaml).unwrap();
    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\nscrape_configs:\n  - job_name: shop\n    static_configs:\n      - targets: ['{demo_addr}']\n"
        ),
    )
    .unwrap();
    let (_prometheus, addr) = common::prometheus(&dir.join("prometheus.yml"), &dir);
    common::wait_until_ready(&addr, "/-/ready", "Prometheus");
    // Until every SLO's page alert fires (its windows hold events).
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let (_, firing) = ask(
            &addr,
            r#"count by (slo) (ALERTS{alertname="SLOErrorBudgetBurn", alertstate="firing", severity="page"})"#,
        );
        if firing.len() == SLOS.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the page alerts never fired: {firing:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }

    let selector = Matchers::parse(r#"job="shop""#).unwrap();
    let ours = dashboard(&spec, &DashboardOptions::new().selector(selector.clone()));
    let queries = ours.queries();
    assert!(queries.len() >= 3 * 8, "{queries:?}");
    // The recordings of other groups (the period's budget) can trail the
    // alerts by an evaluation or two: each query is asked until it answers.
    let deadline = Instant::now() + Duration::from_secs(30);
    for (title, expr) in &queries {
        let promql = substitute(expr, "shop");
        loop {
            let (status, result) = ask(&addr, &promql);
            assert_eq!(status, "success", "{title}: {promql}");
            if !result.is_empty() {
                break;
            }
            assert!(Instant::now() < deadline, "{title}: no data for {promql}");
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    // The burn-rate table: one row per alert window of each SLO.
    for (title, expr) in queries
        .iter()
        .filter(|(t, _)| t.starts_with("Burn rates now"))
    {
        let (_, rows) = ask(&addr, &substitute(expr, "shop"));
        assert_eq!(rows.len(), 7, "{title}: {rows:?}");
    }
    // Another service's view is empty, not an error.
    for (title, expr) in &queries {
        let (status, _) = ask(&addr, &substitute(expr, "other"));
        assert_eq!(status, "success", "{title}");
    }
    // Dashboards of 7d and 28d SLOs parse too (Prometheus holds no data for
    // their windows).
    let scaled = Spec::from_yaml(
        "service: shop\nslos:\n  - name: a\n    objective: 99%\n    period: 7d\n  - name: b\n    objective: 99.5%\n    period: 28d\n",
    )
    .unwrap();
    for (title, expr) in dashboard(&scaled, &DashboardOptions::new().selector(selector)).queries() {
        let (status, _) = ask(&addr, &substitute(&expr, "shop"));
        assert_eq!(status, "success", "{title}: {expr}");
    }

    // What Sloth's published dashboards (grafana.com 14348 and 14643) read,
    // by series and label: each SLO's objective, SLIs, burn rates and
    // budget by `sloth_service` and `sloth_slo`, the service and SLO
    // variables, and the alert panels' ALERTS by `sloth_severity`.
    let (_, services) = ask(&addr, "group by (sloth_service) (slo:objective:ratio)");
    assert_eq!(services.len(), 1);
    assert_eq!(services[0]["metric"]["sloth_service"], "shop");
    for slo in SLOS {
        let labels = format!("sloth_service=\"shop\", sloth_slo=\"{slo}\"");
        for promql in [
            format!("slo:objective:ratio{{{labels}}}"),
            format!("slo:current_burn_rate:ratio{{{labels}}}"),
            format!("slo:period_error_budget_remaining:ratio{{{labels}}}"),
            format!("slo:error_budget:ratio{{{labels}}}"),
            format!("slo:sli_error:ratio_rate5m{{{labels}}}"),
            format!("slo:sli_error:ratio_rate1h{{{labels}}}"),
            format!("slo:sli_error:ratio_rate30d{{{labels}}}"),
            format!("sloth_slo_info{{{labels}}}"),
        ] {
            let (status, result) = ask(&addr, &promql);
            assert_eq!(status, "success");
            assert_eq!(result.len(), 1, "{promql}: {result:?}");
        }
        // The alert panels: 1 while a page fires (before the rules carried
        // `sloth_severity`, these read 0 whatever fired).
        let (_, page) = ask(
            &addr,
            &format!("max(ALERTS{{{labels}, sloth_severity=\"page\"}}) or on() vector(0)"),
        );
        assert_eq!(
            page[0]["value"][1], "1",
            "{slo}: Sloth's page panel reads {page:?}"
        );
    }
    drop(demo);
    let _ = std::fs::remove_dir_all(&dir);
}
