//! `slo replay` event lines. Two forms, picked by the input's first bytes
//! (`arbitrary`):
//! - any bytes as the events file: a replay that ends, or a typed error
//!   naming its line; every status line written is JSON; never more events
//!   counted than lines read; memory within a bound of the input;
//! - a structured stream of request and pre-classified events, in time
//!   order, written as the JSON Lines a user would write: the replay
//!   accepts it, and the last status line of every SLO counts exactly the
//!   events that matched it (each request through the spec's own `match`
//!   rules), with good + bad = total, each request's outcome by its
//!   status, latency and degraded mark, batches and data ages counted as
//!   their SLIs say, and the bad events' reasons exactly as modelled.
#![no_main]

use std::collections::HashMap;
use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use slo_core::replay::{ReplayError, replay};
use slo_core::{Sli, Spec};

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

const SPEC: &str = r#"
service: shop
slos:
  - name: checkout
    objective: 0.999
    match: {routes: ["POST /checkout"]}
  - name: cart
    objective: 0.99
    match: {routes: ["/cart/{id}", "DELETE /cart/{id}/items/{*rest}"]}
  - name: search-latency
    objective: 0.99
    sli: {latency: {threshold: 100ms}}
    match: {routes: ["GET /search"]}
  - name: everything
    objective: 0.9
  - name: search-quality
    objective: 0.99
    sli: quality
    match: {routes: ["GET /search"]}
  - name: feed-freshness
    objective: 0.99
    sli: {freshness: {threshold: 1m}}
"#;

const SLOS: [&str; 6] = [
    "checkout",
    "cart",
    "search-latency",
    "everything",
    "search-quality",
    "feed-freshness",
];
/// `feed-freshness`, which takes no requests, only ages.
const FEED: usize = 5;
const METHODS: [&str; 5] = ["GET", "POST", "DELETE", "PUT", "PATCH"];
const ROUTES: [&str; 6] = [
    "/checkout",
    "/cart/{}",
    "/cart/{}/items/{}",
    "/search",
    "/",
    "/checkout/{}",
];

#[derive(Arbitrary, Debug)]
enum Input<'a> {
    Bytes(&'a [u8]),
    Events(Vec<Event>),
}

#[derive(Arbitrary, Debug)]
struct Event {
    /// Milliseconds after the event before.
    after_ms: u16,
    kind: Kind,
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Direct {
        slo: u8,
        good: bool,
    },
    Request {
        method: u8,
        route: u8,
        id: u16,
        status: u16,
        latency_ms: u16,
        degraded: bool,
    },
    Batch {
        slo: u8,
        good: u16,
        bad: u16,
    },
    Age {
        age_ms: u32,
    },
}

#[derive(Default, Clone, Debug, PartialEq)]
struct Counts {
    good: u64,
    bad: u64,
    /// Bad events by reason.
    reasons: std::collections::BTreeMap<String, u64>,
}

fn spec() -> Spec {
    Spec::from_yaml(SPEC).expect("the target's spec is valid")
}

fuzz_target!(|input: Input| match input {
    Input::Bytes(bytes) => any_bytes(bytes),
    Input::Events(events) => structured(&events),
});

fn any_bytes(bytes: &[u8]) {
    let spec = spec();
    let mut out = JsonLines::default();
    // Lines every 30 days: any span a timestamp can hold (some 292 years)
    // gives a few thousand lines, so that a short input cannot ask for an
    // unbounded replay (which `--every` lets a user do on purpose).
    let every = Duration::from_secs(30 * 86_400);
    let (result, peak) = alloc::peak_during(|| replay(&spec, bytes, every, &mut out));
    // The registry is the same for every input; the rest grows with it.
    alloc::assert_bounded("replay", bytes.len(), peak, 8 << 20, 1024);
    let lines = bytes.split(|&b| b == b'\n').count() as u64;
    match result {
        Ok(summary) => {
            assert!(summary.events <= lines, "{summary:?} from {lines} lines");
            assert_eq!(summary.lines, out.lines);
            assert!(out.partial.is_empty(), "a status line without its newline");
        }
        Err(ReplayError::Malformed { line, reason }) => {
            assert!(
                line >= 1 && line <= lines && !reason.is_empty(),
                "{line}: {reason}"
            );
        }
        Err(ReplayError::OutOfOrder { line, t, previous }) => {
            assert!(
                line >= 1 && line <= lines && t < previous,
                "{line}: {t} < {previous}"
            );
        }
        Err(other) => panic!("unexpected error {other}"),
    }
}

/// Checks each status line is JSON as it is written, holding one line.
#[derive(Default)]
struct JsonLines {
    partial: Vec<u8>,
    lines: u64,
}

