//! `coinex`: CoinEx API v2 spot `deals` channel, gzip-compressed frames.
//!
//! Protocol (value-provider.md §5.1; CoinEx "API v2 WebSocket — Market Deals"):
//! `{"method":"deals.subscribe","params":{"market_list":[..]},"id":N}`; every server frame is
//! gzip; pushes `{"method":"deals.update","data":{"market","deal_list":[{"price","amount",
//! "created_at"}]}}`; the client pings with `server.ping`.

use ftso_plugin_sdk::connector::{
    Compression, Connector, ConnectorPlugin, Frame, Keepalive, WireTrade,
};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The CoinEx connector.
#[derive(Debug, Default)]
pub struct Coinex {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    method: Option<String>,
    data: Option<Deals>,
}

#[derive(Deserialize)]
struct Deals {
    market: String,
    deal_list: Vec<Deal>,
}

#[derive(Deserialize)]
struct Deal {
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    amount: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    created_at: u64,
}

impl Connector for Coinex {
    const EXCHANGE: &'static str = "coinex";
    const URL: &'static str = "wss://socket.coinex.com/v2/spot";
    const COMPRESSION: Compression = Compression::Gzip;

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.request_id += 1;
        let message = serde_json::json!({
            "method": "deals.subscribe",
            "params": {"market_list": markets},
            "id": self.request_id,
        });
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(
            20_000,
            r#"{"method":"server.ping","params":{},"id":0}"#,
        ))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.method.as_deref() != Some("deals.update") {
            return None;
        }
        let deals = push.data?;
        for deal in deals.deal_list {
            trades.push(WireTrade {
                market: deals.market.clone(),
                price: deal.price,
                quantity: deal.amount,
                timestamp_ms: deal.created_at,
            });
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Coinex>);
