//! PromQL API answers (what a warm start reads) and label matchers (what a
//! user types for `--warm-start-selector`): any bytes give series or a
//! typed error, never a panic; matchers that parse print as matchers that
//! parse back to the same thing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slo_prometheus::query::{Matchers, parse_matrix, parse_vector};

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((0, text)) => {
            if let Ok(text) = std::str::from_utf8(text)
                && let Ok(matchers) = Matchers::parse(text)
            {
                let printed = matchers.to_string();
                let again = Matchers::parse(&printed).expect("printed matchers parse");
                assert_eq!(again, matchers, "{printed}");
            }
        }
        Some((1, body)) => {
            let (_, peak) = alloc::peak_during(|| parse_vector(body));
            alloc::assert_bounded("parse_vector", body.len(), peak, 64 << 10, 64);
        }
        _ => {
            let (parsed, peak) = alloc::peak_during(|| parse_matrix(data));
            alloc::assert_bounded("parse_matrix", data.len(), peak, 64 << 10, 64);
            if let Ok(series) = parsed {
                for s in series {
                    for (t, _) in s.points {
                        assert!(t.is_finite());
                    }
                }
            }
        }
    }
});
