//! `upbit`: Upbit spot trades, for its USDT markets.
//!
//! Protocol (Upbit "WebSocket — Trade"): one request
//! `[{"ticket":…},{"type":"trade","codes":["USDT-BTC",…]},{"format":"DEFAULT"}]`; the server
//! answers in **binary** frames holding JSON
//! `{"type":"trade","code":"USDT-BTC","trade_price","trade_volume","trade_timestamp"}`; an
//! idle connection is closed after 120 s, so the client sends the text `PING` and gets
//! `{"status":"UP"}`. Markets are written quote first: `BTC/USDT` is `USDT-BTC`.
//!
//! At start, a market without a trade gets its last price from `GET /v1/ticker?markets=…`
//! (`trade_price`, `trade_timestamp`), as ccxt's `fetchTicker`.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, export_plugin};
use serde::Deserialize;

/// The Upbit connector.
#[derive(Debug, Default)]
pub struct Upbit {
    ticket: u64,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(rename = "type")]
    kind: String,
    code: String,
    trade_price: f64,
    trade_volume: f64,
    trade_timestamp: u64,
}

/// One row of `GET /v1/ticker?markets=…` (an array of one).
#[derive(Deserialize)]
struct Ticker {
    trade_price: f64,
    trade_timestamp: u64,
}

impl Connector for Upbit {
    const EXCHANGE: &'static str = "upbit";
    const URL: &'static str = "wss://api.upbit.com/websocket/v1";
    const REST_URL: &'static str = "https://api.upbit.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{quote}-{base}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        self.ticket += 1;
        let message = serde_json::json!([
            {"ticket": format!("ftso-node-{}", self.ticket)},
            {"type": "trade", "codes": markets},
            {"format": "DEFAULT"},
        ]);
        vec![Message::Text(message.to_string())]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(60_000, "PING"))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!("{rest_base}/v1/ticker?markets={market}"))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let tickers: Vec<Ticker> = serde_json::from_slice(body).ok()?;
        let ticker = tickers.into_iter().next()?;
        Some(WireTrade::ticker(
            market,
            ticker.trade_price,
            ticker.trade_timestamp,
        ))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let trade: Trade = serde_json::from_str(frame.text()?).ok()?;
        if trade.kind == "trade" {
            trades.push(WireTrade {
                market: trade.code,
                price: trade.trade_price,
                quantity: trade.trade_volume,
                timestamp_ms: trade.trade_timestamp,
            });
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Upbit>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn parses_binary_json_trades_with_quote_first_codes() {
        let mut plugin = ConnectorPlugin::<Upbit>::with_symbols(&["BTC/USDT"]).unwrap();
        assert_eq!(plugin.markets().ids(), ["USDT-BTC"]);
        plugin.handle(Message::Binary(br#"{"status":"UP"}"#.to_vec()));
        plugin.handle(Message::Binary(br#"{"type":"trade","code":"USDT-BTC","timestamp":1700000000130,"trade_date":"2023-11-14","trade_time":"22:13:20","trade_timestamp":1700000000123,"trade_price":37003.2,"trade_volume":0.0031,"ask_bid":"BID","prev_closing_price":36500.0,"change":"RISE","change_price":503.2,"sequential_id":17000000001230000,"stream_type":"REALTIME"}"#.to_vec()));
        let trades = take_published();
        assert_eq!(
            (
                trades[0].symbol.as_str(),
                trades[0].price,
                trades[0].quantity,
                trades[0].timestamp_ms
            ),
            ("BTC/USDT", 37003.2, 0.0031, 1_700_000_000_123)
        );
    }

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Upbit::default();
        assert_eq!(
            connector
                .ticker_url("https://api.upbit.com", "USDT-BTC")
                .as_deref(),
            Some("https://api.upbit.com/v1/ticker?markets=USDT-BTC")
        );
        let body = br#"[{"market":"USDT-BTC","trade_date":"20231114","trade_time":"221320","trade_date_kst":"20231115","trade_time_kst":"071320","trade_timestamp":1700000000555,"opening_price":36900.0,"high_price":37300.0,"low_price":36800.0,"trade_price":37005.5,"prev_closing_price":36950.0,"change":"RISE","change_price":55.5,"change_rate":0.0015,"signed_change_price":55.5,"signed_change_rate":0.0015,"trade_volume":0.0012,"acc_trade_price":123456.7,"acc_trade_price_24h":234567.8,"acc_trade_volume":3.3,"acc_trade_volume_24h":6.4,"timestamp":1700000000600}]"#;
        let last = connector.parse_ticker("USDT-BTC", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("USDT-BTC", 37005.5, 0.0, 1_700_000_000_555)
        );
        assert!(
            connector
                .parse_ticker(
                    "USDT-BTC",
                    br#"{"error":{"name":404,"message":"Code not found"}}"#
                )
                .is_none()
        );
    }
}
