//! Cost of recording one event: availability and latency SLIs, one thread,
//! and two threads on the same SLO (throughput scaling).
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use slo_core::recent::{BadEvent, BadReason, Method, TraceId};
use slo_core::{Registry, SliHandle, SloDefinition, Spec};

fn registry() -> Registry {
    let spec = Spec::builder("bench")
        .slo(SloDefinition::builder("avail").objective(0.999))
        .slo(
            SloDefinition::builder("lat")
                .objective(0.99)
                .latency(Duration::from_millis(250)),
        )
        .build()
        .expect("valid spec");
    Registry::new(spec)
}

fn one_thread(c: &mut Criterion) {
    let r = registry();
    let avail = r.handle("avail").expect("defined");
    let lat = r.handle("lat").expect("defined");
    let mut g = c.benchmark_group("record/1-thread");
    g.bench_function("availability", |b| b.iter(|| avail.record(black_box(true))));
    let mut i = 0u64;
    g.bench_function("latency", |b| {
        b.iter(|| {
            i = i.wrapping_add(7_919_000);
            lat.record_latency(black_box(Duration::from_nanos(i % 400_000_000)), true)
        })
    });
    // A bad event alone, and described for the recent bad events with a
    // trace id (route, status, latency, reason, trace): what the layer
    // adds on the bad path.
    g.bench_function("bad", |b| b.iter(|| avail.record(black_box(false))));
    // A batch against a record: one add for a batch of good events alone,
    // two for one of both, whatever their size.
    g.bench_function("record_batch(1, 0)", |b| {
        b.iter(|| avail.record_batch(black_box(1), black_box(0)))
    });
    g.bench_function("record_batch(9_995, 5)", |b| {
        b.iter(|| avail.record_batch(black_box(9_995), black_box(5)))
    });
    let route = r.route_id("/checkout");
    let mut n = 0u8;
    g.bench_function("bad + recent bad event with a trace id", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            avail.record(black_box(false));
            avail.record_bad_event(BadEvent {
                method: Some(Method::Post),
                route,
                status: Some(503),
                grpc_status: None,
                latency_nanos: Some(u64::from(n) * 1000),
                reason: BadReason::ServerError,
                trace_id: TraceId::from_bytes([n | 1; 16]),
            });
        })
    });
    g.finish();
}

