//! `/slo`: JSON for programs (the
//! [status document](slo_core::semantics#the-status-document)), an HTML
//! page for people.
//!
//! `GET` answers JSON unless the client prefers HTML (`Accept: text/html`
//! ranked above JSON, as browsers send) or asks with `?format=html`
//! (`?format=json` forces JSON). `HEAD` answers the same headers without a
//! body; other methods get 405 with `Allow: GET, HEAD`.

mod chart;
mod html;
mod journeys;
mod parts;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use slo_core::Registry;
use slo_http::{accept, read_only};

/// The `/slo` endpoint as a Tower service; mount it on any path.
///
/// ```
/// use slo_core::{Registry, SloDefinition, Spec};
/// use slo_tower::SloEndpoint;
/// let spec = Spec::builder("shop")
///     .slo(SloDefinition::builder("checkout").objective(0.999))
///     .build()?;
/// let endpoint = SloEndpoint::new(Registry::new(spec));
/// let page = endpoint.render(&http::Method::GET, &http::HeaderMap::new(), None);
/// assert_eq!(page.status(), 200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct SloEndpoint {
    registry: Registry,
    trace_url: Option<std::sync::Arc<str>>,
}

/// A trace-viewer URL template that is not an `http(s)://` URL with
/// `{trace_id}` in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an http:// or https:// URL with {{trace_id}} in it")]
pub struct TraceUrlError(pub String);

/// The representation a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Html,
}

impl SloEndpoint {
    /// The endpoint for `registry`.
    pub fn new(registry: Registry) -> SloEndpoint {
        SloEndpoint {
            registry,
            trace_url: None,
        }
    }

    /// Links each recent bad event's trace id on the page to a trace
    /// viewer: `template` with `{trace_id}` replaced by the id, such as
    /// `https://jaeger.example/trace/{trace_id}` or Grafana Tempo's explore
    /// URL. Without one, trace ids are shown as text. Refuses a template
    /// that is not an `http://` or `https://` URL or lacks `{trace_id}`.
    ///
    /// ```
    /// # use slo_core::{Registry, SloDefinition, Spec};
    /// # use slo_tower::SloEndpoint;
    /// # let registry = Registry::new(Spec::builder("s").slo(SloDefinition::builder("a").objective(0.9)).build()?);
    /// let endpoint = SloEndpoint::new(registry).trace_url("https://jaeger.example/trace/{trace_id}")?;
    /// assert!(SloEndpoint::new(endpoint.registry().clone()).trace_url("javascript:{trace_id}").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trace_url(mut self, template: &str) -> Result<SloEndpoint, TraceUrlError> {
        let web = template.starts_with("https://") || template.starts_with("http://");
        if !web || !template.contains("{trace_id}") || template.chars().any(char::is_control) {
            return Err(TraceUrlError(template.to_owned()));
        }
        self.trace_url = Some(template.into());
        Ok(self)
    }

    /// The registry it serves.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Answers a request with this method, headers and query string.
    pub fn render(
        &self,
        method: &Method,
        headers: &http::HeaderMap,
        query: Option<&str>,
    ) -> Response<Full<Bytes>> {
        let mut response = read_only::respond(method, || {
            let status = self.registry.status();
            match negotiate(headers, query) {
                Format::Json => match serde_json::to_vec(&status) {
                    Ok(json) => Ok((json, "application/json")),
                    Err(_) => Err((
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "status did not serialize\n",
                    )),
                },
                Format::Html => {
                    let now = self.registry.clock().now();
                    let histories = status
                        .slos
                        .iter()
                        .map(|slo| self.registry.history(&slo.name, now).ok())
                        .collect::<Vec<_>>();
                    Ok((
                        html::page(&status, &histories, self.trace_url.as_deref()).into_bytes(),
                        "text/html; charset=utf-8",
                    ))
                }
            }
        });
        if response.status() == StatusCode::OK {
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::VARY, HeaderValue::from_static("accept"));
        }
        response
    }
}

/// JSON unless the query or the `Accept` header ranks HTML higher.
fn negotiate(headers: &http::HeaderMap, query: Option<&str>) -> Format {
    for pair in query.unwrap_or("").split('&') {
        match pair {
            "format=json" => return Format::Json,
            "format=html" => return Format::Html,
            _ => {}
        }
    }
    let mut html = 0.0_f32;
    let mut json = 0.0_f32;
    for range in accept::media_ranges(headers) {
        if range.is("text/html") || range.is("application/xhtml+xml") {
            html = html.max(range.q);
        } else if range.is("application/json") || range.is("application/*") || range.is("*/*") {
            json = json.max(range.q);
        }
    }
    if html > json {
        Format::Html
    } else {
        Format::Json
    }
}

slo_http::answered_at_once!(SloEndpoint, SloEndpoint::answer);

impl SloEndpoint {
    fn answer<B>(&self, request: &Request<B>) -> Response<Full<Bytes>> {
        self.render(request.method(), request.headers(), request.uri().query())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &'static str) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn browsers_get_html_and_programs_json() {
        let chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";
        assert_eq!(negotiate(&accept(chrome), None), Format::Html);
        assert_eq!(negotiate(&accept("*/*"), None), Format::Json);
        assert_eq!(negotiate(&http::HeaderMap::new(), None), Format::Json);
        assert_eq!(negotiate(&accept("application/json"), None), Format::Json);
        assert_eq!(
            negotiate(&accept("application/json, text/html;q=0.5"), None),
            Format::Json
        );
        assert_eq!(
            negotiate(&accept(chrome), Some("format=json")),
            Format::Json
        );
        assert_eq!(
            negotiate(&accept("*/*"), Some("a=1&format=html")),
            Format::Html
        );
    }
}
