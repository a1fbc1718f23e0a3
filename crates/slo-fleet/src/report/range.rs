//! The span of time a report covers: a calendar month, an ISO week or any
//! range, in UTC, as whole seconds since the epoch.

use std::fmt;

use jiff::civil::Time;
use jiff::civil::{Date, ISOWeekDate, Weekday};
use jiff::tz::Offset;
use slo_core::SloDefinition;
use slo_core::calendar::CalendarUnit;

/// The longest range a report covers: a year and a month. Longer ones
/// would ask the API for millions of points per series.
pub const MAX_DAYS: i64 = 400;

/// `[from, to)` in whole seconds since the epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    from: i64,
    to: i64,
    /// For `--month` and `--week`: the calendar unit asked for, so that an
    /// SLO whose period is that unit is reported over its own period.
    unit: Option<CalendarUnit>,
}

/// Why a range could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RangeError {
    /// Not `YYYY-MM`, or no such month.
    #[error("{0:?} is not a month: expected YYYY-MM, such as 2026-11")]
    Month(String),
    /// Not `YYYY-Www`, or no such ISO week.
    #[error("{0:?} is not an ISO week: expected YYYY-Www, such as 2026-W48")]
    Week(String),
    /// Not an RFC 3339 time with an offset.
    #[error("{0:?} is not an RFC 3339 time, such as 2026-11-01T00:00:00Z")]
    Time(String),
    /// The range is longer than a report covers.
    #[error("the range is {days} days long; a report covers at most {MAX_DAYS} days")]
    TooLong {
        /// Its length in days.
        days: i64,
    },
    /// The range ends at or before its start.
    #[error("the range must end after it starts ({from} to {to})")]
    Empty {
        /// The start, as written.
        from: String,
        /// The end, as written.
        to: String,
    },
}

impl ReportRange {
    /// `[from, to)` in seconds since the epoch; refuses an empty range and
    /// one longer than [`MAX_DAYS`].
    pub fn new(from: i64, to: i64) -> Result<ReportRange, RangeError> {
        if to <= from {
            return Err(RangeError::Empty {
                from: format_time(from),
                to: format_time(to),
            });
        }
        let days = (to - from + 86_399) / 86_400;
        if days > MAX_DAYS {
            return Err(RangeError::TooLong { days });
        }
        Ok(ReportRange {
            from,
            to,
            unit: None,
        })
    }

    /// The range an SLO is reported over: for a month or a week asked of
    /// an SLO whose period is that calendar unit, its own period (the one
    /// holding the middle of this range, in the SLO's time zone); else
    /// this range.
    ///
    /// ```
    /// use slo_core::Spec;
    /// use slo_fleet::report::ReportRange;
    ///
    /// let spec = Spec::from_yaml("service: s\ntimezone: Europe/Berlin\nslos:\n  - name: a\n    objective: 99%\n    period: calendar month\n")?;
    /// let november = ReportRange::month("2026-11")?;
    /// let berlin = november.for_slo(&spec.slos()[0]);
    /// assert_eq!(berlin.from(), november.from() - 3600);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_slo(&self, slo: &SloDefinition) -> ReportRange {
        let own = slo
            .calendar()
            .filter(|calendar| Some(calendar.unit()) == self.unit)
            .and_then(|calendar| {
                let middle = (self.from + self.to) / 2;
                calendar
                    .bounds_at(slo_core::Timestamp::from_unix_nanos(
                        middle.saturating_mul(1_000_000_000),
                    ))
                    .ok()
            });
        match own {
            Some(bounds) => ReportRange {
                from: bounds.start.as_unix_nanos().div_euclid(1_000_000_000),
                to: bounds.end.as_unix_nanos().div_euclid(1_000_000_000),
                unit: self.unit,
            },
            None => *self,
        }
    }

    fn with_unit(mut self, unit: CalendarUnit) -> ReportRange {
        self.unit = Some(unit);
        self
    }

    /// A calendar month, `2026-11`: from its first midnight to the next
    /// month's, UTC.
    pub fn month(text: &str) -> Result<ReportRange, RangeError> {
        let bad = || RangeError::Month(text.to_owned());
        let (year, month) = year_and_number(text, "-").ok_or_else(bad)?;
        let first = Date::new(year, month, 1).map_err(|_| bad())?;
        let next = first.last_of_month().tomorrow().map_err(|_| bad())?;
        ReportRange::new(
            midnight(first).ok_or_else(bad)?,
            midnight(next).ok_or_else(bad)?,
        )
        .map(|range| range.with_unit(CalendarUnit::Month))
    }

    /// An ISO 8601 week, `2026-W48`: Monday midnight to the next Monday's, UTC.
    pub fn week(text: &str) -> Result<ReportRange, RangeError> {
        let bad = || RangeError::Week(text.to_owned());
        let (year, week) = year_and_number(text, "-W").ok_or_else(bad)?;
        let monday = ISOWeekDate::new(year, week, Weekday::Monday)
            .map_err(|_| bad())?
            .date();
        let start = midnight(monday).ok_or_else(bad)?;
        ReportRange::new(start, start + 7 * 86_400).map(|range| range.with_unit(CalendarUnit::Week))
    }

    /// Any range between two RFC 3339 times (`2026-11-01T00:00:00Z`,
    /// `2026-11-01T01:00:00+01:00`), to the second.
    pub fn between(from: &str, to: &str) -> Result<ReportRange, RangeError> {
        let parse = |text: &str| {
            text.trim()
                .parse::<jiff::Timestamp>()
                .map(|t| t.as_second())
                .map_err(|_| RangeError::Time(text.to_owned()))
        };
        ReportRange::new(parse(from)?, parse(to)?)
    }

    /// Its length in seconds (never zero).
    #[allow(clippy::len_without_is_empty, reason = "a range is never empty")]
    pub fn len(&self) -> i64 {
        self.to - self.from
    }

    /// The start, in seconds since the epoch.
    pub fn from(&self) -> i64 {
        self.from
    }

    /// The end (not included), in seconds since the epoch.
    pub fn to(&self) -> i64 {
        self.to
    }
}

