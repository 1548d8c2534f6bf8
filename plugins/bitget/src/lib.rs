//! `bitget`: Bitget v2 public spot `trade` channel.
//!
//! Protocol (value-provider.md §5.1; Bitget "V2 WebSocket Public — Trade Channel"): one
//! subscribe with `{"instType":"SPOT","channel":"trade","instId":"BTCUSDT"}` args; pushes
//! `{"arg":{"instId"},"data":[{"ts","price","size"}]}`; the client sends the text `ping`
//! every 30 s and the server answers `pong`. Bitget calls Toncoin `TONCOIN`: ccxt's bitget
//! (4.5.90) renames its `TONCOIN` to `TON` in `commonCurrencies`, and Bitget's own instrument
//! lists name the market `TONCOINUSDT`, so `TON/USDT` is `TONCOINUSDT` here and in REST.
//!
//! At start, a market without a trade gets its last price from
//! `GET /api/v2/spot/market/tickers?symbol=…` (`lastPr`, `ts`), as the reference's
//! `fetchTicker` fallback.

use ftso_plugin_sdk::connector::{Connector, ConnectorPlugin, Frame, Keepalive, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The Bitget connector.
#[derive(Debug, Default)]
pub struct Bitget;

#[derive(Deserialize)]
struct Push {
    arg: Arg,
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Arg {
    channel: String,
    #[serde(rename = "instId")]
    market: String,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    size: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    ts: u64,
}

/// `GET /api/v2/spot/market/tickers?symbol=…`: one ticker in `data`.
#[derive(Deserialize)]
struct TickerResponse {
    data: Vec<Ticker>,
}

#[derive(Deserialize)]
struct Ticker {
    #[serde(rename = "lastPr", deserialize_with = "de::f64_lenient")]
    last: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    ts: u64,
}

impl Connector for Bitget {
    const EXCHANGE: &'static str = "bitget";
    const URL: &'static str = "wss://ws.bitget.com/v2/ws/public";
    const REST_URL: &'static str = "https://api.bitget.com";
    const RENAMES: &'static [(&'static str, &'static str)] = &[("TON", "TONCOIN")];

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}")
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        let args: Vec<_> = markets
            .iter()
            .map(|m| serde_json::json!({"instType": "SPOT", "channel": "trade", "instId": m}))
            .collect();
        vec![Message::Text(
            serde_json::json!({"op": "subscribe", "args": args}).to_string(),
        )]
    }

    fn keepalive(&self) -> Option<Keepalive> {
        Some(Keepalive::text(30_000, "ping"))
    }

    fn ticker_url(&self, rest_base: &str, market: &str) -> Option<String> {
        Some(format!(
            "{rest_base}/api/v2/spot/market/tickers?symbol={market}"
        ))
    }

    fn parse_ticker(&self, market: &str, body: &[u8]) -> Option<WireTrade> {
        let response: TickerResponse = serde_json::from_slice(body).ok()?;
        let ticker = response.data.into_iter().next()?;
        Some(WireTrade::ticker(market, ticker.last, ticker.ts))
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if push.arg.channel != "trade" {
            return None;
        }
        let market = push.arg.market;
        trades.extend(push.data.into_iter().map(|t| WireTrade {
            market: market.clone(),
            price: t.price,
            quantity: t.size,
            timestamp_ms: t.ts,
        }));
        None
    }
}

export_plugin!(ConnectorPlugin<Bitget>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ton_is_toncoin_on_bitget() {
        let plugin = ConnectorPlugin::<Bitget>::with_symbols(&["TON/USDT", "BTC/USDT"]).unwrap();
        assert_eq!(plugin.markets().ids(), ["TONCOINUSDT", "BTCUSDT"]);
        assert_eq!(plugin.markets().unified("TONCOINUSDT"), Some("TON/USDT"));
    }

    #[test]
    fn the_startup_ticker_gives_the_last_price() {
        let connector = Bitget;
        assert_eq!(
            connector
                .ticker_url("https://api.bitget.com", "TONCOINUSDT")
                .as_deref(),
            Some("https://api.bitget.com/api/v2/spot/market/tickers?symbol=TONCOINUSDT")
        );
        let body = br#"{"code":"00000","msg":"success","requestTime":1700000000600,"data":[{"symbol":"TONCOINUSDT","high24h":"2.45","open":"2.38","lastPr":"2.412","low24h":"2.36","quoteVolume":"1234567.8","baseVolume":"512345.1","usdtVolume":"1234567.8","bidPr":"2.411","askPr":"2.413","bidSz":"120","askSz":"95","openUtc":"2.39","ts":"1700000000555","changeUtc24h":"0.0092","change24h":"0.0134"}]}"#;
        let last = connector.parse_ticker("TONCOINUSDT", body).unwrap();
        assert_eq!(
            (
                last.market.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("TONCOINUSDT", 2.412, 0.0, 1_700_000_000_555)
        );
        assert!(connector.parse_ticker("TONCOINUSDT", br#"{"code":"40034","msg":"Parameter TONUSDT does not exist","requestTime":1700000000600,"data":null}"#).is_none());
    }
}
