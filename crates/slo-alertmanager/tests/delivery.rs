//! The notifier against a real Alertmanager (Debian's
//! `prometheus-alertmanager` on loopback) routing to a webhook the test
//! runs: firing and resolution arrive with exactly the generated rules'
//! labels, a silence mutes the in-process alert, an Alertmanager that
//! comes back gets the current state; and hostile Alertmanagers (refusing,
//! hung, failing, babbling) are reported at most once per interval while
//! shutdown stays within its bound.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use slo_alertmanager::{DeliveryError, Notifier, NotifierError};
use slo_core::{Registry, Spec};
use slo_test_support::{Alertmanager, Webhook, free_port};

/// The description goes through Alertmanager's templates as data: braces
/// and quotes arrive as written.
const DESCRIPTION: &str = r#"Checkouts succeed {{ .Labels.slo }} "quoted" <b>"#;

fn registry() -> Registry {
    let spec = format!(
        "service: shop
slos:
  - name: checkout
    description: '{DESCRIPTION}'
    objective: 99.9%
  - name: search
    objective: 99%
"
    );
    Registry::new(Spec::from_yaml(&spec).unwrap())
}

/// Half of checkout's events bad: every tier fires at the next tick.
fn burn(registry: &Registry, slo: &str) {
    let handle = registry.handle(slo).unwrap();
    for i in 0..2000 {
        handle.record(i % 2 == 0);
    }
    registry.tick();
}

/// Enough good events that no tier burns any more.
fn recover(registry: &Registry, slo: &str) {
    let handle = registry.handle(slo).unwrap();
    for _ in 0..20_000_000 {
        handle.record_good();
    }
    registry.tick();
}

