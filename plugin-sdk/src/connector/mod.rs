//! The connector pattern: one exchange's trade stream in a handful of small pieces.
//!
//! Implement [`Connector`] for a unit struct — the exchange id, the websocket URL, how a
//! unified symbol (`BTC/USDT`) is written on the wire, the subscription message, the
//! keepalive, and how a frame is parsed into trades — and export
//! [`ConnectorPlugin<YourConnector>`](ConnectorPlugin) with
//! [`export_plugin!`](crate::export_plugin). The runtime does the rest, the same way for every
//! exchange:
//!
//! - subscribes to the markets of its exchange among the host's feed sources (or the
//!   `symbols` setting), split over several connections when the exchange caps them;
//! - decompresses gzip and deflate frames ([`Compression`]);
//! - maps wire market ids back to unified symbols ([`MarketTable`]) and publishes the trades
//!   to the host's price store ([`crate::trades`]);
//! - sends the keepalive, answers server-initiated pings (whatever
//!   [`Connector::parse`] returns as a reply), declares a connection dead after two keepalive
//!   intervals without a frame (missed pongs), and reconnects one that delivers no trade for
//!   `watchdog_secs` (a connection that answers pings but is stuck);
//! - reconnects with exponential backoff and subscribes again, for ever: an exchange that is
//!   down at start is retried in the background, and no connection waits on another;
//! - at start, once per market, fetches the ticker of each market that has had no trade yet
//!   (one market per tick) when the connector has a [`Connector::ticker_url`]: the reference's
//!   REST fallback, so a quiet market has a price before its first trade.
//!
//! An exchange with no websocket trade stream is polled over REST instead: [`poll`]
//! (`plugins/bitrue`).
//!
//! See `plugin-sdk/GUIDE.md` for a walk-through and `plugins/okx` for a complete connector.

mod frame;
pub mod poll;
mod runtime;
mod symbols;

pub use frame::{Compression, Frame, decode};
pub use poll::{Poller, PollerSettings, PollingPlugin};
pub use runtime::{ConnectorPlugin, ConnectorSettings, DEFAULT_WATCHDOG_SECS};
pub use symbols::MarketTable;

use crate::{Message, PluginConfig, trades};

/// The config a connector unit test initialises a plugin with: `symbols` as the host's
/// sources on `exchange`, default settings.
fn test_config(exchange: &str, symbols: &[&str]) -> PluginConfig {
    PluginConfig {
        name: exchange.to_owned(),
        feeds: Vec::new(),
        settings_json: "{}".to_owned(),
        sources: symbols
            .iter()
            .map(|symbol| trades::Source {
                exchange: exchange.to_owned(),
                symbol: (*symbol).to_owned(),
            })
            .collect(),
    }
}

/// The unified symbols a connector serves: the `symbols` setting, else the host's sources on
/// `exchange`.
fn configured_symbols(
    config: &PluginConfig,
    exchange: &str,
    setting: Option<&Vec<String>>,
) -> Vec<String> {
    match setting {
        Some(symbols) => symbols.clone(),
        None => config
            .sources
            .iter()
            .filter(|s| s.exchange == exchange)
            .map(|s| s.symbol.clone())
            .collect(),
    }
}

/// A trade as an exchange reports it, before its market id is mapped back to a unified symbol.
#[derive(Debug, Clone, PartialEq)]
pub struct WireTrade {
    /// The exchange's market id, as [`Connector::market_id`] writes it (e.g. `BTCUSDT`).
    pub market: String,
    /// Price in the quote currency.
    pub price: f64,
    /// Amount in the base currency (absolute: sells are not negative).
    pub quantity: f64,
    /// The exchange's trade time, ms since the Unix epoch.
    pub timestamp_ms: u64,
}

impl WireTrade {
    /// A ticker's last price of `market`, for [`Connector::parse_ticker`]: no quantity (a ticker price carries no
    /// volume), at the exchange's `timestamp_ms` (0 when the ticker has no time: the runtime stamps it on arrival).
    pub fn ticker(market: &str, price: f64, timestamp_ms: u64) -> Self {
        Self {
            market: market.to_owned(),
            price,
            quantity: 0.0,
            timestamp_ms,
        }
    }
}

/// An application-level ping the client sends on a timer.
#[derive(Debug, Clone, PartialEq)]
pub struct Keepalive {
    /// How often it is sent.
    pub interval_ms: u64,
    /// What is sent.
    pub message: Message,
}

impl Keepalive {
    /// A text ping every `interval_ms`.
    pub fn text(interval_ms: u64, text: impl Into<String>) -> Self {
        Self {
            interval_ms,
            message: Message::Text(text.into()),
        }
    }
}

/// One exchange's trade stream. Only [`EXCHANGE`](Self::EXCHANGE), [`URL`](Self::URL),
/// [`market_id`](Self::market_id), [`subscribe`](Self::subscribe) and [`parse`](Self::parse)
/// are required.
pub trait Connector: Default + 'static {
    /// The exchange id, as the reference's feed sources name it (`binance`, `okx`, ...).
    const EXCHANGE: &'static str;
    /// The public websocket endpoint (the `url` setting overrides it, e.g. for tests).
    const URL: &'static str;
    /// Most markets one connection may carry.
    const MARKETS_PER_CONNECTION: usize = 100;
    /// How the exchange compresses its binary frames.
    const COMPRESSION: Compression = Compression::None;
    /// Currency codes the exchange writes differently from the unified (ccxt) code, as
    /// `(unified, exchange)` pairs: bitfinex `("USDT", "UST")`, kraken REST `("BTC", "XBT")`.
    const RENAMES: &'static [(&'static str, &'static str)] = &[];

    /// The exchange's market id for `base`/`quote` (already renamed), e.g. `BTC-USDT`.
    fn market_id(&self, base: &str, quote: &str) -> String;

    /// The messages that subscribe one connection to the trades of `markets`, sent after every
    /// (re)connect.
    fn subscribe(&mut self, markets: &[String]) -> Vec<Message>;

    /// The client-side ping; `None` when the server pings (protocol pings are answered by the
    /// host) or the exchange needs none.
    fn keepalive(&self) -> Option<Keepalive> {
        None
    }

    /// The REST base of the startup price fallback ([`ticker_url`](Self::ticker_url)); the
    /// `rest_url` setting overrides it.
    const REST_URL: &'static str = "";

    /// The URL of `market`'s ticker under `rest_base`, for the startup fallback (the
    /// reference's `fetchTicker`, value-provider.md §3.8): once per market, the runtime fetches
    /// the last price of each market that has had no trade yet. `None` (the default): none.
    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        let _ = (rest_base, market);
        None
    }

    /// The last price in a ticker response body, as a trade of `market` (quantity 0, so it
    /// adds no volume; a timestamp of 0 means "now").
    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let _ = (market, body);
        None
    }

    /// The URL to connect to, from the configured `endpoint`; called before every connect
    /// attempt. Override it for a handshake (kucoin's token); an error is retried with backoff.
    fn connect_url(&mut self, endpoint: &str) -> Result<String, String> {
        Ok(endpoint.to_owned())
    }

    /// Parses one decoded frame: pushes its trades to `trades` and returns the message to
    /// send back, if the frame asks for one (a server ping).
    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message>;
}
