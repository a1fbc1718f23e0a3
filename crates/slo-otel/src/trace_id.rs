//! Trace ids from the OpenTelemetry context: what the `/slo` page's recent
//! bad events and `/metrics`' exemplars link to, when the service traces
//! with the OpenTelemetry API (the span a request or call runs in).
//!
//! With `tracing-opentelemetry`, a span's context lives in the `tracing`
//! span, not in [`Context::current`]: read it there
//! (`tracing::Span::current().context()`) and give it to [`trace_id_of`].

use opentelemetry::Context;
use opentelemetry::trace::TraceContextExt as _;
use slo_core::recent::TraceId;

/// The trace id of the span in `context`, local or remote; `None` when it
/// holds no valid span context.
///
/// ```
/// use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceState};
/// use opentelemetry::Context;
/// let remote = SpanContext::new(
///     opentelemetry::trace::TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736")?,
///     SpanId::from_hex("00f067aa0ba902b7")?,
///     TraceFlags::SAMPLED,
///     true,
///     TraceState::default(),
/// );
/// let context = Context::new().with_remote_span_context(remote);
/// let id = slo_otel::trace_id_of(&context).unwrap();
/// assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert_eq!(slo_otel::trace_id_of(&Context::new()), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn trace_id_of(context: &Context) -> Option<TraceId> {
    let span = context.span();
    let span_context = span.span_context();
    if !span_context.is_valid() {
        return None;
    }
    TraceId::from_bytes(span_context.trace_id().to_bytes())
}

/// The trace id of the current context's span ([`Context::current`]),
/// read without cloning the context.
pub fn current_trace_id() -> Option<TraceId> {
    Context::map_current(trace_id_of)
}
