//! `bitmart`: BitMart spot `spot/trade` channel on the compressed endpoint (raw deflate frames).
//!
//! Protocol (value-provider.md §5.1; BitMart "Spot WebSocket — Public Trade Channel"):
//! `{"op":"subscribe","args":["spot/trade:BTC_USDT",..]}`; pushes
//! `{"table":"spot/trade","data":[{"symbol","price","size","ms_t"}]}`; the client sends the text
//! `ping` and the server answers `pong`.

use ftso_plugin_sdk::connector::{
    Compression, Connector, ConnectorPlugin, Frame, Keepalive, WireTrade,
};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The BitMart connector.
#[derive(Debug, Default)]
pub struct Bitmart;

#[derive(Deserialize)]
struct Push {
    table: String,
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    symbol: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    size: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    ms_t: u64,
}

impl Connector for Bitmart {
    const EXCHANGE: &'static str = "bitmart";
    const URL: &'static str = "wss://ws-manager-compress.bitmart.com/api?protocol=1.1";
    const COMPRESSION: Compression = Compression::Deflate;

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let args: Vec<String> = markets.iter().map(|m| format!("spot/trade:{m}")).collect();
        vec![Message::Text(
            serde_json::json!({"op": "subscribe", "args": args}).to_string(),
        )]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(15_000, "ping"))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.table != "spot/trade" {
            return None;
        }
        trades.extend(push.data.into_iter().map(|t| WireTrade {
            market: t.symbol,
            price: t.price,
            quantity: t.size,
            timestamp_ms: t.ms_t,
        }));
        None
    }
}

export_plugin!(ConnectorPlugin<Bitmart>);
