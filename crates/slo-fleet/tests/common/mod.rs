//! What the promtool tests share: a work folder, the rules written and
//! checked, input counters, expected alerts, and `promtool test rules`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use slo_core::Spec;
use slo_fleet::rules::{BURN_ALERT, EXHAUSTED_ALERT, Rule, RuleFile, RulesOptions, rules};

#[track_caller]
pub fn have_promtool() -> bool {
    slo_test_support::require(
        "promtool",
        slo_test_support::runs("promtool", &["--version"]),
        "apt-get install prometheus",
    )
}

pub fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("slo-rules-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn promtool(args: &[&str], dir: &Path) -> String {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {args:?}:\n{report}");
    report
}

/// Writes the spec's rules as `rules.yaml` in `dir` and checks them.
pub fn write_rules(spec: &Spec, options: &RulesOptions, dir: &Path) -> RuleFile {
    let file = rules(spec, options);
    std::fs::write(dir.join("rules.yaml"), file.to_yaml().unwrap()).unwrap();
    let report = promtool(&["check", "rules", "rules.yaml"], dir);
    assert!(report.contains("SUCCESS"), "{report}");
    file
}

/// The annotations of the alert rule `alert` of `slo` whose labels include
/// `labels`, as Prometheus renders them (the templates hold no actions but
/// escaped `{{`).
pub fn annotations(file: &RuleFile, alert: &str, labels: &[(&str, &str)]) -> Value {
    for group in &file.groups {
        for rule in &group.rules {
            let Rule::Alert(rule) = rule else { continue };
            if rule.alert == alert
                && labels
                    .iter()
                    .all(|(k, v)| rule.labels.get(*k).map(String::as_str) == Some(*v))
            {
                return rule
                    .annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v.replace("{{ \"{{\" }}", "{{"))))
                    .collect();
            }
        }
    }
    panic!("no {alert} rule with {labels:?}");
}

/// One input counter: `slo_events_total` of `slo` on `instance`, growing by
/// `per_minute` for `minutes`.
pub fn counter(slo: &str, instance: &str, outcome: &str, per_minute: u64, minutes: u64) -> Value {
    json!({
        "series": format!(
            r#"slo_events_total{{slo="{slo}", outcome="{outcome}", instance="{instance}", job="shop"}}"#
        ),
        "values": format!("0+{per_minute}x{minutes}"),
    })
}

/// Traffic of one instance: `total` events a minute of which `bad` are bad.
pub fn traffic(slo: &str, instance: &str, total: u64, bad: u64, minutes: u64) -> [Value; 2] {
    [
        counter(slo, instance, "good", total - bad, minutes),
        counter(slo, instance, "bad", bad, minutes),
    ]
}

/// The expected burn alerts of `slo` (service `shop`) for the tiers named
/// by their place among the SLO's tiers.
pub fn burn_alerts(file: &RuleFile, spec: &Spec, slo: &str, tiers: &[usize]) -> Vec<Value> {
    let definition = spec.slos().iter().find(|s| s.name() == slo).unwrap();
    tiers
        .iter()
        .map(|&i| {
            let tier = &definition.windows().tiers()[i];
            let long = tier.long.label.as_str();
            let short = tier.short.label.as_str();
            let labels = [
                ("slo", slo),
                ("severity", tier.severity.as_str()),
                ("long_window", long),
                ("short_window", short),
            ];
            let mut exp_labels: serde_json::Map<String, Value> = labels
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            exp_labels.insert("sloth_severity".into(), json!(tier.severity.as_str()));
            exp_labels.insert("sloth_id".into(), json!(format!("shop-{slo}")));
            exp_labels.insert("sloth_service".into(), json!("shop"));
            exp_labels.insert("sloth_slo".into(), json!(slo));
            json!({
                "exp_labels": exp_labels,
                "exp_annotations": annotations(file, BURN_ALERT, &labels),
            })
        })
        .collect()
}

pub fn exhausted_alert(file: &RuleFile, slo: &str) -> Value {
    json!({
        "exp_labels": {
            "slo": slo, "severity": "ticket", "sloth_severity": "ticket",
            "sloth_id": format!("shop-{slo}"), "sloth_service": "shop", "sloth_slo": slo,
        },
        "exp_annotations": annotations(file, EXHAUSTED_ALERT, &[("slo", slo)]),
    })
}

pub fn alert_test(eval_time: &str, alertname: &str, exp_alerts: Vec<Value>) -> Value {
    json!({"eval_time": eval_time, "alertname": alertname, "exp_alerts": exp_alerts})
}

/// Runs `promtool test rules` on one test with these series and checks.
pub fn run_test(dir: &Path, series: Vec<Value>, checks: Vec<Value>) {
    let test = json!({
        "rule_files": ["rules.yaml"],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": series,
            "alert_rule_test": checks,
        }],
    });
    std::fs::write(
        dir.join("test.yaml"),
        serde_saphyr::to_string(&test).unwrap(),
    )
    .unwrap();
    let report = promtool(&["test", "rules", "test.yaml"], dir);
    assert!(report.contains("SUCCESS"), "{report}");
}

pub fn spec(yaml: &str) -> Spec {
    Spec::from_yaml(yaml).unwrap()
}
