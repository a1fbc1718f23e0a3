//! Alert transitions: what subscribers are told always agrees with what
//! `/slo` shows at the same tick (every tier and the budget, through an
//! incident, its recovery and a spent budget's recovery), alternates
//! firing and resolved, and carries the numbers of the tick; a subscriber
//! that falls behind loses only its own transitions, a blocked or
//! panicking hook delays nothing, and a late subscriber learns what fires.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::{BTreeSet, HashMap};
use std::sync::mpsc;
use std::time::Duration;

use slo_core::alerts::{AlertKind, AlertReceiver, AlertState, AlertTransition};
use slo_core::{Clock, ManualClock, Registry, SampleFill, Spec, StatusLevel, Timestamp};

/// An alert's identity as the status document names it.
type Key = (String, String);

fn key(t: &AlertTransition) -> Key {
    let which = match t.alert.kind {
        AlertKind::Burn { .. } => format!(
            "{}/{}",
            t.alert.long_window.as_deref().unwrap(),
            t.alert.short_window.as_deref().unwrap()
        ),
        AlertKind::BudgetExhausted => "exhausted".to_owned(),
        AlertKind::Budget { condition } => condition.to_string(),
        other => panic!("an alert this test does not know: {other:?}"),
    };
    (t.alert.slo.clone(), which)
}

/// What fires according to the status document.
fn firing_in_status(registry: &Registry) -> BTreeSet<Key> {
    let status = registry.status();
    let mut firing = BTreeSet::new();
    for slo in &status.slos {
        for alert in slo.alerts.iter().filter(|a| a.firing) {
            firing.insert((
                slo.name.clone(),
                format!("{}/{}", alert.long_window, alert.short_window),
            ));
        }
        if slo.status == StatusLevel::Exhausted {
            firing.insert((slo.name.clone(), "exhausted".to_owned()));
        }
        for alert in slo.budget_alerts.iter().filter(|a| a.firing) {
            firing.insert((slo.name.clone(), alert.condition.to_string()));
        }
    }
    firing
}

const SPEC: &str = "service: shop
slos:
  - name: checkout
    objective: 99.9%
    period: 1d
    alerting:
      budget: {remaining_below: 50%, exhausted_within: 6h}
      no_data: 1h
  - name: search
    objective: 99%
    period: 1d
";

struct Run {
    registry: Registry,
    clock: ManualClock,
    t: i64,
}

impl Run {
    fn new() -> Run {
        let clock = ManualClock::new(Timestamp::EPOCH);
        let registry = Registry::builder(Spec::from_yaml(SPEC).unwrap())
            .clock(clock.clone())
            .sample_fill(SampleFill::Step)
            .build();
        Run {
            registry,
            clock,
            t: 0,
        }
    }

    /// 10 seconds later, their traffic: 100 events per SLO, `bad` of
    /// checkout's bad; then a tick (the last one before the clock moves
    /// again, as exact sampling on a manual clock wants).
    fn step(&mut self, bad: u64) {
        self.t += 10;
        self.clock
            .set(Timestamp::from_unix_nanos(self.t * 1_000_000_000));
        let checkout = self.registry.handle("checkout").unwrap();
        let search = self.registry.handle("search").unwrap();
        for i in 0..100 {
            checkout.record(i >= bad);
            search.record(true);
        }
        self.registry.tick();
    }
}

/// Applies each transition to the set it describes, checking that an
/// alert alternates between firing and resolved.
fn apply(firing: &mut BTreeSet<Key>, transitions: &[AlertTransition]) {
    for t in transitions {
        let k = key(t);
        match t.state {
            AlertState::Firing => assert!(firing.insert(k.clone()), "{k:?} fired twice"),
            AlertState::Resolved => assert!(firing.remove(&k), "{k:?} resolved without firing"),
        }
    }
}

fn drain(receiver: &AlertReceiver) -> Vec<AlertTransition> {
    std::iter::from_fn(|| receiver.try_recv()).collect()
}

