//! `[fast_updates]`: the client's configuration section (fast-updates digest §5).
//!
//! Keys never live in the file: the sortition key, the signing-policy key and the submission accounts come from
//! environment variables or key files (see [`crate::keys`]).

use std::path::PathBuf;
use std::time::Duration;

use alloy::primitives::{Address, U256, address};
use ftso_chain::keys::KeySource;
use ftso_chain::tx::FeePolicy;
use serde::{Deserialize, Serialize};

/// The environment variable holding the sortition key by default (the reference's name).
pub const SORTITION_KEY_ENV: &str = "SORTITION_PRIVATE_KEY";
/// The environment variable holding the submission account keys by default: hex keys separated by commas.
pub const ACCOUNTS_ENV: &str = "FAST_UPDATES_ACCOUNTS";
/// The `from` of the `fetchCurrentFeeds` eth_call by default (funded on every Flare network).
pub const DEFAULT_FETCH_ADDRESS: Address = address!("0x000000000000000000000000000000000000dEaD");

/// `[fast_updates]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FastUpdatesConfig {
    /// Where the sortition key comes from: `env` (default `SORTITION_PRIVATE_KEY`) or `file`; hex with `0x`.
    #[serde(skip_serializing)]
    pub sortition_key: KeySource,
    /// Where the signing-policy key comes from (default env `SIGNING_POLICY_PRIVATE_KEY`, shared with the system
    /// client): it signs every update.
    #[serde(skip_serializing)]
    pub signing_policy_key: KeySource,
    /// The submission accounts: `env` (default `FAST_UPDATES_ACCOUNTS`, comma-separated hex keys) and/or `files`
    /// (one key per file). Used in rotation; each has its own nonce sequence.
    pub accounts: AccountsConfig,
    /// `submission` (default): `Submission.submitAndPass`, as the reference in production; `fast_updater`:
    /// `FastUpdater.submitUpdates` directly.
    pub submit_via: SubmitVia,
    /// Contract addresses; each unset one is resolved through `FlareContractRegistry`.
    pub contracts: ContractsConfig,
    /// The most replicates scanned per block (0 = 4096, the largest weight). Default 0.
    pub max_weight: u64,
    /// Gas limit of every submission (fixed; no estimation). Default 2 500 000.
    pub gas_limit: u64,
    /// EIP-1559 fee rule of submissions (the reference's: tip = base fee × 2 within [100, 5000] gwei, max fee =
    /// base fee × 4 + tip).
    #[serde(skip_serializing)]
    pub fees: FeePolicy,
    /// Warn when a submission account holds less than this, in wei (decimal string). Default 10 FLR.
    pub min_balance_wei: String,
    /// How often the latest block is polled. Default 200ms.
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    /// The `from` of the `fetchCurrentFeeds` eth_call (it charges a fee unless free). Default `0x…dEaD`.
    pub fetch_current_feeds_address: Address,
    /// The value of that eth_call, in wei (decimal string). Default 10^24.
    pub fetch_current_feeds_value: String,
    /// Our feed values from this feed-values URL (e.g. `http://127.0.0.1:3101`) instead of the node's own plugins.
    /// Default unset.
    pub value_provider_url: Option<String>,
    /// Timeout of one request to `value_provider_url`. Default 2s.
    #[serde(with = "humantime_serde")]
    pub value_provider_timeout: Duration,
    /// Log chain and provider values every this many blocks (0 = never). Default 0.
    pub feed_values_log: u64,
}

impl Default for FastUpdatesConfig {
    fn default() -> Self {
        Self {
            sortition_key: KeySource::default(),
            signing_policy_key: KeySource::default(),
            accounts: AccountsConfig::default(),
            submit_via: SubmitVia::Submission,
            contracts: ContractsConfig::default(),
            max_weight: 0,
            gas_limit: 2_500_000,
            fees: FeePolicy::default(),
            min_balance_wei: "10000000000000000000".into(),
            poll_interval: Duration::from_millis(200),
            fetch_current_feeds_address: DEFAULT_FETCH_ADDRESS,
            fetch_current_feeds_value: "1000000000000000000000000".into(),
            value_provider_url: None,
            value_provider_timeout: Duration::from_secs(2),
            feed_values_log: 0,
        }
    }
}

