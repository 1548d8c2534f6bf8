//! `coinex`: CoinEx API v2 spot `deals` channel, gzip-compressed frames.
//!
//! Protocol (value-provider.md §5.1; CoinEx "API v2 WebSocket — Market Deals"):
//! `{"method":"deals.subscribe","params":{"market_list":[..]},"id":N}`; every server frame is
//! gzip; pushes `{"method":"deals.update","data":{"market","deal_list":[{"price","amount",
//! "created_at"}]}}`; the client pings with `server.ping`.
//!
//! At start, a market without a trade gets its last price from
//! `GET /v2/spot/ticker?market=…` (`last`; no time, so it is stamped on arrival), as the
//! reference's `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{
    Compression, Connector, ConnectorPlugin, Frame, Keepalive, WireTrade,
};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The CoinEx connector.
#[derive(Debug, Default)]
pub struct Coinex {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    method: Option<String>,
    data: Option<Deals>,
}

#[derive(Deserialize)]
struct Deals {
    market: String,
    deal_list: Vec<Deal>,
}

#[derive(Deserialize)]
struct Deal {
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    amount: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    created_at: u64,
}

/// `GET /v2/spot/ticker?market=…`: one ticker in `data`.
#[derive(Deserialize)]
struct TickerResponse {
    data: Vec<Ticker>,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(deserialize_with = "de::f64_lenient")]
    last: f64,
}

impl Connector for Coinex {
    const EXCHANGE: &'static str = "coinex";
    const URL: &'static str = "wss://socket.coinex.com/v2/spot";
    const REST_URL: &'static str = "https://api.coinex.com";
    const COMPRESSION: Compression = Compression::Gzip;

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.request_id += 1;
        let message = serde_json::json!({
            "method": "deals.subscribe",
            "params": {"market_list": markets},
            "id": self.request_id,
        });
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(
            20_000,
            r#"{"method":"server.ping","params":{},"id":0}"#,
        ))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/v2/spot/ticker?market={market}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let response: TickerResponse = serde_json::from_slice(body).ok()?;
        let ticker = response.data.into_iter().next()?;
        Some(WireTrade::ticker(market, ticker.last, 0))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.method.as_deref() != Some("deals.update") {
            return None;
        }
        let deals = push.data?;
        for deal in deals.deal_list {
            trades.push(WireTrade {
                market: deals.market.clone(),
                price: deal.price,
                quantity: deal.amount,
                timestamp_ms: deal.created_at,
            });
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Coinex>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Coinex::default();
        assert_eq!(
            connector
                .ticker_url("https://api.coinex.com", "FLRUSDT")
                .as_deref(),
            Some("https://api.coinex.com/v2/spot/ticker?market=FLRUSDT")
        );
        let body = br#"{"code":0,"data":[{"market":"FLRUSDT","last":"0.02301","open":"0.0227","close":"0.02301","high":"0.0235","low":"0.0226","volume":"5000000","value":"115050","volume_sell":"2400000","volume_buy":"2600000","period":86400}],"message":"OK"}"#;
        let last = connector.parse_ticker("FLRUSDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("FLRUSDT", 0.02301, 0.0, 0)
        );
        assert!(
            connector
                .parse_ticker(
                    "FLRUSDT",
                    br#"{"code":3639,"data":{},"message":"market not found"}"#
                )
                .is_none()
        );
    }
}
