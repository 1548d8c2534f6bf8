//! The REST-polling variant of the connector pattern, for an exchange without a websocket
//! trade stream (bitrue): implement [`Poller`] and export
//! [`PollingPlugin<YourPoller>`](PollingPlugin).
//!
//! Every `interval_ms` (from [`tick`](crate::Plugin::tick)) each market's recent trades are
//! fetched over the host's `http` capability; the trades newer than the newest one already
//! published go to the host's price store. A failed request or an unreadable body is retried
//! with exponential backoff (1 s doubling up to 60 s), per market, for ever.

use serde::Deserialize;

use super::{MarketTable, WireTrade};
use crate::trades::{self, Trade};
use crate::ws::Backoff;
use crate::{FeedId, Info, Observation, Plugin, PluginConfig, clock, http, log};

/// One exchange's REST trade endpoint. Only [`EXCHANGE`](Self::EXCHANGE),
/// [`URL`](Self::URL), [`market_id`](Self::market_id), [`request_url`](Self::request_url) and
/// [`parse`](Self::parse) are required.
pub trait Poller: Default + 'static {
    /// The exchange id, as the feed sources name it.
    const EXCHANGE: &'static str;
    /// The REST base URL (the `url` setting overrides it).
    const URL: &'static str;
    /// How often each market is polled, in ms (the `interval_ms` setting overrides it).
    const INTERVAL_MS: u64 = 1_000;
    /// Currency codes the exchange writes differently, as `(unified, exchange)` pairs.
    const RENAMES: &'static [(&'static str, &'static str)] = &[];

    /// The exchange's market id for `base`/`quote` (already renamed), e.g. `XDCUSDT`.
    fn market_id(&self, base: &str, quote: &str) -> String;

    /// The URL of `market`'s recent trades under the REST base `base_url`.
    fn request_url(&self, base_url: &str, market: &str) -> String;

    /// Reads the trades of `market` from a 2xx response body into `trades`.
    fn parse(
        &mut self,
        market: &str,
        body: &[u8],
        trades: &mut Vec<WireTrade>,
    ) -> Result<(), String>;
}

/// The `[feeds.plugins.settings]` a polling connector understands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PollerSettings {
    /// Replaces the REST base URL (a loopback server in tests, a mirror).
    pub url: Option<String>,
    /// Unified symbols to poll; default: the host's sources on this exchange.
    pub symbols: Option<Vec<String>>,
    /// Replaces the poll interval, in ms.
    pub interval_ms: Option<u64>,
}

/// One polled market.
#[derive(Debug)]
struct Market {
    id: String,
    next_poll_ms: u64,
    failures: u32,
    /// Time of the newest trade published.
    newest_ms: u64,
}

/// A [`Poller`] run as a feed plugin; export it with
/// `export_plugin!(PollingPlugin<MyPoller>)`.
#[derive(Debug, Default)]
pub struct PollingPlugin<P: Poller> {
    poller: P,
    table: MarketTable,
    base_url: String,
    interval_ms: u64,
    markets: Vec<Market>,
    scratch: Vec<WireTrade>,
}

impl<P: Poller> PollingPlugin<P> {
    /// A plugin initialised for `symbols` with default settings (for unit tests: feed it
    /// bodies with [`handle_body`](Self::handle_body)).
    pub fn with_symbols(symbols: &[&str]) -> Result<Self, String> {
        let mut plugin = Self::default();
        plugin.init(&super::test_config(P::EXCHANGE, symbols))?;
        Ok(plugin)
    }

    /// The markets it polls.
    pub fn markets(&self) -> &MarketTable {
        &self.table
    }

    /// Parses one response body of the market at `index` and publishes its new trades;
    /// returns how many were published.
    pub fn handle_body(&mut self, index: usize, body: &[u8]) -> Result<usize, String> {
        let Some(market) = self.markets.get_mut(index) else {
            return Err(format!("no market {index}"));
        };
        self.scratch.clear();
        self.poller.parse(&market.id, body, &mut self.scratch)?;
        self.scratch.sort_by_key(|t| t.timestamp_ms);
        let newest_before = market.newest_ms;
        let published: Vec<Trade> = self
            .scratch
            .drain(..)
            .filter(|t| t.timestamp_ms > newest_before)
            .filter_map(|t| {
                let symbol = self.table.unified(&t.market)?;
                market.newest_ms = market.newest_ms.max(t.timestamp_ms);
                Some(Trade {
                    exchange: P::EXCHANGE.to_owned(),
                    symbol: symbol.to_owned(),
                    price: t.price,
                    quantity: t.quantity.abs(),
                    timestamp_ms: t.timestamp_ms,
                })
            })
            .collect();
        trades::publish(&published);
        Ok(published.len())
    }

