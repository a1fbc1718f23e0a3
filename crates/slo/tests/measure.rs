//! `#[slo::measure]` on real functions, methods and futures, each test with
//! its own scoped registry: exact counts, latency classification, panics,
//! cancellation, several SLOs per function, and unknown names reported once.
#![cfg(feature = "macros")]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use slo::measure::{ScopeExt, with_registry};
use slo::{Registry, Spec};

const SPEC: &str = r#"
service: jobs
slos:
  - name: sync-availability
    objective: 0.99
  - name: sync-latency
    objective: 0.99
    sli: {latency: {threshold: 50ms}}
  - name: other
    objective: 0.99
"#;

fn registry() -> Registry {
    Registry::new(Spec::from_yaml(SPEC).unwrap())
}

/// (good, bad) of an SLO.
fn totals(registry: &Registry, name: &str) -> (u64, u64) {
    let totals = registry.totals(name).unwrap();
    (totals.good, totals.bad)
}

fn excluded(registry: &Registry, name: &str) -> u64 {
    registry.totals(name).unwrap().excluded
}

#[derive(Debug, PartialEq)]
struct SyncError;

#[slo::measure("sync-availability")]
fn fallible(fail: bool) -> Result<u32, SyncError> {
    if fail {
        return Err(SyncError);
    }
    let parsed: u32 = "7".parse().map_err(|_| SyncError)?;
    Ok(parsed)
}

#[slo::measure("sync-availability", "sync-latency")]
fn sleeps(ms: u64) -> std::io::Result<()> {
    std::thread::sleep(Duration::from_millis(ms));
    Ok(())
}

#[slo::measure("other")]
fn infallible(x: u32) -> u32 {
    x * 2
}

#[slo::measure("other", good_if = |n| *n < 10)]
fn counted(n: u32) -> u32 {
    n
}

#[slo::measure("sync-availability")]
fn panics(really: bool) -> Result<(), SyncError> {
    if really {
        panic!("measured panic");
    }
    Ok(())
}

#[test]
fn sync_calls_are_counted_exactly_and_results_pass_through() {
    let registry = registry();
    with_registry(&registry, || {
        for i in 0..30 {
            let result = fallible(i % 3 == 0);
            assert_eq!(result.is_err(), i % 3 == 0);
        }
        assert_eq!(fallible(false), Ok(7));
        for x in 0..5 {
            assert_eq!(infallible(x), x * 2);
        }
        for n in [1, 5, 10, 20] {
            assert_eq!(counted(n), n);
        }
    });
    assert_eq!(totals(&registry, "sync-availability"), (21, 10));
    // 5 infallible calls are good; good_if: 1 and 5 good, 10 and 20 bad.
    assert_eq!(totals(&registry, "other"), (7, 2));
}

#[test]
fn several_slos_on_one_function_and_latency_against_the_threshold() {
    let registry = registry();
    with_registry(&registry, || {
        for _ in 0..3 {
            sleeps(1).unwrap();
        }
        sleeps(80).unwrap();
    });
    assert_eq!(totals(&registry, "sync-availability"), (4, 0));
    // 50ms threshold: three fast calls good, the 80ms one bad.
    assert_eq!(totals(&registry, "sync-latency"), (3, 1));
    let histogram = registry
        .handle("sync-latency")
        .unwrap()
        .latency_histogram()
        .unwrap();
    assert_eq!(histogram.counts.iter().sum::<u64>(), 4);
}

#[test]
fn a_panic_is_bad_and_keeps_unwinding() {
    let registry = registry();
    with_registry(&registry, || {
        panics(false).unwrap();
        let caught = std::panic::catch_unwind(|| panics(true));
        assert!(caught.is_err());
    });
    assert_eq!(totals(&registry, "sync-availability"), (1, 1));
}

#[test]
fn without_a_registry_nothing_is_recorded() {
    let registry = registry();
    // No scope here, and no global registry in this test binary.
    assert!(slo::measure::global().is_none());
    assert_eq!(fallible(true), Err(SyncError));
    assert_eq!(totals(&registry, "sync-availability"), (0, 0));
}

struct Worker {
    done: u32,
}

