//! Cost of computing the status of 1 and 1,000 SLOs (and of 1,000 with
//! 100 journeys, with its JSON), and memory per SLO.
#![allow(missing_docs, unsafe_code, clippy::expect_used, clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use slo_core::__private::memory_per_slo;
use slo_core::spec::{Alerting, TierSpec};
use slo_core::windows::Severity;
use slo_core::{JourneyDefinition, ManualClock, Registry, SloDefinition, Spec, Timestamp};

/// Counts live heap bytes, to measure memory per SLO.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged, only counting sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Eight tiers of sixteen distinct windows (1m … 1280m), and every budget
/// alert: the most windows an SLO can keep (twenty with the status,
/// exhaustion, chart and period windows).
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

fn spec_with_tiers(n: usize) -> Spec {
    let mut b = Spec::builder("bench");
    for i in 0..n {
        b = b.slo(
            SloDefinition::builder(format!("slo-{i}"))
                .objective(0.999)
                .alerting(eight_tiers()),
        );
    }
    b.build().expect("valid spec")
}

fn spec(n: usize, latency: bool) -> Spec {
    let mut b = Spec::builder("bench");
    for i in 0..n {
        let slo = SloDefinition::builder(format!("slo-{i}")).objective(0.999);
        b = b.slo(if latency {
            slo.latency(Duration::from_millis(250))
        } else {
            slo
        });
    }
    b.build().expect("valid spec")
}

/// `n` availability SLOs and `journeys` journeys of three steps each,
/// over SLOs 0–2, 3–5, …
fn spec_with_journeys(n: usize, journeys: usize) -> Spec {
    let mut b = Spec::builder("bench");
    for i in 0..n {
        b = b.slo(SloDefinition::builder(format!("slo-{i}")).objective(0.999));
    }
    for j in 0..journeys {
        let steps = (0..3).map(|k| format!("slo-{}", (3 * j + k) % n));
        b = b.journey(
            JourneyDefinition::builder(format!("journey-{j}"))
                .objective(0.995)
                .steps(steps),
        );
    }
    b.build().expect("valid spec")
}

/// A registry that has seen 2 days of traffic, ticked every minute.
fn warmed(n: usize, journeys: usize) -> (Registry, ManualClock) {
    let clock = ManualClock::new(Timestamp::EPOCH);
    let r = Registry::builder(spec_with_journeys(n, journeys))
        .clock(clock.clone())
        .build();
    let handles: Vec<_> = r.handles().map(|(_, h)| h.clone()).collect();
    for step in 0..(2 * 86_400 / 60) {
        clock.set(Timestamp::from_unix_nanos(step * 60 * 1_000_000_000));
        for h in &handles {
            h.record(step % 97 != 0);
        }
        r.tick();
    }
    (r, clock)
}

fn status(c: &mut Criterion) {
    let mut g = c.benchmark_group("status");
    for n in [1usize, 1000] {
        let (r, _clock) = warmed(n, 0);
        g.bench_function(format!("{n}-slos"), |b| b.iter(|| r.status()));
    }
    // What `/slo` does with journeys: the status, then its JSON.
    let (r, _clock) = warmed(1000, 100);
    g.bench_function("1000-slos-100-journeys", |b| b.iter(|| r.status()));
    g.bench_function("1000-slos-100-journeys-json", |b| {
        b.iter(|| serde_json::to_vec(&r.status()).expect("serializable"))
    });
    g.finish();
}

fn memory(_c: &mut Criterion) {
    for (kind, latency) in [("availability", false), ("latency", true)] {
        let before = LIVE.load(Ordering::Relaxed);
        let spec = spec(1000, latency);
        let after_spec = LIVE.load(Ordering::Relaxed);
        // 4 shards: the default on 2 CPUs (twice the CPUs); 32 from 16 CPUs on.
        let r = Registry::builder(spec).shards(4).build();
        let after = LIVE.load(Ordering::Relaxed);
        eprintln!(
            "memory/{kind}: {} bytes per SLO (30d period, 8 windows, 4 shards; the spec itself {} bytes per SLO); estimate {} bytes",
            (after - after_spec) / 1000,
            (after_spec - before) / 1000,
            memory_per_slo(&r, "slo-0").unwrap_or(0)
        );
        let r32 = Registry::builder(spec_of(&r)).shards(32).build();
        let after32 = LIVE.load(Ordering::Relaxed);
        eprintln!(
            "memory/{kind}: {} bytes per SLO with 32 shards",
            (after32 - after) / 1000
        );
        drop(r32);
    }
    let before = LIVE.load(Ordering::Relaxed);
    let spec = spec_with_tiers(1000);
    let after_spec = LIVE.load(Ordering::Relaxed);
    let r = Registry::builder(spec).shards(4).build();
    let after = LIVE.load(Ordering::Relaxed);
    eprintln!(
        "memory/eight-tiers: {} bytes per SLO (30d period, 20 windows, 3 budget alerts, 4 shards; the spec itself {} bytes per SLO); estimate {} bytes",
        (after - after_spec) / 1000,
        (after_spec - before) / 1000,
        memory_per_slo(&r, "slo-0").unwrap_or(0)
    );
}

fn spec_of(r: &Registry) -> Spec {
    r.spec().clone()
}

criterion_group!(benches, memory, status);
criterion_main!(benches);
