//! Warm start: a real Prometheus (Debian's 2.42) and a real VictoriaMetrics
//! hold 30 days of known `slo_events_total` history for two instances
//! (incidents, a restart), backfilled with `promtool tsdb
//! create-blocks-from openmetrics` and `/api/v1/import/prometheus`. The demo
//! started with `--warm-start` serves `/slo` burn rates and a budget within
//! 2% of the exact values and of what Prometheus computes; an API that is
//! down, hangs, fails or answers garbage never holds serving up past the
//! timeout.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{Peer, get, have, listening, query, query_at, wait_for_port, wait_until_ready};
use serde_json::Value;
use slo::Spec;
use slo::fleet::rules::{Rule, rules};

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// The demo's built-in SLOs and their objectives.
const SLOS: [(&str, f64); 4] = [
    ("checkout-availability", 0.999),
    ("cart-availability", 0.995),
    ("search-latency", 0.99),
    ("search-quality", 0.99),
];

/// Events per minute of each instance.
const INSTANCES: [(&str, f64); 2] = [("a", 600.0), ("b", 300.0)];

/// Error ratio of minute `t` (its end, seconds) when the data ends at `end`.
fn error_ratio(slo: usize, t: i64, end: i64) -> f64 {
    let within = |from: i64, to: i64| (end - from..end - to).contains(&t);
    let base = [0.0003, 0.001, 0.004, 0.002][slo];
    if within(10 * DAY, 10 * DAY - 2 * HOUR) {
        0.05
    } else if within(2 * DAY + 3 * HOUR, 2 * DAY) {
        0.02
    } else if within(5 * HOUR, 4 * HOUR) {
        0.03
    } else if within(40 * MINUTE, 20 * MINUTE) {
        0.01 + base
    } else {
        base
    }
}

/// The history: per sample (minute end), instance and SLO, the counters'
/// (good, bad) values, and each minute's (good, bad) events.
struct History {
    /// (time, instance, slo, good counter, bad counter)
    samples: Vec<(i64, usize, usize, u64, u64)>,
    /// (time, slo, good events, bad events) summed over the instances.
    minutes: Vec<(i64, usize, u64, u64)>,
}

fn history(end: i64) -> History {
    let start = end - 30 * DAY;
    let reset = end - 7 * DAY;
    let mut samples = Vec::new();
    let mut minutes = Vec::new();
    for slo in 0..SLOS.len() {
        let mut counters = [(0u64, 0u64); 2];
        let mut expected_bad = [0.0f64; 2];
        let mut t = start;
        while t <= end {
            let (mut good_sum, mut bad_sum) = (0, 0);
            for (i, (_, per_minute)) in INSTANCES.iter().enumerate() {
                if t > start {
                    // The minute ending at t.
                    let before = expected_bad[i].floor();
                    expected_bad[i] += per_minute * error_ratio(slo, t, end);
                    let bad = (expected_bad[i].floor() - before) as u64;
                    let good = *per_minute as u64 - bad;
                    counters[i].0 += good;
                    counters[i].1 += bad;
                    good_sum += good;
                    bad_sum += bad;
                }
                if i == 1 && t == reset {
                    // Instance b restarts: its counters begin again.
                    counters[i] = (0, 0);
                }
                samples.push((t, i, slo, counters[i].0, counters[i].1));
            }
            if t > start {
                minutes.push((t, slo, good_sum, bad_sum));
            }
            t += MINUTE;
        }
    }
    samples.sort_by_key(|s| s.0);
    History { samples, minutes }
}

impl History {
    /// The exact burn rate of `slo` over the `window` seconds before `now`.
    fn burn(&self, slo: usize, now: i64, window: i64) -> f64 {
        let (good, bad) = self
            .minutes
            .iter()
            .filter(|(t, s, _, _)| *s == slo && *t > now - window && *t <= now)
            .fold((0u64, 0u64), |(g, b), (_, _, good, bad)| {
                (g + good, b + bad)
            });
        bad as f64 / (good + bad) as f64 / (1.0 - SLOS[slo].1)
    }

