//! `kraken`: Kraken WebSocket v2 `trade` channel.
//!
//! Protocol (value-provider.md §5.2; Kraken "Spot WebSocket v2 — Trade"): one subscribe with
//! every symbol (v2 writes `BTC/USD`, not `XBT/USD`); `data[]` with `symbol`, `price`, `qty`
//! (JSON numbers) and an RFC 3339 `timestamp`; the client pings with `{"method":"ping"}`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Kraken connector.
#[derive(Debug, Default)]
pub struct Kraken {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    channel: String,
    #[serde(default)]
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    symbol: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    qty: f64,
    timestamp: String,
}

impl Connector for Kraken {
    const EXCHANGE: &'static str = "kraken";
    const URL: &'static str = "wss://ws.kraken.com/v2";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}/{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.request_id += 1;
        let message = serde_json::json!({
            "method": "subscribe",
            "params": {"channel": "trade", "symbol": markets},
            "req_id": self.request_id,
        });
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(6_000, r#"{"method":"ping"}"#))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.channel != "trade" {
            return None;
        }
        for trade in push.data {
            if let Some(timestamp_ms) = de::rfc3339_ms(&trade.timestamp) {
                trades.push(WireTrade {
                    market: trade.symbol,
                    price: trade.price,
                    quantity: trade.qty,
                    timestamp_ms,
                });
            }
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Kraken>);
