//! One key's nonce sequence, kept locally so concurrent sends from one key get consecutive nonces.
//!
//! The sequence is (re)read from the node when it is unknown or stale (after a send whose fate is unclear). With
//! no send of ours in flight it is read at `latest`, so a transaction left pending by an earlier attempt (or an
//! earlier run) is replaced by the next send, as the reference's raw path does; with sends in flight it is read at
//! `pending`, so theirs are not replaced.

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::Address;
use alloy::providers::{DynProvider, Provider};

use super::error::TxError;

/// The next nonce to use and the number of broadcast, not yet settled sends.
#[derive(Debug, Default)]
pub(crate) struct NonceSequence {
    next: Option<u64>,
    in_flight: usize,
}

impl NonceSequence {
    /// The nonce the next broadcast uses, reading it from the node when unknown.
    pub(crate) async fn current(
        &mut self,
        provider: &DynProvider,
        address: Address,
    ) -> Result<u64, TxError> {
        if let Some(next) = self.next {
            return Ok(next);
        }
        let tag = if self.in_flight == 0 {
            BlockNumberOrTag::Latest
        } else {
            BlockNumberOrTag::Pending
        };
        let next = provider
            .get_transaction_count(address)
            .block_id(tag.into())
            .await
            .map_err(TxError::rpc("eth_getTransactionCount"))?;
        self.next = Some(next);
        Ok(next)
    }

    /// `nonce` was broadcast: the next send uses the one after, and one more send is in flight.
    pub(crate) fn broadcast(&mut self, nonce: u64) {
        self.next = Some(nonce + 1);
        self.in_flight += 1;
    }

    /// A broadcast send has settled (mined, or given up).
    pub(crate) fn settled(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// The nonce the next send uses, if known.
    pub(crate) fn next(&self) -> Option<u64> {
        self.next
    }

    /// Broadcast sends not yet settled.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// The local sequence may be wrong: read it from the node before the next send.
    pub(crate) fn mark_stale(&mut self) {
        self.next = None;
    }
}
