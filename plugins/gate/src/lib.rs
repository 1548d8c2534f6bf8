//! `gate`: Gate spot `spot.trades` channel.
//!
//! Protocol (value-provider.md §5.1; Gate "Spot WebSocket v4 — Public Trades Channel"): one
//! subscribe with every `BTC_USDT`-style pair; updates carry `result` (one trade, or a list)
//! with `currency_pair`, `price`, `amount` and `create_time_ms` (a decimal string); the
//! client pings with the `spot.ping` channel.
//!
//! At start, a market without a trade gets its last price from
//! `GET /api/v4/spot/tickers?currency_pair=…` (`last`; the ticker has no time, so it is
//! stamped on arrival), as the reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, clock, de, export_plugin};
use serde::Deserialize;

/// The Gate connector.
#[derive(Debug, Default)]
pub struct Gate {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    channel: String,
    event: String,
    result: Option<OneOrMany>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Trade),
    Many(Vec<Trade>),
}

#[derive(Deserialize)]
struct Trade {
    currency_pair: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    amount: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    create_time_ms: f64,
}

/// One row of `GET /api/v4/spot/tickers?currency_pair=…` (an array of one).
#[derive(Deserialize)]
struct Ticker {
    #[serde(deserialize_with = "de::f64_lenient")]
    last: f64,
}

impl Connector for Gate {
    const EXCHANGE: &'static str = "gate";
    const URL: &'static str = "wss://api.gateio.ws/ws/v4/";
    const REST_URL: &'static str = "https://api.gateio.ws";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}_{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.request_id += 1;
        let message = serde_json::json!({
            "time": clock::now_ms() / 1000,
            "id": self.request_id,
            "channel": "spot.trades",
            "event": "subscribe",
            "payload": markets,
        });
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(10_000, r#"{"channel":"spot.ping"}"#))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!(
            "{rest_base}/api/v4/spot/tickers?currency_pair={market}"
        ))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let tickers: Vec<Ticker> = serde_json::from_slice(body).ok()?;
        let ticker = tickers.into_iter().next()?;
        Some(WireTrade::ticker(market, ticker.last, 0))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.channel != "spot.trades" || push.event != "update" {
            return None;
        }
        let list = match push.result? {
            OneOrMany::One(trade) => vec![trade],
            OneOrMany::Many(list) => list,
        };
        trades.extend(list.into_iter().map(|t| WireTrade {
            market: t.currency_pair,
            price: t.price,
            quantity: t.amount,
            // Milliseconds with a fractional part: the whole milliseconds.
            timestamp_ms: t.create_time_ms.max(0.0) as u64,
        }));
        None
    }
}

export_plugin!(ConnectorPlugin<Gate>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Gate::default();
        assert_eq!(
            connector
                .ticker_url("https://api.gateio.ws", "FLR_USDT")
                .as_deref(),
            Some("https://api.gateio.ws/api/v4/spot/tickers?currency_pair=FLR_USDT")
        );
        let body = br#"[{"currency_pair":"FLR_USDT","last":"0.02301","lowest_ask":"0.02302","highest_bid":"0.023","change_percentage":"1.2","base_volume":"8000000","quote_volume":"184000","high_24h":"0.0235","low_24h":"0.0226"}]"#;
        let last = connector.parse_ticker("FLR_USDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("FLR_USDT", 0.02301, 0.0, 0)
        );
        assert!(connector.parse_ticker("FLR_USDT", br#"{"label":"INVALID_CURRENCY_PAIR","message":"Invalid currency pair FLR_USD"}"#).is_none());
    }
}
