//! `cryptocom`: Crypto.com Exchange v1 market `trade.<instrument>` channels.
//!
//! Protocol (value-provider.md §5.1; Crypto.com "Exchange API v1 — Websocket Subscriptions"):
//! one subscribe with every channel; the server sends `public/heartbeat` with an id and closes
//! the connection unless the client answers `public/respond-heartbeat` with that id; trades
//! arrive as `result.data[]` with `p`, `q`, `t` (ms) and `i` (instrument).

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, clock, de, export_plugin};
use serde::Deserialize;

/// The Crypto.com connector.
#[derive(Debug, Default)]
pub struct Cryptocom {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    id: Option<i64>,
    method: String,
    result: Option<Result_>,
}

#[derive(Deserialize)]
struct Result_ {
    channel: String,
    instrument_name: Option<String>,
    #[serde(default)]
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "p", deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(rename = "q", deserialize_with = "de::f64_lenient")]
    quantity: f64,
    #[serde(rename = "t", deserialize_with = "de::u64_lenient")]
    time_ms: u64,
    #[serde(rename = "i")]
    instrument: Option<String>,
}

impl Connector for Cryptocom {
    const EXCHANGE: &'static str = "cryptocom";
    const URL: &'static str = "wss://stream.crypto.com/exchange/v1/market";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.request_id += 1;
        let channels: Vec<String> = markets.iter().map(|m| format!("trade.{m}")).collect();
        let message = serde_json::json!({
            "id": self.request_id,
            "method": "subscribe",
            "params": {"channels": channels},
            "nonce": clock::now_ms(),
        });
        vec![Message::Text(message.to_string())]
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.method == "public/heartbeat" {
            let answer = serde_json::json!({"id": push.id, "method": "public/respond-heartbeat"});
            return Some(Message::Text(answer.to_string()));
        }
        let result = push.result?;
        if result.channel != "trade" {
            return None;
        }
        for trade in result.data {
            let Some(market) = trade.instrument.or_else(|| result.instrument_name.clone()) else {
                continue;
            };
            trades.push(WireTrade {
                market,
                price: trade.price,
                quantity: trade.quantity,
                timestamp_ms: trade.time_ms,
            });
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Cryptocom>);
