//! Helpers for the demo's tests: processes whose output is read line by
//! line, and plain HTTP/1.1 over a fresh TCP connection.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

pub use slo_test_support::{Peer, free_port};

/// The demo's checkout SLO with a 1d period, so that its alert windows
/// scale down to seconds and minutes (5m → 10s, 30m → 1m, 1h → 2m …).
pub const CHECKOUT_1D: &str = r#"  - name: checkout-availability
    objective: 99.9%
    period: 1d
    match: {routes: ["POST /checkout"]}
"#;
/// The demo's cart SLO with a 1d period.
pub const CART_1D: &str = r#"  - name: cart-availability
    objective: 99.5%
    period: 1d
    match: {routes: ["GET /cart/{id}"]}
"#;
/// The demo's search SLO with a 1d period.
pub const SEARCH_1D: &str = r#"  - name: search-latency
    objective: 99%
    period: 1d
    sli: {latency: {threshold: 100ms}}
    match: {routes: ["GET /search"]}
"#;

/// The shop's spec with these SLOs (each one of the pieces above, or
/// such a piece with more keys).
pub fn shop_spec(slos: &[&str]) -> String {
    format!("\nservice: shop\nslos:\n{}", slos.concat())
}

/// The rules' options for the demo's series alone: `job="shop"`.
pub fn job_shop() -> slo::fleet::rules::RulesOptions {
    let matchers = slo::fleet::matchers::Matchers::new().and_equal("job", "shop");
    slo::fleet::rules::RulesOptions::new().selector(matchers.expect("a valid label"))
}

/// Starts `command` with its stdout read (always: a full pipe would block it).
pub fn spawn(command: Command) -> Peer {
    Peer::spawn(command)
}

/// The demo's own `shop.yaml`, as it ships.
pub const SHIPPED_SPEC: &str = include_str!("../../shop.yaml");

/// The path of the shipped spec pinned for tests that count events: its
/// nightly maintenance window left out (a test running at that hour would
/// see checkouts excluded) and the purchase journey's steps on a rolling
/// 30d period rather than the calendar month (whose numbers depend on the date). Everything
/// else is as shipped. `tests/shipped_spec.rs` runs the spec as shipped.
pub fn pinned_spec() -> String {
    static PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let calendar = "    period: calendar month\n";
        // Checkout's, and its journey's other steps'.
        assert_eq!(SHIPPED_SPEC.matches(calendar).count(), 3);
        let shipped = SHIPPED_SPEC.replace(calendar, "    period: 30d\n");
        let mut lines: Vec<&str> = Vec::new();
        let mut in_maintenance = false;
        for line in shipped.lines() {
            if line.trim_start().starts_with("maintenance:") {
                // The block goes, and the comment just above it.
                while lines
                    .last()
                    .is_some_and(|l| l.trim_start().starts_with('#'))
                {
                    lines.pop();
                }
                in_maintenance = true;
            } else if !(in_maintenance && line.starts_with("      ")) {
                in_maintenance = false;
                lines.push(line);
            }
        }
        let pinned = lines.join("\n") + "\n";
        let spec = slo::Spec::from_yaml(&pinned).expect("the pinned spec is valid");
        assert!(spec.maintenance().is_empty(), "{pinned}");
        for definition in spec.slos() {
            assert!(definition.maintenance().is_empty(), "{pinned}");
            assert!(definition.calendar().is_none(), "{pinned}");
        }
        let path = std::env::temp_dir().join(format!("shop-pinned-{}.yaml", std::process::id()));
        std::fs::write(&path, pinned).unwrap();
        path.to_str().unwrap().to_owned()
    })
    .clone()
}

/// The demo with `args`, on a free port, with [`pinned_spec`] unless
/// `args` name a spec.
pub fn demo(args: &[&str]) -> Peer {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shop-demo"));
    command.args(["--listen", "127.0.0.1:0"]);
    if !args.contains(&"--spec") {
        command.args(["--spec", &pinned_spec()]);
    }
    // Each test starts from empty windows, unless it names a state file.
    if !args.contains(&"--state-file") {
        command.arg("--no-state");
    }
    command.args(args);
    spawn(command)
}

/// Waits for the demo's "listening on" line; returns its address.
pub fn listening(demo: &Peer) -> String {
    loop {
        let line = demo.lines.recv_timeout(Duration::from_secs(20)).unwrap();
        if line.contains("listening on") {
            return line
                .split("http://")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .unwrap_or_else(|| panic!("no address in {line:?}"))
                .to_owned();
        }
    }
}