trait Job {
    async fn run(&self, fail: bool) -> Result<(), SyncError>;

    #[slo::measure("other")]
    fn describe(&self) -> String {
        "job".to_owned()
    }
}

impl Worker {
    #[slo::measure("sync-availability")]
    fn step(&mut self, fail: bool) -> Result<u32, SyncError> {
        if fail {
            return Err(SyncError);
        }
        self.done += 1;
        Ok(self.done)
    }

    #[slo::measure("other")]
    fn into_done(self) -> u32 {
        self.done
    }

    #[slo::measure("other")]
    fn generic<T: std::fmt::Debug>(&self, value: T) -> Result<T, String> {
        if format!("{value:?}").is_empty() {
            Err("empty".into())
        } else {
            Ok(value)
        }
    }
}

impl Job for Worker {
    #[slo::measure("sync-availability", "sync-latency")]
    async fn run(&self, fail: bool) -> Result<(), SyncError> {
        tokio::task::yield_now().await;
        if fail { Err(SyncError) } else { Ok(()) }
    }
}

#[test]
fn methods_generic_functions_and_trait_methods() {
    let registry = registry();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    with_registry(&registry, || {
        let mut worker = Worker { done: 0 };
        assert_eq!(worker.step(false), Ok(1));
        assert_eq!(worker.step(true), Err(SyncError));
        assert_eq!(worker.generic(5), Ok(5));
        assert_eq!(worker.generic(""), Ok(""));
        assert_eq!(worker.describe(), "job");
        runtime.block_on(async {
            worker.run(false).await.unwrap();
            worker.run(true).await.unwrap_err();
        });
        assert_eq!(worker.into_done(), 1);
    });
    assert_eq!(totals(&registry, "sync-availability"), (2, 2));
    assert_eq!(totals(&registry, "sync-latency"), (1, 1));
    assert_eq!(totals(&registry, "other"), (4, 0));
}

#[slo::measure("sync-availability", "sync-latency")]
async fn fetch(ms: u64, fail: bool) -> Result<u64, String> {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    if fail {
        return Err(format!("failed after {ms}ms"));
    }
    Ok(ms)
}

#[test]
fn async_calls_are_timed_to_completion_on_a_multi_thread_runtime() {
    let registry = registry();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut handles = Vec::new();
        for i in 0..40u64 {
            // Every fourth fails; every tenth takes 80ms (> 50ms).
            let slow = i % 10 == 0;
            let call = fetch(if slow { 80 } else { 1 }, i % 4 == 0);
            // Spawned on any worker thread, each future carries its scope.
            handles.push(tokio::spawn(call.scoped(registry.clone())));
        }
        for handle in handles {
            let _ = handle.await.unwrap();
        }
    });
    // Availability: 10 of 40 fail.
    assert_eq!(totals(&registry, "sync-availability"), (30, 10));
    // Latency: bad when failed (10) or slow and not failed (10 and 30: 2).
    assert_eq!(totals(&registry, "sync-latency"), (28, 12));
}

#[test]
fn dropped_futures_follow_the_cancellation_rule() {
    let registry = registry();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(
        async {
            // Given up after 10ms, before the 50ms threshold: excluded from both.
            let early = tokio::time::timeout(Duration::from_millis(10), fetch(1000, false)).await;
            assert!(early.is_err());
            // Given up after 120ms: bad for the latency SLI, excluded from
            // availability (the call had not failed).
            let late = tokio::time::timeout(Duration::from_millis(120), fetch(1000, false)).await;
            assert!(late.is_err());
            // A future never polled records nothing at all.
            drop(fetch(1, false));
        }
        .scoped(registry.clone()),
    );
    assert_eq!(totals(&registry, "sync-availability"), (0, 0));
    assert_eq!(excluded(&registry, "sync-availability"), 2);
    assert_eq!(totals(&registry, "sync-latency"), (0, 1));
    assert_eq!(excluded(&registry, "sync-latency"), 1);
}

