//! `poloniex`: Poloniex spot `trades` channel (API v3).
//!
//! Protocol (Poloniex "WebSocket — Public Channels — Trades"): one
//! `{"event":"subscribe","channel":["trades"],"symbols":["BTC_USDT",…]}`; pushes
//! `{"channel":"trades","data":[{"symbol","price","quantity","createTime"}]}`; the client sends
//! `{"event":"ping"}` (the server drops a connection silent for 30 s) and gets
//! `{"event":"pong"}`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Poloniex connector.
#[derive(Debug, Default)]
pub struct Poloniex;

#[derive(Deserialize)]
struct Push {
    channel: String,
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    symbol: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    quantity: f64,
    #[serde(rename = "createTime", deserialize_with = "de::u64_lenient")]
    time_ms: u64,
}

impl Connector for Poloniex {
    const EXCHANGE: &'static str = "poloniex";
    const URL: &'static str = "wss://ws.poloniex.com/ws/public";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let message =
            serde_json::json!({"event": "subscribe", "channel": ["trades"], "symbols": markets});
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(20_000, r#"{"event":"ping"}"#))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.channel == "trades" {
            trades.extend(push.data.into_iter().map(|t| WireTrade {
                market: t.symbol,
                price: t.price,
                quantity: t.quantity,
                timestamp_ms: t.time_ms,
            }));
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Poloniex>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn parses_trade_pushes() {
        let mut plugin = ConnectorPlugin::<Poloniex>::with_symbols(&["BTC/USDT"]).unwrap();
        assert_eq!(
            Poloniex.subscribe(plugin.markets().ids()),
            [Message::Text(
                r#"{"channel":["trades"],"event":"subscribe","symbols":["BTC_USDT"]}"#.into()
            )]
        );
        plugin.handle(Message::Text(r#"{"event":"pong"}"#.into()));
        plugin.handle(Message::Text(r#"{"channel":"trades","data":[{"symbol":"BTC_USDT","amount":"370.0","takerSide":"buy","quantity":"0.01","createTime":1700000000111,"price":"37000","id":"1","ts":1700000000120}]}"#.into()));
        let trades = take_published();
        assert_eq!(
            (trades[0].price, trades[0].quantity, trades[0].timestamp_ms),
            (37000.0, 0.01, 1_700_000_000_111)
        );
    }
}
