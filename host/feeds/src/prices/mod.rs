//! Feed values from exchange trades: the host side of the connector plugins.
//!
//! - [`table`]: the `[feeds.prices]` config (each feed's `exchange:symbol` sources and policy).
//! - [`store`]: the price store, fed by the plugins' `trades.publish`.
//! - [`volume`]: per-second traded volume over the last hour.
//! - [`Prices`] (here): the reference's aggregate per feed (ccxt-provider-service.ts
//!   `getFeedPrice` and `getVolumes`, value-provider.md §3.5–§3.9): each source's last price,
//!   USDT- and USDC-quoted ones converted through the `USDT/USD` and `USDC/USD` feeds, combined
//!   by the time-decayed weighted median of [`crate::aggregate`]; plus the staleness cutoff,
//!   outlier filter and volume weighting a feed may select.

pub mod store;
pub mod table;
pub mod volume;

use std::collections::HashMap;

pub use store::{LastPrice, PriceStore, SourceStatus};
pub use table::{FeedSources, PricesConfig, SourceId, conversion_feed};
pub use volume::WindowTooLong;

use crate::aggregate::{self, Sample};

/// One feed's health (admin listing, `/health`, metrics).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeedHealth {
    /// Feed category.
    pub category: u8,
    /// Feed name, e.g. `BTC/USD`.
    pub name: String,
    /// The value served now, if any.
    pub value: Option<f64>,
    /// Sources configured.
    pub sources: usize,
    /// Sources with a trade usable now (within the feed's `max_age`, when it has one).
    pub sources_live: usize,
    /// Age of the newest trade over all its sources, ms; `None`: no trade yet.
    pub last_trade_age_ms: Option<u64>,
}

/// Conversion chains deeper than this are cut (a config where USDT/USD is priced in USDC and
/// USDC/USD in USDT would otherwise never end).
const MAX_CONVERSION_DEPTH: u8 = 3;

/// The configured feeds and the store their sources feed.
#[derive(Debug, Default)]
pub struct Prices {
    config: PricesConfig,
    index: HashMap<(u8, String), usize>,
    store: PriceStore,
}

impl Prices {
    /// The feeds of `config` with an empty store.
    pub fn new(config: PricesConfig) -> Self {
        let index = config
            .feed
            .iter()
            .enumerate()
            .map(|(i, f)| ((f.category, f.name.clone()), i))
            .collect();
        let store = PriceStore::new(config.feed.iter().flat_map(|f| &f.sources));
        Self {
            config,
            index,
            store,
        }
    }

    /// The store the plugins feed.
    pub fn store(&self) -> &PriceStore {
        &self.store
    }

    /// The configuration.
    pub fn config(&self) -> &PricesConfig {
        &self.config
    }

    /// The feed's entry, if it is computed from trades.
    pub fn feed(&self, category: u8, name: &str) -> Option<&FeedSources> {
        let i = *self.index.get(&(category, name.to_owned()))?;
        self.config.feed.get(i)
    }

    /// The feed's value at `now_ms`; `None` when it is not configured here or none of its
    /// sources has a usable price (never a stale number beyond the feed's `max_age`).
    pub fn value(&self, category: u8, name: &str, now_ms: u64) -> Option<f64> {
        self.value_at_depth(self.feed(category, name)?, now_ms, 0)
    }

    fn value_at_depth(&self, feed: &FeedSources, now_ms: u64, depth: u8) -> Option<f64> {
        let mut rates = Rates::default();
        let window_s = self.config.volume_window.as_secs();
        let mut samples = Vec::with_capacity(feed.sources.len());
        for source in &feed.sources {
            let Some(last) = self.store.last(source) else {
                continue;
            };
            if !is_fresh(feed, &last, now_ms) {
                continue;
            }
            let Some(rate) = self.rate(&mut rates, feed, source, now_ms, depth) else {
                tracing::debug!(feed = %feed.name, %source, "no conversion rate, source skipped");
                continue;
            };
            let weight = if feed.volume_weighted {
                let volume = self.store.volume(source, window_s, now_ms).ok().flatten();
                volume.unwrap_or(0.0) * rate
            } else {
                1.0
            };
            samples.push(Sample {
                value: last.price * rate,
                timestamp_ms: last.timestamp_ms,
                weight,
            });
        }
        if let Some(max_deviation) = feed.max_deviation {
            aggregate::drop_outliers(&mut samples, max_deviation);
        }
        if feed.volume_weighted && samples.iter().all(|s| s.weight <= 0.0) {
            // No volume anywhere yet: recency alone.
            samples.iter_mut().for_each(|s| s.weight = 1.0);
        }
        let (value, method) = aggregate::combine(&samples, now_ms, self.config.decay_per_ms)?;
        tracing::trace!(feed = %feed.name, sources = samples.len(), method = method.as_str(), value, "feed value");
        Some(value)
    }

