//! State files: whatever `Snapshot::from_bytes` accepts re-encodes to the
//! same snapshot and restores into a registry without panicking, and the
//! restored counts never exceed what the file says it counted; a file it
//! refuses gets a reason fit for a log line (printable, and short
//! whatever the file holds).
//!
//! The first byte picks the input's form: odd, the bytes are a whole file;
//! even, they are a body, wrapped in a correct header (length and
//! checksum), so that mutations reach the body's parser and the restore
//! instead of stopping at the checksum.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use slo_core::state::Snapshot;
use slo_core::{ManualClock, Registry, Timestamp};

#[path = "../common/spec.rs"]
mod common;
use common::spec;

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

fn file_of(body: &[u8]) -> Vec<u8> {
    let mut out =
        format!("slo-state 2 {} {:08x}\n", body.len(), crc32fast::hash(body)).into_bytes();
    out.extend_from_slice(body);
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&form, rest)) = data.split_first() else {
        return;
    };
    let bytes = if form % 2 == 1 {
        rest.to_vec()
    } else {
        file_of(rest)
    };
    let (read, peak) = alloc::peak_during(|| Snapshot::from_bytes(&bytes));
    alloc::assert_bounded("Snapshot::from_bytes", bytes.len(), peak, 1 << 20, 256);
    let snapshot = match read {
        Ok(snapshot) => snapshot,
        Err(error) => {
            let reason = error.to_string();
            assert!(!reason.is_empty());
            assert!(!reason.chars().any(slo_core::__private::is_unprintable), "{reason:?}");
            assert!(reason.chars().count() <= 600, "{reason:?}");
            return;
        }
    };
    let again = Snapshot::from_bytes(&snapshot.to_bytes()).expect("a snapshot re-encodes");
    assert_eq!(again, snapshot);
    let taken_at = snapshot.taken_at().as_unix_nanos();
    for later in [0, 1_000_000_000, 3_600_000_000_000] {
        let clock = ManualClock::new(Timestamp::from_unix_nanos(taken_at.saturating_add(later)));
        let registry = Registry::builder(spec())
            .clock(clock.clone())
            .restore(snapshot.clone())
            .build();
        let status = registry.status();
        for slo in &status.slos {
            assert_eq!(slo.events.good + slo.events.bad, slo.events.total);
        }
        clock.advance(Duration::from_secs(61));
        registry.tick();
        let _ = registry.snapshot().to_bytes();
    }
});
