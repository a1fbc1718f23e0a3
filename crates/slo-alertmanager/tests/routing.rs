//! Routing by team with a real Alertmanager: the spec's `owner` and `tier`
//! arrive as labels, so a route matching `owner="payments"` sends that
//! team's alerts (SLOs and journeys) to its own receiver and everything
//! else to the default one; `runbook_url` and `dashboard_url` arrive as
//! annotations.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use serde_json::{Value, json};
use slo_alertmanager::Notifier;
use slo_core::{Registry, Spec};
use slo_test_support::{Alertmanager, Webhook};

const SPEC: &str = "service: shop
owner: storefront
slos:
  - name: checkout
    objective: 99.9%
    owner: payments
    tier: critical
    annotations:
      runbook: https://runbooks.example.com/checkout
      dashboard: https://grafana.example.com/d/checkout
      slack: '#payments'
  - name: search
    objective: 99.9%
    tier: standard
journeys:
  - name: pay
    objective: 99.9%
    steps: [checkout]
    owner: payments
";

fn alerts_of(notification: &Value) -> Vec<Value> {
    notification["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_route_by_owner_sends_each_team_its_own_alerts() {
    let payments = Webhook::start();
    let everyone = Webhook::start();
    let config = format!(
        "route:
  receiver: everyone
  group_by: [alertname, slo, journey]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['owner=\"payments\"']
      receiver: payments
receivers:
  - name: everyone
    webhook_configs:
      - url: {}
        send_resolved: true
  - name: payments
    webhook_configs:
      - url: {}
        send_resolved: true
",
        everyone.url, payments.url
    );
    let Some(am) = Alertmanager::start_with_config(&config) else {
        return;
    };
    let registry = Registry::new(Spec::from_yaml(SPEC).unwrap());
    registry.tick();
    let notifier = Notifier::builder(&registry)
        .alertmanager(&am.url)
        .unwrap()
        .interval(Duration::from_secs(2))
        .build()
        .unwrap();
    for slo in ["checkout", "search"] {
        let handle = registry.handle(slo).unwrap();
        handle.record_batch(1000, 1000);
    }
    registry.tick();
    let wait = |hook: &Webhook, alertname: &str, group: &str, name: &str| {
        hook.wait_for(Duration::from_secs(30), |n| {
            n["status"] == "firing"
                && n["groupLabels"]["alertname"] == alertname
                && n["groupLabels"][group] == name
                && alerts_of(n).len() == 4
        })
        .unwrap_or_else(|| panic!("{name}'s alerts never arrived: {:?}", hook.received()))
    };
    let checkout = wait(&payments, "SLOErrorBudgetBurn", "slo", "checkout");
    let journey = wait(&payments, "SLOJourneyErrorBudgetBurn", "journey", "pay");
    let search = wait(&everyone, "SLOErrorBudgetBurn", "slo", "search");
    let page = |notification: &Value| {
        alerts_of(notification)
            .into_iter()
            .find(|a| a["labels"]["long_window"] == "1h")
            .expect("the fastest page")
    };
    let checkout_page = page(&checkout);
    assert_eq!(
        checkout_page["labels"],
        json!({
            "alertname": "SLOErrorBudgetBurn",
            "slo": "checkout",
            "owner": "payments",
            "tier": "critical",
            "severity": "page",
            "sloth_severity": "page",
            "long_window": "1h",
            "short_window": "5m",
            "sloth_id": "shop-checkout",
            "sloth_service": "shop",
            "sloth_slo": "checkout",
        })
    );
    assert_eq!(
        checkout_page["annotations"]["runbook_url"],
        "https://runbooks.example.com/checkout"
    );
    assert_eq!(
        checkout_page["annotations"]["dashboard_url"],
        "https://grafana.example.com/d/checkout"
    );
    // Other annotations stay in the spec, `/slo` and the page.
    assert!(checkout_page["annotations"].get("slack").is_none());
    // The journey names its own owner; without a tier it has no tier label.
    let journey_page = page(&journey);
    assert_eq!(journey_page["labels"]["owner"], "payments");
    assert!(journey_page["labels"].get("tier").is_none());
    // Search inherits the service's owner and keeps its own tier.
    let search_page = page(&search);
    assert_eq!(search_page["labels"]["owner"], "storefront");
    assert_eq!(search_page["labels"]["tier"], "standard");
    assert!(search_page["annotations"].get("runbook_url").is_none());
    // Nothing crossed over: each receiver got only its team's alerts.
    for (hook, owner) in [(&payments, "payments"), (&everyone, "storefront")] {
        for notification in hook.received() {
            for alert in alerts_of(&notification) {
                assert_eq!(alert["labels"]["owner"], owner, "{alert}");
            }
        }
    }
    assert!(notifier.shutdown());
}
