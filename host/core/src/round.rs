//! The full result of an FTSO voting round (the reference's `calculateResultsForVotingRound`).
//!
//! ```text
//! voters (signing-policy order: weight, reveal, benched) ─┬─▶ per feed: weighted median ─▶ Feed leaf
//!                                                         └─▶ round random ─────────────▶ Random leaf
//! [Random leaf, Feed leaf 0 … n−1] ─▶ Merkle tree ─▶ root ─▶ 38-byte ProtocolMessageMerkleRoot
//! ```
//!
//! * `totalVotingWeight` is the sum of **all** voters' weights, revealers or not;
//! * voters without a valid reveal count as empty in every median; benched voters still count;
//! * `turnoutBIPS = ⌊participatingWeight · 10000 / totalVotingWeight⌋`;
//! * a feed's leaf value is its median, or 0 when nobody provided it;
//! * leaves are `keccak256(abi.encode(struct))` of `IFtsoFeedPublisher.Feed` / `.Random`.
//!
//! Like the reference, a round without any valid reveal fails, and so does a round whose total
//! weight is 0 (when it has feeds: the turnout divides by it).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::SolValue;

use crate::commit::FTSO_PROTOCOL_ID;
use crate::feed::FeedId;
use crate::median::{self, MedianError, MedianResult};
use crate::merkle::MerkleTree;
use crate::protocol_message::ProtocolMessageMerkleRoot;
use crate::random::{self, RandomParticipant, RoundRandom};

/// Solidity structs of the result tree's leaves (`IFtsoFeedPublisher`, `FtsoMerkleStructs`).
pub mod abi {
    alloy_sol_types::sol! {
        /// `IFtsoFeedPublisher.Feed`: one feed's result; a static tuple of 5 words.
        #[derive(Debug, PartialEq, Eq, Hash)]
        struct Feed {
            uint32 votingRoundId;
            bytes21 id;
            int32 value;
            uint16 turnoutBIPS;
            int8 decimals;
        }

        /// `IFtsoFeedPublisher.Random`: the round random; a static tuple of 3 words.
        #[derive(Debug, PartialEq, Eq, Hash)]
        struct Random {
            uint32 votingRoundId;
            uint256 value;
            bool isSecure;
        }
    }
}

/// Basis points in 100 %.
const BIPS: u16 = 10_000;

/// Why a round's result could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoundError {
    /// No voter has a valid reveal.
    #[error("no valid reveals for voting round {voting_round_id}")]
    NoValidReveal {
        /// The round.
        voting_round_id: u32,
    },
    /// The total voting weight is 0, so the turnout is undefined.
    #[error("total voting weight of voting round {voting_round_id} is 0")]
    ZeroTotalWeight {
        /// The round.
        voting_round_id: u32,
    },
    /// The sum of the weights (or a turnout product) does not fit in 256 bits.
    #[error("voting weights of voting round {voting_round_id} overflow 256 bits")]
    WeightOverflow {
        /// The round.
        voting_round_id: u32,
    },
    /// A voter's decoded values do not have one entry per feed.
    #[error("voter {voter} has {values} value(s) for {feeds} feed(s)")]
    ValueCount {
        /// Index of the voter in signing-policy order.
        voter: usize,
        /// Number of values given.
        values: usize,
        /// Number of feeds.
        feeds: usize,
    },
    /// A feed's median is undefined.
    #[error("median of feed {feed} is undefined")]
    Median {
        /// The feed.
        feed: FeedId,
        /// Why.
        source: MedianError,
    },
}

/// A feed of the reward epoch: its id and decimals, in canonical feed order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FeedDefinition {
    /// The feed id.
    pub id: FeedId,
    /// The feed's decimals.
    pub decimals: i8,
}

/// What a voter contributed to the round.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VoterSubmission {
    /// Committed and revealed in time, and the reveal opens the commit.
    Valid {
        /// The revealed random.
        random: B256,
        /// Decoded values, one per feed (`None` = empty).
        values: Vec<Option<i32>>,
    },
    /// Eligible voter that committed but has no valid reveal: a reveal offender of this round.
    Offender,
    /// Neither a commit nor a valid reveal; not an offender.
    None,
}

/// One voter of the round, in signing-policy order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Voter {
    /// The voter's submit address.
    pub submit_address: Address,
    /// Median voting weight.
    pub weight: U256,
    /// The voter's submission.
    pub submission: VoterSubmission,
    /// Whether the voter is a reveal offender of the benching window.
    pub benched: bool,
}

/// One feed's result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedResult {
    /// The feed.
    pub feed: FeedDefinition,
    /// Median, quartiles and participating weight.
    pub median: MedianResult,
    /// `⌊participatingWeight · 10000 / totalVotingWeight⌋`.
    pub turnout_bips: u16,
    /// The Feed struct of the leaf.
    pub leaf: abi::Feed,
    /// `keccak256(abi.encode(leaf))`.
    pub leaf_hash: B256,
}

