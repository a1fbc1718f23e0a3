//! What a notifier costs the service: a tick of 1,000 SLOs when nothing
//! changes, with and without a notifier attached (its subscription makes
//! every tick evaluate every SLO's tiers and budget), and recording an
//! event with and without one. The Alertmanager is a loopback listener
//! that answers 200 to everything.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use slo_alertmanager::Notifier;
use slo_core::spec::{Alerting, TierSpec};
use slo_core::windows::Severity;
use slo_core::{ManualClock, Registry, SloDefinition, Spec, Timestamp};

const SLOS: usize = 1000;

/// Eight tiers of sixteen distinct windows, none burning fast enough to
/// fire at a quarter of the budget, and every budget alert, none holding.
fn eight_tiers() -> Alerting {
    let minutes = |m: u64| Duration::from_secs(60 * m);
    (0..8u32)
        .fold(Alerting::new(), |alerting, i| {
            alerting.tier(TierSpec {
                severity: if i < 4 {
                    Severity::Page
                } else {
                    Severity::Ticket
                },
                long: minutes(10 << i),
                short: minutes(u64::from(i) + 1),
                burn_rate: f64::from(16 - i),
            })
        })
        .remaining_below(0.25)
        .exhausted_within(Duration::from_secs(3 * 86_400))
        .no_data(minutes(60))
}

fn registry(clock: &ManualClock, own_tiers: bool) -> Registry {
    let mut b = Spec::builder("bench");
    for i in 0..SLOS {
        let slo = SloDefinition::builder(format!("slo-{i}")).objective(0.999);
        b = b.slo(if own_tiers {
            slo.alerting(eight_tiers())
        } else {
            slo
        });
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

/// An Alertmanager that takes everything.
fn alertmanager() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 65536];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0
                    || stream
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                        .is_err()
                {
                    break;
                }
            }
        }
    });
    url
}

fn notifier(c: &mut Criterion) {
    let clock = ManualClock::new(Timestamp::from_unix_nanos(1_790_000_000_000_000_000));
    let registry = registry(&clock, false);
    let handle = registry.handle("slo-7").unwrap();
    let mut g = c.benchmark_group("notifier/1000-slos");
    g.bench_function("tick, no notifier", |b| b.iter(|| registry.tick()));
    g.bench_function("record, no notifier", |b| b.iter(|| handle.record(true)));
    let notifier = Notifier::builder(&registry)
        .alertmanager(&alertmanager())
        .unwrap()
        .build()
        .unwrap();
    registry.tick();
    g.bench_function("tick, a notifier, nothing changes", |b| {
        b.iter(|| registry.tick())
    });
    g.bench_function("record, a notifier", |b| b.iter(|| handle.record(true)));
    g.finish();
    assert!(registry.firing_alerts().is_empty(), "something fired");
    assert!(notifier.shutdown());
}

/// The same with eight tiers and three budget alerts an SLO.
fn eight_tier_notifier(c: &mut Criterion) {
    let clock = ManualClock::new(Timestamp::from_unix_nanos(1_790_000_000_000_000_000));
    let registry = registry(&clock, true);
    let mut g = c.benchmark_group("notifier/1000-slos-eight-tiers-budget-alerts");
    g.bench_function("tick, no notifier", |b| b.iter(|| registry.tick()));
    let notifier = Notifier::builder(&registry)
        .alertmanager(&alertmanager())
        .unwrap()
        .build()
        .unwrap();
    registry.tick();
    g.bench_function("tick, a notifier, nothing changes", |b| {
        b.iter(|| registry.tick())
    });
    g.finish();
    assert!(registry.firing_alerts().is_empty(), "something fired");
    assert!(notifier.shutdown());
}

criterion_group!(benches, notifier, eight_tier_notifier);
criterion_main!(benches);
