//! `bybit`: Bybit v5 **spot** public trades.
//!
//! Protocol (value-provider.md §5.2; Bybit v5 "WebSocket Public Trade"): subscribe messages of
//! at most 10 `publicTrade.<SYMBOL>` args; data `{"topic","data":[{"T","s","v","p"}]}`; the
//! client pings with `{"op":"ping"}` every 20 s.
//!
//! Deliberate deviation from the reference: ccxt resolves bybit ids to the linear perpetuals
//! and then never matches them to the configured spot symbols (§3.4), so the reference gets no
//! bybit prices at all. This connector reads the spot market the config names.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// Bybit spot accepts at most this many args per subscribe message.
const ARGS_PER_MESSAGE: usize = 10;

/// The Bybit connector.
#[derive(Debug, Default)]
pub struct Bybit {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    topic: String,
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "s")]
    symbol: String,
    #[serde(rename = "p", deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(rename = "v", deserialize_with = "de::f64_lenient")]
    volume: f64,
    #[serde(rename = "T")]
    time_ms: u64,
}

impl Connector for Bybit {
    const EXCHANGE: &'static str = "bybit";
    const URL: &'static str = "wss://stream.bybit.com/v5/public/spot";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        markets
            .chunks(ARGS_PER_MESSAGE)
            .map(|chunk| {
                self.request_id += 1;
                let args: Vec<String> = chunk.iter().map(|m| format!("publicTrade.{m}")).collect();
                let message = serde_json::json!({"op": "subscribe", "req_id": self.request_id.to_string(), "args": args});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(20_000, r#"{"op":"ping"}"#))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if !push.topic.starts_with("publicTrade.") {
            return None;
        }
        trades.extend(push.data.into_iter().map(|t| WireTrade {
            market: t.symbol,
            price: t.price,
            quantity: t.volume,
            timestamp_ms: t.time_ms,
        }));
        None
    }
}

export_plugin!(ConnectorPlugin<Bybit>);
