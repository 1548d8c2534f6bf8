//! The signing policy of a reward epoch: its byte encoding (as the Relay stores, emits in
//! `SigningPolicyInitialized.signingPolicyBytes` and reads from `relay()` calldata) and its hashes.
//!
//! ```text
//! numberOfVoters u16 ‖ rewardEpochId u24 ‖ startVotingRoundId u32 ‖ threshold u16 ‖ seed 32
//! ‖ numberOfVoters × (signingPolicyAddress 20 ‖ weight u16)          (big-endian, 43 + 22·n bytes)
//! ```
//!
//! The hash the Relay stores (`toSigningPolicyHash`) and voters sign (`signNewSigningPolicy`) is
//! the **legacy chained keccak** over the 32-byte words of the zero-padded bytes
//! ([`legacy_hash`]), not keccak of the byte string. [`chain_bound_hash`] is the newer
//! `keccak256(uint256 chainId ‖ bytes)` scheme of a future Relay.

#![deny(clippy::indexing_slicing)]

use alloy_primitives::{Address, B256, U256, keccak256};

/// Length of the fixed header before the voter entries.
pub const HEADER_LEN: usize = 43;
/// Length of one voter entry (address ‖ weight).
pub const VOTER_ENTRY_LEN: usize = 22;
/// Largest reward epoch id the u24 field can hold.
pub const MAX_REWARD_EPOCH_ID: u32 = (1 << 24) - 1;

/// Why a signing policy could not be encoded or decoded.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SigningPolicyError {
    /// Fewer bytes than the header needs.
    #[error("signing policy needs at least {HEADER_LEN} bytes, got {0}")]
    TruncatedHeader(usize),
    /// Fewer bytes than the voter count announces.
    #[error("signing policy with {voters} voters needs {needed} bytes, got {len}")]
    TruncatedVoters {
        /// Announced voter count.
        voters: usize,
        /// Bytes the policy needs.
        needed: usize,
        /// Bytes available.
        len: usize,
    },
    /// Bytes remain after the announced voters (exact decoding only).
    #[error("signing policy of {expected} bytes has {extra} trailing bytes")]
    TrailingBytes {
        /// Encoded length of the policy.
        expected: usize,
        /// Extra bytes after it.
        extra: usize,
    },
    /// `voters` and `weights` differ in length.
    #[error("{voters} voters but {weights} weights")]
    LengthMismatch {
        /// Number of voters.
        voters: usize,
        /// Number of weights.
        weights: usize,
    },
    /// More voters than the u16 count can hold.
    #[error("{0} voters do not fit the u16 voter count")]
    TooManyVoters(usize),
    /// The reward epoch id does not fit 24 bits.
    #[error("reward epoch id {0} does not fit 24 bits")]
    RewardEpochTooLarge(u32),
}

/// The signing policy of one reward epoch.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SigningPolicy {
    /// Reward epoch the policy belongs to (24 bits).
    pub reward_epoch_id: u32,
    /// First voting round the policy signs for.
    pub start_voting_round_id: u32,
    /// Weight that signatures must strictly exceed.
    pub threshold: u16,
    /// Random seed of the epoch (finalizer selection).
    pub seed: B256,
    /// Signing-policy addresses, in policy order.
    pub voters: Vec<Address>,
    /// Normalised weights, parallel to `voters`.
    pub weights: Vec<u16>,
}

impl SigningPolicy {
    /// Encoded length of a policy with `voters` voters.
    pub fn encoded_len_for(voters: usize) -> usize {
        HEADER_LEN + VOTER_ENTRY_LEN * voters
    }

    /// Encodes the policy bytes exactly as the Relay emits them.
    pub fn encode(&self) -> Result<Vec<u8>, SigningPolicyError> {
        if self.voters.len() != self.weights.len() {
            return Err(SigningPolicyError::LengthMismatch {
                voters: self.voters.len(),
                weights: self.weights.len(),
            });
        }
        let count = u16::try_from(self.voters.len())
            .map_err(|_| SigningPolicyError::TooManyVoters(self.voters.len()))?;
        if self.reward_epoch_id > MAX_REWARD_EPOCH_ID {
            return Err(SigningPolicyError::RewardEpochTooLarge(
                self.reward_epoch_id,
            ));
        }
        let mut out = Vec::with_capacity(Self::encoded_len_for(self.voters.len()));
        out.extend_from_slice(&count.to_be_bytes());
        out.extend_from_slice(&self.reward_epoch_id.to_be_bytes()[1..]);
        out.extend_from_slice(&self.start_voting_round_id.to_be_bytes());
        out.extend_from_slice(&self.threshold.to_be_bytes());
        out.extend_from_slice(self.seed.as_slice());
        for (voter, weight) in self.voters.iter().zip(&self.weights) {
            out.extend_from_slice(voter.as_slice());
            out.extend_from_slice(&weight.to_be_bytes());
        }
        Ok(out)
    }

