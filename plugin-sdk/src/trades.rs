//! Handing exchange trades to the host's price store (the `trades` capability).
//!
//! The host keeps the last price and the volume per (exchange, symbol) and computes each
//! feed's value from the sources configured for it; a connector only reports what it sees.
//! Outside a component (unit tests on the host target) published trades are kept in a
//! per-thread buffer that [`take_published`] empties.

pub use crate::bindings::flare::feeds::types::{Source, Trade};

/// Reports `trades` to the host. Never fails: the host ignores trades of markets no feed uses.
pub fn publish(trades: &[Trade]) {
    if trades.is_empty() {
        return;
    }
    #[cfg(target_arch = "wasm32")]
    {
        crate::bindings::flare::feeds::trades::publish(trades);
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        PUBLISHED.with_borrow_mut(|buffer| buffer.extend_from_slice(trades));
    }
}

#[cfg(not(target_arch = "wasm32"))]
std::thread_local! {
    static PUBLISHED: std::cell::RefCell<Vec<Trade>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The trades published on this thread since the last call (host target only, for tests).
#[cfg(not(target_arch = "wasm32"))]
pub fn take_published() -> Vec<Trade> {
    PUBLISHED.with_borrow_mut(std::mem::take)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_trades_are_buffered_outside_a_component() {
        let trade = Trade {
            exchange: "binance".into(),
            symbol: "BTC/USDT".into(),
            price: 1.0,
            quantity: 2.0,
            timestamp_ms: 3,
        };
        publish(&[]);
        publish(std::slice::from_ref(&trade));
        assert_eq!(take_published(), vec![trade]);
        assert!(take_published().is_empty());
    }
}
