//! `bingx`: BingX spot `<SYMBOL>@trade` streams, gzip-compressed frames.
//!
//! Protocol (value-provider.md §5.1; BingX "Spot WebSocket Market Data — Subscription
//! transaction by transaction"): `{"id","reqType":"sub","dataType":"HYPE-USDT@trade"}` per
//! symbol; every server frame is gzip; the server sends `Ping` and expects `Pong`; pushes
//! `{"dataType":"HYPE-USDT@trade","data":{"s","p","q","T"}}`.

use ftso_plugin_sdk::connector::{Compression, Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The BingX connector.
#[derive(Debug, Default)]
pub struct Bingx {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    #[serde(rename = "dataType")]
    data_type: String,
    data: Trade,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "s")]
    symbol: String,
    #[serde(rename = "p", deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(rename = "q", deserialize_with = "de::f64_lenient")]
    quantity: f64,
    #[serde(rename = "T", deserialize_with = "de::u64_lenient")]
    time_ms: u64,
}

impl Connector for Bingx {
    const EXCHANGE: &'static str = "bingx";
    const URL: &'static str = "wss://open-api-ws.bingx.com/market";
    const COMPRESSION: Compression = Compression::Gzip;

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}-{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        markets
            .iter()
            .map(|m| {
                self.request_id += 1;
                let message = serde_json::json!({"id": self.request_id.to_string(), "reqType": "sub", "dataType": format!("{m}@trade")});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let text = frame.text()?;
        if text.trim() == "Ping" {
            return Some(Message::Text("Pong".into()));
        }
        let push: Push = serde_json::from_str(text).ok()?;
        if !push.data_type.ends_with("@trade") {
            return None;
        }
        trades.push(WireTrade {
            market: push.data.symbol,
            price: push.data.price,
            quantity: push.data.quantity,
            timestamp_ms: push.data.time_ms,
        });
        None
    }
}

export_plugin!(ConnectorPlugin<Bingx>);
