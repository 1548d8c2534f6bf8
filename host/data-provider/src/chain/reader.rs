//! [`ChainReader`]: typed reads of the indexer database for the round calculation, with the
//! reward-epoch cache (reference `RewardEpochManager`, data-provider §8.5).

use std::collections::HashMap;
use std::sync::Arc;

use alloy_primitives::{Address, B256};
use ftso_chain::topics;
use ftso_storage::{LogRow, Storage, TimeWindow, TransactionRow};
use tokio::sync::Mutex;

use crate::chain::ChainError;
use crate::chain::coverage::{Coverage, Floor, IndexedSpan};
use crate::chain::epoch::{EpochEvents, EpochView};
use crate::chain::events::{
    InflationRewardsOffered, RandomAcquisitionStarted, RewardEpochStarted, RewardsOffered,
    SigningPolicyInitialized, VotePowerBlockSelected, VoterRegistered, VoterRegistrationInfo,
};
use crate::chain::params::{ContractAddresses, ProtocolParams};

/// The latest timestamp a query can name.
const END_OF_TIME: u64 = i64::MAX as u64;

/// Reads rounds' inputs from the indexer database; cheap to share (`Arc`).
#[derive(Debug)]
pub struct ChainReader {
    storage: Storage,
    contracts: ContractAddresses,
    params: ProtocolParams,
    cache: Mutex<EpochCache>,
}

#[derive(Debug, Default)]
struct EpochCache {
    /// Every signing policy seen, by reward epoch.
    policies: HashMap<u32, SigningPolicyInitialized>,
    /// Assembled epochs, by id.
    epochs: HashMap<u32, Arc<EpochView>>,
}

impl EpochCache {
    /// The reward epoch of `round` when the cached policies settle it: the newest policy starting
    /// at or before the round, if it is the round's nominal epoch or its successor is known.
    fn settled_epoch_of(&self, round: u32, nominal: u32) -> Option<u32> {
        let candidate = self.newest_policy_at(round)?;
        (candidate == nominal || self.policies.contains_key(&(candidate + 1))).then_some(candidate)
    }

    fn newest_policy_at(&self, round: u32) -> Option<u32> {
        self.policies
            .values()
            .filter(|p| p.start_voting_round_id <= round)
            .map(|p| p.reward_epoch_id)
            .max()
    }
}

impl ChainReader {
    /// A reader over `storage` for the contracts at `contracts`.
    pub fn new(storage: Storage, contracts: ContractAddresses, params: ProtocolParams) -> Self {
        Self {
            storage,
            contracts,
            params,
            cache: Mutex::new(EpochCache::default()),
        }
    }

    /// The network parameters.
    pub fn params(&self) -> &ProtocolParams {
        &self.params
    }

    /// The database.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// The indexed floor and top.
    pub async fn span(&self) -> Result<IndexedSpan, ChainError> {
        IndexedSpan::read(&self.storage).await
    }

    /// The reward epoch that voting round `voting_round_id` belongs to: the newest signing policy
    /// starting at or before it (its actual start can be later than the nominal one).
    ///
    /// `now` is the wall-clock unix time: rounds that have not started are refused, as the
    /// reference does.
    pub async fn epoch_of_round(
        &self,
        voting_round_id: u32,
        now: u64,
    ) -> Result<Arc<EpochView>, ChainError> {
        let epochs = &self.params.epochs;
        let current = match epochs.voting_round_at(now) {
            Some(round) => round,
            None if now < epochs.first_voting_round_start_ts => 0,
            None => u32::MAX,
        };
        if voting_round_id > current {
            return Err(ChainError::FutureRound {
                voting_round_id,
                current,
            });
        }
        let nominal = epochs
            .reward_epoch_of_round(voting_round_id)
            .ok_or(ChainError::BeforeFirstRewardEpoch { voting_round_id })?;
        let mut cache = self.cache.lock().await;
        let settled = cache.settled_epoch_of(voting_round_id, nominal);
        let epoch_id = match settled {
            Some(id) => id,
            None => {
                self.refresh_policies(&mut cache).await?;
                cache
                    .newest_policy_at(voting_round_id)
                    .ok_or(ChainError::NoSigningPolicy { voting_round_id })?
            }
        };
        if let Some(epoch) = cache.epochs.get(&epoch_id) {
            return Ok(Arc::clone(epoch));
        }
        let policy = cache
            .policies
            .get(&epoch_id)
            .cloned()
            .ok_or(ChainError::NoSigningPolicy { voting_round_id })?;
        let epoch = Arc::new(self.assemble_epoch(policy).await?);
        cache.epochs.insert(epoch_id, Arc::clone(&epoch));
        Ok(epoch)
    }

