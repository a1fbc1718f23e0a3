//! Route rules (`match: {routes: [...]}` in a spec, and
//! `SloLayerBuilder::routes`): the first line of the input is a rule, the
//! rest paths to match. A rule parses or gives a typed error; one that
//! parses prints as a rule that parses back equal; it matches its own
//! template; and every path it matches starts with its literal prefix
//! (which the layer's route table relies on to skip rules). Parsing a
//! rule holds memory within a bound of its length, and matching a path
//! allocates nothing (the layer matches every request).
#![no_main]

use libfuzzer_sys::fuzz_target;
use slo_core::RouteRule;

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (rule, paths) = text.split_once('\n').unwrap_or((text, ""));
    let (parsed, peak) = alloc::peak_during(|| rule.parse::<RouteRule>());
    alloc::assert_bounded("RouteRule::from_str", rule.len(), peak, 4 << 10, 128);
    let rule = match parsed {
        Ok(rule) => rule,
        Err(error) => {
            assert!(!error.to_string().is_empty(), "{error:?}");
            return;
        }
    };
    let printed = rule.to_string();
    let again: RouteRule = printed
        .parse()
        .unwrap_or_else(|e| panic!("{printed:?} does not parse back: {e}"));
    assert_eq!(again, rule, "{printed:?}");
    assert!(
        rule.matches_route(rule.template()),
        "{rule} does not match its template"
    );
    assert!(rule.template().starts_with(rule.literal_prefix()), "{rule}");
    let method = rule.method().unwrap_or("GET");
    assert!(rule.matches(method, rule.template()), "{rule}");
    for path in paths.split('\n') {
        let (matched, peak) =
            alloc::peak_during(|| (rule.matches_route(path), rule.matches(method, path)));
        alloc::assert_bounded("RouteRule::matches", path.len(), peak, 0, 0);
        assert_eq!(matched.0, matched.1, "{rule} {path:?}");
        if rule.matches_route(path) {
            assert!(
                path.starts_with(rule.literal_prefix()),
                "{rule} matched {path:?}"
            );
            assert!(rule.matches(method, path), "{rule} {path:?}");
        }
        if let Some(own) = rule.method() {
            if own != "POST" {
                assert!(!rule.matches("POST", path), "{rule} matched POST {path:?}");
            }
        }
    }
});
