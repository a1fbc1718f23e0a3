//! `slo suggest` against real PromQL engines: 28 days of
//! OpenTelemetry-convention request histograms for four routes on two
//! instances (one restarts: a counter reset), backfilled into a real
//! Prometheus with promtool and imported into a real VictoriaMetrics.
//! Each route's SLI is chosen just above or just below a step of the
//! ladder, each latency distribution has a known 99% bound, and checkout
//! has a 40-minute outage. Every suggestion is checked against an exact
//! computation from the generated events: achieved within 1e-4,
//! objectives and thresholds exact, the backtest's incidents exact.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use slo_fleet::suggest::suggest_objective;
use slo_test_support::{Engine, raw_peer};

/// The scrape interval and the evaluation step (a 30d period's).
const STEP: i64 = 300;
/// 2026-11-01T00:00:00Z and 28 days later.
const FROM: i64 = 1_793_491_200;
const TO: i64 = 1_795_910_400;
const STEPS: usize = ((TO - FROM) / STEP) as usize;
/// Bucket bounds of the histograms.
const BOUNDS: [&str; 6] = ["0.05", "0.1", "0.25", "0.5", "1", "+Inf"];
const INSTANCES: [&str; 2] = ["a", "b"];
/// Instance b restarts at this step: its counters start again from zero.
const RESTART: usize = 3_000;
/// Checkout fails 60% of requests for 40 minutes from this step.
const OUTAGE: usize = 5_000;
const OUTAGE_STEPS: usize = 8;

struct Route {
    method: &'static str,
    route: &'static str,
    /// Requests per step on instances a and b.
    rates: [u64; 2],
    error: f64,
    /// The share of requests under each bound.
    shares: [f64; 6],
    /// What the design intends: the ladder's objective, the threshold.
    objective: f64,
    threshold: Option<&'static str>,
}

const ROUTES: [Route; 4] = [
    // 99.905%: just above 99.9%.
    Route {
        method: "GET",
        route: "/search",
        rates: [400, 200],
        error: 0.00095,
        shares: [0.90, 0.985, 0.995, 0.999, 1.0, 1.0],
        objective: 0.999,
        threshold: Some("0.25"),
    },
    // About 99.89% with the outage: just below 99.9%.
    Route {
        method: "POST",
        route: "/checkout",
        rates: [100, 60],
        error: 0.00046,
        shares: [0.992, 0.996, 0.999, 1.0, 1.0, 1.0],
        objective: 0.995,
        threshold: Some("0.05"),
    },
    // 99.51%: just above 99.5%.
    Route {
        method: "GET",
        route: "/cart/{id}",
        rates: [200, 100],
        error: 0.0049,
        shares: [0.5, 0.95, 0.98, 0.991, 1.0, 1.0],
        objective: 0.995,
        threshold: Some("0.5"),
    },
    // 98.98%: just below 99%; no bound holds 99% of its requests.
    Route {
        method: "GET",
        route: "/items/{*rest}",
        rates: [50, 50],
        error: 0.0102,
        shares: [0.2, 0.5, 0.9, 0.95, 0.985, 1.0],
        objective: 0.95,
        threshold: None,
    },
];

/// The generated history: the samples, and each route's events per step
/// (summed over instances): all, failed, and per bound the requests that
/// did not fail and finished under it.
struct History {
    text: Vec<String>,
    all: Vec<Vec<f64>>,
    failed: Vec<Vec<f64>>,
    fast: Vec<Vec<[f64; 6]>>,
    series: usize,
}

