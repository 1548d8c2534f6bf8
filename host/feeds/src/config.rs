//! The `[feeds]` config section: where to listen, which plugins to load and their limits.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// The `[feeds]` section. Every field has a default, so an empty section is valid (and serves no plugins).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedsConfig {
    /// Address of the feed-values REST contract. Default `0.0.0.0:3101` (the reference's port).
    pub listen: SocketAddr,
    /// Address of the admin listener (`POST /admin/plugins/{name}/reload`). Default `127.0.0.1:3102`;
    /// keep it on loopback.
    pub admin_listen: Option<SocketAddr>,
    /// Directory of compiled components, so a restart does not recompile. Default `.data/wasm-cache`.
    pub cache_dir: PathBuf,
    /// Whether the compilation cache is used. Default `true`.
    pub cache: bool,
    /// Load components that have no valid signature from a trusted publisher (logs a loud WARN). Default `false`.
    pub allow_unsigned: bool,
    /// Hex ed25519 public keys whose signatures are accepted.
    pub trusted_publishers: Vec<String>,
    /// Time budget of one plugin call (`values`, `volumes`, `tick`, ...). Default `500ms`.
    #[serde(with = "humantime_serde")]
    pub call_timeout: Duration,
    /// Time budget of `init` (may connect websockets). Default `5s`.
    #[serde(with = "humantime_serde")]
    pub init_timeout: Duration,
    /// Linear memory cap per plugin instance, in MiB. Default 64.
    pub memory_limit_mib: u64,
    /// Timeout of one http GET made by a plugin. Default `2s` (it also counts against the call budget).
    #[serde(with = "humantime_serde")]
    pub http_timeout: Duration,
    /// Largest http response body a plugin may receive, in bytes. Default 4 MiB.
    pub http_max_body_bytes: usize,
    /// Open websocket connections allowed per plugin. Default 8.
    pub websocket_max_connections: usize,
    /// How often `tick` is called on each plugin. Default `1s`.
    #[serde(with = "humantime_serde")]
    pub tick_interval: Duration,
    /// How often component files are checked for changes (hot swap); `0s` disables the watch. Default `1s`.
    #[serde(with = "humantime_serde")]
    pub watch_interval: Duration,
    /// First delay before a failed instance is recreated; doubles per failure up to `restart_backoff_max`.
    /// Default `100ms`.
    #[serde(with = "humantime_serde")]
    pub restart_backoff: Duration,
    /// Longest delay between recreations of a failing instance. Default `30s`.
    #[serde(with = "humantime_serde")]
    pub restart_backoff_max: Duration,
    /// Observations older than this are not served. Default `0s` = no cutoff (like the reference).
    #[serde(with = "humantime_serde")]
    pub max_value_age: Duration,
    /// The plugins to load.
    pub plugins: Vec<PluginConfig>,
    /// Feeds computed from exchange trades (connector plugins): `[feeds.prices]`.
    pub prices: crate::prices::PricesConfig,
}

impl Default for FeedsConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 3101)),
            admin_listen: Some(SocketAddr::from(([127, 0, 0, 1], 3102))),
            cache_dir: PathBuf::from(".data/wasm-cache"),
            cache: true,
            allow_unsigned: false,
            trusted_publishers: Vec::new(),
            call_timeout: Duration::from_millis(500),
            init_timeout: Duration::from_secs(5),
            memory_limit_mib: 64,
            http_timeout: Duration::from_secs(2),
            http_max_body_bytes: 4 << 20,
            websocket_max_connections: 8,
            tick_interval: Duration::from_secs(1),
            watch_interval: Duration::from_secs(1),
            restart_backoff: Duration::from_millis(100),
            restart_backoff_max: Duration::from_secs(30),
            max_value_age: Duration::ZERO,
            plugins: Vec::new(),
            prices: Default::default(),
        }
    }
}

/// Reads the TOML file at `path` with `parse`, then lets `resolve` make the relative paths in it relative to the
/// file's directory: how every config file of the node is loaded.
pub fn read_config_file<T>(
    path: &Path,
    parse: impl FnOnce(&str) -> anyhow::Result<T>,
    resolve: impl FnOnce(&mut T, &Path),
) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    let mut config = parse(&text).with_context(|| format!("in {}", path.display()))?;
    let path =
        std::path::absolute(path).with_context(|| format!("cannot resolve {}", path.display()))?;
    if let Some(dir) = path.parent() {
        resolve(&mut config, dir);
    }
    Ok(config)
}

