//! `kraken`: Kraken WebSocket v2 `trade` channel.
//!
//! Protocol (value-provider.md §5.2; Kraken "Spot WebSocket v2 — Trade"): one subscribe with
//! every symbol (v2 writes `BTC/USD`, not `XBT/USD`); `data[]` with `symbol`, `price`, `qty`
//! (JSON numbers) and an RFC 3339 `timestamp`; the client pings with `{"method":"ping"}`.
//!
//! At start, a market without a trade gets its last price from
//! `GET /0/public/Ticker?pair=…` (`c[0]`, the last trade's price; no time, so it is stamped
//! on arrival), as the reference's `fetchTicker` fallback. REST names pairs as Kraken's
//! `altname` does, with its own currency codes: `BTC/USD` is `XBTUSD`, `DOGE/USD` `XDGUSD`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Kraken connector.
#[derive(Debug, Default)]
pub struct Kraken {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    channel: String,
    #[serde(default)]
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    symbol: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    qty: f64,
    timestamp: String,
}

/// Currency codes Kraken's REST API writes differently from websocket v2, as
/// `(websocket, REST)` pairs.
const REST_CODES: &[(&str, &str)] = &[("BTC", "XBT"), ("DOGE", "XDG")];

/// The REST pair (the asset pair's `altname`) of a websocket v2 symbol: `BTC/USD` → `XBTUSD`.
fn rest_pair(market: &str) -> String {
    market
        .split('/')
        .map(|code| {
            REST_CODES
                .iter()
                .find(|(ws, _)| *ws == code)
                .map_or(code, |(_, rest)| rest)
        })
        .collect()
}

/// `GET /0/public/Ticker?pair=…`: one entry under `result`, keyed by Kraken's pair name.
#[derive(Deserialize)]
struct TickerResponse {
    result: std::collections::BTreeMap<String, Ticker>,
}

#[derive(Deserialize)]
struct Ticker {
    /// The last trade: `[price, lot volume]`.
    #[serde(rename = "c")]
    last_trade: Vec<String>,
}

impl Connector for Kraken {
    const EXCHANGE: &'static str = "kraken";
    const URL: &'static str = "wss://ws.kraken.com/v2";
    const REST_URL: &'static str = "https://api.kraken.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}/{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.request_id += 1;
        let message = serde_json::json!({
            "method": "subscribe",
            "params": {"channel": "trade", "symbol": markets},
            "req_id": self.request_id,
        });
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(6_000, r#"{"method":"ping"}"#))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!(
            "{rest_base}/0/public/Ticker?pair={}",
            rest_pair(market)
        ))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let response: TickerResponse = serde_json::from_slice(body).ok()?;
        let ticker = response.result.into_values().next()?;
        let price = ticker.last_trade.first()?.parse().ok()?;
        Some(WireTrade::ticker(market, price, 0))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.channel != "trade" {
            return None;
        }
        for trade in push.data {
            if let Some(timestamp_ms) = de::rfc3339_ms(&trade.timestamp) {
                trades.push(WireTrade {
                    market: trade.symbol,
                    price: trade.price,
                    quantity: trade.qty,
                    timestamp_ms,
                });
            }
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Kraken>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Kraken::default();
        assert_eq!(
            connector
                .ticker_url("https://api.kraken.com", "BTC/USD")
                .as_deref(),
            Some("https://api.kraken.com/0/public/Ticker?pair=XBTUSD")
        );
        let body = br#"{"error":[],"result":{"XXBTZUSD":{"a":["37005.60000","1","1.000"],"b":["37005.50000","2","2.000"],"c":["37005.50000","0.00120000"],"v":["812.1","1520.7"],"p":["37010.1","37012.4"],"t":[10234,20411],"l":["36800.0","36800.0"],"h":["37300.0","37300.0"],"o":"36900.00000"}}}"#;
        let last = connector.parse_ticker("BTC/USD", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("BTC/USD", 37005.5, 0.0, 0)
        );
        assert!(
            connector
                .parse_ticker("BTC/USD", br#"{"error":["EQuery:Unknown asset pair"]}"#)
                .is_none()
        );
    }

    #[test]
    fn rest_pairs_use_kraken_currency_codes() {
        assert_eq!(rest_pair("BTC/USD"), "XBTUSD");
        assert_eq!(rest_pair("DOGE/USD"), "XDGUSD");
        assert_eq!(rest_pair("FLR/USD"), "FLRUSD");
        assert_eq!(rest_pair("USDT/USD"), "USDTUSD");
    }
}
