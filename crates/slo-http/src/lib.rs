#![doc = include_str!("../README.md")]

pub mod accept;
pub mod read_only;

/// Implements `tower_service::Service<http::Request<B>>` for a read-only
/// endpoint that answers every request at once, always ready and never
/// failing: `$answer(&self, &request)` makes the response. The one service
/// impl of `/slo` and `/metrics`.
///
/// ```
/// use bytes::Bytes;
/// use http::{Request, Response};
/// use http_body_util::Full;
///
/// #[derive(Clone)]
/// struct Hello;
///
/// impl Hello {
///     fn answer<B>(&self, request: &Request<B>) -> Response<Full<Bytes>> {
///         slo_http::read_only::respond(request.method(), || Ok((b"hi".to_vec(), "text/plain")))
///     }
/// }
///
/// slo_http::answered_at_once!(Hello, Hello::answer);
/// ```
#[macro_export]
macro_rules! answered_at_once {
    ($endpoint:ty, $answer:path) => {
        impl<B> $crate::__private::Service<$crate::__private::Request<B>> for $endpoint {
            type Response =
                $crate::__private::Response<$crate::__private::Full<$crate::__private::Bytes>>;
            type Error = ::std::convert::Infallible;
            type Future = ::std::future::Ready<::std::result::Result<Self::Response, Self::Error>>;

            fn poll_ready(
                &mut self,
                _: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::result::Result<(), Self::Error>> {
                ::std::task::Poll::Ready(Ok(()))
            }

            fn call(&mut self, request: $crate::__private::Request<B>) -> Self::Future {
                ::std::future::ready(Ok($answer(self, &request)))
            }
        }
    };
}

/// What [`answered_at_once!`] names, for the crates that expand it.
#[doc(hidden)]
pub mod __private {
    pub use bytes::Bytes;
    pub use http::{Request, Response};
    pub use http_body_util::Full;
    pub use tower_service::Service;
}
