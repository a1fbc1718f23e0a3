//! Owners, tiers and links on `/slo` over real HTTP: the JSON always has
//! `owner`, `tier` and `annotations` (`null`, `null`, `{}` without them),
//! and the page, rendered by a real headless Chromium, names each
//! section's owner and tier and links its runbook and dashboard, with
//! everything from the spec escaped and only web URLs linked.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use axum::Router;
use common::*;
use serde_json::json;
use slo_core::{Registry, Spec};
use slo_tower::SloEndpoint;

const SPEC: &str = r#"
service: shop
owner: "store<front>"
slos:
  - name: checkout
    objective: 99.9%
    owner: payments
    tier: critical
    annotations:
      runbook: "https://runbooks.example.com/checkout?step=1&team=pay"
      dashboard: https://grafana.example.com/d/checkout
      notes: "<script>alert(1)</script>"
  - name: search
    objective: 99%
journeys:
  - name: purchase
    objective: 99%
    steps: [search, checkout]
    tier: essential
"#;

#[tokio::test]
async fn owners_tiers_and_links_reach_the_json_and_the_page() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let bare = Spec::from_yaml("service: shop\nslos:\n  - {name: a, objective: 99%}\n").unwrap();
    let registry = Registry::new(spec);
    registry.handle("checkout").unwrap().record_good();
    registry.tick();
    let addr = serve(
        Router::new()
            .route_service("/slo", SloEndpoint::new(registry.clone()))
            .route_service("/bare", SloEndpoint::new(Registry::new(bare))),
    )
    .await;
    let (status, body) = send(&client(), addr, "GET", "/slo").await;
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let checkout = &json["slos"][0];
    assert_eq!(checkout["owner"], "payments");
    assert_eq!(checkout["tier"], "critical");
    assert_eq!(
        checkout["annotations"],
        json!({
            "runbook": "https://runbooks.example.com/checkout?step=1&team=pay",
            "dashboard": "https://grafana.example.com/d/checkout",
            "notes": "<script>alert(1)</script>",
        })
    );
    let search = &json["slos"][1];
    assert_eq!(
        (&search["owner"], &search["tier"], &search["annotations"]),
        (&json!("store<front>"), &json!(null), &json!({}))
    );
    let journey = &json["journeys"][0];
    assert_eq!(
        (&journey["owner"], &journey["tier"]),
        (&json!("store<front>"), &json!("essential"))
    );
    // Without any: always present, null, null and {}.
    let (_, body) = send(&client(), addr, "GET", "/bare").await;
    let bare: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let slo = bare["slos"][0].as_object().unwrap();
    assert_eq!(slo["owner"], json!(null));
    assert_eq!(slo["tier"], json!(null));
    assert_eq!(slo["annotations"], json!({}));

    let Some(chromium) =
        slo_test_support::require_found("chromium", chromium(), "apt-get install chromium")
    else {
        return;
    };
    let url = format!("http://{addr}/slo");
    let profile =
        std::env::temp_dir().join(format!("slo-chromium-ownership-{}", std::process::id()));
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
        // Checkout's own owner, its tier, its links (the `&` escaped in the
        // attribute as the browser writes it back), and its notes as text.
        "owner <b>payments</b> · tier critical · \
         <a href=\"https://grafana.example.com/d/checkout\" rel=\"noopener noreferrer\">dashboard</a> · \
         notes: &lt;script&gt;alert(1)&lt;/script&gt; · \
         <a href=\"https://runbooks.example.com/checkout?step=1&amp;team=pay\" rel=\"noopener noreferrer\">runbook</a>",
        // Search and the journey: the service's owner, escaped.
        "<p class=\"owner\">owner <b>store&lt;front&gt;</b></p>",
        "owner <b>store&lt;front&gt;</b> · tier essential</p>",
    ] {
        assert!(dom.contains(text), "the page lacks {text:?}:\n{dom}");
    }
    // The notes ran no script: the only scripts are none at all.
    assert!(!dom.contains("<script>"), "{dom}");
}
