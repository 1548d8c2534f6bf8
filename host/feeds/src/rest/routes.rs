//! The feed-values REST contract, routed by hand to match Express: case-insensitive paths, a
//! tolerated trailing slash, the Nest status codes and error bodies, and a 404 for everything else
//! (wrong methods included).

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{
    AppState,
    json::{JsValue, js_number, write_string},
    openapi,
};
use crate::bindings::types::FeedId;

/// Largest accepted body (Express's JSON parser default, 100 kB).
pub const BODY_LIMIT: usize = 100 * 1024;

/// The entry point of the public listener.
pub async fn dispatch(State(state): State<AppState>, request: Request) -> Response {
    let method = request.method().clone();
    let original = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_owned(), |p| p.to_string());
    let path = normalise(request.uri().path());
    let query = request.uri().query().map(str::to_owned);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();

    match (&method, segments.as_slice()) {
        (&Method::POST, ["feed-values"]) => {
            with_feeds(request, |feeds| async move {
                current_values(&state, feeds).await
            })
            .await
        }
        (&Method::POST, ["feed-values", round]) if !round.is_empty() => match parse_int(round) {
            Some(round) => {
                with_feeds(request, |feeds| async move {
                    round_values(&state, round, feeds).await
                })
                .await
            }
            None => after_body(request, bad_numeric()).await,
        },
        (&Method::POST, ["volumes"]) => {
            let window = match query_param(query.as_deref(), "window") {
                None => Some(60.0),
                Some(raw) => parse_int(&raw),
            };
            match window {
                Some(window) => {
                    with_feeds(request, |feeds| async move {
                        volumes(&state, window, feeds).await
                    })
                    .await
                }
                None => after_body(request, bad_numeric()).await,
            }
        }
        (&Method::GET | &Method::HEAD, ["api-doc"]) => html(openapi::API_DOC_HTML),
        (&Method::GET | &Method::HEAD, ["api-doc-json"]) => with_type(
            StatusCode::OK,
            openapi::document_json(),
            "application/json; charset=utf-8",
        ),
        (&Method::GET | &Method::HEAD, ["api-doc-yaml"]) => {
            // JSON is YAML; the document is the same.
            with_type(
                StatusCode::OK,
                openapi::document_json(),
                "text/yaml; charset=utf-8",
            )
        }
        (&Method::GET | &Method::HEAD, ["health"]) => health(&state),
        _ => not_found(&method, &original),
    }
}

/// Lower-cases the path and drops one trailing slash (Express's non-strict, case-insensitive routing).
pub fn normalise(path: &str) -> String {
    let lower = path.to_ascii_lowercase();
    match lower.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() && !stripped.ends_with('/') => stripped.to_owned(),
        _ => lower,
    }
}

/// Nest's ParseIntPipe: `-?\d+`, then a JavaScript number.
pub fn parse_int(raw: &str) -> Option<f64> {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    let query = query?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// What the request body turned out to be.
enum Body400 {
    Feeds(Vec<JsValue>),
    Response(Response),
}

/// Reads and checks the body like Express's JSON parser followed by the handler's `body.feeds.map`.
async fn read_feeds(request: Request) -> Body400 {
    if !is_json(request.headers()) {
        // The reference does not parse it and its handler crashes on the missing `feeds` (a 500); it is the
        // client's fault, so it is answered as such, in Nest's error shape.
        return Body400::Response(error_4xx(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ));
    }
    let body = match axum::body::to_bytes(request.into_body(), BODY_LIMIT + 1).await {
        Ok(body) if body.len() <= BODY_LIMIT => body,
        _ => return Body400::Response(too_large()),
    };
    let value = match parse_body(&body) {
        Ok(Some(value)) => value,
        Ok(None) => return Body400::Response(feeds_missing()),
        Err(message) => return Body400::Response(error_4xx(StatusCode::BAD_REQUEST, &message)),
    };
    match value.get("feeds") {
        Some(JsValue::Array(feeds)) => Body400::Feeds(feeds.clone()),
        _ => Body400::Response(feeds_missing()),
    }
}

/// A body without a `feeds` array: the reference crashes (500); this is a client error, a 400 in Nest's shape.
fn feeds_missing() -> Response {
    error_4xx(StatusCode::BAD_REQUEST, "feeds must be an array")
}

/// Runs `handler` on the feeds of a well-formed body, or answers with the body's error.
async fn with_feeds<F, Fut>(request: Request, handler: F) -> Response
where
    F: FnOnce(Vec<JsValue>) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    match read_feeds(request).await {
        Body400::Feeds(feeds) => handler(feeds).await,
        Body400::Response(response) => response,
    }
}

