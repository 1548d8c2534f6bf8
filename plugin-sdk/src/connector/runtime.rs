//! [`ConnectorPlugin`]: the [`Plugin`] every connector is exported as.

use std::collections::HashSet;

use serde::Deserialize;

use super::{Connector, Keepalive, MarketTable, WireTrade, frame};
use crate::trades::{self, Trade};
use crate::ws::{Subscription, TickOutcome};
use crate::{FeedId, Info, Message, Observation, Plugin, PluginConfig, clock, http, log};

/// Default of `watchdog_secs`: a connection with no trade for five minutes is reconnected.
pub const DEFAULT_WATCHDOG_SECS: u64 = 300;

/// The `[feeds.plugins.settings]` every connector understands.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectorSettings {
    /// Replaces the connector's websocket URL (a loopback server in tests, a mirror).
    pub url: Option<String>,
    /// Unified symbols to subscribe; default: the host's sources on this exchange.
    pub symbols: Option<Vec<String>>,
    /// A connection that delivers no trade for this long is reconnected; 0 turns it off.
    /// Default 300.
    pub watchdog_secs: u64,
    /// Replaces the interval of the connector's own keepalive ping, in ms.
    pub keepalive_ms: Option<u64>,
    /// Replaces the REST base of the startup ticker fallback.
    pub rest_url: Option<String>,
    /// The exchange id its trades are published under (and its sources read from), instead of
    /// the connector's: one connector for a sibling exchange that speaks the same protocol
    /// (the binance connector as `binanceus` with Binance.US's `url`).
    pub exchange: Option<String>,
    /// Whether to fetch a ticker at start for each market without a trade (when the connector
    /// has one). Default true.
    pub rest_fallback: bool,
}

impl Default for ConnectorSettings {
    fn default() -> Self {
        Self {
            url: None,
            symbols: None,
            watchdog_secs: DEFAULT_WATCHDOG_SECS,
            keepalive_ms: None,
            rest_url: None,
            exchange: None,
            rest_fallback: true,
        }
    }
}

/// One connection and the markets it carries.
#[derive(Debug)]
struct Link {
    subscription: Subscription,
    markets: Vec<String>,
    /// When the last frame arrived (or the connection opened).
    last_frame_ms: u64,
    /// When the last trade arrived (or the connection opened).
    last_trade_ms: u64,
    last_ping_ms: u64,
}

/// A [`Connector`] run as a feed plugin; export it with
/// `export_plugin!(ConnectorPlugin<MyConnector>)`.
#[derive(Debug, Default)]
pub struct ConnectorPlugin<C: Connector> {
    connector: C,
    settings: ConnectorSettings,
    markets: MarketTable,
    endpoint: String,
    links: Vec<Link>,
    scratch: Vec<WireTrade>,
    /// Markets whose startup ticker is still to fetch, last first.
    fallback: Vec<String>,
    /// Markets that have had a trade.
    traded: HashSet<String>,
}

impl<C: Connector> ConnectorPlugin<C> {
    /// A plugin initialised for `symbols` with default settings, not connected (for unit tests
    /// of a connector: feed it frames with [`handle`](Self::handle)).
    pub fn with_symbols(symbols: &[&str]) -> Result<Self, String> {
        let mut plugin = Self::default();
        plugin.init(&super::test_config(C::EXCHANGE, symbols))?;
        Ok(plugin)
    }

    /// The exchange id its trades are published under: the `exchange` setting, else
    /// [`Connector::EXCHANGE`].
    pub fn exchange(&self) -> &str {
        self.settings.exchange.as_deref().unwrap_or(C::EXCHANGE)
    }

    /// The connector.
    pub fn connector(&self) -> &C {
        &self.connector
    }

    /// The markets it subscribes to.
    pub fn markets(&self) -> &MarketTable {
        &self.markets
    }

    /// Parses one message as if it had arrived on a connection and publishes its trades;
    /// returns the reply the connector asked to send (for unit tests of a connector).
    pub fn handle(&mut self, message: Message) -> Option<Message> {
        self.process(message).0
    }

