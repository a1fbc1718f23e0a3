//! Taking a snapshot of an SLO's state, and restoring one into a registry
//! being built.

use std::collections::HashMap;

use super::{Base, SloEntry};
use crate::clock::Timestamp;
use crate::counters::BAD_KINDS;
use crate::counters::Totals;
use crate::reasons::BadReason;
use crate::rings::{DEFAULT_RING_LEN, Rings, SampleFill, SavedRing, TickState};
use crate::state::codec::{EncodedRing, SavedCalendar, SavedLatency, SavedReasons};
use crate::state::identity::{FUTURE_TOLERANCE, identity};
use crate::state::{RestoreNote, RestoreReport, SavedSlo, SnapshotData};
use crate::sync::Mutex;

/// `slo`'s state, its windows just ticked to `state` and its reasons'
/// rings to `reasons`.
pub(super) fn save(slo: &SloEntry, state: TickState, reasons: [u64; BAD_KINDS]) -> SavedSlo {
    let cell = &slo.handle.cell;
    let latency = (!cell.bounds_nanos.is_empty()).then(|| {
        let (mut counts, sum) = cell.counters.histogram();
        if slo.base.buckets.len() == counts.len() {
            for (count, base) in counts.iter_mut().zip(&slo.base.buckets) {
                *count = count.wrapping_add(*base);
            }
        }
        SavedLatency {
            bounds_nanos: cell.bounds_nanos.to_vec(),
            counts,
            sum_nanos: sum.wrapping_add(slo.base.sum_nanos),
        }
    });
    SavedSlo {
        name: slo.definition.name().to_owned(),
        identity: identity(&slo.definition),
        since: slo.since.as_unix_nanos(),
        good: state.totals.good,
        bad: state.totals.bad,
        excluded: slo.base.excluded.wrapping_add(cell.counters.excluded()),
        latency,
        rings: slo.rings.save_each(|spacing, latest, samples| {
            EncodedRing::from_samples(spacing, latest, samples)
        }),
        calendar: slo.calendar_now().map(|state| SavedCalendar {
            start: state.bounds.start.as_unix_nanos(),
            good: state.base.0,
            bad: state.base.1,
            bad_reasons: Some(state.reasons_base),
        }),
        bad_reasons: Some(SavedReasons {
            counts: reasons.to_vec(),
            rings: slo.reasons.save(),
        }),
    }
}

/// Restores what `snapshots` hold for `slos` (fresh entries, built at
/// `now`), in order: for each SLO the first snapshot that can restore it
/// wins, and later ones fill only the SLOs earlier ones did not. Returns
/// the history sources the registry then has, and the report. An SLO no
/// snapshot held gets a [`RestoreNote::New`] when a saved state was given
/// (a backfill's source reports what it lacked itself).
pub(super) fn apply(
    slos: &mut [SloEntry],
    service: &str,
    snapshots: Vec<(SnapshotData, bool)>,
    now: Timestamp,
) -> (Vec<String>, RestoreReport) {
    let mut report = RestoreReport::default();
    let mut sources: Vec<String> = Vec::new();
    let mut restored = vec![false; slos.len()];
    // Some usable snapshot held the SLO; why none could restore it.
    let mut held = vec![false; slos.len()];
    let mut why_not: Vec<Vec<RestoreNote>> = vec![Vec::new(); slos.len()];
    let mut usable = false;
    let mut removed = Vec::new();
    for (snapshot, saved_state) in snapshots {
        if snapshot.service != service {
            report.notes.push(RestoreNote::OtherService {
                found: snapshot.service,
                expected: service.to_owned(),
            });
            continue;
        }
        let taken_at = Timestamp::from_unix_nanos(snapshot.taken_at);
        if taken_at > now.saturating_add(FUTURE_TOLERANCE) {
            report
                .notes
                .push(RestoreNote::FromTheFuture { taken_at, now });
            continue;
        }
        usable |= saved_state;
        let order: Vec<String> = snapshot.slos.iter().map(|s| s.name.clone()).collect();
        let mut saved: HashMap<String, SavedSlo> = snapshot
            .slos
            .into_iter()
            .map(|s| (s.name.clone(), s))
            .collect();
        let mut any = false;
        for (i, slo) in slos.iter_mut().enumerate() {
            let name = slo.definition.name().to_owned();
            let Some(found) = saved.remove(&name) else {
                continue;
            };
            held[i] = true;
            if restored[i] {
                continue;
            }
            if found.identity != identity(&slo.definition) {
                why_not[i].push(RestoreNote::Changed { slo: name });
            } else if now.saturating_duration_since(taken_at) >= restorable_for(&slo.definition) {
                why_not[i].push(RestoreNote::OlderThanPeriod {
                    slo: name,
                    taken_at,
                });
            } else if restore_one(slo, found, taken_at, now) {
                restored[i] = true;
                any = true;
            } else {
                why_not[i].push(RestoreNote::Inconsistent { slo: name });
            }
        }
        for name in order {
            if saved.remove(&name).is_some() {
                removed.push(RestoreNote::Removed { slo: name });
            }
        }
        if any {
            for s in snapshot.sources {
                if !sources.contains(&s) {
                    sources.push(s);
                }
            }
        }
    }
    for (i, slo) in slos.iter().enumerate() {
        let name = slo.definition.name().to_owned();
        if restored[i] {
            report.restored.push(name);
        } else if held[i] {
            report.notes.append(&mut why_not[i]);
        } else if usable {
            report.notes.push(RestoreNote::New { slo: name });
        }
    }
    report.notes.append(&mut removed);
    (sources, report)
}

