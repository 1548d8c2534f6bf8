//! [`HttpDataProvider`]: the [`DataProvider`] interface over the reference protocol-data-provider HTTP API (the
//! reference TypeScript FTSO data provider, an FDC client, or another node's API), as the Go system client calls
//! it (system-client digest §3.1–3.2):
//!
//! * `GET {url}/{submit1|submit2|submitSignatures}/{round}/{EIP-55 address}` (a trailing slash on `url` and a
//!   base path such as `/fsp` both work, as Go's `url.JoinPath`);
//! * header `X-API-KEY` when a key is configured (read once from the environment);
//! * one timeout for the whole request;
//! * a non-200 answer, or a body that is not exactly the answer JSON (unknown fields or statuses included), is an
//!   error the caller may retry; `OK`, `EMPTY`, `RETRY` and `NOT_AVAILABLE` are answers.

use std::fmt;
use std::time::Duration;

use alloy_primitives::Address;
use anyhow::Context as _;
use futures::future::BoxFuture;

use crate::provider::{DataProvider, ProviderAnswer, ProviderError};

/// The largest answer body read (the reference reads up to 100 MiB).
const MAX_BODY_BYTES: usize = 100 * 1024 * 1024;

/// A remote data provider reached over HTTP. `Debug` does not show the API key.
#[derive(Clone)]
pub struct HttpDataProvider {
    base_url: String,
    api_key: Option<String>,
    client: reqwest::Client,
}

impl fmt::Debug for HttpDataProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpDataProvider")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl HttpDataProvider {
    /// A client of the API at `base_url` (`http(s)://host:port[/base/path]`), sending `api_key` (if any) as
    /// `X-API-KEY`, each request limited to `timeout`.
    pub fn new(base_url: &str, api_key: Option<String>, timeout: Duration) -> anyhow::Result<Self> {
        let parsed = reqwest::Url::parse(base_url)
            .with_context(|| format!("invalid data provider URL {base_url:?}"))?;
        anyhow::ensure!(
            matches!(parsed.scheme(), "http" | "https"),
            "data provider URL {base_url:?} is not http(s)"
        );
        // https URLs need the process-wide rustls provider (installed once; a no-op when the node did).
        ftso_feeds::install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .context("building the data provider HTTP client")?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: api_key.filter(|key| !key.is_empty()),
            client,
        })
    }

    /// [`Self::new`] with the API key read from the environment variable `api_key_env` (unset or empty: no key).
    pub fn with_key_from_env(
        base_url: &str,
        api_key_env: &str,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        Self::new(base_url, std::env::var(api_key_env).ok(), timeout)
    }

    /// The URL of `route` for `round` and `address` (checksummed, as the Go client sends it).
    pub fn url(&self, route: &str, round: u32, address: Address) -> String {
        format!(
            "{}/{route}/{round}/{}",
            self.base_url,
            address.to_checksum(None)
        )
    }

    async fn get(
        &self,
        route: &'static str,
        round: u32,
        address: Address,
    ) -> Result<ProviderAnswer, ProviderError> {
        let url = self.url(route, round, address);
        tracing::info!(%url, "Calling protocol client API");
        let mut request = self.client.get(&url);
        if let Some(key) = &self.api_key {
            request = request.header("X-API-KEY", key);
        }
        let response = request.send().await.with_context(|| format!("GET {url}"))?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(anyhow::anyhow!("GET {url}: HTTP {status}").into());
        }
        let body = response
            .bytes()
            .await
            .with_context(|| format!("GET {url}: reading the body"))?;
        if body.len() > MAX_BODY_BYTES {
            return Err(anyhow::anyhow!("GET {url}: body of {} bytes", body.len()).into());
        }
        let answer = serde_json::from_slice(&body)
            .with_context(|| format!("GET {url}: not a data provider answer"))?;
        Ok(answer)
    }
}

impl DataProvider for HttpDataProvider {
    fn submit1(
        &self,
        voting_round_id: u32,
        submit_address: Address,
    ) -> BoxFuture<'_, Result<ProviderAnswer, ProviderError>> {
        Box::pin(self.get("submit1", voting_round_id, submit_address))
    }

    fn submit2(
        &self,
        voting_round_id: u32,
        submit_address: Address,
    ) -> BoxFuture<'_, Result<ProviderAnswer, ProviderError>> {
        Box::pin(self.get("submit2", voting_round_id, submit_address))
    }

    fn submit_signatures(
        &self,
        voting_round_id: u32,
        submit_signatures_address: Address,
    ) -> BoxFuture<'_, Result<ProviderAnswer, ProviderError>> {
        Box::pin(self.get(
            "submitSignatures",
            voting_round_id,
            submit_signatures_address,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_as_go_and_keys_stay_out_of_debug() {
        let address: Address = "0x78aa142e34c7d9019ac2e0c04f660cf1c544c86b"
            .parse()
            .unwrap();
        let timeout = Duration::from_secs(1);
        let plain = HttpDataProvider::new("http://dp:3100", None, timeout).unwrap();
        let slashed =
            HttpDataProvider::new("http://dp:3100/fsp/", Some("secret".into()), timeout).unwrap();
        assert_eq!(
            plain.url("submit1", 1038240, address),
            "http://dp:3100/submit1/1038240/0x78aA142E34c7d9019aC2E0c04f660cf1c544c86b"
        );
        assert_eq!(
            slashed.url("submitSignatures", 7, address),
            "http://dp:3100/fsp/submitSignatures/7/0x78aA142E34c7d9019aC2E0c04f660cf1c544c86b"
        );
        assert!(!format!("{slashed:?}").contains("secret"));
        assert!(HttpDataProvider::new("ftp://dp", None, timeout).is_err());
    }
}
