//! `coinbase`: Coinbase Advanced Trade `market_trades` (public, no JWT).
//!
//! Protocol (value-provider.md §5.2; Coinbase "Advanced Trade WebSocket Channels"):
//! subscribe to `market_trades` and to `heartbeats` (an idle subscription is closed after a
//! minute or so without it); messages carry `events[].trades[]` with `product_id`, `price`,
//! `size` and an RFC 3339 `time`. Every trade of a batch is taken (ccxt keeps only the first).
//!
//! At start, a market without a trade gets its last price from
//! `GET /api/v3/brokerage/market/products/{id}/ticker?limit=1` (the last trade's `price` and
//! `time`), as the reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Coinbase connector.
#[derive(Debug, Default)]
pub struct Coinbase;

#[derive(Deserialize)]
struct Envelope {
    channel: String,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    #[serde(default)]
    trades: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    product_id: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    size: f64,
    time: String,
}

/// The public market ticker: the most recent trades, newest first.
#[derive(Deserialize)]
struct TickerResponse {
    trades: Vec<Trade>,
}

impl Connector for Coinbase {
    const EXCHANGE: &'static str = "coinbase";
    const URL: &'static str = "wss://advanced-trade-ws.coinbase.com";
    const REST_URL: &'static str = "https://api.coinbase.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}-{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        ["market_trades", "heartbeats"]
            .into_iter()
            .map(|channel| {
                let message = serde_json::json!({"type": "subscribe", "product_ids": markets, "channel": channel});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!(
            "{rest_base}/api/v3/brokerage/market/products/{market}/ticker?limit=1"
        ))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let response: TickerResponse = serde_json::from_slice(body).ok()?;
        let trade = response.trades.into_iter().next()?;
        Some(WireTrade::ticker(
            market,
            trade.price,
            de::rfc3339_ms(&trade.time)?,
        ))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let envelope: Envelope = serde_json::from_str(frame.text()?).ok()?;
        if envelope.channel != "market_trades" {
            return None;
        }
        for trade in envelope.events.into_iter().flat_map(|e| e.trades) {
            if let Some(timestamp_ms) = de::rfc3339_ms(&trade.time) {
                trades.push(WireTrade {
                    market: trade.product_id,
                    price: trade.price,
                    quantity: trade.size,
                    timestamp_ms,
                });
            }
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Coinbase>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Coinbase;
        assert_eq!(
            connector
                .ticker_url("https://api.coinbase.com", "BTC-USD")
                .as_deref(),
            Some(
                "https://api.coinbase.com/api/v3/brokerage/market/products/BTC-USD/ticker?limit=1"
            )
        );
        let body = br#"{"trades":[{"trade_id":"592348216","product_id":"BTC-USD","price":"37005.5","size":"0.0012","time":"2023-11-14T22:13:20.555Z","side":"BUY","bid":"","ask":""}],"best_bid":"37005.49","best_ask":"37005.51"}"#;
        let last = connector.parse_ticker("BTC-USD", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("BTC-USD", 37005.5, 0.0, 1_700_000_000_555)
        );
        assert!(
            connector
                .parse_ticker("BTC-USD", br#"{"trades":[],"best_bid":"","best_ask":""}"#)
                .is_none()
        );
    }
}
