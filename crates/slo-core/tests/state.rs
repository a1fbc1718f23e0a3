//! Durable windows: a snapshot restored after a gap equals a registry that
//! ran through the gap and saw no events in it; state files that cannot
//! be trusted are refused with a reason and no panic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

mod common;

use common::{registry_at, rewritten};
use slo_core::__private::window_events;
use slo_core::state::{RestoreNote, Snapshot, StateError, StateFile};
use slo_core::{Clock, ManualClock, Registry, SloDefinition, Spec, Timestamp};

const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

fn spec() -> Spec {
    spec_with(0.999, Duration::from_millis(250))
}

fn spec_with(objective: f64, threshold: Duration) -> Spec {
    Spec::builder("shop")
        .slo(
            SloDefinition::builder("checkout")
                .objective(objective)
                .route("POST /checkout"),
        )
        .slo(
            SloDefinition::builder("search")
                .objective(0.99)
                .latency(threshold)
                .period(Duration::from_secs(7 * DAY)),
        )
        .build()
        .unwrap()
}

/// Moves `clock` to `secs`, ticking every registry just before, as replay does.
fn move_to(registries: &[&Registry], clock: &ManualClock, secs: u64) {
    let t = Timestamp::from_unix_nanos(i64::try_from(secs).unwrap() * 1_000_000_000);
    for r in registries {
        r.tick_at(Timestamp::from_unix_nanos(t.as_unix_nanos() - 1));
    }
    clock.set(t);
}

/// A deterministic day and a half of traffic, with an incident.
fn traffic(registries: &[&Registry], clock: &ManualClock, from: u64, to: u64) {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for minute in (from..to).step_by(60) {
        move_to(registries, clock, minute);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let incident = (20 * HOUR..21 * HOUR).contains(&minute);
        let events = 20 + seed % 30;
        for i in 0..events {
            let bad = if incident {
                i % 5 == 0
            } else {
                (seed + i).is_multiple_of(97)
            };
            let latency = Duration::from_millis(50 + (seed + i * 37) % 400);
            for r in registries {
                r.handle("checkout").unwrap().record(!bad);
                r.handle("search").unwrap().record_latency(latency, !bad);
            }
        }
    }
}

fn without_uptime_and_history(registry: &Registry) -> serde_json::Value {
    let mut status = serde_json::to_value(registry.status()).unwrap();
    let object = status.as_object_mut().unwrap();
    object.remove("uptime_seconds");
    object.remove("history");
    status
}

#[test]
fn a_restart_gap_reads_as_no_events_in_every_window() {
    let clock = ManualClock::new(Timestamp::EPOCH);
    let first = registry_at(spec(), &clock, None);
    let model = registry_at(spec(), &clock, None);
    traffic(&[&first, &model], &clock, 0, 36 * HOUR);
    move_to(&[&first, &model], &clock, 36 * HOUR + 17);
    let snapshot = first.snapshot();
    // Down for two hours; the model runs on and sees nothing.
    move_to(&[&model], &clock, 38 * HOUR + 17);
    let restored = registry_at(
        spec(),
        &clock,
        Some(Snapshot::from_bytes(&snapshot.to_bytes()).unwrap()),
    );
    assert_eq!(restored.restore_report().restored, ["checkout", "search"]);
    assert!(restored.restore_report().notes.is_empty());
    let now = clock.now();
    for name in ["checkout", "search"] {
        assert_eq!(
            window_events(&restored, name, now).unwrap(),
            window_events(&model, name, now).unwrap(),
            "SLO {name} right after the restart"
        );
    }
    assert_eq!(
        without_uptime_and_history(&restored),
        without_uptime_and_history(&model)
    );
    let history = restored.status().history;
    assert_eq!(history.sources, ["state_file"]);
    assert_eq!(history.since, Timestamp::EPOCH.to_string());
    // Both go on alike, through the incident's anniversary and past a
    // whole 7d period's worth of windows.
    traffic(&[&restored, &model], &clock, 38 * HOUR + 60, 46 * HOUR);
    for secs in [46 * HOUR, 47 * HOUR + 5, 9 * DAY] {
        move_to(&[&restored, &model], &clock, secs);
        for name in ["checkout", "search"] {
            assert_eq!(
                window_events(&restored, name, clock.now()).unwrap(),
                window_events(&model, name, clock.now()).unwrap(),
                "SLO {name} at {secs}s"
            );
            assert_eq!(
                restored.history(name, clock.now()),
                model.history(name, clock.now()),
                "chart history of SLO {name} at {secs}s"
            );
        }
        assert_eq!(
            without_uptime_and_history(&restored),
            without_uptime_and_history(&model)
        );
    }
}