impl fmt::Display for ReportRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", format_time(self.from), format_time(self.to))
    }
}

/// `YYYY<separator>NN` (a month's or an ISO week's number), as numbers.
fn year_and_number(text: &str, separator: &str) -> Option<(i16, i8)> {
    let (year, number) = text.trim().split_once(separator)?;
    if year.len() != 4 || number.len() != 2 {
        return None;
    }
    Some((year.parse().ok()?, number.parse().ok()?))
}

fn midnight(date: Date) -> Option<i64> {
    Offset::UTC
        .to_timestamp(date.to_datetime(Time::midnight()))
        .ok()
        .map(|t| t.as_second())
}

/// `2026-11-01T00:00:00Z` for seconds since the epoch.
pub(crate) fn format_time(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map_or_else(|_| format!("{seconds}s"), |t| t.to_string())
}

/// `2026-11-01` for the UTC day holding `seconds`.
pub(crate) fn format_date(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map_or_else(
        |_| format!("{seconds}s"),
        |t| Offset::UTC.to_datetime(t).date().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_weeks_and_ranges() {
        let november = ReportRange::month("2026-11").unwrap();
        assert_eq!(format_time(november.from()), "2026-11-01T00:00:00Z");
        assert_eq!(format_time(november.to()), "2026-12-01T00:00:00Z");
        let december = ReportRange::month("2026-12").unwrap();
        assert_eq!(format_time(december.to()), "2027-01-01T00:00:00Z");
        let february = ReportRange::month("2028-02").unwrap();
        assert_eq!(february.to() - february.from(), 29 * 86_400);
        // 2026-W48 is Monday 23 November 2026; 2026-W01 starts in 2025.
        let week = ReportRange::week("2026-W48").unwrap();
        assert_eq!(format_time(week.from()), "2026-11-23T00:00:00Z");
        assert_eq!(format_time(week.to()), "2026-11-30T00:00:00Z");
        let first = ReportRange::week("2026-W01").unwrap();
        assert_eq!(format_time(first.from()), "2025-12-29T00:00:00Z");
        let range =
            ReportRange::between("2026-11-01T01:00:00+01:00", "2026-11-02T00:00:00Z").unwrap();
        assert_eq!(format_time(range.from()), "2026-11-01T00:00:00Z");
        assert_eq!(format_date(range.to() - 1), "2026-11-01");
    }

    #[test]
    fn bad_ranges_are_named() {
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "2026-00"] {
            assert_eq!(
                ReportRange::month(bad),
                Err(RangeError::Month(bad.into())),
                "{bad}"
            );
        }
        for bad in ["2026-W54", "2026-48", "2026-W4", "2026-W00", "2021-W53x"] {
            assert_eq!(
                ReportRange::week(bad),
                Err(RangeError::Week(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(
            ReportRange::between("yesterday", "2026-11-02T00:00:00Z"),
            Err(RangeError::Time("yesterday".into()))
        );
        assert!(matches!(
            ReportRange::between("2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z"),
            Err(RangeError::Empty { .. })
        ));
        assert_eq!(
            ReportRange::between("2020-01-01T00:00:00Z", "2026-11-01T00:00:00Z"),
            Err(RangeError::TooLong { days: 2496 })
        );
        assert!(ReportRange::new(0, MAX_DAYS * 86_400).is_ok());
    }
}
