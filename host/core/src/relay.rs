//! `Relay.relay()`: building its custom-packed calldata, and a pure model of the Relay's
//! on-chain verification (finalization mode, protocol id ≥ 2, and the custom-signature mode of
//! protocol id 1) for testing finalizers and devnets.
//!
//! ```text
//! 0xb59589d1 ‖ signingPolicy (43 + 22·n) ‖ message (38) ‖ count u16
//!            ‖ count × (v u8 (27|28) ‖ r 32 ‖ s 32 ‖ signerIndex u16)     (big-endian)
//! ```
//!
//! [`RelayState::verify`] follows `Relay.sol` check by check, with the same revert reasons
//! ([`RelayError::revert_reason`]): the policy must hash (legacy chained hash) to the stored one,
//! the round must belong to the policy's epoch or a later one within the finalization window,
//! signer indices must be strictly increasing and in range, each signature must recover to the
//! indexed voter, and the accumulated weight must become strictly greater than the threshold,
//! which is raised by `thresholdIncreaseBIPS` when the message belongs to a later, not yet
//! initialized reward epoch. As on chain, verification stops at the first signature that brings
//! the weight over the threshold; signatures after it are not examined.

#![deny(clippy::indexing_slicing)]

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, keccak256};

use crate::protocol_message::{PROTOCOL_MESSAGE_LEN, ProtocolMessageMerkleRoot};
use crate::signing::{self, VRS_SIGNATURE_LEN};
use crate::signing_policy::{self, HEADER_LEN, SigningPolicy, VOTER_ENTRY_LEN};

/// `relay()` selector.
pub const RELAY_SELECTOR: [u8; 4] = [0xb5, 0x95, 0x89, 0xd1];
/// Length of one signature entry: `v ‖ r ‖ s ‖ index`.
pub const SIGNATURE_WITH_INDEX_LEN: usize = VRS_SIGNATURE_LEN + 2;
/// Denominator of basis-point quantities.
pub const THRESHOLD_BIPS: u64 = 10_000;

/// One voter's signature with its index in the signing policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RelaySignature {
    /// Index of the signer in the signing policy.
    pub index: u16,
    /// `v ‖ r ‖ s`, v = 27 or 28.
    pub signature: [u8; VRS_SIGNATURE_LEN],
}

/// Why relay calldata could not be built, or why the Relay would revert.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RelayError {
    /// Building: signer indices are not strictly increasing.
    #[error("signer indices must be strictly increasing ({previous} then {next})")]
    IndicesNotIncreasing {
        /// The earlier index.
        previous: u16,
        /// The index that follows it.
        next: u16,
    },
    /// Building: more signatures than the u16 count holds.
    #[error("{0} signatures do not fit the u16 count")]
    TooManySignatures(usize),
    /// Calldata does not start with the relay selector.
    #[error("calldata does not start with the relay() selector")]
    Selector,
    /// Reverts "Invalid sign policy metadata".
    #[error("Invalid sign policy metadata")]
    InvalidSignPolicyMetadata,
    /// Reverts "Invalid sign policy length".
    #[error("Invalid sign policy length")]
    InvalidSignPolicyLength,
    /// Reverts "Signing policy hash mismatch".
    #[error("Signing policy hash mismatch")]
    SigningPolicyHashMismatch,
    /// Protocol id 0 (signing-policy relay, pure-relay chains only) is not modelled.
    #[error("protocol id 0 (signing-policy relay mode) is not modelled")]
    UnsupportedMode(u8),
    /// Reverts "Wrong message format" (protocol 1 with a non-zero voting round).
    #[error("Wrong message format")]
    WrongMessageFormat,
    /// Reverts "Wrong message format2" (protocol 1 with isSecureRandom set).
    #[error("Wrong message format2")]
    WrongMessageFormat2,
    /// Reverts "Too short message".
    #[error("Too short message")]
    TooShortMessage,
    /// Reverts "Already relayed".
    #[error("Already relayed")]
    AlreadyRelayed,
    /// Reverts "Invalid voting round id" (round before the first reward epoch).
    #[error("Invalid voting round id")]
    InvalidVotingRoundId,
    /// Reverts "Wrong sign policy reward epoch".
    #[error("Wrong sign policy reward epoch")]
    WrongSignPolicyRewardEpoch,
    /// Reverts "Message too old".
    #[error("Message too old")]
    MessageTooOld,
    /// Reverts "Delayed sign policy".
    #[error("Delayed sign policy")]
    DelayedSignPolicy,
    /// Reverts "Must use new sign policy".
    #[error("Must use new sign policy")]
    MustUseNewSignPolicy,
    /// Reverts "No signature count".
    #[error("No signature count")]
    NoSignatureCount,
    /// Reverts "Not enough signatures".
    #[error("Not enough signatures")]
    NotEnoughSignatures,
    /// Reverts "Index out of range".
    #[error("Index out of range")]
    IndexOutOfRange,
    /// Reverts "Index out of order".
    #[error("Index out of order")]
    IndexOutOfOrder,
    /// Reverts "ecrecover returned bad data" (v not 27/28, or r/s invalid).
    #[error("ecrecover returned bad data")]
    EcrecoverBadData,
    /// Reverts "Wrong signature".
    #[error("Wrong signature")]
    WrongSignature,
    /// Reverts "Not enough weight".
    #[error("Not enough weight")]
    NotEnoughWeight,
}

