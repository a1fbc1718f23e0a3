//! Checking what a spec says about time: its `timezone` and its
//! maintenance windows, each problem at its place.

use super::SpecErrorKind;
use super::draft::{Located, MaintenanceDraft};
use super::validate::{Collector, check_duration};
use crate::Timestamp;
use crate::maintenance::MaintenanceWindow;

/// The time zone name, when the time zone database knows it.
pub(super) fn check_timezone(c: &mut Collector, timezone: &Located<String>) -> Option<String> {
    let name = timezone.value.trim();
    if name == "UTC" {
        return Some(name.to_owned());
    }
    match jiff::tz::TimeZone::get(name) {
        Ok(_) => Some(name.to_owned()),
        Err(error) => {
            c.error(
                "timezone",
                timezone.at,
                SpecErrorKind::UnknownTimeZone {
                    name: name.to_owned(),
                    reason: error.to_string(),
                },
            );
            None
        }
    }
}

/// Every window of a `maintenance` list, or `None` when one is wrong (each
/// reported at its place).
pub(super) fn check_maintenance(
    c: &mut Collector,
    field: &str,
    windows: &Located<Vec<MaintenanceDraft>>,
) -> Option<Vec<MaintenanceWindow>> {
    let checked: Vec<Option<MaintenanceWindow>> = windows
        .value
        .iter()
        .enumerate()
        .map(|(i, window)| check_window(c, &format!("{field}[{i}]"), window))
        .collect();
    checked.into_iter().collect()
}

fn check_window(
    c: &mut Collector,
    field: &str,
    window: &MaintenanceDraft,
) -> Option<MaintenanceWindow> {
    let (start, duration, every) = match window {
        MaintenanceDraft::Exact(window) => return Some(*window),
        MaintenanceDraft::Written {
            start,
            duration,
            every,
        } => (start, duration, every),
    };
    let begins = check_instant(c, &format!("{field}.start"), start);
    let lasts = check_duration(c, &format!("{field}.duration"), duration, false);
    let repeats = match every {
        None => Some(None),
        Some(every) => check_duration(c, &format!("{field}.every"), every, false).map(Some),
    };
    let (begins, lasts, repeats) = (begins?, lasts?, repeats?);
    match MaintenanceWindow::new(begins, lasts, repeats) {
        Ok(window) => Some(window),
        Err(error) => {
            let at = every.as_ref().map_or(duration.at, |every| every.at);
            c.error(
                format!("{field}.every"),
                at,
                SpecErrorKind::Maintenance(error),
            );
            None
        }
    }
}

/// An RFC 3339 instant with its offset.
fn check_instant(c: &mut Collector, field: &str, text: &Located<String>) -> Option<Timestamp> {
    let written = text.value.trim();
    match written.parse::<jiff::Timestamp>() {
        Ok(instant) => match i64::try_from(instant.as_nanosecond()) {
            Ok(nanos) => Some(Timestamp::from_unix_nanos(nanos)),
            Err(_) => {
                c.error(
                    field,
                    text.at,
                    SpecErrorKind::InvalidTime {
                        text: written.to_owned(),
                        reason: "outside the years 1677 to 2262".to_owned(),
                    },
                );
                None
            }
        },
        Err(error) => {
            let kind = if written.parse::<jiff::civil::DateTime>().is_ok() {
                SpecErrorKind::TimeWithoutOffset(written.to_owned())
            } else {
                SpecErrorKind::InvalidTime {
                    text: written.to_owned(),
                    reason: error.to_string(),
                }
            };
            c.error(field, text.at, kind);
            None
        }
    }
}
