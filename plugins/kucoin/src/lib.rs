//! `kucoin`: KuCoin spot `/market/match` (trade) pushes, after a token handshake.
//!
//! Protocol (value-provider.md §5.1; KuCoin "Apply connect token", "Match Execution Data"):
//! before every connect, `POST <url>/api/v1/bullet-public` returns a token and the websocket
//! endpoint with its `pingInterval`; the client connects to `<endpoint>?token=…&connectId=…`,
//! subscribes with one `{"type":"subscribe","topic":"/market/match:BTC-USDT,ETH-USDT"}` (at
//! most 100 markets per topic), sends `{"id":…,"type":"ping"}` every `pingInterval`, and
//! receives `{"type":"message","subject":"trade.l3match","data":{"symbol","price","size",
//! "time"}}` with `time` in **nanoseconds**. The `url` setting is the REST base, not a
//! websocket URL.
//!
//! At start, a market without a trade gets its last price from
//! `GET /api/v1/market/stats?symbol=…` (`last`, `time`), as the reference's `fetchTicker`
//! fallback.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin, http};
use serde::Deserialize;

/// The ping interval used until a token response names one.
const DEFAULT_PING_MS: u64 = 18_000;

/// The KuCoin connector.
#[derive(Debug, Default)]
pub struct Kucoin {
    /// `pingInterval` of the last token response.
    ping_interval_ms: Option<u64>,
    /// Numbers the subscribe and connect ids.
    sequence: u64,
}

#[derive(Deserialize)]
struct Bullet {
    data: BulletData,
}

#[derive(Deserialize)]
struct BulletData {
    token: String,
    #[serde(rename = "instanceServers")]
    servers: Vec<Server>,
}

#[derive(Deserialize)]
struct Server {
    endpoint: String,
    #[serde(rename = "pingInterval")]
    ping_interval_ms: Option<u64>,
}

#[derive(Deserialize)]
struct Push {
    subject: Option<String>,
    data: Option<Match>,
}

#[derive(Deserialize)]
struct Match {
    symbol: String,
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    size: f64,
    #[serde(rename = "time", deserialize_with = "de::u64_lenient")]
    time_ns: u64,
}

impl Kucoin {
    /// The websocket URL from a `bullet-public` response body.
    fn websocket_url(&mut self, body: &[u8]) -> Result<String, String> {
        let bullet: Bullet =
            serde_json::from_slice(body).map_err(|e| format!("bad token response: {e}"))?;
        let server = bullet
            .data
            .servers
            .first()
            .ok_or("token response lists no instance server")?;
        self.ping_interval_ms = server.ping_interval_ms;
        self.sequence += 1;
        let separator = if server.endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(format!(
            "{}{separator}token={}&connectId=ftso-{}",
            server.endpoint, bullet.data.token, self.sequence
        ))
    }
}

/// `GET /api/v1/market/stats?symbol=…`: the 24 h statistics under `data`.
#[derive(Deserialize)]
struct StatsResponse {
    data: Stats,
}

#[derive(Deserialize)]
struct Stats {
    #[serde(deserialize_with = "de::f64_lenient")]
    last: f64,
    time: u64,
}

