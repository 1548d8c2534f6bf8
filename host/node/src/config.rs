//! The node's config file: one section per role, composed here.
//!
//! Every section has defaults, so an empty file (or none) is a valid config; an unknown key anywhere is an error
//! naming it. `--network NAME` starts from one of the per-network files under `config/networks/` (built into the
//! binary), and a `--config` file on top of it overrides key by key. Secrets never live in the file when they need
//! not: the RPC URL (which may carry an API key) and the database URL (which may carry a password) can come from
//! `FTSO_NODE_RPC_URL` and `FTSO_NODE_DATABASE_URL`, which take precedence over the file; URLs are only ever
//! shown through [`ftso_storage::redact_url`].

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// Environment variable overriding `chain.rpc_url`.
pub const RPC_URL_ENV: &str = "FTSO_NODE_RPC_URL";
/// Environment variable overriding `storage.url`.
pub const DATABASE_URL_ENV: &str = "FTSO_NODE_DATABASE_URL";
/// Environment variable overriding `node.data_dir` (the Docker image sets it to `/data`).
pub const DATA_DIR_ENV: &str = "FTSO_NODE_DATA_DIR";
/// Prefix of the variables that set any key: `FTSO_NODE__FEEDS__LISTEN=127.0.0.1:3101` is `[feeds] listen`.
pub const ENV_KEY_PREFIX: &str = "FTSO_NODE__";
/// The data directory when none is configured: `.data` in the working directory.
pub const DEFAULT_DATA_DIR: &str = ".data";

/// The per-network configs of `config/networks/`, built into the binary: `(name, TOML)`.
pub const NETWORK_CONFIGS: [(&str, &str); 4] = [
    ("flare", include_str!("../../../config/networks/flare.toml")),
    (
        "songbird",
        include_str!("../../../config/networks/songbird.toml"),
    ),
    (
        "coston",
        include_str!("../../../config/networks/coston.toml"),
    ),
    (
        "coston2",
        include_str!("../../../config/networks/coston2.toml"),
    ),
];

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
    /// The system client's reward-epoch duties (voter registration, new signing policy, uptime vote, rewards);
    /// runs when `identity` and the signing-policy and sender keys are configured.
    pub system_client: ftso_system_client::SystemClientConfig,
    /// The data provider role and its reference HTTP API.
    pub data_provider: ftso_data_provider::DataProviderConfig,
    /// The fast-updates client: sortition key, signing-policy key, submission accounts, contracts, fees.
    pub fast_updates: ftso_fast_updates::FastUpdatesConfig,
    /// The node's admin HTTP server: `/metrics`, the plugin admin routes, the status page.
    pub admin: crate::admin::AdminConfig,
}

/// `[node]`: the data directory and the roles to run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NodeSection {
    /// Directory for the SQLite database and the compiled-plugin cache. Default: [`DEFAULT_DATA_DIR`] in the working
    /// directory (empty until [`NodeConfig::resolve_relative_paths`]); a relative path written in a config file is
    /// relative to that file's directory. Overridden by `FTSO_NODE_DATA_DIR`.
    #[serde(skip_serializing_if = "is_unset")]
    pub data_dir: PathBuf,
    /// The network served: `flare`, `songbird`, `coston`, `coston2` or `local` (the devnet). Its chain id is checked
    /// against the RPC at start, and its epoch settings are ftso-core's profile of that name. Default: unset (no
    /// check; `run --network NAME` sets it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// Run the indexer (needs `chain.rpc_url`). Default `true`.
    pub indexer: bool,
    /// Run the feed value plugins and serve the REST contract. Default `true` when plugins are configured.
    pub feeds: bool,
    /// Run the data provider (commit, reveal, round results, HTTP API on 3100). Default `true` when the network is
    /// known (`node.network` or `run --devnet`) and there are feed values (plugins or `data_provider.feed_values_url`).
    pub data_provider: bool,
    /// Run the fast-updates client (needs its sortition key, the signing-policy key and submission accounts; see
    /// `[fast_updates]`). Default `false`.
    pub fast_updates: bool,
    /// How long a shutdown waits for the producers of new work to end (the voting scheduler finishing the rounds it
    /// started, the fast-updates client, the system client's duties, the finalizer's relay) before the data
    /// provider, the indexer, the feeds and the admin server are told to stop; producers still running then are
    /// aborted. Default: one voting round plus the reveal deadline of the network (135 s on Flare, 30 s on the
    /// devnet), the longest a round started before the shutdown needs to reveal; 30 s without a known network.
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub shutdown_timeout: Option<std::time::Duration>,
}

