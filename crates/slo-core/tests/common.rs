//! Helpers shared by the integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(dead_code)]

use slo_core::{ManualClock, Registry, SampleFill, SloDefinition, SloStatus, Spec, Timestamp};

pub const MIN: u64 = 60;
pub const HOUR: u64 = 3600;
pub const DAY: u64 = 86_400;

/// A registry with one SLO on a manual clock at t=0, ticked exactly.
pub fn registry_with(slo: slo_core::SloBuilder) -> (Registry, ManualClock) {
    let spec = Spec::builder("svc").slo(slo).build().expect("valid spec");
    let clock = ManualClock::new(Timestamp::EPOCH);
    let registry = Registry::builder(spec)
        .clock(clock.clone())
        .sample_fill(SampleFill::Step)
        .build();
    (registry, clock)
}

pub fn availability(objective: f64) -> slo_core::SloBuilder {
    SloDefinition::builder("a").objective(objective)
}

/// Moves the clock to `secs` (ticking before the move, as replay does).
pub fn at(registry: &Registry, clock: &ManualClock, secs: f64) {
    let t = Timestamp::from_secs_f64(secs).unwrap();
    registry.tick_at(Timestamp::from_unix_nanos(t.as_unix_nanos() - 1));
    clock.set(t);
}

/// Records `good` and `bad` events at `secs`.
pub fn record_at(registry: &Registry, clock: &ManualClock, secs: f64, good: u64, bad: u64) {
    at(registry, clock, secs);
    let h = registry.handle("a").unwrap();
    for _ in 0..good {
        h.record_good();
    }
    for _ in 0..bad {
        h.record_bad();
    }
}

/// The status of the only SLO at `secs`.
pub fn status_at(registry: &Registry, clock: &ManualClock, secs: f64) -> SloStatus {
    at(registry, clock, secs);
    registry.tick();
    registry.status().slos.remove(0)
}

pub fn burn(status: &SloStatus, window: &str) -> Option<f64> {
    status
        .burn_rates
        .0
        .iter()
        .find(|(label, _)| label == window)
        .unwrap_or_else(|| panic!("no window {window} in {:?}", status.burn_rates))
        .1
}

pub fn firing(status: &SloStatus, long: &str) -> bool {
    status
        .alerts
        .iter()
        .find(|a| a.long_window == long)
        .unwrap_or_else(|| panic!("no tier {long}"))
        .firing
}

pub fn approx(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// `bytes`' body rewritten by `edit`, under a header that matches it.
pub fn rewritten(bytes: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let newline = bytes.iter().position(|&b| b == b'\n').unwrap();
    let mut body: serde_json::Value = serde_json::from_slice(&bytes[newline + 1..]).unwrap();
    edit(&mut body);
    let body = serde_json::to_vec(&body).unwrap();
    let mut out = format!(
        "slo-state 2 {} {:08x}\n",
        body.len(),
        crc32fast::hash(&body)
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

/// A registry for `spec` on `clock`, ticked exactly, restored from
/// `snapshot` when there is one.
pub fn registry_at(
    spec: Spec,
    clock: &ManualClock,
    snapshot: Option<slo_core::state::Snapshot>,
) -> Registry {
    let builder = Registry::builder(spec)
        .clock(clock.clone())
        .sample_fill(SampleFill::Step);
    match snapshot {
        Some(snapshot) => builder.restore(snapshot),
        None => builder,
    }
    .build()
}
