//! `bitstamp`: Bitstamp `live_trades_<pair>` channels.
//!
//! Protocol (value-provider.md §5.1; Bitstamp "WebSocket API v2"): one `bts:subscribe` per
//! pair; trades arrive as `{"event":"trade","channel":"live_trades_usdtusd","data":{"price",
//! "amount","microtimestamp"}}`; the client sends `bts:heartbeat` to keep the connection.
//!
//! At start, a market without a trade gets its last price from `GET /api/v2/ticker/{pair}/`
//! (`last`, `timestamp` in seconds), as the reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Bitstamp connector.
#[derive(Debug, Default)]
pub struct Bitstamp;

#[derive(Deserialize)]
struct Push {
    event: String,
    channel: String,
    data: Option<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    amount: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    microtimestamp: u64,
}

/// `GET /api/v2/ticker/{pair}/`.
#[derive(Deserialize)]
struct Ticker {
    #[serde(deserialize_with = "de::f64_lenient")]
    last: f64,
    #[serde(rename = "timestamp", deserialize_with = "de::u64_lenient")]
    time_s: u64,
}

impl Connector for Bitstamp {
    const EXCHANGE: &'static str = "bitstamp";
    const URL: &'static str = "wss://ws.bitstamp.net";
    const REST_URL: &'static str = "https://www.bitstamp.net";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}").to_lowercase()
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        markets
            .iter()
            .map(|m| {
                let message = serde_json::json!({"event": "bts:subscribe", "data": {"channel": format!("live_trades_{m}")}});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(20_000, r#"{"event":"bts:heartbeat"}"#))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/api/v2/ticker/{market}/"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let ticker: Ticker = serde_json::from_slice(body).ok()?;
        Some(WireTrade::ticker(
            market,
            ticker.last,
            ticker.time_s.saturating_mul(1000),
        ))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.event != "trade" {
            return None;
        }
        let market = push.channel.strip_prefix("live_trades_")?.to_owned();
        let trade = push.data?;
        trades.push(WireTrade {
            market,
            price: trade.price,
            quantity: trade.amount,
            timestamp_ms: trade.microtimestamp / 1000,
        });
        None
    }
}

export_plugin!(ConnectorPlugin<Bitstamp>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Bitstamp;
        assert_eq!(
            connector
                .ticker_url("https://www.bitstamp.net", "xrpusd")
                .as_deref(),
            Some("https://www.bitstamp.net/api/v2/ticker/xrpusd/")
        );
        let body = br#"{"timestamp":"1700000000","open":"0.6101","high":"0.6251","low":"0.6034","last":"0.6122","volume":"1520473.2","vwap":"0.6143","bid":"0.6121","ask":"0.6123","side":"0","open_24":"0.6111","percent_change_24":"0.18"}"#;
        let last = connector.parse_ticker("xrpusd", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("xrpusd", 0.6122, 0.0, 1_700_000_000_000)
        );
        assert!(
            connector
                .parse_ticker(
                    "xrpusd",
                    br#"{"errors":[{"message":"Market not found","code":"API0002"}]}"#
                )
                .is_none()
        );
    }
}
