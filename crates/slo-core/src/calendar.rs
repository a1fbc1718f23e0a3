//! Calendar periods: the week (ISO, from Monday 00:00), the month or the
//! quarter (from the 1st of January, April, July or October) that holds
//! an instant, in a time zone named as the IANA database names it.
//!
//! A period starts at midnight where it is kept, so its length follows the
//! zone's clock changes: a month in which `Europe/Berlin` moves its clocks
//! is an hour shorter (March) or longer (October) than its days. Where a
//! zone skips its midnight, the period starts at the first instant of that
//! day; where midnight happens twice, at the first of them.
//!
//! ```
//! use slo_core::Timestamp;
//! use slo_core::calendar::{CalendarPeriod, CalendarUnit};
//!
//! let month = CalendarPeriod::new(CalendarUnit::Month, "Europe/Berlin")?;
//! // 2026-10-15T12:00:00Z
//! let bounds = month.bounds_at(Timestamp::from_unix_nanos(1_792_065_600 * 1_000_000_000))?;
//! assert_eq!(month.format(bounds.start), "2026-10-01T00:00:00+02:00");
//! assert_eq!(month.format(bounds.end), "2026-11-01T00:00:00+01:00");
//! assert_eq!(bounds.length().as_secs(), (31 * 24 + 1) * 3600);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::Duration;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::Timestamp;
use crate::closed_set::closed_set;

/// How long a calendar period is, in the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CalendarUnit {
    /// An ISO week, from Monday 00:00.
    Week,
    /// A month, from the 1st at 00:00.
    Month,
    /// A quarter, from the 1st of January, April, July or October at 00:00.
    Quarter,
}

closed_set! {
    /// Every unit, shortest first.
    CalendarUnit as "calendar unit" {
        Week = "week",
        Month = "month",
        Quarter = "quarter",
    }
}

impl CalendarUnit {
    /// The rolling period the default alert windows are scaled for: 7d
    /// for a week, 30d for a month, 90d for a quarter.
    pub fn nominal_length(self) -> Duration {
        let days = match self {
            CalendarUnit::Week => 7,
            CalendarUnit::Month => 30,
            CalendarUnit::Quarter => 90,
        };
        Duration::from_secs(days * 86_400)
    }
}

/// Why a calendar period could not be made or placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The time zone is not in the IANA database this process reads.
    #[error("unknown time zone {name:?}: {reason}")]
    UnknownTimeZone {
        /// The name given.
        name: String,
        /// What the time zone database said.
        reason: String,
    },
    /// The instant, or its period's bounds, are beyond the years the
    /// calendar covers (-9999 to 9999).
    #[error("{at} is beyond the calendar's years")]
    OutOfRange {
        /// The instant asked about.
        at: Timestamp,
    },
}

/// Where a period begins and ends: `start` ≤ an instant of it < `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodBounds {
    /// The period's first instant.
    pub start: Timestamp,
    /// The next period's first instant.
    pub end: Timestamp,
}

impl PeriodBounds {
    /// How long the period is, as a clock measures it.
    pub fn length(&self) -> Duration {
        self.end.saturating_duration_since(self.start)
    }
}

/// A calendar unit kept in a time zone: which period holds an instant, and
/// how an instant reads there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarPeriod {
    unit: CalendarUnit,
    timezone: String,
    zone: TimeZone,
}

impl CalendarPeriod {
    /// `unit` kept in `timezone`, an IANA name such as `Europe/Berlin`, or
    /// `UTC`. The names come from the system's database
    /// (`/usr/share/zoneinfo`, or `TZDIR`), and, with feature
    /// `tzdb-bundle` (on by default), from a copy built in when the system
    /// has none.
    pub fn new(unit: CalendarUnit, timezone: &str) -> Result<CalendarPeriod, CalendarError> {
        let zone = if timezone == "UTC" {
            TimeZone::UTC
        } else {
            TimeZone::get(timezone).map_err(|error| CalendarError::UnknownTimeZone {
                name: timezone.to_owned(),
                reason: error.to_string(),
            })?
        };
        Ok(CalendarPeriod {
            unit,
            timezone: timezone.to_owned(),
            zone,
        })
    }

    /// The rolling period the default alert windows are scaled for: 7d
    /// for a week, 30d for a month, 90d for a quarter.
    pub fn nominal_length(&self) -> Duration {
        self.unit.nominal_length()
    }

    /// The calendar unit.
    pub fn unit(&self) -> CalendarUnit {
        self.unit
    }

    /// The time zone's name, as given.
    pub fn timezone(&self) -> &str {
        &self.timezone
    }

