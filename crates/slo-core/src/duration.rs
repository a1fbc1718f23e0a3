//! Durations in the Prometheus notation used by spec files and window labels:
//! `250ms`, `5m`, `1h30m`, `30d`; a unit on every number, no spaces.

use std::fmt;
use std::time::Duration;

const UNITS: [(&str, u128); 7] = [
    ("y", 365 * 86_400_000_000_000),
    ("w", 7 * 86_400_000_000_000),
    ("d", 86_400_000_000_000),
    ("h", 3_600_000_000_000),
    ("ms", 1_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
];

/// Why a duration string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// The string was empty.
    #[error("empty duration")]
    Empty,
    /// A minus sign: durations are never negative.
    #[error("a duration cannot be negative: {0:?}")]
    Negative(String),
    /// Not of the form `<number><unit>[<number><unit>...]`.
    #[error(
        "invalid duration {0:?}: expected a number with a unit, like 250ms, 30s, 5m, 1h30m, 30d (units: ms s m h d w y)"
    )]
    Syntax(String),
    /// Too large to represent.
    #[error("duration {0:?} is too large")]
    Overflow(String),
}

/// Parses a duration such as `250ms`, `1.5s`, `5m`, `1h30m` or `30d`.
///
/// Each number needs a unit (`ms`, `s`, `m`, `h`, `d`, `w`, `y`); a fraction
/// is allowed (`1.5s`), whitespace and signs are not. Zero is accepted here;
/// callers that need a positive duration check for it.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(slo_core::parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
/// assert!(slo_core::parse_duration("5 days").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    if text.starts_with('-') {
        return Err(DurationError::Negative(text.to_owned()));
    }
    let syntax = || DurationError::Syntax(text.to_owned());
    let mut rest = text;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(syntax)?;
        let (number, tail) = rest.split_at(digits);
        let (unit, scale) = UNITS
            .iter()
            .find(|(unit, _)| {
                tail.starts_with(unit)
                    && !(*unit == "m" && tail.starts_with("ms"))
                    && !tail[unit.len()..].starts_with(|c: char| c.is_ascii_alphabetic())
            })
            .ok_or_else(syntax)?;
        total = total
            .checked_add(scaled(number, *scale).ok_or_else(syntax)?)
            .ok_or_else(|| DurationError::Overflow(text.to_owned()))?;
        rest = &tail[unit.len()..];
    }
    let secs = u64::try_from(total / 1_000_000_000)
        .map_err(|_| DurationError::Overflow(text.to_owned()))?;
    // The remainder is below 1e9 and so fits a u32.
    let nanos = (total % 1_000_000_000) as u32;
    Ok(Duration::new(secs, nanos))
}

/// `number` (digits with at most one decimal point) times `scale` nanoseconds,
/// computed in integers so `0.1s` is exactly 100ms.
fn scaled(number: &str, scale: u128) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || fraction.contains('.') || number.ends_with('.') || whole.len() > 20 {
        return None;
    }
    let mut value = whole.parse::<u128>().ok()?.checked_mul(scale)?;
    let mut unit = scale;
    for digit in fraction.bytes().take(18) {
        unit /= 10;
        value = value.checked_add(u128::from(digit - b'0') * unit)?;
    }
    Some(value)
}

/// Formats a duration in the notation [`parse_duration`] reads, largest units
/// first and down to milliseconds: `5m`, `1m10s`, `1h24m`, `30d`, `1s500ms`.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(slo_core::format_duration(Duration::from_secs(5040)).to_string(), "1h24m");
/// ```
pub fn format_duration(duration: Duration) -> FormattedDuration {
    FormattedDuration(duration)
}

/// Seconds as people read them on a page or a terminal: to the second,
/// to the minute above an hour (`1m25s`, `3d4h12m`); `None` for a negative
/// or non-finite value.
///
/// ```
/// assert_eq!(slo_core::format_seconds(85.4).map(|d| d.to_string()), Some("1m25s".into()));
/// assert_eq!(slo_core::format_seconds(3_725.0).map(|d| d.to_string()), Some("1h2m".into()));
/// assert_eq!(slo_core::format_seconds(f64::NAN), None);
/// ```
pub fn format_seconds(seconds: f64) -> Option<FormattedDuration> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    let rounded = if seconds >= 3600.0 {
        (seconds / 60.0).round() * 60.0
    } else {
        seconds.round()
    };
    Duration::try_from_secs_f64(rounded)
        .ok()
        .map(format_duration)
}

/// A [`Duration`] that displays in Prometheus notation; see [`format_duration`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormattedDuration(Duration);

impl fmt::Display for FormattedDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ms = self.0.as_millis();
        if ms == 0 {
            return f.write_str("0s");
        }
        for (unit, scale) in [
            ("d", 86_400_000u128),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1_000),
            ("ms", 1),
        ] {
            if ms >= scale {
                write!(f, "{}{unit}", ms / scale)?;
                ms %= scale;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_compounds() {
        let cases = [
            ("250ms", Duration::from_millis(250)),
            ("1.5s", Duration::from_millis(1500)),
            ("0.1s", Duration::from_millis(100)),
            ("5m", Duration::from_secs(300)),
            ("1h30m", Duration::from_secs(5400)),
            ("30d", Duration::from_secs(30 * 86400)),
            ("2w", Duration::from_secs(14 * 86400)),
            ("1y", Duration::from_secs(365 * 86400)),
            ("1m10s", Duration::from_secs(70)),
            ("1s500ms", Duration::from_millis(1500)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_duration(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn refuses_malformed() {
        for text in [
            "5 days", "5", "days", "5x", "1.2.3s", ".5s", "5.s", "5mm", "5 m", "1h 30m", "m5",
            "5sec", "", "+5m", "1e3s", "５m",
        ] {
            assert!(parse_duration(text).is_err(), "{text:?} was accepted");
        }
        assert!(matches!(
            parse_duration("-5m"),
            Err(DurationError::Negative(_))
        ));
        assert!(matches!(
            parse_duration("99999999999999999999y"),
            Err(DurationError::Overflow(_) | DurationError::Syntax(_))
        ));
    }

    #[test]
    fn formats_round_trip() {
        for secs in [
            1, 59, 60, 70, 300, 420, 840, 5040, 86400, 2_592_000, 604_800,
        ] {
            let d = Duration::from_secs(secs);
            let text = format_duration(d).to_string();
            assert_eq!(parse_duration(&text), Ok(d), "{text}");
        }
        assert_eq!(
            format_duration(Duration::from_secs(70)).to_string(),
            "1m10s"
        );
        assert_eq!(
            format_duration(Duration::from_secs(30 * 86400)).to_string(),
            "30d"
        );
        assert_eq!(
            format_duration(Duration::from_millis(1500)).to_string(),
            "1s500ms"
        );
    }
}
