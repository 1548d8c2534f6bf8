//! `poloniex`: Poloniex spot `trades` channel (API v3).
//!
//! Protocol (Poloniex "WebSocket — Public Channels — Trades"): one
//! `{"event":"subscribe","channel":["trades"],"symbols":["BTC_USDT",…]}`; pushes
//! `{"channel":"trades","data":[{"symbol","price","quantity","createTime"}]}`; the client sends
//! `{"event":"ping"}` (the server drops a connection silent for 30 s) and gets
//! `{"event":"pong"}`.
//!
//! At start, a market without a trade gets its last price from
//! `GET /markets/{symbol}/ticker24h` (`close`, `ts`), as ccxt's `fetchTicker`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Poloniex connector.
#[derive(Debug, Default)]
pub struct Poloniex;

#[derive(Deserialize)]
struct Push {
    channel: String,
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    symbol: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    quantity: f64,
    #[serde(rename = "createTime", deserialize_with = "de::u64_lenient")]
    time_ms: u64,
}

/// `GET /markets/{symbol}/ticker24h`.
#[derive(Deserialize)]
struct Ticker {
    #[serde(deserialize_with = "de::f64_lenient")]
    close: f64,
    ts: u64,
}

impl Connector for Poloniex {
    const EXCHANGE: &'static str = "poloniex";
    const URL: &'static str = "wss://ws.poloniex.com/ws/public";
    const REST_URL: &'static str = "https://api.poloniex.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let message =
            serde_json::json!({"event": "subscribe", "channel": ["trades"], "symbols": markets});
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(20_000, r#"{"event":"ping"}"#))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/markets/{market}/ticker24h"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let ticker: Ticker = serde_json::from_slice(body).ok()?;
        Some(WireTrade::ticker(market, ticker.close, ticker.ts))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.channel == "trades" {
            trades.extend(push.data.into_iter().map(|t| WireTrade {
                market: t.symbol,
                price: t.price,
                quantity: t.quantity,
                timestamp_ms: t.time_ms,
            }));
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Poloniex>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn parses_trade_pushes() {
        let mut plugin = ConnectorPlugin::<Poloniex>::with_symbols(&["BTC/USDT"]).unwrap();
        assert_eq!(
            Poloniex.subscribe(plugin.markets().ids()),
            [Message::Text(
                r#"{"channel":["trades"],"event":"subscribe","symbols":["BTC_USDT"]}"#.into()
            )]
        );
        plugin.handle(Message::Text(r#"{"event":"pong"}"#.into()));
        plugin.handle(Message::Text(r#"{"channel":"trades","data":[{"symbol":"BTC_USDT","amount":"370.0","takerSide":"buy","quantity":"0.01","createTime":1700000000111,"price":"37000","id":"1","ts":1700000000120}]}"#.into()));
        let trades = take_published();
        assert_eq!(
            (trades[0].price, trades[0].quantity, trades[0].timestamp_ms),
            (37000.0, 0.01, 1_700_000_000_111)
        );
    }

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Poloniex;
        assert_eq!(
            connector
                .ticker_url("https://api.poloniex.com", "BTC_USDT")
                .as_deref(),
            Some("https://api.poloniex.com/markets/BTC_USDT/ticker24h")
        );
        let body = br#"{"symbol":"BTC_USDT","open":"36900","low":"36800","high":"37300","close":"37005.5","quantity":"1520.7","amount":"56270000","tradeCount":41230,"startTime":1699913580000,"closeTime":1700000000555,"displayName":"BTC/USDT","dailyChange":"0.0028","bid":"37005","bidQuantity":"0.5","ask":"37006","askQuantity":"0.4","ts":1700000000555,"markPrice":"37005.2"}"#;
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
        assert!(
            connector
                .parse_ticker(
                    "BTC_USDT",
                    br#"{"code":21307,"message":"Symbol not found"}"#
                )
                .is_none()
        );
    }
}
