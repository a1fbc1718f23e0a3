//! The most recent bad events of one SLO: a fixed ring of slots, each a
//! seqlock of plain atomics, so that recording never blocks, never
//! allocates and never grows, and a reader never sees a torn entry.
//!
//! A writer takes the next position with one atomic add and claims its
//! slot by moving the slot's sequence from even to odd; should another
//! writer hold that slot (a flood of failures on more threads than
//! slots), it gives up rather than wait: the event is counted as usual,
//! only not listed. A reader copies a slot between two reads of its
//! sequence and keeps the copy only when the sequence was even and
//! unchanged.

use std::fmt;

use crate::clock::Timestamp;
use crate::sync::{AtomicI64, AtomicU64, Ordering, fence};

/// How many bad events an SLO keeps by default.
pub const DEFAULT_RECENT_BAD: usize = 20;
/// The most an SLO can be asked to keep.
pub const MAX_RECENT_BAD: usize = 1024;

/// The most route templates a registry names ([`crate::Registry::route_id`]).
pub const MAX_ROUTES: usize = 4096;

/// A route template, as a registry names it ([`crate::Registry::route_id`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteId(pub(crate) u16);

pub use crate::reasons::BadReason;

/// A request method, as kept: the standard ones by name, any other as
/// `OTHER` (a client's own token is never kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `CONNECT`
    Connect,
    /// `OPTIONS`
    Options,
    /// `TRACE`
    Trace,
    /// `PATCH`
    Patch,
    /// Any other.
    Other,
}

impl Method {
    const ALL: [Method; 10] = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Delete,
        Method::Connect,
        Method::Options,
        Method::Trace,
        Method::Patch,
        Method::Other,
    ];

    /// The method of `name` (case-sensitive, as HTTP methods are).
    pub fn from_name(name: &str) -> Method {
        Method::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == name)
            .unwrap_or(Method::Other)
    }

    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Connect => "CONNECT",
            Method::Options => "OPTIONS",
            Method::Trace => "TRACE",
            Method::Patch => "PATCH",
            Method::Other => "OTHER",
        }
    }
}

/// A W3C trace id: 16 bytes, not all zero.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceId(u128);

impl TraceId {
    /// The id of these bytes; `None` for all zeros (invalid in W3C Trace
    /// Context).
    pub fn from_bytes(bytes: [u8; 16]) -> Option<TraceId> {
        let id = u128::from_be_bytes(bytes);
        (id != 0).then_some(TraceId(id))
    }

    /// The trace id of a W3C `traceparent` header value
    /// (`00-<32 hex>-<16 hex>-<2 hex>`), or `None` when it is not a valid
    /// one: a version other than two lowercase hex digits or `ff`, ids of
    /// the wrong length, upper-case or non-hex digits, an all-zero trace or
    /// parent id. Version 00 must be exactly 55 bytes; later versions may
    /// carry more after a `-`.
    ///
    /// ```
    /// use slo_core::recent::TraceId;
    /// let id = TraceId::from_traceparent(b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    /// assert!(TraceId::from_traceparent(b"00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none());
    /// assert!(TraceId::from_traceparent(b"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").is_none());
    /// ```
    pub fn from_traceparent(value: &[u8]) -> Option<TraceId> {
        let head: &[u8; 55] = value.get(..55)?.try_into().ok()?;
        if head[2] != b'-' || head[35] != b'-' || head[52] != b'-' {
            return None;
        }
        let version = hex2(head[0], head[1])?;
        if version == 0xff || (version == 0 && value.len() != 55) {
            return None;
        }
        if value.len() > 55 && value[55] != b'-' {
            return None;
        }
        hex2(head[53], head[54])?;
        let chunk = |at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&head[at..at + 8]);
            hex8(u64::from_be_bytes(bytes))
        };
        let trace = [chunk(3), chunk(11), chunk(19), chunk(27)];
        let parent = [chunk(36), chunk(44)];
        let mut id: u128 = 0;
        for part in trace {
            id = (id << 32) | u128::from(part?);
        }
        let parent = (u64::from(parent[0]?) << 32) | u64::from(parent[1]?);
        if parent == 0 || id == 0 {
            return None;
        }
        Some(TraceId(id))
    }

    /// The id as a number.
    pub fn as_u128(self) -> u128 {
        self.0
    }
}