#[test]
fn a_snapshot_survives_its_bytes_and_a_second_restart() {
    let clock = ManualClock::new(Timestamp::from_unix_nanos(1_700_000_000_000_000_000));
    let first = registry_at(spec(), &clock, None);
    let base = clock.now().as_unix_nanos() as u64 / 1_000_000_000;
    traffic(&[&first], &clock, base, base + 3 * HOUR);
    let snapshot = first.snapshot();
    let bytes = snapshot.to_bytes();
    assert_eq!(Snapshot::from_bytes(&bytes).unwrap(), snapshot);
    let second = registry_at(spec(), &clock, Some(snapshot));
    second.handle("checkout").unwrap().record(false);
    let again = registry_at(spec(), &clock, Some(second.snapshot()));
    let want = first.status().slos[0].events;
    let got = again.status().slos[0].events;
    assert_eq!((got.good, got.bad), (want.good, want.bad + 1));
    // The file stays small: a few KiB per SLO.
    assert!(bytes.len() < 2 * 16 * 1024, "{} bytes", bytes.len());
}

#[test]
fn changed_slos_start_fresh_and_unchanged_ones_keep_their_history() {
    let clock = ManualClock::new(Timestamp::EPOCH);
    let first = registry_at(spec(), &clock, None);
    traffic(&[&first], &clock, 0, 2 * HOUR);
    let snapshot = first.snapshot();
    // A new objective keeps the counts; a new latency threshold does not.
    let changed = spec_with(0.995, Duration::from_millis(300));
    let restored = registry_at(changed, &clock, Some(snapshot.clone()));
    let report = restored.restore_report();
    assert_eq!(report.restored, ["checkout"]);
    assert_eq!(
        report.notes,
        [RestoreNote::Changed {
            slo: "search".into()
        }]
    );
    let status = restored.status();
    assert_eq!(status.slos[0].events, first.status().slos[0].events);
    assert_eq!(status.slos[0].objective, 0.995);
    assert_eq!(status.slos[1].events.total, 0);
    // A spec with a new SLO and without an old one.
    let other = Spec::builder("shop")
        .slo(
            SloDefinition::builder("checkout")
                .objective(0.999)
                .route("POST /checkout"),
        )
        .slo(SloDefinition::builder("cart").objective(0.99))
        .build()
        .unwrap();
    let restored = registry_at(other, &clock, Some(snapshot));
    assert_eq!(
        restored.restore_report().notes,
        [
            RestoreNote::New { slo: "cart".into() },
            RestoreNote::Removed {
                slo: "search".into()
            }
        ]
    );
    assert!(
        restored.restore_report().warnings()[0].contains("\"cart\""),
        "{:?}",
        restored.restore_report().warnings()
    );
}

#[test]
fn snapshots_of_another_service_from_the_future_or_older_than_the_period_start_fresh() {
    let clock = ManualClock::new(Timestamp::from_unix_nanos(10 * DAY as i64 * 1_000_000_000));
    let first = registry_at(spec(), &clock, None);
    first.handle("checkout").unwrap().record(true);
    let snapshot = first.snapshot();

    let other = Spec::builder("cart")
        .slo(SloDefinition::builder("checkout").objective(0.9))
        .build()
        .unwrap();
    let r = registry_at(other, &clock, Some(snapshot.clone()));
    assert!(
        matches!(&r.restore_report().notes[..], [RestoreNote::OtherService { found, .. }] if found == "shop")
    );
    assert_eq!(r.status().slos[0].events.total, 0);

    let earlier = ManualClock::new(Timestamp::from_unix_nanos(9 * DAY as i64 * 1_000_000_000));
    let r = registry_at(spec(), &earlier, Some(snapshot.clone()));
    assert!(matches!(
        &r.restore_report().notes[..],
        [RestoreNote::FromTheFuture { .. }]
    ));
    assert!(r.restore_report().restored.is_empty());
    assert!(r.restore_report().warnings()[0].contains("after now"));

    // Eight days later: older than search's 7d period, not checkout's 30d.
    let later = ManualClock::new(Timestamp::from_unix_nanos(18 * DAY as i64 * 1_000_000_000));
    let r = registry_at(spec(), &later, Some(snapshot));
    assert_eq!(r.restore_report().restored, ["checkout"]);
    assert!(
        matches!(&r.restore_report().notes[..], [RestoreNote::OlderThanPeriod { slo, .. }] if slo == "search")
    );
    assert_eq!(r.status().slos[0].events.good, 1);
}

