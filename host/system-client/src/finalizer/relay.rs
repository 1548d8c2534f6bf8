//! Sending one finalization to the Relay (system-client §6.5): only when the Relay has no root for the
//! (protocol, round) yet; a selected finalizer sends without a dry run (the default gas limit when the estimate
//! fails), others after a dry run; an "Already relayed" revert is the end of it, not an error.

use alloy::primitives::{Address, B256};
use ftso_chain::tx::{Call, FALLBACK_GAS_LIMIT, GasLimit, SendOptions, TxSender};
use ftso_storage::{Finalization, FinalizationStatus};

use crate::fsp::FspReader;

/// The Relay's revert when the (protocol, round) is finalized already (`sc/Relay.sol:798`).
pub const ALREADY_RELAYED: &str = "Already relayed";

/// How one relay attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayOutcome {
    /// Our transaction finalized it.
    Relayed {
        /// The transaction.
        tx_hash: B256,
    },
    /// The Relay already had a root: nothing was sent.
    Skipped,
    /// Our transaction (or its dry run) reverted "Already relayed".
    AlreadyRelayed,
    /// The Relay refused it for another reason: not retried.
    Failed(String),
    /// Sending failed without a revert (RPC error, not mined): may be retried.
    Retry(String),
}

impl RelayOutcome {
    /// The status to store, `None` for [`RelayOutcome::Retry`].
    pub fn status(&self) -> Option<FinalizationStatus> {
        match self {
            RelayOutcome::Relayed { .. } => Some(FinalizationStatus::Relayed),
            RelayOutcome::Skipped | RelayOutcome::AlreadyRelayed => {
                Some(FinalizationStatus::AlreadyRelayed)
            }
            RelayOutcome::Failed(_) => Some(FinalizationStatus::Failed),
            RelayOutcome::Retry(_) => None,
        }
    }

    /// The `outcome` label of `ftso_node_finalizations_total`.
    pub fn label(&self) -> &'static str {
        match self {
            RelayOutcome::Relayed { .. } => "relayed",
            RelayOutcome::Skipped => "skipped",
            RelayOutcome::AlreadyRelayed => "already_relayed",
            RelayOutcome::Failed(_) | RelayOutcome::Retry(_) => "failed",
        }
    }
}

/// Sends `relay()` transactions from the signing-policy key (the reference's relay sender).
#[derive(Debug, Clone)]
pub struct Relayer {
    fsp: FspReader,
    sender: TxSender,
    options: SendOptions,
}

impl Relayer {
    /// A relayer sending with `sender` as `options` say (their gas rule is chosen per finalization).
    pub fn new(fsp: FspReader, sender: TxSender, options: SendOptions) -> Self {
        Self {
            fsp,
            sender,
            options,
        }
    }

    /// The chain reader (the Relay's address and state).
    pub fn fsp(&self) -> &FspReader {
        &self.fsp
    }

    /// The address relays are sent from: the finalizer selection is about this address.
    pub fn address(&self) -> Address {
        self.sender.address()
    }

    /// Relays `finalization` unless the Relay already has a root for its (protocol, round).
    pub async fn relay(&self, finalization: &Finalization) -> RelayOutcome {
        let (protocol, round) = (finalization.protocol_id, finalization.voting_round_id);
        match self.fsp.relayed_merkle_root(protocol, round).await {
            Ok(root) if root != B256::ZERO => return RelayOutcome::Skipped,
            Ok(_) => {}
            Err(error) => return RelayOutcome::Retry(format!("{error:#}")),
        }
        tracing::info!("Relaying for round {round} for protocol {protocol}");
        let gas = if finalization.selected {
            GasLimit::EstimateOr(FALLBACK_GAS_LIMIT)
        } else {
            GasLimit::Estimate
        };
        let call = Call::raw(self.fsp.contracts().relay, finalization.calldata.clone());
        match self
            .sender
            .send(&call, &self.options.clone().gas(gas))
            .await
        {
            Ok(receipt) => RelayOutcome::Relayed {
                tx_hash: receipt.transaction_hash,
            },
            Err(error) if error.reverted_with_any(&[ALREADY_RELAYED]) => {
                RelayOutcome::AlreadyRelayed
            }
            Err(error) if error.revert_reason().is_some() => {
                RelayOutcome::Failed(error.to_string())
            }
            Err(error) => RelayOutcome::Retry(error.to_string()),
        }
    }
}
