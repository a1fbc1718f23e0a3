//! The HTTP layer itself: arbitrary exchanges (method, path, request and
//! response headers, status, body frames with data, trailers, errors and
//! pauses, and a client that reads to the end, stops after some frames,
//! or drops the response future) through `SloService` around a stub
//! service. Every request records exactly once toward exactly the SLOs
//! whose spec rules match it (good + bad + excluded grows by the matched
//! requests, no more, no less); a plain HTTP request's outcome follows
//! the semantics (5xx, a service error or a broken body is bad; a client
//! gone before the end is bad after a 5xx head, else excluded); an SLO
//! never keeps more bad events than it counted; and a bad request that was
//! kept is the newest kept event, with its status and its trace id; and
//! once a request has ended the layer holds no memory for it (its
//! counters and its ring of recent bad events are fixed in size). SLOs
//! with `match.exclude` never count what it names, and those with their
//! own classification leave out the statuses they exclude and count as
//! bad those they list.
#![no_main]

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};

use arbitrary::Arbitrary;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response};
use http_body::{Body, Frame};
use libfuzzer_sys::fuzz_target;
use slo_core::classify::Verdict;
use slo_core::recent::{BadReason, TraceId};
use slo_core::{EventTotals, ManualClock, Registry, Spec, Timestamp};
use slo_tower::SloLayer;
use tower_layer::Layer;
use tower_service::Service;

const SPEC: &str = r#"
service: shop
slos:
  - name: checkout
    objective: 0.999
    match: {routes: ["POST /checkout"]}
  - name: cart
    objective: 0.99
    match: {routes: ["/cart/{id}", "DELETE /cart/{id}/items/{*rest}"]}
  - name: search-latency
    objective: 0.99
    sli: {latency: {threshold: 1h}}
    match: {routes: ["GET /search", "GET /search/{kind}"]}
  - name: api
    objective: 0.99
    match: {routes: ["/api/{*rest}", "PUT /api"]}
  - name: users
    objective: 0.99
    match:
      routes:
        - "GET /v1/users"
        - "GET /v1/users/{id}"
        - "GET /v1/users/{id}/orders"
        - "POST /v1/users/{id}/orders/{order}"
        - "/v1/{*rest}"
        - "GET /health"
  - name: everything
    objective: 0.9
  - name: strict
    objective: 0.99
    sli:
      availability:
        bad: ["5xx", 400, 403, 429]
        excluded: [404, 409]
        grpc_bad: [NOT_FOUND, UNAVAILABLE]
    match:
      routes: ["/cart/{id}", "/api/{*rest}"]
      exclude: ["GET /api/health", "/cart/{id}/items/{*rest}"]
  - name: search-quality
    objective: 0.99
    sli: quality
    match: {routes: ["GET /search", "/api/{*rest}"]}
  - name: all-but-health
    objective: 0.9
    sli: {latency: {threshold: 1h, excluded: [204]}}
    match: {exclude: ["GET /health", "/v1/{*rest}"]}
"#;

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

/// Whether a request has gone through the layer in this process: the
/// first may set up what lives as long as the process (a thread's shard,
/// say), so the memory check starts with the second.
static WARM: AtomicBool = AtomicBool::new(false);

struct Setup {
    registry: Registry,
    layer: SloLayer,
}

/// One registry and layer for the whole run: a layer's route table lives
/// as long as the process, by design, so one per input would leak.
fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let spec = Spec::from_yaml(SPEC).expect("the target's spec is valid");
        // The layer times requests on its own monotonic clock, not the
        // registry's: the latency SLO's threshold of an hour keeps a run
        // preempted on a busy machine from reading as slow, so it is judged
        // like the others.
        let clock = ManualClock::new(Timestamp::from_unix_nanos(1_700_000_000_000_000_000));
        let registry = Registry::builder(spec).clock(clock).recent_bad(4).build();
        let layer = SloLayer::new(&registry);
        Setup { registry, layer }
    })
}

#[derive(Arbitrary, Debug)]
struct Exchange {
    method: MethodSpec,
    path: PathSpec,
    request_headers: Vec<(HeaderSpec, Vec<u8>)>,
    answer: Answer,
    read: Read,
    /// A well-formed `traceparent` (trace id, parent id, flags), put
    /// first among the request's headers: random bytes would almost never
    /// make one, and the kept bad event's trace id is checked against it.
    traceparent: Option<(u128, u64, u8)>,
}

