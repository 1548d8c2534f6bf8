//! `upbit`: Upbit spot trades, for its USDT markets.
//!
//! Protocol (Upbit "WebSocket — Trade"): one request
//! `[{"ticket":…},{"type":"trade","codes":["USDT-BTC",…]},{"format":"DEFAULT"}]`; the server
//! answers in **binary** frames holding JSON
//! `{"type":"trade","code":"USDT-BTC","trade_price","trade_volume","trade_timestamp"}`; an
//! idle connection is closed after 120 s, so the client sends the text `PING` and gets
//! `{"status":"UP"}`. Markets are written quote first: `BTC/USDT` is `USDT-BTC`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, export_plugin};
use serde::Deserialize;

/// The Upbit connector.
#[derive(Debug, Default)]
pub struct Upbit {
    ticket: u64,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "type")]
    kind: String,
    code: String,
    trade_price: f64,
    trade_volume: f64,
    trade_timestamp: u64,
}

impl Connector for Upbit {
    const EXCHANGE: &'static str = "upbit";
    const URL: &'static str = "wss://api.upbit.com/websocket/v1";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{quote}-{base}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.ticket += 1;
        let message = serde_json::json!([
            {"ticket": format!("ftso-node-{}", self.ticket)},
            {"type": "trade", "codes": markets},
            {"format": "DEFAULT"},
        ]);
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(60_000, "PING"))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let trade: Trade = serde_json::from_str(frame.text()?).ok()?;
        if trade.kind == "trade" {
            trades.push(WireTrade {
                market: trade.code,
                price: trade.trade_price,
                quantity: trade.trade_volume,
                timestamp_ms: trade.trade_timestamp,
            });
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Upbit>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn parses_binary_json_trades_with_quote_first_codes() {
        let mut plugin = ConnectorPlugin::<Upbit>::with_symbols(&["BTC/USDT"]).unwrap();
        assert_eq!(plugin.markets().ids(), ["USDT-BTC"]);
        plugin.handle(Message::Binary(br#"{"status":"UP"}"#.to_vec()));
        plugin.handle(Message::Binary(br#"{"type":"trade","code":"USDT-BTC","timestamp":1700000000130,"trade_date":"2023-11-14","trade_time":"22:13:20","trade_timestamp":1700000000123,"trade_price":37003.2,"trade_volume":0.0031,"ask_bid":"BID","prev_closing_price":36500.0,"change":"RISE","change_price":503.2,"sequential_id":17000000001230000,"stream_type":"REALTIME"}"#.to_vec()));
        let trades = take_published();
        assert_eq!(
            (
                trades[0].symbol.as_str(),
                trades[0].price,
                trades[0].quantity,
                trades[0].timestamp_ms
            ),
            ("BTC/USDT", 37003.2, 0.0031, 1_700_000_000_123)
        );
    }
}