/// A parameter error is reported after the body is parsed (a malformed body wins, as in Express).
async fn after_body(request: Request, response: Response) -> Response {
    if !is_json(request.headers()) {
        return response;
    }
    match axum::body::to_bytes(request.into_body(), BODY_LIMIT + 1).await {
        Ok(body) if body.len() <= BODY_LIMIT => match parse_body(&body) {
            Ok(_) => response,
            Err(message) => error_4xx(StatusCode::BAD_REQUEST, &message),
        },
        _ => too_large(),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// Parses like body-parser's strict JSON mode: empty → `None`; the first character must open an
/// object or an array; errors carry a `JSON.parse`-style message.
fn parse_body(body: &Bytes) -> Result<Option<JsValue>, String> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r']);
    let Some(first) = trimmed.chars().next() else {
        return Ok(None);
    };
    if first != '{' && first != '[' {
        return Err(format!(
            "Unexpected token '{first}', {} is not valid JSON",
            snippet(trimmed)
        ));
    }
    serde_json::from_str::<JsValue>(&text)
        .map(Some)
        .map_err(|e| json_parse_message(&text, &e))
}

/// The quoted excerpt V8 puts in its messages: the whole text when short, else its start.
fn snippet(text: &str) -> String {
    if text.chars().count() <= 10 {
        return format!("\"{text}\"");
    }
    format!("\"{}\"...", text.chars().take(10).collect::<String>())
}

/// A message in the style of V8's `JSON.parse` errors (informational; callers only see a 400).
fn json_parse_message(text: &str, error: &serde_json::Error) -> String {
    if error.is_eof() {
        return "Unexpected end of JSON input".to_owned();
    }
    let (line, column) = (error.line(), error.column());
    let position = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(|l| l.chars().count())
        .sum::<usize>()
        + column.saturating_sub(1);
    let token = text
        .chars()
        .nth(position)
        .map_or_else(String::new, |c| c.to_string());
    if error.to_string().contains("trailing characters") {
        return format!(
            "Unexpected non-whitespace character after JSON at position {position} (line {line} column {column})"
        );
    }
    format!(
        "Unexpected token '{token}', {} is not valid JSON",
        snippet(text)
    )
}

/// The plugin's view of a requested feed: a category 0-255 (a number or a numeric string, as the
/// reference's `${category}:${name}` lookup treats them alike) and a string name.
fn feed_key(feed: &JsValue) -> Option<FeedId> {
    let category = match feed.get("category")? {
        JsValue::Number(n) => *n,
        JsValue::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    let name = match feed.get("name")? {
        JsValue::String(s) => s.clone(),
        _ => return None,
    };
    if category.fract() != 0.0 || !(0.0..=255.0).contains(&category) {
        return None;
    }
    Some(FeedId {
        category: category as u8,
        name,
    })
}

/// `"data":[{"feed":…,"value":…},…]`.
fn write_values(out: &mut String, feeds: &[JsValue], values: &[Option<f64>]) {
    out.push_str("\"data\":[");
    for (i, feed) in feeds.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"feed\":");
        feed.write(out);
        if let Some(Some(value)) = values.get(i)
            && value.is_finite()
        {
            out.push_str(",\"value\":");
            out.push_str(&js_number(*value));
        }
        out.push('}');
    }
    out.push(']');
}

async fn lookup(state: &AppState, feeds: &[JsValue], round: Option<u32>) -> Vec<Option<f64>> {
    let keys: Vec<Option<FeedId>> = feeds.iter().map(feed_key).collect();
    state.registry.values(&keys, round).await
}

async fn round_values(state: &AppState, round: f64, feeds: Vec<JsValue>) -> Response {
    let plugin_round = (round >= 0.0 && round <= f64::from(u32::MAX)).then_some(round as u32);
    let values = lookup(state, &feeds, plugin_round).await;
    let mut out = String::with_capacity(64 + feeds.len() * 48);
    out.push_str("{\"votingRoundId\":");
    out.push_str(&js_number(round));
    out.push(',');
    write_values(&mut out, &feeds, &values);
    out.push('}');
    tracing::debug!(round = %js_number(round), feeds = feeds.len(), "feed values for voting round");
    json(StatusCode::CREATED, out)
}

async fn current_values(state: &AppState, feeds: Vec<JsValue>) -> Response {
    let values = lookup(state, &feeds, None).await;
    let mut out = String::with_capacity(16 + feeds.len() * 48);
    out.push('{');
    write_values(&mut out, &feeds, &values);
    out.push('}');
    json(StatusCode::CREATED, out)
}

async fn volumes(state: &AppState, window: f64, feeds: Vec<JsValue>) -> Response {
    let keys: Vec<Option<FeedId>> = feeds.iter().map(feed_key).collect();
    let window_seconds = window.clamp(0.0, f64::from(u32::MAX)) as u32;
    let volumes = match state.registry.volumes(&keys, window_seconds).await {
        Ok(volumes) => volumes,
        // The reference's volume store keeps one hour and throws beyond it.
        Err(too_long) => return internal_error(&too_long.to_string()),
    };
    let Some(volumes) = volumes else {
        return json(StatusCode::CREATED, "{\"data\":[]}".to_owned());
    };
    if window > 3600.0 {
        // The reference's volume store keeps one hour and throws beyond it.
        return internal_error("window exceeds the 3600 s of volume history");
    }
    let mut out = String::from("{\"data\":[");
    for (i, feed) in feeds.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"feed\":");
        feed.write(&mut out);
        out.push_str(",\"volumes\":[");
        for (j, venue) in volumes
            .get(i)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if j > 0 {
                out.push(',');
            }
            out.push_str("{\"exchange\":");
            write_string(&venue.venue, &mut out);
            out.push_str(",\"volume\":");
            out.push_str(&js_number(venue.volume));
            out.push('}');
        }
        out.push_str("]}");
    }
    out.push_str("]}");
    json(StatusCode::CREATED, out)
}