#[test]
fn transitions_always_agree_with_the_status_document() {
    let mut run = Run::new();
    let receiver = run.registry.subscribe_alerts(10_000);
    let mut firing = BTreeSet::new();
    let mut seen: HashMap<Key, Vec<AlertState>> = HashMap::new();
    // A day and a half with a quiet start, a 20-minute incident at 20%
    // bad (a fast burn: both pages), then 6 hours at 1% bad (every tier
    // but the fastest, and a spent budget), then quiet until the budget
    // recovers.
    let phases: [(i64, u64); 4] = [(2 * 3600, 0), (1200, 20), (6 * 3600, 1), (30 * 3600, 0)];
    for (seconds, bad) in phases {
        for _ in 0..seconds / 10 {
            run.step(bad);
            let transitions = drain(&receiver);
            for t in &transitions {
                assert_eq!(t.at.as_unix_nanos(), run.t * 1_000_000_000);
                seen.entry(key(t)).or_default().push(t.state);
            }
            apply(&mut firing, &transitions);
            assert_eq!(firing, firing_in_status(&run.registry), "at t={}", run.t);
        }
    }
    assert!(firing.is_empty(), "still firing at the end: {firing:?}");
    assert_eq!(receiver.dropped(), 0);
    // Every checkout alert fired and resolved; search never burned.
    let windows_1d = ["2m/10s", "12m/1m", "48m/4m", "2h24m/12m"];
    let budget = ["exhausted", "remaining_below", "exhausted_within"];
    for which in windows_1d.into_iter().chain(budget) {
        let states = seen
            .get(&("checkout".to_owned(), which.to_owned()))
            .unwrap_or_else(|| panic!("{which} never fired: {seen:?}"));
        assert!(states.len() >= 2, "{which}: {states:?}");
    }
    assert!(seen.keys().all(|(slo, _)| slo == "checkout"), "{seen:?}");
    // Events never stopped.
    assert!(!seen.contains_key(&("checkout".to_owned(), "no_data".to_owned())));
}

#[test]
fn a_transition_carries_the_numbers_of_its_tick() {
    let mut run = Run::new();
    let receiver = run.registry.subscribe_alerts(100);
    for _ in 0..30 {
        run.step(0);
    }
    let fired = loop {
        run.step(50);
        if let Some(t) = drain(&receiver)
            .into_iter()
            .find(|t| t.alert.long_window.as_deref() == Some("2m"))
        {
            break t;
        }
        assert!(run.t < 3600, "the fastest page never fired");
    };
    let status = run.registry.status();
    let checkout = &status.slos[0];
    assert_eq!(fired.state, AlertState::Firing);
    assert_eq!(fired.firing_since, fired.at);
    assert_eq!(fired.alert.slo, "checkout");
    assert_eq!(fired.alert.burn_rate_threshold, Some(14.4));
    assert_eq!(fired.alert.period, "1d");
    assert_eq!(fired.long_burn_rate, checkout.burn_rates.get("2m"));
    assert_eq!(fired.short_burn_rate, checkout.burn_rates.get("10s"));
    assert_eq!(
        fired.budget_remaining,
        checkout.error_budget.remaining_ratio
    );
    // It resolves once the incident is over, naming when it started.
    let resolved = loop {
        run.step(0);
        if let Some(t) = drain(&receiver).into_iter().find(|t| {
            t.alert.long_window.as_deref() == Some("2m") && t.state == AlertState::Resolved
        }) {
            break t;
        }
    };
    assert_eq!(resolved.firing_since, fired.at);
    assert!(resolved.at > fired.at);
}

#[test]
fn a_subscriber_that_falls_behind_loses_only_its_own_transitions() {
    let mut run = Run::new();
    let slow = run.registry.subscribe_alerts(1);
    let fast = run.registry.subscribe_alerts(10_000);
    let mut firing = BTreeSet::new();
    for (seconds, bad) in [(3600, 0), (1200, 30), (7200, 0)] {
        for _ in 0..seconds / 10 {
            run.step(bad);
            apply(&mut firing, &drain(&fast));
        }
    }
    assert_eq!(fast.dropped(), 0);
    assert!(
        slow.dropped() > 0,
        "the slow subscriber's queue never filled"
    );
    // It holds only what fitted, and can read the current state again.
    assert_eq!(drain(&slow).len(), 1);
    let now: BTreeSet<Key> = run.registry.firing_alerts().iter().map(key).collect();
    assert_eq!(now, firing);
    assert_eq!(now, firing_in_status(&run.registry));
}