    /// The samples as OpenMetrics text (timestamps in seconds), for promtool.
    fn openmetrics(&self) -> String {
        let mut out = String::from("# TYPE slo_events counter\n");
        for (t, i, slo, good, bad) in &self.samples {
            for (outcome, value) in [("good", good), ("bad", bad)] {
                out.push_str(&format!(
                    "slo_events_total{{job=\"shop\",instance=\"{}\",slo=\"{}\",outcome=\"{outcome}\"}} {value} {t}\n",
                    INSTANCES[*i].0, SLOS[*slo].0
                ));
            }
        }
        out.push_str("# EOF\n");
        out
    }

    /// The samples as Prometheus text with millisecond timestamps, for
    /// VictoriaMetrics' import.
    fn prometheus_text(&self) -> String {
        let mut out = String::new();
        for (t, i, slo, good, bad) in &self.samples {
            for (outcome, value) in [("good", good), ("bad", bad)] {
                out.push_str(&format!(
                    "slo_events_total{{job=\"shop\",instance=\"{}\",slo=\"{}\",outcome=\"{outcome}\"}} {value} {}\n",
                    INSTANCES[*i].0,
                    SLOS[*slo].0,
                    t * 1000
                ));
            }
        }
        out
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The demo warm-started from `api`; returns it, its address, and the
/// seconds it took to start serving.
fn warm_demo(api: &str, extra: &[&str]) -> (Peer, String, f64) {
    let started = Instant::now();
    let mut args = vec![
        "--no-load",
        "--report-every",
        "1h",
        "--warm-start",
        api,
        "--warm-start-selector",
        "job=\"shop\"",
    ];
    args.extend_from_slice(extra);
    let demo = common::demo(&args);
    let addr = listening(&demo);
    (demo, addr, started.elapsed().as_secs_f64())
}

/// Each SLO's burn rates for the asked windows and its consumed budget.
fn slo_numbers(addr: &str) -> (Value, Vec<(String, Value, f64)>) {
    let json: Value = serde_json::from_str(&get(addr, "/slo")).unwrap();
    let slos = json["slos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["burn_rates"].clone(),
                s["error_budget"]["consumed_ratio"].as_f64().unwrap(),
            )
        })
        .collect();
    (json, slos)
}

fn close(what: &str, got: f64, want: f64) {
    eprintln!("CLOSE {:+.4}% {what}", (got - want) / want * 100.0);
    assert!(
        ((got - want) / want).abs() <= 0.02,
        "{what}: {got} is not within 2% of {want}"
    );
}

/// The demo's numbers against the exact ones; returns the time they were
/// read at (unix seconds) and the demo's numbers.
fn check_against_exact(
    addr: &str,
    history: &History,
    engine: &str,
) -> (i64, Vec<(String, Value, f64)>) {
    let now = unix_now();
    let (json, slos) = slo_numbers(addr);
    assert_eq!(
        json["history"]["sources"],
        serde_json::json!(["prometheus"]),
        "{json}"
    );
    for (slo, (name, burn, consumed)) in slos.iter().enumerate() {
        assert_eq!(name, SLOS[slo].0);
        for (label, window) in [
            ("1h", HOUR),
            ("6h", 6 * HOUR),
            ("1d", DAY),
            ("3d", 3 * DAY),
            ("30d", 30 * DAY),
        ] {
            let got = burn[label].as_f64().unwrap_or(f64::NAN);
            close(
                &format!("{engine}: {name} {label} burn rate against the exact one"),
                got,
                history.burn(slo, now, window),
            );
        }
        close(
            &format!("{engine}: {name} budget consumed against the exact one"),
            *consumed,
            history.burn(slo, now, 30 * DAY),
        );
    }
    (now, slos)
}

