//! The signing policies the finalizer recovers signers against, read from the Relay's `SigningPolicyInitialized`
//! events in the indexer database (system-client §6.1–6.2), and the Relay's timing and threshold rules.

use alloy::primitives::Address;
use alloy_sol_types::SolEvent;
use ftso_chain::IRelay;
use ftso_core::epoch::EpochSettings;
use ftso_core::relay::effective_threshold;
use ftso_core::signing_policy::{PolicyStore, SigningPolicy};
use ftso_storage::{LogRow, Storage, StorageError, TimeWindow};

use super::collect::RoundPolicy;

/// What the finalizer needs from `Relay.stateData()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayRules {
    /// The voting-round and reward-epoch schedule.
    pub epochs: EpochSettings,
    /// How much the threshold rises for a round past its policy's expected end.
    pub threshold_increase_bips: u16,
}

impl RelayRules {
    /// The rules from `Relay.stateData()`.
    pub fn from_state(state: &IRelay::stateDataReturn) -> Self {
        Self {
            epochs: EpochSettings {
                first_voting_round_start_ts: u64::from(state.firstVotingRoundStartTs),
                voting_epoch_duration_seconds: u64::from(state.votingEpochDurationSeconds),
                first_reward_epoch_start_voting_round_id: state.firstRewardEpochStartVotingRoundId,
                reward_epoch_duration_in_voting_epochs: u32::from(
                    state.rewardEpochDurationInVotingEpochs,
                ),
                reveal_deadline_seconds: 0,
            },
            threshold_increase_bips: state.thresholdIncreaseBIPS,
        }
    }
}

/// Consecutive signing policies from the indexed events.
#[derive(Debug)]
pub struct Policies {
    relay: Address,
    rules: RelayRules,
    store: PolicyStore,
    /// Block time from which the next refresh reads (inclusive: events at the same time are read again and
    /// skipped by epoch).
    read_from: u64,
}

impl Policies {
    /// Policies of `relay` initialized at `read_from` (unix seconds) or later.
    pub fn new(relay: Address, rules: RelayRules, read_from: u64) -> Self {
        Self {
            relay,
            rules,
            store: PolicyStore::new(),
            read_from,
        }
    }

    /// The Relay's rules.
    pub fn rules(&self) -> &RelayRules {
        &self.rules
    }

    /// Reads newly indexed policies; returns how many were added. A policy that does not follow the last one is
    /// skipped with a WARN (the reference exits at start-up and warns later).
    pub async fn refresh(&mut self, storage: &Storage) -> Result<usize, StorageError> {
        let rows = storage
            .logs_in_time(
                self.relay,
                IRelay::SigningPolicyInitialized::SIGNATURE_HASH,
                TimeWindow {
                    from: self.read_from,
                    to: u64::MAX,
                },
            )
            .await?;
        let mut added = 0;
        for row in &rows {
            self.read_from = self.read_from.max(row.timestamp);
            let policy = match decode(row) {
                Ok(policy) => policy,
                Err(error) => {
                    tracing::warn!(block = row.block_number, %error, "SigningPolicyInitialized does not decode");
                    continue;
                }
            };
            if self
                .store
                .last()
                .is_some_and(|last| last.reward_epoch_id >= policy.reward_epoch_id)
            {
                continue;
            }
            let epoch = policy.reward_epoch_id;
            match self.store.add(policy) {
                Ok(()) => {
                    added += 1;
                    tracing::info!(reward_epoch = epoch, "finalizer: signing policy loaded");
                }
                Err(error) => {
                    tracing::warn!(reward_epoch = epoch, %error, "finalizer: signing policy skipped")
                }
            }
        }
        Ok(added)
    }

    /// The policy of `voting_round_id` and its threshold: the Relay's raised threshold when the round is past
    /// the expected end of the last known policy's epoch. `None` when no policy covers the round.
    pub fn for_round(&self, voting_round_id: u32) -> Option<RoundPolicy> {
        let policy = self.store.for_voting_round(voting_round_id)?;
        let epochs = &self.rules.epochs;
        let expected_end = u64::from(epochs.first_reward_epoch_start_voting_round_id)
            + u64::from(epochs.reward_epoch_duration_in_voting_epochs)
                * (u64::from(policy.reward_epoch_id) + 1);
        let raised = self.store.is_last(policy) && u64::from(voting_round_id) >= expected_end;
        Some(RoundPolicy {
            threshold: effective_threshold(
                policy.threshold,
                raised,
                self.rules.threshold_increase_bips,
            ),
            policy: policy.clone(),
        })
    }

    /// Whether no policy is known yet.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    /// Forgets policies that can no longer sign a round at or after `lowest_round`.
    pub fn prune(&mut self, lowest_round: u32) {
        self.store.prune(lowest_round);
    }
}

/// The policy carried by a `SigningPolicyInitialized` row (its `signingPolicyBytes`, exactly as relayed).
fn decode(row: &LogRow) -> anyhow::Result<SigningPolicy> {
    let event =
        IRelay::SigningPolicyInitialized::decode_raw_log(row.topics()?, &row.data_bytes()?)?;
    Ok(SigningPolicy::decode(&event.signingPolicyBytes)?)
}
