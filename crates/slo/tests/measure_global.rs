//! `#[slo::measure]` with a registry installed for the whole process (this
//! test binary is its own process): nothing recorded before installation,
//! exact totals from many threads after, one installation only, and a
//! scoped registry still taking precedence.
#![cfg(feature = "macros")]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use slo::measure::{AlreadyInstalled, install, with_registry};
use slo::{Registry, Spec};

const SPEC: &str = "service: jobs\nslos:\n  - name: step\n    objective: 0.99\n";

#[slo::measure("step")]
fn step(i: u64) -> Result<u64, String> {
    if i.is_multiple_of(7) {
        Err(format!("step {i} failed"))
    } else {
        Ok(i)
    }
}

#[test]
fn installed_once_then_exact_from_many_threads() {
    // Before anything is installed the attribute does nothing.
    for i in 0..100 {
        let _ = step(i);
    }
    let registry = Registry::new(Spec::from_yaml(SPEC).unwrap());
    install(registry.clone()).unwrap();
    let other = Registry::new(Spec::from_yaml(SPEC).unwrap());
    assert_eq!(install(other.clone()), Err(AlreadyInstalled));
    assert_eq!(pair(&registry), (0, 0));

    const THREADS: u64 = 8;
    const CALLS: u64 = 50_000;
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for i in 0..CALLS {
                    let _ = step(i);
                }
            });
        }
    });
    let bad_per_thread = CALLS.div_ceil(7);
    assert_eq!(
        pair(&registry),
        (THREADS * (CALLS - bad_per_thread), THREADS * bad_per_thread)
    );
    // A scope still wins over the global registry.
    with_registry(&other, || step(7).unwrap_err());
    assert_eq!(pair(&other), (0, 1));
    assert_eq!(
        pair(&registry),
        (THREADS * (CALLS - bad_per_thread), THREADS * bad_per_thread)
    );
}

/// (good, bad) of the spec's one SLO.
fn pair(registry: &Registry) -> (u64, u64) {
    let totals = registry.handles().next().unwrap().1.totals();
    (totals.good, totals.bad)
}
