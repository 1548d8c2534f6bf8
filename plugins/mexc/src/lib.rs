//! `mexc`: MEXC spot aggregated deals, protobuf frames.
//!
//! Protocol (value-provider.md §5.1; MEXC "Spot WebSocket — Trade Streams" and its
//! `websocket-proto` schema): `SUBSCRIPTION` to `spot@public.aggre.deals.v3.api.pb@100ms@<SYMBOL>`
//! (at most 30 per connection); pushes are binary `PushDataV3ApiWrapper` messages whose field
//! 314 `publicAggreDeals` holds `deals` (price and quantity as strings, time in ms) and whose
//! field 3 is the symbol; the client sends `{"method":"PING"}`.

mod protobuf;

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, export_plugin};

/// The MEXC connector.
#[derive(Debug, Default)]
pub struct Mexc;

impl Connector for Mexc {
    const EXCHANGE: &'static str = "mexc";
    const URL: &'static str = "wss://wbs-api.mexc.com/ws";
    const MARKETS_PER_CONNECTION: usize = 30;

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let params: Vec<String> = markets
            .iter()
            .map(|m| format!("spot@public.aggre.deals.v3.api.pb@100ms@{m}"))
            .collect();
        let message = serde_json::json!({"method": "SUBSCRIPTION", "params": params});
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(20_000, r#"{"method":"PING"}"#))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let Frame::Binary(bytes) = frame else {
            return None;
        };
        let push = protobuf::decode_push(bytes)?;
        trades.extend(push.deals.into_iter().map(|deal| WireTrade {
            market: push.symbol.clone(),
            price: deal.price,
            quantity: deal.quantity,
            timestamp_ms: deal.time_ms,
        }));
        None
    }
}

export_plugin!(ConnectorPlugin<Mexc>);