/// One `[[feeds.plugins]]` entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginConfig {
    /// Unique name, used in logs and the admin endpoint.
    pub name: String,
    /// Path of the component (`.wasm`); its signature is `<component>.sig`. Relative paths are resolved
    /// against the config file's directory when loaded with [`FeedsConfig::from_file`].
    pub component: PathBuf,
    /// The feeds this plugin serves: a list, or `"*"` for every requested feed. Default `"*"`.
    #[serde(default)]
    pub feeds: FeedSelection,
    /// Hosts the plugin may reach over http and websocket (`"api.example.com"` or `"127.0.0.1:8080"`).
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Overrides `feeds.call_timeout` for this plugin.
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub call_timeout: Option<Duration>,
    /// Overrides `feeds.memory_limit_mib` for this plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit_mib: Option<u64>,
    /// The plugin's own settings, passed to `init` as a JSON object.
    #[serde(default)]
    pub settings: toml::Table,
}

/// Which feeds a plugin serves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FeedSelection {
    /// Every requested feed (`"*"`).
    #[default]
    All,
    /// Only these.
    Only(Vec<ConfigFeed>),
}

/// A feed as written in the config.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFeed {
    /// 1 crypto, 2 forex, 3 commodity, 4 stock.
    pub category: u8,
    /// E.g. `"BTC/USD"`.
    pub name: String,
}

impl FeedSelection {
    /// Whether the feed `(category, name)` is served.
    pub fn serves(&self, category: u8, name: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(list) => list
                .iter()
                .any(|f| f.category == category && f.name == name),
        }
    }
}

impl Serialize for FeedSelection {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::All => serializer.serialize_str("*"),
            Self::Only(list) => list.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for FeedSelection {
    /// `"*"` or a list of `{ category, name }`, read by a visitor rather than an untagged enum, so that an unknown
    /// key in a list entry is reported by name instead of as "did not match any variant".
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SelectionVisitor;
        impl<'de> serde::de::Visitor<'de> for SelectionVisitor {
            type Value = FeedSelection;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("\"*\" or a list of { category, name }")
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<FeedSelection, E> {
                if value == "*" {
                    Ok(FeedSelection::All)
                } else {
                    Err(E::custom(format!(
                        "feeds must be \"*\" or a list of {{ category, name }}, not {value:?}"
                    )))
                }
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<FeedSelection, A::Error> {
                let mut list = Vec::new();
                while let Some(feed) = seq.next_element::<ConfigFeed>()? {
                    list.push(feed);
                }
                Ok(FeedSelection::Only(list))
            }
        }
        deserializer.deserialize_any(SelectionVisitor)
    }
}

/// A feeds config file: a `[feeds]` section and nothing else (an unknown section is an error, as an unknown key is).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedsFile {
    #[serde(default)]
    feeds: FeedsConfig,
}

impl FeedsConfig {
    /// Parses the `[feeds]` section of a TOML document.
    pub fn from_toml_str(text: &str) -> anyhow::Result<Self> {
        let file: FeedsFile = toml::from_str(text).context("invalid [feeds] config")?;
        file.feeds.validate()?;
        Ok(file.feeds)
    }

    /// Reads a TOML file; relative component paths are resolved against the file's directory.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        read_config_file(path, Self::from_toml_str, Self::resolve_relative_paths)
    }

    /// Resolves relative component paths and the cache dir against `base` (the config file's directory).
    pub fn resolve_relative_paths(&mut self, base: &Path) {
        for plugin in &mut self.plugins {
            if plugin.component.is_relative() {
                plugin.component = base.join(&plugin.component);
            }
        }
        if self.cache_dir.is_relative() {
            self.cache_dir = base.join(&self.cache_dir);
        }
    }

    /// Checks what serde cannot: unique names, sane limits, parseable keys.
    pub fn validate(&self) -> anyhow::Result<()> {
        let mut names = std::collections::HashSet::new();
        for plugin in &self.plugins {
            anyhow::ensure!(!plugin.name.is_empty(), "a plugin has an empty name");
            anyhow::ensure!(
                names.insert(plugin.name.as_str()),
                "plugin name {:?} is used twice",
                plugin.name
            );
        }
        anyhow::ensure!(
            self.memory_limit_mib > 0,
            "memory_limit_mib must be positive"
        );
        anyhow::ensure!(
            !self.call_timeout.is_zero(),
            "call_timeout must be positive"
        );
        for key in &self.trusted_publishers {
            crate::signature::parse_public_key(key)
                .map_err(|reason| anyhow::anyhow!("trusted_publishers entry {key:?}: {reason}"))?;
        }
        self.prices.validate()?;
        Ok(())
    }
}