impl Default for NodeSection {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::new(),
            network: None,
            indexer: true,
            feeds: true,
            data_provider: true,
            fast_updates: false,
            shutdown_timeout: None,
        }
    }
}

fn is_unset(path: &Path) -> bool {
    path.as_os_str().is_empty()
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
        let rpc_url = self.rpc_url.as_deref().map(ftso_storage::redact_url);
        f.debug_struct("ChainConfig")
            .field("rpc_url", &rpc_url)
            .finish()
    }
}

impl NodeConfig {
    /// The config `run` uses: the built-in file of `network` (if given), then the file at `path` (if given) on top,
    /// key by key; relative paths are resolved (see [`Self::resolve_relative_paths`]) and the environment overrides
    /// applied.
    pub fn load(network: Option<&str>, path: Option<&Path>) -> anyhow::Result<Self> {
        let mut document = match network {
            Some(name) => network_document(name)?,
            None => toml::Table::new(),
        };
        let overrides = env_overrides(std::env::vars_os())?;
        let mut config = match path {
            Some(path) => ftso_feeds::config::read_config_file(
                path,
                |text| {
                    merge(&mut document, toml::from_str(text)?);
                    merge(&mut document, overrides);
                    Self::from_table(document)
                },
                Self::resolve_relative_paths,
            )?,
            None => {
                merge(&mut document, overrides);
                let mut config = Self::from_table(document)?;
                config.resolve_relative_paths(
                    &std::env::current_dir().context("no working directory")?,
                );
                config
            }
        };
        config.apply_env()?;
        Ok(config)
    }

    /// Reads a config file; relative paths in it are resolved against its directory.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        ftso_feeds::config::read_config_file(
            path,
            Self::from_toml_str,
            Self::resolve_relative_paths,
        )
    }

    /// Parses and checks a config document.
    pub fn from_toml_str(text: &str) -> anyhow::Result<Self> {
        Self::from_table(toml::from_str(text)?)
    }

    fn from_table(table: toml::Table) -> anyhow::Result<Self> {
        let config: Self = table.try_into()?;
        config.feeds.validate()?;
        config.data_provider.validate()?;
        config.fast_updates.validate()?;
        if let Some(name) = &config.node.network {
            ftso_core::epoch::profile(name).with_context(|| {
                format!("unknown node.network {name:?}: flare, songbird, coston, coston2 or local")
            })?;
        }
        Ok(config)
    }

    /// Resolves the data dir and the feeds' paths against `base`: an unset data dir becomes [`DEFAULT_DATA_DIR`] in
    /// the working directory, and an unset plugin cache dir `wasm-cache` in the data dir.
    pub fn resolve_relative_paths(&mut self, base: &Path) {
        let cache_unset = self.feeds.cache_dir == ftso_feeds::FeedsConfig::default().cache_dir;
        if is_unset(&self.node.data_dir) {
            self.node.data_dir = std::path::absolute(DEFAULT_DATA_DIR)
                .unwrap_or_else(|_| PathBuf::from(DEFAULT_DATA_DIR));
        } else if self.node.data_dir.is_relative() {
            self.node.data_dir = base.join(&self.node.data_dir);
        }
        self.feeds.resolve_relative_paths(base);
        self.fast_updates.resolve_relative_paths(base);
        if cache_unset {
            self.feeds.cache_dir = self.node.data_dir.join("wasm-cache");
        }
    }

    /// Applies the environment overrides (secrets, and the data dir of a container).
    pub fn apply_env(&mut self) -> anyhow::Result<()> {
        if let Some(url) = env_var(RPC_URL_ENV)? {
            self.chain.rpc_url = Some(url);
        }
        if let Some(url) = env_var(DATABASE_URL_ENV)? {
            self.storage.url = Some(url);
        }
        if let Some(dir) = env_var(DATA_DIR_ENV)? {
            let cache_in_data_dir = self.feeds.cache_dir == self.node.data_dir.join("wasm-cache");
            self.node.data_dir = std::path::absolute(&dir)
                .with_context(|| format!("cannot resolve {DATA_DIR_ENV}={dir}"))?;
            if cache_in_data_dir {
                self.feeds.cache_dir = self.node.data_dir.join("wasm-cache");
            }
        }
        Ok(())
    }

    /// The database URL: configured, or SQLite in the data dir.
    pub fn database_url(&self) -> String {
        self.storage.url_or_default(&self.node.data_dir)
    }
}

