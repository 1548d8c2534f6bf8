//! The `[feeds.prices]` config: which exchange markets make up each feed, and how they are
//! combined.
//!
//! ```toml
//! [feeds.prices]
//! decay_per_ms = 5e-5                      # the reference's MEDIAN_DECAY
//! [[feeds.prices.feed]]
//! name = "BTC/USD"                         # category 1 unless given
//! sources = ["binance:BTC/USDT", "coinbase:BTC/USD"]
//! max_age = "2m"                           # optional staleness cutoff (the reference has none)
//! max_deviation = 0.05                     # optional outlier filter (fraction of the median)
//! volume_weighted = false                  # optional: weigh sources by their recent USD volume
//! ```

use std::{fmt, str::FromStr, time::Duration};

use serde::{Deserialize, Serialize};

/// The `[feeds.prices]` section. Empty by default: every feed is then served from the plugins'
/// own `values` answers (fixed, random), as before connectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PricesConfig {
    /// λ of the time decay, per ms. Default `5e-5` (half-life 13.9 s); `0` weighs all sources
    /// equally.
    pub decay_per_ms: f64,
    /// Window over which `volume_weighted` feeds measure each source's volume. Default `60s`.
    #[serde(with = "humantime_serde")]
    pub volume_window: Duration,
    /// The feeds computed from exchange trades.
    pub feed: Vec<FeedSources>,
}

impl Default for PricesConfig {
    fn default() -> Self {
        Self {
            decay_per_ms: crate::aggregate::DEFAULT_DECAY_PER_MS,
            volume_window: Duration::from_secs(60),
            feed: Vec::new(),
        }
    }
}

/// One `[[feeds.prices.feed]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSources {
    /// 1 crypto (default), 2 forex, 3 commodity, 4 stock.
    #[serde(default = "crypto")]
    pub category: u8,
    /// The feed name, e.g. `"BTC/USD"`.
    pub name: String,
    /// Its markets, `"exchange:BASE/QUOTE"`, in the reference's order. A market quoted in USDT
    /// or USDC is converted to USD through the `USDT/USD` or `USDC/USD` feed.
    pub sources: Vec<SourceId>,
    /// A source whose last trade is older than this is left out. Default: no cutoff (the
    /// reference keeps a price forever).
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_age: Option<Duration>,
    /// A source deviating from the median of the sources by more than this fraction is left
    /// out (needs three or more sources). Default: no filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_deviation: Option<f64>,
    /// Weigh each source by its USD volume over `volume_window` as well as by recency.
    /// Default `false` (the reference ignores volume).
    #[serde(default)]
    pub volume_weighted: bool,
}

fn crypto() -> u8 {
    1
}

/// A market on an exchange: `"binance:BTC/USDT"` in the config.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId {
    /// Exchange id (the reference's ccxt id), e.g. `binance`.
    pub exchange: String,
    /// Unified symbol `BASE/QUOTE`.
    pub symbol: String,
}

impl SourceId {
    /// A source from its parts.
    pub fn new(exchange: impl Into<String>, symbol: impl Into<String>) -> Self {
        Self {
            exchange: exchange.into(),
            symbol: symbol.into(),
        }
    }

    /// The quote currency (after the `/`).
    pub fn quote(&self) -> &str {
        self.symbol.rsplit_once('/').map_or("", |(_, q)| q)
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.exchange, self.symbol)
    }
}

impl FromStr for SourceId {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (exchange, symbol) = text
            .split_once(':')
            .ok_or_else(|| format!("source {text:?} is not \"exchange:BASE/QUOTE\""))?;
        let valid_symbol = symbol
            .split_once('/')
            .is_some_and(|(b, q)| !b.is_empty() && !q.is_empty());
        if exchange.is_empty() || !valid_symbol {
            return Err(format!("source {text:?} is not \"exchange:BASE/QUOTE\""));
        }
        Ok(Self::new(exchange, symbol))
    }
}

impl Serialize for SourceId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SourceId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl PricesConfig {
    /// Checks what serde cannot: unique feeds, sane policies, and that the conversion feeds
    /// exist for every USDT- or USDC-quoted source.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.decay_per_ms.is_finite() && self.decay_per_ms >= 0.0,
            "feeds.prices.decay_per_ms must be a non-negative number"
        );
        let mut seen = std::collections::HashSet::new();
        for feed in &self.feed {
            anyhow::ensure!(
                seen.insert((feed.category, feed.name.as_str())),
                "feed {}:{} is configured twice in feeds.prices",
                feed.category,
                feed.name
            );
            if let Some(d) = feed.max_deviation {
                anyhow::ensure!(
                    d.is_finite() && d > 0.0,
                    "feed {}: max_deviation must be a positive fraction",
                    feed.name
                );
            }
            for source in &feed.sources {
                if let Some(via) = conversion_feed(source.quote()) {
                    anyhow::ensure!(
                        self.feed.iter().any(|f| f.category == 1 && f.name == via),
                        "source {source} of {} is quoted in {} but no {via} feed is configured \
                         to convert it",
                        feed.name,
                        source.quote()
                    );
                }
            }
        }
        Ok(())
    }

    /// Every configured source, each once, in first-seen order.
    pub fn sources(&self) -> Vec<SourceId> {
        let mut seen = std::collections::HashSet::new();
        self.feed
            .iter()
            .flat_map(|f| &f.sources)
            .filter(|s| seen.insert(*s))
            .cloned()
            .collect()
    }
}

/// The USD feed that converts prices quoted in `quote`, if they need converting.
pub fn conversion_feed(quote: &str) -> Option<&'static str> {
    match quote {
        "USDT" => Some("USDT/USD"),
        "USDC" => Some("USDC/USD"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        prices: PricesConfig,
    }

    fn parse(text: &str) -> anyhow::Result<PricesConfig> {
        let doc: Doc = toml::from_str(text)?;
        doc.prices.validate()?;
        Ok(doc.prices)
    }

    #[test]
    fn parses_sources_and_policies() {
        let config = parse(
            r#"
            [prices]
            volume_window = "30s"
            [[prices.feed]]
            name = "USDT/USD"
            sources = ["kraken:USDT/USD"]
            [[prices.feed]]
            name = "BTC/USD"
            sources = ["binance:BTC/USDT", "coinbase:BTC/USD"]
            max_age = "2m"
            max_deviation = 0.05
            volume_weighted = true
            "#,
        )
        .unwrap();
        assert_eq!(config.decay_per_ms, 5e-5);
        assert_eq!(config.volume_window, Duration::from_secs(30));
        let btc = &config.feed[1];
        assert_eq!(btc.category, 1);
        assert_eq!(btc.sources[0], SourceId::new("binance", "BTC/USDT"));
        assert_eq!(btc.max_age, Some(Duration::from_secs(120)));
        assert!(btc.volume_weighted);
        assert_eq!(config.sources().len(), 3);
    }

    #[test]
    fn refuses_bad_sources_duplicates_and_missing_conversion_feeds() {
        let bad_source = "[prices]\n[[prices.feed]]\nname = \"A/USD\"\nsources = [\"binance-BTC\"]";
        assert!(parse(bad_source).is_err());
        let twice = "[prices]\n[[prices.feed]]\nname = \"A/USD\"\nsources = []\n[[prices.feed]]\nname = \"A/USD\"\nsources = []";
        assert!(parse(twice).unwrap_err().to_string().contains("twice"));
        let no_usdt = "[prices]\n[[prices.feed]]\nname = \"A/USD\"\nsources = [\"gate:A/USDT\"]";
        assert!(parse(no_usdt).unwrap_err().to_string().contains("USDT/USD"));
    }
}