#[slo::measure("sync-availability", "no-such-slo", "another-missing")]
fn partly_unknown() -> Result<(), SyncError> {
    Ok(())
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn unknown_names_are_reported_once_and_known_ones_still_count() {
    let registry = registry();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        with_registry(&registry, || {
            for _ in 0..100 {
                partly_unknown().unwrap();
            }
        });
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("measure::partly_unknown"), "{log}");
    assert!(log.contains("no-such-slo, another-missing"), "{log}");
    assert_eq!(totals(&registry, "sync-availability"), (100, 0));
}

#[test]
fn nested_scopes_record_into_the_innermost() {
    let outer = registry();
    let inner = registry();
    with_registry(&outer, || {
        fallible(false).unwrap();
        with_registry(&inner, || {
            fallible(true).unwrap_err();
        });
        fallible(false).unwrap();
    });
    assert_eq!(totals(&outer, "sync-availability"), (2, 0));
    assert_eq!(totals(&inner, "sync-availability"), (0, 1));
}

#[async_trait::async_trait]
trait Store: Send + Sync {
    async fn save(&self, key: u32) -> Result<u32, String>;
}

struct SlowStore;

#[async_trait::async_trait]
impl Store for SlowStore {
    // `#[async_trait]` turns this into a fn returning a boxed future before
    // the attribute runs: the attribute still measures the call to its end.
    #[slo::measure("sync-availability", "sync-latency")]
    async fn save(&self, key: u32) -> Result<u32, String> {
        tokio::time::sleep(Duration::from_millis(if key == 0 { 80 } else { 1 })).await;
        if key % 2 == 1 {
            return Err(format!("odd key {key}"));
        }
        Ok(key)
    }
}

#[test]
fn async_trait_methods_are_measured_to_completion() {
    let registry = registry();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store: Box<dyn Store> = Box::new(SlowStore);
    runtime.block_on(
        async {
            for key in 0..6 {
                let _ = store.save(key).await;
            }
            // Dropped after the latency threshold: bad for latency only.
            let late = tokio::time::timeout(Duration::from_millis(60), store.save(0)).await;
            assert!(late.is_err());
        }
        .scoped(registry.clone()),
    );
    // Keys 1, 3, 5 fail.
    assert_eq!(totals(&registry, "sync-availability"), (3, 3));
    assert_eq!(excluded(&registry, "sync-availability"), 1);
    // Latency: the failures, the 80ms key 0, and the late drop.
    assert_eq!(totals(&registry, "sync-latency"), (2, 5));
}

/// What an export did: records written and dropped.
struct Export {
    written: u64,
    dropped: u64,
}

/// One call, a batch of events: the records, from the result. A failed
/// export counts one bad event.
#[slo::measure(
    "other",
    batch = |r: &Result<Export, SyncError>| r.as_ref().map_or((0, 1), |e| (e.written, e.dropped))
)]
fn export(written: u64, dropped: u64, fail: bool) -> Result<Export, SyncError> {
    if fail {
        return Err(SyncError);
    }
    Ok(Export { written, dropped })
}

/// The same, stacked with a one-event-per-call attribute, and async.
#[slo::measure("other", batch = |e: &Export| (e.written, e.dropped))]
#[slo::measure("sync-availability", good_if = |e: &Export| e.dropped == 0)]
async fn export_async(written: u64, dropped: u64) -> Export {
    tokio::task::yield_now().await;
    Export { written, dropped }
}

#[test]
fn a_batch_is_counted_from_the_result_in_one_step() {
    let registry = registry();
    with_registry(&registry, || {
        assert_eq!(export(9_995, 5, false).unwrap().written, 9_995);
        assert!(export(0, 0, true).is_err());
        assert_eq!(export(10, 0, false).unwrap().dropped, 0);
    });
    assert_eq!(totals(&registry, "other"), (10_005, 6));
    let reasons = registry.totals("other").unwrap().bad_reasons;
    assert_eq!(reasons.get(slo::reasons::BadReason::Error), 6);

    let registry = self::registry();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(
        async {
            export_async(100, 2).await;
            export_async(50, 0).await;
        }
        .scoped(registry.clone()),
    );
    assert_eq!(totals(&registry, "other"), (150, 2));
    assert_eq!(totals(&registry, "sync-availability"), (1, 1));
}
