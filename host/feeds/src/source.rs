//! Our own feed values, for the roles that vote with them (data provider, fast updates).
//!
//! One trait, two sources: the in-process plugin [`Registry`] (the default: no HTTP hop) or an
//! external feed-values REST endpoint (the reference example provider, or another node).

use anyhow::Context as _;
use futures::future::BoxFuture;

use crate::registry::{FeedKey, Registry};

/// Where a role gets the values it votes with.
pub trait FeedValueSource: Send + Sync + std::fmt::Debug {
    /// The value of each of `feeds`, in the same order; `None` where the source has none.
    ///
    /// `round` is the voting round the values are for (the data provider's commit), or `None`
    /// for the latest values (fast updates). An error means the source as a whole could not be
    /// asked; a missing feed is `None`, not an error.
    fn values<'a>(
        &'a self,
        round: Option<u32>,
        feeds: &'a [FeedKey],
    ) -> BoxFuture<'a, anyhow::Result<Vec<Option<f64>>>>;
}

impl FeedValueSource for Registry {
    fn values<'a>(
        &'a self,
        round: Option<u32>,
        feeds: &'a [FeedKey],
    ) -> BoxFuture<'a, anyhow::Result<Vec<Option<f64>>>> {
        Box::pin(async move {
            let requested: Vec<Option<FeedKey>> = feeds.iter().cloned().map(Some).collect();
            Ok(Registry::values(self, &requested, round).await)
        })
    }
}

/// The reference feed-values REST contract as a source: `POST {url}/feed-values/{round}`, or
/// `POST {url}/feed-values` for the latest values (value-provider.md §1).
///
/// Values are read by position, as the reference data provider reads them: entry `i` of the
/// answer's `data` is the value of feed `i`, and an answer with another number of entries than
/// feeds asked is an error (the reference's encoder throws on it). An absent `value` is `None`;
/// the other JSON types are coerced as JavaScript's `value * 10**decimals` would coerce them:
/// `null` is 0, a boolean is 0 or 1, a numeric string is its number, anything else is NaN (which
/// the value encoder then rejects, as the reference's encoder throws).
#[derive(Debug, Clone)]
pub struct HttpFeedValues {
    base_url: String,
    client: reqwest::Client,
}

impl HttpFeedValues {
    /// A client of the feed-values server at `base_url` (e.g. `http://127.0.0.1:3101`), each
    /// request bounded by `timeout`.
    pub fn new(base_url: &str, timeout: std::time::Duration) -> anyhow::Result<Self> {
        let parsed = url::Url::parse(base_url)
            .with_context(|| format!("invalid feed-values URL {base_url:?}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            anyhow::bail!("feed-values URL {base_url:?} is not http(s)");
        }
        crate::install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .context("cannot build the feed-values HTTP client")?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            client,
        })
    }

    async fn request(
        &self,
        round: Option<u32>,
        feeds: &[FeedKey],
    ) -> anyhow::Result<Vec<Option<f64>>> {
        let url = match round {
            Some(round) => format!("{}/feed-values/{round}", self.base_url),
            None => format!("{}/feed-values", self.base_url),
        };
        let body = serde_json::json!({
            "feeds": feeds
                .iter()
                .map(|feed| serde_json::json!({ "category": feed.category, "name": feed.name }))
                .collect::<Vec<_>>(),
        });
        let response = self
            .client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .with_context(|| format!("feed-values request to {url} failed"))?;
        let status = response.status();
        if !status.is_success() {
            anyhow::bail!("feed-values server answered {status} to {url}");
        }
        let text = response
            .text()
            .await
            .with_context(|| format!("cannot read the feed-values answer of {url}"))?;
        values_from_answer(&text, feeds.len())
            .with_context(|| format!("malformed feed-values answer from {url}"))
    }
}

impl FeedValueSource for HttpFeedValues {
    fn values<'a>(
        &'a self,
        round: Option<u32>,
        feeds: &'a [FeedKey],
    ) -> BoxFuture<'a, anyhow::Result<Vec<Option<f64>>>> {
        Box::pin(self.request(round, feeds))
    }
}

/// The values of `count` feeds from a feed-values answer, by position.
fn values_from_answer(text: &str, count: usize) -> anyhow::Result<Vec<Option<f64>>> {
    let answer: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
    let data = answer
        .get("data")
        .and_then(serde_json::Value::as_array)
        .context("no `data` array")?;
    anyhow::ensure!(
        data.len() == count,
        "{} value(s) for {count} feed(s) asked",
        data.len()
    );
    Ok(data
        .iter()
        .map(|entry| entry.get("value").map(js_number))
        .collect())
}

/// JavaScript's numeric coercion of a JSON value (`Number(value)`), as far as a value provider
/// can send one.
fn js_number(value: &serde_json::Value) -> f64 {
    use serde_json::Value;
    match value {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => {
            let trimmed = s.trim();
            if trimmed.is_empty() {
                0.0
            } else if trimmed
                .bytes()
                .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
            {
                trimmed.parse().unwrap_or(f64::NAN)
            } else {
                f64::NAN
            }
        }
        Value::Array(_) | Value::Object(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_by_position_with_javascript_coercion() {
        let text = r#"{"votingRoundId":7,"data":[
            {"feed":{"category":1,"name":"A"},"value":38573.26},
            {"feed":{"category":1,"name":"B"}},
            {"feed":{"category":1,"name":"C"},"value":null},
            {"feed":{"category":1,"name":"D"},"value":"1.5"},
            {"feed":{"category":1,"name":"E"},"value":true}]}"#;
        let values = values_from_answer(text, 5).unwrap();
        assert_eq!(
            values,
            vec![Some(38573.26), None, Some(0.0), Some(1.5), Some(1.0)]
        );
        assert!(values_from_answer(text, 6).is_err(), "one entry missing");
        assert!(values_from_answer(text, 4).is_err(), "one entry too many");
        let nan = values_from_answer(r#"{"data":[{"value":"abc"}]}"#, 1).unwrap();
        assert!(nan[0].is_some_and(f64::is_nan));
        assert!(values_from_answer(r#"{"votingRoundId":7}"#, 1).is_err());
        assert!(values_from_answer("<html>", 1).is_err());
    }
}
