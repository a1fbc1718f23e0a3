//! The state file's bytes: a one-line header (`slo-state 2 <length>
//! <crc32>`), then a JSON body of exactly that length and checksum. JSON
//! keeps the file readable with everyday tools; ring samples are written
//! as differences from the previous sample, small numbers, as varints in
//! one base64 string per ring ([`super::deltas`]), which keeps it compact
//! (a few KiB per SLO) and cheap to write. Format 1 files (the same, with
//! the differences as lists of numbers) are still read.

use serde::{Deserialize, Serialize};

use crate::counters::Totals;
use crate::format::{json_error, printable};
use crate::rings::{DEFAULT_RING_LEN, SavedRing};

/// The first word of every state file.
const MAGIC: &str = "slo-state";
/// The format this code writes and reads.
pub(crate) const VERSION: u32 = 2;
/// Format 1 (ring samples as lists of numbers) is still read.
/// Files larger than this are refused before they are read: 1,000 SLOs
/// take about 5 MiB.
pub(crate) const MAX_FILE_BYTES: u64 = 256 << 20;

/// Why a state file was not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Reading or writing the file failed.
    #[error("{0}")]
    Io(String),
    /// The file is empty.
    #[error("the file is empty")]
    Empty,
    /// The file does not start with a state file's header.
    #[error("not a state file (no `slo-state` header)")]
    NotAStateFile,
    /// Written by a format version this code does not read.
    #[error("format version {found}, this build reads version {VERSION}")]
    Version {
        /// The version in the file (printable, at most 20
        /// characters).
        found: String,
    },
    /// Shorter (or longer) than its header says: a torn or truncated write.
    #[error("the body is {found} bytes where the header says {expected}: truncated or torn")]
    Length {
        /// The length in the header.
        expected: u64,
        /// The body's length.
        found: u64,
    },
    /// The body's checksum differs from the header's: the file is corrupt.
    #[error("checksum mismatch: the file is corrupt")]
    Checksum,
    /// Larger than any state file this code writes.
    #[error("{0} bytes is larger than a state file can be")]
    TooLarge(u64),
    /// The body does not hold a consistent state.
    #[error("malformed state: {0}")]
    Malformed(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub service: String,
    /// Unix nanoseconds.
    pub taken_at: i64,
    /// Where the history came from (`state_file`, `prometheus`,
    /// `simulated`), carried from file to file.
    pub sources: Vec<String>,
    pub slos: Vec<SavedSlo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedSlo {
    pub name: String,
    /// What must be unchanged for the history to apply: SLI, routes, period.
    pub identity: String,
    /// The earliest instant the windows hold, Unix nanoseconds.
    pub since: i64,
    pub good: u64,
    pub bad: u64,
    pub excluded: u64,
    pub latency: Option<SavedLatency>,
    pub rings: Vec<EncodedRing>,
    /// For a calendar period: where the current one began and the
    /// cumulative counts then, so that a restart within it keeps its
    /// events exactly. Absent in files without calendar periods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<SavedCalendar>,
    /// The bad events by reason: cumulative counts (summing to `bad`)
    /// and their rings over the period. Absent in files from before
    /// reasons were kept: their bad events count as `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad_reasons: Option<SavedReasons>,
}

/// The bad events by reason, in [`BadReason::ALL`](crate::reasons::BadReason::ALL)'s order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedReasons {
    pub counts: Vec<u64>,
    /// Two reasons to a ring; `None` for a pair that had none.
    pub rings: Vec<Option<SavedTallyRing>>,
}

/// One ring of two counts over the period: made at `since`, last ticked
/// at `at` (Unix nanoseconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedTallyRing {
    pub since: i64,
    pub at: i64,
    pub ring: EncodedRing,
}