/// One request over a fresh connection: (status, body, de-chunked).
pub fn request(addr: &str, method: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: demo\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return (status, body.to_owned());
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    (status, out)
}

/// One request with `headers` over a fresh connection: its status (0
/// when the answer is not HTTP) and raw body. It tolerates a connection
/// the server cuts, for tests that send hostile headers.
pub fn send(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: demo\r\nConnection: close\r\nContent-Length: 0\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    let status = text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

/// Whether `tool` (from Debian's `prometheus` package) is installed; fails
/// on CI when it is not.
#[track_caller]
pub fn have(tool: &str) -> bool {
    slo_test_support::require(
        tool,
        slo_test_support::find_program(&[tool]).is_some(),
        "apt-get install prometheus",
    )
}

/// The body of a GET that must succeed.
pub fn get(addr: &str, path: &str) -> String {
    let (status, body) = request(addr, "GET", path);
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// Percent-encodes a query-string value.
pub fn encode(query: &str) -> String {
    query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The SLO named `name` in the demo's `/slo` document.
pub fn slo_named(addr: &str, name: &str) -> serde_json::Value {
    let (status, body) = request(addr, "GET", "/slo");
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json["slos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no SLO {name} in {json}"))
}

/// A real Prometheus that scrapes the demo at `listen` every second,
/// evaluates the rules `slo rules` generates for `spec` (over `job="shop"`)
/// every second, and alerts to the Alertmanager on `alertmanager_port`;
/// its files under `dir`.
pub fn prometheus_alerting(
    spec: &slo::Spec,
    listen: &str,
    alertmanager_port: u16,
    dir: &std::path::Path,
) -> (Peer, String) {
    let rules_path = dir.join("rules.yaml");
    let rule_file = slo::fleet::rules::rules(spec, &job_shop());
    std::fs::write(&rules_path, rule_file.to_yaml().unwrap()).unwrap();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: ['{}']\nalerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:{alertmanager_port}']\nscrape_configs:\n  - job_name: shop\n    static_configs:\n      - targets: ['{listen}']\n",
            rules_path.display(),
        ),
    )
    .unwrap();
    prometheus(&config, dir)
}

/// A real Prometheus on a free port with `config`, storing under `dir`;
/// returns the process (killed on drop) and its address.
pub fn prometheus(config: &std::path::Path, dir: &std::path::Path) -> (Peer, String) {
    prometheus_with(config, dir, &[])
}

/// [`prometheus`] with `extra` flags.
pub fn prometheus_with(
    config: &std::path::Path,
    dir: &std::path::Path,
    extra: &[&str],
) -> (Peer, String) {
    let addr = format!("127.0.0.1:{}", free_port());
    let mut command = Command::new("prometheus");
    command
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address={addr}"))
        .args(extra)
        .stderr(Stdio::null());
    (spawn(command), addr)
}

/// Waits until something listens on `addr`.
pub fn wait_for_port(addr: &str, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(addr).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} never listened on {addr}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits until `GET path` on `addr` answers 200: Prometheus listens
/// before it has loaded its blocks, and answers 503 until then
/// (`/-/ready`).
pub fn wait_until_ready(addr: &str, path: &str, what: &str) {
    wait_for_port(addr, what);
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while request(addr, "GET", path).0 != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} never answered 200 on {path}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// An instant PromQL query: each series' `slo` label (`sloth_slo` for the
/// rules' recordings) and value.
pub fn query(prometheus: &str, promql: &str) -> Vec<(String, f64)> {
    instant(
        prometheus,
        &format!("/api/v1/query?query={}", encode(promql)),
    )
}

/// [`query`] evaluated at `at` (unix seconds) rather than now.
pub fn query_at(prometheus: &str, promql: &str, at: f64) -> Vec<(String, f64)> {
    instant(
        prometheus,
        &format!("/api/v1/query?query={}&time={at}", encode(promql)),
    )
}

/// The series of the instant query at `path`, as [`query`] gives them.
fn instant(prometheus: &str, path: &str) -> Vec<(String, f64)> {
    let body = get(prometheus, path);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "success", "{body}");
    json["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let metric = &r["metric"];
            let slo = metric["slo"].as_str().or(metric["sloth_slo"].as_str());
            let value: f64 = r["value"][1].as_str().unwrap().parse().unwrap();
            (slo.unwrap_or("").to_owned(), value)
        })
        .collect()
}