fn history() -> History {
    let mut text = Vec::new();
    let steps = STEPS + 1;
    let mut all = vec![vec![0.0; steps]; ROUTES.len()];
    let mut failed = vec![vec![0.0; steps]; ROUTES.len()];
    let mut fast = vec![vec![[0.0; 6]; steps]; ROUTES.len()];
    let mut series = 0;
    for (r, route) in ROUTES.iter().enumerate() {
        for (i, instance) in INSTANCES.iter().enumerate() {
            // Requests counted so far by this process, per status.
            let mut counted = [0u64; 2];
            let mut owed = 0.0f64;
            let mut lines: [Vec<String>; 2] = [Vec::new(), Vec::new()];
            for k in 0..steps {
                if i == 1 && k == RESTART {
                    counted = [0, 0];
                }
                if k > 0 {
                    let n = route.rates[i];
                    let error = if r == 1 && (OUTAGE..OUTAGE + OUTAGE_STEPS).contains(&k) {
                        0.6
                    } else {
                        route.error
                    };
                    let before = owed.floor();
                    owed += n as f64 * error;
                    let bad = (owed.floor() - before) as u64;
                    let before = counted;
                    counted[0] += n - bad;
                    counted[1] += bad;
                    all[r][k] += n as f64;
                    failed[r][k] += bad as f64;
                    // The 200s under each bound: what the counters rose by
                    // (after a restart, all they hold).
                    for (b, share) in route.shares.iter().enumerate() {
                        let now = bucket(counted[0], *share);
                        let then = if i == 1 && k == RESTART {
                            0
                        } else {
                            bucket(before[0], *share)
                        };
                        fast[r][k][b] += (now - then) as f64;
                    }
                }
                let time = FROM + k as i64 * STEP;
                for (s, status) in ["200", "500"].iter().enumerate() {
                    let labels = format!(
                        "job=\"shop\",instance=\"{instance}\",http_route=\"{}\",http_request_method=\"{}\",http_response_status_code=\"{status}\"",
                        route.route, route.method
                    );
                    let n = counted[s];
                    let out = &mut lines[s];
                    out.push(format!(
                        "http_server_request_duration_seconds_count{{{labels}}} {n} {time}"
                    ));
                    for (b, share) in route.shares.iter().enumerate() {
                        out.push(format!(
                            "http_server_request_duration_seconds_bucket{{{labels},le=\"{}\"}} {} {time}",
                            BOUNDS[b],
                            bucket(n, *share)
                        ));
                    }
                }
            }
            series += 2 * (1 + BOUNDS.len());
            text.extend(lines.into_iter().flatten());
        }
    }
    History {
        text,
        all,
        failed,
        fast,
        series,
    }
}

/// A bucket's count when `n` requests were made: the share under it.
fn bucket(n: u64, share: f64) -> u64 {
    (n as f64 * share + 1e-9).floor() as u64
}

impl History {
    /// Samples sorted by time, as OpenMetrics (seconds) or Prometheus text
    /// with milliseconds.
    fn render(&self, openmetrics: bool) -> String {
        let mut lines: Vec<(i64, &String)> = self
            .text
            .iter()
            .map(|line| (line.rsplit(' ').next().unwrap().parse().unwrap(), line))
            .collect();
        lines.sort_by_key(|(time, _)| *time);
        let mut out = String::with_capacity(self.text.len() * 190);
        if openmetrics {
            out.push_str("# TYPE http_server_request_duration_seconds histogram\n");
        }
        for (time, line) in lines {
            if openmetrics {
                out.push_str(line);
            } else {
                let (head, _) = line.rsplit_once(' ').unwrap();
                out.push_str(&format!("{head} {}", time * 1000));
            }
            out.push('\n');
        }
        if openmetrics {
            out.push_str("# EOF\n");
        }
        out
    }

    /// Per step, (good, bad) of route `r`: availability, or latency under
    /// bound `b`.
    fn counts(&self, r: usize, latency_bound: Option<usize>) -> Vec<(f64, f64)> {
        (0..=STEPS)
            .map(|k| {
                let good = match latency_bound {
                    Some(b) => self.fast[r][k][b],
                    None => self.all[r][k] - self.failed[r][k],
                };
                (good, self.all[r][k] - good)
            })
            .collect()
    }
}

/// Good over total over the range.
fn achieved(counts: &[(f64, f64)]) -> f64 {
    let (good, bad) = counts[1..]
        .iter()
        .fold((0.0, 0.0), |(g, b), (dg, db)| (g + dg, b + db));
    good / (good + bad)
}