/// A calendar period's start, Unix nanoseconds on the wall clock, and the
/// cumulative (good, bad) at it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedCalendar {
    pub start: i64,
    pub good: f64,
    pub bad: f64,
    /// The cumulative bad events by reason at `start`; absent in files
    /// from before reasons were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad_reasons: Option<[f64; crate::counters::BAD_KINDS]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedLatency {
    pub bounds_nanos: Vec<u64>,
    pub counts: Vec<u64>,
    pub sum_nanos: u64,
}

/// A ring as the file holds it: samples as differences from the previous
/// one (the first from zero).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct EncodedRing {
    pub spacing: i64,
    pub latest: i64,
    #[serde(with = "super::deltas")]
    pub good: Vec<u64>,
    #[serde(with = "super::deltas")]
    pub bad: Vec<u64>,
}

impl EncodedRing {
    pub fn encode(ring: &SavedRing) -> EncodedRing {
        EncodedRing::from_samples(ring.spacing, ring.latest, ring.samples.iter().copied())
    }

    /// Encodes a ring's cumulative samples, oldest first, in one pass.
    pub fn from_samples(
        spacing: i64,
        latest: i64,
        samples: impl ExactSizeIterator<Item = Totals>,
    ) -> EncodedRing {
        let mut good = Vec::with_capacity(samples.len());
        let mut bad = Vec::with_capacity(samples.len());
        let mut previous = Totals::default();
        for sample in samples {
            good.push(sample.good.wrapping_sub(previous.good));
            bad.push(sample.bad.wrapping_sub(previous.bad));
            previous = sample;
        }
        EncodedRing {
            spacing,
            latest,
            good,
            bad,
        }
    }

    /// The cumulative samples, checked: as many good as bad, no more than
    /// a ring holds, no overflow.
    pub fn decode(&self) -> Result<SavedRing, StateError> {
        if self.good.len() != self.bad.len() {
            return Err(malformed("a ring has unequal good and bad samples"));
        }
        if self.good.len() > DEFAULT_RING_LEN {
            return Err(malformed("a ring holds more samples than a ring has"));
        }
        if self.spacing <= 0 {
            return Err(malformed("a ring's spacing is not positive"));
        }
        let mut samples = Vec::with_capacity(self.good.len());
        let mut total = Totals::default();
        for (good, bad) in self.good.iter().zip(&self.bad) {
            total.good = total
                .good
                .checked_add(*good)
                .ok_or_else(|| malformed("a ring's counts overflow"))?;
            total.bad = total
                .bad
                .checked_add(*bad)
                .ok_or_else(|| malformed("a ring's counts overflow"))?;
            samples.push(total);
        }
        Ok(SavedRing {
            spacing: self.spacing,
            latest: self.latest,
            samples,
        })
    }
}

fn malformed(what: &str) -> StateError {
    StateError::Malformed(what.to_owned())
}

/// Room kept in front of the body for the header, which is at most
/// `slo-state` + a version + a 20-digit length + 8 hex digits.
const HEADER_ROOM: usize = 64;
/// A first guess at a body's size, so that the buffer rarely grows (each
/// growth copies everything written so far): a saved SLO takes about 4 KiB.
const BYTES_PER_SLO: usize = 4 << 10;

/// A state file's bytes, built in one buffer: the body is serialized
/// after room for the header, and the header is then put right in front
/// of it. The file's bytes are `bytes[start..]`, which the writer writes
/// without copying them again.
pub(crate) struct Encoded {
    bytes: Vec<u8>,
    start: usize,
}

impl Encoded {
    /// The file's bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[self.start..]
    }

    /// The file's bytes, owned.
    pub fn into_vec(mut self) -> Vec<u8> {
        self.bytes.drain(..self.start);
        self.bytes
    }
}