/// A variable's value; unset and empty are the same, and a value that is not UTF-8 is an error naming the variable.
fn env_var(name: &str) -> anyhow::Result<Option<String>> {
    match std::env::var(name) {
        Ok(value) if value.is_empty() => Ok(None),
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!("{name} is not valid UTF-8"),
    }
}

/// The `FTSO_NODE__SECTION__KEY=value` variables as a TOML table (`[section] key = value`), to lay over the files:
/// how a container sets any key. Names are lower-cased; a value that parses as TOML (`8`, `true`, `["a"]`) is taken
/// as such, anything else as a string.
fn env_overrides(
    vars: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
) -> anyhow::Result<toml::Table> {
    let mut table = toml::Table::new();
    for (name, value) in vars {
        let Some(path) = name.to_str().and_then(|n| n.strip_prefix(ENV_KEY_PREFIX)) else {
            continue;
        };
        let value = value
            .into_string()
            .map_err(|_| anyhow::anyhow!("{ENV_KEY_PREFIX}{path} is not valid UTF-8"))?;
        let keys: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
        anyhow::ensure!(
            keys.iter().all(|key| !key.is_empty()),
            "{ENV_KEY_PREFIX}{path}: empty key (write SECTION__KEY)"
        );
        let parsed = toml::from_str::<toml::Table>(&format!("value = {value}"))
            .ok()
            .and_then(|mut t| t.remove("value"))
            .unwrap_or(toml::Value::String(value));
        let mut layer = toml::Table::new();
        let mut leaf = parsed;
        for key in keys.iter().skip(1).rev() {
            let mut parent = toml::Table::new();
            parent.insert(key.clone(), leaf);
            leaf = toml::Value::Table(parent);
        }
        layer.insert(keys[0].clone(), leaf);
        merge(&mut table, layer);
    }
    Ok(table)
}

/// The built-in config of a network, as a TOML table.
fn network_document(name: &str) -> anyhow::Result<toml::Table> {
    let (_, text) = NETWORK_CONFIGS
        .iter()
        .find(|(known, _)| *known == name)
        .with_context(|| {
            let known: Vec<&str> = NETWORK_CONFIGS.iter().map(|(known, _)| *known).collect();
            format!(
                "no built-in config for network `{name}`: {} (the devnet is `run --devnet`)",
                known.join(", ")
            )
        })?;
    toml::from_str(text).with_context(|| format!("in the built-in config of network `{name}`"))
}

