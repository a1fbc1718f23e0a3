//! How `replay` names a broken events file: found by the `replay` fuzz
//! target's review, kept here as regression tests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use slo_core::Spec;
use slo_core::replay::{ReplayError, replay};

fn spec() -> Spec {
    Spec::from_yaml("service: s\nslos:\n  - name: a\n    objective: 0.99\n").unwrap()
}

/// The error names the previous line's `t` as the file wrote it. It once
/// printed the engine's nanoseconds converted back, which for Unix-epoch
/// times (1.7e9 s, where a float step is about 240 ns) is a different
/// number for about one time in fourteen: here 1764000000.049826.
#[test]
fn an_out_of_order_event_names_the_previous_time_as_written() {
    let events = "{\"t\": 1764000000.0498257, \"slo\": \"a\", \"good\": true}\n\
                  {\"t\": 1764000000.0498, \"slo\": \"a\", \"good\": true}\n";
    let error = replay(
        &spec(),
        events.as_bytes(),
        Duration::from_secs(1),
        std::io::sink(),
    )
    .expect_err("out of order");
    match &error {
        ReplayError::OutOfOrder { line, t, previous } => {
            assert_eq!(*line, 2);
            assert_eq!(*t, 1764000000.0498);
            assert_eq!(*previous, 1764000000.0498257);
        }
        other => panic!("{other}"),
    }
    assert!(
        error.to_string().contains("(t=1764000000.0498257)"),
        "{error}"
    );
}

/// Times that round to the same nanosecond are in order, not an error.
#[test]
fn times_within_one_nanosecond_are_in_order() {
    let events = "{\"t\": 1.0000000004, \"slo\": \"a\", \"good\": true}\n\
                  {\"t\": 1.0000000003, \"slo\": \"a\", \"good\": true}\n";
    let summary = replay(
        &spec(),
        events.as_bytes(),
        Duration::from_secs(1),
        std::io::sink(),
    )
    .expect("in order to the nanosecond");
    assert_eq!(summary.events, 2);
}
