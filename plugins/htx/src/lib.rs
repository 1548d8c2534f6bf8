//! `htx`: HTX (Huobi) `market.<symbol>.trade.detail`, gzip-compressed frames.
//!
//! Protocol (value-provider.md §5.1; HTX "Websocket Market Data — Trade Detail"): one `sub`
//! per market; every frame is a gzip binary; the server sends `{"ping":<ts>}` and drops a
//! client that does not answer `{"pong":<ts>}`; trades arrive as `tick.data[]` with `price`,
//! `amount` and `ts`.

use ftso_plugin_sdk::connector::{Compression, Connector, ConnectorPlugin, Frame, WireTrade};
use ftso_plugin_sdk::{Message, de, export_plugin};
use serde::Deserialize;

/// The HTX connector.
#[derive(Debug, Default)]
pub struct Htx {
    request_id: u64,
}

#[derive(Deserialize)]
struct Push {
    ping: Option<u64>,
    ch: Option<String>,
    tick: Option<Tick>,
}

#[derive(Deserialize)]
struct Tick {
    data: Vec<Trade>,
}

#[derive(Deserialize)]
struct Trade {
    #[serde(deserialize_with = "de::f64_lenient")]
    price: f64,
    #[serde(deserialize_with = "de::f64_lenient")]
    amount: f64,
    ts: u64,
}

impl Connector for Htx {
    const EXCHANGE: &'static str = "htx";
    const URL: &'static str = "wss://api.huobi.pro/ws";
    const COMPRESSION: Compression = Compression::Gzip;

    fn market_id(&self, base: &str, quote: &str) -> String {
        format!("{base}{quote}").to_lowercase()
    }

    fn subscribe(&mut self, markets: &[String]) -> Vec<Message> {
        markets
            .iter()
            .map(|m| {
                self.request_id += 1;
                let message = serde_json::json!({"sub": format!("market.{m}.trade.detail"), "id": self.request_id.to_string()});
                Message::Text(message.to_string())
            })
            .collect()
    }

    fn parse(&mut self, frame: Frame<'_>, trades: &mut Vec<WireTrade>) -> Option<Message> {
        let push: Push = serde_json::from_str(frame.text()?).ok()?;
        if let Some(ping) = push.ping {
            return Some(Message::Text(format!(r#"{{"pong":{ping}}}"#)));
        }
        let market = push
            .ch
            .as_deref()?
            .strip_prefix("market.")?
            .strip_suffix(".trade.detail")?;
        for trade in push.tick?.data {
            trades.push(WireTrade {
                market: market.to_owned(),
                price: trade.price,
                quantity: trade.amount,
                timestamp_ms: trade.ts,
            });
        }
        None
    }
}

export_plugin!(ConnectorPlugin<Htx>);
