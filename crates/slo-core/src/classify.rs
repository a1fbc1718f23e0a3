//! What counts as a failure ([events](crate::semantics#events)): the
//! defaults, and an SLI's own classification from the spec (`bad`,
//! `excluded`, `grpc_bad`), shared by replay and the middleware. The one
//! home of these rules.

use std::fmt;

/// Whether an HTTP status means the server failed by default: any 5xx.
pub fn http_status_is_failure(status: u16) -> bool {
    (500..600).contains(&status)
}

/// Whether a gRPC status code means the server failed by default:
/// `UNKNOWN` (2), `DEADLINE_EXCEEDED` (4), `INTERNAL` (13), `UNAVAILABLE`
/// (14) and `DATA_LOSS` (15). Other codes are the caller's doing or success.
pub fn grpc_code_is_failure(code: i32) -> bool {
    matches!(code, 2 | 4 | 13 | 14 | 15)
}

/// The gRPC status code names, by code (0..=16).
pub const GRPC_CODE_NAMES: [&str; 17] = [
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// The default `grpc_bad` as a set of codes, one bit each.
const DEFAULT_GRPC_BAD: u32 = 1 << 2 | 1 << 4 | 1 << 13 | 1 << 14 | 1 << 15;

/// The gRPC code named `name` (as [`GRPC_CODE_NAMES`] writes it, in any
/// case).
pub fn grpc_code_named(name: &str) -> Option<u8> {
    GRPC_CODE_NAMES
        .iter()
        .position(|known| known.eq_ignore_ascii_case(name))
        .and_then(|code| u8::try_from(code).ok())
}

/// One entry of a `bad` or `excluded` list: a status, or a class of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusMatch {
    /// One HTTP status, 100..=599.
    Status(u16),
    /// A class, `1xx` … `5xx`: its digit.
    Class(u8),
}

impl StatusMatch {
    /// The statuses it covers.
    pub fn statuses(self) -> std::ops::RangeInclusive<u16> {
        match self {
            StatusMatch::Status(status) => status..=status,
            StatusMatch::Class(digit) => {
                let first = u16::from(digit) * 100;
                first..=first + 99
            }
        }
    }
}

impl fmt::Display for StatusMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusMatch::Status(status) => write!(f, "{status}"),
            StatusMatch::Class(digit) => write!(f, "{digit}xx"),
        }
    }
}

/// Why a status list entry does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an HTTP status (100 to 599) or a class (1xx to 5xx)")]
pub struct InvalidStatus(pub String);

impl std::str::FromStr for StatusMatch {
    type Err = InvalidStatus;

    fn from_str(text: &str) -> Result<StatusMatch, InvalidStatus> {
        let invalid = || InvalidStatus(text.to_owned());
        let trimmed = text.trim();
        if let Some(digit) = trimmed
            .strip_suffix("xx")
            .or_else(|| trimmed.strip_suffix("XX"))
        {
            return match digit.as_bytes() {
                [d @ b'1'..=b'5'] => Ok(StatusMatch::Class(d - b'0')),
                _ => Err(invalid()),
            };
        }
        // Digits only: no sign, no `+`, no spaces inside.
        if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        match trimmed.parse::<u16>() {
            Ok(status) if (100..=599).contains(&status) => Ok(StatusMatch::Status(status)),
            _ => Err(invalid()),
        }
    }
}

/// A set of HTTP statuses, one bit each (0..640): a request's membership
/// test is one shift and one load.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StatusSet([u64; 10]);

impl StatusSet {
    /// The set of the statuses `entries` cover.
    pub fn of(entries: &[StatusMatch]) -> StatusSet {
        let mut set = StatusSet::default();
        for entry in entries {
            for status in entry.statuses() {
                set.insert(status);
            }
        }
        set
    }

    fn insert(&mut self, status: u16) {
        if let Some(word) = self.0.get_mut(usize::from(status / 64)) {
            *word |= 1 << (status % 64);
        }
    }

    /// Whether `status` is in the set.
    #[inline]
    pub fn contains(&self, status: u16) -> bool {
        self.0
            .get(usize::from(status / 64))
            .is_some_and(|word| word & (1 << (status % 64)) != 0)
    }

    /// Its statuses, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (0..640u16).filter(|status| self.contains(*status))
    }
}

impl fmt::Debug for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// What an SLI's classification makes of a response's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not a failure (a latency SLI still looks at its latency).
    Succeeded,
    /// A failure: reason `server_error` (a status ≥ 500 or a gRPC code)
    /// or `status` (a status below 500).
    Failed {
        /// Whether the reason is `server_error` rather than `status`.
        server_error: bool,
    },
    /// Left out of the SLI (reason `status`), whatever else holds.
    Excluded,
}

