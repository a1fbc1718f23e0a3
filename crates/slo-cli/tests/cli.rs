//! The `slo` command as users run it: a real process, real files.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SPEC: &str = r#"service: shop
slos:
  - name: checkout-availability
    objective: 99.9%
    sli: availability
    match:
      routes: ["POST /checkout"]
    alerting:
      min_events: 5
  - name: cart-availability
    objective: 0.995
    match:
      routes: ["/cart/{id}"]
  - name: search-latency
    objective: 0.99
    sli: {latency: {threshold: 250ms}}
    match:
      routes: ["GET /search"]
"#;

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("slo-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn slo(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slo"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The JSON Lines a successful replay printed.
fn json_lines(out: &Output) -> Vec<Value> {
    assert!(out.status.success(), "{}", text(out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn validate_accepts_a_good_spec() {
    let dir = Dir::new("good");
    let spec = dir.file("spec.yaml", SPEC);
    let out = slo(&[Path::new("validate"), &spec]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("3 SLOs"));
}

#[test]
fn validate_refuses_every_malformed_spec_with_positions() {
    let dir = Dir::new("bad");
    let cases: &[(&str, &str, &str, u64)] = &[
        ("broken yaml", "objective: 99.9%", "objective: [99.9%", 5),
        (
            "unknown field",
            "    sli: availability\n",
            "    sli: availability\n    team: me\n",
            6,
        ),
        ("objective 0", "objective: 0.995", "objective: 0", 11),
        ("objective 1", "objective: 0.995", "objective: 1", 11),
        ("objective 1.5", "objective: 0.995", "objective: 1.5", 11),
        (
            "objective abc",
            "objective: 0.995",
            "objective: \"abc\"",
            11,
        ),
        (
            "duration 5 days",
            "    objective: 0.99\n",
            "    objective: 0.99\n    period: 5 days\n",
            16,
        ),
        (
            "negative threshold",
            "threshold: 250ms",
            "threshold: -250ms",
            16,
        ),
        (
            "duplicate name",
            "name: cart-availability",
            "name: checkout-availability",
            10,
        ),
        (
            "ill-formed name",
            "name: cart-availability",
            "name: cart availability",
            10,
        ),
        (
            "unknown sli kind",
            "sli: availability",
            "sli: durability",
            5,
        ),
        (
            "period shorter than alert windows",
            "    objective: 0.99\n",
            "    objective: 0.99\n    period: 2h\n",
            16,
        ),
        ("bad route", "[\"/cart/{id}\"]", "[\"cart\"]", 13),
    ];
    for (what, from, to, line) in cases {
        assert!(SPEC.contains(from), "{what}");
        let spec = dir.file("spec.yaml", &SPEC.replacen(from, to, 1));
        let out = slo(&[Path::new("validate"), &spec]);
        let shown = text(&out);
        assert_eq!(out.status.code(), Some(1), "{what}: {shown}");
        assert!(!shown.contains("panicked"), "{what}: {shown}");
        let prefix = format!("{}:{line}:", spec.display());
        let problem = shown
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("{what}: no `{prefix}COL: message` line in {shown}"));
        let column = problem[prefix.len()..].split(':').next().unwrap();
        assert!(
            column.parse::<u64>().is_ok_and(|c| c > 0),
            "{what}: {problem}"
        );
    }
    let missing = dir.0.join("nope.yaml");
    let out = slo(&[Path::new("validate"), &missing]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("nope.yaml:1:1:"), "{}", text(&out));
}

/// A deterministic trace: ~3 hours of requests with an incident.
fn trace() -> Vec<(f64, &'static str, &'static str, u16, f64)> {
    let mut state = 0x2545F4914F6CDD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut events = Vec::new();
    let mut t = 10.0;
    while t < 3.0 * 3600.0 {
        t += (next() * 4.0).floor(); // whole seconds, often several per second
        let incident = (4000.0..5200.0).contains(&t);
        let r = next();
        let (method, route) = match r {
            r if r < 0.4 => ("POST", "/checkout"),
            r if r < 0.7 => ("GET", "/cart/42"),
            r if r < 0.95 => ("GET", "/search"),
            _ => ("GET", "/unknown"),
        };
        let fail = next() < if incident { 0.3 } else { 0.002 };
        let status = if fail {
            503
        } else if next() < 0.05 {
            404
        } else {
            200
        };
        let latency = if next() < if incident { 0.2 } else { 0.01 } {
            400.0
        } else {
            100.0
        };
        events.push((t, method, route, status, latency));
    }
    events
}

/// Counts (good, bad) in (from, to] for one SLO, classified independently.
fn reference(events: &[(f64, &str, &str, u16, f64)], slo: &str, from: f64, to: f64) -> (u64, u64) {
    let mut counts = (0, 0);
    for (t, method, route, status, latency) in events {
        if *t <= from || *t > to {
            continue;
        }
        let good = match slo {
            "checkout-availability" if *method == "POST" && *route == "/checkout" => *status < 500,
            "cart-availability" if route.starts_with("/cart/") => *status < 500,
            "search-latency" if *method == "GET" && *route == "/search" => {
                *status < 500 && *latency <= 250.0
            }
            _ => continue,
        };
        if good { counts.0 += 1 } else { counts.1 += 1 }
    }
    counts
}

/// The length of a 30d-period window, written out independently of the engine.
fn window_seconds(label: &str) -> f64 {
    match label {
        "5m" => 300.0,
        "30m" => 1800.0,
        "1h" => 3600.0,
        "2h" => 7200.0,
        "6h" => 21600.0,
        "1d" => 86400.0,
        "3d" => 259200.0,
        "30d" => 2592000.0,
        other => panic!("unexpected window {other}"),
    }
}

#[test]
fn replay_matches_an_exact_reference() {
    let dir = Dir::new("replay");
    let spec = dir.file("spec.yaml", SPEC);
    let events = trace();
    let mut jsonl = String::new();
    for (t, method, route, status, latency) in &events {
        jsonl.push_str(&format!(
            "{{\"t\": {t}, \"method\": \"{method}\", \"route\": \"{route}\", \"status\": {status}, \"latency_ms\": {latency}}}\n"
        ));
    }
    let events_path = dir.file("events.jsonl", &jsonl);
    let out = slo(&[
        Path::new("replay"),
        &spec,
        &events_path,
        Path::new("--every"),
        Path::new("60s"),
    ]);
    let lines = json_lines(&out);
    let unmatched = events.iter().filter(|e| e.2 == "/unknown").count();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "{unmatched} of {} events matched no SLO",
            events.len()
        )),
        "{}",
        text(&out)
    );
    let first = events[0].0;
    let last = events.last().unwrap().0;
    let expected_times: Vec<f64> = (1..)
        .map(|k| k as f64 * 60.0)
        .skip_while(|t| *t <= first)
        .take_while(|t| *t <= last)
        .collect();
    assert_eq!(lines.len(), expected_times.len() * 3);
    let mut pages = 0;
    for (i, line) in lines.iter().enumerate() {
        let t = line["t"].as_f64().unwrap();
        assert_eq!(t, expected_times[i / 3]);
        let name = line["name"].as_str().unwrap();
        let objective = line["objective"].as_f64().unwrap();
        let budget = ((1.0 - objective) * 1e12).round() / 1e12;
        let (good, bad) = reference(&events, name, f64::MIN, t);
        assert_eq!(line["events"]["good"], good, "{name} at {t}");
        assert_eq!(line["events"]["bad"], bad, "{name} at {t}");
        let burn_of = |window_s: f64| {
            let (g, b) = reference(&events, name, t - window_s, t);
            (g + b > 0).then(|| b as f64 / (g + b) as f64 / budget)
        };
        let mut burns = std::collections::HashMap::new();
        for (label, value) in line["burn_rates"].as_object().unwrap() {
            let window = window_seconds(label);
            let expected = burn_of(window);
            // Every window's sample spacing divides 60s or covers the whole
            // trace, except 2h (120s spacing): exact on even minutes only.
            if label != "2h" || ((t / 60.0) as u64).is_multiple_of(2) || t <= 7200.0 {
                match (value.as_f64(), expected) {
                    (Some(a), Some(b)) => assert!(
                        (a - b).abs() < 1e-9 * b.max(1.0),
                        "{name} {label} at {t}: {a} vs {b}"
                    ),
                    (None, None) => {}
                    (a, b) => panic!("{name} {label} at {t}: {a:?} vs {b:?}"),
                }
            } else if let (Some(a), Some(b)) = (value.as_f64(), expected) {
                let spacing = 120.0;
                let (eg, eb) = reference(&events, name, t - 7200.0 - spacing, t - 7200.0 + spacing);
                let edge = (eg + eb) as f64;
                let (g, bd) = reference(&events, name, t - 7200.0, t);
                let low = (bd as f64 - eb as f64).max(0.0) / ((g + bd) as f64 + edge) / budget;
                let high = (bd as f64 + eb as f64) / ((g + bd) as f64 - edge).max(1.0) / budget;
                assert!(
                    a >= low - 1e-9 && a <= high + 1e-9,
                    "{name} 2h at {t}: {a} not in [{low}, {high}] (exact {b})"
                );
            }
            burns.insert(label.clone(), expected);
        }
        // The budget spent is the period burn rate times the share of the
        // period seen (the replay starts at the first event).
        let coverage = ((t - first) / 2_592_000.0).min(1.0);
        assert!(
            (line["coverage_ratio"].as_f64().unwrap() - coverage).abs() < 1e-9,
            "{name} coverage at {t}: {} vs {coverage}",
            line["coverage_ratio"]
        );
        let remaining = line["error_budget"]["remaining_ratio"].as_f64().unwrap();
        assert!((remaining - (1.0 - burns["30d"].unwrap_or(0.0) * coverage)).abs() < 1e-9);
        let min_events = if name == "checkout-availability" {
            5
        } else {
            1
        };
        for alert in line["alerts"].as_array().unwrap() {
            let long = alert["long_window"].as_str().unwrap();
            let short = alert["short_window"].as_str().unwrap();
            if long == "1d" && !((t / 60.0) as u64).is_multiple_of(2) && t > 7200.0 {
                continue; // its short window is the interpolated 2h one
            }
            let threshold = alert["burn_rate_threshold"].as_f64().unwrap();
            let (g, b) = reference(&events, name, t - window_seconds(long), t);
            let expected = burns[long].is_some_and(|x| x > threshold)
                && burns[short].is_some_and(|x| x > threshold)
                && g + b >= min_events;
            assert_eq!(
                alert["firing"].as_bool().unwrap(),
                expected,
                "{name} {long}/{short} at {t}"
            );
            if expected && alert["severity"] == "page" {
                pages += 1;
            }
        }
    }
    assert!(pages > 0, "the incident must page");
}

