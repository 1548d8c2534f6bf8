//! Per-account metrics of the senders (label `address` = the sending address, checksummed; never a key).
//!
//! `ftso_node_transactions_total{address,outcome}`, `ftso_node_account_nonce{address}` (the next nonce),
//! `ftso_node_account_pending_transactions{address}` (broadcast, not yet settled) and
//! `ftso_node_account_balance_wei{address}` (polled, see [`super::Senders::record_balances`]).

use alloy::primitives::{Address, U256};

use super::TxError;

/// A send ended: `ftso_node_transactions_total{address,outcome}` with `outcome` "mined" or the error's kind.
pub(crate) fn sent<T>(address: Address, result: &Result<T, TxError>) {
    let outcome = match result {
        Ok(_) => "mined",
        Err(error) => outcome(error),
    };
    metrics::counter!(
        "ftso_node_transactions_total",
        "address" => address.to_string(),
        "outcome" => outcome
    )
    .increment(1);
}

/// The key's nonce sequence moved: the next nonce and the sends in flight.
pub(crate) fn nonces(address: Address, next: Option<u64>, in_flight: usize) {
    if let Some(next) = next {
        metrics::gauge!("ftso_node_account_nonce", "address" => address.to_string())
            .set(next as f64);
    }
    metrics::gauge!(
        "ftso_node_account_pending_transactions",
        "address" => address.to_string()
    )
    .set(in_flight as f64);
}

/// The account's balance, read from the node (a float: exact to about 16 significant digits).
pub(crate) fn balance(address: Address, wei: U256) {
    metrics::gauge!("ftso_node_account_balance_wei", "address" => address.to_string())
        .set(f64::from(wei));
}

/// The `outcome` label of a failed send.
fn outcome(error: &TxError) -> &'static str {
    match error {
        TxError::DeadlinePassed => "deadline_passed",
        TxError::Reverted { .. } => "reverted",
        TxError::NotMined { .. } => "not_mined",
        TxError::Expired { .. } => "expired",
        TxError::NonceTaken { .. } => "nonce_taken",
        TxError::Rpc { .. } => "rpc_error",
        TxError::Node(_) => "node_error",
        TxError::Build(_) => "build_error",
    }
}
