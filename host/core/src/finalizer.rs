//! Finalizer selection: which voters are the "selected" finalizers of a (protocol, round).
//!
//! As in the Go system client (and the TypeScript reward calculator):
//!
//! * `initialHashSeed = keccak256(seed ‖ uint256(protocolId) ‖ uint256(votingRoundId))`;
//! * `thresholds[i]` are the exclusive prefix sums of the weights, `TW` their total;
//! * `target = floor(TW · thresholdBips / 10000)`;
//! * starting from the initial seed, while the selected weight is below `target`: pick
//!   `search(uint256(cur) mod TW)`, add it if not yet selected, and **always** rehash
//!   `cur = keccak256(cur)`.
//!
//! The binary search is replicated exactly, since zero-weight voters make equal thresholds and
//! "any index with `thresholds[i] ≤ v`" would be ambiguous.
//!
//! [`SignatureCollection`] gathers other voters' signatures for one message the way the
//! reference finalizer does and yields `relay()` calldata once the weight passes the threshold.

#![deny(clippy::indexing_slicing)]

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, U256, keccak256};

use crate::protocol_message::PROTOCOL_MESSAGE_LEN;
use crate::relay::{RelaySignature, relay_calldata, select_signatures};
use crate::signing::{self, VRS_SIGNATURE_LEN};
use crate::signing_policy::SigningPolicy;

/// Default `voter_threshold_bips` of the reference finalizer (5 %).
pub const DEFAULT_VOTER_THRESHOLD_BIPS: u16 = 500;

/// Why selection could not run.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FinalizerError {
    /// `voters` and `weights` differ in length.
    #[error("{voters} voters but {weights} weights")]
    LengthMismatch {
        /// Number of voters.
        voters: usize,
        /// Number of weights.
        weights: usize,
    },
    /// The total weight is zero while some weight is needed (the reference divides by zero).
    #[error("total weight is zero")]
    ZeroTotalWeight,
    /// The threshold is above 100 %.
    #[error("threshold of {0} bips is above 10000")]
    ThresholdTooHigh(u16),
}

/// `keccak256(seed ‖ uint256(protocolId) ‖ uint256(votingRoundId))`.
pub fn initial_hash_seed(seed: &B256, protocol_id: u8, voting_round_id: u32) -> B256 {
    let mut buffer = [0u8; 96];
    let (first, rest) = buffer.split_at_mut(32);
    first.copy_from_slice(seed.as_slice());
    let (second, third) = rest.split_at_mut(32);
    second.copy_from_slice(&U256::from(protocol_id).to_be_bytes::<32>());
    third.copy_from_slice(&U256::from(voting_round_id).to_be_bytes::<32>());
    keccak256(buffer)
}

/// Exclusive prefix sums of the weights: `thresholds[i] = Σ_{j<i} weights[j]`.
pub fn thresholds(weights: &[u64]) -> Vec<u64> {
    weights
        .iter()
        .scan(0u64, |sum, w| {
            let start = *sum;
            *sum += w;
            Some(start)
        })
        .collect()
}

/// The reference binary search over exclusive prefix sums; `None` only for an empty list.
///
/// `if thresholds[n-1] ≤ v return n-1`; otherwise bisect with `mid = (left+right)/2`, moving
/// `left = mid+1` below `v`, `right = mid` above it and returning `mid` on equality, and
/// finally return `left - 1`.
pub fn binary_search(thresholds: &[u64], value: u64) -> Option<usize> {
    let last = thresholds.len().checked_sub(1)?;
    if thresholds.get(last).is_some_and(|t| *t <= value) {
        return Some(last);
    }
    let (mut left, mut right) = (0usize, last);
    while left < right {
        let mid = (left + right) / 2;
        let at_mid = thresholds.get(mid).copied().unwrap_or_default();
        if at_mid < value {
            left = mid + 1;
        } else if at_mid > value {
            right = mid;
        } else {
            return Some(mid);
        }
    }
    // thresholds[0] = 0 ≤ value, so the loop never ends with left = 0.
    Some(left.saturating_sub(1))
}

/// Indices of the selected finalizers, in selection order.
pub fn select_finalizers(
    weights: &[u64],
    seed: &B256,
    protocol_id: u8,
    voting_round_id: u32,
    threshold_bips: u16,
) -> Result<Vec<usize>, FinalizerError> {
    if threshold_bips > 10_000 {
        return Err(FinalizerError::ThresholdTooHigh(threshold_bips));
    }
    let total: u64 = weights.iter().sum();
    let target = u128::from(total) * u128::from(threshold_bips) / 10_000;
    if target == 0 {
        return Ok(Vec::new());
    }
    if total == 0 {
        return Err(FinalizerError::ZeroTotalWeight);
    }
    let thresholds = thresholds(weights);
    let modulus = U256::from(total);
    let mut selected = Vec::new();
    let mut chosen = vec![false; weights.len()];
    let mut selected_weight = 0u128;
    let mut current = initial_hash_seed(seed, protocol_id, voting_round_id);
    while selected_weight < target {
        let value = U256::from_be_bytes(current.0) % modulus;
        // value < total ≤ u64::MAX, so the conversion cannot fail.
        let value = u64::try_from(value).unwrap_or(u64::MAX);
        if let Some(index) = binary_search(&thresholds, value)
            && let Some(flag) = chosen.get_mut(index)
            && !*flag
        {
            *flag = true;
            selected.push(index);
            selected_weight += u128::from(weights.get(index).copied().unwrap_or_default());
        }
        current = keccak256(current);
    }
    Ok(selected)
}

