//! `xt`: XT.com spot public `trade@<symbol>` streams.
//!
//! Protocol (value-provider.md §5.1; XT "Spot WebSocket — Public Trade"): one subscribe per
//! symbol (`trade@bnb_usdt`); pushes `{"topic":"trade","event":"trade@bnb_usdt","data":{"s","p",
//! "a","t"}}`; the client sends the text `ping` and the server answers `pong`.
//!
//! At start, a market without a trade gets its last price from
//! `GET /v4/public/ticker/24h?symbol=…` (`c`, `t`), as the reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, clock, de, export_plugin};
use serde::Deserialize;

/// The XT connector.
#[derive(Debug, Default)]
pub struct Xt;

#[derive(Deserialize)]
struct Push {
    topic: String,
    data: Trade,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "s")]
    symbol: String,
    #[serde(rename = "p", deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(rename = "a", deserialize_with = "de::f64_lenient")]
    amount: f64,
    #[serde(rename = "t", deserialize_with = "de::u64_lenient")]
    time_ms: u64,
}

/// `GET /v4/public/ticker/24h?symbol=…`: one ticker in `result`.
#[derive(Deserialize)]
struct TickerResponse {
    result: Vec<Ticker>,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(rename = "c", deserialize_with = "de::f64_lenient")]
    close: f64,
    #[serde(rename = "t", deserialize_with = "de::u64_lenient")]
    time_ms: u64,
}

impl Connector for Xt {
    const EXCHANGE: &'static str = "xt";
    const URL: &'static str = "wss://stream.xt.com/public";
    const REST_URL: &'static str = "https://sapi.xt.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}").to_lowercase()
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let now = clock::now_ms();
        markets
            .iter()
            .map(|m| {
                let stream = format!("trade@{m}");
                let message = serde_json::json!({"method": "subscribe", "params": [stream], "id": format!("{now}{stream}")});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(20_000, "ping"))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/v4/public/ticker/24h?symbol={market}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let response: TickerResponse = serde_json::from_slice(body).ok()?;
        let ticker = response.result.into_iter().next()?;
        Some(WireTrade::ticker(market, ticker.close, ticker.time_ms))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.topic != "trade" {
            return None;
        }
        trades.push(WireTrade {
            market: push.data.symbol,
            price: push.data.price,
            quantity: push.data.amount,
            timestamp_ms: push.data.time_ms,
        });
        None
    }
}

export_plugin!(ConnectorPlugin<Xt>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Xt;
        assert_eq!(
            connector
                .ticker_url("https://sapi.xt.com", "xdc_usdt")
                .as_deref(),
            Some("https://sapi.xt.com/v4/public/ticker/24h?symbol=xdc_usdt")
        );
        let body = br#"{"rc":0,"mc":"SUCCESS","ma":[],"result":[{"s":"xdc_usdt","t":1700000000555,"cv":"0.0002","cr":"0.0038","o":"0.0521","l":"0.0518","h":"0.0529","c":"0.05234","q":"1234567.8","v":"64520.1"}]}"#;
        let last = connector.parse_ticker("xdc_usdt", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("xdc_usdt", 0.05234, 0.0, 1_700_000_000_555)
        );
        assert!(
            connector
                .parse_ticker(
                    "xdc_usdt",
                    br#"{"rc":1,"mc":"SYMBOL_001","ma":[],"result":null}"#
                )
                .is_none()
        );
    }
}