impl Connector for Kucoin {
    const EXCHANGE: &'static str = "kucoin";
    const URL: &'static str = "https://api.kucoin.com";
    const REST_URL: &'static str = "https://api.kucoin.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}-{quote}")
    }

    fn connect_url(&mut self, endpoint: &str) -> Result<String, String> {
        let url = format!("{}/api/v1/bullet-public", endpoint.trim_end_matches('/'));
        let response = http::post(&url, &[], &[]).map_err(|e| format!("token request: {e:?}"))?;
        if !(200..=299).contains(&response.status) {
            return Err(format!("token request: status {}", response.status));
        }
        self.websocket_url(&response.body)
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        markets
            .chunks(100)
            .map(|chunk| {
                self.sequence += 1;
                let message = serde_json::json!({
                    "id": self.sequence.to_string(),
                    "type": "subscribe",
                    "topic": format!("/market/match:{}", chunk.join(",")),
                    "privateChannel": false,
                    "response": true,
                });
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(
            self.ping_interval_ms.unwrap_or(DEFAULT_PING_MS),
            r#"{"id":"ping","type":"ping"}"#,
        ))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/api/v1/market/stats?symbol={market}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let stats = serde_json::from_slice::<StatsResponse>(body).ok()?.data;
        Some(WireTrade::ticker(market, stats.last, stats.time))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.subject.as_deref() != Some("trade.l3match") {
            return None;
        }
        let trade = push.data?;
        trades.push(WireTrade {
            market: trade.symbol,
            price: trade.price,
            quantity: trade.size,
            timestamp_ms: trade.time_ns / 1_000_000,
        });
        None
    }
}

export_plugin!(ConnectorPlugin<Kucoin>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn token_response_gives_the_url_and_the_ping_interval() {
        let mut kucoin = Kucoin::default();
        let body = br#"{"code":"200000","data":{"token":"2neAiuYvAU61","instanceServers":[{"endpoint":"wss://ws-api-spot.kucoin.com/","encrypt":true,"protocol":"websocket","pingInterval":18000,"pingTimeout":10000}]}}"#;
        assert_eq!(
            kucoin.websocket_url(body).unwrap(),
            "wss://ws-api-spot.kucoin.com/?token=2neAiuYvAU61&connectId=ftso-1"
        );
        assert_eq!(kucoin.keepalive().unwrap().interval_ms, 18_000);
        assert!(
            kucoin
                .websocket_url(br#"{"data":{"token":"x","instanceServers":[]}}"#)
                .is_err()
        );
    }

    #[test]
    fn parses_matches_in_nanoseconds_and_ignores_the_rest() {
        let mut plugin = ConnectorPlugin::<Kucoin>::with_symbols(&["BTC/USDT"]).unwrap();
        plugin.handle(Message::Text(
            r#"{"id":"hQvf8jkno","type":"welcome"}"#.into(),
        ));
        plugin.handle(Message::Text(r#"{"id":"ping","type":"pong"}"#.into()));
        plugin.handle(Message::Text(r#"{"type":"message","topic":"/market/match:BTC-USDT","subject":"trade.l3match","data":{"makerOrderId":"a","price":"37000.5","sequence":"1","side":"buy","size":"0.25","symbol":"BTC-USDT","takerOrderId":"b","time":"1700000000123456789","tradeId":"c","type":"match"}}"#.into()));
        let trades = take_published();
        assert_eq!(trades.len(), 1);
        assert_eq!(
            (trades[0].price, trades[0].quantity, trades[0].timestamp_ms),
            (37000.5, 0.25, 1_700_000_000_123)
        );
    }

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Kucoin::default();
        assert_eq!(
            connector
                .ticker_url("https://api.kucoin.com", "FLR-USDT")
                .as_deref(),
            Some("https://api.kucoin.com/api/v1/market/stats?symbol=FLR-USDT")
        );
        let body = br#"{"code":"200000","data":{"time":1700000000555,"symbol":"FLR-USDT","buy":"0.023","sell":"0.02302","changeRate":"0.01","changePrice":"0.0002","high":"0.0235","low":"0.0226","vol":"5000000","volValue":"115000","last":"0.02301","averagePrice":"0.0229","takerFeeRate":"0.001","makerFeeRate":"0.001","takerCoefficient":"1","makerCoefficient":"1"}}"#;
        let last = connector.parse_ticker("FLR-USDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("FLR-USDT", 0.02301, 0.0, 1_700_000_000_555)
        );
        assert!(connector.parse_ticker("FLR-USDT", br#"{"code":"200000","data":{"time":1700000000555,"symbol":"NOPE-USDT","buy":null,"sell":null,"last":null}}"#).is_none());
    }
}
