//! Freshness and batches: `sli: {freshness: {threshold}}` read, refused
//! and written back; `record_freshness` and `record_batch` with their
//! reasons (`stale`, `error`); a freshness SLO without `match` takes no
//! requests; replay's `batch` and `age_ms` lines against a model.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use serde_json::Value;
use slo_core::reasons::{BadReason, BadReasons};
use slo_core::{Registry, Sli, SloDefinition, Spec, SpecErrorKind};

const SPEC: &str = r#"service: exports
slos:
  - name: export-freshness
    objective: 99%
    period: 1d
    sli: {freshness: {threshold: 30m}}
  - name: export-completeness
    objective: 99.5%
    period: 1d
  - name: api
    objective: 99%
    period: 1d
    match: {routes: ["/api/{*rest}"]}
"#;

#[test]
fn a_freshness_sli_is_read_refused_and_written_back() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let freshness = spec.slo("export-freshness").unwrap();
    assert_eq!(
        *freshness.sli(),
        Sli::Freshness {
            threshold: Duration::from_secs(1800)
        }
    );
    // Data, not requests: without `match` it takes none.
    assert!(!freshness.matches("GET", "/api/x"));
    assert!(
        spec.slo("export-completeness")
            .unwrap()
            .matches("GET", "/anything")
    );
    let yaml = spec.to_yaml();
    assert!(yaml.contains("freshness:\n      threshold: 30m"), "{yaml}");
    assert_eq!(Spec::from_yaml(&yaml).unwrap(), spec);
    let built = Spec::builder("exports")
        .slo(
            SloDefinition::builder("f")
                .objective(0.99)
                .freshness(Duration::from_secs(60)),
        )
        .build()
        .unwrap();
    assert!(matches!(
        built.slo("f").unwrap().sli(),
        Sli::Freshness { .. }
    ));
    // With `match`, it takes the requests it names (a feed served over HTTP).
    let routed = SPEC.replace(
        "sli: {freshness: {threshold: 30m}}",
        "sli: {freshness: {threshold: 30m}}\n    match: {routes: [\"GET /feed\"]}",
    );
    let routed = Spec::from_yaml(&routed).unwrap();
    assert!(
        routed
            .slo("export-freshness")
            .unwrap()
            .matches("GET", "/feed")
    );

    for (text, line, what) in [
        ("sli: {freshness: {threshold: 0s}}", 6, "threshold"),
        ("sli: {freshness: {threshold: soon}}", 6, "threshold"),
        ("sli: {freshness: {threshold: 30m, bad: [500]}}", 6, "bad"),
        ("sli: {freshness: {}}", 6, "threshold"),
    ] {
        let bad = SPEC.replace("sli: {freshness: {threshold: 30m}}", text);
        let errors = Spec::from_yaml(&bad).unwrap_err();
        let message = errors.to_string();
        assert!(message.contains(what), "{text}: {message}");
        assert!(
            errors
                .iter()
                .any(|e| e.location.is_some_and(|at| at.line == line)),
            "{text}: {message}"
        );
        assert!(
            !errors
                .iter()
                .any(|e| matches!(e.kind, SpecErrorKind::UnknownSli(_))),
            "{text}: {message}"
        );
    }
}

#[test]
fn fresh_and_stale_data_and_batches_are_counted_with_their_reasons() {
    let registry = Registry::new(Spec::from_yaml(SPEC).unwrap());
    let freshness = registry.handle("export-freshness").unwrap();
    let completeness = registry.handle("export-completeness").unwrap();
    assert!(freshness.record_freshness(Duration::from_secs(60)));
    assert!(
        freshness.record_freshness(Duration::from_secs(1800)),
        "at the threshold: fresh"
    );
    assert!(!freshness.record_freshness(Duration::from_secs(1801)));
    assert!(!freshness.record_freshness(Duration::MAX));
    completeness.record_batch(9_995, 5);
    completeness.record_batch(0, 0);
    let status = registry.status();
    let slo = |name: &str| status.slos.iter().find(|s| s.name == name).unwrap();
    let f = slo("export-freshness");
    assert_eq!((f.events.good, f.events.bad), (2, 2));
    let mut stale = BadReasons::default();
    stale.add(BadReason::Stale, 2);
    assert_eq!(f.bad_reasons, stale);
    assert_eq!(
        serde_json::to_value(f.sli).unwrap(),
        serde_json::json!({"kind": "freshness", "threshold_seconds": 1800.0})
    );
    let c = slo("export-completeness");
    assert_eq!((c.events.good, c.events.bad), (9_995, 5));
    assert_eq!(c.bad_reasons.get(BadReason::Error), 5);
}

