//! What every read-only endpoint of `slo` answers (`/slo` in `slo-tower`,
//! `/metrics` in `slo-prometheus`): `GET` the representation, `HEAD` the
//! same headers without the body, any other method 405 with
//! `Allow: GET, HEAD`.

use bytes::Bytes;
use http::{HeaderValue, Method, Response, StatusCode, header};
use http_body_util::Full;

/// Answers `method` with the representation `represent` makes (its body
/// and content type), or with the status and text it gives instead (an
/// error). `represent` runs for `GET` and `HEAD` only.
pub fn respond(
    method: &Method,
    represent: impl FnOnce() -> Result<(Vec<u8>, &'static str), (StatusCode, &'static str)>,
) -> Response<Full<Bytes>> {
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD\n");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let (body, content_type) = match represent() {
        Ok(representation) => representation,
        Err((status, text)) => return plain(status, text),
    };
    let length = body.len();
    let body = if method == Method::HEAD {
        Bytes::new()
    } else {
        Bytes::from(body)
    };
    let mut response = Response::new(Full::new(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// A short text response.
pub fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn body(response: Response<Full<Bytes>>) -> Bytes {
        futures_util::FutureExt::now_or_never(response.into_body().collect())
            .map(|collected| collected.map(|c| c.to_bytes()).unwrap_or_default())
            .unwrap_or_default()
    }

    #[test]
    fn get_has_the_body_head_its_headers_and_the_rest_405() {
        let represent = || Ok((b"hello".to_vec(), "text/plain"));
        let get = respond(&Method::GET, represent);
        assert_eq!(get.status(), StatusCode::OK);
        assert_eq!(get.headers()[header::CONTENT_LENGTH], "5");
        assert_eq!(body(get), "hello");
        let head = respond(&Method::HEAD, represent);
        assert_eq!(head.headers()[header::CONTENT_LENGTH], "5");
        assert_eq!(head.headers()[header::CONTENT_TYPE], "text/plain");
        assert!(body(head).is_empty());
        for method in [Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS] {
            let refused = respond(&method, || panic!("{method} must not render"));
            assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
            assert_eq!(refused.headers()[header::ALLOW], "GET, HEAD");
        }
    }
}