/// The same records on a registry whose spec has maintenance windows (none
/// holding now) and calendar-month periods, beside one without: what the
/// time side of the model costs a record (one relaxed load of the
/// maintenance flag, the same in both; nothing else changes per record).
fn with_time_features(c: &mut Criterion) {
    let plain = registry();
    let timed = Registry::new(
        Spec::from_yaml(
            "service: bench
timezone: Europe/Berlin
maintenance:
  - {start: \"2020-01-01T02:00:00Z\", duration: 1s, every: 7d}
slos:
  - name: avail
    objective: 99.9%
    period: calendar month
  - name: lat
    objective: 99%
    period: calendar month
    sli: {latency: {threshold: 250ms}}
",
        )
        .expect("valid spec"),
    );
    timed.tick();
    let mut g = c.benchmark_group("record/time-features");
    for (name, registry) in [("plain", &plain), ("maintenance + calendar", &timed)] {
        let avail = registry.handle("avail").expect("defined");
        let lat = registry.handle("lat").expect("defined");
        g.bench_function(format!("availability, {name}"), |b| {
            b.iter(|| avail.record(black_box(true)))
        });
        let mut i = 0u64;
        g.bench_function(format!("latency, {name}"), |b| {
            b.iter(|| {
                i = i.wrapping_add(7_919_000);
                lat.record_latency(black_box(Duration::from_nanos(i % 400_000_000)), true)
            })
        });
    }
    g.finish();
}

/// Runs `threads` threads, each recording `iters` events on `handle`, and
/// returns the wall time: per-iteration time is then the time for every
/// thread to record one event.
fn run_threads(threads: usize, iters: u64, handle: &SliHandle, latency: bool) -> Duration {
    let barrier = Arc::new(Barrier::new(threads + 1));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let h = handle.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let mut x = 0u64;
                for _ in 0..iters {
                    if latency {
                        x = x.wrapping_add(7_919_000);
                        h.record_latency(black_box(Duration::from_nanos(x % 400_000_000)), true);
                    } else {
                        h.record(black_box(true));
                    }
                }
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for w in workers {
        let _ = w.join();
    }
    start.elapsed()
}

/// 1 and 2 threads, and 4, 8, … up to `SLO_BENCH_THREADS` (for a
/// machine with more cores).
fn thread_counts() -> Vec<usize> {
    let max = std::env::var("SLO_BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2usize);
    let mut counts = vec![1usize, 2];
    let mut n = 4;
    while n <= max {
        counts.push(n);
        n *= 2;
    }
    counts
}

fn threads(c: &mut Criterion) {
    let counts = thread_counts();
    for kind in ["availability", "latency"] {
        let mut g = c.benchmark_group(format!("record/threads/{kind}"));
        for &t in &counts {
            let r = registry();
            let h = r
                .handle(if kind == "latency" { "lat" } else { "avail" })
                .expect("defined");
            g.throughput(criterion::Throughput::Elements(t as u64));
            g.bench_function(format!("{t}"), |b| {
                b.iter_custom(|iters| run_threads(t, iters, &h, kind == "latency"))
            });
        }
        g.finish();
    }
}

/// What one thread does per event in [`scaling`]'s variants.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Work {
    /// `record_latency` on the shared SLO's handle.
    Record,
    /// The same arithmetic on memory of the thread's own: the bucket found
    /// among the same bounds, the same three adds, into a stack array. What
    /// the machine allows for this work when nothing is shared.
    Bare,
    /// Two raw reads of the TSC clock the layer times requests with, and
    /// their difference in ns: the clock reads of one timed request.
    Clock,
    /// The clock reads and `record_latency` of the measured time: what the
    /// layer does for a timed request.
    ClockAndRecord,
}

/// The latency histogram bounds (ns) of the bench's latency SLO.
fn bounds(handle: &SliHandle) -> Vec<u64> {
    handle
        .latency_histogram()
        .map(|h| {
            h.bounds_seconds
                .iter()
                .map(|s| (s * 1e9).round() as u64)
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `threads` threads doing `work` `iters` times each; the wall time.
fn run_work(threads: usize, iters: u64, handle: &SliHandle, work: Work) -> Duration {
    let barrier = Arc::new(Barrier::new(threads + 1));
    let bounds = Arc::new(bounds(handle));
    let clock = quanta::Clock::new();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (h, barrier, bounds, clock) = (
                handle.clone(),
                Arc::clone(&barrier),
                Arc::clone(&bounds),
                clock.clone(),
            );
            std::thread::spawn(move || {
                let mut own = [0u64; 16];
                barrier.wait();
                let mut x = 0u64;
                for _ in 0..iters {
                    x = x.wrapping_add(7_919_000);
                    let nanos = black_box(x % 400_000_000);
                    match work {
                        Work::Record => {
                            h.record_latency_nanos(nanos, true);
                        }
                        Work::Bare => {
                            let bucket = bounds.iter().filter(|&&b| b < nanos).count();
                            own[0] += u64::from(nanos <= 250_000_000);
                            own[4 + bucket.min(11)] += 1;
                            own[3] = own[3].wrapping_add(nanos);
                            black_box(&mut own);
                        }
                        Work::Clock => {
                            let start = clock.raw();
                            black_box(clock.delta_as_nanos(start, clock.raw()));
                        }
                        Work::ClockAndRecord => {
                            let start = clock.raw();
                            h.record_latency_nanos(clock.delta_as_nanos(start, clock.raw()), true);
                        }
                    }
                }
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for w in workers {
        let _ = w.join();
    }
    start.elapsed()
}

/// Does latency recording scale with threads as far as the machine lets
/// this kind of work scale? Each variant on 1 and 2 threads (and more with
/// `SLO_BENCH_THREADS`), in one run: ours (`record`), the same work on
/// unshared memory (`bare`), the layer's clock reads alone (`clock`), and
/// both (`clock+record`). Throughput is events per second across threads;
/// a variant's scaling is its 2-thread throughput over its 1-thread one.
fn scaling(c: &mut Criterion) {
    let counts = thread_counts();
    let mut g = c.benchmark_group("record/scaling");
    for (name, work) in [
        ("record", Work::Record),
        ("bare", Work::Bare),
        ("clock", Work::Clock),
        ("clock+record", Work::ClockAndRecord),
    ] {
        for &t in &counts {
            let r = registry();
            let h = r.handle("lat").expect("defined");
            g.throughput(criterion::Throughput::Elements(t as u64));
            g.bench_function(format!("{name}/{t}"), |b| {
                b.iter_custom(|iters| run_work(t, iters, &h, work))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, one_thread, with_time_features, threads, scaling);
criterion_main!(benches);