impl RelayError {
    /// The Relay's revert string for this failure, if it is one.
    pub fn revert_reason(&self) -> Option<&'static str> {
        Some(match self {
            Self::InvalidSignPolicyMetadata => "Invalid sign policy metadata",
            Self::InvalidSignPolicyLength => "Invalid sign policy length",
            Self::SigningPolicyHashMismatch => "Signing policy hash mismatch",
            Self::TooShortMessage => "Too short message",
            Self::AlreadyRelayed => "Already relayed",
            Self::WrongMessageFormat => "Wrong message format",
            Self::WrongMessageFormat2 => "Wrong message format2",
            Self::InvalidVotingRoundId => "Invalid voting round id",
            Self::WrongSignPolicyRewardEpoch => "Wrong sign policy reward epoch",
            Self::MessageTooOld => "Message too old",
            Self::DelayedSignPolicy => "Delayed sign policy",
            Self::MustUseNewSignPolicy => "Must use new sign policy",
            Self::NoSignatureCount => "No signature count",
            Self::NotEnoughSignatures => "Not enough signatures",
            Self::IndexOutOfRange => "Index out of range",
            Self::IndexOutOfOrder => "Index out of order",
            Self::EcrecoverBadData => "ecrecover returned bad data",
            Self::WrongSignature => "Wrong signature",
            Self::NotEnoughWeight => "Not enough weight",
            Self::IndicesNotIncreasing { .. }
            | Self::TooManySignatures(_)
            | Self::Selector
            | Self::UnsupportedMode(_) => return None,
        })
    }
}

/// Builds `relay()` calldata from the policy bytes (copied verbatim, exactly as emitted in
/// `SigningPolicyInitialized`), the 38-byte message and signatures with strictly increasing
/// indices.
pub fn relay_calldata(
    signing_policy: &[u8],
    message: &[u8; PROTOCOL_MESSAGE_LEN],
    signatures: &[RelaySignature],
) -> Result<Vec<u8>, RelayError> {
    for pair in signatures.windows(2) {
        if let [a, b] = pair
            && a.index >= b.index
        {
            return Err(RelayError::IndicesNotIncreasing {
                previous: a.index,
                next: b.index,
            });
        }
    }
    let count = u16::try_from(signatures.len())
        .map_err(|_| RelayError::TooManySignatures(signatures.len()))?;
    let mut out = Vec::with_capacity(
        4 + signing_policy.len()
            + PROTOCOL_MESSAGE_LEN
            + 2
            + SIGNATURE_WITH_INDEX_LEN * signatures.len(),
    );
    out.extend_from_slice(&RELAY_SELECTOR);
    out.extend_from_slice(signing_policy);
    out.extend_from_slice(message);
    out.extend_from_slice(&count.to_be_bytes());
    for signature in signatures {
        out.extend_from_slice(&signature.signature);
        out.extend_from_slice(&signature.index.to_be_bytes());
    }
    Ok(out)
}

/// Picks signatures as the reference finalizer does: by weight, heaviest first, until the sum
/// is strictly greater than `threshold`, then in index order. `None` when all of them together
/// do not pass the threshold. Ties in weight are broken by index (Go's sort leaves them
/// unspecified; any choice is accepted by the Relay).
pub fn select_signatures(
    policy: &SigningPolicy,
    signatures: &[RelaySignature],
    threshold: u64,
) -> Option<Vec<RelaySignature>> {
    let weight_of = |s: &RelaySignature| {
        policy
            .weights
            .get(usize::from(s.index))
            .map_or(0, |w| u64::from(*w))
    };
    let mut sorted: Vec<RelaySignature> = signatures.to_vec();
    sorted.sort_by(|a, b| weight_of(b).cmp(&weight_of(a)).then(a.index.cmp(&b.index)));
    let mut chosen = Vec::new();
    let mut weight = 0u64;
    for signature in sorted {
        weight += weight_of(&signature);
        chosen.push(signature);
        if weight > threshold {
            chosen.sort_by_key(|s| s.index);
            return Some(chosen);
        }
    }
    None
}