/// Selected finalizer addresses for `voters`/`weights` in policy order.
pub fn select_finalizer_addresses(
    voters: &[Address],
    weights: &[u16],
    seed: &B256,
    protocol_id: u8,
    voting_round_id: u32,
    threshold_bips: u16,
) -> Result<Vec<Address>, FinalizerError> {
    if voters.len() != weights.len() {
        return Err(FinalizerError::LengthMismatch {
            voters: voters.len(),
            weights: weights.len(),
        });
    }
    let weights: Vec<u64> = weights.iter().map(|w| u64::from(*w)).collect();
    Ok(
        select_finalizers(&weights, seed, protocol_id, voting_round_id, threshold_bips)?
            .into_iter()
            .filter_map(|i| voters.get(i).copied())
            .collect(),
    )
}

/// What happened to a signature offered to a [`SignatureCollection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// Counted; `threshold_reached` is true exactly once, for the signature that passed it.
    Added {
        /// Policy index of the signer.
        index: u16,
        /// Accumulated weight.
        weight: u64,
        /// Whether this signature brought the weight strictly above the threshold.
        threshold_reached: bool,
    },
    /// The signer already signed this message.
    Duplicate {
        /// Policy index of the signer.
        index: u16,
    },
    /// The signature recovers to an address outside the policy (e.g. a signature over another
    /// message, which recovers to a random address).
    NotAVoter(Address),
    /// The signature is malformed (v not 27/28, or not recoverable).
    Invalid,
}

/// The signatures collected for one (round, protocol, message), as the reference finalizer
/// keeps them: each voter counted once, weight summed, threshold reached when the weight is
/// strictly greater than the threshold.
#[derive(Debug, Clone)]
pub struct SignatureCollection {
    policy: SigningPolicy,
    threshold: u64,
    message: [u8; PROTOCOL_MESSAGE_LEN],
    message_hash: B256,
    signatures: BTreeMap<u16, [u8; VRS_SIGNATURE_LEN]>,
    weight: u64,
}

impl SignatureCollection {
    /// A collection for `message` signed under `policy`, with the threshold to pass (the
    /// policy's, or the raised one for a prolonged epoch: [`crate::relay::effective_threshold`]).
    pub fn new(policy: SigningPolicy, threshold: u64, message: [u8; PROTOCOL_MESSAGE_LEN]) -> Self {
        Self {
            policy,
            threshold,
            message_hash: keccak256(message),
            message,
            signatures: BTreeMap::new(),
            weight: 0,
        }
    }

    /// Offers one `v ‖ r ‖ s` signature over the collection's message.
    pub fn add(&mut self, signature: &[u8; VRS_SIGNATURE_LEN]) -> AddOutcome {
        let Ok(parsed) = signing::from_vrs_bytes(signature) else {
            return AddOutcome::Invalid;
        };
        let Ok(signer) = signing::recover_eip191(&parsed, &self.message_hash) else {
            return AddOutcome::Invalid;
        };
        let Some(index) = self
            .policy
            .voter_index(&signer)
            .and_then(|i| u16::try_from(i).ok())
        else {
            return AddOutcome::NotAVoter(signer);
        };
        if self.signatures.contains_key(&index) {
            return AddOutcome::Duplicate { index };
        }
        self.signatures.insert(index, *signature);
        let before = self.weight;
        self.weight += self
            .policy
            .weights
            .get(usize::from(index))
            .map_or(0, |w| u64::from(*w));
        AddOutcome::Added {
            index,
            weight: self.weight,
            threshold_reached: before <= self.threshold && self.weight > self.threshold,
        }
    }

    /// Accumulated weight.
    pub fn weight(&self) -> u64 {
        self.weight
    }

    /// Whether the weight is strictly above the threshold.
    pub fn threshold_reached(&self) -> bool {
        self.weight > self.threshold
    }

