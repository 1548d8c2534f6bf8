//! `bitrue`: Bitrue spot trades, polled over REST (Bitrue offers no public websocket trade
//! stream that ccxt supports).
//!
//! Protocol (value-provider.md §3.4 path C; Bitrue spot API "Recent trades list"): every
//! second `GET <url>/api/v1/trades?symbol=XDCUSDT` returns the recent trades as
//! `[{"id","price","qty","time","isBuyerMaker"}]`, prices and quantities as strings, `time`
//! in ms.
//!
//! No startup ticker fallback (value-provider.md §3.8) is needed: the first poll, at the first
//! tick, returns each market's most recent trades however old they are, so every market has a
//! price from the start, as a websocket connector gets from its ticker. The REST host is ccxt's
//! (`https://www.bitrue.com/api` + `v1/trades`, ccxt 4.5.90).

use ftso_plugin_sdk::connector::{Poller, PollingPlugin, WireTrade};
use ftso_plugin_sdk::{de, export_plugin};
use serde::Deserialize;

/// The Bitrue poller.
#[derive(Debug, Default)]
pub struct Bitrue;

#[derive(Deserialize)]
struct Trade {
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    qty: f64,
    #[serde(deserialize_with = "de::u64_lenient")]
    time: u64,
}

impl Poller for Bitrue {
    const EXCHANGE: &'static str = "bitrue";
    const URL: &'static str = "https://www.bitrue.com";

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}")
    }

    fn request_url(&self, base_url: &str, market: &str) -> String {
        format!(
            "{}/api/v1/trades?symbol={market}",
            base_url.trim_end_matches('/')
        )
    }

    fn parse(
        &mut self,
        market: &str,
        body: &[u8],
        trades: &mut Vec<WireTrade>,
    ) -> Result<(), String> {
        let rows: Vec<Trade> =
            serde_json::from_slice(body).map_err(|e| format!("bad trades body: {e}"))?;
        trades.extend(rows.into_iter().map(|t| WireTrade {
            market: market.to_owned(),
            price: t.price,
            quantity: t.qty,
            timestamp_ms: t.time,
        }));
        Ok(())
    }
}

export_plugin!(PollingPlugin<Bitrue>);

#[cfg(test)]
mod tests {
    use ftso_plugin_sdk::trades::take_published;

    use super::*;

    #[test]
    fn parses_the_recent_trades_list() {
        let mut plugin = PollingPlugin::<Bitrue>::with_symbols(&["XDC/USDT"]).unwrap();
        assert_eq!(
            Bitrue.request_url("https://www.bitrue.com/", "XDCUSDT"),
            "https://www.bitrue.com/api/v1/trades?symbol=XDCUSDT"
        );
        let body = br#"[{"id":28457,"price":"0.05012","qty":"1200.5","time":1700000000500,"isBuyerMaker":true,"isBestMatch":true},{"id":28456,"price":"0.05010","qty":"10","time":1700000000400,"isBuyerMaker":false,"isBestMatch":true}]"#;
        assert_eq!(plugin.handle_body(0, body), Ok(2));
        let last = take_published().pop().unwrap();
        assert_eq!(
            (
                last.symbol.as_str(),
                last.price,
                last.quantity,
                last.timestamp_ms
            ),
            ("XDC/USDT", 0.05012, 1200.5, 1_700_000_000_500)
        );
    }
}
