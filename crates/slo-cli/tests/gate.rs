//! `slo gate` against live `/slo` endpoints (the slo-tower endpoint over
//! real registries driven to each level) and peers that refuse, stall or
//! answer garbage. Exit codes: 0 approve, 3 review, 1 defer
//! or block, 2 cannot tell.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{SPEC, raw_peer, serve};

/// `SPEC` with a policy that approves high-risk work while healthy and
/// only defers low-risk work when the budget is gone.
const LENIENT: &str = "policy:
  release:
    healthy: {high: approve}
    exhausted: {low: defer}
";

/// A registry that lived 50 minutes after `days` of 1,000 events a day:
/// `checkout` has every `n`th event bad (none for `None`), `search` none.
fn registry(spec: &str, days: u64, checkout_bad_every: Option<u64>) -> slo_core::Registry {
    common::registry(spec, days, checkout_bad_every, None)
}

fn gate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slo"))
        .arg("gate")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code and that the first line names the decision and
/// the SLO that decided it.
fn assert_decision(out: &Output, code: i32, decision: &str, decided_by: &str) {
    let text = stdout(out);
    assert_eq!(out.status.code(), Some(code), "{text}{}", stderr(out));
    let first = text.lines().next().unwrap_or("");
    assert!(first.starts_with(decision), "{text}");
    assert!(
        first.contains(&format!("decided by {decided_by} (")),
        "{text}"
    );
}

#[test]
fn a_healthy_service_approves_low_and_medium_and_reviews_high() {
    let addr = serve(registry(SPEC, 0, None));
    assert_decision(&gate(&[&addr, "--risk", "low"]), 0, "APPROVE", "checkout");
    assert_decision(
        &gate(&[&addr, "--risk", "medium"]),
        0,
        "APPROVE",
        "checkout",
    );
    let high = gate(&[&addr, "--risk", "high"]);
    assert_decision(&high, 3, "REVIEW", "checkout");
    let text = stdout(&high);
    assert!(text.contains("high-risk change to shop"), "{text}");
    assert!(text.contains("healthy, budget 100% left"), "{text}");
    // One line per SLO with its level and decision.
    assert!(text.contains("  checkout  healthy    review"), "{text}");
    assert!(text.contains("  search    healthy    review"), "{text}");
}

#[test]
fn a_burning_slo_defers_or_blocks_and_is_named_with_its_numbers() {
    // 1% bad against a 0.1% budget: burn rate 10, critical.
    let addr = serve(registry(SPEC, 0, Some(100)));
    let low = gate(&[&addr, "--risk", "low"]);
    assert_decision(&low, 1, "DEFER", "checkout");
    let text = stdout(&low);
    assert!(text.contains("checkout (critical, budget"), "{text}");
    assert!(text.contains("burn 1h 10.00, 1d 10.00"), "{text}");
    assert_decision(&gate(&[&addr, "--risk", "medium"]), 1, "BLOCK", "checkout");
    // Asking about the healthy SLO only.
    let search = gate(&[&addr, "--risk", "low", "--slo", "search"]);
    assert_decision(&search, 0, "APPROVE", "search");
    assert!(
        !stdout(&search).contains("  checkout"),
        "{}",
        stdout(&search)
    );
    assert_decision(
        &gate(&[&addr, "--risk", "high", "--slo", "search"]),
        3,
        "REVIEW",
        "search",
    );
    // Both named: the strictest decides.
    assert_decision(
        &gate(&[
            &addr, "--risk", "low", "--slo", "search", "--slo", "checkout",
        ]),
        1,
        "DEFER",
        "checkout",
    );
}

#[test]
fn a_spent_budget_blocks_everything_unless_the_policy_says_otherwise() {
    // 31 days at 1% bad: the 30d budget is spent ten times over.
    let addr = serve(registry(SPEC, 31, Some(100)));
    let low = gate(&[&addr, "--risk", "low"]);
    assert_decision(&low, 1, "BLOCK", "checkout");
    assert!(
        stdout(&low).contains("(exhausted, budget"),
        "{}",
        stdout(&low)
    );
    // The service's own policy: healthy approves high risk, exhausted
    // only defers low risk.
    let lenient = format!("{SPEC}{LENIENT}");
    let addr = serve(registry(&lenient, 31, Some(100)));
    assert_decision(&gate(&[&addr, "--risk", "low"]), 1, "DEFER", "checkout");
    assert_decision(
        &gate(&[&addr, "--risk", "high", "--slo", "search"]),
        0,
        "APPROVE",
        "search",
    );
}

fn assert_cannot_tell(out: &Output, expected: &str) {
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(out), stderr(out));
    assert!(stdout(out).is_empty(), "{}", stdout(out));
    assert!(stderr(out).contains(expected), "{}", stderr(out));
    assert!(stderr(out).contains("cannot tell"), "{}", stderr(out));
}

#[test]
fn an_unknown_slo_is_cannot_tell() {
    let addr = serve(registry(SPEC, 0, None));
    let out = gate(&[&addr, "--risk", "low", "--slo", "payments"]);
    assert_cannot_tell(&out, "shop has no SLO or journey named \"payments\"");
}

