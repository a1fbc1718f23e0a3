//! `/slo` over real HTTP: JSON in the status document's shape, HEAD, 405, and the HTML page
//! rendered by a real headless Chromium (screenshot and text checked).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use axum::Router;
use bytes::Bytes;
use common::*;
use http_body_util::{BodyExt, Full};
use slo_core::reasons::BadReason;
use slo_core::{ManualClock, Registry, SampleFill, Spec, Timestamp};
use slo_tower::SloEndpoint;

const SPEC: &str = r#"
service: shop
slos:
  - name: checkout-availability
    description: Checkouts succeed <img src=x onerror="alert(1)"> & pay'</style>
    objective: 99.9%
    match: {routes: ["POST /checkout"]}
  - name: search-latency
    objective: 0.99
    sli: {latency: {threshold: 250ms}}
    match: {routes: ["GET /search"]}
  - name: cart-availability
    objective: 0.995
    match: {routes: ["/cart/{id}"]}
"#;

/// A registry on a manual clock that has lived through 3h of traffic with a
/// checkout incident in the last 20 minutes (so a page fires) and a slow
/// search hour (a ticket-level burn).
fn lived_registry() -> Registry {
    let clock = ManualClock::new(Timestamp::from_secs_f64(1_790_000_000.0).unwrap());
    let registry = Registry::builder(Spec::from_yaml(SPEC).unwrap())
        .clock(clock.clone())
        .sample_fill(SampleFill::Step)
        .build();
    let checkout = registry.handle("checkout-availability").unwrap();
    let search = registry.handle("search-latency").unwrap();
    let cart = registry.handle("cart-availability").unwrap();
    for minute in 0..180u32 {
        registry.tick();
        clock.advance(Duration::from_secs(60));
        for i in 0..200u32 {
            // The incident's failures: half 503s, half 429s the spec
            // would list as bad.
            match (minute >= 160 && i % 10 == 0, i % 20 == 0) {
                (false, _) => checkout.record_good(),
                (true, true) => checkout.record_bad_for(BadReason::Status),
                (true, false) => checkout.record_bad_for(BadReason::ServerError),
            }
            let slow = (60..120).contains(&minute) && i % 40 == 0;
            search.record_latency(Duration::from_millis(if slow { 900 } else { 40 }), true);
            cart.record(true);
        }
    }
    registry.tick();
    registry
}