/// How old a snapshot may be and still hold some of an SLO's period: the
/// period; for a calendar period, its longest (a 31-day month, a 92-day
/// quarter, an hour more where clocks change), so that a snapshot from
/// early in the current one is kept.
fn restorable_for(definition: &crate::SloDefinition) -> std::time::Duration {
    use crate::calendar::CalendarUnit;
    const DAY: u64 = 86_400;
    match definition.calendar().map(|calendar| calendar.unit()) {
        Some(CalendarUnit::Week) => std::time::Duration::from_secs(7 * DAY + 3600),
        Some(CalendarUnit::Month) => std::time::Duration::from_secs(31 * DAY + 3600),
        Some(CalendarUnit::Quarter) => std::time::Duration::from_secs(92 * DAY + 3600),
        None => definition.period(),
    }
}

/// Puts `saved` into `slo`; `false` (and `slo` untouched) when its windows
/// do not fit.
fn restore_one(slo: &mut SloEntry, saved: SavedSlo, taken_at: Timestamp, now: Timestamp) -> bool {
    let Ok(saved_rings) = saved
        .rings
        .iter()
        .map(EncodedRing::decode)
        .collect::<Result<Vec<SavedRing>, _>>()
    else {
        return false;
    };
    let rings = Rings::new(&slo.lengths, DEFAULT_RING_LEN, saved.since);
    if !rings.restore(&saved_rings) {
        return false;
    }
    let totals = Totals {
        good: saved.good,
        bad: saved.bad,
    };
    // The time since the snapshot had no events: the samples it missed
    // all hold the snapshot's totals.
    let at = taken_at.min(now).as_unix_nanos();
    let state = rings.tick(
        now.as_unix_nanos(),
        totals,
        TickState { at, totals },
        SampleFill::Step,
    );
    let (buckets, sum_nanos) = match saved.latency {
        Some(latency) if *latency.bounds_nanos == *slo.handle.cell.bounds_nanos => {
            (latency.counts, latency.sum_nanos)
        }
        _ => (Vec::new(), 0),
    };
    // The reasons and their rings; a file from before reasons were kept
    // has its bad events count as `error`.
    let mut bad_reasons = [0; BAD_KINDS];
    bad_reasons[BadReason::Error.index()] = saved.bad;
    if let Some(reasons) = &saved.bad_reasons
        && let Ok(counts) = <[u64; BAD_KINDS]>::try_from(reasons.counts.as_slice())
    {
        bad_reasons = counts;
        // Rings that do not fit are left out: the reasons' counts then
        // read as all in the period, and `/slo` scales them to its bad
        // events.
        let _ = slo
            .reasons
            .restore(&reasons.rings, &counts, now.as_unix_nanos());
    }
    slo.rings = rings;
    slo.since = Timestamp::from_unix_nanos(saved.since);
    slo.base = Base {
        totals,
        bad_reasons,
        excluded: saved.excluded,
        buckets,
        sum_nanos,
    };
    slo.tick = Mutex::new(state);
    slo.restored_from = Some(taken_at);
    slo.restored_calendar = saved.calendar;
    true
}