#[test]
fn replay_reports_bad_lines_by_number() {
    let dir = Dir::new("badlines");
    let spec = dir.file("spec.yaml", SPEC);
    let good = "{\"t\": 1, \"method\": \"GET\", \"route\": \"/search\", \"status\": 200, \"latency_ms\": 5}\n";
    let cases: &[(&str, &str)] = &[
        ("{\"t\": 2, \"method\": \"GET\"", "line 2"),
        ("not json", "line 2"),
        (
            "{\"t\": 0.5, \"slo\": \"cart-availability\", \"good\": true}",
            "earlier than the previous",
        ),
        (
            "{\"t\": 2, \"slo\": \"nope\", \"good\": true}",
            "no SLO named",
        ),
        (
            "{\"t\": 2, \"route\": \"/search\", \"status\": 700}",
            "not an HTTP status",
        ),
        (
            "{\"t\": 2, \"method\": \"GET\", \"route\": \"/search\", \"status\": 200, \"latency_ms\": -1}",
            "latency_ms",
        ),
        (
            "{\"t\": 2, \"method\": \"GET\", \"route\": \"/search\", \"status\": 200}",
            "latency_ms is required",
        ),
        (
            "{\"t\": -3, \"slo\": \"cart-availability\", \"good\": true}",
            "t must be",
        ),
        (
            "{\"t\": 2, \"slo\": \"cart-availability\"}",
            "missing field `good`",
        ),
        (
            "{\"t\": 2, \"slo\": \"cart-availability\", \"good\": true, \"extra\": 1}",
            "unknown field",
        ),
        (
            "{\"t\": \"soon\", \"slo\": \"cart-availability\", \"good\": true}",
            "line 2",
        ),
    ];
    for (bad, message) in cases {
        let path = dir.file("events.jsonl", &format!("{good}{bad}\n{good}"));
        let out = slo(&[Path::new("replay"), &spec, &path]);
        let shown = text(&out);
        assert_eq!(out.status.code(), Some(1), "{bad}: {shown}");
        assert!(shown.contains("line 2"), "{bad}: {shown}");
        assert!(
            shown.contains(message),
            "{bad}: expected {message:?} in {shown}"
        );
        assert!(!shown.contains("panicked"), "{shown}");
    }
}