impl std::io::Write for JsonLines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        for &b in bytes {
            if b == b'\n' {
                serde_json::from_slice::<serde_json::Value>(&self.partial)
                    .expect("status lines are JSON");
                self.partial.clear();
                self.lines += 1;
            } else {
                self.partial.push(b);
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn structured(events: &[Event]) {
    // Every event inside the 30-day period, whatever the gaps (at most 65 s).
    let events = &events[..events.len().min(20_000)];
    let spec = spec();
    // A first event, so that the stream spans at least one whole minute
    // and the replay writes lines.
    let mut text = String::from("{\"t\": 1, \"slo\": \"everything\", \"good\": true}\n");
    let mut expected: [Counts; SLOS.len()] = Default::default();
    count(&mut expected[3], true, "");
    let mut t_ms: u64 = 1_000;
    for event in events {
        t_ms += u64::from(event.after_ms);
        let t = t_ms as f64 / 1e3;
        match event.kind {
            Kind::Direct { slo, good } => {
                let slo = usize::from(slo) % SLOS.len();
                text.push_str(&format!(
                    "{{\"t\": {t}, \"slo\": \"{}\", \"good\": {good}}}\n",
                    SLOS[slo]
                ));
                count(&mut expected[slo], good, "error");
            }
            Kind::Batch { slo, good, bad } => {
                let slo = usize::from(slo) % SLOS.len();
                text.push_str(&format!(
                    "{{\"t\": {t}, \"slo\": \"{}\", \"batch\": {{\"good\": {good}, \"bad\": {bad}}}}}\n",
                    SLOS[slo]
                ));
                for _ in 0..good {
                    count(&mut expected[slo], true, "");
                }
                for _ in 0..bad {
                    count(&mut expected[slo], false, "error");
                }
            }
            Kind::Age { age_ms } => {
                text.push_str(&format!(
                    "{{\"t\": {t}, \"slo\": \"feed-freshness\", \"age_ms\": {age_ms}}}\n"
                ));
                count(&mut expected[FEED], age_ms <= 60_000, "stale");
            }
            Kind::Request {
                method,
                route,
                id,
                status,
                latency_ms,
                degraded,
            } => {
                let method = METHODS[usize::from(method) % METHODS.len()];
                let route =
                    ROUTES[usize::from(route) % ROUTES.len()].replace("{}", &id.to_string());
                let status = 100 + status % 500;
                text.push_str(&format!(
                    "{{\"t\": {t}, \"method\": \"{method}\", \"route\": \"{route}\", \"status\": {status}, \"latency_ms\": {latency_ms}, \"degraded\": {degraded}}}\n"
                ));
                let succeeded = status < 500;
                for (i, slo) in spec.slos().iter().enumerate() {
                    if slo.matches(method, &route) {
                        assert_ne!(i, FEED, "a freshness SLO without match took a request");
                        // The first reason that holds.
                        let reason = match *slo.sli() {
                            _ if !succeeded => "server_error",
                            Sli::Latency { threshold }
                                if Duration::from_millis(u64::from(latency_ms)) > threshold =>
                            {
                                "slow"
                            }
                            Sli::Quality if degraded => "degraded",
                            _ => "",
                        };
                        count(&mut expected[i], reason.is_empty(), reason);
                    }
                }
            }
        }
    }
    // One last event on a whole minute, so that the last status line
    // covers every event.
    let last = (t_ms.div_ceil(60_000) + 1) * 60;
    text.push_str(&format!(
        "{{\"t\": {last}, \"slo\": \"everything\", \"good\": true}}\n"
    ));
    count(&mut expected[3], true, "");

    let mut out = Vec::new();
    let summary = replay(&spec, text.as_bytes(), Duration::from_secs(60), &mut out)
        .unwrap_or_else(|e| panic!("a well-formed stream was refused: {e}\n{text}"));
    assert_eq!(summary.events, events.len() as u64 + 2);
    let mut last_seen: HashMap<String, (f64, Counts, u64)> = HashMap::new();
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let status: serde_json::Value =
            serde_json::from_slice(line).expect("status lines are JSON");
        let name = status["name"].as_str().expect("a name").to_owned();
        let t = status["t"].as_f64().expect("a time");
        let events = &status["events"];
        let counts = Counts {
            good: events["good"].as_u64().expect("good"),
            bad: events["bad"].as_u64().expect("bad"),
            reasons: serde_json::from_value(status["bad_reasons"].clone()).expect("reasons"),
        };
        let total = events["total"].as_u64().expect("total");
        last_seen.insert(name, (t, counts, total));
    }
    for (i, name) in SLOS.iter().enumerate() {
        let (t, counts, total) = last_seen
            .get(*name)
            .cloned()
            .unwrap_or_else(|| panic!("no line for {name}"));
        assert_eq!(t, last as f64, "{name}'s last line");
        assert_eq!(counts.good + counts.bad, total, "{name}");
        assert_eq!(counts.reasons.values().sum::<u64>(), counts.bad, "{name}");
        assert_eq!(counts, expected[i], "{name}\n{text}");
    }
}

/// One event, bad with `reason` when not `good`.
fn count(counts: &mut Counts, good: bool, reason: &str) {
    if good {
        counts.good += 1;
    } else {
        counts.bad += 1;
        *counts.reasons.entry(reason.to_owned()).or_default() += 1;
    }
}
