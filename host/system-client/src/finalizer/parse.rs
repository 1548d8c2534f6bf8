//! A submitSignatures transaction from the indexer database, parsed as the reference finalizer does
//! (system-client §6.3): a framing error skips the whole transaction, a malformed payload only itself.

use alloy::primitives::Address;
use ftso_core::submit_signatures::{SignaturePayload, decode_submit_signatures_calldata};
use ftso_storage::TransactionRow;

/// The signature payloads of one transaction, with what is needed to account for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedSignatures {
    /// The transaction's sender (only used for the one-submission-per-sender cap).
    pub from: Address,
    /// The block that holds it (the finalizer's cursor position).
    pub block_number: u64,
    /// Every well-formed payload, in calldata order.
    pub payloads: Vec<SignaturePayload>,
}

/// Why a whole transaction is skipped.
#[derive(Debug, thiserror::Error)]
pub enum SkippedTransaction {
    /// A stored column is not in the reference encoding.
    #[error("stored row is malformed: {0}")]
    Row(#[from] ftso_storage::StorageError),
    /// The calldata framing is broken (truncated PayloadMessage, missing selector).
    #[error("{0}")]
    Framing(#[from] ftso_core::submit_signatures::SubmitSignaturesError),
}

/// Parses `row`; payloads that do not decode are dropped with a DEBUG line.
pub fn parse_submit_signatures(
    row: &TransactionRow,
) -> Result<SubmittedSignatures, SkippedTransaction> {
    let input = row.input_bytes()?;
    let from = row.from()?;
    let mut payloads = Vec::new();
    for (position, payload) in decode_submit_signatures_calldata(&input)?
        .into_iter()
        .enumerate()
    {
        match payload {
            Ok(payload) => payloads.push(payload),
            Err(error) => {
                tracing::debug!(tx = %row.hash, position, %error, "signature payload skipped")
            }
        }
    }
    Ok(SubmittedSignatures {
        from,
        block_number: row.block_number,
        payloads,
    })
}
