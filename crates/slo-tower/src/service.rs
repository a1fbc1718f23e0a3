//! [`SloService`]: the middleware itself.

use std::task::{Context, Poll};

use http::{Request, Response};
use http_body::Body;
use tower_service::Service;

use crate::body::SloBody;
use crate::classify::{HttpOrGrpc, ResponseClassifier};
use crate::future::ResponseFuture;
use crate::pending::{Description, Pending};
use crate::routes::RouteTable;
use slo_core::recent::Method;

/// Counts every request toward the SLOs its route matches; made by
/// [`crate::SloLayer`].
pub struct SloService<S, C = HttpOrGrpc> {
    inner: S,
    table: &'static RouteTable,
    classifier: C,
}

impl<S, C> SloService<S, C> {
    pub(crate) fn new(inner: S, table: &'static RouteTable, classifier: C) -> Self {
        SloService {
            inner,
            table,
            classifier,
        }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: Clone, C: Clone> Clone for SloService<S, C> {
    fn clone(&self) -> Self {
        SloService {
            inner: self.inner.clone(),
            table: self.table,
            classifier: self.classifier.clone(),
        }
    }
}

impl<S, C> std::fmt::Debug for SloService<S, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SloService")
            .field("slos", &self.table.handles.len())
            .finish_non_exhaustive()
    }
}

/// The route to match: the router's template when it says (axum's
/// `MatchedPath`), else the path. Only ever compared, never stored.
fn route_of<B>(request: &Request<B>) -> &str {
    #[cfg(feature = "axum")]
    if let Some(matched) = request.extensions().get::<axum::extract::MatchedPath>() {
        return matched.as_str();
    }
    request.uri().path()
}

/// A standard method by name, any other as `OTHER`.
fn method(method: &http::Method) -> Method {
    match *method {
        http::Method::GET => Method::Get,
        http::Method::POST => Method::Post,
        http::Method::PUT => Method::Put,
        http::Method::DELETE => Method::Delete,
        http::Method::PATCH => Method::Patch,
        http::Method::HEAD => Method::Head,
        http::Method::OPTIONS => Method::Options,
        http::Method::CONNECT => Method::Connect,
        http::Method::TRACE => Method::Trace,
        _ => Method::Other,
    }
}

impl<S, C, ReqBody, ResBody> Service<Request<ReqBody>> for SloService<S, C>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Body,
    C: ResponseClassifier,
{
    type Response = Response<SloBody<ResBody, C::Eos>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, C>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let table = self.table;
        let resolved = table.resolve(request.method(), route_of(&request));
        let pending = if resolved.matched.is_empty() {
            None
        } else {
            let mut pending = Pending::start(table, resolved.matched, resolved.timed);
            // Only a layer whose SLOs keep bad events reads the request for
            // one: the method, the rules matched, the trace id.
            if table.keeps_bad {
                pending.describe_with(Description {
                    method: method(request.method()),
                    trace: table
                        .trace_ids
                        .read(request.headers(), request.extensions()),
                });
            }
            Some(pending)
        };
        // A service may panic in `call` itself, before it has a future:
        // `pending` is dropped while panicking, which records a failure.
        ResponseFuture {
            inner: self.inner.call(request),
            pending,
            classifier: self.classifier.clone(),
        }
    }
}
