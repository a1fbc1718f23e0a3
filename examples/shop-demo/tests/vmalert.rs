//! A second PromQL engine: the rules `slo rules` generates, loaded by
//! VictoriaMetrics' `vmalert` (Debian's `victoria-metrics`) over a
//! VictoriaMetrics that scrapes the demo, record the same error ratios and
//! fire the same alerts as a real Prometheus evaluating them over the same
//! demo; vmalert's alerts reach a real Alertmanager with the same labels.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Peer, encode, free_port, get, have, listening, wait_until_ready};
use serde_json::Value;
use slo::Spec;
use slo::fleet::rules::rules;
use slo_test_support::{Alertmanager, Webhook};

/// Two SLOs with a 1d period (windows of seconds and minutes: 10s, 1m,
/// 2m, 4m, 12m, 48m, 2h24m).
fn spec_text() -> String {
    common::shop_spec(&[common::CHECKOUT_1D, common::CART_1D])
}

/// The demo's share of failing requests (spread evenly): checkout burns
/// 40 times too fast (every tier fires), cart 8 times (all but the
/// fastest page's 14.4).
const ERROR_RATE: f64 = 0.04;

/// An instant query's series: their labels and value.
fn series(api: &str, promql: &str) -> Vec<(BTreeMap<String, String>, f64)> {
    let body = get(api, &format!("/api/v1/query?query={}", encode(promql)));
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "success", "{body}");
    json["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let labels = r["metric"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                .collect();
            (labels, r["value"][1].as_str().unwrap().parse().unwrap())
        })
        .collect()
}

