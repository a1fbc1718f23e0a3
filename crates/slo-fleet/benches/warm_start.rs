//! Warm start of 100 SLOs (30d periods) from a local Prometheus holding 30
//! days of their `slo_events_total` at a 1-minute scrape interval (8.6 M
//! samples, backfilled with `promtool tsdb create-blocks-from openmetrics`):
//! the eight range queries and the windows built from them.
//!
//! Needs Debian's `prometheus` and `promtool` on the PATH (it says so and
//! does nothing without them). `cargo bench -p slo-prometheus --features
//! query --bench warm_start`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use slo_core::{Clock, SloDefinition, Spec, SystemClock, Timestamp};
use slo_fleet::query::Matchers;
use slo_fleet::warm_start::WarmStart;

const SLOS: usize = 100;
const DAYS: i64 = 30;

struct Prometheus(Child);

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// 30 days of per-minute counters for `SLOS` SLOs ending at `end`
/// (seconds), backfilled into `dir/data`.
fn backfill(dir: &Path, end: i64) {
    let input = dir.join("history.om");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
    writeln!(file, "# TYPE slo_events counter").unwrap();
    let mut line = String::new();
    // OpenMetrics wants each series' samples together.
    for slo in 0..SLOS {
        for (outcome, per_minute) in [("good", 999u64), ("bad", 1u64)] {
            let mut value = 0u64;
            for minute in 0..=DAYS * 1440 {
                line.clear();
                let t = end - (DAYS * 1440 - minute) * 60;
                writeln!(
                    line,
                    "slo_events_total{{job=\"bench\",slo=\"slo-{slo}\",outcome=\"{outcome}\"}} {value} {t}"
                )
                .unwrap();
                file.write_all(line.as_bytes()).unwrap();
                value += per_minute;
            }
        }
    }
    writeln!(file, "# EOF").unwrap();
    drop(file);
    let status = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(dir.join("data"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_file(&input).unwrap();
}

fn start(dir: &Path) -> (Prometheus, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    std::fs::write(dir.join("prometheus.yml"), "global: {}\n").unwrap();
    let child = Command::new("prometheus")
        .arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg("--storage.tsdb.retention.time=400d")
        .arg(format!("--web.listen-address={addr}"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "Prometheus never listened");
        std::thread::sleep(Duration::from_millis(200));
    }
    (Prometheus(child), addr)
}

fn warm_start(c: &mut Criterion) {
    if !have("prometheus") || !have("promtool") {
        eprintln!(
            "warm_start bench: needs prometheus and promtool (apt-get install prometheus); skipped"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("slo-bench-warm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let now = SystemClock::new().now();
    let end = now.as_unix_nanos() / 1_000_000_000 / 60 * 60 - 60;
    let took = Instant::now();
    backfill(&dir, end);
    eprintln!("backfilled {SLOS} SLOs × 30 days in {:?}", took.elapsed());
    let (_prometheus, addr) = start(&dir);
    let mut spec = Spec::builder("bench");
    for i in 0..SLOS {
        spec = spec.slo(SloDefinition::builder(format!("slo-{i}")).objective(0.999));
    }
    let spec = spec.build().unwrap();
    let warm = WarmStart::new(&format!("http://{addr}"))
        .unwrap()
        .selector(Matchers::parse(r#"job="bench""#).unwrap())
        .timeout(Duration::from_secs(30));
    let at = Timestamp::from_unix_nanos((end + 60) * 1_000_000_000);
    // Prometheus answers once it has loaded its blocks.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (_, report) = warm.backfill(&spec, at);
        if report.loaded.len() == SLOS {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never loaded: {}",
            report.summary()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut group = c.benchmark_group("warm start");
    group.sample_size(10);
    group.bench_function("100 SLOs, 30 days at 1m, local Prometheus", |b| {
        b.iter(|| {
            let (backfill, report) = warm.backfill(&spec, at);
            assert_eq!(report.loaded.len(), SLOS);
            backfill
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, warm_start);
criterion_main!(benches);