    /// Submission transactions with `selector` in `window`, in the reference's order
    /// (`timestamp, block_number, transaction_index`), over every Submission address.
    pub async fn submissions(
        &self,
        selector: [u8; 4],
        window: TimeWindow,
    ) -> Result<Vec<TransactionRow>, ChainError> {
        let mut rows = Vec::new();
        for address in &self.contracts.submission {
            rows.extend(
                self.storage
                    .transactions_in_time(*address, selector, window)
                    .await?,
            );
        }
        if self.contracts.submission.len() > 1 {
            rows.sort_by_key(|r| (r.timestamp, r.block_number, r.transaction_index));
        }
        Ok(rows)
    }

    /// Reads every indexed signing policy from the secure lowest timestamp on.
    async fn refresh_policies(&self, cache: &mut EpochCache) -> Result<(), ChainError> {
        let span = self.span().await?;
        let from = span
            .secure_lowest_timestamp()
            .ok_or(ChainError::NotIndexed)?;
        let rows = self
            .logs(
                &self.contracts.relay,
                &[topics::SIGNING_POLICY_INITIALIZED],
                TimeWindow {
                    from,
                    to: END_OF_TIME,
                },
            )
            .await?;
        for row in &rows {
            let policy = SigningPolicyInitialized::from_row(row)?;
            cache.policies.insert(policy.reward_epoch_id, policy);
        }
        Ok(())
    }