/// A real state file: an hour of `traffic` on `spec()`, from the epoch.
fn an_hours_state_file() -> Vec<u8> {
    let clock = ManualClock::new(Timestamp::EPOCH);
    let first = registry_at(spec(), &clock, None);
    traffic(&[&first], &clock, 0, HOUR);
    first.snapshot().to_bytes()
}

/// A real file, truncated at every byte and with a bit flipped at every
/// byte: each is refused with a reason, never a panic, never misread.
#[test]
fn truncated_or_flipped_files_are_refused() {
    let bytes = an_hours_state_file();
    assert_eq!(Snapshot::from_bytes(&[]), Err(StateError::Empty));
    for cut in 0..bytes.len() {
        let read = Snapshot::from_bytes(&bytes[..cut]);
        assert!(
            read.is_err(),
            "cut at {cut} of {} was accepted",
            bytes.len()
        );
    }
    for at in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[at] ^= 1 << (at % 8);
        let read = Snapshot::from_bytes(&flipped);
        assert!(read.is_err(), "a flipped bit at byte {at} was accepted");
    }
    let mut other_version = bytes.clone();
    other_version[10] = b'7';
    assert_eq!(
        Snapshot::from_bytes(&other_version),
        Err(StateError::Version { found: "7".into() })
    );
    assert_eq!(
        Snapshot::from_bytes(b"hello\n{}"),
        Err(StateError::NotAStateFile)
    );
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("slo-state-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn open_restores_writes_and_reports_bad_files() {
    let dir = temp_dir("open");
    let path = dir.join("shop.slo-state");
    let file = StateFile::new(&path).every(Duration::from_millis(20));
    // Missing: a fresh start without a note, and a file written at once.
    let (registry, writer) = file.open(Registry::builder(spec())).unwrap();
    assert!(writer.report().notes.is_empty() && writer.report().restored.is_empty());
    assert!(path.exists());
    for _ in 0..41 {
        registry.handle("checkout").unwrap().record(true);
    }
    writer.shutdown().unwrap();
    let (registry, writer) = file.open(Registry::builder(spec())).unwrap();
    assert_eq!(registry.status().slos[0].events.good, 41);
    // The writer writes on its own, every interval.
    registry.handle("checkout").unwrap().record(false);
    std::thread::sleep(Duration::from_millis(300));
    let written = file.read().unwrap().unwrap();
    let reread = Registry::builder(spec()).restore(written).build();
    assert_eq!(reread.status().slos[0].events.bad, 1);
    drop(writer);

    // Empty, garbage and truncated files: a note naming the file, a fresh start.
    for bad in [&b""[..], b"garbage\n", &std::fs::read(&path).unwrap()[..50]] {
        std::fs::write(&path, bad).unwrap();
        let (registry, writer) = file.open(Registry::builder(spec())).unwrap();
        let warnings = writer.report().warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains(&path.display().to_string()),
            "{warnings:?}"
        );
        assert!(warnings[0].contains("not used"), "{warnings:?}");
        assert_eq!(registry.status().slos[0].events.total, 0);
        writer.shutdown().unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_that_cannot_be_written_is_reported_and_the_service_goes_on() {
    let dir = temp_dir("unwritable");
    // A directory in the way of the file (as root, permissions would not stop a write).
    let path = dir.join("in-the-way");
    std::fs::create_dir_all(path.join("child")).unwrap();
    let failures = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&failures);
    let file = StateFile::new(&path)
        .every(Duration::from_millis(10))
        .on_error(move |_, _| {
            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
    let (registry, writer) = file.open(Registry::builder(spec())).unwrap();
    assert!(
        matches!(
            &writer.report().notes[..],
            [RestoreNote::Unusable { .. }, RestoreNote::Unwritable { .. }]
        ),
        "{:?}",
        writer.report().notes
    );
    registry.handle("checkout").unwrap().record(true);
    std::thread::sleep(Duration::from_millis(200));
    assert!(writer.last_error().is_some());
    // Reported once for the run of failures, not at every retry.
    assert_eq!(failures.load(std::sync::atomic::Ordering::Relaxed), 1);
    assert!(writer.shutdown().is_err());
    assert_eq!(registry.status().slos[0].events.good, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes asked for from several threads while the writer's own thread
/// writes too: every file on disk is whole.
#[test]
fn overlapping_writes_leave_a_whole_file() {
    let dir = temp_dir("overlap");
    let file = StateFile::new(dir.join("shop.slo-state")).every(Duration::from_millis(1));
    let (registry, writer) = file.open(Registry::builder(spec())).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..50 {
                    registry
                        .handle("search")
                        .unwrap()
                        .record_latency(Duration::from_millis(3), true);
                    writer.write_now().unwrap();
                    let read = file.read();
                    assert!(matches!(read, Ok(Some(_))), "{read:?}");
                }
            });
        }
    });
    writer.shutdown().unwrap();
    let restored = Registry::builder(spec())
        .restore(file.read().unwrap().unwrap())
        .build();
    assert_eq!(restored.status().slos[1].events.good, 200);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `Snapshot::restorable` names exactly the SLOs a restore keeps.