    /// Decodes a policy that fills `bytes` exactly.
    pub fn decode(bytes: &[u8]) -> Result<Self, SigningPolicyError> {
        let (policy, rest) = Self::decode_prefix(bytes)?;
        if !rest.is_empty() {
            return Err(SigningPolicyError::TrailingBytes {
                expected: bytes.len() - rest.len(),
                extra: rest.len(),
            });
        }
        Ok(policy)
    }

    /// Decodes a policy at the start of `bytes` (as in `relay()` calldata) and returns the rest.
    pub fn decode_prefix(bytes: &[u8]) -> Result<(Self, &[u8]), SigningPolicyError> {
        let (header, rest) = bytes
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(SigningPolicyError::TruncatedHeader(bytes.len()))?;
        let (count, header) = take::<2>(header);
        let (epoch, header) = take::<3>(header);
        let (start, header) = take::<4>(header);
        let (threshold, seed) = take::<2>(header);
        let count = usize::from(u16::from_be_bytes(count));
        let needed = Self::encoded_len_for(count);
        let (entries, rest) = rest.split_at_checked(needed - HEADER_LEN).ok_or(
            SigningPolicyError::TruncatedVoters {
                voters: count,
                needed,
                len: bytes.len(),
            },
        )?;
        let mut voters = Vec::with_capacity(count);
        let mut weights = Vec::with_capacity(count);
        for entry in entries.chunks_exact(VOTER_ENTRY_LEN) {
            let (address, weight) = entry.split_at(20);
            voters.push(Address::from_slice(address));
            weights.push(u16::from_be_bytes(weight.try_into().unwrap_or_default()));
        }
        let [e0, e1, e2] = epoch;
        Ok((
            Self {
                reward_epoch_id: u32::from_be_bytes([0, e0, e1, e2]),
                start_voting_round_id: u32::from_be_bytes(start),
                threshold: u16::from_be_bytes(threshold),
                seed: B256::from_slice(seed),
                voters,
                weights,
            },
            rest,
        ))
    }

    /// Sum of all weights (normalised weights sum to at most 65535, but this does not assume it).
    pub fn total_weight(&self) -> u64 {
        self.weights.iter().map(|w| u64::from(*w)).sum()
    }

    /// Index of `address` among the voters, if it is one.
    pub fn voter_index(&self, address: &Address) -> Option<usize> {
        self.voters.iter().position(|voter| voter == address)
    }

    /// The seed as an integer (`SigningPolicyInitialized.seed`).
    pub fn seed_u256(&self) -> U256 {
        U256::from_be_bytes(self.seed.0)
    }

    /// The legacy chained hash of the encoded policy (what the Relay stores).
    pub fn legacy_hash(&self) -> Result<B256, SigningPolicyError> {
        Ok(legacy_hash(&self.encode()?))
    }
}

/// Splits a fixed array prefix off a slice that is known to be long enough.
fn take<const N: usize>(bytes: &[u8]) -> ([u8; N], &[u8]) {
    match bytes.split_first_chunk::<N>() {
        Some((head, rest)) => (*head, rest),
        None => ([0; N], &[]),
    }
}

/// The legacy signing-policy hash: zero-pad `bytes` to a multiple of 32 (and to at least two
/// words), then `h = keccak(w0 ‖ w1)` and `h = keccak(h ‖ w_i)` for every further word.
pub fn legacy_hash(bytes: &[u8]) -> B256 {
    let words = bytes.len().div_ceil(32).max(2);
    let mut padded = bytes.to_vec();
    padded.resize(words * 32, 0);
    let mut chunks = padded.chunks_exact(32);
    let mut buffer = [0u8; 64];
    let (first, second) = buffer.split_at_mut(32);
    first.copy_from_slice(chunks.next().unwrap_or_default());
    second.copy_from_slice(chunks.next().unwrap_or_default());
    let mut hash = keccak256(buffer);
    for word in chunks {
        let (first, second) = buffer.split_at_mut(32);
        first.copy_from_slice(hash.as_slice());
        second.copy_from_slice(word);
        hash = keccak256(buffer);
    }
    hash
}

