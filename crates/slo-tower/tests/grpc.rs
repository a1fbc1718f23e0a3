//! The layer on a real tonic server, called by a real tonic client over
//! HTTP/2: codes in trailers-only responses, codes in the trailers after
//! streamed messages, and malformed statuses.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, BufMut};
use common::*;
use http::uri::PathAndQuery;
use slo_tower::SloLayer;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::server::NamedService;
use tonic::{Code, Status};

/// Messages are raw bytes: no protobuf compiler needed.
#[derive(Clone, Default)]
struct RawCodec;
struct RawEncoder;
struct RawDecoder;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;
    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }
    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        let bytes = src.copy_to_bytes(src.remaining());
        Ok(Some(bytes.to_vec()))
    }
}

/// `test.Echo`: `Unary` answers OK for code 0 and fails with the code it was
/// sent otherwise (a trailers-only response); `Stream` sends one message and
/// then ends with that code in the trailers.
#[derive(Clone)]
struct Echo;

impl NamedService for Echo {
    const NAME: &'static str = "test.Echo";
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

fn status_for(request: &[u8]) -> Option<Status> {
    match request.first().copied().unwrap_or(0) {
        0 => None,
        code => Some(Status::new(Code::from_i32(i32::from(code)), "as asked")),
    }
}

impl tower_service::Service<http::Request<tonic::body::Body>> for Echo {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        Box::pin(async move {
            let mut grpc = tonic::server::Grpc::new(RawCodec);
            let response = match request.uri().path() {
                "/test.Echo/Unary" => {
                    let unary = tower::service_fn(|r: tonic::Request<Vec<u8>>| async move {
                        match status_for(r.get_ref()) {
                            None => Ok(tonic::Response::new(b"ok".to_vec())),
                            Some(status) => Err(status),
                        }
                    });
                    grpc.unary(unary, request).await
                }
                _ => {
                    let streaming = tower::service_fn(|r: tonic::Request<Vec<u8>>| async move {
                        let mut items = vec![Ok(b"first".to_vec())];
                        if let Some(status) = status_for(r.get_ref()) {
                            items.push(Err(status));
                        }
                        Ok::<_, Status>(tonic::Response::new(futures_util::stream::iter(items)))
                    });
                    grpc.server_streaming(streaming, request).await
                }
            };
            Ok(response)
        })
    }
}

const SPEC: &str = r#"
service: grpc
slos:
  - name: unary-availability
    objective: 0.99
    match: {routes: ["POST /test.Echo/Unary"]}
  - name: stream-availability
    objective: 0.99
    match: {routes: ["POST /test.Echo/Stream"]}
  - name: bogus-availability
    objective: 0.99
    match: {routes: ["/bogus/{*rest}"]}
"#;

const FAILING: [i32; 5] = [2, 4, 13, 14, 15];

async fn channel(addr: std::net::SocketAddr) -> tonic::client::Grpc<tonic::transport::Channel> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    tonic::client::Grpc::new(channel)
}

#[tokio::test]
async fn grpc_codes_are_read_from_headers_and_trailers() {
    let registry = registry(SPEC);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let layer = SloLayer::new(&registry);
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .layer(layer)
            .add_service(Echo)
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener))
            .await
            .unwrap();
    });
    let mut grpc = channel(addr).await;
    for code in 0..=16u8 {
        grpc.ready().await.unwrap();
        let answer = grpc
            .unary::<Vec<u8>, Vec<u8>, _>(
                tonic::Request::new(vec![code]),
                PathAndQuery::from_static("/test.Echo/Unary"),
                RawCodec,
            )
            .await;
        match answer {
            Ok(reply) => assert_eq!(code, 0, "{:?}", reply.get_ref()),
            Err(status) => assert_eq!(status.code() as i32, i32::from(code)),
        }
        grpc.ready().await.unwrap();
        let mut stream = grpc
            .server_streaming::<Vec<u8>, Vec<u8>, _>(
                tonic::Request::new(vec![code]),
                PathAndQuery::from_static("/test.Echo/Stream"),
                RawCodec,
            )
            .await
            .unwrap()
            .into_inner();
        assert_eq!(stream.message().await.unwrap().unwrap(), b"first");
        let end = stream.message().await;
        match end {
            Ok(None) => assert_eq!(code, 0),
            Ok(Some(extra)) => panic!("unexpected message {extra:?}"),
            Err(status) => assert_eq!(status.code() as i32, i32::from(code)),
        }
    }
    let bad = FAILING.len() as u64;
    wait_for(&registry, "unary-availability", (17 - bad, bad, 0)).await;
    wait_for(&registry, "stream-availability", (17 - bad, bad, 0)).await;
}

