//! The price store: per (exchange, symbol) the last trade's price and time and the traded
//! volume, fed by connector plugins through the `trades` capability (the reference's
//! `latestPrice` map and `VolumeStore`s, ccxt-provider-service.ts).

use std::{
    collections::HashMap,
    sync::{
        Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
};

use super::{
    table::SourceId,
    volume::{VolumeRing, WindowTooLong},
};

/// The last trade of a source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastPrice {
    /// Price in the quote currency.
    pub price: f64,
    /// Amount traded, in the base currency.
    pub quantity: f64,
    /// The exchange's trade time, ms since the Unix epoch.
    pub timestamp_ms: u64,
}

#[derive(Debug, Default)]
struct SourceState {
    last: Option<LastPrice>,
    volume: VolumeRing,
    trades: u64,
    /// Trades with a quantity: a source with none (only ticker prices) has no volume store,
    /// as in the reference, where the REST fallback feeds no volume.
    traded_volume: bool,
}

/// What the store knows about one source (admin listing, tests).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SourceStatus {
    /// `exchange:symbol`.
    pub source: String,
    /// Trades taken in since start.
    pub trades: u64,
    /// The last price, if any.
    pub last_price: Option<f64>,
    /// The last trade's time, ms since the Unix epoch.
    pub last_trade_ms: Option<u64>,
}

/// The store; its set of sources is fixed at construction (the configured ones), so a plugin
/// cannot grow it.
#[derive(Debug, Default)]
pub struct PriceStore {
    by_exchange: HashMap<String, HashMap<String, Mutex<SourceState>>>,
    ignored: AtomicU64,
}

fn lock(state: &Mutex<SourceState>) -> MutexGuard<'_, SourceState> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl PriceStore {
    /// A store for `sources`.
    pub fn new<'a>(sources: impl IntoIterator<Item = &'a SourceId>) -> Self {
        let mut by_exchange: HashMap<String, HashMap<String, Mutex<SourceState>>> = HashMap::new();
        for source in sources {
            by_exchange
                .entry(source.exchange.clone())
                .or_default()
                .entry(source.symbol.clone())
                .or_default();
        }
        Self {
            by_exchange,
            ignored: AtomicU64::new(0),
        }
    }

    fn state(&self, exchange: &str, symbol: &str) -> Option<&Mutex<SourceState>> {
        self.by_exchange.get(exchange)?.get(symbol)
    }

    /// Takes in one trade. The price is that of the latest trade by exchange time (a trade
    /// older than the stored one only counts for volume, which itself drops trades older than
    /// its last). Returns `false` for an unknown source or a price that is not a positive
    /// finite number (counted in [`ignored`](Self::ignored)).
    pub fn record(
        &self,
        exchange: &str,
        symbol: &str,
        price: f64,
        quantity: f64,
        timestamp_ms: u64,
    ) -> bool {
        let valid = price.is_finite() && price > 0.0 && quantity.is_finite() && quantity >= 0.0;
        let Some(state) = self.state(exchange, symbol).filter(|_| valid) else {
            self.ignored.fetch_add(1, Ordering::Relaxed);
            return false;
        };
        let mut state = lock(state);
        state.trades += 1;
        if state
            .last
            .is_none_or(|last| timestamp_ms >= last.timestamp_ms)
        {
            state.last = Some(LastPrice {
                price,
                quantity,
                timestamp_ms,
            });
        }
        state.traded_volume |= quantity > 0.0;
        state.volume.add(timestamp_ms, price * quantity);
        true
    }

    /// The last trade of a source.
    pub fn last(&self, source: &SourceId) -> Option<LastPrice> {
        lock(self.state(&source.exchange, &source.symbol)?).last
    }

    /// A source's volume (quote currency) over `window_s` seconds; `Ok(None)` when it has had
    /// no trade with a quantity (the reference has no store for it then).
    pub fn volume(
        &self,
        source: &SourceId,
        window_s: u64,
        now_ms: u64,
    ) -> Result<Option<f64>, WindowTooLong> {
        let Some(state) = self.state(&source.exchange, &source.symbol) else {
            return Ok(None);
        };
        let state = lock(state);
        if !state.traded_volume {
            return Ok(None);
        }
        state.volume.volume(window_s, now_ms).map(Some)
    }

    /// Trades refused since start (unknown source or invalid numbers).
    pub fn ignored(&self) -> u64 {
        self.ignored.load(Ordering::Relaxed)
    }

    /// Every source's state, sorted by `exchange:symbol`.
    pub fn status(&self) -> Vec<SourceStatus> {
        let mut out: Vec<SourceStatus> = self
            .by_exchange
            .iter()
            .flat_map(|(exchange, symbols)| {
                symbols.iter().map(move |(symbol, state)| {
                    let state = lock(state);
                    SourceStatus {
                        source: format!("{exchange}:{symbol}"),
                        trades: state.trades,
                        last_price: state.last.map(|l| l.price),
                        last_trade_ms: state.last.map(|l| l.timestamp_ms),
                    }
                })
            })
            .collect();
        out.sort_by(|a, b| a.source.cmp(&b.source));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn btc() -> SourceId {
        SourceId::new("binance", "BTC/USDT")
    }

    #[test]
    fn keeps_the_latest_trade_by_exchange_time() {
        let store = PriceStore::new([&btc()]);
        assert!(store.record("binance", "BTC/USDT", 100.0, 1.0, 2_000));
        assert!(store.record("binance", "BTC/USDT", 99.0, 1.0, 1_000));
        assert_eq!(
            store.last(&btc()),
            Some(LastPrice {
                price: 100.0,
                quantity: 1.0,
                timestamp_ms: 2_000
            })
        );
        assert!(store.record("binance", "BTC/USDT", 101.0, 1.0, 2_000));
        assert_eq!(store.last(&btc()).map(|l| l.price), Some(101.0));
    }

    #[test]
    fn a_source_with_only_ticker_prices_has_no_volume() {
        let store = PriceStore::new([&btc()]);
        store.record("binance", "BTC/USDT", 100.0, 0.0, 1_000);
        assert!(store.last(&btc()).is_some());
        assert_eq!(store.volume(&btc(), 60, 5_000), Ok(None));
        store.record("binance", "BTC/USDT", 100.0, 2.0, 2_000);
        // The last trade's second is excluded (§3.9): a later trade brings the first in.
        store.record("binance", "BTC/USDT", 100.0, 1.0, 4_000);
        assert_eq!(store.volume(&btc(), 60, 5_000), Ok(Some(200.0)));
    }

    #[test]
    fn refuses_unknown_sources_and_bad_numbers() {
        let store = PriceStore::new([&btc()]);
        assert!(!store.record("okx", "BTC/USDT", 100.0, 1.0, 1));
        assert!(!store.record("binance", "ETH/USDT", 100.0, 1.0, 1));
        assert!(!store.record("binance", "BTC/USDT", f64::NAN, 1.0, 1));
        assert!(!store.record("binance", "BTC/USDT", 0.0, 1.0, 1));
        assert!(!store.record("binance", "BTC/USDT", 1.0, -1.0, 1));
        assert_eq!(store.ignored(), 5);
        assert_eq!(store.last(&btc()), None);
        assert_eq!(store.volume(&btc(), 60, 10_000), Ok(None));
    }
}
