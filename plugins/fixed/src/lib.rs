//! `fixed`: the same value for every requested feed, known or not, any category.
//!
//! The counterpart of the reference value provider's `VALUE_PROVIDER_IMPL=fixed`
//! (ftso-v2-example-value-provider `src/data-feeds/fixed-feed.ts`): 0.01 by default, "a safe
//! value that will not overflow for all default feeds", and a WARN line at start that operators
//! grep for. Settings: `value` (float, default 0.01). Volumes: none (an empty list per feed; the
//! reference answers `/volumes` with `{"data":[]}` for this provider, which the host decides).

use ftso_plugin_sdk::prelude::*;
use serde::Deserialize;

/// The reference's constant: safe for every default feed's decimals.
pub const DEFAULT_VALUE: f64 = 0.01;

/// `[feeds.plugins.settings]` of a `fixed` plugin.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The value returned for every feed.
    pub value: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            value: DEFAULT_VALUE,
        }
    }
}

/// The plugin: one value for everything.
#[derive(Debug, Default)]
pub struct Fixed {
    settings: Settings,
}

impl Fixed {
    /// The start-up line, worded as the reference's `FixedFeed` constructor logs it.
    pub fn init_message(value: f64) -> String {
        format!("Initializing FixedFeed, will return {value} for all feeds.")
    }
}

impl Plugin for Fixed {
    fn info(&self, package: Info) -> Info {
        Info {
            name: "fixed".into(),
            ..package
        }
    }

    fn init(&mut self, config: &PluginConfig) -> Result<(), String> {
        let settings: Settings = config.settings().map_err(|e| e.to_string())?;
        if !settings.value.is_finite() {
            return Err(format!(
                "value must be a finite number, got {}",
                settings.value
            ));
        }
        log::warn(&Self::init_message(settings.value));
        self.settings = settings;
        Ok(())
    }

    fn values(&mut self, feeds: &[FeedId], _voting_round: Option<u32>) -> Vec<Option<Observation>> {
        let now = clock::now_ms();
        feeds
            .iter()
            .map(|_| Some(Observation::new(self.settings.value, now)))
            .collect()
    }
}

export_plugin!(Fixed);

#[cfg(test)]
mod tests {
    use super::*;

    fn config(settings_json: &str) -> PluginConfig {
        PluginConfig {
            name: "fixed".into(),
            feeds: vec![],
            settings_json: settings_json.into(),
            sources: vec![],
        }
    }

    fn feeds() -> Vec<FeedId> {
        vec![
            FeedId::new(1, "BTC/USD"),
            FeedId::new(3, "NOPE/USD"),
            FeedId::new(1, "FLR/USD"),
        ]
    }

    #[test]
    fn returns_the_reference_default_for_every_feed() {
        let mut plugin = Fixed::default();
        plugin.init(&config("{}")).unwrap();
        let values = plugin.values(&feeds(), Some(5));
        assert_eq!(values.len(), 3);
        for value in values {
            assert_eq!(value.map(|o| o.value), Some(0.01));
        }
    }

    #[test]
    fn returns_the_configured_value() {
        let mut plugin = Fixed::default();
        plugin.init(&config(r#"{"value": 2.5}"#)).unwrap();
        let values = plugin.values(&feeds(), None);
        assert!(
            values
                .iter()
                .all(|v| v.as_ref().map(|o| o.value) == Some(2.5))
        );
    }

    #[test]
    fn init_line_matches_the_reference_wording() {
        assert_eq!(
            Fixed::init_message(DEFAULT_VALUE),
            "Initializing FixedFeed, will return 0.01 for all feeds."
        );
    }

    #[test]
    fn unknown_settings_are_refused_at_init() {
        let mut plugin = Fixed::default();
        let err = plugin.init(&config(r#"{"valeu": 1}"#)).unwrap_err();
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn volumes_are_an_empty_list_per_feed() {
        let mut plugin = Fixed::default();
        assert_eq!(plugin.volumes(&feeds(), 60), vec![Vec::new(); 3]);
    }

    #[test]
    fn info_names_the_plugin_fixed() {
        let info = Fixed::default().info(Info {
            name: "ftso-plugin-fixed".into(),
            version: "1.2.3".into(),
        });
        assert_eq!(info.name, "fixed");
        assert_eq!(info.version, "1.2.3");
    }
}
