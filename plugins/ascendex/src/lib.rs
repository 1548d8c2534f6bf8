//! `ascendex`: AscendEX spot `trades` channel.
//!
//! Protocol (AscendEX "WebSocket — Channel: Market Trades"): one
//! `{"op":"sub","id":…,"ch":"trades:BTC/USDT"}` per market; pushes
//! `{"m":"trades","symbol":"BTC/USDT","data":[{"p","q","ts"}]}`; the server sends
//! `{"m":"ping","hp":3}` and drops a client that does not answer `{"op":"pong"}`.
//!
//! At start, a market without a trade gets its last price from
//! `GET /api/pro/v1/ticker?symbol=BASE%2FQUOTE` (`data.close`; no time, so it is stamped on
//! arrival), as ccxt's `fetchTicker`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The AscendEX connector.
#[derive(Debug, Default)]
pub struct Ascendex {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    m: String,
    symbol: Option<String>,
    #[serde(default)]
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(deserialize_with = "de::f64_lenient")]
    p: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    q: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    ts: u64,
}

/// `GET /api/pro/v1/ticker?symbol=…`: the ticker under `data`.
#[derive(Deserialize)]
struct TickerResponse {
    data: Ticker,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(deserialize_with = "de::f64_lenient")]
    close: f64,
}

impl Connector for Ascendex {
    const EXCHANGE: &'static str = "ascendex";
    const URL: &'static str = "wss://ascendex.com/0/api/pro/v1/stream";
    const REST_URL: &'static str = "https://ascendex.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}/{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        markets
            .iter()
            .map(|m| {
                self.request_id += 1;
                let message = serde_json::json!({
                    "op": "sub",
                    "id": self.request_id.to_string(),
                    "ch": format!("trades:{m}"),
                });
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        let symbol = market.replace('/', "%2F");
        Some(format!("{rest_base}/api/pro/v1/ticker?symbol={symbol}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let ticker = serde_json::from_slice::<TickerResponse>(body).ok()?.data;
        Some(WireTrade::ticker(market, ticker.close, 0))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        match push.m.as_str() {
            "ping" => Some(Message::Text(r#"{"op":"pong"}"#.to_owned())),
            "trades" => {
                let market = push.symbol?;
                trades.extend(push.data.into_iter().map(|t| WireTrade {
                    market: market.clone(),
                    price: t.p,
                    quantity: t.q,
                    timestamp_ms: t.ts,
                }));
                None
            }
            _ => None,
        }
    }
}

export_plugin!(ConnectorPlugin<Ascendex>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn answers_pings_and_parses_trades() {
        let mut plugin = ConnectorPlugin::<Ascendex>::with_symbols(&["BTC/USDT"]).unwrap();
        assert_eq!(
            Ascendex::default().subscribe(plugin.markets().ids()),
            [Message::Text(
                r#"{"ch":"trades:BTC/USDT","id":"1","op":"sub"}"#.into()
            )]
        );
        assert_eq!(
            plugin.handle(Message::Text(r#"{"m":"ping","hp":3}"#.into())),
            Some(Message::Text(r#"{"op":"pong"}"#.into()))
        );
        plugin.handle(Message::Text(r#"{"m":"trades","symbol":"BTC/USDT","data":[{"p":"37000.9","q":"0.0015","ts":1700000000321,"bm":false,"seqnum":180143985094}]}"#.into()));
        let trades = take_published();
        assert_eq!(
            (trades[0].price, trades[0].quantity, trades[0].timestamp_ms),
            (37000.9, 0.0015, 1_700_000_000_321)
        );
    }

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Ascendex::default();
        assert_eq!(
            connector
                .ticker_url("https://ascendex.com", "BTC/USDT")
                .as_deref(),
            Some("https://ascendex.com/api/pro/v1/ticker?symbol=BTC%2FUSDT")
        );
        let body = br#"{"code":0,"data":{"symbol":"BTC/USDT","open":"36900","close":"37005.5","high":"37300","low":"36800","volume":"1520.7","ask":["37005.6","0.4"],"bid":["37005.4","0.5"],"type":"spot"}}"#;
        let last = connector.parse_ticker("BTC/USDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("BTC/USDT", 37005.5, 0.0, 0)
        );
        assert!(connector.parse_ticker("BTC/USDT", br#"{"code":100002,"reason":"DATA_NOT_AVAILABLE","message":"Symbol NOPE/USDT not found"}"#).is_none());
    }
}