/// The threshold the Relay applies: the policy's own, or raised by `threshold_increase_bips`
/// (`threshold · bips / 10000`, integer) when the message belongs to a later reward epoch whose
/// policy is not initialized yet.
pub fn effective_threshold(
    policy_threshold: u16,
    raised: bool,
    threshold_increase_bips: u16,
) -> u64 {
    if raised {
        u64::from(policy_threshold) * u64::from(threshold_increase_bips) / THRESHOLD_BIPS
    } else {
        u64::from(policy_threshold)
    }
}

/// What a successful relay finalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayOutcome {
    /// The finalized message.
    pub message: ProtocolMessageMerkleRoot,
    /// Reward epoch of the signing policy used.
    pub reward_epoch_id: u32,
    /// The threshold applied (raised or not).
    pub threshold: u64,
    /// The signed weight when the threshold was passed.
    pub signed_weight: u64,
    /// Signers examined, in order, up to the one that passed the threshold.
    pub signers: Vec<Address>,
}

/// The Relay's storage and settings that `relay()` reads, in a form tests can set up.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RelayState {
    /// `firstRewardEpochStartVotingRoundId`.
    pub first_reward_epoch_start_voting_round_id: u32,
    /// `rewardEpochDurationInVotingEpochs`.
    pub reward_epoch_duration_in_voting_epochs: u32,
    /// `thresholdIncreaseBIPS` (12000 on all networks).
    pub threshold_increase_bips: u16,
    /// `messageFinalizationWindowInRewardEpochs`.
    pub message_finalization_window_in_reward_epochs: u32,
    /// `lastInitializedRewardEpoch`.
    pub last_initialized_reward_epoch: u32,
    /// `toSigningPolicyHash` per reward epoch.
    pub signing_policy_hashes: BTreeMap<u32, B256>,
    /// `startingVotingRoundIds` per reward epoch.
    pub starting_voting_round_ids: BTreeMap<u32, u32>,
    /// `merkleRoots[protocolId][votingRoundId]`.
    pub merkle_roots: BTreeMap<(u8, u32), B256>,
}

/// The Relay's initial configuration: its timing settings and its initial reward epoch, whose
/// signing policy the deployment stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayInitialConfig {
    /// `firstRewardEpochStartVotingRoundId`.
    pub first_reward_epoch_start_voting_round_id: u32,
    /// `rewardEpochDurationInVotingEpochs`.
    pub reward_epoch_duration_in_voting_epochs: u32,
    /// `thresholdIncreaseBIPS` (12000 on all networks).
    pub threshold_increase_bips: u16,
    /// `messageFinalizationWindowInRewardEpochs`.
    pub message_finalization_window_in_reward_epochs: u32,
}

/// Why the Relay would refuse an initial configuration.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RelayConfigError {
    /// `thresholdIncreaseBIPS` below 10000.
    #[error("threshold increase {0} bips is below 10000")]
    ThresholdIncreaseTooSmall(u16),
    /// A zero reward epoch duration (`relay()` would divide by it).
    #[error("reward epoch duration is zero")]
    RewardEpochDurationZero,
    /// `firstRewardEpochStartVotingRoundId + initialRewardEpochId × duration` is after the
    /// initial policy's start round.
    #[error(
        "reward epoch {reward_epoch_id} cannot start at round {start_voting_round_id}: \
         the schedule puts its start at round {scheduled_start}"
    )]
    InvalidInitialStartingVotingRoundId {
        /// The initial policy's reward epoch.
        reward_epoch_id: u32,
        /// The initial policy's start round.
        start_voting_round_id: u32,
        /// `firstRewardEpochStartVotingRoundId + rewardEpochId × duration`.
        scheduled_start: u64,
    },
    /// The initial policy cannot be hashed.
    #[error(transparent)]
    Policy(#[from] signing_policy::SigningPolicyError),
}

impl RelayInitialConfig {
    /// The schedule whose reward epoch `policy.reward_epoch_id` starts exactly at the policy's
    /// start round, with the preferred duration, or the longest shorter one that fits before it
    /// (`None` when even a one-round epoch does not fit).
    pub fn aligned_with(
        policy: &SigningPolicy,
        preferred_duration: u32,
        threshold_increase_bips: u16,
        message_finalization_window_in_reward_epochs: u32,
    ) -> Option<Self> {
        let duration = match policy
            .start_voting_round_id
            .checked_div(policy.reward_epoch_id)
        {
            Some(longest) => preferred_duration.min(longest),
            None => preferred_duration,
        };
        if duration == 0 {
            return None;
        }
        let first = policy
            .start_voting_round_id
            .checked_sub(policy.reward_epoch_id.checked_mul(duration)?)?;
        Some(Self {
            first_reward_epoch_start_voting_round_id: first,
            reward_epoch_duration_in_voting_epochs: duration,
            threshold_increase_bips,
            message_finalization_window_in_reward_epochs,
        })
    }
}