/// Lays `over` onto `base`: tables merge key by key, any other value (arrays included) replaces.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(below)), toml::Value::Table(above)) => merge(below, above),
            (_, value) => {
                base.insert(key, value);
            }
        }
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
    fn an_unset_data_dir_is_in_the_working_directory_and_holds_the_plugin_cache() {
        let mut config = NodeConfig::from_toml_str("").unwrap();
        config.resolve_relative_paths(Path::new("/etc/ftso"));
        let expected = std::env::current_dir().unwrap().join(DEFAULT_DATA_DIR);
        assert_eq!(config.node.data_dir, expected);
        assert_eq!(config.feeds.cache_dir, expected.join("wasm-cache"));
    }

    #[test]
    fn relative_paths_written_in_a_file_are_relative_to_it() {
        let mut config =
            NodeConfig::from_toml_str("[node]\ndata_dir = \"state\"\n[feeds]\ncache_dir = \"c\"\n")
                .unwrap();
        config.resolve_relative_paths(Path::new("/etc/ftso"));
        assert_eq!(config.node.data_dir, Path::new("/etc/ftso/state"));
        assert_eq!(config.feeds.cache_dir, Path::new("/etc/ftso/c"));
    }

    #[test]
    fn unknown_keys_are_refused_and_named_in_every_section() {
        let plugin = "[[feeds.plugins]]\nname = \"a\"\ncomponent = \"a.wasm\"\n";
        let cases = [
            ("nodes = 1".to_owned(), "nodes"),
            ("[node]\ndata_dri = \"x\"".to_owned(), "data_dri"),
            ("[chain]\nrpc = \"x\"".to_owned(), "rpc"),
            ("[storage]\nuri = \"x\"".to_owned(), "uri"),
            ("[indexer]\nbatch = 1".to_owned(), "batch"),
            (
                "[[indexer.collect_transactions]]\naddress = \"0x2cA6571Daa15ce734Bbd0Bf27D5C9D16787fc33f\""
                    .to_owned(),
                "address",
            ),
            (
                "[[indexer.collect_logs]]\ncontract_name = \"Relay\"\ntopics = \"x\"".to_owned(),
                "topics",
            ),
            ("[feeds]\nlisten_on = \"0.0.0.0:1\"".to_owned(), "listen_on"),
            (format!("{plugin}component_path = \"b\""), "component_path"),
            (
                format!("{plugin}feeds = [{{ category = 1, feed = \"BTC/USD\" }}]"),
                "feed",
            ),
        ];
        for (text, key) in cases {
            let error = format!("{:#}", NodeConfig::from_toml_str(&text).unwrap_err());
            assert!(error.contains(&format!("`{key}`")), "{text}: {error}");
        }
    }

    #[test]
    fn every_network_file_is_built_in_and_matches_its_epoch_profile() {
        let dir = ftso_testkit::workspace_root().join("config/networks");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut built_in: Vec<String> = NETWORK_CONFIGS
            .iter()
            .map(|(name, _)| format!("{name}.toml"))
            .collect();
        built_in.sort();
        assert_eq!(on_disk, built_in);
        for (name, text) in NETWORK_CONFIGS {
            let config = NodeConfig::load(Some(name), None).unwrap();
            assert_eq!(config.node.network.as_deref(), Some(name));
            assert_eq!(config.indexer.mode, ftso_indexer::IndexerMode::Fsp);
            assert!(config.chain.rpc_url.is_some(), "{name}");
            let profile = ftso_core::epoch::profile(name).unwrap();
            let epochs = profile.epochs;
            let chain_id = profile.chain_id.unwrap();
            for fact in [
                format!("chain {chain_id}"),
                format!("starts at {}", epochs.first_voting_round_start_ts),
                format!("rounds of {} s", epochs.voting_epoch_duration_seconds),
                format!(
                    "reward epochs of {} rounds",
                    epochs.reward_epoch_duration_in_voting_epochs
                ),
                format!("deadline {} s", epochs.reveal_deadline_seconds),
            ] {
                assert!(text.contains(&fact), "{name}.toml should say {fact:?}");
            }
        }
    }

    #[test]
    fn variables_set_any_key_and_unknown_ones_are_named() {
        let vars = |pairs: &[(&str, &str)]| -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect()
        };
        let table = env_overrides(vars(&[
            ("FTSO_NODE__FEEDS__LISTEN", "127.0.0.1:0"),
            ("FTSO_NODE__INDEXER__RPC_CONCURRENCY", "4"),
            ("FTSO_NODE__NODE__INDEXER", "false"),
            ("FTSO_NODE_RPC_URL", "not a key override"),
            ("PATH", "/bin"),
        ]))
        .unwrap();
        let config = NodeConfig::from_table(table).unwrap();
        assert_eq!(config.feeds.listen.to_string(), "127.0.0.1:0");
        assert_eq!(config.indexer.rpc_concurrency, 4);
        assert!(!config.node.indexer);
        let table = env_overrides(vars(&[("FTSO_NODE__FEEDS__LISTN", "x")])).unwrap();
        let error = format!("{:#}", NodeConfig::from_table(table).unwrap_err());
        assert!(error.contains("listn"), "{error}");
        assert!(env_overrides(vars(&[("FTSO_NODE__FEEDS__", "x")])).is_err());
    }

    #[test]
    fn a_config_file_overrides_the_network_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.toml");
        std::fs::write(
            &path,
            "[indexer]\nrpc_concurrency = 2\n[node]\ndata_dir = \"state\"\n",
        )
        .unwrap();
        let config = NodeConfig::load(Some("coston2"), Some(&path)).unwrap();
        assert_eq!(config.indexer.rpc_concurrency, 2);
        assert_eq!(
            config.indexer.mode,
            ftso_indexer::IndexerMode::Fsp,
            "kept from the network"
        );
        assert_eq!(config.node.network.as_deref(), Some("coston2"));
        assert_eq!(config.node.data_dir, dir.path().join("state"));
        let error = NodeConfig::load(Some("mainnet"), None).unwrap_err();
        assert!(
            format!("{error:#}").contains("flare, songbird, coston, coston2"),
            "{error:#}"
        );
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
