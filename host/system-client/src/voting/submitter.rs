//! [`Submitter`]: one step's transaction to the Submission contract (submit1, submit2 or submitSignatures with
//! their payloads appended), sent by the step's key, dropped rather than sent after its validity window; every
//! outcome logged as the reference's milestones and counted.

use std::fmt;
use std::time::Duration;

use alloy::primitives::{Address, B256};
use ftso_chain::tx::{Call, Deadline, FeePolicy, SendOptions, TxError, TxSender};

use super::clock::Clock;

/// A step of a voting round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// The commit.
    Submit1,
    /// The reveal.
    Submit2,
    /// The signature of the round's result.
    SubmitSignatures,
}

impl Step {
    /// The metric label.
    pub fn label(self) -> &'static str {
        match self {
            Step::Submit1 => "submit1",
            Step::Submit2 => "submit2",
            Step::SubmitSignatures => "submit_signatures",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Submit1 => "submit1",
            Step::Submit2 => "submit2",
            Step::SubmitSignatures => "submitSignatures",
        })
    }
}

/// What a step's transaction came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Mined successfully.
    Sent {
        /// The transaction hash.
        tx_hash: B256,
    },
    /// Not sent: nothing to send (no protocol answered, or every answer was `EMPTY`).
    Skipped,
    /// Dropped because its validity window had ended, before sending or before it was mined.
    Late,
    /// Sending failed (revert, RPC, not mined).
    Failed,
}

impl Outcome {
    /// The metric label.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Sent { .. } => "sent",
            Outcome::Skipped => "skipped",
            Outcome::Late => "late",
            Outcome::Failed => "failed",
        }
    }
}

/// Counts `outcome` of `step` for each protocol in `protocols` (`ftso_node_voting_submissions_total`).
pub fn count(step: Step, protocols: &[u8], outcome: Outcome) {
    for protocol in protocols {
        metrics::counter!(
            "ftso_node_voting_submissions_total",
            "protocol" => protocol.to_string(),
            "step" => step.label(),
            "outcome" => outcome.label()
        )
        .increment(1);
    }
}

/// Sends one step's transactions.
#[derive(Debug, Clone)]
pub struct Submitter {
    /// The step.
    pub step: Step,
    /// The key's sender (shared with the node's other roles).
    pub sender: TxSender,
    /// The Submission contract.
    pub submission: Address,
    /// Fees (`gas_submit`).
    pub fees: FeePolicy,
    /// Broadcasts per transaction.
    pub tx_attempts: u32,
    /// Wait for a receipt before a replacement.
    pub tx_attempt_timeout: Duration,
    /// The scheduler's clock (deadlines are converted to local time).
    pub clock: Clock,
}

impl Submitter {
    /// Sends `calldata` for `round` on behalf of `protocols`, valid until unix second `valid_until`. A calldata
    /// of only the selector is not sent ([`Outcome::Skipped`]), as the reference.
    pub async fn send(
        &self,
        round: u32,
        calldata: Vec<u8>,
        protocols: &[u8],
        valid_until: u64,
    ) -> Outcome {
        let step = self.step;
        if calldata.len() <= 4 {
            tracing::info!(round, "submitter {step}: nothing to send");
            return Outcome::Skipped;
        }
        let options = SendOptions::new(self.fees.clone())
            .attempts(self.tx_attempts, self.tx_attempt_timeout)
            .deadline(Deadline::At(self.clock.local_time_of(valid_until)));
        let call = Call::raw(self.submission, calldata);
        match self.sender.send(&call, &options).await {
            Ok(receipt) => {
                let tx_hash = receipt.transaction_hash;
                tracing::info!(round, %tx_hash, ?protocols, "submitter {step} submitted tx");
                Outcome::Sent { tx_hash }
            }
            Err(error @ (TxError::DeadlinePassed | TxError::Expired { .. })) => {
                tracing::warn!(round, "submitter {step}: too late, dropped: {error}");
                Outcome::Late
            }
            Err(error) => {
                tracing::error!(round, "submitter {step} unsuccessful tx: {error}");
                Outcome::Failed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A submitter whose RPC nobody serves: only the paths that decide before sending can succeed.
    fn offline_submitter() -> Submitter {
        ftso_feeds::install_crypto_provider();
        let provider = alloy::providers::Provider::erased(
            alloy::providers::ProviderBuilder::new()
                .connect_http("http://127.0.0.1:9".parse().unwrap()),
        );
        let key = ftso_chain::keys::PrivateKey::from(
            alloy::signers::local::PrivateKeySigner::from_bytes(&B256::repeat_byte(0x44)).unwrap(),
        );
        Submitter {
            step: Step::Submit2,
            sender: TxSender::new(provider, &key, 1),
            submission: Address::ZERO,
            fees: FeePolicy::default(),
            tx_attempts: 1,
            tx_attempt_timeout: Duration::from_secs(1),
            clock: Clock::local(),
        }
    }

    #[tokio::test]
    async fn a_selector_alone_is_skipped_and_a_passed_window_is_late() {
        let submitter = offline_submitter();
        let selector = ftso_core::payload::SUBMIT2_SELECTOR.to_vec();
        let far = submitter.clock.now_secs() + 3600;
        assert_eq!(
            submitter.send(7, selector.clone(), &[], far).await,
            Outcome::Skipped
        );
        let mut calldata = selector;
        calldata.extend_from_slice(&[100, 0, 0, 0, 7, 0, 0]);
        let ended = submitter.clock.now_secs() - 1;
        assert_eq!(
            submitter.send(7, calldata.clone(), &[100], ended).await,
            Outcome::Late
        );
        // Within its window, the unreachable RPC makes it a failure, not a late drop.
        assert_eq!(
            submitter.send(7, calldata, &[100], far).await,
            Outcome::Failed
        );
    }
}
