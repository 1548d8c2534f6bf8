//! Outbound HTTP GET and POST through the host, only to hosts on the plugin's `allowed_hosts`.
//!
//! Calls block the plugin until the response arrives (or the host's request timeout), and they
//! count against the call's time budget: poll from [`Plugin::tick`](crate::Plugin::tick), not
//! from `values`.

use serde::de::DeserializeOwned;

pub use crate::bindings::flare::feeds::http::{Error, Response};

/// Performs a GET request and waits for the whole response, whatever its status.
///
/// Fails with `access-denied` when the URL's host is not allowed, `invalid-url`, `timeout`,
/// `too-large` or `other`. Outside a component it always fails with `other`.
pub fn get(url: &str, headers: &[(String, String)]) -> Result<Response, Error> {
    #[cfg(target_arch = "wasm32")]
    {
        crate::bindings::flare::feeds::http::get(url, headers)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (url, headers);
        Err(Error::Other(
            "http is only available inside a component".into(),
        ))
    }
}

/// Performs a POST request with `body` and waits for the whole response, whatever its status
/// (a token handshake). Fails as [`get`] does.
pub fn post(url: &str, headers: &[(String, String)], body: &[u8]) -> Result<Response, Error> {
    #[cfg(target_arch = "wasm32")]
    {
        crate::bindings::flare::feeds::http::post(url, headers, body)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (url, headers, body);
        Err(Error::Other(
            "http is only available inside a component".into(),
        ))
    }
}

/// Why [`get_json`] or [`post_json`] failed.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// The request itself failed.
    #[error("request failed: {0}")]
    Request(Error),
    /// The server answered with a status outside 200..=299.
    #[error("unexpected status {0}")]
    Status(u16),
    /// The body is not the expected JSON.
    #[error("bad JSON body: {0}")]
    Body(#[from] serde_json::Error),
}

/// GETs `url` with `accept: application/json` and reads a 2xx body into `T`.
pub fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, JsonError> {
    let headers = [("accept".to_owned(), "application/json".to_owned())];
    json_body(get(url, &headers))
}

/// POSTs `body` (JSON, `content-type: application/json`) to `url` and reads a 2xx body into
/// `T`.
pub fn post_json<T: DeserializeOwned>(url: &str, body: &str) -> Result<T, JsonError> {
    let headers = [
        ("accept".to_owned(), "application/json".to_owned()),
        ("content-type".to_owned(), "application/json".to_owned()),
    ];
    json_body(post(url, &headers, body.as_bytes()))
}

fn json_body<T: DeserializeOwned>(response: Result<Response, Error>) -> Result<T, JsonError> {
    let response = response.map_err(JsonError::Request)?;
    if !(200..=299).contains(&response.status) {
        return Err(JsonError::Status(response.status));
    }
    Ok(serde_json::from_slice(&response.body)?)
}
