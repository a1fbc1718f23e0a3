//! What an SLO counts, said in the spec: its SLI's `bad`, `excluded` and
//! `grpc_bad`, and `match.exclude`. Read, refused at their line and column
//! when wrong, built the same in code, written back, and applied by replay.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use slo_core::classify::{Classification, StatusMatch, Verdict};
use slo_core::{SloDefinition, Spec, SpecErrorKind};

const SPEC: &str = r#"service: shop
slos:
  - name: checkout
    objective: 99.9%
    sli:
      availability:
        bad: ["5xx", 429]
        excluded: [409]
        grpc_bad: [UNAVAILABLE, resource_exhausted]
    match:
      routes: ["/api/{*rest}"]
      exclude: ["GET /api/health"]
  - name: search
    objective: 99%
    sli: {latency: {threshold: 250ms, excluded: [404, "1xx"]}}
  - name: plain
    objective: 99%
    match: {exclude: ["/health"]}
"#;

fn classification(spec: &Spec, name: &str) -> Classification {
    spec.slo(name).unwrap().classification().clone()
}

#[test]
fn lists_are_read_and_applied() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let checkout = classification(&spec, "checkout");
    assert_eq!(
        checkout.bad(),
        Some(&[StatusMatch::Class(5), StatusMatch::Status(429)][..])
    );
    assert_eq!(checkout.grpc_bad(), Some(&[14, 8][..]));
    assert_eq!(
        checkout.http_verdict(429),
        Verdict::Failed {
            server_error: false
        }
    );
    assert_eq!(checkout.http_verdict(409), Verdict::Excluded);
    assert_eq!(
        checkout.grpc_verdict(200, Some(8)),
        Verdict::Failed { server_error: true }
    );
    assert_eq!(checkout.grpc_verdict(200, Some(13)), Verdict::Succeeded);
    let search = classification(&spec, "search");
    assert_eq!(search.http_verdict(101), Verdict::Excluded);
    assert_eq!(
        search.http_verdict(500),
        Verdict::Failed { server_error: true }
    );
    assert!(classification(&spec, "plain").is_default());

    let slo = spec.slo("checkout").unwrap();
    assert!(slo.matches("POST", "/api/orders"));
    assert!(slo.matches("POST", "/api/health"));
    assert!(!slo.matches("GET", "/api/health"));
    let plain = spec.slo("plain").unwrap();
    assert!(plain.routes().is_none());
    assert!(plain.matches("GET", "/anything"));
    assert!(!plain.matches("GET", "/health"));
}

#[test]
fn the_builder_says_the_same_and_everything_is_written_back() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let built = Spec::builder("shop")
        .slo(
            SloDefinition::builder("checkout")
                .objective(0.999)
                .classification(
                    Classification::default()
                        .with_bad([StatusMatch::Class(5), StatusMatch::Status(429)])
                        .with_excluded([StatusMatch::Status(409)])
                        .with_grpc_bad([14, 8]),
                )
                .route("/api/{*rest}")
                .exclude_route("GET /api/health"),
        )
        .slo(
            SloDefinition::builder("search")
                .objective(0.99)
                .latency(Duration::from_millis(250))
                .classification(
                    Classification::default()
                        .with_excluded([StatusMatch::Status(404), StatusMatch::Class(1)]),
                ),
        )
        .slo(
            SloDefinition::builder("plain")
                .objective(0.99)
                .exclude_route("/health"),
        )
        .build()
        .unwrap();
    assert_eq!(built.slos(), spec.slos());
    let text = spec.to_yaml();
    for key in [
        "bad:",
        "- 5xx",
        "- 429",
        "excluded:",
        "- 409",
        "grpc_bad:",
        "- UNAVAILABLE",
        "- RESOURCE_EXHAUSTED",
        "exclude:",
        "GET /api/health",
        "- 1xx",
    ] {
        assert!(text.contains(key), "{key} missing from\n{text}");
    }
    assert_eq!(Spec::from_yaml(&text).unwrap().slos(), spec.slos());
    // An SLO without lists is written as before.
    let plain = Spec::from_yaml("service: s\nslos:\n  - {name: a, objective: 0.9}\n").unwrap();
    assert!(
        plain.to_yaml().contains("sli: availability"),
        "{}",
        plain.to_yaml()
    );
}

/// The one error of `SPEC` with `from` replaced by `to`: its field, line,
/// column and kind.
fn error_for(from: &str, to: &str) -> (String, u64, u64, SpecErrorKind) {
    assert!(SPEC.contains(from), "{from}");
    let text = SPEC.replacen(from, to, 1);
    let errors = Spec::from_yaml(&text).expect_err(&format!("accepted: {to}"));
    assert_eq!(errors.0.len(), 1, "{errors}");
    let error = errors.0[0].clone();
    let at = error.location.expect("a place");
    (error.field, at.line, at.column, error.kind)
}