fn end_of_data() -> i64 {
    // Whole minutes, the last one a minute ago.
    unix_now() / MINUTE * MINUTE - MINUTE
}

#[test]
fn a_warm_start_from_prometheus_agrees_with_the_exact_burn_rates_and_with_prometheus() {
    if !have("prometheus") || !have("promtool") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("slo-warm-prometheus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let history = history(end_of_data());
    let input = dir.join("history.om");
    std::fs::write(&input, history.openmetrics()).unwrap();
    let backfilled = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(dir.join("data"))
        .output()
        .unwrap();
    assert!(
        backfilled.status.success(),
        "{}",
        String::from_utf8_lossy(&backfilled.stderr)
    );
    std::fs::remove_file(&input).unwrap();
    let spec = Spec::from_yaml(&std::fs::read_to_string(common::pinned_spec()).unwrap()).unwrap();
    let rule_file = rules(&spec, &common::job_shop());
    let yaml = rule_file.to_yaml().unwrap();
    std::fs::write(dir.join("rules.yml"), yaml).unwrap();
    std::fs::write(
        dir.join("prometheus.yml"),
        "global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n",
    )
    .unwrap();
    // The default retention (15d) would delete the backfilled blocks at start.
    let (_prometheus, addr) = common::prometheus_with(
        &dir.join("prometheus.yml"),
        &dir,
        &["--storage.tsdb.retention.time=400d"],
    );
    wait_until_ready(&addr, "/-/ready", "Prometheus");
    // Wait until the rules have been evaluated once over the backfill.
    let deadline = Instant::now() + Duration::from_secs(60);
    while query(&addr, "slo:sli_error:ratio_rate3d").len() < 3 {
        assert!(Instant::now() < deadline, "the rules never evaluated");
        std::thread::sleep(Duration::from_millis(500));
    }

    let (_demo, demo_addr, took) = warm_demo(&format!("http://{addr}"), &[]);
    assert!(took < 10.0, "serving began after {took}s");
    let (read_at, slos) = check_against_exact(&demo_addr, &history, "Prometheus");

    // Prometheus' own recordings from `slo rules`, for the alert windows;
    // the period's recording sums a 5m helper that has no backfilled
    // history, so the period is compared with the same ratio over the raw
    // counters. `increase` over a window counts from its first sample, so
    // at `read_at` it would leave out the first of the minutes the demo's
    // window holds (1/60 of a 1h window: with a burst in it, more than the
    // 2% compared). The history ends at least a minute before `read_at`,
    // so each rule's expression is evaluated 59.5 s earlier: its first
    // sample is the end of the minute before the demo's first, and it
    // counts the same minutes.
    let aligned = read_at as f64 - 59.5;
    for (slo, (name, burn, _)) in slos.iter().enumerate() {
        for label in ["1h", "6h", "1d", "3d"] {
            let record = format!("slo:sli_error:ratio_rate{label}");
            let expr = rule_file
                .groups
                .iter()
                .flat_map(|g| &g.rules)
                .find_map(|rule| match rule {
                    Rule::Record(r) if r.record == record && r.labels["sloth_slo"] == *name => {
                        Some(r.expr.clone())
                    }
                    _ => None,
                })
                .unwrap_or_else(|| panic!("no {record} for {name}"));
            let ratios = query_at(&addr, &expr, aligned);
            assert_eq!(ratios.len(), 1, "{expr}: {ratios:?}");
            close(
                &format!("{name} {label} burn rate against Prometheus' {record}"),
                burn[label].as_f64().unwrap(),
                ratios[0].1 / (1.0 - SLOS[slo].1),
            );
        }
    }
    let promql = r#"sum by (slo) (increase(slo_events_total{job="shop",outcome="bad"}[30d])) / sum by (slo) (increase(slo_events_total{job="shop"}[30d]))"#;
    let ratios = query(&addr, promql);
    assert_eq!(ratios.len(), SLOS.len(), "{promql}: {ratios:?}");
    for (slo, (name, burn, _)) in slos.iter().enumerate() {
        let (_, ratio) = ratios.iter().find(|(s, _)| s == name).unwrap();
        close(
            &format!("{name} 30d burn rate against Prometheus' {promql}"),
            burn["30d"].as_f64().unwrap(),
            ratio / (1.0 - SLOS[slo].1),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_warm_start_from_victoriametrics_agrees_with_the_exact_burn_rates() {
    let Some(victoria) = slo_test_support::require_found(
        "victoria-metrics",
        slo_test_support::find_program(&["victoria-metrics", "victoria-metrics-prod"]),
        "apt-get install victoria-metrics",
    ) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("slo-warm-victoria-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let addr = format!("127.0.0.1:{}", common::free_port());
    let _vm = common::spawn({
        let mut command = Command::new(victoria);
        command
            .arg(format!("-storageDataPath={}", dir.display()))
            .arg(format!("-httpListenAddr={addr}"))
            .arg("-retentionPeriod=1y")
            .stderr(Stdio::null());
        command
    });
    wait_for_port(&addr, "VictoriaMetrics");
    let history = history(end_of_data());
    post(
        &addr,
        "/api/v1/import/prometheus",
        history.prometheus_text().as_bytes(),
    );
    get(&addr, "/internal/force_flush");
    // Wait until every series is searchable.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let counted = query(&addr, r#"count(slo_events_total{job="shop"})"#);
        if counted.first().is_some_and(|(_, n)| *n >= 12.0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "VictoriaMetrics never had the import: {counted:?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let (_demo, demo_addr, _) = warm_demo(&format!("http://{addr}"), &[]);
    check_against_exact(&demo_addr, &history, "VictoriaMetrics");
    let _ = std::fs::remove_dir_all(&dir);
}

fn post(addr: &str, path: &str, body: &[u8]) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: vm\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 2"), "{path}: {answer}");
}

/// A fake API on a free port that does `behave` with every connection.
fn hostile(behave: impl Fn(TcpStream) + Clone + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let behave = behave.clone();
            std::thread::spawn(move || behave(stream));
        }
    });
    addr
}

fn answer(mut stream: TcpStream, status: &str, body: &str) {
    let mut request = [0u8; 4096];
    let _ = stream.read(&mut request);
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Starts the demo against `api` with a 2s timeout: it must serve within
/// the timeout (plus start-up), with empty windows, and say so once.
fn starts_anyway(api: &str, what: &str) {
    let log = std::env::temp_dir().join(format!(
        "slo-warm-log-{}-{}",
        std::process::id(),
        common::free_port()
    ));
    let started = Instant::now();
    let mut command = Command::new(env!("CARGO_BIN_EXE_shop-demo"));
    command.args(["--spec", &common::pinned_spec()]);
    command.args([
        "--listen",
        "127.0.0.1:0",
        "--no-state",
        "--no-load",
        "--report-every",
        "1h",
        "--warm-start",
        api,
        "--warm-start-timeout",
        "2s",
    ]);
    let demo = Peer::spawn_with_stderr(command, std::fs::File::create(&log).unwrap());
    // Everything it says before it listens.
    let mut said = Vec::new();
    let addr = loop {
        let line = demo.lines.recv_timeout(Duration::from_secs(20)).unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
        said.push(line);
    };
    let took = started.elapsed().as_secs_f64();
    assert!(took < 2.0 + 3.0, "{what}: serving began after {took}s");
    assert!(
        said.iter()
            .any(|l| l.contains(&format!("warm start from {api}: 0 of 4 SLOs loaded"))),
        "{what}: it does not say what it loaded: {said:?}"
    );
    let (json, _) = slo_numbers(&addr);
    assert_eq!(
        json["history"]["sources"],
        serde_json::json!([]),
        "{what}: {json}"
    );
    for slo in json["slos"].as_array().unwrap() {
        assert_eq!(slo["events"]["total"], 0, "{what}: {slo}");
    }
    drop(demo);
    // One warning, naming the API and what failed.
    let warnings = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    let lines: Vec<&str> = warnings.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{what}: {warnings}");
    assert!(
        lines[0].contains(&format!("warm start from {api}")) && lines[0].contains("queries failed"),
        "{what}: {}",
        lines[0]
    );
}

#[test]
fn an_api_that_is_down_hangs_fails_or_lies_never_holds_up_serving() {
    // Down: nothing listens.
    let down = format!("http://127.0.0.1:{}", common::free_port());
    starts_anyway(&down, "down");
    // Hangs: accepts and never answers.
    let hangs = hostile(|stream| {
        std::thread::sleep(Duration::from_secs(60));
        drop(stream);
    });
    starts_anyway(&format!("http://{hangs}"), "hanging");
    // Fails: 500 with an API error, and 503 without one.
    let fails = hostile(|stream| {
        answer(
            stream,
            "500 Internal Server Error",
            r#"{"status":"error","errorType":"internal","error":"boom"}"#,
        )
    });
    starts_anyway(&format!("http://{fails}"), "failing");
    let unavailable = hostile(|stream| answer(stream, "503 Service Unavailable", "overloaded"));
    starts_anyway(&format!("http://{unavailable}"), "unavailable");
    // Lies: garbage, a wrong result type, and non-numbers.
    for body in [
        "<html>not json</html>",
        r#"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#,
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"slo":"checkout-availability","outcome":"bad"},"values":[[1,"lots"]]}]}}"#,
    ] {
        let lies = hostile(move |s| answer(s, "200 OK", body));
        starts_anyway(&format!("http://{lies}"), body);
    }
}