#[test]
fn a_late_subscriber_is_told_what_fires_now() {
    let mut run = Run::new();
    let early = run.registry.subscribe_alerts(1000);
    for (seconds, bad) in [(3600, 0), (600, 50)] {
        for _ in 0..seconds / 10 {
            run.step(bad);
        }
    }
    let firing_now = firing_in_status(&run.registry);
    assert!(!firing_now.is_empty());
    let late = run.registry.subscribe_alerts(1000);
    let told: Vec<AlertTransition> = drain(&late);
    assert!(told.iter().all(|t| t.state == AlertState::Firing));
    assert_eq!(told.iter().map(key).collect::<BTreeSet<_>>(), firing_now);
    drop(early);
}

#[test]
fn a_blocked_or_panicking_hook_delays_no_tick_and_no_other_subscriber() {
    let mut run = Run::new();
    let (release, blocked) = mpsc::channel::<()>();
    let (calls_tx, calls) = mpsc::channel::<AlertState>();
    let mut first = true;
    let hook = run
        .registry
        .on_alert(move |t| {
            let _ = calls_tx.send(t.state);
            if first {
                first = false;
                panic!("a broken hook");
            }
            // Every later call waits until the test lets it go.
            let _ = blocked.recv();
        })
        .unwrap();
    let other = run.registry.subscribe_alerts(10_000);
    let mut firing = BTreeSet::new();
    let mut transitions = 0;
    for (seconds, bad) in [(3600, 0), (1200, 30), (7200, 0)] {
        for _ in 0..seconds / 10 {
            run.step(bad);
            let got = drain(&other);
            transitions += got.len();
            apply(&mut firing, &got);
            assert_eq!(firing, firing_in_status(&run.registry));
        }
    }
    assert!(transitions >= 4, "{transitions}");
    // The hook got its first two calls (the panic did not stop it) and is
    // stuck in the second while everything else went on.
    assert_eq!(
        calls.recv_timeout(Duration::from_secs(5)).unwrap(),
        AlertState::Firing
    );
    assert!(calls.recv_timeout(Duration::from_secs(5)).is_ok());
    assert!(calls.try_recv().is_err(), "the hook ran while blocked");
    drop(release);
    hook.stop();
}

#[test]
fn no_data_waits_its_span_after_start_and_resolves_on_the_next_event() {
    let clock = ManualClock::new(Timestamp::EPOCH);
    let spec = Spec::from_yaml(
        "service: shop\nslos:\n  - name: batch\n    objective: 99%\n    alerting: {no_data: 10m}\n",
    )
    .unwrap();
    let registry = Registry::builder(spec).clock(clock.clone()).build();
    let receiver = registry.subscribe_alerts(100);
    let batch = registry.handle("batch").unwrap();
    let tick_until = |secs: i64| {
        let mut fired = Vec::new();
        let mut t = clock.now().as_unix_nanos() / 1_000_000_000;
        while t < secs {
            t += 1;
            clock.set(Timestamp::from_unix_nanos(t * 1_000_000_000));
            registry.tick();
            fired.extend(drain(&receiver).into_iter().map(|tr| (t, tr.state)));
        }
        fired
    };
    // Nothing recorded since start: quiet for the first ten minutes, then
    // it fires at once.
    assert_eq!(tick_until(600), [(600, AlertState::Firing)]);
    let firing = registry.firing_alerts();
    assert_eq!(firing.len(), 1);
    assert_eq!(firing[0].alert.kind.alert_name(), "SLONoData");
    assert_eq!(firing[0].alert.severity.as_str(), "ticket");
    // An event resolves it at the next tick; ten quiet minutes later it
    // fires again.
    batch.record(true);
    assert_eq!(tick_until(601), [(601, AlertState::Resolved)]);
    assert_eq!(tick_until(1300), [(1201, AlertState::Firing)]);
    let status = registry.status();
    assert!(status.slos[0].budget_alerts[0].firing);
}
