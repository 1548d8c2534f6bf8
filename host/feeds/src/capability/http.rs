//! `http`: GET and POST requests to allow-listed hosts, with a timeout and a body size cap.

use crate::{bindings::http, sandbox::PluginState};

/// Checks the URL against the scheme and the allow-list.
fn check_url(caps: &super::Capabilities, raw: &str) -> Result<url::Url, http::Error> {
    let url = url::Url::parse(raw).map_err(|e| http::Error::InvalidUrl(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(http::Error::InvalidUrl(format!(
            "scheme {:?} is not http or https",
            url.scheme()
        )));
    }
    if !caps.allow_list.allows(&url) {
        return Err(http::Error::AccessDenied);
    }
    Ok(url)
}

async fn fetch(
    mut request: reqwest::RequestBuilder,
    headers: Vec<(String, String)>,
    max_body: usize,
) -> Result<http::Response, http::Error> {
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let mut response = request.send().await.map_err(|e| {
        if e.is_timeout() {
            http::Error::Timeout
        } else {
            http::Error::Other(format!("{e}"))
        }
    })?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    if response
        .content_length()
        .is_some_and(|len| len > max_body as u64)
    {
        return Err(http::Error::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        if e.is_timeout() {
            http::Error::Timeout
        } else {
            http::Error::Other(format!("{e}"))
        }
    })? {
        if body.len() + chunk.len() > max_body {
            return Err(http::Error::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(http::Response {
        status,
        headers,
        body,
    })
}

impl PluginState {
    /// Checks the URL, then sends the request built by `build` and waits for the response
    /// within the host's timeout.
    fn send(
        &self,
        method: &'static str,
        url: &str,
        headers: Vec<(String, String)>,
        build: impl FnOnce(&reqwest::Client, url::Url) -> reqwest::RequestBuilder,
    ) -> Result<http::Response, http::Error> {
        let caps = &self.caps;
        let url = match check_url(caps, url) {
            Ok(url) => url,
            Err(error) => {
                tracing::warn!(plugin = %caps.plugin, method, %url, ?error, "plugin http request refused");
                return Err(error);
            }
        };
        let timeout = caps.http_timeout;
        let fut = fetch(build(&caps.http, url), headers, caps.http_max_body_bytes);
        caps.runtime.block_on(async move {
            tokio::time::timeout(timeout, fut)
                .await
                .unwrap_or(Err(http::Error::Timeout))
        })
    }
}

impl http::Host for PluginState {
    fn get(
        &mut self,
        url: String,
        headers: Vec<(String, String)>,
    ) -> wasmtime::Result<Result<http::Response, http::Error>> {
        Ok(self.send("GET", &url, headers, |client, url| client.get(url)))
    }

    fn post(
        &mut self,
        url: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> wasmtime::Result<Result<http::Response, http::Error>> {
        Ok(self.send("POST", &url, headers, |client, url| {
            client.post(url).body(body)
        }))
    }
}
