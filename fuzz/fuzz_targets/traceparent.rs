//! W3C `traceparent` header values (what the layer reads from every
//! request while its SLOs keep bad events): any bytes give a trace id or
//! none, never a panic, and exactly as a plain reading of the W3C Trace
//! Context grammar, a digit at a time, decides; and reading one never
//! allocates (it runs on every request while bad events are kept).
#![no_main]

use libfuzzer_sys::fuzz_target;
use slo_core::recent::TraceId;

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

fn hex(digits: &[u8]) -> Option<u128> {
    digits.iter().try_fold(0u128, |value, &d| {
        let n = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            _ => return None,
        };
        Some(value << 4 | u128::from(n))
    })
}

/// The grammar, plainly: version-traceid-parentid-flags, lowercase hex;
/// version ff invalid; version 00 exactly 55 bytes; later versions may
/// carry more after a dash; all-zero ids invalid.
fn reference(value: &[u8]) -> Option<u128> {
    if value.len() < 55 {
        return None;
    }
    let dash = |i: usize| value[i] == b'-';
    if !(dash(2) && dash(35) && dash(52)) {
        return None;
    }
    let version = hex(&value[0..2])?;
    if version == 0xff || (version == 0 && value.len() != 55) || (value.len() > 55 && !dash(55)) {
        return None;
    }
    let trace = hex(&value[3..35])?;
    let parent = hex(&value[36..52])?;
    hex(&value[53..55])?;
    (trace != 0 && parent != 0).then_some(trace)
}

fuzz_target!(|data: &[u8]| {
    let (parsed, peak) = alloc::peak_during(|| TraceId::from_traceparent(data));
    alloc::assert_bounded("TraceId::from_traceparent", data.len(), peak, 0, 0);
    assert_eq!(parsed.map(TraceId::as_u128), reference(data), "{data:?}");
    if let Some(id) = parsed {
        assert_eq!(id.to_string().as_bytes(), &data[3..35]);
    }
});