#[test]
fn restorable_names_what_a_restore_keeps() {
    let clock = ManualClock::new(Timestamp::EPOCH);
    let first = registry_at(spec(), &clock, None);
    traffic(&[&first], &clock, 0, 2 * HOUR);
    let snapshot = first.snapshot();
    let later =
        |secs: u64| Timestamp::from_unix_nanos(i64::try_from(secs).unwrap() * 1_000_000_000);
    let cases = [
        // Unchanged; a changed objective keeps history too.
        (spec(), later(3 * HOUR)),
        (spec_with(0.99, Duration::from_millis(250)), later(3 * HOUR)),
        // A changed latency threshold: search starts fresh.
        (
            spec_with(0.999, Duration::from_millis(100)),
            later(3 * HOUR),
        ),
        // Eight days on: older than search's 7d period, not checkout's 30d.
        (spec(), later(8 * DAY)),
        // Another service keeps nothing.
        (
            Spec::builder("other")
                .slo(
                    SloDefinition::builder("checkout")
                        .objective(0.999)
                        .route("POST /checkout"),
                )
                .build()
                .unwrap(),
            later(3 * HOUR),
        ),
    ];
    let expected: [&[&str]; 5] = [
        &["checkout", "search"],
        &["checkout", "search"],
        &["checkout"],
        &["checkout"],
        &[],
    ];
    for ((spec, now), expected) in cases.into_iter().zip(expected) {
        let named = snapshot.restorable(&spec, now);
        assert_eq!(named, expected);
        clock.set(now);
        let restored = registry_at(spec, &clock, Some(snapshot.clone()));
        assert_eq!(restored.restore_report().restored, named);
    }
}

/// A file in another format (here format 1, ring samples as lists of
/// numbers, which no released version wrote) is refused by its version,
/// and so is one from a format this build does not know yet.
#[test]
fn a_file_of_another_format_is_refused_by_its_version() {
    let old = include_bytes!("fixtures/format-1.slo-state");
    assert!(old.starts_with(b"slo-state 1 "));
    assert!(matches!(
        Snapshot::from_bytes(old),
        Err(StateError::Version { found }) if found == "1"
    ));
    let clock = ManualClock::new(Timestamp::EPOCH);
    let mut future = registry_at(spec(), &clock, None).snapshot().to_bytes();
    assert!(future.starts_with(b"slo-state 2 "));
    future[10] = b'9';
    assert!(matches!(
        Snapshot::from_bytes(&future),
        Err(StateError::Version { found }) if found == "9"
    ));
}