fn alerts_of(notification: &Value) -> Vec<Value> {
    notification["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn labels_of(alert: &Value) -> serde_json::Map<String, Value> {
    alert["labels"].as_object().cloned().unwrap_or_default()
}

#[test]
fn firing_and_resolution_reach_alertmanager_with_the_rules_labels() {
    let webhook = Webhook::start();
    let Some(am) = Alertmanager::start(&webhook.url) else {
        return;
    };
    let registry = registry();
    registry.handle("checkout").unwrap().record_good();
    registry.tick();
    let notifier = Notifier::builder(&registry)
        .alertmanager(&am.url)
        .unwrap()
        .label("instance", "shop-1:3000")
        .unwrap()
        .interval(Duration::from_secs(2))
        .generator_url("http://shop-1:3000/slo")
        .build()
        .unwrap();
    let fired_at = Instant::now();
    burn(&registry, "checkout");
    let firing = webhook
        .wait_for(Duration::from_secs(30), |n| {
            // A slow delivery (a loaded machine) can land after the alerts'
            // group_wait, when Alertmanager flushes what it has inserted so
            // far: the notification that counts holds all four.
            n["status"] == "firing"
                && n["groupLabels"]["slo"] == "checkout"
                && alerts_of(n).len() == 4
        })
        .unwrap_or_else(|| {
            panic!(
                "checkout's four alerts never reached the webhook together: {:?}",
                webhook.received()
            )
        });
    assert!(fired_at.elapsed() < Duration::from_secs(30));
    assert_eq!(
        firing["groupLabels"],
        json!({"alertname": "SLOErrorBudgetBurn", "slo": "checkout"})
    );
    let alerts = alerts_of(&firing);
    let page = alerts
        .iter()
        .find(|a| a["labels"]["long_window"] == "1h")
        .expect("the fastest page");
    assert_eq!(
        labels_of(page),
        json!({
            "alertname": "SLOErrorBudgetBurn",
            "slo": "checkout",
            "severity": "page",
            "sloth_severity": "page",
            "long_window": "1h",
            "short_window": "5m",
            "sloth_id": "shop-checkout",
            "sloth_service": "shop",
            "sloth_slo": "checkout",
            "instance": "shop-1:3000",
        })
        .as_object()
        .cloned()
        .unwrap()
    );
    assert_eq!(page["generatorURL"], "http://shop-1:3000/slo");
    let description = page["annotations"]["description"].as_str().unwrap();
    assert!(description.starts_with(DESCRIPTION), "{description}");
    assert!(
        description.contains("Burn rate 499.75 over the last 1h and 499.75 over the last 5m"),
        "{description}"
    );
    assert_eq!(
        page["annotations"]["summary"],
        "shop checkout is burning its error budget 14.4x too fast (1h and 5m windows)"
    );
    // Rendered by Alertmanager's Go templates (a Slack message), the
    // description is data: its braces, quotes and markup arrive as written.
    let rendered = webhook
        .wait_for(Duration::from_secs(30), |n| {
            n["attachments"][0]["title"] == "SLOErrorBudgetBurn checkout"
        })
        .expect("the rendered notification");
    let text = rendered["attachments"][0]["text"].as_str().unwrap();
    assert!(text.contains(&format!("[{DESCRIPTION}\n")), "{text}");
    // Every tier fires, pages and tickets; the budget is not spent (the
    // process has seen seconds of a 30-day period).
    let windows: Vec<&str> = alerts
        .iter()
        .map(|a| a["labels"]["long_window"].as_str().unwrap())
        .collect();
    assert_eq!(alerts.len(), 4, "{windows:?}");
    // Resolution: sent once, with endsAt now; the group resolves.
    recover(&registry, "checkout");
    let resolved = webhook
        .wait_for(Duration::from_secs(30), |n| {
            n["status"] == "resolved" && n["groupLabels"]["slo"] == "checkout"
        })
        .expect("the resolution reached the webhook");
    assert!(
        alerts_of(&resolved)
            .iter()
            .all(|a| a["status"] == "resolved"),
        "{resolved}"
    );
    assert!(notifier.shutdown());
}

#[test]
fn a_silence_mutes_the_in_process_alert() {
    let webhook = Webhook::start();
    let Some(am) = Alertmanager::start(&webhook.url) else {
        return;
    };
    let silence = am
        .silence(&[("alertname", "SLOErrorBudgetBurn"), ("slo", "checkout")])
        .expect("a silence");
    let registry = registry();
    let notifier = Notifier::builder(&registry)
        .alertmanager(&am.url)
        .unwrap()
        .interval(Duration::from_secs(1))
        .build()
        .unwrap();
    burn(&registry, "checkout");
    burn(&registry, "search");
    // search's alerts are not silenced: their notification proves that
    // delivery works, and checkout's never comes.
    let search = webhook
        .wait_for(Duration::from_secs(30), |n| {
            n["groupLabels"]["slo"] == "search"
        })
        .expect("search's page");
    assert_eq!(search["status"], "firing");
    let deadline = Instant::now() + Duration::from_secs(30);
    let checkout = loop {
        let held: Vec<Value> = am
            .alerts()
            .into_iter()
            .filter(|a| a["labels"]["slo"] == "checkout")
            .collect();
        if held.len() == 4 {
            break held;
        }
        assert!(
            Instant::now() < deadline,
            "Alertmanager never held checkout's alerts"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    for alert in &checkout {
        assert_eq!(alert["status"]["state"], "suppressed", "{alert}");
        assert_eq!(alert["status"]["silencedBy"], json!([silence]), "{alert}");
    }
    assert!(
        webhook
            .wait_for(Duration::from_secs(4), |n| n["groupLabels"]["slo"]
                == "checkout")
            .is_none(),
        "a silenced alert was notified"
    );
    assert!(notifier.shutdown());
}

#[test]
fn an_alertmanager_that_comes_back_gets_the_current_state() {
    let webhook = Webhook::start();
    if Alertmanager::program().is_none() {
        return;
    }
    let port = free_port();
    let registry = registry();
    let errors = Arc::new(Mutex::new(Vec::<DeliveryError>::new()));
    let seen = Arc::clone(&errors);
    let notifier = Notifier::builder(&registry)
        .alertmanager(&format!("http://127.0.0.1:{port}/"))
        .unwrap()
        .interval(Duration::from_secs(2))
        // A queue of one: the transitions overflow it, and the worker
        // reads the current state again.
        .queue(1)
        .on_error(move |e| seen.lock().unwrap().push(e.clone()))
        .build()
        .unwrap();
    burn(&registry, "checkout");
    burn(&registry, "search");
    std::thread::sleep(Duration::from_secs(3));
    {
        let errors = errors.lock().unwrap();
        assert!(!errors.is_empty(), "nobody said the Alertmanager is down");
        // At most once per interval (2 s) in 3 s, whatever the retries.
        assert!(errors.len() <= 2, "{errors:?}");
        assert!(errors[0].reason.contains("cannot connect"), "{errors:?}");
        assert_eq!(errors[0].alertmanager, format!("http://127.0.0.1:{port}/"));
    }
    let _am = Alertmanager::start_on(&webhook.url, port).expect("it comes back");
    // These alerts started before Alertmanager did, so their group_wait is
    // over when they arrive: Alertmanager flushes the group at once, and a
    // first notification may hold only the alerts it had inserted by then.
    // The one that proves the current state arrived holds all four.
    for slo in ["checkout", "search"] {
        let n = webhook
            .wait_for(Duration::from_secs(30), |n| {
                n["groupLabels"]["slo"] == slo && alerts_of(n).len() == 4
            })
            .unwrap_or_else(|| {
                panic!(
                    "{slo}'s four alerts never arrived together; received: {:?}",
                    webhook.received()
                )
            });
        assert_eq!(n["status"], "firing");
    }
    assert!(notifier.shutdown());
}

#[test]
fn shutdown_delivers_what_is_owed_even_in_backoff() {
    let webhook = Webhook::start();
    if Alertmanager::program().is_none() {
        return;
    }
    let port = free_port();
    let registry = registry();
    let notifier = Notifier::builder(&registry)
        .alertmanager(&format!("http://127.0.0.1:{port}"))
        .unwrap()
        .interval(Duration::from_secs(60))
        .shutdown_timeout(Duration::from_secs(3))
        .on_error(|_| {})
        .build()
        .unwrap();
    burn(&registry, "checkout");
    // Five failed attempts (0.5 + 1 + 2 + 4 s apart): the next is 8 s away.
    std::thread::sleep(Duration::from_secs(4));
    let am = Alertmanager::start_on(&webhook.url, port).expect("it comes up");
    let shutting = Instant::now();
    assert!(
        notifier.shutdown(),
        "the last delivery did not finish in time"
    );
    assert!(shutting.elapsed() < Duration::from_secs(3));
    let held: Vec<Value> = am
        .alerts()
        .into_iter()
        .filter(|a| a["labels"]["slo"] == "checkout")
        .collect();
    assert_eq!(held.len(), 4, "{held:?}");
}

/// A peer that answers `response` (or hangs), as an Alertmanager URL.
fn peer(response: Option<&'static [u8]>) -> String {
    format!("http://{}", slo_test_support::raw_peer(response))
}

#[test]
fn hostile_alertmanagers_are_reported_once_an_interval_and_shutdown_is_bounded() {
    let refusing = format!("http://127.0.0.1:{}", free_port());
    let hung = peer(None);
    let failing = peer(Some(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 46\r\nConnection: close\r\n\r\n{\"code\":500,\"message\":\"\\u001b[31mdisk full\"}  ",
    ));
    let babbling = peer(Some(b"\x00\x01\x02 not HTTP at all \xff\xfe\r\n\r\n"));
    // A login page behind a redirect: followed, the POST would become a
    // GET whose 200 reads as delivered.
    let redirecting = peer(Some(
        b"HTTP/1.1 302 Found\r\nLocation: http://sso.example/login\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    ));
    let registry = registry();
    let errors = Arc::new(Mutex::new(Vec::<DeliveryError>::new()));
    let seen = Arc::clone(&errors);
    let mut builder = Notifier::builder(&registry)
        .interval(Duration::from_secs(1))
        .timeout(Duration::from_millis(700))
        .shutdown_timeout(Duration::from_millis(500))
        .on_error(move |e| seen.lock().unwrap().push(e.clone()));
    for url in [&refusing, &hung, &failing, &babbling, &redirecting] {
        builder = builder.alertmanager(url).unwrap();
    }
    let notifier = builder.build().unwrap();
    let started = Instant::now();
    burn(&registry, "checkout");
    // Ticks go on while every Alertmanager misbehaves.
    let mut ticks = 0;
    while started.elapsed() < Duration::from_secs(4) {
        registry.tick();
        ticks += 1;
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(ticks > 100, "{ticks}");
    let shutting = Instant::now();
    let finished = notifier.shutdown();
    let took = shutting.elapsed();
    assert!(took < Duration::from_millis(1500), "shutdown took {took:?}");
    let elapsed = started.elapsed().as_secs_f64();
    let errors = errors.lock().unwrap().clone();
    for (url, expected) in [
        (&refusing, "cannot connect"),
        (&hung, "no answer within 700ms"),
        (&failing, "answered HTTP 500: [31mdisk full"),
        (&babbling, ""),
        (
            &redirecting,
            "HTTP 302, a redirect to http://sso.example/login",
        ),
    ] {
        let reports: Vec<&DeliveryError> =
            errors.iter().filter(|e| &e.alertmanager == url).collect();
        assert!(!reports.is_empty(), "{url} was never reported: {errors:?}");
        assert!(
            reports.len() as f64 <= elapsed + 1.0,
            "{url} reported {} times in {elapsed:.1}s: {reports:?}",
            reports.len()
        );
        assert!(reports[0].reason.contains(expected), "{reports:?}");
        assert!(!reports[0].reason.contains('\u{1b}'), "{reports:?}");
    }
    // The hung one may still be inside its last attempt.
    let _ = finished;
}

#[test]
fn bad_configuration_is_refused_when_building() {
    let registry = registry();
    for bad in [
        "alertmanager:9093",
        "ftp://am",
        "http://",
        "http:///x",
        "http://a b",
    ] {
        assert!(
            matches!(
                Notifier::builder(&registry).alertmanager(bad),
                Err(NotifierError::Url(_))
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        Notifier::builder(&registry).build(),
        Err(NotifierError::NoAlertmanager)
    ));
    for (name, expected) in [
        ("1instance", "LabelName"),
        ("in-stance", "LabelName"),
        ("__name__", "LabelName"),
        ("", "LabelName"),
        ("slo", "ReservedLabel"),
        ("alertname", "ReservedLabel"),
        ("sloth_id", "ReservedLabel"),
    ] {
        let error = Notifier::builder(&registry).label(name, "x").unwrap_err();
        assert!(
            format!("{error:?}").starts_with(expected),
            "{name}: {error:?}"
        );
    }
    let zero = Notifier::builder(&registry)
        .alertmanager("http://127.0.0.1:1")
        .unwrap()
        .interval(Duration::ZERO)
        .build();
    assert!(matches!(zero, Err(NotifierError::Zero("the interval"))));
}

#[test]
fn budget_alerts_reach_alertmanager_with_the_rules_labels_and_resolve() {
    use slo_core::{Clock, ManualClock, SystemClock};
    let webhook = Webhook::start();
    let Some(am) = Alertmanager::start(&webhook.url) else {
        return;
    };
    // An hour ago, so that the clock reads about now when the alerts fire
    // and resolve (Alertmanager takes startsAt and endsAt as given).
    let clock = ManualClock::new(
        SystemClock::new()
            .now()
            .saturating_sub(Duration::from_secs(3600)),
    );
    let spec = Spec::from_yaml(
        "service: shop
slos:
  - name: checkout
    objective: 99%
    period: 1d
    alerting:
      budget: {remaining_below: 80%, exhausted_within: 1d}
      no_data: 2h
",
    )
    .unwrap();
    let registry = Registry::builder(spec).clock(clock.clone()).build();
    registry.tick();
    let notifier = Notifier::builder(&registry)
        .alertmanager(&am.url)
        .unwrap()
        .label("instance", "shop-1:3000")
        .unwrap()
        .interval(Duration::from_secs(2))
        .build()
        .unwrap();
    // An hour in, 6% bad (burn 6): a quarter of the budget gone, the rest
    // gone in three hours at this rate.
    clock.advance(Duration::from_secs(3600));
    let checkout = registry.handle("checkout").unwrap();
    for i in 0..1000 {
        checkout.record(i % 50 >= 3);
    }
    registry.tick();
    let expected = |alertname: &str, condition: &str, severity: &str| {
        json!({
            "alertname": alertname, "condition": condition,
            "slo": "checkout", "severity": severity, "sloth_severity": severity,
            "sloth_id": "shop-checkout", "sloth_service": "shop", "sloth_slo": "checkout",
            "instance": "shop-1:3000",
        })
    };
    for (alertname, condition, severity, summary) in [
        (
            "SLOErrorBudgetLow",
            "remaining_below",
            "ticket",
            "shop checkout has 80% or less of its error budget left",
        ),
        (
            "SLOErrorBudgetExhaustionSoon",
            "exhausted_within",
            "page",
            "shop checkout will spend its error budget within 1d",
        ),
    ] {
        let firing = webhook
            .wait_for(Duration::from_secs(30), |n| {
                n["status"] == "firing" && n["groupLabels"]["alertname"] == alertname
            })
            .unwrap_or_else(|| panic!("{alertname} never arrived: {:?}", webhook.received()));
        let alerts = alerts_of(&firing);
        assert_eq!(alerts.len(), 1, "{firing}");
        assert_eq!(
            Value::Object(labels_of(&alerts[0])),
            expected(alertname, condition, severity)
        );
        assert_eq!(alerts[0]["annotations"]["summary"], summary);
    }
    // Plenty of good events: neither condition holds any more.
    for _ in 0..2_000_000 {
        checkout.record_good();
    }
    clock.advance(Duration::from_secs(1));
    registry.tick();
    for alertname in ["SLOErrorBudgetLow", "SLOErrorBudgetExhaustionSoon"] {
        webhook
            .wait_for(Duration::from_secs(30), |n| {
                n["status"] == "resolved" && n["groupLabels"]["alertname"] == alertname
            })
            .unwrap_or_else(|| panic!("{alertname} never resolved: {:?}", webhook.received()));
    }
    assert!(notifier.shutdown());
}

/// Two steps each burning 5× their budget (tickets only) make a journey
/// that burns about 10×: its 6h/30m page and both tickets reach
/// Alertmanager as `SLOJourneyErrorBudgetBurn`, labelled as the generated
/// rules label them, and resolve when the steps recover.
#[test]
fn a_journey_alert_arrives_with_the_rules_labels_and_resolves() {
    let webhook = Webhook::start();
    let Some(am) = Alertmanager::start(&webhook.url) else {
        return;
    };
    let spec = Spec::from_yaml(
        "service: shop
slos:
  - {name: search, objective: 99.9%}
  - {name: checkout, objective: 99.9%}
journeys:
  - name: purchase
    description: find it, then pay for it
    objective: 99.9%
    steps: [search, checkout]
",
    )
    .unwrap();
    let registry = Registry::new(spec);
    registry.tick();
    let notifier = Notifier::builder(&registry)
        .alertmanager(&am.url)
        .unwrap()
        .label("instance", "shop-1:3000")
        .unwrap()
        .interval(Duration::from_secs(2))
        .build()
        .unwrap();
    for step in ["search", "checkout"] {
        let handle = registry.handle(step).unwrap();
        handle.record_batch(9950, 50);
    }
    registry.tick();
    let firing = webhook
        .wait_for(Duration::from_secs(30), |n| {
            n["status"] == "firing"
                && n["groupLabels"]["alertname"] == "SLOJourneyErrorBudgetBurn"
                && alerts_of(n).len() == 3
        })
        .unwrap_or_else(|| {
            panic!(
                "the journey's alerts never arrived: {:?}",
                webhook.received()
            )
        });
    let alerts = alerts_of(&firing);
    let page = alerts
        .iter()
        .find(|a| a["labels"]["severity"] == "page")
        .expect("the journey's page");
    assert_eq!(
        Value::Object(labels_of(page)),
        json!({
            "alertname": "SLOJourneyErrorBudgetBurn",
            "journey": "purchase",
            "severity": "page",
            "sloth_severity": "page",
            "long_window": "6h",
            "short_window": "30m",
            "sloth_service": "shop",
            "instance": "shop-1:3000",
        })
    );
    assert_eq!(
        page["annotations"]["summary"],
        "shop journey purchase is burning its error budget 6x too fast (6h and 30m windows)"
    );
    let description = page["annotations"]["description"].as_str().unwrap();
    assert!(
        description.starts_with("find it, then pay for it\n"),
        "{description}"
    );
    // No step pages: only their tickets are firing.
    assert!(
        webhook.received().iter().all(|n| {
            n["groupLabels"]["alertname"] != "SLOErrorBudgetBurn"
                || alerts_of(n)
                    .iter()
                    .all(|a| a["labels"]["severity"] == "ticket")
        }),
        "{:?}",
        webhook.received()
    );
    recover(&registry, "search");
    recover(&registry, "checkout");
    webhook
        .wait_for(Duration::from_secs(30), |n| {
            n["status"] == "resolved"
                && n["groupLabels"]["alertname"] == "SLOJourneyErrorBudgetBurn"
        })
        .unwrap_or_else(|| {
            panic!(
                "the journey's alerts never resolved: {:?}",
                webhook.received()
            )
        });
    assert!(notifier.shutdown());
}