    /// Decodes, parses and publishes one message: the reply to send and the trades published.
    fn process(&mut self, message: Message) -> (Option<Message>, usize) {
        let decoded = match frame::decode(message, C::COMPRESSION) {
            Ok(decoded) => decoded,
            Err(error) => {
                log::warn(&format!("{}: undecodable frame: {error}", C::EXCHANGE));
                return (None, 0);
            }
        };
        self.scratch.clear();
        let reply = self.connector.parse(decoded.as_frame(), &mut self.scratch);
        let exchange = self.settings.exchange.as_deref().unwrap_or(C::EXCHANGE);
        let published: Vec<Trade> = self
            .scratch
            .drain(..)
            .filter_map(|t| {
                let symbol = self.markets.unified(&t.market)?;
                if !self.traded.contains(&t.market) {
                    self.traded.insert(t.market.clone());
                }
                Some(Trade {
                    exchange: exchange.to_owned(),
                    symbol: symbol.to_owned(),
                    price: t.price,
                    quantity: t.quantity.abs(),
                    timestamp_ms: t.timestamp_ms,
                })
            })
            .collect();
        trades::publish(&published);
        (reply, published.len())
    }

    /// Fetches the startup ticker of the next market without a trade, if any is left.
    fn fallback_step(&mut self) {
        let Some(market) = self.fallback.pop() else {
            return;
        };
        if self.traded.contains(&market) {
            return;
        }
        let base = self
            .settings
            .rest_url
            .as_deref()
            .unwrap_or(C::REST_URL)
            .trim_end_matches('/');
        let Some(url) = self.connector.ticker_url(base, &market) else {
            return;
        };
        let headers = [("accept".to_owned(), "application/json".to_owned())];
        let response = match http::get(&url, &headers) {
            Ok(response) if (200..=299).contains(&response.status) => response,
            Ok(response) => {
                log::warn(&format!(
                    "{}: ticker of {market}: status {}",
                    C::EXCHANGE,
                    response.status
                ));
                return;
            }
            Err(error) => {
                log::warn(&format!("{}: ticker of {market}: {error:?}", C::EXCHANGE));
                return;
            }
        };
        let Some(mut last) = self.connector.parse_ticker(&market, &response.body) else {
            log::warn(&format!("{}: no last price for {market}", C::EXCHANGE));
            return;
        };
        if last.timestamp_ms == 0 {
            last.timestamp_ms = clock::now_ms();
        }
        log::info(&format!(
            "{}: last price of {market} from the ticker: {}",
            C::EXCHANGE,
            last.price
        ));
        self.publish_fallback(last);
    }

    /// Publishes a ticker price (no volume) unless a trade came first.
    fn publish_fallback(&mut self, last: WireTrade) {
        if self.traded.contains(&last.market) {
            return;
        }
        let Some(symbol) = self.markets.unified(&last.market) else {
            return;
        };
        trades::publish(&[Trade {
            exchange: self.exchange().to_owned(),
            symbol: symbol.to_owned(),
            price: last.price,
            quantity: 0.0,
            timestamp_ms: last.timestamp_ms,
        }]);
    }

    fn tick_link(connector: &mut C, settings: &Timing<'_>, link: &mut Link, now: u64) {
        let keepalive = connector.keepalive().map(|mut k| {
            k.interval_ms = settings.keepalive_ms.unwrap_or(k.interval_ms).max(1);
            k
        });
        if link.subscription.connection_id().is_some() {
            if let Some(reason) = unhealthy(keepalive.as_ref(), settings.watchdog_ms, link, now) {
                log::warn(&format!("{}: {reason}, reconnecting", C::EXCHANGE));
                link.subscription.reconnect(now);
                return;
            }
            if let Some(keepalive) = keepalive
                && now.saturating_sub(link.last_ping_ms) >= keepalive.interval_ms
            {
                link.last_ping_ms = now;
                if let Err(error) = link.subscription.send(keepalive.message, now) {
                    log::warn(&format!("{}: ping failed: {error:?}", C::EXCHANGE));
                }
            }
            return;
        }
        if !link.subscription.connect_due(now) {
            return;
        }
        match connector.connect_url(settings.endpoint) {
            Ok(url) => link.subscription.set_url(url),
            Err(error) => {
                log::warn(&format!(
                    "{}: cannot prepare a connection: {error}",
                    C::EXCHANGE
                ));
                link.subscription.defer(now);
                return;
            }
        }
        let messages = connector.subscribe(&link.markets);
        link.subscription.set_subscribe(messages);
        match link.subscription.tick(now) {
            TickOutcome::Connected(id) => {
                link.last_frame_ms = now;
                link.last_trade_ms = now;
                link.last_ping_ms = now;
                log::info(&format!(
                    "{}: connection {id} subscribed to {} markets",
                    C::EXCHANGE,
                    link.markets.len()
                ));
            }
            TickOutcome::Failed(error) => log::warn(&format!(
                "{}: connect failed ({error:?}), retry {} scheduled",
                C::EXCHANGE,
                link.subscription.failures()
            )),
            TickOutcome::Idle | TickOutcome::Waiting | TickOutcome::Pinged => {}
        }
    }
}