/// `GET /health`: plugins up, each connector's connections and last trade, and each
/// trade-computed feed's value, live sources and newest trade age. "degraded" when a plugin is
/// down or a trade-computed feed has no value.
fn health(state: &AppState) -> Response {
    let status = state.registry.status();
    let feeds = state.registry.feed_health();
    let up = status.iter().filter(|s| s.up).count();
    let with_value = feeds.iter().filter(|f| f.value.is_some()).count();
    let connectors: Vec<_> = status
        .iter()
        .map(|s| {
            serde_json::json!({
                "name": s.name,
                "up": s.up,
                "websockets_open": s.websockets_open,
                "trades": s.trades,
                "last_trade_age_ms": s.last_trade_age_ms,
            })
        })
        .collect();
    let healthy = up == status.len() && with_value == feeds.len();
    let body = serde_json::json!({
        "status": if healthy { "ok" } else { "degraded" },
        "plugins": status.len(),
        "plugins_up": up,
        "feeds_with_value": with_value,
        "feeds_total": feeds.len(),
        "connectors": connectors,
        "feeds": feeds,
    });
    json(StatusCode::OK, body.to_string())
}

fn with_type(status: StatusCode, body: String, content_type: &'static str) -> Response {
    let mut response = (status, body).into_response();
    // The security headers come from the router's layer (`super::security_headers`).
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSON response with the reference's headers.
pub fn json(status: StatusCode, body: String) -> Response {
    with_type(status, body, "application/json; charset=utf-8")
}

/// An HTML page with the reference's headers.
pub fn html(page: &'static str) -> Response {
    let mut response = with_type(StatusCode::OK, page.to_owned(), "text/html; charset=utf-8");
    *response.body_mut() = Body::from(page);
    response
}

/// Nest's `HttpException` body: `{"message","error","statusCode"}`.
pub fn error_4xx(status: StatusCode, message: &str) -> Response {
    let mut out = String::from("{\"message\":");
    write_string(message, &mut out);
    out.push_str(",\"error\":");
    write_string(status.canonical_reason().unwrap_or(""), &mut out);
    out.push_str(",\"statusCode\":");
    out.push_str(&status.as_u16().to_string());
    out.push('}');
    json(status, out)
}

/// ParseIntPipe's 400.
pub fn bad_numeric() -> Response {
    error_4xx(
        StatusCode::BAD_REQUEST,
        "Validation failed (numeric string is expected)",
    )
}

fn too_large() -> Response {
    error_4xx(StatusCode::PAYLOAD_TOO_LARGE, "request entity too large")
}

/// Nest's 500 for an unexpected error (logged here with `why`).
pub fn internal_error(why: &str) -> Response {
    tracing::error!("request failed: {why}");
    json(
        StatusCode::INTERNAL_SERVER_ERROR,
        "{\"statusCode\":500,\"message\":\"Internal server error\"}".to_owned(),
    )
}

/// Express's 404 for an unknown route: `Cannot GET /path`.
pub fn not_found(method: &Method, original: &str) -> Response {
    error_4xx(
        StatusCode::NOT_FOUND,
        &format!("Cannot {method} {original}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_case_insensitive_with_an_optional_trailing_slash() {
        assert_eq!(normalise("/Feed-Values/1/"), "/feed-values/1");
        assert_eq!(normalise("/feed-values/"), "/feed-values");
        assert_eq!(normalise("/"), "/");
        assert_eq!(normalise("/feed-values//"), "/feed-values//");
    }

    #[test]
    fn round_ids_follow_parse_int_pipe() {
        assert_eq!(parse_int("5"), Some(5.0));
        assert_eq!(parse_int("-5"), Some(-5.0));
        assert_eq!(parse_int("01"), Some(1.0));
        assert_eq!(parse_int("99999999999999999999"), Some(1e20));
        for bad in ["+1", "1.5", "1e3", "abc", "", "-"] {
            assert_eq!(parse_int(bad), None, "{bad}");
        }
    }

    #[test]
    fn feed_keys_accept_numeric_string_categories() {
        let feed = |s: &str| serde_json::from_str::<JsValue>(s).unwrap();
        assert_eq!(
            feed_key(&feed(r#"{"category":"1","name":"BTC/USD"}"#))
                .unwrap()
                .category,
            1
        );
        assert!(feed_key(&feed(r#"{"category":1.5,"name":"BTC/USD"}"#)).is_none());
        assert!(feed_key(&feed(r#"{"category":256,"name":"BTC/USD"}"#)).is_none());
        assert!(feed_key(&feed(r#"{"name":"BTC/USD"}"#)).is_none());
    }
}
