//! The shop: the SLOs, the manual clock and the traffic that the
//! exporters' tests (Prometheus text, OpenMetrics, OpenTelemetry) share,
//! so that each checks the same numbers.
#![allow(
    clippy::expect_used,
    reason = "a fixture that cannot be built is a broken test: it says why"
)]

use std::time::Duration;

use slo_core::{Exclusion, ManualClock, Registry, RegistryBuilder, Spec, Timestamp};

/// `checkout-availability` (99.9%) and `search-latency` (99% within
/// 120ms), both over 30d.
pub const SPEC: &str = r#"
service: shop
slos:
  - name: checkout-availability
    objective: 99.9%
  - name: search-latency
    objective: 0.99
    sli: {latency: {threshold: 120ms}}
"#;

/// When the tests' manual clocks start, in seconds since the epoch.
pub const START: f64 = 1_800_000_000.0;

/// The latencies [`record_traffic`] gives `search-latency`, in ms: on,
/// just past, below and above its threshold and the default bounds; the
/// fourth (100 ms) is a failure.
pub const LATENCIES_MS: [f64; 10] = [
    1.0, 5.0, 7.5, 100.0, 120.0, 120.001, 250.0, 999.0, 12_000.0, 40.0,
];

/// A registry for `spec` on a manual clock at [`START`], configured
/// further by `configure` (the sample fill, how many bad events it keeps).
pub fn registry(
    spec: &str,
    configure: impl FnOnce(RegistryBuilder) -> RegistryBuilder,
) -> (Registry, ManualClock) {
    let clock = ManualClock::new(Timestamp::from_secs_f64(START).expect("a time"));
    let spec = Spec::from_yaml(spec).expect("a valid spec");
    let registry = configure(Registry::builder(spec).clock(clock.clone())).build();
    (registry, clock)
}

/// The shop's traffic: 1,000 checkouts, every 50th bad (980 good, 20
/// bad), and one excluded; `search-latency` once at each of
/// [`LATENCIES_MS`] (5 of the 10 bad: the failure and the four slower
/// than 120 ms). Returns the searches' latencies summed, in seconds.
pub fn record_traffic(registry: &Registry) -> f64 {
    let checkout = registry
        .handle("checkout-availability")
        .expect("the shop's checkout");
    let search = registry
        .handle("search-latency")
        .expect("the shop's search");
    for i in 0..1000 {
        checkout.record(i % 50 != 0);
    }
    checkout.record_excluded(Exclusion::ClientCancelled);
    let mut sum = 0.0;
    for (i, ms) in LATENCIES_MS.iter().enumerate() {
        search.record_latency(Duration::from_secs_f64(ms / 1e3), i != 3);
        sum += ms / 1e3;
    }
    sum
}