    /// The `relay()` calldata with the reference's signature choice (heaviest first until the
    /// threshold is passed, then in index order); `None` below the threshold.
    pub fn relay_calldata(&self) -> Option<Vec<u8>> {
        let all: Vec<RelaySignature> = self
            .signatures
            .iter()
            .map(|(index, signature)| RelaySignature {
                index: *index,
                signature: *signature,
            })
            .collect();
        let chosen = select_signatures(&self.policy, &all, self.threshold)?;
        let policy = self.policy.encode().ok()?;
        relay_calldata(&policy, &self.message, &chosen).ok()
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests index fixed test data")]
mod tests {
    use super::*;

    #[test]
    fn initial_hash_seed_matches_the_reference() {
        let seed = B256::from(U256::from(1));
        assert_eq!(
            initial_hash_seed(&seed, 2, 3).to_string(),
            "0x6e0c627900b24bd432fe7b1f713f1b0744091a646a9fe4a65a18dfed21f2949c"
        );
    }

    #[test]
    fn binary_search_returns_the_voter_whose_range_holds_the_value() {
        let th = thresholds(&[100, 200, 300, 400, 500]);
        let cases = [(0, 0), (99, 0), (100, 1), (299, 1), (300, 2), (1005, 4)];
        for (value, index) in cases {
            assert_eq!(binary_search(&th, value), Some(index), "value {value}");
        }
        assert_eq!(binary_search(&[], 5), None);
    }

    #[test]
    fn binary_search_with_zero_weights_follows_the_reference() {
        // Voter 1 has weight 0: thresholds [0, 10, 10]. Value 10 hits mid = 1 exactly, so the
        // reference returns the zero-weight voter.
        let th = thresholds(&[10, 0, 5]);
        assert_eq!(th, vec![0, 10, 10]);
        assert_eq!(binary_search(&th, 10), Some(2));
        assert_eq!(binary_search(&th, 9), Some(0));
        let th = thresholds(&[10, 0, 5, 5]);
        assert_eq!(binary_search(&th, 10), Some(1));
    }

    #[test]
    fn collection_counts_each_voter_once_and_reaches_the_threshold_once() {
        use alloy_signer_local::PrivateKeySigner;

        use crate::protocol_message::ProtocolMessageMerkleRoot;
        use crate::relay::RelayState;

        let keys: Vec<PrivateKeySigner> = (1..=3u8)
            .map(|i| PrivateKeySigner::from_bytes(&B256::repeat_byte(i)).unwrap())
            .collect();
        let policy = SigningPolicy {
            reward_epoch_id: 1,
            start_voting_round_id: 10,
            threshold: 50,
            seed: B256::ZERO,
            voters: keys.iter().map(PrivateKeySigner::address).collect(),
            weights: vec![30, 30, 40],
        };
        let message = ProtocolMessageMerkleRoot {
            protocol_id: 100,
            voting_round_id: 12,
            is_secure_random: true,
            merkle_root: B256::repeat_byte(3),
        }
        .encode();
        let sign = |key: &PrivateKeySigner, message: &[u8]| {
            signing::to_vrs_bytes(&signing::sign_eip191(key, &keccak256(message)).unwrap())
        };
        let mut collection = SignatureCollection::new(policy.clone(), 50, message);
        assert_eq!(
            collection.add(&sign(&keys[0], &message)),
            AddOutcome::Added {
                index: 0,
                weight: 30,
                threshold_reached: false
            }
        );
        assert!(collection.relay_calldata().is_none());
        assert_eq!(
            collection.add(&sign(&keys[0], &message)),
            AddOutcome::Duplicate { index: 0 }
        );
        assert!(matches!(
            collection.add(&sign(&keys[1], b"another message")),
            AddOutcome::NotAVoter(_)
        ));
        let mut bad = sign(&keys[1], &message);
        bad[0] = 0;
        assert_eq!(collection.add(&bad), AddOutcome::Invalid);
        assert_eq!(
            collection.add(&sign(&keys[2], &message)),
            AddOutcome::Added {
                index: 2,
                weight: 70,
                threshold_reached: true
            }
        );
        assert_eq!(
            collection.add(&sign(&keys[1], &message)),
            AddOutcome::Added {
                index: 1,
                weight: 100,
                threshold_reached: false
            }
        );
        let calldata = collection.relay_calldata().unwrap();
        let mut relay = RelayState {
            reward_epoch_duration_in_voting_epochs: 10,
            threshold_increase_bips: 12_000,
            message_finalization_window_in_reward_epochs: 10,
            ..RelayState::default()
        };
        relay.initialize_policy(&policy).unwrap();
        let outcome = relay.relay(&calldata).unwrap();
        // Heaviest first: voter 2 (40) and one of the 30s pass 50.
        assert_eq!(outcome.signed_weight, 70);
    }

    #[test]
    fn zero_target_selects_nobody_and_zero_weight_is_an_error_only_when_needed() {
        assert_eq!(
            select_finalizers(&[0, 0], &B256::ZERO, 1, 1, 500),
            Ok(vec![])
        );
        assert_eq!(
            select_finalizers(&[1], &B256::ZERO, 1, 1, 10_001),
            Err(FinalizerError::ThresholdTooHigh(10_001))
        );
    }
}
