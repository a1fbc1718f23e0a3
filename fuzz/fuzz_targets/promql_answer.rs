//! PromQL API answers (what a warm start reads) and label matchers (what a
//! user types for `--warm-start-selector`): any bytes give series or a
//! typed error, never a panic; matchers that parse print as matchers that
//! parse back to the same thing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slo_prometheus::query::{Matchers, parse_matrix, parse_vector};

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
            let _ = parse_vector(body);
        }
        _ => {
            if let Ok(series) = parse_matrix(data) {
                for s in series {
                    for (t, _) in s.points {
                        assert!(t.is_finite());
                    }
                }
            }
        }
    }
});