/// The chain-bound signing-policy hash of a future Relay: `keccak256(uint256(chainId) ‖ bytes)`.
pub fn chain_bound_hash(chain_id: u64, bytes: &[u8]) -> B256 {
    let mut buffer = Vec::with_capacity(32 + bytes.len());
    buffer.extend_from_slice(&U256::from(chain_id).to_be_bytes::<32>());
    buffer.extend_from_slice(bytes);
    keccak256(buffer)
}

/// Which signing-policy hash scheme a Relay uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyHashScheme {
    /// The chained keccak over padded words (`Relay.sol` of flare-smart-contracts-v2 main).
    Legacy,
    /// `keccak256(uint256 chainId ‖ bytes)`, the scheme of a newer Relay.
    ChainBound,
}

/// The hash of `bytes` that equals `stored` (the Relay's `toSigningPolicyHash`), trying the
/// legacy scheme first, then the chain-bound one. `None` means neither matches: do not sign.
pub fn matching_hash(
    bytes: &[u8],
    chain_id: u64,
    stored: &B256,
) -> Option<(PolicyHashScheme, B256)> {
    let legacy = legacy_hash(bytes);
    if legacy == *stored {
        return Some((PolicyHashScheme::Legacy, legacy));
    }
    let bound = chain_bound_hash(chain_id, bytes);
    (bound == *stored).then_some((PolicyHashScheme::ChainBound, bound))
}

/// Why a policy was refused by a [`PolicyStore`].
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PolicyStoreError {
    /// The policy is not for the epoch after the last stored one.
    #[error("signing policy for epoch {got} does not follow epoch {last}")]
    NotNextEpoch {
        /// Epoch of the refused policy.
        got: u32,
        /// Last stored epoch.
        last: u32,
    },
    /// The policy does not start after the last stored one.
    #[error("signing policy starting at round {got} does not start after round {last}")]
    NotLaterStart {
        /// Start round of the refused policy.
        got: u32,
        /// Start round of the last stored policy.
        last: u32,
    },
}

/// Consecutive signing policies, as the reference finalizer stores them: each added policy must
/// be for the next reward epoch and start at a later voting round; a round is signed with the
/// latest policy starting at or before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyStore {
    policies: Vec<SigningPolicy>,
}

impl PolicyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next policy (strictly consecutive, as Go's `Add`).
    pub fn add(&mut self, policy: SigningPolicy) -> Result<(), PolicyStoreError> {
        if let Some(last) = self.policies.last() {
            if Some(policy.reward_epoch_id) != last.reward_epoch_id.checked_add(1) {
                return Err(PolicyStoreError::NotNextEpoch {
                    got: policy.reward_epoch_id,
                    last: last.reward_epoch_id,
                });
            }
            if policy.start_voting_round_id <= last.start_voting_round_id {
                return Err(PolicyStoreError::NotLaterStart {
                    got: policy.start_voting_round_id,
                    last: last.start_voting_round_id,
                });
            }
        }
        self.policies.push(policy);
        Ok(())
    }

    /// The policy that signs `voting_round_id`: the latest one starting at or before it.
    pub fn for_voting_round(&self, voting_round_id: u32) -> Option<&SigningPolicy> {
        self.policies
            .iter()
            .rev()
            .find(|p| p.start_voting_round_id <= voting_round_id)
    }

    /// The last stored policy.
    pub fn last(&self) -> Option<&SigningPolicy> {
        self.policies.last()
    }

    /// Whether `policy` is the last stored one.
    pub fn is_last(&self, policy: &SigningPolicy) -> bool {
        self.last()
            .is_some_and(|last| last.reward_epoch_id == policy.reward_epoch_id)
    }

    /// Drops policies that can no longer sign a round `≥ lowest_round` (their successor starts
    /// at or before it).
    pub fn prune(&mut self, lowest_round: u32) {
        let keep_from = self
            .policies
            .windows(2)
            .take_while(
                |pair| matches!(pair, [_, next] if next.start_voting_round_id <= lowest_round),
            )
            .count();
        self.policies.drain(..keep_from);
    }

    /// Number of stored policies.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// Whether no policy is stored.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    reason = "tests index fixed-layout test data"
)]
mod tests {
    use super::*;

    fn one_voter() -> SigningPolicy {
        SigningPolicy {
            reward_epoch_id: 1,
            start_voting_round_id: 1,
            threshold: 1,
            seed: B256::from(U256::from(1)),
            voters: vec![
                "0x78aa142e34c7d9019ac2e0c04f660cf1c544c86b"
                    .parse()
                    .unwrap(),
            ],
            weights: vec![2],
        }
    }