#[tokio::test]
async fn json_head_and_other_methods() {
    let registry = lived_registry();
    let addr = serve(Router::new().route_service("/slo", SloEndpoint::new(registry.clone()))).await;
    let client = client();
    let (status, body) = send(&client, addr, "GET", "/slo").await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json, serde_json::to_value(registry.status()).unwrap());
    // Field order as documented (serde_json's map sorts, so read the text).
    let text = String::from_utf8(body.to_vec()).unwrap();
    let first = &text[text.find("\"slos\":[{").unwrap()..];
    let positions: Vec<usize> = [
        "name",
        "description",
        "sli",
        "objective",
        "period_seconds",
        "coverage_ratio",
        "events",
        "bad_reasons",
        "sli_value",
        "error_budget",
        "burn_rates",
        "alerts",
        // The level, a string (a bad reason is named `status` too).
        "status\":\"",
    ]
    .iter()
    .map(|key| first.find(&format!("\"{key}")).unwrap())
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert_eq!(json["slos"][0]["events"]["total"], 36_000);
    assert_eq!(json["slos"][0]["events"]["bad"], 400);
    assert_eq!(json["slos"][1]["sli"]["threshold_seconds"], 0.25);
    // HEAD: same headers, no body.
    let head = client
        .request(
            http::Request::head(format!("http://{addr}/slo"))
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-type"], "application/json");
    assert_eq!(
        head.headers()["content-length"],
        body.len().to_string().as_str()
    );
    assert!(
        head.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .is_empty()
    );
    // Other methods: 405 naming the allowed ones.
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let answer = client
            .request(
                http::Request::builder()
                    .method(method)
                    .uri(format!("http://{addr}/slo"))
                    .body(Full::new(Bytes::new()))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(answer.status(), 405, "{method}");
        assert_eq!(answer.headers()["allow"], "GET, HEAD");
    }
    // A browser's Accept gets the page, and the query can force either.
    let page = client
        .request(
            http::Request::get(format!("http://{addr}/slo"))
                .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                .body(Full::new(Bytes::new()))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let (_, forced) = send(&client, addr, "GET", "/slo?format=html").await;
    assert!(forced.starts_with(b"<!DOCTYPE html>"));
}

#[cfg(feature = "axum")]
#[tokio::test]
async fn the_axum_handler_answers_like_the_service() {
    let registry = lived_registry();
    let router = Router::new()
        .route("/slo", axum::routing::any(slo_tower::axum::slo_handler))
        .with_state(registry.clone());
    let addr = serve(router).await;
    let (status, body) = send(&client(), addr, "GET", "/slo").await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json, serde_json::to_value(registry.status()).unwrap());
    let (status, _) = send(&client(), addr, "DELETE", "/slo").await;
    assert_eq!(status, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_renders_in_a_real_browser() {
    let Some(chromium) =
        slo_test_support::require_found("chromium", chromium(), "apt-get install chromium")
    else {
        return;
    };
    let registry = lived_registry();
    let addr = serve(Router::new().route_service("/slo", SloEndpoint::new(registry.clone()))).await;
    let url = format!("http://{addr}/slo");
    let profile = std::env::temp_dir().join(format!("slo-chromium-{}", std::process::id()));
    let out_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let screenshot = out_dir.join("slo-page.png");
    let _ = std::fs::remove_file(&screenshot);

    let (dom, shot) = tokio::task::spawn_blocking({
        let (chromium, profile, url, screenshot) = (
            chromium.clone(),
            profile.clone(),
            url.clone(),
            screenshot.clone(),
        );
        move || {
            let dom = headless(&chromium, &profile.join("a"))
                .arg("--dump-dom")
                .arg(&url)
                .output()
                .unwrap();
            let shot = headless(&chromium, &profile.join("b"))
                .arg(format!("--screenshot={}", screenshot.display()))
                .arg(&url)
                .output()
                .unwrap();
            (dom, shot)
        }
    })
    .await
    .unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    // What the on-call engineer reads.
    for text in [
        "checkout-availability",
        "search-latency",
        "cart-availability",
        "PAGE 1h/5m",
        "Error budget left",
        "burn rate (1h)",
        "budget left",
        "latency ≤ 250ms",
        "objective 99.9%",
        "No alert firing.",
        // Why the budget burns, most first (a tie in the reasons' order).
        "bad by reason: <span data-reason=\"server_error\">server error <b>200</b> (50%)</span> · <span data-reason=\"status\">status <b>200</b> (50%)</span>",
        "bad by reason: <span data-reason=\"slow\">slow <b>300</b> (100%)</span>",
    ] {
        assert!(dom.contains(text), "the page lacks {text:?}:\n{dom}");
    }
    // Names and descriptions are text, never markup.
    assert!(
        dom.contains("&lt;img src=x onerror=\"alert(1)\"&gt; &amp; pay'&lt;/style&gt;"),
        "{dom}"
    );
    assert!(!dom.contains("<img"), "a description became markup");
    // One chart per SLO, drawn by the browser as SVG.
    assert_eq!(dom.matches("<svg").count(), 3);
    assert!(dom.contains("<polyline"));
    assert!(
        shot.status.success(),
        "screenshot failed: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    assert!(png.len() > 20_000, "a blank page? {} bytes", png.len());
    eprintln!("screenshot: {}", screenshot.display());
}

/// The page with recent bad events (trace ids linked) as Chromium lays it
/// out `width` pixels wide: the DOM, and the layout a script measured in
/// it (the document's width, where the first chart and the first SLI sit).
/// Headless Chromium's windows are at least 500 px wide, so the page is
/// laid out in an iframe of that width, whose media queries and scroll
/// width are the page's own, as a phone's viewport would be.
fn laid_out(chromium: &str, html: &str, width: u32, name: &str) -> (String, serde_json::Value) {
    let dir = std::env::temp_dir().join(format!("slo-layout-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // The page has no script of its own; this one only measures.
    let measure = "<script>\
        const box = (s) => document.querySelector(s).getBoundingClientRect();\
        const svg = box('section.slo svg'), sli = box('section.slo .sli');\
        window.parent.document.body.setAttribute('data-layout', JSON.stringify({\
          scroll: document.documentElement.scrollWidth, width: innerWidth,\
          svgLeft: svg.left, svgTop: svg.top, sliLeft: sli.left, sliBottom: sli.bottom}));\
        </script>";
    let page = html.replace("</body>", &format!("{measure}</body>"));
    let framed = format!(
        "<!DOCTYPE html><html><body style=\"margin:0\"><iframe style=\"width:{width}px;height:1000px;border:0;display:block\" srcdoc=\"{}\"></iframe></body></html>",
        page.replace('&', "&amp;").replace('"', "&quot;")
    );
    let file = dir.join("slo.html");
    std::fs::write(&file, framed).unwrap();
    let size = format!("{},1000", width.max(500));
    let url = format!("file://{}", file.display());
    let mut dump = headless(chromium, &dir.join("a"));
    let dom = dump
        .arg(format!("--window-size={size}"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let screenshot =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("slo-page-{name}.png"));
    let shot = headless(chromium, &dir.join("b"))
        .arg(format!("--window-size={size}"))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(shot.status.success());
    assert!(std::fs::metadata(&screenshot).unwrap().len() > 10_000);
    let _ = std::fs::remove_dir_all(&dir);
    let dom = String::from_utf8(dom.stdout).unwrap();
    let start = dom.find("data-layout=\"").expect("the script ran") + 13;
    let end = start + dom[start..].find('"').unwrap();
    let layout = dom[start..end].replace("&quot;", "\"");
    (dom.clone(), serde_json::from_str(&layout).unwrap())
}

#[tokio::test]
async fn recent_bad_events_and_the_phone_layout_in_a_real_browser() {
    use slo_core::recent::{BadEvent, BadReason, Method, TraceId};
    let Some(chromium) =
        slo_test_support::require_found("chromium", chromium(), "apt-get install chromium")
    else {
        return;
    };
    let registry = lived_registry();
    let checkout = registry.handle("checkout-availability").unwrap();
    let route = registry.route_id("/checkout");
    for i in 1..=25u8 {
        checkout.record_bad_event(BadEvent {
            method: Some(Method::Post),
            route,
            status: Some(503),
            grpc_status: None,
            latency_nanos: Some(u64::from(i) * 1_000_000),
            reason: BadReason::ServerError,
            trace_id: TraceId::from_bytes([i; 16]),
        });
    }
    let endpoint = SloEndpoint::new(registry.clone())
        .trace_url("https://tempo.example/trace/{trace_id}?from=slo")
        .unwrap();
    let response = endpoint.render(
        &http::Method::GET,
        &http::HeaderMap::new(),
        Some("format=html"),
    );
    let html = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    let newest = format!("{:032x}", u128::from_be_bytes([25; 16]));
    // Newest first, at most the 20 kept, each trace id a link.
    assert!(html.contains("Recent bad events (20)"), "{html}");
    let first = html.find(&newest).unwrap();
    let older = html
        .find(&format!("{:032x}", u128::from_be_bytes([24; 16])))
        .unwrap();
    assert!(first < older);
    assert!(!html.contains(&format!("{:032x}", u128::from_be_bytes([5; 16]))));
    assert!(html.contains(&format!(
        "<a href=\"https://tempo.example/trace/{newest}?from=slo\"><code>{newest}</code></a>"
    )));

    let (chromium_dom, wide) = laid_out(&chromium, &html, 1400, "wide");
    for text in [
        "Recent bad events (20)",
        "POST /checkout",
        "503",
        "server error",
        "25.0 ms",
        &newest,
    ] {
        assert!(chromium_dom.contains(text), "the page lacks {text:?}");
    }
    // At 1400 px the chart sits beside the numbers, as before.
    assert!(wide["scroll"].as_f64().unwrap() <= 1400.0, "{wide}");
    assert!(
        wide["svgLeft"].as_f64().unwrap() > wide["sliLeft"].as_f64().unwrap() + 200.0,
        "{wide}"
    );
    // At 390 px: no sideways scroll of the page, the chart under the numbers.
    let (_, narrow) = laid_out(&chromium, &html, 390, "phone");
    assert_eq!(narrow["width"].as_f64().unwrap(), 390.0, "{narrow}");
    assert!(
        narrow["scroll"].as_f64().unwrap() <= 390.0,
        "the page scrolls sideways: {narrow}"
    );
    assert!(
        narrow["svgTop"].as_f64().unwrap() >= narrow["sliBottom"].as_f64().unwrap(),
        "{narrow}"
    );
}

#[tokio::test]
async fn a_calendar_month_says_which_and_how_long_it_has_to_go() {
    // 2026-12-06T12:00:00Z: 25 days and 11 hours before January in Berlin.
    let clock = ManualClock::new(Timestamp::from_secs_f64(1_796_558_400.0).unwrap());
    let spec = "service: shop\ntimezone: Europe/Berlin\nslos:\n  - name: checkout\n    objective: 99.9%\n    period: calendar month\n    maintenance:\n      - {start: \"2026-12-06T14:00:00Z\", duration: 1h}\n";
    let registry = Registry::builder(Spec::from_yaml(spec).unwrap())
        .clock(clock.clone())
        .build();
    registry.tick();
    let addr = serve(Router::new().route_service("/slo", SloEndpoint::new(registry.clone()))).await;
    let (_, body) = send(&client(), addr, "GET", "/slo").await;
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let checkout = &json["slos"][0];
    assert_eq!(
        checkout["calendar"],
        serde_json::json!({"unit": "month", "timezone": "Europe/Berlin",
            "start": "2026-12-01T00:00:00+01:00", "end": "2027-01-01T00:00:00+01:00"})
    );
    assert_eq!(checkout["period_seconds"], 31 * 86_400);
    assert_eq!(
        checkout["maintenance"],
        serde_json::json!({"active": false, "until": null, "next_start": "2026-12-06T14:00:00Z"})
    );
    assert_eq!(
        checkout["excluded"],
        serde_json::json!({"maintenance": 0, "cancelled": 0, "status": 0})
    );
    assert!(
        checkout["burn_rates"].get("month").is_some(),
        "{}",
        checkout["burn_rates"]
    );
    let (_, page) = send(&client(), addr, "GET", "/slo?format=html").await;
    let page = String::from_utf8(page.to_vec()).unwrap();
    assert!(
        page.contains("December: 100% of the budget left, 25 days to go"),
        "{page}"
    );
}