/// The four tiers of a 30d period: long, short (in steps), burn rate, page.
const TIERS: [(usize, usize, f64, bool); 4] = [
    (12, 1, 14.4, true),
    (72, 6, 6.0, true),
    (288, 24, 3.0, false),
    (864, 72, 1.0, false),
];

/// The incidents (pages, tickets) an objective's tiers fire over the
/// range, evaluated at every step as `slo report` does.
fn incidents(counts: &[(f64, f64)], objective: f64) -> (u64, u64) {
    let budget = ((1.0 - objective) * 1e12).round() / 1e12;
    let sum = |from: usize, to: usize| {
        counts[from.max(1)..=to]
            .iter()
            .fold((0.0, 0.0), |(g, b), (dg, db)| (g + dg, b + db))
    };
    let (mut pages, mut tickets) = (0, 0);
    for (long, short, burn, page) in TIERS {
        let threshold = burn * budget;
        let mut open = false;
        for k in 1..counts.len() {
            let window = |n: usize| {
                let (g, b) = sum((k + 1).saturating_sub(n), k);
                (g + b > 0.0).then(|| b / (g + b))
            };
            let holds = matches!((window(long), window(short)), (Some(l), Some(s)) if l > threshold && s > threshold);
            if holds && !open {
                if page {
                    pages += 1;
                } else {
                    tickets += 1;
                }
            }
            open = holds;
        }
    }
    (pages, tickets)
}

fn slo_binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_slo"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("slo-suggest-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn suggest(url: &str, extra: &[&str]) -> Output {
    slo_binary()
        .args(["suggest", "--prometheus", url, "--selector", "job=shop"])
        .args([
            "--from",
            "2026-11-01T00:00:00Z",
            "--to",
            "2026-11-29T00:00:00Z",
        ])
        .args(extra)
        .output()
        .unwrap()
}

