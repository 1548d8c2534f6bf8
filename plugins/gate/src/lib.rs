//! `gate`: Gate spot `spot.trades` channel.
//!
//! Protocol (value-provider.md §5.1; Gate "Spot WebSocket v4 — Public Trades Channel"): one
//! subscribe with every `BTC_USDT`-style pair; updates carry `result` (one trade, or a list)
//! with `currency_pair`, `price`, `amount` and `create_time_ms` (a decimal string); the
//! client pings with the `spot.ping` channel.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, clock, de, export_plugin};
use serde::Deserialize;

/// The Gate connector.
#[derive(Debug, Default)]
pub struct Gate {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    channel: String,
    event: String,
    result: Option<OneOrMany>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Trade),
    Many(Vec<Trade>),
}

#[derive(Deserialize)]
struct Trade {
    currency_pair: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    amount: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    create_time_ms: f64,
}

impl Connector for Gate {
    const EXCHANGE: &'static str = "gate";
    const URL: &'static str = "wss://api.gateio.ws/ws/v4/";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.request_id += 1;
        let message = serde_json::json!({
            "time": clock::now_ms() / 1000,
            "id": self.request_id,
            "channel": "spot.trades",
            "event": "subscribe",
            "payload": markets,
        });
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(10_000, r#"{"channel":"spot.ping"}"#))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.channel != "spot.trades" || push.event != "update" {
            return None;
        }
        let list = match push.result? {
            OneOrMany::One(trade) => vec![trade],
            OneOrMany::Many(list) => list,
        };
        trades.extend(list.into_iter().map(|t| WireTrade {
            market: t.currency_pair,
            price: t.price,
            quantity: t.amount,
            // Milliseconds with a fractional part: the whole milliseconds.
            timestamp_ms: t.create_time_ms.max(0.0) as u64,
        }));
        None
    }
}

export_plugin!(ConnectorPlugin<Gate>);
