//! axum integration (feature `axum`): the layer reads the route template
//! from axum's `MatchedPath`; [`slo_handler`] serves `/slo`; [`around`]
//! wraps a whole router for `axum::serve`.
//!
//! Two ways to cover a whole router, unmatched requests (the fallback, 404s)
//! included:
//! - [`around`]`(&layer, router)`: one layer around the router, rules
//!   matched against the path. The cheaper: in one paired run on a 2-vCPU
//!   VM, 139–227 ns a request over the bare router, against 354–395 ns
//!   for `Router::layer`.
//! - `router.layer(SloLayer::new(&registry))` after the routes: axum
//!   applies the layer to every route and to the fallback, boxing and
//!   cloning each layered route per request, and the layer sees each
//!   route's template.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Method, Request, Uri};
use pin_project_lite::pin_project;
use slo_core::Registry;
use tower_layer::Layer;
use tower_service::Service;

use crate::classify::{HttpOrGrpc, ResponseClassifier};
use crate::{ResponseFuture, SloEndpoint, SloLayer, SloService};

/// The `/slo` page as an axum handler, for a router whose state gives a
/// [`Registry`] (`Router::with_state(registry)`, or any state with
/// `FromRef`). `SloEndpoint` also mounts directly:
/// `Router::route_service("/slo", SloEndpoint::new(registry))`.
///
/// ```
/// use axum::{Router, routing::any};
/// use slo_core::{Registry, SloDefinition, Spec};
/// let spec = Spec::builder("shop").slo(SloDefinition::builder("all").objective(0.99)).build()?;
/// let app: Router = Router::new()
///     .route("/slo", any(slo_tower::axum::slo_handler))
///     .with_state(Registry::new(spec));
/// # let _ = app;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn slo_handler(
    State(registry): State<Registry>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    SloEndpoint::new(registry)
        .render(&method, &headers, uri.query())
        .into_response()
}

/// `layer` around the whole `router`, answering axum's `Response`, ready for
/// `axum::serve`.
///
/// ```no_run
/// use axum::{Router, routing::post};
/// use slo_core::{Registry, Spec};
/// use slo_tower::SloLayer;
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let registry = Registry::new(Spec::from_yaml(
///     "service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n    match: {routes: [\"POST /checkout\"]}\n",
/// )?);
/// let router = Router::new().route("/checkout", post(|| async { "ok" }));
/// let app = slo_tower::axum::around(&SloLayer::new(&registry), router);
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app.into_make_service()).await?;
/// # Ok(())
/// # }
/// ```
pub fn around<C: ResponseClassifier>(layer: &SloLayer<C>, router: Router) -> MeasuredRouter<C> {
    MeasuredRouter {
        inner: layer.layer(router),
    }
}

/// A router inside an [`SloLayer`]; see [`around`].
#[derive(Clone, Debug)]
pub struct MeasuredRouter<C = HttpOrGrpc> {
    inner: SloService<Router, C>,
}

impl<C: ResponseClassifier> MeasuredRouter<C> {
    /// A make-service for `axum::serve`.
    pub fn into_make_service(self) -> axum::routing::IntoMakeService<Self> {
        axum::ServiceExt::<Request<Body>>::into_make_service(self)
    }
}

impl<C: ResponseClassifier> Service<Request<Body>> for MeasuredRouter<C> {
    type Response = Response;
    type Error = Infallible;
    type Future = MeasuredFuture<C>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Service::<Request<Body>>::poll_ready(&mut self.inner, cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        MeasuredFuture {
            inner: self.inner.call(request),
        }
    }
}

type RouterFuture = <Router as Service<Request<Body>>>::Future;

pin_project! {
    /// Response future of [`MeasuredRouter`].
    #[must_use = "futures do nothing unless polled"]
    pub struct MeasuredFuture<C: ResponseClassifier> {
        #[pin]
        inner: ResponseFuture<RouterFuture, C>,
    }
}

impl<C: ResponseClassifier> Future for MeasuredFuture<C> {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let response = ready!(self.project().inner.poll(cx))?;
        Poll::Ready(Ok(response.map(Body::new)))
    }
}