/// The per-tick settings of a connector.
struct Timing<'a> {
    endpoint: &'a str,
    watchdog_ms: u64,
    keepalive_ms: Option<u64>,
}

/// Why an open connection should be dropped: missed pongs (no frame for two keepalive
/// intervals) or no trade for longer than the watchdog allows.
fn unhealthy(
    keepalive: Option<&Keepalive>,
    watchdog_ms: u64,
    link: &Link,
    now: u64,
) -> Option<String> {
    if let Some(keepalive) = keepalive {
        let silent = now.saturating_sub(link.last_frame_ms);
        if silent > keepalive.interval_ms.saturating_mul(2) {
            return Some(format!("no frame for {silent} ms (missed pongs)"));
        }
    }
    let quiet = now.saturating_sub(link.last_trade_ms);
    (watchdog_ms > 0 && quiet > watchdog_ms).then(|| format!("no trade for {quiet} ms"))
}

impl<C: Connector> Plugin for ConnectorPlugin<C> {
    fn info(&self, package: Info) -> Info {
        Info {
            name: C::EXCHANGE.to_owned(),
            ..package
        }
    }

    fn init(&mut self, config: &PluginConfig) -> Result<(), String> {
        self.settings = config.settings().map_err(|e| e.to_string())?;
        let symbols =
            super::configured_symbols(config, self.exchange(), self.settings.symbols.as_ref());
        self.markets = MarketTable::build(&self.connector, &symbols);
        self.endpoint = self
            .settings
            .url
            .clone()
            .unwrap_or_else(|| C::URL.to_owned());
        if self.markets.is_empty() {
            log::warn(&format!("{}: no markets to subscribe to", C::EXCHANGE));
        }
        self.traded.clear();
        self.fallback = if self.settings.rest_fallback {
            self.markets.ids().iter().rev().cloned().collect()
        } else {
            Vec::new()
        };
        self.links = self
            .markets
            .ids()
            .chunks(C::MARKETS_PER_CONNECTION.max(1))
            .map(|markets| Link {
                subscription: Subscription::new(self.endpoint.clone()),
                markets: markets.to_vec(),
                last_frame_ms: 0,
                last_trade_ms: 0,
                last_ping_ms: 0,
            })
            .collect();
        Ok(())
    }

    /// A connector serves no values itself: the host computes them from the published trades.
    fn values(&mut self, feeds: &[FeedId], _voting_round: Option<u32>) -> Vec<Option<Observation>> {
        vec![None; feeds.len()]
    }

    fn on_message(&mut self, connection_id: u64, message: Message) {
        let now = clock::now_ms();
        let Some(index) = self
            .links
            .iter()
            .position(|l| l.subscription.owns(connection_id))
        else {
            return;
        };
        let (reply, published) = self.process(message);
        if let Some(link) = self.links.get_mut(index) {
            link.last_frame_ms = now;
            if published > 0 {
                link.last_trade_ms = now;
            }
            if let Some(reply) = reply
                && let Err(error) = link.subscription.send(reply, now)
            {
                log::warn(&format!("{}: reply failed: {error:?}", C::EXCHANGE));
            }
        }
    }

    fn on_close(&mut self, connection_id: u64, reason: String) {
        let now = clock::now_ms();
        for link in &mut self.links {
            if link.subscription.on_close(connection_id, &reason, now) {
                log::warn(&format!(
                    "{}: connection {connection_id} closed ({reason}), reconnecting",
                    C::EXCHANGE
                ));
            }
        }
    }