#[test]
fn a_refusal_quotes_the_file_printably_and_briefly() {
    // Found by the state_file fuzz target: the reason is logged, so what
    // the file holds must not drive a terminal or flood a log line.
    let bytes = an_hours_state_file();
    let reason = |bytes: &[u8]| Snapshot::from_bytes(bytes).unwrap_err().to_string();
    let fit = |text: &str| {
        assert!(
            !text.chars().any(slo_core::__private::is_unprintable),
            "{text:?}"
        );
        assert!(text.chars().count() <= 400, "{} characters", text.len());
    };

    let mut escape = b"slo-state 2\x1b[2J 1 00000000\n{".to_vec();
    escape.extend_from_slice(&bytes[bytes.len() - 1..]);
    assert_eq!(
        Snapshot::from_bytes(&escape),
        Err(StateError::Version {
            found: "2?[2J".into()
        })
    );

    let long = "x".repeat(100_000);
    let said = reason(&rewritten(&bytes, |body| {
        body["taken_at"] = format!("\u{1b}]0;{long}").into();
    }));
    fit(&said);
    assert!(said.contains("at line 1 column"), "{said}");

    let said = reason(&rewritten(&bytes, |body| {
        body["slos"][0]["name"] = format!("\u{202e}{long}").into();
        body["slos"][0]["since"] = i64::MAX.into();
    }));
    fit(&said);
    assert!(said.contains("its history starts after"), "{said}");
}

#[test]
fn a_snapshot_of_the_31st_restored_on_the_1st_starts_the_month_whole() {
    let spec = Spec::from_yaml(
        "service: shop\ntimezone: Europe/Berlin\nslos:\n  - name: checkout\n    objective: 99%\n    period: calendar month\n",
    )
    .unwrap();
    // 2026-10-31T12:00Z, the last day of October in Berlin.
    const LAST_DAY_NOON: u64 = 1_793_448_000;
    // 2026-10-31T23:00Z: November begins in Berlin.
    const NOVEMBER: u64 = LAST_DAY_NOON + 11 * HOUR;
    let clock = ManualClock::new(Timestamp::from_unix_nanos(
        i64::try_from(LAST_DAY_NOON - 6 * HOUR).unwrap() * 1_000_000_000,
    ));
    let first = registry_at(spec.clone(), &clock, None);
    let checkout = first.handle("checkout").unwrap();
    // Six hours at 5% bad, then the snapshot at noon.
    for minute in 0..360 {
        move_to(&[&first], &clock, LAST_DAY_NOON - 6 * HOUR + minute * 60);
        for i in 0..20 {
            checkout.record(i != 0);
        }
    }
    move_to(&[&first], &clock, LAST_DAY_NOON);
    first.tick();
    let october = first.status().slos.remove(0);
    assert_eq!(october.events.bad, 360);
    assert!(october.error_budget.remaining_ratio < 1.0);
    let snapshot = first.snapshot();
    // Restored on the 1st, an hour after November began.
    clock.set(Timestamp::from_unix_nanos(
        i64::try_from(NOVEMBER + HOUR).unwrap() * 1_000_000_000,
    ));
    let second = registry_at(spec.clone(), &clock, Some(snapshot.clone()));
    second.tick();
    let november = second.status().slos.remove(0);
    assert_eq!(
        november.calendar.as_ref().unwrap().start,
        "2026-11-01T00:00:00+01:00"
    );
    assert_eq!((november.events.good, november.events.bad), (0, 0));
    assert_eq!(november.error_budget.remaining_ratio, 1.0, "whole again");
    // The rolling windows kept October's last hours: the 1d window (scaled
    // for a 30d month) still holds the incident.
    assert!(
        november.burn_rates.get("1d").is_some_and(|b| b > 4.0),
        "{:?}",
        november.burn_rates
    );
    // Restored within the same month instead, the month keeps its events.
    clock.set(Timestamp::from_unix_nanos(
        i64::try_from(LAST_DAY_NOON + HOUR).unwrap() * 1_000_000_000,
    ));
    let same_month = registry_at(spec, &clock, Some(snapshot));
    same_month.tick();
    let kept = same_month.status().slos.remove(0);
    assert_eq!(kept.events.bad, 360);
    assert_eq!(kept.events.good, 360 * 19);
}

