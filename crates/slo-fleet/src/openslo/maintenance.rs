//! Maintenance windows in OpenSLO, which has no field for them: the
//! [`MAINTENANCE`](super::MAINTENANCE) annotation, written and read.

use serde::{Deserialize, Serialize};
use slo_core::maintenance::MaintenanceWindow;
use slo_core::{Timestamp, format_duration, parse_duration};

/// One window as the annotation holds it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    start: String,
    duration: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    every: Option<String>,
}

/// The annotation's text for `windows`; `None` when there are none.
pub(super) fn annotation(windows: &[MaintenanceWindow]) -> Option<String> {
    if windows.is_empty() {
        return None;
    }
    let entries: Vec<Entry> = windows
        .iter()
        .map(|window| Entry {
            start: window.start().to_rfc3339(),
            duration: format_duration(window.duration()).to_string(),
            every: window.every().map(|e| format_duration(e).to_string()),
        })
        .collect();
    serde_json::to_string(&entries).ok()
}

/// The windows the annotation's `text` holds, or what is wrong with it.
pub(super) fn read(text: &str) -> Result<Vec<MaintenanceWindow>, String> {
    let entries: Vec<Entry> = serde_json::from_str(text)
        .map_err(|e| format!("not a list of {{start, duration, every}}: {e}"))?;
    entries
        .into_iter()
        .map(|entry| {
            let start = Timestamp::parse_rfc3339(&entry.start).ok_or_else(|| {
                format!(
                    "start {:?} is not an RFC 3339 time with its offset",
                    entry.start
                )
            })?;
            let duration = parse_duration(&entry.duration)
                .map_err(|e| format!("duration {:?}: {e}", entry.duration))?;
            let every = match &entry.every {
                Some(every) => {
                    Some(parse_duration(every).map_err(|e| format!("every {every:?}: {e}"))?)
                }
                None => None,
            };
            MaintenanceWindow::new(start, duration, every).map_err(|e| e.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_back_and_mistakes_are_named() {
        let daily = MaintenanceWindow::new(
            Timestamp::parse_rfc3339("2026-01-01T03:00:00+01:00").unwrap(),
            std::time::Duration::from_secs(900),
            Some(std::time::Duration::from_secs(86_400)),
        )
        .unwrap();
        let text = annotation(std::slice::from_ref(&daily)).unwrap();
        assert_eq!(
            text,
            r#"[{"start":"2026-01-01T02:00:00Z","duration":"15m","every":"1d"}]"#
        );
        assert_eq!(read(&text).unwrap(), [daily]);
        assert_eq!(annotation(&[]), None);
        // Any start the spec takes comes back exactly: before 1970, and
        // to the nanosecond.
        let odd = MaintenanceWindow::new(
            Timestamp::parse_rfc3339("1969-07-20T20:17:40.000000123Z").unwrap(),
            std::time::Duration::from_secs(60),
            None,
        )
        .unwrap();
        let text = annotation(std::slice::from_ref(&odd)).unwrap();
        assert_eq!(read(&text).unwrap(), [odd]);
        for (bad, says) in [
            ("{}", "not a list"),
            (
                r#"[{"start":"2026-01-01T02:00:00","duration":"15m"}]"#,
                "offset",
            ),
            (
                r#"[{"start":"2026-01-01T02:00:00Z","duration":"soon"}]"#,
                "duration \"soon\"",
            ),
            (
                r#"[{"start":"2026-01-01T02:00:00Z","duration":"1h","every":"1h"}]"#,
                "repeats every",
            ),
            (
                r#"[{"start":"2026-01-01T02:00:00Z","duration":"1h","when":"1h"}]"#,
                "unknown field",
            ),
        ] {
            let error = read(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