fn replay(text: &str, every: Duration) -> Result<Vec<Value>, String> {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let mut out = Vec::new();
    slo_core::replay::replay(&spec, text.as_bytes(), every, &mut out).map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect())
}

/// A nightly export for three days: each night a batch of records (some
/// dropped) and, every hour, the age of the newest export. The second
/// night's export is late: its data is stale for hours.
#[test]
fn replayed_batches_and_ages_follow_a_model() {
    const DAY: i64 = 86_400;
    let mut lines = String::new();
    // (t, good, bad) and (t, age seconds)
    let mut batches = Vec::new();
    let mut ages = Vec::new();
    for day in 0..3 {
        let night = day * DAY + 2 * 3600 + 17;
        let dropped = [3u64, 40, 0][day as usize];
        batches.push((night, 10_000 - dropped, dropped));
        lines.push_str(&format!(
            "{{\"t\": {night}, \"slo\": \"export-completeness\", \"batch\": {{\"good\": {}, \"bad\": {dropped}}}}}\n",
            10_000 - dropped
        ));
        for hour in 0..24 {
            let t = day * DAY + hour * 3600 + 1800 + 17;
            // The second night's export ran five hours late: its data
            // was hours old meanwhile.
            let late = day == 1 && (2..7).contains(&hour);
            let age = if late { 4 * 3600 } else { 600 };
            ages.push((t, age));
            lines.push_str(&format!(
                "{{\"t\": {t}, \"slo\": \"export-freshness\", \"age_ms\": {}}}\n",
                age * 1000
            ));
        }
    }
    // Lines sorted by time (the batches fall between the hourly ages).
    let mut sorted: Vec<&str> = lines.lines().collect();
    sorted.sort_by_key(|l| {
        let v: Value = serde_json::from_str(l).unwrap();
        v["t"].as_i64().unwrap()
    });
    let text = sorted.join("\n");
    // Every sample spacing of a day's ring: exact windows.
    let out = replay(&text, Duration::from_secs((DAY / 60) as u64)).unwrap();
    let mut checked = 0;
    for line in &out {
        let t = line["t"].as_f64().unwrap() as i64;
        let in_day = |at: i64| at <= t && at > t - DAY;
        let (good, bad, reasons) = match line["name"].as_str().unwrap() {
            "export-completeness" => {
                let (g, b) = batches
                    .iter()
                    .filter(|(at, _, _)| in_day(*at))
                    .fold((0, 0), |(g, b), (_, good, bad)| (g + good, b + bad));
                (
                    g,
                    b,
                    if b > 0 {
                        serde_json::json!({"error": b})
                    } else {
                        serde_json::json!({})
                    },
                )
            }
            "export-freshness" => {
                let seen: Vec<_> = ages.iter().filter(|(at, _)| in_day(*at)).collect();
                let stale = seen.iter().filter(|(_, age)| *age > 1800).count() as u64;
                (
                    seen.len() as u64 - stale,
                    stale,
                    if stale > 0 {
                        serde_json::json!({"stale": stale})
                    } else {
                        serde_json::json!({})
                    },
                )
            }
            _ => continue,
        };
        assert_eq!(line["events"]["good"], good, "{line}");
        assert_eq!(line["events"]["bad"], bad, "{line}");
        assert_eq!(line["bad_reasons"], reasons, "{line}");
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
    // The late night shows: five stale hours within a day of it.
    assert!(
        out.iter().any(|l| l["bad_reasons"]["stale"] == 5),
        "never 5 stale hours"
    );

    for (line, said) in [
        (
            r#"{"t": 1, "slo": "export-freshness", "age_ms": -5}"#,
            "age_ms must be",
        ),
        (
            r#"{"t": 1, "slo": "export-freshness", "age_ms": 1e300}"#,
            "too large",
        ),
        (
            r#"{"t": 1, "slo": "export-completeness", "good": true, "batch": {"good": 1, "bad": 0}}"#,
            "one of `good`, `batch` and `age_ms`",
        ),
        (
            r#"{"t": 1, "slo": "export-completeness", "batch": {"good": 1}}"#,
            "missing field `bad`",
        ),
        (
            r#"{"t": 1, "batch": {"good": 1, "bad": 0}}"#,
            "missing field `slo`",
        ),
        (
            r#"{"t": 1, "slo": "export-completeness", "batch": {"good": 1, "bad": 0}, "status": 200}"#,
            "not both",
        ),
    ] {
        let error = replay(line, Duration::from_secs(60)).unwrap_err();
        assert!(
            error.starts_with("line 1:") && error.contains(said),
            "{line}: {error}"
        );
    }
}