impl Verdict {
    /// The reason of a failure: `server_error` or `status`; `None` for a
    /// success or an exclusion.
    ///
    /// ```
    /// use slo_core::classify::Verdict;
    /// use slo_core::reasons::BadReason;
    /// assert_eq!(Verdict::Failed { server_error: false }.failure(), Some(BadReason::Status));
    /// assert_eq!(Verdict::Succeeded.failure(), None);
    /// ```
    pub fn failure(self) -> Option<crate::reasons::BadReason> {
        match self {
            Verdict::Failed { server_error: true } => Some(crate::reasons::BadReason::ServerError),
            Verdict::Failed {
                server_error: false,
            } => Some(crate::reasons::BadReason::Status),
            Verdict::Succeeded | Verdict::Excluded => None,
        }
    }
}

/// An SLI's own classification (`bad`, `excluded`, `grpc_bad` in the
/// spec): which statuses and gRPC codes fail, and which statuses are left
/// out. The lists are kept as written (for writing the spec back) and
/// compiled into sets a request reads in a few nanoseconds.
///
/// ```
/// use slo_core::classify::{Classification, StatusMatch, Verdict};
/// let api = Classification::default()
///     .with_bad([StatusMatch::Class(5), StatusMatch::Status(429)])
///     .with_excluded([StatusMatch::Status(404)]);
/// assert_eq!(api.http_verdict(429), Verdict::Failed { server_error: false });
/// assert_eq!(api.http_verdict(503), Verdict::Failed { server_error: true });
/// assert_eq!(api.http_verdict(404), Verdict::Excluded);
/// assert_eq!(api.http_verdict(200), Verdict::Succeeded);
/// assert!(Classification::default().is_default());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Classification {
    bad: Option<Vec<StatusMatch>>,
    excluded: Vec<StatusMatch>,
    grpc_bad: Option<Vec<u8>>,
    bad_set: StatusSet,
    excluded_set: StatusSet,
    grpc_bad_set: u32,
}

impl Default for Classification {
    fn default() -> Self {
        Classification {
            bad: None,
            excluded: Vec::new(),
            grpc_bad: None,
            bad_set: StatusSet::of(&[StatusMatch::Class(5)]),
            excluded_set: StatusSet::default(),
            grpc_bad_set: DEFAULT_GRPC_BAD,
        }
    }
}

impl Classification {
    /// `bad`: the statuses that fail, replacing the default `["5xx"]`.
    pub fn with_bad(mut self, bad: impl IntoIterator<Item = StatusMatch>) -> Self {
        let bad: Vec<StatusMatch> = bad.into_iter().collect();
        self.bad_set = StatusSet::of(&bad);
        self.bad = Some(bad);
        self
    }

    /// `excluded`: the statuses left out of the SLI (reason `status`).
    pub fn with_excluded(mut self, excluded: impl IntoIterator<Item = StatusMatch>) -> Self {
        self.excluded = excluded.into_iter().collect();
        self.excluded_set = StatusSet::of(&self.excluded);
        self
    }

    /// `grpc_bad`: the gRPC codes that fail, replacing the default
    /// (`UNKNOWN`, `DEADLINE_EXCEEDED`, `INTERNAL`, `UNAVAILABLE`,
    /// `DATA_LOSS`). Codes past 16 are ignored.
    pub fn with_grpc_bad(mut self, codes: impl IntoIterator<Item = u8>) -> Self {
        let codes: Vec<u8> = codes.into_iter().filter(|code| *code <= 16).collect();
        self.grpc_bad_set = codes.iter().fold(0, |set, code| set | 1 << code);
        self.grpc_bad = Some(codes);
        self
    }

    /// `classification` to keep in a definition: the default is one
    /// value for the whole process, so that SLOs without lists hold a
    /// pointer rather than the sets.
    pub(crate) fn shared(classification: Classification) -> std::sync::Arc<Classification> {
        static DEFAULT: std::sync::OnceLock<std::sync::Arc<Classification>> =
            std::sync::OnceLock::new();
        if classification == Classification::default() {
            std::sync::Arc::clone(DEFAULT.get_or_init(Default::default))
        } else {
            std::sync::Arc::new(classification)
        }
    }

    /// Whether it is the default: `bad: ["5xx"]`, nothing excluded, the
    /// default gRPC codes (however it was written).
    pub fn is_default(&self) -> bool {
        let default = Classification::default();
        self.bad_set == default.bad_set
            && self.excluded_set == default.excluded_set
            && self.grpc_bad_set == default.grpc_bad_set
    }

    /// The `bad` list as written; `None` when the default holds.
    pub fn bad(&self) -> Option<&[StatusMatch]> {
        self.bad.as_deref()
    }

    /// The `excluded` list as written (empty by default).
    pub fn excluded(&self) -> &[StatusMatch] {
        &self.excluded
    }

    /// The `grpc_bad` codes as written; `None` when the default holds.
    pub fn grpc_bad(&self) -> Option<&[u8]> {
        self.grpc_bad.as_deref()
    }

    /// The statuses in both `bad` and `excluded`, ascending.
    pub fn overlap(&self) -> Vec<u16> {
        self.excluded_set
            .iter()
            .filter(|status| self.bad_set.contains(*status))
            .collect()
    }

