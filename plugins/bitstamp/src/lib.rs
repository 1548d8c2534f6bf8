//! `bitstamp`: Bitstamp `live_trades_<pair>` channels.
//!
//! Protocol (value-provider.md §5.1; Bitstamp "WebSocket API v2"): one `bts:subscribe` per
//! pair; trades arrive as `{"event":"trade","channel":"live_trades_usdtusd","data":{"price",
//! "amount","microtimestamp"}}`; the client sends `bts:heartbeat` to keep the connection.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Bitstamp connector.
#[derive(Debug, Default)]
pub struct Bitstamp;

#[derive(Deserialize)]
struct Push {
    event: String,
    channel: String,
    data: Option<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    amount: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    microtimestamp: u64,
}

impl Connector for Bitstamp {
    const EXCHANGE: &'static str = "bitstamp";
    const URL: &'static str = "wss://ws.bitstamp.net";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}").to_lowercase()
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        markets
            .iter()
            .map(|m| {
                let message = serde_json::json!({"event": "bts:subscribe", "data": {"channel": format!("live_trades_{m}")}});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(20_000, r#"{"event":"bts:heartbeat"}"#))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.event != "trade" {
            return None;
        }
        let market = push.channel.strip_prefix("live_trades_")?.to_owned();
        let trade = push.data?;
        trades.push(WireTrade {
            market,
            price: trade.price,
            quantity: trade.amount,
            timestamp_ms: trade.microtimestamp / 1000,
        });
        None
    }
}

export_plugin!(ConnectorPlugin<Bitstamp>);