    #[test]
    fn encodes_the_relay_layout() {
        let bytes = one_voter().encode().unwrap();
        let want = "0001000001000000010001000000000000000000000000000000000000000000000000000000000000000178aa142e34c7d9019ac2e0c04f660cf1c544c86b0002";
        assert_eq!(hex_string(&bytes), want);
        assert_eq!(SigningPolicy::decode(&bytes).unwrap(), one_voter());
    }

    fn hex_string(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn decode_reports_truncation_and_trailing_bytes() {
        let bytes = one_voter().encode().unwrap();
        assert_eq!(
            SigningPolicy::decode(&bytes[..42]),
            Err(SigningPolicyError::TruncatedHeader(42))
        );
        assert_eq!(
            SigningPolicy::decode(&bytes[..64]),
            Err(SigningPolicyError::TruncatedVoters {
                voters: 1,
                needed: 65,
                len: 64
            })
        );
        let mut longer = bytes.clone();
        longer.push(9);
        assert_eq!(
            SigningPolicy::decode(&longer),
            Err(SigningPolicyError::TrailingBytes {
                expected: 65,
                extra: 1
            })
        );
        let (policy, rest) = SigningPolicy::decode_prefix(&longer).unwrap();
        assert_eq!((policy, rest), (one_voter(), &[9u8][..]));
    }

    #[test]
    fn encode_rejects_inconsistent_policies() {
        let mut policy = one_voter();
        policy.weights.push(3);
        assert!(matches!(
            policy.encode(),
            Err(SigningPolicyError::LengthMismatch { .. })
        ));
        let mut policy = one_voter();
        policy.reward_epoch_id = 1 << 24;
        assert_eq!(
            policy.encode(),
            Err(SigningPolicyError::RewardEpochTooLarge(1 << 24))
        );
    }

    fn policy(epoch: u32, start: u32) -> SigningPolicy {
        SigningPolicy {
            reward_epoch_id: epoch,
            start_voting_round_id: start,
            ..one_voter()
        }
    }

    #[test]
    fn policy_store_is_strictly_consecutive_and_picks_the_latest_start() {
        let mut store = PolicyStore::new();
        store.add(policy(5, 100)).unwrap();
        assert_eq!(
            store.add(policy(7, 300)),
            Err(PolicyStoreError::NotNextEpoch { got: 7, last: 5 })
        );
        assert_eq!(
            store.add(policy(6, 100)),
            Err(PolicyStoreError::NotLaterStart {
                got: 100,
                last: 100
            })
        );
        store.add(policy(6, 203)).unwrap();
        store.add(policy(7, 300)).unwrap();
        assert_eq!(store.for_voting_round(99), None);
        assert_eq!(
            store.for_voting_round(202).map(|p| p.reward_epoch_id),
            Some(5)
        );
        assert_eq!(
            store.for_voting_round(203).map(|p| p.reward_epoch_id),
            Some(6)
        );
        assert_eq!(
            store.for_voting_round(10_000).map(|p| p.reward_epoch_id),
            Some(7)
        );
        assert!(store.is_last(&policy(7, 300)));
        store.prune(250);
        assert_eq!(store.len(), 2);
        assert_eq!(
            store.for_voting_round(250).map(|p| p.reward_epoch_id),
            Some(6)
        );
        store.prune(300);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn matching_hash_picks_the_scheme_the_relay_stores() {
        let bytes = one_voter().encode().unwrap();
        let legacy = legacy_hash(&bytes);
        let bound = chain_bound_hash(14, &bytes);
        assert_eq!(
            matching_hash(&bytes, 14, &legacy),
            Some((PolicyHashScheme::Legacy, legacy))
        );
        assert_eq!(
            matching_hash(&bytes, 14, &bound),
            Some((PolicyHashScheme::ChainBound, bound))
        );
        assert_eq!(matching_hash(&bytes, 19, &bound), None);
    }

    #[test]
    fn legacy_hash_chains_words_and_differs_from_plain_keccak() {
        let bytes = one_voter().encode().unwrap();
        let mut padded = bytes.clone();
        padded.resize(96, 0);
        let first = keccak256(&padded[..64]);
        let mut chained = first.to_vec();
        chained.extend_from_slice(&padded[64..96]);
        assert_eq!(legacy_hash(&bytes), keccak256(&chained));
        assert_ne!(legacy_hash(&bytes), keccak256(&bytes));
    }
}
