//! Calendar periods at run time: each calendar SLO's current period and
//! the cumulative counts at its first instant, so that the period window
//! holds exactly the events since then. A tick past the boundary starts
//! the next period whole; replay starts it at the first event on or after
//! the boundary, exactly.

use super::tallies::{Excluded, PreviousTicks, TallyRings, as_base};
use super::{Registry, SloEntry};
use crate::calendar::{CalendarPeriod, PeriodBounds};
use crate::clock::Timestamp;
use crate::counters::BAD_KINDS;
use crate::counters::Totals;
use crate::rings::{SampleFill, TickState, spread};
use crate::status::CalendarStatus;
use crate::sync::lock;

/// One calendar SLO's current period.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CalendarState {
    pub bounds: PeriodBounds,
    /// The cumulative (good, bad) at `bounds.start`.
    pub base: (f64, f64),
    /// The cumulative excluded (maintenance, cancelled, status) at
    /// `bounds.start`.
    pub excluded_base: Excluded<f64>,
    /// The cumulative bad events by reason at `bounds.start`.
    pub reasons_base: [f64; BAD_KINDS],
}

impl SloEntry {
    /// The period holding the wall clock's `wall` (the engine's `now`)
    /// and the counts at its start, read from the windows (for a registry
    /// that starts, or restores, mid-period).
    pub(super) fn calendar_state_at(
        &self,
        calendar: &CalendarPeriod,
        now: Timestamp,
        wall: Timestamp,
    ) -> Option<CalendarState> {
        let bounds = calendar.bounds_at(wall).ok()?;
        // The period's start on the engine's clock.
        let offset = wall.as_unix_nanos().saturating_sub(now.as_unix_nanos());
        if let Some(saved) = self
            .restored_calendar
            .filter(|saved| saved.start == bounds.start.as_unix_nanos())
        {
            // Restored within the period it was saved in: its counts at
            // the start, as they were (the excluded ones restart here; so
            // do the reasons of a file that kept none).
            let reasons_base = saved
                .bad_reasons
                .unwrap_or_else(|| as_base(self.reasons_live()));
            return Some(CalendarState {
                bounds,
                base: (saved.good, saved.bad),
                excluded_base: as_base(self.excluded_live()),
                reasons_base,
            });
        }
        // The snapshot's time on the wall clock, as this clock reads it.
        let taken_wall = self
            .restored_from
            .map(|taken| Timestamp::from_unix_nanos(taken.as_unix_nanos().saturating_add(offset)));
        if taken_wall.is_some_and(|taken| taken <= bounds.start) {
            // Restored from before the period began, with nothing since:
            // everything restored belongs to earlier periods.
            let (live, excluded) = (self.live(), self.excluded_live());
            return Some(CalendarState {
                bounds,
                base: (live.good as f64, live.bad as f64),
                excluded_base: as_base(excluded),
                reasons_base: as_base(self.reasons_live()),
            });
        }
        let at = bounds.start.as_unix_nanos().saturating_sub(offset);
        let now = now.as_unix_nanos();
        let counts = self.rings.cumulative_at(now, at, || self.live());
        Some(CalendarState {
            bounds,
            base: (counts.good, counts.bad),
            excluded_base: self
                .excluded
                .cumulative_at(now, at, || self.excluded_live()),
            reasons_base: self.reasons.cumulative_at(now, at, || self.reasons_live()),
        })
    }

    /// At a tick at `now`, with the wall clock `offset` ns ahead (the
    /// windows' previous tick was `previous`, the tallies' `tallies_previous`:
    /// exclusions, then reasons): a new period once the wall clock passed the
    /// boundary, its base the counts at the boundary (events since the
    /// previous tick spread over the time since, or all taken at the
    /// previous tick with `Step`).
    pub(super) fn roll_calendar(
        &self,
        now: Timestamp,
        offset: i64,
        previous: TickState,
        tallies_previous: [PreviousTicks; 2],
        fill: SampleFill,
    ) {
        let (Some(calendar), Some(state)) = (self.definition.calendar(), &self.calendar) else {
            return;
        };
        let wall = Timestamp::from_unix_nanos(now.as_unix_nanos().saturating_add(offset));
        let mut state = lock(state);
        let Some(current) = *state else {
            *state = self.calendar_state_at(calendar, now, wall);
            return;
        };
        // A wall clock stepped back into an earlier period keeps the
        // current one: its events are counted, and stay counted.
        if wall < current.bounds.end {
            return;
        }
        let Ok(bounds) = calendar.bounds_at(wall) else {
            return;
        };
        let boundary = bounds.start.as_unix_nanos().saturating_sub(offset);
        let at = |previous: TickState, live: Totals| match fill {
            SampleFill::Step => live,
            SampleFill::Spread => spread(previous, now.as_unix_nanos(), live, boundary),
        };
        let base = at(previous, self.live());
        *state = Some(CalendarState {
            bounds,
            base: (base.good as f64, base.bad as f64),
            excluded_base: TallyRings::at_boundary(
                &tallies_previous[0],
                now.as_unix_nanos(),
                self.excluded_live(),
                boundary,
                fill,
            ),
            reasons_base: TallyRings::at_boundary(
                &tallies_previous[1],
                now.as_unix_nanos(),
                self.reasons_live(),
                boundary,
                fill,
            ),
        });
    }

    /// For replay, before the event at `at` is recorded: a new period when
    /// `at` is past the boundary, its base everything recorded before.
    pub(super) fn roll_calendar_exactly(&self, at: Timestamp) {
        let (Some(calendar), Some(state)) = (self.definition.calendar(), &self.calendar) else {
            return;
        };
        let mut state = lock(state);
        if state.is_some_and(|current| at < current.bounds.end) {
            return;
        }
        let Ok(bounds) = calendar.bounds_at(at) else {
            return;
        };
        let (live, excluded) = (self.live(), self.excluded_live());
        *state = Some(CalendarState {
            bounds,
            base: (live.good as f64, live.bad as f64),
            excluded_base: as_base(excluded),
            reasons_base: as_base(self.reasons_live()),
        });
    }

    /// The current period, when the SLO has a calendar period.
    pub(super) fn calendar_now(&self) -> Option<CalendarState> {
        self.calendar.as_ref().and_then(|state| *lock(state))
    }
}

impl Registry {
    /// For replay: starts each calendar SLO's next period exactly at the
    /// event at `at`, before it is recorded.
    pub(crate) fn roll_calendars_at(&self, at: Timestamp) {
        for slo in &self.inner.slos {
            slo.roll_calendar_exactly(at);
        }
    }

    /// `/slo`'s `calendar` of `slo`; `None` for a rolling period.
    pub(super) fn calendar_status(slo: &SloEntry) -> Option<CalendarStatus> {
        let calendar = slo.definition.calendar()?;
        let state = slo.calendar_now()?;
        Some(CalendarStatus {
            unit: calendar.unit().as_str().to_owned(),
            timezone: calendar.timezone().to_owned(),
            start: calendar.format(state.bounds.start),
            end: calendar.format(state.bounds.end),
        })
    }
}