/// Eight lowercase hex digits, the first in the most significant byte of
/// `x`, as a number: every byte checked and converted at once (a
/// `traceparent` is 48 digits, read on every request that carries one
/// while bad events are kept).
fn hex8(x: u64) -> Option<u32> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if x & HIGH != 0 {
        return None;
    }
    // With every byte below 0x80 no sum below carries into the next byte:
    // a byte's high bit says whether it is at least the bound added for.
    let at_least = |bound: u8| x.wrapping_add(ONES * u64::from(0x80 - bound)) & HIGH;
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    let letter = at_least(b'a') & !at_least(b'f' + 1);
    if digit | letter != HIGH {
        return None;
    }
    // '0'..'9' are 0..9 in their low nibble, 'a'..'f' 1..6 (plus 9).
    let mut t = (x & 0x0f0f_0f0f_0f0f_0f0f) + (letter >> 7) * 9;
    t = (t | (t >> 4)) & 0x00ff_00ff_00ff_00ff;
    t = (t | (t >> 8)) & 0x0000_ffff_0000_ffff;
    t = (t | (t >> 16)) & 0x0000_0000_ffff_ffff;
    Some(t as u32)
}

/// Two lowercase hex digits as a number.
fn hex2(a: u8, b: u8) -> Option<u8> {
    let digit = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    Some(digit(a)? << 4 | digit(b)?)
}

impl fmt::Display for TraceId {
    /// 32 lowercase hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

/// What a caller knows of a bad event; what is not known stays `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadEvent {
    /// The request's method.
    pub method: Option<Method>,
    /// The template of the route rule that matched.
    pub route: Option<RouteId>,
    /// The HTTP status.
    pub status: Option<u16>,
    /// The gRPC status code.
    pub grpc_status: Option<u8>,
    /// How long it took.
    pub latency_nanos: Option<u64>,
    /// Why it was bad.
    pub reason: BadReason,
    /// The trace it belongs to.
    pub trace_id: Option<TraceId>,
}

impl BadEvent {
    /// An event with only a reason.
    pub fn new(reason: BadReason) -> BadEvent {
        BadEvent {
            method: None,
            route: None,
            status: None,
            grpc_status: None,
            latency_nanos: None,
            reason,
            trace_id: None,
        }
    }
}

/// One kept bad event, as read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptBadEvent {
    /// When it was recorded, on the registry's clock.
    pub at: Timestamp,
    /// What was recorded.
    pub event: BadEvent,
    /// Its position among every bad event the ring was given (0 first).
    pub sequence: u64,
}

/// One slot: a sequence (odd while written) and the event's fields.
struct Slot {
    seq: AtomicU64,
    sequence: AtomicU64,
    at: AtomicI64,
    latency: AtomicU64,
    trace_hi: AtomicU64,
    trace_lo: AtomicU64,
    /// status (16 bits) | grpc + 1 (8) | reason (8) | method + 1 (8) |
    /// route rule + 1 (16)
    packed: AtomicU64,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            seq: AtomicU64::new(0),
            sequence: AtomicU64::new(0),
            at: AtomicI64::new(0),
            latency: AtomicU64::new(0),
            trace_hi: AtomicU64::new(0),
            trace_lo: AtomicU64::new(0),
            packed: AtomicU64::new(0),
        }
    }
}

/// `value`'s place in `all`: how a slot packs a closed set's value.
fn code<T: PartialEq>(all: &[T], value: &T) -> u64 {
    all.iter().position(|v| v == value).unwrap_or(0) as u64
}

/// The value at place `code` of `all`, or `fallback` where none is.
fn of_code<T: Copy>(all: &[T], code: u64, fallback: T) -> T {
    all.get(code as usize).copied().unwrap_or(fallback)
}