/// With a state file that holds every SLO's history, the warm start is
/// skipped: the API is never asked (it would lose to the file anyway); a
/// state file that lacks one SLO asks it.
#[test]
fn a_state_file_with_every_slo_skips_the_warm_start() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    let api = format!(
        "http://{}",
        hostile(move |stream| {
            counter.fetch_add(1, Ordering::SeqCst);
            answer(stream, "503 Service Unavailable", "{}");
        })
    );
    let dir = std::env::temp_dir().join(format!("slo-warm-skip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("shop.slo-state");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "--state-file",
            state.to_str().unwrap(),
            "--no-load",
            "--report-every",
            "1h",
            "--warm-start",
            api.as_str(),
            "--warm-start-timeout",
            "2s",
        ];
        args.extend_from_slice(extra);
        let demo = common::demo(&args);
        let mut said = Vec::new();
        loop {
            let line = demo.lines.recv_timeout(Duration::from_secs(20)).unwrap();
            if line.contains("listening on") {
                break;
            }
            said.push(line);
        }
        drop(demo);
        said
    };
    // The first start has no file: it asks the API, and writes the file.
    let first = run(&[]);
    assert!(asked.load(Ordering::SeqCst) > 0, "{first:?}");
    assert!(state.exists());
    // The second finds every SLO in the file and asks nothing.
    asked.store(0, Ordering::SeqCst);
    let second = run(&[]);
    assert_eq!(asked.load(Ordering::SeqCst), 0, "{second:?}");
    assert!(
        second.iter().any(|l| l.contains("warm start skipped")),
        "{second:?}"
    );
    // A spec with an SLO the file lacks asks again.
    let spec = dir.join("spec.yaml");
    std::fs::write(
        &spec,
        // First among the SLOs: the spec ends with its journeys.
        std::fs::read_to_string(common::pinned_spec())
            .unwrap()
            .replacen(
                "slos:\n",
                "slos:\n  - name: brand-new\n    objective: 99%\n",
                1,
            ),
    )
    .unwrap();
    let third = run(&["--spec", spec.to_str().unwrap()]);
    assert!(asked.load(Ordering::SeqCst) > 0, "{third:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