impl RelayState {
    /// The state of a Relay deployed with `config` and `policy` as its initial signing policy,
    /// refused as the Relay's constructor refuses it (`thresholdIncreaseBIPS < 10000`, or
    /// `firstRewardEpochStartVotingRoundId + initialRewardEpochId × duration >
    /// startingVotingRoundIdForInitialRewardEpochId`), and for a zero reward epoch duration,
    /// which the constructor accepts but which makes every finalization-mode `relay()` divide by
    /// zero.
    pub fn deployed(
        config: RelayInitialConfig,
        policy: &SigningPolicy,
    ) -> Result<Self, RelayConfigError> {
        if u64::from(config.threshold_increase_bips) < THRESHOLD_BIPS {
            return Err(RelayConfigError::ThresholdIncreaseTooSmall(
                config.threshold_increase_bips,
            ));
        }
        if config.reward_epoch_duration_in_voting_epochs == 0 {
            return Err(RelayConfigError::RewardEpochDurationZero);
        }
        let scheduled_start = u64::from(config.first_reward_epoch_start_voting_round_id)
            + u64::from(policy.reward_epoch_id)
                * u64::from(config.reward_epoch_duration_in_voting_epochs);
        if scheduled_start > u64::from(policy.start_voting_round_id) {
            return Err(RelayConfigError::InvalidInitialStartingVotingRoundId {
                reward_epoch_id: policy.reward_epoch_id,
                start_voting_round_id: policy.start_voting_round_id,
                scheduled_start,
            });
        }
        let mut state = Self {
            first_reward_epoch_start_voting_round_id: config
                .first_reward_epoch_start_voting_round_id,
            reward_epoch_duration_in_voting_epochs: config.reward_epoch_duration_in_voting_epochs,
            threshold_increase_bips: config.threshold_increase_bips,
            message_finalization_window_in_reward_epochs: config
                .message_finalization_window_in_reward_epochs,
            ..Self::default()
        };
        state.initialize_policy(policy)?;
        Ok(state)
    }

    /// Records a signing policy as `setSigningPolicy` does (legacy hash, start round, last
    /// initialized epoch). Policy validity rules of `setSigningPolicy` are not re-checked.
    pub fn initialize_policy(
        &mut self,
        policy: &SigningPolicy,
    ) -> Result<B256, signing_policy::SigningPolicyError> {
        let hash = policy.legacy_hash()?;
        self.signing_policy_hashes
            .insert(policy.reward_epoch_id, hash);
        self.starting_voting_round_ids
            .insert(policy.reward_epoch_id, policy.start_voting_round_id);
        self.last_initialized_reward_epoch = policy.reward_epoch_id;
        Ok(hash)
    }

    /// The reward epoch a voting round is expected in.
    fn expected_reward_epoch(&self, voting_round_id: u32) -> Result<u64, RelayError> {
        let offset = voting_round_id
            .checked_sub(self.first_reward_epoch_start_voting_round_id)
            .ok_or(RelayError::InvalidVotingRoundId)?;
        Ok(u64::from(offset)
            .checked_div(u64::from(self.reward_epoch_duration_in_voting_epochs))
            .unwrap_or(0))
    }