    /// The period that holds `at`.
    pub fn bounds_at(&self, at: Timestamp) -> Result<PeriodBounds, CalendarError> {
        let out_of_range = |_| CalendarError::OutOfRange { at };
        let local = jiff::Timestamp::from_nanosecond(i128::from(at.as_unix_nanos()))
            .map_err(out_of_range)?
            .to_zoned_datetime(self.zone.clone());
        let day = local.date();
        let (first, next) = match self.unit {
            CalendarUnit::Week => {
                let monday = day
                    .checked_sub(jiff::Span::new().days(day.weekday().to_monday_zero_offset()))
                    .map_err(out_of_range)?;
                (monday, monday.checked_add(jiff::Span::new().weeks(1)))
            }
            CalendarUnit::Month => {
                let first = day.first_of_month();
                (first, first.checked_add(jiff::Span::new().months(1)))
            }
            CalendarUnit::Quarter => {
                let month = (day.month() - 1) / 3 * 3 + 1;
                let first = Date::new(day.year(), month, 1).map_err(out_of_range)?;
                (first, first.checked_add(jiff::Span::new().months(3)))
            }
        };
        let next = next.map_err(out_of_range)?;
        let first_instant = |day| {
            self.first_instant(day)
                .ok_or(CalendarError::OutOfRange { at })
        };
        Ok(PeriodBounds {
            start: first_instant(first)?,
            end: first_instant(next)?,
        })
    }

    /// The first instant of `day` in the zone: its midnight, or, where the
    /// zone skips midnight, the instant the day begins; `None` past the
    /// clock's range.
    fn first_instant(&self, day: Date) -> Option<Timestamp> {
        let zoned = day.to_zoned_datetime(self.zone.clone()).ok()?;
        let nanos = i64::try_from(zoned.start_of_day().ok()?.timestamp().as_nanosecond()).ok()?;
        Some(Timestamp::from_unix_nanos(nanos))
    }

