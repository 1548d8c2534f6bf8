//! `bitget`: Bitget v2 public spot `trade` channel.
//!
//! Protocol (value-provider.md §5.1; Bitget "V2 WebSocket Public — Trade Channel"): one
//! subscribe with `{"instType":"SPOT","channel":"trade","instId":"BTCUSDT"}` args; pushes
//! `{"arg":{"instId"},"data":[{"ts","price","size"}]}`; the client sends the text `ping`
//! every 30 s and the server answers `pong`. Bitget calls Toncoin `TONCOIN` (ccxt's
//! `commonCurrencies` rename to `TON`): `TON/USDT` is the market `TONCOINUSDT`.

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

impl Connector for Bitget {
    const EXCHANGE: &'static str = "bitget";
    const URL: &'static str = "wss://ws.bitget.com/v2/ws/public";
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
}