fn json(url: &str, extra: &[&str]) -> Value {
    let out = suggest(
        url,
        &[&["--format", "json", "--timeout", "60s"], extra].concat(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const CURRENT: &str = r#"service: shop
slos:
  - name: checkout-availability
    objective: 99.9%
    tier: critical
    match: {routes: ["POST /checkout"]}
  - name: search-latency
    objective: 99%
    sli: {latency: {threshold: 100ms}}
    match: {routes: ["GET /search"]}
"#;

fn check(engine: &str, got: &Value, history: &History) {
    assert_eq!(got["service"], "shop", "{engine}");
    assert_eq!(got["source"], "http");
    assert_eq!(got["convention"], "opentelemetry");
    assert_eq!(got["from"], "2026-11-01T00:00:00Z");
    let slos = got["slos"].as_array().unwrap();
    let find = |name: &str| {
        slos.iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{engine}: no {name} in {got}"))
    };
    for (r, route) in ROUTES.iter().enumerate() {
        let shown = format!("{} {}", route.method, route.route);
        let stem = shown
            .to_lowercase()
            .replace(['{', '}', '*'], "")
            .replace([' ', '/'], "-")
            .replace("--", "-");
        // Availability: achieved, the ladder, the backtest, the targets.
        let counts = history.counts(r, None);
        let exact = achieved(&counts);
        let slo = find(&format!("{stem}-availability"));
        assert_eq!(slo["route"], shown.as_str());
        let got_achieved = slo["achieved"].as_f64().unwrap();
        assert!(
            (got_achieved - exact).abs() < 1e-4,
            "{engine} {shown}: achieved {got_achieved}, exact {exact}"
        );
        assert_eq!(suggest_objective(exact), route.objective, "the design");
        assert_eq!(
            slo["suggested_objective"], route.objective,
            "{engine} {shown}"
        );
        let total: f64 = counts[1..].iter().map(|(g, b)| g + b).sum();
        assert_eq!(slo["events"]["total"].as_f64().unwrap(), total);
        let (pages, tickets) = incidents(&counts, route.objective);
        assert_eq!(
            (
                slo["backtest"]["incidents"]["page"].as_u64().unwrap(),
                slo["backtest"]["incidents"]["ticket"].as_u64().unwrap()
            ),
            (pages, tickets),
            "{engine} {shown}: backtest"
        );
        if r == 1 {
            // The outage pages at the suggested objective and at the
            // current one, which also climbs to critical's 99.95%.
            assert!(pages >= 1, "the outage pages");
            assert_eq!(slo["current"]["objective"], 0.999);
            let (pages, tickets) = incidents(&counts, 0.999);
            assert_eq!(slo["current"]["incidents"]["page"], pages);
            assert_eq!(slo["current"]["incidents"]["ticket"], tickets);
            assert_eq!(
                slo["progressive"],
                serde_json::json!([
                    {"objective": 0.999, "from": "2026-12"},
                    {"objective": 0.9995, "from": "2027-01"},
                ])
            );
        } else {
            assert!(slo["current"].is_null());
        }
        // Latency: the known bound, 99%, the backtest at it.
        let latency = slos.iter().find(|s| s["name"] == format!("{stem}-latency"));
        let Some(bound) = route.threshold else {
            assert!(latency.is_none(), "{engine} {shown}: no bound holds 99%");
            let left: Vec<&Value> = got["left_out"].as_array().unwrap().iter().collect();
            assert!(
                left.iter()
                    .any(|l| l["route"] == format!("{shown} (latency)")),
                "{engine}: {left:?}"
            );
            continue;
        };
        let latency = latency.unwrap_or_else(|| panic!("{engine}: no latency SLO for {shown}"));
        let b = BOUNDS.iter().position(|x| *x == bound).unwrap();
        assert_eq!(
            latency["sli"],
            serde_json::json!({"kind": "latency", "threshold_seconds": bound.parse::<f64>().unwrap()}),
            "{engine} {shown}"
        );
        assert_eq!(latency["suggested_objective"], 0.99);
        let counts = history.counts(r, Some(b));
        let exact = achieved(&counts);
        assert!(
            (latency["achieved"].as_f64().unwrap() - exact).abs() < 1e-4,
            "{engine} {shown} latency: {} against {exact}",
            latency["achieved"]
        );
        let (pages, tickets) = incidents(&counts, 0.99);
        assert_eq!(
            latency["backtest"]["incidents"]["page"], pages,
            "{engine} {shown}"
        );
        assert_eq!(
            latency["backtest"]["incidents"]["ticket"], tickets,
            "{engine} {shown}"
        );
        if r == 0 {
            // The spec's search latency at 100ms, read at that bound.
            let counts = history.counts(r, Some(1));
            let (pages, tickets) = incidents(&counts, 0.99);
            assert_eq!(latency["current"]["incidents"]["page"], pages, "{engine}");
            assert_eq!(
                latency["current"]["incidents"]["ticket"], tickets,
                "{engine}"
            );
        }
    }
}

#[test]
fn suggestions_over_prometheus_and_victoriametrics_match_the_exact_events() {
    let history = history();
    let dir = scratch("history");
    let input = dir.join("history.om");
    std::fs::write(&input, history.render(true)).unwrap();
    let Some(prometheus) = Engine::prometheus_from_file(&input, None, "1m") else {
        return;
    };
    let spec = dir.join("current.yaml");
    std::fs::write(&spec, CURRENT).unwrap();
    let spec_arg = spec.to_str().unwrap();
    let started = Instant::now();
    let got = json(&prometheus.url(), &["--spec", spec_arg]);
    eprintln!("slo suggest over Prometheus took {:?}", started.elapsed());
    check("Prometheus", &got, &history);

    // The same as a table, and as a spec that validates.
    let out = suggest(&prometheus.url(), &["--spec", spec_arg]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("| post-checkout-availability | POST /checkout | availability |"),
        "{table}"
    );
    assert!(
        table.contains("| 99.9% from 2026-12, 99.95% from 2027-01 |"),
        "{table}"
    );
    let yaml = dir.join("suggested.yaml");
    let out = suggest(
        &prometheus.url(),
        &[
            "--format",
            "yaml",
            "--tier",
            "standard",
            "-o",
            yaml.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let validated = slo_binary().arg("validate").arg(&yaml).output().unwrap();
    assert!(
        validated.status.success(),
        "{}",
        String::from_utf8_lossy(&validated.stdout)
    );
    let suggested = slo_core::Spec::from_yaml(&std::fs::read_to_string(&yaml).unwrap()).unwrap();
    assert_eq!(suggested.service(), "shop");
    assert_eq!(suggested.slos().len(), 7);
    let cart = suggested.slo("get-cart-id-availability").unwrap();
    assert_eq!(cart.objective(), 0.995);
    assert!(cart.matches("GET", "/cart/42"));
    assert_eq!(
        cart.ownership().tier(),
        Some(slo_core::spec::Tier::Standard)
    );

    // VictoriaMetrics: the same suggestions.
    let text = history.render(false);
    if let Some(victoria) = Engine::victoria_metrics(&text, history.series) {
        let got = json(&victoria.url(), &["--spec", spec_arg]);
        check("VictoriaMetrics", &got, &history);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A PromQL API that is down, hung, failing or babbling: exit 2 within
/// the timeout, naming the query that failed.
#[test]
fn an_api_that_fails_exits_2_within_the_timeout_naming_the_query() {
    let limit = Duration::from_secs(5);
    let cannot_tell = |out: &Output, words: &str, started: Instant, limit: Duration| {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(words), "{stderr:?} lacks {words:?}");
        assert!(
            stderr.contains("http_server_request_duration_seconds_count"),
            "names the query: {stderr}"
        );
        assert!(out.stdout.is_empty());
        assert!(started.elapsed() < limit, "took {:?}", started.elapsed());
    };
    let down = format!("http://127.0.0.1:{}", slo_test_support::free_port());
    let started = Instant::now();
    cannot_tell(&suggest(&down, &[]), "cannot connect", started, limit);
    let hung = format!("http://{}", raw_peer(None));
    let started = Instant::now();
    cannot_tell(
        &suggest(&hung, &["--timeout", "1s"]),
        "no complete answer within",
        started,
        Duration::from_secs(3),
    );
    for (answer, words) in [
        (canned("500 Internal Server Error", ""), "answered HTTP 500"),
        (
            canned(
                "400 Bad Request",
                r#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#,
            ),
            "parse error at char 3",
        ),
        (canned("200 OK", "hello"), "not a PromQL API answer"),
        (
            canned(
                "200 OK",
                r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
            ),
            "a matrix result where a vector was expected",
        ),
    ] {
        let peer = format!("http://{}", raw_peer(Some(answer)));
        let started = Instant::now();
        cannot_tell(&suggest(&peer, &["--timeout", "2s"]), words, started, limit);
    }
}

/// `--source slo`: our own `slo_events_total` over a week, two SLOs on two
/// instances (one restarts), with the spec: achieved, the ladder, the
/// backtests at the suggested and the current objective, and a spec with
/// the suggested objectives that validates and keeps each SLO's SLI.
#[test]
fn our_own_events_are_suggested_from_with_the_spec() {
    const WEEK: usize = 7 * 288;
    // (name, rates per instance per step, error ratio, suggested)
    let slos: [(&str, [u64; 2], f64, f64); 2] = [
        ("checkout-availability", [120, 80], 0.0004, 0.999),
        ("search-latency", [300, 100], 0.0072, 0.99),
    ];
    let mut lines = Vec::new();
    let mut per_step: Vec<Vec<(f64, f64)>> = Vec::new();
    for (name, rates, error, _) in slos {
        let mut steps = vec![(0.0, 0.0); WEEK + 1];
        for (i, instance) in INSTANCES.iter().enumerate() {
            let (mut good, mut bad, mut owed) = (0u64, 0u64, 0.0f64);
            for (k, step) in steps.iter_mut().enumerate() {
                if i == 1 && k == WEEK / 2 {
                    (good, bad) = (0, 0);
                }
                if k > 0 {
                    // A burst of failures for 20 minutes on day 3.
                    let ratio = if (3 * 288..3 * 288 + 4).contains(&k) {
                        0.1
                    } else {
                        error
                    };
                    let before = owed.floor();
                    owed += rates[i] as f64 * ratio;
                    let failed = (owed.floor() - before) as u64;
                    good += rates[i] - failed;
                    bad += failed;
                    step.0 += (rates[i] - failed) as f64;
                    step.1 += failed as f64;
                }
                let time = FROM + k as i64 * STEP;
                for (outcome, value) in [("good", good), ("bad", bad)] {
                    lines.push((
                        time,
                        format!(
                            "slo_events_total{{job=\"shop\",instance=\"{instance}\",slo=\"{name}\",outcome=\"{outcome}\"}} {value} {time}"
                        ),
                    ));
                }
            }
        }
        per_step.push(steps);
    }
    lines.sort_by_key(|(time, _)| *time);
    let mut text = String::from("# TYPE slo_events counter\n");
    for (_, line) in lines {
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str("# EOF\n");
    let Some(prometheus) = Engine::prometheus(&text, None, "1m") else {
        return;
    };
    let dir = scratch("own");
    let spec = dir.join("spec.yaml");
    std::fs::write(
        &spec,
        "service: shop\nowner: storefront\nslos:\n  - {name: checkout-availability, objective: 99.5%}\n  - name: search-latency\n    objective: 95%\n    sli: {latency: {threshold: 100ms}}\n",
    )
    .unwrap();
    let run = |format: &str| {
        slo_binary()
            .args([
                "suggest",
                "--prometheus",
                &prometheus.url(),
                "--source",
                "slo",
            ])
            .args([
                "--from",
                "2026-11-01T00:00:00Z",
                "--to",
                "2026-11-08T00:00:00Z",
            ])
            .args(["--spec", spec.to_str().unwrap(), "--format", format])
            .output()
            .unwrap()
    };
    let out = run("json");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["source"], "slo");
    for (s, (name, _, _, suggested)) in slos.iter().enumerate() {
        let slo = got["slos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == *name)
            .unwrap_or_else(|| panic!("no {name}: {got}"));
        let exact = achieved(&per_step[s]);
        assert!(
            (slo["achieved"].as_f64().unwrap() - exact).abs() < 1e-9,
            "{name}: {} against {exact}",
            slo["achieved"]
        );
        assert_eq!(suggest_objective(exact), *suggested, "the design");
        assert_eq!(slo["suggested_objective"], *suggested, "{name}");
        assert!(slo["route"].is_null());
        let (pages, tickets) = incidents(&per_step[s], *suggested);
        assert_eq!(slo["backtest"]["incidents"]["page"], pages, "{name}");
        assert_eq!(slo["backtest"]["incidents"]["ticket"], tickets, "{name}");
        let current = if s == 0 { 0.995 } else { 0.95 };
        let (pages, tickets) = incidents(&per_step[s], current);
        assert_eq!(slo["current"]["objective"], current);
        assert_eq!(slo["current"]["incidents"]["page"], pages, "{name}");
        assert_eq!(slo["current"]["incidents"]["ticket"], tickets, "{name}");
    }
    // The burst pages at 99.9%.
    assert!(incidents(&per_step[0], 0.999).0 > 0);
    let out = run("yaml");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let written = slo_core::Spec::from_yaml(&text).unwrap();
    assert_eq!(written.owner(), Some("storefront"));
    assert_eq!(
        written.slo("checkout-availability").unwrap().objective(),
        0.999
    );
    let search = written.slo("search-latency").unwrap();
    assert_eq!(search.objective(), 0.99);
    assert_eq!(
        search.sli(),
        &slo_core::Sli::Latency {
            threshold: Duration::from_millis(100)
        }
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An HTTP answer with `body`, for [`raw_peer`].
fn canned(status: &str, body: &str) -> &'static [u8] {
    let text = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    Box::leak(text.into_boxed_str()).as_bytes()
}
