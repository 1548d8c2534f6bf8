//! Why a send failed, and the revert reason a contract gave.

use alloy::primitives::{B256, Bytes};
use alloy::transports::TransportError;
use alloy_sol_types::{Revert, SolError};

/// Why a transaction was not (successfully) mined. Never contains key material.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// The deadline had passed before the transaction was sent: it was dropped, not sent late.
    #[error("deadline passed before sending: dropped")]
    DeadlinePassed,
    /// The contract reverted: at estimation (the reference's dry run; nothing was sent) or in a mined
    /// transaction (`tx_hash`).
    #[error("reverted: {reason}")]
    Reverted {
        /// The decoded `Error(string)` reason, or the node's error text when the revert carries none.
        reason: String,
        /// The mined transaction, when the revert happened on chain.
        tx_hash: Option<B256>,
    },
    /// Sent, replaced with bumped fees `attempts` times, and still not mined.
    #[error("nonce {nonce}: not mined after {attempts} attempt(s)")]
    NotMined {
        /// The nonce all attempts used.
        nonce: u64,
        /// How many transactions were broadcast.
        attempts: u32,
        /// Their hashes, first to last.
        hashes: Vec<B256>,
    },
    /// Sent, but the deadline passed before it was mined; no further replacement was sent.
    #[error("nonce {nonce}: deadline passed before the transaction was mined")]
    Expired {
        /// The nonce.
        nonce: u64,
        /// The hashes broadcast.
        hashes: Vec<B256>,
    },
    /// The nonce was taken by another transaction of the same key (another process using the key?).
    #[error("nonce {nonce} was used by a transaction this sender did not send")]
    NonceTaken {
        /// The nonce.
        nonce: u64,
    },
    /// A JSON-RPC call failed.
    #[error("{operation}: {source}")]
    Rpc {
        /// What was being done (`eth_estimateGas`, `eth_sendRawTransaction`, ...).
        operation: &'static str,
        /// The transport or node error.
        source: TransportError,
    },
    /// The node's answer was unusable.
    #[error("{0}")]
    Node(String),
    /// Building or signing the transaction failed.
    #[error("building the transaction: {0}")]
    Build(String),
}

impl TxError {
    /// The revert reason, if the contract reverted.
    pub fn revert_reason(&self) -> Option<&str> {
        match self {
            TxError::Reverted { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// Whether the contract reverted with a reason containing one of `needles` (the reference matches revert
    /// reasons as substrings, e.g. "already registered").
    pub fn reverted_with_any(&self, needles: &[&str]) -> bool {
        self.revert_reason()
            .is_some_and(|reason| needles.iter().any(|needle| reason.contains(needle)))
    }

    pub(crate) fn rpc(operation: &'static str) -> impl FnOnce(TransportError) -> TxError {
        move |source| TxError::Rpc { operation, source }
    }
}

/// The revert carried by a node's error answer (`eth_estimateGas`, `eth_call`), or `None` when the error is not
/// a revert. The reason is the decoded `Error(string)` when the data carries one, else the node's message.
pub(crate) fn revert_of(error: &TransportError) -> Option<String> {
    let payload = error.as_error_resp()?;
    let message = payload.message.as_ref();
    let data = payload.as_revert_data();
    if !message.contains("revert") && data.is_none() {
        return None;
    }
    Some(
        data.and_then(|d| decode_reason(&d))
            .unwrap_or_else(|| message.to_string()),
    )
}

/// Decodes `Error(string)` revert data.
pub(crate) fn decode_reason(data: &Bytes) -> Option<String> {
    Revert::abi_decode(data).ok().map(|revert| revert.reason)
}

/// The node rejected a transaction because its nonce is already used.
pub(crate) fn is_nonce_too_low(error: &TransportError) -> bool {
    error_text(error).contains("nonce too low")
}

/// The node already holds exactly this transaction.
pub(crate) fn is_already_known(error: &TransportError) -> bool {
    let text = error_text(error);
    text.contains("already known") || text.contains("already imported")
}

/// The node refused a replacement whose fees are not high enough.
pub(crate) fn is_underpriced(error: &TransportError) -> bool {
    error_text(error).contains("underpriced")
}

fn error_text(error: &TransportError) -> String {
    match error.as_error_resp() {
        Some(payload) => payload.message.to_lowercase(),
        None => error.to_string().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_error_string_reason() {
        let data = Revert::from("already registered").abi_encode();
        assert_eq!(
            decode_reason(&Bytes::from(data)).as_deref(),
            Some("already registered")
        );
        assert_eq!(decode_reason(&Bytes::from_static(&[1, 2, 3])), None);
    }

    #[test]
    fn substring_matching_as_the_reference() {
        let error = TxError::Reverted {
            reason: "voter already signed".into(),
            tx_hash: None,
        };
        assert!(error.reverted_with_any(&["rewards hash already signed", "voter already signed"]));
        assert!(!error.reverted_with_any(&["Already relayed"]));
        assert!(!TxError::DeadlinePassed.reverted_with_any(&[""]));
    }
}