    /// `at` as RFC 3339 with the zone's offset at that instant, such as
    /// `2026-12-01T00:00:00+01:00` (nanoseconds shown when not zero).
    pub fn format(&self, at: Timestamp) -> String {
        match jiff::Timestamp::from_nanosecond(i128::from(at.as_unix_nanos())) {
            Ok(instant) => instant
                .display_with_offset(self.zone.to_offset(instant))
                .to_string(),
            Err(_) => at.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An instant given as RFC 3339 with an offset.
    fn at(text: &str) -> Timestamp {
        let instant: jiff::Timestamp = text.parse().expect("a valid instant");
        Timestamp::from_unix_nanos(i64::try_from(instant.as_nanosecond()).expect("in range"))
    }

    fn period(unit: CalendarUnit, zone: &str) -> CalendarPeriod {
        CalendarPeriod::new(unit, zone).expect("a known zone")
    }

    /// The bounds of the period holding `instant`, as the zone reads them.
    fn bounds(period: &CalendarPeriod, instant: &str) -> (String, String, u64) {
        let b = period.bounds_at(at(instant)).expect("in range");
        (
            period.format(b.start),
            period.format(b.end),
            b.length().as_secs(),
        )
    }

    const HOUR: u64 = 3600;
    const DAY: u64 = 24 * HOUR;

    #[test]
    fn a_month_with_a_clock_change_is_an_hour_shorter_or_longer() {
        let berlin = period(CalendarUnit::Month, "Europe/Berlin");
        assert_eq!(
            bounds(&berlin, "2026-10-25T12:00:00Z"),
            (
                "2026-10-01T00:00:00+02:00".into(),
                "2026-11-01T00:00:00+01:00".into(),
                31 * DAY + HOUR
            )
        );
        assert_eq!(
            bounds(&berlin, "2026-03-29T12:00:00Z"),
            (
                "2026-03-01T00:00:00+01:00".into(),
                "2026-04-01T00:00:00+02:00".into(),
                31 * DAY - HOUR
            )
        );
        assert_eq!(bounds(&berlin, "2026-02-10T00:00:00Z").2, 28 * DAY);
        assert_eq!(bounds(&berlin, "2028-02-10T00:00:00Z").2, 29 * DAY);
    }

    #[test]
    fn a_boundary_belongs_to_the_period_it_begins() {
        let berlin = period(CalendarUnit::Month, "Europe/Berlin");
        // Midnight of 1 December in Berlin is 23:00 UTC on 30 November.
        let start = at("2026-11-30T23:00:00Z");
        let december = berlin.bounds_at(start).expect("in range");
        assert_eq!(december.start, start);
        let before = Timestamp::from_unix_nanos(start.as_unix_nanos() - 1);
        let november = berlin.bounds_at(before).expect("in range");
        assert_eq!(november.end, start);
        assert_eq!(berlin.format(november.start), "2026-11-01T00:00:00+01:00");
    }

    #[test]
    fn weeks_are_iso_weeks_from_monday_midnight() {
        let berlin = period(CalendarUnit::Week, "Europe/Berlin");
        // Sunday 25 October 2026, the day Berlin's clocks go back.
        assert_eq!(
            bounds(&berlin, "2026-10-25T20:00:00Z"),
            (
                "2026-10-19T00:00:00+02:00".into(),
                "2026-10-26T00:00:00+01:00".into(),
                7 * DAY + HOUR
            )
        );
        // A Monday morning belongs to the week it begins; Sunday night in
        // UTC can be Monday where the period is kept.
        let utc = period(CalendarUnit::Week, "UTC");
        assert_eq!(
            bounds(&utc, "2026-12-07T00:00:00Z").0,
            "2026-12-07T00:00:00+00:00"
        );
        let tokyo = period(CalendarUnit::Week, "Asia/Tokyo");
        assert_eq!(
            bounds(&tokyo, "2026-12-06T16:00:00Z").0,
            "2026-12-07T00:00:00+09:00"
        );
        // A week across the new year.
        assert_eq!(
            bounds(&utc, "2027-01-01T12:00:00Z"),
            (
                "2026-12-28T00:00:00+00:00".into(),
                "2027-01-04T00:00:00+00:00".into(),
                7 * DAY
            )
        );
    }

    #[test]
    fn quarters_begin_in_january_april_july_and_october() {
        let utc = period(CalendarUnit::Quarter, "UTC");
        for (instant, start, end, days) in [
            ("2026-01-01T00:00:00Z", "2026-01-01", "2026-04-01", 90),
            ("2026-05-31T23:59:59Z", "2026-04-01", "2026-07-01", 91),
            ("2026-09-30T23:59:59Z", "2026-07-01", "2026-10-01", 92),
            ("2026-12-31T23:59:59Z", "2026-10-01", "2027-01-01", 92),
            ("2028-02-29T12:00:00Z", "2028-01-01", "2028-04-01", 91),
        ] {
            assert_eq!(
                bounds(&utc, instant),
                (
                    format!("{start}T00:00:00+00:00"),
                    format!("{end}T00:00:00+00:00"),
                    days * DAY
                ),
                "{instant}"
            );
        }
        let berlin = period(CalendarUnit::Quarter, "Europe/Berlin");
        assert_eq!(bounds(&berlin, "2026-11-15T00:00:00Z").2, 92 * DAY + HOUR);
    }

    #[test]
    fn a_day_whose_midnight_the_zone_skips_begins_when_the_clock_resumes() {
        // Paraguay moved its clocks from 00:00 to 01:00 on 1 October 2023.
        let asuncion = period(CalendarUnit::Month, "America/Asuncion");
        let (start, end, length) = bounds(&asuncion, "2023-10-15T12:00:00Z");
        assert_eq!(start, "2023-10-01T01:00:00-03:00");
        assert_eq!(end, "2023-11-01T00:00:00-03:00");
        assert_eq!(length, 31 * DAY - HOUR);
        // And September ends where October begins.
        let september = asuncion
            .bounds_at(at("2023-09-15T12:00:00Z"))
            .expect("in range");
        assert_eq!(asuncion.format(september.end), start);
    }

    #[test]
    fn units_read_and_write_their_names() {
        for unit in CalendarUnit::ALL {
            assert_eq!(unit.as_str().parse::<CalendarUnit>(), Ok(unit));
        }
        let error = "fortnight".parse::<CalendarUnit>().expect_err("not a unit");
        assert_eq!(
            error.to_string(),
            "unknown calendar unit \"fortnight\": expected one of week, month, quarter"
        );
    }

    #[test]
    fn an_unknown_zone_is_refused_by_name() {
        let error =
            CalendarPeriod::new(CalendarUnit::Month, "Europe/Atlantis").expect_err("no such zone");
        match &error {
            CalendarError::UnknownTimeZone { name, .. } => assert_eq!(name, "Europe/Atlantis"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            error
                .to_string()
                .starts_with("unknown time zone \"Europe/Atlantis\": ")
        );
    }

    #[test]
    fn instants_past_the_calendar_are_an_error_not_a_panic() {
        // The clock's nanoseconds span 1677-09-21 to 2262-04-11: the months
        // holding either end begin or end past them.
        let month = period(CalendarUnit::Month, "UTC");
        for nanos in [i64::MIN, i64::MAX] {
            let at = Timestamp::from_unix_nanos(nanos);
            assert_eq!(month.bounds_at(at), Err(CalendarError::OutOfRange { at }));
        }
        let middle = Timestamp::from_unix_nanos(i64::MAX / 2);
        assert!(month.bounds_at(middle).is_ok());
    }
}
