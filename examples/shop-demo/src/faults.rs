//! Server-side fault injection: the share of requests that fail, that are
//! slow, and of searches answered from the stale cache (degraded), set
//! from the command line and raised during an incident; and, only with
//! `--fault-header`, one request's own fault named by its client in
//! [`FAULT_HEADER`] (for tests that need every kind of answer).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long a "slow" request takes: well above every latency threshold.
pub const SLOW: Duration = Duration::from_millis(400);

/// Fault rates, each a share in [0, 1], readable from any handler. Faults
/// are spread evenly, not drawn at random: with rate r, request n of a route
/// fails when ⌊(n+1)·r⌋ > ⌊n·r⌋, so any window of traffic holds r of them
/// to within one request (and Prometheus and the process agree exactly).
#[derive(Debug, Default)]
pub struct Faults {
    error_rate: AtomicU64,
    slow_rate: AtomicU64,
    degraded_rate: AtomicU64,
    checkout_extra_errors: AtomicU64,
    search_extra_slow: AtomicU64,
    search_extra_degraded: AtomicU64,
    /// Requests seen, per route and fault kind.
    seen: [[AtomicU64; 3]; 3],
    /// Whether a request may name its own fault (`--fault-header`).
    asked: bool,
}

/// The request header naming one request's fault, read only with
/// `--fault-header`: a status to answer (`429`, `500`, `503`, any of
/// 400–599), `degraded` (a search from the stale cache) or `slow`.
pub const FAULT_HEADER: &str = "x-shop-fault";

/// A fault one request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// Answer with this status (400–599).
    Status(u16),
    /// Answer a search from the stale cache.
    Degraded,
    /// Take [`SLOW`].
    Slow,
}

impl Asked {
    /// The fault `value` names; `None` for anything else.
    pub fn parse(value: &[u8]) -> Option<Asked> {
        match value {
            b"degraded" => Some(Asked::Degraded),
            b"slow" => Some(Asked::Slow),
            digits => std::str::from_utf8(digits)
                .ok()?
                .parse()
                .ok()
                .filter(|status| (400..600).contains(status))
                .map(Asked::Status),
        }
    }
}

/// Whether the `n`th event (from 0) is one of a share `rate`, spread evenly.
fn spread(n: u64, rate: f64) -> bool {
    ((n + 1) as f64 * rate).floor() > (n as f64 * rate).floor()
}

fn load(cell: &AtomicU64) -> f64 {
    f64::from_bits(cell.load(Ordering::Relaxed))
}

fn store(cell: &AtomicU64, value: f64) {
    cell.store(value.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
}

/// Which route a request is for, as far as incidents care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Checkout = 0,
    Search = 1,
    Cart = 2,
}

impl Faults {
    pub fn new(error_rate: f64, slow_rate: f64, degraded_rate: f64) -> Faults {
        let faults = Faults::default();
        store(&faults.error_rate, error_rate);
        store(&faults.slow_rate, slow_rate);
        store(&faults.degraded_rate, degraded_rate);
        faults
    }

    /// Lets each request name its own fault in [`FAULT_HEADER`].
    pub fn with_fault_header(mut self, on: bool) -> Faults {
        self.asked = on;
        self
    }

    /// The fault this request's client named, when that is allowed.
    pub fn asked(&self, headers: &axum::http::HeaderMap) -> Option<Asked> {
        if !self.asked {
            return None;
        }
        headers
            .get(FAULT_HEADER)
            .and_then(|value| Asked::parse(value.as_bytes()))
    }

    /// Starts (or, with zeros, ends) an incident: extra checkout failures,
    /// extra slow searches, and extra searches from the stale cache.
    pub fn set_incident(&self, checkout_errors: f64, search_slow: f64, search_degraded: f64) {
        store(&self.checkout_extra_errors, checkout_errors);
        store(&self.search_extra_slow, search_slow);
        store(&self.search_extra_degraded, search_degraded);
    }

    /// Whether this search is answered from the stale cache.
    pub fn degraded(&self) -> bool {
        spread(
            self.next(Route::Search, 2),
            (load(&self.degraded_rate) + load(&self.search_extra_degraded)).min(1.0),
        )
    }

    fn next(&self, route: Route, kind: usize) -> u64 {
        self.seen[route as usize][kind].fetch_add(1, Ordering::Relaxed)
    }

    /// Whether this request should fail.
    pub fn fail(&self, route: Route) -> bool {
        let extra = if route == Route::Checkout {
            load(&self.checkout_extra_errors)
        } else {
            0.0
        };
        spread(
            self.next(route, 0),
            (load(&self.error_rate) + extra).min(1.0),
        )
    }

    /// Whether this request should be slow.
    pub fn slow(&self, route: Route) -> bool {
        let extra = if route == Route::Search {
            load(&self.search_extra_slow)
        } else {
            0.0
        };
        spread(
            self.next(route, 1),
            (load(&self.slow_rate) + extra).min(1.0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{Asked, spread};

    #[test]
    fn a_named_fault_is_a_failing_status_degraded_or_slow() {
        assert_eq!(Asked::parse(b"429"), Some(Asked::Status(429)));
        assert_eq!(Asked::parse(b"503"), Some(Asked::Status(503)));
        assert_eq!(Asked::parse(b"degraded"), Some(Asked::Degraded));
        assert_eq!(Asked::parse(b"slow"), Some(Asked::Slow));
        for other in [&b"200"[..], b"600", b"", b"\xff", b"99999999999999999999"] {
            assert_eq!(Asked::parse(other), None, "{other:?}");
        }
    }

    #[test]
    fn spread_faults_hit_the_rate_in_every_window() {
        for rate in [0.0, 0.001, 0.1, 0.25, 0.5, 1.0] {
            let hits: Vec<bool> = (0..10_000).map(|n| spread(n, rate)).collect();
            for window in [100usize, 1000] {
                for start in [0usize, 37, 5000] {
                    let got = hits[start..start + window].iter().filter(|h| **h).count() as f64;
                    assert!(
                        (got - rate * window as f64).abs() <= 1.0,
                        "rate {rate}, {window} from {start}: {got}"
                    );
                }
            }
        }
    }
}