/// The full result of a voting round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundResult {
    /// The voting round.
    pub voting_round_id: u32,
    /// The round random.
    pub random: RoundRandom,
    /// `keccak256(abi.encode(Random))`.
    pub random_leaf_hash: B256,
    /// Sum of all voters' weights.
    pub total_voting_weight: U256,
    /// One result per feed, in feed order.
    pub feeds: Vec<FeedResult>,
    /// The result tree over `[random leaf, feed leaves…]`.
    pub tree: MerkleTree,
    /// The tree's root.
    pub merkle_root: B256,
}

impl RoundResult {
    /// The 38-byte message signed for this round (what `submitSignatures` returns).
    pub fn protocol_message(&self) -> ProtocolMessageMerkleRoot {
        ProtocolMessageMerkleRoot {
            protocol_id: FTSO_PROTOCOL_ID,
            voting_round_id: self.voting_round_id,
            is_secure_random: self.random.is_secure,
            merkle_root: self.merkle_root,
        }
    }

    /// The Random struct of the random leaf.
    pub fn random_leaf(&self) -> abi::Random {
        random_leaf(self.voting_round_id, &self.random)
    }

    /// The Merkle proof of a feed's leaf, by feed index.
    pub fn feed_proof(&self, index: usize) -> Option<Vec<B256>> {
        let feed = self.feeds.get(index)?;
        self.tree.proof(&feed.leaf_hash)
    }
}

/// The Random struct for a round random.
pub fn random_leaf(voting_round_id: u32, random: &RoundRandom) -> abi::Random {
    abi::Random {
        votingRoundId: voting_round_id,
        value: random.value,
        isSecure: random.is_secure,
    }
}

/// `keccak256(abi.encode(feed))`.
pub fn feed_leaf_hash(feed: &abi::Feed) -> B256 {
    keccak256(feed.abi_encode())
}

/// `keccak256(abi.encode(random))`.
pub fn random_leaf_hash(random: &abi::Random) -> B256 {
    keccak256(random.abi_encode())
}

/// Computes the result of voting round `voting_round_id`.
pub fn calculate_round(
    voting_round_id: u32,
    feeds: &[FeedDefinition],
    voters: &[Voter],
) -> Result<RoundResult, RoundError> {
    let has_valid = voters
        .iter()
        .any(|v| matches!(v.submission, VoterSubmission::Valid { .. }));
    if !has_valid {
        return Err(RoundError::NoValidReveal { voting_round_id });
    }
    let overflow = RoundError::WeightOverflow { voting_round_id };
    let total_voting_weight = voters
        .iter()
        .try_fold(U256::ZERO, |sum, v| sum.checked_add(v.weight))
        .ok_or_else(|| overflow.clone())?;

    for (index, voter) in voters.iter().enumerate() {
        if let VoterSubmission::Valid { values, .. } = &voter.submission
            && values.len() != feeds.len()
        {
            return Err(RoundError::ValueCount {
                voter: index,
                values: values.len(),
                feeds: feeds.len(),
            });
        }
    }

    let mut votes: Vec<(i32, U256)> = Vec::with_capacity(voters.len());
    let mut feed_results = Vec::with_capacity(feeds.len());
    for (feed_index, feed) in feeds.iter().enumerate() {
        votes.clear();
        votes.extend(voters.iter().filter_map(|voter| {
            match &voter.submission {
                VoterSubmission::Valid { values, .. } => values
                    .get(feed_index)
                    .copied()
                    .flatten()
                    .map(|value| (value, voter.weight)),
                VoterSubmission::Offender | VoterSubmission::None => None,
            }
        }));
        let median = median::median_of_votes(&mut votes).map_err(|source| RoundError::Median {
            feed: feed.id,
            source,
        })?;
        let turnout_bips = turnout_bips(median.participating_weight, total_voting_weight)
            .ok_or_else(|| {
                if total_voting_weight.is_zero() {
                    RoundError::ZeroTotalWeight { voting_round_id }
                } else {
                    overflow.clone()
                }
            })?;
        let leaf = abi::Feed {
            votingRoundId: voting_round_id,
            id: feed.id.0,
            value: median.median.unwrap_or(0),
            turnoutBIPS: turnout_bips,
            decimals: feed.decimals,
        };
        feed_results.push(FeedResult {
            feed: *feed,
            median,
            turnout_bips,
            leaf_hash: feed_leaf_hash(&leaf),
            leaf,
        });
    }

    let random = random::round_random(voters.iter().map(|voter| match &voter.submission {
        VoterSubmission::Valid { random, .. } => RandomParticipant::Revealed {
            random: *random,
            benched: voter.benched,
        },
        VoterSubmission::Offender => RandomParticipant::Offender {
            benched: voter.benched,
        },
        VoterSubmission::None => RandomParticipant::Absent,
    }));
    let random_leaf_hash = random_leaf_hash(&random_leaf(voting_round_id, &random));
    let tree = MerkleTree::new(
        std::iter::once(random_leaf_hash).chain(feed_results.iter().map(|f| f.leaf_hash)),
    );
    // The tree always holds the random leaf, so it has a root.
    let merkle_root = tree.root().unwrap_or(random_leaf_hash);
    Ok(RoundResult {
        voting_round_id,
        random,
        random_leaf_hash,
        total_voting_weight,
        feeds: feed_results,
        tree,
        merkle_root,
    })
}

