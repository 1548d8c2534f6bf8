//! `bitmart`: BitMart spot `spot/trade` channel on the compressed endpoint (raw deflate frames).
//!
//! Protocol (value-provider.md §5.1; BitMart "Spot WebSocket — Public Trade Channel"):
//! `{"op":"subscribe","args":["spot/trade:BTC_USDT",..]}`; pushes
//! `{"table":"spot/trade","data":[{"symbol","price","size","ms_t"}]}`; the client sends the text
//! `ping` and the server answers `pong`.
//!
//! At start, a market without a trade gets its last price from
//! `GET /spot/quotation/v3/ticker?symbol=…` (`last`, `ts`), as the reference's `fetchTicker`
//! fallback.

use ftso_plugin_sdk::connector::{
    Compression, Connector, ConnectorPlugin, Frame, Keepalive, WireTrade,
};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The BitMart connector.
#[derive(Debug, Default)]
pub struct Bitmart;

#[derive(Deserialize)]
struct Push {
    table: String,
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    symbol: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    size: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    ms_t: u64,
}

/// `GET /spot/quotation/v3/ticker?symbol=…`: the ticker under `data`.
#[derive(Deserialize)]
struct TickerResponse {
    data: Ticker,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(deserialize_with = "de::f64_lenient")]
    last: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    ts: u64,
}

impl Connector for Bitmart {
    const EXCHANGE: &'static str = "bitmart";
    const URL: &'static str = "wss://ws-manager-compress.bitmart.com/api?protocol=1.1";
    const REST_URL: &'static str = "https://api-cloud.bitmart.com";
    const COMPRESSION: Compression = Compression::Deflate;

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let args: Vec<String> = markets.iter().map(|m| format!("spot/trade:{m}")).collect();
        vec![Message::Text(
            serde_json::json!({"op": "subscribe", "args": args}).to_string(),
        )]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(15_000, "ping"))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!(
            "{rest_base}/spot/quotation/v3/ticker?symbol={market}"
        ))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let ticker = serde_json::from_slice::<TickerResponse>(body).ok()?.data;
        Some(WireTrade::ticker(market, ticker.last, ticker.ts))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.table != "spot/trade" {
            return None;
        }
        trades.extend(push.data.into_iter().map(|t| WireTrade {
            market: t.symbol,
            price: t.price,
            quantity: t.size,
            timestamp_ms: t.ms_t,
        }));
        None
    }
}

export_plugin!(ConnectorPlugin<Bitmart>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Bitmart;
        assert_eq!(
            connector
                .ticker_url("https://api-cloud.bitmart.com", "BTC_USDT")
                .as_deref(),
            Some("https://api-cloud.bitmart.com/spot/quotation/v3/ticker?symbol=BTC_USDT")
        );
        let body = br#"{"code":1000,"trace":"886fb6ae-456b-4654-b4e0-d681ac05cea1","message":"success","data":{"symbol":"BTC_USDT","last":"37005.5","v_24h":"1520.7","qv_24h":"56270000","open_24h":"36900","high_24h":"37300","low_24h":"36800","fluctuation":"0.00285","bid_px":"37005","bid_sz":"0.5","ask_px":"37006","ask_sz":"0.4","ts":"1700000000555"}}"#;
        let last = connector.parse_ticker("BTC_USDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("BTC_USDT", 37005.5, 0.0, 1_700_000_000_555)
        );
        assert!(connector.parse_ticker("BTC_USDT", br#"{"code":51500,"trace":"886fb6ae-456b-4654-b4e0-d681ac05cea1","message":"Invalid symbol","data":{}}"#).is_none());
    }
}