    /// Checks `relay()` calldata (selector included) against this state exactly as the Relay
    /// does for protocol ids ≥ 1, without changing the state.
    pub fn verify(&self, calldata: &[u8]) -> Result<RelayOutcome, RelayError> {
        let input = calldata
            .strip_prefix(RELAY_SELECTOR.as_slice())
            .ok_or(RelayError::Selector)?;
        // Metadata: numberOfVoters u16 ‖ rewardEpochId u24 ‖ startVotingRoundId u32 ‖ threshold u16.
        let metadata = input
            .first_chunk::<11>()
            .ok_or(RelayError::InvalidSignPolicyMetadata)?;
        let [n0, n1, e0, e1, e2, s0, s1, s2, s3, t0, t1] = *metadata;
        let voter_count = usize::from(u16::from_be_bytes([n0, n1]));
        let reward_epoch_id = u32::from_be_bytes([0, e0, e1, e2]);
        let start_voting_round_id = u32::from_be_bytes([s0, s1, s2, s3]);
        let policy_threshold = u16::from_be_bytes([t0, t1]);
        let policy_len = HEADER_LEN + VOTER_ENTRY_LEN * voter_count;
        if input.len() < policy_len + 1 {
            return Err(RelayError::InvalidSignPolicyLength);
        }
        let (policy_bytes, rest) = input
            .split_at_checked(policy_len)
            .ok_or(RelayError::InvalidSignPolicyLength)?;
        let stored = self
            .signing_policy_hashes
            .get(&reward_epoch_id)
            .copied()
            .unwrap_or_default();
        if signing_policy::legacy_hash(policy_bytes) != stored {
            return Err(RelayError::SigningPolicyHashMismatch);
        }
        let protocol_id = rest.first().copied().unwrap_or_default();
        if protocol_id == 0 {
            return Err(RelayError::UnsupportedMode(protocol_id));
        }
        let custom = protocol_id == 1;
        let (message, rest) = rest
            .split_first_chunk::<PROTOCOL_MESSAGE_LEN>()
            .ok_or(RelayError::TooShortMessage)?;
        let [_, r0, r1, r2, r3, secure, root @ ..] = *message;
        let voting_round_id = u32::from_be_bytes([r0, r1, r2, r3]);
        if self
            .merkle_roots
            .get(&(protocol_id, voting_round_id))
            .is_some_and(|root| !root.is_zero())
        {
            return Err(RelayError::AlreadyRelayed);
        }
        if custom && voting_round_id != 0 {
            return Err(RelayError::WrongMessageFormat);
        }
        if custom && secure != 0 {
            return Err(RelayError::WrongMessageFormat2);
        }
        let policy_epoch = u64::from(reward_epoch_id);
        let message_epoch = if custom {
            policy_epoch
        } else {
            self.expected_reward_epoch(voting_round_id)?
        };
        if message_epoch < policy_epoch {
            return Err(RelayError::WrongSignPolicyRewardEpoch);
        }
        let last_initialized = u64::from(self.last_initialized_reward_epoch);
        if message_epoch + u64::from(self.message_finalization_window_in_reward_epochs)
            < last_initialized
        {
            return Err(RelayError::MessageTooOld);
        }
        if !custom && voting_round_id < start_voting_round_id {
            return Err(RelayError::DelayedSignPolicy);
        }
        let mut raised = false;
        if message_epoch > policy_epoch {
            if last_initialized > policy_epoch {
                let next_start = self
                    .starting_voting_round_ids
                    .get(&(reward_epoch_id + 1))
                    .copied()
                    .unwrap_or_default();
                if u64::from(voting_round_id) + 1 > u64::from(next_start) {
                    return Err(RelayError::MustUseNewSignPolicy);
                }
            }
            raised = last_initialized == policy_epoch;
        }
        let threshold = effective_threshold(policy_threshold, raised, self.threshold_increase_bips);
        let message_hash = keccak256(message);

        let (count, rest) = rest
            .split_first_chunk::<2>()
            .ok_or(RelayError::NoSignatureCount)?;
        let count = usize::from(u16::from_be_bytes(*count));
        if rest.len() < count * SIGNATURE_WITH_INDEX_LEN {
            return Err(RelayError::NotEnoughSignatures);
        }
        let voters = policy_bytes.get(HEADER_LEN..).unwrap_or_default();
        let mut weight = 0u64;
        let mut next_unused_index = 0usize;
        let mut signers = Vec::new();
        for entry in rest.chunks_exact(SIGNATURE_WITH_INDEX_LEN).take(count) {
            let (signature, index) = entry.split_at(VRS_SIGNATURE_LEN);
            let index = usize::from(u16::from_be_bytes(index.try_into().unwrap_or_default()));
            if index + 1 > voter_count {
                return Err(RelayError::IndexOutOfRange);
            }
            if index < next_unused_index {
                return Err(RelayError::IndexOutOfOrder);
            }
            next_unused_index = index + 1;
            let signer = signing::from_vrs_bytes(signature)
                .and_then(|s| signing::recover_eip191(&s, &message_hash))
                .map_err(|_| RelayError::EcrecoverBadData)?;
            let entry = voters
                .get(index * VOTER_ENTRY_LEN..(index + 1) * VOTER_ENTRY_LEN)
                .unwrap_or_default();
            let (address, voter_weight) = entry.split_at_checked(20).unwrap_or_default();
            if signer.as_slice() != address {
                return Err(RelayError::WrongSignature);
            }
            signers.push(signer);
            weight += u64::from(u16::from_be_bytes(
                voter_weight.try_into().unwrap_or_default(),
            ));
            if weight > threshold {
                return Ok(RelayOutcome {
                    message: ProtocolMessageMerkleRoot {
                        protocol_id,
                        voting_round_id,
                        is_secure_random: secure != 0,
                        merkle_root: B256::from(root),
                    },
                    reward_epoch_id,
                    threshold,
                    signed_weight: weight,
                    signers,
                });
            }
        }
        Err(RelayError::NotEnoughWeight)
    }