#[test]
fn replay_reads_standard_input_and_direct_events() {
    let dir = Dir::new("stdin");
    let spec = dir.file("spec.yaml", SPEC);
    let mut child = Command::new(env!("CARGO_BIN_EXE_slo"))
        .args([
            "replay".as_ref(),
            spec.as_os_str(),
            "-".as_ref(),
            "--every".as_ref(),
            "1m".as_ref(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for t in 0..180 {
        writeln!(
            stdin,
            "{{\"t\": {t}, \"slo\": \"cart-availability\", \"good\": {}}}",
            t % 10 != 0
        )
        .unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines = json_lines(&out);
    // t = 60 and 120 (179 is the last event): 3 SLOs each.
    assert_eq!(lines.len(), 6);
    let cart = &lines[4];
    assert_eq!(cart["t"], 120);
    assert_eq!(cart["name"], "cart-availability");
    assert_eq!(cart["events"]["total"], 121);
    assert_eq!(cart["events"]["bad"], 13);
    // The SLOs without events have null burn rates and full budget.
    assert_eq!(lines[3]["burn_rates"]["5m"], Value::Null);
    assert_eq!(lines[3]["error_budget"]["remaining_ratio"], 1.0);
}

#[test]
fn the_shipped_example_replays() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/replay");
    let out = slo(&[
        Path::new("replay"),
        &root.join("shop.yaml"),
        &root.join("shop-events.jsonl"),
        Path::new("--every"),
        Path::new("5m"),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let lines = json_lines(&out);
    assert!(
        lines
            .iter()
            .any(|l| l["name"] == "checkout-availability" && l["alerts"][0]["firing"] == true),
        "the sample incident pages"
    );
}

#[test]
fn validate_warns_about_tiers_that_cannot_fire_and_objectives_too_strict() {
    let dir = Dir::new("warnings");
    let spec = dir.file(
        "spec.yaml",
        "service: s\nslos:\n  - name: loose\n    objective: 0.9\n    period: 7d\n  - name: strict\n    objective: 99.999%\n",
    );
    let out = slo(&[Path::new("validate"), &spec]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    let warnings: Vec<&str> = shown
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect();
    assert_eq!(warnings.len(), 2, "{shown}");
    // 1/(1 − 0.9) = 10 < 14.4: the fast page (14m/1m10s for 7d) can never fire.
    assert!(
        warnings[0].starts_with(&format!("{}:4:", spec.display()))
            && warnings[0].contains("page tier 14m/1m10s can never fire"),
        "{shown}"
    );
    assert!(
        warnings[1].starts_with(&format!("{}:7:", spec.display()))
            && warnings[1].contains("stricter than 99.99%"),
        "{shown}"
    );
}

#[test]
fn rules_are_written_to_a_file_and_selectors_are_checked() {
    let dir = Dir::new("rules");
    let spec = dir.file("spec.yaml", SPEC);
    let rules = dir.0.join("rules.yaml");
    let out = slo(&[
        Path::new("rules"),
        &spec,
        Path::new("-o"),
        &rules,
        Path::new("--selector"),
        Path::new("job=shop"),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let written = std::fs::read_to_string(&rules).unwrap();
    assert!(
        written.starts_with("# Generated by `slo rules`"),
        "{written}"
    );
    assert!(
        written.contains(
            r#"slo_events_total{slo="checkout-availability", job="shop", outcome="bad"}[1h]"#
        ),
        "{written}"
    );
    if slo_test_support::require(
        "promtool",
        slo_test_support::runs("promtool", &["--version"]),
        "apt-get install prometheus",
    ) {
        let check = Command::new("promtool")
            .args(["check", "rules"])
            .arg(&rules)
            .output()
            .unwrap();
        assert!(check.status.success(), "{}", text(&check));
    }
    let bad = slo(&[
        Path::new("rules"),
        &spec,
        Path::new("--selector"),
        Path::new("job-name=shop"),
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad).contains("invalid selector label name \"job-name\""),
        "{}",
        text(&bad)
    );
    let invalid = dir.file(
        "bad.yaml",
        "service: s\nslos:\n  - name: \"a\\\"b\"\n    objective: 0.9\n",
    );
    let refused = slo(&[Path::new("rules"), &invalid]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused).contains("invalid name"),
        "{}",
        text(&refused)
    );
}

#[test]
fn openslo_export_then_import_gives_back_the_spec() {
    let dir = Dir::new("openslo");
    let spec = dir.file("spec.yaml", SPEC);
    let exported = dir.0.join("openslo.yaml");
    let out = slo(&[Path::new("openslo"), &spec, Path::new("-o"), &exported]);
    assert!(out.status.success(), "{}", text(&out));
    let documents = std::fs::read_to_string(&exported).unwrap();
    assert!(
        documents.contains("apiVersion: openslo/v1\nkind: SLO"),
        "{documents}"
    );
    let back = slo(&[Path::new("openslo"), Path::new("--import"), &exported]);
    assert!(back.status.success(), "{}", text(&back));
    let imported = slo_core::Spec::from_yaml(&String::from_utf8_lossy(&back.stdout)).unwrap();
    let original = slo_core::Spec::from_yaml(SPEC).unwrap();
    assert_eq!(imported.slos(), original.slos());
    assert_eq!(imported.service(), original.service());
    let broken = dir.file("broken.yaml", "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec: {service: s, budgetingMethod: Timeslices, objectives: [{target: 0.9}], timeWindow: [{duration: 30d}]}\n");
    let refused = slo(&[Path::new("openslo"), Path::new("--import"), &broken]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused).contains("document 1, line 4, column 37: SLO a: budgetingMethod Timeslices"),
        "{}",
        text(&refused)
    );
}
