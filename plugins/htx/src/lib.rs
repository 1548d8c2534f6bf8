//! `htx`: HTX (Huobi) `market.<symbol>.trade.detail`, gzip-compressed frames.
//!
//! Protocol (value-provider.md §5.1; HTX "Websocket Market Data — Trade Detail"): one `sub`
//! per market; every frame is a gzip binary; the server sends `{"ping":<ts>}` and drops a
//! client that does not answer `{"pong":<ts>}`; trades arrive as `tick.data[]` with `price`,
//! `amount` and `ts`.
//!
//! At start, a market without a trade gets its last price from
//! `GET /market/detail/merged?symbol=…` (`tick.close`, the response's `ts`), as the
//! reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Compression, Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The HTX connector.
#[derive(Debug, Default)]
pub struct Htx {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    ping: Option<u64>,
    ch: Option<String>,
    tick: Option<Tick>,
}

#[derive(Deserialize)]
struct Tick {
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    amount: f64,
    ts: u64,
}

/// `GET /market/detail/merged?symbol=…`: the merged ticker under `tick`.
#[derive(Deserialize)]
struct TickerResponse {
    ts: u64,
    tick: Ticker,
}

#[derive(Deserialize)]
struct Ticker {
    close: f64,
}

impl Connector for Htx {
    const EXCHANGE: &'static str = "htx";
    const URL: &'static str = "wss://api.huobi.pro/ws";
    const REST_URL: &'static str = "https://api.huobi.pro";
    const COMPRESSION: Compression = Compression::Gzip;

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}").to_lowercase()
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        markets
            .iter()
            .map(|m| {
                self.request_id += 1;
                let message = serde_json::json!({"sub": format!("market.{m}.trade.detail"), "id": self.request_id.to_string()});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/market/detail/merged?symbol={market}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let response: TickerResponse = serde_json::from_slice(body).ok()?;
        Some(WireTrade::ticker(market, response.tick.close, response.ts))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if let Some(ping) = push.ping {
            return Some(Message::Text(format!(r#"{{"pong":{ping}}}"#)));
        }
        let market = push
            .ch
            .as_deref()?
            .strip_prefix("market.")?
            .strip_suffix(".trade.detail")?;
        for trade in push.tick?.data {
            trades.push(WireTrade {
                market: market.to_owned(),
                price: trade.price,
                quantity: trade.amount,
                timestamp_ms: trade.ts,
            });
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Htx>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Htx::default();
        assert_eq!(
            connector
                .ticker_url("https://api.huobi.pro", "xdcusdt")
                .as_deref(),
            Some("https://api.huobi.pro/market/detail/merged?symbol=xdcusdt")
        );
        let body = br#"{"ch":"market.xdcusdt.detail.merged","status":"ok","ts":1700000000555,"tick":{"id":311869842093,"version":311869842093,"open":0.0521,"close":0.05234,"low":0.0518,"high":0.0529,"amount":1234567.8,"vol":64520.1,"count":5120,"bid":[0.05233,1200.0],"ask":[0.05235,800.0]}}"#;
        let last = connector.parse_ticker("xdcusdt", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("xdcusdt", 0.05234, 0.0, 1_700_000_000_555)
        );
        assert!(connector.parse_ticker("xdcusdt", br#"{"status":"error","err-code":"invalid-parameter","err-msg":"invalid symbol","ts":1700000000555,"data":null}"#).is_none());
    }
}
