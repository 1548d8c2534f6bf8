//! Unified symbols (`BTC/USDT`) to exchange market ids and back.

use std::collections::HashMap;

use super::Connector;

/// The markets one connector serves: their ids in subscription order, and each id's unified
/// symbol.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketTable {
    ids: Vec<String>,
    unified: HashMap<String, String>,
}

impl MarketTable {
    /// Maps each `BASE/QUOTE` symbol through the connector's renames and market id format;
    /// malformed symbols and duplicates are skipped.
    pub fn build<C: Connector>(connector: &C, symbols: &[String]) -> Self {
        Self::map(C::RENAMES, symbols, |base, quote| {
            connector.market_id(base, quote)
        })
    }

    /// Maps each `BASE/QUOTE` symbol through `renames` (`(unified, exchange)` currency codes)
    /// and `market_id`; malformed symbols and duplicates are skipped.
    pub fn map(
        renames: &[(&str, &str)],
        symbols: &[String],
        market_id: impl Fn(&str, &str) -> String,
    ) -> Self {
        let mut table = Self::default();
        for symbol in symbols {
            let Some((base, quote)) = symbol.split_once('/') else {
                continue;
            };
            let id = market_id(rename(renames, base), rename(renames, quote));
            if !table.unified.contains_key(&id) {
                table.ids.push(id.clone());
                table.unified.insert(id, symbol.clone());
            }
        }
        table
    }

    /// The market ids, in the order the symbols were given.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// The unified symbol of a market id.
    pub fn unified(&self, id: &str) -> Option<&str> {
        self.unified.get(id).map(String::as_str)
    }

    /// Whether there are no markets.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// The exchange's code for a unified currency code.
fn rename<'a>(renames: &[(&str, &'a str)], code: &'a str) -> &'a str {
    renames
        .iter()
        .find(|(unified, _)| *unified == code)
        .map_or(code, |(_, exchange)| exchange)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Message;
    use crate::connector::{Frame, WireTrade};

    #[derive(Default)]
    struct Bitfinexish;

    impl Connector for Bitfinexish {
        const EXCHANGE: &'static str = "bitfinex";
        const URL: &'static str = "wss://example.test/ws";
        const RENAMES: &'static [(&'static str, &'static str)] = &[("USDT", "UST")];
        fn market_id(&self, base: &str, quote: &str) -> String {
            format!("t{base}{quote}")
        }
        fn subscribe(&mut self, _markets: &[String]) -> Vec<Message> {
            Vec::new()
        }
        fn parse(&mut self, _frame: Frame<'_>, _trades: &mut Vec<WireTrade>) -> Option<Message> {
            None
        }
    }

    #[test]
    fn renames_apply_both_ways() {
        let symbols = [
            "USDT/USD".to_owned(),
            "LEO/USD".to_owned(),
            "bad".to_owned(),
        ];
        let table = MarketTable::build(&Bitfinexish, &symbols);
        assert_eq!(table.ids(), ["tUSTUSD", "tLEOUSD"]);
        assert_eq!(table.unified("tUSTUSD"), Some("USDT/USD"));
        assert_eq!(table.unified("tUSDTUSD"), None);
    }
}
