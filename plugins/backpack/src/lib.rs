//! `backpack`: Backpack Exchange spot trades, for its USDC markets (converted through the
//! host's `USDC/USD` feed).
//!
//! Protocol (Backpack "WebSocket — Trade stream"): one
//! `{"method":"SUBSCRIBE","params":["trade.SOL_USDC",…]}`; events
//! `{"stream":"trade.SOL_USDC","data":{"e":"trade","s","p","q","T"}}` with `T` in
//! **microseconds**; the server sends protocol pings, answered by the host.
//!
//! At start, a market without a trade gets its last price from `GET /api/v1/ticker?symbol=…`
//! (`lastPrice`; no time, so it is stamped on arrival), as ccxt's `fetchTicker`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Backpack connector.
#[derive(Debug, Default)]
pub struct Backpack;

#[derive(Deserialize)]
struct Envelope {
    data: TradeEvent,
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
    #[serde(rename = "T", deserialize_with = "de::u64_lenient")]
    time_us: u64,
}

/// `GET /api/v1/ticker?symbol=…`.
#[derive(Deserialize)]
struct Ticker {
    #[serde(rename = "lastPrice", deserialize_with = "de::f64_lenient")]
    last_price: f64,
}

impl Connector for Backpack {
    const EXCHANGE: &'static str = "backpack";
    const URL: &'static str = "wss://ws.backpack.exchange";
    const REST_URL: &'static str = "https://api.backpack.exchange";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let params: Vec<String> = markets.iter().map(|m| format!("trade.{m}")).collect();
        let message = serde_json::json!({"method": "SUBSCRIBE", "params": params});
        vec![Message::Text(message.to_string())]
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/api/v1/ticker?symbol={market}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let ticker: Ticker = serde_json::from_slice(body).ok()?;
        Some(WireTrade::ticker(market, ticker.last_price, 0))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let Envelope { data } = serde_json::from_str(frame.text()?).ok()?;
        if data.event == "trade" {
            trades.push(WireTrade {
                market: data.symbol,
                price: data.price,
                quantity: data.quantity,
                timestamp_ms: data.time_us / 1_000,
            });
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Backpack>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn parses_trades_with_microsecond_times() {
        let mut plugin = ConnectorPlugin::<Backpack>::with_symbols(&["SOL/USDC"]).unwrap();
        assert_eq!(
            Backpack.subscribe(plugin.markets().ids()),
            [Message::Text(
                r#"{"method":"SUBSCRIBE","params":["trade.SOL_USDC"]}"#.into()
            )]
        );
        plugin.handle(Message::Text(r#"{"stream":"trade.SOL_USDC","data":{"e":"trade","E":1700000000500123,"s":"SOL_USDC","p":"58.21","q":"3.5","b":"111063070525358080","a":"111063070525358082","t":1234,"T":1700000000499876,"m":true}}"#.into()));
        let trades = take_published();
        assert_eq!(
            (trades[0].price, trades[0].quantity, trades[0].timestamp_ms),
            (58.21, 3.5, 1_700_000_000_499)
        );
    }

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Backpack;
        assert_eq!(
            connector
                .ticker_url("https://api.backpack.exchange", "SOL_USDC")
                .as_deref(),
            Some("https://api.backpack.exchange/api/v1/ticker?symbol=SOL_USDC")
        );
        let body = br#"{"symbol":"SOL_USDC","firstPrice":"140.1","lastPrice":"141.55","priceChange":"1.45","priceChangePercent":"0.0103","high":"143","low":"139.2","volume":"120345.6","quoteVolume":"17034567.8","trades":"45123"}"#;
        let last = connector.parse_ticker("SOL_USDC", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("SOL_USDC", 141.55, 0.0, 0)
        );
        assert!(
            connector
                .parse_ticker(
                    "SOL_USDC",
                    br#"{"code":"INVALID_CLIENT_REQUEST","message":"Invalid symbol"}"#
                )
                .is_none()
        );
    }
}
