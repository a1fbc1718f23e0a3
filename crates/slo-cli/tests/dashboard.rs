//! `slo dashboard` as users run it: the JSON checked against Grafana's own
//! dashboard and panel types (`@grafana/schema` from the npm registry,
//! compiled with `tsc --strict`), and every SLO on its own period-scaled
//! windows. That every query runs against a real Prometheus evaluating the
//! rules over the demo is in `examples/shop-demo/tests/dashboard.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const SPEC: &str = r#"service: shop
slos:
  - name: checkout-availability
    objective: 99.9%
    alerting: {min_events: 20}
  - name: week-latency
    objective: 99%
    period: 7d
    sli: {latency: {threshold: 250ms}}
  - name: four-weeks
    objective: 99.5%
    period: 28d
"#;

fn scratch(name: &str) -> PathBuf {
    static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "slo-dashboard-{name}-{}-{}",
        std::process::id(),
        MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn dashboard(spec: &str, extra: &[&str]) -> Value {
    let dir = scratch("spec");
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_slo"))
        .arg("dashboard")
        .arg(&path)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The panels of each SLO's row, by the row's title.
fn rows(dashboard: &Value) -> Vec<(String, Vec<Value>)> {
    let mut rows: Vec<(String, Vec<Value>)> = Vec::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        if panel["type"] == "row" {
            rows.push((panel["title"].as_str().unwrap().to_owned(), Vec::new()));
        } else {
            rows.last_mut().unwrap().1.push(panel.clone());
        }
    }
    rows
}

fn exprs(panels: &[Value]) -> Vec<String> {
    panels
        .iter()
        .flat_map(|p| p["targets"].as_array().unwrap().clone())
        .map(|t| t["expr"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_slo_is_drawn_on_its_own_scaled_windows() {
    let json = dashboard(SPEC, &["--selector", "job=shop"]);
    let rows = rows(&json);
    assert_eq!(
        rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        [
            "checkout-availability: 99.9% over 30d",
            "week-latency: 99% over 7d",
            "four-weeks: 99.5% over 28d",
        ]
    );
    // The windows of each period, as the rules record them.
    let windows = [
        ("30d", vec!["5m", "30m", "1h", "2h", "6h", "1d", "3d"]),
        (
            "7d",
            vec!["1m10s", "7m", "14m", "28m", "1h24m", "5h36m", "16h48m"],
        ),
        (
            "28d",
            vec![
                "4m40s", "28m", "56m", "1h52m", "5h36m", "22h24m", "2d19h12m",
            ],
        ),
    ];
    for ((title, panels), (period, windows)) in rows.iter().zip(&windows) {
        let titles: Vec<&str> = panels
            .iter()
            .map(|p| p["title"].as_str().unwrap())
            .collect();
        assert!(
            titles.contains(&format!("SLI over {period}").as_str()),
            "{title}: {titles:?}"
        );
        assert!(
            titles.contains(&format!("Error budget left ({period})").as_str()),
            "{titles:?}"
        );
        let timeline = panels
            .iter()
            .find(|p| p["title"].as_str().unwrap().starts_with("Burn rate over"))
            .unwrap();
        assert_eq!(
            timeline["title"],
            format!(
                "Burn rate over the {period} windows ({})",
                windows.join(", ")
            )
        );
        let legends: Vec<&str> = timeline["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["legendFormat"].as_str().unwrap())
            .collect();
        assert_eq!(&legends, windows, "{title}");
        let all = exprs(panels).join("\n");
        for window in windows.iter().chain([period]) {
            assert!(
                all.contains(&format!("ratio_rate{window}")),
                "{title} lacks {window}: {all}"
            );
        }
        if *period != "30d" {
            assert!(
                !all.contains("30d") && !all.contains("ratio_rate1h{"),
                "{title} reads 30d windows: {all}"
            );
            assert!(!titles.iter().any(|t| t.contains("30d")), "{titles:?}");
        }
        // The raw counters under the rules' selector.
        assert!(all.contains("job=\"shop\""), "{all}");
        assert!(all.contains("ALERTS{"));
    }
    // Every panel has a unique id and stays inside the 24-column grid.
    let mut ids: Vec<u64> = json["panels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    for panel in json["panels"].as_array().unwrap() {
        let grid = &panel["gridPos"];
        assert!(grid["x"].as_u64().unwrap() + grid["w"].as_u64().unwrap() <= 24);
    }
    let count = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), count);
    assert_eq!(json["templating"]["list"][0]["type"], "datasource");
    assert_eq!(json["templating"]["list"][1]["name"], "service");
    assert_eq!(json["templating"]["list"][1]["current"]["value"], "shop");
}

#[test]
fn a_calendar_month_says_its_panels_read_a_rolling_period_and_names_the_report() {
    let board = dashboard(
        "service: shop\ntimezone: Europe/Berlin\nslos:\n  - name: checkout\n    objective: 99.9%\n    period: calendar month\n  - name: search\n    objective: 99%\n",
        &[],
    );
    let rows = rows(&board);
    let titles: Vec<&str> = rows.iter().map(|(title, _)| title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "checkout: 99.9% over the calendar month in Europe/Berlin (panels: a rolling 30d)",
            "search: 99% over 30d"
        ]
    );
    let budget = |panels: &[Value]| -> String {
        panels
            .iter()
            .find(|p| {
                p["title"]
                    .as_str()
                    .unwrap()
                    .starts_with("Error budget left")
            })
            .unwrap()["description"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let checkout = budget(&rows[0].1);
    assert!(
        checkout.contains("calendar month in Europe/Berlin"),
        "{checkout}"
    );
    assert!(checkout.contains("`slo report`"), "{checkout}");
    assert!(!budget(&rows[1].1).contains("calendar"));
}

#[test]
fn bad_selectors_and_specs_are_refused() {
    let dir = scratch("bad");
    let path = dir.join("spec.yaml");
    std::fs::write(&path, SPEC).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_slo"))
        .args(["dashboard"])
        .arg(&path)
        .args(["--selector", "slo=x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is set by the query itself"));
    std::fs::write(&path, "service: shop\nslos: []\nextra: 1\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_slo"))
        .args(["dashboard"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("spec.yaml:"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The panel types written, and the `@grafana/schema` modules with their
/// options and field-config types.
const PANEL_TYPES: [(&str, &str, &str, Option<&str>); 4] = [
    (
        "stat",
        "stat/panelcfg/x/StatPanelCfg_types.gen",
        "StatOptions",
        None,
    ),
    (
        "timeseries",
        "timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen",
        "TimeSeriesOptions",
        Some("TimeSeriesFieldConfig"),
    ),
    (
        "table",
        "table/panelcfg/x/TablePanelCfg_types.gen",
        "TableOptions",
        Some("TableFieldConfig"),
    ),
    (
        "state-timeline",
        "statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen",
        "StateTimelineOptions",
        Some("StateTimelineFieldConfig"),
    ),
];

/// TypeScript that compiles only when the dashboard, each panel's options
/// and each panel's custom field config have the schema's shapes: object
/// literals get TypeScript's excess-property checks, so an unknown or
/// misspelt key fails as a wrong type does. `Json<T>` reads the schema's
/// enums as the strings and numbers JSON holds.
fn typescript(dashboard: &Value) -> String {
    let mut ts = String::from("import type { Dashboard } from '@grafana/schema';\n");
    for (_, module, options, field_config) in PANEL_TYPES {
        let _ = write!(ts, "import type {{ Options as {options}");
        if let Some(field_config) = field_config {
            let _ = write!(ts, ", FieldConfig as {field_config}");
        }
        let _ = writeln!(
            ts,
            " }} from '@grafana/schema/dist/esm/raw/composable/{module}';"
        );
    }
    ts.push_str(
        "type Json<T> = T extends string ? `${T}` : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;\n",
    );
    let _ = writeln!(ts, "export const dashboard: Json<Dashboard> = {dashboard};");
    for panel in dashboard["panels"].as_array().into_iter().flatten() {
        let kind = panel["type"].as_str().unwrap();
        if kind == "row" {
            continue;
        }
        let (_, _, options, field_config) = PANEL_TYPES
            .iter()
            .find(|(name, ..)| *name == kind)
            .unwrap_or_else(|| panic!("no schema type for panel type {kind}"));
        let id = panel["id"].as_u64().unwrap();
        let _ = writeln!(
            ts,
            "export const options{id}: Json<{options}> = {};",
            panel["options"]
        );
        if let Some(field_config) = field_config {
            let custom = &panel["fieldConfig"]["defaults"]["custom"];
            if !custom.is_null() {
                let _ = writeln!(
                    ts,
                    "export const custom{id}: Json<Partial<{field_config}>> = {custom};"
                );
            }
        }
    }
    ts
}

fn tsc(project: &Path) -> Option<PathBuf> {
    let tsc = project.join("node_modules/.bin/tsc");
    let found = tsc.exists().then_some(tsc);
    slo_test_support::require_found(
        "@grafana/schema and tsc",
        found,
        "npm ci --prefix crates/slo-cli/tests/grafana",
    )
}

fn compile(tsc: &Path, project: &Path, source: &str) -> std::process::Output {
    let dir = scratch("tsc");
    std::os::unix::fs::symlink(project.join("node_modules"), dir.join("node_modules")).unwrap();
    std::fs::write(dir.join("check.ts"), source).unwrap();
    let out = Command::new(tsc)
        .current_dir(&dir)
        .args([
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "nodenext",
            "--moduleResolution",
            "nodenext",
            "--skipLibCheck",
            "check.ts",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn the_dashboard_has_grafanas_schema() {
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/grafana");
    let Some(tsc) = tsc(&project) else { return };
    let json = dashboard(SPEC, &["--selector", "job=shop"]);
    assert_eq!(json["schemaVersion"], 42);
    let out = compile(&tsc, &project, &typescript(&json));
    assert!(
        out.status.success(),
        "the dashboard does not have Grafana's schema:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A journey's row too.
    let spec = format!(
        "{SPEC}journeys:\n  - {{name: purchase, objective: 99%, steps: [checkout-availability]}}\n"
    );
    let with_journey = dashboard(&spec, &["--selector", "job=shop"]);
    assert!(
        with_journey
            .to_string()
            .contains("slo:journey_error:ratio_rate30d"),
        "{with_journey}"
    );
    let out = compile(&tsc, &project, &typescript(&with_journey));
    assert!(
        out.status.success(),
        "the journey's row does not have Grafana's schema:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The check fails on what the schema refuses: an unknown key, a wrong
    // type, an option a panel does not have.
    for broken in [
        r#"{"title": "x", "schemaVersion": 42, "refresh": 60}"#,
        r#"{"title": "x", "schemaVersion": 42, "colour": "red"}"#,
        r#"{"title": "x", "schemaVersion": 42, "templating": {"list": [{"name": "a", "type": "nonsense"}]}}"#,
    ] {
        let broken: Value = serde_json::from_str(broken).unwrap();
        let out = compile(&tsc, &project, &typescript(&broken));
        assert!(!out.status.success(), "accepted {broken}");
    }
    let mut wrong = json.clone();
    wrong["panels"][1]["options"]["colorMode"] = "rainbow".into();
    let out = compile(&tsc, &project, &typescript(&wrong));
    assert!(
        !out.status.success(),
        "accepted a stat colorMode of rainbow"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("rainbow"));
}
