//! The FSP events the data provider reads, decoded from indexed `logs` rows into plain values
//! (addresses as `Address`, ids as `u32`), accepting both layouts of the registration events.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolEvent;
use ftso_chain::legacy::{IFlareSystemsCalculatorV1, IVoterRegistryV1};
use ftso_chain::{
    IFlareSystemsCalculator, IFlareSystemsManager, IFtsoRewardOffersManager, IRelay,
    IVoterRegistry, topics,
};
use ftso_core::feed::{FEED_ID_LEN, FeedId};
use ftso_storage::LogRow;

use crate::chain::ChainError;

/// `FlareSystemsManager.RewardEpochStarted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewardEpochStarted {
    /// The reward epoch that started.
    pub reward_epoch_id: u32,
    /// Its first voting round.
    pub start_voting_round_id: u32,
    /// The event's `timestamp` field.
    pub timestamp: u64,
}

/// `FlareSystemsManager.RandomAcquisitionStarted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomAcquisitionStarted {
    /// The reward epoch being prepared.
    pub reward_epoch_id: u32,
    /// The event's `timestamp` field.
    pub timestamp: u64,
}

/// `FlareSystemsManager.VotePowerBlockSelected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VotePowerBlockSelected {
    /// The reward epoch being prepared.
    pub reward_epoch_id: u32,
    /// The vote-power block.
    pub vote_power_block: u64,
    /// The event's `timestamp` field.
    pub timestamp: u64,
}

/// `Relay.SigningPolicyInitialized`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningPolicyInitialized {
    /// The policy's reward epoch.
    pub reward_epoch_id: u32,
    /// The first voting round signed with this policy (the epoch's actual start).
    pub start_voting_round_id: u32,
    /// Signing threshold.
    pub threshold: u16,
    /// The policy's random seed.
    pub seed: U256,
    /// Signing-policy addresses, in policy order.
    pub voters: Vec<Address>,
    /// Signing weights, in policy order.
    pub weights: Vec<u16>,
    /// The encoded policy.
    pub signing_policy_bytes: Vec<u8>,
    /// The event's `timestamp` field.
    pub timestamp: u64,
}

/// `VoterRegistry.VoterRegistered` (either layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoterRegistered {
    /// The voter's identity address.
    pub voter: Address,
    /// The reward epoch registered for.
    pub reward_epoch_id: u32,
    /// The signing-policy address.
    pub signing_policy_address: Address,
    /// The submit address.
    pub submit_address: Address,
    /// The submitSignatures address.
    pub submit_signatures_address: Address,
    /// The registration weight.
    pub registration_weight: U256,
}

/// `FlareSystemsCalculator.VoterRegistrationInfo` (either layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoterRegistrationInfo {
    /// The voter's identity address.
    pub voter: Address,
    /// The reward epoch.
    pub reward_epoch_id: u32,
    /// The delegation address.
    pub delegation_address: Address,
    /// Delegation fee in basis points.
    pub delegation_fee_bips: u16,
    /// Uncapped WNat weight.
    pub w_nat_weight: U256,
    /// Capped WNat weight: the median weight before FIP.16.
    pub w_nat_capped_weight: U256,
}

/// One feed of an offer: its id and decimals. Inflation offers carry unsigned decimals, community
/// offers signed ones (as the reference reads them), hence the wider type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferedFeed {
    /// Feed id.
    pub id: FeedId,
    /// Decimals as the event states them.
    pub decimals: i16,
}

/// `FtsoRewardOffersManager.InflationRewardsOffered`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InflationRewardsOffered {
    /// The reward epoch.
    pub reward_epoch_id: u32,
    /// The offered feeds, in event order.
    pub feeds: Vec<OfferedFeed>,
}

/// `FtsoRewardOffersManager.RewardsOffered` (a community offer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewardsOffered {
    /// The reward epoch.
    pub reward_epoch_id: u32,
    /// The offered feed.
    pub feed: OfferedFeed,
    /// Offered amount.
    pub amount: U256,
}

/// Decodes `row` as event `E` (topic0 is checked).
fn decode<E: SolEvent>(row: &LogRow) -> Result<E, ChainError> {
    let bad = |reason: String| ChainError::BadEvent {
        event: E::SIGNATURE,
        block: row.block_number,
        log_index: row.log_index,
        reason,
    };
    let topics = row.topics().map_err(|e| bad(e.to_string()))?;
    let data = row.data_bytes().map_err(|e| bad(e.to_string()))?;
    E::decode_raw_log(topics.iter().copied(), &data).map_err(|e| bad(e.to_string()))
}

fn topic0(row: &LogRow) -> Result<B256, ChainError> {
    ftso_storage::encode::decode_b256("topic0", &row.topic0).map_err(ChainError::from)
}

impl RewardEpochStarted {
    /// Decodes a `RewardEpochStarted` row.
    pub fn from_row(row: &LogRow) -> Result<Self, ChainError> {
        let e = decode::<IFlareSystemsManager::RewardEpochStarted>(row)?;
        Ok(Self {
            reward_epoch_id: e.rewardEpochId.to(),
            start_voting_round_id: e.startVotingRoundId,
            timestamp: e.timestamp,
        })
    }
}

impl RandomAcquisitionStarted {
    /// Decodes a `RandomAcquisitionStarted` row.
    pub fn from_row(row: &LogRow) -> Result<Self, ChainError> {
        let e = decode::<IFlareSystemsManager::RandomAcquisitionStarted>(row)?;
        Ok(Self {
            reward_epoch_id: e.rewardEpochId.to(),
            timestamp: e.timestamp,
        })
    }
}

