//! Typed plugin settings: the `[feeds.plugins.settings]` table of the host config, as JSON.

use serde::de::DeserializeOwned;

use crate::{FeedId, PluginConfig};

/// The plugin's settings could not be read into the type it asked for.
#[derive(Debug, thiserror::Error)]
#[error("invalid settings for plugin {plugin:?}: {source}")]
pub struct SettingsError {
    /// The plugin's name in the host config.
    pub plugin: String,
    /// What serde found wrong.
    #[source]
    pub source: serde_json::Error,
}

impl PluginConfig {
    /// Reads the settings table into `T`; an empty or absent table reads as `{}`, so a settings
    /// struct with `#[serde(default)]` fields works without any settings.
    ///
    /// ```
    /// # use ftso_plugin_sdk::PluginConfig;
    /// #[derive(serde::Deserialize)]
    /// struct Settings { value: f64 }
    ///
    /// let config = PluginConfig { name: "fixed".into(), feeds: vec![], settings_json: r#"{"value":0.5}"#.into(), sources: vec![] };
    /// let settings: Settings = config.settings().unwrap();
    /// assert_eq!(settings.value, 0.5);
    /// ```
    pub fn settings<T: DeserializeOwned>(&self) -> Result<T, SettingsError> {
        let text = self.settings_json.trim();
        let text = if text.is_empty() || text == "null" {
            "{}"
        } else {
            text
        };
        serde_json::from_str(text).map_err(|source| SettingsError {
            plugin: self.name.clone(),
            source,
        })
    }

    /// Whether the host configured this plugin for `feed`. An empty feed list in the config
    /// (the `"*"` form) means every requested feed.
    pub fn serves(&self, feed: &FeedId) -> bool {
        self.feeds.is_empty() || self.feeds.contains(feed)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(default, deny_unknown_fields)]
    struct Settings {
        value: f64,
        venues: Vec<String>,
    }

    impl Default for Settings {
        fn default() -> Self {
            Self {
                value: 0.01,
                venues: vec![],
            }
        }
    }

    fn config(settings_json: &str) -> PluginConfig {
        PluginConfig {
            name: "test".into(),
            feeds: vec![FeedId::new(1, "BTC/USD")],
            settings_json: settings_json.into(),
            sources: vec![],
        }
    }

    #[test]
    fn settings_read_into_the_requested_type() {
        let settings: Settings = config(r#"{"value": 2.5, "venues": ["binance"]}"#)
            .settings()
            .unwrap();
        assert_eq!(settings.value, 2.5);
        assert_eq!(settings.venues, vec!["binance".to_owned()]);
    }

    #[test]
    fn empty_or_null_settings_read_as_defaults() {
        for text in ["", "  ", "null", "{}"] {
            let settings: Settings = config(text).settings().unwrap();
            assert_eq!(settings, Settings::default(), "settings text {text:?}");
        }
    }

    #[test]
    fn bad_settings_name_the_plugin_and_the_field() {
        let err = config(r#"{"value": "high"}"#)
            .settings::<Settings>()
            .unwrap_err();
        assert_eq!(err.plugin, "test");
        let text = err.to_string();
        assert!(
            text.contains("\"test\"") && text.contains("invalid type"),
            "{text}"
        );
    }

    #[test]
    fn serves_lists_feeds_or_everything_when_empty() {
        let listed = config("{}");
        assert!(listed.serves(&FeedId::new(1, "BTC/USD")));
        assert!(!listed.serves(&FeedId::new(1, "ETH/USD")));
        let all = PluginConfig {
            feeds: vec![],
            ..listed
        };
        assert!(all.serves(&FeedId::new(2, "EUR/USD")));
    }
}
