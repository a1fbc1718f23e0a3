//! Writes the generated seed inputs: for `state_file`, real state files of
//! the target's spec after some traffic, in both of its input forms; for
//! `slo_document`, the `/slo` documents of the same registry; for
//! `openslo` and `spec_yaml`, the spec as we export and write it.

use std::time::Duration;

use slo_core::{ManualClock, Registry, Timestamp};

#[path = "../common/spec.rs"]
mod common;
use common::spec;

fn corpus(target: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    std::fs::create_dir_all(&dir).expect("the corpus directory");
    dir
}

fn main() {
    let dir = &corpus("state_file");
    let documents = corpus("slo_document");
    let spec = spec();
    std::fs::write(
        corpus("openslo").join("ours.yaml"),
        slo_fleet::openslo::to_openslo(&spec),
    )
    .expect("a seed");
    std::fs::write(corpus("spec_yaml").join("written.yaml"), spec.to_yaml()).expect("a seed");
    let clock = ManualClock::new(Timestamp::from_unix_nanos(1_764_000_000_000_000_000));
    let registry = Registry::builder(spec).clock(clock.clone()).build();
    for (n, minutes) in [(0, 0u64), (1, 3), (2, 90)] {
        for minute in 0..minutes {
            for i in 0..(5 + minute % 7) {
                registry
                    .handle("checkout")
                    .expect("defined")
                    .record(i % 5 != 0);
                registry
                    .handle("search")
                    .expect("defined")
                    .record_latency(Duration::from_millis(40 * i), i % 9 != 0);
            }
            clock.advance(Duration::from_secs(60));
            registry.tick();
        }
        let bytes = registry.snapshot().to_bytes();
        let newline = bytes.iter().position(|&b| b == b'\n').expect("a header");
        let mut whole = vec![1u8];
        whole.extend_from_slice(&bytes);
        let mut body = vec![0u8];
        body.extend_from_slice(&bytes[newline + 1..]);
        std::fs::write(dir.join(format!("file-{n}")), whole).expect("a seed");
        std::fs::write(dir.join(format!("body-{n}")), body).expect("a seed");
        let document = serde_json::to_string_pretty(&registry.status()).expect("JSON");
        std::fs::write(
            documents.join(format!("after-{minutes}-minutes.json")),
            document,
        )
        .expect("a seed");
    }
}