fn pack(event: &BadEvent) -> u64 {
    u64::from(event.status.unwrap_or(0))
        | (event.grpc_status.map_or(0, |g| u64::from(g) + 1) & 0xff) << 16
        | code(&BadReason::ALL, &event.reason) << 24
        | event.method.map_or(0, |m| code(&Method::ALL, &m) + 1) << 32
        | event.route.map_or(0, |r| u64::from(r.0) + 1) << 40
}

fn unpack(packed: u64, latency: u64, trace: u128) -> BadEvent {
    let field = |shift: u32, bits: u32| (packed >> shift) & ((1 << bits) - 1);
    BadEvent {
        status: Some(field(0, 16) as u16).filter(|s| *s != 0),
        grpc_status: field(16, 8).checked_sub(1).map(|g| g as u8),
        reason: of_code(&BadReason::ALL, field(24, 8), BadReason::ServerError),
        method: field(32, 8)
            .checked_sub(1)
            .map(|m| of_code(&Method::ALL, m, Method::Other)),
        route: field(40, 16).checked_sub(1).map(|r| RouteId(r as u16)),
        latency_nanos: (latency != u64::MAX).then_some(latency),
        trace_id: (trace != 0).then_some(TraceId(trace)),
    }
}

/// The ring of one SLO; see the [module docs](self).
pub(crate) struct RecentBad {
    next: AtomicU64,
    /// Events not listed because their slot was being written.
    skipped: AtomicU64,
    slots: Box<[Slot]>,
}

impl RecentBad {
    /// A ring of `capacity` slots (at most [`MAX_RECENT_BAD`]); 0 keeps
    /// nothing and costs nothing.
    pub fn new(capacity: usize) -> RecentBad {
        RecentBad {
            next: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            slots: (0..capacity.min(MAX_RECENT_BAD))
                .map(|_| Slot::new())
                .collect(),
        }
    }

    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Keeps `event`, recorded `at`; never waits.
    pub fn push(&self, at: Timestamp, event: &BadEvent) {
        if self.slots.is_empty() {
            return;
        }
        let sequence = self.next.fetch_add(1, Ordering::Relaxed);
        let slot = &self.slots[(sequence % self.slots.len() as u64) as usize];
        let seq = slot.seq.load(Ordering::Relaxed);
        if seq & 1 == 1
            || slot
                .seq
                // Acquire: this writer's stores come after the last
                // writer's in every field's order (found by the loom model:
                // with Relaxed, two writers' fields could interleave).
                .compare_exchange(seq, seq + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            self.skipped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        // The odd sequence is visible before any field changes.
        fence(Ordering::Release);
        let trace = event.trace_id.map_or(0, TraceId::as_u128);
        slot.sequence.store(sequence, Ordering::Relaxed);
        slot.at.store(at.as_unix_nanos(), Ordering::Relaxed);
        slot.latency
            .store(event.latency_nanos.unwrap_or(u64::MAX), Ordering::Relaxed);
        slot.trace_hi.store((trace >> 64) as u64, Ordering::Relaxed);
        slot.trace_lo.store(trace as u64, Ordering::Relaxed);
        slot.packed.store(pack(event), Ordering::Relaxed);
        slot.seq.store(seq + 2, Ordering::Release);
    }

    /// The kept events, newest first; a slot being written is left out.
    pub fn read(&self) -> Vec<KeptBadEvent> {
        let mut kept: Vec<KeptBadEvent> = self.slots.iter().filter_map(read_slot).collect();
        kept.sort_by_key(|k| std::cmp::Reverse(k.sequence));
        kept
    }

    /// Events not kept because their slot was being written at the time.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }
}

fn read_slot(slot: &Slot) -> Option<KeptBadEvent> {
    for _ in 0..4 {
        let before = slot.seq.load(Ordering::Acquire);
        if before == 0 {
            return None;
        }
        if before & 1 == 1 {
            crate::sync::spin(0);
            continue;
        }
        let sequence = slot.sequence.load(Ordering::Relaxed);
        let at = slot.at.load(Ordering::Relaxed);
        let latency = slot.latency.load(Ordering::Relaxed);
        let hi = slot.trace_hi.load(Ordering::Relaxed);
        let lo = slot.trace_lo.load(Ordering::Relaxed);
        let packed = slot.packed.load(Ordering::Relaxed);
        // The fields are read before the sequence is read again.
        fence(Ordering::Acquire);
        if slot.seq.load(Ordering::Relaxed) == before {
            return Some(KeptBadEvent {
                at: Timestamp::from_unix_nanos(at),
                event: unpack(packed, latency, (u128::from(hi) << 64) | u128::from(lo)),
                sequence,
            });
        }
    }
    None
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn event(i: u16) -> BadEvent {
        BadEvent {
            method: Some(Method::Post),
            route: Some(RouteId(i % 3)),
            status: Some(500 + i % 4),
            grpc_status: i.is_multiple_of(2).then_some(14),
            latency_nanos: Some(u64::from(i) * 1000),
            reason: BadReason::ALL[usize::from(i) % BadReason::ALL.len()],
            trace_id: TraceId::from_bytes([i as u8 + 1; 16]),
        }
    }

    #[test]
    fn the_newest_are_kept_newest_first_and_read_back_whole() {
        let ring = RecentBad::new(4);
        assert!(ring.read().is_empty());
        for i in 0..10u16 {
            ring.push(Timestamp::from_unix_nanos(i64::from(i)), &event(i));
        }
        let kept = ring.read();
        assert_eq!(kept.len(), 4);
        for (k, i) in kept.iter().zip([9u16, 8, 7, 6]) {
            assert_eq!(k.event, event(i));
            assert_eq!(k.at, Timestamp::from_unix_nanos(i64::from(i)));
            assert_eq!(k.sequence, u64::from(i));
        }
        let bare = BadEvent::new(BadReason::Slow);
        ring.push(Timestamp::EPOCH, &bare);
        assert_eq!(ring.read()[0].event, bare);
        assert_eq!(ring.skipped(), 0);
    }

    #[test]
    fn none_keeps_nothing() {
        let ring = RecentBad::new(0);
        ring.push(Timestamp::EPOCH, &event(1));
        assert!(ring.read().is_empty());
        assert_eq!(RecentBad::new(1 << 20).capacity(), MAX_RECENT_BAD);
    }

    /// What `hex8` computes, a digit at a time.
    fn hex8_by_digit(bytes: [u8; 8]) -> Option<u32> {
        let mut value = 0u32;
        for d in bytes {
            let n = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                _ => return None,
            };
            value = value << 4 | u32::from(n);
        }
        Some(value)
    }