/// The firing alerts an engine holds: every label but the engine's own
/// (vmalert adds `alertgroup`, the rule group's name).
fn firing(api: &str) -> BTreeSet<BTreeMap<String, String>> {
    series(api, r#"ALERTS{alertstate="firing"}"#)
        .into_iter()
        .map(|(mut labels, _)| {
            for own in ["__name__", "alertstate", "alertgroup"] {
                labels.remove(own);
            }
            labels
        })
        .collect()
}

/// The recorded error ratio over `window` per SLO.
fn ratios(api: &str, window: &str) -> BTreeMap<String, f64> {
    series(api, &format!("slo:sli_error:ratio_rate{window}"))
        .into_iter()
        .map(|(labels, value)| (labels["sloth_slo"].clone(), value))
        .collect()
}

#[test]
fn vmalert_evaluates_the_generated_rules_as_prometheus_does() {
    if !have("prometheus")
        || !slo_test_support::require(
            "vmalert and VictoriaMetrics",
            slo_test_support::find_program(&["vmalert"]).is_some()
                && slo_test_support::find_program(&["victoria-metrics"]).is_some(),
            "apt-get install victoria-metrics",
        )
    {
        return;
    }
    let webhook = Webhook::start();
    let Some(am) = Alertmanager::start(&webhook.url) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("slo-vmalert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec_path = dir.join("spec.yaml");
    std::fs::write(&spec_path, spec_text()).unwrap();
    let demo = common::demo(&[
        "--spec",
        spec_path.to_str().unwrap(),
        "--error-rate",
        &ERROR_RATE.to_string(),
        "--rate",
        "200",
        "--incident-after",
        "1h",
        "--report-every",
        "1h",
    ]);
    let target = listening(&demo);
    let spec = Spec::from_yaml(&spec_text()).unwrap();
    let rules_path = dir.join("rules.yaml");
    let options = common::job_shop();
    std::fs::write(&rules_path, rules(&spec, &options).to_yaml().unwrap()).unwrap();
    let scrape = format!(
        "scrape_configs:\n  - job_name: shop\n    scrape_interval: 1s\n    static_configs:\n      - targets: ['{target}']\n"
    );

    // VictoriaMetrics scrapes the demo; vmalert evaluates the rules over
    // it, writes what it records (and its ALERTS) back to it, and alerts
    // to the Alertmanager.
    std::fs::write(dir.join("scrape.yml"), &scrape).unwrap();
    let vm = format!("127.0.0.1:{}", free_port());
    let mut command = Command::new("victoria-metrics");
    command
        .arg(format!("-storageDataPath={}", dir.join("vm").display()))
        .arg(format!("-httpListenAddr={vm}"))
        .arg(format!(
            "-promscrape.config={}",
            dir.join("scrape.yml").display()
        ))
        .arg("-search.latencyOffset=0s")
        .arg("-search.disableCache")
        .arg("-loggerLevel=ERROR")
        .stderr(Stdio::null());
    let _vm = Peer::spawn(command);
    wait_until_ready(&vm, "/health", "VictoriaMetrics");
    let vmalert_addr = format!("127.0.0.1:{}", free_port());
    let mut command = Command::new("vmalert");
    command
        .arg(format!("-rule={}", rules_path.display()))
        .arg(format!("-datasource.url=http://{vm}"))
        .arg(format!("-remoteWrite.url=http://{vm}"))
        .arg("-remoteWrite.flushInterval=1s")
        .arg(format!("-notifier.url={}", am.url))
        .arg("-evaluationInterval=1s")
        .arg(format!("-httpListenAddr={vmalert_addr}"))
        .arg("-loggerLevel=ERROR")
        .stderr(Stdio::null());
    let _vmalert = Peer::spawn(command);

    // Prometheus on the same rules and the same demo.
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  evaluation_interval: 1s\n{scrape}rule_files: ['{}']\n",
            rules_path.display()
        ),
    )
    .unwrap();
    let (_prometheus, prometheus) = common::prometheus(&config, &dir);
    wait_until_ready(&prometheus, "/-/ready", "Prometheus");

    // Both engines fire the same alerts, with the same labels.
    let expected_burns: BTreeSet<(&str, &str)> = [
        ("checkout-availability", "2m"),
        ("checkout-availability", "12m"),
        ("checkout-availability", "48m"),
        ("checkout-availability", "2h24m"),
        ("cart-availability", "12m"),
        ("cart-availability", "48m"),
        ("cart-availability", "2h24m"),
    ]
    .into();
    let deadline = Instant::now() + Duration::from_secs(120);
    let (from_vm, from_prometheus) = loop {
        let burns = |alerts: &BTreeSet<BTreeMap<String, String>>| -> BTreeSet<(String, String)> {
            alerts
                .iter()
                .filter(|a| a["alertname"] == "SLOErrorBudgetBurn")
                .map(|a| (a["slo"].clone(), a["long_window"].clone()))
                .collect()
        };
        let expected: BTreeSet<(String, String)> = expected_burns
            .iter()
            .map(|(s, w)| (s.to_string(), w.to_string()))
            .collect();
        let (v, p) = (firing(&vm), firing(&prometheus));
        if burns(&v) == expected && burns(&p) == expected && v == p {
            break (v, p);
        }
        assert!(
            Instant::now() < deadline,
            "the engines disagree or miss a tier:\nvmalert {v:#?}\nPrometheus {p:#?}"
        );
        std::thread::sleep(Duration::from_secs(1));
    };
    assert_eq!(from_vm, from_prometheus);
    let page = from_vm
        .iter()
        .find(|a| a["slo"] == "checkout-availability" && a["long_window"] == "2m")
        .unwrap();
    assert_eq!(page["sloth_severity"], "page");
    assert_eq!(page["sloth_id"], "shop-checkout-availability");

    // The recorded error ratios agree with each other and with the
    // demo's fault rate (spread evenly, so every window holds it).
    for window in ["1m", "4m", "12m"] {
        let (v, p) = (ratios(&vm, window), ratios(&prometheus, window));
        for slo in ["checkout-availability", "cart-availability"] {
            let (v, p) = (v[slo], p[slo]);
            assert!(
                (v - ERROR_RATE).abs() <= ERROR_RATE * 0.15
                    && (p - ERROR_RATE).abs() <= ERROR_RATE * 0.15
                    && (v - p).abs() <= ERROR_RATE * 0.1,
                "{slo} over {window}: vmalert {v}, Prometheus {p}"
            );
        }
    }

    // vmalert's page reaches the Alertmanager with the same labels.
    // Alertmanager flushes a group whose group_wait has passed as soon as
    // an alert arrives, so a first notification may hold only the tiers
    // vmalert sent first: the one that counts holds the 2m page.
    let windows = |n: &serde_json::Value| -> BTreeSet<String> {
        n["alerts"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| a["labels"]["long_window"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let notification = webhook.wait_for(Duration::from_secs(30), |n| {
        n["groupLabels"]["slo"] == "checkout-availability"
            && n["groupLabels"]["alertname"] == "SLOErrorBudgetBurn"
            && windows(n).contains("2m")
    });
    assert!(
        notification.is_some(),
        "vmalert's 2m page never reached the Alertmanager; received: {:?}",
        webhook.received()
    );
    drop(demo);
    let _ = std::fs::remove_dir_all(&dir);
}
