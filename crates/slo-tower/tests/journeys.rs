//! A journey on `/slo` over real HTTP: the JSON's `journeys` in the
//! status document's shape, and the page, rendered by a real headless
//! Chromium, leading with the journey, its steps linked to their SLOs.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use axum::Router;
use common::*;
use slo_core::{ManualClock, Registry, SampleFill, Spec, Timestamp};
use slo_tower::SloEndpoint;

const SPEC: &str = r#"
service: shop
slos:
  - {name: search, objective: 99.9%, match: {routes: ["GET /search"]}}
  - {name: cart, objective: 99.9%, match: {routes: ["/cart/{id}"]}}
  - {name: checkout, objective: 99.9%, match: {routes: ["POST /checkout"]}}
journeys:
  - name: purchase
    description: Find it, keep it <b>and</b> pay
    objective: 99.9%
    steps: [search, cart, checkout]
"#;

/// Two hours in which every step fails 0.5% of the time: each burns 5,
/// under both pages; the journey burns about 15 and pages.
fn lived_registry() -> Registry {
    let clock = ManualClock::new(Timestamp::from_secs_f64(1_790_000_000.0).unwrap());
    let registry = Registry::builder(Spec::from_yaml(SPEC).unwrap())
        .clock(clock.clone())
        .sample_fill(SampleFill::Step)
        .build();
    let steps: Vec<_> = ["search", "cart", "checkout"]
        .iter()
        .map(|name| registry.handle(name).unwrap())
        .collect();
    for _ in 0..120 {
        registry.tick();
        clock.advance(Duration::from_secs(60));
        for step in &steps {
            step.record_batch(995, 5);
        }
    }
    registry.tick();
    registry
}

#[tokio::test]
async fn the_journey_leads_the_page_and_the_json() {
    let registry = lived_registry();
    let addr = serve(Router::new().route_service("/slo", SloEndpoint::new(registry.clone()))).await;
    let (status, body) = send(&client(), addr, "GET", "/slo").await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let journey = &json["journeys"][0];
    let fields: Vec<&str> = journey
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for field in [
        "name",
        "objective",
        "steps",
        "sli_value",
        "burn_rates",
        "error_budget",
        "alerts",
        "status",
        "release",
    ] {
        assert!(fields.contains(&field), "no {field} in {journey}");
    }
    assert_eq!(
        journey["steps"],
        serde_json::json!(["search", "cart", "checkout"])
    );
    let sli = journey["sli_value"].as_f64().unwrap();
    assert!((sli - 0.995f64.powi(3)).abs() < 1e-12, "{sli}");
    assert_eq!(
        json["release"], journey["release"],
        "the journey is the strictest"
    );
    let Some(chromium) =
        slo_test_support::require_found("chromium", chromium(), "apt-get install chromium")
    else {
        return;
    };
    let url = format!("http://{addr}/slo");
    let profile = std::env::temp_dir().join(format!("slo-chromium-journey-{}", std::process::id()));
    let dom = tokio::task::spawn_blocking({
        let profile = profile.clone();
        move || {
            headless(&chromium, &profile)
                .arg("--dump-dom")
                .arg(&url)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for text in [
        "10 alerts firing · 3 SLOs · 1 journey",
        "critical · journey",
        "every step good · objective 99.9% over 30d",
        "steps: <a href=\"#slo-search\">search</a> → <a href=\"#slo-cart\">cart</a> → <a href=\"#slo-checkout\">checkout</a>",
        "PAGE 1h/5m",
        "Find it, keep it &lt;b&gt;and&lt;/b&gt; pay",
    ] {
        assert!(dom.contains(text), "the page lacks {text:?}:\n{dom}");
    }
    // The journey comes first, and every step's section is there to link to.
    let journey_at = dom.find("id=\"journey-purchase\"").unwrap();
    for step in ["search", "cart", "checkout"] {
        let at = dom.find(&format!("id=\"slo-{step}\"")).unwrap();
        assert!(journey_at < at);
    }
}
