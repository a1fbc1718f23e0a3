//! The response future of [`crate::SloService`]: records panics (and lets
//! them unwind on), records inner errors, and hands the
//! in-flight request to the body, where latency ends.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::Response;
use http_body::Body;
use pin_project_lite::pin_project;

use crate::body::SloBody;
use crate::classify::{Classification, ResponseClassifier, grpc_code, is_grpc};
use crate::pending::{Outcome, Pending, on_panic_fail};

pin_project! {
    /// Response future of [`crate::SloService`].
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture<F, C> {
        #[pin]
        pub(crate) inner: F,
        pub(crate) pending: Option<Pending>,
        pub(crate) classifier: C,
    }
}

impl<F, C, B, E> Future for ResponseFuture<F, C>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body,
    C: ResponseClassifier,
{
    type Output = Result<Response<SloBody<B, C::Eos>>, E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let inner = this.inner;
        let result = ready!(on_panic_fail(this.pending, || inner.poll(cx)));
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                if let Some(pending) = this.pending.take() {
                    pending.finish(Outcome::Error);
                }
                return Poll::Ready(Err(error));
            }
        };
        let Some(mut pending) = this.pending.take() else {
            return Poll::Ready(Ok(response.map(SloBody::untracked)));
        };
        pending.set_status(response.status().as_u16());
        // One test for the default layer: only SLOs that judge a response
        // themselves read more of its head.
        if pending.judges_head() {
            if pending.classifies() {
                // A status lookup hashes its name: only for gRPC.
                let headers = response.headers();
                let grpc = is_grpc(headers);
                pending.note_head(grpc, if grpc { grpc_code(headers) } else { None });
            }
            if pending.judges_quality()
                && response.extensions().get::<slo_core::Degraded>().is_some()
            {
                pending.mark_degraded();
            }
        }
        let eos = match this.classifier.classify_response(&response) {
            Classification::Success => None,
            Classification::Failure => {
                pending.mark_failed(|| grpc_code(response.headers()));
                None
            }
            Classification::AtEndOfStream(eos) => Some(eos),
        };
        Poll::Ready(Ok(response.map(|body| SloBody::tracked(body, pending, eos))))
    }
}