impl FastUpdatesConfig {
    /// Checks what serde cannot: the fee rule, the wei amounts, the URL scheme.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.fees
            .validate()
            .map_err(|e| anyhow::anyhow!("fast_updates.fees: {e}"))?;
        self.min_balance()?;
        self.fetch_value()?;
        anyhow::ensure!(self.gas_limit > 0, "fast_updates.gas_limit must be > 0");
        anyhow::ensure!(
            !self.poll_interval.is_zero(),
            "fast_updates.poll_interval must be > 0"
        );
        Ok(())
    }

    /// `min_balance_wei` parsed.
    pub fn min_balance(&self) -> anyhow::Result<U256> {
        parse_wei("fast_updates.min_balance_wei", &self.min_balance_wei)
    }

    /// `fetch_current_feeds_value` parsed.
    pub fn fetch_value(&self) -> anyhow::Result<U256> {
        parse_wei(
            "fast_updates.fetch_current_feeds_value",
            &self.fetch_current_feeds_value,
        )
    }

    /// Makes the key file paths absolute, relative to `base` (the config file's directory).
    pub fn resolve_relative_paths(&mut self, base: &std::path::Path) {
        let resolve = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        };
        for source in [&mut self.sortition_key, &mut self.signing_policy_key] {
            if let Some(file) = &mut source.file {
                resolve(file);
            }
        }
        self.accounts.files.iter_mut().for_each(resolve);
    }
}

fn parse_wei(key: &str, text: &str) -> anyhow::Result<U256> {
    text.trim()
        .parse::<U256>()
        .map_err(|e| anyhow::anyhow!("{key}: {text:?} is not an amount in wei: {e}"))
}

/// `[fast_updates.accounts]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountsConfig {
    /// Environment variable holding comma-separated hex keys (default `FAST_UPDATES_ACCOUNTS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// Key files, one key each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<PathBuf>,
}

/// Where submissions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmitVia {
    /// `Submission.submitAndPass(submitUpdates calldata without its selector)`.
    #[default]
    Submission,
    /// `FastUpdater.submitUpdates` directly.
    FastUpdater,
}

/// `[fast_updates.contracts]`: addresses; unset ones are resolved through the registry at start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContractsConfig {
    /// `FlareContractRegistry`. Default: its fixed address on every Flare network.
    pub registry: Address,
    /// `FastUpdater`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fast_updater: Option<Address>,
    /// `FastUpdatesConfiguration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fast_updates_configuration: Option<Address>,
    /// `FastUpdateIncentiveManager`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fast_update_incentive_manager: Option<Address>,
    /// `FlareSystemsManager` (the sortition seed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flare_systems_manager: Option<Address>,
    /// `Submission`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission: Option<Address>,
}

impl Default for ContractsConfig {
    fn default() -> Self {
        Self {
            registry: ftso_chain::names::FLARE_CONTRACT_REGISTRY_ADDRESS,
            fast_updater: None,
            fast_updates_configuration: None,
            fast_update_incentive_manager: None,
            flare_systems_manager: None,
            submission: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_section_is_the_defaults_and_unknown_keys_fail() -> anyhow::Result<()> {
        let config: FastUpdatesConfig = toml::from_str("")?;
        assert_eq!(config, FastUpdatesConfig::default());
        config.validate()?;
        assert_eq!(
            config.min_balance()?,
            U256::from(10u64) * U256::from(10u64).pow(U256::from(18u64))
        );
        assert!(toml::from_str::<FastUpdatesConfig>("sortition_private_key = \"0x01\"").is_err());
        Ok(())
    }

    #[test]
    fn every_key_parses() -> anyhow::Result<()> {
        let config: FastUpdatesConfig = toml::from_str(
            r#"
            submit_via = "fast_updater"
            max_weight = 512
            gas_limit = 3000000
            min_balance_wei = "5"
            poll_interval = "500ms"
            fetch_current_feeds_value = "0"
            value_provider_url = "http://127.0.0.1:3101"
            feed_values_log = 10
            [sortition_key]
            file = "keys/sortition.key"
            [accounts]
            env = "MY_ACCOUNTS"
            files = ["a.key"]
            [contracts]
            fast_updater = "0x0000000000000000000000000000000000000001"
            [fees]
            base_fee_multiplier = 3.0
            "#,
        )?;
        config.validate()?;
        assert_eq!(config.submit_via, SubmitVia::FastUpdater);
        assert_eq!(config.poll_interval, Duration::from_millis(500));
        let mut resolved = config.clone();
        resolved.resolve_relative_paths(std::path::Path::new("/etc/ftso"));
        assert_eq!(
            resolved.sortition_key.file,
            Some(PathBuf::from("/etc/ftso/keys/sortition.key"))
        );
        assert_eq!(
            resolved.accounts.files,
            vec![PathBuf::from("/etc/ftso/a.key")]
        );
        let bad = FastUpdatesConfig {
            min_balance_wei: "ten".into(),
            ..FastUpdatesConfig::default()
        };
        assert!(bad.validate().is_err());
        Ok(())
    }
}
