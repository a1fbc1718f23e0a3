//! `slo report`'s outside input: the ranges a user types (`--month`,
//! `--week`, `--from`/`--to`; after a first byte 0) and the PromQL API's
//! answer it counts (any other first byte). Ranges that parse are
//! non-empty, bounded, and a month or a week is one; any answer gives a
//! report whose totals add up, whose days cover the range and whose
//! incidents lie inside it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slo_core::Spec;
use slo_fleet::query::parse_matrix;

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;
use slo_fleet::report::{MAX_DAYS, ReportRange, slo_report_from_series};

const DAY: i64 = 86_400;

fn ranges(text: &str) {
    let (first, second) = text.split_once('\n').unwrap_or((text, ""));
    let bounded = |r: &ReportRange| {
        assert!(r.from() < r.to());
        assert!(r.to() - r.from() <= MAX_DAYS * DAY);
    };
    if let Ok(month) = ReportRange::month(first) {
        bounded(&month);
        assert!((28 * DAY..=31 * DAY).contains(&(month.to() - month.from())));
        assert_eq!(month.from().rem_euclid(DAY), 0);
    }
    if let Ok(week) = ReportRange::week(first) {
        bounded(&week);
        assert_eq!(week.to() - week.from(), 7 * DAY);
        // 1970-01-01 was a Thursday: Mondays are 4 days after one.
        assert_eq!((week.from().div_euclid(DAY) + 3).rem_euclid(7), 0);
    }
    if let Ok(range) = ReportRange::between(first, second) {
        bounded(&range);
    }
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((0, text)) => {
            if let Ok(text) = std::str::from_utf8(text) {
                ranges(text);
            }
        }
        Some((_, body)) => {
            let (parsed, peak) = alloc::peak_during(|| parse_matrix(body));
            alloc::assert_bounded("parse_matrix", body.len(), peak, 64 << 10, 64);
            let Ok(series) = parsed else {
                return;
            };
            let spec = Spec::from_yaml(
                "service: s\nslos:\n  - name: a\n    objective: 99%\n    alerting: {min_events: 3}\n",
            )
            .expect("the target's spec");
            let range = ReportRange::week("2026-W48").expect("a week");
            let report = slo_report_from_series(&spec.slos()[0], spec.maintenance(), range, series);
            assert_eq!(
                report.events.total,
                report.events.good.saturating_add(report.events.bad)
            );
            assert_eq!(report.daily.len(), 7);
            let days: u128 = report
                .daily
                .iter()
                .map(|d| u128::from(d.good) + u128::from(d.bad))
                .sum();
            // Each day is rounded on its own, and counts are summed as
            // floats (exact below 2^53); a total beyond u64 saturates.
            if report.events.total < u64::MAX / 2 {
                let slack = 7 + u128::from(report.events.total) / 1_000_000_000;
                assert!(
                    days.abs_diff(u128::from(report.events.total)) <= slack,
                    "{days} {:?}",
                    report.events
                );
            }
            assert!(report.error_budget.consumed_ratio.is_finite());
            for incident in &report.incidents {
                assert!(incident.start <= incident.end, "{incident:?}");
                assert!(
                    incident.start.as_str() >= "2026-11-23"
                        && incident.end.as_str() <= "2026-11-30T00:00:00Z"
                );
                assert!(incident.severity == "page" || incident.severity == "ticket");
                assert!(incident.peak_burn_rate.is_finite());
            }
        }
        None => {}
    }
});