    #[test]
    fn eight_digits_at_once_read_as_one_at_a_time() {
        // Every byte value in every position, among valid digits.
        for position in 0..8 {
            for byte in 0..=255u8 {
                let mut bytes = *b"09afbe27";
                bytes[position] = byte;
                assert_eq!(
                    hex8(u64::from_be_bytes(bytes)),
                    hex8_by_digit(bytes),
                    "{bytes:?}"
                );
            }
        }
        // And a spread of random ones.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let alphabet = b"0123456789abcdefAFgz/:`@";
            let bytes: [u8; 8] = std::array::from_fn(|i| alphabet[((x >> (i * 5)) % 24) as usize]);
            assert_eq!(
                hex8(u64::from_be_bytes(bytes)),
                hex8_by_digit(bytes),
                "{bytes:?}"
            );
        }
        assert_eq!(hex8(u64::from_be_bytes(*b"ffffffff")), Some(u32::MAX));
        assert_eq!(hex8(u64::from_be_bytes(*b"00000000")), Some(0));
    }

    #[test]
    fn traceparents_are_read_as_w3c_says() {
        let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(
            TraceId::from_traceparent(good.as_bytes())
                .unwrap()
                .to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        // A later version may carry more, after a dash.
        let later = "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra";
        assert!(TraceId::from_traceparent(later.as_bytes()).is_some());
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
            "00-<script>alert(1)</script>aaaaaaaaaaaaa-00f067aa0ba902b7-01",
        ] {
            assert_eq!(TraceId::from_traceparent(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(TraceId::from_bytes([0; 16]), None);
    }
}
