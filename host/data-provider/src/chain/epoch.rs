//! A reward epoch as the round calculation sees it ([`EpochView`]), assembled from its FSP events
//! (reference `IndexerClient` + `RewardEpoch`, data-provider §8.4 and §8.6).
//!
//! For epoch `N` with signing policy `P` (`SigningPolicyInitialized(N)`):
//! * `RewardEpochStarted(N−1)` (synthetic for the network's first epoch), then
//!   `RandomAcquisitionStarted(N)`: the offers between the two timestamps, both inclusive, give the
//!   canonical feed order;
//! * `VotePowerBlockSelected(N)`: the registrations between it and `P`, both inclusive, pair
//!   `VoterRegistered` with `VoterRegistrationInfo` one to one by voter;
//! * `P`'s signing addresses, in order, name the voters; their submit address comes from
//!   `VoterRegistered`, their median weight from `VoterRegistrationInfo.wNatCappedWeight` (or the
//!   signing weight once FIP.16 is active).

use std::collections::HashMap;

use alloy_primitives::{Address, U256};
use ftso_core::feed::FeedId;
use ftso_core::round::FeedDefinition;

use crate::chain::ChainError;
use crate::chain::events::{
    InflationRewardsOffered, RewardsOffered, SigningPolicyInitialized, VoterRegistered,
    VoterRegistrationInfo,
};
use crate::chain::feed_order;

/// One voter of a reward epoch, in signing-policy order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochVoter {
    /// Identity address.
    pub identity: Address,
    /// Signing-policy address.
    pub signing_address: Address,
    /// Submit address (submit1 / submit2 sender): eligibility is by this address.
    pub submit_address: Address,
    /// submitSignatures sender.
    pub submit_signatures_address: Address,
    /// Delegation address.
    pub delegation_address: Address,
    /// `wNatCappedWeight` of the registration info.
    pub w_nat_capped_weight: U256,
    /// Registration weight.
    pub registration_weight: U256,
    /// Signing weight in the policy.
    pub signing_weight: u16,
    /// The weight of the voter's values in the medians (capped WNat weight, or the signing
    /// weight once FIP.16 is active).
    pub median_weight: U256,
}

/// A reward epoch: its feeds, voters and signing policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpochView {
    /// The reward epoch id.
    pub reward_epoch_id: u32,
    /// The first voting round of the epoch (the signing policy's `startVotingRoundId`).
    pub start_voting_round_id: u32,
    /// The feeds in canonical order: reveal values and feed leaves follow it.
    pub feeds: Vec<FeedDefinition>,
    /// The voters in signing-policy order.
    pub voters: Vec<EpochVoter>,
    /// The epoch's signing policy as initialised on the Relay.
    pub signing_policy: SigningPolicyInitialized,
}

impl EpochView {
    /// The position of a feed in the canonical order.
    pub fn feed_index(&self, id: &FeedId) -> Option<usize> {
        self.feeds.iter().position(|f| f.id == *id)
    }

    /// The voter with this submit address.
    pub fn voter_by_submit_address(&self, submit_address: &Address) -> Option<&EpochVoter> {
        self.voters
            .iter()
            .find(|v| v.submit_address == *submit_address)
    }

    /// Whether submissions from this address count in the epoch's rounds.
    pub fn is_eligible(&self, submit_address: &Address) -> bool {
        self.voter_by_submit_address(submit_address).is_some()
    }

    /// Decimals of every feed, in canonical order (what the value encoder needs).
    pub fn feed_decimals(&self) -> Vec<i8> {
        self.feeds.iter().map(|f| f.decimals).collect()
    }
}

/// The events an epoch is assembled from, already selected by time window.
#[derive(Debug, Clone)]
pub(crate) struct EpochEvents {
    pub policy: SigningPolicyInitialized,
    pub inflation_offers: Vec<InflationRewardsOffered>,
    pub community_offers: Vec<RewardsOffered>,
    pub registered: Vec<VoterRegistered>,
    pub registration_info: Vec<VoterRegistrationInfo>,
}

impl EpochEvents {
    /// Checks the events against each other and builds the view.
    pub(crate) fn assemble(self, fip16_active: bool) -> Result<EpochView, ChainError> {
        let epoch = self.policy.reward_epoch_id;
        let inconsistent = |reason: String| ChainError::InconsistentEpoch {
            reward_epoch_id: epoch,
            reason,
        };
        let ids = self
            .inflation_offers
            .iter()
            .map(|o| ("InflationRewardsOffered", o.reward_epoch_id))
            .chain(
                self.community_offers
                    .iter()
                    .map(|o| ("RewardsOffered", o.reward_epoch_id)),
            )
            .chain(
                self.registered
                    .iter()
                    .map(|r| ("VoterRegistered", r.reward_epoch_id)),
            )
            .chain(
                self.registration_info
                    .iter()
                    .map(|r| ("VoterRegistrationInfo", r.reward_epoch_id)),
            );
        for (event, id) in ids {
            if id != epoch {
                return Err(inconsistent(format!("{event} for reward epoch {id}")));
            }
        }
        let feeds =
            feed_order::canonical_feed_order(&self.inflation_offers, &self.community_offers)
                .map_err(|e| inconsistent(e.to_string()))?;

        let mut registered = self.registered;
        let mut info = self.registration_info;
        if registered.len() != info.len() {
            return Err(inconsistent(format!(
                "{} VoterRegistered but {} VoterRegistrationInfo events",
                registered.len(),
                info.len()
            )));
        }
        registered.sort_by_key(|r| r.voter);
        info.sort_by_key(|r| r.voter);
        let mut by_signing: HashMap<Address, (VoterRegistered, VoterRegistrationInfo)> =
            HashMap::new();
        for (r, i) in registered.into_iter().zip(info) {
            if r.voter != i.voter {
                return Err(inconsistent(format!(
                    "registration of {} pairs with registration info of {}",
                    r.voter, i.voter
                )));
            }
            by_signing.insert(r.signing_policy_address, (r, i));
        }

        let policy = self.policy;
        if policy.voters.len() != policy.weights.len() {
            return Err(inconsistent(format!(
                "signing policy has {} voters but {} weights",
                policy.voters.len(),
                policy.weights.len()
            )));
        }
        let voters = policy
            .voters
            .iter()
            .zip(&policy.weights)
            .map(|(signing, weight)| {
                let (r, i) = by_signing.get(signing).ok_or_else(|| {
                    inconsistent(format!("signing address {signing} has no registration"))
                })?;
                Ok(EpochVoter {
                    identity: r.voter,
                    signing_address: *signing,
                    submit_address: r.submit_address,
                    submit_signatures_address: r.submit_signatures_address,
                    delegation_address: i.delegation_address,
                    w_nat_capped_weight: i.w_nat_capped_weight,
                    registration_weight: r.registration_weight,
                    signing_weight: *weight,
                    median_weight: if fip16_active {
                        U256::from(*weight)
                    } else {
                        i.w_nat_capped_weight
                    },
                })
            })
            .collect::<Result<Vec<_>, ChainError>>()?;
        Ok(EpochView {
            reward_epoch_id: epoch,
            start_voting_round_id: policy.start_voting_round_id,
            feeds,
            voters,
            signing_policy: policy,
        })
    }
}
