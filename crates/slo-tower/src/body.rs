//! The response body wrapper: latency ends, and gRPC trailers are read, when
//! the body does. "Ends" means the last frame was read, an error frame came,
//! or the body reports `is_end_stream` (after a frame, or from the start):
//! hyper stops polling a body of known length once it has it all, so waiting
//! for `None` would make every such response look abandoned.

use std::pin::Pin;
use std::task::{Context, Poll};

use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

use crate::classify::{EosClassifier, grpc_code};
use crate::pending::{Outcome, Pending, on_panic_fail};

pin_project! {
    /// Response body of [`crate::SloService`]: the inner body, unchanged,
    /// recording the request's events when it ends.
    pub struct SloBody<B, E> {
        #[pin]
        inner: B,
        pending: Option<Pending>,
        eos: Option<E>,
    }
}

impl<B: Body, E: EosClassifier> SloBody<B, E> {
    /// A body that counts toward no SLO.
    pub(crate) fn untracked(inner: B) -> Self {
        SloBody {
            inner,
            pending: None,
            eos: None,
        }
    }

    /// A body that finishes `pending`; an empty body finishes it at once
    /// (and is then untracked). Decided before the body is built, so that
    /// it is built once, in place.
    #[inline(always)]
    pub(crate) fn tracked(inner: B, pending: Pending, eos: Option<E>) -> Self {
        if inner.is_end_stream() {
            finish(&mut Some(pending), &mut { eos }, None);
            return SloBody::untracked(inner);
        }
        SloBody {
            inner,
            pending: Some(pending),
            eos,
        }
    }
}

/// Records the request: the success decided by the head, or else by the
/// end-of-stream classifier from `trailers`. Out of line: inlined into the
/// caller's poll it made the whole request dearer (callgrind, around 35
/// instructions, with classification in the spec; see BENCHMARKS.md).
#[inline(never)]
fn finish<E: EosClassifier>(
    pending: &mut Option<Pending>,
    eos: &mut Option<E>,
    trailers: Option<&http::HeaderMap>,
) {
    if let Some(pending) = pending.take() {
        let succeeded = eos.take().is_none_or(|eos| eos.classify_eos(trailers));
        // The code describes a failure, or is judged by an SLO's own
        // classification; otherwise a success need not read it.
        let grpc = if pending.classifies() || (!succeeded && pending.described()) {
            trailers.and_then(grpc_code)
        } else {
            None
        };
        pending.finish(Outcome::Ended { succeeded, grpc });
    }
}

impl<B: Body, E: EosClassifier> Body for SloBody<B, E> {
    type Data = B::Data;
    type Error = B::Error;

    #[inline]
    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let mut this = self.project();
        if this.pending.is_none() {
            return this.inner.poll_frame(cx);
        }
        let inner = this.inner.as_mut();
        let polled = on_panic_fail(this.pending, || inner.poll_frame(cx));
        match &polled {
            Poll::Pending => {}
            Poll::Ready(None) => finish(this.pending, this.eos, None),
            Poll::Ready(Some(Err(_))) => {
                if let Some(pending) = this.pending.take() {
                    pending.finish(Outcome::BodyError);
                }
            }
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(trailers) = frame.trailers_ref() {
                    finish(this.pending, this.eos, Some(trailers));
                } else if this.inner.is_end_stream() {
                    finish(this.pending, this.eos, None);
                }
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
