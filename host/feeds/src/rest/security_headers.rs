//! The security headers the reference servers send on every response: those of `helmet()` 7 with its defaults
//! (the value provider and the data provider both install it), and no `X-Powered-By`.
//!
//! One layer for every HTTP server of the node: `router.layer(axum::middleware::map_response(add))`, or
//! [`secure`] on a router.

use axum::{
    Router,
    http::{HeaderMap, HeaderName, HeaderValue},
    response::Response,
};

/// `(name, value)` of each header, in the order helmet sets them.
pub const HEADERS: [(&str, &str); 12] = [
    (
        "content-security-policy",
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';\
         frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';\
         script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
    ),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("origin-agent-cluster", "?1"),
    ("referrer-policy", "no-referrer"),
    (
        "strict-transport-security",
        "max-age=15552000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-dns-prefetch-control", "off"),
    ("x-download-options", "noopen"),
    ("x-frame-options", "SAMEORIGIN"),
    ("x-permitted-cross-domain-policies", "none"),
    ("x-xss-protection", "0"),
];

/// Sets every header of [`HEADERS`] (replacing a value a handler set) and removes `X-Powered-By`.
pub fn apply(headers: &mut HeaderMap) {
    for (name, value) in HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    headers.remove("x-powered-by");
}

/// The middleware function: [`apply`] to a response.
pub async fn add(mut response: Response) -> Response {
    apply(response.headers_mut());
    response
}

/// `router` with the security headers on every response, its fallback and errors included.
pub fn secure<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(axum::middleware::map_response(add))
}

#[cfg(test)]
mod tests {
    use axum::http::header;

    use super::*;

    #[test]
    fn every_header_is_set_and_x_powered_by_is_removed() {
        let mut headers = HeaderMap::new();
        headers.insert("x-powered-by", HeaderValue::from_static("Express"));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        apply(&mut headers);
        assert_eq!(headers.len(), HEADERS.len());
        assert_eq!(headers[header::X_FRAME_OPTIONS], "SAMEORIGIN");
        assert_eq!(headers["x-xss-protection"], "0");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .starts_with("default-src 'self';base-uri 'self';")
        );
    }
}
