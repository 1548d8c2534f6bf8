//! `bybit`: Bybit v5 **spot** public trades.
//!
//! Protocol (value-provider.md §5.2; Bybit v5 "WebSocket Public Trade"): subscribe messages of
//! at most 10 `publicTrade.<SYMBOL>` args; data `{"topic","data":[{"T","s","v","p"}]}`; the
//! client pings with `{"op":"ping"}` every 20 s.
//!
//! Deliberate deviation from the reference: ccxt resolves bybit ids to the linear perpetuals
//! and then never matches them to the configured spot symbols (§3.4), so the reference gets no
//! bybit prices at all. This connector reads the spot market the config names.
//!
//! At start, a market without a trade gets its last price from
//! `GET /v5/market/tickers?category=spot&symbol=…` (`lastPrice`, stamped with the response's
//! `time`), as the reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// Bybit spot accepts at most this many args per subscribe message.
const ARGS_PER_MESSAGE: usize = 10;

/// The Bybit connector.
#[derive(Debug, Default)]
pub struct Bybit {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    topic: String,
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "s")]
    symbol: String,
    #[serde(rename = "p", deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(rename = "v", deserialize_with = "de::f64_lenient")]
    volume: f64,
    #[serde(rename = "T")]
    time_ms: u64,
}

/// `GET /v5/market/tickers`: the tickers under `result.list`, the server time beside them.
#[derive(Deserialize)]
struct TickerResponse {
    result: TickerList,
    time: u64,
}

#[derive(Deserialize)]
struct TickerList {
    list: Vec<Ticker>,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(rename = "lastPrice", deserialize_with = "de::f64_lenient")]
    last_price: f64,
}

impl Connector for Bybit {
    const EXCHANGE: &'static str = "bybit";
    const URL: &'static str = "wss://stream.bybit.com/v5/public/spot";
    const REST_URL: &'static str = "https://api.bybit.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        markets
            .chunks(ARGS_PER_MESSAGE)
            .map(|chunk| {
                self.request_id += 1;
                let args: Vec<String> = chunk.iter().map(|m| format!("publicTrade.{m}")).collect();
                let message = serde_json::json!({"op": "subscribe", "req_id": self.request_id.to_string(), "args": args});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(20_000, r#"{"op":"ping"}"#))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!(
            "{rest_base}/v5/market/tickers?category=spot&symbol={market}"
        ))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let response: TickerResponse = serde_json::from_slice(body).ok()?;
        let ticker = response.result.list.into_iter().next()?;
        Some(WireTrade::ticker(market, ticker.last_price, response.time))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if !push.topic.starts_with("publicTrade.") {
            return None;
        }
        trades.extend(push.data.into_iter().map(|t| WireTrade {
            market: t.symbol,
            price: t.price,
            quantity: t.volume,
            timestamp_ms: t.time_ms,
        }));
        None
    }
}

export_plugin!(ConnectorPlugin<Bybit>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Bybit::default();
        assert_eq!(
            connector
                .ticker_url("https://api.bybit.com", "FLRUSDT")
                .as_deref(),
            Some("https://api.bybit.com/v5/market/tickers?category=spot&symbol=FLRUSDT")
        );
        let body = br#"{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"symbol":"FLRUSDT","bid1Price":"0.02301","bid1Size":"52000","ask1Price":"0.02302","ask1Size":"41000","lastPrice":"0.02302","prevPrice24h":"0.0229","price24hPcnt":"0.0052","highPrice24h":"0.0235","lowPrice24h":"0.0227","turnover24h":"123456.7","volume24h":"5400000"}]},"retExtInfo":{},"time":1700000000555}"#;
        let last = connector.parse_ticker("FLRUSDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("FLRUSDT", 0.02302, 0.0, 1_700_000_000_555)
        );
        assert!(connector.parse_ticker("FLRUSDT", br#"{"retCode":10001,"retMsg":"Not supported symbols","result":{},"retExtInfo":{},"time":1700000000555}"#).is_none());
    }
}
