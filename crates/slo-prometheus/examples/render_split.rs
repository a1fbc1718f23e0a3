//! Where `/metrics` time goes for N SLOs: sync, upkeep, and text.
//! `cargo run --release -p slo-prometheus --example render_split -- 1000`
use std::time::{Duration, Instant};

use slo_core::{Registry, SloDefinition, Spec};
use slo_prometheus::PrometheusExporter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let slos: usize = std::env::args().nth(1).map_or(Ok(1000), |n| n.parse())?;
    let mut spec = Spec::builder("bench");
    for i in 0..slos {
        let slo = SloDefinition::builder(format!("slo-{i}")).objective(0.999);
        spec = spec.slo(if i % 2 == 0 {
            slo
        } else {
            slo.latency(Duration::from_millis(250))
        });
    }
    let registry = Registry::new(spec.build()?);
    let exporter = PrometheusExporter::new(&registry)?;
    for (_, handle) in registry.handles() {
        for i in 0..100 {
            handle.record_latency(Duration::from_millis(i), i % 10 != 0);
        }
    }
    registry.tick();
    exporter.render();
    let runs = 20;
    let (mut sync, mut text) = (Duration::ZERO, Duration::ZERO);
    let mut bytes = 0;
    for _ in 0..runs {
        let start = Instant::now();
        exporter.sync();
        sync += start.elapsed();
        let start = Instant::now();
        bytes = exporter.render_synced().len();
        text += start.elapsed();
    }
    println!(
        "{slos} SLOs: sync {:?}, text {:?} ({bytes} bytes)",
        sync / runs,
        text / runs
    );
    Ok(())
}
