//! The built-in traffic generator: steady requests to the three routes, and
//! an incident that raises checkout failures and search slowness for a while.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::faults::Faults;

/// How the generator behaves.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub rate: f64,
    pub incident_after: Duration,
    pub incident_for: Duration,
    pub incident_errors: f64,
    pub incident_slow: f64,
    pub incident_degraded: f64,
}

const WORKERS: usize = 8;

/// Sends requests until the task is dropped.
pub async fn run(addr: SocketAddr, plan: LoadPlan, faults: Arc<Faults>) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let period = Duration::from_secs_f64(WORKERS as f64 / plan.rate.max(0.1));
    for _ in 0..WORKERS {
        let client = client.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let (method, path) = match fastrand::u8(0..10) {
                    0..=2 => ("POST", "/checkout".to_owned()),
                    3..=7 => ("GET", format!("/search?q=item{}", fastrand::u16(..))),
                    _ => ("GET", format!("/cart/{}", fastrand::u32(1..100_000))),
                };
                let Ok(request) = http::Request::builder()
                    .method(method)
                    .uri(format!("http://{addr}{path}"))
                    .body(Empty::new())
                else {
                    continue;
                };
                // Read each answer to the end, as a real client would; the
                // generator ignores its own failures (the SLOs show them).
                if let Ok(response) = client.request(request).await {
                    let _ = response.into_body().collect().await;
                }
            }
        });
    }
    tokio::time::sleep(plan.incident_after).await;
    crate::say!(
        "incident: checkout failing {:.0}%, search slow {:.0}% and from the stale cache {:.0}% for {}",
        plan.incident_errors * 100.0,
        plan.incident_slow * 100.0,
        plan.incident_degraded * 100.0,
        humantime::format_duration(plan.incident_for),
    );
    faults.set_incident(
        plan.incident_errors,
        plan.incident_slow,
        plan.incident_degraded,
    );
    tokio::time::sleep(plan.incident_for).await;
    faults.set_incident(0.0, 0.0, 0.0);
    crate::say!("incident over");
    std::future::pending::<()>().await;
}