    /// Every configured feed's health at `now_ms`, in config order.
    pub fn feed_health(&self, now_ms: u64) -> Vec<FeedHealth> {
        self.config
            .feed
            .iter()
            .map(|feed| {
                let lasts: Vec<LastPrice> = feed
                    .sources
                    .iter()
                    .filter_map(|source| self.store.last(source))
                    .collect();
                let live = lasts
                    .iter()
                    .filter(|last| is_fresh(feed, last, now_ms))
                    .count();
                FeedHealth {
                    category: feed.category,
                    name: feed.name.clone(),
                    value: self.value_at_depth(feed, now_ms, 0),
                    sources: feed.sources.len(),
                    sources_live: live,
                    last_trade_age_ms: lasts
                        .iter()
                        .map(|last| now_ms.saturating_sub(last.timestamp_ms))
                        .min(),
                }
            })
            .collect()
    }

    /// The factor turning `source`'s quote into USD: 1, or the conversion feed's value
    /// (computed once per call, as the reference does).
    fn rate(
        &self,
        rates: &mut Rates,
        feed: &FeedSources,
        source: &SourceId,
        now_ms: u64,
        depth: u8,
    ) -> Option<f64> {
        let Some(via) = conversion_feed(source.quote()) else {
            return Some(1.0);
        };
        if via == feed.name || depth >= MAX_CONVERSION_DEPTH {
            return None;
        }
        *rates.0.entry(via).or_insert_with(|| {
            let via_feed = self.feed(1, via)?;
            self.value_at_depth(via_feed, now_ms, depth + 1)
        })
    }

    /// Volume per exchange in USD over `window_s` seconds (§3.9): the feed's `/USD` markets as
    /// they are, then its `/USDT` markets converted at the USDT/USD rate and rounded to an
    /// integer, as the reference does. Fails when the window exceeds the history and the feed
    /// has volume data (the reference's 500).
    pub fn volumes(
        &self,
        category: u8,
        name: &str,
        window_s: u64,
        now_ms: u64,
    ) -> Result<Vec<(String, f64)>, WindowTooLong> {
        let Some(feed) = self.feed(category, name) else {
            return Ok(Vec::new());
        };
        let mut out: Vec<(String, f64)> = Vec::new();
        for source in feed.sources.iter().filter(|s| s.symbol == feed.name) {
            if let Some(volume) = self.store.volume(source, window_s, now_ms)? {
                add_volume(&mut out, &source.exchange, volume);
            }
        }
        let Some(base) = feed.name.strip_suffix("/USD") else {
            return Ok(out);
        };
        let usdt_symbol = format!("{base}/USDT");
        let usdt_sources: Vec<&SourceId> = feed
            .sources
            .iter()
            .filter(|s| s.symbol == usdt_symbol)
            .collect();
        if usdt_sources.is_empty() {
            return Ok(out);
        }
        let Some(rate) = self.value(1, "USDT/USD", now_ms) else {
            return Ok(out);
        };
        for source in usdt_sources {
            if let Some(volume) = self.store.volume(source, window_s, now_ms)? {
                add_volume(&mut out, &source.exchange, (volume * rate).round());
            }
        }
        Ok(out)
    }
}

/// Whether `last` is within the feed's `max_age` (always, without one).
fn is_fresh(feed: &FeedSources, last: &LastPrice, now_ms: u64) -> bool {
    feed.max_age.is_none_or(|max_age| {
        u128::from(now_ms.saturating_sub(last.timestamp_ms)) <= max_age.as_millis()
    })
}

