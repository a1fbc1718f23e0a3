//! The spec the state-file target restores into, and its seeds are made with.

use std::time::Duration;

use slo_core::{SloDefinition, Spec};

pub fn spec() -> Spec {
    Spec::builder("shop")
        .slo(
            SloDefinition::builder("checkout")
                .objective(0.999)
                .route("POST /checkout"),
        )
        .slo(
            SloDefinition::builder("search")
                .objective(0.99)
                .latency(Duration::from_millis(250))
                .period(Duration::from_secs(7 * 86_400)),
        )
        .build()
        .expect("a valid spec")
}