    /// What it makes of an HTTP `status`.
    #[inline]
    pub fn http_verdict(&self, status: u16) -> Verdict {
        if self.excluded_set.contains(status) {
            Verdict::Excluded
        } else if self.bad_set.contains(status) {
            Verdict::Failed {
                server_error: status >= 500,
            }
        } else {
            Verdict::Succeeded
        }
    }

    /// What it makes of a gRPC call that ended with HTTP `status` and
    /// gRPC `code` (`None`: the stream ended without one, which fails).
    #[inline]
    pub fn grpc_verdict(&self, status: u16, code: Option<u8>) -> Verdict {
        match self.http_verdict(status) {
            Verdict::Succeeded => match code {
                Some(code) if code <= 16 && self.grpc_bad_set & (1 << code) == 0 => {
                    Verdict::Succeeded
                }
                _ => Verdict::Failed { server_error: true },
            },
            other => other,
        }
    }
}

/// A response extension a handler sets to say that it answered, but
/// worse than it should have: results from a stale cache, a page without
/// its recommendations. A `quality` SLI counts such a response bad (reason
/// `degraded`); availability and latency SLIs do not look at it. It is an
/// extension, set in the service, never a header a client could send: in
/// axum, return `(Extension(slo::Degraded), body)`; in any `http` service,
/// `response.extensions_mut().insert(slo::Degraded)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Degraded;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_5xx_fail() {
        assert!(!http_status_is_failure(200));
        assert!(!http_status_is_failure(404));
        assert!(!http_status_is_failure(499));
        assert!(http_status_is_failure(500));
        assert!(http_status_is_failure(503));
        assert!(http_status_is_failure(599));
    }

    #[test]
    fn server_fault_grpc_codes() {
        let failing: Vec<i32> = (0..=16).filter(|c| grpc_code_is_failure(*c)).collect();
        assert_eq!(failing, [2, 4, 13, 14, 15]);
    }

    /// The default classification says exactly what the default rules say,
    /// for every status and code.
    #[test]
    fn the_default_is_the_default_rules() {
        let default = Classification::default();
        for status in 0..700u16 {
            let want = if http_status_is_failure(status) {
                Verdict::Failed { server_error: true }
            } else {
                Verdict::Succeeded
            };
            assert_eq!(default.http_verdict(status), want, "{status}");
        }
        for code in 0..=20u8 {
            let failed = code > 16 || grpc_code_is_failure(i32::from(code));
            assert_eq!(
                default.grpc_verdict(200, Some(code)) != Verdict::Succeeded,
                failed,
                "{code}"
            );
        }
        assert_ne!(default.grpc_verdict(200, None), Verdict::Succeeded);
        let written = Classification::default()
            .with_bad([StatusMatch::Class(5)])
            .with_grpc_bad([2, 4, 13, 14, 15]);
        assert!(written.is_default());
        assert!(!written.clone().with_grpc_bad([2]).is_default());
    }

    #[test]
    fn lists_compile_into_sets() {
        let api = Classification::default()
            .with_bad([StatusMatch::Class(5), StatusMatch::Status(429)])
            .with_excluded([StatusMatch::Status(404), StatusMatch::Status(599)])
            .with_grpc_bad([14, 8]);
        assert_eq!(api.overlap(), [599]);
        assert_eq!(api.http_verdict(599), Verdict::Excluded);
        assert_eq!(
            api.http_verdict(429),
            Verdict::Failed {
                server_error: false
            }
        );
        assert_eq!(api.http_verdict(428), Verdict::Succeeded);
        assert_eq!(
            api.grpc_verdict(200, Some(8)),
            api.grpc_verdict(200, Some(14))
        );
        assert_eq!(api.grpc_verdict(200, Some(13)), Verdict::Succeeded);
        assert_eq!(api.grpc_verdict(404, Some(14)), Verdict::Excluded);
        assert_eq!(
            api.grpc_verdict(200, Some(17)),
            Verdict::Failed { server_error: true }
        );
        assert!(!api.is_default());
    }

    #[test]
    fn status_entries_read_and_write_back() {
        for (text, want) in [
            ("429", Some(StatusMatch::Status(429))),
            ("5xx", Some(StatusMatch::Class(5))),
            ("1XX", Some(StatusMatch::Class(1))),
            ("100", Some(StatusMatch::Status(100))),
            ("599", Some(StatusMatch::Status(599))),
            ("600", None),
            ("99", None),
            ("6xx", None),
            ("0xx", None),
            ("+429", None),
            ("4 29", None),
            ("", None),
            ("xx", None),
            ("45xx", None),
        ] {
            let got = text.parse::<StatusMatch>().ok();
            assert_eq!(got, want, "{text:?}");
            if let Some(entry) = got {
                assert_eq!(entry.to_string().parse::<StatusMatch>().ok(), got);
            }
        }
        assert_eq!(grpc_code_named("unavailable"), Some(14));
        assert_eq!(grpc_code_named("RESOURCE_EXHAUSTED"), Some(8));
        assert_eq!(grpc_code_named("NOPE"), None);
    }
}
