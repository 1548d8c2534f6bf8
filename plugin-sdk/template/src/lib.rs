//! Template feed plugin: serves the prices listed in its settings.
//!
//! ```toml
//! [[feeds.plugins]]
//! name = "template"
//! component = "target/plugins/ftso_plugin_template.wasm"
//! feeds = "*"
//! [feeds.plugins.settings]
//! prices = { "BTC/USD" = 65000.0, "ETH/USD" = 3500.0 }
//! ```

use std::collections::BTreeMap;

use ftso_plugin_sdk::prelude::*;
use serde::Deserialize;

/// The plugin's settings (`[feeds.plugins.settings]`, handed to `init` as JSON).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Price per feed name, in base units.
    pub prices: BTreeMap<String, f64>,
}

/// Plugin state: one value per component instance, created with `Default`.
#[derive(Debug, Default)]
pub struct Template {
    settings: Settings,
}

impl Plugin for Template {
    fn init(&mut self, config: &PluginConfig) -> Result<(), String> {
        self.settings = config.settings().map_err(|e| e.to_string())?;
        log::info(&format!(
            "serving {} configured prices",
            self.settings.prices.len()
        ));
        Ok(())
    }

    fn values(&mut self, feeds: &[FeedId], _voting_round: Option<u32>) -> Vec<Option<Observation>> {
        let now = clock::now_ms();
        feeds
            .iter()
            .map(|feed| {
                let price = self.settings.prices.get(&feed.name)?;
                Some(Observation::new(*price, now))
            })
            .collect()
    }
}

export_plugin!(Template);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_configured_feeds_and_nothing_else() {
        let mut plugin = Template::default();
        let config = PluginConfig {
            name: "template".into(),
            feeds: vec![],
            settings_json: r#"{"prices":{"BTC/USD":65000.0}}"#.into(),
            sources: vec![],
        };
        plugin.init(&config).unwrap();
        let values = plugin.values(
            &[FeedId::new(1, "BTC/USD"), FeedId::new(1, "ETH/USD")],
            None,
        );
        assert_eq!(values[0].as_ref().map(|o| o.value), Some(65000.0));
        assert_eq!(values[1], None);
    }
}
