//! `/slo` answers as `slo status` and `slo gate` read them (a peer's
//! words, printed on a terminal): any body is a document or a typed
//! refusal; a document's table, the gate's report and every refusal hold
//! no unprintable character but newlines (`slo_core::__private::is_unprintable`: a
//! peer must not drive the terminal, reorder what it shows or forge
//! lines), with colour only our own escape sequences; the gate decides or
//! says why it cannot; reading holds memory within a bound of the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slo_cli::__private::{gate, status_table};
use slo_core::__private::is_unprintable;
use slo_core::release::Risk;

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let (table, peak) = alloc::peak_during(|| status_table(body, false));
    alloc::assert_bounded("slo status", body.len(), peak, 1 << 20, 64);
    let table = match table {
        Ok(table) => table,
        Err(reason) => {
            assert!(
                reason.starts_with("the answer is not a /slo document"),
                "{reason}"
            );
            assert_printable(&reason);
            // Our words, at most 200 characters of serde's and the
            // document's first 80, escaped (up to 10 characters each).
            assert!(reason.chars().count() <= 1400, "{reason:?}");
            return;
        }
    };
    assert_printable(&table);
    let coloured = status_table(body, true).expect("it read once");
    // Without our own escape sequences, the coloured table is the plain one.
    assert_eq!(strip_escapes(&coloured), table);
    for risk in [Risk::Low, Risk::Medium, Risk::High] {
        match gate(body, risk, &[]) {
            Ok((report, _)) => assert_printable(&report),
            Err(reason) => {
                assert!(!reason.is_empty());
                assert_printable(&reason);
            }
        }
    }
});

fn assert_printable(text: &str) {
    if let Some(bad) = text.chars().find(|&c| is_unprintable(c) && c != '\n') {
        panic!("unprintable character {bad:?} in\n{text}");
    }
}

/// Removes `ESC [ ... m` sequences.
fn strip_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            assert_eq!(chars.next(), Some('['), "a bare escape in {text:?}");
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
                assert!(c.is_ascii_digit() || c == ';', "escape sequence with {c:?}");
            }
        } else {
            out.push(c);
        }
    }
    out
}