    /// Verifies and, on success, stores the Merkle root as the Relay does (protocol 1, custom
    /// signature mode, stores nothing).
    pub fn relay(&mut self, calldata: &[u8]) -> Result<RelayOutcome, RelayError> {
        let outcome = self.verify(calldata)?;
        if outcome.message.protocol_id == 1 {
            return Ok(outcome);
        }
        self.merkle_roots.insert(
            (outcome.message.protocol_id, outcome.message.voting_round_id),
            outcome.message.merkle_root,
        );
        Ok(outcome)
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    reason = "tests index fixed-layout test data"
)]
mod tests {
    use alloy_primitives::U256;
    use alloy_signer_local::PrivateKeySigner;

    use super::*;

    /// Four voters with weights 10, 20, 30, 40 (total 100), threshold 50; epoch 2 starts at round 20.
    struct Setup {
        keys: Vec<PrivateKeySigner>,
        policy: SigningPolicy,
        state: RelayState,
    }

    fn setup() -> Setup {
        let keys: Vec<PrivateKeySigner> = (1..=4u8)
            .map(|i| PrivateKeySigner::from_bytes(&B256::repeat_byte(i)).unwrap())
            .collect();
        let policy = SigningPolicy {
            reward_epoch_id: 2,
            start_voting_round_id: 20,
            threshold: 50,
            seed: B256::from(U256::from(7)),
            voters: keys.iter().map(PrivateKeySigner::address).collect(),
            weights: vec![10, 20, 30, 40],
        };
        let mut state = RelayState {
            first_reward_epoch_start_voting_round_id: 0,
            reward_epoch_duration_in_voting_epochs: 10,
            threshold_increase_bips: 12_000,
            message_finalization_window_in_reward_epochs: 10,
            ..RelayState::default()
        };
        state.initialize_policy(&policy).unwrap();
        Setup {
            keys,
            policy,
            state,
        }
    }

    fn message(round: u32) -> [u8; PROTOCOL_MESSAGE_LEN] {
        ProtocolMessageMerkleRoot {
            protocol_id: 100,
            voting_round_id: round,
            is_secure_random: true,
            merkle_root: B256::repeat_byte(0x5a),
        }
        .encode()
    }

    fn sign(key: &PrivateKeySigner, index: u16, message: &[u8]) -> RelaySignature {
        let signature = signing::sign_eip191(key, &keccak256(message)).unwrap();
        RelaySignature {
            index,
            signature: signing::to_vrs_bytes(&signature),
        }
    }

    fn calldata(setup: &Setup, round: u32, signers: &[usize]) -> Vec<u8> {
        let message = message(round);
        let signatures: Vec<RelaySignature> = signers
            .iter()
            .map(|&i| sign(&setup.keys[i], i as u16, &message))
            .collect();
        let mut out = RELAY_SELECTOR.to_vec();
        out.extend_from_slice(&setup.policy.encode().unwrap());
        out.extend_from_slice(&message);
        out.extend_from_slice(&(signatures.len() as u16).to_be_bytes());
        for s in signatures {
            out.extend_from_slice(&s.signature);
            out.extend_from_slice(&s.index.to_be_bytes());
        }
        out
    }

    #[test]
    fn accepts_weight_strictly_above_threshold_and_stores_the_root_once() {
        let mut setup = setup();
        let data = calldata(&setup, 21, &[1, 3]);
        let outcome = setup.state.relay(&data).unwrap();
        assert_eq!(outcome.signed_weight, 60);
        assert_eq!(outcome.threshold, 50);
        assert_eq!(outcome.message.merkle_root, B256::repeat_byte(0x5a));
        assert_eq!(
            setup.state.merkle_roots.get(&(100, 21)),
            Some(&B256::repeat_byte(0x5a))
        );
        assert_eq!(setup.state.relay(&data), Err(RelayError::AlreadyRelayed));
    }

    #[test]
    fn weight_equal_to_threshold_is_not_enough() {
        let setup = setup();
        // 10 + 40 = 50, not > 50.
        assert_eq!(
            setup.state.verify(&calldata(&setup, 21, &[0, 3])),
            Err(RelayError::NotEnoughWeight)
        );
    }

    #[test]
    fn stops_at_the_first_signature_that_passes_the_threshold() {
        let setup = setup();
        let mut data = calldata(&setup, 21, &[2, 3]);
        // Corrupt nothing the Relay reads: extra bytes after the counted signatures.
        data.extend_from_slice(&[0xff; 10]);
        assert!(setup.state.verify(&data).is_ok());
    }

