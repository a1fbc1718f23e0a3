//! What an Alertmanager answers when it refuses alerts (any bytes): the
//! explanation the notifier logs is never empty, at most
//! `MAX_EXPLANATION` characters (plus an ellipsis), and free of
//! unprintable characters (`slo_core::__private::is_unprintable`: controls,
//! bidirectional overrides, line separators), so that a hostile peer can
//! neither flood nor forge the log.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slo_alertmanager::__private::{MAX_EXPLANATION, explain_refusal};

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

fuzz_target!(|data: &[u8]| {
    let (said, peak) = alloc::peak_during(|| explain_refusal(data));
    alloc::assert_bounded("explain_refusal", data.len(), peak, 64 << 10, 16);
    assert!(!said.is_empty());
    assert!(said.chars().count() <= MAX_EXPLANATION + 1, "{said:?}");
    assert!(!said.chars().any(slo_core::__private::is_unprintable), "{said:?}");
});
