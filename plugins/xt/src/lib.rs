//! `xt`: XT.com spot public `trade@<symbol>` streams.
//!
//! Protocol (value-provider.md §5.1; XT "Spot WebSocket — Public Trade"): one subscribe per
//! symbol (`trade@bnb_usdt`); pushes `{"topic":"trade","event":"trade@bnb_usdt","data":{"s","p",
//! "a","t"}}`; the client sends the text `ping` and the server answers `pong`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, clock, de, export_plugin};
use serde::Deserialize;

/// The XT connector.
#[derive(Debug, Default)]
pub struct Xt;

#[derive(Deserialize)]
struct Push {
    topic: String,
    data: Trade,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "s")]
    symbol: String,
    #[serde(rename = "p", deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(rename = "a", deserialize_with = "de::f64_lenient")]
    amount: f64,
    #[serde(rename = "t", deserialize_with = "de::u64_lenient")]
    time_ms: u64,
}

impl Connector for Xt {
    const EXCHANGE: &'static str = "xt";
    const URL: &'static str = "wss://stream.xt.com/public";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}").to_lowercase()
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let now = clock::now_ms();
        markets
            .iter()
            .map(|m| {
                let stream = format!("trade@{m}");
                let message = serde_json::json!({"method": "subscribe", "params": [stream], "id": format!("{now}{stream}")});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(20_000, "ping"))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.topic != "trade" {
            return None;
        }
        trades.push(WireTrade {
            market: push.data.symbol,
            price: push.data.price,
            quantity: push.data.amount,
            timestamp_ms: push.data.time_ms,
        });
        None
    }
}

export_plugin!(ConnectorPlugin<Xt>);
