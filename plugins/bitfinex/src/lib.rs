//! `bitfinex`: Bitfinex v2 public `trades` channel (array frames).
//!
//! Protocol (value-provider.md §5.1; Bitfinex "WebSocket Public Channels — Trades"): one
//! subscribe per symbol (`tUSTUSD`: Bitfinex writes USDT as UST); the `subscribed` event gives
//! the channel id that later frames start with; a snapshot `[chanId,[[id,mts,amount,price],..]]`
//! then updates `[chanId,"te",[id,mts,amount,price]]` (`tu` repeats `te`, `hb` is a heartbeat);
//! a negative amount is a sell. The client pings with `{"event":"ping"}`.
//!
//! At start, a market without a trade gets its last price from `GET /v2/ticker/t…` (the
//! array's `LAST_PRICE`, index 6; no time, so it is stamped on arrival), as the reference's
//! `fetchTicker` fallback.

use std::collections::HashMap;

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, export_plugin};
use serde::Deserialize;
use serde_json::Value;

/// The Bitfinex connector: remembers which channel id carries which market.
#[derive(Debug, Default)]
pub struct Bitfinex {
    channels: HashMap<u64, String>,
}

#[derive(Deserialize)]
struct Subscribed {
    event: String,
    #[serde(rename = "chanId")]
    channel_id: u64,
    symbol: String,
}

/// `[id, mts, amount, price]`.
fn trade(market: &str, row: &Value) -> Option<WireTrade> {
    let row = row.as_array()?;
    Some(WireTrade {
        market: market.to_owned(),
        timestamp_ms: row.get(1)?.as_u64()?,
        quantity: row.get(2)?.as_f64()?.abs(),
        price: row.get(3)?.as_f64()?,
    })
}

/// Where `LAST_PRICE` sits in a trading pair's ticker array
/// (`[BID, BID_SIZE, ASK, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_RELATIVE, LAST_PRICE, …]`).
const TICKER_LAST_PRICE: usize = 6;

impl Connector for Bitfinex {
    const EXCHANGE: &'static str = "bitfinex";
    const URL: &'static str = "wss://api-pub.bitfinex.com/ws/2";
    const REST_URL: &'static str = "https://api-pub.bitfinex.com";
    const RENAMES: &'static [(&'static str, &'static str)] = &[("USDT", "UST")];

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("t{base}{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.channels.clear();
        markets
            .iter()
            .map(|m| {
                let message =
                    serde_json::json!({"event": "subscribe", "channel": "trades", "symbol": m});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(15_000, r#"{"event":"ping","cid":1}"#))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/v2/ticker/{market}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let fields: Vec<f64> = serde_json::from_slice(body).ok()?;
        let price = *fields.get(TICKER_LAST_PRICE)?;
        Some(WireTrade::ticker(market, price, 0))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let value: Value = serde_json::from_str(frame.text()?).ok()?;
        if value.is_object() {
            if let Ok(subscribed) = serde_json::from_value::<Subscribed>(value)
                && subscribed.event == "subscribed"
            {
                self.channels
                    .insert(subscribed.channel_id, subscribed.symbol);
            }
            return None;
        }
        let items = value.as_array()?;
        let market = self.channels.get(&items.first()?.as_u64()?)?;
        match (items.get(1)?, items.get(2)) {
            (Value::String(kind), Some(row)) if kind == "te" => trades.extend(trade(market, row)),
            (Value::Array(rows), _) => trades.extend(rows.iter().filter_map(|r| trade(market, r))),
            _ => {}
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Bitfinex>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Bitfinex::default();
        assert_eq!(
            connector
                .ticker_url("https://api-pub.bitfinex.com", "tXRPUST")
                .as_deref(),
            Some("https://api-pub.bitfinex.com/v2/ticker/tXRPUST")
        );
        let body =
            br#"[0.6121,51234.1,0.6123,48211.7,-0.0041,-0.0067,0.6122,1520473.2,0.6251,0.6034]"#;
        let last = connector.parse_ticker("tXRPUST", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("tXRPUST", 0.6122, 0.0, 0)
        );
        assert!(
            connector
                .parse_ticker("tXRPUST", br#"["error",10020,"symbol: invalid"]"#)
                .is_none()
        );
    }
}
