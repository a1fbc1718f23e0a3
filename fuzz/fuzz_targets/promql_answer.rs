//! PromQL API answers (what a warm start reads) and label matchers (what a
//! user types for `--warm-start-selector`): any bytes give series or a
//! typed error, never a panic, whose text holds none of the peer's
//! unprintable characters and at most a bounded part of its words (it is
//! logged and shown on terminals); matchers that parse print as matchers
//! that parse back to the same thing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slo_fleet::query::{
    AnswerError, MAX_PEER_WORDS, Matchers, Series, parse_matrix, parse_vector,
};

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
            let (parsed, peak) = alloc::peak_during(|| parse_vector(body));
            alloc::assert_bounded("parse_vector", body.len(), peak, 64 << 10, 64);
            check_error(&parsed);
        }
        _ => {
            let (parsed, peak) = alloc::peak_during(|| parse_matrix(data));
            alloc::assert_bounded("parse_matrix", data.len(), peak, 64 << 10, 64);
            check_error(&parsed);
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

/// An error's text: printable, and the peer's words in it bounded: at
/// most `MAX_PEER_WORDS` characters of each thing it quotes, and the
/// answer's first 60 bytes escaped (up to 10 characters each, `\u{7f}`),
/// with our own words around them well under 200.
fn check_error(parsed: &Result<Vec<Series>, AnswerError>) {
    let Err(error) = parsed else {
        return;
    };
    let text = error.to_string();
    assert!(!text.is_empty());
    assert!(!text.chars().any(slo_core::__private::is_unprintable), "{text:?}");
    assert!(
        text.chars().count() <= 2 * MAX_PEER_WORDS + 60 * 10 + 200,
        "{} characters: {text:?}",
        text.chars().count()
    );
}
