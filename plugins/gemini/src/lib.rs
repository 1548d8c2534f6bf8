//! `gemini`: Gemini spot trades from the v2 market data feed, for its USD markets.
//!
//! Protocol (Gemini "Market Data Version 2"): one
//! `{"type":"subscribe","subscriptions":[{"name":"l2","symbols":["BTCUSD",…]}]}`; the `l2`
//! channel carries `{"type":"trade","symbol","price","quantity","timestamp"}` events (and the
//! recent trades inside the first `l2_updates`); the server sends `heartbeat` messages, so the
//! client needs no ping. `BTC/USD` is `BTCUSD`.
//!
//! At start, a market without a trade gets its last price from `GET /v1/pubticker/{symbol}`
//! (lower-case symbol; `last`, `volume.timestamp`), as ccxt's `fetchTicker`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Gemini connector.
#[derive(Debug, Default)]
pub struct Gemini;

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    trades: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "type")]
    kind: String,
    symbol: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    quantity: f64,
    #[serde(rename = "timestamp", deserialize_with = "de::u64_lenient")]
    time_ms: u64,
}

impl Trade {
    fn wire(self) -> WireTrade {
        WireTrade {
            market: self.symbol,
            price: self.price,
            quantity: self.quantity,
            timestamp_ms: self.time_ms,
        }
    }
}

/// `GET /v1/pubticker/{symbol}`; its time sits in the `volume` object.
#[derive(Deserialize)]
struct Ticker {
    #[serde(deserialize_with = "de::f64_lenient")]
    last: f64,
    volume: TickerVolume,
}

#[derive(Deserialize)]
struct TickerVolume {
    timestamp: u64,
}

impl Connector for Gemini {
    const EXCHANGE: &'static str = "gemini";
    const URL: &'static str = "wss://api.gemini.com/v2/marketdata";
    const REST_URL: &'static str = "https://api.gemini.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let message = serde_json::json!({
            "type": "subscribe",
            "subscriptions": [{"name": "l2", "symbols": markets}],
        });
        vec![Message::Text(message.to_string())]
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!(
            "{rest_base}/v1/pubticker/{}",
            market.to_ascii_lowercase()
        ))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let ticker: Ticker = serde_json::from_slice(body).ok()?;
        Some(WireTrade::ticker(
            market,
            ticker.last,
            ticker.volume.timestamp,
        ))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let text = frame.text()?;
        let event: Event = serde_json::from_str(text).ok()?;
        match event.kind.as_str() {
            "trade" => trades.extend(serde_json::from_str::<Trade>(text).ok().map(Trade::wire)),
            "l2_updates" => trades.extend(
                event
                    .trades
                    .into_iter()
                    .filter(|t| t.kind == "trade")
                    .map(Trade::wire),
            ),
            _ => {}
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Gemini>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn parses_trade_events_and_the_trades_of_the_first_l2_update() {
        let mut plugin = ConnectorPlugin::<Gemini>::with_symbols(&["BTC/USD"]).unwrap();
        assert_eq!(
            Gemini.subscribe(plugin.markets().ids()),
            [Message::Text(
                r#"{"subscriptions":[{"name":"l2","symbols":["BTCUSD"]}],"type":"subscribe"}"#
                    .into()
            )]
        );
        plugin.handle(Message::Text(
            r#"{"type":"heartbeat","timestamp":1700000000000}"#.into(),
        ));
        plugin.handle(Message::Text(r#"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","36999.00","0.5"]],"trades":[{"type":"trade","symbol":"BTCUSD","event_id":1,"timestamp":1700000000050,"price":"36998.5","quantity":"0.01","side":"sell"}]}"#.into()));
        plugin.handle(Message::Text(r#"{"type":"trade","symbol":"BTCUSD","event_id":2,"timestamp":1700000000100,"price":"37000.25","quantity":"0.2","side":"buy"}"#.into()));
        let trades = take_published();
        assert_eq!(trades.len(), 2);
        assert_eq!(
            (trades[1].price, trades[1].quantity, trades[1].timestamp_ms),
            (37000.25, 0.2, 1_700_000_000_100)
        );
    }

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Gemini;
        assert_eq!(
            connector
                .ticker_url("https://api.gemini.com", "BTCUSD")
                .as_deref(),
            Some("https://api.gemini.com/v1/pubticker/btcusd")
        );
        let body = br#"{"bid":"37005.40","ask":"37005.60","volume":{"BTC":"1520.7","USD":"56270000.1","timestamp":1700000000555},"last":"37005.50"}"#;
        let last = connector.parse_ticker("BTCUSD", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("BTCUSD", 37005.5, 0.0, 1_700_000_000_555)
        );
        assert!(connector.parse_ticker("BTCUSD", br#"{"result":"error","reason":"InvalidSymbol","message":"Supplied value 'nope' is not a valid symbol."}"#).is_none());
    }
}
