//! `binance`: Binance spot trades (`<symbol>@trade` streams).
//!
//! Protocol (value-provider.md §5.2; Binance "WebSocket Streams" docs): one `SUBSCRIBE`
//! message with every stream, events `{"e":"trade","s":"BTCUSDT","p":..,"q":..,"T":..}`; the
//! server sends protocol pings, which the host answers. At start, a market without a trade
//! gets its last price from `GET /api/v3/ticker/24hr?symbol=…` (`lastPrice`, `closeTime`), as
//! the reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Binance connector.
#[derive(Debug, Default)]
pub struct Binance {
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

#[derive(Deserialize)]
struct Ticker {
    #[serde(rename = "lastPrice", deserialize_with = "de::f64_lenient")]
    last_price: f64,
    #[serde(rename = "closeTime", default)]
    close_time_ms: u64,
}

impl Connector for Binance {
    const EXCHANGE: &'static str = "binance";
    const URL: &'static str = "wss://stream.binance.com:9443/ws";
    const MARKETS_PER_CONNECTION: usize = 200;
    const REST_URL: &'static str = "https://api.binance.com";

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

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/api/v3/ticker/24hr?symbol={market}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let ticker: Ticker = serde_json::from_slice(body).ok()?;
        Some(WireTrade::ticker(
            market,
            ticker.last_price,
            ticker.close_time_ms,
        ))
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

export_plugin!(ConnectorPlugin<Binance>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn subscribes_to_lowercase_trade_streams_and_parses_trades() {
        let mut plugin =
            ConnectorPlugin::<Binance>::with_symbols(&["BTC/USDT", "ETH/USDT"]).unwrap();
        let sub = Binance::default().subscribe(plugin.markets().ids());
        assert_eq!(
            sub,
            [Message::Text(
                r#"{"id":1,"method":"SUBSCRIBE","params":["btcusdt@trade","ethusdt@trade"]}"#
                    .into()
            )]
        );
        plugin.handle(Message::Text(r#"{"result":null,"id":1}"#.into()));
        plugin.handle(Message::Text(
            r#"{"e":"trade","E":1700000000100,"s":"BTCUSDT","t":1,"p":"37000.10","q":"0.5","T":1700000000099,"m":true,"M":true}"#.into(),
        ));
        let trades = take_published();
        assert_eq!(trades.len(), 1);
        assert_eq!(
            (
                trades[0].symbol.as_str(),
                trades[0].price,
                trades[0].quantity,
                trades[0].timestamp_ms
            ),
            ("BTC/USDT", 37000.10, 0.5, 1_700_000_000_099)
        );
    }

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let binance = Binance::default();
        assert_eq!(
            binance
                .ticker_url("https://api.binance.com", "BTCUSDT")
                .as_deref(),
            Some("https://api.binance.com/api/v3/ticker/24hr?symbol=BTCUSDT")
        );
        let body = br#"{"symbol":"BTCUSDT","priceChange":"-94.99","lastPrice":"37005.5","lastQty":"0.1","openTime":1699913600000,"closeTime":1700000000555,"count":76}"#;
        let last = binance.parse_ticker("BTCUSDT", body).unwrap();
        assert_eq!(
            (last.price, last.timestamp_ms),
            (37005.5, 1_700_000_000_555)
        );
        assert!(binance.parse_ticker("BTCUSDT", b"{}").is_none());
    }
}
