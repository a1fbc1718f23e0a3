//! `Accept` request headers (a scraper's or a browser's words, read by
//! `/metrics` to choose OpenMetrics and by `/slo` to choose HTML): any bytes
//! give well-formed media ranges or none, never a panic; every range kept
//! is `type/subtype` with a weight from 0 to 1; and OpenMetrics is chosen
//! only when some kept range names it with a weight above zero; and
//! reading the header allocates nothing (`/metrics` reads it on every
//! scrape, `/slo` on every request).
#![no_main]

use http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;
use slo_prometheus::openmetrics::wants_openmetrics;
use slo_http::accept::media_ranges;

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT, value);
    let ((wanted, kept), peak) = alloc::peak_during(|| {
        let wanted = wants_openmetrics(&headers);
        let kept = media_ranges(&headers).count();
        (wanted, kept)
    });
    alloc::assert_bounded("reading Accept", data.len(), peak, 0, 0);
    let mut named = false;
    let mut seen = 0;
    for range in media_ranges(&headers) {
        seen += 1;
        assert!((0.0..=1.0).contains(&range.q), "{range:?}");
        let (kind, subtype) = range.media.split_once('/').expect("type/subtype");
        assert!(!kind.is_empty() && !subtype.is_empty(), "{range:?}");
        assert!(!range.media.contains([',', ';', ' ']), "{range:?}");
        named |= range.is("application/openmetrics-text") && range.q > 0.0;
    }
    assert_eq!(seen, kept);
    if wanted {
        assert!(named, "OpenMetrics chosen for {data:?}");
    }
});
