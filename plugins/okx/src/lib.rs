//! `okx`: OKX public spot trades (`trades` channel).
//!
//! Protocol (value-provider.md §5.2; OKX API v5 "WebSocket Public Channel"): one subscribe
//! with `{"channel":"trades","instId":"BTC-USDT"}` args; data
//! `{"arg":{..},"data":[{"instId","px","sz","ts"}]}`; the client sends the text `ping` (OKX
//! drops a connection silent for 30 s) and the server answers `pong`. At start, a market
//! without a trade gets its last price from `GET /api/v5/market/ticker?instId=…` (`last`,
//! `ts`), as the reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The OKX connector.
#[derive(Debug, Default)]
pub struct Okx;

#[derive(Deserialize)]
struct Push {
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "instId")]
    market: String,
    #[serde(rename = "px", deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(rename = "sz", deserialize_with = "de::f64_lenient")]
    size: f64,
    #[serde(rename = "ts", deserialize_with = "de::u64_lenient")]
    time_ms: u64,
}

#[derive(Deserialize)]
struct TickerResponse {
    data: Vec<Ticker>,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(deserialize_with = "de::f64_lenient")]
    last: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    ts: u64,
}

impl Connector for Okx {
    const EXCHANGE: &'static str = "okx";
    const URL: &'static str = "wss://ws.okx.com:8443/ws/v5/public";
    const REST_URL: &'static str = "https://www.okx.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}-{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let args: Vec<_> = markets
            .iter()
            .map(|m| serde_json::json!({"channel": "trades", "instId": m}))
            .collect();
        vec![Message::Text(
            serde_json::json!({"op": "subscribe", "args": args}).to_string(),
        )]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(18_000, "ping"))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/api/v5/market/ticker?instId={market}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let response: TickerResponse = serde_json::from_slice(body).ok()?;
        let ticker = response.data.into_iter().next()?;
        Some(WireTrade::ticker(market, ticker.last, ticker.ts))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        trades.extend(push.data.into_iter().map(|t| WireTrade {
            market: t.market,
            price: t.price,
            quantity: t.size,
            timestamp_ms: t.time_ms,
        }));
        None
    }
}

export_plugin!(ConnectorPlugin<Okx>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn parses_trade_pushes_and_ignores_acks_and_pongs() {
        let mut plugin = ConnectorPlugin::<Okx>::with_symbols(&["FLR/USDT"]).unwrap();
        assert_eq!(
            Okx.subscribe(plugin.markets().ids()),
            [Message::Text(
                r#"{"args":[{"channel":"trades","instId":"FLR-USDT"}],"op":"subscribe"}"#.into()
            )]
        );
        plugin.handle(Message::Text("pong".into()));
        plugin.handle(Message::Text(r#"{"event":"subscribe","arg":{"channel":"trades","instId":"FLR-USDT"},"connId":"a4d3ae55"}"#.into()));
        plugin.handle(Message::Text(r#"{"arg":{"channel":"trades","instId":"FLR-USDT"},"data":[{"instId":"FLR-USDT","tradeId":"130639474","px":"0.02301","sz":"1200","side":"buy","ts":"1700000000123"}]}"#.into()));
        let trades = take_published();
        assert_eq!(trades.len(), 1);
        assert_eq!(
            (trades[0].price, trades[0].quantity, trades[0].timestamp_ms),
            (0.02301, 1200.0, 1_700_000_000_123)
        );
    }

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        assert_eq!(
            Okx.ticker_url("https://www.okx.com", "FLR-USDT").as_deref(),
            Some("https://www.okx.com/api/v5/market/ticker?instId=FLR-USDT")
        );
        let body = br#"{"code":"0","msg":"","data":[{"instType":"SPOT","instId":"FLR-USDT","last":"0.02303","lastSz":"100","askPx":"0.02304","bidPx":"0.02302","ts":"1700000000777"}]}"#;
        let last = Okx.parse_ticker("FLR-USDT", body).unwrap();
        assert_eq!(
            (last.price, last.timestamp_ms),
            (0.02303, 1_700_000_000_777)
        );
        assert!(
            Okx.parse_ticker("FLR-USDT", br#"{"code":"0","data":[]}"#)
                .is_none()
        );
    }
}