    fn tick(&mut self) {
        let now = clock::now_ms();
        let timing = Timing {
            endpoint: &self.endpoint,
            watchdog_ms: self.settings.watchdog_secs.saturating_mul(1000),
            keepalive_ms: self.settings.keepalive_ms,
        };
        for link in &mut self.links {
            Self::tick_link(&mut self.connector, &timing, link, now);
        }
        self.fallback_step();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(last_frame_ms: u64, last_trade_ms: u64) -> Link {
        Link {
            subscription: Subscription::new("wss://venue.test/ws"),
            markets: Vec::new(),
            last_frame_ms,
            last_trade_ms,
            last_ping_ms: 0,
        }
    }

    #[test]
    fn two_missed_keepalive_intervals_mean_a_dead_connection() {
        let keepalive = Keepalive::text(10_000, "ping");
        assert_eq!(unhealthy(Some(&keepalive), 0, &link(0, 0), 20_000), None);
        let dead = unhealthy(Some(&keepalive), 0, &link(0, 0), 20_001);
        assert!(dead.is_some_and(|r| r.contains("missed pongs")));
        // Without a client keepalive only the watchdog applies.
        assert_eq!(unhealthy(None, 0, &link(0, 0), 1_000_000), None);
    }

    #[test]
    fn the_watchdog_reconnects_a_connection_without_trades() {
        let keepalive = Keepalive::text(10_000, "ping");
        // Pongs keep coming (frames), but no trade for longer than the watchdog.
        let stuck = link(299_000, 0);
        assert_eq!(unhealthy(Some(&keepalive), 300_000, &stuck, 300_000), None);
        let reason = unhealthy(Some(&keepalive), 300_000, &stuck, 300_001);
        assert!(reason.is_some_and(|r| r.contains("no trade")));
        assert_eq!(
            unhealthy(Some(&keepalive), 0, &stuck, 10_000_000).map(|r| r.contains("missed")),
            Some(true)
        );
    }

    #[derive(Debug, Default)]
    struct Venue;

    impl Connector for Venue {
        const EXCHANGE: &'static str = "venue";
        const URL: &'static str = "wss://venue.test/ws";

        fn market_id(&self, base: &str, quote: &str) -> String {
            format!("{base}{quote}")
        }

        fn subscribe(&mut self, _markets: &[String]) -> Vec<Message> {
            Vec::new()
        }

        fn parse(
            &mut self,
            frame: crate::connector::Frame<'_>,
            trades: &mut Vec<WireTrade>,
        ) -> Option<Message> {
            let price: f64 = frame.text()?.parse().ok()?;
            trades.push(WireTrade {
                market: "BTCUSDT".into(),
                price,
                quantity: 1.0,
                timestamp_ms: 5,
            });
            None
        }
    }

    #[test]
    fn a_ticker_price_is_published_without_volume_only_before_the_first_trade() {
        let mut plugin = ConnectorPlugin::<Venue>::with_symbols(&["BTC/USDT"]).unwrap();
        assert_eq!(plugin.fallback, ["BTCUSDT"]);
        let ticker = |price| WireTrade {
            market: "BTCUSDT".into(),
            price,
            quantity: 7.0,
            timestamp_ms: 3,
        };
        plugin.publish_fallback(ticker(100.0));
        let published = trades::take_published();
        assert_eq!(
            (
                published[0].symbol.as_str(),
                published[0].price,
                published[0].quantity
            ),
            ("BTC/USDT", 100.0, 0.0)
        );
        plugin.handle(Message::Text("101".into()));
        assert_eq!(trades::take_published().len(), 1);
        plugin.publish_fallback(ticker(99.0));
        assert!(trades::take_published().is_empty(), "a trade came first");
        // Without a ticker URL the step does nothing and the queue empties.
        plugin.fallback_step();
        assert!(plugin.fallback.is_empty());
    }

    #[test]
    fn the_exchange_setting_renames_the_published_exchange_and_its_sources() {
        let mut plugin = ConnectorPlugin::<Venue>::default();
        let mut config = crate::connector::test_config("sibling", &["BTC/USDT"]);
        config.settings_json = r#"{"exchange":"sibling"}"#.into();
        plugin.init(&config).unwrap();
        assert_eq!(plugin.exchange(), "sibling");
        assert_eq!(plugin.markets().ids(), ["BTCUSDT"]);
        plugin.handle(Message::Text("101".into()));
        let published = trades::take_published();
        assert_eq!(published[0].exchange, "sibling");
    }

    #[test]
    fn settings_default_and_refuse_unknown_keys() {
        let config = PluginConfig {
            name: "x".into(),
            feeds: Vec::new(),
            settings_json: r#"{"url":"ws://127.0.0.1:1/ws","watchdog_secs":0}"#.into(),
            sources: Vec::new(),
        };
        let settings: ConnectorSettings = config.settings().unwrap();
        assert_eq!(settings.watchdog_secs, 0);
        assert_eq!(settings.url.as_deref(), Some("ws://127.0.0.1:1/ws"));
        let bad = PluginConfig {
            settings_json: r#"{"watchdog":5}"#.into(),
            ..config
        };
        assert!(bad.settings::<ConnectorSettings>().is_err());
    }
}
