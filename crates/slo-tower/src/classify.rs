//! Response classification: did the server fail?
//! ([events](slo_core::semantics#events))
//!
//! A classifier looks at the response head and either decides, or defers to
//! the end of the stream (gRPC puts its status in trailers). Errors from the
//! inner service, panics and errored bodies are failures whatever the
//! classifier says. [`HttpOrGrpc`] is the default; [`TowerHttp`] adapts any
//! of `tower_http::classify`'s classifiers.

use http::{HeaderMap, Response};
use slo_core::classify::{grpc_code_is_failure, http_status_is_failure};

/// What a classifier made of a response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classification<E> {
    /// The server did its job.
    Success,
    /// The server failed.
    Failure,
    /// Decided at the end of the body, from the trailers (if any), by `E`.
    AtEndOfStream(E),
}

/// Decides from a response head whether the server failed.
pub trait ResponseClassifier: Clone + Send + Sync + 'static {
    /// Decides at the end of the stream when the head cannot.
    type Eos: EosClassifier;

    /// Classifies a response head.
    fn classify_response<B>(&self, response: &Response<B>) -> Classification<Self::Eos>;
}

/// Decides at the end of a response body whether the server failed.
pub trait EosClassifier: Send + Sync + 'static {
    /// `true` when the server succeeded; `trailers` is `None` when the body
    /// ended without any.
    fn classify_eos(self, trailers: Option<&HeaderMap>) -> bool;
}

/// Never needs the end of the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeverEos {}

impl EosClassifier for NeverEos {
    fn classify_eos(self, _: Option<&HeaderMap>) -> bool {
        match self {}
    }
}

/// HTTP: a 5xx status is a failure, anything else a success.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HttpServerErrors;

impl ResponseClassifier for HttpServerErrors {
    type Eos = NeverEos;

    fn classify_response<B>(&self, response: &Response<B>) -> Classification<NeverEos> {
        if http_status_is_failure(response.status().as_u16()) {
            Classification::Failure
        } else {
            Classification::Success
        }
    }
}

/// gRPC: `UNKNOWN`, `DEADLINE_EXCEEDED`, `INTERNAL`, `UNAVAILABLE` and
/// `DATA_LOSS` are failures, other codes successes. The status is read from
/// the headers (trailers-only responses) or else from the trailers. A
/// malformed or unknown `grpc-status` reads as `UNKNOWN` (as gRPC clients
/// read it), and a stream that ends without any status is a failure: the
/// client never learns that its call succeeded. A 5xx HTTP status fails too.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GrpcServerErrors;

/// The end-of-stream half of [`GrpcServerErrors`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GrpcTrailers;

impl EosClassifier for GrpcTrailers {
    fn classify_eos(self, trailers: Option<&HeaderMap>) -> bool {
        match trailers.and_then(grpc_status) {
            Some(code) => !grpc_code_is_failure(code),
            None => false,
        }
    }
}

impl ResponseClassifier for GrpcServerErrors {
    type Eos = GrpcTrailers;

    fn classify_response<B>(&self, response: &Response<B>) -> Classification<GrpcTrailers> {
        if http_status_is_failure(response.status().as_u16()) {
            return Classification::Failure;
        }
        match grpc_status(response.headers()) {
            Some(code) if grpc_code_is_failure(code) => Classification::Failure,
            Some(_) => Classification::Success,
            None => Classification::AtEndOfStream(GrpcTrailers),
        }
    }
}

/// The `grpc-status` in `headers` as a code for a bad event's description.
pub(crate) fn grpc_code(headers: &HeaderMap) -> Option<u8> {
    grpc_status(headers).map(|code| code as u8)
}