impl PluginConfig {
    /// A plugin entry as a config file with only `name` and `component` gives it: every requested feed, no
    /// allowed hosts, the host-wide limits and no settings.
    pub fn new(name: impl Into<String>, component: impl Into<PathBuf>) -> Self {
        Self {
            name: name.into(),
            component: component.into(),
            feeds: FeedSelection::All,
            allowed_hosts: Vec::new(),
            call_timeout: None,
            memory_limit_mib: None,
            settings: toml::Table::new(),
        }
    }

    /// The effective call budget.
    pub fn call_timeout(&self, feeds: &FeedsConfig) -> Duration {
        self.call_timeout.unwrap_or(feeds.call_timeout)
    }

    /// The effective memory cap in bytes.
    pub fn memory_limit_bytes(&self, feeds: &FeedsConfig) -> usize {
        let mib = self.memory_limit_mib.unwrap_or(feeds.memory_limit_mib);
        usize::try_from(mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
    }

    /// The settings as the JSON object text `init` receives.
    pub fn settings_json(&self) -> String {
        serde_json::to_string(&self.settings).unwrap_or_else(|_| "{}".to_owned())
    }

    /// The signature file beside the component.
    pub fn signature_path(&self) -> PathBuf {
        crate::signature::signature_path(&self.component)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_shape() {
        let config = FeedsConfig::from_toml_str(
            r#"
            [feeds]
            listen = "127.0.0.1:0"
            call_timeout = "250ms"
            allow_unsigned = true
            [[feeds.plugins]]
            name = "fixed"
            component = "fixed.wasm"
            feeds = [{ category = 1, name = "BTC/USD" }]
            [feeds.plugins.settings]
            value = 0.01
            [[feeds.plugins]]
            name = "random"
            component = "random.wasm"
            feeds = "*"
            "#,
        )
        .unwrap();
        assert_eq!(config.call_timeout, Duration::from_millis(250));
        assert_eq!(config.plugins.len(), 2);
        assert!(config.plugins[0].feeds.serves(1, "BTC/USD"));
        assert!(!config.plugins[0].feeds.serves(1, "ETH/USD"));
        assert_eq!(config.plugins[1].feeds, FeedSelection::All);
        assert_eq!(config.plugins[0].settings_json(), r#"{"value":0.01}"#);
    }

    #[test]
    fn refuses_duplicate_names_and_bad_selection() {
        let dup = r#"
            [[feeds.plugins]]
            name = "a"
            component = "a.wasm"
            [[feeds.plugins]]
            name = "a"
            component = "b.wasm"
        "#;
        assert!(FeedsConfig::from_toml_str(dup).is_err());
        let bad = r#"
            [[feeds.plugins]]
            name = "a"
            component = "a.wasm"
            feeds = "some"
        "#;
        assert!(FeedsConfig::from_toml_str(bad).is_err());
    }

    #[test]
    fn unknown_keys_are_refused_everywhere_and_named() {
        let plugin = "[[feeds.plugins]]\nname = \"a\"\ncomponent = \"a.wasm\"\n";
        let cases = [
            (
                "[feeds]\nlisten_addr = \"0.0.0.0:1\"\n".to_owned(),
                "listen_addr",
            ),
            ("[feed]\n".to_owned(), "feed"),
            (format!("{plugin}timeout = \"1s\"\n"), "timeout"),
            (
                format!("{plugin}feeds = [{{ category = 1, nam = \"BTC/USD\" }}]\n"),
                "nam",
            ),
        ];
        for (text, key) in cases {
            let error = format!("{:#}", FeedsConfig::from_toml_str(&text).unwrap_err());
            assert!(error.contains(&format!("`{key}`")), "{text}: {error}");
        }
    }

    #[test]
    fn an_empty_document_gives_the_defaults() {
        let config = FeedsConfig::from_toml_str("").unwrap();
        assert_eq!(config.listen.port(), 3101);
        assert!(!config.allow_unsigned);
        assert_eq!(config.memory_limit_mib, 64);
    }
}