#[test]
fn mistakes_are_refused_at_their_place() {
    // (from, to, the field, the text the error points at, the kind)
    type Case = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        fn(&SpecErrorKind) -> bool,
    );
    let cases: [Case; 9] = [
        (
            r#"bad: ["5xx", 429]"#,
            r#"bad: ["5xx", 600]"#,
            "slos[0].sli.availability.bad[1]",
            "600]",
            |k| matches!(k, SpecErrorKind::InvalidStatus(_)),
        ),
        (
            r#"bad: ["5xx", 429]"#,
            r#"bad: ["6xx", 429]"#,
            "slos[0].sli.availability.bad[0]",
            r#""6xx""#,
            |k| matches!(k, SpecErrorKind::InvalidStatus(_)),
        ),
        (
            r#"bad: ["5xx", 429]"#,
            r#"bad: ["5xx", 42.9]"#,
            "slos[0].sli.availability.bad[1]",
            "42.9",
            |k| matches!(k, SpecErrorKind::InvalidStatus(_)),
        ),
        (
            "excluded: [409]",
            "excluded: [99]",
            "slos[0].sli.availability.excluded[0]",
            "99]",
            |k| matches!(k, SpecErrorKind::InvalidStatus(_)),
        ),
        (
            "excluded: [409]",
            "excluded: [409, 503]",
            "slos[0].sli.availability.excluded[1]",
            "503]",
            |k| matches!(k, SpecErrorKind::StatusInBothLists(503)),
        ),
        (
            "grpc_bad: [UNAVAILABLE, resource_exhausted]",
            "grpc_bad: [UNAVAILABLE, TEAPOT]",
            "slos[0].sli.availability.grpc_bad[1]",
            "TEAPOT",
            |k| matches!(k, SpecErrorKind::UnknownName(n) if n.found == "TEAPOT"),
        ),
        (
            r#"exclude: ["GET /api/health"]"#,
            r#"exclude: ["GET api/health"]"#,
            "slos[0].match.exclude[0]",
            r#""GET api"#,
            |k| matches!(k, SpecErrorKind::InvalidRoute { .. }),
        ),
        (
            r#"exclude: ["GET /api/health"]"#,
            "exclude: []",
            "slos[0].match.exclude",
            "[]",
            |k| matches!(k, SpecErrorKind::EmptyList),
        ),
        (
            r#"excluded: [404, "1xx"]"#,
            r#"excluded: [404, "5xx"]"#,
            "slos[1].sli.latency.excluded[1]",
            r#""5xx""#,
            |k| matches!(k, SpecErrorKind::StatusInBothLists(500)),
        ),
    ];
    for (from, to, field, token, kind) in cases {
        let (f, l, c, k) = error_for(from, to);
        let text = SPEC.replacen(from, to, 1);
        let (line, column) = text
            .lines()
            .enumerate()
            .find_map(|(i, line)| {
                line.contains(to)
                    .then(|| (i as u64 + 1, line.find(token).unwrap() as u64 + 1))
            })
            .unwrap();
        assert_eq!((f.as_str(), l, c), (field, line, column), "{to}: {k}");
        assert!(kind(&k), "{to}: {k}");
        assert!(!k.to_string().is_empty());
    }
    // An unknown key is a syntax error at its place.
    let errors = Spec::from_yaml(&SPEC.replacen("excluded: [409]", "exclude: [409]", 1))
        .expect_err("unknown key");
    assert_eq!(errors.0[0].location.map(|at| at.line), Some(8), "{errors}");
    // `match: {}` says nothing, and is refused where it is.
    let errors =
        Spec::from_yaml(&SPEC.replacen(r#"match: {exclude: ["/health"]}"#, "match: {}", 1))
            .expect_err("empty match");
    assert!(
        matches!(errors.0[0].kind, SpecErrorKind::EmptyRoutes),
        "{errors}"
    );
    // In code, a status in both lists is refused too.
    let both =
        Spec::builder("s")
            .slo(SloDefinition::builder("a").objective(0.9).classification(
                Classification::default().with_excluded([StatusMatch::Status(502)]),
            ))
            .build()
            .expect_err("502 is bad by default and excluded");
    assert!(matches!(
        both.0[0].kind,
        SpecErrorKind::StatusInBothLists(502)
    ));
}

/// Replay applies each SLO's own lists to the same request line.
#[test]
fn replay_classifies_per_slo() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let events = [
        r#"{"t": 1, "method": "POST", "route": "/api/orders", "status": 429, "latency_ms": 10}"#,
        r#"{"t": 2, "method": "POST", "route": "/api/orders", "status": 409, "latency_ms": 10}"#,
        r#"{"t": 3, "method": "GET", "route": "/api/health", "status": 500, "latency_ms": 10}"#,
        r#"{"t": 4, "method": "GET", "route": "/search", "status": 404, "latency_ms": 900}"#,
        r#"{"t": 5, "method": "GET", "route": "/health", "status": 503, "latency_ms": 1}"#,
        r#"{"t": 6, "method": "GET", "route": "/search", "status": 200, "latency_ms": 1}"#,
    ]
    .join("\n");
    let mut out = Vec::new();
    slo_core::replay::replay(&spec, events.as_bytes(), Duration::from_secs(1), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let last = |name: &str| -> serde_json::Value {
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .rfind(|v| v["name"] == name)
            .unwrap()
    };
    let checkout = last("checkout");
    assert_eq!(
        (
            checkout["events"]["good"].as_u64(),
            checkout["events"]["bad"].as_u64()
        ),
        (Some(0), Some(1))
    );
    assert_eq!(checkout["excluded"]["status"], 1);
    // search: every request; 404 left out though slow; /api/orders 409 and
    // 429 are fine by its lists, the health checks' 500 and 503 bad.
    let search = last("search");
    assert_eq!(
        (
            search["events"]["good"].as_u64(),
            search["events"]["bad"].as_u64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(search["excluded"]["status"], 1);
    // plain: every request but /health.
    let plain = last("plain");
    assert_eq!(
        (
            plain["events"]["good"].as_u64(),
            plain["events"]["bad"].as_u64()
        ),
        (Some(4), Some(1))
    );
}
