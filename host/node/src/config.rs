//! The node's config file: one section per role, composed here.
//!
//! Every section has defaults, so an empty file (or none) is a valid config. Secrets never live in the
//! file when they need not: the RPC URL (which may carry an API key) and the database URL (which may carry a
//! password) can come from `FTSO_NODE_RPC_URL` and `FTSO_NODE_DATABASE_URL`, which take precedence over the file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Environment variable overriding `chain.rpc_url`.
pub const RPC_URL_ENV: &str = "FTSO_NODE_RPC_URL";
/// Environment variable overriding `storage.url`.
pub const DATABASE_URL_ENV: &str = "FTSO_NODE_DATABASE_URL";

/// The whole config file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodeConfig {
    /// Where the node keeps its state, and which roles run.
    pub node: NodeSection,
    /// The C-chain to follow.
    pub chain: ChainConfig,
    /// The indexer database.
    pub storage: ftso_storage::StorageConfig,
    /// The indexer role.
    pub indexer: ftso_indexer::IndexerConfig,
    /// The feed value plugins and their REST contract.
    pub feeds: ftso_feeds::FeedsConfig,
}

/// `[node]`: the data directory and the roles to run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodeSection {
    /// Directory for the SQLite database and the compiled-plugin cache. Default `.data`, relative to the
    /// config file's directory (or the working directory without a file).
    pub data_dir: PathBuf,
    /// Run the indexer (needs `chain.rpc_url`). Default `true`.
    pub indexer: bool,
    /// Run the feed value plugins and serve the REST contract. Default `true` when plugins are configured.
    pub feeds: bool,
}

impl Default for NodeSection {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(".data"),
            indexer: true,
            feeds: true,
        }
    }
}

/// `[chain]`: the JSON-RPC endpoint.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChainConfig {
    /// C-chain JSON-RPC URL, e.g. `https://flare-api.flare.network/ext/C/rpc`. Overridden by `FTSO_NODE_RPC_URL`.
    /// Unset with `run --devnet`: the devnet's URL is used.
    pub rpc_url: Option<String>,
}

impl std::fmt::Debug for ChainConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rpc_url = self.rpc_url.as_deref().map(redact_url);
        f.debug_struct("ChainConfig")
            .field("rpc_url", &rpc_url)
            .finish()
    }
}

/// Keeps the scheme and host of a URL and hides credentials, paths and queries, which may carry secrets.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => match parsed.host_str() {
            Some(host) => format!("{}://{host}/[redacted]", parsed.scheme()),
            None => format!("{}:[redacted]", parsed.scheme()),
        },
        Err(_) => "[redacted]".to_owned(),
    }
}

impl NodeConfig {
    /// Reads a config file; relative paths in it are resolved against its directory.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        ftso_feeds::config::read_config_file(
            path,
            Self::from_toml_str,
            Self::resolve_relative_paths,
        )
    }

    /// Parses a config document.
    pub fn from_toml_str(text: &str) -> anyhow::Result<Self> {
        Ok(toml::from_str(text)?)
    }

    /// Resolves the data dir and the feeds' paths against `base`, and places the plugin cache in the data dir
    /// unless it was set.
    pub fn resolve_relative_paths(&mut self, base: &Path) {
        if self.node.data_dir.is_relative() {
            self.node.data_dir = base.join(&self.node.data_dir);
        }
        self.feeds.resolve_relative_paths(base);
    }

    /// Applies the environment overrides for secrets.
    pub fn apply_env(&mut self) {
        if let Ok(url) = std::env::var(RPC_URL_ENV) {
            self.chain.rpc_url = Some(url);
        }
        if let Ok(url) = std::env::var(DATABASE_URL_ENV) {
            self.storage.url = Some(url);
        }
    }

    /// The database URL: configured, or SQLite in the data dir.
    pub fn database_url(&self) -> String {
        self.storage.url_or_default(&self.node.data_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_config_path() -> PathBuf {
        ftso_testkit::workspace_root().join("config/node.example.toml")
    }

    #[test]
    fn the_example_config_parses_and_keeps_its_defaults_meaningful() {
        let path = example_config_path();
        let config = NodeConfig::from_file(&path).unwrap();
        assert!(config.node.indexer);
        assert_eq!(config.feeds.listen.port(), 3101);
        assert!(config.database_url().starts_with("sqlite://"));
        assert!(config.database_url().ends_with("indexer.db?mode=rwc"));
    }

    #[test]
    fn every_commented_key_of_the_example_config_parses_when_uncommented() {
        let path = example_config_path();
        let text = std::fs::read_to_string(path).unwrap();
        let uncommented: String = text
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest)
                    if rest
                        .split_once(" = ")
                        .is_some_and(|(key, _)| is_toml_key(key)) =>
                {
                    rest
                }
                _ => line,
            })
            .map(|line| format!("{line}\n"))
            .collect();
        assert_ne!(
            uncommented, text,
            "the example config has no commented keys to check"
        );
        NodeConfig::from_toml_str(&uncommented).unwrap();
    }

    fn is_toml_key(key: &str) -> bool {
        !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    }

    #[test]
    fn unknown_keys_are_refused() {
        let error = NodeConfig::from_toml_str("[node]\ndata_dri = \"x\"\n").unwrap_err();
        assert!(format!("{error:#}").contains("data_dri"), "{error:#}");
    }

    #[test]
    fn debug_output_hides_urls_that_may_carry_secrets() {
        let mut config = NodeConfig::default();
        config.chain.rpc_url = Some("https://rpc.example.com/ext/C/rpc?x-apikey=SECRET".into());
        config.storage.url = Some("postgres://ftso:hunter2@db.internal/ftso".into());
        let text = format!("{config:?}");
        assert!(
            !text.contains("SECRET") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(text.contains("rpc.example.com") && text.contains("db.internal"));
    }
}
