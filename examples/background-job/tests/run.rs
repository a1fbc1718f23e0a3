//! The worker run for a few seconds with injected failures, slowness,
//! rejected records and late batches: what the SLOs counted equals what it
//! did, event for event.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::process::Command;

use serde_json::Value;

/// How many of the first `n` items an even spread at `rate` marks.
fn marked(rate: f64, n: u64) -> u64 {
    (n as f64 * rate).floor() as u64
}

#[test]
fn the_slos_count_every_job_record_and_batch() {
    let out = Command::new(env!("CARGO_BIN_EXE_background-job"))
        .args([
            "--exit-after",
            "3s",
            "--report-every",
            "1s",
            "--jobs-per-second",
            "300",
            "--failure-rate",
            "0.1",
            "--slow-rate",
            "0.05",
            "--reject-rate",
            "0.01",
            "--late-rate",
            "0.25",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("queue-availability"), "{stdout}");
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let n = |v: &Value| v.as_u64().unwrap();
    let counted = &summary["counted"];

    let queued = n(&summary["jobs"]["queued"]);
    assert!(queued > 300, "{summary}");
    assert_eq!(n(&summary["jobs"]["processed"]), queued, "{summary}");
    // Every job is one event in each queue SLO; every tenth failed.
    let availability = &counted["queue-availability"];
    assert_eq!(n(&availability["good"]) + n(&availability["bad"]), queued);
    assert_eq!(n(&availability["bad"]), marked(0.1, queued), "{summary}");
    let latency = &counted["queue-latency"];
    assert_eq!(n(&latency["good"]) + n(&latency["bad"]), queued);
    // Bad for latency: the failures and the 80ms jobs (at least; a 2ms job
    // on a busy machine may also pass 50ms).
    let failed_or_slow = (0..queued)
        .filter(|&i| every(0.1, i) || every(0.05, i))
        .count() as u64;
    assert!(n(&latency["bad"]) >= failed_or_slow, "{summary}");
    assert!(
        n(&latency["bad"]) <= failed_or_slow + queued / 50,
        "{summary}"
    );

    // Per record: loaded good, rejected bad.
    let records = &counted["pipeline-completeness"];
    assert_eq!(n(&records["good"]), n(&summary["records"]["loaded"]));
    assert_eq!(n(&records["bad"]), n(&summary["records"]["rejected"]));
    // Recorded as batches by the attribute: their bad events are `error`.
    assert_eq!(
        records["bad_reasons"],
        serde_json::json!({"error": n(&records["bad"])})
    );
    let total_records = n(&summary["records"]["loaded"]) + n(&summary["records"]["rejected"]);
    assert_eq!(n(&records["bad"]), marked(0.01, total_records), "{summary}");
    // Per batch: a late one (every fourth) is stale.
    let batches = n(&summary["batches"]);
    assert!(batches >= 5, "{summary}");
    let freshness = &counted["pipeline-freshness"];
    assert_eq!(n(&freshness["good"]) + n(&freshness["bad"]), batches);
    assert_eq!(n(&freshness["bad"]), marked(0.25, batches), "{summary}");
    assert_eq!(
        freshness["bad_reasons"],
        serde_json::json!({"stale": n(&freshness["bad"])})
    );
    assert_eq!(
        counted["pipeline-runs"],
        serde_json::json!({"good": batches, "bad": 0, "bad_reasons": {}})
    );
}

/// The worker's even spread: item `i` is marked when `(i+1)·rate` crosses
/// a whole number.
fn every(rate: f64, i: u64) -> bool {
    ((i + 1) as f64 * rate).floor() > (i as f64 * rate).floor()
}
