//! `slo status` against real HTTP servers: a live `/slo` served by the
//! slo-tower endpoint over a real registry, and peers that refuse, stall or
//! answer garbage. Exit codes: 0 no page, 1 page (or spent budget with
//! `--fail-on-exhausted`), 2 unreadable.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::{raw_peer, serve};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use slo_core::Registry;

/// A registry that lived 50 minutes: `checkout` and `search` each see
/// 30,000 events, every `n`th of them bad (none for `None`).
fn registry(checkout_bad_every: Option<u64>, search_bad_every: Option<u64>) -> Registry {
    registry_aged(0, checkout_bad_every, search_bad_every)
}

/// The same 50 minutes after `days` of 1,000 events a day each at the
/// same ratios: a registry whose windows hold a whole period.
fn registry_aged(
    days: u64,
    checkout_bad_every: Option<u64>,
    search_bad_every: Option<u64>,
) -> Registry {
    common::registry(common::SPEC, days, checkout_bad_every, search_bad_every)
}

fn status(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slo"))
        .arg("status")
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

#[test]
fn a_healthy_service_exits_zero_with_a_plain_table_when_piped() {
    let addr = serve(registry(None, Some(5000)));
    let out = status(&[&addr]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(!text.contains('\u{1b}'), "colour in a pipe: {text:?}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("shop at 20"), "{text}");
    assert!(
        lines[1].starts_with("SLO ") && lines[1].contains("BUDGET LEFT"),
        "{text}"
    );
    let checkout = lines.iter().find(|l| l.starts_with("checkout ")).unwrap();
    assert!(
        checkout.contains("healthy") && checkout.contains("100%") && checkout.contains("30000"),
        "{checkout}"
    );
    // 0.02% bad against a 0.1% budget, burn 0.2, for the 50 minutes seen
    // of 30 days: 0.2 × 50m/30d of the budget spent, and the table says
    // over how long.
    let search = lines.iter().find(|l| l.starts_with("search ")).unwrap();
    assert!(
        search.contains("99.98%")
            && search.contains("99.977% (over the 50m seen of 30d)")
            && search.contains("1h 0.20"),
        "{search}"
    );
    // Columns line up: every row is as wide up to the STATUS column.
    let status_at = lines[1].find("STATUS").unwrap();
    assert_eq!(&checkout[status_at..status_at + 7], "healthy");
    assert_eq!(lines.last(), Some(&"no page alert firing"));
}

#[test]
fn a_firing_page_exits_one_and_names_the_slo() {
    let addr = serve(registry(Some(20), None));
    let out = status(&[&format!("http://{addr}/slo")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let checkout = text.lines().find(|l| l.starts_with("checkout ")).unwrap();
    // 5% bad: burn 50 and every tier fires; 50 minutes of it spent 5.8%
    // of a 30d budget, so the level is the burn rate's, critical.
    assert!(checkout.contains("critical"), "{checkout}");
    assert!(
        checkout.contains("94.2% (over the 50m seen of 30d)"),
        "{checkout}"
    );
    assert!(checkout.contains("page 1h/5m, page 6h/30m"), "{checkout}");
    assert!(checkout.contains("1h 50.00"), "{checkout}");
    // Why: every 20th of 30,000 recorded bad from code, an `error`.
    assert!(checkout.contains("  error 1500  "), "{checkout}");
    let header = text.lines().nth(1).unwrap();
    let search = text.lines().find(|l| l.starts_with("search ")).unwrap();
    let why = header.find("WHY BAD").unwrap();
    assert_eq!(&search[why..why + 1], "-", "{text}");
    assert!(text.ends_with("PAGE: checkout\n"), "{text}");
}

#[test]
fn a_spent_budget_without_a_page_gates_only_when_asked() {
    // 0.5% bad for a whole period: burn 5, below both page tiers, above
    // both ticket tiers; the budget (1 − 5 = −4) is spent.
    let addr = serve(registry_aged(31, Some(200), None));
    let out = status(&[&addr]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let checkout = text.lines().find(|l| l.starts_with("checkout ")).unwrap();
    assert!(
        checkout.contains("exhausted") && checkout.contains("ticket 1d/2h, ticket 3d/6h"),
        "{checkout}"
    );
    assert!(!checkout.contains("page "), "{checkout}");
    assert!(!checkout.contains("seen of"), "a whole period: {checkout}");
    // The same 50 minutes alone spend 0.6% of a period's budget: not spent.
    let young = serve(registry(Some(200), None));
    let out = status(&[&young, "--fail-on-exhausted"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let gated = status(&[&addr, "--fail-on-exhausted"]);
    assert_eq!(gated.status.code(), Some(1), "{}", stdout(&gated));
}

#[test]
fn colour_is_on_when_asked() {
    let addr = serve(registry(Some(20), None));
    let out = status(&[&addr, "--color", "always"]);
    let text = stdout(&out);
    // The critical status in bold red.
    assert!(text.contains("\u{1b}[1m\u{1b}[31mcritical"), "{text:?}");
    let plain = status(&[&addr, "--color", "never"]);
    assert!(!stdout(&plain).contains('\u{1b}'));
}

fn assert_unreadable(out: &Output, expected: &str) {
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(out), stderr(out));
    assert!(stdout(out).is_empty(), "{}", stdout(out));
    assert!(stderr(out).contains(expected), "{}", stderr(out));
}

#[test]
fn a_refused_connection_exits_two() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let out = status(&[&format!("127.0.0.1:{port}")]);
    assert_unreadable(&out, "cannot connect");
}

#[test]
fn a_peer_that_never_answers_exits_two_within_the_timeout() {
    let addr = raw_peer(None);
    let started = Instant::now();
    let out = status(&[&addr, "--timeout", "500ms"]);
    let took = started.elapsed();
    assert_unreadable(&out, "no complete answer within 500ms");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn garbage_and_foreign_documents_exit_two() {
    let cases: [(&'static [u8], &str); 4] = [
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
            "not a /slo document",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{\"foo\":1}",
            "not a /slo document",
        ),
        (
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "answered HTTP 503",
        ),
        (b"\x00\x01garbage that is not HTTP\r\n\r\n", "slo status:"),
    ];
    for (response, expected) in cases {
        let addr = raw_peer(Some(response));
        let out = status(&[&addr, "--timeout", "2s"]);
        assert_unreadable(&out, expected);
    }
    // Only a journey goes without events: an SLO without them is no
    // /slo's.
    let slo = r#"{"name":"a","objective":0.99,"coverage_ratio":1,"period_seconds":1,"sli_value":null,"error_budget":{"remaining_ratio":1},"burn_rates":{},"alerts":[],"status":"healthy","release":{}}"#;
    let body = format!(r#"{{"service":"shop","now":"x","slos":[{slo}]}}"#);
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let addr = raw_peer(Some(Box::leak(response.into_bytes().into_boxed_slice())));
    let out = status(&[&addr, "--timeout", "2s"]);
    assert_unreadable(&out, "an SLO without `events`");
}

/// Answers headers at once, then a byte of body every 200ms, forever.
fn dripping_peer() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"service\":",
                );
                while stream.write_all(b" ").is_ok() {
                    std::thread::sleep(Duration::from_millis(200));
                }
            });
        }
    });
    addr
}

#[test]
fn a_body_that_never_ends_exits_two_within_the_timeout() {
    let addr = dripping_peer();
    let started = Instant::now();
    let out = status(&[&addr, "--timeout", "700ms"]);
    let took = started.elapsed();
    assert_unreadable(&out, "no complete answer within 700ms");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

/// On a terminal (a pseudo-terminal from util-linux `script`), the default
/// `--color auto` colours the table; `NO_COLOR` turns it off.
#[test]
fn a_terminal_gets_colour_unless_no_color() {
    if !slo_test_support::require(
        "util-linux `script`",
        slo_test_support::runs("script", &["--version"]),
        "apt-get install bsdutils",
    ) {
        return;
    }
    let addr = serve(registry(Some(20), None));
    let on_tty = |no_color: bool| {
        let mut command = Command::new("script");
        command.args([
            "-qec",
            &format!("{} status {addr}", env!("CARGO_BIN_EXE_slo")),
            "/dev/null",
        ]);
        command.env_remove("NO_COLOR");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        command.output().unwrap()
    };
    let coloured = on_tty(false);
    assert_eq!(coloured.status.code(), Some(1), "{}", stdout(&coloured));
    assert!(
        stdout(&coloured).contains("\u{1b}[1m\u{1b}[31mcritical"),
        "{:?}",
        stdout(&coloured)
    );
    let plain = on_tty(true);
    assert!(stdout(&plain).contains("critical"), "{:?}", stdout(&plain));
    assert!(!stdout(&plain).contains('\u{1b}'), "{:?}", stdout(&plain));
}

#[test]
fn a_firing_budget_page_exits_one_and_is_listed() {
    // search at 0.2% bad: burn 2, below both page tiers, but at that rate
    // its budget runs out within 30 days: `exhausted_within` pages.
    let spec = format!(
        "{}    alerting: {{budget: {{exhausted_within: 30d}}}}\n",
        common::SPEC
    );
    let addr = serve(common::registry(&spec, 0, None, Some(500)));
    let out = status(&[&addr]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let search = text.lines().find(|l| l.starts_with("search ")).unwrap();
    assert!(search.contains("page exhausted_within"), "{search}");
    assert!(!search.contains("page 1h/5m"), "{search}");
}

#[test]
fn a_journey_that_pages_alone_is_a_row_and_named_in_the_verdict() {
    // Each step at 0.5% bad: burn 5, under both pages; the journey over
    // both burns about 10, over the 6h/30m page.
    let spec = format!(
        "{}journeys:\n  - {{name: purchase, objective: 99.9%, steps: [checkout, search]}}\n",
        common::SPEC
    );
    let addr = serve(common::registry(&spec, 0, Some(200), Some(200)));
    let out = status(&[&format!("http://{addr}/slo")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let journey = text
        .lines()
        .find(|l| l.starts_with("purchase (journey) "))
        .unwrap();
    assert!(journey.contains("page 6h/30m"), "{journey}");
    assert!(!journey.contains("page 1h/5m"), "{journey}");
    assert!(journey.contains("1h 9.97"), "{journey}");
    let checkout = text.lines().find(|l| l.starts_with("checkout ")).unwrap();
    assert!(!checkout.contains("page "), "{checkout}");
    assert!(text.ends_with("PAGE: purchase\n"), "{text}");
}