/// `⌊participating · 10000 / total⌋`; `None` when `total` is 0 or the product overflows.
fn turnout_bips(participating: U256, total: U256) -> Option<u16> {
    let bips = participating
        .checked_mul(U256::from(BIPS))?
        .checked_div(total)?;
    // participating ≤ total, so bips ≤ 10000.
    u16::try_from(bips).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{b256, hex};

    fn digest_feeds() -> Vec<FeedDefinition> {
        [("BTC/USD", 2), ("ETH/USD", 2), ("FLR/USD", 7)]
            .into_iter()
            .map(|(name, decimals)| FeedDefinition {
                id: FeedId::new(1, name).unwrap(),
                decimals,
            })
            .collect()
    }

    fn valid(random: u64, encoded: &str) -> VoterSubmission {
        VoterSubmission::Valid {
            random: B256::from(U256::from(random)),
            values: crate::value::decode_values(&hex::decode(encoded).unwrap(), 3).unwrap(),
        }
    }

    fn digest_voters() -> Vec<Voter> {
        let submissions = [
            valid(1, "803adbae800351a880031da8"),
            valid(2, "803ada688003519c80031ce0"),
            valid(3, "803ade8200000000800320c8"),
            VoterSubmission::Offender,
        ];
        submissions
            .into_iter()
            .enumerate()
            .map(|(i, submission)| Voter {
                submit_address: Address::repeat_byte(u8::try_from(i + 1).unwrap()),
                weight: U256::from(1000 * (i + 1)),
                submission,
                benched: false,
            })
            .collect()
    }

    #[test]
    fn digest_synthetic_round() {
        // data-provider.md §12.5.
        let result = calculate_round(1000, &digest_feeds(), &digest_voters()).unwrap();
        assert_eq!(
            result.random,
            RoundRandom {
                value: U256::from(6),
                is_secure: false
            }
        );
        let values: Vec<_> = result
            .feeds
            .iter()
            .map(|f| (f.leaf.value, f.turnout_bips))
            .collect();
        assert_eq!(
            values,
            vec![(3_857_688, 6000), (217_500, 3000), (204_600, 6000)]
        );
        assert_eq!(
            result.merkle_root,
            b256!("672e270e01ff663ff16d9b30c8bacf0b4a2275e16dfcbb83952317699c848962")
        );
        assert_eq!(
            hex::encode(result.protocol_message().encode()),
            "64000003e800672e270e01ff663ff16d9b30c8bacf0b4a2275e16dfcbb83952317699c848962"
        );
        for index in 0..3 {
            let proof = result.feed_proof(index).unwrap();
            let leaf = result.feeds[index].leaf_hash;
            assert!(crate::merkle::verify_proof(
                &leaf,
                &proof,
                &result.merkle_root
            ));
        }
    }

    #[test]
    fn digest_leaves() {
        // data-provider.md §12.3.
        let flr = abi::Feed {
            votingRoundId: 1000,
            id: FeedId::new(1, "FLR/USD").unwrap().0,
            value: -5,
            turnoutBIPS: 10000,
            decimals: 7,
        };
        assert_eq!(
            feed_leaf_hash(&flr),
            b256!("dfb150a3885c0a6ff2fd38ff56d631c5cd5169ab120b5c53bd56b1424e358389")
        );
        let random = random_leaf(
            1000,
            &RoundRandom {
                value: U256::from(123_456_789),
                is_secure: true,
            },
        );
        assert_eq!(
            random_leaf_hash(&random),
            b256!("c837eec36fae2dd5ff7255eb3df1ca4780a76c99d4b566eef00b54ad4fcd6cac")
        );
    }

    #[test]
    fn errors_without_valid_reveal_or_total_weight() {
        let mut voters = digest_voters();
        for voter in &mut voters {
            voter.weight = U256::ZERO;
        }
        assert_eq!(
            calculate_round(5, &digest_feeds(), &voters),
            Err(RoundError::ZeroTotalWeight { voting_round_id: 5 })
        );
        let offenders: Vec<Voter> = digest_voters()
            .into_iter()
            .map(|v| Voter {
                submission: VoterSubmission::Offender,
                ..v
            })
            .collect();
        assert_eq!(
            calculate_round(5, &digest_feeds(), &offenders),
            Err(RoundError::NoValidReveal { voting_round_id: 5 })
        );
        assert_eq!(
            calculate_round(5, &digest_feeds()[..2], &digest_voters()),
            Err(RoundError::ValueCount {
                voter: 0,
                values: 3,
                feeds: 2
            })
        );
    }
}
