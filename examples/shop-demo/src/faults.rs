//! Server-side fault injection: the share of requests that fail, and that
//! are slow, set from the command line and raised during an incident.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long a "slow" request takes: well above every latency threshold.
pub const SLOW: Duration = Duration::from_millis(400);

/// Fault rates, each a probability in [0, 1], readable from any handler.
#[derive(Debug, Default)]
pub struct Faults {
    error_rate: AtomicU64,
    slow_rate: AtomicU64,
    checkout_extra_errors: AtomicU64,
    search_extra_slow: AtomicU64,
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
    Checkout,
    Search,
    Cart,
}

impl Faults {
    pub fn new(error_rate: f64, slow_rate: f64) -> Faults {
        let faults = Faults::default();
        store(&faults.error_rate, error_rate);
        store(&faults.slow_rate, slow_rate);
        faults
    }

    /// Starts (or, with zeros, ends) an incident: extra checkout failures
    /// and extra slow searches.
    pub fn set_incident(&self, checkout_errors: f64, search_slow: f64) {
        store(&self.checkout_extra_errors, checkout_errors);
        store(&self.search_extra_slow, search_slow);
    }

    /// Whether this request should fail.
    pub fn fail(&self, route: Route) -> bool {
        let extra = if route == Route::Checkout {
            load(&self.checkout_extra_errors)
        } else {
            0.0
        };
        fastrand::f64() < load(&self.error_rate) + extra
    }

    /// Whether this request should be slow.
    pub fn slow(&self, route: Route) -> bool {
        let extra = if route == Route::Search {
            load(&self.search_extra_slow)
        } else {
            0.0
        };
        fastrand::f64() < load(&self.slow_rate) + extra
    }
}
