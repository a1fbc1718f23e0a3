//! A monthly report (November 2026) for 20 SLOs over a 3-instance fleet,
//! from a local Prometheus holding 34 days of their `slo_events_total` at a
//! 1-minute scrape interval (12.3 M samples, backfilled with `promtool tsdb
//! create-blocks-from openmetrics`), with one restart per instance: the
//! queries, the counts and the Markdown, JSON and HTML.
//!
//! Needs Debian's `prometheus` and `promtool` on the PATH (it says so and
//! does nothing without them). `cargo bench -p slo-prometheus --features
//! query --bench report`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use slo_core::{SloDefinition, Spec};
use slo_fleet::query::Matchers;
use slo_fleet::report::{ReportQuery, ReportRange, html, markdown};
use slo_test_support::Engine;

const SLOS: usize = 20;
const INSTANCES: usize = 3;
/// 2026-10-28T00:00:00Z to 2026-12-01T00:00:00Z.
const START: i64 = 1_793_145_600;
const END: i64 = 1_796_083_200;

fn history(path: &std::path::Path) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "# TYPE slo_events counter").unwrap();
    let mut line = String::new();
    // OpenMetrics wants each series' samples together.
    for slo in 0..SLOS {
        for instance in 0..INSTANCES {
            for (outcome, per_minute) in [("good", 997u64), ("bad", 3u64)] {
                let restart = START + (10 + 5 * instance as i64) * 86_400;
                let mut value = 0u64;
                let mut t = START;
                while t <= END {
                    if t == restart {
                        value = 0;
                    }
                    line.clear();
                    writeln!(
                        line,
                        "slo_events_total{{job=\"bench\",instance=\"i{instance}\",slo=\"slo-{slo}\",outcome=\"{outcome}\"}} {value} {t}"
                    )
                    .unwrap();
                    file.write_all(line.as_bytes()).unwrap();
                    value += per_minute;
                    t += 60;
                }
            }
        }
    }
    writeln!(file, "# EOF").unwrap();
}

fn report(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("slo-bench-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("history.om");
    history(&input);
    let Some(prometheus) = Engine::prometheus_from_file(&input, None, "1m") else {
        eprintln!(
            "report bench: needs prometheus and promtool (apt-get install prometheus); skipped"
        );
        return;
    };
    let mut spec = Spec::builder("bench");
    for i in 0..SLOS {
        spec = spec.slo(SloDefinition::builder(format!("slo-{i}")).objective(0.999));
    }
    let spec = spec.build().unwrap();
    let query = ReportQuery::new(&prometheus.url())
        .unwrap()
        .selector(Matchers::parse(r#"job="bench""#).unwrap())
        .timeout(Duration::from_secs(60));
    let month = ReportRange::month("2026-11").unwrap();
    let first = query.run(&spec, month).unwrap();
    // Every SLO read whole: 3 instances of 1,000 a minute for 30 days, less
    // the minute each restart lost (its sample reads 0).
    for slo in &first.slos {
        assert_eq!(slo.events.total, 3 * 1000 * (30 * 1440 - 1), "{}", slo.name);
    }
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.bench_function("month, 20 SLOs, 3 instances, local Prometheus", |b| {
        b.iter(|| query.run(&spec, month).unwrap())
    });
    group.bench_function("render markdown + json + html, 20 SLOs", |b| {
        b.iter(|| (markdown(&first), first.to_json(), html(&first)))
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, report);
criterion_main!(benches);
