//! `trades`: connector plugins hand exchange trades to the host's price store.

use crate::{bindings::trades, bindings::types::Trade, sandbox::PluginState};

impl trades::Host for PluginState {
    fn publish(&mut self, trades: Vec<Trade>) -> wasmtime::Result<()> {
        let store = self.caps.prices.store();
        let mut taken = 0usize;
        for trade in &trades {
            taken += usize::from(store.record(
                &trade.exchange,
                &trade.symbol,
                trade.price,
                trade.quantity,
                trade.timestamp_ms,
            ));
        }
        self.caps
            .activity
            .published(&self.caps.plugin, taken, trades.len() - taken);
        if taken < trades.len() {
            tracing::trace!(
                plugin = %self.caps.plugin,
                taken,
                ignored = trades.len() - taken,
                "trades outside the feed table or with invalid numbers ignored"
            );
        }
        Ok(())
    }
}
