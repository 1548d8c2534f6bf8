//! `coinbase`: Coinbase Advanced Trade `market_trades` (public, no JWT).
//!
//! Protocol (value-provider.md §5.2; Coinbase "Advanced Trade WebSocket Channels"):
//! subscribe to `market_trades` and to `heartbeats` (an idle subscription is closed after a
//! minute or so without it); messages carry `events[].trades[]` with `product_id`, `price`,
//! `size` and an RFC 3339 `time`. Every trade of a batch is taken (ccxt keeps only the first).

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

impl Connector for Coinbase {
    const EXCHANGE: &'static str = "coinbase";
    const URL: &'static str = "wss://advanced-trade-ws.coinbase.com";

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
