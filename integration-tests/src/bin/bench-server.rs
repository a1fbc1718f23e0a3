//! Serves one variant of the benchmark router for wrk:
//! `bench-server VARIANT [ADDR]`, VARIANT one of `bare`, `slo`,
//! `slo-around`, `axum-prometheus`, `autometrics`. One worker thread, so
//! the load generator gets the other core.

use std::net::SocketAddr;

use slo::tower::SloLayer;
use slo::{Registry, Spec};
use slo_integration_tests as apps;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let variant = args.next().ok_or("usage: bench-server VARIANT [ADDR]")?;
    let addr: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:3900".into())
        .parse()
        .map_err(|e| format!("bad address: {e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let registry = Registry::new(Spec::from_yaml(apps::SPEC).map_err(|e| e.to_string())?);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("{addr}: {e}"))?;
        let served = match variant.as_str() {
            "bare" => axum::serve(listener, apps::bare()).await,
            "slo" => axum::serve(listener, apps::with_slo(&registry)).await,
            "slo-around" => {
                let app = slo::tower::axum::around(&SloLayer::new(&registry), apps::bare());
                axum::serve(listener, app.into_make_service()).await
            }
            "axum-prometheus" => {
                let _handle = apps::install_prometheus_recorder();
                axum::serve(listener, apps::with_axum_prometheus()).await
            }
            "autometrics" => {
                let _handle = apps::install_prometheus_recorder();
                axum::serve(listener, apps::with_autometrics()).await
            }
            other => return Err(format!("unknown variant {other:?}")),
        };
        served.map_err(|e| e.to_string())
    })
}
