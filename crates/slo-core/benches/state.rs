//! Durable windows for 1,000 SLOs that have seen two days of traffic:
//! taking and encoding a snapshot, writing it to a file, reading and
//! restoring it, and the file's size per SLO.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use slo_core::state::{Snapshot, StateFile};
use slo_core::{ManualClock, Registry, SloDefinition, Spec, Timestamp};

const SLOS: usize = 1000;

fn spec() -> Spec {
    let mut b = Spec::builder("bench");
    for i in 0..SLOS {
        let slo = SloDefinition::builder(format!("slo-{i}")).objective(0.999);
        b = b.slo(if i % 2 == 0 {
            slo.latency(Duration::from_millis(250))
        } else {
            slo.route("POST /checkout")
        });
    }
    b.build().expect("valid spec")
}

/// Two days of traffic, a few hundred events a minute per SLO, ticked
/// every minute.
fn warmed(clock: &ManualClock) -> Registry {
    let r = Registry::builder(spec()).clock(clock.clone()).build();
    let handles: Vec<_> = r.handles().map(|(_, h)| h.clone()).collect();
    for step in 0..(2 * 86_400 / 60) {
        clock.set(Timestamp::from_unix_nanos(step * 60 * 1_000_000_000));
        for (i, h) in handles.iter().enumerate() {
            for e in 0..(200 + (step as usize + i) % 300) {
                h.record_latency(Duration::from_millis((e % 400) as u64), e % 211 != 0);
            }
        }
        r.tick();
    }
    r
}

fn state(c: &mut Criterion) {
    let clock = ManualClock::new(Timestamp::EPOCH);
    let registry = warmed(&clock);
    let bytes = registry.snapshot().to_bytes();
    eprintln!(
        "state/file: {} bytes for {SLOS} SLOs, {} bytes per SLO",
        bytes.len(),
        bytes.len() / SLOS
    );
    let dir = std::env::temp_dir().join(format!("slo-bench-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = StateFile::new(dir.join("bench.slo-state"));
    let mut g = c.benchmark_group("state/1000-slos");
    g.sample_size(20);
    g.bench_function("snapshot", |b| b.iter(|| registry.snapshot()));
    g.bench_function("snapshot + encode", |b| {
        b.iter(|| registry.snapshot().to_bytes())
    });
    g.bench_function("snapshot + atomic write (fsync)", |b| {
        b.iter(|| file.write(&registry.snapshot()).unwrap())
    });
    g.bench_function("decode + restore", |b| {
        b.iter(|| {
            let snapshot = Snapshot::from_bytes(&bytes).unwrap();
            Registry::builder(spec())
                .clock(clock.clone())
                .restore(snapshot)
                .build()
        })
    });
    g.bench_function("build without restore (for comparison)", |b| {
        b.iter(|| Registry::builder(spec()).clock(clock.clone()).build())
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, state);
criterion_main!(benches);