    /// Collects the events of `policy`'s reward epoch and assembles it.
    async fn assemble_epoch(
        &self,
        policy: SigningPolicyInitialized,
    ) -> Result<EpochView, ChainError> {
        let epoch = policy.reward_epoch_id;
        let initial = self.params.initial_reward_epoch_id;
        if epoch <= initial {
            return Err(ChainError::EpochTooOld {
                reward_epoch_id: epoch,
            });
        }
        let epochs = &self.params.epochs;
        let previous_start = epochs.reward_epoch_start_time(epoch - 1);
        let since_previous = TimeWindow {
            from: previous_start,
            to: END_OF_TIME,
        };
        let span = self.span().await?;
        if let Coverage::BeforeFloor { floor } =
            span.coverage(since_previous, Floor::FspEvents, None, 0)
        {
            return Err(ChainError::EpochBeforeFloor {
                reward_epoch_id: epoch,
                from: previous_start,
                floor,
            });
        }
        let fsm = &self.contracts.flare_systems_manager;
        let previous_started = if epoch == initial + 1 {
            RewardEpochStarted {
                reward_epoch_id: initial,
                start_voting_round_id: u32::try_from(epochs.reward_epoch_start_round(initial))
                    .unwrap_or(u32::MAX),
                timestamp: epochs.reward_epoch_start_time(initial),
            }
        } else {
            self.first_event(fsm, topics::REWARD_EPOCH_STARTED, since_previous, |row| {
                RewardEpochStarted::from_row(row)
                    .map(|e| (e.reward_epoch_id == epoch - 1).then_some(e))
            })
            .await?
            .ok_or(ChainError::MissingEvent {
                reward_epoch_id: epoch,
                event: "RewardEpochStarted (previous epoch)",
            })?
        };
        let random_acquisition = self
            .first_event(
                fsm,
                topics::RANDOM_ACQUISITION_STARTED,
                since_previous,
                |row| {
                    RandomAcquisitionStarted::from_row(row)
                        .map(|e| (e.reward_epoch_id == epoch).then_some(e))
                },
            )
            .await?
            .ok_or(ChainError::MissingEvent {
                reward_epoch_id: epoch,
                event: "RandomAcquisitionStarted",
            })?;
        let vote_power_block = self
            .first_event(
                fsm,
                topics::VOTE_POWER_BLOCK_SELECTED,
                since_previous,
                |row| {
                    VotePowerBlockSelected::from_row(row)
                        .map(|e| (e.reward_epoch_id == epoch).then_some(e))
                },
            )
            .await?
            .ok_or(ChainError::MissingEvent {
                reward_epoch_id: epoch,
                event: "VotePowerBlockSelected",
            })?;

        let offers = TimeWindow {
            from: previous_started.timestamp,
            to: random_acquisition.timestamp,
        };
        let offers_manager = &self.contracts.ftso_reward_offers_manager;
        let inflation_offers = self
            .decode_all(
                offers_manager,
                &[topics::FTSO_INFLATION_REWARDS_OFFERED],
                offers,
                InflationRewardsOffered::from_row,
            )
            .await?;
        let community_offers = self
            .decode_all(
                offers_manager,
                &[topics::REWARDS_OFFERED],
                offers,
                RewardsOffered::from_row,
            )
            .await?;

        let registrations = TimeWindow {
            from: vote_power_block.timestamp,
            to: policy.timestamp,
        };
        let registered = self
            .decode_all(
                &self.contracts.voter_registry,
                &[topics::VOTER_REGISTERED, topics::VOTER_REGISTERED_V1],
                registrations,
                VoterRegistered::from_row,
            )
            .await?;
        let registration_info = self
            .decode_all(
                &self.contracts.flare_systems_calculator,
                &[
                    topics::VOTER_REGISTRATION_INFO,
                    topics::VOTER_REGISTRATION_INFO_V1,
                ],
                registrations,
                VoterRegistrationInfo::from_row,
            )
            .await?;
        let fip16 = self.params.fip16_active(epoch);
        let view = EpochEvents {
            policy,
            inflation_offers,
            community_offers,
            registered,
            registration_info,
        }
        .assemble(fip16)?;
        tracing::debug!(
            reward_epoch_id = view.reward_epoch_id,
            start_voting_round_id = view.start_voting_round_id,
            feeds = view.feeds.len(),
            voters = view.voters.len(),
            "reward epoch assembled"
        );
        Ok(view)
    }

    /// The first event of `topic0` in `window` that `pick` selects.
    async fn first_event<T>(
        &self,
        addresses: &[Address],
        topic0: B256,
        window: TimeWindow,
        pick: impl Fn(&LogRow) -> Result<Option<T>, ChainError>,
    ) -> Result<Option<T>, ChainError> {
        for row in self.logs(addresses, &[topic0], window).await? {
            if let Some(event) = pick(&row)? {
                return Ok(Some(event));
            }
        }
        Ok(None)
    }

    /// Every event of the topics in `window`, decoded, in chain order.
    async fn decode_all<T>(
        &self,
        addresses: &[Address],
        topic0s: &[B256],
        window: TimeWindow,
        decode: impl Fn(&LogRow) -> Result<T, ChainError>,
    ) -> Result<Vec<T>, ChainError> {
        self.logs(addresses, topic0s, window)
            .await?
            .iter()
            .map(decode)
            .collect()
    }

    /// Logs of any of `topic0s` emitted by any of `addresses` in `window`, in the reference's
    /// order (`timestamp, block_number, log_index`).
    async fn logs(
        &self,
        addresses: &[Address],
        topic0s: &[B256],
        window: TimeWindow,
    ) -> Result<Vec<LogRow>, ChainError> {
        let mut rows = Vec::new();
        for address in addresses {
            for topic0 in topic0s {
                rows.extend(self.storage.logs_in_time(*address, *topic0, window).await?);
            }
        }
        if addresses.len() * topic0s.len() > 1 {
            rows.sort_by_key(|r| (r.timestamp, r.block_number, r.log_index));
        }
        Ok(rows)
    }
}