/// The `grpc-status` in `headers`: `None` when absent; `UNKNOWN` (2) when it
/// is not a known code (0..=16).
fn grpc_status(headers: &HeaderMap) -> Option<i32> {
    // A name made once: a `&str` key is parsed and lowercased per lookup.
    static GRPC_STATUS: http::HeaderName = http::HeaderName::from_static("grpc-status");
    let value = headers.get(&GRPC_STATUS)?.as_bytes();
    const UNKNOWN: i32 = 2;
    let code = match value {
        [d] if d.is_ascii_digit() => i32::from(d - b'0'),
        [b'1', d] if d.is_ascii_digit() => 10 + i32::from(d - b'0'),
        _ => UNKNOWN,
    };
    Some(if code > 16 { UNKNOWN } else { code })
}

/// The default: gRPC rules for responses whose `content-type` is
/// `application/grpc…`, HTTP rules for everything else, so one layer can
/// cover a server that speaks both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HttpOrGrpc;

impl ResponseClassifier for HttpOrGrpc {
    type Eos = GrpcTrailers;

    fn classify_response<B>(&self, response: &Response<B>) -> Classification<GrpcTrailers> {
        if is_grpc(response.headers()) {
            GrpcServerErrors.classify_response(response)
        } else {
            match HttpServerErrors.classify_response(response) {
                Classification::Failure => Classification::Failure,
                _ => Classification::Success,
            }
        }
    }
}

/// Whether the `content-type` is `application/grpc…`. The headers are
/// scanned rather than looked up: a response has few, and comparing a
/// standard name is a tag compare, where a lookup hashes it. Measured with
/// `scripts/router-instructions.sh` (layer around the benchmark router):
/// the lookup cost 90 more instructions a request than the scan, about a
/// tenth of the layer.
#[inline]
pub(crate) fn is_grpc(headers: &HeaderMap) -> bool {
    headers
        .iter()
        .find(|(name, _)| *name == http::header::CONTENT_TYPE)
        .is_some_and(|(_, value)| value.as_bytes().starts_with(b"application/grpc"))
}

/// Any `tower_http::classify` classifier, such as
/// `StatusInRangeAsFailures::new(400..=599)` to count 4xx against the SLO.
///
/// ```
/// use slo_tower::classify::TowerHttp;
/// use tower_http::classify::StatusInRangeAsFailures;
/// let strict = TowerHttp(StatusInRangeAsFailures::new(400..=599));
/// # let _ = strict;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TowerHttp<C>(pub C);

/// The end-of-stream half of [`TowerHttp`].
#[derive(Debug)]
pub struct TowerHttpEos<E>(E);

impl<E> EosClassifier for TowerHttpEos<E>
where
    E: tower_http::classify::ClassifyEos + Send + Sync + 'static,
{
    fn classify_eos(self, trailers: Option<&HeaderMap>) -> bool {
        self.0.classify_eos(trailers).is_ok()
    }
}

