//! The reward-epoch duties (system-client digest §4–§5), each a check of the chain state followed, when due and
//! not done yet, by one transaction. Each is idempotent: the state is read first, and the contract's "already …"
//! reverts count as done, so running a duty twice sends nothing the second time.

mod registration;
mod rewards;
mod signing_policy;
pub(crate) mod telemetry;
mod uptime;

pub(crate) use registration::register_voter;
pub(crate) use rewards::{RewardAttempts, sign_rewards};
pub(crate) use signing_policy::sign_new_signing_policy;
pub(crate) use uptime::sign_uptime_vote;

use alloy::primitives::{Address, B256};
use ftso_chain::keys::PrivateKey;
use ftso_chain::tx::{Call, FeePolicy, GasLimit, SendOptions, TxError, TxSender};

use crate::config::SystemClientConfig;
use crate::fsp::FspReader;

/// The least gas limit of a duty transaction. The signature that reaches a threshold also stores the result (the
/// new policy's, uptime's or rewards' data) and costs more than the estimate made as an earlier signer, ×1.5 (the
/// four-node devnet test saw signRewards run out of gas); a higher limit costs nothing, only the gas used is paid.
const DUTY_GAS_FLOOR: u64 = 1_000_000;

/// What a duty did on one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to do now (the window is not open, or the node is not a voter where it would need to be).
    NotDue,
    /// Already done (on chain, by this node earlier or, for thresholds, by the other voters).
    AlreadyDone,
    /// A transaction was mined.
    Sent {
        /// Its hash.
        tx_hash: B256,
    },
}

/// What every duty needs: the chain reader, the node's identity and keys, the sender and the configuration.
#[derive(Debug)]
pub(crate) struct DutyContext {
    pub(crate) fsp: FspReader,
    pub(crate) identity: Address,
    pub(crate) signing_key: PrivateKey,
    pub(crate) sender: TxSender,
    pub(crate) chain_id: u64,
    pub(crate) config: SystemClientConfig,
}

impl DutyContext {
    /// [`Self::send`] for the duty named `duty` (the reference's name, e.g. `RegisterVoter`) of reward epoch
    /// `epoch`; a failure reads "`duty` failed for epoch `epoch`: …".
    pub(crate) async fn send_duty(
        &self,
        duty: &str,
        epoch: u32,
        call: Call,
        fees: &FeePolicy,
        already_done: &[&str],
    ) -> anyhow::Result<Outcome> {
        self.send(call, fees, already_done)
            .await
            .map_err(|error| anyhow::anyhow!("{duty} failed for epoch {epoch}: {error}"))
    }

    /// Sends `call` with `fees`; a revert containing one of `already_done` is [`Outcome::AlreadyDone`].
    pub(crate) async fn send(
        &self,
        call: Call,
        fees: &FeePolicy,
        already_done: &[&str],
    ) -> Result<Outcome, TxError> {
        let options = SendOptions::new(fees.clone())
            .gas(GasLimit::EstimateAtLeast(DUTY_GAS_FLOOR))
            .attempts(self.config.tx_attempts, self.config.tx_attempt_timeout);
        match self.sender.send(&call, &options).await {
            Ok(receipt) => Ok(Outcome::Sent {
                tx_hash: receipt.transaction_hash,
            }),
            Err(error) if error.reverted_with_any(already_done) => {
                tracing::debug!(%error, "already done");
                Ok(Outcome::AlreadyDone)
            }
            Err(error) => Err(error),
        }
    }
}

/// `v ‖ r ‖ s` as the contracts' `(uint8 v, bytes32 r, bytes32 s)` parts.
pub(crate) fn vrs(signature: &[u8; 65]) -> (u8, B256, B256) {
    (
        signature[0],
        B256::from_slice(&signature[1..33]),
        B256::from_slice(&signature[33..65]),
    )
}