    #[test]
    fn indices_must_be_strictly_increasing_and_in_range() {
        let setup = setup();
        let message = message(21);
        let a = sign(&setup.keys[3], 3, &message);
        let b = sign(&setup.keys[2], 2, &message);
        assert_eq!(
            relay_calldata(&setup.policy.encode().unwrap(), &message, &[a, b]),
            Err(RelayError::IndicesNotIncreasing {
                previous: 3,
                next: 2
            })
        );
        // Hand-build the out-of-order calldata the builder refuses.
        let mut data = calldata(&setup, 21, &[3]);
        let count_at = 4 + setup.policy.encode().unwrap().len() + PROTOCOL_MESSAGE_LEN;
        data[count_at + 1] = 2;
        data.extend_from_slice(&b.signature);
        data.extend_from_slice(&b.index.to_be_bytes());
        // 40 < 50 so the second signature is examined, and 2 < 3.
        assert_eq!(setup.state.verify(&data), Err(RelayError::IndexOutOfOrder));
        // A repeated index is out of order as well.
        let mut data = calldata(&setup, 21, &[3]);
        data[count_at + 1] = 2;
        data.extend_from_slice(&a.signature);
        data.extend_from_slice(&a.index.to_be_bytes());
        assert_eq!(setup.state.verify(&data), Err(RelayError::IndexOutOfOrder));
        let out_of_range = sign(&setup.keys[3], 4, &message);
        let data =
            relay_calldata(&setup.policy.encode().unwrap(), &message, &[out_of_range]).unwrap();
        assert_eq!(setup.state.verify(&data), Err(RelayError::IndexOutOfRange));
    }

    #[test]
    fn signatures_must_come_from_the_indexed_voter_with_v_27_or_28() {
        let setup = setup();
        let message = message(21);
        let policy = setup.policy.encode().unwrap();
        let wrong = sign(&setup.keys[0], 3, &message);
        let data = relay_calldata(&policy, &message, &[wrong]).unwrap();
        assert_eq!(setup.state.verify(&data), Err(RelayError::WrongSignature));
        let mut bad_v = sign(&setup.keys[3], 3, &message);
        bad_v.signature[0] -= 27;
        let data = relay_calldata(&policy, &message, &[bad_v]).unwrap();
        assert_eq!(setup.state.verify(&data), Err(RelayError::EcrecoverBadData));
    }

    #[test]
    fn the_policy_must_match_the_stored_hash() {
        let setup = setup();
        let mut data = calldata(&setup, 21, &[2, 3]);
        data[4 + 11] ^= 1; // a seed byte
        assert_eq!(
            setup.state.verify(&data),
            Err(RelayError::SigningPolicyHashMismatch)
        );
        assert_eq!(
            setup.state.verify(&RELAY_SELECTOR),
            Err(RelayError::InvalidSignPolicyMetadata)
        );
        let data = calldata(&setup, 21, &[2, 3]);
        assert_eq!(
            setup.state.verify(&data[..4 + 43 + 88]),
            Err(RelayError::InvalidSignPolicyLength)
        );
        assert_eq!(
            setup.state.verify(&data[..4 + 43 + 88 + 10]),
            Err(RelayError::TooShortMessage)
        );
        assert_eq!(
            setup.state.verify(&data[..4 + 43 + 88 + 38]),
            Err(RelayError::NoSignatureCount)
        );
        assert_eq!(
            setup.state.verify(&data[..data.len() - 1]),
            Err(RelayError::NotEnoughSignatures)
        );
    }

    #[test]
    fn round_and_epoch_rules() {
        let mut setup = setup();
        // Round 19 is in epoch 1, before the policy's epoch 2.
        assert_eq!(
            setup.state.verify(&calldata(&setup, 19, &[2, 3])),
            Err(RelayError::WrongSignPolicyRewardEpoch)
        );
        // A delayed start: the policy starts at round 22, round 21 is epoch 2 but too early.
        let delayed = SigningPolicy {
            start_voting_round_id: 22,
            ..setup.policy.clone()
        };
        setup.state.initialize_policy(&delayed).unwrap();
        setup.policy = delayed;
        assert_eq!(
            setup.state.verify(&calldata(&setup, 21, &[2, 3])),
            Err(RelayError::DelayedSignPolicy)
        );
        // Too old: epoch 2 message once epoch 13 is initialized (window 10).
        setup.state.last_initialized_reward_epoch = 13;
        assert_eq!(
            setup.state.verify(&calldata(&setup, 25, &[2, 3])),
            Err(RelayError::MessageTooOld)
        );
    }