#[derive(Arbitrary, Debug)]
enum MethodSpec {
    Get,
    Post,
    Put,
    Delete,
    Head,
    Token(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum PathSpec {
    Known(u8, u16),
    Any(String),
}

const PATHS: [&str; 16] = [
    "/checkout",
    "/v1/users",
    "/v1/users/{}",
    "/v1/users/{}/orders",
    "/v1/users/{}/orders/{}",
    "/v1/other/{}",
    "/health",
    "/cart/{}",
    "/cart/{}/items/{}",
    "/search",
    "/search/{}",
    "/api",
    "/api/{}",
    "/",
    "/checkout/{}",
    "/cart//items",
];

#[derive(Arbitrary, Debug, Clone)]
enum HeaderSpec {
    ContentType,
    GrpcStatus,
    Traceparent,
    ContentLength,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Answer {
    Error,
    Respond {
        status: u16,
        headers: Vec<(HeaderSpec, Vec<u8>)>,
        frames: Vec<FrameSpec>,
        /// The handler marked the response `slo::Degraded`.
        degraded: bool,
    },
}

#[derive(Arbitrary, Debug, Clone)]
enum FrameSpec {
    Data(Vec<u8>),
    Trailers(Vec<(HeaderSpec, Vec<u8>)>),
    Error,
    Pause,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Read {
    DropFuture,
    Polls(u8),
    ToEnd,
}

fuzz_target!(|exchanges: Vec<Exchange>| {
    let setup = setup();
    let handles: Vec<_> = setup
        .registry
        .handles()
        .map(|(slo, h)| (slo.clone(), h.clone()))
        .collect();
    for exchange in exchanges {
        let before: Vec<EventTotals> = handles.iter().map(|(_, h)| h.totals()).collect();
        let newest_before: Vec<Option<u64>> = handles.iter().map(|(_, h)| newest(h)).collect();
        let not_kept_before: Vec<u64> = handles
            .iter()
            .map(|(_, h)| h.bad_events_not_kept())
            .collect();
        let live_before = alloc::live();
        let Some(request) = request(&exchange) else {
            continue;
        };
        let method = request.method().as_str().to_owned();
        let path = request.uri().path().to_owned();
        let trace_id = request
            .headers()
            .get("traceparent")
            .and_then(|value| TraceId::from_traceparent(value.as_bytes()));
        let (expected, status) = run(&setup.layer, request, &exchange);
        // What is live now and was not before: the strings just above,
        // nothing of the request, its response or the layer's.
        let held = alloc::live().saturating_sub(live_before);
        let ours = method.capacity() + path.capacity();
        if WARM.swap(true, Ordering::Relaxed) {
            assert!(
                held <= ours,
                "{held} bytes still held after {method} {path:?} ended ({ours} are the target's): {exchange:?}"
            );
        }
        for (i, ((slo, handle), before)) in handles.iter().zip(&before).enumerate() {
            let after = handle.totals();
            let grew = |a: u64, b: u64| a.checked_sub(b).expect("counters never go back");
            let good = grew(after.good, before.good);
            let bad = grew(after.bad, before.bad);
            let excluded = grew(after.excluded, before.excluded);
            let by_status = grew(after.status, before.status);
            let matched = slo.matches(&method, &path);
            // Every bad event has one reason, and the reasons sum to bad.
            assert_eq!(after.bad_reasons.total(), after.bad, "{}", slo.name());
            let reasons: Vec<(BadReason, u64)> = after
                .bad_reasons
                .iter()
                .zip(before.bad_reasons.iter())
                .map(|((reason, a), (_, b))| (reason, grew(a, b)))
                .filter(|(_, n)| *n > 0)
                .collect();
            assert_eq!(
                reasons.iter().map(|(_, n)| n).sum::<u64>(),
                bad,
                "{}: {exchange:?}",
                slo.name()
            );
            assert_eq!(
                good + bad + excluded + by_status,
                u64::from(matched),
                "{} for {method} {path:?}: {exchange:?}",
                slo.name()
            );
            // An SLO with its own classification: a status it excludes is
            // left out, one it lists as bad is bad, however the exchange
            // went on (gRPC or not, ended or dropped).
            let classification = slo.classification();
            if let (true, Some(status), false) = (matched, status, classification.is_default()) {
                match classification.http_verdict(status) {
                    Verdict::Excluded => assert_eq!(
                        by_status,
                        1,
                        "{} for {method} {path:?} {status}: {exchange:?}",
                        slo.name()
                    ),
                    // A failed head is the first reason that holds.
                    Verdict::Failed { server_error } => assert_eq!(
                        reasons,
                        [(
                            if server_error {
                                BadReason::ServerError
                            } else {
                                BadReason::Status
                            },
                            1
                        )],
                        "{} for {method} {path:?} {status}: {exchange:?}",
                        slo.name()
                    ),
                    Verdict::Succeeded => {}
                }
            } else if let (true, Some(expected)) = (matched, expected) {
                let got = if good == 1 {
                    Ended::Good
                } else if bad == 1 {
                    Ended::Bad
                } else {
                    Ended::Excluded
                };
                let degraded = matches!(exchange.answer, Answer::Respond { degraded: true, .. })
                    && *slo.sli() == slo_core::Sli::Quality;
                match (degraded, expected) {
                    // What availability calls good, quality calls degraded.
                    (true, Ended::Good) => assert_eq!(
                        (got, reasons.as_slice()),
                        (Ended::Bad, [(BadReason::Degraded, 1)].as_slice()),
                        "{} for {method} {path:?}: {exchange:?}",
                        slo.name()
                    ),
                    // Left before the end: excluded, or degraded if the
                    // head had come.
                    (true, Ended::Excluded) => assert!(
                        got == Ended::Excluded
                            || reasons.as_slice() == [(BadReason::Degraded, 1)],
                        "{} for {method} {path:?}: {exchange:?}",
                        slo.name()
                    ),
                    _ => assert_eq!(
                        got,
                        expected,
                        "{} for {method} {path:?}: {exchange:?}",
                        slo.name()
                    ),
                }
            }
            let kept = handle.recent_bad();
            assert!(kept.len() <= 4);
            if bad == 1 && handle.bad_events_not_kept() == not_kept_before[i] {
                // This request's bad event is the newest kept, as it was.
                let event = kept.first().expect("a bad event kept");
                assert_ne!(
                    Some(event.sequence),
                    newest_before[i],
                    "{}: not kept",
                    slo.name()
                );
                assert_eq!(event.event.status, status, "{}: {exchange:?}", slo.name());
                // The kept event names the reason it was counted with.
                assert_eq!(
                    [(event.event.reason, 1)].as_slice(),
                    reasons.as_slice(),
                    "{}: {exchange:?}",
                    slo.name()
                );
                assert_eq!(
                    event.event.trace_id,
                    trace_id,
                    "{}: {exchange:?}",
                    slo.name()
                );
            }
        }
    }
});

fn newest(handle: &slo_core::SliHandle) -> Option<u64> {
    handle.recent_bad().first().map(|kept| kept.sequence)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ended {
    Good,
    Bad,
    Excluded,
}

fn request(exchange: &Exchange) -> Option<Request<()>> {
    let method = match &exchange.method {
        MethodSpec::Get => Method::GET,
        MethodSpec::Post => Method::POST,
        MethodSpec::Put => Method::PUT,
        MethodSpec::Delete => Method::DELETE,
        MethodSpec::Head => Method::HEAD,
        MethodSpec::Token(bytes) => Method::from_bytes(bytes).ok()?,
    };
    let path = match &exchange.path {
        PathSpec::Known(i, id) => {
            PATHS[usize::from(*i) % PATHS.len()].replace("{}", &id.to_string())
        }
        PathSpec::Any(text) => text.clone(),
    };
    let mut request = Request::builder().method(method).uri(path).body(()).ok()?;
    let mut map = HeaderMap::new();
    if let Some((trace, parent, flags)) = exchange.traceparent {
        let value = format!("00-{trace:032x}-{parent:016x}-{flags:02x}");
        map.append("traceparent", HeaderValue::from_str(&value).ok()?);
    }
    append_headers(&mut map, &exchange.request_headers);
    *request.headers_mut() = map;
    Some(request)
}

fn headers(specs: &[(HeaderSpec, Vec<u8>)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    append_headers(&mut map, specs);
    map
}

fn append_headers(map: &mut HeaderMap, specs: &[(HeaderSpec, Vec<u8>)]) {
    for (name, value) in specs {
        let name = match name {
            HeaderSpec::ContentType => http::header::CONTENT_TYPE,
            HeaderSpec::GrpcStatus => HeaderName::from_static("grpc-status"),
            HeaderSpec::Traceparent => HeaderName::from_static("traceparent"),
            HeaderSpec::ContentLength => http::header::CONTENT_LENGTH,
            HeaderSpec::Other(text) => match HeaderName::from_bytes(text.as_bytes()) {
                Ok(name) => name,
                Err(_) => continue,
            },
        };
        if let Ok(value) = HeaderValue::from_bytes(value) {
            map.append(name, value);
        }
    }
}

/// The stub service's body: the frames as given, a pause as one
/// `Pending`; it ends when no frame is left.
struct Frames(VecDeque<FrameSpec>);

impl Body for Frames {
    type Data = Bytes;
    type Error = &'static str;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, &'static str>>> {
        match self.0.pop_front() {
            None => Poll::Ready(None),
            Some(FrameSpec::Data(bytes)) => Poll::Ready(Some(Ok(Frame::data(Bytes::from(bytes))))),
            Some(FrameSpec::Trailers(specs)) => {
                Poll::Ready(Some(Ok(Frame::trailers(headers(&specs)))))
            }
            Some(FrameSpec::Error) => Poll::Ready(Some(Err("the body broke"))),
            Some(FrameSpec::Pause) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_empty()
    }
}

/// Runs one exchange through the layer; returns the outcome the semantics
/// give a plain HTTP request, or `None` for gRPC (whose codes the
/// classifier's own tests cover), and the status a bad event must carry
/// (none when the service failed, or the future was dropped, before a
/// response).
fn run(
    layer: &SloLayer,
    request: Request<()>,
    exchange: &Exchange,
) -> (Option<Ended>, Option<u16>) {
    let answer = match &exchange.answer {
        Answer::Error => Err("the service failed"),
        Answer::Respond {
            status,
            headers: specs,
            frames,
            degraded,
        } => {
            let status = http::StatusCode::from_u16(100 + status % 500).expect("100..=599");
            let mut response = Response::new(Frames(frames.iter().cloned().collect()));
            *response.status_mut() = status;
            *response.headers_mut() = headers(specs);
            if *degraded {
                response.extensions_mut().insert(slo_core::Degraded);
            }
            Ok(response)
        }
    };
    // The classifier's rule: the first content type names gRPC.
    let grpc = answer.as_ref().is_ok_and(|response| {
        response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"))
    });
    let status = answer
        .as_ref()
        .ok()
        .map(|response| response.status().as_u16());
    let failed = answer
        .as_ref()
        .map_or(true, |response| response.status().is_server_error());
    let mut frames: VecDeque<FrameSpec> = match &answer {
        Ok(response) => response.body().0.clone(),
        Err(_) => VecDeque::new(),
    };
    let mut answer = Some(answer);
    let mut service = layer.layer(tower_service_fn(move |_request: Request<()>| {
        std::future::ready(answer.take().expect("one call"))
    }));
    let mut future = Box::pin(service.call(request));
    let mut cx = Context::from_waker(Waker::noop());
    if let Read::DropFuture = exchange.read {
        drop(future);
        return ((!grpc).then_some(Ended::Excluded), None);
    }
    let response = match future.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(response)) => response,
        Poll::Ready(Err(_)) => return ((!grpc).then_some(Ended::Bad), None),
        Poll::Pending => unreachable!("the stub answers at once"),
    };
    let head = if failed { Ended::Bad } else { Ended::Good };
    // The model: what the body's frames make of the request.
    let mut modelled = frames.is_empty().then_some(head);
    let mut body = std::pin::pin!(response.into_body());
    let polls = match exchange.read {
        Read::Polls(n) => usize::from(n),
        _ => usize::MAX,
    };
    for _ in 0..polls {
        let polled = body.as_mut().poll_frame(&mut cx);
        if modelled.is_none() {
            match frames.pop_front() {
                None | Some(FrameSpec::Trailers(_)) => modelled = Some(head),
                Some(FrameSpec::Data(_)) if frames.is_empty() => modelled = Some(head),
                Some(FrameSpec::Error) => modelled = Some(Ended::Bad),
                Some(_) => {}
            }
        }
        if let Poll::Ready(None) = polled {
            break;
        }
    }
    drop(body);
    let ended = modelled.unwrap_or(if failed { Ended::Bad } else { Ended::Excluded });
    ((!grpc).then_some(ended), status)
}

fn tower_service_fn<F, Fut>(
    f: F,
) -> impl Service<Request<()>, Response = Response<Frames>, Error = &'static str, Future = Fut>
where
    F: FnMut(Request<()>) -> Fut,
    Fut: std::future::Future<Output = Result<Response<Frames>, &'static str>>,
{
    struct Stub<F>(F);
    impl<F, Fut> Service<Request<()>> for Stub<F>
    where
        F: FnMut(Request<()>) -> Fut,
        Fut: std::future::Future<Output = Result<Response<Frames>, &'static str>>,
    {
        type Response = Response<Frames>;
        type Error = &'static str;
        type Future = Fut;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, request: Request<()>) -> Fut {
            (self.0)(request)
        }
    }
    Stub(f)
}
