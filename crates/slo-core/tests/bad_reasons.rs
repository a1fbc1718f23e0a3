//! Bad reasons: every record names one, the counts by reason sum to the
//! bad count at every read, `/slo`'s `bad_reasons` covers exactly the
//! period window that `events` covers (rolling and calendar, checked
//! against a model written here), and a state file keeps them.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use common::rewritten;
use serde_json::Value;
use slo_core::reasons::{BadReason, BadReasons};
use slo_core::state::Snapshot;
use slo_core::{Exclusion, ManualClock, Registry, SloDefinition, Spec, Timestamp};

const HOUR: i64 = common::HOUR as i64;
const DAY: i64 = common::DAY as i64;

fn reasons(pairs: &[(BadReason, u64)]) -> BadReasons {
    let mut out = BadReasons::default();
    for (reason, count) in pairs {
        out.add(*reason, *count);
    }
    out
}

#[test]
fn every_record_path_names_its_reason() {
    let spec = Spec::builder("shop")
        .slo(SloDefinition::builder("api").objective(0.99))
        .slo(
            SloDefinition::builder("search")
                .objective(0.99)
                .latency(Duration::from_millis(250)),
        )
        .build()
        .unwrap();
    let registry = Registry::new(spec);
    let api = registry.handle("api").unwrap();
    let search = registry.handle("search").unwrap();
    api.record(false);
    api.record_bad();
    api.record_batch(7, 3);
    api.record_bad_for(BadReason::Status);
    api.record_bad_for(BadReason::Stale); // a reason availability never gives itself
    assert!(api.record_failure_nanos(5, BadReason::ServerError));
    assert!(!api.record_latency_nanos(5, false));
    assert!(
        api.record_latency_nanos(u64::MAX, true),
        "availability knows no slowness"
    );
    assert!(api.record_unfinished(10, true));
    assert!(
        !api.record_unfinished(u64::MAX, false),
        "no threshold to pass: excluded"
    );
    assert_eq!(
        api.record_unfinished_for(1, Some(BadReason::Panic)),
        Some(BadReason::Panic)
    );
    let totals = api.totals();
    assert_eq!(
        totals.bad_reasons,
        reasons(&[
            (BadReason::Error, 7),
            (BadReason::Status, 1),
            (BadReason::Stale, 1),
            (BadReason::ServerError, 1),
            (BadReason::Panic, 1),
        ])
    );
    assert_eq!((totals.good, totals.bad, totals.excluded), (8, 11, 1));

    assert!(!search.record_latency(Duration::from_millis(300), true));
    assert!(!search.record_latency(Duration::from_millis(3), false));
    assert!(search.record_latency(Duration::from_millis(3), true));
    assert!(search.record_failure_nanos(1_000, BadReason::BodyError));
    assert!(search.record_unfinished(300_000_000, false));
    assert!(!search.record_unfinished(3_000_000, false));
    assert_eq!(
        search.record_unfinished_for(3_000_000, Some(BadReason::ServerError)),
        Some(BadReason::ServerError)
    );
    let totals = search.totals();
    assert_eq!(
        totals.bad_reasons,
        reasons(&[
            (BadReason::Slow, 1),
            (BadReason::Error, 1),
            (BadReason::BodyError, 1),
            (BadReason::CancelledLate, 1),
            (BadReason::ServerError, 1),
        ])
    );
    assert_eq!((totals.bad, totals.excluded), (5, 1));
    // Failures land in the histogram with their latency, as before.
    let histogram = search.latency_histogram().unwrap();
    assert_eq!(histogram.counts.iter().sum::<u64>(), 6);

    // The status document says the same, over the period.
    let status = registry.status();
    for slo in &status.slos {
        let handle = registry.handle(&slo.name).unwrap();
        assert_eq!(slo.bad_reasons, handle.totals().bad_reasons, "{}", slo.name);
        assert_eq!(slo.bad_reasons.total(), slo.events.bad);
    }
    let json = serde_json::to_value(&status.slos[1]).unwrap();
    assert_eq!(
        json["bad_reasons"],
        serde_json::json!({"server_error": 1, "error": 1, "body_error": 1, "slow": 1, "cancelled_late": 1})
    );

    // A maintenance window excludes, whatever the reason would have been.
    api.record_excluded(Exclusion::Maintenance);
    assert_eq!(api.totals().bad, 11);
}

