//! `bingx`: BingX spot `<SYMBOL>@trade` streams, gzip-compressed frames.
//!
//! Protocol (value-provider.md §5.1; BingX "Spot WebSocket Market Data — Subscription
//! transaction by transaction"): `{"id","reqType":"sub","dataType":"HYPE-USDT@trade"}` per
//! symbol; every server frame is gzip; the server sends `Ping` and expects `Pong`; pushes
//! `{"dataType":"HYPE-USDT@trade","data":{"s","p","q","T"}}`.
//!
//! At start, a market without a trade gets its last price from
//! `GET /openApi/spot/v1/ticker/24hr?symbol=…&timestamp=…` (BingX wants the request time even
//! on public endpoints; `lastPrice`, `closeTime`), as the reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Compression, Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, clock, de, export_plugin};
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

/// `GET /openApi/spot/v1/ticker/24hr`: one ticker in `data`.
#[derive(Deserialize)]
struct TickerResponse {
    data: Vec<Ticker>,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(rename = "lastPrice", deserialize_with = "de::f64_lenient")]
    last_price: f64,
    #[serde(rename = "closeTime", deserialize_with = "de::u64_lenient")]
    close_time_ms: u64,
}

impl Connector for Bingx {
    const EXCHANGE: &'static str = "bingx";
    const URL: &'static str = "wss://open-api-ws.bingx.com/market";
    const REST_URL: &'static str = "https://open-api.bingx.com";
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

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!(
            "{rest_base}/openApi/spot/v1/ticker/24hr?symbol={market}&timestamp={}",
            clock::now_ms()
        ))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let response: TickerResponse = serde_json::from_slice(body).ok()?;
        let ticker = response.data.into_iter().next()?;
        Some(WireTrade::ticker(
            market,
            ticker.last_price,
            ticker.close_time_ms,
        ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Bingx::default();
        let url = connector
            .ticker_url("https://open-api.bingx.com", "HYPE-USDT")
            .unwrap();
        let (path, timestamp) = url.split_once("&timestamp=").unwrap();
        assert_eq!(
            path,
            "https://open-api.bingx.com/openApi/spot/v1/ticker/24hr?symbol=HYPE-USDT"
        );
        assert!(timestamp.parse::<u64>().unwrap() > 1_700_000_000_000);
        let body = br#"{"code":0,"msg":"","timestamp":1700000000600,"data":[{"symbol":"HYPE-USDT","priceChange":"0.42","priceChangePercent":"1.69%","lastPrice":"25.261","lastQty":"3.2","highPrice":"25.9","lowPrice":"24.6","volume":"812345.1","quoteVolume":"20513378.2","openPrice":"24.841","openTime":1699913600000,"closeTime":"1700000000555","bidPrice":"25.26","bidQty":"40","askPrice":"25.262","askQty":"12"}]}"#;
        let last = connector.parse_ticker("HYPE-USDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("HYPE-USDT", 25.261, 0.0, 1_700_000_000_555)
        );
        assert!(connector.parse_ticker("HYPE-USDT", br#"{"code":100204,"msg":"symbol not exist","timestamp":1700000000600,"data":[]}"#).is_none());
    }
}
