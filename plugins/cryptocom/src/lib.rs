//! `cryptocom`: Crypto.com Exchange v1 market `trade.<instrument>` channels.
//!
//! Protocol (value-provider.md §5.1; Crypto.com "Exchange API v1 — Websocket Subscriptions"):
//! one subscribe with every channel; the server sends `public/heartbeat` with an id and closes
//! the connection unless the client answers `public/respond-heartbeat` with that id; trades
//! arrive as `result.data[]` with `p`, `q`, `t` (ms) and `i` (instrument).
//!
//! At start, a market without a trade gets its last price from
//! `GET /exchange/v1/public/get-tickers?instrument_name=…` (`a`, the last trade's price, and
//! `t`), as the reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, clock, de, export_plugin};
use serde::Deserialize;

/// The Crypto.com connector.
#[derive(Debug, Default)]
pub struct Cryptocom {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    id: Option<i64>,
    method: String,
    result: Option<Result_>,
}

#[derive(Deserialize)]
struct Result_ {
    channel: String,
    instrument_name: Option<String>,
    #[serde(default)]
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "p", deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(rename = "q", deserialize_with = "de::f64_lenient")]
    quantity: f64,
    #[serde(rename = "t", deserialize_with = "de::u64_lenient")]
    time_ms: u64,
    #[serde(rename = "i")]
    instrument: Option<String>,
}

/// `GET /exchange/v1/public/get-tickers?instrument_name=…`: one ticker in `result.data`.
#[derive(Deserialize)]
struct TickerResponse {
    result: TickerData,
}

#[derive(Deserialize)]
struct TickerData {
    data: Vec<Ticker>,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(rename = "a", deserialize_with = "de::f64_lenient")]
    last: f64,
    #[serde(rename = "t")]
    time_ms: u64,
}

impl Connector for Cryptocom {
    const EXCHANGE: &'static str = "cryptocom";
    const URL: &'static str = "wss://stream.crypto.com/exchange/v1/market";
    const REST_URL: &'static str = "https://api.crypto.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.request_id += 1;
        let channels: Vec<String> = markets.iter().map(|m| format!("trade.{m}")).collect();
        let message = serde_json::json!({
            "id": self.request_id,
            "method": "subscribe",
            "params": {"channels": channels},
            "nonce": clock::now_ms(),
        });
        vec![Message::Text(message.to_string())]
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!(
            "{rest_base}/exchange/v1/public/get-tickers?instrument_name={market}"
        ))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let response: TickerResponse = serde_json::from_slice(body).ok()?;
        let ticker = response.result.data.into_iter().next()?;
        Some(WireTrade::ticker(market, ticker.last, ticker.time_ms))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.method == "public/heartbeat" {
            let answer = serde_json::json!({"id": push.id, "method": "public/respond-heartbeat"});
            return Some(Message::Text(answer.to_string()));
        }
        let result = push.result?;
        if result.channel != "trade" {
            return None;
        }
        for trade in result.data {
            let Some(market) = trade.instrument.or_else(|| result.instrument_name.clone()) else {
                continue;
            };
            trades.push(WireTrade {
                market,
                price: trade.price,
                quantity: trade.quantity,
                timestamp_ms: trade.time_ms,
            });
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Cryptocom>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Cryptocom::default();
        assert_eq!(
            connector
                .ticker_url("https://api.crypto.com", "FLR_USDT")
                .as_deref(),
            Some("https://api.crypto.com/exchange/v1/public/get-tickers?instrument_name=FLR_USDT")
        );
        let body = br#"{"id":-1,"method":"public/get-tickers","code":0,"result":{"data":[{"i":"FLR_USDT","h":"0.0235","l":"0.0226","a":"0.02301","v":"5000000","vv":"115050.00","c":"0.0121","b":"0.02300","k":"0.02302","oi":"0","t":1700000000555}]}}"#;
        let last = connector.parse_ticker("FLR_USDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("FLR_USDT", 0.02301, 0.0, 1_700_000_000_555)
        );
        assert!(connector.parse_ticker("FLR_USDT", br#"{"id":-1,"method":"public/get-tickers","code":40004,"message":"Invalid instrument_name"}"#).is_none());
    }
}
