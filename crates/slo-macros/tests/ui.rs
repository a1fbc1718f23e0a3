//! Misuse of `#[slo::measure]` is a compile error at the offending token.
#![allow(missing_docs)]

#[test]
fn misuse_is_a_compile_error_with_a_helpful_message() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