pub(crate) fn encode(snapshot: &Snapshot) -> Encoded {
    let mut bytes = Vec::with_capacity(HEADER_ROOM + (snapshot.slos.len() + 1) * BYTES_PER_SLO);
    bytes.resize(HEADER_ROOM, b' ');
    // Serializing these plain structs into memory cannot fail; an empty
    // body would be refused when read, never misread.
    if serde_json::to_writer(&mut bytes, snapshot).is_err() {
        bytes.truncate(HEADER_ROOM);
    }
    let body = &bytes[HEADER_ROOM..];
    let header = format!(
        "{MAGIC} {VERSION} {} {:08x}\n",
        body.len(),
        crc32fast::hash(body)
    );
    // The header always fits: its length has at most 20 digits.
    let start = HEADER_ROOM.saturating_sub(header.len());
    bytes[start..HEADER_ROOM].copy_from_slice(&header.as_bytes()[..HEADER_ROOM - start]);
    Encoded { bytes, start }
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Snapshot, StateError> {
    if bytes.is_empty() {
        return Err(StateError::Empty);
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(StateError::TooLarge(bytes.len() as u64));
    }
    let newline = bytes
        .iter()
        .take(128)
        .position(|&b| b == b'\n')
        .ok_or(StateError::NotAStateFile)?;
    let header = std::str::from_utf8(&bytes[..newline]).map_err(|_| StateError::NotAStateFile)?;
    let body = &bytes[newline + 1..];
    let mut words = header.split(' ');
    if words.next() != Some(MAGIC) {
        return Err(StateError::NotAStateFile);
    }
    let version = words.next().unwrap_or("");
    if version != VERSION.to_string() {
        return Err(StateError::Version {
            found: printable(version, 20),
        });
    }
    let (Some(length), Some(checksum), None) = (words.next(), words.next(), words.next()) else {
        return Err(malformed(
            "the header is not `slo-state <version> <length> <crc32>`",
        ));
    };
    // Both numbers are compared in the one spelling this code writes, so
    // that no changed byte of the header goes unnoticed.
    let expected: u64 = length
        .parse()
        .ok()
        .filter(|n: &u64| n.to_string() == length)
        .ok_or_else(|| malformed("the header's length is not a number"))?;
    let checksum = u32::from_str_radix(checksum, 16)
        .ok()
        .filter(|c| format!("{c:08x}") == checksum)
        .ok_or_else(|| malformed("the header's checksum is not 8 lower-case hex digits"))?;
    if body.len() as u64 != expected {
        return Err(StateError::Length {
            expected,
            found: body.len() as u64,
        });
    }
    if crc32fast::hash(body) != checksum {
        return Err(StateError::Checksum);
    }
    let snapshot: Snapshot =
        serde_json::from_slice(body).map_err(|e| StateError::Malformed(json_error(&e, 200)))?;
    check(&snapshot)?;
    Ok(snapshot)
}

/// What a snapshot must hold to be trusted, whatever the spec.
fn check(snapshot: &Snapshot) -> Result<(), StateError> {
    for slo in &snapshot.slos {
        let named = |what: &str| {
            StateError::Malformed(format!("SLO {:?}: {what}", printable(&slo.name, 80)))
        };
        if slo.since > snapshot.taken_at {
            return Err(named("its history starts after the snapshot was taken"));
        }
        for ring in &slo.rings {
            let decoded = ring.decode().map_err(|e| named(&e.to_string()))?;
            if ring.latest.saturating_mul(ring.spacing) > snapshot.taken_at {
                return Err(named("a ring has samples after the snapshot was taken"));
            }
            if let Some(last) = decoded.samples.last()
                && (last.good > slo.good || last.bad > slo.bad)
            {
                return Err(named("a ring holds more events than the SLO's totals"));
            }
        }
        if let Some(latency) = &slo.latency {
            if latency.counts.len() != latency.bounds_nanos.len() + 1 {
                return Err(named("the latency buckets do not match their bounds"));
            }
            if latency.bounds_nanos.windows(2).any(|w| w[0] >= w[1]) {
                return Err(named("the latency bounds are not ascending"));
            }
        }
    }
    Ok(())
}
