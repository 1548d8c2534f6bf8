//! `binanceus`: Binance.US spot trades (`<symbol>@trade` streams), for its USD markets.
//!
//! Protocol (Binance.US "WebSocket Streams", the same as Binance's, value-provider.md §5.2):
//! one `SUBSCRIBE` with every `<symbol>@trade` stream; events
//! `{"e":"trade","s":"BTCUSD","p","q","T"}`; the server sends protocol pings, answered by the
//! host. Its `BTC/USD`-style markets need no USDT conversion.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Binance.US connector.
#[derive(Debug, Default)]
pub struct BinanceUs {
    request_id: u64,
}

#[derive(Deserialize)]
struct TradeEvent {
    #[serde(rename = "e")]
    event: String,
    #[serde(rename = "s")]
    symbol: String,
    #[serde(rename = "p", deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(rename = "q", deserialize_with = "de::f64_lenient")]
    quantity: f64,
    #[serde(rename = "T")]
    time_ms: u64,
}

impl Connector for BinanceUs {
    const EXCHANGE: &'static str = "binanceus";
    const URL: &'static str = "wss://stream.binance.us:9443/ws";
    const MARKETS_PER_CONNECTION: usize = 200;

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.request_id += 1;
        let params: Vec<String> = markets
            .iter()
            .map(|m| format!("{}@trade", m.to_lowercase()))
            .collect();
        let message =
            serde_json::json!({"method": "SUBSCRIBE", "params": params, "id": self.request_id});
        vec![Message::Text(message.to_string())]
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let event: TradeEvent = serde_json::from_str(frame.text()?).ok()?;
        if event.event == "trade" {
            trades.push(WireTrade {
                market: event.symbol,
                price: event.price,
                quantity: event.quantity,
                timestamp_ms: event.time_ms,
            });
        }
        None
    }
}

export_plugin!(ConnectorPlugin<BinanceUs>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn parses_usd_market_trades() {
        let mut plugin = ConnectorPlugin::<BinanceUs>::with_symbols(&["BTC/USD"]).unwrap();
        assert_eq!(
            BinanceUs::default().subscribe(plugin.markets().ids()),
            [Message::Text(
                r#"{"id":1,"method":"SUBSCRIBE","params":["btcusd@trade"]}"#.into()
            )]
        );
        plugin.handle(Message::Text(r#"{"result":null,"id":1}"#.into()));
        plugin.handle(Message::Text(r#"{"e":"trade","E":1700000000100,"s":"BTCUSD","t":1,"p":"37002.15","q":"0.004","T":1700000000098,"m":true,"M":true}"#.into()));
        let trades = take_published();
        assert_eq!(
            (
                trades[0].symbol.as_str(),
                trades[0].price,
                trades[0].quantity,
                trades[0].timestamp_ms
            ),
            ("BTC/USD", 37002.15, 0.004, 1_700_000_000_098)
        );
    }
}