/// Many threads record bad events of every reason while a reader checks
/// that each read's reasons sum to its bad count; at the end every count
/// is exact.
#[test]
fn reasons_sum_to_bad_at_every_read_under_concurrency() {
    let spec = Spec::builder("shop")
        .slo(SloDefinition::builder("api").objective(0.99))
        .build()
        .unwrap();
    let registry = Registry::builder(spec).shards(4).build();
    let api = registry.handle("api").unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut reads = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) || reads < 10 {
                let totals = api.totals();
                assert_eq!(totals.bad_reasons.total(), totals.bad);
                reads += 1;
            }
        });
        let writers: Vec<_> = (0..6)
            .map(|t| {
                let api = api.clone();
                scope.spawn(move || {
                    for i in 0..9_000 {
                        api.record_bad_for(BadReason::ALL[(i + t) % 9]);
                        api.record_good();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        reader.join().unwrap();
    });
    let totals = api.totals();
    assert_eq!(totals.bad, 54_000);
    for reason in BadReason::ALL {
        assert_eq!(totals.bad_reasons.get(reason), 6_000, "{reason:?}");
    }
}

const SPEC: &str = r#"service: shop
slos:
  - name: api
    objective: 99%
    period: 1d
    sli:
      availability:
        bad: ["5xx", 429]
        excluded: [404]
    match: {routes: ["/api/{*rest}"]}
  - name: search
    objective: 99%
    period: 1d
    sli: {latency: {threshold: 250ms}}
    match: {routes: ["GET /search"]}
"#;

/// One request a minute to each route for three days, statuses and
/// latencies cycling so that each reason comes and goes.
fn trace() -> Vec<(i64, &'static str, &'static str, u16, u64)> {
    let mut events = Vec::new();
    for minute in 0..3 * DAY / 60 {
        // Half a minute past: no event on a window's edge.
        let t = minute * 60 + 30;
        let status = match minute % 13 {
            0 => 500,
            3 => 429,
            5 if t > DAY => 503,
            7 => 404,
            _ => 200,
        };
        // Slow for the second day's evening only.
        let slow = (DAY + 18 * HOUR..DAY + 20 * HOUR).contains(&t) && minute % 2 == 0;
        let latency = if slow { 400 } else { 40 };
        events.push((t, "POST", "/api/orders", status, latency));
        let status = if minute % 29 == 0 { 502 } else { 200 };
        events.push((t, "GET", "/search", status, latency));
    }
    events
}

/// The model: the reason of one request for each SLO (`None`: good or excluded).
fn model_reason(slo: &str, status: u16, latency_ms: u64) -> Option<BadReason> {
    match slo {
        "api" => match status {
            500..=599 => Some(BadReason::ServerError),
            429 => Some(BadReason::Status),
            _ => None,
        },
        _ => match status {
            500..=599 => Some(BadReason::ServerError),
            _ if latency_ms > 250 => Some(BadReason::Slow),
            _ => None,
        },
    }
}

fn replay_lines(spec: &str, text: &str, every: Duration) -> Vec<Value> {
    let spec = Spec::from_yaml(spec).unwrap();
    let mut out = Vec::new();
    slo_core::replay::replay(&spec, text.as_bytes(), every, &mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn trace_text(events: &[(i64, &str, &str, u16, u64)], t0: i64) -> String {
    events
        .iter()
        .map(|(t, method, route, status, latency)| {
            format!(
                "{{\"t\": {}, \"method\": \"{method}\", \"route\": \"{route}\", \"status\": {status}, \"latency_ms\": {latency}}}\n",
                t0 + t
            )
        })
        .collect()
}

#[test]
fn replayed_reasons_cover_exactly_the_rolling_period() {
    let events = trace();
    // Every sample spacing of a day's ring (a sixtieth): the window's start
    // is then a sample, and the count exact rather than interpolated.
    let spacing = DAY / 60;
    let lines = replay_lines(
        SPEC,
        &trace_text(&events, 0),
        Duration::from_secs(spacing as u64),
    );
    let mut checked = 0;
    for line in &lines {
        let t = line["t"].as_f64().unwrap() as i64;
        let name = line["name"].as_str().unwrap();
        // The model: bad events in the day before t, by reason.
        let mut expected = BadReasons::default();
        for (at, _, route, status, latency) in &events {
            let matches = (name == "api") == route.starts_with("/api");
            if matches
                && *at <= t
                && *at >= t - DAY
                && let Some(reason) = model_reason(name, *status, *latency)
            {
                expected.add(reason, 1);
            }
        }
        let got: BadReasons = serde_json::from_value(line["bad_reasons"].clone()).unwrap();
        assert_eq!(
            got.total(),
            line["events"]["bad"].as_u64().unwrap(),
            "{name} at t={t}"
        );
        assert_eq!(got, expected, "{name} at t={t}");
        checked += 1;
    }
    assert!(checked > 100, "{checked} lines");
    // Each reason came and went: the slow evening is gone a day later.
    let last = lines.iter().rev().find(|l| l["name"] == "search").unwrap();
    assert!(last["bad_reasons"].get("slow").is_none(), "{last}");
    let evening = lines
        .iter()
        .find(|l| l["name"] == "search" && l["t"].as_i64() == Some(DAY + 20 * HOUR))
        .unwrap();
    assert!(
        evening["bad_reasons"]["slow"].as_u64().unwrap() >= 55,
        "{evening}"
    );
}

#[test]
fn replayed_reasons_restart_with_each_calendar_week() {
    let spec = SPEC.replace(
        "period: 1d\n    sli:\n      availability",
        "period: calendar week\n    sli:\n      availability",
    );
    assert!(spec.contains("calendar week"));
    // 2026-11-30T00:00:00Z is a Monday: the week begins a day and a half in.
    let monday = 1_796_601_600;
    let t0 = monday - DAY - 12 * HOUR;
    let events = trace();
    let lines = replay_lines(
        &spec,
        &trace_text(&events, t0),
        Duration::from_secs(HOUR as u64),
    );
    let mut checked = 0;
    for line in lines.iter().filter(|l| l["name"] == "api") {
        let t = line["t"].as_f64().unwrap() as i64;
        let start = if t >= monday {
            monday
        } else {
            monday - 7 * DAY
        };
        let mut expected = BadReasons::default();
        for (at, _, route, status, latency) in &events {
            let at = t0 + at;
            if route.starts_with("/api")
                && at <= t
                && at >= start
                && let Some(reason) = model_reason("api", *status, *latency)
            {
                expected.add(reason, 1);
            }
        }
        let got: BadReasons = serde_json::from_value(line["bad_reasons"].clone()).unwrap();
        assert_eq!(got, expected, "t={t}");
        assert_eq!(got.total(), line["events"]["bad"].as_u64().unwrap());
        checked += 1;
    }
    assert!(checked > 50);
}

fn spec() -> Spec {
    Spec::builder("shop")
        .slo(SloDefinition::builder("api").objective(0.99))
        .slo(
            SloDefinition::builder("search")
                .objective(0.99)
                .latency(Duration::from_millis(250))
                .period(Duration::from_secs(7 * DAY as u64)),
        )
        .build()
        .unwrap()
}

fn registry_at(clock: &ManualClock, snapshot: Option<Snapshot>) -> Registry {
    common::registry_at(spec(), clock, snapshot)
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_nanos(secs * 1_000_000_000)
}

/// Two days of mixed bad events into `registries`, ticking each minute.
fn traffic(registries: &[&Registry], clock: &ManualClock, from: i64, to: i64) {
    let kinds = [
        BadReason::ServerError,
        BadReason::Status,
        BadReason::Error,
        BadReason::Panic,
    ];
    for minute in (from..to).step_by(60) {
        for r in registries {
            r.tick_at(at(minute - 1));
        }
        clock.set(at(minute));
        for r in registries {
            let (api, search) = (r.handle("api").unwrap(), r.handle("search").unwrap());
            api.record_good();
            if minute % 7 == 0 {
                api.record_bad_for(kinds[(minute / 60 % 4) as usize]);
            }
            let slow = minute % 11 == 0;
            search.record_latency(Duration::from_millis(if slow { 300 } else { 30 }), true);
            if minute % 17 == 0 {
                search.record_failure_nanos(1_000, BadReason::BodyError);
            }
        }
    }
}

#[test]
fn a_state_file_keeps_the_reasons_and_their_period() {
    let clock = ManualClock::new(Timestamp::EPOCH);
    let (first, model) = (registry_at(&clock, None), registry_at(&clock, None));
    traffic(&[&first, &model], &clock, 0, 2 * DAY);
    let snapshot = Snapshot::from_bytes(&first.snapshot().to_bytes()).unwrap();
    drop(first);
    // Down for an hour, then both run on for a day and a half: the api's
    // period (30 days) keeps everything, the search's (7 days) too.
    clock.set(at(2 * DAY + HOUR));
    let restored = registry_at(&clock, Some(snapshot.clone()));
    assert_eq!(restored.restore_report().restored, ["api", "search"]);
    traffic(
        &[&restored, &model],
        &clock,
        2 * DAY + HOUR,
        3 * DAY + 12 * HOUR,
    );
    let (a, b) = (restored.status(), model.status());
    for (restored, model) in a.slos.iter().zip(&b.slos) {
        assert_eq!(restored.bad_reasons, model.bad_reasons, "{}", restored.name);
        assert_eq!(restored.bad_reasons.total(), restored.events.bad);
        assert!(restored.bad_reasons.nonzero().count() >= 2);
    }
}

#[test]
fn a_state_file_from_before_reasons_counts_its_bad_events_as_errors() {
    let clock = ManualClock::new(Timestamp::EPOCH);
    let first = registry_at(&clock, None);
    traffic(&[&first], &clock, 0, DAY);
    let bad_before: Vec<u64> = first.status().slos.iter().map(|s| s.events.bad).collect();
    // The file as an earlier version wrote it: no reasons anywhere.
    let mut removed = 0;
    let old = rewritten(&first.snapshot().to_bytes(), |body| {
        for slo in body["slos"].as_array_mut().unwrap() {
            removed += usize::from(slo.as_object_mut().unwrap().remove("bad_reasons").is_some());
        }
    });
    assert_eq!(removed, 2);
    let restored = registry_at(&clock, Some(Snapshot::from_bytes(&old).unwrap()));
    assert_eq!(restored.restore_report().restored, ["api", "search"]);
    let status = restored.status();
    for (slo, bad) in status.slos.iter().zip(bad_before) {
        assert_eq!(slo.events.bad, bad);
        assert_eq!(
            slo.bad_reasons,
            reasons(&[(BadReason::Error, bad)]),
            "{}",
            slo.name
        );
    }
    // New events keep their own reasons beside them.
    restored
        .handle("api")
        .unwrap()
        .record_bad_for(BadReason::Panic);
    let status = restored.status();
    assert_eq!(status.slos[0].bad_reasons.get(BadReason::Panic), 1);
    assert_eq!(
        status.slos[0].bad_reasons.total(),
        status.slos[0].events.bad
    );
}

const QUALITY_SPEC: &str = r#"service: shop
slos:
  - name: search-quality
    objective: 99%
    sli: quality
    match: {routes: ["GET /search"]}
  - name: search-strict
    objective: 99%
    sli: {quality: {bad: ["5xx", 429]}}
    match: {routes: ["GET /search"]}
  - name: search-availability
    objective: 99%
    match: {routes: ["GET /search"]}
"#;

#[test]
fn a_quality_sli_reads_writes_and_replays_degraded_requests() {
    let spec = Spec::from_yaml(QUALITY_SPEC).unwrap();
    assert_eq!(
        *spec.slo("search-quality").unwrap().sli(),
        slo_core::Sli::Quality
    );
    // Written back as it was read, and read again the same.
    let yaml = spec.to_yaml();
    assert!(yaml.contains("sli: quality"), "{yaml}");
    assert!(yaml.contains("    quality:\n      bad:"), "{yaml}");
    assert_eq!(Spec::from_yaml(&yaml).unwrap(), spec);
    let built = Spec::builder("shop")
        .slo(SloDefinition::builder("q").objective(0.99).quality())
        .build()
        .unwrap();
    assert_eq!(*built.slo("q").unwrap().sli(), slo_core::Sli::Quality);

    let lines = [
        r#"{"t": 1, "method": "GET", "route": "/search", "status": 200}"#,
        r#"{"t": 2, "method": "GET", "route": "/search", "status": 200, "degraded": true}"#,
        r#"{"t": 3, "method": "GET", "route": "/search", "status": 200, "degraded": false}"#,
        r#"{"t": 4, "method": "GET", "route": "/search", "status": 503, "degraded": true}"#,
        r#"{"t": 5, "method": "GET", "route": "/search", "status": 429, "degraded": true}"#,
    ]
    .join("\n");
    let out = replay_lines(QUALITY_SPEC, &lines, Duration::from_secs(1));
    let by_name = |name: &str| {
        out.iter()
            .rev()
            .find(|l| l["name"] == name)
            .unwrap()
            .clone()
    };
    let quality = by_name("search-quality");
    assert_eq!(quality["sli"], serde_json::json!({"kind": "quality"}));
    assert_eq!(quality["events"]["bad"], 3);
    assert_eq!(
        quality["bad_reasons"],
        serde_json::json!({"server_error": 1, "degraded": 2})
    );
    let strict = by_name("search-strict");
    assert_eq!(
        strict["bad_reasons"],
        serde_json::json!({"server_error": 1, "status": 1, "degraded": 1})
    );
    let availability = by_name("search-availability");
    assert_eq!(
        availability["bad_reasons"],
        serde_json::json!({"server_error": 1})
    );
    // `degraded` belongs to request lines.
    let spec = Spec::from_yaml(QUALITY_SPEC).unwrap();
    let wrong = r#"{"t": 1, "slo": "search-quality", "good": true, "degraded": true}"#;
    let error =
        slo_core::replay::replay(&spec, wrong.as_bytes(), Duration::from_secs(60), Vec::new())
            .unwrap_err();
    assert!(error.to_string().starts_with("line 1:"), "{error}");
}
