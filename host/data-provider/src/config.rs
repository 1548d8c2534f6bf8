//! The `[data_provider]` config section.
//!
//! Every key has a default, so an empty section is valid. The API keys are never in the file: the
//! section names the environment variable that holds them (the reference's
//! `DATA_PROVIDER_CLIENT_API_KEYS` by default, a comma-separated list).

use std::{net::SocketAddr, time::Duration};

use serde::{Deserialize, Serialize};

/// The `[data_provider]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataProviderConfig {
    /// Address of the reference HTTP API. Default `0.0.0.0:3100` (the reference's port).
    pub listen: SocketAddr,
    /// Prefix of every route, e.g. `/ftso` (the reference's `DATA_PROVIDER_CLIENT_BASE_PATH`).
    /// Default `""`.
    pub base_path: String,
    /// Environment variable holding the accepted `X-API-KEY` values, comma-separated. Unset or
    /// empty means every request is rejected, as in the reference. Default
    /// `DATA_PROVIDER_CLIENT_API_KEYS`.
    pub api_keys_env: String,
    /// Feed-values REST server to take our own values from (the reference example provider, or
    /// another node), e.g. `http://127.0.0.1:3101`. Default: none, the in-process plugins.
    pub feed_values_url: Option<String>,
    /// Timeout of one request to `feed_values_url`. Default `10s`.
    #[serde(with = "humantime_serde")]
    pub feed_values_timeout: Duration,
    /// First reward epoch whose medians use the signing-policy weights of FIP.16 instead of the
    /// capped WNat weights. Default: never, as on every network today. All providers of a network
    /// must switch at the same epoch.
    pub fip16_activation_reward_epoch: Option<u32>,
}

impl Default for DataProviderConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 3100)),
            base_path: String::new(),
            api_keys_env: "DATA_PROVIDER_CLIENT_API_KEYS".to_owned(),
            feed_values_url: None,
            feed_values_timeout: Duration::from_secs(10),
            fip16_activation_reward_epoch: None,
        }
    }
}

impl DataProviderConfig {
    /// Checks the values a default cannot fix.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !self.base_path.is_empty() && !self.base_path.starts_with('/') {
            anyhow::bail!(
                "data_provider.base_path {:?} must start with '/'",
                self.base_path
            );
        }
        if self.api_keys_env.is_empty() {
            anyhow::bail!("data_provider.api_keys_env must name an environment variable");
        }
        Ok(())
    }

    /// The base path without a trailing slash (`""` for the root).
    pub fn normalised_base_path(&self) -> &str {
        self.base_path.trim_end_matches('/')
    }

    /// The accepted API keys, read from the environment variable [`Self::api_keys_env`].
    ///
    /// As the reference: split on `,`, no trimming, exact match; unset means none.
    pub fn api_keys(&self) -> ApiKeys {
        ApiKeys::parse(std::env::var(&self.api_keys_env).ok().as_deref())
    }
}

/// The `X-API-KEY` values the API accepts. `Debug` does not show them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApiKeys(Vec<String>);

impl ApiKeys {
    /// Parses a comma-separated list as the reference does (`"".split(",")` is `[""]`, a key
    /// no request can send, since an empty header is no header).
    pub fn parse(list: Option<&str>) -> Self {
        match list {
            None => Self(Vec::new()),
            Some(list) => Self(
                list.split(',')
                    .filter(|key| !key.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        }
    }

    /// Whether no key is accepted (every request is rejected).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `key` is one of the accepted keys (exact match).
    pub fn accepts(&self, key: &str) -> bool {
        self.0.iter().any(|accepted| accepted == key)
    }
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKeys({} key(s), redacted)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_reference_ones() {
        let config: DataProviderConfig = toml::from_str("").unwrap();
        assert_eq!(config, DataProviderConfig::default());
        assert_eq!(config.listen.port(), 3100);
        assert_eq!(config.api_keys_env, "DATA_PROVIDER_CLIENT_API_KEYS");
        assert_eq!(config.fip16_activation_reward_epoch, None);
        config.validate().unwrap();
    }

    #[test]
    fn unknown_keys_and_relative_base_paths_are_rejected() {
        assert!(toml::from_str::<DataProviderConfig>("nope = 1").is_err());
        let config: DataProviderConfig = toml::from_str("base_path = \"api\"").unwrap();
        assert!(config.validate().is_err());
        let config: DataProviderConfig =
            toml::from_str("base_path = \"/api/\"\nfeed_values_timeout = \"2s\"").unwrap();
        config.validate().unwrap();
        assert_eq!(config.normalised_base_path(), "/api");
        assert_eq!(config.feed_values_timeout, Duration::from_secs(2));
    }

    #[test]
    fn api_keys_match_exactly_and_stay_out_of_debug() {
        let keys = ApiKeys::parse(Some("alpha,beta"));
        assert!(keys.accepts("alpha") && keys.accepts("beta"));
        assert!(!keys.accepts(" alpha") && !keys.accepts("Alpha") && !keys.accepts(""));
        assert!(!format!("{keys:?}").contains("alpha"));
        assert!(ApiKeys::parse(None).is_empty());
        assert!(ApiKeys::parse(Some("")).is_empty());
    }
}