#[test]
fn an_unreachable_hung_or_foreign_peer_is_cannot_tell() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    assert_cannot_tell(
        &gate(&[&format!("127.0.0.1:{port}"), "--risk", "low"]),
        "cannot connect",
    );
    let hung = raw_peer(None);
    let started = Instant::now();
    let out = gate(&[&hung, "--risk", "low", "--timeout", "500ms"]);
    assert_cannot_tell(&out, "no complete answer within 500ms");
    assert!(started.elapsed() < Duration::from_secs(3));
    let garbage = raw_peer(Some(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
    ));
    assert_cannot_tell(&gate(&[&garbage, "--risk", "low"]), "not a /slo document");
    let error = raw_peer(Some(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    ));
    assert_cannot_tell(&gate(&[&error, "--risk", "low"]), "answered HTTP 500");
}

/// A `/slo` document as a server answers it, with one SLO.
fn document(slo_fields: &str) -> &'static [u8] {
    let body = format!(
        r#"{{"service":"old","now":"2026-12-01T00:00:00Z","uptime_seconds":1,"slos":[{{"name":"a","objective":0.999,"coverage_ratio":1.0,"period_seconds":2592000,"events":{{"good":1,"bad":0,"total":1}},"sli_value":1.0,"error_budget":{{"remaining_ratio":0.5,"consumed_ratio":0.5,"exhaustion_seconds":null}},"burn_rates":{{"1h":1.7}},"alerts":[],{slo_fields}}}]}}"#
    );
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    Box::leak(response.into_bytes().into_boxed_slice())
}

#[test]
fn a_document_without_release_decisions_or_with_odd_ones_is_cannot_tell() {
    // Without its decisions, a document says nothing to release by: never
    // an approval by omission.
    let bare = raw_peer(Some(document(r#""status":"warning""#)));
    assert_cannot_tell(&gate(&[&bare, "--risk", "low"]), "missing field `release`");
    // A document whose decision or status is not one of ours.
    let odd = raw_peer(Some(document(
        r#""status":"healthy","release":{"low":"maybe","medium":"approve","high":"review"}"#,
    )));
    assert_cannot_tell(
        &gate(&[&odd, "--risk", "low"]),
        "unknown decision \"maybe\"",
    );
    let lacking = raw_peer(Some(document(
        r#""status":"healthy","release":{"low":"approve"}"#,
    )));
    assert_cannot_tell(
        &gate(&[&lacking, "--risk", "high"]),
        "no release decision for high risk",
    );
}

#[test]
fn a_peers_words_cannot_drive_the_terminal() {
    let body = r#"{"service":"evil\u001b[2J\u202etxt.exe","now":"2026-12-01T00:00:00Z","uptime_seconds":1,"slos":[{"name":"a\u001b]0;owned\u0007\nFAKE: APPROVE\u2028FAKE\u2066","objective":0.999,"coverage_ratio":1.0,"period_seconds":2592000,"events":{"good":1,"bad":0,"total":1},"sli_value":1.0,"error_budget":{"remaining_ratio":0.5,"consumed_ratio":0.5,"exhaustion_seconds":null},"burn_rates":{"1h":1.7},"alerts":[],"status":"healthy","release":{"low":"approve","medium":"approve","high":"review"}}]}"#;
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let peer = raw_peer(Some(Box::leak(response.into_bytes().into_boxed_slice())));
    let out = gate(&[&peer, "--risk", "low"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    // A right-to-left override would show the text reversed, and a line
    // separator breaks the line in some terminals and not others.
    assert!(
        !text.contains(['\u{202e}', '\u{2028}', '\u{2066}']),
        "{text:?}"
    );
    assert!(!text.lines().any(|l| l.starts_with("FAKE")), "{text}");
    assert!(text.contains("to evil?[2J?txt.exe"), "{text}");
}

#[test]
fn an_unknown_risk_is_a_usage_error() {
    let out = gate(&["127.0.0.1:1", "--risk", "extreme"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown risk \"extreme\": expected one of low, medium, high"),
        "{}",
        stderr(&out)
    );
}

/// `SPEC` with a journey over both SLOs.
const JOURNEY: &str = "journeys:
  - {name: purchase, objective: 99.9%, steps: [checkout, search]}
";

#[test]
fn a_journey_decides_and_can_be_asked_about_by_name() {
    // Each step at 0.08% bad: burn 0.8, healthy; the journey over both
    // burns about 1.6: warning, which defers medium-risk work.
    let spec = format!("{SPEC}{JOURNEY}");
    let addr = serve(common::registry(&spec, 0, Some(1250), Some(1250)));
    let medium = gate(&[&addr, "--risk", "medium"]);
    assert_decision(&medium, 1, "DEFER", "purchase");
    assert!(
        stdout(&medium).contains("purchase (warning, budget"),
        "{}",
        stdout(&medium)
    );
    assert_decision(
        &gate(&[&addr, "--risk", "medium", "--slo", "purchase"]),
        1,
        "DEFER",
        "purchase",
    );
    assert_decision(
        &gate(&[&addr, "--risk", "medium", "--slo", "checkout"]),
        0,
        "APPROVE",
        "checkout",
    );
}
