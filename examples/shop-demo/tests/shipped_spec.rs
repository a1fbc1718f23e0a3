//! The demo with `shop.yaml` as it ships: checkout's calendar month in
//! Berlin, its nightly maintenance window and its budget alerts, as `/slo`
//! and the page show them, worked out here from the date. (The other
//! tests run a copy pinned to a rolling period without the window; see
//! `common::pinned_spec`.)
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::process::Command;

use common::{Peer, listening, request};
use jiff::tz::TimeZone;

/// 2026-01-01T02:00:00Z, the nightly window's first start; it lasts 15m
/// and repeats every day.
const MAINTENANCE_FROM: i64 = 1_767_232_800;
const MAINTENANCE_FOR: i64 = 15 * 60;
const DAY: i64 = 86_400;

/// Whether the nightly window holds at `t` (seconds), and its start.
fn maintenance_at(t: i64) -> (bool, i64) {
    let start = MAINTENANCE_FROM + (t - MAINTENANCE_FROM).div_euclid(DAY) * DAY;
    (t < start + MAINTENANCE_FOR, start)
}

fn checkout(addr: &str) -> serde_json::Value {
    common::slo_named(addr, "checkout-availability")
}

fn seconds(rfc3339: &serde_json::Value) -> i64 {
    rfc3339
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second()
}

#[test]
fn the_shipped_spec_keeps_berlins_month_and_the_nightly_window() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shop-demo"));
    command.args([
        "--listen",
        "127.0.0.1:0",
        "--no-state",
        "--no-load",
        "--report-every",
        "1h",
    ]);
    let demo = Peer::spawn(command);
    let addr = listening(&demo);

    // Either side of the reads, so that a test that straddles a boundary
    // (the window's, the month's) knows not to judge.
    let before = jiff::Timestamp::now();
    let slo = checkout(&addr);
    let after = jiff::Timestamp::now();

    // The month: Berlin's, from its first midnight to the next month's.
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    // (The month's first day, its first instant, the next month's.)
    let month_of = |t: jiff::Timestamp| {
        let first = t.to_zoned_datetime(berlin.clone()).date().first_of_month();
        let next = first.checked_add(jiff::Span::new().months(1)).unwrap();
        let midnight = |day: jiff::civil::Date| {
            day.to_zoned_datetime(berlin.clone())
                .unwrap()
                .timestamp()
                .as_second()
        };
        (first, midnight(first), midnight(next))
    };
    let (first, start, end) = month_of(before);
    let calendar = &slo["calendar"];
    assert_eq!(calendar["unit"], "month");
    assert_eq!(calendar["timezone"], "Europe/Berlin");
    if month_of(after).1 == start {
        assert_eq!(seconds(&calendar["start"]), start);
        assert_eq!(seconds(&calendar["end"]), end);
        // Midnight as Berlin's clocks read it, with their offset.
        assert!(
            calendar["start"].as_str().unwrap().contains("T00:00:00+0"),
            "{calendar}"
        );
        assert_eq!(slo["period_seconds"].as_i64().unwrap(), end - start);
    }
    assert!(
        slo["burn_rates"].get("month").is_some(),
        "{}",
        slo["burn_rates"]
    );

    // The nightly window: active or not as the date says, and when it
    // ends or next starts.
    let (active, window_start) = maintenance_at(before.as_second());
    if maintenance_at(after.as_second()) == (active, window_start) {
        let maintenance = &slo["maintenance"];
        assert_eq!(maintenance["active"], active, "{maintenance}");
        if active {
            assert_eq!(
                seconds(&maintenance["until"]),
                window_start + MAINTENANCE_FOR
            );
        } else {
            assert!(maintenance["until"].is_null(), "{maintenance}");
            assert_eq!(seconds(&maintenance["next_start"]), window_start + DAY);
        }
        // A checkout now counts, or is excluded for the maintenance. The
        // demo switches at its next tick (within a second or two), so the
        // count is judged only well inside or outside the window.
        let sent = jiff::Timestamp::now().as_second();
        assert_eq!(request(&addr, "POST", "/checkout").0, 201);
        let slo = checkout(&addr);
        let done = jiff::Timestamp::now().as_second();
        if [sent - 3, done + 3]
            .iter()
            .all(|&t| maintenance_at(t) == (active, window_start))
        {
            let (counted, excluded) = if active { (0, 1) } else { (1, 0) };
            assert_eq!(slo["events"]["total"], counted, "{slo}");
            assert_eq!(slo["excluded"]["maintenance"], excluded, "{slo}");
        }
    }

    // Both budget alerts, neither firing on a whole budget.
    let alerts: Vec<(String, bool)> = slo["budget_alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["condition"].as_str().unwrap().to_owned(),
                a["firing"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        alerts,
        [
            ("remaining_below".to_owned(), false),
            ("exhausted_within".to_owned(), false)
        ]
    );

    // The page names the month and the days it has to go.
    let (status, page) = request(&addr, "GET", "/slo?format=html");
    assert_eq!(status, 200);
    if month_of(jiff::Timestamp::now()).1 == start {
        let month = first.strftime("%B").to_string();
        assert!(
            page.contains(&format!("{month}: 100% of the budget left")),
            "{page}"
        );
    }
    assert!(page.contains("to go"), "{page}");
}
