//! `mexc`: MEXC spot aggregated deals, protobuf frames.
//!
//! Protocol (value-provider.md §5.1; MEXC "Spot WebSocket — Trade Streams" and its
//! `websocket-proto` schema): `SUBSCRIPTION` to `spot@public.aggre.deals.v3.api.pb@100ms@<SYMBOL>`
//! (at most 30 per connection); pushes are binary `PushDataV3ApiWrapper` messages whose field
//! 314 `publicAggreDeals` holds `deals` (price and quantity as strings, time in ms) and whose
//! field 3 is the symbol; the client sends `{"method":"PING"}`.
//!
//! At start, a market without a trade gets its last price from
//! `GET /api/v3/ticker/24hr?symbol=…` (`lastPrice`, `closeTime`), as the reference's
//! `fetchTicker` fallback.

mod protobuf;

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The MEXC connector.
#[derive(Debug, Default)]
pub struct Mexc;

/// `GET /api/v3/ticker/24hr?symbol=…`.
#[derive(Deserialize)]
struct Ticker {
    #[serde(rename = "lastPrice", deserialize_with = "de::f64_lenient")]
    last_price: f64,
    #[serde(rename = "closeTime", deserialize_with = "de::u64_lenient")]
    close_time_ms: u64,
}

impl Connector for Mexc {
    const EXCHANGE: &'static str = "mexc";
    const URL: &'static str = "wss://wbs-api.mexc.com/ws";
    const REST_URL: &'static str = "https://api.mexc.com";
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Mexc;
        assert_eq!(
            connector
                .ticker_url("https://api.mexc.com", "SGBUSDT")
                .as_deref(),
            Some("https://api.mexc.com/api/v3/ticker/24hr?symbol=SGBUSDT")
        );
        let body = br#"{"symbol":"SGBUSDT","priceChange":"0.0001","priceChangePercent":"0.012","prevClosePrice":"0.0083","lastPrice":"0.00841","bidPrice":"0.0084","bidQty":"1000","askPrice":"0.00842","askQty":"900","openPrice":"0.0083","highPrice":"0.0086","lowPrice":"0.0082","volume":"1234567","quoteVolume":"10234.5","openTime":1699913600000,"closeTime":1700000000555,"count":null}"#;
        let last = connector.parse_ticker("SGBUSDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("SGBUSDT", 0.00841, 0.0, 1_700_000_000_555)
        );
        assert!(
            connector
                .parse_ticker("SGBUSDT", br#"{"code":-1121,"msg":"Invalid symbol."}"#)
                .is_none()
        );
    }
}