    #[test]
    fn prolonged_epoch_raises_the_threshold_until_the_next_policy_exists() {
        let mut setup = setup();
        // Round 31 is in epoch 3, whose policy is not initialized: threshold 50 · 1.2 = 60.
        assert_eq!(
            setup.state.verify(&calldata(&setup, 31, &[1, 3])),
            Err(RelayError::NotEnoughWeight)
        );
        let outcome = setup
            .state
            .verify(&calldata(&setup, 31, &[0, 1, 3]))
            .unwrap();
        assert_eq!((outcome.threshold, outcome.signed_weight), (60, 70));
        // Once epoch 3's policy starts at round 33, round 31 may use epoch 2's policy with the
        // normal threshold, and round 33 must use the new one.
        setup.state.last_initialized_reward_epoch = 3;
        setup.state.starting_voting_round_ids.insert(3, 33);
        assert_eq!(
            setup
                .state
                .verify(&calldata(&setup, 31, &[1, 3]))
                .map(|o| o.threshold),
            Ok(50)
        );
        assert_eq!(
            setup.state.verify(&calldata(&setup, 33, &[1, 3])),
            Err(RelayError::MustUseNewSignPolicy)
        );
    }

    #[test]
    fn deployment_follows_the_initializer_rule() {
        let policy = SigningPolicy {
            reward_epoch_id: 1618,
            start_voting_round_id: 1_932_031,
            ..setup().policy
        };
        let config = RelayInitialConfig::aligned_with(&policy, 3360, 12_000, 10).unwrap();
        // 1932031 < 1618 · 3360, so the duration shrinks to 1932031 / 1618 = 1194.
        assert_eq!(config.reward_epoch_duration_in_voting_epochs, 1194);
        assert_eq!(
            config.first_reward_epoch_start_voting_round_id,
            1_932_031 - 1618 * 1194
        );
        let state = RelayState::deployed(config, &policy).unwrap();
        assert_eq!(state.expected_reward_epoch(1_932_031), Ok(1618));
        assert_eq!(state.last_initialized_reward_epoch, 1618);
        let late = RelayInitialConfig {
            first_reward_epoch_start_voting_round_id: config
                .first_reward_epoch_start_voting_round_id
                + 1,
            ..config
        };
        assert!(matches!(
            RelayState::deployed(late, &policy),
            Err(RelayConfigError::InvalidInitialStartingVotingRoundId { .. })
        ));
        let zero = RelayInitialConfig {
            reward_epoch_duration_in_voting_epochs: 0,
            ..config
        };
        assert_eq!(
            RelayState::deployed(zero, &policy),
            Err(RelayConfigError::RewardEpochDurationZero)
        );
        let epoch_zero = SigningPolicy {
            reward_epoch_id: 0,
            ..policy.clone()
        };
        let config = RelayInitialConfig::aligned_with(&epoch_zero, 3360, 12_000, 10).unwrap();
        assert_eq!(
            (
                config.first_reward_epoch_start_voting_round_id,
                config.reward_epoch_duration_in_voting_epochs
            ),
            (1_932_031, 3360)
        );
        let impossible = SigningPolicy {
            start_voting_round_id: 5,
            reward_epoch_id: 6,
            ..policy
        };
        assert_eq!(
            RelayInitialConfig::aligned_with(&impossible, 3360, 12_000, 10),
            None
        );
    }

    #[test]
    fn effective_threshold_uses_integer_bips() {
        assert_eq!(effective_threshold(32_748, false, 12_000), 32_748);
        assert_eq!(effective_threshold(32_748, true, 12_000), 39_297);
        assert_eq!(effective_threshold(32_750, true, 12_000), 39_300);
    }

    #[test]
    fn signature_selection_takes_the_heaviest_then_sorts_by_index() {
        let setup = setup();
        let message = message(21);
        let all: Vec<RelaySignature> = (0..4)
            .map(|i| sign(&setup.keys[i], i as u16, &message))
            .collect();
        let chosen = select_signatures(&setup.policy, &all, 50).unwrap();
        assert_eq!(
            chosen.iter().map(|s| s.index).collect::<Vec<_>>(),
            vec![2, 3]
        );
        assert_eq!(select_signatures(&setup.policy, &all[..2], 50), None);
        let data = relay_calldata(&setup.policy.encode().unwrap(), &message, &chosen).unwrap();
        assert!(setup.state.verify(&data).is_ok());
    }

    #[test]
    fn revert_reasons_match_the_error_text() {
        for error in [
            RelayError::NotEnoughWeight,
            RelayError::AlreadyRelayed,
            RelayError::SigningPolicyHashMismatch,
            RelayError::MustUseNewSignPolicy,
        ] {
            assert_eq!(error.revert_reason(), Some(error.to_string().as_str()));
        }
        assert_eq!(RelayError::Selector.revert_reason(), None);
    }
}