impl<C> ResponseClassifier for TowerHttp<C>
where
    C: tower_http::classify::ClassifyResponse + Clone + Send + Sync + 'static,
    C::ClassifyEos: Send + Sync + 'static,
{
    type Eos = TowerHttpEos<C::ClassifyEos>;

    fn classify_response<B>(&self, response: &Response<B>) -> Classification<Self::Eos> {
        use tower_http::classify::ClassifiedResponse;
        match self.0.clone().classify_response(response) {
            ClassifiedResponse::Ready(Ok(())) => Classification::Success,
            ClassifiedResponse::Ready(Err(_)) => Classification::Failure,
            ClassifiedResponse::RequiresEos(eos) => {
                Classification::AtEndOfStream(TowerHttpEos(eos))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&'static str, &'static str)]) -> Response<()> {
        let mut builder = Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap_or_default()
    }

    fn trailers(code: &'static str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert("grpc-status", http::HeaderValue::from_static(code));
        map
    }

    #[test]
    fn http_five_hundreds_fail_and_the_rest_succeed() {
        for (status, failed) in [
            (200, false),
            (404, false),
            (499, false),
            (500, true),
            (503, true),
        ] {
            let got = HttpOrGrpc.classify_response(&response(status, &[]));
            assert_eq!(got == Classification::Failure, failed, "{status}");
        }
    }

    #[test]
    fn grpc_codes_follow_the_design() {
        let grpc = [("content-type", "application/grpc+proto")];
        let head = HttpOrGrpc.classify_response(&response(200, &grpc));
        let Classification::AtEndOfStream(eos) = head else {
            panic!("a gRPC head without status must defer: {head:?}");
        };
        for code in 0..=16 {
            let text: &'static str = Box::leak(code.to_string().into_boxed_str());
            let failed = [2, 4, 13, 14, 15].contains(&code);
            assert_eq!(
                eos.classify_eos(Some(&trailers(text))),
                !failed,
                "code {code}"
            );
            let trailers_only = response(200, &[grpc[0], ("grpc-status", text)]);
            let got = HttpOrGrpc.classify_response(&trailers_only);
            assert_eq!(
                got == Classification::Failure,
                failed,
                "code {code} in headers"
            );
        }
        // Malformed and unknown codes read as UNKNOWN; no status at all fails.
        let malformed: [&[u8]; 10] = [
            b"",
            b"x",
            b"-1",
            b"17",
            b"99",
            b"003",
            b"1 ",
            "١".as_bytes(),
            b"\xff",
            b"0\t",
        ];
        for bad in malformed {
            let value = http::HeaderValue::from_bytes(bad)
                .unwrap_or_else(|e| panic!("{bad:?} is a legal header value: {e}"));
            let mut map = HeaderMap::new();
            map.insert("grpc-status", value);
            assert!(
                !GrpcTrailers.classify_eos(Some(&map)),
                "{bad:?} in trailers"
            );
            let mut head = response(200, &[("content-type", "application/grpc")]);
            head.headers_mut().extend(map);
            assert_eq!(
                HttpOrGrpc.classify_response(&head),
                Classification::Failure,
                "{bad:?} in headers"
            );
        }
        assert!(!GrpcTrailers.classify_eos(None));
        assert!(!GrpcTrailers.classify_eos(Some(&HeaderMap::new())));
    }

    /// gRPC is told by its content-type wherever it sits among the
    /// headers, and only by the first value.
    #[test]
    fn grpc_is_told_among_few_and_many_headers() {
        let padding: Vec<(&'static str, &'static str)> = (0..12)
            .map(|i| {
                let name: &'static str = Box::leak(format!("x-pad-{i}").into_boxed_str());
                (name, "1")
            })
            .collect();
        for before in [0, 3, 7, 12] {
            let mut headers = padding[..before].to_vec();
            headers.push(("content-type", "application/grpc"));
            headers.push(("grpc-status", "14"));
            let got = HttpOrGrpc.classify_response(&response(200, &headers));
            assert_eq!(got, Classification::Failure, "{before} headers before");
            headers.pop();
            headers.push(("content-type", "text/plain"));
            let got = HttpOrGrpc.classify_response(&response(200, &headers));
            assert!(
                matches!(got, Classification::AtEndOfStream(_)),
                "{before} headers before: the first content-type counts"
            );
        }
        let plain = [("content-type", "application/json"), ("grpc-status", "14")];
        assert_eq!(
            HttpOrGrpc.classify_response(&response(200, &plain)),
            Classification::Success
        );
    }

    #[test]
    fn tower_http_classifiers_adapt() {
        use tower_http::classify::{GrpcErrorsAsFailures, StatusInRangeAsFailures};
        let strict = TowerHttp(StatusInRangeAsFailures::new(400..=599));
        assert!(matches!(
            strict.classify_response(&response(404, &[])),
            Classification::Failure
        ));
        assert!(matches!(
            strict.classify_response(&response(200, &[])),
            Classification::Success
        ));
        let grpc = TowerHttp(GrpcErrorsAsFailures::new());
        let Classification::AtEndOfStream(eos) = grpc.classify_response(&response(200, &[])) else {
            panic!("tower-http's gRPC classifier defers to trailers");
        };
        assert!(!eos.classify_eos(Some(&trailers("5"))));
    }
}