impl VotePowerBlockSelected {
    /// Decodes a `VotePowerBlockSelected` row.
    pub fn from_row(row: &LogRow) -> Result<Self, ChainError> {
        let e = decode::<IFlareSystemsManager::VotePowerBlockSelected>(row)?;
        Ok(Self {
            reward_epoch_id: e.rewardEpochId.to(),
            vote_power_block: e.votePowerBlock,
            timestamp: e.timestamp,
        })
    }
}

impl SigningPolicyInitialized {
    /// Decodes a `SigningPolicyInitialized` row.
    pub fn from_row(row: &LogRow) -> Result<Self, ChainError> {
        let e = decode::<IRelay::SigningPolicyInitialized>(row)?;
        Ok(Self {
            reward_epoch_id: e.rewardEpochId.to(),
            start_voting_round_id: e.startVotingRoundId,
            threshold: e.threshold,
            seed: e.seed,
            voters: e.voters,
            weights: e.weights,
            signing_policy_bytes: e.signingPolicyBytes.to_vec(),
            timestamp: e.timestamp,
        })
    }
}

impl VoterRegistered {
    /// Decodes a `VoterRegistered` row of either layout (chosen by topic0).
    pub fn from_row(row: &LogRow) -> Result<Self, ChainError> {
        if topic0(row)? == topics::VOTER_REGISTERED_V1 {
            let e = decode::<IVoterRegistryV1::VoterRegistered>(row)?;
            return Ok(Self {
                voter: e.voter,
                reward_epoch_id: e.rewardEpochId.to(),
                signing_policy_address: e.signingPolicyAddress,
                submit_address: e.submitAddress,
                submit_signatures_address: e.submitSignaturesAddress,
                registration_weight: e.registrationWeight,
            });
        }
        let e = decode::<IVoterRegistry::VoterRegistered>(row)?;
        Ok(Self {
            voter: e.voter,
            reward_epoch_id: e.rewardEpochId,
            signing_policy_address: e.signingPolicyAddress,
            submit_address: e.submitAddress,
            submit_signatures_address: e.submitSignaturesAddress,
            registration_weight: e.registrationWeight,
        })
    }
}

impl VoterRegistrationInfo {
    /// Decodes a `VoterRegistrationInfo` row of either layout (chosen by topic0).
    pub fn from_row(row: &LogRow) -> Result<Self, ChainError> {
        if topic0(row)? == topics::VOTER_REGISTRATION_INFO_V1 {
            let e = decode::<IFlareSystemsCalculatorV1::VoterRegistrationInfo>(row)?;
            return Ok(Self {
                voter: e.voter,
                reward_epoch_id: e.rewardEpochId.to(),
                delegation_address: e.delegationAddress,
                delegation_fee_bips: e.delegationFeeBIPS,
                w_nat_weight: e.wNatWeight,
                w_nat_capped_weight: e.wNatCappedWeight,
            });
        }
        let e = decode::<IFlareSystemsCalculator::VoterRegistrationInfo>(row)?;
        Ok(Self {
            voter: e.voter,
            reward_epoch_id: e.rewardEpochId,
            delegation_address: e.delegationAddress,
            delegation_fee_bips: e.delegationFeeBIPS,
            w_nat_weight: e.wNatWeight,
            w_nat_capped_weight: e.wNatCappedWeight,
        })
    }
}

impl InflationRewardsOffered {
    /// Decodes an `InflationRewardsOffered` row: `feedIds` in 21-byte chunks, `decimals` one
    /// unsigned byte each, `secondaryBandWidthPPMs` in 3-byte chunks; the three counts must agree.
    pub fn from_row(row: &LogRow) -> Result<Self, ChainError> {
        let e = decode::<IFtsoRewardOffersManager::InflationRewardsOffered>(row)?;
        let bad = |reason: String| ChainError::BadEvent {
            event: IFtsoRewardOffersManager::InflationRewardsOffered::SIGNATURE,
            block: row.block_number,
            log_index: row.log_index,
            reason,
        };
        let (ids, rest) = e.feedIds.as_chunks::<FEED_ID_LEN>();
        let (bands, band_rest) = e.secondaryBandWidthPPMs.as_chunks::<3>();
        if !rest.is_empty() || !band_rest.is_empty() {
            return Err(bad(
                "feedIds or secondaryBandWidthPPMs has a partial entry".into()
            ));
        }
        if ids.len() != e.decimals.len() || ids.len() != bands.len() {
            return Err(bad(format!(
                "{} feed ids, {} decimals, {} secondary bands",
                ids.len(),
                e.decimals.len(),
                bands.len()
            )));
        }
        let feeds = ids
            .iter()
            .zip(e.decimals.iter())
            .map(|(id, decimals)| OfferedFeed {
                id: FeedId((*id).into()),
                decimals: i16::from(*decimals),
            })
            .collect();
        Ok(Self {
            reward_epoch_id: e.rewardEpochId.to(),
            feeds,
        })
    }
}

impl RewardsOffered {
    /// Decodes a `RewardsOffered` row.
    pub fn from_row(row: &LogRow) -> Result<Self, ChainError> {
        let e = decode::<IFtsoRewardOffersManager::RewardsOffered>(row)?;
        Ok(Self {
            reward_epoch_id: e.rewardEpochId.to(),
            feed: OfferedFeed {
                id: FeedId(e.feedId),
                decimals: i16::from(e.decimals),
            },
            amount: e.amount,
        })
    }
}