#[test]
fn a_restart_within_the_month_keeps_exactly_its_events() {
    let spec = Spec::from_yaml(
        "service: shop\ntimezone: Europe/Berlin\nslos:\n  - name: checkout\n    objective: 99%\n    period: calendar month\n",
    )
    .unwrap();
    // 2026-10-31T23:00Z: November begins in Berlin.
    const NOVEMBER: u64 = 1_793_487_600;
    let from = NOVEMBER - 5 * HOUR + 30;
    let clock = ManualClock::new(Timestamp::from_unix_nanos(
        i64::try_from(from).unwrap() * 1_000_000_000,
    ));
    let first = registry_at(spec.clone(), &clock, None);
    let checkout = first.handle("checkout").unwrap();
    // Events each minute, at :30 past, for eight hours (three of them in
    // November; ten a minute in October's last hour, one otherwise), every
    // seventh minute's bad.
    let mut november = (0u64, 0u64);
    for minute in 0..8 * 60 {
        let t = from + minute * 60;
        move_to(&[&first], &clock, t);
        let good = minute % 7 != 0;
        let busy = (NOVEMBER - HOUR..NOVEMBER).contains(&t);
        for _ in 0..if busy { 10 } else { 1 } {
            checkout.record(good);
        }
        if t >= NOVEMBER {
            if good {
                november.0 += 1;
            } else {
                november.1 += 1;
            }
        }
    }
    move_to(&[&first], &clock, from + 8 * HOUR);
    first.tick();
    let before = first.status().slos.remove(0);
    assert_eq!((before.events.good, before.events.bad), november);
    // Restarted four days later, still in November: the same events, not
    // the 30d window's guess (samples 12 hours apart) at where the month
    // began.
    let snapshot = Snapshot::from_bytes(&first.snapshot().to_bytes()).unwrap();
    clock.set(Timestamp::from_unix_nanos(
        i64::try_from(from + 4 * DAY).unwrap() * 1_000_000_000,
    ));
    let second = registry_at(spec, &clock, Some(snapshot));
    second.tick();
    let after = second.status().slos.remove(0);
    assert_eq!((after.events.good, after.events.bad), november);
}

#[test]
fn a_calendar_restore_reads_the_snapshot_on_the_wall_clock_and_keeps_a_whole_month() {
    let spec = Spec::from_yaml(
        "service: shop\nslos:\n  - name: checkout\n    objective: 99%\n    period: calendar month\n",
    )
    .unwrap();
    // 2026-12-31T23:30Z on the engine's clock; the wall clock an hour
    // ahead reads January already.
    const NEW_YEAR: u64 = 1_798_761_600;
    let engine = NEW_YEAR - 1800;
    let clock = ManualClock::new(Timestamp::from_unix_nanos(
        i64::try_from(engine).unwrap() * 1_000_000_000,
    ));
    clock.set_wall(Timestamp::from_unix_nanos(
        i64::try_from(engine + HOUR).unwrap() * 1_000_000_000,
    ));
    let first = registry_at(spec.clone(), &clock, None);
    first.tick();
    let checkout = first.handle("checkout").unwrap();
    for minute in 1..=10 {
        move_to(&[&first], &clock, engine + minute * 60);
        checkout.record(minute % 5 != 0);
    }
    move_to(&[&first], &clock, engine + 11 * 60);
    first.tick();
    let january = first.status().slos.remove(0);
    assert_eq!(
        january.calendar.as_ref().unwrap().start,
        "2027-01-01T00:00:00+00:00"
    );
    assert_eq!((january.events.good, january.events.bad), (8, 2));
    let snapshot = first.snapshot();
    // Restarted 29 days later (the nominal 30d has not passed, but a
    // month's snapshot stays usable for 31 days), still January.
    clock.set(Timestamp::from_unix_nanos(
        i64::try_from(engine + 29 * DAY).unwrap() * 1_000_000_000,
    ));
    let second = registry_at(spec.clone(), &clock, Some(snapshot.clone()));
    second.tick();
    let kept = second.status().slos.remove(0);
    assert_eq!((kept.events.good, kept.events.bad), (8, 2));
    // 30 days and a half later: older than the nominal 30d, still January
    // on the wall clock (the 31st, 00:30 + 12h).
    clock.set(Timestamp::from_unix_nanos(
        i64::try_from(engine + 30 * DAY + 12 * HOUR).unwrap() * 1_000_000_000,
    ));
    let third = registry_at(spec, &clock, Some(snapshot));
    third.tick();
    let late = third.status().slos.remove(0);
    assert_eq!(
        late.calendar.as_ref().unwrap().start,
        "2027-01-01T00:00:00+00:00"
    );
    assert_eq!((late.events.good, late.events.bad), (8, 2));
}