/// Conversion rates computed during one value call.
#[derive(Default)]
struct Rates(HashMap<&'static str, Option<f64>>);

fn add_volume(out: &mut Vec<(String, f64)>, exchange: &str, volume: f64) {
    match out.iter_mut().find(|(e, _)| e == exchange) {
        Some((_, total)) => *total += volume,
        None => out.push((exchange.to_owned(), volume)),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    fn feed(name: &str, sources: &[&str]) -> FeedSources {
        FeedSources {
            category: 1,
            name: name.into(),
            sources: sources.iter().map(|s| s.parse().unwrap()).collect(),
            max_age: None,
            max_deviation: None,
            volume_weighted: false,
        }
    }

    fn prices(feeds: Vec<FeedSources>) -> Prices {
        let config = PricesConfig {
            feed: feeds,
            ..PricesConfig::default()
        };
        config.validate().unwrap();
        Prices::new(config)
    }

    fn usdt() -> FeedSources {
        feed(
            "USDT/USD",
            &["bitstamp:USDT/USD", "coinbase:USDT/USD", "kraken:USDT/USD"],
        )
    }

    fn reference_usdt_prices(p: &Prices) {
        let s = p.store();
        s.record("kraken", "USDT/USD", 0.999, 1.0, NOW - 500);
        s.record("coinbase", "USDT/USD", 1.0002, 1.0, NOW - 1_000);
        s.record("bitstamp", "USDT/USD", 1.001, 1.0, NOW - 60_000);
    }

    /// value-provider.md §3.7, second worked example: binance 100000 USDT (0.1 s) → 100020,
    /// coinbase 100100 USD (2 s), okx 99950 USDT (30 s) → 99969.99; the median is 100020.
    #[test]
    fn reference_worked_example_btc_with_usdt_conversion() {
        let p = prices(vec![
            usdt(),
            feed(
                "BTC/USD",
                &["binance:BTC/USDT", "coinbase:BTC/USD", "okx:BTC/USDT"],
            ),
        ]);
        reference_usdt_prices(&p);
        assert_eq!(p.value(1, "USDT/USD", NOW), Some(1.0002));
        let s = p.store();
        s.record("binance", "BTC/USDT", 100_000.0, 0.1, NOW - 100);
        s.record("coinbase", "BTC/USD", 100_100.0, 0.1, NOW - 2_000);
        s.record("okx", "BTC/USDT", 99_950.0, 0.1, NOW - 30_000);
        let value = p.value(1, "BTC/USD", NOW).unwrap();
        assert!((value - 100_020.0).abs() < 1e-6, "{value}");
    }

    /// §3.7 third example: only 6 h and 7 h old prices → the oldest (7 h) price × 1.0002.
    #[test]
    fn reference_worked_example_all_weights_zero() {
        let p = prices(vec![
            usdt(),
            feed("ETH/USD", &["binance:ETH/USDT", "gate:ETH/USDT"]),
        ]);
        reference_usdt_prices(&p);
        let hour = 3_600_000;
        p.store()
            .record("binance", "ETH/USDT", 3000.0, 1.0, NOW - 6 * hour);
        p.store()
            .record("gate", "ETH/USDT", 3100.0, 1.0, NOW - 7 * hour);
        let value = p.value(1, "ETH/USD", NOW).unwrap();
        assert!((value - 3100.62).abs() < 1e-9, "{value}");
    }

    #[test]
    fn usdt_sources_without_a_usdt_rate_are_skipped() {
        let p = prices(vec![usdt(), feed("BTC/USD", &["binance:BTC/USDT"])]);
        p.store().record("binance", "BTC/USDT", 100.0, 1.0, NOW);
        assert_eq!(p.value(1, "BTC/USD", NOW), None);
    }

    #[test]
    fn usdc_sources_convert_through_usdc_usd_which_converts_through_usdt() {
        let p = prices(vec![
            usdt(),
            feed("USDC/USD", &["okx:USDC/USDT"]),
            feed("EURC/USD", &["coinbase:EURC/USDC"]),
        ]);
        reference_usdt_prices(&p);
        p.store().record("okx", "USDC/USDT", 0.9999, 1.0, NOW);
        p.store().record("coinbase", "EURC/USDC", 1.1, 1.0, NOW);
        let usdc = 0.9999 * 1.0002;
        assert_eq!(p.value(1, "USDC/USD", NOW), Some(usdc));
        assert_eq!(p.value(1, "EURC/USD", NOW), Some(1.1 * usdc));
    }

    #[test]
    fn a_feed_whose_sources_are_all_silent_or_stale_has_no_value() {
        let mut btc = feed("BTC/USD", &["coinbase:BTC/USD", "kraken:BTC/USD"]);
        btc.max_age = Some(Duration::from_secs(60));
        let p = prices(vec![btc]);
        assert_eq!(p.value(1, "BTC/USD", NOW), None, "no trade yet");
        p.store()
            .record("coinbase", "BTC/USD", 100.0, 1.0, NOW - 61_000);
        assert_eq!(p.value(1, "BTC/USD", NOW), None, "only a stale trade");
        p.store()
            .record("kraken", "BTC/USD", 101.0, 1.0, NOW - 59_000);
        assert_eq!(p.value(1, "BTC/USD", NOW), Some(101.0));
        assert_eq!(p.value(1, "NOPE/USD", NOW), None);
    }

    #[test]
    fn feed_health_counts_live_sources_and_the_newest_trade_age() {
        let mut btc = feed(
            "BTC/USD",
            &["coinbase:BTC/USD", "kraken:BTC/USD", "okx:BTC/USD"],
        );
        btc.max_age = Some(Duration::from_secs(60));
        let p = prices(vec![btc]);
        let health = |p: &Prices| p.feed_health(NOW).remove(0);
        assert_eq!(
            health(&p),
            FeedHealth {
                category: 1,
                name: "BTC/USD".into(),
                value: None,
                sources: 3,
                sources_live: 0,
                last_trade_age_ms: None,
            }
        );
        p.store()
            .record("coinbase", "BTC/USD", 100.0, 1.0, NOW - 61_000);
        p.store()
            .record("kraken", "BTC/USD", 101.0, 1.0, NOW - 2_000);
        let now = health(&p);
        assert_eq!(
            (now.value, now.sources_live, now.last_trade_age_ms),
            (Some(101.0), 1, Some(2_000))
        );
    }

    #[test]
    fn outlier_filter_and_volume_weighting_change_the_median() {
        let mut plain = feed("X/USD", &["a:X/USD", "b:X/USD", "c:X/USD"]);
        let mut filtered = plain.clone();
        filtered.name = "Y/USD".into();
        filtered.sources = ["a:Y/USD", "b:Y/USD", "c:Y/USD"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        filtered.max_deviation = Some(0.05);
        plain.volume_weighted = true;
        let p = prices(vec![plain, filtered]);
        let s = p.store();
        // X: a heavy trade at 3.0 outweighs two small ones (volume counted before now's second).
        s.record("a", "X/USD", 1.0, 1.0, NOW - 2_000);
        s.record("b", "X/USD", 2.0, 1.0, NOW - 2_000);
        s.record("c", "X/USD", 3.0, 1_000.0, NOW - 2_000);
        for (ex, price) in [("a", 1.0), ("b", 2.0), ("c", 3.0)] {
            s.record(ex, "X/USD", price, 0.0, NOW);
        }
        assert_eq!(p.value(1, "X/USD", NOW), Some(3.0));
        // Y: 100, 101, 150 with the newest price the outlier; the filter leaves 100/101.
        s.record("a", "Y/USD", 100.0, 1.0, NOW - 20_000);
        s.record("b", "Y/USD", 101.0, 1.0, NOW - 20_000);
        s.record("c", "Y/USD", 150.0, 1.0, NOW);
        assert_eq!(p.value(1, "Y/USD", NOW), Some(100.0));
    }

    /// §3.9 example: binance trades at now-5 s (0.5 @ 100000) and now-3 s (0.25 @ 100000),
    /// coinbase at now-4 s (1 @ 100100), window 60 → coinbase 0 first (USD market), then
    /// binance 50000 × 1.0002 rounded.
    #[test]
    fn reference_volumes_example() {
        let p = prices(vec![
            usdt(),
            feed("BTC/USD", &["binance:BTC/USDT", "coinbase:BTC/USD"]),
        ]);
        reference_usdt_prices(&p);
        let s = p.store();
        s.record("binance", "BTC/USDT", 100_000.0, 0.5, NOW - 5_000);
        s.record("binance", "BTC/USDT", 100_000.0, 0.25, NOW - 3_000);
        s.record("coinbase", "BTC/USD", 100_100.0, 1.0, NOW - 4_000);
        assert_eq!(
            p.volumes(1, "BTC/USD", 60, NOW),
            Ok(vec![("coinbase".into(), 0.0), ("binance".into(), 50_010.0)])
        );
        assert_eq!(p.volumes(1, "BTC/USD", 3601, NOW), Err(WindowTooLong(3601)));
        assert_eq!(p.volumes(1, "ETH/USD", 3601, NOW), Ok(vec![]));
    }
}
