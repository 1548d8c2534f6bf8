//! The indexer's error type, classified for retry.

use alloy::transports::{RpcError, TransportErrorKind};

/// Errors of the indexer.
#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
    /// A JSON-RPC call failed.
    #[error("rpc {method} failed")]
    Rpc {
        /// The JSON-RPC method.
        method: &'static str,
        /// The transport or node error.
        #[source]
        source: RpcError<TransportErrorKind>,
    },
    /// A JSON-RPC call did not answer within the per-attempt timeout.
    #[error("rpc {method} timed out")]
    Timeout {
        /// The JSON-RPC method.
        method: &'static str,
    },
    /// The node does not (yet) have a block we need.
    #[error("block {number} not available from the node")]
    MissingBlock {
        /// The block number.
        number: u64,
    },
    /// The node does not (yet) have a receipt we need.
    #[error("receipt of transaction {hash} not available from the node")]
    MissingReceipt {
        /// The transaction hash.
        hash: alloy_primitives::B256,
    },
    /// The storage failed.
    #[error("storage error")]
    Storage(#[from] ftso_storage::StorageError),
    /// A contract name could not be resolved through the registry.
    #[error("contract {name:?} is not registered in the contract registry")]
    UnresolvedName {
        /// The registry name.
        name: String,
    },
    /// The configuration is invalid.
    #[error("invalid indexer config: {0}")]
    Config(String),
}

impl IndexerError {
    /// Whether retrying the same call later may succeed: connection failures, timeouts, HTTP 429/5xx, a node that
    /// is behind (missing block/receipt), a busy or unreachable database. Node answers that reject the request
    /// (invalid params, reverts), bad configuration and unregistered names are not transient.
    pub fn is_transient(&self) -> bool {
        match self {
            IndexerError::Rpc { source, .. } => match source {
                RpcError::Transport(kind) => match kind {
                    TransportErrorKind::HttpError(http) => http.status == 429 || http.status >= 500,
                    TransportErrorKind::BackendGone | TransportErrorKind::Custom(_) => true,
                    _ => kind.is_retry_err(),
                },
                RpcError::ErrorResp(payload) => {
                    payload.is_retry_err() || matches!(payload.code, -32005 | -32603)
                }
                RpcError::NullResp => true,
                // A response that does not parse, an unsupported feature, a local serialisation bug: not transient.
                _ => false,
            },
            IndexerError::Timeout { .. }
            | IndexerError::MissingBlock { .. }
            | IndexerError::MissingReceipt { .. } => true,
            IndexerError::Storage(e) => e.is_transient(),
            IndexerError::UnresolvedName { .. } | IndexerError::Config(_) => false,
        }
    }
}

/// Result alias of this crate.
pub type Result<T, E = IndexerError> = std::result::Result<T, E>;
