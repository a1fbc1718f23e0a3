//! PromQL engines holding a given history: a real Prometheus whose blocks
//! `promtool tsdb create-blocks-from openmetrics` wrote, and a real
//! VictoriaMetrics fed through `/api/v1/import/prometheus`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test whose peer does not start, or does not answer, cannot run"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::alertmanager::http;
use crate::{Peer, find_program, free_port, require, require_found};

/// A running engine: its process (killed on drop, with its data) and
/// address.
#[derive(Debug)]
pub struct Engine {
    peer: Peer,
    dir: PathBuf,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.peer.child.kill();
        let _ = self.peer.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn scratch(what: &str) -> PathBuf {
    static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "slo-{what}-{}-{}",
        std::process::id(),
        STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

impl Engine {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A real Prometheus holding `openmetrics` (OpenMetrics text with
    /// timestamps in seconds, ending `# EOF`), loading `rules` (a rule
    /// file's YAML) when given, evaluating every `evaluation_interval`.
    /// Ready to answer when returned; `None` when Prometheus or promtool
    /// is not installed.
    pub fn prometheus(
        openmetrics: &str,
        rules: Option<&str>,
        evaluation_interval: &str,
    ) -> Option<Engine> {
        let dir = scratch("openmetrics");
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("history.om");
        std::fs::write(&input, openmetrics).unwrap();
        let engine = Engine::prometheus_from_file(&input, rules, evaluation_interval);
        let _ = std::fs::remove_dir_all(&dir);
        engine
    }

    /// [`Engine::prometheus`] for a history too large to hold in memory:
    /// the OpenMetrics text in a file, removed once it is backfilled.
    pub fn prometheus_from_file(
        input: &Path,
        rules: Option<&str>,
        evaluation_interval: &str,
    ) -> Option<Engine> {
        let install = "apt-get install prometheus";
        if !require(
            "prometheus",
            find_program(&["prometheus"]).is_some(),
            install,
        ) || !require("promtool", find_program(&["promtool"]).is_some(), install)
        {
            return None;
        }
        let dir = scratch("prometheus");
        std::fs::create_dir_all(dir.join("data")).unwrap();
        // Blocks of up to 10 days: promtool writes 2h blocks by default,
        // which takes minutes for a month.
        let backfilled = Command::new("promtool")
            .args([
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                "--max-block-duration=240h",
            ])
            .arg(input)
            .arg(dir.join("data"))
            .output()
            .unwrap();
        assert!(
            backfilled.status.success(),
            "promtool: {}",
            String::from_utf8_lossy(&backfilled.stderr)
        );
        std::fs::remove_file(input).unwrap();
        let mut config = format!("global:\n  evaluation_interval: {evaluation_interval}\n");
        if let Some(rules) = rules {
            std::fs::write(dir.join("rules.yml"), rules).unwrap();
            config.push_str("rule_files: [rules.yml]\n");
        }
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let mut command = Command::new("prometheus");
        command
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            // The default retention (15d) would delete the history at start.
            .arg("--storage.tsdb.retention.time=400d");
        // It listens before it has loaded its blocks, answering 503.
        Some(Engine::start(command, dir, addr, "/-/ready"))
    }

    /// A real Prometheus scraping `target` (`HOST:PORT`, its `/metrics`)
    /// as job `job` every second; ready when returned; `None` when it is
    /// not installed.
    pub fn prometheus_scraping(job: &str, target: &str) -> Option<Engine> {
        if !require(
            "prometheus",
            find_program(&["prometheus"]).is_some(),
            "apt-get install prometheus",
        ) {
            return None;
        }
        let dir = scratch("scraping");
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::write(
            dir.join("prometheus.yml"),
            format!(
                "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let mut command = Command::new("prometheus");
        command
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"));
        Some(Engine::start(command, dir, addr, "/-/ready"))
    }

    /// A real VictoriaMetrics holding `text` (Prometheus text with
    /// timestamps in milliseconds), every series searchable when returned
    /// (`series` of them); `None` when it is not installed.
    pub fn victoria_metrics(text: &str, series: usize) -> Option<Engine> {
        let program = require_found(
            "victoria-metrics",
            find_program(&["victoria-metrics", "victoria-metrics-prod"]),
            "apt-get install victoria-metrics",
        )?;
        let dir = scratch("victoria");
        std::fs::create_dir_all(&dir).unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let mut command = Command::new(program);
        command
            .arg(format!("-storageDataPath={}", dir.display()))
            .arg(format!("-httpListenAddr={addr}"))
            .arg("-retentionPeriod=1y")
            // Answer up to now, not up to 30 s ago.
            .arg("-search.latencyOffset=0s");
        let engine = Engine::start(command, dir, addr, "/health");
        let url = format!("{}/api/v1/import/prometheus", engine.url());
        let (status, body) = http(&url, "POST", Some(text.as_bytes())).unwrap();
        assert!(
            status < 300,
            "import: {status} {}",
            String::from_utf8_lossy(&body)
        );
        let _ = http(
            &format!("{}/internal/force_flush", engine.url()),
            "GET",
            None,
        );
        engine.wait("/api/v1/series/count", |_, body| {
            serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v["data"][0].as_u64())
                .is_some_and(|n| n as usize >= series)
        });
        Some(engine)
    }

    /// Runs `command`, an engine keeping its data in `dir` and listening on
    /// `addr`, and waits until `ready` answers 200.
    fn start(command: Command, dir: PathBuf, addr: String, ready: &str) -> Engine {
        let engine = Engine {
            peer: Peer::spawn_with_stderr(command, Stdio::null()),
            dir,
            addr,
        };
        engine.wait(ready, |status, _| status == 200);
        engine
    }

    /// `GET path` until `done(status, body)`, for up to two minutes.
    fn wait(&self, path: &str, done: impl Fn(u16, &[u8]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let url = format!("{}{path}", self.url());
        loop {
            if let Some((status, body)) = http(&url, "GET", None)
                && done(status, &body)
            {
                return;
            }
            if Instant::now() > deadline {
                panic!("{url} never got ready");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// An instant query's `data.result` at `time` (seconds since the epoch).
    pub fn query(&self, promql: &str, time: i64) -> serde_json::Value {
        self.result("query", promql, &format!("time={time}"))
    }

    /// A range query's `data.result` from `start` to `end` every `step`
    /// (seconds).
    pub fn query_range(&self, promql: &str, start: i64, end: i64, step: i64) -> serde_json::Value {
        self.result(
            "query_range",
            promql,
            &format!("start={start}&end={end}&step={step}"),
        )
    }

    /// `data.result` of `/api/v1/<endpoint>?query=<promql>&<at>`, which
    /// must answer 200.
    fn result(&self, endpoint: &str, promql: &str, at: &str) -> serde_json::Value {
        let url = format!(
            "{}/api/v1/{endpoint}?query={}&{at}",
            self.url(),
            encode(promql)
        );
        let (status, body) = http(&url, "GET", None).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(status, 200, "{promql}: {json}");
        json["data"]["result"].clone()
    }

    /// Where its data lives.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// `text` percent-encoded for a query string.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
