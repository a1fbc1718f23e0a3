//! The preset next to a recorder the application installed itself: each
//! keeps its own series, nothing is replaced, nothing panics. (Its own test
//! binary: the global recorder can be set once per process.)
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use slo_core::{Registry, SloDefinition, Spec};
use slo_prometheus::{PrometheusBridge, PrometheusExporter};

#[test]
fn the_preset_coexists_with_the_applications_global_recorder() {
    // The application's own recorder, installed globally first.
    let app = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .unwrap();
    metrics::counter!("app_logins_total").increment(3);

    let registry = Registry::new(
        Spec::builder("shop")
            .slo(SloDefinition::builder("checkout").objective(0.999))
            .build()
            .unwrap(),
    );
    let exporter = PrometheusExporter::new(&registry).unwrap();
    registry.handle("checkout").unwrap().record(false);
    let ours = exporter.render();
    assert!(
        ours.contains(r#"slo_events_total{slo="checkout",outcome="bad"} 1"#),
        "{ours}"
    );
    assert!(!ours.contains("app_logins_total"), "{ours}");
    let theirs = app.render();
    assert!(theirs.contains("app_logins_total 3"), "{theirs}");
    assert!(!theirs.contains("slo_events_total"), "{theirs}");

    // Or put the SLO series on the application's recorder instead.
    let bridge = PrometheusBridge::register_current(&registry);
    bridge.sync();
    let theirs = app.render();
    assert!(
        theirs.contains(r#"slo_events_total{slo="checkout",outcome="bad"} 1"#),
        "{theirs}"
    );
    assert!(theirs.contains("app_logins_total 3"), "{theirs}");
}
