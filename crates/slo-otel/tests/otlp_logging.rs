//! Failed exports are logged, rate-limited, and a recovery once. (Its own
//! test binary: the periodic reader exports from its own thread, so the
//! subscriber must be the global one.)
#![cfg(feature = "otlp")]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use slo_core::{Registry, SloDefinition, Spec};
use slo_otel::otlp::{OtlpConfig, OtlpPipeline, Protocol};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Collects the `slo_otel` events: (level, message and fields).
struct Collect {
    events: Arc<Mutex<Vec<(Level, String)>>>,
    next: AtomicU64,
}

struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={:?} ", field.name(), value));
    }
}

impl Subscriber for Collect {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "slo_otel"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = Text(String::new());
        event.record(&mut text);
        self.events
            .lock()
            .unwrap()
            .push((*event.metadata().level(), text.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn failures_are_logged_once_per_interval_and_recovery_once() {
    let events = Arc::new(Mutex::new(Vec::new()));
    tracing::subscriber::set_global_default(Collect {
        events: Arc::clone(&events),
        next: AtomicU64::new(0),
    })
    .unwrap();
    let registry = Registry::new(
        Spec::builder("logging")
            .slo(SloDefinition::builder("a").objective(0.99))
            .build()
            .unwrap(),
    );
    // A collector that refuses every connection: nothing listens on the port.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = OtlpConfig::new(
        format!("http://127.0.0.1:{port}/v1/metrics"),
        Protocol::HttpProtobuf,
    );
    config.interval = Duration::from_millis(50);
    config.timeout = Duration::from_millis(100);
    config.report_every = Duration::from_millis(700);
    let pipeline = OtlpPipeline::start(&registry, config).unwrap();
    registry.handle("a").unwrap().record(true);
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(2000));
    let warnings: Vec<String> = events
        .lock()
        .unwrap()
        .iter()
        .filter(|(level, _)| *level == Level::WARN)
        .map(|(_, text)| text.clone())
        .collect();
    let elapsed = started.elapsed();
    // Dozens of failed exports, a handful of lines: one at once, then one per 700 ms.
    let most = (elapsed.as_millis() / 700 + 1) as usize;
    assert!(
        !warnings.is_empty() && warnings.len() <= most,
        "{} warnings in {elapsed:?}: {warnings:#?}",
        warnings.len()
    );
    assert!(
        warnings[0].contains("OTLP export failed") && warnings[0].contains(&port.to_string()),
        "{warnings:?}"
    );
    // Later lines count what they stood for.
    if let Some(later) = warnings.get(1) {
        assert!(!later.contains("failures=1 "), "{later}");
    }

    // The collector comes up (an empty protobuf body is a valid, empty
    // ExportMetricsServiceResponse): one recovery line, then silence.
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    if stream.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    let recovered = |events: &[(Level, String)]| {
        events
            .iter()
            .filter(|(level, text)| *level == Level::INFO && text.contains("recovered"))
            .count()
    };
    while recovered(&events.lock().unwrap()) == 0 {
        assert!(
            Instant::now() < deadline,
            "no recovery logged: {:#?}",
            events.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    {
        let events = events.lock().unwrap();
        assert_eq!(recovered(&events), 1, "{events:#?}");
    }
    pipeline.shutdown(Duration::from_secs(5)).unwrap();
}