#[tokio::test]
async fn malformed_and_missing_grpc_status_are_failures() {
    use axum::body::Body;
    use http_body::Frame;
    use http_body_util::StreamBody;

    let registry = registry(SPEC);
    // A hand-written gRPC server (axum over HTTP/2) that ends its stream with
    // a status that is no code at all, or with no status.
    let router = axum::Router::new()
        .route(
            "/bogus/{*rest}",
            axum::routing::post(|uri: http::Uri| async move {
                let mut trailers = http::HeaderMap::new();
                if uri.path().ends_with("Banana") {
                    trailers.insert("grpc-status", http::HeaderValue::from_static("banana"));
                }
                if uri.path().ends_with("Ok") {
                    trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
                }
                let frames = futures_util::stream::iter([
                    Ok::<_, Infallible>(Frame::data(bytes::Bytes::from_static(&[
                        0, 0, 0, 0, 1, 7,
                    ]))),
                    Ok(Frame::trailers(trailers)),
                ]);
                http::Response::builder()
                    .header("content-type", "application/grpc")
                    .body(Body::new(StreamBody::new(frames)))
                    .unwrap()
            }),
        )
        .layer(SloLayer::new(&registry));
    let addr = serve(router).await;
    let mut grpc = channel(addr).await;
    for method in ["Banana", "Missing", "Ok"] {
        grpc.ready().await.unwrap();
        let path = PathAndQuery::try_from(format!("/bogus/{method}")).unwrap();
        let mut stream = grpc
            .server_streaming::<Vec<u8>, Vec<u8>, _>(tonic::Request::new(vec![]), path, RawCodec)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(stream.message().await.unwrap().unwrap(), vec![7]);
        let end = stream.message().await;
        if method == "Ok" {
            assert!(matches!(end, Ok(None)), "{end:?}");
        } else {
            assert!(end.is_err(), "{method}: a client sees an error: {end:?}");
        }
    }
    wait_for(&registry, "bogus-availability", (1, 2, 0)).await;
}

/// An SLO's own `grpc_bad` judges both unary (trailers-only) and streamed
/// (trailers) calls, while an SLO of the same calls without one keeps the
/// default codes; the bad events say `server_error`.
#[tokio::test]
async fn an_slo_with_its_own_grpc_bad_judges_its_codes() {
    let spec = r#"
service: grpc
slos:
  - name: unary-strict
    objective: 0.99
    sli:
      availability:
        grpc_bad: [RESOURCE_EXHAUSTED, unavailable, NOT_FOUND]
    match: {routes: ["POST /test.Echo/Unary"]}
  - name: stream-strict
    objective: 0.99
    sli: {latency: {threshold: 10s, grpc_bad: [RESOURCE_EXHAUSTED, UNAVAILABLE, NOT_FOUND]}}
    match: {routes: ["POST /test.Echo/Stream"]}
  - name: everything-default
    objective: 0.99
"#;
    let registry = slo_core::Registry::builder(slo_core::Spec::from_yaml(spec).unwrap())
        .recent_bad(64)
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let layer = SloLayer::new(&registry);
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .layer(layer)
            .add_service(Echo)
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener))
            .await
            .unwrap();
    });
    let mut grpc = channel(addr).await;
    for code in 0..=16u8 {
        grpc.ready().await.unwrap();
        let _ = grpc
            .unary::<Vec<u8>, Vec<u8>, _>(
                tonic::Request::new(vec![code]),
                PathAndQuery::from_static("/test.Echo/Unary"),
                RawCodec,
            )
            .await;
        grpc.ready().await.unwrap();
        let mut stream = grpc
            .server_streaming::<Vec<u8>, Vec<u8>, _>(
                tonic::Request::new(vec![code]),
                PathAndQuery::from_static("/test.Echo/Stream"),
                RawCodec,
            )
            .await
            .unwrap()
            .into_inner();
        while let Ok(Some(_)) = stream.message().await {}
    }
    // NOT_FOUND (5), RESOURCE_EXHAUSTED (8), UNAVAILABLE (14).
    wait_for(&registry, "unary-strict", (14, 3, 0)).await;
    wait_for(&registry, "stream-strict", (14, 3, 0)).await;
    let bad = FAILING.len() as u64;
    wait_for(&registry, "everything-default", (34 - 2 * bad, 2 * bad, 0)).await;
    for name in ["unary-strict", "stream-strict"] {
        let recent = registry.handle(name).unwrap().recent_bad();
        let mut codes: Vec<u8> = recent
            .iter()
            .map(|kept| kept.event.grpc_status.unwrap())
            .collect();
        codes.sort_unstable();
        assert_eq!(codes, [5, 8, 14], "{name}");
        assert!(
            recent
                .iter()
                .all(|kept| kept.event.reason == slo_core::recent::BadReason::ServerError),
            "{name}"
        );
        assert_eq!(bad_reasons(&registry, name), [("server_error", 3)]);
    }
    assert_eq!(
        bad_reasons(&registry, "everything-default"),
        [("server_error", 2 * bad)]
    );
}
