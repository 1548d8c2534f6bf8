//! `whitebit`: WhiteBIT spot trades.
//!
//! Protocol (WhiteBIT "WebSocket API — Market trades"): one
//! `{"id":1,"method":"trades_subscribe","params":["BTC_USDT",…]}` (a later one replaces the
//! set, so one message carries every market); updates
//! `{"method":"trades_update","params":["BTC_USDT",[{"price","amount","time"}]]}` with `time`
//! in seconds (fractional); the client sends `{"id":0,"method":"ping","params":[]}` (the
//! server closes a connection idle for 60 s) and gets `{"id":0,"result":"pong"}`.
//!
//! At start, a market without a trade gets its last price from
//! `GET /api/v1/public/ticker?market=…` (`result.last`; no time, so it is stamped on arrival),
//! as ccxt's `fetchTicker`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The WhiteBIT connector.
#[derive(Debug, Default)]
pub struct Whitebit {
    request_id: u64,
}

#[derive(Deserialize)]
struct Update {
    method: String,
    params: (String, Vec<Trade>),
}

#[derive(Deserialize)]
struct Trade {
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    amount: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    time: f64,
}

/// `GET /api/v1/public/ticker?market=…`: the ticker under `result`.
#[derive(Deserialize)]
struct TickerResponse {
    result: Ticker,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(deserialize_with = "de::f64_lenient")]
    last: f64,
}

impl Connector for Whitebit {
    const EXCHANGE: &'static str = "whitebit";
    const URL: &'static str = "wss://api.whitebit.com/ws";
    const REST_URL: &'static str = "https://whitebit.com";
    // `trades_subscribe` replaces the connection's set: every market goes in one message.
    const MARKETS_PER_CONNECTION: usize = 500;

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.request_id += 1;
        let message = serde_json::json!({
            "id": self.request_id,
            "method": "trades_subscribe",
            "params": markets,
        });
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(
            30_000,
            r#"{"id":0,"method":"ping","params":[]}"#,
        ))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/api/v1/public/ticker?market={market}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let ticker = serde_json::from_slice::<TickerResponse>(body).ok()?.result;
        Some(WireTrade::ticker(market, ticker.last, 0))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let update: Update = serde_json::from_str(frame.text()?).ok()?;
        if update.method != "trades_update" {
            return None;
        }
        let (market, batch) = update.params;
        trades.extend(batch.into_iter().map(|t| WireTrade {
            market: market.clone(),
            price: t.price,
            quantity: t.amount,
            timestamp_ms: seconds_to_ms(t.time),
        }));
        None
    }
}

/// Fractional seconds to whole milliseconds (negative or non-finite: 0).
fn seconds_to_ms(seconds: f64) -> u64 {
    let ms = (seconds * 1000.0).round();
    if ms.is_finite() && ms > 0.0 {
        // In range: a finite positive f64 below 2^64 ms.
        ms.min(u64::MAX as f64) as u64
    } else {
        0
    }
}

export_plugin!(ConnectorPlugin<Whitebit>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn parses_updates_with_times_in_seconds() {
        let mut plugin = ConnectorPlugin::<Whitebit>::with_symbols(&["BTC/USDT"]).unwrap();
        assert_eq!(
            Whitebit::default().subscribe(plugin.markets().ids()),
            [Message::Text(
                r#"{"id":1,"method":"trades_subscribe","params":["BTC_USDT"]}"#.into()
            )]
        );
        plugin.handle(Message::Text(
            r#"{"id":0,"result":"pong","error":null}"#.into(),
        ));
        plugin.handle(Message::Text(r#"{"id":null,"method":"trades_update","params":["BTC_USDT",[{"id":41358530,"time":1700000000.123,"price":"37000.5","amount":"0.02","type":"sell"}]]}"#.into()));
        let trades = take_published();
        assert_eq!(
            (trades[0].price, trades[0].quantity, trades[0].timestamp_ms),
            (37000.5, 0.02, 1_700_000_000_123)
        );
        assert_eq!(seconds_to_ms(-1.0), 0);
    }

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Whitebit::default();
        assert_eq!(
            connector
                .ticker_url("https://whitebit.com", "BTC_USDT")
                .as_deref(),
            Some("https://whitebit.com/api/v1/public/ticker?market=BTC_USDT")
        );
        let body = br#"{"success":true,"message":"","result":{"bid":"37005.4","ask":"37005.6","open":"36900","high":"37300","low":"36800","last":"37005.5","volume":"1520.7","deal":"56270000.1","change":"0.28"}}"#;
        let last = connector.parse_ticker("BTC_USDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("BTC_USDT", 37005.5, 0.0, 0)
        );
        assert!(connector.parse_ticker("BTC_USDT", br#"{"success":false,"message":{"market":["Market is not available"]},"result":[]}"#).is_none());
    }
}
