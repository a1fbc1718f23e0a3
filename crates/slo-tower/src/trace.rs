//! Where a request's trace id comes from, for its SLOs' recent bad events.
//! Read on every request a layer counts while any of its SLOs keeps bad
//! events, good ones included, so the default readers cost next to
//! nothing when the request carries no trace.

use slo_core::recent::TraceId;

/// A request's trace, kept as cheaply as it was found: a `traceparent`
/// header's bytes are copied, and parsed only when a bad event needs the
/// id (most requests are good).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trace {
    /// A trace id read already (from an OpenTelemetry context, or by a
    /// reader given to the layer).
    Id(TraceId),
    /// A `traceparent` header: its first 56 bytes (all the W3C parse
    /// reads) and its length.
    Header { head: [u8; 56], len: usize },
}

impl Trace {
    /// The trace of a `traceparent` header's value.
    pub fn header(value: &[u8]) -> Trace {
        let mut head = [0; 56];
        let n = value.len().min(head.len());
        head[..n].copy_from_slice(&value[..n]);
        Trace::Header {
            head,
            len: value.len(),
        }
    }

    /// The trace id, when valid. A header's first 56 bytes decide it as
    /// its whole value would: the W3C parse reads the first 55, and of the
    /// rest only whether there is any and its first byte.
    pub fn id(&self) -> Option<TraceId> {
        match self {
            Trace::Id(id) => Some(*id),
            Trace::Header { head, len } => {
                TraceId::from_traceparent(&head[..(*len).min(head.len())])
            }
        }
    }
}

/// A user's reader; see [`crate::SloLayerBuilder::trace_id`].
pub(crate) type ReadTraceId =
    Box<dyn Fn(&http::HeaderMap, &http::Extensions) -> Option<TraceId> + Send + Sync>;

/// How a layer reads trace ids: one of its own readers, called directly
/// (no call through a pointer on every request), or the user's.
pub(crate) enum TraceIds {
    /// A valid W3C `traceparent` header (with `otel`, the last resort of
    /// [`TraceIds::OtelOrTraceparent`]).
    #[cfg(not(feature = "otel"))]
    Traceparent,
    /// The span of an OpenTelemetry `Context` in the request's extensions
    /// (where some middleware puts it), else of the current context (where
    /// one that attached it while calling inward leaves it), else a valid
    /// `traceparent`. The context's trace is the one the service's own
    /// spans export: the same as the header's when it continued that
    /// trace, and the only one when it started a trace itself.
    #[cfg(feature = "otel")]
    OtelOrTraceparent,
    /// The reader given to the layer's builder.
    Custom(ReadTraceId),
}

impl Default for TraceIds {
    /// The OpenTelemetry context, then `traceparent`, with `otel`;
    /// `traceparent` without.
    fn default() -> TraceIds {
        #[cfg(feature = "otel")]
        return TraceIds::OtelOrTraceparent;
        #[cfg(not(feature = "otel"))]
        TraceIds::Traceparent
    }
}

impl TraceIds {
    /// The request's trace, if it has one: an id read, or a `traceparent`
    /// header's bytes, parsed only if a bad event needs them.
    #[inline]
    pub fn read(&self, headers: &http::HeaderMap, extensions: &http::Extensions) -> Option<Trace> {
        match self {
            #[cfg(not(feature = "otel"))]
            TraceIds::Traceparent => traceparent_header(headers),
            #[cfg(feature = "otel")]
            TraceIds::OtelOrTraceparent => extensions
                .get::<opentelemetry::Context>()
                .and_then(slo_otel::trace_id_of)
                .or_else(slo_otel::current_trace_id)
                .map(Trace::Id)
                .or_else(|| traceparent_header(headers)),
            TraceIds::Custom(read) => read(headers, extensions).map(Trace::Id),
        }
    }
}

/// The header's name, made once: a `&str` key would be parsed and
/// lowercased at every lookup.
static TRACEPARENT: http::HeaderName = http::HeaderName::from_static("traceparent");

/// Up to this many headers, a request's are scanned for `traceparent`;
/// past it, looked up. `HeaderMap::get` hashes the name's eleven bytes and
/// probes, about 180 instructions whatever the request holds; a scan takes
/// about 24 a header (each name's length, then its bytes when eleven), so
/// it wins up to about seven (four headers: +96 against +180).
const SCAN_AT_MOST: usize = 8;

/// The first `traceparent` header, as it came: a request that carries one
/// keeps its bytes, and only a bad event parses them.
#[inline]
fn traceparent_header(headers: &http::HeaderMap) -> Option<Trace> {
    let value = if headers.len() <= SCAN_AT_MOST {
        headers
            .iter()
            .find(|(name, _)| name.as_str().as_bytes() == b"traceparent")?
            .1
    } else {
        headers.get(&TRACEPARENT)?
    };
    Some(Trace::header(value.as_bytes()))
}

/// A valid W3C `traceparent` header's trace id, else none.
#[cfg(test)]
fn traceparent(headers: &http::HeaderMap) -> Option<TraceId> {
    traceparent_header(headers)?.id()
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn a_header_kept_reads_as_the_whole_header_would() {
        let later = b"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more-fields-here";
        let cases: [&[u8]; 6] = [
            VALID.as_bytes(),
            later,
            b"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x-and-more",
            b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
            b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            b"",
        ];
        for value in cases {
            assert_eq!(
                Trace::header(value).id(),
                TraceId::from_traceparent(value),
                "{:?}",
                String::from_utf8_lossy(value)
            );
        }
        assert!(Trace::header(later).id().is_some());
    }

    /// A valid `traceparent`, then a second one with another trace id.
    fn append_two_traceparents(headers: &mut http::HeaderMap) {
        headers.append("traceparent", VALID.parse().unwrap());
        headers.append(
            "traceparent",
            "00-11111111111111111111111111111111-00f067aa0ba902b7-01"
                .parse()
                .unwrap(),
        );
    }

    #[test]
    fn the_first_traceparent_among_other_headers_is_read() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(traceparent(&headers), None);
        headers.insert(http::header::HOST, "shop".parse().unwrap());
        headers.insert("x-request-id", "abc".parse().unwrap());
        assert_eq!(traceparent(&headers), None);
        append_two_traceparents(&mut headers);
        headers.insert(http::header::ACCEPT, "*/*".parse().unwrap());
        let id = traceparent(&headers).map(|id| id.to_string());
        assert_eq!(id.as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert_eq!(
            headers.get("traceparent").map(|v| v.to_str().unwrap()),
            Some(VALID)
        );
    }

    #[test]
    fn a_request_with_many_headers_is_read_alike() {
        let mut headers = http::HeaderMap::new();
        for i in 0..SCAN_AT_MOST + 4 {
            headers.insert(
                http::HeaderName::try_from(format!("x-header-{i}")).unwrap(),
                "v".parse().unwrap(),
            );
        }
        assert!(headers.len() > SCAN_AT_MOST);
        assert_eq!(traceparent(&headers), None);
        append_two_traceparents(&mut headers);
        let id = traceparent(&headers).map(|id| id.to_string());
        assert_eq!(id.as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
    }

    #[test]
    fn an_invalid_traceparent_is_kept_and_reads_as_no_id() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(
            TraceIds::default().read(&headers, &http::Extensions::new()),
            None
        );
        headers.insert("traceparent", "00-zz-00f067aa0ba902b7-01".parse().unwrap());
        let trace = TraceIds::default().read(&headers, &http::Extensions::new());
        assert!(trace.is_some());
        assert_eq!(trace.and_then(|t| t.id()), None);
    }
}