    /// Polls the market at `index` once.
    fn poll(&mut self, index: usize) -> Result<usize, String> {
        let Some(market) = self.markets.get(index) else {
            return Err(format!("no market {index}"));
        };
        let url = self.poller.request_url(&self.base_url, &market.id);
        let headers = [("accept".to_owned(), "application/json".to_owned())];
        let response = http::get(&url, &headers).map_err(|e| format!("request failed: {e:?}"))?;
        if !(200..=299).contains(&response.status) {
            return Err(format!("status {}", response.status));
        }
        self.handle_body(index, &response.body)
    }
}

impl<P: Poller> Plugin for PollingPlugin<P> {
    fn info(&self, package: Info) -> Info {
        Info {
            name: P::EXCHANGE.to_owned(),
            ..package
        }
    }

    fn init(&mut self, config: &PluginConfig) -> Result<(), String> {
        let settings: PollerSettings = config.settings().map_err(|e| e.to_string())?;
        let symbols = super::configured_symbols(config, P::EXCHANGE, settings.symbols.as_ref());
        let poller = &self.poller;
        self.table = MarketTable::map(P::RENAMES, &symbols, |base, quote| {
            poller.market_id(base, quote)
        });
        self.base_url = settings.url.unwrap_or_else(|| P::URL.to_owned());
        self.interval_ms = settings.interval_ms.unwrap_or(P::INTERVAL_MS).max(1);
        if self.table.is_empty() {
            log::warn(&format!("{}: no markets to poll", P::EXCHANGE));
        }
        self.markets = self
            .table
            .ids()
            .iter()
            .map(|id| Market {
                id: id.clone(),
                next_poll_ms: 0,
                failures: 0,
                newest_ms: 0,
            })
            .collect();
        Ok(())
    }

    /// A connector serves no values itself: the host computes them from the published trades.
    fn values(&mut self, feeds: &[FeedId], _voting_round: Option<u32>) -> Vec<Option<Observation>> {
        vec![None; feeds.len()]
    }

    fn tick(&mut self) {
        let backoff = Backoff::default();
        for index in 0..self.markets.len() {
            if self
                .markets
                .get(index)
                .is_none_or(|m| clock::now_ms() < m.next_poll_ms)
            {
                continue;
            }
            let outcome = self.poll(index);
            let now = clock::now_ms();
            let interval_ms = self.interval_ms;
            let Some(market) = self.markets.get_mut(index) else {
                continue;
            };
            match outcome {
                Ok(_) => {
                    market.failures = 0;
                    market.next_poll_ms = now.saturating_add(interval_ms);
                }
                Err(error) => {
                    market.failures = market.failures.saturating_add(1);
                    let delay = backoff.delay_ms(market.failures);
                    market.next_poll_ms = now.saturating_add(delay.max(interval_ms));
                    log::warn(&format!(
                        "{}: polling {} failed ({error}), retry in {delay} ms",
                        P::EXCHANGE,
                        market.id
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trades::take_published;

    #[derive(Default)]
    struct Venue;

    impl Poller for Venue {
        const EXCHANGE: &'static str = "venue";
        const URL: &'static str = "https://venue.test";

        fn market_id(&self, base: &str, quote: &str) -> String {
            format!("{base}{quote}")
        }

        fn request_url(&self, base_url: &str, market: &str) -> String {
            format!("{base_url}/trades?symbol={market}")
        }

        fn parse(
            &mut self,
            market: &str,
            body: &[u8],
            trades: &mut Vec<WireTrade>,
        ) -> Result<(), String> {
            let rows: Vec<(f64, f64, u64)> =
                serde_json::from_slice(body).map_err(|e| e.to_string())?;
            trades.extend(
                rows.into_iter()
                    .map(|(price, quantity, timestamp_ms)| WireTrade {
                        market: market.to_owned(),
                        price,
                        quantity,
                        timestamp_ms,
                    }),
            );
            Ok(())
        }
    }

    #[test]
    fn only_trades_newer_than_the_last_poll_are_published() {
        let mut plugin = PollingPlugin::<Venue>::with_symbols(&["XDC/USDT"]).unwrap();
        assert_eq!(plugin.markets().ids(), ["XDCUSDT"]);
        assert_eq!(
            Venue.request_url("https://venue.test", "XDCUSDT"),
            "https://venue.test/trades?symbol=XDCUSDT"
        );
        assert_eq!(plugin.handle_body(0, b"[[1.0,2.0,20],[0.9,1.0,10]]"), Ok(2));
        let first = take_published();
        assert_eq!(
            first.iter().map(|t| t.timestamp_ms).collect::<Vec<_>>(),
            [10, 20]
        );
        // The next poll repeats the trade at 20 and adds one at 30.
        assert_eq!(plugin.handle_body(0, b"[[1.1,3.0,30],[1.0,2.0,20]]"), Ok(1));
        let second = take_published();
        assert_eq!((second[0].price, second[0].timestamp_ms), (1.1, 30));
        assert!(plugin.handle_body(0, b"not json").is_err());
        assert!(plugin.handle_body(1, b"[]").is_err());
    }
}
