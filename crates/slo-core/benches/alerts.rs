//! What alert evaluation adds to a tick: 1,000 SLOs with traffic, a tick
//! when nothing changes, without a subscriber (no evaluation) and with one
//! (every SLO's tiers and budget evaluated and compared).
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use slo_core::{ManualClock, Registry, SloDefinition, Spec, Timestamp};

const SLOS: usize = 1000;

fn registry(clock: &ManualClock) -> Registry {
    let mut b = Spec::builder("bench");
    for i in 0..SLOS {
        b = b.slo(SloDefinition::builder(format!("slo-{i}")).objective(0.999));
    }
    let registry = Registry::builder(b.build().expect("valid spec"))
        .clock(clock.clone())
        .build();
    let handles: Vec<_> = registry.handles().map(|(_, h)| h.clone()).collect();
    // An hour of traffic at a quarter of the budget, ticked every 10 s.
    for step in 0..360 {
        for h in &handles {
            for e in 0..100 {
                h.record(e != 0 || step % 40 != 0);
            }
        }
        clock.advance(Duration::from_secs(10));
        registry.tick();
    }
    registry
}

fn alerts(c: &mut Criterion) {
    let clock = ManualClock::new(Timestamp::from_unix_nanos(1_790_000_000_000_000_000));
    let registry = registry(&clock);
    let mut g = c.benchmark_group("alerts/1000-slos");
    g.bench_function("tick, no subscriber", |b| b.iter(|| registry.tick()));
    let receiver = registry.subscribe_alerts(1024);
    registry.tick();
    g.bench_function("tick, a subscriber, nothing changes", |b| {
        b.iter(|| registry.tick())
    });
    assert!(receiver.try_recv().is_none(), "something fired");
    g.finish();
}

criterion_group!(benches, alerts);
criterion_main!(benches);
