//! The shipped spec's classification through the demo: a checkout the
//! shop throttles would fail it (429 is in its `bad` list), a cart that
//! does not exist (404) is left out of cart-availability by status, and
//! the load balancer's health check (`match.exclude`) is no event of it
//! at all. Checked on `/slo` and `/metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{get, listening, request, slo_named};

#[test]
fn missing_carts_and_health_checks_are_left_out_of_cart_availability() {
    let demo = common::demo(&["--no-load", "--report-every", "1h"]);
    let addr = listening(&demo);
    for _ in 0..3 {
        assert_eq!(request(&addr, "GET", "/cart/0").0, 404);
    }
    for id in 1..=4 {
        assert_eq!(request(&addr, "GET", &format!("/cart/{id}")).0, 200);
    }
    for _ in 0..2 {
        assert_eq!(request(&addr, "GET", "/cart/health").0, 200);
    }
    // Recorded when each response ends, which the client may see first.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let cart = loop {
        let cart = slo_named(&addr, "cart-availability");
        if cart["excluded"]["status"] == 3 && cart["events"]["good"] == 4
            || std::time::Instant::now() > deadline
        {
            break cart;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(cart["events"]["good"], 4, "{cart}");
    assert_eq!(cart["events"]["bad"], 0, "{cart}");
    assert_eq!(cart["excluded"]["status"], 3, "{cart}");
    let metrics = get(&addr, "/metrics");
    let line = r#"slo_excluded_events_total{slo="cart-availability",reason="status"} 3"#;
    assert!(
        metrics.lines().any(|l| l == line),
        "{line} missing:\n{metrics}"
    );
    let good = r#"slo_events_total{slo="cart-availability",outcome="good"} 4"#;
    assert!(
        metrics.lines().any(|l| l == good),
        "{good} missing:\n{metrics}"
    );
    // The checkout SLO says 429 is bad: the spec the demo serves says so.
    let spec = slo::Spec::from_yaml(common::SHIPPED_SPEC).unwrap();
    let checkout = spec.slo("checkout-availability").unwrap().classification();
    assert_eq!(
        checkout.http_verdict(429),
        slo::classify::Verdict::Failed {
            server_error: false
        }
    );
}
